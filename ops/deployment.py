"""What an administrator must know about how this deployment is set up.

One list of warnings, shown three ways so nobody misses it: in the log when `serve` starts, as a system
check (`manage.py check`), and at the top of every page an administrator opens.
"""

from django.conf import settings
from django.utils.translation import gettext as _


def deployment_warnings() -> list[str]:
    """Plain HTTP and console e-mail are fine for a trial; in production each deserves a visible warning."""
    if not settings.PRODUCTION:
        return []
    warnings = []
    if not settings.HTTPS:
        warnings.append(_("本系统通过明文 HTTP 访问（SITE_URL 以 http:// 开头）：密码与会话可被同一网络内的人截获。"))
    if settings.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend":
        warnings.append(_("邮件未配置（未设置 EMAIL_HOST）：通知邮件只写入日志，不会发出。"))
    return warnings
