"""Reads for the dashboard pages: each page in a fixed number of queries, its chart data as plain JSON.

Every number comes from indicators.selectors (the reads the quarterly report uses too) and every status,
reason and pace from the progress engine; this module only gathers them per page and shapes them for the
templates and for static/dashboards/dashboards.js, which draws what it is given and decides nothing.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.access import (
    TASK_OVERVIEW_ROLES,
    can_compare_cities,
    can_enter_base,
    can_see_department_updates,
    user_department_id,
    user_role,
)
from core import progress
from core.errors import Forbidden
from core.numbers import quantity_or_missing as amount
from core.numbers import share_or_missing as percent
from core.numbers import unit_words
from core.periods import Quarter
from core.status import STATUS_ORDER, Status, status_label
from dashboards.explain import (
    WAITING_STATUSES,
    Explainer,
    Waiting,
    explainer,
    owner_name,
    waiting_for,
)
from dashboards.names import local_name
from dashboards.rules import headline_status, task_problem_key
from indicators.models import (
    CatalogueKeySummary,
    ComparisonEntry,
    Indicator,
    ProgressSnapshot,
    QuarterlyFigure,
    TargetForm,
)
from indicators.selectors import (
    ATTENTION_STATUSES,
    PLAN_OVER_RULE,
    IndicatorStatus,
    PlanProgress,
    PlanSummary,
    catalogue_labels,
    expected_path,
    expected_value,
    has_time_path,
    on_track_trend,
    plan_progress,
    plan_summaries,
    scale_origin,
    stored_progress,
)
from indicators.services import indicator_progress_at, plan_rule, today
from indicators.summaries import SUMMARY_STATUSES, catalogue_key_counts, plans_digest
from plans.models import City, Plan
from plans.selectors import current_plan, current_plan_ids, current_plans
from tasks.models import SupervisionItem, SupervisionStep, Task, TaskAssignment, TaskUpdate
from tasks.responsibility import SUPERVISION_FIELDS as RESPONSIBILITY_SUPERVISION_FIELDS
from tasks.responsibility import Responsibility, in_language, indicator_responsibility
from tasks.rules import LIGHT_LABELS, SUPERVISION_STATUS_LABELS, Light
from tasks.selectors import open_supervision_values

# The status counts a dashboard lists, in this order; the other statuses only when they occur.
CARD_STATUSES = (
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.LAGGING,
    Status.NO_DATA,
    Status.INCOMPLETE,
)
EXTRA_STATUSES = (Status.MISSED, Status.OVERDUE_REPORT, Status.AWAITING_REVIEW, Status.QUALITATIVE)
TREND_QUARTERS = 8  # the overview's small trend: two years of quarter ends at most
# The overview's count columns: every status a quantitative indicator can have, worst first after the good.
OVERVIEW_STATUSES = (
    Status.ACHIEVED,
    Status.ON_TRACK,
    Status.AT_RISK,
    Status.LAGGING,
    Status.OVERDUE_REPORT,
    Status.MISSED,
    Status.AWAITING_REVIEW,
    Status.NO_DATA,
    Status.INCOMPLETE,
)
UNREPORTED = "unreported"
# What the dashboard shows of an open 督办 item besides its step and light (tasks.selectors.open_supervision_values),
# and what the responsibility lines read of the same rows.
SUPERVISION_COLUMNS = tuple(
    dict.fromkeys(
        (
            "reason",
            "quarter_end",
            "department__name",
            "department__name_en",
            "indicator_id",
            "indicator__name",
            "indicator__name_en",
            "task__title",
            *RESPONSIBILITY_SUPERVISION_FIELDS,
        )
    )
)
TASK_STATES = (
    TaskUpdate.State.DONE,
    TaskUpdate.State.IN_PROGRESS,
    TaskUpdate.State.BLOCKED,
    TaskUpdate.State.NOT_STARTED,
    UNREPORTED,
)


# ─── As of: any closed quarter, or today ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AsOf:
    """The date a page is shown as of: the end of a closed quarter (the engine counts the periods closed by
    then, with today's approved figures), or today with the stored latest results."""

    quarter: Quarter | None
    today: dt.date

    @property
    def is_latest(self) -> bool:
        return self.quarter is None

    @property
    def date(self) -> dt.date:
        return self.today if self.quarter is None else self.quarter.end

    @property
    def param(self) -> str:
        return "" if self.quarter is None else str(self.quarter)

    @property
    def label(self) -> str:
        if self.quarter is None:
            return _("最新（%(date)s）") % {"date": self.today.isoformat()}
        return _("%(quarter)s末") % {"quarter": self.quarter.label}

    @property
    def selector_date(self) -> dt.date | None:
        """What indicators.selectors take: None for the stored latest results."""
        return None if self.quarter is None else self.quarter.end


def as_of_from(text: str | None, *, on: dt.date | None = None) -> AsOf:
    """'2025Q2' → that quarter's end; empty → today. A malformed or not yet closed quarter is a 404."""
    day = on or today()
    if not text:
        return AsOf(None, day)
    try:
        quarter = Quarter.parse(text)
    except ValueError as error:
        raise Http404 from error
    if quarter.end > day:
        raise Http404
    return AsOf(quarter, day)


def as_of_choices(start: dt.date, end: dt.date, as_of: AsOf) -> list[tuple[str, str, bool]]:
    """(param, label, selected) for today and every closed quarter from `start` to `end`, newest first."""
    if as_of.quarter is not None:  # a quarter asked for outside the range is still listed, and selected
        start, end = min(start, as_of.quarter.end), max(end, as_of.quarter.end)
    choices = [("", AsOf(None, as_of.today).label, as_of.is_latest)]
    quarter = Quarter.of(min(end, as_of.today))
    while not quarter.is_closed(as_of.today):
        quarter = quarter.previous
    first = Quarter.of(start)
    while quarter >= first:
        choices.append((str(quarter), AsOf(quarter, as_of.today).label, quarter == as_of.quarter))
        quarter = quarter.previous
    return choices


def _with_as_of(url: str, as_of: AsOf, **params) -> str:
    query = {**({"as_of": as_of.param} if as_of.param else {}), **{k: v for k, v in params.items() if v}}
    return f"{url}?{urlencode(query)}" if query else url


def city_url(city_code: str, as_of: AsOf, plan_code: str | None = None) -> str:
    return _with_as_of(reverse("dashboards:city", args=[city_code]), as_of, plan=plan_code)


def _pk_urls(name: str, as_of: AsOf | None = None):
    """url(pk) for the many rows of one page: reversed once with a marker pk that is then replaced (a
    reverse() per row is measurable on a dashboard of dozens of rows)."""
    marker = "987654321"
    url = reverse(name, args=[int(marker)])
    head, tail = (_with_as_of(url, as_of) if as_of else url).split(marker, 1)
    return lambda pk: f"{head}{pk}{tail}"


def _status_counts(counts: Counter) -> list[dict]:
    """The statuses a list or a chart shows: the main six always, the others when they occur."""
    shown = [*CARD_STATUSES, *(s for s in EXTRA_STATUSES if counts.get(s))]
    return [{"status": s, "label": status_label(s), "n": counts.get(s, 0)} for s in shown]


def plan_headline_status(plan: Plan, summary) -> Status:
    """The status the headline progress of a plan (or an overview row) is coloured by (dashboards.rules)."""
    return headline_status(
        time_elapsed=summary.time_elapsed,
        indicator_progress=summary.indicator_progress,
        at_risk_band=float(plan.at_risk_band),
        lagging_band=float(plan.lagging_band),
        final=summary.is_final,
    )


# ─── Cities overview ─────────────────────────────────────────────────────────────────────────────────────


@dataclass
class CityCard:
    """A city's row on the overview, its words and numbers written once (300 rows: every lookup counts)."""

    city: City
    plan: Plan
    summary: PlanSummary
    trend: list[tuple[dt.date, float]]
    url: str
    labels: list[str] = field(default_factory=list)

    @property
    def attention(self) -> int:
        return _attention(self.summary)

    @property
    def cells(self) -> list[str]:
        """Counts in the overview's column order (OVERVIEW_STATUSES), as text: a template localises every
        number it renders, which 300 rows of nine counts feel."""
        return [str(self.summary.counts.get(s, 0)) for s in OVERVIEW_STATUSES]

    @property
    def key(self) -> str:
        return str(self.plan.pk)

    @property
    def time_text(self) -> str:
        return percent(self.summary.time_elapsed)

    @property
    def progress_text(self) -> str:
        return percent(self.summary.indicator_progress)

    @property
    def period(self) -> str:
        return f"{self.plan.period_start:%Y-%m} — {self.plan.period_end:%Y-%m}"

    @property
    def headline_status(self) -> Status:
        """What the row's 指标进度 is coloured by, as on the city's own dashboard."""
        return plan_headline_status(self.plan, self.summary)

    @property
    def status_cells(self) -> list[tuple[str, str, str]]:
        """(status, label, count) in column order: on a phone each count carries its own label."""
        return list(zip(OVERVIEW_STATUSES, self.labels, self.cells, strict=True))

    @property
    def trend_rows(self) -> list[tuple[str, str]]:
        """The trend as (quarter, share) rows: a table for screen readers, the picture's hover for the rest."""
        return [(str(Quarter.of(day)), percent(share)) for day, share in self.trend]


OVERVIEW_PAGE_SIZE = 50
"""Cities a page of the overview lists: a national deployment holds thousands, sorted by what needs attention."""


@dataclass
class Overview:
    as_of: AsOf
    cards: list[CityCard]
    choices: list
    charts: dict
    columns: list[tuple[str, str]]
    explainer: Explainer | None = None
    cities: int = 0
    pages: Page | None = None

    def page_url(self, number: int) -> str:
        return _with_as_of(reverse("dashboards:overview"), self.as_of, page=number)

    @property
    def previous_url(self) -> str | None:
        return self.page_url(self.pages.previous_page_number()) if self.pages.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.page_url(self.pages.next_page_number()) if self.pages.has_next() else None


def _trend_start(plan: Plan, as_of: AsOf) -> dt.date:
    """The first quarter end of a plan's small trend: TREND_QUARTERS back from its last one by the date (an
    ended plan's trend ends with the plan)."""
    quarter = Quarter.latest_ended_by(min(as_of.date, plan.period_end))
    for _step in range(TREND_QUARTERS - 1):
        quarter = quarter.previous
    return quarter.end


def _attention(summary: PlanSummary) -> int:
    return sum(summary.counts.get(s, 0) for s in ATTENTION_STATUSES)


@dataclass
class _OverviewRead:
    """What either read of the overview gives the page: its plans, their summaries, the totals of all."""

    pages: Page
    summaries: dict[int, PlanSummary]
    totals: Counter
    cities: int
    start: dt.date | None
    end: dt.date | None


class _CountedPaginator(Paginator):
    """A paginator told its count (read with the totals, in the same query) instead of counting again."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self.count = count


def _stored_overview(visible: QuerySet[Plan], as_of: AsOf, page) -> _OverviewRead | None:
    """Today's overview from the stored summaries, ordered, paged and totalled in the database (two queries);
    None when a current plan with indicators has no summary yet (the live read computes it). A plan without
    indicators and without a summary has nothing to count."""
    current = current_plans(visible, as_of.date)
    has_indicators = Exists(Indicator.objects.filter(plan=OuterRef("pk")))
    sums = current.aggregate(
        **{s.value: Sum(f"progress_summary__{s.value}") for s in SUMMARY_STATUSES},
        cities=Count("pk"),
        unsummarised=Count("pk", filter=Q(progress_summary__isnull=True) & Q(has_indicators)),
        start=Min("period_start"),
        end=Max("period_end"),
    )
    if sums["unsummarised"]:
        return None
    ordered = current.select_related("city", "progress_summary").order_by(
        Coalesce("progress_summary__attention", 0).desc(), "city__code"
    )
    pages = _CountedPaginator(ordered, OVERVIEW_PAGE_SIZE, count=sums["cities"]).get_page(page)
    summaries = {}
    for plan in pages.object_list:
        stored = getattr(plan, "progress_summary", None)
        summaries[plan.pk] = PlanSummary(
            plan=plan,
            as_of=as_of.date,
            counts=Counter({s: n for s in SUMMARY_STATUSES if stored and (n := getattr(stored, s.value))}),
            indicator_progress=stored.indicator_progress if stored else None,
            is_final=stored.is_final if stored else False,
        )
    totals = Counter({s: sums[s.value] for s in SUMMARY_STATUSES if sums[s.value]})
    return _OverviewRead(pages, summaries, totals, sums["cities"], sums["start"], sums["end"])


def _live_overview(visible: QuerySet[Plan], as_of: AsOf, page) -> _OverviewRead:
    """The overview computed from the stored results of every current plan (as of an earlier quarter end: its
    snapshots), sorted and paged in Python: the past dates' read, and today's until the summaries are written."""
    plans_by_city = defaultdict(list)
    for plan in visible.select_related("city").order_by("city__code", "period_start", "code"):
        plans_by_city[plan.city_id].append(plan)
    plans = [current_plan(city_plans, as_of.date) for city_plans in plans_by_city.values()]
    summaries = plan_summaries(plans, as_of=as_of.selector_date)
    plans.sort(key=lambda p: (-_attention(summaries[p.pk]), p.city.code))
    totals = Counter()
    for summary in summaries.values():
        totals.update(summary.counts)
    return _OverviewRead(
        Paginator(plans, OVERVIEW_PAGE_SIZE).get_page(page),
        summaries,
        totals,
        len(plans),
        min((p.period_start for p in plans), default=None),
        max((p.period_end for p in plans), default=None),
    )


def cities_overview(*, user, as_of: AsOf, page: str | int | None = None) -> Overview:
    """One row per visible city for its current plan, a page at a time (cities needing attention first).
    Today's is read from the stored summaries (indicators.summaries), ordered, paged and totalled in the
    database; an earlier date's is computed from the quarter's snapshots (_live_overview). The trend is
    read for the page's cities only."""
    visible = Plan.objects.visible_to(user)
    read = (_stored_overview(visible, as_of, page) if as_of.is_latest else None) or _live_overview(visible, as_of, page)
    pages, summaries = read.pages, read.summaries
    shown = list(pages.object_list)
    since = min((_trend_start(p, as_of) for p in shown), default=as_of.date)
    trends = on_track_trend(shown, until=as_of.date, since=since)
    labels = [status_label(s) for s in OVERVIEW_STATUSES]
    cards = [
        CityCard(
            city=p.city,
            plan=p,
            summary=summaries[p.pk],
            trend=trends.get(p.pk, [])[-TREND_QUARTERS:],
            url=city_url(p.city.code, as_of),
            labels=labels,
        )
        for p in shown
    ]
    choices = (
        as_of_choices(read.start, read.end, as_of) if read.cities else as_of_choices(as_of.today, as_of.today, as_of)
    )
    charts = {
        "labels": {
            "time": _("时间进度"),
            "progress": _("指标进度"),
            "diagonal": _("时间过半、任务过半"),
            "count": _("指标数"),
            "share": _("进度（占实施期或目标的比例）"),
            "status": _("指标状态"),
            "trend": _("进度正常（含已达标）占比"),
        },
        "totals": [s for s in _status_counts(read.totals) if s["status"] != Status.QUALITATIVE],
        "cities": [
            {"city": local_name(c.city), "x": c.summary.time_elapsed, "y": c.summary.indicator_progress}
            for c in cards
            if c.summary.indicator_progress is not None
        ],
        "trends": {
            str(c.plan.pk): {
                "x": [str(Quarter.of(d)) for d, _share in c.trend],
                "y": [share for _day, share in c.trend],
            }
            for c in cards
        },
    }
    return Overview(
        as_of=as_of,
        cards=cards,
        choices=choices,
        charts=charts,
        columns=list(zip(OVERVIEW_STATUSES, labels, strict=True)),
        explainer=explainer(shown),
        cities=read.cities,
        pages=pages,
    )


# ─── City dashboard ───────────────────────────────────────────────────────────────────────────────────────


@dataclass
class IndicatorLine:
    """An indicator on the dashboard with its words and numbers already written (the template only places
    them: a city has dozens of indicators and every template lookup counts), and its bullet's data."""

    row: IndicatorStatus
    url: str
    expected_value: float | None
    numbers: str
    meta: str
    pace: str | None
    name: str  # in the reader's language (dashboards.names)
    status_label: str
    reason: str
    since: str  # the date the status has held since, or ""
    waiting: Waiting | None = None
    who: Responsibility | None = None  # who must act on the verdict (tasks.responsibility)
    who_line: dict | None = None  # the same in the words the who_line filter places (_who_line)

    @property
    def indicator(self) -> Indicator:
        return self.row.indicator

    @property
    def result(self) -> progress.Progress:
        return self.row.result

    @property
    def status(self) -> str:
        return self.row.result.status

    @property
    def has_bullet(self) -> bool:
        return self.result.current is not None and self.result.end_target is not None

    def bullet(self, words: dict) -> dict:
        """A bullet chart's data: the bar is the current value, the shaded band the expected value by now,
        the line the end target, on an axis from the scale's origin (0 for totals and thresholds); `words` are
        bullet_words()."""
        result = self.result
        origin = scale_origin(self.indicator, result)
        values = [v for v in (origin, result.current, result.end_target, self.expected_value) if v is not None]
        from_zero = origin == 0 or self.indicator.target_form == progress.THRESHOLD
        low = 0.0 if from_zero and min(values) >= 0 else min(values)
        high = max(values)
        span = (high - low) or abs(high) or 1.0
        return {
            "value": result.current,
            "expected": self.expected_value,
            "target": result.end_target,
            "range": [low - span * 0.02, high + span * 0.08],
            "start": low,
            "status": result.status,
            "axis": self.bullet_axis(low, origin, words),
            "whole": (self.indicator.unit or "") in progress.WHOLE_UNITS,
        }

    def bullet_axis(self, low: float, origin: float | None, words: dict) -> str:
        """The bullet's axis title: its unit, and where the axis starts when that is not zero (an axis from
        the base value says so, or a short bar would read as a small value)."""
        unit = self.indicator.unit or ""
        parts = [words["unit"] % {"u": unit_words(unit).strip()}] if unit else []
        if low != 0:
            start = amount(low, unit)
            if origin is not None and low == origin:
                parts.append(words["from_base"] % {"value": start})
            else:
                parts.append(words["from"] % {"value": start})
        return words["separator"].join(parts)


def bullet_words() -> dict:
    """The bullets' axis words, translated once for a page's dozens of bullets (IndicatorLine.bullet)."""
    return {
        "unit": _("单位：%(u)s"),
        "from_base": _("坐标轴自基期值%(value)s起"),
        "from": _("坐标轴自%(value)s起"),
        "separator": _("；"),
    }


def _lines(rows: list[IndicatorStatus], as_of: AsOf) -> dict:
    """Each row as an IndicatorLine: 当前 X · 应达 Y · 目标 Z · 进度 P, or the engine's reason when there is
    nothing to measure, with what it waits for, who supplies it and by when (explain.waiting_for)."""
    words = {
        "current": _("当前"),
        "expected": _("应达"),
        "target": _("目标"),
        "progress": _("进度"),
        "data_date": _("数据截至"),
    }
    url = _pk_urls("dashboards:indicator", as_of)
    plan_rules = {}
    lines = {}
    for row in rows:
        indicator, result = row.indicator, row.result
        unit = indicator.unit or ""
        expected = expected_value(indicator, result)
        waiting = None
        if result.status in WAITING_STATUSES:
            plan = indicator.plan
            if plan.pk not in plan_rules:
                plan_rules[plan.pk] = plan_rule(plan)
            owner = getattr(plan, "owner_name", None)  # annotated by city_dashboard
            waiting = waiting_for(indicator, result, as_of=as_of.date, owner=owner, rule=plan_rules[plan.pk])
        reason = result.reason  # rendered from the engine's reason data at each reading
        if result.current is not None and result.end_target is not None:
            parts = [f"{words['current']}{_judged(result)} {amount(result.current, unit)}"]
            if expected is not None:
                parts.append(f"{words['expected']} {amount(expected, unit)}")
            parts.append(f"{words['target']} {amount(result.end_target, unit)}")
            if result.progress is not None:
                parts.append(f"{words['progress']} {progress.progress_words(result, indicator.target_form)}")
            numbers = " · ".join(parts)
        else:
            numbers = reason
            if getattr(indicator, "base_year_assumed", False):  # annotated by indicators.selectors.plan_progress
                numbers += _("（基期年份为假定，待确认）")
        meta = f"{words['data_date']} {result.data_date.isoformat()}" if result.data_date else ""
        lines[indicator.pk] = IndicatorLine(
            row=row,
            url=url(indicator.pk),
            expected_value=expected,
            numbers=numbers,
            meta=meta,
            pace=_pace(result, indicator),
            name=local_name(indicator),
            status_label=row.label,
            reason=reason,
            since=row.status_since.isoformat() if row.status_since else "",
            waiting=waiting,
        )
    return lines


def _who_words() -> dict:
    """The who lines' words, translated once for the page rather than once per line (a gettext call costs as
    much as placing a line): the labels, and every 督办 step and light by its code."""
    return {
        "leads": _("牵头单位"),
        "defaulted": _("文件未写明，默认"),
        "responsible": _("责任单位"),
        "supervision": _("督办"),
        "due": _("期限 %(date)s"),
        "report": _("最新任务进展"),
        "steps": {status: str(label) for status, label in SUPERVISION_STATUS_LABELS.items()},
        "lights": {light: str(label) for light, label in LIGHT_LABELS.items()},
    }


def _who_line(who: Responsibility, supervision_url, words: dict) -> dict:
    """Who must act, in the words the who_line filter (dashboards_tags) places, written once per indicator: a
    lagging indicator's line appears twice on the page, and the tags of that line were most of its render.
    `words` are _who_words(); a step and light read as OpenSupervision.step_label and light_label."""
    line = {"leads": f"{words['leads']}：{who.lead_text}", "defaulted": who.defaulted and words["defaulted"]}
    line["answering"] = len(who.leads) > 1 and _("%(d)s答复督办") % {"d": who.answering}
    line["responsible"] = who.responsible and f"{words['responsible']}：{who.responsible_short}"
    line["supervision"] = line["report"] = None  # every key present: a missing one is a slow failed lookup
    item = who.supervision
    if item is not None:
        line["supervision"] = {
            "word": words["supervision"],
            "url": supervision_url(item.pk),
            "step": words["steps"][item.status],
            "light": item.light,
            "light_label": words["lights"].get(item.light, ""),
            "due": item.due and words["due"] % {"date": item.due.isoformat()},
        }
    report = who.last_report
    if report is not None:
        line["report"] = (
            f"{words['report']}：{report.department} {report.quarter.label} {report.state_label}"
            f"（{report.reported_on.isoformat()}）"
        )
    return line


def _judged(result: progress.Progress) -> str:
    """（近四季度） / （年度） after 当前 where the judged value is not simply the latest figure."""
    if result.basis in (progress.BASIS_FOUR_QUARTERS, progress.BASIS_YEAR):
        return _("（%(basis)s）") % {"basis": progress.basis_label(result.basis)}
    return ""


@dataclass
class DepartmentTasks:
    """A department's tasks by the state of its latest report up to the quarter (未报送 when it has none)."""

    department: object
    states: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.states.values())

    @property
    def done_share(self) -> float | None:
        return self.states[TaskUpdate.State.DONE] / self.total if self.total else None

    @property
    def cells(self) -> list[int]:
        return [self.states[s] for s in TASK_STATES]

    @property
    def name(self) -> str:
        return local_name(self.department)

    @property
    def problem_key(self) -> tuple:
        """Most trouble first (dashboards.rules.task_problem_key)."""
        states = self.states
        return task_problem_key(
            blocked=states[TaskUpdate.State.BLOCKED],
            unreported=states[UNREPORTED],
            not_started=states[TaskUpdate.State.NOT_STARTED],
            done=states[TaskUpdate.State.DONE],
            total=self.total,
            name=self.department.name,
        )


