"""The bureau matrix: who reported, who is late, what is blocked; filters shared by page and API."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.periods import Quarter
from tasks import selectors
from tasks.models import TaskAssignment
from tasks.rules import ReportStatus
from tests.factories import AssignmentFactory, DepartmentFactory, TaskFactory, TaskUpdateFactory

pytestmark = pytest.mark.django_db

Q2 = Quarter(2024, 2)  # deadline 2024-07-15 with the default 15-day lag


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


def matrix_for(world, as_of=dt.date(2024, 8, 1), **kwargs):
    return selectors.task_matrix(plan=world.plan, quarter=Q2, tasks=world.plan.tasks.all(), as_of=as_of, **kwargs)


def cells(matrix):
    """{(task title, department name): (role, status, state)}"""
    return {
        (row.task.title, d.name): (c.role, c.status, c.latest.state if c.latest else None)
        for row in matrix.rows
        for d, c in zip(matrix.departments, row.cells, strict=True)
        if c
    }


def test_statuses_of_every_department_on_every_task(world):
    TaskUpdateFactory(task=world.task, department=world.lead, quarter_end=Q2.end, created_at=at(dt.date(2024, 7, 10)))
    TaskUpdateFactory(
        task=world.task,
        department=world.responsible,
        quarter_end=Q2.end,
        state="blocked",
        created_at=at(dt.date(2024, 7, 20)),
    )
    TaskUpdateFactory(
        task=world.second,
        department=world.other,
        quarter_end=Quarter(2024, 1).end,
        state="done",
        created_at=at(dt.date(2024, 4, 2)),
    )
    matrix = matrix_for(world)
    assert matrix.deadline == dt.date(2024, 7, 15)
    assert [d.name for d in matrix.departments] == ["市市场监管局", "市教育局", "市科技局", "市财政局"]
    assert cells(matrix) == {
        ("强化知识产权创造", "市科技局"): ("lead", ReportStatus.REPORTED, "in_progress"),
        ("强化知识产权创造", "市财政局"): ("responsible", ReportStatus.LATE, "blocked"),
        ("加强知识产权保护", "市市场监管局"): ("lead", ReportStatus.MISSING, None),
        ("加强知识产权保护", "市教育局"): ("responsible", ReportStatus.DONE, None),
    }
    assert [row.is_blocked for row in matrix.rows] == [True, False]
    owed = {t.department.name: t.owed for t in matrix.tallies}
    assert owed == {"市市场监管局": 1, "市教育局": 0, "市科技局": 0, "市财政局": 0}


def test_before_the_deadline_a_missing_report_is_pending(world):
    matrix = matrix_for(world, as_of=dt.date(2024, 7, 15))
    assert {status for _role, status, _state in cells(matrix).values()} == {ReportStatus.PENDING}


def test_the_latest_update_of_the_quarter_counts_and_the_first_decides_lateness(world):
    TaskUpdateFactory(
        task=world.task, department=world.lead, quarter_end=Q2.end, state="blocked", created_at=at(dt.date(2024, 7, 1))
    )
    TaskUpdateFactory(
        task=world.task,
        department=world.lead,
        quarter_end=Q2.end,
        state="in_progress",
        created_at=at(dt.date(2024, 7, 30)),
    )
    matrix = matrix_for(world)
    assert cells(matrix)[("强化知识产权创造", "市科技局")] == ("lead", ReportStatus.REPORTED, "in_progress")
    assert not matrix.rows[0].is_blocked


# --- The page and the API ------------------------------------------------------------------------------


def task_ids_on_page(response):
    return [row.task.pk for row in response.context["matrix"].rows]


def task_ids_in_api(response):
    return [row["task_id"] for row in response.json()["rows"]]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({}, ["task", "second"]),
        ({"department": "LEAD"}, ["task"]),
        ({"section": "二、(二)"}, ["second"]),
        ({"state": "blocked"}, ["task"]),
        ({"state": "done"}, []),
    ],
)
def test_filters_mean_the_same_on_page_and_api(client, world, params, expected):
    TaskUpdateFactory(task=world.task, department=world.responsible, quarter_end=Q2.end, state="blocked")
    params = {k: (world.lead.pk if v == "LEAD" else v) for k, v in params.items()}
    query = {"plan": world.plan.code, "quarter": str(Q2), **params}
    client.force_login(world.staff)
    page = client.get("/task-matrix/", query)
    api = client.get("/api/v1/task-matrix/", query)
    assert page.status_code == api.status_code == 200
    wanted = [getattr(world, name).pk for name in expected]
    assert task_ids_on_page(page) == task_ids_in_api(api) == wanted


def test_department_filter_keeps_only_its_column(client, world):
    client.force_login(world.staff)
    body = client.get(
        "/api/v1/task-matrix/", {"plan": world.plan.code, "quarter": str(Q2), "department": world.lead.pk}
    ).json()
    assert [d["name"] for d in body["departments"]] == ["市科技局"]
    assert body["rows"][0]["cells"][0]["department_id"] == world.lead.pk


def test_page_shows_who_is_late_and_what_is_blocked(client, world):
    TaskUpdateFactory(task=world.task, department=world.responsible, quarter_end=Q2.end, state="blocked")
    client.force_login(world.reviewer)
    page = client.get("/task-matrix/", {"plan": world.plan.code, "quarter": str(Q2)}).content.decode()
    assert "逾期未报" in page and "受阻" in page and "市财政局" in page


def test_bad_quarter_is_a_clear_message(client, world):
    client.force_login(world.staff)
    response = client.get("/task-matrix/", {"plan": world.plan.code, "quarter": "2024-06"}, follow=True)
    assert "季度格式应为“2025Q3”" in response.content.decode()
    api = client.get("/api/v1/task-matrix/", {"plan": world.plan.code, "quarter": "2024-06"})
    assert api.status_code == 400 and "2025Q3" in api.json()["quarter"][0]


@pytest.mark.parametrize(
    "name, page_status, api_status",
    [
        ("staff", 200, 200),
        ("reviewer", 200, 200),
        ("leader", 200, 200),
        ("admin", 200, 200),
        ("lead_user", 404, 404),
        ("other_user", 404, 404),
        ("provincial", 404, 404),
        ("far_staff", 404, 404),
    ],
)
def test_who_may_see_the_matrix(client, world, name, page_status, api_status):
    client.force_login(getattr(world, name))
    query = {"plan": world.plan.code}
    assert client.get("/task-matrix/", query).status_code == page_status
    assert client.get("/api/v1/task-matrix/", query).status_code == api_status


def test_anonymous_is_sent_to_login(client, world):
    assert client.get("/task-matrix/").status_code == 302
    assert client.get("/api/v1/task-matrix/").status_code in (401, 403)


def grow(world, tasks=8, departments=6):
    """More tasks, departments and updates of every kind, to show the query count does not follow them."""
    extra = [DepartmentFactory(city=world.city) for _ in range(departments)]
    for n in range(tasks):
        task = TaskFactory(plan=world.plan, section=f"三、({n})")
        for i, department in enumerate(extra):
            role = TaskAssignment.Role.LEAD if i == 0 else TaskAssignment.Role.RESPONSIBLE
            AssignmentFactory(task=task, department=department, role=role)
            state = "blocked" if i % 2 else "done"
            TaskUpdateFactory(task=task, department=department, quarter_end=Q2.end, state=state)
            TaskUpdateFactory(task=task, department=department, quarter_end=Quarter(2024, 1).end)


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


@pytest.mark.parametrize("url", ["/task-matrix/", "/api/v1/task-matrix/"])
def test_query_count_does_not_grow_with_tasks_departments_or_updates(client, world, url):
    client.force_login(world.staff)
    params = {"plan": world.plan.code, "quarter": str(Q2), "state": "blocked"}
    TaskUpdateFactory(task=world.task, department=world.responsible, quarter_end=Q2.end, state="blocked")
    small = count_queries(client, url, params)
    grow(world)
    assert count_queries(client, url, params) == small
