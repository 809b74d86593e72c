"""The dialog of the exception hook: plain words first, the traceback on request."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Qt, Slot
from PySide6.QtGui import QDesktopServices, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from salesdesk.errors import ErrorReport
from salesdesk.ui.icons import icon
from salesdesk.ui import theme


class ErrorDialog(QDialog):
    """Shows one ``ErrorReport``; counts further errors that happen while it is open."""

    def __init__(self, report: ErrorReport, parent: QWidget | None = None):
        super().__init__(parent)
        self.report = report
        self.extra_errors = 0
        self.setObjectName("error_dialog")
        self.setWindowTitle(report.title if not report.user_error else "SalesDesk")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setMinimumWidth(540)

        tile = QLabel()
        tile.setPixmap(icon("alert", theme.DANGER if not report.user_error else theme.WARNING).pixmap(32, 32))
        tile.setAlignment(Qt.AlignmentFlag.AlignTop)
        heading = QLabel(report.title if not report.user_error else "That cannot be done")
        heading.setProperty("role", "section")
        self.message = QLabel(report.message)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.more = QLabel()
        self.more.setProperty("role", "muted")
        self.more.hide()

        text = QVBoxLayout()
        text.setSpacing(8)
        text.addWidget(heading)
        text.addWidget(self.message)
        text.addWidget(self.more)
        if report.log_file is not None and not report.user_error:
            where = QLabel(f"The details are also in the log file:<br><a href='{QUrl.fromLocalFile(str(report.log_file.parent)).toString()}'>{report.log_file}</a>")
            where.setProperty("role", "muted")
            where.setWordWrap(True)
            where.setTextFormat(Qt.TextFormat.RichText)
            where.linkActivated.connect(self._open_link)
            text.addWidget(where)
        top = QHBoxLayout()
        top.setSpacing(16)
        top.addWidget(tile, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(text, 1)

        self.details = QPlainTextEdit(report.details or "")
        self.details.setReadOnly(True)
        self.details.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)  # tracebacks read by line
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.details.setMinimumHeight(220)
        self.details.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        self.details_button = None
        if report.details:
            self.details_button = QPushButton("Show details")
            self.details_button.setCheckable(True)
            self.details_button.toggled.connect(self._toggle_details)
            buttons.addButton(self.details_button, QDialogButtonBox.ButtonRole.ActionRole)
            copy = QPushButton("Copy details")
            copy.clicked.connect(self._copy_details)
            buttons.addButton(copy, QDialogButtonBox.ButtonRole.ActionRole)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 20, 20, 16)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)

    def add_another(self) -> None:
        """Another error happened while this dialog was open; the log has it."""
        self.extra_errors += 1
        self.more.setText(
            f"{self.extra_errors} more error{'s' if self.extra_errors > 1 else ''} happened since; "
            "they are in the log file."
        )
        self.more.show()

    @Slot(bool)
    def _toggle_details(self, shown: bool) -> None:
        self.details.setVisible(shown)
        assert self.details_button is not None  # the button that sent this
        self.details_button.setText("Hide details" if shown else "Show details")
        self.adjustSize()

    @Slot()
    def _copy_details(self) -> None:
        QGuiApplication.clipboard().setText(f"{self.report.message}\n\n{self.report.details or ''}")

    @Slot(str)
    def _open_link(self, link: str) -> None:
        QDesktopServices.openUrl(QUrl(link))
