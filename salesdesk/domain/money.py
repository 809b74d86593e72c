"""Money: ``Decimal`` rounded to the cent, stored as integer cents; one way to read an
amount a person typed or a file holds, and one way to write it for a screen.

Reading (``parse_amount`` for what is typed, ``parse_text`` underneath, which the import
uses too): the whole part may be grouped in threes (or the Indian lakh grouping) by the
mark that is not the decimal one, by spaces (no-break, thin, narrow no-break) or by
apostrophes; a currency sign or ISO code may stand before or after.  What is typed is
read with the decimal mark of the user's language (``MoneyStyle``, taken from the
system locale at start): under English ``1,234.50`` is 1234.50 and ``1.234,50`` is
refused; under German ``1.234,50`` is 1234.50 and ``1,5`` is 1.50.  Text that is not an
amount in that style is refused with the reason, never guessed (``1,5`` under English is
not 15, nor 1.5).  A file names its decimal mark in its mapping, or the text must allow
one reading only (see ``salesdesk.transfer.values``).

Writing: ``format_amount`` for screens, in the user's style; documents and files
(weekly PDF, CSV and XLSX exports) always write ``1,234.50`` (``ENGLISH``), so a file
reads back the same on any machine and a report looks the same for everyone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from salesdesk.domain.currencies import ACTIVE
from salesdesk.domain.wording import bare as _bare
from salesdesk.domain.wording import quoted as _show

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal(10) ** 13  # 10 trillion: the deals' rule


@dataclass(frozen=True)
class MoneyStyle:
    """How the user's language writes amounts: the decimal mark and the thousands mark."""

    decimal: str = "."
    group: str = ","
    name: str = "English"

    def __post_init__(self):
        if self.decimal not in (".", ","):
            raise ValueError(f"{self.decimal!r} is not a decimal mark SalesDesk reads; it reads \".\" or \",\"")
        if self.group == self.decimal:
            raise ValueError("the thousands mark cannot be the decimal mark")


ENGLISH = MoneyStyle()
_style = ENGLISH


def set_style(style: MoneyStyle) -> None:
    """The style screens read and write amounts in (the window sets it from the locale)."""
    global _style
    _style = style


def current_style() -> MoneyStyle:
    return _style


class Wording(NamedTuple):
    """How a refusal says where the decimal mark came from and where to change it."""

    chosen: str  # "..., as chosen for this import"
    where: str  # "say which mark separates the decimals (<where>)"


TYPED = Wording("as this computer's language settings write amounts", "in the system's language settings")


class AmountError(ValueError):
    """A text that is not an amount; the message names what is wrong and ``kind`` what
    sort of wrong, for a caller that words one of them its own way: "not an amount"
    (no number at all), "style" (another decimal mark), "ambiguous", "negative",
    "decimals", "too large", "empty"."""

    def __init__(self, message: str, kind: str = "not an amount"):
        super().__init__(message)
        self.kind = kind


def parse_amount(text: str, style: MoneyStyle | None = None, *, round_cents: bool = False,
                 currency: str = "") -> Decimal:
    """What a person typed, read in ``style`` (default: the user's), to the cent.

    Refused (``AmountError``): no amount, another style's amount, more than two decimals
    (unless ``round_cents``: half up), a negative amount, one of 10 trillion or more, and,
    given the ``currency`` it is in, an amount written with another currency's sign or
    code ("$5" for a deal in euros)."""
    style = style or _style
    raw = (text or "").strip()
    if not raw:
        raise AmountError("Type an amount, such as " + format_amount(Decimal("1234.50"), style=style), "empty")
    marks: list[str] = []
    try:
        value = parse_text(raw, style.decimal, marks, wording=Wording(
            f"as this computer's language settings write amounts (such as "
            f"{format_amount(Decimal('1234.50'), style=style)})", TYPED.where))
    except AmountError:
        raise
    except ValueError as exc:
        raise AmountError(str(exc)) from None
    if value < 0:
        raise AmountError("The amount cannot be negative", "negative")
    wrong = [mark for mark in marks if currency and not mark_fits(mark, currency)]
    if wrong:
        raise AmountError(f"{_bare(raw)} is written with {wrong[0]}, but the amount is in {currency}: "
                          f"change the currency, or write the amount without {wrong[0]}", "currency")
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if rounded != value and not round_cents:
        raise AmountError(f"{_bare(raw)} has more than two decimals: amounts are kept to the cent", "decimals")
    if rounded >= MAX_AMOUNT:
        raise AmountError(f"{_bare(raw)} is too large an amount", "too large")
    return rounded


