"""The gerai and gudang: catalogue, price ceilings, purchasing, stock, cashier sessions, sales, consignment.

Invariants (database constraints unless noted):
- ``Product.sku`` is unique per cooperative; a non-empty ``barcode`` too.
- Stock quantities are whole units and never negative (``StockLevel.qty ≥ 0``): a sale
  that would make stock negative is refused. ``Product.stock_qty`` = Σ its
  ``StockLevel.qty`` (kept by ``services``, which lock the product row first).
- Moving-average cost: ``Product.stock_value`` is the inventory value of the product's
  own (not consignment) stock; it is 0 when ``stock_qty`` is 0 and 0 for consignment
  products (the UMKM owns them). The ledger's inventory account (role ``inventory``) =
  Σ ``stock_value`` (checked by ``selectors.inventory_reconcile`` after every test).
- A selling price is never above the HET in force for the cooperative's region on the
  price's date, nor on a sale's date (``services``; HET rows are global reference data).
- Every sale, receipt, supplier payment, session variance, stock-count variance, return
  and consignment settlement with money has its journal entry, posted in the same
  transaction. ``Sale.idempotency_key`` is unique per cooperative: a retried POST returns
  the first sale.
- ``SaleLine.qty_returned ≤ qty``; ``Sale.total_returned`` = Σ approved returns; a sale's
  member purchase (SHU jasa usaha) is ``total − total_returned``.
- ``MemberPurchaseMonth`` = Σ (qty − qty_returned) × unit_price of member sales' lines per
  (member, business unit, month of the sale's date), kept by the sale and the return in
  their transaction (``purchase_totals``; checked against the lines after every test).
- One open ``CashierSession`` per cashier per cooperative.
- Supplier payable = Σ receipts not paid on receipt − Σ payments per supplier, never
  negative (``services``); the ledger's trade payable = Σ over suppliers.
- Consignment payable per consignor = Σ (line total − commission) of sold lines − returns −
  settlements, never negative (``services``).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from koperasi.core.tenancy import TenantModel
from koperasi.shop.choices import (
    HetCommodity,
    LocationKind,
    MoveKind,
    PaymentMethod,
    PurchaseOrderStatus,
    ReturnKind,
    ReturnStatus,
    SaleStatus,
    SessionStatus,
    SupplierKind,
    SupplierPaymentChannel,
)

_USER = settings.AUTH_USER_MODEL


def _positive(*names: str, prefix: str) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=Q(**{f"{n}__gt": 0}), name=f"{prefix}_{n}_positive") for n in names]


def _not_negative(*names: str, prefix: str) -> list[models.CheckConstraint]:
    return [models.CheckConstraint(condition=Q(**{f"{n}__gte": 0}), name=f"{prefix}_{n}_not_negative") for n in names]


class Het(models.Model):
    """A price ceiling (HET) for a commodity in a region from a date (global reference data, domain.md §7).

    ``region_code`` is a prefix of Kemendagri codes: "" for the whole country, "64" for a
    province, "64.71" for a kota. The longest prefix of the cooperative's kelurahan code
    wins, then the latest ``effective_from`` on or before the date.
    """

    commodity = models.CharField(max_length=20, choices=HetCommodity.choices)
    region_code = models.CharField(max_length=13, blank=True, help_text="Kosong: nasional; 64: provinsi; 64.71: kota.")
    zone = models.CharField(max_length=20, blank=True, help_text="Zona harga (mis. Zona 2 untuk beras).")
    price = models.BigIntegerField(help_text="Rupiah per satuan komoditas (tabung, liter, kg).")
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True)
    legal_basis = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["commodity", "region_code", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["commodity", "region_code", "effective_from"], name="het_unique"),
            models.CheckConstraint(condition=Q(commodity__in=HetCommodity.values), name="het_commodity_valid"),
            models.CheckConstraint(condition=Q(price__gt=0), name="het_price_positive"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="het_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_commodity_display()} {self.region_code or 'nasional'} Rp{self.price}"


class DocumentCounter(TenantModel):
    """The last number given to a kind of document (sale, order, receipt...) in a cooperative.

    The row lock taken by the increment serialises numbering of one kind only, briefly,
    so numbers are gapless per cooperative without locking the cooperative row.
    """

    kind = models.CharField(max_length=20)
    last = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cooperative", "kind"], name="document_counter_unique")]


class Location(TenantModel):
    """A place that holds stock: the gudang or a gerai."""

    code = models.SlugField(max_length=30)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=LocationKind.choices)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "code"], name="location_code_unique"),
            models.CheckConstraint(condition=Q(kind__in=LocationKind.values), name="location_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Supplier(TenantModel):
    """Who the cooperative buys from or holds goods for: Bulog, the Pertamina agent, a distributor, a member's UMKM."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=15, choices=SupplierKind.choices, default=SupplierKind.DISTRIBUTOR)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, help_text="Anggota pemilik UMKM."
    )
    partner = models.ForeignKey("cooperatives.Partner", on_delete=models.SET_NULL, null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address = models.CharField(max_length=250, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "name"], name="supplier_name_unique"),
            models.CheckConstraint(condition=Q(kind__in=SupplierKind.values), name="supplier_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Product(TenantModel):
    """An item the gerai sells: own stock at moving-average cost, or a UMKM's consignment."""

    sku = models.CharField(max_length=40)
    barcode = models.CharField(max_length=40, blank=True)
    name = models.CharField(max_length=150)
    category = models.CharField(max_length=60, blank=True)
    unit = models.CharField(max_length=20, default="pcs", help_text="Satuan jual terkecil (pcs, kg, tabung, liter).")
    pack_size = models.PositiveIntegerField(default=1, help_text="Isi satu kemasan beli (mis. 12 per dus).")
    pack_unit = models.CharField(max_length=20, blank=True, help_text="Kemasan beli (dus, karung).")
    business_unit = models.ForeignKey("cooperatives.BusinessUnit", on_delete=models.PROTECT, related_name="+")
    price = models.BigIntegerField(help_text="Harga jual per satuan yang berlaku hari ini.")
    het_commodity = models.CharField(max_length=20, choices=HetCommodity.choices, blank=True)
    het_quantity = models.DecimalField(
        max_digits=8,
        decimal_places=3,
        default=Decimal("1"),
        help_text="Jumlah satuan komoditas HET per satuan jual (mis. 5 untuk beras 5 kg).",
    )
    consignor = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="consigned_products"
    )
    commission_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    stock_qty = models.BigIntegerField(default=0)
    stock_value = models.BigIntegerField(default=0)
    min_stock = models.PositiveIntegerField(default=0, help_text="Batas stok menipis.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "sku"], name="product_sku_unique"),
            models.UniqueConstraint(
                fields=["cooperative", "barcode"], condition=~Q(barcode=""), name="product_barcode_unique"
            ),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_positive"),
            models.CheckConstraint(condition=Q(pack_size__gt=0), name="product_pack_positive"),
            models.CheckConstraint(condition=Q(het_quantity__gt=0), name="product_het_quantity_positive"),
            models.CheckConstraint(
                condition=Q(het_commodity="") | Q(het_commodity__in=HetCommodity.values), name="product_het_valid"
            ),
            models.CheckConstraint(
                condition=Q(commission_percent__gte=0, commission_percent__lte=100), name="product_commission_valid"
            ),
            *_not_negative("stock_qty", "stock_value", prefix="product"),
            models.CheckConstraint(condition=Q(stock_qty__gt=0) | Q(stock_value=0), name="product_empty_no_value"),
            models.CheckConstraint(
                condition=Q(consignor__isnull=True) | Q(stock_value=0), name="product_consignment_no_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"

    @property
    def is_consignment(self) -> bool:
        return self.consignor_id is not None


class ProductPrice(TenantModel):
    """A selling price from a date: the price history of a product."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    price = models.BigIntegerField()
    effective_from = models.DateField()
    reason = models.CharField(max_length=200, blank=True)
    set_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    set_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "product", "effective_from"], name="product_price_unique"),
            models.CheckConstraint(condition=Q(price__gt=0), name="product_price_row_positive"),
        ]


class StockLevel(TenantModel):
    """How many units of a product a location holds."""

    location = models.ForeignKey(Location, on_delete=models.PROTECT)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="levels")
    qty = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "location", "product"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(qty__gte=0), name="stock_level_not_negative"),
        ]


class StockMove(TenantModel):
    """One change of a product's quantity at a location, with its cost (the stock card)."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=MoveKind.choices)
    qty = models.BigIntegerField(help_text="Positif masuk, negatif keluar.")
    value = models.BigIntegerField(default=0, help_text="Nilai persediaan yang ikut bergerak (bertanda).")
    source_type = models.CharField(max_length=40)
    source_id = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["cooperative", "product", "date"], name="stock_move_product_date")]
        constraints = [
            models.CheckConstraint(condition=~Q(qty=0), name="stock_move_qty_nonzero"),
            models.CheckConstraint(condition=Q(kind__in=MoveKind.values), name="stock_move_kind_valid"),
        ]


