"""Holes an attacker found in backups and restore (issue 11, turn 3), each closed.

A hard link to a backup, a database's live ``-wal``, a foreign or read-only file or a
device as ``--db``; a clock that moves back; look-alike files of the user's taken for
leftovers; a file that appears during a write; a copy written into another database's
backup folder; a locked, unreadable or half-opened database reported as damaged.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from salesdesk.clock import CLOCK
from salesdesk.cli import main as salesdesk
from salesdesk.db.backup import BACKUP_MARK, backup_file, integrity_problems
from salesdesk.db.migrate import open_database
from salesdesk.errors import DatabaseError, SalesDeskError
from salesdesk.paths import backup_dir, data_dir
from salesdesk.safety.backup_names import STAMP_FORMAT
from salesdesk.safety.backups import (
    AutoBackup,
    back_up,
    is_backup,
    list_backups,
    newest_backup,
    thin_backups,
)
from salesdesk.safety.files import sqlite_uri
from salesdesk.safety.integrity import quick_problems
from salesdesk.safety.output import written_aside
from salesdesk.safety.restore import restore_backup
from tests.test_backups import add_branch, branch_names, damage, fake_backup
from tests.test_faults import fill, small_disk  # noqa: F401 (small_disk: a fixture)

ROOT = Path(__file__).parent.parent


def run(capsys, *args) -> tuple[int, str, str]:
    code = salesdesk([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def refused(capsys, *args) -> str:
    """The one error line of a refused command."""
    code, _, err = run(capsys, *args)
    assert code == 1, err
    assert err.count("\n") == 1 and err.startswith("salesdesk: error: "), err
    return err


def application_id(path: Path) -> int:
    connection = sqlite3.connect(sqlite_uri(path, mode="ro", immutable="1"), uri=True)
    try:
        return connection.execute("PRAGMA application_id").fetchone()[0]
    finally:
        connection.close()


def fingerprint(path: Path):
    """What a user would notice changed about a file, without opening it (it may be a live -wal)."""
    st = os.lstat(path)
    return st.st_ino, st.st_mode, st.st_size, st.st_mtime_ns


def dead_pid() -> int:
    """The pid of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def accounts(tmp_path) -> Path:
    path = tmp_path / "accounts.csv"
    path.write_text("name\nAcme Harbour\n", encoding="utf-8")
    return path


@pytest.fixture
def zone():
    """Move the machine's clock to another time zone (as flying, or a DST change, does)."""
    saved = os.environ.get("TZ")

    def move(name: str) -> None:
        os.environ["TZ"] = name
        time.tzset()
        CLOCK.pin_zone(name)  # the program reads the zone through its clock

    yield move
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time.tzset()


# --- 1. a backup is marked in the file itself ----------------------------------------------

def test_a_hard_link_to_a_backup_is_refused_as_db_by_demo_import_and_restore(db, db_path, tmp_path, accounts, capsys):
    add_branch(db, "Kept")
    backup = back_up(db_path, "manual")
    other = back_up(db_path, "auto")
    db.close()
    alias = tmp_path / "elsewhere" / "work.sqlite3"  # not named as a backup, not in a backup folder
    alias.parent.mkdir()
    os.link(backup, alias)
    before = backup.read_bytes()
    for command in (["demo"], ["import", "accounts", accounts], ["restore", other, "--yes"]):
        assert "is a backup, which SalesDesk never changes" in refused(capsys, "--db", alias, *command)
    assert backup.read_bytes() == before and alias.samefile(backup)
    assert not any(Path(f"{alias}{suffix}").exists() for suffix in ("-wal", "-shm", "-journal"))


def test_every_backup_carries_the_mark_and_a_restored_database_does_not(db, db_path, tmp_path):
    add_branch(db, "Kept")
    in_folder = back_up(db_path, "manual")
    on_stick = backup_file(db_path, dest=tmp_path / "usb-stick.sqlite3")
    db.close()
    assert application_id(in_folder) == BACKUP_MARK == application_id(on_stick)
    assert is_backup(on_stick)  # by its mark: nothing in its name or folder says so
    restore_backup(in_folder, db_path)
    fresh = tmp_path / "new-laptop.sqlite3"
    restore_backup(on_stick, fresh)
    for restored in (db_path, fresh):
        assert application_id(restored) == 0 and not is_backup(restored)
        assert "Kept" in branch_names(restored)
    assert application_id(in_folder) == BACKUP_MARK  # the backup itself is as it was


