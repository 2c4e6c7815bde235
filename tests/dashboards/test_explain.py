"""Issue 11: every page says which value is judged, what an indicator that cannot be judged waits for, and
what its numbers and statuses mean (the 说明 of every dashboard)."""

import re

import pytest
from django.utils import translation

from core.status import STATUS_LABELS
from tests.dashboards.conftest import AS_OF_QUARTER

pytestmark = pytest.mark.django_db
CJK = re.compile(r"[\u4e00-\u9fff]")


def get(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response


def explainer_block(html: str) -> str:
    match = re.search(r'<details class="card explainer".*?</details>', html, re.S)
    assert match, "no 说明 on the page"
    return match.group(0)


def test_a_ratio_rate_shows_the_quarters_own_rate_beside_the_pooled_one_it_is_judged_on(client, world):
    # D: 47/50 in 2025Q1 and 46/50 in 2025Q2 — judged on the pooled 93/100, the quarter's own rate is 92%
    response = get(client, world.users.leader, f"/indicators/{world.d.pk}/", as_of=AS_OF_QUARTER)
    page, html = response.context["page"], response.content.decode()
    assert (page.result.basis, page.result.current, page.result.period_value) == ("four_quarters", 93, 92)
    judged = re.search(r'<dd data-testid="judged-value">(.*?)</dd>', html, re.S).group(1)
    own = re.search(r'<dd data-testid="period-value">(.*?)</dd>', html, re.S).group(1)
    assert judged.startswith("93%") and own.startswith("92%")
    assert "（判定值·近四季度）" in html and "<dt>本季度</dt>" in html
    # the quarterly table has the judged value and the quarter's own one side by side
    assert [(p.current, p.period_value) for p in page.series][-2:] == [(94, 94), (93, 92)]


def test_a_stock_is_judged_on_its_latest_figure_with_no_second_value(client, world):
    response = get(client, world.users.leader, f"/indicators/{world.a.pk}/", as_of=AS_OF_QUARTER)
    html = response.content.decode()
    assert response.context["page"].period_label is None
    assert "（判定值·最新值）" in html and 'data-testid="period-value"' not in html


def test_a_growth_target_without_base_says_what_is_missing_who_supplies_it_and_by_when(client, world):
    response = get(client, world.users.leader, f"/indicators/{world.g.pk}/", as_of=AS_OF_QUARTER)
    page, html = response.context["page"], response.content.decode()
    panel = re.search(r'<section class="card waiting".*?</section>', html, re.S).group(0)
    assert "2023年基期值及其来源" in panel
    assert "市市场监管局核实后在指标数据页补录" in panel
    assert "下次报送截止2025-07-15（2025年第2季度数据）" in panel
    # never an empty chart, never rows of "—" alone
    assert 'data-chart="series"' not in html and not page.has_chart
    assert "尚无可评判的数值，暂无走势图" in html and "<th>季度末</th>" not in html
    # a leader is not sent to a form only bureau staff have
    assert "补录基期值</a>" not in html and "请在指标页" not in html


def test_bureau_staff_get_the_link_to_enter_the_missing_base(client, world):
    html = get(client, world.users.staff, f"/indicators/{world.g.pk}/", as_of=AS_OF_QUARTER).content.decode()
    assert "补录基期值</a>" in html


def test_a_qualitative_indicator_says_what_it_is_judged_on(client, world):
    response = get(client, world.users.leader, f"/indicators/{world.f.pk}/", as_of=AS_OF_QUARTER)
    html = response.content.decode()
    assert "定性指标：依据什么评估" in html and "相关任务的季度进展" in html
    assert 'data-chart="series"' not in html


def test_the_city_dashboard_lists_say_the_same_in_a_line(client, world):
    response = get(client, world.users.leader, "/cities/own/", as_of=AS_OF_QUARTER)
    html = response.content.decode()
    lines = re.findall(r'<div class="waiting-line" data-testid="waiting-line">(.*?)</div>', html)
    assert (
        "待补：2023年基期值及其来源；由市市场监管局核实后在指标数据页补录；"
        "下次报送截止2025-07-15（2025年第2季度数据）" in lines
    )
    assert any(line.startswith("依据：相关任务的季度进展") for line in lines)
    assert "当前（近四季度） 93%" in html  # the ratio rate's judged value is labelled on the list too


@pytest.mark.parametrize(
    "username, url, params",
    [
        ("leader", "/cities/own/", {}),
        ("leader", "/indicators/{a}/", {}),
        ("provincial", "/cities/", {}),
        ("provincial", "/compare/", {"key": "valid_invention_patents"}),
    ],
)
def test_every_dashboard_carries_a_short_explainer_with_the_plans_bands(client, world, username, url, params):
    user = getattr(world.users, username)
    html = get(client, user, url.format(a=world.a.pk), **params).content.decode()
    block = explainer_block(html)
    for term in ("时间进度", "指标进度", "应达进度", "判定值"):
        assert f"<dt>{term}</dt>" in block
    assert "超过5个百分点为预警，超过15个百分点为滞后" in block
    assert "期末后15天内报送" in block
    for label in STATUS_LABELS.values():
        assert f">{label}</span>" in block


def test_the_explainer_reads_english_in_the_english_ui(client, world):
    client.force_login(world.users.leader)
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        html = client.get("/cities/own/", {"as_of": AS_OF_QUARTER}).content.decode()
    block = explainer_block(html)
    assert "More than 5 points behind the expected progress is at risk" in block
    assert not CJK.search(block), CJK.findall(block)[:20]