class PurchaseOrder(TenantModel):
    """An order to a supplier; goods arrive in one or more receipts."""

    order_no = models.CharField(max_length=20)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="orders")
    date = models.DateField()
    expected_on = models.DateField(null=True, blank=True)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=PurchaseOrderStatus.choices, default=PurchaseOrderStatus.ORDERED)
    note = models.CharField(max_length=250, blank=True)
    total = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "order_no"], name="purchase_order_no_unique"),
            models.CheckConstraint(condition=Q(status__in=PurchaseOrderStatus.values), name="purchase_order_status"),
            *_not_negative("total", prefix="purchase_order"),
        ]


class PurchaseOrderLine(TenantModel):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    qty_ordered = models.BigIntegerField()
    qty_received = models.BigIntegerField(default=0)
    unit_cost = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            *_positive("qty_ordered", prefix="po_line"),
            *_not_negative("qty_received", "unit_cost", prefix="po_line"),
            models.CheckConstraint(condition=Q(qty_received__lte=F("qty_ordered")), name="po_line_not_over_received"),
        ]


class GoodsReceipt(TenantModel):
    """Goods received from a supplier (against an order or a direct purchase); the payable arises here."""

    receipt_no = models.CharField(max_length=20)
    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="receipts")
    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="receipts")
    invoice = models.ForeignKey(
        "SupplierInvoice", on_delete=models.SET_NULL, null=True, blank=True, related_name="receipts"
    )
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    total = models.BigIntegerField()
    paid_on_receipt = models.BooleanField(default=False, help_text="Dibayar tunai/transfer saat barang diterima.")
    paid_channel = models.CharField(max_length=10, choices=SupplierPaymentChannel.choices, blank=True)
    paid_reference = models.CharField(max_length=100, blank=True)
    note = models.CharField(max_length=250, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "receipt_no"], name="goods_receipt_no_unique"),
            models.UniqueConstraint(fields=["cooperative", "idempotency_key"], name="goods_receipt_key_unique"),
            *_not_negative("total", prefix="goods_receipt"),
        ]


