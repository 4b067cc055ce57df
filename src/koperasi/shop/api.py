"""API: the gerai and gudang — catalogue, HET, suppliers, purchasing, stock, cashier sessions, sales, consignment.

Mounted at ``/coops`` beside the other apps' routers (``koperasi.api.api``); every path
starts with ``/{coop}``. Handlers parse, check the permission with
``cooperative_get_for_user``, call one service or selector and shape the answer
(DESIGN.md §9). Rules (HET, stock, cash, who may approve a return or close a till) live in
``shop.services``; this module only turns JSON into their arguments and their results
into JSON.

Input is strict: amounts, quantities and ids are JSON integers (``1.0``, ``"1"`` and
``true`` are 422), percentages and HET quantities are strings (``"7.5"``), dates are
``YYYY-MM-DD`` strings between 1900 and 2999, and no text may hold a NUL character. An id
in the path or body that cannot exist (zero, negative, beyond 2**63) is "not found", like
another cooperative's. The strict input types and the ``Idempotency-Key`` parser are
shared with the other apps in ``core.api_types``.

Paths with a fixed word after a collection (``/stock/moves``, ``/stock/transfers``) are
declared before any ``/{id}`` of the same collection.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Header, Query, Router, Schema, Status

from koperasi.cooperatives import selectors as coop_selectors
from koperasi.cooperatives.models import Cooperative
from koperasi.core.api_types import Day, Text, WholeNumber, WholeRupiah, api_idempotency_key
from koperasi.core.errors import NotFound, ValidationError
from koperasi.core.pagination import MAX_LIMIT, paginate
from koperasi.core.permissions import Action
from koperasi.members import selectors as member_selectors
from koperasi.members.card import card_payload_parse
from koperasi.members.models import Member
from koperasi.shop import calculations, selectors, services
from koperasi.shop.choices import (
    HetCommodity,
    MoveKind,
    PurchaseOrderStatus,
    ReturnStatus,
    SessionStatus,
    SupplierKind,
)
from koperasi.shop.models import (
    CashierSession,
    ConsignmentSettlement,
    GoodsReceipt,
    GoodsReceiptLine,
    Het,
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

router = Router(tags=["shop"])

ID_MAX = 2**63 - 1  # a larger id cannot exist (and would overflow the database driver)
MEMBER_NO_MAX = 10**9  # a member number on a card has at most nine digits
OFFSET_MAX = 10**12  # no list is that long; a larger offset would overflow SQLite's integer
PAYMENT_ALIASES = {"cash": "tunai"}  # what a till may send besides the codes tunai, qris, transfer


# --- Helpers ----------------------------------------------------------------------------------


def _coop(request: HttpRequest, code: str, action: Action) -> Cooperative:
    cooperative, _ = coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=action)
    return cooperative


def _id(value: int, message: str) -> int:
    """Return an id that can exist; refuse one that cannot as "not found" (it would overflow the driver)."""
    if not 1 <= value <= ID_MAX:
        raise NotFound(message)
    return value


def _page_bounds(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError.for_field("limit", f"limit harus 1–{MAX_LIMIT}.")
    if not 0 <= offset <= OFFSET_MAX:
        raise ValidationError.for_field("offset", "offset tidak boleh negatif atau sebesar itu.")


def _page_of(rows: list[Any], limit: int, offset: int) -> dict[str, Any]:
    """A page of a list already in memory (the selectors that return lists)."""
    _page_bounds(limit, offset)
    return {"items": rows[offset : offset + limit], "count": len(rows)}


def _paginate(queryset: QuerySet[Any], limit: int, offset: int, to_item: Any) -> dict[str, Any]:
    _page_bounds(limit, offset)
    return paginate(queryset, limit=limit, offset=offset, to_item=to_item)


def _location_ref(code: str, field: str) -> str:
    """A location code (or id) from the client; an id too large to exist is "not found"."""
    code = code.strip()
    if not code:
        raise ValidationError.for_field(field, "Lokasi wajib diisi (kode, mis. gerai atau gudang).")
    if code.isdigit() and int(code) > ID_MAX:
        raise NotFound("Lokasi stok tidak ditemukan.", code="location_not_found")
    return code


def _decimal(value: Decimal) -> str:
    """Write a decimal without trailing zeros: ``Decimal("7.50")`` → ``"7.5"``, ``5.000`` → ``"5"``."""
    text = format(Decimal(value).normalize(), "f")
    return text if text != "-0" else "0"


def _entry_number(entry: Any) -> str | None:
    return entry.number if entry is not None else None


def _username(user: Any) -> str | None:
    return user.username if user is not None else None


class PageQuery(Schema):
    limit: int = 100
    offset: int = 0


# --- Catalogue ----------------------------------------------------------------------------------
class ProductOut(Schema):
    id: int
    sku: str
    barcode: str
    name: str
    category: str
    unit: str
    pack_size: int
    pack_unit: str
    business_unit: str
    price: int
    het_commodity: str
    het_quantity: str
    het_limit: int | None  # the most a selling unit may cost today (null: no HET applies)
    consignor_id: int | None
    is_consignment: bool
    commission_percent: str
    min_stock: int
    low_stock: bool
    is_active: bool
    stock_qty: int
    stock_value: int


class LevelOut(Schema):
    code: str
    name: str
    qty: int


class ProductDetailOut(ProductOut):
    locations: list[LevelOut]


class ProductListOut(Schema):
    items: list[ProductOut]
    count: int


class ProductFilter(PageQuery):
    q: Text = ""
    active: bool | None = None


class ProductIn(Schema):
    sku: Text
    name: Text
    price: WholeRupiah
    unit: Text = "pcs"
    business_unit: Text = "gerai_sembako"
    barcode: Text = ""
    category: Text = ""
    pack_size: WholeNumber = 1
    pack_unit: Text = ""
    het_commodity: Text = ""
    het_quantity: Text = "1"  # commodity units per selling unit, a string: "5" for a 5 kg sack
    consignor_id: WholeNumber | None = None
    commission_percent: Text = "0"
    min_stock: WholeNumber = 0
    effective_from: Day | None = None  # the first price's date (default today)


class ProductUpdateIn(Schema):
    """A change: only the fields sent change (``null`` keeps the value, except ``consignor_id``)."""

    sku: Text | None = None
    name: Text | None = None
    unit: Text | None = None
    business_unit: Text | None = None
    barcode: Text | None = None
    category: Text | None = None
    pack_size: WholeNumber | None = None
    pack_unit: Text | None = None
    het_commodity: Text | None = None
    het_quantity: Text | None = None
    consignor_id: WholeNumber | None = None
    commission_percent: Text | None = None
    min_stock: WholeNumber | None = None
    is_active: bool | None = None
    price: Any = None  # refused: prices have their own history


class PriceIn(Schema):
    price: WholeRupiah
    effective_from: Day
    reason: Text = ""


class PriceOut(Schema):
    id: int
    product_id: int
    price: int
    effective_from: datetime.date
    reason: str
    set_by: str | None
    set_at: datetime.datetime
    product_price: int  # the product's price today, after this change


class PriceListOut(Schema):
    items: list[PriceOut]
    count: int


def _product_out(product: Product, het_limit: int | None) -> dict[str, Any]:
    return {
        "id": product.pk,
        "sku": product.sku,
        "barcode": product.barcode,
        "name": product.name,
        "category": product.category,
        "unit": product.unit,
        "pack_size": product.pack_size,
        "pack_unit": product.pack_unit,
        "business_unit": product.business_unit.code,
        "price": product.price,
        "het_commodity": product.het_commodity,
        "het_quantity": _decimal(product.het_quantity),
        "het_limit": het_limit,
        "consignor_id": product.consignor_id,
        "is_consignment": product.consignor_id is not None,
        "commission_percent": _decimal(product.commission_percent),
        "min_stock": product.min_stock,
        "low_stock": product.min_stock > 0 and product.stock_qty <= product.min_stock,
        "is_active": product.is_active,
        "stock_qty": product.stock_qty,
        "stock_value": product.stock_value,
    }


def _product_detail(cooperative: Cooperative, product_id: int) -> dict[str, Any]:
    product = selectors.product_get(cooperative=cooperative, product_id=product_id)
    limit = selectors.product_het_limit(cooperative=cooperative, product=product, date=timezone.localdate())
    levels = selectors.stock_levels(cooperative=cooperative, product=product)
    return {
        **_product_out(product, limit),
        "locations": [{"code": lv.location.code, "name": lv.location.name, "qty": lv.qty} for lv in levels],
    }


def _consignor(cooperative: Cooperative, consignor_id: int | None) -> Supplier | None:
    """The consignor named in a body: another cooperative's (or a missing) supplier is 404."""
    if consignor_id is None:
        return None
    message = "Pemilik barang titipan tidak ditemukan."
    return selectors.supplier_get(cooperative=cooperative, supplier_id=_id(consignor_id, message))


