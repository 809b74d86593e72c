"""Exports come back as they left: a database's own deals are found again, another's are
new, and every text, hostile or not, survives export and import in both formats.

Deal names: a deal without an external id is exported as ``<reference>#<id>``, where the
reference is the database's own (``settings.database_reference``, made by migration 0002
when the file is created or upgraded).  Everything that copies the file shares it: a
backup, a restored backup, the file moved to another computer; they are one database at
different moments, so its export re-imports as skip or update there too.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from salesdesk.cli import main
from salesdesk.db.migrate import open_database
from salesdesk.transfer.kinds import IMPORT_ORDER

REFERENCE = re.compile(r"sd-[0-9a-f]{12}")


def run(capsys, *args) -> tuple[int, list[str], list[str]]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


def ok(capsys, *args) -> list[str]:
    code, out, err = run(capsys, *args)
    assert (code, err) == (0, []), err
    return out


def count(path: Path, table: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        connection.close()


def reference_of(path: Path) -> str | None:
    connection = sqlite3.connect(path)
    try:
        row = connection.execute("SELECT value FROM settings WHERE key = 'database_reference'").fetchone()
        return row and row[0]
    finally:
        connection.close()


def demo(capsys, path: Path, seed: int, deals: int = 40) -> Path:
    ok(capsys, "--db", path, "demo", "--seed", seed, "--deals", deals)
    return path


# --- deal names -----------------------------------------------------------------------------


def test_every_database_has_its_own_reference_from_its_creation(tmp_path, capsys):
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    b = tmp_path / "b.sqlite3"
    open_database(b).close()
    assert REFERENCE.fullmatch(reference_of(a)) and REFERENCE.fullmatch(reference_of(b))
    assert reference_of(a) != reference_of(b)
    ok(capsys, "--db", a, "export", "deals", tmp_path / "a.csv")
    names = [line.rsplit(",", 1)[1] for line in (tmp_path / "a.csv").read_text("utf-8-sig").splitlines()[1:]]
    assert names[:2] == [f"{reference_of(a)}#1", f"{reference_of(a)}#2"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("policy", ["skip", "update"])
def test_a_databases_own_export_imports_back_as_skip_or_update(tmp_path, capsys, suffix, policy):
    """The command line reads the database read-only for the export: the reference was
    there from the start, so the import finds every deal again (200 stayed 200)."""
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    path = tmp_path / f"deals{suffix}"
    ok(capsys, "--db", a, "export", "deals", path)
    _rename_first_deal(path, "Renamed in the spreadsheet")
    out = ok(capsys, "--db", a, "import", "deals", path, "--duplicates", policy)
    verb = {"skip": "skipped as duplicates", "update": "updated"}[policy]
    assert out[0] == f"Imported {path.name} (40 rows): {verb}: 40 deals"
    assert count(a, "deals") == 40
    connection = sqlite3.connect(a)
    title = connection.execute("SELECT title FROM deals WHERE id = 1").fetchone()[0]
    connection.close()
    assert (title == "Renamed in the spreadsheet") == (policy == "update")


def _rename_first_deal(path: Path, title: str) -> None:
    if path.suffix == ".xlsx":
        book = openpyxl.load_workbook(path)
        book.worksheets[0]["A2"] = title
        book.save(path)
    else:
        lines = path.read_text("utf-8-sig").splitlines(keepends=True)
        lines[1] = title + lines[1][lines[1].index(","):]
        path.write_text("".join(lines), "utf-8-sig")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_another_databases_export_creates_its_deals(tmp_path, capsys, suffix):
    """Two databases' exports into a third: each creates its deals (the second's are not
    "duplicates" of the first's, though both companies are the same demo with the same
    people), and a second import of each then skips them."""
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    c = demo(capsys, tmp_path / "c.sqlite3", 1, deals=30)
    b = tmp_path / "b.sqlite3"
    for source in (a, c):
        for kind in IMPORT_ORDER[:-1]:  # targets are not needed for deals
            path = tmp_path / f"{source.stem}-{kind}{suffix}"
            ok(capsys, "--db", source, "export", kind, path)
            out = ok(capsys, "--db", b, "import", kind, path)
        assert f"new: {count(source, 'deals')} deals" in out[0]
    assert count(b, "deals") == 70
    for source in (a, c):
        out = ok(capsys, "--db", b, "import", "deals", tmp_path / f"{source.stem}-deals{suffix}")
        assert f"skipped as duplicates: {count(source, 'deals')} deals" in out[0]
    assert count(b, "deals") == 70
    # b keeps the names a gave its deals: b's export imports into a as a's own deals
    ok(capsys, "--db", b, "export", "deals", tmp_path / f"b{suffix}")
    out = ok(capsys, "--db", a, "import", "deals", tmp_path / f"b{suffix}")
    assert "skipped as duplicates: 40 deals" in out[0] and "new: 30 deals" in out[0]


def test_an_older_database_gets_a_reference_at_its_upgrade_and_keeps_one_it_had(tmp_path):
    from alembic import command
    from sqlalchemy import create_engine

    from salesdesk.db.migrate import alembic_config

    paths = []
    for name, had in (("old.sqlite3", None), ("exported.sqlite3", "sd-0badc0de")):
        path = tmp_path / name
        engine = create_engine(f"sqlite:///{path}")
        config = alembic_config(engine.url)
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
            if had:  # an earlier SalesDesk's export from the window wrote one
                connection.exec_driver_sql(f"INSERT INTO settings VALUES ('database_reference', '{had}')")
        engine.dispose()
        open_database(path).close()
        paths.append(path)
    assert REFERENCE.fullmatch(reference_of(paths[0]))
    assert reference_of(paths[1]) == "sd-0badc0de"
    assert list((tmp_path / "old.sqlite3-backups").glob("*before-upgrade*"))  # the usual copy first


def test_a_backup_and_its_restore_share_the_reference(tmp_path, capsys):
    """A backup is this database at an earlier moment: restored, its deals are the ones an
    export made before named, so that export re-imports as skip, not as copies."""
    a = demo(capsys, tmp_path / "a.sqlite3", 1)
    ok(capsys, "--db", a, "export", "deals", tmp_path / "deals.csv")
    ok(capsys, "--db", a, "backup")
    backup = max((tmp_path / "a.sqlite3-backups").glob("*manual*"))
    assert reference_of(backup) == reference_of(a)
    ok(capsys, "--db", a, "restore", backup, "--yes")
    assert "skipped as duplicates: 40 deals" in ok(capsys, "--db", a, "import", "deals", tmp_path / "deals.csv")[0]
