import django_filters

from indicators.models import Indicator
from plans.filtersets import IdFilter


class IndicatorFilterSet(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="plan__city__code", label="城市代码")
    plan = django_filters.CharFilter(field_name="plan__code", label="方案代码")
    department = IdFilter(field_name="lead_department_id", label="牵头单位")

    class Meta:
        model = Indicator
        fields = ["city", "plan", "category", "measure_type", "target_form", "catalogue_key", "department"]
