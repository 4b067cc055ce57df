"""Portfolio reports of the savings-and-loan unit, live as of a day (issue 5).

- ``portfolio``: loans by collectibility (count, outstanding principal, allowance), the NPL
  ratio, the allowance required beside the allowance booked in the ledger;
- ``aging``: loans by days-past-due bucket (``calculations.AGING_BUCKETS`` and "> 360");
- ``arrears``: the loans in arrears, most days past due first, with what is overdue and a
  ``wa.me`` reminder link;
- ``due_between``: the instalments falling due in a date range (repayments due this week).

"Live": days past due and classes come from the schedule as of ``day`` (the oldest
instalment due before ``day`` with principal or interest unpaid), by the ``LoanSetting`` in
force on ``day``, not from the figures the last month-end stored. Payments are the ones
recorded now, so a past ``day`` shows today's payments against that day's due dates.
Overdue amounts include the penalty that a repayment on ``day`` would charge first
(``services._accrue_penalties``), so the reminder asks for what the member must pay.

Every function runs a fixed number of queries, whatever the number of loans: the per-loan
figures are correlated subqueries over the unsettled instalments and the grouping is SQL.
On PostgreSQL they run with the JIT compiler off (``db_functions.without_jit``), which
otherwise costs more than the query.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import ValidationError
from koperasi.core.money import Rupiah, format_rupiah
from koperasi.ledger import selectors as ledger_selectors
from koperasi.loans import calculations, selectors
from koperasi.loans.choices import Collectibility, LoanStatus
from koperasi.loans.db_functions import BasisPoints, without_jit
from koperasi.loans.models import Loan, LoanInstallment
from koperasi.loans.month_end import (
    collectibility_expression,
    days_past_due_expression,
    left_expression,
    penalty_expression,
)
from koperasi.savings.reminders import whatsapp_link

NPL_CLASSES = ("kurang_lancar", "diragukan", "macet")
OVER_LAST_BUCKET = "> 360"
MAX_DUE_RANGE_DAYS = 366


# --- Per-loan figures in SQL ----------------------------------------------------------------------


def _overdue_subquery(day: datetime.date) -> Subquery:
    """Correlated on a ``Loan``: what its instalments due before ``day`` still ask, penalty to ``day`` included."""
    pending = Case(
        When(
            Q(settled=False, penalty_from__lt=day),
            then=penalty_expression(BasisPoints(OuterRef("penalty_rate_pm")), day),
        ),
        default=Value(0),
        output_field=BigIntegerField(),
    )
    return Subquery(
        LoanInstallment.objects.filter(
            cooperative_id=OuterRef("cooperative_id"), loan_id=OuterRef("pk"), due_date__lt=day
        )
        .order_by()
        .values("loan_id")
        .annotate(s=Sum(ExpressionWrapper(left_expression() + pending, output_field=BigIntegerField())))
        .values("s"),
        output_field=BigIntegerField(),
    )


def _loans(cooperative: Cooperative, day: datetime.date) -> QuerySet[Any]:
    """The cooperative's active loans disbursed by ``day``, with ``dpd`` (days past due) on ``day``."""
    return Loan.objects.filter(cooperative=cooperative, status=LoanStatus.ACTIVE, disbursed_on__lte=day).annotate(
        dpd=days_past_due_expression(day)
    )


def _with_overdue(loans: QuerySet[Any], day: datetime.date) -> QuerySet[Any]:
    return loans.annotate(overdue=Coalesce(_overdue_subquery(day), Value(0), output_field=BigIntegerField()))


def _percent(part: int, whole: int) -> Decimal:
    if not whole:
        return Decimal("0.00")
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# --- Portfolio by collectibility ------------------------------------------------------------------


@dataclass(frozen=True)
class ClassRow:
    collectibility: str
    label: str
    count: int
    outstanding: Rupiah
    rate: Decimal  # allowance rate, percent of the outstanding principal
    allowance: Rupiah  # required for this class


