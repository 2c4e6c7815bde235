from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from ipcity.api import router

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("notifications/", include("notifications.urls")),
    path("", include("tasks.urls")),
    path("", include("plans.urls")),
]
