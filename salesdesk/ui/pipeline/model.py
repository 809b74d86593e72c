"""The board as a two-level item model: stages at the top, their cards below.

The model holds each column's deal ids and positions, its running totals, and a cache
of the plain ``Card`` tuples in sight (never ORM objects); it changes them only after
the database has committed.  It writes nothing itself: every change is an operation
(``ui/pipeline/operations``) that runs the deal services in one short transaction and
hands the model the records committed; the model then updates the
columns involved with fine-grained move/insert/remove signals, never a reset, so
selection and scroll positions survive a drop.

Signals:
    totals_changed(int): a column's count or totals changed (argument: its row).
    save_failed(str): a change could not be saved; the board was reloaded from the
        database and the argument says why, for the user.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from collections.abc import Iterable
from typing import TYPE_CHECKING, overload

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from salesdesk.domain.money import from_cents
from salesdesk.services import board as board_data
from salesdesk.services.board import BoardData, BoardFilter, Card

if TYPE_CHECKING:
    from salesdesk.db.engine import Database
    from salesdesk.services.deals import MoveRecord, Placement

MIME_TYPE = "application/x-salesdesk-deal-ids"


# Item data roles beyond Qt's own.
DealIdRole = Qt.ItemDataRole.UserRole + 1
AmountRole = Qt.ItemDataRole.UserRole + 2
StaleRole = Qt.ItemDataRole.UserRole + 3
FollowUpRole = Qt.ItemDataRole.UserRole + 4
CountRole = Qt.ItemDataRole.UserRole + 5
WeightedRole = Qt.ItemDataRole.UserRole + 6
StageIdRole = Qt.ItemDataRole.UserRole + 7
CardRole = Qt.ItemDataRole.UserRole + 8


@dataclass(frozen=True)
class Applied:
    """A move or a loss as committed: the service records that undo puts back, and
    whether the drop renumbered its column first (the board is then read again)."""

    records: tuple[MoveRecord, ...]
    lost: bool = False
    renumbered: bool = False


def encode_ids(ids: list[int]) -> QMimeData:
    mime = QMimeData()
    mime.setData(MIME_TYPE, QByteArray(json.dumps(ids).encode()))
    mime.setText("\n".join(f"deal #{i}" for i in ids))
    return mime


def decode_ids(mime: QMimeData) -> list[int]:
    if not mime.hasFormat(MIME_TYPE):
        return []
    try:
        ids = json.loads(bytes(mime.data(MIME_TYPE).data()).decode())
    except ValueError:
        return []
    return [int(i) for i in ids if isinstance(i, int)]


class BoardModel(QAbstractItemModel):
    totals_changed = Signal(int)
    save_failed = Signal(str)

    def __init__(self, db: Database, parent: QObject | None = None):
        super().__init__(parent)
        self._db = db
        self._data: BoardData | None = None
        self._filter = BoardFilter()
        self._pipeline_id: int | None = None
        self._gone: dict[int, Card] = {}  # cards taken off the board, for undo

    # -- loading ------------------------------------------------------------------
    @property
    def _board(self) -> BoardData:
        """The board loaded; what asks for a column, a card or a change has one (the
        views ask only for the columns that ``column_count`` or ``rowCount`` gave)."""
        assert self._data is not None, "the board is not loaded"
        return self._data

    @property
    def today(self) -> dt.date:
        """The day the board was read (stale and due are counted from it)."""
        return self._board.today

    @property
    def board_filter(self) -> BoardFilter:
        return self._filter

    @property
    def pipeline_id(self) -> int | None:
        return self._pipeline_id

    @property
    def read_only(self) -> bool:
        return self._db.read_only

    def load(self, pipeline_id: int, board_filter: BoardFilter | None = None) -> None:
        if board_filter is not None:
            self._filter = board_filter
        with self._db.read() as reader:
            data = board_data.load_board(reader, pipeline_id, self._filter)
        self.beginResetModel()
        self._pipeline_id = pipeline_id
        self._data = data
        self._gone.clear()
        self.endResetModel()
        for row in range(len(data.columns)):
            self.totals_changed.emit(row)

    def reload(self) -> None:
        if self._pipeline_id is not None:
            self.load(self._pipeline_id)

    # -- structure ------------------------------------------------------------------
    def columnCount(self, parent=QModelIndex()) -> int:
        return 1

    def rowCount(self, parent=QModelIndex()) -> int:
        if self._data is None:
            return 0
        if not parent.isValid():
            return len(self._data.columns)
        if parent.internalId() == 0:
            return len(self._data.columns[parent.row()].ids)
        return 0

    def index(self, row, column=0, parent=QModelIndex()) -> QModelIndex:
        if self._data is None or column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            if row < len(self._data.columns):
                return self.createIndex(row, 0, 0)
            return QModelIndex()
        if parent.internalId() == 0 and row < len(self._data.columns[parent.row()].ids):
            # A card's internal id is its column row + 1: enough to find its parent.
            return self.createIndex(row, 0, parent.row() + 1)
        return QModelIndex()

    @overload
    def parent(self) -> QObject | None: ...

    @overload
    def parent(self, index: QModelIndex | QPersistentModelIndex) -> QModelIndex: ...

    def parent(self, index: QModelIndex | QPersistentModelIndex | None = None) -> QObject | QModelIndex | None:
        if index is None:  # QObject.parent(): the model's owner
            return super().parent()
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def hasChildren(self, parent=QModelIndex()) -> bool:
        return self.rowCount(parent) > 0

    def flags(self, index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
        return (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled
                | Qt.ItemFlag.ItemNeverHasChildren)

    # -- direct access for the painting view (no QModelIndex per painted card) -------
    def column_count(self) -> int:
        return 0 if self._data is None else len(self._data.columns)

    def column(self, row: int) -> board_data.Column:
        return self._board.columns[row]

    def column_row_of_stage(self, stage_id: int) -> int:
        for row, column in enumerate(self._board.columns):
            if column.stage.id == stage_id:
                return row
        raise KeyError(stage_id)

    def deal_id(self, column_row: int, row: int) -> int:
        return self._board.columns[column_row].ids[row]

    def card(self, column_row: int, row: int) -> Card:
        return self.card_by_id(self._board.columns[column_row].ids[row])

    def card_by_id(self, deal_id: int) -> Card:
        data = self._board
        card = data.cards.get(deal_id)
        if card is None:
            self.prefetch([deal_id])
            card = data.cards.get(deal_id)
            if card is None:  # deleted behind our back: draw something honest
                card = Card(deal_id, 0, 0.0, "(no longer in the database)", "", "", 0, None, None,
                            data.now, "open", None, None, 0)
        return card

    def prefetch(self, deal_ids: Iterable[int]) -> None:
        """Read the cards of these deals, if not cached yet (one query for all)."""
        data = self._board
        missing = [i for i in deal_ids if i not in data.cards]
        if missing:
            with self._db.read() as reader:
                data.cards.update(board_data.fetch_cards(reader, missing, data.book, data.today))

    def prefetch_rows(self, column_row: int, first: int, last: int) -> None:
        self.prefetch(self._board.columns[column_row].ids[first:last])

    def locate(self, deal_id: int, stage_id: int | None = None, position: float | None = None) -> tuple[int, int] | None:
        """(column row, card row) of a deal on the board, or None.

        With the deal's stage and position known this is a binary search; otherwise a
        scan of the id lists (fast: they are plain lists of ints).
        """
        if self._data is None:
            return None
        if stage_id is not None and position is not None:
            try:
                column_row = self.column_row_of_stage(stage_id)
            except KeyError:
                column_row = None
            if column_row is not None:
                column = self._data.columns[column_row]
                row = bisect.bisect_left(column.positions, position)
                for candidate in (row, row - 1, row + 1):
                    if 0 <= candidate < len(column.ids) and column.ids[candidate] == deal_id:
                        return column_row, candidate
        for column_row, column in enumerate(self._data.columns):
            try:
                return column_row, column.ids.index(deal_id)
            except ValueError:
                continue
        return None

    def details(self, card: Card) -> board_data.CardDetails:
        """Days in stage and next activity of a card, read now (for its hover text)."""
        with self._db.read() as reader:
            return board_data.card_details(reader, card, self.today)

    def is_stale(self, column_row: int, card: Card) -> bool:
        data = self._board
        return board_data.is_stale(card, data.columns[column_row].stage, data.now, data.today)

    def follow_up_due(self, card: Card) -> bool:
        return board_data.follow_up_due(card, self._board.today)

    def left_out(self, column_row: int) -> dict[str, int]:
        """Deals of a column not in its totals for want of an exchange rate, by currency."""
        return dict(self._board.columns[column_row].left_out)

    def totals(self, column_row: int) -> tuple[int, Decimal, Decimal]:
        """(count, amount, weighted amount) of a column as shown."""
        column = self._board.columns[column_row]
        weighted_cents = (column.weighted_cents_x100 + 50) // 100
        return column.count, from_cents(column.amount_cents), from_cents(weighted_cents)

    # -- item data (for accessibility, tests and generic views) ----------------------
    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or self._data is None:
            return None
        if index.internalId() == 0:
            column = self._data.columns[index.row()]
            count, amount, weighted = self.totals(index.row())
            if role == Qt.ItemDataRole.DisplayRole:
                return column.stage.name
            if role == CountRole:
                return count
            if role == AmountRole:
                return amount
            if role == WeightedRole:
                return weighted
            if role == StageIdRole:
                return column.stage.id
            return None
        column_row = index.internalId() - 1
        if role == DealIdRole:
            return self.deal_id(column_row, index.row())
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole, AmountRole, StaleRole,
                        FollowUpRole, StageIdRole, CardRole):
            return None
        card = self.card(column_row, index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return card.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{card.title}\n{card.account}\n{card.owner}"
        if role == AmountRole:
            return from_cents(card.amount_cents)
        if role == StaleRole:
            return self.is_stale(column_row, card)
        if role == FollowUpRole:
            return self.follow_up_due(card)
        if role == StageIdRole:
            return self._data.columns[column_row].stage.id
        return card

    # -- drag and drop ---------------------------------------------------------------
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:
        ids = [self.data(i, DealIdRole) for i in indexes if i.isValid() and i.internalId() != 0]
        return encode_ids([i for i in ids if i is not None])

    # -- changes: committed by an operation (ui/pipeline/operations), then shown here ------
    def neighbours(self, column_row: int, row: int, moving: list[int]) -> tuple[int | None, int | None]:
        """The deals a drop before ``row`` of a column lands between (None: an end),
        not counting the deals being moved themselves."""
        ids = self._board.columns[column_row].ids
        if row < 0 or row > len(ids):
            row = len(ids)
        skip = set(moving)
        before = next((ids[r] for r in range(row - 1, -1, -1) if ids[r] not in skip), None)
        after = next((ids[r] for r in range(row, len(ids)) if ids[r] not in skip), None)
        return before, after

    def report_failure(self, exc: Exception) -> None:
        """A change was refused or failed (the operation logged a bug): show the
        database's truth and say why."""
        from salesdesk.errors import SalesDeskError

        message = str(exc) if isinstance(exc, SalesDeskError) else _database_message(exc)
        self.reload()
        self.save_failed.emit(message)

    def apply(self, applied: Applied, *, undo: bool) -> None:
        """Mirror committed placements in the model, one fine-grained move per card."""
        moves = [(r.before, r.after) for r in reversed(applied.records)] if undo else \
            [(r.after, r.before) for r in applied.records]  # (where it goes, where it was)
        if any(self._comes_back_unknown(placement, old) for placement, old in moves):
            # The board was read again since the deal left it (lost, then a reload): it
            # holds no card to bring back, and only the database knows the filter's answer.
            self.reload()
            return
        touched: set[int] = set()
        for placement, old in moves:
            touched |= self._place(placement.deal_id, old, placement)
        self._recount(touched)

    def _comes_back_unknown(self, placement: Placement, old: Placement) -> bool:
        """The placement puts on this board a deal it neither shows (where ``old`` put it)
        nor keeps aside."""
        deal_id = placement.deal_id
        if str(placement.status) == "lost" or deal_id in self._gone or self.locate(deal_id, old.stage_id, old.position):
            return False
        try:
            self.column_row_of_stage(placement.stage_id)
        except KeyError:
            return False
        return True

    def _place(self, deal_id: int, old: Placement, placement: Placement) -> set[int]:
        """Show a deal where ``placement`` puts it; returns the column rows touched."""
        data = self._board
        found = self.locate(deal_id, old.stage_id, old.position)
        card = self.card_by_id(deal_id) if found else self._gone.pop(deal_id, None)
        if card is None:
            return set()  # neither shown nor kept: a filtered board ignores it
        new_card = card._replace(stage_id=placement.stage_id, position=placement.position,
                                 status=str(placement.status), stage_entered_at=placement.stage_entered_at)
        data.cards[deal_id] = new_card
        try:
            dst_row = self.column_row_of_stage(placement.stage_id)
        except KeyError:
            dst_row = None
        if str(placement.status) == "lost" or dst_row is None:  # not shown on this board
            self._gone[deal_id] = new_card
            if found:
                self._remove_at(*found, card)
                return {found[0]}
            return set()
        if not found:
            self._insert(dst_row, new_card)
            return {dst_row}
        src_row, src_index = found
        dst = data.columns[dst_row]
        if src_row == dst_row:
            keys = dst.positions[:src_index] + dst.positions[src_index + 1:]
            dst_index = bisect.bisect_right(keys, new_card.position)
        else:
            dst_index = bisect.bisect_right(dst.positions, new_card.position)
        # Qt wants the destination row as counted before the move.
        qt_dst = dst_index + 1 if (src_row == dst_row and dst_index >= src_index) else dst_index
        src = data.columns[src_row]
        if src_row == dst_row and qt_dst in (src_index, src_index + 1):
            src.positions[src_index] = new_card.position
            changed = self.index(src_index, 0, self.index(src_row))
            self.dataChanged.emit(changed, changed)
            return {src_row}
        self.beginMoveRows(self.index(src_row), src_index, src_index, self.index(dst_row), qt_dst)
        del src.ids[src_index]
        del src.positions[src_index]
        _subtract(src, card)
        dst.ids.insert(dst_index, deal_id)
        dst.positions.insert(dst_index, new_card.position)
        _add(dst, new_card)
        self.endMoveRows()
        return {src_row, dst_row}

    def _remove_at(self, column_row: int, row: int, card: Card | None) -> None:
        column = self._board.columns[column_row]
        self.beginRemoveRows(self.index(column_row), row, row)
        del column.ids[row]
        del column.positions[row]
        if card is not None:
            _subtract(column, card)
        self.endRemoveRows()
        if card is None:  # what it added to the totals is unknown: ask the database
            self._totals_from_database(column)

    def _insert(self, column_row: int, card: Card) -> int:
        column = self._board.columns[column_row]
        row = bisect.bisect_right(column.positions, card.position)
        self.beginInsertRows(self.index(column_row), row, row)
        column.ids.insert(row, card.id)
        column.positions.insert(row, card.position)
        _add(column, card)
        self.endInsertRows()
        return row

    def _totals_from_database(self, column: board_data.Column) -> None:
        with self._db.read() as reader:
            column.amount_cents, column.weighted_cents_x100, column.left_out = board_data.column_totals(
                reader, self._board, column, self._filter)

    def _recount(self, rows: set[int]) -> None:
        """Tell the views that these columns' totals changed."""
        for column_row in sorted(rows):
            self.totals_changed.emit(column_row)
            top = self.index(column_row)
            self.dataChanged.emit(top, top)

    # -- cards that appear, change or go (create, edit, delete) ------------------------
    def refresh_deal(self, deal_id: int) -> None:
        """Show a deal as the database now holds it (after create, edit or restore)."""
        data = self._board
        old = data.cards.pop(deal_id, None)
        self._gone.pop(deal_id, None)
        with self._db.read() as reader:
            fresh = board_data.fetch_cards(reader, [deal_id], data.book, data.today).get(deal_id)
        touched: set[int] = set()
        found = self.locate(deal_id, old.stage_id, old.position) if old else self.locate(deal_id)
        if found:
            self._remove_at(*found, old)
            touched.add(found[0])
        if fresh is not None:
            data.cards[deal_id] = fresh
            if fresh.status != "lost" and fresh.pipeline_id == self._pipeline_id:
                try:
                    column_row = self.column_row_of_stage(fresh.stage_id)
                except KeyError:
                    column_row = None
                if column_row is not None:
                    self._insert(column_row, fresh)
                    touched.add(column_row)
        self._recount(touched)

    def forget_deal(self, deal_id: int) -> None:
        """A deal was deleted: take its card off the board."""
        old = self._board.cards.pop(deal_id, None)
        self._gone.pop(deal_id, None)
        found = self.locate(deal_id, old.stage_id, old.position) if old else self.locate(deal_id)
        if found:
            self._remove_at(*found, old)
            self._recount({found[0]})


def _add(column: board_data.Column, card: Card, sign: int = 1) -> None:
    """A card's share of its column's totals, in the company's currency; a card without
    an exchange rate counts among the deals left out instead."""
    if card.home_cents is None:
        left = column.left_out.get(card.currency, 0) + sign
        if left:
            column.left_out[card.currency] = left
        else:
            column.left_out.pop(card.currency, None)
        return
    column.amount_cents += sign * card.home_cents
    column.weighted_cents_x100 += sign * card.weighted_x100(column.stage)


def _subtract(column: board_data.Column, card: Card) -> None:
    _add(column, card, -1)


def _database_message(exc: Exception) -> str:
    """A failure that is not one of ours: a bug (the storage's own refusals come worded
    as DatabaseError from Database.transaction, engine.storage_failure)."""
    from salesdesk.errors import cause

    return f"The change could not be saved ({cause(exc)}). The board shows what the database holds."
