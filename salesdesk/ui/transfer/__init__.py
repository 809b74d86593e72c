"""Import and export in the window: File → Import…, Import CRM Sales Opportunities…, Export….

``install_transfer_actions(window)`` adds the three commands to the main window's File
menu; everything they do is in ``salesdesk.transfer`` (no Qt), this is the thin layer
that asks for files and shows outcomes.  After an import the window reloads every screen.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Qt, Slot
from PySide6.QtGui import QAction

from salesdesk.ui.busy import wait_cursor

# Imported when a command runs, not with the window: the dialogs, the wizard and the
# import code cost the first paint nothing.

CRM_FOLDER = "transfer/crm_folder"
EXPORT_FOLDER = "transfer/export_folder"


def install_transfer_actions(window) -> None:
    """Add Import…, Import CRM Sales Opportunities… and Export… to ``window``'s File menu
    (once: a second call changes nothing)."""
    if isinstance(getattr(window, "transfer", None), TransferActions):
        return
    window.transfer = TransferActions(window)


class TransferActions(QObject):
    """The File menu's import and export commands over the window's current database."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.wizard = None
        self.action_import = self._action("&Import…", "Import people, accounts, contacts, products, deals or "
                                          "targets from a CSV or XLSX file", self.open_import_wizard)
        self.action_import_crm = self._action("Import CRM &Sales Opportunities…", "Import the public CRM Sales "
                                              "Opportunities data set from its folder", self.ask_import_crm)
        self.action_export = self._action("&Export…", "Write people, accounts, contacts, products, deals or "
                                          "targets to a CSV or XLSX file", self.ask_export)
        menu = self._file_menu()
        if menu is not None:
            quit_action = window.action_quit
            for action in (self.action_import, self.action_import_crm, self.action_export):
                menu.insertAction(quit_action, action)
            menu.insertSeparator(quit_action)
        window.database_changed.connect(self.database_changed)
        self.database_changed()

    def _action(self, text: str, tip: str, slot) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.setToolTip(tip)
        # not connected straight: triggered(checked) would hand False to a slot's first
        # parameter (the import's file, shown as "False")
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _file_menu(self):
        for action in self.window.menuBar().actions():
            menu = action.menu()
            if menu is not None and self.window.action_quit in menu.actions():
                return menu
        return None

    @Slot()
    def database_changed(self, *_args) -> None:
        writable = not self.window.db.read_only
        self.action_import.setEnabled(writable)
        self.action_import_crm.setEnabled(writable)

    @property
    def settings(self):
        return self.window.state.settings

    # --- import -------------------------------------------------------------------------

    @Slot()
    def open_import_wizard(self, path: str | Path | None = None, kind: str | None = None):
        from salesdesk.ui.transfer.wizard import ImportWizard

        self.wizard = ImportWizard(self.window.db, self.settings, self.window, path=path, kind=kind)
        self.wizard.imported.connect(self.imported)
        self.wizard.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.wizard.open()
        return self.wizard

    @Slot(object)
    def imported(self, result) -> None:
        """Show what the database now holds on every screen.  The undo history ends
        here: the import is no step of it, and its new rows may take the ids an undone
        "New deal" (or a deleted deal's undo) would bring back."""
        self.window.history.clear()
        self.window.reload()
        created = sum(result.created.values())
        self.window.statusBar().showMessage(
            f"Imported {result.source}: {created:,} new, {sum(result.updated.values()):,} updated", 10_000)

    def ask_crm_folder(self) -> str | None:
        """Ask for the data set's folder (tests replace this method)."""
        from salesdesk.ui.widgets.save_path import ask_folder

        # The folder chosen last time, else home: no folder of the machine this was written on.
        chosen = ask_folder(self.window, self.settings, CRM_FOLDER, "The CRM Sales Opportunities folder")
        return str(chosen) if chosen else None

    @Slot()
    def ask_import_crm(self) -> None:
        folder = self.ask_crm_folder()
        if folder:
            self.import_crm(Path(folder))

    def import_crm(self, folder: Path):
        """Import the data set (all or nothing); show its notes or its problems."""
        from PySide6.QtWidgets import QMessageBox

        from salesdesk.errors import SalesDeskError
        from salesdesk.transfer.presets.crm_sales_opportunities import TITLE, import_crm_sales_opportunities
        from salesdesk.transfer.problems import ImportRefused

        try:
            with wait_cursor():
                result = import_crm_sales_opportunities(self.window.db, folder)
        except ImportRefused as exc:
            shown = "\n".join(f"• {p}" for p in exc.problems[:8])
            self.window.show_message(QMessageBox.Icon.Warning, "Nothing was imported",
                                     f"The {TITLE} data set was not imported ({exc.count:,} problems):\n\n{shown}",
                                     details="\n".join(str(p) for p in exc.problems))
            return None
        except SalesDeskError as exc:
            self.window.show_message(QMessageBox.Icon.Warning, "Nothing was imported", str(exc))
            return None
        self.imported(result)
        lines = result.lines()
        self.window.show_message(QMessageBox.Icon.Information, f"{TITLE} imported",
                                 lines[0].replace(f" in {folder}", "") + "\n\nWhat was found and how it was read:\n"
                                 + "\n".join(f"• {line[6:]}" for line in lines if line.startswith("note: ")),
                                 details="\n".join(lines))
        return result

    # --- export -------------------------------------------------------------------------

    def ask_export_target(self, kind: str | None = None) -> tuple[str, Path] | None:
        """Ask what to export (``kind`` preselected) and where (tests replace this method)."""
        from PySide6.QtWidgets import QDialog

        from salesdesk.ui.transfer.export_dialog import ExportDialog
        from salesdesk.ui.widgets.save_path import ask_save_path

        dialog = ExportDialog(self.window, kind)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        kind, suffix = dialog.kind.currentData(), dialog.format.currentData()
        path = ask_save_path(self.window, self.settings, EXPORT_FOLDER, "Export", f"{kind}.{suffix}",
                             f"{suffix.upper()} files", suffix, database=self.window.db.path)
        return None if path is None else (kind, path)

    @Slot()
    def ask_export(self) -> None:
        self.export_with_dialog()

    def export_with_dialog(self, kind: str | None = None) -> None:
        """Export… with ``kind`` chosen: what a list's own Export button calls
        (``window.transfer.export_with_dialog("deals")``)."""
        target = self.ask_export_target(kind) if kind else self.ask_export_target()
        if target:
            self.export_to(*target)

    def export_to(self, kind: str, path: Path) -> int | None:
        from PySide6.QtWidgets import QMessageBox

        from salesdesk.errors import SalesDeskError
        from salesdesk.transfer.export import export_kind
        from salesdesk.transfer.kinds import KINDS

        try:
            with wait_cursor():
                count = export_kind(self.window.db, kind, path, replace=True)  # the save dialog asked
        except (SalesDeskError, OSError) as exc:
            self.window.show_message(QMessageBox.Icon.Warning, "Nothing was exported", str(exc))
            return None
        self.window.statusBar().showMessage(f"Exported {count:,} {KINDS[kind].label.lower()} to {path}", 10_000)
        return count
