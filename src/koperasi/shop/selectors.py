"""Reads of the gerai and gudang: HET in force, catalogue, prices, stock, payables, reconciliation."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound
from koperasi.ledger import selectors as ledger_selectors
from koperasi.shop import calculations
from koperasi.shop.calculations import HetRow
from koperasi.shop.choices import LocationKind, ReturnStatus, SessionStatus
from koperasi.shop.models import (
    CashierSession,
    ConsignmentSettlement,
    GoodsReceipt,
    Het,
    Location,
    Product,
    ProductPrice,
    Sale,
    SaleLine,
    SaleReturnLine,
    StockLevel,
    Supplier,
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
    key = Q(code=location_id) if isinstance(location_id, str) and not location_id.isdigit() else Q(pk=location_id)
    found = query.filter(key).first()
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
