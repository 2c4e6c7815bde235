"""Progress: from stored figures to stored results. The rules themselves live in core.progress.

Reads are bulk (a fixed number of queries whatever the number of indicators) and writes are upserts, so a
recompute is idempotent and two running at once converge on the same rows.
"""

import contextlib
import datetime as dt
import functools
import gc
import operator
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Expression, FloatField, Q
from django.db.models.functions import Cast
from django.utils import timezone, translation

from core import progress
from core.periods import Quarter
from core.status import FLAGGED_STATUSES, Status
from indicators.models import (
    Indicator,
    IndicatorProgress,
    InterimTarget,
    LagFlag,
    ProgressSnapshot,
    QuarterlyFigure,
)
from indicators.summaries import plan_summary_refresh

PROGRESS_FIELDS = [
    "status",
    "rule",
    "reason",
    "reason_data",
    "current",
    "base",
    "end_target",
    "data_date",
    "time_elapsed",
    "progress",
    "expected",
    "basis",
    "period_value",
]
LATEST_FIELDS = PROGRESS_FIELDS + [
    "base_from_first_report",
    "year_to_date",
    "needed_per_quarter",
    "recent_pace_per_quarter",
    "projected_end",
    "projection_reached",
    "shortfall",
]


def today() -> dt.date:
    return timezone.localdate()


# --- From models to the pure rules -------------------------------------------------------------------

PLAN_RULE_FIELDS = ("period_start", "period_end", "reporting_lag_days", "at_risk_band", "lagging_band")
RULE_FIELDS = (
    "target_value",
    "measure_type",
    "target_form",
    "target_date",
    "base_value",
    "base_year",
    "direction",
    "frequency",
    "unit",
    "reporting_lag_days",
)
GROUP_RULE_FIELDS = ("target_value", "measure_type", "unit")
"""The columns a rule is made of: a recompute reads only these, as values, never whole model instances."""


def plan_rule(plan) -> progress.PlanRule:
    return _plan_rule(**{name: getattr(plan, name) for name in PLAN_RULE_FIELDS})


def _plan_rule(*, period_start, period_end, reporting_lag_days, at_risk_band, lagging_band) -> progress.PlanRule:
    return progress.PlanRule(
        period_start=period_start,
        period_end=period_end,
        reporting_lag_days=reporting_lag_days,
        at_risk_band=float(at_risk_band),
        lagging_band=float(lagging_band),
    )


def _float(value):
    return None if value is None else float(value)


def _judged_on_group(target_group_id: int | None, target_value) -> bool:
    """A row of a target group without a target of its own is judged on the group's target and summed figures."""
    return target_group_id is not None and target_value is None


def indicator_rule(
    indicator: Indicator, *, interim_targets=None, plan: progress.PlanRule | None = None
) -> progress.IndicatorRule:
    """The rule an indicator is judged by; a row in a target group is judged on the group's target.

    Bulk callers pass the interim targets and the plan rule they fetched once for many indicators.
    """
    group = indicator.target_group
    if interim_targets is None:
        interim_targets = [(t.date, t.value) for t in indicator.interim_targets.all()]
    return _rule(
        {name: getattr(indicator, name) for name in RULE_FIELDS},
        group=None if group is None else {name: getattr(group, name) for name in GROUP_RULE_FIELDS},
        plan=plan or plan_rule(indicator.plan),
        interim_targets=interim_targets,
    )


def _rule(own: Mapping, *, group: Mapping | None, plan: progress.PlanRule, interim_targets) -> progress.IndicatorRule:
    """The rule of an indicator's RULE_FIELDS, its target group's GROUP_RULE_FIELDS (None without a group)."""
    judged = group if group is not None and own["target_value"] is None else own
    return progress.IndicatorRule(
        plan=plan,
        measure_type=judged["measure_type"],
        target_form=own["target_form"],
        target_value=_float(judged["target_value"]),
        target_date=own["target_date"],
        base_value=_float(own["base_value"]),
        base_year=own["base_year"],
        direction=own["direction"],
        frequency=own["frequency"],
        interim_targets=tuple(progress.InterimTarget(date=d, value=float(v)) for d, v in interim_targets),
        unit=judged["unit"] or "",
        reporting_lag_days=own["reporting_lag_days"],
    )


