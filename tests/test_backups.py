"""Backups (README: Data safety): verified copies through the backup API, thinned, restorable;
a damaged file is kept aside and the newest good backup put back."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from salesdesk.clock import CLOCK
from salesdesk.db.backup import backup_database, integrity_problems
from salesdesk.db.migrate import open_database
from salesdesk.errors import DatabaseError
from salesdesk.paths import backup_dir
from salesdesk.safety.backup_names import backup_name
from salesdesk.safety.backups import (
    AutoBackup, back_up, back_up_database, backups_to_keep, list_backups, start_backup_due, thin_backups,
)
from salesdesk.safety.integrity import newest_good_backup, quick_problems
from salesdesk.safety.restore import restore_backup
from tests.conftest import dump


def branch_names(path: Path) -> list[str]:
    with sqlite3.connect(path) as connection:
        names = [r[0] for r in connection.execute("SELECT name FROM branches ORDER BY name")]
    connection.close()
    return names


def add_branch(database, name: str) -> None:
    from salesdesk.services import branches

    with database.transaction() as s:
        branches.add_branch(s, name)


def damage(path: Path) -> None:
    """Overwrite every page after the first two with noise, keeping the SQLite header."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for offset in range(2 * page, len(data), 97):
        data[offset] = (data[offset] * 31 + 7) % 256
    path.write_bytes(bytes(data))


def fake_backup(database: Path, when: dt.datetime, reason: str = "auto") -> Path:
    folder = backup_dir(database)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / backup_name(database, reason, when)
    with sqlite3.connect(database) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    return path


# --- thinning: a pure function over hand-made dates --------------------------------------

def test_thinning_keeps_12_dailies_10_weeklies_9_monthlies_and_the_newest():
    start = dt.datetime(2026, 11, 27, 17, 0)
    # Every 30 minutes during working hours (9-17) on every day of two years.
    stamps = [start - dt.timedelta(days=d, minutes=30 * k) for d in range(730) for k in range(17)]
    keep = backups_to_keep(stamps)
    kept = sorted(keep, reverse=True)
    assert kept[:3] == sorted(stamps, reverse=True)[:3]  # the newest few, whatever the day
    days = {s.date() for s in keep}
    assert {start.date() - dt.timedelta(days=d) for d in range(12)} <= days  # 12 dailies
    weeks = {s.isocalendar()[:2] for s in keep}
    assert {(start - dt.timedelta(weeks=w)).isocalendar()[:2] for w in range(10)} <= weeks  # 10 weeklies
    months = {(s.year, s.month) for s in keep}
    assert {(2026, m) for m in range(3, 12)} <= months  # the last 9 months each have one
    assert min(keep) >= dt.datetime(2026, 3, 1)  # nothing older survives
    assert len(keep) <= 3 + 12 + 10 + 9
    # Each kept day/week/month keeps its newest copy.
    assert dt.datetime(2026, 3, 31, 17, 0) in keep


def test_thinning_never_empties_and_keeps_sparse_history():
    assert backups_to_keep([]) == set()
    one = [dt.datetime(2020, 1, 1)]
    assert backups_to_keep(one) == set(one)
    # A laptop used once a month: every copy is a monthly, kept for 9 months.
    monthly = [dt.datetime(2026, m, 3, 9, 0) for m in range(1, 12)]
    assert backups_to_keep(monthly, last=1) == set(monthly)  # 11 distinct days: the dailies keep them all
    assert backups_to_keep(monthly, last=1, daily=0, weekly=0) == set(monthly[-9:])


def test_thin_backups_deletes_only_what_the_policy_drops(db_path):
    open_database(db_path).close()
    now = dt.datetime(2026, 11, 27, 12, 0)
    made = [fake_backup(db_path, now - dt.timedelta(hours=h)) for h in range(0, 24 * 40, 6)]
    (backup_dir(db_path) / "notes.txt").write_text("mine")  # not ours: never touched
    removed = thin_backups(db_path)
    left = list_backups(db_path)
    assert removed and len(left) + len(removed) == len(made)
    assert left[0].path == made[0]  # the newest stays
    # taken_at is aware local time (the names carry UTC; naive times are the clock's local time)
    assert {b.taken_at for b in left} == backups_to_keep(CLOCK.to_local(CLOCK.utc_of_local(now - dt.timedelta(hours=h)))
                                                         for h in range(0, 24 * 40, 6))
    assert (backup_dir(db_path) / "notes.txt").exists()


# --- the automatic policy ---------------------------------------------------------------

def test_a_backup_is_due_at_start_when_the_newest_is_older_than_a_day(db_path):
    open_database(db_path).close()
    now = dt.datetime(2026, 11, 27, 9, 0)
    assert start_backup_due(db_path, now)  # none yet
    fake_backup(db_path, now - dt.timedelta(hours=25))
    assert start_backup_due(db_path, now)
    fake_backup(db_path, now - dt.timedelta(hours=3))
    assert not start_backup_due(db_path, now)


