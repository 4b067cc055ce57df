"""The back office of the gerai: catalogue, HET, suppliers and purchasing, stock, consignment, and the nav."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.shop import selectors, services
from koperasi.shop.models import (
    ConsignmentSettlement,
    GoodsReceipt,
    Het,
    Location,
    Product,
    ProductPrice,
    PurchaseOrder,
    PurchaseOrderLine,
    StockCount,
    StockLevel,
    StockMove,
    StockTransfer,
    Supplier,
    SupplierInvoice,
    SupplierPayment,
)
from koperasi.shop.services import PurchaseLineInput, SaleLineInput
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = pytest.mark.django_db

D = datetime.date
BASE = "/k/manggar/gerai/"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    """The messages this response added (earlier unread ones stay queued when a test does not follow redirects)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def freeze_today(monkeypatch: Any, day: datetime.date) -> None:
    """Make ``timezone.localdate()`` (what every page and service calls "today") return ``day``."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)


def snapshot() -> dict[str, Any]:
    """Everything the back-office pages can write."""
    return {
        "products": list(
            Product.objects.order_by("pk").values_list(
                "pk", "sku", "name", "price", "min_stock", "is_active", "stock_qty", "stock_value"
            )
        ),
        "prices": list(ProductPrice.objects.order_by("pk").values_list("pk", "price", "effective_from")),
        "het": Het.objects.count(),
        "suppliers": Supplier.objects.count(),
        "orders": list(PurchaseOrder.objects.order_by("pk").values_list("pk", "status", "total")),
        "order_lines": list(PurchaseOrderLine.objects.order_by("pk").values_list("pk", "qty_received")),
        "receipts": list(GoodsReceipt.objects.order_by("pk").values_list("pk", "total", "invoice_id")),
        "invoices": list(SupplierInvoice.objects.order_by("pk").values_list("pk", "amount", "paid")),
        "payments": SupplierPayment.objects.count(),
        "transfers": StockTransfer.objects.count(),
        "counts": StockCount.objects.count(),
        "moves": StockMove.objects.count(),
        "levels": list(StockLevel.objects.order_by("pk").values_list("location_id", "product_id", "qty")),
        "settlements": ConsignmentSettlement.objects.count(),
        "entries": JournalEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def location(code: str) -> Location:
    return Location.objects.get(cooperative__code="manggar", code=code)


def level(product: Any, code: str) -> int:
    row = StockLevel.objects.filter(product=product, location__code=code).first()
    return row.qty if row else 0


def lines_of(entry: Any) -> list[tuple[str, int, int]]:
    return list(JournalLine.objects.filter(entry=entry).order_by("id").values_list("account__code", "debit", "credit"))


def line_data(rows: list[tuple[Any, Any, Any]], *, total: int = 5, prefix: str = "baris") -> dict[str, Any]:
    """Formset data: ``rows`` of (product id, qty, unit cost) then empty rows up to ``total``."""
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(total),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "50",
    }
    for i in range(total):
        product, qty, cost = rows[i] if i < len(rows) else ("", "", "")
        data[f"{prefix}-{i}-product"] = product
        data[f"{prefix}-{i}-qty"] = qty
        data[f"{prefix}-{i}-unit_cost"] = cost
    return data


@pytest.fixture
def anggota(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.ANGGOTA)


@pytest.fixture
def umkm(coop: Any, active_member: Any, bendahara: Any) -> Any:
    return services.supplier_create(
        cooperative=coop, name="Keripik Bu Sri", kind="umkm", member=active_member, actor=bendahara
    )


@pytest.fixture
def chips(coop: Any, umkm: Any, make_item: Any) -> Any:
    """Keripik at Rp10.000 a pack, consigned by Budi's UMKM for a 10 % commission."""
    return make_item(coop, sku="KRP", name="Keripik singkong", price=10_000, consignor=umkm, commission_percent="10")


@pytest.fixture
def order(coop: Any, supplier: Any, rice: Any, lpg: Any, bendahara: Any) -> Any:
    """Ordered from Bulog on 3 March into the gudang: 20 rice at Rp57.000 and 10 LPG at Rp16.000 (Rp1.300.000)."""
    return services.purchase_order_create(
        cooperative=coop,
        supplier=supplier,
        date=D(2026, 3, 3),
        lines=[PurchaseLineInput(rice, 20, 57_000), PurchaseLineInput(lpg, 10, 16_000)],
        location="gudang",
        actor=bendahara,
    )


@pytest.fixture
def world(stocked: Any, order: Any, chips: Any, umkm: Any, supplier: Any, rice: Any) -> dict[str, int]:
    """Ids for every page: stock bought, an open order, a UMKM with a consignment product."""
    return {"rice": rice.pk, "bulog": supplier.pk, "order": order.pk, "umkm": umkm.pk, "chips": chips.pk}


# --- who may open which page -----------------------------------------------------------------------------
VIEW_PAGES = [
    "",
    "barang/",
    "barang/{rice}/",
    "barang/{rice}/kartu-stok/",
    "het/",
    "pemasok/",
    "pemasok/{bulog}/",
    "pesanan/",
    "pesanan/{order}/",
    "stok/",
    "titipan/",
]
CATALOGUE_PAGES = ["barang/baru/", "barang/{rice}/ubah/", "barang/{rice}/harga/"]
PURCHASE_PAGES = ["pemasok/baru/", "pemasok/{bulog}/faktur/", "pesanan/baru/", "pembelian/baru/"]
PAY_PAGES = ["pemasok/{bulog}/bayar/", "titipan/{umkm}/bayar/"]
STOCK_PAGES = ["pesanan/{order}/terima/", "stok/mutasi/", "titipan/terima/"]
COUNT_PAGES = ["stok/opname/"]
ALL_PAGES = VIEW_PAGES + CATALOGUE_PAGES + PURCHASE_PAGES + PAY_PAGES + STOCK_PAGES + COUNT_PAGES


@pytest.mark.parametrize("page", ALL_PAGES)
def test_every_page_renders_for_the_bendahara(page: str, world: dict[str, int], bendahara: Any) -> None:
    response = login(bendahara).get(BASE + page.format(**world))
    assert response.status_code == 200
    assert response.context["coop"].code == "manggar"
    assert response.context["shop_perms"]["view"] is True


@pytest.mark.parametrize("page", VIEW_PAGES + CATALOGUE_PAGES)
def test_the_ketua_sees_the_gerai_and_keeps_the_catalogue(page: str, world: dict[str, int], ketua: Any) -> None:
    assert login(ketua).get(BASE + page.format(**world)).status_code == 200


@pytest.mark.parametrize("page", PURCHASE_PAGES + PAY_PAGES + COUNT_PAGES + STOCK_PAGES)
def test_the_ketua_does_not_buy_pay_or_move_stock(page: str, world: dict[str, int], ketua: Any) -> None:
    assert login(ketua).get(BASE + page.format(**world)).status_code == 403


@pytest.mark.parametrize("page", VIEW_PAGES + STOCK_PAGES)
def test_the_kasir_sees_receives_and_moves_stock(page: str, world: dict[str, int], kasir: Any) -> None:
    assert login(kasir).get(BASE + page.format(**world)).status_code == 200


