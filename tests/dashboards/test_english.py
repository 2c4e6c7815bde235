"""The dashboards in English on a real plan (Chaoyang's fixture, its names stored in both languages): the
chrome — navigation, headings, table headers, buttons, labels, legends — has no Chinese left, and where an
English name is stored the page shows it. Only data the document names in Chinese alone (the plan's title,
its categories, the province, task titles, a user's name) may stay Chinese."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings

from accounts.models import Role
from indicators.models import Indicator
from ops.demo import demo_figures_load
from ops.fixtures import PLAN_FIXTURE_DIR, plan_fixture_load
from plans.models import Plan
from tests.factories import make_user

HAN = re.compile(r"[\u4e00-\u9fff]")
CHROME_TAGS = {"nav", "h1", "h2", "th", "button", "label", "summary", "legend", "caption"}


class Chrome(HTMLParser):
    """The text inside the chrome's tags (and paragraphs marked .legend), each as one string."""

    def __init__(self):
        super().__init__()
        self.open: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if tag in CHROME_TAGS or "legend" in classes:
            self.open.append(tag)
            self.parts.append("")
        elif self.open and tag not in ("br", "input", "img", "meta", "link"):
            self.open.append(tag)

    def handle_endtag(self, tag):
        if self.open and tag in self.open:
            while self.open and self.open.pop() != tag:
                pass

    def handle_data(self, data):
        if self.open:
            self.parts[-1] += data


def chrome(html: str) -> list[str]:
    parser = Chrome()
    parser.feed(html)
    return [" ".join(p.split()) for p in parser.parts if p.strip()]


@pytest.fixture
def chaoyang(db):
    plan_fixture_load(path=PLAN_FIXTURE_DIR / "chaoyang.yaml")
    demo_figures_load()
    plan = Plan.objects.get(city__code="chaoyang")
    counted = Indicator.objects.filter(plan=plan, unit="件", progress__current__isnull=False).exclude(name_en="")
    return plan, counted.first()


def chinese_only_data(plan) -> list[str]:
    """What the document names in Chinese alone: it may stay on an English page."""
    names = [plan.title, plan.document_number, plan.city.province, "系统管理员", "中文"]  # 中文: the switch back
    names += list(plan.indicators.values_list("category", flat=True).distinct())
    names += list(plan.tasks.values_list("title", flat=True))
    names += list(plan.indicators.filter(name_en="").values_list("name", flat=True))
    return sorted({n for n in names if n}, key=len, reverse=True)


def english_page(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(url)
    assert response.status_code == (404 if "no-such" in url else 200), url
    return response.content.decode()


@pytest.mark.parametrize("who", ["admin", "leader"])
def test_dashboards_chrome_reads_english(client, chaoyang, who):
    plan, indicator = chaoyang
    user = make_user(f"en_{who}", Role.ADMIN if who == "admin" else Role.LEADER, city=plan.city)
    user.first_name = "系统管理员"  # a user's name is data: it stays as entered
    user.save()
    client.force_login(user)
    allowed = chinese_only_data(plan)
    urls = [f"/cities/{plan.city.code}/", f"/indicators/{indicator.pk}/"]
    if who == "admin":
        urls += ["/cities/", "/compare/", "/no-such-page/"]
    for url in urls:
        html = english_page(client, url)
        for text in chrome(html):
            for name in allowed:
                text = text.replace(name, "")
            assert not HAN.search(text), (url, text)


def test_english_names_are_shown_where_stored(client, chaoyang):
    plan, indicator = chaoyang
    client.force_login(make_user("en_admin", Role.ADMIN))
    html = english_page(client, f"/indicators/{indicator.pk}/")
    assert f"<h1>{indicator.name_en} " in html and indicator.name not in chrome(html)[0]
    lead = indicator.lead_department
    assert lead.name_en and lead.name_en in html
    html = english_page(client, f"/cities/{plan.city.code}/")
    assert f"<h1>{plan.city.name_en} · " in html
    # units in English too: a count of patents reads "items", not 件
    assert not re.search(r"\d(件|家|个|项|人|次)", html)
    assert re.search(r"\d items", html)


def test_navigation_is_short_enough_for_one_line_in_english(client, chaoyang):
    """Six long English labels are shortened for the bar (context 导航) and the account's pages sit in a
    menu under the user's name; the browser test measures the line itself."""
    client.force_login(make_user("en_admin", Role.ADMIN))
    html = english_page(client, "/cities/")
    nav = chrome(html)[0]
    for label in ("Overview", "Compare", "Data entry", "Task matrix", "Supervision", "Instructions"):
        assert label in nav
    assert '<details class="account-menu">' in html