@dataclass
class SupervisionLine:
    """An open 督办 item on the dashboard, its words written once (the template only places them)."""

    url: str
    subject_text: str
    department_text: str
    reason_label: str
    status_label: str
    light: str
    light_label: str
    due_text: str
    explanation: str | None
    measures: str | None

    @property
    def overdue(self) -> bool:
        return self.light == Light.RED


@dataclass
class CityDashboard:
    city: City
    plans: list[Plan]
    as_of: AsOf
    choices: list
    plan: Plan | None = None
    summary: PlanProgress | None = None
    attention: list[IndicatorLine] = field(default_factory=list)
    categories: list[tuple[str, list[IndicatorLine]]] = field(default_factory=list)
    supervision: list[SupervisionLine] | None = None
    tasks: list[DepartmentTasks] | None = None
    charts: dict = field(default_factory=dict)
    explainer: Explainer | None = None

    @property
    def status_counts(self) -> list[dict]:
        return _status_counts(self.summary.counts) if self.summary else []

    @property
    def task_state_labels(self) -> list[str]:
        return task_state_labels()

    @property
    def headline_status(self) -> Status | None:
        """What the headline 指标进度 is coloured by (dashboards.rules.headline_status)."""
        return plan_headline_status(self.plan, self.summary) if self.summary else None

    @property
    def headline_label(self) -> str:
        return status_label(self.headline_status) if self.summary else ""


