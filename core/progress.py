"""The progress engine: how far an indicator is, how far it should be by now, and whether it lags.

Pure functions and frozen dataclasses only (no Django, no I/O), so every status a leader reads can be
reproduced from a table row in tests/core/test_progress.py. indicators.services feeds it approved
figures and stores what it returns.

Reading order: `evaluate()` applies issue 3's status order; the sections above it compute the numbers it
judges (current value, base, end target, τ, p, e) and the forward-looking pace.
"""

import bisect
import datetime as dt
import functools
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from core.i18n import _, translated
from core.numbers import quantity as _fmt
from core.numbers import share as _pct
from core.numbers import unit_words
from core.periods import QUARTERLY, period_ends, reporting_deadline
from core.reasons import render as render_reason
from core.status import Status

# ─── Vocabulary (kept in sync with indicators.models.MeasureType / TargetForm) ─────────────────────────

STOCK, FLOW, ANNUAL, RATE = "stock", "flow", "annual", "rate"
MEASURE_TYPES = (STOCK, FLOW, ANNUAL, RATE)

ABSOLUTE = "absolute"
GROWTH_SINCE_BASE = "growth_since_base"
COMPOUND_GROWTH = "compound_growth"
THRESHOLD = "threshold"
PER_YEAR_INCREMENT = "per_year_increment"
MILESTONE = "milestone"
QUALITATIVE = "qualitative"
TARGET_FORMS = (ABSOLUTE, GROWTH_SINCE_BASE, COMPOUND_GROWTH, THRESHOLD, PER_YEAR_INCREMENT, MILESTONE, QUALITATIVE)
GROWTH_FORMS = (GROWTH_SINCE_BASE, COMPOUND_GROWTH)

HIGHER, LOWER = "higher", "lower"

MILESTONE_AT_RISK_SHARE = 2 / 3


# ─── Inputs and result ──────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class PlanRule:
    """The plan settings every indicator of the plan is judged by (bands in percentage points)."""

    period_start: dt.date
    period_end: dt.date
    reporting_lag_days: int = 15
    at_risk_band: float = 5.0
    lagging_band: float = 15.0


@dataclass(frozen=True)
class InterimTarget:
    """A value the document sets for an earlier date; for flows it is the total since the plan start."""

    date: dt.date
    value: float


@dataclass(frozen=True)
class IndicatorRule:
    """An indicator as the engine sees it.

    target_value is the percentage for growth forms (8 = 8 %) and N for a per-year increment.
    """

    plan: PlanRule
    measure_type: str
    target_form: str
    target_value: float | None
    target_date: dt.date | None = None
    base_value: float | None = None
    base_year: int | None = None
    direction: str = HIGHER
    frequency: str = QUARTERLY
    interim_targets: tuple[InterimTarget, ...] = ()
    unit: str = ""
    reporting_lag_days: int | None = None  # the indicator's own lag (a yearly statistic published next spring)

    @functools.cached_property
    def calendar(self) -> "_Calendar":
        """Its periods, their deadlines and its final day. Kept with the rule: a recompute reads it several times
        for each date it judges, and finding the plan's in _plan_calendar's cache means hashing the plan."""
        return _plan_calendar(self.plan, self.frequency, lag_days(self))


class Figure(NamedTuple):
    """One approved figure of a period; for flows and annual amounts the amount of that period alone.

    A named tuple rather than a dataclass: a recompute holds a hundred thousand of them, and a tuple of
    plain values is quicker to build and is left alone by the garbage collector's full passes.
    """

    period_end: dt.date
    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    approved_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """A status with the numbers behind it, so a page can say in one sentence why an indicator lags."""

    status: str
    rule: str
    reason_data: dict  # core.reasons: {"code", "args", "notes"}, rendered in the reader's language
    current: float | None = None
    base: float | None = None
    base_from_first_report: bool = False
    end_target: float | None = None
    data_date: dt.date | None = None
    time_elapsed: float | None = None
    progress: float | None = None
    expected: float | None = None
    year_to_date: float | None = None
    needed_per_quarter: float | None = None
    recent_pace_per_quarter: float | None = None
    projected_end: float | None = None
    projection_reached: bool | None = None
    shortfall: float | None = None
    basis: str = ""  # which value is judged (BASES): the pooled last four quarters, the year's figure, …
    period_value: float | None = None  # the data date's own period value (a rate's quarter), beside the judged one
    stored_reason: str = ""  # the text stored before reasons were data (read only when reason_data is empty)

    @property
    def label(self) -> str:
        return Status(self.status).label

    @property
    def reason(self) -> str:
        """Why, in the reader's language (rendered now, never stored in one language only)."""
        return self.reason_in(translated)

    def reason_in(self, words: Callable[[str], str]) -> str:
        """Why, with words translating the labels (core.reasons.render)."""
        return render_reason(self.reason_data, words) if self.reason_data else self.stored_reason


# ─── Calendar ───────────────────────────────────────────────────────────────────────────────────────────


