"""One 督办 item walked through the whole chain in headless Chromium, as each role would: the department
acknowledges and explains, the office returns it with a reason, the department answers again, a leader
writes a 批示, the office accepts, is refused 办结 while the 批示 is unanswered, the department answers it,
the office closes it with its reason; a second item is closed early with a reason. Screenshots at 1366 px and
390 px, Chinese and English, go to artifacts/screenshots/ for a person to read.

Skipped with the reason when Chromium or Playwright is missing; under CI (env CI set) that is a failure.
"""

import datetime as dt
import os

import pytest
from django.utils import timezone

from core.periods import Quarter
from tasks import services
from tasks.models import SupervisionItem
from tests.dashboards.test_browser import SCREENSHOTS

pytestmark = pytest.mark.browser
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture
def as_user(browser, live_server, transactional_db, world):
    """as_user(user, width, language) → a page logged in through the login form."""
    contexts = []

    def open_page(user, width=1366, language="zh-hans"):
        user.set_password("pw")
        user.save(update_fields=["password"])
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
        contexts.append(context)
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "pw")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield open_page
    for context in contexts:
        context.close()


def shoot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"supervision-{name}.png"), full_page=True)
    assert not page.problems, page.problems


def press(page, action, fields=None):
    """Fill the form of one action on the item page and submit it."""
    form = page.locator(f"form[action$='/{action}/']")
    for name, value in (fields or {}).items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()


def test_one_item_through_the_whole_chain_as_each_role(as_user, live_server, world):
    today = timezone.localdate()
    item = services.task_supervision_raise(
        task=world.task, quarter=Quarter(2025, 1), reason=SupervisionItem.Reason.TASK_BLOCKED, as_of=today
    )
    url = f"{live_server.url}/supervision-items/{item.pk}/"
    later = (today + dt.timedelta(days=20)).isoformat()

    department = as_user(world.lead_user)
    department.goto(f"{live_server.url}/tasks/mine/")
    assert "待办督办事项" in department.inner_text("body")
    department.goto(url)
    assert "待签收" in department.inner_text("body")
    shoot(department, "1-issued-department-1366")
    press(department, "acknowledge")
    press(department, "submit", {"explanation": "资金下达滞后。", "measures": "协调专项拨付。", "measures_due": later})
    assert "待审核" in department.inner_text("body")

    office = as_user(world.staff)
    office.goto(url)
    press(office, "return", {"note": "措施不具体，请补充时间表。", "due_date": later})
    assert "已退回" in office.inner_text("body")

    department.goto(url)
    assert "措施不具体，请补充时间表。" in department.inner_text("body")
    press(
        department,
        "submit",
        {"explanation": "资金下达滞后。", "measures": "按月拨付，6月底前到位。", "measures_due": later},
    )

    leader = as_user(world.leader)
    leader.goto(url)
    press(leader, "instruct", {"text": "请财政局一并说明资金安排。"})
    shoot(leader, "2-instructed-leader-1366")

    office.goto(url)
    press(office, "accept", {"note": "同意。"})
    press(office, "close", {"note": "整改完成。"})
    body = office.inner_text("body")
    assert "1条领导批示未答复" in body and "整改中" in body
    shoot(office, "3-close-refused-office-1366")

    department.goto(f"{live_server.url}/tasks/mine/")
    assert "请财政局一并说明资金安排。" in department.inner_text("body")
    department.locator("form[action*='/instructions/'] textarea").fill("已与财政局会商，6月底前到位。")
    department.locator("form[action*='/instructions/'] button").click()
    department.wait_for_load_state()

    office.goto(url)
    press(office, "close", {"note": "整改完成，资金已到位。"})
    body = office.inner_text("body")
    assert "已办结" in body and "整改完成，资金已到位。" in body and "已与财政局会商" in body
    shoot(office, "4-closed-office-1366")
    item.refresh_from_db()
    assert [s.action for s in item.steps.all()] == [
        "issue",
        "acknowledge",
        "submit",
        "return",
        "submit",
        "accept",
        "close",
    ]

    # A second item, ended early by the office with the reason shown.
    early = services.task_supervision_raise(
        task=world.second, quarter=Quarter(2025, 1), reason=SupervisionItem.Reason.TASK_LATE, as_of=today
    )
    office.goto(f"{live_server.url}/supervision-items/{early.pk}/")
    press(office, "close_early", {"note": "进展已补报，无需说明。"})
    assert "提前办结" in office.inner_text("body") and "进展已补报，无需说明。" in office.inner_text("body")

    # The list with its lights, narrow and wide, Chinese and English.
    services.task_supervision_raise(
        task=world.second,
        quarter=Quarter(2025, 2),
        reason=SupervisionItem.Reason.TASK_LATE,
        as_of=today - dt.timedelta(days=30),
    )
    for language in ("zh-hans", "en"):
        for width in (1366, 390):
            page = as_user(world.staff, width=width, language=language)
            page.goto(f"{live_server.url}/supervision-items/")
            body = page.inner_text("body")
            if language == "zh-hans":
                assert "逾期" in body and "亮灯" in body
            else:
                assert "Late" in body and "Light" in body and "亮灯" not in body and "督办原因" not in body
            shoot(page, f"5-list-{language}-{width}")
            page.goto(url)
            shoot(page, f"6-closed-{language}-{width}")
