"""Targets against actuals at 1M deals: the screen's table and the year chart's series.

Every figure is an SQL aggregate (GROUP BY owner, over an index range of the period);
the roll-up over the org tree (about 120 people here) is done in Python.  The goal is
under 100 ms for the table of the whole company over a quarter.

The forecast sums the open deals expected to close in the period; without an index
holding (status, owner, expected close, stage, amount, probability) that reads the row
of every open deal (about 850 ms here for 400k open deals), with it about 25 ms.
"""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
import time
from functools import cache
from pathlib import Path

from benchmarks.data import workdir
from benchmarks.harness import benchmark

from salesdesk.clock import CLOCK

RUNS = 7
DEALS = 1_000_000


@cache
def targets_database(deals: int = DEALS) -> Path:
    """A company of 121 people (VP, 3 directors, 9 branch managers, 18 team leaders,
    90 salespeople) with ``deals`` deals: about 35 % won over the last two years, 25 %
    lost, 40 % open with expected closes from two months ago to nine months ahead; an
    activity done for about every second deal; monthly targets for everyone.

    Written with sqlite3 ``executemany``, the indexes dropped for the load and then
    recreated exactly as the migrations made them.
    """
    from salesdesk.db.migrate import open_database

    path = workdir() / f"targets-{deals}.sqlite3"
    open_database(path).close()
    rng = random.Random(23)
    today = CLOCK.today()
    first = today - dt.timedelta(days=730)
    connection = sqlite3.connect(path)
    with connection:
        indexes = connection.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            "AND tbl_name IN ('deals', 'activities')").fetchall()
        for name, _sql in indexes:
            connection.execute(f'DROP INDEX "{name}"')
        connection.executemany("INSERT INTO branches (id, name, active) VALUES (?, ?, 1)",
                               [(i, f"Branch {i}") for i in range(1, 10)])
        people, sellers = [], []
        people.append((1, "Vera Price", 1, None, None))
        next_id = 2
        for d in range(3):
            director = next_id
            people.append((director, f"Director {d} Surname", 2, 1, None))
            next_id += 1
            for b in range(3):
                branch = d * 3 + b + 1
                manager = next_id
                people.append((manager, f"Branch Manager {branch} Surname", 4, director, branch))
                next_id += 1
                for _t in range(2):
                    leader = next_id
                    people.append((leader, f"Team Leader {leader} Surname", 5, manager, branch))
                    next_id += 1
                    for _s in range(5):
                        people.append((next_id, f"Seller {next_id} Surname", 6, leader, branch))
                        sellers.append(next_id)
                        next_id += 1
        connection.executemany(
            "INSERT INTO people (id, name, role_id, manager_id, branch_id, active, created_at, updated_at, version) "
            "VALUES (?, ?, ?, ?, ?, 1, '2024-01-01', '2024-01-01', 1)", people)
        owners = sellers * 9 + [p[0] for p in people if p[2] in (4, 5)]  # managers sell a little too
        stages = connection.execute(
            "SELECT id, is_won FROM stages WHERE pipeline_id = 1 ORDER BY position").fetchall()
        open_stages = [s for s, won in stages if not won]
        won_stage = next(s for s, won in stages if won)
        span = (today - first).days
        rows, activities = [], []
        for i in range(1, deals + 1):
            owner = owners[rng.randrange(len(owners))]
            amount = rng.randrange(50_000, 5_000_000)
            created_day = first + dt.timedelta(days=rng.randrange(span))
            created = f"{created_day.isoformat()} {rng.randrange(8, 19):02d}:{rng.randrange(60):02d}:00.000000"
            kind = rng.random()
            won_on = lost_on = close = None
            probability = None
            if kind < 0.35:
                status, stage = "won", won_stage
                won_on = min(today, created_day + dt.timedelta(days=rng.randrange(120))).isoformat()
            elif kind < 0.60:
                status, stage = "lost", open_stages[rng.randrange(len(open_stages))]
                lost_on = min(today, created_day + dt.timedelta(days=rng.randrange(120))).isoformat()
            else:
                status, stage = "open", open_stages[rng.randrange(len(open_stages))]
                close = (today + dt.timedelta(days=rng.randrange(-60, 270))).isoformat()
                probability = rng.choice((None,) * 9 + (rng.randrange(101),))
            rows.append((i, f"Deal {i}", owner, stage, amount, probability, close, status, won_on, lost_on,
                         float(i), created, created, created))
            if i % 2 == 0:
                done = created_day + dt.timedelta(days=rng.randrange(60))
                if done <= today:
                    activities.append((f"Call about deal {i}", i, owner,
                                       f"{done.isoformat()} {rng.randrange(8, 19):02d}:00:00.000000", created))
            if len(rows) == 50_000:
                _write(connection, rows, activities)
                rows, activities = [], []
        _write(connection, rows, activities)
        targets, tid = [], 1
        month = first.replace(day=1)
        while month.year <= today.year:
            for pid, *_ in people:
                targets.append((tid, pid, "month", month.isoformat(), "won_revenue", rng.randrange(5, 50) * 1_000_000))
                tid += 1
            month = (month + dt.timedelta(days=32)).replace(day=1)
        connection.executemany(
            "INSERT INTO targets (id, person_id, period_kind, period_start, metric, value, version) "
            "VALUES (?, ?, ?, ?, ?, ?, 1)", targets)
        for _name, sql in indexes:
            connection.execute(sql)
    connection.close()
    return path


def _write(connection: sqlite3.Connection, deals: list[tuple], activities: list[tuple]) -> None:
    connection.executemany(
        "INSERT INTO deals (id, title, owner_id, pipeline_id, stage_id, amount, probability, expected_close, status, "
        "won_on, lost_on, position, stage_entered_at, created_at, updated_at, version, currency) "
        "VALUES (?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 'EUR')", deals)
    connection.executemany(
        "INSERT INTO activities (kind, subject, deal_id, owner_id, done_at, created_at) "
        "VALUES ('call', ?, ?, ?, ?, ?)", activities)


def _timed(function, runs: int = RUNS) -> list[float]:
    function()  # warm: the file cache and the reader's connection, as on a second look
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


@benchmark("targets.aggregate_1m", unit="ms")
def aggregate_1m() -> list[float]:
    """The targets table of the whole company (121 people) for this quarter at 1M deals:
    targets, roll-ups, actuals and forecast, won revenue."""
    from salesdesk.db.migrate import open_database
    from salesdesk.domain.periods import Period, PeriodKind
    from salesdesk.services.targets import queries

    db = open_database(targets_database())
    today = CLOCK.today()
    quarter = Period.containing(PeriodKind.QUARTER, today)
    try:
        def read():
            with db.read() as reader:
                return queries.target_rows(reader, 1, quarter, "won_revenue", today)

        return _timed(read)
    finally:
        db.close()


@benchmark("targets.series_1m", unit="ms")
def series_1m() -> list[float]:
    """The year chart's series for the whole company at 1M deals: won revenue by month,
    month targets and the forecast continued by expected close month."""
    from salesdesk.db.migrate import open_database
    from salesdesk.services.targets import queries

    db = open_database(targets_database())
    today = CLOCK.today()
    try:
        def read():
            with db.read() as reader:
                return queries.monthly_series(reader, 1, today.year, "won_revenue", today)

        return _timed(read)
    finally:
        db.close()
