"""Pure loan arithmetic: schedules, fees, penalties, repayment allocation, arrears, allowance.

No database here: services and selectors feed these functions plain values, and the
tests check them against domain.md §4.3 and numpy-financial. Amounts are whole rupiah
(``int``); rates are ``Decimal`` percent (``Decimal("12")`` = 12 % a year).

Rounding (domain.md §11):
- flat and declining: each regular instalment's principal is ``principal // term``; the
  last takes what is left, so the principal parts sum exactly to the principal. Interest
  is rounded half up per instalment (flat: on the original principal; declining: on the
  balance before the instalment).
- annuity: the exact schedule (numpy-financial's ``pmt``/``ipmt``/``ppmt``) is rounded
  cumulatively: instalment *k* gets ``round(exact sum of parts 1..k) − round(sum 1..k−1)``
  for the principal and for the interest. Each part is then within 1 rupiah of the exact
  one and the principal parts end exactly at the principal. The instalment (their sum) is
  within 2 rupiah of ``pmt``, usually within 1: no whole-rupiah schedule can keep all
  three within 1 rupiah (ADR 0004 gives an example).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from koperasi.core.money import Rounding, Rupiah, to_rupiah

MAX_TERM_MONTHS = 360
DAYS_PER_PENALTY_MONTH = 30  # a penalty "per month" is charged per day as 1/30 of the monthly rate


@dataclass(frozen=True)
class ScheduleRow:
    no: int
    due_date: datetime.date
    principal: Rupiah
    interest: Rupiah
    balance: Rupiah  # principal still owed after this instalment

    @property
    def installment(self) -> Rupiah:
        return self.principal + self.interest


def add_months(day: datetime.date, months: int, *, day_of_month: int | None = None) -> datetime.date:
    """Return ``day`` moved ``months`` ahead on ``day_of_month`` (default: its own), clamped to the month's end."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day_of_month or day.day, last))


def due_dates(disbursed_on: datetime.date, term_months: int) -> list[datetime.date]:
    """Return the monthly due dates: the disbursement's day of month, clamped to each month's end."""
    return [add_months(disbursed_on, k, day_of_month=disbursed_on.day) for k in range(1, term_months + 1)]


def monthly_rate(rate_pa: Decimal) -> Decimal:
    return Decimal(rate_pa) / 100 / 12


def _check(principal: int, rate_pa: Decimal, term_months: int) -> None:
    if isinstance(principal, bool) or not isinstance(principal, int) or principal <= 0:
        raise ValueError("principal must be a positive whole rupiah")
    if not 1 <= term_months <= MAX_TERM_MONTHS:
        raise ValueError(f"term must be 1..{MAX_TERM_MONTHS} months")
    if not Decimal(0) <= Decimal(rate_pa) <= Decimal(100):
        raise ValueError("rate must be 0..100 % a year")


def _equal_principal(principal: int, term_months: int) -> list[int]:
    regular = principal // term_months
    return [regular] * (term_months - 1) + [principal - regular * (term_months - 1)]


def _month_interest(balance: int, rate_pa: Decimal) -> Rupiah:
    """Return a month's interest on ``balance``, rounded half up.

    Divided last, so an exact half rupiah stays exact (``balance × monthly_rate`` with the
    rate rounded to 28 digits can land just below the half).
    """
    return to_rupiah(balance * Decimal(rate_pa) / 1200)


def _annuity_parts(principal: int, rate: Decimal, term_months: int) -> list[tuple[int, int]]:
    if rate == 0:
        return [(part, 0) for part in _equal_principal(principal, term_months)]
    payment = principal * rate / (1 - (1 + rate) ** -term_months)
    parts: list[tuple[int, int]] = []
    balance = Decimal(principal)
    exact_principal = exact_interest = Decimal(0)
    paid_principal = paid_interest = 0
    for k in range(1, term_months + 1):
        interest = balance * rate
        balance -= payment - interest
        exact_principal += payment - interest
        exact_interest += interest
        upto_principal = principal if k == term_months else to_rupiah(exact_principal)
        upto_interest = to_rupiah(exact_interest)
        parts.append((upto_principal - paid_principal, upto_interest - paid_interest))
        paid_principal, paid_interest = upto_principal, upto_interest
    return parts


