"""Reads of plans for pages and the API, always through the visibility rule."""

from django.db.models import Count, Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.access import visible_cities
from indicators.models import Indicator
from plans.models import Plan
from tasks.models import Task, TaskAssignment


def plan_list(*, user) -> QuerySet[Plan]:
    return (
        Plan.objects.filter(city__in=visible_cities(user))
        .select_related("city")
        .annotate(indicator_count=Count("indicators", distinct=True), task_count=Count("tasks", distinct=True))
    )


def plan_detail(*, user, code: str) -> Plan:
    """A plan with its indicators, tasks and assignments fetched in a fixed number of queries."""
    queryset = (
        Plan.objects.filter(city__in=visible_cities(user))
        .select_related("city")
        .prefetch_related(
            "phases",
            Prefetch(
                "indicators",
                Indicator.objects.select_related("lead_department", "target_group").prefetch_related("interim_targets"),
            ),
            Prefetch(
                "tasks",
                Task.objects.prefetch_related(
                    Prefetch("assignments", TaskAssignment.objects.select_related("department")), "indicators"
                ),
            ),
            "leading_group__department",
        )
    )
    return get_object_or_404(queryset, code=code)
