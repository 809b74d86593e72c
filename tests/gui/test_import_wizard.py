"""The import wizard and the File menu's import and export commands, driven on real files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWizard

from salesdesk.ui.transfer import install_transfer_actions

from tests.gui.conftest import sql

DATA = Path("/work/shared/data/crm-sales-opportunities")


@pytest.fixture
def window(make_window, company_db):
    window = make_window(company_db)
    install_transfer_actions(window)
    return window


def test_the_file_menu_offers_import_and_export(window):
    install_transfer_actions(window)  # a second call (the window may install them itself) adds nothing
    menu = next(a.menu() for a in window.menuBar().actions() if a.menu() and window.action_quit in a.menu().actions())
    texts = [a.text() for a in menu.actions()]
    at = texts.index("&Import…")
    assert texts[at:at + 3] == ["&Import…", "Import CRM &Sales Opportunities…", "&Export…"]
    assert texts.index("&Quit") > at + 3
    assert texts.count("&Import…") == 1


def test_the_menu_command_opens_the_wizard_with_no_file_chosen(window, qtbot):
    window.transfer.action_import.trigger()
    wizard = window.transfer.wizard
    qtbot.waitUntil(wizard.isVisible)
    assert wizard.source_page.file.text() == ""  # not "False", the menu's checked state
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    wizard.reject()


def test_the_wizard_guesses_previews_refuses_then_imports_and_the_window_reloads(window, qtbot, tmp_path):
    path = tmp_path / "from-another-crm.csv"
    path.write_text("Opportunity;Agent;Phase;Close Value;Close\n"
                    "Big order;Seller 1;Prospecting;1.500,00;\n"
                    "Signed;Seller 2;Won;2500;2026-02-03\n"
                    "Gone;Nobody Here;Lost;abc;2026-02-04\n", encoding="cp1252")
    deals_before = sql(window.db, "SELECT count(*) FROM deals")
    wizard = window.transfer.open_import_wizard(path, "deals")
    qtbot.waitUntil(wizard.isVisible)
    wizard.next()  # -> columns, guessed from the headers
    assert wizard.columns_page.columns() == {"Opportunity": "title", "Agent": "owner", "Phase": "stage",
                                             "Close Value": "amount", "Close": "expected_close"}
    assert wizard.columns_page.missing.text() == "Every needed field has a column."
    wizard.next()  # -> values: the stage words are guessed, unknown people kept as written
    values = wizard.values_page
    assert values.combos[("stage", "Prospecting")].currentText() == "Contact"
    assert values.combos[("stage", "Won")].currentText() == "Deal"
    assert values.combos[("stage", "Lost")].currentText() == "lost"
    wizard.next()  # -> check: a dry run of the whole file
    check = wizard.check_page
    assert sorted(check.problem_cells()) == [(4, "Agent"), (4, "Close Value")]
    assert [check.problem_list.item(i).text() for i in range(check.problem_list.count())] == [
        "row 4, column Agent: nobody called 'Nobody Here' (by email, external id or name)",
        "row 4, column Close Value: 'abc' is not an amount of money"]
    assert not wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    assert sql(window.db, "SELECT count(*) FROM deals") == deals_before

    wizard.back()  # map the unknown agent to a real person
    values.set_value("owner", "Nobody Here", values.combos[("owner", "Seller 1")].itemText(1))
    wizard.back()  # and leave the broken amounts out
    wizard.columns_page.set_column("Close Value", None)
    wizard.next()
    wizard.next()
    assert check.problem_cells() == []
    assert "Ready to import from-another-crm.csv (3 rows): new: 3 deals" in check.summary.text()
    assert wizard.button(QWizard.WizardButton.CommitButton).isEnabled()
    reloads = []
    window.reloaded.connect(lambda: reloads.append(True))
    wizard.next()  # Import
    assert wizard.currentPage() is wizard.result_page
    assert "Imported from-another-crm.csv (3 rows): new: 3 deals" in wizard.result_page.text.text()
    assert "a copy of the database before the import" in wizard.result_page.text.text()
    assert sql(window.db, "SELECT count(*) FROM deals") == deals_before + 3
    assert sql(window.db, "SELECT status FROM deals WHERE title = 'Gone'") == "lost"
    assert reloads, "the window shows what the database now holds"
    assert window.overview.open_deals == sql(window.db, "SELECT count(*) FROM deals WHERE status = 'open'")


def test_a_saved_mapping_is_used_for_the_next_file(window, qtbot, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("Who,Mail,Boss\nNew Hire,new.hire@example.com,Vera Price\n", encoding="utf-8")
    mapping = tmp_path / "people-mapping.json"
    mapping.write_text('{"kind": "people", "columns": {"Who": "name", "Mail": "email", "Boss": "manager"}}',
                       encoding="utf-8")
    wizard = window.transfer.open_import_wizard(path, "people")
    wizard.source_page.saved.setText(str(mapping))
    wizard.next()
    assert wizard.columns_page.columns() == {"Who": "name", "Mail": "email", "Boss": "manager"}
    wizard.next()
    wizard.next()
    wizard.next()
    assert sql(window.db, "SELECT manager_id FROM people WHERE email = 'new.hire@example.com'") == \
        sql(window.db, "SELECT id FROM people WHERE name = 'Vera Price'")


def test_a_file_that_cannot_be_read_stays_on_the_first_page(window, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    wizard = window.transfer.open_import_wizard(empty, "accounts")
    wizard.next()
    assert wizard.currentPage() is wizard.source_page
    assert wizard.source_page.message.text() == "row 1: the file is empty: it needs a header row naming the columns"


@pytest.mark.skipif(not DATA.is_dir(), reason="the data set is not here")
def test_the_crm_data_set_from_the_window(make_window, empty_db, monkeypatch):
    window = make_window(empty_db)
    install_transfer_actions(window)
    monkeypatch.setattr(window.transfer, "ask_crm_folder", lambda: str(DATA))
    window.transfer.action_import_crm.trigger()
    box = window.last_message
    assert box.icon() == QMessageBox.Icon.Information
    assert "new: 42 people, 3 branches, 85 accounts, 7 products, 8,800 deals" in box.text()
    assert "'GTXPro' read as the catalogue's 'GTX Pro'" in box.text()
    assert sql(empty_db, "SELECT sum(amount) FROM deals WHERE status = 'won'") == 1_000_553_400
    assert window.overview.people == 42 and window.overview.open_deals == 2089
    box.close()


def test_export_from_the_window(window, monkeypatch, tmp_path):
    target = tmp_path / "deals.csv"
    monkeypatch.setattr(window.transfer, "ask_export_target", lambda: ("deals", target))
    window.transfer.action_export.trigger()
    assert target.read_bytes().startswith(b"\xef\xbb\xbftitle,owner,")
    assert window.statusBar().currentMessage() == f"Exported 60 deals to {target}"


def test_a_read_only_window_offers_no_import(make_window, company_file, tmp_path):
    from salesdesk.db.migrate import open_database

    from tests.gui.conftest import copy_database

    db = open_database(copy_database(company_file, tmp_path / "ro.sqlite3"), read_only=True)
    try:
        window = make_window(db)
        install_transfer_actions(window)
        assert not window.transfer.action_import.isEnabled()
        assert window.transfer.action_export.isEnabled()
    finally:
        db.close()


def test_a_list_can_open_export_with_its_own_kind(window, monkeypatch, tmp_path):
    from salesdesk.ui.transfer.export_dialog import ExportDialog

    dialog = ExportDialog(window, "accounts")
    assert (dialog.kind.currentData(), dialog.format.currentData()) == ("accounts", "xlsx")
    dialog.deleteLater()
    asked = []
    monkeypatch.setattr(window.transfer, "ask_export_target",
                        lambda kind=None: asked.append(kind) or (kind, tmp_path / "accounts.xlsx"))
    window.transfer.export_with_dialog("accounts")
    assert asked == ["accounts"] and (tmp_path / "accounts.xlsx").exists()


def test_dates_that_could_be_either_order_are_refused_until_the_order_is_chosen(window, tmp_path):
    path = tmp_path / "deals.csv"
    path.write_text("title,owner,stage,expected_close\nA,Seller 1,Contact,03/04/2026\n", encoding="utf-8")
    wizard = window.transfer.open_import_wizard(path, "deals")
    for _ in range(3):
        wizard.next()
    assert wizard.check_page.problem_cells() == [(2, "expected_close")]
    for _ in range(3):
        wizard.back()
    order = wizard.source_page.date_order
    order.setCurrentIndex(order.findData("DMY"))
    for _ in range(4):
        wizard.next()
    assert sql(window.db, "SELECT expected_close FROM deals WHERE title = 'A'") == "2026-04-03"


def test_the_values_page_chooses_the_decimal_mark_serial_dates_and_rounding_to_the_cent(window, tmp_path):
    import json

    path = tmp_path / "orders.csv"
    path.write_text("title,owner,stage,amount,expected_close\n"
                    "Order 1,Seller 1,Contact,957.5775,45000\n"
                    "Order 2,Seller 1,Contact,\"1,234\",2026-05-01\n", encoding="utf-8")
    wizard = window.transfer.open_import_wizard(path, "deals")
    wizard.next()
    wizard.next()  # -> values: how amounts and dates are read
    values = wizard.values_page
    assert values.decimal_separator.isVisible() and values.round_cents.isVisible()
    assert values.round_cents.text() == "Round amounts to the cent (half up)"
    assert list(values.serial_dates) == ["expected_close"]
    wizard.next()  # -> check: nothing guessed
    check = wizard.check_page
    problems = [check.problem_list.item(i).text() for i in range(check.problem_list.count())]
    assert [p.split(":")[0] for p in problems] == [
        "row 2, column amount", "row 2, column expected_close", "row 3, column amount"]
    assert "has more than two decimals" in problems[0] and "could be 1234 or 1.234" in problems[2]
    assert "is a number, not a date" in problems[1]
    wizard.back()
    values.decimal_separator.setCurrentIndex(values.decimal_separator.findData("."))
    values.round_cents.setChecked(True)
    values.serial_dates["expected_close"].setChecked(True)
    wizard.next()
    assert check.problem_cells() == []
    assert "note: 1 amount will be rounded to the cent (half up), by +0.0025 EUR in all" in check.summary.text()
    wizard.next()  # Import
    assert "note: 1 amount was rounded to the cent (half up), by +0.0025 EUR in all" in \
        wizard.result_page.text.text()
    assert sql(window.db, "SELECT amount FROM deals WHERE title = 'Order 1'") == 95758
    assert sql(window.db, "SELECT amount FROM deals WHERE title = 'Order 2'") == 123400
    assert sql(window.db, "SELECT expected_close FROM deals WHERE title = 'Order 1'") == "2023-03-15"
    details = json.loads(sql(window.db, "SELECT details FROM audit_log WHERE action = 'import' ORDER BY id DESC"))
    assert details["rounded_to_cent"] == {"EUR": {"amounts": 1, "by": "0.0025"}}


def test_a_saved_mappings_choices_show_on_the_values_page_and_are_kept_when_saved_again(window, tmp_path, monkeypatch):
    import json

    path = tmp_path / "targets.csv"
    path.write_text("person,period_start,value\nSeller 1,2026-03,\"1.000,005\"\n", encoding="utf-8")
    saved = tmp_path / "targets-mapping.json"
    saved.write_text(json.dumps({"kind": "targets", "columns": {"person": "person", "period_start": "period_start",
                                                                "value": "value"},
                                 "decimal_separator": ",", "round_cents": True}), encoding="utf-8")
    wizard = window.transfer.open_import_wizard(path, "targets")
    wizard.source_page.saved.setText(str(saved))
    wizard.next()
    again = tmp_path / "again.json"  # saved from the columns page, before the values page was shown
    monkeypatch.setattr("salesdesk.ui.widgets.save_path.ask_save_path", lambda *a, **k: again)
    wizard.columns_page.save_mapping()
    assert json.loads(again.read_text(encoding="utf-8"))["round_cents"] is True
    wizard.next()
    values = wizard.values_page
    assert values.decimal_separator.currentData() == "," and values.round_cents.isChecked()
    assert values.serial_dates == {}  # targets have no date fields
    wizard.next()
    assert "note: 1 amount will be rounded to the cent (half up), by +0.005 EUR in all" in \
        wizard.check_page.summary.text()


def test_the_values_page_saves_the_mapping_with_its_choices(window, tmp_path, monkeypatch):
    import json

    path = tmp_path / "orders.csv"
    path.write_text("title,owner,stage,amount,expected_close\nOrder 1,Seller 1,Contact,957.5775,45000\n",
                    encoding="utf-8")
    wizard = window.transfer.open_import_wizard(path, "deals")
    wizard.next()
    wizard.next()
    values = wizard.values_page
    values.decimal_separator.setCurrentIndex(values.decimal_separator.findData(","))
    values.round_cents.setChecked(True)
    values.serial_dates["expected_close"].setChecked(True)
    target = tmp_path / "orders-mapping.json"
    monkeypatch.setattr("salesdesk.ui.widgets.save_path.ask_save_path", lambda *a, **k: target)
    values.save.click()
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert (saved["decimal_separator"], saved["round_cents"], saved["serial_dates"]) == (",", True, ["expected_close"])


def test_an_import_ends_the_undo_history(window):
    """The import is no undo step, and its new rows may take the id an undone "New deal"
    would bring back on redo (SQLite reuses the highest id): nothing before it stays
    undoable or redoable."""
    from types import SimpleNamespace

    board = window.screens["pipeline"].board
    assert board.operations.move([board.model.column(0).ids[0]], 1)
    window.history.undo()
    assert window.history.canRedo()
    window.transfer.imported(SimpleNamespace(source="deals.csv", created={"deals": 1}, updated={}))
    assert not window.history.canRedo() and not window.history.canUndo()
