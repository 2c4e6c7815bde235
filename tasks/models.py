"""A plan's tasks and the departments assigned to them as lead (牵头单位) or responsible (责任单位)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from indicators.models import Indicator
from plans.models import Department, Plan


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

    class Meta:
        ordering = ["plan", "order"]
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "section", "number"], name="task_unique_number",
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
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("部门")
    )
    role = models.CharField(_("分工"), max_length=12, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["task", "role", "order"]
        verbose_name = _("任务分工")
        verbose_name_plural = _("任务分工")
        constraints = [
            models.UniqueConstraint(
                fields=["task", "department", "role"], name="assignment_unique",
                violation_error_message=_("同一部门不能在同一任务中重复担任同一分工。"),
            ),
        ]

    def __str__(self):
        return f"{self.task} — {self.department}（{self.get_role_display()}）"

    def clean(self):
        if self.task_id and self.department_id and self.task.plan.city_id != self.department.city_id:
            raise ValidationError({"department": _("只能分配给本城市的部门。")})
