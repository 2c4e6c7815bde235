"""Celery tasks of the figure workflow: thin; the work is in figures.imports."""

from celery import shared_task
from django.db import OperationalError

from figures import imports

RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def import_files_expire_task() -> int:
    """Nightly: an uploaded workbook's bytes are needed only between upload and confirmation."""
    return imports.figure_import_files_expire()
