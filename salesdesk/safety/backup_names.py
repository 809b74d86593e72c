"""The names of the copies in a backup folder: how one is written, and how it is read.

A copy is named ``<database>-<UTC time>Z-<reason>.sqlite3``, so the folder lists
itself (``salesdesk.safety.backups.list_backups``) without an index file that could
disagree with what is on disk; UTC, so that a clock moved back (a time zone change,
the autumn DST change) never makes an older copy look newer.  Names without the ``Z``,
from earlier versions, carry local time.  The writer (``backup_name``) and the reader
(``read_backup_name``) stand side by side so that the format has one home.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import NamedTuple

from salesdesk.clock import CLOCK
from salesdesk.paths import backup_dir
from salesdesk.safety.files import fit_name, from_stem

STAMP_FORMAT = "%Y%m%d-%H%M%S-%f"
UTC_SUFFIX = "Z"  # after the stamp: the time is UTC (names without it carry local time)
# A copy in a backup folder, as ``backup_name`` names it (matched whole: ``fullmatch``;
# DOTALL, for a database whose name holds a newline).
BACKUP_NAME = re.compile(r"(?P<stem>.+)-(?P<stamp>\d{8}-\d{6}-\d{6})(?P<utc>Z?)-(?P<reason>[a-z0-9-]+)\.sqlite3",
                         re.DOTALL)
_REASON = re.compile(r"[^a-z0-9]+")


class NamedCopy(NamedTuple):
    """What the name of a copy says."""

    taken_at: dt.datetime  # aware, in local time (for display and the day it was taken)
    reason: str
    utc: bool  # named in UTC (False: an older name, in local time)


def backup_name(source: Path, reason: str, when: dt.datetime | None = None) -> str:
    """The file name of a copy of ``source`` taken at ``when`` (aware, or naive local
    time; default now) for ``reason``.  The name carries the time in UTC."""
    reason = _REASON.sub("-", reason.lower()).strip("-") or "manual"
    if when is not None and when.tzinfo is None:  # local wall time in the clock's zone, not the machine's
        when = CLOCK.utc_of_local(when).replace(tzinfo=dt.UTC)
    instant = (when or _after_the_newest(source, CLOCK.now())).astimezone(dt.UTC)
    return fit_name(source.stem, f"-{instant.strftime(STAMP_FORMAT)}{UTC_SUFFIX}-{reason}.sqlite3",
                    backup_dir(source))  # within 255 bytes and SQLite's longest path


def read_backup_name(database: Path, name: str) -> NamedCopy | None:
    """What ``name`` says of a copy of ``database``; None when it names no copy of it
    (another database's, another file, or a stamp that is no time)."""
    match = BACKUP_NAME.fullmatch(name)
    if match is None or not from_stem(match["stem"], Path(database).stem):
        return None
    utc = bool(match["utc"])
    try:
        moment = dt.datetime.strptime(match["stamp"], STAMP_FORMAT)
        # An old name: local wall time, read in the clock's zone (the system's unless pinned).
        taken_at = CLOCK.to_local(moment if utc else CLOCK.utc_of_local(moment))
    except (ValueError, OverflowError):
        return None
    return NamedCopy(taken_at, match["reason"], utc)


def is_copy_of(database: Path, name: str) -> bool:
    """Is ``name`` the name of a copy of ``database`` in its backup folder?"""
    match = BACKUP_NAME.fullmatch(name)
    return match is not None and from_stem(match["stem"], Path(database).stem)


def names_a_backup(name: str) -> bool:
    """Is ``name`` shaped like a copy's name, of whichever database?"""
    return BACKUP_NAME.fullmatch(name) is not None


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
        copy = read_backup_name(source, name)
        if copy is not None and copy.utc:  # local-time names are older versions', from before any in UTC
            instant = copy.taken_at.astimezone(dt.UTC)
            newest = instant if newest is None or instant > newest else newest
    if newest is not None and newest >= now:
        return newest + dt.timedelta(microseconds=1)
    return now
