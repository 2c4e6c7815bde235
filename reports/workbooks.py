"""The workbooks themselves (openpyxl): the quarterly report (季度通报) and the cross-city comparison.

They lay out what reports.selectors read and compute nothing of their own, so a figure in a workbook is
the figure on the dashboard. House style for every sheet: Chinese headers, frozen header row, columns
as wide as their text, numbers stored as numbers (units in the headers or a 单位 column), status cells
coloured like the pages' badges, A4 landscape fitted to the page width.
"""

import datetime as dt
import pickle
import tempfile
import unicodedata
from collections.abc import Iterable, Sequence
from copy import copy
from dataclasses import dataclass
from itertools import groupby

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from core import progress
from core.cells import looks_like_formula, put
from core.periods import Quarter, period_label
from core.status import STATUS_COLOURS, STATUS_ORDER, status_label
from indicators.models import Indicator
from reports.selectors import ComparisonReport, QuarterlyReport
from tasks import rules
from tasks.departments import DepartmentOverview

# --- House style ---------------------------------------------------------------------------------------

INTEGER = "#,##0"
DECIMAL = "#,##0.00"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
YEAR = "0"

# Light fills a printed report can carry in black and white (core.status owns the colours).
_STATUS_STYLES = {
    status: (PatternFill("solid", fgColor=colour.fill.lstrip("#")), Font(color=colour.ink.lstrip("#"), bold=True))
    for status, colour in STATUS_COLOURS.items()
}
_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="D9E2EC")
_HEADER_FONT = Font(bold=True)
_HEADER_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TOP = Alignment(vertical="top")
_TOP_WRAP = Alignment(vertical="top", wrap_text=True)
_TITLE_FONT = Font(bold=True, size=16)
_SECTION_FONT = Font(bold=True, size=12)
_PROVISIONAL_FONT = Font(italic=True, color="7F7F7F")
_MUTED_FONT = Font(italic=True, color="595959")


@dataclass(frozen=True)
class Column:
    """A column of a table: its header, number format, and width bounds (text wraps at the maximum)."""

    title: str
    number_format: str | None = None
    min_width: int = 6
    max_width: int = 16


@dataclass(frozen=True)
class Styled:
    """A value with a look of its own: a status colour, a number format, or the italics of an estimate."""

    value: object
    status: str | None = None
    number_format: str | None = None
    font: Font | None = None


def text_width(text: str) -> int:
    """Width in Excel character units: a Chinese character is as wide as two Latin ones."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown(value, number_format: str | None) -> str:
    """Roughly how a value is shown, for the width of its column."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return "2025-06-30"
    if isinstance(value, float | int) and not isinstance(value, bool):
        if number_format == PERCENT:
            return f"{value * 100:.1f}%"
        if number_format == YEAR:
            return str(value)
        return f"{value:,.2f}" if number_format == DECIMAL else f"{value:,.0f}"
    return max(str(value).split("\n"), key=text_width)


def number(value) -> Styled | None:
    """A quantity as a number: whole numbers without decimals, others with two."""
    if value is None:
        return None
    value = float(value)
    return Styled(value, number_format=INTEGER if value.is_integer() else DECIMAL)


def _write(ws: Worksheet, row: int, column: int, value=None):
    """Every cell of these workbooks is written here: text (plan titles, explanations, task updates typed by
    users) is stored as text, never as a formula (core.cells)."""
    return put(ws.cell(row, column), value)


def status_cell(status: str) -> Styled:
    return Styled(status_label(status), status=status)


LINE_HEIGHT = 16  # points per line of 11-point text (CJK glyphs included)
DEFAULT_WIDTH = 9  # a column nobody sized (Excel's 8.43, rounded up)


