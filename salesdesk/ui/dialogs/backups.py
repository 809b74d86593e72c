"""The Backups dialog: the copies of the open database, back up now, restore one.

The dialog only lists and asks; the window's session does the work (``back_up_now``,
``restore_from``), because a restore closes and reopens the database it shows.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QMessageBox, QPushButton, QTableWidget,
    QTableWidgetItem, QVBoxLayout,
)

from salesdesk.paths import backup_dir
from salesdesk.safety import backups as policy
from salesdesk.safety.backups import BackupInfo, list_backups
from salesdesk.safety.integrity import aside_name
from salesdesk.ui.format import plural


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{size / 1e3:.0f} kB"


class BackupsDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.main_window = window  # not "window": that is QWidget.window()
        self.backups: list[BackupInfo] = []
        self.setObjectName("backups_dialog")
        self.setWindowTitle("Backups")
        self.resize(620, 440)
        path = window.db.path
        self.folder = backup_dir(path)
        intro = QLabel(
            f"Verified copies of <b>{path.name}</b>, kept in <a href='{QUrl.fromLocalFile(str(self.folder)).toString()}'>"
            f"{self.folder}</a>.<br>SalesDesk backs up once a day at start and every 30 minutes while you work, "
            "and before an upgrade or an import. It keeps the newest "
            f"{policy.KEEP_LAST}, then one a day for {policy.KEEP_DAILY} days, one a week for {policy.KEEP_WEEKLY} "
            f"weeks and one a month for {policy.KEEP_MONTHLY} months.")
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        intro.linkActivated.connect(self._open_folder)
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("backups_table")
        self.table.setHorizontalHeaderLabels(["Taken", "Why", "Size"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self.restore_selected)
        self.count = QLabel()
        self.count.setProperty("role", "muted")

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.back_up_button = QPushButton("Back up now")
        self.back_up_button.setObjectName("back_up_now")
        self.restore_button = QPushButton("Restore…")
        self.restore_button.setObjectName("restore_backup")
        buttons.addButton(self.back_up_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.restore_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.back_up_button.clicked.connect(self.back_up_now)
        self.restore_button.clicked.connect(self.restore_selected)
        buttons.rejected.connect(self.reject)
        if window.db.read_only:
            for button in (self.back_up_button, self.restore_button):
                button.setEnabled(False)
                button.setToolTip("The database is open read-only in this window")

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        self.backups = list_backups(self.main_window.db.path)
        self.table.setRowCount(len(self.backups))
        for row, backup in enumerate(self.backups):
            cells = (f"{backup.taken_at:%a %d %b %Y  %H:%M}", backup.reason_text, _size(backup.size))
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 2:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(str(backup.path))
                self.table.setItem(row, column, item)
        if self.backups:
            self.table.selectRow(0)
        self.count.setText(plural(len(self.backups), "backup") if self.backups else "No backups yet")
        self._update_buttons()

    def selected(self) -> BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    @Slot()
    def _update_buttons(self) -> None:
        if not self.main_window.db.read_only:
            self.restore_button.setEnabled(self.selected() is not None)

    @Slot()
    def back_up_now(self) -> None:
        if self.main_window.session.back_up_now() is not None:
            self.load()

    def confirm_restore(self, backup: BackupInfo) -> bool:
        from salesdesk.safety.integrity import quick_problems

        path = self.main_window.db.path
        # The name restore will use: a damaged file is kept as "-damaged-", as the CLI says too.
        aside = aside_name(path, "damaged" if quick_problems(path) else "before-restore")
        box = QMessageBox(QMessageBox.Icon.Question, "Restore a backup",
                          f"Put back the backup from {backup.taken_at:%d %b %Y at %H:%M} ({backup.reason_text})?",
                          QMessageBox.StandardButton.NoButton, self)
        box.setObjectName("confirm_restore")
        box.setInformativeText(
            f"{path.name} is replaced by the backup: changes made since then are not in it.\n\n"
            f"Nothing is lost: the file as it is now is kept as {aside.name} in {aside.parent}.")
        restore = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(restore)
        box.exec()
        return box.clickedButton() is restore

    @Slot()
    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None or self.main_window.db.read_only or not self.confirm_restore(backup):
            return
        if self.main_window.session.restore_from(backup.path) is not None:
            self.accept()
        else:
            self.load()

    @Slot(str)
    def _open_folder(self, _link: str) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
