"""Reads of quarterly figures for pages and the API, always through the visibility rule in accounts.access.

The entry grid, the review list and the history are built here in a fixed number of queries whatever
the number of indicators, so pages and the API read the same rows the same way.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_enter_figures, can_review_figures, can_see_unapproved, user_role
from accounts.models import Role
from core.numbers import quantity
from core.periods import Quarter, quarters_between
from figures.rules import RowSpec, outlier_hint, plain, year_to_date_rate
from indicators.models import BaseEntry, Indicator, QuarterlyFigure, TargetForm
from plans.models import Plan

Status = QuarterlyFigure.Status
FIGURE_USERS = ("created_by", "updated_by", "submitted_by", "reviewed_by")


def display_name(user) -> str:
    if user is None:
        return _("系统")
    return user.get_full_name() or user.username


# --- Plans, quarters, indicators -----------------------------------------------------------------------


def entry_plan(*, user, code: str) -> Plan:
    """A plan whose unapproved figures the user may see; any other plan answers 404."""
    plan = get_object_or_404(Plan.objects.visible_to(user).select_related("city"), code=code)
    if not can_see_unapproved(user, plan.city_id):
        raise Http404
    return plan


def plan_quarter(*, plan: Plan, text: str, today: dt.date | None = None) -> Quarter:
    """A closed quarter that overlaps the plan period; anything else (bad text, future, outside) is 404."""
    try:
        quarter = Quarter.parse(text)
    except ValueError as error:
        raise Http404 from error
    if quarter not in plan_quarters(plan=plan, today=today):
        raise Http404
    return quarter


def plan_quarters(*, plan: Plan, today: dt.date | None = None) -> list[Quarter]:
    """The quarters of a plan that have closed: the ones figures can be entered for."""
    last = Quarter.last_closed(today or timezone.localdate())
    return [q for q in quarters_between(plan.period_start, plan.period_end) if q <= last]


def quantitative_indicators(plan: Plan) -> QuerySet[Indicator]:
    return plan.indicators.exclude(target_form=TargetForm.QUALITATIVE).order_by("order")


def visible_indicator(*, user, pk: int) -> Indicator:
    return get_object_or_404(
        Indicator.objects.visible_to(user).select_related("plan__city", "lead_department", "target_group"),
        pk=pk,
    )


def visible_figure(*, user, pk: int) -> QuarterlyFigure:
    return get_object_or_404(figure_list(user=user), pk=pk)


def figure_list(*, user) -> QuerySet[QuarterlyFigure]:
    return QuarterlyFigure.objects.select_related("indicator__plan__city", *FIGURE_USERS).visible_to(user)


def row_spec(indicator: Indicator) -> RowSpec:
    return RowSpec(
        measure_type=indicator.measure_type,
        unit=indicator.unit,
        is_ratio=indicator.is_ratio,
        entry_mode=indicator.entry_mode,
        yearly=indicator.frequency == Indicator.Frequency.YEARLY,
    )


def indicator_period_end(indicator: Indicator, quarter: Quarter) -> dt.date | None:
    """The period an indicator reports for in a quarter: yearly statistics only in the fourth quarter."""
    if indicator.frequency == Indicator.Frequency.YEARLY:
        return quarter.end if quarter.number == 4 else None
    return quarter.end


def previous_period_end(indicator: Indicator, period_end: dt.date) -> dt.date:
    if indicator.frequency == Indicator.Frequency.YEARLY:
        return dt.date(period_end.year - 1, 12, 31)
    return Quarter.of(period_end).previous.end


def earlier_period_ends(indicator: Indicator, period_end: dt.date) -> list[dt.date]:
    """This year's earlier periods, whose amounts a year-to-date total includes."""
    if indicator.frequency == Indicator.Frequency.YEARLY:
        return []
    return [q.end for q in Quarter.of(period_end).earlier_in_year]


# --- The figures of a period ----------------------------------------------------------------------------


@dataclass
class PeriodFigures:
    """Every version of one indicator's figure for one period, and which of them stands."""

    versions: list[QuarterlyFigure] = field(default_factory=list)

    @property
    def open(self) -> QuarterlyFigure | None:
        return next((f for f in reversed(self.versions) if f.status in QuarterlyFigure.OPEN_STATUSES), None)

    @property
    def approved(self) -> QuarterlyFigure | None:
        return next((f for f in reversed(self.versions) if f.status == Status.APPROVED), None)

    @property
    def current(self) -> QuarterlyFigure | None:
        """What the page shows in the row: the version being worked on, else the approved one."""
        return self.open or self.approved

    @property
    def reference(self) -> QuarterlyFigure | None:
        """What the next period is judged against: the approved figure, else the one awaiting it."""
        if self.approved is not None:
            return self.approved
        candidate = self.open
        return candidate if candidate is not None and candidate.value is not None else None

    @property
    def next_version(self) -> int:
        return max((f.version for f in self.versions), default=0) + 1


