from django import template

from accounts.access import TASK_OVERVIEW_ROLES, user_department_id, user_role
from core.status import STATUS_LABELS, Status, status_label

register = template.Library()


@register.inclusion_tag("tasks/_nav_links.html", takes_context=True)
def tasks_nav(context):
    """The task links a user has a use for, decided by accounts.access like the pages themselves."""
    user = context["user"]
    overview = user_role(user) in TASK_OVERVIEW_ROLES
    has_department = user_department_id(user) is not None
    return {"mine": has_department, "matrix": overview, "supervision": overview or has_department}


@register.filter
def indicator_status_label(status: str) -> str:
    """An IndicatorProgress status in words; an indicator never computed has no data yet."""
    return status_label(status or Status.NO_DATA) if (status or Status.NO_DATA) in STATUS_LABELS else status
