"""Cell values to database values, with a reason a person understands when they don't fit.

Every parser takes a cell (text from a CSV, or a number or date from an XLSX) that is
not empty and returns the value, or raises ``ValueError`` whose message is the reason
shown next to the row and column.

Cells that a spreadsheet would run as a formula are written by our export with a single
quote in front (see ``neutralise``); ``unescape`` takes that quote off again on import,
so an export imports back unchanged.  So are texts with white space at either end, which
the import would otherwise trim: a quoted cell is taken as it is after the quote.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# OWASP "CSV injection": a cell starting with these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel's 1900 leap-year bug included)
MAX_SERIAL = 2_958_465  # 9999-12-31
MAX_CENTS = 10**15  # 10 trillion: the deals' rule


def needs_quote(text: str) -> bool:
    """A formula to a spreadsheet, text the import would trim (white space at either end,
    a byte-order mark first), or quotes before either (``'=x`` is written ``''=x``)."""
    if not text:
        return False
    if text[-1].isspace():
        return True
    first = text.lstrip("'")[:1]  # not recursive: a text of 20,000 quotes is text too
    return bool(first) and (first in FORMULA_STARTS or first.isspace() or first == "\ufeff")


def neutralise(text: str) -> str:
    """``=SUM(A1)`` -> ``'=SUM(A1)``: shown as text by spreadsheets, never run."""
    return "'" + text if needs_quote(text) else text


def unescape(text: str) -> str:
    return text[1:] if text[:1] == "'" and needs_quote(text[1:]) else text


def as_text(cell) -> str:
    """Any cell as the text a person sees (numbers without a trailing ``.0``)."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ") if cell.time() != dt.time() else cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


def text(cell, max_length: int) -> str:
    value = as_text(cell).strip()
    if len(value) > max_length:
        raise ValueError(f"is {len(value):,} characters long; at most {max_length:,} fit")
    return value


def text_parser(max_length: int):
    """``text`` for cells the reader has already stripped (the import's hot path)."""

    def parse_text(cell) -> str:
        if cell.__class__ is not str:
            cell = as_text(cell).strip()
        if "\0" in cell:
            raise ValueError("holds a NUL character: is the file binary, or UTF-16 without its byte-order mark?")
        if len(cell) > max_length:
            raise ValueError(f"is {len(cell):,} characters long; at most {max_length:,} fit")
        return cell

    return parse_text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(cell) -> str:
    value = as_text(cell).strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError(f"{_show(value)} is not an email address")
    return value


_BOOLS = {"1": True, "yes": True, "y": True, "true": True, "active": True, "x": True, "ja": True, "oui": True,
          "0": False, "no": False, "n": False, "false": False, "inactive": False, "nein": False, "non": False}


def boolean(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    value = _BOOLS.get(as_text(cell).strip().lower())
    if value is None:
        raise ValueError(f"{_show(as_text(cell))} is not yes or no")
    return value


def integer(cell, low: int | None = None, high: int | None = None) -> int:
    if isinstance(cell, bool) or isinstance(cell, (dt.date, dt.datetime)):
        raise ValueError(f"{_show(as_text(cell))} is not a whole number")
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float) and cell.is_integer():
        value = int(cell)
    else:
        raw = as_text(cell).strip().replace(" ", "").replace("\u00a0", "").rstrip("%")
        if not re.fullmatch(r"[+-]?\d{1,15}", raw.replace(",", "")):
            raise ValueError(f"{_show(as_text(cell))} is not a whole number")
        value = int(raw.replace(",", ""))
    if low is not None and value < low or high is not None and value > high:
        raise ValueError(f"{value} is not between {low} and {high}")
    return value


_CURRENCY_MARKS = re.compile(r"[€$£¥\s\u00a0']|EUR|USD|GBP|CHF", re.IGNORECASE)


_PLAIN_AMOUNT = re.compile(r"(\d{1,13})(?:\.(\d{1,2}))?$")


def cents(cell) -> int:
    """An amount of money as integer cents: ``1,234.50``, ``1.234,50``, ``€ 99``, ``12``."""
    if cell.__class__ is str:  # the common case first, without Decimal
        match = _PLAIN_AMOUNT.match(cell)
        if match:
            fraction = match[2]
            return int(match[1]) * 100 + (0 if fraction is None else int(fraction.ljust(2, "0")))
    if isinstance(cell, bool) or isinstance(cell, (dt.date, dt.datetime)):
        raise ValueError(f"{_show(as_text(cell))} is not an amount of money")
    if isinstance(cell, (int, float)):
        raw = repr(cell)
    else:
        raw = _CURRENCY_MARKS.sub("", cell.strip())
        if "," in raw and "." in raw:  # the later mark is the decimal point
            raw = raw.replace(".", "").replace(",", ".") if raw.rfind(",") > raw.rfind(".") else raw.replace(",", "")
        elif "," in raw:
            head, _, tail = raw.rpartition(",")
            raw = raw.replace(",", "") if len(tail) == 3 and head.replace(",", "").lstrip("+-").isdigit() \
                else head.replace(",", "") + "." + tail
    if cell.__class__ is str and "." in raw and len(raw.rpartition(".")[2]) > 2:
        # "12.345" is twelve thousand in much of Europe and twelve in the rest: never guess
        raise ValueError(f"{_show(cell.strip())} has more than two decimals: if the dot separates "
                         "thousands, leave it out (12345); cents take two decimals (12.35)")
    try:
        amount = Decimal(raw)
    except (InvalidOperation, ValueError):
        raise ValueError(f"{_show(as_text(cell))} is not an amount of money") from None
    if not amount.is_finite():
        raise ValueError(f"{_show(as_text(cell))} is not an amount of money")
    if amount.adjusted() >= 13:
        raise ValueError(f"{as_text(cell).strip()} is too large an amount")
    if amount < 0:
        raise ValueError(f"{as_text(cell).strip()} is negative; amounts cannot be")
    value = int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if value >= MAX_CENTS:
        raise ValueError(f"{as_text(cell).strip()} is too large an amount")
    return value


_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_TIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:Z|[+-]00:?00)?$")
_OTHER_DAY = re.compile(r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$")


def date(cell, order: str = "") -> dt.date:
    """ISO dates, day.month.year, d/m/y or m/d/y (``order`` "DMY"/"MDY" when both fit),
    spreadsheet dates and spreadsheet serial numbers (45000 is 2023-03-15)."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return _serial(cell).date()
    raw = cell.strip()
    try:
        match = _ISO_DAY.match(raw)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _ISO_TIME.match(raw)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _OTHER_DAY.match(raw)
        if match:
            first, sep, second, year = int(match[1]), match[2], int(match[3]), int(match[4])
            if sep == "." or order == "DMY" or (first > 12 and order != "MDY"):
                return dt.date(year, second, first)
            if order == "MDY" or second > 12:
                return dt.date(year, first, second)
            raise ValueError(f"{raw} could be the {first}th of month {second} or the {second}th of month {first}; "
                             "write it as YYYY-MM-DD or choose the date order")
    except ValueError as exc:
        if "could be" in str(exc):
            raise
        raise ValueError(f"{_show(raw)} is not a date") from None
    if re.fullmatch(r"\d{1,7}(\.\d+)?", raw):
        return _serial(float(raw)).date()
    raise ValueError(f"{_show(raw)} is not a date; write it as YYYY-MM-DD")


def timestamp(cell, order: str = "") -> dt.datetime:
    """A moment (naive, as written); a date alone is its midnight."""
    if isinstance(cell, dt.datetime):
        return cell.replace(tzinfo=None)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return _serial(cell)
    if isinstance(cell, str):
        if re.fullmatch(r"\d{1,7}\.\d+", cell.strip()):  # a spreadsheet serial with a time of day
            return _serial(float(cell))
        match = _ISO_TIME.match(cell.strip())
        if match:
            try:
                return dt.datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]), int(match[5]),
                                   int(match[6] or 0), int((match[7] or "0").ljust(6, "0")))
            except ValueError:
                raise ValueError(f"{_show(cell)} is not a date and time") from None
    return dt.datetime.combine(date(cell, order), dt.time())


def _serial(number: float) -> dt.datetime:
    if not 1 <= number <= MAX_SERIAL:
        raise ValueError(f"{as_text(number)} is not a date (as a spreadsheet serial number it is out of range)")
    moment = dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=float(number))
    return moment.replace(microsecond=0)


def _show(value: str, limit: int = 40) -> str:
    value = value.strip()
    return repr(value if len(value) <= limit else value[:limit] + "…")
