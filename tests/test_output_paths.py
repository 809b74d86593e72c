"""Files the user names for output (issue 11): never the database, its sidecars, a backup,
an SQLite file or a read-only file, whatever name reaches them; an ordinary file is
replaced in one rename, and only when the user said so."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path

import pytest

from salesdesk.db.backup import backup_database
from salesdesk.errors import DatabaseError, SalesDeskError, ValidationError
from salesdesk.paths import backup_dir, data_dir
from salesdesk.safety.output import check_output_path, written_aside
from tests.test_cli import one_error_line, salesdesk


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_set(database: Path) -> dict[str, str]:
    """The database, its sidecars and every backup, by name: what must not change."""
    names = [Path(f"{database}{suffix}") for suffix in ("", "-wal", "-shm", "-journal")]
    folder = backup_dir(database)
    names += sorted(folder.iterdir()) if folder.is_dir() else []
    return {str(p): digest(p) for p in names if p.exists()}


def sqlite_file(path: Path) -> Path:
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    connection.close()
    return path


def refused(path, database, *, replace=True, match: str) -> str:
    with pytest.raises(SalesDeskError, match=match) as caught:
        check_output_path(path, database, replace=replace)
    message = str(caught.value)
    assert str(path) in message and "\n" not in message
    return message


@pytest.fixture
def backup(db, db_path) -> Path:
    return backup_database(db.engine, db_path)


# --- what is refused --------------------------------------------------------------------------


def test_the_open_database_is_refused_by_any_of_its_names(db, db_path, tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "link.pdf").symlink_to(db_path)
    os.link(db_path, tmp_path / "hard.pdf")
    before = file_set(db_path)
    for name in (db_path, tmp_path / "sub" / ".." / db_path.name, tmp_path / "link.pdf", tmp_path / "hard.pdf"):
        refused(name, db_path, match="is the database")
    assert file_set(db_path) == before


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal", ".lock"])
def test_the_databases_sidecars_are_refused_whether_or_not_they_exist(db, db_path, suffix):
    refused(Path(f"{db_path}{suffix}"), db_path, match=f"its {suffix} file")


def test_a_symlink_to_the_wal_that_does_not_exist_yet_is_refused(db, db_path, tmp_path):
    (tmp_path / "report.pdf").symlink_to(f"{db_path}-journal")
    refused(tmp_path / "report.pdf", db_path, match="its -journal file")


def test_backups_are_refused_in_their_folder_and_under_any_other_name(db, db_path, backup, tmp_path):
    os.link(backup, tmp_path / "copy.pdf")
    (tmp_path / "link.pdf").symlink_to(backup)
    before = file_set(db_path)
    refused(backup, db_path, match="backup of sales.sqlite3")
    refused(tmp_path / "copy.pdf", db_path, match="backup of sales.sqlite3")
    refused(tmp_path / "link.pdf", db_path, match="backup of sales.sqlite3")
    refused(backup_dir(db_path), db_path, match="is the backup folder")
    refused(backup_dir(db_path) / "new.pdf", db_path, match="in the backup folder")
    assert file_set(db_path) == before


def test_an_sqlite_file_that_is_not_ours_is_never_replaced(db, db_path, tmp_path):
    other = sqlite_file(tmp_path / "recipes.pdf")
    before = digest(other)
    refused(other, db_path, match="SQLite database")
    refused(other, None, match="SQLite database")
    refused(tmp_path / "recipes.pdf-wal", db_path, match="recipes.pdf")  # it would be taken for its WAL
    assert digest(other) == before


def test_a_read_only_file_is_refused_even_when_replacing_is_allowed(tmp_path):
    """Checked by its mode bits: the tests may run as root, for whom ``access()`` says yes."""
    kept = tmp_path / "signed.pdf"
    kept.write_bytes(b"the signed copy")
    kept.chmod(0o444)
    refused(kept, None, match="read-only")
    assert kept.read_bytes() == b"the signed copy"


def test_folders_devices_and_missing_folders_are_refused(tmp_path):
    with pytest.raises(ValidationError, match="is a folder"):
        check_output_path(tmp_path, None, replace=True)
    with pytest.raises(ValidationError, match="not an ordinary file"):
        check_output_path("/dev/null", None, replace=True)
    refused(tmp_path / "gone" / "report.pdf", None, match="no such folder")


def test_an_existing_file_is_replaced_only_when_the_caller_says_so(tmp_path):
    old = tmp_path / "report.pdf"
    old.write_bytes(b"last week")
    message = refused(old, None, replace=False, match="already exists")
    assert "--replace" in message
    assert check_output_path(old, None, replace=True) == old
    (tmp_path / "link.pdf").symlink_to(old)
    assert check_output_path(tmp_path / "link.pdf", None, replace=True) == old  # the file itself is written


def test_a_new_file_beside_the_database_is_allowed(db, db_path, tmp_path):
    assert check_output_path(tmp_path / "report.pdf", db_path, replace=False) == tmp_path / "report.pdf"
    assert check_output_path(tmp_path / "sales.sqlite3.pdf", db_path, replace=False).name == "sales.sqlite3.pdf"


# --- how it is written ------------------------------------------------------------------------


def written_in(folder: Path) -> list[str]:
    """The files in ``folder``, but for the user data folder the tests keep there
    (where a write records itself as unfinished while under way)."""
    return sorted(p.name for p in folder.iterdir() if p != data_dir())


def test_the_previous_file_is_replaced_in_one_rename(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"last week")
    target.chmod(0o640)
    inode = target.stat().st_ino
    with written_aside(target) as temp:
        assert temp.parent == tmp_path and temp != target
        temp.write_bytes(b"this week")
        assert target.read_bytes() == b"last week"  # untouched until the new file is complete
    assert target.read_bytes() == b"this week"
    assert target.stat().st_ino != inode  # a new file renamed over it, not the old one truncated
    assert target.stat().st_mode & 0o777 == 0o640
    assert written_in(tmp_path) == ["report.pdf"]


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary_one(tmp_path):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"last week")
    with pytest.raises(OSError, match="disk is full"):
        with written_aside(target) as temp:
            temp.write_bytes(b"half a rep")
            raise OSError("the disk is full")
    assert target.read_bytes() == b"last week"
    assert written_in(tmp_path) == ["report.pdf"]


def test_two_writes_of_one_file_never_share_a_temporary_name(tmp_path):
    target = tmp_path / "report.pdf"
    # replace: the user chose to replace it (without, the outer write would leave the
    # file the inner one made, which appeared while it wrote)
    with written_aside(target, replace=True) as first, written_aside(target, replace=True) as second:
        assert first != second
        first.write_bytes(b"one")
        second.write_bytes(b"two")
    assert target.read_bytes() == b"one"  # the outer write finished last


def test_a_mapping_is_saved_by_rename_and_never_over_the_database(db, db_path, tmp_path):
    from salesdesk.transfer.mapping import Mapping

    mapping = Mapping("deals", {"Opportunity": "title"})
    before = file_set(db_path)
    with pytest.raises(DatabaseError, match="is the database"):
        mapping.save(db_path, database=db_path, replace=True)
    assert file_set(db_path) == before
    saved = tmp_path / "mapping.json"
    saved.write_text("{}")
    with pytest.raises(ValidationError, match="already exists"):
        mapping.save(saved, database=db_path)
    mapping.save(saved, database=db_path, replace=True)
    assert Mapping.load(saved).columns == {"Opportunity": "title"}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_an_export_through_a_link_to_the_database_is_refused(db, db_path, tmp_path):
    from salesdesk.transfer.export import export_kind

    (tmp_path / "deals.csv").symlink_to(db_path)
    before = file_set(db_path)
    with pytest.raises(DatabaseError, match="is the database"):
        export_kind(db, "deals", tmp_path / "deals.csv", replace=True)
    assert file_set(db_path) == before and (tmp_path / "deals.csv").is_symlink()


# --- the command line -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """A small demo company with one backup in its folder."""
    path = tmp_path_factory.mktemp("output") / "sales.sqlite3"
    assert salesdesk("--db", str(path), "demo", "--deals", "60").returncode == 0
    assert salesdesk("--db", str(path), "backup").returncode == 0
    return path


def a_backup(database: Path) -> Path:
    return next(backup_dir(database).glob("*.sqlite3"))


def settle(database: Path) -> None:
    """Close the last connection, so SQLite deletes the ``-wal`` and ``-shm``: a command
    that opened the database before refusing would make them again."""
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA schema_version").fetchone()
    connection.close()
    assert not Path(f"{database}-wal").exists()


def refused_by_the_command(demo: Path, target: Path, *args: str) -> str:
    """Run a command that must be refused: one error line, and no byte changed."""
    settle(demo)
    before = file_set(demo)
    kept = digest(target) if target.is_file() else None
    line = one_error_line(salesdesk("--db", str(demo), *args))
    assert file_set(demo) == before
    assert (digest(target) if target.is_file() else None) == kept
    return line


def test_report_out_the_database_is_refused(demo):
    line = refused_by_the_command(demo, demo, "report", "weekly", "--out", str(demo), "--replace")
    assert "is the database" in line


def test_report_out_a_backup_is_refused(demo):
    backup = a_backup(demo)
    line = refused_by_the_command(demo, backup, "report", "weekly", "--out", str(backup), "--replace")
    assert "backup of sales.sqlite3" in line


def test_report_and_export_refuse_a_read_only_file(demo, tmp_path):
    for name, command in (("signed.pdf", ("report", "weekly", "--out")), ("signed.csv", ("export", "deals"))):
        kept = tmp_path / name
        kept.write_bytes(b"the signed copy")
        kept.chmod(0o444)
        assert "read-only" in refused_by_the_command(demo, kept, *command, str(kept), "--replace")
        assert kept.read_bytes() == b"the signed copy"


def test_export_through_a_link_to_the_database_is_refused(demo, tmp_path):
    (tmp_path / "deals.csv").symlink_to(demo)
    line = refused_by_the_command(demo, demo, "export", "deals", str(tmp_path / "deals.csv"), "--replace")
    assert "is the database" in line


def test_import_save_mapping_onto_the_database_imports_nothing(demo, tmp_path):
    products = tmp_path / "products.csv"
    assert salesdesk("--db", str(demo), "export", "products", str(products)).returncode == 0
    line = refused_by_the_command(demo, demo, "import", "products", str(products), "--save-mapping", str(demo),
                                  "--replace")
    assert "is the database" in line
    saved = tmp_path / "products.json"
    saved.write_text("last time's mapping")
    assert "already exists" in refused_by_the_command(demo, saved, "import", "products", str(products),
                                                      "--save-mapping", str(saved))
    result = salesdesk("--db", str(demo), "import", "products", str(products), "--save-mapping", str(saved),
                       "--replace")
    assert result.returncode == 0, result.stderr
    assert json.loads(saved.read_text(encoding="utf-8"))["kind"] == "products"


def test_backup_file_refuses_a_backup_and_the_wal_name(demo):
    assert "backup of sales.sqlite3" in refused_by_the_command(demo, a_backup(demo), "backup", str(a_backup(demo)))
    for suffix in ("-wal", "-journal"):  # whether SQLite has made that file yet or not
        sidecar = Path(f"{demo}{suffix}")
        existed = sidecar.exists()
        assert f"its {suffix} file" in refused_by_the_command(demo, sidecar, "backup", str(sidecar))
        assert sidecar.exists() == existed


def test_an_existing_file_needs_replace_and_is_then_replaced(demo, tmp_path):
    out = tmp_path / "weekly.pdf"
    out.write_bytes(b"last week")
    line = refused_by_the_command(demo, out, "report", "weekly", "--out", str(out))
    assert "already exists" in line and "--replace" in line
    result = salesdesk("--db", str(demo), "report", "weekly", "--out", str(out), "--replace")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes().startswith(b"%PDF")

    deals = tmp_path / "deals.csv"
    deals.write_text("old")
    assert "already exists" in refused_by_the_command(demo, deals, "export", "deals", str(deals))
    assert salesdesk("--db", str(demo), "export", "deals", str(deals), "--replace").returncode == 0
    assert deals.read_text(encoding="utf-8-sig").startswith("title,owner")
    assert written_in(tmp_path) == ["deals.csv", "weekly.pdf"]


def test_a_disk_full_while_exporting_is_one_line_and_leaves_no_file(tmp_path):
    """The system's refusal in its own words, not 'unexpected failure (OSError ...)'."""
    import subprocess

    from salesdesk.db.migrate import open_database
    from salesdesk.services.demo import load_demo
    from tests.test_cli import one_error_line, salesdesk

    db_path = tmp_path / "sales.sqlite3"
    db = open_database(db_path)
    load_demo(db, deals=400)
    db.close()
    disk = tmp_path / "small-disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        result = salesdesk("--db", str(db_path), "export", "deals", str(disk / "deals.csv"))
        assert one_error_line(result, code=1).endswith("No space left on device")
        assert os.listdir(disk) == []
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)
