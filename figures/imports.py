"""Excel import of figures: upload → preview of every row's outcome → confirm, all or nothing.

Each row goes through the same FigureRowForm as the entry grid and the same services as single entry
(figures.services), inside one transaction; errors are named by row and column.
"""

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can_enter_figures
from core.errors import Forbidden
from core.periods import Quarter
from figures import excel
from figures.forms import FigureRowForm
from figures.models import FigureImport
from figures.rules import plain
from figures.selectors import (
    PeriodFigures,
    figures_by_period,
    grid_period_ends,
    plan_quarters,
    quantitative_indicators,
    quarter_revision,
    row_spec,
)
from figures.services import (
    CLEAR,
    CREATE,
    UNCHANGED,
    UPDATE,
    EntriesInvalid,
    Entry,
    Outcome,
    figure_entries_check,
    figure_entries_save,
    figures_submit,
)
from indicators.models import QuarterlyFigure
from plans.models import Plan

FORM_FIELDS = ("value", "numerator", "denominator", "comment", "source", "is_provisional")


# --- Templates ------------------------------------------------------------------------------------------


def _entry_mode(indicator) -> str:
    spec = row_spec(indicator)
    if spec.is_ratio:
        return _("分子/分母")
    if spec.takes_year_to_date:
        return _("1–N月累计")
    return _("当期数")


def _template_row(indicator, figure: QuarterlyFigure | None, **extra) -> excel.TemplateRow:
    """A template row showing what is stored, in the form it was entered (a year-to-date total as typed)."""
    row = excel.TemplateRow(
        code=indicator.code,
        name=indicator.name,
        unit=indicator.unit,
        measure=indicator.get_measure_type_display(),
        mode=_entry_mode(indicator),
        **extra,
    )
    if figure is not None:
        if not indicator.is_ratio:
            row.value = figure.entered_value if figure.entered_value is not None else figure.value
        row.numerator, row.denominator = figure.numerator, figure.denominator
        row.comment, row.source, row.is_provisional = figure.comment, figure.source, figure.is_provisional
    return row


def quarter_template(*, grid) -> bytes:
    """The entry grid as a workbook: codes, names, units, last values locked; this quarter's inputs open."""
    rows = []
    for row in grid.rows:
        current = row.current
        status = current.get_status_display() if current else ""
        if current is not None and current.status == QuarterlyFigure.Status.RETURNED:
            status = _("已退回：%(reason)s") % {"reason": current.return_reason}
        if row.lock_reason:
            status = row.lock_reason
        rows.append(
            _template_row(row.indicator, current, previous=row.previous.value if row.previous else None, status=status)
        )
    title = _("%(plan)s %(quarter)s 指标数据填报") % {"plan": grid.plan.title, "quarter": grid.quarter.label}
    return excel.write_template(
        kind=excel.QUARTER, title=title, plan_code=grid.plan.code, quarter=str(grid.quarter), rows=rows
    )


def history_template(*, plan: Plan) -> bytes:
    """Every quantitative indicator × every closed quarter of the plan, with what is already stored."""
    indicators = list(quantitative_indicators(plan))
    figures = figures_by_period([i.pk for i in indicators])
    rows = []
    for indicator in indicators:
        for quarter in plan_quarters(plan=plan):
            if row_spec(indicator).yearly and quarter.number != 4:
                continue
            period = figures.get((indicator.pk, quarter.end), PeriodFigures())
            rows.append(_template_row(indicator, period.current, period=str(quarter)))
    title = _("%(plan)s 历史数据导入") % {"plan": plan.title}
    return excel.write_template(kind=excel.HISTORY, title=title, plan_code=plan.code, quarter="", rows=rows)


# --- Upload, preview, confirm ---------------------------------------------------------------------------


