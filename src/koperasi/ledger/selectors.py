"""Reads of the books: accounts, balances and the statements a RAT needs (domain.md §8.1).

Balances come from ``AccountMonthTotal`` / ``AccountDayTotal`` (kept by the posting
trigger), so a statement reads O(accounts × months) rows, never every journal line.
Only the general ledger, the journal list and the cash-flow statement read lines, and
only those inside the requested date range.

Signs: a ``balance`` is ``debit − credit`` (positive = debit balance). Statements show
amounts in the account type's natural sign: assets and expenses ``debit − credit``;
liabilities, equity and income ``credit − debit``. A contra account (the allowance for
loan losses) therefore shows as a negative asset, as on a real balance sheet.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Min, Q, Sum

from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.ledger.choices import YEAR_CLOSE_SOURCE, AccountType, CashFlowGroup, ReopenStatus
from koperasi.ledger.models import (
    Account,
    AccountDayTotal,
    AccountMonthTotal,
    JournalEntry,
    JournalLine,
    Period,
    PeriodReopenRequest,
)
from koperasi.ledger.periods import month_start, range_parts

DEBIT_NATURAL = {AccountType.ASSET, AccountType.EXPENSE}
MAX_RANGE_DAYS = 366 * 10


# --- Accounts -------------------------------------------------------------------------------
def account_list(*, cooperative: Cooperative) -> list[Account]:
    """Return the cooperative's chart in code order, with ``depth`` set for indenting."""
    accounts = list(Account.objects.filter(cooperative=cooperative).select_related("business_unit").order_by("code"))
    by_id = {a.pk: a for a in accounts}
    for account in accounts:
        depth, parent_id = 0, account.parent_id
        while parent_id is not None and depth < 10:
            depth, parent_id = depth + 1, by_id[parent_id].parent_id
        account.depth = depth  # type: ignore[attr-defined]
    return accounts


def account_get(*, cooperative: Cooperative, code: str) -> Account:
    """Return the cooperative's account with ``code``. Raises NotFound."""
    account = Account.objects.filter(cooperative=cooperative, code=code).first()
    if account is None:
        raise NotFound(f"Akun {code} tidak ditemukan.")
    return account


def account_for_role(*, cooperative: Cooperative, role: str) -> Account:
    """Return the account the system uses for ``role`` (e.g. "cash"). Raises Conflict if unset."""
    account = Account.objects.filter(cooperative=cooperative, role=role).first()
    if account is None:
        raise Conflict(f"Bagan akun belum memiliki akun untuk peran '{role}'.", code="account_role_missing")
    return account


def entry_by_number(*, cooperative: Cooperative, seq: int) -> JournalEntry | None:
    """Return the cooperative's entry with journal number ``seq`` (posted or not), if any."""
    return JournalEntry.objects.filter(cooperative=cooperative, seq=seq).first()


def journal_source_types(*, cooperative: Cooperative) -> list[str]:
    """Return the distinct sources (manual, opening_balance, ...) of the cooperative's posted entries."""
    return list(
        JournalEntry.objects.filter(cooperative=cooperative, is_posted=True)
        .order_by()
        .values_list("source_type", flat=True)
        .distinct()
    )


def first_entry_date(*, cooperative: Cooperative) -> datetime.date | None:
    """Return the date of the cooperative's earliest posted entry, or None for empty books."""
    return JournalEntry.objects.filter(cooperative=cooperative, is_posted=True).aggregate(first=Min("date"))["first"]


def has_entries_before(*, cooperative: Cooperative, day: datetime.date) -> bool:
    """Return whether anything is posted dated before ``day``."""
    return JournalEntry.objects.filter(cooperative=cooperative, is_posted=True, date__lt=day).exists()


def entry_get(*, cooperative: Cooperative, entry_id: int) -> JournalEntry:
    """Return a posted entry of the cooperative with its lines. Raises NotFound."""
    entry = (
        JournalEntry.objects.filter(cooperative=cooperative, pk=entry_id, is_posted=True)
        .select_related("created_by", "reverses")
        .prefetch_related("lines__account", "lines__business_unit", "reversals")
        .first()
    )
    if entry is None:
        raise NotFound("Jurnal tidak ditemukan.")
    return entry


# --- Periods ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PeriodRow:
    month: datetime.date
    period: Period | None  # None: never closed, so open
    pending: PeriodReopenRequest | None

    @property
    def is_closed(self) -> bool:
        return bool(self.period and self.period.is_closed)


