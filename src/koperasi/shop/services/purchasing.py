"""Suppliers, purchase orders, goods receipts, supplier invoices and payments."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger.services import journal_post
from koperasi.members.models import Member
from koperasi.shop import postings, selectors
from koperasi.shop.choices import (
    SUPPLIER_PAYMENT_ROLE,
    MoveKind,
    PurchaseOrderStatus,
    SupplierKind,
    SupplierPaymentChannel,
)
from koperasi.shop.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Location,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from koperasi.shop.services._common import (
    KEY_PREFIX,
    MAX_AMOUNT,
    MAX_LINES,
    _actor_or_none,
    _amount,
    _date,
    _event_date,
    _key,
    _levels_locked,
    _line_id,
    _location,
    _moves,
    _period_open,
    _products_locked,
    _qty,
    _require_money,
    _supplier,
    _supplier_locked,
    _text,
    first_on_key_race,
    next_number,
)

# --- Suppliers and purchasing ------------------------------------------------------------------


def supplier_create(
    *,
    cooperative: Cooperative,
    name: str,
    kind: str = SupplierKind.DISTRIBUTOR,
    member: Member | int | None = None,
    phone: str = "",
    address: str = "",
    actor: Any,
) -> Supplier:
    """Register a supplier (a member's UMKM names the member). Raises ValidationError (name taken, member)."""
    name = _text(name, "name", "Nama pemasok", max_length=150, required=True)
    if kind not in SupplierKind.values:
        raise ValidationError.for_field("kind", "Jenis pemasok tidak dikenal.")
    if member is not None:
        member_id = member.pk if isinstance(member, Member) else member
        member = Member.objects.filter(cooperative=cooperative, pk=member_id).first()
        if member is None:
            raise ValidationError.for_field("member", "Anggota tidak ditemukan di koperasi ini.")
    with transaction.atomic():
        if Supplier.objects.filter(cooperative=cooperative, name__iexact=name).exists():
            raise ValidationError.for_field("name", f"Pemasok '{name}' sudah terdaftar.", code="supplier_exists")
        supplier = Supplier.objects.create(
            cooperative=cooperative,
            name=name,
            kind=kind,
            member=member,
            phone=_text(phone, "phone", "Telepon", max_length=20),
            address=_text(address, "address", "Alamat", max_length=250),
        )
        audit_record(actor=actor, action="shop.supplier.create", cooperative=cooperative, target=supplier)
    return supplier


def supplier_for_name(*, cooperative: Cooperative, name: str, actor: Any) -> Supplier:
    """Return the supplier with this name (any case), registering it as a distributor if new."""
    name = _text(name, "supplier", "Pemasok", max_length=150, required=True)
    found = Supplier.objects.filter(cooperative=cooperative, name__iexact=name).first()
    if found is not None:
        return found
    try:
        return supplier_create(cooperative=cooperative, name=name, actor=actor)
    except ValidationError:
        found = Supplier.objects.filter(cooperative=cooperative, name__iexact=name).first()
        if found is None:
            raise
        return found


@dataclass(frozen=True)
class PurchaseLineInput:
    product: Product | int | str  # object, id or SKU
    qty: int
    unit_cost: int


def _check_purchase_lines(lines: Sequence[PurchaseLineInput]) -> None:
    if not lines:
        raise ValidationError.for_field("lines", "Isi paling sedikit satu barang.")
    if len(lines) > MAX_LINES:
        raise ValidationError.for_field("lines", f"Paling banyak {MAX_LINES} baris.")
    for i, line in enumerate(lines, start=1):
        _qty(line.qty, f"lines.{i}.qty")
        _amount(line.unit_cost, f"lines.{i}.unit_cost", "Harga beli", allow_zero=True)
    if sum(line.qty * line.unit_cost for line in lines) > MAX_AMOUNT:
        raise ValidationError.for_field(
            "lines", "Jumlah pembelian terlalu besar; periksa kembali.", code="amount_too_large"
        )


def _receive(
    cooperative: Cooperative,
    *,
    supplier: Supplier,
    location: Location,
    date: datetime.date,
    items: Sequence[tuple[Product, int, int, PurchaseOrderLine | None]],
    order: PurchaseOrder | None,
    paid_channel: str | None,
    reference: str,
    note: str,
    key: str | None,
    actor: Any,
) -> GoodsReceipt:
    """Book goods in (products already locked): stock, moving-average value, receipt, journal entry."""
    for product, _, _, _ in items:
        if product.consignor_id is not None:
            raise ValidationError.for_field(
                "lines", f"{product.name} adalah barang titipan; catat lewat penerimaan titipan, bukan pembelian."
            )
    levels = _levels_locked(cooperative, location, [p.pk for p, _, _, _ in items])
    total = sum(qty * cost for _, qty, cost, _ in items)
    receipt = GoodsReceipt.objects.create(
        cooperative=cooperative,
        receipt_no=next_number(cooperative, "receipt"),
        supplier=supplier,
        order=order,
        location=location,
        date=date,
        total=total,
        paid_on_receipt=paid_channel is not None,
        paid_channel=paid_channel or "",
        paid_reference=reference,
        note=note,
        idempotency_key=key,
        created_by=_actor_or_none(actor),
    )
    GoodsReceiptLine.objects.bulk_create(
        [
            GoodsReceiptLine(
                cooperative=cooperative,
                receipt=receipt,
                order_line=order_line,
                product=product,
                qty=qty,
                unit_cost=cost,
                line_total=qty * cost,
            )
            for product, qty, cost, order_line in items
        ]
    )
    changed: dict[int, Product] = {}
    for product, qty, cost, _ in items:
        product.stock_qty += qty
        product.stock_value += qty * cost
        levels[product.pk].qty += qty
        changed[product.pk] = product
    Product.objects.bulk_update(list(changed.values()), ["stock_qty", "stock_value"])
    StockLevel.objects.bulk_update(list(levels.values()), ["qty"])
    _moves(
        cooperative, [(p, location, q, q * c) for p, q, c, _ in items], date=date, kind=MoveKind.RECEIPT, source=receipt
    )
    if total > 0:
        paid_role = SUPPLIER_PAYMENT_ROLE[SupplierPaymentChannel(paid_channel)] if paid_channel else None
        if paid_role:
            _require_money(cooperative, paid_role, total, date)
        receipt.journal_entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=postings.receipt_lines(
                total=total,
                unit=items[0][0].business_unit,
                paid_role=paid_role,
                parts=[(p.business_unit, q * c) for p, q, c, _ in items],
            ),
            memo=f"Penerimaan barang {receipt.receipt_no} dari {supplier.name}",
            source=receipt,
            idempotency_key=f"{KEY_PREFIX}receipt:{receipt.pk}",
            actor=actor,
        )
        receipt.save(update_fields=["journal_entry"])
    audit_record(
        actor=actor,
        action="shop.goods.receive",
        cooperative=cooperative,
        target=receipt,
        data={"total": total, "lines": len(items)},
    )
    return receipt


