"""What the figure workflow keeps besides the figures themselves: cross-indicator checks run on submit and
uploaded workbooks awaiting confirmation. The figures (QuarterlyFigure) belong to indicators, because
progress is computed from them."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models import Plan


class CrossCheck(models.Model):
    """A consistency rule between two indicators' figures of the same period, checked on submit.

    Indicators are named by catalogue key, so one rule (with no plan) covers every plan that has both
    indicators; a rule with a plan applies to that plan only.
    """

    class Kind(models.TextChoices):
        NOT_GREATER = "not_greater", _("前者不大于后者")
        PER_POPULATION = "per_population", _("每万人口数与总量、常住人口一致")

    plan = models.ForeignKey(
        Plan,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="cross_checks",
        verbose_name=_("方案"),
        help_text=_("留空表示适用于所有方案。"),
    )
    kind = models.CharField(_("规则类型"), max_length=20, choices=Kind.choices)
    left_key = models.SlugField(_("指标目录键（前者）"), max_length=80)
    right_key = models.SlugField(_("指标目录键（后者）"), max_length=80)
    tolerance_percent = models.DecimalField(
        _("允许误差（%）"),
        max_digits=5,
        decimal_places=2,
        default=2,
        help_text=_("仅用于每万人口一致性核对，容许统计取整带来的差异。"),
    )
    notes = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["plan", "left_key", "right_key"]
        verbose_name = _("跨指标校验规则")
        verbose_name_plural = _("跨指标校验规则")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "left_key", "right_key"],
                name="crosscheck_unique",
                violation_error_message=_("该校验规则已存在。"),
            ),
            models.CheckConstraint(condition=models.Q(tolerance_percent__gte=0), name="crosscheck_tolerance"),
        ]

    def __str__(self):
        return f"{self.left_key} {self.get_kind_display()} {self.right_key}"

    def clean(self):
        if self.left_key and self.left_key == self.right_key:
            raise ValidationError({"right_key": _("两个指标不能相同。")})


class FigureImport(models.Model):
    """An uploaded Excel workbook: its bytes are kept so the preview and the confirmation read the same
    file, then deleted after settings.FIGURE_IMPORT_TTL_DAYS (figures.tasks); the record of the import (who,
    when, file name, size, outcome) stays so every import can be traced afterwards."""

    class Kind(models.TextChoices):
        QUARTER = "quarter", _("季度填报")
        HISTORY = "history", _("历史数据")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="figure_imports", verbose_name=_("方案"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    period_end = models.DateField(_("报告期末"), null=True, blank=True)
    filename = models.CharField(_("文件名"), max_length=255)
    content = models.BinaryField(_("文件内容"), blank=True)
    size = models.PositiveIntegerField(_("文件大小（字节）"), default=0)
    content_deleted_at = models.DateTimeField(_("文件内容删除时间"), null=True, blank=True)
    revision = models.CharField(_("上传时数据版本"), max_length=80, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("确认导入时间"), null=True, blank=True)
    saved_rows = models.PositiveIntegerField(_("导入行数"), default=0)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("Excel导入")
        verbose_name_plural = _("Excel导入")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="history") | models.Q(period_end__isnull=False),
                name="import_quarter_period",
            ),
        ]

    def __str__(self):
        return f"{self.plan.code} {self.get_kind_display()} {self.filename}"
