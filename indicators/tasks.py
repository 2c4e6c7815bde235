"""Celery tasks for progress: thin and idempotent; the work is in indicators.recompute and services.

Every change that needs a recompute marks it in its own transaction (recompute_after_commit); the task
sent after the commit is only the fast path. A lost message is caught up by the one-minute sweep.
"""

import logging

from celery import shared_task
from django.db import transaction

from indicators import recompute
from indicators.models import Indicator
from ipcity.celery import RETRY, enqueue

logger = logging.getLogger(__name__)

SWEEP_BUDGET_SECONDS = 45
"""One sweep's work; what is left is re-queued at once, so a big backlog never hits the time limit."""


@shared_task(**RETRY)
def indicator_recompute_task(indicator_id: int) -> None:
    """After a figure of this indicator is approved or corrected: its latest result and its history."""
    if not Indicator.objects.filter(pk=indicator_id).exists():
        logger.warning("indicator %s vanished before its recompute", indicator_id)
        return
    recompute.indicator_recompute(indicator_id=indicator_id)


def recompute_after_commit(*indicator_ids: int) -> None:
    """Mark the indicators in the caller's transaction (one query however many); once committed, ask a
    worker to rebuild each now.

    The send never fails the change nor waits on a stopped broker (ipcity.celery.enqueue): the mark
    already says what must be done, and the sweep does it if the message never arrives.
    """
    ids = sorted(set(indicator_ids))
    if not ids:
        return
    recompute.recompute_mark(indicator_ids=ids)
    for indicator_id in ids:
        transaction.on_commit(lambda indicator_id=indicator_id: enqueue(indicator_recompute_task, indicator_id))


@shared_task(**RETRY, time_limit=120, soft_time_limit=100)
def progress_recompute_dirty_task() -> int:
    """Every minute: rebuild what a lost message, a dead worker or a stopped broker left marked."""
    taken, more = recompute.recompute_drain(budget_seconds=SWEEP_BUDGET_SECONDS)
    if more:
        enqueue(progress_recompute_dirty_task)
    return taken


@shared_task(**RETRY, time_limit=1800, soft_time_limit=1740)
def progress_recompute_all_task() -> int:
    """Nightly: every indicator's latest result (time passes, so a status can change with no new data),
    as marks drained in batches; what a dead worker leaves is the next sweep's."""
    count = recompute.recompute_mark_all()
    _, more = recompute.recompute_drain(budget_seconds=1500)
    if more:
        enqueue(progress_recompute_dirty_task)
    return count
