"""The written 通报 (quarterly bulletin): its text composed from the quarterly report, then laid out as a Word
document in the format of GB/T 9704-2012 (党政机关公文格式), and converted to PDF by LibreOffice.

Every sentence is put together from what reports.selectors read — the dashboard's headline numbers, each
indicator's status and reason (core.reasons), its pace (core.progress.pace_words), the lead departments'
explanations and the open 督办 items — so the 通报 says nothing the data does not. The 文号 is a placeholder
the office fills in when it issues the document.
"""

import datetime as dt
import io
import os
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from core import progress
from core.numbers import quantity_or_missing, share_or_missing
from core.status import STATUS_COLOURS, STATUS_ORDER, Status, status_label
from reports import charts
from reports.selectors import QuarterlyReport
from reports.workbooks import explanation_text, lead_text

# --- The text --------------------------------------------------------------------------------------------

CHINESE_NUMBERS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五: the numbering of 公文 sections and items."""
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMBERS[ones - 1] if ones else "")


def _sentence(text: str) -> str:
    """A clause as a sentence: one full stop at its end."""
    text = text.strip()
    return text if text.endswith(("。", "；", "！", "？")) else text + "。"


@dataclass(frozen=True)
class Item:
    """A numbered item of a section: a 楷体 heading （一） and its paragraphs, or a paragraph alone."""

    heading: str
    paragraphs: list[str]


@dataclass(frozen=True)
class Section:
    heading: str  # 一、总体进展
    paragraphs: list[str]
    items: list[Item] = field(default_factory=list)
    chart: str = ""  # which chart follows the section's paragraphs


@dataclass(frozen=True)
class StatusTableRow:
    number: int
    code: str
    name: str
    unit: str
    target: str
    current: str
    progress: str
    expected: str
    status: str
    status_label: str
    lead: str
    lead_defaulted: bool


@dataclass
class Bulletin:
    """The 通报 as text: what the Word document lays out, and what its tests read back."""

    issuer: str
    title_lines: list[str]  # the title broken where its words allow (GB/T 9704: 回行时词意完整)
    number_placeholder: str
    addressees: str
    sections: list[Section]
    table: list[StatusTableRow]
    date: dt.date
    note: str
    city: str
    quarter_label: str

    @property
    def title(self) -> str:
        return "".join(self.title_lines)


def issuer_name(report: QuarterlyReport) -> str:
    """The programme owner (市市场监管局（知识产权局）) with its city: it drafts and sends the 通报."""
    city = report.plan.city
    owner = next((d for d in city.departments.all() if d.is_programme_owner), None)
    if owner is None:
        return report.plan.issuer
    name = owner.name
    if name.startswith("市") and city.name.endswith("市"):
        return city.name + name[1:]
    return city.name + name


def compose(report: QuarterlyReport) -> Bulletin:
    summary = report.summary
    quarter = report.quarter.label
    city = report.plan.city.name
    return Bulletin(
        issuer=issuer_name(report),
        title_lines=[
            _("关于%(city)s%(quarter)s知识产权强市") % {"city": city, "quarter": quarter},
            _("建设工作进展情况的通报"),
        ],
        number_placeholder=_("××〔%(year)s〕×号") % {"year": report.generated_on.year},
        addressees=_("各牵头单位、责任单位："),
        sections=[
            _overall(report),
            _achieved(report),
            _lagging(report),
            _supervision(report),
            _next_steps(report),
        ],
        table=[
            StatusTableRow(
                number=n,
                code=row.indicator.code,
                name=row.indicator.name,
                unit=row.indicator.unit or "",
                target=quantity_or_missing(row.result.end_target),
                current=quantity_or_missing(row.result.current),
                progress=share_or_missing(row.result.progress),
                expected=share_or_missing(row.result.expected),
                status=row.result.status,
                status_label=status_label(row.result.status),
                lead=row.indicator.lead_names,
                lead_defaulted=row.indicator.lead_department_defaulted,
            )
            for n, row in enumerate(summary.rows, start=1)
        ],
        date=report.generated_on,
        note=_("（数据截至%(date)s，依据已审核数据生成；发文字号印发时填写。）") % {"date": f"{report.as_of:%Y-%m-%d}"},
        city=city,
        quarter_label=quarter,
    )


def status_counts_text(counts: Counter) -> str:
    """已达标2项、进度正常5项、滞后1项 — the statuses that occur, in the dashboard's order (worst first)."""
    return _("、").join(
        _("%(status)s%(n)s项") % {"status": status_label(s), "n": counts[s]} for s in STATUS_ORDER if counts.get(s)
    )