@pytest.mark.parametrize("page", CATALOGUE_PAGES + PURCHASE_PAGES + PAY_PAGES + COUNT_PAGES + ["het/baru/"])
def test_the_kasir_cannot_price_buy_pay_or_count(page: str, world: dict[str, int], kasir: Any) -> None:
    assert login(kasir).get(BASE + page.format(**world)).status_code == 403


@pytest.mark.parametrize("page", [*ALL_PAGES, "het/baru/"])
def test_an_anggota_is_refused(page: str, world: dict[str, int], anggota: Any) -> None:
    assert login(anggota).get(BASE + page.format(**world)).status_code == 403


@pytest.mark.parametrize("page", [*ALL_PAGES, "het/baru/"])
def test_another_cooperatives_ketua_finds_nothing(page: str, world: dict[str, int], other_ketua: Any) -> None:
    assert login(other_ketua).get(BASE + page.format(**world)).status_code == 404


@pytest.mark.parametrize("page", ["", "barang/", "stok/"])
def test_anonymous_visitors_go_to_the_login_page(page: str, coop: Any) -> None:
    response = Client().get(BASE + page)
    assert response.status_code == 302 and "/masuk/" in response["Location"]


@pytest.mark.parametrize(
    "page",
    [
        "barang/99999999/",
        "barang/99999999999999999999/",
        "pemasok/99999999999999999999/bayar/",
        "pesanan/99999999999999999999/",
        "titipan/99999999999999999999/bayar/",
        "barang/99999999999999999999/kartu-stok/",
    ],
)
def test_missing_or_impossible_ids_are_not_found(page: str, coop: Any, bendahara: Any) -> None:
    assert login(bendahara).get(BASE + page).status_code == 404


def test_another_cooperatives_objects_are_not_found(
    world: dict[str, int], other_coop: Any, grant: Any, make_item: Any
) -> None:
    """Lamaru's bendahara cannot open Manggar's product, supplier or order through Lamaru's pages."""
    lamaru = grant(other_coop, Role.BENDAHARA, "bendahara-lamaru")
    client = login(lamaru)
    for page in (
        "barang/{rice}/",
        "barang/{rice}/harga/",
        "pemasok/{bulog}/",
        "pesanan/{order}/terima/",
        "titipan/{umkm}/bayar/",
        "barang/{rice}/kartu-stok/",
    ):
        assert client.get("/k/lamaru/gerai/" + page.format(**world)).status_code == 404, page
    before = snapshot()
    response = client.post(
        f"/k/lamaru/gerai/barang/{world['rice']}/harga/", {"price": "1.000", "effective_from": "2026-03-05"}
    )
    assert response.status_code == 404
    assert snapshot() == before


def test_the_dinas_sees_and_keeps_the_het_table_but_not_the_shop(world: dict[str, int], dinas_user: Any) -> None:
    client = login(dinas_user)
    assert client.get(BASE + "het/").status_code == 200
    assert client.get(BASE + "het/baru/").status_code == 200
    assert client.get(BASE + "barang/").status_code == 403
    assert client.get(BASE).status_code == 403


# --- navigation ----------------------------------------------------------------------------------
def _url_or_none(name: str) -> str | None:
    try:
        return reverse(f"shop:{name}", args=["manggar"])
    except NoReverseMatch:
        return None


def test_the_nav_links_only_the_pages_the_role_may_open(coop: Any, bendahara: Any, kasir: Any) -> None:
    html = login(bendahara).get(BASE).content.decode()
    for name in ("products", "het", "stock", "count_new", "suppliers", "orders", "purchase_new", "consignment"):
        assert f'href="{reverse(f"shop:{name}", args=["manggar"])}"' in html, name
    kasir_page = login(kasir).get(BASE)
    flags = kasir_page.context["shop_perms"]
    assert (flags["view"], flags["sell"], flags["stock"], flags["receive"]) == (True, True, True, True)
    assert (flags["catalogue"], flags["purchase"], flags["pay"], flags["count"]) == (False, False, False, False)
    kasir_html = kasir_page.content.decode()
    assert f'href="{reverse("shop:count_new", args=["manggar"])}"' not in kasir_html
    assert f'href="{reverse("shop:purchase_new", args=["manggar"])}"' not in kasir_html
    assert f'href="{reverse("shop:product_new", args=["manggar"])}"' not in kasir_html
    # The till's pages and the reports (other parts of the gerai) are linked when they exist.
    for name, html_of in (("pos", kasir_html), ("sessions", kasir_html), ("sales", kasir_html), ("reports", html)):
        url = _url_or_none(name)
        if url is not None:
            assert f'href="{url}"' in html_of, name


def test_the_cooperative_page_links_to_the_gerai(coop: Any, ketua: Any) -> None:
    html = login(ketua).get(f"/k/{coop.code}/").content.decode()
    assert f'href="{BASE}"' in html


# --- home ---------------------------------------------------------------------------------------
def test_home_shows_todays_sales_low_stock_and_bills_due(
    monkeypatch: Any, coop: Any, stocked: Any, lpg: Any, oil: Any, supplier: Any, kasir: Any, bendahara: Any
) -> None:
    freeze_today(monkeypatch, SOLD)
    Product.objects.filter(pk=lpg.pk).update(min_stock=25)  # 20 in stock: running low
    services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(oil, 2)], actor=kasir)
    services.supplier_invoice_record(
        cooperative=coop,
        supplier=supplier,
        invoice_no="BLG-77",
        date=BOUGHT,
        receipts=[stocked],
        due_on=D(2026, 3, 9),
        actor=bendahara,
    )
    response = login(kasir).get(BASE)
    assert response.status_code == 200
    ctx = response.context
    assert (ctx["sales_count"], ctx["sales_total"]) == (1, 31_400)
    assert [p.sku for p in ctx["low_stock"]] == ["LPG3"]
    assert [(i.invoice_no, i.remaining) for i in ctx["invoices_due"]] == [("BLG-77", 1_226_000)]
    assert ctx["payable_total"] == 1_226_000
    html = response.content.decode()
    assert "Rp 31.400" in html and "Rp 1.226.000" in html and "lewat" in html


# --- catalogue ----------------------------------------------------------------------------------
def test_products_list_search_category_het_and_stock(
    coop: Any, stocked: Any, rice: Any, lpg: Any, oil: Any, bendahara: Any, kasir: Any
) -> None:
    Product.objects.filter(pk__in=[rice.pk, oil.pk]).update(category="Sembako")
    client = login(kasir)
    response = client.get(BASE + "barang/")
    items = {p.sku: (limit, p.price, p.stock_qty) for p, limit in response.context["items"]}
    assert items == {
        "SPHP5": (65_500, 65_500, 10),
        "LPG3": (19_000, 19_000, 20),
        "MK1": (15_700, 15_700, 24),
    }
    by_barcode = client.get(BASE + "barang/", {"q": "8991234500015"})
    assert [p.sku for p, _ in by_barcode.context["items"]] == ["SPHP5"]
    by_sku = client.get(BASE + "barang/", {"q": "lpg3"})
    assert [p.sku for p, _ in by_sku.context["items"]] == ["LPG3"]
    by_category = client.get(BASE + "barang/", {"category": "Sembako"})
    assert sorted(p.sku for p, _ in by_category.context["items"]) == ["MK1", "SPHP5"]
    odd = client.get(BASE + "barang/", {"q": "beras\x00", "category": "tidak-ada", "page": "abc"})
    assert odd.status_code == 200


