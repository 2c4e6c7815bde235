from django.urls import path

from dashboards.views import home

urlpatterns = [
    path("", home, name="home"),  # the dashboards: the overview or the user's city
]
