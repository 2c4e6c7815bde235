"""Stored progress: recompute, history, lag flags, target groups, bounded queries, the progress API."""

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import Role
from indicators.models import IndicatorProgress, LagFlag, ProgressSnapshot, QuarterlyFigure, TargetGroup
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from indicators.tasks import indicator_recompute_task
from tests.factories import FigureFactory, IndicatorFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 7, 20)  # 2025Q2 reported; the plan runs 2024-01-01 .. 2026-12-31


def _quarters(until: dt.date):
    q = dt.date(2024, 3, 31)
    while q <= until:
        yield q
        month = q.month + 3 if q.month < 12 else 3
        year = q.year if q.month < 12 else q.year + 1
        q = dt.date(year, month, 31 if month in (3, 12) else 30)


def _stock_path(indicator, share_per_quarter: float, until=dt.date(2025, 6, 30)):
    """A stock going from 100 towards 200 at the given share of the target per quarter."""
    for n, q in enumerate(_quarters(until), start=1):
        FigureFactory(indicator=indicator, period_end=q, value=Decimal(100 + 100 * share_per_quarter * n))


def test_recompute_stores_result_with_its_numbers():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.0833)
    indicator_progress_recompute(as_of=AS_OF)
    stored = IndicatorProgress.objects.get(indicator=indicator)
    assert stored.status == "on_track"
    assert stored.data_date == dt.date(2025, 6, 30)
    assert stored.end_target == 200
    assert stored.progress == pytest.approx(0.5, abs=0.01)
    assert stored.expected == pytest.approx(stored.time_elapsed)
    assert stored.reason


def test_recompute_twice_changes_nothing():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.02)
    indicator_progress_recompute(as_of=AS_OF)
    first = IndicatorProgress.objects.values().get(indicator=indicator)
    indicator_progress_recompute(as_of=AS_OF)
    second = IndicatorProgress.objects.values().get(indicator=indicator)
    first.pop("computed_at"), second.pop("computed_at")
    assert first == second
    assert LagFlag.objects.count() == 1
    assert ProgressSnapshot.objects.count() == 1


def test_lag_flag_is_raised_then_cleared_when_the_indicator_recovers():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.02)
    indicator_progress_recompute(as_of=AS_OF)
    flag = LagFlag.objects.get(indicator=indicator)
    assert (flag.status, flag.raised_on, flag.cleared_on) == ("lagging", AS_OF, None)

    FigureFactory(indicator=indicator, period_end=dt.date(2025, 9, 30), value=Decimal("190"))
    later = dt.date(2025, 10, 20)
    indicator_progress_recompute(as_of=later)
    flag.refresh_from_db()
    assert flag.cleared_on == later
    assert IndicatorProgress.objects.get(indicator=indicator).status == "on_track"


def test_status_since_is_kept_while_the_status_stays():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.02)
    indicator_progress_recompute(as_of=AS_OF)
    indicator_progress_recompute(as_of=dt.date(2025, 8, 30))
    assert IndicatorProgress.objects.get(indicator=indicator).status_since == dt.date(2025, 6, 30)


def test_a_missing_report_turns_overdue_and_a_submitted_one_does_not():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.0833, until=dt.date(2025, 3, 31))
    indicator_progress_recompute(as_of=AS_OF)
    assert IndicatorProgress.objects.get(indicator=indicator).status == "overdue_report"

    FigureFactory(indicator=indicator, period_end=dt.date(2025, 6, 30), status=QuarterlyFigure.Status.SUBMITTED)
    indicator_progress_recompute(as_of=AS_OF)
    stored = IndicatorProgress.objects.get(indicator=indicator)
    assert stored.status != "overdue_report"
    assert "待审核" in stored.reason


