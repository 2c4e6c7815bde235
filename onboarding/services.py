"""Turning confirmed proposals into a plan: the fixture format (fixtures/plans/SCHEMA.md), loaded through
the same checks as `load_plans`, in one transaction."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.access import user_role
from accounts.models import Role
from core.errors import Forbidden, Invalid
from onboarding.departments import family_key, normalise
from onboarding.extract import NO_TARGET
from ops.fixtures import LoadReport, plan_document_load
from plans.models import City, Department, DepartmentAlias, Plan

KIND_RULES = (
    (r"法院", "court"),
    (r"检察院", "procuratorate"),
    (r"^(各|相关)", "district_group"),
    (r"(区|县|市)(人民)?政府$", "district"),
    (r"(管委会|园区)", "park"),
    (r"(银行|金融监管|银保监|金控|分行|支行)", "financial"),
    (r"(局|委|部|办|厅|海关|中心)(\(.*\))?$", "agency"),
)


def department_kind(name: str) -> str:
    for pattern, kind in KIND_RULES:
        if re.search(pattern, normalise(name)):
            return kind
    return "other"


def known_city(*, name: str):
    """The city already in ipcity that a document's title names, if any."""
    return City.objects.filter(name=name).first()


def department_matches(*, city_code: str, names: list[str]) -> dict[str, str | None]:
    """For each spelling, the city's existing department it names (by name or alias), or None when new."""
    known = {}
    for dept in Department.objects.filter(city__code=city_code):
        known[normalise(dept.name)] = dept.name
        known.setdefault(family_key(dept.name), dept.name)
    for alias in DepartmentAlias.objects.filter(department__city__code=city_code).select_related("department"):
        known[normalise(alias.alias)] = alias.department.name
        known.setdefault(family_key(alias.alias), alias.department.name)
    return {n: known.get(normalise(n)) or known.get(family_key(n)) for n in names}


