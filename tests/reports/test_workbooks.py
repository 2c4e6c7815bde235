"""The quarterly workbook as a reader opens it: sheets, headers, values, formats, frozen rows, print setup."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.periods import Quarter
from core.status import STATUS_COLOURS, Status
from indicators.models import Reading
from reports import selectors, workbooks
from tests.factories import DepartmentFactory, IndicatorFactory, UserFactory
from tests.reports.conftest import QUARTER_ENDS, Q, add_stock, add_task, rows_by_code, saved

DATA_SHEETS = {"指标": "D2", "任务": "D2", "季度数据": "C2"}


def build(world, user=None, quarter=Q):
    report = selectors.quarterly_report(plan=world.plan, quarter=quarter, user=user or world.staff)
    return report, saved(workbooks.quarterly_workbook(report))


def test_quarterly_workbook_has_its_sheets_with_chinese_headers(report_world):
    _, book = build(report_world)
    assert book.sheetnames == ["封面", "指标", "任务", "季度数据", "部门落实情况"]
    assert [c.value for c in book["指标"][1]] == [
        "代码",
        "类别",
        "指标名称",
        "单位",
        "口径·目标形式",
        "基期年份",
        "基期值",
        "目标值",
        "当前值",
        "判定口径",
        "本季度数值",
        "数据日期",
        "应达进度\n（%）",
        "指标进度\n（%）",
        "状态",
        "判断依据",
        "需每季度新增",
        "近四季度平均",
        "牵头单位",
        "文件原文",
        "待确认的解读",
    ]
    assert [c.value for c in book["任务"][1]] == [
        "章节",
        "序号",
        "任务",
        "任务内容",
        "牵头单位",
        "责任单位",
        "完成时限",
        "进展状态",
        "报送日期",
        "本季度最新进展",
        "逾期/未报送部门",
    ]
    assert [c.value for c in book["季度数据"][1]] == ["代码", "指标名称", "单位", "统计口径"] + [
        f"{d.year}年\n第{(d.month - 1) // 3 + 1}季度" for d in QUARTER_ENDS
    ]
    assert book["封面"]["A1"].value == "本市 2025年第2季度 知识产权强市建设工作进展通报"


def test_indicator_sheet_stores_numbers_as_numbers_with_formats_and_colours(report_world):
    report, book = build(report_world)
    rows = rows_by_code(book["指标"])
    lagging = rows["A1"]
    result = next(r.result for r in report.summary.rows if r.indicator == report_world.lagging)
    assert result.status == Status.LAGGING
    assert (lagging["基期值"].value, lagging["目标值"].value, lagging["当前值"].value) == (100, 200, 120)
    assert lagging["当前值"].number_format == "#,##0"
    assert lagging["数据日期"].value.date() == dt.date(2025, 6, 30)
    assert lagging["数据日期"].number_format == "yyyy-mm-dd"
    assert lagging["指标进度\n（%）"].value == pytest.approx(0.2)
    assert lagging["指标进度\n（%）"].number_format == "0.0%"
    assert lagging["应达进度\n（%）"].value == pytest.approx(result.expected)
    assert lagging["状态"].value == "滞后"
    assert lagging["状态"].fill.fgColor.rgb.endswith(STATUS_COLOURS[Status.LAGGING].fill.lstrip("#"))
    assert lagging["判断依据"].value == result.reason
    assert lagging["文件原文"].value == "到2026年，有效发明专利拥有量达到200件。"
    assert lagging["牵头单位"].value == "市市场监管局"
    assert lagging["单位"].value == "件"
    assert lagging["口径·目标形式"].value == "累计数·目标值"

    flow = rows["A2"]
    assert flow["当前值"].value == pytest.approx(62.5)  # five approved quarters; the submitted one not counted
    assert flow["当前值"].number_format == "#,##0.00"
    # issue 11: which value is judged, beside the quarter's own one (a flow's total and its quarter)
    assert flow["判定口径"].value == "实施期累计"
    assert flow["本季度数值"].value is not None
    assert lagging["判定口径"].value == "最新值" and lagging["本季度数值"].value is None
    assert flow["状态"].value == "进度正常"
    assert "2025年第2季度数据已提交待审核" in flow["判断依据"].value
    assert rows["A4"]["状态"].value == "定性指标" and rows["A4"]["当前值"].value is None
    assert rows["A5"]["状态"].value == "基期缺失"
    assert rows["A5"]["状态"].fill.fgColor.rgb.endswith(STATUS_COLOURS[Status.INCOMPLETE].fill.lstrip("#"))


@pytest.mark.parametrize("sheet", list(DATA_SHEETS))
def test_data_sheets_freeze_the_header_and_print_a4_landscape_fitted_to_width(report_world, sheet):
    _, book = build(report_world)
    ws = book[sheet]
    assert ws.freeze_panes == DATA_SHEETS[sheet]
    assert ws.page_setup.orientation == "landscape"
    assert int(ws.page_setup.paperSize) == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.print_title_rows == "$1:$1"
    assert all(c.font.b for c in ws[1])


def test_cover_prints_a4_landscape_too(report_world):
    _, book = build(report_world)
    ws = book["封面"]
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage is True
    lagging_list = next(r for r in range(1, ws.max_row + 1) if str(ws.cell(r, 1).value).startswith("需关注指标"))
    assert [b.id for b in ws.row_breaks.brk] == [lagging_list - 1]  # the lagging list starts its own page


def test_columns_are_as_wide_as_their_text_within_bounds(report_world):
    _, book = build(report_world)
    ws = book["指标"]
    widths = {c: ws.column_dimensions[c].width for c in "ABCDEFGHIJKLMNOPQRST"}
    assert widths["A"] == 6  # the header 代码 (4 wide) + 2: wider than the codes
    assert widths["C"] == 20  # long names wrap at the column's maximum
    assert ws["T1"].value == "文件原文" and widths["T"] == 30
    assert ws["T2"].alignment.wrap_text
    assert ws.row_dimensions[2].height > 16  # the wrapped quote makes its row taller


def test_cover_has_the_headline_numbers_counts_and_lagging_list(report_world):
    report, book = build(report_world)
    ws = book["封面"]
    facts = {ws.cell(r, 1).value: ws.cell(r, 2) for r in range(3, 12)}
    assert facts["时间进度"].value == pytest.approx(report.summary.time_elapsed)
    assert facts["时间进度"].number_format == "0.0%"
    assert facts["指标进度"].value == pytest.approx(report.summary.indicator_progress)
    assert facts["指标数（个）"].value == 5
    assert facts["统计截至"].value == "2025年第2季度末（2025-06-30）"

    cells = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert cells["滞后"] == 1 and cells["基期缺失"] == 1 and cells["定性指标"] == 1
    attention = [r for r in ws.iter_rows(values_only=True) if r[0] == "A1"]
    assert len(attention) == 1
    code, name, status, since, progress_, expected, lead, reason, explanation = attention[0]
    assert (name, status, lead) == ("有效发明专利拥有量", "滞后", "市市场监管局")
    (row,) = [r for r in report.summary.rows if r.indicator.code == "A1"]
    assert since == (f"{row.status_since:%Y-%m-%d}" if row.status_since else "—")  # the date the pages show
    assert reason.startswith("指标进度20.0%")
    assert explanation == "审查周期延长，授权量低于预期。\n整改措施：开展专利预审快速通道。"


def test_figures_sheet_has_the_approved_series_up_to_the_quarter(report_world):
    _, book = build(report_world)
    rows = rows_by_code(book["季度数据"])
    lagging = [rows["A1"][k].value for k in list(rows["A1"])[4:]]
    assert lagging == [102, 105, 108, 110, 118, 120]  # the correction counts; 2025Q3 is after the quarter
    estimate = list(rows["A1"].values())[-1]
    assert estimate.font.i and estimate.number_format == "#,##0"
    flow = [rows["A2"][k].value for k in list(rows["A2"])[4:]]
    assert flow == [12.5, 12.5, 12.5, 12.5, 12.5, None]  # the submitted figure is not in the report
    assert list(rows["A3"].values())[-1].value == pytest.approx(92)  # 46 / 50 as a rate
    assert "A4" not in rows  # qualitative indicators have no series


def test_task_sheet_has_states_last_reports_and_late_departments(report_world):
    _, book = build(report_world, report_world.leader)
    rows = {r[1]: r for r in book["任务"].iter_rows(min_row=2, values_only=True) if r[1]}
    reported, blocked = rows["1"], rows["2"]
    assert reported[4:6] == ("市科技局", "市市场监管局")
    assert reported[7] == "推进中"
    assert reported[8].date() == dt.date(2025, 7, 5)
    assert reported[9] == "【市科技局】市科技局报送的进展。"
    assert reported[10] == "市市场监管局（逾期未报）"
    assert blocked[7] == "受阻"  # the lead's consolidated report states the task, though a partner says done
    assert blocked[10] == "市市场监管局（逾期报送）"


def test_task_progress_is_left_out_for_those_who_may_not_read_department_reports(report_world):
    _, book = build(report_world, report_world.provincial)
    ws = book["任务"]
    assert [c.value for c in ws[1]][-1] == "完成时限"
    assert "任务进展与报送情况仅对本市市场监管局、领导小组成员可见。" in [c.value for c in ws["A"]]
    cover = [c for row in book["封面"].iter_rows(values_only=True) for c in row]
    assert "牵头单位说明" not in cover
    assert not any(isinstance(c, str) and "审查周期延长" in c for c in cover)


def test_the_report_reflects_the_as_of_quarter_chosen(report_world):
    earlier, book = build(report_world, quarter=Quarter(2024, 4))
    row = rows_by_code(book["指标"])["A1"]
    assert row["当前值"].value == 110 and row["数据日期"].value.date() == dt.date(2024, 12, 31)
    assert len([k for k in rows_by_code(book["季度数据"])["A1"]]) == 4 + 4
    assert earlier.summary.as_of == dt.date(2024, 12, 31)


def test_figures_after_the_plan_period_or_before_it_are_not_in_the_series(report_world):
    add_stock(report_world.plan, "B1", 9, [1, 2])
    report_world.plan.period_start = dt.date(2024, 4, 1)
    report_world.plan.save()
    _, book = build(report_world)
    headers = [c.value for c in book["季度数据"][1]]
    assert "2024年\n第1季度" not in headers and headers[4] == "2024年\n第2季度"
    assert [rows_by_code(book["季度数据"])["B1"][h].value for h in headers[4:6]] == [2, None]


def test_building_a_workbook_reads_a_fixed_number_of_queries(report_world):
    """Regression guard: no query per indicator, figure, task, department or report."""

    def count():
        with CaptureQueriesContext(connection) as ctx:
            report = selectors.quarterly_report(plan=report_world.plan, quarter=Q, user=report_world.leader)
            workbooks.quarterly_workbook(report)
        return len(ctx.captured_queries)

    before = count()
    plan = report_world.plan
    for n in range(6):
        add_stock(plan, f"N{n}", 20 + n, [10, 20, 30, 40, 50, 60])
        IndicatorFactory(plan=plan, code=f"F{n}", order=40 + n, lead_department=report_world.science)
    extra = DepartmentFactory(city=plan.city, name="市财政局")
    for n in range(4):
        add_task(
            plan,
            f"{10 + n}",
            extra,
            report_world.science,
            reports=[(extra, "done", dt.date(2025, 7, 1)), (report_world.science, "blocked", dt.date(2025, 9, 1))],
        )
    assert count() == before
    for indicator in plan.indicators.filter(code__startswith="N"):
        _base_year_reading(indicator)
    assert count() == before


def _base_year_reading(indicator, *, chosen="2023"):
    return Reading.objects.create(
        indicator=indicator,
        code="base_year",
        topic="基期年份",
        quote="年均增长8%以上",
        question="文件没有写基期年份。",
        options=[
            {"key": "2023", "label": "以2023年为基期（方案期前一年）", "changes": {"base_year": 2023}},
            {"key": "2024", "label": "以2024年为基期", "changes": {"base_year": 2024}},
        ],
        default_option="2023",
        chosen=chosen,
    )


def test_an_unconfirmed_reading_stands_beside_its_indicator_until_the_city_confirms_it(report_world):
    """issue 12: the quarterly report shows the reading beside the indicator while it is 待确认."""
    reading = _base_year_reading(report_world.lagging)
    _, book = build(report_world)
    rows = rows_by_code(book["指标"])
    assert rows["A1"]["待确认的解读"].value == "基期年份：以2023年为基期（方案期前一年）（待确认）"
    assert rows["A1"]["待确认的解读"].alignment.wrap_text
    assert rows["A1"]["基期年份"].value == f"{report_world.lagging.base_year}（假定）"
    assert rows["A2"]["基期年份"].value == report_world.flow.base_year
    assert rows["A2"]["待确认的解读"].value is None
    cover = {c.value: book["封面"].cell(c.row, 2).value for c in book["封面"]["A"]}
    assert cover["待确认的解读"].startswith("1条")

    reading.state, reading.settled_by = Reading.State.CONFIRMED, UserFactory()
    reading.save()
    _, book = build(report_world)
    assert rows_by_code(book["指标"])["A1"]["待确认的解读"].value is None
    assert rows_by_code(book["指标"])["A1"]["基期年份"].value == report_world.lagging.base_year
    assert {c.value: book["封面"].cell(c.row, 2).value for c in book["封面"]["A"]}["待确认的解读"] == "无"
