"""Cell values to database values, with a reason a person understands when they don't fit.

Every parser takes a cell (text from a CSV, or a number or date from an XLSX) that is
not empty and returns the value, or raises ``ValueError`` whose message is the reason
shown next to the row and column.  A cell means one thing or it is refused: nothing
here guesses between two readings.

Cells that a spreadsheet would run as a formula are written by our export with a single
quote in front (see ``neutralise``); ``unescape`` takes that quote off again on import,
so an export imports back unchanged.  So are texts with white space at either end, which
the import would otherwise trim: a quoted cell is taken as it is after the quote.

Texts keep what they say, line breaks and tabs included; a control character (C0 but
tab and line breaks, DEL, C1, U+FFFE/U+FFFF) is refused where it is, and a cell made
only of invisible characters (zero-width spaces, word joiners, Hangul fillers) is empty.

Dates: ISO dates (and moments), ``31.03.2026``, and ``03/04/2026`` in the date order
chosen.  A number is not a date, in a text file or an XLSX number cell alike, unless the
mapping says the column holds spreadsheet serial numbers (``serial_dates``: 45000 is
2023-03-15); XLSX cells formatted as dates are dates.  A whole number from 1000 to 9999
is refused as a year even in a serial column (as serials those are 1902-1927), and so
are serials before 61 (1 March 1900: Excel counts a 29 February 1900 that never was).

Amounts (``Amounts``: the mapping's ``decimal_separator``, and ``round_cents``).  The one
reading of money text for imports; a whole part may be grouped by ``.``/``,`` (the mark
that is not the decimal one), spaces or apostrophes, in threes (or the Indian lakh
grouping ``12,34,567``); a currency sign or ISO code may stand before or after::

    text            no mark chosen          decimal ","          decimal "."
    ``1,234``       refused: 1234 or 1.234  1.234 (sub-cent)     1234.00
    ``1.234``       refused: 1234 or 1.234  1234.00              1.234 (sub-cent)
    ``1.234,5``     1234.50                 1234.50              refused
    ``12,5``        12.50                   12.50                refused
    ``1 234,50``    1234.50                 1234.50              refused
    ``€ 1.234,50``  1234.50                 1234.50              refused
    ``1.234.567``   1234567.00 (a mark twice groups thousands)
    ``-0,00``       0 (zero has no sign)
    ``(12.00)``     refused: negative (accountants' brackets), as ``-12`` is
    ``1e5``         refused: an exponent, not digits
    ``0x10``        refused: not an amount of money
    ``١٢٣``         refused: digits other than 0-9 (Arabic-Indic)
    ``１２３``       refused: digits other than 0-9 (fullwidth)
    ``957.5775``    refused (more than two decimals) unless ``round_cents``: 957.58

"Sub-cent": more than two decimals that are not zeros.  Refused by default, rounded
half up to the cent when the mapping says so, and every rounding is counted (``take``)
for the outcome and the audit row.  One mark once with exactly three digits after it
and one to three before (not starting with 0) is the only reading that is ambiguous;
``0,123``, ``1234,567`` and ``12,5`` are not.  XLSX numbers are read to the 15
significant digits a spreadsheet keeps and shows (``12.100000000000001`` is 12.10), so
floating point noise is not taken for sub-cent amounts; NaN and infinities are refused.

Currencies are the active ISO 4217 codes (``salesdesk.domain.currencies``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal

from salesdesk.domain.currencies import currency_code
from salesdesk.domain.money import Wording, parse_text
from salesdesk.domain.wording import bare as _bare
from salesdesk.domain.wording import quoted as _show
from salesdesk.transfer.characters import FILLERS, control_problem, invisible

# OWASP "CSV injection": a cell starting with these is a formula to a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")
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
    """Any cell as the text a person sees in the spreadsheet: TRUE/FALSE, numbers to the
    15 significant digits a spreadsheet keeps and shows (``3.0000000000000004`` is 3, a
    20-digit id typed in is 12345678901234500000, not a float's 12345678901234499584),
    without a trailing ``.0`` or an exponent."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float) and math.isfinite(cell):
        if cell == 0:
            return "0"  # -0.0 too
        shown = format(Decimal(format(cell, ".15g")), "f")
        return shown.rstrip("0").rstrip(".") if "." in shown else shown
    if isinstance(cell, dt.datetime):
        return cell.isoformat(sep=" ") if cell.time() != dt.time() else cell.date().isoformat()
    if isinstance(cell, dt.date):
        return cell.isoformat()
    return str(cell)


# --- texts ------------------------------------------------------------------------------------

def checked_text(value: str, max_length: int) -> str:
    """``value`` as it is, "" when nothing of it is visible; refused for a control
    character or a length beyond ``max_length``."""
    if not value.isprintable() or value[:1] in FILLERS:  # the rare cell: line breaks, tabs, controls
        reason = control_problem(value)
        if reason:
            raise ValueError(reason)
        if invisible(value):
            return ""
    if len(value) > max_length:
        raise ValueError(f"is {len(value):,} characters long; at most {max_length:,} fit")
    return value


def text_parser(max_length: int):
    """Text cells, already stripped by the reader (the import's hot path)."""

    def parse_text(cell) -> str:
        if cell.__class__ is not str:
            cell = as_text(cell).strip()
        return checked_text(cell, max_length)

    return parse_text


_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def email(cell) -> str:
    value = as_text(cell).strip()
    if not _EMAIL.match(value) or len(value) > 254:
        raise ValueError(f"{_show(value)} is not an email address")
    return checked_text(value, 254)


def currency(cell) -> str:
    """An active ISO 4217 code in any case (``usd`` is USD); see ``currency_code``."""
    return currency_code(as_text(cell))


_BOOLS = {"1": True, "yes": True, "y": True, "true": True, "active": True, "x": True, "ja": True, "oui": True,
          "0": False, "no": False, "n": False, "false": False, "inactive": False, "nein": False, "non": False}


def boolean(cell) -> bool:
    if isinstance(cell, bool):
        return cell
    value = _BOOLS.get(as_text(cell).strip().lower())
    if value is None:
        raise ValueError(f"{_show(as_text(cell))} is not yes or no")
    return value


_WHOLE = re.compile(r"[+-]?[0-9]{1,15}")


def integer(cell, low: int | None = None, high: int | None = None) -> int:
    if isinstance(cell, bool) or not isinstance(cell, (str, int, float)):
        raise ValueError(f"{_show(as_text(cell))} is not a whole number")
    if isinstance(cell, int):
        value = cell
    elif isinstance(cell, float) and cell.is_integer():
        value = int(cell)
    else:
        raw = as_text(cell).strip().replace(" ", "").replace("\u00a0", "").rstrip("%").replace(",", "")
        if not _WHOLE.fullmatch(raw):
            raise ValueError(f"{_show(as_text(cell))} is not a whole number")
        value = int(raw)
    if low is not None and value < low or high is not None and value > high:
        raise ValueError(f"{value} is not between {low} and {high}")
    return value


# --- amounts ----------------------------------------------------------------------------------

_PLAIN_AMOUNT = re.compile(r"([0-9]{1,13})(?:\.([0-9]{1,2}))?$")
WHERE_DECIMAL = "in the wizard's Values page, or \"decimal_separator\" in the mapping"
WHERE_ROUNDING = "in the wizard's Values page, or \"round_cents\" in the mapping"
IMPORTED = Wording("as chosen for this import", WHERE_DECIMAL)


class Amounts:
    """Money cells as integer cents, read as a mapping says: ``decimal`` ("", "," or
    ".") and ``round_cents`` (sub-cent amounts rounded half up, not refused).

    Each rounding is kept until ``take()``: the caller counts them per currency.
    """

    def __init__(self, decimal: str = "", round_cents: bool = False):
        if decimal not in ("", ",", "."):
            raise ValueError(f"{decimal!r} is not a decimal mark; choose \",\" or \".\"")
        self.decimal, self.round_cents = decimal, round_cents
        self.pending: list[Decimal] = []  # rounded minus exact, one per amount rounded
        self.marks: list[str] = []  # currency signs or codes written in the amounts ("$5")
        self._plain = decimal != ","  # "12.50" is twelve and a half unless "," is the decimal mark

    def __call__(self, cell) -> int:
        if cell.__class__ is str and self._plain:  # the common case first, without Decimal
            match = _PLAIN_AMOUNT.match(cell)
            if match:
                fraction = match[2]
                return int(match[1]) * 100 + (0 if fraction is None else int(fraction.ljust(2, "0")))
        value = amount(cell, self.decimal, self.marks)
        scaled = value * 100
        whole = scaled.to_integral_value(rounding=ROUND_HALF_UP)
        if whole != scaled:
            if not self.round_cents:
                raise ValueError(f"{_bare(_number_text(cell))} has more than two decimals: amounts are kept to the cent; "
                                 f"round them in the file, or choose to round amounts to the cent ({WHERE_ROUNDING})")
            self.pending.append((whole - scaled) / 100)
        if whole >= MAX_CENTS:
            raise ValueError(f"{_bare(_number_text(cell))} is too large an amount")
        return int(whole)

    def take_marks(self) -> list[str]:
        taken, self.marks = self.marks, []
        return taken

    def take(self) -> list[Decimal]:
        """The roundings since the last call (rounded minus exact amount, each)."""
        taken, self.pending = self.pending, []
        return taken


def cents(cell, decimal: str = "") -> int:
    """An amount as integer cents, sub-cent amounts refused (see ``Amounts``)."""
    return Amounts(decimal)(cell)


def amount(cell, decimal: str = "", marks: list | None = None) -> Decimal:
    """The exact amount a cell says (not negative, below 10 trillion), any decimals; the
    currency sign or code written with it is added to ``marks``."""
    if isinstance(cell, bool) or not isinstance(cell, (str, int, float, Decimal)):
        raise ValueError(f"{_show(as_text(cell))} is not an amount of money")
    if isinstance(cell, int):
        value = Decimal(cell)
    elif isinstance(cell, float):
        if not math.isfinite(cell):
            raise ValueError(f"{_show(as_text(cell))} is not an amount of money")
        value = Decimal(_number_text(cell))
    elif isinstance(cell, Decimal):
        value = cell
    else:
        value = parse_text(cell.strip(), decimal, marks, IMPORTED)
    if not value.is_finite():
        raise ValueError(f"{_show(as_text(cell))} is not an amount of money")
    if value < 0:
        raise ValueError(f"{_bare(_number_text(cell))} is negative; amounts cannot be negative")
    if value.adjusted() >= 13:
        raise ValueError(f"{_bare(_number_text(cell))} is too large an amount")
    return value


def _number_text(cell) -> str:
    """A number as a person reads it: XLSX floats to the 15 digits a spreadsheet shows."""
    return format(cell, ".15g") if isinstance(cell, float) else as_text(cell).strip()


# --- dates ------------------------------------------------------------------------------------

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 61 is 1900-03-01; below, Excel counts a 29 February 1900
MIN_SERIAL, MAX_SERIAL = 61, 2_958_465  # 1900-03-01 to 9999-12-31
_ISO_DAY = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_ISO_TIME = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{2})"
                       r"(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?(?:Z|[+-]00:?00)?$")