def _months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months; period ends are month ends, so days never matter."""
    return (end.year - start.year) * 12 + end.month - start.month


def plan_periods(plan: PlanRule, frequency: str = QUARTERLY) -> tuple[dt.date, ...]:
    return period_ends(plan.period_start, plan.period_end, frequency)


def plan_years(plan: PlanRule) -> float:
    """Months of the period / 12, so 2022-07 to 2025-06 is 3 years (the documents count whole months)."""
    months = _months_between(plan.period_start, plan.period_end) + 1
    return months / 12


def lag_days(rule: IndicatorRule) -> int:
    """Days after a period's end its figure is due: the indicator's own lag, else the plan's."""
    return rule.plan.reporting_lag_days if rule.reporting_lag_days is None else rule.reporting_lag_days


def deadline_of(rule: IndicatorRule, period_end: dt.date) -> dt.date:
    return reporting_deadline(period_end, lag_days(rule))


class _Calendar(NamedTuple):
    periods: tuple[dt.date, ...]
    deadlines: tuple[dt.date, ...]  # each period's reporting deadline, rising with the periods
    final_day: dt.date


@functools.lru_cache(maxsize=1024)
def _plan_calendar(plan: PlanRule, frequency: str, lag: int) -> _Calendar:
    """A plan's periods, their deadlines and its final day for one frequency and reporting lag. Cached: a
    recompute asks for the same few plans' calendars for every indicator."""
    periods = plan_periods(plan, frequency)
    deadlines = tuple(reporting_deadline(p, lag) for p in periods)
    last_deadline = deadlines[-1] if periods else reporting_deadline(plan.period_end, lag)
    return _Calendar(periods, deadlines, max(last_deadline, plan.period_end) + dt.timedelta(days=1))


