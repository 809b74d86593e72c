"""The won and lost deals of the board's pipeline, found again and reopened.

A table over plain snapshots (``services.closed_deals``), sorted by any column and
searched as the user types; "Reopen…" puts the selected deals back on the board in
a chosen open stage as one undo step.  Ctrl+Z and Ctrl+Shift+Z work inside the list
(it is modal, so the window's own shortcuts do not reach it), and the list reads the
deals again after any change to deals, wherever it was made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Slot
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
    QLineEdit, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from salesdesk.domain.money import from_cents
from salesdesk.services.board import BoardFilter, StageInfo
from salesdesk.services.closed_deals import ClosedDeal
from salesdesk.ui.format import money, plural
from salesdesk.ui.keys import shortcuts
from salesdesk.ui.operations import DEALS, Changes, Operation, perform
from salesdesk.ui.pipeline.model import Applied

if TYPE_CHECKING:
    from salesdesk.ui.pipeline.board import BoardWidget

_COLUMNS = ("Deal", "Account", "Owner", "Amount", "Status", "Closed on", "Lost reason", "Stage")
_SORT_ROLE = Qt.ItemDataRole.UserRole + 1
_SHOW = {"Won and lost": ("won", "lost"), "Lost": ("lost",), "Won": ("won",)}


class ClosedDealsModel(QAbstractTableModel):
    """The rows as snapshots; the text shown and a sort key per cell."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list[ClosedDeal] = []

    def set_rows(self, rows: list[ClosedDeal]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(_COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (row.title, row.account, row.owner,
                    money(from_cents(row.amount_cents), row.currency),  # whole units, as on the cards
                    row.status.capitalize(), f"{row.closed_on:%d %b %Y}" if row.closed_on else "",
                    row.reason, row.stage)[col]
        if role == _SORT_ROLE:
            if col == 3:  # amounts in one currency sort by size; currencies apart
                return (row.currency, row.amount_cents)
            if col == 5:
                return row.closed_on.toordinal() if row.closed_on else 0
            return str(self.data(index)).casefold()
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and col in (0, 1, 6, 7):  # the columns that get cut
            return self.data(index)
        return None


class _Search(QSortFilterProxyModel):
    """Title, account, owner and reason contain every word typed."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.words: list[str] = []
        self.setSortRole(_SORT_ROLE)

    def set_text(self, text: str) -> None:
        if not hasattr(self, "beginFilterChange"):  # Qt before 6.10 (pyproject allows 6.8)
            self.words = text.casefold().split()
            self.invalidateRowsFilter()
            return
        self.beginFilterChange()  # what Qt 6.10 has instead of the deprecated invalidate calls
        self.words = text.casefold().split()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.words:
            return True
        row = self.sourceModel().rows[source_row]  # type: ignore[attr-defined]
        text = f"{row.title} {row.account} {row.owner} {row.reason}".casefold()
        return all(word in text for word in self.words)

    def lessThan(self, left: QModelIndex | QPersistentModelIndex, right: QModelIndex | QPersistentModelIndex) -> bool:
        return left.data(_SORT_ROLE) < right.data(_SORT_ROLE)


class ClosedDealsDialog(QDialog):
    """Won and lost deals of ``board``'s pipeline, under its owner and branch filter."""

    def __init__(self, board: BoardWidget, parent: QWidget | None = None):
        super().__init__(parent or board)
        self.board, self.db = board, board.db
        self.setObjectName("closed_deals")
        self.setWindowTitle("Won and lost deals")
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.show_box = QComboBox()
        self.show_box.setObjectName("closed_show")
        for label in _SHOW:
            self.show_box.addItem(label)
        self.show_box.currentIndexChanged.connect(self.reload)
        self.search = QLineEdit()
        self.search.setObjectName("closed_search")
        self.search.setPlaceholderText("Search title, account, owner, reason")
        self.search.setClearButtonEnabled(True)
        self.scope = QLabel()
        self.scope.setObjectName("closed_scope")
        show_label = QLabel("&Show")
        show_label.setBuddy(self.show_box)
        bar.addWidget(show_label)
        bar.addWidget(self.show_box)
        bar.addWidget(self.search, 1)
        layout.addLayout(bar)
        layout.addWidget(self.scope)

        self.model = ClosedDealsModel(self)
        self.proxy = _Search(self)
        self.proxy.setSourceModel(self.model)
        self.search.textChanged.connect(self._search)
        self.table = QTableView()
        self.table.setObjectName("closed_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)  # no per-row sizing
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        # Fixed widths, not "resize to contents" (that measures every row); the title takes the rest.
        for col, width in enumerate((0, 170, 140, 110, 55, 90, 190, 130)):
            if width:
                header.resizeSection(col, width)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _index: self.reopen_selected())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        layout.addWidget(self.table, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.reopen_button = QPushButton("&Reopen…")
        self.reopen_button.setObjectName("closed_reopen")
        self.reopen_button.setToolTip("Put the selected deals back on the board in a stage you choose (Ctrl+Z undoes it)")
        self.reopen_button.clicked.connect(self.reopen_selected)
        buttons.addButton(self.reopen_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        screen = (parent or board).screen().availableGeometry()  # 1366x768 laptops included
        self.resize(min(1260, screen.width() - 40), min(620, screen.height() - 80))
        history = board.undo_stack
        for action in (history.createUndoAction(self, "&Undo"), history.createRedoAction(self, "&Redo")):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.undo_action, self.redo_action = self.actions()
        self.undo_action.setShortcuts(shortcuts(QKeySequence.StandardKey.Undo, "Ctrl+Z"))
        self.redo_action.setShortcuts(shortcuts(QKeySequence.StandardKey.Redo, "Ctrl+Shift+Z", "Ctrl+Y"))
        history.changes_committed.connect(self._on_changes)
        self.reload()

    @Slot(object)
    def _on_changes(self, changes: Changes) -> None:
        if DEALS in changes.kinds:
            self.reload()

    @property
    def statuses(self) -> tuple[str, ...]:
        return _SHOW[self.show_box.currentText()]

    def board_filter(self) -> BoardFilter:
        return self.board.model.board_filter

    @Slot()
    def reload(self) -> None:
        from salesdesk.services.closed_deals import closed_deals

        pipeline_id = self.board.model.pipeline_id
        with self.db.read() as reader:
            rows = closed_deals(reader, pipeline_id, self.board_filter(), self.statuses) if pipeline_id else []
        self.model.set_rows(rows)
        self._update_scope()
        self._update_buttons()

    @Slot(str)
    def _search(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_scope()

    def _update_scope(self) -> None:
        f = self.board_filter()
        narrowed = [w for w, on in (("owner", f.owner_id is not None), ("branch", f.branch_id is not None)) if on]
        name = self.board.pipeline_box.currentText()
        shown = plural(self.proxy.rowCount(), "deal")
        self.scope.setText(f"{shown} of the {name} pipeline" + (
            f", for the board's {' and '.join(narrowed)} filter" if narrowed else ""))

    def _update_buttons(self, *_args) -> None:
        self.reopen_button.setEnabled(bool(self.selected()) and not self.db.read_only)

    def selected(self) -> list[ClosedDeal]:
        rows = sorted({self.proxy.mapToSource(i).row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r] for r in rows]

    def select_ids(self, ids: list[int]) -> None:
        """Select the rows of these deals (tests and callers)."""
        selection = self.table.selectionModel()
        selection.clearSelection()
        for row, deal in enumerate(self.model.rows):
            if deal.id in ids:
                index = self.proxy.mapFromSource(self.model.index(row, 0))
                if index.isValid():
                    selection.select(index, selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    @Slot()
    def reopen_selected(self) -> Operation | None:
        deals = self.selected()
        if not deals or self.db.read_only:
            return None
        dialog = ReopenDialog(self._stages(), deals, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return self.reopen(deals, dialog.stage_id())

    def reopen(self, deals: list[ClosedDeal], stage_id: int) -> Operation | None:
        """One operation: the deals go back on the board in ``stage_id``; undo closes them
        again exactly as they were (status, date, reason)."""
        from salesdesk.services import closed_deals, deals as deal_services

        ids = [d.id for d in deals]
        what = f"“{deals[0].title}”" if len(deals) == 1 else f"{len(deals)} deals"
        model = self.board.model
        stage = next((s.name for s in self._stages() if s.id == stage_id), "")  # for the Edit menu's text

        def do(session) -> Applied:
            return Applied(tuple(closed_deals.reopen_deals(session, ids, stage_id)))

        def undo(session, applied: Applied) -> None:
            deal_services.restore_placements(session, list(applied.records))

        def shown(applied: Applied, undone: bool) -> None:
            model.apply(applied, undo=undone)  # the list reloads on the history's announcement

        operation = Operation(self.db, f"Reopen {what} in {stage}", do, undo, kinds={DEALS}, ids=set(ids),
                              shown=shown, failed=model.report_failure)
        return operation if perform(self.board.undo_stack, operation) else None

    def _stages(self) -> list[StageInfo]:
        from salesdesk.services.closed_deals import open_stages

        with self.db.read() as reader:
            return open_stages(reader, self.board.model.pipeline_id or 0)


class ReopenDialog(QDialog):
    """Which open stage the deals go back to: the one they left, if known and the same
    for all, else the pipeline's first."""

    def __init__(self, choices: list[StageInfo], deals: list[ClosedDeal], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("reopen_dialog")
        self.setWindowTitle("Reopen")
        layout = QVBoxLayout(self)
        what = f"“{deals[0].title}”" if len(deals) == 1 else f"{len(deals)} deals"
        layout.addWidget(QLabel(f"Put {what} back on the board, open, in this stage:"))
        form = QFormLayout()
        self.stage_box = QComboBox()
        self.stage_box.setObjectName("reopen_stage")
        for stage in choices:
            self.stage_box.addItem(stage.name, stage.id)
        left = {d.reopen_stage_id for d in deals}
        if len(left) == 1 and (found := self.stage_box.findData(left.pop())) >= 0:
            self.stage_box.setCurrentIndex(found)
        label = QLabel("&Stage")
        label.setBuddy(self.stage_box)
        form.addRow(label, self.stage_box)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Reopen")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def stage_id(self) -> int:
        return int(self.stage_box.currentData())
