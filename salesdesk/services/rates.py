"""Exchange rates as the screens and reports read them (plain SQL, no SQLAlchemy: the
status bar reads them before the first paint).

Currencies: the company's currency is the one SalesDesk reports in; a deal in another
currency counts in totals at the exchange rate the user keeps for it.

A rate says what one unit of a currency is worth in the company's currency from a day
on (``valid_from``) until the next rate of that currency.  A figure is converted at the
rate in force on the day it is for: today on the screens (board, status bar, targets),
the last day of the week in the weekly report.  A deal in a currency with no rate on
that day is never added as if it were in the company's currency: it is left out of the
total, and the total says so (``Totals.left_out``).

Sums are read from SQL grouped by currency (a handful of rows) and converted here with
``Decimal``, so a total is exact to the cent whatever the number of deals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import cast

from salesdesk.db.engine import Reader
from salesdesk.domain.defaults import DEFAULT_CURRENCY

DEFAULT_HOME = DEFAULT_CURRENCY  # a database whose settings name no currency


def home_currency(reader: Reader) -> str:
    """The company's currency."""
    return reader.scalar("SELECT value FROM settings WHERE key = 'currency'", {}) or DEFAULT_HOME


def deal_currencies(reader: Reader) -> list[str]:
    """The currencies deals are in, most deals first."""
    return [row[0] for row in reader.execute(
        "SELECT currency FROM deals GROUP BY currency ORDER BY count(*) DESC, currency", {})]


def currency_change(reader: Reader, new: str) -> tuple[int, int]:
    """What making ``new`` the company's currency means: (rates kept into it, open deals
    in other currencies)."""
    kept = reader.scalar("SELECT count(*) FROM exchange_rates WHERE quote = :q", {"q": new})
    other = reader.scalar("SELECT count(*) FROM deals WHERE status = 'open' AND currency <> :q", {"q": new})
    return int(kept or 0), int(other or 0)


def plain(rate: Decimal | str) -> str:
    """A rate as plain digits (never 1.2345E-9), as it is stored and shown."""
    return format(Decimal(rate), "f")


@dataclass(frozen=True)
class RateUsed:
    currency: str
    valid_from: dt.date
    rate: Decimal  # one unit of ``currency`` in the home currency


@dataclass
class RateBook:
    """The rates of one company, read once for a screen or a report."""

    home: str
    rates: dict[str, list[tuple[dt.date, Decimal]]] = field(default_factory=dict)  # ascending days
    day: dt.date | None = None  # loaded for this day only (the rate in force then, per currency)

    @classmethod
    def load(cls, reader, day: dt.date | None = None) -> RateBook:
        """The rates kept for the company's currency; with ``day``, only those in force
        on it (one row per currency, from the unique index however long the history)."""
        home = home_currency(reader)
        book = cls(home, day=day)
        if not _has_rates_table(reader):
            return book  # a file of an older revision, opened read-only: no rates yet
        if day is None:
            rows = reader.execute("SELECT currency, valid_from, rate FROM exchange_rates WHERE quote = :home "
                                  "ORDER BY currency, valid_from", {"home": home})
        else:
            rows = reader.execute(
                "SELECT e.currency, e.valid_from, e.rate FROM exchange_rates e WHERE e.quote = :home "
                "AND e.valid_from = (SELECT max(x.valid_from) FROM exchange_rates x WHERE x.currency = e.currency "
                "AND x.quote = e.quote AND x.valid_from <= :day) ORDER BY e.currency",
                {"home": home, "day": day.isoformat()})
        for currency, valid_from, rate in rows:
            day = valid_from if isinstance(valid_from, dt.date) else dt.date.fromisoformat(str(valid_from)[:10])
            book.rates.setdefault(currency, []).append((day, Decimal(rate)))
        return book

    def rate_on(self, currency: str, day: dt.date) -> RateUsed | None:
        """The rate in force on ``day``; ``None`` for a currency without one yet."""
        if currency == self.home:
            return RateUsed(currency, dt.date.min, Decimal(1))
        if self.day is not None and day != self.day:
            raise ValueError(f"rates loaded for {self.day.isoformat()}, asked for {day.isoformat()}")
        found = None
        for valid_from, rate in self.rates.get(currency, ()):
            if valid_from > day:
                break
            found = RateUsed(currency, valid_from, rate)
        return found

    def convert(self, value: int, currency: str, day: dt.date) -> int | None:
        """``value`` (cents, or cents x 100) of ``currency`` in the home currency, rounded
        half up to the unit; ``None`` when the currency has no rate on ``day``."""
        used = self.rate_on(currency, day)
        if used is None:
            return None
        if currency == self.home:
            return int(value)
        return int((Decimal(int(value)) * used.rate).to_integral_value(rounding=ROUND_HALF_UP))


@dataclass
class Totals:
    """Sums in the home currency, and what was left out of them for want of a rate."""

    values: list[int]  # one per summed column (amount cents, weighted cents x 100, ...)
    count_left_out: dict[str, int] = field(default_factory=dict)  # currency -> deals
    value_left_out: dict[str, int] = field(default_factory=dict)  # currency -> cents (own currency)
    rates_used: dict[str, RateUsed] = field(default_factory=dict)  # other currencies converted

    @property
    def left_out(self) -> int:
        return sum(self.count_left_out.values())

    def note(self) -> str:
        """"excl. 3 deals in USD, 1 in GBP (no exchange rate)", or "" when nothing was left out."""
        if not self.count_left_out:
            return ""
        (currency, n), *others = sorted(self.count_left_out.items())
        parts = [f"{n} deal{'s' if n != 1 else ''} in {currency}", *(f"{m} in {c}" for c, m in others)]
        return f"excl. {', '.join(parts)} (no exchange rate)"

    def take_notes(self, other: Totals) -> None:
        """Count what ``other`` left out and the rates it used with this one's (a figure
        shown beside this total: the panel's won beside its pipeline)."""
        for c, n in other.count_left_out.items():
            self.count_left_out[c] = self.count_left_out.get(c, 0) + n
        for c, v in other.value_left_out.items():
            self.value_left_out[c] = self.value_left_out.get(c, 0) + v
        self.rates_used.update(other.rates_used)


def _has_rates_table(reader) -> bool:
    if not getattr(reader, "is_sqlite", True):
        return True  # a team server is always upgraded to the newest schema before use
    return bool(reader.scalar("SELECT count(*) FROM sqlite_master WHERE type = 'table' "
                              "AND name = 'exchange_rates'", {}))


def totals(rows: Iterable[tuple], book: RateBook, day: dt.date) -> Totals:
    """Rows ``(currency, count, value, value...)`` (a ``GROUP BY currency``) as Totals."""
    out: Totals | None = None
    for currency, count, *values in rows:
        if out is None:
            out = Totals([0] * len(values))
        if not count:  # a currency with no deals here (a team's sums less those outside it)
            continue
        currency = currency or book.home
        used = book.rate_on(currency, day)
        if used is None:
            out.count_left_out[currency] = out.count_left_out.get(currency, 0) + int(count or 0)
            out.value_left_out[currency] = out.value_left_out.get(currency, 0) + int(values[0] or 0)
            continue
        if currency != book.home:
            out.rates_used[currency] = used
        # convert() is None only without a rate, and this currency has one on this day
        out.values = [total + cast(int, book.convert(int(v or 0), currency, day))
                      for total, v in zip(out.values, values)]
    return out if out is not None else Totals([])
