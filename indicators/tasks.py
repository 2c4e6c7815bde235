"""Celery tasks for progress: thin, idempotent, retried; the work is in indicators.services."""

import logging

from celery import shared_task
from django.db import transaction

from indicators import services
from indicators.models import Indicator

logger = logging.getLogger(__name__)

RETRY = {"autoretry_for": (Exception,), "retry_backoff": True, "max_retries": 3}


@shared_task(**RETRY)
def indicator_recompute_task(indicator_id: int) -> None:
    """After a figure of this indicator is approved or corrected: its latest result and its history."""
    if not Indicator.objects.filter(pk=indicator_id).exists():
        logger.warning("indicator %s vanished before its recompute", indicator_id)
        return
    affected = services.indicators_sharing_figures(indicator_id)
    services.indicator_progress_recompute(indicator_ids=affected)
    services.indicator_history_rebuild(indicator_ids=affected)


def recompute_after_commit(indicator_id: int) -> None:
    """Enqueue an indicator's recompute once the change that calls for it is committed (never before)."""
    transaction.on_commit(lambda: indicator_recompute_task.delay(indicator_id))


@shared_task(**RETRY)
def progress_recompute_all_task() -> int:
    """Nightly: time passes, so a status can change with no new data."""
    return services.indicator_progress_recompute()