def test_only_the_approved_latest_version_counts():
    indicator = IndicatorFactory(target_value=Decimal("150"))
    FigureFactory(
        indicator=indicator,
        period_end=dt.date(2024, 3, 31),
        value=Decimal("200"),
        status=QuarterlyFigure.Status.SUPERSEDED,
    )
    FigureFactory(indicator=indicator, period_end=dt.date(2024, 3, 31), value=Decimal("110"), version=2)
    FigureFactory(
        indicator=indicator, period_end=dt.date(2024, 6, 30), value=Decimal("999"), status=QuarterlyFigure.Status.DRAFT
    )
    indicator_progress_recompute(as_of=dt.date(2024, 5, 1))
    assert IndicatorProgress.objects.get(indicator=indicator).current == 110


def test_rows_of_a_target_group_are_judged_on_their_sum():
    plan = PlanFactory()
    group = TargetGroup.objects.create(
        plan=plan, code="G1", name="合计", target_value=Decimal("42"), unit="个", measure_type="flow"
    )
    a, b = (
        IndicatorFactory(
            plan=plan,
            measure_type="flow",
            target_value=None,
            base_value=None,
            base_year=None,
            target_group=group,
            unit="个",
        )
        for _ in range(2)
    )
    FigureFactory(indicator=a, period_end=dt.date(2024, 3, 31), value=Decimal("30"))
    FigureFactory(indicator=b, period_end=dt.date(2024, 3, 31), value=Decimal("12"))
    indicator_progress_recompute(as_of=dt.date(2024, 4, 20))
    for row in (a, b):
        stored = IndicatorProgress.objects.get(indicator=row)
        assert (stored.status, stored.current, stored.end_target) == ("achieved", 42, 42)


def test_history_has_one_snapshot_per_closed_quarter():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.0833)
    count = indicator_history_rebuild(until=AS_OF)
    quarters = list(ProgressSnapshot.objects.filter(indicator=indicator).values_list("quarter_end", flat=True))
    assert count == len(quarters) == 6
    assert quarters[-1] == dt.date(2025, 6, 30)


def test_recompute_queries_do_not_grow_with_indicators(django_assert_max_num_queries):
    plan = PlanFactory()
    for _ in range(3):
        _stock_path(IndicatorFactory(plan=plan), 0.05)
    # seven read and write the chunk's plans' summaries and catalogue entries, two of them the id bounds of
    # their stored results' join (issue 20); three read what is stored, so an unchanged row is not rewritten;
    # nine write the comparison's rows and, their entries new, recount its keys across every city's current
    # plan (issue 20)
    with django_assert_max_num_queries(30) as small:
        indicator_progress_recompute(as_of=AS_OF)
    for _ in range(30):
        _stock_path(IndicatorFactory(plan=plan), 0.02)
    with django_assert_max_num_queries(len(small.captured_queries)):
        indicator_progress_recompute(as_of=AS_OF)


def test_recompute_task_for_a_vanished_indicator_logs_and_returns(caplog):
    indicator_recompute_task.delay(987654)
    assert "vanished" in caplog.text


def test_recompute_task_stores_latest_and_history():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.0833)
    indicator_recompute_task.delay(indicator.pk)
    assert IndicatorProgress.objects.filter(indicator=indicator).exists()
    assert ProgressSnapshot.objects.filter(indicator=indicator).count() >= 6


# --- API -----------------------------------------------------------------------------------------------


@pytest.fixture
def staff_and_indicator():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.0833)
    return make_user("alice", Role.BUREAU_STAFF, city=indicator.plan.city), indicator


def test_api_indicator_progress_as_of(client, staff_and_indicator):
    user, indicator = staff_and_indicator
    client.force_login(user)
    body = client.get(f"/api/v1/indicators/{indicator.pk}/progress/", {"as_of": "2025-07-20"}).json()
    assert (body["status"], body["label"], body["data_date"]) == ("on_track", "进度正常", "2025-06-30")
    earlier = client.get(f"/api/v1/indicators/{indicator.pk}/progress/", {"as_of": "2024-04-20"}).json()
    assert earlier["data_date"] == "2024-03-31"


