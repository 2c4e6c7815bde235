import datetime as dt

import pytest

from indicators.periods import Quarter, quarters_between


@pytest.mark.parametrize(
    ("text", "quarter"), [("2025Q3", Quarter(2025, 3)), ("2025q1", Quarter(2025, 1)), (" 2024 Q4 ", Quarter(2024, 4))]
)
def test_parse(text, quarter):
    assert Quarter.parse(text) == quarter


@pytest.mark.parametrize("text", ["2025Q5", "2025-09-30", "", "Q3"])
def test_parse_refuses_with_a_chinese_message(text):
    with pytest.raises(ValueError, match="季度格式"):
        Quarter.parse(text)


def test_quarter_arithmetic():
    q = Quarter(2025, 1)
    assert q.start == dt.date(2025, 1, 1) and q.end == dt.date(2025, 3, 31)
    assert q.previous == Quarter(2024, 4) and Quarter(2024, 4).next == q
    assert Quarter(2025, 3).earlier_in_year == [Quarter(2025, 1), Quarter(2025, 2)]
    assert str(q) == "2025Q1" and q.label == "2025年第1季度"


def test_last_closed():
    assert Quarter.last_closed(dt.date(2025, 9, 30)) == Quarter(2025, 3)
    assert Quarter.last_closed(dt.date(2025, 10, 1)) == Quarter(2025, 3)
    assert Quarter.last_closed(dt.date(2025, 9, 29)) == Quarter(2025, 2)


def test_quarters_between_covers_partial_quarters():
    assert quarters_between(dt.date(2022, 7, 15), dt.date(2023, 1, 10)) == [
        Quarter(2022, 3),
        Quarter(2022, 4),
        Quarter(2023, 1),
    ]
