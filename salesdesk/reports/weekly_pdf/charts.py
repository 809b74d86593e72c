"""The weekly PDF's drawings: a person's attainment bar in a table cell, and the
quarter's pace chart (won so far, week by week, against the straight line to the target).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen

from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.reports.weekly import WeeklyReport
from salesdesk.reports.weekly_pdf.style import ACCENT, GOOD, MUTED, RULE, SHORT, TRACK

BAR_MAX = 1.5  # bars are drawn up to 150% of the target, then capped with a mark


@dataclass(frozen=True)
class Bar:
    """An attainment bar: ``ratio`` of the target reached, ``pace`` the share of the
    period gone (drawn as a tick: the bar should reach it to be on track)."""

    ratio: float | None
    pace: float


def draw_bar(p: QPainter, rect: QRectF, bar: Bar):
    p.fillRect(rect, TRACK)
    scale = rect.width() / BAR_MAX
    if bar.ratio is not None:
        reached = min(bar.ratio, BAR_MAX)
        p.fillRect(QRectF(rect.left(), rect.top(), reached * scale, rect.height()),
                   GOOD if bar.ratio >= bar.pace else SHORT)
        if bar.ratio > BAR_MAX:  # beyond the scale: a white notch says "more than shown"
            p.setPen(QPen(QColor("white"), 1.2))
            x = rect.right() - 3
            p.drawLine(int(x), int(rect.top() + 1), int(x - 2), int(rect.bottom() - 1))
    p.setPen(QPen(QColor("black"), 0.8))  # the target (100%)
    x = rect.left() + scale
    p.drawLine(int(x), int(rect.top() - 1), int(x), int(rect.bottom() + 1))
    p.setPen(QPen(ACCENT, 1.2, Qt.PenStyle.DotLine))  # where the pace says we should be
    x = rect.left() + min(bar.pace, BAR_MAX) * scale
    p.drawLine(int(x), int(rect.top() - 2), int(x), int(rect.bottom() + 2))


def _short_money(value: float) -> str:
    """Axis labels: 1.2B, 350M, 12k, 900."""
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return _three_figures(value / size) + unit
    return f"{value:.0f}"


def _three_figures(value: float) -> str:
    short = f"{value:.3g}"
    return f"{value:,.0f}" if "e" in short else short  # 999.96 is "1,000", not "1e+03"


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1.0
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    for factor in (1, 2, 2.5, 5, 10):
        if magnitude * factor >= raw:
            return magnitude * factor
    return magnitude * 10


def pace_chart(report: WeeklyReport, fm: QFontMetricsF, small: QFont):
    """Won so far in the quarter, week by week, against the straight line to the target."""
    quarter, points, target = report.quarter, report.pace, report.scope_target
    days = (quarter.end - quarter.start).days
    top_value = max([float(target or 0)] + [float(pt.cumulative) for pt in points] + [1.0])
    step = _nice_step(top_value * 1.05)
    top = step * (int(top_value * 1.05 / step) + 1)

    def draw(p: QPainter, rect: QRectF):
        label_w = fm.horizontalAdvance("000.0M") + 6
        plot = QRectF(rect.left() + label_w, rect.top() + fm.height() * 1.6, rect.width() - label_w - 8,
                      rect.height() - fm.height() * 3.4)

        def px(day) -> float:
            return plot.left() + plot.width() * (day - quarter.start).days / days

        def py(value: float) -> float:
            return plot.bottom() - plot.height() * value / top

        p.setFont(small)
        value = 0.0
        while value <= top + step / 2:
            y = py(value)
            p.setPen(QPen(RULE, 0.5))
            p.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            p.setPen(MUTED)
            p.drawText(QRectF(rect.left(), y - fm.height() / 2, label_w - 6, fm.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, _short_money(value))
            value += step
        week = Period.containing(PeriodKind.WEEK, quarter.start)
        while week.start < quarter.end:  # week labels under the axis, every other week
            x = px(max(week.start, quarter.start))
            p.setPen(QPen(RULE, 0.5))
            p.drawLine(int(x), int(plot.bottom()), int(x), int(plot.bottom() + 3))
            # every other week; a week begun before the quarter has no room for a label
            if week.start >= quarter.start and (week.start.isocalendar()[1] % 2 == 0 or week.start == quarter.start):
                p.setPen(MUTED)
                p.drawText(QRectF(x - 30, plot.bottom() + 3, 60, fm.height()), Qt.AlignmentFlag.AlignCenter,
                           f"W{week.start.isocalendar()[1]:02d}")
            week = week.next()
        if target:
            p.setPen(QPen(MUTED, 1.2, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(px(quarter.start), py(0)), QPointF(px(quarter.end), py(float(target))))
        until_x = px(report.quarter_until)
        p.setPen(QPen(ACCENT, 0.8, Qt.PenStyle.DotLine))
        p.drawLine(QPointF(until_x, plot.top()), QPointF(until_x, plot.bottom()))
        line = QPainterPath(QPointF(px(quarter.start), py(0)))
        for pt in points:
            line.lineTo(QPointF(px(pt.day), py(float(pt.cumulative))))
        p.setPen(QPen(GOOD, 2.0))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(line)
        p.setBrush(GOOD)
        for pt in points:
            p.drawEllipse(QPointF(px(pt.day), py(float(pt.cumulative))), 2.2, 2.2)
        p.setPen(QPen(QColor("black"), 0.8))
        p.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))
        # legend, above the plot
        legend_y = rect.top() + fm.height() * 0.8
        x = plot.left()
        for text, pen in (("Won, cumulative", QPen(GOOD, 2.0)),
                          ("Straight line to the target", QPen(MUTED, 1.2, Qt.PenStyle.DashLine)),
                          (f"End of week {report.week.label}", QPen(ACCENT, 0.8, Qt.PenStyle.DotLine))):
            if text.startswith("Straight") and not target:
                continue
            p.setPen(pen)
            p.drawLine(QPointF(x, legend_y), QPointF(x + 22, legend_y))
            p.setPen(QColor("black"))
            p.drawText(QRectF(x + 26, legend_y - fm.height() / 2, 400, fm.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            x += 26 + fm.horizontalAdvance(text) + 18

    return draw
