"""The progress engine, table by table: each row is one behaviour a leading group relies on.

Pure: no database, no Django. Dates are chosen so the numbers can be checked by hand:
PLAN runs 2024-01-01..2026-12-31 (1095 days, so each 31 December is exactly a third further on);
PLAN4 runs 2020-01-01..2023-12-31 (1460 days, 2021-12-31 is exactly half way).
"""

import datetime as dt

import pytest

from core.periods import period_ends, period_label, reporting_deadline
from core.progress import (
    Figure,
    IndicatorRule,
    InterimTarget,
    PlanRule,
    end_target,
    evaluate,
    expected_progress,
    pace_words,
    plan_years,
    progress_words,
    time_share,
)
from core.status import STATUS_LABELS, STATUS_ORDER, Status

D = dt.date
PLAN = PlanRule(period_start=D(2024, 1, 1), period_end=D(2026, 12, 31))
PLAN4 = PlanRule(period_start=D(2020, 1, 1), period_end=D(2023, 12, 31))
MID_YEAR_PLAN = PlanRule(period_start=D(2022, 7, 1), period_end=D(2025, 6, 30))
QUARTER_MONTH_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


def q(year: int, quarter: int) -> dt.date:
    return D(year, *QUARTER_MONTH_ENDS[quarter])


def ye(year: int) -> dt.date:
    return D(year, 12, 31)


def rule(measure="stock", form="absolute", target=200.0, plan=PLAN, **fields) -> IndicatorRule:
    return IndicatorRule(plan=plan, measure_type=measure, target_form=form, target_value=target, **fields)


def quarterly(*values, first=(2024, 1)) -> list[Figure]:
    """Consecutive quarters' figures from `first`; None leaves a quarter out."""
    year, quarter = first
    figures = []
    for value in values:
        if value is not None:
            figures.append(Figure(period_end=q(year, quarter), value=value))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return figures


def yearly(*pairs) -> list[Figure]:
    return [Figure(period_end=ye(year), value=value) for year, value in pairs]


def ratio(period_end, numerator, denominator, value=None) -> Figure:
    return Figure(period_end=period_end, value=value, numerator=numerator, denominator=denominator)


def at(day: int, hour: int = 0, tz=None) -> dt.datetime:
    return dt.datetime(2024, 4, day, hour, tzinfo=tz)


STOCK = {"base_value": 100.0, "base_year": 2023}  # base 100, target 200 on PLAN
STOCK4 = {"plan": PLAN4, "frequency": "yearly", "base_value": 100.0, "base_year": 2019}
ANNUAL = {"measure": "annual", "target": 6.0, "base_value": 4.0, "base_year": 2023}
RATE90 = {"measure": "rate", "form": "threshold", "target": 90.0}
UTC8 = dt.timezone(dt.timedelta(hours=8))


# ─── Calendar helpers ──────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("plan", "frequency", "expected"),
    [
        pytest.param(
            PLAN,
            "quarterly",
            [q(y, n) for y in (2024, 2025, 2026) for n in (1, 2, 3, 4)],
            id="quarterly_plan_has_twelve_quarter_ends",
        ),
        pytest.param(PLAN, "yearly", [ye(2024), ye(2025), ye(2026)], id="yearly_plan_has_31_december_ends"),
        pytest.param(
            MID_YEAR_PLAN,
            "yearly",
            [ye(2022), ye(2023), ye(2024)],
            id="yearly_periods_ending_after_the_plan_are_not_in_it",
        ),
        pytest.param(
            PlanRule(D(2020, 9, 28), D(2021, 3, 31)),
            "quarterly",
            [q(2020, 3), q(2020, 4), q(2021, 1)],
            id="plan_starting_mid_quarter_keeps_that_quarter_end",
        ),
        pytest.param(PlanRule(D(2024, 1, 15), D(2024, 2, 20)), "quarterly", [], id="plan_shorter_than_a_quarter"),
    ],
)
def test_period_ends(plan, frequency, expected):
    assert period_ends(plan.period_start, plan.period_end, frequency) == tuple(expected)


@pytest.mark.parametrize(
    ("period_end", "lag", "expected"),
    [
        pytest.param(q(2024, 2), 15, D(2024, 7, 15), id="default_fifteen_days"),
        pytest.param(q(2024, 4), 20, D(2025, 1, 20), id="deadline_crosses_the_year"),
    ],
)
def test_reporting_deadline(period_end, lag, expected):
    assert reporting_deadline(period_end, lag) == expected


@pytest.mark.parametrize(
    ("plan", "years"),
    [
        pytest.param(MID_YEAR_PLAN, 3, id="2022_07_to_2025_06_is_three_years"),
        pytest.param(PLAN4, 4, id="2020_to_2023_is_four_years"),
    ],
)
def test_plan_years(plan, years):
    assert plan_years(plan) == years


@pytest.mark.parametrize(
    ("period_end", "frequency", "label"),
    [
        pytest.param(q(2025, 2), "quarterly", "2025年第2季度", id="quarter"),
        pytest.param(ye(2025), "yearly", "2025年", id="year"),
        pytest.param(D(2025, 5, 31), "quarterly", "2025-05-31", id="odd_date_as_iso"),
    ],
)
def test_period_label(period_end, frequency, label):
    assert period_label(period_end, frequency) == label


@pytest.mark.parametrize(
    ("start", "end", "day", "share"),
    [
        pytest.param(PLAN.period_start, PLAN.period_end, ye(2024), 1 / 3, id="one_third"),
        pytest.param(PLAN.period_start, PLAN.period_end, D(2023, 6, 30), 0.0, id="clipped_at_zero"),
        pytest.param(PLAN.period_start, PLAN.period_end, D(2028, 1, 1), 1.0, id="clipped_at_one"),
        pytest.param(ye(2026), ye(2026), ye(2026), 1.0, id="empty_span_is_fully_passed_not_a_division_by_zero"),
    ],
)
def test_time_share(start, end, day, share):
    assert time_share(start, end, day) == pytest.approx(share)


