"""我的任务: every task of the user's department with its indicators, last update and what is due."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from indicators.models import IndicatorProgress
from tasks.models import TaskAssignment
from tests.factories import AssignmentFactory, IndicatorFactory, TaskFactory, TaskUpdateFactory

pytestmark = pytest.mark.django_db


def test_my_tasks_lists_led_and_shared_tasks_with_indicators_and_state(client, world):
    indicator = IndicatorFactory(plan=world.plan, name="有效发明专利拥有量")
    IndicatorProgress.objects.create(indicator=indicator, status="lagging")
    world.task.indicators.add(indicator)
    TaskUpdateFactory(
        task=world.task,
        department=world.lead,
        quarter_end=world.last_quarter.end,
        state="blocked",
        author=world.lead_user,
    )
    client.force_login(world.lead_user)
    response = client.get("/tasks/mine/")
    page = response.content.decode()
    assert response.status_code == 200
    assert [row.task for row in response.context["rows"]] == [world.task]
    assert "强化知识产权创造" in page and "加强知识产权保护" not in page
    assert "牵头单位" in page and "有效发明专利拥有量" in page and "滞后" in page
    assert "受阻" in page and world.last_quarter.label in page


def test_a_responsible_department_sees_its_part(client, world):
    client.force_login(world.other_user)
    rows = client.get("/tasks/mine/").context["rows"]
    assert [(row.task, row.role) for row in rows] == [(world.second, TaskAssignment.Role.RESPONSIBLE)]


def test_user_without_a_department_is_told_so(client, world):
    client.force_login(world.reviewer)
    assert "您的账号未关联部门" in client.get("/tasks/mine/").content.decode()


def test_api_mine_returns_the_same_rows(client, world):
    TaskUpdateFactory(
        task=world.task, department=world.responsible, quarter_end=world.last_quarter.end, author=world.resp_user
    )
    client.force_login(world.resp_user)
    rows = client.get("/api/v1/tasks/mine/").json()
    assert [(r["task"]["id"], r["role"], r["quarter"]) for r in rows] == [
        (world.task.pk, "responsible", str(world.last_quarter))
    ]
    assert rows[0]["last_update"]["state"] == "in_progress"
    assert rows[0]["report_status"] in ("reported", "late")
    client.force_login(world.reviewer)
    assert client.get("/api/v1/tasks/mine/").json() == []


def test_department_page_of_another_city_is_404(client, world):
    client.force_login(world.lead_user)
    assert client.get(f"/departments/{world.far_department.pk}/tasks/").status_code == 404
    assert client.get(f"/departments/{world.other.pk}/tasks/").status_code == 200


def test_another_departments_page_hides_its_reports_from_a_department_user(client, world):
    client.force_login(world.lead_user)
    assert client.get(f"/departments/{world.other.pk}/tasks/").context["show_updates"] is False
    client.force_login(world.staff)
    assert client.get(f"/departments/{world.other.pk}/tasks/").context["show_updates"] is True


def grow(world, tasks=10):
    for _ in range(tasks):
        task = TaskFactory(plan=world.plan)
        AssignmentFactory(task=task, department=world.lead, role=TaskAssignment.Role.RESPONSIBLE)
        AssignmentFactory(task=task, department=world.other, role=TaskAssignment.Role.LEAD)
        indicator = IndicatorFactory(plan=world.plan)
        IndicatorProgress.objects.create(indicator=indicator, status="on_track")
        task.indicators.add(indicator, IndicatorFactory(plan=world.plan))
        for quarter_end in (world.last_quarter.previous.end, world.last_quarter.end):
            TaskUpdateFactory(task=task, department=world.lead, quarter_end=quarter_end, author=world.lead_user)


@pytest.mark.parametrize("url", ["/tasks/mine/", "/api/v1/tasks/mine/"])
def test_query_count_does_not_grow_with_tasks(client, world, url):
    client.force_login(world.lead_user)
    grow(world, tasks=1)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(world, tasks=10)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)