def _existing_receipt(cooperative: Cooperative, key: str | None) -> GoodsReceipt | None:
    return GoodsReceipt.objects.filter(cooperative=cooperative, idempotency_key=key).first() if key else None


@first_on_key_race(_existing_receipt)
def purchase_direct(
    *,
    cooperative: Cooperative,
    supplier: Supplier | int,
    date: datetime.date,
    lines: Sequence[PurchaseLineInput],
    location: Location | int | str | None = None,
    paid_channel: str | None = None,
    reference: str = "",
    note: str = "",
    actor: Any,
    idempotency_key: str | None = None,
) -> GoodsReceipt:
    """Buy goods received on ``date`` without an order: stock in, Dr inventory, Cr payable (or cash/bank if paid).

    A repeated ``idempotency_key`` returns the first receipt. Raises NotFound,
    ValidationError (lines, unknown product, consignment goods) and Conflict
    (``insufficient_funds``, ``period_closed``).
    """
    date = _event_date(date)
    supplier = _supplier(cooperative, supplier)
    _check_purchase_lines(lines)
    if paid_channel is not None and paid_channel not in SupplierPaymentChannel.values:
        raise ValidationError.for_field("paid_channel", "Cara bayar harus tunai atau transfer.")
    reference = _text(reference, "reference", "Referensi", max_length=100)
    note = _text(note, "note", "Catatan", max_length=250)
    key = _key(idempotency_key)
    if (first := _existing_receipt(cooperative, key)) is not None:
        return first
    _period_open(cooperative, date)
    with transaction.atomic():
        products = _products_locked(cooperative, [ln.product for ln in lines])
        if (first := _existing_receipt(cooperative, key)) is not None:
            return first
        items = [
            (products[ln.product.pk if isinstance(ln.product, Product) else ln.product], ln.qty, ln.unit_cost, None)
            for ln in lines
        ]
        return _receive(
            cooperative,
            supplier=supplier,
            location=_location(cooperative, location),
            date=date,
            items=items,
            order=None,
            paid_channel=paid_channel,
            reference=reference,
            note=note,
            key=key,
            actor=actor,
        )


