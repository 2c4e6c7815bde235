"""Reads of progress for pages, the API and the quarterly report — one place, so they show the same numbers.

plan_progress() gives one plan's rows; plan_summaries() the same headline numbers for many plans at once from
stored results (aggregate queries, nothing computed unless a result is missing), so an overview of 300 cities
and a city's own dashboard never disagree.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import (
    Count,
    Exists,
    FilteredRelation,
    FloatField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from core import progress
from core.status import STATUS_ORDER, Status, status_label
from indicators.models import Indicator, ProgressSnapshot, QuarterlyFigure, Reading
from indicators.services import LATEST_FIELDS, PROGRESS_FIELDS, indicator_rule, progress_evaluate, today

ATTENTION_STATUSES = (Status.MISSED, Status.LAGGING, Status.OVERDUE_REPORT, Status.AT_RISK)
ON_TRACK_STATUSES = (Status.ACHIEVED, Status.ON_TRACK)
"""What counts as "on track" in a share: met already, or keeping pace with the calendar."""
PLAN_OVER_RULE = "plan_over"  # kept in sync with progress.evaluate(): the final verdict of an ended plan


def on_track_share(counts: Counter) -> float | None:
    """Share of the quantitative indicators that are achieved or on track (qualitative ones are not judged)."""
    judged = sum(n for status, n in counts.items() if status != Status.QUALITATIVE)
    return sum(counts[s] for s in ON_TRACK_STATUSES) / judged if judged else None


# --- One verdict per target --------------------------------------------------------------------------
# A target group (one target shared by several rows, Zunyi's merged cells) is judged once: every row shows
# the group's status and sum, and every count of verdicts counts the group once. Counts and means on every
# page, the report, the API and the comparison go through judged_once() / judged_once_q().


def shares_group_target(indicator: Indicator) -> bool:
    """A row judged on its group's target (a row with its own target value is judged on its own)."""
    return indicator.target_group_id is not None and indicator.target_value is None


def judged_once(rows: list["IndicatorStatus"]) -> list["IndicatorStatus"]:
    """The rows that each stand for one verdict: a group's shared rows through their first (lowest id) row,
    as judged_once_q() picks it in SQL."""
    first = {}
    for row in rows:
        indicator = row.indicator
        if shares_group_target(indicator):
            held = first.get(indicator.target_group_id)
            if held is None or indicator.pk < held:
                first[indicator.target_group_id] = indicator.pk
    return [
        r for r in rows if not shares_group_target(r.indicator) or first[r.indicator.target_group_id] == r.indicator.pk
    ]


def judged_once_q(prefix: str = "") -> Q:
    """judged_once() as a filter on indicators (prefix "indicator__" when filtering their snapshots)."""
    first_shared = (
        Indicator.objects.filter(target_group_id=OuterRef(f"{prefix}target_group_id"), target_value__isnull=True)
        .order_by("pk")
        .values("pk")[:1]
    )
    return (
        Q(**{f"{prefix}target_group__isnull": True})
        | Q(**{f"{prefix}target_value__isnull": False})
        | Q(**{f"{prefix}pk": Subquery(first_shared)})
    )


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    result: progress.Progress
    status_since: dt.date | None = None

    @property
    def label(self) -> str:
        return status_label(self.result.status)


@dataclass
class PlanProgress:
    """A plan's indicators with their results, as of a date, and the headline numbers."""

    plan: object
    as_of: dt.date
    rows: list[IndicatorStatus]
    counts: Counter = field(default_factory=Counter)

    @property
    def time_elapsed(self) -> float:
        return progress.time_share(self.plan.period_start, self.plan.period_end, self.as_of)

    @property
    def indicator_progress(self) -> float | None:
        """Mean progress of the quantitative indicators that have one, each capped at 100%, a group once."""
        shares = [
            min(1.0, max(0.0, r.result.progress)) for r in judged_once(self.rows) if r.result.progress is not None
        ]
        return sum(shares) / len(shares) if shares else None

    @property
    def attention(self) -> list[IndicatorStatus]:
        """Lagging, overdue and at-risk first (worst first): what the leading group must act on."""
        rank = {s: n for n, s in enumerate(STATUS_ORDER)}
        return sorted(
            (r for r in self.rows if r.result.status in ATTENTION_STATUSES),
            key=lambda r: (rank[r.result.status], r.indicator.order),
        )

    @property
    def on_track_share(self) -> float | None:
        return on_track_share(self.counts)

    @property
    def is_final(self) -> bool:
        """The plan is over: its indicators carry their final verdict (achieved / missed), not a lag."""
        return any(r.result.rule == PLAN_OVER_RULE for r in self.rows)

    @property
    def last_approved_at(self) -> dt.datetime | None:
        """When the newest of the counted figures was approved: how fresh the numbers are."""
        return max((r.indicator.last_approved_at for r in self.rows if r.indicator.last_approved_at), default=None)

    @property
    def provisional(self) -> list[IndicatorStatus]:
        """Rows whose counted figures include provisional ones (预估数), still to be replaced by official ones."""
        return [r for r in self.rows if r.indicator.provisional_count]


