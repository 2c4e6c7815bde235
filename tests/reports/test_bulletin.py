"""The written 通报 read back with python-docx: its parts in the order of GB/T 9704, its sentences and numbers
taken from the data (the city dashboard's numbers; no percentage the data does not give), its fonts and page."""

import datetime as dt
import io
import re

import pytest
from docx import Document

from core.status import STATUS_LABELS
from dashboards import selectors as dashboards
from reports import bulletin, charts, selectors
from tasks.models import SupervisionItem
from tests.reports.conftest import Q, aware

SECTIONS = ["一、总体进展", "二、已完成目标", "三、滞后指标及原因", "四、督办落实", "五、下一步工作建议"]


def built(world, user=None):
    report = selectors.quarterly_report(plan=world.plan, quarter=Q, user=user or world.staff)
    text = bulletin.compose(report)
    return report, text, Document(io.BytesIO(bulletin.document_bytes(text, report)))


def body(document) -> list[str]:
    return [p.text for p in document.paragraphs]


@pytest.mark.parametrize(
    ("n", "words"), [(1, "一"), (9, "九"), (10, "十"), (11, "十一"), (20, "二十"), (25, "二十五"), (99, "九十九")]
)
def test_sections_and_items_are_numbered_in_chinese(n, words):
    assert bulletin.chinese_number(n) == words


def test_the_bulletin_has_the_parts_of_an_official_document_in_order(report_world):
    report, text, document = built(report_world)
    paragraphs = body(document)
    issuer = "本市" + report_world.owner.name.removeprefix("市")
    assert paragraphs[0] == text.issuer == issuer  # 发文机关标志
    assert paragraphs[1] == f"××〔{report.generated_on.year}〕×号"  # 文号, filled in when issued
    assert paragraphs[3] == "关于本市2025年第2季度知识产权强市\n建设工作进展情况的通报"
    assert paragraphs[5] == "各牵头单位、责任单位："
    positions = [paragraphs.index(heading) for heading in SECTIONS]
    assert positions == sorted(positions)
    today = report.generated_on
    closing = paragraphs.index("附件：各指标状态一览表")
    assert paragraphs[closing + 2 : closing + 4] == [issuer, f"{today.year}年{today.month}月{today.day}日"]
    assert paragraphs[closing + 4] == "（数据截至2025-06-30，依据已审核数据生成；发文字号印发时填写。）"
    assert paragraphs[closing + 5] == "附件" and paragraphs[closing + 6] == "各指标状态一览表"
    assert document.core_properties.title == "关于本市2025年第2季度知识产权强市建设工作进展情况的通报"


def test_its_numbers_are_the_city_dashboards(report_world):
    user = report_world.leader
    page = dashboards.city_dashboard(user=user, as_of=dashboards.as_of_from(str(Q)), city_code="own")
    report, text, document = built(report_world, user)
    overall = "".join(body(document)[body(document).index("一、总体进展") : body(document).index("二、已完成目标")])
    assert f"时间进度{dashboards.percent(page.summary.time_elapsed)}" in overall
    assert f"指标进度{dashboards.percent(page.summary.indicator_progress)}" in overall
    for count in page.status_counts:
        if count["n"]:
            assert f"{count['label']}{count['n']}项" in overall
    assert f"方案共{len(page.summary.rows)}项指标" in overall

    (table,) = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "指标名称", "单位", "目标值", "当前值", "指标进度", "应达进度", "状态", "牵头单位"]
    assert len(rows) == len(page.summary.rows) + 1
    for row, line in zip(rows[1:], page.summary.rows, strict=True):
        result = line.result
        assert row[1] == line.indicator.name
        assert row[3:8] == [
            dashboards.amount(result.end_target),
            dashboards.amount(result.current),
            dashboards.percent(result.progress),
            dashboards.percent(result.expected),
            STATUS_LABELS[result.status],
        ]
        assert row[8].rstrip("*") == line.indicator.lead_names


def test_every_percentage_it_states_comes_from_the_data(report_world):
    """Nothing invented: each n.n% of the text is a share the report holds or part of a reason it quotes."""
    report, text, document = built(report_world)
    summary = report.summary
    given = {dashboards.percent(summary.time_elapsed), dashboards.percent(summary.indicator_progress), "100%"}
    quoted = ""
    for row in summary.rows:
        given |= {dashboards.percent(row.result.progress), dashboards.percent(row.result.expected)}
        quoted += row.result.reason
    stated = re.findall(r"\d+(?:\.\d+)?%", "".join(body(document)))
    assert stated
    assert [p for p in stated if p not in given and p not in quoted] == []


def test_lagging_indicators_name_their_lead_and_its_explanation(report_world):
    report, text, document = built(report_world)
    paragraphs = body(document)
    lagging = report.summary.attention
    assert lagging and lagging[0].indicator == report_world.lagging
    heading = f"（一）有效发明专利拥有量（{STATUS_LABELS[lagging[0].result.status]}）"
    start = paragraphs.index(heading)
    assert paragraphs[start + 1] == f"原因：{lagging[0].result.reason}。"
    item = paragraphs[start + 1 : paragraphs.index("四、督办落实")]
    assert f"牵头单位：{report_world.lagging.lead_names}。" in item
    assert "牵头单位说明：审查周期延长，授权量低于预期。整改措施：开展专利预审快速通道。" in item
    assert document.paragraphs[start].style.name == "Heading 2"
    assert document.paragraphs[paragraphs.index("三、滞后指标及原因")].style.name == "Heading 1"


