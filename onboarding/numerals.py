"""Reading the numbers a plan document writes: Arabic (1.5, 15.60), Chinese (三, 二十五, 十亿), mixed (1.5万)
and years written digit by digit (二〇二五年). Pure functions: no Django."""

import re
from decimal import Decimal, InvalidOperation

DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10_000, "亿": 100_000_000}
FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")

CHINESE_CHARS = "".join(DIGITS) + "".join(SMALL_UNITS) + "".join(BIG_UNITS)
NUMBER_PATTERN = rf"(?:\d+(?:\.\d+)?|[０-９]+(?:．[０-９]+)?|[{CHINESE_CHARS}]+)"
"""A number as it may be written: the multiplier 万/亿 after an Arabic number is read by read_number too."""


def _small(text: str) -> int:
    """A Chinese numeral below 10,000 (三, 十二, 二十五, 三百零五, 两千)."""
    total, digit = 0, None
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            total += (1 if digit is None else digit) * SMALL_UNITS[ch]
            digit = None
        else:
            raise ValueError(ch)
    return total + (digit or 0)


def read_number(text: str) -> Decimal | None:
    """The value of a written number, or None when it is not one. 1.5万 = 15000, 三 = 3, 十亿 = 1000000000,
    二〇二五 = 2025 (digit by digit when no unit character is present)."""
    text = text.strip().translate(FULLWIDTH)
    if not text:
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([万亿]*)", text)
    if match:
        try:
            value = Decimal(match.group(1))
        except InvalidOperation:
            return None
        for ch in match.group(2):
            value *= BIG_UNITS[ch]
        return value
    if any(ch not in CHINESE_CHARS for ch in text):
        return None
    if not any(ch in SMALL_UNITS or ch in BIG_UNITS for ch in text):
        # 二〇二五: a year or a code read digit by digit
        return Decimal("".join(str(DIGITS[ch]) for ch in text))
    total, section = Decimal(0), text
    for unit in ("亿", "万"):
        if unit in section:
            head, section = section.split(unit, 1)
            try:
                total += (_small(head) if head else 1) * BIG_UNITS[unit]
            except (ValueError, KeyError):
                return None
            # 一亿五万: the sections are added; a 万 inside the 亿 section is handled by the split order
    try:
        total += _small(section) if section else 0
    except ValueError:
        return None
    return total


def read_year(text: str) -> int | None:
    """A year written in digits or in Chinese numerals (2025, 二〇二五, 二零二五); None otherwise."""
    value = read_number(text)
    if value is None or value != value.to_integral_value() or not 1900 <= value <= 2100:
        return None
    return int(value)


def plain(value: Decimal | None):
    """A Decimal as the smallest exact JSON number: 15.60 → 15.6, 200 → 200."""
    if value is None:
        return None
    value = value.normalize()
    return int(value) if value == value.to_integral_value() else float(value)
