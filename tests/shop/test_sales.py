"""Sales at the till: member and non-member revenue, cost of goods, payment, consignment, refusals, tenancy."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Sum

from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.ledger.services import period_close
from koperasi.shop import selectors, services
from koperasi.shop.models import DocumentCounter, Product, Sale, SaleLine, StockLevel, StockMove
from koperasi.shop.services import ProductInput, PurchaseLineInput, SaleLineInput
from tests.conftest import NIK_MAN, NIK_WOMAN
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = pytest.mark.django_db

D = datetime.date
GU = "gerai_sembako"
NIK_STRANGER = "6471044101900003"  # a woman born 1 January 1990: valid, not a member


def counts() -> dict[str, Any]:
    return {
        "sales": Sale.objects.count(),
        "sale_lines": SaleLine.objects.count(),
        "moves": StockMove.objects.count(),
        "entries": JournalEntry.objects.count(),
        "lines": JournalLine.objects.count(),
        "counters": list(DocumentCounter.objects.order_by("pk").values_list("kind", "last")),
        "levels": list(StockLevel.objects.order_by("pk").values_list("pk", "qty")),
        "audit": AuditEvent.objects.filter(action__startswith="shop.").count(),
        "stock": list(Product.objects.order_by("pk").values_list("pk", "stock_qty", "stock_value")),
    }


def lines_of(entry: Any) -> list[tuple[str, int, int, str | None, int | None]]:
    return list(
        JournalLine.objects.filter(entry=entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "business_unit__code", "member_id")
    )


def stock_of(product: Any) -> tuple[int, int]:
    fresh = Product.objects.get(pk=product.pk)
    return fresh.stock_qty, fresh.stock_value


def sell(coop: Any, actor: Any, *lines: tuple[Any, Any], date: D = SOLD, **extra: Any) -> Sale:
    return services.sale_create(
        cooperative=coop, date=date, lines=[SaleLineInput(p, q) for p, q in lines], actor=actor, **extra
    )


@pytest.fixture
def umkm(coop: Any, active_member: Any, bendahara: Any) -> Any:
    return services.supplier_create(
        cooperative=coop, name="Keripik Bu Sri", kind="umkm", member=active_member, actor=bendahara
    )


@pytest.fixture
def chips(coop: Any, umkm: Any, make_item: Any, kasir: Any) -> Any:
    """Keripik at Rp10.000, consigned by Budi's UMKM for 10 %; 20 packs at the gerai."""
    product = make_item(coop, sku="KRP", name="Keripik singkong", price=10_000, consignor=umkm, commission_percent="10")
    services.consignment_receive(cooperative=coop, product=product, qty=20, date=BOUGHT, actor=kasir)
    return product


# --- Revenue by buyer ------------------------------------------------------------------------------


def test_member_sale_books_member_revenue_with_the_member(
    coop: Any, stocked: Any, rice: Any, lpg: Any, oil: Any, active_member: Any, kasir: Any
) -> None:
    sale = sell(coop, kasir, (rice, 2), ("LPG3", 3), (oil.pk, 2), member=active_member, cash_received=250_000)
    # 2 × 65.500 + 3 × 19.000 + 2 × 15.700 = 219.400; cost 2/10 × 570.000 + 3 × 16.000 + 2 × 14.000 = 190.000.
    assert (sale.total, sale.cost_total, sale.cash_received, sale.change) == (219_400, 190_000, 250_000, 30_600)
    assert (sale.sale_no, sale.is_member_sale, sale.member_id, sale.buyer_nik, sale.buyer_name) == (
        "NT-000001",
        True,
        active_member.pk,
        NIK_MAN,
        "Budi Santoso",
    )
    assert (sale.location.code, sale.payment_method, sale.status, sale.session_id) == (
        "gerai",
        "tunai",
        "completed",
        None,
    )
    assert lines_of(sale.journal_entry) == [
        ("1-1100", 219_400, 0, GU, None),
        ("4-1100", 0, 219_400, GU, active_member.pk),
        ("5-1100", 190_000, 0, GU, None),
        ("1-1500", 0, 190_000, GU, None),
    ]
    assert sale.journal_entry.date == SOLD
    assert list(
        SaleLine.objects.filter(sale=sale).values_list("product_id", "qty", "unit_price", "line_total", "cost")
    ) == [
        (rice.pk, 2, 65_500, 131_000, 114_000),
        (lpg.pk, 3, 19_000, 57_000, 48_000),
        (oil.pk, 2, 15_700, 31_400, 28_000),
    ]
    assert [stock_of(p) for p in (rice, lpg, oil)] == [(8, 456_000), (17, 272_000), (22, 308_000)]
    assert list(StockMove.objects.filter(kind="sale").order_by("id").values_list("qty", "value")) == [
        (-2, -114_000),
        (-3, -48_000),
        (-2, -28_000),
    ]
    assert AuditEvent.objects.filter(action="shop.sale.create", object_id=str(sale.pk)).count() == 1


