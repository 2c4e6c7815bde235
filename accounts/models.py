"""Who a user is in ipcity: their city, role and department. Access rules live in accounts.access."""

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
    is_demo = models.BooleanField(_("演示账号"), default=False)

    class Meta:
        ordering = ["user__username"]
        verbose_name = _("用户角色")
        verbose_name_plural = _("用户角色")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    def clean(self):
        if self.role in (Role.ADMIN, Role.PROVINCIAL):
            return
        if not self.city_id:
            raise ValidationError({"city": _("该角色必须属于一个城市。")})
        if self.role == Role.DEPARTMENT and not self.department_id:
            raise ValidationError({"department": _("部门用户必须指定所属部门。")})
        if self.department_id and self.department.city_id != self.city_id:
            raise ValidationError({"department": _("部门必须属于用户所在城市。")})