def _stored_result(row, fields=LATEST_FIELDS) -> progress.Progress:
    """A stored row as a result; its reason is rendered from reason_data when read (the stored text only for
    rows computed before reasons were data)."""
    values = {name: getattr(row, name) for name in fields if name != "reason"}
    return progress.Progress(**values, stored_reason=row.reason)


def _figure_annotations(plan, as_of: dt.date) -> dict:
    """Per indicator, over the approved figures that count as of the date: the latest approval, and the
    provisional ones (the newest period and how many) — correlated subqueries, no extra query."""
    counted = (
        QuarterlyFigure.objects.filter(
            indicator=OuterRef("pk"),
            status=QuarterlyFigure.Status.APPROVED,
            period_end__gte=plan.period_start,
            period_end__lte=min(plan.period_end, as_of),
        )
        .order_by()
        .values("indicator")
    )
    provisional = counted.filter(is_provisional=True)
    return {
        "last_approved_at": Subquery(counted.annotate(at=Max("reviewed_at")).values("at")),
        "latest_provisional": Subquery(provisional.annotate(end=Max("period_end")).values("end")),
        "provisional_count": Coalesce(Subquery(provisional.annotate(n=Count("pk")).values("n")), 0),
    }


def _base_year_assumed() -> Exists:
    """A stored base year the document does not give, not yet confirmed by the city (shown as 假定)."""
    return Exists(Reading.objects.filter(indicator=OuterRef("pk"), code="base_year", state=Reading.State.PENDING))


def plan_progress(plan, *, as_of: dt.date | None = None) -> PlanProgress:
    """Stored results for today (no computing); computed from approved figures for an earlier as_of.

    Each row's indicator also carries last_approved_at, latest_provisional and provisional_count (see
    _figure_annotations) for the freshness lines of the dashboard and the report.
    """
    latest = _is_latest(as_of)
    as_of = today() if latest else as_of
    indicators = list(
        plan.indicators.select_related("lead_department", "target_group", "progress")
        .prefetch_related("lead_links__department")
        .annotate(**_figure_annotations(plan, as_of), base_year_assumed=_base_year_assumed())
        .order_by("order")
    )  # each one's .plan is `plan`
    if latest:
        rows = []
        missing = [i for i in indicators if not hasattr(i, "progress")]
        computed = _evaluate(missing, as_of=as_of)
        for indicator in indicators:
            if indicator.pk in computed:
                rows.append(IndicatorStatus(indicator, computed[indicator.pk]))
            else:
                rows.append(
                    IndicatorStatus(indicator, _stored_result(indicator.progress), indicator.progress.status_since)
                )
    else:
        results = _evaluate(indicators, as_of=as_of)
        since = status_since_at(results, as_of=as_of)
        rows = [IndicatorStatus(i, results[i.pk], since.get(i.pk)) for i in indicators]
    counts = Counter(r.result.status for r in judged_once(rows))
    return PlanProgress(plan=plan, as_of=as_of, rows=rows, counts=counts)


def status_since_at(results: dict[int, progress.Progress], *, as_of: dt.date) -> dict[int, dt.date]:
    """Status since for an earlier date, by the rule services._status_since stores for today: the first
    quarter end of the unbroken run of each result's status in the snapshots up to as_of (one query)."""
    history = defaultdict(list)
    rows = (
        ProgressSnapshot.objects.filter(indicator_id__in=list(results), quarter_end__lte=as_of)
        .order_by("indicator_id", "quarter_end")
        .values_list("indicator_id", "quarter_end", "status")
    )
    for pk, quarter_end, status in rows:
        history[pk].append((quarter_end, status))
    since = {pk: progress.status_since(history[pk], result.status) for pk, result in results.items()}
    return {pk: day for pk, day in since.items() if day is not None}


def _evaluate(indicators: list[Indicator], *, as_of: dt.date) -> dict[int, progress.Progress]:
    """Compute what is not stored (progress_evaluate reads the interim targets itself, in one query)."""
    return progress_evaluate(indicators, as_of=as_of) if indicators else {}


# --- Stored results for many indicators and plans ------------------------------------------------------


def _is_latest(as_of: dt.date | None) -> bool:
    return as_of is None or as_of >= today()


