"""Account writes: creating, changing and disabling users, first passwords, unlocks, API tokens, and the audit
log every one of them leaves. Views, forms, signal receivers and the import command only call these."""

import secrets
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import user_role
from accounts.models import ApiToken, AuditEvent, Profile, Role, api_token_digest, city_model
from accounts.rules import ROLE_RANK, can_manage_users, grantable_roles, is_system_admin, managed_city_id

Kind = AuditEvent.Kind
CITY_ROLES = [r for r in Role.values if ROLE_RANK[r] <= ROLE_RANK[Role.BUREAU_STAFF]]
"""The roles a city's users hold (what a spreadsheet import may give)."""


# --- The audit log -------------------------------------------------------------------------------------


def client_ip(request) -> str | None:
    """The address Django saw. Behind a reverse proxy, set it to pass the client address as REMOTE_ADDR."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _city_of(user) -> models.Model | None:
    profile = getattr(user, "profile", None) if user is not None else None
    return profile.city if profile and profile.city_id else None


def audit_record(
    *, kind: str, actor=None, target=None, username: str = "", ip: str | None = None, detail: str = ""
) -> AuditEvent:
    """One event; the city is the target's (or the actor's), so a city's administrator sees its events."""
    subject = target or actor
    return AuditEvent.objects.create(
        kind=kind,
        actor=actor,
        target=target,
        username=username or (subject.username if subject else ""),
        city=_city_of(subject),
        ip_address=ip,
        detail=detail[:300],
    )


def audit_expire(*, now=None) -> int:
    """Deletes events older than AUDIT_RETENTION_DAYS; returns how many went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted, _rows = AuditEvent.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def login_record(*, user, request) -> None:
    """A login: recorded, and the session learns whether the first password must be changed first."""
    profile = getattr(user, "profile", None)
    if request is not None and hasattr(request, "session"):
        request.session["must_change_password"] = bool(profile and profile.must_change_password)
        request.session["last_activity"] = int(time.time())  # read by accounts.middleware.IdleSessionMiddleware
    audit_record(kind=Kind.LOGIN, actor=user, ip=client_ip(request))


def logout_record(*, user, request) -> None:
    if user is not None and user.is_authenticated:
        audit_record(kind=Kind.LOGOUT, actor=user, ip=client_ip(request))


def login_failure_record(*, username: str, request, locked_out: bool = False) -> None:
    """A failed (or locked-out) login, tied to the account when the username names one."""
    target = User.objects.select_related("profile__city").filter(username=username).first() if username else None
    audit_record(
        kind=Kind.LOCKED_OUT if locked_out else Kind.LOGIN_FAILED,
        target=target,
        username=username or "",
        ip=client_ip(request),
    )


def password_change_record(*, user, ip: str | None, session=None) -> None:
    """The user chose their own password: the first-password flag is cleared."""
    Profile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)
    if session is not None:
        session["must_change_password"] = False
    audit_record(kind=Kind.PASSWORD_CHANGED, actor=user, ip=ip)


# --- Users ---------------------------------------------------------------------------------------------


def _check_grant(*, actor, role: str, city, assigned_cities, manages_users: bool):
    """Nobody gives a role above their own; a city administrator only inside their city. Returns the city
    the user belongs to. actor None is the import command run by whoever runs manage.py for one city."""
    if actor is None:
        allowed = CITY_ROLES
    elif can_manage_users(actor):
        allowed = grantable_roles(actor)
    else:
        raise PermissionDenied
    if role not in allowed:
        raise ValidationError({"role": _("不能授予该角色：不能高于自己的角色。")})
    if actor is not None and not is_system_admin(actor):
        city = city_model().objects.get(pk=managed_city_id(actor))
        if assigned_cities:
            raise ValidationError({"assigned_cities": _("只有系统管理员可以指定省级查看用户的可查看城市。")})
    if role in (Role.ADMIN, Role.PROVINCIAL):
        if manages_users:
            raise ValidationError({"manages_users": _("只有市场监管局的填报或审核人员可以担任城市用户管理员。")})
        return None
    if city is None:
        raise ValidationError({"city": _("该角色必须属于一个城市。")})
    return city


def _check_password(password: str, user: User, field: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def _profile_save(profile: Profile, role: str, assigned_cities) -> None:
    profile.full_clean(exclude=["user"])
    profile.save()
    profile.assigned_cities.set(assigned_cities if role == Role.PROVINCIAL else [])


@transaction.atomic
def user_create(
    *,
    actor,
    username: str,
    role: str,
    password: str,
    full_name: str = "",
    email: str = "",
    city: models.Model | None = None,
    department: models.Model | None = None,
    assigned_cities: Iterable[models.Model] = (),
    manages_users: bool = False,
    ip: str | None = None,
) -> User:
    """A new account with a first password that must be changed at the first login."""
    assigned_cities = list(assigned_cities)
    city = _check_grant(actor=actor, role=role, city=city, assigned_cities=assigned_cities, manages_users=manages_users)
    username = username.strip()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已存在。") % {"name": username}})
    user = User(
        username=username,
        first_name=full_name.strip(),
        email=email.strip(),
        is_superuser=role == Role.ADMIN,
        is_staff=role == Role.ADMIN,
    )
    user.full_clean(exclude=["password"])
    _check_password(password, user, "password")
    user.set_password(password)
    user.save()
    profile = Profile(
        user=user,
        role=role,
        city=city,
        department=department,
        manages_users=manages_users,
        must_change_password=True,
    )
    _profile_save(profile, role, assigned_cities)
    audit_record(
        kind=Kind.USER_CREATED,
        actor=actor,
        target=user,
        ip=ip,
        detail=_("角色：%(role)s") % {"role": profile.get_role_display()},
    )
    return user


@transaction.atomic
def user_update(
    *,
    actor,
    user: User,
    role: str,
    full_name: str = "",
    email: str = "",
    city: models.Model | None = None,
    department: models.Model | None = None,
    assigned_cities: Iterable[models.Model] = (),
    manages_users: bool = False,
    new_password: str = "",
    ip: str | None = None,
) -> User:
    """Changes a user's name, role, department or rights; a new password set here is again a first one."""
    assigned_cities = list(assigned_cities)
    if actor is not None and not is_system_admin(actor):
        city = user.profile.city  # a city administrator never moves a user to another city
    city = _check_grant(actor=actor, role=role, city=city, assigned_cities=assigned_cities, manages_users=manages_users)
    if actor is not None and actor.pk == user.pk and role != user_role(actor):
        raise ValidationError({"role": _("不能修改自己的角色。")})
    profile = Profile.objects.select_related("department").filter(user=user).first() or Profile(user=user)
    old_role, old_department = profile.role, profile.department
    user.first_name, user.email = full_name.strip(), email.strip()
    user.is_superuser = user.is_staff = role == Role.ADMIN
    user.full_clean(exclude=["password"])
    if new_password:
        _check_password(new_password, user, "new_password")
        user.set_password(new_password)
        profile.must_change_password = True
    user.save()
    profile.role, profile.city, profile.department, profile.manages_users = role, city, department, manages_users
    _profile_save(profile, role, assigned_cities)
    if old_role != role:
        old_label = Role(old_role).label if old_role else "—"
        audit_record(
            kind=Kind.ROLE_CHANGED,
            actor=actor,
            target=user,
            ip=ip,
            detail=f"{old_label} → {profile.get_role_display()}",
        )
    if old_department != department:
        audit_record(
            kind=Kind.DEPARTMENT_CHANGED,
            actor=actor,
            target=user,
            ip=ip,
            detail=f"{old_department.name if old_department else '—'} → {department.name if department else '—'}",
        )
    if new_password:
        audit_record(kind=Kind.PASSWORD_RESET, actor=actor, target=user, ip=ip)
    return user


