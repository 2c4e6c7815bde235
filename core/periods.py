"""Reporting periods: calendar quarters named like "2025Q3", the year-end period of yearly indicators, and
when a period is closed for work.

The one place to read what a quarter is. Figures are stored by period end date; URLs, templates and Excel
sheets name the quarter; this module is the one translation between the two.

"Closed" has one meaning for every page, job and export: a quarter is closed from the day after it ends
(on 31 March, Q1 is still open; on 1 April it is closed). The progress engine judges "as of" a date and
counts a period that ends on that date itself: that is `latest_ended_by`, not closing.
"""

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass

from core.i18n import _, translated

QUARTER_PATTERN = re.compile(r"^\s*(\d{4})\s*[Qq季]\s*([1-4])\s*$")
# The years a quarter or an "as of" date may name: every plan runs this century, and a bound keeps date
# arithmetic (a quarter's end, the quarter after it) away from the calendar's own limits (year 1, 9999).
FIRST_YEAR, LAST_YEAR = 2000, 2099
# QUARTER_PATTERN narrowed to those years, for the API schema (the parser says which bound was missed).
QUARTER_SCHEMA_PATTERN = r"^\s*20\d{2}\s*[Qq季]\s*[1-4]\s*$"
QUARTERLY, YEARLY = "quarterly", "yearly"


def year_out_of_range(year: int) -> str:
    """The refusal of a quarter or date outside FIRST_YEAR..LAST_YEAR."""
    return translated(_("年份应在 %(first)s 至 %(last)s 之间，而不是 %(year)s。")) % {
        "first": FIRST_YEAR,
        "last": LAST_YEAR,
        "year": year,
    }


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def parse(cls, text: str) -> "Quarter":
        """'2025Q3' (also '2025q3', '2025 Q3'); raises ValueError with a Chinese message otherwise."""
        match = QUARTER_PATTERN.match(str(text))
        if not match:
            raise ValueError(translated(_("季度格式应为“2025Q3”，而不是“%(text)s”。")) % {"text": text})
        year = int(match.group(1))
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(year_out_of_range(year))
        return cls(year, int(match.group(2)))

    @classmethod
    def of(cls, day: dt.date) -> "Quarter":
        """The quarter a date falls in."""
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def ending_on(cls, day: dt.date) -> "Quarter":
        """The quarter a stored period end names; anything but a quarter's last day is refused."""
        quarter = cls.of(day)
        if quarter.end != day:
            raise ValueError(translated(_("报告期末必须是季度最后一天。")))
        return quarter

    @classmethod
    def last_closed(cls, today: dt.date) -> "Quarter":
        """The latest quarter closed on `today`: the one figures, reports and exports are now due for."""
        return cls.of(today).previous

    @classmethod
    def latest_ended_by(cls, day: dt.date) -> "Quarter":
        """The latest quarter whose end is on or before `day`: the quarter end a judgement as of `day` counts."""
        current = cls.of(day)
        return current if current.end == day else current.previous

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"

    @property
    def label(self) -> str:
        return translated(_("%(year)s年第%(n)s季度")) % {"year": self.year, "n": self.number}

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.number * 3 - 2, 1)

    @property
    def end(self) -> dt.date:
        return _month_end(self.year, self.number * 3)

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

    def is_closed(self, today: dt.date) -> bool:
        return self.end < today

    def reporting_deadline(self, lag_days: int) -> dt.date:
        return reporting_deadline(self.end, lag_days)


def quarters_between(start: dt.date, end: dt.date) -> list[Quarter]:
    """Every quarter that overlaps [start, end], in order."""
    quarter, last, result = Quarter.of(start), Quarter.of(end), []
    while quarter <= last:
        result.append(quarter)
        quarter = quarter.next
    return result


def closed_quarters(start: dt.date, end: dt.date, *, today: dt.date) -> list[Quarter]:
    """The quarters overlapping [start, end] that are closed on `today`, newest first."""
    return [q for q in reversed(quarters_between(start, end)) if q.is_closed(today)]


def reporting_deadline(period_end: dt.date, lag_days: int) -> dt.date:
    """报送截止: the last day a period's figure or task report is on time; it is overdue from the day after."""
    return period_end + dt.timedelta(days=lag_days)


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _period_months(frequency: str) -> tuple[int, ...]:
    return (12,) if frequency == YEARLY else (3, 6, 9, 12)


@functools.lru_cache(maxsize=256)
def period_ends(start: dt.date, end: dt.date, frequency: str = QUARTERLY) -> tuple[dt.date, ...]:
    """Every period end inside [start, end]: calendar quarter ends, or 31 December for yearly statistics.

    Cached (a tuple, so nobody can change the cached value): a history rebuild asks for the same plan's
    periods hundreds of thousands of times.
    """
    return tuple(
        period_end
        for year in range(start.year, end.year + 1)
        for period_end in (_month_end(year, month) for month in _period_months(frequency))
        if start <= period_end <= end
    )


def period_label(period_end: dt.date, frequency: str = QUARTERLY) -> str:
    """A period as Chinese staff name it: 2025年第2季度, or 2025年 for yearly statistics."""
    if period_end == _month_end(period_end.year, period_end.month):
        if period_end.month == 12 and frequency == YEARLY:
            return f"{period_end.year}年"
        if period_end.month % 3 == 0:
            return f"{period_end.year}年第{period_end.month // 3}季度"
    return period_end.isoformat()
