import django_filters
from django.db.models import Q

from plans.models import City, Department, Plan


class CityFilterSet(django_filters.FilterSet):
    class Meta:
        model = City
        fields = {"code": ["exact"], "province": ["exact"]}


class PlanFilterSet(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code", label="城市代码")

    class Meta:
        model = Plan
        fields = ["city"]


class DepartmentFilterSet(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="city__code", label="城市代码")
    q = django_filters.CharFilter(method="search", label="名称或别名")

    class Meta:
        model = Department
        fields = ["city", "kind", "is_programme_owner"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(aliases__alias__icontains=value)).distinct()
