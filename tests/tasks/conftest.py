"""A small city with a plan, three departments on two tasks, and the standing users of the access tests."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Role
from core.periods import Quarter
from tasks.models import TaskAssignment
from tests.factories import AssignmentFactory, DepartmentFactory, PlanFactory, TaskFactory, make_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def world(db, today):
    """Plan running from 2024 to three years from now (so the real today is inside it)."""
    plan = PlanFactory(
        city__code="own",
        city__name="本市",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(today.year + 3, 12, 31),
    )
    city = plan.city
    owner = city.departments.get(is_programme_owner=True)
    lead = DepartmentFactory(city=city, name="市科技局")
    responsible = DepartmentFactory(city=city, name="市财政局")
    other = DepartmentFactory(city=city, name="市教育局")
    task = TaskFactory(plan=plan, section="二、(一)", number="1", title="强化知识产权创造")
    AssignmentFactory(task=task, department=lead, role=TaskAssignment.Role.LEAD)
    AssignmentFactory(task=task, department=responsible, role=TaskAssignment.Role.RESPONSIBLE)
    second = TaskFactory(plan=plan, section="二、(二)", number="2", title="加强知识产权保护")
    AssignmentFactory(task=second, department=owner, role=TaskAssignment.Role.LEAD)
    AssignmentFactory(task=second, department=other, role=TaskAssignment.Role.RESPONSIBLE)

    other_plan = PlanFactory(
        city__code="far", city__name="外市", period_start=plan.period_start, period_end=plan.period_end
    )
    far_department = DepartmentFactory(city=other_plan.city, name="外市科技局")
    far_task = TaskFactory(plan=other_plan)
    AssignmentFactory(task=far_task, department=far_department, role=TaskAssignment.Role.LEAD)

    users = {
        "staff": make_user("staff", Role.BUREAU_STAFF, city=city, department=owner),
        "reviewer": make_user("reviewer", Role.REVIEWER, city=city),
        "leader": make_user("leader", Role.LEADER, city=city),
        "lead_user": make_user("lead_user", Role.DEPARTMENT, city=city, department=lead),
        "resp_user": make_user("resp_user", Role.DEPARTMENT, city=city, department=responsible),
        "other_user": make_user("other_user", Role.DEPARTMENT, city=city, department=other),
        "far_staff": make_user("far_staff", Role.BUREAU_STAFF, city=other_plan.city),
        "far_user": make_user("far_user", Role.DEPARTMENT, city=other_plan.city, department=far_department),
        "provincial": make_user("provincial", Role.PROVINCIAL, assigned=[city]),
        "admin": make_user("admin", Role.ADMIN),
    }
    for user in users.values():
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return SimpleNamespace(
        plan=plan,
        city=city,
        owner=owner,
        lead=lead,
        responsible=responsible,
        other=other,
        task=task,
        second=second,
        other_plan=other_plan,
        far_department=far_department,
        far_task=far_task,
        last_quarter=Quarter.of(today).previous,
        this_quarter=Quarter.of(today),
        **users,
    )
