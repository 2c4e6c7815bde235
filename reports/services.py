"""Export jobs: requested by a user, built by a Celery task (in-process in the embedded default), and
deleted once expired.

A build is claimed with a conditional UPDATE (pending → running), so a task delivered twice builds once.
The workbook is built in the site language (zh-hans) whatever language the requesting page was in: it
is an official document for the leading group.
"""

import datetime as dt
import io
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.periods import Quarter, closed_quarters
from plans.models import City, Plan
from reports import selectors, workbooks
from reports.models import ExportJob

logger = logging.getLogger(__name__)

# A running job older than the task's hard time limit (plus a margin) was lost with its worker.
STALE_AFTER = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


class ExportRefused(Exception):
    """The requester may no longer see what they asked for: said on the job, never built."""


def export_job_request(
    *,
    user,
    kind: str,
    quarter: Quarter,
    plan: Plan | None = None,
    catalogue_key: str = "",
    today: dt.date | None = None,
) -> ExportJob:
    """Record a request and enqueue its build once the row is committed.

    The caller has resolved `plan` among the plans the user may see (404 otherwise).
    """
    today = today or timezone.localdate()
    if kind == ExportJob.Kind.QUARTERLY:
        if plan is None:
            raise ValidationError({"plan": _("请选择方案。")})
        if quarter not in closed_quarters(plan.period_start, plan.period_end, today=today):
            raise ValidationError({"quarter": _("请选择方案实施期内已经结束的季度。")})
        catalogue_key = ""
    else:
        plan = None
        if quarter.end >= today:
            raise ValidationError({"quarter": _("请选择已经结束的季度。")})
    job = ExportJob(kind=kind, requested_by=user, plan=plan, quarter_end=quarter.end, catalogue_key=catalogue_key)
    job.full_clean()
    job.save()
    transaction.on_commit(lambda: _enqueue_build(job.pk))
    return job


def _enqueue_build(job_id: int):
    # Imported here: reports.tasks imports this module for the services it runs.
    from reports.tasks import export_job_build_task

    export_job_build_task.delay(job_id)


def export_job_build(*, job_id: int) -> bool:
    """Build a pending job's workbook and store it; False when another run has already taken the job.

    A failure is recorded on the job (the user sees it and may ask again) rather than retried: building
    the same workbook from the same rows fails the same way.
    """
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=now, progress=5
    ):
        return False
    job = ExportJob.objects.select_related("plan__city", "requested_by").get(pk=job_id)

    def advance(percent: int):
        ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(progress=percent)

    try:
        with translation.override(settings.LANGUAGE_CODE):
            content, filename = _build(job, advance)
    except ExportRefused as refusal:
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED, finished_at=timezone.now(), message=str(refusal)
        )
        return True
    except Exception:
        logger.exception("export job %s failed", job_id)
        ExportJob.objects.filter(pk=job_id).update(
            status=ExportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=_("生成失败，请重新生成；如仍失败请联系系统管理员。"),
        )
        return True
    job.file.save(f"{job_id}.xlsx", ContentFile(content), save=False)
    finished = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.DONE,
        progress=100,
        file=job.file.name,
        filename=filename,
        finished_at=finished,
        expires_at=finished + dt.timedelta(hours=settings.REPORT_EXPORT_TTL_HOURS),
    )
    return True


def _build(job: ExportJob, advance: Callable[[int], None]) -> tuple[bytes, str]:
    """The workbook bytes and the name the user downloads them as, for the requester's access now."""
    user, quarter = job.requested_by, Quarter.of(job.quarter_end)
    if job.kind == ExportJob.Kind.QUARTERLY:
        plan = job.plan
        if not City.objects.visible_to(user).filter(pk=plan.city_id).exists():
            raise ExportRefused(_("您已无权查看该城市，通报未生成。"))
        report = selectors.quarterly_report(plan=plan, quarter=quarter, user=user)
        advance(50)
        workbook = workbooks.quarterly_workbook(report)
        filename = _("%(city)s知识产权强市建设季度通报_%(quarter)s.xlsx") % {"city": plan.city.name, "quarter": quarter}
    else:
        report = selectors.comparison_report(
            cities=selectors.comparison_cities(user=user), quarter=quarter, catalogue_key=job.catalogue_key
        )
        advance(60)
        workbook = workbooks.comparison_workbook(report)
        filename = _("知识产权强市建设跨城市对比_%(quarter)s.xlsx") % {"quarter": quarter}
    advance(90)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), filename


def export_files_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs and mark them expired; fail jobs lost with their worker.

    Returns how many jobs expired. Safe to run twice at once: each job is claimed by a conditional
    UPDATE before its file is deleted.
    """
    now = now or timezone.now()
    ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=ExportJob.Status.FAILED, finished_at=now, message=_("生成超时，请重新生成。")
    )
    deleted = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).only("pk", "file"):
        if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file=""
        ):
            if job.file:
                job.file.storage.delete(job.file.name)
            deleted += 1
    return deleted