def test_non_member_sale_books_non_member_revenue(coop: Any, stocked: Any, lpg: Any, kasir: Any) -> None:
    sale = sell(coop, kasir, (lpg, 2), buyer_name="Pak Ahmad")
    assert (sale.is_member_sale, sale.member_id, sale.buyer_name, sale.cash_received, sale.change) == (
        False,
        None,
        "Pak Ahmad",
        38_000,
        0,
    )
    assert lines_of(sale.journal_entry) == [
        ("1-1100", 38_000, 0, GU, None),
        ("4-2100", 0, 38_000, GU, None),
        ("5-1100", 32_000, 0, GU, None),
        ("1-1500", 0, 32_000, GU, None),
    ]


def test_buyer_named_by_a_members_nik_is_a_member_sale(
    coop: Any, stocked: Any, lpg: Any, active_member: Any, kasir: Any
) -> None:
    sale = sell(coop, kasir, (lpg, 1), buyer_nik=NIK_MAN)
    assert (sale.is_member_sale, sale.member_id) == (True, active_member.pk)
    assert lines_of(sale.journal_entry)[1] == ("4-1100", 0, 19_000, GU, active_member.pk)


def test_a_stranger_by_nik_is_a_non_member(coop: Any, stocked: Any, lpg: Any, active_member: Any, kasir: Any) -> None:
    sale = sell(coop, kasir, (lpg, 1), buyer_nik=NIK_STRANGER, buyer_name="Ibu Rina")
    assert (sale.is_member_sale, sale.member_id, sale.buyer_nik) == (False, None, NIK_STRANGER)
    assert lines_of(sale.journal_entry)[1] == ("4-2100", 0, 19_000, GU, None)


def test_a_calon_member_buys_as_a_non_member(
    coop: Any, stocked: Any, lpg: Any, register_member: Any, kasir: Any
) -> None:
    calon = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    assert calon.status == "calon"
    sale = sell(coop, kasir, (lpg, 1), member=calon.pk)
    assert (sale.is_member_sale, sale.member_id) == (False, calon.pk)
    assert lines_of(sale.journal_entry)[1] == ("4-2100", 0, 19_000, GU, None)
    assert selectors.member_purchases(cooperative=coop, start=SOLD, end=SOLD) == {}