_OTHER_DAY = re.compile(r"^([0-9]{1,2})([./-])([0-9]{1,2})\2([0-9]{4})$")
_MONTH = re.compile(r"^[0-9]{4}[-/][0-9]{1,2}$")
_NUMBER = re.compile(r"^[0-9]{1,7}(?:\.[0-9]+)?$")
WHERE_SERIAL = "in the wizard's Values page, or \"serial_dates\" in the mapping"


def date(cell, order: str = "", *, serial: bool = False) -> dt.date:
    """ISO dates, day.month.year, d/m/y or m/d/y (``order`` "DMY"/"MDY" when both fit),
    spreadsheet dates, and serial numbers where ``serial`` says the column holds them."""
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, bool) or not isinstance(cell, (str, int, float)):
        raise ValueError(f"{_show(as_text(cell))} is not a date; write it as YYYY-MM-DD")
    if not isinstance(cell, str):
        return _numbered(cell, as_text(cell), serial).date()
    raw = cell.strip()
    try:
        match = _ISO_DAY.match(raw) or _ISO_TIME.match(raw)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        match = _OTHER_DAY.match(raw)
        if match:
            first, sep, second, year = int(match[1]), match[2], int(match[3]), int(match[4])
            if sep == "." or order == "DMY" or (first > 12 and order != "MDY"):
                return dt.date(year, second, first)
            if order == "MDY" or second > 12:
                return dt.date(year, first, second)
            raise ValueError(f"{_bare(raw)} could be the {first}th of month {second} or the {second}th of month {first}; "
                             "write it as YYYY-MM-DD or choose the date order")
    except ValueError as exc:
        if "could be" in str(exc):
            raise
        raise ValueError(f"{_show(raw)} is not a date") from None
    if _MONTH.match(raw):
        raise ValueError(f"{_bare(raw)} is a month, not a date; write the day as YYYY-MM-DD")
    if _NUMBER.match(raw):
        return _numbered(float(raw), raw, serial).date()
    raise ValueError(f"{_show(raw)} is not a date; write it as YYYY-MM-DD")


