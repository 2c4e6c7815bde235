"""The recompute queue: a change records which indicators need rebuilding, in its own transaction; the
task sent after the commit, a one-minute sweep and the nightly job honour the marks.

A message can be lost (broker stopped, worker killed with the job prefetched or half done); a mark cannot,
because it commits or rolls back with the change itself. Whoever rebuilds takes a bounded batch of marks
under `select_for_update(skip_locked=True)` (two sweeps never take the same rows), rebuilds each
indicator's latest result and, when the mark asks for it, every quarter-end snapshot, and deletes a mark
only if its token is still the one it read, so a change committed meanwhile keeps its mark for the next
pass (saleor's batch tasks). The nightly recompute is marks too (latest result only), so a worker killed
halfway leaves the rest to the next sweep instead of to the next night.
"""

import logging
import time
import uuid
from collections.abc import Iterable

from django.db import DatabaseError, transaction
from django.db.models import Q
from django.utils import timezone

from indicators import services
from indicators.models import Indicator, RecomputeMark

logger = logging.getLogger(__name__)

BATCH = 200
"""Marks per transaction: a batch's rows stay locked (an approval marking one of them waits) until it commits."""


def _with_group_rows(indicator_ids: Iterable[int]) -> list[int]:
    """The indicators and every row of their target groups (judged on the same summed figures), sorted."""
    ids = set(indicator_ids)
    groups = Indicator.objects.filter(pk__in=ids, target_group__isnull=False).values_list("target_group_id")
    ids.update(Indicator.objects.filter(target_group_id__in=groups).values_list("pk", flat=True))
    return sorted(ids)


def recompute_mark(*, indicator_ids: Iterable[int]) -> list[int]:
    """Record, in the caller's transaction, that these indicators' stored progress must be rebuilt.

    Marking an already marked indicator renews its token (a rebuild running now may have read the old
    figures) and keeps its place in the queue. Sorted, so two transactions marking the same rows never
    deadlock. Returns the indicators marked.
    """
    ids = _with_group_rows(indicator_ids)
    now = timezone.now()
    RecomputeMark.objects.bulk_create(
        [RecomputeMark(indicator_id=pk, token=uuid.uuid4(), requested_at=now, history=True) for pk in ids],
        update_conflicts=True,
        unique_fields=["indicator"],
        update_fields=["token", "history"],
    )
    return ids


def recompute_mark_all() -> int:
    """Nightly: mark every indicator for its latest result (time passes, so a status can change with no
    new data). A mark already there is left as it is: it may ask for more (the history). Returns the count."""
    ids = list(Indicator.objects.order_by("pk").values_list("pk", flat=True))
    now = timezone.now()
    RecomputeMark.objects.bulk_create(
        [RecomputeMark(indicator_id=pk, token=uuid.uuid4(), requested_at=now, history=False) for pk in ids],
        batch_size=2000,
        ignore_conflicts=True,
    )
    return len(ids)


def _rebuild(indicator_ids: list[int], history: set[int]) -> None:
    # The history first: the latest result's "status since" is read from the stored snapshots.
    if wanted := [pk for pk in indicator_ids if pk in history]:
        services.indicator_history_rebuild(indicator_ids=wanted)
    services.indicator_progress_recompute(indicator_ids=indicator_ids)


def _rebuild_and_clear(indicator_ids: list[int], marks: list[tuple], history: set[int]) -> list[int]:
    """Rebuild, then delete the marks read (by token); an indicator whose rebuild raises keeps its mark,
    moved to the back of the queue so it never blocks the others. Returns the indicators that failed.

    Runs inside the caller's transaction; a database error aborts it whole (the marks stay).
    """
    failed = []
    try:
        with transaction.atomic():
            _rebuild(indicator_ids, history)
    except DatabaseError:
        raise
    except Exception:
        for pk in indicator_ids:  # one by one, to find the one that cannot be rebuilt
            try:
                with transaction.atomic():
                    _rebuild([pk], history)
            except DatabaseError:
                raise
            except Exception:
                logger.exception("progress of indicator %s could not be rebuilt; it stays marked", pk)
                failed.append(pk)
    done = Q(pk__in=[])
    for pk, indicator_id, token, _ in marks:
        if indicator_id not in failed:
            done |= Q(pk=pk, token=token)
    RecomputeMark.objects.filter(done).delete()
    RecomputeMark.objects.filter(indicator_id__in=failed).update(requested_at=timezone.now())
    return failed


def _locked_marks(queryset, limit: int | None = None) -> list[tuple[int, int, uuid.UUID, bool]]:
    queryset = queryset.select_for_update(skip_locked=True).order_by("requested_at", "pk")
    queryset = queryset.values_list("pk", "indicator_id", "token", "history")
    return list(queryset[:limit] if limit else queryset)


def indicator_recompute(*, indicator_id: int) -> list[int]:
    """Rebuild one indicator (and its group's rows) now and clear their marks; returns the rows rebuilt.

    Marks another pass holds are skipped, not waited for: that pass is rebuilding the same rows.
    """
    ids = _with_group_rows([indicator_id])
    with transaction.atomic():
        marks = _locked_marks(RecomputeMark.objects.filter(indicator_id__in=ids))
        _rebuild_and_clear(ids, marks, history=set(ids))
    return ids


def recompute_dirty(*, batch_size: int = BATCH) -> int:
    """Honour one batch of marks, oldest first; returns how many were taken (0: none free)."""
    with transaction.atomic():
        marks = _locked_marks(RecomputeMark.objects.all(), batch_size)
        if marks:
            history = {indicator_id for _, indicator_id, _, wants_history in marks if wants_history}
            _rebuild_and_clear([indicator_id for _, indicator_id, _, _ in marks], marks, history)
    return len(marks)


def recompute_drain(*, budget_seconds: float, batch_size: int = BATCH) -> tuple[int, bool]:
    """Batch after batch until no free mark is left or the budget is spent: (marks taken, any left)."""
    started, taken = time.monotonic(), 0
    while True:
        count = recompute_dirty(batch_size=batch_size)
        taken += count
        if count == 0:
            return taken, False
        if time.monotonic() - started >= budget_seconds:
            return taken, RecomputeMark.objects.exists()
