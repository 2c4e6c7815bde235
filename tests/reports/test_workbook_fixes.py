"""What the quarterly workbook got wrong (issue 16): a percentage cell labelled with its unit again, an internal
word in a footnote, 牵头单位说明 empty while a 督办 item waits for it, and the 任务 sheet's 牵头单位 empty where the
document names no lead."""

import datetime as dt

from reports import selectors, workbooks
from tasks.models import SupervisionItem, SupervisionStep, TaskAssignment
from tests.factories import AssignmentFactory, TaskFactory
from tests.reports.conftest import Q, aware, rows_by_code, saved


def book(world, user=None):
    report = selectors.quarterly_report(plan=world.plan, quarter=Q, user=user or world.staff)
    return saved(workbooks.quarterly_workbook(report))


def cover_rows(ws) -> list[list]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


def test_the_cover_labels_a_percentage_once_and_states_the_rule_in_plain_words(report_world):
    cover = book(report_world)["封面"]
    facts = {cover.cell(r, 1).value: cover.cell(r, 2) for r in range(3, 14)}
    assert "时间进度（%）" not in facts and "指标进度（%）" not in facts
    assert facts["时间进度"].number_format == "0.0%" and facts["指标进度"].number_format == "0.0%"
    notes = [row[0] for row in cover_rows(cover) if isinstance(row[0], str) and "预警" in row[0]]
    assert notes and all("进度引擎" not in note for note in notes)
    assert notes[-1].startswith("状态判定规则：指标进度低于应达进度")


def test_a_lagging_indicator_whose_supervision_waits_says_so_in_the_explanation_column(report_world):
    SupervisionStep.objects.all().delete()
    SupervisionItem.objects.update(status="acknowledged", created_at=aware(dt.date(2025, 6, 1)))
    cover = book(report_world)["封面"]
    rows = cover_rows(cover)
    header = next(row for row in rows if row[0] == "代码")
    explained = header.index("牵头单位说明")
    (lagging,) = [row for row in rows if row[0] == report_world.lagging.code]
    assert lagging[explained] == f"尚未说明：督办待说明，{report_world.owner.name}应于2025-08-15前报送"


def test_tasks_and_indicators_without_a_lead_in_the_document_name_the_default_and_say_so(report_world):
    task = TaskFactory(plan=report_world.plan, number="3", title="任务3", text="任务3的原文内容。")
    AssignmentFactory(task=task, department=report_world.science, role=TaskAssignment.Role.RESPONSIBLE, order=0)
    AssignmentFactory(task=task, department=report_world.owner, role=TaskAssignment.Role.RESPONSIBLE, order=1)
    report_world.flow.lead_department_defaulted = True
    report_world.flow.save(update_fields=["lead_department_defaulted"])
    workbook = book(report_world)
    tasks = {row[2]: row for row in workbook["任务"].iter_rows(min_row=2, values_only=True)}
    assert tasks["任务3"][4] == f"{report_world.science.name}（文件未写明牵头单位，默认第一责任单位）"
    assert tasks["任务3"][5] == f"{report_world.science.name}、{report_world.owner.name}"
    assert tasks["任务1"][4] == report_world.science.name  # a lead the document names, unmarked
    indicator = rows_by_code(workbook["指标"])[report_world.flow.code]
    assert indicator["牵头单位"].value == f"{report_world.flow.lead_names}（文件未写明，默认）"
