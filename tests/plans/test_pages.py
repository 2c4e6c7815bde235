"""The plan pages: the document's indicators and tasks in full, visibility, and queries that do not grow."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.factories import AssignmentFactory, IndicatorFactory, PlanFactory, make_user

pytestmark = pytest.mark.django_db


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_plan_page_shows_indicators_and_tasks_in_queries_that_do_not_grow(client):
    plan = PlanFactory(code="p1")
    IndicatorFactory(plan=plan, name="有效发明专利拥有量")
    AssignmentFactory(task__plan=plan, task__title="开展专利导航工作")
    client.force_login(make_user("leader", Role.LEADER, city=plan.city))
    page = client.get("/plans/p1/").content.decode()
    assert "有效发明专利拥有量" in page and "开展专利导航工作" in page
    before = (_queries(client, "/plans/p1/"), _queries(client, "/plans/"))
    for _ in range(5):
        IndicatorFactory(plan=plan)
        AssignmentFactory(task__plan=plan)
    assert (_queries(client, "/plans/p1/"), _queries(client, "/plans/")) == before


def test_another_citys_plan_is_404(client):
    PlanFactory(code="theirs")
    client.force_login(make_user("leader", Role.LEADER, city=PlanFactory().city))
    assert client.get("/plans/theirs/").status_code == 404
