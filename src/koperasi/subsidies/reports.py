"""Reports of the subsidised-goods programmes (issue 7, ADR 0006): read-only builders, frozen dataclasses out.

Each report covers one programme, or all the cooperative's programmes, over a period of sale
dates (default: this month so far; at most 366 days):

- ``logbook``: every distribution (one subsidised sale line): the sale's date, the local time
  it was recorded, sale number, NIK, name, KK, category, units, units returned since, unit
  price, totals, the partner's reference (MAP) and the cashier. Totals: transactions (sales),
  units and rupiah, handed over and net of returns. The file a partner (Pertamina, Bulog) audits.
- ``allocation``: per programme and month: the partner's allocation (that month's
  ``ProgramAllocation``, else the programme's ``monthly_allocation``, the source shown),
  goods received (stock receipts, ``MoveKind.RECEIPT``, of the programme's product),
  distributed net of returns, allocation remaining (allocation − distributed) and the
  product's stock, all locations, at the end of the days counted. A month counts only its
  days inside the period and the programme's dates, so this month's row says what is left
  of this month's allocation so far.
- ``kelurahan``: per the recipient's kelurahan ("Tidak tercatat" when the recipient has none
  or the buyer is not registered): recipients (distinct NIK), households (distinct KK),
  transactions, units and rupiah net of returns.
- ``anomalies``: three lists for the officers to look into, each row saying why. The
  thresholds are parameters of :func:`anomalies`; pages and API use the defaults:

  (a) ``min_niks_per_kk=3``: one household (KK) bought a product through at least 3
      different NIKs in the period;
  (b) ``min_times_at_limit=3``: one NIK's purchases used up a quota (``reached_limit``)
      at least 3 times in the period;
  (c) ``opens=07:00``, ``closes=21:00``: a sale recorded before opening or after closing
      time (local time, WITA), or recorded on another day than the sale's date (back-dated).

Net of returns: units are Σ (sale line qty − qty returned), read through the sale line as it
is now, as the quota counts them (ADR 0006); the logbook row keeps what was handed over and
shows the units returned beside it. A transaction is one sale (nota); a sale has one
distribution per subsidised line. Products' units differ, so totals over all programmes add
tabung to karung: read them per programme.

Personal data: NIK and KK come out masked (``6471••••••••0001``) unless a builder is called
with ``unmask=True``; the caller checks ``SUBSIDY_NIK_VIEW`` and records the view
(``services.nik_view_record``). Only ``logbook`` and ``anomalies`` carry NIKs
(``ReportSpec.personal``).

Every builder runs a fixed number of queries whatever the number of distributions: the
grouping is SQL, the rest is joined in Python. ``build`` dispatches by the report's slug
(the names of the pages and of the API); ``report_run`` reads the query of a page or an API
call as typed and runs the report.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import BigIntegerField, Count, ExpressionWrapper, F, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncTime
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound, PermissionDenied, ValidationError
from koperasi.core.money import Rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.ledger.periods import month_end, month_start
from koperasi.members.identity import nik_mask
from koperasi.shop.choices import MoveKind
from koperasi.shop.models import StockMove
from koperasi.shop.reports import DATE_MAX, DATE_MIN, Period, date_from_text
from koperasi.subsidies.choices import RecipientCategory
from koperasi.subsidies.models import Distribution, ProgramAllocation, SubsidyProgram

MAX_PERIOD_DAYS = 366  # a (leap) year, both ends counted
MAX_ID_DIGITS = 18  # below 2**63: a longer "id" is a typing error, not a lookup
NOT_RECORDED = _("Tidak tercatat")
NOT_REGISTERED = _("Tidak terdaftar")
UNMASK_REFUSED = (
    "Peran Anda tidak diizinkan melihat NIK dan KK lengkap; hanya ketua, bendahara dan manajer "
    "yang boleh (setiap pembukaan dicatat)."
)

MIN_NIKS_PER_KK = 3
MIN_TIMES_AT_LIMIT = 3
OPENS = datetime.time(7)
CLOSES = datetime.time(21)

# Units a buyer kept: handed over minus returned since (approved returns and voids).
_NET = F("sale_line__qty") - F("sale_line__qty_returned")
_NET_AMOUNT = ExpressionWrapper(
    (F("sale_line__qty") - F("sale_line__qty_returned")) * F("unit_price"), output_field=BigIntegerField()
)


# --- Input: programme and period --------------------------------------------------------------------


@dataclass(frozen=True)
class ProgramRef:
    """The programme a report is about (None in a result: all programmes)."""

    id: int
    name: str
    partner: str
    product: str
    sku: str
    unit: str


def _ref(program: SubsidyProgram | None) -> ProgramRef | None:
    if program is None:
        return None
    product = program.product
    return ProgramRef(program.pk, program.name, program.partner, product.name, product.sku, product.unit)


def program_label(ref: ProgramRef | None) -> str:
    """``Program LPG 3 kg bersubsidi · PT Pertamina Patra Niaga · LPG 3 kg (LPG3)``, or ``Semua program``."""
    if ref is None:
        return str(_("Semua program barang bersubsidi"))
    return str(_("Program %(name)s · %(partner)s · %(product)s (%(sku)s)")) % {
        "name": ref.name,
        "partner": ref.partner,
        "product": ref.product,
        "sku": ref.sku,
    }


def program_id_from_text(raw: str | None) -> int | None:
    """Read the ``program`` query value: a programme's id, or empty for all. Raises ValidationError."""
    text = (raw or "").strip()
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or len(text) > MAX_ID_DIGITS or int(text) == 0:
        raise ValidationError.for_field(
            "program",
            "Program harus nomor program (bilangan bulat positif), atau kosong untuk semua program.",
            code="program_invalid",
        )
    return int(text)