class Table:
    """Writes tables into a sheet, sizes its columns to the widest text written in them, and makes rows
    with wrapped text tall enough to show all of it (neither Excel nor LibreOffice does that on opening)."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.widths: dict[int, tuple[int, int, int]] = {}  # column -> (widest text, min, max)
        self.wrapped: list[tuple[int, tuple[int, ...], str]] = []  # (row, columns it spans, text)
        self.styles: dict[tuple, StyleArray] = {}  # (text?, number format, status, font) -> style indexes
        self.heading: tuple[str, int] | None = None  # the sheet's title and the last column it spans

    def title(self, text: str, last_column: int):
        """A title across the first row; fit() widens the last column it spans if it would not fit."""
        cell = _write(self.ws, 1, 1, text)
        cell.font, cell.alignment = _TITLE_FONT, Alignment(horizontal="center", vertical="center")
        self.ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_column)
        self.ws.row_dimensions[1].height = 30
        self.heading = (text, last_column)

    def write(
        self, columns: Sequence[Column], rows: Iterable[Sequence], *, start_row: int = 1, start_column: int = 1
    ) -> int:
        """Header at start_row, then the rows; returns the last row written."""
        ws = self.ws
        for offset, column in enumerate(columns):
            cell = _write(ws, start_row, start_column + offset, column.title)
            cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN, _BORDER
            self._measure(start_column + offset, column, text_width(_shown(column.title, None)))
            self.wrapped.append((start_row, (start_column + offset,), column.title))
        row_number = start_row
        for row_number, row in enumerate(rows, start=start_row + 1):
            for offset, (column, value) in enumerate(zip(columns, row, strict=True)):
                self._cell(row_number, start_column + offset, column, value)
        return row_number

    def _cell(self, row: int, col: int, column: Column, value):
        styled = value if isinstance(value, Styled) else Styled(value)
        number_format = _number_format(styled, column) or None
        is_text = isinstance(styled.value, str)
        cell = _write(self.ws, row, col, styled.value)
        quoted = is_text and looks_like_formula(styled.value)  # keeps its quote prefix (core.cells)
        key = (is_text, number_format, styled.status, styled.font, quoted)
        style = self.styles.get(key)
        if style is None:
            cell.border = _BORDER
            cell.alignment = _TOP_WRAP if is_text else _TOP  # text longer than its column's maximum wraps
            if number_format:
                cell.number_format = number_format
            if styled.status is not None:
                cell.fill, cell.font = _STATUS_STYLES[styled.status]
            elif styled.font is not None:
                cell.font = styled.font
            self.styles[key] = copy(cell._style)
        else:
            # Copying the style indexes once worked out: openpyxl hashes every style object it is given, which
            # took two thirds of the time of a 9,000-row comparison.
            cell._style = copy(style)
        self._measure(col, column, text_width(_shown(styled.value, number_format)))
        if is_text:
            self.wrapped.append((row, (col,), styled.value))

    def _measure(self, col: int, column: Column, width: int):
        widest, low, high = self.widths.get(col, (0, column.min_width, column.max_width))
        self.widths[col] = (max(widest, width), max(low, column.min_width), max(high, column.max_width))

    def fit(self):
        widths = {col: min(high, max(low, widest + 2)) for col, (widest, low, high) in self.widths.items()}
        if self.heading is not None:
            text, last = self.heading
            spanned = sum(widths.get(c, DEFAULT_WIDTH) for c in range(1, last + 1))
            needed = text_width(text) * _TITLE_FONT.sz / 11 + 4
            if spanned < needed:
                widths[last] = widths.get(last, DEFAULT_WIDTH) + needed - spanned
        for col, width in widths.items():
            self.ws.column_dimensions[get_column_letter(col)].width = width
        lines: dict[int, int] = {}
        for row, cols, text in self.wrapped:
            room = max(1, sum(widths.get(c, DEFAULT_WIDTH) for c in cols) - 1)
            lines[row] = max(lines.get(row, 1), _wrapped_lines(text, room))
        for row, count in lines.items():
            if count > 1:
                self.ws.row_dimensions[row].height = count * LINE_HEIGHT + 2


def _wrapped_lines(text: str, room: int) -> int:
    """Lines a wrapped text takes in a column `room` characters wide (Table and SpooledTable size rows by it)."""
    return sum(max(1, -(-text_width(part) // room)) for part in text.split("\n"))


def _print_setup(ws: Worksheet, header: str, *, title_rows: str | None = "1:1"):
    """A4 landscape, fitted to the page width (as many pages down as needed), header row on every page."""
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4  # the class's: a write-only sheet has no constants
    ws.page_setup.orientation = Worksheet.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    ws.page_margins.header = ws.page_margins.footer = 0.3
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddHeader.center.text = header
    ws.oddFooter.center.text = _("第 &P 页，共 &N 页")


def _facts(
    ws: Worksheet, facts: Sequence[tuple[str, object, str | None]], *, start_row: int, last_column: int, table: Table
) -> int:
    """Label / value pairs, the value merged across the rest of the row so it never widens a column."""
    label_column = Column("", max_width=18)
    for offset, (label, value, number_format) in enumerate(facts):
        row = start_row + offset
        label_cell = _write(ws, row, 1, label)
        label_cell.font, label_cell.fill, label_cell.border = _HEADER_FONT, _HEADER_FILL, _BORDER
        label_cell.alignment = _TOP
        table._measure(1, label_column, text_width(label))
        if isinstance(value, str):
            table.wrapped.append((row, tuple(range(2, last_column + 1)), value))
        cell = _write(ws, row, 2, value)
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if number_format and value is not None and not isinstance(value, str):
            cell.number_format = number_format
        ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=last_column)
    return start_row + len(facts) - 1


def _section(ws: Worksheet, row: int, text: str):
    _write(ws, row, 1, text).font = _SECTION_FONT
    ws.row_dimensions[row].height = 22


def _percent(value: float | None) -> Styled | None:
    return None if value is None else Styled(value, number_format=PERCENT)


def _approved_at(moment: dt.datetime | None) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" if moment else _("尚无已审核数据")


def _provisional(rows) -> str:
    """The indicators whose counted figures are still estimates, as the city dashboard lists them."""
    if not rows:
        return _("无")
    return "、".join(
        f"{r.indicator.code} {r.indicator.name}（{Quarter.of(r.indicator.latest_provisional).label}"
        + (_("等%(n)s期") % {"n": r.indicator.provisional_count} if r.indicator.provisional_count > 1 else "")
        + "）"
        for r in rows
    )


def lead_text(indicator: Indicator) -> str:
    """The lead departments, marked when the document named none (as the indicator page marks them)."""
    if indicator.lead_department_defaulted:
        return _("%(names)s（文件未写明，默认）") % {"names": indicator.lead_names}
    return indicator.lead_names


def task_lead_text(task_row) -> str:
    """A task's lead departments; where the document names none, the department answering its 督办, marked."""
    names = "、".join(task_row.lead)
    if task_row.lead_defaulted:
        return _("%(names)s（文件未写明牵头单位，默认第一责任单位）") % {"names": names}
    return names


