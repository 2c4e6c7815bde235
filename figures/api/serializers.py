from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.periods import Quarter
from figures import numbers
from figures.rules import RowInput
from indicators.models import QuarterlyFigure


class FigureSerializer(serializers.ModelSerializer):
    """A figure as read: its values, where it comes from, and who did what to it."""

    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    plan = serializers.CharField(source="indicator.plan.code", read_only=True)
    city = serializers.CharField(source="indicator.plan.city.code", read_only=True)
    quarter = serializers.SerializerMethodField()
    rate = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)
    created_by = serializers.StringRelatedField()
    updated_by = serializers.StringRelatedField()
    submitted_by = serializers.StringRelatedField()
    reviewed_by = serializers.StringRelatedField()
    revision = serializers.CharField(read_only=True)
    entry_form = serializers.CharField(read_only=True, help_text="How `entered_value` was entered: period or ytd.")

    class Meta:
        model = QuarterlyFigure
        fields = [
            "id",
            "indicator",
            "indicator_code",
            "plan",
            "city",
            "quarter",
            "period_end",
            "version",
            "status",
            "value",
            "entered_value",
            "entry_form",
            "numerator",
            "denominator",
            "rate",
            "is_provisional",
            "source",
            "comment",
            "correction_reason",
            "return_reason",
            "is_late",
            "created_by",
            "updated_by",
            "updated_at",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "revision",
        ]
        read_only_fields = fields

    def get_quarter(self, figure) -> str:
        return str(Quarter.of(figure.period_end))


@extend_schema_field(
    {
        "oneOf": [{"type": "number"}, {"type": "string", "example": "1,234.5"}],
        "nullable": True,
        "description": "A number, or text as staff write it: full-width digits, thousands separators in groups "
        "of three, a trailing % on a percentage's value. At most 4 decimals (more are refused, not rounded); "
        "'1,2', '1e3' and '12万' are refused with a message saying how to write them.",
    }
)
class FigureNumberField(serializers.Field):
    """A figure's number as sent; read by figures.numbers.parse_number in row_input(), where the indicator
    (and so whether a trailing % is accepted) is known."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_null=True, default=None, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, str | int | float):
            raise serializers.ValidationError(_("请输入数字，例如 1234.5。"))
        return data

    def to_representation(self, value):
        return value


class FigureInputSerializer(serializers.Serializer):
    """What a client sends to create or update a draft; read as the grid and the Excel import read it
    (figures.numbers), judged by the services (figures.services)."""

    value = FigureNumberField()
    numerator = FigureNumberField()
    denominator = FigureNumberField()
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=numbers.COMMENT_MAX
    )
    source = serializers.CharField(
        required=False, allow_blank=True, default="", trim_whitespace=False, max_length=numbers.SOURCE_MAX
    )
    is_provisional = serializers.BooleanField(required=False, default=False)

    def row_input(self, *, indicator) -> RowInput:
        """The figure's fields read the one way (figures.numbers); a 400 naming each field that fails."""
        data = self.validated_data
        raw = {name: data.get(name) for name in (*numbers.NUMBER_FIELDS, *numbers.TEXT_FIELDS)}
        cleaned, errors = numbers.figure_fields_clean(raw, percent=numbers.is_percentage(indicator))
        if errors:
            raise serializers.ValidationError(errors)
        return RowInput(
            value=cleaned["value"],
            numerator=cleaned["numerator"],
            denominator=cleaned["denominator"],
            comment=cleaned["comment"],
            source=cleaned["source"],
            is_provisional=data["is_provisional"],
        )


class FigureCreateSerializer(FigureInputSerializer):
    indicator = serializers.IntegerField()
    quarter = serializers.CharField(help_text="2025Q3")

    def validate_quarter(self, value):
        try:
            return Quarter.parse(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


class FigureUpdateSerializer(FigureInputSerializer):
    revision = serializers.CharField(help_text="The figure's revision as last read; a stale one is refused (409).")


class CorrectionSerializer(FigureInputSerializer):
    correction_reason = serializers.CharField(allow_blank=True)


class ReturnSerializer(serializers.Serializer):
    return_reason = serializers.CharField(allow_blank=True)


class QuarterSubmitSerializer(serializers.Serializer):
    plan = serializers.SlugField()
    quarter = serializers.CharField(help_text="2025Q3")
    revision = serializers.CharField(required=False, help_text="The quarter's revision as last read (optional).")


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class HistoryEntrySerializer(serializers.Serializer):
    figure_id = serializers.IntegerField()
    quarter = serializers.SerializerMethodField()
    version = serializers.IntegerField()
    when = serializers.DateTimeField()
    who = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    changes = ChangeSerializer(many=True)

    def get_quarter(self, entry) -> str:
        return str(Quarter.of(entry.period_end)) if entry.period_end else ""