def purchase_order_create(
    *,
    cooperative: Cooperative,
    supplier: Supplier | int,
    date: datetime.date,
    lines: Sequence[PurchaseLineInput],
    location: Location | int | str | None = None,
    expected_on: datetime.date | None = None,
    note: str = "",
    actor: Any,
) -> PurchaseOrder:
    """Order goods from a supplier (nothing is booked until they are received). Raises NotFound, ValidationError."""
    date = _date(date)
    supplier = _supplier(cooperative, supplier)
    _check_purchase_lines(lines)
    note = _text(note, "note", "Catatan", max_length=250)
    with transaction.atomic():
        products = _products_locked(cooperative, [ln.product for ln in lines])
        for product in products.values():
            if product.consignor_id is not None:
                raise ValidationError.for_field("lines", f"{product.name} adalah barang titipan, bukan untuk dipesan.")
        order = PurchaseOrder.objects.create(
            cooperative=cooperative,
            order_no=next_number(cooperative, "order"),
            supplier=supplier,
            date=date,
            expected_on=expected_on,
            location=_location(cooperative, location),
            note=note,
            total=sum(ln.qty * ln.unit_cost for ln in lines),
            created_by=_actor_or_none(actor),
        )
        PurchaseOrderLine.objects.bulk_create(
            [
                PurchaseOrderLine(
                    cooperative=cooperative,
                    order=order,
                    product=products[ln.product.pk if isinstance(ln.product, Product) else ln.product],
                    qty_ordered=ln.qty,
                    unit_cost=ln.unit_cost,
                )
                for ln in lines
            ]
        )
        audit_record(
            actor=actor, action="shop.order.create", cooperative=cooperative, target=order, data={"total": order.total}
        )
    return order


def purchase_order_cancel(
    *, cooperative: Cooperative, order: PurchaseOrder | int, reason: str, actor: Any
) -> PurchaseOrder:
    """Cancel what is still to come of an order. Raises NotFound, ValidationError, Conflict (``order_closed``)."""
    reason = _text(reason, "reason", "Alasan", max_length=200, required=True)
    with transaction.atomic():
        order = _order_locked(cooperative, order)
        if order.status in (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED):
            raise Conflict("Pesanan ini sudah selesai atau dibatalkan.", code="order_closed")
        order.status = PurchaseOrderStatus.CANCELLED
        order.note = (f"{order.note} · Batal: {reason}" if order.note else f"Batal: {reason}")[:250]
        order.save(update_fields=["status", "note"])
        audit_record(
            actor=actor, action="shop.order.cancel", cooperative=cooperative, target=order, data={"reason": reason}
        )
    return order


def _order_locked(cooperative: Cooperative, order: PurchaseOrder | int) -> PurchaseOrder:
    order_id = order.pk if isinstance(order, PurchaseOrder) else order
    found = (
        PurchaseOrder.objects.filter(cooperative=cooperative, pk=order_id)
        .select_related("supplier", "location")
        .select_for_update(of=("self",))
        .first()
    )
    if found is None:
        raise NotFound("Pesanan pembelian tidak ditemukan.", code="order_not_found")
    return found


