"""Forms parse what people type (numbers, text, flags); the rules a figure must meet live in
figures.rules and are applied by the services in figures.services.

The same FigureRowForm parses a row of the entry grid and a row of an uploaded workbook, so a number is
read the same way from both.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from figures.rules import RowInput, plain
from indicators.models import Indicator, QuarterlyFigure
from plans.forms import DateInput

NUMBER_ERRORS = {
    "invalid": _("请输入数字。"),
    "max_digits": _("数字位数过多。"),
    "max_decimal_places": _("最多保留4位小数。"),
    "max_whole_digits": _("整数部分位数过多。"),
}


class NumberField(forms.DecimalField):
    """A figure as staff type it: thousands separators and full-width digits are accepted; empty stays None."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 4)
        kwargs.setdefault("error_messages", NUMBER_ERRORS)
        super().__init__(**kwargs)
        self.widget.input_type = "text"
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            value = value.translate(FULL_WIDTH).replace(",", "").replace(" ", "").strip()
        return super().to_python(value)


FULL_WIDTH = str.maketrans("０１２３４５６７８９．－，", "0123456789.-,")


class FigureRowForm(forms.Form):
    """One indicator's row: the value (or numerator and denominator), comment, source, provisional flag."""

    value = NumberField(label=_("数值"))
    numerator = NumberField(label=_("分子"))
    denominator = NumberField(label=_("分母"))
    comment = forms.CharField(label=_("说明"), required=False, max_length=2000)
    source = forms.CharField(label=_("统计口径/发布来源"), required=False, max_length=200)
    is_provisional = forms.BooleanField(label=_("预估数"), required=False)

    def __init__(self, *args, indicator: Indicator | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator

    @classmethod
    def initial_from(cls, figure: QuarterlyFigure | None, indicator: Indicator) -> dict:
        """What the row shows: the entered form (a year-to-date total stays as typed), never a zero for empty."""
        if figure is None:
            return {}
        entered = figure.entered_value if figure.entered_value is not None else figure.value
        return {
            "value": plain(entered) if not indicator.is_ratio else None,
            "numerator": plain(figure.numerator),
            "denominator": plain(figure.denominator),
            "comment": figure.comment,
            "source": figure.source,
            "is_provisional": figure.is_provisional,
        }

    def row_input(self) -> RowInput:
        data = self.cleaned_data
        return RowInput(
            value=data["value"],
            numerator=data["numerator"],
            denominator=data["denominator"],
            comment=data["comment"].strip(),
            source=data["source"].strip(),
            is_provisional=data["is_provisional"],
        )


class CorrectionForm(FigureRowForm):
    correction_reason = forms.CharField(
        label=_("更正原因"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )


class BaseValueForm(forms.Form):
    """An unknown base entered by the bureau, with where it comes from."""

    base_value = NumberField(label=_("基期值"))
    base_year = forms.IntegerField(label=_("基期年份"), required=False, min_value=1990, max_value=2100)
    base_source = forms.CharField(label=_("来源"), max_length=200, required=False)


class DefinitionForm(forms.ModelForm):
    """The definition fields an administrator may change, with the reason recorded in the history."""

    reason = forms.CharField(label=_("修改原因"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    class Meta:
        model = Indicator
        fields = [
            "measure_type",
            "target_form",
            "target_value",
            "target_date",
            "base_value",
            "base_year",
            "base_source",
            "entry_mode",
            "is_ratio",
            "numerator_label",
            "denominator_label",
        ]
        widgets = {"target_date": DateInput}

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def _post_clean(self):
        """The model is validated by the service, after the reason rule; not half-applied here."""


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("Excel文件（.xlsx）"))