def loan_schedule(
    *, principal: int, rate_pa: Decimal, term_months: int, method: str, disbursed_on: datetime.date
) -> list[ScheduleRow]:
    """Return the monthly schedule of a loan (domain.md §4.3); raises ValueError on impossible terms."""
    _check(principal, rate_pa, term_months)
    if method == "flat":
        interest = _month_interest(principal, rate_pa)
        parts = [(p, interest) for p in _equal_principal(principal, term_months)]
    elif method == "declining":
        parts, balance = [], principal
        for p in _equal_principal(principal, term_months):
            parts.append((p, _month_interest(balance, rate_pa)))
            balance -= p
    elif method == "annuity":
        parts = _annuity_parts(principal, monthly_rate(rate_pa), term_months)
    else:
        raise ValueError(f"unknown method {method!r}")
    rows, balance = [], principal
    for no, (due, (p, i)) in enumerate(zip(due_dates(disbursed_on, term_months), parts, strict=True), start=1):
        balance -= p
        rows.append(ScheduleRow(no=no, due_date=due, principal=p, interest=i, balance=balance))
    return rows


def fee_amount(principal: int, percent: Decimal, fixed: int) -> Rupiah:
    """Return a fee of ``percent`` of the principal plus ``fixed`` rupiah, rounded half up."""
    return to_rupiah(principal * Decimal(percent) / 100) + fixed


def savings_limit(savings_total: int, multiple: Decimal | None) -> Rupiah | None:
    """Return the most a member may borrow as a multiple of their savings (None: no such limit)."""
    if multiple is None:
        return None
    return to_rupiah(savings_total * Decimal(multiple), Rounding.DOWN)


def penalty_basis_points(rate_pm: Decimal) -> int:
    """Return a monthly penalty rate in hundredths of a percent (0.5 % → 50), as the batch stores it."""
    return int(Decimal(rate_pm) * 100)


def penalty_for(unpaid: int, basis_points: int, days: int) -> Rupiah:
    """Return the penalty on ``unpaid`` for ``days`` at ``basis_points`` a month, rounded down.

    The month-end batch computes the same integer formula in SQL (``month_end``).
    """
    if unpaid <= 0 or days <= 0 or basis_points <= 0:
        return 0
    return unpaid * basis_points * days // (DAYS_PER_PENALTY_MONTH * 10_000)


# --- Repayments -------------------------------------------------------------------------------


@dataclass(frozen=True)
class InstallmentState:
    """What an instalment asks and what has been paid of it."""

    no: int
    due_date: datetime.date
    principal_due: int
    interest_due: int
    principal_paid: int = 0
    interest_paid: int = 0
    interest_waived: int = 0
    penalty_accrued: int = 0
    penalty_paid: int = 0

    @property
    def principal_left(self) -> int:
        return self.principal_due - self.principal_paid

    @property
    def interest_left(self) -> int:
        return self.interest_due - self.interest_paid - self.interest_waived

    @property
    def penalty_left(self) -> int:
        return self.penalty_accrued - self.penalty_paid

    @property
    def left(self) -> int:
        return self.principal_left + self.interest_left + self.penalty_left

    @property
    def settled(self) -> bool:
        """Principal and interest are paid (a penalty may still be owed)."""
        return self.principal_left == 0 and self.interest_left == 0


@dataclass(frozen=True)
class Allocation:
    """What one repayment pays of one instalment."""

    no: int
    penalty: int = 0
    interest: int = 0
    principal: int = 0

    @property
    def total(self) -> int:
        return self.penalty + self.interest + self.principal


@dataclass(frozen=True)
class RepaymentSplit:
    allocations: list[Allocation] = field(default_factory=list)
    unapplied: int = 0  # more than the whole loan still asks: the service refuses it

    @property
    def penalty(self) -> int:
        return sum(a.penalty for a in self.allocations)

    @property
    def interest(self) -> int:
        return sum(a.interest for a in self.allocations)

    @property
    def principal(self) -> int:
        return sum(a.principal for a in self.allocations)


def repayment_allocate(installments: Sequence[InstallmentState], amount: int) -> RepaymentSplit:
    """Split ``amount`` over instalments: oldest first; within each, penalty, then interest, then principal.

    Fineract's default strategy (domain.md §11). What is left after the instalments now due
    pays the next ones in the same order (paying ahead); what is left after the last is
    ``unapplied``.
    """
    left = amount
    allocations = []
    for row in sorted(installments, key=lambda r: r.no):
        if left <= 0:
            break
        penalty = min(left, row.penalty_left)
        left -= penalty
        interest = min(left, row.interest_left)
        left -= interest
        principal = min(left, row.principal_left)
        left -= principal
        if penalty or interest or principal:
            allocations.append(Allocation(no=row.no, penalty=penalty, interest=interest, principal=principal))
    return RepaymentSplit(allocations=allocations, unapplied=left)


