"""The recompute's fast path stores what the engine says: the rules it reads as columns, its chunks selected by
their ends, its latest result and snapshot measured once, its reasons rendered once per chunk in the site's
language and its skipping of unchanged rows give, on every kind of indicator, exactly what progress_evaluate()
computes from model instances for the same dates (the path the dashboards take for dates not stored)."""

import datetime as dt
import gc
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import translation

from indicators import services
from indicators.models import (
    Indicator,
    IndicatorProgress,
    InterimTarget,
    ProgressSnapshot,
    QuarterlyFigure,
    TargetGroup,
)
from tests.factories import FigureFactory, IndicatorFactory, PlanFactory

pytestmark = pytest.mark.django_db

QUARTERS = [dt.date(2024, 3, 31), dt.date(2024, 6, 30), dt.date(2024, 9, 30), dt.date(2024, 12, 31)]
QUARTERS += [dt.date(2025, 3, 31), dt.date(2025, 6, 30), dt.date(2025, 9, 30)]
DAYS = [dt.date(2024, 8, 3), dt.date(2025, 7, 10), dt.date(2025, 7, 20), dt.date(2025, 10, 16), dt.date(2027, 2, 1)]


@pytest.fixture
def world():
    """Two plans with every measure type and target form, interim targets, a target group (two rows sharing its
    target, one with its own), ratio figures, a yearly statistic, a figure awaiting review, a negative value."""
    first, second = PlanFactory(), PlanFactory(period_start=dt.date(2024, 1, 1), period_end=dt.date(2025, 12, 31))
    kinds = [
        {"measure_type": "stock", "target_form": "absolute"},
        {"measure_type": "stock", "target_form": "growth_since_base", "target_value": Decimal("30")},
        {"measure_type": "stock", "target_form": "compound_growth", "target_value": Decimal("8")},
        {"measure_type": "stock", "target_form": "absolute", "base_value": None, "base_year": None},
        {"measure_type": "flow", "target_form": "absolute", "base_value": None, "target_value": Decimal("900")},
        {"measure_type": "flow", "target_form": "milestone", "target_value": Decimal("1"), "base_value": None},
        {"measure_type": "flow", "target_form": "per_year_increment", "target_value": Decimal("80")},
        {"measure_type": "flow", "target_form": "absolute", "direction": "lower", "target_value": Decimal("500")},
        {"measure_type": "annual", "target_form": "absolute", "target_value": Decimal("700")},
        {"measure_type": "rate", "target_form": "threshold", "target_value": Decimal("60"), "is_ratio": True},
        {"measure_type": "rate", "target_form": "absolute", "target_value": Decimal("75")},
        {"measure_type": "stock", "target_form": "qualitative", "target_value": None},
        {"measure_type": "stock", "target_form": "growth_since_base", "base_value": None},
        {"measure_type": "stock", "target_form": "absolute", "frequency": "yearly", "reporting_lag_days": 120},
    ]
    for plan, pace in ((first, 7), (second, 3)):
        for n, kind in enumerate(kinds):
            indicator = IndicatorFactory(plan=plan, **kind)
            periods = [dt.date(2024, 12, 31)] if kind.get("frequency") == "yearly" else QUARTERS
            for q, period_end in enumerate(periods, start=1):
                if (n + q) % 5 == 0:
                    continue  # a gap: some periods are overdue or awaiting
                value = Decimal(100 + pace * q * (n % 4 + 1) - (30 if n == 7 and q == 2 else 0))
                ratio = {"numerator": Decimal(50 + q), "denominator": Decimal(80)} if kind.get("is_ratio") else {}
                FigureFactory(indicator=indicator, period_end=period_end, value=value, **ratio)
            if n == 0:
                InterimTarget.objects.create(indicator=indicator, date=dt.date(2024, 12, 31), value=Decimal("160"))
            if n == 1:
                FigureFactory(
                    indicator=indicator,
                    period_end=dt.date(2025, 3, 31),
                    value=Decimal("150"),
                    version=2,
                    status=QuarterlyFigure.Status.SUBMITTED,
                )
        group = TargetGroup.objects.create(
            plan=plan, code="G", name="合计", target_value=Decimal("420"), unit="个", measure_type="flow"
        )
        for own in (None, None, Decimal("90")):
            row = IndicatorFactory(
                plan=plan, measure_type="flow", target_value=own, base_value=None, base_year=None, target_group=group
            )
            for q, period_end in enumerate(QUARTERS[:5], start=1):
                FigureFactory(indicator=row, period_end=period_end, value=Decimal(10 * q + pace))
    return first, second


