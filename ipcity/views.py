"""Project-wide responses that belong to no app."""

from django.http import HttpResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from core.status import status_stylesheet

_STATUS_CSS = status_stylesheet()


@require_GET
@cache_control(public=True, max_age=3600)
def status_css(request):
    """The status badge colours and the `--status-*` properties the charts read, from core.status."""
    return HttpResponse(_STATUS_CSS, content_type="text/css; charset=utf-8")
