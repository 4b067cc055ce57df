"""Reads for the year-end close and the SHU: the policy in force, members' bases, checks, results.

The bases come from the books of each business (domain.md §2.3, §11), one grouped query each,
whatever the number of members:

- jasa modal: each member's balance of the chosen savings kinds at 31 December;
- jasa usaha ``purchases``: the member's gerai purchases in the year at that unit's sale lines,
  net of what was returned (a sale is a member sale when the buyer was an active member on
  the day, ``shop.Sale.is_member_sale``), read from the shop's monthly totals
  (``shop.MemberPurchaseMonth``: twelve rows per member, not every line);
- ``loan_interest``: the jasa pinjaman the member paid in the year on loans taken as a member;
- ``loan_principal``: the principal disbursed to the member in the year, as a member.

Calon anggota are left out of every base: they are not members (UU 25/1992 Pasal 18).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.core.errors import NotFound
from koperasi.ledger import selectors as ledger_selectors
from koperasi.ledger.choices import AccountType, RevenueParty
from koperasi.ledger.models import Account, Period
from koperasi.ledger.services import LineInput
from koperasi.ledger.verify import ledger_verify
from koperasi.loans.models import Loan, LoanTransaction
from koperasi.members.choices import MemberStatus
from koperasi.members.models import Member
from koperasi.savings.choices import SavingsKind
from koperasi.savings.models import SavingsTransaction
from koperasi.savings.selectors import SIGNED_AMOUNT
from koperasi.shop.choices import SessionStatus
from koperasi.shop.models import CashierSession, MemberPurchaseMonth
from koperasi.shu import calculations
from koperasi.shu.calculations import AllocationLine, ShuResult, UnitFigures
from koperasi.shu.choices import Basis, NonMemberDestination, Pool, YearStatus
from koperasi.shu.models import (
    FiscalYear,
    FiscalYearReopenRequest,
    ShuDistribution,
    ShuFundSpend,
    ShuMemberShare,
    ShuPolicy,
)

# domain.md §11: cadangan 40, the members' 40 split in half (jasa usaha split by business unit),
# pengurus, karyawan, pendidikan and sosial 5 each; jasa modal on pokok + wajib.
DEFAULT_ALLOCATION: tuple[AllocationLine, ...] = (
    AllocationLine(Pool.CADANGAN, Decimal(40)),
    AllocationLine(Pool.JASA_MODAL, Decimal(20)),
    AllocationLine(Pool.JASA_USAHA, Decimal(10), unit="gerai_sembako", basis=Basis.PURCHASES),
    AllocationLine(Pool.JASA_USAHA, Decimal(10), unit="simpan_pinjam", basis=Basis.LOAN_INTEREST),
    AllocationLine(Pool.DANA_PENGURUS, Decimal(5)),
    AllocationLine(Pool.DANA_KARYAWAN, Decimal(5)),
    AllocationLine(Pool.DANA_PENDIDIKAN, Decimal(5)),
    AllocationLine(Pool.DANA_SOSIAL, Decimal(5)),
)
DEFAULT_CAPITAL_KINDS: tuple[str, ...] = (SavingsKind.POKOK, SavingsKind.WAJIB)


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# --- Policy ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyValues:
    """The SHU rules in force for a year: a saved policy, or the domain.md §11 defaults."""

    effective_year: int | None  # None: the defaults (nothing saved yet)
    lines: tuple[AllocationLine, ...]
    capital_kinds: tuple[str, ...]
    non_member_destination: str
    note: str = ""

    @property
    def is_default(self) -> bool:
        return self.effective_year is None


DEFAULT_POLICY = PolicyValues(None, DEFAULT_ALLOCATION, DEFAULT_CAPITAL_KINDS, NonMemberDestination.CADANGAN)


def _policy_values(policy: ShuPolicy) -> PolicyValues:
    lines = tuple(
        AllocationLine(
            line.pool, line.percent, unit=line.unit.code if line.unit else "", basis=line.basis, label=line.label
        )
        for line in policy.lines.all()
    )
    return PolicyValues(
        policy.effective_year, lines, tuple(policy.capital_kinds), policy.non_member_destination, policy.note
    )


def policy_in_force(*, cooperative: Cooperative, year: int) -> PolicyValues:
    """Return the SHU policy for ``year``: the latest saved one effective by then, else the defaults."""
    policy = (
        ShuPolicy.objects.filter(cooperative=cooperative, effective_year__lte=year)
        .order_by("-effective_year")
        .prefetch_related("lines__unit")
        .first()
    )
    return _policy_values(policy) if policy else DEFAULT_POLICY


def policy_list(*, cooperative: Cooperative) -> list[PolicyValues]:
    """Return every saved policy, newest first (two queries)."""
    return [
        _policy_values(p)
        for p in ShuPolicy.objects.filter(cooperative=cooperative)
        .prefetch_related("lines__unit")
        .order_by("-effective_year")
    ]


def unit_codes(*, cooperative: Cooperative) -> dict[str, str]:
    """Return the cooperative's business units, code → name."""
    return dict(BusinessUnit.objects.filter(cooperative=cooperative).values_list("code", "name"))


