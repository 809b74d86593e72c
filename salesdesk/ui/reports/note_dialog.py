""""My week": write a person's note for the week, the one the weekly report prints.

The dialog only collects the text; saving is the screen's undo step.  Closing it with
changes not saved asks Save, Discard or Cancel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QMessageBox,
                               QPlainTextEdit, QVBoxLayout, QWidget)

from salesdesk.domain.periods import Period
from salesdesk.ui.dialogs.unsaved import AsksBeforeDiscarding
from salesdesk.services.notes import MAX_LENGTH


class NoteDialog(AsksBeforeDiscarding, QDialog):
    """``people``: (id, name) pairs; ``read(person_id) -> str`` gives a saved note."""

    def __init__(self, week: Period, people: list[tuple[int, str]], read, person_id: int | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("note_dialog")
        self.setWindowTitle(f"My week: {week.label}")
        self.week, self._read = week, read
        # PySide6 takes any Qt property as a keyword; its stubs name only the class's own ones
        self.person_box = QComboBox(objectName="note_person")  # type: ignore[call-arg]
        for pid, name in people:
            self.person_box.addItem(name, pid)
        if person_id is not None and self.person_box.findData(person_id) >= 0:
            self.person_box.setCurrentIndex(self.person_box.findData(person_id))
        self.text = QPlainTextEdit(objectName="note_text")  # type: ignore[call-overload]
        self.text.setPlaceholderText("What happened this week, what is next, where you need help…")
        self.text.setTabChangesFocus(True)
        self.count = QLabel(objectName="note_count")  # type: ignore[call-overload]
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("&Person", self.person_box)
        form.addRow("Week", QLabel(f"{week.label}: {week.start:%a %d %b} – {week.last_day:%a %d %b %Y}"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.count)
        layout.addWidget(self.buttons)
        self.resize(560, 360)
        self._saved = ""
        self._current = self.person_box.currentData()
        self.person_box.currentIndexChanged.connect(self._person_changed)
        self.text.textChanged.connect(self._text_changed)
        self._load()

    def person_id(self) -> int | None:
        return self.person_box.currentData()

    def note(self) -> str:
        return self.text.toPlainText().strip()

    def changed(self) -> bool:
        return self.note() != self._saved.strip()

    def _load(self) -> None:
        self._current = self.person_id()
        self._saved = self._read(self._current) if self._current is not None else ""
        self.text.setPlainText(self._saved)
        self._text_changed()

    def _text_changed(self) -> None:
        n = len(self.note())
        self.count.setText(f"{n:,} of {MAX_LENGTH:,} characters")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(self.changed() and n <= MAX_LENGTH)

    def _person_changed(self) -> None:
        if self.changed() and not self._confirm_leave():
            self.person_box.blockSignals(True)
            self.person_box.setCurrentIndex(self.person_box.findData(self._current))
            self.person_box.blockSignals(False)
            return
        self._load()

    def _confirm_leave(self) -> bool:
        """Unsaved text: Discard it (True), or Cancel (False).  Save is the Save button."""
        answer = QMessageBox.question(
            self, "Discard the note?", "The note you were writing is not saved. Discard it?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    unsaved_question = "Save this note?"

    def has_unsaved_edits(self) -> bool:
        return self.changed()

    def save_edits(self) -> None:
        self.accept()  # the screen saves it, as with the Save button

    def closeEvent(self, event: QCloseEvent) -> None:
        event.ignore()
        self.reject()
