"""The stored per-plan summary (indicators.summaries) never disagrees with the live computation
(plan_summaries over the stored results): after a full recompute, after a recompute of a few indicators, and
after the paths that remove results or indicators."""

import datetime as dt
from collections import Counter

import pytest

from core.status import Status
from indicators.models import (
    Indicator,
    IndicatorProgress,
    PlanCatalogueEntry,
    PlanProgressSummary,
    QuarterlyFigure,
    TargetForm,
)
from indicators.selectors import ATTENTION_STATUSES, plan_summaries
from indicators.services import indicator_progress_recompute
from indicators.summaries import SUMMARY_STATUSES
from ops.demo import demo_figures_load, demo_remove
from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load
from ops.synthetic import synthetic_generate
from plans.models import Plan
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


@pytest.fixture
def generated(db):
    synthetic_generate(cities=6, indicators_per_city=12, quarters=8, seed=3)
    indicator_progress_recompute()
    return list(Plan.objects.order_by("pk"))


def test_a_full_recompute_stores_every_plans_summary_as_computed_live(generated):
    assert PlanProgressSummary.objects.count() == len(generated)
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
