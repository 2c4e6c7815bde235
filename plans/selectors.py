"""Reads of plans for pages and the API, always through the visibility rule."""

import datetime as dt

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from plans.models import Plan


def plan_list(*, user) -> QuerySet[Plan]:
    return (
        Plan.objects.visible_to(user)
        .select_related("city")
        .annotate(indicator_count=Count("indicators", distinct=True), task_count=Count("tasks", distinct=True))
    )


def plan_detail(*, user, code: str) -> Plan:
    """A plan with its indicators, tasks and assignments fetched in a fixed number of queries."""
    queryset = (
        Plan.objects.visible_to(user)
        .select_related("city")
        .prefetch_related(
            # By name, not by model: plans sit below the indicators and tasks apps and import neither.
            "phases",
            "indicators__lead_department",
            "indicators__target_group",
            "indicators__interim_targets",
            "indicators__lead_links__department",
            "indicators__readings",
            "tasks__assignments__department",
            "tasks__indicators",
            "leading_group__department",
        )
    )
    return get_object_or_404(queryset, code=code)


def current_plan(plans: list[Plan], on: dt.date) -> Plan:
    """The plan a city is working to on a date: the latest started by then, else its first (plans oldest
    first). The dashboards, the comparison and the workbooks all pick a city's plan by this rule."""
    started = [p for p in plans if p.period_start <= on]
    return started[-1] if started else plans[0]
