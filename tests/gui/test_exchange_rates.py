"""Edit > Exchange rates… and Edit > Company currency…: a rate typed in the dialog changes
the board's totals and the status bar at once, and Ctrl+Z takes it back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from salesdesk.clock import CLOCK
from tests.gui.conftest import sql


def dollars(database, share: int = 3) -> int:
    """Every ``share``-th open deal in USD; how many are open in the first pipeline."""
    with database.transaction() as s:
        s.execute(text(f"UPDATE deals SET currency = 'USD' WHERE id % {share} = 0"))
    return sql(database, "SELECT count(*) FROM deals WHERE currency = 'USD' AND status = 'open' AND pipeline_id = 1")


def all_usd_open(database) -> int:
    return sql(database, "SELECT count(*) FROM deals WHERE currency = 'USD' AND status = 'open'")


def open_rates(window, qtbot):
    edit = next(a for a in window.menuBar().actions() if a.text() == "&Edit").menu()
    action = next(a for a in edit.actions() if a.text() == "E&xchange rates…")
    action.trigger()
    dialog = window.rates_dialog
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_a_rate_typed_in_the_dialog_counts_on_the_board_and_undo_takes_it_back(company_db, make_window, qtbot):
    usd_open = dollars(company_db)
    assert usd_open
    window = make_window(company_db)
    window.show_screen("pipeline")
    board = window.screens["pipeline"].board
    assert board.summary.text().endswith(f" · excl. {usd_open} USD")
    assert window.counts_label.text().endswith(f"excl. {all_usd_open(company_db)} deals in USD (no exchange rate)")
    window.show_screen("targets")
    note = window.screens["targets"].targets.left_out
    assert note.isVisible() and " in USD (" in note.text()
    window.show_screen("pipeline")

    dialog = open_rates(window, qtbot)
    assert "USD" in dialog.missing.text() and dialog.missing.isVisible()
    assert dialog.currency.currentText() == "USD"  # the currency without a rate is offered first
    qtbot.keyClicks(dialog.rate, "0.9")
    qtbot.keyClick(dialog.rate, Qt.Key.Key_Return)

    assert dialog.isVisible()  # Enter keeps the rate; it does not close the dialog
    assert dialog.table.rowCount() == 1
    assert dialog.table.item(0, 2).text() == "1 USD = 0.9 EUR"
    assert dialog.table.item(0, 1).text() == CLOCK.today().isoformat()
    assert not dialog.missing.isVisible()
    assert "excl." not in board.summary.text()
    assert "excl." not in window.counts_label.text()
    eur = sql(company_db, "SELECT sum(amount) FROM deals WHERE status = 'open' AND currency = 'EUR'")
    usd = sql(company_db, "SELECT sum(amount) FROM deals WHERE status = 'open' AND currency = 'USD'")
    assert window.overview.open_amount * 100 == eur + round(usd * 0.9)

    window.show_screen("targets")
    targets = window.screens["targets"].targets
    assert not targets.left_out.isVisible()
    window.show_screen("pipeline")

    dialog.close()
    assert window.action_undo.text() == f"&Undo Set the USD rate from {CLOCK.today().isoformat()}"
    window.action_undo.trigger()
    assert sql(company_db, "SELECT count(*) FROM exchange_rates") == 0
    assert board.summary.text().endswith(f" · excl. {usd_open} USD")


def test_a_bad_rate_is_refused_in_words_and_nothing_is_kept(company_db, make_window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    dollars(company_db)
    window = make_window(company_db)
    dialog = open_rates(window, qtbot)
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, message: said.append(message))
    for typed in ("0,9", "-1", "", "abc"):
        dialog.rate.setText(typed)
        assert dialog.keep_rate() is False
    assert said[0] == "'0,9' is not a rate: write it like 1.0825"
    assert said[1] == "A rate is a number above zero, such as 1.0825"
    assert len(said) == 4
    dialog.currency.setEditText("EUR")
    dialog.rate.setText("1")
    assert dialog.keep_rate() is False
    assert said[-1] == "EUR is the company's currency: it needs no rate"
    assert sql(company_db, "SELECT count(*) FROM exchange_rates") == 0
    assert not window.action_undo.isEnabled()


def test_a_rates_file_imports_as_one_undo_step(company_db, make_window, qtbot, tmp_path):
    dollars(company_db)
    (tmp_path / "rates.csv").write_text("currency,valid_from,rate\nUSD,2026-01-01,0.9\nGBP,2026-01-01,1.15\n")
    window = make_window(company_db)
    dialog = open_rates(window, qtbot)
    assert dialog.import_file(str(tmp_path / "rates.csv"))
    assert dialog.table.rowCount() == 2
    assert window.action_undo.text() == "&Undo Import exchange rates"
    window.action_undo.trigger()
    assert dialog.table.rowCount() == 0
    (tmp_path / "bad.csv").write_text("currency,valid_from,rate\nUSD,2026-01-01,0.9\nGBP,yesterday,1.15\n")
    from PySide6.QtWidgets import QMessageBox

    said = []
    QMessageBox.warning, saved = (lambda parent, title, message: said.append(message)), QMessageBox.warning
    try:
        assert not dialog.import_file(str(tmp_path / "bad.csv"))
    finally:
        QMessageBox.warning = saved
    assert said == ["line 3: 'yesterday' is not a date; write it like 2026-11-02"]
    assert sql(company_db, "SELECT count(*) FROM exchange_rates") == 0


def test_changing_the_company_currency_is_one_undo_step_and_every_total_follows(company_db, make_window, qtbot):
    from salesdesk.ui.dialogs.exchange_rates import change_company_currency

    usd_open = dollars(company_db)
    window = make_window(company_db)
    window.show_screen("pipeline")
    board = window.screens["pipeline"].board
    assert change_company_currency(window, "usd")
    assert window.overview.currency == "USD"
    assert "USD" in board.summary.text().split(" · ")[1]
    all_usd = sql(company_db, "SELECT count(*) FROM deals WHERE status = 'open' AND currency = 'USD'")
    assert window.overview.open_amount * 100 == sql(
        company_db, "SELECT sum(amount) FROM deals WHERE status = 'open' AND currency = 'USD'")
    assert window.counts_label.text().endswith(f"excl. {window.overview.open_deals - all_usd} deals in EUR "
                                               "(no exchange rate)")
    assert " EUR" in board.summary.text().split(" · excl. ")[1]
    assert window.action_undo.text() == "&Undo Make USD the company's currency"
    window.action_undo.trigger()
    QApplication.processEvents()
    assert window.overview.currency == "EUR"
    assert board.summary.text().endswith(f" · excl. {usd_open} USD")
    assert sql(company_db, "SELECT value FROM settings WHERE key = 'currency'") == "EUR"


def test_the_deal_editor_says_a_currency_without_a_rate_leaves_the_deal_out(company_db, qtbot):
    from salesdesk.services import currencies
    from salesdesk.ui.pipeline.deal_dialog import DealDialog

    with company_db.transaction() as s:
        currencies.set_rate(s, "USD", CLOCK.today(), "0.9")
    dialog = DealDialog(company_db, stage_id=1)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.currency.setCurrentText("GBP")
    assert dialog.rate_note.isVisible()
    assert dialog.rate_note.text().startswith("No exchange rate from GBP to EUR is kept for today")
    dialog.currency.setCurrentText("USD")
    assert not dialog.rate_note.isVisible()
    dialog.currency.setCurrentText("EUR")
    assert not dialog.rate_note.isVisible()



def test_an_undo_refused_after_the_dialog_closed_is_said_over_the_window(company_db, make_window, qtbot, monkeypatch):
    """The step outlives the dialog (deleted on close): a locked file at Ctrl+Z says so
    over the main window instead of raising from a deleted dialog."""
    import sqlite3

    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QMessageBox

    import salesdesk.db.engine as engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)  # read as each connection opens
    dollars(company_db)
    window = make_window(company_db)
    dialog = open_rates(window, qtbot)
    qtbot.keyClicks(dialog.rate, "0.9")
    qtbot.keyClick(dialog.rate, Qt.Key.Key_Return)
    dialog.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the dialog is gone, as in the program
    said: list = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda parent, title, text: said.append((parent, title))))
    locker = sqlite3.connect(company_db.path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")
    try:
        window.action_undo.trigger()
    finally:
        locker.rollback()
        locker.close()
    assert said == [(window, "Exchange rates")]
    assert sql(company_db, "SELECT count(*) FROM exchange_rates") == 1  # the rate stays, the step is dropped
    assert window.history.count() == 0