def stored_progress(indicators: list[Indicator], *, as_of: dt.date | None = None) -> dict[int, progress.Progress]:
    """Each indicator's stored result: the latest (as_of None or today on) or its snapshot of the quarter ending
    on as_of; what is not stored is computed from approved figures, so the answer never depends on a job.

    For the latest, fetch the indicators with select_related("progress", "plan", "target_group").
    """
    if _is_latest(as_of):
        results = {i.pk: _stored_result(i.progress) for i in indicators if hasattr(i, "progress")}
        as_of = today()
    else:
        snapshots = ProgressSnapshot.objects.filter(indicator__in=[i.pk for i in indicators], quarter_end=as_of)
        results = {s.indicator_id: _stored_result(s, PROGRESS_FIELDS) for s in snapshots}
    results.update(_evaluate([i for i in indicators if i.pk not in results], as_of=as_of))
    return results


@dataclass(frozen=True)
class PlanSummary:
    """A plan's headline numbers without its rows: what an overview of many plans shows per plan."""

    plan: object
    as_of: dt.date
    counts: Counter
    indicator_progress: float | None
    is_final: bool

    @property
    def time_elapsed(self) -> float:  # kept in sync with PlanProgress.time_elapsed
        return progress.time_share(self.plan.period_start, self.plan.period_end, self.as_of)

    @property
    def on_track_share(self) -> float | None:
        return on_track_share(self.counts)


def _clipped_progress(field_name: str):
    """progress capped to [0, 1], as PlanProgress.indicator_progress caps it (NULLs filtered by the caller:
    PostgreSQL's GREATEST/LEAST skip NULLs instead of returning NULL)."""
    return Greatest(Least(field_name, Value(1.0)), Value(0.0), output_field=FloatField())


def with_latest_bounded(indicators: QuerySet[Indicator]) -> QuerySet[Indicator]:
    """The indicators with their stored latest result joined as `latest`, the join also bounded by their
    lowest and highest id (one more, indexed query). Without the bound PostgreSQL hashes every stored result
    (90,000 at 3,000 cities) for each recompute chunk's summaries; with it, it reads the chunk's index range."""
    bounds = indicators.aggregate(low=Min("pk", default=0), high=Max("pk", default=0))
    return indicators.annotate(
        latest=FilteredRelation(
            "progress", condition=Q(progress__indicator__gte=bounds["low"], progress__indicator__lte=bounds["high"])
        )
    )


def plan_summaries(plans, *, as_of: dt.date | None = None) -> dict[int, PlanSummary]:
    """Counts by status, mean progress and the final flag of many plans, in one aggregate query whatever their
    number: each indicator joined to its stored latest result (as_of None or today on) or to its snapshot of
    the quarter ending on as_of. Indicators with nothing stored are computed (one more query, only then).
    The numbers equal plan_progress() for the same plan and date.
    """
    plans = list(plans)
    latest = _is_latest(as_of)
    as_of = today() if latest else as_of
    indicators = Indicator.objects.filter(judged_once_q(), plan__in=[p.pk for p in plans])
    if latest:
        stored = "latest"
        indicators = with_latest_bounded(indicators)
    else:
        stored = "snapshot"
        indicators = indicators.annotate(
            snapshot=FilteredRelation("snapshots", condition=Q(snapshots__quarter_end=as_of))
        )
    counts = {p.pk: Counter() for p in plans}
    sums = defaultdict(lambda: [0.0, 0])
    final, unstored = set(), set()
    rows = (
        indicators.values("plan_id", f"{stored}__status")
        .annotate(
            n=Count("pk"),
            over=Count("pk", filter=Q(**{f"{stored}__rule": PLAN_OVER_RULE})),
            share_sum=Sum(_clipped_progress(f"{stored}__progress"), filter=Q(**{f"{stored}__progress__isnull": False})),
            share_n=Count(f"{stored}__progress"),
        )
        .order_by()
    )
    for row in rows:
        plan_id, status = row["plan_id"], row[f"{stored}__status"]
        if status is None:
            unstored.add(plan_id)
            continue
        counts[plan_id][status] += row["n"]
        sums[plan_id][0] += row["share_sum"] or 0.0
        sums[plan_id][1] += row["share_n"]
        if row["over"]:
            final.add(plan_id)

    missing = (
        list(indicators.filter(plan__in=unstored, **{f"{stored}__isnull": True}).select_related("plan", "target_group"))
        if unstored
        else []
    )
    plan_of = {i.pk: i.plan_id for i in missing}
    for indicator_id, result in _evaluate(missing, as_of=as_of).items():
        plan_id = plan_of[indicator_id]
        counts[plan_id][result.status] += 1
        if result.progress is not None:
            sums[plan_id][0] += min(1.0, max(0.0, result.progress))
            sums[plan_id][1] += 1
        if result.rule == PLAN_OVER_RULE:
            final.add(plan_id)

    return {
        p.pk: PlanSummary(
            plan=p,
            as_of=as_of,
            counts=counts[p.pk],
            indicator_progress=sums[p.pk][0] / sums[p.pk][1] if sums[p.pk][1] else None,
            is_final=p.pk in final,
        )
        for p in plans
    }


