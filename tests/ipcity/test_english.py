"""The English UI: the language switch turns the pages English, and the catalogue is complete and compiled.

The source strings are Simplified Chinese; locale/en/LC_MESSAGES/django.po holds the English for every one of
them, and django.mo is committed so a machine without GNU gettext still shows English.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import Role
from tests.factories import CityFactory, IndicatorFactory, PlanFactory, TaskFactory, make_user

LC_MESSAGES = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO, MO = LC_MESSAGES / "django.po", LC_MESSAGES / "django.mo"

# Chinese labels of the frame and the common pages: none may be left on an English page.
FRAME_LABELS = ["知识产权强市建设", "修改密码", "退出", "看板", "工作方案", "通知", "领导小组", "季度通报"]
LOGIN_LABELS = ["登录", "用户名", "密码"]
PLAN_LABELS = [
    "指标",
    "任务",
    "代码",
    "类别",
    "指标名称",
    "单位",
    "目标值",
    "基期值",
    "牵头单位",
    "责任单位",
    "实施期限",
    "完成时限",
]
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdfr%]|\{[A-Za-z_]\w*\}")


def english(client):
    """Choose English the way a user does: the header's switch posts to Django's set_language view."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def assert_english(html: str, labels: list[str]):
    assert '<html lang="en">' in html
    left = [label for label in labels if label in html]
    assert not left, f"Chinese labels left on an English page: {left}"


# --- Pages ---------------------------------------------------------------------------------------------


def test_set_language_is_mounted_at_i18n_setlang():
    assert reverse("set_language") == "/i18n/setlang/"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default(client):
    html = text(client.get(reverse("login")))
    assert '<html lang="zh-hans">' in html
    assert "登录" in html and "English" in html


@pytest.mark.django_db
def test_login_page_in_english_after_switching(client):
    english(client)
    html = text(client.get(reverse("login")))
    assert_english(html, LOGIN_LABELS + ["知识产权强市建设"])
    for words in ("Log in", "Username", "Password", "IP Strong City Programme"):
        assert words in html
    assert ">中文</button>" in html  # the switch back


