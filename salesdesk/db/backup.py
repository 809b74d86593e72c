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
    connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=5)
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
    _fsync_folder(dest.parent)
    if into_folder:  # every copy in the folder, before an import or an upgrade too, thins it
        from salesdesk.safety.backups import thin_backups

        thin_backups(source)
    return dest


def write_copy(connection: sqlite3.Connection, target: Path) -> None:
    """Copy the database behind ``connection`` into the new file ``target`` through the
    backup API: one self-contained file (no ``-wal`` beside it), on disk when this returns."""
    copy = sqlite3.connect(target)
    try:
        connection.backup(copy)
        copy.execute("PRAGMA journal_mode = DELETE")
    finally:
        copy.close()
    _fsync(target)


def integrity_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` on a file; [] when healthy."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return [str(exc)]
    try:
        rows = [r[0] for r in connection.execute("PRAGMA integrity_check")]
        problems = [] if rows == ["ok"] else rows
        for table, rowid, parent, _ in connection.execute("PRAGMA foreign_key_check"):
            problems.append(f"{table} row {rowid} refers to a missing {parent} row")
        return problems
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        connection.close()


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    if "full" in text.lower() or (isinstance(exc, OSError) and exc.errno == 28):
        return "the disk is full"
    return text


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory handles to sync."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
