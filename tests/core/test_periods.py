import datetime as dt

import pytest

from core.periods import Quarter, closed_quarters, quarters_between, reporting_deadline


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


def test_a_quarter_is_closed_from_the_day_after_it_ends():
    # Guards the one meaning of "closed": on 31 March no page offers Q1 yet, on 1 April every one does.
    assert not Quarter(2025, 1).is_closed(dt.date(2025, 3, 31))
    assert Quarter(2025, 1).is_closed(dt.date(2025, 4, 1))
    assert Quarter.last_closed(dt.date(2025, 3, 31)) == Quarter(2024, 4)
    assert Quarter.last_closed(dt.date(2025, 4, 1)) == Quarter(2025, 1)
    assert Quarter.last_closed(dt.date(2025, 9, 29)) == Quarter(2025, 2)


def test_a_judgement_as_of_a_quarter_end_counts_that_quarter():
    assert Quarter.latest_ended_by(dt.date(2025, 9, 30)) == Quarter(2025, 3)
    assert Quarter.latest_ended_by(dt.date(2025, 10, 1)) == Quarter(2025, 3)
    assert Quarter.latest_ended_by(dt.date(2025, 9, 29)) == Quarter(2025, 2)


def test_closed_quarters_newest_first_within_the_span():
    span = (dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    assert closed_quarters(*span, today=dt.date(2024, 9, 30)) == []
    assert closed_quarters(*span, today=dt.date(2025, 1, 1)) == [Quarter(2024, 4), Quarter(2024, 3)]
    assert closed_quarters(*span, today=dt.date(2030, 1, 1))[0] == Quarter(2025, 2)


@pytest.mark.parametrize(
    "quarter, end",
    [
        (Quarter(2025, 1), dt.date(2025, 3, 31)),
        (Quarter(2025, 2), dt.date(2025, 6, 30)),
        (Quarter(2025, 3), dt.date(2025, 9, 30)),
        (Quarter(2025, 4), dt.date(2025, 12, 31)),
    ],
)
def test_a_stored_period_end_names_its_quarter(quarter, end):
    assert Quarter.ending_on(end) == quarter


def test_a_day_that_is_not_a_quarter_end_is_refused():
    with pytest.raises(ValueError, match="季度最后一天"):
        Quarter.ending_on(dt.date(2025, 6, 29))


def test_deadline_is_quarter_end_plus_the_plans_lag():
    assert Quarter(2025, 2).reporting_deadline(15) == dt.date(2025, 7, 15)
    assert Quarter(2025, 4).reporting_deadline(20) == dt.date(2026, 1, 20)
    assert reporting_deadline(dt.date(2024, 12, 31), 20) == dt.date(2025, 1, 20)


def test_quarters_between_covers_partial_quarters():
    assert quarters_between(dt.date(2022, 7, 15), dt.date(2023, 1, 10)) == [
        Quarter(2022, 3),
        Quarter(2022, 4),
        Quarter(2023, 1),
    ]