def explanation_text(report: QuarterlyReport, indicator_id: int) -> str:
    """The lead department's latest explanation, or the open 督办 item still waiting for one and its step."""
    explanation = report.explanations.get(indicator_id)
    if explanation:
        return explanation
    waiting = report.waiting_supervision(indicator_id)
    if waiting is None:
        return ""
    return _("尚未说明：督办%(step)s，%(department)s应于%(due)s前报送%(overdue)s") % {
        "step": waiting.step,
        "department": waiting.department,
        "due": f"{waiting.due:%Y-%m-%d}",
        "overdue": _("（已逾期）") if waiting.overdue else "",
    }


def _pending_count(report: QuarterlyReport) -> str:
    n = sum(len(views) for views in report.pending_readings.values())
    if not n:
        return _("无")
    return _("%(n)s条（见“指标”表“待确认的解读”列；确认前按所列读法计算）") % {"n": n}


def _base_year(indicator: Indicator, pending) -> int | str | None:
    """The base year as a number, or marked 假定 while the document gives none and the city has not confirmed it."""
    if indicator.base_year and any(v.reading.code == "base_year" for v in pending):
        return _("%(year)s（假定）") % {"year": indicator.base_year}
    return indicator.base_year


def _pending_readings(views) -> str | None:
    """One line per reading the city has not confirmed: what the document leaves open and how it is read."""
    if not views:
        return None
    return "\n".join(
        _("%(topic)s：%(label)s（待确认）") % {"topic": v.reading.topic, "label": v.chosen.label} for v in views
    )


def _form(indicator: Indicator) -> str:
    return f"{indicator.get_measure_type_display()}·{indicator.get_target_form_display()}"


# --- The quarterly report ----------------------------------------------------------------------------


def quarterly_workbook(report: QuarterlyReport) -> Workbook:
    """封面 (cover), 指标 (indicators), 任务 (tasks), 季度数据 (the quarterly series) and, for the roles that see
    task reports, 部门落实情况 (the department overview)."""
    workbook = Workbook()
    plan = report.plan
    header = _("%(city)s %(quarter)s 知识产权强市建设工作进展通报") % {
        "city": plan.city.name,
        "quarter": report.quarter.label,
    }
    _cover_sheet(workbook.active, report, header)
    _indicator_sheet(workbook.create_sheet(_("指标")), report, header)
    _task_sheet(workbook.create_sheet(_("任务")), report, header)
    _figure_sheet(workbook.create_sheet(_("季度数据")), report, header)
    if report.departments is not None:
        department_sheet(workbook.create_sheet(_("部门落实情况")), report.departments, header)
    workbook.properties.title = header
    workbook.properties.creator = "ipcity"
    return workbook


