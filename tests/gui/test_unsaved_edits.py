"""Closing a dialog with unsaved edits asks Save, Discard or Cancel; nothing asked
when nothing changed.  Esc, the window's close button and Cancel behave the same."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from tests.gui.conftest import sql, when_modal

Button = QMessageBox.StandardButton


@pytest.fixture
def never_asked(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("asked about unsaved changes when there were none")

    monkeypatch.setattr(QMessageBox, "question", fail)


def answer(button: QMessageBox.StandardButton, seen: dict | None = None):
    def press(box):
        if seen is not None:
            seen["question"] = box.text()
        box.button(button).click()

    when_modal(press)


def open_deal(db, qtbot):
    from salesdesk.ui.pipeline.deal_dialog import DealDialog

    deal_id = sql(db, "SELECT min(id) FROM deals WHERE status = 'open'")
    dialog = DealDialog(db, deal_id=deal_id)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    return dialog, deal_id


def close_with(dialog, how: str) -> None:
    if how == "escape":
        QTest.keyClick(dialog, Qt.Key.Key_Escape)
    elif how == "close":
        dialog.close()
    else:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel).click()


@pytest.mark.parametrize("how", ["escape", "close", "cancel"])
def test_an_unchanged_deal_closes_without_a_question(company_db, qtbot, never_asked, how):
    dialog, _ = open_deal(company_db, qtbot)
    close_with(dialog, how)
    assert not dialog.isVisible()


@pytest.mark.parametrize("how", ["escape", "close", "cancel"])
def test_an_edited_deal_asks_and_cancel_keeps_editing(company_db, qtbot, how):
    dialog, deal_id = open_deal(company_db, qtbot)
    dialog.title.setText("Renamed in the dialog")
    seen = {}
    answer(Button.Cancel, seen)
    close_with(dialog, how)
    assert seen["question"] == "Save the changes to this deal?"
    assert dialog.isVisible() and dialog.title.text() == "Renamed in the dialog"
    answer(Button.Discard)
    close_with(dialog, how)
    assert not dialog.isVisible()
    assert sql(company_db, "SELECT title FROM deals WHERE id = ?", deal_id) != "Renamed in the dialog"


def test_save_from_the_question_saves_the_deal(company_db, qtbot):
    dialog, deal_id = open_deal(company_db, qtbot)
    dialog.amount.setText("4321.50")
    answer(Button.Save)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible() and dialog.result() == dialog.DialogCode.Accepted
    assert sql(company_db, "SELECT amount FROM deals WHERE id = ?", deal_id) == 432150


def test_save_from_the_question_keeps_a_refused_deal_open(company_db, qtbot):
    dialog, deal_id = open_deal(company_db, qtbot)
    before = sql(company_db, "SELECT title FROM deals WHERE id = ?", deal_id)
    dialog.title.setText("   ")
    answer(Button.Save)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.errors["title"].isVisibleTo(dialog)
    assert sql(company_db, "SELECT title FROM deals WHERE id = ?", deal_id) == before


# --- the person dialogs of the org chart ----------------------------------------------------

def person_dialog(db, qtbot, **kwargs):
    from salesdesk.services import people
    from salesdesk.ui.orgchart.dialogs import PersonDialog

    person_id = kwargs.get("person_id")

    def submit(values):
        with db.transaction() as s:
            if person_id is None:
                people.add_person(s, **values)
            else:
                people.edit_person(s, person_id, **values)

    dialog = PersonDialog(db, submit=submit, **kwargs)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def test_an_unchanged_person_closes_without_a_question(company_db, qtbot, never_asked):
    person_id = sql(company_db, "SELECT min(id) FROM people WHERE manager_id IS NOT NULL")
    dialog = person_dialog(company_db, qtbot, person_id=person_id)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    hire = person_dialog(company_db, qtbot, manager_id=person_id)  # a blank hire form
    hire.close()
    assert not hire.isVisible()


def test_an_edited_person_asks_save_discard_or_cancel(company_db, qtbot):
    person_id = sql(company_db, "SELECT min(id) FROM people WHERE manager_id IS NOT NULL")
    dialog = person_dialog(company_db, qtbot, person_id=person_id)
    dialog.phone.setText("+33 4 72 00 00 00")
    seen = {}
    answer(Button.Cancel, seen)
    dialog.close()
    assert seen["question"] == "Save the changes to this person?" and dialog.isVisible()
    answer(Button.Save)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert sql(company_db, "SELECT phone FROM people WHERE id = ?", person_id) == "+33 4 72 00 00 00"


def test_a_half_typed_hire_asks_before_it_is_thrown_away(company_db, qtbot):
    manager = sql(company_db, "SELECT min(id) FROM people WHERE manager_id IS NULL")
    people_before = sql(company_db, "SELECT count(*) FROM people")
    dialog = person_dialog(company_db, qtbot, manager_id=manager)
    dialog.name.setText("Nina Hart")
    answer(Button.Discard)
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert sql(company_db, "SELECT count(*) FROM people") == people_before