def _overall(report: QuarterlyReport) -> Section:
    plan, summary = report.plan, report.summary
    quantitative = [r for r in summary.rows if r.indicator.is_quantitative]
    document = f"《{plan.title}》" + (f"（{plan.document_number}）" if plan.document_number else "")
    first = _(
        "截至%(quarter)s末（%(date)s），%(document)s实施期为%(start)s至%(end)s，时间进度%(elapsed)s。"
        "方案共%(n)s项指标，其中定量指标%(q)s项，指标进度%(progress)s（定量指标进度的平均值，单项最高按100%%计）。"
    ) % {
        "quarter": report.quarter.label,
        "date": f"{report.as_of:%Y-%m-%d}",
        "document": document,
        "start": f"{plan.period_start:%Y-%m-%d}",
        "end": f"{plan.period_end:%Y-%m-%d}",
        "elapsed": share_or_missing(summary.time_elapsed),
        "n": len(summary.rows),
        "q": len(quantitative),
        "progress": share_or_missing(summary.indicator_progress),
    }
    counted = sum(summary.counts.values())
    second = _("从指标状态看，%(counts)s。") % {"counts": status_counts_text(summary.counts)}
    if counted != len(summary.rows):
        second += _("（共用一个目标值的一组指标按一项计，共%(n)s项。）") % {"n": counted}
    approved = summary.last_approved_at
    freshness = _("数据最后审核时间为%(at)s") % {
        "at": f"{timezone.localtime(approved):%Y-%m-%d %H:%M}" if approved else _("（尚无已审核数据）")
    }
    if summary.provisional:
        freshness += _("；%(names)s仍为预估数，待正式数据替换") % {
            "names": _("、").join(r.indicator.name for r in summary.provisional)
        }
    paragraphs = [first, second, _sentence(freshness)]
    readings = [
        _("%(name)s的%(topic)s按“%(label)s”")
        % {"name": row.indicator.name, "topic": v.reading.topic, "label": v.chosen.label}
        for row in summary.rows
        for v in report.pending_readings.get(row.indicator.pk, [])
    ]
    if readings:
        paragraphs.append(
            _("方案文件有%(n)s处未写明、由数据作出解读且尚待确认：%(items)s；确认前进度按此计算。")
            % {"n": len(readings), "items": _("；").join(readings)}
        )
    return Section(heading=_("总体进展"), paragraphs=paragraphs, chart="overall")


def _achieved(report: QuarterlyReport) -> Section:
    rows = [r for r in report.summary.rows if r.result.status == Status.ACHIEVED]
    if not rows:
        return Section(heading=_("已完成目标"), paragraphs=[_("截至本季度末，尚无达到期末目标值的指标。")])
    first = _("截至本季度末，%(n)s项指标已达到期末目标值：") % {"n": len(rows)}
    paragraphs = [first] + [
        f"{n}. {row.indicator.name}：{_sentence(row.result.reason)}" for n, row in enumerate(rows, start=1)
    ]
    return Section(heading=_("已完成目标"), paragraphs=paragraphs)


