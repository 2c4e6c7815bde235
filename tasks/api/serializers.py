from rest_framework import serializers

from tasks.models import Task, TaskAssignment


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
        fields = ["id", "plan", "city", "section", "number", "order", "title", "text", "due_date", "notes",
                  "assignments", "indicators"]
