from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from figures.api.views import IndicatorFigureHistoryView
from indicators.api.progress import IndicatorProgressView, PlanProgressView
from ipcity import views
from ipcity.api import router

urlpatterns = [
    path("admin/", admin.site.urls),
    path("status.css", views.status_css, name="status-css"),
    path("accounts/", include("accounts.urls")),
    path("api/v1/indicators/<int:pk>/progress/", IndicatorProgressView.as_view(), name="api-indicator-progress"),
    path(
        "api/v1/indicators/<int:pk>/figure-history/",
        IndicatorFigureHistoryView.as_view(),
        name="api-indicator-figure-history",
    ),
    path("api/v1/plans/<int:pk>/progress/", PlanProgressView.as_view(), name="api-plan-progress"),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
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