def test_periodic_backups_only_when_something_changed(db, db_path):
    auto = AutoBackup(db_path)
    try:
        first = auto.at_start()
        assert first is not None and "-daily.sqlite3" in first.name
        assert auto.at_start() is None  # a copy from today exists
        assert auto.tick() is None  # nothing changed since
        add_branch(db, "Harbour")
        copy = auto.tick()
        assert copy is not None and copy.name.endswith("-auto.sqlite3")
        assert "Harbour" in branch_names(copy) and integrity_problems(copy) == []
        assert auto.tick() is None
        assert [b.reason for b in list_backups(db_path)] == ["auto", "daily"]
    finally:
        auto.close()


def test_backups_are_verified_self_contained_files_and_keep_the_import_signature(db, db_path):
    add_branch(db, "Quay")
    copy = backup_database(db.engine, db_path, reason="import")
    assert copy.parent == backup_dir(db_path) and copy.name.endswith("-import.sqlite3")
    assert not Path(f"{copy}-wal").exists()
    with sqlite3.connect(copy) as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    c.close()
    assert "Quay" in branch_names(copy)
    assert list_backups(db_path)[0].reason_text == "before an import"
    with pytest.raises(DatabaseError, match="already exists"):
        backup_database(db.engine, db_path, dest=copy)


# --- restore ------------------------------------------------------------------------------

def test_restore_puts_the_backup_back_and_keeps_the_current_file_aside(db, db_path):
    add_branch(db, "Before")
    copy = back_up(db_path, "manual")
    add_branch(db, "After")  # work done after the backup, still in the -wal
    assert Path(f"{db_path}-wal").exists()
    current = dump(db)
    db.close()

    outcome = restore_backup(copy, db_path)
    assert "Before" in branch_names(db_path) and "After" not in branch_names(db_path)
    assert outcome.kept_aside.name.startswith("sales-before-restore-") and outcome.kept_aside.parent == db_path.parent
    assert "After" in branch_names(outcome.kept_aside)  # nothing the user had is lost
    assert not Path(f"{outcome.kept_aside}-wal").exists()  # one self-contained file
    assert not Path(f"{db_path}-wal").exists() and not Path(f"{db_path}-shm").exists()
    assert integrity_problems(db_path) == []
    reopened = open_database(db_path)
    assert dump(reopened) != current and "After" not in [r[1] for r in dump(reopened)["branches"]]
    reopened.close()


def test_restore_refuses_a_damaged_backup_and_changes_nothing(db, db_path, tmp_path):
    copy = back_up(db_path, "manual")
    damage(copy)
    db.close()
    before = db_path.read_bytes()
    with pytest.raises(DatabaseError, match="damaged"):
        restore_backup(copy, db_path)
    assert db_path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "before-restore" in p.name] == []


def test_restore_refuses_while_another_program_has_the_file_open(db, db_path):
    copy = back_up(db_path, "manual")
    add_branch(db, "Busy")  # db keeps its connection (and -wal) open
    with pytest.raises(DatabaseError, match="another program is using"):
        restore_backup(copy, db_path)
    assert "Busy" in branch_names(db_path)


def test_a_corrupt_file_is_kept_aside_and_the_newest_good_backup_restored(db, db_path):
    add_branch(db, "Good")
    older = back_up(db_path, "daily")
    add_branch(db, "Better")
    newer = back_up(db_path, "auto")
    damage(newer)  # the newest copy is bad too: the one before it is offered
    db.close()
    damage(db_path)

    problems = quick_problems(db_path)
    assert problems
    good = newest_good_backup(db_path)
    assert good is not None and good.path == older
    outcome = restore_backup(good.path, db_path)
    assert outcome.was_damaged and outcome.kept_aside.name.startswith("sales-damaged-")
    assert outcome.kept_aside.exists()  # kept, never deleted
    assert quick_problems(db_path) == [] and "Good" in branch_names(db_path)


def test_quick_check_leaves_foreign_and_missing_files_alone(tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    assert quick_problems(notes) == []
    assert quick_problems(tmp_path / "missing.sqlite3") == []


# --- the command line -----------------------------------------------------------------------

def run_cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "salesdesk", *args], capture_output=True, text=True,
                          input=stdin, timeout=60, env=os.environ.copy())


