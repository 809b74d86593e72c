"""Reporting periods: ISO weeks, months, quarters and years as half-open date ranges."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum


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
        if self.kind is PeriodKind.WEEK:
            year, week, _ = s.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind is PeriodKind.MONTH:
            return s.strftime("%Y-%m")
        if self.kind is PeriodKind.QUARTER:
            return f"{s.year}-Q{(s.month - 1) // 3 + 1}"
        return str(s.year)

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


def parse_iso_week(text: str) -> Period:
    """``"2026-W48"`` -> the week's period; ``ValueError`` with a readable message."""
    match = _WEEK_RE.match(text.strip().upper())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week; write it like 2026-W48")
    year, week = int(match[1]), int(match[2])
    try:
        monday = dt.date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}") from None
    return Period(PeriodKind.WEEK, monday)


def last_full_week(today: dt.date | None = None) -> Period:
    today = today or dt.date.today()
    return Period.containing(PeriodKind.WEEK, today).previous()


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)
