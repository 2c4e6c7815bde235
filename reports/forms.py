"""The form of the report page; the API reads the same fields through reports.api.serializers."""

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.filtersets import QuarterField
from reports.models import ExportJob


class ExportRequestForm(forms.Form):
    report_type = forms.ChoiceField(label=_("类型"), choices=ExportJob.Kind.choices)
    plan = forms.SlugField(label=_("方案"), required=False)
    quarter = QuarterField(label=_("统计截至季度"))
    catalogue_key = forms.SlugField(label=_("对比指标"), required=False)
