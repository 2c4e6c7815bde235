"""The stored per-plan summary, catalogue entries and comparison rows (indicators.summaries) never disagree
with the live computation (plan_summaries and the comparison's own reads over the stored results): after a
full recompute, after a recompute of a few indicators, and after the paths that remove results or indicators."""

import datetime as dt
from collections import Counter

import pytest

from core.status import STATUS_ORDER, Status
from indicators.models import (
    CatalogueKeySummary,
    ComparisonEntry,
    Indicator,
    IndicatorProgress,
    PlanCatalogueEntry,
    PlanProgressSummary,
    QuarterlyFigure,
    TargetForm,
)
from indicators.selectors import ATTENTION_STATUSES, catalogue_labels, plan_summaries
from indicators.services import indicator_progress_recompute, today
from indicators.summaries import SUMMARY_STATUSES, plans_digest
from ops.demo import demo_figures_load, demo_remove
from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load
from ops.synthetic import synthetic_generate
from plans.models import Plan
from plans.selectors import current_plans
from tests.ops.test_load_plans_sync import BASE, _without_t02, _write

TODAY = dt.date(2026, 11, 27)

pytestmark = pytest.mark.django_db


def _stored(plan_id) -> dict:
    row = PlanProgressSummary.objects.get(plan_id=plan_id)
    return {
        "counts": {s: getattr(row, s.value) for s in SUMMARY_STATUSES if getattr(row, s.value)},
        "attention": row.attention,
        "indicator_progress": row.indicator_progress,
        "is_final": row.is_final,
    }


def _live(plans) -> dict:
    return {
        pk: {
            "counts": dict(s.counts),
            "attention": sum(s.counts.get(a, 0) for a in ATTENTION_STATUSES),
            "indicator_progress": s.indicator_progress,
            "is_final": s.is_final,
        }
        for pk, s in plan_summaries(plans).items()
    }


def assert_stored_equals_live():
    plans = list(Plan.objects.order_by("pk"))
    live = _live(plans)
    assert set(PlanProgressSummary.objects.values_list("plan_id", flat=True)) == set(live)
    for pk, expected in live.items():
        stored = _stored(pk)
        assert stored["counts"] == expected["counts"], pk
        assert stored["attention"] == expected["attention"], pk
        assert stored["is_final"] == expected["is_final"], pk
        assert stored["indicator_progress"] == pytest.approx(expected["indicator_progress"]), pk
    # The comparison's catalogue entries: every comparable indicator by plan, key and name, with a value or not.
    live_entries = Counter()
    for indicator in Indicator.objects.exclude(catalogue_key="").exclude(target_form=TargetForm.QUALITATIVE):
        reported = getattr(getattr(indicator, "progress", None), "current", None) is not None
        live_entries[(indicator.plan_id, indicator.catalogue_key, indicator.name, "n")] += 1
        live_entries[(indicator.plan_id, indicator.catalogue_key, indicator.name, "reported")] += reported
    stored_entries = Counter()
    for entry in PlanCatalogueEntry.objects.all():
        stored_entries[(entry.plan_id, entry.catalogue_key, entry.name, "n")] += entry.indicators
        stored_entries[(entry.plan_id, entry.catalogue_key, entry.name, "reported")] += entry.reported
    assert +stored_entries == +live_entries
    assert_comparison_rows_equal_live()


def _current_plans() -> list[int]:
    return list(current_plans(Plan.objects.all(), today()).values_list("pk", flat=True))


