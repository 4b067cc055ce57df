"""The gerai and gudang over the API (DESIGN.md §9): catalogue, HET, suppliers, purchases, orders, stock, sales.

Figures come from ``tests/shop/conftest.py``: ``stocked`` is Bulog's delivery of 2 March 2026
on credit — 10 rice (SPHP 5 kg) at Rp57.000, 20 LPG at Rp16.000, 24 MinyaKita at Rp14.000,
Rp1.226.000 in all — at the gerai; rice sells at Rp65.500 (its HET), LPG Rp19.000, oil Rp15.700.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Sum

from koperasi.core.models import AuditEvent, CooperativeRole
from koperasi.core.roles import Role
from koperasi.ledger import selectors as ledger_selectors
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.shop import services
from koperasi.shop.models import (
    CashierSession,
    ConsignmentSettlement,
    GoodsReceipt,
    Product,
    ProductPrice,
    PurchaseOrder,
    Sale,
    SaleLine,
    SaleReturn,
    StockCount,
    StockLevel,
    StockMove,
    StockTransfer,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from tests.conftest import NIK_WOMAN
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = pytest.mark.django_db

D = datetime.date
C = "/coops/manggar"


def counts() -> tuple[int, ...]:
    """What a refused write must leave unchanged: every shop row, stock, the journal and the audit trail."""
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
        SaleLine.objects.count(),
        SaleReturn.objects.count(),
        ConsignmentSettlement.objects.count(),
        Product.objects.aggregate(s=Sum("stock_qty"))["s"] or 0,
        Product.objects.aggregate(s=Sum("stock_value"))["s"] or 0,
        StockLevel.objects.aggregate(s=Sum("qty"))["s"] or 0,
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="shop.").count(),
    )


def balance(coop: Any, role: str) -> int:
    """Debit − credit of the account of ``role`` in the cooperative's books."""
    account = ledger_selectors.account_for_role(cooperative=coop, role=role)
    totals = JournalLine.objects.filter(account=account).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (totals["d"] or 0) - (totals["c"] or 0)


def error(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    return response.status_code, body["code"]


def sale_body(**overrides: Any) -> dict[str, Any]:
    """Two rice, three LPG, four oil: Rp131.000 + Rp57.000 + Rp62.800 = Rp250.800."""
    body: dict[str, Any] = {
        "date": SOLD.isoformat(),
        "lines": [{"sku": "SPHP5", "qty": 2}, {"sku": "LPG3", "qty": 3}, {"sku": "MK1", "qty": 4}],
        "payment": "tunai",
    }
    body.update(overrides)
    return body


@pytest.fixture
def cash(coop: Any, fund_cash: Any) -> Any:
    """Rp500.000.000 of capital in the cash box on 2 January 2026."""
    return fund_cash(coop)


@pytest.fixture
def lamaru_bendahara(other_coop: Any, grant: Any) -> Any:
    """Lamaru's bendahara: every shop action in Lamaru, none in Manggar."""
    return grant(other_coop, Role.BENDAHARA)


@pytest.fixture
def lamaru_member(other_coop: Any, register_member: Any) -> Any:
    return register_member(other_coop, name="Andi Lamaru")


# --- Catalogue --------------------------------------------------------------------------------
PRODUCT_BODY = {
    "sku": "GULA1",
    "name": "Gula pasir 1 kg",
    "unit": "pcs",
    "price": 18_000,
    "barcode": "8990001112223",
    "category": "Sembako",
    "pack_size": 12,
    "pack_unit": "dus",
    "min_stock": 5,
    "effective_from": "2026-03-01",
}


def test_product_created_listed_changed_and_priced(coop: Any, bendahara: Any, pengawas: Any, api_as: Any) -> None:
    officer = api_as(bendahara)
    r = officer.post(f"{C}/products", PRODUCT_BODY)
    assert r.status_code == 201, r.content
    product = Product.objects.get(cooperative=coop, sku="GULA1")
    assert r.json() == {
        "id": product.pk,
        "sku": "GULA1",
        "barcode": "8990001112223",
        "name": "Gula pasir 1 kg",
        "category": "Sembako",
        "unit": "pcs",
        "pack_size": 12,
        "pack_unit": "dus",
        "business_unit": "gerai_sembako",
        "price": 18_000,
        "het_commodity": "",
        "het_quantity": "1",
        "het_limit": None,
        "consignor_id": None,
        "is_consignment": False,
        "commission_percent": "0",
        "min_stock": 5,
        "low_stock": True,
        "is_active": True,
        "stock_qty": 0,
        "stock_value": 0,
        "locations": [],
    }
    assert list(ProductPrice.objects.filter(product=product).values_list("price", "effective_from", "reason")) == [
        (18_000, D(2026, 3, 1), "Harga awal")
    ]

    # A reader finds it by name, SKU (any case) or barcode.
    reader = api_as(pengawas)
    for q in ("gula", "gula1", "8990001112223"):
        r = reader.get(f"{C}/products", q=q)
        assert (r.status_code, r.json()["count"], r.json()["items"][0]["id"]) == (200, 1, product.pk), q
    assert reader.get(f"{C}/products", q="beras").json() == {"items": [], "count": 0}

    # Only the fields sent change; the price has its own history.
    r = officer.patch(f"{C}/products/{product.pk}", {"name": "Gula pasir kristal 1 kg", "min_stock": 0})
    assert r.status_code == 200, r.content
    assert (r.json()["name"], r.json()["min_stock"], r.json()["low_stock"], r.json()["pack_size"]) == (
        "Gula pasir kristal 1 kg",
        0,
        False,
        12,
    )
    r = officer.patch(f"{C}/products/{product.pk}", {"price": 20_000})
    assert error(r) == (422, "invalid")
    assert list(r.json()["detail"]) == ["price"]
    r = officer.patch(f"{C}/products/{product.pk}", {"is_active": False})
    assert r.json()["is_active"] is False
    assert reader.get(f"{C}/products", active="true").json()["count"] == 0
    assert reader.get(f"{C}/products", active="false").json()["count"] == 1

    r = officer.post(f"{C}/products/{product.pk}/prices", {"price": 18_500, "effective_from": "2026-04-01"})
    assert r.status_code == 201, r.content
    row = ProductPrice.objects.get(product=product, effective_from=D(2026, 4, 1))
    assert {k: v for k, v in r.json().items() if k != "set_at"} == {
        "id": row.pk,
        "product_id": product.pk,
        "price": 18_500,
        "effective_from": "2026-04-01",
        "reason": "",
        "set_by": bendahara.username,
        "product_price": 18_500,  # today is after 1 April 2026
    }
    r = reader.get(f"{C}/products/{product.pk}/prices")
    assert [(p["price"], p["effective_from"]) for p in r.json()["items"]] == [
        (18_500, "2026-04-01"),
        (18_000, "2026-03-01"),
    ]
    assert reader.get(f"{C}/products/{product.pk}").json()["price"] == 18_500


def test_product_detail_shows_stock_per_location_and_het_limit(
    coop: Any, stocked: Any, rice: Any, pengawas: Any, api_as: Any
) -> None:
    r = api_as(pengawas).get(f"{C}/products/{rice.pk}")
    assert r.status_code == 200
    body = r.json()
    assert (body["het_commodity"], body["het_quantity"], body["het_limit"], body["price"]) == (
        "beras_sphp",
        "5",
        65_500,
        65_500,
    )
    assert (body["stock_qty"], body["stock_value"], body["locations"]) == (
        10,
        570_000,
        [{"code": "gerai", "name": "Gerai sembako", "qty": 10}],
    )


def test_product_above_het_is_409_and_nothing_written(coop: Any, rice: Any, bendahara: Any, api_as: Any) -> None:
    officer = api_as(bendahara)
    before = counts()
    body = {"sku": "LPG3B", "name": "LPG 3 kg", "unit": "tabung", "price": 19_001, "het_commodity": "lpg_3kg"}
    r = officer.post(f"{C}/products", body)
    assert error(r) == (409, "price_above_het")
    assert r.json()["message"].startswith("Harga LPG 3 kg Rp")
    r = officer.post(f"{C}/products/{rice.pk}/prices", {"price": 65_600, "effective_from": "2026-03-05"})
    assert error(r) == (409, "price_above_het")
    r = officer.patch(f"{C}/products/{rice.pk}", {"het_quantity": "4.9"})  # Rp65.500 > 4,9 × Rp13.100
    assert error(r) == (409, "price_above_het")
    assert counts() == before
    rice.refresh_from_db()
    assert rice.het_quantity == 5


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Tanpa SKU", "price": 1_000}, "sku"),
        ({"sku": "A1", "price": 1_000}, "name"),
        ({"sku": "A1", "name": "Tanpa harga"}, "price"),
        ({"sku": "A1", "name": "Pecahan", "price": 1_000.0}, "price"),
        ({"sku": "A1", "name": "Teks", "price": "1000"}, "price"),
        ({"sku": "A1", "name": "Negatif", "price": -1}, "price"),
        ({"sku": "A1", "name": "Nol", "price": 0}, "price"),
        ({"sku": "A1", "name": "Besar", "price": 10**13}, "price"),
        ({"sku": "A\u00001", "name": "NUL", "price": 1_000}, "sku"),
        ({"sku": "A1", "name": "Isi", "price": 1_000, "pack_size": 0}, "pack_size"),
        ({"sku": "A1", "name": "Isi", "price": 1_000, "pack_size": 1.5}, "pack_size"),
        ({"sku": "A1", "name": "Unit", "price": 1_000, "business_unit": "toko_emas"}, "business_unit"),
        ({"sku": "A1", "name": "HET", "price": 1_000, "het_commodity": "gula"}, "het_commodity"),
        ({"sku": "A1", "name": "HET", "price": 1_000, "het_commodity": "minyakita", "het_quantity": 1}, "het_quantity"),
        (
            {"sku": "A1", "name": "HET", "price": 1_000, "het_commodity": "minyakita", "het_quantity": "0.0001"},
            "het_quantity",
        ),
        ({"sku": "A1", "name": "HET", "price": 1_000, "het_quantity": "NaN"}, "het_quantity"),
        ({"sku": "A1", "name": "Komisi", "price": 1_000, "commission_percent": "10"}, "commission_percent"),
        ({"sku": "A1", "name": "Tanggal", "price": 1_000, "effective_from": "2026-13-01"}, "effective_from"),
        ({"sku": "A1", "name": "Tanggal", "price": 1_000, "effective_from": 0}, "effective_from"),
        ({"sku": "SPHP5", "name": "SKU sama", "price": 1_000}, "sku"),
        ({"sku": "sphp5", "name": "SKU sama", "price": 1_000}, "sku"),
        ({"sku": "A1", "name": "Barcode sama", "price": 1_000, "barcode": "8991234500015"}, "barcode"),
    ],
)
def test_product_bad_input_is_422_and_nothing_written(
    coop: Any, rice: Any, bendahara: Any, api_as: Any, body: dict[str, Any], field: str
) -> None:
    before = counts()
    r = api_as(bendahara).post(f"{C}/products", body)
    assert r.status_code == 422, r.content
    assert field in r.json()["detail"], r.json()
    assert counts() == before