def _cover_sheet(ws: Worksheet, report: QuarterlyReport, header: str):
    ws.title = _("封面")
    plan, summary = report.plan, report.summary
    table = Table(ws)
    attention_columns = [
        Column(_("代码"), max_width=10),
        Column(_("指标名称"), max_width=26),
        Column(_("状态"), max_width=10),
        Column(_("状态起始"), max_width=11),
        Column(_("指标进度\n（%）"), PERCENT, max_width=10),
        Column(_("应达进度\n（%）"), PERCENT, max_width=10),
        Column(_("牵头单位"), max_width=18),
        Column(_("原因"), max_width=40),
    ]
    if report.shows_department_reports:
        attention_columns.append(Column(_("牵头单位说明"), max_width=36))
    last = len(attention_columns)
    table.title(header, last)

    quantitative = [r for r in summary.rows if r.indicator.is_quantitative]
    row = _facts(
        ws,
        [
            (_("城市"), plan.city.name, None),
            (_("方案"), plan.title + (f"（{plan.document_number}）" if plan.document_number else ""), None),
            (_("实施期限"), f"{plan.period_start:%Y-%m-%d} — {plan.period_end:%Y-%m-%d}", None),
            (
                _("统计截至"),
                _("%(quarter)s末（%(date)s）") % {"quarter": report.quarter.label, "date": f"{report.as_of:%Y-%m-%d}"},
                None,
            ),
            # The value is a percentage cell (91.6%): the label carries no unit of its own.
            (_("时间进度"), summary.time_elapsed, PERCENT),
            (
                _("指标进度"),
                summary.indicator_progress if summary.indicator_progress is not None else "—",
                PERCENT,
            ),
            (_("指标数（个）"), len(summary.rows), INTEGER),
            (_("其中定量指标（个）"), len(quantitative), INTEGER),
            (_("数据最后审核"), _approved_at(summary.last_approved_at), None),
            (_("仍为预估数"), _provisional(summary.provisional), None),
            (_("待确认的解读"), _pending_count(report), None),
            (_("生成日期"), f"{report.generated_on:%Y-%m-%d}", None),
        ],
        start_row=3,
        last_column=last,
        table=table,
    )

    row += 2
    _section(ws, row, _("各状态指标数"))
    counts = [(status_cell(s), summary.counts.get(s, 0)) for s in STATUS_ORDER]
    row = table.write([Column(_("状态"), max_width=12), Column(_("指标数（个）"), INTEGER)], counts, start_row=row + 1)

    row += 2
    ws.row_breaks.append(Break(id=row - 1))  # the lagging list starts a page: its header never ends one
    _section(ws, row, _("需关注指标（未完成、滞后、逾期未报、预警）"))
    attention = []
    for status_row in summary.attention:
        indicator, result = status_row.indicator, status_row.result
        values = [
            indicator.code,
            indicator.name,
            status_cell(result.status),
            f"{status_row.status_since:%Y-%m-%d}" if status_row.status_since else "—",
            _percent(result.progress),
            _percent(result.expected),
            lead_text(indicator),
            result.reason,
        ]
        if report.shows_department_reports:
            values.append(explanation_text(report, indicator.pk))
        attention.append(values)
    if attention:
        row = table.write(attention_columns, attention, start_row=row + 1)
    else:
        _write(ws, row + 1, 1, _("无")).font = _MUTED_FONT
        row += 1
    note = _write(
        ws,
        row + 2,
        1,
        _(
            "状态判定规则：指标进度低于应达进度%(risk)s个百分点以上为预警，"
            "%(lag)s个百分点以上为滞后；应达进度按数据日期的时间进度计算（时间过半、任务过半）。"
        )
        % {"risk": f"{float(plan.at_risk_band):g}", "lag": f"{float(plan.lagging_band):g}"},
    )
    note.font = _MUTED_FONT
    table.fit()
    _print_setup(ws, header, title_rows=None)


