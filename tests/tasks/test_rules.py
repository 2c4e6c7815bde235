"""The pure rules of task reporting and supervision, table-driven."""

import datetime as dt

import pytest

from core.periods import Quarter
from tasks import rules
from tasks.rules import ReminderKind, ReportStatus, SupervisionAction, SupervisionStatus

D = dt.date


def test_reportable_quarters_are_started_and_within_the_plan_newest_first():
    quarters = rules.reportable_quarters(D(2024, 7, 1), D(2026, 6, 30), as_of=D(2025, 2, 10))
    assert quarters == [Quarter(2025, 1), Quarter(2024, 4), Quarter(2024, 3)]


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (D(2025, 2, 10), Quarter(2024, 4)),  # the last closed quarter
        (D(2024, 8, 1), Quarter(2024, 3)),  # nothing closed yet: the first quarter of the plan
        (D(2030, 1, 1), Quarter(2026, 2)),  # plan over: its last quarter
    ],
)
def test_default_quarter(as_of, expected):
    assert rules.default_quarter(D(2024, 7, 1), D(2026, 6, 30), as_of) == expected


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (D(2025, 4, 1), None),  # deadline 04-15 more than 5 days away
        (D(2025, 4, 10), (Quarter(2025, 1), ReminderKind.DUE_SOON)),  # 5 days before the deadline
        (D(2025, 4, 15), (Quarter(2025, 1), ReminderKind.DUE_SOON)),  # the deadline day is still on time
        (D(2025, 4, 16), (Quarter(2025, 1), ReminderKind.OVERDUE)),
        (D(2025, 6, 30), (Quarter(2025, 1), ReminderKind.OVERDUE)),  # still the last closed quarter
        (D(2024, 4, 20), None),  # Q1 2024 is before the plan
        (D(2026, 10, 20), None),  # Q3 2026 is after the plan
        (D(2026, 7, 20), (Quarter(2026, 2), ReminderKind.OVERDUE)),  # the plan's last quarter
    ],
)
def test_which_quarter_to_remind_about(as_of, expected):
    assert rules.reminder_due(D(2024, 7, 1), D(2026, 6, 30), 15, as_of) == expected


DEADLINE = D(2025, 7, 15)


@pytest.mark.parametrize(
    "first_reported_on, as_of, done_earlier, expected",
    [
        (D(2025, 7, 1), D(2025, 8, 1), False, ReportStatus.REPORTED),
        (D(2025, 7, 15), D(2025, 8, 1), False, ReportStatus.REPORTED),  # on the deadline day is on time
        (D(2025, 7, 16), D(2025, 8, 1), False, ReportStatus.LATE),
        (None, D(2025, 7, 15), False, ReportStatus.PENDING),
        (None, D(2025, 7, 16), False, ReportStatus.MISSING),
        (None, D(2025, 7, 16), True, ReportStatus.DONE),  # finished earlier: nothing owed
        (D(2025, 7, 20), D(2025, 8, 1), True, ReportStatus.LATE),  # a report is judged even when done earlier
    ],
)
def test_report_status(first_reported_on, as_of, done_earlier, expected):
    assert (
        rules.report_status(
            first_reported_on=first_reported_on, deadline=DEADLINE, as_of=as_of, done_earlier=done_earlier
        )
        == expected
    )


@pytest.mark.parametrize(
    "status, action, expected",
    [
        (SupervisionStatus.REQUESTED, SupervisionAction.SUBMIT, SupervisionStatus.SUBMITTED),
        (SupervisionStatus.RETURNED, SupervisionAction.SUBMIT, SupervisionStatus.SUBMITTED),
        (SupervisionStatus.SUBMITTED, SupervisionAction.SUBMIT, None),
        (SupervisionStatus.SUBMITTED, SupervisionAction.RETURN, SupervisionStatus.RETURNED),
        (SupervisionStatus.SUBMITTED, SupervisionAction.ACCEPT, SupervisionStatus.ACCEPTED),
        (SupervisionStatus.REQUESTED, SupervisionAction.ACCEPT, None),
        (SupervisionStatus.ACCEPTED, SupervisionAction.CLOSE, SupervisionStatus.CLOSED),
        (SupervisionStatus.REQUESTED, SupervisionAction.CLOSE, SupervisionStatus.CLOSED),
        (SupervisionStatus.CLOSED, SupervisionAction.CLOSE, None),
        (SupervisionStatus.CLOSED, SupervisionAction.SUBMIT, None),
    ],
)
def test_supervision_transitions(status, action, expected):
    assert rules.supervision_next_status(status, action) == expected
