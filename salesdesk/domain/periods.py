"""Reporting periods: ISO weeks, months, quarters and years as half-open date ranges."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from salesdesk.clock import CLOCK


class PeriodKind(StrEnum):
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class Period:
    """``start`` is inclusive, ``end`` exclusive, so a deal won on the last day is in."""

    kind: PeriodKind
    start: dt.date

    @property
    def end(self) -> dt.date:
        s = self.start
        if self.kind is PeriodKind.WEEK:
            return s + dt.timedelta(days=7)
        if self.kind is PeriodKind.MONTH:
            return _add_months(s, 1)
        if self.kind is PeriodKind.QUARTER:
            return _add_months(s, 3)
        return dt.date(s.year + 1, 1, 1)

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)

    def next(self) -> Period:
        return Period.containing(self.kind, self.end)

    def previous(self) -> Period:
        return Period.containing(self.kind, self.start - dt.timedelta(days=1))

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day < self.end

    @property
    def label(self) -> str:
        s = self.start
        if self.kind is PeriodKind.WEEK:  # four-digit years, as ISO 8601 writes them (0002-W01)
            year, week, _ = s.isocalendar()
            return f"{year:04d}-W{week:02d}"
        if self.kind is PeriodKind.MONTH:
            return f"{s.year:04d}-{s.month:02d}"
        if self.kind is PeriodKind.QUARTER:
            return f"{s.year:04d}-Q{(s.month - 1) // 3 + 1}"
        return f"{s.year:04d}"

    @classmethod
    def containing(cls, kind: PeriodKind | str, day: dt.date) -> Period:
        kind = PeriodKind(kind)
        if kind is PeriodKind.WEEK:
            start = day - dt.timedelta(days=day.weekday())
        elif kind is PeriodKind.MONTH:
            start = day.replace(day=1)
        elif kind is PeriodKind.QUARTER:
            start = dt.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
        else:
            start = dt.date(day.year, 1, 1)
        return cls(kind, start)


_WEEK_RE = re.compile(r"^(\d{4})-?W(\d{2})$")

# The years whose weeks SalesDesk reports on.  Dates end with the years 1 and 9999, and
# a week's report also reads the week before it (none before 0001-W01), its quarter (the
# last quarter of 9999 would end in the year 10000) and the stale limits back from its end.
FIRST_YEAR, LAST_YEAR = 2, 9998


def parse_iso_week(text: str) -> Period:
    """``"2026-W48"`` -> the week's period; ``ValueError`` with a readable message."""
    match = _WEEK_RE.match(text.strip().upper())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week; write it like 2026-W48")
    year, week = int(match[1]), int(match[2])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{text.strip()}: SalesDesk reports on weeks of the years {FIRST_YEAR} to {LAST_YEAR}")
    last = dt.date(year, 12, 28).isocalendar()[1]  # the 28th of December is always in the year's last week
    if week < 1:
        raise ValueError(f"{year:04d} has no week {week}; its first week is {year:04d}-W01")
    if week > last:
        raise ValueError(f"{year:04d} has no week {week}; its last week is {year:04d}-W{last:02d}")
    return Period(PeriodKind.WEEK, dt.date.fromisocalendar(year, week, 1))


def last_full_week(today: dt.date | None = None) -> Period:
    today = today or CLOCK.today()
    return Period.containing(PeriodKind.WEEK, today).previous()


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
