"""The cities overview a page at a time: every city counted and ordered by what needs attention, only the
page's cities listed, and a fixed number of queries whatever the number of cities."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards import selectors
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from ops.synthetic import synthetic_generate
from tests.dashboards.conftest import AS_OF_QUARTER

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
