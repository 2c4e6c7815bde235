"""A full recompute and a history rebuild work a chunk of indicators at a time (indicators.services.CHUNK), so
their memory does not grow with the number of cities: the stored results are the same whatever the chunk,
a target group split across two chunks is still judged on its sum, and queries grow with chunks only."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators import services
from indicators.models import Indicator, IndicatorProgress, ProgressSnapshot, QuarterlyFigure, TargetGroup
from tests.factories import FigureFactory, IndicatorFactory, PlanFactory

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 7, 20)
QUARTERS = [dt.date(2024, 3, 31), dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2024, 12, 31)]


def _stored() -> tuple[list, list]:
    latest = IndicatorProgress.objects.order_by("indicator_id").values_list(
        "indicator_id", "status", "current", "expected", "status_since"
    )
    history = ProgressSnapshot.objects.order_by("indicator_id", "quarter_end").values_list(
        "indicator_id", "quarter_end", "status", "current"
    )
    return list(latest), list(history)


@pytest.fixture
def plans():
    """Two plans of four indicators, and a target group whose two rows are the last of the first plan."""
    first, second = PlanFactory(), PlanFactory()
    for plan, pace in ((first, 4), (second, 9)):
        for n in range(3 if plan is first else 4):
            indicator = IndicatorFactory(plan=plan)
            for q, quarter in enumerate(QUARTERS, start=1):
                FigureFactory(indicator=indicator, period_end=quarter, value=Decimal(100 + pace * q + n))
    group = TargetGroup.objects.create(
        plan=first, code="G1", name="合计", target_value=Decimal("42"), unit="个", measure_type="flow"
    )
    for value in ("30", "12"):
        row = IndicatorFactory(
            plan=first, measure_type="flow", target_value=None, base_value=None, base_year=None, target_group=group
        )
        FigureFactory(indicator=row, period_end=QUARTERS[0], value=Decimal(value))
    return first, second


def test_results_do_not_depend_on_the_chunk(plans, monkeypatch):
    services.indicator_history_rebuild(until=AS_OF)
    services.indicator_progress_recompute(as_of=AS_OF)
    whole = _stored()
    IndicatorProgress.objects.all().delete()
    ProgressSnapshot.objects.all().delete()

    monkeypatch.setattr(services, "CHUNK", 4)  # the group's two rows fall into different chunks
    assert services.indicator_history_rebuild(until=AS_OF) == len(whole[1])
    assert services.indicator_progress_recompute(as_of=AS_OF) == 9
    assert _stored() == whole
    group_rows = IndicatorProgress.objects.filter(indicator__target_group__isnull=False)
    assert {(p.status, p.current) for p in group_rows} == {("achieved", 42)}


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as context:
        run()
    return len(context.captured_queries)


def test_queries_grow_with_chunks_not_with_indicators(plans, monkeypatch):
    def recompute():
        services.indicator_progress_recompute(as_of=AS_OF)

    one_chunk = _queries(recompute)
    monkeypatch.setattr(services, "CHUNK", 3)  # 9 indicators: three chunks
    three_chunks = _queries(recompute)
    per_chunk = (three_chunks - one_chunk) / 2
    assert 0 < per_chunk <= one_chunk
    assert three_chunks == one_chunk + 2 * per_chunk


def _members(chunk) -> list[int]:
    return sorted(Indicator.objects.filter(chunk.filter()).values_list("pk", flat=True))


def test_the_chunks_keep_a_plan_together_and_cover_every_indicator(plans, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 5)
    chunks = list(services._chunked(None))
    assert [len(_members(c)) for c in chunks] == [5, 4]
    first, _ = plans
    assert set(first.indicators.values_list("pk", flat=True)) == set(_members(chunks[0]))
    assert [list(c.ids) for c in services._chunked([9, 3, 3, 7])] == [[3, 7, 9]]


def test_a_stretch_of_the_plan_order_selects_its_indicators_and_theirs_only(plans, monkeypatch):
    # a chunk is selected by its two ends: every indicator lies in exactly one, also when a chunk ends inside
    # a plan, and the filter on a model of the indicators (figures) selects the same ones
    everyone = sorted(Indicator.objects.values_list("pk", flat=True))
    for size in (1, 2, 3, 4, 7, 9, 10):
        monkeypatch.setattr(services, "CHUNK", size)
        chunks = list(services._chunked(None))
        members = [_members(c) for c in chunks]
        assert sorted(pk for m in members for pk in m) == everyone
        assert all(0 < len(m) <= size for m in members)
        for chunk, pks in zip(chunks, members, strict=True):
            assert chunk.pks == (pks[0], pks[-1])  # the pk bounds, redundant, select nothing more
            figures = QuarterlyFigure.objects.filter(chunk.filter("indicator__"))
            assert set(figures.values_list("indicator_id", flat=True)) == set(pks).intersection(
                QuarterlyFigure.objects.values_list("indicator_id", flat=True)
            )


def test_a_chunks_figures_are_read_by_indicator_without_the_plans_and_cities(plans):
    # guards the figure read of every chunk: the model's ordering (indicator → plan → city code) joined and
    # sorted by the plans and cities, and without its pk bounds a stretch read every figure of the deployment
    chunk = next(services._chunked(None))
    _, summed_from = services._rules_read(chunk)
    with CaptureQueriesContext(connection) as context:
        figures, _ = services._inputs(summed_from, chunk=chunk)
    (read,) = [q["sql"] for q in context.captured_queries if "indicators_quarterlyfigure" in q["sql"]]
    assert "plans_" not in read
    assert f"BETWEEN {chunk.pks[0]} AND {chunk.pks[1]}" in read
    # one chunk, every figure: seven indicators' own, and the group's rows each fed its one summed quarter
    assert sum(map(len, figures.values())) == QuarterlyFigure.objects.count()
