"""Pure savings arithmetic: settings in force, month-end interest, wajib bills, exit settlement.

No database; every amount is whole rupiah (``int``), rates are ``Decimal``.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from koperasi.core.money import Rounding, Rupiah, to_rupiah


@dataclass(frozen=True)
class SettingValues:
    """The savings rules in force on a day (a ``SavingsSetting`` row or the defaults)."""

    effective_from: datetime.date
    pokok_amount: Rupiah
    wajib_amount: Rupiah
    wajib_due_day: int
    sukarela_rate_pa: Decimal
    sukarela_min_balance: Rupiah
    transaction_limit: Rupiah


# domain.md §11: pokok Rp50.000 once, wajib Rp20.000 a month. The interest rate starts at
# 0 % (the RAT decides it); the transaction limit is a guard against typing two zeros too many.
DEFAULT_SETTING = SettingValues(
    effective_from=datetime.date(1900, 1, 1),
    pokok_amount=50_000,
    wajib_amount=20_000,
    wajib_due_day=10,
    sukarela_rate_pa=Decimal("0"),
    sukarela_min_balance=0,
    transaction_limit=100_000_000,
)


def setting_in_force(rows: Iterable[SettingValues], day: datetime.date) -> SettingValues:
    """Return the row with the latest ``effective_from`` on or before ``day`` (else the defaults)."""
    candidates = [r for r in rows if r.effective_from <= day]
    return max(candidates, key=lambda r: r.effective_from) if candidates else DEFAULT_SETTING


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Return the first days of every month from ``first``'s month to ``last``'s, inclusive."""
    months = []
    current = month_start(first)
    while current <= last:
        months.append(current)
        current = (current + datetime.timedelta(days=32)).replace(day=1)
    return months


# --- Month-end interest on simpanan sukarela -------------------------------------------------
def month_minimum_balance(opening: Rupiah, movements: Sequence[Rupiah]) -> Rupiah:
    """Return the lowest balance of a month from its opening balance and its movements in date order.

    ``movements`` are signed (deposits and interest +, withdrawals −). An account opened
    during the month has opening 0, so it earns from the next month on (the "saldo
    terendah" method, ADR 0003).
    """
    lowest = balance = opening
    for movement in movements:
        balance += movement
        lowest = min(lowest, balance)
    return lowest


def monthly_interest(minimum_balance: Rupiah, rate_pa: Decimal, *, min_balance: Rupiah = 0) -> Rupiah:
    """Return one month's interest: minimum balance × rate / 12, rounded down to whole rupiah.

    Nothing when the minimum balance is below ``min_balance`` or the rate is zero. Rounding
    down means the cooperative never pays a fraction of a rupiah it did not owe.
    """
    if rate_pa <= 0 or minimum_balance <= 0 or minimum_balance < min_balance:
        return 0
    return to_rupiah(Decimal(minimum_balance) * rate_pa / Decimal(1200), Rounding.DOWN)


# --- Wajib bills ------------------------------------------------------------------------------
@dataclass(frozen=True)
class BillStatus:
    month: datetime.date
    amount: Rupiah
    due_on: datetime.date
    paid: Rupiah

    @property
    def outstanding(self) -> Rupiah:
        return self.amount - self.paid

    @property
    def is_paid(self) -> bool:
        return self.paid >= self.amount


def wajib_bill_status(
    bills: Sequence[tuple[datetime.date, Rupiah, datetime.date]], paid_total: Rupiah
) -> list[BillStatus]:
    """Pay ``bills`` (month, amount, due date) oldest first from ``paid_total`` (all wajib deposits).

    What is left after the last bill is an advance; it pays the next bills when they are issued.
    """
    remaining = paid_total
    result = []
    for month, amount, due_on in sorted(bills):
        paid = min(amount, max(remaining, 0))
        remaining -= paid
        result.append(BillStatus(month=month, amount=amount, due_on=due_on, paid=paid))
    return result


def due_date(month: datetime.date, due_day: int) -> datetime.date:
    """Return the day the bill of ``month`` falls due (clamped to the month's length)."""
    return month.replace(day=min(due_day, calendar.monthrange(month.year, month.month)[1]))


# --- Leaving the cooperative ------------------------------------------------------------------
@dataclass(frozen=True)
class Obligation:
    """Something a leaving member owes that is offset against the refund (e.g. a loan)."""

    label: str
    amount: Rupiah
    ledger_role: str  # the chart-of-accounts role credited by the offset
    blocks_exit: bool = False  # True: must be settled before leaving, not offset
    reason: str = ""


@dataclass(frozen=True)
class ExitQuote:
    """What leaving pays: savings refunded, obligations offset, the net paid out."""

    balances: dict[str, Rupiah]  # kind -> balance
    obligations: list[Obligation] = field(default_factory=list)

    @property
    def savings_total(self) -> Rupiah:
        return sum(self.balances.values())

    @property
    def offset_total(self) -> Rupiah:
        return sum(o.amount for o in self.obligations if not o.blocks_exit)

    @property
    def net_payout(self) -> Rupiah:
        return self.savings_total - self.offset_total

    @property
    def blockers(self) -> list[str]:
        reasons = [o.reason or o.label for o in self.obligations if o.blocks_exit]
        if self.net_payout < 0:
            reasons.append("Kewajiban anggota melebihi simpanannya; selisihnya harus dilunasi sebelum keluar.")
        return reasons