def test_products_list_queries_do_not_grow_with_the_catalogue(coop: Any, make_item: Any, bendahara: Any) -> None:
    make_item(coop, sku="A0", name="Barang 0", price=1_000, het_commodity="minyakita")
    client = login(bendahara)
    client.get(BASE + "barang/")
    with CaptureQueriesContext(connection) as few:
        client.get(BASE + "barang/")
    for i in range(1, 30):
        make_item(coop, sku=f"A{i}", name=f"Barang {i}", price=1_000, het_commodity="minyakita" if i % 2 else "")
    with CaptureQueriesContext(connection) as many:
        response = client.get(BASE + "barang/")
    assert len(response.context["items"]) == 30
    assert len(many) == len(few) <= 12


def test_bendahara_adds_a_product_with_its_first_price(coop: Any, bendahara: Any) -> None:
    response = login(bendahara).post(
        BASE + "barang/baru/",
        {
            "sku": "GULA1",
            "name": "Gula pasir 1 kg",
            "unit": "kg",
            "price": "15.700",
            "effective_from": "2026-03-01",
            "barcode": "8990000000017",
            "category": "Sembako",
            "business_unit": "gerai_sembako",
            "pack_size": "12",
            "pack_unit": "dus",
            "het_commodity": "",
            "het_quantity": "1",
            "consignor": "",
            "commission_percent": "0",
            "min_stock": "5",
        },
    )
    product = Product.objects.get(cooperative=coop, sku="GULA1")
    assert response.status_code == 302 and response["Location"] == f"{BASE}barang/{product.pk}/"
    assert (product.name, product.price, product.pack_size, product.pack_unit, product.min_stock) == (
        "Gula pasir 1 kg",
        15_700,
        12,
        "dus",
        5,
    )
    assert (product.stock_qty, product.stock_value, product.business_unit.code) == (0, 0, "gerai_sembako")
    assert list(ProductPrice.objects.filter(product=product).values_list("price", "effective_from", "reason")) == [
        (15_700, D(2026, 3, 1), "Harga awal")
    ]
    assert flashes(response) == ["Barang Gula pasir 1 kg ditambahkan dengan harga Rp 15.700."]
    detail = login(bendahara).get(response["Location"])
    assert [(r.price, r.effective_from) for r in detail.context["prices"]] == [(15_700, D(2026, 3, 1))]


def test_a_new_product_above_its_het_is_refused_on_the_form(coop: Any, bendahara: Any) -> None:
    before = snapshot()
    response = login(bendahara).post(
        BASE + "barang/baru/",
        {
            "sku": "MK2",
            "name": "MinyaKita 2 L",
            "unit": "botol",
            "price": "31.401",
            "effective_from": "2026-03-01",
            "business_unit": "gerai_sembako",
            "het_commodity": "minyakita",
            "het_quantity": "2",
        },
    )
    assert response.status_code == 409
    assert response.context["form"].errors["price"] == [
        "Harga MinyaKita 2 L Rp 31.401 melebihi HET Rp 31.400 yang berlaku pada 01/03/2026."
    ]
    assert "melebihi HET Rp 31.400" in response.content.decode()
    assert response.context["form"]["name"].value() == "MinyaKita 2 L"  # what was typed is kept
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "15,5", "Harga jual harus rupiah bulat tanpa desimal."),
        ("price", "-5.000", "Harga jual harus lebih dari nol."),
        ("price", "lima ribu", "Tulis jumlah dalam rupiah, mis. 1.250.000."),
        ("price", "9" * 25, "Harga jual terlalu besar; periksa kembali."),
        ("sku", "SPHP5", "SKU SPHP5 sudah dipakai barang lain."),
        ("name", "Gula\x00", "Karakter null tidak diizinkan."),
        ("pack_size", "999999999999999999999", "Isi kemasan harus bilangan bulat 1–100.000."),
        ("het_quantity", "abc", "Isi satuan HET harus lebih dari nol (mis. 5 untuk 5 kg)."),
        ("commission_percent", "10", "Komisi hanya untuk barang titipan."),
    ],
)
def test_bad_product_input_is_shown_and_nothing_is_written(
    field: str, value: str, message: str, coop: Any, rice: Any, bendahara: Any
) -> None:
    data = {
        "sku": "GULA1",
        "name": "Gula",
        "unit": "kg",
        "price": "15.000",
        "effective_from": "2026-03-01",
        "business_unit": "gerai_sembako",
        "het_quantity": "1",
        "commission_percent": "0",
    }
    data[field] = value
    before = snapshot()
    response = login(bendahara).post(BASE + "barang/baru/", data)
    assert response.status_code in (409, 422)
    assert response.context["form"].errors[field] == [message]
    assert snapshot() == before


def test_price_change_with_its_history(monkeypatch: Any, coop: Any, rice: Any, bendahara: Any) -> None:
    freeze_today(monkeypatch, SOLD)
    client = login(bendahara)
    page = client.get(f"{BASE}barang/{rice.pk}/harga/")
    assert page.context["het_limit"] == 65_500
    response = client.post(
        f"{BASE}barang/{rice.pk}/harga/",
        {"price": "64.000", "effective_from": "2026-03-05", "reason": "Harga Bulog turun"},
    )
    assert response.status_code == 302 and response["Location"] == f"{BASE}barang/{rice.pk}/"
    rice.refresh_from_db()
    assert rice.price == 64_000
    assert list(ProductPrice.objects.filter(product=rice).values_list("price", "effective_from", "reason")) == [
        (64_000, D(2026, 3, 5), "Harga Bulog turun"),
        (65_500, BOUGHT, "Harga awal"),
    ]
    assert flashes(response) == ["Harga Beras SPHP 5 kg Rp 64.000 berlaku mulai 05/03/2026."]


def test_a_price_above_the_het_is_refused_on_the_form_and_nothing_changes(
    monkeypatch: Any, coop: Any, rice: Any, bendahara: Any
) -> None:
    freeze_today(monkeypatch, SOLD)
    before = snapshot()
    response = login(bendahara).post(
        f"{BASE}barang/{rice.pk}/harga/", {"price": "66.000", "effective_from": "2026-03-10", "reason": "naik"}
    )
    assert response.status_code == 409
    message = "Harga Beras SPHP 5 kg Rp 66.000 melebihi HET Rp 65.500 yang berlaku pada 10/03/2026."
    assert response.context["form"].errors["price"] == [message]
    assert message in response.content.decode()
    assert snapshot() == before
    assert Product.objects.get(pk=rice.pk).price == 65_500


def test_the_kasir_cannot_set_a_price(coop: Any, rice: Any, kasir: Any) -> None:
    before = snapshot()
    response = login(kasir).post(f"{BASE}barang/{rice.pk}/harga/", {"price": "60.000", "effective_from": "2026-03-05"})
    assert response.status_code == 403
    assert snapshot() == before