# ─── End targets ───────────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("indicator", "base", "expected"),
    [
        pytest.param(rule(), None, 200, id="absolute_is_the_target"),
        pytest.param(
            rule(form="growth_since_base", target=20), 100, 120, id="growth_since_base_is_base_times_1_plus_g"
        ),
        pytest.param(
            rule(form="compound_growth", target=10, base_year=2023),
            100,
            133.1,
            id="compound_is_base_times_1_plus_r_to_the_years_from_base_year_to_plan_end_year",
        ),
        pytest.param(
            rule(measure="flow", form="per_year_increment", target=3),
            None,
            9,
            id="per_year_increment_flow_is_n_times_plan_years",
        ),
        pytest.param(
            rule(measure="flow", form="per_year_increment", target=2, plan=MID_YEAR_PLAN),
            None,
            6,
            id="per_year_increment_over_a_mid_year_three_year_plan",
        ),
        pytest.param(
            rule(measure="stock", form="per_year_increment", target=3),
            38,
            47,
            id="per_year_increment_on_a_level_adds_to_its_base",
        ),
        pytest.param(rule(measure="rate", form="threshold", target=90), None, 90, id="threshold_is_the_line"),
        pytest.param(rule(measure="flow", form="milestone", target=1), None, 1, id="milestone_is_the_count"),
        pytest.param(rule(form="growth_since_base", target=20), None, None, id="growth_without_base_has_none"),
    ],
)
def test_end_target(indicator, base, expected):
    assert end_target(indicator, base) == (None if expected is None else pytest.approx(expected))


# ─── Expected progress ─────────────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("indicator", "origin", "end", "day", "expected"),
    [
        pytest.param(rule(), 100, 200, ye(2024), 1 / 3, id="linear_is_time_elapsed"),
        pytest.param(
            rule(interim_targets=(InterimTarget(ye(2025), 200),)),
            100,
            200,
            ye(2024),
            0.5,
            id="interim_target_at_the_end_value_makes_the_path_steeper",
        ),
        pytest.param(
            rule(interim_targets=(InterimTarget(ye(2024), 110),)),
            100,
            200,
            ye(2025),
            0.55,
            id="piecewise_linear_after_a_low_interim_target",
        ),
        pytest.param(
            rule(interim_targets=(InterimTarget(ye(2025), 200),)),
            100,
            200,
            q(2026, 2),
            1.0,
            id="flat_after_the_interim_target_reaches_the_end",
        ),
        pytest.param(
            rule(target=100, target_date=ye(2022), plan=PLAN4),
            50,
            100,
            ye(2021),
            2 / 3,
            id="own_target_date_before_plan_end_is_the_due_date",
        ),
        pytest.param(
            rule(form="compound_growth", target=10, base_year=2019, plan=PLAN4),
            100,
            100 * 1.1**4,
            ye(2021),
            (1.1 ** (731 / 365.25) - 1) / (1.1**4 - 1),
            id="compound_follows_the_curve_from_31_december_of_the_base_year",
        ),
        pytest.param(
            rule(
                form="compound_growth",
                target=10,
                base_year=2019,
                plan=PLAN4,
                interim_targets=(InterimTarget(ye(2021), 125),),
            ),
            100,
            100 * 1.1**4,
            ye(2021),
            25 / (100 * 1.1**4 - 100),
            id="interim_targets_take_precedence_over_the_compound_curve",
        ),
        pytest.param(rule(), 100, 100, ye(2025), 2 / 3, id="no_way_to_go_falls_back_to_time_not_division_by_zero"),
    ],
)
def test_expected_progress(indicator, origin, end, day, expected):
    value = expected_progress(indicator, origin=origin, end=end, path_start=indicator.plan.period_start, at=day)
    assert value == pytest.approx(expected)


# ─── Status: issue 3's order, first match wins ─────────────────────────────────────────────────────────

