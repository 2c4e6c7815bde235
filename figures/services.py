"""The quarterly-figure workflow: save drafts, submit, approve or return, correct; and indicator
definition changes once figures exist.

Every way in (entry grid, Excel import, API) calls these services, so the rules of figures.rules,
the permissions of accounts.access and the recorded history are the same whichever door a number came
in by. Every write records who and why in the figure's history (django-simple-history).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from accounts.access import FIGURE_REVIEW_ROLES, can_enter_figures, can_review_figures
from accounts.models import Role
from core.errors import Conflict, Forbidden, Invalid
from core.periods import Quarter, reporting_deadline
from figures import rules
from figures.models import CrossCheck
from figures.selectors import (
    PeriodFigures,
    display_name,
    earlier_period_ends,
    figures_by_period,
    figures_not_submitted,
    indicator_period_end,
    last_changed,
    lock_reason,
    plan_quarters,
    previous_period_end,
    quarter_revision,
    row_spec,
)
from indicators.models import Indicator, QuarterlyFigure, TargetForm
from indicators.tasks import recompute_after_commit
from notifications import keys
from notifications.models import Notification
from notifications.selectors import users_in_cities
from notifications.services import notifications_close, notify
from plans.models import Plan, Population

Status = QuarterlyFigure.Status


# --- Errors the pages and the API turn into messages ------------------------------------------------------


class ConcurrentEdit(Conflict):
    """Somebody saved the same quarter (or figure) since this user loaded it: refused, never overwritten."""

    def __init__(self, figure: QuarterlyFigure | None):
        self.figure = figure
        if figure is None:
            message = _("本季度数据已被他人修改，您的修改未保存，请刷新页面后重新填写。")
        else:
            message = _("本季度数据已被 %(who)s 于 %(when)s 修改，您的修改未保存，请刷新页面后重新填写。") % {
                "who": display_name(figure.updated_by),
                "when": timezone.localtime(figure.updated_at).strftime("%Y-%m-%d %H:%M"),
            }
        super().__init__(message)


class EntriesInvalid(Invalid):
    """Some rows failed: nothing was saved. Each outcome carries its errors by field."""

    def __init__(self, outcomes: list["Outcome"], messages: Iterable[str] = ()):
        self.outcomes = outcomes
        self.messages = list(messages)
        super().__init__(_("有%(n)s行数据未通过校验，未保存任何数据。") % {"n": len(self.failed)})

    @property
    def failed(self) -> list["Outcome"]:
        return [o for o in self.outcomes if o.errors]


# --- Entries and their outcomes ---------------------------------------------------------------------------


@dataclass
class Entry:
    """One row as entered: an indicator, a period and what was typed. `ref` names the row in bulk input."""

    indicator: Indicator
    period_end: dt.date
    data: rules.RowInput
    ref: str = ""


CREATE, UPDATE, CLEAR, UNCHANGED, EMPTY = "create", "update", "clear", "unchanged", "empty"


@dataclass
class Outcome:
    """What saving an entry does (or why it cannot)."""

    entry: Entry
    action: str = EMPTY
    check: rules.RowCheck = field(default_factory=rules.RowCheck)
    errors: dict[str, list[str]] = field(default_factory=dict)
    figure: QuarterlyFigure | None = None
    version: int = 1

    @property
    def writes(self) -> bool:
        return self.action in (CREATE, UPDATE, CLEAR)


def _add(errors: dict, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _same(figure: QuarterlyFigure, data: rules.RowInput, check: rules.RowCheck) -> bool:
    entered = figure.entered_value if figure.entered_value is not None else figure.value
    typed = check.entered_value if check.entered_value is not None else data.value
    return (
        entered == typed
        and figure.numerator == data.numerator
        and figure.denominator == data.denominator
        and figure.comment == data.comment
        and figure.source == data.source
        and figure.is_provisional == data.is_provisional
    )


def _values_match(figure: QuarterlyFigure | None, data: rules.RowInput) -> bool:
    """Whether a row repeats a locked figure (a re-uploaded template): then it is simply left alone."""
    if data.is_empty:
        return True
    if figure is None:
        return False
    entered = figure.entered_value if figure.entered_value is not None else figure.value
    return (data.numerator, data.denominator) == (figure.numerator, figure.denominator) and (
        data.value is None or data.value == entered
    )


class _Chain:
    """Stored figures overlaid with the batch being checked, so a year-to-date total in Q3 is derived from
    the Q1 and Q2 of the same upload, and 'previous' means the previous row of the batch if there is one."""

    def __init__(self, figures: dict[tuple[int, dt.date], PeriodFigures]):
        self.figures = figures
        self.batch: dict[tuple[int, dt.date], Decimal | None] = {}

    def value(self, indicator_id: int, period_end: dt.date) -> Decimal | None:
        if (indicator_id, period_end) in self.batch:
            return self.batch[(indicator_id, period_end)]
        period = self.figures.get((indicator_id, period_end))
        reference = period.reference if period else None
        return None if reference is None else reference.value

    def context(self, indicator: Indicator, period_end: dt.date) -> rules.RowContext:
        previous = self.value(indicator.pk, previous_period_end(indicator, period_end))
        total = Decimal(0)
        for end in earlier_period_ends(indicator, period_end):
            value = self.value(indicator.pk, end)
            if value is None:
                return rules.RowContext(previous=previous, earlier_in_year=None)
            total += value
        return rules.RowContext(previous=previous, earlier_in_year=total)


def figure_entries_check(
    *, plan: Plan, entries: list[Entry], submitting: bool = False, today: dt.date | None = None
) -> list[Outcome]:
    """Judge every entry as saving it would, without writing: the preview of an import, the grid's check.

    `submitting` adds the checks of submission that concern one row (a source is required).
    """
    valid_ends = {q.end for q in plan_quarters(plan=plan, today=today)}
    indicators = {e.indicator.pk for e in entries}
    figures = figures_by_period(indicators)
    chain = _Chain(figures)
    seen: set[tuple[int, dt.date]] = set()
    outcomes = []
    for entry in sorted(entries, key=lambda e: (e.indicator.pk, e.period_end)):
        outcome = Outcome(entry=entry)
        outcomes.append(outcome)
        key = (entry.indicator.pk, entry.period_end)
        if not _entry_frame_ok(plan, entry, valid_ends, seen, outcome):
            continue
        seen.add(key)
        period = figures.get(key, PeriodFigures())
        outcome.figure, outcome.version = period.open, period.next_version
        locked = lock_reason(plan, period)
        if locked:
            if not _values_match(period.current, entry.data):
                _add(outcome.errors, "value", locked)
            outcome.action = UNCHANGED if not entry.data.is_empty else EMPTY
            continue
        outcome.check = rules.check_row(
            row_spec(entry.indicator),
            entry.data,
            chain.context(entry.indicator, entry.period_end),
            submitting=submitting,
        )
        outcome.errors.update(outcome.check.errors)
        if entry.data.is_empty:
            has_value = period.open is not None and not _blank(period.open)
            outcome.action = CLEAR if has_value else EMPTY
        elif period.open is None:
            outcome.action = CREATE
        else:
            outcome.action = UNCHANGED if _same(period.open, entry.data, outcome.check) else UPDATE
        if outcome.check.ok:
            chain.batch[key] = outcome.check.value
    order = {id(e): n for n, e in enumerate(entries)}
    outcomes.sort(key=lambda o: order[id(o.entry)])
    return outcomes


def _blank(figure: QuarterlyFigure) -> bool:
    return figure.value is None and figure.numerator is None and figure.denominator is None


def _entry_frame_ok(plan: Plan, entry: Entry, valid_ends: set, seen: set, outcome: Outcome) -> bool:
    """The row names a quantitative indicator of this plan, a period it reports for, and only once."""
    indicator = entry.indicator
    if indicator.plan_id != plan.pk or indicator.target_form == TargetForm.QUALITATIVE:
        _add(outcome.errors, "indicator", _("该指标不属于本方案的定量指标。"))
        return False
    if entry.period_end not in valid_ends:
        _add(outcome.errors, "period", _("该季度不在方案实施期内或尚未结束。"))
        return False
    if indicator_period_end(indicator, Quarter.of(entry.period_end)) != entry.period_end:
        _add(outcome.errors, "period", _("该指标按年度报送，只能填报第4季度（年末）数据。"))
        return False
    if (indicator.pk, entry.period_end) in seen:
        _add(outcome.errors, "indicator", _("同一指标同一季度重复出现。"))
        return False
    return True


# --- Saving drafts ----------------------------------------------------------------------------------------


def _lock_plan(plan: Plan) -> None:
    """Serialise writers of one plan's figures (PostgreSQL row lock; SQLite serialises writes anyway)."""
    Plan.objects.select_for_update().filter(pk=plan.pk).exists()