# --- Bases -----------------------------------------------------------------------------------
def capital_bases(*, cooperative: Cooperative, year: int, kinds: Sequence[str]) -> dict[int, int]:
    """Return each member's balance of ``kinds`` at the year's end (jasa modal base; one query)."""
    if not kinds:
        return {}
    _, end = year_bounds(year)
    rows = (
        SavingsTransaction.objects.filter(cooperative=cooperative, kind__in=list(kinds), date__lte=end)
        .exclude(member__status=MemberStatus.CALON)
        .values("member_id")
        .annotate(balance=Sum(SIGNED_AMOUNT))
        .values_list("member_id", "balance")
    )
    return {member_id: balance for member_id, balance in rows if balance and balance > 0}


def usage_bases(*, cooperative: Cooperative, year: int, unit_code: str, basis: str) -> dict[int, int]:
    """Return each member's measure of use of one unit in ``year`` (jasa usaha base; one query)."""
    start, end = year_bounds(year)
    rows: Any
    if basis == Basis.PURCHASES:
        # The shop keeps these monthly totals with every sale and return (shop.purchase_totals).
        rows = (
            MemberPurchaseMonth.objects.filter(
                cooperative=cooperative, business_unit__code=unit_code, month__gte=start, month__lte=end
            )
            .values("member_id")
            .annotate(base=Sum("amount"))
            .values_list("member_id", "base")
        )
    elif basis == Basis.LOAN_INTEREST:
        rows = (
            LoanTransaction.objects.filter(
                cooperative=cooperative, loan__borrower_is_member=True, date__gte=start, date__lte=end, interest__gt=0
            )
            .values("loan__member_id")
            .annotate(base=Sum("interest"))
            .values_list("loan__member_id", "base")
        )
    elif basis == Basis.LOAN_PRINCIPAL:
        rows = (
            Loan.objects.filter(
                cooperative=cooperative, borrower_is_member=True, disbursed_on__gte=start, disbursed_on__lte=end
            )
            .values("member_id")
            .annotate(base=Sum("principal"))
            .values_list("member_id", "base")
        )
    else:
        raise ValueError(f"unknown basis {basis!r}")
    return {member_id: base for member_id, base in rows if base and base > 0}


@dataclass(frozen=True)
class Bases:
    capital: dict[int, int]
    usage: dict[str, dict[int, int]]  # unit code → member id → base


def shu_bases(
    *, cooperative: Cooperative, year: int, capital_kinds: Sequence[str], lines: Sequence[AllocationLine]
) -> Bases:
    """Return every base an allocation needs (one query for jasa modal, one per jasa usaha line)."""
    capital = (
        capital_bases(cooperative=cooperative, year=year, kinds=capital_kinds)
        if any(line.pool == Pool.JASA_MODAL for line in lines)
        else {}
    )
    usage = {
        line.unit: usage_bases(cooperative=cooperative, year=year, unit_code=line.unit, basis=line.basis)
        for line in lines
        if line.pool == Pool.JASA_USAHA
    }
    return Bases(capital, usage)


@dataclass(frozen=True)
class MemberInfo:
    member_no: int
    name: str
    status: str

    @property
    def number(self) -> str:
        return f"{self.member_no:05d}"


def member_infos(*, cooperative: Cooperative, member_ids: Sequence[int]) -> dict[int, MemberInfo]:
    """Return number, name and status of the given members (one query)."""
    if not member_ids:
        return {}
    rows = Member.objects.filter(cooperative=cooperative)
    if len(member_ids) < 2000:  # a short IN list; above it, reading the cooperative's members is cheaper
        rows = rows.filter(pk__in=list(member_ids))
    wanted = set(member_ids)
    return {
        pk: MemberInfo(no, name, status)
        for pk, no, name, status in rows.values_list("id", "member_no", "name", "status")
        if pk in wanted
    }