STATUS_CASES = [
    # qualitative and incomplete
    pytest.param(
        rule(form="qualitative", target=None),
        [],
        ye(2025),
        (),
        Status.QUALITATIVE,
        "qualitative",
        "定性指标",
        id="qualitative_indicator_is_not_measured",
    ),
    pytest.param(
        rule(target=None),
        quarterly(150),
        D(2024, 4, 1),
        (),
        Status.INCOMPLETE,
        "target_missing",
        "目标值缺失",
        id="quantitative_indicator_without_target_is_incomplete",
    ),
    pytest.param(
        rule(form="growth_since_base", target=20, base_year=2023),
        quarterly(150),
        D(2024, 4, 1),
        (),
        Status.INCOMPLETE,
        "base_missing",
        "基期值（2023年）缺失",
        id="growth_without_base_is_incomplete_never_guessed",
    ),
    pytest.param(
        rule(form="compound_growth", target=8),
        quarterly(150),
        D(2024, 4, 1),
        (),
        Status.INCOMPLETE,
        "base_missing",
        "基期值缺失",
        id="compound_without_base_is_incomplete",
    ),
    pytest.param(
        rule(form="compound_growth", target=8, base_value=100.0),
        quarterly(150),
        D(2024, 4, 1),
        (),
        Status.INCOMPLETE,
        "base_missing",
        "基期年份缺失",
        id="compound_without_base_year_is_incomplete",
    ),
    pytest.param(
        rule(form="compound_growth", target=-120, **STOCK),
        quarterly(150),
        D(2024, 4, 1),
        (),
        Status.INCOMPLETE,
        "invalid_target",
        "-120%",
        id="growth_of_minus_100_percent_or_less_is_incomplete",
    ),
    pytest.param(
        rule(form="growth_since_base", target=20),
        [],
        D(2030, 1, 1),
        (),
        Status.INCOMPLETE,
        "base_missing",
        "基期",
        id="incomplete_comes_before_plan_over",
    ),
    # plan over: final verdict on the rule's own current value
    pytest.param(
        rule(**STOCK),
        quarterly(150, first=(2026, 3)) + quarterly(205, first=(2026, 4)),
        D(2027, 1, 16),
        (),
        Status.ACHIEVED,
        "plan_over",
        "实施期已结束，最终值205达到目标值200",
        id="plan_over_stock_last_figure_reached",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(210, 190, first=(2026, 3)),
        D(2027, 1, 16),
        (),
        Status.MISSED,
        "plan_over",
        "最终值190未达到目标值200",
        id="plan_over_judges_the_last_stock_figure_not_the_best",
    ),
    pytest.param(
        rule(**STOCK),
        [],
        D(2027, 1, 16),
        (),
        Status.MISSED,
        "plan_over",
        "无任何可用数据",
        id="plan_over_without_any_figure_is_missed_with_no_data",
    ),
    pytest.param(
        rule(measure="flow", target=100),
        quarterly(*[8] * 12),
        D(2027, 2, 1),
        (),
        Status.MISSED,
        "plan_over",
        "最终值96未达到",
        id="plan_over_flow_judged_on_its_period_total",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2026, 3), 95, 100), ratio(q(2026, 4), 93, 100)],
        D(2027, 2, 1),
        (),
        Status.ACHIEVED,
        "plan_over",
        "最终值94%达到目标值90%",
        id="plan_over_threshold_on_the_last_years_rate",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2025, 4), 99, 100), ratio(q(2026, 4), 80, 100)],
        D(2027, 2, 1),
        (),
        Status.MISSED,
        "plan_over",
        "最终值80%未达到",
        id="plan_over_threshold_below_the_line_is_missed",
    ),
    pytest.param(
        rule(**ANNUAL),
        quarterly(*[1.5] * 4, first=(2025, 1)) + quarterly(2, 2, None, 2, first=(2026, 1)),
        D(2027, 2, 1),
        (),
        Status.ACHIEVED,
        "plan_over",
        "最终值6达到",
        id="plan_over_annual_judged_on_the_last_complete_year",
    ),
    pytest.param(
        rule(measure="flow", form="milestone", target=1),
        quarterly(*[0] * 12),
        D(2027, 2, 1),
        (),
        Status.MISSED,
        "plan_over",
        "最终值0未达到目标值1",
        id="plan_over_milestone_not_reached_is_missed",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(*[190] * 11),
        D(2027, 1, 15),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="not_over_until_the_last_quarters_deadline_has_passed",
    ),
    pytest.param(
        rule(frequency="yearly", plan=MID_YEAR_PLAN, target=50, base_value=10.0),
        yearly((2022, 20), (2023, 30), (2024, 45)),
        D(2025, 3, 1),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="yearly_indicator_is_not_final_before_the_plan_itself_ends",
    ),
    # achieved early
    pytest.param(
        rule(**STOCK),
        quarterly(150, 201),
        D(2024, 7, 1),
        (),
        Status.ACHIEVED,
        "achieved",
        "当前值201已达到目标值200",
        id="stock_reaching_its_target_early_is_achieved",
    ),
    pytest.param(
        rule(measure="flow", target=100),
        quarterly(60, 40),
        D(2024, 7, 1),
        (),
        Status.ACHIEVED,
        "achieved",
        "当前值100已达到",
        id="flow_total_reaching_its_target_is_achieved",
    ),
    pytest.param(
        rule(measure="flow", form="milestone", target=1),
        quarterly(0, 1),
        D(2024, 7, 1),
        (),
        Status.ACHIEVED,
        "achieved",
        "",
        id="milestone_reached_is_achieved",
    ),
    pytest.param(
        rule(**ANNUAL),
        quarterly(2, 2, 1, 1),
        D(2025, 1, 20),
        (),
        Status.ON_TRACK,
        "met_holding",
        "当前值6达到目标值6，须保持至2026年末",
        id="annual_complete_year_reaching_the_target_is_on_track_until_the_target_year",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 95, 100)],
        D(2024, 4, 1),
        (),
        Status.ON_TRACK,
        "threshold",
        "当前值95%达到目标值90%",
        id="threshold_met_is_only_on_track_before_the_end",
    ),
    pytest.param(
        rule(measure="rate", target=17, base_value=15.0),
        [Figure(q(2024, 1), 18.0)],
        D(2024, 4, 1),
        (),
        Status.ON_TRACK,
        "met_holding",
        "当前值18%达到目标值17%，须保持至2026年末",
        id="rate_with_an_absolute_target_is_not_achieved_early",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(201),
        D(2024, 8, 1),
        (),
        Status.ACHIEVED,
        "achieved",
        "",
        id="achieved_comes_before_overdue",
    ),
    # overdue
    pytest.param(
        rule(**STOCK),
        quarterly(110),
        D(2024, 7, 16),
        (),
        Status.OVERDUE_REPORT,
        "overdue_report",
        "2024年第2季度数据报送截止日2024-07-15已过，尚未报送",
        id="latest_due_quarter_missing_is_overdue",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(110),
        D(2024, 7, 15),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="the_deadline_day_itself_is_not_overdue",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(110),
        D(2024, 7, 16),
        (q(2024, 2),),
        Status.ON_TRACK,
        "bands",
        "2024年第2季度数据已提交待审核",
        id="a_figure_awaiting_review_is_not_overdue_and_says_so",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(110, None, 125),
        D(2024, 10, 20),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="only_the_latest_due_period_is_checked_not_older_gaps",
    ),
    pytest.param(
        rule(plan=PlanRule(PLAN.period_start, PLAN.period_end, reporting_lag_days=30), **STOCK),
        quarterly(110),
        D(2024, 7, 20),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="the_plans_own_reporting_lag_applies",
    ),
    pytest.param(
        rule(**ANNUAL),
        quarterly(1, 1),
        D(2024, 10, 16),
        (),
        Status.OVERDUE_REPORT,
        "overdue_report",
        "2024年第3季度",
        id="annual_amount_before_its_first_complete_year_is_overdue_when_a_quarter_is",
    ),
    # nothing to judge yet
    pytest.param(
        rule(**STOCK),
        [],
        D(2024, 3, 1),
        (),
        Status.NO_DATA,
        "no_data",
        "2024年第1季度数据报送截止日为2024-04-15",
        id="nothing_reported_and_nothing_due_is_no_data",
    ),
    pytest.param(
        rule(**STOCK),
        [],
        D(2023, 6, 1),
        (),
        Status.NO_DATA,
        "not_started",
        "实施期尚未开始",
        id="as_of_before_the_plan_start_is_no_data",
    ),
    pytest.param(
        rule(measure="flow", target=100),
        [Figure(ye(2023), 500.0)],
        D(2024, 2, 1),
        (),
        Status.NO_DATA,
        "no_data",
        "",
        id="figures_before_the_plan_start_are_ignored",
    ),
    pytest.param(
        rule(**ANNUAL),
        quarterly(1.2),
        D(2024, 5, 1),
        (),
        Status.NO_DATA,
        "no_complete_year",
        "本年累计1.2",
        id="annual_amount_before_its_first_complete_year_is_no_data_with_year_to_date",
    ),
    pytest.param(
        rule(measure="annual", target=6, base_value=4.0, plan=MID_YEAR_PLAN),
        quarterly(3, 3, first=(2022, 3)),
        D(2023, 2, 1),
        (),
        Status.NO_DATA,
        "no_complete_year",
        "",
        id="a_calendar_year_only_half_inside_the_plan_is_never_complete",
    ),
    pytest.param(
        rule(**STOCK),
        [],
        D(2024, 4, 20),
        (q(2024, 1),),
        Status.AWAITING_REVIEW,
        "awaiting_review",
        "2024年第1季度数据已提交待审核",
        id="only_figure_awaiting_review_is_awaiting_review",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 0, 0)],
        D(2024, 4, 20),
        (),
        Status.NO_DATA,
        "no_value",
        "分母为0",
        id="rate_with_zero_denominator_is_no_data_not_overdue",
    ),
    # against the calendar: bands (PLAN4 yearly, data at 2021-12-31 where e = 50 %)
    pytest.param(
        rule(**STOCK4),
        yearly((2020, 120), (2021, 190)),
        D(2022, 1, 10),
        (),
        Status.ON_TRACK,
        "bands",
        "指标进度90.0%，应达进度50.0%，进度正常",
        id="ahead_of_the_calendar_is_on_track",
    ),
    pytest.param(
        rule(**STOCK4),
        yearly((2020, 120), (2021, 145)),
        D(2022, 1, 10),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="exactly_5_points_behind_is_still_on_track",
    ),
    pytest.param(
        rule(**STOCK4),
        yearly((2020, 120), (2021, 144)),
        D(2022, 1, 10),
        (),
        Status.AT_RISK,
        "bands",
        "指标进度44.0%，低于应达进度50.0%超过5个百分点",
        id="more_than_5_points_behind_is_at_risk",
    ),
    pytest.param(
        rule(**STOCK4),
        yearly((2020, 120), (2021, 135)),
        D(2022, 1, 10),
        (),
        Status.AT_RISK,
        "bands",
        "",
        id="exactly_15_points_behind_is_at_risk_not_lagging",
    ),
    pytest.param(
        rule(**STOCK4),
        yearly((2020, 120), (2021, 134)),
        D(2022, 1, 10),
        (),
        Status.LAGGING,
        "bands",
        "指标进度34.0%，低于应达进度50.0%超过15个百分点",
        id="more_than_15_points_behind_is_lagging",
    ),
    pytest.param(
        rule(**{**STOCK4, "plan": PlanRule(PLAN4.period_start, PLAN4.period_end, at_risk_band=10, lagging_band=20)}),
        yearly((2020, 120), (2021, 134)),
        D(2022, 1, 10),
        (),
        Status.AT_RISK,
        "bands",
        "超过10个百分点",
        id="bands_are_plan_settings",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(*[150] * 7, 90),
        D(2026, 1, 10),
        (),
        Status.LAGGING,
        "bands",
        "指标进度-10.0%",
        id="a_stock_that_falls_below_its_base_is_lagging",
    ),
    # direction lower is better
    pytest.param(
        rule(target=5, base_value=10.0, direction="lower", frequency="yearly", plan=PLAN4),
        yearly((2020, 9), (2021, 7.5)),
        D(2022, 1, 10),
        (),
        Status.ON_TRACK,
        "bands",
        "指标进度50.0%",
        id="lower_is_better_progress_is_still_the_share_of_the_way",
    ),
    pytest.param(
        rule(target=5, base_value=10.0, direction="lower", frequency="yearly", plan=PLAN4),
        yearly((2020, 9), (2021, 9.5)),
        D(2022, 1, 10),
        (),
        Status.LAGGING,
        "bands",
        "",
        id="lower_is_better_stock_falling_too_slowly_is_lagging",
    ),
    pytest.param(
        rule(target=5, base_value=10.0, direction="lower", frequency="yearly", plan=PLAN4),
        yearly((2020, 4.9)),
        D(2021, 1, 10),
        (),
        Status.ACHIEVED,
        "achieved",
        "越低越好",
        id="lower_is_better_stock_at_or_below_the_target_is_achieved",
    ),
    pytest.param(
        rule(measure="rate", form="threshold", target=3, direction="lower"),
        [Figure(q(2024, 1), 3.0)],
        D(2024, 4, 1),
        (),
        Status.ON_TRACK,
        "threshold",
        "",
        id="lower_is_better_threshold_at_the_line_is_on_track",
    ),
    pytest.param(
        rule(measure="rate", form="threshold", target=3, direction="lower"),
        [Figure(q(2024, 1), 3.5)],
        D(2024, 4, 1),
        (),
        Status.LAGGING,
        "threshold",
        "",
        id="lower_is_better_threshold_above_the_line_is_lagging",
    ),
    pytest.param(
        rule(measure="flow", target=100, direction="lower", frequency="yearly", plan=PLAN4),
        yearly((2020, 30), (2021, 40)),
        D(2022, 1, 10),
        (),
        Status.LAGGING,
        "bands",
        "高于应达进度",
        id="lower_is_better_flow_is_a_cap_spent_too_fast_is_lagging",
    ),
    pytest.param(
        rule(measure="flow", target=100, direction="lower", frequency="yearly", plan=PLAN4),
        yearly((2020, 20), (2021, 20)),
        D(2022, 1, 10),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="lower_is_better_flow_within_its_cap_is_on_track_never_achieved_early",
    ),
    # thresholds and rates
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 90, 100)],
        D(2024, 4, 1),
        (),
        Status.ON_TRACK,
        "threshold",
        "",
        id="threshold_at_the_line_is_on_track",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 85, 100)],
        D(2024, 4, 1),
        (),
        Status.LAGGING,
        "threshold",
        "当前值85%未达到目标值90%",
        id="threshold_below_the_line_is_lagging",
    ),
    pytest.param(
        rule(measure="rate", form="threshold", target=85),
        [ratio(q(2024, 1), 9, 10), ratio(q(2024, 2), 80, 100)],
        D(2024, 7, 1),
        (),
        Status.AT_RISK,
        "fell_back",
        "当前值80.91%回落至目标值85%以下（2024年第1季度曾达到）",
        id="threshold_uses_the_pooled_rate_not_the_average_of_percentages",
    ),
    # issue 11: a met target is never behind; a met rate or annual amount falls back to at_risk
    pytest.param(
        # Nantong 专利密集型产业增加值占GDP比重: first report above the target, later still above it
        rule(measure="rate", target=17.0, frequency="yearly"),
        yearly((2024, 17.31), (2025, 17.18)),
        D(2026, 1, 20),
        (),
        Status.ON_TRACK,
        "met_holding",
        "当前值17.18%达到目标值17%，须保持至2026年末（以首次报送的2024年数值17.31%为基期，时间进度自该期末起算）",
        id="rate_above_its_target_from_a_base_above_it_is_on_track_not_at_risk",
    ),
    # issue 11: an indicator's own reporting lag — a yearly share of GDP published next spring
    pytest.param(
        rule(measure="rate", target=17.0, frequency="yearly", reporting_lag_days=181),
        [],
        D(2025, 1, 16),
        (),
        Status.NO_DATA,
        "no_data",
        "尚无数据，2024年数据报送截止日为2025-06-30",
        id="yearly_share_with_its_own_lag_is_not_overdue_on_16_january",
    ),
    pytest.param(
        rule(measure="rate", target=17.0, frequency="yearly", reporting_lag_days=181),
        [],
        D(2025, 7, 1),
        (),
        Status.OVERDUE_REPORT,
        "overdue_report",
        "2024年数据报送截止日2025-06-30已过，尚未报送",
        id="yearly_share_with_its_own_lag_is_overdue_after_it",
    ),
    pytest.param(
        rule(measure="rate", target=17.0, frequency="yearly"),
        [],
        D(2025, 1, 16),
        (),
        Status.OVERDUE_REPORT,
        "overdue_report",
        "2024年数据报送截止日2025-01-15已过，尚未报送",
        id="yearly_share_on_the_plans_lag_is_overdue_on_16_january",
    ),
    pytest.param(
        rule(measure="rate", target=17.0, frequency="yearly"),
        yearly((2024, 17.31), (2025, 16.9)),
        D(2026, 1, 20),
        (),
        Status.AT_RISK,
        "fell_back",
        "当前值16.9%回落至目标值17%以下（2024年曾达到）",
        id="rate_that_fell_back_below_a_met_target_is_at_risk_saying_so",
    ),
    pytest.param(
        rule(**ANNUAL),
        quarterly(2, 2, 1, 1, 1, 1, 1, 1),
        D(2026, 1, 20),
        (),
        Status.AT_RISK,
        "fell_back",
        "当前值4回落至目标值6以下（2024年第4季度曾达到）",
        id="annual_amount_that_fell_back_below_a_met_target_is_at_risk",
    ),
    pytest.param(
        rule(measure="rate", form="threshold", target=90.0, base_value=92.0, base_year=2023),
        [Figure(q(2024, 1), 85.0)],
        D(2024, 4, 1),
        (),
        Status.AT_RISK,
        "fell_back",
        "当前值85%回落至目标值90%以下（基期2023年曾达到）",
        id="threshold_below_a_base_that_met_it_is_at_risk",
    ),
    pytest.param(
        rule(measure="stock", form="threshold", target=50.0),
        quarterly(60),
        D(2024, 4, 1),
        (),
        Status.ON_TRACK,
        "threshold",
        "当前值60达到目标值50，须保持至2026年末",
        id="threshold_on_a_stock_met_is_on_track",
    ),
    pytest.param(
        rule(measure="rate", target=17.0, base_value=15.0, target_date=D(2025, 12, 31)),
        [Figure(q(2025, 3), 16.0), Figure(q(2025, 4), 17.5)],
        D(2026, 1, 5),
        (),
        Status.ACHIEVED,
        "target_year_met",
        "目标年度数值17.5%已达到目标值17%",
        id="rate_met_in_its_target_year_is_achieved",
    ),
    pytest.param(
        rule(form="growth_since_base", target=-10, base_value=100.0, base_year=2023),
        quarterly(85, 85, 85),
        D(2024, 10, 1),
        (),
        Status.LAGGING,
        "bands",
        "指标进度0.0%，低于应达进度24.9%超过15个百分点",
        id="higher_is_better_target_below_its_base_is_all_or_nothing_below_it",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 11, 10)],
        D(2024, 4, 1),
        (),
        Status.ON_TRACK,
        "threshold",
        "比率超过100%，请核实",
        id="a_rate_above_100_percent_is_judged_and_flagged",
    ),
    # milestones
    pytest.param(
        rule(measure="flow", form="milestone", target=1),
        quarterly(*[0] * 6),
        D(2025, 7, 10),
        (),
        Status.ON_TRACK,
        "milestone",
        "时间进度49.9%，未过三分之二",
        id="milestone_not_reached_before_two_thirds_is_on_track",
    ),
    pytest.param(
        rule(measure="flow", form="milestone", target=1),
        quarterly(*[0] * 8),
        D(2026, 1, 10),
        (),
        Status.AT_RISK,
        "milestone",
        "已过三分之二",
        id="milestone_not_reached_at_two_thirds_is_at_risk",
    ),
    pytest.param(
        rule(measure="flow", form="milestone", target=1, target_date=ye(2024)),
        quarterly(0, 0, 0, 0),
        D(2025, 1, 10),
        (),
        Status.LAGGING,
        "milestone",
        "目标日期2024-12-31已到，仍未实现",
        id="milestone_past_its_own_target_date_is_lagging",
    ),
    # a stock without a documented base
    pytest.param(
        rule(),
        quarterly(120, 130, first=(2025, 2)),
        D(2025, 10, 10),
        (),
        Status.ON_TRACK,
        "bands",
        "以首次报送的2025年第2季度数值120为基期",
        id="stock_without_base_starting_mid_plan_is_not_behind",
    ),
    pytest.param(
        rule(),
        quarterly(120, first=(2025, 2)),
        D(2025, 7, 10),
        (q(2025, 1),),
        Status.ON_TRACK,
        "bands",
        "指标进度0.0%，应达进度0.0%",
        id="first_report_alone_is_on_track",
    ),
    # compound growth
    pytest.param(
        rule(measure="annual", form="compound_growth", target=30, base_value=10.0, base_year=2018, plan=PLAN4),
        quarterly(*[4] * 8, first=(2020, 1)),
        D(2022, 2, 1),
        (),
        Status.LAGGING,
        "bands",
        "",
        id="compound_annual_amount_behind_its_curve_is_lagging",
    ),
    pytest.param(
        rule(measure="annual", form="compound_growth", target=30, base_value=10.0, base_year=2018, plan=PLAN4),
        quarterly(*[4] * 4, *[5.5] * 4, first=(2020, 1)),
        D(2022, 2, 1),
        (),
        Status.ON_TRACK,
        "bands",
        "",
        id="compound_annual_amount_on_its_curve_is_on_track",
    ),
    # bad input and edge cases
    pytest.param(
        rule(form="growth_since_base", target=50, base_value=0.0, base_year=2023),
        quarterly(0, 0, 0),
        D(2024, 10, 10),
        (),
        Status.LAGGING,
        "bands",
        "基期值为0，以大于0为达标",
        id="base_of_zero_with_a_growth_target_and_no_growth_lags",
    ),
    pytest.param(
        rule(form="growth_since_base", target=50, base_value=0.0, base_year=2023),
        quarterly(0, 3),
        D(2024, 7, 10),
        (),
        Status.ACHIEVED,
        "achieved",
        "基期值为0，以大于0为达标",
        id="base_of_zero_with_a_growth_target_is_achieved_above_zero",
    ),
    pytest.param(
        rule(target=100, base_value=100.0),
        quarterly(100),
        D(2024, 4, 10),
        (),
        Status.ACHIEVED,
        "achieved",
        "目标值与基期值相同，保持即达标",
        id="target_equal_to_base_is_achieved_once_reached",
    ),
    pytest.param(
        rule(target=100, base_value=100.0),
        quarterly(100, 95, 95),
        D(2024, 10, 10),
        (),
        Status.LAGGING,
        "bands",
        "目标值与基期值相同",
        id="target_equal_to_base_fallen_below_lags",
    ),
    pytest.param(
        rule(measure="flow", target=100),
        quarterly(20, -5),
        D(2024, 7, 10),
        (),
        Status.ON_TRACK,
        "bands",
        "含负值数据，请核实",
        id="negative_values_are_judged_and_flagged",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(*[150] * 11, 190) + [Figure(q(2027, 1), 999.0)],
        D(2027, 5, 1),
        (),
        Status.MISSED,
        "plan_over",
        "最终值190",
        id="figures_after_the_plan_end_are_ignored",
    ),
    pytest.param(
        rule(plan=PlanRule(D(2024, 1, 1), D(2024, 1, 1)), **STOCK),
        [Figure(D(2024, 1, 1), 150.0)],
        D(2024, 1, 1),
        (),
        Status.LAGGING,
        "bands",
        "应达进度100.0%",
        id="zero_length_plan_is_judged_not_a_division_by_zero",
    ),
    pytest.param(
        rule(measure="flow", target=0),
        quarterly(0),
        D(2024, 4, 10),
        (),
        Status.ACHIEVED,
        "achieved",
        "",
        id="flow_target_of_zero_is_no_division_by_zero",
    ),
]


