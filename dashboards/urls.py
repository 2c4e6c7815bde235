from django.urls import path

from dashboards import views

app_name = "dashboards"

# Every page takes ?as_of=2025Q2 (any closed quarter); without it, today from the stored results.
urlpatterns = [
    path("cities/", views.overview, name="overview"),
    path("cities/<slug:code>/", views.city, name="city"),
    path("indicators/<int:pk>/", views.indicator, name="indicator"),
    path("compare/", views.compare, name="compare"),
    path("departments/", views.departments_home, name="departments_home"),
    path("departments/<slug:plan_code>/", views.departments_page, name="departments"),
    path("departments/<slug:plan_code>/rule/", views.departments_rule, name="departments_rule"),
]
