"""The targets table: one row per person of the chosen team, as plain snapshots.

The Target column is editable: the model does not save anything itself, it asks the
screen (``edit_requested``), which saves through the services as an undo step and
then reloads the rows.

Signals:
    edit_requested(int, object): a person's new target (a Decimal, or None to clear it).
    edit_refused(str): what the user typed is not a target, and why.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from salesdesk.domain.defaults import DEFAULT_CURRENCY
from salesdesk.domain.money import AmountError, format_amount, parse_amount
from salesdesk.ui import theme
from salesdesk.ui.format import money

PERSON, ROLE, TARGET, ROLLED_UP, ACTUAL, ATTAINMENT, GAP, FORECAST = range(8)
HEADERS = ("Person", "Role", "Target", "Team's targets", "Actual", "Attainment", "Gap", "Forecast")
PersonIdRole = Qt.ItemDataRole.UserRole + 1
FractionRole = Qt.ItemDataRole.UserRole + 2


class TargetTableModel(QAbstractTableModel):
    edit_requested = Signal(int, object)
    edit_refused = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.rows: list = []
        self.is_money = True
        self.currency = DEFAULT_CURRENCY  # until the screen has read the company's
        self.read_only = False
        self._bold = QFont()
        self._bold.setWeight(QFont.Weight.DemiBold)

    def set_rows(self, rows, *, is_money: bool, currency: str) -> None:
        self.beginResetModel()  # a new period or team: a different table altogether
        self.rows = list(rows)
        self.is_money, self.currency = is_money, currency
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def flags(self, index):
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == TARGET and not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def figure(self, value) -> str:
        if value is None:
            return "–"
        return money(value)  # whole units in the user's style, money and counts alike

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == PersonIdRole:
            return row.person_id
        if role == FractionRole and column == ATTAINMENT:
            return row.attainment
        if role == Qt.ItemDataRole.DisplayRole:
            if column == PERSON:
                return "    " * row.depth + row.name
            if column == ROLE:
                return row.role
            if column == TARGET:
                if row.target is None:
                    return ""
                return self.figure(row.target) + (" *" if getattr(row, "derived", False) else "")
            if column == ROLLED_UP:
                if row.rolled_up is None:
                    return ""
                if row.unallocated:
                    return f"{self.figure(row.rolled_up)} ({self.figure(row.unallocated)} unallocated)"
                return self.figure(row.rolled_up)
            if column == ACTUAL:
                return self.figure(row.actual)
            if column == ATTAINMENT:
                return "–" if row.attainment is None else f"{row.attainment * 100:.0f} %"
            if column == GAP:
                if row.gap is not None and row.gap < 0:
                    return f"{self.figure(-row.gap)} ahead"
                return self.figure(row.gap)
            if column == FORECAST:
                return self.figure(row.forecast)
        if role == Qt.ItemDataRole.EditRole and column == TARGET:
            return "" if row.target is None else format_amount(row.target) if self.is_money else f"{row.target:.0f}"
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= TARGET:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and row.depth == 0:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == TARGET and row.target is None:
                return QColor(theme.MUTED)
            if column == ROLLED_UP and row.unallocated:
                return QColor(theme.WARNING)
            if column == GAP and row.gap is not None:
                return QColor(theme.DANGER) if row.gap > 0 else QColor(theme.SUCCESS)
        if role == Qt.ItemDataRole.ToolTipRole and column == TARGET:
            if getattr(row, "derived", False):
                return "* The sum of their targets for the shorter periods inside this one; type a figure to set one"
            if row.target is None and row.rolled_up is not None:
                return f"No target of their own: their team's targets add up to {self.figure(row.rolled_up)}"
            return "Double-click to set the target; empty to remove it"
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or index.column() != TARGET:
            return False
        text = str(value).strip()
        if text == "":
            amount = None
        else:
            try:  # in the user's style; the currency code may be typed with it
                amount = parse_amount(text.removesuffix("%").strip())
            except AmountError as exc:
                self.edit_refused.emit({"not an amount": f"“{value}” is not a number",
                                        "negative": "A target cannot be negative"}.get(exc.kind, str(exc)))
                return False
        row = self.rows[index.row()]
        if amount == row.target:
            return False
        self.edit_requested.emit(row.person_id, amount)
        return True
