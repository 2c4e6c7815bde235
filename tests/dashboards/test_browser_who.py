"""Issue 16 in headless Chromium on the five plans with their demo data: the city dashboard naming who must act,
the department overview (参考) and the comparison, at 1366 and 390 px, in Chinese and English, as the roles that
use them; screenshots in artifacts/screenshots/ for a person to look at. A city leader gets no comparison."""

import pytest

from tests.dashboards.test_browser import CHARTS_DRAWN, PASSWORD, SCREENSHOTS, demo  # noqa: F401

pytestmark = pytest.mark.browser

PAGES = [  # (user, path, screenshot name, texts in Chinese, texts in English)
    ("cy_leader", "/cities/chaoyang/", "who-city", ["牵头单位：", "文件未写明，默认"], ["Lead department", "default"]),
    (
        "cy_staff",
        "/departments/chaoyang-2024-2026/",
        "departments",
        ["部门落实情况", "参考", "不是正式考核结果", "亮灯规则"],
        ["Departments' delivery", "Reference", "not an official performance assessment", "Light rule"],
    ),
    ("province", "/compare/", "compare", ["跨市对比", "个有数据"], ["with data"]),
]


def _open(browser, live_server, username, *, width, language):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="zh-CN" if language == "zh" else "en-US"
    )
    page = context.new_page()
    page.problems = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    return context, page


def test_who_departments_and_comparison_at_two_widths_in_two_languages(browser, live_server, demo):  # noqa: F811
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("zh", "en"):
        for width in (1366, 390):
            for username, path, name, zh_texts, en_texts in PAGES:
                context, page = _open(browser, live_server, username, width=width, language=language)
                try:
                    response = page.goto(f"{live_server.url}{path}")
                    assert response.status == 200, (path, response.status)
                    page.wait_for_function(CHARTS_DRAWN, timeout=60000)
                    body = page.inner_text("body")
                    for text in zh_texts if language == "zh" else en_texts:
                        assert text in body, (path, language, text)
                    page.screenshot(path=str(SCREENSHOTS / f"{name}-{language}-{width}.png"), full_page=True)
                    if name == "who-city":  # close-ups of who must act, then the first lagging indicator's page
                        for part in ("section.attention", "section.category"):
                            shot = SCREENSHOTS / f"{name}-{part.split('.')[1]}-{language}-{width}.png"
                            page.locator(part).first.screenshot(path=str(shot))
                        page.locator(".attention-list li a").first.click()
                        page.wait_for_load_state()
                        numbers = page.locator("section[aria-labelledby=numbers-title]")
                        assert "督办" in numbers.inner_text() or "Supervision" in numbers.inner_text()
                        numbers.screenshot(path=str(SCREENSHOTS / f"who-indicator-{language}-{width}.png"))
                    assert not page.problems, (path, page.problems)
                    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
                    assert overflow <= 1, (path, width, overflow)  # wide tables scroll inside their frame
                finally:
                    context.close()


def test_a_city_leader_gets_the_styled_403_for_the_comparison(browser, live_server, demo):  # noqa: F811
    context, page = _open(browser, live_server, "cy_leader", width=1366, language="zh")
    try:
        response = page.goto(f"{live_server.url}/compare/")
        assert response.status == 403
        assert "跨市对比仅对省级用户和管理员开放" in page.inner_text("body")
        assert page.locator("nav a[href='/compare/']").count() == 0
        page.screenshot(path=str(SCREENSHOTS / "compare-leader-403.png"))
    finally:
        context.close()