def test_product_roles_and_tenants(
    coop: Any,
    rice: Any,
    kasir: Any,
    pengawas: Any,
    manajer: Any,
    other_ketua: Any,
    lamaru_bendahara: Any,
    dinas_user: Any,
    grant: Any,
    api_as: Any,
) -> None:
    body = {"sku": "B1", "name": "Baru", "price": 1_000}
    for user in (kasir, pengawas):
        assert error(api_as(user).post(f"{C}/products", body)) == (403, "forbidden")
        assert error(api_as(user).patch(f"{C}/products/{rice.pk}", {"name": "x"})) == (403, "forbidden")
        r = api_as(user).post(f"{C}/products/{rice.pk}/prices", {"price": 1, "effective_from": "2026-03-05"})
        assert error(r) == (403, "forbidden")
    assert api_as(manajer).post(f"{C}/products", body).status_code == 201
    assert api_as(kasir).get(f"{C}/products").status_code == 200
    assert error(api_as(grant(coop, Role.ANGGOTA)).get(f"{C}/products")) == (403, "forbidden")
    assert error(api_as(dinas_user).get(f"{C}/products")) == (403, "forbidden")
    assert error(api_as(None).get(f"{C}/products")) == (401, "unauthenticated")
    assert error(api_as(None).post(f"{C}/products", body)) == (401, "unauthenticated")
    assert error(api_as(other_ketua).get(f"{C}/products")) == (404, "not_found")
    assert error(api_as(other_ketua).post(f"{C}/products", {**body, "sku": "B2"})) == (404, "not_found")
    lamaru = api_as(lamaru_bendahara)
    for path in (f"/coops/lamaru/products/{rice.pk}", f"/coops/lamaru/products/{rice.pk}/prices"):
        assert error(lamaru.get(path)) == (404, "product_not_found"), path
    assert error(lamaru.patch(f"/coops/lamaru/products/{rice.pk}", {"name": "x"})) == (404, "product_not_found")
    r = lamaru.post(f"/coops/lamaru/products/{rice.pk}/prices", {"price": 1_000, "effective_from": "2026-03-05"})
    assert r.status_code == 404
    assert Product.objects.filter(cooperative__code="lamaru").count() == 0


def test_consignor_of_another_cooperative_is_404(
    coop: Any, other_coop: Any, lamaru_bendahara: Any, bendahara: Any, api_as: Any
) -> None:
    theirs = services.supplier_create(cooperative=other_coop, name="UMKM Lamaru", kind="umkm", actor=lamaru_bendahara)
    before = counts()
    body = {"sku": "KRP1", "name": "Keripik", "price": 10_000, "consignor_id": theirs.pk, "commission_percent": "10"}
    r = api_as(bendahara).post(f"{C}/products", body)
    assert (r.status_code, r.json()["message"]) == (404, "Pemasok tidak ditemukan.")
    assert counts() == before


# --- HET ----------------------------------------------------------------------------------------
def test_het_rows_applying_to_the_cooperative(
    coop: Any, admin_user: Any, kasir: Any, dinas_user: Any, other_ketua: Any, api_as: Any
) -> None:
    # A Balikpapan LPG ceiling raised from 1 June 2026, and one announced for 2099.
    services.het_create(
        commodity="lpg_3kg", region_code="64.71", price=20_000, effective_from=D(2026, 6, 1), actor=admin_user
    )
    services.het_create(
        commodity="lpg_3kg", region_code="64.71", price=25_000, effective_from=D(2099, 1, 1), actor=admin_user
    )
    services.het_create(  # Samarinda's does not apply in Manggar
        commodity="lpg_3kg", region_code="64.72", price=30_000, effective_from=D(2026, 6, 1), actor=admin_user
    )
    r = api_as(kasir).get(f"{C}/het")
    assert r.status_code == 200, r.content
    rows = [
        (h["commodity"], h["region_code"], h["zone"], h["price"], h["effective_from"], h["in_force"])
        for h in r.json()["items"]
    ]
    assert rows == [
        ("beras_medium", "64", "Zona 2", 14_000, "2025-08-22", True),
        ("beras_premium", "64", "Zona 2", 15_400, "2025-08-22", True),
        ("beras_sphp", "64", "Zona 2", 13_100, "2025-07-01", True),
        ("lpg_3kg", "64.71", "", 25_000, "2099-01-01", False),
        ("lpg_3kg", "64.71", "", 20_000, "2026-06-01", True),
        ("lpg_3kg", "64.71", "", 19_000, "2022-01-01", False),
        ("minyakita", "", "", 15_700, "2024-08-14", True),
    ]
    assert r.json()["count"] == 7
    r = api_as(kasir).get(f"{C}/het", commodity="minyakita")
    assert (r.json()["count"], r.json()["items"][0]["legal_basis"]) == (1, "Permendag 18/2024; Kepmendag 1028/2024")
    assert error(api_as(kasir).get(f"{C}/het", commodity="gula")) == (422, "invalid")
    assert error(api_as(dinas_user).get(f"{C}/het")) == (403, "forbidden")
    assert error(api_as(None).get(f"{C}/het")) == (401, "unauthenticated")
    assert error(api_as(other_ketua).get(f"{C}/het")) == (404, "not_found")


# --- Suppliers, purchases, invoices, payments ------------------------------------------------------
def test_supplier_registered_listed_and_refused(
    coop: Any, stocked: Any, active_member: Any, bendahara: Any, kasir: Any, api_as: Any
) -> None:
    officer = api_as(bendahara)
    body = {"name": "UMKM Bu Sari", "kind": "umkm", "member_id": active_member.pk, "phone": "0812-1111-2222"}
    r = officer.post(f"{C}/suppliers", body)
    assert r.status_code == 201, r.content
    sari = Supplier.objects.get(cooperative=coop, name="UMKM Bu Sari")
    assert r.json() == {
        "id": sari.pk,
        "name": "UMKM Bu Sari",
        "kind": "umkm",
        "kind_label": "UMKM anggota",
        "member_id": active_member.pk,
        "phone": "0812-1111-2222",
        "address": "",
        "is_active": True,
        "payable": 0,
        "consignment_payable": 0,
        "invoices": [],
    }
    r = api_as(kasir).get(f"{C}/suppliers")
    assert r.status_code == 200
    assert [(s["name"], s["payable"]) for s in r.json()["items"]] == [("Perum Bulog", 1_226_000), ("UMKM Bu Sari", 0)]

    before = counts()
    assert error(officer.post(f"{C}/suppliers", {"name": "umkm bu sari"})) == (422, "supplier_exists")
    assert error(officer.post(f"{C}/suppliers", {"name": "X", "kind": "rentenir"})) == (422, "invalid")
    assert error(officer.post(f"{C}/suppliers", {"name": ""})) == (422, "invalid")
    assert error(officer.post(f"{C}/suppliers", {"name": "X", "member_id": 10**20})) == (404, "not_found")
    assert error(api_as(kasir).post(f"{C}/suppliers", {"name": "Y"})) == (403, "forbidden")
    assert counts() == before


def test_supplier_of_another_cooperatives_member_is_404(
    coop: Any, lamaru_member: Any, bendahara: Any, api_as: Any
) -> None:
    before = counts()
    r = api_as(bendahara).post(f"{C}/suppliers", {"name": "UMKM", "kind": "umkm", "member_id": lamaru_member.pk})
    assert error(r) == (404, "not_found")
    assert counts() == before


def test_direct_purchase_paid_in_cash_from_a_new_supplier(
    coop: Any, rice: Any, lpg: Any, cash: Any, manajer: Any, api_as: Any
) -> None:
    key = {"Idempotency-Key": "beli-lpg-0303"}
    body = {
        "supplier": "Agen LPG Manggar",
        "date": "2026-03-03",
        "lines": [{"sku": "LPG3", "qty": 30, "unit_cost": 16_000}, {"sku": "SPHP5", "qty": 4, "unit_cost": 57_500}],
        "paid": "tunai",
        "reference": "KW-77",
        "note": "Dropping minggu pertama",
    }
    r = api_as(manajer).post(f"{C}/purchases", body, headers=key)
    assert r.status_code == 201, r.content
    receipt = GoodsReceipt.objects.get(cooperative=coop)
    agent = Supplier.objects.get(cooperative=coop, name="Agen LPG Manggar")
    assert agent.kind == "distributor"
    lines = receipt.lines.order_by("id")
    assert r.json() == {
        "id": receipt.pk,
        "receipt_no": "TB-000001",
        "supplier_id": agent.pk,
        "supplier_name": "Agen LPG Manggar",
        "order_id": None,
        "invoice_id": None,
        "location": "gerai",
        "date": "2026-03-03",
        "total": 710_000,
        "paid_on_receipt": True,
        "paid_channel": "tunai",
        "reference": "KW-77",
        "note": "Dropping minggu pertama",
        "entry_number": "JU-000002",
        "lines": [
            {
                "id": lines[0].pk,
                "order_line_id": None,
                "product_id": lpg.pk,
                "sku": "LPG3",
                "name": "LPG 3 kg",
                "qty": 30,
                "unit_cost": 16_000,
                "line_total": 480_000,
            },
            {
                "id": lines[1].pk,
                "order_line_id": None,
                "product_id": rice.pk,
                "sku": "SPHP5",
                "name": "Beras SPHP 5 kg",
                "qty": 4,
                "unit_cost": 57_500,
                "line_total": 230_000,
            },
        ],
    }
    assert (balance(coop, "cash"), balance(coop, "inventory"), balance(coop, "trade_payable")) == (
        500_000_000 - 710_000,
        710_000,
        0,
    )
    # The retry after a dropped connection: the same receipt, nothing booked twice.
    before = counts()
    again = api_as(manajer).post(f"{C}/purchases", body, headers=key)
    assert (again.status_code, again.json()) == (201, r.json())
    assert counts() == before
    # The same name in another case is the same supplier.
    body2 = {"supplier": "agen lpg MANGGAR", "date": "2026-03-04", "lines": [{"sku": "LPG3", "qty": 1, "unit_cost": 0}]}
    r = api_as(manajer).post(f"{C}/purchases", body2)
    assert (r.status_code, r.json()["supplier_id"], r.json()["total"], r.json()["entry_number"]) == (
        201,
        agent.pk,
        0,
        None,
    )


