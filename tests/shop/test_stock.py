"""Stock: transfers gudang → gerai, stock counts (opname) at moving-average cost, consignment goods in and out."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Sum

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.ledger.services import period_close
from koperasi.shop import selectors, services
from koperasi.shop.models import (
    ConsignmentSettlement,
    Product,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMove,
    StockTransfer,
    StockTransferLine,
)
from koperasi.shop.services import PurchaseLineInput, SaleLineInput
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = pytest.mark.django_db

D = datetime.date
GU = "gerai_sembako"


def counts() -> dict[str, Any]:
    return {
        "transfers": StockTransfer.objects.count(),
        "transfer_lines": StockTransferLine.objects.count(),
        "counts": StockCount.objects.count(),
        "count_lines": StockCountLine.objects.count(),
        "settlements": ConsignmentSettlement.objects.count(),
        "moves": StockMove.objects.count(),
        "levels": list(StockLevel.objects.order_by("pk").values_list("location__code", "product_id", "qty")),
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


def stock_of(product: Any) -> tuple[int, int]:
    fresh = Product.objects.get(pk=product.pk)
    return fresh.stock_qty, fresh.stock_value


def level(product: Any, code: str) -> int:
    row = StockLevel.objects.filter(product=product, location__code=code).first()
    return row.qty if row else 0


@pytest.fixture
def in_gudang(coop: Any, supplier: Any, lpg: Any, oil: Any, bendahara: Any) -> Any:
    """30 LPG at Rp16.000 and 12 oil at Rp14.000 bought into the gudang."""
    return services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(lpg, 30, 16_000), PurchaseLineInput(oil, 12, 14_000)],
        location="gudang",
        actor=bendahara,
    )


@pytest.fixture
def umkm(coop: Any, active_member: Any, bendahara: Any) -> Any:
    return services.supplier_create(
        cooperative=coop, name="Keripik Bu Sri", kind="umkm", member=active_member, actor=bendahara
    )


@pytest.fixture
def chips(coop: Any, umkm: Any, make_item: Any) -> Any:
    """Keripik at Rp10.000 a pack, consigned by Budi's UMKM for a 10 % commission."""
    return make_item(coop, sku="KRP", name="Keripik singkong", price=10_000, consignor=umkm, commission_percent="10")


# --- Transfers -------------------------------------------------------------------------------------


def test_transfer_gudang_to_gerai_moves_levels_without_a_journal_entry(
    coop: Any, in_gudang: Any, lpg: Any, oil: Any, kasir: Any
) -> None:
    entries = JournalEntry.objects.count()
    transfer = services.stock_transfer(
        cooperative=coop,
        from_location="gudang",
        to_location="gerai",
        date=D(2026, 3, 3),
        lines=[(lpg, 12), ("MK1", 5)],
        note="Isi rak",
        actor=kasir,
    )
    assert (transfer.transfer_no, transfer.from_location.code, transfer.to_location.code) == (
        "MT-000001",
        "gudang",
        "gerai",
    )
    assert JournalEntry.objects.count() == entries
    assert [(level(lpg, "gudang"), level(lpg, "gerai")), (level(oil, "gudang"), level(oil, "gerai"))] == [
        (18, 12),
        (7, 5),
    ]
    assert [stock_of(lpg), stock_of(oil)] == [(30, 480_000), (12, 168_000)]  # the value stays in inventory
    moves = StockMove.objects.filter(source_type="shop.stocktransfer").order_by("id")
    assert list(moves.values_list("kind", "location__code", "product_id", "qty", "value")) == [
        ("transfer_out", "gudang", lpg.pk, -12, -192_000),
        ("transfer_in", "gerai", lpg.pk, 12, 192_000),
        ("transfer_out", "gudang", oil.pk, -5, -70_000),
        ("transfer_in", "gerai", oil.pk, 5, 70_000),
    ]
    # The gerai now sells what came from the gudang.
    sale = services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(lpg, 12)], actor=kasir)
    assert (sale.total, sale.cost_total, level(lpg, "gerai")) == (228_000, 192_000, 0)
    gudang = selectors.location_get(cooperative=coop, location_id="gudang")
    assert [(r.sku, r.qty, r.value) for r in selectors.stock_list(cooperative=coop, location=gudang)] == [
        ("LPG3", 18, 288_000),
        ("MK1", 7, 98_000),  # 7 of the 12 bottles worth 168.000
    ]
    assert [(r.sku, r.qty, r.value) for r in selectors.stock_list(cooperative=coop)] == [
        ("LPG3", 18, 288_000),
        ("MK1", 12, 168_000),
    ]


