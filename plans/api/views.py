from rest_framework import viewsets

from plans.api.serializers import CitySerializer, DepartmentSerializer, PlanSerializer
from plans.filtersets import CityFilterSet, DepartmentFilterSet, PlanFilterSet
from plans.models import City, Department, Plan


class CityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CitySerializer
    filterset_class = CityFilterSet

    def get_queryset(self):
        return City.objects.visible_to(self.request.user).prefetch_related("populations")


class PlanViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PlanSerializer
    filterset_class = PlanFilterSet

    def get_queryset(self):
        return (
            Plan.objects.visible_to(self.request.user)
            .select_related("city")
            .prefetch_related("phases", "leading_group")
        )


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet

    def get_queryset(self):
        return Department.objects.visible_to(self.request.user).select_related("city").prefetch_related("aliases")
