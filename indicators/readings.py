"""Reads of a plan's readings (口径与解读): every place the data interprets the document, with what each
alternative would make of the target, for the readings page, the indicator page and the report."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.numbers import quantity
from core.readings import growth_effect
from indicators.models import GROWTH_FORMS, Indicator, MeasureType, Reading, TargetForm


@dataclass(frozen=True)
class OptionView:
    key: str
    label: str
    effect: str
    is_chosen: bool


@dataclass(frozen=True)
class ReadingView:
    reading: Reading
    options: list[OptionView]

    @property
    def chosen(self) -> OptionView:
        return next(o for o in self.options if o.is_chosen)


def option_effect(indicator: Indicator, option: dict) -> str:
    """What the indicator's end target is under this reading: the fixture's words, and for growth
    targets the end target as a multiple of the base-year value (computed, not typed)."""
    changes = option.get("changes") or {}
    parts = [option["effect"]] if option.get("effect") else []
    form = changes.get("target_form", indicator.target_form)
    base_year = changes.get("base_year", indicator.base_year)
    rate = changes.get("target_value", indicator.target_value)
    if form in GROWTH_FORMS and indicator.target_date and rate is not None:
        effect = growth_effect(
            compound=form == TargetForm.COMPOUND_GROWTH,
            rate_percent=float(rate),
            base_year=base_year,
            target_year=indicator.target_date.year,
        )
        if effect:
            parts.append(
                _("期末目标 = %(year)s年值 × %(expr)s ≈ %(factor)s倍")
                % {"year": effect.base_year, "expr": effect.expression, "factor": quantity(effect.factor)}
            )
    if "measure_type" in changes:
        parts.append(_("统计口径：%(m)s") % {"m": MeasureType(changes["measure_type"]).label})
    if "target_form" in changes and form not in GROWTH_FORMS:
        parts.append(_("目标形式：%(f)s") % {"f": TargetForm(form).label})
    if "reporting_lag_days" in changes:
        days = changes["reporting_lag_days"]
        parts.append(
            _("报送期限：期末后%(n)s天") % {"n": days}
            if days is not None
            else _("报送期限：按方案统一期限（期末后%(n)s天）") % {"n": indicator.plan.reporting_lag_days}
        )
    if "unit" in changes:
        parts.append(_("单位：%(u)s") % {"u": changes["unit"] or "—"})
    return "；".join(parts)


def reading_view(reading: Reading) -> ReadingView:
    indicator = reading.indicator
    options = [
        OptionView(o["key"], o.get("label", o["key"]), option_effect(indicator, o), o["key"] == reading.chosen)
        for o in reading.options
    ]
    return ReadingView(reading, options)


def plan_readings(*, plan) -> list[ReadingView]:
    """Every reading of one plan, in indicator order (two queries whatever the plan's size)."""
    readings = (
        Reading.objects.filter(indicator__plan=plan)
        .select_related("indicator__plan", "settled_by")
        .order_by("indicator__order", "code")
    )
    return [reading_view(r) for r in readings]


def indicator_pending_readings(indicator: Indicator) -> list[ReadingView]:
    return [
        reading_view(r)
        for r in indicator.readings.filter(state=Reading.State.PENDING).select_related("indicator__plan")
    ]


def pending_readings_by_indicator(indicator_ids) -> dict[int, list[ReadingView]]:
    """The 待确认 readings of many indicators in one query, for a report that lists them beside each one."""
    found: dict[int, list[ReadingView]] = {}
    readings = (
        Reading.objects.filter(indicator_id__in=list(indicator_ids), state=Reading.State.PENDING)
        .select_related("indicator__plan")
        .order_by("indicator_id", "code")
    )
    for reading in readings:
        found.setdefault(reading.indicator_id, []).append(reading_view(reading))
    return found


def reading_counts(*, plan) -> dict:
    """How many readings a plan has and how many are still 待确认."""
    readings = Reading.objects.filter(indicator__plan=plan)
    return {"total": readings.count(), "pending": readings.filter(state=Reading.State.PENDING).count()}
