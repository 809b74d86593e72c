"""The pipeline board: filters, one painted column per stage, Won and Lost drop zones.

Every change the user makes here is one operation (``ui/pipeline/operations``) on the
window's history: drops and keyboard moves, Won and Lost, new deals, edits, deletions.
The operation runs the deal services, the model shows what they committed, and nothing
is drawn before it is committed.

Signals:
    status_message(str): a short line for the status bar after an action.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QDate, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from salesdesk.domain.defaults import DEFAULT_CURRENCY
from salesdesk.services import board as board_data
from salesdesk.services.board import BoardFilter
from salesdesk.ui import options, theme
from salesdesk.ui.history import History
from salesdesk.ui.operations import perform
from salesdesk.ui.pipeline.cards import CardPainter
from salesdesk.ui.pipeline.column_view import (
    CardColumnView,
    CardSelection,
    ColumnHeader,
)
from salesdesk.ui.pipeline.model import MIME_TYPE, BoardModel, decode_ids
from salesdesk.ui.pipeline.operations import BoardOperations

NO_DATE = QDate(2000, 1, 1)  # the minimum of the date filters, shown as "any"


class DropZone(QFrame):
    """A place to drop deals that is not a column: Won, or Lost (asks for a reason).

    Signals:
        dropped(list): the deal ids dropped here.
    """

    dropped = Signal(list)

    def __init__(self, title: str, colour: str, soft: str, parent=None):
        super().__init__(parent)
        self.setObjectName("board_drop_zone")
        self.setAcceptDrops(True)
        self._colour, self._soft = QColor(colour), QColor(soft)
        self._hover = False
        self._title = title
        self.setMinimumHeight(44)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def paintEvent(self, event):
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(self._colour, 1.5, Qt.PenStyle.SolidLine if self._hover else Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(self._soft if self._hover else QColor(theme.SURFACE))
        painter.drawRoundedRect(self.rect().adjusted(2, 2, -2, -2), 8, 8)
        painter.setPen(self._colour)
        painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self._title)
        painter.end()

    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(MIME_TYPE):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self._hover = True
            self.update()

    def dragMoveEvent(self, event):
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def dragLeaveEvent(self, event):
        self._hover = False
        self.update()

    def dropEvent(self, event):
        self._hover = False
        self.update()
        ids = decode_ids(event.mimeData())
        if ids:
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            # Dialogs must not open inside the drag's event loop.
            QTimer.singleShot(0, partial(self.dropped.emit, ids))


class BoardWidget(QWidget):
    status_message = Signal(str)


    def __init__(self, db, undo_stack: History, settings: QSettings | None = None, parent=None):
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
        self._filter_timer = QTimer(self, singleShot=True, interval=250)
        self._filter_timer.timeout.connect(self.apply_filters)
        self._build()
        self._build_actions()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(8)

        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.pipeline_box = QComboBox()
        self.pipeline_box.setObjectName("board_pipeline")
        self.pipeline_box.activated.connect(self._on_pipeline_chosen)
        self.search = QLineEdit()
        self.search.setObjectName("board_search")
        self.search.setPlaceholderText("Filter by title or account")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filters_edited)
        self.owner_box = QComboBox()
        self.owner_box.setObjectName("board_owner")
        self.owner_box.setToolTip("A person's deals, or a manager's whole team")
        self.owner_box.activated.connect(self._filters_edited)
        self.branch_box = QComboBox()
        self.branch_box.setObjectName("board_branch")
        self.branch_box.activated.connect(self._filters_edited)
        self.close_from = self._date_edit("Expected close from")
        self.close_to = self._date_edit("Expected close until")
        self.stale_only = QCheckBox("Stale only")
        self.stale_only.setObjectName("board_stale_only")
        self.stale_only.toggled.connect(self._filters_edited)
        self.clear_filters = QToolButton()
        self.clear_filters.setText("Clear filters")
        self.clear_filters.setAutoRaise(True)
        self.clear_filters.clicked.connect(self.reset_filters)
        self.edit_stages = QPushButton("Stages…")
        self.edit_stages.setObjectName("board_edit_stages")
        self.edit_stages.setToolTip("Rename, reorder, add or remove stages; probabilities and stale limits")
        self.edit_stages.clicked.connect(self.open_stage_editor)
        self.edit_stages.setEnabled(not self.db.read_only)
        # Branch, close dates and "stale only" sit in a drop-down panel, so the bar
        # fits a laptop screen next to the side bar.
        self.more_filters = QToolButton()
        self.more_filters.setObjectName("board_more_filters")
        self.more_filters.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        panel = QWidget()
        form = QFormLayout(panel)
        form.setContentsMargins(12, 10, 12, 10)
        form.addRow("Branch", self.branch_box)
        form.addRow("Expected close from", self.close_from)
        form.addRow("Expected close until", self.close_to)
        form.addRow("", self.stale_only)
        menu = QMenu(self.more_filters)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(panel)
        menu.addAction(holder)
        self.more_filters.setMenu(menu)
        self._update_more_filters_text()
        for combo in (self.pipeline_box, self.owner_box, self.branch_box):
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(9)
        self.search.setMinimumWidth(120)
        for widget in (self.pipeline_box, self.search, self.owner_box, self.more_filters, self.clear_filters):
            bar.addWidget(widget)
        self.summary = QLabel()
        self.summary.setObjectName("board_summary")
        # The summary gives way first when the window is narrow.
        self.summary.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.edit_stages)
        layout.addLayout(bar)

        self.scroll = QScrollArea()
        self.scroll.setObjectName("board_scroll")
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip = QWidget()
        self.strip_layout = QHBoxLayout(self.strip)
        self.strip_layout.setContentsMargins(0, 0, 0, 0)
        self.strip_layout.setSpacing(10)
        self.scroll.setWidget(self.strip)
        layout.addWidget(self.scroll, 1)

        zones = QHBoxLayout()
        zones.setSpacing(10)
        self.won_zone = DropZone("Drop here: won", theme.SUCCESS, "#e6f4ea")
        self.won_zone.setObjectName("board_won_zone")
        self.lost_zone = DropZone("Drop here: lost (asks why)", theme.DANGER, theme.DANGER_SOFT)
        self.lost_zone.setObjectName("board_lost_zone")
        self.won_zone.dropped.connect(self.win_deals)
        self.lost_zone.dropped.connect(self.lose_deals)
        zones.addWidget(self.won_zone)
        zones.addWidget(self.lost_zone)
        layout.addLayout(zones)

    def _date_edit(self, tip: str) -> QDateEdit:
        edit = QDateEdit()
        edit.setCalendarPopup(True)
        edit.setMinimumDate(NO_DATE)
        edit.setSpecialValueText("any")
        edit.setDisplayFormat("dd MMM yyyy")
        edit.setDate(NO_DATE)
        edit.setToolTip(tip)
        edit.dateChanged.connect(self._filters_edited)
        return edit

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
        for act in (self.new_action, self.delete_action, self.next_stage_action, self.prev_stage_action):
            act.setEnabled(not self.db.read_only)

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
        saved = self._saved_filter()
        pipeline_id = self._saved_pipeline(pipelines)
        for box, items, everyone in (
            (self.owner_box, [(p.id, f"{p.name} ({p.role})" + (" and team" if p.reports else "")) for p in people], "Everyone"),
            (self.branch_box, [(bid, name) for bid, name in branches], "All branches"),
        ):
            box.blockSignals(True)
            box.clear()
            box.addItem(everyone, None)
            for item_id, label in items:
                box.addItem(label, item_id)
            box.blockSignals(False)
        self.pipeline_box.blockSignals(True)
        self.pipeline_box.clear()
        for p in pipelines:
            self.pipeline_box.addItem(p.name, p.id)
        self.pipeline_box.blockSignals(False)
        if pipeline_id is None:
            return
        self.pipeline_box.setCurrentIndex(max(0, self.pipeline_box.findData(pipeline_id)))
        self._show_filter(saved)
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
                if item.widget():
                    item.widget().deleteLater()
            self.columns, self.headers = [], []
            for row in range(wanted):
                frame = QFrame()
                frame.setObjectName("board_column")
                box = QVBoxLayout(frame)
                box.setContentsMargins(0, 0, 0, 0)
                box.setSpacing(0)
                header = ColumnHeader(self.model, row, self.currency)
                header.new_requested.connect(self.new_deal)
                view = CardColumnView(self.model, row, self.selection, self.card_painter)
                view.setObjectName(f"board_column_{row}")
                view.open_requested.connect(self.open_deal)
                view.dropped.connect(self.drop_deals)
                view.installEventFilter(self)
                box.addWidget(header)
                box.addWidget(view, 1)
                self.strip_layout.addWidget(frame)
                self.columns.append(view)
                self.headers.append(header)
            self.strip_layout.addStretch(1)
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
        def day(edit: QDateEdit):
            return None if edit.date() == NO_DATE else edit.date().toPython()

        return BoardFilter(
            text=self.search.text(),
            owner_id=self.owner_box.currentData(),
            branch_id=self.branch_box.currentData(),
            close_from=day(self.close_from),
            close_to=day(self.close_to),
            stale_only=self.stale_only.isChecked(),
        )

    @Slot()
    def _filters_edited(self, *args) -> None:
        self._update_more_filters_text()
        self._filter_timer.start()

    def _update_more_filters_text(self) -> None:
        active = sum((self.branch_box.currentData() is not None, self.close_from.date() != NO_DATE,
                      self.close_to.date() != NO_DATE, self.stale_only.isChecked()))
        self.more_filters.setText(f"More filters ({active})" if active else "More filters")

    @Slot()
    def apply_filters(self) -> None:
        self._filter_timer.stop()
        board_filter = self.current_filter()
        self._save_filter(board_filter)
        if self.model.pipeline_id is not None:
            self._load(self.model.pipeline_id, board_filter)

    @Slot()
    def reset_filters(self) -> None:
        self._show_filter(BoardFilter())
        self.apply_filters()

    def _show_filter(self, f: BoardFilter) -> None:
        widgets = (self.search, self.owner_box, self.branch_box, self.close_from, self.close_to, self.stale_only)
        for w in widgets:
            w.blockSignals(True)
        self.search.setText(f.text)
        self.owner_box.setCurrentIndex(max(0, self.owner_box.findData(f.owner_id)) if f.owner_id else 0)
        self.branch_box.setCurrentIndex(max(0, self.branch_box.findData(f.branch_id)) if f.branch_id else 0)
        self.close_from.setDate(QDate(f.close_from) if f.close_from else NO_DATE)
        self.close_to.setDate(QDate(f.close_to) if f.close_to else NO_DATE)
        self.stale_only.setChecked(f.stale_only)
        for w in widgets:
            w.blockSignals(False)
        self._update_more_filters_text()

    _FILTER_OPTIONS = (("text", options.BOARD_TEXT), ("owner_id", options.BOARD_OWNER),
                       ("branch_id", options.BOARD_BRANCH), ("close_from", options.BOARD_CLOSE_FROM),
                       ("close_to", options.BOARD_CLOSE_TO), ("stale_only", options.BOARD_STALE_ONLY))

    def _saved_filter(self) -> BoardFilter:
        return BoardFilter(**{name: option.read(self.settings) for name, option in self._FILTER_OPTIONS})

    def _save_filter(self, f: BoardFilter) -> None:
        for name, option in self._FILTER_OPTIONS:
            option.write(self.settings, getattr(f, name))

    def _saved_pipeline(self, pipelines) -> int | None:
        if not pipelines:
            return None
        saved = options.BOARD_PIPELINE.read(self.settings)
        ids = [p.id for p in pipelines]
        return saved if saved in ids else ids[0]

    @Slot(int)
    def _on_pipeline_chosen(self, index: int) -> None:
        pipeline_id = self.pipeline_box.itemData(index)
        options.BOARD_PIPELINE.write(self.settings, pipeline_id)
        self.selection.clear()
        self._load(pipeline_id, self.current_filter())

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
        self.scroll.ensureWidgetVisible(view, 0, 0)

    def eventFilter(self, watched, event):
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.KeyPress and isinstance(watched, CardColumnView):
            key, mods = event.key(), event.modifiers()
            if mods & ~Qt.KeyboardModifier.KeypadModifier:
                return super().eventFilter(watched, event)
            position = self.current_position()
            column_row = watched.column_row
            row = position[1] if position and position[0] == column_row else -1
            if key == Qt.Key.Key_Down:
                self.focus_card(column_row, row + 1)
                return True
            if key == Qt.Key.Key_Up:
                self.focus_card(column_row, max(0, row - 1))
                return True
            if key in (Qt.Key.Key_Left, Qt.Key.Key_Right):
                step = -1 if key == Qt.Key.Key_Left else 1
                target = column_row + step
                while 0 <= target < len(self.columns) and self.columns[target].card_count() == 0:
                    target += step
                if 0 <= target < len(self.columns):
                    self.focus_card(target, max(row, 0))
                return True
            if key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
                page = max(1, watched.viewport().height() // 84)
                self.focus_card(column_row, max(0, row + (page if key == Qt.Key.Key_PageDown else -page)))
                return True
        return super().eventFilter(watched, event)

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
        found = self.model.locate(self.selection.current)
        if found:
            self.columns[found[0]].setFocus()
            self.columns[found[0]].scroll_to_row(found[1])
            self.scroll.ensureWidgetVisible(self.columns[found[0]], 0, 0)

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
            operation = create_deal(self.db, stage_id, values, self.model.refresh_deal)
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
            perform(self.undo_stack, edit_deal(self.db, deal_id, changes, title, self.model.refresh_deal),
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

        StageEditorDialog(self.db, self.model.pipeline_id, self, history=self.undo_stack, shown=shown).exec()


def preview(path: str) -> int:  # pragma: no cover - a developer's look at the board alone
    """``python -m salesdesk.ui.pipeline.board DB``: the board on its own, as in Orange."""
    import sys

    from PySide6.QtWidgets import QApplication

    from salesdesk.db.migrate import open_database

    app = QApplication.instance() or QApplication(sys.argv)
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
