"""Damaged and foreign files on the command line (issue 11): every command that reads a
file refuses a damaged one in one line and says how to put back a backup; a refused
file is left exactly as found, its folder too (no ``-wal`` or ``-shm`` left beside it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import pytest

from salesdesk.cli import main
from salesdesk.db.migrate import open_database
from salesdesk.errors import DatabaseError
from salesdesk.safety.backups import back_up, list_backups
from salesdesk.safety.files import sidecars
from salesdesk.safety.restore import restore_backup
from tests.test_backups import damage

READ_COMMANDS = {
    "report": lambda out: ["report", "weekly", "--week", "2026-W47", "--out", out / "weekly.pdf"],
    "export": lambda out: ["export", "deals", out / "deals.csv"],
    "backup": lambda out: ["backup"],
    "backup-to": lambda out: ["backup", out / "copy.sqlite3"],
    "import-dry-run": lambda out: ["import", "people", out.parent / "in" / "people.csv", "--dry-run"],
}
# They read the file first, too: nothing is written into a damaged one.
WRITE_COMMANDS = {
    "import": lambda out: ["import", "people", out.parent / "in" / "people.csv"],
    "demo": lambda out: ["demo", "--if-empty"],
}


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    """A small demo company, closed: a WAL-mode file with no ``-wal`` or ``-shm`` beside it."""
    path = tmp_path_factory.mktemp("company") / "sales.sqlite3"
    assert main(["--db", str(path), "demo", "--deals", "80", "--seed", "3"]) == 0
    return path


@pytest.fixture
def sales(company, tmp_path) -> Path:
    """A copy of the company in a folder of its own, with one good backup beside it."""
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "sales.sqlite3"
    shutil.copyfile(company, path)  # nothing has it open: the file alone is the database
    back_up(path, "daily")
    execute(path, "PRAGMA user_version")  # as a closed window leaves it: no -wal, no -shm
    return path


@pytest.fixture
def out(tmp_path) -> Path:
    """The folder for what a command writes; beside it, a file to import."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "people.csv").write_text("name,email,role\nIda Moss,ida@example.com,Salesperson\n",
                                                encoding="utf-8")
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def run(capsys, *args) -> tuple[int, str, list[str]]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err.splitlines()


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (the database, its sidecars, its backups) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def execute(path: Path, *sql: str) -> None:
    connection = sqlite3.connect(path)
    try:
        for statement in sql:
            connection.execute(statement)
        connection.commit()
    finally:
        connection.close()  # the last connection: SQLite removes the -wal and -shm


def garbage_in_middle_pages(path: Path) -> str:
    damage(path)
    return "is damaged ("


def garbage_in_one_page(path: Path) -> str:
    """Noise over the page in the middle of the file: the schema and most rows still read."""
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    middle = len(data) // page // 2 * page
    data[middle:middle + page] = bytes((i * 131 + 17) % 256 for i in range(page))
    path.write_bytes(bytes(data))
    return "is damaged ("


def a_table_dropped(path: Path) -> str:
    execute(path, "DROP TABLE deals")  # foreign keys off, as any SQLite tool opens a file
    return "is damaged (the table deals is missing)"


def a_column_dropped(path: Path) -> str:
    execute(path, "ALTER TABLE deals DROP COLUMN lost_note")
    return "is damaged (the table deals has no column lost_note)"


DAMAGE = {"garbage": garbage_in_middle_pages, "one-page": garbage_in_one_page, "table": a_table_dropped, "column": a_column_dropped}


def restore_advice(path: Path) -> str:
    return f"run: salesdesk --db {path} restore {list_backups(path)[0].path.name}"


@pytest.mark.parametrize("command", [*READ_COMMANDS, *WRITE_COMMANDS])
@pytest.mark.parametrize("how", DAMAGE)
def test_a_damaged_file_is_refused_with_the_restore_command(sales, out, capsys, how, command):
    words = DAMAGE[how](sales)
    before = snapshot(sales.parent)
    code, printed, err = run(capsys, "--db", sales, *{**READ_COMMANDS, **WRITE_COMMANDS}[command](out))
    assert code == 1 and printed == ""
    errors = [line for line in err if line.startswith("salesdesk: error:")]
    assert errors == [err[0]] and err[0].startswith(f"salesdesk: error: {sales}: {words}"), err
    assert len(err) == 2 and err[1].endswith(restore_advice(sales)), err
    assert "unexpected failure" not in "\n".join(err)
    assert list(out.iterdir()) == []
    assert snapshot(sales.parent) == before


@pytest.mark.parametrize("how", DAMAGE)
def test_check_lists_the_damage_and_prints_the_restore_command(sales, capsys, how):
    words = DAMAGE[how](sales)
    before = snapshot(sales.parent)
    code, printed, err = run(capsys, "--db", sales, "check")
    assert code == 1 and printed == ""
    assert err[0].startswith("salesdesk: problem: ")
    if how in ("table", "column"):
        assert err[0] == f"salesdesk: problem: {words[len('is damaged ('):-1]}"
    assert err[-1].endswith(restore_advice(sales))
    assert "unexpected failure" not in "\n".join(err)
    assert snapshot(sales.parent) == before


def zero_bytes(path: Path) -> str:
    path.write_bytes(b"")
    return "is an empty file, not a SalesDesk database"


def a_future_schema(path: Path) -> str:
    execute(path, "UPDATE alembic_version SET version_num = '9999'")
    return "was written by a newer version of SalesDesk (schema 9999); update SalesDesk to open it"


def a_foreign_sqlite_file(path: Path) -> str:
    for name in (path, *sidecars(path)):
        name.unlink(missing_ok=True)
    execute(path, "PRAGMA journal_mode = WAL", "CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)",
            "INSERT INTO recipes (name) VALUES ('bread')")
    return "is not a SalesDesk database (it holds other tables: recipes)"


