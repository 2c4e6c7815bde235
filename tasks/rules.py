"""The rules of task reporting and supervision, as pure functions (no ORM, no request).

When a task report is due, what "late" means on the bureau matrix and which step of a supervision item
(督办) may follow which.
"""

import datetime as dt
from enum import StrEnum

from django.utils.translation import gettext_lazy as _

from core.periods import Quarter, closed_quarters, quarters_between

# Days before a reporting deadline when the "due soon" reminder goes out.
DUE_SOON_DAYS = 5
# Days a lead department has to explain a lag and propose measures (督办 reply period).
SUPERVISION_RESPONSE_DAYS = 15


# --- Quarters a task report may be for (core.periods says what a quarter is) ------------------------------


def reportable_quarters(period_start: dt.date, period_end: dt.date, as_of: dt.date) -> list[Quarter]:
    """Quarters a department may report on: started by `as_of` and within the plan, newest first."""
    return [q for q in reversed(quarters_between(period_start, period_end)) if q.start <= as_of]


def quarter_not_started(quarter: Quarter, as_of: dt.date) -> bool:
    return quarter.start > as_of


def default_quarter(period_start: dt.date, period_end: dt.date, as_of: dt.date) -> Quarter:
    """The quarter pages open on: the last closed one (reports fall due after a quarter ends), within the plan."""
    closed = closed_quarters(period_start, period_end, today=as_of)
    return closed[0] if closed else Quarter.of(period_start)


class ReminderKind(StrEnum):
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def reminder_due(
    period_start: dt.date, period_end: dt.date, lag_days: int, as_of: dt.date
) -> tuple[Quarter, ReminderKind] | None:
    """Which quarter's reports to remind about today, and how, or None.

    Only the last closed quarter counts: a plan that ended long ago does not nag about its history, and a
    reminder sent for a quarter is keyed by that quarter, so each goes out once.
    """
    quarter = Quarter.last_closed(as_of)
    if quarter.end < period_start or quarter.start > period_end:
        return None
    deadline = quarter.reporting_deadline(lag_days)
    if as_of > deadline:
        return quarter, ReminderKind.OVERDUE
    if (deadline - as_of).days <= DUE_SOON_DAYS:
        return quarter, ReminderKind.DUE_SOON
    return None


# --- Reporting status of one department on one task for one quarter ------------------------------------


class ReportStatus(StrEnum):
    REPORTED = "reported"
    LATE = "late"
    MISSING = "missing"
    PENDING = "pending"
    DONE = "done"


REPORT_STATUS_LABELS = {
    ReportStatus.REPORTED: _("已报送"),
    ReportStatus.LATE: _("逾期报送"),
    ReportStatus.MISSING: _("逾期未报"),
    ReportStatus.PENDING: _("待报送"),
    ReportStatus.DONE: _("已完成"),
}


def due_order(
    *, report: ReportStatus, report_deadline: dt.date, task_due: dt.date | None, finished: bool, as_of: dt.date
) -> tuple[int, dt.date]:
    """Where a task stands on 我的任务: overdue first (its report missed the deadline, or the task is past its
    own 完成时限 unfinished), then what falls due soonest (the report or the task), then the rest.

    Sorting by this key is stable, so tasks with the same key keep the plan's order.
    """
    owed = report in (ReportStatus.PENDING, ReportStatus.MISSING)
    open_due = task_due if task_due is not None and not finished else None
    dues = [d for d in (report_deadline if owed else None, open_due) if d is not None]
    if report == ReportStatus.MISSING or (open_due is not None and open_due < as_of):
        return 0, min(dues)
    if dues:
        return 1, min(dues)
    return 2, dt.date.max


def report_status(
    *, first_reported_on: dt.date | None, deadline: dt.date, as_of: dt.date, done_earlier: bool
) -> ReportStatus:
    """A report counts as on time by its first submission; a department that finished earlier owes none."""
    if first_reported_on is not None:
        return ReportStatus.LATE if first_reported_on > deadline else ReportStatus.REPORTED
    if done_earlier:
        return ReportStatus.DONE
    return ReportStatus.MISSING if as_of > deadline else ReportStatus.PENDING


OWED_STATUSES = (ReportStatus.MISSING, ReportStatus.PENDING)


# --- Supervision items (督办): which step may follow which, working days and lights ---------------------


class SupervisionStatus(StrEnum):
    """下发 → 签收 → 说明与整改 → 审核 → 办结, one status per step waited on."""

    ISSUED = "issued"  # 下发, waiting for the department to acknowledge (签收)
    ACKNOWLEDGED = "acknowledged"  # 签收, waiting for the explanation and measures
    SUBMITTED = "submitted"  # waiting for the office's review
    RETURNED = "returned"  # sent back with a reason and a new date
    ACCEPTED = "accepted"  # the answer is accepted; the measures are under way
    CLOSED = "closed"  # 办结


