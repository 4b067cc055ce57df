"""Members' gerai purchases per (member, business unit, month), kept as sales and returns happen.

The SHU's jasa-usaha base for a gerai is a member's purchases in the year, net of returns
(domain.md §2.3c, ADR 0007). Summing it from the sale lines reads every line of the year;
these totals make it twelve rows per member and unit. A return counts against the month of
the sale it returns, so the totals always equal Σ (qty − qty_returned) × unit_price of the
lines (``tests/conftest.py`` checks it after every test).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import connection

from koperasi.shop.models import MemberPurchaseMonth

_TABLE = MemberPurchaseMonth._meta.db_table


def member_purchases_add(
    *, cooperative_id: int, member_id: int, sale_date: datetime.date, by_unit: Mapping[int, int]
) -> None:
    """Add a sale's ``by_unit`` (unit id → rupiah) to the member's month of ``sale_date``.

    One statement (an upsert), in the caller's transaction; the month's row is created by its first sale.
    """
    month = connection.ops.adapt_datefield_value(sale_date.replace(day=1))
    rows = [(cooperative_id, member_id, unit_id, month, amount) for unit_id, amount in by_unit.items() if amount]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {_TABLE} (cooperative_id, member_id, business_unit_id, month, amount)"
            " VALUES (%s, %s, %s, %s, %s)"
            " ON CONFLICT (cooperative_id, member_id, business_unit_id, month)"
            f" DO UPDATE SET amount = {_TABLE}.amount + excluded.amount",
            rows,
        )


def member_purchases_return(
    *, cooperative_id: int, member_id: int, sale_date: datetime.date, by_unit: Mapping[int, int]
) -> None:
    """Take a return's ``by_unit`` (unit id → rupiah) off the member's month of the returned sale.

    An update of the row the sale made (an upsert cannot: the database checks the proposed
    negative row before it sees the conflict). The CHECK refuses a total below zero.
    """
    month = connection.ops.adapt_datefield_value(sale_date.replace(day=1))
    rows = [(amount, cooperative_id, member_id, unit_id, month) for unit_id, amount in by_unit.items() if amount]
    if not rows:
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_TABLE} SET amount = amount - %s"
            " WHERE cooperative_id = %s AND member_id = %s AND business_unit_id = %s AND month = %s",
            rows,
        )
