"""A new, empty database: a banner offers the demo company or a clean start."""

from __future__ import annotations

import importlib.util

import pytest
from PySide6.QtCore import QSettings, Qt

from tests.gui.conftest import sql

HAS_DEMO = importlib.util.find_spec("salesdesk.services.demo") is not None


def test_an_empty_database_shows_the_banner_not_a_dialog(make_window, empty_db):
    window = make_window(empty_db)
    assert window.banner.isVisible()
    assert window.banner.load_button.text() == "Load the demo company"
    assert window.banner.empty_button.text() == "Start with an empty database"
    assert window.current_screen().isVisible()  # the screens stay usable below it


def test_a_company_database_shows_no_banner(make_window, company_db):
    assert not make_window(company_db).banner.isVisible()


def test_start_empty_hides_the_banner_for_good(qtbot, make_window, empty_db, ui_settings):
    window = make_window(empty_db)
    qtbot.mouseClick(window.banner.empty_button, Qt.MouseButton.LeftButton)
    assert not window.banner.isVisible()
    window.close()
    again = make_window(empty_db, QSettings(ui_settings.fileName(), QSettings.Format.IniFormat))
    assert not again.banner.isVisible()


@pytest.mark.skipif(not HAS_DEMO, reason="salesdesk.services.demo is not written yet")
def test_load_the_demo_company_fills_every_screen(qtbot, make_window, empty_db):
    window = make_window(empty_db)
    with qtbot.waitSignal(window.reloaded, timeout=30_000):
        qtbot.mouseClick(window.banner.load_button, Qt.MouseButton.LeftButton)
    assert not window.banner.isVisible()
    people = sql(empty_db, "SELECT count(*) FROM people WHERE active")
    assert people > 0
    assert window.counts_label.text().startswith(f"{people} people")
    board = window.screens["pipeline"].board
    assert sum(board.model.totals(r)[0] for r in range(board.model.column_count())) > 0


def test_a_read_only_empty_database_cannot_load_the_demo(make_window, tmp_path):
    from salesdesk.db.migrate import open_database

    open_database(tmp_path / "ro.sqlite3").close()
    database = open_database(tmp_path / "ro.sqlite3", read_only=True)
    try:
        window = make_window(database)
        assert window.banner.isVisible()
        assert not window.banner.load_button.isEnabled()
        assert "read-only" in window.banner.load_button.toolTip()
    finally:
        database.close()
