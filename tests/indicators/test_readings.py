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
        base_value=None,  # as Shenyang's SY-01: the document gives neither the base year nor the base value
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


# --- The readings page -----------------------------------------------------------------------------------


def _url(standing):
    return f"/plans/{standing.plan.code}/readings/"


def test_the_page_lists_each_reading_with_its_words_options_effect_and_state(standing, reading, client):
    client.force_login(standing.staff)
    html = client.get(_url(standing)).content.decode()
    assert "年均增幅20%以上" in html and "文件没有写基期年份。" in html
    assert "以2020年为基期" in html and "1.2³" in html and "待确认" in html
    assert 'type="submit"' not in html.split('id="reading-')[1]  # staff read, reviewers settle


def test_a_reviewer_picks_another_reading_on_the_page_and_sees_who_confirmed(standing, reading, client):
    client.force_login(standing.reviewer)
    response = client.post(f"{_url(standing)}{reading.pk}/settle/", {"option": "2020", "reason": "三年"}, follow=True)
    html = response.content.decode()
    assert "已确认" in html and "三年" in html
    assert Indicator.objects.get(pk=reading.indicator_id).base_year == 2020


def test_a_change_without_a_reason_is_refused_on_the_page_with_a_message(standing, reading, client):
    client.force_login(standing.reviewer)
    html = client.post(f"{_url(standing)}{reading.pk}/settle/", {"option": "2020"}, follow=True).content.decode()
    assert "改用另一种读法必须填写理由" in html
    assert Indicator.objects.get(pk=reading.indicator_id).base_year == 2019


def test_staff_posting_a_settlement_is_forbidden(standing, reading, client):
    client.force_login(standing.staff)
    assert client.post(f"{_url(standing)}{reading.pk}/settle/", {"option": "2019"}).status_code == 403


def test_another_citys_plan_is_not_found(standing, reading, client):
    client.force_login(standing.other_reviewer)
    assert client.get(_url(standing)).status_code == 404


def test_the_page_costs_the_same_queries_whatever_the_number_of_readings(
    standing, reading, client, django_assert_max_num_queries
):
    client.force_login(standing.reviewer)
    client.get(_url(standing))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(_url(standing))
    for n in range(5):
        other = IndicatorFactory(plan=standing.plan, lead_department=standing.department, code=f"X-{n}")
        Reading.objects.create(
            indicator=other,
            code="unit",
            topic="单位",
            quote="q",
            question="?",
            options=OPTIONS,
            default_option="2019",
            chosen="2019",
        )
    with django_assert_max_num_queries(len(one)):
        client.get(_url(standing))


def test_the_indicator_page_shows_an_unconfirmed_reading_and_an_assumed_base_year(standing, reading, client):
    client.force_login(standing.staff)
    html = client.get(f"/indicators/{reading.indicator_id}/").content.decode()
    assert "待确认的解读" in html and "以2019年为基期" in html and "假定" in html
    # wherever the year appears: the reason (基期值（2019年）缺失), what is missing, the base value's line
    assert html.count('class="assumed"') == 3
    reading_settle(user=standing.reviewer, reading=reading, option="2019")
    html = client.get(f"/indicators/{reading.indicator_id}/").content.decode()
    assert "待确认的解读" not in html and "假定" not in html


def test_a_reporting_lag_the_document_does_not_give_is_a_reading_back_to_the_plans_own(standing):
    """A 181-day lag is no number of the document: the city may keep it or fall back on the plan's lag."""
    indicator = IndicatorFactory(
        plan=standing.plan, lead_department=standing.department, frequency="yearly", reporting_lag_days=181
    )
    reading = Reading.objects.create(
        indicator=indicator,
        code="reporting_lag",
        topic="报送期限",
        quote="专利密集型产业增加值占GDP比重达17%",
        question="文件没有写这项数据何时能得到。",
        options=[
            {"key": "published", "label": "期末后181天", "changes": {"reporting_lag_days": 181}},
            {"key": "plan", "label": "按方案统一期限", "changes": {"reporting_lag_days": None}},
        ],
        default_option="published",
        chosen="published",
    )
    (view,) = plan_readings(plan=standing.plan)
    effects = {o.key: o.effect for o in view.options}
    assert effects == {
        "published": "报送期限：期末后181天",
        "plan": f"报送期限：按方案统一期限（期末后{standing.plan.reporting_lag_days}天）",
    }
    reading_settle(user=standing.reviewer, reading=reading, option="plan", reason="统计局次年1月即公布")
    indicator.refresh_from_db()
    assert indicator.reporting_lag_days is None
    assert indicator.lag_days == standing.plan.reporting_lag_days


def test_reading_a_period_total_as_a_yearly_amount_moves_it_to_the_yearly_amounts_key(standing):
    """Catalogue keys follow the reading: Nantong's 200亿元 read as 2026's amount is compared with yearly amounts."""
    indicator = IndicatorFactory(
        plan=standing.plan,
        lead_department=standing.department,
        measure_type="flow",
        catalogue_key="ip_pledge_financing_amount_period_total",
    )
    reading = Reading.objects.create(
        indicator=indicator,
        code="total_or_year",
        topic="统计口径",
        quote="知识产权质押融资额超200亿元",
        question="合计还是当年？",
        options=[
            {
                "key": "total",
                "changes": {"measure_type": "flow", "catalogue_key": "ip_pledge_financing_amount_period_total"},
            },
            {"key": "year", "changes": {"measure_type": "annual", "catalogue_key": "ip_pledge_financing_amount"}},
        ],
        default_option="total",
        chosen="total",
    )
    reading_settle(user=standing.reviewer, reading=reading, option="year", reason="按2026年当年")
    indicator.refresh_from_db()
    assert (indicator.measure_type, indicator.catalogue_key) == ("annual", "ip_pledge_financing_amount")


def test_the_city_dashboard_marks_a_missing_base_of_an_assumed_year(standing, reading, client):
    """基期值（2019年）缺失 on the dashboard says the year is assumed until the city confirms it."""
    client.force_login(standing.leader)
    html = client.get("/cities/own/").content.decode()
    assert "基期值（2019年）缺失，无法确定目标值（基期年份为假定，待确认）" in html
    reading_settle(user=standing.reviewer, reading=reading, option="2019")
    html = client.get("/cities/own/").content.decode()
    assert "基期值（2019年）缺失" in html and "基期年份为假定" not in html
