"""Forms of the task pages; they only shape input, the rules are in tasks.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.forms import DateInput
from tasks import evidence, rules
from tasks.models import TaskUpdate


class TaskUpdateForm(forms.Form):
    # A plain text field with a select: a quarter not offered still reaches the service, which says why.
    quarter = forms.CharField(label=_("季度"), widget=forms.Select)
    state = forms.ChoiceField(label=_("进展状态"), choices=TaskUpdate.State.choices)
    text = forms.CharField(label=_("本季度工作进展"), widget=forms.Textarea(attrs={"rows": 5}))
    evidence = forms.FileField(
        label=_("证明材料（可选）"),
        required=False,
        help_text=_("PDF、Office 文档或图片（%(allowed)s）") % {"allowed": evidence.ALLOWED_EXTENSIONS},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(evidence.EVIDENCE_TYPES)}),
    )

    def __init__(self, *args, quarters: list[rules.Quarter], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quarter"].widget.choices = [(str(q), q.label) for q in quarters]


class SupervisionAnswerForm(forms.Form):
    explanation = forms.CharField(label=_("滞后说明"), widget=forms.Textarea(attrs={"rows": 4}))
    measures = forms.CharField(label=_("整改措施"), widget=forms.Textarea(attrs={"rows": 4}))
    measures_due = forms.DateField(label=_("整改完成时限"), widget=DateInput)


class SupervisionReturnForm(forms.Form):
    note = forms.CharField(label=_("退回原因"), widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("重新报送期限"), widget=DateInput)


class SupervisionNoteForm(forms.Form):
    note = forms.CharField(label=_("意见（可选）"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
