"""Reads of the gerai and gudang: HET in force, catalogue, prices, stock, payables, reconciliation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound
from koperasi.ledger import selectors as ledger_selectors
from koperasi.shop import calculations
from koperasi.shop.calculations import HetRow
from koperasi.shop.choices import LocationKind, ReturnStatus, SessionStatus, SupplierKind
from koperasi.shop.models import (
    CashierSession,
    ConsignmentSettlement,
    GoodsReceipt,
    Het,
    Location,
    Product,
    ProductPrice,
    PurchaseOrder,
    PurchaseOrderLine,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMove,
    StockTransfer,
    StockTransferLine,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)

DEFAULT_LOCATIONS = (("gerai", "Gerai sembako", LocationKind.GERAI), ("gudang", "Gudang", LocationKind.GUDANG))


def region_prefixes(kelurahan_code: str) -> list[str]:
    """Return every region prefix of a kelurahan code: "", "64", "64.71", "64.71.01", "64.71.01.1001"."""
    parts = kelurahan_code.split(".")
    return [""] + [".".join(parts[: i + 1]) for i in range(len(parts))]


def het_rows(*, cooperative: Cooperative, commodities: set[str] | None = None) -> list[HetRow]:
    """Return the HET rows that can apply to the cooperative's region (one query)."""
    query = Het.objects.filter(region_code__in=region_prefixes(cooperative.kelurahan_id))
    if commodities is not None:
        query = query.filter(commodity__in=commodities)
    return [
        HetRow(commodity=c, region_code=r, price=p, effective_from=f, effective_to=t)
        for c, r, p, f, t in query.values_list("commodity", "region_code", "price", "effective_from", "effective_to")
    ]


def het_in_force(*, cooperative: Cooperative, commodity: str, date: datetime.date) -> HetRow | None:
    """Return the HET row in force for the cooperative's region on ``date`` (None: no ceiling)."""
    rows = het_rows(cooperative=cooperative, commodities={commodity})
    return calculations.het_pick(rows, commodity=commodity, kelurahan_code=cooperative.kelurahan_id, date=date)


def product_het_limit(
    *, cooperative: Cooperative, product: Product, date: datetime.date, rows: list[HetRow] | None = None
) -> int | None:
    """Return the most a selling unit of ``product`` may cost on ``date`` (None: no HET applies)."""
    if not product.het_commodity:
        return None
    if rows is None:
        rows = het_rows(cooperative=cooperative, commodities={product.het_commodity})
    row = calculations.het_pick(
        rows, commodity=product.het_commodity, kelurahan_code=cooperative.kelurahan_id, date=date
    )
    return None if row is None else calculations.het_limit(row.price, Decimal(product.het_quantity))


def location_list(*, cooperative: Cooperative) -> list[Location]:
    """Return the cooperative's active locations."""
    return list(Location.objects.filter(cooperative=cooperative, is_active=True))


def location_get(*, cooperative: Cooperative, location_id: int | str) -> Location:
    """Return a location by id or code. Raises NotFound."""
    query = Location.objects.filter(cooperative=cooperative)
    by_code = isinstance(location_id, str) and not location_id.isdigit()
    if not by_code and not 0 < int(location_id) < 2**63:
        raise NotFound("Lokasi stok tidak ditemukan.", code="location_not_found")
    found = query.filter(Q(code=location_id) if by_code else Q(pk=location_id)).first()
    if found is None:
        raise NotFound("Lokasi stok tidak ditemukan.", code="location_not_found")
    return found


def product_list(*, cooperative: Cooperative, search: str = "", active_only: bool = False) -> QuerySet[Product]:
    """Return the catalogue, filtered by name, SKU or barcode."""
    query = Product.objects.filter(cooperative=cooperative).select_related("business_unit", "consignor")
    if active_only:
        query = query.filter(is_active=True)
    if search := search.strip():
        query = query.filter(Q(name__icontains=search) | Q(sku__iexact=search) | Q(barcode=search))
    return query.order_by("name")


