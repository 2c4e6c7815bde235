"""Indicators (a plan's measurable targets), their quarterly figures and the stored progress results."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.access import ENTRY_ROLES, READABLE_FIGURE_STATUSES, city_filter, user_role
from accounts.models import Role
from accounts.querysets import visible_manager
from plans.models import Department, Plan


class MeasureType(models.TextChoices):
    STOCK = "stock", _("累计数")
    FLOW = "flow", _("期间数")
    ANNUAL = "annual", _("年度数")
    RATE = "rate", _("比率")


class TargetForm(models.TextChoices):
    ABSOLUTE = "absolute", _("目标值")
    GROWTH_SINCE_BASE = "growth_since_base", _("较基期增长")
    COMPOUND_GROWTH = "compound_growth", _("年均增长")
    THRESHOLD = "threshold", _("达到比率")
    PER_YEAR_INCREMENT = "per_year_increment", _("年均新增")
    MILESTONE = "milestone", _("里程碑")
    QUALITATIVE = "qualitative", _("定性")


GROWTH_FORMS = (TargetForm.GROWTH_SINCE_BASE, TargetForm.COMPOUND_GROWTH)


class TargetGroup(models.Model):
    """One target shared by several indicator rows (merged cells in Zunyi's 附件2)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="target_groups", verbose_name=_("方案"))
    code = models.CharField(_("代码"), max_length=20)
    name = models.CharField(_("名称"), max_length=200)
    target_value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20)
    measure_type = models.CharField(_("统计口径"), max_length=10, choices=MeasureType.choices)
    source_quote = models.TextField(_("原文"), blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["plan", "code"]
        verbose_name = _("合并目标")
        verbose_name_plural = _("合并目标")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="target_group_unique_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Indicator(models.Model):
    """A measurable target of a plan, with the semantics needed to judge its progress."""

    class Direction(models.TextChoices):
        HIGHER = "higher", _("越高越好")
        LOWER = "lower", _("越低越好")

    class Frequency(models.TextChoices):
        QUARTERLY = "quarterly", _("按季度")
        YEARLY = "yearly", _("按年度")

    class EntryMode(models.TextChoices):
        PERIOD = "period", _("当期数")
        YEAR_TO_DATE = "ytd", _("年初至今累计（1–N月）")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("方案"))
    code = models.CharField(_("代码"), max_length=20)
    order = models.PositiveSmallIntegerField(_("顺序"))
    category = models.CharField(_("类别"), max_length=40)
    name = models.CharField(_("指标名称"), max_length=200)
    name_en = models.CharField(_("英文名称"), max_length=200, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    measure_type = models.CharField(_("统计口径"), max_length=10, choices=MeasureType.choices)
    target_form = models.CharField(_("目标形式"), max_length=20, choices=TargetForm.choices)
    target_value = models.DecimalField(_("目标值"), max_digits=20, decimal_places=4, null=True, blank=True)
    target_date = models.DateField(_("目标日期"), null=True, blank=True)
    base_value = models.DecimalField(_("基期值"), max_digits=20, decimal_places=4, null=True, blank=True)
    base_year = models.PositiveSmallIntegerField(_("基期年份"), null=True, blank=True)
    base_source = models.CharField(_("基期值来源"), max_length=200, blank=True)
    base_quote = models.TextField(
        _("基期原文"), blank=True, help_text=_("文件中给出基期值或基期年份的原文（表格则为写明年份的表头）。")
    )
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER)
    frequency = models.CharField(_("报送频率"), max_length=10, choices=Frequency.choices, default=Frequency.QUARTERLY)
    reporting_lag_days = models.PositiveSmallIntegerField(
        _("报送期限（天）"),
        null=True,
        blank=True,
        help_text=_("期末后多少天内报送；空则用方案的报送期限。次年发布的年度统计（如占GDP比重）可设更长。"),
    )
    entry_mode = models.CharField(_("填报方式"), max_length=10, choices=EntryMode.choices, default=EntryMode.PERIOD)
    is_ratio = models.BooleanField(_("按分子分母填报"), default=False)
    numerator_label = models.CharField(_("分子"), max_length=40, blank=True)
    denominator_label = models.CharField(_("分母"), max_length=40, blank=True)
    lead_department = models.ForeignKey(
        Department, on_delete=models.RESTRICT, related_name="led_indicators", verbose_name=_("牵头单位")
    )
    lead_department_defaulted = models.BooleanField(
        _("牵头单位为默认"), default=False, help_text=_("文件未写明牵头单位，默认由市市场监管局牵头。")
    )
    lead_picked_by_bureau = models.BooleanField(
        _("答复督办单位由市局指定"),
        default=False,
        help_text=_("文件列出多个牵头单位时，默认第一个答复督办；市局可改为其中另一个。"),
    )
    catalogue_key = models.SlugField(_("目录键"), max_length=80, blank=True, help_text=_("关联各城市同类指标。"))
    target_group = models.ForeignKey(
        TargetGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("合并目标"),
    )
    source_quote = models.TextField(_("原文"), blank=True)
    notes = models.TextField(_("备注"), blank=True)
    history = HistoricalRecords(excluded_fields=["order"])

    objects = visible_manager("plan__city")

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "code"],
                name="indicator_unique_code",
                violation_error_message=_("该方案已有相同代码的指标。"),
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def lag_days(self) -> int:
        """Days after a period's end its figure is due (kept in sync with core.progress.lag_days)."""
        return self.plan.reporting_lag_days if self.reporting_lag_days is None else self.reporting_lag_days

    @property
    def leads(self) -> list[Department]:
        """Every lead department in the document's order (prefetch `lead_links__department` on lists)."""
        links = [link.department for link in self.lead_links.all()]
        return links or [self.lead_department]

    @property
    def lead_names(self) -> str:
        return "、".join(d.name for d in self.leads)

    @property
    def is_quantitative(self):
        return self.target_form != TargetForm.QUALITATIVE

    @property
    def target_text(self) -> str:
        """The target in the document's own terms: 年均增长8%, 较2021年增长20%, 90%以上, 年均新增3家, 200件."""
        value = self.target_value if self.target_value is not None else getattr(self.target_group, "target_value", None)
        if self.target_form == TargetForm.QUALITATIVE or value is None:
            return "—"
        number = f"{value.normalize():f}"
        if self.target_form == TargetForm.COMPOUND_GROWTH:
            return _("年均增长%(n)s%%") % {"n": number}
        if self.target_form == TargetForm.GROWTH_SINCE_BASE:
            return _("较%(year)s年增长%(n)s%%") % {"year": self.base_year, "n": number}
        if self.target_form == TargetForm.THRESHOLD:
            return _("%(n)s%%以上") % {"n": number}
        if self.target_form == TargetForm.PER_YEAR_INCREMENT:
            return _("年均新增%(n)s%(unit)s") % {"n": number, "unit": self.unit}
        return f"{number}{self.unit}"

    def clean(self):
        errors = {}
        if self.is_quantitative and not self.unit:
            errors["unit"] = _("定量指标必须填写单位。")
        if self.target_form in GROWTH_FORMS and not self.base_year:
            errors["base_year"] = _("增长类目标必须填写基期年份。")
        is_rate = self.measure_type == MeasureType.RATE or self.target_form == TargetForm.THRESHOLD
        if is_rate and self.target_value is not None and self.target_value > 100:
            errors["target_value"] = _("比率目标不能超过100%。")
        if self.is_ratio and self.measure_type != MeasureType.RATE:
            errors["is_ratio"] = _("只有比率指标可以按分子分母填报。")
        if self.is_quantitative and self.target_value is None and self.target_group_id is None:
            errors["target_value"] = _("定量指标必须填写目标值（或属于一个合并目标）。")
        if self.base_value is not None and self.base_value < 0:
            errors["base_value"] = _("基期值不能为负数。")
        if errors:
            raise ValidationError(errors)