def test_transfer_short_stock_refused(coop: Any, in_gudang: Any, lpg: Any, oil: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.stock_transfer(
            cooperative=coop,
            from_location="gudang",
            to_location="gerai",
            date=SOLD,
            lines=[(lpg, 5), (oil, 13)],
            actor=kasir,
        )
    assert exc.value.code == "insufficient_stock"
    assert exc.value.message == "Stok tidak cukup di Gudang: MinyaKita 1 L (tersedia 12 botol)."
    # The same product twice in one transfer counts both lines.
    with pytest.raises(Conflict) as twice:
        services.stock_transfer(
            cooperative=coop,
            from_location="gudang",
            to_location="gerai",
            date=SOLD,
            lines=[(lpg, 20), (lpg, 11)],
            actor=kasir,
        )
    assert twice.value.message.startswith("Stok tidak cukup")
    # Nothing at the gerai to send back.
    with pytest.raises(Conflict):
        services.stock_transfer(
            cooperative=coop, from_location="gerai", to_location="gudang", date=SOLD, lines=[(lpg, 1)], actor=kasir
        )
    assert counts() == before


@pytest.mark.parametrize(
    ("kwargs", "error", "field"),
    [
        ({"to_location": "gudang"}, ValidationError, "to_location"),
        ({"lines": []}, ValidationError, "lines"),
        ({"lines": [("LPG3", 0)]}, ValidationError, "lines.1.qty"),
        ({"lines": [("LPG3", -2)]}, ValidationError, "lines.1.qty"),
        ({"lines": [("LPG3", 2.0)]}, ValidationError, "lines.1.qty"),
        ({"lines": [("LPG3", 10**9)]}, ValidationError, "lines.1.qty"),
        ({"lines": [("NOPE", 1)]}, ValidationError, "lines"),
        ({"note": "a\x00"}, ValidationError, "note"),
        ({"to_location": "toko-2"}, NotFound, None),
    ],
)
def test_transfer_bad_input_refused(
    coop: Any, in_gudang: Any, kasir: Any, kwargs: dict[str, Any], error: type[Exception], field: str | None
) -> None:
    before = counts()
    base = {"from_location": "gudang", "to_location": "gerai", "date": SOLD, "lines": [("LPG3", 1)]}
    with pytest.raises(error) as exc:
        services.stock_transfer(cooperative=coop, **{**base, **kwargs}, actor=kasir)
    if field:
        assert field in exc.value.detail  # type: ignore[attr-defined]
    assert counts() == before


# --- Stock counts ----------------------------------------------------------------------------------


def test_count_shortage_posted_at_average_cost(coop: Any, stocked: Any, rice: Any, bendahara: Any) -> None:
    count = services.stock_count_post(
        cooperative=coop,
        location="gerai",
        date=D(2026, 3, 31),
        counts={rice.pk: 9},
        note="Opname Maret",
        actor=bendahara,
    )
    assert (count.count_no, count.variance_value) == ("SO-000001", -57_000)
    assert lines_of(count.journal_entry) == [("5-2800", 57_000, 0, GU, None), ("1-1500", 0, 57_000, GU, None)]
    assert list(
        StockCountLine.objects.filter(count=count).values_list("system_qty", "counted_qty", "variance_value")
    ) == [(10, 9, -57_000)]
    assert (stock_of(rice), level(rice, "gerai")) == ((9, 513_000), 9)
    assert list(StockMove.objects.filter(kind="count").values_list("qty", "value")) == [(-1, -57_000)]


def test_count_surplus_posted_at_average_cost(coop: Any, stocked: Any, lpg: Any, supplier: Any, bendahara: Any) -> None:
    services.purchase_direct(
        cooperative=coop, supplier=supplier, date=BOUGHT, lines=[PurchaseLineInput(lpg, 1, 16_500)], actor=bendahara
    )
    # 21 tabung worth 336.500 (average 16.023,81); two more are found: 32.048.
    count = services.stock_count_post(
        cooperative=coop, location="gerai", date=SOLD, counts={lpg.pk: 23}, actor=bendahara
    )
    assert count.variance_value == 32_048
    assert lines_of(count.journal_entry) == [("1-1500", 32_048, 0, GU, None), ("5-2800", 0, 32_048, GU, None)]
    assert stock_of(lpg) == (23, 368_548)


def test_count_surplus_of_a_sold_out_product_at_the_last_purchase_cost(
    coop: Any, stocked: Any, lpg: Any, supplier: Any, bendahara: Any, kasir: Any
) -> None:
    services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=D(2026, 3, 3),
        lines=[PurchaseLineInput(lpg, 5, 17_000)],
        actor=bendahara,
    )
    services.sale_create(cooperative=coop, date=D(2026, 3, 4), lines=[SaleLineInput(lpg, 25)], actor=kasir)
    assert stock_of(lpg) == (0, 0)
    count = services.stock_count_post(
        cooperative=coop, location="gerai", date=SOLD, counts={lpg.pk: 2}, actor=bendahara
    )
    assert count.variance_value == 34_000  # 2 × the last purchase cost 17.000
    assert lines_of(count.journal_entry) == [("1-1500", 34_000, 0, GU, None), ("5-2800", 0, 34_000, GU, None)]
    assert stock_of(lpg) == (2, 34_000)