def product_get(*, cooperative: Cooperative, product_id: int) -> Product:
    """Return one product of the cooperative. Raises NotFound."""
    found = Product.objects.filter(cooperative=cooperative, pk=product_id).select_related("business_unit").first()
    if found is None:
        raise NotFound("Barang tidak ditemukan.", code="product_not_found")
    return found


def product_find(*, cooperative: Cooperative, code: str) -> Product | None:
    """Return the product with this barcode or SKU (a scan or a typed code), or None."""
    code = code.strip()
    if not code:
        return None
    return (
        Product.objects.filter(cooperative=cooperative)
        .filter(Q(barcode=code) | Q(sku__iexact=code))
        .select_related("business_unit")
        .order_by("-is_active", "id")
        .first()
    )


def prices_on(*, cooperative: Cooperative, product_ids: list[int], date: datetime.date) -> dict[int, int]:
    """Return each product's selling price in force on ``date`` (one query).

    The latest price starting on or before the date; before a product's first price, the
    first price (a product's opening price applies to every earlier day).
    """
    rows = (
        ProductPrice.objects.filter(cooperative=cooperative, product_id__in=product_ids)
        .order_by("product_id", "effective_from", "id")
        .values_list("product_id", "price", "effective_from")
    )
    out: dict[int, int] = {}
    for product_id, price, start in rows:
        if product_id not in out or start <= date:
            out[product_id] = price
    return out


def price_history(*, cooperative: Cooperative, product: Product) -> list[ProductPrice]:
    """Return a product's prices, newest first."""
    return list(ProductPrice.objects.filter(cooperative=cooperative, product=product).select_related("set_by"))


def stock_levels(*, cooperative: Cooperative, product: Product) -> list[StockLevel]:
    """Return a product's quantity per location."""
    return list(
        StockLevel.objects.filter(cooperative=cooperative, product=product).select_related("location").order_by("id")
    )


@dataclass(frozen=True)
class StockRow:
    product_id: int
    sku: str
    name: str
    unit: str
    qty: int
    value: int
    is_consignment: bool


def stock_list(*, cooperative: Cooperative, location: Location | None = None) -> list[StockRow]:
    """Return every product's quantity (all locations, or one) and value at moving-average cost."""
    products = Product.objects.filter(cooperative=cooperative).order_by("name")
    if location is None:
        return [
            StockRow(p.pk, p.sku, p.name, p.unit, p.stock_qty, p.stock_value, p.consignor_id is not None)
            for p in products.only("sku", "name", "unit", "stock_qty", "stock_value", "consignor_id")
        ]
    at = dict(StockLevel.objects.filter(cooperative=cooperative, location=location).values_list("product_id", "qty"))
    rows = []
    for p in products.only("sku", "name", "unit", "stock_qty", "stock_value", "consignor_id"):
        qty = at.get(p.pk, 0)
        value = calculations.cost_of_units(p.stock_qty, p.stock_value, qty)
        rows.append(StockRow(p.pk, p.sku, p.name, p.unit, qty, value, p.consignor_id is not None))
    return rows


def supplier_list(*, cooperative: Cooperative) -> QuerySet[Supplier]:
    """Return the cooperative's suppliers."""
    return Supplier.objects.filter(cooperative=cooperative).select_related("member")


def supplier_get(*, cooperative: Cooperative, supplier_id: int) -> Supplier:
    """Return one supplier of the cooperative. Raises NotFound."""
    found = Supplier.objects.filter(cooperative=cooperative, pk=supplier_id).first()
    if found is None:
        raise NotFound("Pemasok tidak ditemukan.", code="supplier_not_found")
    return found


