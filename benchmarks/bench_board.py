"""The pipeline board at 100k and 1M deals: open, drop, scroll, memory.

The baseline is a raw sqlite3 fetch of the card columns, measured in the same run on
the same file: the board may cost at most 3x that to reach its first paint.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sqlite3
import time
from functools import cache
from pathlib import Path

from benchmarks.data import qt_app, workdir
from benchmarks.harness import benchmark

from salesdesk.clock import CLOCK

RUNS = 7


@cache
def board_database(open_deals: int) -> Path:
    """A database with ``open_deals`` open deals spread over the open stages of the
    default pipeline, written in bulk (the benchmark measures the board, not the demo)."""
    from salesdesk.db.migrate import open_database

    path = workdir() / f"board-{open_deals}.sqlite3"
    db = open_database(path)
    db.close()
    rng = random.Random(11)
    connection = sqlite3.connect(path)
    with connection:
        connection.execute("INSERT INTO branches (name, active) VALUES ('Central', 1)")
        connection.execute("INSERT INTO people (name, role_id, manager_id, branch_id, active, created_at, updated_at, version) "
                           "VALUES ('Vera Price', 1, NULL, 1, 1, '2026-01-01', '2026-01-01', 1)")
        connection.executemany(
            "INSERT INTO people (name, role_id, manager_id, branch_id, active, created_at, updated_at, version) "
            "VALUES (?, 6, 1, 1, 1, '2026-01-01', '2026-01-01', 1)", [(f"Seller {i} Person",) for i in range(40)])
        connection.executemany("INSERT INTO accounts (name, created_at) VALUES (?, '2026-01-01')",
                               [(f"Account {i} Ltd",) for i in range(2000)])
        stages = [r[0] for r in connection.execute("SELECT id FROM stages WHERE pipeline_id = 1 AND NOT is_won ORDER BY position")]
        today = CLOCK.today()
        rows = []
        for i in range(open_deals):
            entered = (dt.datetime(2026, 1, 1) + dt.timedelta(minutes=rng.randrange(500_000))).isoformat(sep=" ")
            close = (today + dt.timedelta(days=rng.randrange(-30, 180))).isoformat()
            rows.append((f"Deal {i} – platform upgrade", 1 + rng.randrange(2000), 2 + rng.randrange(40), 1,
                         stages[i % len(stages)], rng.randrange(100_000, 20_000_000), None, close, "open",
                         float(i), entered, entered, entered, 1, "EUR"))
        connection.executemany(
            "INSERT INTO deals (title, account_id, owner_id, pipeline_id, stage_id, amount, probability, expected_close, "
            "status, position, stage_entered_at, created_at, updated_at, version, currency) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    connection.execute("ANALYZE")
    connection.close()
    return path


def _raw_fetch(path: Path) -> list[float]:
    from salesdesk.services.board import card_query

    sql, params = card_query(1)
    times = []
    for _ in range(RUNS):
        connection = sqlite3.connect(path)
        started = time.perf_counter()
        rows = connection.execute(sql, params).fetchall()
        times.append((time.perf_counter() - started) * 1000)
        connection.close()
        del rows
    return times


class _OpenBoard:
    """A board widget built, loaded, shown and painted once: the user's first look."""

    def __init__(self, path: Path):
        from PySide6.QtCore import QSettings

        from salesdesk.db.migrate import open_database
        from salesdesk.ui.history import History
        from salesdesk.ui.pipeline.board import BoardWidget

        self.app = qt_app()
        self.db = open_database(path)
        self.settings = QSettings(str(workdir() / "board-ui.ini"), QSettings.Format.IniFormat)
        self.settings.clear()
        started = time.perf_counter()
        self.board = BoardWidget(self.db, History(), self.settings)
        self.board.resize(1440, 860)
        self.board.refresh()
        self.board.show()
        self.board.repaint()  # every column paints its visible cards now
        self.app.processEvents()
        self.open_ms = (time.perf_counter() - started) * 1000

    def close(self):
        self.board.close()
        self.board.deleteLater()
        self.app.processEvents()
        self.db.close()


def _open_samples(path: Path, runs: int = RUNS) -> list[float]:
    _OpenBoard(path).close()  # warm: imports and the file cache, as on a second start
    samples = []
    for _ in range(runs):
        opened = _OpenBoard(path)
        samples.append(opened.open_ms)
        opened.close()
    return samples


@benchmark("sqlite.board_fetch_100k", unit="ms")
def raw_fetch_100k() -> list[float]:
    """Raw sqlite3: fetch the card columns of 100k open deals (the board's baseline)."""
    return _raw_fetch(board_database(100_000))


@benchmark("board.open_100k", unit="ms", baseline="sqlite.board_fetch_100k")
def open_100k() -> list[float]:
    """Database to first paint of the board with 100k open deals."""
    return _open_samples(board_database(100_000))


@benchmark("board.drop_100k", unit="ms")
def drop_100k() -> list[float]:
    """Drop a card in another column: committed (fsync), totals updated, the screen repainted.

    The repaint is the event loop's own paint pass over what the drop marked dirty (both
    columns, their headers and scroll bars), as after a user's drop.
    """
    opened = _OpenBoard(board_database(100_000))
    model, app = opened.board.model, opened.app
    samples = []
    try:
        for i in range(25):
            source, target = i % 3, 3 + i % 3
            started = time.perf_counter()
            opened.board.drop_deals([model.deal_id(source, 0)], target, 5)  # what a column's drop calls
            app.processEvents()
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        opened.close()
    return samples


@benchmark("board.scroll_100k", unit="ms")
def scroll_100k() -> list[float]:
    """One wheel step down a column of about 14k cards, through cards never seen before
    (read from the database and drawn for the first time), repainted."""
    opened = _OpenBoard(board_database(100_000))
    view, app = opened.board.columns[0], opened.app
    bar = view.verticalScrollBar()
    samples = []
    try:
        for _ in range(60):
            started = time.perf_counter()
            bar.setValue(bar.value() + 3 * bar.singleStep())  # one notch of a mouse wheel
            app.processEvents()
            samples.append((time.perf_counter() - started) * 1000)
    finally:
        opened.close()
    return samples


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


@benchmark("board.memory_100k", unit="MB")
def memory_100k() -> list[float]:
    """Resident memory the open board adds with 100k deals (process RSS before and after)."""
    import gc

    path = board_database(100_000)
    _OpenBoard(path).close()  # imports and caches are not the board's
    samples = []
    for _ in range(3):
        gc.collect()
        before = _rss_mb()
        opened = _OpenBoard(path)
        samples.append(_rss_mb() - before)
        opened.close()
        del opened
        gc.collect()
    return samples


@benchmark("board.open_1m", unit="ms")
def open_1m() -> list[float]:
    """Database to first paint of the board with 1M open deals."""
    return _open_samples(board_database(1_000_000), runs=3)
