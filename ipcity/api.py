"""The /api/v1/ router: each app contributes its viewsets under the same slugs as its pages."""

from rest_framework.routers import DefaultRouter

from indicators.api.views import IndicatorViewSet
from plans.api.views import CityViewSet, DepartmentViewSet, PlanViewSet
from tasks.api.views import TaskViewSet

router = DefaultRouter()
router.register("cities", CityViewSet, basename="city")
router.register("plans", PlanViewSet, basename="plan")
router.register("departments", DepartmentViewSet, basename="department")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("tasks", TaskViewSet, basename="task")