def task_state_labels() -> list[str]:
    return [TaskUpdate.State(s).label if s != UNREPORTED else _("未报送") for s in TASK_STATES]


def _pace(result: progress.Progress, indicator: Indicator) -> str | None:
    """What it takes to reach the target against the recent pace, in the indicator's unit (core.progress)."""
    return progress.pace_words(result, indicator.unit or "", indicator.frequency)


def sees_task_work(user) -> bool:
    """Who has task reports and 督办 items to look at: kept in sync with the tasks nav (tasks_tags.tasks_nav)."""
    return user_role(user) in TASK_OVERVIEW_ROLES or user_department_id(user) is not None


def _open_supervision(user, plan: Plan, as_of: AsOf) -> list[dict]:
    """Open 督办 items of the plan the user may see, raised by the date, most urgent first, with what the 督办
    panel and the responsibility lines show of them and the latest explanation the department gave (滞后说明)
    — one query, read once for both."""
    answers = SupervisionStep.objects.filter(item=OuterRef("pk")).exclude(explanation="").order_by("-created_at", "-pk")
    return open_supervision_values(
        user=user,
        as_of=as_of.date,
        where=Q(plan=plan),
        fields=SUPERVISION_COLUMNS,
        explanation=Subquery(answers.values("explanation")[:1]),
        measures=Subquery(answers.values("measures")[:1]),
    )