def test_api_status_since_is_the_date_the_history_gives(client):
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.02)
    indicator_history_rebuild(until=AS_OF)
    client.force_login(make_user("alice", Role.BUREAU_STAFF, city=indicator.plan.city))
    body = client.get(f"/api/v1/indicators/{indicator.pk}/progress/", {"as_of": "2025-06-30"}).json()
    assert (body["status"], body["status_since"]) == ("lagging", "2024-09-30")
    plan = client.get(f"/api/v1/plans/{indicator.plan.pk}/progress/", {"as_of": "2025-06-30"}).json()
    assert plan["indicators"][0]["status_since"] == "2024-09-30"


def test_api_progress_refuses_a_bad_date_naming_the_field(client, staff_and_indicator):
    user, indicator = staff_and_indicator
    client.force_login(user)
    response = client.get(f"/api/v1/indicators/{indicator.pk}/progress/", {"as_of": "2025-13-01"})
    assert response.status_code == 400
    assert "截至日期格式" in response.json()["as_of"][0]


def test_api_progress_of_another_city_is_404(client, staff_and_indicator):
    _, indicator = staff_and_indicator
    stranger = IndicatorFactory()
    client.force_login(make_user("bob", Role.BUREAU_STAFF, city=stranger.plan.city))
    assert client.get(f"/api/v1/indicators/{indicator.pk}/progress/").status_code == 404
    assert client.get(f"/api/v1/plans/{indicator.plan.pk}/progress/").status_code == 404


def test_api_plan_progress_counts_by_status(client, staff_and_indicator):
    user, indicator = staff_and_indicator
    IndicatorFactory(plan=indicator.plan)  # nothing reported: overdue by mid-2025
    client.force_login(user)
    body = client.get(f"/api/v1/plans/{indicator.plan.pk}/progress/", {"as_of": "2025-07-20"}).json()
    assert body["counts"]["on_track"] == 1
    assert body["counts"]["overdue_report"] == 1
    assert len(body["indicators"]) == 2


def test_a_figure_of_one_group_row_recomputes_the_whole_group():
    plan = PlanFactory()
    group = TargetGroup.objects.create(
        plan=plan, code="G1", name="合计", target_value=Decimal("42"), unit="个", measure_type="flow"
    )
    a, b = (
        IndicatorFactory(
            plan=plan,
            measure_type="flow",
            target_value=None,
            base_value=None,
            base_year=None,
            target_group=group,
            unit="个",
        )
        for _ in range(2)
    )
    FigureFactory(indicator=a, period_end=dt.date(2024, 3, 31), value=Decimal("40"))
    indicator_recompute_task.delay(a.pk)
    assert IndicatorProgress.objects.get(indicator=b).current == 40


def test_the_nightly_snapshot_equals_the_rebuilt_one():
    """Regression: the snapshot of the last closed quarter is judged as of that quarter's end, not today."""
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.0833, until=dt.date(2025, 3, 31))
    indicator_progress_recompute(as_of=AS_OF)  # 2025Q2 is overdue today, but was not at 2025-06-30
    nightly = ProgressSnapshot.objects.values("status", "reason").get(quarter_end=dt.date(2025, 6, 30))
    indicator_history_rebuild(until=AS_OF)
    rebuilt = ProgressSnapshot.objects.values("status", "reason").get(quarter_end=dt.date(2025, 6, 30))
    assert nightly == rebuilt
    assert IndicatorProgress.objects.get(indicator=indicator).status == "overdue_report"


def _group_of_two(plan, *, own_target_row=False):
    group = TargetGroup.objects.create(
        plan=plan, code="G1", name="合计", target_value=Decimal("42"), unit="个", measure_type="flow"
    )
    rows = [
        IndicatorFactory(
            plan=plan, measure_type="flow", target_value=None, base_value=None, base_year=None, target_group=group
        )
        for _ in range(2)
    ]
    for row, value in zip(rows, ("30", "76"), strict=True):
        FigureFactory(indicator=row, period_end=dt.date(2024, 3, 31), value=Decimal(value))
    return rows


