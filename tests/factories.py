"""factory_boy factories: small worlds built per test instead of giant fixtures."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth.models import User

from accounts.models import Profile, Role
from indicators.models import Indicator, MeasureType, QuarterlyFigure, TargetForm
from plans.models import City, Department, Plan
from tasks.models import Task, TaskAssignment


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"city{n}")
    name = factory.Sequence(lambda n: f"测试市{n}")


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    city = factory.SubFactory(CityFactory)
    name = factory.Sequence(lambda n: f"市测试局{n}")


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan
        skip_postgeneration_save = True

    city = factory.SubFactory(CityFactory)
    code = factory.Sequence(lambda n: f"plan-{n}")
    title = factory.Sequence(lambda n: f"测试方案{n}")
    period_start = dt.date(2024, 1, 1)
    period_end = dt.date(2026, 12, 31)

    @factory.post_generation
    def owner(self, create, extracted, **kwargs):
        """Every city has its programme owner (the market-supervision bureau)."""
        if create and not self.city.departments.filter(is_programme_owner=True).exists():
            DepartmentFactory(city=self.city, name="市市场监管局", is_programme_owner=True)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    plan = factory.SubFactory(PlanFactory)
    code = factory.Sequence(lambda n: f"T-{n:03d}")
    order = factory.Sequence(int)
    category = "知识产权创造"
    name = factory.Sequence(lambda n: f"测试指标{n}")
    unit = "件"
    measure_type = MeasureType.STOCK
    target_form = TargetForm.ABSOLUTE
    target_value = Decimal("200")
    target_date = factory.SelfAttribute("plan.period_end")
    base_value = Decimal("100")
    base_year = 2023
    lead_department = factory.LazyAttribute(lambda o: o.plan.city.departments.get(is_programme_owner=True))


class FigureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = QuarterlyFigure

    indicator = factory.SubFactory(IndicatorFactory)
    period_end = dt.date(2024, 3, 31)
    value = Decimal("120")
    status = QuarterlyFigure.Status.APPROVED


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    section = "二、(一)"
    number = factory.Sequence(str)
    order = factory.Sequence(int)
    title = factory.Sequence(lambda n: f"测试任务{n}")
    text = "任务内容。"


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskAssignment

    task = factory.SubFactory(TaskFactory)
    department = factory.LazyAttribute(lambda o: DepartmentFactory(city=o.task.plan.city))
    role = TaskAssignment.Role.RESPONSIBLE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw")


def make_user(
    username: str, role: str, city: City | None = None, department: Department | None = None, assigned=()
) -> User:
    user = UserFactory(username=username, is_superuser=role == Role.ADMIN, is_staff=role == Role.ADMIN)
    profile = Profile.objects.create(user=user, role=role, city=city, department=department)
    if assigned:
        profile.assigned_cities.set(assigned)
    return user


class TaskUpdateFactory(factory.django.DjangoModelFactory):
    """A department's quarterly report on a task (the department must be assigned to it)."""

    class Meta:
        model = "tasks.TaskUpdate"

    task = factory.SubFactory(TaskFactory)
    department = factory.LazyAttribute(lambda o: o.task.assignments.first().department)
    quarter_end = dt.date(2024, 3, 31)
    state = "in_progress"
    text = "本季度推进情况。"
    author = factory.SubFactory(UserFactory)


class LagFlagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "indicators.LagFlag"

    indicator = factory.SubFactory(IndicatorFactory)
    status = "lagging"
    reason = "进度落后于时间进度。"
    raised_on = dt.date(2024, 7, 1)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Notification"

    recipient = factory.SubFactory(UserFactory)
    key = factory.Sequence(lambda n: f"test-event:{n}")
    kind = "due_soon"
    title = factory.Sequence(lambda n: f"测试通知{n}")


class PopulationFactory(factory.django.DjangoModelFactory):
    """A city's resident population (万人) in a year, for per-10,000-population checks."""

    class Meta:
        model = "plans.Population"

    city = factory.SubFactory(CityFactory)
    year = 2025
    value = Decimal("500")


class CrossCheckFactory(factory.django.DjangoModelFactory):
    """A plan's own cross-indicator rule between two catalogue keys."""

    class Meta:
        model = "figures.CrossCheck"

    plan = factory.SubFactory(PlanFactory)
    kind = "not_greater"
    left_key = "part"
    right_key = "whole"