def _latest_due(rule: IndicatorRule, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """(period end, reporting deadline) of the latest period past due on as_of (its deadline before as_of)."""
    calendar = rule.calendar
    due = bisect.bisect_left(calendar.deadlines, as_of)  # how many deadlines lie before as_of
    return (calendar.periods[due - 1], calendar.deadlines[due - 1]) if due else None


def final_day(rule: IndicatorRule) -> dt.date:
    """The first day the verdict is final: the plan has ended and its last period's figure is past due."""
    return rule.calendar.final_day


def plan_is_over(rule: IndicatorRule, as_of: dt.date) -> bool:
    """Over once the plan has ended and the last period's figure is past due: the verdict is then final."""
    return as_of >= final_day(rule)


def overdue_since(rule: IndicatorRule, as_of: dt.date) -> dt.date | None:
    """The reporting deadline of the latest period past due on as_of: when an overdue report became overdue."""
    latest = _latest_due(rule, as_of)
    return latest[1] if latest else None


def next_deadline(rule: IndicatorRule, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    """(period end, reporting deadline) of the first period whose figure is not yet past due on as_of."""
    calendar = rule.calendar
    first = bisect.bisect_left(calendar.deadlines, as_of)  # the first deadline on or after as_of
    return (calendar.periods[first], calendar.deadlines[first]) if first < len(calendar.periods) else None


def status_since(history: Iterable[tuple[dt.date, str]], status: str) -> dt.date | None:
    """The first quarter end of the unbroken run of `status` at the end of a (quarter end, status) history
    in time order; None when the latest entry has another status (the status is newer than the history)."""
    since = None
    for quarter_end, held in history:
        if held != status:
            since = None
        elif since is None:
            since = quarter_end
    return since


def time_share(start: dt.date, end: dt.date, at: dt.date) -> float:
    """Share of [start, end] passed at `at`, clipped to [0, 1]; an empty span counts as fully passed."""
    span = (end - start).days
    if span <= 0:
        return 1.0
    return _clip((at - start).days / span)


def _due_date(rule: IndicatorRule, path_start: dt.date) -> dt.date:
    """When the end target is due: its own target date when the document sets one inside the plan."""
    target_date = rule.target_date
    if target_date is not None and path_start < target_date < rule.plan.period_end:
        return target_date
    return rule.plan.period_end


# ─── Comparisons ────────────────────────────────────────────────────────────────────────────────────────


def _clip(value: float) -> float:
    return min(1.0, max(0.0, value))


def _meets(rule: IndicatorRule, value: float, target: float, strict: bool = False) -> bool:
    """Whether a value is at or past a target, in the indicator's direction (strict: past it)."""
    if rule.direction == LOWER:
        return value < target if strict else value <= target
    return value > target if strict else value >= target


def is_total(measure_type: str, target_form: str) -> bool:
    """Totals are measured from zero (p = current / end target); levels from their base. Charts use it too."""
    return measure_type == FLOW or target_form == MILESTONE


def _is_total(rule: IndicatorRule) -> bool:
    return is_total(rule.measure_type, rule.target_form)


def _strict_growth(rule: IndicatorRule, base: float | None) -> bool:
    """A growth target on a base of 0 has an end target of 0; only a value above 0 shows any growth. A
    reduction from 0 cannot be asked for, so a lower-is-better target on a base of 0 is a line not to cross."""
    return rule.target_form in GROWTH_FORMS and base == 0 and rule.direction != LOWER


def _is_cap(rule: IndicatorRule) -> bool:
    """A lower-is-better flow is a cap on the whole period: using it up too fast is the warning (a
    threshold on such a flow is a line to hold like any other)."""
    return rule.measure_type == FLOW and rule.direction == LOWER and rule.target_form != THRESHOLD


def _may_fall_back(rule: IndicatorRule) -> bool:
    """A threshold, a rate and an annual amount are re-measured every year, so a met value can fall back."""
    return rule.target_form == THRESHOLD or rule.measure_type in (RATE, ANNUAL)


def _may_achieve_early(rule: IndicatorRule) -> bool:
    """Only stocks, flows and milestones are met for good once met; the others are final when the plan is."""
    return not (_may_fall_back(rule) or _is_cap(rule))


def _right_way(rule: IndicatorRule, origin: float, end: float, strict: bool) -> bool:
    """Whether the end target lies beyond the origin in the indicator's direction: only then is there a
    way to go whose share can be measured (a base already past its target is a line to hold)."""
    if _is_cap(rule):
        return end > origin
    return not strict and _meets(rule, end, origin, strict=True)


# ─── Figures: which count, and the level they describe ──────────────────────────────────────────────────


def _approval_key(figure: Figure) -> float:
    # timestamp() so that naive and aware datetimes never meet in a comparison (that would raise)
    return -math.inf if figure.approved_at is None else figure.approved_at.timestamp()


def _counted(rule: IndicatorRule, figures: Iterable[Figure], as_of: dt.date) -> dict[dt.date, Figure]:
    """The figures of periods inside the plan and closed by as_of; a later approval is a correction."""
    first, last = rule.plan.period_start, min(rule.plan.period_end, as_of)
    chosen: dict[dt.date, Figure] = {}
    for figure in figures:
        period_end = figure.period_end
        if not first <= period_end <= last:
            continue
        held = chosen.get(period_end)
        if held is None or _approval_key(figure) >= _approval_key(held):
            chosen[period_end] = figure
    return dict(sorted(chosen.items()))


def _percentage(figure: Figure) -> float | None:
    """A rate is derived from its numerator and denominator when they were entered (as the model does)."""
    if figure.numerator is not None and figure.denominator:
        return figure.numerator / figure.denominator * 100
    return figure.value


def _pooled_rate(figures: list[Figure]) -> float | None:
    """The rate of several periods from summed numerators and denominators, never averaged percentages;
    the latest percentage when the periods were not all entered as numerator and denominator."""
    if all(f.numerator is not None and f.denominator is not None for f in figures):
        denominator = sum(f.denominator for f in figures)
        if denominator:
            return sum(f.numerator for f in figures) / denominator * 100
    return _percentage(figures[-1])


def _calendar_year_periods(year: int, frequency: str) -> tuple[dt.date, ...]:
    return period_ends(dt.date(year, 1, 1), dt.date(year, 12, 31), frequency)


def _complete_years(rule: IndicatorRule, counted: dict[dt.date, Figure]) -> list[tuple[dt.date, float]]:
    """Annual totals of the calendar years whose every period lies in the plan and has a figure."""
    plan = rule.plan
    totals = []
    for year in sorted({end.year for end in counted}):
        periods = _calendar_year_periods(year, rule.frequency)
        in_plan = plan.period_start <= periods[0] and periods[-1] <= plan.period_end
        if in_plan and all(p in counted and counted[p].value is not None for p in periods):
            total = sum(f.value for end, f in counted.items() if end.year == year and f.value is not None)
            totals.append((dt.date(year, 12, 31), total))
    return totals


# Which value is judged, said on the page beside the period's own value (dashboards label them).
BASIS_LATEST = "latest"  # a stock: its latest figure
BASIS_CUMULATIVE = "cumulative"  # a flow: the running total since the plan start
BASIS_YEAR = "year"  # an annual amount's complete year, or a rate reported once a year: that year's figure
BASIS_FOUR_QUARTERS = "four_quarters"  # a ratio of counts: pooled over the last four quarters in the plan
BASIS_QUARTER = "quarter"  # a rate entered only as a percentage: the latest quarter's own figure
BASES = (BASIS_LATEST, BASIS_CUMULATIVE, BASIS_YEAR, BASIS_FOUR_QUARTERS, BASIS_QUARTER)
BASIS_LABELS = {
    BASIS_LATEST: _("最新值"),
    BASIS_CUMULATIVE: _("实施期累计"),
    BASIS_YEAR: _("年度"),
    BASIS_FOUR_QUARTERS: _("近四季度"),
    BASIS_QUARTER: _("本季度"),
}


def basis_label(basis: str) -> str:
    """本季度 / 近四季度 / 年度 …: the label of the judged value on every page and in the report."""
    return translated(BASIS_LABELS[basis]) if basis in BASIS_LABELS else ""


def period_value_label(basis: str, frequency: str) -> str | None:
    """The label of the period's own value shown beside the judged one; None where they are the same."""
    if basis == BASIS_FOUR_QUARTERS:
        return translated(_("本季度"))
    if basis == BASIS_CUMULATIVE:
        return translated(_("本季度新增")) if frequency == QUARTERLY else translated(_("本年度新增"))
    return None


def _rate_window(counted: dict[dt.date, Figure], end: dt.date) -> list[Figure]:
    """The figures of the four quarters (twelve months) ending at `end` that are counted: a yearly
    statistic's window holds that year's figure alone."""
    return [f for e, f in counted.items() if e <= end and _months_between(e, end) < 12]


def _is_ratio(figure: Figure) -> bool:
    return figure.numerator is not None and figure.denominator is not None


def rate_basis(rule: IndicatorRule, window: list[Figure]) -> str:
    """Which value a rate is judged on: a yearly share on its year's figure; a ratio of counts on the rate
    pooled over the last four quarters (so the first quarter of a year, a few cases, is no false alarm);
    a rate entered only as a percentage (or partly so) on its latest figure."""
    if rule.frequency != QUARTERLY:
        return BASIS_YEAR
    return BASIS_FOUR_QUARTERS if window and all(_is_ratio(f) for f in window) else BASIS_QUARTER


def judged_basis(rule: IndicatorRule, counted: dict[dt.date, Figure], data_date: dt.date | None) -> str:
    """The basis of the current value at data_date ("" when there is none)."""
    if data_date is None:
        return ""
    if rule.measure_type == RATE:
        return rate_basis(rule, _rate_window(counted, data_date))
    return {FLOW: BASIS_CUMULATIVE, ANNUAL: BASIS_YEAR}.get(rule.measure_type, BASIS_LATEST)


def _period_value(rule: IndicatorRule, counted: dict[dt.date, Figure], data_date: dt.date | None) -> float | None:
    """The data date's own period value where it differs in meaning from the judged one: a rate's quarter,
    a flow's amount of that quarter."""
    if data_date is None or data_date not in counted:
        return None
    figure = counted[data_date]
    if rule.measure_type == RATE:
        return _percentage(figure)
    if rule.measure_type == FLOW:
        return figure.value
    return None


def _level_series(rule: IndicatorRule, counted: dict[dt.date, Figure]) -> list[tuple[dt.date, float]]:
    """(date, level) points in time order; the last one is the current value at the data date.

    stock: each figure; flow: the running total since the plan start; annual: complete-year totals;
    rate: the rate judged at each period end (rate_basis).
    """
    if rule.measure_type == ANNUAL:
        return _complete_years(rule, counted)
    series = []
    if rule.measure_type == FLOW:
        total = 0.0
        for end, figure in counted.items():
            if figure.value is not None:
                total += figure.value
                series.append((end, total))
    elif rule.measure_type == RATE:
        for end in counted:
            rate = _pooled_rate(_rate_window(counted, end))  # the window ends with this period's figure
            if rate is not None:
                series.append((end, rate))
    else:
        series = [(end, figure.value) for end, figure in counted.items() if figure.value is not None]
    return series


def _year_to_date(rule: IndicatorRule, counted: dict[dt.date, Figure]) -> float | None:
    """The running total of an annual amount's current, incomplete year: shown, never judged."""
    if rule.measure_type != ANNUAL:
        return None
    valued = [end for end, figure in counted.items() if figure.value is not None]
    if not valued:
        return None
    year = valued[-1].year
    if any(end.year == year for end, _ in _complete_years(rule, counted)):
        return None
    return sum(counted[end].value for end in valued if end.year == year)


# ─── Base, end target, expected path ────────────────────────────────────────────────────────────────────


def _base(rule: IndicatorRule, series: list[tuple[dt.date, float]]) -> tuple[float | None, dt.date, bool]:
    """(base, start of the time path, taken from the first report?).

    A level with no documented base (absolute or per-year-increment target) starts from its first
    report, and its clock from that report's period end: a city that starts reporting mid-plan is then
    not behind by construction. Growth forms never get here without a base (they are `incomplete`).
    """
    start = rule.plan.period_start
    if rule.base_value is not None or _is_total(rule) or rule.target_form == THRESHOLD or not series:
        return rule.base_value, start, False
    first_date, first_value = series[0]
    return first_value, first_date, True


def end_target(rule: IndicatorRule, base: float | None) -> float | None:
    """The value to reach by the end of the plan; None when the form needs a base that is unknown."""
    target, form = rule.target_value, rule.target_form
    if target is None or form == QUALITATIVE:
        return None
    if form == GROWTH_SINCE_BASE:
        return None if base is None else base * (1 + target / 100)
    if form == COMPOUND_GROWTH:
        if base is None or rule.base_year is None or target <= -100:
            return None
        return base * (1 + target / 100) ** (rule.plan.period_end.year - rule.base_year)
    if form == PER_YEAR_INCREMENT:
        increment = target * plan_years(rule.plan)
        if rule.measure_type == FLOW:
            return increment
        return None if base is None else base + increment  # 年均新增 on a level adds to its base
    return target


def _path_value(points: list[tuple[dt.date, float]], at: dt.date) -> float:
    """Linear interpolation through (date, value) points, flat before the first and after the last."""
    if at >= points[-1][0]:
        return points[-1][1]
    if at <= points[0][0]:
        return points[0][1]
    (d0, v0), (d1, v1) = next(pair for pair in zip(points, points[1:], strict=False) if at <= pair[1][0])
    return v0 + (v1 - v0) * (at - d0).days / (d1 - d0).days


def expected_progress(rule: IndicatorRule, *, origin: float, end: float, path_start: dt.date, at: dt.date) -> float:
    """Where progress should be at `at` (时间过半、任务过半), as a share of the way from origin to end.

    Linear in time to the due date, or piecewise linear through the document's interim targets (its own
    numbers take precedence over any formula). A compound-growth level without interim targets follows
    the compound curve from 31 December of its base year instead, because 8 % a year is not a straight line.
    """
    due = _due_date(rule, path_start)
    if end == origin:
        return time_share(path_start, due, at)
    compound = (
        rule.target_form == COMPOUND_GROWTH
        and rule.measure_type in (STOCK, ANNUAL)
        and rule.base_year is not None
        and not rule.interim_targets
    )
    if compound:
        years = max(0.0, (at - dt.date(rule.base_year, 12, 31)).days / 365.25)
        value = origin * (1 + rule.target_value / 100) ** years
    else:
        interim = sorted((t.date, t.value) for t in rule.interim_targets if path_start < t.date < due)
        value = _path_value([(path_start, origin), *interim, (due, end)], at)
    return _clip((value - origin) / (end - origin))


def _share(rule: IndicatorRule, current: float, origin: float, end: float, strict: bool) -> float:
    """p: the share of the way from origin to end; all or nothing when there is no way to go (the target
    equals the base, or the base is already past it), so a better value never gives a smaller share."""
    if not _right_way(rule, origin, end, strict):
        if _is_cap(rule):  # a cap with no room: within it nothing is used up, past it all of it is
            return 0.0 if _meets(rule, current, end, strict) else 1.0
        return 1.0 if _meets(rule, current, end, strict) else 0.0
    return (current - origin) / (end - origin)


# ─── Pace: what it takes, and where the recent pace leads ───────────────────────────────────────────────


class _Outlook(NamedTuple):
    needed_per_quarter: float | None = None
    recent_pace_per_quarter: float | None = None
    projected_end: float | None = None
    projection_reached: bool | None = None
    shortfall: float | None = None


def _reference_point(candidates: list[tuple[dt.date, float]], data_date: dt.date) -> tuple[dt.date, float] | None:
    """The level four quarters before the data date, or the nearest earlier one; else the oldest known."""
    year_back = oldest_earlier = None
    for point in candidates:  # in time order, each month count worked out once
        months = _months_between(point[0], data_date)
        if months >= 12:
            year_back = point
        elif months > 0 and oldest_earlier is None:
            oldest_earlier = point
    return year_back if year_back is not None else oldest_earlier


def _outlook(
    rule: IndicatorRule,
    series: list[tuple[dt.date, float]],
    origin_point: tuple[dt.date, float] | None,
    end: float,
    due: dt.date,
    strict: bool,
) -> _Outlook:
    """Needed pace per remaining quarter and the projection at the last four quarters' pace.

    Linear for levels and flows, compound for growth forms (growth compounds; a linear projection would
    promise less than the same pace delivers).
    """
    data_date, current = series[-1]
    remaining = max(0, _months_between(data_date, due)) / 3
    reached_now = _meets(rule, current, end, strict)
    needed = None if remaining == 0 else (0.0 if reached_now else (end - current) / remaining)
    candidates = sorted(([origin_point] if origin_point else []) + series[:-1])
    reference = _reference_point(candidates, data_date)
    pace = None
    if reference is not None:
        pace = (current - reference[1]) / (_months_between(reference[0], data_date) / 3)
    if remaining == 0:
        projected = current
    elif pace is None:
        return _Outlook(needed_per_quarter=needed)
    elif rule.target_form in GROWTH_FORMS and reference[1] > 0 and current > 0:
        quarterly = (current / reference[1]) ** (3 / _months_between(reference[0], data_date))
        projected = current * quarterly**remaining
    else:
        projected = current + pace * remaining
    reached = _meets(rule, projected, end, strict)
    return _Outlook(needed, pace, projected, reached, 0.0 if reached else abs(end - projected))


def _origin_point(rule: IndicatorRule, base: float | None, from_first: bool) -> tuple[dt.date, float] | None:
    """Where the series starts before its first figure: 0 at the plan start for totals, the documented
    base at the end of its base year for levels."""
    before_start = rule.plan.period_start - dt.timedelta(days=1)
    if _is_total(rule):
        return (before_start, 0.0)
    if base is None or from_first:
        return None
    return (dt.date(rule.base_year, 12, 31) if rule.base_year else before_start, base)


# ─── Wording ────────────────────────────────────────────────────────────────────────────────────────────


def _value(rule: IndicatorRule, value: float) -> str:
    """A number with its unit, as every number in a reason is written."""
    return _fmt(value) + ("%" if rule.measure_type == RATE else rule.unit)


# ─── Words for pages: progress, done markers, pace ──────────────────────────────────────────────────────

WHOLE_UNITS = ("家", "件", "个", "人", "项", "次")
"""Units that only come whole: a remaining amount in them is rounded up (1.25家 to go is 2家 to go)."""


def is_done_marker(target_form: str) -> bool:
    """A milestone (a target of 1 that marks "done") is done or not: a percentage of it means nothing."""
    return target_form == MILESTONE


def progress_words(result: "Progress", target_form: str) -> str:
    """指标进度 as a reader should see it: done / not done for a marker, 已超目标 past 100%."""
    if result.progress is None:
        return "—"
    if is_done_marker(target_form):
        return translated(_("已完成")) if result.progress >= 1 else translated(_("尚未完成"))
    if result.progress > 1:
        return translated(_("已超目标（%(p)s）")) % {"p": _pct(result.progress)}
    return _pct(result.progress)


def _amount(value: float, unit: str, *, whole: bool) -> str:
    if whole:
        return f"{math.ceil(round(value, 9))}{unit_words(unit)}"
    return f"{_fmt(value)}{unit_words(unit)}"


def pace_words(result: "Progress", unit: str, frequency: str = QUARTERLY) -> str | None:
    """还需新增5家，约每季度1.3家；近四季度平均1家；按近期速度，期末差2家 — what it takes to reach the end
    target against the recent pace. Whole-count units round the remaining amount up; yearly statistics
    speak per year."""
    needed, recent = result.needed_per_quarter, result.recent_pace_per_quarter
    if needed is None or result.current is None or result.end_target is None:
        return None
    whole = unit in WHOLE_UNITS
    per = 4 if frequency != QUARTERLY else 1
    remaining = result.end_target - result.current
    if needed == 0:
        text = translated(_("已达到目标值"))
    else:
        verb = _("还需新增%(total)s，约每年%(each)s") if per == 4 else _("还需新增%(total)s，约每季度%(each)s")
        if remaining < 0:
            verb = _("还需减少%(total)s，约每年%(each)s") if per == 4 else _("还需减少%(total)s，约每季度%(each)s")
        text = translated(verb) % {
            "total": _amount(abs(remaining), unit, whole=whole),
            "each": f"{_fmt(abs(needed) * per)}{unit_words(unit)}",
        }
    if recent is not None:
        words = _("，近四年平均%(v)s") if per == 4 else _("，近四季度平均%(v)s")
        text += translated(words) % {"v": f"{_fmt(recent * per)}{unit_words(unit)}"}
    if result.projection_reached is not None and needed != 0:
        if result.projection_reached:
            text += translated(_("；按近期速度，期末可达标"))
        else:
            shortfall = _amount(result.shortfall, unit, whole=whole)
            text += translated(_("；按近期速度，期末差%(v)s")) % {"v": shortfall}
    return text


def _unit(rule: IndicatorRule) -> str:
    return "%" if rule.measure_type == RATE else rule.unit


def _num(rule: IndicatorRule, value: float) -> list:
    """A reason argument: a number with the indicator's unit (core.reasons)."""
    return ["num", value, _unit(rule)]


def _target_arg(rule: IndicatorRule, end: float) -> list:
    return ["target", end, _unit(rule), rule.direction == LOWER]


def _period_arg(rule: IndicatorRule, day: dt.date) -> list:
    return ["period", day.isoformat(), rule.frequency]


def _reason(code: str, **args) -> dict:
    return {"code": code, "args": args, "notes": []}


# ─── The verdict ────────────────────────────────────────────────────────────────────────────────────────


def _refusal(rule: IndicatorRule) -> tuple[str, dict] | None:
    """Why a quantitative indicator cannot be measured at all. Never guess a missing number."""
    if rule.target_value is None:
        return "target_missing", _reason("target_missing")
    if rule.target_form in GROWTH_FORMS and rule.base_value is None:
        if rule.base_year:
            return "base_missing", _reason("base_missing_year", year=["period", f"{rule.base_year}-12-31", "yearly"])
        return "base_missing", _reason("base_missing")
    if rule.target_form == COMPOUND_GROWTH and rule.base_year is None:
        return "base_missing", _reason("base_year_missing")
    if rule.target_form in GROWTH_FORMS and rule.target_value <= -100:
        return "invalid_target", _reason("invalid_target", growth=["num", rule.target_value, "%"])
    return None


def evaluate(
    rule: IndicatorRule, figures: Iterable[Figure], as_of: dt.date, pending_periods: Collection[dt.date] = ()
) -> Progress:
    """An indicator's status as of a date, from today's approved figures (issue 3, first match wins):
    incomplete → plan over (achieved/missed) → achieved → overdue_report → no_data → against the calendar.

    pending_periods are period ends whose submitted figure awaits review: never overdue, said in the reason.
    """
    return evaluate_dates(rule, figures, (as_of,), pending_periods)[0]


def evaluate_dates(
    rule: IndicatorRule,
    figures: Iterable[Figure],
    dates: Sequence[dt.date],
    pending_periods: Collection[dt.date] = (),
) -> list[Progress]:
    """evaluate() as of each of the dates. What a date changes in the numbers is only which figures and
    pending periods are counted (those ending by it), so dates that count the same ones share one
    measurement: a recompute's latest result and its last quarter's snapshot mostly cost one."""
    if rule.target_form == QUALITATIVE:
        return [Progress(Status.QUALITATIVE, "qualitative", _reason("qualitative")) for _ in dates]
    if _refusal(rule) is not None:
        return [Progress(Status.INCOMPLETE, *_refusal(rule), base=rule.base_value) for _ in dates]
    figures = list(figures)
    periods = sorted({figure.period_end for figure in figures}.union(pending_periods))
    cases: dict[int, _Case] = {}
    results = []
    for as_of in dates:
        counted = bisect.bisect_right(periods, min(rule.plan.period_end, as_of))  # periods[:counted] count
        if counted not in cases:
            cases[counted] = _measure(rule, figures, as_of, pending_periods)
        results.append(_verdict(rule, cases[counted], as_of, pending_periods))
    return results


def _verdict(rule: IndicatorRule, case: "_Case", as_of: dt.date, pending_periods: Collection[dt.date]) -> Progress:
    """evaluate() from step 2 on, for a quantitative indicator measured as of as_of."""
    current, end = case.current, case.end

    # 2. plan over: final, on the rule's own current value
    if plan_is_over(rule, as_of):
        if current is None:
            return case.result(Status.MISSED, "plan_over", "plan_over_no_data")
        numbers = {"current": _num(rule, current), "target": _target_arg(rule, end)}
        if _meets(rule, current, end, case.strict):
            return case.result(Status.ACHIEVED, "plan_over", "plan_over_met", **numbers)
        return case.result(Status.MISSED, "plan_over", "plan_over_missed", **numbers)

    # 3. achieved early
    if current is not None and _may_achieve_early(rule) and _meets(rule, current, end, case.strict):
        return case.result(
            Status.ACHIEVED, "achieved", "achieved", current=_num(rule, current), target=_target_arg(rule, end)
        )

    # 4. overdue: only the latest period past its deadline is looked at
    due = _latest_due(rule, as_of)
    if due and due[0] not in case.counted and due[0] not in pending_periods:
        latest, deadline = due
        return case.result(
            Status.OVERDUE_REPORT,
            "overdue_report",
            "overdue_report",
            period=_period_arg(rule, latest),
            deadline=["date", deadline.isoformat()],
        )

    # 5. nothing to judge yet
    if current is None:
        return _nothing_to_judge(case, as_of)

    # 6. against the calendar
    return _judge(case)


@dataclass(frozen=True)
class _Case:
    """What evaluate() judges: the numbers of the result and the notes every reason carries."""

    rule: IndicatorRule
    counted: dict[dt.date, Figure]
    awaiting: list[dt.date]
    strict: bool
    due: dt.date
    numbers: dict
    notes: tuple[tuple[str, dict], ...]
    earlier: tuple[tuple[dt.date, float], ...] = ()

    @property
    def current(self) -> float | None:
        return self.numbers.get("current")

    @property
    def end(self) -> float | None:
        return self.numbers["end_target"]

    def result(self, status: str, rule: str, message: str, **args) -> Progress:
        """A result whose reason is `message` (a core.reasons code) with its arguments and the notes."""
        reason = {"code": message, "args": args, "notes": [list(note) for note in self.notes]}
        return Progress(status, rule, reason, **self.numbers)


def _measure(
    rule: IndicatorRule, figures: Iterable[Figure], as_of: dt.date, pending_periods: Collection[dt.date]
) -> _Case:
    """Every number behind the verdict, computed once whatever the status turns out to be."""
    plan = rule.plan
    counted = _counted(rule, figures, as_of)
    series = _level_series(rule, counted)
    base, path_start, from_first = _base(rule, series)
    end = end_target(rule, base)
    origin = 0.0 if _is_total(rule) else base
    strict = _strict_growth(rule, base)
    due = _due_date(rule, path_start)
    awaiting = sorted(
        p for p in set(pending_periods) if p not in counted and plan.period_start <= p <= min(plan.period_end, as_of)
    )

    numbers = {
        "base": base,
        "base_from_first_report": from_first,
        "end_target": end,
        "year_to_date": _year_to_date(rule, counted),
    }
    current = data_date = None
    if series:
        data_date, current = series[-1]
        numbers.update(
            current=current,
            data_date=data_date,
            time_elapsed=time_share(path_start, plan.period_end, data_date),
            basis=judged_basis(rule, counted, data_date),
            period_value=_period_value(rule, counted, data_date),
        )
        if rule.target_form != THRESHOLD:
            numbers.update(
                progress=_share(rule, current, origin, end, strict),
                expected=expected_progress(rule, origin=origin, end=end, path_start=path_start, at=data_date),
                **_outlook(rule, series, _origin_point(rule, base, from_first), end, due, strict)._asdict(),
            )

    notes = []
    if from_first:
        first = _period_arg(rule, path_start)
        notes.append(("note_base_from_first_report", {"period": first, "base": _num(rule, base)}))
    if strict:
        notes.append(("note_zero_base", {}))
    elif end is not None and end == origin and not _is_total(rule) and rule.target_form != THRESHOLD:
        notes.append(("note_target_equals_base", {}))
    if any(f.value is not None and f.value < 0 for f in counted.values()):
        notes.append(("note_negative_values", {}))
    if rule.measure_type == RATE and current is not None and current > 100:
        notes.append(("note_rate_over_100", {}))
    if awaiting and (data_date is None or awaiting[-1] > data_date):
        notes.append(("note_awaiting_review", {"period": _period_arg(rule, awaiting[-1])}))
    # the levels before the current one, a documented base first: whether a met target was fallen back from
    earlier = tuple(series[:-1])
    origin_point = _origin_point(rule, base, from_first)
    if origin_point is not None and not _is_total(rule):
        earlier = (origin_point, *earlier)
    return _Case(rule, counted, awaiting, strict, due, numbers, tuple(notes), earlier)


def _nothing_to_judge(case: _Case, as_of: dt.date) -> Progress:
    """no_data, said precisely: not started, awaiting review, no complete year yet, or nothing usable."""
    rule, plan = case.rule, case.rule.plan
    if case.awaiting:
        return case.result(
            Status.AWAITING_REVIEW,
            "awaiting_review",
            "awaiting_review",
            period=_period_arg(rule, case.awaiting[-1]),
        )
    if as_of < plan.period_start:
        return case.result(Status.NO_DATA, "not_started", "not_started", start=["date", plan.period_start.isoformat()])
    year_to_date = case.numbers["year_to_date"]
    if year_to_date is not None:
        return case.result(
            Status.NO_DATA,
            "no_complete_year",
            "no_complete_year",
            ytd=_num(rule, year_to_date),
        )
    if case.counted:
        return case.result(Status.NO_DATA, "no_value", "no_value")
    upcoming = next_deadline(rule, as_of)
    if upcoming:
        first, deadline = upcoming
        return case.result(
            Status.NO_DATA,
            "no_data",
            "no_data_until",
            period=_period_arg(rule, first),
            deadline=["date", deadline.isoformat()],
        )
    return case.result(Status.NO_DATA, "no_data", "no_data")


def _judge(case: _Case) -> Progress:
    """A met target first (never behind), then thresholds against their line, milestones against the
    clock, everything else against the bands."""
    rule, plan, current, end = case.rule, case.rule.plan, case.current, case.end
    data_date = case.numbers["data_date"]
    numbers = {"current": _num(rule, current), "target": _target_arg(rule, end)}
    if not _is_cap(rule) and _meets(rule, current, end, case.strict):
        if data_date >= case.due:
            return case.result(Status.ACHIEVED, "target_year_met", "target_year_met", **numbers)
        holding = "threshold" if rule.target_form == THRESHOLD else "met_holding"
        return case.result(Status.ON_TRACK, holding, "met_holding", year=case.due.year, **numbers)
    fell_from = next((p for p in reversed(case.earlier) if _meets(rule, p[1], end, case.strict)), None)
    if _may_fall_back(rule) and not _is_cap(rule) and fell_from is not None:
        if fell_from[0] in case.counted:
            return case.result(
                Status.AT_RISK, "fell_back", "fell_back", when=_period_arg(rule, fell_from[0]), **numbers
            )
        return case.result(Status.AT_RISK, "fell_back", "fell_back_from_base", year=fell_from[0].year, **numbers)
    if rule.target_form == THRESHOLD:
        return case.result(Status.LAGGING, "threshold", "threshold_missed", **numbers)

    p, e = case.numbers["progress"], case.numbers["expected"]
    if rule.target_form == MILESTONE:
        if e >= 1:
            return case.result(Status.LAGGING, "milestone", "milestone_due", due=["date", case.due.isoformat()])
        if e >= MILESTONE_AT_RISK_SHARE:
            return case.result(Status.AT_RISK, "milestone", "milestone_late", elapsed=["pct", e])
        return case.result(Status.ON_TRACK, "milestone", "milestone_early", elapsed=["pct", e])

    # A lower-is-better flow is a cap: running ahead of the calendar is what is bad. Rounded so that
    # exactly 15 points behind is not "more than 15" through float noise.
    behind = round((p - e) if _is_cap(rule) else (e - p), 9)
    side = "bands_below" if p < e else "bands_above"
    shares = {"progress": ["pct", p], "expected": ["pct", e]}
    for status, band in ((Status.LAGGING, plan.lagging_band), (Status.AT_RISK, plan.at_risk_band)):
        if behind > band / 100:
            return case.result(status, "bands", side, band=["num", band, ""], **shares)
    return case.result(Status.ON_TRACK, "bands", "bands_on_track", **shares)
