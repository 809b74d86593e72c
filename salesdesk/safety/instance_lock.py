"""One SalesDesk per database file: a lock on the file itself.

The lock is an open-file-description lock (Linux ``F_OFD_SETLK``) on one byte of the
database file far beyond anything SQLite locks (SQLite's locks sit in the 512 bytes
at 1 GiB, ours at 2**62).  Why this shape:

- **The file, not a name.** A lock beside the name (``<database>.lock``) let a hard
  link, a second name of the same file, be locked separately: two imports ran at once
  and the file was malformed.  A lock on the file's own bytes is shared by every name
  it has: hard links, symlinks, paths through ``..``.
- **Dropped when the holder dies.** The kernel drops it with the last descriptor,
  SIGKILL and power cuts included, so a crash never leaves a stale lock to guess at
  (QLockFile needs a stale timeout and a pid check, and Qt, which commands don't load).
- **Not a POSIX process lock.** Those vanish when *any* descriptor of the file is
  closed in the process; an OFD lock belongs to its own descriptor.  But closing *our*
  descriptor drops SQLite's POSIX locks, so a descriptor of a file this process still
  has open elsewhere is never closed: it is parked and closed once nothing else of the
  process has the file open.
- **Fails closed.** A file system without locks, a read-only file: the window opens
  read-only and says why; a command is refused.

Who holds the lock is told by the lock itself: the holder also locks the byte at
``PID_BASE + its pid``, which ``F_OFD_GETLK`` reports to whoever asks.  So no file
beside the database is needed (a ``<database>.lock`` could be a symlink to a file of
the user's, or a folder), and the answer is right under every name of the file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import struct
import threading
from dataclasses import dataclass
from pathlib import Path

from salesdesk.errors import DatabaseError
from salesdesk.safety.files import descriptors, file_id, sidecars

try:
    import fcntl
except ImportError:  # Windows: no fcntl; the lock is skipped there for now
    fcntl = None  # type: ignore[assignment]  # the lock checks for None before any use

LOCK_OFFSET = 1 << 62
PID_BASE = LOCK_OFFSET + 1  # the holder's pid, as the position of a second locked byte
PID_SPAN = 1 << 32
# struct flock on Linux (x86_64, aarch64): short type, short whence, off_t start,
# off_t len, pid_t pid (0 for OFD locks), padded to 32 bytes.
_FLOCK = struct.Struct("hh4xqqi4x")
_OFD_SETLK = getattr(fcntl, "F_OFD_SETLK", 37)
_OFD_GETLK = getattr(fcntl, "F_OFD_GETLK", 36)


@dataclass(frozen=True)
class LockHolder:
    pid: int | None

    def describe(self) -> str:
        return f"pid {self.pid}" if self.pid else "another program"


class DatabaseInUse(DatabaseError):
    """Another SalesDesk holds the lock of this database file."""

    def __init__(self, database: Path, holder: LockHolder):
        super().__init__(f"SalesDesk already has {database} open ({holder.describe()})")
        self.database = database
        self.holder = holder


class LockUnavailable(DatabaseError):
    """The file cannot be locked at all: it is opened read-only, or not at all."""


class InstanceLock:
    """``acquire()`` or ``DatabaseInUse``/``LockUnavailable``; ``release()`` (also when
    the process dies).  ``acquire()`` makes an empty file when there is none
    (a new database), so that it can be locked before SQLite writes to it."""

    def __init__(self, database: Path | str):
        self.database = Path(database)
        self._fd: int | None = None
        self._created = False  # the empty file acquire() made, removed on release if still empty

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, *, create: bool = True) -> InstanceLock:
        if self._fd is not None or fcntl is None:
            return self
        existed = file_id(self.database) is not None
        fd = _open_database(self.database, create=create)
        try:
            _lock(fd, fcntl.F_WRLCK)
            _lock(fd, fcntl.F_WRLCK, PID_BASE + os.getpid())
        except BlockingIOError:
            holder = _holder(fd)
            _close(fd)
            raise DatabaseInUse(self.database, holder) from None
        except OSError as exc:
            _close(fd)
            raise LockUnavailable(f"{self.database}: cannot be locked against a second SalesDesk "
                                  f"({exc.strerror or exc}), so it is not opened for changes") from exc
        self._fd = fd
        self._created = not existed
        return self

    def adopt(self, replacement: Path | str) -> None:
        """Lock ``replacement`` (a new file about to be renamed over the database, as a
        restore does) in place of the current file: no other SalesDesk can slip in
        between the rename and a new ``acquire``.  Raises like ``acquire``."""
        if fcntl is None:
            return
        fd = _open_database(Path(replacement), create=False)
        try:
            _lock(fd, fcntl.F_WRLCK)
            _lock(fd, fcntl.F_WRLCK, PID_BASE + os.getpid())
        except OSError as exc:
            _close(fd)
            raise LockUnavailable(f"{replacement}: cannot be locked ({exc.strerror or exc})") from exc
        old, self._fd = self._fd, fd
        self._created = False
        if old is not None:
            _unlock_and_close(old)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        if self._created:  # nothing was made of the new file (a refused open): no file left behind
            self._created = False
            try:
                if os.fstat(fd).st_size == 0 and file_id(self.database) == _id_of(fd) and \
                        not any(os.path.lexists(p) for p in sidecars(self.database)):
                    os.unlink(self.database)
            except OSError:
                pass
        _unlock_and_close(fd)

    def holder(self) -> LockHolder | None:
        """Who holds the lock now, or None when nobody does (tests, the dialogs)."""
        if fcntl is None or file_id(self.database) is None:
            return None
        if self._fd is not None:
            return LockHolder(os.getpid())
        try:
            fd = _open_database(self.database, create=False, write=False)
        except DatabaseError:
            return None
        try:
            if _conflict(fd, LOCK_OFFSET, 1) is None:
                return None
            return _holder(fd)
        except OSError:
            return None
        finally:
            _close(fd)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *_exc) -> None:
        self.release()


def _open_database(database: Path, *, create: bool, write: bool = True) -> int:
    flags = (os.O_RDWR if write else os.O_RDONLY) | getattr(os, "O_CLOEXEC", 0)
    try:
        if create and file_id(database) is None:
            try:
                return os.open(database, flags | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pass  # made meanwhile by someone else: lock theirs
        return os.open(database, flags)
    except OSError as exc:
        if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise LockUnavailable(f"{database}: the database file is read-only, so it is not opened "
                                  "for changes") from exc
        if exc.errno == errno.ENOENT:
            raise DatabaseError(f"{database}: no such database file") from exc
        if exc.errno == errno.EISDIR:
            raise DatabaseError(f"{database}: is a folder, not a database file") from exc
        raise LockUnavailable(f"{database}: cannot be opened for locking ({exc.strerror or exc})") from exc


def _id_of(fd: int):
    st = os.fstat(fd)
    return (st.st_dev, st.st_ino)


def _lock(fd: int, kind: int, offset: int = LOCK_OFFSET) -> None:
    try:
        fcntl.fcntl(fd, _OFD_SETLK, _FLOCK.pack(kind, os.SEEK_SET, offset, 1, 0))
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            raise BlockingIOError(exc.errno, exc.strerror) from None
        raise


# Descriptors of database files that could not be closed yet, because the process
# still had the file open otherwise (closing would drop SQLite's locks on it).
_parked: list[int] = []
_parked_lock = threading.Lock()


def _conflict(fd: int, start: int, length: int) -> int | None:
    """The start of a lock another descriptor holds in [start, start + length), or None."""
    answer = fcntl.fcntl(fd, _OFD_GETLK, _FLOCK.pack(fcntl.F_WRLCK, os.SEEK_SET, start, length, 0))
    kind, _whence, found, _length, _pid = _FLOCK.unpack(answer)
    return None if kind == fcntl.F_UNLCK else found


def _holder(fd: int) -> LockHolder:
    """The holder's pid from its second locked byte; None when the lock found is not one
    of ours (another program's lock over the whole file, say)."""
    try:
        found = _conflict(fd, PID_BASE, PID_SPAN)
    except OSError:
        found = None
    if found is None or not PID_BASE < found < PID_BASE + PID_SPAN:
        return LockHolder(None)
    return LockHolder(found - PID_BASE)


def _unlock_and_close(fd: int) -> None:
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, _OFD_SETLK, _FLOCK.pack(fcntl.F_UNLCK, os.SEEK_SET, 0, 0, 0))  # every byte we locked
    _close(fd)


def _close(fd: int) -> None:
    """Close ``fd`` unless another descriptor of its file (not one parked here) is open
    in this process; parked descriptors are closed once that is no longer so."""
    with _parked_lock:
        _parked.append(fd)
        parked = set(_parked)
        for candidate in list(_parked):
            others = set(descriptors(f"/proc/self/fd/{candidate}")) - parked
            if not others:
                _parked.remove(candidate)
                with contextlib.suppress(OSError):
                    os.close(candidate)