def test_cli_backup_list_and_restore(db, db_path):
    add_branch(db, "Before")
    db.close()
    made = run_cli("--db", str(db_path), "backup")
    assert made.returncode == 0, made.stderr
    assert "(verified)" in made.stdout and str(backup_dir(db_path)) in made.stdout
    listed = run_cli("--db", str(db_path), "backup", "--list")
    assert listed.returncode == 0 and "by hand" in listed.stdout and list_backups(db_path)[0].path.name in listed.stdout

    database = open_database(db_path)
    add_branch(database, "After")
    database.close()
    name = list_backups(db_path)[0].path.name
    refused = run_cli("--db", str(db_path), "restore", name)  # not a terminal: asks for --yes
    assert refused.returncode == 1 and refused.stderr.startswith("salesdesk: error:") and "--yes" in refused.stderr
    assert "After" in branch_names(db_path)

    restored = run_cli("--db", str(db_path), "restore", name, "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "Before" in branch_names(db_path) and "After" not in branch_names(db_path)
    aside = next(db_path.parent.glob("sales-before-restore-*.sqlite3"))
    assert str(aside) in restored.stdout and "After" in branch_names(aside)


def test_cli_restore_errors_are_one_line(db_path, tmp_path):
    open_database(db_path).close()
    missing = run_cli("--db", str(db_path), "restore", str(tmp_path / "nope.sqlite3"), "--yes")
    assert missing.returncode == 1 and missing.stderr.count("\n") == 1 and "no such backup" in missing.stderr
    empty = run_cli("--db", str(db_path), "backup", "--list")
    assert empty.returncode == 0 and "no backups" in empty.stdout.lower()


def test_every_copy_into_the_folder_thins_it_and_clears_copies_cut_short(db, db_path):
    now = CLOCK.now_local().replace(tzinfo=None)
    made = [fake_backup(db_path, now - dt.timedelta(days=d)) for d in range(1, 40)]
    folder = backup_dir(db_path)
    stale = folder / f".sales-{now:%Y%m%d}-000000-000000-auto.sqlite3.partial"  # a crash mid-copy
    stale.write_bytes(b"half")
    os.utime(stale, (0, 0))
    fresh = folder / ".sales-20990101-000000-000000-auto.sqlite3.partial"  # a copy under way
    fresh.write_bytes(b"half")
    copy = back_up_database(db.engine, db_path, reason="import")  # what the importer calls
    left = {b.path for b in list_backups(db_path)}
    assert copy in left and len(left) < len(made) + 1
    assert not stale.exists() and fresh.exists()


def test_cli_check_on_a_damaged_file_prints_the_restore_command(org, db, db_path):
    back_up(db_path, "daily")
    db.close()
    damage(db_path)
    result = run_cli("--db", str(db_path), "check")
    assert result.returncode == 1
    last = result.stderr.splitlines()[-1]
    name = list_backups(db_path)[0].path.name
    assert last.endswith(f"run: salesdesk --db {db_path} restore {name}")
    restored = run_cli("--db", str(db_path), "restore", name, "--yes")
    assert restored.returncode == 0 and "sales-damaged-" in restored.stdout
    assert run_cli("--db", str(db_path), "check").returncode == 0


def test_a_backup_killed_midway_never_counts_as_a_backup(org, db, db_path):
    """SIGKILL while copying in a loop: every copy listed afterwards is whole and verified."""
    import signal
    import time

    script = ("import sys; from salesdesk.safety.backups import back_up\n"
              "print('ready', flush=True)\n"
              "while True: back_up(sys.argv[1], 'auto')\n")
    for delay in (0.05, 0.15, 0.3):
        child = subprocess.Popen([sys.executable, "-c", script, str(db_path)], stdout=subprocess.PIPE)
        assert child.stdout.readline() == b"ready\n"
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    backups = list_backups(db_path)
    assert backups and all(integrity_problems(b.path) == [] for b in backups)
    assert len(backups) <= 3 + 1  # thinned as it went: the newest 3 (and today's daily is one of them)


def test_cli_restore_onto_a_missing_file(db, db_path, tmp_path):
    add_branch(db, "Saved")
    copy = back_up(db_path, "manual")
    db.close()
    new_home = tmp_path / "new-laptop.sqlite3"
    restored = run_cli("--db", str(new_home), "restore", str(copy), "--yes")
    assert restored.returncode == 0, restored.stderr
    assert "kept" not in restored.stdout and "Saved" in branch_names(new_home)


def test_two_databases_with_one_stem_keep_their_backups_apart(tmp_path):
    """``sales.db`` and ``sales.sqlite3`` side by side: restoring one never brings the other's data."""
    first, second = tmp_path / "sales.sqlite3", tmp_path / "sales.db"
    for path in (first, second):
        open_database(path).close()
    back_up(first, "manual")
    assert backup_dir(first) != backup_dir(second)
    assert len(list_backups(first)) == 1 and list_backups(second) == []


def test_a_backups_name_and_whether_one_is_due_read_the_pinned_clock(tmp_path):
    """Nothing but the clock reads the time: pinned, the name carries that moment in UTC."""
    import datetime as dt

    from salesdesk.clock import CLOCK

    CLOCK.pin(dt.datetime(2026, 12, 28, 23, 30, tzinfo=dt.UTC))  # ISO week 2026-W53
    try:
        assert "20261228-233000" in backup_name(tmp_path / "sales.sqlite3", "manual")
    finally:
        CLOCK.pin(None)
