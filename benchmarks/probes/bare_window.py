"""Baseline: a bare QApplication and QMainWindow, shown and painted."""

from PySide6.QtWidgets import QApplication, QMainWindow

from benchmarks.probes.paint import FirstPaint

app = QApplication([])
window = QMainWindow()
window.resize(1280, 800)
probe = FirstPaint(window)
window.show()
raise SystemExit(app.exec())
