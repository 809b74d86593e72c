"""The Reports screen as a branch manager uses it on Friday: pick the week and the scope,
read the pages on screen, export the PDF, or one PDF per branch for the director."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from salesdesk.domain.periods import Period, PeriodKind, last_full_week
from salesdesk.ui.reports import screen as reports_screen
from tests.gui.conftest import sql, when_modal


@pytest.fixture
def window(make_window, company_db):
    window = make_window(company_db)
    window.resize(1300, 900)
    window.show_screen("reports")
    return window


@pytest.fixture
def reports(window, qtbot):
    screen = window.screens["reports"]
    qtbot.waitUntil(lambda: screen.report is not None)
    return screen


def choose_scope(screen, label: str) -> None:
    index = screen.scope_box.findText(label)
    assert index >= 0, label
    screen.scope_box.setCurrentIndex(index)


def choose_this_week(screen) -> None:
    screen.week_box.setCurrentIndex(0)  # newest first: this week, so far (the fixture's deals are new)


def pdf_text(path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def ink(widget) -> int:
    """Dark pixels on screen: text and lines drawn on the sheets."""
    image = widget.grab().toImage()
    dark = 0
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            if QColor(image.pixel(x, y)).lightness() < 80:
                dark += 1
    return dark


def test_opens_on_the_last_full_week_for_the_whole_company_with_its_pages(reports, qtbot):
    assert reports.selected_week() == last_full_week()
    assert reports.scope_box.currentText() == "Whole company"
    assert reports.report.scope.kind == "company"
    qtbot.waitUntil(lambda: reports.page_label.text().startswith("Page 1 of"))
    assert reports.page_label.text() == f"Page 1 of {reports.preview.page_count}"
    qtbot.waitUntil(lambda: 1 in reports.preview._sharp)
    assert ink(reports.preview.viewport()) > 200  # the first page is drawn, not a blank sheet


def test_week_and_scope_choose_what_the_pages_show(reports, company_db, qtbot, window):
    choose_this_week(reports)
    this_week = Period.containing(PeriodKind.WEEK, reports.report.today)
    assert reports.report.week == this_week
    won = sql(company_db, "SELECT count(*) FROM deals WHERE status = 'won'")
    assert reports.report.won_count == won > 0
    choose_scope(reports, "Branch Lyon")
    assert reports.report.scope.label == "Lyon"
    lyon = sql(company_db, "SELECT count(*) FROM deals d JOIN people p ON p.id = d.owner_id JOIN branches b "
                           "ON b.id = p.branch_id WHERE d.status = 'won' AND b.name = 'Lyon'")
    assert reports.report.won_count == lyon
    reports.previous_button.click()
    assert reports.report.week == this_week.previous()
    assert reports.next_button.isEnabled()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    reports.preview.setFocus()
    qtbot.keyClick(reports.preview, Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier)
    assert reports.report.week == this_week


def test_page_down_turns_the_page(reports, qtbot):
    choose_this_week(reports)
    preview = reports.preview
    assert preview.page_count >= 2
    preview.setFocus()
    qtbot.keyClick(preview, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: reports.page_label.text() == f"Page 2 of {preview.page_count}")
    qtbot.waitUntil(lambda: 2 in preview._sharp)


def test_the_scope_is_remembered_for_next_time(reports, make_window, company_db, ui_settings, window):
    choose_scope(reports, "Branch Paris")
    window.close()
    again = make_window(company_db, ui_settings)
    again.show_screen("reports")
    assert again.screens["reports"].scope_box.currentText() == "Branch Paris"


def test_export_pdf_writes_what_the_preview_shows(reports, qtbot, tmp_path, monkeypatch, window):
    choose_this_week(reports)
    choose_scope(reports, "Branch Berlin")
    out = tmp_path / "berlin.pdf"
    asked = {}

    def ask(parent, settings, key, title, name, kind, suffix, *, database):
        asked["name"] = name
        return out

    monkeypatch.setattr(reports_screen, "ask_save_path", ask)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    reports.preview.setFocus()
    qtbot.keyClick(reports.preview, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert asked["name"] == f"weekly-{reports.report.week.label}-berlin.pdf"
    assert out.exists()
    text = pdf_text(out)
    assert "Branch Berlin" in text and f"Week {reports.report.week.label}" in text
    assert f"Page {reports.preview.page_count} of {reports.preview.page_count}" in text
    assert f"{reports.report.won_value:,.2f} EUR" in text
    assert str(out) in window.statusBar().currentMessage()


def test_a_report_that_cannot_be_written_says_why_and_leaves_nothing(reports, tmp_path, monkeypatch):
    out = tmp_path / "out" / "stick" / "report.pdf"  # the USB stick was pulled out: its folder is gone
    (tmp_path / "out").mkdir()
    monkeypatch.setattr(reports_screen, "ask_save_path", lambda *args, **kwargs: out)
    said = {}
    when_modal(lambda box: (said.setdefault("title", box.windowTitle()), said.setdefault("text", box.text()),
                            box.accept()))
    reports.export_pdf()
    assert said["title"] == "Not exported" and str(out) in said["text"]
    assert list((tmp_path / "out").iterdir()) == []


def test_one_pdf_per_branch_with_progress(reports, qtbot, tmp_path, monkeypatch, window):
    folder = tmp_path / "reports"
    folder.mkdir()
    monkeypatch.setattr(reports_screen, "ask_folder", lambda *args: folder)
    choose_this_week(reports)
    week = reports.report.week
    reports.batch_button.click()
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"weekly-{week.label}-{b}.pdf" for b in ("berlin", "lyon", "paris"))
    for branch in ("Berlin", "Lyon", "Paris"):
        assert f"Branch {branch}" in pdf_text(folder / f"weekly-{week.label}-{branch.lower()}.pdf")
    assert "3 weekly reports" in window.statusBar().currentMessage()


def test_batch_export_asks_before_replacing_and_cancel_keeps_the_old_files(reports, tmp_path, monkeypatch):
    folder = tmp_path / "reports"
    folder.mkdir()
    monkeypatch.setattr(reports_screen, "ask_folder", lambda *args: folder)
    week = reports.report.week
    old = folder / f"weekly-{week.label}-lyon.pdf"
    old.write_bytes(b"last week's copy")
    said = {}

    def cancel(box):
        said["text"] = box.text()
        box.reject()

    when_modal(cancel)
    reports.export_branches()
    assert "already exist" in said["text"]
    assert old.read_bytes() == b"last week's copy"
    assert [p.name for p in folder.iterdir()] == [old.name]


def test_write_my_week_then_undo(reports, company_db, qtbot, window):
    choose_this_week(reports)
    week = reports.report.week

    def fill(dialog):
        dialog.person_box.setCurrentIndex(dialog.person_box.findText("Seller 3"))
        assert dialog.text.toPlainText() == ""
        qtbot.keyClicks(dialog.text, "Two demos booked; Account 4 wants a quote.")
        dialog.buttons.button(dialog.buttons.StandardButton.Save).click()

    when_modal(fill)
    reports.note_button.click()
    assert sql(company_db, "SELECT text FROM weekly_notes w JOIN people p ON p.id = w.person_id "
                           "WHERE p.name = 'Seller 3' AND w.week_start = ?", week.start.isoformat()) \
        == "Two demos booked; Account 4 wants a quote."
    assert ("Seller 3", "Two demos booked; Account 4 wants a quote.") in [(n.person, n.text) for n in reports.report.notes]
    window.undo_group.undo()
    assert sql(company_db, "SELECT count(*) FROM weekly_notes w JOIN people p ON p.id = w.person_id "
                           "WHERE p.name = 'Seller 3'") == 0
    assert "Seller 3" not in [n.person for n in reports.report.notes]


def test_closing_my_week_with_unsaved_text_asks_first(reports, company_db, qtbot):
    from salesdesk.ui.reports.note_dialog import NoteDialog

    week = reports.selected_week()
    dialog = NoteDialog(week, [(1, "Vera Price")], lambda pid: "", 1)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.text, "half a thought")
    asked = {}

    def cancel(box):
        asked["text"] = box.text()
        box.button(box.StandardButton.Cancel).click()

    when_modal(cancel)
    dialog.reject()  # Esc, the Cancel button and the window's close all come here
    assert asked["text"] == "Save this note?"
    assert dialog.isVisible() and dialog.note() == "half a thought"
    dialog.text.clear()  # nothing left to lose: it closes without asking
    dialog.close()
    assert not dialog.isVisible()
