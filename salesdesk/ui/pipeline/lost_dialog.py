"""Why was it lost?  A preset reason, free text, or both."""

from __future__ import annotations

from PySide6.QtCore import Slot
from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QVBoxLayout

from salesdesk.ui import theme


class LostReasonDialog(QDialog):
    def __init__(self, db, titles: list[str], parent=None):
        super().__init__(parent)
        self.setObjectName("lost_dialog")
        self.setWindowTitle("Mark as lost")
        from salesdesk.services.deals import lost_reasons

        with db.session() as s:
            reasons = lost_reasons(s)
        layout = QVBoxLayout(self)
        what = f"“{titles[0]}”" if len(titles) == 1 else f"{len(titles)} deals"
        layout.addWidget(QLabel(f"Why was {what} lost?\nIt leaves the board; “Won and lost…” under the board "
                                f"(Ctrl+Shift+L) lists it and reopens it."))
        form = QFormLayout()
        self.reason_box = QComboBox()
        self.reason_box.setObjectName("lost_reason")
        self.reason_box.addItem("(choose a reason)", None)
        for reason_id, name in reasons:
            self.reason_box.addItem(name, reason_id)
        form.addRow("&Reason", self.reason_box)
        self.note = QPlainTextEdit()
        self.note.setObjectName("lost_note")
        self.note.setPlaceholderText("In your own words (optional with a reason)")
        self.note.setFixedHeight(80)
        form.addRow("&Details", self.note)
        layout.addLayout(form)
        self.error = QLabel("Pick a reason or write one.")
        self.error.setStyleSheet(f"color: {theme.DANGER};")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Mark lost")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def reason(self) -> tuple[int | None, str | None]:
        return self.reason_box.currentData(), (self.note.toPlainText().strip() or None)

    @Slot()
    def _accept(self) -> None:
        reason_id, note = self.reason()
        if reason_id is None and note is None:
            self.error.show()
            return
        self.accept()
