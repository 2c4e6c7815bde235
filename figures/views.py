"""Pages for quarterly figures: the entry grid, review, corrections, Excel import and the indicator's
figures with their history. Views parse and render; the rules are in figures.services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import (
    can_change_indicator_definition,
    can_enter_base,
    can_enter_figures,
    can_review_figures,
    can_see_unapproved,
)
from core.errors import Conflict
from core.periods import Quarter
from figures import excel, imports
from figures import selectors as figure_selectors
from figures import services as figures
from figures.forms import BaseValueForm, CorrectionForm, DefinitionForm, FigureRowForm, ImportUploadForm
from figures.models import FigureImport
from indicators import definitions
from indicators.models import BaseEntry, QuarterlyFigure

XLSX = excel.XLSX_MIME


def _grid_url(plan, quarter) -> str:
    return reverse("figure_grid", args=[plan.code, str(quarter)])


def _attach_forms(grid, data=None) -> None:
    """Give every editable row its form: bound to what was posted, or showing what is stored."""
    if not grid.can_enter:
        return
    for row in grid.rows:
        if row.lock_reason:
            continue
        initial = FigureRowForm.initial_from(row.current, row.indicator)
        row.form = FigureRowForm(data, prefix=f"r{row.indicator.pk}", initial=initial, indicator=row.indicator)


def _show_errors(grid, invalid: figures.EntriesInvalid) -> None:
    forms = {row.indicator.pk: row.form for row in grid.rows if row.form is not None}
    for outcome in invalid.failed:
        form = forms.get(outcome.entry.indicator.pk)
        if form is None:
            continue
        for name, field_messages in outcome.errors.items():
            for message in field_messages:
                form.add_error(name if name in form.fields else None, message)


@login_required
def figure_index(request):
    return render(request, "figures/figure_index.html", {"plans": figure_selectors.figure_index(user=request.user)})


@login_required
def figure_grid(request, code, quarter):
    """The entry grid of a plan and quarter: save a draft, or save and submit the quarter."""
    plan = figure_selectors.entry_plan(user=request.user, code=code)
    quarter = figure_selectors.plan_quarter(plan=plan, text=quarter)
    grid = figure_selectors.figure_grid(user=request.user, plan=plan, quarter=quarter)
    if request.method != "POST":
        _attach_forms(grid)
        return _render_grid(request, grid)
    if not grid.can_enter:
        raise PermissionDenied
    _attach_forms(grid, request.POST)
    forms = [row.form for row in grid.rows if row.form is not None]
    parsed = [form.is_valid() for form in forms]
    entries = [
        figures.Entry(row.indicator, row.period_end, row.form.row_input())
        for row in grid.rows
        if row.form is not None and row.form.is_valid()
    ]
    if not all(parsed):
        # Judge the rows that parsed too, so every message shows at once rather than one round at a time.
        outcomes = figures.figure_entries_check(plan=plan, entries=entries)
        _show_errors(grid, figures.EntriesInvalid(outcomes))
        messages.error(request, _("部分数据有误，请按提示修改；未保存任何数据。"))
        return _render_grid(request, grid)
    try:
        figures.figure_entries_save(
            user=request.user,
            plan=plan,
            entries=entries,
            revision=request.POST.get("revision", ""),
            revision_periods=grid.period_ends,
        )
    except figures.ConcurrentEdit as conflict:
        messages.error(request, str(conflict))
        return redirect(_grid_url(plan, quarter))
    except figures.EntriesInvalid as invalid:
        _show_errors(grid, invalid)
        messages.error(request, str(invalid))
        return _render_grid(request, grid)
    if request.POST.get("action") != "submit":
        messages.success(request, _("草稿已保存。"))
        return redirect(_grid_url(plan, quarter))
    try:
        notices = figures.figure_quarter_submit(user=request.user, plan=plan, quarter=quarter)
    except figures.EntriesInvalid as invalid:
        grid = figure_selectors.figure_grid(user=request.user, plan=plan, quarter=quarter)
        _attach_forms(grid, request.POST)
        _show_errors(grid, invalid)
        messages.error(
            request,
            _("已保存为草稿，但有%(n)s项未通过提交检查，请按提示修改后再提交。") % {"n": len(invalid.failed)},
        )
        return _render_grid(request, grid)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_grid_url(plan, quarter))
    for notice in notices:
        messages.warning(request, notice)
    messages.success(request, _("本季度数据已提交审核。"))
    return redirect(_grid_url(plan, quarter))


def _render_grid(request, grid):
    quarters = figure_selectors.plan_quarters(plan=grid.plan)
    index = quarters.index(grid.quarter)
    return render(
        request,
        "figures/figure_grid.html",
        {
            "grid": grid,
            "plan": grid.plan,
            "quarter": grid.quarter,
            "previous_quarter": quarters[index - 1] if index > 0 else None,
            "next_quarter": quarters[index + 1] if index + 1 < len(quarters) else None,
        },
    )


@login_required
def figure_review(request, code, quarter):
    """A reviewer approves or returns (with a reason) each submitted figure of the quarter."""
    plan = figure_selectors.entry_plan(user=request.user, code=code)
    quarter = figure_selectors.plan_quarter(plan=plan, text=quarter)
    grid = figure_selectors.figure_grid(user=request.user, plan=plan, quarter=quarter)
    if not grid.can_review:
        raise PermissionDenied
    rows = figure_selectors.review_rows(user=request.user, plan=plan, quarter=quarter)
    if request.method == "POST":
        # Only figures that were on the reviewer's page, as they were then ("approve the unflagged" never
        # approves a figure submitted or flagged after the page was loaded).
        approve_unflagged = request.POST.get("action") == "approve_unflagged"
        decisions = []
        for row in rows:
            pk = row.figure.pk
            revision = request.POST.get(f"revision-{pk}")
            if revision is None:
                continue
            action = request.POST.get(f"decision-{pk}", "")
            if not action and approve_unflagged and not row.own and not request.POST.get(f"flagged-{pk}"):
                action = figures.APPROVE
            if action in (figures.APPROVE, figures.RETURN):
                reason = request.POST.get(f"reason-{pk}", "")
                decisions.append(figures.Decision(row.figure, action, reason, revision=revision))
        on_page = {
            int(key.removeprefix("revision-"))
            for key in request.POST
            if key.startswith("revision-") and key.removeprefix("revision-").isdigit()
        }
        for figure in figure_selectors.decided_since(plan=plan, pks=on_page - {row.figure.pk for row in rows}):
            messages.warning(request, str(figures.AlreadyDecided(figure)))
        if not decisions:
            messages.error(request, _("请至少选择一条数据的审核结果。"))
        else:
            try:
                counts = figures.figure_review(user=request.user, decisions=decisions)
            except ValidationError as error:
                for row in rows:
                    row.errors = error.message_dict.get(row.figure.pk, [])
                messages.error(request, _("审核未完成，请按提示修改；未保存任何审核结果。"))
            else:
                messages.success(
                    request,
                    _("已审核通过%(a)s条，退回%(r)s条。")
                    % {"a": counts.get(figures.APPROVE, 0), "r": counts.get(figures.RETURN, 0)},
                )
                if counts.get(figures.APPROVE):
                    # The recompute is marked with the approval and runs in the background (indicators.recompute).
                    messages.info(request, _("审核结果已保存；指标进度将在后台重新计算，稍后刷新即可看到。"))
                return redirect(reverse("figure_review", args=[plan.code, str(quarter)]))
    return render(
        request,
        "figures/figure_review.html",
        {
            "plan": plan,
            "quarter": quarter,
            "rows": rows,
            "posted": request.POST,
            "base_entries": figure_selectors.pending_base_entries(plan=plan),
        },
    )


@login_required
def figure_correct(request, pk):
    """Correct an approved figure: new value and reason; it goes to the reviewer again."""
    figure = figure_selectors.visible_figure(user=request.user, pk=pk)
    plan = figure.indicator.plan
    if not can_enter_figures(request.user, plan.city_id):
        raise PermissionDenied
    if figure.status != QuarterlyFigure.Status.APPROVED:
        messages.error(request, _("只能更正已审核通过的数据。"))
        return redirect(_grid_url(plan, Quarter.of(figure.period_end)))
    initial = {**FigureRowForm.initial_from(figure, figure.indicator), "comment": ""}
    if figure.is_provisional:
        initial.update(is_provisional=False, correction_reason=_("以正式数据替换预估数"))
    form = CorrectionForm(request.POST or None, initial=initial, indicator=figure.indicator)
    if request.method == "POST" and form.is_valid():
        try:
            figures.figure_correct(
                user=request.user, figure=figure, data=form.row_input(), reason=form.cleaned_data["correction_reason"]
            )
        except figures.EntriesInvalid as invalid:
            for outcome in invalid.failed:
                for name, field_messages in outcome.errors.items():
                    for message in field_messages:
                        form.add_error(name if name in form.fields else None, message)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("更正已提交，等待审核；审核通过前原数据继续有效。"))
            return redirect(_grid_url(plan, Quarter.of(figure.period_end)))
    return render(
        request,
        "figures/figure_correct.html",
        {
            "figure": figure,
            "indicator": figure.indicator,
            "plan": plan,
            "form": form,
            "quarter": Quarter.of(figure.period_end),
        },
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, field_errors in error.message_dict.items():
            for message in field_errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


# --- Excel ---------------------------------------------------------------------------------------------


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


@login_required
def quarter_template(request, code, quarter):
    plan = figure_selectors.entry_plan(user=request.user, code=code)
    quarter = figure_selectors.plan_quarter(plan=plan, text=quarter)
    grid = figure_selectors.figure_grid(user=request.user, plan=plan, quarter=quarter)
    return _xlsx(imports.quarter_template(grid=grid), f"ipcity-{plan.code}-{quarter}.xlsx")


@login_required
def history_template(request, code):
    plan = figure_selectors.entry_plan(user=request.user, code=code)
    return _xlsx(imports.history_template(plan=plan), f"ipcity-{plan.code}-history.xlsx")


@login_required
def quarter_import(request, code, quarter):
    plan = figure_selectors.entry_plan(user=request.user, code=code)
    quarter = figure_selectors.plan_quarter(plan=plan, text=quarter)
    return _upload(request, plan, FigureImport.Kind.QUARTER, quarter)


@login_required
def history_import(request, code):
    plan = figure_selectors.entry_plan(user=request.user, code=code)
    return _upload(request, plan, FigureImport.Kind.HISTORY, None)


def _upload(request, plan, kind, quarter):
    if not can_enter_figures(request.user, plan.city_id) or plan.is_archived:
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > excel.MAX_BYTES:
            form.add_error("file", _("文件超过5 MB的大小限制。"))
        else:
            try:
                stored = imports.figure_import_upload(
                    user=request.user, plan=plan, kind=kind, quarter=quarter, name=upload.name, content=upload.read()
                )
            except excel.WorkbookRefused as refused:
                form.add_error("file", str(refused))
            else:
                return redirect("figure_import_preview", pk=stored.pk)
    return render(
        request,
        "figures/import_upload.html",
        {"plan": plan, "quarter": quarter, "kind": kind, "form": form, "max_mb": excel.MAX_BYTES // (1024 * 1024)},
    )


@login_required
def import_preview(request, pk):
    """Every row's outcome; confirming saves them all or none."""
    upload = get_object_or_404(FigureImport.objects.select_related("plan__city"), pk=pk)
    plan = upload.plan
    if not can_see_unapproved(request.user, plan.city_id):
        raise Http404
    if not can_enter_figures(request.user, plan.city_id):
        raise PermissionDenied
    if request.method == "POST":
        try:
            preview = imports.figure_import_confirm(user=request.user, upload=upload)
        except figures.ConcurrentEdit as conflict:
            messages.error(request, _("导入未完成：%(reason)s") % {"reason": conflict})
            return redirect("figure_import_preview", pk=upload.pk)
        except excel.WorkbookRefused as refused:
            messages.error(request, str(refused))
            return redirect("figure_import_preview", pk=upload.pk)
        if upload.confirmed_at:
            messages.success(request, _("已导入%(n)s行数据。") % {"n": upload.saved_rows})
            if upload.kind == FigureImport.Kind.QUARTER:
                return redirect(_grid_url(plan, Quarter.of(upload.period_end)))
            return redirect("figure_index")
        messages.error(request, _("导入未完成：请按提示修改Excel文件后重新上传；未保存任何数据。"))
    else:
        try:
            preview = imports.figure_import_preview(upload=upload)
        except excel.WorkbookRefused as refused:  # an expired upload's bytes are gone
            messages.error(request, str(refused))
            preview = imports.Preview(upload=upload, rows=[], entries=[])
    return render(
        request,
        "figures/import_preview.html",
        {
            "upload": upload,
            "plan": plan,
            "preview": preview,
            "quarter": Quarter.of(upload.period_end) if upload.period_end else None,
        },
    )


