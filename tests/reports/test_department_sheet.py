"""The quarterly workbook's 部门落实情况 sheet: the department overview page's and API's numbers, for the roles
that see task reports only."""

from reports import selectors, workbooks
from tasks import rules
from tests.reports.conftest import Q, saved


def build(world, user):
    report = selectors.quarterly_report(plan=world.plan, quarter=Q, user=user)
    return report, saved(workbooks.quarterly_workbook(report))


def test_the_sheet_has_the_overviews_rows_worst_first(client, report_world):
    report, book = build(report_world, report_world.staff)
    ws = book["部门落实情况"]
    header = [c.value for c in ws[1]]
    assert header[:3] == ["部门", "亮灯", "亮灯原因"]
    assert header[3:9] == [str(rules.SIGNAL_LABELS[s]) for s in rules.Signal]
    client.force_login(report_world.staff)
    api = client.get(f"/api/v1/plans/{report_world.plan.pk}/department-overview/", {"quarter": str(Q)}).json()
    rows = list(ws.iter_rows(min_row=2, max_row=1 + len(api["departments"]), values_only=True))
    assert [(r[0], r[1], list(r[3:9])) for r in rows] == [
        (d["name"], d["light_label"], [d["counts"][s.value] for s in rules.Signal]) for d in api["departments"]
    ]
    assert [r.department.name for r in report.departments.rows] == [r[0] for r in rows]
    notes = [ws.cell(len(rows) + offset, 1).value for offset in (3, 4, 5)]
    assert notes[0].startswith("参考：") and "不是正式考核结果" in notes[0]
    assert notes[1].startswith("亮灯规则：逾期督办事项：红灯")
    assert ws.freeze_panes == "B2"


def test_the_bureau_with_a_lagging_indicator_it_leads_and_a_late_report_is_yellow(report_world):
    report, book = build(report_world, report_world.staff)
    owner = report.departments.by_department()[report_world.owner.pk]
    # A1 lags under the bureau; its blocked task's 2025Q2 report came in after the deadline
    assert owner.counts[rules.Signal.LAGGING] == 1 and owner.counts[rules.Signal.LATE_REPORTS] == 1
    row = next(r for r in book["部门落实情况"].iter_rows(min_row=2, values_only=True) if r[0] == owner.name)
    assert row[1] == "黄灯" and "有效发明专利拥有量" in row[-1]


def test_roles_that_do_not_see_task_reports_get_no_sheet(report_world):
    report, book = build(report_world, report_world.provincial)
    assert report.departments is None and "部门落实情况" not in book.sheetnames
