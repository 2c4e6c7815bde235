"""The labelled demo: an account per role, figures flagged is_demo, the banner, and a clean removal."""

import datetime as dt
import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import Profile, Role
from indicators.models import IndicatorProgress, LagFlag, ProgressSnapshot, QuarterlyFigure
from notifications.models import Notification
from ops.demo import demo_accounts_load, demo_figures_load, demo_supervision_load, demo_task_updates_load
from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load
from plans.models import City
from tasks.models import Instruction, SupervisionItem, TaskUpdate
from tasks.services import deadline_reminders_run

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 27)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        for path in sorted(PLAN_FIXTURE_DIR.glob("*.yaml")):
            plan_fixture_load(path=path)
        demo_accounts_load()
        demo_figures_load(today=TODAY)
        demo_task_updates_load(today=TODAY)
        demo_supervision_load(today=TODAY)
    yield
    with django_db_blocker.unblock():
        from ops.demo import demo_remove

        demo_remove(today=TODAY)
        Profile.objects.all().delete()
        City.objects.all().delete()


def test_every_role_has_a_demo_account_in_every_city(demo):
    roles = set(Profile.objects.filter(is_demo=True).values_list("role", flat=True))
    assert roles == {r.value for r in Role}
    for city in City.objects.all():
        city_roles = set(Profile.objects.filter(city=city).values_list("role", flat=True))
        assert city_roles == {Role.BUREAU_STAFF, Role.REVIEWER, Role.LEADER, Role.DEPARTMENT}
    assert authenticate(username="cy_staff", password="ipcity-demo") is not None


def test_demo_figures_are_flagged_and_plans_look_used(demo):
    assert not QuarterlyFigure.objects.filter(is_demo=False).exists()
    ended = set(
        IndicatorProgress.objects.filter(indicator__plan__period_end__lt=TODAY).values_list("status", flat=True)
    )
    running = set(
        IndicatorProgress.objects.filter(indicator__plan__period_end__gt=TODAY).values_list("status", flat=True)
    )
    assert {"achieved", "missed"} <= ended
    assert not ended & {"on_track", "at_risk", "lagging", "overdue_report"}
    assert {"on_track", "at_risk", "lagging", "achieved"} <= running
    assert QuarterlyFigure.objects.filter(status=QuarterlyFigure.Status.SUBMITTED).exists()
    assert QuarterlyFigure.objects.filter(status=QuarterlyFigure.Status.SUPERSEDED).exists()


def test_unknown_bases_stay_unknown_in_the_demo(demo):
    """Growth targets without a documented base get no demo figures: they stay 基期缺失."""
    assert (
        IndicatorProgress.objects.filter(
            indicator__plan__code="chaoyang-2024-2026",
            indicator__base_value__isnull=True,
            indicator__target_form="compound_growth",
            status="incomplete",
        ).count()
        == 2
    )


def test_banner_is_on_every_page_while_demo_figures_are_loaded(demo, client):
    assert "演示数据" in client.get("/accounts/login/").content.decode()
    client.post("/accounts/login/", {"username": "nt_leader", "password": "ipcity-demo"})
    assert "演示数据" in client.get("/", follow=True).content.decode()


def test_demo_load_is_repeatable(demo):
    before = QuarterlyFigure.objects.count()
    demo_figures_load(today=TODAY)
    assert QuarterlyFigure.objects.count() == before


def test_departments_report_on_their_tasks_some_late_some_blocked(demo):
    updates = TaskUpdate.objects.all()
    assert updates.exists() and not updates.filter(is_demo=False).exists()
    assert updates.filter(state=TaskUpdate.State.BLOCKED).exists()
    assert updates.filter(state=TaskUpdate.State.DONE).exists()
    last_quarter = dt.date(2026, 9, 30)
    running = TaskUpdate.objects.filter(task__plan__code="nantong-2024-2026")
    reported_now = running.filter(quarter_end=last_quarter).values("task", "department").distinct().count()
    assigned = running.values("task", "department").distinct().count()
    assert 0 < reported_now < assigned  # some departments are late with this quarter's report


def test_removing_the_demo_leaves_no_trace(demo, client):
    """Regression: --remove left the results, flags, 督办 items and notifications the demo figures made."""
    deadline_reminders_run(as_of=TODAY)
    assert SupervisionItem.objects.exists() and Notification.objects.exists() and LagFlag.objects.exists()
    out = io.StringIO()
    call_command("load_demo", "--remove", stdout=out)
    try:
        assert "督办事项" in out.getvalue()
        for model in (QuarterlyFigure, TaskUpdate, IndicatorProgress, ProgressSnapshot, LagFlag, SupervisionItem):
            assert not model.objects.exists(), model
        assert not Notification.objects.exists()
        assert not Profile.objects.filter(is_demo=True).exists() and not User.objects.exists()
        assert not Instruction.objects.exists()
        assert "演示数据" not in client.get("/accounts/login/").content.decode()
    finally:
        demo_accounts_load()
        demo_figures_load(today=TODAY)
        demo_task_updates_load(today=TODAY)
        demo_supervision_load(today=TODAY)


def test_demo_raises_its_supervision_items_through_the_services(demo):
    """Regression: the demo bulk-created task updates and skipped the code that raises 督办 items, so a
    blocked or overdue task showed no item."""
    blocked = TaskUpdate.objects.filter(state=TaskUpdate.State.BLOCKED).values_list("task_id", flat=True)
    with_items = SupervisionItem.objects.filter(reason="task_blocked").values_list("task_id", flat=True)
    assert set(blocked) and set(blocked) <= set(with_items)
    assert SupervisionItem.objects.filter(reason="task_late").exists()
    assert SupervisionItem.objects.filter(reason="indicator_lagging").exists()
    items = SupervisionItem.objects.all()
    assert not items.filter(is_demo=False).exists()
    assert all(item.steps.order_by("pk").first().action == "issue" for item in items)
    chaoyang = items.filter(plan__city__code="chaoyang")
    assert set(items.values_list("status", flat=True)) >= {"issued", "acknowledged", "returned", "accepted", "closed"}
    assert set(chaoyang.values_list("status", flat=True)) >= {"acknowledged", "returned", "accepted"}
    assert chaoyang.filter(reason="task_late").exists() and chaoyang.filter(reason="task_blocked").exists()
    answering = Profile.objects.get(user__username="cy_staff")  # the bureau leads 朝阳's tasks itself
    assert chaoyang.filter(department=answering.department).exists()
    assert Notification.objects.filter(recipient=answering.user, kind="supervision").exists()
    assert Instruction.objects.filter(answered_at__isnull=True).exists()
    assert Instruction.objects.filter(answered_at__isnull=False).exists()


@pytest.mark.django_db
def test_production_refuses_the_demo_unless_forced(settings):
    """Regression: load_demo ran under IPCITY_PRODUCTION=1 without a word (published demo passwords)."""
    settings.PRODUCTION = True
    before = QuarterlyFigure.objects.filter(is_demo=True).count()
    with pytest.raises(CommandError, match="--force"):
        call_command("load_demo")
    out = io.StringIO()
    call_command("load_demo", "--skip-in-production", stdout=out)
    assert "createsuperuser" in out.getvalue()
    assert QuarterlyFigure.objects.filter(is_demo=True).count() == before
