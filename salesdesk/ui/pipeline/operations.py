"""The board's changes, each one operation (``ui/operations``): a deal service in one
transaction, one undo step, announced to the other screens; the model then shows the
records the service returned.

``BoardOperations`` is what the board's widgets call (a drop, Ctrl+Right, Won, Lost,
Delete); the deal editor's ``create_deal``/``edit_deal`` operations run from its Save
button, so that a refusal shows under the field and the editor stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from salesdesk.db.engine import Database
from salesdesk.ui.history import History
from salesdesk.ui.operations import DEALS, Failed, Operation, perform
from salesdesk.ui.pipeline.model import Applied, BoardModel


def _deals():
    """The deal services, imported on the first change (they bring SQLAlchemy, which
    the board does not need to paint)."""
    from salesdesk.services import deals

    return deals


def _quoted(title: str) -> str:
    return f"“{title}”"


class BoardOperations:
    """Moves, losses and deletions of the deals on ``model``'s board."""

    def __init__(self, model: BoardModel, db: Database, history: History):
        self.model, self.db, self.history = model, db, history

    def _what(self, deal_ids: list[int]) -> str:
        return _quoted(self.model.card_by_id(deal_ids[0]).title) if len(deal_ids) == 1 else f"{len(deal_ids)} deals"

    def _perform(self, operation: Operation) -> Operation | None:
        return operation if perform(self.history, operation) else None

    # -- placements ----------------------------------------------------------------------
    def move(self, deal_ids: list[int], column_row: int, row: int = -1) -> Operation | None:
        """Deals dropped in a column before its ``row`` (-1: at the end)."""
        model = self.model
        if not deal_ids or model.read_only or not 0 <= column_row < model.column_count():
            return None
        model.prefetch(deal_ids)  # their amounts move the totals
        stage = model.column(column_row).stage
        before_id, after_id = model.neighbours(column_row, row, deal_ids)
        reorder = all(model.card_by_id(i).stage_id == stage.id for i in deal_ids)
        text = f"Reorder {self._what(deal_ids)}" if reorder else f"Move {self._what(deal_ids)} to {stage.name}"

        def do(session) -> Applied:
            drop = _deals().drop_deals(session, deal_ids, stage.id, before_id, after_id)
            return Applied(tuple(drop.records), renumbered=drop.renumbered)

        def again(session, applied: Applied) -> Applied:  # where the first run put them
            return Applied(tuple(_deals().move_deal(session, r.before.deal_id, r.after.stage_id, r.after.position)
                                 for r in applied.records))

        return self._perform(Operation(self.db, text, do, _restore, redo=again, kinds={DEALS}, ids=set(deal_ids),
                                       shown=self._show_placements, failed=model.report_failure))

    def lose(self, deal_ids: list[int], reason_id: int | None, note: str | None) -> Operation | None:
        """Mark deals lost: they leave the board."""
        if not deal_ids or self.model.read_only:
            return None
        self.model.prefetch(deal_ids)

        def do(session) -> Applied:
            return Applied(tuple(_deals().mark_lost(session, i, reason_id, note) for i in deal_ids), lost=True)

        return self._perform(Operation(self.db, f"Mark {self._what(deal_ids)} lost", do, _restore, kinds={DEALS},
                                       ids=set(deal_ids), shown=self._show_placements,
                                       failed=self.model.report_failure))

    def _show_placements(self, applied: Applied, undone: bool) -> None:
        if applied.renumbered and not undone:
            self.model.reload()  # the column's other cards moved too
        else:
            self.model.apply(applied, undo=undone)

    # -- deals that go and come back ---------------------------------------------------------
    def delete(self, deal_ids: list[int]) -> Operation | None:
        """Delete deals (history, activities and lines with them); undo restores them whole."""
        if not deal_ids or self.model.read_only:
            return None
        text = f"Delete {self._what(deal_ids)}"

        def do(session) -> list:
            return [_deals().delete_deal(session, i) for i in deal_ids]

        def undo(session, snapshots: list) -> None:
            for snapshot in snapshots:
                _deals().restore_deal(session, snapshot)

        def shown(_snapshots, undone: bool) -> None:
            for deal_id in deal_ids:
                if undone:
                    self.model.refresh_deal(deal_id)
                else:
                    self.model.forget_deal(deal_id)

        return self._perform(Operation(self.db, text, do, undo, kinds={DEALS}, ids=set(deal_ids), shown=shown,
                                       failed=self.model.report_failure))


def _restore(session, applied: Applied) -> None:
    _deals().restore_placements(session, list(applied.records))


def create_deal(db: Database, stage_id: int, values: dict, shown: Callable[[int], None] | None = None,
                failed: Failed | None = None) -> Operation:
    """A new deal from the editor's ``values``; undo deletes it, redo brings the same
    row back.  ``shown(deal_id)`` puts it on the board each time; ``failed`` says why an
    undo or redo was refused (the first run's refusal goes to the editor).

    A ``new_account`` name in ``values`` creates that account in the same step, and
    undo takes it back with the deal."""
    from salesdesk.services import accounts

    kept: dict[str, Any] = {}
    values = dict(values)
    new_account = values.pop("new_account", None)

    def do(session) -> int:
        if new_account:
            values["account_id"] = accounts.create_account(session, new_account, owner_id=values.get("owner_id"))
        return _deals().create_deal(session, stage_id=stage_id, **values)

    def undo(session, deal_id: int) -> None:
        kept["deleted"] = _deals().delete_deal(session, deal_id)
        if new_account:
            kept["account"] = accounts.remove_new_account(session, values["account_id"])

    def redo(session, deal_id: int) -> int:
        if new_account:
            accounts.restore_account(session, kept["account"])
        _deals().restore_deal(session, kept["deleted"])
        return deal_id

    def show(deal_id: int, _undone: bool) -> None:
        if shown is not None:
            shown(deal_id)

    return Operation(db, f"New deal {_quoted(values['title'].strip())}", do, undo, redo=redo, kinds={DEALS},
                     ids=lambda deal_id: {deal_id}, shown=show, failed=failed)


def edit_deal(db: Database, deal_id: int, changes: dict, title: str,
              shown: Callable[[int], None] | None = None, failed: Failed | None = None) -> Operation:
    """Fields changed in the editor; undo and redo swap the values (``failed`` as for
    ``create_deal``; a ``new_account`` likewise)."""
    from salesdesk.services import accounts

    changes = dict(changes)
    new_account = changes.pop("new_account", None)
    kept: dict[str, Any] = {}

    def do(session) -> dict:
        if new_account:
            if "account" in kept:
                accounts.restore_account(session, kept["account"])
            else:
                changes["account_id"] = accounts.create_account(session, new_account)
        return _deals().edit_deal(session, deal_id, **changes)

    def undo(session, before: dict) -> None:
        _deals().edit_deal(session, deal_id, **before)
        if new_account:
            kept["account"] = accounts.remove_new_account(session, changes["account_id"])

    def show(_before, _undone: bool) -> None:
        if shown is not None:
            shown(deal_id)

    return Operation(db, f"Edit {_quoted(title)}", do, undo, kinds={DEALS}, ids={deal_id}, shown=show,
                     failed=failed)