@pytest.mark.parametrize(("indicator", "figures", "as_of", "pending", "status", "code", "reason"), STATUS_CASES)
def test_status(indicator, figures, as_of, pending, status, code, reason):
    result = evaluate(indicator, figures, as_of, pending)
    assert (result.status, result.rule) == (status, code), result.reason
    assert reason in result.reason
    assert result.reason  # every status explains itself


# ─── The numbers behind a status ───────────────────────────────────────────────────────────────────────

NUMBER_CASES = [
    # current value per measure type
    pytest.param(
        rule(**STOCK),
        quarterly(110, 140, 130),
        D(2024, 10, 1),
        {"current": 130, "data_date": q(2024, 3)},
        id="stock_current_is_the_latest_figure",
    ),
    pytest.param(
        rule(measure="flow", target=100),
        quarterly(10, 15, 20),
        D(2024, 10, 1),
        {"current": 45, "data_date": q(2024, 3), "progress": 0.45},
        id="flow_current_is_the_sum_since_start",
    ),
    pytest.param(
        rule(**ANNUAL),
        quarterly(1, 1, 1.5, 1.5, 2),
        D(2025, 5, 1),
        {"current": 5, "data_date": ye(2024), "year_to_date": 2, "time_elapsed": pytest.approx(1 / 3), "progress": 0.5},
        id="annual_current_is_the_last_complete_year_and_ytd_is_shown_beside",
    ),
    pytest.param(
        rule(
            measure="annual",
            target=16,
            base_value=7.75,
            base_year=2020,
            frequency="yearly",
            plan=PlanRule(D(2021, 1, 1), D(2025, 12, 31)),
        ),
        yearly((2021, 9), (2022, 10)),
        D(2023, 1, 10),
        {"current": 10, "data_date": ye(2022), "year_to_date": None, "progress": pytest.approx(2.25 / 8.25)},
        id="yearly_annual_amount_is_its_31_december_figure",
    ),
    # issue 11: which value is judged — a ratio of counts on its last four quarters pooled, a yearly share
    # on that year's figure, a percentage on the latest quarter; the quarter's own value is kept beside
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 4), 50, 100), ratio(q(2025, 1), 19, 20)],
        D(2025, 4, 1),
        {"current": pytest.approx(57.5), "basis": "four_quarters", "period_value": 95},
        id="ratio_rate_is_pooled_over_the_last_four_quarters_across_the_new_year",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 1, 100), *(ratio(q(2024, n), 90, 100) for n in (2, 3, 4)), ratio(q(2025, 1), 3, 5)],
        D(2025, 4, 20),
        {"current": pytest.approx(273 / 305 * 100), "basis": "four_quarters", "period_value": 60},
        id="ratio_rate_pools_four_quarters_only_never_the_quarter_a_year_earlier",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 45, 50), ratio(q(2024, 2), 95, 100)],
        D(2024, 7, 1),
        {"current": pytest.approx(140 / 150 * 100), "basis": "four_quarters", "period_value": 95},
        id="ratio_rate_in_the_plans_first_year_pools_the_quarters_it_has",
    ),
    pytest.param(
        rule(**RATE90),
        [Figure(q(2024, 1), 88.0), Figure(q(2024, 2), 92.0)],
        D(2024, 7, 1),
        {"current": 92, "basis": "quarter", "period_value": 92},
        id="rate_entered_as_percentages_is_the_latest",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 9, 10), Figure(q(2024, 2), 70.0)],
        D(2024, 7, 1),
        {"current": 70, "basis": "quarter"},
        id="rate_partly_entered_as_percentages_is_the_latest_never_a_partial_pool",
    ),
    pytest.param(
        rule(measure="rate", target=17.0, frequency="yearly"),
        yearly((2024, 16.5), (2025, 17.2)),
        D(2026, 4, 1),
        {"current": 17.2, "basis": "year", "period_value": 17.2, "data_date": ye(2025)},
        id="yearly_share_is_judged_on_that_years_figure",
    ),
    pytest.param(
        rule(measure="flow", target=100),
        quarterly(10, 15),
        D(2024, 7, 20),
        {"current": 25, "basis": "cumulative", "period_value": 15},
        id="flow_is_judged_on_its_total_with_the_quarters_amount_beside",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(105),
        D(2024, 4, 20),
        {"basis": "latest", "period_value": None},
        id="stock_is_judged_on_its_latest_figure",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 9, 10), ratio(q(2024, 2), 0, 0)],
        D(2024, 7, 1),
        {"current": 90, "data_date": q(2024, 2)},
        id="rate_quarter_with_nothing_to_count_adds_nothing",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 0, 0, value=91.0)],
        D(2024, 4, 1),
        {"current": 91},
        id="rate_with_zero_denominator_falls_back_to_the_entered_percentage",
    ),
    pytest.param(
        rule(**RATE90),
        [ratio(q(2024, 1), 9, 10)],
        D(2024, 4, 1),
        {"progress": None, "expected": None, "needed_per_quarter": None},
        id="threshold_has_no_time_path",
    ),
    # corrections
    pytest.param(
        rule(**STOCK),
        [
            Figure(q(2024, 1), 10.0, approved_at=at(1)),
            Figure(q(2024, 1), 11.0, approved_at=at(3)),
            Figure(q(2024, 1), 12.0, approved_at=at(2)),
        ],
        D(2024, 4, 1),
        {"current": 11},
        id="a_quarter_corrected_twice_takes_the_latest_approval_whatever_the_order",
    ),
    pytest.param(
        rule(**STOCK),
        [Figure(q(2024, 1), 12.0, approved_at=at(2)), Figure(q(2024, 1), 10.0)],
        D(2024, 4, 1),
        {"current": 12},
        id="an_approval_time_beats_none",
    ),
    pytest.param(
        rule(**STOCK),
        [Figure(q(2024, 1), 12.0, approved_at=at(3, 12)), Figure(q(2024, 1), 10.0, approved_at=at(1, 8, UTC8))],
        D(2024, 4, 1),
        {"current": 12},
        id="naive_and_aware_approval_times_compare_without_error",
    ),
    pytest.param(
        rule(measure="flow", target=100),
        [Figure(q(2024, 1), 10.0, approved_at=at(1)), Figure(q(2024, 1), 30.0, approved_at=at(5))],
        D(2024, 4, 1),
        {"current": 30},
        id="a_corrected_flow_quarter_is_counted_once",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(120, 130),
        D(2024, 5, 1),
        {"current": 120, "data_date": q(2024, 1)},
        id="a_period_not_yet_closed_by_as_of_does_not_count",
    ),
    # base and time
    pytest.param(
        rule(),
        quarterly(120, 130, first=(2025, 2)),
        D(2025, 10, 10),
        {
            "base": 120,
            "base_from_first_report": True,
            "time_elapsed": pytest.approx(92 / 549),
            "progress": 0.125,
            "expected": pytest.approx(92 / 549),
        },
        id="first_report_base_counts_time_from_that_quarters_end",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(110),
        D(2024, 4, 10),
        {"base": 100, "base_from_first_report": False, "time_elapsed": pytest.approx(90 / 1095)},
        id="documented_base_counts_time_from_the_plan_start",
    ),
    pytest.param(
        rule(**STOCK, interim_targets=(InterimTarget(ye(2025), 200),)),
        quarterly(*[130] * 4),
        D(2025, 1, 10),
        {"time_elapsed": pytest.approx(1 / 3), "expected": pytest.approx(0.5)},
        id="interim_target_raises_the_expected_progress_not_the_time_elapsed",
    ),
    pytest.param(
        rule(form="compound_growth", target=10, **STOCK4),
        yearly((2020, 110), (2021, 121)),
        D(2022, 1, 10),
        {
            "end_target": pytest.approx(146.41),
            "time_elapsed": 0.5,
            "expected": pytest.approx((1.1 ** (731 / 365.25) - 1) / (1.1**4 - 1)),
        },
        id="compound_stock_expected_follows_the_curve",
    ),
    pytest.param(
        rule(**STOCK),
        [],
        D(2024, 3, 1),
        {"current": None, "data_date": None, "time_elapsed": None, "end_target": 200},
        id="no_data_still_carries_the_end_target",
    ),
    # what it takes, and where the recent pace leads
    pytest.param(
        rule(**STOCK),
        quarterly(105, 110, 115, 120, 125, 130),
        D(2025, 7, 10),
        {
            "recent_pace_per_quarter": 5,
            "needed_per_quarter": pytest.approx(70 / 6),
            "projected_end": 160,
            "projection_reached": False,
            "shortfall": 40,
        },
        id="stock_projects_linearly_at_the_last_four_quarters_pace",
    ),
    pytest.param(
        rule(measure="flow", form="per_year_increment", target=40),
        quarterly(*[10] * 6),
        D(2025, 7, 10),
        {
            "end_target": 120,
            "recent_pace_per_quarter": 10,
            "needed_per_quarter": 10,
            "projected_end": 120,
            "projection_reached": True,
            "shortfall": 0,
        },
        id="flow_on_pace_reaches_its_total",
    ),
    pytest.param(
        rule(measure="flow", target=120),
        quarterly(10),
        D(2024, 4, 10),
        {"recent_pace_per_quarter": 10, "projected_end": 120, "needed_per_quarter": pytest.approx(110 / 11)},
        id="flow_pace_in_the_first_quarter_counts_from_zero_at_the_plan_start",
    ),
    pytest.param(
        rule(form="growth_since_base", target=50, **STOCK),
        quarterly(None, 110, 115, 117, 119, 121),
        D(2025, 7, 10),
        {
            "end_target": 150,
            "recent_pace_per_quarter": 2.75,
            "projected_end": pytest.approx(121 * 1.1**1.5),
            "projection_reached": False,
            "shortfall": pytest.approx(150 - 121 * 1.1**1.5),
        },
        id="growth_form_projects_at_the_compound_recent_pace",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(103),
        D(2024, 4, 10),
        {"recent_pace_per_quarter": 3},
        id="single_figure_paces_from_the_documented_base_at_the_end_of_its_base_year",
    ),
    pytest.param(
        rule(),
        quarterly(120, first=(2025, 2)),
        D(2025, 7, 10),
        {"recent_pace_per_quarter": None, "projected_end": None, "projection_reached": None},
        id="single_figure_without_base_has_no_pace",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(*[150] * 11, 190),
        D(2027, 1, 10),
        {"needed_per_quarter": None, "projected_end": 190, "projection_reached": False, "shortfall": 10},
        id="no_quarter_left_projects_the_current_value",
    ),
    pytest.param(
        rule(**STOCK),
        quarterly(150, 201),
        D(2024, 7, 10),
        {"needed_per_quarter": 0},
        id="nothing_more_needed_once_reached",
    ),
    pytest.param(
        rule(form="growth_since_base", target=50, base_value=0.0, base_year=2023),
        quarterly(0, 0, 0),
        D(2024, 10, 10),
        {"end_target": 0, "progress": 0, "expected": pytest.approx(273 / 1095)},
        id="base_of_zero_progress_is_all_or_nothing_and_expected_is_time",
    ),
]