def test_backups_without_the_mark_are_still_recognised_by_their_name(db_path, zone):
    zone("Europe/Berlin")
    open_database(db_path).close()
    folder = backup_dir(db_path)
    folder.mkdir()
    taken = dt.datetime.combine(CLOCK.today() - dt.timedelta(days=17), dt.time(9))  # before today's copy
    old = folder / f"sales-{taken:{STAMP_FORMAT}}-manual.sqlite3"  # as earlier SalesDesks named them: local time
    with sqlite3.connect(db_path) as source, sqlite3.connect(old) as copy:
        source.backup(copy)
    source.close()
    copy.close()
    assert application_id(old) == 0 and is_backup(old)
    newer = back_up(db_path, "manual")
    assert [b.path for b in list_backups(db_path)] == [newer, old]
    assert list_backups(db_path)[1].taken_at == CLOCK.to_local(CLOCK.utc_of_local(taken))
    assert f"{list_backups(db_path)[1].taken_at:%Y-%m-%d %H:%M}" == f"{taken:%Y-%m-%d %H:%M}"  # shown as named


# --- 2. a sidecar is not a database ----------------------------------------------------------

def test_a_sidecar_of_a_database_is_refused_as_db(db, db_path, accounts, capsys):
    add_branch(db, "Live")
    backup = back_up(db_path, "manual")
    with db.engine.connect() as connection:  # as SQLite leaves it after a checkpoint: empty, still in use
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    wal = Path(f"{db_path}-wal")
    assert wal.exists() and wal.stat().st_size == 0
    before = fingerprint(wal)
    line = refused(capsys, "--db", wal, "restore", backup, "--yes")
    assert "is the -wal file of sales.sqlite3, not a database" in line
    assert "is the -wal file of sales.sqlite3" in refused(capsys, "--db", wal, "demo")
    assert fingerprint(wal) == before
    journal = Path(f"{db_path}-journal")
    assert "is the -journal file of sales.sqlite3" in refused(capsys, "--db", journal, "import", "accounts", accounts)
    assert not journal.exists()
    with pytest.raises(DatabaseError, match="is the -shm file of sales.sqlite3, not a database"):
        restore_backup(backup, Path(f"{db_path}-shm"))
    assert "Live" in branch_names(db_path)


# --- 3. restore replaces only a database of ours ----------------------------------------------

def test_restore_refuses_a_target_that_is_not_a_salesdesk_database(db, db_path, tmp_path):
    backup = back_up(db_path, "manual")
    db.close()
    places = tmp_path / "places.sqlite"  # another program's database
    with sqlite3.connect(places) as c:
        c.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
        c.execute("INSERT INTO moz_places (url) VALUES ('https://example.com')")
    c.close()
    newer = tmp_path / "newer.sqlite3"
    restore_backup(backup, newer)
    with sqlite3.connect(newer) as c:
        c.execute("UPDATE alembic_version SET version_num = '9999'")
    c.close()
    locked = tmp_path / "read-only.sqlite3"
    restore_backup(backup, locked)
    locked.chmod(0o444)  # refused by its mode, even to root
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    note = tmp_path / "note.txt"
    note.write_text("x")  # one byte: SQLite itself reads it as an empty database
    cases = {places: "is not a SalesDesk database", newer: "newer version of SalesDesk", locked: "is read-only",
             pipe: "is not an ordinary file", note: "is not an SQLite file"}
    for target, words in cases.items():
        before = fingerprint(target), (target.read_bytes() if target.is_file() else None)
        with pytest.raises(DatabaseError, match=words):
            restore_backup(backup, target)
        assert (fingerprint(target), (target.read_bytes() if target.is_file() else None)) == before
        assert not list(tmp_path.glob(f"{target.stem}-*-2*")), "nothing is kept aside: nothing was replaced"


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_restore_onto_a_device_is_refused_and_leaves_it_a_device(db, db_path, tmp_path, capsys):
    backup = back_up(db_path, "manual")
    db.close()
    null = tmp_path / "null"
    os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    assert "is not an ordinary file" in refused(capsys, "--db", null, "restore", backup, "--yes")
    assert stat.S_ISCHR(os.lstat(null).st_mode)