def _lagging(report: QuarterlyReport) -> Section:
    rows = report.summary.attention
    if not rows:
        return Section(heading=_("滞后指标及原因"), paragraphs=[_("截至本季度末，没有滞后、逾期未报或预警的指标。")])
    counts = Counter(r.result.status for r in rows)
    first = _("截至本季度末，需关注的指标%(n)s项（%(counts)s），逐项情况如下：") % {
        "n": len(rows),
        "counts": status_counts_text(counts),
    }
    items = []
    for n, row in enumerate(rows, start=1):
        indicator, result = row.indicator, row.result
        paragraphs = [_("原因：%(reason)s") % {"reason": _sentence(result.reason)}]
        pace = progress.pace_words(result, indicator.unit or "", indicator.frequency)
        if pace:
            paragraphs.append(_("完成目标尚需：%(pace)s") % {"pace": _sentence(pace)})
        paragraphs.append(_("牵头单位：%(lead)s。") % {"lead": lead_text(indicator)})
        if report.shows_department_reports:
            said = explanation_text(report, indicator.pk) or _("尚未报送说明")
            said = "".join(_sentence(line) for line in said.splitlines() if line.strip())
            paragraphs.append(_("牵头单位说明：%(text)s") % {"text": said})
        heading = f"（{chinese_number(n)}）{indicator.name}（{status_label(result.status)}）"
        items.append(Item(heading=heading, paragraphs=paragraphs))
    return Section(heading=_("滞后指标及原因"), paragraphs=[first], items=items)


def _supervision(report: QuarterlyReport) -> Section:
    heading = _("督办落实")
    if not report.shows_department_reports:
        return Section(heading=heading, paragraphs=[_("督办事项仅对本市市场监管局、领导小组成员可见，本通报未列出。")])
    lines = report.supervision
    if not lines:
        return Section(heading=heading, paragraphs=[_("截至本季度末，没有在办的督办事项。")])
    steps = Counter(line.step for line in lines)
    overdue = sum(line.overdue for line in lines)
    first = _("截至本季度末，在办督办事项%(n)s项，其中逾期%(overdue)s项；按办理环节，%(steps)s。") % {
        "n": len(lines),
        "overdue": overdue,
        "steps": _("、").join(_("%(step)s%(n)s项") % {"step": s, "n": n} for s, n in steps.items()),
    }
    paragraphs = [first]
    for n, line in enumerate(lines, start=1):
        text = _("%(n)s. %(department)s：%(subject)s，督办原因为%(reason)s，%(step)s，期限%(due)s%(overdue)s。") % {
            "n": n,
            "department": line.department,
            "subject": line.subject,
            "reason": line.reason,
            "step": line.step,
            "due": f"{line.due:%Y-%m-%d}",
            "overdue": _("，已逾期") if line.overdue else "",
        }
        if line.explanation:
            text += _("说明：%(text)s") % {"text": _sentence(line.explanation)}
        if line.measures:
            text += _("整改措施：%(text)s") % {"text": _sentence(line.measures)}
        paragraphs.append(text)
    return Section(heading=heading, paragraphs=paragraphs)


def _next_steps(report: QuarterlyReport) -> Section:
    """Who must do what next, one sentence per thing the data says is behind."""
    suggestions = []
    for row in report.summary.attention:
        indicator, result = row.indicator, row.result
        if result.status == Status.OVERDUE_REPORT:
            suggestions.append(
                _("请%(lead)s尽快报送%(name)s数据（%(reason)s）。")
                % {"lead": indicator.lead_names, "name": indicator.name, "reason": result.reason}
            )
        elif result.status != Status.MISSED:
            pace = progress.pace_words(result, indicator.unit or "", indicator.frequency)
            suggestions.append(
                _("请%(lead)s加快推进%(name)s%(pace)s。")
                % {"lead": indicator.lead_names, "name": indicator.name, "pace": f"，{pace}" if pace else ""}
            )
    if report.shows_department_reports:
        for line in report.supervision:
            if line.overdue:
                suggestions.append(
                    _("请%(department)s按督办要求办理%(subject)s督办事项（%(step)s，期限%(due)s，已逾期）。")
                    % {"department": line.department, "subject": line.subject, "step": line.step, "due": line.due}
                )
        late: dict[str, list[str]] = {}
        for task_row in report.tasks:
            for department, _status in task_row.late:
                late.setdefault(department, []).append(task_row.task.title)
        for department, titles in late.items():
            suggestions.append(
                _("请%(department)s报送%(n)s项任务的本季度进展（%(titles)s）。")
                % {"department": department, "n": len(titles), "titles": _("、").join(titles)}
            )
    if not suggestions:
        return Section(
            heading=_("下一步工作建议"),
            paragraphs=[_("各项指标进度正常，请各单位按方案继续推进，按时报送数据和任务进展。")],
        )
    return Section(
        heading=_("下一步工作建议"),
        paragraphs=[f"（{chinese_number(n)}）{text}" for n, text in enumerate(suggestions, start=1)],
    )


