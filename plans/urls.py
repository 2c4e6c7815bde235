from django.urls import include, path

from dashboards.views import home
from plans import views

urlpatterns = [
    path("", home, name="home"),  # the dashboards: the overview or the user's city
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/<slug:code>/", views.plan, name="plan"),
    path("i18n/", include("django.conf.urls.i18n")),
]
