"""The window's one undo history, and who changed what.

Every screen pushes its undo steps onto the window's ``History``: Ctrl+Z undoes the last
change wherever it was made, and the Edit menu names it.  ``History`` remembers which
screen made each step (``owner``, kept up to date by the window as screens are shown),
and after a step is done, undone or redone it says so with ``changes_committed(owner)``:
the window then tells every other screen to show what the database holds (a hidden
screen reads it when it is next shown), while the screen that owns the step keeps
itself up to date from the step's own records (a board drop repaints one card, not
the board).
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtGui import QUndoCommand, QUndoStack


class History(QUndoStack):
    """A ``QUndoStack`` that knows which screen each step came from.

    Signals:
        changes_committed(str): a step was done, undone or redone; the key of the
            screen that made it ("" for the window's own: exchange rates, currency).
    """

    changes_committed = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.owner = ""  # the screen on view: it owns the steps pushed now
        self._owners: list[str] = []  # parallel to the commands
        self._index = 0
        self.indexChanged.connect(self._moved)

    def push(self, command: QUndoCommand) -> None:
        del self._owners[self.index():]  # the steps undone are dropped by the push
        self._owners.append(self.owner)
        super().push(command)

    def clear(self) -> None:
        self._owners.clear()
        self._index = 0
        super().clear()

    @Slot(int)
    def _moved(self, index: int) -> None:
        del self._owners[self.count():]  # a step merged into the one before it
        step = index - 1 if index > self._index else index  # done or redone / undone
        self._index = index
        if 0 <= step < len(self._owners):
            self.changes_committed.emit(self._owners[step])