def test_a_damaged_or_empty_database_is_still_restored(db, db_path, tmp_path):
    add_branch(db, "Good")
    backup = back_up(db_path, "manual")
    db.close()
    damage(db_path)
    outcome = restore_backup(backup, db_path)
    assert outcome.was_damaged and "-damaged-" in outcome.kept_aside.name and "Good" in branch_names(db_path)
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    assert "Good" in branch_names(restore_backup(backup, empty).database)
    odd_format = tmp_path / "odd-format.sqlite3"  # its header's format bytes overwritten
    restore_backup(backup, odd_format)
    data = bytearray(odd_format.read_bytes())
    data[44:48] = (9).to_bytes(4, "big")
    odd_format.write_bytes(bytes(data))
    assert restore_backup(backup, odd_format).was_damaged and "Good" in branch_names(odd_format)


def test_a_database_whose_header_was_wiped_is_restored_when_its_backups_are_beside_it(db, db_path, tmp_path):
    """Not an SQLite file any more: its own backup folder says it was a SalesDesk database;
    anywhere else nothing tells it from a document, and it is refused."""
    add_branch(db, "Good")
    backup = back_up(db_path, "manual")
    db.close()
    wiped = bytearray(db_path.read_bytes())
    wiped[:100] = bytes(100)
    db_path.write_bytes(bytes(wiped))
    outcome = restore_backup(backup, db_path)
    assert outcome.was_damaged and outcome.kept_aside.read_bytes() == bytes(wiped)
    assert "Good" in branch_names(db_path)
    stray = tmp_path / "stray.sqlite3"
    stray.write_bytes(bytes(wiped))
    with pytest.raises(DatabaseError, match="is not an SQLite file"):
        restore_backup(backup, stray)
    assert stray.read_bytes() == bytes(wiped)


# --- 4. backup names in UTC --------------------------------------------------------------------

def test_after_the_clock_moves_back_the_newest_backup_is_the_latest(db, db_path, zone, capsys):
    zone("Asia/Tokyo")
    first = back_up(db_path, "manual")
    zone("America/New_York")  # flown home: the clock reads 14 hours earlier
    add_branch(db, "After the flight")
    second = back_up(db_path, "manual")
    assert second.name.endswith("Z-manual.sqlite3")
    assert [b.path for b in list_backups(db_path)] == [second, first]
    assert newest_backup(db_path).path == second
    db.close()
    run(capsys, "--db", db_path, "restore", "latest", "--yes")
    assert "After the flight" in branch_names(db_path)


def test_thinning_after_the_autumn_clock_change_keeps_the_newest_copies(db_path, zone):
    zone("Europe/Berlin")
    open_database(db_path).close()
    utc = dt.UTC
    # The clock reads 02:10, 02:20, 02:30 (summer time), then 02:05, 02:15 again (winter time).
    instants = [dt.datetime(2026, 10, 25, 0, m, tzinfo=utc) for m in (10, 20, 30)]
    instants += [dt.datetime(2026, 10, 25, 1, m, tzinfo=utc) for m in (5, 15)]
    made = {instant: fake_backup(db_path, CLOCK.to_local(instant)) for instant in instants}
    thin_backups(db_path)
    left = list_backups(db_path)
    assert [b.path for b in left] == [made[i] for i in sorted(instants, reverse=True)[:3]]
    assert left[0].taken_at == instants[-1] and f"{left[0].taken_at:%H:%M}" == "02:15"  # shown in local time


def test_backup_list_shows_local_time(db_path, zone, capsys):
    zone("Asia/Tokyo")
    open_database(db_path).close()
    fake_backup(db_path, dt.datetime(2026, 12, 2, 1, 30, tzinfo=dt.UTC), "manual")
    code, out, _ = run(capsys, "--db", db_path, "backup", "--list")
    assert code == 0 and out.startswith("2026-12-02 10:30  by hand")


def test_a_database_named_with_a_newline_sees_its_backups(db_path, tmp_path):
    open_database(db_path).close()
    path = tmp_path / "sales\nq4.sqlite3"
    shutil.copyfile(db_path, path)  # closed: the file is the whole database
    copy = back_up(path, "manual")
    assert [b.path for b in list_backups(path)] == [copy] and is_backup(copy)


# --- 5. cleanup removes only what SalesDesk left -------------------------------------------------

