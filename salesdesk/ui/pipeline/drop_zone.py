"""The board's Won and Lost targets: places to drop deals that are not a column.

A zone only says which deals were dropped on it; the board decides what that means
(Won moves them to the won stage, Lost asks for a reason first).

Signals:
    dropped(list): the deal ids dropped here.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent, QDropEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QSizePolicy, QWidget

from salesdesk.ui import theme
from salesdesk.ui.pipeline.model import MIME_TYPE, decode_ids


class DropZone(QFrame):
    dropped = Signal(list)

    def __init__(self, title: str, colour: str, soft: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("board_drop_zone")
        self.setAcceptDrops(True)
        self._colour, self._soft = QColor(colour), QColor(soft)
        self._hover = False
        self._title = title
        self.setMinimumHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    @classmethod
    def won(cls) -> DropZone:
        zone = cls("Drop here: won", theme.SUCCESS, "#e6f4ea")
        zone.setObjectName("board_won_zone")
        return zone

    @classmethod
    def lost(cls) -> DropZone:
        zone = cls("Drop here: lost (asks why)", theme.DANGER, theme.DANGER_SOFT)
        zone.setObjectName("board_lost_zone")
        return zone

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self._colour, 1.5, Qt.PenStyle.SolidLine if self._hover else Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(self._soft if self._hover else QColor(theme.SURFACE))
        painter.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 8, 8)
        painter.setPen(self._colour)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._title)
        painter.end()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(MIME_TYPE):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self._hover = True
            self.update()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:
        self._hover = False
        self.update()

    def dropEvent(self, event: QDropEvent) -> None:
        self._hover = False
        self.update()
        ids = decode_ids(event.mimeData())
        if ids:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            # Dialogs must not open inside the drag's event loop.
            QTimer.singleShot(0, partial(self.dropped.emit, ids))
