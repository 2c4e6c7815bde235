from django.db.models import Prefetch
from rest_framework import viewsets

from accounts.access import visible_cities
from tasks.api.serializers import TaskSerializer
from tasks.filtersets import TaskFilterSet
from tasks.models import Task, TaskAssignment


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def get_queryset(self):
        return (Task.objects.filter(plan__city__in=visible_cities(self.request.user))
                .select_related("plan__city")
                .prefetch_related(Prefetch("assignments", TaskAssignment.objects.select_related("department")),
                                  "indicators"))
