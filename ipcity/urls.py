from django.contrib import admin
from django.urls import include, path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.ids import ID_PATTERN
from figures.api.views import IndicatorFigureHistoryView
from indicators.api.progress import IndicatorProgressView, PlanProgressView
from ipcity import views
from ipcity.api import router
from tasks.api.departments import DepartmentOverviewView


class IdConverter:
    """<id:pk>: a record id that can exist (core.ids); a longer number or text is a 404."""

    regex = ID_PATTERN

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

urlpatterns = [
    path("admin/", admin.site.urls),
    path("status.css", views.status_css, name="status-css"),
    path("accounts/", include("accounts.urls")),
    path("api/v1/indicators/<id:pk>/progress/", IndicatorProgressView.as_view(), name="api-indicator-progress"),
    path(
        "api/v1/indicators/<id:pk>/figure-history/",
        IndicatorFigureHistoryView.as_view(),
        name="api-indicator-figure-history",
    ),
    path("api/v1/plans/<id:pk>/progress/", PlanProgressView.as_view(), name="api-plan-progress"),
    path(
        "api/v1/plans/<id:pk>/department-overview/",
        DepartmentOverviewView.as_view(),
        name="api-plan-department-overview",
    ),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("notifications/", include("notifications.urls")),
    path("", include("reports.urls")),
    path("", include("dashboards.urls")),
    path("", include("tasks.urls")),
    path("", include("figures.urls")),
    path("", include("indicators.urls")),
    path("", include("plans.urls")),
    path("", include("onboarding.urls")),
    path("", include("ops.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# A database outage answers the 503 page, any other unexpected error the 500 page (both in Chinese).
handler500 = "ipcity.views.server_error"
handler404 = "ipcity.views.not_found"
