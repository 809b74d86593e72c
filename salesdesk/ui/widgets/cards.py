"""Figure cards and breakdown lists: how the screens show headline numbers."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from salesdesk.ui import theme


def _label(text: str, role: str | None = None) -> QLabel:
    label = QLabel(text)
    if role:
        label.setProperty("role", role)
    return label


def _restyle(widget: QWidget) -> None:
    # Dynamic properties only take effect in the style sheet after a re-polish.
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class FigureCard(QFrame):
    """A caption, a big figure and a line of context, on a white card."""

    def __init__(self, caption: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.caption = _label(caption.upper(), "caption")
        self.value = _label("–", "figure")
        self.hint = _label("", "muted")
        self.hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(4)
        layout.addWidget(self.caption)
        layout.addWidget(self.value)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)

    def set(self, value: str, hint: str = "", tone: str = "") -> None:
        self.value.setText(value)
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))
        if self.value.property("tone") != tone:
            self.value.setProperty("tone", tone)
            _restyle(self.value)


class Bar(QWidget):
    """A thin horizontal bar showing a fraction of the largest row."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.fraction = 0.0
        self.setMinimumWidth(80)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(160, 8)

    def set_fraction(self, fraction: float) -> None:
        self.fraction = max(0.0, min(1.0, fraction))
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        track = QRectF(self.rect()).adjusted(0, 0, 0, 0)
        radius = track.height() / 2
        painter.setBrush(QColor("#eceff5"))
        painter.drawRoundedRect(track, radius, radius)
        if self.fraction > 0:
            filled = QRectF(track)
            filled.setWidth(max(track.height(), track.width() * self.fraction))
            painter.setBrush(QColor(theme.BAR))
            painter.drawRoundedRect(filled, radius, radius)


@dataclass(frozen=True)
class BreakdownRow:
    label: str
    count: str  # "12 deals"
    value: str = ""  # "84,000 EUR"
    fraction: float = 0.0  # bar length, 0..1
    note: str = ""  # small text after the label ("5%")


class BreakdownCard(QFrame):
    """A titled list of rows: label, bar, count and value, aligned in columns."""

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("card")
        self.title = _label(title, "section")
        self.empty = _label("", "muted")
        self._grid = QGridLayout()
        self._grid.setHorizontalSpacing(16)
        self._grid.setVerticalSpacing(10)
        self._grid.setColumnStretch(1, 1)
        self._grid.setColumnMinimumWidth(0, 150)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 18)
        layout.setSpacing(14)
        layout.addWidget(self.title)
        layout.addLayout(self._grid)
        layout.addWidget(self.empty)
        layout.addStretch(1)
        self.rows: list[BreakdownRow] = []

    def set_rows(self, rows: list[BreakdownRow], empty_text: str = "Nothing yet.") -> None:
        self.rows = list(rows)
        while self._grid.count():
            item = self._grid.takeAt(0)
            widget = item.widget() if item is not None else None  # count() says there is an item
            if widget is not None:
                widget.deleteLater()
        for r, row in enumerate(rows):
            name = _label(row.label)
            if row.note:
                name.setText(f"{row.label}  <span style='color:{theme.MUTED}'>{row.note}</span>")
            bar = Bar()
            bar.set_fraction(row.fraction)
            count = _label(row.count, "muted")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value = _label(row.value)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self._grid.addWidget(name, r, 0)
            self._grid.addWidget(bar, r, 1, Qt.AlignmentFlag.AlignVCenter)
            self._grid.addWidget(count, r, 2)
            self._grid.addWidget(value, r, 3)
        self.empty.setText(empty_text)
        self.empty.setVisible(not rows)