class InterimTarget(models.Model):
    """An earlier value or date the document sets on the way to the end target."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="interim_targets", verbose_name=_("指标")
    )
    date = models.DateField(_("日期"))
    value = models.DecimalField(_("阶段目标值"), max_digits=20, decimal_places=4)
    source_quote = models.TextField(_("原文"), blank=True)
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        ordering = ["indicator", "date"]
        verbose_name = _("阶段目标")
        verbose_name_plural = _("阶段目标")
        constraints = [models.UniqueConstraint(fields=["indicator", "date"], name="interim_unique_date")]

    def __str__(self):
        return f"{self.indicator.code} {self.date}: {self.value}"


class QuarterlyFigureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Figures of the cities the user sees; unapproved ones only to their own city's entering roles."""
        role = user_role(user)
        if role is None:
            return self.none()
        if role == Role.ADMIN:
            return self
        readable = Q(status__in=READABLE_FIGURE_STATUSES)
        if role in ENTRY_ROLES:
            readable |= Q(indicator__plan__city_id=user.profile.city_id)
        return self.filter(city_filter(user, "indicator__plan__city")).filter(readable)


class QuarterlyFigure(models.Model):
    """One version of an indicator's figure for one period.

    A correction or an official figure replacing a provisional one is a new version; the approved
    version with the highest number counts and the older ones stay as 'superseded', so nothing is lost.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")
        SUPERSEDED = "superseded", _("已被更正")

    OPEN_STATUSES = (Status.DRAFT, Status.SUBMITTED, Status.RETURNED)

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="figures", verbose_name=_("指标"))
    period_end = models.DateField(_("报告期末"))
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    value = models.DecimalField(_("数值"), max_digits=20, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(_("分子"), max_digits=20, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(_("分母"), max_digits=20, decimal_places=4, null=True, blank=True)
    entered_value = models.DecimalField(
        _("填报数"),
        max_digits=20,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("按填报方式录入的原始数（当期数或1–N月累计数）；数值一栏总是当期数。"),
    )
    entry_form = models.CharField(_("填报方式"), max_length=10, choices=Indicator.EntryMode.choices, blank=True)
    is_provisional = models.BooleanField(_("预估数"), default=False)
    source = models.CharField(_("统计口径/发布来源"), max_length=200, blank=True)
    comment = models.TextField(_("说明"), blank=True)
    correction_reason = models.TextField(_("更正原因"), blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)
    is_late = models.BooleanField(_("逾期报送"), default=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("填报人"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = HistoricalRecords()

    objects = QuarterlyFigureQuerySet.as_manager()

    class Meta:
        ordering = ["indicator", "period_end", "version"]
        verbose_name = _("季度数据")
        verbose_name_plural = _("季度数据")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_end", "version"],
                name="figure_unique_version",
                violation_error_message=_("该指标该期已有同一版本的数据。"),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                condition=models.Q(status__in=["draft", "submitted", "returned"]),
                name="figure_one_open_version",
                violation_error_message=_("该指标该期已有一份未审核完成的数据。"),
            ),
            models.UniqueConstraint(
                fields=["indicator", "period_end"],
                condition=models.Q(status="approved"),
                name="figure_one_approved_version",
                violation_error_message=_("该指标该期只能有一个有效的已审核数据。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "period_end"]),
            # The 演示数据 banner asks on every page whether any demo figure exists: answered from this index.
            models.Index(fields=["is_demo"], condition=models.Q(is_demo=True), name="figure_demo_only"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.period_end} v{self.version}"

    @property
    def rate(self):
        """A ratio indicator's percentage, always derived from numerator and denominator."""
        if self.numerator is None or not self.denominator:
            return self.value
        return self.numerator / self.denominator * 100

    @property
    def revision(self) -> str:
        """The token an API client sends back on update, so a stale write is refused, not applied."""
        return f"{self.pk}-{self.updated_at.timestamp():.6f}" if self.updated_at else ""

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class ProgressFields(models.Model):
    """The numbers behind a status, so a page can say in one sentence why an indicator lags."""

    status = models.CharField(_("状态"), max_length=20)
    rule = models.CharField(_("判定规则"), max_length=40, blank=True)
    reason = models.TextField(_("原因"), blank=True)  # rendered in Chinese, for the admin and exports of rows
    reason_data = models.JSONField(_("原因（代码与参数）"), default=dict, blank=True)  # core.reasons
    current = models.FloatField(_("当前值"), null=True)
    base = models.FloatField(_("基期值"), null=True)
    end_target = models.FloatField(_("目标值"), null=True)
    data_date = models.DateField(_("数据日期"), null=True)
    time_elapsed = models.FloatField(_("时间进度"), null=True)
    progress = models.FloatField(_("指标进度"), null=True)
    expected = models.FloatField(_("应达进度"), null=True)
    basis = models.CharField(_("判定口径"), max_length=20, blank=True)  # core.progress.BASES
    period_value = models.FloatField(_("本期数值"), null=True)

    class Meta:
        abstract = True


