import django_filters
from django import forms
from django.db.models import Q

from core.periods import Quarter
from plans.models import City, Department, Plan


class QuarterField(forms.CharField):
    """A quarter written 2025Q2, for every form and filter that asks for one."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return Quarter.parse(value)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from None


class QuarterFilter(django_filters.Filter):
    """Filters a date field holding period ends (figures, task updates) by the quarter named."""

    field_class = QuarterField

    def filter(self, qs, value):
        return qs if value is None else qs.filter(**{self.field_name: value.end})


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
