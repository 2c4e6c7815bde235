from django.core.validators import ProhibitNullCharactersValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.ids import ID_MAX
from core.periods import Quarter
from figures import numbers
from figures.rules import RowInput
from indicators.models import QuarterlyFigure
from plans.api.fields import QuarterField, SlugTextField, TextField


class FigureSerializer(serializers.ModelSerializer):
    """A figure as read: its values, where it comes from, and who did what to it."""

    indicator_code = serializers.CharField(source="indicator.code", read_only=True)
    plan = serializers.CharField(source="indicator.plan.code", read_only=True)
    city = serializers.CharField(source="indicator.plan.city.code", read_only=True)
    quarter = serializers.SerializerMethodField()
    rate = serializers.DecimalField(max_digits=20, decimal_places=4, read_only=True)
    created_by = serializers.StringRelatedField(allow_null=True)
    updated_by = serializers.StringRelatedField(allow_null=True)
    submitted_by = serializers.StringRelatedField(allow_null=True)
    reviewed_by = serializers.StringRelatedField(allow_null=True)
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


class FigureTextField(TextField):
    """A figure's comment or source: figures.numbers.clean_text judges every character, a NUL included, so
    the refusal reads as the grid's (DRF's own NUL check would answer first with another message)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)]


class FigureInputSerializer(serializers.Serializer):
    """What a client sends to create or update a draft; read as the grid and the Excel import read it
    (figures.numbers), judged by the services (figures.services)."""

    value = FigureNumberField()
    numerator = FigureNumberField()
    denominator = FigureNumberField()
    # Judged by figures.numbers.clean_text as the grid and the Excel import judge them (trimmed, at most
    # COMMENT_MAX / SOURCE_MAX characters, no control characters), with the same messages.
    comment = FigureTextField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=f"At most {numbers.COMMENT_MAX} characters once trimmed; line breaks kept; no control characters.",
    )
    source = FigureTextField(
        required=False,
        allow_blank=True,
        default="",
        trim_whitespace=False,
        help_text=f"At most {numbers.SOURCE_MAX} characters once trimmed, one line; no control characters.",
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
    indicator = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    quarter = QuarterField(help_text="2025Q3")


class FigureUpdateSerializer(FigureInputSerializer):
    revision = TextField(help_text="The figure's revision as last read; a stale one is refused (409).")


class CorrectionSerializer(FigureInputSerializer):
    correction_reason = TextField(error_messages={"blank": gettext_lazy("更正时必须填写原因。")})


class ReturnSerializer(serializers.Serializer):
    return_reason = TextField(error_messages={"blank": gettext_lazy("退回时必须填写原因。")})


class QuarterSubmitSerializer(serializers.Serializer):
    plan = SlugTextField()
    quarter = QuarterField(help_text="2025Q3")
    revision = TextField(required=False, help_text="The quarter's revision as last read (optional).")


class QuarterSubmittedSerializer(serializers.Serializer):
    """The answer of submit-quarter: the rules' notices and every figure now submitted."""

    notices = serializers.ListField(child=serializers.CharField())
    figures = FigureSerializer(many=True)


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
