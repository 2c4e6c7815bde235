"""API of indicator definitions: read-only, through the same visibility rule as the pages."""

from rest_framework import viewsets

from indicators.api.serializers import IndicatorSerializer
from indicators.filtersets import IndicatorFilterSet
from indicators.models import Indicator


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilterSet

    def get_queryset(self):
        return (
            Indicator.objects.visible_to(self.request.user)
            .select_related("plan__city", "lead_department", "target_group")
            .prefetch_related("interim_targets")
        )
