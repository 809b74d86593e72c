"""Failures of the storage during use (README: Data safety): a full disk, a read-only file, a
database another program keeps locked.  Each time: one clear message, nothing
half-written, the database exactly as before, and the same change works once the
cause is gone."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import event

from salesdesk.db import engine as engine_module
from salesdesk.db.backup import integrity_problems
from salesdesk.db.migrate import open_database
from salesdesk.errors import DatabaseError
from tests.conftest import Org, dump

LONG_NOTE = "Call back after the budget meeting. " * 4000  # about 140 kB: needs new pages


def edit_notes(database, deal_id: int, notes: str) -> None:
    from salesdesk.services import deals

    with database.transaction() as s:
        deals.edit_deal(s, deal_id, notes=notes)


def make_deal(org: Org) -> int:
    from salesdesk.services import deals

    with org.db.transaction() as s:
        return deals.create_deal(s, title="Fleet renewal", owner_id=org.people["sp1"],
                                 stage_id=org.stages["Proposal"], amount=12_000)


def assert_refused_cleanly(database, deal_id, before, message):
    with pytest.raises(DatabaseError) as refused:
        edit_notes(database, deal_id, LONG_NOTE)
    assert str(refused.value) == f"The change could not be saved: {message}. Nothing was half-written."
    assert dump(database) == before
    assert integrity_problems(database.path) == []


# --- a full disk --------------------------------------------------------------------------

@pytest.fixture
def small_disk(tmp_path):
    """A real 2 MB file system (tmpfs), when this test may mount one (root on Linux)."""
    folder = tmp_path / "small-disk"
    folder.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                             capture_output=True).returncode == 0
    if not mounted:
        pytest.skip("cannot mount a small file system here (needs root); the injected case covers it")
    yield folder
    subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(disk: Path) -> Path:
    """Fill the disk to the last block with a file of someone else's; that file."""
    filler = disk / "someone-elses-big-download"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_a_full_disk_refuses_the_change_and_keeps_the_database(small_disk):
    database = open_database(small_disk / "sales.sqlite3")
    try:
        org = Org(database)
        deal_id = make_deal(org)
        edit_notes(database, deal_id, "short")  # -wal and -shm exist, as in a running program
        before = dump(database)
        filler = fill(small_disk)
        assert_refused_cleanly(database, deal_id, before, "the disk is full")
        filler.unlink()
        edit_notes(database, deal_id, LONG_NOTE)  # space again: the same change goes through
        assert len(dump(database)["deals"][0][list(_deal_columns(database)).index("notes")]) == len(LONG_NOTE)
    finally:
        database.close()


def _deal_columns(database):
    with sqlite3.connect(database.path) as c:
        return [r[1] for r in c.execute("PRAGMA table_info(deals)") if r[1] != "version"]


def test_a_full_database_is_refused_the_same_way_when_injected(org, db):
    """Where no small file system can be mounted: SQLite's own SQLITE_FULL, raised by
    capping the file at its current size (PRAGMA max_page_count)."""
    deal_id = make_deal(org)
    before = dump(db)
    db.engine.dispose()

    @event.listens_for(db.engine, "connect")
    def cap_size(dbapi_connection, _record):
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    assert_refused_cleanly(db, deal_id, before, "the disk is full")
    event.remove(db.engine, "connect", cap_size)
    db.engine.dispose()
    edit_notes(db, deal_id, LONG_NOTE)


# --- a read-only file ---------------------------------------------------------------------

def make_read_only(path: Path):
    """Write-protect ``path`` so that even root cannot write it (chattr +i), or with
    chmod for a normal user; returns the undo."""
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode == 0:
        return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)
    path.chmod(0o444)
    probe = sqlite3.connect(path)
    try:
        probe.execute("CREATE TABLE probe (x)")
        writable = True
    except sqlite3.OperationalError:
        writable = False
    probe.close()
    if writable:
        pytest.skip("cannot write-protect a file here")
    return lambda: path.chmod(0o644)


