"""Data safety in the window: the Backups dialog, automatic backups, one instance per
file, a damaged file at start, a risky location, a refused write."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from salesdesk.app import run_gui
from salesdesk.db.migrate import open_database
from salesdesk.log import teardown_logging
from salesdesk.safety.backups import back_up, list_backups
from salesdesk.safety.instance_lock import InstanceLock
from tests.gui.conftest import copy_database, sql, when_modal
from tests.test_backups import add_branch, damage


def click(dialog, text: str) -> None:
    button = next(b for b in dialog.buttons() if b.text().replace("&", "") == text)
    button.click()


def test_backups_dialog_lists_backs_up_and_restores(make_window, company_db, qtbot):
    path = company_db.path
    add_branch(company_db, "Before")
    back_up(path, "daily")
    window = make_window(company_db)
    window.action_backups.trigger()
    dialog = window.backups_dialog
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "daily, at start"
    assert dialog.table.item(0, 2).text().endswith(("kB", "MB"))
    dialog.back_up_button.click()
    assert dialog.table.rowCount() == 2 and dialog.table.item(0, 1).text() == "by hand"

    # Work done after the backups, then the older one put back.
    add_branch(window.db, "After")
    window.reload()
    dialog.table.selectRow(1)
    seen = {}

    def confirm(box):
        seen["text"] = box.text() + "\n" + box.informativeText()
        click(box, "Restore")

    when_modal(confirm)
    dialog.restore_button.click()
    assert "changes made since then are not in it" in seen["text"]
    assert "Nothing is lost: the file as it is now is kept as company-before-restore-" in seen["text"]
    qtbot.waitUntil(lambda: window.last_message is not None and window.last_message.windowTitle() == "Backup restored")
    aside = next(path.parent.glob("company-before-restore-*.sqlite3"))
    assert str(aside) in window.last_message.text()
    assert window.db.path == path and sql(window.db, "SELECT count(*) FROM branches WHERE name = 'After'") == 0
    assert sql(window.db, "SELECT count(*) FROM branches WHERE name = 'Before'") == 1
    with sqlite3.connect(aside) as kept:  # what the user had, kept whole
        assert kept.execute("SELECT count(*) FROM branches WHERE name = 'After'").fetchone() == (1,)
    kept.close()
    assert window.undo_group.activeStack().count() == 0  # undo cannot reach across a restore
    window.last_message.close()


def test_restore_can_be_cancelled(make_window, company_db, qtbot):
    back_up(company_db.path, "manual")
    add_branch(company_db, "Kept")
    window = make_window(company_db)
    window.show_backups()
    when_modal(lambda box: click(box, "Cancel"))
    window.backups_dialog.restore_button.click()
    assert sql(window.db, "SELECT count(*) FROM branches WHERE name = 'Kept'") == 1
    assert not list(company_db.path.parent.glob("*before-restore*"))


def test_automatic_backups_at_start_and_while_changes_are_made(make_window, company_db, qtbot):
    window = make_window(company_db)
    window.start_safety()
    assert window.backup_timer.isActive() and window.backup_timer.interval() == 30 * 60 * 1000
    assert window.start_backup()  # what the start timer runs
    qtbot.waitUntil(lambda: len(list_backups(company_db.path)) == 1)
    window.wait_for_backup()
    assert window.periodic_backup()
    window.wait_for_backup()
    assert len(list_backups(company_db.path)) == 1  # nothing changed: no copy
    add_branch(window.db, "Fresh")
    window.periodic_backup()
    window.wait_for_backup()
    backups = list_backups(company_db.path)
    assert [b.reason for b in backups] == ["auto", "daily"]
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Backed up to"))


def test_closing_the_window_waits_for_the_backup_under_way(make_window, company_db, qtbot):
    window = make_window(company_db)
    window.start_safety()
    started, written = threading.Event(), []
    at_start = window.auto_backup.at_start

    def slow_copy():  # as a big database's copy: still being written when the window closes
        started.set()
        time.sleep(0.5)
        written.append(at_start())
        return written[-1]

    window.auto_backup.at_start = slow_copy
    assert window.start_backup()
    assert started.wait(10)
    window.close()
    assert written and written[0] is not None  # written whole before close() returned
    assert [b.path for b in list_backups(company_db.path)] == written


def test_a_failed_automatic_backup_is_logged_and_said_once(make_window, company_db, qtbot, caplog):
    window = make_window(company_db)
    window.start_safety()

    def broken_copy():
        raise OSError(28, "No space left on device")

    window.auto_backup.at_start = window.auto_backup.tick = broken_copy
    with qtbot.waitSignal(window.backup_finished) as finished:
        assert window.start_backup()
    assert finished.args[0] is None and isinstance(finished.args[1], OSError)
    assert "a backup failed unexpectedly" in caplog.text  # with its traceback, in the log
    assert window.statusBar().currentMessage().startswith("The automatic backup failed: ")
    assert window.last_message.windowTitle() == "The automatic backup failed"
    window.last_message.close()
    window.last_message = None
    with qtbot.waitSignal(window.backup_finished):
        assert window.periodic_backup()
    assert window.last_message is None  # the next failure only goes to the log and the status bar


def test_a_read_only_window_cannot_back_up_or_restore(make_window, company_file, tmp_path, qtbot):
    path = copy_database(company_file, tmp_path / "shared.sqlite3")
    back_up(path, "manual")
    window = make_window(open_database(path, read_only=True))
    window.start_safety()
    assert window.auto_backup is None and not window.backup_timer.isActive()
    window.show_backups()
    assert not window.backups_dialog.restore_button.isEnabled()
    assert not window.backups_dialog.back_up_button.isEnabled()
    window.close()


@pytest.mark.qt_no_exception_capture
def test_a_refused_write_reloads_the_screens(make_window, company_db, qtbot):
    from salesdesk.errors import DatabaseError
    from salesdesk.ui.error_hook import ExceptionHook

    window = make_window(company_db)
    hook = ExceptionHook(None)
    hook.attach(window, window.reload)
    failure = DatabaseError("The change could not be saved: the disk is full. Nothing was half-written.")
    try:
        with qtbot.waitSignal(window.reloaded):
            hook(DatabaseError, failure, None)
        assert hook.dialog is not None and "the disk is full" in hook.dialog.message.text()
    finally:
        if hook.dialog is not None:
            hook.dialog.close()


# --- the whole start, as `salesdesk` runs it ------------------------------------------------

def start(target, tmp_path, seen: dict, **kwargs) -> int:
    def look_then_close(window):
        def close():
            seen["title"] = window.windowTitle()
            seen["read_only"] = window.db.read_only
            seen["lock"] = window.lock
            seen["location"] = window.location_label.isVisibleTo(window) and window.location_label.toolTip()
            seen["message"] = window.last_message.text() if window.last_message else None
            seen["branches"] = sql(window.db, "SELECT group_concat(name) FROM branches")
            window.close()

        def when_checked():  # the background check of the file, and what it asked, are done
            if window.integrity_problems is not None and QApplication.activeModalWidget() in (None, window.last_message):
                close()
            else:
                QTimer.singleShot(50, when_checked)

        QTimer.singleShot(100, when_checked)

    try:
        return run_gui(str(target), settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat),
                       on_window=look_then_close, **kwargs)
    finally:
        teardown_logging()


def test_a_second_instance_is_offered_read_only(company_file, tmp_path):
    path = copy_database(company_file, tmp_path / "team.sqlite3")
    first = InstanceLock(path).acquire()  # "the other window"
    try:
        seen, text = {}, {}

        def read_only(box):
            text["said"] = box.text()
            click(box, "Open read-only")

        when_modal(read_only)
        assert start(path, tmp_path, seen) == 0
        assert text["said"].startswith(f"SalesDesk already has {path} open (pid ")
        assert seen["title"] == "team.sqlite3 (read-only) — SalesDesk" and seen["read_only"] and seen["lock"] is None

        when_modal(lambda box: click(box, "Quit"))
        assert start(path, tmp_path, {}) == 1
    finally:
        first.release()
    seen = {}
    assert start(path, tmp_path, seen) == 0  # the other one closed: ours again
    assert not seen["read_only"] and seen["lock"] is not None and not seen["lock"].held  # released at exit


def test_a_file_that_cannot_be_locked_opens_read_only_and_says_why(company_file, tmp_path, monkeypatch):
    """Fail closed: without the lock a second SalesDesk could write at the same time."""
    import errno

    from salesdesk.safety import instance_lock

    def no_locks(fd, kind, offset=0):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(instance_lock, "_lock", no_locks)
    path = copy_database(company_file, tmp_path / "team.sqlite3")
    seen = {}
    assert start(path, tmp_path, seen) == 0
    assert seen["read_only"] and seen["lock"] is None
    assert seen["title"] == "team.sqlite3 (read-only) — SalesDesk"
    assert seen["message"].startswith(f"{path}: cannot be locked against a second SalesDesk (No locks available)")


def test_a_damaged_file_is_kept_aside_and_the_newest_good_backup_offered(company_file, tmp_path):
    path = copy_database(company_file, tmp_path / "team.sqlite3")
    database = open_database(path)
    add_branch(database, "Backed up")
    database.close()
    good = back_up(path, "daily")
    damage(path)
    said, seen = {}, {}

    def restore(box):
        said["text"] = box.text() + "\n" + box.informativeText()
        click(box, "Restore the backup")

    when_modal(restore)
    assert start(path, tmp_path, seen) == 0
    assert said["text"].startswith("team.sqlite3 is damaged: ")
    assert "(daily, at start)" in said["text"] and "The damaged file is kept as team-damaged-" in said["text"]
    aside = next(tmp_path.glob("team-damaged-*.sqlite3"))
    assert aside.stat().st_size > 0  # kept, never deleted
    assert "Backed up" in seen["branches"] and str(aside) in seen["message"]
    assert good.exists()


def damage_audit_log(path: Path) -> None:
    """Damage one page of the audit log only: the file opens and the board shows, but
    the quick check does not pass."""
    with sqlite3.connect(path) as connection:
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'audit_log'").fetchone()[0]
        page = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    data[(root - 1) * page] = 0xFF  # not a valid b-tree page type
    path.write_bytes(bytes(data))


def test_damage_found_after_the_window_opened_offers_the_backup_too(company_file, tmp_path, monkeypatch):
    """A big file is checked once the window is up (here: every file, however small)."""
    monkeypatch.setattr("salesdesk.ui.dialogs.safety.CHECK_BEFORE_OPEN_BYTES", 0)
    path = copy_database(company_file, tmp_path / "team.sqlite3")
    back_up(path, "auto")
    damage_audit_log(path)
    said, seen = {}, {}

    def restore(box):
        said["text"] = box.text()
        click(box, "Restore the backup")

    when_modal(restore)
    assert start(path, tmp_path, seen) == 0
    assert said["text"] == "team.sqlite3 is damaged: database disk image is malformed"
    aside = next(tmp_path.glob("team-damaged-*.sqlite3"))
    assert str(aside) in seen["message"] and seen["title"] == "team.sqlite3 — SalesDesk"
    with sqlite3.connect(path) as restored:
        assert restored.execute("PRAGMA quick_check").fetchone() == ("ok",)
    restored.close()


def test_a_damaged_file_without_a_backup_is_left_alone(company_file, tmp_path):
    path = copy_database(company_file, tmp_path / "team.sqlite3")
    damage(path)
    before = path.read_bytes()
    said = {}

    def close(box):
        said["text"] = box.text()
        box.close()

    when_modal(close)
    assert start(path, tmp_path, {}) == 1
    assert "is damaged" in said["text"] and "no backup" in said["text"]
    assert path.read_bytes() == before


def test_a_database_in_a_synced_folder_gets_a_warning(company_file, tmp_path, qtbot):
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    path = copy_database(company_file, folder / "team.sqlite3")
    seen = {}
    assert start(path, tmp_path, seen) == 0
    assert "synced by Dropbox" in seen["location"]
    assert seen["message"].startswith("team.sqlite3 is in a folder synced by Dropbox. A sync client can copy the file")


def test_no_message_box_blocks_a_normal_start(company_file, tmp_path, monkeypatch):
    path = copy_database(company_file, tmp_path / "team.sqlite3")
    monkeypatch.setattr(QMessageBox, "exec", lambda self: (_ for _ in ()).throw(AssertionError(self.text())))
    seen = {}
    assert start(path, tmp_path, seen) == 0
    assert seen["message"] is None and seen["location"] is False


def test_a_file_that_cannot_be_read_at_start_is_said_in_a_dialog_not_a_traceback(company_file, tmp_path):
    """Its -wal is a folder: SQLite cannot open the database ("unable to open database file"),
    as with a full disk or an I/O error; the window says so and exits 1."""
    path = copy_database(company_file, tmp_path / "team.sqlite3")
    Path(f"{path}-wal").mkdir()
    said = {}

    def read(box):
        said["text"] = box.text()
        box.close()

    when_modal(read)
    assert start(path, tmp_path, {}) == 1
    assert said["text"].startswith(f"{path}: ") and "unable to open database file" in said["text"]
