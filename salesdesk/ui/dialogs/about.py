"""About SalesDesk: what runs, with which libraries, on which files."""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

import salesdesk
from salesdesk.ui.icons import app_icon


def versions() -> list[tuple[str, str]]:
    import PySide6
    import sqlalchemy

    return [
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
        ("SQLAlchemy", sqlalchemy.__version__),
    ]


class AboutDialog(QDialog):
    def __init__(self, *, database: str, read_only: bool, data_dir: Path, log_dir: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("about_dialog")
        self.setWindowTitle("About SalesDesk")
        self.setMinimumWidth(460)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        name = QLabel("SalesDesk")
        name.setProperty("role", "title")
        version = QLabel(f"Version {salesdesk.__version__}")
        version.setProperty("role", "muted")
        tagline = QLabel("Run a sales team from the desktop: pipeline, org chart, targets and weekly reports.")
        tagline.setWordWrap(True)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(name)
        heading.addWidget(version)
        heading.addSpacing(6)
        heading.addWidget(tagline)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(logo, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(heading, 1)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setHorizontalSpacing(14)
        form.setVerticalSpacing(6)
        for label, value in versions():
            form.addRow(self._label(label), self._value(value))
        form.addRow(self._label("Database"), self._value(database + ("  (read-only)" if read_only else "")))
        form.addRow(self._label("Data folder"), self._value(str(data_dir)))
        form.addRow(self._label("Log folder"), self._value(str(log_dir)))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 16)
        layout.setSpacing(18)
        layout.addLayout(top)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @staticmethod
    def _label(text: str) -> QLabel:
        label = QLabel(text)
        label.setProperty("role", "muted")
        return label

    @staticmethod
    def _value(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setWordWrap(True)
        return label
