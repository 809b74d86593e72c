"""The one place SalesDesk reads the system's time.

Code that needs "now" or "today" asks ``CLOCK`` (or takes a ``now``/``today`` its caller
got from it), so that a test can pin the moment and the time zone with ``CLOCK.pin(...)``
instead of depending on the day and the machine it runs on.  A test grep keeps every
other read of the system clock out of the package (``tests/test_clock.py``).

The database stores instants as naive UTC (``utc_naive()``); dates a user sees or types
(won on, the week of a report, "today" of the targets) are local (``today()``), and a
local day is turned into UTC bounds with ``utc_bounds()`` before it is compared with a
stamp.  Durations use the monotonic counter (``elapsed_since``), which no pin touches.

``SALESDESK_CLOCK`` pins the clock of a whole process, so that a child process a test
starts (the command line, a crash test) lives on the test's day::

    SALESDESK_CLOCK="2026-11-18T10:00:00+00:00 Europe/London"
"""

from __future__ import annotations

import datetime as dt
import os
import time
from zoneinfo import ZoneInfo

ENVIRONMENT = "SALESDESK_CLOCK"


class Clock:
    def __init__(self) -> None:
        self._pinned: dt.datetime | None = None
        self._zone: dt.tzinfo | None = None  # None: the system's own rules

    # -- reading ---------------------------------------------------------------------

    def now(self) -> dt.datetime:
        """This moment, aware, in UTC (or the pinned one)."""
        return self._pinned if self._pinned is not None else dt.datetime.now(dt.UTC)

    def now_local(self) -> dt.datetime:
        """This moment, aware, in the local time zone."""
        return self.to_local(self.now())

    def today(self) -> dt.date:
        """The local date: what the user's calendar on the wall says."""
        return self.now_local().date()

    def utc_naive(self) -> dt.datetime:
        """This moment as the database stores it: naive UTC, whole seconds."""
        return self.now().astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)

    def to_local(self, stamp: dt.datetime) -> dt.datetime:
        """A stored stamp (naive means UTC) or any aware moment, in the local zone."""
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=dt.UTC)
        # astimezone() without a zone applies the system's rules for that very moment,
        # so a summer stamp read in winter still gets summer time.
        if self._zone is None:
            return stamp.astimezone()
        # A fixed offset, as the system's gives: two times of one ZoneInfo compare by
        # their wall clocks (02:30 summer time would sort after 02:15 winter time of the
        # same night); with fixed offsets they compare as instants.
        local = stamp.astimezone(self._zone)
        offset, name = local.utcoffset(), local.tzname()
        assert offset is not None and name is not None  # astimezone() gives an aware time
        return local.replace(tzinfo=dt.timezone(offset, name))

    def local_zone(self) -> dt.tzinfo:
        """The local zone: the pinned one, else the system's offset at this moment."""
        if self._zone is not None:
            return self._zone
        zone = self.now_local().tzinfo
        assert zone is not None  # now_local() is aware
        return zone

    def utc_of_local(self, wall: dt.datetime) -> dt.datetime:
        """A local wall-clock time (naive) as the database stores it: naive UTC.  An hour
        that happens twice at the autumn change is taken the first time (``fold=0``)."""
        aware = wall.replace(tzinfo=self._zone) if self._zone is not None else wall.astimezone()
        return aware.astimezone(dt.UTC).replace(tzinfo=None)

    def local_midnight(self, day: dt.date) -> dt.datetime:
        """The instant a local day starts, as naive UTC (what stamps compare with)."""
        return self.utc_of_local(dt.datetime.combine(day, dt.time()))

    def utc_bounds(self, start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
        """Local days ``[start, end)`` as naive UTC instants ``[from, to)``."""
        return self.local_midnight(start), self.local_midnight(end)

    @staticmethod
    def file_age(mtime: float) -> float:
        """Seconds since a file's modification time ``mtime``, by the real clock: files
        carry the file system's times, which no pin moves, so a test pinned in 2028
        does not find a copy written a second ago two years old."""
        return time.time() - mtime

    @staticmethod
    def elapsed_since(started: float | None = None) -> float:
        """Seconds on the monotonic counter: its reading, or the time since ``started``."""
        reading = time.perf_counter()
        return reading if started is None else reading - started

    # -- pinning (tests, benchmarks, child processes) ----------------------------------

    def pin(self, moment: dt.datetime | None, zone: str | dt.tzinfo | None = None) -> None:
        """Stop the clock at ``moment`` (aware) and, if given, in ``zone``; ``None`` lets
        it run again (and forgets a pinned zone unless one is given)."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("a pinned moment needs its time zone")
        self._pinned = None if moment is None else moment.astimezone(dt.UTC)
        if zone is not None or moment is None:
            self.pin_zone(zone)

    def pin_zone(self, zone: str | dt.tzinfo | None) -> None:
        """Read local dates and times in ``zone`` (an IANA name) instead of the system's."""
        self._zone = ZoneInfo(zone) if isinstance(zone, str) else zone

    def pin_day(self, day: dt.date, zone: str = "Europe/London", hour: int = 10) -> None:
        """Pin the local ``day`` at ``hour`` o'clock in ``zone``."""
        local = dt.datetime.combine(day, dt.time(hour)).replace(tzinfo=ZoneInfo(zone))
        self.pin(local, zone)

    def pinned_text(self) -> str:
        """The pin as ``SALESDESK_CLOCK`` writes it, or "" when the clock runs."""
        if self._pinned is None:
            return ""
        zone = getattr(self._zone, "key", "")
        return f"{self._pinned.isoformat()} {zone}".strip()

    def pin_from_text(self, text: str) -> None:
        """``"2026-11-18T10:00:00+00:00 Europe/London"`` (zone optional) -> pinned."""
        moment, _, zone = text.strip().partition(" ")
        when = dt.datetime.fromisoformat(moment)
        if when.tzinfo is None:
            raise ValueError(f"{ENVIRONMENT}={text!r}: the moment needs its UTC offset")
        try:
            self.pin(when, zone.strip() or None)
        except (KeyError, ValueError) as exc:  # ZoneInfoNotFoundError is a KeyError
            raise ValueError(f"{ENVIRONMENT}={text!r}: {zone.strip()!r} is not a time zone") from exc


def _from_environment() -> Clock:
    clock = Clock()
    text = os.environ.get(ENVIRONMENT, "").strip()
    if text:
        clock.pin_from_text(text)
    return clock


CLOCK = _from_environment()
