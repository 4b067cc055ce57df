"""Reads of loans: settings and products in force, loans and their position, what a member owes.

Reports over the portfolio (collectibility, aging, arrears, due this week) are in
``reports``. The "live" position (days past due, collectibility, amount due) is computed
from the schedule as of a date; the month-end figures stored on the loan are those the
allowance was posted from.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet, Sum
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound
from koperasi.core.money import format_rupiah
from koperasi.ledger import selectors as ledger_selectors
from koperasi.loans import calculations
from koperasi.loans.calculations import ClassRules, InstallmentState, PayoffQuote
from koperasi.loans.choices import LoanStatus
from koperasi.loans.models import Loan, LoanInstallment, LoanMonthEnd, LoanProduct, LoanSetting, LoanTransaction
from koperasi.savings.calculations import Obligation
from koperasi.savings.selectors import FAR_FUTURE

OPEN_STATUSES = (LoanStatus.APPLIED, LoanStatus.APPROVED, LoanStatus.ACTIVE)


@dataclass(frozen=True)
class SettingValues:
    approval_limit: int
    rules: ClassRules
    effective_from: datetime.date | None


DEFAULT_APPROVAL_LIMIT = 10_000_000


def _values(row: LoanSetting | None) -> SettingValues:
    if row is None:
        return SettingValues(DEFAULT_APPROVAL_LIMIT, calculations.DEFAULT_RULES, None)
    return SettingValues(
        approval_limit=row.approval_limit,
        rules=ClassRules(
            kurang_lancar_after=row.kurang_lancar_after,
            diragukan_after=row.diragukan_after,
            macet_after=row.macet_after,
            rate_lancar=row.rate_lancar,
            rate_kurang_lancar=row.rate_kurang_lancar,
            rate_diragukan=row.rate_diragukan,
            rate_macet=row.rate_macet,
        ),
        effective_from=row.effective_from,
    )


def loan_setting_in_force(*, cooperative: Cooperative, day: datetime.date) -> SettingValues:
    """Return the loan settings in force on ``day`` (domain.md §11 defaults when none is set)."""
    row = (
        LoanSetting.objects.filter(cooperative=cooperative, effective_from__lte=day).order_by("-effective_from").first()
    )
    return _values(row)


def loan_setting_list(*, cooperative: Cooperative) -> QuerySet[LoanSetting]:
    """Return the cooperative's loan settings, newest first."""
    return LoanSetting.objects.filter(cooperative=cooperative).order_by("-effective_from")


def loan_product_list(*, cooperative: Cooperative, active_only: bool = False) -> QuerySet[LoanProduct]:
    """Return the cooperative's loan products by name."""
    products = LoanProduct.objects.filter(cooperative=cooperative)
    return products.filter(is_active=True) if active_only else products


def loan_product_get(*, cooperative: Cooperative, product_id: Any) -> LoanProduct:
    """Return one product of the cooperative. Raises NotFound."""
    product = _by_id(LoanProduct.objects.filter(cooperative=cooperative), product_id)
    if product is None:
        raise NotFound("Produk pinjaman tidak ditemukan.")
    return product


def _by_id(queryset: QuerySet[Any], object_id: Any) -> Any:
    if isinstance(object_id, bool) or not isinstance(object_id, int) or not 0 < object_id < 2**63:
        return None
    return queryset.filter(pk=object_id).first()


def loan_get(*, cooperative: Cooperative, loan_id: Any) -> Loan:
    """Return one loan of the cooperative with its member and product. Raises NotFound."""
    loan = _by_id(Loan.objects.filter(cooperative=cooperative).select_related("member", "product"), loan_id)
    if loan is None:
        raise NotFound("Pinjaman tidak ditemukan.")
    return loan


def loan_by_number(*, cooperative: Cooperative, number: str) -> Loan | None:
    """Return the loan numbered ``PJ-00012`` or ``12``, if any."""
    digits = number.strip().upper().removeprefix("PJ-").removeprefix("PJ").lstrip("0")
    if not digits.isdigit() or len(digits) > 9:
        return None
    return Loan.objects.filter(cooperative=cooperative, loan_no=int(digits)).select_related("member").first()


def loan_list(*, cooperative: Cooperative, status: str = "", member: Any = None, query: str = "") -> QuerySet[Loan]:
    """Return the cooperative's loans, newest first, filtered by status, member or a search text."""
    loans = Loan.objects.filter(cooperative=cooperative).select_related("member", "product")
    if status:
        loans = loans.filter(status=status)
    if member is not None:
        loans = loans.filter(member=member)
    query = query.strip()
    if query:
        found = loan_by_number(cooperative=cooperative, number=query)
        loans = loans.filter(pk=found.pk) if found else loans.filter(member__name__icontains=query)
    return loans


def installment_states(rows: Any) -> list[InstallmentState]:
    """Return the pure view of instalment rows (model objects or ``values()`` dicts)."""
    fields = ("no", "due_date", "principal_due", "interest_due", "principal_paid", "interest_paid")
    more = ("interest_waived", "penalty_accrued", "penalty_paid")
    states = []
    for row in rows:
        get = row.get if isinstance(row, dict) else row.__getattribute__
        values: dict[str, Any] = {name: get(name) for name in (*fields, *more)}
        states.append(InstallmentState(**values))
    return states


def loan_installments(*, loan: Loan) -> list[LoanInstallment]:
    """Return the loan's schedule rows in order."""
    return list(LoanInstallment.objects.filter(cooperative_id=loan.cooperative_id, loan=loan).order_by("no"))


