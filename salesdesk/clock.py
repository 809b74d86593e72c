"""The one place SalesDesk reads the system's time.

Code that needs "now" asks ``CLOCK`` (or takes a ``now``/``when`` its caller got from
it), so that a test can pin the moment with ``CLOCK.pin(...)`` instead of depending on
the day it runs.  Durations (how long an import took) use the monotonic counter here too.
"""

from __future__ import annotations

import datetime as dt
import time


class Clock:
    def __init__(self) -> None:
        self._pinned: dt.datetime | None = None

    def now(self) -> dt.datetime:
        """This moment, aware, in UTC (or the pinned one)."""
        return self._pinned if self._pinned is not None else dt.datetime.now(dt.UTC)

    def pin(self, moment: dt.datetime | None) -> None:
        """Stop the clock at ``moment`` (aware); ``None`` lets it run again."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("a pinned moment needs its time zone")
        self._pinned = moment

    @staticmethod
    def elapsed_since(started: float | None = None) -> float:
        """Seconds on the monotonic counter: its reading, or the time since ``started``."""
        reading = time.perf_counter()
        return reading if started is None else reading - started


CLOCK = Clock()
