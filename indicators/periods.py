"""Reporting periods: calendar quarters named like "2025Q3", and the year-end period of yearly indicators.

Figures are stored by period end date; URLs, templates and Excel sheets name the quarter. This module is
the one translation between the two.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

QUARTER_PATTERN = re.compile(r"^\s*(\d{4})\s*[Qq季]\s*([1-4])\s*$")
QUARTER_END_MONTH_DAY = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """'2025Q3' (also '2025q3', '2025 Q3'); raises ValueError with a Chinese message otherwise."""
        match = QUARTER_PATTERN.match(str(text))
        if not match:
            raise ValueError(_("季度格式应为“2025Q3”，而不是“%(text)s”。") % {"text": text})
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> "Quarter":
        """The quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def last_closed(cls, today: dt.date) -> "Quarter":
        """The latest quarter whose end is on or before today."""
        current = cls.of(today)
        return current if current.end == today else current.previous

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return _("%(year)s年第%(n)s季度") % {"year": self.year, "n": self.number}

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.number * 3 - 2, 1)

    @property
    def end(self) -> dt.date:
        month, day = QUARTER_END_MONTH_DAY[self.number]
        return dt.date(self.year, month, day)

    @property
    def previous(self) -> "Quarter":
        return Quarter(self.year - 1, 4) if self.number == 1 else Quarter(self.year, self.number - 1)

    @property
    def next(self) -> "Quarter":
        return Quarter(self.year + 1, 1) if self.number == 4 else Quarter(self.year, self.number + 1)

    @property
    def earlier_in_year(self) -> list["Quarter"]:
        """The quarters of the same year before this one (for year-to-date totals)."""
        return [Quarter(self.year, n) for n in range(1, self.number)]


def quarters_between(start: dt.date, end: dt.date) -> list[Quarter]:
    """Every quarter that overlaps [start, end], in order."""
    quarter, last, result = Quarter.of(start), Quarter.of(end), []
    while quarter <= last:
        result.append(quarter)
        quarter = quarter.next
    return result
