"""Every change the user makes is one operation.

An ``Operation`` is an undo step over services: its ``redo`` runs a service in one
transaction (the first time too: pushing it is what makes the change), its ``undo``
runs the service's counterpart with what the change returned, and after each it
mirrors the result on the screen that made it (``shown``) and announces what changed
on the window's ``History`` (``changes_committed(Changes)``), so that every other
screen that shows those kinds of records reads them again when it is next on view.

A refused change (a rule, a locked file) is shown to the user and leaves nothing on
the undo stack; a bug is logged with its traceback as well (``log_if_unexpected``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QUndoCommand

from salesdesk.errors import log_if_unexpected

if TYPE_CHECKING:
    from salesdesk.db.engine import Database
    from salesdesk.ui.history import History

# The kinds of records a change touches; each screen declares those it shows
# (``Screen.shows``).  Company-wide settings (the currency) count as SETTINGS.
DEALS = "deals"
PEOPLE = "people"
TARGETS = "targets"
STAGES = "stages"
NOTES = "notes"
RATES = "rates"
SETTINGS = "settings"
EVERYTHING = frozenset({DEALS, PEOPLE, TARGETS, STAGES, NOTES, RATES, SETTINGS})


@dataclass(frozen=True)
class Changes:
    """What one step changed: the kinds of records, their ids where known, and the
    key of the screen that made it (which shows the change itself)."""

    kinds: frozenset[str]
    ids: frozenset[int] = frozenset()
    owner: str = ""


Shown = Callable[[Any, bool], None]  # (result, undone)
Failed = Callable[[Exception], None]


class Operation(QUndoCommand):
    """``do(session) -> result``; ``undo(session, result)``; ``redo(session, result) ->
    result`` when doing it again differs from the first time (default: ``do`` again).

    ``ids`` names the records changed, or computes them from the result.
    """

    def __init__(self, db: Database, text: str, do: Callable[[Any], Any], undo: Callable[[Any, Any], Any], *,
                 kinds: Iterable[str], shown: Shown | None = None, failed: Failed | None = None,
                 redo: Callable[[Any, Any], Any] | None = None,
                 ids: Iterable[int] | Callable[[Any], Iterable[int]] = ()):
        super().__init__(text)
        self._db = db
        self._do, self._undo, self._redo = do, undo, redo
        self._shown = shown or (lambda result, undone: None)
        self._failed = failed or (lambda exc: None)
        self._kinds = frozenset(kinds)
        self._ids = ids
        self.result: Any = None
        self.error: Exception | None = None  # why the first run was refused, for ``perform`` to raise
        self.done = False  # the change was made at least once
        self.report_first_failure = True  # False: the caller shows a refusal of the first run
        self.owner = ""
        self.announce: Callable[[Changes], None] = lambda changes: None

    def redo(self) -> None:
        if self.done and self._redo is not None:
            redo, result = self._redo, self.result
            ran = self._run(lambda session: redo(session, result), "redo")
        else:
            ran = self._run(self._do, "redo" if self.done else "first run")
        if ran:
            self.done = True
            self._finish(undone=False)

    def undo(self) -> None:
        undo, result = self._undo, self.result
        if self._run(lambda session: undo(session, result), "undo", keep_result=True):
            self._finish(undone=True)

    def _run(self, work: Callable[[Any], Any], what: str, keep_result: bool = False) -> bool:
        try:
            with self._db.transaction() as session:
                result = work(session)
        except Exception as exc:  # refused, or a bug: said to the user, logged if a bug
            self.setObsolete(True)  # the stack drops it: nothing to undo or redo
            if self.done or self.report_first_failure:
                log_if_unexpected(exc, f"{what} of {self.text()!r}", __name__)
                self._failed(exc)
            else:
                self.error = exc  # ``perform`` raises it to its caller
            return False
        if not keep_result:
            self.result = result
        return True

    def _finish(self, undone: bool) -> None:
        self._shown(self.result, undone)
        ids = self._ids(self.result) if callable(self._ids) else self._ids
        self.announce(Changes(self._kinds, frozenset(ids), self.owner))


def perform(history: History, operation: Operation, *, raise_errors: bool = False) -> bool:
    """Make the change and, if it was saved, keep it as the last undo step.

    A refusal is passed to ``failed``, or raised instead with ``raise_errors`` (a dialog
    that shows it under a field and stays open); either way nothing is pushed.
    """
    operation.owner = history.owner
    operation.announce = history.changes_committed.emit
    operation.report_first_failure = not raise_errors
    history.push(operation)  # runs its first redo: the change itself
    if operation.done:
        return True
    error, operation.error = operation.error, None
    if error is not None:
        try:
            raise error
        finally:  # the traceback holds this frame: without this, a cycle keeps the caller's dialog alive
            del error
    return False


def run_step(history: History, db: Database, text: str, do: Callable[[Any], Any], undo: Callable[[Any, Any], Any],
             shown: Shown, failed: Failed, *, kinds: Iterable[str], ids: Iterable[int] = (),
             raise_errors: bool = False) -> bool:
    """``perform`` of an ``Operation`` built from these parts: the usual shape of an edit."""
    return perform(history, Operation(db, text, do, undo, kinds=kinds, shown=shown, failed=failed, ids=ids),
                   raise_errors=raise_errors)
