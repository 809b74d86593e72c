"""One column of the board: a header with the stage's totals over a painted card list.

``CardColumnView`` is a scroll area that paints only the cards in sight, at a fixed
height each, so a column of 100k cards scrolls and repaints as fast as one of ten.
It asks the model for cards directly (no QModelIndex per painted card) and listens
to the model's fine-grained signals for its own column only.

Signals (CardColumnView):
    open_requested(int): the user double-clicked a deal (its id).
    new_requested(int): the "+" of the column was clicked (the stage id).
"""

from __future__ import annotations

from functools import partial
from html import escape

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, QRectF, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QDrag, QFont, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QToolButton, QToolTip, QWidget

from salesdesk.domain.money import format_amount, from_cents
from salesdesk.ui import theme
from salesdesk.ui.format import compact_money
from salesdesk.ui.pipeline.cards import COLUMN_WIDTH, MARGIN, BoardGeometry, CardPainter
from salesdesk.ui.pipeline.model import BoardModel, decode_ids, encode_ids, MIME_TYPE


class CardSelection(QObject):
    """The selected deals of the board (by id) and the current one.

    Signals:
        changed(): the selection or the current deal changed.
    """

    changed = Signal()

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.ids: set[int] = set()
        self.current: int | None = None
        self.anchor: tuple[int, int] | None = None  # (column row, row) for shift-click ranges

    def set(self, ids, current=None) -> None:
        self.ids = set(ids)
        self.current = current
        self.changed.emit()

    def toggle(self, deal_id: int) -> None:
        self.ids ^= {deal_id}
        self.current = deal_id
        self.changed.emit()

    def clear(self) -> None:
        if self.ids or self.current is not None:
            self.ids.clear()
            self.current = None
            self.changed.emit()


# Thin, flat scroll bars: they look like the rest of the board, and a style-sheet bar
# repaints in microseconds where a Fusion one takes 1.5 ms, after every drop.
SCROLL_BAR_STYLE = f"""
QScrollBar:vertical {{ background: transparent; width: 10px; margin: 2px 1px 2px 1px; }}
QScrollBar::handle:vertical {{ background: #c3c8d2; border-radius: 3px; min-height: 32px; }}
QScrollBar::handle:vertical:hover {{ background: {theme.MUTED}; }}
QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0; }}
QScrollBar::add-page:vertical, QScrollBar::sub-page:vertical {{ background: transparent; }}
"""


