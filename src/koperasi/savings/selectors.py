"""Reads of savings: rules in force, balances, statements, wajib bills and arrears, reconciliation.

Every selector takes ``cooperative``; another cooperative's member is "not found".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, QuerySet, Sum, When

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import Rupiah
from koperasi.ledger import selectors as ledger_selectors
from koperasi.members.choices import CURRENT_STATUSES
from koperasi.members.models import Member
from koperasi.savings import calculations, obligations
from koperasi.savings.calculations import BillStatus, ExitQuote, SettingValues
from koperasi.savings.choices import CREDIT_TYPES, LEDGER_ROLE, SavingsKind, TxnType
from koperasi.savings.models import SavingsAccount, SavingsSetting, SavingsTransaction, WajibBill

# A transaction's effect on its balance: deposits and interest add, the rest take away.
SIGNED_AMOUNT = Case(
    When(type__in=sorted(CREDIT_TYPES), then=F("amount")), default=-F("amount"), output_field=IntegerField()
)


# What pays wajib bills: deposits, minus corrections of deposits (a wajib "tarik" is only ever
# a correction: wajib cannot be withdrawn). The exit refund is not a payment.
WAJIB_PAYING_TYPES = (TxnType.SETOR, TxnType.TARIK)


def _values(row: SavingsSetting) -> SettingValues:
    return SettingValues(
        effective_from=row.effective_from,
        pokok_amount=row.pokok_amount,
        wajib_amount=row.wajib_amount,
        wajib_due_day=row.wajib_due_day,
        sukarela_rate_pa=row.sukarela_rate_pa,
        sukarela_min_balance=row.sukarela_min_balance,
        transaction_limit=row.transaction_limit,
    )


def savings_setting_in_force(*, cooperative: Cooperative, day: datetime.date) -> SettingValues:
    """Return the savings rules in force on ``day`` (the defaults of domain.md §11 if none set)."""
    row = (
        SavingsSetting.objects.filter(cooperative=cooperative, effective_from__lte=day)
        .order_by("-effective_from")
        .first()
    )
    return _values(row) if row is not None else calculations.DEFAULT_SETTING


def savings_setting_list(*, cooperative: Cooperative) -> QuerySet[SavingsSetting]:
    """Return every settings row, newest first."""
    return SavingsSetting.objects.filter(cooperative=cooperative).select_related("created_by")


def savings_balances(*, cooperative: Cooperative, member: Member) -> dict[str, Rupiah]:
    """Return ``{"pokok", "wajib", "sukarela", "total"}`` for the member (zeros for unopened kinds)."""
    if member.cooperative_id != cooperative.pk:
        return dict.fromkeys((*SavingsKind.values, "total"), 0)
    balances = dict.fromkeys(SavingsKind.values, 0)
    for kind, balance in SavingsAccount.objects.filter(cooperative=cooperative, member=member).values_list(
        "kind", "balance"
    ):
        balances[kind] = balance
    balances["total"] = sum(balances.values())
    return balances


def savings_transactions(*, cooperative: Cooperative, member: Member, kind: str = "") -> QuerySet[SavingsTransaction]:
    """Return the member's transactions (of one kind if given), oldest first, with entry numbers."""
    qs = SavingsTransaction.objects.filter(cooperative=cooperative, member=member).select_related(
        "journal_entry", "created_by"
    )
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("date", "id")


def savings_transaction_get(*, cooperative: Cooperative, txn_id: int) -> SavingsTransaction | None:
    """Return one transaction of the cooperative with its member and entry, or None."""
    return (
        SavingsTransaction.objects.select_related("member", "journal_entry", "created_by")
        .filter(cooperative=cooperative, pk=txn_id)
        .first()
    )


def month_minimum_balances(
    *, cooperative: Cooperative, month: datetime.date, accounts: Sequence[SavingsAccount]
) -> dict[int, Rupiah]:
    """Return each sukarela account's lowest balance in ``month``, replaying its movements in date order.

    Two queries whatever the number of accounts: the balance before the month (a sum) and
    the month's movements. Amounts, not ``balance_after``, so a back-dated entry counts on
    its own date.
    """
    start, end = calculations.month_start(month), calculations.month_end(month)
    sukarela = SavingsTransaction.objects.filter(cooperative=cooperative, kind=SavingsKind.SUKARELA)
    opening = dict(
        sukarela.filter(date__lt=start)
        .values("account_id")
        .annotate(s=Sum(SIGNED_AMOUNT))
        .values_list("account_id", "s")
    )
    movements: dict[int, list[Rupiah]] = defaultdict(list)
    for account_id, amount, txn_type in (
        sukarela.filter(date__gte=start, date__lte=end)
        .order_by("date", "id")
        .values_list("account_id", "amount", "type")
    ):
        movements[account_id].append(amount if txn_type in CREDIT_TYPES else -amount)
    return {a.pk: calculations.month_minimum_balance(opening.get(a.pk) or 0, movements.get(a.pk, [])) for a in accounts}


