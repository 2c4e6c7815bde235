"""The one visibility rule: a user sees only the cities they belong to or are assigned to.

Pages and the API both filter through these functions, so a city the user may not see answers 404
everywhere alike.
"""

from django.db.models import QuerySet

from accounts.models import Role
from plans.models import City

ENTRY_ROLES = (Role.BUREAU_STAFF, Role.REVIEWER, Role.ADMIN)


def user_role(user) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def visible_cities(user) -> QuerySet[City]:
    role = user_role(user)
    if role is None:
        return City.objects.none()
    if role == Role.ADMIN:
        return City.objects.all()
    if role == Role.PROVINCIAL:
        return user.profile.assigned_cities.all()
    return City.objects.filter(pk=user.profile.city_id)


def can_see_unapproved(user, city_id: int) -> bool:
    """Unapproved figures are visible only to the entering and reviewing roles of their own city."""
    role = user_role(user)
    if role == Role.ADMIN:
        return True
    return role in ENTRY_ROLES and user.profile.city_id == city_id
