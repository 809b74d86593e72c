"""Consistent copies of an SQLite database through the backup API.

Copying the file while it is open, or without its ``-wal``, can corrupt it; the
backup API copies a consistent snapshot.  Every copy is verified before it counts.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

from sqlalchemy import Engine

from salesdesk.errors import DatabaseError
from salesdesk.paths import backup_dir


def backup_database(engine: Engine, source: Path, *, reason: str = "manual", dest: Path | None = None) -> Path:
    """Copy the database behind ``engine`` to ``dest`` (default: the backup folder)."""
    if dest is None:
        folder = backup_dir(source)
        folder.mkdir(parents=True, exist_ok=True)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        dest = folder / f"{source.stem}-{stamp}-{reason}.sqlite3"
    dest = Path(dest)
    if dest.exists():
        raise DatabaseError(f"{dest}: already exists; choose another file name")
    if not dest.parent.is_dir():
        raise DatabaseError(f"{dest.parent}: no such folder")
    raw = engine.raw_connection()
    try:
        target = sqlite3.connect(dest)
        try:
            raw.driver_connection.backup(target)
        finally:
            target.close()
    except sqlite3.Error as exc:
        dest.unlink(missing_ok=True)
        raise DatabaseError(f"{dest}: backup failed ({exc})") from exc
    finally:
        raw.close()
    problems = integrity_problems(dest)
    if problems:
        dest.unlink(missing_ok=True)
        raise DatabaseError(f"{dest}: the backup did not verify ({problems[0]})")
    return dest


def integrity_problems(path: Path) -> list[str]:
    """``PRAGMA integrity_check`` and ``foreign_key_check`` on a file; [] when healthy."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
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
