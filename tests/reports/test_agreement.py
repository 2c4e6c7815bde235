"""The report says what the dashboards say: same as-of quarter, same numbers, indicator by indicator."""

import pytest
from django.urls import reverse

from core.status import STATUS_LABELS, STATUS_ORDER
from dashboards import selectors as dashboards
from indicators.services import indicator_history_rebuild, indicator_progress_recompute
from reports import selectors, workbooks
from tests.factories import IndicatorFactory
from tests.reports.conftest import Q, rows_by_code, saved


def pct(share) -> str:
    """As the dashboards print a share (dashboards.selectors.percent)."""
    return dashboards.percent(share)


def test_the_quarterly_report_has_the_city_dashboards_numbers(report_world, client):
    user = report_world.leader
    page = dashboards.city_dashboard(user=user, as_of=dashboards.as_of_from(str(Q)), city_code="own")
    book = saved(workbooks.quarterly_workbook(selectors.quarterly_report(plan=report_world.plan, quarter=Q, user=user)))
    cover = book["封面"]
    facts = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(3, 14)}
    assert facts["时间进度"] == pytest.approx(page.summary.time_elapsed)
    assert facts["指标进度"] == pytest.approx(page.summary.indicator_progress)
    counts = {cover.cell(r, 1).value: cover.cell(r, 2).value for r in range(1, cover.max_row + 1)}
    for status in STATUS_ORDER:
        assert counts[STATUS_LABELS[status]] == page.summary.counts.get(status, 0), status
    listed = [
        r[0] for r in cover.iter_rows(values_only=True) if r[0] in {line.indicator.code for line in page.summary.rows}
    ]
    assert listed == [line.indicator.code for line in page.attention]

    rows = rows_by_code(book["指标"])
    assert set(rows) == {line.indicator.code for _, lines in page.categories for line in lines}
    for _, lines in page.categories:
        for line in lines:
            row, result = rows[line.indicator.code], line.result
            assert row["状态"].value == STATUS_LABELS[result.status]
            assert row["判断依据"].value == result.reason
            for header, value in (
                ("当前值", result.current),
                ("目标值", result.end_target),
                ("基期值", result.base),
                ("指标进度\n（%）", result.progress),
                ("应达进度\n（%）", result.expected),
                ("需每季度新增", result.needed_per_quarter),
            ):
                assert row[header].value == (None if value is None else pytest.approx(value)), header

    # and the page itself, as a leader reads it
    client.force_login(user)
    html = client.get(reverse("dashboards:city", args=["own"]), {"as_of": str(Q)}).content.decode()
    assert f'时间进度 <strong class="headline-time">{pct(facts["时间进度"])}</strong> · 指标进度 ' in html
    assert f'data-testid="headline-progress">{pct(facts["指标进度"])}</strong>' in html


def test_the_comparison_workbook_has_the_comparison_dashboards_numbers(report_world):
    other = IndicatorFactory(
        plan=report_world.other_plan,
        code="X1",
        name="有效发明专利量",
        catalogue_key="valid_invention_patents",
        base_value=None,
    )
    # stored history, as the dashboards read it for a past quarter
    indicator_history_rebuild()
    indicator_progress_recompute()
    report = selectors.comparison_report(cities=selectors.comparison_cities(user=report_world.admin), quarter=Q)
    detail = {
        (r[1], r[2]): r
        for r in saved(workbooks.comparison_workbook(report))["对比明细"].iter_rows(min_row=2, values_only=True)
    }
    as_of = dashboards.as_of_from(str(Q))
    # the page offers the keys two or more cities share (issue 16); each has the workbook's numbers
    offered = [k["catalogue_key"] for k in dashboards.comparison(user=report_world.admin, key=None, as_of=as_of).keys]
    assert offered and set(offered) <= set(report.labels)
    for key in offered:
        page = dashboards.comparison(user=report_world.admin, key=key, as_of=as_of)
        assert page.rows
        for row in page.rows:
            cells = detail[(row.indicator.plan.city.name, row.indicator.name)]
            result = row.result
            # columns: …, 当前值 (6), 判定口径, 本季度数值, 数据日期, 应达进度 (10), 指标进度 (11), 进度差, 状态 (13)
            assert cells[13] == STATUS_LABELS[result.status]
            assert cells[6] == (None if result.current is None else pytest.approx(result.current))
            assert cells[11] == (None if result.progress is None else pytest.approx(result.progress))
            assert cells[10] == (None if result.expected is None else pytest.approx(result.expected))
    assert ("外市", other.name) in detail
