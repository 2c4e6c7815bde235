"""Reads for the quarterly report and the cross-city comparison.

Every number comes from the selectors the pages use — indicators.selectors.plan_progress (the city
dashboard), indicators.selectors.stored_progress (the comparison page), tasks.selectors.task_matrix (the
bureau matrix) — so a report never disagrees with a page. Each read is a fixed number of queries whatever
the number of indicators, figures, tasks or cities.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import can_see_task_overview
from core import progress
from core.periods import Quarter, closed_quarters
from indicators.models import Indicator, QuarterlyFigure
from indicators.readings import ReadingView, pending_readings_by_indicator
from indicators.selectors import (
    PlanProgress,
    catalogue_labels,
    catalogue_labels_counted,
    plan_progress,
    stored_progress,
)
from indicators.services import plan_rule
from plans.models import City, Plan
from plans.selectors import current_plan
from reports.models import ExportJob
from tasks import rules
from tasks.departments import DepartmentOverview, department_overview
from tasks.models import SupervisionItem, SupervisionStep, Task, TaskAssignment, TaskUpdate
from tasks.rules import SUPERVISION_STATUS_LABELS
from tasks.selectors import supervision_items_for_city, task_lead_department, task_matrix

LATE_REPORT_STATUSES = (rules.ReportStatus.MISSING, rules.ReportStatus.LATE)


# --- What a user may export ------------------------------------------------------------------------


def report_plans(*, user) -> QuerySet[Plan]:
    return Plan.objects.visible_to(user).select_related("city").order_by("city__code", "-period_start")


def report_plan(*, user, code: str) -> Plan:
    """A plan the user may see, or 404: a city they may not see is not there for them."""
    return get_object_or_404(report_plans(user=user), code=code)


def comparison_cities(*, user) -> QuerySet[City]:
    """The cities a comparison covers: all the user may see, never synthetic benchmark cities."""
    return City.objects.visible_to(user).filter(is_synthetic=False)


def comparison_quarters(*, plans, today: dt.date) -> list[Quarter]:
    """Closed quarters from the earliest plan start to the latest plan end, newest first."""
    plans = list(plans)
    if not plans:
        return []
    return closed_quarters(min(p.period_start for p in plans), max(p.period_end for p in plans), today=today)


def comparison_keys(*, cities: QuerySet[City]) -> dict[str, str]:
    return catalogue_labels(Indicator.objects.filter(plan__city__in=cities))


def export_jobs(*, user) -> QuerySet[ExportJob]:
    """A user's own export jobs of cities they still see; nobody else's (another user's job answers 404)."""
    if not user.is_authenticated:
        return ExportJob.objects.none()
    return (
        ExportJob.objects.filter(requested_by=user)
        .filter(Q(plan__isnull=True) | Q(plan__city__in=City.objects.visible_to(user)))
        .select_related("plan__city")
    )


def export_job(*, user, pk: int) -> ExportJob:
    return get_object_or_404(export_jobs(user=user), pk=pk)


# --- The quarterly report of one plan ---------------------------------------------------------------


@dataclass(frozen=True)
class FigureCell:
    """An approved figure as the figures sheet shows it (a ratio's rate from its numerator/denominator)."""

    value: float | None
    provisional: bool


@dataclass(frozen=True)
class TaskRow:
    task: Task
    lead: list[str]  # the document's lead departments; the defaulted one (lead_defaulted) when it names none
    responsible: list[str]
    state: str | None  # the state in words, None when nobody reported for the quarter
    latest: TaskUpdate | None  # the update that states it: the lead's consolidated one when there is one
    latest_by: str  # the department that sent it
    late: list[tuple[str, str]]  # (department, 逾期未报 / 逾期报送)
    lead_defaulted: bool = False  # the document names no lead: the department that answers its 督办 is shown


@dataclass(frozen=True)
class SupervisionLine:
    """An open 督办 item as the city dashboard lists it: who must act, on what, at which step, by when."""

    item: SupervisionItem
    department: str
    subject: str
    reason: str
    step: str  # the item's status in words: 待签收, 待说明, 待审核, 已退回 …
    due: dt.date
    overdue: bool
    explanation: str  # the latest 滞后说明 the department gave on it, "" while none
    measures: str


@dataclass
class QuarterlyReport:
    plan: Plan
    quarter: Quarter
    generated_on: dt.date
    summary: PlanProgress
    periods: list[dt.date]
    figures: dict[int, dict[dt.date, FigureCell]]
    tasks: list[TaskRow]
    shows_department_reports: bool
    explanations: dict[int, str]
    supervision: list[SupervisionLine] = field(default_factory=list)  # only for shows_department_reports
    pending_readings: dict[int, list[ReadingView]] = field(default_factory=dict)
    """By indicator id: the readings of the document still 待确认, shown beside the indicator as on its page."""

    def waiting_supervision(self, indicator_id: int) -> SupervisionLine | None:
        """The open 督办 item of a lagging indicator still waiting for its lead department's explanation."""
        return next(
            (line for line in self.supervision if line.item.indicator_id == indicator_id and not line.explanation),
            None,
        )

    departments: DepartmentOverview | None = None  # 部门落实情况, for the roles that see task reports

    @property
    def as_of(self) -> dt.date:
        return self.quarter.end


def quarterly_report(*, plan: Plan, quarter: Quarter, user, today: dt.date | None = None) -> QuarterlyReport:
    """A plan's numbers as of the end of `quarter` (the engine's as-of rule, as the dashboards' selector).

    Task reports, late departments and the lead departments' lag explanations are shown only to the roles
    that see the city's task overview (accounts.access); everybody else gets the tasks and who owns them.
    The caller has checked that the user may see the plan's city.
    """
    today = today or timezone.localdate()
    as_of = quarter.end
    summary = plan_progress(plan, as_of=as_of)
    periods = [end for end in progress.plan_periods(plan_rule(plan), progress.QUARTERLY) if end <= as_of]
    shows_reports = can_see_task_overview(user, plan.city_id)
    return QuarterlyReport(
        plan=plan,
        quarter=quarter,
        generated_on=today,
        summary=summary,
        periods=periods,
        figures=_approved_figures(plan, [r.indicator.pk for r in summary.rows], as_of),
        tasks=_task_rows(plan, quarter, today),
        shows_department_reports=shows_reports,
        explanations=_lag_explanations([r.indicator.pk for r in summary.attention]) if shows_reports else {},
        supervision=_supervision_lines(plan, as_of) if shows_reports else [],
        pending_readings=pending_readings_by_indicator(r.indicator.pk for r in summary.rows),
        departments=department_overview(plan=plan, quarter=quarter, today=today) if shows_reports else None,
    )


def _approved_figures(plan: Plan, indicator_ids: list[int], as_of: dt.date) -> dict[int, dict[dt.date, FigureCell]]:
    """Today's approved version of every period up to as_of (the values the engine counts), one query.

    By indicator id, not through the plan: PostgreSQL then reads the figures' indicator index instead of
    every approved figure of the period (120 ms → 2 ms at national scale).
    """
    rows = (
        QuarterlyFigure.objects.filter(
            indicator_id__in=indicator_ids,
            status=QuarterlyFigure.Status.APPROVED,
            period_end__gte=plan.period_start,
            period_end__lte=min(plan.period_end, as_of),
        )
        .only("indicator_id", "period_end", "value", "numerator", "denominator", "is_provisional")
        .order_by()
    )
    figures = defaultdict(dict)
    for figure in rows:
        rate = figure.rate
        figures[figure.indicator_id][figure.period_end] = FigureCell(
            None if rate is None else float(rate), figure.is_provisional
        )
    return figures


def _task_rows(plan: Plan, quarter: Quarter, today: dt.date) -> list[TaskRow]:
    """Every task with its departments and, from the bureau matrix, the quarter's state and who is late."""
    matrix = task_matrix(plan=plan, quarter=quarter, tasks=plan.tasks.all(), as_of=today)
    rows = []
    for row in matrix.rows:
        assignments = list(row.task.assignments.all())
        lead = [a.department.name for a in assignments if a.role == TaskAssignment.Role.LEAD]
        defaulted = not lead and bool(assignments)
        if defaulted:
            lead = [task_lead_department(row.task).name]
        responsible = [
            a.department.name
            for a in assignments
            if a.role == TaskAssignment.Role.RESPONSIBLE and (defaulted or a.department.name not in lead)
        ]
        assigned = [(d, c) for d, c in zip(matrix.departments, row.cells, strict=True) if c is not None]
        reported = [(d, c) for d, c in assigned if c.latest is not None]
        chosen = max(
            reported,
            key=lambda pair: (pair[1].role == TaskAssignment.Role.LEAD, pair[1].latest.created_at, pair[1].latest.pk),
            default=None,
        )
        if chosen is not None:
            state = chosen[1].latest.get_state_display()
        elif any(c.status == rules.ReportStatus.DONE for _, c in assigned):
            state = str(rules.REPORT_STATUS_LABELS[rules.ReportStatus.DONE])
        else:
            state = None
        rows.append(
            TaskRow(
                task=row.task,
                lead=lead,
                responsible=responsible,
                state=state,
                latest=chosen[1].latest if chosen else None,
                latest_by=chosen[0].name if chosen else "",
                late=[(d.name, str(c.status_label)) for d, c in assigned if c.status in LATE_REPORT_STATUSES],
                lead_defaulted=defaulted,
            )
        )
    return rows


def _lag_explanations(indicator_ids: list[int]) -> dict[int, str]:
    """The latest explanation a lead department gave (督办 reply) for each lagging indicator, one query."""
    steps = (
        SupervisionStep.objects.filter(item__indicator_id__in=indicator_ids, action=rules.SupervisionAction.SUBMIT)
        .exclude(explanation="")
        .order_by("created_at", "pk")
        .values_list("item__indicator_id", "explanation", "measures")
    )
    explanations = {}
    for indicator_id, explanation, measures in steps:
        explanations[indicator_id] = explanation + (f"\n整改措施：{measures}" if measures else "")
    return explanations


def _supervision_lines(plan: Plan, as_of: dt.date) -> list[SupervisionLine]:
    """Open 督办 items of the plan raised by the quarter's end, overdue first, each with the latest explanation
    its department gave — the city dashboard's list (dashboards.selectors._supervision), one query."""
    answers = SupervisionStep.objects.filter(item=OuterRef("pk")).exclude(explanation="").order_by("-created_at", "-pk")
    items = (
        supervision_items_for_city(plan.city_id, as_of)
        .filter(plan=plan, created_at__date__lte=as_of)
        .annotate(
            explanation=Subquery(answers.values("explanation")[:1]), measures=Subquery(answers.values("measures")[:1])
        )
    )
    return [
        SupervisionLine(
            item=item,
            department=item.department.name,
            subject=item.indicator.name if item.indicator_id else f"{item.task.title}（{item.quarter.label}）",
            reason=item.get_reason_display(),
            step=str(SUPERVISION_STATUS_LABELS[item.status]),
            due=item.current_due or item.due_date,
            overdue=item.overdue,
            explanation=item.explanation or "",
            measures=item.measures or "",
        )
        for item in items
    ]


# --- The cross-city comparison ----------------------------------------------------------------------

COMPARISON_CHUNK = 2000
"""Indicators the comparison reads at a time (with their results): its memory is a chunk's, whatever the
number of cities — 3,000 cities compare 90,000 indicators."""


@dataclass(frozen=True)
class ComparisonRow:
    indicator: Indicator
    result: progress.Progress

    @property
    def gap(self) -> float | None:
        """Progress minus expected progress: how far ahead of (or behind) its own calendar a city is."""
        p, e = self.result.progress, self.result.expected
        return None if p is None or e is None else p - e


@dataclass(frozen=True)
class ComparedPlan:
    """A compared plan as the comparison names it (plain values: thousands of them are held at once)."""

    pk: int
    city_id: int
    city_name: str
    period_start: dt.date
    period_end: dt.date


@dataclass
class ComparisonReport:
    quarter: Quarter
    generated_on: dt.date
    labels: dict[str, str]  # catalogue key -> Chinese name, in column order
    plans: list[ComparedPlan]  # by city code
    indicators: QuerySet[Indicator]  # the compared indicators, by catalogue key, then city, then order

    @property
    def as_of(self) -> dt.date:
        return self.quarter.end

    def rows(self) -> Iterator[ComparisonRow]:
        """Every compared indicator with its result (by catalogue key, then city), read a chunk at a time."""
        chunk = []
        for indicator in self.indicators.iterator(chunk_size=COMPARISON_CHUNK):
            chunk.append(indicator)
            if len(chunk) == COMPARISON_CHUNK:
                yield from self._with_results(chunk)
                chunk = []
        yield from self._with_results(chunk)

    def _with_results(self, indicators: list[Indicator]) -> Iterator[ComparisonRow]:
        results = stored_progress(indicators, as_of=self.as_of) if indicators else {}
        return (ComparisonRow(i, results[i.pk]) for i in indicators)


def comparison_report(
    *, cities: QuerySet[City], quarter: Quarter, catalogue_key: str = "", today: dt.date | None = None
) -> ComparisonReport:
    """Like indicators (same catalogue key) of each city's current plan as of the quarter's end, read as the
    comparison dashboard reads them (stored_progress), for every key at once: the plans and names here in a
    fixed number of queries, the rows by ComparisonReport.rows() a chunk at a time."""
    as_of = quarter.end
    plans_by_city = defaultdict(list)
    rows = (
        Plan.objects.filter(city__in=cities)
        .order_by("city__code", "period_start")
        .values_list("pk", "city_id", "city__name", "period_start", "period_end")
    )
    for row in rows:
        plans_by_city[row[1]].append(ComparedPlan(*row))
    plans = [current_plan(city_plans, as_of) for city_plans in plans_by_city.values()]
    indicators = Indicator.objects.filter(plan__in=[p.pk for p in plans]).exclude(catalogue_key="")
    if catalogue_key:
        indicators = indicators.filter(catalogue_key=catalogue_key)
    compared = set(indicators.order_by().values_list("plan_id", flat=True).distinct())
    names = indicators.values_list("catalogue_key", "name").annotate(n=Count("pk")).order_by()
    return ComparisonReport(
        quarter=quarter,
        generated_on=today or timezone.localdate(),
        labels=catalogue_labels_counted(names),
        plans=[p for p in plans if p.pk in compared],
        indicators=indicators.select_related("plan__city", "lead_department", "target_group")
        .prefetch_related("lead_links__department")
        .order_by("catalogue_key", "plan__city__code", "order"),
    )
