"""Report the moment a window has been painted for the first time, then quit.

The first Paint event arrives before the painting; a zero-delay timer posted from it
runs once the whole window is painted and flushed, which is when we print the time.
Kept free of heavy imports: the probes import it after what they measure.
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from salesdesk.clock import CLOCK


class FirstPaint(QObject):
    def __init__(self, window: QWidget):
        super().__init__(window)
        self.window = window
        self.seen = False
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.seen and watched is self.window and event.type() == QEvent.Type.Paint:
            self.seen = True
            QTimer.singleShot(0, self.report)
        return False

    def report(self) -> None:
        # BENCH_T0 is the parent's monotonic reading just before it started this
        # process; Linux's monotonic clock is one for the whole machine.
        started = float(os.environ["BENCH_T0"])
        print(f"PAINTED_MS {CLOCK.elapsed_since(started) * 1000:.3f}", flush=True)
        sys.stdout.flush()
        QApplication.instance().exit(0)
