"""What happens when code in a slot raises: log it, tell the user, show stored data.

PySide6 prints an exception raised in a slot and carries on, so without this hook a
failed commit could leave a card drawn where the database says it is not.  The hook
replaces ``sys.excepthook``; it logs the traceback, shows a non-blocking dialog and asks
the window to reload what it shows from the database.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from salesdesk.errors import ErrorReport, SalesDeskError, describe_error

if TYPE_CHECKING:  # the dialog's module loads with the first error
    from salesdesk.ui.dialogs.error_dialog import ErrorDialog

log = logging.getLogger(__name__)


class ExceptionHook(QObject):
    """Our ``sys.excepthook`` while the window runs.

    Signals:
        error_reported(ErrorReport): emitted after an error was logged, before it is shown.

    An error while a dialog is already open is logged and counted in that dialog
    rather than opening another one, so a failing paint cannot stack hundreds of them.
    """

    error_reported = Signal(object)

    def __init__(self, log_file: Path | None, parent: QObject | None = None):
        super().__init__(parent)
        self.log_file = log_file
        self.window: QWidget | None = None
        self.reload: Callable[[], None] | None = None
        self.dialog: ErrorDialog | None = None
        self._previous: Callable[..., Any] | None = None
        self._handling = False
        self._reload_pending = False

    def attach(self, window: QWidget, reload: Callable[[], None]) -> None:
        """Parent dialogs on ``window`` and call ``reload`` after an unexpected error."""
        self.window = window
        self.reload = reload

    def install(self) -> None:
        if sys.excepthook is not self:
            self._previous = sys.excepthook
            sys.excepthook = self

    def uninstall(self) -> None:
        if sys.excepthook is self:
            sys.excepthook = self._previous or sys.__excepthook__
        self.window = self.reload = None  # the window is gone; keep nothing of it alive

    def __call__(self, exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        if issubclass(exc_type, SalesDeskError):
            log.warning("refused: %s", exc)
        else:
            log.error("unexpected error", exc_info=(exc_type, exc, tb))
        if self._handling:  # the dialog itself failed: the log has it, stop here
            return
        self._handling = True
        try:
            self._report(describe_error(exc_type, exc, tb, self.log_file))
        except Exception:
            log.exception("could not show the error dialog")
        finally:
            self._handling = False

    def _report(self, report: ErrorReport) -> None:
        self.error_reported.emit(report)
        if self.dialog is not None:
            # Counted, not reloaded again: a reload that itself fails must not loop.
            self.dialog.add_another()
            return
        if report.reload:
            self._schedule_reload()
        from salesdesk.ui.dialogs.error_dialog import ErrorDialog

        self.dialog = ErrorDialog(report, self.window)
        self.dialog.finished.connect(self._dialog_finished)
        self.dialog.open()  # window-modal and non-blocking: the hook returns at once

    def _schedule_reload(self) -> None:
        # Later, not now: the failed slot may still be on the stack.
        if self.reload is not None and not self._reload_pending:
            self._reload_pending = True
            QTimer.singleShot(0, self._reload_now)

    @Slot()
    def _reload_now(self) -> None:
        self._reload_pending = False
        if self.reload is not None:
            self.reload()

    @Slot(int)
    def _dialog_finished(self, _result: int) -> None:
        dialog, self.dialog = self.dialog, None
        if dialog is not None:
            dialog.deleteLater()
