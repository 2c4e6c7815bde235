"""The dashboards in headless Chromium (Debian's package) against a live server, logged in as each role: the
five real plans with their demo figures, charts drawn under the site's Content-Security-Policy (no inline
script), key text present, screenshots saved to artifacts/screenshots/ for a person to look at.

Skipped with the reason when Chromium or Playwright is missing; under CI (env CI set) that is a failure.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role
from indicators.models import Indicator
from ops.demo import demo_accounts_load, demo_figures_load, demo_task_updates_load
from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load
from tasks import services as task_services
from tasks.models import SupervisionItem
from tests.factories import make_user

pytestmark = pytest.mark.browser

# Playwright's sync API runs an event loop in this thread; the ORM calls made here between page loads are
# ordinary synchronous ones.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "ipcity-demo"
# The site's own Content-Security-Policy (ipcity.settings): scripts only from the site itself, so a page that
# needed an inline script or a CDN would not draw and its violation would be a console error.
SCRIPT_SRC = "script-src 'self'"
CHARTS_DRAWN = """() => [...document.querySelectorAll('[data-chart]')].every(e => e.dataset.drawn === 'true')"""
CHARTS_WITH_DATA = """() => [...document.querySelectorAll('[data-chart]')].map(e => [
    e.dataset.chart, e.querySelectorAll('.main-svg').length > 0,
    e.querySelectorAll('g.trace path, g.slice path').length > 0])"""


# `browser` (one Chromium for the whole session, shared by every browser test) is in tests/conftest.py.


@pytest.fixture
def demo(transactional_db):
    """What `./bin/start` loads (the five plans, demo accounts, figures and task reports), plus a
    compound-growth base entered and 督办 items raised for the lagging indicators, one answered."""
    for path in sorted(PLAN_FIXTURE_DIR.glob("*.yaml")):
        plan_fixture_load(path=path)
    # As the bureau would enter a missing base: gives the compound path of 质押融资金额 something to draw.
    Indicator.objects.filter(plan__city__code="shenyang", catalogue_key="ip_pledge_financing_amount").update(
        base_value=12, base_source="测试补录"
    )
    demo_accounts_load()
    demo_figures_load()
    demo_task_updates_load()
    today = timezone.localdate()
    task_services.lagging_indicators_supervise(as_of=today)
    item = SupervisionItem.objects.filter(plan__city__code="chaoyang").order_by("pk").first()
    answering = make_user("cy_owner_dept", Role.DEPARTMENT, city=item.plan.city, department=item.department)
    task_services.supervision_acknowledge(user=answering, item=item)
    task_services.supervision_submit(
        user=answering,
        item=item,
        explanation="受专利审查周期影响，授权量释放滞后。",
        measures="联合高校开展专利导航，季度内新增申请200件。",
        measures_due=today,
    )
    return today


@pytest.fixture
def login(browser, live_server, demo):
    """login(username) → a page logged in through the login form; its browser context is closed after the test,
    so no keep-alive connection outlives the test's data."""
    contexts = []

    def open_page(username: str, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("console", lambda m: page.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_page
    for context in contexts:
        context.close()


def visit(page, live_server, path: str, name: str, *texts: str, charts: int = 1):
    """Open a page, wait until every chart has drawn, check it drew data and shows the texts, keep a picture."""
    response = page.goto(f"{live_server.url}{path}")
    assert SCRIPT_SRC in [d.strip() for d in response.headers["content-security-policy"].split(";")], path
    page.wait_for_function(CHARTS_DRAWN, timeout=60000)
    drawn = page.evaluate(CHARTS_WITH_DATA)
    assert len(drawn) >= charts, (path, drawn)
    assert all(svg and data for _kind, svg, data in drawn), (path, drawn)
    body = page.inner_text("body")
    for text in texts:
        assert text in body, (path, text)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
    problems = [p for p in page.problems if "favicon" not in p and "404" not in p]
    assert not problems, (path, problems)
    return drawn


def test_administrator_overview_comparison_and_an_ended_plan(login, live_server):
    page = login("admin")
    drawn = visit(
        page,
        live_server,
        "/",
        "admin-overview",
        "城市总览",
        "时间进度与指标进度",
        "朝阳市",
        "南通市",
        "沈阳市",
        "进度正常（含已达标）占比",
        charts=7,
    )
    assert {kind for kind, _svg, _data in drawn} == {"progress", "totals", "spark"}
    visit(page, live_server, "/compare/?key=valid_trademarks", "admin-compare", "跨市对比", "指标进度对比", "应达进度")
    visit(
        page,
        live_server,
        "/cities/shenyang/",
        "admin-shenyang-ended",
        "实施期已结束，以下为最终结果",
        "已达标",
        "未完成",
        charts=5,
    )


def test_provincial_viewer_sees_assigned_cities_only(login, live_server):
    page = login("liaoning")
    visit(page, live_server, "/", "provincial-overview", "朝阳市", "沈阳市", charts=4)
    assert "南通市" not in page.inner_text("main")
    # Of the two cities only 朝阳 has this key: a one-city comparison is not offered (issue 16). The one key
    # both plans carry (IP pledge-financing projects) is qualitative in 朝阳's, so there is nothing to compare.
    response = page.goto(f"{live_server.url}/compare/?key=high_value_invention_patents_per_10k")
    assert response.status == 404
    visit(page, live_server, "/compare/", "provincial-compare", "可查看的城市中没有可对比的同类指标", charts=0)
    assert "南通市" not in page.inner_text("main")
    visit(page, live_server, "/cities/chaoyang/", "provincial-chaoyang", "时间进度", "指标进度", "需关注", charts=5)
    assert "督办事项与滞后说明" not in page.inner_text("main")
    response = page.goto(f"{live_server.url}/cities/nantong/")
    assert response.status == 404


def test_leading_group_member_city_dashboard_and_indicator(login, live_server):
    page = login("cy_leader")
    visit(
        page,
        live_server,
        "/",
        "leader-chaoyang",
        "朝阳市",
        "时间进度",
        "指标进度",
        "需关注：滞后、逾期与预警",
        "牵头单位",
        "还需新增",
        "督办事项与滞后说明",
        "各部门任务完成情况",
        "数据最后审核",
        charts=5,
    )
    lagging = page.locator(".attention-list li a").first
    name = lagging.inner_text()
    href = lagging.get_attribute("href")
    visit(
        page,
        live_server,
        href,
        "leader-indicator",
        name,
        "季度走势",
        "方案原文",
        "季度数据与审核记录",
        "相关任务与部门",
    )
    visit(page, live_server, "/?as_of=2025Q2", "leader-chaoyang-2025Q2", "2025年第2季度末", charts=5)


def test_city_dashboard_on_a_phone(login, live_server):
    page = login("cy_leader", width=390)
    visit(page, live_server, "/", "leader-chaoyang-phone", "时间进度", "需关注", charts=5)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px on a phone"


def test_bureau_staff_ended_plan_and_compound_growth_path(login, live_server):
    page = login("sy_staff")
    visit(page, live_server, "/", "staff-shenyang", "沈阳市", "实施期已结束，以下为最终结果", charts=5)
    pledge = Indicator.objects.get(plan__city__code="shenyang", catalogue_key="ip_pledge_financing_amount")
    visit(
        page,
        live_server,
        f"/indicators/{pledge.pk}/",
        "staff-compound-indicator",
        "知识产权质押融资金额",
        "应达路径",
        "以2018年为基数",
        "年均增长",
    )


def test_department_user_sees_its_own_department(login, live_server):
    page = login("cy_dept")
    visit(page, live_server, "/cities/chaoyang/", "department-chaoyang", "朝阳市", "时间进度", "全部指标", charts=5)
    rows = page.locator("details.data-table tbody tr")
    assert rows.count() <= 1  # its own department's tasks only


def test_reviewer_city_dashboard(login, live_server):
    page = login("nt_reviewer")
    visit(page, live_server, "/", "reviewer-nantong", "南通市", "时间进度", "指标状态", "各部门任务完成情况", charts=5)


# --- Issue 16: toolbar, print, phone overview, English -----------------------------------------------------

A4_CONTENT_PX = 186 / 25.4 * 96  # 210 mm less the 2 × 12 mm page margins (ipcity/base.css), in CSS pixels
HAN_TITLE = re.compile(r"[\u4e00-\u9fff]")
MODEBAR_TITLES = """() => [...document.querySelectorAll('.modebar-btn')].map(b => b.getAttribute('data-title'))"""


def _english(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])


def test_chart_toolbar_is_chinese_without_a_cloud_button_and_downloads_a_png(login, live_server, tmp_path):
    page = login("cy_leader")
    visit(page, live_server, "/", "toolbar-chaoyang", "各部门任务完成情况", charts=5)
    chart = page.locator("[data-chart=tasks]")
    chart.hover()
    titles = page.evaluate(MODEBAR_TITLES)
    assert "下载图片（PNG）" in titles and "缩放" in titles and "平移" in titles, titles
    assert not [t for t in titles if not HAN_TITLE.search(t or "")], titles  # every button named in Chinese
    assert not page.locator(".modebar-btn[data-attr='sendDataToCloud'], a[href*='plot.ly'], .modebar-btn--logo").count()
    # The PNG is drawn in the browser (no request leaves the site) and named after the chart.
    with page.expect_download() as download:
        chart.locator(".modebar-btn[data-title='下载图片（PNG）']").click()
    saved = tmp_path / "chart.png"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "各部门任务完成情况图.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and saved.stat().st_size > 5000

    _english(page, live_server)
    page.goto(f"{live_server.url}/")
    page.wait_for_function(CHARTS_DRAWN, timeout=60000)
    page.locator("[data-chart=tasks]").hover()
    assert "Download plot as a PNG" in page.evaluate(MODEBAR_TITLES)


def test_city_dashboard_prints_to_a4(login, live_server):
    """Chromium's own print to PDF, page 1 rendered to PNG with pdftoppm for a person to look at."""
    page = login("cy_leader")
    visit(page, live_server, "/", "print-chaoyang-screen", "需关注", charts=5)
    page.emulate_media(media="print")
    page.wait_for_function("() => document.documentElement.classList.contains('printing')")
    hidden = page.evaluate(
        """() => ['.topbar', '.as-of', '.print-button', '.explainer'].map(s => {
             const e = document.querySelector(s); return e ? getComputedStyle(e).display : 'none'; })"""
    )
    assert hidden == ["none"] * 4, hidden
    widths = page.evaluate("""() => [...document.querySelectorAll('[data-chart]')].map(e =>
        e.querySelector('.main-svg').getBoundingClientRect().width)""")
    assert max(widths) <= A4_CONTENT_PX + 1, widths  # every chart drawn to the printed page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pdf = SCREENSHOTS / "print-chaoyang.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True, prefer_css_page_size=True)
    pdfinfo = shutil.which("pdfinfo")
    pdftoppm = shutil.which("pdftoppm")
    if not (pdfinfo and pdftoppm):
        pytest.skip("poppler-utils (pdfinfo, pdftoppm) not installed")
    info = subprocess.run([pdfinfo, str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 2 <= pages <= 10, pages
    subprocess.run(
        [
            pdftoppm,
            "-png",
            "-r",
            "80",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(pdf),
            str(SCREENSHOTS / "print-chaoyang-p1"),
        ],
        check=True,
    )
    assert (SCREENSHOTS / "print-chaoyang-p1.png").stat().st_size > 20000
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "时间进度" in text and "需关注" in text and "城市总览" not in text  # no navigation on paper
    page.emulate_media(media="screen")
    page.wait_for_function("() => !document.documentElement.classList.contains('printing')")


def test_overview_on_a_phone_has_every_status_count_and_trend_numbers_on_hover(login, live_server):
    page = login("admin", width=390)
    visit(page, live_server, "/cities/", "admin-overview-phone", "各城市指标状态", charts=4)
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the overview scrolls sideways by {overflow}px on a phone"
    row = page.locator(".city-table > tbody > tr").first
    labels = row.locator(".cell-label")
    assert labels.count() == 9 and all(labels.nth(i).is_visible() for i in range(9))
    assert row.locator(".cell-label").last.bounding_box()["x"] + 40 < 390  # on screen, not off to the right
    # the trend's numbers: not printed under the row, in a table for screen readers, and on hover
    hidden = row.locator(".visually-hidden")
    assert hidden.locator("td").count() >= 2 and hidden.bounding_box()["width"] <= 1
    spark = row.locator("[data-chart=spark]")
    spark.scroll_into_view_if_needed()
    page.wait_for_function("e => e.dataset.drawn === 'true'", arg=spark.element_handle())
    box = spark.locator(".nsewdrag").first.bounding_box()
    page.mouse.move(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".hoverlayer .hovertext", timeout=5000)
    assert "%" in page.locator(".hoverlayer .hovertext").first.text_content()


def test_english_navigation_fits_one_line_and_names_are_english(login, live_server):
    page = login("admin", width=1366)
    _english(page, live_server)
    visit(page, live_server, "/cities/chaoyang/", "admin-chaoyang-en", "Time elapsed", "Needs attention", charts=5)
    nav = page.evaluate(
        """() => { const items = [...document.querySelectorAll('.topbar nav > *')].filter(e => e.offsetParent);
                   return new Set(items.map(e => Math.round(e.getBoundingClientRect().top))).size; }"""
    )
    assert nav == 1, f"the navigation takes {nav} lines"
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 1366
    assert "Chaoyang" in page.inner_text("h1")
    assert HAN_TITLE.search(page.inner_text(".attention-list a")) is None  # indicator names in English