class CardColumnView(QAbstractScrollArea):
    open_requested = Signal(int)
    dropped = Signal(list, int, int)  # deal ids, this column's row, the row they go before (-1: the end)
    navigated = Signal(int)  # a plain arrow or page key (Qt.Key): the board moves the current card
    drag_moved = Signal(QPoint)  # a drag of cards is over this column here (global): the board may scroll
    drag_ended = Signal()  # it left the column, or was dropped

    # Handled here rather than by an event filter on the board: a Python filter is
    # called for every event of every column, start-up's hundreds included.
    NAVIGATION_KEYS = frozenset({Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Left, Qt.Key.Key_Right,
                                 Qt.Key.Key_PageUp, Qt.Key.Key_PageDown})

    def __init__(self, model: BoardModel, column_row: int, selection: CardSelection,
                 card_painter: CardPainter | None = None, parent=None, geometry: BoardGeometry | None = None):
        super().__init__(parent)
        self.card_geometry = geometry or BoardGeometry()
        self._model = model
        self.column_row = column_row
        self._selection = selection
        self._painter = card_painter or CardPainter(self.font())
        self._press_pos: QPoint | None = None
        self._press_row: int | None = None
        self._drop_row: int | None = None
        self._autoscroll = QTimer(self, interval=40)
        self._autoscroll.timeout.connect(self._autoscroll_step)
        self._autoscroll_delta = 0
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setFixedWidth(self.card_geometry.column_width)
        self.viewport().setAutoFillBackground(False)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # we fill every pixel
        self.verticalScrollBar().setSingleStep(self.card_geometry.row_height // 2)
        self.verticalScrollBar().setStyleSheet(SCROLL_BAR_STYLE)
        model.rowsInserted.connect(self._on_rows_changed)
        model.rowsRemoved.connect(self._on_rows_changed)
        model.rowsMoved.connect(self._on_rows_moved)
        model.dataChanged.connect(self._on_data_changed)
        model.modelReset.connect(self._update_range)
        selection.changed.connect(self.viewport().update)
        self._update_range()

    # -- geometry ---------------------------------------------------------------------
    def set_geometry(self, geometry: BoardGeometry) -> None:
        """New sizes (a density chosen, the board refitted): the same top card stays in sight."""
        if geometry == self.card_geometry:
            return
        top_row = self.verticalScrollBar().value() // self.card_geometry.row_height
        self.card_geometry = geometry
        self.setFixedWidth(geometry.column_width)
        self.verticalScrollBar().setSingleStep(geometry.row_height // 2)
        self._update_range()
        self.verticalScrollBar().setValue(top_row * geometry.row_height)

    def card_count(self) -> int:
        if self.column_row >= self._model.column_count():
            return 0
        return self._model.column(self.column_row).count

    def sizeHint(self) -> QSize:
        return QSize(self.card_geometry.column_width, 600)

    def card_rect(self, row: int) -> QRectF:
        geometry = self.card_geometry
        top = row * geometry.row_height - self.verticalScrollBar().value() + MARGIN // 2
        return QRectF(MARGIN // 2, top, self.viewport().width() - MARGIN, geometry.card_height)

    def row_at(self, pos: QPoint) -> int | None:
        y = pos.y() + self.verticalScrollBar().value() - MARGIN // 2
        row = y // self.card_geometry.row_height
        if 0 <= row < self.card_count() and y % self.card_geometry.row_height < self.card_geometry.card_height:
            return int(row)
        return None

    def drop_row_at(self, pos: QPoint) -> int:
        y = pos.y() + self.verticalScrollBar().value()
        return max(0, min(self.card_count(), int(round(y / self.card_geometry.row_height))))

    def scroll_to_row(self, row: int) -> None:
        bar = self.verticalScrollBar()
        row_height = self.card_geometry.row_height
        top, bottom = row * row_height, row * row_height + row_height
        if top < bar.value():
            bar.setValue(top)
        elif bottom > bar.value() + self.viewport().height():
            bar.setValue(bottom - self.viewport().height())

    def _update_range(self) -> None:
        total = self.card_count() * self.card_geometry.row_height + MARGIN
        bar = self.verticalScrollBar()
        bar.setRange(0, max(0, total - self.viewport().height()))
        bar.setPageStep(self.viewport().height())
        self.viewport().update()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self._update_range()

    # -- model signals (only our column matters) --------------------------------------------
    def _ours(self, parent: QModelIndex) -> bool:
        return parent.isValid() and parent.internalId() == 0 and parent.row() == self.column_row

    @Slot(QModelIndex, int, int)
    def _on_rows_changed(self, parent, first, last):
        if self._ours(parent):
            self._update_range()

    @Slot(QModelIndex, int, int, QModelIndex, int)
    def _on_rows_moved(self, parent, start, end, destination, row):
        if self._ours(parent) or self._ours(destination):
            self._update_range()

    @Slot(QModelIndex, QModelIndex, "QList<int>")
    def _on_data_changed(self, top_left, bottom_right, roles=()):
        if self._ours(top_left.parent()):
            self.viewport().update()

    # -- painting -----------------------------------------------------------------------
    def paintEvent(self, event):
        painter = QPainter(self.viewport())
        painter.fillRect(self.viewport().rect(), QColor("#eef0f4"))
        model = self._model
        count = self.card_count()
        if count:
            today = model.today
            selected, current = self._selection.ids, self._selection.current
            row_height = self.card_geometry.row_height
            first = max(0, self.verticalScrollBar().value() // row_height)
            last = min(count, first + self.viewport().height() // row_height + 2)
            model.prefetch_rows(self.column_row, first, last)  # one query for the cards coming into sight
            ratio = self.devicePixelRatioF()
            for row in range(first, last):
                card = model.card(self.column_row, row)
                self._painter.draw(
                    painter, self.card_rect(row), card,
                    stale=model.is_stale(self.column_row, card), follow_up=model.follow_up_due(card),
                    selected=card.id in selected, current=card.id == current and self.hasFocus(),
                    today=today, ratio=ratio,
                )
        elif not model.read_only:
            painter.setPen(QColor(theme.MUTED))
            painter.drawText(self.viewport().rect().adjusted(0, 24, 0, 0),
                             Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, "Drop deals here")
        if self._drop_row is not None:
            y = self._drop_row * self.card_geometry.row_height - self.verticalScrollBar().value() + MARGIN // 2 - CARD_GAP_HALF
            painter.setPen(QPen(QColor(theme.ACCENT), 3))
            painter.drawLine(MARGIN, y, self.viewport().width() - MARGIN, y)
        painter.end()

    def viewportEvent(self, event):
        if event.type() == QEvent.Type.ToolTip:
            row = self.row_at(event.pos())
            if row is None:
                QToolTip.hideText()
                event.ignore()
            else:
                QToolTip.showText(event.globalPos(), self.card_tooltip(row), self.viewport(),
                                  self.card_rect(row).toRect())
            return True
        return super().viewportEvent(event)

    def card_tooltip(self, row: int) -> str:
        """All a card cannot show: full title, account, owner, amount, days in stage, what is next."""
        card = self._model.card(self.column_row, row)
        details = self._model.details(card)
        stage = self._model.column(self.column_row).stage.name
        days = details.days_in_stage
        if details.next_subject is None:
            planned = "No activity planned"
        else:
            due = f", due {details.next_due.strftime('%d %b %Y')}" if details.next_due else ""
            planned = f"Next: {details.next_subject}{due}"
        if card.status == "won" and card.won_on:
            in_stage = f"Won on {card.won_on.strftime('%d %b %Y')}"
        else:
            in_stage = f"{days} day{'s' if days != 1 else ''} in {stage}"
        lines = [f"<b>{escape(card.title)}</b>", escape(card.account or "No account"),
                 f"Owner: {escape(card.owner or 'nobody')}",
                 escape(format_amount(from_cents(card.amount_cents), card.currency or self._painter.home_currency)),
                 escape(in_stage), escape(planned)]
        return "<p style='white-space:pre'>" + "<br>".join(lines) + "</p>"

    def keyPressEvent(self, event):
        if event.key() in self.NAVIGATION_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.navigated.emit(event.key())
            event.accept()
            return
        super().keyPressEvent(event)

    # -- mouse: select, open, drag ------------------------------------------------------------
    def mousePressEvent(self, event):
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        row = self.row_at(event.position().toPoint())
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        self._press_pos = event.position().toPoint()
        self._press_row = row
        if row is None:
            self._selection.clear()
            return
        deal_id = self._model.deal_id(self.column_row, row)
        modifiers = event.modifiers()
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            self._selection.toggle(deal_id)
        elif modifiers & Qt.KeyboardModifier.ShiftModifier and self._selection.anchor and self._selection.anchor[0] == self.column_row:
            lo, hi = sorted((self._selection.anchor[1], row))
            ids = set(self._model.column(self.column_row).ids[lo:hi + 1])
            self._selection.set(ids, deal_id)
            return
        elif deal_id not in self._selection.ids:
            self._selection.set({deal_id}, deal_id)
        else:
            self._selection.current = deal_id
            self._selection.changed.emit()
        self._selection.anchor = (self.column_row, row)

    def mouseMoveEvent(self, event):
        if (self._press_pos is None or self._press_row is None or self._model.read_only
                or not event.buttons() & Qt.MouseButton.LeftButton):
            return
        if (event.position().toPoint() - self._press_pos).manhattanLength() < QApplication.startDragDistance():
            return
        self._start_drag()

    def mouseReleaseEvent(self, event):
        if self._press_row is not None and not event.modifiers():
            deal_id = self._model.deal_id(self.column_row, self._press_row) if self._press_row < self.card_count() else None
            if deal_id is not None and len(self._selection.ids) > 1 and (event.position().toPoint() - self._press_pos).manhattanLength() < 3:
                self._selection.set({deal_id}, deal_id)
        self._press_pos = self._press_row = None

    def mouseDoubleClickEvent(self, event):
        row = self.row_at(event.position().toPoint())
        if row is not None:
            self.open_requested.emit(self._model.deal_id(self.column_row, row))

    def selected_ids_in_board_order(self) -> list[int]:
        """The selection, ordered column by column, top to bottom (the order they land in)."""
        placed = []
        for deal_id in self._selection.ids:
            card = self._model.card_by_id(deal_id)
            found = self._model.locate(deal_id, card.stage_id, card.position)
            if found:
                placed.append((found, deal_id))
        return [deal_id for _, deal_id in sorted(placed)]

    def _start_drag(self) -> None:
        ids = self.selected_ids_in_board_order()
        if not ids:
            return
        drag = QDrag(self)
        drag.setMimeData(encode_ids(ids))
        drag.setPixmap(self._drag_pixmap(len(ids)))
        drag.setHotSpot(QPoint(24, 20))
        self._press_pos = self._press_row = None
        drag.exec(Qt.DropAction.MoveAction)

    def _drag_pixmap(self, count: int) -> QPixmap:
        row = self._press_row if self._press_row is not None else 0
        card = self._model.card(self.column_row, row)
        ratio = self.devicePixelRatioF()
        width, height = self.card_geometry.column_width, self.card_geometry.card_height
        pixmap = QPixmap(int((width - MARGIN) * ratio), int((height + 4) * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setOpacity(0.92)
        self._painter.paint(painter, QRectF(1, 1, width - MARGIN - 4, height), card,
                            stale=False, follow_up=False, selected=True, current=False,
                            today=self._model.today)
        if count > 1:
            badge = QRectF(width - MARGIN - 34, 0, 30, 20)
            painter.setBrush(QColor(theme.ACCENT))
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawRoundedRect(badge, 10, 10)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, str(count))
        painter.end()
        return pixmap

    # -- dropping ----------------------------------------------------------------------------
    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(MIME_TYPE) and not self._model.read_only:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self.drag_moved.emit(self.viewport().mapToGlobal(event.position().toPoint()))
        else:
            event.ignore()

    def dragMoveEvent(self, event):
        if not event.mimeData().hasFormat(MIME_TYPE) or self._model.read_only:
            event.ignore()
            return
        pos = event.position().toPoint()
        self._drop_row = self.drop_row_at(pos)
        edge = 36
        height = self.viewport().height()
        step = self.card_geometry.row_height // 3
        self._autoscroll_delta = -step if pos.y() < edge else (step if pos.y() > height - edge else 0)
        if self._autoscroll_delta and not self._autoscroll.isActive():
            self._autoscroll.start()
        elif not self._autoscroll_delta:
            self._autoscroll.stop()
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self.viewport().update()
        self.drag_moved.emit(self.viewport().mapToGlobal(pos))

    def dragLeaveEvent(self, event):
        self._drop_row = None
        self._autoscroll.stop()
        self.viewport().update()
        self.drag_ended.emit()

    def dropEvent(self, event):
        self._autoscroll.stop()
        self.drag_ended.emit()
        row = self.drop_row_at(event.position().toPoint())
        self._drop_row = None
        self.viewport().update()
        ids = decode_ids(event.mimeData())  # once: the board gets the ids, not the mime data
        if not ids:
            event.ignore()
            return
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        # Let the drag finish before the database work (heavy work out of the drop handler).
        QTimer.singleShot(0, partial(self.dropped.emit, ids, self.column_row, row))

    @Slot()
    def _autoscroll_step(self):
        bar = self.verticalScrollBar()
        bar.setValue(bar.value() + self._autoscroll_delta)


CARD_GAP_HALF = 3


class ColumnHeader(QWidget):
    """Stage name, count, total and weighted amount; a "+" to add a deal here.

    Painted in one go rather than built from labels: after a drop only this widget
    repaints, not a stack of styled labels and the frame behind them.

    Signals:
        new_requested(int): the stage id the user wants a new deal in.
    """

    new_requested = Signal(int)
    HEIGHT = 50

    NARROW = 180  # below this the count moves to the second line, beside the amount

    def __init__(self, model: BoardModel, column_row: int, currency: str, parent=None, width: int = COLUMN_WIDTH):
        super().__init__(parent)
        self._model = model
        self.column_row = column_row
        self._currency = currency
        self.setFixedSize(width, self.HEIGHT)
        self.setObjectName("board_column_header")
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._bold = QFont(self.font())
        self._bold.setWeight(QFont.Weight.DemiBold)
        self._small = QFont(self.font())
        self._small.setPointSizeF(max(7.0, self.font().pointSizeF() - 0.5))
        self.add = QToolButton(self)
        self.add.setText("+")
        self.add.setAutoRaise(True)
        self.add.setToolTip("New deal in this stage (Ctrl+N)")
        self.add.setGeometry(width - 30, 4, 24, 24)
        self.add.clicked.connect(self._on_add)
        self.add.setEnabled(not model.read_only)
        self.name_text = self.count_text = self.totals_text = self.amount_text = self.left_out_text = ""
        model.totals_changed.connect(self._on_totals_changed)
        self.refresh()

    def set_width(self, width: int) -> None:
        if width != self.width():
            self.setFixedSize(width, self.HEIGHT)
            self.add.setGeometry(width - 30, 4, 24, 24)
            self.update()

    @Slot()
    def _on_add(self):
        self.new_requested.emit(self._model.column(self.column_row).stage.id)

    @Slot(int)
    def _on_totals_changed(self, column_row: int):
        if column_row == self.column_row:
            self.refresh()

    def refresh(self) -> None:
        if self.column_row >= self._model.column_count():
            return
        column = self._model.column(self.column_row)
        count, amount, weighted = self._model.totals(self.column_row)
        self.name_text = column.stage.name
        self.count_text = f"{count:,}"
        self.amount_text = compact_money(amount, self._currency)
        self.totals_text = f"{self.amount_text}  ·  weighted {compact_money(weighted)}"
        left_out = self._model.left_out(self.column_row)
        # never added as if in the company's currency: said in the warning colour
        self.left_out_text = ("excl. " + ", ".join(f"{n} {c}" for c, n in sorted(left_out.items()))) if left_out else ""
        self.setToolTip(
            ("" if not left_out else "Not in the totals, for want of an exchange rate (Edit → Exchange rates…): "
             + ", ".join(f"{n} deal{'s' if n != 1 else ''} in {c}" for c, n in sorted(left_out.items())) + "\n")
            +
            f"{column.stage.name}: default probability {column.stage.probability}%"
            + (f", stale after {column.stage.stale_days} days" if column.stage.stale_days else "")
            + f"\nTotal {format_amount(amount, self._currency)}\nWeighted (amount × probability) "
               f"{format_amount(weighted, self._currency)}")
        self.update()

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        painter.setFont(self._small)
        width = self.width()
        narrow = width < self.NARROW
        count_width = painter.fontMetrics().horizontalAdvance(self.count_text) + 12
        badge = (QRectF(8, 29, count_width, 16) if narrow
                 else QRectF(width - 34 - count_width, 8, count_width, 18))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(theme.ACCENT_SOFT))
        painter.drawRoundedRect(badge, 9, 9)
        painter.setPen(QColor(theme.ACCENT_TEXT))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.count_text)
        painter.setFont(self._bold)
        painter.setPen(QColor(theme.TEXT))
        name_rect = QRectF(8, 6, (width - 40) if narrow else badge.left() - 14, 22)
        name = painter.fontMetrics().elidedText(self.name_text, Qt.TextElideMode.ElideRight, int(name_rect.width()))
        painter.drawText(name_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)
        painter.setFont(self._small)
        line = QRectF(badge.right() + 6, 28, width - badge.right() - 12, 18) if narrow else QRectF(8, 28, width - 16, 18)
        totals = self.totals_text
        if narrow or painter.fontMetrics().horizontalAdvance(totals) > line.width():
            totals = self.amount_text  # the weighted figure is in the tooltip
        if self.left_out_text:
            metrics = painter.fontMetrics()
            note_width = metrics.horizontalAdvance(self.left_out_text)
            if metrics.horizontalAdvance(f"{totals}  ·  {self.left_out_text}") > line.width():
                totals = self.amount_text  # the weighted figure stays in the tooltip
            painter.setPen(QColor(theme.WARNING))
            painter.drawText(QRectF(line.right() - note_width, line.top(), note_width, line.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, self.left_out_text)
        painter.setPen(QColor(theme.MUTED))
        painter.drawText(line, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, totals)
        painter.end()
