"""Progress: from stored figures to stored results. The rules themselves live in core.progress.

Reads are bulk (a fixed number of queries whatever the number of indicators) and writes are upserts, so a
recompute is idempotent and two running at once converge on the same rows.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
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


def plan_rule(plan) -> progress.PlanRule:
    return progress.PlanRule(
        period_start=plan.period_start,
        period_end=plan.period_end,
        reporting_lag_days=plan.reporting_lag_days,
        at_risk_band=float(plan.at_risk_band),
        lagging_band=float(plan.lagging_band),
    )


def _float(value):
    return None if value is None else float(value)


def indicator_rule(
    indicator: Indicator, *, interim_targets=None, plan: progress.PlanRule | None = None
) -> progress.IndicatorRule:
    """The rule an indicator is judged by; a row in a target group is judged on the group's target.

    Bulk callers pass the interim targets and the plan rule they fetched once for many indicators.
    """
    group = indicator.target_group
    target = indicator.target_value if indicator.target_value is not None or group is None else group.target_value
    if interim_targets is None:
        interim_targets = [(t.date, t.value) for t in indicator.interim_targets.all()]
    return progress.IndicatorRule(
        plan=plan or plan_rule(indicator.plan),
        measure_type=group.measure_type if group and indicator.target_value is None else indicator.measure_type,
        target_form=indicator.target_form,
        target_value=_float(target),
        target_date=indicator.target_date,
        base_value=_float(indicator.base_value),
        base_year=indicator.base_year,
        direction=indicator.direction,
        frequency=indicator.frequency,
        interim_targets=tuple(progress.InterimTarget(date=d, value=float(v)) for d, v in interim_targets),
        unit=(group.unit if group and indicator.target_value is None else indicator.unit) or "",
        reporting_lag_days=indicator.reporting_lag_days,
    )


def _indicators(indicator_ids: Iterable[int] | None) -> list[Indicator]:
    queryset = Indicator.objects.select_related("plan", "target_group")
    if indicator_ids is not None:
        queryset = queryset.filter(pk__in=list(indicator_ids))
    return list(queryset)


def _rules(indicators: list[Indicator]) -> dict[int, progress.IndicatorRule]:
    """Every indicator's rule, with interim targets read in one query and one PlanRule per plan."""
    interim = defaultdict(list)
    rows = InterimTarget.objects.filter(indicator__in=[i.pk for i in indicators])
    for indicator_id, date, value in rows.values_list("indicator_id", "date", "value").order_by("date"):
        interim[indicator_id].append((date, value))
    plans = {}
    for indicator in indicators:
        if indicator.plan_id not in plans:
            plans[indicator.plan_id] = plan_rule(indicator.plan)
    return {i.pk: indicator_rule(i, interim_targets=interim[i.pk], plan=plans[i.plan_id]) for i in indicators}


def _inputs(indicators: list[Indicator]):
    """Approved figures and pending periods per indicator, in two queries.

    A row of a target group is fed the summed figures of every row in its group.
    """
    groups = defaultdict(set)
    for indicator in indicators:
        if indicator.target_group_id and indicator.target_value is None:
            groups[indicator.target_group_id].add(indicator.pk)
    wanted = {i.pk for i in indicators}
    if groups:
        siblings = Indicator.objects.filter(target_group_id__in=groups).values_list("pk", "target_group_id")
        for pk, group_id in siblings:
            groups[group_id].add(pk)
            wanted.add(pk)

    approved = defaultdict(list)
    pending = defaultdict(set)
    rows = QuarterlyFigure.objects.filter(
        indicator_id__in=wanted, status__in=[QuarterlyFigure.Status.APPROVED, QuarterlyFigure.Status.SUBMITTED]
    ).values_list("indicator_id", "period_end", "status", "value", "numerator", "denominator", "reviewed_at")
    for indicator_id, period_end, status, value, numerator, denominator, reviewed_at in rows:
        if status == QuarterlyFigure.Status.APPROVED:
            approved[indicator_id].append(
                progress.Figure(
                    period_end=period_end,
                    value=_float(value),
                    numerator=_float(numerator),
                    denominator=_float(denominator),
                    approved_at=reviewed_at,
                )
            )
        else:
            pending[indicator_id].add(period_end)

    figures, pending_periods = {}, {}
    for indicator in indicators:
        if indicator.target_group_id and indicator.target_value is None:
            members = groups[indicator.target_group_id]
            figures[indicator.pk] = _summed([f for pk in members for f in approved[pk]])
            pending_periods[indicator.pk] = set().union(*(pending[pk] for pk in members))
        else:
            figures[indicator.pk] = approved[indicator.pk]
            pending_periods[indicator.pk] = pending[indicator.pk]
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
    figures, pending = _inputs(indicators)
    rules = _rules(indicators)
    return {i.pk: progress.evaluate(rules[i.pk], figures[i.pk], as_of, pending[i.pk]) for i in indicators}


def indicator_progress_at(indicator: Indicator, *, as_of: dt.date) -> progress.Progress:
    return progress_evaluate([indicator], as_of=as_of)[indicator.pk]


# --- Stored results ----------------------------------------------------------------------------------


CHUNK = 2000
"""Indicators evaluated and stored at a time: a full recompute's memory is bounded by one chunk, not by
the number of cities on the deployment."""