def program_for_report(*, cooperative: Cooperative, program_id: int | None) -> SubsidyProgram | None:
    """Return the cooperative's programme ``program_id`` with its product (None: all). Raises NotFound."""
    if program_id is None:
        return None
    found = SubsidyProgram.objects.filter(cooperative=cooperative, pk=program_id).select_related("product").first()
    if found is None:
        raise NotFound("Program subsidi tidak ditemukan.", code="program_not_found")
    return found


def program_choices(*, cooperative: Cooperative) -> list[tuple[int, str]]:
    """Return (id, label) of every programme of the cooperative for the report form, newest first (one query)."""
    rows = (
        SubsidyProgram.objects.filter(cooperative=cooperative)
        .order_by("-valid_from", "name", "id")
        .values_list("pk", "name", "valid_from", "valid_to")
    )
    out = []
    for pk, name, valid_from, valid_to in rows:
        until = f"{valid_to:%d/%m/%Y}" if valid_to else "…"
        out.append((pk, f"{name} ({valid_from:%d/%m/%Y} – {until})"))
    return out


def flag_from_text(raw: str | None, field_name: str = "unmask") -> bool:
    """Read a yes/no query value (``1``/``true``/``ya``; empty, ``0``: no). Raises ValidationError."""
    text = (raw or "").strip().lower()
    if text in ("", "0", "false", "tidak", "no", "off"):
        return False
    if text in ("1", "true", "ya", "yes", "on"):
        return True
    raise ValidationError.for_field(field_name, "Isi 1 (ya) atau 0 (tidak).", code="flag_invalid")


def unmask_check(roles: Iterable[Role | str], raw: str | None) -> bool:
    """Read ``unmask``; a role without ``SUBSIDY_NIK_VIEW`` asking for it is refused.

    Raises ValidationError (unreadable flag) and PermissionDenied (``nik_view_forbidden``).
    """
    unmask = flag_from_text(raw)
    if unmask and not can(roles, Action.SUBSIDY_NIK_VIEW):
        raise PermissionDenied(UNMASK_REFUSED, code="nik_view_forbidden")
    return unmask


def unmasked_audit_data(spec: ReportSpec, result: Any, file_format: str) -> dict[str, Any] | None:
    """Return what ``services.nik_view_record`` must record for this answer, or None when no full NIK is shown."""
    if not (spec.personal and getattr(result, "unmasked", False)):
        return None
    return {
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
        "rows": result.row_count,
        "format": file_format,
    }


def period_label(result: Any) -> str:
    """``Periode 1 Maret 2026 s.d. 31 Maret 2026``."""
    return str(_("Periode %(start)s s.d. %(end)s")) % {
        "start": date_format(result.start, "j F Y"),
        "end": date_format(result.end, "j F Y"),
    }