# --- The Word document (GB/T 9704-2012) ------------------------------------------------------------------

# The standard's fonts; Word and WPS on a government PC have them. Elsewhere (LibreOffice on a server)
# fontconfig substitutes the East-Asian fallback named in reports/fonts.conf (Noto Serif/Sans CJK SC).
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
NUMBER_FONT = "宋体"  # page numbers: 4号半角宋体阿拉伯数字
LATIN_FONT = "Times New Roman"
RED = RGBColor(0xE6, 0x00, 0x12)
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(10.5)  # 五号
LINE = Pt(28.95)  # 22 lines in the 225 mm type area


def _fonts(element, east_asian: str, size, *, bold=False, colour: RGBColor | None = None):
    """Fonts of a run or style: the East-Asian font named explicitly (python-docx sets only the Latin one)."""
    element.font.size = size
    element.font.bold = bold
    if colour is not None:
        element.font.color.rgb = colour
    r_pr = element._element.get_or_add_rPr()
    r_fonts = r_pr.find(qn("w:rFonts"))
    if r_fonts is None:
        r_fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, r_fonts)
    for name in list(r_fonts.attrib):
        del r_fonts.attrib[name]  # theme fonts would win over the named ones
    latin = LATIN_FONT if east_asian != NUMBER_FONT else NUMBER_FONT
    r_fonts.set(qn("w:ascii"), latin)
    r_fonts.set(qn("w:hAnsi"), latin)
    r_fonts.set(qn("w:eastAsia"), east_asian)
    r_fonts.set(qn("w:cs"), latin)


def _paragraph(document, text: str, east_asian=BODY_FONT, size=BODY_SIZE, *, align=None, indent=True, **font):
    paragraph = document.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    if indent:
        fmt.first_line_indent = Pt(size.pt * 2)
    fmt.keep_with_next = text.endswith("：")  # a lead-in stays with what it introduces
    if align is not None:
        paragraph.alignment = align
    _fonts(paragraph.add_run(text), east_asian, size, **font)
    return paragraph


def _page_setup(document):
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(25)
    document.settings.odd_and_even_pages_header_footer = True
    # 页码: — 1 —, 4号宋体, odd pages right, even pages left, one character in from the edge
    for footer, align in (
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ):
        paragraph = footer.paragraphs[0]
        paragraph.alignment = align
        paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Pt(14)
        _fonts(paragraph.add_run("— "), NUMBER_FONT, Pt(14))
        run = paragraph.add_run()
        _fonts(run, NUMBER_FONT, Pt(14))
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._element.append(char)
            else:
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = text
                run._element.append(instruction)
        _fonts(paragraph.add_run(" —"), NUMBER_FONT, Pt(14))


