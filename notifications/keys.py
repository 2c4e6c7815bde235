"""Event keys shared by the app that raises a notification and the app that closes it once its cause is gone.

A key names one event (notifications.services.notify sends it once per recipient); a prefix names every
event of one cause, so closing it reaches each occurrence (a figure returned twice, a quarter resubmitted).
"""


def figures_reminder(*, plan_id: int, quarter: str, kind: str) -> str:
    """The bureau's 'N项未提交' reminder for a plan's quarter (kind: due_soon or overdue)."""
    return f"figures-{kind}:{plan_id}:{quarter}"


def figures_reminder_prefixes(*, plan_id: int, quarter: str) -> list[str]:
    return [figures_reminder(plan_id=plan_id, quarter=quarter, kind=kind) for kind in ("due_soon", "overdue")]


def figures_submitted_prefix(*, plan_id: int, quarter: str) -> str:
    """The reviewers' 'submitted for review' notices of a plan's quarter."""
    return f"figures-submitted:{plan_id}:{quarter}:"


def figure_returned_prefix(*, figure_id: int) -> str:
    """The staff's 'returned' notices of one figure."""
    return f"figure-returned:{figure_id}:"


def task_updates_reminder(*, plan_id: int, quarter: str, department_id: int, kind: str) -> str:
    """A department's 'N项未报送' reminder for a plan's quarter."""
    return f"task-updates-{kind}:{plan_id}:{quarter}:{department_id}"


def task_updates_reminder_prefixes(*, plan_id: int, quarter: str, department_id: int) -> list[str]:
    return [
        task_updates_reminder(plan_id=plan_id, quarter=quarter, department_id=department_id, kind=kind)
        for kind in ("due_soon", "overdue")
    ]


def base_entry_prefix(*, entry_id: int) -> str:
    """The notices of one entered base: 'entered' to the reviewers, then its decision to the staff."""
    return f"base-entry:{entry_id}:"
