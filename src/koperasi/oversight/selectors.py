"""Reads for the Dinas: per-cooperative figures over a kota, in a fixed number of queries.

Only reads (DESIGN.md §3: ``oversight`` never writes). Figures are computed per row with
correlated subqueries, so the cost grows with the cooperatives shown, never per line.

Loans (issue 5): ``loans_outstanding`` is the outstanding principal of the active loans;
``loans_npl_outstanding`` the part of it that is non-performing *today* — kurang lancar,
diragukan or macet, i.e. more days past due than the cooperative's ``kurang_lancar_after``
in the ``LoanSetting`` in force today (``loans.selectors.loan_setting_in_force``; the
domain.md §11 default of 90 days where the cooperative has none). Days past due are the
month-end batch's SQL (``loans.month_end.days_past_due_expression``), so the live figure is
computed the same way as the batch and ``loans.calculations.days_past_due``; it reads the
active loans and their unsettled instalments (a partial index), never the journal. The NPL
ratio is non-performing / outstanding in percent, two decimals (none without loans).

Gerai (issue 6): ``shop_sales_month`` and ``shop_sales_ytd`` are the gerai's own-goods sales
(member and non-member sales accounts, net of returns) this month and since 1 January;
``shop_member_share`` is the members' part of the year's sales in percent (a cooperative
exists for its members, domain.md §2.4); ``inventory_value`` is the inventory account. All
from the month totals of the books, like the savings figures.

Subsidised goods (issue 7): ``subsidy_lpg_3kg_month`` and ``subsidy_sphp_month`` are the units
(tabung, packs) of LPG 3 kg and beras SPHP the cooperative's programmes distributed this month
(the logbook's rows by the HET commodity of their product, net of returns, as quotas count them),
``subsidy_recipients_active`` its registered recipients who may buy. Totals only: the Dinas never
sees a NIK. They come from one more query for all the cooperatives shown
(:func:`subsidy_figures`, GROUP BY cooperative), so rows are shaped by :func:`oversight_items`.

Year-end close and SHU (issue 8): ``fiscal_year_last_closed`` is the last tahun buku the
cooperative closed (``shu.FiscalYear``), ``shu_rat_date`` the date of the RAT that approved
that year's SHU (none while it is not distributed). ``rat_year``, ``rat_deadline`` and
``rat_status`` follow the RAT deadline (domain.md §3, UU 25/1992 Pasal 26(2)): the tahun buku
that ended last (31 December of last year), for a cooperative whose books go back to it, must
have its RAT within six months of its end. ``disahkan``: its SHU distribution is recorded
(the RAT's date and decision, ``shu.ShuDistribution``); ``terlambat``: the six months are over
and none is recorded; ``menunggu``: still within them. The system knows a RAT by the SHU
decision it records (the governance module with the meetings themselves is not built), so a
year without a member surplus to share shows as ``terlambat`` too. The six months are the
statutory limit the Dinas checks, not the shorter one an AD may set. Four more correlated
subqueries of the same query (index lookups on (cooperative, year) and (cooperative, date)).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.db.models import (
    Avg,
    BigIntegerField,
    Count,
    F,
    IntegerField,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from koperasi.cooperatives.choices import LegalKind, LegalStatus, UnitStatus
from koperasi.cooperatives.models import BusinessUnit, Cooperative, Facility, LegalRecord, Partner, StageChange
from koperasi.cooperatives.selectors import cooperative_list_for_user, stage_counts
from koperasi.ledger.choices import AccountType
from koperasi.ledger.models import AccountMonthTotal, JournalEntry
from koperasi.loans.calculations import DEFAULT_RULES
from koperasi.loans.choices import LoanStatus
from koperasi.loans.models import Loan, LoanSetting
from koperasi.loans.month_end import days_past_due_expression
from koperasi.members.models import Member
from koperasi.shu.choices import YearStatus
from koperasi.shu.models import FiscalYear, ShuDistribution
from koperasi.subsidies.calculations import window
from koperasi.subsidies.models import Distribution, Recipient

# The chart roles of members' savings (ledger.chart): pokok and wajib in equity, sukarela a liability.
SAVINGS_ROLES = ("savings_pokok", "savings_wajib", "savings_sukarela")
SALES_ROLES = ("sales_members", "sales_non_members")

LEGAL_KINDS_TOTAL = len(LegalKind.values)


def _count(model: Any, **filters: Any) -> Coalesce:
    sub = (
        model.objects.filter(cooperative=OuterRef("pk"), **filters)
        .order_by()
        .values("cooperative")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def _books_sum(amount: Any, **filters: Any) -> Coalesce:
    """Sum over the cooperative's month totals: O(accounts × months), never its journal lines."""
    sub = (
        AccountMonthTotal.objects.filter(cooperative=OuterRef("pk"), **filters)
        .order_by()
        .values("cooperative")
        .annotate(v=Sum(amount))
        .values("v")
    )
    return Coalesce(Subquery(sub, output_field=BigIntegerField()), 0)


