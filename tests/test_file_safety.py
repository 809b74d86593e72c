"""A confirmed change survives a crash even after another program read the file.

The defect this guards against: the window's background integrity check sniffed the
file's header with ``open()``; closing that descriptor dropped every POSIX lock the
process held on the database, SQLite's included.  The next program that read the file
found no other user, checkpointed and deleted the ``-wal`` the window went on writing
to, and a move the window had confirmed was gone after ``kill -9``.
"""

from __future__ import annotations

import ast
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from salesdesk.db.migrate import open_database
from salesdesk.errors import DatabaseError
from salesdesk.safety.files import held_here, open_file, sqlite_kind
from salesdesk.services.demo import load_demo
from salesdesk.transfer.problems import ImportRefused
from salesdesk.transfer.reading import open_sheet

ROOT = Path(__file__).parent.parent
CHILD = Path(__file__).parent / "children" / "move_child.py"
OUTSIDE_READER = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('SELECT count(*) FROM deals').fetchall(); c.close()"


@pytest.fixture
def demo_file(tmp_path) -> Path:
    path = tmp_path / "sales.sqlite3"
    db = open_database(path)
    load_demo(db, deals=120)
    db.close()
    return path


def read_from_another_program(path: Path) -> None:
    subprocess.run([sys.executable, "-c", OUTSIDE_READER, str(path)], check=True, timeout=60)


@pytest.mark.parametrize("mode", ["services", "window"])
def test_a_confirmed_move_survives_a_kill_after_another_program_read_the_file(demo_file, tmp_path, mode):
    go = tmp_path / "go"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen([sys.executable, str(CHILD), str(demo_file), mode, str(go)], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline() == "ready\n", child.stderr.read()
        read_from_another_program(demo_file)
        # The window still has the file open: the other program must have left its -wal alone.
        assert Path(f"{demo_file}-wal").exists()
        go.touch()
        line = child.stdout.readline()
        assert line.startswith("moved "), child.stderr.read()
        read_from_another_program(demo_file)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)
    _, deal_id, stage_id, audit_id = line.split()
    connection = sqlite3.connect(demo_file)
    try:
        assert connection.execute("SELECT stage_id FROM deals WHERE id = ?", (int(deal_id),)).fetchone() == (int(stage_id),)
        assert connection.execute("SELECT action, entity_id FROM audit_log WHERE id = ?",
                                  (int(audit_id),)).fetchone() == ("move", int(deal_id))
        assert connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        connection.close()


def test_what_a_file_is_is_asked_without_dropping_the_locks(demo_file, tmp_path):
    """The sniff itself, in this process: the database stays locked against the outside reader."""
    db = open_database(demo_file)
    try:
        with db.read() as reader:
            reader.scalar("SELECT count(*) FROM deals")
        assert sqlite_kind(demo_file) == "sqlite"
        read_from_another_program(demo_file)
        assert Path(f"{demo_file}-wal").exists()
    finally:
        db.close()
    (tmp_path / "empty").touch()
    (tmp_path / "notes.txt").write_text("not a database, but long enough to hold a header of one\n" * 3)
    assert [sqlite_kind(tmp_path / name) for name in ("empty", "notes.txt", "nothing", ".")] == \
        ["empty", "other", "missing", "folder"]


def test_a_file_this_process_has_open_is_never_opened_by_name(demo_file, tmp_path):
    """The database under a second name (a hard link, a symlink) offered as a CSV to import."""
    hard, soft = tmp_path / "deals.csv", tmp_path / "link.csv"
    os.link(demo_file, hard)
    soft.symlink_to(demo_file)
    db = open_database(demo_file)
    try:
        with db.read() as reader:
            reader.scalar("SELECT count(*) FROM deals")
        for name in (hard, soft, demo_file, Path(f"{demo_file}-wal")):
            assert held_here(name)
            with pytest.raises(DatabaseError, match="is a database file SalesDesk has open"):
                open_file(name, "rb")
        with pytest.raises(ImportRefused) as refused:
            with open_sheet(hard):
                pass
        assert "is a database (SalesDesk's or another program's), not a CSV or XLSX file" in str(refused.value.problems[0])
        read_from_another_program(demo_file)
        assert Path(f"{demo_file}-wal").exists()
    finally:
        db.close()


# Opening a file by name anywhere but here could close a descriptor of the database.
PLAIN_OPENERS = {"open", "read_bytes", "read_text", "write_text", "write_bytes", "load_workbook", "fdopen"}
ALLOWED = {
    "salesdesk/safety/files.py": "the one home of open_file",
    "salesdesk/safety/instance_lock.py": "opens the database only to lock it, and never closes a descriptor "
                                         "while the process has the file open otherwise",
}
ALLOWED_CALLS = {
    ("salesdesk/safety/location.py", "Path('/proc/self/mountinfo').read_text()"),
    ("salesdesk/resource_files.py", "path(*parts).read_bytes()"),  # icons and other shipped files
    ("salesdesk/transfer/xlsx.py", "self.archive.open(info)"),  # a part of an archive open_file opened
    ("salesdesk/transfer/export.py", "archive.open('xl/worksheets/sheet1.xml', 'w')"),  # a part being written
}


def plain_opens() -> list[str]:
    found = []
    for path in sorted((ROOT / "salesdesk").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        if name in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called not in PLAIN_OPENERS:
                continue
            if called == "open" and isinstance(func, ast.Attribute) and not node.args and not node.keywords:
                continue  # QDialog.open(): shows a dialog
            if (name, ast.unparse(node)) in ALLOWED_CALLS:
                continue
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_module_opens_files_by_name_but_through_open_file():
    assert plain_opens() == []
