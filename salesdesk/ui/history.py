"""The window's one undo history, and the news of what changed.

Every screen performs its changes on the window's ``History`` (``ui/operations``):
Ctrl+Z undoes the last change wherever it was made, and the Edit menu names it.  After
a step is done, undone or redone, ``changes_committed(Changes)`` says which kinds of
records changed and which screen made it (``owner``, kept up to date by the window as
screens are shown): the window then marks every other screen that shows those kinds out
of date (a hidden screen reads the database when it is next shown), while the screen
that made the step keeps itself up to date from the step's own records (a board drop
repaints one card, not the board).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QUndoStack


class History(QUndoStack):
    """A ``QUndoStack`` of ``Operation`` steps that announces what each one changed.

    Signals:
        changes_committed(Changes): a step was done, undone or redone.
    """

    changes_committed = Signal(object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.owner = ""  # the key of the screen on view: it owns the steps performed now
