from django import template

from accounts.access import TASK_OVERVIEW_ROLES, user_department_id, user_role
from core.status import STATUS_LABELS, Status, status_label
from tasks import rules

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


@register.inclusion_tag("tasks/_light.html")
def supervision_light(item):
    """An item's light (annotated by tasks.selectors) as a badge; nothing for a closed item."""
    light = getattr(item, "light", None)
    return {"light": light, "label": rules.LIGHT_LABELS.get(light) if light else None}


@register.simple_tag
def supervision_chain(item):
    return rules.supervision_chain(item.status)
