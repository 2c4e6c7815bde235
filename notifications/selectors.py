"""Reads for the inbox, and who should hear about what (recipient ids for notifications.services.notify)."""

from collections.abc import Iterable

from django.contrib.auth.models import User
from django.db.models import QuerySet

from notifications.models import Notification


def notifications_for(*, user) -> QuerySet[Notification]:
    """The user's inbox: a reminder whose cause is gone (closed) is no longer shown."""
    return Notification.objects.filter(recipient=user, closed_at__isnull=True)


def notification_of(*, user, pk: int) -> Notification | None:
    """One of the user's notifications, closed or not (a link in an old email still leads somewhere)."""
    return Notification.objects.filter(recipient=user, pk=pk).first()


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True, closed_at__isnull=True).count()


def users_in_departments(*, department_ids: Iterable[int], roles: Iterable[str]) -> list[int]:
    """Active users of these departments holding one of the roles."""
    return list(
        User.objects.filter(
            is_active=True, profile__department_id__in=list(department_ids), profile__role__in=list(roles)
        ).values_list("pk", flat=True)
    )


def users_in_cities(*, city_ids: Iterable[int], roles: Iterable[str]) -> list[int]:
    """Active users belonging to these cities holding one of the roles."""
    return list(
        User.objects.filter(
            is_active=True, profile__city_id__in=list(city_ids), profile__role__in=list(roles)
        ).values_list("pk", flat=True)
    )