def period_resolve(
    start: datetime.date | None, end: datetime.date | None, today: datetime.date | None = None
) -> Period:
    """Return the report's period: defaults to this month so far; at most 366 days. Raises ValidationError.

    Only ``to``: its month up to that day. Only ``from``: up to today (to the end of its
    month when it is after today).
    """
    today = today or timezone.localdate()
    if start is None and end is None:
        start, end = month_start(today), today
    elif start is None:
        assert end is not None
        start = month_start(end)
    elif end is None:
        end = today if start <= today else month_end(start)
    for name, day in (("from", start), ("to", end)):
        if not DATE_MIN <= day <= DATE_MAX:
            raise ValidationError.for_field(
                name, f"Tanggal harus antara {DATE_MIN:%d/%m/%Y} dan {DATE_MAX:%d/%m/%Y}.", code="date_out_of_range"
            )
    if start > end:
        raise ValidationError.for_field("from", "Tanggal awal tidak boleh setelah tanggal akhir.", code="range_invalid")
    days = (end - start).days + 1
    if days > MAX_PERIOD_DAYS:
        raise ValidationError.for_field(
            "to",
            f"Periode paling lama {MAX_PERIOD_DAYS} hari; yang diminta {days} hari. Persempit tanggalnya.",
            code="range_too_long",
        )
    return Period(start, end)


def _distributions(cooperative: Cooperative, program: SubsidyProgram | None, period: Period) -> QuerySet[Distribution]:
    qs = Distribution.objects.filter(cooperative=cooperative, date__gte=period.start, date__lte=period.end)
    if program is not None:
        qs = qs.filter(program=program)
    return qs.order_by()


def _shown(number: str, unmask: bool) -> str:
    if not number:
        return ""
    return number if unmask else nik_mask(number)


def _category_label(code: str) -> str:
    if code in RecipientCategory.values:
        return str(RecipientCategory(code).label)
    return str(NOT_REGISTERED)


def _local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


# --- 1. Logbook -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogbookRow:
    date: datetime.date  # the sale's date
    time: datetime.time  # when it was recorded, local time, to the second
    sale_no: str
    program: str
    nik: str  # masked unless unmasked
    name: str
    kk: str  # masked unless unmasked; "" for a buyer not registered
    category: str
    category_label: str
    qty: int  # handed over
    qty_returned: int  # returned since (approved returns and voids)
    qty_net: int
    unit_price: Rupiah
    total: Rupiah
    total_net: Rupiah
    partner_reference: str
    kasir: str  # the username of who made the sale


@dataclass(frozen=True)
class LogbookTotals:
    transactions: int  # sales (nota)
    distributions: int  # rows
    qty: int
    qty_returned: int
    qty_net: int
    amount: Rupiah
    amount_net: Rupiah


@dataclass(frozen=True)
class Logbook:
    start: datetime.date
    end: datetime.date
    program: ProgramRef | None
    unmasked: bool
    rows: list[LogbookRow]
    totals: LogbookTotals

    @property
    def row_count(self) -> int:
        return len(self.rows)


def logbook(
    *,
    cooperative: Cooperative,
    program: SubsidyProgram | None,
    start: datetime.date,
    end: datetime.date,
    unmask: bool = False,
) -> Logbook:
    """Return every distribution of the programme (or all) dated in the period, oldest first (one query)."""
    period = period_resolve(start, end)
    rows: list[LogbookRow] = []
    sales: set[int] = set()
    for d in (
        _distributions(cooperative, program, period)
        .order_by("date", "recorded_at", "id")
        .values(
            "date",
            "recorded_at",
            "sale_id",
            "nik",
            "kk",
            "name",
            "category",
            "qty",
            "unit_price",
            "partner_reference",
            sale_no=F("sale__sale_no"),
            program_name=F("program__name"),
            returned=F("sale_line__qty_returned"),
            kasir=F("sale__created_by__username"),
        )
    ):
        sales.add(d["sale_id"])
        net = d["qty"] - d["returned"]
        rows.append(
            LogbookRow(
                date=d["date"],
                time=_local(d["recorded_at"]).time().replace(microsecond=0),
                sale_no=d["sale_no"],
                program=d["program_name"],
                nik=_shown(d["nik"], unmask),
                name=d["name"],
                kk=_shown(d["kk"], unmask),
                category=d["category"],
                category_label=_category_label(d["category"]),
                qty=d["qty"],
                qty_returned=d["returned"],
                qty_net=net,
                unit_price=d["unit_price"],
                total=d["qty"] * d["unit_price"],
                total_net=net * d["unit_price"],
                partner_reference=d["partner_reference"],
                kasir=d["kasir"] or "—",
            )
        )
    totals = LogbookTotals(
        transactions=len(sales),
        distributions=len(rows),
        qty=sum(r.qty for r in rows),
        qty_returned=sum(r.qty_returned for r in rows),
        qty_net=sum(r.qty_net for r in rows),
        amount=sum(r.total for r in rows),
        amount_net=sum(r.total_net for r in rows),
    )
    return Logbook(period.start, period.end, _ref(program), unmask, rows, totals)