def _interim_targets(indicators: Q) -> dict[int, list]:
    """The interim targets (date, value) of the indicators the filter selects, in date order (one query)."""
    interim = defaultdict(list)
    rows = InterimTarget.objects.filter(indicators)
    for indicator_id, date, value in rows.values_list("indicator_id", "date", "value").order_by("date"):
        interim[indicator_id].append((date, value))
    return interim


def _rules(indicators: list[Indicator]) -> dict[int, progress.IndicatorRule]:
    """Every indicator's rule, with interim targets read in one query and one PlanRule per plan."""
    interim = _interim_targets(Q(indicator__in=[i.pk for i in indicators]))
    plans = {}
    for indicator in indicators:
        if indicator.plan_id not in plans:
            plans[indicator.plan_id] = plan_rule(indicator.plan)
    return {i.pk: indicator_rule(i, interim_targets=interim[i.pk], plan=plans[i.plan_id]) for i in indicators}


def _rules_read(chunk: "_Chunk") -> tuple[dict[int, progress.IndicatorRule], dict[int, int | None]]:
    """The rules of many indicators from their columns alone (two queries), and for each the target group
    whose summed figures it is judged on (None: its own figures). The same rules as _rules() builds."""
    columns = (
        "pk",
        "plan_id",
        "target_group_id",
        *RULE_FIELDS,
        *(f"plan__{name}" for name in PLAN_RULE_FIELDS),
        *(f"target_group__{name}" for name in GROUP_RULE_FIELDS),
    )
    rows = Indicator.objects.filter(chunk.filter()).order_by("pk").values(*columns)
    interim = _interim_targets(chunk.filter("indicator__"))
    plans, rules, summed_from = {}, {}, {}
    for row in rows:
        pk, plan_id, group_id = row["pk"], row["plan_id"], row["target_group_id"]
        if plan_id not in plans:
            plans[plan_id] = _plan_rule(**{name: row[f"plan__{name}"] for name in PLAN_RULE_FIELDS})
        group = None if group_id is None else {name: row[f"target_group__{name}"] for name in GROUP_RULE_FIELDS}
        rules[pk] = _rule(row, group=group, plan=plans[plan_id], interim_targets=interim[pk])
        summed_from[pk] = group_id if _judged_on_group(group_id, row["target_value"]) else None
    return rules, summed_from


class _Double(Cast):
    """CAST(column AS double precision) read as the database returns it: PostgreSQL and SQLite both give floats
    (or NULL), so Django's per-value float() converter, a Python call for each of a hundred thousand values
    in a recompute, is left out."""

    convert_value = staticmethod(Expression._convert_value_noop)

    def __init__(self, column: str):
        super().__init__(column, FloatField())


