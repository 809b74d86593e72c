"""The org chart's view: zoom, pan, fit, find, and dragging a person onto a new manager.

A drag happens inside the view (a ghost box follows the pointer; the box under it
turns green when the move keeps the rules, red when not), so there is no nested drag
loop, and the drop only asks for the move: the chart saves it and relayouts.

Signals:
    move_requested(int, int): drop of a person (first) onto a new manager (second).
    open_requested(int): double-click on a person.
    zoom_changed(float): the scale now shown (1.0 = 100 %).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QTransform, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsView

from salesdesk.ui.orgchart.items import PersonItem
from salesdesk.ui.orgchart.scene import OrgChartScene

MIN_ZOOM, MAX_ZOOM = 0.05, 2.5


class OrgChartView(QGraphicsView):
    move_requested = Signal(int, int)
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
        self._ghost: PersonItem | None = None
        self._target: PersonItem | None = None
        self.target_reason: str | None = None

    # -- zoom -------------------------------------------------------------------------------
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, scale: float) -> None:
        scale = max(MIN_ZOOM, min(MAX_ZOOM, scale))
        self.setTransform(QTransform.fromScale(scale, scale))
        self.zoom_changed.emit(scale)

    def zoom_by(self, factor: float) -> None:
        self.set_zoom(self.zoom() * factor)

    def fit(self) -> None:
        rect = self.chart.sceneRect()
        if rect.isEmpty():
            return
        self.fitInView(rect, Qt.AspectRatioMode.KeepAspectRatio)
        if self.zoom() > 1.0:
            self.set_zoom(1.0)
        self.zoom_changed.emit(self.zoom())

    def centre_on(self, person_id: int) -> None:
        self.chart.reveal(person_id)
        item = self.chart.items.get(person_id)
        if item is None:
            return
        if self.zoom() < 0.6:
            self.set_zoom(0.9)
        self.centerOn(item.sceneBoundingRect().center())
        self.chart.select(person_id)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)

    # -- mouse: select, toggle, drag onto a new manager ---------------------------------------
    def person_at(self, pos: QPoint, exclude=()) -> PersonItem | None:
        for item in self.items(pos):
            if isinstance(item, PersonItem) and item is not self._ghost and item.person_id not in exclude:
                return item
        return None

    def mousePressEvent(self, event):
        item = self.person_at(event.position().toPoint())
        if item is None or event.button() != Qt.MouseButton.LeftButton:
            if event.button() == Qt.MouseButton.LeftButton:
                self.chart.clearSelection()
            super().mousePressEvent(event)  # empty space: pan
            return
        local = item.mapFromScene(self.mapToScene(event.position().toPoint()))
        if item.has_reports and item.toggle_rect().adjusted(-3, -3, 3, 3).contains(local):
            self.chart.toggle_collapsed(item.person_id)
            return
        self.chart.select(item.person_id)
        self._press = (item.person_id, event.position().toPoint())

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
            if target is not None:
                self.move_requested.emit(person, target.person_id)
            event.accept()
            return
        self._press = None
        super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event):
        item = self.person_at(event.position().toPoint())
        if item is not None:
            self.open_requested.emit(item.person_id)
        else:
            super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event):
        if event.key() == Qt.Key.Key_Escape and self._dragging is not None:
            self._end_drag()
            return
        super().keyPressEvent(event)

    def _begin_drag(self, person_id: int) -> None:
        self._dragging = person_id
        source = self.chart.items[person_id]
        ghost = PersonItem(person_id, self.chart.look)
        for attribute in ("name", "role", "branch", "initials", "colour", "below", "active"):
            setattr(ghost, attribute, getattr(source, attribute))
        ghost.setOpacity(0.75)
        ghost.setZValue(10)
        self.chart.addItem(ghost)
        self._ghost = ghost
        self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)

    def _hover(self, item: PersonItem | None) -> None:
        if item is self._target:
            return
        if self._target is not None:
            self._target.highlight = None
            self._target.update()
        self._target = item
        self.target_reason = None
        if item is not None:
            self.target_reason = self.chart.may_manage(item.person_id, self._dragging)
            item.highlight = "bad" if self.target_reason else "ok"
            item.setToolTip(self.target_reason or f"Drop: report to {item.name}")
            item.update()

    def _end_drag(self) -> None:
        if self._target is not None:
            self._target.highlight = None
            self._target.update()
        if self._ghost is not None:
            self.chart.removeItem(self._ghost)
        self._ghost = self._target = None
        self._dragging = None
        self._press = None
        self.viewport().unsetCursor()

    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:
        painter.fillRect(rect, self.chart.backgroundBrush())