FOREIGN = {"zero-bytes": zero_bytes, "future": a_future_schema, "foreign": a_foreign_sqlite_file}


# An empty file is a new database to an import, its dry run included (tests/test_import_cli.py).
@pytest.mark.parametrize(("how", "command"), [(how, command) for how in FOREIGN for command in [*READ_COMMANDS, "check"]
                                              if (how, command) != ("zero-bytes", "import-dry-run")])
def test_a_file_that_cannot_be_read_is_refused_in_one_line_and_left_as_found(sales, out, capsys, how, command):
    words = FOREIGN[how](sales)
    assert not Path(f"{sales}-wal").exists() and not Path(f"{sales}-shm").exists()
    before = snapshot(sales.parent)
    args = ["check"] if command == "check" else READ_COMMANDS[command](out)
    code, printed, err = run(capsys, "--db", sales, *args)
    assert code == 1 and printed == ""
    assert err == [f"salesdesk: error: {sales}: {words}"]
    assert list(out.iterdir()) == []
    assert snapshot(sales.parent) == before  # no -wal, no -shm, no backup folder entry


@pytest.mark.parametrize("how", ["table", "column"])
def test_every_open_checks_the_tables_and_columns(sales, how):
    """The window's open (and every command's) takes the fast path on a current file:
    it checks the schema too, so a missing table is not first met inside a screen."""
    words = DAMAGE[how](sales)
    before = snapshot(sales.parent)
    for read_only in (False, True):
        with pytest.raises(DatabaseError) as refused:
            open_database(sales, read_only=read_only)
        assert str(refused.value) == f"{sales}: {words}"
    assert snapshot(sales.parent) == before


def test_a_copy_missing_a_table_does_not_verify_and_is_never_restored(sales, tmp_path, capsys):
    a_table_dropped(sales)
    kept = list_backups(sales)
    with pytest.raises(DatabaseError, match="the backup did not verify \\(the table deals is missing\\)"):
        back_up(sales, "manual")
    assert list_backups(sales) == kept

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    good, broken = elsewhere / "good.sqlite3", elsewhere / "broken.sqlite3"
    restore_backup(kept[0].path, good)  # a database (a copy of the backup would be a backup, never changed)
    shutil.copyfile(kept[0].path, broken)
    a_table_dropped(broken)
    before = snapshot(elsewhere)
    code, printed, err = run(capsys, "--db", good, "restore", broken, "--yes")
    assert code == 1 and printed == ""
    assert err == [f"salesdesk: error: {broken}: the backup is damaged (the table deals is missing); "
                   "choose another one"]
    assert snapshot(elsewhere) == before
    assert run(capsys, "--db", good, "check")[0] == 0


# --- weeks a report cannot be about ------------------------------------------------------

@pytest.mark.parametrize(("week", "words"), [
    ("9999-W52", "9999-W52: SalesDesk reports on weeks of the years 2 to 9998"),
    ("0001-W01", "0001-W01: SalesDesk reports on weeks of the years 2 to 9998"),
    ("2025-W53", "2025 has no week 53; its last week is 2025-W52"),
    ("2026-W00", "2026 has no week 0; its first week is 2026-W01"),
    ("2026-13", "'2026-13' is not an ISO week; write it like 2026-W48"),
    ("garbage", "'garbage' is not an ISO week; write it like 2026-W48"),
])
def test_a_week_outside_the_calendar_is_refused_in_words(sales, out, capsys, week, words):
    code, printed, err = run(capsys, "--db", sales, "report", "weekly", "--week", week, "--out", out / "w.pdf")
    assert code == 1 and printed == ""
    assert err == [f"salesdesk: error: {words}"]
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("label", ["0002-W01", "9998-W52"])
def test_the_first_and_last_weeks_of_the_range_make_a_report(company, label):
    """The range in the refusal is the one the report's arithmetic (the week before, the
    quarter, stale limits) really handles."""
    from salesdesk.domain.periods import parse_iso_week
    from salesdesk.reports.weekly import parse_scope, weekly_report

    week = parse_iso_week(label)
    db = open_database(company, create=False, read_only=True)
    try:
        with db.read() as reader:
            report = weekly_report(reader, week, parse_scope(reader, "company"), today=dt.date(2026, 12, 2))
    finally:
        db.close()
    assert report.week.label == label and report.quarter.start <= week.last_day


# --- a backup named as the database of a command that changes it -------------------------------

@pytest.mark.parametrize("command", [["demo"], ["import", "accounts", "ACCOUNTS"], ["restore", "latest", "--yes"]])
def test_a_backup_given_as_the_database_is_never_changed(tmp_path, command):
    from tests.test_cli import one_error_line, salesdesk

    db_path = tmp_path / "sales.sqlite3"
    open_database(db_path).close()
    copy = back_up(db_path, "manual")
    back_up(db_path, "manual")  # a newer one, for restore latest
    source = tmp_path / "accounts.csv"
    source.write_text("name\nAcme\n", encoding="utf-8")
    before = hashlib.sha256(copy.read_bytes()).hexdigest()
    result = salesdesk("--db", str(copy), *[str(source) if part == "ACCOUNTS" else part for part in command])
    assert one_error_line(result, code=1) == (f"salesdesk: error: {copy}: is a backup, which SalesDesk never "
                                              "changes; restore it into a new file (salesdesk --db NEW.sqlite3 "
                                              f"restore {copy}), then change that")
    assert hashlib.sha256(copy.read_bytes()).hexdigest() == before
    assert not any(p.exists() for p in (Path(f"{copy}-wal"), Path(f"{copy}-shm")))
