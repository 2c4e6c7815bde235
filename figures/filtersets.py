import django_filters

from indicators.models import QuarterlyFigure
from plans.filtersets import IdFilter, QuarterFilter


class FigureFilterSet(django_filters.FilterSet):
    """Quarterly figures by city, plan, indicator, quarter (2025Q3) and status."""

    city = django_filters.CharFilter(field_name="indicator__plan__city__code", label="城市代码")
    plan = django_filters.CharFilter(field_name="indicator__plan__code", label="方案代码")
    indicator = IdFilter(field_name="indicator_id", label="指标")
    quarter = QuarterFilter(field_name="period_end", label="季度（如2025Q3）")
    status = django_filters.MultipleChoiceFilter(choices=QuarterlyFigure.Status.choices, label="状态")

    class Meta:
        model = QuarterlyFigure
        fields = ["city", "plan", "indicator", "quarter", "status", "is_provisional"]
