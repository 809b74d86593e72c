"""The targets screen's content: a period, a team, their targets against actuals, charts.

Targets are edited in the table (undoable); a manager's target can be split among
their team ("Split…").  Actuals are never typed: they come from the deals, as on the
board and in the weekly report.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Slot
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QRadioButton,
    QSizePolicy,
    QSplitter,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from salesdesk.clock import CLOCK
from salesdesk.domain.money import AmountError, format_amount, parse_amount
from salesdesk.domain.periods import Period, PeriodKind
from salesdesk.services.board import branch_choices
from salesdesk.services.rates import home_currency
from salesdesk.ui import options, theme
from salesdesk.ui.history import History
from salesdesk.ui.operations import TARGETS, run_step
from salesdesk.ui.targets.model import (
    ATTAINMENT,
    FractionRole,
    PersonIdRole,
    TargetTableModel,
)

if TYPE_CHECKING:  # pyqtgraph comes with the charts, the first time they are shown
    from salesdesk.ui.targets.charts import AttainmentChart, CumulativeChart

METRICS = (("won_revenue", "Won revenue"), ("won_deals", "Won deals"), ("new_deals", "New deals"),
           ("activities", "Activities done"))
KINDS = (("month", "Month"), ("quarter", "Quarter"), ("year", "Year"), ("week", "Week"))


def _targets():
    """The target services (the writes bring SQLAlchemy): imported when first needed."""
    from salesdesk.services import targets

    return targets


class AttainmentDelegate(QStyledItemDelegate):
    """Attainment as a bar behind the percentage: red under 80 %, blue under 100 %, green."""

    def paint(self, painter: QPainter, option, index) -> None:
        fraction = index.data(FractionRole)
        if fraction is not None:
            rect = option.rect.adjusted(4, 6, -4, -6)
            colour = theme.SUCCESS if fraction >= 1 else theme.ACCENT if fraction >= 0.8 else theme.WARNING
            painter.save()
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#eef0f4"))
            painter.drawRoundedRect(rect, 3, 3)
            filled = rect.adjusted(0, 0, -int(rect.width() * (1 - min(fraction, 1.0))), 0)
            painter.setBrush(QColor(colour).lighter(150))
            painter.drawRoundedRect(filled, 3, 3)
            painter.restore()
        super().paint(painter, option, index)


class SplitDialog(QDialog):
    """Set a manager's target and split it among their direct reports."""

    def __init__(self, name: str, reports: int, current: Decimal | None, unit: str, parent=None):
        super().__init__(parent)
        self.setObjectName("split_dialog")
        self.setWindowTitle("Split a target")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{name}'s target for the period, split among their {reports} direct reports."))
        form = QFormLayout()
        self.total = QLineEdit("" if current is None else format_amount(current))
        self.total.setObjectName("split_total")
        form.addRow(f"Target ({unit})", self.total)
        layout.addLayout(form)
        self.even = QRadioButton("Evenly")
        self.even.setChecked(True)
        self.by_actuals = QRadioButton("In proportion to each one's actual in the previous period")
        layout.addWidget(self.even)
        layout.addWidget(self.by_actuals)
        layout.addWidget(QLabel("The parts add up exactly to the target. Ctrl+Z undoes the whole split."))
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {theme.DANGER};")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Split")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def value(self) -> Decimal | None:
        try:
            return parse_amount(self.total.text())
        except AmountError:
            return None

    def how(self) -> str:
        return "even" if self.even.isChecked() else "previous_actuals"

    @Slot()
    def _accept(self) -> None:
        if self.value() is None:
            self.error.setText("Type the target as a number, for example 120000")
            self.error.show()
            return
        self.accept()


