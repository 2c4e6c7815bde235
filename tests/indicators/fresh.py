"""The oracle of the recompute tests: what is stored, against a fresh computation from the approved figures."""

from django.db import transaction

from indicators import services
from indicators.models import IndicatorProgress, ProgressSnapshot


def stored_progress(indicator_ids) -> tuple[dict, dict]:
    """Each indicator's latest result and every quarter-end snapshot, as plain values."""
    ids = list(indicator_ids)
    latest = {
        row.pop("indicator_id"): row
        for row in IndicatorProgress.objects.filter(indicator_id__in=ids).values(
            "indicator_id", *services.LATEST_FIELDS
        )
    }
    snapshots = {
        (row.pop("indicator_id"), row.pop("quarter_end")): row
        for row in ProgressSnapshot.objects.filter(indicator_id__in=ids).values(
            "indicator_id", "quarter_end", *services.PROGRESS_FIELDS
        )
    }
    return latest, snapshots


class _Rollback(Exception):
    pass


def fresh_progress(indicator_ids) -> tuple[dict, dict]:
    """What a recompute from nothing stores now (computed in a transaction that is rolled back)."""
    ids = list(indicator_ids)
    try:
        with transaction.atomic():
            IndicatorProgress.objects.filter(indicator_id__in=ids).delete()
            ProgressSnapshot.objects.filter(indicator_id__in=ids).delete()
            services.indicator_history_rebuild(indicator_ids=ids)
            services.indicator_progress_recompute(indicator_ids=ids)
            result = stored_progress(ids)
            raise _Rollback
    except _Rollback:
        return result