class SupervisionAction(StrEnum):
    ISSUE = "issue"
    ACKNOWLEDGE = "acknowledge"
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    CLOSE = "close"
    CLOSE_EARLY = "close_early"
    ESCALATE = "escalate"


SUPERVISION_STATUS_LABELS = {
    SupervisionStatus.ISSUED: _("待签收"),
    SupervisionStatus.ACKNOWLEDGED: _("待说明"),
    SupervisionStatus.SUBMITTED: _("待审核"),
    SupervisionStatus.RETURNED: _("已退回"),
    SupervisionStatus.ACCEPTED: _("整改中"),
    SupervisionStatus.CLOSED: _("已办结"),
}

SUPERVISION_ACTION_LABELS = {
    SupervisionAction.ISSUE: _("下发督办"),
    SupervisionAction.ACKNOWLEDGE: _("签收"),
    SupervisionAction.SUBMIT: _("报送说明"),
    SupervisionAction.RETURN: _("退回"),
    SupervisionAction.ACCEPT: _("采纳"),
    SupervisionAction.CLOSE: _("办结"),
    SupervisionAction.CLOSE_EARLY: _("提前办结"),
    SupervisionAction.ESCALATE: _("逾期升级"),
}

OPEN_STATUSES = tuple(s for s in SupervisionStatus if s != SupervisionStatus.CLOSED)

# action -> (statuses it may start from, status it leads to); escalation leaves the status alone.
# No step can be skipped: 办结 only after an accepted answer; 提前办结 (with its recorded reason) is the
# office's one way to end an item that no longer needs an answer, e.g. the indicator recovered.
SUPERVISION_TRANSITIONS = {
    SupervisionAction.ACKNOWLEDGE: ((SupervisionStatus.ISSUED,), SupervisionStatus.ACKNOWLEDGED),
    SupervisionAction.SUBMIT: (
        (SupervisionStatus.ACKNOWLEDGED, SupervisionStatus.RETURNED),
        SupervisionStatus.SUBMITTED,
    ),
    SupervisionAction.RETURN: ((SupervisionStatus.SUBMITTED,), SupervisionStatus.RETURNED),
    SupervisionAction.ACCEPT: ((SupervisionStatus.SUBMITTED,), SupervisionStatus.ACCEPTED),
    SupervisionAction.CLOSE: ((SupervisionStatus.ACCEPTED,), SupervisionStatus.CLOSED),
    SupervisionAction.CLOSE_EARLY: (OPEN_STATUSES, SupervisionStatus.CLOSED),
}

# Waiting on the lead department: an item in one of these past its date is overdue and escalates.
AWAITING_DEPARTMENT = (SupervisionStatus.ISSUED, SupervisionStatus.ACKNOWLEDGED, SupervisionStatus.RETURNED)


def supervision_next_status(status: str, action: SupervisionAction) -> SupervisionStatus | None:
    """The status after `action`, or None when the action is not allowed from `status`."""
    sources, target = SUPERVISION_TRANSITIONS[action]
    return target if status in sources else None


def supervision_refusal(status: str, action: SupervisionAction) -> str:
    """Why `action` cannot be taken from `status`, in the words of the step the item waits on."""
    if status == SupervisionStatus.CLOSED:
        return _("该督办事项已办结。")
    if action == SupervisionAction.CLOSE:
        return _("说明和整改措施尚未采纳，不能办结；如确需提前办结，请使用“提前办结”并写明原因。")
    if action == SupervisionAction.SUBMIT and status == SupervisionStatus.ISSUED:
        return _("请先签收督办事项，再报送说明。")
    return _("该督办事项当前为“%(status)s”，不能“%(action)s”。") % {
        "status": SUPERVISION_STATUS_LABELS[SupervisionStatus(status)],
        "action": SUPERVISION_ACTION_LABELS[action],
    }


def add_working_days(day: dt.date, days: int) -> dt.date:
    """`days` working days (Monday to Friday) after `day`; public holidays are not known here."""
    while days > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


class Light(StrEnum):
    """The traffic light of an open item: on time, due within N working days, overdue."""

    GREEN = "green"
    YELLOW = "yellow"
    RED = "red"


LIGHT_LABELS = {Light.GREEN: _("按期"), Light.YELLOW: _("临期"), Light.RED: _("逾期")}


