"""Keeping exchange rates and the company's currency: the changes a user makes, each in
the caller's transaction with its audit row and what undo needs (``services/rates.py``
reads them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from salesdesk.db.models import ExchangeRate, Setting
from salesdesk.domain.currencies import currency_code
from salesdesk.errors import NotFoundError, ValidationError
from salesdesk.safety.files import is_special, looks_like_sqlite, open_file
from salesdesk.safety.output import check_output_path, written_aside
from salesdesk.services import audit
from salesdesk.services.rates import DEFAULT_HOME

MAX_RATES_FILE = 5_000_000  # bytes: some hundred thousand dated rates

RATE_COLUMNS = ("currency", "valid_from", "rate")  # the rates file's header


def home_currency(session: Session) -> str:
    return session.scalar(select(Setting.value).where(Setting.key == "currency")) or DEFAULT_HOME


# --- keeping rates ---------------------------------------------------------------------


def parse_rate(text: str | Decimal) -> Decimal:
    """A rate typed or read: a positive decimal number written with "." (rates are quoted
    that way everywhere), up to 12 significant digits."""
    try:
        rate = Decimal(str(text).strip())
    except InvalidOperation:
        raise ValidationError("rate", f"{str(text).strip()!r} is not a rate: write it like 1.0825") from None
    if not rate.is_finite() or rate <= 0:
        raise ValidationError("rate", "A rate is a number above zero, such as 1.0825")
    if len(rate.normalize().as_tuple().digits) > 12:
        raise ValidationError("rate", "A rate has at most 12 digits")
    if not Decimal("1e-9") <= rate < Decimal("1e9"):
        raise ValidationError("rate", f"{str(text).strip()} is not a plausible rate: one unit is worth "
                                      "between 0.000000001 and 999,999,999 of another")
    return Decimal(format(rate.normalize(), "f"))  # kept as plain digits: 1e2 is 100


def list_rates(session: Session) -> list[dict]:
    home = home_currency(session)
    rows = session.scalars(select(ExchangeRate).where(ExchangeRate.quote == home)
                           .order_by(ExchangeRate.currency, ExchangeRate.valid_from.desc()))
    return [{"id": r.id, "currency": r.currency, "valid_from": r.valid_from, "rate": Decimal(r.rate)} for r in rows]


def set_rate(session: Session, currency: str, valid_from: dt.date, rate: str | Decimal) -> dict | None:
    """Keep ``rate`` for ``currency`` from ``valid_from`` on (replacing that day's rate);
    the previous row of that day (for undo), or ``None``."""
    home = home_currency(session)
    try:
        code = currency_code(currency)
    except ValueError as exc:
        raise ValidationError("currency", str(exc)) from None
    if code == home:
        raise ValidationError("currency", f"{code} is the company's currency: it needs no rate")
    value = parse_rate(rate)
    existing = session.scalar(select(ExchangeRate).where(
        ExchangeRate.currency == code, ExchangeRate.quote == home, ExchangeRate.valid_from == valid_from))
    previous = None if existing is None else {"currency": code, "valid_from": valid_from, "rate": existing.rate}
    if existing is None:
        existing = ExchangeRate(currency=code, quote=home, valid_from=valid_from, rate=str(value))
        session.add(existing)
    else:
        existing.rate = str(value)
    session.flush()
    audit.record(session, "set_rate", "exchange_rate", existing.id, currency=code, quote=home,
                 valid_from=valid_from, rate=str(value), was=None if previous is None else previous["rate"])
    return previous


def remove_rate(session: Session, currency: str, valid_from: dt.date) -> dict:
    """Remove a kept rate; what it was (for undo)."""
    home = home_currency(session)
    row = session.scalar(select(ExchangeRate).where(
        ExchangeRate.currency == currency, ExchangeRate.quote == home, ExchangeRate.valid_from == valid_from))
    if row is None:
        raise NotFoundError(f"There is no rate of {currency} from {valid_from.isoformat()}")
    was = {"currency": currency, "valid_from": valid_from, "rate": row.rate}
    session.delete(row)
    session.flush()
    audit.record(session, "remove_rate", "exchange_rate", row.id, currency=currency, quote=home,
                 valid_from=valid_from, rate=row.rate)
    return was


def restore_rate(session: Session, currency: str, valid_from: dt.date, previous: dict | None) -> None:
    """Undo ``set_rate``/``remove_rate``: put that day's rate back as it was (or none)."""
    home = home_currency(session)
    session.execute(delete(ExchangeRate).where(
        ExchangeRate.currency == currency, ExchangeRate.quote == home, ExchangeRate.valid_from == valid_from))
    if previous is not None:
        session.add(ExchangeRate(currency=currency, quote=home, valid_from=valid_from, rate=previous["rate"]))
    session.flush()
    audit.record(session, "restore_rate", "exchange_rate", None, currency=currency, valid_from=valid_from,
                 rate=None if previous is None else previous["rate"])


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
        row = session.get(Setting, "currency")
        if row is None:
            session.add(Setting(key="currency", value=new))
        else:
            row.value = new
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
        writer.writerow((r["currency"], r["valid_from"].isoformat(), str(r["rate"])))
    return out.getvalue()


def import_rates_csv(session: Session, text: str) -> list[tuple[str, dt.date, dict | None]]:
    """Keep every rate of a rates file, all or none: the first bad line is refused with
    its number and the reason, and nothing is written (the caller's transaction rolls
    back).  Per rate kept: (currency, day, the rate it replaced or None), for undo."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or [c.strip().lower() for c in rows[0]] != list(RATE_COLUMNS):
        raise ValidationError("file", f"A rates file starts with the line {','.join(RATE_COLUMNS)}")
    kept = []
    seen = set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in row):
            continue
        if len(row) != 3:
            raise ValidationError("file", f"line {number}: three values are needed ({', '.join(RATE_COLUMNS)})")
        currency, day, rate = (c.strip() for c in row)
        try:
            valid_from = dt.date.fromisoformat(day)
        except ValueError:
            raise ValidationError("file", f"line {number}: {day!r} is not a date; write it like 2026-11-02") from None
        if (currency.upper(), valid_from) in seen:
            raise ValidationError("file", f"line {number}: a second rate of {currency.upper()} from {day}")
        seen.add((currency.upper(), valid_from))
        try:
            previous = set_rate(session, currency, valid_from, rate)
        except ValidationError as exc:
            raise ValidationError("file", f"line {number}: {exc}") from None
        kept.append((currency_code(currency), valid_from, previous))
    return kept


def undo_import(session: Session, kept: list[tuple[str, dt.date, dict | None]]) -> None:
    for currency, valid_from, previous in kept:
        restore_rate(session, currency, valid_from, previous)


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
