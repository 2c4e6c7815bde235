"""Loading the plan fixtures: the five real documents, stored exactly and idempotently."""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from indicators.models import Indicator, InterimTarget, TargetGroup
from plans.models import City, Department, DepartmentAlias, LeadingGroupMember, Phase, Plan, Population
from tasks.models import Task, TaskAssignment

PLAN_FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "plans"


@dataclass
class LoadReport:
    """What a load did, per model: created / updated / unchanged counts."""

    counts: dict = field(default_factory=lambda: {})

    def add(self, model, outcome: str):
        self.counts.setdefault(model._meta.verbose_name, Counter())[outcome] += 1

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] for c in self.counts.values())

    def lines(self):
        for name, c in self.counts.items():
            yield f"{name}: 新增 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}"


def _upsert(report: LoadReport, model, lookup: dict, values: dict):
    """update_or_create that validates first and leaves an unchanged row untouched."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.add(model, "created")
        return obj
    if all(getattr(obj, k) == v for k, v in values.items()):
        report.add(model, "unchanged")
        return obj
    for k, v in values.items():
        setattr(obj, k, v)
    obj.full_clean()
    obj.save()
    report.add(model, "updated")
    return obj


class DepartmentResolver:
    """Maps every spelling a document uses to its one department."""

    def __init__(self, city: City):
        self.by_name = {}
        for dept in Department.objects.filter(city=city).prefetch_related("aliases"):
            self.by_name[dept.name] = dept
            for alias in dept.aliases.all():
                self.by_name[alias.alias] = dept
        self.owner = next((d for d in self.by_name.values() if d.is_programme_owner), None)

    def __call__(self, name: str, where: str) -> Department:
        try:
            return self.by_name[name]
        except KeyError:
            raise ValidationError(f"{where}: 未知部门“{name}”（不是任何部门的规范名称或别名）") from None


def plan_fixture_load(*, path: Path) -> LoadReport:
    """Load one plan fixture (fixtures/plans/SCHEMA.md); all or nothing, and a second run changes nothing."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    report = LoadReport()
    with transaction.atomic():
        _load_document(document, report)
    return report


