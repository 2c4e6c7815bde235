from django import template

from accounts.rules import can_manage_users

register = template.Library()


@register.inclusion_tag("accounts/_nav_links.html", takes_context=True)
def accounts_nav(context):
    """The users and audit links only for those accounts.rules lets manage users."""
    return {"manages": can_manage_users(context["user"])}