def supplier_payables(*, cooperative: Cooperative) -> dict[int, int]:
    """Return each supplier's payable: goods received on credit − payments (two queries)."""
    received = dict(
        GoodsReceipt.objects.filter(cooperative=cooperative, paid_on_receipt=False)
        .values("supplier_id")
        .annotate(s=Sum("total"))
        .values_list("supplier_id", "s")
    )
    paid = dict(
        SupplierPayment.objects.filter(cooperative=cooperative)
        .values("supplier_id")
        .annotate(s=Sum("amount"))
        .values_list("supplier_id", "s")
    )
    return {sid: received.get(sid, 0) - paid.get(sid, 0) for sid in received.keys() | paid.keys()}


def supplier_payable(*, cooperative: Cooperative, supplier: Supplier) -> int:
    """Return what the cooperative owes one supplier."""
    received = (
        GoodsReceipt.objects.filter(cooperative=cooperative, supplier=supplier, paid_on_receipt=False).aggregate(
            s=Sum("total")
        )["s"]
        or 0
    )
    paid = SupplierPayment.objects.filter(cooperative=cooperative, supplier=supplier).aggregate(s=Sum("amount"))["s"]
    return received - (paid or 0)


def consignment_payable(*, cooperative: Cooperative, consignor: Supplier) -> int:
    """Return what the cooperative owes a UMKM: sold consigned goods less commission, returns and settlements."""
    sold = SaleLine.objects.filter(cooperative=cooperative, consignor=consignor).aggregate(
        a=Sum("line_total"), c=Sum("commission")
    )
    returned = SaleReturnLine.objects.filter(
        cooperative=cooperative, sale_line__consignor=consignor, sale_return__status=ReturnStatus.APPROVED
    ).aggregate(a=Sum("amount"), c=Sum("commission"))
    settled = ConsignmentSettlement.objects.filter(cooperative=cooperative, consignor=consignor).aggregate(
        s=Sum("amount")
    )["s"]
    owed = (sold["a"] or 0) - (sold["c"] or 0) - ((returned["a"] or 0) - (returned["c"] or 0))
    return owed - (settled or 0)


def open_session_for(*, cooperative: Cooperative, user: Any) -> CashierSession | None:
    """Return the user's open cashier session in this cooperative, or None."""
    if not getattr(user, "pk", None):
        return None
    return (
        CashierSession.objects.filter(cooperative=cooperative, cashier=user, status=SessionStatus.OPEN)
        .select_related("location")
        .first()
    )


def sale_get(*, cooperative: Cooperative, sale_id: int) -> Sale:
    """Return one sale with its lines. Raises NotFound."""
    found = (
        Sale.objects.filter(cooperative=cooperative, pk=sale_id)
        .select_related("member", "location", "session", "created_by", "journal_entry")
        .prefetch_related("lines__product")
        .first()
    )
    if found is None:
        raise NotFound("Nota penjualan tidak ditemukan.", code="sale_not_found")
    return found


@dataclass(frozen=True)
class InventoryReconciliation:
    ledger: int
    products: int

    @property
    def difference(self) -> int:
        return self.ledger - self.products


def inventory_reconcile(*, cooperative: Cooperative) -> InventoryReconciliation:
    """Compare the ledger's inventory account with Σ product stock values (they must agree)."""
    from koperasi.savings.selectors import FAR_FUTURE

    account = ledger_selectors.account_for_role(cooperative=cooperative, role="inventory")
    debit, credit = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=FAR_FUTURE).get(
        account.pk, (0, 0)
    )
    value = Product.objects.filter(cooperative=cooperative).aggregate(s=Sum("stock_value"))["s"] or 0
    return InventoryReconciliation(ledger=debit - credit, products=value)


def member_purchases(*, cooperative: Cooperative, start: datetime.date, end: datetime.date) -> dict[int, int]:
    """Return each member's gerai purchases between two dates, net of returns (SHU jasa usaha base, §2.3c)."""
    rows = (
        Sale.objects.filter(cooperative=cooperative, is_member_sale=True, date__gte=start, date__lte=end)
        .values("member_id")
        .annotate(total=Sum("total"), returned=Sum("total_returned"))
        .values_list("member_id", "total", "returned")
    )
    return {member_id: total - returned for member_id, total, returned in rows if total - returned}


