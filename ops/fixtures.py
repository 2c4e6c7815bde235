"""Loading the plan fixtures: the five real documents, stored exactly, and every database kept in step.

A load adds, updates and removes in one transaction per plan; a dry run makes the same changes, prints
them and rolls back. A row that carries the city's work (figures, task updates, progress history, 督办
items, users) is never removed: the load is refused, naming the row and what it carries.
"""

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Profile
from indicators.definitions import READING_FIELDS
from indicators.models import Indicator, IndicatorLead, InterimTarget, Reading, TargetGroup
from indicators.readings import reading_counts
from indicators.summaries import plan_summary_refresh
from plans.models import City, Department, DepartmentAlias, LeadingGroupMember, Phase, Plan, Population
from tasks.models import SupervisionItem, Task, TaskAssignment, TaskUpdate

PLAN_FIXTURE_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "plans"


class _DryRun(Exception):
    """Raised at the end of a dry run to roll the transaction back."""


@dataclass
class LoadReport:
    """What a load did: per model created / updated / unchanged / removed, and one line per change."""

    counts: dict = field(default_factory=lambda: {})
    changes: list = field(default_factory=list)
    readings: dict = field(default_factory=dict)
    """The plan's readings after the load (indicators.readings.reading_counts): total and still 待确认."""

    def add(self, model, outcome: str, label: str = "", detail: str = ""):
        self.counts.setdefault(model._meta.verbose_name, Counter())[outcome] += 1
        if outcome != "unchanged":
            word = {"created": "+ 新增", "updated": "~ 更新", "removed": "- 删除"}[outcome]
            self.changes.append(f"{word} {model._meta.verbose_name} {label}{'：' + detail if detail else ''}")

    @property
    def changed(self) -> bool:
        return any(c["created"] or c["updated"] or c["removed"] for c in self.counts.values())

    def lines(self):
        for name, c in self.counts.items():
            line = f"{name}: 新增 {c['created']}，更新 {c['updated']}，未变 {c['unchanged']}"
            yield line + (f"，删除 {c['removed']}" if c["removed"] else "")


class _Tracker:
    """The rows a fixture names, per model, so whatever it no longer names can be removed."""

    def __init__(self):
        self.kept: dict = {}

    def keep(self, obj):
        self.kept.setdefault(type(obj), set()).add(obj.pk)
        return obj


def _show(value) -> str:
    if value is None or value == "":
        return "∅"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if hasattr(value, "pk"):
        return str(value)
    text = str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _upsert(report: LoadReport, model, lookup: dict, values: dict, label: str = ""):
    """update_or_create that validates first, leaves an unchanged row untouched and says what changed."""
    label = label or " ".join(_show(v) for v in lookup.values() if not hasattr(v, "pk"))
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
        report.add(model, "created", label)
        return obj
    changed = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if not changed:
        report.add(model, "unchanged")
        return obj
    detail = "；".join(f"{k} {_show(getattr(obj, k))} → {_show(v)}" for k, v in changed.items())
    for k, v in changed.items():
        setattr(obj, k, v)
    obj.full_clean()
    obj.save()
    report.add(model, "updated", label, detail)
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


def plan_fixture_load(*, path: Path, dry_run: bool = False) -> LoadReport:
    """Load one plan fixture (fixtures/plans/SCHEMA.md) and remove what it no longer names; all or nothing.
    A dry run reports the same changes and keeps none."""
    document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return plan_document_load(document=document, dry_run=dry_run)


def plan_document_load(*, document: dict, dry_run: bool = False) -> LoadReport:
    """Load one plan document already parsed (a fixture, or confirmed onboarding proposals) through the same
    checks, in one transaction; a dry run reports the changes and keeps none."""
    report = LoadReport()
    try:
        with transaction.atomic():
            tracker = _Tracker()
            plan = _load_document(document, report, tracker)
            _remove_stale(plan, report, tracker)
            plan_summary_refresh(plan_ids=[plan.pk])  # rows added or removed change what the overview counts
            report.readings = reading_counts(plan=plan)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


def _lead_names(value) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