def test_direct_purchase_on_credit_by_supplier_id_and_listed(
    coop: Any, stocked: Any, supplier: Any, oil: Any, bendahara: Any, kasir: Any, api_as: Any
) -> None:
    body = {"supplier": supplier.pk, "date": "2026-03-05", "lines": [{"sku": "MK1", "qty": 12, "unit_cost": 14_300}]}
    r = api_as(bendahara).post(f"{C}/purchases", body)
    assert r.status_code == 201, r.content
    second = r.json()
    assert (second["receipt_no"], second["total"], second["paid_on_receipt"], second["paid_channel"]) == (
        "TB-000002",
        171_600,
        False,
        None,
    )
    assert balance(coop, "trade_payable") == -(1_226_000 + 171_600)
    oil.refresh_from_db()
    assert (oil.stock_qty, oil.stock_value) == (36, 336_000 + 171_600)

    reader = api_as(kasir)
    r = reader.get(f"{C}/purchases")
    assert [(p["receipt_no"], p["total"], len(p["lines"])) for p in r.json()["items"]] == [
        ("TB-000002", 171_600, 1),
        ("TB-000001", 1_226_000, 3),
    ]
    assert reader.get(f"{C}/purchases", date_from="2026-03-03").json()["count"] == 1
    assert reader.get(f"{C}/purchases", date_to="2026-03-02").json()["items"][0]["id"] == stocked.pk
    assert reader.get(f"{C}/purchases", supplier_id=supplier.pk).json()["count"] == 2
    assert reader.get(f"{C}/purchases/{stocked.pk}").json()["total"] == 1_226_000
    assert error(reader.get(f"{C}/purchases/999999")) == (404, "not_found")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"lines": [{"sku": "GAIB", "qty": 1, "unit_cost": 1_000}]}, 422, "product_unknown"),
        ({"lines": [{"sku": "LPG3", "qty": -1, "unit_cost": 1_000}]}, 422, "qty_not_positive"),
        ({"lines": [{"sku": "LPG3", "qty": 1.5, "unit_cost": 1_000}]}, 422, "invalid"),
        ({"lines": [{"sku": "LPG3", "qty": 1, "unit_cost": "1000"}]}, 422, "invalid"),
        ({"lines": [{"sku": "LPG3", "qty": 1, "unit_cost": -5}]}, 422, "amount_not_positive"),
        ({"lines": [{"sku": "LPG3", "qty": 10**8, "unit_cost": 1}]}, 422, "qty_too_large"),
        ({"lines": []}, 422, "invalid"),
        ({"paid": "cek"}, 422, "invalid"),
        ({"date": "2026-13-01"}, 422, "invalid"),
        ({"supplier": ""}, 422, "invalid"),
        ({"supplier": "Pemasok\u0000"}, 422, "invalid"),
        ({"supplier": 1.0}, 422, "invalid"),
        ({"location": "gudang-2"}, 404, "location_not_found"),
        ({"paid": "tunai"}, 409, "insufficient_funds"),  # no cash in the box
    ],
)
def test_purchase_refused_writes_nothing_not_even_the_new_supplier(
    coop: Any, lpg: Any, bendahara: Any, api_as: Any, body: dict[str, Any], status: int, code: str
) -> None:
    data = {
        "supplier": "Distributor Baru",
        "date": "2026-03-03",
        "lines": [{"sku": "LPG3", "qty": 10, "unit_cost": 16_000}],
        **body,
    }
    before = counts()
    r = api_as(bendahara).post(f"{C}/purchases", data)
    assert error(r) == (status, code)
    assert counts() == before
    assert not Supplier.objects.filter(name="Distributor Baru").exists()


def test_purchase_roles_and_tenants(
    coop: Any,
    stocked: Any,
    supplier: Any,
    other_coop: Any,
    kasir: Any,
    pengawas: Any,
    other_ketua: Any,
    lamaru_bendahara: Any,
    api_as: Any,
) -> None:
    body = {"supplier": supplier.pk, "date": "2026-03-05", "lines": [{"sku": "MK1", "qty": 1, "unit_cost": 14_000}]}
    before = counts()
    for user in (kasir, pengawas):
        assert error(api_as(user).post(f"{C}/purchases", body)) == (403, "forbidden")
    assert error(api_as(None).post(f"{C}/purchases", body)) == (401, "unauthenticated")
    assert error(api_as(other_ketua).post(f"{C}/purchases", body)) == (404, "not_found")
    # Lamaru's bendahara naming Manggar's supplier on Lamaru's URL.
    lamaru = api_as(lamaru_bendahara)
    assert error(lamaru.post("/coops/lamaru/purchases", body)) == (404, "supplier_not_found")
    assert error(lamaru.get(f"/coops/lamaru/purchases/{stocked.pk}")) == (404, "not_found")
    assert lamaru.get("/coops/lamaru/purchases").json() == {"items": [], "count": 0}
    assert error(lamaru.get(f"/coops/lamaru/suppliers/{supplier.pk}")) == (404, "supplier_not_found")
    assert lamaru.get("/coops/lamaru/suppliers").json() == {"items": [], "count": 0}
    assert counts() == before


def test_invoice_then_payment_with_idempotency(
    coop: Any, stocked: Any, supplier: Any, cash: Any, bendahara: Any, manajer: Any, kasir: Any, api_as: Any
) -> None:
    body = {"invoice_no": "BLG/III/0042", "date": "2026-03-03", "due_on": "2026-04-02", "receipt_ids": [stocked.pk]}
    r = api_as(manajer).post(f"{C}/suppliers/{supplier.pk}/invoices", body)
    assert r.status_code == 201, r.content
    invoice = SupplierInvoice.objects.get(cooperative=coop)
    assert r.json() == {
        "id": invoice.pk,
        "supplier_id": supplier.pk,
        "invoice_no": "BLG/III/0042",
        "date": "2026-03-03",
        "due_on": "2026-04-02",
        "amount": 1_226_000,
        "paid": 0,
        "outstanding": 1_226_000,
        "receipt_ids": [stocked.pk],
    }
    before = counts()
    assert error(api_as(manajer).post(f"{C}/suppliers/{supplier.pk}/invoices", body)) == (422, "invalid")  # invoiced
    assert counts() == before

    key = {"Idempotency-Key": "bayar-bulog-1"}
    pay = {"amount": 1_000_000, "date": "2026-03-20", "channel": "tunai", "invoice_id": invoice.pk}
    r = api_as(bendahara).post(f"{C}/suppliers/{supplier.pk}/payments", pay, headers=key)
    assert r.status_code == 201, r.content
    payment = SupplierPayment.objects.get(cooperative=coop)
    assert r.json() == {
        "id": payment.pk,
        "supplier_id": supplier.pk,
        "invoice_id": invoice.pk,
        "date": "2026-03-20",
        "amount": 1_000_000,
        "channel": "tunai",
        "reference": "",
        "entry_number": "JU-000003",
        "payable": 226_000,
    }
    before = counts()
    again = api_as(bendahara).post(f"{C}/suppliers/{supplier.pk}/payments", pay, headers=key)
    assert (again.status_code, again.json()) == (201, r.json())
    assert counts() == before
    assert (balance(coop, "cash"), balance(coop, "trade_payable")) == (499_000_000, -226_000)

    detail = api_as(kasir).get(f"{C}/suppliers/{supplier.pk}").json()
    assert (detail["payable"], detail["invoices"][0]["paid"], detail["invoices"][0]["outstanding"]) == (
        226_000,
        1_000_000,
        226_000,
    )

    # Refusals: more than owed, more than the invoice, transfer without reference, roles.
    cases = [
        ({"amount": 226_001, "date": "2026-03-21"}, (409, "amount_over_payable")),
        ({"amount": 226_000, "date": "2026-03-21", "invoice_id": invoice.pk, "channel": "transfer"}, (422, "invalid")),
        ({"amount": 226_000, "date": "2026-03-21", "invoice_id": 10**30}, (404, "not_found")),
        ({"amount": 1_000, "date": "2026-03-21", "invoice_id": 999_999}, (404, "invoice_not_found")),
        ({"amount": 0, "date": "2026-03-21"}, (422, "amount_not_positive")),
        ({"amount": 1_000.5, "date": "2026-03-21"}, (422, "invalid")),
        ({"amount": 1_000, "date": "2026-03-21", "channel": "giro"}, (422, "invalid")),
    ]
    before = counts()
    for data, expected in cases:
        assert error(api_as(bendahara).post(f"{C}/suppliers/{supplier.pk}/payments", data)) == expected, data
    for user in (manajer, kasir):
        r = api_as(user).post(f"{C}/suppliers/{supplier.pk}/payments", {"amount": 1_000, "date": "2026-03-21"})
        assert error(r) == (403, "forbidden")
    r = api_as(kasir).post(f"{C}/suppliers/{supplier.pk}/invoices", {**body, "invoice_no": "X"})
    assert error(r) == (403, "forbidden")
    assert counts() == before


def test_payment_and_invoice_tenants(
    coop: Any, stocked: Any, supplier: Any, other_coop: Any, other_ketua: Any, lamaru_bendahara: Any, api_as: Any
) -> None:
    before = counts()
    pay = {"amount": 1_000, "date": "2026-03-21"}
    invoice = {"invoice_no": "X-1", "date": "2026-03-03", "receipt_ids": [stocked.pk]}
    assert error(api_as(other_ketua).post(f"{C}/suppliers/{supplier.pk}/payments", pay)) == (404, "not_found")
    assert error(api_as(None).post(f"{C}/suppliers/{supplier.pk}/payments", pay)) == (401, "unauthenticated")
    lamaru = api_as(lamaru_bendahara)
    assert lamaru.post(f"/coops/lamaru/suppliers/{supplier.pk}/payments", pay).status_code == 404
    assert lamaru.post(f"/coops/lamaru/suppliers/{supplier.pk}/invoices", invoice).status_code == 404
    # Lamaru's own supplier with Manggar's receipt: the receipt is not found there.
    theirs = services.supplier_create(cooperative=other_coop, name="Bulog Lamaru", actor=lamaru_bendahara)
    before = counts()
    r = lamaru.post(f"/coops/lamaru/suppliers/{theirs.pk}/invoices", invoice)
    assert (r.status_code, r.json()["detail"]) == (422, {"receipts": ["Penerimaan barang tidak ditemukan."]})
    assert counts() == before


# --- Purchase orders --------------------------------------------------------------------------
def test_order_received_in_parts_then_cancelled(
    coop: Any, rice: Any, lpg: Any, supplier: Any, manajer: Any, kasir: Any, pengawas: Any, api_as: Any
) -> None:
    body = {
        "supplier": supplier.pk,
        "date": "2026-03-01",
        "expected_on": "2026-03-04",
        "location": "gudang",
        "lines": [{"sku": "SPHP5", "qty": 20, "unit_cost": 57_000}, {"sku": "LPG3", "qty": 50, "unit_cost": 16_000}],
    }
    r = api_as(manajer).post(f"{C}/purchase-orders", body)
    assert r.status_code == 201, r.content
    order = PurchaseOrder.objects.get(cooperative=coop)
    rice_line, lpg_line = order.lines.order_by("id")
    assert r.json() == {
        "id": order.pk,
        "order_no": "PO-000001",
        "supplier_id": supplier.pk,
        "supplier_name": "Perum Bulog",
        "date": "2026-03-01",
        "expected_on": "2026-03-04",
        "location": "gudang",
        "status": "ordered",
        "status_label": "Dipesan",
        "note": "",
        "total": 1_940_000,
        "lines": [
            {
                "line_id": rice_line.pk,
                "product_id": rice.pk,
                "sku": "SPHP5",
                "name": "Beras SPHP 5 kg",
                "qty_ordered": 20,
                "qty_received": 0,
                "qty_due": 20,
                "unit_cost": 57_000,
                "line_total": 1_140_000,
            },
            {
                "line_id": lpg_line.pk,
                "product_id": lpg.pk,
                "sku": "LPG3",
                "name": "LPG 3 kg",
                "qty_ordered": 50,
                "qty_received": 0,
                "qty_due": 50,
                "unit_cost": 16_000,
                "line_total": 800_000,
            },
        ],
        "receipt_ids": [],
    }
    assert JournalEntry.objects.count() == 0  # an order books nothing

    # The kasir receives part of it at the gudang.
    key = {"Idempotency-Key": "terima-po1-a"}
    receive = {
        "date": "2026-03-04",
        "lines": [{"line_id": rice_line.pk, "qty": 20}, {"line_id": lpg_line.pk, "qty": 30}],
    }
    r = api_as(kasir).post(f"{C}/purchase-orders/{order.pk}/receipts", receive, headers=key)
    assert r.status_code == 201, r.content
    receipt = r.json()
    assert (receipt["receipt_no"], receipt["order_id"], receipt["total"], receipt["location"]) == (
        "TB-000001",
        order.pk,
        1_620_000,
        "gudang",
    )
    assert [(ln["order_line_id"], ln["qty"]) for ln in receipt["lines"]] == [(rice_line.pk, 20), (lpg_line.pk, 30)]
    before = counts()
    again = api_as(kasir).post(f"{C}/purchase-orders/{order.pk}/receipts", receive, headers=key)
    assert (again.status_code, again.json()) == (201, receipt)
    assert counts() == before

    r = api_as(pengawas).get(f"{C}/purchase-orders/{order.pk}")
    assert (r.json()["status"], [ln["qty_due"] for ln in r.json()["lines"]], r.json()["receipt_ids"]) == (
        "partial",
        [0, 20],
        [receipt["id"]],
    )
    # More than still due, an unknown line, a line twice: 422, nothing written.
    for lines in (
        [{"line_id": lpg_line.pk, "qty": 21}],
        [{"line_id": rice_line.pk, "qty": 1}],
        [{"line_id": 10**30, "qty": 1}],
        [{"line_id": lpg_line.pk, "qty": 1}, {"line_id": lpg_line.pk, "qty": 1}],
        [],
    ):
        r = api_as(kasir).post(f"{C}/purchase-orders/{order.pk}/receipts", {"date": "2026-03-05", "lines": lines})
        assert r.status_code == 422, (lines, r.content)
    assert counts() == before

    assert error(api_as(manajer).post(f"{C}/purchase-orders/{order.pk}/cancel", {})) == (422, "invalid")
    r = api_as(manajer).post(f"{C}/purchase-orders/{order.pk}/cancel", {"reason": "Stok Bulog habis"})
    assert (r.status_code, r.json()["status"], r.json()["note"]) == (200, "cancelled", "Batal: Stok Bulog habis")
    before = counts()
    r = api_as(kasir).post(
        f"{C}/purchase-orders/{order.pk}/receipts",
        {"date": "2026-03-06", "lines": [{"line_id": lpg_line.pk, "qty": 1}]},
    )
    assert error(r) == (409, "order_closed")
    assert error(api_as(manajer).post(f"{C}/purchase-orders/{order.pk}/cancel", {"reason": "x"})) == (
        409,
        "order_closed",
    )
    assert counts() == before
    assert [o["order_no"] for o in api_as(kasir).get(f"{C}/purchase-orders", status="cancelled").json()["items"]] == [
        "PO-000001"
    ]
    assert api_as(kasir).get(f"{C}/purchase-orders", status="ordered").json()["count"] == 0
    assert error(api_as(kasir).get(f"{C}/purchase-orders", status="lunas")) == (422, "invalid")


