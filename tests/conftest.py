"""Test-wide settings: fast hashing, eager Celery, and the standing users of the access tests."""

from types import SimpleNamespace

import pytest


@pytest.fixture(scope="session", autouse=True)
def _fast_settings():
    """Session-wide, so module-scoped data (the five plans, the demo) is built with the same settings."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    """A request in English leaves the thread's language active; every test starts in zh-hans."""
    from django.utils import translation

    translation.activate("zh-hans")
    yield
    translation.deactivate()


@pytest.fixture
def standing(db):
    """The standing users of the access tests: every role in the own city, the other city's staff, a
    provincial viewer assigned to the own city only, an administrator and an anonymous visitor."""
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import Role
    from tests.factories import CityFactory, DepartmentFactory, PlanFactory, make_user

    own, other = CityFactory(code="own", name="本市"), CityFactory(code="other", name="外市")
    plan, other_plan = PlanFactory(city=own, code="own-plan"), PlanFactory(city=other, code="other-plan")
    department = DepartmentFactory(city=own, name="市科技局")
    return SimpleNamespace(
        city=own,
        other_city=other,
        plan=plan,
        other_plan=other_plan,
        department=department,
        staff=make_user("staff", Role.BUREAU_STAFF, city=own),
        staff2=make_user("staff2", Role.BUREAU_STAFF, city=own),
        reviewer=make_user("reviewer", Role.REVIEWER, city=own),
        leader=make_user("leader", Role.LEADER, city=own),
        department_user=make_user("dept", Role.DEPARTMENT, city=own, department=department),
        provincial=make_user("provincial", Role.PROVINCIAL, assigned=[own]),
        other_staff=make_user("other_staff", Role.BUREAU_STAFF, city=other),
        other_reviewer=make_user("other_reviewer", Role.REVIEWER, city=other),
        admin=make_user("admin", Role.ADMIN),
        anonymous=AnonymousUser(),
    )


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (Debian's) per test process for every browser test: a second sync Playwright
    in the same process refuses to start. Skipped with the reason when missing; under CI a failure."""
    import shutil
    from pathlib import Path

    from tests.dashboards.test_browser import ARGS, CHROMIUM, _missing

    if not (shutil.which(CHROMIUM) or Path(CHROMIUM).exists()):
        _missing(f"Chromium is not at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the playwright Python package is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()
