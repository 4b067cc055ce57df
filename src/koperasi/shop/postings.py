"""Business events of the gerai → ledger lines (pure; ``services`` posts them).

Revenue goes to the member or non-member account by the buyer (domain.md §2.4, §8.2);
consignment commission by whether the consignor is a member. Every line carries the
product's business unit; the member's revenue line carries the member.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from koperasi.ledger.services import ByRole, LineInput


@dataclass(frozen=True)
class SoldLine:
    """What one sale (or return) line moves: own goods carry cost; consignment lines owe the consignor."""

    unit: Any  # the product's BusinessUnit
    amount: int
    cost: int = 0
    is_consignment: bool = False
    consignor_member_id: int | None = None
    commission: int = 0


def _line(account: ByRole, amount: int, *, debit: bool, unit: Any, member_id: int | None = None) -> LineInput:
    return LineInput(
        account=account,
        debit=amount if debit else 0,
        credit=0 if debit else amount,
        business_unit=unit,
        member_id=member_id,
    )


def sale_lines(
    *, lines: list[SoldLine], money_role: str, member_id: int | None, is_member: bool, refund: bool = False
) -> list[LineInput]:
    """Return the lines of a sale, or with ``refund`` those of its return (every side swapped).

    Dr cash/bank what each business unit's goods brought in; per business unit: Cr revenue,
    Dr cost of goods sold, Cr inventory; per consignor: Cr the payable to the UMKM, Cr the commission.
    """
    revenue = ByRole("sales_members" if is_member else "sales_non_members")
    groups: dict[tuple[int, bool, int | None], list[Any]] = defaultdict(lambda: [None, 0, 0, 0])
    for sold in lines:
        key = (sold.unit.pk, sold.is_consignment, sold.consignor_member_id if sold.is_consignment else None)
        group = groups[key]
        group[0] = sold.unit
        group[1] += sold.amount
        group[2] += sold.cost
        group[3] += sold.commission
    out: list[LineInput] = []

    def add(account: ByRole, amount: int, *, debit: bool, unit: Any, member_id: int | None = None) -> None:
        if amount > 0:
            out.append(_line(account, amount, debit=debit != refund, unit=unit, member_id=member_id))

    # The money comes in per business unit (one line when the sale is of one unit's goods).
    money: dict[int, list[Any]] = {}
    for sold in lines:
        money.setdefault(sold.unit.pk, [sold.unit, 0])[1] += sold.amount
    for _, (unit, amount) in sorted(money.items()):
        add(ByRole(money_role), amount, debit=True, unit=unit)
    for (_, consignment, consignor_member), (unit, amount, cost, commission) in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or 0)
    ):
        if consignment:
            earned = "consignment_commission_members" if consignor_member else "consignment_commission_non_members"
            add(ByRole("consignment_payable"), amount - commission, debit=False, unit=unit, member_id=consignor_member)
            add(ByRole(earned), commission, debit=False, unit=unit)
        else:
            add(revenue, amount, debit=False, unit=unit, member_id=member_id if is_member else None)
            add(ByRole("cogs"), cost, debit=True, unit=unit)
            add(ByRole("inventory"), cost, debit=False, unit=unit)
    return out


def receipt_lines(
    *, total: int, unit: Any, paid_role: str | None, parts: list[tuple[Any, int]] | None = None
) -> list[LineInput]:
    """Return the lines of goods received: Dr inventory; Cr the payable (or cash/bank if paid at once).

    ``parts`` (business unit, value) splits the lines per unit when the goods belong to more
    than one (a sale credits the inventory of the product's unit, so the receipt debits it there).
    """
    credit = ByRole(paid_role) if paid_role else ByRole("trade_payable")
    by_unit: dict[Any, list[Any]] = {}
    for part_unit, amount in parts or [(unit, total)]:
        key = getattr(part_unit, "pk", part_unit)
        by_unit.setdefault(key, [part_unit, 0])[1] += amount
    groups = [(u, a) for u, a in by_unit.values() if a > 0]
    return [_line(ByRole("inventory"), a, debit=True, unit=u) for u, a in groups] + [
        _line(credit, a, debit=False, unit=u) for u, a in groups
    ]


def payment_lines(*, amount: int, payable_role: str, money_role: str, member_id: int | None = None) -> list[LineInput]:
    """Return the lines of paying a payable (a supplier, or a UMKM's consignment): Dr payable, Cr cash/bank."""
    return [
        _line(ByRole(payable_role), amount, debit=True, unit=None, member_id=member_id),
        _line(ByRole(money_role), amount, debit=False, unit=None),
    ]


def variance_lines(*, amount: int, against_role: str, unit: Any = None) -> list[LineInput]:
    """Return the lines of a cash or stock difference: a shortage (``amount`` < 0) is an expense.

    ``against_role`` is ``cash`` (cashier session) or ``inventory`` (stock count).
    """
    variance = ByRole("cash_inventory_variance")
    if amount < 0:
        return [
            _line(variance, -amount, debit=True, unit=unit),
            _line(ByRole(against_role), -amount, debit=False, unit=unit),
        ]
    return [_line(ByRole(against_role), amount, debit=True, unit=unit), _line(variance, amount, debit=False, unit=unit)]
