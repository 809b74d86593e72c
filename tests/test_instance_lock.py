"""One SalesDesk per database file (README: Data safety): a second one is told who has it
open and may open it read-only; a lock left by a killed process is recovered."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from salesdesk.db.migrate import open_database
from salesdesk.errors import DatabaseError
from salesdesk.safety.instance_lock import DatabaseInUse, InstanceLock
from tests.conftest import dump

HOLDER = textwrap.dedent("""
    import sys, time
    from salesdesk.safety.instance_lock import InstanceLock
    lock = InstanceLock(sys.argv[1]).acquire()
    print("locked", flush=True)
    time.sleep(60)
""")


def hold_in_child(path) -> subprocess.Popen:
    child = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "locked"
    return child


def test_a_second_instance_is_told_who_has_the_file_open(db_path):
    first = InstanceLock(db_path).acquire()
    try:
        with pytest.raises(DatabaseInUse) as refused:
            InstanceLock(db_path).acquire()
        assert str(refused.value) == f"SalesDesk already has {db_path} open (pid {os.getpid()})"
        assert refused.value.holder.pid == os.getpid()
    finally:
        first.release()
    with InstanceLock(db_path) as again:  # released: the next one gets it
        assert again.held


def test_a_lock_left_by_a_killed_process_is_recovered(db_path):
    child = hold_in_child(db_path)
    try:
        lock = InstanceLock(db_path)
        assert lock.holder().pid == child.pid
        with pytest.raises(DatabaseInUse, match=f"pid {child.pid}"):
            lock.acquire()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    lock.acquire()  # the kernel dropped the lock with the process
    assert lock.held and lock.holder().pid == os.getpid()
    lock.release()


def test_a_read_only_second_instance_reads_but_refuses_writes(db, db_path, org):
    from salesdesk.services import branches

    first = InstanceLock(db_path).acquire()
    try:
        with pytest.raises(DatabaseInUse):
            InstanceLock(db_path).acquire()
        second = open_database(db_path, read_only=True)
        try:
            with second.read() as reader:
                assert reader.scalar("SELECT count(*) FROM people") == 8
            before = dump(db)
            with pytest.raises(DatabaseError) as refused:
                with second.transaction() as s:
                    branches.add_branch(s, "Sneaky")
            assert str(refused.value) == ("The change could not be saved: this window opened the database read-only, "
                                          "so it cannot change it. Nothing was half-written.")
            assert dump(db) == before
        finally:
            second.close()
    finally:
        first.release()


def test_restore_on_the_command_line_waits_for_the_window_to_close(db, db_path):
    from salesdesk.safety.backups import back_up

    copy = back_up(db_path, "manual")
    db.close()
    child = hold_in_child(db_path)
    try:
        result = subprocess.run([sys.executable, "-m", "salesdesk", "--db", str(db_path), "restore", str(copy), "--yes"],
                                capture_output=True, text=True, timeout=60)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert result.returncode == 1
    assert result.stderr == f"salesdesk: error: SalesDesk already has {db_path} open (pid {child.pid})\n"
    assert not list(db_path.parent.glob("*before-restore*"))


# --- the lock belongs to the file, not to one of its names -------------------------------------

def other_names(db_path):
    """A hard link, a symlink and a path through '..' to the same file."""
    hard = db_path.parent / "second-name.sqlite3"
    os.link(db_path, hard)
    soft = db_path.parent / "shortcut.sqlite3"
    soft.symlink_to(db_path)
    (db_path.parent / "sub").mkdir()
    return {"hard link": hard, "symlink": soft, "dot-dot": db_path.parent / "sub" / ".." / db_path.name}


def test_every_name_of_the_file_shares_one_lock(db, db_path):
    names = other_names(db_path)
    first = InstanceLock(db_path).acquire()
    try:
        for _how, name in names.items():
            with pytest.raises(DatabaseInUse, match=f"pid {os.getpid()}"):
                InstanceLock(name).acquire()
    finally:
        first.release()
    child = hold_in_child(names["hard link"])  # another process, through the second name
    try:
        for name in (db_path, *names.values()):
            with pytest.raises(DatabaseInUse, match=f"pid {child.pid}"):
                InstanceLock(name).acquire()
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    with InstanceLock(names["symlink"]) as lock:
        assert lock.held


def test_an_import_through_a_second_name_is_refused_while_the_first_has_the_file(tmp_path):
    """Before, each name had its own lock: two imports ran at once and the file was malformed."""
    from tests.test_cli import one_error_line, salesdesk

    db_path = tmp_path / "sales.sqlite3"
    open_database(db_path).close()
    hard = tmp_path / "hardlink.sqlite3"
    os.link(db_path, hard)
    source = tmp_path / "accounts.csv"
    source.write_text("name\nAcme\n", encoding="utf-8")
    child = hold_in_child(hard)  # an import (or a window) working through the second name
    try:
        refused = salesdesk("--db", str(db_path), "import", "accounts", str(source))
        assert one_error_line(refused, code=1) == \
            f"salesdesk: error: SalesDesk already has {db_path} open (pid {child.pid})"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert salesdesk("--db", str(hard), "import", "accounts", str(source)).returncode == 0
    connection = sqlite3.connect(db_path)
    try:
        assert connection.execute("SELECT name FROM accounts").fetchall() == [("Acme",)]
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()


def test_a_symlinked_lock_file_is_never_followed_or_truncated(db, db_path, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("a file of the user's\n")
    (tmp_path / f"{db_path.name}.lock").symlink_to(precious)
    lock = InstanceLock(db_path).acquire()
    try:
        assert precious.read_text() == "a file of the user's\n"
        with pytest.raises(DatabaseInUse):  # the lock still holds, without its name written
            InstanceLock(db_path).acquire()
    finally:
        lock.release()
    assert precious.read_text() == "a file of the user's\n"
    assert (tmp_path / f"{db_path.name}.lock").is_symlink()


def test_a_foreign_file_where_the_lock_file_goes_is_left_alone(db, db_path, tmp_path):
    foreign = tmp_path / f"{db_path.name}.lock"
    foreign.write_text("someone else's notes\n")
    with InstanceLock(db_path):
        assert foreign.read_text() == "someone else's notes\n"
    assert foreign.read_text() == "someone else's notes\n"


def test_a_folder_where_the_lock_file_goes_does_not_open_the_door_to_two_writers(db, db_path, tmp_path):
    (tmp_path / f"{db_path.name}.lock").mkdir()
    first = InstanceLock(db_path).acquire()
    try:
        assert first.held
        with pytest.raises(DatabaseInUse, match="another program|pid"):
            InstanceLock(db_path).acquire()
    finally:
        first.release()


def test_a_file_that_cannot_be_locked_is_refused_not_opened_unlocked(db, db_path, monkeypatch):
    """Fail closed: a file system without locks means no second-writer protection, so no writes."""
    import errno

    from salesdesk.safety import instance_lock
    from salesdesk.safety.instance_lock import LockUnavailable

    def no_locks(fd, kind):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(instance_lock, "_lock", no_locks)
    with pytest.raises(LockUnavailable, match="cannot be locked against a second SalesDesk"):
        InstanceLock(db_path).acquire()


def test_the_lock_leaves_no_file_beside_the_database(db, db_path):
    before = sorted(p.name for p in db_path.parent.iterdir())
    with InstanceLock(db_path) as lock:
        assert lock.holder().pid == os.getpid()
        assert sorted(p.name for p in db_path.parent.iterdir()) == before
    assert InstanceLock(db_path).holder() is None


def test_closing_the_lock_never_drops_sqlite_locks_of_the_same_process(db, db_path):
    """A refused second lock in the process that has the file open: its descriptor stays
    open, or another program's read would delete the -wal the window writes to."""
    with db.read() as reader:
        reader.scalar("SELECT count(*) FROM people")
    first = InstanceLock(db_path).acquire()
    with pytest.raises(DatabaseInUse):
        InstanceLock(db_path).acquire()
    first.release()
    read_from_another_program_people(db_path)
    assert (db_path.parent / f"{db_path.name}-wal").exists()