class IndicatorProgress(ProgressFields):
    """The latest progress result of an indicator, read by dashboards without computing."""

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="progress", verbose_name=_("指标")
    )
    base_from_first_report = models.BooleanField(_("以首次报送为基期"), default=False)
    year_to_date = models.FloatField(_("本年累计"), null=True)
    needed_per_quarter = models.FloatField(_("需每季度新增"), null=True)
    recent_pace_per_quarter = models.FloatField(_("近四季度平均"), null=True)
    projected_end = models.FloatField(_("按当前速度期末值"), null=True)
    projection_reached = models.BooleanField(_("按当前速度可达标"), null=True)
    shortfall = models.FloatField(_("差距"), null=True)
    status_since = models.DateField(_("状态起始"), null=True)
    # The recompute skips rows whose values are unchanged, so this is when they last changed, not the last run.
    computed_at = models.DateTimeField(_("结果更新时间"), auto_now=True)

    class Meta:
        ordering = ["indicator"]
        verbose_name = _("指标进度")
        verbose_name_plural = _("指标进度")

    def __str__(self):
        return f"{self.indicator.code}: {self.status}"


class ProgressSnapshot(ProgressFields):
    """An indicator's progress as of a quarter end, for trends and "滞后 since 2025Q2"."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("指标"))
    quarter_end = models.DateField(_("季度末"))

    class Meta:
        ordering = ["indicator", "quarter_end"]
        verbose_name = _("季度进度")
        verbose_name_plural = _("季度进度")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "quarter_end"], name="snapshot_unique_quarter"),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.quarter_end}: {self.status}"


class PlanProgressSummary(models.Model):
    """A plan's headline numbers from its stored latest results (indicators.summaries writes it at the end of
    every recompute): what the cities overview orders, pages and totals in the database. Each count is of
    verdicts, a target group once (indicators.selectors.judged_once); equal to plan_summaries() by test."""

    plan = models.OneToOneField(
        Plan, on_delete=models.CASCADE, primary_key=True, related_name="progress_summary", verbose_name=_("方案")
    )
    achieved = models.PositiveIntegerField(_("已达标"), default=0)
    missed = models.PositiveIntegerField(_("未完成"), default=0)
    on_track = models.PositiveIntegerField(_("进度正常"), default=0)
    at_risk = models.PositiveIntegerField(_("预警"), default=0)
    lagging = models.PositiveIntegerField(_("滞后"), default=0)
    overdue_report = models.PositiveIntegerField(_("逾期未报"), default=0)
    no_data = models.PositiveIntegerField(_("暂无数据"), default=0)
    incomplete = models.PositiveIntegerField(_("基期缺失"), default=0)
    awaiting_review = models.PositiveIntegerField(_("待审核"), default=0)
    qualitative = models.PositiveIntegerField(_("定性指标"), default=0)
    attention = models.PositiveIntegerField(_("需关注"), default=0)
    indicator_progress = models.FloatField(_("指标进度"), null=True)
    is_final = models.BooleanField(_("已结束"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        ordering = ["plan"]
        verbose_name = _("方案进度汇总")
        verbose_name_plural = _("方案进度汇总")

    def __str__(self):
        return f"{self.plan_id}: {self.attention}"


class PlanCatalogueEntry(models.Model):
    """A plan's quantitative indicators of one catalogue key and name, and how many have a latest value:
    what the cross-city comparison counts (cities per key, cities with data) and names its keys by, read
    for thousands of plans. Written with the plan's PlanProgressSummary (indicators.summaries)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="catalogue_entries", verbose_name=_("方案"))
    catalogue_key = models.SlugField(_("目录键"), max_length=80)
    name = models.CharField(_("名称"), max_length=200)
    indicators = models.PositiveIntegerField(_("指标数"))
    reported = models.PositiveIntegerField(_("有数据的指标数"))

    class Meta:
        ordering = ["plan", "catalogue_key", "name"]
        verbose_name = _("方案目录指标")
        verbose_name_plural = _("方案目录指标")
        constraints = [
            models.UniqueConstraint(fields=["plan", "catalogue_key", "name"], name="catalogue_entry_unique"),
        ]
        indexes = [models.Index(fields=["catalogue_key"])]

    def __str__(self):
        return f"{self.plan_id} {self.catalogue_key}: {self.indicators}"