def apply_allocation(installments: Iterable[InstallmentState], split: RepaymentSplit) -> list[InstallmentState]:
    """Return the instalments after ``split`` is paid (used by tests and the payoff quote)."""
    by_no = {a.no: a for a in split.allocations}
    result = []
    for row in installments:
        a = by_no.get(row.no)
        if a is None:
            result.append(row)
            continue
        result.append(
            replace(
                row,
                penalty_paid=row.penalty_paid + a.penalty,
                interest_paid=row.interest_paid + a.interest,
                principal_paid=row.principal_paid + a.principal,
            )
        )
    return result


@dataclass(frozen=True)
class PayoffQuote:
    """What paying the loan off on ``date`` costs: the current period's interest, not later periods'."""

    date: datetime.date
    principal: int
    interest: int
    penalty: int
    interest_waived: int  # interest of the periods after the current one, not charged
    waived_by_no: dict[int, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty


def payoff_quote(installments: Sequence[InstallmentState], date: datetime.date) -> PayoffQuote:
    """Quote an early payoff on ``date``: all principal, all penalty, interest due up to the period running.

    The period running is the first instalment due after ``date``; its interest is charged in
    full, the interest of every later instalment is waived (ADR 0004). If that instalment
    was paid ahead, nothing more is charged for the period: the next one's interest is waived.
    """
    rows = sorted(installments, key=lambda r: r.no)
    current = next((r.no for r in rows if r.due_date > date), None)
    waived: dict[int, int] = {}
    interest = 0
    for row in rows:
        if current is not None and row.no > current:
            if row.interest_left:
                waived[row.no] = row.interest_left
        else:
            interest += row.interest_left
    return PayoffQuote(
        date=date,
        principal=sum(r.principal_left for r in rows),
        interest=interest,
        penalty=sum(r.penalty_left for r in rows),
        interest_waived=sum(waived.values()),
        waived_by_no=waived,
    )


# --- Arrears, collectibility, allowance ------------------------------------------------------


def days_past_due(installments: Iterable[InstallmentState], date: datetime.date) -> int:
    """Return the days since the oldest instalment due on or before ``date`` with principal or interest unpaid."""
    overdue = [r.due_date for r in installments if r.due_date < date and not r.settled]
    return (date - min(overdue)).days if overdue else 0


@dataclass(frozen=True)
class ClassRules:
    """Collectibility thresholds in days past due and allowance rates in percent (domain.md §11)."""

    kurang_lancar_after: int = 90  # lancar up to this many days
    diragukan_after: int = 180
    macet_after: int = 360
    rate_lancar: Decimal = Decimal("0.5")
    rate_kurang_lancar: Decimal = Decimal("10")
    rate_diragukan: Decimal = Decimal("50")
    rate_macet: Decimal = Decimal("100")

    def rate(self, collectibility: str) -> Decimal:
        return Decimal(getattr(self, f"rate_{collectibility}"))


DEFAULT_RULES = ClassRules()
CLASSES = ("lancar", "kurang_lancar", "diragukan", "macet")


def collectibility_for(dpd: int, rules: ClassRules = DEFAULT_RULES) -> str:
    """Return the class of a loan ``dpd`` days past due (domain.md §4.1 in days, §11 thresholds)."""
    if dpd > rules.macet_after:
        return "macet"
    if dpd > rules.diragukan_after:
        return "diragukan"
    if dpd > rules.kurang_lancar_after:
        return "kurang_lancar"
    return "lancar"


def allowance_required(outstanding_by_class: dict[str, int], rules: ClassRules = DEFAULT_RULES) -> dict[str, Rupiah]:
    """Return the required allowance (PPAP) per class: rate × outstanding principal, rounded half up."""
    return {c: to_rupiah(outstanding_by_class.get(c, 0) * rules.rate(c) / 100) for c in CLASSES}


AGING_BUCKETS = ((0, 0, "0"), (1, 30, "1–30"), (31, 90, "31–90"), (91, 180, "91–180"), (181, 360, "181–360"))


def aging_bucket(dpd: int) -> str:
    """Return the aging label of a loan ``dpd`` days past due."""
    for low, high, label in AGING_BUCKETS:
        if low <= dpd <= high:
            return label
    return "> 360"
