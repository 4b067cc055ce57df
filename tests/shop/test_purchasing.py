"""Purchasing: direct purchases, moving-average cost, orders and partial receipts, invoices, supplier payments."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Sum

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.ledger.services import ByRole, LineInput, journal_post, period_close
from koperasi.shop import selectors, services
from koperasi.shop.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMove,
    SupplierInvoice,
    SupplierPayment,
)
from koperasi.shop.services import PurchaseLineInput, SaleLineInput
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = pytest.mark.django_db

D = datetime.date
GU = "gerai_sembako"


def counts() -> dict[str, Any]:
    return {
        "orders": PurchaseOrder.objects.count(),
        "order_lines": list(PurchaseOrderLine.objects.order_by("pk").values_list("pk", "qty_received")),
        "order_status": list(PurchaseOrder.objects.order_by("pk").values_list("pk", "status")),
        "receipts": GoodsReceipt.objects.count(),
        "receipt_lines": GoodsReceiptLine.objects.count(),
        "invoiced": list(GoodsReceipt.objects.order_by("pk").values_list("pk", "invoice_id")),
        "invoices": list(SupplierInvoice.objects.order_by("pk").values_list("pk", "paid")),
        "payments": SupplierPayment.objects.count(),
        "moves": StockMove.objects.count(),
        "levels": list(StockLevel.objects.order_by("pk").values_list("pk", "qty")),
        "entries": JournalEntry.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="shop.").count(),
        "stock": list(Product.objects.order_by("pk").values_list("pk", "stock_qty", "stock_value")),
    }


def lines_of(entry: Any) -> list[tuple[str, int, int, str | None, int | None]]:
    return list(
        JournalLine.objects.filter(entry=entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "business_unit__code", "member_id")
    )


def balance(coop: Any, code: str) -> int:
    totals = JournalLine.objects.filter(entry__cooperative=coop, account__code=code).aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (totals["d"] or 0) - (totals["c"] or 0)


def stock_of(product: Any) -> tuple[int, int]:
    fresh = Product.objects.get(pk=product.pk)
    return fresh.stock_qty, fresh.stock_value


def level(product: Any, code: str) -> int:
    row = StockLevel.objects.filter(product=product, location__code=code).first()
    return row.qty if row else 0


def fund_bank(coop: Any, amount: int, actor: Any) -> None:
    journal_post(
        cooperative=coop,
        date=D(2026, 1, 2),
        lines=[LineInput(account=ByRole("bank"), debit=amount), LineInput(account=ByRole("grants"), credit=amount)],
        memo="Hibah ke rekening bank",
        actor=actor,
    )


# --- Direct purchases ----------------------------------------------------------------------------


def test_direct_purchase_on_credit(coop: Any, stocked: Any, supplier: Any, rice: Any, lpg: Any, oil: Any) -> None:
    receipt = stocked
    assert (receipt.total, receipt.paid_on_receipt, receipt.location.code, receipt.receipt_no) == (
        1_226_000,
        False,
        "gerai",
        "TB-000001",
    )
    assert lines_of(receipt.journal_entry) == [
        ("1-1500", 1_226_000, 0, GU, None),
        ("2-1300", 0, 1_226_000, GU, None),
    ]
    assert receipt.journal_entry.date == BOUGHT
    assert [stock_of(p) for p in (rice, lpg, oil)] == [(10, 570_000), (20, 320_000), (24, 336_000)]
    assert [level(p, "gerai") for p in (rice, lpg, oil)] == [10, 20, 24]
    assert sorted(StockMove.objects.filter(kind="receipt").values_list("qty", "value")) == [
        (10, 570_000),
        (20, 320_000),
        (24, 336_000),
    ]
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 1_226_000
    assert balance(coop, "2-1300") == -1_226_000
    assert balance(coop, "1-1500") == 1_226_000


def test_direct_purchase_paid_in_cash(coop: Any, supplier: Any, lpg: Any, bendahara: Any, fund_cash: Any) -> None:
    fund_cash(coop, 1_000_000)
    receipt = services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput("LPG3", 30, 16_000)],
        paid_channel="tunai",
        actor=bendahara,
    )
    assert (receipt.total, receipt.paid_on_receipt, receipt.paid_channel) == (480_000, True, "tunai")
    assert lines_of(receipt.journal_entry) == [("1-1500", 480_000, 0, GU, None), ("1-1100", 0, 480_000, GU, None)]
    assert balance(coop, "1-1100") == 520_000
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 0


def test_direct_purchase_paid_by_transfer(coop: Any, supplier: Any, oil: Any, bendahara: Any, admin_user: Any) -> None:
    fund_bank(coop, 2_000_000, admin_user)
    receipt = services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(oil.pk, 12, 14_000)],
        paid_channel="transfer",
        reference="TRF-001",
        actor=bendahara,
    )
    assert lines_of(receipt.journal_entry) == [("1-1500", 168_000, 0, GU, None), ("1-1200", 0, 168_000, GU, None)]
    assert receipt.paid_reference == "TRF-001"


def test_purchase_of_two_business_units_debits_each_units_inventory(
    coop: Any, supplier: Any, lpg: Any, make_item: Any, bendahara: Any, kasir: Any
) -> None:
    medicine = make_item(coop, sku="PCT", name="Paracetamol", unit="strip", price=5_000, business_unit="apotek")
    receipt = services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(lpg, 10, 16_000), PurchaseLineInput(medicine, 20, 3_500)],
        actor=bendahara,
    )
    assert lines_of(receipt.journal_entry) == [
        ("1-1500", 160_000, 0, GU, None),
        ("1-1500", 70_000, 0, "apotek", None),
        ("2-1300", 0, 160_000, GU, None),
        ("2-1300", 0, 70_000, "apotek", None),
    ]
    sale = services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(medicine, 20)], actor=kasir)
    assert lines_of(sale.journal_entry) == [
        ("1-1100", 100_000, 0, "apotek", None),
        ("4-2100", 0, 100_000, "apotek", None),
        ("5-1100", 70_000, 0, "apotek", None),
        ("1-1500", 0, 70_000, "apotek", None),
    ]
    apotek = JournalLine.objects.filter(account__code="1-1500", business_unit__code="apotek").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    assert apotek == {"d": 70_000, "c": 70_000}  # the apotek's inventory is empty again, not negative


def test_direct_purchase_refused_when_cash_is_short(
    coop: Any, supplier: Any, lpg: Any, bendahara: Any, fund_cash: Any
) -> None:
    fund_cash(coop, 100_000)
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.purchase_direct(
            cooperative=coop,
            supplier=supplier,
            date=BOUGHT,
            lines=[PurchaseLineInput(lpg, 10, 16_000)],
            paid_channel="tunai",
            actor=bendahara,
        )
    assert exc.value.code == "insufficient_funds"
    assert exc.value.message == "Saldo kas Rp 100.000 tidak cukup untuk membayar Rp 160.000."
    assert counts() == before


def test_direct_purchase_idempotency_key(coop: Any, supplier: Any, lpg: Any, bendahara: Any) -> None:
    def buy() -> Any:
        return services.purchase_direct(
            cooperative=coop,
            supplier=supplier,
            date=BOUGHT,
            lines=[PurchaseLineInput(lpg, 10, 16_000)],
            actor=bendahara,
            idempotency_key="beli-1",
        )

    first = buy()
    before = counts()
    assert buy().pk == first.pk
    assert counts() == before
    assert stock_of(lpg) == (10, 160_000)


def test_moving_average_cost_after_two_purchases_then_the_sale_cost(
    coop: Any, stocked: Any, supplier: Any, rice: Any, bendahara: Any, kasir: Any
) -> None:
    services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=D(2026, 3, 5),
        lines=[PurchaseLineInput(rice, 3, 59_000)],
        actor=bendahara,
    )
    # 10 at 57.000 + 3 at 59.000 = 13 units worth 747.000 (average 57.461,54).
    assert stock_of(rice) == (13, 747_000)
    sale = services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(rice, 5)], actor=kasir)
    cost = 287_308  # 747.000 × 5 / 13 = 287.307,69
    assert (sale.total, sale.cost_total) == (327_500, cost)
    assert lines_of(sale.journal_entry) == [
        ("1-1100", 327_500, 0, GU, None),
        ("4-2100", 0, 327_500, GU, None),
        ("5-1100", cost, 0, GU, None),
        ("1-1500", 0, cost, GU, None),
    ]
    assert stock_of(rice) == (8, 747_000 - cost)
    # The last 8 units take the rest exactly.
    last = services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(rice, 8)], actor=kasir)
    assert last.cost_total == 459_692 and stock_of(rice) == (0, 0)
    # A purchase after the stock ran out starts the average afresh.
    services.purchase_direct(
        cooperative=coop, supplier=supplier, date=SOLD, lines=[PurchaseLineInput(rice, 2, 60_000)], actor=bendahara
    )
    assert stock_of(rice) == (2, 120_000)


def test_zero_cost_purchase_has_no_journal_entry(coop: Any, supplier: Any, lpg: Any, bendahara: Any) -> None:
    receipt = services.purchase_direct(
        cooperative=coop, supplier=supplier, date=BOUGHT, lines=[PurchaseLineInput(lpg, 2, 0)], actor=bendahara
    )
    assert (receipt.total, receipt.journal_entry_id) == (0, None)
    assert stock_of(lpg) == (2, 0)


@pytest.mark.parametrize(
    ("lines", "field"),
    [
        ([], "lines"),
        ([PurchaseLineInput("LPG3", 0, 16_000)], "lines.1.qty"),
        ([PurchaseLineInput("LPG3", -3, 16_000)], "lines.1.qty"),
        ([PurchaseLineInput("LPG3", 1.5, 16_000)], "lines.1.qty"),  # type: ignore[arg-type]
        ([PurchaseLineInput("LPG3", "2", 16_000)], "lines.1.qty"),  # type: ignore[arg-type]
        ([PurchaseLineInput("LPG3", 10**8, 16_000)], "lines.1.qty"),
        ([PurchaseLineInput("LPG3", 1, -1)], "lines.1.unit_cost"),
        ([PurchaseLineInput("LPG3", 1, 16_000.5)], "lines.1.unit_cost"),  # type: ignore[arg-type]
        ([PurchaseLineInput("LPG3", 1, 10**13)], "lines.1.unit_cost"),
        ([PurchaseLineInput("LPG3", 10**7, 10**12)], "lines"),  # Rp10^19 would overflow the column
        ([PurchaseLineInput("LPG3", 10**6, 10**6), PurchaseLineInput("LPG3", 10**6, 10**6 + 1)], "lines"),
        ([PurchaseLineInput("TIDAKADA", 1, 1_000)], "lines"),
        ([PurchaseLineInput(999_999, 1, 1_000)], "lines"),
    ],
)
def test_direct_purchase_bad_lines_refused(
    coop: Any, supplier: Any, lpg: Any, bendahara: Any, lines: list[Any], field: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.purchase_direct(cooperative=coop, supplier=supplier, date=BOUGHT, lines=lines, actor=bendahara)
    assert field in exc.value.detail
    assert counts() == before


def test_direct_purchase_other_refusals(
    coop: Any, supplier: Any, lpg: Any, bendahara: Any, make_item: Any, active_member: Any
) -> None:
    umkm = services.supplier_create(
        cooperative=coop, name="UMKM Sri", kind="umkm", member=active_member, actor=bendahara
    )
    chips = make_item(coop, sku="KRP", name="Keripik", price=10_000, consignor=umkm, commission_percent="10")
    before = counts()
    with pytest.raises(ValidationError) as consigned:
        services.purchase_direct(
            cooperative=coop, supplier=umkm, date=BOUGHT, lines=[PurchaseLineInput(chips, 5, 8_000)], actor=bendahara
        )
    assert "barang titipan" in consigned.value.message
    with pytest.raises(ValidationError) as channel:
        services.purchase_direct(
            cooperative=coop,
            supplier=supplier,
            date=BOUGHT,
            lines=[PurchaseLineInput(lpg, 5, 16_000)],
            paid_channel="cek",
            actor=bendahara,
        )
    assert list(channel.value.detail) == ["paid_channel"]
    with pytest.raises(ValidationError) as no_date:
        services.purchase_direct(
            cooperative=coop,
            supplier=supplier,
            date=None,
            lines=[PurchaseLineInput(lpg, 5, 16_000)],
            actor=bendahara,  # type: ignore[arg-type]
        )
    assert list(no_date.value.detail) == ["date"]
    assert counts() == before


def test_direct_purchase_into_a_closed_period_refused(coop: Any, supplier: Any, lpg: Any, bendahara: Any) -> None:
    period_close(cooperative=coop, month=D(2026, 3, 1), reason="Tutup buku Maret", actor=bendahara)
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.purchase_direct(
            cooperative=coop, supplier=supplier, date=BOUGHT, lines=[PurchaseLineInput(lpg, 5, 16_000)], actor=bendahara
        )
    assert exc.value.code == "period_closed"
    assert counts() == before


# --- Orders and receipts -------------------------------------------------------------------------


@pytest.fixture
def order(coop: Any, supplier: Any, lpg: Any, oil: Any, bendahara: Any) -> PurchaseOrder:
    """20 LPG at Rp16.000 and 10 oil at Rp14.000 ordered from Bulog for the gudang."""
    services.locations_ensure(coop)
    return services.purchase_order_create(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(lpg, 20, 16_000), PurchaseLineInput(oil, 10, 14_000)],
        location="gudang",
        expected_on=D(2026, 3, 6),
        actor=bendahara,
    )


def test_order_books_nothing_until_received(coop: Any, order: PurchaseOrder, lpg: Any) -> None:
    assert (order.order_no, order.status, order.total, order.location.code) == (
        "PO-000001",
        "ordered",
        460_000,
        "gudang",
    )
    assert JournalEntry.objects.filter(cooperative=coop).count() == 0
    assert stock_of(lpg) == (0, 0)


def test_partial_receipt_then_the_rest(
    coop: Any, order: PurchaseOrder, supplier: Any, lpg: Any, oil: Any, bendahara: Any, kasir: Any
) -> None:
    lpg_line, oil_line = PurchaseOrderLine.objects.filter(order=order).order_by("pk")
    first = services.goods_receive(
        cooperative=coop, order=order, date=D(2026, 3, 4), quantities={lpg_line.pk: 5}, actor=kasir
    )
    assert (first.total, first.order_id, first.location.code) == (80_000, order.pk, "gudang")
    assert lines_of(first.journal_entry) == [("1-1500", 80_000, 0, GU, None), ("2-1300", 0, 80_000, GU, None)]
    assert PurchaseOrder.objects.get(pk=order.pk).status == "partial"
    assert (level(lpg, "gudang"), level(lpg, "gerai")) == (5, 0)
    second = services.goods_receive(
        cooperative=coop, order=order.pk, date=D(2026, 3, 6), quantities={lpg_line.pk: 15, oil_line.pk: 10}, actor=kasir
    )
    assert second.total == 380_000
    assert PurchaseOrder.objects.get(pk=order.pk).status == "received"
    assert list(
        PurchaseOrderLine.objects.filter(order=order).order_by("pk").values_list("qty_received", flat=True)
    ) == [
        20,
        10,
    ]
    assert [stock_of(lpg), stock_of(oil)] == [(20, 320_000), (10, 140_000)]
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 460_000
    before = counts()
    with pytest.raises(Conflict) as closed:
        services.goods_receive(cooperative=coop, order=order, date=SOLD, quantities={lpg_line.pk: 1}, actor=kasir)
    assert closed.value.code == "order_closed"
    with pytest.raises(Conflict):
        services.purchase_order_cancel(cooperative=coop, order=order, reason="Terlambat", actor=bendahara)
    assert counts() == before


def test_over_receipt_refused(coop: Any, order: PurchaseOrder, kasir: Any) -> None:
    lpg_line, oil_line = PurchaseOrderLine.objects.filter(order=order).order_by("pk")
    services.goods_receive(cooperative=coop, order=order, date=D(2026, 3, 4), quantities={lpg_line.pk: 15}, actor=kasir)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.goods_receive(
            cooperative=coop, order=order, date=D(2026, 3, 5), quantities={lpg_line.pk: 6, oil_line.pk: 10}, actor=kasir
        )
    assert exc.value.code == "receipt_invalid"
    assert exc.value.detail == {f"lines.{lpg_line.pk}": ["Paling banyak 5 lagi."]}
    bad_quantities: list[dict[Any, Any]] = [
        {999_999: 1},
        {lpg_line.pk: -1},
        {lpg_line.pk: 0},
        {},
        {lpg_line.pk: 1.5},
        {"abc": 1},
        {None: 1},
        {str(10**30): 1},
    ]
    for bad in bad_quantities:
        with pytest.raises(ValidationError):
            services.goods_receive(cooperative=coop, order=order, date=D(2026, 3, 5), quantities=bad, actor=kasir)
    assert counts() == before


def test_cancel_an_order(coop: Any, order: PurchaseOrder, bendahara: Any, kasir: Any) -> None:
    lpg_line = PurchaseOrderLine.objects.filter(order=order).order_by("pk").first()
    assert lpg_line is not None
    services.goods_receive(cooperative=coop, order=order, date=D(2026, 3, 4), quantities={lpg_line.pk: 5}, actor=kasir)
    with pytest.raises(ValidationError):
        services.purchase_order_cancel(cooperative=coop, order=order, reason=" ", actor=bendahara)
    cancelled = services.purchase_order_cancel(
        cooperative=coop, order=order, reason="Stok Bulog habis", actor=bendahara
    )
    assert (cancelled.status, cancelled.note) == ("cancelled", "Batal: Stok Bulog habis")
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.goods_receive(
            cooperative=coop, order=order, date=D(2026, 3, 5), quantities={lpg_line.pk: 1}, actor=kasir
        )
    assert exc.value.code == "order_closed"
    with pytest.raises(Conflict):
        services.purchase_order_cancel(cooperative=coop, order=order, reason="Lagi", actor=bendahara)
    assert counts() == before


def test_receipt_idempotency_key(coop: Any, order: PurchaseOrder, kasir: Any) -> None:
    lpg_line = PurchaseOrderLine.objects.filter(order=order).order_by("pk").first()
    assert lpg_line is not None
    first = services.goods_receive(
        cooperative=coop,
        order=order,
        date=D(2026, 3, 4),
        quantities={lpg_line.pk: 5},
        actor=kasir,
        idempotency_key="t-1",
    )
    again = services.goods_receive(
        cooperative=coop,
        order=order,
        date=D(2026, 3, 4),
        quantities={lpg_line.pk: 5},
        actor=kasir,
        idempotency_key="t-1",
    )
    assert again.pk == first.pk
    assert PurchaseOrderLine.objects.get(pk=lpg_line.pk).qty_received == 5


def test_order_of_consignment_goods_refused(
    coop: Any, supplier: Any, make_item: Any, active_member: Any, bendahara: Any
) -> None:
    umkm = services.supplier_create(
        cooperative=coop, name="UMKM Sri", kind="umkm", member=active_member, actor=bendahara
    )
    chips = make_item(coop, sku="KRP", name="Keripik", price=10_000, consignor=umkm, commission_percent="10")
    with pytest.raises(ValidationError):
        services.purchase_order_create(
            cooperative=coop, supplier=umkm, date=BOUGHT, lines=[PurchaseLineInput(chips, 5, 8_000)], actor=bendahara
        )
    assert PurchaseOrder.objects.count() == 0


# --- Invoices and payments -----------------------------------------------------------------------


@pytest.fixture
def two_receipts(coop: Any, supplier: Any, lpg: Any, oil: Any, bendahara: Any) -> tuple[Any, Any]:
    buy = services.purchase_direct
    first = buy(
        cooperative=coop, supplier=supplier, date=BOUGHT, lines=[PurchaseLineInput(lpg, 20, 16_000)], actor=bendahara
    )
    second = buy(
        cooperative=coop,
        supplier=supplier,
        date=D(2026, 3, 3),
        lines=[PurchaseLineInput(oil, 24, 14_000)],
        actor=bendahara,
    )
    return first, second


def test_invoice_from_receipts(coop: Any, supplier: Any, two_receipts: Any, bendahara: Any) -> None:
    first, second = two_receipts
    invoice = services.supplier_invoice_record(
        cooperative=coop,
        supplier=supplier,
        invoice_no="INV/BULOG/0301",
        date=D(2026, 3, 4),
        receipts=[first, second.pk],
        due_on=D(2026, 4, 3),
        actor=bendahara,
    )
    assert (invoice.amount, invoice.paid, invoice.due_on) == (656_000, 0, D(2026, 4, 3))
    assert set(GoodsReceipt.objects.filter(invoice=invoice).values_list("pk", flat=True)) == {first.pk, second.pk}
    before = counts()
    with pytest.raises(ValidationError) as twice:
        services.supplier_invoice_record(
            cooperative=coop,
            supplier=supplier,
            invoice_no="INV-2",
            date=D(2026, 3, 4),
            receipts=[first],
            actor=bendahara,
        )
    assert "sudah masuk faktur lain" in twice.value.message
    assert counts() == before


def test_invoice_refusals(
    coop: Any, supplier: Any, two_receipts: Any, lpg: Any, bendahara: Any, fund_cash: Any
) -> None:
    first, second = two_receipts
    pertamina = services.supplier_create(cooperative=coop, name="Agen Pertamina", kind="pertamina", actor=bendahara)
    fund_cash(coop)
    paid = services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(lpg, 1, 16_000)],
        paid_channel="tunai",
        actor=bendahara,
    )
    services.supplier_invoice_record(
        cooperative=coop, supplier=supplier, invoice_no="INV-1", date=D(2026, 3, 4), receipts=[first], actor=bendahara
    )
    before = counts()

    def record(**kwargs: Any) -> Any:
        base = {"supplier": supplier, "invoice_no": "INV-9", "date": D(2026, 3, 4), "receipts": [second]}
        return services.supplier_invoice_record(cooperative=coop, **{**base, **kwargs}, actor=bendahara)

    with pytest.raises(ValidationError) as other_supplier:
        record(supplier=pertamina)
    assert other_supplier.value.message == f"{second.receipt_no} bukan dari Agen Pertamina."
    with pytest.raises(ValidationError) as paid_on_receipt:
        record(receipts=[paid])
    assert paid_on_receipt.value.message == f"{paid.receipt_no} sudah dibayar saat diterima."
    with pytest.raises(Conflict) as same_number:
        record(invoice_no="INV-1")
    assert same_number.value.code == "invoice_exists"
    bad_fields: list[dict[str, Any]] = [
        {"receipts": []},
        {"receipts": [999_999]},
        {"receipts": ["satu"]},
        {"receipts": [None]},
        {"invoice_no": ""},
        {"due_on": D(2026, 3, 1)},
    ]
    for bad in bad_fields:
        with pytest.raises(ValidationError):
            record(**bad)
    assert counts() == before


def test_supplier_pay_against_the_payable_and_an_invoice(
    coop: Any, supplier: Any, two_receipts: Any, bendahara: Any, fund_cash: Any
) -> None:
    first, _ = two_receipts
    fund_cash(coop, 1_000_000)
    invoice = services.supplier_invoice_record(
        cooperative=coop, supplier=supplier, invoice_no="INV-1", date=D(2026, 3, 4), receipts=[first], actor=bendahara
    )
    payment = services.supplier_pay(
        cooperative=coop,
        supplier=supplier,
        amount=200_000,
        date=SOLD,
        channel="tunai",
        invoice=invoice,
        actor=bendahara,
    )
    assert lines_of(payment.journal_entry) == [("2-1300", 200_000, 0, None, None), ("1-1100", 0, 200_000, None, None)]
    assert SupplierInvoice.objects.get(pk=invoice.pk).paid == 200_000
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 456_000
    before = counts()
    with pytest.raises(Conflict) as over_invoice:
        services.supplier_pay(
            cooperative=coop,
            supplier=supplier,
            amount=120_001,
            date=SOLD,
            channel="tunai",
            invoice=invoice,
            actor=bendahara,
        )
    assert over_invoice.value.code == "amount_over_invoice"
    with pytest.raises(Conflict) as over_payable:
        services.supplier_pay(
            cooperative=coop, supplier=supplier, amount=456_001, date=SOLD, channel="tunai", actor=bendahara
        )
    assert over_payable.value.code == "amount_over_payable"
    assert over_payable.value.message == "Jumlah Rp 456.001 melebihi utang kepada Perum Bulog (Rp 456.000)."
    assert counts() == before
    services.supplier_pay(
        cooperative=coop, supplier=supplier, amount=456_000, date=SOLD, channel="tunai", actor=bendahara
    )
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 0
    assert balance(coop, "2-1300") == 0
    assert balance(coop, "1-1100") == 1_000_000 - 656_000


def test_supplier_pay_idempotency_key(coop: Any, supplier: Any, stocked: Any, bendahara: Any, fund_cash: Any) -> None:
    fund_cash(coop, 1_000_000)

    def pay() -> Any:
        return services.supplier_pay(
            cooperative=coop,
            supplier=supplier,
            amount=300_000,
            date=SOLD,
            channel="tunai",
            actor=bendahara,
            idempotency_key="bayar-bulog-1",
        )

    first = pay()
    before = counts()
    assert pay().pk == first.pk
    assert counts() == before
    assert JournalEntry.objects.filter(idempotency_key="shop:pay:bayar-bulog-1").count() == 1
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 926_000


def test_a_payment_key_that_looks_like_an_internal_key_still_pays(
    coop: Any, supplier: Any, stocked: Any, bendahara: Any, fund_cash: Any
) -> None:
    """The client's key is kept apart from the keys the shop gives its own entries (``receipt:<id>``)."""
    fund_cash(coop, 1_000_000)
    payment = services.supplier_pay(
        cooperative=coop,
        supplier=supplier,
        amount=100_000,
        date=SOLD,
        channel="tunai",
        actor=bendahara,
        idempotency_key=f"receipt:{stocked.pk}",
    )
    assert payment.journal_entry_id != stocked.journal_entry_id
    assert lines_of(payment.journal_entry) == [("2-1300", 100_000, 0, None, None), ("1-1100", 0, 100_000, None, None)]
    assert -balance(coop, "2-1300") == selectors.supplier_payable(cooperative=coop, supplier=supplier) == 1_126_000


