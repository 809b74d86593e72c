"""The import wizard: a file, its columns, its words, a checked preview, then all or nothing.

Pages, each a thin view over ``salesdesk.transfer``:

1. what to import (kind, file, what to do with duplicates, a saved mapping if any);
2. columns: the guessed mapping, one combo box per column of the file;
3. values: the file's words for stages, owners, roles... mapped to SalesDesk's, and how
   cells are read where the file cannot say: the decimal mark of amounts, rounding to
   the cent, the date columns that hold spreadsheet serial numbers;
4. check: a dry run of the whole file; the first rows with the cells that have a
   problem in red, and every problem listed; "Import" only when there are none;
5. result: what was imported, and where the copy taken before it is.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal, Slot
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from salesdesk.db.engine import Database
from salesdesk.errors import SalesDeskError
from salesdesk.transfer.importer import ImportResult, import_file
from salesdesk.transfer.kinds import IMPORT_ORDER, KINDS
from salesdesk.transfer.mapping import Mapping
from salesdesk.transfer.preview import Preview, distinct_words, guess_target, mapping_targets, read_preview
from salesdesk.transfer.problems import ImportRefused, Problem
from salesdesk.ui.busy import wait_cursor

NOT_IMPORTED = "(not imported)"
AS_IS = "(as written)"
PROBLEM_BRUSH = QBrush(QColor(255, 205, 205))
ROW_BRUSH = QBrush(QColor(255, 235, 235))
LAST_FOLDER = "transfer/import_folder"
MAPPING_FOLDER = "transfer/mapping_folder"
POLICIES = (("skip", "Skip them (keep what SalesDesk has)"), ("update", "Update them with the file's values"),
            ("create", "Create new records anyway"))
DECIMAL_SEPARATORS = (("", "Refuse an amount that could be either"), (",", "Comma: 1.234,50 is 1234.50"),
                      (".", "Dot: 1,234.50 is 1234.50"))


class SourcePage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("What to import")
        self.setSubTitle("A CSV file (any delimiter and encoding) or an XLSX workbook, one record per row "
                         "under a row of headers.")
        self.kind = QComboBox()
        self.kind.setObjectName("import_kind")
        for name in IMPORT_ORDER:
            self.kind.addItem(KINDS[name].label, name)
        self.file = QLineEdit()
        self.file.setObjectName("import_file")
        self.file.setPlaceholderText("Choose a .csv or .xlsx file")
        self.file.textChanged.connect(self.completeChanged)
        browse = QPushButton("Choose…")
        browse.clicked.connect(self.choose_file)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.duplicates = QComboBox()
        self.duplicates.setObjectName("import_duplicates")
        for key, label in POLICIES:
            self.duplicates.addItem(label, key)
        self.date_order = QComboBox()
        self.date_order.setObjectName("import_date_order")
        for key, label in (("", "Refuse a date that could be either"), ("DMY", "Day first: 03/04 is 3 April"),
                           ("MDY", "Month first: 03/04 is March 4")):
            self.date_order.addItem(label, key)
        self.saved = QLineEdit()
        self.saved.setObjectName("import_saved_mapping")
        self.saved.setPlaceholderText("optional: a mapping saved from an earlier import")
        self.saved.textChanged.connect(self.take_saved_choices)
        load = QPushButton("Choose…")
        load.clicked.connect(self.choose_mapping)
        saved_row = QHBoxLayout()
        saved_row.addWidget(self.saved, 1)
        saved_row.addWidget(load)
        self.message = QLabel()
        self.message.setObjectName("import_source_message")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        form = QFormLayout(self)
        form.addRow("Import", self.kind)
        form.addRow("From the file", row)
        form.addRow("Records already in SalesDesk\n(same email or external id)", self.duplicates)
        form.addRow("Dates like 03/04/2026", self.date_order)
        form.addRow("Column mapping", saved_row)
        form.addRow(self.message)

    @Slot()
    def choose_file(self) -> None:
        start = str(self.wiz.settings.value(LAST_FOLDER, str(Path.home())))
        chosen, _ = QFileDialog.getOpenFileName(self, "Import from", start,
                                                "Spreadsheets (*.csv *.txt *.tsv *.xlsx);;All files (*)")
        if chosen:
            self.file.setText(chosen)
            self.wiz.settings.setValue(LAST_FOLDER, str(Path(chosen).parent))

    @Slot()
    def choose_mapping(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Use a saved mapping", str(Path.home()),
                                                "Mappings (*.json);;All files (*)")
        if chosen:
            self.saved.setText(chosen)

    @Slot()
    def take_saved_choices(self) -> None:
        """Show the choices a saved mapping makes, so that the page does not silently
        override them (a mapping saved to update would otherwise skip)."""
        if not self.saved.text().strip():
            return
        try:
            mapping = Mapping.load(self.saved.text().strip(), self.kind.currentData())
        except (SalesDeskError, OSError, ValueError):
            return  # not (yet) a mapping file: Next says why
        self.duplicates.setCurrentIndex(max(0, self.duplicates.findData(mapping.duplicates)))
        if mapping.date_order:
            self.date_order.setCurrentIndex(max(0, self.date_order.findData(mapping.date_order)))

    def isComplete(self) -> bool:
        return bool(self.file.text().strip())

    def validatePage(self) -> bool:
        path = Path(self.file.text().strip()).expanduser()
        kind = self.kind.currentData()
        try:
            with wait_cursor():
                preview = read_preview(path)
                if self.saved.text().strip():
                    mapping = Mapping.load(self.saved.text().strip(), kind)
                else:
                    mapping = Mapping.guess(kind, preview.headers)
        except (ImportRefused, SalesDeskError) as exc:
            problems = getattr(exc, "problems", None)
            self.message.setText(str(problems[0]) if problems else str(exc))
            return False
        mapping.duplicates = self.duplicates.currentData()
        if self.date_order.currentData() or not mapping.date_order:
            mapping.date_order = self.date_order.currentData()
        self.message.clear()
        self.wiz.path, self.wiz.preview, self.wiz.mapping = path, preview, mapping
        self.wiz.values_page.shown = False  # a new mapping: its own choices until the values page shows them
        return True


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Columns")
        self.setSubTitle("Which field each column fills, guessed from the headers. Fields marked * are needed.")
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("import_columns")
        self.table.setHorizontalHeaderLabels(["Column of the file", "First values", "SalesDesk field"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.missing = QLabel()
        self.missing.setObjectName("import_missing_fields")
        self.missing.setWordWrap(True)
        save = QPushButton("Save mapping…")
        save.setToolTip("Keep this mapping for the next file from the same tool")
        save.clicked.connect(wizard.save_mapping)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.missing, 1)
        bottom.addWidget(save)
        layout.addLayout(bottom)
        self.combos: list[QComboBox] = []

    def initializePage(self) -> None:
        _, preview, mapping = self.wiz.chosen()
        spec = mapping.spec
        self.table.setRowCount(len(preview.headers))
        self.combos = []
        for row, header in enumerate(preview.headers):
            samples = [cells[row] for _n, cells in preview.rows if row < len(cells) and cells[row].strip()][:3]
            self.table.setItem(row, 0, QTableWidgetItem(header or f"(column {row + 1}, no header)"))
            self.table.setItem(row, 1, QTableWidgetItem("  ·  ".join(s.replace("\n", " ") for s in samples)))
            combo = QComboBox()
            combo.addItem(NOT_IMPORTED, None)
            for f in spec.fields:
                combo.addItem(f"{f.label}{' *' if f.required else ''}", f.name)
            chosen = mapping.columns.get(header)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen else 0)
            combo.currentIndexChanged.connect(self.update_missing)
            self.table.setCellWidget(row, 2, combo)
            self.combos.append(combo)
        self.update_missing()

    def columns(self) -> dict[str, str]:
        _, preview, _ = self.wiz.chosen()
        return {h: c.currentData() for h, c in zip(preview.headers, self.combos) if c.currentData() and h}

    def set_column(self, header: str, field: str | None) -> None:
        """Map ``header`` to ``field`` (None: not imported), as a click in its combo box would."""
        _, preview, _ = self.wiz.chosen()
        combo = self.combos[preview.headers.index(header)]
        combo.setCurrentIndex(combo.findData(field) if field else 0)

    @Slot()
    def update_missing(self) -> None:
        chosen = set(self.columns().values())
        _, _, mapping = self.wiz.chosen()
        missing = [f.label for f in mapping.spec.fields if f.required and f.name not in chosen]
        self.missing.setText(f"Still needed: {', '.join(missing)}" if missing else "Every needed field has a column.")

    @Slot()
    def save_mapping(self) -> None:
        self.wiz.save_mapping()

    def validatePage(self) -> bool:
        _, _, mapping = self.wiz.chosen()
        mapping.columns = self.columns()
        return True


class ValuesPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Values")
        self.setSubTitle("What the file's words mean in SalesDesk: its stages, its people. "
                         "Words left “as written” must match SalesDesk's own. Below: how amounts and "
                         "dates are read where the file cannot say.")
        self.table = QTableWidget(0, 3)
        self.table.setObjectName("import_values")
        self.table.setHorizontalHeaderLabels(["Field", "In the file", "In SalesDesk"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.empty = QLabel("Nothing to map: the file's columns need no translation.")
        # How cells are read where the file itself cannot say (see salesdesk.transfer.values)
        self.decimal_separator = QComboBox()
        self.decimal_separator.setObjectName("import_decimal_separator")
        for key, label in DECIMAL_SEPARATORS:
            self.decimal_separator.addItem(label, key)
        self.round_cents = QCheckBox("Round amounts to the cent (half up)")
        self.round_cents.setObjectName("import_round_cents")
        self.round_cents.setToolTip("Amounts such as 957.5775 become 957.58; the check and the outcome say how "
                                    "many were rounded and by how much in all. Otherwise they are refused.")
        self.reading = QFormLayout()
        self.reading.addRow("Amounts like 1,234", self.decimal_separator)
        self.reading.addRow("", self.round_cents)
        self.serial_box = QVBoxLayout()
        self.reading.addRow("Numbers in date columns", self.serial_box)
        self.save = QPushButton("Save mapping…")  # the choices made here are the mapping's too
        self.save.setToolTip("Keep the columns, words and these choices for the next file from the same tool")
        self.save.clicked.connect(wizard.save_mapping)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(self.reading)
        layout.addWidget(self.save, 0, Qt.AlignmentFlag.AlignRight)
        self.combos: dict[tuple[str, str], QComboBox] = {}
        self.serial_dates: dict[str, QCheckBox] = {}  # date field -> "holds serial numbers"
        self.shown = False  # the choices are the mapping's until the page has been shown

    def initializePage(self) -> None:
        path, _, mapping = self.wiz.chosen()
        fields = [f for f in mapping.spec.value_mapped if f in mapping.columns.values()]
        header_of = {field: header for header, field in mapping.columns.items()}
        with wait_cursor():
            words = distinct_words(path, [header_of[f] for f in fields]) if fields else {}
            with self.wiz.db.read() as reader:
                targets = {f: mapping_targets(reader, f) for f in fields}
        rows = [(f, w) for f in fields for w in words.get(header_of[f], [])]
        self.table.setRowCount(len(rows))
        self.combos = {}
        for row, (field, word) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(mapping.spec.field(field).label))
            self.table.setItem(row, 1, QTableWidgetItem(word))
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItem(AS_IS, "")
            for target in targets[field]:
                combo.addItem(target, target)
            known = mapping.values.get(field, {}).get(word) or guess_target(field, word, targets[field])
            if known:
                index = combo.findData(known)
                if index < 0:
                    combo.addItem(known, known)
                    index = combo.count() - 1
                combo.setCurrentIndex(index)
            self.table.setCellWidget(row, 2, combo)
            self.combos[(field, word)] = combo
        self.table.setVisible(bool(rows))
        self.empty.setVisible(not rows)
        self.show_reading(mapping, header_of)
        self.shown = True

    def show_reading(self, mapping: Mapping, header_of: dict[str, str]) -> None:
        """The choices of how amounts and dates are read, for the fields the file has."""
        amounts = any(f in header_of for f in mapping.spec.amount_fields)
        self.decimal_separator.setCurrentIndex(max(0, self.decimal_separator.findData(mapping.decimal_separator)))
        self.round_cents.setChecked(mapping.round_cents)
        for row in (self.decimal_separator, self.round_cents):
            self.reading.setRowVisible(row, amounts)
        while self.serial_box.count():
            item = self.serial_box.takeAt(0)
            old = item.widget() if item is not None else None
            assert old is not None  # the layout holds only the check boxes added below
            old.deleteLater()
        self.serial_dates = {}
        for field in mapping.spec.date_fields:
            if field in header_of:
                box = QCheckBox(f"{header_of[field]} holds spreadsheet serial numbers (45000 is 2023-03-15)")
                box.setChecked(field in mapping.serial_dates)
                self.serial_box.addWidget(box)
                self.serial_dates[field] = box
        self.reading.setRowVisible(self.serial_box, bool(self.serial_dates))

    def set_value(self, field: str, word: str, target: str) -> None:
        combo = self.combos[(field, word)]
        index = combo.findData(target)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def cleanupPage(self) -> None:
        """Back: keep the choices made here for when the page is shown again."""
        self.validatePage()

    def validatePage(self) -> bool:
        if not self.shown:  # saved from the columns page first: the mapping's own choices stand
            return True
        _, _, mapping = self.wiz.chosen()
        mapping.decimal_separator = self.decimal_separator.currentData()
        mapping.round_cents = self.round_cents.isChecked()
        mapping.serial_dates = [field for field, box in self.serial_dates.items() if box.isChecked()]
        values: dict[str, dict[str, str]] = {}
        for (field, word), combo in self.combos.items():
            target = combo.currentData() if combo.currentText() == combo.itemText(combo.currentIndex()) \
                else combo.currentText().strip()
            if target and target != AS_IS and target != word:
                values.setdefault(field, {})[word] = target
        mapping.values = values
        return True


class CheckPage(QWizardPage):
    """The dry run: the whole file checked, nothing written."""

    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Check")
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Import")
        self.summary = QLabel()
        self.summary.setObjectName("import_summary")
        self.summary.setWordWrap(True)
        self.table = QTableWidget(0, 0)
        self.table.setObjectName("import_preview")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("import_problems")
        self.problem_list.setWordWrap(True)  # a reason says what to do: read whole, not cut at the edge
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.problem_list, 1)
        self.problems: list[Problem] = []
        self.dry_run: ImportResult | None = None

    def initializePage(self) -> None:
        self.run_dry()

    def run_dry(self) -> None:
        self.problems, self.dry_run, more = [], None, 0
        path, preview, mapping = self.wiz.chosen()
        try:
            with wait_cursor():
                self.dry_run = import_file(self.wiz.db, path, mapping, dry_run=True)
        except ImportRefused as exc:
            self.problems, more = exc.problems, exc.more
        except SalesDeskError as exc:
            self.problems = [Problem(0, "", str(exc))]
        self.show_preview(preview)
        self.problem_list.clear()
        self.problem_list.addItems([str(p) for p in self.problems])
        if more:
            self.problem_list.addItem(f"… and {more:,} more")
        self.problem_list.setVisible(bool(self.problems))
        if self.dry_run is not None:
            self.setSubTitle("Dry run: the whole file was checked and nothing was written yet.")
            self.summary.setText("\n".join(self.dry_run.lines()).replace("Would import", "Ready to import"))
        else:
            count = len(self.problems) + more
            self.setSubTitle("Dry run: the whole file was checked and nothing was written.")
            self.summary.setText(f"{count:,} problem{'s' if count != 1 else ''} found: nothing will be imported "
                                 "until the file (or the mapping: Back) is put right. The cells in question are "
                                 "red in the first rows below.")
        self.completeChanged.emit()

    def show_preview(self, preview: Preview) -> None:
        headers = preview.headers
        self.table.clear()
        self.table.setColumnCount(len(headers))
        self.table.setRowCount(len(preview.rows))
        self.table.setHorizontalHeaderLabels(headers)
        self.table.setVerticalHeaderLabels([str(n) for n, _ in preview.rows])
        at_cell = {(p.row, p.column): p.reason for p in self.problems if p.column}
        at_row = {p.row: p.reason for p in self.problems if not p.column}
        for r, (number, cells) in enumerate(preview.rows):
            for c, header in enumerate(headers):
                item = QTableWidgetItem(cells[c] if c < len(cells) else "")
                reason = at_cell.get((number, header)) or at_row.get(number)
                if reason:
                    item.setBackground(PROBLEM_BRUSH if (number, header) in at_cell else ROW_BRUSH)
                    item.setToolTip(reason)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

    def problem_cells(self) -> list[tuple[int, str]]:
        """(row number, header) of the preview's cells shown in red."""
        out = []
        for r in range(self.table.rowCount()):
            for c in range(self.table.columnCount()):
                item = self.table.item(r, c)
                if item is not None and item.background() == PROBLEM_BRUSH:
                    number, header = self.table.verticalHeaderItem(r), self.table.horizontalHeaderItem(c)
                    assert number is not None and header is not None  # show_preview labels every row and column
                    out.append((int(number.text()), header.text()))
        return out

    def isComplete(self) -> bool:
        return self.dry_run is not None

    def validatePage(self) -> bool:
        path, _, mapping = self.wiz.chosen()
        try:
            with wait_cursor():
                result = import_file(self.wiz.db, path, mapping)
        except ImportRefused as exc:  # the database changed since the dry run
            self.problems = exc.problems
            self.run_dry()
            return False
        self.wiz.outcome = result
        self.wiz.imported.emit(result)
        return True