def test_open_supervision_items_and_who_must_act_next(report_world):
    SupervisionItem.objects.create(
        plan=report_world.plan,
        department=report_world.science,
        reason=SupervisionItem.Reason.MANUAL,
        indicator=report_world.flow,
        acknowledge_due=dt.date(2025, 6, 1),
        due_date=dt.date(2025, 6, 20),
        created_at=aware(dt.date(2025, 5, 20)),
    )
    report, text, document = built(report_world)
    paragraphs = body(document)
    section = paragraphs[paragraphs.index("四、督办落实") + 1 : paragraphs.index("五、下一步工作建议")]
    assert section[0].startswith("截至本季度末，在办督办事项1项，其中逾期")
    assert section[1].startswith(
        f"1. {report_world.science.name}：技术合同成交额，督办原因为交办督办，待签收，期限2025-06-01"
    )
    steps = paragraphs[paragraphs.index("五、下一步工作建议") + 1 : paragraphs.index("附件：各指标状态一览表")]
    for row in report.summary.attention:
        assert any(row.indicator.name in s and row.indicator.lead_names in s for s in steps), row.indicator.name
    # a department that has not reported its part of a task is asked to
    late = {name for task_row in report.tasks for name, _status in task_row.late}
    for name in late:
        assert any(s.startswith("（") and f"请{name}报送" in s for s in steps)


def test_a_viewer_without_the_task_overview_is_told_what_is_left_out(report_world):
    report, text, document = built(report_world, report_world.provincial)
    paragraphs = body(document)
    assert not report.shows_department_reports
    section = paragraphs[paragraphs.index("四、督办落实") + 1]
    assert section == "督办事项仅对本市市场监管局、领导小组成员可见，本通报未列出。"
    assert not any(p.startswith("牵头单位说明") for p in paragraphs)


def test_the_page_fonts_and_pictures_of_the_standard(report_world):
    report, text, document = built(report_world)
    section = document.sections[0]
    measures = (section.page_width, section.page_height, section.top_margin, section.bottom_margin)
    measures += (section.left_margin, section.right_margin)
    assert [round(length.mm) for length in measures] == [210, 297, 37, 35, 28, 26]  # A4; 版心 156 × 225 mm
    xml = document.element.xml
    for font in ("方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"):
        assert f'w:eastAsia="{font}"' in xml, font
    assert document.styles["Normal"].font.size.pt == 16  # 三号: what a user types reads like the rest
    pictures = len(document.inline_shapes)
    if charts.cjk_font() is None:
        assert pictures == 0 and "（本机未安装中文字体，图表未生成。）" in body(document)
    else:
        assert pictures == 2
        assert "图1 各状态指标数（不含定性指标）" in body(document) and "图2 定量指标进度与应达进度" in body(document)
    footer = section.footer.paragraphs[0]
    assert footer.text == "—  —" and "PAGE" in footer._element.xml  # — 1 —, the number a field


def test_without_a_cjk_font_the_charts_are_left_out_and_said_so(report_world, monkeypatch):
    monkeypatch.setattr(charts, "cjk_font", lambda: None)
    report, text, document = built(report_world)
    assert len(document.inline_shapes) == 0
    assert "（本机未安装中文字体，图表未生成。）" in body(document)


def test_the_charts_are_pngs_drawn_without_a_browser(report_world):
    if charts.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-noto-cjk)")
    report = selectors.quarterly_report(plan=report_world.plan, quarter=Q, user=report_world.staff)
    for image in (
        charts.status_chart(report.summary.counts, axis_title="指标数（项）"),
        charts.progress_chart(report.summary.rows, axis_title="指标进度", expected_label="应达进度"),
    ):
        assert image.startswith(b"\x89PNG") and len(image) > 5_000


def test_readings_still_to_confirm_are_said_in_the_overall_progress(report_world):
    """issue 12: the 通报 says which readings of the document its numbers rest on while they are 待确认."""
    from indicators.models import Reading

    reading = Reading.objects.create(
        indicator=report_world.lagging,
        code="base_year",
        topic="基期年份",
        quote="年均增长8%以上",
        question="文件没有写基期年份。",
        options=[
            {"key": "2023", "label": "以2023年为基期", "changes": {"base_year": 2023}},
            {"key": "2024", "label": "以2024年为基期", "changes": {"base_year": 2024}},
        ],
        default_option="2023",
        chosen="2023",
    )
    _, _, document = built(report_world)
    paragraphs = body(document)
    overall = paragraphs[paragraphs.index(SECTIONS[0]) : paragraphs.index(SECTIONS[1])]
    assert (
        "方案文件有1处未写明、由数据作出解读且尚待确认：有效发明专利拥有量的基期年份按“以2023年为基期”；确认前进度按此计算。"
        in overall
    )
    reading.state = Reading.State.CONFIRMED
    reading.save()
    _, _, document = built(report_world)
    assert not any("尚待确认" in p for p in body(document))
