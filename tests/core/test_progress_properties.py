"""The engine's invariants over random indicators of every measure type, target form and direction.

Table rows in test_progress.py pin single behaviours; these properties guard the promises a leader relies
on across all of them: nothing raises, a met target is never behind, a better latest figure never gives a
worse status.
"""

import dataclasses
import datetime as dt
import math

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.periods import QUARTERLY, YEARLY, period_ends
from core.progress import (
    FLOW,
    GROWTH_FORMS,
    HIGHER,
    LOWER,
    MEASURE_TYPES,
    QUALITATIVE,
    RATE,
    TARGET_FORMS,
    Figure,
    IndicatorRule,
    InterimTarget,
    PlanRule,
    deadline_of,
    evaluate,
    evaluate_dates,
    final_day,
    next_deadline,
    overdue_since,
    plan_periods,
)
from core.status import Status

# Goodness of the statuses a figure's value can move between; the others do not depend on a value.
RANK = {Status.MISSED: 0, Status.LAGGING: 1, Status.AT_RISK: 2, Status.ON_TRACK: 3, Status.ACHIEVED: 4}

values = st.one_of(
    st.integers(min_value=0, max_value=400).map(float),
    st.floats(min_value=-50, max_value=1000, allow_nan=False, allow_infinity=False).map(lambda v: round(v, 2)),
)


@st.composite
def plans(draw) -> PlanRule:
    year = draw(st.integers(min_value=2019, max_value=2024))
    month = draw(st.sampled_from((1, 4, 7, 10)))
    years = draw(st.integers(min_value=1, max_value=5))
    start = dt.date(year, month, 1)
    end = dt.date(year + years, month, 1) - dt.timedelta(days=1)
    at_risk = draw(st.sampled_from((0.0, 5.0, 10.0)))
    lagging = at_risk + draw(st.sampled_from((0.0, 5.0, 10.0)))
    return PlanRule(
        period_start=start,
        period_end=end,
        reporting_lag_days=draw(st.sampled_from((0, 15, 120))),
        at_risk_band=at_risk,
        lagging_band=lagging,
    )


@st.composite
def rules(draw) -> IndicatorRule:
    plan = draw(plans())
    form = draw(st.sampled_from(TARGET_FORMS))
    frequency = draw(st.sampled_from((QUARTERLY, YEARLY)))
    has_base = draw(st.booleans())
    base_year = draw(st.one_of(st.none(), st.just(plan.period_start.year - 1)))
    interim = ()
    if draw(st.booleans()):
        interim = (InterimTarget(plan.period_start + (plan.period_end - plan.period_start) / 2, draw(values)),)
    target_date = draw(
        st.one_of(
            st.none(),
            st.sampled_from([e for e in period_ends(plan.period_start, plan.period_end, YEARLY)] or [plan.period_end]),
        )
    )
    return IndicatorRule(
        plan=plan,
        measure_type=draw(st.sampled_from(MEASURE_TYPES)),
        target_form=form,
        target_value=draw(st.one_of(values, st.just(1.0), st.just(0.0))),
        target_date=target_date,
        base_value=draw(values) if has_base else None,
        base_year=base_year,
        direction=draw(st.sampled_from((HIGHER, LOWER))),
        frequency=frequency,
        interim_targets=interim,
    )


@st.composite
def cases(draw):
    rule = draw(rules())
    ends = period_ends(rule.plan.period_start, rule.plan.period_end, rule.frequency)
    as_ratio = rule.measure_type == "rate" and draw(st.booleans())
    figures = []
    for end in ends:
        if draw(st.integers(min_value=0, max_value=5)) == 0:
            continue  # a gap
        if as_ratio:
            denominator = draw(st.integers(min_value=0, max_value=200))
            numerator = draw(st.integers(min_value=0, max_value=200))
            figures.append(Figure(end, None, numerator=float(numerator), denominator=float(denominator)))
        else:
            figures.append(Figure(end, draw(st.one_of(values, st.none()) if draw(st.booleans()) else values)))
    offset = draw(st.integers(min_value=-40, max_value=(rule.plan.period_end - rule.plan.period_start).days + 200))
    as_of = rule.plan.period_start + dt.timedelta(days=offset)
    pending = draw(st.sets(st.sampled_from(ends), max_size=2)) if ends else set()
    return rule, figures, as_of, pending


