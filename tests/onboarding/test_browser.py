"""新建方案 in headless Chromium: paste the Nantong seed, read the proposals beside the highlighted text,
drop one, confirm; the bad-input refusal. Screenshots at 1366 px and 390 px, Chinese and English, go to
artifacts/screenshots/ for a person to read."""

import os

import pytest

from accounts.models import Role
from indicators.models import Indicator
from ops.fixtures import PLAN_FIXTURE_DIR
from tests.dashboards.test_browser import SCREENSHOTS
from tests.factories import make_user

pytestmark = pytest.mark.browser
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
NANTONG = (PLAN_FIXTURE_DIR / "sources" / "004_274b4b31dd4bf67b.txt").read_text(encoding="utf-8")


@pytest.fixture
def admin_page(browser, live_server, transactional_db):
    admin = make_user("onboard_admin", Role.ADMIN)
    admin.set_password("pw")
    admin.save(update_fields=["password"])
    contexts = []

    def open_page(width=1366, language="zh-hans"):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        contexts.append(context)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "onboard_admin")
        page.fill("input[name=password]", "pw")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/onboarding/new/")
        return page

    yield open_page
    for context in contexts:
        context.close()


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"onboarding-{name}.png"), full_page=False)
    assert not page.problems, page.problems


@pytest.mark.parametrize("width", [1366, 390])
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_paste_review_and_confirm(admin_page, width, language):
    page = admin_page(width, language)
    shoot(page, f"new-{language}-{width}")
    page.fill("textarea[name=text]", NANTONG)
    page.click("form.onboarding-document button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("mark.ind").count() > 10
    code = f"nt{width}{language[:2]}"
    page.fill("input[name=city_code]", code)
    page.focus("input[name=ind-4-name]")
    assert page.locator("mark.active").count() >= 1
    shoot(page, f"review-{language}-{width}")
    dropped = page.input_value("input[name=ind-0-name]")
    page.check("input[name=ind-0-DELETE]")
    page.click("form.proposals button[type=submit]")
    page.wait_for_load_state()
    shoot(page, f"saved-{language}-{width}")
    saved = Indicator.objects.filter(plan__city__code=code)
    assert saved.exists() and not saved.filter(name=dropped).exists()


def test_bad_input_is_refused(admin_page):
    page = admin_page()
    page.fill("textarea[name=text]", "This is not a plan document, only English words here.")
    page.click("form.onboarding-document button[type=submit]")
    page.wait_for_load_state()
    assert "不是中文" in page.content()
    shoot(page, "refused-zh-hans-1366")


def test_a_pdf_with_a_text_layer_is_read(browser, tmp_path):
    """Chromium prints the Nantong seed to a PDF (a real text layer, as an office suite would export it)."""
    import html

    import yaml

    from onboarding.extract import propose
    from onboarding.scoring import assignment_score, indicator_score
    from onboarding.sources import document_text

    context = browser.new_context()
    page = context.new_page()
    page.set_content(f"<pre style='white-space:pre-wrap;font-size:11px'>{html.escape(NANTONG)}</pre>")
    data = page.pdf(format="A4")
    context.close()
    text = document_text(name="nantong.pdf", data=data)
    proposal = propose(text)
    fixture = yaml.safe_load((PLAN_FIXTURE_DIR / "nantong.yaml").read_text(encoding="utf-8"))
    assert indicator_score(proposal["indicators"], fixture["indicators"]).recall >= 0.9
    assert assignment_score(proposal, fixture).recall >= 0.9