def test_count_with_shortage_and_surplus_posts_each_product_and_the_net(
    coop: Any, stocked: Any, rice: Any, lpg: Any, oil: Any, bendahara: Any
) -> None:
    count = services.stock_count_post(
        cooperative=coop,
        location="gerai",
        date=SOLD,
        counts={rice.pk: 8, lpg.pk: 21, oil.pk: 24},
        actor=bendahara,
    )
    assert list(
        StockCountLine.objects.filter(count=count).order_by("product_id").values_list("product_id", "variance_value")
    ) == [(rice.pk, -114_000), (lpg.pk, 16_000), (oil.pk, 0)]
    assert count.variance_value == -98_000
    assert lines_of(count.journal_entry) == [("5-2800", 98_000, 0, GU, None), ("1-1500", 0, 98_000, GU, None)]
    assert StockMove.objects.filter(kind="count").count() == 2  # the oil matched: no move


def test_count_of_two_business_units_posts_each_units_inventory(
    coop: Any, stocked: Any, rice: Any, supplier: Any, make_item: Any, bendahara: Any
) -> None:
    medicine = make_item(coop, sku="PCT", name="Paracetamol", unit="strip", price=5_000, business_unit="apotek")
    services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(medicine, 10, 3_500)],
        actor=bendahara,
    )
    count = services.stock_count_post(
        cooperative=coop, location="gerai", date=SOLD, counts={rice.pk: 9, medicine.pk: 11}, actor=bendahara
    )
    assert count.variance_value == -57_000 + 3_500
    assert lines_of(count.journal_entry) == [
        ("5-2800", 57_000, 0, GU, None),
        ("1-1500", 0, 57_000, GU, None),
        ("1-1500", 3_500, 0, "apotek", None),
        ("5-2800", 0, 3_500, "apotek", None),
    ]


def test_count_that_matches_posts_nothing(coop: Any, stocked: Any, rice: Any, bendahara: Any) -> None:
    entries = JournalEntry.objects.count()
    count = services.stock_count_post(
        cooperative=coop, location="gerai", date=SOLD, counts={rice.pk: 10}, actor=bendahara
    )
    assert (count.variance_value, count.journal_entry_id) == (0, None)
    assert JournalEntry.objects.count() == entries


def test_count_refusals(coop: Any, stocked: Any, rice: Any, bendahara: Any) -> None:
    before = counts()
    for bad in ({}, {rice.pk: -1}, {rice.pk: 1.5}, {rice.pk: "9"}, {rice.pk: 10**9}, {rice.pk: True}):
        with pytest.raises(ValidationError):
            services.stock_count_post(cooperative=coop, location="gerai", date=SOLD, counts=bad, actor=bendahara)
    with pytest.raises(ValidationError) as unknown:
        services.stock_count_post(cooperative=coop, location="gerai", date=SOLD, counts={999_999: 1}, actor=bendahara)
    assert unknown.value.code == "product_unknown"
    with pytest.raises(NotFound):
        services.stock_count_post(cooperative=coop, location="toko", date=SOLD, counts={rice.pk: 1}, actor=bendahara)
    period_close(cooperative=coop, month=D(2026, 3, 1), reason="Tutup buku", actor=bendahara)
    with pytest.raises(Conflict) as closed:
        services.stock_count_post(cooperative=coop, location="gerai", date=SOLD, counts={rice.pk: 9}, actor=bendahara)
    assert closed.value.code == "period_closed"
    assert counts() == before


# --- Consignment goods -----------------------------------------------------------------------------


def test_consignment_goods_in_and_out_have_quantity_but_no_value(
    coop: Any, chips: Any, umkm: Any, bendahara: Any, kasir: Any
) -> None:
    entries = JournalEntry.objects.count()
    move = services.consignment_receive(cooperative=coop, product=chips, qty=30, date=BOUGHT, actor=kasir)
    assert (move.kind, move.qty, move.value, move.location.code) == ("consignment_in", 30, 0, "gerai")
    back = services.consignment_receive(
        cooperative=coop, product=chips.pk, qty=4, date=SOLD, withdraw=True, actor=kasir
    )
    assert (back.kind, back.qty, back.value) == ("consignment_out", -4, 0)
    assert (stock_of(chips), level(chips, "gerai")) == ((26, 0), 26)
    assert JournalEntry.objects.count() == entries
    before = counts()
    with pytest.raises(Conflict) as short:
        services.consignment_receive(cooperative=coop, product=chips, qty=27, date=SOLD, withdraw=True, actor=kasir)
    assert short.value.code == "insufficient_stock"
    assert short.value.message == "Stok tidak cukup di Gerai sembako: Keripik singkong (tersedia 26 pcs)."
    for qty in (0, -1, 2.5, "3"):
        with pytest.raises(ValidationError):
            services.consignment_receive(cooperative=coop, product=chips, qty=qty, date=SOLD, actor=kasir)
    assert counts() == before