def test_a_former_member_buys_as_a_non_member(
    coop: Any, stocked: Any, lpg: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    from koperasi.members.services import member_end

    member_end(member=active_member, status="meninggal", date=D(2026, 3, 1), reason="Wafat", actor=admin_user)
    sale = sell(coop, kasir, (lpg, 1), buyer_nik=NIK_MAN)
    assert (sale.is_member_sale, sale.member_id) == (False, active_member.pk)


def test_member_purchases_net_of_returns(
    coop: Any, stocked: Any, lpg: Any, oil: Any, active_member: Any, register_member: Any, kasir: Any, bendahara: Any
) -> None:
    first = sell(coop, kasir, (lpg, 2), member=active_member)
    sell(coop, kasir, (oil, 1), member=active_member, date=D(2026, 3, 12))
    sell(coop, kasir, (oil, 1), member=active_member, date=D(2026, 4, 1))  # outside the range
    sell(coop, kasir, (lpg, 1))  # a non-member
    from koperasi.savings.services import savings_deposit

    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    savings_deposit(cooperative=coop, member=siti, kind="pokok", amount=50_000, date=D(2026, 3, 1), actor=kasir)
    sell(coop, kasir, ("SPHP5", 1), member=siti.pk)
    ret = services.sale_return_request(
        cooperative=coop,
        sale=first,
        kind="return",
        reason="Tabung bocor",
        date=SOLD,
        quantities={first.lines.get().pk: 1},
        actor=kasir,
    )
    services.sale_return_decide(cooperative=coop, sale_return=ret, approve=True, actor=bendahara)
    assert selectors.member_purchases(cooperative=coop, start=D(2026, 3, 1), end=D(2026, 3, 31)) == {
        active_member.pk: 19_000 + 15_700,
        siti.pk: 65_500,
    }


def test_member_purchase_totals_per_unit_and_month_follow_sales_and_returns(
    coop: Any, stocked: Any, lpg: Any, oil: Any, active_member: Any, kasir: Any, bendahara: Any
) -> None:
    from koperasi.shop.models import MemberPurchaseMonth

    first = sell(coop, kasir, (lpg, 2), (oil, 1), member=active_member)  # 10 March: 38.000 + 15.700
    sell(coop, kasir, (oil, 2), member=active_member, date=D(2026, 3, 12))  # same month: adds 31.400
    sell(coop, kasir, (oil, 1), member=active_member, date=D(2026, 4, 1))  # April: a row of its own
    sell(coop, kasir, (lpg, 1))  # a non-member sale adds nothing

    def totals() -> list[tuple[Any, int]]:
        rows = MemberPurchaseMonth.objects.filter(cooperative=coop, member=active_member).order_by("month")
        return [(row.month, row.amount) for row in rows]

    assert totals() == [(D(2026, 3, 1), 38_000 + 15_700 + 31_400), (D(2026, 4, 1), 15_700)]
    # A return approved in April comes off March, the month of the sale it returns.
    lpg_line = first.lines.get(product=lpg)
    ret = services.sale_return_request(
        cooperative=coop,
        sale=first,
        kind="return",
        reason="Tabung bocor",
        date=D(2026, 4, 2),
        quantities={lpg_line.pk: 1},
        actor=kasir,
    )
    services.sale_return_decide(cooperative=coop, sale_return=ret, approve=True, actor=bendahara)
    assert totals() == [(D(2026, 3, 1), 19_000 + 15_700 + 31_400), (D(2026, 4, 1), 15_700)]


# --- Payment ---------------------------------------------------------------------------------------


def test_a_sale_of_two_business_units_books_each_unit(
    coop: Any, stocked: Any, lpg: Any, supplier: Any, make_item: Any, active_member: Any, kasir: Any, bendahara: Any
) -> None:
    medicine = make_item(coop, sku="PCT", name="Paracetamol", unit="strip", price=5_000, business_unit="apotek")
    services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(medicine, 10, 3_500)],
        actor=bendahara,
    )
    sale = sell(coop, kasir, (medicine, 2), (lpg, 1), member=active_member)
    assert lines_of(sale.journal_entry) == [
        ("1-1100", 19_000, 0, GU, None),
        ("1-1100", 10_000, 0, "apotek", None),
        ("4-1100", 0, 19_000, GU, active_member.pk),
        ("5-1100", 16_000, 0, GU, None),
        ("1-1500", 0, 16_000, GU, None),
        ("4-1100", 0, 10_000, "apotek", active_member.pk),
        ("5-1100", 7_000, 0, "apotek", None),
        ("1-1500", 0, 7_000, "apotek", None),
    ]
    assert list(sale.lines.order_by("pk").values_list("business_unit__code", flat=True)) == ["apotek", GU]


