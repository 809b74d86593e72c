"""Files by name, touched without ever dropping SQLite's locks.

POSIX record locks belong to a process and a file, not to a descriptor: closing *any*
descriptor of a file drops every lock this process holds on it, SQLite's included
(SQLite, "How To Corrupt An SQLite Database File", section 2.2).  One ``open()`` and
``close()`` of the database while a connection is open, and another program may
checkpoint and delete the ``-wal`` this process goes on writing to: confirmed changes
are then lost at the next crash.  So:

- the database, its ``-wal`` and ``-shm`` are opened by SQLite alone; what SalesDesk
  needs to know of a file before opening it (is it SQLite at all?) is asked through
  SQLite (``sqlite_kind``), whose own descriptors know about each other;
- every other file SalesDesk reads or writes by a name the user gave goes through
  ``open_file``, which refuses a file this process has open under any name (a hard
  link or a symlink to the database, its ``-wal``...).

``tests/test_file_safety.py`` fails when code outside this module opens files by name.
"""

from __future__ import annotations

import builtins
import os
import sqlite3
import stat
from pathlib import Path
from typing import IO, Literal, NamedTuple
from urllib.parse import quote

from salesdesk.errors import DatabaseError, ValidationError

SIDECARS = ("-wal", "-shm", "-journal")
SQLITE_NOTADB = 26
SQLITE_CANTOPEN = 14
_FD_FOLDER = Path("/proc/self/fd")

NAME_MAX = 255  # bytes in a file name (ext4, XFS, APFS); NTFS counts UTF-16 units, never more
# SQLite names its sidecars after the file it writes: a name SalesDesk makes leaves room for them.
_NAME_ROOM = NAME_MAX - max(len(suffix) for suffix in SIDECARS)
# SQLite's unix VFS opens no file by a full name longer than 512 bytes, less room for "-journal"
SQLITE_PATH_MAX = 512 - len("-journal")
NOT_ORDINARY = "is not an ordinary file (a device, a pipe or a socket)"

# "special": a device, a pipe or a socket, which opening may block on or write into
Kind = Literal["missing", "folder", "empty", "sqlite", "other", "unreadable", "special"]


class FileId(NamedTuple):
    """A file itself, whatever its name: two names of one file have one ``FileId``."""

    device: int
    inode: int


def file_id(path: str | Path) -> FileId | None:
    """The file ``path`` names (symlinks followed), or None when there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return FileId(st.st_dev, st.st_ino)


def same_file(a: str | Path, b: str | Path) -> bool:
    first = file_id(a)
    return first is not None and first == file_id(b)


def sidecars(database: str | Path) -> list[Path]:
    """The names SQLite keeps beside ``database`` (whether or not they exist now)."""
    return [Path(f"{database}{suffix}") for suffix in SIDECARS]


def descriptors(path: str | Path) -> list[int]:
    """This process's open descriptors of the file ``path`` names ([] when none, or
    where ``/proc`` cannot tell)."""
    wanted = file_id(path)
    if wanted is None or not _FD_FOLDER.is_dir():
        return []
    found = []
    for entry in os.listdir(_FD_FOLDER):
        try:
            st = os.stat(_FD_FOLDER / entry)  # the file behind the descriptor; opens nothing
        except OSError:
            continue  # closed meanwhile, or listdir's own descriptor
        if (st.st_dev, st.st_ino) == wanted:
            found.append(int(entry))
    return found


def held_here(path: str | Path) -> bool:
    """Does this process have the file open (under this name or any other)?"""
    return bool(descriptors(path))


def is_special(path: str | Path) -> bool:
    """Is ``path`` a device, a pipe or a socket (symlinks followed)?  Asked of its mode
    alone: opening a pipe waits for a writer, forever."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def open_file(path: str | Path, mode: str = "r", **kwargs) -> IO:
    """``open()`` for a file the user named: refused when this process has it open, or
    when it is not an ordinary file (checked before opening: a pipe would never answer).

    Closing a descriptor of a database this process has open would drop SQLite's
    locks on it; a file we have open is a database of ours (or its ``-wal``) under
    another name, never a CSV, a mapping or a report to write.
    """
    if is_special(path):
        raise ValidationError("file", f"{path}: {NOT_ORDINARY}")
    if held_here(path):
        raise DatabaseError(f"{path}: is a database file SalesDesk has open; choose another file")
    return builtins.open(path, mode, **kwargs)


