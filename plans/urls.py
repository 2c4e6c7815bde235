from django.urls import include, path

from plans import views

urlpatterns = [
    path("", views.home, name="home"),
    path("plans/<slug:code>/", views.plan, name="plan"),
    path("i18n/", include("django.conf.urls.i18n")),
]