def test_qris_and_transfer_go_to_the_bank(coop: Any, stocked: Any, lpg: Any, kasir: Any) -> None:
    qris = sell(coop, kasir, (lpg, 1), payment_method="qris", payment_reference="QR-123", cash_received=50_000)
    assert (qris.cash_received, qris.change, qris.payment_reference) == (None, 0, "QR-123")
    assert lines_of(qris.journal_entry)[0] == ("1-1200", 19_000, 0, GU, None)
    before = counts()
    with pytest.raises(ValidationError) as no_reference:
        sell(coop, kasir, (lpg, 1), payment_method="transfer")
    assert list(no_reference.value.detail) == ["payment_reference"]
    assert counts() == before
    transfer = sell(coop, kasir, (lpg, 1), payment_method="transfer", payment_reference="BRI 0099")
    assert lines_of(transfer.journal_entry)[0] == ("1-1200", 19_000, 0, GU, None)


def test_cash_received_below_the_total_refused_and_change_computed(
    coop: Any, stocked: Any, oil: Any, kasir: Any
) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        sell(coop, kasir, (oil, 3), cash_received=47_000)
    assert exc.value.code == "cash_short"
    assert exc.value.message == "Uang diterima Rp 47.000 kurang dari total Rp 47.100."
    assert counts() == before
    sale = sell(coop, kasir, (oil, 3), cash_received=50_000)
    assert (sale.total, sale.cash_received, sale.change) == (47_100, 50_000, 2_900)
    exact = sell(coop, kasir, (oil, 1), cash_received=15_700)
    assert exact.change == 0


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"payment_method": "kartu"}, "payment"),
        ({"cash_received": -1}, "cash_received"),
        ({"cash_received": 50_000.5}, "cash_received"),
        ({"cash_received": "50000"}, "cash_received"),
        ({"payment_reference": "x" * 101}, "payment_reference"),
        ({"buyer_nik": "12345"}, "buyer_nik"),
        ({"buyer_nik": "6471041505850001\x00"}, "buyer_nik"),
        ({"buyer_name": "Budi\x00"}, "buyer_name"),
        ({"member": "1"}, "member_id"),
        ({"member": True}, "member_id"),
    ],
)
def test_bad_payment_or_buyer_refused(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, extra: dict[str, Any], field: str
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        sell(coop, kasir, (lpg, 1), **extra)
    assert field in exc.value.detail
    assert counts() == before


# --- Consignment -----------------------------------------------------------------------------------


def test_consignment_line_of_a_member_consignor(
    coop: Any, chips: Any, umkm: Any, active_member: Any, kasir: Any
) -> None:
    sale = sell(coop, kasir, (chips, 3))
    assert (sale.total, sale.cost_total, sale.commission_total) == (30_000, 0, 3_000)
    assert lines_of(sale.journal_entry) == [
        ("1-1100", 30_000, 0, GU, None),
        ("2-1310", 0, 27_000, GU, active_member.pk),
        ("4-1500", 0, 3_000, GU, None),
    ]
    line = sale.lines.get()
    assert (line.consignor_id, line.commission, line.cost) == (umkm.pk, 3_000, 0)
    assert stock_of(chips) == (17, 0)
    assert selectors.consignment_payable(cooperative=coop, consignor=umkm) == 27_000


def test_consignment_line_of_a_non_member_consignor_with_own_goods(
    coop: Any, stocked: Any, lpg: Any, make_item: Any, active_member: Any, kasir: Any, bendahara: Any
) -> None:
    toko = services.supplier_create(cooperative=coop, name="Toko Kue Mawar", kind="umkm", actor=bendahara)
    cake = make_item(coop, sku="KUE", name="Kue lapis", price=2_500, consignor=toko, commission_percent="15")
    services.consignment_receive(cooperative=coop, product=cake, qty=40, date=BOUGHT, actor=kasir)
    sale = sell(coop, kasir, (cake, 7), (lpg, 1), member=active_member)
    # Kue 7 × 2.500 = 17.500, commission 15 % = 2.625; LPG 19.000 at cost 16.000.
    assert (sale.total, sale.cost_total, sale.commission_total) == (36_500, 16_000, 2_625)
    assert lines_of(sale.journal_entry) == [
        ("1-1100", 36_500, 0, GU, None),
        ("4-1100", 0, 19_000, GU, active_member.pk),
        ("5-1100", 16_000, 0, GU, None),
        ("1-1500", 0, 16_000, GU, None),
        ("2-1310", 0, 14_875, GU, None),
        ("4-2500", 0, 2_625, GU, None),
    ]
    # The member's SHU purchases include what they bought, consignment goods too.
    assert selectors.member_purchases(cooperative=coop, start=SOLD, end=SOLD) == {active_member.pk: 36_500}


# --- Idempotency, sessions -------------------------------------------------------------------------


def test_idempotency_key_returns_the_first_sale(coop: Any, stocked: Any, lpg: Any, kasir: Any) -> None:
    first = sell(coop, kasir, (lpg, 2), idempotency_key="till-1:0007")
    before = counts()
    again = sell(coop, kasir, (lpg, 2), idempotency_key="till-1:0007")
    different_body = sell(coop, kasir, (lpg, 5), idempotency_key=" till-1:0007 ")
    assert again.pk == first.pk == different_body.pk
    assert counts() == before
    assert stock_of(lpg) == (18, 288_000)
    other = sell(coop, kasir, (lpg, 1), idempotency_key="till-1:0008")
    assert other.pk != first.pk


def test_the_sale_goes_into_the_cashiers_open_session(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, grant: Any
) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=200_000, actor=kasir)
    sale = sell(coop, kasir, (lpg, 1))
    assert (sale.session_id, sale.location_id) == (session.pk, session.location_id)
    other_cashier = grant(coop, "kasir", username="kasir-dua")
    before = counts()
    with pytest.raises(PermissionDenied):
        sell(coop, other_cashier, (lpg, 1), session=session)
    services.cashier_session_close(cooperative=coop, session=session, counted_cash=219_000, actor=kasir)
    with pytest.raises(Conflict) as closed:
        sell(coop, kasir, (lpg, 1), session=session.pk)
    assert closed.value.code == "session_closed"
    with pytest.raises(NotFound):
        sell(coop, kasir, (lpg, 1), session=999_999)
    assert counts()["sales"] == before["sales"]


