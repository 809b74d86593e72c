"""The backup folder of a database: what is in it, when to add a copy, what to thin.

Automatic backups follow Anki's habit: one at start when the newest copy is more than a
day old, one every 30 minutes while changes are being made (the window's timer calls
``AutoBackup.tick``), and one before every migration and import.  The folder is then
thinned like ``restic forget``: the newest few copies, plus the newest copy of each of
the last 12 days, 10 weeks and 9 months that have one.

Copies are ordered by the instant they were taken (their names carry UTC; older
names, local time) and shown, and put in days, weeks and months, in local time.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from salesdesk.clock import CLOCK
from salesdesk.db.backup import backup_database, backup_file, carries_backup_mark
from salesdesk.paths import backup_dir
from salesdesk.safety.backup_names import is_copy_of, names_a_backup, read_backup_name
from salesdesk.safety.files import sqlite_uri
from salesdesk.safety.restore import remove_leftovers_of

if TYPE_CHECKING:
    from sqlalchemy import Engine

log = logging.getLogger(__name__)

KEEP_LAST = 3
KEEP_DAILY = 12
KEEP_WEEKLY = 10
KEEP_MONTHLY = 9
START_BACKUP_AGE = dt.timedelta(days=1)
PERIODIC_INTERVAL = dt.timedelta(minutes=30)

# What each reason means to the user, as the Backups dialog and `backup --list` say it.
REASONS = {
    "daily": "daily, at start",
    "auto": "while you worked",
    "manual": "by hand",
    "before-upgrade": "before an upgrade",
    "import": "before an import",
    "before-restore": "before a restore",
}


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    taken_at: dt.datetime  # from the file name: aware, in local time (for display and the day it was taken)
    reason: str
    size: int

    @property
    def reason_text(self) -> str:
        return REASONS.get(self.reason, self.reason.replace("-", " "))


def is_backup(path: Path) -> bool:
    """Is ``path`` (symlinks followed) a backup: a copy in a backup folder, or a file
    that carries the backup mark (a copy on a USB stick, a hard link to one elsewhere)?
    Such a file is only ever restored or read: a change to it would change the copy,
    not the database.  (A copy from before the mark, under another name, is not known.)"""
    path = Path(path).resolve()
    named = path.parent.name.endswith("-backups") and names_a_backup(path.name)
    return named or carries_backup_mark(path)


def list_backups(database: Path) -> list[BackupInfo]:
    """The copies of ``database`` in its backup folder, newest first."""
    folder = backup_dir(Path(database))
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        named = read_backup_name(database, path.name)
        if named is None or not path.is_file():
            continue
        try:
            size = path.stat().st_size
        except OSError:
            continue
        found.append(BackupInfo(path, named.taken_at, named.reason, size))
    found.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return found


def newest_backup(database: Path) -> BackupInfo | None:
    backups = list_backups(database)
    return backups[0] if backups else None


def backups_to_keep(
    stamps: Iterable[dt.datetime],
    *,
    last: int = KEEP_LAST,
    daily: int = KEEP_DAILY,
    weekly: int = KEEP_WEEKLY,
    monthly: int = KEEP_MONTHLY,
) -> set[dt.datetime]:
    """Which of ``stamps`` to keep: the newest ``last``, and the newest of each of the
    ``daily`` latest days, ``weekly`` latest ISO weeks and ``monthly`` latest months that
    have a copy.  Pure, so hand-made dates test it; never empty unless ``stamps`` is.
    ``stamps`` are all naive or all aware: aware ones are ordered by instant and put in
    the days of their own (local) time."""
    ordered = sorted(set(stamps), reverse=True)
    keep = set(ordered[: max(last, 1)])  # the newest always stays
    buckets: tuple[tuple[Callable[[dt.datetime], object], int], ...] = (
        (lambda s: s.date(), daily),
        (lambda s: s.isocalendar()[:2], weekly),
        (lambda s: (s.year, s.month), monthly),
    )
    for bucket_of, count in buckets:
        seen: set[object] = set()
        for stamp in ordered:
            bucket = bucket_of(stamp)
            if bucket in seen:
                continue
            if len(seen) == count:
                break
            seen.add(bucket)
            keep.add(stamp)
    return keep


def thin_backups(database: Path) -> list[Path]:
    """Delete the copies ``backups_to_keep`` does not keep; the paths deleted.

    Also removes a ``.partial`` copy of an older SalesDesk (without its writer's pid)
    more than an hour old: one cut short by a crash (a copy under way is younger; it
    was never named as a backup).  Newer ones are ``safety/unfinished.py``'s."""
    folder = backup_dir(Path(database))
    try:
        entries = list(folder.iterdir())
    except OSError:
        entries = []
    for partial in entries:
        name = partial.name
        if not (name.startswith(".") and name.endswith(".partial")
                and is_copy_of(database, name[1:].removesuffix(".partial"))):
            continue
        try:
            if CLOCK.file_age(partial.stat().st_mtime) > 3600:
                partial.unlink()
        except OSError:
            pass
    backups = list_backups(database)
    keep = backups_to_keep(b.taken_at for b in backups)
    removed = []
    for backup in backups[1:]:  # the newest is never a candidate
        if backup.taken_at in keep:
            continue
        try:
            backup.path.unlink()
            removed.append(backup.path)
        except OSError as exc:
            log.warning("could not remove the old backup %s: %s", backup.path, exc)
    return removed


def back_up(database: Path, reason: str) -> Path:
    """A verified copy into the backup folder, which is then thinned: the daily, the
    periodic and the by-hand backups."""
    copy = backup_file(Path(database), reason=reason)
    thin_backups(database)
    log.info("backed up %s to %s (%s)", database, copy, reason)
    return copy


def back_up_database(engine: Engine, database: Path, reason: str) -> Path:
    """``back_up`` of the database open in ``engine``, copied through one of its own
    connections: the copies before an import and before an upgrade."""
    copy = backup_database(engine, Path(database), reason=reason)
    thin_backups(database)
    return copy


def start_backup_due(database: Path, now: dt.datetime | None = None, max_age: dt.timedelta = START_BACKUP_AGE) -> bool:
    """``now``: aware, or naive local time; both are compared as instants, so the hour
    a daylight-saving change adds or takes is neither a backup too many nor one missed."""
    newest = newest_backup(database)
    now = now or CLOCK.now()
    if now.tzinfo is None:
        now = now.replace(tzinfo=CLOCK.local_zone())
    return newest is None or now - newest.taken_at >= max_age


class AutoBackup:
    """The automatic backups of one database file.

    ``at_start()`` backs up when the newest copy is more than a day old; ``tick()``,
    called by the window every 30 minutes, backs up only when something was committed
    since the last copy.  Changes are noticed with ``PRAGMA data_version`` on a
    connection of our own, which changes whenever any other connection (ours, or
    another program's) commits.  Thread-safe: the window runs the copies off the GUI
    thread.
    """

    def __init__(self, database: Path, *, clock: Callable[[], dt.datetime] = CLOCK.now):
        self.database = Path(database)
        self._clock = clock
        self._lock = threading.Lock()
        self._watch: sqlite3.Connection | None = None
        with self._lock:
            self._seen = self._data_version()

    def _data_version(self) -> int | None:
        try:
            if self._watch is None:
                self._watch = sqlite3.connect(sqlite_uri(self.database, mode="ro"), uri=True, check_same_thread=False)
            return self._watch.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return None

    def changed(self) -> bool:
        with self._lock:
            return self._data_version() != self._seen

    def back_up(self, reason: str) -> Path:
        with self._lock:
            version = self._data_version()  # read first: a commit during the copy triggers the next one
            copy = back_up(self.database, reason)
            self._seen = version
            return copy

    def at_start(self) -> Path | None:
        """At the window's start: first what killed copies and restores left, then the
        day's backup if due."""
        remove_leftovers_of(self.database)
        if start_backup_due(self.database, self._clock()):
            return self.back_up("daily")
        return None

    def tick(self) -> Path | None:
        return self.back_up("auto") if self.changed() else None

    def close(self) -> None:
        with self._lock:
            if self._watch is not None:
                self._watch.close()
                self._watch = None
