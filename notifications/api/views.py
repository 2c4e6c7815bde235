"""The inbox through the API: a user reads and marks only their own notifications."""

from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from notifications import selectors, services
from notifications.api.serializers import NotificationSerializer, UnreadCountSerializer
from notifications.filtersets import NotificationFilterSet
from notifications.models import Notification


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Notification.objects.none()  # names the model for the schema; get_queryset is the user's own
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet

    def get_queryset(self):
        return selectors.notifications_for(user=self.request.user)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        services.notifications_mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses=UnreadCountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.notifications_mark_read(user=request.user)
        return Response({"unread": 0})

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, url_path="unread-count", filterset_class=None, pagination_class=None)
    def unread_count(self, request):
        return Response({"unread": selectors.unread_count(user=request.user)})
