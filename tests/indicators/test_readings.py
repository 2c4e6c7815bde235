"""Settling a reading of the document: who may, what it changes, what it records."""

import pytest
from django.core.exceptions import ValidationError

from core.errors import Forbidden
from indicators.definitions import reading_settle
from indicators.models import Indicator, Reading
from indicators.readings import plan_readings
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db

OPTIONS = [
    {"key": "2019", "label": "以2019年为基期", "changes": {"base_year": 2019}},
    {"key": "2020", "label": "以2020年为基期", "changes": {"base_year": 2020}},
]


@pytest.fixture
def reading(standing):
    indicator = IndicatorFactory(
        plan=standing.plan,
        lead_department=standing.department,
        target_form="compound_growth",
        measure_type="annual",
        target_value=20,
        base_year=2019,
        target_date="2023-12-31",
        unit="件",
    )
    return Reading.objects.create(
        indicator=indicator,
        code="base_year",
        topic="基期年份",
        quote="年均增幅20%以上",
        question="文件没有写基期年份。",
        options=OPTIONS,
        default_option="2019",
        chosen="2019",
    )


def test_a_reviewer_confirms_the_reading_in_use_and_it_records_who_and_when(standing, reading):
    reading_settle(user=standing.reviewer, reading=reading, option="2019")
    reading.refresh_from_db()
    assert (reading.state, reading.settled_by, reading.chosen) == ("confirmed", standing.reviewer, "2019")
    assert reading.settled_at is not None
    assert Indicator.objects.get(pk=reading.indicator_id).base_year == 2019


def test_picking_another_reading_changes_the_definition_in_the_history(
    standing, reading, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reading_settle(user=standing.admin, reading=reading, option="2020", reason="按“通过3年努力”计算")
    indicator = Indicator.objects.get(pk=reading.indicator_id)
    assert indicator.base_year == 2020
    last = indicator.history.first()
    assert last.history_user == standing.admin
    assert "以2020年为基期" in last.history_change_reason and "通过3年努力" in last.history_change_reason
    assert len(callbacks) == 1  # the recompute, after commit
    reading.refresh_from_db()
    assert (reading.chosen, reading.reason) == ("2020", "按“通过3年努力”计算")


def test_picking_another_reading_needs_a_reason_and_changes_nothing_without_one(standing, reading):
    with pytest.raises(ValidationError) as exc:
        reading_settle(user=standing.reviewer, reading=reading, option="2020", reason=" ")
    assert "reason" in exc.value.message_dict
    reading.refresh_from_db()
    assert reading.state == "pending" and Indicator.objects.get(pk=reading.indicator_id).base_year == 2019


def test_an_unknown_option_is_refused_by_field(standing, reading):
    with pytest.raises(ValidationError) as exc:
        reading_settle(user=standing.reviewer, reading=reading, option="2017", reason="x")
    assert "option" in exc.value.message_dict


@pytest.mark.parametrize("who", ["staff", "leader", "department_user", "provincial", "other_reviewer"])
def test_only_the_citys_reviewers_and_administrators_settle_a_reading(standing, reading, who):
    with pytest.raises(Forbidden):
        reading_settle(user=getattr(standing, who), reading=reading, option="2019")


def test_the_readings_show_the_end_target_under_each_base_year(standing, reading):
    (view,) = plan_readings(plan=standing.plan)
    effects = {o.key: o.effect for o in view.options}
    assert "1.2⁴" in effects["2019"] and "1.2³" in effects["2020"]
    assert view.chosen.key == "2019"
