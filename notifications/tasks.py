"""Celery tasks for notifications: thin and safe to repeat; the work is in notifications.services."""

from celery import shared_task

from ipcity.celery import RETRY
from notifications import services


@shared_task(**RETRY)
def notification_emails_send_task() -> int:
    """After a commit that created notifications: email them (each is claimed once, so repeats are harmless)."""
    return services.notification_emails_send()
