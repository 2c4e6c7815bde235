"""The stored per-plan summary (PlanProgressSummary) and catalogue entries (PlanCatalogueEntry): the cities
overview reads thousands of plans' counts, attention and progress, the comparison their catalogue keys, so
they are written once per change instead of aggregated on every request.

The summary is plan_summaries() of the stored latest results, written by the recompute for the plans it
touched (indicator_progress_recompute calls plan_summary_refresh) and by whatever else changes which
results a plan has (a plan document loaded, the demo removed). A test holds it equal to the live
computation on generated data.
"""

from collections.abc import Iterable

from django.db.models import Count, Q

from core.status import Status
from indicators.models import Indicator, PlanCatalogueEntry, PlanProgressSummary, TargetForm
from plans.models import Plan

SUMMARY_STATUSES = tuple(Status)
"""Every status has its count column, named by its value (PlanProgressSummary.achieved, …)."""


def plan_summary_refresh(*, plan_ids: Iterable[int] | None = None, indicator_ids: Iterable[int] | None = None) -> int:
    """Write the summary and the catalogue entries of the plans given, or of the indicators' plans, or of
    every plan (both None). Returns the number of plans written."""
    # indicators.selectors reads indicators.services, which calls this: imported when run, not at load.
    from indicators.selectors import ATTENTION_STATUSES, plan_summaries

    plans = Plan.objects.order_by("pk")
    if plan_ids is not None:
        plans = plans.filter(pk__in=list(plan_ids))
    elif indicator_ids is not None:
        plans = plans.filter(pk__in=Indicator.objects.filter(pk__in=list(indicator_ids)).values("plan_id"))
    summaries = plan_summaries(plans)
    rows = [
        PlanProgressSummary(
            plan_id=pk,
            **{status.value: summary.counts.get(status, 0) for status in SUMMARY_STATUSES},
            attention=sum(summary.counts.get(s, 0) for s in ATTENTION_STATUSES),
            indicator_progress=summary.indicator_progress,
            is_final=summary.is_final,
        )
        for pk, summary in summaries.items()
    ]
    PlanProgressSummary.objects.bulk_create(
        rows,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["plan"],
        update_fields=[
            *(s.value for s in SUMMARY_STATUSES),
            "attention",
            "indicator_progress",
            "is_final",
            "computed_at",
        ],
    )
    _catalogue_entries_write(list(summaries))
    return len(rows)


def _catalogue_entries_write(plan_ids: list[int]) -> None:
    """Each plan's comparable indicators (a catalogue key, a quantitative target) by key and name, counted
    as dashboards.selectors.comparison counts them live. Only what differs from the stored entries is
    written: a nightly run, where nearly nothing changes, writes nearly nothing."""
    counted = (
        Indicator.objects.filter(plan_id__in=plan_ids)
        .exclude(catalogue_key="")
        .exclude(target_form=TargetForm.QUALITATIVE)
        .values_list("plan_id", "catalogue_key", "name")
        .annotate(indicators=Count("pk"), reported=Count("pk", filter=Q(progress__current__isnull=False)))
        .order_by()
    )
    live = {(plan_id, key, name): (n, reported) for plan_id, key, name, n, reported in counted}
    stored = {
        (plan_id, key, name): (pk, (n, reported))
        for pk, plan_id, key, name, n, reported in PlanCatalogueEntry.objects.filter(plan_id__in=plan_ids).values_list(
            "pk", "plan_id", "catalogue_key", "name", "indicators", "reported"
        )
    }
    PlanCatalogueEntry.objects.filter(pk__in=[pk for entry, (pk, _) in stored.items() if entry not in live]).delete()
    changed = [
        PlanCatalogueEntry(pk=stored[entry][0], indicators=n, reported=reported)
        for entry, (n, reported) in live.items()
        if entry in stored and stored[entry][1] != (n, reported)
    ]
    PlanCatalogueEntry.objects.bulk_update(changed, ["indicators", "reported"], batch_size=2000)
    PlanCatalogueEntry.objects.bulk_create(
        [
            PlanCatalogueEntry(plan_id=plan_id, catalogue_key=key, name=name, indicators=n, reported=reported)
            for (plan_id, key, name), (n, reported) in live.items()
            if (plan_id, key, name) not in stored
        ],
        batch_size=2000,
    )
