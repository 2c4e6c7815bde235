from django.urls import path, register_converter

from figures import views


class QuarterConverter:
    """'2025Q3' in a URL; whether the quarter belongs to the plan is the view's (404) business."""

    regex = r"\d{4}Q[1-4]"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return str(value)


register_converter(QuarterConverter, "quarter")

urlpatterns = [
    path("figures/", views.figure_index, name="figure_index"),
    path("indicators/<int:pk>/correct/", views.figure_correct, name="figure_correct"),
    path("figures/imports/<int:pk>/", views.import_preview, name="figure_import_preview"),
    path("plans/<slug:code>/figures/history/template/", views.history_template, name="figure_history_template"),
    path("plans/<slug:code>/figures/history/import/", views.history_import, name="figure_history_import"),
    path("plans/<slug:code>/figures/<quarter:quarter>/", views.figure_grid, name="figure_grid"),
    path("plans/<slug:code>/figures/<quarter:quarter>/review/", views.figure_review, name="figure_review"),
    path(
        "plans/<slug:code>/figures/<quarter:quarter>/template/", views.quarter_template, name="figure_quarter_template"
    ),
    path("plans/<slug:code>/figures/<quarter:quarter>/import/", views.quarter_import, name="figure_quarter_import"),
    path("indicators/<int:pk>/figures/", views.indicator_figures, name="indicator_figures"),
    path("indicators/<int:pk>/base/", views.indicator_base, name="indicator_base"),
    path("base-entries/<int:pk>/decide/", views.base_entry_decide, name="base_entry_decide"),
    path("indicators/<int:pk>/definition/", views.indicator_definition, name="indicator_definition"),
]
