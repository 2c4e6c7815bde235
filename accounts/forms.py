"""Forms of the users page, the import rows, the audit filter and the token page. They parse input; the
rules (which role, which city, which department) are checked by accounts.services."""

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, city_model, department_model
from accounts.rules import grantable_roles, is_system_admin, managed_city_id

FIELD_OF = {"first_name": "full_name", "profile": None, "user": None}
"""Model fields the services report on, as the form names them."""


class ServiceErrorsMixin:
    """Puts a service's ValidationError on the form's fields (a rule the form itself cannot know)."""

    def add_service_errors(self, error: ValidationError) -> None:
        for field, messages in self._error_items(error):
            self.add_error(field, messages)

    def _error_items(self, error: ValidationError):
        if not hasattr(error, "error_dict"):
            yield None, error.messages
            return
        for field, errors in error.error_dict.items():
            field = FIELD_OF.get(field, field)
            yield (field if field in self.fields else None), [m for e in errors for m in e.messages]

    def error_messages_of(self, error: ValidationError) -> list[str]:
        """'字段：消息' lines, for a report that has no form to show them on (the import command)."""
        lines = []
        for field, messages in self._error_items(error):
            label = self.fields[field].label if field else None
            lines += [f"{label}：{m}" if label else m for m in messages]
        return lines

    def row_errors(self) -> list[str]:
        lines = []
        for field, errors in self.errors.items():
            label = self.fields[field].label if field in self.fields else None
            lines += [f"{label}：{m}" if label else m for m in errors]
        return lines


class UserForm(ServiceErrorsMixin, forms.Form):
    """Creating (with a first password) or editing a user; the choices are what the actor may give."""

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
    role = forms.ChoiceField(label=_("角色"))
    city = forms.ModelChoiceField(label=_("所属城市"), queryset=None, required=False)
    department = forms.ModelChoiceField(label=_("所属部门"), queryset=None, required=False)
    assigned_cities = forms.ModelMultipleChoiceField(
        label=_("可查看城市"),
        queryset=None,
        required=False,
        help_text=_("仅省级查看用户。"),
        widget=forms.CheckboxSelectMultiple,
    )
    manages_users = forms.BooleanField(
        label=_("城市用户管理员"), required=False, help_text=_("可创建、修改和停用本市用户。")
    )
    password1 = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("确认初始密码"), widget=forms.PasswordInput, strip=False)
    new_password = forms.CharField(
        label=_("重置密码"),
        widget=forms.PasswordInput,
        strip=False,
        required=False,
        help_text=_("留空则不修改；重置后用户须在下次登录时修改密码。"),
    )

    def __init__(self, *args, actor, user=None, **kwargs):
        self.actor, self.user = actor, user
        if user is not None:
            profile = getattr(user, "profile", None)
            kwargs.setdefault(
                "initial",
                {
                    "username": user.username,
                    "full_name": user.first_name,
                    "email": user.email,
                    "role": profile.role if profile else Role.ADMIN,
                    "city": profile.city_id if profile else None,
                    "department": profile.department_id if profile else None,
                    "assigned_cities": list(profile.assigned_cities.all()) if profile else [],
                    "manages_users": profile.manages_users if profile else False,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in grantable_roles(actor)]
        City, Department = city_model(), department_model()
        if is_system_admin(actor):
            self.fields["city"].queryset = City.objects.order_by("code")
            self.fields["assigned_cities"].queryset = City.objects.order_by("code")
            self.fields["department"].queryset = Department.objects.select_related("city")
            self.fields["department"].label_from_instance = lambda d: f"{d.city.name} · {d.name}"
        else:
            del self.fields["city"], self.fields["assigned_cities"]
            self.fields["department"].queryset = Department.objects.filter(city_id=managed_city_id(actor))
        if user is None:
            del self.fields["new_password"]
        else:
            self.fields["username"].disabled = True
            del self.fields["password1"], self.fields["password2"]

    def clean(self):
        data = super().clean()
        if "password1" in self.fields and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("两次输入的密码不一致。"))
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        kwargs = {
            "role": data["role"],
            "full_name": data["full_name"],
            "email": data["email"],
            "department": data["department"],
            "manages_users": data["manages_users"],
            "city": data.get("city"),
            "assigned_cities": data.get("assigned_cities") or [],
        }
        if self.user is None:
            kwargs.update(username=data["username"], password=data["password1"])
        else:
            kwargs.update(new_password=data["new_password"])
        return kwargs


YES, NO = ("是", "yes", "y", "1", "true"), ("", "否", "no", "n", "0", "false")


class ImportRowForm(ServiceErrorsMixin, forms.Form):
    """One spreadsheet row: the role by its Chinese name, the department by its name or an alias."""

    COLUMNS = {
        "用户名": "username",
        "姓名": "full_name",
        "角色": "role",
        "部门": "department",
        "邮箱": "email",
        "初始密码": "password",
        "城市用户管理员": "manages_users",
    }

    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    role = forms.CharField(label=_("角色"))
    department = forms.CharField(label=_("部门"), required=False)
    email = forms.EmailField(label=_("邮箱"), required=False)
    password = forms.CharField(label=_("初始密码"), required=False, strip=False)
    manages_users = forms.CharField(label=_("城市用户管理员"), required=False)

    def __init__(self, row: dict, *, city):
        self.city = city
        super().__init__({field: row.get(column, "") for column, field in self.COLUMNS.items()})

    def clean_role(self):
        value = self.cleaned_data["role"].strip()
        for role in Role:
            if value in (role.value, str(role.label), str(role.label).split("（")[0]):
                return role.value
        raise ValidationError(_("未知角色“%(value)s”。"), params={"value": value})

    def clean_department(self):
        name = self.cleaned_data["department"].strip()
        if not name:
            return None
        department = (
            department_model()
            .objects.filter(city=self.city)
            .filter(Q(name=name) | Q(aliases__alias=name))
            .distinct()
            .first()
        )
        if department is None:
            raise ValidationError(_("%(city)s没有部门“%(name)s”。"), params={"city": self.city.name, "name": name})
        return department

    def clean_manages_users(self):
        value = self.cleaned_data["manages_users"].strip().lower()
        if value in YES:
            return True
        if value in NO:
            return False
        raise ValidationError(_("请填写“是”或“否”。"))


class AuditFilterForm(forms.Form):
    """The audit page's filters; a city administrator has no city filter (they read only their own)."""

    kind = forms.ChoiceField(label=_("事件"), required=False)
    username = forms.CharField(label=_("用户名"), required=False)
    city = forms.ModelChoiceField(label=_("城市"), queryset=None, required=False)
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import AuditEvent

        self.fields["kind"].choices = [("", _("全部"))] + list(AuditEvent.Kind.choices)
        if is_system_admin(actor):
            self.fields["city"].queryset = city_model().objects.order_by("code")
        else:
            del self.fields["city"]

    def filter(self, events):
        if not self.is_valid():
            return events.none()
        data = self.cleaned_data
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["username"]:
            name = data["username"].strip()
            events = events.filter(
                Q(username__icontains=name) | Q(actor__username__icontains=name) | Q(target__username__icontains=name)
            )
        if data.get("city"):
            events = events.filter(city=data["city"])
        if data["since"]:
            events = events.filter(created_at__date__gte=data["since"])
        if data["until"]:
            events = events.filter(created_at__date__lte=data["until"])
        return events


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("令牌名称"), max_length=80, help_text=_("例如：统计局数据对接"))