def test_supplier_pay_refusals(coop: Any, supplier: Any, stocked: Any, bendahara: Any, fund_cash: Any) -> None:
    fund_cash(coop, 100_000)
    before = counts()
    with pytest.raises(Conflict) as short:
        services.supplier_pay(
            cooperative=coop, supplier=supplier, amount=100_001, date=SOLD, channel="tunai", actor=bendahara
        )
    assert short.value.code == "insufficient_funds"
    with pytest.raises(Conflict) as bank:
        services.supplier_pay(
            cooperative=coop,
            supplier=supplier,
            amount=1_000,
            date=SOLD,
            channel="transfer",
            reference="T1",
            actor=bendahara,
        )
    assert bank.value.code == "insufficient_funds"
    cases: list[dict[str, Any]] = [
        {"amount": 0},
        {"amount": -5},
        {"amount": 10.5},
        {"amount": "1000"},
        {"channel": "cek"},
        {"channel": "transfer", "reference": ""},
        {"reference": "x\x00"},
    ]
    for case in cases:
        kwargs = {"amount": 1_000, "channel": "tunai", **case}
        with pytest.raises(ValidationError):
            services.supplier_pay(cooperative=coop, supplier=supplier, date=SOLD, actor=bendahara, **kwargs)
    assert counts() == before