def test_order_roles_and_tenants(
    coop: Any, rice: Any, supplier: Any, manajer: Any, kasir: Any, other_ketua: Any, lamaru_bendahara: Any, api_as: Any
) -> None:
    order = services.purchase_order_create(
        cooperative=coop,
        supplier=supplier,
        date=D(2026, 3, 1),
        lines=[services.PurchaseLineInput("SPHP5", 5, 57_000)],
        actor=manajer,
    )
    line = order.lines.get()
    body = {"supplier": supplier.pk, "date": "2026-03-01", "lines": [{"sku": "SPHP5", "qty": 1, "unit_cost": 1}]}
    receive = {"date": "2026-03-02", "lines": [{"line_id": line.pk, "qty": 1}]}
    before = counts()
    assert error(api_as(kasir).post(f"{C}/purchase-orders", body)) == (403, "forbidden")
    assert error(api_as(kasir).post(f"{C}/purchase-orders/{order.pk}/cancel", {"reason": "x"})) == (403, "forbidden")
    assert error(api_as(None).get(f"{C}/purchase-orders")) == (401, "unauthenticated")
    assert error(api_as(other_ketua).get(f"{C}/purchase-orders/{order.pk}")) == (404, "not_found")
    lamaru = api_as(lamaru_bendahara)
    assert error(lamaru.get(f"/coops/lamaru/purchase-orders/{order.pk}")) == (404, "order_not_found")
    assert error(lamaru.post(f"/coops/lamaru/purchase-orders/{order.pk}/receipts", receive)) == (404, "order_not_found")
    r = lamaru.post(f"/coops/lamaru/purchase-orders/{order.pk}/cancel", {"reason": "x"})
    assert error(r) == (404, "order_not_found")
    assert error(lamaru.post("/coops/lamaru/purchase-orders", body)) == (404, "supplier_not_found")
    assert counts() == before


# --- Stock --------------------------------------------------------------------------------------
def test_stock_transfer_count_and_moves(
    coop: Any, stocked: Any, rice: Any, lpg: Any, oil: Any, kasir: Any, bendahara: Any, api_as: Any
) -> None:
    reader = api_as(kasir)
    r = reader.get(f"{C}/stock")
    assert r.status_code == 200
    assert r.json() == {
        "items": [
            {
                "product_id": rice.pk,
                "sku": "SPHP5",
                "name": "Beras SPHP 5 kg",
                "unit": "karung",
                "qty": 10,
                "value": 570_000,
                "is_consignment": False,
                "locations": [{"code": "gerai", "qty": 10}],
            },
            {
                "product_id": lpg.pk,
                "sku": "LPG3",
                "name": "LPG 3 kg",
                "unit": "tabung",
                "qty": 20,
                "value": 320_000,
                "is_consignment": False,
                "locations": [{"code": "gerai", "qty": 20}],
            },
            {
                "product_id": oil.pk,
                "sku": "MK1",
                "name": "MinyaKita 1 L",
                "unit": "botol",
                "qty": 24,
                "value": 336_000,
                "is_consignment": False,
                "locations": [{"code": "gerai", "qty": 24}],
            },
        ],
        "count": 3,
        "total_value": 1_226_000,
    }

    # The kasir moves 8 LPG to the gudang; no journal entry (the value stays in inventory).
    entries = JournalEntry.objects.count()
    body = {"from": "gerai", "to": "gudang", "date": "2026-03-03", "lines": [{"sku": "LPG3", "qty": 8}]}
    r = reader.post(f"{C}/stock/transfers", body)
    assert r.status_code == 201, r.content
    transfer = StockTransfer.objects.get(cooperative=coop)
    assert r.json() == {
        "id": transfer.pk,
        "transfer_no": "MT-000001",
        "date": "2026-03-03",
        "from": "gerai",
        "to": "gudang",
        "note": "",
        "lines": [{"product_id": lpg.pk, "sku": "LPG3", "name": "LPG 3 kg", "qty": 8}],
    }
    assert JournalEntry.objects.count() == entries
    r = reader.get(f"{C}/stock", location="gudang")
    assert [(i["sku"], i["qty"], i["value"], i["locations"]) for i in r.json()["items"]] == [
        ("SPHP5", 0, 0, []),
        ("LPG3", 8, 128_000, [{"code": "gudang", "qty": 8}]),
        ("MK1", 0, 0, []),
    ]
    lpg_row = reader.get(f"{C}/stock").json()["items"][1]
    assert (lpg_row["qty"], lpg_row["locations"]) == (20, [{"code": "gerai", "qty": 12}, {"code": "gudang", "qty": 8}])

    # Short stock at the source: 409, nothing moved.
    before = counts()
    r = reader.post(
        f"{C}/stock/transfers", {**body, "lines": [{"sku": "LPG3", "qty": 9}], "from": "gudang", "to": "gerai"}
    )
    assert error(r) == (409, "insufficient_stock")
    assert r.json()["message"].startswith("Stok tidak cukup di Gudang")
    assert error(reader.post(f"{C}/stock/transfers", {**body, "to": "gerai"})) == (422, "invalid")
    assert error(reader.post(f"{C}/stock/transfers", {**body, "to": "pasar"})) == (404, "location_not_found")
    assert error(reader.post(f"{C}/stock/transfers", {**body, "to": ""})) == (422, "invalid")
    assert error(reader.get(f"{C}/stock", location="pasar")) == (404, "location_not_found")
    assert counts() == before

    # The bendahara counts the gerai: 11 LPG found of 12 → Rp16.000 short, posted.
    r = api_as(bendahara).post(
        f"{C}/stock/counts",
        {
            "location": "gerai",
            "date": "2026-03-04",
            "lines": [{"sku": "LPG3", "counted": 11}, {"sku": "MK1", "counted": 24}],
        },
    )
    assert r.status_code == 201, r.content
    count = StockCount.objects.get(cooperative=coop)
    assert r.json() == {
        "id": count.pk,
        "count_no": "SO-000001",
        "date": "2026-03-04",
        "location": "gerai",
        "note": "",
        "variance_value": -16_000,
        "entry_number": "JU-000002",
        "lines": [
            {
                "product_id": lpg.pk,
                "sku": "LPG3",
                "name": "LPG 3 kg",
                "system_qty": 12,
                "counted_qty": 11,
                "difference": -1,
                "variance_value": -16_000,
            },
            {
                "product_id": oil.pk,
                "sku": "MK1",
                "name": "MinyaKita 1 L",
                "system_qty": 24,
                "counted_qty": 24,
                "difference": 0,
                "variance_value": 0,
            },
        ],
    }
    assert balance(coop, "inventory") == 1_226_000 - 16_000
    before = counts()
    for lines in (
        [{"sku": "LPG3", "counted": -1}],
        [{"sku": "GAIB", "counted": 1}],
        [{"sku": "LPG3", "counted": 1}] * 2,
    ):
        r = api_as(bendahara).post(f"{C}/stock/counts", {"location": "gerai", "date": "2026-03-05", "lines": lines})
        assert r.status_code == 422, (lines, r.content)
    r = api_as(kasir).post(
        f"{C}/stock/counts", {"location": "gerai", "date": "2026-03-05", "lines": [{"sku": "LPG3", "counted": 1}]}
    )
    assert error(r) == (403, "forbidden")
    assert counts() == before

    r = reader.get(f"{C}/stock/moves", sku="LPG3")
    assert [(m["date"], m["kind"], m["location"], m["qty"], m["value"]) for m in r.json()["items"]] == [
        ("2026-03-02", "receipt", "gerai", 20, 320_000),
        ("2026-03-03", "transfer_out", "gerai", -8, -128_000),
        ("2026-03-03", "transfer_in", "gudang", 8, 128_000),
        ("2026-03-04", "count", "gerai", -1, -16_000),
    ]
    assert reader.get(f"{C}/stock/moves", sku="LPG3", location="gudang").json()["count"] == 1
    assert reader.get(f"{C}/stock/moves", date_from="2026-03-03", date_to="2026-03-03").json()["count"] == 2
    assert reader.get(f"{C}/stock/moves").json()["count"] == 3 + 2 + 1
    assert error(reader.get(f"{C}/stock/moves", sku="GAIB")) == (404, "product_not_found")


