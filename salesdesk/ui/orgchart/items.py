"""What the org chart paints: one box per person, one path for all the connectors.

A box is a plain ``QGraphicsItem`` that paints itself (no child items, no widgets);
zoomed far out it paints a coloured block only, so 10,000 people stay fluid.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QStyleOptionGraphicsItem

from salesdesk.ui import theme

BOX_WIDTH = 184.0
BOX_HEIGHT = 64.0
TOGGLE_RADIUS = 8.0

# Distinct, calm colours for branches or roles (cycled).
PALETTE = ("#3b5bdb", "#0ca678", "#f08c00", "#ae3ec9", "#1098ad", "#e8590c", "#5c940d", "#d6336c", "#495057")


class Look:
    """Fonts, pens and brushes shared by every box (made once per scene)."""

    def __init__(self, font: QFont):
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


class PersonItem(QGraphicsItem):
    """One person's box: name, role, branch, initials, and how many people are below."""

    def __init__(self, person_id: int, look: Look):
        super().__init__()
        self.person_id = person_id
        self.look = look
        self.name = ""
        self.role = ""
        self.branch = ""
        self.initials = "?"
        self.colour = QColor(PALETTE[0])
        self.below = 0  # people in the subtree, not counting the person
        self.has_reports = False
        self.collapsed = False
        self.active = True
        self.highlight: str | None = None  # "ok" or "bad" while a drag hovers it
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable, True)
        self.setAcceptHoverEvents(False)

    def boundingRect(self) -> QRectF:
        return QRectF(-BOX_WIDTH / 2 - 2, -2, BOX_WIDTH + 4, BOX_HEIGHT + TOGGLE_RADIUS + 4)

    def toggle_rect(self) -> QRectF:
        return QRectF(-TOGGLE_RADIUS, BOX_HEIGHT - TOGGLE_RADIUS, 2 * TOGGLE_RADIUS, 2 * TOGGLE_RADIUS)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget=None) -> None:
        look = self.look
        box = QRectF(-BOX_WIDTH / 2, 0, BOX_WIDTH, BOX_HEIGHT)
        detail = option.levelOfDetailFromTransform(painter.worldTransform())
        if detail < 0.35:  # far out: a block in the branch/role colour is all one can see
            painter.fillRect(box, self.colour if self.active else look.muted)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.highlight:
            painter.setPen(look.target_ok if self.highlight == "ok" else look.target_bad)
        else:
            painter.setPen(look.selected if self.isSelected() else look.border)
        painter.setBrush(look.fill if self.active else look.inactive_fill)
        painter.drawRoundedRect(box, 7, 7)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self.colour)
        painter.drawRoundedRect(QRectF(box.left() + 1, box.top() + 6, 4, BOX_HEIGHT - 12), 2, 2)
        if detail < 0.6:  # middle distance: the name only, large enough to read
            painter.setFont(look.name_font)
            painter.setPen(look.text)
            painter.drawText(box.adjusted(12, 0, -8, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                             look.name_metrics.elidedText(self.name, Qt.TextElideMode.ElideRight, int(BOX_WIDTH - 20)))
            return
        circle = QRectF(box.left() + 12, box.top() + 13, 30, 30)
        painter.setBrush(QColor(self.colour).lighter(185))
        painter.drawEllipse(circle)
        painter.setFont(look.badge_font)
        painter.setPen(self.colour.darker(130))
        painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, self.initials)
        left, width = box.left() + 50, BOX_WIDTH - 58
        painter.setFont(look.name_font)
        painter.setPen(look.text if self.active else look.muted)
        painter.drawText(QRectF(left, box.top() + 6, width, 18), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         look.name_metrics.elidedText(self.name, Qt.TextElideMode.ElideRight, int(width)))
        painter.setFont(look.small_font)
        painter.setPen(look.muted)
        painter.drawText(QRectF(left, box.top() + 24, width, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         look.small_metrics.elidedText(self.role, Qt.TextElideMode.ElideRight, int(width)))
        below = f"{self.below:,} below" if self.below else ""
        branch_width = width - (look.small_metrics.horizontalAdvance(below) + 6 if below else 0)
        painter.drawText(QRectF(left, box.top() + 41, branch_width, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         look.small_metrics.elidedText(self.branch or "no branch", Qt.TextElideMode.ElideRight, int(branch_width)))
        if below:
            painter.drawText(QRectF(left, box.top() + 41, width, 16), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, below)
        if self.has_reports:  # the collapse / expand toggle
            toggle = self.toggle_rect()
            painter.setPen(look.border)
            painter.setBrush(look.fill)
            painter.drawEllipse(toggle)
            painter.setPen(QPen(look.muted, 1.5))
            centre = toggle.center()
            painter.drawLine(QPointF(centre.x() - 4, centre.y()), QPointF(centre.x() + 4, centre.y()))
            if self.collapsed:
                painter.drawLine(QPointF(centre.x(), centre.y() - 4), QPointF(centre.x(), centre.y() + 4))


class ConnectorItem(QGraphicsPathItem):
    """Every manager-to-report line in one path: one item to draw, not one per line."""

    def __init__(self, look: Look):
        super().__init__()
        self.setPen(look.connector)
        self.setZValue(-1)

    def rebuild(self, edges, positions) -> None:
        """``edges``: (manager, report) pairs; ``positions``: id -> (centre x, top y)."""
        path = QPainterPath()
        half = BOX_HEIGHT + TOGGLE_RADIUS
        for manager, report in edges:
            mx, my = positions[manager]
            rx, ry = positions[report]
            middle = (my + half + ry) / 2
            path.moveTo(mx, my + half)
            path.lineTo(mx, middle)
            path.lineTo(rx, middle)
            path.lineTo(rx, ry)
        self.setPath(path)