# --- 2. Allocation received vs distributed --------------------------------------------------------------


ALLOCATION_SOURCES = {
    "month": _("Alokasi bulan ini"),
    "program": _("Bawaan program"),
    "none": _("Belum ditetapkan"),
}


@dataclass(frozen=True)
class AllocationRow:
    program_id: int
    program: str
    unit: str
    month: datetime.date  # its first day
    start: datetime.date  # the days counted: the month within the period and the programme's dates
    end: datetime.date
    allocation: int
    source: str  # "month" (ProgramAllocation), "program" (monthly_allocation) or "none"
    source_label: str
    reference: str  # the partner's allocation letter / DO, when recorded
    received: int  # goods receipts of the product
    distributed: int  # net of returns
    remaining: int  # allocation − distributed (negative: more than allocated)
    stock_end: int  # the product's stock, all locations, at the end of ``end``


@dataclass(frozen=True)
class AllocationTotals:
    allocation: int
    received: int
    distributed: int
    remaining: int


@dataclass(frozen=True)
class AllocationReport:
    start: datetime.date
    end: datetime.date
    program: ProgramRef | None
    rows: list[AllocationRow]
    totals: AllocationTotals

    @property
    def row_count(self) -> int:
        return len(self.rows)


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], month_start(start)
    while month <= end:
        months.append(month)
        month = month_end(month) + datetime.timedelta(days=1)
    return months


