"""The bulk path of an import: a bounded number of queries however many rows, with every rule, the history
records and the all-or-nothing transaction of saving one row at a time."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from core.periods import Quarter
from figures import excel, imports, rules, services
from figures.models import CrossCheck, FigureImport
from indicators.models import Indicator, MeasureType, QuarterlyFigure, RecomputeMark
from tests.factories import IndicatorFactory, PlanFactory
from tests.figures.conftest import Q3

pytestmark = pytest.mark.django_db
Status = QuarterlyFigure.Status
HCOL = {c.field: i for i, c in enumerate(excel.HISTORY_COLUMNS, start=1)}
QCOL = {c.field: i for i, c in enumerate(excel.QUARTER_COLUMNS, start=1)}


def history_plan(standing, indicators: int):
    """A plan of 2021–2025 (20 closed quarters) with `indicators` stocks: 20 rows each."""
    plan = PlanFactory(
        city=standing.city,
        code=f"hist-{indicators}",
        period_start=dt.date(2021, 1, 1),
        period_end=dt.date(2025, 12, 31),
    )
    for n in range(indicators):
        IndicatorFactory(plan=plan, code=f"H{n:03d}", order=n, name=f"历史指标{n}")
    return plan


def filled_history(plan, *, bad_row: int | None = None) -> bytes:
    workbook = load_workbook(io.BytesIO(imports.history_template(plan=plan)))
    sheet = workbook.worksheets[0]
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        sheet.cell(row=row, column=HCOL["value"], value=100 + row / 10)  # rising, so no comment is needed
        sheet.cell(row=row, column=HCOL["source"], value="历年统计公报")
    if bad_row is not None:
        sheet.cell(row=bad_row, column=HCOL["value"], value="1,2")
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def confirm_queries(plan, user, content) -> tuple[int, FigureImport]:
    upload = imports.figure_import_upload(
        user=user, plan=plan, kind="history", quarter=None, name="历史.xlsx", content=content
    )
    with CaptureQueriesContext(connection) as queries:
        preview = imports.figure_import_confirm(user=user, upload=upload)
    assert preview.ok, [r.errors for r in preview.rows if r.errors][:3]
    return len(queries), upload


def test_a_thousand_row_history_import_takes_no_more_queries_than_a_hundred(standing):
    small, large = history_plan(standing, 5), history_plan(standing, 50)
    few, small_upload = confirm_queries(small, standing.staff, filled_history(small))
    many, large_upload = confirm_queries(large, standing.staff, filled_history(large))
    assert (small_upload.saved_rows, large_upload.saved_rows) == (100, 1000)
    assert many <= few
    assert QuarterlyFigure.objects.filter(indicator__plan=large, status=Status.SUBMITTED).count() == 1000


def test_a_bulk_import_keeps_one_history_record_per_write(standing):
    plan = history_plan(standing, 2)
    _queries, upload = confirm_queries(plan, standing.staff, filled_history(plan))
    figures = list(QuarterlyFigure.objects.filter(indicator__plan=plan))
    assert len(figures) == 40 and upload.saved_rows == 40
    for figure in figures:
        records = list(figure.history.order_by("history_date", "history_id"))
        assert [(r.history_type, r.status) for r in records] == [("+", Status.DRAFT), ("~", Status.SUBMITTED)]
        assert {r.history_user for r in records} == {standing.staff}
        assert {r.history_change_reason for r in records} == {"Excel导入：历史.xlsx"}
        assert records[-1].value == figure.value and records[-1].submitted_by == standing.staff
        assert figure.updated_by == standing.staff and figure.submitted_at is not None and not figure.is_late


def test_one_bad_row_among_a_thousand_saves_nothing_and_names_its_row(standing):
    plan = history_plan(standing, 50)
    bad = excel.FIRST_ROW + 876
    upload = imports.figure_import_upload(
        user=standing.staff,
        plan=plan,
        kind="history",
        quarter=None,
        name="历史.xlsx",
        content=filled_history(plan, bad_row=bad),
    )
    preview = imports.figure_import_confirm(user=standing.staff, upload=upload)
    errors = [(r.number, r.errors) for r in preview.rows if r.errors]
    assert errors == [
        (
            bad,
            [f"D{bad}（数值）：“1,2”不是有效的数字写法：小数点请用“.”（如 1.2），千分位逗号须每三位一组（如 1,200）。"],
        )
    ]
    assert preview.writes == 999
    assert not QuarterlyFigure.objects.filter(indicator__plan=plan).exists()
    upload.refresh_from_db()
    assert upload.confirmed_at is None and upload.saved_rows == 0


def test_a_cross_indicator_refusal_at_submit_saves_nothing_of_the_bulk(standing):
    """Drafts are written before the submission's cross-indicator rules run: a refusal rolls them back."""
    plan = history_plan(standing, 0)
    part = IndicatorFactory(plan=plan, code="H000", name="历史指标0", catalogue_key="valid_invention_patents")
    whole = IndicatorFactory(plan=plan, code="H001", name="历史指标1", catalogue_key="high_value_invention_patents")
    CrossCheck.objects.create(plan=plan, kind="not_greater", left_key=whole.catalogue_key, right_key=part.catalogue_key)
    workbook = load_workbook(io.BytesIO(filled_history(plan)))
    sheet = workbook.worksheets[0]
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row=row, column=HCOL["indicator"]).value == "H001":
            sheet.cell(row=row, column=HCOL["value"], value=10_000 + row)  # more than its whole
    output = io.BytesIO()
    workbook.save(output)
    upload = imports.figure_import_upload(
        user=standing.staff, plan=plan, kind="history", quarter=None, name="历史.xlsx", content=output.getvalue()
    )
    preview = imports.figure_import_confirm(user=standing.staff, upload=upload)
    assert sum(1 for r in preview.rows if r.errors) == 20
    assert all("不应大于" in r.errors[0] for r in preview.rows if r.errors)
    assert not QuarterlyFigure.objects.filter(indicator__plan=plan).exists()


