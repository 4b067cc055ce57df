"""Money: whole rupiah as ``int``, one rounding helper, and exact splitting.

Amounts are never floats. Rates are ``Decimal``. A value becomes a stored amount in
exactly one place, :func:`to_rupiah`, with a named policy (DESIGN.md §6).
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

Rupiah = int


class Rounding(enum.Enum):
    """How a fractional rupiah becomes whole."""

    HALF_UP = ROUND_HALF_UP  # ordinary commercial rounding (instalments, prices)
    DOWN = ROUND_DOWN  # toward zero: SHU member parts (domain.md §2.5)


def to_rupiah(value: Decimal | int, policy: Rounding = Rounding.HALF_UP) -> Rupiah:
    """Round ``value`` to whole rupiah with ``policy``; refuse floats."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"to_rupiah needs Decimal or int, got {type(value).__name__}")
    return int(Decimal(value).quantize(Decimal(1), rounding=policy.value))


def allocate(total: Rupiah, weights: Sequence[int | Decimal]) -> list[Rupiah]:
    """Split ``total`` in proportion to ``weights`` so the parts sum exactly to ``total``.

    Largest-remainder method: each part is first rounded toward zero, then the rupiah left
    over go one each to the parts with the largest remainders (earliest first on ties).
    """
    if not isinstance(total, int) or isinstance(total, bool):
        raise TypeError("total must be whole rupiah (int)")
    if not weights:
        raise ValueError("allocate needs at least one weight")
    decimal_weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in decimal_weights):
        raise ValueError("weights must not be negative")
    weight_sum = sum(decimal_weights)
    if weight_sum == 0:
        raise ValueError("weights must not all be zero")
    sign = -1 if total < 0 else 1
    magnitude = abs(total)
    exact = [Decimal(magnitude) * w / weight_sum for w in decimal_weights]
    parts = [int(e.to_integral_value(rounding=ROUND_DOWN)) for e in exact]
    leftover = magnitude - sum(parts)
    by_remainder = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in by_remainder[:leftover]:
        parts[i] += 1
    return [sign * p for p in parts]


def format_rupiah(amount: Rupiah | None) -> str:
    """Format as Indonesians write it: ``Rp 1.234.567``, ``-Rp 5.000``."""
    if amount is None:
        return ""
    amount = int(amount)
    digits = f"{abs(amount):,}".replace(",", ".")
    return f"-Rp {digits}" if amount < 0 else f"Rp {digits}"
