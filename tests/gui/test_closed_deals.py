"""Won and lost deals: found again from the board, reopened to a chosen stage, undone."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from salesdesk.ui.pipeline.closed_deals import ClosedDealsDialog
from tests.gui.conftest import sql, when_modal


def ids(board, column_row):
    return list(board.model.column(column_row).ids)


def lose(board, deal_id, note="Chose the incumbent"):
    def answer(dialog):
        dialog.reason_box.setCurrentIndex(2)
        dialog.note.setPlainText(note)
        dialog._accept()

    when_modal(answer)
    board.lose_deals([deal_id])


def closed_list(board, qtbot) -> ClosedDealsDialog:
    dialog = ClosedDealsDialog(board)
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def shown_rows(dialog) -> list[dict]:
    proxy = dialog.proxy
    return [{name: proxy.index(r, c).data() for c, name in enumerate(
        ("title", "account", "owner", "amount", "status", "closed", "reason", "stage"))}
        for r in range(proxy.rowCount())]


def reopen_into(dialog, stage_name: str, seen: dict | None = None) -> None:
    def choose(reopen):
        if seen is not None:
            seen["default"] = reopen.stage_box.currentText()
        reopen.stage_box.setCurrentIndex(reopen.stage_box.findText(stage_name))
        reopen.accept()

    when_modal(choose)
    dialog.reopen_button.click()


def test_a_lost_deal_is_listed_with_its_reason_reopened_and_undone(board, company_db, qtbot):
    deal_id = ids(board, 3)[0]
    title = board.model.card_by_id(deal_id).title
    stage_name = board.headers[3].name_text
    lose(board, deal_id)
    reason = sql(company_db, "SELECT r.name FROM deals d JOIN lost_reasons r ON r.id = d.lost_reason_id "
                             "WHERE d.id = ?", deal_id)
    lost_on = sql(company_db, "SELECT lost_on FROM deals WHERE id = ?", deal_id)

    dialog = closed_list(board, qtbot)
    dialog.search.setText(title)
    row = next(r for r in shown_rows(dialog) if r["title"] == title)
    assert row["status"] == "Lost" and row["closed"] == f"{dt.date.fromisoformat(lost_on):%d %b %Y}"
    assert row["stage"] == stage_name
    assert reason in row["reason"] and "Chose the incumbent" in row["reason"]

    dialog.select_ids([deal_id])
    assert dialog.reopen_button.isEnabled()
    seen: dict = {}
    reopen_into(dialog, board.headers[1].name_text, seen)
    assert seen["default"] == stage_name  # the stage it was lost in
    assert deal_id in ids(board, 1)  # on the board at once
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "open"
    assert sql(company_db, "SELECT lost_note FROM deals WHERE id = ?", deal_id) is None
    assert title not in [r["title"] for r in shown_rows(dialog)]  # the list no longer holds it
    assert board.undo_stack.undoText().startswith(f"Reopen “{title}”")

    board.undo_stack.undo()  # Ctrl+Z: lost again, exactly as it was
    assert deal_id not in ids(board, 1)
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "lost"
    assert sql(company_db, "SELECT lost_on FROM deals WHERE id = ?", deal_id) == lost_on
    assert sql(company_db, "SELECT lost_note FROM deals WHERE id = ?", deal_id) == "Chose the incumbent"
    assert sql(company_db, "SELECT r.name FROM deals d JOIN lost_reasons r ON r.id = d.lost_reason_id "
                           "WHERE d.id = ?", deal_id) == reason
    board.undo_stack.redo()
    assert deal_id in ids(board, 1)
    assert title not in [r["title"] for r in shown_rows(dialog)]


def test_ctrl_z_in_the_list_undoes_a_reopen_and_the_list_follows_every_change(board, company_db, qtbot):
    """The list is modal, so the window's Ctrl+Z cannot reach it: its own does; and it
    reads the deals again after a change made anywhere (here a loss on the board)."""
    deal_id, other = ids(board, 2)[:2]
    title = board.model.card_by_id(deal_id).title
    lose(board, deal_id)
    dialog = closed_list(board, qtbot)
    dialog.select_ids([deal_id])
    reopen_into(dialog, board.headers[0].name_text)
    assert title not in [r["title"] for r in shown_rows(dialog)]
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)  # shortcuts go to the active window
    dialog.table.setFocus()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "lost"
    assert title in [r["title"] for r in shown_rows(dialog)]  # back in the list at once
    qtbot.keyClick(dialog.table, Qt.Key.Key_Z,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "open"
    lose(board, other, note="Budget cut")  # made outside the list
    assert board.model.card_by_id(other) is None or other not in ids(board, 2)
    assert any("Budget cut" in r["reason"] for r in shown_rows(dialog))


def test_a_won_deal_is_reopened_into_the_stage_it_was_won_from(board, company_db, qtbot):
    won_row = next(r for r in range(board.model.column_count()) if board.model.column(r).stage.is_won)
    deal_id = ids(board, 2)[0]
    title = board.model.card_by_id(deal_id).title
    board.win_deals([deal_id])
    assert deal_id in ids(board, won_row)
    won_on = sql(company_db, "SELECT won_on FROM deals WHERE id = ?", deal_id)

    dialog = closed_list(board, qtbot)
    dialog.show_box.setCurrentText("Won")
    assert {r["status"] for r in shown_rows(dialog)} == {"Won"}
    assert title in [r["title"] for r in shown_rows(dialog)]
    dialog.select_ids([deal_id])
    seen: dict = {}
    reopen_into(dialog, board.headers[4].name_text, seen)
    assert seen["default"] == board.headers[2].name_text  # where it was won from
    assert deal_id in ids(board, 4) and deal_id not in ids(board, won_row)
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "open"
    assert sql(company_db, "SELECT won_on FROM deals WHERE id = ?", deal_id) is None

    board.undo_stack.undo()
    assert deal_id in ids(board, won_row) and deal_id not in ids(board, 4)
    assert sql(company_db, "SELECT status FROM deals WHERE id = ?", deal_id) == "won"
    assert sql(company_db, "SELECT won_on FROM deals WHERE id = ?", deal_id) == won_on


def test_several_deals_reopen_as_one_undo_step(board, company_db, qtbot):
    first, second = ids(board, 3)[:2]
    lose(board, first, "Too expensive")
    lose(board, second, "No budget")
    dialog = closed_list(board, qtbot)
    dialog.select_ids([first, second])
    count = board.undo_stack.count()
    reopen_into(dialog, board.headers[0].name_text)
    assert board.undo_stack.count() == count + 1
    assert board.undo_stack.undoText() == "Reopen 2 deals in " + board.headers[0].name_text
    assert {first, second} <= set(ids(board, 0))
    board.undo_stack.undo()
    assert sql(company_db, "SELECT count(*) FROM deals WHERE id IN (?, ?) AND status = 'lost'", first, second) == 2


def test_filter_and_search(board, company_db, qtbot):
    lose(board, ids(board, 3)[0])
    dialog = closed_list(board, qtbot)
    everything = shown_rows(dialog)
    statuses = {r["status"] for r in everything}
    assert "Lost" in statuses
    assert len(everything) == sql(company_db, "SELECT count(*) FROM deals WHERE pipeline_id = 1 "
                                              "AND status IN ('won', 'lost')")
    dialog.show_box.setCurrentText("Lost")
    assert {r["status"] for r in shown_rows(dialog)} == {"Lost"}
    title = shown_rows(dialog)[0]["title"]
    dialog.search.setText(title.upper())  # as the user types, any case
    assert shown_rows(dialog) and all(title in r["title"] for r in shown_rows(dialog))
    dialog.search.setText("no such deal anywhere")
    assert shown_rows(dialog) == [] and dialog.scope.text().startswith("0 deals")
    dialog.search.clear()
    dialog.table.sortByColumn(3, Qt.SortOrder.AscendingOrder)  # any column sorts
    amounts = [dialog.model.rows[dialog.proxy.mapToSource(dialog.proxy.index(r, 0)).row()].amount_cents
               for r in range(dialog.proxy.rowCount())]
    assert amounts == sorted(amounts) or len({r.currency for r in dialog.model.rows}) > 1


def test_the_list_follows_the_boards_owner_filter(board, company_db, qtbot):
    owner = sql(company_db, "SELECT id FROM people WHERE name = 'Seller 1'")
    index = board.owner_box.findData(owner)
    assert index >= 0
    board.owner_box.setCurrentIndex(index)
    board.apply_filters()
    dialog = closed_list(board, qtbot)
    assert {r["owner"] for r in shown_rows(dialog)} <= {"Seller 1"}
    assert len(shown_rows(dialog)) == sql(company_db, "SELECT count(*) FROM deals WHERE pipeline_id = 1 AND "
                                                      "status IN ('won', 'lost') AND owner_id = ?", owner)
    assert "owner" in dialog.scope.text()


def test_the_button_by_the_drop_zones_and_ctrl_shift_l_open_the_list(board, qtbot):
    seen = []

    def look(dialog):
        seen.append(dialog.objectName())
        dialog.reject()

    when_modal(look)
    board.closed_button.click()
    assert seen == ["closed_deals"]
    assert board.closed_action.shortcut().toString() == "Ctrl+Shift+L"
    when_modal(look)
    board.activateWindow()
    qtbot.waitUntil(board.isActiveWindow)
    board.columns[0].setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is board.columns[0])
    qtbot.keyClick(board.columns[0], Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert seen == ["closed_deals", "closed_deals"]
