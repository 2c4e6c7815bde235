import django_filters
from django import forms

from core.periods import Quarter
from indicators.models import Indicator, QuarterlyFigure


class IndicatorFilterSet(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="plan__city__code", label="城市代码")
    plan = django_filters.CharFilter(field_name="plan__code", label="方案代码")
    department = django_filters.NumberFilter(field_name="lead_department_id", label="牵头单位")

    class Meta:
        model = Indicator
        fields = ["city", "plan", "category", "measure_type", "target_form", "catalogue_key", "department"]


class QuarterField(forms.CharField):
    """'2025Q3' → the quarter's end date (figures are stored by period end)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Quarter.parse(value).end
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class QuarterFilter(django_filters.Filter):
    field_class = QuarterField


class FigureFilterSet(django_filters.FilterSet):
    """Quarterly figures by city, plan, indicator, quarter (2025Q3) and status."""

    city = django_filters.CharFilter(field_name="indicator__plan__city__code", label="城市代码")
    plan = django_filters.CharFilter(field_name="indicator__plan__code", label="方案代码")
    indicator = django_filters.NumberFilter(field_name="indicator_id", label="指标")
    quarter = QuarterFilter(field_name="period_end", label="季度（如2025Q3）")
    status = django_filters.MultipleChoiceFilter(choices=QuarterlyFigure.Status.choices, label="状态")

    class Meta:
        model = QuarterlyFigure
        fields = ["city", "plan", "indicator", "quarter", "status", "is_provisional"]
