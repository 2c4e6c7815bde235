"""The API's one error contract: every refusal is JSON with a status that says what kind it is.

403 not allowed, 400 invalid (messages by field; non-field ones under `non_field_errors`), 409 changed
meanwhile, 404 not there for this user, 503 while the database cannot be reached, and any unexpected error
a logged JSON 500 instead of a page.
"""

import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler

from core.errors import Conflict, Forbidden, Invalid

logger = logging.getLogger(__name__)


def field_messages(error, field_names: dict[str, str] | None = None) -> dict[str, list[str]]:
    """A service's messages by API field name (a view may rename its service's fields)."""
    field_names = field_names or {}
    if isinstance(error, Invalid):
        by_field = error.fields
    elif hasattr(error, "error_dict"):
        by_field = error.message_dict
    else:
        by_field = {"": list(error.messages)}
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    return {
        (field_names.get(name, name) if name not in ("", "__all__") else non_field): [str(m) for m in messages]
        for name, messages in by_field.items()
    }


def api_exception_handler(exc, context):
    view = context.get("view")
    if isinstance(exc, Forbidden | DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Invalid | DjangoValidationError):
        exc = exceptions.ValidationError(field_messages(exc, getattr(view, "api_field_names", None)))
    elif isinstance(exc, Conflict):
        return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
    elif isinstance(exc, OperationalError | InterfaceError):
        logger.error("database unavailable in %s: %s", view.__class__.__name__ if view else "the API", exc)
        response = Response(
            {"detail": _("数据库暂时无法连接，请稍后重试。")}, status=status.HTTP_503_SERVICE_UNAVAILABLE
        )
        response["Retry-After"] = "30"
        return response
    response = exception_handler(exc, context)
    if response is None:
        logger.exception("unexpected error in %s", view.__class__.__name__ if view else "the API", exc_info=exc)
        return Response(
            {"detail": _("服务器内部错误，已记录，请稍后重试。")}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
        )
    return response
