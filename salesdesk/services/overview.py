"""The whole database in one line (the status bar) and the "is it empty?" check.

Read with plain SQL through ``Database.read()``: the window shows these figures in
its first paint, before SQLAlchemy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from salesdesk.db.engine import Reader
from salesdesk.domain.money import from_cents


@dataclass(frozen=True)
class Overview:
    people: int  # active
    accounts: int
    deals: int  # any status
    open_deals: int
    open_amount: Decimal
    currency: str
    company: str  # the company's name, as set in the database

    @property
    def is_empty(self) -> bool:
        """No people and no deals: what ``services.demo.is_empty`` calls empty."""
        return self.people == 0 and self.deals == 0


def overview(reader: Reader) -> Overview:
    people = reader.scalar("SELECT count(*) FROM people WHERE active")
    accounts = reader.scalar("SELECT count(*) FROM accounts")
    deals, open_deals, open_cents = reader.one(
        "SELECT count(*), coalesce(sum(status = 'open'), 0), coalesce(sum(CASE WHEN status = 'open' THEN amount END), 0) "
        "FROM deals")
    settings = dict(reader.execute("SELECT key, value FROM settings WHERE key IN ('currency', 'company')"))
    return Overview(int(people), int(accounts), int(deals), int(open_deals), from_cents(int(open_cents)),
                    settings.get("currency") or "EUR", settings.get("company") or "")
