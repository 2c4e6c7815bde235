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


# --- Supervision items (督办): which step may follow which ---------------------------------------------


class SupervisionStatus(StrEnum):
    REQUESTED = "requested"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class SupervisionAction(StrEnum):
    REQUEST = "request"
    SUBMIT = "submit"
    RETURN = "return"
    ACCEPT = "accept"
    CLOSE = "close"
    ESCALATE = "escalate"


SUPERVISION_STATUS_LABELS = {
    SupervisionStatus.REQUESTED: _("待说明"),
    SupervisionStatus.SUBMITTED: _("待审核"),
    SupervisionStatus.RETURNED: _("已退回"),
    SupervisionStatus.ACCEPTED: _("整改中"),
    SupervisionStatus.CLOSED: _("已办结"),
}

SUPERVISION_ACTION_LABELS = {
    SupervisionAction.REQUEST: _("发起督办"),
    SupervisionAction.SUBMIT: _("报送说明"),
    SupervisionAction.RETURN: _("退回"),
    SupervisionAction.ACCEPT: _("采纳"),
    SupervisionAction.CLOSE: _("办结"),
    SupervisionAction.ESCALATE: _("逾期升级"),
}

# action -> (statuses it may start from, status it leads to); escalation leaves the status alone.
SUPERVISION_TRANSITIONS = {
    SupervisionAction.SUBMIT: ((SupervisionStatus.REQUESTED, SupervisionStatus.RETURNED), SupervisionStatus.SUBMITTED),
    SupervisionAction.RETURN: ((SupervisionStatus.SUBMITTED,), SupervisionStatus.RETURNED),
    SupervisionAction.ACCEPT: ((SupervisionStatus.SUBMITTED,), SupervisionStatus.ACCEPTED),
    SupervisionAction.CLOSE: (
        (
            SupervisionStatus.REQUESTED,
            SupervisionStatus.SUBMITTED,
            SupervisionStatus.RETURNED,
            SupervisionStatus.ACCEPTED,
        ),
        SupervisionStatus.CLOSED,
    ),
}

# Waiting on the lead department: an item in one of these past its due date is overdue and escalates.
AWAITING_DEPARTMENT = (SupervisionStatus.REQUESTED, SupervisionStatus.RETURNED)


def supervision_next_status(status: str, action: SupervisionAction) -> SupervisionStatus | None:
    """The status after `action`, or None when the action is not allowed from `status`."""
    sources, target = SUPERVISION_TRANSITIONS[action]
    return target if status in sources else None
