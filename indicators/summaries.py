"""The stored per-plan summary (PlanProgressSummary), catalogue entries (PlanCatalogueEntry, ComparisonEntry)
and key counts (CatalogueKeySummary): the cities overview reads thousands of plans' counts, attention and
progress, the comparison their catalogue keys and one key's indicators in order, so they are written once
per change instead of aggregated on every request.

The summary is plan_summaries() of the stored latest results, written by the recompute for the plans it
touched (indicator_progress_recompute calls plan_summary_refresh) and by whatever else changes which
results a plan has (a plan document loaded, the demo removed). A test holds it equal to the live
computation on generated data.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q, Sum

from core.status import STATUS_ORDER, Status
from indicators.models import (
    CatalogueKeySummary,
    ComparisonEntry,
    Indicator,
    PlanCatalogueEntry,
    PlanProgressSummary,
    TargetForm,
)
from plans.models import Plan
from plans.selectors import current_plan_ids

SUMMARY_STATUSES = tuple(Status)
"""Every status has its count column, named by its value (PlanProgressSummary.achieved, …)."""


def plan_summary_refresh(*, plan_ids: Iterable[int] | None = None, indicator_ids: Iterable[int] | None = None) -> int:
    """Write the summary and the catalogue entries of the plans given, or of the indicators' plans, or of
    every plan (both None). Returns the number of plans written."""
    # indicators.selectors reads indicators.services, which calls this: imported when run, not at load.
    from indicators.selectors import ATTENTION_STATUSES, plan_summaries
    from indicators.services import today

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
    changed = _catalogue_entries_write(list(summaries))
    _catalogue_keys_write(on=today(), entries_changed=changed)
    return len(rows)


def _catalogue_entries_write(plan_ids: list[int]) -> bool:
    """Each plan's comparable indicators (a catalogue key, a quantitative target), read once: by key and name
    with how many have a latest value (PlanCatalogueEntry, counted as dashboards.selectors.comparison counts
    them live), and one by one as the comparison orders them (ComparisonEntry). Only what differs from the
    stored rows is written: a nightly run, where nearly nothing changes, writes nearly nothing. Returns
    whether any catalogue entry changed (and with it the keys' counts)."""
    from indicators.selectors import with_latest_bounded

    rank = {status: n for n, status in enumerate(STATUS_ORDER)}
    comparable = (
        with_latest_bounded(
            Indicator.objects.filter(plan_id__in=plan_ids)
            .exclude(catalogue_key="")
            .exclude(target_form=TargetForm.QUALITATIVE)
        )
        .values_list(
            "pk",
            "plan_id",
            "catalogue_key",
            "name",
            "order",
            "plan__city__code",
            "latest__status",
            "latest__progress",
            "latest__current",
        )
        .order_by()
    )
    counted, placed = defaultdict(lambda: [0, 0]), {}
    for pk, plan_id, key, name, order, city_code, status, progress, current in comparable:
        entry = counted[(plan_id, key, name)]
        entry[0] += 1
        entry[1] += current is not None
        placed[pk] = (plan_id, key, progress is None, progress, rank.get(status), city_code, order)
    entries_changed = _plan_catalogue_entries_write(plan_ids, {entry: tuple(n) for entry, n in counted.items()})
    _comparison_entries_write(plan_ids, placed)
    return entries_changed


def _plan_catalogue_entries_write(plan_ids: list[int], live: dict[tuple, tuple[int, int]]) -> bool:
    """The plans' PlanCatalogueEntry rows made those of live ((plan, key, name): (indicators, reported)),
    writing only the rows that differ; whether any did."""
    stored = {
        (plan_id, key, name): (pk, (n, reported))
        for pk, plan_id, key, name, n, reported in PlanCatalogueEntry.objects.filter(plan_id__in=plan_ids).values_list(
            "pk", "plan_id", "catalogue_key", "name", "indicators", "reported"
        )
    }
    gone = [pk for entry, (pk, _) in stored.items() if entry not in live]
    PlanCatalogueEntry.objects.filter(pk__in=gone).delete()
    changed = [
        PlanCatalogueEntry(pk=stored[entry][0], indicators=n, reported=reported)
        for entry, (n, reported) in live.items()
        if entry in stored and stored[entry][1] != (n, reported)
    ]
    PlanCatalogueEntry.objects.bulk_update(changed, ["indicators", "reported"], batch_size=2000)
    added = PlanCatalogueEntry.objects.bulk_create(
        [
            PlanCatalogueEntry(plan_id=plan_id, catalogue_key=key, name=name, indicators=n, reported=reported)
            for (plan_id, key, name), (n, reported) in live.items()
            if (plan_id, key, name) not in stored
        ],
        batch_size=2000,
    )
    return bool(gone or changed or added)


COMPARISON_ENTRY_FIELDS = (
    "plan_id",
    "catalogue_key",
    "progress_missing",
    "progress",
    "status_rank",
    "city_code",
    "order",
)


def _comparison_entries_write(plan_ids: list[int], live: dict[int, tuple]) -> None:
    """The plans' ComparisonEntry rows made those of live (indicator: COMPARISON_ENTRY_FIELDS), writing only
    the rows that differ."""
    stored = {
        pk: values
        for pk, *values in ComparisonEntry.objects.filter(plan_id__in=plan_ids).values_list(
            "indicator_id", *COMPARISON_ENTRY_FIELDS
        )
    }
    ComparisonEntry.objects.filter(pk__in=[pk for pk in stored if pk not in live]).delete()
    rows = {
        pk: ComparisonEntry(indicator_id=pk, **dict(zip(COMPARISON_ENTRY_FIELDS, values, strict=True)))
        for pk, values in live.items()
        if stored.get(pk) != list(values)
    }
    # One upsert, not bulk_update: its CASE per field grows with the batch, and PostgreSQL spent seconds a
    # chunk on it when every indicator's progress had changed.
    ComparisonEntry.objects.bulk_create(
        rows.values(),
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator"],
        update_fields=COMPARISON_ENTRY_FIELDS,
    )


# ─── The comparison's keys ──────────────────────────────────────────────────────────────────────────────


def plans_digest(plan_ids: Iterable[int]) -> str:
    """A name for a set of plans: the plans CatalogueKeySummary counted, compared with those a page counts."""
    return hashlib.sha256(",".join(str(pk) for pk in sorted(plan_ids)).encode()).hexdigest()


def catalogue_key_counts(plan_ids: list[int]) -> list[dict]:
    """Every catalogue key of the plans' stored entries, with the cities (one plan per city) that have it,
    those of them with data, its indicators and its name (catalogue_labels(): the name most use)."""
    from indicators.selectors import catalogue_labels_counted

    entries = PlanCatalogueEntry.objects.filter(plan__in=plan_ids)
    counted = entries.values("catalogue_key").annotate(
        cities=Count("plan_id", distinct=True),
        reported=Count("plan_id", distinct=True, filter=Q(reported__gt=0)),
        rows=Sum("indicators"),
    )
    names = catalogue_labels_counted(
        entries.values_list("catalogue_key", "name").annotate(n=Sum("indicators")).order_by()
    )
    return [{**k, "name": names[k["catalogue_key"]]} for k in counted.order_by("-cities", "-reported", "catalogue_key")]


def _catalogue_keys_write(*, on: dt.date, entries_changed: bool) -> None:
    """CatalogueKeySummary recounted from the entries of every city's current plan on the date, and those
    plans' ComparisonEntry rows marked current, when the entries changed or those plans are not the ones
    last counted; left empty (the page counts) while a current plan with indicators has no summary yet, as
    during a first recompute's chunks. Written as upserts, like the summaries, so two recomputes at once
    never collide on a key."""
    current = current_plan_ids(Plan.objects.all(), on)
    digest = plans_digest(current)
    counted = set(CatalogueKeySummary.objects.order_by().values_list("plans_digest", flat=True).distinct())
    if not entries_changed and counted == {digest}:
        return
    if Plan.objects.filter(pk__in=current, progress_summary__isnull=True, indicators__isnull=False).exists():
        CatalogueKeySummary.objects.all().delete()
        return
    keys = catalogue_key_counts(current)
    ComparisonEntry.objects.filter(plan__in=current, is_current=False).update(is_current=True)
    ComparisonEntry.objects.exclude(plan__in=current).filter(is_current=True).update(is_current=False)
    CatalogueKeySummary.objects.exclude(catalogue_key__in=[k["catalogue_key"] for k in keys]).delete()
    CatalogueKeySummary.objects.bulk_create(
        [
            CatalogueKeySummary(
                catalogue_key=k["catalogue_key"],
                name=k["name"],
                cities=k["cities"],
                reported=k["reported"],
                indicators=k["rows"],
                plans_digest=digest,
            )
            for k in keys
        ],
        update_conflicts=True,
        unique_fields=["catalogue_key"],
        update_fields=["name", "cities", "reported", "indicators", "plans_digest"],
    )
