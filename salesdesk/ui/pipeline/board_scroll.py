"""The board's sideways scroll area: it scrolls by itself while a card is dragged near its
left or right edge, and says when its visible width changed (so "Fit All Stages" refits).

A drag over a column is the column's (it accepts the drop); the column passes the
pointer on through ``drag_at``. Over the gaps and headers between columns the area
itself follows the drag, without accepting a drop there.

Signals:
    resized(): the visible width changed.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QTimer, Signal, Slot
from PySide6.QtWidgets import QScrollArea, QWidget

from salesdesk.ui.pipeline.model import MIME_TYPE

EDGE = 56  # px from the left or right edge where the board starts to scroll
SLOWEST, FASTEST = 3, 42  # px per step, at the zone's inner border and at the very edge
STEP_MS = 20


def edge_speed(x: int, width: int) -> int:
    """Signed pixels per step for a pointer at ``x`` of a ``width``-wide view (0: not near an edge).
    Faster the nearer the edge, quadratically, so the first pixels of the zone creep."""
    if width <= 2 * EDGE:
        zone = max(1, width // 4)
    else:
        zone = EDGE
    if x < zone:
        depth, sign = zone - max(x, 0), -1
    elif x > width - zone:
        depth, sign = min(x, width) - (width - zone), 1
    else:
        return 0
    share = min(1.0, depth / zone)
    return sign * int(round(SLOWEST + (FASTEST - SLOWEST) * share * share))


class BoardScrollArea(QScrollArea):
    resized = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)  # drags over the strip's gaps reach us through it
        self._speed = 0
        self._timer = QTimer(self, interval=STEP_MS)
        self._timer.timeout.connect(self._step)

    @property
    def autoscrolling(self) -> bool:
        return self._timer.isActive()

    def drag_at(self, global_pos: QPoint) -> None:
        """A drag's pointer is at ``global_pos``: scroll while it is near an edge."""
        x = self.viewport().mapFromGlobal(global_pos).x()
        self._speed = edge_speed(x, self.viewport().width())
        if self._speed and not self._timer.isActive():
            self._timer.start()
            self._step()  # the first step at once: the board answers the hand without a lag
        elif not self._speed:
            self._timer.stop()

    @Slot()
    def stop_autoscroll(self) -> None:
        """The drag left the board, was dropped or cancelled."""
        self._speed = 0
        self._timer.stop()

    @Slot()
    def _step(self) -> None:
        bar = self.horizontalScrollBar()
        before = bar.value()
        bar.setValue(before + self._speed)
        if bar.value() == before:  # at the end: nothing more to show
            self._timer.stop()

    # -- drags over the gaps and headers between columns --------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(MIME_TYPE):
            event.accept()  # to follow the drag; no drop is taken here
            self.drag_at(self.mapToGlobal(event.position().toPoint()))
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        self.drag_at(self.mapToGlobal(event.position().toPoint()))
        event.ignore()  # not a place to drop

    def dragLeaveEvent(self, event):
        self.stop_autoscroll()

    def dropEvent(self, event):
        self.stop_autoscroll()
        event.ignore()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if event.oldSize().width() != event.size().width():
            self.resized.emit()
