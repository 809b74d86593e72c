"""Put a backup back in place of the database, keeping the current file aside.

At every instant the database's path holds the old database or the restored one,
whenever a SIGKILL lands (README, Data safety: a restore is one rename over the old file).
The steps, and what the path holds if the process dies after each:

1. The backup is verified (integrity, foreign keys, a SalesDesk schema we can open),
   and what killed restores and copies left is removed.
   → the old database.
2. The backup is copied through the backup API into ``.<name>.restoring-<pid>`` beside
   the database, in rollback-journal mode (no ``-wal`` of its own), without the backup
   mark (``application_id`` 0: it is a database again), fsynced, verified.
   → the old database; the temporary copy is a leftover that the next restore, backup
   or start removes (``safety/unfinished.py``).
3. The old file gets a second name, ``<name>-before-restore-<stamp>.sqlite3``:
   a. a sound file is checkpointed (``wal_checkpoint(TRUNCATE)``; closing the only
      connection deletes ``-wal`` and ``-shm``), so that the main file alone is the
      whole database; refused if another program has it open.  A checkpoint is
      crash-safe in itself.  → the old database.
   b. ``os.link`` gives it the aside name.  → the old database, also under the aside
      name; the next restore or start drops that name (the restore never happened).
      Where hard links are not supported (FAT, exFAT, some shares) a verified copy
      through the backup API is written to the aside name instead (as in 2).
   c. a damaged file (which may not checkpoint) is linked as
      ``<name>-damaged-<stamp>.sqlite3``, then its ``-wal``, ``-shm`` and ``-journal``
      are renamed to the aside name's: a ``-wal`` is replayed onto whatever main file
      sits beside it, so none may stay beside the restored file.  → between these
      renames and step 4, the damaged main file without its ``-wal``; the aside name
      has both, as they were.  (Without hard links, a damaged file is renamed aside
      with its sidecars: for that instant the path is empty.)
4. ``os.replace`` of the temporary copy over the database name (no ``-wal`` or
   ``-journal`` is beside it: checked just before), then an fsync of the folder.
   → the restored database; the old one under the aside name alone.

A restore replaces only a missing file, an empty one, or a regular, writable SalesDesk
database, sound or damaged (``check_restore_target``): never a backup, the sidecar of
another database, another program's SQLite file, a file of a newer SalesDesk, a
read-only file, a device, a pipe or a folder.  A file whose SQLite header was wiped is
no SQLite file at all: it counts as a damaged SalesDesk database (kept aside as
``-damaged-``) when its own backup folder holds backups of it, as only a SalesDesk
database has; anywhere else nothing tells it from a document, and it is refused (move
it away, then restore onto the empty path).

A missing database has nothing to keep; stale sidecars of a file that is gone are
removed just before step 4.  The caller closes its own connections first and holds
the instance lock, so no other SalesDesk has the file open; the lock moves onto the
temporary copy just before step 4.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from salesdesk.db.backup import (
    NOT_A_BACKUP,
    CopyFailed,
    copy_verified,
    integrity_problems,
    write_verified_copy,
)
from salesdesk.db.engine import busy_timeout
from salesdesk.errors import DatabaseError
from salesdesk.paths import backup_dir
from salesdesk.safety.backup_names import is_copy_of
from salesdesk.safety.files import (
    from_stem,
    fsync_folder,
    same_file,
    sidecars,
    sqlite_kind,
    sqlite_uri,
)
from salesdesk.safety.instance_lock import InstanceLock
from salesdesk.safety.integrity import aside_name, move_aside
from salesdesk.safety.output import refuse_sidecar
from salesdesk.safety.unfinished import remove_leftovers, temporary_name, writing

ASIDE_LABELS = ("before-restore", "damaged")
MIN_PAGE_SIZE = 512  # an SQLite database file is whole pages, of 512 bytes at the least


@dataclass(frozen=True)
class RestoreOutcome:
    database: Path
    backup: Path
    kept_aside: Path | None  # the file that was in place before, or None if there was none
    was_damaged: bool


@dataclass(frozen=True)
class _Aside:
    path: Path
    how: Literal["linked", "copied", "moved"]


def verify_backup(backup: Path) -> None:
    """Refuse a backup that is damaged, foreign or from a newer SalesDesk."""
    from salesdesk.db.migrate import schema_state

    backup = Path(backup)
    if not backup.is_file():
        raise DatabaseError(f"{backup}: no such backup file")
    problems = integrity_problems(backup)
    if problems:
        raise DatabaseError(f"{backup}: the backup is damaged ({problems[0]}); choose another one")
    if schema_state(backup) == "empty":
        raise DatabaseError(f"{backup}: is an empty file, not a SalesDesk backup")


def restore_backup(backup: Path, database: Path, *, now: dt.datetime | None = None,
                   lock: InstanceLock | None = None) -> RestoreOutcome:
    """``lock``: the caller's instance lock of ``database``; it is moved onto the restored
    copy before the rename (the lock belongs to the file, and the rename brings a new
    one), so no other SalesDesk can open the restored file in between."""
    backup, database = Path(backup).resolve(), Path(database).resolve()
    if backup == database:
        raise DatabaseError(f"{backup}: is the database itself, not a backup of it")
    damaged = check_restore_target(database)
    verify_backup(backup)
    remove_leftovers_of(database, now=now)
    temporary = temporary_name(database, "restoring")
    with writing(temporary):  # gone on the way out: renamed, or removed after a failure
        _copy_backup(backup, temporary, database)
        aside = _keep_aside(database, damaged=damaged, now=now) if database.exists() else None
        try:
            if lock is not None and lock.held:
                lock.adopt(temporary)
            _replace(temporary, database, keeping=aside)
        except (OSError, DatabaseError) as exc:
            if aside is not None:
                _put_back(aside, database)
            if lock is not None and lock.held and database.exists():
                lock.adopt(database)  # the old file again
            if isinstance(exc, DatabaseError):
                raise
            raise DatabaseError(f"{database}: the restore failed ({exc.strerror or exc}); "
                                "the database is as it was") from exc
    return RestoreOutcome(database, backup, aside.path if aside else None, damaged)


def check_restore_target(database: Path) -> bool:
    """Refuse, in one sentence, a ``database`` a restore must not replace (the module's
    doc says which); else whether what is there is damaged (to be kept aside as such).
    Reads the file through SQLite only, and leaves nothing beside it."""
    from salesdesk.db.migrate import DamagedDatabase, schema_state
    from salesdesk.safety.backups import is_backup, list_backups

    database = Path(database)
    refuse_sidecar(database)
    try:
        st = os.stat(database)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise DatabaseError(f"{database}: cannot be looked at ({exc.strerror}); nothing was restored") from exc
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseError(f"{database}: is not an ordinary file (a folder, a device, a pipe or a socket); "
                            "a restore replaces only a database file")
    if not st.st_mode & 0o222 or not os.access(database, os.W_OK):  # the mode bits too: root may write anything
        raise DatabaseError(f"{database}: is read-only; SalesDesk does not replace read-only files")
    if is_backup(database):
        raise DatabaseError(f"{database}: is a backup, which SalesDesk never changes; restore into the database "
                            "itself, or into a new file")
    kind = sqlite_kind(database)
    if kind == "sqlite" and st.st_size < MIN_PAGE_SIZE:  # SQLite reads a 1-byte file as an empty database
        kind = "other"
    if kind == "empty":
        return False
    if kind == "unreadable":
        raise DatabaseError(f"{database}: cannot be read, so SalesDesk cannot tell what a restore would replace")
    if kind == "other":
        if list_backups(database):  # only a SalesDesk database has backups there: its header was wiped
            return True
        raise DatabaseError(f"{database}: is not an SQLite file, so not a SalesDesk database; if it is a damaged "
                            "one, move it away, then restore")
    if integrity_problems(database, quick=True):  # raises when it cannot be read (locked, I/O error)
        return True
    try:
        schema_state(database)
    except DamagedDatabase:
        return True
    except DatabaseError as exc:  # another program's database, or a newer SalesDesk's
        raise DatabaseError(f"{exc}; a restore replaces only a database of this SalesDesk") from exc
    return False


def remove_leftovers_of(database: Path, *, now: dt.datetime | None = None) -> list[Path]:
    """Remove what killed restores and copies of ``database`` left (at start, before
    each restore): temporary copies beside it, in its backup folder and wherever a
    record points, and an aside name a killed restore linked to the database itself
    but never got to use.  An aside name with sidecars of its own (a damaged file's
    ``-wal``) is the only whole copy of them, and stays."""
    database = Path(database)
    beside = (database.parent, lambda name: name == database.name or _is_aside(database, name))
    copies = (backup_dir(database), lambda name: is_copy_of(database, name))
    removed = remove_leftovers(beside, copies, now=now)
    try:
        entries = [e for e in database.parent.iterdir() if _is_aside(database, e.name)]
    except OSError:
        return removed
    for entry in entries:
        if same_file(entry, database) and not any(p.exists() for p in sidecars(entry)):
            entry.unlink(missing_ok=True)
            removed.append(entry)
    return removed


def _is_aside(database: Path, name: str) -> bool:
    """Is ``name`` an aside name of ``database`` (``integrity.aside_name``)?"""
    labels = "|".join(ASIDE_LABELS)
    suffix = re.escape(database.suffix or ".sqlite3")
    match = re.fullmatch(rf"(?P<stem>.+)-(?:{labels})-\d{{8}}-\d{{6}}(?:-\d+)?{suffix}", name, re.DOTALL)
    return match is not None and from_stem(match["stem"], database.stem)  # a long stem is shortened


def _copy_backup(backup: Path, temporary: Path, database: Path) -> None:
    as_it_was = "the database is as it was"
    try:
        source = sqlite3.connect(sqlite_uri(backup, mode="ro"), uri=True, timeout=busy_timeout())
    except sqlite3.Error as exc:
        raise DatabaseError(f"{database}: the backup could not be copied ({exc}); {as_it_was}") from exc
    try:  # a database again, no longer a backup
        write_verified_copy(source, temporary, mark=NOT_A_BACKUP,
                            before_check=lambda copy: _keep_reference(database, copy))
    except CopyFailed as failed:
        if failed.step == "write":
            why = f"the backup could not be copied ({failed.cause})"
        elif failed.step == "read back":
            why = f"the restored copy could not be read back ({failed.cause})"
        else:
            why = f"the restored copy did not verify ({failed.problem})"
        raise DatabaseError(f"{database}: {why}; {as_it_was}") from failed.cause
    finally:
        source.close()


def _keep_reference(database: Path, restored: Path) -> None:
    """A backup from before migration 0002 has no reference (the name the database's
    exports give its deals): it takes the database's, being the same database, so the
    exports made since find its deals again.  A damaged database gives none."""
    from salesdesk.transfer.export import REFERENCE_KEY

    try:
        current = sqlite3.connect(sqlite_uri(database, mode="ro"), uri=True, timeout=busy_timeout())
        try:
            found = current.execute("SELECT value FROM settings WHERE key = ?", (REFERENCE_KEY,)).fetchone()
        finally:
            current.close()
    except sqlite3.Error:
        return
    if found:
        copy = sqlite3.connect(restored, timeout=busy_timeout())
        try:
            with copy:
                copy.execute("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING",
                             (REFERENCE_KEY, found[0]))
        finally:
            copy.close()


def _keep_aside(database: Path, *, damaged: bool, now: dt.datetime | None) -> _Aside:
    """Step 3: the old file under its aside name too, the path still holding it."""
    aside = aside_name(database, "damaged" if damaged else "before-restore", now)
    if not damaged:
        _checkpoint(database)
    try:
        os.link(database, aside)
    except OSError:  # no hard links on this file system
        if damaged:
            return _Aside(move_aside(database, "damaged"), "moved")
        _copy_aside(database, aside)
        return _Aside(aside, "copied")
    if damaged:
        try:
            _move_sidecars(database, aside)
        except OSError as exc:
            _put_back(_Aside(aside, "linked"), database)
            raise DatabaseError(f"{database}: cannot be kept aside ({exc.strerror})") from exc
    return _Aside(aside, "linked")


def _copy_aside(database: Path, aside: Path) -> None:
    """A verified copy of a sound file, through a read-write connection: closing it,
    the last one, deletes the ``-wal`` and ``-shm`` a read-only one would leave."""
    try:
        connection = sqlite3.connect(database, timeout=busy_timeout())
    except sqlite3.Error as exc:
        raise DatabaseError(f"{database}: cannot be kept aside ({exc})") from exc
    try:
        copy_verified(connection, database, reason="before-restore", dest=aside, mark=NOT_A_BACKUP)
    finally:
        connection.close()


def _replace(temporary: Path, database: Path, *, keeping: _Aside | None) -> None:
    """Step 4, the one rename.  No ``-wal`` or ``-journal`` may be beside it then."""
    present = [p for p in sidecars(database) if p.exists()]
    if present and keeping is not None:  # reappeared after the checkpoint: someone opened it
        raise DatabaseError(f"{database}: another program is using the database; close it, then restore")
    for stale in present:  # of a database that is gone: they would be replayed onto the backup
        stale.unlink(missing_ok=True)
    os.replace(temporary, database)
    fsync_folder(database.parent)


def _put_back(aside: _Aside, database: Path) -> None:
    """Undo step 3 after a failure: the database as it was, no second name left."""
    if aside.how == "moved":
        if not database.exists():
            os.replace(aside.path, database)
        _move_sidecars(aside.path, database)
    elif aside.how == "copied":
        aside.path.unlink(missing_ok=True)
    else:
        _move_sidecars(aside.path, database)
        if same_file(aside.path, database):
            aside.path.unlink()


def _move_sidecars(source: Path, target: Path) -> None:
    for sidecar, moved in zip(sidecars(source), sidecars(target)):
        if sidecar.exists():
            os.replace(sidecar, moved)


def _checkpoint(database: Path) -> None:
    """Fold the ``-wal`` into the file and let SQLite delete it; refuse if someone else
    still has the database open (their ``-wal`` would be replayed onto the backup)."""
    wal = Path(f"{database}-wal")
    try:
        connection = sqlite3.connect(database, timeout=busy_timeout())
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()  # the last connection to close removes -wal and -shm
    except sqlite3.Error as exc:
        raise DatabaseError(f"{database}: cannot be prepared for the restore ({exc})") from exc
    if busy or wal.exists():
        raise DatabaseError(f"{database}: another program is using the database; close it, then restore")
