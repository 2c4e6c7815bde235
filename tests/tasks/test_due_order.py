"""我的任务 as a department clerk works through it: overdue first, then by what falls due; a new update
starts from the department's last reported state, and a first one has no state slipped in."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tasks import rules
from tasks.models import TaskAssignment
from tests.factories import AssignmentFactory, TaskFactory, TaskUpdateFactory

R = rules.ReportStatus
AS_OF = dt.date(2025, 10, 20)
DEADLINE = dt.date(2025, 10, 31)


def key(report, task_due=None, finished=False):
    return rules.due_order(report=report, report_deadline=DEADLINE, task_due=task_due, finished=finished, as_of=AS_OF)


def test_a_missed_report_or_an_unfinished_task_past_its_date_is_overdue():
    assert key(R.MISSING)[0] == 0
    assert key(R.REPORTED, task_due=dt.date(2025, 6, 30)) == (0, dt.date(2025, 6, 30))
    assert key(R.REPORTED, task_due=dt.date(2025, 6, 30), finished=True)[0] == 2  # done: nothing due


def test_what_is_owed_sorts_by_the_earlier_of_the_report_and_the_task_date():
    assert key(R.PENDING) == (1, DEADLINE)
    assert key(R.PENDING, task_due=dt.date(2025, 10, 25)) == (1, dt.date(2025, 10, 25))
    assert key(R.REPORTED, task_due=dt.date(2026, 12, 31)) == (1, dt.date(2026, 12, 31))
    assert key(R.REPORTED) == (2, dt.date.max)


@given(
    st.sampled_from(list(R)),
    st.one_of(st.none(), st.dates(dt.date(2024, 1, 1), dt.date(2027, 12, 31))),
    st.booleans(),
)
def test_an_overdue_task_always_comes_before_one_that_is_not(report, task_due, finished):
    overdue = report == R.MISSING or (task_due is not None and not finished and task_due < AS_OF)
    assert (key(report, task_due, finished)[0] == 0) == overdue
    assert key(report, task_due, finished) >= key(R.MISSING) or overdue


@pytest.mark.django_db
def test_my_tasks_puts_the_overdue_task_first_then_by_due_date(client, world, today):
    TaskUpdateFactory(
        task=world.task, department=world.lead, quarter_end=world.last_quarter.end, author=world.lead_user
    )
    for n, due in enumerate([today + dt.timedelta(days=400), today - dt.timedelta(days=10), None]):
        task = TaskFactory(plan=world.plan, number=f"9{n}", title=f"排序任务{n}", due_date=due)
        AssignmentFactory(task=task, department=world.lead, role=TaskAssignment.Role.LEAD)
        TaskUpdateFactory(task=task, department=world.lead, quarter_end=world.last_quarter.end, author=world.lead_user)
    client.force_login(world.lead_user)
    rows = client.get("/tasks/mine/").context["rows"]
    titles = [row.task.title for row in rows]
    assert titles[0] == "排序任务1"  # past its 完成时限
    assert titles.index("排序任务0") < titles.index("排序任务2")  # a date to meet before none


@pytest.mark.django_db
def test_a_new_update_starts_from_the_last_reported_state(client, world):
    client.force_login(world.lead_user)
    html = client.get(f"/tasks/{world.task.pk}/").content.decode()
    assert '<option value="" selected>请选择</option>' in html and "首次报送，请选择当前进展状态" in html
    response = client.post(f"/tasks/{world.task.pk}/updates/", {"quarter": str(world.last_quarter), "text": "已启动"})
    assert response.status_code == 400 and "未报送，请修正下列问题" in response.content.decode()
    assert not world.task.updates.exists()
    TaskUpdateFactory(
        task=world.task,
        department=world.lead,
        quarter_end=world.last_quarter.end,
        state="in_progress",
        author=world.lead_user,
    )
    html = client.get(f"/tasks/{world.task.pk}/").content.decode()
    assert '<option value="in_progress" selected>推进中</option>' in html
    assert f"默认为上次报送的状态（{world.last_quarter.label}：推进中）" in html