def _indicator_sheet(ws: Worksheet, report: QuarterlyReport, header: str):
    columns = [
        Column(_("代码"), max_width=10),
        Column(_("类别"), max_width=8),
        Column(_("指标名称"), max_width=20),
        Column(_("单位"), max_width=8),
        Column(_("口径·目标形式"), max_width=10),
        Column(_("基期年份"), YEAR, max_width=8),
        Column(_("基期值"), max_width=12),
        Column(_("目标值"), max_width=12),
        Column(_("当前值"), max_width=12),
        Column(_("判定口径"), max_width=10),
        Column(_("本季度数值"), max_width=12),
        Column(_("数据日期"), DATE, max_width=12),
        Column(_("应达进度\n（%）"), PERCENT, max_width=10),
        Column(_("指标进度\n（%）"), PERCENT, max_width=10),
        Column(_("状态"), max_width=10),
        Column(_("判断依据"), max_width=28),
        Column(_("需每季度新增"), max_width=10),
        Column(_("近四季度平均"), max_width=10),
        Column(_("牵头单位"), max_width=12),
        Column(_("文件原文"), max_width=30),
        Column(_("待确认的解读"), max_width=30),
    ]
    rows = []
    for status_row in report.summary.rows:
        indicator, result = status_row.indicator, status_row.result
        rows.append(
            [
                indicator.code,
                indicator.category,
                indicator.name,
                indicator.unit,
                _form(indicator),
                _base_year(indicator, report.pending_readings.get(indicator.pk, [])),
                number(result.base),
                number(result.end_target),
                number(result.current),
                progress.basis_label(result.basis),
                number(result.period_value) if progress.period_value_label(result.basis, indicator.frequency) else None,
                result.data_date,
                _percent(result.expected),
                _percent(result.progress),
                status_cell(result.status),
                result.reason,
                number(result.needed_per_quarter),
                number(result.recent_pace_per_quarter),
                lead_text(indicator),
                indicator.source_quote,
                _pending_readings(report.pending_readings.get(indicator.pk, [])),
            ]
        )
    table = Table(ws)
    table.write(columns, rows)
    table.fit()
    ws.freeze_panes = "D2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    _print_setup(ws, header)


def _task_sheet(ws: Worksheet, report: QuarterlyReport, header: str):
    columns = [
        Column(_("章节"), max_width=12),
        Column(_("序号"), max_width=6),
        Column(_("任务"), max_width=22),
        Column(_("任务内容"), max_width=40),
        Column(_("牵头单位"), max_width=18),
        Column(_("责任单位"), max_width=24),
        Column(_("完成时限"), DATE, max_width=12),
    ]
    if report.shows_department_reports:
        columns += [
            Column(_("进展状态"), max_width=10),
            Column(_("报送日期"), DATE, max_width=12),
            Column(_("本季度最新进展"), max_width=40),
            Column(_("逾期/未报送部门"), max_width=24),
        ]
    rows = []
    for task_row in report.tasks:
        task = task_row.task
        values = [
            task.section,
            task.number,
            task.title,
            task.text,
            task_lead_text(task_row),
            "、".join(task_row.responsible),
            task.due_date,
        ]
        if report.shows_department_reports:
            latest = task_row.latest
            values += [
                task_row.state or _("未报送"),
                timezone.localtime(latest.created_at).date() if latest else None,
                f"【{task_row.latest_by}】{latest.text}" if latest else "",
                "、".join(f"{name}（{status}）" for name, status in task_row.late),
            ]
        rows.append(values)
    table = Table(ws)
    last = table.write(columns, rows)
    if not report.shows_department_reports:
        _write(ws, last + 2, 1, _("任务进展与报送情况仅对本市市场监管局、领导小组成员可见。")).font = _MUTED_FONT
    else:
        _write(
            ws,
            last + 2,
            1,
            _("进展状态以牵头单位汇总报送为准；报送情况截至%(date)s。") % {"date": f"{report.generated_on:%Y-%m-%d}"},
        ).font = _MUTED_FONT
    table.fit()
    ws.freeze_panes = "D2"
    _print_setup(ws, header)


_LIGHT_FONTS = {  # the pages' light colours (static/tasks/tasks.css)
    rules.Light.RED: Font(bold=True, color="C53030"),
    rules.Light.YELLOW: Font(bold=True, color="8D2B0B"),
    rules.Light.GREEN: Font(color="2F855A"),
}


def department_sheet(ws: Worksheet, overview: DepartmentOverview, header: str):
    """部门落实情况: the department overview page's table (tasks.departments), worst first, with its rule."""
    columns = [
        Column(_("部门"), max_width=24),
        Column(_("亮灯"), max_width=8),
        Column(_("亮灯原因"), max_width=22),
        *(Column(str(rules.SIGNAL_LABELS[s]), INTEGER, max_width=12) for s in rules.Signal),
        Column(_("默认牵头滞后（另计）"), INTEGER, max_width=12),
        Column(_("默认牵头预警（另计）"), INTEGER, max_width=12),
        Column(_("滞后/预警指标"), max_width=36),
    ]
    rows = []
    for row in overview.rows:
        rows.append(
            [
                row.name,
                Styled(row.light_label, font=_LIGHT_FONTS[row.light]),
                row.causes_text,
                *row.cells,
                row.defaulted_lagging,
                row.defaulted_at_risk,
                "、".join([*row.lagging, *row.at_risk]),
            ]
        )
    table = Table(ws)
    last = table.write(columns, rows)
    notes = [
        _("参考：按规则汇总的提示，不是正式考核结果。%(quarter)s；督办与批示截至%(date)s。")
        % {"quarter": overview.quarter.label, "date": f"{overview.as_of:%Y-%m-%d}"},
        _("亮灯规则：") + "；".join(f"{signal}：{light}" for signal, light in overview.rule_text),
        _("文件未写明牵头单位、默认由市市场监管局牵头的指标单独列出，不计入亮灯。"),
    ]
    for offset, note in enumerate(notes, start=2):
        _write(ws, last + offset, 1, note).font = _MUTED_FONT
    table.fit()
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(1, len(rows) + 1)}"
    _print_setup(ws, header)


