"""The comparison (issue 16): offered to provincial viewers and administrators only; only quantitative keys that
two or more of the cities' current plans share; every choice named by catalogue_labels; values beside progress."""

import datetime as dt
from decimal import Decimal
from functools import partial

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.status import STATUS_ORDER
from dashboards import selectors
from indicators.models import (
    CatalogueKeySummary,
    ComparisonEntry,
    Indicator,
    IndicatorProgress,
    PlanProgressSummary,
    ProgressSnapshot,
    TargetForm,
)
from indicators.selectors import catalogue_labels, stored_progress
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from indicators.summaries import plan_summary_refresh
from ops.synthetic import synthetic_generate
from plans.models import Plan
from tests.dashboards.conftest import AS_OF_QUARTER, approved
from tests.dashboards.test_pages import chart_data, get
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["leader", "staff", "reviewer", "lead_user", "far_leader"])
def test_a_citys_users_get_the_styled_403_and_no_link(client, world, username):
    user = getattr(world.users, username)
    response = get(client, user, "/compare/")
    assert response.status_code == 403
    assert "无权操作" in response.content.decode() and "跨市对比仅对省级用户和管理员开放" in response.content.decode()
    home = get(client, user, "/cities/own/" if username != "far_leader" else "/cities/far/").content.decode()
    assert 'href="/compare/"' not in home


@pytest.mark.parametrize("username", ["provincial", "admin"])
def test_provincial_viewers_and_administrators_compare(client, world, username):
    response = get(client, getattr(world.users, username), "/compare/")
    assert response.status_code == 200
    assert 'href="/compare/"' in response.content.decode()


def test_only_keys_two_or_more_cities_share_are_offered(client, world):
    # hosted_enterprises: 本市 and 外市; the provincial viewer sees 本市 and 旧市 only
    admin = {k["catalogue_key"] for k in get(client, world.users.admin, "/compare/").context["page"].keys}
    provincial = {k["catalogue_key"] for k in get(client, world.users.provincial, "/compare/").context["page"].keys}
    assert admin == {"valid_invention_patents", "hosted_enterprises"}
    assert provincial == {"valid_invention_patents"}
    assert get(client, world.users.provincial, "/compare/", key="hosted_enterprises").status_code == 404


def test_a_qualitative_measure_is_never_offered(client, world):
    for plan in (world.plan, world.far):
        IndicatorFactory(
            plan=plan,
            code=f"Q{plan.pk}",
            name="知识产权保护中心建设",
            target_form=TargetForm.QUALITATIVE,
            unit="",
            target_value=None,
            base_value=None,
            base_year=None,
            catalogue_key="protection_centre",
        )
    keys = {k["catalogue_key"] for k in get(client, world.users.admin, "/compare/").context["page"].keys}
    assert "protection_centre" not in keys


def test_every_choice_is_named_by_the_catalogue_and_says_how_many_cities_have_data(client, world):
    response = get(client, world.users.admin, "/compare/")
    labels = catalogue_labels(Indicator.objects.all())
    html = response.content.decode()
    for k in response.context["page"].keys:
        assert k["name"] == labels[k["catalogue_key"]]
        assert f"{k['name']}（{k['cities']}个城市，{k['reported']}个有数据）" in html


def test_each_citys_value_with_its_unit_stands_beside_its_progress(client, world):
    response = get(client, world.users.admin, "/compare/", key="valid_invention_patents", as_of=AS_OF_QUARTER)
    texts = {r["city"]: r["text"] for r in chart_data(response)["rows"]}
    assert texts["本市"] == "12.0%（112件）"
    html = response.content.decode()
    assert '<td class="num" data-testid="compare-value">112件</td>' in html


def _python_order(user, key, as_of):
    """The comparison's order before it was paged in the database: every row's result, sorted in Python by
    progress (none last), then worst status, the rows first listed by city and order."""
    visible = Plan.objects.visible_to(user)
    indicators = list(
        Indicator.objects.filter(plan__in=selectors.current_plans(visible, as_of.date), catalogue_key=key)
        .exclude(target_form=TargetForm.QUALITATIVE)
        .select_related("plan__city", "target_group", "progress")
        .order_by("plan__city__code", "order")
    )
    results = stored_progress(indicators, as_of=as_of.selector_date)
    rank = {s: n for n, s in enumerate(STATUS_ORDER)}
    indicators.sort(
        key=lambda i: (results[i.pk].progress is None, -(results[i.pk].progress or 0), rank[results[i.pk].status])
    )
    return [(i.pk, results[i.pk].status, results[i.pk].progress) for i in indicators]


def _paged_order(user, key, as_of):
    first = selectors.comparison(user=user, key=key, as_of=as_of)
    rows = []
    for number in range(1, first.pages.paginator.num_pages + 1):
        page = selectors.comparison(user=user, key=key, as_of=as_of, page=number)
        rows += [(r.indicator.pk, r.result.status, r.result.progress) for r in page.rows]
    return rows


