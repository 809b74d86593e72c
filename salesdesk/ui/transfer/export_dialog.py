"""Export…: which kind of record, and as XLSX or CSV."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QWidget

from salesdesk.transfer.kinds import IMPORT_ORDER, KINDS


class ExportDialog(QDialog):
    """What to export, and as CSV or XLSX."""

    def __init__(self, parent: QWidget | None = None, kind: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        self.kind = QComboBox()
        for name in IMPORT_ORDER:
            self.kind.addItem(KINDS[name].label, name)
        if kind:
            self.kind.setCurrentIndex(self.kind.findData(kind))
        self.format = QComboBox()
        self.format.addItem("Excel workbook (.xlsx)", "xlsx")
        self.format.addItem("CSV, UTF-8 (.csv)", "csv")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Export…")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Export", self.kind)
        form.addRow("As", self.format)
        form.addRow(buttons)