def test_product_edit_keeps_the_price_and_can_deactivate(coop: Any, lpg: Any, bendahara: Any) -> None:
    client = login(bendahara)
    form = client.get(f"{BASE}barang/{lpg.pk}/ubah/").context["form"]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update({"name": "LPG 3 kg Pertamina", "min_stock": "15", "is_active": ""})
    del data["is_active"]
    response = client.post(f"{BASE}barang/{lpg.pk}/ubah/", data)
    assert response.status_code == 302
    lpg.refresh_from_db()
    assert (lpg.name, lpg.min_stock, lpg.is_active, lpg.price, lpg.het_commodity) == (
        "LPG 3 kg Pertamina",
        15,
        False,
        19_000,
        "lpg_3kg",
    )
    assert ProductPrice.objects.filter(product=lpg).count() == 1


def test_product_detail_shows_het_and_stock_per_location(coop: Any, stocked: Any, rice: Any, kasir: Any) -> None:
    response = login(kasir).get(f"{BASE}barang/{rice.pk}/")
    assert response.context["het_limit"] == 65_500
    assert response.context["het"].price == 13_100
    assert [(place.code, qty) for place, qty in response.context["stock"]] == [("gerai", 10), ("gudang", 0)]


# --- HET ----------------------------------------------------------------------------------------
def test_het_page_marks_the_row_in_force(monkeypatch: Any, coop: Any, kasir: Any, admin_user: Any) -> None:
    freeze_today(monkeypatch, SOLD)
    services.het_create(
        commodity="lpg_3kg", region_code="64.71", price=20_000, effective_from=D(2026, 6, 1), actor=admin_user
    )
    response = login(kasir).get(BASE + "het/")
    lpg = [
        (e.het.price, e.het.effective_from, e.in_force)
        for e in response.context["entries"]
        if e.het.commodity == "lpg_3kg"
    ]
    assert lpg == [(20_000, D(2026, 6, 1), False), (19_000, D(2022, 1, 1), True)]
    sphp = [
        (e.het.region_code, e.het.price, e.in_force)
        for e in response.context["entries"]
        if e.het.commodity == "beras_sphp"
    ]
    assert sphp == [("64", 13_100, True)]
    regions = {e.het.region_code for e in response.context["entries"]}
    assert regions <= {"", "64", "64.71"}  # only rows that can apply to Manggar


def test_the_dinas_adds_a_het_for_its_kota(coop: Any, dinas_user: Any) -> None:
    response = login(dinas_user).post(
        BASE + "het/baru/",
        {
            "commodity": "lpg_3kg",
            "region_code": "64.71",
            "price": "20.000",
            "effective_from": "2026-06-01",
            "legal_basis": "SK Gubernur Kaltim 2026",
        },
    )
    assert response.status_code == 302 and response["Location"] == BASE + "het/"
    row = Het.objects.get(commodity="lpg_3kg", region_code="64.71", effective_from=D(2026, 6, 1))
    assert (row.price, row.legal_basis, row.created_by) == (20_000, "SK Gubernur Kaltim 2026", dinas_user)


def test_the_dinas_cannot_set_a_het_outside_its_kota_and_nothing_is_written(coop: Any, dinas_user: Any) -> None:
    before = snapshot()
    response = login(dinas_user).post(
        BASE + "het/baru/",
        {"commodity": "minyakita", "region_code": "", "price": "16.000", "effective_from": "2026-06-01"},
    )
    assert response.status_code == 403
    assert "wilayahnya sendiri (64.71)" in response.context["form"].errors["region_code"][0]
    assert snapshot() == before


def test_the_admin_sets_a_national_het_and_a_duplicate_is_refused(coop: Any, admin_user: Any) -> None:
    client = login(admin_user)
    data = {"commodity": "minyakita", "region_code": "", "price": "16.000", "effective_from": "2026-06-01"}
    assert client.post(BASE + "het/baru/", data).status_code == 302
    before = snapshot()
    again = client.post(BASE + "het/baru/", data)
    assert again.status_code == 409
    assert "sudah ada" in again.content.decode()
    assert snapshot() == before


def test_the_ketua_cannot_add_a_het(coop: Any, ketua: Any) -> None:
    before = snapshot()
    response = login(ketua).post(
        BASE + "het/baru/",
        {"commodity": "lpg_3kg", "region_code": "64.71", "price": "1", "effective_from": "2026-06-01"},
    )
    assert response.status_code == 403
    assert snapshot() == before


# --- suppliers -----------------------------------------------------------------------------------
def test_supplier_list_shows_each_payable(coop: Any, stocked: Any, supplier: Any, umkm: Any, kasir: Any) -> None:
    response = login(kasir).get(BASE + "pemasok/")
    assert [(s.name, owed) for s, owed in response.context["rows"]] == [
        ("Keripik Bu Sri", 0),
        ("Perum Bulog", 1_226_000),
    ]
    assert response.context["payable_total"] == 1_226_000


def test_a_members_umkm_is_registered_by_member_number(coop: Any, active_member: Any, bendahara: Any) -> None:
    response = login(bendahara).post(
        BASE + "pemasok/baru/", {"name": "Sambal Bu Budi", "kind": "umkm", "member_no": "1", "phone": "0812"}
    )
    supplier = Supplier.objects.get(cooperative=coop, name="Sambal Bu Budi")
    assert response.status_code == 302 and response["Location"] == f"{BASE}pemasok/{supplier.pk}/"
    assert (supplier.kind, supplier.member, supplier.phone) == ("umkm", active_member, "0812")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"name": "Toko X", "kind": "umkm", "member_no": "99"}, "member_no", "Anggota no. 00099 tidak ditemukan."),
        ({"name": "perum bulog", "kind": "bulog"}, "name", "Pemasok 'perum bulog' sudah terdaftar."),
        ({"name": "Toko X", "kind": "bank"}, "kind", ""),
        ({"name": "Toko X", "kind": "umkm", "member_no": "99999999999999999999"}, "member_no", ""),
    ],
)
def test_bad_supplier_input_is_refused(
    data: dict[str, str], field: str, message: str, coop: Any, supplier: Any, bendahara: Any
) -> None:
    before = snapshot()
    response = login(bendahara).post(BASE + "pemasok/baru/", data)
    assert response.status_code == 422
    errors = response.context["form"].errors[field]
    assert errors and (not message or errors == [message])
    assert snapshot() == before


