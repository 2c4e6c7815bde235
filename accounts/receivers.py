"""Django's and django-axes' login signals, written to the audit log (the only hook those events offer)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import services


@receiver(user_logged_in, dispatch_uid="accounts-audit-login")
def _logged_in(sender, request, user, **kwargs):
    services.login_record(user=user, request=request)


@receiver(user_logged_out, dispatch_uid="accounts-audit-logout")
def _logged_out(sender, request, user, **kwargs):
    services.logout_record(user=user, request=request)


@receiver(user_login_failed, dispatch_uid="accounts-audit-login-failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    services.login_failure_record(username=credentials.get("username", ""), request=request)


@receiver(user_locked_out, dispatch_uid="accounts-audit-locked-out")
def _locked_out(sender, request, username, ip_address, **kwargs):
    services.login_failure_record(username=username or "", request=request, locked_out=True)