def period_list(*, cooperative: Cooperative, today: datetime.date) -> list[PeriodRow]:
    """Return every month from the first posting (or recorded period) to this month, newest first (3 queries)."""
    this_month = month_start(today)
    first_posting = JournalEntry.objects.filter(cooperative=cooperative, is_posted=True).aggregate(first=Min("date"))[
        "first"
    ]
    periods = {
        p.month: p
        for p in Period.objects.filter(cooperative=cooperative, month__lte=this_month).select_related("closed_by")
    }
    pending = {
        r.period.month: r
        for r in PeriodReopenRequest.objects.filter(
            cooperative=cooperative, status=ReopenStatus.PENDING
        ).select_related("period", "requested_by")
    }
    month = this_month
    first = min([this_month, *periods, *([month_start(first_posting)] if first_posting else [])])
    rows = []
    while month >= first:
        rows.append(PeriodRow(month, periods.get(month), pending.get(month)))
        month = month_start(month - datetime.timedelta(days=1))
    return rows


def reopen_request_get(*, cooperative: Cooperative, request_id: int) -> PeriodReopenRequest:
    """Return the cooperative's reopen request with its period and people. Raises NotFound."""
    request = (
        PeriodReopenRequest.objects.filter(cooperative=cooperative, pk=request_id)
        .select_related("period", "requested_by", "approved_by")
        .first()
    )
    if request is None:
        raise NotFound("Permintaan tidak ditemukan.")
    return request


# --- Totals ---------------------------------------------------------------------------------
Totals = dict[int, tuple[int, int]]  # account_id -> (debit, credit)
UnitTotals = dict[tuple[int, int], tuple[int, int]]  # (account_id, unit_id) -> (debit, credit)


def _check_range(start: datetime.date | None, end: datetime.date) -> None:
    if start is not None and start > end:
        raise ValidationError.for_field("from", "Tanggal awal tidak boleh setelah tanggal akhir.")
    if start is not None and (end - start).days > MAX_RANGE_DAYS:
        raise ValidationError.for_field("from", "Rentang tanggal paling lama 10 tahun.")