def _supervision(items: list[dict]) -> list[SupervisionLine]:
    """The 督办 panel's lines for the items _open_supervision read."""
    url = _pk_urls("tasks:supervision_detail")
    reasons = dict(SupervisionItem.Reason.choices)
    lines = []
    for item in items:
        if item["indicator_id"]:
            subject = in_language(item["indicator__name"], item["indicator__name_en"])
        elif item["quarter_end"]:
            subject = f"{item['task__title']}（{Quarter.ending_on(item['quarter_end']).label}）"
        else:  # a 督办 the office issued by hand on a task is for no quarter
            subject = item["task__title"]
        lines.append(
            SupervisionLine(
                url=url(item["pk"]),
                subject_text=subject,
                department_text=in_language(item["department__name"], item["department__name_en"]),
                reason_label=reasons[item["reason"]],
                status_label=SUPERVISION_STATUS_LABELS[item["status"]],
                light=item["light"],
                light_label=LIGHT_LABELS.get(item["light"], ""),
                due_text=(item["current_due"] or item["due_date"]).isoformat(),
                explanation=item["explanation"],
                measures=item["measures"],
            )
        )
    return lines


def _task_completion(user, plan: Plan, as_of: AsOf) -> list[DepartmentTasks] | None:
    """Per department, its tasks by the state of its latest report up to the quarter — one query. Only the
    departments whose reports the user may read (accounts.access); None when that is none of them."""
    until = Quarter.of(as_of.date).end
    latest_state = (
        TaskUpdate.objects.filter(task=OuterRef("task"), department=OuterRef("department"), quarter_end__lte=until)
        .order_by("-quarter_end", "-created_at", "-pk")
        .values("state")[:1]
    )
    assignments = (
        TaskAssignment.objects.filter(task__plan=plan)
        .select_related("department")
        .annotate(state=Subquery(latest_state))
        .order_by("department__name")
    )
    by_department: dict[int, DepartmentTasks] = {}
    seen = set()
    for assignment in assignments:
        key = (assignment.task_id, assignment.department_id)
        if key in seen:
            continue  # a department both leading and sharing a task reports on it once
        seen.add(key)
        department = assignment.department
        if department.pk not in by_department:
            if not can_see_department_updates(user, department):
                continue
            by_department[department.pk] = DepartmentTasks(department=department)
        by_department[department.pk].states[assignment.state or UNREPORTED] += 1
    if not by_department:
        return None
    return sorted(by_department.values(), key=lambda d: d.problem_key)


