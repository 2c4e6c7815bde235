"""The API's filter backend: django-filter's, with empty and yes/no parameters read strictly.

django-filter reads `?quarter=`, `?unread=null` or `?overdue=maybe` as "no filter" and answers the whole
list (right for a page's form, whose empty field means "all"); the API answers 400 naming the parameter
instead, so a client's typo never looks like an empty filter.
"""

import django_filters
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from plans.filtersets import empty_parameters

BOOLEAN_VALUES = ("true", "false")


class StrictFilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            errors = empty_parameters(request.query_params, filterset.filters) | {
                name: [_("请填写 true 或 false。")]
                for name, definition in filterset.filters.items()
                if isinstance(definition, django_filters.BooleanFilter)
                and name in request.query_params
                and any(value not in BOOLEAN_VALUES for value in request.query_params.getlist(name))
            }
            if errors:
                raise ValidationError(errors)
        return filterset