# --- Refusals: nothing written ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("qty", "code"),
    [
        (0, "qty_not_positive"),
        (-1, "qty_not_positive"),
        (-1_000, "qty_not_positive"),
        (1.5, "qty_invalid"),
        (2.0, "qty_invalid"),
        ("2", "qty_invalid"),
        (None, "qty_invalid"),
        (True, "qty_invalid"),
        (10**7 + 1, "qty_too_large"),
        (2**63, "qty_too_large"),
        (10**30, "qty_too_large"),
    ],
)
def test_bad_quantity_refused(coop: Any, stocked: Any, lpg: Any, kasir: Any, qty: Any, code: str) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        sell(coop, kasir, (lpg, 1), (lpg, qty))
    assert exc.value.code == code
    assert list(exc.value.detail) == ["lines.2.qty"]
    assert counts() == before


def test_a_sale_above_a_trillion_refused(coop: Any, supplier: Any, make_item: Any, kasir: Any, bendahara: Any) -> None:
    gold = make_item(coop, sku="EMAS", name="Emas batangan", price=10**12)
    services.purchase_direct(
        cooperative=coop, supplier=supplier, date=BOUGHT, lines=[PurchaseLineInput(gold, 2, 1)], actor=bendahara
    )
    before = counts()
    with pytest.raises(ValidationError) as exc:
        sell(coop, kasir, (gold, 2))
    assert (exc.value.code, list(exc.value.detail)) == ("amount_too_large", ["lines"])
    assert counts() == before
    assert sell(coop, kasir, (gold, 1)).total == 10**12


