from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onboarding.numerals import read_number, read_year

DIGIT_CHARS = "零一二三四五六七八九"


def _below_wan(k: int) -> str:
    out, gap = "", False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        d, k = divmod(k, value)
        if d:
            out += ("零" if gap and out else "") + DIGIT_CHARS[d] + unit
            gap = False
        else:
            gap = True
    return out


def chinese(n: int) -> str:
    """A reference writer of Chinese numerals from 1 to 99,999,999 (二十五 is written 二十五, 305 三百零五)."""
    high, low = divmod(n, 10_000)
    out = _below_wan(high) + "万" if high else ""
    if low:
        out += ("零" if high and low < 1000 else "") + _below_wan(low)
    return out


@pytest.mark.parametrize(
    "text, value",
    [
        ("三", 3),
        ("十", 10),
        ("十二", 12),
        ("二十五", 25),
        ("三百零五", 305),
        ("两千", 2000),
        ("1.5万", 15000),
        ("7.8万", 78000),
        ("十亿", 1_000_000_000),
        ("一亿五千万", 150_000_000),
        ("15.60", Decimal("15.60")),
        ("２００", 200),
        ("二〇二五", 2025),
    ],
)
def test_read_number_table(text, value):
    assert read_number(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "第三", "1.5千克", "三年"])
def test_read_number_refuses_what_is_not_a_number(text):
    assert read_number(text) is None


@given(st.integers(min_value=1, max_value=99_999_999))
def test_chinese_numerals_read_back(n):
    assert read_number(chinese(n)) == n


@given(st.integers(min_value=0, max_value=999_999), st.integers(min_value=0, max_value=99))
def test_arabic_with_wan_is_ten_thousand_times(whole, cents):
    text = f"{whole}.{cents:02d}"
    assert read_number(text + "万") == Decimal(text) * 10_000


@given(st.integers(min_value=1900, max_value=2100))
def test_years_written_digit_by_digit(year):
    written = "".join("〇一二三四五六七八九"[int(d)] for d in str(year))
    assert read_year(written) == year
    assert read_year(str(year)) == year
