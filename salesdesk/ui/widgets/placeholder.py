"""The page of a screen that is not built yet: what it will do, and live figures."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from salesdesk.ui import theme
from salesdesk.ui.icons import icon
from salesdesk.ui.widgets.cards import BreakdownCard, FigureCard

CARD_COLUMNS = 4
MAX_WIDTH = 1180  # past this, lines get too long to read at a glance


class PlaceholderPage(QScrollArea):
    """Header (icon, name, what the screen will do), figure cards, breakdowns, note."""

    def __init__(self, icon_name: str, title: str, description: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("screen_scroll")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("screen_body")
        self.setWidget(body)

        tile = QFrame()
        tile.setObjectName("icon_tile")
        tile.setFixedSize(64, 64)
        tile_icon = QLabel(tile)
        tile_icon.setPixmap(icon(icon_name, theme.ACCENT).pixmap(34, 34))
        tile_icon.setGeometry(15, 15, 34, 34)
        self.title = QLabel(title)
        self.title.setProperty("role", "title")
        self.description = QLabel(description)
        self.description.setProperty("role", "lead")
        self.description.setWordWrap(True)
        self.chip = QLabel("Coming soon")
        self.chip.setProperty("role", "chip")
        title_row = QHBoxLayout()
        title_row.setSpacing(10)
        title_row.addWidget(self.title)
        title_row.addWidget(self.chip, 0, Qt.AlignmentFlag.AlignVCenter)
        title_row.addStretch(1)
        text = QVBoxLayout()
        text.setSpacing(6)
        text.addLayout(title_row)
        text.addWidget(self.description)
        header = QHBoxLayout()
        header.setSpacing(18)
        header.addWidget(tile, 0, Qt.AlignmentFlag.AlignTop)
        header.addLayout(text, 1)

        self._cards = QGridLayout()
        self._cards.setHorizontalSpacing(14)
        self._cards.setVerticalSpacing(14)
        self.cards: dict[str, FigureCard] = {}
        self._breakdowns = QHBoxLayout()
        self._breakdowns.setSpacing(14)
        self.breakdowns: dict[str, BreakdownCard] = {}

        self.note = QLabel(
            "This screen is being built. The figures are read live from your database."
        )
        self.note.setProperty("role", "muted")

        column = QWidget()
        column.setMaximumWidth(MAX_WIDTH)
        column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        inner = QVBoxLayout(column)
        inner.setContentsMargins(0, 0, 0, 0)
        inner.setSpacing(22)
        inner.addLayout(header)
        inner.addLayout(self._cards)
        inner.addLayout(self._breakdowns)
        inner.addWidget(self.note)

        outer = QVBoxLayout(body)
        outer.setContentsMargins(36, 30, 36, 30)
        outer.addWidget(column)
        outer.addStretch(1)

    def card(self, key: str, caption: str) -> FigureCard:
        """The card ``key``, created in the next grid cell on first use."""
        card = self.cards.get(key)
        if card is None:
            card = self.cards[key] = FigureCard(caption)
            index = len(self.cards) - 1
            self._cards.addWidget(card, index // CARD_COLUMNS, index % CARD_COLUMNS)
            self._cards.setColumnStretch(index % CARD_COLUMNS, 1)
        return card

    def breakdown(self, key: str, title: str, stretch: int = 1) -> BreakdownCard:
        card = self.breakdowns.get(key)
        if card is None:
            card = self.breakdowns[key] = BreakdownCard(title)
            self._breakdowns.addWidget(card, stretch)
        return card
