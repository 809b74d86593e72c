"""The command line as a scheduled job or a user at a terminal meets it."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys

import pytest


def salesdesk(*args, env=None, tmp_path=None):
    environment = dict(os.environ)
    environment.update(env or {})
    return subprocess.run([sys.executable, "-m", "salesdesk", *args], capture_output=True, text=True,
                          env=environment, timeout=120)


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def one_error_line(result, *, code=1):
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("salesdesk: error: ")
    return lines[0]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "demo.sqlite3"
    result = salesdesk("--db", str(path), "demo", "--deals", "300", "--seed", "7")
    assert result.returncode == 0, result.stderr
    assert "Demo company written" in result.stdout and "300 deals" in result.stdout
    return path


def test_version_and_help():
    from salesdesk import __version__

    assert salesdesk("--version").stdout.strip() == f"SalesDesk {__version__}"
    result = salesdesk("--help")
    assert result.returncode == 0
    for command in ("demo", "check", "backup", "--db"):
        assert command in result.stdout


def test_demo_then_check_succeed(demo_db):
    result = salesdesk("--db", str(demo_db), "check")
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout and "300 deals" in result.stdout


def test_demo_into_a_database_with_data_is_refused_and_changes_nothing(demo_db):
    before = digest(demo_db)
    line = one_error_line(salesdesk("--db", str(demo_db), "demo"))
    assert "already holds data" in line
    assert salesdesk("--db", str(demo_db), "demo", "--if-empty").returncode == 0
    assert digest(demo_db) == before


def test_demo_goes_to_the_default_database_in_the_user_data_folder(tmp_path):
    data = tmp_path / "user-data"
    result = salesdesk("demo", "--deals", "50", env={"SALESDESK_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    assert (data / "salesdesk.sqlite3").exists()


def test_check_of_a_missing_file_creates_nothing(tmp_path):
    line = one_error_line(salesdesk("--db", str(tmp_path / "typo.sqlite3"), "check"))
    assert "no such database file" in line
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_a_salesdesk_database(tmp_path):
    text_file = tmp_path / "notes.txt"
    text_file.write_text("hello")
    assert "not a SalesDesk database" in one_error_line(salesdesk("--db", str(text_file), "check"))
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE recipes (id INTEGER)")
    c.close()
    before = digest(other)
    assert "not a SalesDesk database" in one_error_line(salesdesk("--db", str(other), "demo"))
    assert digest(other) == before


def test_a_newer_schema_is_refused(tmp_path, demo_db):
    copy = tmp_path / "newer.sqlite3"
    backup = tmp_path / "backup.sqlite3"  # restored into a new file: a database, no longer a backup
    assert salesdesk("--db", str(demo_db), "backup", str(backup)).returncode == 0
    assert salesdesk("--db", str(copy), "restore", str(backup), "--yes").returncode == 0
    with sqlite3.connect(copy) as c:
        c.execute("UPDATE alembic_version SET version_num = 'ffff0000'")
    c.close()
    before = digest(copy)
    for command in (["check"], ["demo"], ["backup", str(tmp_path / "x.sqlite3")]):
        assert "newer version of SalesDesk" in one_error_line(salesdesk("--db", str(copy), *command))
    assert digest(copy) == before


def test_check_reports_broken_rules_with_a_non_zero_exit(tmp_path, demo_db):
    copy = tmp_path / "broken.sqlite3"
    assert salesdesk("--db", str(demo_db), "backup", str(copy)).returncode == 0
    with sqlite3.connect(copy) as c:
        c.execute("UPDATE people SET manager_id = NULL WHERE id = (SELECT max(id) FROM people WHERE active)")
    c.close()
    result = salesdesk("--db", str(copy), "check")
    assert result.returncode == 1
    assert "people at the top; it needs exactly one" in result.stderr


def test_backup_writes_a_verified_copy_and_never_overwrites(tmp_path, demo_db):
    dest = tmp_path / "copy.sqlite3"
    result = salesdesk("--db", str(demo_db), "backup", str(dest))
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(dest) as c:
        assert c.execute("SELECT count(*) FROM deals").fetchone() == (300,)
    c.close()
    before = digest(dest)
    assert "already exists" in one_error_line(salesdesk("--db", str(demo_db), "backup", str(dest)))
    assert digest(dest) == before
    assert "no such folder" in one_error_line(salesdesk("--db", str(demo_db), "backup", str(tmp_path / "no" / "x.db")))


@pytest.mark.parametrize("args", [["bogus"], ["demo", "--deals", "many"], ["demo", "--deals", "-3"], ["restore"]])
def test_usage_errors_are_one_line_with_exit_2(args, tmp_path):
    one_error_line(salesdesk("--db", str(tmp_path / "x.sqlite3"), *args), code=2)
    assert not (tmp_path / "x.sqlite3").exists()


def test_commands_do_not_load_qt(demo_db):
    script = (
        "import sys; from salesdesk.cli import main; "
        f"code = main(['--db', {str(demo_db)!r}, 'check']); "
        "assert not [m for m in sys.modules if m.startswith('PySide6')], 'Qt was imported'; sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
