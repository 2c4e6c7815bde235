"""Who must act on a verdict (tasks.responsibility): lead (marked when defaulted), responsible departments, the
open 督办 item at its step, the last task report — on the city dashboard and the indicator page, per role."""

import datetime as dt

import pytest

from dashboards.selectors import _who_words
from dashboards.templatetags.dashboards_tags import who_line
from indicators.models import Indicator
from tasks.responsibility import OpenSupervision, indicator_responsibility
from tasks.rules import Light, SupervisionStatus
from tests.dashboards.conftest import AS_OF_QUARTER

pytestmark = pytest.mark.django_db


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def who(world, user, *indicators, as_of=None):
    return indicator_responsibility(user=user, indicators=list(indicators), as_of=as_of or dt.date.today())


def test_a_lagging_indicator_names_its_lead_partner_open_item_and_last_report(world):
    found = who(world, world.users.leader, world.a)[world.a.pk]
    assert (found.leads, found.defaulted, found.responsible) == (["市科技局"], False, ["市财政局"])
    assert (found.supervision.department, found.supervision.step_label) == ("市科技局", "待审核")
    report = found.last_report
    assert (report.department, report.quarter.label, report.state_label) == ("市科技局", "2025年第2季度", "已完成")


def test_as_of_an_earlier_quarter_only_what_existed_by_then(world):
    found = who(world, world.users.leader, world.a, as_of=dt.date(2025, 3, 31))[world.a.pk]
    assert found.supervision is None  # raised after that quarter
    assert (found.last_report.department, found.last_report.state_label) == ("市财政局", "推进中")


def test_what_a_role_may_not_see_is_left_out(world):
    found = who(world, world.users.provincial, world.a)[world.a.pk]
    assert found.leads == ["市科技局"] and found.supervision is None and found.last_report is None
    partner = who(world, world.users.partner_user, world.a)[world.a.pk]
    assert partner.supervision is None  # addressed to 市科技局
    assert partner.last_report.department == "市科技局"  # the lead's consolidated report


def test_the_dashboard_names_who_must_act_and_marks_a_defaulted_lead(client, world):
    world.c.lead_department_defaulted = True
    world.c.save()
    response = get(client, world.users.leader, "/cities/own/", as_of=AS_OF_QUARTER)
    html = response.content.decode()
    lines = {line.indicator.code: line for line in response.context["page"].attention}
    assert lines["C"].who.defaulted and not lines["A"].who.defaulted
    assert html.count('data-testid="who"') == len(response.context["page"].attention) + sum(
        len(lines_) for _category, lines_ in response.context["page"].categories
    )
    assert '牵头单位：市市场监管局 <span class="defaulted">（文件未写明，默认）</span>' in html
    assert "责任单位：市财政局" in html and "最新任务进展：市科技局 2025年第2季度 已完成" in html


def test_the_indicator_page_names_who_must_act(client, world):
    html = get(client, world.users.leader, f"/indicators/{world.a.pk}/").content.decode()
    assert '<dd data-testid="who-responsible">市财政局</dd>' in html
    assert "待审核</a> · 市科技局" in html
    assert "市科技局 · 2025年第2季度 · 已完成" in html
    provincial = get(client, world.users.provincial, f"/indicators/{world.a.pk}/").content.decode()
    assert "无未办结的督办事项" in provincial and "尚无可查看的任务进展" in provincial


def test_the_selector_reads_five_queries_whatever_the_number_of_indicators(world, django_assert_num_queries):
    indicators = list(Indicator.objects.filter(plan__city=world.city).select_related("lead_department"))
    with django_assert_num_queries(5):  # co-leads, shared tasks, open items, newest report ids, the reports
        who(world, world.users.leader, *indicators)


# The who line's markup, as templates/dashboards/_who.html placed it before the who_line filter replaced the
# include (regression: the page's HTML did not change with the filter, and every word is escaped).
FULL_LINE = {
    "leads": "牵头单位：市科技局、市<财政>局",
    "defaulted": "文件未写明，默认",
    "answering": "市科技局答复督办",
    "responsible": "责任单位：市财政局",
    "supervision": {
        "word": "督办",
        "url": "/supervision-items/7/",
        "step": "待签收",
        "light": "yellow",
        "light_label": "临期",
        "due": "期限 2026-12-02",
    },
    "report": "最新任务进展：市科技局 2025年第2季度 已完成（2025-07-01）",
}


def test_the_who_line_filter_places_every_part_escaped():
    assert who_line(FULL_LINE) == (
        '<div class="responsibility muted" data-testid="who">牵头单位：市科技局、市&lt;财政&gt;局'
        ' <span class="defaulted">（文件未写明，默认）</span> <span class="defaulted">（市科技局答复督办）</span>\n'
        " · 责任单位：市财政局\n"
        ' · 督办：<a href="/supervision-items/7/">待签收</a> <span class="light light-yellow">临期</span>'
        " 期限 2026-12-02\n"
        " · 最新任务进展：市科技局 2025年第2季度 已完成（2025-07-01）</div>"
    )


def test_the_who_line_filter_leaves_out_what_a_line_lacks():
    bare = {**FULL_LINE, "defaulted": False, "answering": False, "responsible": "", "supervision": None}
    bare["report"] = None
    assert who_line(bare) == (
        '<div class="responsibility muted" data-testid="who">牵头单位：市科技局、市&lt;财政&gt;局\n\n\n</div>'
    )
    no_light = {**FULL_LINE, "supervision": {**FULL_LINE["supervision"], "light": None, "due": None}}
    assert ' · 督办：<a href="/supervision-items/7/">待签收</a>\n · 最新' in who_line(no_light)
    assert who_line(None) == ""


def test_the_words_translated_once_per_page_read_as_each_item_would():
    """_who_words() stands for OpenSupervision.step_label and light_label on every line (regression: the page
    translated them per line; reading them once must not change a word)."""
    words = _who_words()
    for status in SupervisionStatus:
        for light in (*Light, None):
            item = OpenSupervision(1, "市科技局", status, light, None)
            assert (words["steps"][status], words["lights"].get(light, "")) == (item.step_label, item.light_label)
