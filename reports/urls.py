from django.urls import path

from reports import views

app_name = "reports"

# The same slug as the API under /api/v1/ (report-jobs).
urlpatterns = [
    path("reports/", views.index, name="index"),
    path("report-jobs/", views.job_create, name="job_create"),
    path("report-jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("report-jobs/<int:pk>/restart/", views.job_restart, name="job_restart"),
    path("report-jobs/<int:pk>/download/", views.job_download, name="job_download"),
]
