"""What the org chart paints: one box per person, drawn from the scene's plain data.

A box is a plain ``QGraphicsItem`` holding only its person's id; what it shows (name,
role, colour, people below, selection) is read from the scene when it paints, so a
relayout or a recolouring touches no item but to move it.  A manager's box also
draws the lines down to its reports (their span is set after each layout), so there
is no connector item to rebuild.  Zoomed far out the boxes are hidden as one layer
and ``OverviewItem`` draws every box as a coloured block in a few calls.
"""

from __future__ import annotations

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from salesdesk.domain.names import initials
from salesdesk.reports.fonts import wrap
from salesdesk.ui import theme

BOX_WIDTH = 184.0
BOX_HEIGHT = 64.0
LEVEL_GAP = 56.0
TOGGLE_RADIUS = 8.0
OVERVIEW_BELOW = 0.3  # zoom under which the chart shows blocks, not boxes

# Distinct, calm colours for branches or roles (cycled).
PALETTE = ("#3b5bdb", "#0ca678", "#f08c00", "#ae3ec9", "#1098ad", "#e8590c", "#5c940d", "#d6336c", "#495057")


class Look:
    """Fonts, pens and brushes shared by every box (made once per scene)."""

    def __init__(self, font: QFont, *, whole_text: bool = False):
        # On screen a long name is elided (the panel shows it whole); a document (the PDF
        # export) has no panel, so there it is set smaller or on two lines instead.
        self.whole_text = whole_text
        self.name_font = QFont(font)
        self.name_font.setWeight(QFont.Weight.DemiBold)
        self.small_font = QFont(font)
        self.small_font.setPointSizeF(max(7.0, font.pointSizeF() - 1))
        self.badge_font = QFont(self.small_font)
        self.badge_font.setWeight(QFont.Weight.Bold)
        self.name_metrics = QFontMetrics(self.name_font)
        self.small_metrics = QFontMetrics(self.small_font)
        self.border = QPen(QColor(theme.BORDER), 1)
        self.selected = QPen(QColor(theme.ACCENT), 2.5)
        self.target_ok = QPen(QColor(theme.SUCCESS), 3)
        self.target_bad = QPen(QColor(theme.DANGER), 3)
        self.fill = QBrush(QColor(theme.SURFACE))
        self.inactive_fill = QBrush(QColor("#f1f3f5"))
        self.text = QColor(theme.TEXT)
        self.muted = QColor(theme.MUTED)
        self.connector = QPen(QColor("#aab1bd"), 1.2)
        self.colours = [QColor(c) for c in PALETTE]
        self.soft = [QColor(c).lighter(185) for c in PALETTE]
        self.dark = [QColor(c).darker(130) for c in PALETTE]


class LayerItem(QGraphicsItem):
    """The parent of every box: hiding it hides 10,000 boxes in one call."""

    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemHasNoContents, True)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None) -> None:
        pass


_LEAF_BOUNDS = QRectF(-BOX_WIDTH / 2 - 2, -LEVEL_GAP / 2 - 1, BOX_WIDTH + 4, BOX_HEIGHT + LEVEL_GAP / 2 + 1 + TOGGLE_RADIUS + 2)


