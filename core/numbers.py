"""How a number reads on a page, in a reason and in a report: the one formatter for quantities and shares.

Entry fields show a stored decimal exactly (figures.rules.plain); everything a person reads goes through here.
"""

from core.i18n import _, translated

MISSING = "—"

# The units the plans use, marked for the catalogue: an English page reads "18 items", not "18件".
UNITS = (_("件"), _("万件"), _("家"), _("个"), _("项"), _("人"), _("次"), _("单"), _("亿元"), _("平方米"))


def quantity(value: float) -> str:
    """At most two decimals, no trailing zeros: 1200, 17.18, 0.5."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def share(fraction: float) -> str:
    """A share of 1 as a percentage with one decimal: 0.419 → 41.9%."""
    return f"{fraction * 100:.1f}%"


def unit_words(unit: str) -> str:
    """A unit as it follows a number in the reader's language ("%" and no unit stay as they are)."""
    return translated(unit) if unit and unit != "%" else unit


def quantity_or_missing(value: float | None, unit: str = "") -> str:
    return MISSING if value is None else quantity(value) + unit_words(unit)


def share_or_missing(fraction: float | None) -> str:
    return MISSING if fraction is None else share(fraction)
