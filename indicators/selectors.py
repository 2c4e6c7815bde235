"""Reads of progress for pages, the API and the quarterly report — one place, so they show the same numbers."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from indicators import progress
from indicators.models import Indicator
from indicators.services import LATEST_FIELDS, progress_evaluate, today

ATTENTION_STATUSES = (progress.MISSED, progress.LAGGING, progress.OVERDUE_REPORT, progress.AT_RISK)


@dataclass(frozen=True)
class IndicatorStatus:
    indicator: Indicator
    result: progress.Progress
    status_since: dt.date | None = None

    @property
    def label(self) -> str:
        return progress.STATUS_LABELS[self.result.status]


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
        """Mean progress of the quantitative indicators that have one, each capped at 100%."""
        shares = [min(1.0, max(0.0, r.result.progress)) for r in self.rows if r.result.progress is not None]
        return sum(shares) / len(shares) if shares else None

    @property
    def attention(self) -> list[IndicatorStatus]:
        """Lagging, overdue and at-risk first (worst first): what the leading group must act on."""
        rank = {s: n for n, s in enumerate(progress.STATUS_ORDER)}
        return sorted((r for r in self.rows if r.result.status in ATTENTION_STATUSES),
                      key=lambda r: (rank[r.result.status], r.indicator.order))


def _stored_result(row) -> progress.Progress:
    return progress.Progress(**{name: getattr(row, name) for name in LATEST_FIELDS})


def plan_progress(plan, *, as_of: dt.date | None = None) -> PlanProgress:
    """Stored results for today (no computing); computed from approved figures for an earlier as_of."""
    indicators = list(Indicator.objects.filter(plan=plan)
                      .select_related("lead_department", "target_group", "progress", "plan")
                      .prefetch_related("interim_targets").order_by("order"))
    if as_of is None or as_of >= today():
        as_of = today()
        rows = []
        missing = [i for i in indicators if not hasattr(i, "progress")]
        computed = progress_evaluate(missing, as_of=as_of) if missing else {}
        for indicator in indicators:
            if indicator.pk in computed:
                rows.append(IndicatorStatus(indicator, computed[indicator.pk]))
            else:
                rows.append(IndicatorStatus(indicator, _stored_result(indicator.progress),
                                            indicator.progress.status_since))
    else:
        results = progress_evaluate(indicators, as_of=as_of)
        rows = [IndicatorStatus(i, results[i.pk]) for i in indicators]
    return PlanProgress(plan=plan, as_of=as_of, rows=rows, counts=Counter(r.result.status for r in rows))
