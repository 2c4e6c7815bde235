from django import template

from onboarding.services import onboarding_allowed

register = template.Library()


@register.inclusion_tag("onboarding/_nav.html", takes_context=True)
def onboarding_nav(context):
    user = context["user"]
    return {"show": user.is_authenticated and onboarding_allowed(user)}