class PersonItem(QGraphicsItem):
    """One person's box; ``chart`` is the scene, where the data lives."""

    def __init__(self, person_id: int, chart, parent: QGraphicsItem):
        super().__init__(parent)
        self.person_id = person_id
        self.chart = chart
        self.span = None  # (first, last) report's x relative to this box, for the lines down
        self._bounds = self._bounds_for(None)

    def set_span(self, span) -> None:
        if span != self.span:
            self.prepareGeometryChange()
            self.span = span
            self._bounds = self._bounds_for(span)

    @staticmethod
    def _bounds_for(span) -> QRectF:
        top = -LEVEL_GAP / 2 - 1
        if span is None:
            return _LEAF_BOUNDS  # shared: most people manage nobody
        left = min(span[0], 0) - BOX_WIDTH / 2 - 2
        right = max(span[1], 0) + BOX_WIDTH / 2 + 2
        return QRectF(left, top, right - left, BOX_HEIGHT + LEVEL_GAP - top + 2)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def toggle_rect(self) -> QRectF:
        return QRectF(-TOGGLE_RADIUS, BOX_HEIGHT - TOGGLE_RADIUS, 2 * TOGGLE_RADIUS, 2 * TOGGLE_RADIUS)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        chart, look, pid = self.chart, self.chart.look, self.person_id
        person = chart.people[pid]
        colour_index = chart.colour_index(person)
        detail = option.levelOfDetailFromTransform(painter.worldTransform())
        # The lines: up from this box to its manager's level, and down to its reports.
        painter.setPen(look.connector)
        if person.manager_id in chart.people:
            painter.drawLine(QLineF(0, -LEVEL_GAP / 2, 0, 0))
        if self.span is not None:
            middle = BOX_HEIGHT + LEVEL_GAP / 2
            painter.drawLine(QLineF(0, BOX_HEIGHT + TOGGLE_RADIUS, 0, middle))
            if self.span[0] != self.span[1] or self.span[0] != 0:
                painter.drawLine(QLineF(self.span[0], middle, self.span[1], middle))
        box = QRectF(-BOX_WIDTH / 2, 0, BOX_WIDTH, BOX_HEIGHT)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        highlight = chart.highlight.get(pid)
        if highlight:
            painter.setPen(look.target_ok if highlight == "ok" else look.target_bad)
        else:
            painter.setPen(look.selected if pid == chart.current_id else look.border)
        painter.setBrush(look.fill if person.active else look.inactive_fill)
        painter.drawRoundedRect(box, 7, 7)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(look.colours[colour_index])
        painter.drawRoundedRect(QRectF(box.left() + 1, box.top() + 6, 4, BOX_HEIGHT - 12), 2, 2)
        if detail < 0.6:  # middle distance: the name only, large enough to read
            _name_only(painter, look, box.adjusted(12, 0, -8, 0), person.name)
            return
        circle = QRectF(box.left() + 12, box.top() + 13, 30, 30)
        painter.setBrush(look.soft[colour_index])
        painter.drawEllipse(circle)
        painter.setFont(look.badge_font)
        painter.setPen(look.dark[colour_index])
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(person.name))
        left, width = box.left() + 50, BOX_WIDTH - 58
        count = chart.below.get(pid, 0)
        below = f"{count:,} below" if count else ""
        branch_width = width - (look.small_metrics.horizontalAdvance(below) + 6 if below else 0)
        name_colour = look.text if person.active else look.muted
        if look.whole_text:
            branch_line = _stacked(painter, QRectF(left, box.top() + 4, width, BOX_HEIGHT - 8), [
                (person.name, look.name_font, name_colour, width), (person.role, look.small_font, look.muted, width),
                (person.branch or "no branch", look.small_font, look.muted, branch_width)])
        else:
            painter.setFont(look.name_font)
            painter.setPen(name_colour)
            painter.drawText(QRectF(left, box.top() + 6, width, 18), LEFT,
                             look.name_metrics.elidedText(person.name, Qt.TextElideMode.ElideRight, int(width)))
            painter.setFont(look.small_font)
            painter.setPen(look.muted)
            painter.drawText(QRectF(left, box.top() + 24, width, 16), LEFT,
                             look.small_metrics.elidedText(person.role, Qt.TextElideMode.ElideRight, int(width)))
            branch_line = QRectF(left, box.top() + 41, width, 16)
            painter.drawText(branch_line, LEFT, look.small_metrics.elidedText(
                person.branch or "no branch", Qt.TextElideMode.ElideRight, int(branch_width)))
        if below:
            painter.drawText(QRectF(left, branch_line.top(), width, branch_line.height()),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, below)
        if chart.children.get(pid):  # the collapse / expand toggle
            toggle = self.toggle_rect()
            painter.setPen(look.border)
            painter.setBrush(look.fill)
            painter.drawEllipse(toggle)
            painter.setPen(QPen(look.muted, 1.5))
            centre = toggle.center()
            painter.drawLine(QPointF(centre.x() - 4, centre.y()), QPointF(centre.x() + 4, centre.y()))
            if pid in chart.collapsed:
                painter.drawLine(QPointF(centre.x(), centre.y() - 4), QPointF(centre.x(), centre.y() + 4))


LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
SMALLER = (0.9, 0.8, 0.7, 0.6)  # the sizes long texts try, in a document, until they fit their box


def _name_only(painter: QPainter, look: Look, rect: QRectF, text: str) -> None:
    """The name alone across the box (a distant view): on screen elided, in a document whole."""
    if look.whole_text:
        _stacked(painter, rect, [(text, look.name_font, look.text, rect.width())])
        return
    painter.setFont(look.name_font)
    painter.setPen(look.text)
    painter.drawText(rect, LEFT, look.name_metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(rect.width())))