def shu_simulate(
    *,
    cooperative: Cooperative,
    year: int,
    shu_total: int,
    capital_kinds: Sequence[str],
    lines: Sequence[AllocationLine],
) -> ShuResult:
    """Compute the SHU ``lines`` would give over the members' real bases of ``year`` (no writes).

    The caller has validated the input (``shu.services.allocation_check``).
    """
    bases = shu_bases(cooperative=cooperative, year=year, capital_kinds=capital_kinds, lines=lines)
    return calculations.shu_compute(shu_total, lines, capital_bases=bases.capital, usage_bases=bases.usage)


# --- Fiscal years ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Blocker:
    """A reason a year cannot be closed yet, with what to do about it."""

    code: str
    message: str


def year_close_blockers(
    *, cooperative: Cooperative, year: int, today: datetime.date | None = None, verify: bool = True
) -> list[Blocker]:
    """Return what stops ``year`` from being closed now (empty: it can be closed).

    Checks: the year is over; the previous year is closed if it has postings; every month
    is closed; no cashier session opened in or before the year is still open; the ledger
    verifies (every entry balanced, hash chain intact, balance tables right). The last
    reads every journal line, so a page may skip it (``verify=False``); the close never does.
    """
    today = today or timezone.localdate()
    start, end = year_bounds(year)
    if FiscalYear.objects.filter(cooperative=cooperative, year=year, status=YearStatus.CLOSED).exists():
        return [Blocker("year_already_closed", f"Tahun buku {year} sudah ditutup.")]
    blockers: list[Blocker] = []
    if today <= end:
        blockers.append(Blocker("year_not_over", f"Tahun buku {year} belum berakhir (berakhir 31/12/{year})."))
    previous_has_entries = ledger_selectors.has_entries_before(cooperative=cooperative, day=start)
    if (
        previous_has_entries
        and not FiscalYear.objects.filter(cooperative=cooperative, year=year - 1, status=YearStatus.CLOSED).exists()
    ):
        blockers.append(
            Blocker("previous_year_open", f"Tahun buku {year - 1} belum ditutup; tutup buku tahun itu lebih dulu.")
        )
    closed = set(
        Period.objects.filter(cooperative=cooperative, month__gte=start, month__lte=end, is_closed=True).values_list(
            "month", flat=True
        )
    )
    # Months before the cooperative's first posting have nothing to close (books that start in July).
    first = ledger_selectors.first_entry_date(cooperative=cooperative)
    first_month = first.replace(day=1) if first and first.year == year else start
    open_months = [datetime.date(year, m, 1) for m in range(first_month.month, 13)]
    open_months = [month for month in open_months if month not in closed]
    if open_months:
        listed = ", ".join(f"{m:%m/%Y}" for m in open_months)
        blockers.append(Blocker("periods_open", f"Bulan yang belum ditutup: {listed}."))
    year_end = timezone.make_aware(datetime.datetime.combine(end, datetime.time.max))
    sessions = list(
        CashierSession.objects.filter(cooperative=cooperative, status=SessionStatus.OPEN, opened_at__lte=year_end)
        .select_related("cashier")
        .order_by("opened_at")
    )
    if sessions:
        listed = ", ".join(
            f"{s.session_no} ({s.cashier.get_username()}, dibuka {timezone.localtime(s.opened_at):%d/%m/%Y})"
            for s in sessions
        )
        blockers.append(Blocker("cashier_sessions_open", f"Sesi kasir belum ditutup dan direkonsiliasi: {listed}."))
    result = ledger_verify(cooperative=cooperative) if verify else None
    if result is not None and not result.ok:
        shown = "; ".join(result.problems[:3])
        blockers.append(Blocker("ledger_verify_failed", f"Pemeriksaan buku besar gagal: {shown}."))
    return blockers


@dataclass(frozen=True)
class ClosePreview:
    """What closing a year books: the lines that zero its income and expense, and the split (ADR 0007)."""

    lines: list[LineInput]  # one per (account, unit) with a balance; the SHU lines are added by the close
    total_income: int
    total_expense: int
    revenue_members: int
    revenue_non_members: int
    surplus_members: int
    surplus_non_members: int
    split: list[dict[str, Any]]  # per unit, the shape stored in FiscalYear.split

    @property
    def surplus(self) -> int:
        return self.surplus_members + self.surplus_non_members


