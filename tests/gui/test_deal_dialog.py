"""The deal editor and the hire dialog driven from the keyboard (issue 15): labels and
their Alt+letter, the close date typed or picked, Enter, a new account, messages."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLabel

from salesdesk.clock import CLOCK
from tests.gui.conftest import sql, when_modal

ALT = Qt.KeyboardModifier.AltModifier


def _no_question(dialog) -> None:
    dialog.has_unsaved_edits = lambda: False  # closing after the test must not wait for an answer


def shown(qtbot, dialog):
    qtbot.addWidget(dialog, before_close_func=_no_question)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog)
    return dialog


@pytest.fixture
def editor(company_db, qtbot):
    from salesdesk.ui.pipeline.deal_dialog import DealDialog

    return shown(qtbot, DealDialog(company_db, stage_id=1))


@pytest.fixture
def hire(company_db, qtbot):
    from salesdesk.services.org import org_people
    from salesdesk.ui.orgchart.dialogs import PersonDialog

    with company_db.read() as reader:
        boss = org_people(reader)[0].id
    saved: list[dict] = []
    dialog = shown(qtbot, PersonDialog(company_db, manager_id=boss, submit=saved.append))
    dialog.saved = saved
    return dialog


@pytest.fixture
def us_locale():
    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield
    QLocale.setDefault(before)


def visible_label_texts(dialog) -> list[str]:
    """What the labels show: "&&" is one "&", a lone "&" before a letter is an underline."""
    return [label.text().replace("&&", "") for label in dialog.findChildren(QLabel) if label.isVisible()]


def fill_new_deal(dialog, qtbot, title="Solar roof for the depot"):
    qtbot.keyClicks(dialog.title, title)
    dialog.owner.setCurrentIndex(1)


# -- labels ---------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["editor", "hire"])
def test_no_label_shows_a_literal_ampersand(which, request):
    dialog = request.getfixturevalue(which)
    texts = visible_label_texts(dialog)
    assert texts and all(label.buddy() is not None for label in dialog.findChildren(QLabel)
                         if "&" in label.text().replace("&&", ""))
    for label in dialog.findChildren(QLabel):
        if label.isVisible() and "&" in label.text().replace("&&", ""):
            assert label.buddy() is not None, f"{label.text()!r} shows its &"


def test_alt_letters_focus_the_deal_editors_fields(editor, qtbot):
    editor.override.setChecked(True)  # the probability can be typed only when it overrides the stage's
    for key, widget in ((Qt.Key.Key_T, editor.title), (Qt.Key.Key_M, editor.amount),
                        (Qt.Key.Key_O, editor.contact), (Qt.Key.Key_C, editor.close_date.line),
                        (Qt.Key.Key_A, editor.account), (Qt.Key.Key_P, editor.probability)):
        QTest.keyClick(QApplication.focusWidget() or editor, key, ALT)
        qtbot.waitUntil(lambda w=widget: w.hasFocus() or w.isAncestorOf(QApplication.focusWidget()))


def test_alt_letters_focus_the_hire_dialogs_fields(hire, qtbot):
    QTest.keyClick(QApplication.focusWidget() or hire, Qt.Key.Key_T, ALT)
    qtbot.waitUntil(hire.manager.hasFocus)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_N, ALT)
    qtbot.waitUntil(hire.name.hasFocus)
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_H, ALT)
    qtbot.waitUntil(hire.hire_date.line.hasFocus)


# -- the close date ---------------------------------------------------------------------------

def test_an_empty_close_date_shows_not_set_as_a_placeholder_and_typing_replaces_it(editor, qtbot, company_db):
    field = editor.close_date
    assert field.text() == "" and field.line.placeholderText() == "not set"
    fill_new_deal(editor, qtbot)
    qtbot.keyClicks(field.line, "15 Jan 2027")
    assert field.text() == "15 Jan 2027"
    QTest.keyClick(field.line, Qt.Key.Key_Tab)  # leaving the field shows the day it was read as
    assert field.text() == QLocale().toString(dt.date(2027, 1, 15), "d MMM yyyy")
    editor.save()
    assert editor.result() == QDialog.DialogCode.Accepted
    assert sql(company_db, "SELECT expected_close FROM deals WHERE id = ?", editor.saved_id) == "2027-01-15"


@pytest.mark.parametrize(("locale", "typed"), [
    ((QLocale.Language.English, QLocale.Country.UnitedStates), "1/15/2027"),
    ((QLocale.Language.English, QLocale.Country.UnitedStates), "1/15/27"),
    ((QLocale.Language.English, QLocale.Country.UnitedKingdom), "15/01/2027"),
    ((QLocale.Language.German, QLocale.Country.Germany), "15.01.2027"),
    ((QLocale.Language.German, QLocale.Country.Germany), "15. Januar 2027"),
    ((QLocale.Language.German, QLocale.Country.Germany), "2027-01-15"),
    ((QLocale.Language.English, QLocale.Country.UnitedStates), "January 15, 2027"),
    ((QLocale.Language.French, QLocale.Country.France), "15 Jan 2027"),
])
def test_typed_dates_are_read_in_the_users_locale(locale, typed, qtbot):
    from salesdesk.ui.widgets.date_field import DateField

    before = QLocale()
    QLocale.setDefault(QLocale(*locale))
    try:
        field = DateField()
        qtbot.addWidget(field)
        field.show()
        qtbot.keyClicks(field.line, typed)
        assert field.date() == dt.date(2027, 1, 15)
        field.line.editingFinished.emit()
        assert field.date() == dt.date(2027, 1, 15)  # what it shows reads as the same day
        assert "2027" in field.text()
    finally:
        QLocale.setDefault(before)


def test_a_date_typed_month_first_is_refused_where_days_come_first(qtbot):
    from salesdesk.errors import ValidationError
    from salesdesk.ui.widgets.date_field import DateField

    before = QLocale()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    try:
        field = DateField()
        qtbot.addWidget(field)
        qtbot.keyClicks(field.line, "1/15/2027")
        with pytest.raises(ValidationError):
            field.date()
    finally:
        QLocale.setDefault(before)


def test_text_that_is_no_date_is_refused_under_the_field_not_dropped(editor, qtbot, company_db):
    count = sql(company_db, "SELECT count(*) FROM deals")
    fill_new_deal(editor, qtbot)
    qtbot.keyClicks(editor.close_date.line, "next Friday")
    editor.save()
    error = editor.errors["expected_close"]
    assert error.isVisible() and "“next Friday” is not a date" in error.text()
    assert editor.isVisible() and editor.result() != QDialog.DialogCode.Accepted
    assert sql(company_db, "SELECT count(*) FROM deals") == count
    assert editor.close_date.text() == "next Friday"  # kept as typed, to be corrected


def test_the_calendar_opens_at_today_when_empty_and_at_the_date_when_set(editor, qtbot):
    field = editor.close_date
    qtbot.mouseClick(field.calendar_button, Qt.MouseButton.LeftButton)
    calendar = field.calendar
    qtbot.waitUntil(calendar.isVisible)
    today = CLOCK.today()
    assert (calendar.yearShown(), calendar.monthShown()) == (today.year, today.month)
    assert calendar.selectedDate().toPython() == today
    qtbot.waitUntil(lambda: calendar.isAncestorOf(QApplication.focusWidget()))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Right)  # the next day, then Enter picks it
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert field.date() == today + dt.timedelta(days=1)
    assert editor.isVisible()  # Enter in the calendar picks a day; it does not save the deal
    field.setDate(dt.date(2027, 3, 9))
    qtbot.mouseClick(field.calendar_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(calendar.isVisible)
    assert (calendar.yearShown(), calendar.monthShown()) == (2027, 3)
    qtbot.waitUntil(lambda: calendar.isAncestorOf(QApplication.focusWidget()))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not calendar.isVisible())
    assert editor.isVisible() and field.date() == dt.date(2027, 3, 9)


def test_the_clear_button_makes_the_date_empty_again(editor, qtbot, company_db):
    from PySide6.QtWidgets import QToolButton

    field = editor.close_date
    fill_new_deal(editor, qtbot)
    qtbot.keyClicks(field.line, "2027-01-15")
    clear = next(b for b in field.line.findChildren(QToolButton) if b.isVisible())
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton)
    assert field.text() == "" and field.date() is None
    editor.save()
    assert sql(company_db, "SELECT expected_close FROM deals WHERE id = ?", editor.saved_id) is None


def test_an_edited_deal_shows_its_close_date_and_keeps_it(company_db, qtbot):
    from salesdesk.ui.pipeline.deal_dialog import DealDialog

    from salesdesk.services import deals

    deal_id = sql(company_db, "SELECT min(id) FROM deals")
    close = dt.date(2027, 1, 15)
    with company_db.transaction() as session:
        deals.edit_deal(session, deal_id, expected_close=close)
    dialog = shown(qtbot, DealDialog(company_db, deal_id=deal_id))
    assert dialog.close_date.date() == close
    assert not dialog.is_dirty()


def test_the_hire_date_can_be_typed_and_emptied(hire, qtbot):
    assert hire.hire_date.date() == CLOCK.today()  # most people are hired the day they are entered
    qtbot.keyClicks(hire.name, "Ada Lovelace")
    hire.hire_date.clear()
    qtbot.keyClicks(hire.hire_date.line, "15.01.2027")
    hire.save()
    assert hire.saved[-1]["hire_date"] == dt.date(2027, 1, 15)


# -- Enter ----------------------------------------------------------------------------------

@pytest.mark.parametrize("combo", ["currency", "owner", "account", "contact"])
def test_enter_in_a_combo_box_saves_and_changes_nothing(editor, qtbot, company_db, combo):
    fill_new_deal(editor, qtbot)
    editor.currency.setCurrentText("EUR")
    widget = getattr(editor, combo)
    before = widget.currentText()
    widget.setFocus()
    qtbot.waitUntil(lambda: widget.hasFocus() or widget.isAncestorOf(QApplication.focusWidget()))
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert widget.currentText() == before
    assert sql(company_db, "SELECT currency FROM deals WHERE id = ?", editor.saved_id) == "EUR"


def test_enter_in_the_title_saves(editor, qtbot, company_db):
    fill_new_deal(editor, qtbot)
    QTest.keyClick(editor.title, Qt.Key.Key_Return)
    assert editor.result() == QDialog.DialogCode.Accepted and editor.saved_id is not None


# -- a new account --------------------------------------------------------------------------

def test_a_new_account_is_offered_and_created_with_the_deal_in_one_undo_step(board, company_db, qtbot):
    accounts = sql(company_db, "SELECT count(*) FROM accounts")
    seen = {}

    def fill(dialog):
        fill_new_deal(dialog, qtbot, "Heat pumps for the plant")
        dialog.account.setFocus()
        dialog.account.lineEdit().selectAll()
        qtbot.keyClicks(dialog.account.lineEdit(), "Foo GmbH")
        seen["offer"] = dialog.create_account.isVisible(), dialog.create_account.text()
        dialog.save()

    when_modal(fill)
    board.headers[1].add.click()
    assert seen["offer"] == (True, "Create account “Foo GmbH” when saving")
    new_id = sql(company_db, "SELECT max(id) FROM deals")
    assert sql(company_db, "SELECT a.name FROM deals d JOIN accounts a ON a.id = d.account_id WHERE d.id = ?",
               new_id) == "Foo GmbH"
    assert new_id in board.model.column(1).ids
    assert sql(company_db, "SELECT count(*) FROM accounts") == accounts + 1
    assert board.undo_stack.count() == 1
    board.undo_stack.undo()
    assert sql(company_db, "SELECT count(*) FROM deals WHERE id = ?", new_id) == 0
    assert sql(company_db, "SELECT count(*) FROM accounts WHERE name = 'Foo GmbH'") == 0
    board.undo_stack.redo()
    assert sql(company_db, "SELECT a.name FROM deals d JOIN accounts a ON a.id = d.account_id WHERE d.id = ?",
               new_id) == "Foo GmbH"


def test_an_unticked_new_account_is_refused_in_words(editor, qtbot, company_db):
    fill_new_deal(editor, qtbot)
    editor.account.lineEdit().selectAll()
    qtbot.keyClicks(editor.account.lineEdit(), "Foo GmbH")
    editor.create_account.setChecked(False)
    editor.save()
    assert editor.errors["account"].isVisible() and "no account called “Foo GmbH”" in editor.errors["account"].text()
    assert sql(company_db, "SELECT count(*) FROM accounts WHERE name = 'Foo GmbH'") == 0


def test_an_existing_account_typed_in_other_case_is_that_account(editor, qtbot, company_db):
    name = editor.accounts[0][1]
    fill_new_deal(editor, qtbot)
    editor.account.lineEdit().selectAll()
    qtbot.keyClicks(editor.account.lineEdit(), name.upper())
    assert not editor.create_account.isVisible()
    editor.save()
    assert sql(company_db, "SELECT account_id FROM deals WHERE id = ?", editor.saved_id) == editor.accounts[0][0]


# -- messages under the fields --------------------------------------------------------------

def test_a_message_goes_away_when_its_field_is_edited(editor, qtbot):
    fill_new_deal(editor, qtbot)
    qtbot.keyClicks(editor.amount, "-50")
    qtbot.keyClicks(editor.close_date.line, "soon")
    editor.save()
    amount, close = editor.errors["amount"], editor.errors["expected_close"]
    assert amount.isVisible() or close.isVisible()
    shown_first = amount if amount.isVisible() else close
    QTest.keyClick(editor.amount if shown_first is amount else editor.close_date.line, Qt.Key.Key_Backspace)
    assert not shown_first.isVisible()


def test_the_title_message_goes_away_when_a_title_is_typed(editor, qtbot):
    editor.owner.setCurrentIndex(1)
    editor.save()
    assert editor.errors["title"].isVisible()
    qtbot.keyClicks(editor.title, "A")
    assert not editor.errors["title"].isVisible()


def test_the_hire_dialogs_message_goes_away_when_the_name_is_typed(company_db, qtbot):
    from salesdesk.errors import ValidationError
    from salesdesk.ui.orgchart.dialogs import PersonDialog

    def refuse(values):
        if not values["name"].strip():
            raise ValidationError("name", "A person needs a name")

    dialog = shown(qtbot, PersonDialog(company_db, submit=refuse))
    dialog.save()
    assert dialog.errors["name"].isVisible()
    qtbot.keyClicks(dialog.name, "Ada")
    assert not dialog.errors["name"].isVisible()


def test_a_currency_typed_then_enter_saves_it_without_growing_the_list(editor, qtbot, company_db):
    fill_new_deal(editor, qtbot)
    items = [editor.currency.itemText(i) for i in range(editor.currency.count())]
    editor.currency.lineEdit().selectAll()
    qtbot.keyClicks(editor.currency.lineEdit(), "chf")
    QTest.keyClick(editor.currency.lineEdit(), Qt.Key.Key_Return)
    assert editor.result() == QDialog.DialogCode.Accepted
    assert [editor.currency.itemText(i) for i in range(editor.currency.count())] == items
    assert sql(company_db, "SELECT currency FROM deals WHERE id = ?", editor.saved_id) == "CHF"


def test_the_dialog_at_1366x768_fits_with_a_message_shown(editor, qtbot):
    editor.owner.setCurrentIndex(1)
    qtbot.keyClicks(editor.close_date.line, "soon")
    editor.save()
    qtbot.wait(50)
    screen = editor.screen().availableGeometry()
    assert editor.sizeHint().height() <= min(screen.height(), 768) - 60
    assert editor.height() >= editor.minimumSizeHint().height()
