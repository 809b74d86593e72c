"""SalesDesk's real start: ``run_gui`` on a database, until the main window is painted."""

import sys

from salesdesk.app import run_gui

from PySide6.QtCore import QSettings  # noqa: E402

from benchmarks.probes.paint import FirstPaint  # noqa: E402

probes = []
settings = QSettings(sys.argv[2], QSettings.Format.IniFormat)
raise SystemExit(run_gui(sys.argv[1], settings=settings, on_window=lambda window: probes.append(FirstPaint(window))))