@dataclass(frozen=True)
class Portfolio:
    day: datetime.date
    rows: list[ClassRow]  # lancar, kurang lancar, diragukan, macet (all four, zero rows included)
    total_count: int
    total_outstanding: Rupiah
    npl_outstanding: Rupiah  # kurang lancar + diragukan + macet
    npl_ratio: Decimal  # percent of the outstanding, 2 places; 0 without loans
    allowance_required: Rupiah
    allowance_booked: Rupiah  # balance of the allowance account (PPAP) in the ledger on ``day``

    @property
    def allowance_shortfall(self) -> Rupiah:
        """What the next month-end will add to the allowance (negative: release)."""
        return self.allowance_required - self.allowance_booked


def portfolio(*, cooperative: Cooperative, day: datetime.date) -> Portfolio:
    """Return the active loans by collectibility on ``day`` with the NPL ratio and the allowance (5 queries)."""
    rules = selectors.loan_setting_in_force(cooperative=cooperative, day=day).rules
    with without_jit():
        grouped = {
            row["cls"]: (row["n"], row["s"] or 0)
            for row in _loans(cooperative, day)
            .annotate(cls=collectibility_expression("dpd", rules))
            .order_by()
            .values("cls")
            .annotate(n=Count("pk"), s=Sum("outstanding_principal"))
        }
    outstanding = {c: grouped.get(c, (0, 0))[1] for c in calculations.CLASSES}
    required = calculations.allowance_required(outstanding, rules)
    rows = [
        ClassRow(
            collectibility=c,
            label=str(Collectibility(c).label),
            count=grouped.get(c, (0, 0))[0],
            outstanding=outstanding[c],
            rate=rules.rate(c),
            allowance=required[c],
        )
        for c in calculations.CLASSES
    ]
    account = ledger_selectors.account_for_role(cooperative=cooperative, role="loan_allowance")
    debit, credit = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=day).get(
        account.pk, (0, 0)
    )
    total = sum(outstanding.values())
    npl = sum(outstanding[c] for c in NPL_CLASSES)
    return Portfolio(
        day=day,
        rows=rows,
        total_count=sum(r.count for r in rows),
        total_outstanding=total,
        npl_outstanding=npl,
        npl_ratio=_percent(npl, total),
        allowance_required=sum(required.values()),
        allowance_booked=credit - debit,
    )


# --- Aging -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgingRow:
    bucket: str  # "0", "1–30", "31–90", "91–180", "181–360", "> 360"
    count: int
    outstanding: Rupiah  # principal still owed by the loans in the bucket
    overdue: Rupiah  # what their instalments due before the day still ask, penalty included


def aging(*, cooperative: Cooperative, day: datetime.date) -> list[AgingRow]:
    """Return the active loans by days-past-due bucket on ``day``, every bucket listed (one query)."""
    bucket = Case(
        *[When(dpd__gte=low, dpd__lte=high, then=Value(label)) for low, high, label in calculations.AGING_BUCKETS],
        default=Value(OVER_LAST_BUCKET),
    )
    with without_jit():
        grouped = {
            row["bucket"]: row
            for row in _with_overdue(_loans(cooperative, day), day)
            .annotate(bucket=bucket)
            .order_by()
            .values("bucket")
            .annotate(n=Count("pk"), s=Sum("outstanding_principal"), o=Sum("overdue"))
        }
    labels = [label for _, _, label in calculations.AGING_BUCKETS] + [OVER_LAST_BUCKET]
    rows = []
    for label in labels:
        row = grouped.get(label)
        rows.append(
            AgingRow(
                bucket=label,
                count=row["n"] if row else 0,
                outstanding=(row["s"] or 0) if row else 0,
                overdue=(row["o"] or 0) if row else 0,
            )
        )
    return rows


# --- Arrears -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ArrearsRow:
    loan_id: int
    loan_number: str  # "PJ-00012"
    member_id: int
    member_no: str  # as printed on the card, "00012"
    member_name: str
    phone: str  # "+62…" or ""
    days_past_due: int
    collectibility: str
    overdue_amount: Rupiah  # principal + interest + penalty left of the instalments due before the day
    wa_link: str  # https://wa.me/62…?text=… ("" without a phone)


