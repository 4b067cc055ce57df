"""Reads of savings: rules in force, balances, statements, wajib bills and arrears, reconciliation.

Every selector takes ``cooperative``; another cooperative's member is "not found".
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet, Sum

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import Rupiah
from koperasi.ledger import selectors as ledger_selectors
from koperasi.members.choices import CURRENT_STATUSES
from koperasi.members.models import Member
from koperasi.savings import calculations, obligations
from koperasi.savings.calculations import BillStatus, ExitQuote, SettingValues
from koperasi.savings.choices import LEDGER_ROLE, SavingsKind, TxnType
from koperasi.savings.models import SavingsAccount, SavingsSetting, SavingsTransaction, WajibBill


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
    """Return each account's lowest balance in ``month`` (its opening balance or any balance after).

    Two queries whatever the number of accounts: the last balance before the month and the
    balances within it.
    """
    start, end = calculations.month_start(month), calculations.month_end(month)
    ids = [a.pk for a in accounts]
    opening: dict[int, Rupiah] = dict.fromkeys(ids, 0)
    # The newest transaction before the month holds the opening balance.
    latest: dict[int, tuple[datetime.date, int, Rupiah]] = {}
    for account_id, date, pk, balance_after in (
        SavingsTransaction.objects.filter(cooperative=cooperative, account_id__in=ids, date__lt=start)
        .values_list("account_id", "date", "id", "balance_after")
        .iterator(chunk_size=5000)
    ):
        if account_id not in latest or (date, pk) > latest[account_id][:2]:
            latest[account_id] = (date, pk, balance_after)
    for account_id, (_, _, balance) in latest.items():
        opening[account_id] = balance
    within: dict[int, list[Rupiah]] = defaultdict(list)
    for account_id, balance_after in SavingsTransaction.objects.filter(
        cooperative=cooperative, account_id__in=ids, date__gte=start, date__lte=end
    ).values_list("account_id", "balance_after"):
        within[account_id].append(balance_after)
    return {pk: calculations.month_minimum_balance(opening[pk], within.get(pk, [])) for pk in ids}


# --- Wajib bills ------------------------------------------------------------------------------
def wajib_bills(*, cooperative: Cooperative, member: Member) -> list[BillStatus]:
    """Return the member's wajib bills, oldest first, each with what the deposits have paid."""
    bills = list(
        WajibBill.objects.filter(cooperative=cooperative, member=member).values_list("month", "amount", "due_on")
    )
    paid = (
        SavingsTransaction.objects.filter(
            cooperative=cooperative, member=member, kind=SavingsKind.WAJIB, type=TxnType.SETOR
        ).aggregate(s=Sum("amount"))["s"]
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
            cooperative=cooperative, kind=SavingsKind.WAJIB, type=TxnType.SETOR, member_id__in=list(bills)
        )
        .values("member_id")
        .annotate(s=Sum("amount"))
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