@pytest.mark.parametrize(("indicator", "figures", "as_of", "numbers"), NUMBER_CASES)
def test_numbers(indicator, figures, as_of, numbers):
    result = evaluate(indicator, figures, as_of)
    assert {name: getattr(result, name) for name in numbers} == numbers


@pytest.mark.parametrize(
    ("indicator", "figures", "words"),
    [
        pytest.param(
            rule(**STOCK),
            quarterly(105, 110, 115, 120, 125, 130),
            "还需新增70件，约每季度11.67件，近四季度平均5件；按近期速度，期末差40件",
            id="short_by",
        ),
        pytest.param(
            rule(**STOCK),
            quarterly(110, 120, 130, 140, 150, 160),
            "还需新增40件，约每季度6.67件，近四季度平均10件；按近期速度，期末可达标",
            id="reached",
        ),
        pytest.param(
            # Regression (issue 11): "需每季度新增1.25家" for whole counts; the remaining amount rounds up
            rule(**STOCK, unit="家"),
            quarterly(110, 120, 130, 140, 150, 192.5),
            "还需新增8家，约每季度1.25家，近四季度平均18.12家；按近期速度，期末可达标",
            id="whole_units_round_the_remaining_amount_up",
        ),
        pytest.param(
            rule(**STOCK, unit="家"),
            quarterly(105, 110, 115, 120, 125, 129.5),
            "还需新增71家，约每季度11.75家，近四季度平均4.88家；按近期速度，期末差42家",
            id="whole_units_round_the_shortfall_up",
        ),
        pytest.param(
            rule(target=200.0),
            quarterly(None, None, None, None, None, 130),
            "还需新增70件，约每季度11.67件",
            id="no_recent_pace",
        ),
        pytest.param(
            rule(**STOCK4, unit="家"),
            yearly((2020, 120), (2021, 140)),
            "还需新增60家，约每年30家，近四年平均20家；按近期速度，期末差20家",
            id="yearly_statistics_speak_per_year",
        ),
    ],
)
def test_pace_words(indicator, figures, words):
    unit = indicator.unit or "件"
    as_of = D(2022, 1, 10) if indicator.frequency == "yearly" else D(2025, 7, 10)
    result = evaluate(indicator, figures, as_of, {q(2025, 1)})
    assert pace_words(result, unit, indicator.frequency) == words


