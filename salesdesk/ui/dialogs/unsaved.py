"""Dialogs with edits the user has not saved ask Save, Discard or Cancel when closed.

Esc, the window's close button and a Cancel button all end in ``QDialog.reject()``;
this mixin's ``reject()`` asks first when ``has_unsaved_edits()`` says so, then saves
(``save_edits()``, which closes the dialog itself when the values are accepted and
leaves it open with the reason when not), drops the edits, or stays.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox

Button = QMessageBox.StandardButton

if TYPE_CHECKING:  # to the type checker the mixin is the QDialog it is mixed into
    from PySide6.QtWidgets import QDialog as _Dialog
else:
    _Dialog = object


class AsksBeforeDiscarding(_Dialog):
    """Mix into a ``QDialog`` before it: ``class DealDialog(AsksBeforeDiscarding, QDialog)``."""

    unsaved_question = "Save the changes?"

    def has_unsaved_edits(self) -> bool:
        raise NotImplementedError

    def save_edits(self) -> None:
        raise NotImplementedError

    def reject(self) -> None:
        if self.has_unsaved_edits():
            answer = QMessageBox.question(self, "Unsaved changes", self.unsaved_question,
                                          Button.Save | Button.Discard | Button.Cancel, Button.Save)
            if answer == Button.Cancel:
                return
            if answer == Button.Save:
                self.save_edits()
                return
        super().reject()
