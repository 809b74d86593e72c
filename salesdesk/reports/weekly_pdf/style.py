"""The weekly PDF's colours, shared by its layout and its charts."""

from __future__ import annotations

from PySide6.QtGui import QColor

ACCENT = QColor("#1f4e79")
RULE = QColor("#b8c4d0")
BAND = QColor("#eef2f6")
MUTED = QColor("#5a6570")
GOOD = QColor("#2e7d32")
SHORT = QColor("#c77700")
TRACK = QColor("#e3e8ee")