def _inputs(summed_from: dict[int, int | None], *, chunk: "_Chunk | None" = None):
    """Approved figures and pending periods per indicator, in two queries.

    summed_from names, for each indicator, the target group whose rows' summed figures it is fed (None: its
    own figures); chunk, when given, selects the same indicators in fewer words. Values are cast to floats
    in SQL (the same doubles as float() of the decimals).
    """
    groups = defaultdict(set)
    for pk, group_id in summed_from.items():
        if group_id is not None:
            groups[group_id].add(pk)
    wanted = set(summed_from)
    if groups:
        siblings = Indicator.objects.filter(target_group_id__in=groups).values_list("pk", "target_group_id")
        for pk, group_id in siblings:
            groups[group_id].add(pk)
            wanted.add(pk)

    approved = defaultdict(list)
    pending = defaultdict(set)
    if chunk is None:
        of_wanted = Q(indicator_id__in=wanted)
    else:  # the chunk, and any row of its target groups outside it
        outside = wanted.difference(summed_from)
        of_wanted = (
            chunk.filter("indicator__") | Q(indicator_id__in=outside) if outside else chunk.filter("indicator__")
        )
    # Each indicator's figures in the order the model gives them (period end, version), spelt out so that the
    # query neither joins the plans and cities nor sorts by them.
    rows = (
        QuarterlyFigure.objects.filter(
            of_wanted, status__in=[QuarterlyFigure.Status.APPROVED, QuarterlyFigure.Status.SUBMITTED]
        )
        .order_by("indicator_id", "period_end", "version")
        .values_list(
            "indicator_id",
            "period_end",
            "status",
            _Double("value"),
            _Double("numerator"),
            _Double("denominator"),
            "reviewed_at",
        )
    )
    approved_status, figure = QuarterlyFigure.Status.APPROVED, progress.Figure
    for indicator_id, period_end, status, value, numerator, denominator, reviewed_at in rows:
        if status == approved_status:
            approved[indicator_id].append(figure(period_end, value, numerator, denominator, reviewed_at))
        else:
            pending[indicator_id].add(period_end)

    figures, pending_periods = {}, {}
    for pk, group_id in summed_from.items():
        if group_id is not None:
            members = groups[group_id]
            figures[pk] = _summed([f for member in members for f in approved[member]])
            pending_periods[pk] = set().union(*(pending[member] for member in members))
        else:
            figures[pk] = approved[pk]
            pending_periods[pk] = pending[pk]
    return figures, pending_periods


def indicators_sharing_figures(indicator_id: int) -> list[int]:
    """The indicator and, when it is a row of a target group, every row judged on the same summed figures."""
    group_id = Indicator.objects.filter(pk=indicator_id).values_list("target_group_id", flat=True).first()
    if group_id is None:
        return [indicator_id]
    return list(Indicator.objects.filter(target_group_id=group_id).values_list("pk", flat=True))


def _summed(figures: list[progress.Figure]) -> list[progress.Figure]:
    by_period = defaultdict(float)
    for figure in figures:
        if figure.value is not None:
            by_period[figure.period_end] += figure.value
    return [progress.Figure(period_end=p, value=v) for p, v in sorted(by_period.items())]


def progress_evaluate(indicators: list[Indicator], *, as_of: dt.date) -> dict[int, progress.Progress]:
    """Each indicator's progress as of a date, computed now from today's approved figures."""
    figures, pending = _inputs(
        {i.pk: i.target_group_id if _judged_on_group(i.target_group_id, i.target_value) else None for i in indicators}
    )
    rules = _rules(indicators)
    return {i.pk: progress.evaluate(rules[i.pk], figures[i.pk], as_of, pending[i.pk]) for i in indicators}


def indicator_progress_at(indicator: Indicator, *, as_of: dt.date) -> progress.Progress:
    return progress_evaluate([indicator], as_of=as_of)[indicator.pk]


# --- Stored results ----------------------------------------------------------------------------------


CHUNK = 2000
"""Indicators evaluated and stored at a time: a full recompute's memory is bounded by one chunk, not by
the number of cities on the deployment."""


@dataclass(frozen=True)
class _Chunk:
    """Indicators evaluated and stored together: given ids, or a stretch of the (plan, id) order between
    two indicators, which a full recompute's queries select by its ends rather than by thousands of ids."""

    ids: tuple[int, ...] = ()
    first: tuple[int, int] | None = None  # (plan_id, pk) of the stretch's first and last indicator
    last: tuple[int, int] | None = None
    pks: tuple[int, int] | None = None  # the lowest and highest pk in the stretch

    def filter(self, prefix: str = "") -> Q:
        """The chunk's indicators, as a filter on Indicator or, with prefix "indicator__", on a model of them.

        A stretch is also bounded by its lowest and highest pk, which selects nothing more: a table of the
        indicators' rows (figures, results) is then read through its indicator index instead of scanned whole
        for every chunk, which at 3,000 cities is a million figures read forty-five times. Indicators are
        created plan by plan, so a stretch's pks lie close together."""
        if self.first is None:
            return Q(**{f"{prefix}pk__in": self.ids})
        (first_plan, first_pk), (last_plan, last_pk) = self.first, self.last
        plan, pk = f"{prefix}plan_id", f"{prefix}pk"
        return (
            Q(**{f"{plan}__gte": first_plan, f"{plan}__lte": last_plan})  # the plan index narrows it first
            & (Q(**{f"{plan}__gt": first_plan}) | Q(**{f"{pk}__gte": first_pk}))
            & (Q(**{f"{plan}__lt": last_plan}) | Q(**{f"{pk}__lte": last_pk}))
            & Q(**{f"{pk}__range": self.pks})
        )


