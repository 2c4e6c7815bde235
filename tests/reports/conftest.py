"""A plan reported on for 2025Q2: indicators of several shapes with figures (a correction, an estimate, one
awaiting review, one after the quarter), two tasks with their quarter's reports, a lag explanation."""

import datetime as dt
import io
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest

from core.periods import Quarter
from indicators.models import MeasureType, QuarterlyFigure, TargetForm
from tasks.models import SupervisionItem, SupervisionStep, TaskAssignment
from tests.factories import AssignmentFactory, FigureFactory, IndicatorFactory, TaskFactory, TaskUpdateFactory

Q = Quarter(2025, 2)
"""The report's quarter: closed, inside the factories' plan period (2024–2026)."""
QUARTER_ENDS = [
    dt.date(2024, 3, 31),
    dt.date(2024, 6, 30),
    dt.date(2024, 9, 30),
    dt.date(2024, 12, 31),
    dt.date(2025, 3, 31),
    dt.date(2025, 6, 30),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def aware(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)


def add_stock(plan, code: str, order: int, values, **fields):
    """A stock indicator with one approved figure per quarter from 2024Q1 (None leaves a gap)."""
    indicator = IndicatorFactory(plan=plan, code=code, order=order, **fields)
    for period_end, value in zip(QUARTER_ENDS, values, strict=False):
        if value is not None:
            FigureFactory(
                indicator=indicator, period_end=period_end, value=Decimal(str(value)), reviewed_at=aware(period_end)
            )
    return indicator


def add_task(plan, number: str, lead, responsible, *, reports=()):
    """A task with its lead and responsible departments and (department, state, created on) reports for Q."""
    task = TaskFactory(plan=plan, number=number, title=f"任务{number}", text=f"任务{number}的原文内容。")
    AssignmentFactory(task=task, department=lead, role=TaskAssignment.Role.LEAD)
    AssignmentFactory(task=task, department=responsible, role=TaskAssignment.Role.RESPONSIBLE)
    for department, state, created in reports:
        TaskUpdateFactory(
            task=task,
            department=department,
            quarter_end=Q.end,
            state=state,
            created_at=aware(created),
            is_consolidated=department == lead,
            text=f"{department.name}报送的进展。",
        )
    return task


@pytest.fixture
def report_world(standing):
    plan, science = standing.plan, standing.department
    owner = plan.city.departments.get(is_programme_owner=True)
    lagging = add_stock(
        plan,
        "A1",
        1,
        [102, 105, 108, 110, 115, 120],
        name="有效发明专利拥有量",
        source_quote="到2026年，有效发明专利拥有量达到200件。",
        catalogue_key="valid_invention_patents",
    )
    # 2025Q1 corrected (118 replaces 115); 2025Q2 an estimate; 2025Q3 lies after the report's quarter
    QuarterlyFigure.objects.filter(indicator=lagging, period_end=QUARTER_ENDS[4]).update(
        status=QuarterlyFigure.Status.SUPERSEDED
    )
    FigureFactory(
        indicator=lagging,
        period_end=QUARTER_ENDS[4],
        version=2,
        value=Decimal("118"),
        reviewed_at=aware(dt.date(2025, 5, 1)),
        correction_reason="统计口径更正",
    )
    QuarterlyFigure.objects.filter(indicator=lagging, period_end=QUARTER_ENDS[5]).update(is_provisional=True)
    FigureFactory(indicator=lagging, period_end=dt.date(2025, 9, 30), value=Decimal("190"))

    flow = IndicatorFactory(
        plan=plan,
        code="A2",
        order=2,
        name="技术合同成交额",
        unit="亿元",
        measure_type=MeasureType.FLOW,
        target_value=Decimal("100"),
        base_value=None,
        base_year=None,
        lead_department=science,
        catalogue_key="technology_contract_turnover",
    )
    for period_end in QUARTER_ENDS[:5]:
        FigureFactory(indicator=flow, period_end=period_end, value=Decimal("12.5"), reviewed_at=aware(period_end))
    FigureFactory(
        indicator=flow, period_end=QUARTER_ENDS[5], value=Decimal("30"), status=QuarterlyFigure.Status.SUBMITTED
    )

    rate = IndicatorFactory(
        plan=plan,
        code="A3",
        order=3,
        name="执法案件结案率",
        unit="%",
        measure_type=MeasureType.RATE,
        target_form=TargetForm.THRESHOLD,
        target_value=Decimal("90"),
        base_value=None,
        base_year=None,
        is_ratio=True,
    )
    FigureFactory(
        indicator=rate,
        period_end=QUARTER_ENDS[5],
        numerator=Decimal("46"),
        denominator=Decimal("50"),
        value=Decimal("92"),
        reviewed_at=aware(QUARTER_ENDS[5]),
    )
    qualitative = IndicatorFactory(
        plan=plan,
        code="A4",
        order=4,
        name="知识产权保护中心建设",
        unit="",
        target_form=TargetForm.QUALITATIVE,
        target_value=None,
        base_value=None,
        base_year=None,
    )
    incomplete = IndicatorFactory(
        plan=plan,
        code="A5",
        order=5,
        name="专利转让许可数量",
        target_form=TargetForm.GROWTH_SINCE_BASE,
        target_value=Decimal("20"),
        base_value=None,
        base_year=2023,
    )

    on_time, late = dt.date(2025, 7, 5), dt.date(2025, 8, 1)
    reported = add_task(plan, "1", science, owner, reports=[(science, "in_progress", on_time)])
    blocked = add_task(plan, "2", owner, science, reports=[(owner, "blocked", late), (science, "done", on_time)])

    item = SupervisionItem.objects.create(
        plan=plan,
        department=owner,
        reason=SupervisionItem.Reason.INDICATOR_LAGGING,
        indicator=lagging,
        due_date=dt.date(2025, 8, 15),
    )
    SupervisionStep.objects.create(
        item=item, action="submit", explanation="审查周期延长，授权量低于预期。", measures="开展专利预审快速通道。"
    )
    return SimpleNamespace(
        **vars(standing),
        owner=owner,
        science=science,
        lagging=lagging,
        flow=flow,
        rate=rate,
        qualitative=qualitative,
        incomplete=incomplete,
        reported=reported,
        blocked=blocked,
    )


def open_workbook(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def saved(workbook: openpyxl.Workbook) -> openpyxl.Workbook:
    """The workbook as a reader sees it: saved to bytes and opened again."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return open_workbook(buffer.getvalue())


def rows_by_code(ws) -> dict[str, dict[str, object]]:
    """A data sheet's rows as {code: {header: cell}} (the header row is row 1, the code column A)."""
    headers = [c.value for c in ws[1]]
    return {
        row[0].value: dict(zip(headers, row, strict=True))
        for row in ws.iter_rows(min_row=2)
        if row[0].value and row[1].value is not None
    }