# --- orders and receipts --------------------------------------------------------------------------
def test_order_partial_receive_then_the_rest(
    coop: Any, supplier: Any, rice: Any, lpg: Any, bendahara: Any, kasir: Any
) -> None:
    client = login(bendahara)
    page = client.get(BASE + "pesanan/baru/")
    gudang = location("gudang")
    assert page.context["form"].initial["location"] == gudang.pk
    data = {"supplier": supplier.pk, "date": "2026-03-03", "location": gudang.pk, "note": "Stok SPHP"}
    data.update(line_data([(rice.pk, "20", "57.000"), (lpg.pk, "10", "16.000")]))
    response = client.post(BASE + "pesanan/baru/", data)
    order = PurchaseOrder.objects.get(cooperative=coop)
    assert response.status_code == 302 and response["Location"] == f"{BASE}pesanan/{order.pk}/"
    assert (order.order_no, order.status, order.total, order.location) == ("PO-000001", "ordered", 1_300_000, gudang)
    rice_line, lpg_line = order.lines.order_by("id")
    assert [(ln.product_id, ln.qty_ordered, ln.unit_cost) for ln in (rice_line, lpg_line)] == [
        (rice.pk, 20, 57_000),
        (lpg.pk, 10, 16_000),
    ]
    assert JournalEntry.objects.filter(cooperative=coop).count() == 0  # nothing booked on ordering

    # The kasir receives 12 rice now; the LPG has not come.
    receiver = login(kasir)
    form = receiver.get(f"{BASE}pesanan/{order.pk}/terima/").context["form"]
    assert form.fields[f"lines.{rice_line.pk}"].initial == 20 and form.fields[f"lines.{lpg_line.pk}"].initial == 10
    response = receiver.post(
        f"{BASE}pesanan/{order.pk}/terima/",
        {"date": "2026-03-05", f"lines.{rice_line.pk}": "12", f"lines.{lpg_line.pk}": "", "idempotency_key": "t1"},
    )
    assert response.status_code == 302 and response["Location"] == f"{BASE}pesanan/{order.pk}/"
    order.refresh_from_db()
    assert order.status == "partial"
    receipt = GoodsReceipt.objects.get(order=order)
    assert (receipt.total, receipt.location, receipt.paid_on_receipt) == (684_000, gudang, False)
    assert lines_of(receipt.journal_entry) == [("1-1500", 684_000, 0), ("2-1300", 0, 684_000)]
    assert (level(rice, "gudang"), Product.objects.get(pk=rice.pk).stock_value) == (12, 684_000)
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 684_000
    assert flashes(response) == ["Penerimaan TB-000001 dicatat: Rp 684.000, utang kepada Perum Bulog bertambah."]

    # The same form sent twice records one receipt.
    again = receiver.post(
        f"{BASE}pesanan/{order.pk}/terima/",
        {"date": "2026-03-05", f"lines.{rice_line.pk}": "12", f"lines.{lpg_line.pk}": "", "idempotency_key": "t1"},
    )
    assert again.status_code == 302 and GoodsReceipt.objects.filter(order=order).count() == 1
    assert flashes(again) == ["Penerimaan ini sudah tercatat; kiriman ganda diabaikan."]

    # More than is still due is refused on the line, nothing written.
    before = snapshot()
    over = receiver.post(
        f"{BASE}pesanan/{order.pk}/terima/",
        {"date": "2026-03-06", f"lines.{rice_line.pk}": "9", "idempotency_key": "t2"},
    )
    assert over.status_code == 422
    assert over.context["form"].errors[f"lines.{rice_line.pk}"] == ["Paling banyak 8 lagi."]
    negative = receiver.post(
        f"{BASE}pesanan/{order.pk}/terima/",
        {"date": "2026-03-06", f"lines.{rice_line.pk}": "-1", "idempotency_key": "t3"},
    )
    assert negative.status_code == 422
    assert negative.context["form"].errors[f"lines.{rice_line.pk}"] == ["Jumlah barang harus lebih dari nol."]
    assert snapshot() == before

    # The rest arrives: the order is complete and the payable is the whole order.
    rest = receiver.post(
        f"{BASE}pesanan/{order.pk}/terima/",
        {"date": "2026-03-07", f"lines.{rice_line.pk}": "8", f"lines.{lpg_line.pk}": "10", "idempotency_key": "t4"},
    )
    assert rest.status_code == 302
    order.refresh_from_db()
    assert order.status == "received"
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 1_300_000
    assert (level(rice, "gudang"), level(lpg, "gudang")) == (20, 10)
    closed = receiver.get(f"{BASE}pesanan/{order.pk}/terima/")
    assert closed.status_code == 302 and flashes(closed) == ["Pesanan PO-000001 sudah selesai atau dibatalkan."]


def test_order_lines_need_a_quantity_and_an_unknown_supplier_is_refused(
    coop: Any, supplier: Any, other_coop: Any, rice: Any, bendahara: Any
) -> None:
    other = services.supplier_create(cooperative=other_coop, name="Toko Lain", actor=bendahara)
    client = login(bendahara)
    client.get(BASE + "pesanan/baru/")
    gudang = location("gudang")
    before = snapshot()
    data = {"supplier": supplier.pk, "date": "2026-03-03", "location": gudang.pk}
    data.update(line_data([(rice.pk, "", "57.000")]))
    response = client.post(BASE + "pesanan/baru/", data)
    assert response.status_code == 422
    assert response.context["lines"].forms[0].errors["qty"] == ["Isi jumlah barang."]
    data.update(line_data([(rice.pk, "0", "57.000")]))
    zero = client.post(BASE + "pesanan/baru/", data)
    assert zero.status_code == 422
    assert zero.context["lines"].forms[0].errors["qty"] == ["Jumlah barang harus lebih dari nol."]
    empty = client.post(BASE + "pesanan/baru/", {**data, **line_data([])})
    assert empty.status_code == 422 and "Isi paling sedikit satu barang." in empty.content.decode()
    foreign = client.post(BASE + "pesanan/baru/", {**data, "supplier": other.pk, **line_data([(rice.pk, "1", "1")])})
    assert foreign.status_code == 422 and foreign.context["form"].errors["supplier"]
    assert snapshot() == before


def test_add_a_line_row_without_javascript(coop: Any, supplier: Any, rice: Any, bendahara: Any) -> None:
    client = login(bendahara)
    data = {"supplier": supplier.pk, "date": "2026-03-03", "tambah_baris": "1"}
    data.update(line_data([(rice.pk, "3", "57.000")]))
    before = snapshot()
    response = client.post(BASE + "pesanan/baru/", data)
    assert response.status_code == 200
    assert len(response.context["lines"].forms) == 6
    assert response.context["lines"].forms[0]["qty"].value() == "3"
    assert response.context["form"]["supplier"].value() == str(supplier.pk)
    assert not response.context["form"].errors  # "date is required" and the like wait for the real submit
    assert snapshot() == before


