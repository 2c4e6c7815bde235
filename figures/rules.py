"""What a quarterly figure must satisfy, as pure functions (no ORM, no request).

The entry grid, the Excel import and the API all reach these rules through figures.services, so a
number is judged the same way whichever door it came in by. Messages are the ones shown next to the
field, so they are written for the bureau staff who typed the number.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from indicators.models import Indicator, MeasureType

PLACES = Decimal("0.0001")
SIGNED_UNITS = frozenset({"百分点"})
"""Units whose figures may be negative (a change in percentage points); every count, amount and share
unit forbids negatives."""
PERCENT_UNITS = frozenset({"%", "％"})
JUMP_FACTOR = Decimal(3)
"""A figure more than this multiple of the previous one is a warning that needs a comment."""
UNIT_SCALES = {"万": Decimal(10_000), "亿": Decimal(100_000_000)}
DEFAULT_TOLERANCE_PERCENT = Decimal(2)

PERIOD = Indicator.EntryMode.PERIOD
YEAR_TO_DATE = Indicator.EntryMode.YEAR_TO_DATE


def plain(number: Decimal | None) -> str:
    """A decimal as people write it: no exponent, no trailing zeros."""
    if number is None:
        return ""
    text = format(number.quantize(PLACES, rounding=ROUND_HALF_UP).normalize(), "f")
    return "0" if text in ("-0", "") else text


def quantized(number: Decimal) -> Decimal:
    return number.quantize(PLACES, rounding=ROUND_HALF_UP)


def unit_scale(unit: str) -> Decimal:
    """万件 counts ten thousand 件: cross-indicator comparisons happen in base units."""
    return UNIT_SCALES.get(unit[:1], Decimal(1)) if len(unit) > 1 else Decimal(1)


# --- One row ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowSpec:
    """What the rules need to know about an indicator."""

    measure_type: str
    unit: str
    is_ratio: bool = False
    entry_mode: str = PERIOD
    yearly: bool = False

    @property
    def is_percentage(self) -> bool:
        return self.measure_type == MeasureType.RATE or self.unit in PERCENT_UNITS

    @property
    def accumulates(self) -> bool:
        """Flows and annual amounts add up over a year, so they have a year-to-date form."""
        return self.measure_type in (MeasureType.FLOW, MeasureType.ANNUAL) and not self.is_ratio

    @property
    def takes_year_to_date(self) -> bool:
        return self.accumulates and self.entry_mode == YEAR_TO_DATE and not self.yearly


@dataclass(frozen=True)
class RowInput:
    """The numbers and notes a person entered for one indicator and period; None means left empty."""

    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    comment: str = ""
    source: str = ""
    is_provisional: bool = False

    @property
    def is_empty(self) -> bool:
        return self.value is None and self.numerator is None and self.denominator is None


@dataclass(frozen=True)
class RowContext:
    """The figures around the one being checked.

    previous: the previous period's stored value (a period amount for flows), for the warnings.
    earlier_in_year: the sum of this year's earlier period amounts, or None when one of them is missing.
    """

    previous: Decimal | None = None
    earlier_in_year: Decimal | None = Decimal(0)


@dataclass
class RowCheck:
    """The verdict on one row and the numbers to store: `value` is always the period amount (or rate)."""

    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    warnings: list[str] = field(default_factory=list)
    value: Decimal | None = None
    entered_value: Decimal | None = None
    entry_form: str = ""
    year_to_date: Decimal | None = None

    @property
    def ok(self) -> bool:
        return not self.errors


def check_row(spec: RowSpec, entry: RowInput, context: RowContext, *, submitting: bool = False) -> RowCheck:
    """Judge one row: errors by field, warnings (accepted only with a comment), derived numbers."""
    check = RowCheck()
    if entry.is_empty:
        return check
    if spec.is_ratio:
        _check_ratio(spec, entry, check)
    else:
        _check_value(spec, entry, context, check)
    if check.ok and check.value is not None and not spec.is_ratio:
        check.warnings = _warnings(spec, check.value, context.previous)
        if check.warnings and not entry.comment.strip():
            check.errors["comment"].append(
                _("%(warnings)s：请在说明中注明原因。") % {"warnings": "；".join(check.warnings)}
            )
    if submitting and not entry.source.strip():
        check.errors["source"].append(_("提交前请填写统计口径/发布来源。"))
    check.errors = dict(check.errors)
    return check


def _negative_refused(spec: RowSpec, number: Decimal) -> bool:
    return number < 0 and spec.unit not in SIGNED_UNITS


def _check_ratio(spec: RowSpec, entry: RowInput, check: RowCheck) -> None:
    """A rate the document defines as a ratio is entered as numerator and denominator, never as a %."""
    numerator, denominator = entry.numerator, entry.denominator
    if entry.value is not None and numerator is None and denominator is None:
        check.errors["numerator"].append(_("该指标按分子、分母填报，比率由系统计算。"))
        return
    if numerator is None:
        check.errors["numerator"].append(_("请填写分子。"))
    elif numerator < 0:
        check.errors["numerator"].append(_("分子不能为负数。"))
    if denominator is None:
        check.errors["denominator"].append(_("请填写分母。"))
    elif denominator <= 0:
        check.errors["denominator"].append(_("分母必须大于0。"))
    if check.errors:
        return
    if numerator > denominator:
        check.errors["numerator"].append(_("分子不能大于分母（比率不能超过100%）。"))
        return
    check.value = quantized(numerator / denominator * 100)


def _check_value(spec: RowSpec, entry: RowInput, context: RowContext, check: RowCheck) -> None:
    if entry.numerator is not None or entry.denominator is not None:
        check.errors["numerator"].append(_("该指标直接填报数值，不按分子、分母填报。"))
    value = entry.value
    if value is None:
        check.errors["value"].append(_("请填写数值。"))
        return
    if _negative_refused(spec, value):
        check.errors["value"].append(_("单位为“%(unit)s”的指标不能为负数。") % {"unit": spec.unit})
        return
    if spec.is_percentage and not Decimal(0) <= value <= Decimal(100):
        check.errors["value"].append(_("比率应在0–100之间。"))
        return
    check.entered_value = value
    if not spec.accumulates:
        check.value = value
        check.entry_form = PERIOD
        return
    earlier = context.earlier_in_year
    if spec.takes_year_to_date:
        check.entry_form = YEAR_TO_DATE
        check.year_to_date = value
        if earlier is None:
            check.errors["value"].append(_("本年此前季度缺少数据，无法由1–N月累计数推算当期数。"))
            return
        if value < earlier:
            check.errors["value"].append(
                _("1–N月累计数不能小于此前季度的累计数（%(earlier)s）。") % {"earlier": plain(earlier)}
            )
            return
        check.value = value - earlier
    else:
        check.entry_form = PERIOD
        check.value = value
        check.year_to_date = None if earlier is None or spec.yearly else earlier + value


def _warnings(spec: RowSpec, value: Decimal, previous: Decimal | None) -> list[str]:
    """A stock that falls or a figure that jumps: plausible, but a person must say why."""
    if previous is None:
        return []
    warnings = []
    if spec.measure_type == MeasureType.STOCK and value < previous:
        warnings.append(_("累计数较上期（%(previous)s）下降") % {"previous": plain(previous)})
    if spec.measure_type != MeasureType.RATE and previous > 0 and value > previous * JUMP_FACTOR:
        warnings.append(_("数值超过上期（%(previous)s）的3倍") % {"previous": plain(previous)})
    return warnings


def year_to_date_rate(pairs: list[tuple[Decimal, Decimal]]) -> Decimal | None:
    """A rate over several periods: summed numerators over summed denominators, never averaged %."""
    denominator = sum((d for _n, d in pairs), Decimal(0))
    if not pairs or denominator <= 0:
        return None
    return quantized(sum((n for n, _d in pairs), Decimal(0)) / denominator * 100)


# --- Rules across indicators ------------------------------------------------------------------------------

NOT_GREATER = "not_greater"
PER_POPULATION = "per_population"


@dataclass(frozen=True)
class CrossRule:
    """left ≤ right, or left (per 10,000 people) ≈ right ÷ population (in 万人), by catalogue key."""

    kind: str
    left_key: str
    right_key: str
    tolerance_percent: Decimal = DEFAULT_TOLERANCE_PERCENT


@dataclass(frozen=True)
class Measured:
    """One indicator's figure for the period being submitted."""

    name: str
    value: Decimal
    unit: str

    def __str__(self) -> str:
        return f"{plain(self.value)}{self.unit}"