def test_supplier_payables_and_the_trade_payable_account(
    coop: Any, supplier: Any, stocked: Any, lpg: Any, bendahara: Any, fund_cash: Any
) -> None:
    fund_cash(coop, 1_000_000)
    agent = services.supplier_create(cooperative=coop, name="Agen Pertamina", kind="pertamina", actor=bendahara)
    services.purchase_direct(
        cooperative=coop, supplier=agent, date=BOUGHT, lines=[PurchaseLineInput(lpg, 50, 16_000)], actor=bendahara
    )
    services.supplier_pay(cooperative=coop, supplier=agent, amount=300_000, date=SOLD, channel="tunai", actor=bendahara)
    payables = selectors.supplier_payables(cooperative=coop)
    assert payables == {supplier.pk: 1_226_000, agent.pk: 500_000}
    assert -balance(coop, "2-1300") == sum(payables.values()) == 1_726_000


def test_supplier_create_and_find(
    coop: Any, supplier: Any, active_member: Any, other_coop: Any, admin_user: Any
) -> None:
    with pytest.raises(ValidationError) as taken:
        services.supplier_create(cooperative=coop, name="perum bulog", actor=admin_user)
    assert taken.value.code == "supplier_exists"
    assert services.supplier_for_name(cooperative=coop, name="PERUM BULOG", actor=admin_user).pk == supplier.pk
    new = services.supplier_for_name(cooperative=coop, name="CV Sumber Rejeki", actor=admin_user)
    assert (new.kind, new.cooperative_id) == ("distributor", coop.pk)
    with pytest.raises(ValidationError):
        services.supplier_create(
            cooperative=other_coop, name="UMKM", kind="umkm", member=active_member, actor=admin_user
        )
    with pytest.raises(ValidationError):
        services.supplier_create(cooperative=coop, name="X", kind="grosir", actor=admin_user)