def test_an_order_is_cancelled_with_a_reason(coop: Any, order: Any, bendahara: Any, kasir: Any) -> None:
    assert login(kasir).post(f"{BASE}pesanan/{order.pk}/batal/", {"reason": "x"}).status_code == 403
    blank = login(bendahara).post(f"{BASE}pesanan/{order.pk}/batal/", {"reason": ""})
    assert blank.status_code == 422
    response = login(bendahara).post(f"{BASE}pesanan/{order.pk}/batal/", {"reason": "Bulog tidak ada stok"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert (order.status, order.note) == ("cancelled", "Batal: Bulog tidak ada stok")


def test_orders_list_by_status(coop: Any, order: Any, kasir: Any) -> None:
    client = login(kasir)
    assert [o.order_no for o in client.get(BASE + "pesanan/").context["page"].object_list] == ["PO-000001"]
    assert list(client.get(BASE + "pesanan/", {"status": "received"}).context["page"].object_list) == []
    assert client.get(BASE + "pesanan/", {"status": "nonsense"}).context["current_status"] == ""


# --- direct purchase ----------------------------------------------------------------------------
def test_a_direct_purchase_on_credit_and_one_paid_in_cash(
    coop: Any, supplier: Any, rice: Any, oil: Any, bendahara: Any, fund_cash: Any
) -> None:
    fund_cash(coop, 1_000_000)
    client = login(bendahara)
    page = client.get(BASE + "pembelian/baru/")
    gerai = location("gerai")
    assert page.context["form"].initial["location"] == gerai.pk
    key = page.context["form"].initial["idempotency_key"]
    data = {
        "supplier": supplier.pk,
        "date": "2026-03-02",
        "location": gerai.pk,
        "paid": "kredit",
        "idempotency_key": key,
    }
    data.update(line_data([(rice.pk, "10", "57.000")]))
    response = client.post(BASE + "pembelian/baru/", data)
    assert response.status_code == 302 and response["Location"] == f"{BASE}pemasok/{supplier.pk}/"
    assert flashes(response) == ["Pembelian TB-000001 Rp 570.000 dicatat sebagai utang."]
    assert client.post(BASE + "pembelian/baru/", data).status_code == 302  # sent twice: one receipt
    assert GoodsReceipt.objects.count() == 1
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 570_000

    cash = {**data, "paid": "tunai", "reference": "Nota 12", "idempotency_key": "beli-2"}
    cash.update(line_data([(oil.pk, "24", "14.000")]))
    response = client.post(BASE + "pembelian/baru/", cash)
    assert response.status_code == 302
    receipt = GoodsReceipt.objects.get(receipt_no="TB-000002")
    assert (receipt.total, receipt.paid_on_receipt, receipt.paid_channel, receipt.paid_reference) == (
        336_000,
        True,
        "tunai",
        "Nota 12",
    )
    assert lines_of(receipt.journal_entry) == [("1-1500", 336_000, 0), ("1-1100", 0, 336_000)]
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 570_000
    assert (level(rice, "gerai"), level(oil, "gerai")) == (10, 24)


def test_a_cash_purchase_beyond_the_cash_box_is_refused(coop: Any, supplier: Any, rice: Any, bendahara: Any) -> None:
    client = login(bendahara)
    client.get(BASE + "pembelian/baru/")
    before = snapshot()
    data = {"supplier": supplier.pk, "date": "2026-03-02", "location": location("gerai").pk, "paid": "tunai"}
    data.update(line_data([(rice.pk, "10", "57.000")]))
    response = client.post(BASE + "pembelian/baru/", data)
    assert response.status_code == 409
    assert "Saldo kas Rp 0 tidak cukup untuk membayar Rp 570.000." in response.content.decode()
    assert snapshot() == before


def test_consignment_goods_cannot_be_bought(coop: Any, supplier: Any, chips: Any, bendahara: Any) -> None:
    page = login(bendahara).get(BASE + "pembelian/baru/")
    offered = [value for value, _ in page.context["lines"].forms[0].fields["product"].choices]
    assert chips.pk not in offered


# --- invoices and payments ------------------------------------------------------------------------
def test_an_invoice_for_received_goods_then_a_payment(
    coop: Any, stocked: Any, supplier: Any, bendahara: Any, fund_cash: Any
) -> None:
    fund_cash(coop, 2_000_000)
    client = login(bendahara)
    page = client.get(f"{BASE}pemasok/{supplier.pk}/faktur/")
    assert [value for value, _ in page.context["form"].fields["receipts"].choices] == [stocked.pk]
    response = client.post(
        f"{BASE}pemasok/{supplier.pk}/faktur/",
        {"invoice_no": "BLG-0301", "date": "2026-03-03", "due_on": "2026-04-02", "receipts": [str(stocked.pk)]},
    )
    assert response.status_code == 302 and response["Location"] == f"{BASE}pemasok/{supplier.pk}/"
    invoice = SupplierInvoice.objects.get(cooperative=coop)
    assert (invoice.invoice_no, invoice.amount, invoice.paid, invoice.due_on) == (
        "BLG-0301",
        1_226_000,
        0,
        D(2026, 4, 2),
    )
    assert GoodsReceipt.objects.get(pk=stocked.pk).invoice == invoice
    assert flashes(response) == ["Faktur BLG-0301 sebesar Rp 1.226.000 dicatat."]
    assert client.get(f"{BASE}pemasok/{supplier.pk}/faktur/").context["receipts"] == []

    pay = client.get(f"{BASE}pemasok/{supplier.pk}/bayar/")
    assert pay.context["form"].initial["amount"] == 1_226_000
    key = pay.context["form"].initial["idempotency_key"]
    data = {
        "amount": "500.000",
        "date": "2026-03-05",
        "channel": "tunai",
        "invoice": invoice.pk,
        "idempotency_key": key,
    }
    response = client.post(f"{BASE}pemasok/{supplier.pk}/bayar/", data)
    assert response.status_code == 302 and response["Location"] == f"{BASE}pemasok/{supplier.pk}/"
    assert flashes(response) == ["Pembayaran Rp 500.000 kepada Perum Bulog dicatat."]
    payment = SupplierPayment.objects.get(cooperative=coop)
    assert (payment.amount, payment.channel, payment.invoice) == (500_000, "tunai", invoice)
    assert lines_of(payment.journal_entry) == [("2-1300", 500_000, 0), ("1-1100", 0, 500_000)]
    invoice.refresh_from_db()
    assert invoice.paid == 500_000
    assert selectors.supplier_payable(cooperative=coop, supplier=supplier) == 726_000
    again = client.post(f"{BASE}pemasok/{supplier.pk}/bayar/", data)
    assert again.status_code == 302 and SupplierPayment.objects.count() == 1
    assert flashes(again) == ["Pembayaran ini sudah tercatat; kiriman ganda diabaikan."]
    detail = client.get(f"{BASE}pemasok/{supplier.pk}/")
    assert detail.context["payable"] == 726_000
    assert [(i.invoice_no, i.remaining) for i in detail.context["invoices"]] == [("BLG-0301", 726_000)]


@pytest.mark.parametrize(
    ("data", "field", "message", "status"),
    [
        (
            {"amount": "2.000.000", "channel": "tunai"},
            "amount",
            "Jumlah Rp 2.000.000 melebihi utang kepada Perum Bulog (Rp 1.226.000).",
            409,
        ),
        ({"amount": "100.000", "channel": "transfer"}, "reference", "Nomor referensi transfer wajib diisi.", 422),
        ({"amount": "0", "channel": "tunai"}, "amount", "Jumlah pembayaran harus lebih dari nol.", 422),
        (
            {"amount": "100.000,50", "channel": "tunai"},
            "amount",
            "Jumlah pembayaran harus rupiah bulat tanpa desimal.",
            422,
        ),
        ({"amount": "100.000", "channel": "cek"}, "channel", "", 422),
        (
            {"amount": "1.000", "channel": "tunai", "date": "9999-12-31"},
            "date",
            "Tanggal terlalu jauh di masa depan; periksa kembali.",
            422,
        ),
        ({"amount": "1.000", "channel": "tunai", "date": "2026-02-30"}, "date", "", 422),
    ],
)
def test_bad_payments_are_refused_on_the_form(
    data: dict[str, str],
    field: str,
    message: str,
    status: int,
    coop: Any,
    stocked: Any,
    supplier: Any,
    bendahara: Any,
    fund_cash: Any,
) -> None:
    fund_cash(coop, 2_000_000)
    before = snapshot()
    response = login(bendahara).post(f"{BASE}pemasok/{supplier.pk}/bayar/", {"date": "2026-03-05", **data})
    assert response.status_code == status
    errors = response.context["form"].errors[field]
    assert errors and (not message or errors == [message])
    assert snapshot() == before


def test_paying_without_money_in_the_cash_box_is_refused(
    coop: Any, stocked: Any, supplier: Any, bendahara: Any
) -> None:
    before = snapshot()
    response = login(bendahara).post(
        f"{BASE}pemasok/{supplier.pk}/bayar/", {"amount": "100.000", "date": "2026-03-05", "channel": "tunai"}
    )
    assert response.status_code == 409
    assert response.context["form"].errors["amount"] == ["Saldo kas Rp 0 tidak cukup untuk membayar Rp 100.000."]
    assert snapshot() == before


def test_the_manajer_cannot_pay_a_supplier(coop: Any, stocked: Any, supplier: Any, manajer: Any) -> None:
    response = login(manajer).post(
        f"{BASE}pemasok/{supplier.pk}/bayar/", {"amount": "100.000", "date": "2026-03-05", "channel": "tunai"}
    )
    assert response.status_code == 403


# --- stock ---------------------------------------------------------------------------------------
def test_stock_total_equals_the_inventory_account(coop: Any, stocked: Any, kasir: Any) -> None:
    client = login(kasir)
    response = client.get(BASE + "stok/")
    assert response.context["total_value"] == 1_226_000
    assert (response.context["reconciliation"].ledger, response.context["reconciliation"].difference) == (1_226_000, 0)
    assert {r.sku: (r.qty, r.value) for r in response.context["rows"]} == {
        "SPHP5": (10, 570_000),
        "LPG3": (20, 320_000),
        "MK1": (24, 336_000),
    }
    gudang = client.get(BASE + "stok/", {"location": location("gudang").pk})
    assert gudang.context["place"].code == "gudang" and gudang.context["total_value"] == 0
    assert client.get(BASE + "stok/", {"location": "x\x00"}).status_code == 200


def test_stock_and_other_list_pages_do_not_grow_in_queries(
    coop: Any, stocked: Any, order: Any, supplier: Any, chips: Any, make_item: Any, bendahara: Any
) -> None:
    pages = ["", "stok/", "pemasok/", "pesanan/", "titipan/", "het/"]
    client = login(bendahara)
    for page in pages:
        client.get(BASE + page)
    few = {}
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BASE + page).status_code == 200
        few[page] = len(queries)
    for i in range(20):
        product = make_item(coop, sku=f"B{i}", name=f"Barang {i}", price=2_000)
        other = services.supplier_create(cooperative=coop, name=f"Distributor {i}", actor=bendahara)
        services.purchase_order_create(
            cooperative=coop, supplier=other, date=BOUGHT, lines=[PurchaseLineInput(product, 1, 1_000)], actor=bendahara
        )
        services.purchase_direct(
            cooperative=coop, supplier=other, date=BOUGHT, lines=[PurchaseLineInput(product, 2, 1_000)], actor=bendahara
        )
        umkm = services.supplier_create(cooperative=coop, name=f"UMKM {i}", kind="umkm", actor=bendahara)
        make_item(coop, sku=f"T{i}", name=f"Titipan {i}", price=5_000, consignor=umkm, commission_percent="5")
    for page in pages:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BASE + page).status_code == 200
        assert len(queries) == few[page], page
        assert len(queries) <= 15, page


