"""Account reads: the users an administrator manages, the audit log they may read, a user's API tokens."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.access import user_role
from accounts.models import ApiToken, AuditEvent
from accounts.rules import ROLE_RANK, is_system_admin, managed_city_id


def _locked_attempts():
    """django-axes' attempts that still lock an account (failures up to the limit within the cool-off)."""
    from axes.models import AccessAttempt

    attempts = AccessAttempt.objects.filter(failures_since_start__gte=settings.AXES_FAILURE_LIMIT)
    if settings.AXES_COOLOFF_TIME:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME)
    return attempts


def managed_users(actor) -> QuerySet[User]:
    """Every user for a system administrator; a city administrator's own city's users of roles not above
    theirs; nobody for anyone else. Each row knows whether django-axes has locked it."""
    users = (
        User.objects.select_related("profile__city", "profile__department")
        .prefetch_related("profile__assigned_cities")
        .annotate(is_locked=Exists(_locked_attempts().filter(username=OuterRef("username"))))
        .order_by("profile__city__code", "username")
    )
    if is_system_admin(actor):
        return users
    city_id = managed_city_id(actor)
    if city_id is None:
        return users.none()
    rank = ROLE_RANK[user_role(actor)]
    return users.filter(
        is_superuser=False,
        profile__city_id=city_id,
        profile__role__in=[role for role, r in ROLE_RANK.items() if r <= rank],
    )


def managed_user_get(actor, pk: int) -> User:
    """Another city's user (or one above the actor) answers 404, like every other city-scoped page."""
    return get_object_or_404(managed_users(actor), pk=pk)


def audit_events(actor) -> QuerySet[AuditEvent]:
    """A system administrator reads every event; a city administrator their city's."""
    events = AuditEvent.objects.select_related("actor", "target", "city")
    if is_system_admin(actor):
        return events
    city_id = managed_city_id(actor)
    if city_id is None:
        raise Http404
    return events.filter(city_id=city_id)


def api_tokens(user) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user)


def api_token_get(user, pk: int) -> ApiToken:
    """Somebody else's token answers 404."""
    return get_object_or_404(api_tokens(user), pk=pk)
