"""How a dashboard presents what the engine decided: the headline's status and the order of departments.

Pure functions (no ORM, no request), so the colour of a number and the order of a chart are rules a reader
can find and a test can pin, not choices hidden in a template or the chart script.
"""

from core.status import Status


def headline_status(
    *, time_elapsed: float, indicator_progress: float | None, at_risk_band: float, lagging_band: float, final: bool
) -> Status:
    """The status the headline 指标进度 is coloured by: the plan's own bands (percentage points, as every
    indicator of the plan is judged) applied to how far the mean progress trails the time elapsed
    (时间过半、任务过半). An ended plan is achieved only at 100%; no progress to average is no data."""
    if indicator_progress is None:
        return Status.NO_DATA
    if final:
        return Status.ACHIEVED if indicator_progress >= 1 else Status.MISSED
    behind = round(time_elapsed - indicator_progress, 9)  # exactly a band behind is not "more than" it
    if behind > lagging_band / 100:
        return Status.LAGGING
    if behind > at_risk_band / 100:
        return Status.AT_RISK
    return Status.ON_TRACK


def task_problem_key(*, blocked: int, unreported: int, not_started: int, done: int, total: int, name: str) -> tuple:
    """Departments with the most trouble first: blocked tasks, then tasks never reported on, then tasks not
    started, then the lowest share done; the name breaks ties so the order is stable."""
    return (-blocked, -unreported, -not_started, (done / total) if total else 1.0, name)