def _chunked(indicator_ids: Iterable[int] | None) -> Iterable[_Chunk]:
    """The indicators in chunks, a plan's rows together (one PlanRule per plan and chunk). All indicators are
    read as stretches of CHUNK in (plan, id) order, keeping only each stretch's ends."""
    if indicator_ids is not None:
        ids = sorted(set(indicator_ids))
        for first in range(0, len(ids), CHUNK):
            yield _Chunk(ids=tuple(ids[first : first + CHUNK]))
        return
    stretches, first, count = [], None, 0
    for key in Indicator.objects.order_by("plan_id", "pk").values_list("plan_id", "pk").iterator(chunk_size=CHUNK):
        if first is None:
            first, count, lowest, highest = key, 0, key[1], key[1]
        count, lowest, highest = count + 1, min(lowest, key[1]), max(highest, key[1])
        if count == CHUNK:
            stretches.append(_Chunk(first=first, last=key, pks=(lowest, highest)))
            first = None
    if first is not None:
        stretches.append(_Chunk(first=first, last=key, pks=(lowest, highest)))
    yield from stretches


def indicator_progress_recompute(*, indicator_ids: Iterable[int] | None = None, as_of: dt.date | None = None) -> int:
    """Store each indicator's latest result, the snapshot of its last closed quarter and its lag flags.

    The snapshot is evaluated as of the quarter end, exactly as indicator_history_rebuild does, so a
    quarter's stored history never depends on the day the nightly job ran. All chunks commit together;
    each chunk's plans have their summaries refreshed with it, so memory stays one chunk's whatever the number
    of cities (a plan spanning two chunks is refreshed again, complete, with the second).
    """
    as_of = as_of or today()
    count = 0
    with transaction.atomic():
        for chunk in _chunked(indicator_ids):
            with _collector_paused():
                count += _recompute_chunk(chunk, as_of=as_of)
                plans = Indicator.objects.filter(chunk.filter()).values_list("plan_id", flat=True).distinct()
                plan_summary_refresh(plan_ids=plans.order_by())
    return count


@contextlib.contextmanager
def _collector_paused():
    """Pause the cyclic garbage collector while a chunk is worked on; it runs again after.

    A chunk holds a hundred thousand small objects (figures, results, rows) until it is stored. They form no
    reference cycles and reference counting frees them when the chunk is done, but while they live CPython's
    collector would traverse every one of them, and everything else in the process, each time enough have
    been allocated: nearly a third of a recompute at 300 cities. What cycles a chunk does make are collected
    after it, so memory stays bounded by a chunk. (The collector is the process's: another thread's cycles
    wait as long, one chunk.)
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _recompute_chunk(chunk: _Chunk, *, as_of: dt.date) -> int:
    rules, summed_from = _rules_read(chunk)
    figures, pending = _inputs(summed_from, chunk=chunk)
    closed = Quarter.latest_ended_by(as_of).end
    results, snapshots = {}, {}
    for pk, rule in rules.items():
        quarter_end = min(closed, _last_plan_quarter(rule.plan))
        days = (as_of, _snapshot_day(rule, quarter_end, until=as_of))
        results[pk], snapshots[(pk, quarter_end)] = progress.evaluate_dates(rule, figures[pk], days, pending[pk])
    # an indicator's snapshot and latest result side by side: they often give the same reason, rendered once
    texts = _site_reasons(
        [r for key, pk in zip(snapshots, results, strict=True) for r in (snapshots[key], results[pk])]
    )
    _store_snapshots(snapshots, dict(zip(snapshots, texts[0::2], strict=True)), chunk=chunk)
    since = _status_since(results, rules, as_of=as_of, chunk=chunk)
    _store_latest(results, dict(zip(results, texts[1::2], strict=True)), since, chunk=chunk)
    _update_flags(results, on=as_of, chunk=chunk)
    return len(results)


def _snapshot_day(rule: progress.IndicatorRule, quarter_end: dt.date, *, until: dt.date) -> dt.date:
    """A quarter's snapshot is the result as of its end; the plan-end quarter's, once the plan is over,
    holds the final verdict (as of the day it became final), so an ended plan's verdict dates from there."""
    final_day = progress.final_day(rule)
    if until >= final_day and quarter_end == _last_plan_quarter(rule.plan):
        return final_day
    return quarter_end