@pytest.mark.parametrize(
    ("indicator", "figures", "words"),
    [
        pytest.param(rule(**STOCK), quarterly(150), "50.0%", id="share"),
        pytest.param(rule("flow", target=42.0), quarterly(106), "已超目标（252.4%）", id="past_the_target"),
        pytest.param(rule("flow", "milestone", target=1.0), quarterly(3), "已完成", id="marker_done_never_300_percent"),
        pytest.param(rule("flow", "milestone", target=1.0), quarterly(0), "尚未完成", id="marker_not_done"),
        pytest.param(rule(**STOCK), [], "—", id="nothing"),
    ],
)
def test_progress_words(indicator, figures, words):
    assert progress_words(evaluate(indicator, figures, D(2024, 4, 1)), indicator.target_form) == words


def test_evaluate_accepts_a_one_shot_iterable():
    assert evaluate(rule(**STOCK), iter(quarterly(110)), D(2024, 4, 1)).current == 110


# ─── Labels and order ──────────────────────────────────────────────────────────────────────────────────


def test_status_labels_follow_the_glossary():
    assert STATUS_LABELS == {
        Status.ACHIEVED: "已达标",
        Status.ON_TRACK: "进度正常",
        Status.AT_RISK: "预警",
        Status.LAGGING: "滞后",
        Status.OVERDUE_REPORT: "逾期未报",
        Status.NO_DATA: "暂无数据",
        Status.INCOMPLETE: "基期缺失",
        Status.MISSED: "未完成",
        Status.AWAITING_REVIEW: "待审核",
        Status.QUALITATIVE: "定性指标",
    }


