"""Reports of the gerai and gudang (issue 6): read-only builders, frozen dataclasses out.

- ``daily_sales``: sales per day, per cashier, per payment method and member / non-member;
  number of sales, gross, returns and net, tied to the revenue in the ledger;
- ``sales_by_product``: quantity sold net of returns, revenue, cost and margin per product
  (a consignment product's margin is the cooperative's commission), tied to the COGS account;
- ``stock_valuation``: quantity, average cost and value per product and per location now,
  beside the ledger's inventory account;
- ``slow_moving``: products in stock whose last sale is more than ``days`` days ago, or never;
- ``purchases_by_supplier``: goods received and payments in a period, what is owed now,
  beside the ledger's trade payable;
- ``price_vs_het``: every product with a HET commodity against the ceiling in force today;
- ``consignment``: per UMKM consignor: units sold, gross, commission, owed and settled in a
  period and outstanding now, beside the ledger's consignment payable;
- ``sessions``: the cashier sessions closed in a period with their cash count.

Dating. A sale counts on its date; a return (or void) counts on its own date, only once
approved, with the sale's cashier, payment method and buyer: that is how the ledger books
them (the refund entry is dated the return's date), so "net" ties to the revenue accounts
of the same period. Pending and rejected returns change nothing.

Every builder runs a fixed number of queries whatever the number of rows: the grouping is
SQL, the per-row figures are joined in Python. ``build`` dispatches by the report's slug
(the names of the API and of the pages).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import ValidationError
from koperasi.core.money import Rupiah
from koperasi.ledger import selectors as ledger_selectors
from koperasi.ledger.models import Account, JournalLine
from koperasi.ledger.periods import month_start
from koperasi.shop import calculations, selectors
from koperasi.shop.choices import HetCommodity, PaymentMethod, ReturnStatus, SessionStatus, SupplierKind
from koperasi.shop.models import (
    CashierSession,
    ConsignmentSettlement,
    GoodsReceipt,
    Product,
    Sale,
    SaleLine,
    SaleReturnLine,
    StockLevel,
    Supplier,
    SupplierPayment,
)

MAX_RANGE_DAYS = 366  # a period is at most a (leap) year
DATE_MIN, DATE_MAX = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)
SLOW_DEFAULT_DAYS = 30
SLOW_MAX_DAYS = 3650
FAR_FUTURE = datetime.date(9999, 1, 1)  # "every posting" (as ``savings.selectors.FAR_FUTURE``)

# Ledger roles the gerai's sales post to (postings.sale_lines).
OWN_REVENUE_ROLES = ("sales_members", "sales_non_members")
COMMISSION_ROLES = ("consignment_commission_members", "consignment_commission_non_members")
SALE_SOURCES = ("shop.sale", "shop.salereturn")  # journal source types of sales and returns


# --- Periods and small helpers --------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date


def period_default(today: datetime.date | None = None) -> Period:
    """This month so far: the first of the month to today."""
    today = today or timezone.localdate()
    return Period(month_start(today), today)


def period_check(start: datetime.date, end: datetime.date) -> Period:
    """Return the period; raise ValidationError when it is reversed, out of range or longer than a year."""
    for name, day in (("from", start), ("to", end)):
        if not DATE_MIN <= day <= DATE_MAX:
            raise ValidationError.for_field(
                name, f"Tanggal harus antara {DATE_MIN:%d/%m/%Y} dan {DATE_MAX:%d/%m/%Y}.", code="date_out_of_range"
            )
    if start > end:
        raise ValidationError.for_field("from", "Tanggal awal tidak boleh setelah tanggal akhir.", code="range_invalid")
    if (end - start).days > MAX_RANGE_DAYS:
        raise ValidationError.for_field("from", "Rentang tanggal paling lama satu tahun.", code="range_too_long")
    return Period(start, end)


def days_check(days: int) -> int:
    """Return the slow-moving threshold; raise ValidationError outside 1–3650 days."""
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= SLOW_MAX_DAYS:
        raise ValidationError.for_field("days", f"Jumlah hari harus 1–{SLOW_MAX_DAYS}.", code="days_invalid")
    return days


def date_from_text(raw: str | None, field_name: str) -> datetime.date | None:
    """Read a ``YYYY-MM-DD`` query value (empty: None). Raises ValidationError (``date_invalid``)."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        day = datetime.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        shown = text[:20].replace("\x00", "")
        raise ValidationError.for_field(
            field_name, f"Tanggal tidak valid: '{shown}'. Gunakan format TTTT-BB-HH.", code="date_invalid"
        ) from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError.for_field(
            field_name, f"Tanggal harus antara {DATE_MIN:%d/%m/%Y} dan {DATE_MAX:%d/%m/%Y}.", code="date_out_of_range"
        )
    return day


def days_from_text(raw: str | None) -> int:
    """Read the ``days`` query value (empty: 30). Raises ValidationError (``days_invalid``)."""
    text = (raw or "").strip()
    if not text:
        return SLOW_DEFAULT_DAYS
    if not text.isascii() or not text.isdigit() or len(text) > 5:
        raise ValidationError.for_field(
            "days", f"Jumlah hari harus bilangan bulat 1–{SLOW_MAX_DAYS}.", code="days_invalid"
        )
    return days_check(int(text))


def percent(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, two places (None when ``whole`` is 0)."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def person_name(first: str | None, last: str | None, username: str | None) -> str:
    """A user's name as shown on reports: full name, else the username, else a dash."""
    full = f"{first or ''} {last or ''}".strip()
    return full or username or "—"


def _in(start: datetime.date, end: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}date__gte": start, f"{prefix}date__lte": end})


def _role_balances(cooperative: Cooperative, roles: Iterable[str]) -> dict[str, int]:
    """Debit − credit of each role's account over every posting (three queries)."""
    accounts = dict(Account.objects.filter(cooperative=cooperative, role__in=list(roles)).values_list("pk", "role"))
    totals = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=FAR_FUTURE)
    out = dict.fromkeys(roles, 0)
    for account_id, role in accounts.items():
        debit, credit = totals.get(account_id, (0, 0))
        out[role] += debit - credit
    return out