def city_dashboard(
    *, user, as_of: AsOf, city_code: str | None = None, city_id: int | None = None, plan_code: str | None = None
) -> CityDashboard:
    """A city's plan as of a date: headline, status chart, the lagging list first, every indicator with its
    bullet by category, 督办 items, task completion and data freshness — eight queries whatever the number of
    indicators, tasks or items: the plans, the indicators and their co-leads, the open 督办 items (read once
    for the panel and the responsibility lines), the responsible departments, the last reports (two), and
    the task completion."""
    cities = City.objects.visible_to(user).filter(**({"code": city_code} if city_code is not None else {"pk": city_id}))
    plans = list(
        Plan.objects.filter(city__in=cities)
        .select_related("city")
        .annotate(owner_name=owner_name("city"))
        .order_by("period_start", "code")
    )
    if not plans:
        return CityDashboard(
            city=get_object_or_404(cities),
            plans=[],
            as_of=as_of,
            choices=as_of_choices(as_of.today, as_of.today, as_of),
        )
    if plan_code:
        plan = next((p for p in plans if p.code == plan_code), None)
        if plan is None:
            raise Http404
    else:
        plan = current_plan(plans, as_of.date)
    city = plan.city

    summary = plan_progress(plan, as_of=as_of.selector_date)
    sees_work = sees_task_work(user)
    open_items = _open_supervision(user, plan, as_of) if sees_work else None
    supervision = _supervision(open_items) if sees_work else None
    lines = _lines(summary.rows, as_of)
    who = indicator_responsibility(
        user=user, indicators=[r.indicator for r in summary.rows], as_of=as_of.date, open_items=open_items
    )
    supervision_url, who_words = _pk_urls("tasks:supervision_detail"), _who_words()
    for pk, line in lines.items():
        line.who = who[pk]
        line.who_line = _who_line(line.who, supervision_url, who_words)
    categories = defaultdict(list)
    for line in lines.values():
        categories[line.indicator.category].append(line)
    tasks = _task_completion(user, plan, as_of) if sees_work else None

    axis_words = bullet_words()
    charts = {
        "status": [s for s in _status_counts(summary.counts) if s["n"] and s["status"] != Status.QUALITATIVE],
        "bullets": {str(pk): line.bullet(axis_words) for pk, line in lines.items() if line.has_bullet},
    }
    if tasks:
        charts["tasks"] = {
            "departments": [d.name for d in tasks],
            "axis": _("任务数"),
            "states": list(TASK_STATES),
            "labels": task_state_labels(),
            "counts": [[d.states[s] for d in tasks] for s in TASK_STATES],
        }
    return CityDashboard(
        city=city,
        plans=plans,
        plan=plan,
        as_of=as_of,
        summary=summary,
        choices=as_of_choices(plan.period_start, plan.period_end, as_of),
        attention=[lines[r.indicator.pk] for r in summary.attention],
        explainer=explainer([plan]),
        categories=list(categories.items()),
        supervision=supervision,
        tasks=tasks,
        charts=charts,
    )


