"""One clock: nothing but ``salesdesk/clock.py`` reads the system's date or time, and a
pinned clock is what every date the program writes and shows comes from."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from salesdesk.clock import CLOCK, ENVIRONMENT, Clock

ROOT = Path(__file__).resolve().parents[1]
# Every way Python, SQL and Qt read the wall clock or the machine's zone.
READS = re.compile(
    r"date\.today\(|datetime\.now\(|\.utcnow\(|\btime\.time\(|time\.localtime\(|time\.gmtime\(|time\.ctime\("
    r"|datetime\.fromtimestamp\(|QDate\.currentDate|QDateTime\.current|QTime\.currentTime"
    r"|'now'|\"now\"\)|CURRENT_(?:DATE|TIME|TIMESTAMP)\b|func\.now\(|perf_counter\(|monotonic\(")
# The first migration's audit default stays as it was written (migrations never change).
ALLOWED = {("salesdesk/db/migrations/versions/0001_initial_schema.py", "CURRENT_TIMESTAMP")}


def test_nothing_but_the_clock_reads_the_system_time():
    found = []
    for folder in ("salesdesk", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative == "salesdesk/clock.py":
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                code = line.split("#", 1)[0]
                for match in READS.finditer(code):
                    if (relative, match[0].strip("(")) in ALLOWED:
                        continue
                    if folder == "benchmarks" and match[0] in ("perf_counter(", "monotonic("):
                        continue  # a benchmark's stopwatch, not the date
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "read the time through salesdesk.clock.CLOCK:\n" + "\n".join(found)


def test_a_pinned_day_is_local_and_the_database_stamp_utc():
    clock = Clock()
    clock.pin_day(dt.date(2026, 7, 1), "Europe/Berlin", hour=0)  # 00:00 CEST is 22:00 UTC the day before
    assert clock.today() == dt.date(2026, 7, 1)
    assert clock.utc_naive() == dt.datetime(2026, 6, 30, 22, 0)
    assert clock.now() == dt.datetime(2026, 6, 30, 22, 0, tzinfo=dt.UTC)
    assert clock.to_local(dt.datetime(2026, 6, 30, 22, 0)).date() == dt.date(2026, 7, 1)


def test_a_local_week_in_utc_across_the_spring_change():
    """The week of 23 March 2026 in London ends at midnight of the 30th BST: 23:00 UTC."""
    clock = Clock()
    clock.pin_zone("Europe/London")
    start, end = clock.utc_bounds(dt.date(2026, 3, 23), dt.date(2026, 3, 30))
    assert (start, end) == (dt.datetime(2026, 3, 23, 0, 0), dt.datetime(2026, 3, 29, 23, 0))


def test_times_of_one_night_of_the_autumn_change_order_as_instants():
    """02:30 summer time comes before 02:15 winter time of the same night."""
    clock = Clock()
    clock.pin_zone("Europe/Berlin")
    summer = clock.to_local(dt.datetime(2026, 10, 25, 0, 30))
    winter = clock.to_local(dt.datetime(2026, 10, 25, 1, 15))
    assert (f"{summer:%H:%M}", f"{winter:%H:%M}") == ("02:30", "02:15")
    assert sorted([winter, summer]) == [summer, winter]


def test_a_child_process_lives_on_the_tests_day(tmp_path):
    """The command line a test starts reads the day the test pinned (SALESDESK_CLOCK)."""
    import os

    env = dict(os.environ, **{ENVIRONMENT: CLOCK.pinned_text()})
    out = subprocess.run([sys.executable, "-c", "from salesdesk.clock import CLOCK; print(CLOCK.today(), CLOCK.utc_naive())"],
                         env=env, capture_output=True, text=True, check=True).stdout.split()
    assert out[0] == CLOCK.today().isoformat() and " ".join(out[1:]) == str(CLOCK.utc_naive())


@pytest.mark.parametrize("text", ["2026-11-18", "tomorrow", "2026-11-18T10:00:00+00:00 Mars/Olympus"])
def test_a_bad_pin_in_the_environment_is_refused_in_words(text):
    with pytest.raises(ValueError):
        Clock().pin_from_text(text)
