"""Names people (and attackers) give: every command works on the file named, whatever
characters its name holds, and refuses in one line what it cannot use.

- ``?``, ``#`` and ``%`` mean something in a ``file:`` URI: unquoted, a read, a backup or
  the window's watch would open *another* file (``a?h.sqlite3`` opened ``a``);
- an empty ``--db``, a pipe, a device, a socket, a URL of an unknown kind, a driver that
  is not installed, an in-memory database, a binary or endlessly nested mapping;
- a full disk under an XLSX export;
- names so long that a name SalesDesk derives from them (aside, temporary) would pass
  NAME_MAX (255 bytes), or the 512 bytes of a full name SQLite opens.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from salesdesk.errors import SalesDeskError, ValidationError
from salesdesk.paths import backup_dir
from salesdesk.safety.files import (
    NAME_MAX,
    SIDECARS,
    SQLITE_PATH_MAX,
    fit_name,
    from_stem,
    open_file,
    sqlite_kind,
)
from tests.test_cli import one_error_line, salesdesk

ROOT = Path(__file__).parent.parent


def run(*args, cwd=None, timeout=60):
    """The command line, failing (not hanging) when a command waits forever."""
    try:
        return subprocess.run([sys.executable, "-m", "salesdesk", *args], capture_output=True, text=True,
                              timeout=timeout, cwd=cwd, env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        pytest.fail(f"salesdesk {' '.join(args)} hung")


def deals_in(path: Path) -> int:
    connection = sqlite3.connect(f"{Path(path).as_uri()}?mode=ro", uri=True)  # quoted by pathlib, not by us
    try:
        return connection.execute("SELECT count(*) FROM deals").fetchone()[0]
    finally:
        connection.close()


def files_under(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*") if p.is_file()}


# --- 1. ?, # and % in names: the right file, and only it --------------------------------------

HOSTILE_NAMES = [
    "a?h.sqlite3",
    "C#/crm/sales.sqlite3",
    "c%41.sqlite3",
    "50% off/sales%2F%.sqlite3",
    "q?x#y/Verkäufe 東京 plan.sqlite3",
    "two\nlines.sqlite3",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=lambda n: n.encode("unicode_escape").decode())
def test_every_command_works_on_the_file_named_and_leaves_no_stray_file(tmp_path, name):
    place = tmp_path / "place"
    database = place / name
    database.parent.mkdir(parents=True)
    out = tmp_path / "out"
    out.mkdir()
    db = str(database)

    result = run("--db", db, "demo", "--deals", "40")
    assert result.returncode == 0, result.stderr
    assert deals_in(database) == 40

    result = run("--db", db, "check")
    assert result.returncode == 0, result.stderr
    assert "40 deals" in result.stdout

    result = run("--db", db, "backup")
    assert result.returncode == 0, result.stderr
    copies = list(backup_dir(database).iterdir())
    assert len(copies) == 1 and deals_in(copies[0]) == 40

    result = run("--db", db, "export", "deals", str(out / "deals.csv"))
    assert result.returncode == 0, result.stderr
    assert len((out / "deals.csv").read_text(encoding="utf-8-sig").strip().splitlines()) == 41

    result = run("--db", db, "report", "weekly", "--out", str(out / "weekly.pdf"))
    assert result.returncode == 0, result.stderr
    assert (out / "weekly.pdf").read_bytes().startswith(b"%PDF")

    result = run("--db", db, "restore", "latest", "--yes")
    assert result.returncode == 0, result.stderr
    assert deals_in(database) == 40

    # Nothing anywhere but the database, its backups, the file it was kept as, and the outputs.
    stray = [p for p in files_under(place)
             if p.parent not in (database.parent, backup_dir(database)) or not p.name.startswith(database.stem)]
    assert stray == []
    assert sorted(p.name for p in out.iterdir()) == ["deals.csv", "weekly.pdf"]


def test_the_window_s_reader_and_watch_read_the_file_named(tmp_path):
    """The reads the window makes (``Database.read``, the read-only engine, the automatic
    backups' watch), without the command line."""
    from salesdesk.db.backup import backup_file
    from salesdesk.db.migrate import open_database
    from salesdesk.safety.backups import AutoBackup
    from salesdesk.services.demo import load_demo

    (tmp_path / "a").write_bytes(b"")  # what an unquoted a?h.sqlite3 would open instead
    path = tmp_path / "a?h%41#x.sqlite3"
    db = open_database(path)
    load_demo(db, deals=20)
    db.close()
    reader = open_database(path, read_only=True)
    try:
        with reader.read() as read:
            assert read.scalar("SELECT count(*) FROM deals") == 20
        with reader.session() as session:
            from sqlalchemy import text

            assert session.scalar(text("SELECT count(*) FROM deals")) == 20
    finally:
        reader.close()
    watch = AutoBackup(path)
    try:
        assert watch._data_version() is not None
        assert deals_in(watch.back_up("manual")) == 20
    finally:
        watch.close()
    assert deals_in(backup_file(path, dest=tmp_path / "copy.sqlite3")) == 20
    assert (tmp_path / "a").read_bytes() == b""


# --- 2. an empty --db ------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [["check"], ["demo", "--deals", "5"], ["backup", "--list"]])
def test_an_empty_db_is_refused_not_taken_for_the_default_database(tmp_path, command):
    data = Path(os.environ["SALESDESK_DATA_DIR"])
    line = one_error_line(run("--db", "", *command))
    assert "--db" in line and "empty" in line
    assert not data.exists() or list(data.rglob("*.sqlite3")) == []


# --- 3. pipes, devices and sockets -------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path) -> Path:
    path = tmp_path / "pipe.sqlite3"
    os.mkfifo(path)
    return path


@pytest.fixture
def unix_socket(tmp_path):
    path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    yield path
    server.close()


def test_what_a_pipe_a_device_or_a_socket_is_is_said_without_opening_it(fifo, unix_socket):
    assert sqlite_kind(fifo) == "special"  # opening a pipe would wait for a writer forever
    assert sqlite_kind(unix_socket) == "special"
    assert sqlite_kind("/dev/null") == "special"  # not "empty": SQLite would write into it


def test_open_file_refuses_what_is_not_an_ordinary_file(unix_socket):
    for path in ("/dev/null", unix_socket):
        with pytest.raises(ValidationError, match="is not an ordinary file"):
            open_file(path)
        with pytest.raises(ValidationError, match="is not an ordinary file"):
            open_file(path, "w")


@pytest.mark.parametrize("command", [
    ["check"], ["backup"], ["demo", "--deals", "5"], ["export", "deals", "OUT/deals.csv"],
    ["report", "weekly", "--out", "OUT/weekly.pdf"], ["restore", "latest", "--yes"], ["backup", "--list"],
])
def test_a_pipe_as_the_database_is_refused_at_once(fifo, tmp_path, command):
    command = [part.replace("OUT", str(tmp_path)) for part in command]
    line = one_error_line(run("--db", str(fifo), *command))
    assert "is not an ordinary file" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe.sqlite3"]


def test_a_device_as_the_database_is_refused(tmp_path):
    line = one_error_line(run("--db", "/dev/null", "demo", "--deals", "5"))
    assert "is not an ordinary file" in line


@pytest.fixture(scope="module")
def company(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "company.sqlite3"
    result = salesdesk("--db", str(path), "demo", "--deals", "400")
    assert result.returncode == 0, result.stderr
    return path


def test_a_pipe_as_the_mapping_or_the_import_source_is_refused(company, fifo, tmp_path):
    source = tmp_path / "deals.csv"
    source.write_text("title\nA deal\n", encoding="utf-8")
    line = one_error_line(run("--db", str(company), "import", "deals", str(source), "--mapping", str(fifo)))
    assert str(fifo) in line and "is not an ordinary file" in line
    line = one_error_line(run("--db", str(company), "import", "deals", str(fifo)))
    assert str(fifo) in line and "is not an ordinary file" in line


# --- 4. --db values that are no database -----------------------------------------------------------


@pytest.mark.parametrize("value, words", [
    ("file:///x.sqlite3", "give the file's path"),
    ("foo://", "does not know"),
    ("://", "not a database URL"),
    ("~nosuchuser/x.sqlite3", "no user named nosuchuser"),
    ("sqlite://", "an in-memory database keeps nothing"),
    ("sqlite:///:memory:", "an in-memory database keeps nothing"),
    ("sqlite:///x.sqlite3?mode=ro", "options"),
    ("sqlite://host/x.sqlite3", "names a file"),
])
@pytest.mark.parametrize("command", [["check"], ["demo", "--deals", "5"]])
def test_a_db_value_that_names_no_database_is_refused_in_words(tmp_path, value, words, command):
    result = run("--db", value, *command, cwd=tmp_path)
    line = one_error_line(result)
    assert words in line and "unexpected failure" not in line
    assert [p for p in tmp_path.iterdir() if p.name not in ("data", "logs")] == []


def test_a_server_database_without_its_driver_is_refused_in_words(tmp_path):
    if importlib.util.find_spec("psycopg") is not None:
        pytest.skip("psycopg is installed here")
    line = one_error_line(run("--db", "postgresql://u@h/db", "check", cwd=tmp_path))
    assert "SalesDesk cannot reach PostgreSQL databases: its driver (psycopg) is not installed" in line


def test_an_upper_case_sqlite_url_is_the_file_it_names(tmp_path):
    result = run("--db", "SQLITE:///sales.sqlite3", "demo", "--deals", "5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert deals_in(tmp_path / "sales.sqlite3") == 5
    result = run("--db", f"sqlite:///{tmp_path / 'sales.sqlite3'}", "check", cwd=ROOT)
    assert result.returncode == 0 and "5 deals" in result.stdout, result.stderr


def test_the_window_is_not_started_on_an_empty_or_unusable_db(tmp_path):
    for value in ("", "sqlite://", "foo://"):
        one_error_line(run("--db", value, cwd=tmp_path, timeout=20))  # not a window waiting on a message box


# --- 5. mapping files that are not mappings ----------------------------------------------------------


def bad_mappings(folder: Path, company: Path) -> dict[str, tuple[Path, str]]:
    png = folder / "logo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    nested = folder / "nested.json"
    nested.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    unknown = folder / "unicorns.json"
    unknown.write_text('{"kind": "unicorns", "columns": {}}', encoding="utf-8")
    number = folder / "number.json"
    number.write_text('{"kind": 5}', encoding="utf-8")
    return {"database": (company, "it is not text"), "png": (png, "it is not text"),
            "nested": (nested, "nested too deeply"), "unknown kind": (unknown, "unicorns"),
            "kind not a word": (number, "kind")}


def test_a_mapping_that_is_not_one_is_refused_in_words(company, tmp_path):
    from salesdesk.transfer.mapping import Mapping

    for label, (path, words) in bad_mappings(tmp_path, company).items():
        with pytest.raises(ValidationError) as caught:
            Mapping.load(path)
        assert "is not a mapping file" in str(caught.value) and words in str(caught.value), label


def test_the_import_command_refuses_such_a_mapping_in_one_line(company, tmp_path):
    source = tmp_path / "deals.csv"
    source.write_text("title\nA deal\n", encoding="utf-8")
    before = deals_in(company)
    for label, (path, words) in bad_mappings(tmp_path, company).items():
        line = one_error_line(run("--db", str(company), "import", "deals", str(source), "--mapping", str(path)))
        assert words in line and "unexpected failure" not in line, label
    assert deals_in(company) == before


# --- 6. a full disk under an XLSX export ---------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path) -> Path:
    """A 16 kB file system: full after the first rows of an export."""
    disk = tmp_path / "small-disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here (needs root)")
    yield disk
    subprocess.run(["umount", "-l", str(disk)], check=False)


def test_a_disk_full_while_exporting_xlsx_is_one_line_and_leaves_no_file(company, small_disk):
    result = run("--db", str(company), "export", "deals", str(small_disk / "deals.xlsx"))
    assert one_error_line(result, code=1).endswith("No space left on device")  # no ZipFile.__del__ traceback
    assert os.listdir(small_disk) == []


# --- 7. names that would pass NAME_MAX -------------------------------------------------------------------


def name_bytes(name: str) -> int:
    return len(os.fsencode(name))


ROOM = NAME_MAX - max(len(s) for s in SIDECARS)  # SQLite adds "-journal" to what it writes


def test_fit_name_keeps_the_rest_and_shortens_the_stem_to_fit_in_bytes():
    assert fit_name("sales", "-20261202-manual.sqlite3") == "sales-20261202-manual.sqlite3"
    rest = "-20261202-101500-123456-manual.sqlite3"
    for stem in ("x" * 300, "é" * 200, "東" * 100, "a" * 215 + "東京"):
        name = fit_name(stem, rest)
        assert name.endswith(rest) and name_bytes(name) <= ROOM
        assert name.startswith(stem[:50])
        assert from_stem(name[: -len(rest)], stem)  # a database's copies are found again
        assert not from_stem(name[: -len(rest)], stem[:-1] + "!")
    assert fit_name("x" * 300 + "a", rest) != fit_name("x" * 300 + "b", rest)  # different databases differ
    assert from_stem("sales", "sales") and not from_stem("sales", "sales2")


def test_fit_name_in_a_deep_folder_leaves_a_name_sqlite_can_open(tmp_path):
    """SQLite opens no file whose full name passes 512 bytes (with "-journal"): a 230-character
    database in /home/someone/Documents/Sales has room for a backup name 200 bytes long at most."""
    folder = tmp_path / ("d" * 200) / ("e" * 100)
    folder.mkdir(parents=True)
    stem = "x" * 230
    name = fit_name(stem, "-before-restore-20261202-101500.sqlite3", folder)
    assert name_bytes(str(folder / name)) <= SQLITE_PATH_MAX
    assert from_stem(name.split("-before-restore-")[0], stem)
    connection = sqlite3.connect(folder / name)
    try:
        connection.execute("CREATE TABLE deals (title TEXT)")
        connection.commit()  # through its -journal
    finally:
        connection.close()
    with pytest.raises(SalesDeskError, match="too deep a folder"):
        fit_name(stem, "-before-restore-20261202-101500.sqlite3", folder / ("f" * 150))


def test_names_derived_from_a_long_database_name_fit(tmp_path):
    from salesdesk.safety.integrity import aside_name
    from salesdesk.safety.output import written_aside
    from salesdesk.safety.unfinished import _TEMPORARY, temporary_name

    database = tmp_path / ("é" * 115 + ".sqlite3")  # 238 bytes, 123 characters
    assert name_bytes(database.name) == 238
    for derived in (aside_name(database, "before-restore"), aside_name(database, "damaged"),
                    temporary_name(database, "restoring"), temporary_name(database, "partial")):
        assert name_bytes(derived.name) <= ROOM and derived.parent == tmp_path
    assert _TEMPORARY.match(temporary_name(database, "restoring").name)  # still found as a leftover
    assert aside_name(database, "damaged").suffix == ".sqlite3"

    target = tmp_path / ("report." + "x" * 240)
    with written_aside(target) as temp:
        assert name_bytes(temp.name) <= NAME_MAX
        with open_file(temp, "w") as out:
            out.write("done")
    assert target.read_text() == "done"


def test_a_long_database_name_is_restored_without_complaint(tmp_path):
    database = tmp_path / ("x" * 222 + ".sqlite3")  # 230 characters
    assert run("--db", str(database), "demo", "--deals", "20").returncode == 0
    copy = tmp_path / "copy.sqlite3"
    assert run("--db", str(database), "backup", str(copy)).returncode == 0
    result = run("--db", str(database), "restore", str(copy), "--yes")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no "could not remove ... File name too long"
    assert deals_in(database) == 20
    kept = [p for p in tmp_path.iterdir() if "before-restore" in p.name]
    assert len(kept) == 1 and deals_in(kept[0]) == 20


def test_a_long_database_name_is_backed_up_imported_and_restored_from_its_folder(tmp_path):
    database = tmp_path / ("x" * 222 + ".sqlite3")
    assert run("--db", str(database), "demo", "--deals", "20").returncode == 0
    result = run("--db", str(database), "backup")
    assert result.returncode == 0, result.stderr
    source = tmp_path / "accounts.csv"
    source.write_text("name,city\nLong Name Trading,Lyon\n", encoding="utf-8")
    result = run("--db", str(database), "import", "accounts", str(source))
    assert result.returncode == 0, result.stderr
    listed = run("--db", str(database), "backup", "--list")
    assert listed.returncode == 0 and "2 backups" in listed.stdout, listed.stdout
    result = run("--db", str(database), "restore", "latest", "--yes")
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_a_name_with_a_line_break_keeps_every_outcome_on_one_line(tmp_path):
    """A scheduled job reads the output line by line: one outcome, one line."""
    folder = tmp_path / "two\nlines"
    folder.mkdir()
    database = folder / "sales.sqlite3"
    made = run("--db", str(database), "demo", "--deals", "20")
    assert made.returncode == 0 and made.stdout.count("\n") == 1 and "two\\nlines" in made.stdout
    refused = run("--db", str(folder / "nothing.sqlite3"), "check")
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1 and "two\\nlines" in refused.stderr
