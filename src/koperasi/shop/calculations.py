"""Pure arithmetic of the gerai: HET in force, moving-average cost, commission, change, cash variance."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from koperasi.core.money import Rupiah


@dataclass(frozen=True)
class HetRow:
    commodity: str
    region_code: str
    price: int
    effective_from: datetime.date
    effective_to: datetime.date | None


def region_matches(region_code: str, kelurahan_code: str) -> bool:
    """Return whether a HET row's region (a code prefix, "" = national) covers the kelurahan."""
    return region_code == "" or kelurahan_code == region_code or kelurahan_code.startswith(region_code + ".")


def het_pick(rows: Iterable[HetRow], *, commodity: str, kelurahan_code: str, date: datetime.date) -> HetRow | None:
    """Return the HET row in force: the most specific region, then the latest start on or before ``date``."""
    best: HetRow | None = None
    for row in rows:
        if row.commodity != commodity or not region_matches(row.region_code, kelurahan_code):
            continue
        if row.effective_from > date or (row.effective_to is not None and row.effective_to < date):
            continue
        key = (len(row.region_code), row.effective_from)
        if best is None or key > (len(best.region_code), best.effective_from):
            best = row
    return best


def het_limit(het_price: int, het_quantity: Decimal) -> Rupiah:
    """Return the ceiling for one selling unit: HET × commodity units per selling unit, rounded down.

    Rounded down because a ceiling must never be exceeded by rounding (5 kg × Rp13.100 = Rp65.500;
    0,5 l × Rp15.700 = Rp7.850).
    """
    return int((Decimal(het_price) * Decimal(het_quantity)).to_integral_value(ROUND_DOWN))


def cost_of_units(stock_qty: int, stock_value: int, qty: int) -> Rupiah:
    """Return the moving-average cost of ``qty`` of ``stock_qty`` units worth ``stock_value``.

    Taking the last units takes the whole remaining value, so the inventory never keeps a
    rupiah of rounding once a product is sold out.
    """
    if qty <= 0 or stock_qty <= 0:
        return 0
    if qty >= stock_qty:
        return stock_value
    return int((Decimal(stock_value) * qty / stock_qty).to_integral_value(ROUND_HALF_UP))


def value_of_found_units(stock_qty: int, stock_value: int, qty: int, last_unit_cost: int) -> Rupiah:
    """Return the value of ``qty`` units found in a count: at the average cost, or the last purchase cost if none."""
    if stock_qty > 0:
        return int((Decimal(stock_value) * qty / stock_qty).to_integral_value(ROUND_HALF_UP))
    return qty * last_unit_cost


def commission_for(line_total: int, percent: Decimal) -> Rupiah:
    """Return the cooperative's commission on a consignment line, rounded half up to whole rupiah."""
    return int((Decimal(line_total) * Decimal(percent) / 100).to_integral_value(ROUND_HALF_UP))


def part_of(amount: int, qty: int, of_qty: int, already: int, already_qty: int) -> Rupiah:
    """Return the share of ``amount`` (for ``of_qty`` units) that ``qty`` more units carry.

    ``already`` (for ``already_qty`` units) has been given back before. The share is counted
    on the running total (the first ``already_qty + qty`` units carry their rounded part of
    ``amount``, less what was already given), so no piece is negative, the pieces never
    exceed ``amount``, and the last units returned carry what is left (``amount − already``).
    """
    if already_qty + qty >= of_qty:
        return amount - already
    upto = int((Decimal(amount) * (already_qty + qty) / of_qty).to_integral_value(ROUND_HALF_UP))
    return max(0, min(upto, amount) - already)


def change_for(total: int, cash_received: int) -> Rupiah:
    """Return the change to give; the caller has checked ``cash_received ≥ total``."""
    return cash_received - total
