from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ops"
    verbose_name = _("运维与演示")

    def ready(self):
        from ops import checks  # noqa: F401  (registers the deployment checks)
