"""Excel workbooks (openpyxl): the quarter and history templates, and reading an upload back.

This module knows cells, sheets and files only. It refuses files that are not ipcity templates and names
every cell it cannot read; what the numbers mean is judged by figures.services, through the same form
as the entry grid (figures.imports glues the two).
"""

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from core.cells import put
from figures import numbers, xlsx_guard

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
META_SHEET = "_ipcity"
TEMPLATE_VERSION = "2"
"""2 names the data sheet in the meta sheet; a version 1 template has one data sheet, read as such."""
HEADER_ROW = 4
FIRST_ROW = 5
QUARTER, HISTORY = "quarter", "history"
MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlam", ".xlsb")
YES, NO = "是", "否"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Column:
    field: str
    header: str
    width: int = 14
    editable: bool = False


QUARTER_COLUMNS = [
    Column("indicator", "指标代码", 10),
    Column("name", "指标名称", 36),
    Column("unit", "单位", 8),
    Column("measure", "统计口径", 10),
    Column("mode", "填报方式", 16),
    Column("previous", "上期数值", 12),
    Column("value", "本期数值", 12, True),
    Column("numerator", "分子", 10, True),
    Column("denominator", "分母", 10, True),
    Column("comment", "说明", 28, True),
    Column("source", "统计口径/发布来源", 28, True),
    Column("is_provisional", "预估数（是/否）", 10, True),
    Column("status", "当前状态", 24),
]
HISTORY_COLUMNS = [
    Column("indicator", "指标代码", 10),
    Column("name", "指标名称", 36),
    Column("period", "季度", 10, True),
    Column("value", "数值", 12, True),
    Column("numerator", "分子", 10, True),
    Column("denominator", "分母", 10, True),
    Column("comment", "说明", 28, True),
    Column("source", "统计口径/发布来源", 28, True),
    Column("is_provisional", "预估数（是/否）", 10, True),
]
COLUMNS = {QUARTER: QUARTER_COLUMNS, HISTORY: HISTORY_COLUMNS}
NUMBER_FIELDS = ("value", "numerator", "denominator")
INPUT_FIELDS = ("period", "value", "numerator", "denominator", "comment", "source", "is_provisional")


class WorkbookRefused(Exception):
    """The whole file is refused (wrong type, macro, too large, another plan's template …)."""


def cell_label(kind: str, field_name: str, row: int) -> str:
    """'G7（本期数值）': how an error names the cell; a row-level problem names the row alone."""
    for index, column in enumerate(COLUMNS[kind], start=1):
        if column.field == field_name:
            return f"{get_column_letter(index)}{row}（{column.header}）"
    return _("第%(row)s行") % {"row": row}


def _cell(kind: str, field_name: str, row: int) -> str:
    return cell_label(kind, field_name, row).split("（")[0]


# --- Writing templates ----------------------------------------------------------------------------------

HEADER_FILL = PatternFill("solid", fgColor="F0F4F8")
INPUT_FILL = PatternFill("solid", fgColor="FFFBEA")


def _sheet(workbook: Workbook, kind: str, title: str, plan_code: str, quarter: str):
    sheet = workbook.active
    sheet.title = _("季度填报") if kind == QUARTER else _("历史数据")
    put(sheet["A1"], title).font = Font(bold=True, size=14)
    put(sheet["A2"], _("方案代码"))
    put(sheet["B2"], plan_code)
    if quarter:
        put(sheet["C2"], _("季度"))
        put(sheet["D2"], quarter)
    sheet["A3"] = _("请只在浅黄色单元格中填写；空白表示未填报（不是0）。数值请填数字，公式以计算结果导入。")
    sheet["A3"].font = Font(italic=True, color="616E7C")
    columns = COLUMNS[kind]
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=3)
    meta = workbook.create_sheet(META_SHEET)
    meta_rows = (("kind", kind), ("plan", plan_code), ("quarter", quarter), ("version", TEMPLATE_VERSION))
    for number, pair in enumerate((*meta_rows, ("sheet", sheet.title)), start=1):
        put(meta.cell(row=number, column=1), pair[0])
        put(meta.cell(row=number, column=2), pair[1])
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    return sheet


def _finish(sheet, kind: str, rows: int) -> bytes:
    """Unlock the input cells, lock everything else, and offer 是/否 for the provisional flag."""
    columns = COLUMNS[kind]
    last = FIRST_ROW + max(rows, 1) - 1
    for index, column in enumerate(columns, start=1):
        if not column.editable:
            continue
        for row in range(FIRST_ROW, last + 1):
            cell = sheet.cell(row=row, column=index)
            cell.protection = Protection(locked=False)
            cell.fill = INPUT_FILL
        if column.field == "is_provisional":
            validation = DataValidation(type="list", formula1=f'"{YES},{NO}"', allow_blank=True)
            validation.error = _("请选择“是”或“否”。")
            sheet.add_data_validation(validation)
            letter = get_column_letter(index)
            validation.add(f"{letter}{FIRST_ROW}:{letter}{last}")
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    output = io.BytesIO()
    sheet.parent.save(output)
    return output.getvalue()