def fsync_file(path: str | Path) -> None:
    """Put a file SalesDesk has just written on disk (not a database we have open:
    closing this descriptor would drop SQLite's locks on it)."""
    if held_here(path):
        raise DatabaseError(f"{path}: is a database file SalesDesk has open; it is not synced by name")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_folder(folder: str | Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); Windows has no folder handles."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def sqlite_uri(path: str | Path, **params: str) -> str:
    """A ``file:`` URI for ``path`` (``?``, ``#`` and ``%`` in names quoted)."""
    query = "&".join(f"{key}={value}" for key, value in params.items())
    name = quote(str(path))
    if name.startswith("/"):
        name = "//" + name  # an empty authority: ``//host/x`` (a POSIX name) is no host
    return f"file:{name}" + (f"?{query}" if query else "")


def fit_name(stem: str, rest: str, folder: str | Path | None = None) -> str:
    """``stem + rest``, with ``stem`` shortened so that the name, and the sidecars SQLite
    names after it, fit in ``NAME_MAX`` bytes (UTF-8, as the file system counts); with
    ``folder``, also so that SQLite can open it there (``SQLITE_PATH_MAX``).

    ``rest`` (a stamp, a reason, a suffix) is kept whole.  A shortened stem ends in
    ``~`` and a hash of the whole stem, so ``from_stem`` knows it for the stem's own,
    and two long stems that differ only at their end give different names.
    """
    room = _NAME_ROOM
    if folder is not None:
        room = min(room, SQLITE_PATH_MAX - len(os.fsencode(os.path.join(os.path.abspath(folder), ""))))
    if len(os.fsencode(stem + rest)) <= room:
        return stem + rest
    mark = "~" + _stem_hash(stem)
    room -= len(os.fsencode(mark + rest))
    if room < 1:
        raise DatabaseError(f"{folder}: is too deep a folder for the copies SalesDesk keeps of {stem} "
                            "(SQLite opens no file by a longer name); move the database to a shorter path")
    short = stem[:room]  # cut by characters, never half of one
    while len(os.fsencode(short)) > room:
        short = short[:-1]
    return short + mark + rest


def from_stem(found: str, stem: str) -> bool:
    """Is ``found``, the stem part of a name ``fit_name`` made, ``stem`` whole or
    shortened?  (A database's copies are found again even after a move to a folder
    where ``fit_name`` would shorten differently.)"""
    if found == stem:
        return True
    head, mark, digest = found.rpartition("~")
    return bool(mark) and digest == _stem_hash(stem) and stem.startswith(head)


def _stem_hash(stem: str) -> str:
    import hashlib  # here, not at the top: only long names need it, and it costs the start 3 ms

    return hashlib.sha256(os.fsencode(stem)).hexdigest()[:8]


def sqlite_kind(path: str | Path) -> Kind:
    """What is at ``path``, asked through SQLite so that no descriptor of ours is closed
    under a live connection, and nothing is written (``immutable``: no locks taken,
    no ``-wal`` or ``-shm`` made)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return "missing"
    except OSError:
        return "unreadable"
    if stat.S_ISDIR(st.st_mode):
        return "folder"
    if not stat.S_ISREG(st.st_mode):
        return "special"
    if st.st_size == 0:
        return "empty"
    if st.st_size < 512:  # SQLite's smallest page; SQLite itself reads a shorter file as an empty database
        return "other"
    if not os.access(path, os.R_OK):
        return "unreadable"
    try:
        connection = sqlite3.connect(sqlite_uri(path, mode="ro", immutable="1"), uri=True)
    except sqlite3.Error:
        return "unreadable"
    try:
        connection.execute("PRAGMA schema_version").fetchone()
        return "sqlite"
    except sqlite3.DatabaseError as exc:
        code = getattr(exc, "sqlite_errorcode", None)
        if code == SQLITE_NOTADB:
            return "other"
        if code is not None and code & 0xFF == SQLITE_CANTOPEN:
            return "unreadable"
        return "sqlite"  # an SQLite file whose first page is damaged: the integrity check says how
    finally:
        connection.close()


def looks_like_sqlite(path: str | Path) -> bool:
    return sqlite_kind(path) == "sqlite"
