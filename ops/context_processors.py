from indicators.models import QuarterlyFigure
from ops.deployment import deployment_warnings


def demo_banner(request):
    """Every page says 演示数据 while the demo figures are loaded, so nobody mistakes them for real ones."""
    return {"demo_data_loaded": QuarterlyFigure.objects.filter(is_demo=True).exists()}


def deployment_banner(request):
    """Administrators see how the deployment is exposed (plain HTTP, no e-mail) on every page they open."""
    user = getattr(request, "user", None)
    return {"deployment_warnings": deployment_warnings() if user is not None and user.is_superuser else []}
