"""The 新建方案 forms: the document, the plan's metadata, and one formset row per proposal."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from indicators.models import MeasureType, TargetForm
from plans.models import LeadingGroupMember

LIST_HELP = _("多个单位用“、”分隔")


def _names(value: str) -> list[str]:
    return [n.strip() for n in (value or "").replace("，", "、").replace(",", "、").split("、") if n.strip()]


def _well_formed_reading(r) -> bool:
    return (
        isinstance(r, dict)
        and all(isinstance(r.get(k), str) for k in ("code", "topic", "question", "chosen"))
        and isinstance(r.get("options"), list)
        and all(isinstance(o, dict) and "key" in o and isinstance(o.get("changes"), dict) for o in r["options"])
    )


class DocumentForm(forms.Form):
    text = forms.CharField(label=_("方案全文"), widget=forms.Textarea(attrs={"rows": 10}), required=False)
    upload = forms.FileField(label=_("或上传文件（.txt、.docx、.pdf）"), required=False)


class PlanForm(forms.Form):
    city_code = forms.CharField(label=_("城市代码"), max_length=30, help_text=_("小写英文，如 yangzhou"))
    city_name = forms.CharField(label=_("城市名称"), max_length=50)
    title = forms.CharField(label=_("方案标题"), max_length=300)
    document_number = forms.CharField(label=_("文号"), max_length=100, required=False)
    issuer = forms.CharField(label=_("印发单位"), max_length=200, required=False)
    issue_date = forms.DateField(label=_("印发日期"), required=False)
    period_start = forms.DateField(label=_("开始日期"))
    period_end = forms.DateField(label=_("结束日期"))
    source_text = forms.CharField(widget=forms.HiddenInput)
    extras = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        if data.get("period_start") and data.get("period_end") and data["period_end"] <= data["period_start"]:
            self.add_error("period_end", _("结束日期必须晚于开始日期。"))
        return data


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("指标名称"), max_length=200)
    category = forms.CharField(label=_("类别"), max_length=100, required=False)
    target_value = forms.DecimalField(label=_("目标值"), required=False, max_digits=20, decimal_places=4)
    unit = forms.CharField(label=_("单位"), max_length=20, required=False)
    measure_type = forms.ChoiceField(label=_("计量方式"), choices=[("", "—"), *MeasureType.choices])
    target_form = forms.ChoiceField(label=_("目标形式"), choices=[("", "—"), *TargetForm.choices])
    base_value = forms.DecimalField(label=_("基期值"), required=False, max_digits=20, decimal_places=4)
    base_year = forms.IntegerField(label=_("基期年份"), required=False, min_value=1990, max_value=2100)
    target_date = forms.DateField(label=_("完成时间"), required=False)
    lead = forms.CharField(label=_("牵头单位"), required=False, help_text=LIST_HELP)
    quote = forms.CharField(label=_("原文"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    reading = forms.CharField(label=_("待确认的读法"), required=False)
    carried = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        carried = self._carried()
        self.readings = carried.get("readings") or []
        choices = [("", "—")] + [
            (f"{r['code']}={o['key']}", f"{r['topic']}：{o.get('label') or o['key']}")
            for r in self.readings
            for o in r["options"]
        ]
        self.fields["reading"] = forms.ChoiceField(label=_("待确认的读法"), choices=choices, required=False)

    def _carried(self) -> dict:
        """What the page carries for a proposal without showing it as fields (readings, interim targets,
        target group); anything malformed is dropped rather than trusted."""
        raw = self.data.get(self.add_prefix("carried")) if self.is_bound else self.initial.get("carried")
        try:
            value = json.loads(raw or "{}")
        except ValueError:
            return {}
        if not isinstance(value, dict):
            return {}
        value["readings"] = [r for r in value.get("readings") or [] if _well_formed_reading(r)]
        if not all(isinstance(t, dict) and {"date", "value"} <= set(t) for t in value.get("interim_targets") or []):
            value["interim_targets"] = []
        return value

    def proposal(self) -> dict:
        d = self.cleaned_data
        carried = self._carried()
        readings = carried.get("readings") or []
        picked = d.get("reading") or ""
        values = {
            "name": d["name"],
            "category": d.get("category") or "",
            "target_value": float(d["target_value"]) if d.get("target_value") is not None else None,
            "unit": d.get("unit") or "",
            "measure_type": d["measure_type"],
            "target_form": d["target_form"],
            "base_value": float(d["base_value"]) if d.get("base_value") is not None else None,
            "base_year": d.get("base_year"),
            "target_date": d["target_date"].isoformat() if d.get("target_date") else None,
            "lead": _names(d.get("lead")),
            "quote": d.get("quote") or "",
            "interim_targets": carried.get("interim_targets") or [],
            "target_group": carried.get("target_group"),
            "base_quote": carried.get("base_quote"),
            "notes": carried.get("notes") or "",
        }
        settled = []
        for r in readings:
            code = picked.split("=", 1)[0] if picked else None
            chosen = picked.split("=", 1)[1] if code == r["code"] else r["chosen"]
            option = next((o for o in r["options"] if str(o["key"]) == str(chosen)), None)
            if option is None:
                continue
            values.update(option["changes"])  # the chosen reading decides the fields it covers
            settled.append({**r, "chosen": str(chosen)})
        values["readings"] = settled
        return values


class TaskForm(forms.Form):
    section = forms.CharField(label=_("章节"), max_length=50, required=False)
    number = forms.CharField(label=_("序号"), max_length=20)
    title = forms.CharField(label=_("任务"), max_length=300)
    lead = forms.CharField(label=_("牵头单位"), required=False, help_text=LIST_HELP)
    responsible = forms.CharField(label=_("责任单位"), required=False, help_text=LIST_HELP)
    text = forms.CharField(widget=forms.HiddenInput, required=False)
    quote = forms.CharField(widget=forms.HiddenInput, required=False)

    def proposal(self) -> dict:
        d = self.cleaned_data
        return {
            "section": d.get("section") or "",
            "number": d["number"],
            "title": d["title"],
            "text": d.get("text") or d["title"],
            "lead": _names(d.get("lead")),
            "responsible": _names(d.get("responsible")),
            "quote": d.get("quote") or "",
        }


class DepartmentForm(forms.Form):
    name = forms.CharField(label=_("部门"), max_length=100)
    aliases = forms.CharField(label=_("文件中的写法"), required=False, help_text=LIST_HELP)
    is_programme_owner = forms.BooleanField(label=_("牵头主管部门"), required=False)

    def proposal(self) -> dict:
        d = self.cleaned_data
        return {"name": d["name"], "aliases": _names(d.get("aliases")) or [d["name"]],
                "is_programme_owner": d.get("is_programme_owner", False)}  # fmt: skip


class MemberForm(forms.Form):
    role = forms.ChoiceField(label=_("职务"), choices=[("", "—"), *LeadingGroupMember.Role.choices])
    name = forms.CharField(label=_("姓名"), max_length=30)
    post = forms.CharField(label=_("职务（原文）"), max_length=120)
    department = forms.CharField(label=_("部门"), max_length=100, required=False)
    quote = forms.CharField(widget=forms.HiddenInput, required=False)

    def proposal(self) -> dict:
        d = self.cleaned_data
        return {"role": d["role"], "name": d["name"], "post": d["post"], "department": d.get("department") or None}


IndicatorFormSet = forms.formset_factory(IndicatorForm, extra=1, can_delete=True)
TaskFormSet = forms.formset_factory(TaskForm, extra=1, can_delete=True)
DepartmentFormSet = forms.formset_factory(DepartmentForm, extra=1, can_delete=True)
MemberFormSet = forms.formset_factory(MemberForm, extra=1, can_delete=True)