@pytest.mark.parametrize("stored", [True, False], ids=["stored", "computed"])
def test_a_target_group_is_counted_once_everywhere(stored):
    # Regression (issue 11): Zunyi's two rows sharing one target of 42 were counted twice in 已达标.
    from indicators.selectors import on_track_trend, plan_progress, plan_summaries

    plan = PlanFactory()
    rows = _group_of_two(plan)
    alone = IndicatorFactory(plan=plan)
    FigureFactory(indicator=alone, period_end=dt.date(2024, 3, 31), value=Decimal("105"))
    as_of = dt.date(2024, 4, 20)
    if stored:
        indicator_progress_recompute(as_of=as_of)
        indicator_history_rebuild(until=as_of)
    full = plan_progress(plan, as_of=dt.date(2024, 3, 31))
    assert [r.result.current for r in full.rows if r.indicator in rows] == [106, 106]  # each row shows the sum
    assert full.counts == {"achieved": 1, "on_track": 1}
    summary = plan_summaries([plan], as_of=dt.date(2024, 3, 31))[plan.pk]
    assert summary.counts == full.counts
    assert summary.indicator_progress == pytest.approx(full.indicator_progress) == pytest.approx((1 + 0.05) / 2)
    if stored:
        assert on_track_trend([plan], until=as_of)[plan.pk] == [(dt.date(2024, 3, 31), 1.0)]


def _snapshot_statuses(indicator):
    return list(ProgressSnapshot.objects.filter(indicator=indicator).values_list("quarter_end", "status"))


def test_status_since_is_the_start_of_the_unbroken_run_in_the_history():
    # Regression (issue 11): every item said "自2026-09-30 滞后" whatever its own history showed.
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.02)
    indicator_history_rebuild(until=AS_OF)
    indicator_progress_recompute(as_of=AS_OF)
    history = _snapshot_statuses(indicator)
    assert [s for _, s in history[:3]] == ["at_risk", "at_risk", "lagging"]
    assert {s for _, s in history[2:]} == {"lagging"}
    stored = IndicatorProgress.objects.get(indicator=indicator)
    assert (stored.status, stored.status_since) == ("lagging", dt.date(2024, 9, 30))


def test_an_ended_plan_is_dated_from_its_plan_end_snapshot():
    plan = PlanFactory(period_start=dt.date(2020, 1, 1), period_end=dt.date(2023, 12, 31))
    indicator = IndicatorFactory(plan=plan, base_year=2019)
    for year in range(2020, 2024):
        for month, day in ((3, 31), (6, 30), (9, 30), (12, 31)):
            quarter = dt.date(year, month, day)
            FigureFactory(indicator=indicator, period_end=quarter, value=Decimal("150"))
    today = dt.date(2026, 12, 1)
    indicator_history_rebuild(until=today)
    indicator_progress_recompute(as_of=today)
    stored = IndicatorProgress.objects.get(indicator=indicator)
    assert (stored.status, stored.rule, stored.status_since) == ("missed", "plan_over", dt.date(2023, 12, 31))
    last = ProgressSnapshot.objects.get(indicator=indicator, quarter_end=dt.date(2023, 12, 31))
    assert (last.status, last.rule) == ("missed", "plan_over")
    assert ProgressSnapshot.objects.get(indicator=indicator, quarter_end=dt.date(2023, 9, 30)).status == "lagging"


def test_a_newly_overdue_report_dates_from_its_deadline():
    indicator = IndicatorFactory()
    _stock_path(indicator, 0.09, until=dt.date(2025, 3, 31))
    indicator_history_rebuild(until=AS_OF)
    indicator_progress_recompute(as_of=AS_OF)
    stored = IndicatorProgress.objects.get(indicator=indicator)
    assert (stored.status, stored.status_since) == ("overdue_report", dt.date(2025, 7, 15))
