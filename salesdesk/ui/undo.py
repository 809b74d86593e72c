"""Undo steps over services, shared by the screens.

``run_step`` does a change at once (so a refusal is shown and nothing is pushed); only
a change that was saved becomes an undo step.  Redo calls the service again, undo
calls its counterpart with what the first call returned; each in its own transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoCommand, QUndoStack

from salesdesk.errors import log_if_unexpected


class ServiceStep(QUndoCommand):
    def __init__(self, db, text: str, do: Callable, undo: Callable, shown: Callable[[Any, bool], None],
                 failed: Callable[[Exception], None], result: Any):
        super().__init__(text)
        self._db, self._do, self._undo, self._shown, self._failed = db, do, undo, shown, failed
        self._result = result
        self._fresh = True

    def redo(self):
        if self._fresh:
            self._fresh = False
            return
        try:
            with self._db.transaction() as session:
                self._result = self._do(session)
        except Exception as exc:
            log_if_unexpected(exc, f"redo of {self.text()!r}", __name__)
            self.setObsolete(True)
            self._failed(exc)
            return
        self._shown(self._result, False)

    def undo(self):
        try:
            with self._db.transaction() as session:
                self._undo(session, self._result)
        except Exception as exc:
            log_if_unexpected(exc, f"undo of {self.text()!r}", __name__)
            self.setObsolete(True)
            self._failed(exc)
            return
        self._shown(self._result, True)


def run_step(stack: QUndoStack, db, text: str, do: Callable, undo: Callable,
             shown: Callable[[Any, bool], None], failed: Callable[[Exception], None], *, raise_errors: bool = False) -> bool:
    """Do a change now; on success make it an undo step.  ``shown(result, undone)``
    mirrors it on screen; ``failed(exc)`` tells the user why a later redo or undo was
    refused, and why this one was unless ``raise_errors`` (a dialog shows it itself)."""
    try:
        with db.transaction() as session:
            result = do(session)
    except Exception as exc:
        if raise_errors:
            raise
        log_if_unexpected(exc, repr(text), __name__)
        failed(exc)
        return False
    shown(result, False)
    stack.push(ServiceStep(db, text, do, undo, shown, failed, result))
    return True