def _styles(document):
    """Normal is the body text, so what a user types in Word or WPS reads like the rest."""
    normal = document.styles["Normal"]
    _fonts(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = LINE
    for name, east_asian in (("Heading 1", HEADING_FONT), ("Heading 2", SUBHEADING_FONT)):
        style = document.styles[name]
        _fonts(style, east_asian, BODY_SIZE, colour=RGBColor(0, 0, 0))
        fmt = style.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.first_line_indent = Pt(32)
        fmt.keep_with_next = True


def _heading(document, text: str, level: int):
    """A heading in Word's Heading style (the navigation pane lists it) with the standard's font."""
    paragraph = document.add_paragraph(style=f"Heading {level}")
    _fonts(paragraph.add_run(text), HEADING_FONT if level == 1 else SUBHEADING_FONT, BODY_SIZE)
    return paragraph


def _red_line(paragraph):
    """The red separator under the issuing authority's mark (发文机关标志下的红色分隔线)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._element.get_or_add_pPr().append(borders)


def _shade(cell, fill: str):
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill.lstrip("#"))
    cell._element.get_or_add_tcPr().append(shading)


def _cell(cell, text: str, *, bold=False, align=WD_ALIGN_PARAGRAPH.LEFT):
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    paragraph.paragraph_format.first_line_indent = Pt(0)
    _fonts(paragraph.add_run(text), BODY_FONT, TABLE_SIZE, bold=bold)


ATTACHMENT_TITLE = gettext_lazy("各指标状态一览表")
DEFAULTED_NOTE = gettext_lazy("注：带*的牵头单位为文件未写明、默认由市市场监管局牵头。")


TABLE_COLUMNS = (
    (gettext_lazy("序号"), 9),
    (gettext_lazy("指标名称"), 28),
    (gettext_lazy("单位"), 9),
    (gettext_lazy("目标值"), 14),
    (gettext_lazy("当前值"), 14),
    (gettext_lazy("指标进度"), 19),
    (gettext_lazy("应达进度"), 19),
    (gettext_lazy("状态"), 20),
    (gettext_lazy("牵头单位"), 24),
)  # (header, width in mm): 156 mm, the type area


def _status_table(document, rows: list[StatusTableRow]):
    table = document.add_table(rows=1, cols=len(TABLE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    header = table.rows[0]
    header_properties = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    header_properties.append(repeat)
    for column, (_title, width) in zip(table.columns, TABLE_COLUMNS, strict=True):
        column.width = Mm(width)  # the grid: LibreOffice and WPS size columns from it, Word from the cells
    for cell, (title, width) in zip(header.cells, TABLE_COLUMNS, strict=True):
        cell.width = Mm(width)
        _cell(cell, str(title), bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "D9E2EC")
    right, centre = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.CENTER
    for row in rows:
        cells = table.add_row().cells
        values = (
            (str(row.number), centre),
            (row.name, None),
            (row.unit, centre),
            (row.target, right),
            (row.current, right),
            (row.progress, right),
            (row.expected, right),
            (row.status_label, centre),
            (row.lead + ("*" if row.lead_defaulted else ""), None),
        )
        for cell, (text, align), (_title, width) in zip(cells, values, TABLE_COLUMNS, strict=True):
            cell.width = Mm(width)
            _cell(cell, text, align=align or WD_ALIGN_PARAGRAPH.LEFT)
        _shade(cells[7], STATUS_COLOURS[row.status].fill)
    return table


def _caption(document, text: str):
    _paragraph(document, text, SUBHEADING_FONT, Pt(14), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)


def document_bytes(bulletin: Bulletin, report: QuarterlyReport) -> bytes:
    """The .docx: 发文机关标志, 发文字号, 标题, 主送机关, 正文 (five sections, charts, the status table), 发文机关署名,
    成文日期 — editable in Word and WPS (Heading styles, a real table, pictures inline)."""
    document = Document()
    _styles(document)
    _page_setup(document)
    mark = _paragraph(
        document, bulletin.issuer, TITLE_FONT, Pt(26), align=WD_ALIGN_PARAGRAPH.CENTER, indent=False, colour=RED
    )
    mark.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    _paragraph(document, bulletin.number_placeholder, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _red_line(document.paragraphs[-1])
    _paragraph(document, "", indent=False)
    title = _paragraph(
        document, bulletin.title_lines[0], TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    for line in bulletin.title_lines[1:]:
        run = title.add_run()
        run.add_break()
        run.add_text(line)
        _fonts(run, TITLE_FONT, TITLE_SIZE)
    title.paragraph_format.line_spacing = Pt(36)
    _paragraph(document, "", indent=False)
    _paragraph(document, bulletin.addressees, indent=False)

    font = charts.cjk_font()
    figure = 0
    for n, section in enumerate(bulletin.sections, start=1):
        _heading(document, f"{chinese_number(n)}、{section.heading}", 1)
        for text in section.paragraphs:
            _paragraph(document, text)
        for item in section.items:
            _heading(document, item.heading, 2)
            for text in item.paragraphs:
                _paragraph(document, text)
        if section.chart == "overall":
            if font is None:
                _paragraph(document, _("（本机未安装中文字体，图表未生成。）"))
                continue
            summary = report.summary
            for image, caption in (
                (
                    charts.status_chart(summary.counts, axis_title=_("指标数（项）")),
                    _("各状态指标数（不含定性指标）"),
                ),
                (
                    charts.progress_chart(
                        [r for r in summary.rows if r.indicator.is_quantitative],
                        axis_title=_("指标进度（完成基期到目标的比例；超过目标的按满格画）"),
                        expected_label=_("应达进度"),
                    ),
                    _("定量指标进度与应达进度"),
                ),
            ):
                figure += 1
                picture = document.add_paragraph()
                picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
                picture.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE  # an exact line would crop it
                picture.paragraph_format.first_line_indent = Pt(0)
                picture.paragraph_format.keep_with_next = True  # its caption below it, on the same page
                picture.add_run().add_picture(io.BytesIO(image), width=Mm(150))
                _caption(document, _("图%(n)s %(caption)s") % {"n": figure, "caption": caption})

    _paragraph(document, "", indent=False)
    # 附件说明: the status table is the 通报's attachment, after the date on a page of its own
    closing = [_paragraph(document, _("附件：%(title)s") % {"title": ATTACHMENT_TITLE})]
    closing.append(_paragraph(document, "", indent=False))
    for text in (bulletin.issuer, _("%(y)s年%(m)s月%(d)s日") % _ymd(bulletin.date)):
        signature = _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
        signature.paragraph_format.right_indent = Pt(64)  # 右空四字
        closing.append(signature)
    for paragraph in closing:  # the signature, the date and the note stay on one page
        paragraph.paragraph_format.keep_with_next = True
    _paragraph(document, bulletin.note)
    attachment = _paragraph(document, _("附件"), HEADING_FONT, BODY_SIZE, indent=False)
    attachment.paragraph_format.page_break_before = True
    _paragraph(document, str(ATTACHMENT_TITLE), TITLE_FONT, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _status_table(document, bulletin.table)
    if any(row.lead_defaulted for row in bulletin.table):
        _paragraph(document, DEFAULTED_NOTE, BODY_FONT, TABLE_SIZE, indent=False)
    document.core_properties.title = bulletin.title
    document.core_properties.author = bulletin.issuer
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _ymd(day: dt.date) -> dict:
    return {"y": day.year, "m": day.month, "d": day.day}


# --- PDF through LibreOffice -------------------------------------------------------------------------------

FONTS_CONF = Path(__file__).with_name("fonts.conf")
CONVERT_TIMEOUT = 90  # seconds; a first start of LibreOffice with a new profile takes about ten


class PdfUnavailable(Exception):
    """LibreOffice is not installed on this server: the Word document is the 通报."""


def office_binary() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_available() -> bool:
    """Whether this server can make the PDF: the report page offers it only then."""
    return office_binary() is not None


def pdf_bytes(docx: bytes) -> bytes:
    """The document converted by LibreOffice (headless, a profile of its own so concurrent builds never share
    one), with fontconfig told which installed font stands in for each of the standard's fonts."""
    binary = office_binary()
    if binary is None:
        raise PdfUnavailable(_("本服务器未安装LibreOffice，无法生成PDF，请下载Word版通报。"))
    with tempfile.TemporaryDirectory(prefix="ipcity-bulletin-") as folder:
        work = Path(folder)
        source = work / "bulletin.docx"
        source.write_bytes(docx)
        environment = {**os.environ, "FONTCONFIG_FILE": str(FONTS_CONF), "HOME": folder}
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{work}/profile",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf:writer_pdf_Export",
                "--outdir",
                folder,
                str(source),
            ],
            cwd=folder,
            env=environment,
            check=True,
            capture_output=True,
            timeout=CONVERT_TIMEOUT,
        )
        return (work / "bulletin.pdf").read_bytes()