def test_consignment_receive_of_own_goods_refused(coop: Any, lpg: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.consignment_receive(cooperative=coop, product=lpg, qty=3, date=SOLD, actor=kasir)
    assert exc.value.message == "LPG 3 kg bukan barang titipan."
    assert counts() == before


def test_consignment_count_changes_quantity_only(coop: Any, chips: Any, bendahara: Any) -> None:
    services.consignment_receive(cooperative=coop, product=chips, qty=10, date=BOUGHT, actor=bendahara)
    count = services.stock_count_post(
        cooperative=coop, location="gerai", date=SOLD, counts={chips.pk: 8}, actor=bendahara
    )
    assert (count.variance_value, count.journal_entry_id) == (0, None)
    assert stock_of(chips) == (8, 0)


def test_consignment_settlement(
    coop: Any, chips: Any, umkm: Any, active_member: Any, bendahara: Any, kasir: Any, fund_cash: Any
) -> None:
    fund_cash(coop, 1_000_000)
    services.consignment_receive(cooperative=coop, product=chips, qty=10, date=BOUGHT, actor=kasir)
    services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(chips, 6)], actor=kasir)
    assert selectors.consignment_payable(cooperative=coop, consignor=umkm) == 54_000  # 60.000 − 10 %
    before = counts()
    with pytest.raises(Conflict) as over:
        services.consignment_settle(
            cooperative=coop, consignor=umkm, amount=54_001, date=SOLD, channel="tunai", actor=bendahara
        )
    assert over.value.code == "amount_over_payable"
    assert counts() == before
    settlement = services.consignment_settle(
        cooperative=coop, consignor=umkm.pk, amount=54_000, date=SOLD, channel="tunai", actor=bendahara
    )
    assert lines_of(settlement.journal_entry) == [
        ("2-1310", 54_000, 0, None, active_member.pk),
        ("1-1100", 0, 54_000, None, None),
    ]
    assert selectors.consignment_payable(cooperative=coop, consignor=umkm) == 0
    lines = JournalLine.objects.filter(entry__cooperative=coop, account__code="2-1310").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    assert lines == {"d": 54_000, "c": 54_000}


# --- Another cooperative ---------------------------------------------------------------------------


def test_another_cooperatives_stock_objects_are_not_found(
    coop: Any, other_coop: Any, in_gudang: Any, chips: Any, umkm: Any, lpg: Any, make_item: Any, admin_user: Any
) -> None:
    services.locations_ensure(other_coop)
    make_item(other_coop, sku="LPG3", name="LPG Lamaru", price=19_000)
    gudang = selectors.location_get(cooperative=coop, location_id="gudang")
    before = counts()
    for place in (gudang, gudang.pk):
        with pytest.raises(NotFound):
            services.stock_transfer(
                cooperative=other_coop,
                from_location=place,
                to_location="gerai",
                date=SOLD,
                lines=[("LPG3", 1)],
                actor=admin_user,
            )
        with pytest.raises(NotFound):
            services.stock_count_post(
                cooperative=other_coop, location=place, date=SOLD, counts={lpg.pk: 1}, actor=admin_user
            )
    for ref in (lpg, lpg.pk):
        with pytest.raises(ValidationError) as unknown:
            services.stock_transfer(
                cooperative=other_coop,
                from_location="gudang",
                to_location="gerai",
                date=SOLD,
                lines=[(ref, 1)],
                actor=admin_user,
            )
        assert unknown.value.code == "product_unknown"
    with pytest.raises(ValidationError):
        services.stock_count_post(
            cooperative=other_coop, location="gerai", date=SOLD, counts={lpg.pk: 0}, actor=admin_user
        )
    for ref in (chips, chips.pk):
        with pytest.raises(ValidationError):
            services.consignment_receive(cooperative=other_coop, product=ref, qty=1, date=SOLD, actor=admin_user)
    for ref in (umkm, umkm.pk):
        with pytest.raises(NotFound):
            services.consignment_settle(
                cooperative=other_coop, consignor=ref, amount=1, date=SOLD, channel="tunai", actor=admin_user
            )
    with pytest.raises(NotFound):
        selectors.location_get(cooperative=other_coop, location_id=gudang.pk)
    assert counts() == before
