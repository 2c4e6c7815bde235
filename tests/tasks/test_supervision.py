"""督办 as bureaus run it: 下发 → 签收 → 说明与整改 → 审核 → 办结, each step by its role, none skippable;
early closing only with a reason; leaders' 批示 that the department must answer before the item closes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from core.errors import Conflict, Forbidden
from core.periods import Quarter
from indicators.models import IndicatorLead
from notifications.models import Notification
from tasks import rules, services
from tasks.models import Instruction, SupervisionItem
from tasks.selectors import open_supervision_values, supervision_items_at, supervision_items_for_city
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
S = rules.SupervisionStatus


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
RETURN = {"note": "措施不具体，请补充时间表。", "due_date": (TODAY + dt.timedelta(days=7)).isoformat()}
CLOSE = {"note": "整改完成，指标恢复。"}
DATA = {
    "acknowledge": {},
    "submit": ANSWER,
    "return": RETURN,
    "accept": {"note": "同意。"},
    "close": CLOSE,
    "close_early": {"note": "指标已恢复正常进度。"},
}


def bring_to(world, item, status):
    """Walk an item through the services to `status` (issued, acknowledged, submitted, accepted, returned)."""
    path = {
        S.ISSUED: [],
        S.ACKNOWLEDGED: ["acknowledge"],
        S.SUBMITTED: ["acknowledge", "submit"],
        S.RETURNED: ["acknowledge", "submit", "return"],
        S.ACCEPTED: ["acknowledge", "submit", "accept"],
        S.CLOSED: ["acknowledge", "submit", "accept", "close"],
    }[status]
    for step in path:
        if step == "acknowledge":
            services.supervision_acknowledge(user=world.lead_user, item=item)
        elif step == "submit":
            services.supervision_submit(
                user=world.lead_user, item=item, **{**ANSWER, "measures_due": TODAY + dt.timedelta(days=30)}
            )
        elif step == "return":
            services.supervision_return(user=world.staff, item=item, note="请补充。", due_date=TODAY)
        elif step == "accept":
            services.supervision_accept(user=world.staff, item=item)
        else:
            services.supervision_close(user=world.staff, item=item, note="完成。")
    item.refresh_from_db()
    assert item.status == status
    return item


# --- The whole chain ---------------------------------------------------------------------------------------


def test_the_whole_chain_by_each_role_keeps_who_and_when(client, world, item):
    assert item.status == S.ISSUED
    assert act(client, world.lead_user, item, "acknowledge").status_code == 302
    assert act(client, world.lead_user, item, "submit", **ANSWER).status_code == 302
    assert act(client, world.staff, item, "return", **RETURN).status_code == 302
    assert act(client, world.lead_user, item, "submit", **ANSWER).status_code == 302
    client.force_login(world.leader)
    assert client.post(f"/supervision-items/{item.pk}/instruct/", {"text": "请财政局一并说明。"}).status_code == 302
    assert act(client, world.reviewer, item, "accept", note="同意。").status_code == 302

    refused = act(client, world.staff, item, "close", **CLOSE)  # the 批示 is still unanswered
    assert refused.status_code == 400 and "1条领导批示未答复" in refused.content.decode()

    instruction = Instruction.objects.get(item=item)
    client.force_login(world.lead_user)
    assert client.post(f"/instructions/{instruction.pk}/answer/", {"answer": "已与财政局会商。"}).status_code == 302
    assert act(client, world.staff, item, "close", **CLOSE).status_code == 302

    item.refresh_from_db()
    assert (item.status, item.closed_early, item.close_note) == (S.CLOSED, False, "整改完成，指标恢复。")
    assert item.due_date == TODAY + dt.timedelta(days=7)
    steps = [(s.action, s.actor.username if s.actor else None) for s in item.steps.all()]
    assert steps == [
        ("issue", None),
        ("acknowledge", "lead_user"),
        ("submit", "lead_user"),
        ("return", "staff"),
        ("submit", "lead_user"),
        ("accept", "reviewer"),
        ("close", "staff"),
    ]
    page = client.get(f"/supervision-items/{item.pk}/").content.decode()
    for words in (
        "措施不具体，请补充时间表。",
        "已办结",
        "整改完成，指标恢复。",
        "请财政局一并说明。",
        "已与财政局会商。",
    ):
        assert words in page


def test_close_early_records_its_reason_and_the_item_shows_it(client, world, item):
    """The office may end an item before any answer, but only with a reason, shown on the item."""
    assert act(client, world.staff, item, "close_early", note="").status_code == 400
    assert act(client, world.staff, item, "close_early", note="指标已恢复正常进度。").status_code == 302
    item.refresh_from_db()
    assert (item.status, item.closed_early) == (S.CLOSED, True)
    page = client.get(f"/supervision-items/{item.pk}/").content.decode()
    assert "提前办结" in page and "指标已恢复正常进度。" in page


@pytest.mark.parametrize("status", [S.ISSUED, S.ACKNOWLEDGED, S.SUBMITTED, S.RETURNED])
def test_never_closed_before_an_accepted_answer(client, world, item, status):
    """Regression: 办结 used to work while the item still waited for its explanation (待说明)."""
    bring_to(world, item, status)
    response = act(client, world.staff, item, "close", **CLOSE)
    assert response.status_code == 400 and "尚未采纳" in response.content.decode()
    item.refresh_from_db()
    assert item.status == status


def test_never_closed_without_a_word_of_why(client, world, item):
    bring_to(world, item, S.ACCEPTED)
    response = act(client, world.staff, item, "close", note="  ")
    assert response.status_code == 400 and "办结必须写明理由" in response.content.decode()
    with pytest.raises(ValidationError):
        services.supervision_close(user=world.staff, item=item, note="")


def test_explanation_waits_for_acknowledgement(client, world, item):
    response = act(client, world.lead_user, item, "submit", **ANSWER)
    assert response.status_code == 400 and "请先签收" in response.content.decode()


# --- Every transition, per role -------------------------------------------------------------------------

# action -> the status it needs; who may take it (the rest of the city: 403; not visible: 404)
NEEDS = {
    "acknowledge": S.ISSUED,
    "submit": S.ACKNOWLEDGED,
    "return": S.SUBMITTED,
    "accept": S.SUBMITTED,
    "close": S.ACCEPTED,
    "close_early": S.ACKNOWLEDGED,
}
DEPARTMENT_ACTIONS = {"acknowledge", "submit"}


@pytest.mark.parametrize("action", list(NEEDS))
@pytest.mark.parametrize(
    "role", ["staff", "reviewer", "lead_user", "leader", "resp_user", "other_user", "far_staff", "far_user"]
)
def test_each_transition_allowed_or_refused_per_role(client, world, item, action, role):
    bring_to(world, item, NEEDS[action])
    before = item.steps.count()
    response = act(client, getattr(world, role), item, action, **DATA[action])
    if role in ("resp_user", "other_user", "far_staff", "far_user"):
        expected = 404  # another department's or another city's item is not there
    elif role == ("lead_user" if action in DEPARTMENT_ACTIONS else "staff") or (
        role == "reviewer" and action not in DEPARTMENT_ACTIONS
    ):
        expected = 302
    else:
        expected = 403
    assert response.status_code == expected
    item.refresh_from_db()
    if expected == 302:
        assert item.status == rules.supervision_next_status(NEEDS[action], action)
        assert item.steps.count() == before + 1
    else:
        assert item.status == NEEDS[action] and item.steps.count() == before


@pytest.mark.parametrize("action", list(NEEDS))
@pytest.mark.parametrize("status", list(S))
def test_each_transition_refused_from_a_wrong_step_says_why(world, item, action, status):
    if rules.supervision_next_status(status, action) is not None:
        return
    bring_to(world, item, status)
    user = world.lead_user if action in DEPARTMENT_ACTIONS else world.staff
    service = getattr(services, f"supervision_{action}")
    kwargs = {
        "submit": {**ANSWER, "measures_due": TODAY},
        "return": {"note": "x", "due_date": TODAY},
        "accept": {},
        "acknowledge": {},
        "close": {"note": "x"},
        "close_early": {"note": "x"},
    }[action]
    with pytest.raises(ValidationError) as refused:
        service(user=user, item=item, **kwargs)
    assert refused.value.messages
    item.refresh_from_db()
    assert item.status == status


@pytest.mark.parametrize(
    "name, action, data, message",
    [
        ("lead_user", "submit", {**ANSWER, "measures": ""}, "该字段是必填项"),
        ("lead_user", "submit", {**ANSWER, "measures_due": "2020-01-01"}, "整改完成时限不能早于今天"),
    ],
)
def test_bad_answers_say_which_field(client, world, item, name, action, data, message):
    bring_to(world, item, S.ACKNOWLEDGED)
    response = act(client, getattr(world, name), item, action, **data)
    assert response.status_code == 400 and message in response.content.decode()
    item.refresh_from_db()
    assert item.status == S.ACKNOWLEDGED


def test_return_needs_a_reason_and_a_date(client, world, item):
    bring_to(world, item, S.SUBMITTED)
    response = act(client, world.staff, item, "return", note="", due_date=TODAY.isoformat())
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.supervision_return(user=world.staff, item=item, note="再说明", due_date=TODAY - dt.timedelta(days=1))
    assert "due_date" in refused.value.message_dict


def test_a_stale_page_conflicts_instead_of_stepping_twice(world, item):
    first, second = SupervisionItem.objects.get(pk=item.pk), SupervisionItem.objects.get(pk=item.pk)
    services.supervision_acknowledge(user=world.lead_user, item=first)
    with pytest.raises(Conflict):
        services.supervision_acknowledge(user=world.lead_user, item=second)
    assert item.steps.filter(action="acknowledge").count() == 1


# --- Issuing by hand -----------------------------------------------------------------------------------


def test_office_issues_by_hand_on_an_indicator(client, world):
    indicator = IndicatorFactory(plan=world.plan, lead_department=world.lead)
    client.force_login(world.staff)
    assert client.get(f"/supervision-items/new/?indicator={indicator.pk}").status_code == 200
    response = client.post(
        "/supervision-items/new/",
        {"subject": f"indicator:{indicator.pk}", "note": "请说明本季度进展。", "due_date": TODAY.isoformat()},
    )
    assert response.status_code == 302
    made = SupervisionItem.objects.get(indicator=indicator)
    assert (made.reason, made.department, made.status) == ("manual", world.lead, S.ISSUED)
    assert made.steps.get().actor == world.staff and made.steps.get().note == "请说明本季度进展。"
    assert Notification.objects.filter(recipient=world.lead_user, title__contains="请于").exists()
    again = client.post(
        "/supervision-items/new/", {"subject": f"indicator:{indicator.pk}", "note": "再次", "due_date": TODAY}
    )
    assert again.status_code == 400 and "已有未办结的督办" in again.content.decode()


@pytest.mark.parametrize("name", ["leader", "lead_user", "far_staff"])
def test_only_the_citys_office_issues(client, world, name):
    user = getattr(world, name)
    with pytest.raises(Forbidden):
        services.supervision_issue(user=user, task=world.task, note="请说明。", due_date=TODAY)
    if name != "far_staff":  # the other city's office issues items for its own city
        client.force_login(user)
        assert client.get("/supervision-items/new/").status_code == 403


def test_issue_needs_a_request_and_a_date(world):
    with pytest.raises(ValidationError) as refused:
        services.supervision_issue(user=world.staff, task=world.task, note=" ", due_date=None)
    assert set(refused.value.message_dict) == {"note", "due_date"}


# --- 批示 -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", ["item", "indicator", "task"])
def test_leader_instructs_and_the_department_answers(world, item, subject, django_capture_on_commit_callbacks):
    target = {
        "item": {"item": item},
        "indicator": {"indicator": IndicatorFactory(plan=world.plan, lead_department=world.lead)},
        "task": {"task": world.task},
    }[subject]
    with django_capture_on_commit_callbacks(execute=True):
        instruction = services.instruction_create(user=world.leader, text="请加快推进。", **target)
    assert instruction.department == world.lead
    assert Notification.objects.filter(recipient=world.lead_user, kind="instruction").exists()
    with pytest.raises(Forbidden):
        services.instruction_answer(user=world.resp_user, instruction=instruction, answer="不是我们。")
    with pytest.raises(ValidationError):
        services.instruction_answer(user=world.lead_user, instruction=instruction, answer=" ")
    services.instruction_answer(user=world.lead_user, instruction=instruction, answer="已部署。")
    assert (
        Notification.objects.filter(recipient__in=[world.leader, world.staff], title__contains="已答复批示").count()
        == 2
    )
    with pytest.raises(ValidationError):
        services.instruction_answer(user=world.lead_user, instruction=instruction, answer="再答一次。")


@pytest.mark.parametrize("name", ["staff", "reviewer", "lead_user", "far_staff"])
def test_only_the_citys_leaders_instruct(world, item, name):
    with pytest.raises(Forbidden):
        services.instruction_create(user=getattr(world, name), item=item, text="请加快。")


def test_instruction_pages_per_role(client, world, item):
    client.force_login(world.leader)
    response = client.post("/instructions/", {"subject": f"task:{world.task.pk}", "text": "请牵头单位答复。"})
    assert response.status_code == 302
    assert client.post("/instructions/", {"subject": f"task:{world.task.pk}", "text": ""}).status_code == 400
    client.force_login(world.lead_user)
    mine = client.get("/tasks/mine/").content.decode()
    assert "待答复的领导批示" in mine and "请牵头单位答复。" in mine
    client.force_login(world.staff)
    assert "待答复" in client.get("/instructions/").content.decode()
    assert client.post("/instructions/", {"subject": f"task:{world.task.pk}", "text": "x"}).status_code == 403
    client.force_login(world.resp_user)
    assert "请牵头单位答复。" not in client.get("/instructions/").content.decode()
    client.force_login(world.far_staff)
    instruction = Instruction.objects.get()
    assert client.post(f"/instructions/{instruction.pk}/answer/", {"answer": "x"}).status_code == 404


def test_task_page_carries_instructions_and_the_issue_link(client, world):
    client.force_login(world.leader)
    assert client.post(f"/tasks/{world.task.pk}/instructions/", {"text": "请提速。"}).status_code == 302
    client.force_login(world.lead_user)
    page = client.get(f"/tasks/{world.task.pk}/").content.decode()
    assert "请提速。" in page and "答复批示" in page
    client.force_login(world.staff)
    assert f"/supervision-items/new/?task={world.task.pk}" in client.get(f"/tasks/{world.task.pk}/").content.decode()


# --- Visibility, lights, the list -------------------------------------------------------------------------


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


def test_lights_in_the_database_agree_with_the_rule(world, settings):
    """The light is written twice (rules for one item, selectors for the list): they must agree."""
    soon = settings.SUPERVISION_DUE_SOON_WORKING_DAYS
    cases = []
    for offset in (-3, -1, 0, 1, 2, 3, 4, 5, 8, 20):
        for status in [S.ISSUED, S.ACKNOWLEDGED, S.RETURNED, S.SUBMITTED, S.ACCEPTED]:
            due = TODAY + dt.timedelta(days=offset)
            made = SupervisionItem.objects.create(
                plan=world.plan,
                department=world.lead,
                reason="manual",
                task=world.task,
                status=status,
                acknowledge_due=due,
                due_date=due,
                measures_due=due,
            )
            current = rules.supervision_current_due(status, acknowledge_due=due, due_date=due, measures_due=due)
            cases.append((made.pk, rules.supervision_light(current, status=status, as_of=TODAY, soon_days=soon)))
    lights = dict(supervision_items_at(TODAY).values_list("pk", "light"))
    assert {pk: lights[pk] for pk, _ in cases} == {pk: light for pk, light in cases}
    read = {row["pk"]: row["light"] for row in open_supervision_values(user=world.staff, as_of=TODAY, where=Q())}
    assert {pk: read[pk] for pk, _ in cases} == {pk: light for pk, light in cases}
    assert {rules.Light.RED, rules.Light.YELLOW, rules.Light.GREEN} <= {light for _, light in cases}


def test_open_items_selector_lists_step_and_light_red_first(world, item):
    late = services.task_supervision_raise(
        task=world.second,
        quarter=Quarter(2025, 1),
        reason=SupervisionItem.Reason.TASK_LATE,
        as_of=TODAY - dt.timedelta(days=30),
    )
    closed = services.task_supervision_raise(
        task=world.second, quarter=Quarter(2025, 2), reason=SupervisionItem.Reason.TASK_LATE, as_of=TODAY
    )
    services.supervision_close_early(user=world.staff, item=closed, note="无需说明。")
    services.task_supervision_raise(
        task=world.far_task, quarter=Quarter(2025, 1), reason=SupervisionItem.Reason.TASK_LATE, as_of=TODAY
    )
    rows = open_supervision_values(user=world.leader, as_of=TODAY, where=Q())
    assert [(r["pk"], r["status"], r["light"]) for r in rows] == [
        (late.pk, S.ISSUED, rules.Light.RED),
        (item.pk, S.ISSUED, rules.Light.YELLOW),  # 签收 within two working days
    ]
    assert [r.pk for r in supervision_items_for_city(world.city, TODAY)] == [late.pk, item.pk]


def test_list_filters_by_department_state_light_and_reason(client, world, item):
    late = services.task_supervision_raise(
        task=world.second,
        quarter=Quarter(2025, 1),
        reason=SupervisionItem.Reason.TASK_LATE,
        as_of=TODAY - dt.timedelta(days=30),
    )
    client.force_login(world.staff)
    page = client.get("/supervision-items/")
    assert len(page.context["items"]) == 2 and "light-red" in page.content.decode()
    for params, expected in [
        ({"light": "red"}, [late.pk]),
        ({"overdue": "true"}, [late.pk]),
        ({"reason": "task_blocked"}, [item.pk]),
        ({"department": world.lead.pk}, [item.pk]),
        ({"state": "closed"}, []),
    ]:
        assert [i.pk for i in client.get("/supervision-items/", params).context["items"]] == expected, params
        api = client.get("/api/v1/supervision-items/", params).json()["results"]
        assert [i["id"] for i in api] == expected, params


def test_list_page_queries_do_not_grow_with_items(client, world, item, django_assert_max_num_queries):
    client.force_login(world.staff)
    with django_assert_max_num_queries(12) as counted:
        client.get("/supervision-items/")
    baseline = len(counted.captured_queries)
    for number in (2, 3, 4):
        services.task_supervision_raise(
            task=world.second, quarter=Quarter(2025, number), reason=SupervisionItem.Reason.TASK_LATE, as_of=TODAY
        )
    with django_assert_max_num_queries(baseline):
        client.get("/supervision-items/")


def test_item_links_its_task_and_the_task_links_back(client, world, item):
    client.force_login(world.staff)
    assert f'href="/tasks/{world.task.pk}/"' in client.get(f"/supervision-items/{item.pk}/").content.decode()
    assert f'href="/supervision-items/{item.pk}/"' in client.get(f"/tasks/{world.task.pk}/").content.decode()


# --- Escalation and notifications --------------------------------------------------------------------------


def test_unacknowledged_items_escalate_then_a_missed_answer_escalates_again(world, item):
    assert services.supervision_escalate_overdue(as_of=item.acknowledge_due) == 0
    assert services.supervision_escalate_overdue(as_of=item.acknowledge_due + dt.timedelta(days=1)) == 1
    escalation = item.steps.get(action="escalate")
    assert escalation.note == "未签收"
    assert Notification.objects.filter(recipient=world.leader, kind="escalation", title__contains="未签收").exists()
    services.supervision_acknowledge(user=world.lead_user, item=item)
    item.refresh_from_db()
    assert item.escalated_at is None
    assert services.supervision_escalate_overdue(as_of=item.due_date + dt.timedelta(days=1)) == 1
    assert [s.note for s in item.steps.filter(action="escalate")] == ["未签收", "未按期报送说明"]


def test_a_returned_item_escalates_again_when_its_new_date_is_missed(world, item):
    """Regression: a return sets a new due date, so missing it must escalate again, not stay silent."""
    bring_to(world, item, S.ACKNOWLEDGED)
    past = TODAY + dt.timedelta(days=30)
    assert services.supervision_escalate_overdue(as_of=past) == 1
    services.supervision_submit(user=world.lead_user, item=item, **{**ANSWER, "measures_due": past})
    services.supervision_return(user=world.staff, item=item, note="请补充。", due_date=TODAY + dt.timedelta(days=40))
    item.refresh_from_db()
    assert item.escalated_at is None and item.due_date == TODAY + dt.timedelta(days=40)
    assert services.supervision_escalate_overdue(as_of=TODAY + dt.timedelta(days=41)) == 1


def test_each_step_notifies_whoever_acts_next(world, item, django_capture_on_commit_callbacks, mailoutbox):
    assert Notification.objects.get(recipient=world.lead_user).title.startswith("督办：任务受阻")
    with django_capture_on_commit_callbacks(execute=True):
        services.supervision_acknowledge(user=world.lead_user, item=item)
    assert (
        Notification.objects.filter(recipient__in=[world.staff, world.reviewer], title__contains="已签收").count() == 2
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.supervision_submit(
            user=world.lead_user, item=item, **{**ANSWER, "measures_due": TODAY + dt.timedelta(days=30)}
        )
    assert Notification.objects.filter(recipient=world.reviewer, title__contains="已报送说明").exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.supervision_accept(user=world.staff, item=item)
    assert Notification.objects.filter(recipient=world.lead_user, title__contains="采纳").exists()
    assert not Notification.objects.filter(recipient=world.resp_user).exists()
    assert {m.to[0] for m in mailoutbox} == {"lead_user@example.cn", "staff@example.cn", "reviewer@example.cn"}


def test_raising_twice_creates_one_item(world, item):
    again = services.task_supervision_raise(
        task=world.task, quarter=Quarter(2025, 1), reason=SupervisionItem.Reason.TASK_BLOCKED, as_of=TODAY
    )
    assert again is None
    assert SupervisionItem.objects.count() == 1


# --- The API: the same services, the same error contract ---------------------------------------------------


def test_api_walks_the_chain_with_the_same_rules(client, world, item):
    base = f"/api/v1/supervision-items/{item.pk}"
    client.force_login(world.lead_user)
    early = client.post(f"{base}/submit/", ANSWER, content_type="application/json")
    assert early.status_code == 400 and "请先签收" in str(early.json())
    assert client.post(f"{base}/acknowledge/", {}, content_type="application/json").json()["status"] == "acknowledged"
    response = client.post(f"{base}/submit/", ANSWER, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    refused = client.post(f"{base}/accept/", {}, content_type="application/json")
    assert refused.status_code == 403 and "领导小组办公室" in refused.json()["detail"]
    client.force_login(world.leader)
    instructed = client.post(f"{base}/instruct/", {"text": "请说明资金来源。"}, content_type="application/json")
    assert instructed.status_code == 200 and instructed.json()["unanswered_instructions"] == 1
    client.force_login(world.staff)
    assert client.post(f"{base}/accept/", {}, content_type="application/json").status_code == 200
    blocked = client.post(f"{base}/close/", {"note": "完成。"}, content_type="application/json")
    assert blocked.status_code == 400 and "未答复" in str(blocked.json())
    client.force_login(world.lead_user)
    instruction_id = instructed.json()["instructions"][0]["id"]
    answered = client.post(
        f"/api/v1/instructions/{instruction_id}/answer/", {"answer": "来自专项资金。"}, content_type="application/json"
    )
    assert answered.status_code == 200 and answered.json()["is_answered"] is True
    client.force_login(world.staff)
    assert client.post(f"{base}/close/", {"note": ""}, content_type="application/json").status_code == 400
    closed = client.post(f"{base}/close/", {"note": "完成。"}, content_type="application/json").json()
    assert (closed["status"], closed["close_note"], closed["light"]) == ("closed", "完成。", None)
    assert [s["action"] for s in closed["steps"]] == ["issue", "acknowledge", "submit", "accept", "close"]
    client.force_login(world.far_staff)
    assert client.post(f"{base}/close-early/", {"note": "x"}, content_type="application/json").status_code == 404


def test_api_issues_by_hand_and_leaders_instruct_on_indicators(client, world):
    indicator = IndicatorFactory(plan=world.plan, lead_department=world.lead)
    client.force_login(world.staff)
    created = client.post(
        "/api/v1/supervision-items/",
        {"indicator": indicator.pk, "note": "请说明。", "due_date": TODAY.isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["reason"] == "manual"
    assert (
        client.post("/api/v1/supervision-items/", {"note": "请说明。"}, content_type="application/json").status_code
        == 400
    )
    client.force_login(world.leader)
    assert (
        client.post(
            "/api/v1/supervision-items/",
            {"task": world.task.pk, "note": "x", "due_date": TODAY},
            content_type="application/json",
        ).status_code
        == 403
    )
    made = client.post(
        "/api/v1/instructions/", {"indicator": indicator.pk, "text": "请加快。"}, content_type="application/json"
    )
    assert made.status_code == 201 and made.json()["department_id"] == world.lead.pk
    client.force_login(world.lead_user)
    assert [i["id"] for i in client.get("/api/v1/instructions/").json()["results"]] == [made.json()["id"]]
    client.force_login(world.resp_user)
    assert client.get("/api/v1/instructions/").json()["results"] == []
    assert (
        client.post(
            f"/api/v1/instructions/{made.json()['id']}/answer/", {"answer": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_an_item_on_a_co_led_indicator_names_every_lead_department(client, world):
    """issue 12: several 牵头单位 per indicator; the first answers 督办, the item shows all of them."""
    indicator = IndicatorFactory(plan=world.plan, lead_department=world.lead)
    for order, department in enumerate((world.lead, world.responsible)):
        IndicatorLead.objects.create(indicator=indicator, department=department, order=order)
    item = SupervisionItem.objects.create(
        plan=world.plan,
        department=world.lead,
        reason=SupervisionItem.Reason.INDICATOR_LAGGING,
        indicator=indicator,
        due_date=TODAY + dt.timedelta(days=10),
    )
    client.force_login(world.staff)
    page = client.get(f"/supervision-items/{item.pk}/").content.decode()
    assert "本指标牵头单位：市科技局、市财政局" in page
    IndicatorLead.objects.filter(indicator=indicator).delete()
    assert "本指标牵头单位" not in client.get(f"/supervision-items/{item.pk}/").content.decode()