def year_close_preview(*, cooperative: Cooperative, year: int) -> ClosePreview:
    """Read the year's income and expense per (account, unit) and split its surplus (no writes; four queries).

    ``fiscal_year_close`` posts exactly these lines and figures; the year page shows them before.
    """
    start, end = year_bounds(year)
    totals = ledger_selectors.operating_unit_totals_between(cooperative=cooperative, start=start, end=end)
    accounts = {
        a.pk: a
        for a in Account.objects.filter(
            cooperative=cooperative, type__in=[AccountType.INCOME, AccountType.EXPENSE], is_group=False
        )
    }
    units = {u.pk: u for u in BusinessUnit.objects.filter(cooperative=cooperative)}
    lines: list[LineInput] = []
    income = expense = 0
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # unit → member revenue, non-member, surplus
    for (account_id, unit_id), (debit, credit) in sorted(totals.items()):
        account = accounts.get(account_id)
        if account is None or debit == credit:
            continue
        amount = ledger_selectors.natural(account.type, debit, credit)
        unit = figures[unit_id]
        if account.type == AccountType.INCOME:
            income += amount
            unit[2] += amount
            if account.revenue_party == RevenueParty.MEMBER:
                unit[0] += amount
            elif account.revenue_party == RevenueParty.NON_MEMBER:
                unit[1] += amount
        else:
            expense += amount
            unit[2] -= amount
        # Zero the balance: an income (credit) balance is debited, an expense (debit) balance credited.
        balance = debit - credit
        lines.append(
            LineInput(
                account=account,
                debit=max(-balance, 0),
                credit=max(balance, 0),
                business_unit=units.get(unit_id),
                memo=f"Tutup buku {year}",
            )
        )
    split = calculations.surplus_split([UnitFigures(u, m, n, s) for u, (m, n, s) in sorted(figures.items())])
    return ClosePreview(
        lines=lines,
        total_income=income,
        total_expense=expense,
        revenue_members=sum(m for m, _, _ in figures.values()),
        revenue_non_members=sum(n for _, n, _ in figures.values()),
        surplus_members=split.members,
        surplus_non_members=split.non_members,
        split=[
            {
                "unit_id": unit_id,
                "unit": units[unit_id].name if unit_id in units else "Tanpa unit",
                "revenue_members": figures[unit_id][0],
                "revenue_non_members": figures[unit_id][1],
                "surplus": figures[unit_id][2],
                "surplus_members": members_part,
                "surplus_non_members": non_members_part,
            }
            for unit_id, members_part, non_members_part in split.by_unit
        ],
    )


@dataclass(frozen=True)
class YearRow:
    """A year on the close page: its status and, once closed, its figures and distribution."""

    year: int
    fiscal_year: FiscalYear | None
    distribution: ShuDistribution | None

    @property
    def is_closed(self) -> bool:
        return self.fiscal_year is not None and self.fiscal_year.is_closed


def year_list(*, cooperative: Cooperative, today: datetime.date | None = None) -> list[YearRow]:
    """Return the years with postings (and this year), newest first, with their close and SHU (three queries)."""
    today = today or timezone.localdate()
    first = ledger_selectors.first_entry_date(cooperative=cooperative)
    first_year = first.year if first else today.year
    years = {f.year: f for f in FiscalYear.objects.filter(cooperative=cooperative)}
    distributions = {d.year: d for d in ShuDistribution.objects.filter(cooperative=cooperative)}
    return [
        YearRow(year, years.get(year), distributions.get(year))
        for year in range(
            max(today.year, *years.keys(), first_year), min(first_year, *years.keys(), today.year) - 1, -1
        )
    ]


def fiscal_year_get(*, cooperative: Cooperative, year: int) -> FiscalYear | None:
    return FiscalYear.objects.filter(cooperative=cooperative, year=year).select_related("closing_entry").first()


def reopen_requests(*, cooperative: Cooperative, fiscal_year: FiscalYear) -> QuerySet[FiscalYearReopenRequest]:
    return FiscalYearReopenRequest.objects.filter(cooperative=cooperative, fiscal_year=fiscal_year).select_related(
        "requested_by", "approved_by"
    )


def reopen_request_get(*, cooperative: Cooperative, request_id: int) -> FiscalYearReopenRequest:
    """Return one reopen request of this cooperative. Raises NotFound."""
    found = (
        FiscalYearReopenRequest.objects.filter(cooperative=cooperative, pk=request_id)
        .select_related("fiscal_year")
        .first()
    )
    if found is None:
        raise NotFound("Permintaan tidak ditemukan.")
    return found


# --- Distribution ----------------------------------------------------------------------------
def distribution_get(*, cooperative: Cooperative, year: int) -> ShuDistribution | None:
    return ShuDistribution.objects.filter(cooperative=cooperative, year=year).first()


