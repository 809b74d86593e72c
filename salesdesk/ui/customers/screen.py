"""Customers screen (placeholder until the account list lands): accounts and contacts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

from salesdesk.db.engine import Database
from salesdesk.ui.format import percent, plural
from salesdesk.ui.history import History
from salesdesk.ui.operations import DEALS
from salesdesk.ui.screen import Screen
from salesdesk.ui.widgets.cards import BreakdownRow
from salesdesk.ui.widgets.placeholder import PlaceholderPage

if TYPE_CHECKING:  # the services bring SQLAlchemy: not needed for the first paint
    from salesdesk.services.summary import CustomersSummary


class CustomersScreen(Screen):
    key = "customers"
    shows = frozenset({DEALS})
    title = "Customers"
    icon_name = "customers"
    description = (
        "Keep your accounts and their contacts in one place, with every deal, activity and "
        "proposal for a customer a click away."
    )

    def __init__(self, db: Database, parent: QWidget | None = None, settings: QSettings | None = None,
                 undo_stack: History | None = None):
        super().__init__(db, parent, settings, undo_stack)
        self.page = PlaceholderPage(self.icon_name, self.title, self.description)
        self.layout_.addWidget(self.page)
        self.summary: CustomersSummary | None = None  # the figures, once read

    def refresh(self) -> None:
        from salesdesk.services.summary import (
            customers_summary,  # SQLAlchemy: not needed for the first paint
        )

        with self.db.session() as session:
            self.summary = s = customers_summary(session)
        page = self.page
        page.card("accounts", "Accounts").set(f"{s.accounts:,}", "customers and prospects")
        page.card("contacts", "Contacts").set(f"{s.contacts:,}", "people at those accounts")
        page.card("active", "With open deals").set(
            f"{s.accounts_with_open_deals:,}",
            f"{percent(s.accounts_with_open_deals / s.accounts)} of accounts" if s.accounts else "",
        )
        page.card("sectors", "Sectors").set(f"{len(s.sectors):,}" if len(s.sectors) < 5 else "5+", "by account count")
        most = max((x.accounts for x in s.sectors), default=0) or 1
        page.breakdown("sectors", "Largest sectors").set_rows(
            [BreakdownRow(x.name, plural(x.accounts, "account"), "", x.accounts / most) for x in s.sectors],
            "No sectors recorded yet.",
        )