def _status_since(
    results: dict[int, progress.Progress],
    rules: dict[int, progress.IndicatorRule],
    *,
    as_of: dt.date,
    chunk: _Chunk,
) -> dict[int, dt.date]:
    """Status since: the first quarter end of the unbroken run of the current status in the stored history
    (one query). A status no snapshot holds yet dates from its reporting deadline when it is an overdue
    report, else from the latest closed quarter end. The dashboard reads the same rule for earlier dates."""
    history = defaultdict(list)
    rows = (
        ProgressSnapshot.objects.filter(chunk.filter("indicator__"), quarter_end__lte=as_of)
        .order_by("indicator_id", "quarter_end")
        .values_list("indicator_id", "quarter_end", "status")
    )
    for pk, quarter_end, status in rows.iterator(chunk_size=5000):
        history[pk].append((quarter_end, status))
    latest_quarter = Quarter.latest_ended_by(as_of).end
    since = {}
    for pk, result in results.items():
        run = progress.status_since(history[pk], result.status)
        if run is None and result.status == Status.OVERDUE_REPORT:
            run = progress.overdue_since(rules[pk], as_of)
        since[pk] = run or latest_quarter
    return since


def _last_plan_quarter(plan: progress.PlanRule) -> dt.date:
    """The end of the plan's last quarter: no snapshot is stored after it."""
    return _last_quarter_by(plan.period_end)


@functools.lru_cache(maxsize=64)
def _last_quarter_by(day: dt.date) -> dt.date:
    return Quarter.latest_ended_by(day).end


def indicator_history_rebuild(*, indicator_ids: Iterable[int] | None = None, until: dt.date | None = None) -> int:
    """Recompute the snapshot of every quarter end of the plans, e.g. after an old quarter is corrected."""
    until = until or today()
    closed = Quarter.latest_ended_by(until).end
    count = 0
    with transaction.atomic():
        for chunk in _chunked(indicator_ids):
            with _collector_paused():
                count += _rebuild_chunk(chunk, until=until, closed=closed)
    return count


def _rebuild_chunk(chunk: _Chunk, *, until: dt.date, closed: dt.date) -> int:
    rules, summed_from = _rules_read(chunk)
    figures, pending = _inputs(summed_from, chunk=chunk)
    snapshots = {}
    for pk, rule in rules.items():
        last = min(closed, _last_plan_quarter(rule.plan))
        quarters = [q for q in progress.plan_periods(rule.plan, progress.QUARTERLY) if q <= last]
        days = [_snapshot_day(rule, quarter_end, until=until) for quarter_end in quarters]
        results = progress.evaluate_dates(rule, figures[pk], days, pending[pk])
        snapshots.update(((pk, quarter_end), r) for quarter_end, r in zip(quarters, results, strict=True))
    texts = _site_reasons(list(snapshots.values()))
    _store_snapshots(snapshots, dict(zip(snapshots, texts, strict=True)), chunk=chunk)
    return len(snapshots)


def _site_reasons(results: list[progress.Progress]) -> list[str]:
    """Each result's reason text in the site's language, for the `reason` column (pages render reason_data
    anew in the reader's): in one translation.override, each label looked up once, and a result saying
    what the one before it says takes its text instead of rendering it again."""
    texts, previous, text = [], None, ""
    with translation.override(settings.LANGUAGE_CODE):
        words = functools.cache(translation.gettext)  # the language stays the same while it is used
        for result in results:
            if not result.reason_data or result.reason_data != previous:
                previous, text = result.reason_data, result.reason_in(words)
            texts.append(text)
    return texts