def meets(rule: IndicatorRule, value: float, target: float, strict: bool) -> bool:
    if rule.direction == LOWER:
        return value < target if strict else value <= target
    return value > target if strict else value >= target


def strict(rule: IndicatorRule, base: float | None) -> bool:
    return rule.target_form in GROWTH_FORMS and base == 0 and rule.direction != LOWER


def improved(rule: IndicatorRule, figure: Figure, delta: float) -> Figure:
    """The same figure a little better in the indicator's direction."""
    step = delta if rule.direction == HIGHER else -delta
    if figure.numerator is not None and figure.denominator:
        return Figure(figure.period_end, figure.value, figure.numerator + step, figure.denominator)
    return Figure(figure.period_end, figure.value + step, figure.numerator, figure.denominator)


# Filtering is the point of the assumptions (only measured results can meet a target); on a loaded machine
# the generation-speed checks would fail for reasons that say nothing about the engine.
SETTINGS = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@SETTINGS
@given(cases())
def test_every_well_formed_indicator_gets_a_status_and_a_reason(case):
    rule, figures, as_of, pending = case
    result = evaluate(rule, figures, as_of, pending)
    assert result.status in set(Status)
    assert result.reason
    assert Status(result.status).label
    for number in (result.progress, result.expected, result.time_elapsed):
        assert number is None or math.isfinite(number)
    if rule.target_form == QUALITATIVE:
        assert result.status == Status.QUALITATIVE


@SETTINGS
@given(cases())
def test_a_met_target_is_never_behind(case):
    rule, figures, as_of, pending = case
    result = evaluate(rule, figures, as_of, pending)
    assume(result.current is not None and result.end_target is not None)
    is_cap = rule.measure_type == FLOW and rule.direction == LOWER and rule.target_form != "threshold"
    assume(not is_cap)
    if meets(rule, result.current, result.end_target, strict(rule, result.base)):
        assert result.status not in (Status.AT_RISK, Status.LAGGING, Status.MISSED), result.reason
        if result.status == Status.ON_TRACK:
            assert "达到" in result.reason, result.reason


@SETTINGS
@given(cases(), st.sampled_from((0.01, 0.5, 1.0, 7.0, 50.0)))
def test_a_better_latest_figure_never_gives_a_worse_status(case, delta):
    rule, figures, as_of, pending = case
    last = rule.plan.period_end if as_of > rule.plan.period_end else as_of
    counted = [
        i
        for i, f in enumerate(figures)
        if rule.plan.period_start <= f.period_end <= last
        and (f.value is not None or (f.numerator is not None and f.denominator))
    ]
    assume(counted)
    latest = counted[-1]
    better = [*figures]
    better[latest] = improved(rule, figures[latest], delta)
    before = evaluate(rule, figures, as_of, pending)
    after = evaluate(rule, better, as_of, pending)
    # the first report taken as the base is outside the rule: a higher base is a harder start
    assume(before.base == after.base)
    if after.status == Status.ACHIEVED:
        return  # the best verdict there is (a met stock is achieved before an older gap is overdue)
    if before.status in RANK and after.status in RANK:
        assert RANK[after.status] >= RANK[before.status], (before.reason, after.reason)
    else:
        assert after.status == before.status, (before.reason, after.reason)


@SETTINGS
@given(cases())
def test_a_rate_or_annual_amount_below_a_target_it_had_met_is_at_risk_saying_so(case):
    rule, figures, as_of, pending = case
    assume(rule.measure_type in ("rate", "annual") or rule.target_form == "threshold")
    result = evaluate(rule, figures, as_of, pending)
    if result.rule == "fell_back":
        assert result.status == Status.AT_RISK
        assert "回落" in result.reason
        assert not meets(rule, result.current, result.end_target, strict(rule, result.base))