def test_unknown_products_named_and_nothing_written(coop: Any, stocked: Any, lpg: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        sell(coop, kasir, (lpg, 1), ("BENSIN", 1), (999_999, 2))
    assert exc.value.code == "product_unknown"
    assert exc.value.message == "Barang tidak dikenal: BENSIN, 999999."
    assert exc.value.detail == {
        "lines": [
            "Barang 'BENSIN' tidak ada di katalog koperasi ini.",
            "Barang '999999' tidak ada di katalog koperasi ini.",
        ]
    }
    for bad in ([], [SaleLineInput(lpg, 1)] * 201):
        with pytest.raises(ValidationError):
            services.sale_create(cooperative=coop, date=SOLD, lines=bad, actor=kasir)
    with pytest.raises(ValidationError):
        services.sale_create(cooperative=coop, date="2026-03-10", lines=[SaleLineInput(lpg, 1)], actor=kasir)  # type: ignore[arg-type]
    assert counts() == before


def test_short_stock_refused_with_stok_tidak_cukup(coop: Any, stocked: Any, lpg: Any, rice: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        sell(coop, kasir, (rice, 1), (lpg, 15), (lpg, 6))  # 21 LPG asked in two lines, 20 held
    assert exc.value.code == "insufficient_stock"
    assert exc.value.message == "Stok tidak cukup di Gerai sembako: LPG 3 kg (tersedia 20 tabung)."
    assert exc.value.message.lower().startswith("stok tidak cukup")
    assert counts() == before
    sale = sell(coop, kasir, (lpg, 15), (lpg, 5))  # the same product twice is fine when it fits
    assert (sale.total, stock_of(lpg)) == (380_000, (0, 0))


def test_stock_at_the_gudang_does_not_sell_at_the_gerai(
    coop: Any, supplier: Any, lpg: Any, kasir: Any, bendahara: Any
) -> None:
    services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(lpg, 5, 16_000)],
        location="gudang",
        actor=bendahara,
    )
    before = counts()
    with pytest.raises(Conflict) as exc:
        sell(coop, kasir, (lpg, 1))
    assert exc.value.message == "Stok tidak cukup di Gerai sembako: LPG 3 kg (tersedia 0 tabung)."
    assert counts() == before
    at_gudang = sell(coop, kasir, (lpg, 1), location="gudang")
    assert at_gudang.location.code == "gudang"


def test_inactive_product_refused(coop: Any, stocked: Any, lpg: Any, oil: Any, kasir: Any, bendahara: Any) -> None:
    services.product_update(
        cooperative=coop,
        product=oil,
        data=ProductInput(sku="MK1", name="MinyaKita 1 L", unit="botol", het_commodity="minyakita"),
        is_active=False,
        actor=bendahara,
    )
    before = counts()
    with pytest.raises(Conflict) as exc:
        sell(coop, kasir, (lpg, 1), (oil, 1))
    assert (exc.value.code, exc.value.message) == ("product_inactive", "Barang tidak dijual lagi: MinyaKita 1 L.")
    assert counts() == before


def test_closed_period_refused(coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any) -> None:
    period_close(cooperative=coop, month=D(2026, 3, 1), reason="Tutup buku Maret", actor=bendahara)
    before = counts()
    with pytest.raises(Conflict) as exc:
        sell(coop, kasir, (lpg, 1))
    assert exc.value.code == "period_closed"
    assert counts() == before
    assert sell(coop, kasir, (lpg, 1), date=D(2026, 4, 1)).total == 19_000


def test_price_above_het_at_sale_time_refused(
    coop: Any, stocked: Any, rice: Any, lpg: Any, kasir: Any, admin_user: Any
) -> None:
    services.het_create(
        commodity="beras_sphp", region_code="64.71", price=13_000, effective_from=D(2026, 3, 9), actor=admin_user
    )
    before = counts()
    with pytest.raises(Conflict) as exc:
        sell(coop, kasir, (lpg, 1), (rice, 1))
    assert exc.value.code == "price_above_het"
    assert exc.value.message == "Harga Beras SPHP 5 kg Rp 65.500 melebihi HET Rp 65.000 yang berlaku pada 10/03/2026."
    assert counts() == before


# --- Another cooperative ---------------------------------------------------------------------------