def format_amount(amount: Decimal | int, currency: str = "", *, style: MoneyStyle | None = None,
                  places: int = 2) -> str:
    """``1234567.5`` -> ``"1,234,567.50 EUR"`` in English, ``"1.234.567,50 EUR"`` in German."""
    style = style or _style
    text = f"{Decimal(amount):,.{places}f}"
    if style != ENGLISH:
        marks: dict[str, str | int | None] = {",": style.group, ".": style.decimal}
        text = text.translate(str.maketrans(marks))
    return f"{text} {currency}".strip()


def to_money(value: "Decimal | int | float | str") -> Decimal:
    """A number (or a plain ``1234.50`` text, as code and files write it) rounded to the
    cent, or ``ValueError``.  What a person typed goes through ``parse_amount``."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = parse_text(value.strip(), ".") if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"{value!r} is not an amount of money") from exc
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not an amount of money")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents(value: "Decimal | int | float | str") -> int:
    return int(to_money(value) * 100)


def from_cents(cents: int | None) -> Decimal:
    return (Decimal(cents or 0) / 100).quantize(CENT)


def format_money(amount: Decimal, currency: str = "") -> str:
    """Documents' and files' amounts: ``"1,234,567.50 EUR"`` whatever the user's style."""
    return format_amount(amount, currency, style=ENGLISH)


def weighted(amount: Decimal, probability: int) -> Decimal:
    return (amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)


# --- reading text -------------------------------------------------------------------------

_SIGNS = "€$£¥₹₽₩₺₪"
_MARKED = re.compile(rf"(?:([{_SIGNS}]|[A-Za-z]{{3}})\s*)?(.*?)(?:\s*([{_SIGNS}]|[A-Za-z]{{3}}))?")
_EXPONENT = re.compile(r"[0-9.,]*[0-9][eE][+-]?[0-9]+")
_GROUPERS = " '\u00a0\u2009\u202f\u2019"  # spaces (no-break, thin, narrow) and apostrophes
_AMOUNT_CHARS = re.compile(f"[0-9.,{_GROUPERS}]+")
# A grouped number never starts with 0: "0,005" under English is a decimal written with
# the other mark (5 thousandths), not five, so it is refused rather than read as 5.
_WESTERN = re.compile(r"[1-9][0-9]{0,2}(?:\|[0-9]{3})*")
_LAKH = re.compile(r"[1-9][0-9]?(?:\|[0-9]{2})*\|[0-9]{3}")


def parse_text(raw: str, decimal: str = "", marks: list | None = None, wording: Wording | None = None) -> Decimal:
    """The exact amount a text says, any number of decimals (the caller rounds or
    refuses sub-cent amounts); ``decimal`` is the mark chosen ("" reads it from the
    text where only one reading fits); a currency sign or code is added to ``marks``.
    ``ValueError`` names what is wrong, in ``wording``'s terms."""
    wording = wording or TYPED
    def refuse(why: str = "is not an amount of money") -> AmountError:
        return AmountError(f"{_show(raw)} {why}")

    if any(ch.isdigit() and not ch.isascii() for ch in raw):
        raise refuse("has digits other than 0-9; write amounts with 0-9")
    if len(raw) > 2 and raw[0] == "(" and raw[-1] == ")":
        inner = raw[1:-1].strip()
        if inner[:1] == "(":  # brackets in brackets: no accountant writes them (nor a recursion to overflow)
            raise refuse()
        parse_text(inner, decimal, wording=wording)  # refused in its own words when it is no amount at all
        raise AmountError(f"{_bare(raw)} is negative (in brackets); amounts cannot be negative", "negative")
    body, sign, mark = _unmarked(raw)
    if body is None:
        raise refuse()
    if mark and marks is not None:
        marks.append(mark)
    if _EXPONENT.fullmatch(body):
        raise AmountError(f"{_bare(raw)} is written with an exponent; write the amount out in digits")
    if not _AMOUNT_CHARS.fullmatch(body) or not any(ch.isdigit() for ch in body):
        raise refuse()
    whole, fraction = _split(raw, body, decimal, wording)
    return Decimal(f"{sign}{whole or '0'}.{fraction or '0'}")


