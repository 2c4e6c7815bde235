"""Forms of the task pages; they only shape input, the rules are in tasks.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.forms import DateInput
from tasks import evidence, rules
from tasks.models import LIGHT_LEVEL_CHOICES, TaskUpdate


class TaskUpdateForm(forms.Form):
    # A plain text field with a select: a quarter not offered still reaches the service, which says why.
    quarter = forms.CharField(label=_("季度"), widget=forms.Select)
    # No state is preselected for a first report: 未开始 must be chosen, never slipped in by default.
    state = forms.ChoiceField(label=_("进展状态"), choices=[("", _("请选择")), *TaskUpdate.State.choices])
    text = forms.CharField(label=_("本季度工作进展"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence = forms.FileField(
        label=_("证明材料（可选）"),
        required=False,
        help_text=_("PDF、Office 文档或图片（%(allowed)s）") % {"allowed": evidence.ALLOWED_EXTENSIONS},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(evidence.EVIDENCE_TYPES)}),
    )

    def __init__(self, *args, quarters: list[rules.Quarter], last: TaskUpdate | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].widget.choices = [(str(q), q.label) for q in quarters]
        if last is not None:
            self.fields["state"].initial = last.state
            self.fields["state"].help_text = _("默认为上次报送的状态（%(quarter)s：%(state)s），如有变化请修改。") % {
                "quarter": last.quarter.label,
                "state": last.get_state_display(),
            }
        else:
            self.fields["state"].help_text = _("首次报送，请选择当前进展状态。")


class SupervisionAnswerForm(forms.Form):
    explanation = forms.CharField(label=_("滞后说明"), widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 4}))
    measures_due = forms.DateField(label=_("整改完成时限"), widget=DateInput)


class SupervisionReturnForm(forms.Form):
    note = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("重新报送期限"), widget=DateInput)


class SupervisionNoteForm(forms.Form):
    note = forms.CharField(label=_("意见（可选）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupervisionAcknowledgeForm(forms.Form):
    """签收 takes no input: who and when are recorded."""


class SupervisionCloseForm(forms.Form):
    # Not required here: the service says "办结必须写明理由" in the domain's own words.
    note = forms.CharField(label=_("办结理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SupervisionCloseEarlyForm(forms.Form):
    note = forms.CharField(
        label=_("提前办结理由"),
        required=False,
        help_text=_("例如：指标已恢复正常进度。理由将显示在督办事项上。"),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InstructionForm(forms.Form):
    text = forms.CharField(label=_("批示内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InstructionAnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SubjectForm(forms.Form):
    """Picks an indicator or a task of the user's city as "indicator:<id>" / "task:<id>"."""

    subject = forms.ChoiceField(label=_("督办对象"))

    def __init__(self, *args, indicators=(), tasks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = [
            ("", "—"),
            (_("指标"), [(f"indicator:{i.pk}", f"{i.code} {i.name}") for i in indicators]),
            (_("任务"), [(f"task:{t.pk}", str(t)) for t in tasks]),
        ]
        self.indicators = {i.pk: i for i in indicators}
        self.tasks = {t.pk: t for t in tasks}

    def clean_subject(self):
        kind, _sep, pk = self.cleaned_data["subject"].partition(":")
        found = (self.indicators if kind == "indicator" else self.tasks).get(int(pk)) if pk.isdigit() else None
        if found is None:
            raise forms.ValidationError(_("请选择一个指标或一个任务。"))
        return {kind: found}


class SupervisionIssueForm(SubjectForm):
    note = forms.CharField(label=_("督办要求"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("说明报送期限"), required=False, widget=DateInput)


class InstructionCreateForm(SubjectForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].label = _("批示对象")

    text = forms.CharField(label=_("批示内容"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DepartmentLightRuleForm(forms.Form):
    """One choice per signal of the department overview (tasks.rules.Signal); the service checks them."""

    def __init__(self, *args, rule: dict, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(v, label) for v, label in LIGHT_LEVEL_CHOICES]
        for signal in rules.Signal:
            self.fields[signal.value] = forms.ChoiceField(
                label=rules.SIGNAL_LABELS[signal], choices=choices, required=False, initial=rule[signal] or ""
            )
