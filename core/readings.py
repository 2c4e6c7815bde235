"""What a reading of a document does to a target: the end target each base year gives, so a bureau
deciding between two readings sees the difference (Shenyang's 年均增幅20%: 1.2⁴ from 2019, 1.2³ from 2020)."""

from dataclasses import dataclass

from core.numbers import quantity

SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class GrowthEffect:
    """The end target as a multiple of the base-year value."""

    base_year: int
    years: int
    expression: str  # "1.2⁴"
    factor: float  # 2.0736


def growth_effect(*, compound: bool, rate_percent: float, base_year: int, target_year: int) -> GrowthEffect | None:
    """年均增长 r% compounds once per year from the base year's end to the target year's; 较…增长 r% is once."""
    if base_year is None or target_year is None or rate_percent is None:
        return None
    years = target_year - base_year if compound else 1
    if years <= 0:
        return None
    ratio = quantity(1 + rate_percent / 100)
    expression = ratio + str(years).translate(SUPERSCRIPTS) if compound and years > 1 else ratio
    return GrowthEffect(base_year, years, expression, (1 + rate_percent / 100) ** years)
