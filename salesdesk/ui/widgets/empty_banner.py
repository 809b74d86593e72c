"""The banner shown over the screens while the open database holds no company yet."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from salesdesk.ui import theme
from salesdesk.ui.icons import icon


class EmptyDatabaseBanner(QFrame):
    """Offers the demo company or a clean start.

    Signals:
        load_demo_requested(): the user wants the demo company loaded.
        start_empty_requested(): the user will enter their own data; hide the banner.
    """

    load_demo_requested = Signal()
    start_empty_requested = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("empty_banner")
        glyph = QLabel()
        glyph.setPixmap(icon("database", theme.ACCENT).pixmap(28, 28))
        heading = QLabel("This database is empty")
        heading.setProperty("role", "section")
        self.text = QLabel(
            "Load the demo company to explore SalesDesk with realistic people, customers and deals, "
            "or start with an empty database and add your own."
        )
        self.text.setProperty("role", "muted")
        self.text.setWordWrap(True)
        self.load_button = QPushButton(icon("demo", "#ffffff"), "Load the demo company")
        self.load_button.setProperty("role", "primary")
        self.load_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.load_button.clicked.connect(self.load_demo_requested)
        self.empty_button = QPushButton("Start with an empty database")
        self.empty_button.setProperty("role", "secondary")
        self.empty_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.empty_button.clicked.connect(self.start_empty_requested)

        words = QVBoxLayout()
        words.setSpacing(4)
        words.addWidget(heading)
        words.addWidget(self.text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(14)
        layout.addWidget(glyph, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(words, 1)
        layout.addWidget(self.empty_button, 0, Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.load_button, 0, Qt.AlignmentFlag.AlignVCenter)

    def set_demo_available(self, available: bool, reason: str = "") -> None:
        self.load_button.setEnabled(available)
        self.load_button.setToolTip(reason)
