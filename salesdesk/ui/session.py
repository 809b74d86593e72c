"""The database a window shows, from open to close, and what keeps its file safe.

A ``DatabaseSession`` belongs to one main window.  It holds the open ``Database`` and
its instance lock; opens another file in its place (the lock taken first, a damaged
file offered its newest good backup) and puts a backup back; and, once the window is
shown (``start_safety``), checks the file in the background, warns about a risky
location and makes the automatic backups: one when the newest copy is a day old,
then one every 30 minutes if anything was committed.

The copies and the check run on the session's ``Background``; closing waits for them,
so that no copy is cut short and nothing of ours reads a file once it is closed.  What
the user sees (messages, the status bar, the screens over the new database) the session
asks of its window.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QMessageBox

from salesdesk.db.engine import Database
from salesdesk.errors import DatabaseError
from salesdesk.safety.files import same_file
from salesdesk.safety.instance_lock import InstanceLock
from salesdesk.ui.background import Background, Job
from salesdesk.ui.busy import wait_cursor

if TYPE_CHECKING:
    from salesdesk.safety.backups import AutoBackup
    from salesdesk.safety.location import LocationRisk
    from salesdesk.safety.restore import RestoreOutcome
    from salesdesk.ui.main_window import MainWindow

log = logging.getLogger(__name__)

START_BACKUP_DELAY_MS = 5_000  # after the first paint and the warm-up, before most work
PERIODIC_BACKUP_MS = 30 * 60 * 1000
NOT_SQLITE = "Backups work on SQLite files; use your database server's tools for a shared database."


class DatabaseSession(QObject):
    """The open database of ``window`` and its safety; see the module's docstring.

    Signals:
        database_changed(object): another ``Database`` is shown; the previous one is closed.
        backup_finished(object, object): an automatic backup ended: (path or None, error or None).
        integrity_checked(object): the background check of a file: (path, problems), [] when sound.
    """

    database_changed = Signal(object)
    backup_finished = Signal(object, object)
    integrity_checked = Signal(object)

    def __init__(self, window: MainWindow, db: Database, *, lock: InstanceLock | None = None,
                 open_database: Callable[..., Database] | None = None):
        super().__init__(window)
        self._window = window
        self.db = db
        self.lock = lock
        self._open_database = open_database  # how a file is opened (tests give their own)
        self.auto_backup: AutoBackup | None = None
        self.location_risk: LocationRisk | None = None
        self.integrity_problems: list[str] | None = None  # None until the file was checked
        self.background = Background(self)
        self._backup_job: Job | None = None
        self._safety_started = False
        self._stopped = False
        self.backup_timer = QTimer(self)
        self.backup_timer.setInterval(PERIODIC_BACKUP_MS)
        self.backup_timer.timeout.connect(self.periodic_backup)
        self.integrity_checked.connect(self._integrity_checked)

    # --- opening and switching ----------------------------------------------------------

    def open_file(self, path: str) -> bool:
        """Open ``path`` and show it in the window; a refusal leaves the current one open.

        The new file's instance lock is taken first (another SalesDesk having it open
        offers read-only), and a damaged file offers its newest good backup.
        """
        from salesdesk.db.migrate import open_database
        from salesdesk.ui.dialogs.safety import open_guarded

        if self.db.path is not None and same_file(Path(path).expanduser(), self.db.path):
            return True  # already shown here (by any of its names); our own lock would call it "open elsewhere"
        try:
            opened = open_guarded(path, read_only=self.db.read_only, parent=self._window,
                                  opener=self._open_database or open_database)
        except DatabaseError as exc:
            self._window.show_message(QMessageBox.Icon.Critical, "Cannot open the database", str(exc))
            return False
        if opened is None:
            return False
        self.stop_auto_backup()
        self.switch_to(opened.db)
        old_lock, self.lock = self.lock, opened.lock
        if old_lock is not None:
            old_lock.release()
        if self._safety_started:
            self.start_safety()
        if opened.notice:
            self._window.show_message(QMessageBox.Icon.Information, "Backup restored", opened.notice)
        if opened.read_only_reason:
            self._window.show_message(QMessageBox.Icon.Warning, "Opened read-only", opened.read_only_reason)
        return True

    def switch_to(self, db: Database) -> None:
        """Show ``db`` instead of the current database, which is closed once nothing shows it."""
        old, self.db = self.db, db
        self._window.show_database()
        old.close()
        log.info("opened %s", db.display_name)
        self.database_changed.emit(db)

    def restore_from(self, backup: Path) -> RestoreOutcome | None:
        """Put ``backup`` in place of the open file (kept aside), then show it; the
        ``RestoreOutcome``, or None when refused (the file is then as it was)."""
        from salesdesk.db.migrate import open_database
        from salesdesk.safety.restore import restore_backup

        window, path = self._window, self.db.path
        if path is None or self.db.read_only:
            return None
        safety = self._safety_started
        self.stop_auto_backup()
        self.db.close()  # every connection of ours, or the restore would see the file in use
        outcome, failure = None, None
        with wait_cursor():
            try:
                outcome = restore_backup(Path(backup), path, lock=self.lock)
            except DatabaseError as exc:
                failure = exc
            finally:  # the window never keeps showing a closed database, whatever happened
                self.switch_to((self._open_database or open_database)(str(path)))  # undo history ends here
            if safety:
                self.start_safety(warn=False)
        if outcome is None:
            log.warning("restore of %s refused: %s", backup, failure)
            window.show_message(QMessageBox.Icon.Warning, "The backup was not restored", str(failure))
            return None
        log.warning("restored %s from %s; the previous file is kept as %s", path, backup, outcome.kept_aside)
        window.statusBar().showMessage(f"Restored from {Path(backup).name}", 10_000)
        window.show_message(QMessageBox.Icon.Information, "Backup restored",
                            f"{path.name} now holds the backup {Path(backup).name}.\n\n"
                            f"The file as it was is kept as\n{outcome.kept_aside}")
        return outcome

    # --- data safety --------------------------------------------------------------------

    def start_safety(self, *, warn: bool = True) -> None:
        """Warn about a risky location, check the file in the background and start the
        automatic backups (once shown: none of this delays the first paint)."""
        from salesdesk.safety.location import check_location

        self._safety_started, self._stopped = True, False
        self.integrity_problems = None if warn else []  # without warn: a restore, verified already
        if warn and self.db.path is not None:
            self._check_integrity(self.db.path)
        risk = check_location(self.db.path) if self.db.path is not None else None
        self.location_risk = risk
        self._window.show_location(risk)
        if risk is not None and warn:
            log.warning("risky location: %s", risk.message)
            self._window.show_message(QMessageBox.Icon.Warning, "A risky place for the database", risk.message)
        self.stop_auto_backup()
        if self.db.path is not None and not self.db.read_only:
            from salesdesk.safety.backups import AutoBackup

            self.auto_backup = AutoBackup(self.db.path)
            QTimer.singleShot(START_BACKUP_DELAY_MS, self.start_backup)
            self.backup_timer.start()

    def _check_integrity(self, path: Path) -> None:
        from salesdesk.safety.integrity import quick_problems

        def checked(problems: list[str] | None, error: Exception | None) -> None:
            self.integrity_checked.emit((path, [str(error)] if error is not None else problems))

        # An unreadable file is a problem too: its error is the problem found.
        self.background.run(partial(quick_problems, path), checked, "the integrity check at start", __name__)

    @Slot(object)
    def _integrity_checked(self, result: tuple[Path, list[str]]) -> None:
        """A damaged file: offer the newest good backup (the damaged file is kept aside)."""
        from salesdesk.ui.dialogs.safety import recover_damaged

        path, problems = result
        if self._stopped or path != self.db.path:
            return  # the window closed, or another file was opened meanwhile (it is being checked itself)
        if problems:
            window, name = self._window, path.name
            if self.db.read_only:
                window.show_message(QMessageBox.Icon.Critical, "The database is damaged",
                                    f"{name} is damaged ({problems[0]}). Close the other SalesDesk, which has it "
                                    "open, then open it here to put back a backup.", details="\n".join(problems))
            elif recover_damaged(window, path, problems, restore=self.restore_from) is None:
                window.show_message(QMessageBox.Icon.Warning, "The database is damaged",
                                    f"{name} is damaged: {problems[0]}\n\nChanges may fail or be lost. File ▸ "
                                    "Backups… can put back a backup at any time; the damaged file is then kept aside.",
                                    details="\n".join(problems))
        self.integrity_problems = problems

    @Slot()
    def start_backup(self) -> bool:
        """The backup at start, when the newest copy is more than a day old."""
        return self.auto_backup is not None and self._in_background(self.auto_backup.at_start)

    @Slot()
    def periodic_backup(self) -> bool:
        """Every 30 minutes: a backup if anything was committed since the last one."""
        return self.auto_backup is not None and self._in_background(self.auto_backup.tick)

    def _in_background(self, work: Callable[[], Path | None]) -> bool:
        """Copy off the GUI thread (a big database takes seconds); one copy at a time."""
        if self._backup_job is not None and self._backup_job.running():
            return False
        self._backup_job = self.background.run(work, self._backup_done, "a backup", __name__)
        return True

    def _backup_done(self, copy: Path | None, error: Exception | None) -> None:
        if error is not None:
            log.warning("automatic backup failed: %s", error)
        if not self._stopped:  # once the window closed, nobody is left to tell but the log
            self.backup_finished.emit(copy, error)

    def wait_for_backup(self, timeout: float = 120) -> None:
        """Until the copy under way, if any, is written (its outcome follows on the event loop)."""
        if self._backup_job is not None:
            self._backup_job.wait(timeout)

    def back_up_now(self) -> Path | None:
        """A verified copy into the backup folder, now (the Backups dialog's button)."""
        from salesdesk.safety.backups import back_up

        window = self._window
        if self.db.path is None:
            window.show_message(QMessageBox.Icon.Warning, "Back up database", NOT_SQLITE)
            return None
        self.wait_for_backup()
        try:
            with wait_cursor():
                copy = back_up(self.db.path, "manual")
        except DatabaseError as exc:
            window.show_message(QMessageBox.Icon.Warning, "The backup was not written", str(exc))
            return None
        window.statusBar().showMessage(f"Backed up to {copy}", 10_000)
        return copy

    def stop_auto_backup(self) -> None:
        """No more automatic backups of this file: the timer stopped, the copy under way written."""
        self.backup_timer.stop()
        self.wait_for_backup()
        if self.auto_backup is not None:
            self.auto_backup.close()
            self.auto_backup = None

    # --- closing ------------------------------------------------------------------------

    def stop(self) -> None:
        """As the window closes: no timer left to fire, the copy and the check under way
        finished (the database may be closed next), the watch closed."""
        self._stopped = True
        self.stop_auto_backup()
        self.background.wait()

    def release_lock(self) -> None:
        if self.lock is not None:
            self.lock.release()
            self.lock = None

    def close(self) -> None:
        """At exit: stopped, the database closed, its lock released for the next SalesDesk."""
        self.stop()
        self.db.close()
        self.release_lock()
