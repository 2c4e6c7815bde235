from django.contrib import admin

from tasks.models import Task, TaskAssignment


class AssignmentInline(admin.TabularInline):
    model = TaskAssignment
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "due_date"]
    list_filter = ["plan__city", "plan", "assignments__department"]
    search_fields = ["title", "text", "section", "number"]
    filter_horizontal = ["indicators"]
    inlines = [AssignmentInline]