def test_another_cooperatives_product_member_and_location_refused(
    coop: Any,
    other_coop: Any,
    stocked: Any,
    lpg: Any,
    active_member: Any,
    make_item: Any,
    register_member: Any,
    kasir: Any,
    other_ketua: Any,
    admin_user: Any,
) -> None:
    from koperasi.shop.models import Location

    theirs = make_item(other_coop, sku="LPG-L", name="LPG Lamaru", price=19_000)
    services.locations_ensure(other_coop)
    their_gerai = Location.objects.get(cooperative=other_coop, code="gerai")
    their_member = register_member(other_coop, nik=NIK_WOMAN, name="Siti Lamaru")
    their_session = services.cashier_session_open(cooperative=other_coop, opening_float=0, actor=other_ketua)
    before = counts()
    for ref in (theirs, theirs.pk, "LPG-L"):
        with pytest.raises(ValidationError) as exc:
            sell(coop, kasir, (lpg, 1), (ref, 1))
        assert exc.value.code == "product_unknown"
    for member in (their_member, their_member.pk):
        with pytest.raises(NotFound):
            sell(coop, kasir, (lpg, 1), member=member)
    for place in (their_gerai, their_gerai.pk):
        with pytest.raises(NotFound):
            sell(coop, kasir, (lpg, 1), location=place)
    for session in (their_session, their_session.pk):
        with pytest.raises(NotFound):
            sell(coop, kasir, (lpg, 1), session=session)
    # Lamaru's officer cannot sell Manggar's goods through Lamaru either.
    with pytest.raises(ValidationError):
        sell(other_coop, other_ketua, (lpg, 1))
    # A Manggar member's NIK at Lamaru's till is a stranger there.
    assert services.buyer_member(cooperative=other_coop, member=None, buyer_nik=NIK_MAN) is None
    assert counts() == before
    ours = sell(coop, kasir, (lpg, 1))
    with pytest.raises(NotFound):
        selectors.sale_get(cooperative=other_coop, sale_id=ours.pk)


# --- Ledger totals and queries ---------------------------------------------------------------------


def test_income_statement_of_a_days_sales(
    coop: Any, stocked: Any, rice: Any, lpg: Any, chips: Any, active_member: Any, kasir: Any
) -> None:
    from koperasi.ledger.selectors import income_statement

    sell(coop, kasir, (rice, 1), (chips, 2), member=active_member)
    sell(coop, kasir, (lpg, 4), payment_method="qris", payment_reference="QR-9")
    statement = income_statement(cooperative=coop, date_from=SOLD, date_to=SOLD)
    # Revenue 65.500 (member) + 76.000 (non-member) + 2.000 commission; cost 57.000 + 64.000.
    assert (statement.total_income, statement.total_expense, statement.surplus) == (143_500, 121_000, 22_500)
    totals = (
        JournalLine.objects.filter(entry__cooperative=coop, date=SOLD)
        .values("account__code")
        .annotate(d=Sum("debit"), c=Sum("credit"))
    )
    assert {t["account__code"]: (t["d"], t["c"]) for t in totals} == {
        "1-1100": (85_500, 0),
        "1-1200": (76_000, 0),
        "4-1100": (0, 65_500),
        "4-2100": (0, 76_000),
        "4-1500": (0, 2_000),
        "2-1310": (0, 18_000),
        "5-1100": (121_000, 0),
        "1-1500": (0, 121_000),
    }


def test_a_three_line_member_sale_costs_a_fixed_number_of_queries(
    coop: Any,
    stocked: Any,
    rice: Any,
    lpg: Any,
    oil: Any,
    active_member: Any,
    kasir: Any,
    django_assert_max_num_queries: Any,
) -> None:
    services.cashier_session_open(cooperative=coop, opening_float=100_000, actor=kasir)
    sell(coop, kasir, (lpg, 1))  # the first sale creates the counter and stock rows
    # Measured: 30 on SQLite and PostgreSQL (savepoints included; one asks whether any line is a
    # subsidised product, one adds to the member's monthly purchase total): no query per line.
    with django_assert_max_num_queries(30):
        sale = sell(
            coop,
            kasir,
            (rice, 2),
            ("LPG3", 3),
            (oil.pk, 2),
            member=active_member.pk,
            cash_received=300_000,
            idempotency_key="q-1",
        )
    assert sale.total == 219_400
    with django_assert_max_num_queries(30):
        sell(
            coop,
            kasir,
            (rice, 1),
            (lpg, 1),
            (oil, 1),
            (rice, 1),
            ("MK1", 1),
            member=active_member,
            idempotency_key="q-2",
        )
