"""Export jobs: requested by a user, built by a Celery task (in-process in the embedded default), and
deleted once expired.

A build is claimed with a conditional UPDATE (pending → running, attempts + 1), so a task delivered twice
builds once, and only the build holding the latest claim may finish the job. A job whose message was never
sent or was lost, or whose worker died, is put right within minutes by export_jobs_recover (every minute):
sent again, built again, or failed with a message; a failed job can be started again from its page.
The file is built in the site language (zh-hans) whatever language the requesting page was in: it
is an official document for the leading group.
"""

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.temp import NamedTemporaryFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.periods import Quarter, closed_quarters
from plans.models import City, Plan
from reports import bulletin, selectors, workbooks
from reports.models import ExportJob

logger = logging.getLogger(__name__)

# A build runs under this hard time limit, so a job running longer than it (plus a margin) lost its worker.
TIME_LIMIT = settings.REPORT_EXPORT_TIME_LIMIT
STALE_AFTER = dt.timedelta(seconds=TIME_LIMIT + max(10, TIME_LIMIT // 4))
# A pending job is sent again when its message has had this long to reach a worker, and failed when no
# worker took it for PENDING_GIVE_UP (a broker down that long: the user is told to ask again).
RESEND_AFTER = dt.timedelta(minutes=2)
PENDING_GIVE_UP = dt.timedelta(minutes=30)
MAX_ATTEMPTS = 2
"""Builds a job may have: a second after a lost worker, then it is failed (the same rows fail the same way)."""


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
    if kind == ExportJob.Kind.BULLETIN_PDF and not bulletin.pdf_available():
        raise ValidationError({"report_type": _("本服务器未安装LibreOffice，无法生成PDF，请生成Word版通报。")})
    if kind in ExportJob.PLAN_KINDS:
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


def _enqueue_build(job_id: int) -> bool:
    """Send the build; a stopped broker leaves the job pending for export_jobs_recover, never an error."""
    # Imported here: reports.tasks imports this module for the services it runs.
    from ipcity.celery import enqueue
    from reports.tasks import export_job_build_task

    sent_at = timezone.now()
    if not enqueue(export_job_build_task, job_id):
        return False  # never sent: the next recovery pass sends it
    ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(queued_at=sent_at)
    return True


def export_job_restart(*, job: ExportJob) -> bool:
    """Start a failed job again, from nothing; False when it was not failed (e.g. a second click).

    The caller has resolved `job` among the user's own jobs (404 otherwise).
    """
    if not ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.FAILED).update(
        status=ExportJob.Status.PENDING,
        progress=0,
        attempts=0,
        message="",
        created_at=timezone.now(),
        started_at=None,
        finished_at=None,
    ):
        return False
    transaction.on_commit(lambda: _enqueue_build(job.pk))
    return True


def export_job_build(*, job_id: int) -> bool:
    """Build a pending job's workbook and store it; False when another run has already taken the job.

    A failure is recorded on the job (the user sees it and may ask again) rather than retried: building
    the same workbook from the same rows fails the same way.
    """
    now = timezone.now()
    if not ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.PENDING).update(
        status=ExportJob.Status.RUNNING, started_at=now, progress=5, attempts=F("attempts") + 1
    ):
        return False
    job = ExportJob.objects.select_related("plan__city", "requested_by").get(pk=job_id)
    # Every later write is conditional on this claim: a build the recovery gave up on writes nothing.
    mine = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING, attempts=job.attempts)

    def advance(percent: int):
        mine.update(progress=percent)

    try:
        with translation.override(settings.LANGUAGE_CODE):
            content, filename = _build(job, advance)
    except (ExportRefused, bulletin.PdfUnavailable) as refusal:
        mine.update(status=ExportJob.Status.FAILED, finished_at=timezone.now(), message=str(refusal))
        return True
    except Exception:
        logger.exception("export job %s failed", job_id)
        mine.update(
            status=ExportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=_("生成失败，请重新生成；如仍失败请联系系统管理员。"),
        )
        return True
    with content:
        job.file.save(f"{job_id}{Path(filename).suffix}", content, save=False)
    finished = timezone.now()
    if not mine.update(
        status=ExportJob.Status.DONE,
        progress=100,
        file=job.file.name,
        filename=filename,
        finished_at=finished,
        expires_at=finished + dt.timedelta(hours=settings.REPORT_EXPORT_TTL_HOURS),
    ):
        job.file.storage.delete(job.file.name)  # the job was given up on meanwhile: no orphan file
    return True


