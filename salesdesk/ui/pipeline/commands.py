"""Undo steps of the board: each ``redo``/``undo`` is one service call in its own
transaction, then the model mirrors what was committed.

A command is pushed after its first application succeeded (the drop or the dialog
already saved), so its first ``redo`` does nothing.  A step that fails later (the file
became read-only, say) is reported, the board reloads, and the step is dropped.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from salesdesk.ui.pipeline.model import Applied, BoardModel, _deals


def _title_of(model: BoardModel, deal_id: int) -> str:
    return model.card_by_id(deal_id).title


class MoveDealsCommand(QUndoCommand):
    def __init__(self, model: BoardModel, applied: Applied, text: str):
        super().__init__(text)
        self._model = model
        self._applied = applied
        self._fresh = True

    def redo(self):
        if self._fresh:
            self._fresh = False
            return
        again = self._model.redo(self._applied)
        if again is None:
            self.setObsolete(True)
        else:
            self._applied = again

    def undo(self):
        if not self._model.undo(self._applied):
            self.setObsolete(True)


def move_text(model: BoardModel, applied: Applied) -> str:
    records = applied.records
    if applied.lost:
        what = f"“{_title_of(model, records[0].before.deal_id)}”" if len(records) == 1 else f"{len(records)} deals"
        return f"Mark {what} lost"
    stage_name = next((c.stage.name for c in model.data_snapshot.columns if c.stage.id == records[0].after.stage_id), "")
    what = f"“{_title_of(model, records[0].before.deal_id)}”" if len(records) == 1 else f"{len(records)} deals"
    if all(r.before.stage_id == r.after.stage_id for r in records):
        return f"Reorder {what}"
    return f"Move {what} to {stage_name}"


class _BoardStep(QUndoCommand):
    """A step whose ``redo``/``undo`` each commit one transaction, then update the board."""

    def __init__(self, model: BoardModel, db, text: str):
        super().__init__(text)
        self._model, self._db = model, db

    def _commit(self, work) -> bool:
        """``work(session)`` in one transaction; when it fails the board says why and
        shows the database's truth, and this step is dropped (False)."""
        try:
            with self._db.transaction() as session:
                work(session)
        except Exception as exc:
            self.setObsolete(True)
            self._model.report_failure(exc)
            return False
        return True


class DeleteDealsCommand(_BoardStep):
    """Delete deals (history, activities and lines with them); undo restores them whole."""

    def __init__(self, model: BoardModel, db, deal_ids: list[int]):
        titles = [_title_of(model, i) for i in deal_ids]
        super().__init__(model, db, f"Delete “{titles[0]}”" if len(titles) == 1 else f"Delete {len(titles)} deals")
        self._ids = list(deal_ids)
        self._snapshots: list[object] = []
        self.failed = False

    def redo(self):
        def delete(session):
            self._snapshots = [_deals().delete_deal(session, i) for i in self._ids]

        if not self._commit(delete):
            self.failed = True
            return
        for deal_id in self._ids:
            self._model.forget_deal(deal_id)

    def undo(self):
        def restore(session):
            for snapshot in self._snapshots:
                _deals().restore_deal(session, snapshot)

        if self._commit(restore):
            for deal_id in self._ids:
                self._model.refresh_deal(deal_id)


class CreateDealCommand(_BoardStep):
    """A deal created in the editor (already saved); undo deletes it, redo restores it."""

    def __init__(self, model: BoardModel, db, deal_id: int, title: str):
        super().__init__(model, db, f"New deal “{title}”")
        self._id = deal_id
        self._snapshot: object | None = None
        self._fresh = True

    def redo(self):
        if self._fresh or self._commit(lambda session: _deals().restore_deal(session, self._snapshot)):
            self._fresh = False
            self._model.refresh_deal(self._id)

    def undo(self):
        def delete(session):
            self._snapshot = _deals().delete_deal(session, self._id)

        if self._commit(delete):
            self._model.forget_deal(self._id)


class EditDealCommand(_BoardStep):
    """Fields changed in the editor (already saved); undo and redo swap the values."""

    def __init__(self, model: BoardModel, db, deal_id: int, before: dict, after: dict, title: str):
        super().__init__(model, db, f"Edit “{title}”")
        self._id = deal_id
        self._before, self._after = before, after
        self._fresh = True

    def _set(self, values: dict) -> None:
        if self._commit(lambda session: _deals().edit_deal(session, self._id, **values)):
            self._model.refresh_deal(self._id)

    def redo(self):
        if self._fresh:
            self._fresh = False
            self._model.refresh_deal(self._id)
            return
        self._set(self._after)

    def undo(self):
        self._set(self._before)
