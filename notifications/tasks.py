"""Celery tasks for notifications: thin and safe to repeat; the work is in notifications.services."""

from celery import shared_task

from notifications import services

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def notification_emails_send_task() -> int:
    """After a commit that created notifications: email them (each is claimed once, so repeats are harmless)."""
    return services.notification_emails_send()
