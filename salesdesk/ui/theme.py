"""Colours, palette and style sheet: one place for the look of the program.

Fusion with our own light palette looks the same on every desktop, which keeps the
screenshots in the docs honest.  Widgets opt into the special looks by object name or
by a ``role`` property, so the style sheet never surprises a widget that did not ask.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

WINDOW = "#f4f5f8"
SURFACE = "#ffffff"
SIDEBAR = "#eceef3"
BORDER = "#dde1e8"
TEXT = "#1c2230"
MUTED = "#667085"
ICON = "#4a5467"
ICON_DISABLED = "#b4bac6"
ACCENT = "#3b5bdb"
ACCENT_SOFT = "#e3e8fd"
ACCENT_TEXT = "#2c46b8"
DANGER = "#c92a2a"
DANGER_SOFT = "#fdecec"
WARNING = "#b35c00"
WARNING_SOFT = "#fff4e0"
SUCCESS = "#2b8a3e"
BAR = "#91a7ff"


def palette() -> QPalette:
    p = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    for r, colour in (
        (role.Window, WINDOW),
        (role.WindowText, TEXT),
        (role.Base, SURFACE),
        (role.AlternateBase, "#f7f8fa"),
        (role.Text, TEXT),
        (role.Button, "#f9fafb"),
        (role.ButtonText, TEXT),
        (role.ToolTipBase, TEXT),
        (role.ToolTipText, SURFACE),
        (role.PlaceholderText, MUTED),
        (role.Highlight, ACCENT),
        (role.HighlightedText, "#ffffff"),
        (role.Link, ACCENT),
        (role.Light, "#ffffff"),
        (role.Midlight, "#eef0f4"),
        (role.Mid, "#c9ced8"),
        (role.Dark, "#9aa1ae"),
        (role.Shadow, "#6b7280"),
    ):
        p.setColor(r, QColor(colour))
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(group.Disabled, r, QColor("#a0a6b1"))
    return p


STYLE_SHEET = f"""
QToolBar#main_toolbar {{
    background: {SURFACE};
    border: none;
    border-bottom: 1px solid {BORDER};
    padding: 4px 8px;
    spacing: 2px;
}}
QToolBar#main_toolbar QToolButton {{
    padding: 4px 8px;
    border-radius: 6px;
    color: {TEXT};
}}
QToolBar#main_toolbar QToolButton:hover {{ background: #eef0f4; }}
QToolBar#main_toolbar QToolButton:pressed {{ background: {ACCENT_SOFT}; }}
QToolBar#main_toolbar QToolButton:disabled {{ color: #a0a6b1; }}

QWidget#sidebar_panel {{
    background: {SIDEBAR};
    border-right: 1px solid {BORDER};
}}
QLabel#sidebar_product {{ font-size: 15px; font-weight: 700; color: {TEXT}; }}
QLabel#sidebar_company {{ color: {MUTED}; }}
QListWidget#sidebar {{
    background: transparent;
    border: none;
    padding: 8px 10px;
    outline: 0;
}}
QListWidget#sidebar::item {{
    color: {TEXT};
    padding: 7px 10px;
    margin: 1px 0;
    border-radius: 7px;
}}
QListWidget#sidebar::item:hover {{ background: #e1e4eb; }}
QListWidget#sidebar::item:selected {{
    background: {ACCENT_SOFT};
    color: {ACCENT_TEXT};
    font-weight: 600;
}}

QScrollArea#screen_scroll, QWidget#screen_body {{ background: {WINDOW}; border: none; }}

QFrame#card {{
    background: {SURFACE};
    border: 1px solid {BORDER};
    border-radius: 10px;
}}
QFrame#icon_tile {{
    background: {ACCENT_SOFT};
    border-radius: 14px;
}}
QLabel[role="title"] {{ font-size: 22px; font-weight: 600; color: {TEXT}; }}
QLabel[role="lead"] {{ font-size: 14px; color: {MUTED}; }}
QLabel[role="muted"] {{ color: {MUTED}; }}
QLabel[role="warning"] {{ color: {WARNING}; }}
QLabel[role="caption"] {{ color: {MUTED}; font-size: 11px; font-weight: 600; letter-spacing: 0.5px; }}
QLabel[role="figure"] {{ font-size: 24px; font-weight: 600; color: {TEXT}; }}
QLabel[role="figure"][tone="danger"] {{ color: {DANGER}; }}
QLabel[role="figure"][tone="success"] {{ color: {SUCCESS}; }}
QLabel[role="section"] {{ font-size: 14px; font-weight: 600; color: {TEXT}; }}
QLabel[role="chip"] {{
    background: {ACCENT_SOFT};
    color: {ACCENT_TEXT};
    border-radius: 8px;
    padding: 2px 9px;
    font-size: 11px;
    font-weight: 600;
}}
QLabel[role="chip"][tone="warning"] {{ background: {WARNING_SOFT}; color: {WARNING}; }}

QFrame#empty_banner {{
    background: {SURFACE};
    border: 1px solid #c5d0fa;
    border-left: 4px solid {ACCENT};
    border-radius: 8px;
}}
QPushButton[role="primary"] {{
    background: {ACCENT};
    color: #ffffff;
    border: 1px solid {ACCENT};
    border-radius: 6px;
    padding: 6px 14px;
    font-weight: 600;
}}
QPushButton[role="primary"]:hover {{ background: #324fc7; }}
QPushButton[role="primary"]:disabled {{ background: #aab8ee; border-color: #aab8ee; }}
QPushButton[role="secondary"] {{
    background: {SURFACE};
    color: {TEXT};
    border: 1px solid #c9ced8;
    border-radius: 6px;
    padding: 6px 14px;
}}
QPushButton[role="secondary"]:hover {{ background: #f2f4f7; }}

QStatusBar {{
    background: {SURFACE};
    border-top: 1px solid {BORDER};
    color: {MUTED};
}}
QStatusBar::item {{ border: none; }}
QStatusBar QLabel {{ color: {MUTED}; padding: 0 6px; }}
"""


def apply(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setPalette(palette())
    app.setStyleSheet(STYLE_SHEET)
