"""API authentication by the named tokens of /accounts/tokens/: `Authorization: Token ipc_…`."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from accounts.models import ApiToken, api_token_digest


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """Looks the key up by its digest on every request, so a revoked token or a disabled user stops at
    once. Keys without the ipc_ prefix are left to DRF's own tokens (those made in the shell)."""

    def authenticate_credentials(self, key):
        if not key.startswith(ApiToken.PREFIX):
            return None
        token = ApiToken.objects.select_related("user").filter(digest=api_token_digest(key)).first()
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("令牌无效或已撤销。"))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("用户已停用。"))
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token
