"""runserver for the embedded default, with the nightly work scheduled in the same process.

With REDIS_URL set, Celery beat and a worker do the nightly work (docker-compose.yml); without it there
is no beat, so this command runs the same beat schedule from a thread and it is never silently absent.
"""

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from ipcity.celery import app

logger = logging.getLogger(__name__)


def _seconds_until(hour: int, minute: int) -> float:
    now = timezone.localtime()
    target = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if target <= now:
        target += dt.timedelta(days=1)
    return (target - now).total_seconds()


def run_schedule_once() -> list[str]:
    """Every beat entry once, as at start (catching up a night the machine was off); returns the failures."""
    app.loader.import_default_modules()  # registers every app's tasks, as a worker does at start
    return [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values() if not _run(entry)]


def _run_schedule_forever():
    run_schedule_once()
    entries = list(settings.CELERY_BEAT_SCHEDULE.values())
    while True:
        waits = [(_seconds_until(min(e["schedule"].hour), min(e["schedule"].minute)), e) for e in entries]
        seconds, entry = min(waits, key=lambda w: w[0])
        time.sleep(seconds)
        _run(entry)


def _run(entry) -> bool:
    try:
        app.tasks[entry["task"]].delay()
    except Exception:
        logger.exception("scheduled task %s failed", entry["task"])
        return False
    return True


class Command(BaseCommand):
    help = "Serve ipcity (runserver) and, in the embedded default, run the nightly schedule in-process."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        if settings.CELERY_TASK_ALWAYS_EAGER:
            threading.Thread(target=_run_schedule_forever, name="nightly-schedule", daemon=True).start()
            self.stdout.write(
                "Nightly schedule running in-process (no REDIS_URL): " + ", ".join(settings.CELERY_BEAT_SCHEDULE)
            )
        else:
            self.stdout.write("REDIS_URL set: run `celery -A ipcity worker` and `celery -A ipcity beat`.")
        call_command("runserver", addrport, use_reloader=False)