def allocation(
    *, cooperative: Cooperative, program: SubsidyProgram | None, start: datetime.date, end: datetime.date
) -> AllocationReport:
    """Return per programme and month: allocation, received, distributed, remaining, stock at the end (≤ 5 queries)."""
    period = period_resolve(start, end)
    if program is not None:
        programs = [program]
    else:
        programs = list(
            SubsidyProgram.objects.filter(cooperative=cooperative, valid_from__lte=period.end)
            .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=period.start))
            .select_related("product")
            .order_by("product__name", "valid_from", "id")
        )
    # The days each programme counts: the period within its dates.
    spans: dict[int, tuple[datetime.date, datetime.date]] = {}
    for p in programs:
        first, last = max(period.start, p.valid_from), min(period.end, p.valid_to or period.end)
        if first <= last:
            spans[p.pk] = (first, last)
    programs = [p for p in programs if p.pk in spans]
    if not programs:
        return AllocationReport(period.start, period.end, _ref(program), [], AllocationTotals(0, 0, 0, 0))

    program_ids = [p.pk for p in programs]
    product_ids = sorted({p.product_id for p in programs})
    allocations = {
        (a.program_id, a.month): a
        for a in ProgramAllocation.objects.filter(
            cooperative=cooperative,
            program_id__in=program_ids,
            month__gte=month_start(period.start),
            month__lte=period.end,
        )
    }
    distributed: dict[tuple[int, datetime.date], int] = {}
    for program_id, day, qty in (
        Distribution.objects.filter(
            cooperative=cooperative, program_id__in=program_ids, date__gte=period.start, date__lte=period.end
        )
        .order_by()
        .values("program_id", "date")
        .annotate(qty=Sum(_NET))
        .values_list("program_id", "date", "qty")
    ):
        distributed[(program_id, day)] = qty or 0
    moves = StockMove.objects.filter(cooperative=cooperative, product_id__in=product_ids).order_by()
    opening = dict(
        moves.filter(date__lt=period.start).values("product_id").annotate(q=Sum("qty")).values_list("product_id", "q")
    )
    daily: dict[int, list[tuple[datetime.date, int, int]]] = defaultdict(list)  # product → (day, moved, received)
    for product_id, day, moved, received in (
        moves.filter(date__gte=period.start, date__lte=period.end)
        .values("product_id", "date")
        .annotate(moved=Sum("qty"), received=Sum("qty", filter=Q(kind=MoveKind.RECEIPT)))
        .order_by("product_id", "date")
        .values_list("product_id", "date", "moved", "received")
    ):
        daily[product_id].append((day, moved or 0, received or 0))

    rows: list[AllocationRow] = []
    for p in programs:
        first, last = spans[p.pk]
        for month in _months(first, last):
            row_start, row_end = max(first, month), min(last, month_end(month))
            recorded = allocations.get((p.pk, month))
            if recorded is not None:
                qty, source, reference = recorded.qty, "month", recorded.reference
            elif p.monthly_allocation:
                qty, source, reference = p.monthly_allocation, "program", ""
            else:
                qty, source, reference = 0, "none", ""
            moved_days = daily.get(p.product_id, [])
            received = sum(r for day, _m, r in moved_days if row_start <= day <= row_end)
            stock = (opening.get(p.product_id) or 0) + sum(m for day, m, _r in moved_days if day <= row_end)
            out = sum(q for (pid, day), q in distributed.items() if pid == p.pk and row_start <= day <= row_end)
            rows.append(
                AllocationRow(
                    program_id=p.pk,
                    program=p.name,
                    unit=p.product.unit,
                    month=month,
                    start=row_start,
                    end=row_end,
                    allocation=qty,
                    source=source,
                    source_label=str(ALLOCATION_SOURCES[source]),
                    reference=reference,
                    received=received,
                    distributed=out,
                    remaining=qty - out,
                    stock_end=stock,
                )
            )
    totals = AllocationTotals(
        allocation=sum(r.allocation for r in rows),
        received=sum(r.received for r in rows),
        distributed=sum(r.distributed for r in rows),
        remaining=sum(r.remaining for r in rows),
    )
    return AllocationReport(period.start, period.end, _ref(program), rows, totals)


# --- 3. By kelurahan ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KelurahanRow:
    code: str  # the region code; "" when not recorded
    name: str
    recipients: int  # distinct NIK
    households: int  # distinct KK
    transactions: int  # sales
    qty_net: int
    amount_net: Rupiah


@dataclass(frozen=True)
class KelurahanTotals:
    recipients: int
    households: int
    transactions: int
    qty_net: int
    amount_net: Rupiah


@dataclass(frozen=True)
class KelurahanReport:
    start: datetime.date
    end: datetime.date
    program: ProgramRef | None
    rows: list[KelurahanRow]
    totals: KelurahanTotals

    @property
    def row_count(self) -> int:
        return len(self.rows)


_KELURAHAN_FIGURES: dict[str, Any] = {
    "recipients": Count("nik", distinct=True),
    "households": Count("kk", distinct=True, filter=~Q(kk="")),
    "transactions": Count("sale_id", distinct=True),
    "qty_net": Sum(_NET),
    "amount_net": Sum(_NET_AMOUNT),
}


def kelurahan(
    *, cooperative: Cooperative, program: SubsidyProgram | None, start: datetime.date, end: datetime.date
) -> KelurahanReport:
    """Return the distribution per the recipients' kelurahan, unrecorded last, with totals (two queries)."""
    period = period_resolve(start, end)
    qs = _distributions(cooperative, program, period)
    groups: list[Any] = list(
        qs.values(code=F("recipient__kelurahan_id"), kel=F("recipient__kelurahan__name")).annotate(**_KELURAHAN_FIGURES)
    )
    rows = [
        KelurahanRow(
            code=g["code"] or "",
            name=g["kel"] or str(NOT_RECORDED),
            recipients=g["recipients"],
            households=g["households"],
            transactions=g["transactions"],
            qty_net=g["qty_net"] or 0,
            amount_net=g["amount_net"] or 0,
        )
        for g in groups
    ]
    rows.sort(key=lambda r: (r.code == "", r.name, r.code))
    # Distinct NIKs and KKs overall, not the sum of the rows' (one query, even when empty).
    whole = qs.aggregate(**_KELURAHAN_FIGURES)
    totals = KelurahanTotals(
        recipients=whole["recipients"] or 0,
        households=whole["households"] or 0,
        transactions=whole["transactions"] or 0,
        qty_net=whole["qty_net"] or 0,
        amount_net=whole["amount_net"] or 0,
    )
    return KelurahanReport(period.start, period.end, _ref(program), rows, totals)


