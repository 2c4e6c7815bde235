from django.contrib import admin

from figures.models import CrossCheck, FigureImport


@admin.register(CrossCheck)
class CrossCheckAdmin(admin.ModelAdmin):
    list_display = ["left_key", "kind", "right_key", "plan", "tolerance_percent"]
    list_filter = ["kind", "plan__city", "plan"]
    search_fields = ["left_key", "right_key", "notes"]


@admin.register(FigureImport)
class FigureImportAdmin(admin.ModelAdmin):
    list_display = [
        "filename",
        "plan",
        "kind",
        "period_end",
        "uploaded_by",
        "uploaded_at",
        "confirmed_at",
        "saved_rows",
    ]
    list_filter = ["plan__city", "kind"]
    exclude = ["content"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