# --- The indicator's figures and history ----------------------------------------------------------------


@login_required
def indicator_figures(request, pk):
    """An indicator's figures and every recorded change, as the user may see them."""
    indicator = figure_selectors.visible_indicator(user=request.user, pk=pk)
    city_id = indicator.plan.city_id
    base_entry = figure_selectors.latest_base_entry(indicator=indicator) if indicator.base_value is None else None
    return render(
        request,
        "figures/indicator_figures.html",
        {
            "indicator": indicator,
            "plan": indicator.plan,
            "figures": figure_selectors.indicator_figures(user=request.user, indicator=indicator),
            "history": figure_selectors.figure_history(user=request.user, indicator=indicator),
            "definition_history": figure_selectors.indicator_definition_history(indicator=indicator),
            "base_form": BaseValueForm()
            if indicator.base_value is None
            and can_enter_base(request.user, city_id)
            and not (base_entry and base_entry.state == BaseEntry.State.PENDING)
            else None,
            "base_entry": base_entry,
            "can_review_base": can_review_figures(request.user, city_id),
            "can_change_definition": can_change_indicator_definition(request.user),
        },
    )


@login_required
@require_POST
def indicator_base(request, pk):
    indicator = figure_selectors.visible_indicator(user=request.user, pk=pk)
    form = BaseValueForm(request.POST)
    if form.is_valid():
        try:
            definitions.indicator_base_enter(
                user=request.user,
                indicator=indicator,
                **{
                    "base_value": form.cleaned_data["base_value"],
                    "base_year": form.cleaned_data["base_year"],
                    "source": form.cleaned_data["base_source"],
                },
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("基期值已录入，待审核通过后计入进度。"))
    else:
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    return redirect("indicator_figures", pk=indicator.pk)


