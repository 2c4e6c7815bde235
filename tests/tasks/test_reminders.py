"""The daily reminder job: overdue and due-soon reports, lag supervision, escalation; safe to run twice."""

import datetime as dt

import pytest
from django.conf import settings

from core.periods import Quarter
from indicators.models import Indicator, QuarterlyFigure, TargetForm
from ipcity.celery import app
from notifications.models import Notification
from notifications.selectors import notifications_for
from plans.models import Plan
from tasks import rules
from tasks.models import SupervisionItem, SupervisionStep
from tasks.services import deadline_reminders_run, task_update_submit
from tasks.tasks import deadline_reminders_task
from tests.factories import FigureFactory, IndicatorFactory, LagFlagFactory, TaskUpdateFactory

pytestmark = pytest.mark.django_db

Q1 = Quarter(2025, 1)  # deadline 2025-04-15
OVERDUE_DAY = dt.date(2025, 4, 20)
DUE_SOON_DAY = dt.date(2025, 4, 12)


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the job as beat does: emails go out after the commit."""

    def run(as_of):
        with django_capture_on_commit_callbacks(execute=True):
            return deadline_reminders_run(as_of=as_of)

    return run


@pytest.fixture
def figures(world):
    """One indicator with a submitted figure, one without, one yearly (not due in Q1), one qualitative."""
    submitted = IndicatorFactory(plan=world.plan, name="已报指标")
    FigureFactory(indicator=submitted, period_end=Q1.end, status=QuarterlyFigure.Status.SUBMITTED)
    missing = IndicatorFactory(plan=world.plan, name="未报指标")
    FigureFactory(indicator=missing, period_end=Q1.end, status=QuarterlyFigure.Status.DRAFT)
    IndicatorFactory(plan=world.plan, name="年度指标", frequency=Indicator.Frequency.YEARLY)
    IndicatorFactory(plan=world.plan, name="定性指标", target_form=TargetForm.QUALITATIVE, target_value=None, unit="")
    return missing


def inbox(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_running_twice_notifies_and_emails_once(world, figures, run, mailoutbox):
    TaskUpdateFactory(
        task=world.task,
        department=world.lead,
        quarter_end=Q1.end,
        author=world.lead_user,
        created_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    )
    first = run(OVERDUE_DAY)
    notifications, emails = Notification.objects.count(), len(mailoutbox)
    assert first["notifications"] > 0 and notifications == emails
    second = run(OVERDUE_DAY)
    assert second == {"notifications": 0, "supervision_items": 0, "escalated": 0}
    assert Notification.objects.count() == notifications
    assert len(mailoutbox) == emails


def test_overdue_figures_are_reported_to_the_bureau_staff(world, figures, run):
    run(OVERDUE_DAY)
    [title] = [t for t in inbox(world.staff) if "指标数据" in t]
    assert "2025年第1季度指标数据已逾期（截止2025-04-15）：1项未提交" in title
    body = Notification.objects.get(recipient=world.staff, title=title).body
    assert body == "未报指标"


def test_departments_hear_about_the_task_updates_they_owe(world, run):
    TaskUpdateFactory(
        task=world.task,
        department=world.lead,
        quarter_end=Q1.end,
        author=world.lead_user,
        created_at=dt.datetime(2025, 4, 1, tzinfo=dt.UTC),
    )
    run(OVERDUE_DAY)
    assert inbox(world.resp_user) == ["2025年第1季度任务进展已逾期（截止2025-04-15）：1项未报送"]
    assert inbox(world.other_user) == ["2025年第1季度任务进展已逾期（截止2025-04-15）：1项未报送"]
    assert inbox(world.lead_user) == []  # reported on time
    assert Notification.objects.get(recipient=world.resp_user).link == "/tasks/mine/"


def test_due_soon_reminder_comes_before_the_deadline(world, run):
    run(DUE_SOON_DAY)
    assert inbox(world.lead_user) == ["2025年第1季度任务进展将于2025-04-15截止：1项未报送"]
    assert not SupervisionItem.objects.exists()  # not late yet


def test_a_department_that_finished_earlier_owes_nothing(world, run):
    TaskUpdateFactory(
        task=world.task,
        department=world.responsible,
        quarter_end=Quarter(2024, 4).end,
        state="done",
        author=world.resp_user,
    )
    run(OVERDUE_DAY)
    assert inbox(world.resp_user) == []


def test_a_late_consolidated_report_goes_to_supervision(world, run, mailoutbox):
    run(OVERDUE_DAY)
    items = SupervisionItem.objects.filter(reason="task_late", plan=world.plan).order_by("task__order")
    assert [(i.task, i.department, i.quarter) for i in items] == [
        (world.task, world.lead, Q1),
        (world.second, world.owner, Q1),
    ]
    assert [i.due_date for i in items] == [OVERDUE_DAY + dt.timedelta(days=15)] * 2
    assert any("督办：任务逾期未报" in t for t in inbox(world.lead_user))


def test_a_lagging_indicator_asks_its_lead_department_once_per_lag_episode(world, run):
    indicator = IndicatorFactory(plan=world.plan, lead_department=world.lead, name="技术合同成交额")
    flag = LagFlagFactory(indicator=indicator)
    LagFlagFactory(indicator=IndicatorFactory(plan=world.plan), status="at_risk")  # only lagging is supervised
    LagFlagFactory(indicator=IndicatorFactory(plan=world.plan), cleared_on=dt.date(2025, 1, 1))
    run(OVERDUE_DAY)
    run(OVERDUE_DAY)
    item = SupervisionItem.objects.get(reason="indicator_lagging")
    assert (item.indicator, item.lag_flag, item.department) == (indicator, flag, world.lead)
    assert [t for t in inbox(world.lead_user) if "指标滞后" in t] == [
        f"督办：指标滞后「{indicator}」，请于{rules.add_working_days(OVERDUE_DAY, 2)}前签收，"
        "2025-05-05前报送滞后说明和整改措施"
    ]


def test_an_archived_plan_is_left_alone(world, figures, run):
    Plan.objects.update(is_archived=True)
    LagFlagFactory(indicator=IndicatorFactory(plan=world.plan))
    assert run(OVERDUE_DAY) == {"notifications": 0, "supervision_items": 0, "escalated": 0}


def test_overdue_items_escalate_to_the_leading_group_office_once(world, run, mailoutbox):
    """Items nobody acknowledged (未签收) escalate the day after their 签收 date, once."""
    run(OVERDUE_DAY)
    due = rules.add_working_days(OVERDUE_DAY, 2)
    later = due + dt.timedelta(days=1)
    assert run(due)["escalated"] == 0  # due today is not overdue
    assert run(later)["escalated"] > 0
    assert run(later)["escalated"] == 0
    assert SupervisionStep.objects.filter(action="escalate", item__plan=world.plan).count() == 2
    escalations = Notification.objects.filter(kind="escalation", recipient__profile__city=world.city)
    assert {n.recipient.username for n in escalations} == {"staff", "leader"}
    assert escalations.count() == 4  # two items, two people, once each
    assert all(item.escalated_at for item in SupervisionItem.objects.filter(plan=world.plan))


def test_the_job_is_on_the_beat_schedule_and_runs_as_a_celery_task(world, django_capture_on_commit_callbacks):
    entry = settings.CELERY_BEAT_SCHEDULE["daily-deadline-reminders"]
    assert entry["task"] == "tasks.tasks.deadline_reminders_task"
    assert app.tasks[entry["task"]].name == deadline_reminders_task.name
    with django_capture_on_commit_callbacks(execute=True):
        deadline_reminders_task.delay()
    count = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        deadline_reminders_task.delay()
    assert Notification.objects.count() == count


def test_a_departments_reminder_closes_once_it_has_reported_every_task_it_owed(world, run):
    run(OVERDUE_DAY)
    assert [n.title for n in notifications_for(user=world.resp_user)] == [
        "2025年第1季度任务进展已逾期（截止2025-04-15）：1项未报送"
    ]
    task_update_submit(user=world.resp_user, task=world.task, quarter=Q1, state="in_progress", text="已推进")
    assert list(notifications_for(user=world.resp_user)) == []
    assert [n.title for n in notifications_for(user=world.lead_user)]  # the lead still owes its report
