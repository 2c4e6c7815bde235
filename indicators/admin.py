from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from indicators.models import Indicator, IndicatorProgress, InterimTarget, LagFlag, QuarterlyFigure, TargetGroup


class InterimTargetInline(admin.TabularInline):
    model = InterimTarget
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "plan", "category", "unit", "measure_type", "target_form", "target_value",
                    "lead_department"]
    list_filter = ["plan__city", "plan", "category", "measure_type", "target_form", "lead_department"]
    search_fields = ["code", "name", "name_en", "catalogue_key", "source_quote"]
    list_select_related = ["plan", "lead_department"]
    autocomplete_fields = ["lead_department"]
    inlines = [InterimTargetInline]


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "plan", "target_value", "unit"]
    list_filter = ["plan__city", "plan"]
    search_fields = ["code", "name"]


@admin.register(QuarterlyFigure)
class QuarterlyFigureAdmin(SimpleHistoryAdmin):
    list_display = ["indicator", "period_end", "version", "status", "value", "is_provisional", "is_demo"]
    list_filter = ["indicator__plan__city", "indicator__plan", "status", "is_provisional", "is_demo"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]
    raw_id_fields = ["indicator"]


@admin.register(IndicatorProgress)
class IndicatorProgressAdmin(admin.ModelAdmin):
    list_display = ["indicator", "status", "progress", "expected", "data_date", "computed_at"]
    list_filter = ["indicator__plan__city", "status"]
    search_fields = ["indicator__code", "indicator__name"]
    list_select_related = ["indicator"]


@admin.register(LagFlag)
class LagFlagAdmin(admin.ModelAdmin):
    list_display = ["indicator", "status", "raised_on", "cleared_on"]
    list_filter = ["indicator__plan__city", "status"]
    list_select_related = ["indicator"]
