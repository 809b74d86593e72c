"""Put a backup back in place of the database, keeping the current file aside.

The order matters (RELIABILITY.md: separating a database from its ``-wal`` corrupts it):

1. the backup is verified (integrity, foreign keys, a SalesDesk schema we can open);
2. a sound current file is checkpointed so its ``-wal`` is empty and removed, then
   renamed to ``<name>-before-restore-<stamp>.sqlite3``; a damaged one is renamed with
   its ``-wal`` and ``-shm`` as ``<name>-damaged-<stamp>.sqlite3`` (kept for repair);
3. the backup is copied through the backup API into a temporary file beside the
   database, verified, and renamed over the database name: no stale ``-wal`` or
   ``-shm`` is left to be replayed onto the restored file.

The caller closes its own connections first and holds the instance lock, so no other
SalesDesk has the file open; another program still holding it is detected and refused.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from salesdesk.db.backup import _fsync, _fsync_folder, integrity_problems
from salesdesk.errors import DatabaseError
from salesdesk.safety.integrity import move_aside, quick_problems


@dataclass(frozen=True)
class RestoreOutcome:
    database: Path
    backup: Path
    kept_aside: Path | None  # the file that was in place before, or None if there was none
    was_damaged: bool


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


def restore_backup(backup: Path, database: Path) -> RestoreOutcome:
    backup, database = Path(backup).resolve(), Path(database).resolve()
    if backup == database:
        raise DatabaseError(f"{backup}: is the database itself, not a backup of it")
    verify_backup(backup)
    kept, damaged = None, False
    if database.exists():
        damaged = bool(quick_problems(database))
        if not damaged:
            _checkpoint(database)
        kept = move_aside(database, "damaged" if damaged else "before-restore")
    else:
        for suffix in ("-wal", "-shm", "-journal"):  # leftovers of a file that is gone
            Path(f"{database}{suffix}").unlink(missing_ok=True)

    temporary = database.with_name(f".{database.name}.restoring-{os.getpid()}")
    try:
        source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
        target = sqlite3.connect(temporary)
        try:
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
            source.close()
        _fsync(temporary)
        problems = integrity_problems(temporary)
        if problems:
            raise DatabaseError(f"{database}: the restored copy did not verify ({problems[0]})")
        os.replace(temporary, database)
        _fsync_folder(database.parent)
    except (sqlite3.Error, OSError, DatabaseError) as exc:
        temporary.unlink(missing_ok=True)
        if kept is not None and not database.exists():
            os.replace(kept, database)  # put back what was there (a damaged file stays damaged)
            kept = None
        if isinstance(exc, DatabaseError):
            raise
        raise DatabaseError(f"{database}: the restore failed ({exc}); the database is as it was") from exc
    return RestoreOutcome(database, backup, kept, damaged)


def _checkpoint(database: Path) -> None:
    """Fold the ``-wal`` into the file and let SQLite delete it; refuse if someone else
    still has the database open (their ``-wal`` would be replayed onto the backup)."""
    wal = Path(f"{database}-wal")
    try:
        connection = sqlite3.connect(database, timeout=5)
        try:
            busy, _, _ = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            connection.close()  # the last connection to close removes -wal and -shm
    except sqlite3.Error as exc:
        raise DatabaseError(f"{database}: cannot be prepared for the restore ({exc})") from exc
    if busy or wal.exists():
        raise DatabaseError(f"{database}: another program is using the database; close it, then restore")
