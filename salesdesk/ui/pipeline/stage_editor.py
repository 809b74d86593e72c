"""The stage editor: rename, reorder, add and remove the stages of a pipeline.

The table is a working copy; Save applies it as one operation on ``history`` (one
transaction, one undo step that puts every stage back), asking where the deals of each
removed stage should go.  A new pipeline starts from the nine default stages; making it
is an undo step too.  ``shown(pipeline_id)`` is called after each, and after their undo
and redo (the steps outlive the dialog, so they keep no reference to it); ``failed(exc)``
when an undo or redo is refused (a locked file), which would otherwise drop the step
without a word.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton,
    QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from salesdesk.errors import SalesDeskError
from salesdesk.services import stages as stage_service
from salesdesk.services.stages import StagePlan
from salesdesk.ui.history import History
from salesdesk.ui.operations import DEALS, STAGES, Operation, perform

NAME, PROBABILITY, STALE, WINS = range(4)


class StageEditorDialog(QDialog):
    def __init__(self, db, pipeline_id: int, parent=None, history: History | None = None, shown=None,
                 failed=None):
        super().__init__(parent)
        self.db = db
        self.pipeline_id = pipeline_id
        self.history = history if history is not None else History(self)
        self._shown = shown or (lambda pipeline_id: None)
        self._failed = failed
        self.setObjectName("stage_editor")
        self.setWindowTitle("Stages")
        self.resize(620, 440)
        with db.session() as s:
            self.pipeline_name = stage_service.pipeline_name(s, pipeline_id)
            self.plan = stage_service.plan_of(s, pipeline_id)
            # Every stage read from the database has an id (only new rows have none).
            self.counts = {p.id: stage_service.deals_in_stage(s, p.id) for p in self.plan if p.id is not None}
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel("Pipeline"))
        self.name = QLineEdit(self.pipeline_name)
        self.name.setObjectName("stage_editor_pipeline_name")
        top.addWidget(self.name, 1)
        self.new_pipeline = QPushButton("New pipeline…")
        self.new_pipeline.clicked.connect(self._on_new_pipeline)
        top.addWidget(self.new_pipeline)
        layout.addLayout(top)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("stage_table")
        self.table.setHorizontalHeaderLabels(["Stage", "Probability %", "Stale after (days)", "Wins the deal"])
        self.table.horizontalHeader().setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        layout.addWidget(self.table, 1)
        for p in self.plan:
            self._append(p)

        buttons_row = QHBoxLayout()
        for text, slot, name in (("Add", self._on_add, "stage_add"), ("Remove", self._on_remove, "stage_remove"),
                                 ("Move up", self._on_up, "stage_up"), ("Move down", self._on_down, "stage_down")):
            button = QPushButton(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons_row.addWidget(button)
        buttons_row.addStretch(1)
        layout.addLayout(buttons_row)
        self.removed: list[int] = []
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _append(self, p: StagePlan, row: int | None = None) -> None:
        row = self.table.rowCount() if row is None else row
        self.table.insertRow(row)
        name = QTableWidgetItem(p.name)
        name.setData(Qt.ItemDataRole.UserRole, p.id)
        self.table.setItem(row, NAME, name)
        self.table.setItem(row, PROBABILITY, QTableWidgetItem(str(p.probability)))
        self.table.setItem(row, STALE, QTableWidgetItem("" if p.stale_days is None else str(p.stale_days)))
        wins = QTableWidgetItem()
        wins.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsSelectable)
        wins.setCheckState(Qt.CheckState.Checked if p.is_won else Qt.CheckState.Unchecked)
        self.table.setItem(row, WINS, wins)

    def rows(self) -> list[StagePlan]:
        """The table as a plan; raises ValueError naming the cell that is not a number."""
        plan = []
        for row in range(self.table.rowCount()):
            name = self._cell(row, NAME).text()
            try:
                probability = int(self._cell(row, PROBABILITY).text().strip().rstrip("%"))
            except ValueError:
                raise ValueError(f"Row {row + 1}: the probability must be a whole number of percent") from None
            stale_text = self._cell(row, STALE).text().strip()
            try:
                stale = int(stale_text) if stale_text else None
            except ValueError:
                raise ValueError(f"Row {row + 1}: the stale limit must be a whole number of days, or empty") from None
            plan.append(StagePlan(self._cell(row, NAME).data(Qt.ItemDataRole.UserRole), name, probability, stale,
                                  self._cell(row, WINS).checkState() == Qt.CheckState.Checked))
        return plan

    def _cell(self, row: int, column: int) -> QTableWidgetItem:
        item = self.table.item(row, column)
        assert item is not None, "_append gives every cell of a row an item"
        return item

    def _move(self, step: int) -> None:
        row = self.table.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.table.rowCount():
            return
        plan = self.rows()
        plan.insert(target, plan.pop(row))
        self.table.setRowCount(0)
        for p in plan:
            self._append(p)
        self.table.selectRow(target)

    @Slot()
    def _on_up(self):
        self._move(-1)

    @Slot()
    def _on_down(self):
        self._move(1)

    @Slot()
    def _on_add(self):
        row = self.table.currentRow() + 1 if self.table.currentRow() >= 0 else self.table.rowCount()
        self._append(StagePlan(None, "New stage", 50, 14, False), row)
        self.table.selectRow(row)
        self.table.editItem(self._cell(row, NAME))

    @Slot()
    def _on_remove(self):
        row = self.table.currentRow()
        if row < 0:
            return
        stage_id = self._cell(row, NAME).data(Qt.ItemDataRole.UserRole)
        if stage_id is not None:
            self.removed.append(stage_id)
        self.table.removeRow(row)

    @Slot()
    def _on_new_pipeline(self):
        name, ok = QInputDialog.getText(self, "New pipeline", "Name of the new pipeline (it starts with the nine default stages):")
        if not ok:
            return
        operation = Operation(self.db, f"New pipeline “{name.strip()}”", lambda s: stage_service.add_pipeline(s, name),
                              stage_service.remove_pipeline, kinds={STAGES}, shown=self._shown_with(None),
                              failed=self._failed)
        try:
            perform(self.history, operation, raise_errors=True)
            self.pipeline_id = operation.result
        except SalesDeskError as exc:
            QMessageBox.warning(self, "Not created", str(exc))
            return
        self.accept()

    def _shown_with(self, pipeline_id: int | None):
        """``shown`` for a step: of ``pipeline_id``, or of the new pipeline it made (None)."""
        shown = self._shown
        return lambda result, _undone: shown(pipeline_id if pipeline_id is not None else result)

    @Slot()
    def save(self) -> None:
        try:
            plan = self.rows()
        except ValueError as exc:
            QMessageBox.warning(self, "Not saved", str(exc))
            return
        moves: dict[int, int] = {}
        for stage_id in self.removed:
            count = self.counts.get(stage_id, 0)
            if not count:
                continue
            old = next(p.name for p in self.plan if p.id == stage_id)
            names = [p.name for p in plan]
            choice, ok = QInputDialog.getItem(
                self, "Where do its deals go?", f"“{old}” holds {count:,} deals. Move them to:", names, 0, False)
            if not ok:
                return
            index = names.index(choice)
            target = plan[index].id
            moves[stage_id] = target if target is not None else -1 - index
        pipeline_id, name = self.pipeline_id, self.name.text()
        try:
            perform(self.history, Operation(
                self.db, f"Edit the stages of “{self.pipeline_name}”",
                lambda s: stage_service.edit_stages(s, pipeline_id, plan, moves, name), stage_service.restore_stages,
                kinds={STAGES, DEALS}, shown=self._shown_with(pipeline_id), failed=self._failed),
                raise_errors=True)
        except SalesDeskError as exc:
            QMessageBox.warning(self, "Not saved", str(exc))
            return
        self.accept()
