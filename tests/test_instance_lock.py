"""One SalesDesk per database file (RELIABILITY.md): a second one is told who has it
open and may open it read-only; a lock left by a killed process is recovered."""

from __future__ import annotations

import os
import signal
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
    assert lock_file_still_names(db_path, child.pid)  # the crash left its record behind...
    lock.acquire()  # ...but the kernel dropped the lock with the process
    assert lock.held and lock.holder().pid == os.getpid()
    lock.release()


def lock_file_still_names(db_path, pid) -> bool:
    return f'"pid": {pid}' in (db_path.parent / f"{db_path.name}.lock").read_text()


def test_a_read_only_second_instance_reads_but_refuses_writes(db, db_path, org):
    from salesdesk.services import people

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
                    people.add_branch(s, "Sneaky")
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