def _stacked(painter: QPainter, rect: QRectF, texts: list[tuple[str, QFont, QColor, float]]) -> QRectF:
    """``texts`` (text, font, colour, width) one under the other in ``rect``, each whole:
    on more lines if need be, all smaller until they fit; the last one's line is returned."""
    for scale in (1.0, *SMALLER):
        laid = []
        for text, font, colour, width in texts:
            fitted = QFont(font)
            fitted.setPointSizeF(font.pointSizeF() * scale)
            fm = QFontMetricsF(fitted, painter.device())
            laid.append((wrap(text, fm, width), fitted, colour, width, fm.height()))
        total = sum(len(lines) * step for lines, *_, step in laid)
        if total <= rect.height():
            break
    y = rect.top() + max(0.0, (rect.height() - total) / 2)
    line = rect
    for lines, fitted, colour, width, step in laid:
        painter.setFont(fitted)
        painter.setPen(colour)
        for text in lines:
            line = QRectF(rect.left(), y, width, step)
            painter.drawText(line, LEFT | Qt.TextFlag.TextDontClip, text)
            y += step
    return line


class OverviewItem(QGraphicsItem):
    """Every box as a block in its colour, in one paint: the chart seen from far away."""

    def __init__(self, chart):
        super().__init__()
        self.chart = chart
        self.rect = QRectF()
        self._groups: dict[int, list[QRectF]] | None = None  # blocks per colour, made on first paint
        self._runs: dict[int, list[QRectF]] | None = None  # neighbouring blocks merged, for very far out

    def set_rect(self, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self.rect = QRectF(rect)
        self._groups = self._runs = None

    def forget(self) -> None:
        """The boxes moved or changed colour: make the blocks again when next painted."""
        self._groups = self._runs = None
        self.update()

    def _merged_runs(self) -> dict[int, list[QRectF]]:
        """Boxes of one colour side by side on a level, as one bar: when the gaps between
        them are under a pixel they look the same, and there are a tenth as many."""
        chart = self.chart
        rows: dict[tuple[int, float], list[float]] = {}
        people, colour_index = chart.people, chart.colour_index
        for pid, (x, y) in chart.positions.items():
            rows.setdefault((colour_index(people[pid]), y), []).append(x)
        runs: dict[int, list[QRectF]] = {}
        reach = BOX_WIDTH + 40  # a box's width plus the widest gap that still looks closed
        half = BOX_WIDTH / 2
        for (index, y), xs in rows.items():
            xs.sort()
            out = runs.setdefault(index, [])
            start = previous = xs[0]
            for x in xs[1:]:
                if x - previous > reach:
                    out.append(QRectF(start - half, y, previous - start + BOX_WIDTH, BOX_HEIGHT))
                    start = x
                previous = x
            out.append(QRectF(start - half, y, previous - start + BOX_WIDTH, BOX_HEIGHT))
        return runs

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        chart = self.chart
        half = BOX_WIDTH / 2
        positions = chart.positions
        if option.levelOfDetailFromTransform(painter.worldTransform()) * 40 < 1:
            if self._runs is None:
                self._runs = self._merged_runs()
            painter.setPen(Qt.PenStyle.NoPen)
            for index, rects in self._runs.items():
                painter.setBrush(chart.look.colours[index])
                painter.drawRects(rects)
            self._mark_current(painter)
            return
        if self._groups is None:
            groups: dict[int, list[QRectF]] = {}
            people, colour_index = chart.people, chart.colour_index
            for pid, (x, y) in positions.items():
                groups.setdefault(colour_index(people[pid]), []).append(QRectF(x - half, y, BOX_WIDTH, BOX_HEIGHT))
            self._groups = groups
        painter.setPen(Qt.PenStyle.NoPen)
        for index, rects in self._groups.items():
            painter.setBrush(chart.look.colours[index])
            painter.drawRects(rects)
        self._mark_current(painter)

    def _mark_current(self, painter: QPainter) -> None:
        chart, half = self.chart, BOX_WIDTH / 2
        if chart.current_id in chart.positions:
            x, y = chart.positions[chart.current_id]
            painter.setPen(QPen(QColor(theme.ACCENT), 0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(QRectF(x - half - 40, y - 40, BOX_WIDTH + 80, BOX_HEIGHT + 80))