class GoodsReceiptLine(TenantModel):
    receipt = models.ForeignKey(GoodsReceipt, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(PurchaseOrderLine, on_delete=models.PROTECT, null=True, blank=True)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    qty = models.BigIntegerField()
    unit_cost = models.BigIntegerField()
    line_total = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            *_positive("qty", prefix="receipt_line"),
            *_not_negative("unit_cost", prefix="receipt_line"),
            models.CheckConstraint(condition=Q(line_total=F("qty") * F("unit_cost")), name="receipt_line_total"),
        ]


class SupplierInvoice(TenantModel):
    """A supplier's bill for received goods, with its due date."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="invoices")
    invoice_no = models.CharField(max_length=60, help_text="Nomor faktur dari pemasok.")
    date = models.DateField()
    due_on = models.DateField(null=True, blank=True)
    amount = models.BigIntegerField()
    paid = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "supplier", "invoice_no"], name="supplier_invoice_unique"),
            *_positive("amount", prefix="supplier_invoice"),
            models.CheckConstraint(condition=Q(paid__gte=0, paid__lte=F("amount")), name="supplier_invoice_paid"),
        ]


class SupplierPayment(TenantModel):
    """Money paid to a supplier against the payable (optionally against one invoice)."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(SupplierInvoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    date = models.DateField()
    amount = models.BigIntegerField()
    channel = models.CharField(max_length=10, choices=SupplierPaymentChannel.choices)
    reference = models.CharField(max_length=100, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "idempotency_key"], name="supplier_payment_key_unique"),
            *_positive("amount", prefix="supplier_payment"),
            models.CheckConstraint(
                condition=Q(channel__in=SupplierPaymentChannel.values), name="supplier_payment_channel"
            ),
        ]