def on_track_trend(plans, *, until: dt.date, since: dt.date | None = None) -> dict[int, list[tuple[dt.date, float]]]:
    """Each plan's share on track at every stored quarter end up to `until` (one aggregate query), oldest first."""
    # Through the plans' indicators, so the snapshots are read by index for these plans only, however many
    # cities the table holds (a join on the plan column scans every snapshot).
    indicators = Indicator.objects.filter(judged_once_q(), plan__in=[p.pk for p in plans]).values("pk")
    snapshots = ProgressSnapshot.objects.filter(indicator__in=indicators, quarter_end__lte=until)
    if since is not None:
        snapshots = snapshots.filter(quarter_end__gte=since)
    trend = defaultdict(list)
    rows = (
        snapshots.values("indicator__plan_id", "quarter_end")
        .annotate(
            good=Count("pk", filter=Q(status__in=ON_TRACK_STATUSES)),
            judged=Count("pk", filter=~Q(status=Status.QUALITATIVE)),
        )
        .order_by("indicator__plan_id", "quarter_end")
    )
    for row in rows:
        if row["judged"]:
            trend[row["indicator__plan_id"]].append((row["quarter_end"], row["good"] / row["judged"]))
    return dict(trend)


# --- The time path of one indicator, for charts --------------------------------------------------------


def scale_origin(indicator: Indicator, result: progress.Progress) -> float | None:
    """Where progress is measured from: 0 for totals (flows, milestones), the base for levels.

    A chart drawing p and e as values needs the engine's zero. The measure type is the target group's when
    the row shares one, as in services.indicator_rule() (which would also read the interim targets, one
    query per indicator).
    """
    group = indicator.target_group
    measure_type = group.measure_type if group and indicator.target_value is None else indicator.measure_type
    return 0.0 if progress.is_total(measure_type, indicator.target_form) else result.base


def has_time_path(indicator: Indicator, result: progress.Progress) -> bool:
    """Thresholds are a line, milestones are reached or not: neither has an expected value in between."""
    return (
        result.expected is not None
        and result.end_target is not None
        and indicator.target_form not in (progress.THRESHOLD, progress.MILESTONE)
    )


def expected_value(indicator: Indicator, result: progress.Progress) -> float | None:
    """The value the indicator should have at its data date (应达进度 as a value in the indicator's unit)."""
    origin = scale_origin(indicator, result)
    if origin is None or not has_time_path(indicator, result):
        return None
    return origin + result.expected * (result.end_target - origin)


def expected_path(
    indicator: Indicator, result: progress.Progress, *, first_report: dt.date | None = None
) -> list[tuple[dt.date, float]]:
    """The value the indicator should have at each quarter end of the plan, from progress.expected_progress():
    the path its status is judged against (a compound curve for compound growth, through interim targets).

    first_report is the data date of the first figure; the path starts there when the engine took that
    figure as the base. Needs the indicator's interim_targets (prefetched or one query).
    """
    origin = scale_origin(indicator, result)
    if origin is None or not has_time_path(indicator, result):
        return []
    rule = indicator_rule(indicator)
    start = first_report if result.base_from_first_report and first_report else rule.plan.period_start
    points = [start, *(q for q in progress.plan_periods(rule.plan, progress.QUARTERLY) if q > start)]
    end = result.end_target
    return [
        (
            at,
            origin + progress.expected_progress(rule, origin=origin, end=end, path_start=start, at=at) * (end - origin),
        )
        for at in points
    ]


def catalogue_labels(indicators: QuerySet[Indicator]) -> dict[str, str]:
    """The one name of each catalogue key across plans (comparison page, comparison workbook, leaders'
    lists): the name most plans use for it, the shortest on a tie."""
    return catalogue_labels_counted(
        (key, name, 1) for key, name in indicators.exclude(catalogue_key="").values_list("catalogue_key", "name")
    )


def catalogue_labels_counted(counts: Iterable[tuple[str, str, int]]) -> dict[str, str]:
    """catalogue_labels() from (key, name, indicators using it) counted elsewhere (the stored catalogue
    entries of indicators.summaries)."""
    names = defaultdict(Counter)
    for key, name, n in counts:
        names[key][name] += n
    return {key: min(counter, key=lambda n: (-counter[n], len(n), n)) for key, counter in sorted(names.items())}