# ─── Indicator page ──────────────────────────────────────────────────────────────────────────────────────


@dataclass
class SeriesPoint:
    """The indicator as of one quarter end, as stored by the progress history."""

    quarter_end: dt.date
    status: str
    current: float | None
    data_date: dt.date | None
    progress: float | None
    expected: float | None
    expected_value: float | None
    basis: str = ""
    period_value: float | None = None

    @property
    def label(self) -> str:
        return status_label(self.status)

    @property
    def basis_label(self) -> str:
        return progress.basis_label(self.basis)

    @property
    def quarter(self) -> Quarter:
        return Quarter.of(self.quarter_end)


@dataclass
class IndicatorPage:
    indicator: Indicator
    as_of: AsOf
    choices: list
    result: progress.Progress
    status_since: dt.date | None
    expected_value: float | None
    pace: str | None
    series: list[SeriesPoint]
    figures: list[QuarterlyFigure]
    tasks: list[Task]
    departments: list
    charts: dict
    dashboard_url: str
    waiting: Waiting | None = None
    explainer: Explainer | None = None
    may_enter_base: bool = False
    who: Responsibility | None = None

    @property
    def plan(self) -> Plan:
        return self.indicator.plan

    @property
    def judged_label(self) -> str:
        """本季度 / 近四季度 / 年度 …: which value the verdict is on."""
        return progress.basis_label(self.result.basis)

    @property
    def period_label(self) -> str | None:
        """The label of the period's own value where it is shown beside the judged one."""
        return progress.period_value_label(self.result.basis, self.indicator.frequency)

    @property
    def series_period_label(self) -> str | None:
        """The series table's column of each quarter's own value, when any row has one to show."""
        bases = {p.basis for p in self.series}
        for basis in (progress.BASIS_FOUR_QUARTERS, progress.BASIS_CUMULATIVE):
            if basis in bases:
                return progress.period_value_label(basis, self.indicator.frequency)
        return None

    @property
    def series_basis_label(self) -> str:
        """The series table's one label of the judged value (today's basis); a row on another basis says its own."""
        return self.judged_label

    @property
    def has_series_values(self) -> bool:
        """The quarterly table only when some quarter has a value: never rows of "—" alone."""
        return any(p.current is not None for p in self.series)

    @property
    def has_chart(self) -> bool:
        """A chart only with values to draw: never an empty axis (the waiting panel says what is missing)."""
        return bool(self.charts["actual"]["x"])

    @property
    def is_final(self) -> bool:
        return self.result.rule == PLAN_OVER_RULE


