import sqlite3

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.utils.translation import gettext_lazy as _


def sqlite_query_params(sender, connection, **kwargs):
    """Tell Django how many parameters this SQLite really takes (32,766 since SQLite 3.32, not the 999 it
    assumes), so an import's bulk inserts of a thousand figures and their history are one query each
    rather than one per 35 rows."""
    if connection.vendor == "sqlite":
        connection.features.max_query_params = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)


class FiguresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "figures"
    verbose_name = _("数据填报")

    def ready(self):
        connection_created.connect(sqlite_query_params, dispatch_uid="figures-sqlite-query-params")
