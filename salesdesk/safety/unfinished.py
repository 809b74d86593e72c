"""Temporary files of copies under way, and what a killed copy leaves of them.

A backup is written as ``.<name>.<pid>.partial`` beside its destination, a restore as
``.<name>.restoring-<pid>`` beside the database; each is renamed once verified, so a
copy cut short never looks like a backup or a database.  A SIGKILL mid-copy leaves the
temporary file (and the ``-journal`` SQLite keeps beside it while it writes) behind:
``remove_leftovers`` removes them.  A leftover is told from a copy under way by the
pid in its name, no longer alive, or by its age: an hour, which no copy takes, and
which also covers a pid used again by another program since.

Every temporary file is also found through its record: a tiny file in ``<data
folder>/unfinished`` naming it, written before the copy starts and removed once it is
renamed or removed.  The next start and the next backup read the records of dead
writers: so a copy into a folder SalesDesk never looks at again (``backup FILE`` onto a
USB stick), or a report or export written aside (``.salesdesk-XXXXXXXX.pdf``,
``safety/output.py``) is found too.

Without a record, only names derived from one database's name are leftovers, and only
where that database's copies are written: ``.<database>.restoring-<pid>`` and the
``.partial`` of an aside copy beside it, ``.<backup name>.<pid>.partial`` in its backup
folder.  Elsewhere a name of that shape may be a file of the user's (or of another
program that names its files the same way), and it is never removed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

from salesdesk.clock import CLOCK
from salesdesk.paths import data_dir
from salesdesk.safety.files import SIDECARS, fit_name, open_file

log = logging.getLogger(__name__)

STALE_AFTER = dt.timedelta(hours=1)
# Matched whole (``fullmatch``), newlines and all: a name may hold one.
_TEMPORARY = re.compile(r"\.(?P<final>.+)\.(?:restoring-(?P<restorer>\d+)|(?P<writer>\d+)\.partial)"
                        r"(?P<sidecar>-journal|-wal|-shm)?", re.DOTALL)
_WRITTEN_ASIDE = re.compile(r"\.salesdesk-.+", re.DOTALL)  # safety.output.written_aside's mkstemp prefix
_RECORD = re.compile(r"(?P<pid>\d+)-[0-9a-f]+\.unfinished")
# A folder, and which final names of copies in it are the database's (see the module's doc).
Place = tuple[Path, Callable[[str], bool]]


def temporary_name(final: Path, kind: Literal["partial", "restoring"]) -> Path:
    """Where this process writes ``final`` before renaming it (a long name shortened to fit)."""
    pid = os.getpid()
    rest = f".{pid}.partial" if kind == "partial" else f".restoring-{pid}"
    return final.with_name(fit_name(f".{final.name}", rest, final.parent))


def records_folder() -> Path:
    return data_dir() / "unfinished"


@contextmanager
def writing(temporary: Path) -> Iterator[Path]:
    """Record ``temporary`` as unfinished while the block writes it; on the way out
    (renamed, failed, interrupted) it, its sidecars and its record are gone."""
    record = _write_record(Path(temporary))
    try:
        yield temporary
    finally:
        _remove_with_sidecars(Path(temporary))
        if record is not None:
            record.unlink(missing_ok=True)


def remove_leftovers(*places: Place, now: dt.datetime | None = None) -> list[Path]:
    """Remove what copies killed midway left: every file the records of dead writers
    name, and in each folder of ``places`` the temporary files of the copies its
    predicate accepts the final name of.  The files removed; copies under way are left
    alone, and so is anything else."""
    removed = _remove_recorded(now)
    for folder, ours in places:
        try:
            entries = list(Path(folder).iterdir())
        except OSError:
            continue  # no such folder (yet): nothing was left there
        for entry in entries:
            match = _TEMPORARY.fullmatch(entry.name)
            if (match and ours(match["final"]) and _stale(entry, int(match["restorer"] or match["writer"]), now)
                    and _unlink(entry)):
                removed.append(entry)
    if removed:
        log.info("removed what interrupted copies left: %s", ", ".join(str(p) for p in removed))
    return removed


def _write_record(temporary: Path) -> Path | None:
    """Best effort: without a record the copy still works, and a leftover of a backup
    or a restore is still found by the next one (beside the database, in its backup
    folder)."""
    record = records_folder() / f"{os.getpid()}-{os.urandom(6).hex()}.unfinished"  # uuid would cost the start 2 ms
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        with open_file(record, "w", encoding="utf-8", errors="surrogateescape", newline="") as out:  # any name
            out.write(os.path.abspath(temporary))
    except OSError as exc:
        log.warning("could not record the copy %s as under way: %s", temporary, exc)
        return None
    return record


def _remove_recorded(now: dt.datetime | None) -> list[Path]:
    removed: list[Path] = []
    try:
        records = list(records_folder().iterdir())
    except OSError:
        return removed
    for record in records:
        match = _RECORD.fullmatch(record.name)
        if match is None or not _stale(record, int(match["pid"]), now):
            continue
        try:
            with open_file(record, encoding="utf-8", errors="surrogateescape", newline="") as source:
                temporary = Path(source.read())  # as written: a name may end in a space
        except (OSError, UnicodeDecodeError):
            continue
        # Only ever a file of ours: a record naming anything else is not followed.
        if temporary.is_absolute() and any(p.fullmatch(temporary.name) for p in (_TEMPORARY, _WRITTEN_ASIDE)):
            removed += [p for p in [temporary, *_sidecars(temporary)] if _unlink(p)]
        _unlink(record)
    return removed


def _stale(path: Path, pid: int, now: dt.datetime | None) -> bool:
    try:
        mtime = path.stat().st_mtime
        age = now.timestamp() - mtime if now is not None else CLOCK.file_age(mtime)
    except OSError:
        return False
    return not _alive(pid) or age > STALE_AFTER.total_seconds()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # no harmless way to ask on Windows (os.kill ends the process): the age decides
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True


def _sidecars(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in SIDECARS]


def _remove_with_sidecars(path: Path) -> None:
    for file in (path, *_sidecars(path)):
        _unlink(file)


def _unlink(path: Path) -> bool:
    try:
        path.unlink()
        return True
    except FileNotFoundError:
        return False
    except OSError as exc:
        log.warning("could not remove %s: %s", path, exc)
        return False