def figures_by_period(indicator_ids, period_ends=None) -> dict[tuple[int, dt.date], PeriodFigures]:
    """All versions for the indicators (and periods, when given), in one query."""
    queryset = QuarterlyFigure.objects.filter(indicator_id__in=list(indicator_ids)).select_related(*FIGURE_USERS)
    if period_ends is not None:
        queryset = queryset.filter(period_end__in=list(period_ends))
    result = defaultdict(PeriodFigures)
    for figure in queryset.order_by("indicator_id", "period_end", "version"):
        result[(figure.indicator_id, figure.period_end)].versions.append(figure)
    return result


def reference_value(figures: dict, indicator_id: int, period_end: dt.date) -> Decimal | None:
    reference = figures[(indicator_id, period_end)].reference if (indicator_id, period_end) in figures else None
    return None if reference is None else reference.value


def earlier_in_year(figures: dict, indicator: Indicator, period_end: dt.date) -> Decimal | None:
    """The sum of this year's earlier period amounts; None when one of those periods has no figure."""
    total = Decimal(0)
    for end in earlier_period_ends(indicator, period_end):
        value = reference_value(figures, indicator.pk, end)
        if value is None:
            return None
        total += value
    return total


def quarter_revision(*, plan: Plan, period_ends) -> str:
    """A token that changes whenever any figure of these periods changes: the optimistic-concurrency check."""
    stats = QuarterlyFigure.objects.filter(indicator__plan=plan, period_end__in=list(period_ends)).aggregate(
        n=Count("pk"), last=Max("updated_at")
    )
    return f"{stats['n']}.{stats['last'].timestamp():.6f}" if stats["last"] else "0"


def last_changed(*, plan: Plan, period_ends) -> QuarterlyFigure | None:
    return (
        QuarterlyFigure.objects.filter(indicator__plan=plan, period_end__in=list(period_ends))
        .select_related("updated_by")
        .order_by("-updated_at")
        .first()
    )


# --- The entry grid -------------------------------------------------------------------------------------


@dataclass
class GridRow:
    """One indicator in the entry grid, with what the page needs to say about it."""

    indicator: Indicator
    period_end: dt.date
    spec: RowSpec
    figures: PeriodFigures
    previous: QuarterlyFigure | None
    earlier_in_year: Decimal | None
    year_rate: Decimal | None
    lock_reason: str = ""
    can_correct: bool = False
    form: object = None

    @property
    def current(self) -> QuarterlyFigure | None:
        return self.figures.current

    @property
    def derived(self) -> str:
        """The other form of a flow or annual amount, or the year's pooled rate of a ratio indicator."""
        current = self.current
        if current is None or current.value is None:
            return ""
        if self.spec.is_ratio:
            return _("本年累计比率 %(rate)s%%") % {"rate": plain(self.year_rate)} if self.year_rate is not None else ""
        if not self.spec.accumulates or self.spec.yearly:
            return ""
        if self.spec.takes_year_to_date:
            return _("当期数 %(value)s") % {"value": plain(current.value)}
        if self.earlier_in_year is None:
            return _("%(span)s：此前季度缺数") % {"span": self.year_to_date_label}
        return _("%(span)s %(value)s") % {
            "span": self.year_to_date_label,
            "value": plain(self.earlier_in_year + current.value),
        }

    @property
    def year_to_date_label(self) -> str:
        """The months a year-to-date total covers, as statistics bureaus write it: 1–9月累计."""
        return _("1–%(month)s月累计") % {"month": self.period_end.month}

    @property
    def previous_text(self) -> str:
        """The previous value as entered; a ratio's rate (a quotient, not an entry) to two decimals."""
        if self.previous is None or self.previous.value is None:
            return ""
        if self.spec.is_ratio:
            return quantity(float(self.previous.value))
        return plain(self.previous.value)


@dataclass
class Grid:
    plan: Plan
    quarter: Quarter
    rows: list[GridRow]
    revision: str
    can_enter: bool
    can_review: bool
    deadline: dt.date
    counts: dict[str, int]

    @property
    def is_past_deadline(self) -> bool:
        return timezone.localdate() > self.deadline

    @property
    def is_fully_approved(self) -> bool:
        """Every row of the quarter approved: nothing left to enter, so the grid is read-only and says so."""
        return bool(self.rows) and all(
            row.current is not None and row.current.status == QuarterlyFigure.Status.APPROVED for row in self.rows
        )

    @property
    def period_ends(self) -> set[dt.date]:
        return {row.period_end for row in self.rows}


