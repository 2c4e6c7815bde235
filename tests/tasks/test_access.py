"""Who sees which task page and API resource: one table, pages and API alike (404 outside one's city)."""

import pytest

pytestmark = pytest.mark.django_db

OWN_CITY = ["staff", "reviewer", "leader", "lead_user", "resp_user", "other_user", "provincial", "admin"]
OTHER_CITY = ["far_staff", "far_user"]

URLS = {
    "task page": lambda w: f"/tasks/{w.task.pk}/",
    "task api": lambda w: f"/api/v1/tasks/{w.task.pk}/",
    "department tasks": lambda w: f"/departments/{w.lead.pk}/tasks/",
    "leading group": lambda w: f"/leading-group/{w.city.code}/",
}


@pytest.mark.parametrize("page", URLS)
@pytest.mark.parametrize("name", OWN_CITY + OTHER_CITY)
def test_city_pages_answer_404_outside_the_city(client, world, page, name):
    client.force_login(getattr(world, name))
    expected = 200 if name in OWN_CITY else 404
    assert client.get(URLS[page](world)).status_code == expected


@pytest.mark.parametrize(
    "url",
    [
        "/tasks/mine/",
        "/task-matrix/",
        "/supervision-items/",
        "/leading-group/",
        "/notifications/",
        "TASK",
        "DEPARTMENT",
    ],
)
def test_anonymous_is_sent_to_login(client, world, url):
    url = {"TASK": f"/tasks/{world.task.pk}/", "DEPARTMENT": f"/departments/{world.lead.pk}/tasks/"}.get(url, url)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/tasks/mine/",
        "/api/v1/task-updates/",
        "/api/v1/task-matrix/",
        "/api/v1/supervision-items/",
        "/api/v1/notifications/",
    ],
)
def test_anonymous_api_is_refused(client, world, url):
    assert client.get(url).status_code in (401, 403)


@pytest.mark.parametrize(
    "name, links",
    [
        ("lead_user", {"我的任务", "督办事项", "领导小组"}),
        ("staff", {"我的任务", "任务报送矩阵", "督办事项", "领导小组"}),
        ("reviewer", {"任务报送矩阵", "督办事项", "领导小组"}),
        ("leader", {"任务报送矩阵", "督办事项", "领导小组"}),
        ("provincial", {"领导小组"}),
    ],
)
def test_nav_offers_the_pages_a_user_can_use(client, world, name, links):
    client.force_login(getattr(world, name))
    page = client.get("/notifications/").content.decode()
    nav = page[page.index("<nav>") : page.index("</nav>")]
    offered = {label for label in ("我的任务", "任务报送矩阵", "督办事项", "领导小组") if label in nav}
    assert offered == links
    assert "通知" in nav


def test_admin_browses_updates_and_supervision_read_only(admin_client, world):
    from core.periods import Quarter
    from tasks import services
    from tests.factories import TaskUpdateFactory

    update = TaskUpdateFactory(task=world.task, department=world.lead)
    item = services.task_supervision_raise(
        task=world.task, quarter=Quarter(2025, 1), reason="task_late", as_of=world.last_quarter.end
    )
    for url in (
        "/admin/tasks/taskupdate/",
        f"/admin/tasks/taskupdate/{update.pk}/change/",
        "/admin/tasks/supervisionitem/",
        f"/admin/tasks/supervisionitem/{item.pk}/change/",
        "/admin/notifications/notification/",
    ):
        assert admin_client.get(url).status_code == 200, url
    assert admin_client.get("/admin/tasks/taskupdate/add/").status_code == 403
