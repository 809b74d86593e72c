"""Charts of the Targets screen: attainment per person, the year's cumulative curve, and
50 people x 52 weeks of weekly bars, drawn with pyqtgraph in the app's look.

The charts know nothing of the database: they take plain lists, and the screen reads
the figures.  pyqtgraph costs 300-430 ms to import (README: Speed), so it is imported
the first time a chart is made (:func:`_kit`), never when this module is imported.

Every chart is a plain ``QWidget`` holding a pyqtgraph plot (``plot_widget``, its
``plot`` item); hovering a bar or a month shows its exact figures in a tooltip, and
``tooltip_text(...)`` gives the same text.  Figures read as money when ``unit`` is a
currency ("45,000 EUR") and as counts otherwise ("12 deals").

Signals (every chart):
    painted(): the plot has been painted (first paint in the benchmarks and tests).

Signals (AttainmentChart):
    person_clicked(int): the user clicked a person's bar; the person's id.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from types import ModuleType

from PySide6.QtCore import QPointF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from salesdesk.safety.output import check_output_path, written_aside
from salesdesk.ui import theme
from salesdesk.ui.format import compact_money, money, percent

# Attainment colours: under 80 % of the target, under 100 %, reached; no target.
WARNING_BELOW = 0.8
COLOUR_UNDER = theme.WARNING
COLOUR_NEAR = theme.ACCENT
COLOUR_REACHED = theme.SUCCESS
COLOUR_NO_TARGET = theme.BAR

TARGET_WIDTH = 0.72  # of a person's slot, AttainmentChart
ACTUAL_WIDTH = 0.44
GROUP_WIDTH = 0.84  # of a person's slot taken by their weeks, PeopleWeeksChart
LABEL_MIN_PX = 46  # a name on the x axis gets at least this much room, or every other name is shown
HOVER_PX = 4  # a bar shorter than this many pixels is still hit within them


def format_value(value: float, unit: str) -> str:
    """An exact figure: ``45000, "EUR"`` -> ``"45,000 EUR"``; ``12, "deals"`` -> ``"12 deals"``."""
    return money(Decimal(repr(float(value))), unit)


def attainment(target: float | None, actual: float) -> float | None:
    """Actual over target (``None`` without a positive target)."""
    return actual / target if target else None


def attainment_colour(ratio: float | None) -> str:
    if ratio is None:
        return COLOUR_NO_TARGET
    if ratio < WARNING_BELOW:
        return COLOUR_UNDER
    return COLOUR_NEAR if ratio < 1 else COLOUR_REACHED


def _figures(target: float | None, actual: float | None, unit: str) -> str:
    """``"target 45,000 EUR, actual 38,500 EUR (86%)"``."""
    parts = ["no target" if target is None else f"target {format_value(target, unit)}"]
    if actual is not None:
        ratio = attainment(target, actual)
        parts.append(f"actual {format_value(actual, unit)}" + (f" ({percent(ratio)})" if ratio is not None else ""))
    return ", ".join(parts)


@dataclass(frozen=True)
class _Kit:
    """pyqtgraph and the few subclasses the charts need, made when first asked for."""

    pg: ModuleType
    PlotView: type
    CategoryAxis: type
    ValueAxis: type


@cache
def _kit() -> _Kit:
    """Import pyqtgraph (once, on the first chart), set it to the app's look, make our classes."""
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, background=theme.SURFACE, foreground=theme.MUTED)

    class PlotView(pg.PlotWidget):
        """A ``PlotWidget`` that says when it has painted."""

        painted = Signal()

        def paintEvent(self, event):
            super().paintEvent(event)
            self.painted.emit()

    class CategoryAxis(pg.AxisItem):
        """Names at 0, 1, 2 …: elided to the room each has, every n-th name when crowded."""

        def __init__(self, orientation: str = "bottom", **kwargs):
            super().__init__(orientation, **kwargs)
            self.names: list[str] = []
            self._room = 0.0
            self._metrics = QFontMetrics(QFont())

        def set_names(self, names: Sequence[str]) -> None:
            self.names = list(names)
            self.picture = None
            self.update()

        def setTickFont(self, font):
            super().setTickFont(font)
            self._metrics = QFontMetrics(font or QFont())

        def tickValues(self, minVal, maxVal, size):
            count = len(self.names)
            if not count or size <= 0 or maxVal <= minVal:
                return []
            per_name = size / (maxVal - minVal)
            step = max(1, math.ceil(LABEL_MIN_PX / per_name))
            self._room = step * per_name - 6
            first = max(0, math.ceil(minVal))
            first += -first % step
            return [(float(step), [float(i) for i in range(first, min(count - 1, math.floor(maxVal)) + 1, step)])]

        def tickStrings(self, values, scale, spacing):
            elide = Qt.TextElideMode.ElideRight
            return [self._metrics.elidedText(self.names[int(v)], elide, max(0, int(self._room))) for v in values]

    class ValueAxis(pg.AxisItem):
        """Short figures on the value axis: 45k, 1.2M."""

        def tickStrings(self, values, scale, spacing):
            if spacing < 1 or all(abs(v) < 1000 for v in values):
                return super().tickStrings(values, scale, spacing)
            return [compact_money(Decimal(round(v))) for v in values]

    return _Kit(pg, PlotView, CategoryAxis, ValueAxis)