def _loans_outstanding(loans: QuerySet[Loan]) -> Coalesce:
    """Σ outstanding principal of ``loans`` (correlated on the cooperative)."""
    sub = loans.order_by().values("cooperative").annotate(s=Sum("outstanding_principal")).values("s")
    return Coalesce(Subquery(sub, output_field=BigIntegerField()), 0)


def _non_performing(day: datetime.date) -> QuerySet[Loan]:
    """The cooperative's active loans more days past due on ``day`` than its kurang-lancar threshold."""
    threshold = Coalesce(
        Subquery(
            LoanSetting.objects.filter(cooperative_id=OuterRef("cooperative_id"), effective_from__lte=day)
            .order_by("-effective_from")
            .values("kurang_lancar_after")[:1],
            output_field=IntegerField(),
        ),
        Value(DEFAULT_RULES.kurang_lancar_after),
    )
    return (
        Loan.objects.filter(cooperative=OuterRef("pk"), status=LoanStatus.ACTIVE)
        .annotate(dpd=days_past_due_expression(day), npl_after=threshold)
        .filter(dpd__gt=F("npl_after"))
    )


def npl_ratio(non_performing: int, outstanding: int) -> Decimal | None:
    """Non-performing / outstanding in percent, rounded half up to two decimals; None without loans."""
    if not outstanding:
        return None
    return (Decimal(non_performing) * 100 / Decimal(outstanding)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def oversight_queryset(
    *,
    user: Any,
    region_code: str | None = None,
    kecamatan_code: str | None = None,
    stage: str | None = None,
    search: str | None = None,
    loans_day: datetime.date | None = None,
) -> QuerySet[Cooperative]:
    """Return the cooperatives the user oversees, annotated with their figures.

    Books figures are the latest; loans are classified by their days past due on
    ``loans_day`` (default today).
    """
    today = timezone.localdate()
    year_start = datetime.date(today.year, 1, 1)
    facilities = Facility.objects.filter(cooperative=OuterRef("pk")).order_by().values("cooperative")
    last_change = StageChange.objects.filter(cooperative=OuterRef("pk")).order_by().values("cooperative")
    distributions = ShuDistribution.objects.filter(cooperative=OuterRef("pk")).order_by("-year")
    return cooperative_list_for_user(
        user=user, region_code=region_code, kecamatan_code=kecamatan_code, stage=stage, search=search
    ).annotate(
        units_active=_count(BusinessUnit, status=UnitStatus.AKTIF),
        partners_count=_count(Partner),
        legal_issued=_count(LegalRecord, status=LegalStatus.TERBIT),
        facilities_count=_count(Facility),
        facilities_progress=Subquery(facilities.annotate(p=Avg("progress_pct")).values("p")),
        stage_since=Subquery(last_change.annotate(t=Max("changed_at")).values("t")),
        members_active=_count(Member, status="aktif"),
        savings_total=_books_sum(F("credit") - F("debit"), account__role__in=SAVINGS_ROLES),
        total_assets=_books_sum(F("debit") - F("credit"), account__type=AccountType.ASSET),
        # income − expense = Σ(credit − debit) over both kinds of account
        surplus_ytd=_books_sum(
            F("credit") - F("debit"),
            account__type__in=[AccountType.INCOME, AccountType.EXPENSE],
            month__gte=year_start,
        ),
        loans_outstanding=_loans_outstanding(Loan.objects.filter(cooperative=OuterRef("pk"), status=LoanStatus.ACTIVE)),
        loans_npl_outstanding=_loans_outstanding(_non_performing(loans_day or today)),
        shop_sales_month=_books_sum(
            F("credit") - F("debit"), account__role__in=SALES_ROLES, month=today.replace(day=1)
        ),
        shop_sales_ytd=_books_sum(F("credit") - F("debit"), account__role__in=SALES_ROLES, month__gte=year_start),
        shop_member_sales_ytd=_books_sum(
            F("credit") - F("debit"), account__role="sales_members", month__gte=year_start
        ),
        inventory_value=_books_sum(F("debit") - F("credit"), account__role="inventory"),
        fiscal_year_last_closed=Subquery(
            FiscalYear.objects.filter(cooperative=OuterRef("pk"), status=YearStatus.CLOSED)
            .order_by("-year")
            .values("year")[:1]
        ),
        shu_last_year=Subquery(distributions.values("year")[:1]),
        shu_last_rat_date=Subquery(distributions.values("rat_date")[:1]),
        books_from=Subquery(
            JournalEntry.objects.filter(cooperative=OuterRef("pk"), is_posted=True).order_by("date").values("date")[:1]
        ),
    )


def percent_of(part: int, whole: int) -> Decimal | None:
    """Part / whole in percent, rounded half up to one decimal; None when the whole is zero."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


SUBSIDY_COMMODITIES = ("lpg_3kg", "beras_sphp")  # the HET commodities whose subsidised units the Dinas sees
_RECIPIENTS = "recipients"


@dataclass(frozen=True)
class SubsidyFigures:
    """One cooperative's subsidised goods this month: units per commodity and active recipients."""

    lpg_3kg_month: int = 0
    sphp_month: int = 0
    recipients_active: int = 0


def subsidy_figures(*, cooperative_ids: Sequence[int], day: datetime.date | None = None) -> dict[int, SubsidyFigures]:
    """Return each cooperative's subsidised units of ``day``'s month (default today) and its active recipients.

    One query for all the cooperatives (two GROUP BY cooperative, in a UNION ALL); a
    cooperative without programmes is missing from the result. Units are net of returns.
    """
    if not cooperative_ids:
        return {}
    month = window("month", day or timezone.localdate())
    assert month is not None
    ids = list(cooperative_ids)
    units = (
        Distribution.objects.filter(
            cooperative_id__in=ids, date__range=month, product__het_commodity__in=SUBSIDY_COMMODITIES
        )
        .annotate(kind=F("product__het_commodity"))
        .values("cooperative_id", "kind")
        .annotate(n=Sum(F("sale_line__qty") - F("sale_line__qty_returned"), output_field=BigIntegerField()))
        .order_by()
    )
    recipients = (
        Recipient.objects.filter(cooperative_id__in=ids, is_active=True)
        .annotate(kind=Value(_RECIPIENTS))
        .values("cooperative_id", "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found: dict[int, dict[str, int]] = {}
    for row in units.union(recipients, all=True):
        found.setdefault(row["cooperative_id"], {})[row["kind"]] = int(row["n"] or 0)
    return {
        coop_id: SubsidyFigures(
            lpg_3kg_month=kinds.get("lpg_3kg", 0),
            sphp_month=kinds.get("beras_sphp", 0),
            recipients_active=kinds.get(_RECIPIENTS, 0),
        )
        for coop_id, kinds in found.items()
    }


RAT_DEADLINE_MONTHS = 6  # UU 25/1992 Pasal 26(2): the RAT within six months after the tahun buku ends


class RatStatus(models.TextChoices):
    """Where a cooperative stands with the RAT of the tahun buku that ended last."""

    APPROVED = "disahkan", _("Disahkan RAT")  # the RAT's SHU decision for that year is recorded
    LATE = "terlambat", _("Terlambat")  # past the deadline, none recorded
    WAITING = "menunggu", _("Menunggu RAT")  # before the deadline, none recorded yet


@dataclass(frozen=True)
class RatDeadline:
    year: int | None = None  # the tahun buku whose RAT is due (None: no books then)
    deadline: datetime.date | None = None
    status: RatStatus | None = None


def rat_deadline(
    *, books_from: datetime.date | None, last_distributed_year: int | None, day: datetime.date
) -> RatDeadline:
    """Return the RAT deadline of the tahun buku that ended last before ``day``, and where the cooperative stands.

    A cooperative with nothing posted in or before that year owes no RAT for it (an empty
    result). Pure: the figures come from :func:`oversight_queryset`.
    """
    year = day.year - 1
    if books_from is None or books_from.year > year:
        return RatDeadline()
    # The year ends on 31 December, so the deadline is the last day of the sixth month after it (30 June).
    deadline = datetime.date(year + 1, RAT_DEADLINE_MONTHS, calendar.monthrange(year + 1, RAT_DEADLINE_MONTHS)[1])
    if last_distributed_year is not None and last_distributed_year >= year:
        status = RatStatus.APPROVED
    elif day > deadline:
        status = RatStatus.LATE
    else:
        status = RatStatus.WAITING
    return RatDeadline(year, deadline, status)


def oversight_items(coops: Iterable[Cooperative], *, day: datetime.date | None = None) -> list[dict[str, Any]]:
    """Shape annotated cooperatives as rows of the Dinas list, with their subsidy figures (one more query).

    ``day`` (default today) is the month of the subsidy figures and the day the RAT deadline is judged on.
    """
    listed = list(coops)
    day = day or timezone.localdate()
    subsidies = subsidy_figures(cooperative_ids=[c.pk for c in listed], day=day)
    return [oversight_item(coop, subsidies.get(coop.pk, SubsidyFigures()), day=day) for coop in listed]


def oversight_item(coop: Any, subsidies: SubsidyFigures, *, day: datetime.date | None = None) -> dict[str, Any]:
    """Shape one annotated cooperative and its subsidy figures as a row of the Dinas list (API and Excel)."""
    progress = getattr(coop, "facilities_progress", None)
    last_closed = coop.fiscal_year_last_closed
    rat = rat_deadline(
        books_from=coop.books_from, last_distributed_year=coop.shu_last_year, day=day or timezone.localdate()
    )
    return {
        "code": coop.code,
        "name": coop.name,
        "kelurahan_code": coop.kelurahan_id,
        "kelurahan_name": coop.kelurahan.name,
        "kecamatan_code": coop.kelurahan.parent_id,
        "kecamatan_name": coop.kelurahan.parent.name if coop.kelurahan.parent else "",
        "stage": coop.stage,
        "stage_label": coop.get_stage_display(),
        "stage_since": coop.stage_since,
        "legal_documents_issued": coop.legal_issued,
        "legal_documents_total": LEGAL_KINDS_TOTAL,
        "business_units_active": coop.units_active,
        "partners": coop.partners_count,
        "facilities": coop.facilities_count,
        "facilities_progress_pct": round(progress) if progress is not None else None,
        "members_active": coop.members_active,
        "savings_total": coop.savings_total,
        "total_assets": coop.total_assets,
        "surplus_ytd": coop.surplus_ytd,
        "loans_outstanding": coop.loans_outstanding,
        "loans_npl_outstanding": coop.loans_npl_outstanding,
        "npl_ratio": npl_ratio(coop.loans_npl_outstanding, coop.loans_outstanding),
        "shop_sales_month": coop.shop_sales_month,
        "shop_sales_ytd": coop.shop_sales_ytd,
        "shop_member_share_pct": percent_of(coop.shop_member_sales_ytd, coop.shop_sales_ytd),
        "inventory_value": coop.inventory_value,
        "subsidy_lpg_3kg_month": subsidies.lpg_3kg_month,
        "subsidy_sphp_month": subsidies.sphp_month,
        "subsidy_recipients_active": subsidies.recipients_active,
        "fiscal_year_last_closed": last_closed,
        "shu_rat_date": coop.shu_last_rat_date if last_closed and coop.shu_last_year == last_closed else None,
        "rat_year": rat.year,
        "rat_deadline": rat.deadline,
        "rat_status": rat.status,
        "rat_status_label": str(RatStatus(rat.status).label) if rat.status else "",
    }


def oversight_summary(*, user: Any, region_code: str | None = None) -> dict[str, Any]:
    """Return counts per stage and per kecamatan for the dashboard header."""
    qs = cooperative_list_for_user(user=user, region_code=region_code)
    by_kecamatan: dict[str, dict[str, Any]] = {}
    for code, name, kecamatan_stage in qs.order_by().values_list(
        "kelurahan__parent_id", "kelurahan__parent__name", "stage"
    ):
        entry = by_kecamatan.setdefault(str(code), {"code": code, "name": name, "total": 0, "stages": {}})
        entry["total"] += 1
        entry["stages"][kecamatan_stage] = entry["stages"].get(kecamatan_stage, 0) + 1
    return {
        "total": sum(e["total"] for e in by_kecamatan.values()),
        "by_stage": stage_counts(qs),
        "by_kecamatan": [by_kecamatan[k] for k in sorted(by_kecamatan)],
    }
