"""The base of every screen of the main window."""

from __future__ import annotations

from typing import ClassVar

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.history import History


class Screen(QWidget):
    """One page of the main window, over one open database.

    Subclasses name themselves with the class attributes and implement ``refresh()``,
    which reads what the screen shows from the database.  ``reload()`` is what others
    call after the data changed: a visible screen refreshes at once, a hidden one when
    it is next shown, so a change costs one query, not six.

    ``undo_stack`` is the window's one undo history (``ui/history.py``), shared by every
    screen, so Ctrl+Z undoes the last change wherever it was made; a screen built alone
    (a test, a preview) gets one of its own.  ``settings`` is where a screen keeps its
    UI state (filters, splitters): the window's own ``QSettings``.
    """

    key: ClassVar[str]
    title: ClassVar[str]
    icon_name: ClassVar[str]
    description: ClassVar[str]
    shows: ClassVar[frozenset[str]] = frozenset()  # kinds of records (ui/operations): their changes reload it

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None,
                 undo_stack: History | None = None):
        super().__init__(parent)
        self.setObjectName(f"screen_{self.key}")
        self.db = db
        self.settings = settings
        self.undo_stack = undo_stack if undo_stack is not None else History(self)
        self._stale = True
        self.refresh_count = 0  # how many times data was read: lets tests see laziness
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(0)

    def reload(self) -> None:
        """Show what the database holds now (at once if visible, else when shown)."""
        if self.isVisible():
            self._refresh_now()
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        self.refresh_if_stale()
        super().showEvent(event)

    def refresh_if_stale(self) -> None:
        """Read the data now if it is out of date.  The window calls it for the screen it
        opens on before it is shown, so that the first frame is laid out once, with the
        screen's content: filled in from showEvent, in the middle of the window being
        shown, the board's nine columns were first drawn squeezed over each other, then
        all again."""
        if self._stale:
            self._refresh_now()

    def _refresh_now(self) -> None:
        self._stale = False
        self.refresh_count += 1
        self.refresh()

    def refresh(self) -> None:
        raise NotImplementedError

    def menu(self) -> tuple[str, list]:
        """A menu of this screen's commands for the menu bar: (title, actions; None for a
        separator).  Most screens have none."""
        return "", []

    def export_action(self, kind: str, text: str) -> QAction:
        """"Export …" for this screen's list: the File menu's Export with the kind
        (people, deals, targets…) already chosen."""
        action = QAction(text, self)
        action.setObjectName(f"export_{kind}")
        action.triggered.connect(lambda: self._export(kind))
        return action

    def _export(self, kind: str) -> None:
        transfer = getattr(self.window(), "transfer", None)
        if transfer is not None:
            transfer.export_with_dialog(kind)