# --- 4. Anomalies ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnomalyThresholds:
    min_niks_per_kk: int
    min_times_at_limit: int
    opens: datetime.time
    closes: datetime.time


@dataclass(frozen=True)
class ManyNiksRow:
    """One household that bought a product through many NIKs."""

    product: str
    kk: str
    nik_count: int
    niks: list[str]
    names: list[str]
    transactions: int
    qty_net: int
    reason: str


@dataclass(frozen=True)
class AtLimitRow:
    """One NIK that used up a quota again and again."""

    product: str
    nik: str
    name: str
    kk: str
    times_at_limit: int
    transactions: int
    qty_net: int
    first_date: datetime.date
    last_date: datetime.date
    reason: str


@dataclass(frozen=True)
class OddTimeRow:
    """One distribution recorded outside opening hours or on another day than its sale."""

    date: datetime.date  # the sale's date
    recorded_at: datetime.datetime  # local time
    sale_no: str
    product: str
    nik: str
    name: str
    qty: int
    kasir: str
    reason: str


@dataclass(frozen=True)
class AnomalyTotals:
    many_niks: int
    at_limit: int
    odd_times: int


@dataclass(frozen=True)
class Anomalies:
    start: datetime.date
    end: datetime.date
    program: ProgramRef | None
    unmasked: bool
    thresholds: AnomalyThresholds
    many_niks: list[ManyNiksRow]
    at_limit: list[AtLimitRow]
    odd_times: list[OddTimeRow]
    totals: AnomalyTotals

    @property
    def row_count(self) -> int:
        return len(self.many_niks) + len(self.at_limit) + len(self.odd_times)