def grid_period_ends(quarter: Quarter) -> set[dt.date]:
    """Every period the grid reads: this one, the previous quarter and year, and the year's earlier quarters."""
    return {
        quarter.end,
        quarter.previous.end,
        dt.date(quarter.year - 1, 12, 31),
        *(q.end for q in quarter.earlier_in_year),
    }


def figure_grid(*, user, plan: Plan, quarter: Quarter) -> Grid:
    """The entry grid of a plan and quarter: three queries whatever the number of indicators."""
    indicators = [i for i in quantitative_indicators(plan) if indicator_period_end(i, quarter)]
    figures = figures_by_period([i.pk for i in indicators], grid_period_ends(quarter))
    may_enter = can_enter_figures(user, plan.city_id)
    rows, counts = [], defaultdict(int)
    for indicator in indicators:
        period_end = indicator_period_end(indicator, quarter)
        period = figures.get((indicator.pk, period_end), PeriodFigures())
        previous_key = (indicator.pk, previous_period_end(indicator, period_end))
        row = GridRow(
            indicator=indicator,
            period_end=period_end,
            spec=row_spec(indicator),
            figures=period,
            previous=figures[previous_key].reference if previous_key in figures else None,
            earlier_in_year=earlier_in_year(figures, indicator, period_end),
            year_rate=_year_rate(figures, indicator, period_end) if indicator.is_ratio else None,
        )
        row.lock_reason, row.can_correct = _lock(plan, period, may_enter)
        if period.current is not None:
            counts[period.current.status] += 1
        rows.append(row)
    return Grid(
        plan=plan,
        quarter=quarter,
        rows=rows,
        revision=quarter_revision(plan=plan, period_ends={r.period_end for r in rows} or {quarter.end}),
        can_enter=may_enter and not plan.is_archived,
        can_review=can_review_figures(user, plan.city_id),
        deadline=quarter.reporting_deadline(plan.reporting_lag_days),
        counts=dict(counts),
    )


def _year_rate(figures: dict, indicator: Indicator, period_end: dt.date) -> Decimal | None:
    pairs = []
    for end in [*earlier_period_ends(indicator, period_end), period_end]:
        period = figures.get((indicator.pk, end))
        figure = period.current if period else None
        if figure is not None and figure.numerator is not None and figure.denominator:
            pairs.append((figure.numerator, figure.denominator))
    return year_to_date_rate(pairs)


def lock_reason(plan: Plan, period: PeriodFigures) -> str:
    """Why a period's figure cannot be edited in place; empty when it can."""
    if plan.is_archived:
        return _("方案已归档，数据不可修改。")
    open_figure, approved = period.open, period.approved
    if open_figure is not None and open_figure.status == Status.SUBMITTED:
        return _("已提交，等待审核。")
    if open_figure is None and approved is not None:
        when = timezone.localtime(approved.reviewed_at).strftime("%Y-%m-%d") if approved.reviewed_at else ""
        return _("已审核通过（%(who)s %(when)s），已锁定；如需修改请提交更正。") % {
            "who": display_name(approved.reviewed_by),
            "when": when,
        }
    return ""


def _lock(plan: Plan, period: PeriodFigures, may_enter: bool) -> tuple[str, bool]:
    """The lock reason, and whether the row can be corrected instead (approved, plan not archived)."""
    reason = lock_reason(plan, period)
    return reason, bool(reason) and may_enter and not plan.is_archived and period.open is None


# --- Review ---------------------------------------------------------------------------------------------


@dataclass
class ReviewRow:
    """A submitted figure with what a reviewer needs to judge it: the approved figure it would replace, the
    previous period's, the change, the end target and a plausibility hint."""

    figure: QuarterlyFigure
    previous_approved: QuarterlyFigure | None
    previous_period: QuarterlyFigure | None = None
    outlier: str = ""
    own: bool = False
    errors: list[str] = field(default_factory=list)

    @property
    def is_correction(self) -> bool:
        return self.previous_approved is not None

    @property
    def change(self) -> Decimal | None:
        if self.previous_period is None or self.previous_period.value is None or self.figure.value is None:
            return None
        return self.figure.value - self.previous_period.value