@login_required
@require_POST
def base_entry_decide(request, pk):
    """A reviewer approves or returns (with a reason) an entered base, from the review or indicator page."""
    entry = get_object_or_404(BaseEntry.objects.select_related("indicator__plan"), pk=pk)
    indicator = figure_selectors.visible_indicator(user=request.user, pk=entry.indicator_id)
    action = request.POST.get("action")
    try:
        if action == figures.APPROVE:
            definitions.base_entry_approve(user=request.user, entry=entry)
            messages.success(request, _("基期值已审核通过，进度将重新计算。"))
        elif action == figures.RETURN:
            definitions.base_entry_return(user=request.user, entry=entry, reason=request.POST.get("reason", ""))
            messages.success(request, _("基期值已退回。"))
        else:
            messages.error(request, _("请选择通过或退回。"))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except Conflict as conflict:
        messages.error(request, str(conflict))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(back)
    return redirect("indicator_figures", pk=indicator.pk)


@login_required
def indicator_definition(request, pk):
    """An administrator changes what an indicator is judged by; with approved figures, only with a reason."""
    indicator = figure_selectors.visible_indicator(user=request.user, pk=pk)
    if not can_change_indicator_definition(request.user):
        raise PermissionDenied
    form = DefinitionForm(request.POST or None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            definitions.indicator_definition_change(
                user=request.user, indicator=indicator, changes=form.changes(), reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_errors(form, error)
            indicator.refresh_from_db()
        else:
            messages.success(request, _("指标定义已修改，进度将重新计算。"))
            return redirect("indicator_figures", pk=indicator.pk)
    return render(
        request,
        "figures/indicator_definition.html",
        {
            "indicator": indicator,
            "plan": indicator.plan,
            "form": form,
            "has_approved": definitions.has_approved_figures(indicator),
        },
    )
