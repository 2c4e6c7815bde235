from django import template

from indicators.readings import indicator_pending_readings

register = template.Library()


@register.simple_tag
def pending_readings(indicator):
    """The indicator's readings still 待确认, shown beside it until the city settles them (one query)."""
    return indicator_pending_readings(indicator)
