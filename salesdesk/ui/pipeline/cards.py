"""Painting a deal card: no widget per card, just a painter and a rectangle.

Fonts, pens and brushes are made once.  A card is drawn once into a pixmap, kept in a
small cache keyed by everything it shows, and blitted from then on: antialiased text
and rounded corners cost about 0.3 ms a card here, a blit a few microseconds, so a
scroll step or a drop repaints in well under a millisecond.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QPixmap

from salesdesk.domain.money import format_amount, from_cents
from salesdesk.services.board import Card
from salesdesk.ui import theme

CARD_HEIGHT = 78
CARD_GAP = 6
ROW_HEIGHT = CARD_HEIGHT + CARD_GAP
COLUMN_WIDTH = 248
MARGIN = 8
LINE_HEIGHT = 18  # each line of text is centred in a band this high
# Below this a card's amount and a few letters of its title no longer fit: the
# board scrolls sideways rather than narrow its columns further.
MIN_COLUMN_WIDTH = 112
# A card this low or lower sets its three lines closer together.
TIGHT_HEIGHT = 70


@dataclass(frozen=True, slots=True)
class Density:
    """How big the board draws its columns and cards; the user picks one (View menu)."""

    key: str  # as kept in the settings
    text: str  # as the menu shows it
    column_width: int
    card_height: int
    spacing: int = 10  # between columns
    fit: bool = False  # the width is the visible width shared by all stages (down to MIN_COLUMN_WIDTH)


COMFORTABLE = Density("comfortable", "Comfortable", COLUMN_WIDTH, CARD_HEIGHT)
COMPACT = Density("compact", "Compact", 196, 64, spacing=8)
FIT_ALL = Density("fit", "Fit All Stages", COLUMN_WIDTH, 64, spacing=6, fit=True)
DENSITIES = (COMFORTABLE, COMPACT, FIT_ALL)


@dataclass(frozen=True, slots=True)
class BoardGeometry:
    """The sizes one board draws at now: its columns share one, so a density change or
    a refit is one new value handed to every column."""

    column_width: int = COLUMN_WIDTH
    card_height: int = CARD_HEIGHT

    @property
    def row_height(self) -> int:
        return self.card_height + CARD_GAP


def fitted_width(density: Density, columns: int, visible_width: int) -> int:
    """The column width of ``density`` for ``columns`` stages in ``visible_width`` pixels."""
    if not density.fit or columns <= 0:
        return density.column_width
    share = (visible_width - density.spacing * (columns - 1)) // columns
    return max(MIN_COLUMN_WIDTH, min(density.column_width, share))


class CardPainter:
    """Paints cards for one font setting; one per board, shared by its columns."""

    CACHE_SIZE = 320  # about three screens of cards; ~70 kB each at 1x

    def __init__(self, base_font: QFont):
        self.home_currency = ""  # the company's: amounts in it show no code
        self._cache: OrderedDict[tuple, QPixmap] = OrderedDict()
        self.title_font = QFont(base_font)
        self.title_font.setWeight(QFont.Weight.DemiBold)
        self.body_font = QFont(base_font)
        self.small_font = QFont(base_font)
        self.small_font.setPointSizeF(max(7.0, base_font.pointSizeF() - 1))
        self.badge_font = QFont(self.small_font)
        self.badge_font.setWeight(QFont.Weight.Bold)
        self.title_metrics = QFontMetrics(self.title_font)
        self.body_metrics = QFontMetrics(self.body_font)
        self.small_metrics = QFontMetrics(self.small_font)
        self.badge_metrics = QFontMetrics(self.badge_font)
        self.border = QPen(QColor(theme.BORDER), 1)
        self.selected_border = QPen(QColor(theme.ACCENT), 2)
        self.text = QColor(theme.TEXT)
        self.muted = QColor(theme.MUTED)
        self.surface = QColor(theme.SURFACE)
        self.selected_fill = QColor("#f3f6ff")
        self.stale_fill = QColor(theme.DANGER_SOFT)
        self.stale_strip = QColor(theme.DANGER)
        self.won_strip = QColor(theme.SUCCESS)
        self.due = QColor(theme.WARNING)
        self.avatar = QColor(theme.ACCENT_SOFT)
        self.avatar_text = QColor(theme.ACCENT_TEXT)

    def draw(self, painter: QPainter, rect: QRectF, card: Card, *, stale: bool, follow_up: bool,
             selected: bool, current: bool, today: dt.date, ratio: float = 1.0) -> None:
        """Blit the card from the cache, drawing it first if it is not there."""
        key = (card, int(rect.width()), int(rect.height()), stale, follow_up, selected, current, today, ratio)
        pixmap = self._cache.get(key)
        if pixmap is None:
            pixmap = QPixmap(int(rect.width() * ratio) + 1, int(rect.height() * ratio) + 1)
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            into = QPainter(pixmap)
            self.paint(into, QRectF(0, 0, rect.width(), rect.height()), card, stale=stale, follow_up=follow_up,
                       selected=selected, current=current, today=today)
            into.end()
            self._cache[key] = pixmap
            if len(self._cache) > self.CACHE_SIZE:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def clear_cache(self) -> None:
        self._cache.clear()

    def paint(self, painter: QPainter, rect: QRectF, card: Card, *, stale: bool, follow_up: bool,
              selected: bool, current: bool, today: dt.date) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fill = self.selected_fill if selected else (self.stale_fill if stale else self.surface)
        painter.setPen(self.selected_border if (selected or current) else self.border)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)
        if stale or card.status == "won":
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.stale_strip if stale else self.won_strip)
            painter.drawRoundedRect(QRectF(rect.left() + 1, rect.top() + 6, 3, rect.height() - 12), 1.5, 1.5)

        tight = rect.height() <= TIGHT_HEIGHT
        narrow = rect.width() < 160
        pad = 9 if narrow else 12
        left = rect.left() + pad
        width = rect.width() - 2 * pad
        line_tops = (4, 21, 40) if tight else (8, 28, 50)
        # Text is set at its baseline, elided here: drawText(rect, flags) lays each line
        # out again, twice the time of the whole card.
        # Line 1: title, with room for the follow-up mark.
        painter.setFont(self.title_font)
        painter.setPen(self.text)
        title_width = width - (14 if follow_up else 0)
        title = self.title_metrics.elidedText(card.title, Qt.TextElideMode.ElideRight, int(title_width))
        painter.drawText(QPointF(left, self._baseline(rect.top() + line_tops[0], self.title_metrics)), title)
        if follow_up:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(self.due)
            painter.drawEllipse(QRectF(rect.right() - pad - 6, rect.top() + line_tops[0] + 4, 9, 9))
        # Line 2: account.
        painter.setFont(self.body_font)
        painter.setPen(self.muted)
        account_text = self.body_metrics.elidedText(card.account or "No account", Qt.TextElideMode.ElideRight, int(width))
        painter.drawText(QPointF(left, self._baseline(rect.top() + line_tops[1], self.body_metrics)), account_text)
        # Line 3: amount, close date (or "stale"), owner initials.  The amount is always
        # shown; what does not fit beside it goes, the date first, then the initials.
        line_top = rect.top() + line_tops[2]
        painter.setFont(self.title_font)
        painter.setPen(self.text)
        shown = format_amount(from_cents(card.amount_cents), places=0)
        if card.currency and card.currency != self.home_currency:
            shown += f" {card.currency}"  # a foreign amount says so: totals convert it
        amount_width = self.title_metrics.horizontalAdvance(shown)
        circle_size = 20 if tight else 22
        with_initials = amount_width + circle_size + 6 <= width
        if not with_initials:
            shown = self.title_metrics.elidedText(shown, Qt.TextElideMode.ElideLeft, int(width))
        painter.drawText(QPointF(left, self._baseline(line_top, self.title_metrics)), shown)
        painter.setFont(self.small_font)
        note, colour = self.day_note(card, stale=stale, today=today)
        right = left + width - (circle_size + 6 if with_initials else 0)
        note_width = self.small_metrics.horizontalAdvance(note) if note else 0
        if note and left + amount_width + 8 + note_width <= right:
            painter.setPen(colour)
            painter.drawText(QPointF(right - note_width, self._baseline(line_top, self.small_metrics)), note)
        if not with_initials:
            return
        # Owner initials in a circle.
        circle = QRectF(left + width - circle_size, line_top + (LINE_HEIGHT - circle_size) / 2, circle_size, circle_size)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.avatar)
        painter.drawEllipse(circle)
        painter.setFont(self.badge_font)
        painter.setPen(self.avatar_text)
        initials_width = self.badge_metrics.horizontalAdvance(card.initials)
        painter.drawText(QPointF(circle.center().x() - initials_width / 2,
                                 circle.top() + (circle.height() + self.badge_metrics.ascent()
                                                 - self.badge_metrics.descent()) / 2), card.initials)

    def day_note(self, card: Card, *, stale: bool, today: dt.date) -> tuple[str, QColor]:
        """The short word beside the amount: "stale", the day won, or the expected close
        (as "due …" once it has passed)."""
        if stale:
            return "stale", self.stale_strip
        if card.status == "won":
            # the day it was won is what matters now, not the day it was expected
            return (f"won {card.won_on.strftime('%d %b')}" if card.won_on else "won"), self.won_strip
        day = card.expected_close
        if not day:
            return "", self.muted
        note = day.strftime("%d %b")
        if card.status == "open" and day < today:
            return f"due {note}", self.due
        return note, self.muted

    @staticmethod
    def _baseline(top: float, metrics: QFontMetrics, height: float = LINE_HEIGHT) -> float:
        """The baseline that centres a line of ``metrics`` in a band ``height`` high from ``top``
        (as Qt.AlignVCenter would)."""
        return top + (height + metrics.ascent() - metrics.descent()) / 2
