"""The /api/v1/ router: each app contributes its viewsets under the same slugs as its pages."""

from rest_framework.routers import DefaultRouter

from core.ids import ID_PATTERN
from figures.api.views import FigureViewSet
from indicators.api.views import IndicatorViewSet
from notifications.api.views import NotificationViewSet
from plans.api.views import CityViewSet, DepartmentViewSet, PlanViewSet
from reports.api.views import ExportJobViewSet
from tasks.api.views import (
    InstructionViewSet,
    SupervisionItemViewSet,
    TaskMatrixViewSet,
    TaskUpdateViewSet,
    TaskViewSet,
)


class Router(DefaultRouter):
    """Every {id} in a path is an id that can exist (core.ids): anything else is a 404, never an overflow."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._default_value_pattern = ID_PATTERN


router = Router()
router.register("cities", CityViewSet, basename="city")
router.register("plans", PlanViewSet, basename="plan")
router.register("departments", DepartmentViewSet, basename="department")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("figures", FigureViewSet, basename="figure")
router.register("tasks", TaskViewSet, basename="task")
router.register("task-updates", TaskUpdateViewSet, basename="task-update")
router.register("task-matrix", TaskMatrixViewSet, basename="task-matrix")
router.register("supervision-items", SupervisionItemViewSet, basename="supervision-item")
router.register("instructions", InstructionViewSet, basename="instruction")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("report-jobs", ExportJobViewSet, basename="report-job")