def _number(value: Decimal | None):
    return None if value is None else float(value) if value != value.to_integral() else int(value)


@dataclass
class TemplateRow:
    """One row of a template, as the selectors prepared it."""

    code: str
    name: str
    unit: str = ""
    measure: str = ""
    mode: str = ""
    previous: Decimal | None = None
    period: str = ""
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    comment: str = ""
    source: str = ""
    is_provisional: bool | None = None
    status: str = ""


def write_template(*, kind: str, title: str, plan_code: str, quarter: str, rows: list[TemplateRow]) -> bytes:
    workbook = Workbook()
    sheet = _sheet(workbook, kind, title, plan_code, quarter)
    for offset, row in enumerate(rows):
        for index, column in enumerate(COLUMNS[kind], start=1):
            value = getattr(row, column.field if column.field != "indicator" else "code")
            if isinstance(value, Decimal):
                value = _number(value)
            elif column.field == "is_provisional":
                value = None if value is None else YES if value else NO
            put(sheet.cell(row=FIRST_ROW + offset, column=index), value if value != "" else None)
    return _finish(sheet, kind, len(rows))


# --- Reading an upload ----------------------------------------------------------------------------------


def check_upload(*, name: str, size: int, content: bytes) -> None:
    """Refuse before parsing: the type, a macro, the size."""
    lowered = (name or "").lower()
    if size > MAX_BYTES:
        raise WorkbookRefused(_("文件超过5 MB的大小限制。"))
    if lowered.endswith(MACRO_SUFFIXES):
        raise WorkbookRefused(_("不接受含宏的Excel文件（%(name)s），请另存为 .xlsx 后上传。") % {"name": name})
    if not lowered.endswith(".xlsx"):
        raise WorkbookRefused(_("只接受 .xlsx 格式的Excel文件（%(name)s 不是）。") % {"name": name})
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookRefused(_("文件内容不是有效的 .xlsx 文件。"))
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        content_types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(n.lower().endswith("vbaproject.bin") for n in names) or b"macroEnabled" in content_types:
        raise WorkbookRefused(_("文件中含有宏，出于安全原因不被接受；请另存为不含宏的 .xlsx 后上传。"))
    if "xl/workbook.xml" not in names:
        raise WorkbookRefused(_("文件内容不是有效的 .xlsx 文件。"))


@dataclass
class SheetRow:
    """One data row of an upload: the raw inputs by field, and the cells that could not be read."""

    number: int
    code: str
    name: str
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Sheet:
    kind: str
    plan_code: str
    quarter: str
    rows: list[SheetRow]


def _meta(workbook) -> dict[str, str]:
    return {
        str(row[0]): "" if row[1] is None else str(row[1])
        for row in workbook[META_SHEET].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True)
        if row and row[0]
    }


def _data_sheet(inspection: xlsx_guard.Inspection, name: str) -> xlsx_guard.SheetPart:
    """The template's own sheets only: its data sheet (visible) and its meta sheet; nothing added, hidden
    or duplicated, so the rows read are the rows the user saw."""
    names = [s.name for s in inspection.sheets]
    if META_SHEET not in names:
        raise WorkbookRefused(_("这不是从 ipcity 下载的模板，请先下载模板再填写上传。"))
    folded = [n.casefold() for n in names]
    for sheet_name in names:
        if folded.count(sheet_name.casefold()) > 1:
            raise WorkbookRefused(
                _("文件“%(file)s”中工作表“%(sheet)s”出现了不止一次；请使用下载的模板，不要复制工作表。")
                % {"file": name, "sheet": sheet_name}
            )
    others = [s for s in inspection.sheets if s.name != META_SHEET]
    if len(others) != 1:
        extra = "、".join(f"“{s.name}”" + ("" if s.state == "visible" else _("（隐藏）")) for s in others)
        raise WorkbookRefused(
            _(
                "文件“%(file)s”中的工作表与模板不一致（%(sheets)s）：模板只有一张数据表；请在下载的模板中填写，不要增加、复制或隐藏工作表。"
            )
            % {"file": name, "sheets": extra or _("没有数据表")}
        )
    data = others[0]
    if data.state != "visible":
        raise WorkbookRefused(
            _("文件“%(file)s”的数据表“%(sheet)s”被隐藏了；请取消隐藏后重新上传。") % {"file": name, "sheet": data.name}
        )
    return data


