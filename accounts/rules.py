"""Who may administer whose account. Kept apart from accounts.access (the visibility rule of the data).

A city user administrator is a permission on a bureau account (Profile.manages_users on a 填报人员 or
审核人员 of the market-supervision bureau), not a new role: the bureau's own staff set up their city's
users without losing their figure work, and the visibility rules of every other page stay as they are.
"""

from accounts.access import user_role
from accounts.models import Role

ROLE_RANK = {
    Role.DEPARTMENT: 1,
    Role.LEADER: 1,
    Role.BUREAU_STAFF: 2,
    Role.REVIEWER: 2,
    Role.PROVINCIAL: 3,
    Role.ADMIN: 4,
}
"""Rights in ipcity, not rank in the government: a leading-group member reads what a department reads;
the bureau's roles enter and review; a provincial viewer spans cities; the administrator everything."""

CITY_ADMIN_ROLES = (Role.BUREAU_STAFF, Role.REVIEWER)
"""The roles that can carry the city-user-administrator permission."""


def is_system_admin(user) -> bool:
    return user_role(user) == Role.ADMIN


def managed_city_id(user) -> int | None:
    """The city whose users this user administers; None for a system administrator and for everyone else."""
    if user_role(user) not in CITY_ADMIN_ROLES:
        return None
    profile = user.profile
    return profile.city_id if profile.manages_users else None


def can_manage_users(user) -> bool:
    return is_system_admin(user) or managed_city_id(user) is not None


def grantable_roles(user) -> list[str]:
    """The roles this user may give: never one above their own, and only city roles by a city administrator."""
    role = user_role(user)
    if role == Role.ADMIN:
        return list(Role.values)
    if managed_city_id(user) is None:
        return []
    return [r for r in Role.values if ROLE_RANK[r] <= ROLE_RANK[role]]