@pytest.mark.parametrize("as_of", [None, "2026Q2"], ids=["latest", "quarter"])
def test_rows_paged_in_the_database_keep_the_order_and_results_of_the_python_sort(world, monkeypatch, as_of):
    monkeypatch.setattr(selectors, "COMPARISON_PAGE_SIZE", 3)
    synthetic_generate(cities=10, indicators_per_city=8, quarters=8, seed=11)
    indicator_progress_recompute()
    indicator_history_rebuild()
    when = selectors.as_of_from(as_of, on=dt.date(2026, 11, 30))
    key = selectors.comparison(user=world.users.admin, key=None, as_of=when).key
    expected = _python_order(world.users.admin, key, when)
    assert len(expected) >= 10  # four pages
    assert _paged_order(world.users.admin, key, when) == expected
    # The 说明 names the page's plans, each once.
    page = selectors.comparison(user=world.users.admin, key=key, as_of=when)
    named = [name for bands in page.explainer.bands for name in bands.plans]
    assert sorted(named) == sorted({f"{r.indicator.plan.city.name} · {r.indicator.plan.title}" for r in page.rows})
    # A row without a stored result is computed, and the order still holds.
    IndicatorProgress.objects.filter(indicator_id=expected[0][0]).delete()
    ProgressSnapshot.objects.filter(indicator_id=expected[0][0]).delete()
    assert _paged_order(world.users.admin, key, when) == _python_order(world.users.admin, key, when)


def _keys(user) -> list[dict]:
    return selectors.comparison(user=user, key=None, as_of=selectors.as_of_from(None)).keys


def _reads(table: str, call) -> bool:
    """Whether call() queries the table."""
    with CaptureQueriesContext(connection) as context:
        call()
    return any(f'"{table}"' in q["sql"] for q in context.captured_queries)


def test_keys_read_stored_or_counted_on_the_entries_or_on_the_indicators_are_the_same(world):
    """The keys offered, their counts and names, whether read from the stored key counts, counted on the
    plans' stored catalogue entries (the key counts counted other plans: the provincial viewer's) or (a plan
    not yet summarised) on the indicators themselves."""
    synthetic_generate(cities=6, indicators_per_city=20, quarters=6, seed=2)
    indicator_progress_recompute()
    for user in (world.users.admin, world.users.provincial):
        keys = partial(_keys, user)
        stored = keys()
        assert len(stored) > (2 if user is world.users.admin else 0)
        assert _reads("indicators_plancatalogueentry", keys) == (user is world.users.provincial)
        CatalogueKeySummary.objects.all().delete()
        assert _reads("indicators_plancatalogueentry", keys) and keys() == stored
        PlanProgressSummary.objects.filter(plan=world.plan).delete()
        assert not _reads("indicators_plancatalogueentry", keys) and keys() == stored
        indicator_progress_recompute()


def test_key_counts_of_other_plans_are_never_read(world):
    """A plan removed since the keys were counted (no recompute after it): the page counts the remaining
    plans' entries, and a recount stores what it showed."""
    synthetic_generate(cities=6, indicators_per_city=20, quarters=6, seed=2)
    indicator_progress_recompute()
    before = _keys(world.users.admin)
    Plan.objects.filter(city__is_synthetic=True).order_by("pk").first().delete()
    shown = _keys(world.users.admin)
    assert shown != before
    plan_summary_refresh()
    keys = partial(_keys, world.users.admin)
    assert not _reads("indicators_plancatalogueentry", keys) and keys() == shown


def test_an_indicator_without_a_stored_result_is_computed_in_its_place(world, monkeypatch):
    """An indicator added and summarised before any recompute (a plan document loaded): its entry has no
    result, so the key's rows are computed and sorted in Python, the new one among them."""
    monkeypatch.setattr(selectors, "COMPARISON_PAGE_SIZE", 4)
    synthetic_generate(cities=5, indicators_per_city=8, quarters=8, seed=11)
    indicator_progress_recompute()
    today = selectors.as_of_from(None)
    key = selectors.comparison(user=world.users.admin, key=None, as_of=today).key
    plan = Plan.objects.filter(city__is_synthetic=True).order_by("pk").first()
    added = IndicatorFactory(plan=plan, code="NEW", catalogue_key=key, base_value=Decimal("0"))
    approved(added, dt.date(2024, 3, 31), 190)
    plan_summary_refresh(plan_ids=[plan.pk])
    assert ComparisonEntry.objects.get(indicator=added).status_rank is None
    assert _paged_order(world.users.admin, key, today) == _python_order(world.users.admin, key, today)
    assert added.pk in [pk for pk, _status, _progress in _paged_order(world.users.admin, key, today)]


def test_todays_page_reads_a_constant_number_of_rows_and_queries_whatever_the_cities(world):
    """Regression guard (issue 20, 381 ms at 3,000 cities): today's page reads the stored key counts and one
    page of stored comparison rows, never every city's entries or results, in as many queries at any size."""

    def page():
        return selectors.comparison(user=world.users.admin, key=None, as_of=selectors.as_of_from(None))

    counts = []
    for cities in (3, 9):
        synthetic_generate(cities=cities, indicators_per_city=13, quarters=4, seed=5)
        indicator_progress_recompute()
        with CaptureQueriesContext(connection) as context:
            assert page().rows
        sql = [q["sql"] for q in context.captured_queries]
        assert not any('"indicators_plancatalogueentry"' in q for q in sql)
        assert any('FROM "indicators_comparisonentry"' in q and "LIMIT" in q for q in sql)
        counts.append(len(sql))
    assert counts[0] == counts[1]