def test_a_transfer_from_the_gudang_to_the_gerai(
    coop: Any, supplier: Any, lpg: Any, oil: Any, kasir: Any, bendahara: Any
) -> None:
    services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(lpg, 30, 16_000)],
        location="gudang",
        actor=bendahara,
    )
    client = login(kasir)
    page = client.get(BASE + "stok/mutasi/")
    gudang, gerai = location("gudang"), location("gerai")
    assert (page.context["form"].initial["from_location"], page.context["form"].initial["to_location"]) == (
        gudang.pk,
        gerai.pk,
    )
    entries = JournalEntry.objects.count()
    data = {"from_location": gudang.pk, "to_location": gerai.pk, "date": "2026-03-03", "note": "Isi gerai"}
    data.update(line_data([(lpg.pk, "10", "")]))
    response = client.post(BASE + "stok/mutasi/", data)
    assert response.status_code == 302 and response["Location"] == f"{BASE}stok/?location={gerai.pk}"
    assert flashes(response) == ["Mutasi MT-000001 dari Gudang ke Gerai sembako dicatat."]
    assert (level(lpg, "gudang"), level(lpg, "gerai")) == (20, 10)
    assert JournalEntry.objects.count() == entries
    assert Product.objects.get(pk=lpg.pk).stock_value == 480_000

    before = snapshot()
    data.update(line_data([(lpg.pk, "21", "")]))
    short = client.post(BASE + "stok/mutasi/", data)
    assert short.status_code == 409
    assert "Stok tidak cukup di Gudang: LPG 3 kg (tersedia 20 tabung)." in short.content.decode()
    same = client.post(BASE + "stok/mutasi/", {**data, "to_location": gudang.pk, **line_data([(lpg.pk, "1", "")])})
    assert same.status_code == 422
    assert same.context["form"].errors["to_location"] == ["Lokasi asal dan tujuan harus berbeda."]
    assert snapshot() == before


def test_an_opname_posts_the_variance(
    monkeypatch: Any, coop: Any, stocked: Any, lpg: Any, oil: Any, rice: Any, bendahara: Any
) -> None:
    freeze_today(monkeypatch, SOLD)
    client = login(bendahara)
    gerai = location("gerai")
    page = client.get(BASE + "stok/opname/")
    rows = {row.sku: row.qty for row, _ in page.context["form"].count_rows()}
    assert rows == {"SPHP5": 10, "LPG3": 20, "MK1": 24}
    data = {
        "location": gerai.pk,
        "date": "2026-03-10",
        "note": "Opname bulanan",
        f"counts.{lpg.pk}": "18",
        f"counts.{oil.pk}": "24",
        f"counts.{rice.pk}": "",
    }
    response = client.post(BASE + "stok/opname/", data)
    count = StockCount.objects.get(cooperative=coop)
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}stok/opname/?location={gerai.pk}&hasil={count.pk}"
    assert flashes(response) == ["Stok opname SO-000001 di Gerai sembako diposting; selisih nilai -Rp 32.000."]
    assert (count.variance_value, count.location, count.note) == (-32_000, gerai, "Opname bulanan")
    assert list(
        count.lines.order_by("product_id").values_list("product_id", "system_qty", "counted_qty", "variance_value")
    ) == [(lpg.pk, 20, 18, -32_000), (oil.pk, 24, 24, 0)]
    assert Product.objects.filter(pk=lpg.pk).values_list("stock_qty", "stock_value").get() == (18, 288_000)
    assert Product.objects.filter(pk=rice.pk).values_list("stock_qty", "stock_value").get() == (10, 570_000)
    result = client.get(response["Location"])
    assert result.context["result"].pk == count.pk
    assert [(line.product_id, diff) for line, diff in result.context["result_lines"]] == [(lpg.pk, -2), (oil.pk, 0)]
    assert "-Rp 32.000" in result.content.decode()