def read_workbook(content: bytes, *, name: str = "") -> Sheet:
    """Read an uploaded template, checked first (figures.xlsx_guard); formulas count as their saved values,
    a formula without one is an error on its cell. Any file openpyxl cannot read is a message, never a 500."""
    name = name or _("上传的文件")
    try:
        inspection = xlsx_guard.inspect(content, name=name)
    except xlsx_guard.Refused as refused:
        raise WorkbookRefused(str(refused)) from None
    data = _data_sheet(inspection, name)
    damaged = _("无法读取文件“%(file)s”：文件可能已损坏，请用Excel打开后重新保存再上传。") % {"file": name}
    try:
        book = load_workbook(io.BytesIO(content), data_only=True, read_only=True)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise WorkbookRefused(damaged) from error
    try:
        meta = _meta(book)
        kind = meta.get("kind")
        if kind not in COLUMNS:
            raise WorkbookRefused(_("无法识别的模板类型。"))
        expected = meta.get("sheet")
        if expected and expected != data.name:
            raise WorkbookRefused(
                _("文件“%(file)s”中找不到模板的数据表“%(expected)s”（现为“%(found)s”）；请不要重命名工作表。")
                % {"file": name, "expected": expected, "found": data.name}
            )
        values_sheet = book[data.name]
        _check_header(values_sheet, kind)
        rows = _rows(values_sheet, kind, data.formulas_without_value)
    except WorkbookRefused:
        raise
    except Exception as error:  # checked above; anything openpyxl still trips on is a damaged file
        raise WorkbookRefused(damaged) from error
    finally:
        book.close()
    return Sheet(kind=kind, plan_code=meta.get("plan", ""), quarter=meta.get("quarter", ""), rows=rows)


def _check_header(sheet, kind: str) -> None:
    header = next(sheet.iter_rows(min_row=HEADER_ROW, max_row=HEADER_ROW, values_only=True), ())
    for index, column in enumerate(COLUMNS[kind]):
        found = header[index] if index < len(header) else None
        if (found or "").strip() != column.header:
            raise WorkbookRefused(
                _("表头与模板不一致：%(cell)s 应为“%(header)s”。请使用下载的模板，不要增删列。")
                % {"cell": f"{get_column_letter(index + 1)}{HEADER_ROW}", "header": column.header}
            )


def _rows(values_sheet, kind: str, formulas_without_value: set[str]) -> list[SheetRow]:
    columns = COLUMNS[kind]
    width = len(columns)
    letters = [get_column_letter(index) for index in range(1, width + 1)]
    rows = []
    number_columns = [index for index, column in enumerate(columns) if column.field in NUMBER_FIELDS]
    for number, cells in enumerate(values_sheet.iter_rows(min_row=FIRST_ROW, max_col=width), start=FIRST_ROW):
        values = [cell.value for cell in cells] + [None] * (width - len(cells))
        for index in number_columns:
            if index < len(cells) and _percent_format(cells[index], values[index]):
                values[index] = numbers.PercentCell(values[index])
        if all(_blank(v) for v, c in zip(values, columns, strict=True) if c.field in ("indicator", *INPUT_FIELDS)):
            if not any(f"{letter}{number}" in formulas_without_value for letter in letters):
                continue
        if len(rows) >= MAX_ROWS:
            raise WorkbookRefused(_("文件行数超过%(n)s行的上限。") % {"n": MAX_ROWS})
        row = SheetRow(number=number, code=_text(values[0]), name=_text(values[1]))
        for index, column in enumerate(columns):
            if column.field in INPUT_FIELDS:
                formula = f"{letters[index]}{number}" in formulas_without_value
                _read_cell(row, kind, column, values[index], formula, number)
        rows.append(row)
    return rows


def _percent_format(cell, value) -> bool:
    """A number shown as a percentage: its format has a % outside quotes (0.00%, 0%, [Red]0.0%)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    number_format = re.sub(r'"[^"]*"|\\.', "", cell.number_format or "")
    return "%" in number_format


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _read_cell(row: SheetRow, kind: str, column: Column, value, formula_without_value: bool, number: int) -> None:
    """Turn one cell into what the form reads; name the cell when it cannot be read."""
    if formula_without_value:
        row.errors.setdefault(column.field, []).append(
            _("单元格 %(cell)s 是公式但文件中没有保存计算结果；请在Excel中打开、重新计算并保存后再上传。")
            % {"cell": _cell(kind, column.field, number)}
        )
        return
    if column.field in NUMBER_FIELDS:
        if isinstance(value, dt.date | dt.time):
            row.errors.setdefault(column.field, []).append(
                _("该单元格是日期或时间格式，请把单元格格式改为“常规”或“数值”后填写数字。")
            )
        else:
            # A number cell (a float, or a PercentCell) is read by figures.numbers.parse_number.
            row.values[column.field] = value
    elif column.field == "is_provisional":
        flag = _flag(value)
        if flag is None:
            row.errors.setdefault(column.field, []).append(_("请填写“是”或“否”。"))
        else:
            row.values[column.field] = "on" if flag == YES else ""
    elif column.field == "period":
        row.values[column.field] = _period_text(value)
    else:
        row.values[column.field] = _text(value)


def _flag(value) -> str | None:
    if _blank(value) or value is False:
        return NO
    if value is True:
        return YES
    text = str(value).strip()
    if text in (YES, "预估", "Y", "y", "1"):
        return YES
    if text in (NO, "正式", "N", "n", "0"):
        return NO
    return None


def _period_text(value) -> str:
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return f"{day.year}Q{(day.month - 1) // 3 + 1}"
    return _text(value)