def test_cleanup_removes_only_leftovers_of_this_database_and_never_look_alikes(db, db_path, tmp_path):
    pid = dead_pid()
    stick = tmp_path / "k"
    stick.mkdir()
    folder = backup_dir(db_path)
    folder.mkdir()
    theirs = [stick / f".thesis.docx.{pid}.partial", stick / f".thesis.docx.{pid}.partial-journal",
              db_path.with_name(f".report.pdf.{pid}.partial"), db_path.with_name(f".notes.txt.restoring-{pid}"),
              folder / f".other-20261201-090000-000000Z-daily.sqlite3.{pid}.partial"]
    ours = [db_path.with_name(f".sales.sqlite3.restoring-{pid}"),
            db_path.with_name(f".sales.sqlite3.restoring-{pid}-journal"),
            db_path.with_name(f".sales-before-restore-20261201-090000.sqlite3.{pid}.partial"),
            folder / f".sales-20261201-090000-000000Z-daily.sqlite3.{pid}.partial",
            folder / f".sales-20261201-090000-000000-daily.sqlite3.{pid}.partial-journal"]
    for path in theirs + ours:
        path.write_bytes(b"SQLite format 3\x00 someone's")
    assert salesdesk(["--db", str(db_path), "backup", str(stick / "b2.sqlite3")]) == 0
    auto = AutoBackup(db_path)
    try:
        auto.at_start()
    finally:
        auto.close()
    assert [p for p in theirs if not p.exists()] == []
    assert [p for p in ours if p.exists()] == []


def test_a_killed_export_leaves_a_temporary_file_the_next_start_removes(db, db_path, tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    script = ("import os, signal, sys\nfrom pathlib import Path\nfrom salesdesk.safety.output import written_aside\n"
              "with written_aside(Path(sys.argv[1])) as temp:\n"
              "    temp.write_text('half an export')\n    os.kill(os.getpid(), signal.SIGKILL)\n")
    child = subprocess.run([sys.executable, "-c", script, str(exports / "deals.csv")], cwd=ROOT, timeout=60,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True)
    assert child.returncode == -signal.SIGKILL, child.stderr
    left = list(exports.iterdir())
    assert len(left) == 1 and left[0].name.startswith(".") and left[0].suffix == ".csv"
    auto = AutoBackup(db_path)
    try:
        auto.at_start()
    finally:
        auto.close()
    assert list(exports.iterdir()) == []
    assert list((data_dir() / "unfinished").iterdir()) == []


# --- 6. the last step of a write never replaces what appeared meanwhile --------------------------

@pytest.mark.parametrize("links", [True, False], ids=["hard links", "no hard links"])
def test_a_file_that_appears_during_a_backup_is_not_replaced(db, db_path, tmp_path, monkeypatch, capsys, links):
    import salesdesk.db.backup as backup_module

    if not links:  # FAT, exFAT, some shares: a checked rename instead
        def no_links(*_args, **_kwargs):
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_links)
    dest = tmp_path / "copy.sqlite3"
    write_copy = backup_module.write_copy

    def copy_while_someone_saves(connection, target, **kwargs):
        write_copy(connection, target, **kwargs)
        dest.write_text("saved by another program meanwhile")

    monkeypatch.setattr(backup_module, "write_copy", copy_while_someone_saves)
    assert "left as it is" in refused(capsys, "--db", db_path, "backup", dest)
    assert dest.read_text() == "saved by another program meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    monkeypatch.setattr(backup_module, "write_copy", write_copy)
    fine = tmp_path / "fine.sqlite3"
    assert run(capsys, "--db", db_path, "backup", fine)[0] == 0 and is_backup(fine)


def test_a_file_that_appears_during_an_export_is_not_replaced(db, db_path, tmp_path, monkeypatch, capsys):
    import salesdesk.transfer.export as export_module

    out = tmp_path / "deals.csv"
    open_file = export_module.open_file

    def open_while_someone_saves(path, *args, **kwargs):
        handle = open_file(path, *args, **kwargs)
        if Path(path) != out and not out.exists():
            out.write_text("saved by another program meanwhile")
        return handle

    monkeypatch.setattr(export_module, "open_file", open_while_someone_saves)
    assert "left as it is" in refused(capsys, "--db", db_path, "export", "deals", out)
    assert out.read_text() == "saved by another program meanwhile"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    # A file the user chose to replace is replaced.
    assert run(capsys, "--db", db_path, "export", "deals", out, "--replace")[0] == 0
    assert out.read_text(encoding="utf-8-sig").startswith("title")


def test_written_aside_replaces_only_when_told(tmp_path):
    target = tmp_path / "reports" / "report.txt"
    target.parent.mkdir()
    target.write_text("the user's")
    with pytest.raises(SalesDeskError, match="left as it is"):
        with written_aside(target, replace=False) as temp:
            temp.write_text("new")
    assert target.read_text() == "the user's" and list(target.parent.iterdir()) == [target]
    with written_aside(target, replace=True) as temp:
        temp.write_text("new")
    assert target.read_text() == "new" and list(target.parent.iterdir()) == [target]


