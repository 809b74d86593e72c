"""The pipeline board driven like a user would: mouse, keyboard, dialogs, undo."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
import subprocess

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from salesdesk.clock import CLOCK
from salesdesk.ui.history import History
from salesdesk.ui.pipeline.board import BoardWidget
from tests.conftest import dump
from tests.gui.conftest import sql, when_modal


def ids(board, column_row):
    return list(board.model.column(column_row).ids)


def test_columns_show_the_stages_with_counts_and_totals(board, company_db):
    names = [h.name_text for h in board.headers]
    assert names[:3] == ["Contact", "Information Exchange", "Lead Generation"] and len(names) == 9
    contact_count = sql(company_db, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id "
                                    "WHERE s.name = 'Contact' AND s.pipeline_id = 1 AND d.status <> 'lost'")
    assert board.headers[0].count_text == str(contact_count)
    assert "weighted" in board.headers[0].totals_text


@pytest.mark.skipif(shutil.which("xdotool") is None, reason="xdotool drives the real X pointer")
@pytest.mark.qt_log_ignore("Falling back to using screens root_visual")  # xcb drag icon without a compositor
def test_a_real_mouse_drag_moves_a_card_to_another_stage(board, company_db, qtbot):
    source, target = board.columns[0], board.columns[3]
    deal_id = ids(board, 0)[0]
    start = source.viewport().mapToGlobal(source.card_rect(0).center().toPoint())
    end = target.viewport().mapToGlobal(QPoint(target.viewport().width() // 2, 10))
    # xdotool sends real X events, so Qt runs its own drag loop as for a user's hand.
    subprocess.Popen(["xdotool", "mousemove", str(start.x()), str(start.y()), "sleep", "0.3",
                      "mousedown", "1", "sleep", "0.2",
                      "mousemove", str(start.x() + 20), str(start.y() + 10), "sleep", "0.2",
                      "mousemove", str(end.x()), str(end.y()), "sleep", "0.3",
                      "mousemove", str(end.x() + 2), str(end.y() + 1), "sleep", "0.3", "mouseup", "1"])
    qtbot.waitUntil(lambda: deal_id in ids(board, 3), timeout=8000)
    assert ids(board, 3)[0] == deal_id
    stage = sql(company_db, "SELECT s.name FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.id = ?", deal_id)
    assert stage == "Identification"
    assert board.undo_stack.undoText() .startswith("Move “")
    board.undo_stack.undo()
    assert ids(board, 0)[0] == deal_id


def test_keyboard_review(board, company_db, qtbot):
    """Arrows to select, Ctrl+Right to advance a deal, Ctrl+Z to take it back."""
    board.columns[0].setFocus()
    board.focus_card(0, 0)
    QTest.keyClick(board.columns[0], Qt.Key.Key_Down)
    second = ids(board, 0)[1]
    assert board.selection.current == second
    QTest.keyClick(board.columns[0], Qt.Key.Key_Right)
    assert board.selection.current == ids(board, 1)[1]
    QTest.keyClick(board.columns[1], Qt.Key.Key_Left)
    QTest.keyClick(board.columns[0], Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    assert board.model.locate(board.selection.current)[0] == 1
    moved = board.selection.current
    assert sql(company_db, "SELECT s.name FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.id = ?", moved) == "Information Exchange"
    board.undo_stack.undo()
    assert moved in ids(board, 0)


def test_delete_asks_then_deletes_and_undo_restores(board, company_db, qtbot):
    before = dump(company_db)
    board.focus_card(2, 0)
    deal_id = board.selection.current
    when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    QTest.keyClick(board.columns[2], Qt.Key.Key_Delete)
    assert deal_id not in ids(board, 2)
    assert sql(company_db, "SELECT count(*) FROM deals WHERE id = ?", deal_id) == 0
    board.undo_stack.undo()
    assert ids(board, 2)[0] == deal_id
    assert dump(company_db) == before


def test_new_deal_editor_refuses_bad_values_and_saves_good_ones(board, company_db, qtbot):
    count = sql(company_db, "SELECT count(*) FROM deals")
    seen = {}

    def fill(dialog):
        dialog.title.setText("Solar roof for the depot")
        dialog.amount.setText("-50")
        dialog.owner.setCurrentIndex(1)
        dialog.save()
        seen["error"] = dialog.errors["amount"].text()
        seen["visible"] = dialog.errors["amount"].isVisible()
        seen["count"] = sql(company_db, "SELECT count(*) FROM deals")
        dialog.amount.setText("48,500.00")
        dialog.save()

    when_modal(fill)
    board.headers[4].add.click()
    assert seen == {"error": "The amount cannot be negative", "visible": True, "count": count}
    assert sql(company_db, "SELECT count(*) FROM deals") == count + 1
    new_id = sql(company_db, "SELECT max(id) FROM deals")
    assert new_id in ids(board, 4)
    assert sql(company_db, "SELECT amount FROM deals WHERE id = ?", new_id) == 4850000
    board.undo_stack.undo()
    assert sql(company_db, "SELECT count(*) FROM deals") == count
    assert new_id not in ids(board, 4)


def test_edit_on_double_click_shows_history_and_probability_override(board, company_db, qtbot):
    column = board.columns[5]
    deal_id = ids(board, 5)[0]

    def edit(dialog):
        assert dialog.history_table_rows() >= 1
        assert not dialog.probability.isEnabled()
        dialog.override.setChecked(True)
        dialog.probability.setValue(75)
        dialog.save()

    when_modal(edit)
    QTest.mouseDClick(column.viewport(), Qt.MouseButton.LeftButton, pos=column.card_rect(0).center().toPoint())
    assert sql(company_db, "SELECT probability FROM deals WHERE id = ?", deal_id) == 75
    board.undo_stack.undo()
    assert sql(company_db, "SELECT probability FROM deals WHERE id = ?", deal_id) is None


def test_dropping_on_lost_asks_why(board, company_db, qtbot):
    deal_id = ids(board, 3)[0]

    def answer(dialog):
        dialog.reason_box.setCurrentIndex(2)
        dialog.note.setPlainText("Chose the incumbent")
        dialog._accept()

    when_modal(answer)
    board.lose_deals([deal_id])
    assert deal_id not in ids(board, 3)
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "lost"
    assert sql(company_db, "SELECT lost_note FROM deals WHERE id = ?", deal_id) == "Chose the incumbent"


def test_filters_narrow_the_board_and_are_remembered(board, company_db, ui_settings, qtbot):
    board.search.setText("Deal 1")
    board.apply_filters()
    model = board.model
    shown = [model.card(r, i).title for r in range(model.column_count()) for i in range(model.column(r).count)]
    assert shown and all(t.startswith("Deal 1") for t in shown)
    assert "(filtered)" in board.summary.text()
    again = BoardWidget(company_db, History(), ui_settings)
    qtbot.addWidget(again)
    again.refresh()
    assert again.search.text() == "Deal 1"
    assert again.model.board_filter.text == "Deal 1"


def test_typed_close_dates_filter_the_board_and_empty_means_any(board, company_db, ui_settings, qtbot):
    """The close-date filters are typed like the deal editor's date (no year-2000 "any"
    sentinel to type over); a date that does not read is left out rather than guessed."""
    assert board.close_from.text() == "" and board.close_from.line.placeholderText() == "any"
    with sqlite3.connect(company_db.path) as connection:  # some deals close in January, the rest later
        connection.execute("UPDATE deals SET expected_close = CASE WHEN id % 3 = 0 THEN '2027-01-15' "
                           "ELSE '2027-03-01' END")
    connection.close()
    january = set(sql(company_db, "SELECT group_concat(id) FROM deals WHERE id % 3 = 0 AND status <> 'lost'").split(","))
    board.refresh()
    QTest.keyClicks(board.close_to.line, "15 Jan 2027")
    board.apply_filters()
    assert board.model.board_filter.close_to == dt.date(2027, 1, 15)
    shown = {str(board.model.card(r, i).id) for r in range(board.model.column_count())
             for i in range(board.model.column(r).count)}
    assert shown and shown <= january
    assert board.filter_bar.more_filters.text() == "More filters (1)"
    again = BoardWidget(company_db, History(), ui_settings)
    qtbot.addWidget(again)
    again.refresh()
    assert again.close_to.date() == dt.date(2027, 1, 15)  # remembered, and shown as a day
    assert again.close_to.text() == "15 Jan 2027"
    board.close_to.line.clear()
    QTest.keyClicks(board.close_to.line, "soon")
    board.apply_filters()
    assert board.model.board_filter.close_to is None
    assert board.filter_bar.more_filters.text() == "More filters"


def test_stage_editor_renames_adds_and_removes_with_deals_moved(board, company_db, qtbot):
    moved = sql(company_db, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id WHERE s.name = 'Lead Generation'")
    assert moved > 0

    def edit(dialog):
        dialog.table.item(0, 0).setText("First contact")
        dialog.table.selectRow(2)
        when_modal(lambda box: box.accept())  # "where do its deals go?": the first choice
        dialog._on_remove()
        dialog.save()

    when_modal(edit)
    board.open_stage_editor()
    names = [h.name_text for h in board.headers]
    assert names[0] == "First contact" and "Lead Generation" not in names and len(names) == 8
    assert sql(company_db, "SELECT count(*) FROM deals d JOIN stages s ON s.id = d.stage_id WHERE s.name = 'First contact'") >= moved


def test_enter_opens_the_deal_and_the_deal_menu_follows_the_screen(make_window, company_db, qtbot):
    window = make_window(company_db)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    board = window.screens["pipeline"].board
    menus = {a.text(): a for a in window.menuBar().actions()}
    assert menus["&Deal"].isVisible()
    assert [a.text() for a in window.screen_menus["pipeline"].actions() if a.text()] == [
        "New deal", "Open deal", "Move to next stage", "Move to previous stage", "Delete deal…", "Won and lost deals…", "Card &Size",
        "Export Deals…"]
    board.focus_card(1, 0)
    deal_id = board.selection.current
    opened = {}

    def look(dialog):
        opened["title"] = dialog.title.text()
        dialog.reject()

    when_modal(look)
    QTest.keyClick(board.columns[1], Qt.Key.Key_Return)
    assert opened["title"] == board.model.card_by_id(deal_id).title
    window.show_screen("orgchart")
    assert not menus["&Deal"].isVisible()


def test_several_selected_cards_move_together(board, company_db):
    column = board.columns[0]
    first, second = ids(board, 0)[:2]
    QTest.mouseClick(column.viewport(), Qt.MouseButton.LeftButton, pos=column.card_rect(0).center().toPoint())
    QTest.mouseClick(column.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                     column.card_rect(1).center().toPoint())
    assert column.selected_ids_in_board_order() == [first, second]
    board.operations.move(column.selected_ids_in_board_order(), 2, 0)
    assert ids(board, 2)[:2] == [first, second]
    assert board.undo_stack.count() == 1
    board.undo_stack.undo()
    assert ids(board, 0)[:2] == [first, second]


def test_the_deal_editor_shows_stage_history_in_local_time(company_db, qtbot):
    """Stamps are stored in UTC; a user in Tokyo reads the hour their clock showed."""
    from salesdesk.db.engine import as_datetime
    from salesdesk.ui.pipeline.deal_dialog import DealDialog

    CLOCK.pin_zone("Asia/Tokyo")  # the autouse fixture pins the test day again afterwards
    with company_db.read() as reader:
        deal_id, changed_at = reader.one("SELECT deal_id, changed_at FROM stage_changes ORDER BY id LIMIT 1")
    dialog = DealDialog(company_db, deal_id=deal_id)
    qtbot.addWidget(dialog)
    local = CLOCK.to_local(as_datetime(changed_at))
    assert dialog.history_table.horizontalHeaderItem(0).text() == "When"
    assert dialog.history_table.item(0, 0).text() == local.strftime("%d %b %Y %H:%M")
    assert local.utcoffset() == dt.timedelta(hours=9)


def test_undoing_a_delete_under_a_search_puts_the_deal_back_in_the_summary(board, company_db, qtbot):
    """Issue 14: with a search active, undoing a delete left the summary at "0 open ·
    0 EUR" while the card was back."""
    title = sql(company_db, "SELECT title FROM deals WHERE status = 'open' AND pipeline_id = 1 ORDER BY id LIMIT 1")
    board.search.setText(title)
    board.apply_filters()
    shown = board.summary.text()
    count = int(shown.split(" open")[0].replace(",", ""))
    assert count >= 1
    column, row = next((r, i) for r in range(board.model.column_count()) for i in range(board.model.column(r).count)
                       if board.model.card(r, i).title == title)
    board.focus_card(column, row)
    when_modal(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    QTest.keyClick(board.columns[column], Qt.Key.Key_Delete)
    qtbot.waitUntil(lambda: board.summary.text().startswith(f"{count - 1:,} open"))
    board.undo_stack.undo()
    qtbot.waitUntil(lambda: board.summary.text() == shown)


def test_undoing_a_loss_after_the_board_was_read_again_puts_the_card_back(board, company_db, qtbot):
    """A reload (another step, a filter, the stage editor) forgets the lost card; Ctrl+Z
    reopens the deal in the database, and the board shows it again."""
    column = board.model.column(1)
    deal_id, count = column.ids[0], len(column.ids)
    assert board.operations.lose([deal_id], None, "too dear")
    board.refresh()
    board.undo_stack.undo()
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "open"
    assert board.model.locate(deal_id) is not None
    assert len(board.model.column(1).ids) == count