def test_a_read_only_file_refuses_the_change_and_keeps_the_database(db_path):
    database = open_database(db_path)
    org = Org(database)
    deal_id = make_deal(org)
    database.close()  # a clean close folds the -wal into the file
    undo = make_read_only(db_path)
    try:
        database = open_database(db_path)
        before = dump(database)
        assert_refused_cleanly(database, deal_id, before, "the database file is read-only")
        database.close()
    finally:
        undo()
    database = open_database(db_path)
    edit_notes(database, deal_id, LONG_NOTE)
    database.close()


# --- a database another program keeps locked ------------------------------------------------

def test_a_database_locked_by_another_program_is_refused_after_the_busy_timeout(org, db, db_path, monkeypatch):
    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 300)
    db.engine.dispose()  # new connections take the short timeout
    deal_id = make_deal(org)
    before = dump(db)
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another program's write transaction
    other.execute("INSERT INTO branches (name, active) VALUES ('Theirs', 1)")
    try:
        with pytest.raises(DatabaseError) as refused:
            edit_notes(db, deal_id, "mine")
        assert str(refused.value) == ("The change could not be saved: another program is using the database and "
                                      "kept it locked for 0.3 seconds. Nothing was half-written.")
        assert dump(db) == before
    finally:
        other.execute("COMMIT")
        other.close()
    edit_notes(db, deal_id, "mine")  # once they are done, the change goes through...
    after = dump(db)
    assert ("Theirs",) in [(row[1],) for row in after["branches"]]  # ...and nothing of theirs is lost
    assert integrity_problems(db_path) == []


def hold_a_write(db_path, seconds: float) -> threading.Thread:
    """Another program's write transaction, committed after ``seconds``."""
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO branches (name, active) VALUES ('Theirs', 1)")

    def commit_later():
        time.sleep(seconds)
        other.execute("COMMIT")
        other.close()

    thread = threading.Thread(target=commit_later)
    thread.start()
    return thread


def test_an_import_waits_for_another_programs_write_and_both_land(org, db, db_path, tmp_path):
    """Before, the import read first and was refused the moment it tried to write
    (SQLite cannot wait there), while the message spoke of a 5 second wait."""
    from salesdesk.transfer.importer import guess_mapping, import_file

    source = tmp_path / "accounts.csv"
    source.write_text("name\nAcme\nGlobex\n", encoding="utf-8")
    other = hold_a_write(db_path, 1.0)
    try:
        import_file(db, source, guess_mapping(source, "accounts"), backup=False)
    finally:
        other.join()
    with db.read() as reader:
        assert reader.execute("SELECT name FROM accounts ORDER BY name") == [("Acme",), ("Globex",)]
        assert reader.scalar("SELECT count(*) FROM branches WHERE name = 'Theirs'") == 1


def test_a_change_refused_after_the_busy_timeout_says_how_long_it_waited(org, db, db_path, tmp_path, monkeypatch):
    from salesdesk.transfer.importer import guess_mapping, import_file

    monkeypatch.setattr(engine_module, "BUSY_TIMEOUT_MS", 800)
    db.engine.dispose()  # new connections take the short timeout
    source = tmp_path / "accounts.csv"
    source.write_text("name\nAcme\n", encoding="utf-8")
    before = dump(db)
    other = hold_a_write(db_path, 3.0)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseError) as refused:
            import_file(db, source, guess_mapping(source, "accounts"), backup=False)
        waited = time.monotonic() - started
    finally:
        other.join()
    said = float(str(refused.value).split("kept it locked for ")[1].split(" second")[0])
    assert waited >= 0.75 and abs(said - waited) < 0.2, (said, waited)  # it really waited what it says
    after = dump(db)
    theirs = [row for row in after.pop("branches") if row[1] == "Theirs"]
    assert len(theirs) == 1 and after == {k: v for k, v in before.items() if k != "branches"}  # ours: nothing