def review_rows(*, user, plan: Plan, quarter: Quarter) -> list[ReviewRow]:
    """The submitted figures of a quarter, each with the approved figure it would replace."""
    indicators = [i for i in quantitative_indicators(plan) if indicator_period_end(i, quarter)]
    ends = {i.pk: indicator_period_end(i, quarter) for i in indicators}
    figures = figures_by_period([i.pk for i in indicators], set(ends.values()))
    by_pk = {i.pk: i for i in indicators}
    history = defaultdict(list)
    approved = QuarterlyFigure.objects.filter(indicator_id__in=list(by_pk), status=Status.APPROVED, value__isnull=False)
    for indicator_id, period_end, value in approved.order_by("period_end").values_list(
        "indicator_id", "period_end", "value"
    ):
        if period_end < ends[indicator_id]:
            history[indicator_id].append((period_end, value))
    rows = []
    for (indicator_id, period_end), period in sorted(figures.items(), key=lambda kv: by_pk[kv[0][0]].order):
        submitted = period.open
        if period_end != ends[indicator_id] or submitted is None or submitted.status != Status.SUBMITTED:
            continue
        submitted.indicator = by_pk[indicator_id]
        earlier = history[indicator_id]
        previous_end = previous_period_end(by_pk[indicator_id], period_end)
        previous = next((QuarterlyFigure(value=v, period_end=d) for d, v in earlier if d == previous_end), None)
        rows.append(
            ReviewRow(
                figure=submitted,
                previous_approved=period.approved,
                previous_period=previous,
                outlier=outlier_hint(submitted.value, [v for _d, v in earlier]),
                own=submitted.submitted_by_id == user.pk,
            )
        )
    return rows


def decided_since(*, plan: Plan, pks: set[int]) -> list[QuarterlyFigure]:
    """Figures a reviewer's page showed that are no longer awaiting review: someone acted first."""
    return list(QuarterlyFigure.objects.filter(pk__in=pks, indicator__plan=plan).select_related("updated_by"))


# --- The figures index ----------------------------------------------------------------------------------


@dataclass
class QuarterSummary:
    quarter: Quarter
    counts: dict[str, int]
    deadline: dt.date
    reviews: bool = False
    """The user reviews this plan's figures: a quarter with figures waiting opens on the review page."""

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def opens_review(self) -> bool:
        return self.reviews and self.counts.get(Status.SUBMITTED, 0) > 0


def figure_index(*, user) -> list[tuple[Plan, list[QuarterSummary]]]:
    """Plans whose figures the user enters or reviews, with each closed quarter's figures by status."""
    plans = [p for p in Plan.objects.visible_to(user).select_related("city") if can_see_unapproved(user, p.city_id)]
    counts = defaultdict(lambda: defaultdict(int))
    rows = (
        QuarterlyFigure.objects.filter(indicator__plan__in=plans)
        .exclude(status=Status.SUPERSEDED)
        .values_list("indicator__plan_id", "period_end", "status")
        .annotate(n=Count("pk"))
    )
    for plan_id, period_end, status, n in rows:
        counts[(plan_id, period_end)][status] += n
    result = []
    for plan in plans:
        quarters = list(reversed(plan_quarters(plan=plan)))
        reviews = can_review_figures(user, plan.city_id)
        result.append(
            (
                plan,
                [
                    QuarterSummary(
                        q, dict(counts[(plan.pk, q.end)]), q.reporting_deadline(plan.reporting_lag_days), reviews
                    )
                    for q in quarters
                ],
            )
        )
    return result


# --- History --------------------------------------------------------------------------------------------

HISTORY_FIELDS = (
    "status",
    "value",
    "entered_value",
    "numerator",
    "denominator",
    "is_provisional",
    "source",
    "comment",
    "correction_reason",
    "return_reason",
    "is_late",
)


@dataclass
class Change:
    field: str
    label: str
    old: object
    new: object


@dataclass
class HistoryEntry:
    """One recorded change of a figure: who, when, what changed from what to what, and why."""

    figure_id: int
    period_end: dt.date
    version: int
    when: dt.datetime
    who: str
    kind: str
    reason: str
    changes: list[Change]


def _display(record, name: str):
    value = getattr(record, name)
    if name == "status":
        return Status(value).label if value else ""
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return value if value not in (None, "") else "—"