def indicator_page(*, user, pk: int, as_of: AsOf) -> IndicatorPage:
    """One indicator as of a date: its result, the stored quarterly series against the expected path and the
    end target, every version of its figures the user may see, the document's words and who does the work."""
    indicator = get_object_or_404(
        Indicator.objects.visible_to(user)
        .select_related("plan__city", "lead_department", "target_group", "progress")
        .prefetch_related("interim_targets", "lead_links__department")
        .annotate(owner_name=owner_name("plan__city")),
        pk=pk,
    )
    plan = indicator.plan
    if as_of.is_latest and hasattr(indicator, "progress"):
        result, since = stored_progress([indicator])[indicator.pk], indicator.progress.status_since
    else:
        result, since = indicator_progress_at(indicator, as_of=as_of.date), None

    series = [
        SeriesPoint(
            s.quarter_end,
            s.status,
            s.current,
            s.data_date,
            s.progress,
            s.expected,
            _expected_at(indicator, result, s.expected),
            s.basis,
            s.period_value,
        )
        for s in ProgressSnapshot.objects.filter(indicator=indicator, quarter_end__lte=as_of.date).order_by(
            "quarter_end"
        )
    ]
    if since is None:
        since = progress.status_since([(p.quarter_end, p.status) for p in series], result.status)
    levels = {p.data_date: p.current for p in series if p.current is not None}
    if result.current is not None:
        levels[result.data_date] = result.current
    points = sorted(levels.items())
    path = expected_path(indicator, result, first_report=points[0][0] if points else None)

    figures = list(
        QuarterlyFigure.objects.filter(indicator=indicator, period_end__lte=as_of.date)
        .visible_to(user)
        .select_related("submitted_by", "reviewed_by")
        .order_by("-period_end", "-version")
    )
    tasks = list(
        indicator.tasks.prefetch_related(
            Prefetch("assignments", TaskAssignment.objects.select_related("department"))
        ).order_by("order")
    )
    departments = {indicator.lead_department.pk: indicator.lead_department}
    for task in tasks:
        for assignment in task.assignments.all():
            departments.setdefault(assignment.department.pk, assignment.department)

    unit = indicator.unit or ""
    charts = {
        "labels": {
            "actual": _("实际值"),
            "path": _("应达路径"),
            "target": _("目标值"),
            "interim": _("阶段目标"),
            "threshold": _("达标线"),
            "unit": _("单位：%(u)s") % {"u": unit_words(unit).strip()} if unit else _("数值"),
            "date": _("数据截至"),
        },
        "actual": {
            "x": [d.isoformat() for d, _v in points],
            "y": [v for _d, v in points],
            "text": [amount(v, unit) for _d, v in points],
        },
        "path": {"x": [d.isoformat() for d, _v in path], "y": [v for _d, v in path]},
        "target": None
        if result.end_target is None
        else {
            "x": [(path[0][0] if path else plan.period_start).isoformat(), plan.period_end.isoformat()],
            "y": result.end_target,
            "text": amount(result.end_target, unit),
            "threshold": indicator.target_form == progress.THRESHOLD,
        },
        "interim": {
            "x": [t.date.isoformat() for t in indicator.interim_targets.all()],
            "y": [float(t.value) for t in indicator.interim_targets.all()],
        },
    }
    return IndicatorPage(
        indicator=indicator,
        as_of=as_of,
        choices=as_of_choices(plan.period_start, plan.period_end, as_of),
        result=result,
        status_since=since,
        expected_value=expected_value(indicator, result),
        pace=_pace(result, indicator),
        series=series,
        figures=figures,
        tasks=tasks,
        departments=list(departments.values()),
        charts=charts,
        dashboard_url=city_url(plan.city.code, as_of, plan.code),
        waiting=waiting_for(indicator, result, as_of=as_of.date, owner=indicator.owner_name),
        explainer=explainer([plan]),
        may_enter_base=can_enter_base(user, plan.city_id),
        who=indicator_responsibility(user=user, indicators=[indicator], as_of=as_of.date)[indicator.pk],
    )


def _expected_at(indicator: Indicator, result: progress.Progress, share: float | None) -> float | None:
    """A stored expected share as a value in the indicator's unit, on today's scale (origin and end target)."""
    origin = scale_origin(indicator, result)
    if share is None or origin is None or not has_time_path(indicator, result):
        return None
    return origin + share * (result.end_target - origin)


# ─── Cross-city comparison ──────────────────────────────────────────────────────────────────────────────


@dataclass
class ComparisonRow:
    indicator: Indicator
    result: progress.Progress
    url: str
    dashboard_url: str

    @property
    def label(self) -> str:
        return status_label(self.result.status)


@dataclass
class Comparison:
    as_of: AsOf
    choices: list
    keys: list[dict]
    key: str | None
    rows: list[ComparisonRow]
    charts: dict
    explainer: Explainer | None = None
    pages: Page | None = None

    def page_url(self, number: int) -> str:
        return _with_as_of(reverse("dashboards:compare"), self.as_of, key=self.key, page=number)

    @property
    def previous_url(self) -> str | None:
        return self.page_url(self.pages.previous_page_number()) if self.pages and self.pages.has_previous() else None

    @property
    def next_url(self) -> str | None:
        return self.page_url(self.pages.next_page_number()) if self.pages and self.pages.has_next() else None


COMPARISON_PAGE_SIZE = 50
"""Cities a page of the comparison lists, best progress first: a national deployment compares thousands."""


_COMPARED_RELATED = ("plan__city", "lead_department", "target_group", "progress")
"""What a row of the comparison shows of its indicator, fetched with it."""


def _status_rank(relation: str):
    """STATUS_ORDER's rank of a stored status, as an SQL expression (the comparison's tie-break)."""
    return Case(
        *(When(**{f"{relation}__status": s}, then=Value(n)) for n, s in enumerate(STATUS_ORDER)),
        output_field=IntegerField(),
    )


def _comparable(current: list[int]) -> QuerySet[Indicator]:
    """The current plans' indicators the comparison may compare: a catalogue key and a quantitative target.
    Built only where read: filtering on thousands of plan ids costs tens of milliseconds before any query."""
    return (
        Indicator.objects.filter(plan__in=current).exclude(catalogue_key="").exclude(target_form=TargetForm.QUALITATIVE)
    )