# --- Another cooperative ------------------------------------------------------------------------


def test_another_cooperatives_objects_are_not_found(
    coop: Any,
    other_coop: Any,
    supplier: Any,
    order: PurchaseOrder,
    stocked: Any,
    lpg: Any,
    make_item: Any,
    bendahara: Any,
    admin_user: Any,
    fund_cash: Any,
) -> None:
    """Lamaru's officer names Manggar's supplier, order, receipt, invoice and products: nothing is found or written."""
    fund_cash(other_coop)
    their_supplier = services.supplier_create(cooperative=other_coop, name="Perum Bulog", actor=admin_user)
    make_item(other_coop, sku="LPG3", name="LPG Lamaru", price=19_000)
    services.purchase_direct(
        cooperative=other_coop,
        supplier=their_supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput("LPG3", 5, 16_000)],
        actor=admin_user,
    )
    invoice = services.supplier_invoice_record(
        cooperative=coop, supplier=supplier, invoice_no="INV-1", date=D(2026, 3, 4), receipts=[stocked], actor=bendahara
    )
    before = counts()
    for ref in (supplier, supplier.pk):
        with pytest.raises(NotFound):
            services.purchase_direct(
                cooperative=other_coop,
                supplier=ref,
                date=BOUGHT,
                lines=[PurchaseLineInput("LPG3", 1, 1)],
                actor=admin_user,
            )
        with pytest.raises(NotFound):
            services.supplier_pay(
                cooperative=other_coop, supplier=ref, amount=1_000, date=SOLD, channel="tunai", actor=admin_user
            )
        with pytest.raises(NotFound):
            services.purchase_order_create(
                cooperative=other_coop,
                supplier=ref,
                date=BOUGHT,
                lines=[PurchaseLineInput("LPG3", 1, 1)],
                actor=admin_user,
            )
    for product_ref in (lpg, lpg.pk):
        with pytest.raises(ValidationError) as unknown:
            services.purchase_direct(
                cooperative=other_coop,
                supplier=their_supplier,
                date=BOUGHT,
                lines=[PurchaseLineInput(product_ref, 1, 1)],
                actor=admin_user,
            )
        assert unknown.value.code == "product_unknown"
    with pytest.raises(NotFound):
        services.purchase_direct(
            cooperative=other_coop,
            supplier=their_supplier,
            date=BOUGHT,
            lines=[PurchaseLineInput("LPG3", 1, 1)],
            location=order.location,
            actor=admin_user,
        )
    line = PurchaseOrderLine.objects.filter(order=order).first()
    assert line is not None
    for order_ref in (order, order.pk):
        with pytest.raises(NotFound):
            services.goods_receive(
                cooperative=other_coop, order=order_ref, date=SOLD, quantities={line.pk: 1}, actor=admin_user
            )
        with pytest.raises(NotFound):
            services.purchase_order_cancel(cooperative=other_coop, order=order_ref, reason="x", actor=admin_user)
    with pytest.raises(ValidationError):
        services.supplier_invoice_record(
            cooperative=other_coop,
            supplier=their_supplier,
            invoice_no="I",
            date=SOLD,
            receipts=[stocked],
            actor=admin_user,
        )
    with pytest.raises(NotFound):
        services.supplier_pay(
            cooperative=other_coop,
            supplier=their_supplier,
            amount=1,
            date=SOLD,
            channel="tunai",
            invoice=invoice,
            actor=admin_user,
        )
    with pytest.raises(NotFound):
        selectors.supplier_get(cooperative=other_coop, supplier_id=supplier.pk)
    assert selectors.supplier_payables(cooperative=other_coop) == {their_supplier.pk: 80_000}
    assert counts() == before
