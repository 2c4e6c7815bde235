"""Celery tasks of the tasks app (this module is `tasks.tasks` because Celery imports `<app>.tasks`).

Only thin Celery tasks live here, each ending in `_task`; the work is in tasks.services.
"""

from celery import shared_task
from django.utils import timezone

from ipcity.celery import RETRY
from tasks import services


@shared_task(**RETRY)
def deadline_reminders_task() -> dict:
    """Daily: reminders for reports due soon or overdue, supervision of lags, escalation. Safe to repeat."""
    return services.deadline_reminders_run(as_of=timezone.localdate())