SNAPSHOT_COLUMNS = ["reason", *(name for name in PROGRESS_FIELDS if name != "reason")]
LATEST_COLUMNS = ["reason", *(name for name in LATEST_FIELDS if name != "reason"), "status_since"]
"""The stored columns in the order a result's row is compared with them: the reason text first (rendered apart)."""
_snapshot_values = operator.attrgetter(*SNAPSHOT_COLUMNS[1:])
_latest_values = operator.attrgetter(*LATEST_COLUMNS[1:-1])


def _store_snapshots(
    results: dict[tuple[int, dt.date], progress.Progress], reasons: dict[tuple[int, dt.date], str], *, chunk: _Chunk
):
    """Upsert the snapshots whose columns are not stored already: an unchanged row is not rewritten."""
    rows = {key: (reasons[key], *_snapshot_values(result)) for key, result in results.items()}
    stored = (
        ProgressSnapshot.objects.filter(
            chunk.filter("indicator__"), quarter_end__in={quarter_end for _, quarter_end in rows}
        )
        .order_by()  # compared as a set: no join to the plans and cities for the model's order
        .values_list("indicator_id", "quarter_end", *SNAPSHOT_COLUMNS)
    )
    unchanged = {
        (pk, quarter_end) for pk, quarter_end, *values in stored if rows.get((pk, quarter_end)) == tuple(values)
    }
    ProgressSnapshot.objects.bulk_create(
        [
            ProgressSnapshot(
                indicator_id=pk, quarter_end=quarter_end, **dict(zip(SNAPSHOT_COLUMNS, values, strict=True))
            )
            for (pk, quarter_end), values in rows.items()
            if (pk, quarter_end) not in unchanged
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator", "quarter_end"],
        update_fields=PROGRESS_FIELDS,
    )


def _store_latest(
    results: dict[int, progress.Progress], reasons: dict[int, str], since: dict[int, dt.date], *, chunk: _Chunk
):
    """Upsert the latest results whose columns are not stored already: an unchanged row is not rewritten (its
    computed_at stays the time its values were computed)."""
    rows = {pk: (reasons[pk], *_latest_values(result), since[pk]) for pk, result in results.items()}
    stored = (
        IndicatorProgress.objects.filter(chunk.filter("indicator__"))
        .order_by()  # compared as a set, as above
        .values_list("indicator_id", *LATEST_COLUMNS)
    )
    unchanged = {pk for pk, *values in stored if rows.get(pk) == tuple(values)}
    IndicatorProgress.objects.bulk_create(
        [
            IndicatorProgress(indicator_id=pk, **dict(zip(LATEST_COLUMNS, values, strict=True)))
            for pk, values in rows.items()
            if pk not in unchanged
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator"],
        update_fields=[*LATEST_COLUMNS, "computed_at"],
    )


def _update_flags(results: dict[int, progress.Progress], *, on: dt.date, chunk: _Chunk):
    """Raise a flag when an indicator turns lagging/at risk/overdue; clear it when it recovers."""
    open_flags = dict(
        LagFlag.objects.filter(chunk.filter("indicator__"), cleared_on__isnull=True).values_list(
            "indicator_id", "status"
        )
    )
    raise_, clear, moved = [], [], defaultdict(list)
    for indicator_id, result in results.items():
        flagged = result.status in FLAGGED_STATUSES
        if flagged and indicator_id not in open_flags:
            raise_.append(LagFlag(indicator_id=indicator_id, status=result.status, reason=result.reason, raised_on=on))
        elif not flagged and indicator_id in open_flags:
            clear.append(indicator_id)
        elif flagged and open_flags[indicator_id] != result.status:
            moved[result.status].append(indicator_id)
    LagFlag.objects.bulk_create(raise_, ignore_conflicts=True)
    LagFlag.objects.filter(indicator_id__in=clear, cleared_on__isnull=True).update(cleared_on=on)
    for status, ids in moved.items():
        LagFlag.objects.filter(indicator_id__in=ids, cleared_on__isnull=True).update(status=status)