@first_on_key_race(_existing_receipt)
def goods_receive(
    *,
    cooperative: Cooperative,
    order: PurchaseOrder | int,
    date: datetime.date,
    quantities: dict[int, int],
    note: str = "",
    actor: Any,
    idempotency_key: str | None = None,
) -> GoodsReceipt:
    """Receive goods against an order (``quantities``: order line id → units arrived; part is fine).

    Raises NotFound, ValidationError (unknown line, more than still due) and Conflict
    (``order_closed``, ``period_closed``).
    """
    date = _event_date(date)
    note = _text(note, "note", "Catatan", max_length=250)
    key = _key(idempotency_key)
    wanted = {_line_id(k): _qty(v, f"lines.{k}.qty") for k, v in quantities.items() if v}
    if not wanted:
        raise ValidationError.for_field("lines", "Isi jumlah yang diterima paling sedikit untuk satu barang.")
    if (first := _existing_receipt(cooperative, key)) is not None:
        return first
    _period_open(cooperative, date)
    with transaction.atomic():
        order = _order_locked(cooperative, order)
        if (first := _existing_receipt(cooperative, key)) is not None:
            return first
        if order.status in (PurchaseOrderStatus.RECEIVED, PurchaseOrderStatus.CANCELLED):
            raise Conflict("Pesanan ini sudah diterima lengkap atau dibatalkan.", code="order_closed")
        order_lines = {ln.pk: ln for ln in PurchaseOrderLine.objects.filter(order=order).select_for_update()}
        problems: dict[str, list[str]] = {}
        for line_id, qty in wanted.items():
            line = order_lines.get(line_id)
            if line is None:
                problems[f"lines.{line_id}"] = ["Baris pesanan tidak ditemukan."]
            elif qty > line.qty_ordered - line.qty_received:
                problems[f"lines.{line_id}"] = [f"Paling banyak {line.qty_ordered - line.qty_received} lagi."]
        if problems:
            raise ValidationError("Jumlah diterima tidak sesuai pesanan.", code="receipt_invalid", detail=problems)
        products = _products_locked(cooperative, sorted({order_lines[i].product_id for i in wanted}))
        items = []
        for line_id, qty in wanted.items():
            line = order_lines[line_id]
            line.qty_received += qty
            items.append((products[line.product_id], qty, line.unit_cost, line))
        PurchaseOrderLine.objects.bulk_update([order_lines[i] for i in wanted], ["qty_received"])
        complete = all(ln.qty_received == ln.qty_ordered for ln in order_lines.values())
        order.status = PurchaseOrderStatus.RECEIVED if complete else PurchaseOrderStatus.PARTIAL
        order.save(update_fields=["status"])
        return _receive(
            cooperative,
            supplier=order.supplier,
            location=order.location,
            date=date,
            items=items,
            order=order,
            paid_channel=None,
            reference="",
            note=note,
            key=key,
            actor=actor,
        )


def supplier_invoice_record(
    *,
    cooperative: Cooperative,
    supplier: Supplier | int,
    invoice_no: str,
    date: datetime.date,
    receipts: Sequence[GoodsReceipt | int],
    due_on: datetime.date | None = None,
    actor: Any,
) -> SupplierInvoice:
    """Record a supplier's invoice for received goods; its amount is the receipts' total.

    Raises NotFound, ValidationError (no receipts, another supplier's, already invoiced,
    paid on receipt) and Conflict (``invoice_exists``).
    """
    supplier = _supplier(cooperative, supplier)
    invoice_no = _text(invoice_no, "invoice_no", "Nomor faktur", max_length=60, required=True)
    date = _date(date)
    if due_on is not None and _date(due_on, "due_on") < date:
        raise ValidationError.for_field("due_on", "Jatuh tempo tidak boleh sebelum tanggal faktur.")
    ids = sorted({r.pk if isinstance(r, GoodsReceipt) else _line_id(r, "receipts") for r in receipts})
    if not ids:
        raise ValidationError.for_field("receipts", "Pilih paling sedikit satu penerimaan barang.")
    with transaction.atomic():
        found = list(
            GoodsReceipt.objects.filter(cooperative=cooperative, pk__in=ids).select_for_update().order_by("pk")
        )
        if len(found) != len(ids):
            raise ValidationError.for_field("receipts", "Penerimaan barang tidak ditemukan.")
        for receipt in found:
            if receipt.supplier_id != supplier.pk:
                raise ValidationError.for_field("receipts", f"{receipt.receipt_no} bukan dari {supplier.name}.")
            if receipt.invoice_id is not None:
                raise ValidationError.for_field("receipts", f"{receipt.receipt_no} sudah masuk faktur lain.")
            if receipt.paid_on_receipt:
                raise ValidationError.for_field("receipts", f"{receipt.receipt_no} sudah dibayar saat diterima.")
        amount = sum(r.total for r in found)
        if amount <= 0:
            raise ValidationError.for_field("receipts", "Jumlah faktur harus lebih dari nol.")
        if SupplierInvoice.objects.filter(cooperative=cooperative, supplier=supplier, invoice_no=invoice_no).exists():
            raise Conflict(f"Faktur {invoice_no} dari {supplier.name} sudah dicatat.", code="invoice_exists")
        invoice = SupplierInvoice.objects.create(
            cooperative=cooperative,
            supplier=supplier,
            invoice_no=invoice_no,
            date=date,
            due_on=due_on,
            amount=amount,
            created_by=_actor_or_none(actor),
        )
        GoodsReceipt.objects.filter(pk__in=ids).update(invoice=invoice)
        audit_record(
            actor=actor, action="shop.invoice.record", cooperative=cooperative, target=invoice, data={"amount": amount}
        )
    return invoice


