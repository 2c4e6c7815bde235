from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from indicators.models import Indicator
from plans.api.fields import QuarterField, TextField
from tasks.models import Instruction, SupervisionItem, SupervisionStep, Task, TaskAssignment, TaskUpdate
from tasks.selectors import visible_tasks


class TaskAssignmentSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", read_only=True)
    department_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = TaskAssignment
        fields = ["department_id", "department", "role"]


class TaskSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    city = serializers.CharField(source="plan.city.code", read_only=True)
    assignments = TaskAssignmentSerializer(many=True, read_only=True)
    indicators = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "plan",
            "city",
            "section",
            "number",
            "order",
            "title",
            "text",
            "due_date",
            "notes",
            "assignments",
            "indicators",
        ]


class TaskUpdateSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.name", read_only=True)
    quarter = serializers.SerializerMethodField()
    author = serializers.CharField(source="author.username", read_only=True)
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = TaskUpdate
        fields = [
            "id",
            "task",
            "department_id",
            "department",
            "quarter",
            "is_consolidated",
            "state",
            "text",
            "evidence_name",
            "evidence_url",
            "author",
            "created_at",
        ]
        read_only_fields = fields

    def get_quarter(self, update) -> str:
        return str(update.quarter)

    def get_evidence_url(self, update) -> str | None:
        return reverse("task-update-evidence", args=[update.pk]) if update.evidence else None


@extend_schema_field(OpenApiTypes.INT)
class VisibleTaskField(serializers.PrimaryKeyRelatedField):
    """A task id among the tasks the user may see (others answer "does not exist")."""

    def get_queryset(self):
        return visible_tasks(user=self.context["request"].user).select_related("plan").prefetch_related("assignments")


class TaskUpdateCreateSerializer(serializers.Serializer):
    """Input of POST /api/v1/task-updates/ (multipart when it carries an evidence file)."""

    task = VisibleTaskField()
    quarter = QuarterField(help_text="2025Q2")
    state = serializers.ChoiceField(choices=TaskUpdate.State.choices)
    text = TextField()
    evidence = serializers.FileField(required=False)


class IndicatorStatusSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    status = serializers.SerializerMethodField()

    def get_status(self, indicator) -> str | None:
        progress = getattr(indicator, "progress", None)
        return progress.status if progress else None


class DepartmentTaskRowSerializer(serializers.Serializer):
    """A row of 我的任务 (GET /api/v1/tasks/mine/), the same data as the page."""

    task = TaskSerializer()
    role = serializers.CharField()
    indicators = IndicatorStatusSerializer(source="task.indicators.all", many=True)
    quarter = serializers.CharField()
    deadline = serializers.DateField()
    report_status = serializers.CharField(source="report.status")
    last_update = TaskUpdateSerializer(allow_null=True)


class MatrixCellSerializer(serializers.Serializer):
    department_id = serializers.IntegerField()
    role = serializers.CharField()
    status = serializers.CharField()
    state = serializers.CharField(source="latest.state", default=None, allow_null=True)
    update_id = serializers.IntegerField(source="latest.pk", default=None, allow_null=True)


class MatrixRowSerializer(serializers.Serializer):
    task_id = serializers.IntegerField(source="task.pk")
    section = serializers.CharField(source="task.section")
    number = serializers.CharField(source="task.number")
    title = serializers.CharField(source="task.title")
    is_blocked = serializers.BooleanField()
    cells = serializers.SerializerMethodField()

    @extend_schema_field(MatrixCellSerializer(many=True))
    def get_cells(self, row):
        return MatrixCellSerializer([cell for cell in row.cells if cell is not None], many=True).data


class MatrixDepartmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="department.pk")
    name = serializers.CharField(source="department.name")
    counts = serializers.DictField(child=serializers.IntegerField())


@extend_schema_serializer(many=False)
class TaskMatrixSerializer(serializers.Serializer):
    """GET /api/v1/task-matrix/: the bureau matrix the page shows, for the same parameters."""

    plan = serializers.CharField(source="plan.code")
    quarter = serializers.CharField()
    deadline = serializers.DateField()
    departments = MatrixDepartmentSerializer(source="tallies", many=True)

    rows = MatrixRowSerializer(many=True)


class SupervisionStepSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", default=None, read_only=True, allow_null=True)

    class Meta:
        model = SupervisionStep
        fields = ["action", "actor", "note", "explanation", "measures", "measures_due", "due_date", "created_at"]


class InstructionSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="plan.city.code", read_only=True)
    author = serializers.CharField(source="author.username", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    answered_by = serializers.CharField(source="answered_by.username", default=None, read_only=True, allow_null=True)
    is_answered = serializers.BooleanField(read_only=True)

    class Meta:
        model = Instruction
        fields = [
            "id",
            "city",
            "item",
            "indicator",
            "task",
            "department_id",
            "department",
            "author",
            "text",
            "created_at",
            "is_answered",
            "answer",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = fields


class SupervisionItemSerializer(serializers.ModelSerializer):
    city = serializers.CharField(source="plan.city.code", read_only=True)
    plan = serializers.CharField(source="plan.code", read_only=True)
    department = serializers.CharField(source="department.name", read_only=True)
    indicator_code = serializers.CharField(source="indicator.code", default=None, read_only=True, allow_null=True)
    quarter = serializers.SerializerMethodField()
    current_due = serializers.DateField(read_only=True, allow_null=True)
    light = serializers.CharField(read_only=True, allow_null=True, help_text="green / yellow / red; null when closed")
    overdue = serializers.BooleanField(read_only=True)
    unanswered_instructions = serializers.IntegerField(read_only=True)
    steps = SupervisionStepSerializer(many=True, read_only=True)
    instructions = InstructionSerializer(many=True, read_only=True)

    class Meta:
        model = SupervisionItem
        fields = [
            "id",
            "city",
            "plan",
            "department_id",
            "department",
            "reason",
            "indicator",
            "indicator_code",
            "task",
            "quarter",
            "status",
            "acknowledge_due",
            "due_date",
            "measures_due",
            "current_due",
            "light",
            "overdue",
            "escalated_at",
            "created_at",
            "closed_at",
            "closed_early",
            "close_note",
            "unanswered_instructions",
            "steps",
            "instructions",
        ]

    def get_quarter(self, item) -> str | None:
        return str(item.quarter) if item.quarter else None


@extend_schema_field(OpenApiTypes.INT)
class VisibleIndicatorField(serializers.PrimaryKeyRelatedField):
    """An indicator id among those the user may see."""

    def get_queryset(self):
        return Indicator.objects.visible_to(self.context["request"].user).select_related("plan", "lead_department")


class SubjectSerializer(serializers.Serializer):
    indicator = VisibleIndicatorField(required=False, allow_null=True, default=None)
    task = VisibleTaskField(required=False, allow_null=True, default=None)


class SupervisionIssueSerializer(SubjectSerializer):
    """Input of POST /api/v1/supervision-items/ (下发 by hand): one of indicator or task."""

    note = TextField(allow_blank=True, default="")
    due_date = serializers.DateField(allow_null=True, default=None)


class InstructionCreateSerializer(SubjectSerializer):
    """Input of POST /api/v1/instructions/: one of item, indicator or task."""

    item = serializers.IntegerField(required=False, allow_null=True, default=None)
    text = TextField(allow_blank=True, default="")


class InstructionAnswerSerializer(serializers.Serializer):
    answer = TextField(allow_blank=True, default="")


class InstructionTextSerializer(serializers.Serializer):
    text = TextField(allow_blank=True, default="")


class SupervisionAnswerSerializer(serializers.Serializer):
    explanation = TextField()
    measures = TextField()
    measures_due = serializers.DateField()


class SupervisionReturnSerializer(serializers.Serializer):
    note = TextField()
    due_date = serializers.DateField()


class SupervisionNoteSerializer(serializers.Serializer):
    note = TextField(required=False, allow_blank=True, default="")


class SupervisionEmptySerializer(serializers.Serializer):
    """签收 takes no input."""
