"""Query counts of the dashboard pages do not grow with indicators, figures, tasks, 督办 items or cities.

Each page is measured on the small world, the world is then grown (more indicators with figures in the city,
more departments with tasks and reports, more cities with plans), and measured again: same count, under the
page's ceiling.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from tasks.models import TaskAssignment, TaskUpdate
from tasks.rules import Quarter
from tasks.services import task_supervision_raise
from tests.dashboards.conftest import AS_OF_QUARTER, build_plan
from tests.factories import AssignmentFactory, DepartmentFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db

CEILINGS = {  # the requests' own queries included: session, user, profile, nav badges
    "city": 15,  # + the indicators' lead departments (co-leads, issue 12); + who must act (issue 16: four)
    "city_as_of": 17,  # + the same
    "overview": 10,
    "indicator": 18,  # + its lead departments and its unconfirmed readings (issue 12); + who must act (issue 16)
    "compare": 14,  # + the page count, the check that every compared row has a stored result, the stored key
    # counts looked up (they counted every city, not the viewer's) and the rows read by id once ordered (issue 20)
    "compare_every_city": 12,  # the stored key counts and comparison rows (issue 20)
}


def grow(world, times: int):
    """More of everything: indicators with figures in the city, departments with tasks, reports and 督办
    items, and whole cities with plans."""
    for n in range(times):
        department = DepartmentFactory(city=world.city, name=f"市新增局{n}")
        build_plan(world.plan, department, prefix=f"N{n}")
        task = TaskFactory(plan=world.plan)
        task.indicators.add(world.a)
        AssignmentFactory(task=task, department=department, role=TaskAssignment.Role.LEAD)
        TaskUpdate.objects.create(
            task=task,
            department=department,
            quarter_end=dt.date(2025, 6, 30),
            state=TaskUpdate.State.BLOCKED,
            text="受阻。",
            author=world.users.lead_user,
        )
        task_supervision_raise(task=task, quarter=Quarter(2025, 2), reason="task_blocked", as_of=timezone.localdate())
        plan = PlanFactory(
            city__code=f"more{n}",
            city__name=f"新增市{n}",
            period_start=world.plan.period_start,
            period_end=world.plan.period_end,
        )
        build_plan(plan, DepartmentFactory(city=plan.city, name=f"新增市{n}科技局"), prefix=f"M{n}")
        world.users.provincial.profile.assigned_cities.add(plan.city)
    indicator_history_rebuild()
    indicator_progress_recompute()


def pages(world):
    return {
        "city": (world.users.leader, "/cities/own/", {}),
        "city_as_of": (world.users.leader, "/cities/own/", {"as_of": AS_OF_QUARTER}),
        "overview": (world.users.provincial, "/cities/", {}),
        "indicator": (world.users.staff, f"/indicators/{world.a.pk}/", {}),
        "compare": (world.users.provincial, "/compare/", {"key": "valid_invention_patents"}),
        "compare_every_city": (world.users.admin, "/compare/", {"key": "valid_invention_patents"}),
    }


def count(client, user, url, params, measure=None) -> int:
    client.force_login(user)
    with measure or CaptureQueriesContext(connection) as context:
        assert client.get(url, params).status_code == 200
    return len(context.captured_queries)


def test_query_counts_do_not_grow_with_the_data(client, world, django_assert_max_num_queries):
    before = {name: count(client, *spec) for name, spec in pages(world).items()}
    grow(world, 3)
    after = {
        name: count(client, *spec, measure=django_assert_max_num_queries(CEILINGS[name], info=name))
        for name, spec in pages(world).items()
    }
    assert after == before


def test_city_dashboard_within_fifteen_queries_for_every_city_role(client, world):
    """Ten, plus one for the indicators' lead departments since an indicator may have several (issue 12), plus
    four for who must act on each verdict (responsible departments, open 督办, the last report: issue 16)."""
    grow(world, 2)
    for user in (
        world.users.leader,
        world.users.staff,
        world.users.reviewer,
        world.users.lead_user,
        world.users.provincial,
        world.users.admin,
    ):
        assert count(client, user, "/cities/own/", {}) <= CEILINGS["city"], user.username


def test_the_city_dashboard_reads_its_supervision_items_once(client, world):
    """The 督办 panel and the responsibility lines share one read of the plan's open items (a second read of
    the same rows cost the page more than any other query, in Django compiling its lights)."""
    grow(world, 2)
    for user, reads in ((world.users.leader, 1), (world.users.lead_user, 1), (world.users.provincial, 0)):
        client.force_login(user)
        with CaptureQueriesContext(connection) as context:
            assert client.get("/cities/own/").status_code == 200
        items = [q["sql"] for q in context.captured_queries if 'FROM "tasks_supervisionitem"' in q["sql"]]
        assert len(items) == reads, user.username
