"""新建方案: paste or upload a plan document, review the proposals beside the highlighted text, confirm."""

import json
import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import Forbidden, Invalid
from onboarding.extract import propose
from onboarding.forms import DepartmentFormSet, DocumentForm, IndicatorFormSet, MemberFormSet, PlanForm, TaskFormSet
from onboarding.selectors import highlighted_runs
from onboarding.services import department_matches, known_city, notice_text, onboarding_city, proposal_confirm
from onboarding.sources import MAX_BYTES, document_text, text_check, too_large


def _review_context(request, text, plan_form, indicators, tasks, departments, members, proposal=None, elapsed=None):
    spans = {}
    for prefix, formset in (("ind", indicators), ("task", tasks), ("member", members)):
        for n, form in enumerate(formset.forms):
            span = (form.initial or {}).get("span")
            if span:
                spans[f"{prefix}-{n}"] = tuple(span)
    city_code = plan_form["city_code"].value() or ""
    names = [f["name"].value() for f in departments.forms if f["name"].value()]
    return {
        "plan_form": plan_form,
        "indicators": indicators,
        "tasks": tasks,
        "departments": departments,
        "members": members,
        "runs": highlighted_runs(text, spans),
        "matches": department_matches(city_code=city_code, names=names) if city_code else {},
        "notices": [notice_text(n) for n in (proposal or {}).get("notices") or []],
        "elapsed_ms": round(elapsed * 1000) if elapsed is not None else None,
    }


def _initial(proposal, city):
    plan = proposal["plan"]
    if city is None and plan.get("city_name"):
        city = known_city(name=plan["city_name"])  # an administrator onboarding a city already in ipcity
    plan_initial = {
        "city_code": city.code if city else "",
        "city_name": city.name if city else (plan.get("city_name") or ""),
        **{k: plan.get(k) for k in ("title", "document_number", "issuer", "issue_date", "period_start", "period_end")},
        "extras": json.dumps(
            {k: proposal.get(k) for k in ("target_groups", "blanket_assignments")}
            | {"phases": plan.get("phases") or []},
            ensure_ascii=False,
        ),
    }
    indicators = []
    for i in proposal["indicators"]:
        carried = {k: i.get(k) for k in ("readings", "interim_targets", "target_group", "base_quote", "notes")}
        indicators.append(
            {**i, "lead": "、".join(i.get("lead") or []), "carried": json.dumps(carried, ensure_ascii=False)}
        )
    tasks = [{**t, "lead": "、".join(t["lead"]), "responsible": "、".join(t["responsible"])} for t in proposal["tasks"]]
    departments = [{**d, "aliases": "、".join(d["aliases"])} for d in proposal["departments"]]
    members = [{**m, "department": m.get("department") or ""} for m in proposal["leading_group"]]
    return plan_initial, indicators, tasks, departments, members


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request):
    city = onboarding_city(request.user)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            upload = form.cleaned_data.get("upload")
            if upload is not None:
                if upload.size > MAX_BYTES:
                    raise Invalid({"upload": [too_large(upload.size)]})  # refused before reading it
                text = document_text(name=upload.name, data=upload.read())
            else:
                text = text_check(form.cleaned_data.get("text") or "")
        except Invalid as exc:
            for field, errors in exc.fields.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            started = time.perf_counter()
            proposal = propose(text)
            elapsed = time.perf_counter() - started
            plan_initial, inds, tasks, depts, roster = _initial(proposal, city)
            plan_form = PlanForm(initial={**plan_initial, "source_text": text})
            indicators = IndicatorFormSet(initial=inds, prefix="ind")
            task_set = TaskFormSet(initial=tasks, prefix="task")
            dept_set = DepartmentFormSet(initial=depts, prefix="dept")
            member_set = MemberFormSet(initial=roster, prefix="member")
            context = _review_context(
                request, text, plan_form, indicators, task_set, dept_set, member_set, proposal, elapsed
            )
            return render(request, "onboarding/review.html", context)
    return render(request, "onboarding/new.html", {"form": form, "max_mb": MAX_BYTES // 1024 // 1024})


def _kept(formset) -> list[dict]:
    """The rows staff kept: not ticked 删除 and not an untouched empty row."""
    return [f.proposal() for f in formset.forms if f.cleaned_data and f not in formset.deleted_forms]


@login_required
@require_http_methods(["POST"])
def plan_confirm(request):
    city = onboarding_city(request.user)
    plan_form = PlanForm(request.POST)
    indicators = IndicatorFormSet(request.POST, prefix="ind")
    tasks = TaskFormSet(request.POST, prefix="task")
    departments = DepartmentFormSet(request.POST, prefix="dept")
    members = MemberFormSet(request.POST, prefix="member")
    text = request.POST.get("source_text", "")
    formsets = (indicators, tasks, departments, members)
    valid = all([plan_form.is_valid(), *(f.is_valid() for f in formsets)])
    errors = []
    if valid:
        data = plan_form.cleaned_data
        if city is not None and data["city_code"] != city.code:
            raise Forbidden(_("只能为本市新建方案。"))
        try:
            extras = json.loads(data.get("extras") or "{}")
        except ValueError:
            extras = {}
        proposal = {
            "plan": {k: data.get(k) for k in ("title", "document_number", "issuer")}
            | {k: data[k].isoformat() if data.get(k) else None for k in ("issue_date", "period_start", "period_end")}
            | {"phases": extras.get("phases") or []},
            "indicators": _kept(indicators),
            "tasks": _kept(tasks),
            "departments": _kept(departments),
            "target_groups": extras.get("target_groups") or [],
            "blanket_assignments": extras.get("blanket_assignments") or [],
            "leading_group": [{**m, "order": n} for n, m in enumerate(_kept(members), 1)],
        }
        try:
            plan_code, report = proposal_confirm(
                proposal=proposal, city_code=data["city_code"], city_name=data["city_name"]
            )
        except Invalid as exc:
            errors = [m for ms in exc.fields.values() for m in ms]
        else:
            messages.success(request, _("方案已保存：") + "；".join(report.lines()))
            return redirect("plan", code=plan_code)
    context = _review_context(request, text, plan_form, indicators, tasks, departments, members)
    context["errors"] = errors
    return render(request, "onboarding/review.html", context, status=400)