def test_status_order_ranks_every_status_worst_first():
    assert sorted(STATUS_ORDER) == sorted(Status)
    assert STATUS_ORDER.index(Status.LAGGING) < STATUS_ORDER.index(Status.AT_RISK) < STATUS_ORDER.index(Status.ON_TRACK)
    assert STATUS_ORDER.index(Status.ON_TRACK) < STATUS_ORDER.index(Status.ACHIEVED)


@pytest.mark.parametrize(
    ("history", "status", "since"),
    [
        pytest.param(
            [(q(2024, 1), "at_risk"), (q(2024, 2), "lagging"), (q(2024, 3), "lagging")], "lagging", q(2024, 2), id="run"
        ),
        pytest.param(
            [(q(2024, 1), "lagging"), (q(2024, 2), "on_track"), (q(2024, 3), "lagging")],
            "lagging",
            q(2024, 3),
            id="broken_run",
        ),
        pytest.param([(q(2024, 1), "lagging"), (q(2024, 2), "on_track")], "lagging", None, id="newer_than_history"),
        pytest.param([], "lagging", None, id="no_history"),
    ],
)
def test_status_since_is_the_first_quarter_of_the_unbroken_run(history, status, since):
    from core.progress import status_since

    assert status_since(history, status) == since


def test_overdue_since_is_the_latest_missed_deadline_and_final_day_follows_the_last_deadline():
    from core.progress import final_day, overdue_since, plan_is_over

    indicator = rule(**STOCK)
    assert overdue_since(indicator, D(2025, 7, 16)) == D(2025, 7, 15)
    assert overdue_since(indicator, D(2024, 4, 15)) is None
    assert final_day(indicator) == D(2027, 1, 16)
    assert not plan_is_over(indicator, D(2027, 1, 15)) and plan_is_over(indicator, D(2027, 1, 16))


