"""The recompute queue (issue 18): a change marks its indicators in its own transaction, and the task, the
one-minute sweep or the nightly job rebuilds them; a lost message delays a recompute but never loses it."""

import datetime as dt
from decimal import Decimal

import pytest
from celery.schedules import crontab
from django.db import transaction

from indicators import recompute, services
from indicators.models import IndicatorProgress, ProgressSnapshot, RecomputeMark, TargetGroup
from indicators.tasks import progress_recompute_all_task, progress_recompute_dirty_task, recompute_after_commit
from tests.factories import FigureFactory, IndicatorFactory
from tests.indicators.fresh import fresh_progress, stored_progress

pytestmark = pytest.mark.django_db


def _reported(indicator, values=(120, 130, 140)):
    year = indicator.plan.period_start.year
    for month, value in zip((3, 6, 9), values, strict=False):
        day = 31 if month in (3, 12) else 30
        FigureFactory(indicator=indicator, period_end=dt.date(year, month, day), value=Decimal(value))


def test_the_mark_commits_or_rolls_back_with_the_change():
    kept, undone = IndicatorFactory(), IndicatorFactory()
    with transaction.atomic():
        recompute_after_commit(kept.pk)
    with pytest.raises(RuntimeError), transaction.atomic():
        recompute_after_commit(undone.pk)
        raise RuntimeError("the approval failed")
    assert list(RecomputeMark.objects.values_list("indicator_id", flat=True)) == [kept.pk]


def test_a_lost_message_is_caught_up_by_the_sweep_with_latest_and_every_snapshot():
    """Regression (issue 18): a recompute whose message was lost left the history stale until the next
    approval, and the nightly job repaired only the latest result."""
    indicator = IndicatorFactory()
    _reported(indicator, values=(120,))
    services.indicator_progress_recompute(indicator_ids=[indicator.pk])
    services.indicator_history_rebuild(indicator_ids=[indicator.pk])
    stale = stored_progress([indicator.pk])
    _reported_later = FigureFactory(  # approved while the broker was down: marked, never sent
        indicator=indicator, period_end=dt.date(indicator.plan.period_start.year, 6, 30), value=Decimal("190")
    )
    recompute.recompute_mark(indicator_ids=[_reported_later.indicator_id])
    assert stored_progress([indicator.pk]) == stale != fresh_progress([indicator.pk])

    assert progress_recompute_dirty_task.delay().get() == 1
    assert stored_progress([indicator.pk]) == fresh_progress([indicator.pk])
    assert not RecomputeMark.objects.exists()
    assert progress_recompute_dirty_task.delay().get() == 0  # nothing left: a sweep costs one query


def test_a_mark_renewed_during_a_rebuild_is_kept_for_the_next_pass(monkeypatch):
    indicator = IndicatorFactory()
    recompute.recompute_mark(indicator_ids=[indicator.pk])
    real = recompute._rebuild

    def approved_meanwhile(ids, history):
        real(ids, history)
        recompute.recompute_mark(indicator_ids=ids)  # a new token: figures the rebuild may not have read

    monkeypatch.setattr(recompute, "_rebuild", approved_meanwhile)
    assert recompute.recompute_dirty() == 1
    assert RecomputeMark.objects.filter(indicator=indicator).exists()
    monkeypatch.setattr(recompute, "_rebuild", real)
    assert recompute.recompute_dirty() == 1
    assert not RecomputeMark.objects.exists()


def test_one_indicator_that_cannot_be_rebuilt_does_not_block_the_others(monkeypatch, caplog):
    broken, fine = IndicatorFactory(), IndicatorFactory()
    recompute.recompute_mark(indicator_ids=[broken.pk, fine.pk])
    real = recompute._rebuild

    def rebuild(ids, history):
        if broken.pk in ids:
            raise ValueError("a definition the rules cannot judge")
        real(ids, history)

    monkeypatch.setattr(recompute, "_rebuild", rebuild)
    assert recompute.recompute_drain(budget_seconds=0) == (2, True)
    assert list(RecomputeMark.objects.values_list("indicator_id", flat=True)) == [broken.pk]
    assert IndicatorProgress.objects.filter(indicator=fine).exists()
    assert f"indicator {broken.pk} could not be rebuilt" in caplog.text


def test_a_group_row_marks_every_row_of_its_group():
    indicator = IndicatorFactory()
    group = TargetGroup.objects.create(
        plan=indicator.plan, code="G", name="合计", target_value=Decimal("9"), unit="个", measure_type="flow"
    )
    rows = [IndicatorFactory(plan=indicator.plan, target_group=group, target_value=None) for _ in range(3)]
    assert recompute.recompute_mark(indicator_ids=[rows[0].pk]) == sorted(r.pk for r in rows)


def test_the_nightly_job_honours_the_marks_and_recomputes_every_latest_result():
    marked, unmarked = IndicatorFactory(), IndicatorFactory()
    for indicator in (marked, unmarked):
        _reported(indicator)
    recompute.recompute_mark(indicator_ids=[marked.pk])
    assert progress_recompute_all_task.delay().get() == 2
    assert not RecomputeMark.objects.exists()
    # A worker killed halfway through the night leaves marks, not a lost job: the sweep finishes it.
    assert recompute.recompute_mark_all() == 2
    assert RecomputeMark.objects.get(indicator=marked).history is False
    recompute.recompute_mark(indicator_ids=[marked.pk])  # approved meanwhile: the history is asked for again
    assert RecomputeMark.objects.get(indicator=marked).history is True
    assert recompute.recompute_mark_all() == 2  # and the night does not take it back
    assert RecomputeMark.objects.get(indicator=marked).history is True
    assert progress_recompute_dirty_task.delay().get() == 2
    assert stored_progress([marked.pk]) == fresh_progress([marked.pk])
    assert IndicatorProgress.objects.filter(indicator=unmarked).exists()
    assert (
        ProgressSnapshot.objects.filter(indicator=marked).count()
        > ProgressSnapshot.objects.filter(indicator=unmarked).count()
    )  # only the marked one had its whole history rebuilt


def test_the_sweep_runs_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["progress-recompute-sweep"]
    assert entry["task"] == "indicators.tasks.progress_recompute_dirty_task"
    assert entry["schedule"] == crontab()


def test_the_sweep_queries_do_not_grow_with_the_marks(django_assert_max_num_queries):
    indicators = [IndicatorFactory() for _ in range(3)]
    recompute.recompute_mark(indicator_ids=[i.pk for i in indicators])
    with django_assert_max_num_queries(42) as small:  # 2 of them bound the summaries' join by the plans' ids
        recompute.recompute_dirty()
    more = [IndicatorFactory(plan=indicators[0].plan) for _ in range(20)]
    recompute.recompute_mark(indicator_ids=[i.pk for i in more])
    # +3: SQLite splits the bulk inserts of 23 × 12 snapshots (each row now wider by its reason_data) by its
    # limit on variables per statement; PostgreSQL sends each in one.
    with django_assert_max_num_queries(len(small.captured_queries) + 3):
        recompute.recompute_dirty()