def _check_revision(plan: Plan, period_ends, revision: str) -> None:
    if quarter_revision(plan=plan, period_ends=period_ends) != revision:
        raise ConcurrentEdit(last_changed(plan=plan, period_ends=period_ends))


TRUSTED_FIELDS = ("indicator", "created_by", "updated_by", "submitted_by", "reviewed_by")
"""Foreign keys the services set from rows they have just read: re-checking that they exist would cost one
query each per row of a thousand-row import."""


def _save(figure: QuarterlyFigure, user, reason: str) -> QuarterlyFigure:
    """Validate and save one figure, recording who and why in its history.

    The uniqueness constraints (one open and one approved version per period) are held by the database
    and guaranteed by the callers under the plan lock, so they are not re-queried for every row here.
    """
    _prepare(figure, user, reason)
    figure.save()
    return figure


def _prepare(figure: QuarterlyFigure, user, reason: str, now: dt.datetime | None = None) -> None:
    """Who and why for the history record, and the model's own field validation (no query)."""
    figure.updated_by = user
    if now is not None:
        figure.updated_at = now  # a bulk update does not run auto_now
    figure._history_user = user
    figure._change_reason = reason
    figure.full_clean(exclude=TRUSTED_FIELDS, validate_constraints=False)


ENTRY_FIELDS = (
    "value",
    "entered_value",
    "entry_form",
    "numerator",
    "denominator",
    "comment",
    "source",
    "is_provisional",
)
"""What saving a draft writes besides who and when."""


