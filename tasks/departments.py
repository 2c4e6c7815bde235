"""The department overview (部门落实情况): per department of a plan and quarter, what it owes — lagging and
at-risk indicators it leads, late and missing task reports, overdue 督办 items, unanswered 批示 — and a light
from the plan's rule (tasks.rules.department_light). A reference for the leading-group office, not an
official 考核 score.

The page, the API and the quarterly workbook all read `department_overview`, so they show the same numbers.
Indicators come from indicators.selectors.plan_progress and task reports from the bureau matrix
(tasks.selectors.task_matrix), as the dashboard and the report read them; a fixed number of queries whatever
the number of departments, indicators, tasks or items.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_see_task_overview
from core.errors import Invalid
from core.periods import Quarter
from core.status import Status
from indicators.selectors import judged_once, plan_progress
from plans.models import Department, Plan
from tasks import rules
from tasks.models import DepartmentLightRule, Instruction
from tasks.responsibility import department_name
from tasks.selectors import supervision_items_at, task_matrix

LAGGING_STATUSES = (Status.LAGGING, Status.MISSED)  # a plan that ended turns its lags into 未完成
AT_RISK_STATUSES = (Status.AT_RISK,)
Signal = rules.Signal


def light_rule(plan: Plan) -> dict[rules.Signal, rules.Light | None]:
    """The plan's rule (one query), or the default when nobody set one."""
    stored = DepartmentLightRule.objects.filter(plan=plan).first()
    return stored.levels if stored else dict(rules.DEFAULT_LIGHT_RULE)


@dataclass
class DepartmentStanding:
    """One department's counts for the quarter, its light and why."""

    department: Department
    counts: dict[rules.Signal, int]
    light: rules.Light
    causes: list[rules.Signal]
    lagging: list[str] = field(default_factory=list)  # indicator names, for the page
    at_risk: list[str] = field(default_factory=list)
    defaulted_lagging: int = 0  # led only by default (文件未写明): counted apart, never lit
    defaulted_at_risk: int = 0

    @property
    def name(self) -> str:
        return department_name(self.department)

    @property
    def light_label(self) -> str:
        return str(rules.DEPARTMENT_LIGHT_LABELS[self.light])

    @property
    def causes_text(self) -> str:
        return "、".join(str(rules.SIGNAL_LABELS[s]) for s in self.causes)

    @property
    def cells(self) -> list[int]:
        """The counts in rules.Signal order (the page's and the sheet's columns)."""
        return [self.counts[s] for s in rules.Signal]

    @property
    def problems(self) -> int:
        return sum(self.counts.values())


@dataclass
class DepartmentOverview:
    plan: Plan
    quarter: Quarter
    as_of: dt.date
    rule: dict[rules.Signal, rules.Light | None]
    rows: list[DepartmentStanding]

    @property
    def rule_text(self) -> list[tuple[str, str]]:
        """(signal, what it lights) in words, for the page's and the sheet's legend."""
        return [
            (str(rules.SIGNAL_LABELS[s]), str(rules.DEPARTMENT_LIGHT_LABELS[light]) if light else "—")
            for s, light in self.rule.items()
        ]

    def by_department(self) -> dict[int, DepartmentStanding]:
        return {row.department.pk: row for row in self.rows}


def overview_date(quarter: Quarter, today: dt.date) -> dt.date:
    """The date 督办 items and 批示 are counted at: the quarter's end, or today for a quarter not yet over."""
    return min(quarter.end, today)


