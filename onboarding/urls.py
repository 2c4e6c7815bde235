from django.urls import path

from onboarding import views

urlpatterns = [
    path("onboarding/new/", views.plan_new, name="onboarding-new"),
    path("onboarding/confirm/", views.plan_confirm, name="onboarding-confirm"),
]
