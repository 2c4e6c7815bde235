"""Dashboard pages: what each role sees, the as-of rule, ended plans, numbers in text, no inline scripts."""

import datetime as dt
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from dashboards.finders import STATIC_PATH
from dashboards.rules import headline_status
from tasks import services as task_services
from tests.dashboards.conftest import AS_OF_QUARTER
from tests.factories import CityFactory

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def chart_data(response) -> dict:
    match = re.search(
        r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(match.group(1))


# --- Home: the right dashboard for each role ------------------------------------------------------------


@pytest.mark.parametrize(
    "username, template",
    [
        ("leader", "dashboards/city.html"),
        ("staff", "dashboards/city.html"),
        ("provincial_one", "dashboards/city.html"),
        ("provincial", "dashboards/overview.html"),
        ("admin", "dashboards/overview.html"),
    ],
)
def test_home_is_the_city_for_one_city_and_the_overview_for_several(client, world, username, template):
    response = get(client, getattr(world.users, username), "/")
    assert response.status_code == 200
    assert template in [t.name for t in response.templates]


def test_department_users_land_on_their_tasks_and_can_still_open_their_city(client, world):
    response = get(client, world.users.lead_user, "/")
    assert response.status_code == 302 and response["Location"] == "/tasks/mine/"
    assert get(client, world.users.lead_user, "/cities/own/").status_code == 200


def test_anonymous_users_are_sent_to_log_in(client, world):
    for url in ("/", "/cities/", "/cities/own/", f"/indicators/{world.a.pk}/", "/compare/"):
        assert client.get(url).status_code == 302


# --- Visibility: 404 for what a user may not see ---------------------------------------------------------


@pytest.mark.parametrize("username", ["leader", "lead_user", "provincial"])
def test_another_citys_pages_are_404(client, world, username):
    user = getattr(world.users, username)
    assert get(client, user, "/cities/far/").status_code == 404
    assert get(client, user, f"/indicators/{world.far_indicators['a'].pk}/").status_code == 404


def test_overview_lists_only_visible_cities(client, world):
    page = get(client, world.users.provincial, "/cities/").context["page"]
    assert {c.city.code for c in page.cards} == {"own", "old"}
    assert {c.city.code for c in get(client, world.users.admin, "/cities/").context["page"].cards} == {
        "own",
        "old",
        "far",
    }


def test_comparison_stays_within_visible_cities(client, world):
    page = get(client, world.users.provincial, "/compare/", key="valid_invention_patents").context["page"]
    assert {r.indicator.plan.city.code for r in page.rows} == {"own", "old"}
    assert get(client, world.users.provincial, "/compare/", key="no-such-key").status_code == 404


@pytest.mark.parametrize("as_of", ["2025Q5", "banana", "2099Q1"])
def test_a_malformed_or_unclosed_quarter_is_404(client, world, as_of):
    assert get(client, world.users.leader, "/cities/own/", as_of=as_of).status_code == 404


def test_unknown_plan_of_the_city_is_404(client, world):
    assert get(client, world.users.leader, "/cities/own/", plan=world.far.code).status_code == 404


# --- The city dashboard -----------------------------------------------------------------------------------


def test_city_dashboard_as_of_a_quarter(client, world):
    response = get(client, world.users.leader, "/cities/own/", as_of=AS_OF_QUARTER)
    page, html = response.context["page"], response.content.decode()
    # the progress number takes its status colour: the plan's bands on how far it trails the time elapsed
    assert page.headline_status == headline_status(
        time_elapsed=page.summary.time_elapsed,
        indicator_progress=page.summary.indicator_progress,
        at_risk_band=5,
        lagging_band=15,
        final=False,
    )
    assert (
        '时间进度 <strong class="headline-time">49.9%</strong> · 指标进度 '
        f'<strong class="status-text-{page.headline_status}" data-testid="headline-progress">'
    ) in html
    assert f'<span class="status status-{page.headline_status}">{page.headline_label}</span>' in html
    # lagging first, then at risk: each with its lead department, the engine's reason and the pace
    assert [line.indicator.code for line in page.attention] == ["A", "C"]
    first = page.attention[0]
    assert first.indicator.lead_department.name == "市科技局" and first.result.reason in html
    assert first.pace.startswith("还需新增") and "，约每季度" in first.pace and "，近四季度平均" in first.pace
    assert first.pace in html
    assert "仍为预估数" in html and "指标A" in html  # A's 2025Q2 figure is provisional
    assert "数据最后审核：2025-07-10" in html


def test_city_dashboard_groups_every_indicator_by_category_with_its_numbers(client, world):
    response = get(client, world.users.leader, "/cities/own/", as_of=AS_OF_QUARTER)
    page, html = response.context["page"], response.content.decode()
    assert [name for name, _lines in page.categories] == [
        "知识产权创造",
        "知识产权运用",
        "知识产权保护",
        "知识产权服务",
    ]
    bullets = chart_data(response)["bullets"]
    a = bullets[str(world.a.pk)]
    assert (a["value"], a["target"], a["status"]) == (112, 200, "lagging")
    # the axis starts (just below) the base value, and its title says so with the unit
    assert a["start"] == 100 and 98 <= a["range"][0] < 100 and a["range"][1] > 200
    assert a["axis"] == "单位：件；坐标轴自基期值100件起" and a["whole"]
    assert "当前 112件 · 应达 149.86件 · 目标 200件 · 进度 12.0%" in html
    assert str(world.f.pk) not in bullets and str(world.g.pk) not in bullets  # no number to draw
    assert {s["status"]: s["n"] for s in chart_data(response)["status"]} == {
        "on_track": 3,
        "at_risk": 1,
        "lagging": 1,
        "incomplete": 1,
    }


def test_city_dashboard_latest_reads_stored_results(client, world):
    from indicators.selectors import plan_progress

    page = get(client, world.users.leader, "/cities/own/").context["page"]
    assert page.summary.counts == plan_progress(world.plan).counts
    assert page.as_of.is_latest


def test_supervision_items_with_their_explanation_for_the_city(client, world):
    html = get(client, world.users.leader, "/cities/own/").content.decode()
    assert "督办事项与滞后说明" in html and "专利授权周期延长。" in html and "开展专利导航。" in html
    assert world.item.due_date.isoformat() in html


def test_a_supervision_issued_by_hand_on_a_task_is_listed_without_a_quarter(client, world):
    # Regression: a 督办 the office issues on a task has no quarter, and the dashboard used to fail on it.
    due = timezone.localdate() + dt.timedelta(days=10)
    task_services.supervision_issue(user=world.users.staff, note="请说明进度。", due_date=due, task=world.second)
    page = get(client, world.users.leader, "/cities/own/").context["page"]
    line = next(line for line in page.supervision if line.reason_label == "交办督办")
    assert (line.subject_text, line.department_text, line.status_label) == (
        "加强知识产权保护",
        "市市场监管局",
        "待签收",
    )


def test_provincial_viewers_see_no_supervision_or_task_reports(client, world):
    page = get(client, world.users.provincial, "/cities/own/").context["page"]
    assert page.supervision is None and page.tasks is None
    assert "督办事项与滞后说明" not in get(client, world.users.provincial, "/cities/own/").content.decode()


def test_task_completion_by_department_as_of_the_quarter(client, world):
    page = get(client, world.users.leader, "/cities/own/", as_of=AS_OF_QUARTER).context["page"]
    states = {d.department.name: dict(d.states) for d in page.tasks}
    assert states == {"市市场监管局": {"unreported": 1}, "市科技局": {"done": 1}, "市财政局": {"in_progress": 1}}
    earlier = get(client, world.users.leader, "/cities/own/", as_of="2025Q1").context["page"]
    assert {d.department.name: dict(d.states) for d in earlier.tasks}["市科技局"] == {"unreported": 1}


def test_a_department_user_sees_only_its_own_task_row(client, world):
    page = get(client, world.users.partner_user, "/cities/own/").context["page"]
    assert [d.department.name for d in page.tasks] == ["市财政局"]
    assert page.supervision == []  # the lag item is addressed to the 科技局


def test_ended_plan_shows_its_final_result_not_a_lag(client, world):
    response = get(client, world.users.provincial, "/cities/old/")
    html, page = response.content.decode(), response.context["page"]
    assert page.summary.is_final
    assert "实施期已结束，以下为最终结果" in html
    assert {line.result.status for _name, lines in page.categories for line in lines} == {"achieved", "missed"}
    assert "滞后" not in "".join(line.row.label for line in page.attention)


def test_as_of_selector_lists_closed_quarters_of_the_plan(client, world):
    response = get(client, world.users.leader, "/cities/own/", as_of=AS_OF_QUARTER)
    choices = response.context["as_of_form"]["choices"]
    assert choices[0][0] == ""  # today first
    assert ("2025Q2", "2025年第2季度末", True) in choices
    assert choices[-1][0] == "2024Q1"
    assert '<option value="2025Q2" selected>' in response.content.decode()


# --- Overview ---------------------------------------------------------------------------------------------


def test_overview_cards_have_counts_time_and_trend(client, world):
    response = get(client, world.users.admin, "/cities/", as_of=AS_OF_QUARTER)
    cards = {c.city.code: c for c in response.context["page"].cards}
    own = cards["own"]
    assert own.summary.counts["lagging"] == 1 and own.summary.counts["at_risk"] == 1
    assert [d for d, _share in own.trend][-1].isoformat() == "2025-06-30"
    # the trend's numbers are in a visually hidden table, not printed under the row
    assert own.trend_rows[-1] == ("2025Q2", "50.0%")
    html = response.content.decode()
    assert '<div class="visually-hidden"><table>' in html and "<td>2025Q2</td><td>50.0%</td>" in html
    assert cards["old"].summary.is_final
    data = chart_data(response)
    assert {c["city"] for c in data["cities"]} == {"本市", "旧市", "外市"}
    assert str(own.plan.pk) in data["trends"]


def test_overview_puts_cities_needing_attention_first(client, world):
    cards = get(client, world.users.admin, "/cities/", as_of=AS_OF_QUARTER).context["page"].cards
    assert [c.attention for c in cards] == sorted((c.attention for c in cards), reverse=True)


# --- Indicator page ---------------------------------------------------------------------------------------


def test_indicator_page_series_path_figures_quote_tasks(client, world):
    response = get(client, world.users.leader, f"/indicators/{world.a.pk}/", as_of=AS_OF_QUARTER)
    page, html = response.context["page"], response.content.decode()
    assert page.result.status == "lagging" and page.result.reason in html
    assert [p.current for p in page.series] == [102, 104, 106, 108, 110, 112]
    data = chart_data(response)
    assert data["actual"]["y"] == [102, 104, 106, 108, 110, 112]
    assert data["path"]["y"][0] == pytest.approx(100) and data["path"]["y"][-1] == pytest.approx(200)
    assert data["target"]["y"] == 200
    assert "到2026年，有效发明专利拥有量达到200件。" in html
    assert "强化知识产权创造" in html and "市财政局" in html
    versions = [
        (f.period_end.isoformat(), f.version, f.status)
        for f in page.figures
        if f.period_end.isoformat() == "2025-03-31"
    ]
    assert versions == [("2025-03-31", 2, "approved"), ("2025-03-31", 1, "superseded")]
    assert "统计口径调整后更正" in html and "预估" in html


def test_compound_growth_indicator_draws_the_compound_path(client, world):
    data = chart_data(get(client, world.users.leader, f"/indicators/{world.c.pk}/"))
    assert data["path"]["y"][-1] == pytest.approx(50 * 1.08**3)


def test_unapproved_figures_only_for_the_entering_roles(client, world):
    submitted = [
        f
        for f in get(client, world.users.staff, f"/indicators/{world.b.pk}/").context["page"].figures
        if f.status == "submitted"
    ]
    assert len(submitted) == 1
    for user in (world.users.leader, world.users.provincial):
        figures = get(client, user, f"/indicators/{world.b.pk}/").context["page"].figures
        assert all(f.status in ("approved", "superseded") for f in figures)


# --- Comparison ---------------------------------------------------------------------------------------------


def test_comparison_normalises_by_progress(client, world):
    response = get(client, world.users.admin, "/compare/", key="valid_invention_patents", as_of=AS_OF_QUARTER)
    rows = {r.indicator.plan.city.code: r for r in response.context["page"].rows}
    assert rows["own"].result.progress == pytest.approx(0.12)
    assert rows["old"].result.status == "achieved"
    plotted = {r["city"]: r["progress"] for r in chart_data(response)["rows"]}
    assert plotted["本市"] == pytest.approx(0.12) and plotted["外市"] == pytest.approx(0.12)


def test_comparison_defaults_to_the_most_shared_key(client, world):
    page = get(client, world.users.admin, "/compare/").context["page"]
    assert page.key == "valid_invention_patents"  # in all three cities


# --- Offline, no inline scripts ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/cities/", "/cities/own/", "/compare/", "/indicators/{a}/"])
def test_pages_have_no_inline_script_and_no_remote_asset(client, world, url):
    html = get(client, world.users.admin, url.format(a=world.a.pk)).content.decode()
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'src="/static/' in tag or 'type="application/json"' in tag, tag
    assert not re.search(
        r"<script\b[^>]*>\s*[^<\s]", re.sub(r"<script[^>]*application/json[^>]*>.*?</script>", "", html, flags=re.S)
    )
    assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert '<script src="/static/vendor/plotly.min.js" defer></script>' in html


def test_plotly_js_is_served_from_the_installed_package():
    found = finders.find(STATIC_PATH)
    assert found and found.endswith("plotly/package_data/plotly.min.js")
    listed = [
        path
        for finder in finders.get_finders()
        for path, storage in finder.list(None)
        if getattr(storage, "prefix", None) == "vendor"
    ]
    assert listed == ["plotly.min.js"]


def test_an_ended_plan_keeps_its_trend_on_the_overview(client, world):
    # Regression: the trend window followed today, so a plan ended years ago showed no trend at all.
    cards = {c.city.code: c for c in get(client, world.users.admin, "/cities/").context["page"].cards}
    assert [d.isoformat() for d, _share in cards["old"].trend][-1] == "2023-12-31"
    assert len(cards["own"].trend) <= 8


def test_a_city_without_a_plan_says_so(client, world):
    CityFactory(code="new", name="新市")
    response = get(client, world.users.admin, "/cities/new/")
    assert response.status_code == 200 and "该城市尚无工作方案。" in response.content.decode()
