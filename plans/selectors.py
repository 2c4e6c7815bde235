"""Reads of plans for pages and the API, always through the visibility rule."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
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


def current_plans(plans: QuerySet[Plan], on: dt.date) -> QuerySet[Plan]:
    """current_plan() in SQL: of each city's plans, the latest started by the date (the highest code on a
    tie), else its first (the lowest) — so a page can order and count them in the database."""
    same_city = Plan.objects.filter(city=OuterRef("city"))
    started = same_city.filter(period_start__lte=on).order_by("-period_start", "-code").values("pk")[:1]
    first = same_city.order_by("period_start", "code").values("pk")[:1]
    return plans.filter(pk=Coalesce(Subquery(started), Subquery(first)))


def current_plan_ids(plans: QuerySet[Plan], on: dt.date) -> list[int]:
    """The ids of current_plans(), each city's picked by current_plan() from its plans' dates: for thousands of
    cities a few milliseconds, where the SQL's two subqueries per plan take tens."""
    by_city = defaultdict(list)
    for plan in plans.order_by("city_id", "period_start", "code").values_list(
        "pk", "city_id", "period_start", named=True
    ):
        by_city[plan.city_id].append(plan)
    return [current_plan(city_plans, on).pk for city_plans in by_city.values()]
