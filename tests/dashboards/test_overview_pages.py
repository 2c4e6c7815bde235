"""The cities overview a page at a time: every city counted and ordered by what needs attention, only the
page's cities listed, and a fixed number of queries whatever the number of cities."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import selectors
from indicators.models import PlanProgressSummary
from indicators.selectors import plan_summaries
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from ops.synthetic import synthetic_generate
from plans.models import Plan
from plans.selectors import current_plan, current_plan_ids
from tests.dashboards.conftest import AS_OF_QUARTER
from tests.factories import PlanFactory

pytestmark = pytest.mark.django_db


def _page(client, user, **params):
    client.force_login(user)
    response = client.get("/cities/", params)
    assert response.status_code == 200
    return response


def test_the_overview_is_paged_attention_first(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "OVERVIEW_PAGE_SIZE", 2)
    first = _page(client, world.users.admin, as_of=AS_OF_QUARTER)
    second = _page(client, world.users.admin, as_of=AS_OF_QUARTER, page=2)
    one, two = first.context["page"], second.context["page"]
    assert len(one.cards) == 2 and len(two.cards) == 1
    assert {c.city.code for c in one.cards + two.cards} == {"own", "old", "far"}
    assert min(c.attention for c in one.cards) >= max(c.attention for c in two.cards)
    html = first.content.decode()
    assert "3个城市" in html and "第 1 / 2 页" in html
    assert f'href="/cities/?as_of={AS_OF_QUARTER}&amp;page=2"' in html
    assert one.previous_url is None and two.next_url is None
    # The totals chart counts every city, the scatter only the page's.
    assert one.charts["totals"] == two.charts["totals"]
    assert len(one.charts["cities"]) <= 2


@pytest.mark.parametrize("page, number", [("banana", 1), ("99", 2), ("-1", 2), ("", 1)])
def test_a_bad_page_number_shows_a_page_that_exists(client, world, monkeypatch, page, number):
    monkeypatch.setattr(selectors, "OVERVIEW_PAGE_SIZE", 2)
    assert _page(client, world.users.admin, page=page).context["page"].pages.number == number


def test_one_page_has_no_pager(client, world):
    html = _page(client, world.users.admin).content.decode()
    assert "3个城市" in html and 'aria-label="分页"' not in html


def _overview_queries(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as context:
        assert client.get("/cities/").status_code == 200
    return len(context.captured_queries)


def test_overview_queries_do_not_grow_with_cities(client, world, monkeypatch):
    monkeypatch.setattr(selectors, "OVERVIEW_PAGE_SIZE", 4)
    synthetic_generate(cities=3, indicators_per_city=3, quarters=4)
    indicator_progress_recompute()
    indicator_history_rebuild()
    few = _overview_queries(client, world.users.admin)
    synthetic_generate(cities=12, indicators_per_city=3, quarters=4)
    indicator_progress_recompute()
    indicator_history_rebuild()
    page = _page(client, world.users.admin).context["page"]
    assert page.cities == 15 and len(page.cards) == 4
    assert _overview_queries(client, world.users.admin) == few


def _read(overview_read) -> dict:
    """What the page shows of a read: the page's plans in order with their numbers, and the totals."""
    return {
        "plans": [
            (
                p.pk,
                dict(overview_read.summaries[p.pk].counts),
                overview_read.summaries[p.pk].indicator_progress,
                overview_read.summaries[p.pk].is_final,
            )
            for p in overview_read.pages.object_list
        ],
        "totals": dict(overview_read.totals),
        "cities": overview_read.cities,
        "range": (overview_read.start, overview_read.end),
        "pages": overview_read.pages.paginator.num_pages,
    }


def test_todays_overview_from_stored_summaries_equals_the_live_read(world, monkeypatch):
    """The stored summaries ordered, paged and totalled in the database give what plan_summaries() over every
    current plan, sorted in Python, gives: every page, for an administrator and for a provincial viewer."""
    monkeypatch.setattr(selectors, "OVERVIEW_PAGE_SIZE", 3)
    synthetic_generate(cities=8, indicators_per_city=6, quarters=6, seed=7)
    indicator_progress_recompute()
    today = selectors.as_of_from(None)
    for user in (world.users.admin, world.users.provincial):
        visible = Plan.objects.visible_to(user)
        first = selectors._live_overview(visible, today, 1)
        assert first.cities == (11 if user is world.users.admin else 2)
        for number in range(1, first.pages.paginator.num_pages + 1):
            stored = selectors._stored_overview(visible, today, number)
            assert stored is not None
            assert _read(stored) == _read(selectors._live_overview(visible, today, number))


def test_a_plan_without_indicators_needs_no_summary(client, world):
    """A plan with nothing to count (created, no indicators yet) is listed with no counts, from the stored read."""
    empty = PlanFactory(city__code="new", period_start=dt.date(2026, 1, 1), period_end=dt.date(2028, 12, 31))
    today = selectors.as_of_from(None)
    stored = selectors._stored_overview(Plan.objects.visible_to(world.users.admin), today, 1)
    assert stored is not None
    assert _read(stored) == _read(selectors._live_overview(Plan.objects.visible_to(world.users.admin), today, 1))
    assert stored.summaries[empty.pk].counts == {}


def test_a_plan_without_its_summary_is_read_live(client, world):
    """A plan no recompute has summarised yet (created since) is not missing from the overview."""
    PlanProgressSummary.objects.filter(plan=world.plan).delete()
    today = selectors.as_of_from(None)
    assert selectors._stored_overview(Plan.objects.visible_to(world.users.admin), today, 1) is None
    cards = {c.plan.pk: c for c in _page(client, world.users.admin).context["page"].cards}
    assert cards[world.plan.pk].summary.counts == plan_summaries([world.plan])[world.plan.pk].counts


def test_current_plans_in_sql_pick_what_current_plan_picks(world):
    """Regression guard for current_plans() and current_plan_ids(): the dashboards' rule, as of dates before,
    within and after the plans of a city with two plans (one ended, one not yet started at the earliest date)."""
    PlanFactory(
        city=world.ended.city, code="old-next", period_start=dt.date(2024, 1, 1), period_end=dt.date(2026, 12, 31)
    )
    plans = list(Plan.objects.select_related("city").order_by("city__code", "period_start", "code"))
    for day in (dt.date(2018, 1, 1), dt.date(2023, 6, 30), dt.date(2024, 1, 1), dt.date(2026, 11, 30)):
        by_city = {}
        for plan in plans:
            by_city.setdefault(plan.city_id, []).append(plan)
        expected = {current_plan(city_plans, day).pk for city_plans in by_city.values()}
        assert set(selectors.current_plans(Plan.objects.all(), day).values_list("pk", flat=True)) == expected, day
        assert sorted(current_plan_ids(Plan.objects.all(), day)) == sorted(expected), day
