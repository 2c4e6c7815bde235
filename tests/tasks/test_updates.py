"""Quarterly task updates: who may write them, bad input refused with nothing saved, history, evidence."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tasks.models import SupervisionItem, TaskUpdate
from tests.tasks.test_evidence import HTML, PDF

pytestmark = pytest.mark.django_db


def pdf(name="总结.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def post_update(client, world, user, **data):
    client.force_login(user)
    payload = {"quarter": str(world.last_quarter), "state": "in_progress", "text": "完成专利导航项目2项。", **data}
    return client.post(f"/tasks/{data.pop('task', world.task).pk}/updates/", payload)


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_responsible_department_reports_with_evidence(client, world, settings):
    response = post_update(client, world, world.resp_user, evidence=pdf())
    assert response.status_code == 302
    update = TaskUpdate.objects.get()
    assert (update.department, update.author, update.is_consolidated) == (world.responsible, world.resp_user, False)
    assert update.quarter == world.last_quarter
    assert update.evidence_name == "总结.pdf"
    [stored] = stored_files(settings)
    assert stored.name != "总结.pdf" and stored.suffix == ".pdf"  # a generated name, never the uploader's


def test_lead_departments_update_is_the_consolidated_one(client, world):
    post_update(client, world, world.lead_user)
    assert TaskUpdate.objects.get().is_consolidated


def test_every_update_is_kept_with_author_and_time(client, world):
    post_update(client, world, world.resp_user, state="in_progress")
    post_update(client, world, world.resp_user, state="done", text="已完成。")
    first, second = TaskUpdate.objects.order_by("created_at", "pk")
    assert (first.state, second.state) == ("in_progress", "done")
    page = client.get(f"/tasks/{world.task.pk}/").content.decode()
    assert "完成专利导航项目2项。" in page and "已完成。" in page and "resp_user" in page


@pytest.mark.parametrize(
    "case, data, field, message",
    [
        ("future quarter", {"quarter": "NEXT"}, "quarter", "尚未开始，不能报送该季度的进展"),
        ("bad quarter", {"quarter": "2025-06"}, "quarter", "季度格式应为“2025Q3”"),
        ("before the plan", {"quarter": "2023Q4"}, "quarter", "不在方案实施期限内"),
        ("wrong type", {"evidence": "HTML_AS_HTML"}, "evidence", "只能是 PDF、OFD、Office/WPS 文档或图片"),
        ("disguised type", {"evidence": "HTML_AS_PDF"}, "evidence", "文件内容与扩展名 .pdf 不符"),
        ("too large", {"evidence": "BIG"}, "evidence", "不能超过 1 MB"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(client, world, settings, case, data, field, message):
    settings.TASK_EVIDENCE_MAX_BYTES = 1024 * 1024
    files = {
        "HTML_AS_HTML": pdf("page.html", HTML),
        "HTML_AS_PDF": pdf("report.pdf", HTML),
        "BIG": pdf("big.pdf", PDF + b"0" * 1024 * 1024),
    }
    data = {k: files.get(v, v) for k, v in data.items()}
    if data.get("quarter") == "NEXT":
        data["quarter"] = str(world.this_quarter.next)
    response = post_update(client, world, world.resp_user, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TaskUpdate.objects.exists()
    assert not stored_files(settings)


def test_update_for_a_task_not_assigned_to_the_department_is_refused(client, world):
    response = post_update(client, world, world.other_user)
    assert response.status_code == 403
    assert "该任务未分配给您的部门，不能报送进展。" in response.content.decode()
    assert not TaskUpdate.objects.exists()


def test_reviewer_and_leader_cannot_report(client, world):
    for user in (world.reviewer, world.leader):
        assert post_update(client, world, user).status_code == 403
    assert not TaskUpdate.objects.exists()


def test_task_of_another_city_is_404(client, world):
    client.force_login(world.resp_user)
    assert client.get(f"/tasks/{world.far_task.pk}/").status_code == 404
    response = client.post(
        f"/tasks/{world.far_task.pk}/updates/", {"quarter": str(world.last_quarter), "state": "done", "text": "x"}
    )
    assert response.status_code == 404
    assert not TaskUpdate.objects.exists()


def test_form_is_offered_only_to_assigned_departments(client, world):
    client.force_login(world.resp_user)
    assert "报送本部门进展" in client.get(f"/tasks/{world.task.pk}/").content.decode()
    client.force_login(world.lead_user)
    assert "报送牵头单位汇总进展" in client.get(f"/tasks/{world.task.pk}/").content.decode()
    client.force_login(world.other_user)
    page = client.get(f"/tasks/{world.task.pk}/").content.decode()
    assert "报送本部门进展" not in page and "报送牵头单位汇总进展" not in page


def test_who_sees_which_updates(client, world):
    """Lead: all of its task; responsible: its own and the consolidated; unassigned department: none."""
    post_update(client, world, world.resp_user, text="责任单位进展")
    post_update(client, world, world.lead_user, text="牵头单位汇总")
    seen = {}
    for name in ("lead_user", "resp_user", "other_user", "staff", "leader", "provincial"):
        client.force_login(getattr(world, name))
        page = client.get(f"/tasks/{world.task.pk}/").content.decode()
        seen[name] = {text for text in ("责任单位进展", "牵头单位汇总") if text in page}
    assert seen == {
        "lead_user": {"责任单位进展", "牵头单位汇总"},
        "resp_user": {"责任单位进展", "牵头单位汇总"},
        "other_user": set(),
        "staff": {"责任单位进展", "牵头单位汇总"},
        "leader": {"责任单位进展", "牵头单位汇总"},
        "provincial": set(),
    }


def test_responsible_does_not_see_another_responsible_departments_update(client, world):
    from tasks.models import TaskAssignment
    from tests.factories import AssignmentFactory

    AssignmentFactory(task=world.task, department=world.other, role=TaskAssignment.Role.RESPONSIBLE)
    post_update(client, world, world.other_user, text="教育局进展")
    client.force_login(world.resp_user)
    assert "教育局进展" not in client.get(f"/tasks/{world.task.pk}/").content.decode()
    client.force_login(world.lead_user)
    assert "教育局进展" in client.get(f"/tasks/{world.task.pk}/").content.decode()


def test_evidence_is_downloaded_as_an_attachment_only(client, world):
    post_update(client, world, world.resp_user, evidence=pdf())
    update = TaskUpdate.objects.get()
    client.force_login(world.lead_user)
    response = client.get(f"/task-updates/{update.pk}/evidence/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("name", ["other_user", "far_staff", "provincial"])
def test_evidence_of_an_update_one_may_not_see_is_404(client, world, name):
    post_update(client, world, world.resp_user, evidence=pdf())
    update = TaskUpdate.objects.get()
    client.force_login(getattr(world, name))
    assert client.get(f"/task-updates/{update.pk}/evidence/").status_code == 404
    assert client.get(f"/api/v1/task-updates/{update.pk}/evidence/").status_code == 404


def test_anonymous_evidence_download_goes_to_login(client, world):
    post_update(client, world, world.resp_user, evidence=pdf())
    client.logout()
    response = client.get(f"/task-updates/{TaskUpdate.objects.get().pk}/evidence/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_blocked_task_asks_its_lead_department_for_an_explanation(
    client, world, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        post_update(client, world, world.resp_user, state="blocked", text="资金未到位。")
    item = SupervisionItem.objects.get()
    assert (item.reason, item.department, item.task, item.quarter) == (
        "task_blocked",
        world.lead,
        world.task,
        world.last_quarter,
    )
    assert [m.to for m in mailoutbox] == [["lead_user@example.cn"]]
    assert "请于" in mailoutbox[0].subject


# --- The same through the API --------------------------------------------------------------------------


def api_post(client, world, user, **data):
    client.force_login(user)
    payload = {
        "task": world.task.pk,
        "quarter": str(world.last_quarter),
        "state": "in_progress",
        "text": "接口报送。",
        **data,
    }
    return client.post("/api/v1/task-updates/", payload)


def test_api_creates_an_update_with_evidence(client, world):
    response = api_post(client, world, world.resp_user, evidence=pdf())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["quarter"] == str(world.last_quarter)
    assert body["department"] == "市财政局" and body["is_consolidated"] is False
    assert body["evidence_url"] == f"/api/v1/task-updates/{body['id']}/evidence/"
    download = client.get(body["evidence_url"])
    assert download["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    "user, data, field, message",
    [
        ("resp_user", {"quarter": "2099Q1"}, "quarter", "尚未开始"),
        ("resp_user", {"evidence": "HTML"}, "evidence", "只能是 PDF、OFD、Office/WPS 文档或图片"),
        ("resp_user", {"evidence": "BIG"}, "evidence", "不能超过"),
        ("far_user", {}, "task", "对象不存在"),
    ],
)
def test_api_refuses_bad_input_with_field_messages(client, world, settings, user, data, field, message):
    settings.TASK_EVIDENCE_MAX_BYTES = 1024 * 1024
    files = {"HTML": pdf("page.html", HTML), "BIG": pdf("big.pdf", PDF + b"0" * 1024 * 1024)}
    data = {k: files.get(v, v) for k, v in data.items()}
    response = api_post(client, world, getattr(world, user), **data)
    assert response.status_code == 400
    assert message in " ".join(response.json()[field])
    assert not TaskUpdate.objects.exists()


def test_api_refuses_a_task_not_assigned_to_the_department_as_forbidden(client, world):
    response = api_post(client, world, world.other_user)
    assert response.status_code == 403 and "该任务未分配给您的部门" in response.json()["detail"]
    assert not TaskUpdate.objects.exists()


def test_api_lists_only_visible_updates_and_never_changes_them(client, world):
    api_post(client, world, world.resp_user)
    update = TaskUpdate.objects.get()
    client.force_login(world.other_user)
    assert client.get("/api/v1/task-updates/").json()["results"] == []
    client.force_login(world.lead_user)
    rows = client.get("/api/v1/task-updates/", {"quarter": str(world.last_quarter)}).json()["results"]
    assert [r["id"] for r in rows] == [update.pk]
    assert client.delete(f"/api/v1/task-updates/{update.pk}/").status_code == 405
    assert (
        client.patch(f"/api/v1/task-updates/{update.pk}/", {"text": "x"}, content_type="application/json").status_code
        == 405
    )