class CashierSession(TenantModel):
    """A cashier's shift at a till: opening float, sales, closing cash count and its variance."""

    session_no = models.CharField(max_length=20)
    cashier = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    opened_at = models.DateTimeField()
    opening_float = models.BigIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    expected_cash = models.BigIntegerField(null=True, blank=True)
    counted_cash = models.BigIntegerField(null=True, blank=True)
    variance = models.BigIntegerField(null=True, blank=True, help_text="Dihitung − seharusnya (negatif: kurang).")
    close_note = models.CharField(max_length=250, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "session_no"], name="cashier_session_no_unique"),
            models.UniqueConstraint(
                fields=["cooperative", "cashier"], condition=Q(status="open"), name="cashier_one_open_session"
            ),
            models.CheckConstraint(condition=Q(status__in=SessionStatus.values), name="cashier_session_status"),
            *_not_negative("opening_float", prefix="cashier_session"),
            models.CheckConstraint(
                condition=Q(counted_cash__isnull=True) | Q(counted_cash__gte=0), name="cashier_session_count"
            ),
        ]


class Sale(TenantModel):
    """A sale at the gerai: lines, buyer (member or not), payment; its journal entry books revenue and cost."""

    sale_no = models.CharField(max_length=20)
    date = models.DateField()
    session = models.ForeignKey(CashierSession, on_delete=models.PROTECT, null=True, blank=True, related_name="sales")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    is_member_sale = models.BooleanField(default=False, help_text="Pembeli anggota aktif pada tanggal jual.")
    buyer_nik = models.CharField(max_length=16, blank=True)
    buyer_name = models.CharField(max_length=150, blank=True)
    status = models.CharField(max_length=10, choices=SaleStatus.choices, default=SaleStatus.COMPLETED)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    payment_reference = models.CharField(max_length=100, blank=True)
    total = models.BigIntegerField()
    cost_total = models.BigIntegerField(default=0, help_text="HPP barang milik koperasi.")
    commission_total = models.BigIntegerField(default=0)
    total_returned = models.BigIntegerField(default=0)
    cash_received = models.BigIntegerField(null=True, blank=True)
    change = models.BigIntegerField(default=0)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["cooperative", "date"], name="sale_coop_date"),
            models.Index(fields=["cooperative", "member", "date"], name="sale_coop_member_date"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "sale_no"], name="sale_no_unique"),
            models.UniqueConstraint(fields=["cooperative", "idempotency_key"], name="sale_key_unique"),
            models.CheckConstraint(condition=Q(status__in=SaleStatus.values), name="sale_status_valid"),
            models.CheckConstraint(condition=Q(payment_method__in=PaymentMethod.values), name="sale_payment_valid"),
            *_positive("total", prefix="sale"),
            *_not_negative("cost_total", "commission_total", "change", prefix="sale"),
            models.CheckConstraint(
                condition=Q(total_returned__gte=0, total_returned__lte=F("total")), name="sale_returned_within_total"
            ),
            models.CheckConstraint(
                condition=Q(is_member_sale=False) | Q(member__isnull=False), name="sale_member_sale_has_member"
            ),
        ]


class SaleLine(TenantModel):
    sale = models.ForeignKey(Sale, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey("cooperatives.BusinessUnit", on_delete=models.PROTECT, related_name="+")
    qty = models.BigIntegerField()
    unit_price = models.BigIntegerField()
    line_total = models.BigIntegerField()
    cost = models.BigIntegerField(default=0, help_text="HPP (0 untuk barang titipan).")
    consignor = models.ForeignKey(Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    commission = models.BigIntegerField(default=0, help_text="Komisi koperasi dari barang titipan.")
    qty_returned = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["cooperative", "product"], name="sale_line_coop_product")]
        constraints = [
            *_positive("qty", "unit_price", prefix="sale_line"),
            *_not_negative("cost", "commission", prefix="sale_line"),
            models.CheckConstraint(condition=Q(line_total=F("qty") * F("unit_price")), name="sale_line_total"),
            models.CheckConstraint(
                condition=Q(qty_returned__gte=0, qty_returned__lte=F("qty")), name="sale_line_returned"
            ),
            models.CheckConstraint(condition=Q(commission__lte=F("line_total")), name="sale_line_commission"),
            models.CheckConstraint(
                condition=Q(consignor__isnull=False) | Q(commission=0), name="sale_line_commission_consignment"
            ),
        ]


