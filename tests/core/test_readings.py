"""The end target each base-year reading gives (table-driven)."""

import pytest

from core.readings import growth_effect


@pytest.mark.parametrize(
    "compound, rate, base, target, expression, factor",
    [
        (True, 20, 2019, 2023, "1.2⁴", 2.0736),
        (True, 20, 2020, 2023, "1.2³", 1.728),
        (True, 8, 2023, 2026, "1.08³", 1.259712),
        (True, 40, 2022, 2023, "1.4", 1.4),
        (False, 20, 2021, 2025, "1.2", 1.2),
    ],
)
def test_end_target_multiple_under_each_base_year(compound, rate, base, target, expression, factor):
    effect = growth_effect(compound=compound, rate_percent=rate, base_year=base, target_year=target)
    assert effect.expression == expression
    assert effect.factor == pytest.approx(factor)


def test_no_effect_without_a_base_year_or_when_the_base_is_not_before_the_target():
    assert growth_effect(compound=True, rate_percent=8, base_year=None, target_year=2026) is None
    assert growth_effect(compound=True, rate_percent=8, base_year=2026, target_year=2026) is None