def assert_comparison_rows_equal_live():
    """Each comparable indicator's ComparisonEntry holds what the comparison orders it by, and the key counts,
    where they say they counted today's current plans, are those the page would count on the indicators."""
    comparable = Indicator.objects.exclude(catalogue_key="").exclude(target_form=TargetForm.QUALITATIVE)
    rank = {s: n for n, s in enumerate(STATUS_ORDER)}
    live_rows = {}
    for i in comparable.select_related("plan__city", "progress"):
        stored = getattr(i, "progress", None)
        progress = stored.progress if stored else None
        status_rank = rank[stored.status] if stored else None
        live_rows[i.pk] = (
            i.plan_id,
            i.catalogue_key,
            progress is None,
            progress,
            status_rank,
            i.plan.city.code,
            i.order,
        )
    stored_rows = {
        e.pk: (e.plan_id, e.catalogue_key, e.progress_missing, e.progress, e.status_rank, e.city_code, e.order)
        for e in ComparisonEntry.objects.all()
    }
    assert stored_rows == live_rows
    current = _current_plans()
    counted = comparable.filter(plan__in=current)
    labels = catalogue_labels(counted)
    live_keys = {
        k: {
            "name": labels[k],
            "cities": counted.filter(catalogue_key=k).values("plan").distinct().count(),
            "reported": counted.filter(catalogue_key=k, progress__current__isnull=False)
            .values("plan")
            .distinct()
            .count(),
            "indicators": counted.filter(catalogue_key=k).count(),
        }
        for k in labels
    }
    stored_keys = CatalogueKeySummary.objects.filter(plans_digest=plans_digest(current))
    if stored_keys.exists():
        assert {
            k.catalogue_key: {"name": k.name, "cities": k.cities, "reported": k.reported, "indicators": k.indicators}
            for k in stored_keys
        } == live_keys
        marked = ComparisonEntry.objects.filter(is_current=True).values_list("pk", flat=True)
        assert set(marked) == set(counted.values_list("pk", flat=True))


@pytest.fixture
def generated(db):
    synthetic_generate(cities=6, indicators_per_city=12, quarters=8, seed=3)
    indicator_progress_recompute()
    return list(Plan.objects.order_by("pk"))


def test_a_full_recompute_stores_every_plans_summary_as_computed_live(generated):
    assert PlanProgressSummary.objects.count() == len(generated)
    # The comparison reads its keys stored: they counted today's current plans.
    assert set(CatalogueKeySummary.objects.values_list("plans_digest", flat=True)) == {plans_digest(_current_plans())}
    assert_stored_equals_live()
    # The generated data has plans needing attention: the comparison above compares something.
    assert any(_stored(p.pk)["attention"] for p in generated)


def test_a_recompute_of_some_indicators_refreshes_their_plans(generated):
    plan = generated[0]
    before = _stored(plan.pk)
    worst = list(
        Indicator.objects.filter(plan=plan, progress__status__in=[Status.ON_TRACK, Status.ACHIEVED]).values_list(
            "pk", flat=True
        )
    )
    assert worst
    # Their figures withdrawn, the indicators are overdue or without data: the plan's counts move.
    QuarterlyFigure.objects.filter(indicator__in=worst).update(status=QuarterlyFigure.Status.RETURNED)
    indicator_progress_recompute(indicator_ids=(pk for pk in worst))  # read once only: a generator will do
    assert _stored(plan.pk) != before
    assert_stored_equals_live()


def test_a_removed_plan_takes_its_summary_with_it(generated):
    generated[1].delete()
    assert not PlanProgressSummary.objects.filter(plan_id=generated[1].pk).exists()
    assert_stored_equals_live()


def test_removing_the_demo_recounts_the_plans_it_leaves_without_results(db):
    for path in sorted(PLAN_FIXTURE_DIR.glob("*.yaml")):
        plan_fixture_load(path=path)
    demo_figures_load(today=TODAY)
    assert_stored_equals_live()
    demo_remove(today=TODAY)
    assert not IndicatorProgress.objects.filter(indicator__figures__isnull=True).exists()
    assert_stored_equals_live()


def test_a_plan_document_load_recounts_its_plan(generated, tmp_path):
    plan_fixture_load(path=_write(tmp_path, BASE))
    # Stored before any figure is due (暂无数据 raises no flag, so the loader may remove the row).
    indicator_progress_recompute(
        indicator_ids=Indicator.objects.filter(plan__code=BASE["plan"]["code"]).values_list("pk", flat=True),
        as_of=dt.date(2024, 2, 1),
    )
    assert IndicatorProgress.objects.filter(indicator__code="T-02").exists()
    assert_stored_equals_live()
    plan_fixture_load(path=_without_t02(tmp_path))
    assert not Indicator.objects.filter(code="T-02").exists()
    assert_stored_equals_live()