# --- The cashier's pages (POS): till, sessions, sales, returns ---------------------------------


def products_by_id(*, cooperative: Cooperative, product_ids: list[int]) -> dict[int, Product]:
    """Return the cooperative's products among ``product_ids`` by id (one query; others' ids are left out)."""
    if not product_ids:
        return {}
    return {p.pk: p for p in Product.objects.filter(cooperative=cooperative, pk__in=product_ids)}


def stock_at(*, cooperative: Cooperative, location: Location, product_ids: list[int]) -> dict[int, int]:
    """Return the units of each product held at one location (one query; a product never stocked there is absent)."""
    if not product_ids:
        return {}
    return dict(
        StockLevel.objects.filter(cooperative=cooperative, location=location, product_id__in=product_ids).values_list(
            "product_id", "qty"
        )
    )


def sale_for_key(*, cooperative: Cooperative, key: str) -> Sale | None:
    """Return the sale recorded with this idempotency key (a repeated till submission), or None."""
    key = (key or "").strip()[:90]
    if not key or "\x00" in key:
        return None
    return Sale.objects.filter(cooperative=cooperative, idempotency_key=key).first()


def sale_list(
    *,
    cooperative: Cooperative,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
    session: CashierSession | None = None,
    search: str = "",
) -> QuerySet[Sale]:
    """Return sales, newest first, between two dates (inclusive), of one session, or matching a number/buyer."""
    query = Sale.objects.filter(cooperative=cooperative).select_related("member", "created_by", "session")
    if start is not None:
        query = query.filter(date__gte=start)
    if end is not None:
        query = query.filter(date__lte=end)
    if session is not None:
        query = query.filter(session=session)
    if search := search.strip():
        query = query.filter(Q(sale_no__iexact=search) | Q(buyer_name__icontains=search) | Q(buyer_nik=search))
    return query.order_by("-date", "-id")


@dataclass(frozen=True)
class SaleSummary:
    """Sales totals: count, gross, returned, and gross per payment method."""

    count: int
    total: int
    returned: int
    by_method: dict[str, int]

    @property
    def net(self) -> int:
        return self.total - self.returned


def sale_summary(*, sales: QuerySet[Sale]) -> SaleSummary:
    """Return the totals of a filtered ``sale_list`` (one query, grouped by payment method)."""
    rows = (
        sales.order_by()
        .values("payment_method")
        .annotate(n=Count("id"), total=Sum("total"), returned=Sum("total_returned"))
        .values_list("payment_method", "n", "total", "returned")
    )
    by_method: dict[str, int] = {}
    count = total = returned = 0
    for method, n, amount, back in rows:
        by_method[method] = amount or 0
        count += n
        total += amount or 0
        returned += back or 0
    return SaleSummary(count=count, total=total, returned=returned, by_method=by_method)


def session_get(*, cooperative: Cooperative, session_id: int) -> CashierSession:
    """Return one cashier session with its cashier and location. Raises NotFound."""
    found = (
        CashierSession.objects.filter(cooperative=cooperative, pk=session_id)
        .select_related("cashier", "location", "journal_entry")
        .first()
    )
    if found is None:
        raise NotFound("Sesi kasir tidak ditemukan.", code="session_not_found")
    return found


def session_list(*, cooperative: Cooperative, cashier: Any = None) -> QuerySet[CashierSession]:
    """Return cashier sessions, newest first (one cashier's, or all), with their sales count and total."""
    query = CashierSession.objects.filter(cooperative=cooperative)
    if cashier is not None:
        query = query.filter(cashier=cashier)
    return (
        query.select_related("cashier", "location", "journal_entry")
        .annotate(sale_count=Count("sales"), sale_total=Sum("sales__total"))
        .order_by("-opened_at", "-id")
    )


