"""A small world with a known answer: a running plan whose statuses as of 2025Q2 are fixed by its figures, an
ended plan, a city nobody here may see, tasks with reports, a 督办 item, and the standing users of every role.

As of 2025-06-30 (τ ≈ 49.9 %): A 滞后 (stock 100→200 at 112), B 进度正常 (flow 300 of 600), C 预警 (8 % a year
from 50 since 2023, at 55), D 进度正常 (rate threshold 90 %, at 93 %), E 进度正常 (milestone, τ < 2/3),
F 定性指标, G 基期缺失 (growth with no base).
"""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import timezone

from accounts.models import Role
from indicators.models import LagFlag, MeasureType, QuarterlyFigure, TargetForm
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from tasks import services as task_services
from tasks.models import TaskAssignment, TaskUpdate
from tests.factories import (
    AssignmentFactory,
    DepartmentFactory,
    FigureFactory,
    IndicatorFactory,
    LagFlagFactory,
    PlanFactory,
    TaskFactory,
    make_user,
)

AS_OF_QUARTER = "2025Q2"
AS_OF = dt.date(2025, 6, 30)
QUARTERS = [
    dt.date(2024, 3, 31),
    dt.date(2024, 6, 30),
    dt.date(2024, 9, 30),
    dt.date(2024, 12, 31),
    dt.date(2025, 3, 31),
    dt.date(2025, 6, 30),
]
APPROVED_AT = timezone.make_aware(dt.datetime(2025, 7, 10, 9, 30))


def approved(indicator, period_end, value, **extra):
    return FigureFactory(
        indicator=indicator,
        period_end=period_end,
        value=Decimal(str(value)),
        reviewed_at=extra.pop("reviewed_at", APPROVED_AT),
        **extra,
    )


def build_plan(plan, lead, *, prefix="") -> dict:
    """The seven indicators A–G of the module docstring, with their figures."""
    owner = plan.city.departments.get(is_programme_owner=True)

    def indicator(code, **fields):
        return IndicatorFactory(
            plan=plan,
            code=f"{prefix}{code}",
            name=f"{prefix}指标{code}",
            lead_department=fields.pop("lead_department", owner),
            **fields,
        )

    a = indicator(
        "A",
        category="知识产权创造",
        lead_department=lead,
        catalogue_key="valid_invention_patents",
        source_quote="到2026年，有效发明专利拥有量达到200件。",
    )
    b = indicator(
        "B",
        category="知识产权运用",
        measure_type=MeasureType.FLOW,
        unit="家",
        target_value=600,
        base_value=None,
        base_year=None,
        catalogue_key="hosted_enterprises",
    )
    c = indicator(
        "C",
        category="知识产权创造",
        target_form=TargetForm.COMPOUND_GROWTH,
        target_value=8,
        base_value=50,
        base_year=2023,
    )
    d = indicator(
        "D",
        category="知识产权保护",
        measure_type=MeasureType.RATE,
        target_form=TargetForm.THRESHOLD,
        unit="%",
        target_value=90,
        base_value=None,
        base_year=None,
        is_ratio=True,
    )
    e = indicator(
        "E",
        category="知识产权保护",
        measure_type=MeasureType.FLOW,
        target_form=TargetForm.MILESTONE,
        unit="个",
        target_value=1,
        base_value=None,
        base_year=None,
    )
    f = indicator(
        "F",
        category="知识产权服务",
        target_form=TargetForm.QUALITATIVE,
        unit="",
        target_value=None,
        base_value=None,
        base_year=None,
    )
    g = indicator(
        "G",
        category="知识产权服务",
        target_form=TargetForm.GROWTH_SINCE_BASE,
        target_value=20,
        base_value=None,
        base_year=2023,
    )
    for n, quarter in enumerate(QUARTERS, start=1):
        if quarter == dt.date(2025, 3, 31):  # corrected: v1 superseded, v2 approved with its reason
            approved(a, quarter, 109, version=1, status=QuarterlyFigure.Status.SUPERSEDED)
            approved(a, quarter, 110, version=2, correction_reason="统计口径调整后更正")
        else:
            approved(a, quarter, 100 + 2 * n, is_provisional=quarter == QUARTERS[-1])
        approved(b, quarter, 50)
        approved(c, quarter, 49 + n)
        approved(e, quarter, 0)
    for quarter, numerator in ((dt.date(2025, 3, 31), 47), (dt.date(2025, 6, 30), 46)):
        approved(d, quarter, numerator * 2, numerator=numerator, denominator=50)
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g}