def department_overview(*, plan: Plan, quarter: Quarter, today: dt.date | None = None) -> DepartmentOverview:
    """Every department with a part in the plan (a lead of an indicator, a task, a 督办 item or a 批示) and its
    standing for the quarter, worst first.

    Indicators are judged as of the quarter's end; task reports are the bureau matrix's for the quarter (late
    and missing as of today); 督办 items raised by the date and still open then count when the step they wait
    on was due before it; 批示 written by the date and not answered by it."""
    today = today or timezone.localdate()
    day = overview_date(quarter, today)
    rule = light_rule(plan)
    departments: dict[int, Department] = {}
    counts: dict[int, dict[rules.Signal, int]] = {}
    standing_lists: dict[int, dict[str, list[str]]] = {}
    defaulted: dict[int, dict[str, int]] = {}

    def add(department: Department) -> int:
        if department.pk not in departments:
            departments[department.pk] = department
            counts[department.pk] = dict.fromkeys(rules.Signal, 0)
            standing_lists[department.pk] = {"lagging": [], "at_risk": []}
            defaulted[department.pk] = {"lagging": 0, "at_risk": 0}
        return department.pk

    summary = plan_progress(plan, as_of=quarter.end)
    for row in judged_once(summary.rows):
        indicator, status = row.indicator, row.result.status
        kind = "lagging" if status in LAGGING_STATUSES else "at_risk" if status in AT_RISK_STATUSES else None
        for lead in indicator.leads:
            pk = add(lead)
            if kind is None:
                continue
            if indicator.lead_department_defaulted:
                defaulted[pk][kind] += 1
            else:
                counts[pk][Signal(kind)] += 1
                standing_lists[pk][kind].append(indicator.name)

    matrix = task_matrix(plan=plan, quarter=quarter, tasks=plan.tasks.all(), as_of=today)
    for tally in matrix.tallies:
        pk = add(tally.department)
        counts[pk][Signal.LATE_REPORTS] += tally.counts[rules.ReportStatus.LATE]
        counts[pk][Signal.MISSING_REPORTS] += tally.counts[rules.ReportStatus.MISSING]

    items = (
        supervision_items_at(day)
        .filter(plan=plan, created_at__date__lte=day)
        .filter(Q(closed_at__isnull=True) | Q(closed_at__date__gt=day))
        .filter(current_due__lt=day)
        .select_related(None)
        .select_related("department")
    )
    for item in items:
        counts[add(item.department)][Signal.OVERDUE_SUPERVISION] += 1

    instructions = (
        Instruction.objects.filter(plan=plan, created_at__date__lte=day)
        .filter(Q(answered_at__isnull=True) | Q(answered_at__date__gt=day))
        .select_related("department")
    )
    for instruction in instructions:
        counts[add(instruction.department)][Signal.UNANSWERED_INSTRUCTIONS] += 1

    rows = []
    for pk, department in departments.items():
        light = rules.department_light(counts[pk], rule)
        rows.append(
            DepartmentStanding(
                department=department,
                counts=counts[pk],
                light=light,
                causes=rules.light_causes(counts[pk], rule),
                lagging=standing_lists[pk]["lagging"],
                at_risk=standing_lists[pk]["at_risk"],
                defaulted_lagging=defaulted[pk]["lagging"],
                defaulted_at_risk=defaulted[pk]["at_risk"],
            )
        )
    rows.sort(key=lambda r: (rules.LIGHT_RANK[r.light], -r.problems, not r.department.is_programme_owner, r.name))
    return DepartmentOverview(plan=plan, quarter=quarter, as_of=day, rule=rule, rows=rows)


def overview_quarter(plan: Plan, today: dt.date) -> Quarter:
    """The quarter the overview opens on: the plan's last closed one (task reports fall due after it)."""
    return rules.default_quarter(plan.period_start, plan.period_end, today)


def overview_quarters(plan: Plan, today: dt.date) -> list[Quarter]:
    """Quarters the overview may be shown for: the plan's quarters started by today, newest first."""
    return rules.reportable_quarters(plan.period_start, plan.period_end, today)


def quarter_asked(plan: Plan, text: str | None, today: dt.date) -> Quarter:
    """'2025Q2' → that quarter when the plan has it and it has started; empty → the last closed one.

    Anything else is refused with the field's message (the API answers 400, the page 404)."""
    if not text:
        return overview_quarter(plan, today)
    try:
        quarter = Quarter.parse(text)
    except ValueError as error:
        raise Invalid({"quarter": [str(error)]}) from None
    if quarter not in overview_quarters(plan, today):
        raise Invalid({"quarter": [_("%(quarter)s不在该方案已开始的季度内。") % {"quarter": quarter.label}]})
    return quarter


def roster_standings(*, user, members, today: dt.date | None = None) -> dict[tuple[int, int], DepartmentStanding]:
    """(plan id, department id) -> the standing of a leading-group member's unit in its plan's overview for
    the last closed quarter; empty for a user who may not read the city's task overview."""
    today = today or timezone.localdate()
    plans = {m.plan_id: m.plan for m in members if m.department_id}
    standings = {}
    for plan in plans.values():  # a city has one plan or two: a fixed number of queries each
        if not can_see_task_overview(user, plan.city_id):
            continue
        overview = department_overview(plan=plan, quarter=overview_quarter(plan, today), today=today)
        for department_id, row in overview.by_department().items():
            standings[plan.pk, department_id] = row
    return standings
