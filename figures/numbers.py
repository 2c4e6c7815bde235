"""The one reading of a figure's number and notes, whichever door they came in by.

The entry grid (figures.forms.FigureRowForm), the Excel and history imports (through that form) and the
API (figures.api.serializers) all call `parse_number` and `figure_fields_clean`, so "1,234" means the same
thing, "1,2" is refused the same way and a comment has the same limit everywhere. The grid's paste calls
`parse_number` from the server too. Pure functions over Decimal; no ORM, no request.
"""

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from figures.rules import PERCENT_UNITS
from indicators.models import MeasureType

PLACES = 4
"""Decimal places a figure keeps (the model's decimal_places); more are refused, never rounded away."""
MAX_DIGITS = 20
"""The model's max_digits: with PLACES decimals, at most 16 digits before the point."""
SIGNIFICANT = 15
"""A spreadsheet's binary float is exact to 15 significant digits; beyond that is noise (0.1+0.2)."""
COMMENT_MAX = 2000
SOURCE_MAX = 200
"""The one limit on a figure's comment and source (grid, Excel, history, API; the model's max_length)."""
NUMBER_FIELDS = ("value", "numerator", "denominator")
TEXT_FIELDS = ("comment", "source")

# Full-width forms an IME produces, and the typographic minus. Not NFKC: that would read "10²" as 102
# and "①" as 1.
_WIDE = str.maketrans(
    {
        **{chr(0xFF10 + d): str(d) for d in range(10)},
        "．": ".",
        "，": ",",
        "－": "-",
        "−": "-",
        "＋": "+",
        "％": "%",
        "\u3000": " ",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)
_NUMBER = re.compile(
    r"(?P<sign>[+-])?"
    r"(?P<whole>\d{1,3}(?:(?P<sep>[, ])\d{3})(?:(?P=sep)\d{3})*|\d*)"
    r"(?:\.(?P<fraction>\d+))?"
    r"(?P<percent>\s*%)?",
    re.ASCII,
)
_EXPONENT = re.compile(r"[+-]?[\d.,]*\d[eE][+-]?\d+%?", re.ASCII)
_SCALE_WORDS = re.compile(r"[+-]?[\d.,\s]*\d\s*(?:[十百千万亿]|[kKwWmM](?![a-zA-Z]))")
_GROUPED = re.compile(r"[+-]?[\d, ]*\d,[\d,]*(?:\.\d*)?%?", re.ASCII)


class NumberRefused(ValueError):
    """What was written is not a figure; the message says how to write it."""


class TextRefused(ValueError):
    """A comment or source that cannot be stored as written; the message names the field."""


@dataclass(frozen=True)
class PercentCell:
    """A spreadsheet number cell formatted as a percentage: Excel shows 94.12% and stores 0.9412.

    figures.excel hands such a cell over as this, so the parser (which knows whether the figure is a
    percentage) reads it as 94.12 or refuses it; never a silent factor of 100."""

    stored: object


def parse_number(value, *, percent: bool = False, places: int = PLACES, max_digits: int = MAX_DIGITS):
    """Read a figure as staff write it, or raise NumberRefused saying how to write it.

    Accepted (every result is an exact Decimal, or None for empty):
      - plain decimals: ``1234``, ``-3.5``, ``+2``, ``.5``; spaces around are ignored;
      - full-width digits and signs from a Chinese IME: ``１２３４．５``, ``－３``;
      - thousands separators in groups of three, as a comma (half or full width) or a space:
        ``1,234``, ``1，234，567.25``, ``1 234``;
      - a trailing ``%`` (or ``％``) when ``percent`` is true (the value of a rate or share: ``95%`` is 95);
      - numbers from a spreadsheet cell (int, float, Decimal): a float is first rounded to 15 significant
        digits, which removes binary noise (0.30000000000000004 is 0.3) and nothing a person typed;
      - a cell formatted as a percentage (PercentCell) when ``percent`` is true: 0.9412 stored is 94.12.
    Refused, each with its own message: a decimal comma or bad grouping (``1,2``, ``1,23,456``), an
    exponent (``1e3``), scale words (``12万``, ``3亿``, ``5k``), ``%`` (typed or as the cell's format)
    where the figure is not a percentage, NaN or infinity, more than ``places`` decimals (never rounded
    silently; the same for a number cell once its float noise is gone), more than
    ``max_digits - places`` digits before the point, booleans, dates and anything else.
    """
    if value is None:
        return None
    if isinstance(value, PercentCell):
        stored = _cell_number(value.stored)
        if stored is None:
            return None
        if not percent:
            raise NumberRefused(
                _(
                    "单元格设置成了百分比格式（显示为 %(shown)s%%），但该项不是百分比：请把单元格格式改为“常规”"
                    "或“数值”后只填数字。"
                )
                % {"shown": format((stored * 100).normalize(), "f")}
            )
        number = stored * 100  # exact: the stored fraction has at most 15 significant digits
    elif isinstance(value, str):
        number = _parse_text(value, percent=percent)
        if number is None:
            return None
    else:
        number = _cell_number(value)
    return _within(number, places=places, max_digits=max_digits)


def _cell_number(value) -> Decimal | None:
    """A number as a spreadsheet or JSON holds it, exact; a float rounded to 15 significant digits first."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise NumberRefused(_("请输入数字（不是“是/否”）。"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NumberRefused(_("请输入数字，例如 1234.5。"))
        return Decimal(f"{value:.{SIGNIFICANT}g}")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberRefused(_("请输入数字，例如 1234.5。"))
        return value
    raise NumberRefused(_("请输入数字，例如 1234.5。"))


def _parse_text(text: str, *, percent: bool) -> Decimal | None:
    text = text.translate(_WIDE).strip()
    if not text:
        return None
    match = _NUMBER.fullmatch(text)
    if match is None or not (match["whole"] or match["fraction"]):
        raise NumberRefused(_refusal(text))
    if match["percent"] and not percent:
        raise NumberRefused(_("该项不是百分比，请去掉“%”，只填数字。"))
    whole = (match["whole"] or "0").replace(",", "").replace(" ", "")
    digits = f"{match['sign'] or ''}{whole}" + (f".{match['fraction']}" if match["fraction"] else "")
    return Decimal(digits)


def _refusal(text: str) -> str:
    if _EXPONENT.fullmatch(text):
        return _("请直接写出完整的数字（例如 1000），不要用科学计数法“%(text)s”。") % {"text": text}
    if _SCALE_WORDS.match(text):
        return _(
            "数字中不能带“万”“亿”“千”等单位字样：请按指标单位换算后只填数字（例如“12万”写作 120000；"
            "指标单位本身是“万…”时写作 12）。"
        )
    if _GROUPED.fullmatch(text):
        return _("“%(text)s”不是有效的数字写法：小数点请用“.”（如 1.2），千分位逗号须每三位一组（如 1,200）。") % {
            "text": text
        }
    return _("请输入数字，例如 1234.5 或 1,234.5。")


def _within(number: Decimal, *, places: int, max_digits: int) -> Decimal:
    """More decimals than kept are refused, not rounded; too many whole digits are refused."""
    if number == 0:
        return Decimal(0)
    normal = number.normalize()
    exponent = normal.as_tuple().exponent
    decimals = max(0, -exponent)
    if decimals > places:
        raise NumberRefused(
            _("最多保留%(places)s位小数（“%(text)s”有%(n)s位），请按统计口径取舍后再填写。")
            % {"places": places, "text": format(normal, "f"), "n": decimals}
        )
    whole_digits = normal.adjusted() + 1
    if whole_digits > max_digits - places:
        raise NumberRefused(_("数字过大：整数部分最多%(n)s位。") % {"n": max_digits - places})
    return normal.quantize(Decimal(1).scaleb(-decimals)) if decimals else normal.quantize(Decimal(1))


# --- Comments and sources --------------------------------------------------------------------------------

_KEPT_CONTROLS = frozenset("\n\t")


def clean_text(value, *, label: str, max_length: int, multiline: bool = True) -> str:
    """A comment or source as stored: trimmed, CRLF as LF; control characters and overlong text refused.

    Control characters (Unicode Cc, e.g. \\x07, \\x0b) break the workbooks and the pages that show the text
    and are never typed on purpose, so they are refused with the field's name and the character's code
    rather than silently removed. Newlines and tabs are kept where the field is multi-line.
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        value = str(value)
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    text = text.strip("\n\t \u3000")
    kept = _KEPT_CONTROLS if multiline else frozenset()
    for position, char in enumerate(text, start=1):
        if char in kept:
            continue
        category = unicodedata.category(char)
        if category == "Cc" or category == "Cs" or char in ("\ufffe", "\uffff"):
            raise TextRefused(
                _("“%(label)s”第%(pos)s个字符是不可见的控制字符（U+%(code)04X），请删除后重新填写。")
                % {"label": label, "pos": position, "code": ord(char)}
            )
    if len(text) > max_length:
        raise TextRefused(
            _("“%(label)s”最多%(max)s个字，现有%(n)s个字。") % {"label": label, "max": max_length, "n": len(text)}
        )
    return text


# --- A figure's fields together --------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldLabels:
    value: str
    numerator: str
    denominator: str
    comment: str
    source: str


def field_labels() -> FieldLabels:
    return FieldLabels(_("数值"), _("分子"), _("分母"), _("说明"), _("统计口径/发布来源"))


def figure_fields_clean(raw: Mapping[str, object], *, percent: bool = False) -> tuple[dict, dict[str, list[str]]]:
    """The value, numerator, denominator, comment and source of one figure, each read by the rules above.

    `percent` is whether the value is a percentage (a rate or share entered directly), so a trailing %
    is accepted on it; a numerator and denominator are counts and never take one. Returns the cleaned
    values and the errors by field; a field missing from `raw` is empty.
    """
    labels = field_labels()
    cleaned: dict = {}
    errors: dict[str, list[str]] = {}
    for name in NUMBER_FIELDS:
        try:
            cleaned[name] = parse_number(raw.get(name), percent=percent and name == "value")
        except NumberRefused as refused:
            errors.setdefault(name, []).append(str(refused))
    limits = {"comment": (COMMENT_MAX, True), "source": (SOURCE_MAX, False)}
    for name in TEXT_FIELDS:
        max_length, multiline = limits[name]
        try:
            cleaned[name] = clean_text(
                raw.get(name), label=getattr(labels, name), max_length=max_length, multiline=multiline
            )
        except TextRefused as refused:
            errors.setdefault(name, []).append(str(refused))
    return cleaned, errors


def is_percentage(indicator) -> bool:
    """Whether an indicator's value is entered as a percentage (a rate or share not entered as a ratio)."""
    if indicator is None or indicator.is_ratio:
        return False
    return indicator.measure_type == MeasureType.RATE or indicator.unit in PERCENT_UNITS