def _build(job: ExportJob, advance: Callable[[int], None]) -> tuple[File, str]:
    """The file and the name the user downloads it as, for the requester's access now. A workbook is
    written to a temporary file, not memory: every city's comparison is megabytes, and storage copies it
    in chunks."""
    user, quarter = job.requested_by, Quarter.of(job.quarter_end)
    if job.kind in ExportJob.PLAN_KINDS:
        plan = job.plan
        if not City.objects.visible_to(user).filter(pk=plan.city_id).exists():
            raise ExportRefused(_("您已无权查看该城市，通报未生成。"))
        report = selectors.quarterly_report(plan=plan, quarter=quarter, user=user)
        advance(40 if job.kind == ExportJob.Kind.BULLETIN_PDF else 50)
        if job.kind != ExportJob.Kind.QUARTERLY:
            return _bulletin(job, report, advance)
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
    output = NamedTemporaryFile(suffix=".xlsx")
    workbook.save(output)
    return File(output), filename


def _bulletin(job: ExportJob, report: selectors.QuarterlyReport, advance: Callable[[int], None]) -> tuple[File, str]:
    """The written 通报: the Word document, or LibreOffice's PDF of it."""
    document = bulletin.document_bytes(bulletin.compose(report), report)
    name = _("%(city)s知识产权强市建设工作进展通报_%(quarter)s") % {
        "city": job.plan.city.name,
        "quarter": report.quarter,
    }
    if job.kind == ExportJob.Kind.BULLETIN:
        return ContentFile(document), f"{name}.docx"
    advance(60)
    return ContentFile(bulletin.pdf_bytes(document)), f"{name}.pdf"


def export_files_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of expired jobs and mark them expired (and recover lost jobs, as every minute).

    Returns how many jobs expired. Safe to run twice at once: each job is claimed by a conditional
    UPDATE before its file is deleted.
    """
    now = now or timezone.now()
    export_jobs_recover(now=now)
    deleted = 0
    for job in ExportJob.objects.filter(status=ExportJob.Status.DONE, expires_at__lte=now).only("pk", "file"):
        if ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.DONE).update(
            status=ExportJob.Status.EXPIRED, file=""
        ):
            if job.file:
                job.file.storage.delete(job.file.name)
            deleted += 1
    return deleted


def export_jobs_recover(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Every minute: no job stays pending or running because a message or a worker was lost.

    A running job past its time limit lost its worker: it is built again once (pending, sent again),
    then failed. A pending job whose message has had time to arrive is sent again (a duplicate is
    harmless: the claim builds once); one pending for PENDING_GIVE_UP is failed. Every change is a
    conditional UPDATE, so two runs at once, or a build finishing meanwhile, never conflict.
    """
    now = now or timezone.now()
    Status = ExportJob.Status
    lost = ExportJob.objects.filter(status=Status.RUNNING, started_at__lt=now - STALE_AFTER)
    failed = lost.filter(attempts__gte=MAX_ATTEMPTS).update(
        status=Status.FAILED, finished_at=now, message=_("生成中断，请重新生成。")
    )
    retried = lost.filter(attempts__lt=MAX_ATTEMPTS).update(
        status=Status.PENDING, progress=0, started_at=None, queued_at=None
    )
    failed += ExportJob.objects.filter(status=Status.PENDING, created_at__lt=now - PENDING_GIVE_UP).update(
        status=Status.FAILED, finished_at=now, message=_("排队超时，请重新生成。")
    )
    # Never sent (the broker was down), or sent long enough ago that the message must have been lost.
    unsent = ExportJob.objects.filter(status=Status.PENDING).filter(
        Q(queued_at__isnull=True) | Q(queued_at__lt=now - RESEND_AFTER)
    )
    sent = 0
    for job_id in unsent.order_by("created_at").values_list("pk", flat=True)[:100]:
        sent += _enqueue_build(job_id)
    return {"failed": failed, "retried": retried, "sent": sent}