def _period_title(period_end: dt.date) -> str:
    """2025年 / 第2季度 on two lines, so twelve quarters fit across a page."""
    return period_label(period_end).replace("年", "年\n", 1)


def _figure_sheet(ws: Worksheet, report: QuarterlyReport, header: str):
    columns = [
        Column(_("代码"), max_width=10),
        Column(_("指标名称"), max_width=24),
        Column(_("单位"), max_width=8),
        Column(_("统计口径"), max_width=8),
    ]
    columns += [Column(_period_title(p), min_width=10, max_width=12) for p in report.periods]
    rows = []
    for status_row in report.summary.rows:
        indicator = status_row.indicator
        if not indicator.is_quantitative:
            continue
        series = report.figures.get(indicator.pk, {})
        values = [indicator.code, indicator.name, indicator.unit, indicator.get_measure_type_display()]
        for period in report.periods:
            cell = series.get(period)
            styled = number(cell.value) if cell else None
            if styled is not None and cell.provisional:
                styled = Styled(styled.value, number_format=styled.number_format, font=_PROVISIONAL_FONT)
            values.append(styled)
        rows.append(values)
    table = Table(ws)
    last = table.write(columns, rows)
    note = _("已审核数据（更正后以最新版本为准）；期间数、年度数为当期数；灰色斜体为预估数。")
    _write(ws, last + 2, 1, note).font = _MUTED_FONT
    table.fit()
    ws.freeze_panes = "C2"
    _print_setup(ws, header)


# --- Sheets of any length: openpyxl's write-only mode -------------------------------------------------


class SpooledTable:
    """A Table for a sheet of a write-only workbook (Workbook(write_only=True)), which takes its column widths
    before its first row and its rows one at a time, in the memory of one row however many there are.

    Each row is measured as it is added and kept in a temporary file; write() then sizes the columns as
    Table.fit() does and streams header and rows into the sheet with Table's styles, row heights and
    formula-safe text (core.cells) — the same cells an ordinary sheet written by Table holds."""

    def __init__(self, columns: Sequence[Column]):
        self.columns = columns
        self.widest = [text_width(_shown(column.title, None)) for column in columns]
        self.spool = tempfile.TemporaryFile()
        self.count = 0

    def add(self, values: Sequence) -> int:
        """Measure and keep a row; returns its place in the spool, for write(order=...)."""
        for offset, (column, value) in enumerate(zip(self.columns, values, strict=True)):
            styled = value if isinstance(value, Styled) else Styled(value)
            width = text_width(_shown(styled.value, _number_format(styled, column)))
            if width > self.widest[offset]:
                self.widest[offset] = width
        place = self.spool.tell()
        self.spool.write(pickle.dumps(list(values), protocol=pickle.HIGHEST_PROTOCOL))
        self.count += 1
        return place

    @property
    def widths(self) -> list[int]:
        return [min(c.max_width, max(c.min_width, w + 2)) for c, w in zip(self.columns, self.widest, strict=True)]

    def write(self, ws, *, order: Iterable[int] | None = None, note: str | None = None):
        """Header, the rows (in the order they were added, or at the places given), then the note under them
        in muted italics. The sheet's freeze panes are set by the caller before, as every top-of-sheet item."""
        widths = self.widths
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(col)].width = width
        styles: dict[tuple, StyleArray] = {}
        header = []
        for column in self.columns:
            cell = put(WriteOnlyCell(ws), column.title)
            cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN, _BORDER
            header.append(cell)
        self._append(ws, 1, header, [c.title for c in self.columns], widths)
        self.spool.seek(0)
        for row_number, place in enumerate(range(self.count) if order is None else order, start=2):
            if order is not None:
                self.spool.seek(place)
            values = pickle.load(self.spool)  # one unpickler a row: each row was pickled on its own
            cells = [self._cell(ws, column, value, styles) for column, value in zip(self.columns, values, strict=True)]
            texts = [v.value if isinstance(v, Styled) else v for v in values]
            self._append(ws, row_number, cells, texts, widths)
        self.spool.close()
        if note is not None:
            ws.append([])
            cell = put(WriteOnlyCell(ws), note)
            cell.font = _MUTED_FONT
            ws.append([cell])

    @staticmethod
    def _append(ws, row_number: int, cells: list, texts: list, widths: list[int]):
        """One row, as tall as its wrapped text needs (Table.fit's rule); the height is dropped once written."""
        lines = 1
        for text, width in zip(texts, widths, strict=True):
            if isinstance(text, str):
                room = max(1, width - 1)
                lines = max(lines, _wrapped_lines(text, room))
        if lines > 1:
            ws.row_dimensions[row_number].height = lines * LINE_HEIGHT + 2
        ws.append(cells)
        ws.row_dimensions.pop(row_number, None)

    @staticmethod
    def _cell(ws, column: Column, value, styles: dict[tuple, StyleArray]):
        """Table._cell's cell: the same value, style and quote prefix; styles worked out once per look."""
        styled = value if isinstance(value, Styled) else Styled(value)
        number_format = _number_format(styled, column)
        is_text = isinstance(styled.value, str)
        cell = put(WriteOnlyCell(ws), styled.value)
        key = (is_text, number_format, styled.status, styled.font, is_text and looks_like_formula(styled.value))
        style = styles.get(key)
        if style is None:
            cell.border = _BORDER
            cell.alignment = _TOP_WRAP if is_text else _TOP
            if number_format:
                cell.number_format = number_format
            if styled.status is not None:
                cell.fill, cell.font = _STATUS_STYLES[styled.status]
            elif styled.font is not None:
                cell.font = styled.font
            styles[key] = copy(cell._style)
        else:
            cell._style = copy(style)
        return cell


