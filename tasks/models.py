"""A plan's tasks, the departments assigned to them as lead (牵头单位) or responsible (责任单位), their
quarterly updates (任务进展) and the supervision items (督办) raised when work lags."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import TASK_OVERVIEW_ROLES, user_role
from accounts.models import Role as UserRole
from accounts.querysets import visible_manager
from core.periods import Quarter
from indicators.models import Indicator, LagFlag
from plans.models import Department, Plan
from tasks import evidence, rules


class Task(models.Model):
    """A numbered task or measure of a plan, quoted in full from the document."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("方案"))
    section = models.CharField(_("章节"), max_length=40)
    number = models.CharField(_("序号"), max_length=20)
    order = models.PositiveSmallIntegerField(_("顺序"))
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("任务内容"))
    due_date = models.DateField(_("完成时限"), null=True, blank=True)
    notes = models.TextField(_("备注"), blank=True)
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="tasks", verbose_name=_("相关指标"))
    departments = models.ManyToManyField(
        Department, through="TaskAssignment", related_name="tasks", verbose_name=_("部门")
    )

    objects = visible_manager("plan__city")

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "section", "number"],
                name="task_unique_number",
                violation_error_message=_("该方案已有相同章节和序号的任务。"),
            ),
        ]

    def __str__(self):
        return f"{self.section}{self.number} {self.title}"


class TaskAssignment(models.Model):
    """A department's part in a task."""

    class Role(models.TextChoices):
        LEAD = "lead", _("牵头单位")
        RESPONSIBLE = "responsible", _("责任单位")

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("任务"))
    department = models.ForeignKey(
        Department, on_delete=models.RESTRICT, related_name="assignments", verbose_name=_("部门")
    )
    role = models.CharField(_("分工"), max_length=12, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["task", "role", "order"]
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department", "role"],
                name="assignment_unique",
                violation_error_message=_("同一部门不能在同一任务中重复担任同一分工。"),
            ),
        ]

    def __str__(self):
        return f"{self.task} — {self.department}（{self.get_role_display()}）"

    def clean(self):
        if self.task_id and self.department_id and self.task.plan.city_id != self.department.city_id:
            raise ValidationError({"department": _("只能分配给本城市的部门。")})


def evidence_upload_to(instance, filename):
    """A generated name: the uploader's file name is kept only as text, never as a path on disk."""
    return f"task-evidence/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{evidence.evidence_extension(filename)}"


class TaskUpdateQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Overview roles see their city's updates; a lead department every update of its tasks; a
        responsible department its own and the consolidated ones; everybody else none."""
        role = user_role(user)
        if role == UserRole.ADMIN:
            return self
        if role is None or role == UserRole.PROVINCIAL:
            return self.none()
        if role in TASK_OVERVIEW_ROLES:
            return self.filter(task__plan__city_id=user.profile.city_id)
        department_id = user.profile.department_id
        if department_id is None:
            return self.none()
        assigned = TaskAssignment.objects.filter(task=OuterRef("task"), department_id=department_id)
        return self.filter(
            Q(department_id=department_id)
            | Q(Exists(assigned.filter(role=TaskAssignment.Role.LEAD)))
            | Q(Exists(assigned), is_consolidated=True)
        )


class TaskUpdate(models.Model):
    """A department's report on a task for one quarter; never edited or deleted, the latest one counts.

    The lead department's report is the consolidated one (牵头单位汇总); every other is its own part.
    """

    class State(models.TextChoices):
        NOT_STARTED = "not_started", _("未开始")
        IN_PROGRESS = "in_progress", _("推进中")
        DONE = "done", _("已完成")
        BLOCKED = "blocked", _("受阻")

    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="updates", verbose_name=_("任务"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="task_updates", verbose_name=_("报送部门")
    )
    quarter_end = models.DateField(_("报告期末"))
    is_consolidated = models.BooleanField(_("牵头单位汇总"), default=False)
    state = models.CharField(_("进展状态"), max_length=12, choices=State.choices)
    text = models.TextField(_("本季度工作进展"))
    evidence = models.FileField(_("证明材料"), upload_to=evidence_upload_to, max_length=200, blank=True)
    evidence_name = models.CharField(_("证明材料文件名"), max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="task_updates", verbose_name=_("填报人")
    )
    created_at = models.DateTimeField(_("报送时间"), default=timezone.now, editable=False)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = TaskUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["task", "quarter_end", "created_at", "pk"]
        verbose_name = _("任务进展")
        verbose_name_plural = _("任务进展")
        indexes = [models.Index(fields=["quarter_end", "task"]), models.Index(fields=["department", "task"])]

    def __str__(self):
        return f"{self.task} · {self.department} · {self.quarter}"

    @property
    def quarter(self) -> rules.Quarter:
        return Quarter.ending_on(self.quarter_end)

    @property
    def evidence_content_type(self) -> str:
        return evidence.EVIDENCE_TYPES[evidence.evidence_extension(self.evidence.name)].content_type

    def clean(self):
        try:
            Quarter.ending_on(self.quarter_end)
        except (TypeError, ValueError) as error:
            raise ValidationError({"quarter_end": str(error)}) from None


SUPERVISION_STATUS_CHOICES = [(s.value, label) for s, label in rules.SUPERVISION_STATUS_LABELS.items()]
SUPERVISION_ACTION_CHOICES = [(a.value, label) for a, label in rules.SUPERVISION_ACTION_LABELS.items()]


class SupervisionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Overview roles see their city's supervision items; a department the items addressed to it."""
        role = user_role(user)
        if role == UserRole.ADMIN:
            return self
        if role is None or role == UserRole.PROVINCIAL:
            return self.none()
        if role in TASK_OVERVIEW_ROLES:
            return self.filter(plan__city_id=user.profile.city_id)
        department_id = user.profile.department_id
        return self.filter(department_id=department_id) if department_id else self.none()


