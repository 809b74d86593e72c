"""One SalesDesk per database file: an exclusive lock on ``<database>.lock``.

Why ``fcntl.flock`` on a sidecar rather than QLockFile-style pid files: the kernel drops
a flock the moment its holder dies, SIGKILL and power cuts included, so a lock left by
a crash is recovered by construction, with no guessing whether an old pid is still
alive or has been reused (QLockFile needs a stale timeout and a pid check for that,
and it needs Qt, which the command line must not load).  The file holds the holder's
pid, host and start time only to tell the user who has it open.  The file itself is
never deleted: unlinking a lock file while another process waits on it lets two
processes hold "the" lock at once.

Linux emulates flock over NFS with POSIX locks, so two computers on one share see each
other; the location warning still tells the user not to keep the database there.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from salesdesk.errors import DatabaseError

try:
    import fcntl
except ImportError:  # Windows: no flock; the lock is skipped there for now
    fcntl = None


@dataclass(frozen=True)
class LockHolder:
    pid: int | None
    host: str
    since: str

    def describe(self) -> str:
        where = f" on {self.host}" if self.host and self.host != _host() else ""
        return f"pid {self.pid}{where}" if self.pid else "another program"


class DatabaseInUse(DatabaseError):
    """Another SalesDesk holds the lock of this database file."""

    def __init__(self, database: Path, holder: LockHolder):
        super().__init__(f"SalesDesk already has {database} open ({holder.describe()})")
        self.database = database
        self.holder = holder


def _host() -> str:
    # os.uname, not socket.gethostname: importing socket costs ~9 ms of start-up
    return os.uname().nodename if hasattr(os, "uname") else os.environ.get("COMPUTERNAME", "")


def lock_path(database: Path) -> Path:
    return Path(f"{database}.lock")


class InstanceLock:
    """``acquire()`` or ``DatabaseInUse``; ``release()`` (also when the process dies)."""

    def __init__(self, database: Path):
        self.database = Path(database)
        self.path = lock_path(self.database)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> InstanceLock:
        if self._fd is not None or fcntl is None:
            return self
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError:
            # A folder we cannot write to: the database cannot be changed there either.
            return self
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise DatabaseInUse(self.database, holder) from None
        except OSError:
            os.close(fd)  # a file system without locks: go on unlocked rather than refuse
            return self
        record = json.dumps({"pid": os.getpid(), "host": _host(),
                             "since": dt.datetime.now().isoformat(timespec="seconds")})
        os.ftruncate(fd, 0)
        os.pwrite(fd, record.encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        os.close(fd)  # closing drops the flock

    def holder(self) -> LockHolder | None:
        """Who holds the lock now, or None when nobody does (tests, the dialogs)."""
        if fcntl is None or not self.path.exists():
            return None
        fd = os.open(self.path, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return _read_holder(fd)
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *_exc) -> None:
        self.release()


def _read_holder(fd: int) -> LockHolder:
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
    except (OSError, ValueError):
        data = {}
    pid = data.get("pid")
    return LockHolder(pid if isinstance(pid, int) else None, str(data.get("host", "")), str(data.get("since", "")))
