"""The 通报 from /reports/ in headless Chromium: one click, the progress page, the .docx downloaded — in Chinese
and English, at 1366 px and 390 px (screenshots in artifacts/screenshots/ for a person to look at)."""

import io
import os
from pathlib import Path

import pytest
from django.conf import settings
from docx import Document

from tests.reports.conftest import Q

pytestmark = pytest.mark.browser
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop in this thread

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


@pytest.fixture
def open_as(browser, live_server, transactional_db, client):
    contexts = []

    def open_page(user, *, width: int, language: str):
        client.force_login(user)
        context = browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
        contexts.append(context)
        host = live_server.url.split("//")[1].split(":")[0]
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "domain": host,
                    "path": "/",
                },
                {"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "domain": host, "path": "/"},
            ]
        )
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.mark.parametrize(("language", "width"), [("zh-hans", 1366), ("zh-hans", 390), ("en", 1366), ("en", 390)])
def test_one_click_on_the_reports_page_gives_the_word_bulletin(report_world, open_as, live_server, language, width):
    page = open_as(report_world.staff, width=width, language=language)
    page.goto(f"{live_server.url}/reports/")
    section = page.locator("#bulletin")
    heading = "书面通报（Word / PDF）" if language == "zh-hans" else "Written bulletin (Word / PDF)"
    assert section.locator("h2").inner_text() == heading
    form = section.locator("form").first
    form.locator("select[name=quarter]").select_option(str(Q))
    box = form.locator("button[value=bulletin]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width  # reachable on a phone without scrolling sideways
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"reports-bulletin-{language}-{width}.png"), full_page=True)
    form.locator("button[value=bulletin]").click()
    page.wait_for_selector("#export-download:not([hidden])", timeout=60000)
    assert page.locator("#export-progress").get_attribute("value") == "100"
    page.screenshot(path=str(SCREENSHOTS / f"reports-bulletin-job-{language}-{width}.png"), full_page=True)
    with page.expect_download() as download:
        page.click("#export-download-link")
    assert download.value.suggested_filename == "本市知识产权强市建设工作进展通报_2025Q2.docx"
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "五、下一步工作建议" in [p.text for p in document.paragraphs]  # built in Chinese whatever the UI language
    assert not page.problems