@pytest.mark.django_db
def test_accept_language_header_chooses_english(client):
    html = text(client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en"))
    assert_english(html, LOGIN_LABELS)
    assert "Log in" in html


@pytest.mark.django_db
def test_failed_login_message_in_english(client):
    english(client)
    html = text(client.post(reverse("login"), {"username": "nobody", "password": "wrong"}))
    assert "Incorrect username or password" in html
    assert "用户名或密码不正确" not in html


@pytest.fixture
def plan_world(db):
    """Data named in Latin letters, so any Chinese on the page comes from the UI, not from the data."""
    city = CityFactory(code="en-city", name="Testville")
    plan = PlanFactory(city=city, code="en-plan", title="Testville IP plan")
    IndicatorFactory(plan=plan, name="Valid invention patents", category="Creation", unit="pcs")
    TaskFactory(plan=plan, title="Build a patent pool", text="Set up the pool.", section="II.(1)")
    return plan, make_user("en_staff", Role.BUREAU_STAFF, city=city)


def test_logged_in_plan_pages_in_english(client, plan_world):
    plan, user = plan_world
    english(client)
    client.force_login(user)

    html = text(client.get(reverse("plan_list")))
    assert_english(html, FRAME_LABELS + ["方案名称", "文号"])
    for words in (
        "Plans",
        "Plan title",
        "Document number",
        "Indicator",
        "Task",
        "Log out",
        "Change password",
        "Dashboard",
        "Notifications",
    ):
        assert words in html

    html = text(client.get(reverse("plan", args=[plan.code])))
    assert_english(html, FRAME_LABELS + PLAN_LABELS)
    for words in (
        "Indicator name",
        "Base value",
        "Target value",
        "Lead department",
        "Responsible departments",
        "Plan period",
        "Stock (cumulative)",
        "Target value",
    ):
        assert words in html


def test_logged_in_dashboard_in_english(client, plan_world):
    _plan, user = plan_world
    english(client)
    client.force_login(user)
    html = text(client.get(reverse("home")))
    assert_english(html, FRAME_LABELS + ["时间进度", "指标进度", "全部指标", "实施期限", "截至"])
    for words in ("Time elapsed", "Progress", "All indicators", "Log out"):
        assert words in html


# --- The catalogue -------------------------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """A PO file's entries (the header and obsolete entries left out), with the standard library only."""
    entries = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, field = {"flags": set(), "msgstr": {}}, None
        for line in block.splitlines():
            line = line.strip()
            if line.startswith("#~"):
                entry = None
                break
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
            if not line or line.startswith("#"):
                continue
            if line.startswith('"'):
                if field[0] == "msgstr":
                    entry["msgstr"][field[1]] += ast.literal_eval(line)
                else:
                    entry[field[0]] += ast.literal_eval(line)
                continue
            keyword, _, rest = line.partition(" ")
            if keyword.startswith("msgstr"):
                field = ("msgstr", int(keyword[7:-1]) if "[" in keyword else 0)
                entry["msgstr"][field[1]] = ast.literal_eval(rest)
            else:
                field = (keyword, None)
                entry[keyword] = ast.literal_eval(rest)
        if entry and entry.get("msgid"):
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[dict]:
    entries = parse_po(PO)
    assert len(entries) > 500
    return entries


def test_every_entry_is_translated(catalogue):
    empty = [e["msgid"] for e in catalogue if not all(e["msgstr"].values()) or not e["msgstr"]]
    assert not empty, f"untranslated: {empty}"
    assert not [e["msgid"] for e in catalogue if "fuzzy" in e["flags"]]


def test_plural_entries_have_both_english_forms(catalogue):
    plurals = [e for e in catalogue if "msgid_plural" in e]
    assert plurals
    for e in plurals:
        assert set(e["msgstr"]) == {0, 1}, e["msgid"]


def test_translations_are_english_and_keep_placeholders(catalogue):
    for e in catalogue:
        source = e.get("msgid_plural", e["msgid"])
        for text_ in e["msgstr"].values():
            # Chinese may only remain as the literal cell values 是/否 the Excel template asks for.
            assert not CJK.search(text_.replace("“是”", "").replace("“否”", "")), (e["msgid"], text_)
            assert sorted(PLACEHOLDER.findall(text_)) == sorted(PLACEHOLDER.findall(source)), (e["msgid"], text_)
            assert text_.startswith("\n") == e["msgid"].startswith("\n"), e["msgid"]
            assert text_.endswith("\n") == e["msgid"].endswith("\n"), e["msgid"]


def test_compiled_catalogue_matches_the_po(catalogue):
    """django.mo is committed: it must hold every translation of django.po."""
    with MO.open("rb") as f:
        translations = gettext.GNUTranslations(f)
    for e in catalogue:
        context = e.get("msgctxt")
        if "msgid_plural" in e:
            assert translations.ngettext(e["msgid"], e["msgid_plural"], 1) == e["msgstr"][0]
            assert translations.ngettext(e["msgid"], e["msgid_plural"], 2) == e["msgstr"][1]
        elif context:
            assert translations.pgettext(context, e["msgid"]) == e["msgstr"][0]
        else:
            assert translations.gettext(e["msgid"]) == e["msgstr"][0], e["msgid"]


# --- The engine's reasons ------------------------------------------------------------------------------


def test_every_reason_reads_english_in_the_english_ui():
    """Regression (issue 11): every reason stayed Chinese in the English UI. Each code, with its arguments
    and notes, rendered through the catalogue: no Chinese left, every placeholder filled."""
    from django.utils import translation

    from core.reasons import MESSAGES, render

    args = {
        "year": 2023,
        "growth": ["num", -120, "%"],
        "current": ["num", 17.18, "%"],
        "target": ["target", 17, "%", True],
        "when": ["period", "2024-03-31", "quarterly"],
        "period": ["period", "2024-12-31", "yearly"],
        "deadline": ["date", "2025-07-15"],
        "start": ["date", "2024-01-01"],
        "ytd": ["num", 3.5, ""],
        "due": ["date", "2026-12-31"],
        "elapsed": ["pct", 0.7],
        "progress": ["pct", 0.419],
        "expected": ["pct", 0.6],
        "band": ["num", 15, ""],
        "base": ["num", 17.31, "%"],
    }
    notes = [[code, args] for code in MESSAGES if code.startswith("note_")]
    with translation.override("en"):
        for code in MESSAGES:
            text_ = render({"code": code, "args": args, "notes": notes})
            assert not CJK.search(text_), (code, text_)
            assert "%(" not in text_, (code, text_)
    assert (
        render({"code": "fell_back", "args": args})
        == "当前值17.18%回落至目标值17%（越低越好）以下（2024年第1季度曾达到）"
    )