@pytest.mark.parametrize(
    ("counts", "status"),
    [({"LPG3": "-1"}, 422), ({"LPG3": "1.5"}, 422), ({}, 422), ({"LPG3": "99999999999"}, 422)],
)
def test_a_bad_opname_writes_nothing(
    counts: dict[str, str], status: int, coop: Any, stocked: Any, lpg: Any, bendahara: Any
) -> None:
    client = login(bendahara)
    client.get(BASE + "stok/opname/")
    before = snapshot()
    data = {"location": location("gerai").pk, "date": "2026-03-10"}
    data.update({f"counts.{lpg.pk}": value for value in counts.values()})
    response = client.post(BASE + "stok/opname/", data)
    assert response.status_code == status
    assert snapshot() == before


def test_an_opname_at_an_unknown_location_is_refused(coop: Any, stocked: Any, other_coop: Any, bendahara: Any) -> None:
    services.locations_ensure(other_coop)
    theirs = Location.objects.get(cooperative=other_coop, code="gerai")
    before = snapshot()
    for value in (str(theirs.pk), "abc", "99999999999999999999"):
        response = login(bendahara).post(BASE + "stok/opname/", {"location": value, "date": "2026-03-10"})
        assert response.status_code == 422, value
    assert snapshot() == before


def test_the_stock_card_runs_the_quantity(
    monkeypatch: Any, coop: Any, stocked: Any, lpg: Any, bendahara: Any, kasir: Any
) -> None:
    freeze_today(monkeypatch, SOLD)
    services.stock_transfer(
        cooperative=coop, from_location="gerai", to_location="gudang", date=D(2026, 3, 4), lines=[(lpg, 5)], actor=kasir
    )
    services.sale_create(cooperative=coop, date=D(2026, 3, 6), lines=[SaleLineInput(lpg, 3)], actor=kasir)
    client = login(kasir)
    card = client.get(f"{BASE}barang/{lpg.pk}/kartu-stok/").context["card"]
    assert card.opening_qty == 0
    assert [(r.move.kind, r.move.qty, r.qty_after) for r in card.rows] == [
        ("receipt", 20, 20),
        ("transfer_out", -5, 15),
        ("transfer_in", 5, 20),
        ("sale", -3, 17),
    ]
    assert (card.closing_qty, card.closing_value) == (17, Product.objects.get(pk=lpg.pk).stock_value) == (17, 272_000)
    at_gerai = client.get(
        f"{BASE}barang/{lpg.pk}/kartu-stok/",
        {"location": location("gerai").pk, "start": "2026-03-05", "end": "2026-03-31"},
    ).context["card"]
    assert at_gerai.opening_qty == 15
    assert [(r.move.kind, r.qty_after) for r in at_gerai.rows] == [("sale", 12)]


# --- consignment ----------------------------------------------------------------------------------
def test_consignment_goods_in_back_and_settled(
    coop: Any, chips: Any, umkm: Any, active_member: Any, kasir: Any, bendahara: Any, fund_cash: Any
) -> None:
    fund_cash(coop, 1_000_000)
    client = login(kasir)
    page = client.get(BASE + "titipan/terima/", {"barang": chips.pk})
    assert page.context["form"].initial["product"] == chips.pk
    gerai = location("gerai")
    response = client.post(
        BASE + "titipan/terima/", {"product": chips.pk, "qty": "30", "date": "2026-03-02", "location": gerai.pk}
    )
    assert response.status_code == 302 and response["Location"] == BASE + "titipan/"
    assert flashes(response) == ["30 Keripik singkong diterima sebagai titipan."]
    back = client.post(
        BASE + "titipan/terima/",
        {"product": chips.pk, "qty": "4", "date": "2026-03-09", "location": gerai.pk, "withdraw": "on"},
    )
    assert back.status_code == 302 and flashes(back) == ["4 Keripik singkong dikembalikan kepada pemiliknya."]
    assert Product.objects.filter(pk=chips.pk).values_list("stock_qty", "stock_value").get() == (26, 0)
    before = snapshot()
    too_many = client.post(
        BASE + "titipan/terima/",
        {"product": chips.pk, "qty": "27", "date": "2026-03-09", "location": gerai.pk, "withdraw": "on"},
    )
    assert too_many.status_code == 409
    assert "Stok tidak cukup di Gerai sembako: Keripik singkong (tersedia 26 pcs)." in too_many.content.decode()
    assert snapshot() == before

    services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(chips, 6)], actor=kasir)
    overview = client.get(BASE + "titipan/")
    [row] = overview.context["rows"]
    assert (row.supplier, row.owed, row.stock_qty, [p.sku for p in row.products]) == (umkm, 54_000, 20, ["KRP"])
    assert overview.context["owed_total"] == 54_000

    assert client.post(f"{BASE}titipan/{umkm.pk}/bayar/", {"amount": "54.000"}).status_code == 403  # the kasir
    payer = login(bendahara)
    assert payer.get(f"{BASE}titipan/{umkm.pk}/bayar/").context["form"].initial["amount"] == 54_000
    before = snapshot()
    over = payer.post(f"{BASE}titipan/{umkm.pk}/bayar/", {"amount": "54.001", "date": "2026-03-10", "channel": "tunai"})
    assert over.status_code == 409
    assert over.context["form"].errors["amount"] == ["Jumlah Rp 54.001 melebihi hak Keripik Bu Sri (Rp 54.000)."]
    assert snapshot() == before
    paid = payer.post(f"{BASE}titipan/{umkm.pk}/bayar/", {"amount": "54.000", "date": "2026-03-10", "channel": "tunai"})
    assert paid.status_code == 302 and paid["Location"] == BASE + "titipan/"
    assert flashes(paid) == ["Pembayaran hasil titipan Rp 54.000 kepada Keripik Bu Sri dicatat."]
    settlement = ConsignmentSettlement.objects.get(consignor=umkm)
    assert (settlement.amount, settlement.channel) == (54_000, "tunai")
    assert lines_of(settlement.journal_entry) == [("2-1310", 54_000, 0), ("1-1100", 0, 54_000)]
    assert selectors.consignment_payable(cooperative=coop, consignor=umkm) == 0
    assert selectors.consignment_payables(cooperative=coop) == {umkm.pk: 0}


def test_own_goods_cannot_be_taken_in_as_consignment(coop: Any, lpg: Any, chips: Any, kasir: Any) -> None:
    page = login(kasir).get(BASE + "titipan/terima/")
    assert [value for value, _ in page.context["form"].fields["product"].choices] == ["", chips.pk]
    before = snapshot()
    response = login(kasir).post(
        BASE + "titipan/terima/", {"product": lpg.pk, "qty": "3", "date": "2026-03-02", "location": ""}
    )
    assert response.status_code == 422 and response.context["form"].errors["product"]
    assert snapshot() == before