class ComparisonEntry(models.Model):
    """A comparable indicator (a catalogue key, a quantitative target) as the cross-city comparison orders
    it: its latest progress (missing ones last), status rank, city and order, copied from its stored result,
    so a page of one key's thousands of cities is one walk of the index instead of a sort of them all.
    Written with the plan's PlanCatalogueEntry rows (indicators.summaries), is_current with the key counts
    (CatalogueKeySummary: the plans they counted), so the page names no plan; equal to the live rows by test."""

    indicator = models.OneToOneField(
        Indicator,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="comparison_entry",
        verbose_name=_("指标"),
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="comparison_entries", verbose_name=_("方案"))
    catalogue_key = models.SlugField(_("目录键"), max_length=80, db_index=False)
    progress_missing = models.BooleanField(_("无指标进度"))
    progress = models.FloatField(_("指标进度"), null=True)
    status_rank = models.PositiveSmallIntegerField(
        _("状态排序"), null=True, help_text=_("core.status.STATUS_ORDER 中的位置；空则尚无结果。")
    )
    city_code = models.SlugField(_("城市代码"), max_length=40, db_index=False)
    order = models.PositiveSmallIntegerField(_("顺序"))
    is_current = models.BooleanField(
        _("属当前方案"), default=False, help_text=_("其方案是否为所在城市当前的方案（按目录指标汇总所计的方案）。")
    )

    class Meta:
        ordering = ["catalogue_key", "progress_missing", "-progress", "status_rank", "city_code", "order", "pk"]
        verbose_name = _("跨市对比条目")
        verbose_name_plural = _("跨市对比条目")
        indexes = [
            models.Index(
                fields=[
                    "catalogue_key",
                    "is_current",
                    "progress_missing",
                    "-progress",
                    "status_rank",
                    "city_code",
                    "order",
                ],
                name="comparison_entry_order",
            ),
            models.Index(
                fields=["catalogue_key"], condition=Q(status_rank__isnull=True), name="comparison_entry_unstored"
            ),
        ]

    def __str__(self):
        return f"{self.catalogue_key} {self.indicator_id}: {self.progress}"