class TargetsWidget(QWidget):

    def __init__(self, db, undo_stack: History, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.db = db
        self.undo_stack = undo_stack
        self.settings = settings or QSettings()
        self.today = CLOCK.today()
        kind = options.TARGETS_KIND.read(self.settings)
        self.period = Period.containing(kind if kind in {k for k, _ in KINDS} else "quarter", self.today)
        self.root_id: int | None = None
        self.rows: list = []  # the target rows on view, depth first
        self.model = TargetTableModel(self)
        self.model.read_only = db.read_only
        self.model.edit_requested.connect(self.set_target)
        self.model.edit_refused.connect(self._say_refused)
        self._charts: tuple[AttainmentChart, CumulativeChart] | None = None
        self._build()

    # -- layout -------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        bar = QHBoxLayout()
        self.kind_box = QComboBox()
        self.kind_box.setObjectName("targets_kind")
        for key, label in KINDS:
            self.kind_box.addItem(label, key)
        self.kind_box.setCurrentIndex(self.kind_box.findData(self.period.kind.value))
        self.kind_box.activated.connect(self._on_kind)
        self.previous = QToolButton()
        self.previous.setText("◀")
        self.previous.setToolTip("Previous period")
        self.previous.clicked.connect(self.go_previous)
        self.period_label = QLabel()
        self.period_label.setObjectName("targets_period")
        self.period_label.setMinimumWidth(90)
        self.period_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next = QToolButton()
        self.next.setText("▶")
        self.next.setToolTip("Next period")
        self.next.clicked.connect(self.go_next)
        self.team_box = QComboBox()
        self.team_box.setObjectName("targets_team")
        self.team_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.team_box.activated.connect(self._on_team)
        self.metric_box = QComboBox()
        self.metric_box.setObjectName("targets_metric")
        for key, label in METRICS:
            self.metric_box.addItem(label, key)
        self.metric_box.activated.connect(self._on_metric)
        self.branch_box = QComboBox()
        self.branch_box.setObjectName("targets_branch")
        self.branch_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.branch_box.activated.connect(self._on_metric)
        self.up = QToolButton()
        self.up.setText("Up")
        self.up.setToolTip("The team of this person's manager")
        self.up.clicked.connect(self.go_up)
        self.split = QToolButton()
        self.split.setText("Split…")
        self.split.setObjectName("targets_split")
        self.split.setToolTip("Set the selected manager's target and split it among their team")
        self.split.clicked.connect(self.split_selected)
        self.split.setEnabled(not self.db.read_only)
        self.team_box.setToolTip("Whose team: that person and everyone below them")
        # Full names when there is room; on a narrow window they give way first.
        for box, least in ((self.team_box, 110), (self.metric_box, 95), (self.branch_box, 85)):
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
            box.setMinimumWidth(least)
            box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        for widget in (self.kind_box, self.previous, self.period_label, self.next, self.team_box,
                       self.metric_box, self.branch_box, self.up):
            bar.addWidget(widget)
        bar.addStretch(1)
        bar.addWidget(self.split)
        layout.addLayout(bar)
        self.left_out = QLabel()  # deals in a currency without a rate: never silently added
        self.left_out.setObjectName("targets_left_out")
        self.left_out.setWordWrap(True)
        self.left_out.setProperty("role", "warning")
        self.left_out.hide()
        layout.addWidget(self.left_out)
        self.splitter = QSplitter(Qt.Orientation.Vertical)
        self.table = QTableView()
        self.table.setObjectName("targets_table")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(ATTAINMENT, AttainmentDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column in range(1, 8):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(self._on_double_click)
        self.splitter.addWidget(self.table)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("targets_charts")
        self.export = QToolButton()
        self.export.setText("Export chart")
        self.export.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.export)
        menu.addAction("As PNG…", self.export_png)
        menu.addAction("As SVG (vector)…", self.export_svg)
        self.export.setMenu(menu)
        self.tabs.setCornerWidget(self.export)
        self.splitter.addWidget(self.tabs)
        self.splitter.setSizes([420, 320])
        layout.addWidget(self.splitter, 1)

    # -- loading ------------------------------------------------------------------------
    def refresh(self) -> None:
        from salesdesk.services.org import chart_people

        with self.db.read() as reader:
            people = chart_people(reader)
            branches = branch_choices(reader)
            self.currency = home_currency(reader)
        managers = [p for p in people if any(q.manager_id == p.id for q in people)]
        if self.root_id is None or self.root_id not in {p.id for p in people}:
            saved = options.TARGETS_TEAM.read(self.settings)
            ids = {p.id for p in managers}
            self.root_id = saved if saved in ids else (managers[0].id if managers else None)
        self.team_box.blockSignals(True)
        self.team_box.clear()
        for p in managers:
            self.team_box.addItem(f"{p.name} ({p.role})", p.id)
        self.team_box.setCurrentIndex(max(0, self.team_box.findData(self.root_id)))
        self.team_box.blockSignals(False)
        current = self.branch_box.currentData()
        self.branch_box.blockSignals(True)
        self.branch_box.clear()
        self.branch_box.addItem("All branches", None)
        for branch_id, name in branches:
            self.branch_box.addItem(name, branch_id)
        self.branch_box.setCurrentIndex(max(0, self.branch_box.findData(current)) if current else 0)
        self.branch_box.blockSignals(False)
        self.load()

    def chosen_metric(self) -> str:
        return self.metric_box.currentData()

    def branch_id(self) -> int | None:
        return self.branch_box.currentData()

    def load(self) -> None:
        """Read the team's rows for the period and show them (table and charts)."""
        self.period_label.setText(self._period_text())
        if self.root_id is None:
            self.model.set_rows([], is_money=True, currency=self.currency)
            return
        with self.db.read() as reader:
            self.rows = _targets().target_rows(reader, self.root_id, self.period, self.chosen_metric(), self.today,
                                               branch_id=self.branch_id())
            note = _targets().left_out(reader, self.root_id, self.period, self.chosen_metric(), self.today,
                                       branch_id=self.branch_id())
        self.left_out.setText(note)
        self.left_out.setVisible(bool(note))
        self.model.set_rows(self.rows, is_money=self.chosen_metric() == "won_revenue", currency=self.currency)
        self.up.setEnabled(bool(self.rows) and self.rows[0].manager_id is not None)
        if self._charts is not None or self.tabs.isVisible():
            self._update_charts()

    def _period_text(self) -> str:
        p = self.period
        if p.kind is PeriodKind.WEEK:
            return f"{p.label} ({p.start:%d %b} – {p.last_day:%d %b %Y})"
        if p.kind is PeriodKind.MONTH:
            return p.start.strftime("%B %Y")
        return p.label.replace("-", " ")

    # -- charts (pyqtgraph is imported the first time they are shown) --------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._charts is None and self.rows:
            self._update_charts()

    def _update_charts(self) -> None:
        from salesdesk.ui.targets import charts

        if self._charts is None:
            self._charts = (charts.AttainmentChart(), charts.CumulativeChart())
            self.tabs.addTab(self._charts[0], "Target and actual per person")
            self.tabs.addTab(self._charts[1], "Over the year, with the forecast")
            self._charts[0].person_clicked.connect(self.drill_into)
        unit = self.currency if self.chosen_metric() == "won_revenue" else ""
        direct = [r for r in self.rows if r.depth == 1] or self.rows[:1]
        self._charts[0].set_data([(r.person_id, r.name, None if r.effective is None else float(r.effective),
                                   float(r.actual)) for r in direct], unit)
        with self.db.read() as reader:
            series = _targets().monthly_series(reader, self.root_id, self.period.start.year, self.chosen_metric(), self.today,
                                               branch_id=self.branch_id())
        number = lambda value: None if value is None else float(value)  # noqa: E731
        self._charts[1].set_series([p.month.strftime("%b") for p in series],
                                   [number(p.cumulative_actual) for p in series],
                                   [number(p.cumulative_target) for p in series],
                                   [number(p.cumulative_forecast) for p in series], unit)

    def current_chart(self):
        return self.tabs.currentWidget()

    def _export_path(self, kind: str, suffix: str):
        from salesdesk.ui.widgets.save_path import ask_save_path

        return ask_save_path(self, self.settings, options.TARGETS_EXPORT_FOLDER.key, f"Export the chart as {kind}",
                             f"targets-{self.period.label}.{suffix}", kind, suffix, database=self.db.path)

    @Slot()
    def export_png(self, path=None):
        from salesdesk.ui.targets.charts import export_png

        return self._export_chart(export_png, path or self._export_path("PNG", "png"))

    @Slot()
    def export_svg(self, path=None):
        from salesdesk.ui.targets.charts import export_svg

        return self._export_chart(export_svg, path or self._export_path("SVG", "svg"))

    def _export_chart(self, write, path):
        """The chart on view written to ``path`` by ``write``; None when that was refused."""
        from salesdesk.ui.widgets.save_path import written_or_refused

        chart = self.current_chart()
        if not path or chart is None:
            return path
        return written_or_refused(self, lambda: write(chart, path, database=self.db.path))

    # -- navigation ------------------------------------------------------------------------
    @Slot(int)
    def _on_kind(self, index: int) -> None:
        kind = self.kind_box.itemData(index)
        options.TARGETS_KIND.write(self.settings, kind)
        self.period = Period.containing(kind, self.period.start if kind != "week" else self.today)
        self.load()

    @Slot()
    def go_previous(self) -> None:
        self.period = self.period.previous()
        self.load()

    @Slot()
    def go_next(self) -> None:
        self.period = self.period.next()
        self.load()

    @Slot(int)
    def _on_team(self, index: int) -> None:
        self.drill_into(self.team_box.itemData(index))

    @Slot(int)
    def _on_metric(self, index: int) -> None:
        self.load()

    @Slot(int)
    def drill_into(self, person_id: int) -> None:
        """Show a person's team (a click on their bar or a double-click on their name)."""
        row = next((r for r in self.rows if r.person_id == person_id), None)
        if row is not None and row.depth > 0 and not any(r.manager_id == person_id for r in self.rows):
            return  # nobody below them: nothing to drill into
        self.root_id = person_id
        options.TARGETS_TEAM.write(self.settings, person_id)
        index = self.team_box.findData(person_id)
        if index >= 0:
            self.team_box.setCurrentIndex(index)
        self.load()

    @Slot()
    def go_up(self) -> None:
        if self.rows and self.rows[0].manager_id is not None:
            self.drill_into(self.rows[0].manager_id)

    def _on_double_click(self, index) -> None:
        if index.column() != 2:  # the Target column edits; elsewhere, drill into the team
            self.drill_into(index.data(PersonIdRole))

    # -- edits ---------------------------------------------------------------------------------
    def _refused(self, exc: Exception) -> None:
        self.load()
        QMessageBox.warning(self, "Not changed", str(exc))

    @Slot(str)
    def _say_refused(self, message: str) -> None:
        QMessageBox.warning(self, "Not a target", message)

    def _shown(self, result, undone) -> None:
        self.load()

    @Slot(int, object)
    def set_target(self, person_id: int, value) -> bool:
        name = next((r.name for r in self.rows if r.person_id == person_id), "")
        period, metric = self.period, self.chosen_metric()
        text = f"Target of {name} for {period.label}" if value is not None else f"Remove the target of {name}"
        return run_step(self.undo_stack, self.db, text,
                        lambda s: _targets().set_target(s, person_id, period, metric, value),
                        lambda s, previous: _targets().restore_target(s, person_id, period, metric, previous),
                        self._shown, self._refused, kinds={TARGETS}, ids={person_id})

    def selected_row(self):
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if rows:
            return self.rows[rows[0].row()]
        return self.rows[0] if self.rows else None

    @Slot()
    def split_selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        reports = [r for r in self.rows if r.manager_id == row.person_id]
        if not reports:
            QMessageBox.information(self, "Split a target", f"Nobody reports to {row.name}: there is nothing to split.")
            return
        unit = self.currency if self.chosen_metric() == "won_revenue" else "count"
        dialog = SplitDialog(row.name, len(reports), row.target, unit, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        total = dialog.value()
        assert total is not None  # the dialog is accepted with a number only
        self.split_target(row.person_id, total, dialog.how())

    def split_target(self, manager_id: int, total: Decimal, how: str) -> bool:
        name = next((r.name for r in self.rows if r.person_id == manager_id), "")
        period, metric = self.period, self.chosen_metric()
        return run_step(self.undo_stack, self.db, f"Split {name}'s target for {period.label}",
                        lambda s: _targets().cascade_target(s, manager_id, period, metric, total, how),
                        lambda s, previous: _targets().restore_targets(s, previous),
                        self._shown, self._refused, kinds={TARGETS})
