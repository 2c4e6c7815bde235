"""The API's one pagination: ?limit= and ?offset= read strictly, so a bad value is a 400 naming it.

DRF's LimitOffsetPagination quietly falls back to its defaults on `limit=abc` or an empty `offset=`, and
passes `limit=2**63` on to the database (an overflow, a 500). Here both are whole numbers in a stated range.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination, serializers

from core.ids import ID_MAX

MAX_LIMIT = 1000
"""The most rows one page returns; larger lists are read page by page."""


class PageParamsSerializer(serializers.Serializer):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT)
    offset = serializers.IntegerField(required=False, min_value=0, max_value=ID_MAX)


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    max_limit = MAX_LIMIT

    def paginate_queryset(self, queryset, request, view=None):
        incoming = PageParamsSerializer(
            data={name: request.query_params[name] for name in ("limit", "offset") if name in request.query_params}
        )
        incoming.is_valid(raise_exception=True)
        self.params = incoming.validated_data
        return super().paginate_queryset(queryset, request, view)

    def get_limit(self, request):
        return self.params.get("limit", self.default_limit)

    def get_offset(self, request):
        return self.params.get("offset", 0)

    def get_schema_operation_parameters(self, view):
        limit, offset = super().get_schema_operation_parameters(view)
        limit["description"] = str(_("每页条数（1–%(max)s，默认 %(default)s）。")) % {
            "max": MAX_LIMIT,
            "default": self.default_limit,
        }
        limit["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}
        offset["description"] = str(_("从第几条开始（0 起）。"))
        offset["schema"] = {"type": "integer", "minimum": 0, "maximum": ID_MAX}
        return [limit, offset]
