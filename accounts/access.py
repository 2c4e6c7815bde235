"""The one visibility rule: a user sees only the cities they belong to or are assigned to.

Pages and the API both filter through these functions, so a city the user may not see answers 404
everywhere alike.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import Role
from plans.models import City
from tasks.models import TaskAssignment

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


# --- Tasks, task updates and supervision items --------------------------------------------------------

TASK_UPDATE_ROLES = (Role.DEPARTMENT, Role.BUREAU_STAFF)
"""Roles that report on their own department's tasks (the bureau itself leads many tasks)."""
TASK_OVERVIEW_ROLES = (Role.BUREAU_STAFF, Role.REVIEWER, Role.LEADER, Role.ADMIN)
"""Roles that see every department's task updates of their city: the bureau matrix and all supervision items."""
SUPERVISION_REVIEW_ROLES = (Role.BUREAU_STAFF, Role.REVIEWER, Role.ADMIN)
"""Roles that accept, return and close supervision items (the leading-group office in the bureau)."""


def _member_of_city(user, city_id: int) -> bool:
    role = user_role(user)
    return role == Role.ADMIN or (role not in (None, Role.PROVINCIAL) and user.profile.city_id == city_id)


def user_department_id(user) -> int | None:
    role = user_role(user)
    if role in (None, Role.ADMIN, Role.PROVINCIAL):
        return None
    return user.profile.department_id


def can_see_task_overview(user, city_id: int) -> bool:
    return user_role(user) in TASK_OVERVIEW_ROLES and _member_of_city(user, city_id)


def can_update_task(user, task) -> bool:
    """A user reports on a task when their department is assigned to it (departments belong to one city)."""
    department_id = user_department_id(user)
    if user_role(user) not in TASK_UPDATE_ROLES or department_id is None:
        return False
    return any(a.department_id == department_id for a in task.assignments.all())


def can_see_department_updates(user, department) -> bool:
    return can_see_task_overview(user, department.city_id) or user_department_id(user) == department.pk


def visible_task_updates(user, updates: QuerySet) -> QuerySet:
    """Overview roles see their city's updates; a lead department every update of its tasks; a
    responsible department its own and the consolidated ones; everybody else none."""
    role = user_role(user)
    if role == Role.ADMIN:
        return updates
    if role is None or role == Role.PROVINCIAL:
        return updates.none()
    if role in TASK_OVERVIEW_ROLES:
        return updates.filter(task__plan__city_id=user.profile.city_id)
    department_id = user.profile.department_id
    if department_id is None:
        return updates.none()
    assigned = TaskAssignment.objects.filter(task=OuterRef("task"), department_id=department_id)
    return updates.filter(
        Q(department_id=department_id)
        | Q(Exists(assigned.filter(role=TaskAssignment.Role.LEAD)))
        | Q(Exists(assigned), is_consolidated=True)
    )


def visible_supervision_items(user, items: QuerySet) -> QuerySet:
    """Overview roles see their city's supervision items; a department the items addressed to it."""
    role = user_role(user)
    if role == Role.ADMIN:
        return items
    if role is None or role == Role.PROVINCIAL:
        return items.none()
    if role in TASK_OVERVIEW_ROLES:
        return items.filter(plan__city_id=user.profile.city_id)
    department_id = user.profile.department_id
    return items.filter(department_id=department_id) if department_id else items.none()


def can_answer_supervision(user, item) -> bool:
    return user_role(user) in TASK_UPDATE_ROLES and user_department_id(user) == item.department_id


def can_review_supervision(user, item) -> bool:
    return user_role(user) in SUPERVISION_REVIEW_ROLES and _member_of_city(user, item.plan.city_id)


# --- Quarterly figures and indicator definitions ------------------------------------------------------

FIGURE_ENTRY_ROLES = (Role.BUREAU_STAFF, Role.ADMIN)
"""Roles that enter, save and submit figures (and correct approved ones)."""
FIGURE_REVIEW_ROLES = (Role.REVIEWER, Role.ADMIN)
"""Roles that approve or return submitted figures."""
READABLE_FIGURE_STATUSES = ("approved", "superseded")
"""What every reader of a city may see: figures that were approved (superseded ones stay in the history)."""


def _own_city(user, city_id: int, roles) -> bool:
    role = user_role(user)
    return role == Role.ADMIN or (role in roles and user.profile.city_id == city_id)


def can_enter_figures(user, city_id: int) -> bool:
    return _own_city(user, city_id, FIGURE_ENTRY_ROLES)


def can_review_figures(user, city_id: int) -> bool:
    return _own_city(user, city_id, FIGURE_REVIEW_ROLES)


def can_enter_base(user, city_id: int) -> bool:
    """Entering a base nobody knew (with its source) is data entry, not a change of the indicator."""
    return can_enter_figures(user, city_id)


def can_change_indicator_definition(user) -> bool:
    """Measure type, target form and target are the document's; only an administrator changes them."""
    return user_role(user) == Role.ADMIN


def visible_figures(user, figures: QuerySet) -> QuerySet:
    """Figures of the cities the user sees; unapproved ones only of their own city and entering role."""
    role = user_role(user)
    if role is None:
        return figures.none()
    if role == Role.ADMIN:
        return figures
    figures = figures.filter(indicator__plan__city__in=visible_cities(user))
    readable = Q(status__in=READABLE_FIGURE_STATUSES)
    if role in ENTRY_ROLES:
        readable |= Q(indicator__plan__city_id=user.profile.city_id)
    return figures.filter(readable)