def distribution_shares(*, cooperative: Cooperative, distribution: ShuDistribution) -> QuerySet[ShuMemberShare]:
    """Return a distribution's member shares with the member, in member-number order (one query)."""
    return (
        ShuMemberShare.objects.filter(cooperative=cooperative, distribution=distribution)
        .select_related("member")
        .order_by("member__member_no")
    )


@dataclass(frozen=True)
class PaymentSummary:
    members: int
    total: int
    paid_members: int
    paid_total: int

    @property
    def unpaid_members(self) -> int:
        return self.members - self.paid_members

    @property
    def unpaid_total(self) -> int:
        return self.total - self.paid_total


def payment_summary(*, cooperative: Cooperative, distribution: ShuDistribution) -> PaymentSummary:
    """Return how much of the members' SHU is paid and unpaid (members with something due; one query)."""
    paid = Q(paid_on__isnull=False)
    row = ShuMemberShare.objects.filter(cooperative=cooperative, distribution=distribution, total__gt=0).aggregate(
        n_members=Count("id"),
        sum_total=Sum("total"),
        n_paid=Count("id", filter=paid),
        sum_paid=Sum("total", filter=paid),
    )  # aliases other than the field names: Django refuses Sum("total") named "total"
    return PaymentSummary(row["n_members"], row["sum_total"] or 0, row["n_paid"], row["sum_paid"] or 0)


def member_share_get(*, cooperative: Cooperative, share_id: int) -> ShuMemberShare:
    """Return one member share of this cooperative. Raises NotFound."""
    share = (
        ShuMemberShare.objects.filter(cooperative=cooperative, pk=share_id)
        .select_related("member", "distribution")
        .first()
    )
    if share is None:
        raise NotFound("Bagian SHU anggota tidak ditemukan.", code="shu_share_not_found")
    return share


def member_shares(*, cooperative: Cooperative, member: Member) -> QuerySet[ShuMemberShare]:
    """Return a member's SHU of every distributed year, newest first (the portal)."""
    return (
        ShuMemberShare.objects.filter(cooperative=cooperative, member=member)
        .select_related("distribution")
        .order_by("-distribution__year")
    )


# --- Funds (dana SHU) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class FundBalance:
    key: str  # ``shu.calculations.fund_key``
    name: str
    credited: int  # what the approved distributions put in
    spent: int
    by_year: tuple[tuple[int, int], ...]  # (SHU year, amount credited), newest first
    since: datetime.date | None  # the first RAT that put money in (no spend before it)

    @property
    def balance(self) -> int:
        return self.credited - self.spent


def fund_balances(*, cooperative: Cooperative) -> list[FundBalance]:
    """Return every fund that was ever credited or spent from, with its balance (two queries).

    What each distribution credited is recomputed from its stored allocation snapshot by the
    same function that built its posting (``calculations.fund_credits``), so the sum of the
    balances is the SHU-funds account (2-1400) less any manual journal on it.
    """
    credited: dict[str, dict[int, int]] = defaultdict(dict)
    since: dict[str, datetime.date] = {}
    rows = ShuDistribution.objects.filter(cooperative=cooperative).order_by("-year")
    for row in rows.values("year", "rat_date", "pools", "non_member_amount", "non_member_destination"):
        credits = calculations.fund_credits(
            ((p["pool"], p.get("label", ""), p["amount"]) for p in row["pools"]),
            non_member_amount=row["non_member_amount"],
            non_member_destination=row["non_member_destination"],
        )
        for key, amount in credits.items():
            credited[key][row["year"]] = amount
            if amount > 0:
                since[key] = min(since.get(key, row["rat_date"]), row["rat_date"])
    spent = dict(
        ShuFundSpend.objects.filter(cooperative=cooperative)
        .values("fund")
        .annotate(total=Sum("amount"))
        .values_list("fund", "total")
    )
    keys = list(credited) + sorted(k for k in spent if k not in credited)
    return [
        FundBalance(
            key=key,
            name=calculations.fund_name(key),
            credited=sum(credited[key].values()),
            spent=spent.get(key, 0),
            by_year=tuple(credited[key].items()),
            since=since.get(key),
        )
        for key in keys
    ]


def fund_spends(*, cooperative: Cooperative, fund: str | None = None) -> QuerySet[ShuFundSpend]:
    """Return the cooperative's fund spends, newest first (optionally of one fund)."""
    spends = ShuFundSpend.objects.filter(cooperative=cooperative).select_related("journal_entry", "created_by")
    return spends.filter(fund=fund) if fund else spends