def user_set_active(*, actor, user: User, active: bool, ip: str | None = None) -> User:
    """Disabling ends the user's sessions and tokens at once (Django refuses inactive users everywhere)."""
    if actor.pk == user.pk and not active:
        raise ValidationError(_("不能停用自己的账号。"))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(kind=Kind.USER_ENABLED if active else Kind.USER_DISABLED, actor=actor, target=user, ip=ip)
    return user


def user_unlock(*, actor, user: User, ip: str | None = None) -> int:
    """Clears django-axes' failed attempts for the username, from every address; returns how many."""
    from axes.utils import reset

    count = reset(username=user.username)
    audit_record(kind=Kind.USER_UNLOCKED, actor=actor, target=user, ip=ip)
    return count


def admin_profile_ensure(*, user: User) -> Profile:
    """A superuser (createsuperuser) is a system administrator with a profile like every other user."""
    profile, _created = Profile.objects.get_or_create(user=user, defaults={"role": Role.ADMIN})
    return profile


# --- Importing a city's users --------------------------------------------------------------------------


@dataclass
class ImportedUser:
    username: str
    password: str
    generated: bool


class UserImportError(Exception):
    """Row-numbered messages; nothing was saved."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


def users_import(*, city: models.Model, rows: list[tuple[int, dict]]) -> list[ImportedUser]:
    """Creates every row's user through the same form and service as the users page, or none of them.
    rows are (spreadsheet row number, {column: value}); an empty password gets a generated first one."""
    from accounts.forms import ImportRowForm

    errors: list[str] = []
    created: list[ImportedUser] = []
    with transaction.atomic():
        for number, row in rows:
            form = ImportRowForm(row, city=city)
            if not form.is_valid():
                errors += [f"第{number}行：{msg}" for msg in form.row_errors()]
                continue
            data = form.cleaned_data
            password, generated = data["password"], not data["password"]
            if generated:
                password = secrets.token_urlsafe(9)
            try:
                with transaction.atomic():
                    user_create(
                        actor=None,
                        username=data["username"],
                        full_name=data["full_name"],
                        email=data["email"],
                        role=data["role"],
                        city=city,
                        department=data["department"],
                        manages_users=data["manages_users"],
                        password=password,
                    )
            except ValidationError as error:
                errors += [f"第{number}行：{msg}" for msg in form.error_messages_of(error)]
                continue
            created.append(ImportedUser(data["username"], password, generated))
        if not rows:
            errors.append(_("文件中没有用户。"))
        if errors:
            transaction.set_rollback(True)
            raise UserImportError(errors)
    return created


# --- API tokens ----------------------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, ip: str | None = None) -> tuple[ApiToken, str]:
    """A new token; the key is returned once and only its digest is kept."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称。")})
    if ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        raise ValidationError({"name": _("已有同名的有效令牌。")})
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, digest=api_token_digest(key), hint=key[:10])
    audit_record(kind=Kind.TOKEN_CREATED, actor=user, ip=ip, detail=name)
    return token, key


def api_token_revoke(*, token: ApiToken, ip: str | None = None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(kind=Kind.TOKEN_REVOKED, actor=token.user, ip=ip, detail=token.name)
    return token
