"""One way a number reads, in reasons, on pages and in the charts' text."""

import pytest

from core.numbers import quantity, quantity_or_missing, share, share_or_missing


@pytest.mark.parametrize(
    ("value", "text"), [(1200.0, "1200"), (17.18, "17.18"), (0.5, "0.5"), (94.1176, "94.12"), (-0.001, "0")]
)
def test_quantities_have_at_most_two_decimals_and_no_trailing_zeros(value, text):
    assert quantity(value) == text


def test_shares_read_as_percentages_with_one_decimal():
    assert share(0.419) == "41.9%" and share(1) == "100.0%"


def test_missing_values_read_as_a_dash_with_no_unit():
    assert quantity_or_missing(None, "家") == "—" and share_or_missing(None) == "—"
    assert quantity_or_missing(3, "家") == "3家"
