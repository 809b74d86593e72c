"""The org chart's view: zoom, pan, fit, find, and dragging a person onto a new manager.

A drag happens inside the view (a ghost box follows the pointer; the box under it
turns green when the move keeps the rules, red when not), so there is no nested drag
loop, and the drop only asks for the move: the chart saves it and relayouts.

Signals:
    move_requested(int, int): drop of a person (first) onto a new manager (second).
    open_requested(int): double-click on a person.
    zoom_changed(float): the scale now shown (1.0 = 100 %).
    painted(): the view has been painted (the chart makes its remaining boxes after it).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsItem, QGraphicsView

from salesdesk.ui.orgchart.items import BOX_HEIGHT, BOX_WIDTH, OVERVIEW_BELOW, Look
from salesdesk.ui.orgchart.scene import OrgChartScene


class GhostItem(QGraphicsItem):
    """The box that follows the pointer while a person is dragged."""

    def __init__(self, name: str, role: str, look: Look):
        super().__init__()
        self.name, self.role, self.look = name, role, look

    def boundingRect(self) -> QRectF:
        return QRectF(-BOX_WIDTH / 2 - 2, -2, BOX_WIDTH + 4, BOX_HEIGHT + 4)

    def paint(self, painter, option, widget=None) -> None:
        box = QRectF(-BOX_WIDTH / 2, 0, BOX_WIDTH, BOX_HEIGHT)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(self.look.selected)
        painter.setBrush(self.look.fill)
        painter.drawRoundedRect(box, 7, 7)
        painter.setFont(self.look.name_font)
        painter.setPen(self.look.text)
        painter.drawText(box.adjusted(12, 8, -8, -30), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.name)
        painter.setFont(self.look.small_font)
        painter.setPen(self.look.muted)
        painter.drawText(box.adjusted(12, 32, -8, -8), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.role)

MIN_ZOOM, MAX_ZOOM = 0.05, 2.5


class OrgChartView(QGraphicsView):
    move_requested = Signal(int, int)
    painted = Signal()
    open_requested = Signal(int)
    zoom_changed = Signal(float)

    def __init__(self, scene: OrgChartScene, parent=None):
        super().__init__(scene, parent)
        self.chart = scene
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setViewportUpdateMode(QGraphicsView.ViewportUpdateMode.SmartViewportUpdate)
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.setFrameShape(QGraphicsView.Shape.NoFrame)
        self.read_only = False
        self._press: tuple[int, QPoint] | None = None
        self._dragging: int | None = None
        self._ghost: GhostItem | None = None
        self._target = 0
        self.target_reason: str | None = None

    # -- zoom -------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, scale: float) -> None:
        scale = max(MIN_ZOOM, min(MAX_ZOOM, scale))
        self.setTransform(QTransform.fromScale(scale, scale))
        self._zoomed()

    def _zoomed(self) -> None:
        self.chart.set_overview(self.zoom() < OVERVIEW_BELOW)
        self.zoom_changed.emit(self.zoom())

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom() * factor)

    def fit(self) -> None:
        rect = self.chart.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0)
        self._zoomed()

    def centre_on(self, person_id: int) -> None:
        self.chart.reveal(person_id)
        if person_id not in self.chart.positions:
            return
        if self.zoom() < 0.6:
            self.set_zoom(0.9)
        self.centerOn(self.chart.box_rect(person_id).center())
        self.chart.select(person_id)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    # -- mouse: select, toggle, drag onto a new manager ---------------------------------------
    def person_at(self, pos: QPoint, exclude=()) -> int:
        return self.chart.person_at(self.mapToScene(pos), exclude)

    def mousePressEvent(self, event):
        point = self.mapToScene(event.position().toPoint())
        person_id = self.chart.person_at(point)
        toggled = self._toggle_at(point)
        if toggled:
            self.chart.toggle_collapsed(toggled)
            return
        if not person_id or event.button() != Qt.MouseButton.LeftButton:
            if event.button() == Qt.MouseButton.LeftButton:
                self.chart.clearSelection()
            super().mousePressEvent(event)  # empty space: pan
            return
        self.chart.select(person_id)
        self._press = (person_id, event.position().toPoint())

    def _toggle_at(self, point: QPointF) -> int:
        """The person whose collapse toggle (under their box) is at a scene point, or 0."""
        if self.zoom() < 0.6:
            return 0
        for pid in (self.chart.person_at(point - QPointF(0, 10)), self.chart.person_at(point - QPointF(0, 4))):
            if pid and self.chart.children.get(pid):
                x, y = self.chart.positions[pid]
                if abs(point.x() - x) <= 11 and abs(point.y() - (y + BOX_HEIGHT)) <= 11:
                    return pid
        return 0

    def mouseMoveEvent(self, event):
        if self._press is None:
            super().mouseMoveEvent(event)
            return
        pos = event.position().toPoint()
        if self._dragging is None:
            if self.read_only or (pos - self._press[1]).manhattanLength() < QApplication.startDragDistance():
                return
            self._begin_drag(self._press[0])
        self._ghost.setPos(self.mapToScene(pos) - QPointF(0, 20))
        self._hover(self.person_at(pos, exclude=self.chart.subtree(self._dragging)))

    def mouseReleaseEvent(self, event):
        if self._dragging is not None:
            person, target = self._dragging, self._target
            self._end_drag()
            if target:
                self.move_requested.emit(person, target)
            event.accept()
            return
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event):
        person_id = self.person_at(event.position().toPoint())
        if person_id:
            self.open_requested.emit(person_id)
        else:
            super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape and self._dragging is not None:
            self._end_drag()
            return
        super().keyPressEvent(event)

    def _begin_drag(self, person_id: int) -> None:
        self._dragging = person_id
        person = self.chart.people[person_id]
        below = self.chart.below.get(person_id, 0)
        ghost = GhostItem(person.name, person.role + (f" and {below:,} below" if below else ""), self.chart.look)
        ghost.setOpacity(0.8)
        ghost.setZValue(10)
        self.chart.addItem(ghost)
        self._ghost = ghost
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def _hover(self, person_id: int) -> None:
        if person_id == self._target:
            return
        if self._target:
            self.chart.set_highlight(self._target, None)
        self._target = person_id
        self.target_reason = None
        if person_id:
            assert self._dragging is not None  # hovering is what a drag does
            self.target_reason = self.chart.may_manage(person_id, self._dragging)
            self.chart.set_highlight(person_id, "bad" if self.target_reason else "ok")
            name = self.chart.people[person_id].name
            self.setToolTip(self.target_reason or f"Drop: report to {name}")

    def _end_drag(self) -> None:
        if self._target:
            self.chart.set_highlight(self._target, None)
        if self._ghost is not None:
            self.chart.removeItem(self._ghost)
        self._ghost = None
        self._target = 0
        self.setToolTip("")
        self._dragging = None
        self._press = None
        self.viewport().unsetCursor()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        painter.fillRect(rect, self.chart.backgroundBrush())