def test_saving_stored_drafts_in_bulk_writes_each_its_own_values(standing):
    """Updating many stored drafts at once: shared values set once, differing ones per figure, and each
    figure's history gains one '~' record with the values it now has."""
    plan = standing.plan
    stocks = [IndicatorFactory(plan=plan, code=f"S{n}", name=f"存量{n}") for n in range(3)]
    entries = [
        services.Entry(i, Q3.end, rules.RowInput(value=D(100 + n), source="省局", comment="同一说明"))
        for n, i in enumerate(stocks)
    ]
    services.figure_entries_save(user=standing.staff, plan=plan, entries=entries)
    changed = [
        services.Entry(i, Q3.end, rules.RowInput(value=D(200 + n), source=f"来源{n}", comment="同一说明"))
        for n, i in enumerate(stocks)
    ]
    services.figure_entries_save(user=standing.staff2, plan=plan, entries=changed, reason="第二次")
    for n, indicator in enumerate(stocks):
        figure = QuarterlyFigure.objects.get(indicator=indicator)
        assert (figure.value, figure.source, figure.comment) == (D(200 + n), f"来源{n}", "同一说明")
        assert figure.updated_by == standing.staff2
        latest = figure.history.order_by("-history_date", "-history_id").first()
        assert (latest.history_type, latest.value, latest.history_change_reason) == ("~", D(200 + n), "第二次")
        assert figure.history.count() == 2


def test_submitting_derives_a_year_to_date_amount_again_and_stores_it(standing):
    """A Q2 draft typed as a year-to-date total keeps its period amount in step with a Q1 changed since."""
    plan = standing.plan
    flow = IndicatorFactory(
        plan=plan,
        code="F1",
        name="技术合同",
        unit="亿元",
        measure_type=MeasureType.FLOW,
        entry_mode=Indicator.EntryMode.YEAR_TO_DATE,
    )
    q1, q2 = Quarter(2025, 1), Quarter(2025, 2)

    def draft(quarter, value):
        data = rules.RowInput(value=D(value), source="技术市场")
        return services.figure_entries_save(
            user=standing.staff, plan=plan, entries=[services.Entry(flow, quarter.end, data)]
        )[0].figure

    first, second = draft(q1, 10), draft(q2, 25)
    assert second.value == 15
    QuarterlyFigure.objects.filter(pk=first.pk).update(value=D(12), entered_value=D(12))
    first.refresh_from_db()
    services.figures_submit(user=standing.staff, plan=plan, figures=[first, second], reason="提交审核")
    second.refresh_from_db()
    assert (second.status, second.value, second.entered_value) == (Status.SUBMITTED, D(13), D(25))
    assert second.history.order_by("-history_date", "-history_id").first().value == D(13)


def test_the_quarter_import_takes_no_more_queries_for_more_indicators(client, standing):
    def confirm(indicators: int) -> int:
        plan = PlanFactory(city=standing.city, code=f"q-{indicators}")
        for n in range(indicators):
            IndicatorFactory(plan=plan, code=f"Q{n:03d}", order=n, name=f"季度指标{n}")
        client.force_login(standing.staff)
        response = client.get(reverse("figure_quarter_template", args=[plan.code, str(Q3)]))
        workbook = load_workbook(io.BytesIO(response.content))
        sheet = workbook.worksheets[0]
        for row in range(excel.FIRST_ROW, sheet.max_row + 1):
            sheet.cell(row=row, column=QCOL["value"], value=row)
            sheet.cell(row=row, column=QCOL["source"], value="省局")
        output = io.BytesIO()
        workbook.save(output)
        upload = imports.figure_import_upload(
            user=standing.staff, plan=plan, kind="quarter", quarter=Q3, name="季度.xlsx", content=output.getvalue()
        )
        with CaptureQueriesContext(connection) as queries:
            preview = imports.figure_import_confirm(user=standing.staff, upload=upload)
        assert preview.ok and upload.saved_rows == indicators
        return len(queries)

    assert confirm(60) <= confirm(6)


def test_a_review_marks_progress_once_for_all_the_indicators_it_approves(standing, django_capture_on_commit_callbacks):
    plan = history_plan(standing, 6)
    confirm_queries(plan, standing.staff, filled_history(plan))
    submitted = list(QuarterlyFigure.objects.filter(indicator__plan=plan, period_end=dt.date(2025, 12, 31)))
    decisions = [services.Decision(figure=f, action=services.APPROVE) for f in submitted]
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False) as sent:
        services.figure_review(user=standing.reviewer, decisions=decisions)
    marks = [q for q in queries if "indicators_recomputemark" in q["sql"]]
    assert len(marks) == 1
    assert RecomputeMark.objects.filter(indicator__plan=plan).count() == 6
    rebuilds = [c for c in sent if c.__qualname__.startswith("recompute_after_commit")]
    assert len(rebuilds) == 6  # one rebuild asked for each indicator once committed
    assert QuarterlyFigure.objects.filter(indicator__plan=plan, status=Status.APPROVED).count() == 6