@SETTINGS
@given(cases())
def test_a_ratio_of_counts_is_judged_within_its_last_four_quarters_own_rates(case):
    """A pooled rate is a weighted mean: it lies between the lowest and highest quarter of its window, so
    one small first quarter can neither sink nor lift it beyond what the year's quarters say."""
    rule, figures, as_of, pending = case
    assume(rule.measure_type == RATE and rule.frequency == QUARTERLY)
    result = evaluate(rule, figures, as_of, pending)
    assume(result.basis == "four_quarters" and result.current is not None)
    window = [
        f
        for f in figures
        if f.period_end <= result.data_date
        and (result.data_date - f.period_end).days < 360
        and f.period_end >= rule.plan.period_start
    ]
    # a quarter counting cases closed with none filed (n/0, n > 0) has no own rate to bound the pool with
    assume(all(f.denominator or not f.numerator for f in window))
    own = [f.numerator / f.denominator * 100 for f in window if f.denominator]
    assert min(own) - 1e-9 <= result.current <= max(own) + 1e-9
    assert all(f.numerator is not None for f in window)


@SETTINGS
@given(cases(), st.sampled_from((30, 120, 200)))
def test_a_report_is_overdue_only_after_the_indicators_own_deadline(case, extra):
    """With its own lag (a yearly statistic published next spring) a period is overdue from its own deadline,
    never from the plan's."""
    rule, figures, as_of, pending = case
    lag = rule.plan.reporting_lag_days + extra
    result = evaluate(dataclasses.replace(rule, reporting_lag_days=lag), figures, as_of, pending)
    if result.status == Status.OVERDUE_REPORT:
        args = result.reason_data["args"]
        period, deadline = dt.date.fromisoformat(args["period"][1]), dt.date.fromisoformat(args["deadline"][1])
        assert deadline == period + dt.timedelta(days=lag) < as_of


@SETTINGS
@given(cases(), st.lists(st.integers(min_value=-120, max_value=1500), min_size=1, max_size=5), st.booleans())
def test_several_dates_at_once_give_what_each_date_gives_alone(case, offsets, odd_day):
    """evaluate_dates() measures once for dates counting the same figures: never a different result. A figure
    may end on any day (not only a period end), so dates between two period ends count different ones."""
    rule, figures, as_of, pending = case
    if odd_day and figures:
        figures = [*figures[:-1], figures[-1]._replace(period_end=figures[-1].period_end - dt.timedelta(days=40))]
    dates = [as_of + dt.timedelta(days=offset) for offset in offsets]
    assert evaluate_dates(rule, figures, dates, pending) == [evaluate(rule, figures, day, pending) for day in dates]


@SETTINGS
@given(plans(), st.sampled_from((QUARTERLY, YEARLY)), st.sampled_from((None, 0, 30, 120)), st.integers(-60, 2200))
def test_the_cached_calendar_says_what_the_periods_and_deadlines_say(plan, frequency, own_lag, offset):
    rule = IndicatorRule(
        plan=plan,
        measure_type=RATE,
        target_form="absolute",
        target_value=1.0,
        frequency=frequency,
        reporting_lag_days=own_lag,
    )
    as_of = plan.period_start + dt.timedelta(days=offset)
    periods = plan_periods(plan, frequency)
    due = [p for p in periods if deadline_of(rule, p) < as_of]
    upcoming = [p for p in periods if deadline_of(rule, p) >= as_of]
    assert overdue_since(rule, as_of) == (deadline_of(rule, due[-1]) if due else None)
    assert next_deadline(rule, as_of) == ((upcoming[0], deadline_of(rule, upcoming[0])) if upcoming else None)
    last = periods[-1] if periods else plan.period_end
    assert final_day(rule) == max(deadline_of(rule, last), plan.period_end) + dt.timedelta(days=1)