# --- Wajib bills ------------------------------------------------------------------------------
def wajib_bills(*, cooperative: Cooperative, member: Member) -> list[BillStatus]:
    """Return the member's wajib bills, oldest first, each with what the deposits have paid."""
    bills = list(
        WajibBill.objects.filter(cooperative=cooperative, member=member).values_list("month", "amount", "due_on")
    )
    paid = (
        SavingsTransaction.objects.filter(
            cooperative=cooperative, member=member, kind=SavingsKind.WAJIB, type__in=WAJIB_PAYING_TYPES
        ).aggregate(s=Sum(SIGNED_AMOUNT))["s"]
        or 0
    )
    return calculations.wajib_bill_status(bills, paid)


@dataclass(frozen=True)
class Arrears:
    """A member behind on simpanan wajib."""

    member: Member
    months: int  # bills due and not fully paid
    amount: Rupiah  # what is due and unpaid
    oldest: datetime.date  # the month of the oldest unpaid bill


def wajib_arrears(*, cooperative: Cooperative, today: datetime.date) -> list[Arrears]:
    """Return every current member with wajib bills due by ``today`` and unpaid, most owed first.

    Three queries whatever the number of members.
    """
    bills: dict[int, list[tuple[datetime.date, Rupiah, datetime.date]]] = defaultdict(list)
    for member_id, month, amount, due_on in WajibBill.objects.filter(
        cooperative=cooperative, member__status__in=CURRENT_STATUSES
    ).values_list("member_id", "month", "amount", "due_on"):
        bills[member_id].append((month, amount, due_on))
    paid = dict(
        SavingsTransaction.objects.filter(
            cooperative=cooperative, kind=SavingsKind.WAJIB, type__in=WAJIB_PAYING_TYPES, member_id__in=list(bills)
        )
        .values("member_id")
        .annotate(s=Sum(SIGNED_AMOUNT))
        .values_list("member_id", "s")
    )
    late: dict[int, tuple[int, Rupiah, datetime.date]] = {}
    for member_id, member_bills in bills.items():
        status = calculations.wajib_bill_status(member_bills, paid.get(member_id, 0))
        overdue = [b for b in status if not b.is_paid and b.due_on < today]
        if overdue:
            late[member_id] = (len(overdue), sum(b.outstanding for b in overdue), overdue[0].month)
    members = Member.objects.filter(pk__in=list(late)).select_related("kelurahan")
    rows = [Arrears(member=m, months=late[m.pk][0], amount=late[m.pk][1], oldest=late[m.pk][2]) for m in members]
    return sorted(rows, key=lambda r: (-r.amount, r.member.member_no))


# --- Leaving ----------------------------------------------------------------------------------
def member_exit_quote(
    *, cooperative: Cooperative, member: Member, accounts: Sequence[SavingsAccount] | None = None
) -> ExitQuote:
    """Return what ending the membership would refund, offset and pay out (shown before confirming)."""
    if accounts is None:
        accounts = list(SavingsAccount.objects.filter(cooperative=cooperative, member=member))
    balances = dict.fromkeys(SavingsKind.values, 0)
    for account in accounts:
        balances[account.kind] = account.balance
    return ExitQuote(balances=balances, obligations=obligations.obligations_for(member))


# --- Control accounts -------------------------------------------------------------------------
FAR_FUTURE = datetime.date(9999, 1, 1)  # "every posting"; date.max overflows month arithmetic


@dataclass(frozen=True)
class ReconcileRow:
    kind: str
    account_code: str
    ledger_balance: Rupiah  # the control account in the books
    members_balance: Rupiah  # the sum of the members' accounts

    @property
    def difference(self) -> Rupiah:
        return self.ledger_balance - self.members_balance


def savings_reconcile(*, cooperative: Cooperative) -> list[ReconcileRow]:
    """Compare each savings control account with the sum of the members' balances.

    A difference means savings were booked by a manual journal (or an opening balance)
    without a member; the bendahara should move them to members' accounts.
    """
    totals = dict(
        SavingsAccount.objects.filter(cooperative=cooperative)
        .values("kind")
        .annotate(s=Sum("balance"))
        .values_list("kind", "s")
    )
    ledger_totals = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=FAR_FUTURE)
    rows = []
    for kind in SavingsKind.values:
        account = ledger_selectors.account_for_role(cooperative=cooperative, role=LEDGER_ROLE[SavingsKind(kind)])
        debit, credit = ledger_totals.get(account.pk, (0, 0))
        ledger_balance = credit - debit
        rows.append(
            ReconcileRow(
                kind=kind,
                account_code=account.code,
                ledger_balance=ledger_balance,
                members_balance=totals.get(kind) or 0,
            )
        )
    return rows


# --- pages
# Imports of this section stay here so sections appended by different changes do not collide.
from django.db.models import Count  # noqa: E402

from koperasi.savings.models import InterestRun  # noqa: E402