def _chunked(indicator_ids: Iterable[int] | None) -> Iterable[list[int]]:
    """The indicators in chunks, a plan's rows together (one PlanRule per plan and chunk)."""
    if indicator_ids is None:
        ids = list(Indicator.objects.order_by("plan_id", "pk").values_list("pk", flat=True))
    else:
        ids = sorted(set(indicator_ids))
    for first in range(0, len(ids), CHUNK):
        yield ids[first : first + CHUNK]


def indicator_progress_recompute(*, indicator_ids: Iterable[int] | None = None, as_of: dt.date | None = None) -> int:
    """Store each indicator's latest result, the snapshot of its last closed quarter and its lag flags.

    The snapshot is evaluated as of the quarter end, exactly as indicator_history_rebuild does, so a
    quarter's stored history never depends on the day the nightly job ran. All chunks commit together.
    """
    as_of = as_of or today()
    count = 0
    with transaction.atomic():
        for chunk in _chunked(indicator_ids):
            count += _recompute_chunk(_indicators(chunk), as_of=as_of)
        plan_summary_refresh(indicator_ids=indicator_ids)
    return count


def _recompute_chunk(indicators: list[Indicator], *, as_of: dt.date) -> int:
    figures, pending = _inputs(indicators)
    rules = _rules(indicators)
    results, snapshots = {}, {}
    for indicator in indicators:
        pk, rule = indicator.pk, rules[indicator.pk]
        results[pk] = progress.evaluate(rule, figures[pk], as_of, pending[pk])
        quarter_end = _last_snapshot_quarter(indicator, as_of)
        snapshots[(pk, quarter_end)] = _snapshot(rule, figures[pk], pending[pk], quarter_end, until=as_of)
    _store_snapshots(snapshots)
    since = _status_since(results, rules, as_of=as_of)
    latest = [
        IndicatorProgress(indicator_id=pk, status_since=since[pk], **_stored(result, LATEST_FIELDS))
        for pk, result in results.items()
    ]
    IndicatorProgress.objects.bulk_create(
        latest,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator"],
        update_fields=LATEST_FIELDS + ["status_since", "computed_at"],
    )
    _update_flags(results, on=as_of)
    return len(results)


def _snapshot(rule, figures, pending, quarter_end: dt.date, *, until: dt.date) -> progress.Progress:
    """A quarter's snapshot is the result as of its end; the plan-end quarter's, once the plan is over,
    holds the final verdict (as of the day it became final), so an ended plan's verdict dates from there."""
    final_day = progress.final_day(rule)
    if until >= final_day and quarter_end == Quarter.latest_ended_by(rule.plan.period_end).end:
        return progress.evaluate(rule, figures, final_day, pending)
    return progress.evaluate(rule, figures, quarter_end, pending)


def _status_since(
    results: dict[int, progress.Progress], rules: dict[int, progress.IndicatorRule], *, as_of: dt.date
) -> dict[int, dt.date]:
    """Status since: the first quarter end of the unbroken run of the current status in the stored history
    (one query). A status no snapshot holds yet dates from its reporting deadline when it is an overdue
    report, else from the latest closed quarter end. The dashboard reads the same rule for earlier dates."""
    history = defaultdict(list)
    rows = (
        ProgressSnapshot.objects.filter(indicator_id__in=results, quarter_end__lte=as_of)
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


def _last_snapshot_quarter(indicator: Indicator, day: dt.date) -> dt.date:
    return min(Quarter.latest_ended_by(day).end, Quarter.latest_ended_by(indicator.plan.period_end).end)


def indicator_history_rebuild(*, indicator_ids: Iterable[int] | None = None, until: dt.date | None = None) -> int:
    """Recompute the snapshot of every quarter end of the plans, e.g. after an old quarter is corrected."""
    until = until or today()
    count = 0
    with transaction.atomic():
        for chunk in _chunked(indicator_ids):
            indicators = _indicators(chunk)
            figures, pending = _inputs(indicators)
            rules = _rules(indicators)
            snapshots = {}
            for indicator in indicators:
                rule = rules[indicator.pk]
                last = _last_snapshot_quarter(indicator, until)
                for quarter_end in progress.plan_periods(rule.plan, progress.QUARTERLY):
                    if quarter_end > last:
                        break
                    snapshots[(indicator.pk, quarter_end)] = _snapshot(
                        rule, figures[indicator.pk], pending[indicator.pk], quarter_end, until=until
                    )
            _store_snapshots(snapshots)
            count += len(snapshots)
    return count


def _stored(result: progress.Progress, fields) -> dict:
    """The columns of a result; its reason text in the site's language (pages render reason_data anew)."""
    with translation.override(settings.LANGUAGE_CODE):
        return {name: getattr(result, name) for name in fields}


def _store_snapshots(results: dict[tuple[int, dt.date], progress.Progress]):
    ProgressSnapshot.objects.bulk_create(
        [
            ProgressSnapshot(indicator_id=pk, quarter_end=q, **_stored(r, PROGRESS_FIELDS))
            for (pk, q), r in results.items()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["indicator", "quarter_end"],
        update_fields=PROGRESS_FIELDS,
    )


def _update_flags(results: dict[int, progress.Progress], *, on: dt.date):
    """Raise a flag when an indicator turns lagging/at risk/overdue; clear it when it recovers."""
    open_flags = dict(
        LagFlag.objects.filter(indicator_id__in=results, cleared_on__isnull=True).values_list("indicator_id", "status")
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
