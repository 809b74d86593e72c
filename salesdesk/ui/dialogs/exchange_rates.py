"""Edit > Exchange rates… and Edit > Company currency…: the rates that convert a deal's
currency into the company's, and the company's currency itself.

Each change is one undo step of the window's active history (``ui/undo.run_step`` over
``services/currencies``); the window then reads every total again.
"""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QDate, Qt, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from salesdesk.clock import CLOCK
from salesdesk.domain.currencies import ACTIVE, currency_code
from salesdesk.errors import SalesDeskError, cause
from salesdesk.services import currencies
from salesdesk.services.rates import RateBook, currency_change, deal_currencies, home_currency
from salesdesk.ui import options
from salesdesk.ui.format import plural
from salesdesk.ui.operations import RATES, SETTINGS, run_step
from salesdesk.ui.widgets.save_path import ask_save_path, written_or_refused


def _refused(parent: QWidget, title: str, window: QWidget):
    """``failed`` for a step: said over ``parent`` while it is open, else over the main
    ``window`` (an undo long after the dialog closed: Qt has deleted it)."""
    def failed(exc: Exception) -> None:
        parent_now = parent if shiboken6.isValid(parent) else window
        if isinstance(exc, SalesDeskError):
            QMessageBox.warning(parent_now, title, str(exc))
        else:
            QMessageBox.warning(parent_now, title, f"The change could not be saved: {cause(exc)}")
    return failed


def change_company_currency(window, code: str, parent: QWidget | None = None) -> bool:
    """Make ``code`` the company's currency, as one undo step; False when refused (said)."""
    parent = parent or window
    try:
        new = currency_code(code)
    except ValueError as exc:
        QMessageBox.warning(parent, "Company currency", str(exc))
        return False

    def shown(old, undone):
        window.reload()
        now = old if undone else new
        window.statusBar().showMessage(f"The company counts in {now}: totals, targets and reports are in {now}", 8000)

    return run_step(window.history, window.db, f"Make {new} the company's currency",
                    lambda s: currencies.set_company_currency(s, new),
                    lambda s, old: currencies.set_company_currency(s, old), shown, _refused(parent, "Company currency", window),
                    kinds={SETTINGS})


def ask_company_currency(window, parent: QWidget | None = None) -> None:
    """Ask for the company's currency (the deals' currencies offered first)."""
    parent = parent or window
    with window.db.read() as reader:
        home = home_currency(reader)
        used = deal_currencies(reader)
    offered = [home] + [c for c in used if c != home] + sorted(ACTIVE - {home, *used})
    code, ok = QInputDialog.getItem(
        parent, "Company currency",
        f"The company reports in {home}. Every total, target and report is in this currency;\n"
        "deals in other currencies count at the exchange rates kept for it.\n\nCurrency:",
        offered, 0, True)
    if ok and code.strip() and code.strip().upper() != home and _confirmed(window, parent, home, code.strip().upper()):
        change_company_currency(window, code, parent)


