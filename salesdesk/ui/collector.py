"""Python's cycle collector, run on the GUI thread only.

Left automatic, the collector runs in whichever thread happens to allocate enough: a
background thread (a backup, the warm-up import) then frees Qt objects that were only
kept alive by reference cycles, while the GUI thread is painting.  Qt does not allow
that and crashes ("QPaintDevice: Cannot destroy paint device that is being painted",
then a segfault in the board's card painter: seen in the tests).  pyqtgraph ships the
same remedy (``pyqtgraph.util.garbage_collector``): automatic collection off, and a
timer on the GUI thread collects the generations whose thresholds were passed.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    """Collect on this (the GUI) thread, as often as the automatic collector would."""

    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self.setObjectName("gui_thread_collector")
        self.threshold = gc.get_threshold()
        gc.disable()
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        young, middle, old = gc.get_count()
        if young > self.threshold[0]:
            gc.collect(0)
            if middle > self.threshold[1]:
                gc.collect(1)
                if old > self.threshold[2]:
                    gc.collect(2)


def collect_on_gui_thread(app: QObject) -> GuiThreadCollector:
    """Install the collector once for ``app`` (a second call returns the first)."""
    found = app.findChild(GuiThreadCollector, "gui_thread_collector")
    return found if found is not None else GuiThreadCollector(app)
