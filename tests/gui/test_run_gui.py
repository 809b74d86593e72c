"""run_gui(): the whole start, as the ``salesdesk`` command runs it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QMessageBox

from salesdesk import paths
from salesdesk.app import run_gui
from salesdesk.log import teardown_logging


def test_start_on_the_default_database_creates_it_and_logs(tmp_path, monkeypatch):
    seen = {}

    def look_then_close(window):
        def close():
            seen["title"] = window.windowTitle()
            seen["screen"] = window.current_screen().key
            seen["banner"] = window.banner.isVisible()
            window.close()

        QTimer.singleShot(0, close)

    settings = QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat)
    hook_before = sys.excepthook
    try:
        code = run_gui(None, settings=settings, on_window=look_then_close)
    finally:
        teardown_logging()
    assert code == 0
    assert paths.default_database().is_file()  # created in the (test's) data folder
    assert seen == {"title": "salesdesk.sqlite3 — SalesDesk", "screen": "pipeline", "banner": True}
    log = (paths.log_dir() / "salesdesk.log").read_text()
    assert "SalesDesk 0.1.0 starting" in log and "SalesDesk closed" in log
    assert sys.excepthook is hook_before  # our hook lives only as long as the window


def test_a_file_that_cannot_be_opened_is_explained_and_exits_1(tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    try:
        code = run_gui(str(notes), settings=QSettings(str(tmp_path / "ui.ini"), QSettings.Format.IniFormat))
    finally:
        teardown_logging()
    assert code == 1
    assert shown == [("SalesDesk cannot open the database", f"{notes}: is not a SalesDesk database (not an SQLite file)")]
    assert notes.read_text() == "not a database"  # untouched