@router.get("/{coop}/products", response=ProductListOut, summary="Katalog barang (menurut nama); cari nama/SKU/barcode")
def product_list(request: HttpRequest, coop: str, filters: Query[ProductFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    qs = selectors.product_list(cooperative=cooperative, search=filters.q)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    rows = selectors.het_rows(cooperative=cooperative)  # one query for every product's ceiling
    today = timezone.localdate()

    def item(product: Product) -> dict[str, Any]:
        limit = selectors.product_het_limit(cooperative=cooperative, product=product, date=today, rows=rows)
        return _product_out(product, limit)

    return _paginate(qs, filters.limit, filters.offset, item)


@router.post(
    "/{coop}/products",
    response={201: ProductDetailOut},
    summary="Tambah barang dengan harga jual awalnya (tidak di atas HET) (ketua, bendahara, manajer)",
)
def product_create(request: HttpRequest, coop: str, payload: ProductIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_CATALOGUE)
    data = services.ProductInput(
        sku=payload.sku,
        name=payload.name,
        unit=payload.unit,
        business_unit=payload.business_unit,
        barcode=payload.barcode,
        category=payload.category,
        pack_size=payload.pack_size,
        pack_unit=payload.pack_unit,
        het_commodity=payload.het_commodity,
        het_quantity=payload.het_quantity,
        consignor=_consignor(cooperative, payload.consignor_id),
        commission_percent=payload.commission_percent,
        min_stock=payload.min_stock,
    )
    product = services.product_create(
        cooperative=cooperative,
        data=data,
        price=payload.price,
        effective_from=payload.effective_from,
        actor=request.user,
    )
    return Status(201, _product_detail(cooperative, product.pk))


@router.get("/{coop}/products/{product_id}", response=ProductDetailOut, summary="Satu barang dengan stok per lokasi")
def product_detail(request: HttpRequest, coop: str, product_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    return _product_detail(cooperative, _id(product_id, "Barang tidak ditemukan."))


@router.patch(
    "/{coop}/products/{product_id}",
    response=ProductDetailOut,
    summary="Ubah data barang (bukan harganya: lihat /prices) (ketua, bendahara, manajer)",
)
def product_update(request: HttpRequest, coop: str, product_id: int, payload: ProductUpdateIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_CATALOGUE)
    sent = payload.model_dump(exclude_unset=True)
    if "price" in sent:
        raise ValidationError.for_field(
            "price", "Harga jual diubah lewat POST /products/{id}/prices dengan tanggal berlakunya."
        )
    product = selectors.product_get(cooperative=cooperative, product_id=_id(product_id, "Barang tidak ditemukan."))
    consignor: Supplier | int | None = product.consignor_id
    if "consignor_id" in sent:
        consignor = _consignor(cooperative, sent.pop("consignor_id"))
    is_active = sent.pop("is_active", None)
    changes = {name: value for name, value in sent.items() if value is not None}
    data = services.ProductInput(
        sku=changes.get("sku", product.sku),
        name=changes.get("name", product.name),
        unit=changes.get("unit", product.unit),
        business_unit=changes.get("business_unit", product.business_unit),
        barcode=changes.get("barcode", product.barcode),
        category=changes.get("category", product.category),
        pack_size=changes.get("pack_size", product.pack_size),
        pack_unit=changes.get("pack_unit", product.pack_unit),
        het_commodity=changes.get("het_commodity", product.het_commodity),
        het_quantity=changes.get("het_quantity", product.het_quantity),
        consignor=consignor,
        commission_percent=changes.get("commission_percent", product.commission_percent),
        min_stock=changes.get("min_stock", product.min_stock),
    )
    services.product_update(
        cooperative=cooperative,
        product=product,
        data=data,
        is_active=product.is_active if is_active is None else is_active,
        actor=request.user,
    )
    return _product_detail(cooperative, product.pk)


def _price_out(row: ProductPrice, product_price: int) -> dict[str, Any]:
    return {
        "id": row.pk,
        "product_id": row.product_id,
        "price": row.price,
        "effective_from": row.effective_from,
        "reason": row.reason,
        "set_by": _username(row.set_by),
        "set_at": row.set_at,
        "product_price": product_price,
    }


@router.get(
    "/{coop}/products/{product_id}/prices", response=PriceListOut, summary="Riwayat harga jual barang (terbaru dahulu)"
)
def product_prices(request: HttpRequest, coop: str, product_id: int, page: Query[PageQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    product = selectors.product_get(cooperative=cooperative, product_id=_id(product_id, "Barang tidak ditemukan."))
    rows = selectors.price_history(cooperative=cooperative, product=product)
    return _page_of([_price_out(r, product.price) for r in rows], page.limit, page.offset)


@router.post(
    "/{coop}/products/{product_id}/prices",
    response={201: PriceOut},
    summary="Tetapkan harga jual mulai tanggal tertentu (tidak di atas HET) (ketua, bendahara, manajer)",
)
def product_price_set(request: HttpRequest, coop: str, product_id: int, payload: PriceIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_CATALOGUE)
    product = selectors.product_get(cooperative=cooperative, product_id=_id(product_id, "Barang tidak ditemukan."))
    row = services.product_price_set(
        cooperative=cooperative,
        product=product,
        price=payload.price,
        effective_from=payload.effective_from,
        reason=payload.reason,
        actor=request.user,
    )
    product = selectors.product_get(cooperative=cooperative, product_id=row.product_id)
    return Status(201, _price_out(ProductPrice.objects.select_related("set_by").get(pk=row.pk), product.price))


# --- HET ----------------------------------------------------------------------------------------
class HetOut(Schema):
    id: int
    commodity: str
    commodity_label: str
    region_code: str
    zone: str
    price: int
    effective_from: datetime.date
    effective_to: datetime.date | None
    legal_basis: str
    in_force: bool  # the row that applies to this cooperative today


class HetListOut(Schema):
    as_of: datetime.date
    items: list[HetOut]
    count: int


class HetFilter(Schema):
    commodity: Text = ""


@router.get(
    "/{coop}/het",
    response=HetListOut,
    summary="Harga eceran tertinggi (HET) yang dapat berlaku di wilayah koperasi; in_force = berlaku hari ini",
)
def het_list(request: HttpRequest, coop: str, filters: Query[HetFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    if filters.commodity and filters.commodity not in HetCommodity.values:
        raise ValidationError.for_field(
            "commodity", f"Komoditas harus salah satu dari {', '.join(HetCommodity.values)}."
        )
    rows = Het.objects.filter(region_code__in=selectors.region_prefixes(cooperative.kelurahan_id)).order_by(
        "commodity", "region_code", "-effective_from"
    )
    if filters.commodity:
        rows = rows.filter(commodity=filters.commodity)
    hets = list(rows)
    today = timezone.localdate()
    plain = [calculations.HetRow(h.commodity, h.region_code, h.price, h.effective_from, h.effective_to) for h in hets]
    in_force: set[tuple[str, str, datetime.date]] = set()
    for commodity in {h.commodity for h in hets}:
        row = calculations.het_pick(plain, commodity=commodity, kelurahan_code=cooperative.kelurahan_id, date=today)
        if row is not None:
            in_force.add((row.commodity, row.region_code, row.effective_from))
    items = [
        {
            "id": h.pk,
            "commodity": h.commodity,
            "commodity_label": str(h.get_commodity_display()),
            "region_code": h.region_code,
            "zone": h.zone,
            "price": h.price,
            "effective_from": h.effective_from,
            "effective_to": h.effective_to,
            "legal_basis": h.legal_basis,
            "in_force": (h.commodity, h.region_code, h.effective_from) in in_force,
        }
        for h in hets
    ]
    return {"as_of": today, "items": items, "count": len(items)}


# --- Suppliers ----------------------------------------------------------------------------------
class SupplierOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    member_id: int | None
    phone: str
    address: str
    is_active: bool
    payable: int  # goods received on credit − payments


class SupplierListOut(Schema):
    items: list[SupplierOut]
    count: int


class InvoiceOut(Schema):
    id: int
    supplier_id: int
    invoice_no: str
    date: datetime.date
    due_on: datetime.date | None
    amount: int
    paid: int
    outstanding: int
    receipt_ids: list[int]


class SupplierDetailOut(SupplierOut):
    consignment_payable: int  # what its sold consignment goods earned, less commission and settlements
    invoices: list[InvoiceOut]


class SupplierIn(Schema):
    name: Text
    kind: Text = SupplierKind.DISTRIBUTOR.value
    member_id: WholeNumber | None = None
    phone: Text = ""
    address: Text = ""


class SupplierPaymentIn(Schema):
    amount: WholeRupiah
    date: Day
    channel: Text = "tunai"
    reference: Text = ""
    invoice_id: WholeNumber | None = None


class SupplierPaymentOut(Schema):
    id: int
    supplier_id: int
    invoice_id: int | None
    date: datetime.date
    amount: int
    channel: str
    reference: str
    entry_number: str
    payable: int  # what is still owed to the supplier now


class InvoiceIn(Schema):
    invoice_no: Text
    date: Day
    due_on: Day | None = None
    receipt_ids: list[WholeNumber]


class SettlementIn(Schema):
    amount: WholeRupiah
    date: Day
    channel: Text = "tunai"
    reference: Text = ""


class SettlementOut(Schema):
    id: int
    consignor_id: int
    date: datetime.date
    amount: int
    channel: str
    reference: str
    entry_number: str
    consignment_payable: int  # what is still owed to the UMKM now


def _supplier_out(supplier: Supplier, payable: int) -> dict[str, Any]:
    return {
        "id": supplier.pk,
        "name": supplier.name,
        "kind": supplier.kind,
        "kind_label": str(supplier.get_kind_display()),
        "member_id": supplier.member_id,
        "phone": supplier.phone,
        "address": supplier.address,
        "is_active": supplier.is_active,
        "payable": payable,
    }


def _invoice_out(invoice: SupplierInvoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "supplier_id": invoice.supplier_id,
        "invoice_no": invoice.invoice_no,
        "date": invoice.date,
        "due_on": invoice.due_on,
        "amount": invoice.amount,
        "paid": invoice.paid,
        "outstanding": invoice.amount - invoice.paid,
        "receipt_ids": sorted(r.pk for r in invoice.receipts.all()),
    }


def _supplier_of(cooperative: Cooperative, supplier_id: int) -> Supplier:
    return selectors.supplier_get(cooperative=cooperative, supplier_id=_id(supplier_id, "Pemasok tidak ditemukan."))


@router.get("/{coop}/suppliers", response=SupplierListOut, summary="Pemasok (menurut nama) dengan utangnya")
def supplier_list(request: HttpRequest, coop: str, page: Query[PageQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    payables = selectors.supplier_payables(cooperative=cooperative)
    qs = selectors.supplier_list(cooperative=cooperative).order_by("name")
    return _paginate(qs, page.limit, page.offset, lambda s: _supplier_out(s, payables.get(s.pk, 0)))


@router.post("/{coop}/suppliers", response={201: SupplierDetailOut}, summary="Daftarkan pemasok (bendahara, manajer)")
def supplier_create(request: HttpRequest, coop: str, payload: SupplierIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_PURCHASE)
    member = None
    if payload.member_id is not None:
        member = member_selectors.member_get(
            cooperative=cooperative, member_id=_id(payload.member_id, "Anggota tidak ditemukan.")
        )
    supplier = services.supplier_create(
        cooperative=cooperative,
        name=payload.name,
        kind=payload.kind,
        member=member,
        phone=payload.phone,
        address=payload.address,
        actor=request.user,
    )
    return Status(201, _supplier_detail(cooperative, supplier))


def _supplier_detail(cooperative: Cooperative, supplier: Supplier) -> dict[str, Any]:
    invoices = (
        SupplierInvoice.objects.filter(cooperative=cooperative, supplier=supplier)
        .prefetch_related(Prefetch("receipts", queryset=GoodsReceipt.objects.only("pk", "invoice_id")))
        .order_by("-date", "-id")
    )
    return {
        **_supplier_out(supplier, selectors.supplier_payable(cooperative=cooperative, supplier=supplier)),
        "consignment_payable": selectors.consignment_payable(cooperative=cooperative, consignor=supplier),
        "invoices": [_invoice_out(i) for i in invoices],
    }


@router.get(
    "/{coop}/suppliers/{supplier_id}",
    response=SupplierDetailOut,
    summary="Satu pemasok: utang dagang, utang titipan UMKM, faktur",
)
def supplier_detail(request: HttpRequest, coop: str, supplier_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    return _supplier_detail(cooperative, _supplier_of(cooperative, supplier_id))


@router.post(
    "/{coop}/suppliers/{supplier_id}/payments",
    response={201: SupplierPaymentOut},
    summary="Bayar utang kepada pemasok, boleh atas satu faktur (bendahara)",
)
def supplier_pay(
    request: HttpRequest,
    coop: str,
    supplier_id: int,
    payload: SupplierPaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_PAY)
    invoice = None if payload.invoice_id is None else _id(payload.invoice_id, "Faktur tidak ditemukan.")
    payment = services.supplier_pay(
        cooperative=cooperative,
        supplier=_id(supplier_id, "Pemasok tidak ditemukan."),
        amount=payload.amount,
        date=payload.date,
        channel=payload.channel,
        reference=payload.reference,
        invoice=invoice,
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    # Load it afresh: a repeated key returns the first payment, whatever the supplier in the path.
    payment = SupplierPayment.objects.select_related("journal_entry", "supplier").get(pk=payment.pk)
    return Status(
        201,
        {
            "id": payment.pk,
            "supplier_id": payment.supplier_id,
            "invoice_id": payment.invoice_id,
            "date": payment.date,
            "amount": payment.amount,
            "channel": payment.channel,
            "reference": payment.reference,
            "entry_number": payment.journal_entry.number,
            "payable": selectors.supplier_payable(cooperative=cooperative, supplier=payment.supplier),
        },
    )


@router.post(
    "/{coop}/suppliers/{supplier_id}/invoices",
    response={201: InvoiceOut},
    summary="Catat faktur pemasok atas penerimaan barang yang belum dibayar (bendahara, manajer)",
)
def supplier_invoice(request: HttpRequest, coop: str, supplier_id: int, payload: InvoiceIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_PURCHASE)
    if any(not 1 <= r <= ID_MAX for r in payload.receipt_ids):
        raise ValidationError.for_field("receipts", "Penerimaan barang tidak ditemukan.")
    invoice = services.supplier_invoice_record(
        cooperative=cooperative,
        supplier=_id(supplier_id, "Pemasok tidak ditemukan."),
        invoice_no=payload.invoice_no,
        date=payload.date,
        receipts=payload.receipt_ids,
        due_on=payload.due_on,
        actor=request.user,
    )
    return Status(201, _invoice_out(SupplierInvoice.objects.prefetch_related("receipts").get(pk=invoice.pk)))


@router.post(
    "/{coop}/suppliers/{supplier_id}/consignment-settlements",
    response={201: SettlementOut},
    summary="Bayar UMKM hasil barang titipannya yang terjual, dikurangi komisi (bendahara)",
)
def consignment_settle(
    request: HttpRequest, coop: str, supplier_id: int, payload: SettlementIn
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_PAY)
    settlement = services.consignment_settle(
        cooperative=cooperative,
        consignor=_id(supplier_id, "Pemasok tidak ditemukan."),
        amount=payload.amount,
        date=payload.date,
        channel=payload.channel,
        reference=payload.reference,
        actor=request.user,
    )
    settlement = ConsignmentSettlement.objects.select_related("journal_entry", "consignor").get(pk=settlement.pk)
    return Status(
        201,
        {
            "id": settlement.pk,
            "consignor_id": settlement.consignor_id,
            "date": settlement.date,
            "amount": settlement.amount,
            "channel": settlement.channel,
            "reference": settlement.reference,
            "entry_number": settlement.journal_entry.number,
            "consignment_payable": selectors.consignment_payable(
                cooperative=cooperative, consignor=settlement.consignor
            ),
        },
    )


# --- Purchases (goods receipts) and purchase orders -----------------------------------------------
class PurchaseLineIn(Schema):
    sku: Text
    qty: WholeNumber
    unit_cost: WholeRupiah


class PurchaseIn(Schema):
    supplier: WholeNumber | Text  # an id, or a name (found in any case, or registered as a distributor)
    date: Day
    lines: list[PurchaseLineIn]
    location: Text = ""  # a location code; default the first gerai
    paid: Text | None = None  # "tunai" or "transfer" when paid on receipt; omitted: on credit
    reference: Text = ""
    note: Text = ""


class ReceiptLineOut(Schema):
    id: int
    order_line_id: int | None
    product_id: int
    sku: str
    name: str
    qty: int
    unit_cost: int
    line_total: int


class ReceiptOut(Schema):
    id: int
    receipt_no: str
    supplier_id: int
    supplier_name: str
    order_id: int | None
    invoice_id: int | None
    location: str
    date: datetime.date
    total: int
    paid_on_receipt: bool
    paid_channel: str | None
    reference: str
    note: str
    entry_number: str | None
    lines: list[ReceiptLineOut]


class ReceiptListOut(Schema):
    items: list[ReceiptOut]
    count: int


class ReceiptFilter(PageQuery):
    supplier_id: int | None = None
    date_from: Day | None = None
    date_to: Day | None = None


def _receipts(cooperative: Cooperative) -> QuerySet[GoodsReceipt]:
    return (
        GoodsReceipt.objects.filter(cooperative=cooperative)
        .select_related("supplier", "location", "journal_entry")
        .prefetch_related(Prefetch("lines", queryset=GoodsReceiptLine.objects.select_related("product").order_by("id")))
        .order_by("-date", "-id")
    )


def _receipt_out(receipt: GoodsReceipt) -> dict[str, Any]:
    return {
        "id": receipt.pk,
        "receipt_no": receipt.receipt_no,
        "supplier_id": receipt.supplier_id,
        "supplier_name": receipt.supplier.name,
        "order_id": receipt.order_id,
        "invoice_id": receipt.invoice_id,
        "location": receipt.location.code,
        "date": receipt.date,
        "total": receipt.total,
        "paid_on_receipt": receipt.paid_on_receipt,
        "paid_channel": receipt.paid_channel or None,
        "reference": receipt.paid_reference,
        "note": receipt.note,
        "entry_number": _entry_number(receipt.journal_entry),
        "lines": [
            {
                "id": line.pk,
                "order_line_id": line.order_line_id,
                "product_id": line.product_id,
                "sku": line.product.sku,
                "name": line.product.name,
                "qty": line.qty,
                "unit_cost": line.unit_cost,
                "line_total": line.line_total,
            }
            for line in receipt.lines.all()
        ],
    }


def _receipt_answer(cooperative: Cooperative, receipt: GoodsReceipt) -> Status[dict[str, Any]]:
    return Status(201, _receipt_out(_receipts(cooperative).get(pk=receipt.pk)))


def _purchase_supplier(cooperative: Cooperative, supplier: int | str, actor: Any) -> Supplier | int:
    """A supplier id (404 when not this cooperative's), or a name found or registered (call in a transaction)."""
    if isinstance(supplier, int):
        return _supplier_of(cooperative, supplier)
    return services.supplier_for_name(cooperative=cooperative, name=supplier, actor=actor)


def _purchase_lines(lines: list[PurchaseLineIn]) -> list[services.PurchaseLineInput]:
    return [services.PurchaseLineInput(product=ln.sku, qty=ln.qty, unit_cost=ln.unit_cost) for ln in lines]


@router.get("/{coop}/purchases", response=ReceiptListOut, summary="Penerimaan barang (pembelian), terbaru dahulu")
def purchase_list(request: HttpRequest, coop: str, filters: Query[ReceiptFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    qs = _receipts(cooperative)
    if filters.supplier_id is not None:
        qs = qs.filter(supplier_id=_id(filters.supplier_id, "Pemasok tidak ditemukan."))
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    return _paginate(qs, filters.limit, filters.offset, _receipt_out)


@router.post(
    "/{coop}/purchases",
    response={201: ReceiptOut},
    summary="Pembelian langsung: barang diterima hari itu, utang atau dibayar tunai/transfer (bendahara, manajer)",
)
def purchase_create(
    request: HttpRequest,
    coop: str,
    payload: PurchaseIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_PURCHASE)
    key = api_idempotency_key(idempotency_key)
    # One transaction: a supplier registered by name is not left behind when the purchase is refused.
    with transaction.atomic():
        receipt = services.purchase_direct(
            cooperative=cooperative,
            supplier=_purchase_supplier(cooperative, payload.supplier, request.user),
            date=payload.date,
            lines=_purchase_lines(payload.lines),
            location=_location_ref(payload.location, "location") if payload.location.strip() else None,
            paid_channel=payload.paid,
            reference=payload.reference,
            note=payload.note,
            idempotency_key=key,
            actor=request.user,
        )
    return _receipt_answer(cooperative, receipt)


@router.get("/{coop}/purchases/{receipt_id}", response=ReceiptOut, summary="Satu penerimaan barang dengan barisnya")
def purchase_detail(request: HttpRequest, coop: str, receipt_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    found = _receipts(cooperative).filter(pk=_id(receipt_id, "Penerimaan barang tidak ditemukan.")).first()
    if found is None:
        raise NotFound("Penerimaan barang tidak ditemukan.")
    return _receipt_out(found)


class OrderIn(Schema):
    supplier: WholeNumber | Text
    date: Day
    lines: list[PurchaseLineIn]
    location: Text = ""
    expected_on: Day | None = None
    note: Text = ""


class OrderLineOut(Schema):
    line_id: int
    product_id: int
    sku: str
    name: str
    qty_ordered: int
    qty_received: int
    qty_due: int
    unit_cost: int
    line_total: int


class OrderOut(Schema):
    id: int
    order_no: str
    supplier_id: int
    supplier_name: str
    date: datetime.date
    expected_on: datetime.date | None
    location: str
    status: str
    status_label: str
    note: str
    total: int
    lines: list[OrderLineOut]
    receipt_ids: list[int]


class OrderListOut(Schema):
    items: list[OrderOut]
    count: int


class OrderFilter(PageQuery):
    status: Text = ""


class OrderReceiveLineIn(Schema):
    line_id: WholeNumber
    qty: WholeNumber


class OrderReceiveIn(Schema):
    date: Day
    lines: list[OrderReceiveLineIn]
    note: Text = ""


class OrderCancelIn(Schema):
    reason: Text


def _orders(cooperative: Cooperative) -> QuerySet[PurchaseOrder]:
    return (
        PurchaseOrder.objects.filter(cooperative=cooperative)
        .select_related("supplier", "location")
        .prefetch_related(
            Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("product").order_by("id")),
            Prefetch("receipts", queryset=GoodsReceipt.objects.only("pk", "order_id").order_by("id")),
        )
        .order_by("-date", "-id")
    )


def _order_out(order: PurchaseOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "order_no": order.order_no,
        "supplier_id": order.supplier_id,
        "supplier_name": order.supplier.name,
        "date": order.date,
        "expected_on": order.expected_on,
        "location": order.location.code,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "note": order.note,
        "total": order.total,
        "lines": [
            {
                "line_id": line.pk,
                "product_id": line.product_id,
                "sku": line.product.sku,
                "name": line.product.name,
                "qty_ordered": line.qty_ordered,
                "qty_received": line.qty_received,
                "qty_due": line.qty_ordered - line.qty_received,
                "unit_cost": line.unit_cost,
                "line_total": line.qty_ordered * line.unit_cost,
            }
            for line in order.lines.all()
        ],
        "receipt_ids": [r.pk for r in order.receipts.all()],
    }


def _order_of(cooperative: Cooperative, order_id: int) -> dict[str, Any]:
    found = _orders(cooperative).filter(pk=_id(order_id, "Pesanan pembelian tidak ditemukan.")).first()
    if found is None:
        raise NotFound("Pesanan pembelian tidak ditemukan.", code="order_not_found")
    return _order_out(found)


@router.get("/{coop}/purchase-orders", response=OrderListOut, summary="Pesanan pembelian, terbaru dahulu")
def order_list(request: HttpRequest, coop: str, filters: Query[OrderFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    qs = _orders(cooperative)
    if filters.status:
        if filters.status not in PurchaseOrderStatus.values:
            raise ValidationError.for_field("status", "Status harus ordered, partial, received atau cancelled.")
        qs = qs.filter(status=filters.status)
    return _paginate(qs, filters.limit, filters.offset, _order_out)


@router.post(
    "/{coop}/purchase-orders",
    response={201: OrderOut},
    summary="Pesan barang ke pemasok (belum dibukukan sampai diterima) (bendahara, manajer)",
)
def order_create(request: HttpRequest, coop: str, payload: OrderIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_PURCHASE)
    with transaction.atomic():
        order = services.purchase_order_create(
            cooperative=cooperative,
            supplier=_purchase_supplier(cooperative, payload.supplier, request.user),
            date=payload.date,
            lines=_purchase_lines(payload.lines),
            location=_location_ref(payload.location, "location") if payload.location.strip() else None,
            expected_on=payload.expected_on,
            note=payload.note,
            actor=request.user,
        )
    return Status(201, _order_of(cooperative, order.pk))


@router.get("/{coop}/purchase-orders/{order_id}", response=OrderOut, summary="Satu pesanan pembelian")
def order_detail(request: HttpRequest, coop: str, order_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    return _order_of(cooperative, order_id)


@router.post(
    "/{coop}/purchase-orders/{order_id}/receipts",
    response={201: ReceiptOut},
    summary="Terima barang pesanan (boleh sebagian) (bendahara, manajer, kasir)",
)
def order_receive(
    request: HttpRequest,
    coop: str,
    order_id: int,
    payload: OrderReceiveIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_RECEIVE)
    quantities: dict[int, int] = {}
    for line in payload.lines:
        if line.line_id in quantities:
            raise ValidationError.for_field(f"lines.{line.line_id}", "Baris pesanan disebut lebih dari sekali.")
        quantities[line.line_id] = line.qty
    receipt = services.goods_receive(
        cooperative=cooperative,
        order=_id(order_id, "Pesanan pembelian tidak ditemukan."),
        date=payload.date,
        quantities=quantities,
        note=payload.note,
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    return _receipt_answer(cooperative, receipt)


@router.post(
    "/{coop}/purchase-orders/{order_id}/cancel",
    response=OrderOut,
    summary="Batalkan sisa pesanan yang belum diterima (bendahara, manajer)",
)
def order_cancel(request: HttpRequest, coop: str, order_id: int, payload: OrderCancelIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_PURCHASE)
    services.purchase_order_cancel(
        cooperative=cooperative,
        order=_id(order_id, "Pesanan pembelian tidak ditemukan."),
        reason=payload.reason,
        actor=request.user,
    )
    return _order_of(cooperative, order_id)


# --- Stock ------------------------------------------------------------------------------------------
class StockRowOut(Schema):
    product_id: int
    sku: str
    name: str
    unit: str
    qty: int
    value: int
    is_consignment: bool
    locations: list[dict[str, Any]]  # [{"code", "qty"}] where the product is held


class StockListOut(Schema):
    items: list[StockRowOut]
    count: int
    total_value: int


class StockFilter(PageQuery):
    location: Text = ""


class StockLineIn(Schema):
    sku: Text
    qty: WholeNumber


class TransferIn(Schema):
    from_: Text = Field(alias="from")
    to: Text
    date: Day
    lines: list[StockLineIn]
    note: Text = ""


class MovedLineOut(Schema):
    product_id: int
    sku: str
    name: str
    qty: int


class TransferOut(Schema):
    id: int
    transfer_no: str
    date: datetime.date
    from_: str = Field(alias="from")
    to: str
    note: str
    lines: list[MovedLineOut]


class CountLineIn(Schema):
    sku: Text
    counted: WholeNumber


class CountIn(Schema):
    location: Text
    date: Day
    lines: list[CountLineIn]
    note: Text = ""


class CountLineOut(Schema):
    product_id: int
    sku: str
    name: str
    system_qty: int
    counted_qty: int
    difference: int
    variance_value: int


class CountOut(Schema):
    id: int
    count_no: str
    date: datetime.date
    location: str
    note: str
    variance_value: int
    entry_number: str | None
    lines: list[CountLineOut]


class MoveOut(Schema):
    id: int
    date: datetime.date
    kind: str
    kind_label: str
    product_id: int
    sku: str
    location: str
    qty: int
    value: int
    source_type: str
    source_id: int


class MoveListOut(Schema):
    items: list[MoveOut]
    count: int


class MoveFilter(PageQuery):
    sku: Text = ""
    location: Text = ""
    date_from: Day | None = None
    date_to: Day | None = None


class ConsignmentIn(Schema):
    sku: Text
    qty: WholeNumber
    date: Day
    withdraw: bool = False  # true: unsold goods handed back to the UMKM
    location: Text = ""


class ConsignmentMoveOut(Schema):
    id: int
    product_id: int
    sku: str
    consignor_id: int
    location: str
    date: datetime.date
    kind: str
    qty: int  # signed: positive in, negative handed back
    stock_qty: int  # the product's quantity now, all locations


@router.get(
    "/{coop}/stock",
    response=StockListOut,
    summary="Stok per barang (semua lokasi, atau ?location=) dan nilainya dengan harga pokok rata-rata",
)
def stock_list(request: HttpRequest, coop: str, filters: Query[StockFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    location = None
    if filters.location.strip():
        location = selectors.location_get(
            cooperative=cooperative, location_id=_location_ref(filters.location, "location")
        )
    rows = selectors.stock_list(cooperative=cooperative, location=location)
    # Where each product is held, in one query (not one per row).
    held: dict[int, list[dict[str, Any]]] = {}
    levels = StockLevel.objects.filter(cooperative=cooperative, qty__gt=0)
    if location is not None:
        levels = levels.filter(location=location)
    for product_id, code, qty in levels.order_by("location__kind", "location__code").values_list(
        "product_id", "location__code", "qty"
    ):
        held.setdefault(product_id, []).append({"code": code, "qty": qty})
    items = [
        {
            "product_id": r.product_id,
            "sku": r.sku,
            "name": r.name,
            "unit": r.unit,
            "qty": r.qty,
            "value": r.value,
            "is_consignment": r.is_consignment,
            "locations": held.get(r.product_id, []),
        }
        for r in rows
    ]
    return {**_page_of(items, filters.limit, filters.offset), "total_value": sum(r.value for r in rows)}


def _product_ids_for_skus(cooperative: Cooperative, skus: list[str]) -> dict[str, int]:
    """Map each SKU to its product id (one query). Raises ValidationError naming the unknown ones."""
    found = dict(Product.objects.filter(cooperative=cooperative, sku__in=set(skus)).values_list("sku", "pk"))
    unknown = [sku for sku in skus if sku not in found]
    if unknown:
        raise ValidationError(
            f"Barang tidak dikenal: {', '.join(unknown)}.",
            code="product_unknown",
            detail={"lines": [f"Barang '{u}' tidak ada di katalog koperasi ini." for u in unknown]},
        )
    return found


@router.post(
    "/{coop}/stock/transfers",
    response={201: TransferOut},
    by_alias=True,
    summary="Pindahkan barang antarlokasi, mis. gudang → gerai (bendahara, manajer, kasir)",
)
def stock_transfer(request: HttpRequest, coop: str, payload: TransferIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_STOCK)
    transfer = services.stock_transfer(
        cooperative=cooperative,
        from_location=_location_ref(payload.from_, "from"),
        to_location=_location_ref(payload.to, "to"),
        date=payload.date,
        lines=[(ln.sku, ln.qty) for ln in payload.lines],
        note=payload.note,
        actor=request.user,
    )
    transfer = (
        StockTransfer.objects.select_related("from_location", "to_location")
        .prefetch_related(Prefetch("lines", queryset=StockTransferLine.objects.select_related("product")))
        .get(pk=transfer.pk)
    )
    return Status(
        201,
        {
            "id": transfer.pk,
            "transfer_no": transfer.transfer_no,
            "date": transfer.date,
            "from": transfer.from_location.code,
            "to": transfer.to_location.code,
            "note": transfer.note,
            "lines": [
                {"product_id": ln.product_id, "sku": ln.product.sku, "name": ln.product.name, "qty": ln.qty}
                for ln in transfer.lines.all()
            ],
        },
    )


@router.post(
    "/{coop}/stock/counts",
    response={201: CountOut},
    summary="Catat stok opname satu lokasi; selisih dibukukan dengan harga pokok rata-rata (bendahara, manajer)",
)
def stock_count(request: HttpRequest, coop: str, payload: CountIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_STOCK_COUNT)
    skus = [ln.sku for ln in payload.lines]
    if len(set(skus)) != len(skus):
        raise ValidationError.for_field("lines", "Setiap barang cukup dihitung sekali dalam satu opname.")
    ids = _product_ids_for_skus(cooperative, skus)
    count = services.stock_count_post(
        cooperative=cooperative,
        location=_location_ref(payload.location, "location"),
        date=payload.date,
        counts={ids[ln.sku]: ln.counted for ln in payload.lines},
        note=payload.note,
        actor=request.user,
    )
    count = (
        StockCount.objects.select_related("location", "journal_entry")
        .prefetch_related(Prefetch("lines", queryset=StockCountLine.objects.select_related("product")))
        .get(pk=count.pk)
    )
    return Status(
        201,
        {
            "id": count.pk,
            "count_no": count.count_no,
            "date": count.date,
            "location": count.location.code,
            "note": count.note,
            "variance_value": count.variance_value,
            "entry_number": _entry_number(count.journal_entry),
            "lines": [
                {
                    "product_id": ln.product_id,
                    "sku": ln.product.sku,
                    "name": ln.product.name,
                    "system_qty": ln.system_qty,
                    "counted_qty": ln.counted_qty,
                    "difference": ln.counted_qty - ln.system_qty,
                    "variance_value": ln.variance_value,
                }
                for ln in count.lines.all()
            ],
        },
    )


@router.get(
    "/{coop}/stock/moves",
    response=MoveListOut,
    summary="Kartu stok: setiap perubahan jumlah barang per lokasi, terlama dahulu",
)
def stock_moves(request: HttpRequest, coop: str, filters: Query[MoveFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    qs = StockMove.objects.filter(cooperative=cooperative).select_related("product", "location").order_by("date", "id")
    if filters.sku.strip():
        product = selectors.product_find(cooperative=cooperative, code=filters.sku)
        if product is None:
            raise NotFound("Barang tidak ditemukan.", code="product_not_found")
        qs = qs.filter(product=product)
    if filters.location.strip():
        place = selectors.location_get(cooperative=cooperative, location_id=_location_ref(filters.location, "location"))
        qs = qs.filter(location=place)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)

    def item(move: StockMove) -> dict[str, Any]:
        return {
            "id": move.pk,
            "date": move.date,
            "kind": move.kind,
            "kind_label": str(MoveKind(move.kind).label),
            "product_id": move.product_id,
            "sku": move.product.sku,
            "location": move.location.code,
            "qty": move.qty,
            "value": move.value,
            "source_type": move.source_type,
            "source_id": move.source_id,
        }

    return _paginate(qs, filters.limit, filters.offset, item)


@router.post(
    "/{coop}/consignment/receipts",
    response={201: ConsignmentMoveOut},
    summary="Terima barang titipan UMKM (atau withdraw: kembalikan yang belum laku) (bendahara, manajer, kasir)",
)
def consignment_receive(request: HttpRequest, coop: str, payload: ConsignmentIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_RECEIVE)
    product = selectors.product_find(cooperative=cooperative, code=payload.sku)
    if product is None:
        raise ValidationError(
            f"Barang tidak dikenal: {payload.sku}.",
            code="product_unknown",
            detail={"sku": [f"Barang '{payload.sku}' tidak ada di katalog koperasi ini."]},
        )
    move = services.consignment_receive(
        cooperative=cooperative,
        product=product,
        qty=payload.qty,
        date=payload.date,
        location=_location_ref(payload.location, "location") if payload.location.strip() else None,
        withdraw=payload.withdraw,
        actor=request.user,
    )
    after = Product.objects.filter(pk=product.pk).values_list("stock_qty", "consignor_id").get()
    return Status(
        201,
        {
            "id": move.pk,
            "product_id": product.pk,
            "sku": product.sku,
            "consignor_id": after[1],
            "location": move.location.code,
            "date": move.date,
            "kind": move.kind,
            "qty": move.qty,
            "stock_qty": after[0],
        },
    )


# --- Cashier sessions ---------------------------------------------------------------------------------
class SessionOut(Schema):
    id: int
    session_no: str
    cashier: str
    location: str
    status: str
    opened_at: datetime.datetime
    opening_float: int
    closed_at: datetime.datetime | None
    expected_cash: int | None  # at closing (an open session's detail shows it live)
    counted_cash: int | None
    variance: int | None  # counted − expected: negative is a shortage
    note: str
    entry_number: str | None


class SessionListOut(Schema):
    items: list[SessionOut]
    count: int


class SessionFilter(PageQuery):
    status: Text = ""


class SessionOpenIn(Schema):
    opening_float: WholeRupiah
    location: Text = ""


class SessionCloseIn(Schema):
    counted_cash: WholeRupiah
    note: Text = ""


def _sessions(cooperative: Cooperative) -> QuerySet[CashierSession]:
    return (
        CashierSession.objects.filter(cooperative=cooperative)
        .select_related("cashier", "location", "journal_entry")
        .order_by("-opened_at", "-id")
    )


def _session_out(session: CashierSession, live: bool = False) -> dict[str, Any]:
    expected = session.expected_cash
    if live and session.status == SessionStatus.OPEN:
        expected = services.session_expected_cash(session)
    return {
        "id": session.pk,
        "session_no": session.session_no,
        "cashier": session.cashier.username,
        "location": session.location.code,
        "status": session.status,
        "opened_at": session.opened_at,
        "opening_float": session.opening_float,
        "closed_at": session.closed_at,
        "expected_cash": expected,
        "counted_cash": session.counted_cash,
        "variance": session.variance,
        "note": session.close_note,
        "entry_number": _entry_number(session.journal_entry),
    }


def _session_of(cooperative: Cooperative, session_id: int) -> CashierSession:
    found = _sessions(cooperative).filter(pk=_id(session_id, "Sesi kasir tidak ditemukan.")).first()
    if found is None:
        raise NotFound("Sesi kasir tidak ditemukan.", code="session_not_found")
    return found


@router.get("/{coop}/cashier-sessions", response=SessionListOut, summary="Sesi kasir, terbaru dahulu")
def session_list(request: HttpRequest, coop: str, filters: Query[SessionFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    qs = _sessions(cooperative)
    if filters.status:
        if filters.status not in SessionStatus.values:
            raise ValidationError.for_field("status", "Status harus open atau closed.")
        qs = qs.filter(status=filters.status)
    return _paginate(qs, filters.limit, filters.offset, _session_out)


@router.post(
    "/{coop}/cashier-sessions",
    response={201: SessionOut},
    summary="Buka sesi kasir dengan modal awal kas (kasir, bendahara, manajer)",
)
def session_open(request: HttpRequest, coop: str, payload: SessionOpenIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_SELL)
    session = services.cashier_session_open(
        cooperative=cooperative,
        opening_float=payload.opening_float,
        location=_location_ref(payload.location, "location") if payload.location.strip() else None,
        actor=request.user,
    )
    return Status(201, _session_out(_session_of(cooperative, session.pk), live=True))


@router.get(
    "/{coop}/cashier-sessions/{session_id}",
    response=SessionOut,
    summary="Satu sesi kasir; yang masih buka menunjukkan kas seharusnya saat ini",
)
def session_detail(request: HttpRequest, coop: str, session_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    return _session_out(_session_of(cooperative, session_id), live=True)


@router.post(
    "/{coop}/cashier-sessions/{session_id}/close",
    response=SessionOut,
    summary="Tutup sesi kasir dengan hitungan kas; selisih dibukukan (kasirnya, atau bendahara/manajer/ketua)",
)
def session_close(request: HttpRequest, coop: str, session_id: int, payload: SessionCloseIn) -> dict[str, Any]:
    # Who may close is the service's rule (the cashier, or an approver of returns).
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    services.cashier_session_close(
        cooperative=cooperative,
        session=_id(session_id, "Sesi kasir tidak ditemukan."),
        counted_cash=payload.counted_cash,
        note=payload.note,
        actor=request.user,
    )
    return _session_out(_session_of(cooperative, session_id))


# --- Sales ------------------------------------------------------------------------------------------
class SaleLineIn(Schema):
    sku: Text
    qty: WholeNumber


class PaymentIn(Schema):
    method: Text
    cash_received: WholeRupiah | None = None  # cash handed over (tunai); change = this − total
    reference: Text = ""  # QRIS or transfer reference


class SaleIn(Schema):
    date: Day
    lines: list[SaleLineIn]
    payment: Text | PaymentIn  # "tunai" ("cash"), "qris", "transfer", or an object
    member_id: WholeNumber | None = None
    member_no: WholeNumber | Text | None = None  # the number on the card, 12 or "00012"
    card: Text | None = None  # the member card's QR text, KOPERASI:<coop>:<number>
    buyer_nik: Text = ""
    buyer_name: Text = ""
    location: Text = ""  # default: the cashier's open session's, else the first gerai
    partner_reference: Text = ""  # subsidised goods: the partner's transaction number (e.g. Pertamina MAP)


class SoldLineOut(Schema):
    line_id: int
    product_id: int
    sku: str
    name: str
    qty: int
    unit_price: int
    line_total: int
    qty_returned: int


class SaleOut(Schema):
    id: int
    sale_no: str
    date: datetime.date
    status: str
    location: str
    session_id: int | None
    member_id: int | None
    member_no: str | None
    buyer_name: str
    is_member_sale: bool
    payment_method: str
    payment_reference: str
    total: int
    cash_received: int | None
    change: int
    total_returned: int
    cashier: str | None
    entry_number: str
    lines: list[SoldLineOut]


class SaleListOut(Schema):
    items: list[SaleOut]
    count: int


class SaleFilter(PageQuery):
    date_from: Day | None = None
    date_to: Day | None = None
    member_id: int | None = None


def _sales(cooperative: Cooperative) -> QuerySet[Sale]:
    return (
        Sale.objects.filter(cooperative=cooperative)
        .select_related("member", "location", "created_by", "journal_entry")
        .prefetch_related(Prefetch("lines", queryset=SaleLine.objects.select_related("product").order_by("id")))
        .order_by("-date", "-id")
    )


def _sale_out(sale: Sale) -> dict[str, Any]:
    return {
        "id": sale.pk,
        "sale_no": sale.sale_no,
        "date": sale.date,
        "status": sale.status,
        "location": sale.location.code,
        "session_id": sale.session_id,
        "member_id": sale.member_id,
        "member_no": sale.member.number if sale.member else None,
        "buyer_name": sale.buyer_name,
        "is_member_sale": sale.is_member_sale,
        "payment_method": sale.payment_method,
        "payment_reference": sale.payment_reference,
        "total": sale.total,
        "cash_received": sale.cash_received,
        "change": sale.change,
        "total_returned": sale.total_returned,
        "cashier": _username(sale.created_by),
        "entry_number": sale.journal_entry.number,
        "lines": [
            {
                "line_id": line.pk,
                "product_id": line.product_id,
                "sku": line.product.sku,
                "name": line.product.name,
                "qty": line.qty,
                "unit_price": line.unit_price,
                "line_total": line.line_total,
                "qty_returned": line.qty_returned,
            }
            for line in sale.lines.all()
        ],
    }


def _sale_of(cooperative: Cooperative, sale_id: int) -> dict[str, Any]:
    found = _sales(cooperative).filter(pk=_id(sale_id, "Nota penjualan tidak ditemukan.")).first()
    if found is None:
        raise NotFound("Nota penjualan tidak ditemukan.", code="sale_not_found")
    return _sale_out(found)


def _buyer(cooperative: Cooperative, payload: SaleIn) -> Member | int | None:
    """The member a sale names by id, card number or card QR (at most one); None: by NIK or no member."""
    named = [f for f in ("member_id", "member_no", "card") if getattr(payload, f) not in (None, "")]
    if len(named) > 1:
        raise ValidationError.for_field(named[1], "Sebutkan anggota sekali saja: member_id, member_no atau card.")
    not_here = "Anggota tidak ditemukan di koperasi ini."
    if payload.member_id is not None:
        return _id(payload.member_id, not_here)
    number: int | str | None = payload.member_no if payload.member_no not in (None, "") else None
    if payload.card not in (None, ""):
        try:
            code, number = card_payload_parse(str(payload.card))
        except ValueError as exc:
            raise ValidationError.for_field("card", str(exc), code="card_invalid") from None
        if code != cooperative.code:
            raise NotFound(not_here, code="member_not_found")
    if number is None:
        return None
    text = str(number).strip()
    if not text.isdigit() or not 0 < int(text) < MEMBER_NO_MAX:
        raise NotFound(not_here, code="member_not_found")
    return member_selectors.member_by_number(cooperative=cooperative, member_no=int(text))


def _payment(payment: str | PaymentIn) -> tuple[str, int | None, str]:
    """(method, cash received, reference) from a string or an object; the service refuses unknown methods."""
    if isinstance(payment, str):
        method, received, reference = payment, None, ""
    else:
        method, received, reference = payment.method, payment.cash_received, payment.reference
    method = method.strip().lower()
    return PAYMENT_ALIASES.get(method, method), received, reference


@router.get("/{coop}/sales", response=SaleListOut, summary="Nota penjualan, terbaru dahulu")
def sale_list(request: HttpRequest, coop: str, filters: Query[SaleFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    qs = _sales(cooperative)
    if filters.date_from:
        qs = qs.filter(date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(date__lte=filters.date_to)
    if filters.member_id is not None:
        if not 1 <= filters.member_id <= ID_MAX:
            raise ValidationError.for_field("member_id", "member_id tidak valid.")
        qs = qs.filter(member_id=filters.member_id)
    return _paginate(qs, filters.limit, filters.offset, _sale_out)


@router.post(
    "/{coop}/sales",
    response={201: SaleOut},
    summary="Jual: stok keluar, pendapatan, HPP dan kas dalam satu jurnal; Idempotency-Key (kasir, bendahara, manajer)",
)
def sale_create(
    request: HttpRequest,
    coop: str,
    payload: SaleIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_SELL)
    method, received, reference = _payment(payload.payment)
    sale = services.sale_create(
        cooperative=cooperative,
        date=payload.date,
        lines=[services.SaleLineInput(product=ln.sku, qty=ln.qty) for ln in payload.lines],
        payment_method=method,
        payment_reference=reference,
        cash_received=received,
        member=_buyer(cooperative, payload),
        buyer_nik=payload.buyer_nik,
        buyer_name=payload.buyer_name,
        location=_location_ref(payload.location, "location") if payload.location.strip() else None,
        partner_reference=payload.partner_reference,
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    # A repeated key returns the first sale: answer with it as it is now (201, the same body).
    return Status(201, _sale_of(cooperative, sale.pk))


@router.get("/{coop}/sales/{sale_id}", response=SaleOut, summary="Satu nota penjualan dengan barisnya")
def sale_detail(request: HttpRequest, coop: str, sale_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    return _sale_of(cooperative, sale_id)


# --- Returns and voids ------------------------------------------------------------------------------
class ReturnLineIn(Schema):
    line_id: WholeNumber  # a line of the sale (``lines[].line_id``)
    qty: WholeNumber


class ReturnIn(Schema):
    kind: Text  # "void": the whole sale; "return": the units in ``lines``
    reason: Text
    date: Day
    lines: list[ReturnLineIn] = []


class DecideIn(Schema):
    note: Text = ""


class ReturnLineOut(Schema):
    line_id: int
    product_id: int
    sku: str
    qty: int
    amount: int


class ReturnOut(Schema):
    id: int
    sale_id: int
    sale_no: str
    kind: str
    status: str
    date: datetime.date
    reason: str
    amount: int
    requested_by: str | None
    decided_by: str | None
    decided_at: datetime.datetime | None
    decision_note: str
    entry_number: str | None
    lines: list[ReturnLineOut]


class ReturnListOut(Schema):
    items: list[ReturnOut]
    count: int


class ReturnFilter(PageQuery):
    status: Text = ""


def _returns(cooperative: Cooperative) -> QuerySet[SaleReturn]:
    return (
        SaleReturn.objects.filter(cooperative=cooperative)
        .select_related("sale", "requested_by", "decided_by", "journal_entry")
        .prefetch_related(
            Prefetch("lines", queryset=SaleReturnLine.objects.select_related("sale_line__product").order_by("id"))
        )
        .order_by("-requested_at", "-id")
    )


def _return_out(request_row: SaleReturn) -> dict[str, Any]:
    return {
        "id": request_row.pk,
        "sale_id": request_row.sale_id,
        "sale_no": request_row.sale.sale_no,
        "kind": request_row.kind,
        "status": request_row.status,
        "date": request_row.date,
        "reason": request_row.reason,
        "amount": request_row.amount,
        "requested_by": _username(request_row.requested_by),
        "decided_by": _username(request_row.decided_by),
        "decided_at": request_row.decided_at,
        "decision_note": request_row.decision_note,
        "entry_number": _entry_number(request_row.journal_entry),
        "lines": [
            {
                "line_id": ln.sale_line_id,
                "product_id": ln.sale_line.product_id,
                "sku": ln.sale_line.product.sku,
                "qty": ln.qty,
                "amount": ln.amount,
            }
            for ln in request_row.lines.all()
        ],
    }


def _return_of(cooperative: Cooperative, return_id: int) -> dict[str, Any]:
    return _return_out(_returns(cooperative).get(pk=return_id))


@router.get("/{coop}/returns", response=ReturnListOut, summary="Permintaan pembatalan dan retur, terbaru dahulu")
def return_list(request: HttpRequest, coop: str, filters: Query[ReturnFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_VIEW)
    qs = _returns(cooperative)
    if filters.status:
        if filters.status not in ReturnStatus.values:
            raise ValidationError.for_field("status", "Status harus pending, approved atau rejected.")
        qs = qs.filter(status=filters.status)
    return _paginate(qs, filters.limit, filters.offset, _return_out)


@router.post(
    "/{coop}/sales/{sale_id}/returns",
    response={201: ReturnOut},
    summary="Minta pembatalan nota atau retur barang dengan alasan; menunggu persetujuan (kasir, bendahara, manajer)",
)
def return_request(request: HttpRequest, coop: str, sale_id: int, payload: ReturnIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHOP_SELL)
    quantities: dict[int, int] = {}
    for line in payload.lines:
        if line.line_id in quantities:
            raise ValidationError.for_field(f"lines.{line.line_id}", "Baris nota disebut lebih dari sekali.")
        quantities[line.line_id] = line.qty
    row = services.sale_return_request(
        cooperative=cooperative,
        sale=_id(sale_id, "Nota penjualan tidak ditemukan."),
        kind=payload.kind,
        reason=payload.reason,
        date=payload.date,
        quantities=quantities,
        actor=request.user,
    )
    return Status(201, _return_of(cooperative, row.pk))


@router.post(
    "/{coop}/returns/{return_id}/approve",
    response=ReturnOut,
    summary="Setujui retur: stok kembali, uang dikembalikan, jurnal dibalik (ketua, bendahara, manajer; bukan peminta)",
)
def return_approve(request: HttpRequest, coop: str, return_id: int, payload: DecideIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_RETURN_APPROVE)
    row = services.sale_return_decide(
        cooperative=cooperative,
        sale_return=_id(return_id, "Permintaan retur tidak ditemukan."),
        approve=True,
        note=payload.note,
        actor=request.user,
    )
    return _return_of(cooperative, row.pk)


@router.post(
    "/{coop}/returns/{return_id}/reject",
    response=ReturnOut,
    summary="Tolak permintaan retur dengan catatan (ketua, bendahara, manajer; bukan peminta)",
)
def return_reject(request: HttpRequest, coop: str, return_id: int, payload: DecideIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHOP_RETURN_APPROVE)
    row = services.sale_return_decide(
        cooperative=cooperative,
        sale_return=_id(return_id, "Permintaan retur tidak ditemukan."),
        approve=False,
        note=payload.note,
        actor=request.user,
    )
    return _return_of(cooperative, row.pk)
