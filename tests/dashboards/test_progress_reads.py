"""The shared progress reads the dashboards and the report use: summaries equal the per-plan rows, the trend,
freshness, and the expected path (linear, compound, from the first report)."""

import datetime as dt

import pytest

from core import progress
from indicators.models import IndicatorProgress, ProgressSnapshot
from indicators.selectors import (
    expected_path,
    expected_value,
    on_track_trend,
    plan_progress,
    plan_summaries,
    scale_origin,
    stored_progress,
)
from tests.dashboards.conftest import AS_OF, QUARTERS

pytestmark = pytest.mark.django_db


def test_statuses_as_of_the_quarter_are_the_known_ones(world):
    rows = {r.indicator.code: r.result.status for r in plan_progress(world.plan, as_of=AS_OF).rows}
    assert rows == {
        "A": "lagging",
        "B": "on_track",
        "C": "at_risk",
        "D": "on_track",
        "E": "on_track",
        "F": "qualitative",
        "G": "incomplete",
    }


@pytest.mark.parametrize("as_of", [None, AS_OF], ids=["latest", "2025Q2"])
def test_summaries_equal_plan_progress(world, as_of):
    summary = plan_summaries([world.plan, world.ended], as_of=as_of)
    for plan in (world.plan, world.ended):
        full = plan_progress(plan, as_of=as_of)
        assert summary[plan.pk].counts == full.counts
        assert summary[plan.pk].indicator_progress == pytest.approx(full.indicator_progress)
        assert summary[plan.pk].time_elapsed == pytest.approx(full.time_elapsed)
        assert summary[plan.pk].on_track_share == pytest.approx(full.on_track_share)
        assert summary[plan.pk].is_final == full.is_final


def test_summaries_compute_what_is_not_stored(world):
    # Regression: a plan whose results were never stored must not look empty on the overview.
    IndicatorProgress.objects.filter(indicator__plan=world.plan).delete()
    ProgressSnapshot.objects.filter(indicator__plan=world.plan).delete()
    for as_of in (None, AS_OF):
        assert (
            plan_summaries([world.plan], as_of=as_of)[world.plan.pk].counts
            == plan_progress(world.plan, as_of=as_of).counts
        )


def test_ended_plan_is_final_with_achieved_and_missed(world):
    summary = plan_summaries([world.ended])[world.ended.pk]
    assert summary.is_final
    assert summary.counts == {"achieved": 1, "missed": 1}


def test_trend_is_the_share_achieved_or_on_track_per_quarter(world):
    trend = dict(on_track_trend([world.plan], until=AS_OF)[world.plan.pk])
    assert list(trend) == QUARTERS
    # 2025Q2: B, D, E on track of six judged (F qualitative is not judged)
    assert trend[AS_OF] == pytest.approx(3 / 6)


def test_freshness_last_approval_and_provisional_figures(world):
    summary = plan_progress(world.plan, as_of=AS_OF)
    assert summary.last_approved_at.date() == dt.date(2025, 7, 10)
    assert [
        (r.indicator.code, r.indicator.latest_provisional, r.indicator.provisional_count) for r in summary.provisional
    ] == [("A", AS_OF, 1)]
    assert not plan_progress(world.plan, as_of=dt.date(2025, 3, 31)).provisional


def test_stored_progress_reads_the_quarter_snapshot(world):
    results = stored_progress([world.a, world.b], as_of=AS_OF)
    assert results[world.a.pk].status == "lagging"
    assert results[world.a.pk].current == 112


def test_expected_value_is_in_the_indicator_unit(world):
    a = plan_progress(world.plan, as_of=AS_OF).rows[0]
    assert scale_origin(a.indicator, a.result) == 100
    assert expected_value(a.indicator, a.result) == pytest.approx(100 + 100 * a.result.expected)
    b = next(r for r in plan_progress(world.plan, as_of=AS_OF).rows if r.indicator.code == "B")
    assert scale_origin(b.indicator, b.result) == 0  # a flow counts from zero, not from a base


def test_compound_growth_path_follows_the_compound_curve(world):
    result = stored_progress([world.c], as_of=AS_OF)[world.c.pk]
    path = dict(expected_path(world.c, result))
    years = (dt.date(2025, 12, 31) - dt.date(2023, 12, 31)).days / 365.25
    assert path[dt.date(2025, 12, 31)] == pytest.approx(50 * 1.08**years)
    assert path[dt.date(2026, 12, 31)] == pytest.approx(50 * 1.08**3)


def test_linear_path_for_an_absolute_target_ends_at_the_target(world):
    result = stored_progress([world.a], as_of=AS_OF)[world.a.pk]
    path = expected_path(world.a, result)
    assert path[0] == (dt.date(2024, 1, 1), pytest.approx(100))
    assert path[-1] == (dt.date(2026, 12, 31), pytest.approx(200))


def test_no_path_for_thresholds_milestones_or_unknown_targets(world):
    for indicator in (world.d, world.e, world.g):
        result = stored_progress([indicator], as_of=AS_OF)[indicator.pk]
        assert expected_path(indicator, result) == []
        assert expected_value(indicator, result) is None


def test_path_starts_at_the_first_report_when_that_is_the_base(world):
    rule_result = progress.Progress(
        status="on_track",
        rule="bands",
        reason_data={},
        base=102,
        end_target=200,
        base_from_first_report=True,
        expected=0.1,
        current=110,
    )
    world.a.base_value = None
    path = expected_path(world.a, rule_result, first_report=dt.date(2024, 3, 31))
    assert path[0] == (dt.date(2024, 3, 31), pytest.approx(102))
