from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("用户角色")

    def ready(self):
        from accounts import receivers, schema  # noqa: F401  (audit log on the login signals; schema extension)
