"""Consistent copies of an SQLite database through the backup API.

Copying the file while it is open, or without its ``-wal``, can corrupt it; the
backup API copies a consistent snapshot.  Every copy is verified before it counts:
it is written as ``.<name>.<pid>.partial`` and given its name once verified (a hard
link, so that a file that appeared there meanwhile is never replaced), and what a
killed copy leaves is removed by the next one (``salesdesk.safety.unfinished``).

A copy in the backup folder is named ``<database>-<UTC time>Z-<reason>.sqlite3``, so
the folder lists itself (``salesdesk.safety.backups.list_backups``) without an index
file that could disagree with what is on disk; UTC, so that a clock moved back (a time
zone change, the autumn DST change) never makes an older copy look newer.  Names
without the ``Z``, from earlier versions, carry local time.

Every copy written as a backup also carries a mark in the file itself,
``PRAGMA application_id = BACKUP_MARK``: under another name (a hard link elsewhere)
it is still known as a backup, which SalesDesk never changes.  A database has
application id 0 (``NOT_A_BACKUP``: SalesDesk sets none), and a restored copy gets 0
back.  Nothing here imports SQLAlchemy: the window's automatic backups run before
SQLAlchemy is loaded.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.clock import CLOCK
from salesdesk.db.engine import busy_timeout
from salesdesk.errors import DatabaseError
from salesdesk.paths import backup_dir
from salesdesk.safety.files import (
    SIDECARS,
    SQLITE_CANTOPEN,
    SQLITE_NOTADB,
    fsync_file,
    fit_name,
    from_stem,
    fsync_folder,
    sqlite_kind,
    sqlite_uri,
)
from salesdesk.safety.output import NEW_NAME, check_output_path, put_in_place
from salesdesk.safety.unfinished import remove_leftovers, temporary_name, writing

if TYPE_CHECKING:
    from sqlalchemy import Engine

STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
UTC_SUFFIX = "Z"  # after the stamp: the time is UTC (names without it carry local time)
# A copy in a backup folder, as ``backup_name`` names it (matched whole: ``fullmatch``;
# DOTALL, for a database whose name holds a newline).
BACKUP_NAME = re.compile(r"(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})(?P<utc>Z?)-(?P<reason>[a-z0-9-]+)\.sqlite3",
                         re.DOTALL)
BACKUP_MARK = 0x53444B42  # "SDKB": the application_id of every copy written as a backup
NOT_A_BACKUP = 0  # the application_id of a database, and of a restored copy
_REASON = re.compile(r"[^a-z0-9]+")
# SQLite's primary result codes that say a file is damaged: corrupt, not a database, and
# the plain error its header gives ("unsupported file format": the bytes SQLite checks
# first were overwritten).  Every other failure to read it (busy, locked, I/O, cannot
# open) says nothing about what is in it.
SQLITE_ERROR, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CORRUPT, SQLITE_FULL = 1, 5, 6, 10, 11, 13
DAMAGE_CODES = (SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_ERROR)


def backup_name(source: Path, reason: str, when: dt.datetime | None = None) -> str:
    """The file name of a copy of ``source`` taken at ``when`` (aware, or naive local
    time; default now) for ``reason``.  The name carries the time in UTC."""
    reason = _REASON.sub("-", reason.lower()).strip("-") or "manual"
    if when is not None and when.tzinfo is None:  # local wall time in the clock's zone, not the machine's
        when = CLOCK.utc_of_local(when).replace(tzinfo=dt.UTC)
    instant = (when or _after_the_newest(source, CLOCK.now())).astimezone(dt.UTC)
    return fit_name(source.stem, f"-{instant.strftime(STAMP_FORMAT)}{UTC_SUFFIX}-{reason}.sqlite3",
                    backup_dir(source))  # within 255 bytes and SQLite's longest path


def _after_the_newest(source: Path, now: dt.datetime) -> dt.datetime:
    """``now``, or a microsecond after the newest copy's instant when that is not
    earlier: the last copy taken is always the latest by name (two within one tick of
    the clock, a clock set back, or a clock a test has stopped)."""
    newest = None
    try:
        names = os.listdir(backup_dir(source))
    except OSError:
        names = []
    for name in names:
        match = BACKUP_NAME.fullmatch(name)
        if match and match["utc"] and from_stem(match["stem"], source.stem):
            stamp = dt.datetime.strptime(match["stamp"], STAMP_FORMAT).replace(tzinfo=dt.UTC)
            newest = stamp if newest is None or stamp > newest else newest
    if newest is not None and newest >= now:
        return newest + dt.timedelta(microseconds=1)
    return now


def is_copy_of(database: Path, name: str) -> bool:
    """Is ``name`` the name of a copy of ``database`` in its backup folder?"""
    match = BACKUP_NAME.fullmatch(name)
    return match is not None and from_stem(match["stem"], Path(database).stem)


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
        return _copy_verified(raw.driver_connection, Path(source), reason=reason, dest=dest, mark=BACKUP_MARK)
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
        return _copy_verified(connection, source, reason=reason, dest=dest, mark=BACKUP_MARK)
    finally:
        connection.close()


def _copy_verified(connection: sqlite3.Connection, source: Path, *, reason: str, dest: Path | None,
                   mark: int) -> Path:
    """``mark``: the copy's application_id (``BACKUP_MARK`` for a backup)."""
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
            write_copy(connection, partial, mark=mark)
        except (sqlite3.Error, OSError) as exc:
            raise DatabaseError(f"{dest}: backup failed ({_reason(exc)})") from exc
        try:
            problems = integrity_problems(partial)
        except DatabaseError as exc:  # the copy could not be read back (a full disk): no backup
            raise DatabaseError(f"{dest}: the backup could not be verified ({_after_path(exc, partial)})") from exc
        if problems:
            raise DatabaseError(f"{dest}: the backup did not verify ({problems[0]})")
        try:
            put_in_place(partial, dest, replace=False)  # never over a file that appeared meanwhile
        except OSError as exc:
            raise DatabaseError(f"{dest}: backup failed ({_reason(exc)})") from exc
    fsync_folder(dest.parent)
    if into_folder:  # every copy in the folder, before an import or an upgrade too, thins it
        from salesdesk.safety.backups import thin_backups

        thin_backups(source)
    return dest


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
    try:
        problems = read()
    except DatabaseError:
        if not (alone and wal.exists()):
            raise
        problems = None
    if problems != [] and alone and wal.exists():
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


def _after_path(exc: DatabaseError, path: Path) -> str:
    """The words of ``exc`` after the path it names."""
    return str(exc).removeprefix(f"{path}: ")


def _reason(exc: BaseException) -> str:
    text = str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        text = exc.strerror
    if "full" in text.lower() or (isinstance(exc, OSError) and exc.errno == 28):
        return "the disk is full"
    return text