# --- 7. another database's backup folder ----------------------------------------------------------

def test_nothing_is_written_into_another_databases_backup_folder(tmp_path, capsys):
    a = tmp_path / "ob" / "a.sqlite3"
    a.parent.mkdir()
    open_database(a).close()
    latest = back_up(a, "manual")
    c = tmp_path / "cA.sqlite3"
    open_database(c).close()
    intruder = backup_dir(a) / "a-20991231-235959-000000-manual.sqlite3"
    assert "is in the backup folder of a.sqlite3" in refused(capsys, "--db", c, "backup", intruder)
    assert "is in the backup folder of a.sqlite3" in refused(capsys, "--db", c, "export", "deals",
                                                            backup_dir(a) / "deals.csv")
    a.rename(a.with_name("moved.sqlite3"))  # the folder still holds a's backups: still SalesDesk's
    assert "is in the backup folder of a.sqlite3" in refused(capsys, "--db", c, "backup", intruder)
    assert [p.name for p in backup_dir(a).iterdir()] == [latest.name]


# --- 8. locked, unreadable or half-opened is not damaged -------------------------------------------

def hold_exclusive(path: Path) -> subprocess.Popen:
    """Another program holding the database with locking_mode=EXCLUSIVE until told to stop."""
    script = ("import sqlite3, sys\nc = sqlite3.connect(sys.argv[1])\nc.execute('PRAGMA locking_mode = EXCLUSIVE')\n"
              "c.execute(\"INSERT INTO settings (key, value) VALUES ('held', 'yes')\")\nc.commit()\n"
              "print('holding', flush=True)\nsys.stdin.read()\n")
    child = subprocess.Popen([sys.executable, "-c", script, str(path)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert child.stdout.readline() == b"holding\n"
    return child


def test_a_database_another_program_holds_locked_is_not_called_damaged(db, db_path, tmp_path, capsys, monkeypatch):
    from salesdesk.db import engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 300)  # the wait is not what is tested
    add_branch(db, "Good")
    back_up(db_path, "manual")
    db.close()
    holder = hold_exclusive(db_path)
    try:
        assert quick_problems(db_path) == []
        with pytest.raises(DatabaseError, match="another program holds the database locked"):
            integrity_problems(db_path)
        for command in (["check"], ["export", "deals", tmp_path / "deals.csv"], ["demo"],
                        ["restore", "latest", "--yes"]):
            line = refused(capsys, "--db", db_path, *command)
            assert "another program holds the database locked" in line and "damaged" not in line, command
    finally:
        holder.stdin.close()
        holder.wait(30)
    assert not list(tmp_path.glob("sales-damaged-*")) and not (tmp_path / "deals.csv").exists()


def test_a_wal_that_is_a_folder_or_a_symlink_is_not_damage(db, db_path, tmp_path, capsys):
    add_branch(db, "Good")
    backup = back_up(db_path, "manual")
    db.close()
    before = db_path.read_bytes()
    wal = Path(f"{db_path}-wal")
    for make, undo in ((wal.mkdir, wal.rmdir), (lambda: wal.symlink_to(tmp_path / "elsewhere"), wal.unlink)):
        make()
        try:
            assert quick_problems(db_path) == []
            for command in (["check"], ["restore", backup, "--yes"]):
                line = refused(capsys, "--db", db_path, *command)
                assert "cannot be opened" in line and "damaged" not in line, command
        finally:
            undo()
    assert db_path.read_bytes() == before and not list(tmp_path.glob("sales-damaged-*"))


def test_a_full_disk_is_not_called_damaged(small_disk, capsys):  # noqa: F811
    path = small_disk / "sales.sqlite3"
    open_database(path).close()
    # A program that died with commits only in the -wal; the -shm must be made again to read them.
    writer = ("import os, sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('PRAGMA wal_autocheckpoint = 0');"
              "c.execute(\"INSERT INTO branches (name) VALUES ('Only in the -wal')\"); c.commit(); os._exit(0)")
    subprocess.run([sys.executable, "-c", writer, str(path)], check=True, timeout=60)
    Path(f"{path}-shm").unlink()
    fill(small_disk)
    assert quick_problems(path) == []
    line = refused(capsys, "--db", path, "check")
    assert "cannot be read: disk I/O error" in line and "damaged" not in line and "unexpected" not in line
