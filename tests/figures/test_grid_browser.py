"""The entry grid in headless Chromium as a bureau clerk uses it: a block copied from Excel pasted into the
first value cell fills rows and columns, Enter moves down, Tab skips the links, and the saved draft holds
exactly what was pasted (checked by the server's own rules)."""

import os
import time

import pytest
from django.conf import settings
from django.test import Client

from core.periods import Quarter
from indicators.models import QuarterlyFigure
from tests.factories import FigureFactory
from tests.figures.conftest import Q2, Q3

Q1 = Quarter(2025, 1)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Three rows as Excel puts them on the clipboard: value, comment, source; tab-separated, newline-ended.
BLOCK = "1250\t年报口径\t市统计局\n3.52\t\t市科技局\n"


@pytest.fixture
def page(browser, live_server, quarter_world):
    """The Q3 grid, logged in as bureau staff, in the session's one Chromium (tests/conftest.py)."""
    for quarter in (Q1, Q2):  # the year-to-date flow's earlier quarters, so its Q3 amount can be derived
        FigureFactory(indicator=quarter_world.flow, period_end=quarter.end, value=1, entered_value=1)
    client = Client()
    client.force_login(quarter_world.staff)
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/plans/{quarter_world.plan.code}/figures/{Q3}/")
    yield page
    context.close()


def test_a_pasted_block_fills_rows_and_columns_and_saves_as_typed(page, quarter_world):
    first = page.locator(f"input[name='r{quarter_world.stock.pk}-value']")
    first.focus()
    started = time.monotonic()
    page.evaluate(
        """([selector, text]) => {
            const data = new DataTransfer();
            data.setData('text/plain', text);
            const paste = new ClipboardEvent('paste', {clipboardData: data, bubbles: true});
            document.querySelector(selector).dispatchEvent(paste);
        }""",
        [f"input[name='r{quarter_world.stock.pk}-value']", BLOCK],
    )
    assert first.input_value() == "1250"
    assert page.locator(f"input[name='r{quarter_world.stock.pk}-comment']").input_value() == "年报口径"
    assert page.locator(f"input[name='r{quarter_world.stock.pk}-source']").input_value() == "市统计局"
    assert page.locator(f"input[name='r{quarter_world.flow.pk}-value']").input_value() == "3.52"
    assert page.locator(f"input[name='r{quarter_world.flow.pk}-source']").input_value() == "市科技局"
    with page.expect_navigation():
        page.get_by_role("button", name="保存草稿").click()
    pasted = time.monotonic() - started
    messages = page.locator(".messages, .errorlist").all_inner_texts()
    assert "草稿已保存" in page.content(), messages
    saved = {f.indicator_id: f for f in QuarterlyFigure.objects.filter(period_end=Q3.end)}
    assert float(saved[quarter_world.stock.pk].value) == 1250 and saved[quarter_world.stock.pk].source == "市统计局"
    assert float(saved[quarter_world.flow.pk].entered_value) == 3.52  # 1–9月累计, as pasted
    print(f"two rows pasted and saved in {pasted:.1f} s")


def test_enter_moves_down_and_tab_skips_links(page, quarter_world):
    page.locator(f"input[name='r{quarter_world.stock.pk}-value']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.name") == f"r{quarter_world.flow.pk}-value"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == f"r{quarter_world.flow.pk}-comment"
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past 来源 and 预估: the next row's first input, not its indicator link
    assert page.evaluate("document.activeElement.tagName") == "INPUT"


def test_the_source_column_is_marked_as_required_and_the_month_span_is_real(page):
    html = page.content()
    assert "提交时必填" in html and "1–9月累计" in html and "1–N月" not in html
