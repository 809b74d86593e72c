"""The window's start removes what a killed restore or backup left (issue 11)."""

from __future__ import annotations

import subprocess
import sys

from salesdesk.paths import backup_dir


def dead_pid() -> int:
    """The pid of a process that has ended (as a killed restore's has)."""
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                           check=True)
    return int(child.stdout)


def test_the_window_start_removes_the_copies_killed_restores_and_backups_left(make_window, company_db, qtbot):
    path = company_db.path
    pid = dead_pid()
    restoring = path.with_name(f".{path.name}.restoring-{pid}")
    restoring.write_bytes(b"SQLite format 3\x00 cut short")
    backup_dir(path).mkdir(exist_ok=True)
    partial = backup_dir(path) / f".company-20261201-090000-000000-daily.sqlite3.{pid}.partial"
    partial.write_bytes(b"SQLite format 3\x00 cut short")
    window = make_window(company_db)
    window.start_safety()
    assert window.start_backup()  # what the start timer runs
    window.wait_for_backup()
    assert not restoring.exists() and not partial.exists()
