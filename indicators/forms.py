from django import forms
from django.utils.translation import gettext_lazy as _


class ReadingSettleForm(forms.Form):
    """Confirm the reading in use or pick another (the service checks who may and that a change has a reason)."""

    option = forms.CharField(label=_("读法"), max_length=40)
    reason = forms.CharField(label=_("理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AnsweringLeadForm(forms.Form):
    department = forms.IntegerField(label=_("答复督办的牵头单位"))
    reason = forms.CharField(label=_("理由"), required=False, max_length=500)
