"""The report's pages on screen, one under the other, as on paper.

Pages are painted by the same layout that writes the PDF (``PageImages``), only those
in sight and at the zoom shown (sharp on a high-density screen too); while a new zoom
is being painted the old images are stretched, so scrolling and resizing never wait.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QKeyEvent, QPainter, QPaintEvent, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

from salesdesk.reports.weekly_pdf import PageImages

GAP = 16  # pixels between pages and around them
MIN_ZOOM, MAX_ZOOM = 0.25, 4.0
FIT_MAX = 1.2  # fitting the width never blows a page up beyond this: a sheet, not a poster
DESK = QColor("#7d8791")  # around the sheets, as in a print preview


class ReportPreview(QAbstractScrollArea):
    """Pages of a report, fitted to the width unless zoomed (Ctrl+wheel, Ctrl+plus/minus)."""

    page_changed = Signal(int, int)  # the page at the top of the view, and how many there are

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("report_preview")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.pages: PageImages | None = None
        self.zoom: float | None = None  # None: fit the page width to the view
        self._images: dict[int, QImage] = {}
        self._sharp: set[int] = set()  # pages whose image is at the current zoom
        self._images_scale = 0.0
        self._render_timer = QTimer(self, singleShot=True, interval=60)
        self._render_timer.timeout.connect(self._render_visible)
        self.verticalScrollBar().valueChanged.connect(lambda _value: self._schedule())
        self.horizontalScrollBar().valueChanged.connect(lambda _value: self.viewport().update())

    # --- what is shown ------------------------------------------------------------------

    def set_pages(self, pages: PageImages | None) -> None:
        self.pages = pages
        self._images.clear()
        self._sharp.clear()
        self._images_scale = 0.0
        self._update_scrollbars()
        self.verticalScrollBar().setValue(0)
        self._render_visible()
        self.viewport().update()

    @property
    def page_count(self) -> int:
        return self.pages.count if self.pages is not None else 0

    def scale(self) -> float:
        """Screen pixels per 96-dpi page pixel."""
        if self.pages is None:
            return 1.0
        if self.zoom is not None:
            return self.zoom
        width = self.viewport().width() - 2 * GAP
        return max(MIN_ZOOM, min(FIT_MAX, width / self.pages.page_size[0]))

    def set_zoom(self, zoom: float | None) -> None:
        old_top = self.current_page()
        self.zoom = None if zoom is None else max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        self._update_scrollbars()
        self.go_to_page(old_top)
        self._schedule()

    def page_rect(self, page: int) -> QRect:
        """Where page ``page`` (1-based) lies in the document, in screen pixels."""
        w, h = self._page_pixels()
        total_w = max(w + 2 * GAP, self.viewport().width())
        return QRect((total_w - w) // 2, GAP + (page - 1) * (h + GAP), w, h)

    def _page_pixels(self) -> tuple[int, int]:
        if self.pages is None:
            return 0, 0
        s = self.scale()
        return round(self.pages.page_size[0] * s), round(self.pages.page_size[1] * s)

    def current_page(self) -> int:
        if not self.page_count:
            return 0
        _, h = self._page_pixels()
        middle = self.verticalScrollBar().value() + self.viewport().height() // 3
        return max(1, min(self.page_count, middle // max(1, h + GAP) + 1))

    def go_to_page(self, page: int) -> None:
        if self.page_count:
            page = max(1, min(self.page_count, page))
            self.verticalScrollBar().setValue(self.page_rect(page).top() - GAP)

    def visible_pages(self) -> set[int]:
        if not self.page_count:
            return set()
        top, bottom = self.verticalScrollBar().value(), self.verticalScrollBar().value() + self.viewport().height()
        _, h = self._page_pixels()
        n = max(1, (top - GAP) // max(1, h + GAP) + 1)
        out = set()
        while n <= self.page_count and self.page_rect(n).top() < bottom:
            if self.page_rect(n).bottom() >= top:
                out.add(n)
            n += 1
        return out

    # --- painting -----------------------------------------------------------------------

    def _schedule(self) -> None:
        self.viewport().update()
        self._render_timer.start()

    def _render_visible(self) -> None:
        if self.pages is None:
            return
        ratio = self.devicePixelRatioF()
        scale = self.scale() * ratio
        if abs(scale - self._images_scale) > 1e-6:  # zoomed: every image is stale (but kept, stretched)
            self._images_scale = scale
            self._sharp.clear()
        wanted = self.visible_pages() - self._sharp
        if wanted:
            for n, image in self.pages.render(wanted, scale).items():
                image.setDevicePixelRatio(ratio)
                self._images[n] = image
                self._sharp.add(n)
        current = self.current_page()
        for n in list(self._images):  # only pages near the view stay in memory
            if abs(n - current) > 4:
                del self._images[n]
                self._sharp.discard(n)
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self.viewport())
        painter.fillRect(self.viewport().rect(), DESK)
        if self.pages is None:
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        dx, dy = self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        for n in sorted(self.visible_pages()):
            rect = self.page_rect(n).translated(-dx, -dy)
            painter.fillRect(rect.translated(3, 3), QColor(0, 0, 0, 60))  # a shadow under the sheet
            image = self._images.get(n)
            if image is None:
                painter.fillRect(rect, QColor("white"))
            else:
                painter.drawImage(rect, image)
        painter.end()
        self.page_changed.emit(self.current_page(), self.page_count)

    def _update_scrollbars(self) -> None:
        w, h = self._page_pixels()
        n = self.page_count
        total_h = GAP + n * (h + GAP) if n else 0
        self.verticalScrollBar().setRange(0, max(0, total_h - self.viewport().height()))
        self.verticalScrollBar().setPageStep(self.viewport().height())
        self.verticalScrollBar().setSingleStep(40)
        self.horizontalScrollBar().setRange(0, max(0, w + 2 * GAP - self.viewport().width()))
        self.horizontalScrollBar().setPageStep(self.viewport().width())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()
        self._schedule()

    def sizeHint(self) -> QSize:
        return QSize(820, 600)

    # --- zoom and keys ------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            self.set_zoom(self.scale() * (1.15 ** steps))
            event.accept()
            return
        super().wheelEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key == Qt.Key.Key_PageDown:
            self.go_to_page(self.current_page() + 1)
        elif key == Qt.Key.Key_PageUp:
            self.go_to_page(self.current_page() - 1)
        elif key == Qt.Key.Key_Home:
            self.go_to_page(1)
        elif key == Qt.Key.Key_End:
            self.go_to_page(self.page_count)
        else:
            super().keyPressEvent(event)
