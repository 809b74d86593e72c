"""The check on open: is the file sound?  A damaged file is kept aside, never deleted.

``PRAGMA quick_check`` reads every page but skips the index-against-table comparison
of ``integrity_check``, so it is fast enough for every start (a few milliseconds on
the demo company).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from salesdesk.clock import CLOCK
from salesdesk.db.backup import integrity_problems
from salesdesk.errors import DatabaseError

from salesdesk.safety.files import SIDECARS, fit_name, looks_like_sqlite, sqlite_kind

__all__ = ["SIDECARS", "looks_like_sqlite", "quick_problems", "aside_name", "move_aside", "newest_good_backup"]


def quick_problems(path: Path) -> list[str]:
    """What ``PRAGMA quick_check`` and the schema check find wrong with an SQLite file;
    [] when sound.  Read without leaving a ``-wal`` or ``-shm`` beside the file.

    A missing file, or one that is not an SQLite file at all, is not "damaged": opening
    it refuses it with its own message, and it must stay untouched.  Nor is a file that
    cannot be read now (another program holds it locked, a disk I/O error, a ``-wal``
    that is a folder): opening it says what happened, and nothing offers a restore.
    """
    if sqlite_kind(path) != "sqlite":
        return []
    try:
        return integrity_problems(Path(path), quick=True)
    except DatabaseError:
        return []


def aside_name(database: Path, label: str, when: dt.datetime | None = None) -> Path:
    """``<name>-<label>-<stamp>.sqlite3`` beside ``database`` (a long name shortened to fit)."""
    stamp = (when or CLOCK.now_local().replace(tzinfo=None)).strftime("%Y%m%d-%H%M%S")
    suffix = database.suffix or ".sqlite3"

    def named(number: str) -> Path:
        return database.with_name(fit_name(database.stem, f"-{label}-{stamp}{number}{suffix}", database.parent))

    candidate = named("")
    number = 2
    while candidate.exists():
        candidate = named(f"-{number}")
        number += 1
    return candidate


def move_aside(database: Path, label: str) -> Path:
    """Rename ``database`` and its ``-wal``/``-shm`` together (they are one database:
    separated, the newest commits are lost or the file is corrupted) to the aside name."""
    database = Path(database)
    aside = aside_name(database, label)
    try:
        for suffix in SIDECARS:
            sidecar = Path(f"{database}{suffix}")
            if sidecar.exists():
                os.replace(sidecar, f"{aside}{suffix}")
        os.replace(database, aside)
    except OSError as exc:
        raise DatabaseError(f"{database}: cannot be moved aside ({exc.strerror})") from exc
    return aside


def newest_good_backup(database: Path):
    """The newest backup of ``database`` that passes the full integrity check, or None."""
    from salesdesk.safety.backups import list_backups

    for backup in list_backups(database):
        if not integrity_problems(backup.path):
            return backup
    return None
