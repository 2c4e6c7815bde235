"""A plan with one indicator of each entry shape, on top of the standing users (tests/conftest.py)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest

from core.periods import Quarter
from indicators.models import Indicator, MeasureType, TargetForm
from tests.factories import IndicatorFactory

Q2, Q3 = Quarter(2025, 2), Quarter(2025, 3)
"""Closed quarters inside the factories' plan period (2024–2026)."""


@pytest.fixture
def quarter_world(standing):
    """Own-city plan with a stock, a year-to-date flow, a ratio rate and a percentage share."""
    plan = standing.plan
    stock = IndicatorFactory(
        plan=plan, code="A1", order=1, name="有效发明专利拥有量", catalogue_key="valid_invention_patents"
    )
    flow = IndicatorFactory(
        plan=plan,
        code="A2",
        order=2,
        name="技术合同成交额",
        unit="亿元",
        measure_type=MeasureType.FLOW,
        entry_mode=Indicator.EntryMode.YEAR_TO_DATE,
    )
    ratio = IndicatorFactory(
        plan=plan,
        code="A3",
        order=3,
        name="执法案件结案率",
        unit="%",
        measure_type=MeasureType.RATE,
        target_form=TargetForm.THRESHOLD,
        target_value=Decimal("90"),
        base_value=None,
        base_year=None,
        is_ratio=True,
        numerator_label="结案数",
        denominator_label="立案数",
    )
    share = IndicatorFactory(
        plan=plan,
        code="A4",
        order=4,
        name="专利密集型产业增加值占GDP比重",
        unit="%",
        target_value=Decimal("17"),
        base_value=Decimal("12"),
    )
    return SimpleNamespace(**vars(standing), stock=stock, flow=flow, ratio=ratio, share=share)
