"""How figures read on screen: counts with their noun, money short and long, in the
user's style (``1.234 EUR`` in German); the window sets the style from the locale."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QLocale

from salesdesk.domain.money import ENGLISH, MoneyStyle, current_style, format_amount, set_style


def use_locale_for_amounts(locale: QLocale) -> MoneyStyle:
    """Read and write amounts on screen as ``locale`` does (the decimal and thousands
    marks); a locale whose decimal mark is neither "." nor "," keeps English's."""
    decimal, group = locale.decimalPoint(), locale.groupSeparator()
    try:
        style = MoneyStyle(decimal, group or ("," if decimal == "." else "."), locale.name())
    except ValueError:
        style = ENGLISH
    set_style(style)
    return style


def plural(count: int, noun: str, plural_noun: str | None = None) -> str:
    """``plural(1, "deal")`` -> ``"1 deal"``; ``plural(1200, "deal")`` -> ``"1,200 deals"``."""
    word = noun if count == 1 else (plural_noun or f"{noun}s")
    return f"{count:,} {word}"


def money(amount: Decimal | int, currency: str = "") -> str:
    """Whole units with thousands separators: ``"84,000 EUR"`` (summaries need no cents)."""
    return format_amount(amount, currency, places=0)


def compact_money(amount: Decimal | int, currency: str = "") -> str:
    """``1_234_567`` -> ``"1.2M EUR"``; ``84_000`` -> ``"84k EUR"``; ``950`` -> ``"950 EUR"``."""
    value = Decimal(amount)
    for limit, suffix in ((Decimal(1_000_000_000), "B"), (Decimal(1_000_000), "M"), (Decimal(1_000), "k")):
        if abs(value) >= limit:
            scaled = value / limit
            text = f"{scaled:.1f}" if abs(scaled) < 10 else f"{scaled:.0f}"
            text = text.removesuffix(".0") + suffix
            break
    else:
        text = f"{value:.0f}"
    return f"{text.replace('.', current_style().decimal)} {currency}".strip()


def percent(fraction: float | None) -> str:
    return "–" if fraction is None else f"{fraction * 100:.0f}%"