def _positive(value: int, field_name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 1000:
        raise ValidationError.for_field(field_name, "Ambang harus bilangan bulat 1–1000.", code="threshold_invalid")
    return value


def anomalies(
    *,
    cooperative: Cooperative,
    program: SubsidyProgram | None,
    start: datetime.date,
    end: datetime.date,
    unmask: bool = False,
    min_niks_per_kk: int = MIN_NIKS_PER_KK,
    min_times_at_limit: int = MIN_TIMES_AT_LIMIT,
    opens: datetime.time = OPENS,
    closes: datetime.time = CLOSES,
) -> Anomalies:
    """Return the three anomaly lists of the period (three queries; thresholds in the module docstring).

    Raises ValidationError (period, a threshold outside 1–1000, closing not after opening).
    """
    period = period_resolve(start, end)
    thresholds = AnomalyThresholds(
        _positive(min_niks_per_kk, "min_niks_per_kk"),
        _positive(min_times_at_limit, "min_times_at_limit"),
        opens,
        closes,
    )
    if not opens < closes:
        raise ValidationError.for_field("closes", "Jam tutup harus setelah jam buka.", code="hours_invalid")
    qs = _distributions(cooperative, program, period)

    # (a) One KK, many NIKs: per product, KK and NIK, then households with enough NIKs.
    households: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for g in (
        qs.exclude(kk="")
        .values("product_id", "kk", "nik")
        .annotate(
            product_name=Max("product__name"), buyer=Max("name"), qty=Sum(_NET), n=Count("sale_id", distinct=True)
        )
        .order_by("product_id", "kk", "nik")
    ):
        households[(g["product_id"], g["kk"])].append(g)
    many_niks = [
        ManyNiksRow(
            product=members[0]["product_name"],
            kk=_shown(kk, unmask),
            nik_count=len(members),
            niks=[_shown(m["nik"], unmask) for m in members],
            names=[m["buyer"] for m in members],
            transactions=sum(m["n"] for m in members),
            qty_net=sum(m["qty"] or 0 for m in members),
            reason=(
                f"Satu KK membeli {members[0]['product_name']} melalui {len(members)} NIK berbeda dalam periode ini "
                f"(diperiksa mulai {thresholds.min_niks_per_kk} NIK)."
            ),
        )
        for (_product, kk), members in households.items()
        if len(members) >= thresholds.min_niks_per_kk
    ]
    many_niks.sort(key=lambda r: (-r.nik_count, -r.qty_net, r.product, r.kk))

    # (b) Buyers at the limit again and again.
    at_limit_filter = Q(reached_limit=True)
    at_limit = [
        AtLimitRow(
            product=g["product_name"],
            nik=_shown(g["nik"], unmask),
            name=g["buyer"],
            kk=_shown(g["household"], unmask),
            times_at_limit=g["times"],
            transactions=g["n"],
            qty_net=g["qty"] or 0,
            first_date=g["first"],
            last_date=g["last"],
            reason=(
                f"Membeli sampai batas kuota {g['times']} kali dalam periode ini "
                f"(diperiksa mulai {thresholds.min_times_at_limit} kali)."
            ),
        )
        for g in qs.values("product_id", "nik")
        .annotate(
            product_name=Max("product__name"),
            buyer=Max("name"),
            household=Max("kk"),
            times=Count("sale_id", distinct=True, filter=at_limit_filter),
            n=Count("sale_id", distinct=True),
            qty=Sum(_NET),
            first=Min("date", filter=at_limit_filter),
            last=Max("date", filter=at_limit_filter),
        )
        .filter(times__gte=thresholds.min_times_at_limit)
        .order_by("-times", "product_id", "nik")
    ]

    # (c) Outside opening hours, or recorded on another day than the sale's date (local time).
    odd_times: list[OddTimeRow] = []
    for d in (
        qs.annotate(local_time=TruncTime("recorded_at"), local_day=TruncDate("recorded_at"))
        .filter(Q(local_time__lt=opens) | Q(local_time__gt=closes) | ~Q(local_day=F("date")))
        .order_by("date", "recorded_at", "id")
        .values(
            "date",
            "recorded_at",
            "nik",
            "name",
            "qty",
            sale_no=F("sale__sale_no"),
            product_name=F("product__name"),
            kasir=F("sale__created_by__username"),
        )
    ):
        moment = _local(d["recorded_at"])
        reasons = []
        if moment.time() < opens:
            reasons.append(f"Dicatat pukul {moment:%H:%M}, sebelum jam buka {opens:%H:%M}.")
        elif moment.time() > closes:
            reasons.append(f"Dicatat pukul {moment:%H:%M}, setelah jam tutup {closes:%H:%M}.")
        if moment.date() != d["date"]:
            late = "tanggal mundur" if moment.date() > d["date"] else "tanggal maju"
            reasons.append(f"Nota bertanggal {d['date']:%d/%m/%Y} tetapi dicatat {moment:%d/%m/%Y} ({late}).")
        odd_times.append(
            OddTimeRow(
                date=d["date"],
                recorded_at=moment,
                sale_no=d["sale_no"],
                product=d["product_name"],
                nik=_shown(d["nik"], unmask),
                name=d["name"],
                qty=d["qty"],
                kasir=d["kasir"] or "—",
                reason=" ".join(reasons),
            )
        )
    return Anomalies(
        start=period.start,
        end=period.end,
        program=_ref(program),
        unmasked=unmask,
        thresholds=thresholds,
        many_niks=many_niks,
        at_limit=at_limit,
        odd_times=odd_times,
        totals=AnomalyTotals(len(many_niks), len(at_limit), len(odd_times)),
    )


# --- Dispatch -----------------------------------------------------------------------------------------------


Builder = Callable[[Cooperative, SubsidyProgram | None, Period, bool], Any]


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    title: Promise
    description: Promise
    file_stem: str
    personal: bool  # carries NIK/KK: masked unless asked, each unmasked view audited
    build: Builder
    csv: bool = True  # one table: a CSV file makes sense


def _build_logbook(c: Cooperative, program: SubsidyProgram | None, p: Period, unmask: bool) -> Logbook:
    return logbook(cooperative=c, program=program, start=p.start, end=p.end, unmask=unmask)


def _build_allocation(c: Cooperative, program: SubsidyProgram | None, p: Period, unmask: bool) -> AllocationReport:
    return allocation(cooperative=c, program=program, start=p.start, end=p.end)


def _build_kelurahan(c: Cooperative, program: SubsidyProgram | None, p: Period, unmask: bool) -> KelurahanReport:
    return kelurahan(cooperative=c, program=program, start=p.start, end=p.end)


def _build_anomalies(c: Cooperative, program: SubsidyProgram | None, p: Period, unmask: bool) -> Anomalies:
    return anomalies(cooperative=c, program=program, start=p.start, end=p.end, unmask=unmask)


REPORTS: dict[str, ReportSpec] = {
    spec.slug: spec
    for spec in (
        ReportSpec(
            "logbook",
            _("Buku catatan penyaluran"),
            _(
                "Setiap penyaluran: tanggal, jam, nota, NIK, nama, KK, kategori, jumlah, harga, "
                "retur, nomor transaksi mitra dan kasir. Untuk diperiksa mitra (Pertamina, Bulog)."
            ),
            file_stem="buku-penyaluran",
            personal=True,
            build=_build_logbook,
        ),
        ReportSpec(
            "allocation",
            _("Alokasi dan penyaluran"),
            _(
                "Per bulan: alokasi dari mitra, barang diterima, disalurkan (setelah retur), "
                "sisa alokasi dan stok akhir."
            ),
            file_stem="alokasi-penyaluran",
            personal=False,
            build=_build_allocation,
        ),
        ReportSpec(
            "kelurahan",
            _("Penyaluran per kelurahan"),
            _("Per kelurahan penerima: jumlah penerima (NIK), rumah tangga (KK), transaksi, jumlah dan nilai."),
            file_stem="penyaluran-per-kelurahan",
            personal=False,
            build=_build_kelurahan,
        ),
        ReportSpec(
            "anomalies",
            _("Daftar kejanggalan"),
            _(
                "Satu KK membeli melalui banyak NIK, pembeli yang berulang kali sampai batas kuota, "
                "dan penjualan di luar jam buka atau dengan tanggal mundur."
            ),
            file_stem="kejanggalan-penyaluran",
            personal=True,
            build=_build_anomalies,
            csv=False,
        ),
    )
}


def report_spec(name: str) -> ReportSpec:
    """Return the report called ``name``. Raises ValidationError (``report_unknown``)."""
    spec = REPORTS.get(name)
    if spec is None:
        shown = name[:40].replace("\x00", "")
        raise ValidationError.for_field(
            "name", f"Laporan '{shown}' tidak dikenal. Pilih salah satu: {', '.join(REPORTS)}.", code="report_unknown"
        )
    return spec


def build(
    *,
    cooperative: Cooperative,
    name: str,
    program: SubsidyProgram | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    unmask: bool = False,
    today: datetime.date | None = None,
) -> Any:
    """Run the report ``name`` for a programme (None: all) and a period (default: this month so far).

    Raises ValidationError (unknown report, period).
    """
    spec = report_spec(name)
    period = period_resolve(start, end, today)
    return spec.build(cooperative, program, period, unmask and spec.personal)


def report_run(
    *,
    cooperative: Cooperative,
    roles: Iterable[Role | str],
    name: str,
    program: str | None,
    date_from: str | None,
    date_to: str | None,
    unmask: str | None,
) -> tuple[ReportSpec, SubsidyProgram | None, Any]:
    """Read a report's query as typed (``unmask``, report, programme id, period) and run it once.

    Returns the report's spec, the programme (None: all) and the result. Raises PermissionDenied
    (``unmask`` without ``SUBSIDY_NIK_VIEW``), ValidationError (unreadable flag, unknown report,
    programme id, dates, period) and NotFound (another cooperative's programme).
    """
    unmasked = unmask_check(roles, unmask)
    spec = report_spec(name)
    program_id = program_id_from_text(program)
    start = date_from_text(date_from, "from")
    end = date_from_text(date_to, "to")
    chosen = program_for_report(cooperative=cooperative, program_id=program_id)
    result = build(cooperative=cooperative, name=spec.slug, program=chosen, start=start, end=end, unmask=unmasked)
    return spec, chosen, result
