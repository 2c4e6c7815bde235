"""Pages answer a service's refusal as Django answers PermissionDenied: the 403 page, never a 500."""

from django.core.exceptions import PermissionDenied
from django.views.defaults import permission_denied

from core.errors import Forbidden


class DomainErrorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, Forbidden):
            return permission_denied(request, PermissionDenied(str(exception)))
        return None
