"""In headless Chromium: a city's user administrator creates a user, that user logs in and must change the
first password, is throttled after wrong passwords and unlocked by the administrator. Screenshots of the
users page at 1366 px and 390 px go to artifacts/screenshots/."""

import pytest
from django.contrib.auth.models import User

from accounts.models import Role
from tests.dashboards.test_browser import SCREENSHOTS  # also sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright

pytestmark = pytest.mark.browser
FIRST, OWN = "Chushi-2025!x", "Ziji-Mima-77"


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def test_city_admin_creates_a_user_who_is_throttled_and_unlocked(browser, live_server, admins, settings):
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    admin_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="zh-CN")
    page = admin_context.new_page()
    log_in(page, base, "city_admin", "pw")
    page.goto(f"{base}/accounts/users/new/")
    page.fill("input[name=username]", "zhou")
    page.fill("input[name=full_name]", "周六")
    page.select_option("select[name=role]", Role.DEPARTMENT)
    page.select_option("select[name=department]", label=admins.department.name)
    page.fill("input[name=password1]", FIRST)
    page.fill("input[name=password2]", FIRST)
    page.click("form.card button[type=submit]")
    assert "已创建用户 zhou" in page.inner_text("main")
    assert "zhou" in page.inner_text("table") and "待修改初始密码" in page.inner_text("table")
    page.screenshot(path=str(SCREENSHOTS / "accounts-users-1366.png"), full_page=True)

    user_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    theirs = user_context.new_page()
    log_in(theirs, base, "zhou", FIRST)
    theirs.goto(f"{base}/tasks/mine/")
    assert theirs.url.endswith("/accounts/password/")  # the first password comes first
    assert "请先修改管理员设置的初始密码" in theirs.inner_text("main")
    theirs.fill("input[name=old_password]", FIRST)
    theirs.fill("input[name=new_password1]", OWN)
    theirs.fill("input[name=new_password2]", OWN)
    theirs.click("main button[type=submit]")
    theirs.goto(f"{base}/tasks/mine/")
    assert theirs.url.endswith("/tasks/mine/")
    theirs.click("button:has-text('退出')")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(theirs, base, "zhou", "wrong-password")
    assert "登录已锁定" in theirs.inner_text("main")
    log_in(theirs, base, "zhou", OWN)
    assert "登录已锁定" in theirs.inner_text("main")  # the right password too, while locked
    theirs.screenshot(path=str(SCREENSHOTS / "accounts-locked-390.png"), full_page=True)

    page.goto(f"{base}/accounts/users/")
    row = page.locator("tr", has_text="zhou")
    assert "已锁定" in row.inner_text()
    row.locator("button:has-text('解除锁定')").click()
    assert "已解除 zhou 的登录锁定" in page.inner_text("main")

    log_in(theirs, base, "zhou", OWN)
    theirs.goto(f"{base}/tasks/mine/")
    assert theirs.url.endswith("/tasks/mine/")
    narrow = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN").new_page()
    log_in(narrow, base, "city_admin", "pw")
    narrow.goto(f"{base}/accounts/users/")
    narrow.screenshot(path=str(SCREENSHOTS / "accounts-users-390.png"), full_page=True)
    overflow = narrow.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the users page is {overflow}px wider than a phone"
    assert User.objects.get(username="zhou").profile.department == admins.department