class CatalogueKeySummary(models.Model):
    """One catalogue key across every city's current plan: how many cities have it, how many with data, how
    many indicators and the name most use: the comparison's list of keys, read in a dozen rows instead of
    counting thousands of plans' entries. plans_digest names the plans counted (a digest of their ids), so a
    page whose own current plans differ (another user's cities, a past date, a plan started or removed
    since) counts its entries itself. Written by indicators.summaries when the entries or those plans change."""

    catalogue_key = models.SlugField(_("目录键"), max_length=80, unique=True)
    name = models.CharField(_("名称"), max_length=200)
    cities = models.PositiveIntegerField(_("城市数"))
    reported = models.PositiveIntegerField(_("有数据的城市数"))
    indicators = models.PositiveIntegerField(_("指标数"))
    plans_digest = models.CharField(_("所计方案"), max_length=64)

    class Meta:
        ordering = ["-cities", "-reported", "catalogue_key"]
        verbose_name = _("目录指标汇总")
        verbose_name_plural = _("目录指标汇总")

    def __str__(self):
        return f"{self.catalogue_key}: {self.cities}"


class LagFlag(models.Model):
    """Raised when an indicator turns lagging / at risk / overdue, cleared when it recovers."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="lag_flags", verbose_name=_("指标"))
    status = models.CharField(_("状态"), max_length=20)
    reason = models.TextField(_("原因"), blank=True)
    raised_on = models.DateField(_("出现日期"))
    cleared_on = models.DateField(_("解除日期"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_on"]
        verbose_name = _("滞后预警")
        verbose_name_plural = _("滞后预警")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"],
                condition=models.Q(cleared_on__isnull=True),
                name="lagflag_one_open",
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.status} {self.raised_on}"


class IndicatorLead(models.Model):
    """One of the lead departments (牵头单位) a document names for an indicator, in the document's order.

    Zunyi's 附件2 names two for some rows; `Indicator.lead_department` stays the one that answers 督办
    (the first listed unless the bureau picks another of them)."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="lead_links", verbose_name=_("指标")
    )
    department = models.ForeignKey(
        Department, on_delete=models.RESTRICT, related_name="indicator_leads", verbose_name=_("牵头单位")
    )
    order = models.PositiveSmallIntegerField(_("顺序"))

    class Meta:
        ordering = ["indicator", "order"]
        verbose_name = _("指标牵头单位")
        verbose_name_plural = _("指标牵头单位")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "department"],
                name="indicator_lead_unique",
                violation_error_message=_("同一牵头单位不能重复列出。"),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code}: {self.department}"


