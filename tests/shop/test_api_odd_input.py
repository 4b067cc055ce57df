"""Odd input to the gerai API (huge numbers, text, floats, booleans, NUL, missing fields): 4xx, never 500."""

from __future__ import annotations

from typing import Any

import pytest
from django.db.models import Sum

from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry
from koperasi.shop import services
from koperasi.shop.models import (
    CashierSession,
    ConsignmentSettlement,
    GoodsReceipt,
    Product,
    ProductPrice,
    PurchaseOrder,
    Sale,
    SaleReturn,
    StockCount,
    StockLevel,
    StockMove,
    StockTransfer,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from tests.shop.conftest import SOLD

pytestmark = pytest.mark.django_db

HUGE = 10**30
HUGE_TEXT = "99999999999999999999999"
C = "/coops/manggar"
SALE = {"date": "2026-03-10", "lines": [{"sku": "LPG3", "qty": 1}], "payment": "tunai"}
PURCHASE = {"supplier": "{supplier}", "date": "2026-03-05", "lines": [{"sku": "LPG3", "qty": 1, "unit_cost": 16_000}]}
TRANSFER = {"from": "gerai", "to": "gudang", "date": "2026-03-05", "lines": [{"sku": "LPG3", "qty": 1}]}
PRODUCT = {"sku": "BARU", "name": "Barang baru", "price": 1_000}

API_CALLS: list[tuple[str, str, Any]] = [
    # Paths and queries.
    ("get", f"{C}/products/{HUGE_TEXT}", None),
    ("get", f"{C}/products/abc", None),
    ("get", f"{C}/products/-1", None),
    ("get", f"{C}/products/0", None),
    ("get", f"{C}/products/{HUGE_TEXT}/prices", None),
    ("get", f"{C}/products?active=barangkali", None),
    ("get", f"{C}/products?limit=abc&offset=-1", None),
    ("get", f"{C}/products?limit={HUGE_TEXT}", None),
    ("get", f"{C}/products?offset={HUGE_TEXT}", None),
    ("get", f"{C}/products?q=%00", None),
    ("get", f"{C}/het?commodity=%00", None),
    ("get", f"{C}/suppliers/{HUGE_TEXT}", None),
    ("get", f"{C}/suppliers?limit=0", None),
    ("get", f"{C}/purchases/{HUGE_TEXT}", None),
    ("get", f"{C}/purchases?supplier_id={HUGE_TEXT}", None),
    ("get", f"{C}/purchases?date_from=2026-02-30", None),
    ("get", f"{C}/purchase-orders/{HUGE_TEXT}", None),
    ("get", f"{C}/purchase-orders?status=%00", None),
    ("get", f"{C}/stock?location=%00", None),
    ("get", f"{C}/stock?location={HUGE_TEXT}", None),
    ("get", f"{C}/stock?limit=501", None),
    ("get", f"{C}/stock/moves?sku=%00", None),
    ("get", f"{C}/stock/moves?location={HUGE_TEXT}", None),
    ("get", f"{C}/stock/moves?date_to=kemarin", None),
    ("get", f"{C}/sales/{HUGE_TEXT}", None),
    ("get", f"{C}/sales/-5", None),
    ("get", f"{C}/sales?date_from=2026-13-01", None),
    ("get", f"{C}/sales?date_to=9999-12-31", None),
    ("get", f"{C}/sales?member_id={HUGE_TEXT}", None),
    ("get", f"{C}/sales?member_id=abc", None),
    ("get", f"{C}/returns?status=%00", None),
    ("get", f"{C}/cashier-sessions/{HUGE_TEXT}", None),
    ("get", f"{C}/cashier-sessions?status=buka", None),
    ("get", "/coops/%00/products", None),
    ("get", f"/coops/{HUGE_TEXT}/sales", None),
    # Catalogue.
    ("post", f"{C}/products", {}),
    ("post", f"{C}/products", {**PRODUCT, "price": HUGE}),
    ("post", f"{C}/products", {**PRODUCT, "price": 1_000.5}),
    ("post", f"{C}/products", {**PRODUCT, "price": True}),
    ("post", f"{C}/products", {**PRODUCT, "name": "Nul\u0000"}),
    ("post", f"{C}/products", {**PRODUCT, "sku": "x" * 5000}),
    ("post", f"{C}/products", {**PRODUCT, "sku": ["x"]}),
    ("post", f"{C}/products", {**PRODUCT, "het_commodity": "minyakita", "het_quantity": "1e400"}),
    ("post", f"{C}/products", {**PRODUCT, "het_commodity": "minyakita", "het_quantity": "Infinity"}),
    ("post", f"{C}/products", {**PRODUCT, "het_commodity": "minyakita", "het_quantity": "-5"}),
    ("post", f"{C}/products", {**PRODUCT, "pack_size": HUGE}),
    ("post", f"{C}/products", {**PRODUCT, "min_stock": -1}),
    ("post", f"{C}/products", {**PRODUCT, "min_stock": HUGE}),
    ("post", f"{C}/products", {**PRODUCT, "consignor_id": HUGE}),
    ("post", f"{C}/products", {**PRODUCT, "consignor_id": "1"}),
    ("post", f"{C}/products", {**PRODUCT, "consignor_id": "{supplier}", "commission_percent": "101"}),
    ("post", f"{C}/products", {**PRODUCT, "consignor_id": "{supplier}", "commission_percent": "abc"}),
    ("post", f"{C}/products", {**PRODUCT, "consignor_id": "{supplier}", "commission_percent": 10}),
    ("post", f"{C}/products", {**PRODUCT, "effective_from": "9999-99-99"}),
    ("post", f"{C}/products", {**PRODUCT, "business_unit": "gerai\u0000"}),
    ("patch", f"{C}/products/{{product}}", {"price": 1}),
    ("patch", f"{C}/products/{{product}}", {"pack_size": 1.5}),
    ("patch", f"{C}/products/{{product}}", {"consignor_id": HUGE}),
    ("patch", f"{C}/products/{{product}}", {"is_active": "mungkin"}),
    ("patch", f"{C}/products/{{product}}", {"sku": "\u0000"}),
    ("patch", f"{C}/products/{{product}}", {"name": ""}),
    ("patch", f"{C}/products/{{product}}", {"het_quantity": "0.0005"}),
    ("patch", f"{C}/products/{HUGE_TEXT}", {"name": "x"}),
    ("post", f"{C}/products/{{product}}/prices", {"price": HUGE, "effective_from": "2026-03-05"}),
    ("post", f"{C}/products/{{product}}/prices", {"price": 0, "effective_from": "2026-03-05"}),
    ("post", f"{C}/products/{{product}}/prices", {"price": 19_000, "effective_from": "x"}),
    ("post", f"{C}/products/{{product}}/prices", {"price": 19_000}),
    (
        "post",
        f"{C}/products/{{product}}/prices",
        {"price": 19_000, "effective_from": "2026-03-05", "reason": "x" * 5000},
    ),
    ("post", f"{C}/products/{HUGE_TEXT}/prices", {"price": 19_000, "effective_from": "2026-03-05"}),
    # Suppliers, invoices, payments, settlements.
    ("post", f"{C}/suppliers", {}),
    ("post", f"{C}/suppliers", {"name": "x" * 500}),
    ("post", f"{C}/suppliers", {"name": "Kind", "kind": 1}),
    ("post", f"{C}/suppliers", {"name": "Member", "member_id": HUGE}),
    ("post", f"{C}/suppliers", {"name": "Phone", "phone": "0" * 50}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": HUGE, "date": "2026-03-20"}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": -HUGE, "date": "2026-03-20"}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": "1000", "date": "2026-03-20"}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": 1000.0, "date": "2026-03-20"}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": False, "date": "2026-03-20"}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": None, "date": None}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": 1_000, "date": "2026-13-01"}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": 1_000, "date": "2026-03-20", "channel": ["tunai"]}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": 1_000, "date": "2026-03-20", "invoice_id": "1"}),
    ("post", f"{C}/suppliers/{{supplier}}/payments", {"amount": 1_000, "date": "2026-03-20", "reference": "\u0000"}),
    ("post", f"{C}/suppliers/{HUGE_TEXT}/payments", {"amount": 1_000, "date": "2026-03-20"}),
    ("post", f"{C}/suppliers/{{supplier}}/invoices", {"invoice_no": "F1", "date": "2026-03-03", "receipt_ids": [HUGE]}),
    ("post", f"{C}/suppliers/{{supplier}}/invoices", {"invoice_no": "F1", "date": "2026-03-03", "receipt_ids": "1"}),
    ("post", f"{C}/suppliers/{{supplier}}/invoices", {"invoice_no": "F1", "date": "2026-03-03", "receipt_ids": []}),
    (
        "post",
        f"{C}/suppliers/{{supplier}}/invoices",
        {"invoice_no": "F\u0000", "date": "2026-03-03", "receipt_ids": ["{receipt}"]},
    ),
    (
        "post",
        f"{C}/suppliers/{{supplier}}/invoices",
        {"invoice_no": "F1", "date": "2026-03-03", "due_on": "2026-03-01", "receipt_ids": ["{receipt}"]},
    ),
    (
        "post",
        f"{C}/suppliers/{{supplier}}/invoices",
        {"invoice_no": "", "date": "2026-03-03", "receipt_ids": ["{receipt}"]},
    ),
    ("post", f"{C}/suppliers/{{supplier}}/consignment-settlements", {"amount": HUGE, "date": "2026-03-31"}),
    ("post", f"{C}/suppliers/{{supplier}}/consignment-settlements", {"amount": 1, "date": "2026-03-31"}),
    ("post", f"{C}/suppliers/{{supplier}}/consignment-settlements", {"amount": 1.5, "date": "2026-03-31"}),
    # Purchases and orders.
    ("post", f"{C}/purchases", {}),
    ("post", f"{C}/purchases", {**PURCHASE, "supplier": None}),
    ("post", f"{C}/purchases", {**PURCHASE, "supplier": True}),
    ("post", f"{C}/purchases", {**PURCHASE, "supplier": HUGE}),
    ("post", f"{C}/purchases", {**PURCHASE, "supplier": "x" * 500}),
    ("post", f"{C}/purchases", {**PURCHASE, "lines": [{"sku": "LPG3", "qty": HUGE, "unit_cost": 1}]}),
    ("post", f"{C}/purchases", {**PURCHASE, "lines": [{"sku": "LPG3", "qty": 1, "unit_cost": HUGE}]}),
    ("post", f"{C}/purchases", {**PURCHASE, "lines": [{"sku": "LPG\u0000", "qty": 1, "unit_cost": 1}]}),
    ("post", f"{C}/purchases", {**PURCHASE, "lines": {"sku": "LPG3", "qty": 1, "unit_cost": 1}}),
    ("post", f"{C}/purchases", {**PURCHASE, "lines": [{"sku": "LPG3", "qty": 1, "unit_cost": 1}] * 201}),
    ("post", f"{C}/purchases", {**PURCHASE, "paid": "bank"}),
    ("post", f"{C}/purchases", {**PURCHASE, "note": "x" * 5000}),
    ("post", f"{C}/purchases", {**PURCHASE, "location": HUGE_TEXT}),
    ("post", f"{C}/purchases", {**PURCHASE, "date": "0001-01-01"}),
    ("post", f"{C}/purchase-orders", {**PURCHASE, "expected_on": "2026-02-30"}),
    ("post", f"{C}/purchase-orders", {**PURCHASE, "lines": []}),
    ("post", f"{C}/purchase-orders", {**PURCHASE, "lines": [{"sku": "KRP", "qty": 1, "unit_cost": 1}]}),
    ("post", f"{C}/purchase-orders/{{order}}/receipts", {"date": "2026-03-04", "lines": [{"line_id": HUGE, "qty": 1}]}),
    (
        "post",
        f"{C}/purchase-orders/{{order}}/receipts",
        {"date": "2026-03-04", "lines": [{"line_id": "{line}", "qty": HUGE}]},
    ),
    (
        "post",
        f"{C}/purchase-orders/{{order}}/receipts",
        {"date": "2026-03-04", "lines": [{"line_id": "{line}", "qty": 0}]},
    ),
    ("post", f"{C}/purchase-orders/{{order}}/receipts", {"date": "2026-03-04", "lines": [{"line_id": "{line}"}]}),
    ("post", f"{C}/purchase-orders/{HUGE_TEXT}/receipts", {"date": "2026-03-04", "lines": [{"line_id": 1, "qty": 1}]}),
    ("post", f"{C}/purchase-orders/{{order}}/cancel", {"reason": "\u0000"}),
    ("post", f"{C}/purchase-orders/{{order}}/cancel", {"reason": None}),
    # Stock and consignment.
    ("post", f"{C}/stock/transfers", {}),
    ("post", f"{C}/stock/transfers", {**TRANSFER, "to": "gerai"}),
    ("post", f"{C}/stock/transfers", {**TRANSFER, "from": "\u0000"}),
    ("post", f"{C}/stock/transfers", {**TRANSFER, "to": HUGE_TEXT}),
    ("post", f"{C}/stock/transfers", {**TRANSFER, "lines": [{"sku": "LPG3", "qty": 0}]}),
    ("post", f"{C}/stock/transfers", {**TRANSFER, "lines": [{"sku": "LPG3", "qty": HUGE}]}),
    ("post", f"{C}/stock/transfers", {**TRANSFER, "lines": []}),
    (
        "post",
        f"{C}/stock/counts",
        {"location": "gerai", "date": "2026-03-05", "lines": [{"sku": "LPG3", "counted": HUGE}]},
    ),
    (
        "post",
        f"{C}/stock/counts",
        {"location": "gerai", "date": "2026-03-05", "lines": [{"sku": "LPG3", "counted": -1}]},
    ),
    (
        "post",
        f"{C}/stock/counts",
        {"location": "gerai", "date": "2026-03-05", "lines": [{"sku": "LPG3", "counted": 1.0}]},
    ),
    ("post", f"{C}/stock/counts", {"location": "gerai", "date": "2026-03-05", "lines": []}),
    ("post", f"{C}/stock/counts", {"location": "", "date": "2026-03-05", "lines": [{"sku": "LPG3", "counted": 1}]}),
    ("post", f"{C}/consignment/receipts", {"sku": "LPG3", "qty": HUGE, "date": "2026-03-05"}),
    ("post", f"{C}/consignment/receipts", {"sku": "\u0000", "qty": 1, "date": "2026-03-05"}),
    ("post", f"{C}/consignment/receipts", {"sku": "LPG3", "qty": 1, "date": "2026-03-05", "withdraw": "ya"}),
    # Sessions.
    ("post", f"{C}/cashier-sessions", {"opening_float": HUGE}),
    ("post", f"{C}/cashier-sessions", {"opening_float": "100000"}),
    ("post", f"{C}/cashier-sessions", {"opening_float": 0, "location": "\u0000"}),
    ("post", f"{C}/cashier-sessions", {}),
    ("post", f"{C}/cashier-sessions/{{session}}/close", {"counted_cash": -1}),
    ("post", f"{C}/cashier-sessions/{{session}}/close", {"counted_cash": HUGE}),
    ("post", f"{C}/cashier-sessions/{{session}}/close", {"counted_cash": 1, "note": "\u0000"}),
    ("post", f"{C}/cashier-sessions/{HUGE_TEXT}/close", {"counted_cash": 1}),
    # Sales.
    ("post", f"{C}/sales", {}),
    ("post", f"{C}/sales", {**SALE, "lines": [{"sku": "LPG3", "qty": HUGE}]}),
    ("post", f"{C}/sales", {**SALE, "lines": [{"sku": "LPG3", "qty": 1}] * 201}),
    ("post", f"{C}/sales", {**SALE, "payment": {"method": "tunai", "cash_received": HUGE}}),
    ("post", f"{C}/sales", {**SALE, "payment": {"method": "tunai", "cash_received": 1.5}}),
    ("post", f"{C}/sales", {**SALE, "payment": {"cash_received": 100_000}}),
    ("post", f"{C}/sales", {**SALE, "payment": ["tunai"]}),
    ("post", f"{C}/sales", {**SALE, "payment": "tunai\u0000"}),
    ("post", f"{C}/sales", {**SALE, "buyer_nik": "x" * 100}),
    ("post", f"{C}/sales", {**SALE, "member_no": HUGE}),
    ("post", f"{C}/sales", {**SALE, "member_no": HUGE_TEXT}),
    ("post", f"{C}/sales", {**SALE, "member_no": -1}),
    ("post", f"{C}/sales", {**SALE, "card": "\u0000"}),
    ("post", f"{C}/sales", {**SALE, "card": "KOPERASI:manggar:000000000"}),
    ("post", f"{C}/sales", {**SALE, "member_id": True}),
    ("post", f"{C}/sales", {**SALE, "member_id": -1}),
    ("post", f"{C}/sales", {**SALE, "date": None}),
    ("post", f"{C}/sales", {**SALE, "location": HUGE_TEXT}),
    # Returns.
    ("post", f"{C}/sales/{{sale}}/returns", {"kind": None, "reason": "x", "date": "2026-03-11"}),
    (
        "post",
        f"{C}/sales/{{sale}}/returns",
        {"kind": "return", "reason": "x", "date": "2026-03-11", "lines": [{"line_id": HUGE, "qty": 1}]},
    ),
    ("post", f"{C}/sales/{{sale}}/returns", {"kind": "return", "reason": "x" * 500, "date": "2026-03-11"}),
    ("post", f"{C}/sales/{HUGE_TEXT}/returns", {"kind": "void", "reason": "x", "date": "2026-03-11"}),
    ("post", f"{C}/returns/{{return}}/approve", {"note": "\u0000"}),
    ("post", f"{C}/returns/{{return}}/reject", {"note": ""}),
    ("post", f"{C}/returns/{{return}}/reject", {"note": HUGE}),
    ("post", f"{C}/returns/{HUGE_TEXT}/approve", {}),
    # The wrong method on a path that exists.
    ("put", f"{C}/sales/{{sale}}", {"total": 1}),
    ("patch", f"{C}/sales/{{sale}}", {"total": 1}),
    ("put", f"{C}/products/{{product}}", {"price": 1}),
    ("patch", f"{C}/stock", {"qty": 1}),
]