@pytest.fixture
def world(db):
    plan = PlanFactory(
        city__code="own",
        city__name="本市",
        city__province="本省",
        title="本市知识产权强市建设方案",
        period_start=dt.date(2024, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    city = plan.city
    owner = city.departments.get(is_programme_owner=True)
    lead = DepartmentFactory(city=city, name="市科技局")
    partner = DepartmentFactory(city=city, name="市财政局")
    indicators = build_plan(plan, lead)
    # Awaiting review: only the entering roles of the city see it; it never counts.
    FigureFactory(
        indicator=indicators["b"],
        period_end=dt.date(2025, 9, 30),
        value=Decimal("999"),
        status=QuarterlyFigure.Status.SUBMITTED,
    )

    task = TaskFactory(plan=plan, title="强化知识产权创造")
    task.indicators.add(indicators["a"])
    AssignmentFactory(task=task, department=lead, role=TaskAssignment.Role.LEAD)
    AssignmentFactory(task=task, department=partner, role=TaskAssignment.Role.RESPONSIBLE)
    second = TaskFactory(plan=plan, title="加强知识产权保护")
    AssignmentFactory(task=second, department=owner, role=TaskAssignment.Role.LEAD)

    ended = PlanFactory(
        city__code="old",
        city__name="旧市",
        title="旧市知识产权规划",
        period_start=dt.date(2020, 1, 1),
        period_end=dt.date(2023, 12, 31),
    )
    ended_lead = DepartmentFactory(city=ended.city, name="旧市科技局")
    ended_reached = IndicatorFactory(
        plan=ended,
        code="OA",
        name="旧市已达指标",
        target_value=200,
        base_value=100,
        base_year=2019,
        catalogue_key="valid_invention_patents",
        lead_department=ended_lead,
    )
    ended_missed = IndicatorFactory(
        plan=ended, code="OB", name="旧市未达指标", target_value=200, base_value=100, base_year=2019
    )
    approved(ended_reached, dt.date(2023, 12, 31), 210)
    approved(ended_missed, dt.date(2023, 12, 31), 120)

    far = PlanFactory(city__code="far", city__name="外市", period_start=plan.period_start, period_end=plan.period_end)
    far_indicators = build_plan(far, DepartmentFactory(city=far.city, name="外市科技局"), prefix="W")

    indicator_history_rebuild()
    indicator_progress_recompute()

    users = SimpleNamespace(
        staff=make_user("staff", Role.BUREAU_STAFF, city=city, department=owner),
        reviewer=make_user("reviewer", Role.REVIEWER, city=city),
        leader=make_user("leader", Role.LEADER, city=city),
        lead_user=make_user("lead_user", Role.DEPARTMENT, city=city, department=lead),
        partner_user=make_user("partner_user", Role.DEPARTMENT, city=city, department=partner),
        far_leader=make_user("far_leader", Role.LEADER, city=far.city),
        provincial=make_user("provincial", Role.PROVINCIAL, assigned=[city, ended.city]),
        provincial_one=make_user("provincial_one", Role.PROVINCIAL, assigned=[city]),
        admin=make_user("admin", Role.ADMIN),
    )
    TaskUpdate.objects.create(
        task=task,
        department=lead,
        quarter_end=dt.date(2025, 6, 30),
        is_consolidated=True,
        state=TaskUpdate.State.DONE,
        text="已完成。",
        author=users.lead_user,
    )
    TaskUpdate.objects.create(
        task=task,
        department=partner,
        quarter_end=dt.date(2025, 3, 31),
        state=TaskUpdate.State.IN_PROGRESS,
        text="推进中。",
        author=users.partner_user,
    )
    flag = LagFlag.objects.filter(indicator=indicators["a"], cleared_on__isnull=True).first() or LagFlagFactory(
        indicator=indicators["a"], status="lagging", raised_on=AS_OF
    )
    item = task_services.indicator_supervision_raise(flag=flag, as_of=timezone.localdate())
    task_services.supervision_acknowledge(user=users.lead_user, item=item)
    task_services.supervision_submit(
        user=users.lead_user,
        item=item,
        explanation="专利授权周期延长。",
        measures="开展专利导航。",
        measures_due=timezone.localdate(),
    )
    return SimpleNamespace(
        plan=plan,
        city=city,
        owner=owner,
        lead=lead,
        partner=partner,
        task=task,
        second=second,
        ended=ended,
        far=far,
        far_indicators=far_indicators,
        item=item,
        users=users,
        **indicators,
    )
