from django import template

from accounts.access import FIGURE_ENTRY_ROLES, FIGURE_REVIEW_ROLES, user_role
from core import numbers
from core.periods import Quarter
from figures.rules import plain
from figures.selectors import display_name, pending_review_count

register = template.Library()


@register.inclusion_tag("figures/_nav_links.html", takes_context=True)
def figures_nav(context):
    """The 季度填报 link for the roles that enter or review figures, with the reviewer's pending count."""
    user = context["request"].user
    role = user_role(user)
    return {
        "show": role in FIGURE_ENTRY_ROLES + FIGURE_REVIEW_ROLES,
        "pending": pending_review_count(user=user) if role in FIGURE_REVIEW_ROLES else 0,
    }


@register.filter
def number(value):
    """A stored decimal as people write it: 1200, not 1200.0000."""
    return plain(value) if value is not None else ""


@register.filter
def rate(value):
    """A ratio's rate, a computed quotient rather than an entry: two decimals (94.12, not 94.1176)."""
    return numbers.quantity(float(value)) if value is not None else ""


@register.filter
def quarter(day):
    """A period end as its quarter, 2025Q3."""
    return str(Quarter.of(day)) if day else ""


@register.filter
def who(user):
    """A user's name as pages show it; nothing for nobody."""
    return display_name(user) if user is not None else ""