class SaleReturn(TenantModel):
    """A void (whole sale) or return (some units) with its reason; posted when approved."""

    sale = models.ForeignKey(Sale, on_delete=models.PROTECT, related_name="returns")
    session = models.ForeignKey(
        CashierSession,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="refunds",
        help_text="Sesi kasir yang membayar pengembalian tunai.",
    )
    kind = models.CharField(max_length=10, choices=ReturnKind.choices)
    status = models.CharField(max_length=10, choices=ReturnStatus.choices, default=ReturnStatus.PENDING)
    date = models.DateField()
    reason = models.CharField(max_length=250)
    amount = models.BigIntegerField()
    requested_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=250, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=ReturnKind.values), name="sale_return_kind"),
            models.CheckConstraint(condition=Q(status__in=ReturnStatus.values), name="sale_return_status"),
            *_positive("amount", prefix="sale_return"),
            models.CheckConstraint(condition=~Q(reason=""), name="sale_return_reason"),
            # One pending request per sale: a second would race the first for the same units.
            models.UniqueConstraint(
                fields=["cooperative", "sale"], condition=Q(status="pending"), name="sale_return_one_pending"
            ),
        ]


class SaleReturnLine(TenantModel):
    sale_return = models.ForeignKey(SaleReturn, on_delete=models.CASCADE, related_name="lines")
    sale_line = models.ForeignKey(SaleLine, on_delete=models.PROTECT, related_name="return_lines")
    qty = models.BigIntegerField()
    amount = models.BigIntegerField()
    cost = models.BigIntegerField(default=0)
    commission = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            *_positive("qty", "amount", prefix="sale_return_line"),
            *_not_negative("cost", "commission", prefix="sale_return_line"),
        ]


class StockTransfer(TenantModel):
    """Goods moved between locations (gudang → gerai); the value stays in inventory."""

    transfer_no = models.CharField(max_length=20)
    date = models.DateField()
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "transfer_no"], name="stock_transfer_no_unique"),
            models.CheckConstraint(condition=~Q(from_location=F("to_location")), name="stock_transfer_two_places"),
        ]


class StockTransferLine(TenantModel):
    transfer = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    qty = models.BigIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [*_positive("qty", prefix="stock_transfer_line")]


class StockCount(TenantModel):
    """A stock count (opname) at a location; differences are posted at moving-average cost."""

    count_no = models.CharField(max_length=20)
    date = models.DateField()
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=250, blank=True)
    variance_value = models.BigIntegerField(default=0, help_text="Nilai selisih (negatif: kurang).")
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, null=True, related_name="+")
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [models.UniqueConstraint(fields=["cooperative", "count_no"], name="stock_count_no_unique")]


class StockCountLine(TenantModel):
    count = models.ForeignKey(StockCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    system_qty = models.BigIntegerField()
    counted_qty = models.BigIntegerField()
    variance_value = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [*_not_negative("system_qty", "counted_qty", prefix="stock_count_line")]


class ConsignmentSettlement(TenantModel):
    """Money paid to a UMKM for its consigned goods sold (the sale price less the commission)."""

    consignor = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="settlements")
    date = models.DateField()
    amount = models.BigIntegerField()
    channel = models.CharField(max_length=10, choices=SupplierPaymentChannel.choices)
    reference = models.CharField(max_length=100, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-id"]
        constraints = [
            *_positive("amount", prefix="consignment_settlement"),
            models.CheckConstraint(
                condition=Q(channel__in=SupplierPaymentChannel.values), name="consignment_settlement_channel"
            ),
        ]


class MemberPurchaseMonth(TenantModel):
    """A member's gerai purchases at one business unit in one month (the sale's), net of returns.

    The SHU's jasa-usaha base (``shu.selectors.usage_bases``) sums twelve of these per member
    instead of reading every sale line of the year (bench/shu_compute.py).
    """

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    business_unit = models.ForeignKey("cooperatives.BusinessUnit", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="Tanggal 1 bulan penjualan.")
    amount = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "member", "business_unit", "month"], name="member_purchase_month_unique"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="member_purchase_month_not_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="member_purchase_month_first_day"),
        ]
        indexes = [models.Index(fields=["cooperative", "business_unit", "month"], name="member_purchase_unit_month")]