def arrears_reminder_text(
    *, coop_name: str, member_name: str, loan_number: str, days: int, amount: Rupiah, day: datetime.date
) -> str:
    """Return the polite Indonesian reminder of a loan in arrears (always Indonesian: it goes to the member)."""
    return (
        f"Assalamualaikum/Salam sejahtera Bapak/Ibu {member_name}, angsuran pinjaman {loan_number} di {coop_name} "
        f"terlambat {days} hari. Jumlah yang harus dibayar per {day:%d/%m/%Y}: {format_rupiah(amount)} "
        "(pokok, jasa dan denda). Mohon segera dibayarkan ke kasir koperasi. Terima kasih."
    )


def arrears(*, cooperative: Cooperative, day: datetime.date) -> list[ArrearsRow]:
    """Return the active loans past due on ``day``, most days first, with the amount and a reminder (2 queries)."""
    rules = selectors.loan_setting_in_force(cooperative=cooperative, day=day).rules
    loans = (
        _with_overdue(_loans(cooperative, day), day)
        .filter(dpd__gt=0)
        .annotate(cls=collectibility_expression("dpd", rules))
        .order_by("-dpd", "loan_no")
        .values(
            "pk",
            "loan_no",
            "dpd",
            "cls",
            "overdue",
            "member_id",
            "member__member_no",
            "member__name",
            "member__phone",
        )
    )
    with without_jit():
        loans = list(loans)
    rows = []
    for loan in loans:
        number = f"PJ-{loan['loan_no']:05d}"
        text = arrears_reminder_text(
            coop_name=cooperative.name,
            member_name=loan["member__name"],
            loan_number=number,
            days=loan["dpd"],
            amount=loan["overdue"],
            day=day,
        )
        rows.append(
            ArrearsRow(
                loan_id=loan["pk"],
                loan_number=number,
                member_id=loan["member_id"],
                member_no=f"{loan['member__member_no']:05d}",
                member_name=loan["member__name"],
                phone=loan["member__phone"],
                days_past_due=loan["dpd"],
                collectibility=loan["cls"],
                overdue_amount=loan["overdue"],
                wa_link=whatsapp_link(loan["member__phone"], text),
            )
        )
    return rows


# --- Repayments due -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueRow:
    loan_id: int
    loan_number: str
    member_id: int
    member_name: str
    phone: str
    due_date: datetime.date
    installment_no: int
    amount_left: Rupiah  # principal + interest + penalty charged so far, still unpaid


def due_between(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> list[DueRow]:
    """Return the unpaid instalments of active loans due from ``start`` to ``end``, by date (one query).

    Raises ValidationError when ``start`` is after ``end`` or the range is longer than a year.
    """
    if start > end:
        raise ValidationError.for_field("start", "Tanggal awal tidak boleh setelah tanggal akhir.")
    if (end - start).days > MAX_DUE_RANGE_DAYS:
        raise ValidationError.for_field("start", "Rentang tanggal paling lama satu tahun.")
    rows = (
        LoanInstallment.objects.filter(
            cooperative=cooperative,
            settled=False,
            due_date__gte=start,
            due_date__lte=end,
            loan__status=LoanStatus.ACTIVE,
        )
        .annotate(left=left_expression())
        .order_by("due_date", "loan__loan_no", "no")
        .values(
            "loan_id",
            "loan__loan_no",
            "loan__member_id",
            "loan__member__name",
            "loan__member__phone",
            "due_date",
            "no",
            "left",
        )
    )
    return [
        DueRow(
            loan_id=row["loan_id"],
            loan_number=f"PJ-{row['loan__loan_no']:05d}",
            member_id=row["loan__member_id"],
            member_name=row["loan__member__name"],
            phone=row["loan__member__phone"],
            due_date=row["due_date"],
            installment_no=row["no"],
            amount_left=row["left"],
        )
        for row in rows
    ]


__all__ = [
    "AgingRow",
    "ArrearsRow",
    "ClassRow",
    "DueRow",
    "Portfolio",
    "aging",
    "arrears",
    "arrears_reminder_text",
    "due_between",
    "portfolio",
]
