"""Form rows for dialogs: a label whose Alt+letter focuses its field, a message under
the field that goes away when the field is edited, and Enter that saves the dialog.

``QFormLayout.addRow("&Title", layout)`` makes a label without a buddy, which shows
the "&" instead of underlining the letter; ``labelled_row`` gives every label its
field as buddy.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from salesdesk.ui import theme


def error_label(name: str) -> QLabel:
    """The red message under a field, hidden until there is something to say."""
    label = QLabel()
    label.setObjectName(f"error_{name}")
    label.setStyleSheet(f"color: {theme.DANGER};")
    label.setWordWrap(True)
    label.hide()
    return label


def labelled_row(form: QFormLayout, text: str, widget: QWidget, error: QLabel | None = None,
                 buddy: QWidget | None = None) -> QLabel:
    """``widget`` (with ``error`` under it) in ``form`` after a label whose mnemonic
    focuses ``buddy`` (default: ``widget``); returns the label."""
    label = QLabel(text)
    label.setBuddy(buddy or widget)
    if error is None:
        form.addRow(label, widget)
        return label
    box = QVBoxLayout()
    box.setSpacing(2)
    box.addWidget(widget)
    box.addWidget(error)
    form.addRow(label, box)
    clear_on_edit(widget, error)
    return label


def clear_on_edit(widget: QWidget, error: QLabel) -> None:
    """Hide ``error`` as soon as the user changes ``widget`` (or a field inside it): the
    message spoke of the value that was there, and Save checks the new one again."""
    def hide(*_args) -> None:
        error.hide()

    for field in [widget, *widget.findChildren(QWidget)]:
        if hasattr(field, "edited") and not isinstance(field, QLineEdit):  # DateField
            field.edited.connect(hide)
        elif isinstance(field, QLineEdit):
            field.textEdited.connect(hide)
        elif isinstance(field, QComboBox):
            field.currentIndexChanged.connect(hide)
            field.editTextChanged.connect(hide)
        elif isinstance(field, QAbstractSpinBox):
            field.editingFinished.connect(hide)
            if hasattr(field, "valueChanged"):
                field.valueChanged.connect(hide)
        elif isinstance(field, QPlainTextEdit):
            field.textChanged.connect(hide)
        elif isinstance(field, QAbstractButton):
            field.toggled.connect(hide)


class EnterSaves(QObject):
    """Enter in a combo box (editable or not) presses the dialog's default button
    instead of choosing another item (it once turned EUR into CHF) or doing nothing;
    with the list open, Enter still picks from the list."""

    def __init__(self, button: QAbstractButton, combos: list[QComboBox]):
        super().__init__(button)
        self.button = button
        for combo in combos:
            combo.installEventFilter(self)
            line = combo.lineEdit()
            if line is not None:
                line.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            combo = watched if isinstance(watched, QComboBox) else watched.parent()
            completer = combo.completer() if isinstance(combo, QComboBox) else None
            popup = completer.popup() if completer is not None else None
            if isinstance(combo, QComboBox) and not combo.view().isVisible() \
                    and not (popup is not None and popup.isVisible()):
                if self.button.isEnabled():
                    self.button.click()
                return True
        return super().eventFilter(watched, event)
