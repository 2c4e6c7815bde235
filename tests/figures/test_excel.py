"""Excel round trip with real workbooks made by openpyxl: template, upload, preview, confirm, refusals."""

import io
import re
import zipfile
from decimal import Decimal as D

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from figures import excel
from figures.models import FigureImport
from indicators.models import QuarterlyFigure
from tests.factories import FigureFactory, IndicatorFactory
from tests.figures.conftest import Q2, Q3

pytestmark = pytest.mark.django_db
Status = QuarterlyFigure.Status
COL = {c.field: i for i, c in enumerate(excel.QUARTER_COLUMNS, start=1)}
NAMES = {
    "A1": "有效发明专利拥有量",
    "A2": "技术合同成交额",
    "A3": "执法案件结案率",
    "A4": "专利密集型产业增加值占GDP比重",
}
HCOL = {c.field: i for i, c in enumerate(excel.HISTORY_COLUMNS, start=1)}


def download(client, world, quarter=Q3):
    response = client.get(reverse("figure_quarter_template", args=[world.plan.code, str(quarter)]))
    assert response.status_code == 200
    assert response["Content-Type"] == excel.XLSX_MIME
    return load_workbook(io.BytesIO(response.content))


def save(workbook) -> bytes:
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def fill(sheet, code, **values):
    """Write values into the template row of an indicator code."""
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row=row, column=1).value == code:
            for name, value in values.items():
                sheet.cell(row=row, column=COL[name], value=value)
            return row
    raise AssertionError(code)


def upload(client, world, content: bytes, name="填报.xlsx", quarter=Q3, follow=True):
    url = reverse("figure_quarter_import", args=[world.plan.code, str(quarter)])
    return client.post(url, {"file": SimpleUploadedFile(name, content)}, follow=follow)