def return_get(*, cooperative: Cooperative, return_id: int) -> SaleReturn:
    """Return one return or void request with its sale. Raises NotFound."""
    found = (
        SaleReturn.objects.filter(cooperative=cooperative, pk=return_id)
        .select_related("sale", "requested_by", "decided_by")
        .first()
    )
    if found is None:
        raise NotFound("Permintaan retur tidak ditemukan.", code="return_not_found")
    return found


def return_list(
    *, cooperative: Cooperative, status: str | None = None, decided: bool = False, sale: Sale | None = None
) -> QuerySet[SaleReturn]:
    """Return return/void requests, newest first (of a status, or all decided ones, or of one sale),
    with their sale, people and lines (products prefetched)."""
    query = SaleReturn.objects.filter(cooperative=cooperative)
    if status is not None:
        query = query.filter(status=status)
    if decided:
        query = query.exclude(status=ReturnStatus.PENDING)
    if sale is not None:
        query = query.filter(sale=sale)
    return (
        query.select_related("sale", "sale__member", "requested_by", "decided_by", "journal_entry")
        .prefetch_related("lines__sale_line__product")
        .order_by("-requested_at", "-id")
    )


# --- The back office: catalogue, HET table, purchasing, stock card, consignment ------------------


def catalogue_list(
    *, cooperative: Cooperative, search: str = "", category: str = "", active_only: bool = False
) -> QuerySet[Product]:
    """Return ``product_list`` narrowed to one category ("" = every category)."""
    query = product_list(cooperative=cooperative, search=search, active_only=active_only)
    return query.filter(category=category) if category else query


def product_categories(*, cooperative: Cooperative) -> list[str]:
    """Return the categories the catalogue uses, sorted (one query)."""
    return list(
        Product.objects.filter(cooperative=cooperative)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def low_stock(*, cooperative: Cooperative, limit: int = 50) -> list[Product]:
    """Return active products whose stock is at or under their low-stock mark (out of stock first)."""
    return list(
        Product.objects.filter(cooperative=cooperative, is_active=True, stock_qty__lte=F("min_stock")).order_by(
            "stock_qty", "name"
        )[:limit]
    )


def sales_total_on(*, cooperative: Cooperative, date: datetime.date) -> tuple[int, int]:
    """Return how many sales were made on ``date`` and their total net of returns (one query)."""
    row = Sale.objects.filter(cooperative=cooperative, date=date).aggregate(
        n=Count("id"), total=Sum("total"), back=Sum("total_returned")
    )
    return row["n"] or 0, (row["total"] or 0) - (row["back"] or 0)


@dataclass(frozen=True)
class HetEntry:
    het: Het
    in_force: bool


def het_table(*, cooperative: Cooperative, date: datetime.date) -> list[HetEntry]:
    """Return the HET rows that can apply to the cooperative's region; per commodity the one in force is marked."""
    rows = list(
        Het.objects.filter(region_code__in=region_prefixes(cooperative.kelurahan_id)).order_by(
            "commodity", "-effective_from", "-region_code"
        )
    )
    plain = [HetRow(h.commodity, h.region_code, h.price, h.effective_from, h.effective_to) for h in rows]
    in_force = set()
    for commodity in {h.commodity for h in rows}:
        row = calculations.het_pick(plain, commodity=commodity, kelurahan_code=cooperative.kelurahan_id, date=date)
        if row is not None:
            in_force.add((row.commodity, row.region_code, row.effective_from))
    return [HetEntry(h, (h.commodity, h.region_code, h.effective_from) in in_force) for h in rows]


def order_list(
    *, cooperative: Cooperative, status: str = "", supplier: Supplier | None = None
) -> QuerySet[PurchaseOrder]:
    """Return purchase orders, newest first, with their supplier and location."""
    query = PurchaseOrder.objects.filter(cooperative=cooperative).select_related("supplier", "location")
    if status:
        query = query.filter(status=status)
    if supplier is not None:
        query = query.filter(supplier=supplier)
    return query.order_by("-date", "-id")


def order_get(*, cooperative: Cooperative, order_id: int) -> PurchaseOrder:
    """Return one purchase order with its lines (products) and receipts. Raises NotFound."""
    found = (
        PurchaseOrder.objects.filter(cooperative=cooperative, pk=order_id)
        .select_related("supplier", "location", "created_by")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product").order_by("id")),
            Prefetch("receipts", queryset=GoodsReceipt.objects.select_related("invoice").order_by("date", "id")),
        )
        .first()
    )
    if found is None:
        raise NotFound("Pesanan pembelian tidak ditemukan.", code="order_not_found")
    return found


