"""The Targets screen's charts, as real widgets: bars and curves match the data, a click on
a person's bar names them, tooltips give the exact figures, exports are valid files."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QToolTip

from salesdesk.ui import theme
from salesdesk.ui.targets.charts import (
    AttainmentChart,
    CumulativeChart,
    PeopleWeeksChart,
    export_png,
    export_svg,
)

ROWS = [
    (11, "Ava Stone", 45_000.0, 38_500.0),  # 86 %: near
    (12, "Ben Ortiz", 40_000.0, 52_000.0),  # 130 %: reached
    (13, "Cleo Park", 50_000.0, 12_000.0),  # 24 %: under
    (14, "Dan Roux", None, 20_000.0),  # no target
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


@pytest.fixture
def show(qtbot):
    """``show(chart)``: the chart on screen at a fixed size, painted once."""

    def shown(chart, width=900, height=420):
        qtbot.addWidget(chart)
        chart.resize(width, height)
        with qtbot.waitSignal(chart.painted):
            chart.show()
        return chart

    yield shown
    QToolTip.hideText()


def viewport_point(chart, x: float, y: float) -> QPoint:
    """Where the data point (x, y) is on the chart's viewport, for the mouse."""
    scene = chart.view_box.mapViewToScene(QPointF(x, y))
    return chart.plot_widget.mapFromScene(scene)


def hover(qtbot, chart, x: float, y: float) -> str:
    qtbot.mouseMove(chart.plot_widget.viewport(), viewport_point(chart, x, y))
    qtbot.waitUntil(QToolTip.isVisible)
    return QToolTip.text()


def test_importing_the_charts_leaves_pyqtgraph_unimported():
    code = "import sys, salesdesk.ui.targets.charts; print('pyqtgraph' in sys.modules, 'numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.fixture
def attainment(show):
    chart = AttainmentChart()
    chart.set_data(ROWS, "EUR")
    return show(chart)


def test_attainment_bars_match_the_rows(attainment):
    x, heights = attainment.actual_bars.getData()
    assert list(x) == [0, 1, 2, 3]
    assert list(heights) == [38_500.0, 52_000.0, 12_000.0, 20_000.0]
    x, heights = attainment.target_bars.getData()
    assert list(x) == [0, 1, 2]  # Dan has no target: no target bar
    assert list(heights) == [45_000.0, 40_000.0, 50_000.0]
    colours = [QColor(colour).name() for colour in attainment.actual_bars.opts["brushes"]]
    assert colours == [QColor(c).name() for c in (theme.ACCENT, theme.SUCCESS, theme.WARNING, theme.BAR)]
    assert attainment.bottom_axis.names == ["Ava Stone", "Ben Ortiz", "Cleo Park", "Dan Roux"]


def test_attainment_tooltips_give_exact_figures(qtbot, attainment):
    assert attainment.tooltip_text(0) == "Ava Stone — target 45,000 EUR, actual 38,500 EUR (86%)"
    assert attainment.tooltip_text(3) == "Dan Roux — no target, actual 20,000 EUR"
    assert hover(qtbot, attainment, 1, 20_000) == "Ben Ortiz — target 40,000 EUR, actual 52,000 EUR (130%)"


def test_counts_read_as_counts(show):
    chart = show(AttainmentChart())
    chart.set_data([(1, "Ava Stone", 12, 9)], "deals")
    assert chart.tooltip_text(0) == "Ava Stone — target 12 deals, actual 9 deals (75%)"


def test_a_click_on_a_persons_bar_names_them(qtbot, attainment):
    viewport = attainment.plot_widget.viewport()
    with qtbot.waitSignal(attainment.person_clicked) as clicked:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(attainment, 2, 30_000))
    assert clicked.args == [13]  # above Cleo's actual, inside her target bar
    with qtbot.waitSignal(attainment.person_clicked) as clicked:
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(attainment, 3, 5_000))
    assert clicked.args == [14]
    with qtbot.assertNotEmitted(attainment.person_clicked):
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(attainment, 1.5, 10_000))  # between bars
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=viewport_point(attainment, 3, 40_000))  # above Dan's bar


def test_new_data_replaces_the_bars(attainment):
    attainment.set_data(ROWS[:2], "EUR")
    assert len(attainment.actual_bars.getData()[1]) == 2
    attainment.set_data([], "EUR")
    assert len(attainment.actual_bars.getData()[1]) == 0
    assert attainment.tooltip_at(attainment.view_box.mapViewToScene(QPointF(0, 0))) == ""