def _sales_ledger(cooperative: Cooperative, period: Period) -> dict[str, int]:
    """Credit − debit per role of what sales and returns posted in the period (one query).

    Revenue and commission accounts count whole; the consignment payable and COGS only the
    lines of sale and return entries (settlements and stock counts are not sales).
    """
    roles = (*OWN_REVENUE_ROLES, *COMMISSION_ROLES)
    rows = (
        JournalLine.objects.filter(_in(period.start, period.end), cooperative=cooperative)
        .filter(
            Q(account__role__in=roles)
            | Q(account__role__in=("consignment_payable", "cogs"), entry__source_type__in=SALE_SOURCES)
        )
        .order_by()
        .values("account__role")
        .annotate(d=Sum("debit"), c=Sum("credit"))
        .values_list("account__role", "d", "c")
    )
    out = dict.fromkeys((*roles, "consignment_payable", "cogs"), 0)
    for role, debit, credit in rows:
        out[role] += (credit or 0) - (debit or 0)
    return out


# --- 1. Daily sales --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SalesFigures:
    sales_count: int = 0  # sales dated in the period (voided ones included: their void is a return)
    gross: Rupiah = 0
    returns_count: int = 0  # approved returns and voids dated in the period
    returns: Rupiah = 0
    net: Rupiah = 0  # gross − returns


class _Acc:
    """A mutable sum of sales figures (frozen into ``SalesFigures``)."""

    __slots__ = ("gross", "returns", "returns_count", "sales_count")

    def __init__(self) -> None:
        self.sales_count = self.gross = self.returns_count = self.returns = 0

    def add(self, sales_count: int, gross: int, returns_count: int, returns: int) -> None:
        self.sales_count += sales_count
        self.gross += gross
        self.returns_count += returns_count
        self.returns += returns

    def frozen(self) -> SalesFigures:
        return SalesFigures(self.sales_count, self.gross, self.returns_count, self.returns, self.gross - self.returns)


@dataclass(frozen=True)
class DayRow:
    date: datetime.date
    figures: SalesFigures
    net_tunai: Rupiah
    net_qris: Rupiah
    net_transfer: Rupiah
    net_member: Rupiah
    net_non_member: Rupiah


@dataclass(frozen=True)
class GroupRow:
    key: str  # cashier id ("" none), payment method, or "member" / "non_member"
    label: str
    figures: SalesFigures


@dataclass(frozen=True)
class DayCashierRow:
    date: datetime.date
    cashier_id: int | None
    cashier: str
    figures: SalesFigures


@dataclass(frozen=True)
class DailySales:
    start: datetime.date
    end: datetime.date
    days: list[DayRow]  # every day of the period, quiet days included
    day_cashiers: list[DayCashierRow]  # per day and cashier, days with sales or returns only
    by_cashier: list[GroupRow]
    by_method: list[GroupRow]  # tunai, qris, transfer (all three)
    by_buyer: list[GroupRow]  # member, non_member
    total: SalesFigures
    own_net: Rupiah  # own goods: what the revenue accounts 4-1100 + 4-2100 should hold
    consignment_net: Rupiah  # consignment goods at their selling price
    commission_net: Rupiah  # the cooperative's part of ``consignment_net``
    ledger_own: Rupiah  # 4-1100 + 4-2100, credit − debit, in the period
    ledger_consignment: Rupiah  # commission accounts + the consignor's part booked by sales and returns
    ledger_revenue: Rupiah  # ledger_own + ledger_consignment
    difference: Rupiah  # total.net − ledger_revenue (0 when the books agree)


BUYER_LABELS = {"member": _("Anggota"), "non_member": _("Bukan anggota")}


