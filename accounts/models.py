"""Who a user is in ipcity: their city, role and department; the audit log of account events; named API
tokens. Access rules live in accounts.access, user-administration rules in accounts.rules."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUREAU_STAFF = "bureau_staff", _("填报人员（市场监管局）")
    REVIEWER = "reviewer", _("审核人员")
    LEADER = "leader", _("领导小组成员")
    DEPARTMENT = "department", _("部门用户")
    PROVINCIAL = "provincial", _("省级查看")
    ADMIN = "admin", _("系统管理员")


class Profile(models.Model):
    """A user's place in the programme; a system administrator belongs to every city."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("用户")
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    city = models.ForeignKey(
        "plans.City",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("所属城市"),
    )
    department = models.ForeignKey(
        "plans.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="profiles",
        verbose_name=_("所属部门"),
    )
    assigned_cities = models.ManyToManyField(
        "plans.City",
        blank=True,
        related_name="provincial_viewers",
        verbose_name=_("可查看城市"),
        help_text=_("省级查看用户可查看的城市。"),
    )
    manages_users = models.BooleanField(
        _("城市用户管理员"),
        default=False,
        help_text=_("可创建、修改和停用本市用户（仅限市场监管局的填报或审核人员）。"),
    )
    must_change_password = models.BooleanField(
        _("须修改初始密码"), default=False, help_text=_("下次登录后须先修改密码。")
    )
    is_demo = models.BooleanField(_("演示账号"), default=False)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def clean(self):
        if self.manages_users and self.role not in (Role.BUREAU_STAFF, Role.REVIEWER):
            raise ValidationError({"manages_users": _("只有市场监管局的填报或审核人员可以担任城市用户管理员。")})
        if self.role in (Role.ADMIN, Role.PROVINCIAL):
            return
        if not self.city_id:
            raise ValidationError({"city": _("该角色必须属于一个城市。")})
        if self.role == Role.DEPARTMENT and not self.department_id:
            raise ValidationError({"department": _("部门用户必须指定所属部门。")})
        if self.department_id and self.department.city_id != self.city_id:
            raise ValidationError({"department": _("部门必须属于用户所在城市。")})


def city_model():
    """plans.City, reached through Profile's own foreign key: accounts sits below plans and never imports it."""
    return Profile._meta.get_field("city").related_model


def department_model():
    """plans.Department, the same way."""
    return Profile._meta.get_field("department").related_model


class AuditEvent(models.Model):
    """One account event: who did it, to whom, when and from where. Written only by accounts.services."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("登录被锁定")
        LOGOUT = "logout", _("退出")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        PASSWORD_RESET = "password_reset", _("重置密码")
        USER_CREATED = "user_created", _("创建用户")
        ROLE_CHANGED = "role_changed", _("变更角色")
        DEPARTMENT_CHANGED = "department_changed", _("变更部门")
        USER_DISABLED = "user_disabled", _("停用用户")
        USER_ENABLED = "user_enabled", _("启用用户")
        USER_UNLOCKED = "user_unlocked", _("解除锁定")
        TOKEN_CREATED = "token_created", _("创建API令牌")
        TOKEN_REVOKED = "token_revoked", _("撤销API令牌")

    kind = models.CharField(_("事件"), max_length=24, choices=Kind.choices)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("对象用户"),
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True, help_text=_("登录时输入的用户名。"))
    city = models.ForeignKey(
        "plans.City", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("城市")
    )
    ip_address = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    detail = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("账号日志")
        verbose_name_plural = _("账号日志")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


def api_token_digest(key: str) -> str:
    """Tokens are stored as their SHA-256 only: a leaked database gives no usable token."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A named API token of one user, acting with that user's rights; shown once, stored hashed."""

    PREFIX = "ipc_"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("名称"), max_length=80)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("令牌开头"), max_length=12, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API令牌")
        verbose_name_plural = _("API令牌")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="api_token_name_unique_per_user",
                violation_error_message=_("已有同名的有效令牌。"),
            )
        ]

    def __str__(self):
        return f"{self.name} ({self.hint}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
