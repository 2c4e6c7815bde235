import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field

from core.ids import ID_MAX
from core.periods import QUARTER_SCHEMA_PATTERN, Quarter
from plans.models import City, Department, Plan


class IdField(forms.IntegerField):
    """A record id: a whole number from 1 to core.ids.ID_MAX (a larger one would overflow the database)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", ID_MAX)
        super().__init__(**kwargs)


ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": ID_MAX}


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """Filters by a related record's id; a value that is not a possible id is a 400 naming the parameter."""

    field_class = IdField


class IdChoiceField(django_filters.fields.ModelChoiceField):
    """A choice of record by id: an impossible id is refused before the lookup; a possible one that is not
    among the choices (another city's department, one without items) is not there for this user, a 404 as
    for an id in a path."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        IdField().clean(value)
        try:
            return super().to_python(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise Http404 from error
            raise


@extend_schema_field(ID_SCHEMA)
class IdChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = IdChoiceField


class PresentChoiceField(django_filters.fields.ChoiceField):
    """A choice among what this plan has (its sections): a value it does not have is not there, a 404."""

    def validate(self, value):
        try:
            super().validate(value)
        except ValidationError as error:
            if error.code == "invalid_choice":
                raise Http404 from error
            raise


class PresentChoiceFilter(django_filters.ChoiceFilter):
    field_class = PresentChoiceField


def empty_parameters(params, names) -> dict[str, list[str]]:
    """The API's refusal of `?name=` with no value (pages send empty fields for "all"; a client means none)."""
    return {
        name: [_("参数 %(name)s 为空：请填写值，或去掉该参数。") % {"name": name}]
        for name in names
        if name in params and any(value == "" for value in params.getlist(name))
    }


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


@extend_schema_field({"type": "string", "pattern": QUARTER_SCHEMA_PATTERN, "example": "2025Q3"})
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
