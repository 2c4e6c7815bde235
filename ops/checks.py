"""The deployment warnings as system checks, so `manage.py check` and every command that checks show them."""

from django.core.checks import Tags, Warning, register

from ops.deployment import deployment_warnings


@register(Tags.security, deploy=False)
def deployment_check(app_configs, **kwargs):
    return [Warning(message, id=f"ipcity.W{n:03d}") for n, message in enumerate(deployment_warnings(), start=1)]