# Odd but possible: an answer (or a refusal), never a 500.
API_EDGES: list[str] = [
    f"{C}/products?q={HUGE_TEXT}",
    f"{C}/products?q=%27%22%25",
    f"{C}/products?offset=1000000",
    f"{C}/sales?date_from=1900-01-01&date_to=2999-12-31",
    f"{C}/sales?date_from=2999-12-31&date_to=1900-01-01",
    f"{C}/sales?member_id=-1",
    f"{C}/sales?offset=1000000000000",
    f"{C}/stock?location=gudang",
    f"{C}/stock?location=1",
    f"{C}/stock?offset=1000000000000",
    f"{C}/stock/moves?sku=8991234500015",
    f"{C}/stock/moves?date_from=2999-12-31",
    f"{C}/purchases?supplier_id=-1",
    f"{C}/het?commodity=",
    f"{C}/returns?status=",
]


def _counts() -> tuple[int, ...]:
    return (
        Product.objects.count(),
        ProductPrice.objects.count(),
        Supplier.objects.count(),
        GoodsReceipt.objects.count(),
        SupplierInvoice.objects.count(),
        SupplierPayment.objects.count(),
        PurchaseOrder.objects.count(),
        StockTransfer.objects.count(),
        StockCount.objects.count(),
        StockMove.objects.count(),
        CashierSession.objects.count(),
        Sale.objects.count(),
        SaleReturn.objects.count(),
        ConsignmentSettlement.objects.count(),
        StockLevel.objects.aggregate(s=Sum("qty"))["s"] or 0,
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="shop.").count(),
    )