class ResultPage(QWizardPage):
    def __init__(self, wizard: ImportWizard):
        super().__init__()
        self.wiz = wizard
        self.setTitle("Imported")
        self.text = QLabel()
        self.text.setObjectName("import_result")
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self).addWidget(self.text)

    def initializePage(self) -> None:
        self.text.setText("\n\n".join(self.wiz.outcome.lines()) if self.wiz.outcome else "")


class ImportWizard(QWizard):
    """Import a file into ``db``, checked whole before anything is written.

    Signals:
        imported(ImportResult): the import was written (the window reloads its screens).
    """

    imported = Signal(object)

    def __init__(self, db: Database, settings: QSettings, parent: QWidget | None = None, *,
                 path: str | Path | None = None, kind: str | None = None):
        super().__init__(parent)
        self.setObjectName("import_wizard")
        self.setWindowTitle("Import")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.resize(860, 600)
        self.db, self.settings = db, settings
        self.path: Path | None = None
        self.preview: Preview | None = None
        self.mapping: Mapping | None = None
        self.outcome: ImportResult | None = None  # not "result": that is QDialog.result()
        self.source_page = SourcePage(self)
        self.columns_page = ColumnsPage(self)
        self.values_page = ValuesPage(self)
        self.check_page = CheckPage(self)
        self.result_page = ResultPage(self)
        for page in (self.source_page, self.columns_page, self.values_page, self.check_page, self.result_page):
            self.addPage(page)
        if kind is not None:
            self.source_page.kind.setCurrentIndex(self.source_page.kind.findData(kind))
        if path is not None:
            self.source_page.file.setText(str(path))

    def chosen(self) -> tuple[Path, Preview, Mapping]:
        """The file, its first rows and its mapping: the source page sets them before any later page shows."""
        assert self.path is not None and self.preview is not None and self.mapping is not None
        return self.path, self.preview, self.mapping

    @Slot()
    def save_mapping(self) -> None:
        """Save the mapping as chosen so far (columns, words, how cells are read) as JSON."""
        from salesdesk.ui.widgets.save_path import ask_save_path, written_or_refused

        database = self.db.path
        chosen = ask_save_path(self, self.settings, MAPPING_FOLDER, "Save mapping", "mapping.json", "Mappings",
                               "json", database=database)
        if chosen:
            self.columns_page.validatePage()
            self.values_page.validatePage()
            _, _, mapping = self.chosen()
            written_or_refused(self, lambda: mapping.save(chosen, database=database, replace=True),
                               "Mapping not saved")
