"""Export jobs: a workbook built in the background, kept for a while, then deleted."""

import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


def export_upload_to(instance, filename):
    """A generated name: files sit outside any served URL and are only read by the checked download view.

    It keeps the extension the build gives (.xlsx, .docx, .pdf)."""
    suffix = Path(filename).suffix.lower() or ".xlsx"
    return f"report-exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class ExportJob(models.Model):
    """A user's request for a workbook: its parameters, how far its building is, and the file when ready.

    Only the user who asked sees the job; the file is deleted once `expires_at` has passed.
    """

    class Kind(models.TextChoices):
        QUARTERLY = "quarterly", _("季度通报")
        COMPARISON = "comparison", _("跨城市对比")
        BULLETIN = "bulletin", _("书面通报（Word）")
        BULLETIN_PDF = "bulletin_pdf", _("书面通报（PDF）")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("生成失败")
        EXPIRED = "expired", _("已过期")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs", verbose_name=_("申请人")
    )
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, null=True, blank=True, related_name="export_jobs", verbose_name=_("方案")
    )
    quarter_end = models.DateField(_("统计截至季度末"))
    catalogue_key = models.SlugField(
        _("指标目录键"), max_length=80, blank=True, help_text=_("跨城市对比只导出该类指标；留空导出全部同类指标。")
    )
    file = models.FileField(_("文件"), upload_to=export_upload_to, max_length=200, blank=True)
    filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now, editable=False)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    # Recovery (reports.services.export_jobs_recover): when the build was last sent to a worker, and how
    # many builds have claimed the job (the claim's token: a build that lost the job writes nothing).
    queued_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("生成次数"), default=0)

    PLAN_KINDS = (Kind.QUARTERLY, Kind.BULLETIN, Kind.BULLETIN_PDF)
    """The kinds reporting on one plan (a city's quarter); the comparison covers every city the user sees."""

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("导出任务")
        verbose_name_plural = _("导出任务")
        constraints = [
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="export_progress_percent"),
            models.CheckConstraint(
                condition=models.Q(kind="comparison") | models.Q(plan__isnull=False),
                name="export_quarterly_has_plan",
                violation_error_message=_("季度通报必须指定方案。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"]), models.Index(fields=["status", "started_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.quarter_end:%Y-%m-%d} #{self.pk}"

    @property
    def is_downloadable(self) -> bool:
        """Done, not yet past its expiry (the nightly cleanup may not have run yet), and a file to read."""
        return (
            self.status == self.Status.DONE
            and bool(self.file)
            and self.expires_at is not None
            and self.expires_at > timezone.now()
        )

    @property
    def current_status(self) -> str:
        """The status a user sees: a finished file past its expiry is expired even before the cleanup ran."""
        if self.status == self.Status.DONE and not self.is_downloadable:
            return self.Status.EXPIRED
        return self.status

    @property
    def current_status_label(self) -> str:
        return self.Status(self.current_status).label

    @property
    def can_restart(self) -> bool:
        return self.status == self.Status.FAILED

    @property
    def is_finished(self) -> bool:
        return self.current_status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)
