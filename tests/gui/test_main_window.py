"""The main window over a real database: navigation, shortcuts, figures, File menu."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QEvent, QObject, QPoint, QSettings, Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMessageBox
from sqlalchemy import text

from salesdesk.clock import CLOCK
from salesdesk.db.backup import integrity_problems
from salesdesk.db.migrate import open_database
from salesdesk.ui.main_window import SCREENS
from salesdesk.ui.pipeline.cards import COLUMN_WIDTH
from tests.gui.conftest import copy_database, sql

SCREEN_KEYS = [screen.key for screen in SCREENS]


def click_sidebar(qtbot, window, row: int) -> None:
    rect = window.sidebar.visualItemRect(window.sidebar.item(row))
    qtbot.mouseClick(window.sidebar.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def open_deals_in_first_pipeline(db) -> int:
    return sql(db, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id "
                   "WHERE d.status = 'open' AND s.pipeline_id = (SELECT id FROM pipelines ORDER BY position LIMIT 1)")


def test_window_opens_on_the_pipeline_with_the_database_figures(make_window, company_db):
    window = make_window(company_db)

    assert window.windowTitle() == "company.sqlite3 — SalesDesk"
    assert window.current_screen().key == "pipeline"
    board = window.screens["pipeline"].board
    open_deals = open_deals_in_first_pipeline(company_db)
    headers = board.headers
    assert [h.name_text for h in headers][:2] == ["Contact", "Information Exchange"]
    open_columns = [h for h in headers if not board.model.column(h.column_row).stage.is_won]
    assert sum(int(h.count_text.replace(",", "")) for h in open_columns) == open_deals
    people = sql(company_db, "SELECT count(*) FROM people WHERE active")
    all_open = sql(company_db, "SELECT count(*) FROM deals WHERE status = 'open'")
    assert window.counts_label.text().startswith(f"{people} people  ·  {all_open} open deals  ·  ")
    assert window.database_label.text() == "company.sqlite3"
    assert window.company_label.text() == "My company"  # the name a new database starts with
    assert not window.read_only_label.isVisible()


def test_side_bar_visits_every_screen(qtbot, make_window, company_db):
    window = make_window(company_db)
    for row, key in enumerate(SCREEN_KEYS):
        click_sidebar(qtbot, window, row)
        screen = window.screens[key]
        assert window.current_screen() is screen
        assert screen.isVisible()
        assert window.screen_actions[key].isChecked()
        if key == "pipeline":  # the board itself: one column per stage, with cards
            assert len(screen.board.columns) == 9 and screen.board.model.column(0).ids
            continue
        if key == "orgchart":  # the chart itself: a box per active person
            assert len(screen.chart.scene.items) == sql(company_db, "SELECT count(*) FROM people WHERE active")
            continue
        if key == "targets":  # the team's table: everyone below the top
            assert len(screen.targets.rows) == sql(company_db, "SELECT count(*) FROM people WHERE active")
            continue
        if key == "reports":  # the weekly report's pages
            assert screen.report is not None and screen.preview.page_count >= 1
            continue
        assert screen.page.title.text() == screen.title
        # Every figure card shows a figure read from the database, none the "not loaded" dash.
        values = [card.value.text() for card in screen.page.cards.values()]
        assert values and all(values), key
    assert window.screens["customers"].page.cards["accounts"].value.text() == str(
        sql(company_db, "SELECT count(*) FROM accounts"))
    assert window.screens["activities"].page.cards["today"].value.text() == str(
        sql(company_db, f"SELECT count(*) FROM activities WHERE done_at IS NULL AND due_on = '{CLOCK.today()}'"))
    assert window.screens["activities"].page.cards["overdue"].value.text() == "2"


def test_ctrl_number_shows_each_screen(qtbot, make_window, company_db):
    window = make_window(company_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    for number, key in reversed(list(enumerate(SCREEN_KEYS, 1))):
        qtbot.keyClick(window, getattr(Qt.Key, f"Key_{number}"), Qt.KeyboardModifier.ControlModifier)
        assert window.current_screen().key == key
        assert window.sidebar.currentItem().text() == window.screens[key].title


def test_quit_has_ctrl_q_even_without_a_desktop_theme(qtbot, make_window, company_db):
    window = make_window(company_db)
    assert "Ctrl+Q" in [k.toString() for k in window.action_quit.shortcuts()]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: not window.isVisible())


def test_geometry_last_screen_and_side_bar_come_back(qtbot, make_window, company_db, ui_settings):
    first = make_window(company_db)
    first.show_screen("targets")
    first.action_sidebar.trigger()
    first.toolbar.hide()
    first.resize(1000, 640)
    # X applies a resize asynchronously; a loaded machine can take a while.
    qtbot.waitUntil(lambda: first.size().width() == 1000, timeout=15_000)
    first.close()

    second = make_window(company_db, QSettings(ui_settings.fileName(), QSettings.Format.IniFormat))
    assert second.size().width() == 1000 and second.size().height() == 640
    assert second.current_screen().key == "targets"
    assert second.sidebar.currentItem().text() == "Targets"
    assert not second.sidebar.isVisible()
    assert not second.action_sidebar.isChecked()
    assert not second.toolbar.isVisible()


def test_reload_shows_a_deal_added_elsewhere(qtbot, make_window, company_db):
    from salesdesk.services.deals import create_deal

    window = make_window(company_db)
    contact = window.screens["pipeline"].board.headers[0]
    before = int(contact.count_text)
    with company_db.transaction() as s:
        owner = s.execute(text("SELECT id FROM people WHERE manager_id IS NOT NULL LIMIT 1")).scalar()
        create_deal(s, title="Walk-in", owner_id=owner, stage_id=1, amount=500)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_F5)
    assert int(contact.count_text) == before + 1
    assert f"{open_deals_in_first_pipeline(company_db)} open deals" in window.counts_label.text()


class Rename(QUndoCommand):
    def __init__(self, log):
        super().__init__("rename the stage")
        self.log = log

    def redo(self):
        self.log.append("redo")

    def undo(self):
        self.log.append("undo")


def test_one_undo_history_for_the_window_whichever_screen_is_shown(qtbot, make_window, company_db):
    window = make_window(company_db)
    log = []
    window.screens["pipeline"].undo_stack.push(Rename(log))
    assert window.action_undo.isEnabled()
    assert window.action_undo.text() == "&Undo rename the stage"

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert log == ["redo", "undo"]
    assert window.action_redo.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert log == ["redo", "undo", "redo"]

    # Issue 14: undo was per screen (another screen's Undo was greyed out); now Ctrl+Z
    # on any screen undoes the last change made anywhere, named in the Edit menu.
    window.show_screen("orgchart")
    assert window.action_undo.isEnabled()
    assert window.action_undo.text() == "&Undo rename the stage"
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert log == ["redo", "undo", "redo", "undo"]
    window.show_screen("pipeline")
    assert window.action_redo.isEnabled()


def test_read_only_database_says_so(make_window, company_file, tmp_path):
    path = copy_database(company_file, tmp_path / "shared.sqlite3")
    database = open_database(path, read_only=True)
    try:
        window = make_window(database)
        assert window.windowTitle() == "shared.sqlite3 (read-only) — SalesDesk"
        assert window.read_only_label.isVisible()
    finally:
        database.close()


def message_box(qtbot, window) -> QMessageBox:
    qtbot.waitUntil(lambda: window.last_message is not None and window.last_message.isVisible())
    return window.last_message


def test_open_another_database_from_the_file_menu(qtbot, make_window, company_db, tmp_path, monkeypatch):
    window = make_window(company_db)
    other = tmp_path / "other.sqlite3"
    open_database(other).close()
    monkeypatch.setattr(window, "ask_open_path", lambda: str(other))
    window.show_screen("customers")

    with qtbot.waitSignal(window.database_changed):
        window.action_open.trigger()
    assert window.windowTitle() == "other.sqlite3 — SalesDesk"
    assert window.current_screen().key == "customers"
    assert window.screens["customers"].page.cards["accounts"].value.text() == "0"
    assert window.counts_label.text().startswith("0 people")
    window.db.close()


def test_a_file_that_is_not_a_database_is_refused_and_the_current_one_stays(qtbot, make_window, company_db, tmp_path, monkeypatch):
    window = make_window(company_db)
    notes = tmp_path / "notes.txt"
    notes.write_text("shopping list\n")
    monkeypatch.setattr(window, "ask_open_path", lambda: str(notes))
    window.action_open.trigger()

    box = message_box(qtbot, window)
    assert box.icon() == QMessageBox.Icon.Critical
    assert "not a SalesDesk database" in box.text()
    box.close()
    assert window.windowTitle() == "company.sqlite3 — SalesDesk"
    assert window.db is company_db


def test_back_up_writes_a_verified_copy(qtbot, make_window, company_db, tmp_path, monkeypatch):
    window = make_window(company_db)
    dest = tmp_path / "copy.sqlite3"
    monkeypatch.setattr(window, "ask_backup_path", lambda: str(dest))
    window.action_backup.trigger()

    box = message_box(qtbot, window)
    assert box.windowTitle() == "Backup written"
    assert str(dest) in box.text()
    box.close()
    assert integrity_problems(dest) == []
    with sqlite3.connect(dest) as copy:
        assert copy.execute("SELECT count(*) FROM deals").fetchone()[0] == sql(company_db, "SELECT count(*) FROM deals")
    copy.close()

    window.action_backup.trigger()  # the same file again: refused, nothing overwritten
    box = message_box(qtbot, window)
    assert "already exists" in box.text()
    box.close()


def test_check_database_reports_a_sound_file(qtbot, make_window, company_db):
    window = make_window(company_db)
    window.action_check.trigger()
    box = message_box(qtbot, window)
    assert box.windowTitle() == "The database is sound"
    box.close()


def test_about_names_the_version_and_the_files(qtbot, make_window, company_db):
    import salesdesk
    from PySide6.QtWidgets import QLabel

    window = make_window(company_db)
    window.action_about.trigger()
    dialog = window.about_dialog
    qtbot.waitUntil(dialog.isVisible)
    texts = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert f"Version {salesdesk.__version__}" in texts
    assert str(company_db.path) in texts
    assert "SQLAlchemy" in texts and "PySide6" in texts
    dialog.close()


def test_every_action_and_screen_has_a_visible_icon(make_window, company_db):
    window = make_window(company_db)
    actions = [window.action_open, window.action_backup, window.action_check, window.action_quit,
               window.action_undo, window.action_redo, window.action_about, window.action_log_folder,
               window.action_reload, window.action_sidebar, window.action_toolbar, *window.screen_actions.values()]
    for action in actions:
        image = action.icon().pixmap(24, 24).toImage()
        inked = sum(image.pixelColor(x, y).alpha() > 0 for x in range(24) for y in range(24))
        assert inked > 40, action.text()
    assert not window.windowIcon().isNull()
    assert window.windowIcon().availableSizes()


def test_menus_hold_the_commands_a_user_looks_for(make_window, company_db):
    window = make_window(company_db)
    menus = {a.text().replace("&", ""): [x.text().replace("&", "") for x in a.menu().actions() if x.text()]
             for a in window.menuBar().actions()}
    assert list(menus) == ["File", "Edit", "View", "Deal", "Help"]  # Deal: the pipeline screen's own
    assert menus["File"] == ["Open database…", "Back up database…", "Backups…", "Check database", "Import…",
                             "Import CRM Sales Opportunities…", "Export…", "Quit"]
    assert menus["Edit"][:1] == ["Undo"] and menus["Edit"][1].startswith("Redo")
    assert menus["View"][:6] == [s.title for s in SCREENS]
    assert menus["Help"] == ["Open log folder", "About SalesDesk"]
    assert [window.screen_actions[s.key].shortcut().toString() for s in SCREENS] == [f"Ctrl+{n}" for n in range(1, 7)]
    redo_keys = [k.toString() for k in window.action_redo.shortcuts()]
    assert "Ctrl+Shift+Z" in redo_keys and "Ctrl+Y" in redo_keys


class PaintedAt(QObject):
    """Where each board column stood in the strip when it was painted."""

    def __init__(self, columns):
        super().__init__()
        self.seen: list[tuple[int, int, int]] = []  # column, x in the strip, painted width
        for view in columns:
            view.viewport().installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Paint:
            view = watched.parent()
            self.seen.append((view.column_row, view.mapTo(view.parent().parent(), QPoint(0, 0)).x(),
                              event.rect().width()))
        return False


def test_the_first_frame_shows_the_board_laid_out_once(qtbot, ui_settings, company_db):
    # Filled in while the window was being shown, the nine columns were first drawn
    # squeezed over each other at ~107 px apart, then laid out and all drawn again.
    from salesdesk.ui.main_window import MainWindow

    window = MainWindow(company_db, ui_settings)
    qtbot.addWidget(window)
    board = window.screens["pipeline"].board
    assert len(board.columns) == 9  # filled before it is shown
    painted = PaintedAt(board.columns)
    window.show()
    qtbot.waitUntil(lambda: len(painted.seen) > 0)
    qtbot.wait(100)
    positions = {x for _row, x, _width in painted.seen}
    step = board.columns[1].mapTo(board.strip, QPoint(0, 0)).x() - board.columns[0].mapTo(board.strip, QPoint(0, 0)).x()
    assert step >= COLUMN_WIDTH
    assert all(x % step == 0 for x in positions), painted.seen  # only ever at their final places
    rows = [row for row, _x, _width in painted.seen]
    assert len(rows) == len(set(rows)), painted.seen  # each column drawn once
    assert len(rows) < 9  # and only those in sight (a 1280 px window shows about five)


def test_only_the_screen_on_view_is_built_and_read(make_window, company_db):
    # What keeps the start fast: the other screens cost nothing until they are shown.
    window = make_window(company_db)
    assert list(window.screens) == ["pipeline"]
    assert window.screens["pipeline"].refresh_count == 1
    window.show_screen("reports")
    window.show_screen("pipeline")
    window.reload()  # refreshes the pipeline now, the hidden reports screen when shown again
    assert window.screens["pipeline"].refresh_count == 2
    assert window.screens["reports"].refresh_count == 1
    window.show_screen("reports")
    assert window.screens["reports"].refresh_count == 2