def _number_format(styled: Styled, column: Column) -> str | None:
    """The number format Table._cell gives a value: its own or its column's, none for text and blanks."""
    if styled.value is None or isinstance(styled.value, str):
        return None
    return styled.number_format or column.number_format


def stream_sheet(source: Worksheet, target):
    """A small sheet built with the house helpers on an ordinary Worksheet of the target's (write-only)
    workbook, streamed into the target: cells with their styles (merged ones included), widths, heights and
    merges. Print setup, freeze panes and filters are set on the target by the caller."""
    for letter, dimension in source.column_dimensions.items():
        if dimension.width:
            target.column_dimensions[letter].width = dimension.width
    for ref in source.merged_cells.ranges:
        target.merged_cells.add(CellRange(ref.coord))
    for row_number in range(1, source.max_row + 1):
        height = source.row_dimensions[row_number].height if row_number in source.row_dimensions else None
        if height:
            target.row_dimensions[row_number].height = height
        cells = []
        for col in range(1, source.max_column + 1):
            original = source._cells.get((row_number, col))
            cell = WriteOnlyCell(target)
            if original is not None:
                cell._value, cell.data_type, cell._style = original._value, original.data_type, copy(original._style)
            cells.append(cell)
        target.append(cells)
        target.row_dimensions.pop(row_number, None)


# --- The cross-city comparison ---------------------------------------------------------------------------


def comparison_workbook(report: ComparisonReport) -> Workbook:
    """说明 (what is compared), 对比总表 (cities × indicators, progress by status), 对比明细 (every row).

    Written in openpyxl's write-only mode from report.rows(), read a chunk at a time: the rows wait on disk
    (SpooledTable) until their columns are sized, so memory does not grow with the number of cities."""
    workbook = Workbook(write_only=True)
    header = _("知识产权强市建设跨城市指标对比（截至%(quarter)s末）") % {"quarter": report.quarter.label}
    cover = workbook.create_sheet(_("说明"))
    summary_sheet = workbook.create_sheet(_("对比总表"))
    detail_sheet = workbook.create_sheet(_("对比明细"))

    summary, detail = SpooledTable(_summary_columns(report)), SpooledTable(_detail_columns())
    places = {}
    for key, rows in groupby(report.rows(), key=lambda row: row.indicator.catalogue_key):
        firsts = {}  # plan -> the first indicator of the key in the plan (in plan order): its summary cell
        for row in rows:
            firsts.setdefault(row.indicator.plan_id, row.result)
            detail.add(_detail_values(report, row))
        places[key] = summary.add(_summary_values(report, key, firsts))

    # Freeze panes and page setup first: a write-only sheet writes them above its first row.
    for sheet in (summary_sheet, detail_sheet):
        sheet.freeze_panes = "C2"
        _print_setup(sheet, header)
    _print_setup(cover, header, title_rows=None)
    scratch = Worksheet(workbook)
    _comparison_cover(scratch, report, header)
    stream_sheet(scratch, cover)
    summary.write(
        summary_sheet,
        order=[places[key] for key in report.labels],
        note=_("单元格为指标进度（%），颜色为状态；无进度的指标显示状态；空白为该市方案无此类指标。"),
    )
    detail_sheet.auto_filter.ref = f"A1:{get_column_letter(len(detail.columns))}{max(1, detail.count + 1)}"
    detail.write(detail_sheet)
    workbook.properties.title = header
    workbook.properties.creator = "ipcity"
    return workbook