@dataclass(frozen=True)
class LoanPosition:
    """Where a loan stands on a date, computed from its schedule."""

    date: datetime.date
    days_past_due: int
    collectibility: str
    overdue: int  # principal + interest + penalty of instalments due before ``date``
    due_now: int  # ``overdue`` plus what falls due on ``date``
    next_due_date: datetime.date | None
    next_installment: int
    payoff: PayoffQuote | None
    remaining: int  # everything the schedule still asks, future interest included


def penalties_pending(*, loan: Loan, rows: list[LoanInstallment], day: datetime.date) -> dict[int, int]:
    """Return, per instalment no., the penalty run up since it was last charged, to ``day``.

    The services charge it at the next payment (``services._accrue_penalties``) and the
    month-end batch at the month's end; a quote made before then must include it.
    """
    basis_points = calculations.penalty_basis_points(loan.penalty_rate_pm)
    pending = {}
    for row in rows:
        if row.settled or row.penalty_from >= day:
            continue
        unpaid = row.principal_due - row.principal_paid + row.interest_due - row.interest_paid - row.interest_waived
        amount = calculations.penalty_for(unpaid, basis_points, (day - row.penalty_from).days)
        if amount:
            pending[row.no] = amount
    return pending


def loan_position(
    *, loan: Loan, day: datetime.date | None = None, rows: list[LoanInstallment] | None = None
) -> LoanPosition:
    """Return the loan's days past due, class, amounts due and payoff quote on ``day`` (default today).

    Penalties run up since they were last charged count as owed (as a payment on ``day`` would charge them).
    """
    day = day or timezone.localdate()
    rows = rows if rows is not None else loan_installments(loan=loan)
    states = installment_states(rows)
    active = loan.status == LoanStatus.ACTIVE
    if active and (pending := penalties_pending(loan=loan, rows=rows, day=day)):
        states = [replace(s, penalty_accrued=s.penalty_accrued + pending.get(s.no, 0)) for s in states]
    rules = loan_setting_in_force(cooperative=loan.cooperative, day=day).rules
    dpd = calculations.days_past_due(states, day) if active else 0
    upcoming = [s for s in states if s.due_date > day and s.left > 0]
    return LoanPosition(
        date=day,
        days_past_due=dpd,
        collectibility=calculations.collectibility_for(dpd, rules),
        overdue=sum(s.left for s in states if s.due_date < day),
        due_now=sum(s.left for s in states if s.due_date <= day),
        next_due_date=upcoming[0].due_date if upcoming else None,
        next_installment=upcoming[0].left if upcoming else 0,
        payoff=calculations.payoff_quote(states, day) if active else None,
        remaining=sum(s.left for s in states),
    )


def loan_transactions(*, loan: Loan) -> QuerySet[LoanTransaction]:
    """Return the loan's money movements in date order."""
    return LoanTransaction.objects.filter(cooperative_id=loan.cooperative_id, loan=loan).select_related("journal_entry")


def loan_transaction_get(*, cooperative: Cooperative, txn_id: Any) -> LoanTransaction:
    """Return one loan transaction of the cooperative. Raises NotFound."""
    txn = _by_id(LoanTransaction.objects.filter(cooperative=cooperative).select_related("loan__member"), txn_id)
    if txn is None:
        raise NotFound("Transaksi pinjaman tidak ditemukan.")
    return txn


def month_end_list(*, cooperative: Cooperative) -> QuerySet[LoanMonthEnd]:
    """Return the cooperative's month-end runs, newest first."""
    return LoanMonthEnd.objects.filter(cooperative=cooperative).order_by("-date")


@dataclass(frozen=True)
class ReconcileRow:
    account_code: str
    ledger_balance: int  # debit − credit of the loan receivable
    outstanding: int  # Σ outstanding principal of active loans

    @property
    def difference(self) -> int:
        return self.ledger_balance - self.outstanding


def loans_reconcile(*, cooperative: Cooperative) -> ReconcileRow:
    """Compare the ledger's loan receivable with the sum of the active loans' outstanding principal."""
    account = ledger_selectors.account_for_role(cooperative=cooperative, role="loan_receivable")
    debit, credit = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=FAR_FUTURE).get(
        account.pk, (0, 0)
    )
    outstanding = (
        Loan.objects.filter(cooperative=cooperative, status=LoanStatus.ACTIVE).aggregate(
            s=Sum("outstanding_principal")
        )["s"]
        or 0
    )
    return ReconcileRow(account_code=account.code, ledger_balance=debit - credit, outstanding=outstanding)


def member_loan_obligations(member: Any) -> list[Obligation]:
    """Return what a leaving member owes on loans: each open loan blocks the exit (savings.obligations)."""
    obligations = []
    today = timezone.localdate()
    for loan in Loan.objects.filter(cooperative_id=member.cooperative_id, member=member, status__in=OPEN_STATUSES):
        if loan.status == LoanStatus.ACTIVE:
            amount = loan_position(loan=loan, day=today).payoff.total  # type: ignore[union-attr]
            reason = (
                f"Pinjaman {loan.number} masih berjalan (pelunasan hari ini {format_rupiah(amount)}); "
                "lunasi dulu sebelum keluar."
            )
        else:
            amount = 0
            reason = f"Pengajuan pinjaman {loan.number} masih terbuka; tolak atau batalkan dulu."
        obligations.append(
            Obligation(
                label=f"Pinjaman {loan.number}",
                amount=amount,
                ledger_role="loan_receivable",
                blocks_exit=True,
                reason=reason,
            )
        )
    return obligations
