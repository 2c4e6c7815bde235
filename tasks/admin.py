from django.contrib import admin

from tasks.models import Instruction, SupervisionItem, SupervisionStep, Task, TaskAssignment, TaskUpdate


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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Updates and supervision steps are records: browsed here, written only through the services."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TaskUpdate)
class TaskUpdateAdmin(ReadOnlyAdmin):
    list_display = ["task", "department", "quarter_end", "state", "is_consolidated", "author", "created_at"]
    list_filter = ["task__plan__city", "state", "is_consolidated", "quarter_end"]
    search_fields = ["task__title", "department__name", "text"]
    list_select_related = ["task", "department", "author"]


class SupervisionStepInline(admin.TabularInline):
    model = SupervisionStep
    extra = 0
    fields = ["action", "actor", "note", "explanation", "measures", "measures_due", "due_date", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SupervisionItem)
class SupervisionItemAdmin(ReadOnlyAdmin):
    list_display = [
        "__str__",
        "plan",
        "department",
        "status",
        "acknowledge_due",
        "due_date",
        "escalated_at",
        "closed_at",
    ]
    list_filter = ["plan__city", "reason", "status"]
    search_fields = ["department__name", "task__title", "indicator__name"]
    list_select_related = ["plan", "department", "task", "indicator"]
    inlines = [SupervisionStepInline]


@admin.register(Instruction)
class InstructionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "department", "author", "created_at", "answered_at"]
    list_filter = ["plan__city"]
    search_fields = ["text", "answer", "department__name"]
    list_select_related = ["department", "author", "item", "indicator", "task"]