def _pen(colour: str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine):
    return _kit().pg.mkPen(QColor(colour), width=width, style=style)


class Chart(QWidget):
    """A pyqtgraph plot in the app's look: white surface, muted axes, a light grid, the
    figures' names along the bottom and short figures on the left.  No menu, no auto-range
    button; the base of the three charts."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        kit = _kit()
        self.bottom_axis = kit.CategoryAxis("bottom")
        self.left_axis = kit.ValueAxis("left")
        self.plot_widget = kit.PlotView(
            background=theme.SURFACE, axisItems={"bottom": self.bottom_axis, "left": self.left_axis}
        )
        self.plot = self.plot_widget.getPlotItem()
        self.view_box = self.plot.getViewBox()
        self.unit = ""
        font = QFont(self.font())
        for axis in (self.bottom_axis, self.left_axis):
            axis.setPen(_pen(theme.BORDER))
            axis.setTextPen(_pen(theme.MUTED))
            axis.setTickFont(font)
        self.bottom_axis.setStyle(tickLength=0)
        self.left_axis.setStyle(tickLength=0)
        self.left_axis.setWidth(52)
        self.plot.showGrid(x=False, y=True, alpha=0.12)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.view_box.setDefaultPadding(0.02)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)
        self.plot_widget.painted.connect(self.painted)
        self.plot_widget.scene().sigMouseMoved.connect(self._mouse_moved)

    def _legend(self, columns: int):
        """A legend in the top left corner, in one row of ``columns`` entries."""
        points = self.font().pointSizeF()
        return self.plot.addLegend(
            offset=(8, 4), colCount=columns, labelTextColor=QColor(theme.TEXT),
            labelTextSize=f"{points if points > 0 else 9:g}pt",
            brush=_kit().pg.mkBrush(255, 255, 255, 220), pen=_pen(theme.BORDER),
        )

    def _set_unit(self, unit: str) -> None:
        self.unit = unit
        if unit:
            self.plot.setLabel("left", unit, color=theme.MUTED)
        else:
            self.plot.showLabel("left", False)

    def _view_point(self, scene_pos: QPointF) -> QPointF | None:
        """Where a scene point falls in the data, or None outside the plot area."""
        if not self.view_box.sceneBoundingRect().contains(scene_pos):
            return None
        return self.view_box.mapSceneToView(scene_pos)

    def _hover_height(self) -> float:
        """``HOVER_PX`` in data units along y: tiny bars stay easy to hit."""
        return abs(self.view_box.viewPixelSize()[1]) * HOVER_PX

    def tooltip_at(self, scene_pos: QPointF) -> str:
        """The tooltip for a scene point ("" for none)."""
        return ""

    @Slot(object)
    def _mouse_moved(self, scene_pos: QPointF) -> None:
        text = self.tooltip_at(scene_pos)
        if text:
            view_pos = self.plot_widget.mapFromScene(scene_pos)
            QToolTip.showText(self.plot_widget.viewport().mapToGlobal(view_pos), text, self.plot_widget)
        else:
            QToolTip.hideText()


class AttainmentChart(Chart):
    """Target (light, wide) and actual (solid, coloured by attainment) per person for one
    period; names along the bottom.

    Signals:
        person_clicked(int): a click on a person's bar; their person id.
    """

    person_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        pg = _kit().pg
        self.rows: list[tuple[int, str, float | None, float]] = []
        self.target_bars = pg.BarGraphItem(
            x=[], height=[], width=TARGET_WIDTH, brush=QColor(theme.ACCENT_SOFT), pen=_pen(theme.BAR), name="Target"
        )
        self.actual_bars = pg.BarGraphItem(x=[], height=[], width=ACTUAL_WIDTH, brushes=[], pen=pg.mkPen(None))
        self.plot.addItem(self.target_bars)
        self.plot.addItem(self.actual_bars)
        legend = self._legend(4)
        legend.addItem(self.target_bars, "Target")
        for colour, label in ((COLOUR_REACHED, "Reached"), (COLOUR_NEAR, "80–99%"), (COLOUR_UNDER, "Under 80%")):
            legend.addItem(pg.BarGraphItem(x=[], height=[], width=1, brush=QColor(colour), pen=pg.mkPen(None)), label)
        self.plot_widget.scene().sigMouseClicked.connect(self._clicked)

    def set_data(self, rows: list[tuple[int, str, float | None, float]], unit: str) -> None:
        """One bar pair per person: ``(person_id, name, target or None, actual)``."""
        self.rows = list(rows)
        self._set_unit(unit)
        with_target = [(i, row[2]) for i, row in enumerate(self.rows) if row[2] is not None]
        self.target_bars.setOpts(x=[i for i, _ in with_target], height=[t for _, t in with_target])
        self.actual_bars.setOpts(
            x=list(range(len(self.rows))), height=[row[3] for row in self.rows],
            brushes=[QColor(attainment_colour(attainment(row[2], row[3]))) for row in self.rows],
        )
        self.bottom_axis.set_names([row[1] for row in self.rows])
        count = max(len(self.rows), 1)
        self.view_box.setXRange(-0.6, count - 0.4, padding=0)
        heights = [0.0] + [row[3] for row in self.rows] + [t for _, t in with_target]
        low, high = min(heights), max(heights) or 1.0
        self.view_box.setYRange(low, high * 1.16, padding=0)  # room for the legend above the bars

    def tooltip_text(self, index: int) -> str:
        """``"Ava Stone — target 45,000 EUR, actual 38,500 EUR (86%)"``."""
        _, name, target, actual = self.rows[index]
        return f"{name} — {_figures(target, actual, self.unit)}"

    def index_at(self, scene_pos: QPointF) -> int | None:
        """The row whose bars are under a scene point."""
        point = self._view_point(scene_pos)
        if point is None or not self.rows:
            return None
        index = round(point.x())
        if not 0 <= index < len(self.rows) or abs(point.x() - index) > TARGET_WIDTH / 2:
            return None
        _, _, target, actual = self.rows[index]
        low, high = min(0.0, actual, target or 0.0), max(0.0, actual, target or 0.0)
        slack = self._hover_height()
        return index if low - slack <= point.y() <= high + slack else None

    def tooltip_at(self, scene_pos: QPointF) -> str:
        index = self.index_at(scene_pos)
        return "" if index is None else self.tooltip_text(index)

    @Slot(object)
    def _mouse_moved(self, scene_pos: QPointF) -> None:
        over_bar = self.index_at(scene_pos) is not None
        self.plot_widget.viewport().setCursor(Qt.CursorShape.PointingHandCursor if over_bar else Qt.CursorShape.ArrowCursor)
        super()._mouse_moved(scene_pos)

    @Slot(object)
    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        index = self.index_at(event.scenePos())
        if index is not None:
            self.person_clicked.emit(self.rows[index][0])


class CumulativeChart(Chart):
    """A year by month (or week): cumulative actual (solid), cumulative target (grey),
    the forecast (dashed) carrying on from the last actual point; a legend."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        pg = _kit().pg
        self.labels: list[str] = []
        self.actual: list[float | None] = []
        self.target: list[float | None] = []
        self.forecast: list[float | None] = []
        self._legend(1)
        self.target_curve = pg.PlotDataItem([], [], pen=_pen(theme.MUTED, 2), connect="finite", name="Target")
        self.actual_curve = pg.PlotDataItem([], [], pen=_pen(theme.ACCENT, 2.5), connect="finite", name="Actual")
        self.forecast_curve = pg.PlotDataItem(
            [], [], pen=_pen(theme.ACCENT, 2, Qt.PenStyle.DashLine), connect="finite", name="Forecast"
        )
        self.last_actual = pg.ScatterPlotItem(size=7, pen=pg.mkPen(None), brush=QColor(theme.ACCENT))
        for z, item in enumerate((self.actual_curve, self.target_curve, self.forecast_curve, self.last_actual)):
            self.plot.addItem(item)  # in the legend's order; the actual drawn over the others
            item.setZValue((2, 0, 1, 3)[z])

    def set_series(
        self,
        labels: list[str],
        actual: list[float | None],
        target: list[float | None],
        forecast: list[float | None],
        unit: str,
    ) -> None:
        """Cumulative figures per label (``None``: no point there).  The forecast is drawn
        from the last actual point on; forecast points up to it are not drawn."""
        count = len(labels)
        if not len(actual) == len(target) == len(forecast) == count:
            raise ValueError("labels, actual, target and forecast must have the same length")
        self.labels, self.actual, self.target, self.forecast = list(labels), list(actual), list(target), list(forecast)
        self._set_unit(unit)
        nan = math.nan
        xs = list(range(count))
        self.actual_curve.setData(xs, [nan if v is None else v for v in actual])
        self.target_curve.setData(xs, [nan if v is None else v for v in target])
        last = max((i for i, v in enumerate(actual) if v is not None), default=None)
        if last is None:
            fx, fy = xs, [nan if v is None else v for v in forecast]
            self.last_actual.setData([], [])
        else:
            anchor = actual[last]
            assert anchor is not None  # the last actual point
            later = [(i, v) for i, v in enumerate(forecast) if i > last and v is not None]
            fx, fy = ([last] + [i for i, _ in later], [anchor] + [v for _, v in later]) if later else ([], [])
            self.last_actual.setData([last], [anchor])
        self.forecast_curve.setData(fx, fy)
        self.bottom_axis.set_names(self.labels)
        self.view_box.setXRange(-0.4, max(count, 1) - 0.6, padding=0)
        values = [0.0] + [v for series in (actual, target, forecast) for v in series if v is not None]
        self.view_box.setYRange(min(values), (max(values) or 1.0) * 1.05, padding=0)

    def tooltip_text(self, index: int) -> str:
        """``"Mar — actual 120,000 EUR, target 150,000 EUR"`` (the figures there are)."""
        parts = [
            f"{name} {format_value(value, self.unit)}"
            for name, value in (("actual", self.actual[index]), ("target", self.target[index]),
                                ("forecast", self.forecast[index]))
            if value is not None
        ]
        return f"{self.labels[index]} — {', '.join(parts) or 'no figures'}"

    def tooltip_at(self, scene_pos: QPointF) -> str:
        point = self._view_point(scene_pos)
        if point is None or not self.labels:
            return ""
        index = round(point.x())
        return self.tooltip_text(index) if 0 <= index < len(self.labels) else ""