def _load_document(doc: dict, report: LoadReport):
    c = doc["city"]
    city = _upsert(
        report,
        City,
        {"code": c["code"]},
        {"name": c["name"], "name_en": c.get("name_en") or "", "province": c.get("province") or ""},
    )
    for pop in doc.get("populations") or []:
        _upsert(
            report,
            Population,
            {"city": city, "year": pop["year"]},
            {"value": _decimal(pop["value"]), "source": (pop.get("source_quote") or "")[:200]},
        )

    p = doc["plan"]
    plan = _upsert(
        report,
        Plan,
        {"code": p["code"]},
        {
            "city": city,
            "title": p["title"],
            "document_number": p.get("document_number") or "",
            "issuer": p.get("issuer") or "",
            "issue_date": p.get("issue_date"),
            "period_start": p["period_start"],
            "period_end": p["period_end"],
            "reporting_lag_days": p.get("reporting_lag_days", 15),
            "source_file": p.get("source_file") or "",
            "notes": (p.get("notes") or "").strip(),
        },
    )
    for ph in p.get("phases") or []:
        _upsert(
            report,
            Phase,
            {"plan": plan, "order": ph["order"]},
            {
                "name": ph["name"],
                "start": ph.get("start"),
                "end": ph.get("end"),
                "description": ph.get("description") or "",
                "source_quote": ph.get("source_quote") or "",
            },
        )

    for d in doc.get("departments") or []:
        dept = _upsert(
            report,
            Department,
            {"city": city, "name": d["name"]},
            {
                "name_en": d.get("name_en") or "",
                "kind": d.get("kind") or Department.Kind.AGENCY,
                "is_programme_owner": bool(d.get("is_programme_owner")),
                "notes": d.get("notes") or "",
            },
        )
        for alias in d.get("aliases") or []:
            if alias != dept.name:
                _upsert(report, DepartmentAlias, {"department": dept, "alias": alias}, {})
    resolve = DepartmentResolver(city)
    if resolve.owner is None:
        raise ValidationError(f"{city.name}: 没有标记牵头主管部门（is_programme_owner）")

    for m in doc.get("leading_group") or []:
        dept = resolve(m["department"], f"领导小组成员 {m['name']}") if m.get("department") else None
        _upsert(
            report,
            LeadingGroupMember,
            {"plan": plan, "order": m["order"]},
            {"role": m["role"], "name": m["name"], "post": m["post"], "department": dept},
        )

    groups = {}
    for g in doc.get("target_groups") or []:
        groups[g["code"]] = _upsert(
            report,
            TargetGroup,
            {"plan": plan, "code": g["code"]},
            {
                "name": g["name"],
                "target_value": _decimal(g["target_value"]),
                "unit": g["unit"],
                "measure_type": g["measure_type"],
                "source_quote": g.get("source_quote") or "",
                "notes": (g.get("notes") or "").strip(),
            },
        )

    indicators = {}
    for i in doc.get("indicators") or []:
        where = f"指标 {i['code']}"
        lead = resolve(i["lead_department"], where) if i.get("lead_department") else resolve.owner
        indicator = _upsert(
            report,
            Indicator,
            {"plan": plan, "code": i["code"]},
            {
                "order": i["order"],
                "category": i["category"],
                "name": i["name"],
                "name_en": i.get("name_en") or "",
                "unit": i.get("unit") or "",
                "measure_type": i["measure_type"],
                "target_form": i["target_form"],
                "target_value": _decimal(i.get("target_value")),
                "target_date": i.get("target_date"),
                "base_value": _decimal(i.get("base_value")),
                "base_year": i.get("base_year"),
                "direction": i.get("direction") or "higher",
                "frequency": i.get("frequency") or "quarterly",
                "reporting_lag_days": i.get("reporting_lag_days"),
                "is_ratio": bool(i.get("is_ratio")),
                "numerator_label": i.get("numerator_label") or "",
                "denominator_label": i.get("denominator_label") or "",
                "lead_department": lead,
                "lead_department_defaulted": not i.get("lead_department"),
                "catalogue_key": i.get("catalogue_key") or "",
                "target_group": groups[i["target_group"]] if i.get("target_group") else None,
                "source_quote": i.get("source_quote") or "",
                "notes": (i.get("notes") or "").strip(),
            },
        )
        indicators[i["code"]] = indicator
        for t in i.get("interim_targets") or []:
            _upsert(
                report,
                InterimTarget,
                {"indicator": indicator, "date": t["date"]},
                {
                    "value": _decimal(t["value"]),
                    "source_quote": t.get("source_quote") or "",
                    "notes": (t.get("notes") or "").strip(),
                },
            )

    for t in doc.get("tasks") or []:
        where = f"任务 {t['section']}{t['number']}"
        task = _upsert(
            report,
            Task,
            {"plan": plan, "section": t["section"], "number": str(t["number"])},
            {
                "order": t["order"],
                "title": t["title"],
                "text": t["text"].strip(),
                "due_date": t.get("due_date"),
                "notes": (t.get("notes") or "").strip(),
            },
        )
        for role, key in ((TaskAssignment.Role.LEAD, "lead"), (TaskAssignment.Role.RESPONSIBLE, "responsible")):
            for order, name in enumerate(t.get(key) or []):
                _upsert(
                    report,
                    TaskAssignment,
                    {"task": task, "department": resolve(name, where), "role": role},
                    {"order": order},
                )
        wanted = {indicators[code].pk for code in t.get("indicators") or []}
        if set(task.indicators.values_list("pk", flat=True)) != wanted:
            task.indicators.set(wanted)
    return plan


def _decimal(value):
    return None if value is None else Decimal(str(value))
