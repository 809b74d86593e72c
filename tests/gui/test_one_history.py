"""Issue 14: every screen hears of every change, and Ctrl+Z undoes the last change made
anywhere.  Deals won on the board show at once in the status bar, the Targets screen and
the org chart's panel; undone from the org chart, they are open again everywhere."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.conftest import sql


def open_deals_of_first_pipeline(database, limit: int) -> list[tuple[int, int]]:
    import sqlite3

    with sqlite3.connect(database.path) as connection:
        rows = connection.execute(
            "SELECT d.id, d.amount FROM deals d JOIN stages s ON s.id = d.stage_id WHERE d.status = 'open' "
            "AND d.pipeline_id = 1 AND d.currency = 'EUR' ORDER BY d.id LIMIT ?", (limit,)).fetchall()
    connection.close()
    return rows


def settle(qtbot):
    qtbot.wait(20)  # the status bar's figures follow on the next turn of the event loop
    QApplication.processEvents()


def test_deals_won_on_the_board_show_everywhere_and_undo_from_the_org_chart(company_db, make_window, qtbot):
    window = make_window(company_db)
    window.show_screen("targets")
    targets = window.screens["targets"].targets
    top = targets.rows[0]
    actual_before = top.actual
    window.show_screen("orgchart")
    chart = window.screens["orgchart"].chart
    chart.scene.select(top.person_id)
    QApplication.processEvents()
    team_open = sql(company_db, "SELECT count(*) FROM deals WHERE status = 'open'")
    assert f"{team_open:,} open deals" in chart.panel.pipeline.text()
    open_before = window.overview.open_deals

    window.show_screen("pipeline")
    board = window.screens["pipeline"].board
    won = open_deals_of_first_pipeline(company_db, 3)
    board.win_deals([deal_id for deal_id, _ in won])
    settle(qtbot)
    assert sql(company_db, "SELECT count(*) FROM deals WHERE status = 'won' AND id IN (?, ?, ?)",
               *[deal_id for deal_id, _ in won]) == 3
    assert window.overview.open_deals == open_before - 3
    assert f"{open_before - 3} open deals" in window.counts_label.text()

    window.show_screen("targets")  # it was hidden: it reads the change when shown
    assert targets.rows[0].actual == actual_before + Decimal(sum(cents for _, cents in won)) / 100
    window.show_screen("orgchart")
    assert f"{team_open - 3:,} open deals" in chart.panel.pipeline.text()

    # Ctrl+Z on the org chart undoes the board's change, named in the Edit menu
    assert window.action_undo.text().startswith("&Undo Move")
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    settle(qtbot)
    assert sql(company_db, "SELECT count(*) FROM deals WHERE status = 'open' AND id IN (?, ?, ?)",
               *[deal_id for deal_id, _ in won]) == 3
    assert f"{team_open:,} open deals" in chart.panel.pipeline.text()  # the screen on view, at once
    assert window.overview.open_deals == open_before
    window.show_screen("targets")
    assert targets.rows[0].actual == actual_before
    window.show_screen("pipeline")
    assert all(board.model.locate(deal_id) is not None for deal_id, _ in won)
    assert board.model.column(board.model.locate(won[0][0])[0]).stage.is_won is False


def test_a_hidden_screen_reads_the_change_once_when_shown_not_at_every_change(company_db, make_window, qtbot):
    window = make_window(company_db)
    window.show_screen("targets")
    targets_screen = window.screens["targets"]
    window.show_screen("pipeline")
    board = window.screens["pipeline"].board
    before = targets_screen.refresh_count
    for deal_id, _ in open_deals_of_first_pipeline(company_db, 3):
        board.win_deals([deal_id])
    settle(qtbot)
    assert targets_screen.refresh_count == before  # hidden: three changes cost no reads
    window.show_screen("targets")
    assert targets_screen.refresh_count == before + 1


def test_each_change_reloads_only_the_screens_that_show_what_it_changed(company_db, make_window, qtbot):
    """A change announces its kinds of records: a target set on the Targets screen is read
    again by the Reports screen, not by the board, whose deals did not change."""
    window = make_window(company_db)
    for key in ("pipeline", "reports", "targets"):
        window.show_screen(key)
    board, reports = window.screens["pipeline"], window.screens["reports"]
    targets = window.screens["targets"].targets
    board_reads, report_reads = board.refresh_count, reports.refresh_count
    row = targets.rows[0]
    assert targets.set_target(row.person_id, Decimal("123456"))
    settle(qtbot)
    window.show_screen("pipeline")
    assert board.refresh_count == board_reads  # nothing it shows changed
    window.show_screen("reports")
    assert reports.refresh_count == report_reads + 1
    assert window.action_undo.text() == f"&Undo Target of {row.name} for {targets.period.label}"


def test_renaming_a_stage_is_undone_by_itself_and_the_moves_before_it_stay_undoable(company_db, make_window, qtbot):
    from tests.gui.conftest import when_modal

    window = make_window(company_db)
    board = window.screens["pipeline"].board
    deal_id = board.model.deal_id(0, 0)
    old_name = board.headers[1].name_text
    assert board.drop_deals([deal_id], 2, 0)

    def rename(dialog):
        dialog.table.item(1, 0).setText("Qualified")
        dialog.save()

    when_modal(rename)
    board.open_stage_editor()
    assert board.headers[1].name_text == "Qualified"
    window.history.undo()  # the rename
    assert board.headers[1].name_text == old_name
    assert window.action_undo.text().startswith("&Undo Move")
    window.history.undo()
    assert sql(company_db, "SELECT stage_id FROM deals WHERE id = ?", deal_id) == board.model.column(0).stage.id


def test_a_stage_edit_is_one_undo_step_that_puts_the_stages_and_their_deals_back(company_db, make_window, qtbot):
    from tests.gui.conftest import when_modal

    window = make_window(company_db)
    board = window.screens["pipeline"].board
    names = [h.name_text for h in board.headers]
    deal_id = board.model.deal_id(0, 0)
    assert board.drop_deals([deal_id], 1, 0)  # a move before the edit stays undoable after it

    def remove_second(dialog):
        dialog.table.selectRow(1)
        when_modal(lambda box: box.accept())  # "where do its deals go?": the first stage
        dialog._on_remove()
        dialog.save()

    when_modal(remove_second)
    board.open_stage_editor()
    assert [h.name_text for h in board.headers] == names[:1] + names[2:]
    assert window.action_undo.text().startswith("&Undo Edit the stages of")
    window.history.undo()  # the stage comes back, its deals in it
    assert [h.name_text for h in board.headers] == names
    assert board.model.locate(deal_id)[0] == 1
    window.history.undo()  # and the move before it
    assert board.model.locate(deal_id)[0] == 0
    window.history.redo()
    window.history.redo()
    assert [h.name_text for h in board.headers] == names[:1] + names[2:]


def test_an_undo_refused_by_a_locked_file_says_so_for_a_stage_edit_and_a_new_deal(company_db, make_window, qtbot,
                                                                               monkeypatch):
    """The stage editor's and the deal editor's steps outlive their dialogs: a refused
    undo drops the step, and the board says why instead of nothing."""
    import sqlite3

    from PySide6.QtWidgets import QMessageBox

    import salesdesk.db.engine as engine
    from salesdesk.ui.operations import perform
    from salesdesk.ui.pipeline.operations import create_deal
    from tests.gui.conftest import when_modal

    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text, *a: said.append(title)))
    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)  # read as each connection opens
    window = make_window(company_db)
    board = window.screens["pipeline"].board
    when_modal(lambda dialog: (dialog.table.item(1, 0).setText("Qualified"), dialog.save()))
    board.open_stage_editor()
    stage_id, owner_id = board.model.column(0).stage.id, sql(company_db, "SELECT min(id) FROM people")
    account_id = sql(company_db, "SELECT min(id) FROM accounts")
    perform(window.history, create_deal(company_db, stage_id, {"title": "Locked out", "amount": 100,
                                                               "owner_id": owner_id, "account_id": account_id},
                                        board.model.refresh_deal, board.model.report_failure), raise_errors=True)
    locker = sqlite3.connect(company_db.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        window.history.undo()  # the new deal
        window.history.undo()  # the rename
    finally:
        locker.rollback()
        locker.close()
    assert said == ["Not saved", "Not saved"]
    assert window.history.count() == 0  # both dropped: their changes stay, shown as they are
    assert board.headers[1].name_text == "Qualified"
    assert sql(company_db, "SELECT count(*) FROM deals WHERE title = 'Locked out'") == 1