@dataclass
class PreviewRow:
    number: int
    code: str
    name: str
    period: str
    action: str = ""
    detail: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class Preview:
    upload: FigureImport
    rows: list[PreviewRow]
    entries: list[Entry]

    @property
    def error_rows(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def writes(self) -> int:
        """Rows that confirming would save: a row with an error is never among them."""
        return sum(1 for row in self.rows if row.action in (CREATE, UPDATE, CLEAR) and not row.errors)

    @property
    def ok(self) -> bool:
        return not self.error_rows and self.writes > 0


def _periods(upload: FigureImport) -> set[dt.date]:
    if upload.kind == FigureImport.Kind.QUARTER:
        return grid_period_ends(Quarter.of(upload.period_end))
    return {q.end for q in plan_quarters(plan=upload.plan)}


def figure_import_upload(
    *, user, plan: Plan, kind: str, quarter: Quarter | None, name: str, content: bytes
) -> FigureImport:
    """Refuse a file that is not this plan's (and quarter's) template; keep the bytes for the preview."""
    if not can_enter_figures(user, plan.city_id):
        raise Forbidden
    excel.check_upload(name=name, size=len(content), content=content)
    sheet = excel.read_workbook(content, name=name)
    expected = str(quarter) if quarter else ""
    if sheet.kind != kind or sheet.plan_code != plan.code or sheet.quarter != expected:
        raise excel.WorkbookRefused(
            _("这是“%(plan)s%(quarter)s”的%(kind)s模板，不能导入到“%(this_plan)s%(this_quarter)s”。")
            % {
                "plan": sheet.plan_code,
                "quarter": f" {sheet.quarter}" if sheet.quarter else "",
                "kind": dict(FigureImport.Kind.choices).get(sheet.kind, sheet.kind),
                "this_plan": plan.code,
                "this_quarter": f" {expected}" if expected else "",
            }
        )
    upload = FigureImport(
        plan=plan,
        kind=kind,
        period_end=quarter.end if quarter else None,
        filename=name[:255],
        content=content,
        size=len(content),
        uploaded_by=user,
    )
    upload.revision = quarter_revision(plan=plan, period_ends=_periods(upload))
    upload.full_clean()
    upload.save()
    return upload


def figure_import_preview(*, upload: FigureImport) -> Preview:
    """Every row's outcome as saving would give it, with errors by row and column; nothing is written."""
    if upload.content_deleted_at is not None:
        raise excel.WorkbookRefused(
            _("文件“%(name)s”已超过保存期限，内容已删除；请重新上传。") % {"name": upload.filename}
        )
    sheet = excel.read_workbook(bytes(upload.content), name=upload.filename)
    plan = upload.plan
    indicators = {i.code: i for i in quantitative_indicators(plan)}
    rows, entries, by_entry = [], [], {}
    for sheet_row in sheet.rows:
        period = str(Quarter.of(upload.period_end)) if upload.period_end else sheet_row.values.get("period", "")
        preview = PreviewRow(number=sheet_row.number, code=sheet_row.code, name=sheet_row.name, period=period)
        rows.append(preview)
        errors = {name: list(messages) for name, messages in sheet_row.errors.items()}
        indicator = indicators.get(sheet_row.code)
        if indicator is None:
            errors.setdefault("indicator", []).append(
                _("未知的指标代码“%(code)s”（本方案没有该定量指标）。") % {"code": sheet_row.code}
                if sheet_row.code
                else _("缺少指标代码。")
            )
        elif folded_name(sheet_row.name) != folded_name(indicator.name):
            errors.setdefault("name", []).append(
                _(
                    "指标代码“%(code)s”在本方案中是“%(expected)s”，而文件中这一行的名称是“%(found)s”；"
                    "请核对是否改动了代码或错行（代码和名称两列不要修改）。"
                )
                % {"code": sheet_row.code, "expected": indicator.name, "found": sheet_row.name}
            )
        period_end = _period_end(upload, sheet_row, errors)
        form = FigureRowForm(data={k: sheet_row.values.get(k, "") for k in FORM_FIELDS}, indicator=indicator)
        if not form.is_valid():
            for name, messages in form.errors.items():
                errors.setdefault(name, []).extend(messages)
        if errors:
            preview.errors = _named(upload.kind, sheet_row.number, errors)
            continue
        entry = Entry(indicator, period_end, form.row_input(), ref=str(sheet_row.number))
        entries.append(entry)
        by_entry[id(entry)] = preview
    submitting = upload.kind == FigureImport.Kind.HISTORY
    for outcome in figure_entries_check(plan=plan, entries=entries, submitting=submitting):
        _describe(upload, by_entry[id(outcome.entry)], outcome)
    return Preview(upload=upload, rows=rows, entries=entries)


def folded_name(name: str) -> str:
    """An indicator name compared without width or spacing: full-width letters, digits and brackets as
    half-width (NFKC), every space removed, so a retyped name still matches its code."""
    return "".join(unicodedata.normalize("NFKC", name or "").split())


def _period_end(upload: FigureImport, sheet_row: excel.SheetRow, errors: dict) -> dt.date | None:
    if upload.kind == FigureImport.Kind.QUARTER:
        return upload.period_end
    try:
        return Quarter.parse(sheet_row.values.get("period", "")).end
    except ValueError as error:
        errors.setdefault("period", []).append(str(error))
        return None


def _named(kind: str, number: int, errors: dict[str, list[str]]) -> list[str]:
    return [
        _("%(cell)s：%(message)s") % {"cell": excel.cell_label(kind, name, number), "message": message}
        for name, messages in errors.items()
        for message in messages
    ]


def _describe(upload: FigureImport, preview: PreviewRow, outcome: Outcome) -> None:
    preview.action = outcome.action
    preview.errors = _named(upload.kind, preview.number, outcome.errors)
    check = outcome.check
    if outcome.action in (CREATE, UPDATE) and check.value is not None:
        details = [_("当期数 %(v)s") % {"v": plain(check.value)}]
        if check.year_to_date is not None:
            details.append(_("1–N月累计 %(v)s") % {"v": plain(check.year_to_date)})
        if check.warnings:
            details.append("；".join(check.warnings))
        preview.detail = "，".join(details)
    elif outcome.action == UNCHANGED:
        preview.detail = _("与已保存的数据相同")


def figure_import_confirm(*, user, upload: FigureImport) -> Preview:
    """Save every row or none. A history import is submitted for review in the same transaction."""
    if not can_enter_figures(user, upload.plan.city_id):
        raise Forbidden
    if upload.confirmed_at is not None:
        raise excel.WorkbookRefused(_("该文件已经导入过了。"))
    with transaction.atomic():
        preview = figure_import_preview(upload=upload)
        if not preview.ok:
            return preview
        reason = _("Excel导入：%(name)s") % {"name": upload.filename}
        try:
            outcomes = figure_entries_save(
                user=user,
                plan=upload.plan,
                entries=preview.entries,
                revision=upload.revision,
                revision_periods=_periods(upload),
                reason=reason,
            )
            if upload.kind == FigureImport.Kind.HISTORY:
                figures = [
                    o.figure
                    for o in outcomes
                    if o.figure is not None
                    and o.figure.value is not None
                    and o.figure.status != QuarterlyFigure.Status.SUBMITTED
                ]
                figures_submit(user=user, plan=upload.plan, figures=figures, reason=reason, late_exempt=True)
        except EntriesInvalid as invalid:
            transaction.set_rollback(True)
            _attach(upload, preview, invalid)
            return preview
        upload.confirmed_at = timezone.now()
        upload.saved_rows = sum(1 for o in outcomes if o.writes)
        upload.save(update_fields=["confirmed_at", "saved_rows"])
    return preview


def _attach(upload: FigureImport, preview: Preview, invalid: EntriesInvalid) -> None:
    """Errors found at save or submit time (cross-indicator rules) go back on the rows they concern."""
    by_key = {(e.indicator.pk, e.period_end): row for e, row in zip(preview.entries, _entry_rows(preview), strict=True)}
    for outcome in invalid.failed:
        row = by_key.get((outcome.entry.indicator.pk, outcome.entry.period_end))
        if row is not None:
            row.errors.extend(_named(upload.kind, row.number, outcome.errors))


def _entry_rows(preview: Preview) -> list[PreviewRow]:
    numbers = {row.number: row for row in preview.rows}
    return [numbers[int(entry.ref)] for entry in preview.entries]


# --- Expiry of uploaded bytes ---------------------------------------------------------------------------


def figure_import_files_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the bytes of uploads older than settings.FIGURE_IMPORT_TTL_DAYS, keeping each import's record
    (who, when, file name, size, outcome). One conditional UPDATE: safe to repeat, and a run that races
    another only counts the rows it cleared."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.FIGURE_IMPORT_TTL_DAYS)
    return FigureImport.objects.filter(uploaded_at__lt=cutoff, content_deleted_at__isnull=True).update(
        content=b"", content_deleted_at=now
    )