def read_from_another_program_people(path) -> None:
    subprocess.run([sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                    "c.execute('SELECT count(*) FROM people').fetchall(); c.close()", str(path)], check=True, timeout=60)


def test_a_restore_keeps_the_restored_file_locked(db, db_path):
    """The lock belongs to the file, and a restore brings a new file: the lock moves onto
    it before the rename, so a second SalesDesk never gets the restored file."""
    from salesdesk.safety.backups import back_up
    from salesdesk.safety.restore import restore_backup

    copy = back_up(db_path, "manual")
    db.close()
    lock = InstanceLock(db_path).acquire()
    try:
        restore_backup(copy, db_path, lock=lock)
        with pytest.raises(DatabaseInUse, match=f"pid {os.getpid()}"):
            InstanceLock(db_path).acquire()
    finally:
        lock.release()
    with InstanceLock(db_path) as again:
        assert again.held


def test_an_empty_file_the_lock_made_goes_with_the_lock(tmp_path):
    """A window or a command refused before writing a new database leaves no file behind."""
    path = tmp_path / "new.sqlite3"
    with InstanceLock(path):
        assert path.exists() and path.stat().st_size == 0
    assert not path.exists()
    path.touch()  # the user's own empty file stays
    with InstanceLock(path):
        pass
    assert path.exists()


def test_another_programs_lock_over_the_whole_file_names_no_pid(db_path):
    open_database(db_path).close()
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
        import fcntl, os, sys, time
        fd = os.open(sys.argv[1], os.O_RDWR)
        fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 0, 0)  # every byte, the POSIX way
        print("locked", flush=True)
        time.sleep(60)
    """), str(db_path)], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "locked"
        with pytest.raises(DatabaseInUse) as refused:
            InstanceLock(db_path).acquire()
        assert str(refused.value) == f"SalesDesk already has {db_path} open (another program)"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
