"""Bad input on the model: clear Chinese messages naming the field."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from indicators.models import TargetForm
from tests.factories import AssignmentFactory, DepartmentFactory, IndicatorFactory, PlanFactory, TaskFactory

pytestmark = pytest.mark.django_db


def test_plan_period_end_before_start_is_refused():
    plan = PlanFactory.build(city=PlanFactory().city, period_start=dt.date(2025, 1, 1), period_end=dt.date(2024, 1, 1))
    with pytest.raises(ValidationError) as exc:
        plan.full_clean()
    assert "实施期限止必须晚于实施期限起" in str(exc.value.message_dict["period_end"])


@pytest.mark.parametrize("form", [TargetForm.GROWTH_SINCE_BASE, TargetForm.COMPOUND_GROWTH])
def test_growth_target_without_base_year_is_refused(form):
    indicator = IndicatorFactory(target_form=form, base_year=None, base_value=None)
    with pytest.raises(ValidationError) as exc:
        indicator.full_clean()
    assert "基期年份" in str(exc.value.message_dict["base_year"])


def test_growth_target_with_base_year_and_unknown_base_value_is_valid():
    """Unknown is unknown: a growth target may lack the base value, never the base year."""
    IndicatorFactory(target_form=TargetForm.COMPOUND_GROWTH, base_year=2023, base_value=None).full_clean()


def test_rate_target_over_100_percent_is_refused():
    indicator = IndicatorFactory(
        measure_type="rate", target_form=TargetForm.THRESHOLD, unit="%", target_value=Decimal("120")
    )
    with pytest.raises(ValidationError) as exc:
        indicator.full_clean()
    assert "不能超过100%" in str(exc.value.message_dict["target_value"])


def test_quantitative_indicator_without_unit_is_refused():
    indicator = IndicatorFactory(unit="")
    with pytest.raises(ValidationError) as exc:
        indicator.full_clean()
    assert "单位" in str(exc.value.message_dict["unit"])


def test_qualitative_indicator_needs_no_unit_or_target():
    IndicatorFactory(unit="", target_form=TargetForm.QUALITATIVE, target_value=None, base_value=None).full_clean()


def test_task_assigned_twice_to_same_department_in_same_role_is_refused():
    assignment = AssignmentFactory()
    twin = AssignmentFactory.build(task=assignment.task, department=assignment.department, role=assignment.role)
    with pytest.raises(ValidationError) as exc:
        twin.full_clean()
    assert "重复担任同一分工" in str(exc.value)


def test_same_department_may_lead_and_be_responsible():
    assignment = AssignmentFactory(role="lead")
    AssignmentFactory.build(task=assignment.task, department=assignment.department, role="responsible").full_clean()


def test_task_assigned_to_another_citys_department_is_refused():
    task = TaskFactory()
    stranger = DepartmentFactory()
    assignment = AssignmentFactory.build(task=task, department=stranger)
    with pytest.raises(ValidationError) as exc:
        assignment.full_clean()
    assert "本城市" in str(exc.value.message_dict["department"])


@pytest.mark.parametrize(
    ("form", "value", "base_year", "unit", "text"),
    [
        (TargetForm.COMPOUND_GROWTH, "8", 2023, "件", "年均增长8%"),
        (TargetForm.GROWTH_SINCE_BASE, "20", 2021, "%", "较2021年增长20%"),
        (TargetForm.THRESHOLD, "90", None, "%", "90%以上"),
        (TargetForm.PER_YEAR_INCREMENT, "3", None, "家", "年均新增3家"),
        (TargetForm.ABSOLUTE, "15.60", None, "万件", "15.6万件"),
        (TargetForm.QUALITATIVE, None, None, "", "—"),
    ],
)
def test_target_text_reads_like_the_document(form, value, base_year, unit, text):
    indicator = IndicatorFactory(
        target_form=form, target_value=None if value is None else Decimal(value), base_year=base_year, unit=unit
    )
    assert indicator.target_text == text