def _comparison_cover(ws: Worksheet, report: ComparisonReport, header: str):
    """Built on an ordinary sheet and streamed into the workbook (stream_sheet): a few rows with merges."""
    table = Table(ws)
    table.title(header, 8)
    row = _facts(
        ws,
        [
            (_("统计截至"), f"{report.as_of:%Y-%m-%d}", None),
            (_("城市数（个）"), len({p.city_id for p in report.plans}), INTEGER),
            (_("方案数（个）"), len(report.plans), INTEGER),
            (_("对比指标（类）"), len(report.labels), INTEGER),
            (
                _("比较口径"),
                _("各城市单位、实施期限不同，按指标进度（由基期到目标完成的比例）和与应达进度之差比较；颜色表示状态。"),
                None,
            ),
            (_("生成日期"), f"{report.generated_on:%Y-%m-%d}", None),
        ],
        start_row=3,
        last_column=8,
        table=table,
    )
    row += 2
    _section(ws, row, _("状态图例"))
    table.write([Column(_("状态"), max_width=12)], [[status_cell(s)] for s in STATUS_ORDER], start_row=row + 1)
    table.fit()


def _summary_columns(report: ComparisonReport) -> list[Column]:
    """One row per like indicator, the cities side by side: each cell the city's progress, coloured by status."""
    columns = [Column(_("对比指标"), max_width=24), Column(_("城市数\n（个）"), INTEGER, max_width=8)]
    columns += [
        Column(
            f"{plan.city_name}\n{plan.period_start.year}—{plan.period_end.year}", PERCENT, min_width=10, max_width=12
        )
        for plan in report.plans
    ]
    return columns


def _summary_values(report: ComparisonReport, key: str, firsts: dict[int, progress.Progress]) -> list:
    values = [report.labels[key], len(firsts)]
    for plan in report.plans:
        result = firsts.get(plan.pk)
        if result is None:
            values.append(None)
        elif result.progress is None:
            values.append(status_cell(result.status))
        else:
            values.append(Styled(result.progress, status=result.status, number_format=PERCENT))
    return values


def _detail_columns() -> list[Column]:
    return [
        Column(_("对比指标"), max_width=18),
        Column(_("城市"), max_width=10),
        Column(_("指标名称\n（原文）"), max_width=24),
        Column(_("单位"), max_width=8),
        Column(_("基期值"), max_width=12),
        Column(_("目标值"), max_width=12),
        Column(_("当前值"), max_width=12),
        Column(_("判定口径"), max_width=10),
        Column(_("本季度数值"), max_width=12),
        Column(_("数据日期"), DATE, max_width=12),
        Column(_("应达进度\n（%）"), PERCENT, max_width=10),
        Column(_("指标进度\n（%）"), PERCENT, max_width=10),
        Column(_("进度差\n（百分点）"), "0.0", max_width=10),
        Column(_("状态"), max_width=10),
        Column(_("判断依据"), max_width=36),
        Column(_("牵头单位"), max_width=16),
    ]


def _detail_values(report: ComparisonReport, row) -> list:
    indicator, result = row.indicator, row.result
    return [
        report.labels[indicator.catalogue_key],
        indicator.plan.city.name,
        indicator.name,
        indicator.unit,
        number(result.base),
        number(result.end_target),
        number(result.current),
        progress.basis_label(result.basis),
        number(result.period_value) if progress.period_value_label(result.basis, indicator.frequency) else None,
        result.data_date,
        _percent(result.expected),
        _percent(result.progress),
        None if row.gap is None else row.gap * 100,
        status_cell(result.status),
        result.reason,
        indicator.lead_names,
    ]
