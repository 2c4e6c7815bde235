"""API fields every app's serializers share: a quarter and a date read the one way (core.periods)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.periods import FIRST_YEAR, LAST_YEAR, QUARTER_SCHEMA_PATTERN, Quarter, year_out_of_range

DATE_SCHEMA_PATTERN = r"^20\d{2}-\d{2}-\d{2}$"


class StringOnly:
    """A text field that takes a JSON string only: DRF's CharField would store the number 0 as "0"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(StringOnly, serializers.CharField):
    pass


class SlugTextField(StringOnly, serializers.SlugField):
    pass


@extend_schema_field({"type": "string", "pattern": QUARTER_SCHEMA_PATTERN, "example": "2025Q3"})
class QuarterField(StringOnly, serializers.CharField):
    """A quarter written 2025Q3, of a year from core.periods.FIRST_YEAR to LAST_YEAR."""

    def to_internal_value(self, data):
        try:
            return Quarter.parse(super().to_internal_value(data))
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from None


@extend_schema_field({"type": "string", "format": "date", "pattern": DATE_SCHEMA_PATTERN})
class PlanDateField(serializers.DateField):
    """A date YYYY-MM-DD in the years a plan may run (core.periods): 9999-12-31 is refused, not clamped."""

    def to_internal_value(self, value):
        day = super().to_internal_value(value)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise serializers.ValidationError(year_out_of_range(day.year))
        return day