def figure_history(*, user, indicator: Indicator) -> list[HistoryEntry]:
    """Every recorded change of the indicator's figures the user may see, newest first, in one query.

    Readers who may not see unapproved figures see only the approved and superseded states.
    """
    records = (
        QuarterlyFigure.history.filter(indicator_id=indicator.pk)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    if not can_see_unapproved(user, indicator.plan.city_id):
        records = records.filter(status__in=(Status.APPROVED, Status.SUPERSEDED))
    labels = {name: QuarterlyFigure._meta.get_field(name).verbose_name for name in HISTORY_FIELDS}
    entries, previous = [], {}
    for record in records:
        before = previous.get(record.id)
        changes = [
            Change(name, labels[name], _display(before, name) if before else "—", _display(record, name))
            for name in HISTORY_FIELDS
            if before is None
            and getattr(record, name) not in (None, "", False)
            or before is not None
            and getattr(before, name) != getattr(record, name)
        ]
        previous[record.id] = record
        entries.append(
            HistoryEntry(
                figure_id=record.id,
                period_end=record.period_end,
                version=record.version,
                when=record.history_date,
                who=display_name(record.history_user),
                kind=record.get_history_type_display(),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    entries.sort(key=lambda e: e.when, reverse=True)
    return entries


DEFINITION_FIELDS = (
    "measure_type",
    "target_form",
    "target_value",
    "target_date",
    "base_value",
    "base_year",
    "base_source",
    "entry_mode",
    "is_ratio",
    "unit",
    "frequency",
    "direction",
)


def indicator_definition_history(*, indicator: Indicator) -> list[HistoryEntry]:
    """Recorded changes of the indicator's definition (target, base …) with their reasons, newest first."""
    labels = {name: Indicator._meta.get_field(name).verbose_name for name in DEFINITION_FIELDS}
    records = indicator.history.select_related("history_user").order_by("history_date", "history_id")
    entries, before = [], None
    for record in records:
        if before is not None:
            changes = [
                Change(n, labels[n], _display_definition(before, n), _display_definition(record, n))
                for n in DEFINITION_FIELDS
                if getattr(before, n) != getattr(record, n)
            ]
            if changes:
                entries.append(
                    HistoryEntry(
                        figure_id=0,
                        period_end=None,
                        version=0,
                        when=record.history_date,
                        who=display_name(record.history_user),
                        kind=record.get_history_type_display(),
                        reason=record.history_change_reason or "",
                        changes=changes,
                    )
                )
        before = record
    entries.reverse()
    return entries


def _display_definition(record, name: str):
    value = getattr(record, name)
    display = getattr(record, f"get_{name}_display", None)
    if display is not None and value:
        return display()
    return _display(record, name)


def indicator_figures(*, user, indicator: Indicator) -> list[QuarterlyFigure]:
    """The indicator's figures the user may see, every version, oldest period first."""
    return list(indicator.figures.select_related(*FIGURE_USERS).visible_to(user).order_by("period_end", "version"))


def pending_review_count(*, user) -> int:
    """Figures awaiting this reviewer's decision (their own submissions excluded)."""
    submitted = QuarterlyFigure.objects.filter(status=Status.SUBMITTED).exclude(submitted_by=user)
    if user_role(user) == Role.ADMIN:
        return submitted.count()
    city_id = user.profile.city_id
    if not can_review_figures(user, city_id):
        return 0
    return submitted.filter(indicator__plan__city_id=city_id).count()


def figures_not_submitted(*, plan: Plan, quarter: Quarter) -> QuerySet[Indicator]:
    """Quantitative indicators due for the quarter with no figure submitted (a draft or a returned one is
    not submitted); yearly indicators fall due with the fourth quarter."""
    due = plan.indicators.exclude(target_form=TargetForm.QUALITATIVE)
    if quarter.number != 4:
        due = due.filter(frequency=Indicator.Frequency.QUARTERLY)
    submitted = QuarterlyFigure.objects.filter(
        indicator__plan=plan,
        period_end=quarter.end,
        status__in=[
            QuarterlyFigure.Status.SUBMITTED,
            QuarterlyFigure.Status.APPROVED,
            QuarterlyFigure.Status.SUPERSEDED,
        ],
    ).values("indicator_id")
    return due.exclude(pk__in=submitted)


def pending_base_entries(*, plan: Plan) -> list[BaseEntry]:
    """Bases entered for the plan's indicators that wait for a reviewer (they do not count yet)."""
    return list(
        BaseEntry.objects.filter(indicator__plan=plan, state=BaseEntry.State.PENDING)
        .select_related("indicator", "entered_by")
        .order_by("indicator__order", "pk")
    )


def latest_base_entry(*, indicator: Indicator) -> BaseEntry | None:
    """The indicator's last entered base, pending or decided, for its page (a returned one says why)."""
    return indicator.base_entries.select_related("entered_by", "reviewed_by").first()