def test_stock_roles_and_tenants(
    coop: Any, stocked: Any, pengawas: Any, other_ketua: Any, lamaru_bendahara: Any, dinas_user: Any, api_as: Any
) -> None:
    body = {"from": "gerai", "to": "gudang", "date": "2026-03-03", "lines": [{"sku": "LPG3", "qty": 1}]}
    count = {"location": "gerai", "date": "2026-03-04", "lines": [{"sku": "LPG3", "counted": 1}]}
    before = counts()
    assert error(api_as(pengawas).post(f"{C}/stock/transfers", body)) == (403, "forbidden")
    assert error(api_as(pengawas).post(f"{C}/stock/counts", count)) == (403, "forbidden")
    assert api_as(pengawas).get(f"{C}/stock").status_code == 200
    assert error(api_as(dinas_user).get(f"{C}/stock")) == (403, "forbidden")
    for path in (f"{C}/stock", f"{C}/stock/moves"):
        assert error(api_as(None).get(path)) == (401, "unauthenticated")
        assert error(api_as(other_ketua).get(path)) == (404, "not_found")
    assert error(api_as(None).post(f"{C}/stock/transfers", body)) == (401, "unauthenticated")
    assert error(api_as(other_ketua).post(f"{C}/stock/counts", count)) == (404, "not_found")
    # Manggar's SKU means nothing in Lamaru.
    lamaru = api_as(lamaru_bendahara)
    assert error(lamaru.post("/coops/lamaru/stock/transfers", body)) == (422, "product_unknown")
    assert error(lamaru.post("/coops/lamaru/stock/counts", count)) == (422, "product_unknown")
    assert error(lamaru.get("/coops/lamaru/stock/moves", sku="LPG3")) == (404, "product_not_found")
    assert lamaru.get("/coops/lamaru/stock").json() == {"items": [], "count": 0, "total_value": 0}
    assert counts() == before


# --- Sales --------------------------------------------------------------------------------------
def test_member_sale_with_cash_and_change(
    coop: Any, stocked: Any, rice: Any, lpg: Any, oil: Any, active_member: Any, kasir: Any, api_as: Any
) -> None:
    cash_before, inventory_before = balance(coop, "cash"), balance(coop, "inventory")
    body = sale_body(member_id=active_member.pk, payment={"method": "tunai", "cash_received": 300_000})
    r = api_as(kasir).post(f"{C}/sales", body, headers={"Idempotency-Key": "kasir1-0001"})
    assert r.status_code == 201, r.content
    sale = Sale.objects.get(cooperative=coop)
    lines = list(sale.lines.order_by("id"))
    assert r.json() == {
        "id": sale.pk,
        "sale_no": "NT-000001",
        "date": "2026-03-10",
        "status": "completed",
        "location": "gerai",
        "session_id": None,
        "member_id": active_member.pk,
        "member_no": "00001",
        "buyer_name": "Budi Santoso",
        "is_member_sale": True,
        "payment_method": "tunai",
        "payment_reference": "",
        "total": 250_800,
        "cash_received": 300_000,
        "change": 49_200,
        "total_returned": 0,
        "cashier": kasir.username,
        "entry_number": sale.journal_entry.number,
        "lines": [
            {
                "line_id": lines[0].pk,
                "product_id": rice.pk,
                "sku": "SPHP5",
                "name": "Beras SPHP 5 kg",
                "qty": 2,
                "unit_price": 65_500,
                "line_total": 131_000,
                "qty_returned": 0,
            },
            {
                "line_id": lines[1].pk,
                "product_id": lpg.pk,
                "sku": "LPG3",
                "name": "LPG 3 kg",
                "qty": 3,
                "unit_price": 19_000,
                "line_total": 57_000,
                "qty_returned": 0,
            },
            {
                "line_id": lines[2].pk,
                "product_id": oil.pk,
                "sku": "MK1",
                "name": "MinyaKita 1 L",
                "qty": 4,
                "unit_price": 15_700,
                "line_total": 62_800,
                "qty_returned": 0,
            },
        ],
    }
    # Cost: 2 × 57.000 + 3 × 16.000 + 4 × 14.000 = 218.000 out of inventory; revenue to members' sales.
    assert balance(coop, "cash") - cash_before == 250_800
    assert balance(coop, "inventory") - inventory_before == -218_000
    assert (balance(coop, "sales_members"), balance(coop, "sales_non_members"), balance(coop, "cogs")) == (
        -250_800,
        0,
        218_000,
    )
    assert [(p.sku, p.stock_qty, p.stock_value) for p in Product.objects.order_by("id")] == [
        ("SPHP5", 8, 456_000),
        ("LPG3", 17, 272_000),
        ("MK1", 20, 280_000),
    ]


@pytest.mark.parametrize(
    ("buyer", "payment", "expected"),
    [
        ({}, "qris", ("qris", "", None, 0, False, None)),
        ({}, {"method": "qris", "reference": "QR-123"}, ("qris", "QR-123", None, 0, False, None)),
        ({}, {"method": "transfer", "reference": "TRF 9"}, ("transfer", "TRF 9", None, 0, False, None)),
        ({}, "cash", ("tunai", "", 250_800, 0, False, None)),
        ({}, " TUNAI ", ("tunai", "", 250_800, 0, False, None)),
        ({"member_no": 1}, "tunai", ("tunai", "", 250_800, 0, True, 1)),
        ({"member_no": "00001"}, "tunai", ("tunai", "", 250_800, 0, True, 1)),
        ({"card": " KOPERASI:manggar:00001\n"}, "tunai", ("tunai", "", 250_800, 0, True, 1)),
        (
            {"buyer_nik": "6471041505850001"},
            {"method": "tunai", "cash_received": 250_800},
            ("tunai", "", 250_800, 0, True, 1),
        ),
        ({"buyer_nik": NIK_WOMAN, "buyer_name": "Siti"}, "tunai", ("tunai", "", 250_800, 0, False, None)),
    ],
)
def test_sale_payment_methods_and_buyer_identification(
    coop: Any,
    stocked: Any,
    active_member: Any,
    kasir: Any,
    api_as: Any,
    buyer: dict[str, Any],
    payment: Any,
    expected: tuple[Any, ...],
) -> None:
    cash_before, bank_before = balance(coop, "cash"), balance(coop, "bank")
    r = api_as(kasir).post(f"{C}/sales", sale_body(payment=payment, **buyer))
    assert r.status_code == 201, r.content
    body = r.json()
    member_no = None if body["member_id"] is None else int(body["member_no"])
    assert (
        body["payment_method"],
        body["payment_reference"],
        body["cash_received"],
        body["change"],
        body["is_member_sale"],
        member_no,
    ) == expected
    assert body["total"] == 250_800
    revenue = "sales_members" if expected[4] else "sales_non_members"
    assert balance(coop, revenue) == -250_800
    if expected[0] == "tunai":
        assert (balance(coop, "cash") - cash_before, balance(coop, "bank") - bank_before) == (250_800, 0)
    else:
        assert (balance(coop, "cash") - cash_before, balance(coop, "bank") - bank_before) == (0, 250_800)


def test_sale_idempotency_key_returns_the_first_sale(
    coop: Any, stocked: Any, lpg: Any, active_member: Any, kasir: Any, api_as: Any
) -> None:
    client = api_as(kasir)
    body = sale_body(member_id=active_member.pk, lines=[{"sku": "LPG3", "qty": 2}])
    first = client.post(f"{C}/sales", body, headers={"Idempotency-Key": "till-1/000017"})
    assert first.status_code == 201, first.content
    entries = JournalEntry.objects.count()
    # The retry (even with a different body) answers with the first sale; nothing more is booked.
    retry = client.post(
        f"{C}/sales", {**body, "lines": [{"sku": "LPG3", "qty": 5}]}, headers={"Idempotency-Key": "till-1/000017"}
    )
    assert (retry.status_code, retry.json()) == (201, first.json())
    assert Sale.objects.count() == 1
    assert JournalEntry.objects.count() == entries
    lpg.refresh_from_db()
    assert lpg.stock_qty == 18  # reduced once
    # Another key is another sale.
    second = client.post(f"{C}/sales", body, headers={"Idempotency-Key": "till-1/000018"})
    assert second.status_code == 201
    assert second.json()["id"] != first.json()["id"]
    assert (second.json()["sale_no"], Sale.objects.count()) == ("NT-000002", 2)
    lpg.refresh_from_db()
    assert lpg.stock_qty == 16
    # Without a key each POST is a sale; an overlong or NUL key is refused.
    assert client.post(f"{C}/sales", body).status_code == 201
    before = counts()
    assert error(client.post(f"{C}/sales", body, headers={"Idempotency-Key": "k" * 81})) == (422, "invalid")
    assert counts() == before
    assert Sale.objects.count() == 3


def test_idempotency_keys_are_per_cooperative(
    coop: Any, stocked: Any, other_coop: Any, lamaru_bendahara: Any, kasir: Any, make_item: Any, api_as: Any
) -> None:
    from koperasi.shop.services import PurchaseLineInput, purchase_direct

    item = make_item(other_coop, sku="LPG3", name="LPG 3 kg", unit="tabung", price=19_000, het_commodity="lpg_3kg")
    bulog = services.supplier_create(cooperative=other_coop, name="Bulog", actor=lamaru_bendahara)
    purchase_direct(
        cooperative=other_coop,
        supplier=bulog,
        date=BOUGHT,
        lines=[PurchaseLineInput(item, 5, 16_000)],
        actor=lamaru_bendahara,
    )
    key = {"Idempotency-Key": "till-1/000001"}
    body = sale_body(lines=[{"sku": "LPG3", "qty": 1}])
    ours = api_as(kasir).post(f"{C}/sales", body, headers=key)
    theirs = api_as(lamaru_bendahara).post("/coops/lamaru/sales", body, headers=key)
    assert (ours.status_code, theirs.status_code) == (201, 201)
    assert ours.json()["id"] != theirs.json()["id"]
    assert (ours.json()["sale_no"], theirs.json()["sale_no"]) == ("NT-000001", "NT-000001")


