"""The whole database in one line (the status bar) and the "is it empty?" check.

Read with plain SQL through ``Database.read()``: the window shows these figures in
its first paint, before SQLAlchemy is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from salesdesk.clock import CLOCK
from salesdesk.db.engine import Reader
from salesdesk.domain.money import from_cents
from salesdesk.services.rates import RateBook, totals


@dataclass(frozen=True)
class Overview:
    people: int  # active
    accounts: int
    deals: int  # any status
    open_deals: int
    open_amount: Decimal
    currency: str
    company: str  # the company's name, as set in the database
    left_out: str = ""  # open deals not in open_amount for want of an exchange rate, in words

    @property
    def is_empty(self) -> bool:
        """No people and no deals: what ``services.demo.is_empty`` calls empty."""
        return self.people == 0 and self.deals == 0


def overview(reader: Reader) -> Overview:
    people = reader.scalar("SELECT count(*) FROM people WHERE active")
    accounts = reader.scalar("SELECT count(*) FROM accounts")
    deals = reader.scalar("SELECT count(*) FROM deals")
    today = CLOCK.today()
    book = RateBook.load(reader, today)
    rows = reader.execute("SELECT currency, count(*), coalesce(sum(amount), 0) FROM deals "
                          "WHERE status = 'open' GROUP BY currency")
    open_sums = totals(rows, book, today)
    open_deals = sum(int(count) for _, count, _ in rows)  # left-out deals are open deals too
    company = reader.scalar("SELECT value FROM settings WHERE key = 'company'")
    return Overview(int(people), int(accounts), int(deals), int(open_deals), from_cents(int((open_sums.values or [0])[0])),
                    book.home, company or "", open_sums.note())
