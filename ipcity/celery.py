"""Celery wiring; the schedule of periodic work lives in settings.CELERY_BEAT_SCHEDULE.

`enqueue` is how the apps send work after a commit: it never raises and never holds a web worker for
long, because whatever it sends is also recorded in the database (a recompute mark, a pending export job)
and a periodic sweep picks up what a message failed to carry.
"""

import logging
import os
import time

from celery import Celery, signals
from django.db import InterfaceError, OperationalError
from kombu.exceptions import OperationalError as BrokerError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ipcity.settings")

app = Celery("ipcity")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

RETRY = {
    # A database restart or a broker hiccup passes; a bug does not, so only these are retried. No jitter:
    # Celery's jitter draws from [0, backoff] and fired three retries within 75 ms ("Retry in 0s").
    # 5 s, 10 s, 20 s … up to 5 min, about 20 min in all.
    "autoretry_for": (OperationalError, InterfaceError, BrokerError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": False,
    "max_retries": 8,
}

# After a failed publish, messages are not even tried for this long: a stopped broker costs the first
# request its short connect timeout and the following ones nothing.
BROKER_BACKOFF_SECONDS = 15.0
_broker_down_until = 0.0


def _eager() -> bool:
    return bool(app.conf.task_always_eager)


def enqueue(task, *args) -> bool:
    """Send a task now, or log why not and return False; the database already holds what it must do."""
    global _broker_down_until
    if time.monotonic() < _broker_down_until and not _eager():
        logger.warning("broker unavailable: %s%r left to the periodic sweep", task.name, args)
        return False
    try:
        task.apply_async(args, retry=False)
    except Exception as error:
        if not _eager():  # in-process, a failure is the task's own, not a broker's
            _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning(
            "could not run %s%r (%s: %s); the periodic sweep will", task.name, args, type(error).__name__, error
        )
        return False
    return True


@signals.after_setup_logger.connect
@signals.after_setup_task_logger.connect
def _log_repeats_once(logger=None, **kwargs):
    """A worker logs through Celery's own handlers: they get the same once-with-a-count filter as Django's."""
    from ipcity.logs import RepeatFilter

    for handler in logger.handlers:
        if not any(isinstance(f, RepeatFilter) for f in handler.filters):
            handler.addFilter(RepeatFilter())
