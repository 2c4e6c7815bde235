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


S, A = SupervisionStatus, SupervisionAction
NEXT = {  # every (status, action) the chain allows; everything else is refused
    (S.ISSUED, A.ACKNOWLEDGE): S.ACKNOWLEDGED,
    (S.ACKNOWLEDGED, A.SUBMIT): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.RETURN): S.RETURNED,
    (S.SUBMITTED, A.ACCEPT): S.ACCEPTED,
    (S.ACCEPTED, A.CLOSE): S.CLOSED,
    **{(status, A.CLOSE_EARLY): S.CLOSED for status in S if status != S.CLOSED},
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("action", [a for a in A if a not in (A.ISSUE, A.ESCALATE)])
def test_supervision_transitions_none_skippable(status, action):
    """Regression: 办结 used to be allowed while the item still waited for its explanation (待说明)."""
    assert rules.supervision_next_status(status, action) == NEXT.get((status, action))


def test_close_refusal_points_to_early_close():
    assert "提前办结" in str(rules.supervision_refusal(S.ACKNOWLEDGED, A.CLOSE))
    assert "签收" in str(rules.supervision_refusal(S.ISSUED, A.SUBMIT))
    assert "已办结" in str(rules.supervision_refusal(S.CLOSED, A.ACCEPT))


@pytest.mark.parametrize(
    "day, days, expected",
    [
        (D(2026, 12, 3), 2, D(2026, 12, 7)),  # Thursday + 2 working days: over the weekend to Monday
        (D(2026, 12, 5), 1, D(2026, 12, 7)),  # Saturday + 1: Monday
        (D(2026, 12, 7), 0, D(2026, 12, 7)),
        (D(2026, 12, 7), 5, D(2026, 12, 14)),
    ],
)
def test_add_working_days(day, days, expected):
    assert rules.add_working_days(day, days) == expected


TODAY = D(2026, 12, 3)  # a Thursday; 3 working days later is Tuesday 8 December


@pytest.mark.parametrize(
    "status, due, expected",
    [
        (S.ACKNOWLEDGED, D(2026, 12, 2), rules.Light.RED),
        (S.ACKNOWLEDGED, TODAY, rules.Light.YELLOW),
        (S.ACKNOWLEDGED, D(2026, 12, 8), rules.Light.YELLOW),
        (S.ACKNOWLEDGED, D(2026, 12, 9), rules.Light.GREEN),
        (S.SUBMITTED, None, rules.Light.GREEN),  # waiting on the office
        (S.CLOSED, D(2020, 1, 1), None),
    ],
)
def test_supervision_light(status, due, expected):
    assert rules.supervision_light(due, status=status, as_of=TODAY, soon_days=3) == expected


def test_current_due_is_the_date_of_the_step_waited_on():
    dates = {"acknowledge_due": D(2026, 1, 1), "due_date": D(2026, 2, 1), "measures_due": D(2026, 3, 1)}
    assert rules.supervision_current_due(S.ISSUED, **dates) == D(2026, 1, 1)
    assert rules.supervision_current_due(S.RETURNED, **dates) == D(2026, 2, 1)
    assert rules.supervision_current_due(S.ACCEPTED, **dates) == D(2026, 3, 1)
    assert rules.supervision_current_due(S.SUBMITTED, **dates) is None


def test_chain_marks_the_step_waited_on():
    assert rules.supervision_chain(S.ISSUED) == [
        ("下发", "done"),
        ("签收", "now"),
        ("说明与整改", "todo"),
        ("审核", "todo"),
        ("办结", "todo"),
    ]
    assert [state for _label, state in rules.supervision_chain(S.CLOSED)] == ["done"] * 5