@pytest.fixture
def cumulative(show):
    chart = CumulativeChart()
    actual = [10_000.0 * (m + 1) ** 2 for m in range(7)] + [None] * 5  # to July
    target = [40_000.0 * (m + 1) for m in range(12)]
    forecast = [None] * 5 + [999.0, 999.0] + [490_000.0 + 45_000 * m for m in range(1, 6)]  # up to July: not drawn
    chart.set_series(MONTHS, actual, target, forecast, "EUR")
    return show(chart)


def test_the_forecast_is_dashed_and_carries_on_from_the_last_actual(cumulative):
    ax, ay = cumulative.actual_curve.getData()
    assert list(ax[~_nan(ay)]) == [0, 1, 2, 3, 4, 5, 6]
    fx, fy = cumulative.forecast_curve.getData()
    assert list(fx) == [6, 7, 8, 9, 10, 11]
    assert fy[0] == ay[6] == 490_000.0
    assert list(fy[1:]) == [535_000.0, 580_000.0, 625_000.0, 670_000.0, 715_000.0]
    assert cumulative.forecast_curve.opts["pen"].style() == Qt.PenStyle.DashLine
    assert cumulative.actual_curve.opts["pen"].style() == Qt.PenStyle.SolidLine
    tx, ty = cumulative.target_curve.getData()
    assert list(ty) == [40_000.0 * (m + 1) for m in range(12)]
    legend = cumulative.plot.legend
    assert [label.text for _, label in legend.items] == ["Actual", "Target", "Forecast"]


def test_cumulative_tooltips(qtbot, cumulative):
    assert cumulative.tooltip_text(2) == "Mar — actual 90,000 EUR, target 120,000 EUR"
    assert cumulative.tooltip_text(9) == "Oct — target 400,000 EUR, forecast 625,000 EUR"
    assert hover(qtbot, cumulative, 6.1, 300_000) == "Jul — actual 490,000 EUR, target 280,000 EUR, forecast 999 EUR"


def test_a_year_without_actuals_draws_the_forecast_alone(show):
    chart = show(CumulativeChart())
    chart.set_series(["Q1", "Q2"], [None, None], [1.0, 2.0], [1.5, 3.0], "deals")
    assert list(chart.forecast_curve.getData()[1]) == [1.5, 3.0]
    with pytest.raises(ValueError):
        chart.set_series(["Q1"], [1.0, 2.0], [None], [None], "deals")


def _nan(values):
    import numpy as np

    return np.isnan(values)


@pytest.fixture
def weeks_chart(show):
    people = [f"Person {p}" for p in range(50)]
    weeks = [f"W{w + 1}" for w in range(52)]
    actual = [[float(100 * p + w) for w in range(52)] for p in range(50)]
    target = [[None if w == 0 else 2_000.0 + p for w in range(52)] for p in range(50)]
    chart = PeopleWeeksChart()
    chart.set_data(people, weeks, actual, target, "EUR")
    return show(chart, 1440, 600)


def test_people_weeks_draws_every_week_of_every_person(weeks_chart):
    x, heights = weeks_chart.actual_bars.getData()
    assert len(x) == len(heights) == 2_600
    assert heights[3 * 52 + 10] == 310.0  # person 3, week 11
    assert x[3 * 52 + 10] == pytest.approx(3 - 0.42 + (10 + 0.5) * 0.84 / 52)
    targets = weeks_chart.target_bars.opts["y0"]
    assert len(targets) == 50 * 51  # no target in week 1
    assert targets[3 * 51 + 9] == 2_003.0  # person 3, week 11
    assert weeks_chart.bottom_axis.names[3] == "Person 3"


def test_people_weeks_tooltip_of_a_bar(qtbot, weeks_chart):
    weeks_chart.view_box.setXRange(2.5, 3.5, padding=0)  # zoomed in on person 3
    x = weeks_chart.actual_bars.getData()[0][3 * 52 + 10]
    assert hover(qtbot, weeks_chart, x, 100) == "Person 3, W11 — target 2,003 EUR, actual 310 EUR (15%)"
    assert weeks_chart.tooltip_text(3, 0) == "Person 3, W1 — no target, actual 300 EUR"


def test_exports_are_valid_files(tmp_path, cumulative, weeks_chart):
    for chart in (cumulative, weeks_chart):
        png = export_png(chart, tmp_path / "chart.png")
        image = QImage(str(png))
        assert not image.isNull() and (image.width(), image.height()) == (chart.width(), chart.height())
        root = ET.parse(export_svg(chart, tmp_path / "chart.svg")).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        texts = [t.text.strip() for t in root.iter("{http://www.w3.org/2000/svg}text") if t.text]
        assert "Target" in texts  # the legend, as text