@dataclass(frozen=True)
class CrossIssue:
    """A message about the left indicator; blocking ones refuse the submission."""

    left_key: str
    right_key: str
    message: str
    blocking: bool = True


def check_cross(
    rules: list[CrossRule],
    values: dict[str, Measured],
    *,
    year: int,
    population: Decimal | None = None,
    population_year: int | None = None,
) -> list[CrossIssue]:
    """Check a period's figures against the plan's cross-indicator rules; rules missing a side are skipped."""
    issues = []
    for rule in rules:
        left, right = values.get(rule.left_key), values.get(rule.right_key)
        if left is None or right is None:
            continue
        if rule.kind == NOT_GREATER:
            if left.value * unit_scale(left.unit) > right.value * unit_scale(right.unit):
                message = _("“%(left)s”（%(lv)s）不应大于“%(right)s”（%(rv)s）。") % {
                    "left": left.name,
                    "lv": left,
                    "right": right.name,
                    "rv": right,
                }
                issues.append(CrossIssue(rule.left_key, rule.right_key, message))
        elif rule.kind == PER_POPULATION:
            issues.extend(_per_population(rule, left, right, year, population, population_year))
    return issues


def _per_population(
    rule: CrossRule, left: Measured, right: Measured, year: int, population: Decimal | None, population_year: int | None
) -> list[CrossIssue]:
    if population is None:
        message = _("尚未录入%(year)s年常住人口，未核对“%(left)s”与“%(right)s”是否一致。") % {
            "year": year,
            "left": left.name,
            "right": right.name,
        }
        return [CrossIssue(rule.left_key, rule.right_key, message, blocking=False)]
    expected = right.value * unit_scale(right.unit) / population / unit_scale(left.unit)
    tolerance = max(abs(expected) * rule.tolerance_percent / 100, Decimal("0.01"))
    if abs(left.value - expected) <= tolerance:
        return []
    return [
        CrossIssue(
            rule.left_key,
            rule.right_key,
            _(
                "“%(left)s”（%(lv)s）与“%(right)s”（%(rv)s）及%(year)s年常住人口（%(pop)s万人）不一致：按人口计算应约为%(expected)s。"
            )
            % {
                "left": left.name,
                "lv": left,
                "right": right.name,
                "rv": right,
                "year": population_year,
                "pop": plain(population),
                "expected": plain(expected.quantize(Decimal("0.01"))),
            },
        )
    ]


