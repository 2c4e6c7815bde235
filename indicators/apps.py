from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IndicatorsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "indicators"
    verbose_name = _("指标与数据")

    def ready(self):
        from django.utils.translation import gettext

        from core import i18n

        i18n.translate = gettext  # the core's labels in the reader's language; the core stays Django-free
