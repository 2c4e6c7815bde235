"""Celery tasks of the reports: thin, taking ids; the work is in reports.services."""

import logging

from celery import shared_task

from ipcity.celery import RETRY
from reports import services
from reports.models import ExportJob

logger = logging.getLogger(__name__)


# Retried only on database and broker errors (RETRY): the build claims the job first, so a retry or a
# redelivery after a lost worker never builds twice.
@shared_task(**RETRY, time_limit=services.TIME_LIMIT, soft_time_limit=int(services.TIME_LIMIT * 0.9))
def export_job_build_task(job_id: int) -> None:
    if not ExportJob.objects.filter(pk=job_id).exists():
        logger.warning("export job %s vanished before its build", job_id)
        return
    services.export_job_build(job_id=job_id)


@shared_task(**RETRY, time_limit=60, soft_time_limit=50)
def export_jobs_recover_task() -> dict:
    """Every minute: jobs whose message or worker was lost are sent again, built again or failed."""
    return services.export_jobs_recover()


@shared_task(**RETRY)
def export_files_expire_task() -> int:
    """Nightly: expired export files take disk space and nobody may download them any more."""
    return services.export_files_expire()