def supplier_pay(
    *,
    cooperative: Cooperative,
    supplier: Supplier | int,
    amount: int,
    date: datetime.date,
    channel: str,
    reference: str = "",
    invoice: SupplierInvoice | int | None = None,
    actor: Any,
    idempotency_key: str | None = None,
) -> SupplierPayment:
    """Pay a supplier: Dr trade payable, Cr cash/bank; optionally against one invoice.

    A repeated ``idempotency_key`` returns the first payment. Raises NotFound,
    ValidationError and Conflict (``amount_over_payable``, ``amount_over_invoice``,
    ``insufficient_funds``, ``period_closed``).
    """
    amount = _amount(amount, "amount", "Jumlah pembayaran")
    date = _event_date(date)
    if channel not in SupplierPaymentChannel.values:
        raise ValidationError.for_field("channel", "Cara bayar harus tunai atau transfer.")
    reference = _text(reference, "reference", "Referensi", max_length=100)
    if channel == SupplierPaymentChannel.TRANSFER and not reference:
        raise ValidationError.for_field("reference", "Nomor referensi transfer wajib diisi.")
    key = _key(idempotency_key)
    with transaction.atomic():
        supplier = _supplier_locked(cooperative, supplier)
        if key and (first := SupplierPayment.objects.filter(cooperative=cooperative, idempotency_key=key).first()):
            return first
        owed = selectors.supplier_payable(cooperative=cooperative, supplier=supplier)
        if amount > owed:
            raise Conflict(
                f"Jumlah {format_rupiah(amount)} melebihi utang kepada {supplier.name} ({format_rupiah(owed)}).",
                code="amount_over_payable",
                detail={"amount": [f"Paling banyak {format_rupiah(owed)}."]},
            )
        bill = None
        if invoice is not None:
            bill = (
                SupplierInvoice.objects.select_for_update()
                .filter(
                    cooperative=cooperative,
                    supplier=supplier,
                    pk=invoice.pk if isinstance(invoice, SupplierInvoice) else invoice,
                )
                .first()
            )
            if bill is None:
                raise NotFound("Faktur tidak ditemukan.", code="invoice_not_found")
            if amount > bill.amount - bill.paid:
                raise Conflict(
                    f"Sisa faktur {bill.invoice_no} {format_rupiah(bill.amount - bill.paid)}.",
                    code="amount_over_invoice",
                    detail={"amount": [f"Paling banyak {format_rupiah(bill.amount - bill.paid)}."]},
                )
            bill.paid += amount
            bill.save(update_fields=["paid"])
        money_role = SUPPLIER_PAYMENT_ROLE[SupplierPaymentChannel(channel)]
        _require_money(cooperative, money_role, amount, date)
        entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=postings.payment_lines(amount=amount, payable_role="trade_payable", money_role=money_role),
            memo=f"Pembayaran kepada {supplier.name}" + (f" faktur {bill.invoice_no}" if bill else ""),
            source=f"shop.supplier:{supplier.pk}",
            idempotency_key=f"{KEY_PREFIX}pay:{key}" if key else None,  # never one of the internal keys
            actor=actor,
        )
        payment = SupplierPayment.objects.create(
            cooperative=cooperative,
            supplier=supplier,
            invoice=bill,
            date=date,
            amount=amount,
            channel=channel,
            reference=reference,
            journal_entry=entry,
            idempotency_key=key,
            created_by=_actor_or_none(actor),
        )
        audit_record(
            actor=actor, action="shop.supplier.pay", cooperative=cooperative, target=payment, data={"amount": amount}
        )
    return payment
