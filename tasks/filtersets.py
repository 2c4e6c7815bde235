import django_filters

from tasks.models import Task


class TaskFilterSet(django_filters.FilterSet):
    city = django_filters.CharFilter(field_name="plan__city__code", label="城市代码")
    plan = django_filters.CharFilter(field_name="plan__code", label="方案代码")
    department = django_filters.NumberFilter(method="by_department", label="部门")

    class Meta:
        model = Task
        fields = ["city", "plan", "section", "department"]

    def by_department(self, queryset, name, value):
        return queryset.filter(assignments__department_id=value).distinct()