def with_cached_value(content: bytes, cell: str, value: str) -> bytes:
    """Give a formula cell the saved result Excel would have written (openpyxl writes none)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(
                    rf'(<c r="{cell}"[^>]*>(<f>[^<]*</f>))<v ?/>'.encode(), rb"\1<v>" + value.encode() + b"</v>", data
                )
            target.writestr(item, data)
    return output.getvalue()


def test_template_names_plan_and_quarter_and_locks_what_is_not_input(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(100))
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    assert sheet["B2"].value == quarter_world.plan.code and sheet["D2"].value == "2025Q3"
    assert [c.header for c in excel.QUARTER_COLUMNS] == [c.value for c in sheet[excel.HEADER_ROW]]
    row = fill(sheet, "A1")
    assert sheet.cell(row=row, column=COL["name"]).value == "有效发明专利拥有量"
    assert sheet.cell(row=row, column=COL["unit"]).value == "件"
    assert sheet.cell(row=row, column=COL["previous"]).value == 100
    assert sheet.protection.sheet
    assert sheet.cell(row=row, column=COL["indicator"]).protection.locked
    assert not sheet.cell(row=row, column=COL["value"]).protection.locked
    assert workbook[excel.META_SHEET].sheet_state == "veryHidden"


def test_round_trip_previews_every_row_then_saves_all(client, quarter_world):
    FigureFactory(indicator=quarter_world.flow, period_end=Q2.end, value=D(6))
    FigureFactory(indicator=quarter_world.flow, period_end=Q2.previous.end, value=D(4))
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    fill(sheet, "A1", value=1200, source="省局", is_provisional="是")
    fill(sheet, "A2", value=13.5, source="技术市场年报")
    fill(sheet, "A3", numerator=45, denominator=50, source="执法年报")
    response = upload(client, quarter_world, save(workbook))
    preview = response.context["preview"]
    assert [(r.code, r.action) for r in preview.rows] == [
        ("A1", "create"),
        ("A2", "create"),
        ("A3", "create"),
        ("A4", "empty"),
    ]
    assert "当期数 3.5" in preview.rows[1].detail and "1–N月累计 13.5" in preview.rows[1].detail
    assert not QuarterlyFigure.objects.filter(period_end=Q3.end).exists()  # preview writes nothing
    response = client.post(reverse("figure_import_preview", args=[preview.upload.pk]), follow=True)
    assert "已导入3行数据" in response.content.decode()
    saved = {f.indicator.code: f for f in QuarterlyFigure.objects.filter(period_end=Q3.end)}
    assert saved["A1"].value == 1200 and saved["A1"].is_provisional and saved["A1"].status == Status.DRAFT
    assert (saved["A2"].value, saved["A2"].entered_value) == (D("3.5"), D("13.5"))
    assert saved["A3"].value == 90
    assert saved["A1"].history.first().history_change_reason == "Excel导入：填报.xlsx"
    again = client.post(reverse("figure_import_preview", args=[preview.upload.pk]), follow=True)
    assert "已经导入过了" in again.content.decode()


def test_reuploading_the_template_leaves_saved_and_locked_rows_unchanged(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q3.end, value=D(120))
    client.force_login(quarter_world.staff)
    preview = upload(client, quarter_world, save(download(client, quarter_world))).context["preview"]
    assert [r.action for r in preview.rows] == ["unchanged", "empty", "empty", "empty"] and not preview.error_rows
    assert not preview.ok  # nothing to save


def test_changing_an_approved_row_in_excel_is_refused_as_locked(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q3.end, value=D(120))
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    row = fill(workbook.worksheets[0], "A1", value=130)
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    assert preview.rows[0].errors == [f"G{row}（本期数值）：已审核通过（系统 ），已锁定；如需修改请提交更正。"]


def test_errors_are_named_by_row_and_column_and_nothing_is_saved(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    ok_row = fill(sheet, "A1", value=100, source="省局")
    bad_row = fill(sheet, "A4", value="约十五")
    sheet.cell(row=sheet.max_row + 1, column=1, value="ZZ9")
    sheet.cell(row=sheet.max_row, column=COL["value"], value=5)
    unknown_row = sheet.max_row
    sheet.cell(row=sheet.max_row + 1, column=1, value="A1")
    sheet.cell(row=sheet.max_row, column=COL["name"], value="有效发明专利拥有量")
    sheet.cell(row=sheet.max_row, column=COL["value"], value=101)
    duplicate_row = sheet.max_row
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    errors = {r.number: r.errors for r in preview.rows}
    assert errors[ok_row] == []
    assert errors[bad_row] == [f"G{bad_row}（本期数值）：请输入数字，例如 1234.5 或 1,234.5。"]
    assert errors[unknown_row] == [f"A{unknown_row}（指标代码）：未知的指标代码“ZZ9”（本方案没有该定量指标）。"]
    assert errors[duplicate_row] == [f"A{duplicate_row}（指标代码）：同一指标同一季度重复出现。"]
    assert not preview.ok
    response = client.post(reverse("figure_import_preview", args=[preview.upload.pk]), follow=True)
    assert "未保存任何数据" in response.content.decode()
    assert not QuarterlyFigure.objects.exists()


def test_formula_counts_as_its_saved_value_and_a_formula_without_one_is_named(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    stock_row = fill(sheet, "A1", value="=1000+200", source="省局")
    share_row = fill(sheet, "A4", value="=10+5", source="统计局")
    content = with_cached_value(save(workbook), f"G{stock_row}", "1200")
    preview = upload(client, quarter_world, content).context["preview"]
    rows = {r.number: r for r in preview.rows}
    assert rows[stock_row].action == "create" and "当期数 1200" in rows[stock_row].detail
    assert rows[share_row].errors == [
        f"G{share_row}（本期数值）：单元格 G{share_row} 是公式但文件中没有保存计算结果；"
        "请在Excel中打开、重新计算并保存后再上传。"
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("figures.xls", b"\xd0\xcf\x11\xe0 old excel", "只接受 .xlsx"),
        ("figures.csv", b"a,b\n1,2", "只接受 .xlsx"),
        ("figures.xlsm", b"PK anything", "含宏"),
        ("figures.xlsx", b"not a zip at all", "不是有效的 .xlsx"),
    ],
)
def test_wrong_kinds_of_file_are_refused(client, quarter_world, name, content, message):
    client.force_login(quarter_world.staff)
    response = upload(client, quarter_world, content, name=name, follow=False)
    assert message in " ".join(response.context["form"].errors["file"])
    assert not FigureImport.objects.exists()


def test_macro_inside_a_file_named_xlsx_is_refused(client, quarter_world):
    client.force_login(quarter_world.staff)
    content = io.BytesIO()
    with zipfile.ZipFile(content, "w") as archive:
        for item in zipfile.ZipFile(io.BytesIO(save(download(client, quarter_world)))).infolist():
            archive.writestr(item, b"")
        archive.writestr("xl/vbaProject.bin", b"macro")
    response = upload(client, quarter_world, content.getvalue(), follow=False)
    assert "含有宏" in response.context["form"].errors["file"][0]


def test_file_over_5_mb_is_refused(client, quarter_world):
    client.force_login(quarter_world.staff)
    response = upload(client, quarter_world, b"0" * (excel.MAX_BYTES + 1), follow=False)
    assert "5 MB" in response.context["form"].errors["file"][0]


def test_template_of_another_quarter_or_plan_is_refused(client, quarter_world):
    client.force_login(quarter_world.staff)
    q2_template = save(download(client, quarter_world, quarter=Q2))
    response = upload(client, quarter_world, q2_template, follow=False)
    assert "2025Q2" in response.context["form"].errors["file"][0]
    assert "不能导入" in response.context["form"].errors["file"][0]
    workbook = load_workbook(io.BytesIO(q2_template))
    workbook[excel.META_SHEET]["B2"] = "other-plan"
    workbook[excel.META_SHEET]["B3"] = "2025Q3"
    response = upload(client, quarter_world, save(workbook), follow=False)
    assert "other-plan" in response.context["form"].errors["file"][0]


def test_a_plain_workbook_or_changed_columns_are_refused(client, quarter_world):
    client.force_login(quarter_world.staff)
    from openpyxl import Workbook

    response = upload(client, quarter_world, save(Workbook()), follow=False)
    assert "不是从 ipcity 下载的模板" in response.context["form"].errors["file"][0]
    workbook = download(client, quarter_world)
    workbook.worksheets[0].cell(row=excel.HEADER_ROW, column=COL["value"], value="数值")
    response = upload(client, quarter_world, save(workbook), follow=False)
    assert "表头与模板不一致：G4" in response.context["form"].errors["file"][0]


def test_readers_cannot_upload_and_other_cities_get_404(client, quarter_world):
    client.force_login(quarter_world.reviewer)
    assert upload(client, quarter_world, b"x", follow=False).status_code == 403
    client.force_login(quarter_world.other_staff)
    assert upload(client, quarter_world, b"x", follow=False).status_code == 404
    url = reverse("figure_quarter_template", args=[quarter_world.plan.code, str(Q3)])
    assert client.get(url).status_code == 404


def test_a_change_between_preview_and_confirm_is_refused(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    fill(workbook.worksheets[0], "A1", value=100, source="省局")
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    FigureFactory(
        indicator=quarter_world.share,
        period_end=Q3.end,
        status=Status.DRAFT,
        value=D(10),
        updated_by=quarter_world.staff2,
    )
    response = client.post(reverse("figure_import_preview", args=[preview.upload.pk]), follow=True)
    assert "导入未完成" in response.content.decode() and "staff2" in response.content.decode()
    assert not QuarterlyFigure.objects.filter(indicator=quarter_world.stock).exists()


# --- History import ------------------------------------------------------------------------------------


def history_upload(client, world, content):
    url = reverse("figure_history_import", args=[world.plan.code])
    return client.post(url, {"file": SimpleUploadedFile("历史.xlsx", content)}, follow=True)


def test_history_import_of_a_thousand_rows_submits_every_figure(client, standing):
    indicators = [IndicatorFactory(plan=standing.plan, code=f"H{n:03d}", order=n) for n in range(92)]
    client.force_login(standing.staff)
    response = client.get(reverse("figure_history_template", args=[standing.plan.code]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    rows = sheet.max_row - excel.FIRST_ROW + 1
    assert rows == 92 * 11 and rows >= 1000  # 2024Q1 … 2026Q3
    for row in range(excel.FIRST_ROW, sheet.max_row + 1):
        sheet.cell(row=row, column=HCOL["value"], value=100 + row)
        sheet.cell(row=row, column=HCOL["source"], value="历年统计公报")
    response = history_upload(client, standing, save(workbook))
    preview = response.context["preview"]
    assert preview.ok and preview.writes == rows
    response = client.post(reverse("figure_import_preview", args=[preview.upload.pk]), follow=True)
    assert f"已导入{rows}行数据" in response.content.decode()
    assert QuarterlyFigure.objects.filter(status=Status.SUBMITTED, is_late=False).count() == rows
    assert QuarterlyFigure.objects.filter(indicator=indicators[0]).count() == 11


def test_history_import_validates_each_row_the_same_way(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(100))
    client.force_login(quarter_world.staff)
    response = client.get(reverse("figure_history_template", args=[quarter_world.plan.code]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    sheet.delete_rows(excel.FIRST_ROW, sheet.max_row)
    rows = [
        ("A1", "2025Q3", 90, "", "省局"),  # falls without a comment
        ("A1", "2025Q4", 110, "", ""),  # no source: a history import submits
        ("A4", "2025Q3", "abc", "", "统计局"),  # text in a number cell
        ("A4", "2031Q1", 10, "", "统计局"),  # outside the plan
        ("A2", "2025Q1", 5, "", "年报"),
        ("A2", "2025Q1", 6, "", "年报"),
    ]  # duplicated
    for offset, (code, quarter, value, comment, source) in enumerate(rows):
        r = excel.FIRST_ROW + offset
        for name, v in (
            ("indicator", code),
            ("name", NAMES[code]),
            ("period", quarter),
            ("value", value),
            ("comment", comment),
            ("source", source),
        ):
            sheet.cell(row=r, column=HCOL[name], value=v)
    preview = history_upload(client, quarter_world, save(workbook)).context["preview"]
    errors = [r.errors for r in preview.rows]
    first = excel.FIRST_ROW
    assert "下降" in errors[0][0] and errors[0][0].startswith(f"G{first}（说明）")
    assert errors[1] == [f"H{first + 1}（统计口径/发布来源）：提交前请填写统计口径/发布来源。"]
    assert errors[2] == [f"D{first + 2}（数值）：请输入数字，例如 1234.5 或 1,234.5。"]
    assert errors[3] == [f"C{first + 3}（季度）：该季度不在方案实施期内或尚未结束。"]
    assert errors[4] == [] and errors[5] == [f"A{first + 5}（指标代码）：同一指标同一季度重复出现。"]
    assert not preview.ok