def receipt_list(
    *, cooperative: Cooperative, supplier: Supplier | None = None, uninvoiced: bool = False
) -> QuerySet[GoodsReceipt]:
    """Return goods receipts, newest first; ``uninvoiced``: those on credit not yet on a supplier invoice."""
    query = GoodsReceipt.objects.filter(cooperative=cooperative).select_related(
        "supplier", "order", "invoice", "location"
    )
    if supplier is not None:
        query = query.filter(supplier=supplier)
    if uninvoiced:
        query = query.filter(invoice__isnull=True, paid_on_receipt=False, total__gt=0)
    return query.order_by("-date", "-id")


def invoice_list(
    *, cooperative: Cooperative, supplier: Supplier | None = None, open_only: bool = False
) -> QuerySet[SupplierInvoice]:
    """Return supplier invoices (``remaining`` = amount − paid), the earliest due first; ``open_only``: not paid off."""
    query = (
        SupplierInvoice.objects.filter(cooperative=cooperative)
        .select_related("supplier")
        .annotate(remaining=F("amount") - F("paid"))
    )
    if supplier is not None:
        query = query.filter(supplier=supplier)
    if open_only:
        query = query.filter(paid__lt=F("amount"))
    return query.order_by(F("due_on").asc(nulls_last=True), "date", "id")


def supplier_payment_list(*, cooperative: Cooperative, supplier: Supplier) -> QuerySet[SupplierPayment]:
    """Return the payments to one supplier, newest first, with the invoice each paid."""
    return (
        SupplierPayment.objects.filter(cooperative=cooperative, supplier=supplier)
        .select_related("invoice")
        .order_by("-date", "-id")
    )


@dataclass(frozen=True)
class StockCardRow:
    move: StockMove
    qty_after: int
    value_after: int

    @property
    def qty_in(self) -> int:
        return max(self.move.qty, 0)

    @property
    def qty_out(self) -> int:
        return max(-self.move.qty, 0)


@dataclass(frozen=True)
class StockCard:
    """A product's moves between two dates with the running quantity and value (after an opening balance)."""

    opening_qty: int
    opening_value: int
    rows: list[StockCardRow]

    @property
    def closing_qty(self) -> int:
        return self.rows[-1].qty_after if self.rows else self.opening_qty

    @property
    def closing_value(self) -> int:
        return self.rows[-1].value_after if self.rows else self.opening_value


