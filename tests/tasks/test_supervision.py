"""Supervision items (督办): explanation and measures, accept or return, closure, every step kept."""

import datetime as dt

import pytest
from django.utils import timezone

from core.periods import Quarter
from notifications.models import Notification
from tasks import services
from tasks.models import SupervisionItem
from tasks.selectors import supervision_items_for_city

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def item(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.task_supervision_raise(
            task=world.task, quarter=Quarter(2025, 1), reason=SupervisionItem.Reason.TASK_BLOCKED, as_of=TODAY
        )


def act(client, user, item, action, **data):
    client.force_login(user)
    return client.post(f"/supervision-items/{item.pk}/{action}/", data)


ANSWER = {
    "explanation": "资金下达滞后。",
    "measures": "已协调财政局专项拨付。",
    "measures_due": (TODAY + dt.timedelta(days=30)).isoformat(),
}


def test_the_whole_path_to_closure_keeps_every_step(client, world, item):
    assert act(client, world.lead_user, item, "submit", **ANSWER).status_code == 302
    returned = {"note": "措施不具体，请补充时间表。", "due_date": (TODAY + dt.timedelta(days=7)).isoformat()}
    assert act(client, world.staff, item, "return", **returned).status_code == 302
    assert act(client, world.lead_user, item, "submit", **ANSWER).status_code == 302
    assert act(client, world.reviewer, item, "accept", note="同意。").status_code == 302
    assert act(client, world.staff, item, "close", note="整改完成。").status_code == 302
    item.refresh_from_db()
    assert item.status == "closed"
    assert item.due_date == TODAY + dt.timedelta(days=7)
    steps = [(s.action, s.actor.username if s.actor else None) for s in item.steps.all()]
    assert steps == [
        ("request", None),
        ("submit", "lead_user"),
        ("return", "staff"),
        ("submit", "lead_user"),
        ("accept", "reviewer"),
        ("close", "staff"),
    ]
    submitted = item.steps.filter(action="submit").first()
    assert (submitted.explanation, submitted.measures) == ("资金下达滞后。", "已协调财政局专项拨付。")
    page = client.get(f"/supervision-items/{item.pk}/").content.decode()
    assert "措施不具体，请补充时间表。" in page and "已办结" in page


def test_each_step_notifies_the_other_side(client, world, item, django_capture_on_commit_callbacks, mailoutbox):
    assert [n.title for n in Notification.objects.filter(recipient=world.lead_user)][0].startswith("督办：任务受阻")
    with django_capture_on_commit_callbacks(execute=True):
        act(client, world.lead_user, item, "submit", **ANSWER)
    assert (
        Notification.objects.filter(
            recipient__in=[world.staff, world.reviewer],
            title__contains="已报送督办说明",
        ).count()
        == 2
    )
    with django_capture_on_commit_callbacks(execute=True):
        act(client, world.staff, item, "accept")
    assert Notification.objects.filter(recipient=world.lead_user, title__contains="采纳").exists()
    assert {m.to[0] for m in mailoutbox} == {"lead_user@example.cn", "staff@example.cn", "reviewer@example.cn"}


@pytest.mark.parametrize(
    "name, action, data, message",
    [
        ("resp_user", "submit", ANSWER, "只有被督办的牵头单位可以报送说明"),
        ("lead_user", "accept", {}, "只有市场监管局（领导小组办公室）可以审核督办事项"),
        ("leader", "accept", {}, "只有市场监管局（领导小组办公室）可以审核督办事项"),
        ("staff", "accept", {}, "无法“采纳”"),  # nothing submitted yet
        ("lead_user", "submit", {**ANSWER, "measures": ""}, "该字段是必填项"),
        ("lead_user", "submit", {**ANSWER, "measures_due": "2020-01-01"}, "整改完成时限不能早于今天"),
    ],
)
def test_refused_steps_say_why_and_change_nothing(client, world, item, name, action, data, message):
    response = act(client, getattr(world, name), item, action, **data)
    # Not allowed answers 403, invalid 400, each saying why; another city's item is not there (404).
    assert response.status_code in (400, 403, 404)
    if response.status_code in (400, 403):
        assert message in response.content.decode()
    item.refresh_from_db()
    assert item.status == "requested" and item.steps.count() == 1


def test_return_needs_a_reason(client, world, item):
    act(client, world.lead_user, item, "submit", **ANSWER)
    response = act(client, world.staff, item, "return", note="", due_date=TODAY.isoformat())
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()


@pytest.mark.parametrize(
    "name, status",
    [
        ("lead_user", 200),
        ("staff", 200),
        ("reviewer", 200),
        ("leader", 200),
        ("admin", 200),
        ("resp_user", 404),
        ("other_user", 404),
        ("far_staff", 404),
        ("provincial", 404),
    ],
)
def test_who_sees_an_item(client, world, item, name, status):
    client.force_login(getattr(world, name))
    assert client.get(f"/supervision-items/{item.pk}/").status_code == status
    assert client.get(f"/api/v1/supervision-items/{item.pk}/").status_code == status
    listed = [row["id"] for row in client.get("/api/v1/supervision-items/").json()["results"]]
    assert listed == ([item.pk] if status == 200 else [])


def test_api_actions_follow_the_same_rules(client, world, item):
    client.force_login(world.lead_user)
    response = client.post(f"/api/v1/supervision-items/{item.pk}/submit/", ANSWER)
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    refused = client.post(f"/api/v1/supervision-items/{item.pk}/accept/", {})
    assert refused.status_code == 403 and "领导小组办公室" in refused.json()["detail"]
    client.force_login(world.staff)
    response = client.post(
        f"/api/v1/supervision-items/{item.pk}/return/", {"note": "请补充。", "due_date": TODAY.isoformat()}
    )
    assert response.status_code == 200
    assert [s["action"] for s in response.json()["steps"]] == ["request", "submit", "return"]


def test_raising_twice_creates_one_item(world, item):
    again = services.task_supervision_raise(
        task=world.task, quarter=Quarter(2025, 1), reason=SupervisionItem.Reason.TASK_BLOCKED, as_of=TODAY
    )
    assert again is None
    assert SupervisionItem.objects.count() == 1


def test_dashboard_selector_lists_open_items_overdue_first(world, item):
    late = services.task_supervision_raise(
        task=world.second,
        quarter=Quarter(2025, 1),
        reason=SupervisionItem.Reason.TASK_LATE,
        as_of=TODAY - dt.timedelta(days=30),
    )
    closed = services.task_supervision_raise(
        task=world.second, quarter=Quarter(2025, 2), reason=SupervisionItem.Reason.TASK_LATE, as_of=TODAY
    )
    services.supervision_close(user=world.staff, item=closed, note="无需说明。")
    services.task_supervision_raise(
        task=world.far_task, quarter=Quarter(2025, 1), reason=SupervisionItem.Reason.TASK_LATE, as_of=TODAY
    )
    rows = list(supervision_items_for_city(world.city, TODAY))
    assert [(r.pk, r.overdue) for r in rows] == [(late.pk, True), (item.pk, False)]


def test_supervision_list_page_filters_overdue(client, world, item):
    services.task_supervision_raise(
        task=world.second,
        quarter=Quarter(2025, 1),
        reason=SupervisionItem.Reason.TASK_LATE,
        as_of=TODAY - dt.timedelta(days=30),
    )
    client.force_login(world.staff)
    assert len(client.get("/supervision-items/").context["items"]) == 2
    overdue = client.get("/supervision-items/", {"overdue": "true"}).context["items"]
    assert [i.reason for i in overdue] == ["task_late"]
    api = client.get("/api/v1/supervision-items/", {"overdue": "true"}).json()["results"]
    assert [i["reason"] for i in api] == ["task_late"]


def test_a_returned_item_escalates_again_when_its_new_date_is_missed(world, item):
    """Regression: a return sets a new due date, so missing it must escalate again, not stay silent."""
    past = TODAY + dt.timedelta(days=30)
    assert services.supervision_escalate_overdue(as_of=past) == 1
    services.supervision_submit(user=world.lead_user, item=item, **{**ANSWER, "measures_due": past})
    services.supervision_return(user=world.staff, item=item, note="请补充。", due_date=TODAY + dt.timedelta(days=40))
    item.refresh_from_db()
    assert item.escalated_at is None and item.due_date == TODAY + dt.timedelta(days=40)
    assert services.supervision_escalate_overdue(as_of=TODAY + dt.timedelta(days=41)) == 1
    assert [s.action for s in item.steps.all()] == ["request", "escalate", "submit", "return", "escalate"]
