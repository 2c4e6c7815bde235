"""The comparison workbook, written in openpyxl's write-only mode from rows read a chunk at a time, as a
reader opens it: every compared indicator once, in order; the summary's cells; formats, colours, widths,
row heights, frozen panes, filter and print setup.

Regression (issue 20): built in memory it took 1.5 GB at 3,000 cities. The streamed build was proved
cell for cell equal to the in-memory one before that was removed; these tests keep what a reader sees."""

import pytest
from django.utils import timezone

from core.periods import closed_quarters
from core.status import STATUS_COLOURS, STATUS_LABELS, STATUS_ORDER
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from ops.synthetic import synthetic_generate
from plans.models import City, Plan
from reports import selectors, workbooks
from tests.reports.conftest import saved

DETAIL_HEADERS = [
    "对比指标",
    "城市",
    "指标名称\n（原文）",
    "单位",
    "基期值",
    "目标值",
    "当前值",
    "判定口径",
    "本季度数值",
    "数据日期",
    "应达进度\n（%）",
    "指标进度\n（%）",
    "进度差\n（百分点）",
    "状态",
    "判断依据",
    "牵头单位",
]


@pytest.fixture
def compared(db, monkeypatch):
    """12 synthetic cities with stored snapshots, read in chunks of 5 (chunks end inside a key and a plan)."""
    synthetic_generate(cities=12, indicators_per_city=8, quarters=8, seed=3)
    indicator_history_rebuild()
    indicator_progress_recompute()
    monkeypatch.setattr(selectors, "COMPARISON_CHUNK", 5)
    plan = Plan.objects.filter(city__is_synthetic=True).order_by("code").first()
    quarter = closed_quarters(plan.period_start, plan.period_end, today=timezone.localdate())[1]
    report = selectors.comparison_report(cities=City.objects.filter(is_synthetic=True), quarter=quarter)
    return report, list(report.rows()), saved(workbooks.comparison_workbook(report))


def test_the_detail_has_every_compared_indicator_once_in_order_with_its_numbers(compared):
    report, rows, book = compared
    ws = book["对比明细"]
    assert [c.value for c in ws[1]] == DETAIL_HEADERS
    keys = [r.indicator.catalogue_key for r in rows]
    assert len(rows) == 12 * 8 and keys == sorted(keys)
    assert len({r.indicator.pk for r in rows}) == len(rows)
    for number, row in enumerate(rows, start=2):
        cells = {h: ws.cell(number, col) for col, h in enumerate(DETAIL_HEADERS, start=1)}
        indicator, result = row.indicator, row.result
        assert cells["对比指标"].value == report.labels[indicator.catalogue_key]
        assert (cells["城市"].value, cells["指标名称\n（原文）"].value) == (indicator.plan.city.name, indicator.name)
        assert cells["状态"].value == STATUS_LABELS[result.status]
        assert cells["状态"].fill.fgColor.rgb.endswith(STATUS_COLOURS[result.status].fill.lstrip("#"))
        assert cells["判断依据"].value == result.reason and cells["判断依据"].alignment.wrap_text
        assert cells["指标进度\n（%）"].value == (None if result.progress is None else pytest.approx(result.progress))
        if result.progress is not None:
            assert cells["指标进度\n（%）"].number_format == "0.0%"
        if result.current is not None:
            assert cells["当前值"].value == pytest.approx(result.current)
            assert cells["当前值"].number_format in ("#,##0", "#,##0.00")
        if result.data_date is not None:
            assert cells["数据日期"].value.date() == result.data_date
            assert cells["数据日期"].number_format == "yyyy-mm-dd"
        assert all(c.border.left.style == "thin" for c in cells.values())
    assert ws.max_row == len(rows) + 1
    assert ws.freeze_panes == "C2" and ws.auto_filter.ref == f"A1:P{len(rows) + 1}"
    assert ws.column_dimensions["O"].width == 36  # the reasons wrap at the column's maximum
    assert ws.row_dimensions[1].height == 3 * 16 + 2  # 进度差（百分点） on three lines in a 10-wide column
    assert all(ws.row_dimensions[n].height for n in range(2, len(rows) + 2) if len(ws.cell(n, 15).value) > 35)


def test_the_summary_has_each_key_by_plan_with_the_first_indicator_of_the_plan(compared):
    report, rows, book = compared
    ws = book["对比总表"]
    assert [c.value for c in ws[1]][:2] == ["对比指标", "城市数\n（个）"]
    assert [c.value for c in ws[1]][2:] == [
        f"{p.city_name}\n{p.period_start.year}—{p.period_end.year}" for p in report.plans
    ]
    first = {}
    for row in rows:
        first.setdefault((row.indicator.catalogue_key, row.indicator.plan_id), row.result)
    for number, (key, label) in enumerate(report.labels.items(), start=2):
        assert ws.cell(number, 1).value == label
        assert ws.cell(number, 2).value == sum((key, p.pk) in first for p in report.plans)
        for col, plan in enumerate(report.plans, start=3):
            cell, result = ws.cell(number, col), first.get((key, plan.pk))
            if result is None:
                assert cell.value is None
            elif result.progress is None:
                assert cell.value == STATUS_LABELS[result.status]
            else:
                assert (cell.value, cell.number_format) == (pytest.approx(result.progress), "0.0%")
            if result is not None:
                assert cell.fill.fgColor.rgb.endswith(STATUS_COLOURS[result.status].fill.lstrip("#"))
    note = ws.cell(len(report.labels) + 3, 1)
    assert note.value.startswith("单元格为指标进度") and note.font.i
    assert ws.freeze_panes == "C2" and ws.print_title_rows == "$1:$1"
    assert ws.column_dimensions["C"].width in (11, 12)


@pytest.mark.parametrize("sheet", ["说明", "对比总表", "对比明细"])
def test_every_comparison_sheet_prints_a4_landscape_fitted_to_the_width(compared, sheet):
    ws = compared[2][sheet]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0)
    assert ws.oddFooter.center.text == "第 &P 页，共 &N 页"


def test_the_cover_counts_the_cities_and_keys_and_shows_the_legend(compared):
    report, _, book = compared
    ws = book["说明"]
    assert ws["A1"].value.startswith("知识产权强市建设跨城市指标对比") and ws["A1"].font.sz == 16
    assert "A1:H1" in {str(r) for r in ws.merged_cells.ranges}
    facts = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(3, 9)}
    assert (facts["城市数（个）"], facts["方案数（个）"], facts["对比指标（类）"]) == (12, 12, len(report.labels))
    assert facts["统计截至"] == f"{report.as_of:%Y-%m-%d}"
    assert all(f"B{r}:H{r}" in {str(m) for m in ws.merged_cells.ranges} for r in range(3, 9))
    assert ws["H3"].border.right.style == "thin"  # the merged value's border reaches its last column
    legend = [ws.cell(r, 1).value for r in range(12, 12 + len(STATUS_ORDER))]
    assert legend == [STATUS_LABELS[s] for s in STATUS_ORDER]