def timestamp(cell, order: str = "", *, serial: bool = False) -> dt.datetime:
    """A moment (naive, as written); a date alone is its midnight."""
    if isinstance(cell, dt.datetime):
        return cell.replace(tzinfo=None)
    if isinstance(cell, (int, float)) and not isinstance(cell, bool):
        return _numbered(cell, as_text(cell), serial)
    if isinstance(cell, str):
        raw = cell.strip()
        if _NUMBER.match(raw):  # a serial number with a time of day
            return _numbered(float(raw), raw, serial)
        match = _ISO_TIME.match(raw)
        if match:
            try:
                return dt.datetime(int(match[1]), int(match[2]), int(match[3]), int(match[4]), int(match[5]),
                                   int(match[6] or 0), int((match[7] or "0").ljust(6, "0")))
            except ValueError:
                raise ValueError(f"{_show(cell)} is not a date and time") from None
    return dt.datetime.combine(date(cell, order, serial=serial), dt.time())


def _numbered(number: float, shown: str, serial: bool) -> dt.datetime:
    """The moment a number in a date column is: only a serial, and never a year."""
    if not math.isfinite(number):
        raise ValueError(f"{_show(shown)} is not a date")
    if number == int(number) and 1000 <= number <= 9999:
        raise ValueError(f"{_bare(shown)} is a year, not a date; write the day as YYYY-MM-DD")
    if not serial:
        raise ValueError(f"{_bare(shown)} is a number, not a date: write it as YYYY-MM-DD, or say the column holds "
                         f"spreadsheet serial numbers ({WHERE_SERIAL})")
    if not MIN_SERIAL <= number <= MAX_SERIAL:
        raise ValueError(f"{_bare(shown)} is not a date (as a spreadsheet serial number it is out of range)")
    moment = dt.datetime.combine(EXCEL_EPOCH, dt.time()) + dt.timedelta(days=float(number))
    return moment.replace(microsecond=0)


