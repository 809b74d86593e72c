"""Opening a database safely, with the questions it may need: another SalesDesk has the
file open (open it read-only, or quit), or the file is damaged (keep it aside and put
back the newest good backup, or quit).  The checks themselves live in salesdesk.safety.

The integrity check reads every page: about 4 ms for the demo company (1.4 MB), but
seconds for a million deals.  A file up to ``CHECK_BEFORE_OPEN_BYTES`` is checked here,
before anything is shown; a bigger one only when it fails to open, and otherwise in
the background once the window is up (``DatabaseSession.start_safety``), so that the first
paint never waits for it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from salesdesk.db.engine import Database, target_path
from salesdesk.errors import DatabaseError
from salesdesk.safety.backups import is_backup
from salesdesk.safety.instance_lock import DatabaseInUse, InstanceLock, LockUnavailable
from salesdesk.safety.integrity import aside_name, quick_problems

log = logging.getLogger(__name__)

CHECK_BEFORE_OPEN_BYTES = 32 * 1024 * 1024  # about 100 ms of PRAGMA quick_check here


@dataclass
class Opened:
    db: Database
    lock: InstanceLock | None
    notice: str | None = None  # what happened on the way, for the window to say once shown
    read_only_reason: str | None = None  # why a file asked for changes was opened read-only


def ask_open_read_only(parent: QWidget | None, busy: DatabaseInUse) -> bool:
    box = QMessageBox(QMessageBox.Icon.Warning, "SalesDesk", f"{busy}.", QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("already_open_dialog")
    box.setInformativeText("Only one SalesDesk at a time can change a database. You can look at it read-only "
                           "here, or quit and use the window that has it open.")
    read_only = box.addButton("Open read-only", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit" if parent is None else "Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(read_only)
    box.exec()
    return box.clickedButton() is read_only


def recover_damaged(parent: QWidget | None, path: Path, problems: list[str], restore=None,
                    lock: InstanceLock | None = None) -> str | None:
    """Offer the newest good backup for a damaged file; what was done, or None to stop.

    ``restore(backup_path)`` does the restore (the window closes its connections
    first); by default ``restore_backup`` on the closed file."""
    from salesdesk.safety.integrity import newest_good_backup

    log.error("%s is damaged: %s", path, "; ".join(problems[:5]))
    backup = newest_good_backup(path)
    if backup is None:
        box = QMessageBox(QMessageBox.Icon.Critical, "The database is damaged",
                          f"{path} is damaged ({problems[0]}) and there is no backup of it to put back.",
                          QMessageBox.StandardButton.Close, parent)
        box.setObjectName("damaged_dialog")
        box.setInformativeText("The file is left exactly as it is. A data recovery tool, or SQLite's "
                               "'.recover' command, may save part of it.")
        box.setDetailedText("\n".join(problems))
        box.exec()
        return None
    aside = aside_name(path, "damaged")
    box = QMessageBox(QMessageBox.Icon.Critical, "The database is damaged",
                      f"{path.name} is damaged: {problems[0]}", QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("damaged_dialog")
    box.setInformativeText(
        f"SalesDesk can put back the newest good backup, from {backup.taken_at:%d %b %Y at %H:%M} "
        f"({backup.reason_text}). Changes made since then are not in it.\n\n"
        f"The damaged file is kept as {aside.name} in {aside.parent}, never deleted.")
    box.setDetailedText("\n".join(problems))
    restore_button = box.addButton("Restore the backup", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit" if parent is None else "Not now", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore_button)
    box.exec()
    if box.clickedButton() is not restore_button:
        return None
    if restore is None:
        from salesdesk.safety.restore import restore_backup

        restore = partial(restore_backup, database=path, lock=lock)
    outcome = restore(backup.path)
    if outcome is None:
        return None
    log.warning("restored %s from %s; the damaged file is kept as %s", path, backup.path, outcome.kept_aside)
    return (f"The backup from {backup.taken_at:%d %b %Y at %H:%M} was put back. "
            f"The damaged file is kept as {outcome.kept_aside}.")


def open_guarded(target: str, *, read_only: bool = False, parent: QWidget | None = None, opener=None) -> Opened | None:
    """Take the instance lock, check the file, then open it; None when the user stops.

    Raises ``DatabaseError`` for a file that cannot be opened at all.
    """
    if opener is None:
        from salesdesk.db.migrate import open_database as opener
    path = target_path(target)
    lock = None
    read_only_reason = None
    if path is not None and not read_only and is_backup(path):
        read_only, read_only_reason = True, (f"{path.name} is a backup, which SalesDesk never changes, so it is "
                                             "open read-only. File ▸ Backups… of the database puts it back.")
    if path is not None and not read_only:
        lock = InstanceLock(path)
        try:
            lock.acquire()
        except DatabaseInUse as busy:
            log.info("%s", busy)
            if not ask_open_read_only(parent, busy):
                return None
            lock, read_only = None, True
        except LockUnavailable as unavailable:  # fail closed: without the lock, no changes
            log.warning("%s", unavailable)
            lock, read_only = None, True
            read_only_reason = (f"{unavailable}. You can look at everything; changes are refused until "
                                "the file can be locked.")
    try:
        notice = None
        try:
            if path is not None and _small(path) and quick_problems(path):
                raise DatabaseError(f"{path}: is damaged")
            db = opener(target, read_only=read_only)
        except DatabaseError:
            problems = quick_problems(path) if path is not None else []
            if not problems:
                raise  # not damage: a foreign or newer file, refused with its own message
            assert path is not None  # problems are read from the file
            if read_only:
                raise DatabaseError(f"{path}: is damaged ({problems[0]}); "
                                    "close the other SalesDesk to repair it") from None
            notice = recover_damaged(parent, path, problems, lock=lock)
            if notice is None:
                if lock is not None:
                    lock.release()
                return None
            db = opener(target, read_only=read_only)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    return Opened(db, lock, notice, read_only_reason)


def _small(path: Path) -> bool:
    try:
        return path.stat().st_size <= CHECK_BEFORE_OPEN_BYTES
    except OSError:
        return False