def test_post_sale_costs_a_bounded_number_of_queries(
    coop: Any, stocked: Any, active_member: Any, kasir: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    client = api_as(kasir)
    client.post(f"{C}/sales", sale_body(lines=[{"sku": "LPG3", "qty": 1}]))  # warm: counters, levels exist
    body = sale_body(member_id=active_member.pk, payment={"method": "tunai", "cash_received": 300_000})
    # Measured: 36 (token and roles 4, the service 30 incl. "is any line a subsidised product?" and the
    # member's monthly purchase total, the answer 2); the pin guards against a per-line loop.
    with django_assert_max_num_queries(36):
        r = client.post(f"{C}/sales", body, headers={"Idempotency-Key": "q-1"})
    assert r.status_code == 201
    # The retry stops at the key: token and roles, the key, the answer.
    with django_assert_max_num_queries(7):
        assert client.post(f"{C}/sales", body, headers={"Idempotency-Key": "q-1"}).status_code == 201


def test_sale_refusals_are_clear_and_write_nothing(
    coop: Any, stocked: Any, active_member: Any, admin_user: Any, kasir: Any, api_as: Any
) -> None:
    client = api_as(kasir)
    before = counts()

    r = client.post(f"{C}/sales", sale_body(lines=[{"sku": "LPG3", "qty": 21}]))
    assert error(r) == (409, "insufficient_stock")
    assert r.json()["message"] == "Stok tidak cukup di Gerai sembako: LPG 3 kg (tersedia 20 tabung)."

    r = client.post(f"{C}/sales", sale_body(payment={"method": "tunai", "cash_received": 250_000}))
    assert error(r) == (409, "cash_short")
    assert r.json()["message"] == "Uang diterima Rp 250.000 kurang dari total Rp 250.800."

    r = client.post(f"{C}/sales", sale_body(lines=[{"sku": "GAIB-01", "qty": 1}, {"sku": "LPG3", "qty": 1}]))
    assert error(r) == (422, "product_unknown")
    assert r.json()["message"] == "Barang tidak dikenal: GAIB-01."

    # The LPG ceiling lowered from 9 March: the Rp19.000 price cannot be sold on the 10th.
    services.het_create(
        commodity="lpg_3kg", region_code="64.71.01", price=18_500, effective_from=D(2026, 3, 9), actor=admin_user
    )
    r = client.post(f"{C}/sales", sale_body())
    assert error(r) == (409, "price_above_het")
    assert "melebihi HET" in r.json()["message"]
    r = client.post(f"{C}/sales", sale_body(date="2026-03-08", lines=[{"sku": "LPG3", "qty": 1}]))
    assert r.status_code == 201  # before the new ceiling
    before = counts()

    cases: list[tuple[dict[str, Any], tuple[int, str]]] = [
        ({"lines": [{"sku": "LPG3", "qty": -1}]}, (422, "qty_not_positive")),
        ({"lines": [{"sku": "LPG3", "qty": 0}]}, (422, "qty_not_positive")),
        ({"lines": [{"sku": "LPG3", "qty": 1.0}]}, (422, "invalid")),
        ({"lines": [{"sku": "LPG3", "qty": "1"}]}, (422, "invalid")),
        ({"lines": [{"sku": "LPG3", "qty": 10**30}]}, (422, "qty_too_large")),
        ({"lines": [{"sku": "LPG3"}]}, (422, "invalid")),
        ({"lines": []}, (422, "invalid")),
        ({"lines": None}, (422, "invalid")),
        ({"payment": "bitcoin"}, (422, "invalid")),
        ({"payment": None}, (422, "invalid")),
        ({"payment": 1}, (422, "invalid")),
        ({"payment": {"method": "transfer"}}, (422, "invalid")),  # no reference
        ({"payment": {"method": "tunai", "cash_received": "300000"}}, (422, "invalid")),
        ({"payment": {"method": "tunai", "cash_received": -1}}, (422, "amount_not_positive")),
        ({"date": "2026-13-01"}, (422, "invalid")),
        ({"date": "10/03/2026"}, (422, "invalid")),
        ({"date": 1773100800}, (422, "invalid")),
        ({"date": "0001-01-01"}, (422, "invalid")),
        ({"member_id": 999_999}, (404, "member_not_found")),
        ({"member_id": 10**30}, (404, "not_found")),
        ({"member_id": "1"}, (422, "invalid")),
        ({"member_id": active_member.pk, "card": "KOPERASI:manggar:00001"}, (422, "invalid")),
        ({"member_no": 42}, (404, "not_found")),
        ({"member_no": "12a"}, (404, "member_not_found")),
        ({"card": "https://contoh.id"}, (422, "card_invalid")),
        ({"card": "KOPERASI:lamaru:00001"}, (404, "member_not_found")),
        ({"buyer_nik": "1234"}, (422, "nik_invalid")),
        ({"buyer_name": "Budi\u0000"}, (422, "invalid")),
        ({"location": "gudang-9"}, (404, "location_not_found")),
    ]
    for overrides, expected in cases:
        body = {**sale_body(date="2026-03-08", lines=[{"sku": "MK1", "qty": 1}]), **overrides}
        assert error(client.post(f"{C}/sales", body)) == expected, overrides
    assert error(client.post(f"{C}/sales", {"lines": [{"sku": "MK1", "qty": 1}], "payment": "tunai"})) == (
        422,
        "invalid",
    )
    assert counts() == before


def test_sale_to_another_cooperatives_member_is_404(
    coop: Any, stocked: Any, lamaru_member: Any, kasir: Any, api_as: Any
) -> None:
    before = counts()
    r = api_as(kasir).post(f"{C}/sales", sale_body(member_id=lamaru_member.pk))
    assert (r.status_code, r.json()["message"]) == (404, "Anggota tidak ditemukan di koperasi ini.")
    assert counts() == before


def test_sale_roles_and_tenants(
    coop: Any,
    stocked: Any,
    kasir: Any,
    ketua: Any,
    pengawas: Any,
    bendahara: Any,
    manajer: Any,
    other_ketua: Any,
    lamaru_bendahara: Any,
    dinas_user: Any,
    api_as: Any,
) -> None:
    sale = services.sale_create(cooperative=coop, date=SOLD, lines=[services.SaleLineInput("LPG3", 1)], actor=kasir)
    body = sale_body(lines=[{"sku": "LPG3", "qty": 1}])
    before = counts()
    for user in (ketua, pengawas):
        assert error(api_as(user).post(f"{C}/sales", body)) == (403, "forbidden")
    assert error(api_as(dinas_user).get(f"{C}/sales")) == (403, "forbidden")
    assert error(api_as(None).post(f"{C}/sales", body)) == (401, "unauthenticated")
    assert error(api_as(None).get(f"{C}/sales/{sale.pk}")) == (401, "unauthenticated")
    assert error(api_as(other_ketua).post(f"{C}/sales", body)) == (404, "not_found")
    assert error(api_as(other_ketua).get(f"{C}/sales/{sale.pk}")) == (404, "not_found")
    lamaru = api_as(lamaru_bendahara)
    assert error(lamaru.get(f"/coops/lamaru/sales/{sale.pk}")) == (404, "sale_not_found")
    assert error(lamaru.post("/coops/lamaru/sales", body)) == (422, "product_unknown")
    assert lamaru.get("/coops/lamaru/sales").json() == {"items": [], "count": 0}
    assert counts() == before
    for user in (bendahara, manajer):
        assert api_as(user).post(f"{C}/sales", body).status_code == 201
    assert api_as(pengawas).get(f"{C}/sales/{sale.pk}").json()["sale_no"] == "NT-000001"


def test_sales_list_filters(
    coop: Any, stocked: Any, active_member: Any, kasir: Any, pengawas: Any, api_as: Any
) -> None:
    def sell(day: datetime.date, member: Any = None) -> Sale:
        return services.sale_create(
            cooperative=coop, date=day, lines=[services.SaleLineInput("LPG3", 1)], member=member, actor=kasir
        )

    a, b, c = sell(D(2026, 3, 9)), sell(D(2026, 3, 10), active_member), sell(D(2026, 3, 11), active_member)
    reader = api_as(pengawas)
    ids = lambda **q: [s["id"] for s in reader.get(f"{C}/sales", **q).json()["items"]]  # noqa: E731
    assert ids() == [c.pk, b.pk, a.pk]
    assert ids(date_from="2026-03-10") == [c.pk, b.pk]
    assert ids(date_to="2026-03-10") == [b.pk, a.pk]
    assert ids(date_from="2026-03-10", date_to="2026-03-10") == [b.pk]
    assert ids(member_id=active_member.pk) == [c.pk, b.pk]
    assert ids(limit=1, offset=1) == [b.pk]
    assert reader.get(f"{C}/sales", limit=1).json()["count"] == 3
    assert error(reader.get(f"{C}/sales", member_id=10**30)) == (422, "invalid")
    assert error(reader.get(f"{C}/sales", date_from="2026-02-30")) == (422, "invalid")
    assert error(reader.get(f"{C}/sales", limit=0)) == (422, "invalid")


def test_sales_list_costs_a_fixed_number_of_queries(
    coop: Any, stocked: Any, active_member: Any, kasir: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    for _ in range(6):
        services.sale_create(
            cooperative=coop,
            date=SOLD,
            lines=[services.SaleLineInput("LPG3", 1), services.SaleLineInput("MK1", 1)],
            member=active_member,
            actor=kasir,
        )
    client = api_as(kasir)
    with django_assert_max_num_queries(9):
        assert client.get(f"{C}/sales").json()["count"] == 6
    with django_assert_max_num_queries(9):
        assert client.get(f"{C}/products").json()["count"] == 3
    with django_assert_max_num_queries(9):
        assert client.get(f"{C}/stock").json()["count"] == 3
    with django_assert_max_num_queries(9):
        assert client.get(f"{C}/purchases").json()["count"] == 1


# --- Returns ------------------------------------------------------------------------------------
@pytest.fixture
def sold(coop: Any, stocked: Any, active_member: Any, kasir: Any) -> Sale:
    """Budi's cash purchase of 10 March: 2 rice, 3 LPG, 4 oil = Rp250.800 (cost Rp218.000)."""
    return services.sale_create(
        cooperative=coop,
        date=SOLD,
        lines=[services.SaleLineInput("SPHP5", 2), services.SaleLineInput("LPG3", 3), services.SaleLineInput("MK1", 4)],
        member=active_member,
        actor=kasir,
    )


def test_return_requested_then_approved(
    coop: Any, sold: Any, cash: Any, lpg: Any, kasir: Any, bendahara: Any, pengawas: Any, api_as: Any
) -> None:
    lpg_line = sold.lines.get(product=lpg)
    body = {
        "kind": "return",
        "reason": "Tabung bocor",
        "date": "2026-03-11",
        "lines": [{"line_id": lpg_line.pk, "qty": 1}],
    }
    r = api_as(kasir).post(f"{C}/sales/{sold.pk}/returns", body)
    assert r.status_code == 201, r.content
    request = SaleReturn.objects.get(cooperative=coop)
    assert {k: v for k, v in r.json().items() if k != "decided_at"} == {
        "id": request.pk,
        "sale_id": sold.pk,
        "sale_no": "NT-000001",
        "kind": "return",
        "status": "pending",
        "date": "2026-03-11",
        "reason": "Tabung bocor",
        "amount": 19_000,
        "requested_by": kasir.username,
        "decided_by": None,
        "decision_note": "",
        "entry_number": None,
        "lines": [{"line_id": lpg_line.pk, "product_id": lpg.pk, "sku": "LPG3", "qty": 1, "amount": 19_000}],
    }
    before = counts()
    assert error(api_as(kasir).post(f"{C}/returns/{request.pk}/approve", {})) == (403, "forbidden")
    assert error(api_as(pengawas).post(f"{C}/returns/{request.pk}/approve", {})) == (403, "forbidden")
    assert error(api_as(kasir).post(f"{C}/sales/{sold.pk}/returns", body)) == (409, "return_pending")
    assert counts() == before

    cash_before = balance(coop, "cash")
    r = api_as(bendahara).post(f"{C}/returns/{request.pk}/approve", {"note": "Diganti tabung baru"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["decided_by"], r.json()["decision_note"]) == (
        "approved",
        bendahara.username,
        "Diganti tabung baru",
    )
    assert r.json()["entry_number"] is not None
    assert balance(coop, "cash") == cash_before - 19_000
    lpg.refresh_from_db()
    assert (lpg.stock_qty, lpg.stock_value) == (18, 288_000)
    detail = api_as(pengawas).get(f"{C}/sales/{sold.pk}").json()
    assert (detail["total_returned"], detail["status"], detail["lines"][1]["qty_returned"]) == (19_000, "completed", 1)
    assert error(api_as(bendahara).post(f"{C}/returns/{request.pk}/reject", {"note": "x"})) == (409, "return_decided")
    assert [x["status"] for x in api_as(pengawas).get(f"{C}/returns", status="approved").json()["items"]] == [
        "approved"
    ]
    assert api_as(pengawas).get(f"{C}/returns", status="pending").json()["count"] == 0
    assert error(api_as(pengawas).get(f"{C}/returns", status="selesai")) == (422, "invalid")


def test_void_rejected_needs_a_note_and_never_by_the_requester(
    coop: Any, sold: Any, bendahara: Any, manajer: Any, api_as: Any
) -> None:
    r = api_as(bendahara).post(
        f"{C}/sales/{sold.pk}/returns", {"kind": "void", "reason": "Salah input", "date": "2026-03-10"}
    )
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], len(r.json()["lines"])) == (250_800, 3)
    request_id = r.json()["id"]
    before = counts()
    assert error(api_as(bendahara).post(f"{C}/returns/{request_id}/approve", {})) == (403, "forbidden")
    assert error(api_as(manajer).post(f"{C}/returns/{request_id}/reject", {})) == (422, "invalid")
    assert counts() == before
    r = api_as(manajer).post(f"{C}/returns/{request_id}/reject", {"note": "Nota sudah dibayar"})
    assert (r.status_code, r.json()["status"], r.json()["decision_note"]) == (200, "rejected", "Nota sudah dibayar")


def test_return_refusals_and_tenants(
    coop: Any, sold: Any, kasir: Any, pengawas: Any, other_ketua: Any, lamaru_bendahara: Any, api_as: Any
) -> None:
    line = sold.lines.order_by("id").first()
    ok = {"kind": "return", "reason": "Rusak", "date": "2026-03-11", "lines": [{"line_id": line.pk, "qty": 1}]}
    before = counts()
    cases: list[tuple[dict[str, Any], tuple[int, str]]] = [
        ({"kind": "tukar"}, (422, "invalid")),
        ({"reason": ""}, (422, "invalid")),
        ({"reason": "a\u0000"}, (422, "invalid")),
        ({"date": "2026-03-09"}, (422, "invalid")),  # before the sale
        ({"date": "2026-02-30"}, (422, "invalid")),
        ({"lines": [{"line_id": line.pk, "qty": 3}]}, (422, "invalid")),
        ({"lines": [{"line_id": line.pk, "qty": -1}]}, (422, "qty_not_positive")),
        ({"lines": [{"line_id": line.pk, "qty": 1.5}]}, (422, "invalid")),
        ({"lines": [{"line_id": 999_999, "qty": 1}]}, (422, "invalid")),
        ({"lines": [{"line_id": line.pk, "qty": 1}, {"line_id": line.pk, "qty": 1}]}, (422, "invalid")),
        ({"lines": []}, (422, "invalid")),
    ]
    for overrides, expected in cases:
        assert error(api_as(kasir).post(f"{C}/sales/{sold.pk}/returns", {**ok, **overrides})) == expected, overrides
    assert error(api_as(pengawas).post(f"{C}/sales/{sold.pk}/returns", ok)) == (403, "forbidden")
    assert error(api_as(None).post(f"{C}/sales/{sold.pk}/returns", ok)) == (401, "unauthenticated")
    assert error(api_as(other_ketua).post(f"{C}/sales/{sold.pk}/returns", ok)) == (404, "not_found")
    lamaru = api_as(lamaru_bendahara)
    assert error(lamaru.post(f"/coops/lamaru/sales/{sold.pk}/returns", ok)) == (404, "sale_not_found")
    assert error(api_as(kasir).post(f"{C}/sales/999999/returns", ok)) == (404, "sale_not_found")
    assert counts() == before
    request = services.sale_return_request(
        cooperative=coop, sale=sold, kind="return", reason="Rusak", date=SOLD, quantities={line.pk: 1}, actor=kasir
    )
    before = counts()
    assert error(lamaru.post(f"/coops/lamaru/returns/{request.pk}/approve", {})) == (404, "return_not_found")
    assert error(lamaru.post(f"/coops/lamaru/returns/{request.pk}/reject", {"note": "x"})) == (404, "return_not_found")
    assert error(api_as(other_ketua).post(f"{C}/returns/{request.pk}/approve", {})) == (404, "not_found")
    assert lamaru.get("/coops/lamaru/returns").json() == {"items": [], "count": 0}
    assert counts() == before


# --- Cashier sessions ---------------------------------------------------------------------------
def test_cashier_session_open_sell_close_with_variance(
    coop: Any, stocked: Any, kasir: Any, pengawas: Any, bendahara: Any, api_as: Any
) -> None:
    till = api_as(kasir)
    r = till.post(f"{C}/cashier-sessions", {"opening_float": 100_000})
    assert r.status_code == 201, r.content
    session = CashierSession.objects.get(cooperative=coop)
    assert {k: v for k, v in r.json().items() if k != "opened_at"} == {
        "id": session.pk,
        "session_no": "SK-000001",
        "cashier": kasir.username,
        "location": "gerai",
        "status": "open",
        "opening_float": 100_000,
        "closed_at": None,
        "expected_cash": 100_000,
        "counted_cash": None,
        "variance": None,
        "note": "",
        "entry_number": None,
    }
    before = counts()
    assert error(till.post(f"{C}/cashier-sessions", {"opening_float": 0})) == (409, "session_open")
    assert error(till.post(f"{C}/cashier-sessions", {"opening_float": -1})) == (422, "amount_not_positive")
    assert error(till.post(f"{C}/cashier-sessions", {"opening_float": 1.5})) == (422, "invalid")
    assert error(api_as(pengawas).post(f"{C}/cashier-sessions", {"opening_float": 0})) == (403, "forbidden")
    assert counts() == before

    # Two sales into the session: one cash (Rp19.000), one QRIS (not in the drawer).
    sale = till.post(f"{C}/sales", sale_body(lines=[{"sku": "LPG3", "qty": 1}])).json()
    assert sale["session_id"] == session.pk
    till.post(f"{C}/sales", sale_body(lines=[{"sku": "MK1", "qty": 1}], payment="qris"))
    assert api_as(pengawas).get(f"{C}/cashier-sessions/{session.pk}").json()["expected_cash"] == 119_000
    assert api_as(pengawas).get(f"{C}/cashier-sessions", status="open").json()["count"] == 1

    before = counts()
    assert error(api_as(pengawas).post(f"{C}/cashier-sessions/{session.pk}/close", {"counted_cash": 1})) == (
        403,
        "forbidden",
    )
    assert counts() == before
    r = till.post(f"{C}/cashier-sessions/{session.pk}/close", {"counted_cash": 118_000, "note": "Kurang seribu"})
    assert r.status_code == 200, r.content
    closed = r.json()
    assert (closed["status"], closed["expected_cash"], closed["counted_cash"], closed["variance"], closed["note"]) == (
        "closed",
        119_000,
        118_000,
        -1_000,
        "Kurang seribu",
    )
    assert closed["entry_number"] is not None
    before = counts()
    assert error(till.post(f"{C}/cashier-sessions/{session.pk}/close", {"counted_cash": 1})) == (409, "session_closed")
    assert counts() == before
    assert [s["status"] for s in api_as(bendahara).get(f"{C}/cashier-sessions").json()["items"]] == ["closed"]
    assert error(api_as(bendahara).get(f"{C}/cashier-sessions", status="x")) == (422, "invalid")


def test_a_treasurer_closes_a_cashiers_session_and_tenants(
    coop: Any, kasir: Any, bendahara: Any, other_ketua: Any, lamaru_bendahara: Any, api_as: Any
) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=50_000, actor=kasir)
    before = counts()
    lamaru = api_as(lamaru_bendahara)
    assert error(lamaru.get(f"/coops/lamaru/cashier-sessions/{session.pk}")) == (404, "session_not_found")
    r = lamaru.post(f"/coops/lamaru/cashier-sessions/{session.pk}/close", {"counted_cash": 50_000})
    assert error(r) == (404, "session_not_found")
    assert error(api_as(other_ketua).get(f"{C}/cashier-sessions")) == (404, "not_found")
    assert error(api_as(None).get(f"{C}/cashier-sessions")) == (401, "unauthenticated")
    assert error(api_as(None).post(f"{C}/cashier-sessions", {"opening_float": 0})) == (401, "unauthenticated")
    assert lamaru.get("/coops/lamaru/cashier-sessions").json() == {"items": [], "count": 0}
    assert counts() == before
    r = api_as(bendahara).post(f"{C}/cashier-sessions/{session.pk}/close", {"counted_cash": 50_000})
    assert (r.status_code, r.json()["variance"], r.json()["entry_number"]) == (200, 0, None)


