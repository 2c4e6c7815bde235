from django import template

from indicators.readings import indicator_pending_readings

register = template.Library()


@register.simple_tag
def pending_readings(indicator):
    """The indicator's readings still 待确认, shown beside it until the city settles them (one query)."""
    return indicator_pending_readings(indicator)


@register.filter
def assumes_base_year(pending) -> bool:
    """Whether the stored base year is a reading still 待确认: every place that names the year marks it 假定."""
    return any(view.reading.code == "base_year" for view in pending)