def proposal_document(*, proposal: dict, city_code: str, city_name: str, province: str = "") -> dict:
    """The fixture document for confirmed proposals; Invalid when something the loader needs is missing."""
    if not re.fullmatch(r"[a-z][a-z0-9_]{1,30}", city_code or ""):
        raise Invalid({"city_code": [_("城市代码须为小写英文字母开头的字母、数字或下划线（如 yangzhou）。")]})
    plan = proposal["plan"]
    labels = (("title", _("方案标题")), ("period_start", _("开始日期")), ("period_end", _("结束日期")))
    missing = [str(label) for key, label in labels if not plan.get(key)]
    if missing:
        raise Invalid({"plan": [_("请填写%(fields)s：文件中没有读到。") % {"fields": "、".join(missing)}]})
    prefix = re.sub(r"[^A-Z]", "", city_code.upper())[:3] or "NEW"
    start, end = str(plan["period_start"]), str(plan["period_end"])
    names = []
    for t in proposal.get("tasks") or []:
        names += list(t.get("lead") or []) + list(t.get("responsible") or [])
    for b in proposal.get("blanket_assignments") or []:
        names += list(b.get("departments") or [])
    for i in proposal.get("indicators") or []:
        names += list(i.get("lead") or [])
    for m in proposal.get("leading_group") or []:
        if m.get("department"):
            names.append(m["department"])
    departments = []
    for d in proposal.get("departments") or []:
        spellings = [s for s in d.get("aliases") or [] if s] or [d["name"]]
        departments.append(
            {
                "name": d["name"],
                "kind": d.get("kind") or department_kind(d["name"]),
                "is_programme_owner": bool(d.get("is_programme_owner")),
                "aliases": sorted(set(spellings) | {d["name"]}),
            }
        )
    covered = {s for d in departments for s in d["aliases"]}
    for name in names:
        if name not in covered:
            departments.append({"name": name, "kind": department_kind(name), "is_programme_owner": False,
                                "aliases": [name]})  # fmt: skip
            covered.add(name)
    if not any(d["is_programme_owner"] for d in departments):
        raise Invalid({"departments": [_("请指定牵头主管部门（市场监管/知识产权局）：文件中没有读到。")]})
    groups = {}
    for n, g in enumerate(proposal.get("target_groups") or [], 1):
        groups[g["code"]] = f"{prefix}-G{n}"
    indicators = []
    for n, i in enumerate(proposal.get("indicators") or [], 1):
        indicators.append(
            {
                "code": f"{prefix}-{n:02d}",
                "order": n,
                "category": i.get("category") or "主要目标",
                "name": i["name"],
                "unit": i.get("unit") or None,
                "measure_type": i["measure_type"],
                "target_form": i["target_form"],
                "target_value": i.get("target_value"),
                "target_date": i.get("target_date") or end,
                "base_value": i.get("base_value"),
                "base_year": i.get("base_year"),
                "base_quote": i.get("base_quote") or (i["quote"] if i.get("base_year") else None),
                "readings": i.get("readings") or [],
                "lead_department": list(i.get("lead") or []) or None,
                "target_group": groups.get(i.get("target_group")),
                "interim_targets": [
                    {"date": t["date"], "value": t["value"], "source_quote": t.get("source_quote") or ""}
                    for t in i.get("interim_targets") or []
                ],
                "source_quote": i.get("quote") or "",
                "notes": i.get("notes") or "",
            }
        )
    tasks, seen = [], set()
    for n, t in enumerate(proposal.get("tasks") or [], 1):
        key = (t.get("section") or "", str(t.get("number") or n))
        if key in seen:
            raise Invalid({"tasks": [_("任务 %(task)s 重复：请修改编号。") % {"task": key[0] + key[1]}]})
        seen.add(key)
        tasks.append(
            {
                "section": key[0],
                "number": key[1],
                "order": n,
                "title": t["title"],
                "text": t.get("text") or t["title"],
                "lead": list(t.get("lead") or []),
                "responsible": list(t.get("responsible") or []),
                "indicators": [],
            }
        )
    return {
        "city": {"code": city_code, "name": city_name, "name_en": "", "province": province},
        "populations": [],
        "plan": {
            "code": f"{city_code}-{start[:4]}-{end[:4]}",
            "title": plan["title"],
            "document_number": plan.get("document_number"),
            "issuer": plan.get("issuer"),
            "issue_date": plan.get("issue_date"),
            "period_start": start,
            "period_end": end,
            "reporting_lag_days": 15,
            "source_file": "",
            "notes": "由新建方案（文件识别）提出、经工作人员确认。",
            "phases": [
                {
                    "order": p["order"],
                    "name": p["name"],
                    "start": p["start"],
                    "end": p["end"],
                    "description": p.get("description") or "",
                    "source_quote": p.get("quote") or "",
                }
                for p in plan.get("phases") or []
            ],  # fmt: skip
        },
        "departments": departments,
        "leading_group": [
            {
                "order": m["order"],
                "role": m["role"],
                "name": m["name"],
                "post": m["post"],
                "department": m.get("department"),
            }
            for m in proposal.get("leading_group") or []
        ],  # fmt: skip
        "target_groups": [
            {
                "code": groups[g["code"]],
                "name": g["name"],
                "target_value": g["target_value"],
                "unit": g["unit"],
                "measure_type": g["measure_type"],
                "source_quote": g.get("quote") or "",
            }
            for g in proposal.get("target_groups") or []
        ],  # fmt: skip
        "indicators": indicators,
        "blanket_assignments": [
            {"from_task": b["from_task"], "quote": b["quote"], "departments": b["departments"]}
            for b in proposal.get("blanket_assignments") or []
        ],
        "tasks": tasks,
    }


def proposal_confirm(
    *, proposal: dict, city_code: str, city_name: str, province: str = "", dry_run=False
) -> tuple[str, LoadReport]:
    """Save confirmed proposals as a plan: all of it or nothing, through the fixture loader's checks.
    Returns the plan's code and what the load did."""
    try:
        document = proposal_document(proposal=proposal, city_code=city_code, city_name=city_name, province=province)
        code = document["plan"]["code"]
        if Plan.objects.filter(code=code).exists():
            # The loader would make the plan exactly these proposals, dropping what staff curated since.
            raise Invalid({"": [_("方案 %(code)s 已存在：已有方案请在方案页面或方案文件中维护。") % {"code": code}]})
        return code, plan_document_load(document=document, dry_run=dry_run)
    except ValidationError as exc:
        raise Invalid({"": exc.messages}) from exc
    except (KeyError, TypeError, ValueError) as exc:
        raise Invalid({"": [_("提议不完整：%(what)s") % {"what": exc}]}) from exc


def notice_text(code: str) -> str:
    """The words for a notice the extractor returns as a code."""
    if code == NO_TARGET:
        return _("没有找到可识别的目标（数字加单位，如“达到200件”“年均增长8%”），未提出指标。")
    return code


def onboarding_allowed(user) -> bool:
    return user_role(user) in (Role.ADMIN, Role.BUREAU_STAFF)


def onboarding_city(user):
    """Who may open 新建方案: an administrator (any city, returns None) or a city's bureau staff (their
    city, returned so the page can fix it); anyone else is refused."""
    role = user_role(user)
    if role == Role.ADMIN:
        return None
    if role == Role.BUREAU_STAFF:
        return user.profile.city
    raise Forbidden(_("只有系统管理员和市场监管局填报人员可以新建方案。"))
