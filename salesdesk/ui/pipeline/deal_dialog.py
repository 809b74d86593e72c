"""The deal editor: create a deal in a stage, or edit one, with its stage history.

Save submits the values (a new deal) or the changed fields (an edit) to ``submit``,
which performs the change as one undo step (``ui/pipeline/operations``); invalid values
get a message under their field and nothing is saved: the service validates inside its
transaction, which rolls back on the first error.  A dialog opened on its own (a test,
a preview) performs on a history of its own.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from salesdesk.clock import CLOCK
from salesdesk.domain.money import format_amount, parse_amount
from salesdesk.errors import SalesDeskError, ValidationError, cause, log_if_unexpected
from salesdesk.services import board as board_data
from salesdesk.services import deals as deal_service
from salesdesk.services.rates import RateBook
from salesdesk.ui import theme
from salesdesk.ui.dialogs.unsaved import AsksBeforeDiscarding
from salesdesk.ui.widgets.date_field import DateField
from salesdesk.ui.widgets.forms import EnterSaves, error_label, labelled_row

CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN")


class DealDialog(AsksBeforeDiscarding, QDialog):
    """``submit(values)`` saves a new deal and returns its id; ``submit(changes)`` saves
    an edit.  After ``exec()`` returns Accepted: ``saved_id`` (a new deal) or
    ``changes`` (an edit), and ``saved_title``."""

    def __init__(self, db, parent=None, *, deal_id: int | None = None, stage_id: int | None = None,
                 submit: Callable[[dict], int | None] | None = None):
        super().__init__(parent)
        self.db = db
        self.deal_id = deal_id
        self._submit = submit  # None: perform alone (a bound method kept here would keep the dialog alive)
        self.saved_id: int | None = None
        self.saved_title = ""
        self.changes: dict = {}
        self._original: dict = {}
        self.setObjectName("deal_dialog")
        self.setWindowTitle("New deal" if deal_id is None else "Edit deal")
        self.setMinimumWidth(560)
        self._load(stage_id)
        self._build()
        self._fill()

    # -- data --------------------------------------------------------------------------
    def _load(self, stage_id: int | None) -> None:
        with self.db.read() as reader:
            self.owners = board_data.owner_choices(reader)
            self.rates = RateBook.load(reader, CLOCK.today())  # a currency without one is said so below the amount
        with self.db.session() as s:
            form = deal_service.editor_form(s, self.deal_id, stage_id)
        self.accounts, self.contacts, self.home_currency = form.accounts, form.contacts, form.home_currency
        self.status, self.history, self.stage = form.status, form.history, form.stage
        if form.original is not None:
            self._original = form.original
        if form.inactive_owner is not None:  # kept choosable so an old deal opens unchanged
            self.owners.append(board_data.OwnerChoice(*form.inactive_owner, "inactive", 0))

    # -- form ------------------------------------------------------------------------------
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.errors: dict[str, QLabel] = {}

        self.labels: dict[str, QLabel] = {}

        def row(label: str, widget: QWidget, field: str, buddy: QWidget | None = None) -> None:
            self.errors[field] = error_label(field)
            self.labels[field] = labelled_row(form, label, widget, self.errors[field], buddy)

        self.title = QLineEdit()
        self.title.setObjectName("deal_title")
        row("&Title", self.title, "title")
        self.account = QComboBox()
        self.account.setObjectName("deal_account")
        self.account.setEditable(True)
        self.account.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        # A list to pick from while typing: inline completion would turn a new name into an old one
        completer = self.account.completer()
        if completer is not None:
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.account.addItem("(no account)", None)
        for account_id, name in self.accounts:
            self.account.addItem(name, account_id)
        self.account.currentIndexChanged.connect(self._fill_contacts)
        account_box = QWidget()
        account_layout = QVBoxLayout(account_box)
        account_layout.setContentsMargins(0, 0, 0, 0)
        account_layout.setSpacing(2)
        account_layout.addWidget(self.account)
        # A name that is no account yet: said at once, with the choice to create it on Save
        self.create_account = QCheckBox()
        self.create_account.setObjectName("deal_create_account")
        self.create_account.setChecked(True)
        self.create_account.hide()
        account_layout.addWidget(self.create_account)
        self.account.editTextChanged.connect(self._on_account_typed)
        row("&Account", account_box, "account", self.account)
        self.contact = QComboBox()
        self.contact.setObjectName("deal_contact")
        row("C&ontact", self.contact, "contact")
        self.owner = QComboBox()
        self.owner.setObjectName("deal_owner")
        self.owner.addItem("(choose the owner)", None)
        for o in self.owners:
            self.owner.addItem(f"{o.name} ({o.role})", o.id)
        row("O&wner", self.owner, "owner")

        money = QHBoxLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("deal_amount")
        self.amount.setAlignment(Qt.AlignmentFlag.AlignRight)
        self.amount.setPlaceholderText(format_amount(0))
        self.currency = QComboBox()
        self.currency.setObjectName("deal_currency")
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)  # a typed code is not added to the list
        self.currency.addItems(sorted({self.home_currency, *CURRENCIES}))
        money.addWidget(self.amount, 1)
        money.addWidget(self.currency)
        holder = QWidget()
        holder.setLayout(money)
        money.setContentsMargins(0, 0, 0, 0)
        row("A&mount", holder, "amount", self.amount)
        self.errors["currency"] = self.errors["amount"]
        self.rate_note = QLabel()  # a currency without a rate: the deal will not count in totals
        self.rate_note.setObjectName("deal_rate_note")
        self.rate_note.setWordWrap(True)
        self.rate_note.setStyleSheet(f"color: {theme.WARNING};")
        self.rate_note.hide()
        form.addRow("", self.rate_note)
        self.currency.currentTextChanged.connect(self._show_rate_note)

        stage_id, stage_name, stage_probability = self.stage
        prob = QHBoxLayout()
        prob.setContentsMargins(0, 0, 0, 0)
        self.override = QCheckBox(f"Override the stage default ({stage_probability}% in {stage_name})")
        self.override.setObjectName("deal_override")
        self.probability = QSpinBox()
        self.probability.setObjectName("deal_probability")
        self.probability.setRange(0, 100)
        self.probability.setSuffix(" %")
        self.override.toggled.connect(self._on_override)
        prob.addWidget(self.probability)
        prob.addWidget(self.override, 1)
        holder = QWidget()
        holder.setLayout(prob)
        row("&Probability", holder, "probability", self.probability)

        self.close_date = DateField(field="expected_close")
        self.close_date.setObjectName("deal_close")
        self.close_date.line.setObjectName("deal_close_text")
        row("Expected &close", self.close_date, "expected_close", self.close_date.line)
        self.notes = QPlainTextEdit()
        self.notes.setObjectName("deal_notes")
        self.notes.setFixedHeight(70)
        row("&Notes", self.notes, "notes")
        layout.addLayout(form)

        if self.deal_id is not None:
            layout.addWidget(QLabel(f"<b>Stage history</b> — now in {stage_name}"
                                    + {"won": " (won)", "lost": " (lost)"}.get(self.status, "")))
            table = QTableWidget(len(self.history), 4)
            table.setObjectName("deal_history")
            table.setHorizontalHeaderLabels(["When", "From", "To", "By"])
            table.verticalHeader().hide()
            table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            for r, (when, from_name, to_name, who) in enumerate(self.history):
                local = CLOCK.to_local(when)  # stored in UTC, shown as the user's clock read then
                for c, value in enumerate((local.strftime("%d %b %Y %H:%M"), from_name, to_name, who)):
                    table.setItem(r, c, QTableWidgetItem(value))
            table.setMaximumHeight(150)
            layout.addWidget(table)
            self.history_table = table
        else:
            layout.addWidget(QLabel(f"The deal starts in <b>{stage_name}</b>."))

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addWidget(buttons)
        save = buttons.button(QDialogButtonBox.StandardButton.Save)
        save.setDefault(True)  # Enter anywhere in the form saves
        EnterSaves(save, [self.account, self.contact, self.owner, self.currency])
        if self.db.read_only:
            save.setEnabled(False)

    def _typed_account(self) -> tuple[int | None, str]:
        """The account chosen or typed: (its id, "") or (None, a name no account has)."""
        account_id = self.account.currentData()
        typed = " ".join(self.account.currentText().split())
        if self.account.currentIndex() >= 0 and self.account.itemText(self.account.currentIndex()) == \
                self.account.currentText():
            return account_id, ""
        if not typed or typed == "(no account)":
            return None, ""
        match = next((aid for aid, name in self.accounts if name.lower() == typed.lower()), None)
        return (match, "") if match is not None else (None, typed)

    @Slot(str)
    def _on_account_typed(self, _text: str) -> None:
        _account_id, new_name = self._typed_account()
        self.create_account.setText(f"Create account “{new_name}” when saving" if new_name else "")
        self.create_account.setToolTip(f"There is no account called “{new_name}” yet" if new_name else "")
        self.create_account.setVisible(bool(new_name))

    @Slot(str)
    def _show_rate_note(self, text: str) -> None:
        code = text.strip().upper()
        missing = len(code) == 3 and code != self.home_currency and self.rates.rate_on(code, CLOCK.today()) is None
        self.rate_note.setText(f"No exchange rate from {code} to {self.home_currency} is kept for today: this deal "
                               f"is left out of totals until one is (Edit > Exchange rates…)." if missing else "")
        self.rate_note.setVisible(missing)
    def _fill(self) -> None:
        o = self._original
        stage_probability = self.stage[2]
        self.currency.setCurrentText(str(o.get("currency") or self.home_currency))
        self.title.setText(o.get("title", ""))
        self.account.setCurrentIndex(max(0, self.account.findData(o.get("account_id"))) if o.get("account_id") else 0)
        self._fill_contacts()
        if o.get("contact_id"):
            self.contact.setCurrentIndex(max(0, self.contact.findData(o["contact_id"])))
        self.owner.setCurrentIndex(max(0, self.owner.findData(o.get("owner_id"))) if o.get("owner_id") else 0)
        amount = o.get("amount")
        self.amount.setText(format_amount(amount) if amount is not None else "")  # the user's style
        overridden = o.get("probability") is not None
        self.override.setChecked(overridden)
        self.probability.setValue(o["probability"] if overridden else stage_probability)
        self.probability.setEnabled(overridden)
        self.close_date.setDate(o.get("expected_close"))
        self.notes.setPlainText(o.get("notes") or "")

    @Slot()
    def _fill_contacts(self) -> None:
        account_id = self.account.currentData()
        current = self.contact.currentData()
        self.contact.clear()
        self.contact.addItem("(no contact)", None)
        for contact_id, contact_account, name in self.contacts:
            if contact_account == account_id:
                self.contact.addItem(name, contact_id)
        if current is not None:
            self.contact.setCurrentIndex(max(0, self.contact.findData(current)))

    @Slot(bool)
    def _on_override(self, on: bool) -> None:
        self.probability.setEnabled(on)
        if not on:
            self.probability.setValue(self.stage[2])

    def history_table_rows(self) -> int:
        return len(self.history)

    # -- saving ----------------------------------------------------------------------------
    def values(self) -> dict:
        account_id, new_account = self._typed_account()
        if new_account and not self.create_account.isChecked():
            raise ValidationError("account", f"There is no account called “{new_account}”; tick "
                                  "“Create account” or choose one from the list")
        amount_text = self.amount.text().strip() or "0"
        extra = {"new_account": new_account} if new_account else {}
        return {
            "title": self.title.text(),
            "account_id": account_id,
            "contact_id": self.contact.currentData(),
            "owner_id": self.owner.currentData(),
            "amount": amount_text,
            "currency": self.currency.currentText(),
            "probability": self.probability.value() if self.override.isChecked() else None,
            "expected_close": self.close_date.date(),  # typed text that is no date: refused, not dropped
            "notes": self.notes.toPlainText().strip() or None,
            **extra,
        }

    def _show_error(self, field: str, message: str) -> None:
        label = self.errors.get(field)
        if label is None:
            QMessageBox.warning(self, "Not saved", message)
            return
        label.setText(message)
        label.show()

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()

    def is_dirty(self) -> bool:
        try:
            values = self.values()
        except ValidationError:
            return True
        if self.deal_id is None:
            return bool(values["title"].strip() or values["amount"] not in ("0", "") or values["notes"])
        return bool(self._diff(values))

    def _diff(self, values: dict) -> dict:
        changes = {}
        for key, value in values.items():
            old = self._original.get(key)
            if key == "amount":
                try:
                    if parse_amount(str(value)) == (old or Decimal(0)):
                        continue
                except ValueError:
                    pass  # not an amount: a change, which saving refuses in words
            elif (key == "title" and value.strip() == (old or "")) \
                    or (key == "currency" and str(value).strip().upper() == (old or "")) or value == old:
                continue
            changes[key] = value
        return changes

    @Slot()
    def save(self) -> None:
        self._clear_errors()
        try:
            values = self.values()
            if self.deal_id is None:
                self.saved_id = (self._submit or self._perform_alone)(values)
            else:
                self.changes = self._diff(values)
                if self.changes:
                    (self._submit or self._perform_alone)(self.changes)
        except ValidationError as exc:
            self.saved_id = None
            self.changes = {}
            self._show_error(exc.field, str(exc))
            return
        except SalesDeskError as exc:
            self.saved_id = None
            self.changes = {}
            QMessageBox.warning(self, "Not saved", str(exc))
            return
        except Exception as exc:  # a bug (the storage's refusals are SalesDeskError): logged, the form kept
            log_if_unexpected(exc, "saving a deal", __name__)
            self.saved_id = None
            self.changes = {}
            QMessageBox.warning(self, "Not saved", f"The deal could not be saved ({cause(exc)}).")
            return
        self.saved_title = values["title"].strip()
        self.accept()

    def _perform_alone(self, values: dict) -> int | None:
        from salesdesk.ui.history import History
        from salesdesk.ui.operations import perform
        from salesdesk.ui.pipeline.operations import create_deal, edit_deal

        if self.deal_id is None:
            operation = create_deal(self.db, self.stage[0], values)
        else:
            operation = edit_deal(self.db, self.deal_id, values, str(self._original.get("title") or ""))
        perform(History(self), operation, raise_errors=True)
        return operation.result if self.deal_id is None else None

    unsaved_question = "Save the changes to this deal?"

    def has_unsaved_edits(self) -> bool:
        return not self.db.read_only and self.is_dirty()

    def save_edits(self) -> None:
        self.save()
