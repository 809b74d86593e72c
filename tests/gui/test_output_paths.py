"""The window's save dialogs and exports never write over the open database or a backup
(issue 11): the refusal is a message naming the file, and nothing on disk changes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from salesdesk.paths import backup_dir
from salesdesk.ui.history import History
from salesdesk.ui.transfer import install_transfer_actions
from salesdesk.ui.widgets.save_path import ask_save_path


def file_set(database: Path) -> dict[str, str]:
    # not -shm: readers change its index; the database's content is in the file and -wal
    names = [Path(f"{database}{suffix}") for suffix in ("", "-wal")]
    folder = backup_dir(database)
    names += sorted(folder.iterdir()) if folder.is_dir() else []
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in names if p.exists()}


@pytest.fixture
def link(company_db, tmp_path) -> Path:
    """An innocent-looking name of the open database."""
    (tmp_path / "exports").mkdir()
    path = tmp_path / "exports" / "report.pdf"
    path.symlink_to(company_db.path)
    return path


@pytest.fixture
def warnings(monkeypatch) -> list[tuple[str, str]]:
    """Every QMessageBox.warning, answered at once (the test hook for blocking boxes)."""
    said = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning",
                        lambda parent, title, text, *args: said.append((title, text)))
    return said


def answers(monkeypatch, *chosen) -> list[str]:
    """The save dialog returns ``chosen`` one after the other, then Cancel."""
    left = [str(c) for c in chosen]
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *args, **kwargs: (left.pop(0) if left else "", ""))
    return left


def test_the_save_dialog_refuses_the_open_database_and_asks_again(company_db, ui_settings, link, tmp_path,
                                                                  monkeypatch, warnings):
    before = file_set(company_db.path)
    answers(monkeypatch, link, backup_dir(company_db.path) / "mine.pdf", tmp_path / "exports" / "weekly.pdf")
    chosen = ask_save_path(None, ui_settings, "reports/export_folder", "Export the weekly report", "weekly.pdf",
                           "PDF", "pdf", database=company_db.path)
    assert chosen == tmp_path / "exports" / "weekly.pdf"
    assert len(warnings) == 2
    assert str(link) in warnings[0][1] and "is the database" in warnings[0][1]
    assert "backup folder" in warnings[1][1]
    assert file_set(company_db.path) == before


def test_cancel_after_a_refusal_writes_nothing(company_db, ui_settings, link, monkeypatch, warnings):
    answers(monkeypatch, link)
    assert ask_save_path(None, ui_settings, "k", "Export", "r.pdf", "PDF", "pdf", database=company_db.path) is None
    assert len(warnings) == 1


def test_an_added_ending_does_not_replace_a_file_nobody_confirmed(company_db, ui_settings, tmp_path, monkeypatch,
                                                                 warnings):
    (tmp_path / "report.pdf").write_bytes(b"kept")
    answers(monkeypatch, tmp_path / "report")  # the dialog asked about "report", not "report.pdf"
    assert ask_save_path(None, ui_settings, "k", "Export", "r.pdf", "PDF", "pdf", database=company_db.path) is None
    assert "already exists" in warnings[0][1]
    assert (tmp_path / "report.pdf").read_bytes() == b"kept"


def test_the_reports_screen_refuses_the_database(make_window, company_db, link, monkeypatch, qtbot, warnings):
    window = make_window(company_db)
    window.show_screen("reports")
    reports = window.screens["reports"]
    qtbot.waitUntil(lambda: reports.report is not None)
    before = file_set(company_db.path)
    answers(monkeypatch, link)
    reports.export_pdf()
    assert "is the database" in warnings[0][1]
    assert file_set(company_db.path) == before and link.is_symlink()


def test_the_batch_report_export_refuses_the_backup_folder(make_window, company_db, monkeypatch, qtbot, warnings):
    from salesdesk.db.backup import backup_database
    from salesdesk.ui.reports import screen as reports_screen

    backup_database(company_db.engine, company_db.path)
    window = make_window(company_db)
    window.show_screen("reports")
    reports = window.screens["reports"]
    qtbot.waitUntil(lambda: reports.report is not None)
    before = file_set(company_db.path)
    monkeypatch.setattr(reports_screen, "ask_folder", lambda *args: backup_dir(company_db.path))
    reports.export_branches()
    assert "backup folder" in warnings[0][1]
    assert file_set(company_db.path) == before


def test_chart_exports_refuse_the_database(company_db, ui_settings, link, qtbot, warnings):
    from salesdesk.ui.orgchart.chart import OrgChartWidget
    from salesdesk.ui.targets.view import TargetsWidget

    org = OrgChartWidget(company_db, History(), ui_settings)
    targets = TargetsWidget(company_db, History(), ui_settings)
    for widget in (org, targets):
        qtbot.addWidget(widget)
        widget.refresh()
        widget.show()
    qtbot.waitUntil(lambda: targets.current_chart() is not None)
    before = file_set(company_db.path)  # once the screens have read (and made the -wal)
    assert org.export_png(link) is None and org.export_pdf(link) is None
    assert targets.export_png(link) is None and targets.export_svg(link) is None
    assert len(warnings) == 4 and all("is the database" in text for _, text in warnings)
    assert file_set(company_db.path) == before and link.is_symlink()


def test_export_and_backup_refuse_the_database_and_its_backups(make_window, company_db, link, qtbot):
    from salesdesk.db.backup import backup_database

    backup = backup_database(company_db.engine, company_db.path)
    window = make_window(company_db)
    install_transfer_actions(window)
    deals = link.with_name("deals.csv")
    deals.symlink_to(company_db.path)
    before = file_set(company_db.path)
    assert window.transfer.export_to("deals", deals) is None
    assert "is the database" in window.last_message.text()
    assert window.backup_to(backup) is None
    assert "backup of company.sqlite3" in window.last_message.text()
    assert window.backup_to(backup_dir(company_db.path) / "mine.sqlite3") is None
    assert "backup folder" in window.last_message.text()
    assert file_set(company_db.path) == before


def test_the_wizards_save_mapping_refuses_the_database(make_window, company_db, link, tmp_path, monkeypatch,
                                                       qtbot, warnings):
    window = make_window(company_db)
    install_transfer_actions(window)
    source = tmp_path / "deals.csv"
    source.write_text("title,owner,stage\nBig order,Seller 1,Contact\n", encoding="utf-8")
    wizard = window.transfer.open_import_wizard(source, "deals")
    qtbot.waitUntil(wizard.isVisible)
    wizard.next()
    before = file_set(company_db.path)
    mapping = link.with_name("mapping.json")
    link.rename(mapping)
    answers(monkeypatch, mapping, tmp_path / "mapping.json")
    wizard.columns_page.save_mapping()
    assert "is the database" in warnings[0][1]
    assert (tmp_path / "mapping.json").read_text(encoding="utf-8").startswith('{\n  "kind": "deals"')
    assert file_set(company_db.path) == before
    wizard.close()


def test_the_backup_dialog_refuses_the_database_and_its_backup_folder(make_window, company_db, tmp_path,
                                                                      monkeypatch, warnings):
    window = make_window(company_db)
    answers(monkeypatch, company_db.path, backup_dir(company_db.path) / "mine.sqlite3", tmp_path / "copy.sqlite3")
    assert window.ask_backup_path() == str(tmp_path / "copy.sqlite3")
    assert [text.split(": ", 1)[1] for _, text in warnings] == [
        "is the database company.sqlite3 itself; choose another file",
        "is in the backup folder of company.sqlite3, where only SalesDesk writes; choose another folder"]
