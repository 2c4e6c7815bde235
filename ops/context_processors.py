from indicators.models import QuarterlyFigure


def demo_banner(request):
    """Every page says 演示数据 while the demo figures are loaded, so nobody mistakes them for real ones."""
    return {"demo_data_loaded": QuarterlyFigure.objects.filter(is_demo=True).exists()}