def supervision_current_due(
    status: str, *, acknowledge_due: dt.date | None, due_date: dt.date | None, measures_due: dt.date | None
) -> dt.date | None:
    """The date the step now waited on is due by: 签收, the explanation, or the accepted measures.

    Kept in sync with tasks.selectors._current_due (the same choice written for the database)."""
    if status == SupervisionStatus.ISSUED:
        return acknowledge_due
    if status in (SupervisionStatus.ACKNOWLEDGED, SupervisionStatus.RETURNED):
        return due_date
    if status == SupervisionStatus.ACCEPTED:
        return measures_due
    return None  # waiting on the office, or closed


def supervision_light(due: dt.date | None, *, status: str, as_of: dt.date, soon_days: int) -> Light | None:
    """Red past the due date, yellow within `soon_days` working days of it, else green; closed has none.

    Kept in sync with tasks.selectors._light."""
    if status == SupervisionStatus.CLOSED:
        return None
    if due is None:
        return Light.GREEN
    if due < as_of:
        return Light.RED
    return Light.YELLOW if due <= add_working_days(as_of, soon_days) else Light.GREEN


SUPERVISION_CHAIN = [_("下发"), _("签收"), _("说明与整改"), _("审核"), _("办结")]
CHAIN_POSITION = {
    SupervisionStatus.ISSUED: 1,
    SupervisionStatus.ACKNOWLEDGED: 2,
    SupervisionStatus.RETURNED: 2,
    SupervisionStatus.SUBMITTED: 3,
    SupervisionStatus.ACCEPTED: 4,
    SupervisionStatus.CLOSED: 5,
}


def supervision_chain(status: str) -> list[tuple[str, str]]:
    """The five steps of the chain, each "done", "now" (waited on) or "todo", for the item's header."""
    position = CHAIN_POSITION[SupervisionStatus(status)]
    return [
        (label, "done" if index < position else "now" if index == position else "todo")
        for index, label in enumerate(SUPERVISION_CHAIN)
    ]


# --- The department overview (部门落实情况): a reference light per department, from its counts ----------


class Signal(StrEnum):
    """What the department overview counts for a department; each may light it red, yellow or not at all.

    The indicators whose lead the document never named (defaulted to the bureau) are counted apart and never
    light anything: the bureau is not blamed for what the document did not give it."""

    OVERDUE_SUPERVISION = "overdue_supervision"
    UNANSWERED_INSTRUCTIONS = "unanswered_instructions"
    LAGGING = "lagging"
    AT_RISK = "at_risk"
    LATE_REPORTS = "late_reports"
    MISSING_REPORTS = "missing_reports"


SIGNAL_LABELS = {
    Signal.OVERDUE_SUPERVISION: _("逾期督办事项"),
    Signal.UNANSWERED_INSTRUCTIONS: _("未答复批示"),
    Signal.LAGGING: _("滞后指标（牵头）"),
    Signal.AT_RISK: _("预警指标（牵头）"),
    Signal.LATE_REPORTS: _("逾期报送的任务进展"),
    Signal.MISSING_REPORTS: _("逾期未报的任务进展"),
}

# The issue's default: red for any overdue 督办 item or unanswered 批示, yellow for any lagging indicator or
# late report (a report still missing after its deadline is at least as late), green otherwise.
DEFAULT_LIGHT_RULE = {
    Signal.OVERDUE_SUPERVISION: Light.RED,
    Signal.UNANSWERED_INSTRUCTIONS: Light.RED,
    Signal.LAGGING: Light.YELLOW,
    Signal.AT_RISK: None,
    Signal.LATE_REPORTS: Light.YELLOW,
    Signal.MISSING_REPORTS: Light.YELLOW,
}
DEPARTMENT_LIGHT_LABELS = {Light.GREEN: _("绿灯"), Light.YELLOW: _("黄灯"), Light.RED: _("红灯")}
LIGHT_RANK = {Light.RED: 0, Light.YELLOW: 1, Light.GREEN: 2}


def department_light(counts, rule) -> Light:
    """Red when any signal the rule marks red was counted, else yellow for any marked yellow, else green.

    `counts` maps each Signal to a count (missing means 0); `rule` maps a Signal to Light.RED, Light.YELLOW
    or None (not lit); a signal the rule does not name lights nothing."""
    lit = {rule.get(signal) for signal, n in counts.items() if n > 0}
    if Light.RED in lit:
        return Light.RED
    if Light.YELLOW in lit:
        return Light.YELLOW
    return Light.GREEN


def light_causes(counts, rule) -> list[Signal]:
    """The signals that set the light (those of its colour that were counted), in Signal order, so the page
    can say why a department is red or yellow."""
    light = department_light(counts, rule)
    if light == Light.GREEN:
        return []
    return [s for s in Signal if counts.get(s, 0) > 0 and rule.get(s) == light]
