from rest_framework import serializers

from plans.models import City, Department, LeadingGroupMember, Phase, Plan, Population


class PopulationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Population
        fields = ["year", "value", "source"]


class CitySerializer(serializers.ModelSerializer):
    populations = PopulationSerializer(many=True, read_only=True)

    class Meta:
        model = City
        fields = ["id", "code", "name", "name_en", "province", "populations"]


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["order", "name", "start", "end", "description", "source_quote"]


class LeadingGroupMemberSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeadingGroupMember
        fields = ["order", "role", "name", "post", "department"]


class PlanSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    phases = PhaseSerializer(many=True, read_only=True)
    leading_group = LeadingGroupMemberSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "city",
            "title",
            "document_number",
            "issuer",
            "issue_date",
            "period_start",
            "period_end",
            "reporting_lag_days",
            "at_risk_band",
            "lagging_band",
            "is_archived",
            "notes",
            "phases",
            "leading_group",
        ]


class DepartmentSerializer(serializers.ModelSerializer):
    city = serializers.SlugRelatedField(slug_field="code", read_only=True)
    aliases = serializers.SlugRelatedField(slug_field="alias", many=True, read_only=True)

    class Meta:
        model = Department
        fields = ["id", "city", "name", "name_en", "kind", "is_programme_owner", "aliases"]
