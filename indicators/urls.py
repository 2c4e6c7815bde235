from django.urls import path

from indicators import views

urlpatterns = [
    path("plans/<slug:code>/readings/", views.plan_readings, name="plan_readings"),
    path("plans/<slug:code>/readings/<int:pk>/settle/", views.reading_settle_view, name="reading_settle"),
    path("plans/<slug:code>/readings/leads/<int:pk>/", views.answering_lead_view, name="answering_lead"),
]