def daily_sales(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> DailySales:
    """Return the sales of ``start``–``end`` per day, cashier, payment method and buyer (three queries)."""
    period = period_check(start, end)
    sold = (
        SaleLine.objects.filter(_in(start, end, "sale__"), cooperative=cooperative)
        .order_by()
        .values(
            date=F("sale__date"),
            cashier_id=F("sale__created_by_id"),
            first=F("sale__created_by__first_name"),
            last=F("sale__created_by__last_name"),
            username=F("sale__created_by__username"),
            method=F("sale__payment_method"),
            member=F("sale__is_member_sale"),
        )
        .annotate(
            n=Count("sale_id", distinct=True),
            gross_sum=Sum("line_total"),
            consignment_sum=Coalesce(Sum("line_total", filter=Q(consignor__isnull=False)), 0),
            commission_sum=Sum("commission"),
        )
    )
    returned = (
        SaleReturnLine.objects.filter(
            _in(start, end, "sale_return__"), cooperative=cooperative, sale_return__status=ReturnStatus.APPROVED
        )
        .order_by()
        .values(
            date=F("sale_return__date"),
            cashier_id=F("sale_return__sale__created_by_id"),
            first=F("sale_return__sale__created_by__first_name"),
            last=F("sale_return__sale__created_by__last_name"),
            username=F("sale_return__sale__created_by__username"),
            method=F("sale_return__sale__payment_method"),
            member=F("sale_return__sale__is_member_sale"),
        )
        .annotate(
            n=Count("sale_return_id", distinct=True),
            amount_sum=Sum("amount"),
            consignment_sum=Coalesce(Sum("amount", filter=Q(sale_line__consignor__isnull=False)), 0),
            commission_sum=Sum("commission"),
        )
    )
    # One cell per (day, cashier, method, buyer): sales count, gross, returns count, returns.
    cells: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    names: dict[int | None, str] = {}
    own = consignment = commission = 0
    for row in sold:
        key = tuple(row[k] for k in ("date", "cashier_id", "method", "member"))
        cell = cells[key]
        cell[0] += row["n"]
        cell[1] += row["gross_sum"]
        names[row["cashier_id"]] = person_name(row["first"], row["last"], row["username"])
        own += row["gross_sum"] - row["consignment_sum"]
        consignment += row["consignment_sum"]
        commission += row["commission_sum"]
    for back in returned:
        key = tuple(back[k] for k in ("date", "cashier_id", "method", "member"))
        cell = cells[key]
        cell[2] += back["n"]
        cell[3] += back["amount_sum"]
        names[back["cashier_id"]] = person_name(back["first"], back["last"], back["username"])
        own -= back["amount_sum"] - back["consignment_sum"]
        consignment -= back["consignment_sum"]
        commission -= back["commission_sum"]

    per_day: dict[datetime.date, _Acc] = defaultdict(_Acc)
    per_day_split: dict[tuple[datetime.date, str], int] = defaultdict(int)
    per_day_cashier: dict[tuple[datetime.date, int | None], _Acc] = defaultdict(_Acc)
    per_cashier: dict[int | None, _Acc] = defaultdict(_Acc)
    per_method: dict[str, _Acc] = {m: _Acc() for m in PaymentMethod.values}
    per_buyer: dict[str, _Acc] = {"member": _Acc(), "non_member": _Acc()}
    total = _Acc()
    for (day, cashier_id, method, member), figures in cells.items():
        buyer = "member" if member else "non_member"
        net = figures[1] - figures[3]
        for acc in (
            per_day[day],
            per_day_cashier[(day, cashier_id)],
            per_cashier[cashier_id],
            per_method.setdefault(method, _Acc()),
            per_buyer[buyer],
            total,
        ):
            acc.add(*figures)
        per_day_split[(day, method)] += net
        per_day_split[(day, buyer)] += net

    days = []
    for offset in range((end - start).days + 1):
        day = start + datetime.timedelta(days=offset)
        days.append(
            DayRow(
                date=day,
                figures=per_day[day].frozen() if day in per_day else SalesFigures(),
                net_tunai=per_day_split.get((day, PaymentMethod.TUNAI), 0),
                net_qris=per_day_split.get((day, PaymentMethod.QRIS), 0),
                net_transfer=per_day_split.get((day, PaymentMethod.TRANSFER), 0),
                net_member=per_day_split.get((day, "member"), 0),
                net_non_member=per_day_split.get((day, "non_member"), 0),
            )
        )
    method_labels = dict(PaymentMethod.choices)
    ledger = _sales_ledger(cooperative, period)
    ledger_own = sum(ledger[r] for r in OWN_REVENUE_ROLES)
    ledger_consignment = sum(ledger[r] for r in COMMISSION_ROLES) + ledger["consignment_payable"]
    result_total = total.frozen()
    return DailySales(
        start=start,
        end=end,
        days=days,
        day_cashiers=[
            DayCashierRow(day, cashier_id, names.get(cashier_id, "—"), acc.frozen())
            for (day, cashier_id), acc in sorted(
                per_day_cashier.items(), key=lambda item: (item[0][0], names.get(item[0][1], ""), item[0][1] or 0)
            )
        ],
        by_cashier=[
            GroupRow("" if cashier_id is None else str(cashier_id), names.get(cashier_id, "—"), acc.frozen())
            for cashier_id, acc in sorted(per_cashier.items(), key=lambda item: (names.get(item[0], ""), item[0] or 0))
        ],
        by_method=[GroupRow(m, str(method_labels.get(m, m)), acc.frozen()) for m, acc in per_method.items()],
        by_buyer=[GroupRow(k, str(BUYER_LABELS[k]), acc.frozen()) for k, acc in per_buyer.items()],
        total=result_total,
        own_net=own,
        consignment_net=consignment,
        commission_net=commission,
        ledger_own=ledger_own,
        ledger_consignment=ledger_consignment,
        ledger_revenue=ledger_own + ledger_consignment,
        difference=result_total.net - (ledger_own + ledger_consignment),
    )


# --- 2. Sales by product with margin ------------------------------------------------------------------


@dataclass(frozen=True)
class ProductSalesRow:
    product_id: int
    sku: str
    name: str
    unit: str
    is_consignment: bool
    qty_sold: int
    qty_returned: int
    qty: int  # sold − returned
    revenue: Rupiah  # net of returns
    cost: Rupiah  # own goods: cost of goods sold; consignment: the consignor's part
    margin: Rupiah  # revenue − cost (consignment: the commission)
    margin_percent: Decimal | None  # of the revenue; None without revenue


@dataclass(frozen=True)
class SalesByProduct:
    start: datetime.date
    end: datetime.date
    rows: list[ProductSalesRow]  # products sold or returned in the period, by name
    revenue: Rupiah
    cost: Rupiah
    margin: Rupiah
    margin_percent: Decimal | None
    own_revenue: Rupiah
    own_cost: Rupiah  # what the COGS account should hold for the period
    consignment_revenue: Rupiah
    commission: Rupiah
    ledger_cogs: Rupiah  # debit − credit of COGS booked by sales and returns in the period
    cogs_difference: Rupiah  # own_cost − ledger_cogs


def sales_by_product(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> SalesByProduct:
    """Return each product's net sales, cost and margin in ``start``–``end`` (three queries)."""
    period = period_check(start, end)
    sold = (
        SaleLine.objects.filter(_in(start, end, "sale__"), cooperative=cooperative)
        .order_by()
        .values(
            "product_id",
            sku=F("product__sku"),
            name=F("product__name"),
            unit=F("product__unit"),
            owner=F("product__consignor_id"),
        )
        .annotate(qty_=Sum("qty"), amount_=Sum("line_total"), cost_=Sum("cost"), commission_=Sum("commission"))
    )
    returned = (
        SaleReturnLine.objects.filter(
            _in(start, end, "sale_return__"), cooperative=cooperative, sale_return__status=ReturnStatus.APPROVED
        )
        .order_by()
        .values(
            product_id=F("sale_line__product_id"),
            sku=F("sale_line__product__sku"),
            name=F("sale_line__product__name"),
            unit=F("sale_line__product__unit"),
            owner=F("sale_line__product__consignor_id"),
        )
        .annotate(qty_=Sum("qty"), amount_=Sum("amount"), cost_=Sum("cost"), commission_=Sum("commission"))
    )
    info: dict[int, dict[str, Any]] = {}
    figures: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # sold, returned, amount, cost, commission
    both: list[tuple[int, Any]] = [(1, sold), (-1, returned)]
    for sign, rows in both:
        for row in rows:
            pid = row["product_id"]
            info[pid] = row
            f = figures[pid]
            f[0 if sign > 0 else 1] += row["qty_"]
            f[2] += sign * row["amount_"]
            f[3] += sign * row["cost_"]
            f[4] += sign * row["commission_"]
    out = []
    own_revenue = own_cost = consignment_revenue = commission = 0
    for pid, (qty_sold, qty_returned, revenue, cost, comm) in figures.items():
        row = info[pid]
        is_consignment = row["owner"] is not None
        if is_consignment:
            consignment_revenue += revenue
            commission += comm
            cost = revenue - comm
        else:
            own_revenue += revenue
            own_cost += cost
        out.append(
            ProductSalesRow(
                product_id=pid,
                sku=row["sku"],
                name=row["name"],
                unit=row["unit"],
                is_consignment=is_consignment,
                qty_sold=qty_sold,
                qty_returned=qty_returned,
                qty=qty_sold - qty_returned,
                revenue=revenue,
                cost=cost,
                margin=revenue - cost,
                margin_percent=percent(revenue - cost, revenue),
            )
        )
    out.sort(key=lambda r: (r.name.lower(), r.sku))
    ledger_cogs = -_sales_ledger(cooperative, period)["cogs"]
    revenue = own_revenue + consignment_revenue
    cost = own_cost + consignment_revenue - commission
    return SalesByProduct(
        start=start,
        end=end,
        rows=out,
        revenue=revenue,
        cost=cost,
        margin=revenue - cost,
        margin_percent=percent(revenue - cost, revenue),
        own_revenue=own_revenue,
        own_cost=own_cost,
        consignment_revenue=consignment_revenue,
        commission=commission,
        ledger_cogs=ledger_cogs,
        cogs_difference=own_cost - ledger_cogs,
    )


# --- 3. Stock valuation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StockLocationRow:
    location_id: int
    location_code: str
    location: str
    qty: int
    value: Rupiah


@dataclass(frozen=True)
class StockValueRow:
    product_id: int
    sku: str
    name: str
    unit: str
    is_consignment: bool  # owned by a UMKM: counted, never valued
    qty: int
    average_cost: Rupiah  # value ÷ qty, rounded (0 for consignment)
    value: Rupiah
    locations: list[StockLocationRow]  # the parts sum exactly to qty and value


@dataclass(frozen=True)
class StockValuation:
    as_of: datetime.date
    rows: list[StockValueRow]  # products with stock, by name
    by_location: list[StockLocationRow]  # totals per location
    total_value: Rupiah
    consignment_qty: int  # units held for UMKM (no value in the books)
    ledger_value: Rupiah  # balance of the inventory account (1-1500)
    difference: Rupiah  # total_value − ledger_value (0 when the books agree)


def split_value(stock_qty: int, stock_value: int, parts: list[int]) -> list[Rupiah]:
    """Split a product's value over its locations' quantities at the moving-average cost, summing exactly."""
    out, done_qty, done_value = [], 0, 0
    for qty in parts:
        done_qty += qty
        cumulative = calculations.cost_of_units(stock_qty, stock_value, done_qty)
        out.append(cumulative - done_value)
        done_value = cumulative
    return out


def stock_valuation(*, cooperative: Cooperative, today: datetime.date | None = None) -> StockValuation:
    """Return the stock on hand now per product and location with its value (five queries)."""
    products = list(
        Product.objects.filter(cooperative=cooperative, stock_qty__gt=0)
        .order_by("name", "sku")
        .values("pk", "sku", "name", "unit", "consignor_id", "stock_qty", "stock_value")
    )
    levels: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for product_id, location_id, code, name, qty in (
        StockLevel.objects.filter(cooperative=cooperative, qty__gt=0)
        .order_by("location__kind", "location__code", "location_id")
        .values_list("product_id", "location_id", "location__code", "location__name", "qty")
    ):
        levels[product_id].append((location_id, code, name, qty))
    rows = []
    per_location: dict[int, list[Any]] = {}
    consignment_qty = 0
    for p in products:
        is_consignment = p["consignor_id"] is not None
        value = 0 if is_consignment else p["stock_value"]
        at = levels.get(p["pk"], [])
        values = split_value(p["stock_qty"], value, [qty for *_, qty in at])
        locations = []
        for (location_id, code, name, qty), part in zip(at, values, strict=True):
            locations.append(StockLocationRow(location_id, code, name, qty, part))
            total = per_location.setdefault(location_id, [code, name, 0, 0])
            total[2] += qty
            total[3] += part
        if is_consignment:
            consignment_qty += p["stock_qty"]
        rows.append(
            StockValueRow(
                product_id=p["pk"],
                sku=p["sku"],
                name=p["name"],
                unit=p["unit"],
                is_consignment=is_consignment,
                qty=p["stock_qty"],
                average_cost=0 if is_consignment else calculations.cost_of_units(p["stock_qty"], value, 1),
                value=value,
                locations=locations,
            )
        )
    ledger_value = _role_balances(cooperative, ["inventory"])["inventory"]
    total_value = sum(r.value for r in rows)
    return StockValuation(
        as_of=today or timezone.localdate(),
        rows=rows,
        by_location=[StockLocationRow(lid, c, n, q, v) for lid, (c, n, q, v) in per_location.items()],
        total_value=total_value,
        consignment_qty=consignment_qty,
        ledger_value=ledger_value,
        difference=total_value - ledger_value,
    )


# --- 4. Slow-moving stock -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlowRow:
    product_id: int
    sku: str
    name: str
    unit: str
    is_consignment: bool
    qty: int
    value: Rupiah
    last_sale: datetime.date | None  # None: never sold
    days_since: int | None  # days from the last sale to ``as_of``; None: never sold


@dataclass(frozen=True)
class SlowMoving:
    as_of: datetime.date
    days: int
    rows: list[SlowRow]  # never sold first, then the longest unsold
    total_qty: int
    total_value: Rupiah


def slow_moving(
    *, cooperative: Cooperative, days: int = SLOW_DEFAULT_DAYS, today: datetime.date | None = None
) -> SlowMoving:
    """Return the products in stock last sold before ``today − days``, or never sold (one query)."""
    days = days_check(days)
    today = today or timezone.localdate()
    last_sale = Subquery(
        SaleLine.objects.filter(cooperative_id=OuterRef("cooperative_id"), product_id=OuterRef("pk"))
        .filter(sale__date__lte=today)
        .order_by()
        .values("product_id")
        .annotate(last=Max("sale__date"))
        .values("last")
    )
    cutoff = today - datetime.timedelta(days=days)
    products = (
        Product.objects.filter(cooperative=cooperative, stock_qty__gt=0)
        .annotate(last_sale=last_sale)
        .filter(Q(last_sale__isnull=True) | Q(last_sale__lt=cutoff))
        .order_by(F("last_sale").asc(nulls_first=True), "name", "sku")
        .values("pk", "sku", "name", "unit", "consignor_id", "stock_qty", "stock_value", "last_sale")
    )
    rows = [
        SlowRow(
            product_id=p["pk"],
            sku=p["sku"],
            name=p["name"],
            unit=p["unit"],
            is_consignment=p["consignor_id"] is not None,
            qty=p["stock_qty"],
            value=p["stock_value"],
            last_sale=p["last_sale"],
            days_since=None if p["last_sale"] is None else (today - p["last_sale"]).days,
        )
        for p in products
    ]
    return SlowMoving(
        as_of=today,
        days=days,
        rows=rows,
        total_qty=sum(r.qty for r in rows),
        total_value=sum(r.value for r in rows),
    )


# --- 5. Purchases by supplier ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRow:
    supplier_id: int
    name: str
    kind: str
    receipts_count: int
    received: Rupiah  # goods received in the period
    received_paid: Rupiah  # of which paid on receipt (cash or transfer)
    received_on_credit: Rupiah  # of which owed
    payments_count: int
    paid: Rupiah  # payments of the payable in the period
    outstanding: Rupiah  # owed now


@dataclass(frozen=True)
class PurchasesBySupplier:
    start: datetime.date
    end: datetime.date
    rows: list[SupplierRow]  # suppliers with receipts or payments in the period, or owed now
    received: Rupiah
    received_paid: Rupiah
    received_on_credit: Rupiah
    paid: Rupiah
    outstanding: Rupiah
    ledger_payable: Rupiah  # balance of the trade payable account (2-1300) now
    difference: Rupiah  # outstanding − ledger_payable


def purchases_by_supplier(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> PurchasesBySupplier:
    """Return receipts and payments per supplier in ``start``–``end`` and what is owed now (eight queries)."""
    period_check(start, end)
    receipts = {
        row["supplier_id"]: row
        for row in GoodsReceipt.objects.filter(_in(start, end), cooperative=cooperative)
        .order_by()
        .values("supplier_id")
        .annotate(n=Count("pk"), s=Sum("total"), p=Coalesce(Sum("total", filter=Q(paid_on_receipt=True)), 0))
    }
    payments = {
        row["supplier_id"]: row
        for row in SupplierPayment.objects.filter(_in(start, end), cooperative=cooperative)
        .order_by()
        .values("supplier_id")
        .annotate(n=Count("pk"), s=Sum("amount"))
    }
    owed = selectors.supplier_payables(cooperative=cooperative)
    ids = set(receipts) | set(payments) | {sid for sid, amount in owed.items() if amount}
    suppliers = (
        Supplier.objects.filter(cooperative=cooperative, pk__in=ids).order_by("name").values("pk", "name", "kind")
    )
    rows = []
    for s in suppliers:
        r = receipts.get(s["pk"], {"n": 0, "s": 0, "p": 0})
        p = payments.get(s["pk"], {"n": 0, "s": 0})
        rows.append(
            SupplierRow(
                supplier_id=s["pk"],
                name=s["name"],
                kind=s["kind"],
                receipts_count=r["n"],
                received=r["s"],
                received_paid=r["p"],
                received_on_credit=r["s"] - r["p"],
                payments_count=p["n"],
                paid=p["s"],
                outstanding=owed.get(s["pk"], 0),
            )
        )
    ledger_payable = -_role_balances(cooperative, ["trade_payable"])["trade_payable"]
    outstanding = sum(owed.values())
    return PurchasesBySupplier(
        start=start,
        end=end,
        rows=rows,
        received=sum(r.received for r in rows),
        received_paid=sum(r.received_paid for r in rows),
        received_on_credit=sum(r.received_on_credit for r in rows),
        paid=sum(r.paid for r in rows),
        outstanding=outstanding,
        ledger_payable=ledger_payable,
        difference=outstanding - ledger_payable,
    )


# --- 6. Price vs HET ---------------------------------------------------------------------------------------


class HetStatus:
    OK = "ok"
    ABOVE = "above"  # the price is over the ceiling (a newly lower HET)
    NO_HET = "no_het"  # no ceiling in force for the cooperative's region


HET_STATUS_LABELS = {
    HetStatus.OK: _("Sesuai HET"),
    HetStatus.ABOVE: _("Di atas HET"),
    HetStatus.NO_HET: _("Tidak ada HET berlaku"),
}


@dataclass(frozen=True)
class PriceHetRow:
    product_id: int
    sku: str
    name: str
    unit: str
    commodity: str
    commodity_label: str
    het_quantity: Decimal  # commodity units per selling unit (5 for a 5 kg sack)
    price: Rupiah  # selling price in force today
    het_price: Rupiah | None  # the HET per commodity unit, None without one
    limit: Rupiah | None  # the most one selling unit may cost
    headroom: Rupiah | None  # limit − price (negative: above the ceiling)
    status: str  # HetStatus


@dataclass(frozen=True)
class PriceVsHet:
    as_of: datetime.date
    rows: list[PriceHetRow]  # active products with a HET commodity; above the ceiling first
    above_count: int
    no_het_count: int


def price_vs_het(*, cooperative: Cooperative, today: datetime.date | None = None) -> PriceVsHet:
    """Return each active product with a HET commodity against the ceiling in force ``today`` (three queries)."""
    today = today or timezone.localdate()
    products = list(
        Product.objects.filter(cooperative=cooperative, is_active=True)
        .exclude(het_commodity="")
        .order_by("name", "sku")
        .values("pk", "sku", "name", "unit", "het_commodity", "het_quantity", "price")
    )
    prices = selectors.prices_on(cooperative=cooperative, product_ids=[p["pk"] for p in products], date=today)
    het = selectors.het_rows(cooperative=cooperative, commodities={p["het_commodity"] for p in products})
    labels = dict(HetCommodity.choices)
    rows = []
    for p in products:
        price = prices.get(p["pk"], p["price"])
        row = calculations.het_pick(
            het, commodity=p["het_commodity"], kelurahan_code=cooperative.kelurahan_id, date=today
        )
        limit = None if row is None else calculations.het_limit(row.price, Decimal(p["het_quantity"]))
        status = HetStatus.NO_HET if limit is None else HetStatus.ABOVE if price > limit else HetStatus.OK
        rows.append(
            PriceHetRow(
                product_id=p["pk"],
                sku=p["sku"],
                name=p["name"],
                unit=p["unit"],
                commodity=p["het_commodity"],
                commodity_label=str(labels.get(p["het_commodity"], p["het_commodity"])),
                het_quantity=Decimal(p["het_quantity"]).normalize(),
                price=price,
                het_price=None if row is None else row.price,
                limit=limit,
                headroom=None if limit is None else limit - price,
                status=status,
            )
        )
    order = {HetStatus.ABOVE: 0, HetStatus.NO_HET: 1, HetStatus.OK: 2}
    rows.sort(key=lambda r: order[r.status])  # stable: by name within each status
    return PriceVsHet(
        as_of=today,
        rows=rows,
        above_count=sum(r.status == HetStatus.ABOVE for r in rows),
        no_het_count=sum(r.status == HetStatus.NO_HET for r in rows),
    )


# --- 7. Consignment settlement -------------------------------------------------------------------------


@dataclass(frozen=True)
class ConsignorRow:
    supplier_id: int
    name: str
    member_name: str  # the member owning the UMKM, "" if none
    units_sold: int  # in the period, net of returns
    gross: Rupiah  # selling price of those units
    commission: Rupiah  # the cooperative's part
    owed: Rupiah  # gross − commission: what the UMKM earned in the period
    paid: Rupiah  # settlements in the period
    outstanding: Rupiah  # still owed now (all periods)
    stock_qty: int  # the UMKM's units in the gerai now


@dataclass(frozen=True)
class ConsignmentReport:
    start: datetime.date
    end: datetime.date
    rows: list[ConsignorRow]  # every consignor, by name
    units_sold: int
    gross: Rupiah
    commission: Rupiah
    owed: Rupiah
    paid: Rupiah
    outstanding: Rupiah
    ledger_payable: Rupiah  # balance of the consignment payable account (2-1310) now
    difference: Rupiah  # outstanding − ledger_payable


def consignment(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> ConsignmentReport:
    """Return per UMKM consignor the period's sales, commission, settlements and what is owed now (seven queries)."""
    period_check(start, end)
    in_period = _in(start, end, "sale__")
    sold = {
        row["consignor_id"]: row
        for row in SaleLine.objects.filter(cooperative=cooperative, consignor__isnull=False)
        .order_by()
        .values("consignor_id")
        .annotate(
            all_amount=Sum("line_total"),
            all_commission=Sum("commission"),
            qty_=Coalesce(Sum("qty", filter=in_period), 0),
            amount_=Coalesce(Sum("line_total", filter=in_period), 0),
            commission_=Coalesce(Sum("commission", filter=in_period), 0),
        )
    }
    returned_in_period = _in(start, end, "sale_return__")
    returned = {
        row["consignor_id"]: row
        for row in SaleReturnLine.objects.filter(
            cooperative=cooperative, sale_line__consignor__isnull=False, sale_return__status=ReturnStatus.APPROVED
        )
        .order_by()
        .values(consignor_id=F("sale_line__consignor_id"))
        .annotate(
            all_amount=Sum("amount"),
            all_commission=Sum("commission"),
            qty_=Coalesce(Sum("qty", filter=returned_in_period), 0),
            amount_=Coalesce(Sum("amount", filter=returned_in_period), 0),
            commission_=Coalesce(Sum("commission", filter=returned_in_period), 0),
        )
    }
    settled = {
        row["consignor_id"]: row
        for row in ConsignmentSettlement.objects.filter(cooperative=cooperative)
        .order_by()
        .values("consignor_id")
        .annotate(all_amount=Sum("amount"), amount_=Coalesce(Sum("amount", filter=_in(start, end)), 0))
    }
    ids = set(sold) | set(returned) | set(settled)
    stock = Subquery(
        Product.objects.filter(cooperative_id=OuterRef("cooperative_id"), consignor_id=OuterRef("pk"))
        .order_by()
        .values("consignor_id")
        .annotate(s=Sum("stock_qty"))
        .values("s")
    )
    consignors = (
        Supplier.objects.filter(cooperative=cooperative)
        .filter(Q(pk__in=ids) | Q(kind=SupplierKind.UMKM) | Q(consigned_products__isnull=False))
        .distinct()
        .annotate(stock=Coalesce(stock, Value(0), output_field=IntegerField()))
        .order_by("name")
        .values("pk", "name", "member__name", "stock")
    )
    zero = {"all_amount": 0, "all_commission": 0, "qty_": 0, "amount_": 0, "commission_": 0}
    rows = []
    for c in consignors:
        s, r = sold.get(c["pk"], zero), returned.get(c["pk"], zero)
        paid = settled.get(c["pk"], {"all_amount": 0, "amount_": 0})
        gross = s["amount_"] - r["amount_"]
        commission = s["commission_"] - r["commission_"]
        earned = (s["all_amount"] - s["all_commission"]) - (r["all_amount"] - r["all_commission"])
        rows.append(
            ConsignorRow(
                supplier_id=c["pk"],
                name=c["name"],
                member_name=c["member__name"] or "",
                units_sold=s["qty_"] - r["qty_"],
                gross=gross,
                commission=commission,
                owed=gross - commission,
                paid=paid["amount_"],
                outstanding=earned - paid["all_amount"],
                stock_qty=c["stock"] or 0,
            )
        )
    ledger_payable = -_role_balances(cooperative, ["consignment_payable"])["consignment_payable"]
    outstanding = sum(r.outstanding for r in rows)
    return ConsignmentReport(
        start=start,
        end=end,
        rows=rows,
        units_sold=sum(r.units_sold for r in rows),
        gross=sum(r.gross for r in rows),
        commission=sum(r.commission for r in rows),
        owed=sum(r.owed for r in rows),
        paid=sum(r.paid for r in rows),
        outstanding=outstanding,
        ledger_payable=ledger_payable,
        difference=outstanding - ledger_payable,
    )


# --- 8. Cashier sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    session_id: int
    session_no: str
    cashier: str
    location: str
    opened_at: datetime.datetime
    closed_at: datetime.datetime
    opening_float: Rupiah
    sales_count: int  # every sale of the session (all payment methods)
    sales_total: Rupiah
    cash_sales: Rupiah
    expected: Rupiah  # float + cash sales − cash refunds, when closed
    counted: Rupiah
    variance: Rupiah  # counted − expected (negative: short)


@dataclass(frozen=True)
class SessionsReport:
    start: datetime.date
    end: datetime.date
    rows: list[SessionRow]  # sessions closed in the period (local date), by closing time
    opening_float: Rupiah
    sales_total: Rupiah
    expected: Rupiah
    counted: Rupiah
    variance: Rupiah
    shortage: Rupiah  # Σ negative variances (as a negative number)
    surplus: Rupiah  # Σ positive variances


def _session_sales(**filters: Any) -> Subquery:
    return Subquery(
        Sale.objects.filter(session_id=OuterRef("pk"), **filters)
        .order_by()
        .values("session_id")
        .annotate(s=Sum("total"))
        .values("s")
    )


def sessions(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> SessionsReport:
    """Return the cashier sessions closed from ``start`` to ``end`` with their cash count (one query)."""
    period_check(start, end)
    count = Subquery(
        Sale.objects.filter(session_id=OuterRef("pk"))
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    found = (
        CashierSession.objects.filter(
            cooperative=cooperative,
            status=SessionStatus.CLOSED,
            closed_at__date__gte=start,
            closed_at__date__lte=end,
        )
        .annotate(
            n=Coalesce(count, Value(0), output_field=IntegerField()),
            total=Coalesce(_session_sales(), Value(0), output_field=IntegerField()),
            cash=Coalesce(_session_sales(payment_method=PaymentMethod.TUNAI), Value(0), output_field=IntegerField()),
        )
        .select_related("cashier", "location")
        .order_by("closed_at", "pk")
    )
    rows = [
        SessionRow(
            session_id=s.pk,
            session_no=s.session_no,
            cashier=person_name(s.cashier.first_name, s.cashier.last_name, s.cashier.get_username()),
            location=s.location.name,
            opened_at=s.opened_at,
            closed_at=s.closed_at or s.opened_at,
            opening_float=s.opening_float,
            sales_count=s.n,
            sales_total=s.total,
            cash_sales=s.cash,
            expected=s.expected_cash or 0,
            counted=s.counted_cash or 0,
            variance=s.variance or 0,
        )
        for s in found
    ]
    return SessionsReport(
        start=start,
        end=end,
        rows=rows,
        opening_float=sum(r.opening_float for r in rows),
        sales_total=sum(r.sales_total for r in rows),
        expected=sum(r.expected for r in rows),
        counted=sum(r.counted for r in rows),
        variance=sum(r.variance for r in rows),
        shortage=sum(r.variance for r in rows if r.variance < 0),
        surplus=sum(r.variance for r in rows if r.variance > 0),
    )


# --- The list of reports and the dispatcher ----------------------------------------------------------------


@dataclass(frozen=True)
class ReportSpec:
    slug: str  # in URLs and the API: /shop/reports/<slug>
    title: Promise
    description: Promise
    ranged: bool  # reads ?from=&to= (else: as of today)
    uses_days: bool = False  # reads ?days=
    file_stem: str = ""  # Indonesian file name prefix
    build: Callable[..., Any] = field(default=lambda **kw: None, repr=False, compare=False)


def _build_daily(c: Cooperative, p: Period, days: int, today: datetime.date) -> DailySales:
    return daily_sales(cooperative=c, start=p.start, end=p.end)


def _build_products(c: Cooperative, p: Period, days: int, today: datetime.date) -> SalesByProduct:
    return sales_by_product(cooperative=c, start=p.start, end=p.end)


def _build_stock(c: Cooperative, p: Period, days: int, today: datetime.date) -> StockValuation:
    return stock_valuation(cooperative=c, today=today)


def _build_slow(c: Cooperative, p: Period, days: int, today: datetime.date) -> SlowMoving:
    return slow_moving(cooperative=c, days=days, today=today)


def _build_purchases(c: Cooperative, p: Period, days: int, today: datetime.date) -> PurchasesBySupplier:
    return purchases_by_supplier(cooperative=c, start=p.start, end=p.end)


def _build_het(c: Cooperative, p: Period, days: int, today: datetime.date) -> PriceVsHet:
    return price_vs_het(cooperative=c, today=today)


def _build_consignment(c: Cooperative, p: Period, days: int, today: datetime.date) -> ConsignmentReport:
    return consignment(cooperative=c, start=p.start, end=p.end)


def _build_sessions(c: Cooperative, p: Period, days: int, today: datetime.date) -> SessionsReport:
    return sessions(cooperative=c, start=p.start, end=p.end)


REPORTS: dict[str, ReportSpec] = {
    spec.slug: spec
    for spec in (
        ReportSpec(
            "daily-sales",
            _("Penjualan harian"),
            _("Per hari, per kasir, per cara bayar, anggota dan bukan anggota: jumlah nota, bruto, retur, neto."),
            ranged=True,
            file_stem="penjualan-harian",
            build=_build_daily,
        ),
        ReportSpec(
            "sales-by-product",
            _("Penjualan per barang dan margin"),
            _("Jumlah terjual setelah retur, pendapatan, HPP, margin dan persentase margin per barang."),
            ranged=True,
            file_stem="penjualan-per-barang",
            build=_build_products,
        ),
        ReportSpec(
            "stock-valuation",
            _("Nilai persediaan"),
            _("Stok saat ini per barang dan lokasi dengan harga pokok rata-rata, dicocokkan dengan akun persediaan."),
            ranged=False,
            file_stem="nilai-persediaan",
            build=_build_stock,
        ),
        ReportSpec(
            "slow-moving",
            _("Stok lambat laku"),
            _("Barang yang masih ada stoknya tetapi tidak terjual dalam sekian hari terakhir, atau belum pernah."),
            ranged=False,
            uses_days=True,
            file_stem="stok-lambat-laku",
            build=_build_slow,
        ),
        ReportSpec(
            "purchases-by-supplier",
            _("Pembelian per pemasok"),
            _("Barang diterima dan pembayaran dalam periode, serta utang kepada setiap pemasok saat ini."),
            ranged=True,
            file_stem="pembelian-per-pemasok",
            build=_build_purchases,
        ),
        ReportSpec(
            "price-vs-het",
            _("Harga jual dan HET"),
            _("Harga jual setiap barang ber-HET dibandingkan dengan HET yang berlaku hari ini di wilayah koperasi."),
            ranged=False,
            file_stem="harga-vs-het",
            build=_build_het,
        ),
        ReportSpec(
            "consignment",
            _("Penyelesaian barang titipan"),
            _("Per UMKM penitip: terjual, komisi koperasi, hak UMKM, yang sudah dibayar dan sisa utang."),
            ranged=True,
            file_stem="titipan-umkm",
            build=_build_consignment,
        ),
        ReportSpec(
            "sessions",
            _("Sesi kasir"),
            _("Sesi kasir yang ditutup dalam periode: modal awal, kas seharusnya, kas dihitung dan selisih."),
            ranged=True,
            file_stem="sesi-kasir",
            build=_build_sessions,
        ),
    )
}


def report_spec(name: str) -> ReportSpec:
    """Return the report called ``name``. Raises ValidationError (``report_unknown``)."""
    spec = REPORTS.get(name)
    if spec is None:
        known = ", ".join(REPORTS)
        shown = name[:40].replace("\x00", "")
        raise ValidationError.for_field(
            "name", f"Laporan '{shown}' tidak dikenal. Pilih salah satu: {known}.", code="report_unknown"
        )
    return spec


def build(
    *,
    cooperative: Cooperative,
    name: str,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    days: int = SLOW_DEFAULT_DAYS,
    today: datetime.date | None = None,
) -> Any:
    """Run the report ``name`` for a period (default: this month so far). Raises ValidationError."""
    spec = report_spec(name)
    today = today or timezone.localdate()
    default = period_default(today)
    period = period_check(start or (default.start if end is None else month_start(end)), end or default.end)
    days = days_check(days)
    return spec.build(cooperative, period, days, today)
