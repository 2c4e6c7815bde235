"""Celery tasks of the reports: thin, taking ids; the work is in reports.services."""

import logging

from celery import shared_task
from django.db import OperationalError

from reports import services
from reports.models import ExportJob

logger = logging.getLogger(__name__)

# Only a database hiccup is worth retrying: the build claims the job first, so a retry never builds twice.
RETRY = {"autoretry_for": (OperationalError,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def export_job_build_task(job_id: int) -> None:
    if not ExportJob.objects.filter(pk=job_id).exists():
        logger.warning("export job %s vanished before its build", job_id)
        return
    services.export_job_build(job_id=job_id)


@shared_task(**RETRY)
def export_files_expire_task() -> int:
    """Nightly: expired export files take disk space and nobody may download them any more."""
    return services.export_files_expire()