class PeopleWeeksChart(Chart):
    """Per person a group of thin weekly bars of actual, each week's target drawn over its
    bar as a marker (a flat bar, so a steady target reads as a line): two bar items of
    people x weeks bars in one plot.  The mouse wheel zooms along the weeks, a drag pans."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        pg = _kit().pg
        self.people: list[str] = []
        self.weeks: list[str] = []
        self.actual: list[list[float]] = []
        self.target: list[list[float | None]] = []
        self._slot = 1.0  # a week's width in data units
        self._gaps = True  # gaps between the weekly bars (only when they are a few pixels wide)
        self.actual_bars = pg.BarGraphItem(x=[], height=[], width=1, brush=QColor(theme.BAR), pen=pg.mkPen(None))
        self.target_bars = pg.BarGraphItem(x=[], y0=[], height=0, width=1, brush=pg.mkBrush(None), pen=_pen(theme.TEXT))
        self.target_bars.setZValue(1)
        self.plot.addItem(self.actual_bars)
        self.plot.addItem(self.target_bars)
        legend = self._legend(2)
        legend.addItem(self.actual_bars, "Actual")
        legend.addItem(pg.PlotDataItem(pen=_pen(theme.TEXT)), "Target")
        self.plot.setMouseEnabled(x=True, y=False)
        self.view_box.sigXRangeChanged.connect(self._fit_bar_width)
        self.view_box.sigResized.connect(self._fit_bar_width)

    def set_data(
        self,
        people: list[str],
        weeks: list[str],
        actual: list[list[float]],
        target: list[list[float | None]],
        unit: str,
    ) -> None:
        """``actual[p][w]`` and ``target[p][w]`` (``None``: no target that week)."""
        import numpy as np  # comes with pyqtgraph

        self.people, self.weeks, self.actual, self.target = list(people), list(weeks), actual, target
        self._set_unit(unit)
        n_people, n_weeks = len(people), len(weeks)
        self._slot = slot = GROUP_WIDTH / max(n_weeks, 1)
        centres = (np.arange(n_people)[:, None] - GROUP_WIDTH / 2 + slot * (np.arange(n_weeks)[None, :] + 0.5)).reshape(-1)
        heights = np.asarray(actual, dtype=float).reshape(n_people * n_weeks)
        targets = np.array([[math.nan if t is None else t for t in row] for row in target], dtype=float).reshape(-1)
        has_target = ~np.isnan(targets)
        self._gaps = self._wide_weeks()
        self.actual_bars.setOpts(x=centres, height=heights, width=slot * (0.8 if self._gaps else 1.0))
        marks = targets[has_target]
        # A flat bar is a line on screen; SVG drops a rect of height 0, so not quite flat.
        self.target_bars.setOpts(x=centres[has_target], y0=marks, height=float(np.abs(marks).max(initial=1.0)) * 1e-6, width=slot)
        self.bottom_axis.set_names(self.people)
        right = max(n_people, 1) - 0.5
        self.view_box.setLimits(xMin=-0.5, xMax=right, minXRange=GROUP_WIDTH / 4)
        self.view_box.setXRange(-0.5, right, padding=0)
        top = max(float(heights.max(initial=0.0)), float(targets[has_target].max(initial=0.0))) or 1.0
        self.view_box.setYRange(min(0.0, float(heights.min(initial=0.0))), top * 1.16, padding=0)

    def _wide_weeks(self) -> bool:
        """Is a week at least 4 pixels wide?  Thinner bars with gaps would shimmer."""
        width = self.view_box.width() or self.plot_widget.width()
        low, high = self.view_box.viewRange()[0]
        return high > low and self._slot * width / (high - low) >= 4

    @Slot()
    def _fit_bar_width(self) -> None:
        gaps = self._wide_weeks()
        if gaps != self._gaps:
            self._gaps = gaps
            self.actual_bars.setOpts(width=self._slot * (0.8 if gaps else 1.0))

    def tooltip_text(self, person: int, week: int) -> str:
        """``"Ava Stone, W14 — target 1,000 EUR, actual 800 EUR (80%)"``."""
        figures = _figures(self.target[person][week], self.actual[person][week], self.unit)
        return f"{self.people[person]}, {self.weeks[week]} — {figures}"

    def bar_at(self, scene_pos: QPointF) -> tuple[int, int] | None:
        """``(person, week)`` of the bar (or target marker) under a scene point."""
        point = self._view_point(scene_pos)
        if point is None or not self.people or not self.weeks:
            return None
        person = round(point.x())
        week = math.floor((point.x() - person + GROUP_WIDTH / 2) / self._slot)
        if not (0 <= person < len(self.people) and 0 <= week < len(self.weeks)):
            return None
        actual, target = self.actual[person][week], self.target[person][week]
        slack = self._hover_height()
        low, high = min(0.0, actual, target or 0.0), max(0.0, actual, target or 0.0)
        return (person, week) if low - slack <= point.y() <= high + slack else None

    def tooltip_at(self, scene_pos: QPointF) -> str:
        bar = self.bar_at(scene_pos)
        return "" if bar is None else self.tooltip_text(*bar)


def export_png(chart: QWidget, path: str | Path, *, database: Path | None = None) -> Path:
    """The chart as it is on screen, as a PNG (``QWidget.grab()``: about 50 ms, where
    pyqtgraph's ``ImageExporter`` takes a second).  Like the SVG, written aside and
    renamed, never over ``database``, a backup or a read-only file."""
    path = Path(path)
    with written_aside(check_output_path(path, database, replace=True)) as temp:  # the dialog asked
        if not chart.grab().save(str(temp), "PNG"):
            raise OSError(f"could not write {path}")
    return path


def export_svg(chart: Chart, path: str | Path, *, database: Path | None = None) -> Path:
    """The chart's plot as an SVG drawing: text as text, bars and lines as shapes.

    Qt's own ``QSvgGenerator`` (SVG 1.1, which keeps the plot's clipping) draws the plot
    view.  pyqtgraph 0.14's ``SVGExporter`` cannot be used with Qt 6.11: it fails on the
    closed paths ("... Z") Qt now writes for every clip path (pyqtgraph issue #3495).
    """
    path = Path(path)
    with written_aside(check_output_path(path, database, replace=True)) as temp:
        _paint_svg(chart, temp, path)
    return path


def _paint_svg(chart: Chart, temp: Path, path: Path) -> None:
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    view = chart.plot_widget
    generator = QSvgGenerator(QSvgGenerator.SvgVersion.Svg11)
    generator.setFileName(str(temp))
    generator.setSize(view.size())
    generator.setViewBox(QRect(0, 0, view.width(), view.height()))
    generator.setResolution(view.logicalDpiX())  # fonts keep their size on screen
    generator.setTitle(chart.windowTitle() or "SalesDesk chart")
    painter = QPainter()
    if not painter.begin(generator):
        raise OSError(f"could not write {path}")
    try:
        view.render(painter)
    finally:
        painter.end()