def _expected(as_of: dt.date) -> tuple[dict, dict]:
    """Latest results and last-quarter snapshots as progress_evaluate() gives them, in the stored columns."""
    indicators = list(Indicator.objects.select_related("plan", "target_group"))
    latest = services.progress_evaluate(indicators, as_of=as_of)
    snapshots = {}
    for indicator in indicators:
        rule = services.indicator_rule(indicator)
        quarter_end = min(services._last_quarter_by(as_of), services._last_plan_quarter(rule.plan))
        day = services._snapshot_day(rule, quarter_end, until=as_of)
        snapshots[(indicator.pk, quarter_end)] = services.progress_evaluate([indicator], as_of=day)[indicator.pk]
    with translation.override(settings.LANGUAGE_CODE):
        rows = {pk: {name: getattr(r, name) for name in services.LATEST_FIELDS} for pk, r in latest.items()}
        history = {key: {name: getattr(r, name) for name in services.PROGRESS_FIELDS} for key, r in snapshots.items()}
    return rows, history


def _stored(as_of: dt.date) -> tuple[dict, dict]:
    rows = {r.pop("indicator_id"): r for r in IndicatorProgress.objects.values("indicator_id", *services.LATEST_FIELDS)}
    quarters = {key for key in _expected_keys(as_of)}
    history = {
        (r.pop("indicator_id"), r.pop("quarter_end")): r
        for r in ProgressSnapshot.objects.values("indicator_id", "quarter_end", *services.PROGRESS_FIELDS)
    }
    return rows, {key: row for key, row in history.items() if key in quarters}


def _expected_keys(as_of: dt.date):
    for indicator in Indicator.objects.select_related("plan"):
        plan_end = services._last_quarter_by(indicator.plan.period_end)
        yield indicator.pk, min(services._last_quarter_by(as_of), plan_end)


@pytest.mark.parametrize("chunk", [2000, 5])
def test_every_kind_of_indicator_is_stored_as_the_engine_judges_it_day_after_day(world, monkeypatch, chunk):
    monkeypatch.setattr(services, "CHUNK", chunk)  # 5: chunks end inside plans and split the target group
    for as_of in DAYS:
        with translation.override("en"):  # a reader's language: the stored reason is still the site's
            services.indicator_progress_recompute(as_of=as_of)
        assert _stored(as_of) == _expected(as_of), as_of


def test_a_changed_figure_rewrites_its_rows_and_only_those(world):
    services.indicator_progress_recompute(as_of=DAYS[2])
    before = dict(IndicatorProgress.objects.values_list("indicator_id", "computed_at"))
    figure = QuarterlyFigure.objects.filter(indicator__target_group__isnull=True, period_end=QUARTERS[5]).first()
    figure.value += 40
    figure.save()
    services.indicator_progress_recompute(as_of=DAYS[2])
    after = dict(IndicatorProgress.objects.values_list("indicator_id", "computed_at"))
    assert {pk for pk in after if after[pk] != before[pk]} == {figure.indicator_id}
    assert _stored(DAYS[2]) == _expected(DAYS[2])


def test_the_collector_is_paused_only_while_a_chunk_is_worked_on(world, monkeypatch):
    seen = []
    recompute_chunk = services._recompute_chunk
    monkeypatch.setattr(
        services, "_recompute_chunk", lambda *a, **k: seen.append(gc.isenabled()) or recompute_chunk(*a, **k)
    )
    assert gc.isenabled()
    services.indicator_progress_recompute(as_of=DAYS[1])
    assert seen == [False] and gc.isenabled()

    def broken(*args, **kwargs):
        raise RuntimeError("a chunk that fails")

    monkeypatch.setattr(services, "_recompute_chunk", broken)
    with pytest.raises(RuntimeError):
        services.indicator_progress_recompute(as_of=DAYS[1])
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        monkeypatch.setattr(services, "_recompute_chunk", recompute_chunk)
        services.indicator_progress_recompute(as_of=DAYS[1])
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_the_history_rebuilt_in_chunks_is_the_engine_at_every_quarter_end(world, monkeypatch):
    monkeypatch.setattr(services, "CHUNK", 5)
    until = DAYS[-1]  # the shorter plan is over: its last snapshot holds the final verdict
    services.indicator_history_rebuild(until=until)
    stored = {
        (r.pop("indicator_id"), r.pop("quarter_end")): r
        for r in ProgressSnapshot.objects.values("indicator_id", "quarter_end", *services.PROGRESS_FIELDS)
    }
    expected = {}
    for indicator in Indicator.objects.select_related("plan", "target_group"):
        rule = services.indicator_rule(indicator)
        for quarter_end in services.progress.plan_periods(rule.plan):
            day = services._snapshot_day(rule, quarter_end, until=until)
            result = services.progress_evaluate([indicator], as_of=day)[indicator.pk]
            with translation.override(settings.LANGUAGE_CODE):
                expected[(indicator.pk, quarter_end)] = {
                    name: getattr(result, name) for name in services.PROGRESS_FIELDS
                }
    assert stored == expected