@pytest.fixture
def world(coop: Any, stocked: Any, supplier: Any, lpg: Any, kasir: Any, bendahara: Any) -> dict[str, Any]:
    """One of everything: a receipt, an order, a kasir's open session with a sale, a return awaiting approval."""
    order = services.purchase_order_create(
        cooperative=coop,
        supplier=supplier,
        date=SOLD,
        lines=[services.PurchaseLineInput("LPG3", 10, 16_000)],
        actor=bendahara,
    )
    session = services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    sale = services.sale_create(cooperative=coop, date=SOLD, lines=[services.SaleLineInput("LPG3", 2)], actor=kasir)
    request = services.sale_return_request(
        cooperative=coop, sale=sale, kind="void", reason="Salah input", date=SOLD, actor=kasir
    )
    return {
        "{product}": lpg.pk,
        "{supplier}": supplier.pk,
        "{receipt}": stocked.pk,
        "{order}": order.pk,
        "{line}": order.lines.get().pk,
        "{session}": session.pk,
        "{sale}": sale.pk,
        "{return}": request.pk,
    }


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return values.get(value, value)
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    return value


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_odd_api_call_is_a_client_error_and_writes_nothing(
    coop: Any, world: dict[str, Any], bendahara: Any, api_as: Any, method: str, path: str, body: Any
) -> None:
    # The bendahara may do every shop action, so each call reaches its handler and is not refused at the door.
    client = api_as(bendahara)
    for placeholder, value in world.items():
        path = path.replace(placeholder, str(value))
    before = _counts()
    response = client.get(path) if method == "get" else getattr(client, method)(path, _fill(body, world))
    assert 400 <= response.status_code < 500, response.content
    if response.status_code != 405:
        assert set(response.json()) == {"code", "message", "detail"}
    assert _counts() == before


@pytest.mark.parametrize("path", API_EDGES)
def test_edge_api_read_is_never_a_server_error(
    coop: Any, world: dict[str, Any], bendahara: Any, api_as: Any, path: str
) -> None:
    response = api_as(bendahara).get(path)
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "detail"}


def test_a_nul_in_the_idempotency_key_is_422(coop: Any, world: dict[str, Any], kasir: Any, api_as: Any) -> None:
    # The Django test client cannot send a NUL in a header; the helper refuses it all the same.
    from koperasi.core.api_types import api_idempotency_key
    from koperasi.core.errors import ValidationError

    with pytest.raises(ValidationError):
        api_idempotency_key("a\x00b")
    assert api_idempotency_key("  ") is None
    assert api_idempotency_key(" k-1 ") == "api:k-1"