def _save_all(figures: list[QuarterlyFigure], user, reason: str, fields: Iterable[str]) -> None:
    """Validate and save many figures in a bounded number of queries: new ones inserted together, stored
    ones updated together (only `fields`, who and when), each with its own history record, as `_save`
    writes it one at a time."""
    now = timezone.now()
    for figure in figures:
        _prepare(figure, user, reason, now)
    new = [f for f in figures if f.pk is None]
    stored = [f for f in figures if f.pk is not None]
    if new:
        bulk_create_with_history(new, QuarterlyFigure, default_date=now)
    if stored:
        _update_all(stored, [*fields, "updated_by", "updated_at"])
        QuarterlyFigure.history.bulk_history_create(stored, update=True, default_date=now)


CASE_BATCH = 500
"""Rows per UPDATE when values differ between figures: each row scans the CASE branches, so a batch of
thousands would cost the database quadratic time."""


def _update_all(figures: list[QuarterlyFigure], fields: list[str]) -> None:
    """Write `fields` of stored figures: a value every figure shares is set plainly, so submitting a
    thousand figures (same status, submitter and time) is one UPDATE; only values that differ between
    figures take a CASE by primary key (Django's bulk_update writes every field that way)."""
    model_fields = [QuarterlyFigure._meta.get_field(name) for name in fields]
    varying = {f.attname for f in model_fields if len({getattr(figure, f.attname) for figure in figures}) > 1}
    max_params = connection.features.max_query_params or len(figures) * (2 * len(varying) + 1) + len(fields)
    size = max(1, (max_params - len(fields)) // (2 * len(varying) + 1))
    if varying:
        size = min(size, CASE_BATCH)
    for start in range(0, len(figures), size):
        batch = figures[start : start + size]
        changes = {}
        for model_field in model_fields:
            if model_field.attname not in varying:
                changes[model_field.attname] = getattr(batch[0], model_field.attname)
                continue
            branches = [
                When(pk=f.pk, then=Value(getattr(f, model_field.attname), output_field=model_field)) for f in batch
            ]
            changes[model_field.attname] = Case(*branches, output_field=model_field)
        QuarterlyFigure.objects.filter(pk__in=[f.pk for f in batch]).update(**changes)


def _apply(user, outcome: Outcome) -> QuarterlyFigure:
    """The outcome's figure (the open one, or a new version) carrying what was entered; not yet saved."""
    entry, check = outcome.entry, outcome.check
    figure = outcome.figure or QuarterlyFigure(
        indicator=entry.indicator, period_end=entry.period_end, created_by=user, version=outcome.version
    )
    data = entry.data
    figure.value = check.value
    figure.entered_value = check.entered_value
    figure.entry_form = check.entry_form
    figure.numerator, figure.denominator = data.numerator, data.denominator
    figure.comment, figure.source, figure.is_provisional = data.comment, data.source, data.is_provisional
    return figure


def figure_entries_save(
    *,
    user,
    plan: Plan,
    entries: list[Entry],
    revision: str | None = None,
    revision_periods: Iterable[dt.date] = (),
    reason: str = "",
) -> list[Outcome]:
    """Save the entries as drafts, all or nothing.

    With a revision (taken when the page or file was read), refuse if any figure of `revision_periods`
    changed since: the second of two people editing a quarter is told who changed it.
    """
    if not can_enter_figures(user, plan.city_id):
        raise Forbidden
    with transaction.atomic():
        _lock_plan(plan)
        if revision is not None:
            _check_revision(plan, set(revision_periods) or {e.period_end for e in entries}, revision)
        outcomes = figure_entries_check(plan=plan, entries=entries)
        if any(o.errors for o in outcomes):
            raise EntriesInvalid(outcomes)
        writes = [o for o in outcomes if o.writes]
        for outcome in writes:
            outcome.figure = _apply(user, outcome)
        _save_all([o.figure for o in writes], user, reason or _("保存草稿"), ENTRY_FIELDS)
    return outcomes


def figure_draft_save(
    *, user, indicator: Indicator, period_end: dt.date, data: rules.RowInput, revision: str = ""
) -> QuarterlyFigure:
    """One draft through the API: creating one, or updating the open one with its current revision."""
    plan = indicator.plan
    if not can_enter_figures(user, plan.city_id):
        raise Forbidden
    with transaction.atomic():
        _lock_plan(plan)
        period = figures_by_period([indicator.pk], [period_end]).get((indicator.pk, period_end), PeriodFigures())
        if period.open is not None and period.open.revision != revision:
            raise ConcurrentEdit(period.open)
        outcomes = figure_entries_save(user=user, plan=plan, entries=[Entry(indicator, period_end, data)])
    if outcomes[0].figure is None:
        raise ValidationError({"value": [_("请填写数值。")]})
    return outcomes[0].figure


# --- Submitting -------------------------------------------------------------------------------------------


def _entry_of(figure: QuarterlyFigure) -> Entry:
    entered = figure.entered_value if figure.entered_value is not None else figure.value
    data = rules.RowInput(
        value=None if figure.indicator.is_ratio else entered,
        numerator=figure.numerator,
        denominator=figure.denominator,
        comment=figure.comment,
        source=figure.source,
        is_provisional=figure.is_provisional,
    )
    return Entry(figure.indicator, figure.period_end, data)


@dataclass(frozen=True)
class _CrossFrame:
    """What the cross-indicator rules read for a plan, fetched once however many periods are submitted."""

    rules: list[rules.CrossRule]
    keyed: list[Indicator]
    populations: list[tuple[int, Decimal]]
    """(year, resident population), latest year first."""

    def population(self, year: int) -> tuple[Decimal | None, int | None]:
        """The resident population of the period's year, else the latest year before it (published later)."""
        for population_year, value in self.populations:
            if population_year <= year:
                return value, population_year
        return None, None


def _cross_frame(plan: Plan) -> _CrossFrame | None:
    cross = [
        rules.CrossRule(kind=c.kind, left_key=c.left_key, right_key=c.right_key, tolerance_percent=c.tolerance_percent)
        for c in CrossCheck.objects.filter(Q(plan=None) | Q(plan=plan))
    ]
    if not cross:
        return None
    populations = Population.objects.filter(city_id=plan.city_id).order_by("-year").values_list("year", "value")
    return _CrossFrame(cross, list(plan.indicators.exclude(catalogue_key="")), list(populations))


def _cross_check(
    frame: _CrossFrame | None, period_end: dt.date, checked: dict[int, Outcome], figures: dict
) -> tuple[dict[int, list[str]], list[str]]:
    """Cross-indicator rules over one period: blocking messages by indicator, and notices."""
    if frame is None:
        return {}, []
    quarter = Quarter.of(period_end)
    keyed = [i for i in frame.keyed if indicator_period_end(i, quarter)]
    values, by_key = {}, defaultdict(list)
    for indicator in keyed:
        by_key[indicator.catalogue_key].append(indicator.pk)
        if indicator.pk in checked:
            value = checked[indicator.pk].check.value
        else:
            period = figures.get((indicator.pk, period_end))
            reference = period.current if period else None
            value = None if reference is None else reference.value
        if value is not None and indicator.catalogue_key not in values:
            values[indicator.catalogue_key] = rules.Measured(indicator.name, value, indicator.unit)
    involved = [r for r in frame.rules if any(pk in checked for k in (r.left_key, r.right_key) for pk in by_key[k])]
    population, population_year = frame.population(period_end.year)
    blocking, notices = defaultdict(list), []
    for issue in rules.check_cross(
        involved, values, year=period_end.year, population=population, population_year=population_year
    ):
        if not issue.blocking:
            notices.append(issue.message)
            continue
        # Shown on the left indicator's row, or on the right one's when only that one is being submitted.
        targets = [pk for pk in by_key[issue.left_key] if pk in checked] or by_key[issue.right_key]
        for pk in targets:
            blocking[pk].append(issue.message)
    return blocking, notices


SUBMIT_FIELDS = (
    "status",
    "submitted_by",
    "submitted_at",
    "is_late",
    "reviewed_by",
    "reviewed_at",
    "return_reason",
)


def figures_submit(
    *, user, plan: Plan, figures: list[QuarterlyFigure], reason: str, late_exempt: bool = False
) -> list[str]:
    """Check and submit open figures (of one or more periods); all or nothing. Returns notices.

    `late_exempt` is for a history import (a backfill is not a late report).
    """
    if not can_enter_figures(user, plan.city_id):
        raise Forbidden
    if plan.is_archived:
        raise ValidationError(_("方案已归档，数据不可修改。"))
    if not figures:
        raise ValidationError(_("没有可提交的数据：请先填写并保存。"))
    indicator_ids = {f.indicator_id for f in figures}
    stored = figures_by_period(indicator_ids | set(plan.indicators.values_list("pk", flat=True)))
    chain = _Chain(stored)
    outcomes_by_period: dict[dt.date, dict[int, Outcome]] = defaultdict(dict)
    outcomes = []
    for figure in sorted(figures, key=lambda f: (f.indicator_id, f.period_end)):
        entry = _entry_of(figure)
        check = rules.check_row(
            row_spec(figure.indicator), entry.data, chain.context(figure.indicator, figure.period_end), submitting=True
        )
        outcome = Outcome(entry=entry, action=UPDATE, check=check, errors=dict(check.errors), figure=figure)
        outcomes.append(outcome)
        outcomes_by_period[figure.period_end][figure.indicator_id] = outcome
        if check.ok:
            chain.batch[(figure.indicator_id, figure.period_end)] = check.value
    notices = []
    frame = _cross_frame(plan)
    for period_end, checked in outcomes_by_period.items():
        blocking, period_notices = _cross_check(frame, period_end, checked, stored)
        notices.extend(period_notices)
        for indicator_id, messages in blocking.items():
            if indicator_id in checked:
                for message in messages:
                    _add(checked[indicator_id].errors, "value", message)
    if any(o.errors for o in outcomes):
        raise EntriesInvalid(outcomes)
    now = timezone.now()
    today = timezone.localdate()
    resubmitted = [o.figure for o in outcomes if o.figure.status == Status.RETURNED]
    revalued = False
    for outcome in outcomes:
        figure = outcome.figure
        revalued = revalued or figure.value != outcome.check.value
        figure.value = outcome.check.value
        figure.status = Status.SUBMITTED
        figure.submitted_by, figure.submitted_at = user, now
        own_lag = figure.indicator.reporting_lag_days  # a yearly statistic published next spring has its own
        lag = plan.reporting_lag_days if own_lag is None else own_lag
        figure.is_late = not late_exempt and today > reporting_deadline(figure.period_end, lag)
        figure.reviewed_by = figure.reviewed_at = None
        figure.return_reason = ""
    # The value is derived again (an earlier quarter may have changed since the draft); written only if so.
    fields = (*SUBMIT_FIELDS, "value") if revalued else SUBMIT_FIELDS
    _save_all([o.figure for o in outcomes], user, reason, fields)
    _notify_submitted(plan, [o.figure for o in outcomes], resubmitted, now)
    return notices


def _open_with_values(plan: Plan, period_ends) -> list[QuarterlyFigure]:
    return [
        f
        for f in QuarterlyFigure.objects.filter(
            indicator__plan=plan,
            period_end__in=list(period_ends),
            status__in=(Status.DRAFT, Status.RETURNED),
        ).select_related("indicator")
        if not _blank(f)
    ]


def figure_quarter_submit(*, user, plan: Plan, quarter: Quarter, revision: str | None = None) -> list[str]:
    """Submit every saved draft (and returned figure) of a quarter for review; returns notices."""
    if not can_enter_figures(user, plan.city_id):
        raise Forbidden
    period_ends = {quarter.end}
    with transaction.atomic():
        _lock_plan(plan)
        if revision is not None:
            _check_revision(plan, period_ends, revision)
        return figures_submit(user=user, plan=plan, figures=_open_with_values(plan, period_ends), reason=_("提交审核"))


def figure_submit(*, user, figure: QuarterlyFigure) -> QuarterlyFigure:
    """Submit one draft (the API's per-figure submit)."""
    plan = figure.indicator.plan
    if not can_enter_figures(user, plan.city_id):
        raise Forbidden
    if figure.status not in (Status.DRAFT, Status.RETURNED):
        raise ValidationError(_("只有草稿或已退回的数据可以提交。"))
    if _blank(figure):
        raise ValidationError({"value": [_("请先填写数值。")]})
    with transaction.atomic():
        _lock_plan(plan)
        figures_submit(user=user, plan=plan, figures=[figure], reason=_("提交审核"))
    return figure


# --- Review -----------------------------------------------------------------------------------------------


def _reviewable(user, figure: QuarterlyFigure) -> None:
    plan = figure.indicator.plan
    if not can_review_figures(user, plan.city_id):
        raise Forbidden
    if plan.is_archived:
        raise ValidationError(_("方案已归档，数据不可修改。"))
    if figure.status != Status.SUBMITTED:
        raise ValidationError(_("只能审核待审核的数据。"))
    if figure.submitted_by_id == user.pk:
        raise ValidationError(_("不能审核自己提交的数据。"))


class AlreadyDecided(Conflict):
    """The figure changed since the reviewer saw it (someone approved, returned or resubmitted it)."""

    def __init__(self, figure: QuarterlyFigure):
        super().__init__(
            _("该数据已由 %(who)s 于 %(when)s 处理（%(status)s），您的审核未执行，请刷新页面。")
            % {
                "who": display_name(figure.updated_by),
                "when": timezone.localtime(figure.updated_at).strftime("%Y-%m-%d %H:%M"),
                "status": figure.get_status_display(),
            }
        )


def _as_seen(figure: QuarterlyFigure, revision: str | None) -> QuarterlyFigure:
    """The figure's row, locked, as long as it is still what the reviewer saw (`revision`, or the object's own
    state): two reviewers, or one with a stale page, can never both decide the same figure."""
    seen = revision if revision is not None else figure.revision
    current = (
        QuarterlyFigure.objects.select_for_update(of=("self",))
        .select_related("indicator__plan", "updated_by")
        .get(pk=figure.pk)
    )
    if current.revision != seen:
        raise AlreadyDecided(current)
    return current


def figure_approve(*, user, figure: QuarterlyFigure, revision: str | None = None) -> QuarterlyFigure:
    """Approve a submitted figure, as the reviewer saw it; the approved one it corrects becomes superseded;
    progress recomputes; the bureau staff are told."""
    with transaction.atomic():
        figure = _approve(user, figure, revision)
        recompute_after_commit(figure.indicator_id)
        _notify_decided([figure], [])
    return figure


def _approve(user, figure: QuarterlyFigure, revision: str | None) -> QuarterlyFigure:
    """The approval itself, without asking for the recompute (a review asks once for all its figures)."""
    now = timezone.now()
    with transaction.atomic():
        figure = _as_seen(figure, revision)
        _reviewable(user, figure)
        for old in QuarterlyFigure.objects.select_for_update().filter(
            indicator_id=figure.indicator_id, period_end=figure.period_end, status=Status.APPROVED
        ):
            old.status = Status.SUPERSEDED
            _save(old, user, _("被第%(v)s版取代") % {"v": figure.version})
        figure.status = Status.APPROVED
        figure.reviewed_by, figure.reviewed_at = user, now
        _save(figure, user, _("审核通过"))
    return figure


def figure_return(*, user, figure: QuarterlyFigure, reason: str, revision: str | None = None) -> QuarterlyFigure:
    """Return a submitted figure, as the reviewer saw it, to the submitter; the reason is required and shown
    to them (on the grid, in the template and in the notification)."""
    with transaction.atomic():
        figure = _return(user, figure, reason, revision)
        _notify_decided([], [figure])
    return figure


def _return(user, figure: QuarterlyFigure, reason: str, revision: str | None) -> QuarterlyFigure:
    with transaction.atomic():
        figure = _as_seen(figure, revision)
        _reviewable(user, figure)
        reason = (reason or "").strip()
        if not reason:
            raise ValidationError({"return_reason": [_("退回时必须填写原因。")]})
        figure.status = Status.RETURNED
        figure.return_reason = reason
        figure.reviewed_by, figure.reviewed_at = user, timezone.now()
        _save(figure, user, _("退回：%(reason)s") % {"reason": reason})
    return figure


APPROVE, RETURN = "approve", "return"


@dataclass
class Decision:
    figure: QuarterlyFigure
    action: str
    reason: str = ""
    revision: str | None = None
    """The figure's revision on the reviewer's page: a figure that changed since is refused, not decided."""


def figure_review(*, user, decisions: list[Decision]) -> dict[str, int]:
    """Apply a reviewer's decisions on a quarter, all or nothing; errors are keyed by figure id. Progress
    is marked for recompute once for every indicator approved, not once per figure."""
    errors = {}
    approved, returned = [], []
    with transaction.atomic():
        for decision in decisions:
            try:
                if decision.action == APPROVE:
                    approved.append(_approve(user, decision.figure, decision.revision))
                elif decision.action == RETURN:
                    returned.append(_return(user, decision.figure, decision.reason, decision.revision))
            except ValidationError as error:
                errors[decision.figure.pk] = error.messages
            except AlreadyDecided as error:
                errors[decision.figure.pk] = [str(error)]
        if errors:
            raise ValidationError(errors)
        recompute_after_commit(*(f.indicator_id for f in approved))
        _notify_decided(approved, returned)
    counts = defaultdict(int)
    for decision in decisions:
        counts[decision.action] += 1
    return dict(counts)


# --- Telling the next person ------------------------------------------------------------------------------


def _quarters_text(period_ends) -> str:
    return _("、").join(Quarter.of(end).label for end in sorted(set(period_ends)))


def _notify_submitted(plan: Plan, submitted: list[QuarterlyFigure], resubmitted: list[QuarterlyFigure], when) -> None:
    """The city's reviewers hear that figures wait for them; the bureau's 'N项未提交' reminder of a quarter
    with nothing left unsubmitted, and the 'returned' notices of the resubmitted figures, close."""
    period_ends = sorted({f.period_end for f in submitted})
    reviewers = users_in_cities(city_ids=[plan.city_id], roles=FIGURE_REVIEW_ROLES)
    latest = Quarter.of(period_ends[-1])
    notify(
        recipient_ids=reviewers,
        key=keys.figures_submitted_prefix(plan_id=plan.pk, quarter=str(latest)) + when.isoformat(),
        kind=Notification.Kind.TO_REVIEW,
        title=_("%(plan)s %(quarters)s指标数据已提交，%(n)s项待审核")
        % {"plan": plan.title, "quarters": _quarters_text(period_ends), "n": len(submitted)},
        body="\n".join(f.indicator.name for f in submitted),
        link=reverse("figure_review", args=[plan.code, str(latest)]),
    )
    prefixes = [keys.figure_returned_prefix(figure_id=f.pk) for f in resubmitted]
    for end in period_ends:
        quarter = Quarter.of(end)
        if not figures_not_submitted(plan=plan, quarter=quarter).exists():
            prefixes += keys.figures_reminder_prefixes(plan_id=plan.pk, quarter=str(quarter))
    notifications_close(key_prefixes=prefixes)


def _notify_decided(approved: list[QuarterlyFigure], returned: list[QuarterlyFigure]) -> None:
    """The bureau staff hear of each returned figure with its reason, and of the approvals in one notice;
    the reviewers' 'submitted' notice of a quarter with nothing left to review closes."""
    decided = approved + returned
    if not decided:
        return
    plan = decided[0].indicator.plan
    staff = users_in_cities(city_ids=[plan.city_id], roles=[Role.BUREAU_STAFF])
    for figure in returned:
        quarter = Quarter.of(figure.period_end)
        notify(
            recipient_ids=staff,
            key=keys.figure_returned_prefix(figure_id=figure.pk) + figure.reviewed_at.isoformat(),
            kind=Notification.Kind.RETURNED,
            title=_("%(quarter)s「%(indicator)s」被退回：%(reason)s")
            % {"quarter": quarter.label, "indicator": figure.indicator.name, "reason": figure.return_reason},
            body=_("%(who)s 退回：%(reason)s")
            % {"who": display_name(figure.reviewed_by), "reason": figure.return_reason},
            link=reverse("figure_grid", args=[plan.code, str(quarter)]),
        )
    if approved:
        period_ends = sorted({f.period_end for f in approved})
        latest = Quarter.of(period_ends[-1])
        notify(
            recipient_ids=staff,
            key=f"figures-approved:{plan.pk}:{latest}:{approved[0].pk}:{approved[0].reviewed_at.isoformat()}",
            kind=Notification.Kind.APPROVED,
            title=_("%(plan)s %(quarters)s指标数据%(n)s项审核通过")
            % {"plan": plan.title, "quarters": _quarters_text(period_ends), "n": len(approved)},
            body="\n".join(f.indicator.name for f in approved),
            link=reverse("figure_grid", args=[plan.code, str(latest)]),
        )
    waiting = set(
        QuarterlyFigure.objects.filter(
            indicator__plan=plan, period_end__in={f.period_end for f in decided}, status=Status.SUBMITTED
        ).values_list("period_end", flat=True)
    )
    notifications_close(
        key_prefixes=[
            keys.figures_submitted_prefix(plan_id=plan.pk, quarter=str(Quarter.of(end)))
            for end in {f.period_end for f in decided} - waiting
        ]
    )


# --- Corrections ------------------------------------------------------------------------------------------


def figure_correct(*, user, figure: QuarterlyFigure, data: rules.RowInput, reason: str) -> QuarterlyFigure:
    """Change an approved (locked) figure: a new version with a reason, submitted for approval again.

    The approved version keeps counting until the correction is approved; both stay in the history.
    Replacing a provisional figure with the official one is a correction too.
    """
    indicator = figure.indicator
    plan = indicator.plan
    if not can_enter_figures(user, plan.city_id):
        raise Forbidden
    if plan.is_archived:
        raise ValidationError(_("方案已归档，数据不可修改。"))
    if figure.status != Status.APPROVED:
        raise ValidationError(_("只能更正已审核通过的数据。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"correction_reason": [_("更正时必须填写原因。")]})
    if data.is_empty:
        raise ValidationError({"value": [_("请填写更正后的数值。")]})
    with transaction.atomic():
        _lock_plan(plan)
        period = figures_by_period([indicator.pk], [figure.period_end])[(indicator.pk, figure.period_end)]
        if period.open is not None:
            raise ValidationError(_("该数据已有一份待处理的更正，请先处理它。"))
        correction = QuarterlyFigure(
            indicator=indicator,
            period_end=figure.period_end,
            version=period.next_version,
            created_by=user,
            correction_reason=reason,
        )
        stored = figures_by_period([indicator.pk])
        check = rules.check_row(row_spec(indicator), data, _Chain(stored).context(indicator, figure.period_end))
        if check.errors:
            raise EntriesInvalid(
                [
                    Outcome(
                        entry=Entry(indicator, figure.period_end, data), action=CREATE, check=check, errors=check.errors
                    )
                ]
            )
        outcome = Outcome(
            entry=Entry(indicator, figure.period_end, data), action=CREATE, check=check, figure=correction
        )
        _save(_apply(user, outcome), user, _("更正：%(reason)s") % {"reason": reason})
        figures_submit(
            user=user,
            plan=plan,
            figures=[correction],
            reason=_("更正：%(reason)s") % {"reason": reason},
            late_exempt=True,
        )
    return correction