def unit_totals_between(*, cooperative: Cooperative, start: datetime.date | None, end: datetime.date) -> UnitTotals:
    """Return posted debits and credits per (account, unit) dated in ``[start, end]`` (two queries)."""
    parts = range_parts(start, end)
    totals: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    month_filter = Q()
    if parts.months_before is not None:
        month_filter |= Q(month__lt=parts.months_before)
    if parts.months is not None:
        month_filter |= Q(month__gte=parts.months[0], month__lte=parts.months[1])
    queries: list[Any] = []
    if month_filter:
        queries.append(AccountMonthTotal.objects.filter(month_filter, cooperative=cooperative))
    if parts.day_ranges:
        day_filter = Q()
        for first, last in parts.day_ranges:
            day_filter |= Q(date__gte=first, date__lte=last)
        queries.append(AccountDayTotal.objects.filter(day_filter, cooperative=cooperative))
    for query in queries:
        for account_id, unit_id, debit, credit in (
            query.values("account_id", "unit_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
            .values_list("account_id", "unit_id", "d", "c")
        ):
            row = totals[(account_id, unit_id)]
            row[0] += debit
            row[1] += credit
    return {key: (d, c) for key, (d, c) in totals.items()}


def operating_unit_totals_between(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> UnitTotals:
    """Return ``unit_totals_between`` without the year-end close's entries (and their reversals).

    The income statement and the close itself read these: a closing entry moves a year's
    income and expense to equity; it is neither. Closing entries fall on 31 December, so
    this costs one small extra query.
    """
    totals = {
        key: list(value) for key, value in unit_totals_between(cooperative=cooperative, start=start, end=end).items()
    }
    closing_entries = JournalEntry.objects.filter(
        cooperative=cooperative, source_type=YEAR_CLOSE_SOURCE, date__gte=start, date__lte=end
    ).values("id")
    for account_id, unit_id, debit, credit in (
        JournalLine.objects.filter(cooperative=cooperative, entry_id__in=closing_entries)
        .values("account_id", "business_unit_id")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("account_id", "business_unit_id", "d", "c")
    ):
        row = totals.setdefault((account_id, unit_id or 0), [0, 0])
        row[0] -= debit
        row[1] -= credit
    return {key: (d, c) for key, (d, c) in totals.items() if d or c}


def totals_between(*, cooperative: Cooperative, start: datetime.date | None, end: datetime.date) -> Totals:
    """Return posted debits and credits per account dated in ``[start, end]``."""
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for (account_id, _unit), (debit, credit) in unit_totals_between(
        cooperative=cooperative, start=start, end=end
    ).items():
        totals[account_id][0] += debit
        totals[account_id][1] += credit
    return {key: (d, c) for key, (d, c) in totals.items()}


def natural(account_type: str, debit: int, credit: int) -> int:
    """Return an amount in the natural sign of ``account_type`` (see the module docstring)."""
    return debit - credit if account_type in DEBIT_NATURAL else credit - debit


# --- Trial balance --------------------------------------------------------------------------
@dataclass(frozen=True)
class TrialBalanceRow:
    account: Account
    debit: int  # the balance, on the side it falls
    credit: int


@dataclass(frozen=True)
class TrialBalance:
    as_of: datetime.date
    rows: list[TrialBalanceRow]
    total_debit: int
    total_credit: int


def trial_balance(*, cooperative: Cooperative, as_of: datetime.date) -> TrialBalance:
    """Return every account's balance as of a date on its debit or credit side (neraca saldo)."""
    totals = totals_between(cooperative=cooperative, start=None, end=as_of)
    accounts = Account.objects.filter(cooperative=cooperative, pk__in=totals.keys()).order_by("code")
    rows = []
    for account in accounts:
        debit, credit = totals[account.pk]
        balance = debit - credit
        if balance:
            rows.append(TrialBalanceRow(account, max(balance, 0), max(-balance, 0)))
    return TrialBalance(
        as_of=as_of,
        rows=rows,
        total_debit=sum(r.debit for r in rows),
        total_credit=sum(r.credit for r in rows),
    )


# --- Tree rows shared by the statements -----------------------------------------------------
@dataclass
class StatementRow:
    """A line of a statement: an account (leaf or group subtotal) and its amounts per column."""

    code: str
    name: str
    depth: int
    is_group: bool
    amounts: list[int]
    account_id: int | None = None

    @property
    def amount(self) -> int:
        return self.amounts[0]


def _tree(accounts: list[Account], columns: list[dict[int, int]]) -> list[StatementRow]:
    """Return rows in code order with group subtotals; drop rows that are zero in every column."""
    children: dict[int | None, list[Account]] = defaultdict(list)
    for account in accounts:
        children[account.parent_id].append(account)
    ids = {a.pk for a in accounts}
    roots = [a for a in accounts if a.parent_id is None or a.parent_id not in ids]
    rows: list[StatementRow] = []

    def walk(account: Account, depth: int) -> list[int]:
        if not account.is_group:
            amounts = [col.get(account.pk, 0) for col in columns]
            if any(amounts):
                rows.append(StatementRow(account.code, account.name, depth, False, amounts, account.pk))
            return amounts
        row = StatementRow(account.code, account.name, depth, True, [0] * len(columns), account.pk)
        rows.append(row)
        position = len(rows)
        sums = [0] * len(columns)
        for child in sorted(children[account.pk], key=lambda a: a.code):
            sums = [s + v for s, v in zip(sums, walk(child, depth + 1), strict=True)]
        row.amounts = sums
        if not any(sums) and len(rows) == position:
            rows.pop()
        return sums

    for root in sorted(roots, key=lambda a: a.code):
        walk(root, 0)
    return rows


def _natural_by_account(accounts: Iterable[Account], totals: Totals) -> dict[int, int]:
    return {a.pk: natural(a.type, *totals.get(a.pk, (0, 0))) for a in accounts}


# --- Balance sheet --------------------------------------------------------------------------
@dataclass
class BalanceSheet:
    as_of: datetime.date
    compare_to: datetime.date
    assets: list[StatementRow]
    liabilities: list[StatementRow]
    equity: list[StatementRow]
    totals: dict[str, list[int]]  # total_assets, total_liabilities, total_equity, shu_current, shu_prior

    @property
    def balanced(self) -> bool:
        t = self.totals
        return all(
            a == li + e for a, li, e in zip(t["total_assets"], t["total_liabilities"], t["total_equity"], strict=True)
        )


def balance_sheet(*, cooperative: Cooperative, as_of: datetime.date) -> BalanceSheet:
    """Return the neraca as of a date beside the previous year's end.

    Equity includes the surplus not yet closed into equity accounts: this year's
    (SHU tahun berjalan, from 1 January) and earlier years' not yet closed (issue 8's
    year-end close moves it into the equity accounts).
    """
    compare_to = datetime.date(as_of.year - 1, 12, 31)
    accounts = list(Account.objects.filter(cooperative=cooperative))
    columns = []
    shu_current, shu_prior = [], []
    for day in (as_of, compare_to):
        totals = totals_between(cooperative=cooperative, start=None, end=day)
        year_start = datetime.date(day.year, 1, 1)
        before_year = totals_between(cooperative=cooperative, start=None, end=year_start - datetime.timedelta(days=1))
        columns.append(_natural_by_account(accounts, totals))
        shu_current.append(_surplus(accounts, totals) - _surplus(accounts, before_year))
        shu_prior.append(_surplus(accounts, before_year))
    by_type: dict[str, list[StatementRow]] = {}
    for account_type in (AccountType.ASSET, AccountType.LIABILITY, AccountType.EQUITY):
        subset = [a for a in accounts if a.type == account_type]
        by_type[account_type] = _tree(subset, columns)
    equity_rows = by_type[AccountType.EQUITY]
    if any(shu_prior):
        equity_rows.append(StatementRow("", "SHU tahun lalu yang belum ditutup", 1, False, shu_prior))
    equity_rows.append(StatementRow("", "SHU tahun berjalan (belum ditutup)", 1, False, shu_current))

    def column_sum(account_type: str, col: int) -> int:
        return sum(columns[col].get(a.pk, 0) for a in accounts if a.type == account_type and not a.is_group)

    totals_out = {
        "total_assets": [column_sum(AccountType.ASSET, i) for i in range(2)],
        "total_liabilities": [column_sum(AccountType.LIABILITY, i) for i in range(2)],
        "total_equity": [column_sum(AccountType.EQUITY, i) + shu_current[i] + shu_prior[i] for i in range(2)],
        "shu_current": shu_current,
        "shu_prior": shu_prior,
    }
    return BalanceSheet(
        as_of, compare_to, by_type[AccountType.ASSET], by_type[AccountType.LIABILITY], equity_rows, totals_out
    )


def _surplus(accounts: Iterable[Account], totals: Totals) -> int:
    income = sum(natural(a.type, *totals.get(a.pk, (0, 0))) for a in accounts if a.type == AccountType.INCOME)
    expense = sum(natural(a.type, *totals.get(a.pk, (0, 0))) for a in accounts if a.type == AccountType.EXPENSE)
    return income - expense


# --- Income statement -----------------------------------------------------------------------
@dataclass
class IncomeStatement:
    date_from: datetime.date
    date_to: datetime.date
    units: list[tuple[int, str]]  # (unit id, name) of the per-unit columns; 0 = no unit
    income: list[StatementRow]  # amounts: [total, per unit...]
    expense: list[StatementRow]
    income_by_party: dict[str, int]  # anggota, non_anggota, lainnya
    total_income: int
    total_expense: int
    unit_surplus: list[int] = field(default_factory=list)

    @property
    def surplus(self) -> int:
        return self.total_income - self.total_expense


def income_statement(*, cooperative: Cooperative, date_from: datetime.date, date_to: datetime.date) -> IncomeStatement:
    """Return the perhitungan hasil usaha for a range: members / non-members apart, per business unit.

    The year-end close's entries are left out, so a closed year still shows what it earned.
    """
    _check_range(date_from, date_to)
    unit_totals = operating_unit_totals_between(cooperative=cooperative, start=date_from, end=date_to)
    accounts = [
        a
        for a in Account.objects.filter(cooperative=cooperative)
        if a.type in (AccountType.INCOME, AccountType.EXPENSE)
    ]
    by_id = {a.pk: a for a in accounts}
    used_units = sorted({unit for (account_id, unit) in unit_totals if account_id in by_id})
    names = dict(BusinessUnit.objects.filter(cooperative=cooperative, pk__in=used_units).values_list("id", "name"))
    units = [(u, names.get(u, "Tanpa unit")) for u in used_units]
    columns: list[dict[int, int]] = [defaultdict(int) for _ in range(1 + len(units))]
    position = {u: i + 1 for i, (u, _) in enumerate(units)}
    for (account_id, unit), (debit, credit) in unit_totals.items():
        account = by_id.get(account_id)
        if account is None:
            continue
        amount = natural(account.type, debit, credit)
        columns[0][account_id] += amount
        columns[position[unit]][account_id] += amount
    income_accounts = [a for a in accounts if a.type == AccountType.INCOME]
    expense_accounts = [a for a in accounts if a.type == AccountType.EXPENSE]
    by_party = {"anggota": 0, "non_anggota": 0, "lainnya": 0}
    for account in income_accounts:
        if account.is_group:
            continue
        party = account.revenue_party or "lainnya"
        by_party[party if party in by_party else "lainnya"] += columns[0].get(account.pk, 0)
    total_income = sum(columns[0].get(a.pk, 0) for a in income_accounts if not a.is_group)
    total_expense = sum(columns[0].get(a.pk, 0) for a in expense_accounts if not a.is_group)
    unit_surplus = [
        sum(col.get(a.pk, 0) for a in income_accounts) - sum(col.get(a.pk, 0) for a in expense_accounts)
        for col in columns[1:]
    ]
    return IncomeStatement(
        date_from=date_from,
        date_to=date_to,
        units=units,
        income=_tree(income_accounts, columns),
        expense=_tree(expense_accounts, columns),
        income_by_party=by_party,
        total_income=total_income,
        total_expense=total_expense,
        unit_surplus=unit_surplus,
    )


# --- Cash flow ------------------------------------------------------------------------------
@dataclass
class CashFlowStatement:
    date_from: datetime.date
    date_to: datetime.date
    opening_cash: int
    closing_cash: int
    sections: list[tuple[str, str, list[tuple[Account, int]], int]]  # (group, label, rows, net)

    @property
    def net_change(self) -> int:
        return sum(section[3] for section in self.sections)


_CASH_FLOW_SECTIONS = [CashFlowGroup.OPERATING, CashFlowGroup.INVESTING, CashFlowGroup.FINANCING]


def cash_flow(*, cooperative: Cooperative, date_from: datetime.date, date_to: datetime.date) -> CashFlowStatement:
    """Return the laporan arus kas (direct method) for a range.

    Every posted entry that touches a cash account (``cash_flow = cash``: kas, bank)
    counts; its other lines say where the cash came from or went. Per counterpart
    account the net ``credit − debit`` is the cash it brought in (negative: paid out).
    A balanced entry makes these nets sum exactly to the change in cash; transfers
    between cash accounts have no counterpart and net to zero.
    """
    _check_range(date_from, date_to)
    cash_ids = list(
        Account.objects.filter(cooperative=cooperative, cash_flow=CashFlowGroup.CASH).values_list("id", flat=True)
    )

    def cash_at(day: datetime.date) -> int:
        totals = totals_between(cooperative=cooperative, start=None, end=day)
        return sum(totals.get(i, (0, 0))[0] - totals.get(i, (0, 0))[1] for i in cash_ids)

    touching = JournalLine.objects.filter(
        cooperative=cooperative, date__gte=date_from, date__lte=date_to, account_id__in=cash_ids
    ).values("entry_id")
    nets = {
        account_id: credit - debit
        for account_id, credit, debit in JournalLine.objects.filter(
            cooperative=cooperative, entry_id__in=touching, entry__is_posted=True
        )
        .exclude(account_id__in=cash_ids)
        .values("account_id")
        .annotate(c=Sum("credit"), d=Sum("debit"))
        .values_list("account_id", "c", "d")
    }
    accounts = {a.pk: a for a in Account.objects.filter(cooperative=cooperative, pk__in=nets.keys())}
    sections = []
    for group in _CASH_FLOW_SECTIONS:
        rows = sorted(
            ((accounts[i], amount) for i, amount in nets.items() if amount and accounts[i].cash_flow == group),
            key=lambda r: r[0].code,
        )
        sections.append((group.value, str(group.label), rows, sum(amount for _, amount in rows)))
    return CashFlowStatement(
        date_from=date_from,
        date_to=date_to,
        opening_cash=cash_at(date_from - datetime.timedelta(days=1)),
        closing_cash=cash_at(date_to),
        sections=sections,
    )


# --- Changes in equity ----------------------------------------------------------------------
@dataclass(frozen=True)
class EquityRow:
    code: str
    name: str
    opening: int
    increase: int
    decrease: int

    @property
    def closing(self) -> int:
        return self.opening + self.increase - self.decrease


@dataclass
class EquityChanges:
    date_from: datetime.date
    date_to: datetime.date
    rows: list[EquityRow]

    @property
    def total(self) -> EquityRow:
        return EquityRow(
            "",
            "Jumlah ekuitas",
            sum(r.opening for r in self.rows),
            sum(r.increase for r in self.rows),
            sum(r.decrease for r in self.rows),
        )


def equity_changes(*, cooperative: Cooperative, date_from: datetime.date, date_to: datetime.date) -> EquityChanges:
    """Return the laporan perubahan ekuitas: each equity account and the unclosed SHU, opening to closing."""
    _check_range(date_from, date_to)
    accounts = list(Account.objects.filter(cooperative=cooperative, is_group=False))
    opening = totals_between(cooperative=cooperative, start=None, end=date_from - datetime.timedelta(days=1))
    moved = totals_between(cooperative=cooperative, start=date_from, end=date_to)
    rows = []
    for account in sorted((a for a in accounts if a.type == AccountType.EQUITY), key=lambda a: a.code):
        open_d, open_c = opening.get(account.pk, (0, 0))
        debit, credit = moved.get(account.pk, (0, 0))
        if open_d or open_c or debit or credit:
            rows.append(EquityRow(account.code, account.name, open_c - open_d, credit, debit))
    surplus = _surplus(accounts, moved)
    rows.append(EquityRow("", "SHU belum ditutup", _surplus(accounts, opening), max(surplus, 0), max(-surplus, 0)))
    return EquityChanges(date_from, date_to, rows)


# --- General ledger and journal -------------------------------------------------------------
@dataclass(frozen=True)
class LedgerLine:
    date: datetime.date
    entry_id: int
    number: str
    memo: str
    debit: int
    credit: int
    balance: int  # running, in the account's natural sign


@dataclass
class GeneralLedger:
    account: Account
    date_from: datetime.date
    date_to: datetime.date
    opening: int
    lines: list[LedgerLine]
    count: int
    closing: int


def general_ledger(
    *,
    cooperative: Cooperative,
    account: Account,
    date_from: datetime.date,
    date_to: datetime.date,
    limit: int = 200,
    offset: int = 0,
) -> GeneralLedger:
    """Return the buku besar of one account: opening balance, lines with running balance, closing."""
    _check_range(date_from, date_to)
    if account.cooperative_id != cooperative.pk:
        raise NotFound()
    limit = max(1, min(limit, 1000))
    offset = max(0, offset)
    before = totals_between(cooperative=cooperative, start=None, end=date_from - datetime.timedelta(days=1))
    opening = natural(account.type, *before.get(account.pk, (0, 0)))
    in_range = totals_between(cooperative=cooperative, start=date_from, end=date_to).get(account.pk, (0, 0))
    closing = opening + natural(account.type, *in_range)
    lines_qs = JournalLine.objects.filter(
        cooperative=cooperative, account=account, date__gte=date_from, date__lte=date_to, entry__is_posted=True
    ).order_by("date", "entry__seq", "id")
    count = lines_qs.count()
    running = opening
    if offset:
        skipped = lines_qs.values_list("debit", "credit")[:offset]
        running += sum(natural(account.type, d, c) for d, c in skipped)
    out = []
    for line in lines_qs.select_related("entry")[offset : offset + limit]:
        running += natural(account.type, line.debit, line.credit)
        out.append(
            LedgerLine(
                line.date,
                line.entry_id,
                line.entry.number,
                line.memo or line.entry.memo,
                line.debit,
                line.credit,
                running,
            )
        )
    return GeneralLedger(account, date_from, date_to, opening, out, count, closing)


def journal_list(
    *,
    cooperative: Cooperative,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    source_type: str = "",
) -> Any:
    """Return a queryset of posted entries (newest first) with their lines, for the jurnal umum."""
    qs = JournalEntry.objects.filter(cooperative=cooperative, is_posted=True)
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    if source_type:
        qs = qs.filter(source_type=source_type)
    return (
        qs.select_related("created_by", "reverses")
        .prefetch_related("lines__account", "lines__business_unit")
        .order_by("-date", "-seq")
    )
