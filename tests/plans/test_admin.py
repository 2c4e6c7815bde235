"""The Django admin in Chinese: every model browsable, searchable and filterable by an administrator."""

import pytest
from django.contrib import admin

from accounts.models import Role
from tests.factories import AssignmentFactory, FigureFactory, IndicatorFactory, make_user

pytestmark = pytest.mark.django_db

BROWSED = [
    "plans/city",
    "plans/plan",
    "plans/department",
    "plans/leadinggroupmember",
    "indicators/indicator",
    "indicators/targetgroup",
    "indicators/quarterlyfigure",
    "tasks/task",
]


@pytest.fixture
def admin_client(client):
    indicator = IndicatorFactory(name="每万人口高价值发明专利拥有量")
    FigureFactory(indicator=indicator)
    AssignmentFactory(task__plan=indicator.plan)
    client.force_login(make_user("root", Role.ADMIN))
    return client


def test_admin_index_is_in_chinese(admin_client):
    page = admin_client.get("/admin/").content.decode()
    for label in ("城市", "工作方案", "指标", "任务", "部门", "领导小组成员"):
        assert label in page


@pytest.mark.parametrize("model", BROWSED)
def test_changelist_searches_and_filters(admin_client, model):
    assert admin_client.get(f"/admin/{model}/").status_code == 200
    assert admin_client.get(f"/admin/{model}/", {"q": "市"}).status_code == 200


def test_indicator_changelist_filters_by_city_plan_category_and_department(admin_client):
    filters = [
        f if isinstance(f, str) else f[0] for f in admin.site._registry[IndicatorFactory._meta.model].list_filter
    ]
    assert {"plan__city", "plan", "category", "lead_department"} <= set(filters)
    page = admin_client.get("/admin/indicators/indicator/", {"q": "高价值"}).content.decode()
    assert "每万人口高价值发明专利拥有量" in page


def test_non_admin_cannot_enter_the_admin(client):
    client.force_login(make_user("alice", Role.BUREAU_STAFF, city=IndicatorFactory().plan.city))
    assert client.get("/admin/").status_code == 302


def test_admin_pages_carry_the_demo_banner_while_demo_figures_are_loaded(admin_client):
    from indicators.models import QuarterlyFigure

    assert "演示数据" not in admin_client.get("/admin/").content.decode()
    QuarterlyFigure.objects.update(is_demo=True)
    assert "演示数据" in admin_client.get("/admin/").content.decode()