# --- Plausibility hints for the reviewer ------------------------------------------------------------------

OUTLIER_MIN_HISTORY = 4
"""Fewer approved periods than this say too little about an indicator's normal range to flag anything."""
OUTLIER_Z = 3.0


def outlier_hint(value: Decimal | None, history: list[Decimal]) -> str:
    """Why a submitted value looks unusual against the indicator's own approved history, or "".

    The two checks DHIS2 gives data reviewers: outside the history's min–max range by more than that range,
    and a z-score beyond 3. A hint for the reviewer, never a refusal: a real jump does happen.
    """
    if value is None or len(history) < OUTLIER_MIN_HISTORY:
        return ""
    values = [float(v) for v in history]
    low, high, current = min(values), max(values), float(value)
    spread = high - low
    mean = sum(values) / len(values)
    deviation = (sum((v - mean) ** 2 for v in values) / (len(values) - 1)) ** 0.5
    if deviation and abs(current - mean) / deviation > OUTLIER_Z:
        return _("与本指标历史数据相比异常（偏离均值%(z)s个标准差）") % {"z": f"{abs(current - mean) / deviation:.1f}"}
    # With no scatter at all (the same value every period), half that value stands in for the range.
    margin = spread or abs(high) / 2
    if margin and (current > high + margin or current < low - margin):
        return _("超出本指标历史数据范围（%(low)s–%(high)s）较多") % {
            "low": plain(Decimal(str(low))),
            "high": plain(Decimal(str(high))),
        }
    return ""
