"""FilterSets shared by the task pages and the API: the same parameter names mean the same everywhere."""

import datetime as dt
from dataclasses import dataclass

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from plans.filtersets import IdChoiceFilter, IdFilter, PresentChoiceFilter, QuarterFilter
from plans.models import Department, Plan
from tasks import rules
from tasks.models import SUPERVISION_STATUS_CHOICES, Instruction, SupervisionItem, Task, TaskUpdate
from tasks.selectors import latest_states, overview_plans


class TaskFilterSet(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="plan__city__code", label="城市代码")
    plan = django_filters.CharFilter(field_name="plan__code", label="方案代码")
    department = IdFilter(method="by_department", label="部门")

    class Meta:
        model = Task
        fields = ["city", "plan", "section", "department"]

    def by_department(self, queryset, name, value):
        return queryset.filter(assignments__department_id=value).distinct()


class TaskMatrixFilterSet(django_filters.FilterSet):
    """Filters of the bureau matrix of one plan and quarter (page /task-matrix/ and /api/v1/task-matrix/)."""

    department = IdChoiceFilter(
        queryset=Department.objects.none(), method="by_department", label=_("部门"), empty_label=_("全部部门")
    )
    section = PresentChoiceFilter(label=_("章节"), empty_label=_("全部章节"))
    state = django_filters.ChoiceFilter(
        choices=TaskUpdate.State.choices, method="by_state", label=_("进展状态"), empty_label=_("全部状态")
    )

    class Meta:
        model = Task
        fields = ["department", "section", "state"]

    def __init__(self, data=None, queryset=None, *, plan, quarter: rules.Quarter, **kwargs):
        super().__init__(data, plan.tasks.all() if queryset is None else queryset, **kwargs)
        self.quarter = quarter
        self.filters["department"].queryset = Department.objects.filter(assignments__task__plan=plan).distinct()
        sections = dict.fromkeys(plan.tasks.order_by("order").values_list("section", flat=True))
        self.filters["section"].extra["choices"] = [(s, s) for s in sections]

    def by_department(self, queryset, name, value):
        return queryset.filter(assignments__department=value).distinct()

    def by_state(self, queryset, name, value):
        """Tasks where some department's latest update for the quarter is in this state (e.g. 受阻)."""
        states = latest_states(tasks=queryset, quarter=self.quarter)
        return queryset.filter(pk__in={task_id for (task_id, _dept), state in states.items() if state == value})


class TaskUpdateFilterSet(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="task__plan__city__code", label=_("城市代码"))
    plan = django_filters.CharFilter(field_name="task__plan__code", label=_("方案代码"))
    task = IdFilter(field_name="task_id", label=_("任务"))
    department = IdFilter(field_name="department_id", label=_("部门"))
    quarter = QuarterFilter(field_name="quarter_end", label=_("季度（如2025Q2）"))

    class Meta:
        model = TaskUpdate
        fields = ["city", "plan", "task", "department", "quarter", "state", "is_consolidated"]


class SupervisionItemFilterSet(django_filters.FilterSet):
    """Filters of the 督办 list (/supervision-items/ and /api/v1/supervision-items/): department, step,
    light, reason."""

    city = django_filters.CharFilter(field_name="plan__city__code", label=_("城市代码"))
    plan = django_filters.CharFilter(field_name="plan__code", label=_("方案代码"))
    department = IdChoiceFilter(queryset=Department.objects.none(), label=_("责任牵头单位"), empty_label=_("全部部门"))
    status = django_filters.ChoiceFilter(choices=SUPERVISION_STATUS_CHOICES, label=_("状态"), empty_label=_("全部状态"))
    state = django_filters.ChoiceFilter(
        choices=[("open", _("未办结")), ("closed", _("已办结"))],
        method="by_state",
        label=_("办理情况"),
        empty_label=_("全部"),
    )
    light = django_filters.ChoiceFilter(
        choices=[(light.value, label) for light, label in rules.LIGHT_LABELS.items()],
        label=_("亮灯"),
        empty_label=_("全部"),
    )
    reason = django_filters.ChoiceFilter(
        choices=SupervisionItem.Reason.choices, label=_("督办原因"), empty_label=_("全部原因")
    )
    overdue = django_filters.BooleanFilter(
        field_name="overdue",
        label=_("是否逾期"),
        widget=forms.Select(choices=[("", _("全部")), ("true", _("已逾期")), ("false", _("未逾期"))]),
    )

    class Meta:
        model = SupervisionItem
        fields = ["city", "plan", "department", "status", "state", "light", "reason", "overdue"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None:
            self.filters["department"].queryset = (
                Department.objects.visible_to(user).filter(supervision_items__isnull=False).distinct().order_by("name")
            )

    def by_state(self, queryset, name, value):
        closed = rules.SupervisionStatus.CLOSED
        return queryset.filter(status=closed) if value == "closed" else queryset.exclude(status=closed)


class InstructionFilterSet(django_filters.FilterSet):
    """批示 by the department addressed, the 督办 item, indicator or task they are about (ids)."""

    department = IdFilter(field_name="department_id", label=_("部门"))
    item = IdFilter(field_name="item_id", label=_("督办事项"))
    indicator = IdFilter(field_name="indicator_id", label=_("指标"))
    task = IdFilter(field_name="task_id", label=_("任务"))

    class Meta:
        model = Instruction
        fields = ["department", "item", "indicator", "task"]


@dataclass
class TaskMatrixQuery:
    """The plan, quarter and filters a matrix request asks for, resolved the same for the page and the API."""

    plans: list[Plan]
    plan: Plan
    quarter: rules.Quarter
    quarters: list[rules.Quarter]
    filterset: TaskMatrixFilterSet


def task_matrix_query(*, user, params, as_of: dt.date) -> TaskMatrixQuery:
    """404 for a plan the user may not oversee; ValidationError (by parameter) for a bad quarter or filter."""
    plans = overview_plans(user=user)
    code = params.get("plan")
    plan = next((p for p in plans if p.code == code), None) if code else (plans[0] if plans else None)
    if plan is None:
        raise Http404
    quarters = rules.reportable_quarters(plan.period_start, plan.period_end, as_of)
    try:
        quarter = (
            rules.Quarter.parse(params["quarter"])
            if params.get("quarter")
            else rules.default_quarter(plan.period_start, plan.period_end, as_of)
        )
    except ValueError as error:
        raise ValidationError({"quarter": [str(error)]}) from None
    filterset = TaskMatrixFilterSet(params, plan=plan, quarter=quarter)
    if not filterset.is_valid():
        raise ValidationError(filterset.errors)
    return TaskMatrixQuery(plans=plans, plan=plan, quarter=quarter, quarters=quarters, filterset=filterset)