# --- Consignment --------------------------------------------------------------------------------
def test_consignment_received_sold_and_settled(
    coop: Any, active_member: Any, cash: Any, bendahara: Any, kasir: Any, pengawas: Any, api_as: Any
) -> None:
    officer = api_as(bendahara)
    sari = officer.post(
        f"{C}/suppliers", {"name": "UMKM Bu Sari", "kind": "umkm", "member_id": active_member.pk}
    ).json()
    product = officer.post(
        f"{C}/products",
        {
            "sku": "KRP-SARI",
            "name": "Keripik pisang Bu Sari",
            "price": 12_000,
            "consignor_id": sari["id"],
            "commission_percent": "12.5",
        },
    ).json()
    assert (product["is_consignment"], product["consignor_id"], product["commission_percent"]) == (
        True,
        sari["id"],
        "12.5",
    )
    r = api_as(kasir).post(f"{C}/consignment/receipts", {"sku": "KRP-SARI", "qty": 10, "date": "2026-03-05"})
    assert r.status_code == 201, r.content
    move = StockMove.objects.get(kind="consignment_in")
    assert r.json() == {
        "id": move.pk,
        "product_id": product["id"],
        "sku": "KRP-SARI",
        "consignor_id": sari["id"],
        "location": "gerai",
        "date": "2026-03-05",
        "kind": "consignment_in",
        "qty": 10,
        "stock_qty": 10,
    }
    r = api_as(kasir).post(
        f"{C}/consignment/receipts", {"sku": "KRP-SARI", "qty": 2, "date": "2026-03-06", "withdraw": True}
    )
    assert (r.status_code, r.json()["qty"], r.json()["kind"], r.json()["stock_qty"]) == (201, -2, "consignment_out", 8)

    # Four sold: Rp48.000; the cooperative keeps 12,5 % = Rp6.000 and owes Bu Sari Rp42.000.
    r = api_as(kasir).post(f"{C}/sales", sale_body(lines=[{"sku": "KRP-SARI", "qty": 4}]))
    assert (r.status_code, r.json()["total"]) == (201, 48_000)
    detail = api_as(pengawas).get(f"{C}/suppliers/{sari['id']}").json()
    assert (detail["payable"], detail["consignment_payable"]) == (0, 42_000)
    assert balance(coop, "consignment_payable") == -42_000

    before = counts()
    for body, expected in (
        ({"amount": 42_001, "date": "2026-03-31"}, (409, "amount_over_payable")),
        ({"amount": 0, "date": "2026-03-31"}, (422, "amount_not_positive")),
        ({"amount": 1_000, "date": "2026-03-31", "channel": "cek"}, (422, "invalid")),
    ):
        assert error(officer.post(f"{C}/suppliers/{sari['id']}/consignment-settlements", body)) == expected
    r = api_as(kasir).post(f"{C}/suppliers/{sari['id']}/consignment-settlements", {"amount": 1, "date": "2026-03-31"})
    assert error(r) == (403, "forbidden")
    r = api_as(kasir).post(
        f"{C}/consignment/receipts", {"sku": "KRP-SARI", "qty": 5, "date": "2026-03-31", "withdraw": True}
    )
    assert error(r) == (409, "insufficient_stock")
    for bad in ({"sku": "LPG-X", "qty": 1}, {"sku": "KRP-SARI", "qty": 0}, {"sku": "KRP-SARI", "qty": 1.0}):
        r = api_as(kasir).post(f"{C}/consignment/receipts", {"date": "2026-03-31", **bad})
        assert r.status_code == 422, bad
    assert error(
        api_as(pengawas).post(f"{C}/consignment/receipts", {"sku": "KRP-SARI", "qty": 1, "date": "2026-03-31"})
    ) == (
        403,
        "forbidden",
    )
    assert counts() == before

    r = officer.post(
        f"{C}/suppliers/{sari['id']}/consignment-settlements",
        {"amount": 42_000, "date": "2026-03-31", "channel": "tunai", "reference": "Kuitansi 12"},
    )
    assert r.status_code == 201, r.content
    settlement = ConsignmentSettlement.objects.get()
    assert r.json() == {
        "id": settlement.pk,
        "consignor_id": sari["id"],
        "date": "2026-03-31",
        "amount": 42_000,
        "channel": "tunai",
        "reference": "Kuitansi 12",
        "entry_number": settlement.journal_entry.number,
        "consignment_payable": 0,
    }
    assert balance(coop, "consignment_payable") == 0