def _confirmed(window, parent: QWidget, home: str, new: str) -> bool:
    """Say what a change of the company's currency does before doing it."""
    try:
        new = currency_code(new)
    except ValueError:
        return True  # refused in words by change_company_currency
    with window.db.read() as reader:
        kept, stranded = currency_change(reader, new)
    box = QMessageBox(QMessageBox.Icon.Question, "Company currency",
                      f"Make {new} the company's currency instead of {home}?", QMessageBox.StandardButton.NoButton,
                      parent)
    box.setInformativeText(
        f"Every total, target and report will be in {new}. "
        + (f"{plural(stranded, 'open deal')} in other currencies count only where a rate into {new} is kept "
           f"({plural(kept, 'rate')} kept now). " if stranded else "")
        + f"Targets keep their numbers: a target of 600,000 {home} reads 600,000 {new}. "
        "Edit → Undo changes it back.")
    change = box.addButton(f"Make it {new}", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is change


class ExchangeRatesDialog(QDialog):
    """The rates kept for the company's currency; keep, remove, import and export them."""

    def __init__(self, window):
        super().__init__(window)
        self.main_window = window  # not "window": that is QWidget.window()
        self.rates: list[dict] = []
        self.setObjectName("exchange_rates_dialog")
        self.setWindowTitle("Exchange rates")
        self.resize(640, 520)

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.missing = QLabel()
        self.missing.setObjectName("rates_missing")
        self.missing.setWordWrap(True)
        self.missing.setProperty("role", "warning")

        self.table = QTableWidget(0, 3)
        self.table.setObjectName("rates_table")
        self.table.setHorizontalHeaderLabels(["Currency", "From", "Rate"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selection_changed)

        self.currency = QComboBox()
        self.currency.setObjectName("rate_currency")
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.valid_from = QDateEdit()
        self.valid_from.setObjectName("rate_from")
        self.valid_from.setCalendarPopup(True)
        self.valid_from.setDisplayFormat("yyyy-MM-dd")
        today = CLOCK.today()
        self.valid_from.setDate(QDate(today.year, today.month, today.day))
        self.rate = QLineEdit()
        self.rate.setObjectName("rate_value")
        self.rate.setPlaceholderText("such as 0.9213")
        self.rate.returnPressed.connect(self.keep_rate)
        self.currency.lineEdit().returnPressed.connect(self.keep_rate)
        day_field = self.valid_from.findChild(QLineEdit)
        if day_field is not None:
            day_field.returnPressed.connect(self.keep_rate)
        self.keep_button = QPushButton("&Keep rate")
        self.keep_button.setObjectName("keep_rate")
        self.keep_button.setAutoDefault(False)
        self.keep_button.clicked.connect(self.keep_rate)
        form = QFormLayout()
        self.rate_label = QLabel()
        self.rate_label.setBuddy(self.rate)
        form.addRow("C&urrency:", self.currency)
        form.addRow("&From:", self.valid_from)
        form.addRow(self.rate_label, self.rate)
        keep_row = QHBoxLayout()
        keep_row.addStretch(1)
        keep_row.addWidget(self.keep_button)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.remove_button = QPushButton("Re&move")
        self.remove_button.setObjectName("remove_rate")
        self.import_button = QPushButton("&Import…")
        self.export_button = QPushButton("&Export…")
        self.home_button = QPushButton("Company &currency…")
        for button in (self.remove_button, self.import_button, self.export_button, self.home_button):
            button.setAutoDefault(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.remove_button.clicked.connect(self.remove_selected)
        self.import_button.clicked.connect(self.ask_import)
        self.export_button.clicked.connect(self.ask_export)
        self.home_button.clicked.connect(lambda: ask_company_currency(self.main_window, self))
        buttons.rejected.connect(self.reject)
        if window.db.read_only:
            for widget in (self.keep_button, self.remove_button, self.import_button, self.home_button, self.rate):
                widget.setEnabled(False)
                widget.setToolTip("The database is open read-only in this window")

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.missing)
        layout.addWidget(self.table, 1)
        layout.addLayout(form)
        layout.addLayout(keep_row)
        layout.addWidget(buttons)
        window.reloaded.connect(self.load)
        self.load()

    @property
    def home(self) -> str:
        return self.book.home

    @Slot()
    def load(self) -> None:
        with self.main_window.db.read() as reader:
            self.book = RateBook.load(reader, CLOCK.today())
            used = deal_currencies(reader)
        with self.main_window.db.session() as session:
            self.rates = currencies.list_rates(session)
        home = self.home
        self.intro.setText(
            f"What one unit of each currency is worth in <b>{home}</b>, the company's currency, from a day on. "
            f"Totals, targets and reports convert a deal at the rate in force on the day they are for "
            f"(today on the screens, the week's last day in the weekly report). A deal in a currency "
            f"without a rate is left out of totals, with a note.")
        today = CLOCK.today()
        without = [c for c in used if c != home and self.book.rate_on(c, today) is None]
        self.missing.setText(f"No rate today for {', '.join(without)}: "
                             f"{'its deals are' if len(without) == 1 else 'their deals are'} left out of totals."
                             if without else "")
        self.missing.setVisible(bool(without))
        self.rate_label.setText(f"&Rate (in {home}):")

        current = self.currency.currentText()
        self.currency.clear()
        offered = without + [c for c in used if c != home and c not in without] + sorted(ACTIVE - {home, *used})
        self.currency.addItems(offered)
        self.currency.setEditText(current if current and current != home else (offered[0] if offered else ""))

        self.table.setRowCount(len(self.rates))
        for row, rate in enumerate(self.rates):
            cells = (rate["currency"], rate["valid_from"].isoformat(),
                     f"1 {rate['currency']} = {currencies.plain(rate['rate'])} {home}")
            for column, value in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self._selection_changed()

    def selected(self) -> dict | None:
        rows = self.table.selectionModel().selectedRows()
        return self.rates[rows[0].row()] if rows else None

    @Slot()
    def _selection_changed(self) -> None:
        chosen = self.selected()
        self.remove_button.setEnabled(chosen is not None and not self.main_window.db.read_only)
        if chosen is not None:  # ready to correct it
            self.currency.setEditText(chosen["currency"])
            day = chosen["valid_from"]
            self.valid_from.setDate(QDate(day.year, day.month, day.day))
            self.rate.setText(currencies.plain(chosen["rate"]))

    def _step(self, text: str, do, undo) -> bool:
        def shown(_result, _undone):
            self.main_window.reload()  # every total; this dialog follows (reloaded)

        return run_step(self.main_window.history, self.main_window.db, text, do, undo, shown,
                        _refused(self, "Exchange rates", self.main_window), kinds={RATES})

    @Slot()
    def keep_rate(self) -> bool:
        code, text = self.currency.currentText().strip().upper(), self.rate.text()
        day = self.valid_from.date().toPython()
        return self._step(f"Set the {code} rate from {day.isoformat()}",
                          lambda s: currencies.set_rate(s, code, day, text), currencies.restore_rate)

    @Slot()
    def remove_selected(self) -> bool:
        chosen = self.selected()
        if chosen is None:
            return False
        code, day = chosen["currency"], chosen["valid_from"]
        return self._step(f"Remove the {code} rate from {day.isoformat()}",
                          lambda s: currencies.remove_rate(s, code, day), currencies.restore_rate)

    def ask_import_path(self) -> str:
        """The rates file to read (tests replace this method)."""
        path, _ = QFileDialog.getOpenFileName(self, "Import exchange rates", "", "CSV files (*.csv);;All files (*)")
        return path

    @Slot()
    def ask_import(self) -> bool:
        path = self.ask_import_path()
        if not path:
            return False
        return self.import_file(path)

    def import_file(self, path: str) -> bool:
        try:
            text = currencies.read_rates_file(path)
        except SalesDeskError as exc:
            QMessageBox.warning(self, "Exchange rates not imported", str(exc))
            return False
        kept: list = []

        def do(session):
            kept[:] = currencies.import_rates_csv(session, text)
            return list(kept)

        done = run_step(self.main_window.history, self.main_window.db, "Import exchange rates", do,
                        currencies.undo_import, lambda *_: self.main_window.reload(),
                        _refused(self, "Exchange rates not imported", self.main_window), kinds={RATES})
        if done:
            self.main_window.statusBar().showMessage(f"Kept {plural(len(kept), 'exchange rate')} from {path}", 8000)
        return done

    @Slot()
    def ask_export(self) -> None:
        path = ask_save_path(self, self.main_window.state.settings, options.RATES_EXPORT_FOLDER.key, "Export exchange rates",
                             f"exchange-rates-{self.home}.csv", "CSV files", "csv", database=self.main_window.db.path)
        if path is None:
            return

        def write():
            with self.main_window.db.session() as session:
                currencies.export_rates(session, path, self.main_window.db.path, replace=True)
            return path

        if written_or_refused(self, write) is not None:
            self.main_window.statusBar().showMessage(f"Exchange rates exported to {path}", 8000)

    def keyPressEvent(self, event):
        """Enter in the rate's fields keeps the rate; Enter never closes the dialog (a
        rate half typed is not thrown away)."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # the rate's fields have kept it already (returnPressed)
        super().keyPressEvent(event)
