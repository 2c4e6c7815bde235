"""Idle sessions end; a first password is changed before anything else. Both read only the session, so a
page gains no query from them."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

STAMP_EVERY_SECONDS = 60
"""The last-activity stamp is rewritten at most this often, so most requests write no session."""


class IdleSessionMiddleware:
    """Logs a user out after SESSION_IDLE_MINUTES without a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_activity")
            if last is not None and now - last > settings.SESSION_IDLE_MINUTES * 60:
                logout(request)
                messages.info(request, _("长时间未操作，已自动退出，请重新登录。"))
                return redirect(f"{reverse('login')}?next={request.path}")
            if last is None or now - last >= STAMP_EVERY_SECONDS:
                request.session["last_activity"] = now
        return self.get_response(request)


class FirstPasswordMiddleware:
    """Sends a user whose password an administrator chose to the password page until they change it."""

    ALLOWED = ("password_change", "password_change_done", "logout", "login", "set_language")

    def __init__(self, get_response):
        self.get_response = get_response
        self._allowed_paths = None

    def __call__(self, request):
        if request.user.is_authenticated and request.session.get("must_change_password"):
            if self._allowed_paths is None:
                self._allowed_paths = {reverse(name) for name in self.ALLOWED}
            path = request.path
            static = (settings.STATIC_URL, "/" + settings.STATIC_URL)
            if path not in self._allowed_paths and not path.startswith(static):
                messages.warning(request, _("请先修改管理员设置的初始密码。"))
                return redirect("password_change")
        return self.get_response(request)
