"""The pipeline board: one painted column per stage, selection, actions and keys.

The filters above the columns are the filter bar's (``ui/pipeline/filter_bar``), the
Won and Lost targets below them the drop zones' (``ui/pipeline/drop_zone``); the board
puts them together and acts on what they report.

Every change the user makes here is one operation (``ui/pipeline/operations``) on the
window's history: drops and keyboard moves, Won and Lost, new deals, edits, deletions.
The operation runs the deal services, the model shows what they committed, and nothing
is drawn before it is committed.

Signals:
    status_message(str): a short line for the status bar after an action.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from salesdesk.domain.defaults import DEFAULT_CURRENCY
from salesdesk.services import board as board_data
from salesdesk.services.board import BoardFilter
from salesdesk.ui import options
from salesdesk.ui.history import History
from salesdesk.ui.operations import perform
from salesdesk.ui.pipeline.board_scroll import BoardScrollArea
from salesdesk.ui.pipeline.cards import DENSITIES, BoardGeometry, CardPainter, Density, fitted_width
from salesdesk.ui.pipeline.column_view import (
    CardColumnView,
    CardSelection,
    ColumnHeader,
)
from salesdesk.ui.pipeline.drop_zone import DropZone
from salesdesk.ui.pipeline.filter_bar import FilterBar
from salesdesk.ui.pipeline.model import BoardModel
from salesdesk.ui.pipeline.operations import BoardOperations

if TYPE_CHECKING:
    from salesdesk.db.engine import Database
    from salesdesk.ui.widgets.date_field import DateField


class BoardWidget(QWidget):
    status_message = Signal(str)

    def __init__(self, db: Database, undo_stack: History, settings: QSettings | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.undo_stack = undo_stack
        self.settings = settings or QSettings()
        self.model = BoardModel(db, self)
        self.operations = BoardOperations(self.model, db, undo_stack)
        self.model.save_failed.connect(self._on_save_failed)
        # Any change of a column's totals (a drop, an undo, a deal put back) shows in the
        # summary too: once per turn of the event loop, however many columns changed.
        self._summary_timer = QTimer(self)
        self._summary_timer.setSingleShot(True)
        self._summary_timer.setInterval(0)
        self._summary_timer.timeout.connect(self._update_summary)
        self.model.totals_changed.connect(lambda _row: self._summary_timer.start())  # not start(row ms)
        self.selection = CardSelection(self)
        self.card_painter = CardPainter(self.font())
        self.columns: list[CardColumnView] = []
        self.headers: list[ColumnHeader] = []
        self.currency = DEFAULT_CURRENCY  # until the board has read the company's
        saved = options.BOARD_DENSITY.read(self.settings)
        self.density: Density = next((d for d in DENSITIES if d.key == saved), DENSITIES[0])
        self.card_geometry = BoardGeometry(self.density.column_width, self.density.card_height)
        self._build()
        self._build_actions()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.filter_bar = FilterBar(self.settings)
        self.filter_bar.filter_changed.connect(self._on_filter_changed)
        self.filter_bar.pipeline_chosen.connect(self._on_pipeline_chosen)
        bar.addWidget(self.filter_bar)
        self.edit_stages = QPushButton("Stages…")
        self.edit_stages.setObjectName("board_edit_stages")
        self.edit_stages.setToolTip("Rename, reorder, add or remove stages; probabilities and stale limits")
        self.edit_stages.clicked.connect(self.open_stage_editor)
        self.edit_stages.setEnabled(not self.db.read_only)
        self.summary = QLabel()
        self.summary.setObjectName("board_summary")
        # The summary gives way first when the window is narrow.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.edit_stages)
        layout.addLayout(bar)

        # Not "self.scroll": that is QWidget.scroll(), which the area would hide.
        self.column_scroll = BoardScrollArea()
        self.column_scroll.setObjectName("board_scroll")
        self.column_scroll.resized.connect(self._fit)
        self.column_scroll.setWidgetResizable(True)
        self.column_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.column_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip = QWidget()
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setContentsMargins(0, 0, 0, 0)
        self.strip_layout.setSpacing(self.density.spacing)
        self.column_scroll.setWidget(self.strip)
        layout.addWidget(self.column_scroll, 1)

        zones = QHBoxLayout()
        zones.setSpacing(10)
        self.won_zone = DropZone.won()
        self.lost_zone = DropZone.lost()
        self.won_zone.dropped.connect(self.win_deals)
        self.lost_zone.dropped.connect(self.lose_deals)
        zones.addWidget(self.won_zone)
        zones.addWidget(self.lost_zone)
        self.closed_button = QPushButton("Won and lost…")  # where closed deals are found and reopened
        self.closed_button.setObjectName("board_closed_deals")
        self.closed_button.setToolTip("List the won and lost deals and reopen them (Ctrl+Shift+L)")
        self.closed_button.clicked.connect(self.open_closed_deals)
        zones.addWidget(self.closed_button)
        layout.addLayout(zones)

    # The filter widgets, as the board's own (tests and callers reach them here).
    @property
    def search(self) -> QLineEdit:
        return self.filter_bar.search

    @property
    def pipeline_box(self) -> QComboBox:
        return self.filter_bar.pipeline_box

    @property
    def owner_box(self) -> QComboBox:
        return self.filter_bar.owner_box

    @property
    def branch_box(self) -> QComboBox:
        return self.filter_bar.branch_box

    @property
    def close_from(self) -> DateField:
        return self.filter_bar.close_from

    @property
    def close_to(self) -> DateField:
        return self.filter_bar.close_to

    @property
    def stale_only(self) -> QCheckBox:
        return self.filter_bar.stale_only

    def _build_actions(self) -> None:
        def action(text, shortcut, slot, name):
            act = QAction(text, self)
            act.setObjectName(name)
            act.setShortcuts(shortcut if isinstance(shortcut, list) else [QKeySequence(shortcut)])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(slot)
            self.addAction(act)
            return act

        self.new_action = action("New deal", QKeySequence.StandardKey.New, self.new_deal_in_current_column, "board_new_deal")
        self.new_action.setShortcuts([QKeySequence("Ctrl+N")])
        self.open_action = action("Open deal", [QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)],
                                  self.open_current, "board_open_deal")
        self.delete_action = action("Delete deal…", [QKeySequence(Qt.Key.Key_Delete)], self.delete_selected, "board_delete")
        self.next_stage_action = action("Move to next stage", "Ctrl+Right", partial(self.shift_selected, 1), "board_next_stage")
        self.prev_stage_action = action("Move to previous stage", "Ctrl+Left", partial(self.shift_selected, -1), "board_prev_stage")
        self.closed_action = action("Won and lost deals…", "Ctrl+Shift+L", self.open_closed_deals, "board_closed_deals_action")
        for act in (self.new_action, self.delete_action, self.next_stage_action, self.prev_stage_action):
            act.setEnabled(not self.db.read_only)

        # How big the cards are: a menu of its own, in the Deal menu.
        self.density_menu = QMenu("Card &Size", self)
        self.density_menu.setObjectName("board_density_menu")
        group = QActionGroup(self)
        self.density_actions: dict[str, QAction] = {}
        for density in DENSITIES:
            act = QAction(density.text, self, checkable=True)
            act.setObjectName(f"board_density_{density.key}")
            act.setChecked(density is self.density)
            act.triggered.connect(partial(self.set_density, density))
            group.addAction(act)
            self.density_menu.addAction(act)
            self.density_actions[density.key] = act

    # -- density ------------------------------------------------------------------------
    def set_density(self, density: Density) -> None:
        """Comfortable, Compact or Fit All Stages: kept for the next start."""
        self.density = density
        options.BOARD_DENSITY.write(self.settings, density.key)
        self.density_actions[density.key].setChecked(True)
        self.strip_layout.setSpacing(density.spacing)
        self._fit()

    @Slot()
    def _fit(self) -> None:
        """Columns and cards at the density's size; "Fit All Stages" shares the visible width."""
        width = fitted_width(self.density, len(self.columns), self.column_scroll.viewport().width())
        geometry = BoardGeometry(width, self.density.card_height)
        if geometry == self.card_geometry:
            return
        self.card_geometry = geometry
        for header in self.headers:
            header.set_width(width)
        for view in self.columns:
            view.set_geometry(geometry)
        self.card_painter.clear_cache()  # cards of the old size are not shown again soon
    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload lookups (pipelines, people, branches) and the board from the database."""
        with self.db.read() as reader:
            self.currency = board_data.currency(reader)
            if self.card_painter.home_currency != self.currency:
                self.card_painter.home_currency = self.currency  # cards in it show no code
                self.card_painter.clear_cache()
            pipelines = board_data.pipelines(reader)
            people = board_data.owner_choices(reader)
            branches = board_data.branch_choices(reader)
        pipeline_id, saved = self.filter_bar.restore(pipelines, people, branches)
        if pipeline_id is None:
            return
        self._load(pipeline_id, saved)

    def _load(self, pipeline_id: int, board_filter: BoardFilter) -> None:
        kept = set(self.selection.ids)
        self.model.load(pipeline_id, board_filter)
        self._build_columns()
        self.selection.ids = {i for i in kept if self.model.locate(i) is not None}
        self._update_summary()

    def _build_columns(self) -> None:
        wanted = self.model.column_count()
        if len(self.columns) != wanted or any(h._currency != self.currency for h in self.headers):
            while self.strip_layout.count():
                item = self.strip_layout.takeAt(0)
                widget = item.widget() if item is not None else None
                if widget is not None:
                    widget.deleteLater()
            self.columns, self.headers = [], []
            for row in range(wanted):
                frame = QFrame()
                frame.setObjectName("board_column")
                box = QVBoxLayout(frame)
                box.setContentsMargins(0, 0, 0, 0)
                box.setSpacing(0)
                header = ColumnHeader(self.model, row, self.currency, width=self.card_geometry.column_width)
                header.new_requested.connect(self.new_deal)
                view = CardColumnView(self.model, row, self.selection, self.card_painter, geometry=self.card_geometry)
                view.setObjectName(f"board_column_{row}")
                view.open_requested.connect(self.open_deal)
                view.dropped.connect(self.drop_deals)
                view.navigated.connect(partial(self.navigate, view))
                view.drag_moved.connect(self.column_scroll.drag_at)
                view.drag_ended.connect(self.column_scroll.stop_autoscroll)
                box.addWidget(header)
                box.addWidget(view, 1)
                self.strip_layout.addWidget(frame)
                self.columns.append(view)
                self.headers.append(header)
            self.strip_layout.addStretch(1)
            self._fit()
        for header in self.headers:
            header.refresh()
        for view in self.columns:
            view._update_range()

    def _update_summary(self) -> None:
        from salesdesk.ui.format import compact_money

        rows = range(self.model.column_count())
        open_rows = [r for r in rows if not self.model.column(r).stage.is_won]
        count = sum(self.model.totals(r)[0] for r in open_rows)
        amount = sum((self.model.totals(r)[1] for r in open_rows), start=0)
        weighted = sum((self.model.totals(r)[2] for r in open_rows), start=0)
        won = sum(self.model.totals(r)[0] for r in rows if r not in open_rows)
        shown = "" if self.model.board_filter.is_empty else " (filtered)"
        days = self.model.board_filter.won_days
        left_out: dict[str, int] = {}
        for r in open_rows:
            for currency, n in self.model.left_out(r).items():
                left_out[currency] = left_out.get(currency, 0) + n
        note = (" · excl. " + ", ".join(f"{n} {c}" for c, n in sorted(left_out.items()))) if left_out else ""
        self.summary.setText(f"{count:,} open · {compact_money(amount, self.currency)} · weighted "
                             f"{compact_money(weighted)} · {won:,} won{f' in {days} days' if days else ''}{shown}{note}")
        self.summary.setToolTip(
            "" if not left_out else "Not in these totals, for want of an exchange rate to "
            f"{self.currency} today (Edit → Exchange rates…): "
            + ", ".join(f"{n} open deal{'s' if n != 1 else ''} in {c}" for c, n in sorted(left_out.items())))

    # -- filters -------------------------------------------------------------------------
    def current_filter(self) -> BoardFilter:
        return self.filter_bar.current_filter()

    @Slot()
    def apply_filters(self) -> None:
        """Apply the filters as shown now, without waiting for an edit to settle."""
        self.filter_bar.apply()

    @Slot()
    def reset_filters(self) -> None:
        self.filter_bar.reset()

    @Slot(object)
    def _on_filter_changed(self, board_filter: BoardFilter) -> None:
        if self.model.pipeline_id is not None:
            self._load(self.model.pipeline_id, board_filter)

    @Slot(int)
    def _on_pipeline_chosen(self, pipeline_id: int) -> None:
        self.selection.clear()
        self._load(pipeline_id, self.filter_bar.current_filter())

    @Slot(list, int, int)
    def drop_deals(self, ids: list[int], column_row: int, row: int) -> bool:
        """Deals dropped on a column before ``row`` (-1: the end): one undo step."""
        return self._said(self.operations.move(ids, column_row, row))

    def _said(self, operation) -> bool:
        """A change was made: the status bar names it."""
        if operation is not None:
            self.status_message.emit(operation.text())
        return operation is not None

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        self._build_columns()
        self._update_summary()
        QMessageBox.warning(self, "Not saved", message)

    # -- actions ---------------------------------------------------------------------------
    def current_position(self) -> tuple[int, int] | None:
        if self.selection.current is None:
            return None
        return self.model.locate(self.selection.current)

    def focus_card(self, column_row: int, row: int) -> None:
        if not (0 <= column_row < len(self.columns)):
            return
        view = self.columns[column_row]
        count = view.card_count()
        if count == 0:
            view.setFocus()
            return
        row = max(0, min(row, count - 1))
        deal_id = self.model.deal_id(column_row, row)
        self.selection.set({deal_id}, deal_id)
        self.selection.anchor = (column_row, row)
        view.setFocus()
        view.scroll_to_row(row)
        self.column_scroll.ensureWidgetVisible(view, 0, 0)

    def take_focus(self) -> None:
        """Give the keyboard to the board, on a card in sight (the first if none is current),
        unless it already has it (the search box keeps its Delete)."""
        focused = QApplication.focusWidget()
        if focused is not None and focused.isVisible() and self.isAncestorOf(focused) or not self.columns:
            return
        position = self.current_position()
        if position is not None:
            self.focus_card(*position)
            return
        first = next((r for r, view in enumerate(self.columns) if view.card_count()), 0)
        self.focus_card(first, 0)

    def navigate(self, view: CardColumnView, key: int) -> None:
        """An arrow or page key in a column: the current card moves, across columns too."""
        position = self.current_position()
        column_row = view.column_row
        row = position[1] if position and position[0] == column_row else -1
        if key == Qt.Key.Key_Down:
            self.focus_card(column_row, row + 1)
        elif key == Qt.Key.Key_Up:
            self.focus_card(column_row, max(0, row - 1))
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            step = -1 if key == Qt.Key.Key_Left else 1
            target = column_row + step
            while 0 <= target < len(self.columns) and self.columns[target].card_count() == 0:
                target += step
            if 0 <= target < len(self.columns):
                self.focus_card(target, max(row, 0))
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            page = max(1, view.viewport().height() // self.card_geometry.row_height)
            self.focus_card(column_row, max(0, row + (page if key == Qt.Key.Key_PageDown else -page)))

    def selected_ids(self) -> list[int]:
        if not self.columns:
            return []
        return self.columns[0].selected_ids_in_board_order()

    @Slot()
    def shift_selected(self, step: int) -> None:
        """Move the selected deals one stage left or right (Ctrl+Left / Ctrl+Right)."""
        position = self.current_position()
        ids = self.selected_ids()
        if position is None or not ids:
            return
        target = position[0] + step
        if not 0 <= target < self.model.column_count():
            return
        self._said(self.operations.move(ids, target, -1))
        current = self.selection.current
        found = self.model.locate(current) if current is not None else None
        if found:
            self.columns[found[0]].setFocus()
            self.columns[found[0]].scroll_to_row(found[1])
            self.column_scroll.ensureWidgetVisible(self.columns[found[0]], 0, 0)

    @Slot(list)
    def win_deals(self, ids: list[int]) -> None:
        won = next((r for r in range(self.model.column_count()) if self.model.column(r).stage.is_won), None)
        if won is None:
            QMessageBox.information(self, "No won stage", "This pipeline has no stage that wins a deal.")
            return
        self._said(self.operations.move(ids, won, -1))

    @Slot(list)
    def lose_deals(self, ids: list[int]) -> None:
        from salesdesk.ui.pipeline.lost_dialog import LostReasonDialog

        titles = [self._title(i) for i in ids]
        dialog = LostReasonDialog(self.db, titles, self)
        if dialog.exec() != LostReasonDialog.DialogCode.Accepted:
            return
        reason_id, note = dialog.reason()
        if self._said(self.operations.lose(ids, reason_id, note)):
            self.selection.clear()

    def _title(self, deal_id: int) -> str:
        return self.model.card_by_id(deal_id).title

    @Slot()
    def open_closed_deals(self) -> None:
        from salesdesk.ui.pipeline.closed_deals import ClosedDealsDialog

        dialog = ClosedDealsDialog(self)
        dialog.exec()
        dialog.deleteLater()  # it listens to the history: not once closed

    @Slot()
    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids or self.db.read_only:
            return
        what = f"“{self._title(ids[0])}”" if len(ids) == 1 else f"these {len(ids)} deals"
        answer = QMessageBox.question(
            self, "Delete deal", f"Delete {what} with its stage history and activities?\n\nYou can undo this with Ctrl+Z.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return
        if self._said(self.operations.delete(ids)):
            self.selection.clear()

    @Slot()
    def open_current(self) -> None:
        if self.selection.current is not None:
            self.open_deal(self.selection.current)

    @Slot()
    def new_deal_in_current_column(self) -> None:
        position = self.current_position()
        column_row = position[0] if position else 0
        if self.model.column_count():
            self.new_deal(self.model.column(column_row).stage.id)

    @Slot(int)
    def new_deal(self, stage_id: int) -> None:
        from salesdesk.ui.pipeline.deal_dialog import DealDialog
        from salesdesk.ui.pipeline.operations import create_deal

        def submit(values: dict) -> int:
            operation = create_deal(self.db, stage_id, values, self.model.refresh_deal, self.model.report_failure)
            perform(self.undo_stack, operation, raise_errors=True)
            return operation.result

        dialog = DealDialog(self.db, parent=self, stage_id=stage_id, submit=submit)
        if dialog.exec() == DealDialog.DialogCode.Accepted and dialog.saved_id is not None:
            found = self.model.locate(dialog.saved_id)
            if found:
                self.focus_card(*found)

    @Slot(int)
    def open_deal(self, deal_id: int) -> None:
        from salesdesk.ui.pipeline.deal_dialog import DealDialog
        from salesdesk.ui.pipeline.operations import edit_deal

        def submit(changes: dict) -> None:
            title = str(changes.get("title", self.model.card_by_id(deal_id).title)).strip()
            perform(self.undo_stack, edit_deal(self.db, deal_id, changes, title, self.model.refresh_deal,
                                                      self.model.report_failure),
                    raise_errors=True)

        DealDialog(self.db, parent=self, deal_id=deal_id, submit=submit).exec()

    @Slot()
    def open_stage_editor(self) -> None:
        from salesdesk.ui.pipeline.stage_editor import StageEditorDialog

        if self.model.pipeline_id is None:
            return

        def shown(pipeline_id: int) -> None:  # after the change, its undo and its redo
            options.BOARD_PIPELINE.write(self.settings, pipeline_id)  # a pipeline undone away: the first is shown
            self.refresh()

        StageEditorDialog(self.db, self.model.pipeline_id, self, history=self.undo_stack, shown=shown,
                          failed=self.model.report_failure).exec()


def preview(path: str) -> int:  # pragma: no cover - a developer's look at the board alone
    """``python -m salesdesk.ui.pipeline.board DB``: the board on its own, as in Orange."""
    import sys

    from PySide6.QtWidgets import QApplication

    from salesdesk.db.migrate import open_database

    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv)
    from salesdesk.ui import theme as look

    app.setStyle("Fusion")
    app.setPalette(look.palette())
    app.setStyleSheet(look.STYLE_SHEET)
    db = open_database(path)
    stack = History()
    board = BoardWidget(db, stack)
    board.resize(1400, 860)
    board.refresh()
    board.show()
    return app.exec()


if __name__ == "__main__":  # pragma: no cover
    import sys

    raise SystemExit(preview(sys.argv[1]))
