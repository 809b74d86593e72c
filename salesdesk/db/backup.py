"""Consistent copies of an SQLite database through the backup API.

Copying the file while it is open, or without its ``-wal``, can corrupt it; the
backup API copies a consistent snapshot.  Every copy is verified before it counts:
it is written as ``.<name>.<pid>.partial`` and given its name once verified (a hard
link, so that a file that appeared there meanwhile is never replaced), and what a
killed copy leaves is removed by the next one (``salesdesk.safety.unfinished``).

A copy in the backup folder is named as ``salesdesk.safety.backup_names`` says.  Making
a copy is all this module does: thinning the folder is a call of its own
(``salesdesk.safety.backups.thin_backups``), made by the callers that want it.

Every copy written as a backup also carries a mark in the file itself,
``PRAGMA application_id = BACKUP_MARK``: under another name (a hard link elsewhere)
it is still known as a backup, which SalesDesk never changes.  A database has
application id 0 (``NOT_A_BACKUP``: SalesDesk sets none), and a restored copy gets 0
back.  Nothing here imports SQLAlchemy: the window's automatic backups run before
SQLAlchemy is loaded.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from salesdesk.db.engine import busy_timeout
from salesdesk.errors import DatabaseError
from salesdesk.paths import backup_dir
from salesdesk.safety.backup_names import backup_name, is_copy_of
from salesdesk.safety.files import (
    SIDECARS,
    SQLITE_CANTOPEN,
    SQLITE_NOTADB,
    fsync_file,
    fsync_folder,
    sqlite_kind,
    sqlite_uri,
)
from salesdesk.safety.output import NEW_NAME, check_output_path, put_in_place
from salesdesk.safety.unfinished import remove_leftovers, temporary_name, writing

if TYPE_CHECKING:
    from sqlalchemy import Engine

BACKUP_MARK = 0x53444B42  # "SDKB": the application_id of every copy written as a backup
NOT_A_BACKUP = 0  # the application_id of a database, and of a restored copy
# SQLite's primary result codes that say a file is damaged: corrupt, not a database, and
# the plain error its header gives ("unsupported file format": the bytes SQLite checks
# first were overwritten).  Every other failure to read it (busy, locked, I/O, cannot
# open) says nothing about what is in it.
SQLITE_ERROR, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL = 1, 5, 6, 10, 11, 13
DAMAGE_CODES = (SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_ERROR)


def carries_backup_mark(path: Path) -> bool:
    """Does the SQLite file at ``path`` say it is a backup (``BACKUP_MARK``)?  Read
    through SQLite, immutable: no descriptor of ours closed, nothing written."""
    if sqlite_kind(path) != "sqlite":
        return False
    try:
        connection = sqlite3.connect(sqlite_uri(path, mode="ro", immutable="1"), uri=True, timeout=busy_timeout())
    except sqlite3.Error:
        return False
    try:
        return connection.execute("PRAGMA application_id").fetchone()[0] == BACKUP_MARK
    except sqlite3.Error:
        return False
    finally:
        connection.close()


def backup_database(engine: Engine, source: Path, *, reason: str = "manual", dest: Path | None = None) -> Path:
    """Copy the database behind ``engine`` to ``dest`` (default: the backup folder)."""
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        if not isinstance(connection, sqlite3.Connection):  # a database server's: its own tools back it up
            raise DatabaseError(f"{source}: backups work on SQLite files")
        return copy_verified(connection, Path(source), reason=reason, dest=dest, mark=BACKUP_MARK)
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
    connection = sqlite3.connect(sqlite_uri(source, mode="ro"), uri=True, timeout=busy_timeout())
    try:
        return copy_verified(connection, source, reason=reason, dest=dest, mark=BACKUP_MARK)
    finally:
        connection.close()


def copy_verified(connection: sqlite3.Connection, source: Path, *, reason: str, dest: Path | None,
                  mark: int) -> Path:
    """A verified copy of the database behind ``connection`` (the file ``source``) at
    ``dest``, or in the backup folder under the name of a copy taken now for ``reason``;
    the path it was written to.  ``mark``: the copy's application_id (``BACKUP_MARK``
    for a backup).  Only a copy: the folder is thinned by the callers that want it."""
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
    # Written under a temporary name and named once verified: a copy cut short by a
    # full disk or a crash never looks like a backup (and the next copy removes it).
    if into_folder:
        remove_leftovers((dest.parent, lambda name: is_copy_of(source, name)))
    else:  # a folder of the user's: only what the records of killed copies name
        remove_leftovers()
    partial = temporary_name(dest, "partial")
    with writing(partial):
        try:
            write_verified_copy(connection, partial, mark=mark)
        except CopyFailed as failed:
            if failed.step == "write":
                why = f"backup failed ({_reason(failed.cause)})"
            elif failed.step == "read back":  # the copy could not be read back (a full disk): no backup
                why = f"the backup could not be verified ({_after_path(failed.cause, partial)})"
            else:
                why = f"the backup did not verify ({failed.problem})"
            raise DatabaseError(f"{dest}: {why}") from failed.cause
        try:
            put_in_place(partial, dest, replace=False)  # never over a file that appeared meanwhile
        except OSError as exc:
            raise DatabaseError(f"{dest}: backup failed ({_reason(exc)})") from exc
    fsync_folder(dest.parent)
    return dest


class CopyFailed(Exception):
    """Why ``write_verified_copy`` gave no sound copy: the ``step`` that failed, and what
    it raised (``cause``) or what verifying found (``problem``).  Each caller words it."""

    def __init__(self, step: Literal["write", "read back", "verify"], cause: BaseException | None = None,
                 problem: str = ""):
        super().__init__(problem or str(cause))
        self.step, self.cause, self.problem = step, cause, problem


def write_verified_copy(connection: sqlite3.Connection, target: Path, *, mark: int,
                        before_check: Callable[[Path], None] | None = None) -> None:
    """``write_copy`` into the new file ``target``, then ``integrity_problems`` on it:
    the one copy-and-verify of backups and restores (``CopyFailed`` when it is not
    sound).  ``before_check(target)``: what a caller adds to the copy before it is
    verified (a restore: the database's reference)."""
    try:
        write_copy(connection, target, mark=mark)
        if before_check is not None:
            before_check(target)
    except (sqlite3.Error, OSError) as exc:
        raise CopyFailed("write", exc) from exc
    try:
        problems = integrity_problems(target)
    except DatabaseError as exc:
        raise CopyFailed("read back", exc) from exc
    if problems:
        raise CopyFailed("verify", problem=problems[0])


def write_copy(connection: sqlite3.Connection, target: Path, *, mark: int) -> None:
    """Copy the database behind ``connection`` into the new file ``target`` through the
    backup API: one self-contained file (no ``-wal`` beside it), on disk when this returns.
    ``mark``: its application_id, ``BACKUP_MARK`` for a backup, ``NOT_A_BACKUP`` for a
    database (the backup API copies the source's, a backup's mark included)."""
    if os.path.lexists(target):  # never write through a name someone left there (a symlink)
        raise DatabaseError(f"{target}: already exists; SalesDesk writes its copies only into new files")
    copy = sqlite3.connect(target)
    try:
        connection.backup(copy)
        copy.execute(f"PRAGMA application_id = {int(mark)}")
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

    Damage is only what SQLite calls corrupt or not a database, and what those checks
    find.  A file that cannot be read for another reason (another program holds it
    locked, a disk I/O error, a ``-wal`` that is a folder or a link) may be perfectly
    sound: ``DatabaseError`` says what happened instead.
    """
    from salesdesk.db.migrate import read_only_connection
    from salesdesk.db.schema import schema_problems

    def read() -> list[str]:
        try:
            connection = read_only_connection(path)
        except DatabaseError as exc:
            return _damage(path, exc.__cause__ or exc)
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
            return _damage(path, exc)
        finally:
            connection.close()

    _refuse_odd_sidecars(path)
    wal = Path(f"{path}-wal")
    alone = not wal.exists()
    problems: list[str] | None
    try:
        problems = read()
    except DatabaseError:
        if not (alone and wal.exists()):
            raise
        problems = None  # read again below
    if problems is None or (problems and alone and wal.exists()):
        # Read as immutable, while another program opened the file and may have written
        # to it: what looked damaged may have been its checkpoint. Read it again, properly.
        problems = read()
    return problems


def _refuse_odd_sidecars(path: Path) -> None:
    """A ``-wal``, ``-shm`` or ``-journal`` that is a folder or a link: SQLite cannot open
    the database (a dangling link would even be taken for no ``-wal`` at all, and the
    file read without it)."""
    for suffix in SIDECARS:
        sidecar = Path(f"{path}{suffix}")
        if os.path.islink(sidecar) or (os.path.lexists(sidecar) and not os.path.isfile(sidecar)):
            raise DatabaseError(f"{path}: cannot be opened: its {suffix} file is a folder or a link, which "
                                "SQLite does not open; move it away")


def _damage(path: Path, exc: BaseException) -> list[str]:
    """The problem ``exc`` says the file has, or ``DatabaseError`` when it says nothing
    about the file (it could not be read)."""
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in DAMAGE_CODES:
        return [str(exc)]
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        why = "another program holds the database locked; try again once it has closed it"
    elif code == SQLITE_IOERR:
        why = "cannot be read: disk I/O error (is the disk full?)"
    elif code == SQLITE_FULL:
        why = "cannot be read: the disk is full"
    elif code == SQLITE_CANTOPEN:
        why = f"cannot be opened ({exc})"
    else:
        why = f"cannot be read ({exc})"
    raise DatabaseError(f"{path}: {why}") from exc


def _after_path(exc: BaseException | None, path: Path) -> str:
    """The words of ``exc`` after the path it names."""
    return str(exc).removeprefix(f"{path}: ")


def _reason(exc: BaseException | None) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    if "full" in text.lower() or (isinstance(exc, OSError) and exc.errno == 28):
        return "the disk is full"
    return text
