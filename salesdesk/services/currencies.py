"""Keeping exchange rates and the company's currency: the changes a user makes, each in
the caller's transaction with its audit row and what undo needs (``services/rates.py``
reads them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from salesdesk.db.models import ExchangeRate
from salesdesk.domain.currencies import currency_code
from salesdesk.errors import NotFoundError, ValidationError
from salesdesk.safety.files import is_special, looks_like_sqlite, open_file
from salesdesk.safety.output import check_output_path, written_aside
from salesdesk.services import audit
from salesdesk.db.reference import set_setting, setting
from salesdesk.services.rates import DEFAULT_HOME, plain

MAX_RATES_FILE = 2_000_000  # bytes: years of daily rates of dozens of currencies

RATE_COLUMNS = ("currency", "valid_from", "rate")  # the rates file's header


def home_currency(session: Session) -> str:
    return setting(session, "currency") or DEFAULT_HOME


# --- keeping rates ---------------------------------------------------------------------

_RATE = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")  # ASCII digits only: no 1_5, no exponent, no other scripts
_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
MAX_RATE = Decimal("999999999")
MIN_RATE = Decimal("0.000000001")
FIRST_YEAR, LAST_YEAR = 1900, 2199  # a rate's first day is a day someone could mean


@dataclass(frozen=True)
class RateChange:
    """What one kept, removed or imported rate changed, for its undo: the rate of
    ``currency`` into ``quote`` (the company's currency at the time) from ``valid_from``,
    and the rate that day had before (``None``: none)."""

    currency: str
    quote: str
    valid_from: dt.date
    before: str | None


def parse_rate(text: str | Decimal) -> Decimal:
    """A rate typed or read: a positive decimal number in ASCII digits written with "."
    (rates are quoted that way everywhere), at most 12 significant digits, between
    0.000000001 and 999,999,999."""
    written = str(text).strip()
    if not _RATE.fullmatch(written):
        shown = written if len(written) <= 40 else written[:40] + "…"
        if written.startswith("-") or written in ("0", "0.0"):
            raise ValidationError("rate", "A rate is a number above zero, such as 1.0825")
        raise ValidationError("rate", f"{shown!r} is not a rate: write it like 1.0825")
    rate = Decimal(written)
    if rate <= 0:
        raise ValidationError("rate", "A rate is a number above zero, such as 1.0825")
    if len(rate.normalize().as_tuple().digits) > 12:
        raise ValidationError("rate", "A rate has at most 12 digits")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ValidationError("rate", f"{written} is not a plausible rate: one unit is worth "
                                      "between 0.000000001 and 999,999,999 of another")
    return Decimal(plain(rate.normalize()))


def parse_day(text: str) -> dt.date:
    """A rate's first day, written YYYY-MM-DD (not 20261101, not 2026-W46-1)."""
    written = str(text).strip()
    try:
        if not _DAY.fullmatch(written):
            raise ValueError
        day = dt.date.fromisoformat(written)
    except ValueError:
        shown = written if len(written) <= 40 else written[:40] + "…"
        raise ValidationError("valid_from", f"{shown!r} is not a date; write it like 2026-11-02") from None
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValidationError("valid_from", f"{written} is not a day a rate can start on "
                                            f"(years {FIRST_YEAR} to {LAST_YEAR})")
    return day


def _code(currency: str, home: str) -> str:
    try:
        code = currency_code(currency)
    except ValueError as exc:
        raise ValidationError("currency", str(exc)) from None
    if code == home:
        raise ValidationError("currency", f"{code} is the company's currency: it needs no rate")
    return code


def list_rates(session: Session) -> list[dict]:
    home = home_currency(session)
    rows = session.scalars(select(ExchangeRate).where(ExchangeRate.quote == home)
                           .order_by(ExchangeRate.currency, ExchangeRate.valid_from.desc()))
    return [{"id": r.id, "currency": r.currency, "valid_from": r.valid_from, "rate": Decimal(r.rate)} for r in rows]


def _row(session: Session, currency: str, quote: str, valid_from: dt.date) -> ExchangeRate | None:
    return session.scalar(select(ExchangeRate).where(
        ExchangeRate.currency == currency, ExchangeRate.quote == quote, ExchangeRate.valid_from == valid_from))


def set_rate(session: Session, currency: str, valid_from: dt.date, rate: str | Decimal) -> RateChange:
    """Keep ``rate`` for ``currency`` from ``valid_from`` on (replacing that day's rate)."""
    home = home_currency(session)
    code = _code(currency, home)
    value = plain(parse_rate(rate))
    existing = _row(session, code, home, valid_from)
    change = RateChange(code, home, valid_from, None if existing is None else existing.rate)
    if existing is None:
        existing = ExchangeRate(currency=code, quote=home, valid_from=valid_from, rate=value)
        session.add(existing)
    else:
        existing.rate = value
    session.flush()
    audit.record(session, "set_rate", "exchange_rate", existing.id, currency=code, quote=home,
                 valid_from=valid_from, rate=value, was=change.before)
    return change


def remove_rate(session: Session, currency: str, valid_from: dt.date) -> RateChange:
    """Remove a kept rate of the company's currency."""
    home = home_currency(session)
    row = _row(session, currency, home, valid_from)
    if row is None:
        raise NotFoundError(f"There is no rate of {currency} from {valid_from.isoformat()}")
    change = RateChange(currency, home, valid_from, row.rate)
    session.delete(row)
    session.flush()
    audit.record(session, "remove_rate", "exchange_rate", row.id, currency=currency, quote=home,
                 valid_from=valid_from, rate=row.rate)
    return change


def restore_rate(session: Session, change: RateChange) -> None:
    """Undo ``set_rate``/``remove_rate``: that day's rate into the currency it was
    quoted in (whatever the company's currency is now) back as it was, or none."""
    session.execute(delete(ExchangeRate).where(
        ExchangeRate.currency == change.currency, ExchangeRate.quote == change.quote,
        ExchangeRate.valid_from == change.valid_from))
    if change.before is not None:
        session.add(ExchangeRate(currency=change.currency, quote=change.quote, valid_from=change.valid_from,
                                 rate=change.before))
    session.flush()
    audit.record(session, "restore_rate", "exchange_rate", None, currency=change.currency, quote=change.quote,
                 valid_from=change.valid_from, rate=change.before)


def set_company_currency(session: Session, code: str) -> str:
    """Make ``code`` the currency the company reports in; the one it was (for undo).

    Rates are kept per company currency: those kept for the old one stay (and count
    again if it comes back); totals use the rates quoted in the new one."""
    try:
        new = currency_code(code)
    except ValueError as exc:
        raise ValidationError("currency", str(exc)) from None
    old = home_currency(session)
    if new != old:
        set_setting(session, "currency", new)
        session.flush()
        audit.record(session, "set_company_currency", "setting", None, currency=new, was=old)
    return old


# --- the rates file --------------------------------------------------------------------


def rates_csv(session: Session) -> str:
    """Every rate kept for the company's currency, as CSV (``currency,valid_from,rate``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RATE_COLUMNS)
    for r in sorted(list_rates(session), key=lambda r: (r["currency"], r["valid_from"])):
        writer.writerow((r["currency"], r["valid_from"].isoformat(), plain(r["rate"])))
    return out.getvalue()


def import_rates_csv(session: Session, text: str) -> list[RateChange]:
    """Keep every rate of a rates file, all or none: the first bad line is refused with
    its number and the reason, and nothing is written (the caller's transaction rolls
    back).  What each kept rate changed, for undo; one audit row for the file."""
    home = home_currency(session)
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=None), strict=True)  # a quote left open is refused
    try:
        lines = list(reader)
    except csv.Error as exc:
        raise ValidationError("file", f"line {reader.line_num}: not CSV SalesDesk can read ({exc})") from None
    if not lines or [c.strip().lower() for c in lines[0]] != list(RATE_COLUMNS):
        raise ValidationError("file", f"A rates file starts with the line {','.join(RATE_COLUMNS)}")
    wanted: dict[tuple[str, dt.date], str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in line):
            continue
        if len(line) != 3:
            raise ValidationError("file", f"line {number}: three values are needed ({', '.join(RATE_COLUMNS)})")
        try:
            code = _code(line[0], home)
            valid_from = parse_day(line[1])
            value = plain(parse_rate(line[2]))
        except ValidationError as exc:
            raise ValidationError("file", f"line {number}: {exc}") from None
        if (code, valid_from) in wanted:
            raise ValidationError("file", f"line {number}: a second rate of {code} from {valid_from.isoformat()}")
        wanted[(code, valid_from)] = value
    # Written in bulk: a file of years of daily rates is one statement per table, not
    # one flush per line.
    codes = sorted({code for code, _ in wanted})
    existing = {}
    for start in range(0, len(codes), 500):
        for row in session.execute(select(ExchangeRate.currency, ExchangeRate.valid_from, ExchangeRate.rate).where(
                ExchangeRate.quote == home, ExchangeRate.currency.in_(codes[start:start + 500]))):
            existing[(row.currency, row.valid_from)] = row.rate
    changes = [RateChange(code, home, day, existing.get((code, day))) for code, day in wanted]
    replaced = [change for change in changes if change.before is not None]
    _delete_rates(session, replaced)
    if wanted:
        session.execute(insert(ExchangeRate), [
            {"currency": code, "quote": home, "valid_from": day, "rate": value} for (code, day), value in wanted.items()])
    audit.record(session, "import_rates", "exchange_rate", None, quote=home, rates=len(wanted), replaced=len(replaced),
                 currencies=codes)
    return changes


def _delete_rates(session: Session, changes: list[RateChange]) -> None:
    """Delete the rates ``changes`` name, a statement per currency and 500 days."""
    days: dict[tuple[str, str], list[dt.date]] = {}
    for change in changes:
        days.setdefault((change.currency, change.quote), []).append(change.valid_from)
    for (currency, quote), some in days.items():
        for start in range(0, len(some), 500):
            session.execute(delete(ExchangeRate).where(
                ExchangeRate.currency == currency, ExchangeRate.quote == quote,
                ExchangeRate.valid_from.in_(some[start:start + 500])))


def undo_import(session: Session, changes: list[RateChange]) -> None:
    """Put back every rate an import kept or replaced as it was (one audit row)."""
    _delete_rates(session, changes)
    before = [c for c in changes if c.before is not None]
    if before:
        session.execute(insert(ExchangeRate), [
            {"currency": c.currency, "quote": c.quote, "valid_from": c.valid_from, "rate": c.before} for c in before])
    audit.record(session, "undo_import_rates", "exchange_rate", None, rates=len(changes))


def read_rates_file(path: str | Path) -> str:
    """The text of a rates file, refused in one sentence when it is not one: missing, a
    folder or a pipe, too big to be a list of rates, or not UTF-8 text."""
    path = Path(path).expanduser()
    if not path.exists():
        raise ValidationError("file", f"{path}: no such file")
    if path.is_dir() or is_special(path):
        raise ValidationError("file", f"{path}: is not an ordinary file; give a .csv file of rates")
    if looks_like_sqlite(path):
        raise ValidationError("file", f"{path}: is a database, not a rates file")
    if path.stat().st_size > MAX_RATES_FILE:
        raise ValidationError("file", f"{path}: is larger than a rates file can be ({MAX_RATES_FILE // 1_000_000} MB)")
    with open_file(path, "rb") as handle:
        data = handle.read(MAX_RATES_FILE + 1)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError("file", f"{path}: is not UTF-8 text; save it as CSV UTF-8") from None
    if "\0" in text:
        raise ValidationError("file", f"{path}: is not a text file")
    return text


def export_rates(session: Session, path: str | Path, database: Path | None, *, replace: bool = False) -> int:
    """Write the rates file (UTF-8 CSV, written aside and renamed); the number of rates."""
    target = check_output_path(Path(path).expanduser(), database, replace=replace)
    text = rates_csv(session)
    with written_aside(target) as temp:
        with open_file(temp, "w", encoding="utf-8", newline="") as out:
            out.write(text)
    return text.count("\n") - 1
