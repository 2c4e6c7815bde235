from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.access import user_role
from accounts.models import Role
from core import numbers, progress
from core.periods import Quarter
from dashboards import names

register = template.Library()

MANY_CITY_ROLES = (Role.ADMIN, Role.PROVINCIAL)


@register.inclusion_tag("dashboards/_nav_links.html", takes_context=True)
def dashboards_nav(context):
    """Overview and comparison for those who see several cities; a city's users have their city as home."""
    return {"many": user_role(context["request"].user) in MANY_CITY_ROLES}


@register.filter
def num(value):
    return numbers.quantity_or_missing(value)


@register.filter
def pct(share):
    return numbers.share_or_missing(share)


@register.filter
def progress_words(result, indicator):
    """指标进度 of a result: done / not done for a marker, 已超目标 past 100% (core.progress.progress_words)."""
    return progress.progress_words(result, indicator.target_form)


@register.filter
def amount(value, unit):
    return numbers.quantity_or_missing(value, unit or "")


@register.filter
def quarter(day):
    """A date as its quarter, 2025Q3."""
    return str(Quarter.of(day)) if day else ""


@register.filter
def local(named):
    """A city's, department's or indicator's name in the reader's language (dashboards.names)."""
    return names.local_name(named)


@register.filter
def leads(indicator):
    """The indicator's lead departments, named in the reader's language."""
    return names.lead_names(indicator)


@register.filter
def who_line(line: dict | None) -> str:
    """Who must act on an indicator (dashboards.selectors._who_line's words) as its muted line. A filter rather
    than an included template: the line is placed once or twice for each of a plan's dozens of indicators, and
    the include's lookups there were a sixth of the dashboard's render. Every word is escaped by format_html."""
    if not line:
        return ""
    parts = [format_html('<div class="responsibility muted" data-testid="who">{}', line["leads"])]
    parts += [
        format_html(' <span class="defaulted">（{}）</span>', n) for n in (line["defaulted"], line["answering"]) if n
    ]
    parts.append(format_html("\n · {}\n", line["responsible"]) if line["responsible"] else "\n\n")
    item = line["supervision"]
    if item:
        parts.append(format_html(' · {}：<a href="{}">{}</a>', item["word"], item["url"], item["step"]))
        if item["light"]:
            parts.append(format_html(' <span class="light light-{}">{}</span>', item["light"], item["light_label"]))
        if item["due"]:
            parts.append(format_html(" {}", item["due"]))
    parts.append(format_html("\n · {}</div>", line["report"]) if line["report"] else "\n</div>")
    return mark_safe("".join(parts))  # the literals above and format_html's escaped words