class Reading(models.Model):
    """A place where the stored data interprets the document (a base year it does not give, which of two
    meanings a sentence has): the words, the reading chosen, the alternatives, and whether the city has
    confirmed it. Settling one changes the indicator through indicators.definitions."""

    class State(models.TextChoices):
        PENDING = "pending", _("待确认")
        CONFIRMED = "confirmed", _("已确认")

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="readings", verbose_name=_("指标"))
    code = models.SlugField(_("代码"), max_length=40)
    topic = models.CharField(_("事项"), max_length=40)
    quote = models.TextField(_("原文"))
    question = models.TextField(_("文件未写明"))
    options = models.JSONField(
        _("可选读法"), help_text=_("[{key, label, effect, changes: {字段: 值}}]，第一项不一定是采用的读法。")
    )
    default_option = models.CharField(_("数据初始采用的读法"), max_length=40)
    chosen = models.CharField(_("采用的读法"), max_length=40)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    settled_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reason = models.TextField(_("理由"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "code"]
        verbose_name = _("口径与解读")
        verbose_name_plural = _("口径与解读")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "code"],
                name="reading_unique_code",
                violation_error_message=_("该指标已有相同代码的解读。"),
            ),
        ]

    def __str__(self):
        return f"{self.indicator.code} {self.topic}"

    @property
    def is_pending(self) -> bool:
        return self.state == self.State.PENDING

    def option(self, key: str) -> dict | None:
        return next((o for o in self.options if o.get("key") == key), None)

    @property
    def chosen_option(self) -> dict:
        return self.option(self.chosen) or {}

    @property
    def alternatives(self) -> list[dict]:
        return [o for o in self.options if o.get("key") != self.chosen]

    def clean(self):
        keys = [o.get("key") for o in self.options or []]
        if not keys or len(set(keys)) != len(keys) or not all(keys):
            raise ValidationError({"options": _("可选读法必须各有不同的key。")})
        for field in ("default_option", "chosen"):
            if getattr(self, field) not in keys:
                raise ValidationError({field: _("“%(key)s”不是可选读法之一。") % {"key": getattr(self, field)}})


class RecomputeMark(models.Model):
    """An indicator whose stored progress (latest result and quarter-end history) must be rebuilt.

    Written in the transaction of the change that calls for it (approval, correction, base, definition),
    deleted by whoever rebuilt it, and only when its token is still the one read: a message lost with a
    dead worker or a stopped broker delays the rebuild, never loses it (indicators.recompute).
    """

    indicator = models.OneToOneField(
        Indicator, on_delete=models.CASCADE, related_name="recompute_mark", verbose_name=_("指标")
    )
    token = models.UUIDField(_("标记"), default=uuid.uuid4)
    requested_at = models.DateTimeField(_("请求时间"), default=timezone.now, db_index=True)
    history = models.BooleanField(
        _("重算历史"), default=True, help_text=_("数据或定义有变化：重算各季度末进度；否则只重算最新进度（每晚）。")
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = _("待重算指标")
        verbose_name_plural = _("待重算指标")

    def __str__(self):
        return f"{self.indicator_id} @ {self.requested_at:%Y-%m-%d %H:%M:%S}"


class BaseEntry(models.Model):
    """A base value (with its year and source) the document left unknown, as the bureau entered it.

    It counts only once a reviewer approves it: then it is written to the indicator (recorded in its
    history and recomputed). Until then the engine keeps judging without it; a returned entry carries
    the reviewer's reason and the bureau may enter another.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已审核")
        RETURNED = "returned", _("已退回")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="base_entries", verbose_name=_("指标")
    )
    value = models.DecimalField(_("基期值"), max_digits=20, decimal_places=4)
    year = models.PositiveSmallIntegerField(_("基期年份"))
    source = models.CharField(_("基期值来源"), max_length=200)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("录入人")
    )
    entered_at = models.DateTimeField(_("录入时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)

    class Meta:
        ordering = ["-entered_at", "-pk"]
        verbose_name = _("基期值录入")
        verbose_name_plural = _("基期值录入")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator"],
                condition=Q(state="pending"),
                name="one_pending_base_entry",
                violation_error_message=_("该指标已有一条待审核的基期值。"),
            ),
        ]

    def __str__(self):
        return f"{self.indicator} · {self.value} ({self.get_state_display()})"