def test_consignment_tenants(
    coop: Any, rice: Any, supplier: Any, other_ketua: Any, lamaru_bendahara: Any, kasir: Any, api_as: Any
) -> None:
    before = counts()
    body = {"sku": "SPHP5", "qty": 1, "date": "2026-03-05"}
    assert error(api_as(kasir).post(f"{C}/consignment/receipts", body)) == (422, "invalid")  # not consignment
    assert error(api_as(other_ketua).post(f"{C}/consignment/receipts", body)) == (404, "not_found")
    assert error(api_as(None).post(f"{C}/consignment/receipts", body)) == (401, "unauthenticated")
    lamaru = api_as(lamaru_bendahara)
    assert error(lamaru.post("/coops/lamaru/consignment/receipts", body)) == (422, "product_unknown")
    settle = {"amount": 1_000, "date": "2026-03-31"}
    r = lamaru.post(f"/coops/lamaru/suppliers/{supplier.pk}/consignment-settlements", settle)
    assert error(r) == (404, "supplier_not_found")
    assert counts() == before


def test_one_user_with_many_roles_in_one_cooperative_only(
    coop: Any, stocked: Any, bendahara: Any, other_coop: Any, api_as: Any
) -> None:
    # A Manggar officer who is also Lamaru's kasir sees each cooperative's data only on its URL.
    CooperativeRole.objects.create(cooperative=other_coop, user=bendahara, role=Role.KASIR)
    client = api_as(bendahara)
    assert client.get(f"{C}/stock").json()["count"] == 3
    assert client.get("/coops/lamaru/stock").json()["count"] == 0
    assert error(client.get(f"/coops/lamaru/purchases/{stocked.pk}")) == (404, "not_found")
    assert error(client.post("/coops/lamaru/products", {"sku": "X", "name": "X", "price": 1})) == (403, "forbidden")


def test_every_shop_path_is_in_the_openapi_schema(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    base = "/api/v1/coops/{coop}"
    expected = {
        "/products": {"get", "post"},
        "/products/{product_id}": {"get", "patch"},
        "/products/{product_id}/prices": {"get", "post"},
        "/het": {"get"},
        "/suppliers": {"get", "post"},
        "/suppliers/{supplier_id}": {"get"},
        "/suppliers/{supplier_id}/payments": {"post"},
        "/suppliers/{supplier_id}/invoices": {"post"},
        "/suppliers/{supplier_id}/consignment-settlements": {"post"},
        "/purchases": {"get", "post"},
        "/purchases/{receipt_id}": {"get"},
        "/purchase-orders": {"get", "post"},
        "/purchase-orders/{order_id}": {"get"},
        "/purchase-orders/{order_id}/receipts": {"post"},
        "/purchase-orders/{order_id}/cancel": {"post"},
        "/stock": {"get"},
        "/stock/transfers": {"post"},
        "/stock/counts": {"post"},
        "/stock/moves": {"get"},
        "/consignment/receipts": {"post"},
        "/cashier-sessions": {"get", "post"},
        "/cashier-sessions/{session_id}": {"get"},
        "/cashier-sessions/{session_id}/close": {"post"},
        "/sales": {"get", "post"},
        "/sales/{sale_id}": {"get"},
        "/sales/{sale_id}/returns": {"post"},
        "/returns": {"get"},
        "/returns/{return_id}/approve": {"post"},
        "/returns/{return_id}/reject": {"post"},
    }
    for path, methods in expected.items():
        assert set(paths[base + path]) >= methods, path
    transfer = paths[base + "/stock/transfers"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert transfer["$ref"].endswith("/TransferIn")


# --- Every endpoint: 401 without a token, 403 for a role without the permission, 404 elsewhere ----
SALE = {"date": "2026-03-10", "lines": [{"sku": "LPG3", "qty": 1}], "payment": "tunai"}
ENDPOINTS: list[tuple[str, str, Any, str]] = [
    # (method, path under /coops/{coop}, body, a role that may not call it)
    ("get", "/products", None, Role.ANGGOTA),
    ("post", "/products", {"sku": "BARU", "name": "Baru", "price": 1_000}, Role.KASIR),
    ("get", "/products/{product}", None, Role.ANGGOTA),
    ("patch", "/products/{product}", {"name": "LPG"}, Role.PENGAWAS),
    ("get", "/products/{product}/prices", None, Role.ANGGOTA),
    ("post", "/products/{product}/prices", {"price": 19_000, "effective_from": "2026-03-05"}, Role.KASIR),
    ("get", "/het", None, Role.ANGGOTA),
    ("get", "/suppliers", None, Role.ANGGOTA),
    ("post", "/suppliers", {"name": "Baru"}, Role.KASIR),
    ("get", "/suppliers/{supplier}", None, Role.ANGGOTA),
    ("post", "/suppliers/{supplier}/payments", {"amount": 1_000, "date": "2026-03-20"}, Role.MANAJER),
    (
        "post",
        "/suppliers/{supplier}/invoices",
        {"invoice_no": "F-1", "date": "2026-03-03", "receipt_ids": ["{receipt}"]},
        Role.KASIR,
    ),
    ("post", "/suppliers/{supplier}/consignment-settlements", {"amount": 1, "date": "2026-03-31"}, Role.MANAJER),
    ("get", "/purchases", None, Role.ANGGOTA),
    (
        "post",
        "/purchases",
        {"supplier": "{supplier}", "date": "2026-03-05", "lines": [{"sku": "LPG3", "qty": 1, "unit_cost": 1}]},
        Role.KASIR,
    ),
    ("get", "/purchases/{receipt}", None, Role.ANGGOTA),
    ("get", "/purchase-orders", None, Role.ANGGOTA),
    (
        "post",
        "/purchase-orders",
        {"supplier": "{supplier}", "date": "2026-03-05", "lines": [{"sku": "LPG3", "qty": 1, "unit_cost": 1}]},
        Role.KASIR,
    ),
    ("get", "/purchase-orders/{order}", None, Role.ANGGOTA),
    (
        "post",
        "/purchase-orders/{order}/receipts",
        {"date": "2026-03-11", "lines": [{"line_id": "{line}", "qty": 1}]},
        Role.PENGAWAS,
    ),
    ("post", "/purchase-orders/{order}/cancel", {"reason": "Batal"}, Role.KASIR),
    ("get", "/stock", None, Role.ANGGOTA),
    (
        "post",
        "/stock/transfers",
        {"from": "gerai", "to": "gudang", "date": "2026-03-11", "lines": [{"sku": "LPG3", "qty": 1}]},
        Role.PENGAWAS,
    ),
    (
        "post",
        "/stock/counts",
        {"location": "gerai", "date": "2026-03-11", "lines": [{"sku": "LPG3", "counted": 1}]},
        Role.KASIR,
    ),
    ("get", "/stock/moves", None, Role.ANGGOTA),
    ("post", "/consignment/receipts", {"sku": "LPG3", "qty": 1, "date": "2026-03-11"}, Role.PENGAWAS),
    ("get", "/cashier-sessions", None, Role.ANGGOTA),
    ("post", "/cashier-sessions", {"opening_float": 0}, Role.PENGAWAS),
    ("get", "/cashier-sessions/{session}", None, Role.ANGGOTA),
    ("post", "/cashier-sessions/{session}/close", {"counted_cash": 0}, Role.PENGAWAS),
    ("get", "/sales", None, Role.ANGGOTA),
    ("post", "/sales", SALE, Role.KETUA),
    ("get", "/sales/{sale}", None, Role.ANGGOTA),
    ("post", "/sales/{sale}/returns", {"kind": "void", "reason": "Salah", "date": "2026-03-11"}, Role.PENGAWAS),
    ("get", "/returns", None, Role.ANGGOTA),
    ("post", "/returns/{return}/approve", {}, Role.KASIR),
    ("post", "/returns/{return}/reject", {"note": "Tidak"}, Role.KASIR),
]


@pytest.fixture
def everything(coop: Any, stocked: Any, supplier: Any, lpg: Any, kasir: Any, bendahara: Any) -> dict[str, Any]:
    """One of each object in Manggar: a receipt, an order, the kasir's open session, a sale, a pending void."""
    order = services.purchase_order_create(
        cooperative=coop,
        supplier=supplier,
        date=SOLD,
        lines=[services.PurchaseLineInput("LPG3", 5, 16_000)],
        actor=bendahara,
    )
    session = services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    sale = services.sale_create(cooperative=coop, date=SOLD, lines=[services.SaleLineInput("LPG3", 2)], actor=kasir)
    request = services.sale_return_request(
        cooperative=coop,
        sale=sale,
        kind="return",
        reason="Bocor",
        date=SOLD,
        quantities={sale.lines.get().pk: 1},
        actor=kasir,
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


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    """Replace the placeholders ("{sale}", ...) anywhere in a body by Manggar's ids."""
    if isinstance(value, str):
        return ids.get(value, value)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


def _call(client: Any, method: str, coop_code: str, path: str, body: Any, ids: dict[str, Any]) -> Any:
    for placeholder, value in ids.items():
        path = path.replace(placeholder, str(value))
    url = f"/coops/{coop_code}{path}"
    return client.get(url) if method == "get" else getattr(client, method)(url, _fill(body, ids))


@pytest.mark.parametrize(("method", "path", "body", "role"), ENDPOINTS)
def test_every_endpoint_refuses_strangers_and_roles_without_permission(
    coop: Any,
    everything: dict[str, Any],
    other_ketua: Any,
    dinas_user: Any,
    grant: Any,
    api_as: Any,
    method: str,
    path: str,
    body: Any,
    role: str,
) -> None:
    before = counts()
    assert error(_call(api_as(None), method, "manggar", path, body, everything)) == (401, "unauthenticated")
    assert error(_call(api_as(other_ketua), method, "manggar", path, body, everything)) == (404, "not_found")
    assert error(_call(api_as(dinas_user), method, "manggar", path, body, everything)) == (403, "forbidden")
    user = grant(coop, role, username=f"{role}-tanpa-izin")
    assert error(_call(api_as(user), method, "manggar", path, body, everything)) == (403, "forbidden")
    assert counts() == before


@pytest.mark.parametrize(("method", "path", "body", "role"), [e for e in ENDPOINTS if "{" in e[1]])
def test_every_endpoint_hides_another_cooperatives_objects(
    coop: Any,
    everything: dict[str, Any],
    lamaru_bendahara: Any,
    api_as: Any,
    method: str,
    path: str,
    body: Any,
    role: str,
) -> None:
    # Lamaru's bendahara may do every shop action in Lamaru; Manggar's ids on Lamaru's URL are not found.
    before = counts()
    r = _call(api_as(lamaru_bendahara), method, "lamaru", path, body, everything)
    assert r.status_code == 404, r.content
    assert counts() == before
