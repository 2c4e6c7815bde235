"""What a spreadsheet cell may be given: user text is always text, never a live formula.

A comment, source or explanation beginning with "=", "+", "-" or "@" (or a tab or carriage return) is run
by Excel as a formula when it is written as one: `=HYPERLINK("http://…"&B5, …)` leaks the sheet, and a
supervision note starting with "-" swallows the next column into an expression. OWASP's advice for CSV and
Excel injection is to neutralise such cells. In an .xlsx the exact neutral form exists: the cell is stored
as a string (never a formula) and carries Excel's quote prefix (the style Excel itself gives text typed
after an apostrophe), so the text shows exactly as typed, re-editing it in Excel keeps it text, and a
re-uploaded template reads back the same comment. Characters XML 1.0 cannot hold (most C0 controls), which
openpyxl refuses with an exception, are shown as U+FFFD instead of failing the whole workbook.

Every workbook writer (figures.excel, reports.workbooks) puts strings through `put`.
"""

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_PREFIXES)


def storable(text: str) -> str:
    """The text with the characters an .xlsx cannot store replaced by U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text)


def put(cell, value):
    """Give an openpyxl cell a value; a string is stored as text whatever it starts with. Returns the cell."""
    if isinstance(value, str):
        text = storable(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl would otherwise make "=…" a formula
        if looks_like_formula(text):
            cell.quotePrefix = True
    else:
        cell.value = value
    return cell