def stock_card(
    *,
    cooperative: Cooperative,
    product: Product,
    location: Location | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> StockCard:
    """Return the stock card of a product (all locations, or one) between two dates (two queries)."""
    moves = StockMove.objects.filter(cooperative=cooperative, product=product)
    if location is not None:
        moves = moves.filter(location=location)
    qty = value = 0
    if start is not None:
        opening = moves.filter(date__lt=start).aggregate(q=Sum("qty"), v=Sum("value"))
        qty, value = opening["q"] or 0, opening["v"] or 0
        moves = moves.filter(date__gte=start)
    if end is not None:
        moves = moves.filter(date__lte=end)
    opening_qty, opening_value = qty, value
    rows = []
    for move in moves.select_related("location").order_by("date", "id"):
        qty += move.qty
        value += move.value
        rows.append(StockCardRow(move, qty, value))
    return StockCard(opening_qty=opening_qty, opening_value=opening_value, rows=rows)


def consignment_payables(*, cooperative: Cooperative) -> dict[int, int]:
    """Return what the cooperative owes each UMKM (``consignment_payable`` for all of them in three queries)."""
    owed: dict[int, int] = {}
    sold = (
        SaleLine.objects.filter(cooperative=cooperative, consignor__isnull=False)
        .values("consignor_id")
        .annotate(a=Sum("line_total"), c=Sum("commission"))
        .values_list("consignor_id", "a", "c")
    )
    for consignor_id, amount, commission in sold:
        owed[consignor_id] = owed.get(consignor_id, 0) + (amount or 0) - (commission or 0)
    returned = (
        SaleReturnLine.objects.filter(
            cooperative=cooperative, sale_line__consignor__isnull=False, sale_return__status=ReturnStatus.APPROVED
        )
        .values("sale_line__consignor_id")
        .annotate(a=Sum("amount"), c=Sum("commission"))
        .values_list("sale_line__consignor_id", "a", "c")
    )
    for consignor_id, amount, commission in returned:
        owed[consignor_id] = owed.get(consignor_id, 0) - (amount or 0) + (commission or 0)
    settled = (
        ConsignmentSettlement.objects.filter(cooperative=cooperative)
        .values("consignor_id")
        .annotate(s=Sum("amount"))
        .values_list("consignor_id", "s")
    )
    for consignor_id, amount in settled:
        owed[consignor_id] = owed.get(consignor_id, 0) - (amount or 0)
    return owed


@dataclass(frozen=True)
class ConsignorRow:
    supplier: Supplier
    products: list[Product]
    owed: int

    @property
    def stock_qty(self) -> int:
        return sum(p.stock_qty for p in self.products)


def consignment_overview(*, cooperative: Cooperative) -> list[ConsignorRow]:
    """Return each UMKM consignor (kind UMKM, or owning consigned products) with its products and what it is owed."""
    products = list(Product.objects.filter(cooperative=cooperative, consignor__isnull=False).order_by("name"))
    by_consignor: dict[int, list[Product]] = {}
    for product in products:
        by_consignor.setdefault(product.consignor_id, []).append(product)  # type: ignore[arg-type]
    suppliers = (
        Supplier.objects.filter(cooperative=cooperative)
        .filter(Q(kind=SupplierKind.UMKM) | Q(pk__in=list(by_consignor)))
        .select_related("member")
        .order_by("name")
    )
    owed = consignment_payables(cooperative=cooperative)
    return [ConsignorRow(s, by_consignor.get(s.pk, []), owed.get(s.pk, 0)) for s in suppliers]


def transfer_list(*, cooperative: Cooperative) -> QuerySet[StockTransfer]:
    """Return stock transfers, newest first, with their locations and lines."""
    return (
        StockTransfer.objects.filter(cooperative=cooperative)
        .select_related("from_location", "to_location")
        .prefetch_related(Prefetch("lines", queryset=StockTransferLine.objects.select_related("product")))
        .order_by("-date", "-id")
    )


def count_list(*, cooperative: Cooperative) -> QuerySet[StockCount]:
    """Return stock counts (opname), newest first, with their location."""
    return StockCount.objects.filter(cooperative=cooperative).select_related("location").order_by("-date", "-id")


def stock_count_get(*, cooperative: Cooperative, count_id: int) -> StockCount:
    """Return one stock count with its lines (products). Raises NotFound."""
    found = (
        StockCount.objects.filter(cooperative=cooperative, pk=count_id)
        .select_related("location", "created_by")
        .prefetch_related(Prefetch("lines", queryset=StockCountLine.objects.select_related("product").order_by("id")))
        .first()
    )
    if found is None:
        raise NotFound("Stok opname tidak ditemukan.", code="count_not_found")
    return found


def member_sales(*, cooperative: Cooperative, member: Any, year: int) -> list[Sale]:
    """Return a member's gerai purchases in a year, newest first, with their lines (two queries)."""
    return list(
        Sale.objects.filter(cooperative=cooperative, member=member, date__year=year)
        .prefetch_related("lines__product")
        .order_by("-date", "-pk")
    )
