"""Cities, their plans, departments and leading groups: the frame every indicator and task hangs on."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.querysets import visible_manager


class City(models.Model):
    """A city taking part in the IP strong-city programme."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    name_en = models.CharField(_("英文名称"), max_length=60, blank=True)
    province = models.CharField(_("省份"), max_length=30, blank=True)
    is_synthetic = models.BooleanField(
        _("合成数据"), default=False, help_text=_("基准测试生成的城市，绝不与真实方案混用。")
    )

    objects = visible_manager("pk")

    class Meta:
        ordering = ["code"]
        verbose_name = _("城市")
        verbose_name_plural = _("城市")

    def __str__(self):
        return self.name


class Population(models.Model):
    """Resident population (常住人口) of a city in a year, for per-10,000-population indicators."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="populations", verbose_name=_("城市"))
    year = models.PositiveSmallIntegerField(_("年份"))
    value = models.DecimalField(_("常住人口（万人）"), max_digits=10, decimal_places=2)
    source = models.CharField(_("来源"), max_length=200, blank=True)

    class Meta:
        ordering = ["city", "year"]
        verbose_name = _("常住人口")
        verbose_name_plural = _("常住人口")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "year"],
                name="population_unique_year",
                violation_error_message=_("该城市该年份的常住人口已存在。"),
            ),
            models.CheckConstraint(condition=models.Q(value__gt=0), name="population_positive"),
        ]

    def __str__(self):
        return f"{self.city} {self.year}: {self.value}万人"


class Plan(models.Model):
    """A city's published plan document with its period, reporting rule and status bands."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="plans", verbose_name=_("城市"))
    code = models.SlugField(_("代码"), max_length=60, unique=True)
    title = models.CharField(_("方案名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    issuer = models.CharField(_("印发单位"), max_length=100, blank=True)
    issue_date = models.DateField(_("印发日期"), null=True, blank=True)
    period_start = models.DateField(_("实施期限起"))
    period_end = models.DateField(_("实施期限止"))
    reporting_lag_days = models.PositiveSmallIntegerField(
        _("报送期限（天）"), default=15, help_text=_("季度结束后多少天内报送数据。")
    )
    at_risk_band = models.DecimalField(_("预警阈值（百分点）"), max_digits=5, decimal_places=2, default=5)
    lagging_band = models.DecimalField(_("滞后阈值（百分点）"), max_digits=5, decimal_places=2, default=15)
    is_archived = models.BooleanField(_("已归档"), default=False)
    source_file = models.CharField(_("来源文件"), max_length=100, blank=True)
    notes = models.TextField(_("备注"), blank=True)

    objects = visible_manager("city")

    class Meta:
        ordering = ["city__code", "period_start"]
        verbose_name = _("工作方案")
        verbose_name_plural = _("工作方案")

    def __str__(self):
        return self.title

    def clean(self):
        if self.period_start and self.period_end and self.period_end <= self.period_start:
            raise ValidationError({"period_end": _("实施期限止必须晚于实施期限起。")})
        if self.at_risk_band is not None and self.lagging_band is not None and self.lagging_band < self.at_risk_band:
            raise ValidationError({"lagging_band": _("滞后阈值不能小于预警阈值。")})


class Phase(models.Model):
    """A named stage of a plan (启动部署 / 实施推进 / 评估提升)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases", verbose_name=_("方案"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("名称"), max_length=40)
    start = models.DateField(_("开始"), null=True, blank=True)
    end = models.DateField(_("结束"), null=True, blank=True)
    description = models.TextField(_("说明"), blank=True)
    source_quote = models.TextField(_("原文"), blank=True)

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("阶段")
        verbose_name_plural = _("阶段")
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="phase_unique_order")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("阶段结束日期不能早于开始日期。")})


class Department(models.Model):
    """A unit of a city government that leads or shares work (牵头单位 / 责任单位)."""

    class Kind(models.TextChoices):
        AGENCY = "agency", _("政府部门")
        COURT = "court", _("法院")
        PROCURATORATE = "procuratorate", _("检察院")
        DISTRICT_GROUP = "district_group", _("各县(市)区政府")
        DISTRICT = "district", _("县(市)区政府")
        PARK = "park", _("园区管委会")
        FINANCIAL = "financial", _("金融机构")
        OTHER = "other", _("其他")

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="departments", verbose_name=_("城市"))
    name = models.CharField(_("规范名称"), max_length=100)
    name_en = models.CharField(_("英文名称"), max_length=150, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.AGENCY)
    is_programme_owner = models.BooleanField(
        _("牵头主管部门"), default=False, help_text=_("市市场监管局（知识产权局），文件未写明牵头单位时默认由其牵头。")
    )
    notes = models.TextField(_("备注"), blank=True)

    objects = visible_manager("city")

    class Meta:
        ordering = ["city__code", "-is_programme_owner", "name"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [
            models.UniqueConstraint(
                fields=["city", "name"],
                name="department_unique_name",
                violation_error_message=_("该城市已有同名部门。"),
            ),
            models.UniqueConstraint(
                fields=["city"],
                condition=models.Q(is_programme_owner=True),
                name="department_one_owner",
                violation_error_message=_("每个城市只能有一个牵头主管部门。"),
            ),
        ]

    def __str__(self):
        return self.name


class DepartmentAlias(models.Model):
    """Another spelling of a department as a document writes it (市市场监管局(市知识产权局) …)."""

    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("部门"))
    alias = models.CharField(_("别名"), max_length=100)

    class Meta:
        ordering = ["department", "alias"]
        verbose_name = _("部门别名")
        verbose_name_plural = _("部门别名")
        constraints = [models.UniqueConstraint(fields=["department", "alias"], name="alias_unique")]

    def __str__(self):
        return self.alias


class LeadingGroupMember(models.Model):
    """A member of the plan's leading group (领导小组)."""

    class Role(models.TextChoices):
        LEADER = "leader", _("组长")
        DEPUTY_LEADER = "deputy_leader", _("副组长")
        MEMBER = "member", _("成员")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="leading_group", verbose_name=_("方案"))
    order = models.PositiveSmallIntegerField(_("顺序"))
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    name = models.CharField(_("姓名"), max_length=30)
    post = models.CharField(_("职务（原文）"), max_length=120)
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leading_group_members",
        verbose_name=_("所在部门"),
    )

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("领导小组成员")
        verbose_name_plural = _("领导小组成员")
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="member_unique_order")]

    def __str__(self):
        return f"{self.get_role_display()} {self.name}"
