"""Money as ``Decimal`` rounded to the cent; stored as integer cents."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")


def to_money(value: "Decimal | int | float | str") -> Decimal:
    """Parse and round a money value to the cent, or raise ``ValueError``."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value).replace(",", "").strip()) if isinstance(value, str) else Decimal(value)
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
    """``1234567.5`` -> ``"1,234,567.50 EUR"``: thousands separators, two decimals."""
    text = f"{amount:,.2f}"
    return f"{text} {currency}".strip()


def weighted(amount: Decimal, probability: int) -> Decimal:
    return (amount * probability / 100).quantize(CENT, rounding=ROUND_HALF_UP)