def _unmarked(raw: str) -> tuple[str | None, str, str]:
    """(the digits and marks, the sign, the currency sign or code) of an amount with its
    currency and sign taken off; None when what stands around it is no currency."""
    sign = ""
    if raw[:1] in ("+", "-"):
        sign, raw = raw[0], raw[1:].lstrip()
    match = _MARKED.fullmatch(raw)
    assert match is not None  # every group of _MARKED is optional or lazy
    before, body, after = match[1], match[2], match[3]
    marks = {m if m in _SIGNS else m.upper() for m in (before, after) if m}
    if any(m not in _SIGNS and m not in ACTIVE for m in marks):
        return None, sign, ""
    if len(marks) > 1 and len({c for m in marks for c in SIGN_CURRENCIES.get(m, (m,))}) > 1 \
            and not _agree(*marks):
        return None, sign, ""  # "USD 5 EUR": two currencies for one amount
    if not sign and body[:1] in ("+", "-"):  # "€ -5"
        sign, body = body[0], body[1:].lstrip()
    return body, "-" if sign == "-" else "", next(iter(sorted(marks, key=len, reverse=True)), "")


# The currencies a sign can stand for: "$" is a dollar of some country, "¥" yen or yuan.
SIGN_CURRENCIES = {"€": ("EUR",), "£": ("GBP",), "₹": ("INR",), "₽": ("RUB",), "₩": ("KRW",), "₺": ("TRY",),
                   "₪": ("ILS",), "¥": ("JPY", "CNY"),
                   "$": ("USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", "TWD", "BRL", "ARS", "CLP", "COP")}


def _agree(first: str, second: str) -> bool:
    """Whether two currency marks can mean the same currency ("$" and "USD" do)."""
    return bool(set(SIGN_CURRENCIES.get(first, (first,))) & set(SIGN_CURRENCIES.get(second, (second,))))


def mark_fits(mark: str, currency: str) -> bool:
    """Whether an amount written with ``mark`` ("$", "USD") can be in ``currency``."""
    return currency in SIGN_CURRENCIES.get(mark, (mark,))


def mark_currency(mark: str) -> str | None:
    """The one currency ``mark`` names, or None when a sign names several ("$")."""
    found = SIGN_CURRENCIES.get(mark, (mark,))
    return found[0] if len(found) == 1 else None


def _split(raw: str, body: str, decimal: str, wording: Wording) -> tuple[str, str]:
    """(whole digits, fraction digits) of ``body``, its grouping checked."""
    dots, commas = body.count("."), body.count(",")
    if decimal:
        mark, other = decimal, "," if decimal == "." else "."
        if body.count(mark) > 1 or (mark in body and other in body[body.index(mark):]):
            raise _not_as_chosen(raw, decimal, wording)
    elif dots and commas:  # both: the later one is the decimal mark
        mark = "." if body.rfind(".") > body.rfind(",") else ","
        if body.count(mark) > 1:
            raise AmountError(f"{_show(raw)} is not an amount of money")
    elif dots + commas == 1:
        mark = "." if dots else ","
        head, _, tail = body.partition(mark)
        if len(tail) == 3 and tail.isdigit() and head.isdigit() and 1 <= len(head) <= 3 and head[0] != "0":
            raise AmountError(f"{_bare(raw)} could be {head}{tail} or {head}.{tail}: say which mark separates the "
                             f"decimals ({wording.where})", "ambiguous")
    else:  # no mark, or one mark many times: a decimal mark comes once, so it groups thousands
        mark = ""
    whole, _, fraction = body.partition(mark) if mark and mark in body else (body, "", "")
    if fraction and not fraction.isdigit():
        raise _not_as_chosen(raw, decimal, wording) if decimal else AmountError(f"{_show(raw)} is not an amount of money")
    groupers = _GROUPERS + ("," if mark == "." or (not mark and commas) else "") + \
        ("." if mark == "," or (not mark and dots) else "")
    if decimal:
        groupers += "," if decimal == "." else "."
    grouped = re.sub(f"[{re.escape(groupers)}]", "|", whole.strip())
    if "|" in grouped and not (_WESTERN.fullmatch(grouped) or _LAKH.fullmatch(grouped)):
        raise _not_as_chosen(raw, decimal, wording) if decimal else AmountError(f"{_show(raw)} is not an amount of money")
    digits = grouped.replace("|", "")
    if not digits.isdigit() and digits or not (digits or fraction):
        raise AmountError(f"{_show(raw)} is not an amount of money")
    return digits, fraction


def _not_as_chosen(raw: str, decimal: str, wording: Wording) -> AmountError:
    return AmountError(f"{_show(raw)} is not an amount written with {decimal!r} for the decimals, {wording.chosen}",
                       "style")
