"""The headline's colour and the order of the task-completion chart (dashboards.rules)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.status import Status
from dashboards.rules import headline_status, task_problem_key


@pytest.mark.parametrize(
    ("time_elapsed", "indicator_progress", "final", "expected"),
    [
        (0.5, 0.5, False, Status.ON_TRACK),
        (0.5, 0.6, False, Status.ON_TRACK),  # ahead of the calendar
        (0.5, 0.45, False, Status.ON_TRACK),  # exactly the 5-point band behind is not more than it
        (0.5, 0.449, False, Status.AT_RISK),
        (0.5, 0.35, False, Status.AT_RISK),  # exactly 15 points behind
        (0.5, 0.349, False, Status.LAGGING),
        (0.973, 0.554, False, Status.LAGGING),  # Chaoyang's demo headline
        (1.0, 1.0, True, Status.ACHIEVED),
        (1.0, 0.881, True, Status.MISSED),  # an ended plan is not "at risk": it missed
        (0.5, None, False, Status.NO_DATA),
    ],
)
def test_headline_status_applies_the_plans_bands_to_progress_against_time(
    time_elapsed, indicator_progress, final, expected
):
    status = headline_status(
        time_elapsed=time_elapsed, indicator_progress=indicator_progress, at_risk_band=5, lagging_band=15, final=final
    )
    assert status == expected


@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1))
def test_more_progress_never_colours_the_headline_worse(time_elapsed, low, high):
    low, high = sorted((low, high))
    rank = [Status.ON_TRACK, Status.AT_RISK, Status.LAGGING]

    def status(p):
        return headline_status(
            time_elapsed=time_elapsed, indicator_progress=p, at_risk_band=5, lagging_band=15, final=False
        )

    assert rank.index(status(high)) <= rank.index(status(low))


def test_departments_with_problems_come_first():
    departments = {
        "all done": dict(blocked=0, unreported=0, not_started=0, done=4, total=4),
        "half done": dict(blocked=0, unreported=0, not_started=0, done=2, total=4),
        "one not started": dict(blocked=0, unreported=0, not_started=1, done=3, total=4),
        "one unreported": dict(blocked=0, unreported=1, not_started=0, done=3, total=4),
        "one blocked": dict(blocked=1, unreported=0, not_started=0, done=3, total=4),
        "two blocked": dict(blocked=2, unreported=0, not_started=0, done=2, total=4),
    }
    order = sorted(departments, key=lambda name: task_problem_key(name=name, **departments[name]))
    assert order == ["two blocked", "one blocked", "one unreported", "one not started", "half done", "all done"]