def test_a_rule_keeps_the_calendar_of_its_own_frequency_and_lag():
    # guards the calendar kept with the rule: a rule made from another (dataclasses.replace) gets its own
    import dataclasses

    from core.progress import final_day, overdue_since

    quarterly_rule = rule(**STOCK)
    assert final_day(quarterly_rule) == D(2027, 1, 16)
    yearly_rule = dataclasses.replace(quarterly_rule, frequency="yearly", reporting_lag_days=120)
    assert yearly_rule.calendar.periods == (D(2024, 12, 31), D(2025, 12, 31), D(2026, 12, 31))
    assert final_day(yearly_rule) == D(2027, 5, 1)  # the day after 2026's figure was due (120 days on)
    assert overdue_since(yearly_rule, D(2025, 7, 16)) == D(2025, 4, 30)
    assert quarterly_rule.calendar.deadlines[0] == D(2024, 4, 15)


# Regression (found by hypothesis): a lower-is-better flow with a growth target on a base of 0 is a cap of 0.
# It used to read "以大于0为达标" and give a value below the cap 100% (lagging) while 0 was on track.
@pytest.mark.parametrize(
    ("value", "status", "progress"),
    [(0.0, Status.ON_TRACK, 0.0), (-0.01, Status.ON_TRACK, 0.0), (1.0, Status.LAGGING, 1.0)],
)
def test_a_lower_is_better_flow_on_a_base_of_zero_is_a_cap_of_zero(value, status, progress):
    cap = rule(measure="flow", form="growth_since_base", target=0.0, base_value=0.0, direction="lower")
    result = evaluate(cap, quarterly(value), D(2024, 7, 1), set())
    assert (result.status, result.progress) == (status, progress)
    assert "以大于0为达标" not in result.reason
