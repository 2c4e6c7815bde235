import django_filters
from django.utils.translation import gettext_lazy as _

from notifications.models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(field_name="read_at", lookup_expr="isnull", label=_("未读"))

    class Meta:
        model = Notification
        fields = ["kind", "unread"]
