"""Who may see and do what: the one visibility rule (a user sees only the cities they belong to or are
assigned to) and the role checks the services apply.

Models read through `Model.objects.visible_to(user)` (accounts.querysets), which applies `city_filter`, so a
city the user may not see answers 404 on every page and API endpoint alike.
"""

from django.db.models import Q

from accounts.models import Role

ENTRY_ROLES = (Role.BUREAU_STAFF, Role.REVIEWER, Role.ADMIN)


def user_role(user) -> str | None:
    if not user.is_authenticated:
        return None
    if user.is_superuser:
        return Role.ADMIN
    profile = getattr(user, "profile", None)
    return profile.role if profile else None


def city_filter(user, city_path: str) -> Q:
    """The cities `user` may see, as a filter along `city_path` (e.g. "plan__city") to a City."""
    role = user_role(user)
    if role is None:
        return Q(pk__in=[])
    if role == Role.ADMIN:
        return Q()
    if role == Role.PROVINCIAL:
        return Q(**{f"{city_path}__in": user.profile.assigned_cities.values("pk")})
    return Q(**{city_path: user.profile.city_id})


def can_see_unapproved(user, city_id: int) -> bool:
    """Unapproved figures are visible only to the entering and reviewing roles of their own city."""
    role = user_role(user)
    if role == Role.ADMIN:
        return True
    return role in ENTRY_ROLES and user.profile.city_id == city_id


def can_compare_cities(user) -> bool:
    """The cross-city comparison is for those who see several cities: provincial viewers and administrators."""
    return user_role(user) in (Role.ADMIN, Role.PROVINCIAL)


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


def can_answer_supervision(user, item) -> bool:
    return user_role(user) in TASK_UPDATE_ROLES and user_department_id(user) == item.department_id


def can_review_supervision(user, item) -> bool:
    return can_issue_supervision(user, item.plan.city_id)


def can_issue_supervision(user, city_id: int) -> bool:
    """The leading-group office issues, reviews and closes its city's 督办 items."""
    return user_role(user) in SUPERVISION_REVIEW_ROLES and _member_of_city(user, city_id)


INSTRUCTION_ROLES = (Role.LEADER, Role.ADMIN)
"""Roles that write 批示 (leading-group members)."""


def can_instruct(user, city_id: int) -> bool:
    return user_role(user) in INSTRUCTION_ROLES and _member_of_city(user, city_id)


def can_answer_instruction(user, instruction) -> bool:
    return user_role(user) in TASK_UPDATE_ROLES and user_department_id(user) == instruction.department_id


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


READING_SETTLE_ROLES = (Role.REVIEWER, Role.ADMIN)
"""Who settles how the city's plan document is read (a definition change, so not the staff who enter)."""


def can_settle_reading(user, city_id: int) -> bool:
    return _own_city(user, city_id, READING_SETTLE_ROLES)
