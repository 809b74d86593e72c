"""Commands killed at any moment (issue 11): an import is all or nothing, a backup never
changes the database and a copy cut short never counts as a backup.

``salesdesk import`` and ``salesdesk backup`` are killed with SIGKILL at random moments
spread over the whole command (drawn from 0 to 1.2 times how long it takes); after each
kill the database passes ``integrity_check``, holds either none of the file's rows or all
of them, and every copy the backup folder lists passes the full check.  10 kills of each
in the normal suite; more with ``SALESDESK_COMMAND_KILL_RUNS=200``, another draw with
``SALESDESK_COMMAND_KILL_SEED=N``.  The figures are printed (``pytest -s``).
"""

from __future__ import annotations

import collections
import os
import random
import shutil
import signal
import time

import pytest

from salesdesk.cli import main as salesdesk
from salesdesk.db.backup import integrity_problems
from salesdesk.db.migrate import open_database
from salesdesk.safety.backups import list_backups
from salesdesk.services.demo import load_demo
from tests.test_restore_kill import data, go, leftovers, start_child

RUNS = int(os.environ.get("SALESDESK_COMMAND_KILL_RUNS", "10"))
SEED = int(os.environ.get("SALESDESK_COMMAND_KILL_SEED", "5"))
ROWS = 20_000


@pytest.fixture
def company(tmp_path):
    path = tmp_path / "sales.sqlite3"
    db = open_database(path)
    load_demo(db, deals=1500)
    db.close()
    return path


def timed(*args: str) -> float:
    """How long ``salesdesk ARGS`` takes once loaded."""
    child = start_child(*args)
    go(child)
    started = time.perf_counter()
    _, err = child.communicate(timeout=120)
    assert child.returncode == 0, err.decode()
    return time.perf_counter() - started


def kill_at(delay: float, *args: str) -> int:
    """Run ``salesdesk ARGS`` and SIGKILL it ``delay`` seconds in; its exit code."""
    child = start_child(*args)
    go(child)
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.communicate(timeout=60)
    return child.returncode


def accounts(path) -> list[tuple]:
    """id, name and city of every account (created_at says when each run imported)."""
    return [(row[0], row[1], row[5]) for row in data(path)["accounts"]]


def test_an_import_killed_at_any_moment_imports_everything_or_nothing(company, tmp_path, capsys):
    source = tmp_path / "accounts.csv"
    source.write_text("name,city\n" + "".join(f"Imported {i},Town {i % 97}\n" for i in range(ROWS)), encoding="utf-8")
    pristine = tmp_path / "pristine"
    shutil.copyfile(company, pristine)
    before = accounts(company)
    args = ("--db", str(company), "import", "accounts", str(source))
    duration = timed(*args)
    after = accounts(company)
    assert len(after) == len(before) + ROWS
    rnd = random.Random(SEED)
    outcomes = collections.Counter()
    for _ in range(RUNS):
        shutil.copyfile(pristine, company)
        for suffix in ("-wal", "-shm"):
            company.with_name(company.name + suffix).unlink(missing_ok=True)
        code = kill_at(rnd.uniform(0, 1.2 * duration), *args)
        assert integrity_problems(company) == []
        rows = accounts(company)
        assert rows in (before, after), f"{len(rows) - len(before)} of {ROWS} rows imported"
        outcomes["nothing" if rows == before else "everything"] += 1
        outcomes["finished before the kill"] += code == 0
    with capsys.disabled():
        print(f"\nimport kill test (seed {SEED}): {RUNS} SIGKILLs over 0-{1.2 * duration:.2f} s of a "
              f"{ROWS:,}-row import: {dict(outcomes)}; 0 partial")
    assert salesdesk(["--db", str(company), "check"]) == 0  # the lock went with the killed process


def test_a_backup_killed_at_any_moment_leaves_the_database_and_only_verified_copies(company, capsys):
    before = data(company)
    args = ("--db", str(company), "backup")
    duration = timed(*args)
    rnd = random.Random(SEED)
    outcomes = collections.Counter()
    for _ in range(RUNS):
        code = kill_at(rnd.uniform(0, 1.2 * duration), *args)
        outcomes["finished before the kill" if code == 0 else "killed"] += 1
        assert data(company) == before
        for backup in list_backups(company):
            assert integrity_problems(backup.path) == [], backup.path.name
    folder = company.parent / f"{company.name}-backups"
    left = len(leftovers(folder))
    assert salesdesk(["--db", str(company), "backup"]) == 0
    assert leftovers(folder) == []  # the next backup removed what the killed ones left
    with capsys.disabled():
        print(f"\nbackup kill test (seed {SEED}): {RUNS} SIGKILLs over 0-{1.2 * duration:.2f} s of a backup: "
              f"{dict(outcomes)}; {len(list_backups(company))} copies listed, all verified; "
              f"{left} unfinished copies left, removed by the next backup")