def _load_document(doc: dict, report: LoadReport, tracker: _Tracker) -> Plan:
    keep = tracker.keep
    c = doc["city"]
    city = keep(
        _upsert(
            report,
            City,
            {"code": c["code"]},
            {"name": c["name"], "name_en": c.get("name_en") or "", "province": c.get("province") or ""},
        )
    )
    for pop in doc.get("populations") or []:
        keep(
            _upsert(
                report,
                Population,
                {"city": city, "year": pop["year"]},
                {"value": _decimal(pop["value"]), "source": (pop.get("source_quote") or "")[:200]},
                f"{city.name} {pop['year']}",
            )
        )

    p = doc["plan"]
    plan = keep(
        _upsert(
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
    )
    for ph in p.get("phases") or []:
        keep(
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
                ph["name"],
            )
        )

    for d in doc.get("departments") or []:
        dept = keep(
            _upsert(
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
        )
        for alias in d.get("aliases") or []:
            if alias != dept.name:
                keep(_upsert(report, DepartmentAlias, {"department": dept, "alias": alias}, {}, alias))
    resolve = DepartmentResolver(city)
    if resolve.owner is None:
        raise ValidationError(f"{city.name}: 没有标记牵头主管部门（is_programme_owner）")

    for m in doc.get("leading_group") or []:
        dept = resolve(m["department"], f"领导小组成员 {m['name']}") if m.get("department") else None
        keep(
            _upsert(
                report,
                LeadingGroupMember,
                {"plan": plan, "order": m["order"]},
                {"role": m["role"], "name": m["name"], "post": m["post"], "department": dept},
                m["name"],
            )
        )

    groups = {}
    for g in doc.get("target_groups") or []:
        groups[g["code"]] = keep(
            _upsert(
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
        )

    existing = {i.code: i for i in Indicator.objects.filter(plan=plan)}
    confirmed = {
        (r.indicator.code, r.code): r
        for r in Reading.objects.filter(indicator__plan=plan, state=Reading.State.CONFIRMED).select_related("indicator")
    }
    indicators = {}
    for i in doc.get("indicators") or []:
        where = f"指标 {i['code']}"
        leads = [resolve(name, where) for name in _lead_names(i.get("lead_department"))]
        before = existing.get(i["code"])
        picked = before is not None and before.lead_picked_by_bureau and before.lead_department in leads[1:]
        values = {
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
            "base_quote": (i.get("base_quote") or "").strip(),
            "direction": i.get("direction") or "higher",
            "frequency": i.get("frequency") or "quarterly",
            "reporting_lag_days": i.get("reporting_lag_days"),
            "is_ratio": bool(i.get("is_ratio")),
            "numerator_label": i.get("numerator_label") or "",
            "denominator_label": i.get("denominator_label") or "",
            "lead_department": before.lead_department if picked else (leads[0] if leads else resolve.owner),
            "lead_department_defaulted": not leads,
            "lead_picked_by_bureau": picked,
            "catalogue_key": i.get("catalogue_key") or "",
            "target_group": groups[i["target_group"]] if i.get("target_group") else None,
            "source_quote": i.get("source_quote") or "",
            "notes": (i.get("notes") or "").strip(),
        }
        if before is not None and before.base_value is not None and values["base_value"] is None:
            # A base the bureau entered later (indicator_base_enter) is theirs, not the fixture's to erase.
            values["base_value"] = before.base_value
            values["base_year"] = values["base_year"] or before.base_year
        readings = i.get("readings") or []
        for r in readings:
            _reading_check(i, r, values)
            settled = confirmed.get((i["code"], r["code"]))
            option = _option(r, settled.chosen) if settled else None
            if option:
                # The city's confirmed reading wins over the fixture's default one.
                values.update(_option_changes(option))
        indicator = keep(_upsert(report, Indicator, {"plan": plan, "code": i["code"]}, values, i["code"]))
        indicators[i["code"]] = indicator
        for order, dept in enumerate(leads if len(leads) > 1 else []):
            keep(
                _upsert(
                    report,
                    IndicatorLead,
                    {"indicator": indicator, "department": dept},
                    {"order": order},
                    f"{i['code']} {dept.name}",
                )
            )
        for t in i.get("interim_targets") or []:
            keep(
                _upsert(
                    report,
                    InterimTarget,
                    {"indicator": indicator, "date": t["date"]},
                    {
                        "value": _decimal(t["value"]),
                        "source_quote": t.get("source_quote") or "",
                        "notes": (t.get("notes") or "").strip(),
                    },
                    f"{i['code']} {t['date']}",
                )
            )
        for r in readings:
            keep(_reading_upsert(report, indicator, r, confirmed.get((i["code"], r["code"]))))

    blankets = _blanket_assignments(doc)
    for t in doc.get("tasks") or []:
        where = f"任务 {t['section']}{t['number']}"
        task = keep(
            _upsert(
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
                f"{t['section']}{t['number']}",
            )
        )
        listed = set()
        for role, key in ((TaskAssignment.Role.LEAD, "lead"), (TaskAssignment.Role.RESPONSIBLE, "responsible")):
            for order, name in enumerate(t.get(key) or []):
                dept = resolve(name, where)
                listed.add(dept.pk)
                keep(_assignment_upsert(report, task, dept, role, order))
        for name in blankets.get(t["order"], []):
            dept = resolve(name, f"{where}（统一落实单位）")
            if dept.pk not in listed:
                listed.add(dept.pk)
                keep(_assignment_upsert(report, task, dept, TaskAssignment.Role.RESPONSIBLE, len(listed)))
        unknown = [code for code in t.get("indicators") or [] if code not in indicators]
        if unknown:
            raise ValidationError(f"{where}: 未知指标 {'、'.join(unknown)}")
        wanted = {indicators[code].pk for code in t.get("indicators") or []}
        if set(task.indicators.values_list("pk", flat=True)) != wanted:
            task.indicators.set(wanted)
    return plan


def _assignment_upsert(report, task, dept, role, order):
    return _upsert(
        report,
        TaskAssignment,
        {"task": task, "department": dept, "role": role},
        {"order": order},
        f"{task.section}{task.number} {dept.name}",
    )


def _blanket_assignments(doc: dict) -> dict[int, list[str]]:
    """A clause like Nantong measure 1's 以下均需…落实，不再列出, expanded: task order → departments it adds."""
    tasks = doc.get("tasks") or []
    added: dict[int, list[str]] = {}
    for b in doc.get("blanket_assignments") or []:
        origin = next(
            (
                t
                for t in tasks
                if t["section"] == b["from_task"]["section"] and str(t["number"]) == str(b["from_task"]["number"])
            ),
            None,
        )
        if origin is None:
            raise ValidationError(f"统一落实条款“{b.get('quote', '')}”: 找不到任务 {b['from_task']}")
        for t in tasks:
            if t["order"] > origin["order"]:
                added.setdefault(t["order"], []).extend(b["departments"])
    return added


def _option(reading: dict, key) -> dict | None:
    return next((o for o in reading.get("options") or [] if str(o.get("key")) == str(key)), None)


def _option_changes(option: dict) -> dict:
    changes = dict(option.get("changes") or {})
    if "target_value" in changes:
        changes["target_value"] = _decimal(changes["target_value"])
    for name in ("unit", "catalogue_key"):
        if name in changes:
            changes[name] = changes[name] or ""
    return changes


def _reading_check(i: dict, r: dict, values: dict):
    """A reading names its quote, its options and the chosen one, and the chosen one is what is stored."""
    where = f"指标 {i['code']} 解读 {r.get('code')}"
    for key in ("code", "topic", "quote", "question", "chosen", "options"):
        if not r.get(key):
            raise ValidationError(f"{where}: 缺少 {key}")
    keys = [str(o.get("key")) for o in r["options"]]
    if len(keys) < 2 or len(set(keys)) != len(keys):
        raise ValidationError(f"{where}: 至少两种读法，且key各不相同")
    chosen = _option(r, r["chosen"])
    if chosen is None:
        raise ValidationError(f"{where}: 采用的读法“{r['chosen']}”不在可选读法中")
    for option in r["options"]:
        bad = [name for name in option.get("changes") or {} if name not in READING_FIELDS]
        if bad or not option.get("changes"):
            raise ValidationError(f"{where}: 读法“{option.get('key')}”必须且只能修改 {'、'.join(READING_FIELDS)}")
    differs = [k for k, v in _option_changes(chosen).items() if values[k] != v]
    if differs:
        raise ValidationError(f"{where}: 采用的读法与指标字段不一致（{'、'.join(differs)}）")


def _reading_upsert(report: LoadReport, indicator: Indicator, r: dict, settled: Reading | None) -> Reading:
    options = [{**o, "key": str(o["key"])} for o in r["options"]]
    values = {
        "topic": r["topic"],
        "quote": r["quote"].strip(),
        "question": r["question"].strip(),
        "options": options,
        "default_option": str(r["chosen"]),
    }
    if settled is None or _option(r, settled.chosen) is None:
        # Unsettled (or settled on an option the fixture no longer offers): the fixture's reading, 待确认.
        values.update(chosen=str(r["chosen"]), state=Reading.State.PENDING, settled_by=None, settled_at=None)
    return _upsert(
        report, Reading, {"indicator": indicator, "code": r["code"]}, values, f"{indicator.code} {r['topic']}"
    )


# --- Removing what a fixture no longer names ----------------------------------------------------------


def _indicator_blockers(indicator: Indicator) -> list[str]:
    found = []
    if indicator.figures.exists():
        found.append(f"季度数据 {indicator.figures.count()} 条")
    history = indicator.snapshots.filter(data_date__isnull=False).count()
    if history:
        found.append(f"季度进度记录 {history} 条")
    if indicator.lag_flags.exists():
        found.append(f"滞后预警 {indicator.lag_flags.count()} 条")
    if indicator.supervision_items.exists():
        found.append(f"督办事项 {indicator.supervision_items.count()} 项")
    return found


def _task_blockers(task: Task) -> list[str]:
    found = []
    if task.updates.exists():
        found.append(f"任务进展 {task.updates.count()} 条")
    if task.supervision_items.exists():
        found.append(f"督办事项 {task.supervision_items.count()} 项")
    return found


def _assignment_blockers(assignment: TaskAssignment) -> list[str]:
    found = []
    updates = TaskUpdate.objects.filter(task_id=assignment.task_id, department_id=assignment.department_id).count()
    if updates:
        found.append(f"该部门的任务进展 {updates} 条")
    items = SupervisionItem.objects.filter(task_id=assignment.task_id, department_id=assignment.department_id).count()
    if items:
        found.append(f"该部门的督办事项 {items} 项")
    return found


def _department_blockers(department: Department) -> list[str]:
    found = []
    checks = (
        (Profile.objects.filter(department=department), "用户账号 {n} 个"),
        (TaskUpdate.objects.filter(department=department), "任务进展 {n} 条"),
        (SupervisionItem.objects.filter(department=department), "督办事项 {n} 项"),
        (Indicator.objects.filter(lead_department=department), "仍为 {n} 个指标的牵头单位"),
    )
    for queryset, text in checks:
        n = queryset.count()
        if n:
            found.append(text.format(n=n))
    return found


def _remove_stale(plan: Plan, report: LoadReport, tracker: _Tracker):
    """Delete the rows of this plan the fixture no longer names, children first; refuse (and keep
    everything) when one carries figures, task updates, progress history, 督办 items or users."""
    city = plan.city
    scopes = (  # (model, rows of this plan, what blocks removing one, how to name one)
        (
            TaskAssignment,
            TaskAssignment.objects.filter(task__plan=plan).select_related("task", "department"),
            _assignment_blockers,
            lambda a: f"{a.task.section}{a.task.number} {a.department.name}（{a.get_role_display()}）",
        ),
        (Task, Task.objects.filter(plan=plan), _task_blockers, lambda t: f"{t.section}{t.number} {t.title}"),
        (Reading, Reading.objects.filter(indicator__plan=plan).select_related("indicator"), None, str),
        (
            IndicatorLead,
            IndicatorLead.objects.filter(indicator__plan=plan).select_related("indicator", "department"),
            None,
            str,
        ),
        (InterimTarget, InterimTarget.objects.filter(indicator__plan=plan).select_related("indicator"), None, str),
        (Indicator, Indicator.objects.filter(plan=plan), _indicator_blockers, str),
        (TargetGroup, TargetGroup.objects.filter(plan=plan), None, str),
        (LeadingGroupMember, LeadingGroupMember.objects.filter(plan=plan), None, lambda m: m.name),
        (Phase, Phase.objects.filter(plan=plan), None, lambda ph: ph.name),
        (DepartmentAlias, DepartmentAlias.objects.filter(department__city=city), None, lambda a: a.alias),
        (Department, Department.objects.filter(city=city), _department_blockers, lambda d: d.name),
        (Population, Population.objects.filter(city=city), None, lambda p: f"{city.name} {p.year}"),
    )
    refused = []
    stale = []
    for model, rows, blockers, name in scopes:
        for obj in rows.exclude(pk__in=tracker.kept.get(model, ())):
            found = blockers(obj) if blockers else []
            if found:
                refused.append(
                    f"{model._meta.verbose_name}“{name(obj)}”不在方案文件中，但有{'、'.join(found)}，不能删除"
                )
            stale.append((model, obj, name(obj)))
    if refused:
        raise ValidationError(refused + ["请先在方案文件中保留这些行，或由系统管理员处理相关数据后再加载。"])
    for model, obj, label in stale:
        obj.delete()
        report.add(model, "removed", label)


def _decimal(value):
    return None if value is None else Decimal(str(value))
