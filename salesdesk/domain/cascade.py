"""Splitting a target among people so that the parts add up exactly.

A manager's target of 100.00 split three ways is 33.34 + 33.33 + 33.33, never
33.33 x 3 (a cent lost) nor 33.34 x 3 (a cent invented).  The method is the largest
remainder (Hamilton's): every part gets the whole units (cents, or whole deals) of its
exact share rounded down, then the units left over go one each to the parts with the
largest fractional remainders; equal remainders go to the earlier position, so the
same split always gives the same parts.  Each part is then within one unit of its
exact share, and none is negative.

Pure arithmetic on ``Decimal`` and ``Fraction``: no floats, no SQL, no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

CENT = Decimal("0.01")  # money is split to the cent
WHOLE = Decimal("1")  # counts (won deals, new deals, activities) in whole units


def split_evenly(total: Decimal, n: int, unit: Decimal = CENT) -> list[Decimal]:
    """``total`` in ``n`` parts as equal as ``unit`` allows, the larger ones first."""
    if n < 0:
        raise ValueError("the number of parts cannot be negative")
    return split_by_weights(total, [Decimal(1)] * n, unit)


def split_by_weights(total: Decimal, weights: Sequence[Decimal | int], unit: Decimal = CENT) -> list[Decimal]:
    """``total`` in parts proportional to ``weights``, in whole ``unit``s, summing exactly.

    All-zero weights split evenly.  ``total`` must be a whole number of units and not
    negative; weights must not be negative.  No weights: no parts (``total`` must be 0).
    """
    units = _units(total, unit)
    shares = [Fraction(Decimal(w)) for w in weights]
    if any(w < 0 for w in shares):
        raise ValueError("a weight cannot be negative")
    if not shares:
        if units:
            raise ValueError("nothing to split among")
        return []
    weight = sum(shares)
    if weight == 0:
        shares, weight = [Fraction(1)] * len(shares), Fraction(len(shares))
    exact = [units * w / weight for w in shares]
    parts = [int(e) for e in exact]  # floor: every share is >= 0
    left = units - sum(parts)  # 0 <= left < len(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:left]:
        parts[i] += 1
    return [Decimal(p) * unit for p in parts]


def _units(total: Decimal, unit: Decimal) -> int:
    """``total`` as a whole number of ``unit``s, or ``ValueError``."""
    total, unit = Decimal(total), Decimal(unit)
    if unit <= 0:
        raise ValueError("the unit must be positive")
    if not total.is_finite() or total < 0:
        raise ValueError(f"cannot split {total}: the total must be a positive amount or zero")
    count = total / unit
    if count != count.to_integral_value():
        raise ValueError(f"cannot split {total} in whole units of {unit}")
    return int(count)