class SupervisionItem(models.Model):
    """A 督办 item: a lead department asked to acknowledge, explain a lag and set corrective measures by a date.

    Raised automatically once per lag episode of an indicator (its LagFlag) or per task and quarter when a
    task is blocked or its consolidated report is late, or by hand by the office for an indicator or task;
    every step taken on it is a SupervisionStep.
    """

    class Reason(models.TextChoices):
        INDICATOR_LAGGING = "indicator_lagging", _("指标滞后")
        TASK_BLOCKED = "task_blocked", _("任务受阻")
        TASK_LATE = "task_late", _("任务逾期未报")
        MANUAL = "manual", _("交办督办")

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="supervision_items", verbose_name=_("方案"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="supervision_items", verbose_name=_("责任牵头单位")
    )
    reason = models.CharField(_("督办原因"), max_length=20, choices=Reason.choices)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_items",
        verbose_name=_("指标"),
    )
    lag_flag = models.ForeignKey(
        LagFlag,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supervision_items",
        verbose_name=_("滞后预警"),
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="supervision_items", verbose_name=_("任务")
    )
    quarter_end = models.DateField(_("报告期末"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=SUPERVISION_STATUS_CHOICES, default=rules.SupervisionStatus.ISSUED.value
    )
    acknowledge_due = models.DateField(_("签收期限"), default=timezone.localdate)
    due_date = models.DateField(_("说明报送期限"))
    measures_due = models.DateField(_("整改完成时限"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("升级时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("发起时间"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_early = models.BooleanField(_("提前办结"), default=False)
    close_note = models.TextField(_("办结理由"), blank=True)
    is_demo = models.BooleanField(_("演示数据"), default=False)

    objects = SupervisionItemQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        constraints = [
            models.UniqueConstraint(
                fields=["lag_flag"],
                condition=models.Q(lag_flag__isnull=False),
                name="supervision_one_per_lag_flag",
                violation_error_message=_("该滞后预警已有督办事项。"),
            ),
            models.UniqueConstraint(
                fields=["task", "quarter_end", "reason"],
                condition=models.Q(task__isnull=False) & ~models.Q(reason="manual"),
                name="supervision_one_per_task_quarter",
                violation_error_message=_("该任务该季度已有同类督办事项。"),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(reason="indicator_lagging", indicator__isnull=False, task__isnull=True)
                    | models.Q(
                        reason__in=["task_blocked", "task_late"],
                        task__isnull=False,
                        quarter_end__isnull=False,
                        indicator__isnull=True,
                    )
                    | models.Q(reason="manual", indicator__isnull=False, task__isnull=True)
                    | models.Q(reason="manual", indicator__isnull=True, task__isnull=False)
                ),
                name="supervision_subject_matches_reason",
                violation_error_message=_("督办事项必须对应一个指标或一个任务的某季度。"),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | (models.Q(closed_at__isnull=False) & ~models.Q(close_note="")),
                name="supervision_closed_with_reason",
                violation_error_message=_("办结必须写明理由。"),
            ),
        ]
        indexes = [models.Index(fields=["status", "due_date"])]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.subject}"

    @property
    def subject(self):
        return self.indicator if self.indicator_id else self.task

    @property
    def quarter(self) -> rules.Quarter | None:
        return Quarter.ending_on(self.quarter_end) if self.quarter_end else None


class SupervisionStep(models.Model):
    """One step of a supervision item, kept for good: who did what, when, and what they wrote."""

    item = models.ForeignKey(
        SupervisionItem, on_delete=models.CASCADE, related_name="steps", verbose_name=_("督办事项")
    )
    action = models.CharField(_("操作"), max_length=12, choices=SUPERVISION_ACTION_CHOICES)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
        help_text=_("为空表示系统自动操作。"),
    )
    note = models.TextField(_("意见"), blank=True)
    explanation = models.TextField(_("滞后说明"), blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    measures_due = models.DateField(_("整改完成时限"), null=True, blank=True)
    due_date = models.DateField(_("说明报送期限"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["item", "created_at", "pk"]
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")

    def __str__(self):
        return f"{self.item_id} {self.get_action_display()} {self.created_at:%Y-%m-%d}"


class InstructionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Overview roles see their city's 批示; a department those it must answer."""
        role = user_role(user)
        if role == UserRole.ADMIN:
            return self
        if role is None or role == UserRole.PROVINCIAL:
            return self.none()
        if role in TASK_OVERVIEW_ROLES:
            return self.filter(plan__city_id=user.profile.city_id)
        department_id = user.profile.department_id
        return self.filter(department_id=department_id) if department_id else self.none()


class Instruction(models.Model):
    """A leader's 批示 on a supervision item, an indicator or a task, which the department must answer.

    An unanswered 批示 on an item keeps the item from closing.
    """

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="instructions", verbose_name=_("方案"))
    item = models.ForeignKey(
        SupervisionItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="instructions",
        verbose_name=_("督办事项"),
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="instructions", verbose_name=_("指标")
    )
    task = models.ForeignKey(
        Task, on_delete=models.PROTECT, null=True, blank=True, related_name="instructions", verbose_name=_("任务")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="instructions", verbose_name=_("答复单位")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批示领导")
    )
    text = models.TextField(_("批示内容"))
    created_at = models.DateTimeField(_("批示时间"), default=timezone.now, editable=False)
    answer = models.TextField(_("答复"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    objects = InstructionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(item__isnull=False, indicator__isnull=True, task__isnull=True)
                    | models.Q(item__isnull=True, indicator__isnull=False, task__isnull=True)
                    | models.Q(item__isnull=True, indicator__isnull=True, task__isnull=False)
                ),
                name="instruction_one_subject",
                violation_error_message=_("批示必须针对一个督办事项、指标或任务。"),
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True, answer="")
                | (models.Q(answered_at__isnull=False) & ~models.Q(answer="")),
                name="instruction_answer_complete",
                violation_error_message=_("答复必须有内容和时间。"),
            ),
        ]
        indexes = [models.Index(fields=["department", "answered_at"])]

    def __str__(self):
        return f"{self.author} · {self.subject} · {self.created_at:%Y-%m-%d}"

    @property
    def subject(self):
        return self.item or self.indicator or self.task

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None


LIGHT_LEVEL_CHOICES = [
    (rules.Light.RED.value, _("红灯")),
    (rules.Light.YELLOW.value, _("黄灯")),
    ("", _("不亮灯")),
]


def _level(signal: rules.Signal):
    return models.CharField(
        rules.SIGNAL_LABELS[signal],
        max_length=6,
        choices=LIGHT_LEVEL_CHOICES,
        blank=True,
        default=(rules.DEFAULT_LIGHT_RULE[signal] or ""),
    )


class DepartmentLightRule(models.Model):
    """How a plan's department overview (部门落实情况) lights a department: per signal, red, yellow or none.

    A plan without a row uses rules.DEFAULT_LIGHT_RULE; the field names are the rules.Signal values."""

    plan = models.OneToOneField(Plan, on_delete=models.CASCADE, related_name="light_rule", verbose_name=_("方案"))
    overdue_supervision = _level(rules.Signal.OVERDUE_SUPERVISION)
    unanswered_instructions = _level(rules.Signal.UNANSWERED_INSTRUCTIONS)
    lagging = _level(rules.Signal.LAGGING)
    at_risk = _level(rules.Signal.AT_RISK)
    late_reports = _level(rules.Signal.LATE_REPORTS)
    missing_reports = _level(rules.Signal.MISSING_REPORTS)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("设置人")
    )
    updated_at = models.DateTimeField(_("设置时间"), default=timezone.now)

    class Meta:
        ordering = ["plan"]
        verbose_name = _("部门亮灯规则")
        verbose_name_plural = _("部门亮灯规则")

    def __str__(self):
        return f"{self.plan} · {self._meta.verbose_name}"

    @property
    def levels(self) -> dict[rules.Signal, rules.Light | None]:
        return {s: rules.Light(getattr(self, s.value)) if getattr(self, s.value) else None for s in rules.Signal}
