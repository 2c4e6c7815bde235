from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from indicators.models import Indicator, InterimTarget
from plans.api.fields import SlugTextField


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^[-a-zA-Z0-9_]+$",
        "maxLength": 80,
        "description": "The catalogue key joining comparable indicators of different cities; empty when none.",
    }
)
class CatalogueKeyField(SlugTextField):
    """A catalogue key (letters, digits, - and _), or empty: an indicator without one, an export of all."""

    def __init__(self, **kwargs):
        super().__init__(allow_blank=True, max_length=80, **kwargs)


class InterimTargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = InterimTarget
        fields = ["date", "value", "source_quote", "notes"]


class IndicatorSerializer(serializers.ModelSerializer):
    plan = serializers.SlugRelatedField(slug_field="code", read_only=True)
    city = serializers.CharField(source="plan.city.code", read_only=True)
    lead_department = serializers.CharField(source="lead_department.name", read_only=True)
    target_group = serializers.CharField(source="target_group.code", read_only=True, default=None, allow_null=True)
    interim_targets = InterimTargetSerializer(many=True, read_only=True)
    catalogue_key = CatalogueKeyField(read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "code",
            "plan",
            "city",
            "order",
            "category",
            "name",
            "name_en",
            "unit",
            "measure_type",
            "target_form",
            "target_value",
            "target_date",
            "base_value",
            "base_year",
            "base_source",
            "direction",
            "frequency",
            "entry_mode",
            "is_ratio",
            "numerator_label",
            "denominator_label",
            "lead_department",
            "lead_department_defaulted",
            "catalogue_key",
            "target_group",
            "interim_targets",
            "source_quote",
            "notes",
        ]
