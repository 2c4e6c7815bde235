from django.contrib import admin

from reports.models import ExportJob


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    """Jobs are written only by reports.services; here they are browsed (who exported what, and when)."""

    list_display = ["__str__", "requested_by", "plan", "status", "progress", "created_at", "expires_at"]
    list_filter = ["kind", "status"]
    search_fields = ["requested_by__username", "plan__code", "filename"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
