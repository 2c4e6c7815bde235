"""Project-wide responses that belong to no app."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from core.status import status_stylesheet

_STATUS_CSS = status_stylesheet()


@require_GET
@cache_control(public=True, max_age=3600)
def status_css(request):
    """The status badge colours and the `--status-*` properties the charts read, from core.status."""
    return HttpResponse(_STATUS_CSS, content_type="text/css; charset=utf-8")


DATABASE_DOWN = (OperationalError, InterfaceError)


def server_error(request):
    """handler500: a database that cannot be reached answers 503 (a passing state: try again shortly),
    anything else 500; both in the user's language, rendered without the database (no context
    processors: they would query it), JSON under /api/."""
    error = sys.exc_info()[1]
    down = isinstance(error, DATABASE_DOWN)
    status = 503 if down else 500
    if request.path.startswith("/api/"):
        detail = _("数据库暂时无法连接，请稍后重试。") if down else _("服务器内部错误，已记录，请稍后重试。")
        response = JsonResponse({"detail": detail}, status=status)
    else:
        response = HttpResponse(render_to_string(f"{status}.html"), status=status)
    if down:
        response["Retry-After"] = "30"
    return response


def not_found(request, exception):
    """handler404: under /api/ the API's own JSON body (a path no route matches, such as an id that cannot
    exist), the 404 page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    return defaults.page_not_found(request, exception)