@dataclass(frozen=True)
class KindTotal:
    """The cooperative's savings of one kind: how many member accounts and their sum."""

    kind: str
    accounts: int
    balance: Rupiah

    @property
    def label(self) -> str:
        return str(SavingsKind(self.kind).label)


def savings_kind_totals(*, cooperative: Cooperative) -> list[KindTotal]:
    """Return the number of accounts and the sum of balances per kind, pokok first (one query)."""
    found = {
        kind: (accounts, balance or 0)
        for kind, accounts, balance in SavingsAccount.objects.filter(cooperative=cooperative)
        .values("kind")
        .annotate(n=Count("id"), s=Sum("balance"))
        .values_list("kind", "n", "s")
    }
    return [KindTotal(kind, *found.get(kind, (0, 0))) for kind in SavingsKind.values]


@dataclass(frozen=True)
class DaySummary:
    """The savings transactions of one day: cash in (setoran), cash out (penarikan and refunds)."""

    count: int
    deposits: Rupiah
    withdrawals: Rupiah
    interest: Rupiah


def savings_day_summary(*, cooperative: Cooperative, day: datetime.date) -> DaySummary:
    """Return how many savings transactions ``day`` holds and their sums by direction (one query).

    Deposits are setoran; withdrawals are penarikan and exit refunds (money paid out);
    interest credits are counted and summed apart.
    """
    by_type = {
        txn_type: (n, s or 0)
        for txn_type, n, s in SavingsTransaction.objects.filter(cooperative=cooperative, date=day)
        .values("type")
        .annotate(n=Count("id"), s=Sum("amount"))
        .values_list("type", "n", "s")
    }
    return DaySummary(
        count=sum(n for n, _ in by_type.values()),
        deposits=by_type.get(TxnType.SETOR, (0, 0))[1],
        withdrawals=by_type.get(TxnType.TARIK, (0, 0))[1] + by_type.get(TxnType.PENGEMBALIAN, (0, 0))[1],
        interest=by_type.get(TxnType.BUNGA, (0, 0))[1],
    )


def interest_run_list(*, cooperative: Cooperative) -> QuerySet[InterestRun]:
    """Return the month-end interest runs, newest month first, with their first journal entry."""
    return (
        InterestRun.objects.filter(cooperative=cooperative)
        .select_related("journal_entry", "created_by")
        .order_by("-month")
    )


def interest_run_get(*, cooperative: Cooperative, month: datetime.date) -> InterestRun | None:
    """Return the interest run of ``month`` (any day of it), or None if the month is not paid yet."""
    return InterestRun.objects.filter(cooperative=cooperative, month=calculations.month_start(month)).first()


# --- member portal
@dataclass(frozen=True)
class WajibSummary:
    """A member's wajib bills (portal and member page): newest first, with what is paid and unpaid."""

    bills: list[BillStatus]  # newest month first
    outstanding: Rupiah  # issued and not yet paid, due or not
    overdue: int  # bills past their due date and not fully paid
    overdue_amount: Rupiah

    @property
    def unpaid(self) -> int:
        return sum(1 for b in self.bills if not b.is_paid)

    @property
    def months(self) -> int:
        return len(self.bills)

    @property
    def paid_months(self) -> int:
        return self.months - self.unpaid

    @property
    def billed(self) -> Rupiah:
        return sum(b.amount for b in self.bills)

    @property
    def paid(self) -> Rupiah:
        return sum(b.paid for b in self.bills)


def wajib_summary(*, cooperative: Cooperative, member: Member, today: datetime.date) -> WajibSummary:
    """Return the member's wajib bills newest first with the unpaid and overdue totals (two queries)."""
    bills = wajib_bills(cooperative=cooperative, member=member)
    late = [b for b in bills if not b.is_paid and b.due_on < today]
    return WajibSummary(
        bills=bills[::-1],
        outstanding=sum(b.outstanding for b in bills),
        overdue=len(late),
        overdue_amount=sum(b.outstanding for b in late),
    )


# --- a member's own wajib ---------------------------------------------------------------------
def wajib_amount_for(*, cooperative: Cooperative, member: Member, day: datetime.date) -> tuple[Rupiah | None, Rupiah]:
    """Return the member's own monthly wajib (None if they follow the settings) and the amount billed."""
    own = (
        SavingsAccount.objects.filter(cooperative=cooperative, member=member, kind=SavingsKind.WAJIB)
        .values_list("wajib_amount", flat=True)
        .first()
    )
    return own, own or savings_setting_in_force(cooperative=cooperative, day=day).wajib_amount


# --- corrections -------------------------------------------------------------------------------
def savings_correction_of(*, cooperative: Cooperative, txn: SavingsTransaction) -> SavingsTransaction | None:
    """Return the transaction that corrected ``txn``, if any."""
    return (
        SavingsTransaction.objects.select_related("journal_entry").filter(cooperative=cooperative, reverses=txn).first()
    )