def _comparison_page(
    key: str, current: list[int], as_of: AsOf, page, *, count: int, entries: QuerySet[ComparisonEntry] | None
) -> tuple[Page, dict[int, progress.Progress]]:
    """One key's indicators, best progress first then worst status (then city and order), a page at a time,
    with their results: today's paged on the key's stored ComparisonEntry rows (entries, when the keys were
    counted from the stored entries), an earlier quarter's ordered and paged in the database on its
    snapshots; in Python over computed results when some are not stored."""
    if entries is not None and not entries.filter(status_rank__isnull=True).exists():
        ordered = entries.order_by("progress_missing", "-progress", "status_rank", "city_code", "order", "pk")
        pages = _CountedPaginator(ordered.values_list("pk", flat=True), COMPARISON_PAGE_SIZE, count=count)
        pages = pages.get_page(page)
        found = Indicator.objects.select_related(*_COMPARED_RELATED).in_bulk(list(pages.object_list))
        pages.object_list = [found[pk] for pk in pages.object_list]
        return pages, stored_progress(pages.object_list, as_of=as_of.selector_date)
    rows = _comparable(current).filter(catalogue_key=key).select_related(*_COMPARED_RELATED)
    if as_of.is_latest:
        relation = "progress"
    else:
        relation = "snapshot"
        rows = rows.annotate(
            snapshot=FilteredRelation("snapshots", condition=Q(snapshots__quarter_end=as_of.selector_date))
        )
    if rows.filter(**{f"{relation}__isnull": True}).exists():
        every = list(rows.order_by("plan__city__code", "order"))
        results = stored_progress(every, as_of=as_of.selector_date)
        rank = {s: n for n, s in enumerate(STATUS_ORDER)}
        every.sort(
            key=lambda i: (results[i.pk].progress is None, -(results[i.pk].progress or 0), rank[results[i.pk].status])
        )
        return Paginator(every, COMPARISON_PAGE_SIZE).get_page(page), results
    ordered = rows.order_by(
        F(f"{relation}__progress").desc(nulls_last=True), _status_rank(relation), "plan__city__code", "order"
    )
    pages = _CountedPaginator(ordered, COMPARISON_PAGE_SIZE, count=count).get_page(page)
    return pages, stored_progress(list(pages.object_list), as_of=as_of.selector_date)


def _comparison_keys(current: list[int]) -> tuple[list[dict], QuerySet[ComparisonEntry] | None]:
    """The keys two or more of the current plans share (most cities first, then most with data), with the
    number of indicators compared and their names, and the plans' stored ComparisonEntry rows when they were
    counted from the stored entries (the same indicators): the stored key counts when they counted these
    plans, else counted on the plans' catalogue entries once every plan is summarised, else on the
    indicators (the same counts: a test holds them equal). One current plan per city, so the plans counted
    are the cities."""
    stored = CatalogueKeySummary.objects.filter(plans_digest=plans_digest(current))
    if keys := list(stored.values("catalogue_key", "name", "cities", "reported", rows=F("indicators"))):
        return [k for k in keys if k["cities"] >= 2], ComparisonEntry.objects.filter(is_current=True)
    if not Plan.objects.filter(pk__in=current, progress_summary__isnull=True).exists():
        keys = [k for k in catalogue_key_counts(current) if k["cities"] >= 2]
        return keys, ComparisonEntry.objects.filter(plan_id__in=current)
    comparable = _comparable(current)
    counted = comparable.values("catalogue_key").annotate(
        cities=Count("plan_id", distinct=True),
        reported=Count("plan_id", distinct=True, filter=Q(progress__current__isnull=False)),
        rows=Count("pk"),
    )
    keys = list(counted.filter(cities__gte=2).order_by("-cities", "-reported", "catalogue_key"))
    labels = catalogue_labels(comparable.filter(catalogue_key__in=[k["catalogue_key"] for k in keys]))
    return [{**k, "name": labels[k["catalogue_key"]]} for k in keys], None


def comparison(*, user, key: str | None, as_of: AsOf, page: str | int | None = None) -> Comparison:
    """Like indicators (one catalogue key) across the visible cities' current plans, side by side on the one
    scale they share: progress towards each city's own target, against where each should be by now, with
    each city's own value in its unit beside it — a page of cities at a time, best progress first.

    Offered to provincial viewers and administrators only (a city's users would compare one city with
    itself); only quantitative keys that two or more of the cities' current plans have are offered. The keys
    are counted, and the rows ordered and paged, in the database: today's, for every city, read from the
    stored key counts and comparison rows (indicators.summaries), a dozen keys and a page of rows whatever
    the number of cities."""
    if not can_compare_cities(user):
        raise Forbidden(_("跨市对比仅对省级用户和管理员开放。"))
    visible = Plan.objects.visible_to(user)
    # The ids, not a subquery: the planner then knows how many indicators follow (thousands of cities), and
    # they name the plans the stored key counts must have counted.
    current = current_plan_ids(visible, as_of.date)
    span = visible.aggregate(start=Min("period_start"), end=Max("period_end"))

    keys, stored = _comparison_keys(current)
    known = {k["catalogue_key"] for k in keys}
    if key and key not in known:
        raise Http404
    key = key or (keys[0]["catalogue_key"] if keys else None)

    compared = next((k["rows"] for k in keys if k["catalogue_key"] == key), 0)
    entries = stored.filter(catalogue_key=key) if stored is not None and as_of.is_latest else None
    pages, results = _comparison_page(key, current, as_of, page, count=compared, entries=entries) if key else (None, {})
    indicators = list(pages.object_list) if pages else []
    url = _pk_urls("dashboards:indicator", as_of)
    rows = [
        ComparisonRow(
            indicator=i,
            result=results[i.pk],
            url=url(i.pk),
            dashboard_url=city_url(i.plan.city.code, as_of, i.plan.code),
        )
        for i in indicators
    ]
    charts = {
        "labels": {"progress": _("指标进度"), "expected": _("应达进度")},
        "rows": [
            {
                "city": local_name(r.indicator.plan.city),
                "progress": r.result.progress,
                "expected": r.result.expected,
                "status": r.result.status,
                "text": f"{percent(r.result.progress)}（{amount(r.result.current, r.indicator.unit or '')}）",
            }
            for r in rows
            if r.result.progress is not None
        ],
    }
    return Comparison(
        as_of=as_of,
        choices=as_of_choices(span["start"] or as_of.today, span["end"] or as_of.today, as_of),
        keys=keys,
        key=key,
        rows=rows,
        charts=charts,
        explainer=explainer(list({i.plan_id: i.plan for i in indicators}.values())),  # the page's plans, once
        pages=pages,
    )
