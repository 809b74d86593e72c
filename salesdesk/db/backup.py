"""Consistent copies of an SQLite database through the backup API.

Copying the file while it is open, or without its ``-wal``, can corrupt it; the
backup API copies a consistent snapshot.  Every copy is verified before it counts:
it is written as ``.<name>.<pid>.partial`` and renamed once verified, and what a
killed copy leaves is removed by the next one (``salesdesk.safety.unfinished``).

A copy in the backup folder is named ``<database>-<local time>-<reason>.sqlite3``, so
the folder lists itself (``salesdesk.safety.backups.list_backups``) without an index
file that could disagree with what is on disk.  Nothing here imports SQLAlchemy: the
window's automatic backups run before SQLAlchemy is loaded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.errors import DatabaseError
from salesdesk.paths import backup_dir
from salesdesk.safety.files import fsync_file, fsync_folder, sqlite_uri
from salesdesk.safety.output import NEW_NAME, check_output_path
from salesdesk.safety.unfinished import remove_leftovers, temporary_name, writing

if TYPE_CHECKING:
    from sqlalchemy import Engine

STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
_REASON = re.compile(r"[^a-z0-9]+")


def backup_name(source: Path, reason: str, when: dt.datetime | None = None) -> str:
    """The file name of a copy of ``source`` taken at ``when`` (local time) for ``reason``."""
    reason = _REASON.sub("-", reason.lower()).strip("-") or "manual"
    return f"{source.stem}-{(when or dt.datetime.now()).strftime(STAMP_FORMAT)}-{reason}.sqlite3"


def backup_database(engine: Engine, source: Path, *, reason: str = "manual", dest: Path | None = None) -> Path:
    """Copy the database behind ``engine`` to ``dest`` (default: the backup folder)."""
    raw = engine.raw_connection()
    try:
        return _copy_verified(raw.driver_connection, Path(source), reason=reason, dest=dest)
    finally:
        raw.close()


def backup_file(source: Path, *, reason: str = "manual", dest: Path | None = None) -> Path:
    """``backup_database`` over a path, with the sqlite3 module alone (no SQLAlchemy).

    Safe while the program (or another one) writes to ``source``: the backup API copies
    a committed snapshot and starts again if the source changes during the copy.
    """
    source = Path(source)
    if not source.is_file():
        raise DatabaseError(f"{source}: no such database file")
    connection = sqlite3.connect(sqlite_uri(source, mode="ro"), uri=True, timeout=5)
    try:
        return _copy_verified(connection, source, reason=reason, dest=dest)
    finally:
        connection.close()


def _copy_verified(connection: sqlite3.Connection, source: Path, *, reason: str, dest: Path | None) -> Path:
    into_folder = dest is None
    if dest is None:
        folder = backup_dir(source)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(f"{folder}: cannot create the backup folder ({exc.strerror})") from exc
        dest = folder / backup_name(source, reason)
    else:  # a file the user named: never the database, a backup or a file that exists
        dest = check_output_path(dest, source, replace=False, if_exists=NEW_NAME)
    dest = Path(dest)
    if dest.exists():
        raise DatabaseError(f"{dest}: already exists; choose another file name")
    if not dest.parent.is_dir():
        raise DatabaseError(f"{dest.parent}: no such folder")
    # Written under a temporary name and renamed once verified: a copy cut short by a
    # full disk or a crash never looks like a backup (and the next copy removes it).
    remove_leftovers(dest.parent)
    partial = temporary_name(dest, "partial")
    with writing(partial):
        try:
            write_copy(connection, partial)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"{dest}: backup failed ({_reason(exc)})") from exc
        problems = integrity_problems(partial)
        if problems:
            raise DatabaseError(f"{dest}: the backup did not verify ({problems[0]})")
        try:
            os.replace(partial, dest)
        except OSError as exc:
            raise DatabaseError(f"{dest}: backup failed ({_reason(exc)})") from exc
    fsync_folder(dest.parent)
    if into_folder:  # every copy in the folder, before an import or an upgrade too, thins it
        from salesdesk.safety.backups import thin_backups

        thin_backups(source)
    return dest


def write_copy(connection: sqlite3.Connection, target: Path) -> None:
    """Copy the database behind ``connection`` into the new file ``target`` through the
    backup API: one self-contained file (no ``-wal`` beside it), on disk when this returns."""
    if os.path.lexists(target):  # never write through a name someone left there (a symlink)
        raise DatabaseError(f"{target}: already exists; SalesDesk writes its copies only into new files")
    copy = sqlite3.connect(target)
    try:
        connection.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
    fsync_file(target)


def integrity_problems(path: Path, *, quick: bool = False) -> list[str]:
    """What is wrong with a SalesDesk file; [] when healthy.

    ``PRAGMA integrity_check``, the tables and columns of the file's revision (a copy
    missing one is no backup) and ``foreign_key_check``; with ``quick``,
    ``PRAGMA quick_check`` and the schema only (a command that reads, checking first).
    Read without leaving a ``-wal`` or ``-shm`` beside the file.
    """
    from salesdesk.db.migrate import read_only_connection
    from salesdesk.db.schema import schema_problems

    def read() -> list[str]:
        try:
            connection = read_only_connection(path)
        except DatabaseError as exc:
            return [str(exc.__cause__ or exc)]
        try:
            rows = [r[0] for r in connection.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check")]
            if rows != ["ok"]:
                return rows  # the schema and the links of a damaged file say nothing more
            problems = schema_problems(connection)
            if not quick:
                for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check"):
                    problems.append(f"{table} row {rowid} refers to a missing {parent} row")
            return problems
        except sqlite3.DatabaseError as exc:
            return [str(exc)]
        finally:
            connection.close()

    wal = Path(f"{path}-wal")
    alone = not wal.exists()
    problems = read()
    if problems and alone and wal.exists():
        # Read as immutable, while another program opened the file and may have written
        # to it: what looked damaged may have been its checkpoint. Read it again, properly.
        problems = read()
    return problems


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    if "full" in text.lower() or (isinstance(exc, OSError) and exc.errno == 28):
        return "the disk is full"
    return text
