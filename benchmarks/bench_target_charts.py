"""The Targets screen's biggest chart: 50 people x 52 weeks of weekly bars and targets.

From making the chart with its data to its first paint; the one-time pyqtgraph import
(300-430 ms, paid when a chart is first shown) is left out by a warm-up run.
"""

from __future__ import annotations

import gc
import random
import time

from benchmarks.data import qt_app
from benchmarks.harness import benchmark

RUNS = 7
PEOPLE, WEEKS = 50, 52


def chart_data(people: int = PEOPLE, weeks: int = WEEKS, seed: int = 52):
    """Names, week labels, actuals and targets (some weeks without one), always the same."""
    rng = random.Random(seed)
    names = [f"Person {i} Surname" for i in range(people)]
    labels = [f"W{w + 1}" for w in range(weeks)]
    actual, target = [], []
    for _ in range(people):
        weekly = rng.randrange(5, 20) * 1000.0
        actual.append([round(rng.uniform(0, 1.6) * weekly, 2) for _ in range(weeks)])
        target.append([None if w < 2 else weekly for w in range(weeks)])
    return names, labels, actual, target


def _first_paint_ms(app, data) -> float:
    from salesdesk.ui.targets.charts import PeopleWeeksChart

    gc.collect()  # the previous sample's chart is not this one's cost
    painted: list[float] = []
    started = time.perf_counter()
    chart = PeopleWeeksChart()
    chart.painted.connect(lambda: painted or painted.append(time.perf_counter()))
    chart.resize(1440, 600)
    chart.set_data(*data, "EUR")
    chart.show()
    while not painted:
        app.processEvents()
    elapsed = (painted[0] - started) * 1000
    chart.close()
    chart.deleteLater()
    app.processEvents()
    return elapsed


@benchmark("targets.chart_50x52", unit="ms")
def chart_50x52() -> list[float]:
    """Targets against actuals, 50 people x 52 weeks (2 x 2,600 bars): made, shown, painted."""
    app = qt_app()
    data = chart_data()
    _first_paint_ms(app, data)  # warm: the pyqtgraph import, fonts, caches
    return [_first_paint_ms(app, data) for _ in range(RUNS)]
