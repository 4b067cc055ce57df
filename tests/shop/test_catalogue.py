"""Catalogue: the default HET table, prices never above the HET (set, changed, sold), price history, uniqueness."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry
from koperasi.shop import selectors, services
from koperasi.shop.models import Het, Product, ProductPrice, Sale, SaleLine, StockMove
from koperasi.shop.services import ProductInput, SaleLineInput
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = pytest.mark.django_db

D = datetime.date


def counts() -> dict[str, Any]:
    return {
        "products": Product.objects.count(),
        "prices": ProductPrice.objects.count(),
        "hets": Het.objects.count(),
        "sales": Sale.objects.count(),
        "sale_lines": SaleLine.objects.count(),
        "moves": StockMove.objects.count(),
        "entries": JournalEntry.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="shop.").count(),
        "stock": list(Product.objects.order_by("pk").values_list("pk", "price", "stock_qty", "stock_value")),
    }


def sell(coop: Any, actor: Any, *lines: tuple[Any, int], date: D = SOLD, **extra: Any) -> Sale:
    return services.sale_create(
        cooperative=coop, date=date, lines=[SaleLineInput(p, q) for p, q in lines], actor=actor, **extra
    )


# --- The default HET table (migration 0002) ----------------------------------------------------


def test_default_het_rows_apply_to_a_balikpapan_cooperative(coop: Any) -> None:
    lpg = selectors.het_in_force(cooperative=coop, commodity="lpg_3kg", date=SOLD)
    assert lpg is not None and (lpg.region_code, lpg.price) == ("64.71", 19_000)
    oil = selectors.het_in_force(cooperative=coop, commodity="minyakita", date=SOLD)
    assert oil is not None and (oil.region_code, oil.price) == ("", 15_700)
    medium = selectors.het_in_force(cooperative=coop, commodity="beras_medium", date=SOLD)
    assert medium is not None and (medium.region_code, medium.price) == ("64", 14_000)
    sphp = selectors.het_in_force(cooperative=coop, commodity="beras_sphp", date=SOLD)
    assert sphp is not None and (sphp.region_code, sphp.price) == ("64", 13_100)
    premium = selectors.het_in_force(cooperative=coop, commodity="beras_premium", date=SOLD)
    assert premium is not None and premium.price == 15_400
    assert Het.objects.get(commodity="beras_medium", region_code="64").zone == "Zona 2"
    # Before the rows start there is no ceiling.
    assert selectors.het_in_force(cooperative=coop, commodity="beras_medium", date=D(2025, 8, 21)) is None
    assert selectors.het_in_force(cooperative=coop, commodity="minyakita", date=D(2024, 8, 13)) is None


def test_default_het_rows_of_other_regions(db: Any) -> None:
    from koperasi.shop.calculations import HetRow, het_pick

    rows = [
        HetRow(commodity=c, region_code=r, price=p, effective_from=f, effective_to=t)
        for c, r, p, f, t in Het.objects.values_list(
            "commodity", "region_code", "price", "effective_from", "effective_to"
        )
    ]

    def price(commodity: str, kelurahan: str) -> int | None:
        found = het_pick(rows, commodity=commodity, kelurahan_code=kelurahan, date=SOLD)
        return None if found is None else found.price

    assert price("lpg_3kg", "64.72.01.1001") == 18_000  # Samarinda
    assert price("lpg_3kg", "64.11.01.2001") == 48_000  # Mahakam Ulu
    assert price("lpg_3kg", "31.71.01.1001") is None  # no LPG ceiling outside Kaltim in the defaults
    assert price("beras_medium", "31.71.01.1001") == 13_500  # Jakarta, zone 1
    assert price("beras_medium", "94.71.01.1001") == 15_500  # Papua, zone 3
    assert price("beras_sphp", "53.71.01.1001") == 13_100  # NTT, zone 2
    assert price("minyakita", "94.71.01.1001") == 15_700  # national


def test_product_het_limit_per_selling_unit(coop: Any, rice: Any, lpg: Any, oil: Any, make_item: Any) -> None:
    assert selectors.product_het_limit(cooperative=coop, product=rice, date=SOLD) == 65_500
    assert selectors.product_het_limit(cooperative=coop, product=lpg, date=SOLD) == 19_000
    assert selectors.product_het_limit(cooperative=coop, product=oil, date=SOLD) == 15_700
    half = make_item(
        coop, sku="MK05", name="MinyaKita 500 ml", price=7_850, het_commodity="minyakita", het_quantity="0.5"
    )
    assert selectors.product_het_limit(cooperative=coop, product=half, date=SOLD) == 7_850
    soap = make_item(coop, sku="SBN", name="Sabun", price=4_000)
    assert selectors.product_het_limit(cooperative=coop, product=soap, date=SOLD) is None


# --- Products -----------------------------------------------------------------------------------


def test_product_create_records_the_first_price_and_audit(coop: Any, bendahara: Any) -> None:
    product = services.product_create(
        cooperative=coop,
        data=ProductInput(
            sku="GL1",
            name="Gula pasir 1 kg",
            unit="kg",
            barcode="899000111",
            category="Sembako",
            pack_size=20,
            pack_unit="karung",
            min_stock=5,
        ),
        price=17_500,
        effective_from=BOUGHT,
        actor=bendahara,
    )
    product.refresh_from_db()
    assert (product.price, product.stock_qty, product.stock_value, product.business_unit.code) == (
        17_500,
        0,
        0,
        "gerai_sembako",
    )
    assert list(ProductPrice.objects.filter(product=product).values_list("price", "effective_from", "reason")) == [
        (17_500, BOUGHT, "Harga awal")
    ]
    assert AuditEvent.objects.filter(action="shop.product.create", object_id=str(product.pk)).count() == 1


@pytest.mark.parametrize(
    ("price", "effective_from"),
    [(19_001, BOUGHT), (19_500, SOLD), (20_000, None)],
)
def test_product_price_above_het_refused_on_create(coop: Any, bendahara: Any, price: int, effective_from: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.product_create(
            cooperative=coop,
            data=ProductInput(sku="LPG3", name="LPG 3 kg", unit="tabung", het_commodity="lpg_3kg"),
            price=price,
            effective_from=effective_from,
            actor=bendahara,
        )
    assert exc.value.code == "price_above_het"
    assert exc.value.message.startswith(f"Harga LPG 3 kg Rp {price:,}".replace(",", ".") + " melebihi HET Rp 19.000")
    assert exc.value.detail["het"] == ["19000"]
    assert counts() == before


def test_rice_price_above_five_kilos_of_sphp_refused(coop: Any, make_item: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        make_item(coop, sku="SPHP5", name="Beras SPHP 5 kg", price=65_501, het_commodity="beras_sphp", het_quantity="5")
    assert exc.value.code == "price_above_het"
    assert counts() == before
    assert make_item(
        coop, sku="SPHP5", name="Beras SPHP 5 kg", price=65_500, het_commodity="beras_sphp", het_quantity=5
    )


def test_product_price_set_above_het_refused(coop: Any, lpg: Any, bendahara: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.product_price_set(cooperative=coop, product=lpg, price=19_001, effective_from=SOLD, actor=bendahara)
    assert exc.value.code == "price_above_het"
    assert counts() == before


def test_product_update_linking_a_het_that_refuses_todays_price(coop: Any, make_item: Any, bendahara: Any) -> None:
    gas = make_item(coop, sku="GAS", name="Gas", unit="tabung", price=21_000)
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.product_update(
            cooperative=coop,
            product=gas,
            data=ProductInput(sku="GAS", name="Gas", unit="tabung", het_commodity="lpg_3kg"),
            actor=bendahara,
        )
    assert exc.value.code == "price_above_het"
    assert counts() == before
    assert Product.objects.get(pk=gas.pk).het_commodity == ""


def test_het_added_later_lowers_the_ceiling_and_the_sale_is_refused(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, admin_user: Any
) -> None:
    services.het_create(
        commodity="lpg_3kg",
        region_code="64.71",
        price=18_500,
        effective_from=D(2026, 3, 5),
        legal_basis="SK Gubernur (uji)",
        actor=admin_user,
    )
    before = counts()
    with pytest.raises(Conflict) as exc:
        sell(coop, kasir, (lpg, 1))
    assert exc.value.code == "price_above_het"
    assert "Rp" in exc.value.message and "10/03/2026" in exc.value.message
    assert exc.value.detail["het"] == ["18500"]
    assert counts() == before
    # Before the new ceiling the old price was lawful.
    sale = sell(coop, kasir, (lpg, 1), date=D(2026, 3, 4))
    assert sale.total == 19_000
    # At 18.500 from 5 March it sells again.
    services.product_price_set(
        cooperative=coop, product=lpg, price=18_500, effective_from=D(2026, 3, 5), actor=admin_user
    )
    assert sell(coop, kasir, (lpg, 2)).total == 37_000


def test_a_kelurahan_het_row_beats_the_kota_row(coop: Any, stocked: Any, lpg: Any, kasir: Any, admin_user: Any) -> None:
    services.het_create(
        commodity="lpg_3kg", region_code="64.71.01.1001", price=18_000, effective_from=D(2020, 1, 1), actor=admin_user
    )
    assert selectors.product_het_limit(cooperative=coop, product=lpg, date=SOLD) == 18_000
    with pytest.raises(Conflict):
        sell(coop, kasir, (lpg, 1))


def test_an_ended_het_row_no_longer_limits(coop: Any, make_item: Any, admin_user: Any) -> None:
    services.het_create(
        commodity="minyakita",
        region_code="64.71",
        price=15_000,
        effective_from=D(2026, 1, 1),
        effective_to=D(2026, 2, 28),
        actor=admin_user,
    )
    with pytest.raises(Conflict):
        make_item(
            coop, sku="MK", name="MinyaKita", price=15_500, het_commodity="minyakita", effective_from=D(2026, 2, 1)
        )
    product = make_item(
        coop, sku="MK", name="MinyaKita", price=15_500, het_commodity="minyakita", effective_from=BOUGHT
    )
    assert product.price == 15_500


def test_het_create_refusals(admin_user: Any, db: Any) -> None:
    before = Het.objects.count()
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"commodity": "bensin"}, ValidationError, "commodity"),
        ({"region_code": "64.x"}, ValidationError, "region_code"),
        ({"region_code": "64\x00"}, ValidationError, "region_code"),
        ({"price": 0}, ValidationError, "price"),
        ({"price": -1}, ValidationError, "price"),
        ({"price": 19_000.5}, ValidationError, "price"),
        ({"effective_to": D(2025, 12, 31)}, ValidationError, "effective_to"),
    ]
    for override, error, field in cases:
        kwargs = {"commodity": "lpg_3kg", "region_code": "64.71", "price": 19_000, "effective_from": D(2026, 1, 1)}
        with pytest.raises(error) as exc:
            services.het_create(**{**kwargs, **override}, actor=admin_user)
        assert field in exc.value.detail, override  # type: ignore[attr-defined]
    with pytest.raises(Conflict) as dup:
        services.het_create(
            commodity="lpg_3kg", region_code="64.71", price=19_000, effective_from=D(2022, 1, 1), actor=admin_user
        )
    assert dup.value.code == "het_exists"
    assert Het.objects.count() == before


# --- Price history -------------------------------------------------------------------------------


def test_sale_uses_the_price_in_force_on_its_date(
    coop: Any, stocked: Any, oil: Any, kasir: Any, bendahara: Any
) -> None:
    services.product_price_set(
        cooperative=coop, product=oil, price=15_000, effective_from=D(2026, 3, 5), reason="Promo", actor=bendahara
    )
    services.product_price_set(
        cooperative=coop, product=oil, price=14_500, effective_from=D(2026, 3, 20), actor=bendahara
    )
    assert sell(coop, kasir, (oil, 1), date=D(2026, 3, 4)).total == 15_700
    assert sell(coop, kasir, (oil, 1), date=D(2026, 3, 5)).total == 15_000
    assert sell(coop, kasir, (oil, 2), date=SOLD).total == 30_000
    assert sell(coop, kasir, (oil, 1), date=D(2026, 3, 20)).total == 14_500
    # Before the first price the first applies.
    assert sell(coop, kasir, (oil, 1), date=D(2026, 3, 1)).total == 15_700
    assert [(p.price, p.effective_from) for p in selectors.price_history(cooperative=coop, product=oil)] == [
        (14_500, D(2026, 3, 20)),
        (15_000, D(2026, 3, 5)),
        (15_700, BOUGHT),
    ]
    assert Product.objects.get(pk=oil.pk).price == 14_500  # the price in force today


def test_a_future_price_does_not_change_todays_sale(
    coop: Any, stocked: Any, oil: Any, kasir: Any, bendahara: Any
) -> None:
    today = timezone.localdate()
    services.product_price_set(
        cooperative=coop, product=oil, price=15_200, effective_from=today + datetime.timedelta(days=7), actor=bendahara
    )
    assert Product.objects.get(pk=oil.pk).price == 15_700
    sale = sell(coop, kasir, (oil, 1), date=today)
    assert (sale.total, sale.lines.get().unit_price) == (15_700, 15_700)


def test_price_set_on_the_same_date_replaces_it(coop: Any, oil: Any, bendahara: Any) -> None:
    services.product_price_set(cooperative=coop, product=oil, price=15_000, effective_from=SOLD, actor=bendahara)
    services.product_price_set(cooperative=coop, product=oil, price=14_900, effective_from=SOLD, actor=bendahara)
    assert list(ProductPrice.objects.filter(product=oil, effective_from=SOLD).values_list("price", flat=True)) == [
        14_900
    ]


@pytest.mark.parametrize("price", [0, -100, 15_000.0, "15000", True, 10**13])
def test_price_set_bad_amount_refused(coop: Any, oil: Any, bendahara: Any, price: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.product_price_set(cooperative=coop, product=oil, price=price, effective_from=SOLD, actor=bendahara)
    assert "price" in exc.value.detail
    assert counts() == before


# --- Uniqueness, consignment, bad input ----------------------------------------------------------


def test_sku_and_barcode_unique_per_cooperative(coop: Any, other_coop: Any, rice: Any, make_item: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as sku:
        make_item(coop, sku="sphp5", name="Beras lain", price=60_000)
    assert (sku.value.code, list(sku.value.detail)) == ("sku_taken", ["sku"])
    with pytest.raises(ValidationError) as barcode:
        make_item(coop, sku="BRS2", name="Beras lain", price=60_000, barcode="8991234500015")
    assert (barcode.value.code, list(barcode.value.detail)) == ("barcode_taken", ["barcode"])
    assert counts() == before
    # Another cooperative may use the same SKU and barcode.
    theirs = make_item(other_coop, sku="SPHP5", name="Beras SPHP", price=60_000, barcode="8991234500015")
    assert theirs.cooperative_id == other_coop.pk


def test_product_update_keeps_its_own_sku_but_not_anothers(coop: Any, rice: Any, oil: Any, bendahara: Any) -> None:
    updated = services.product_update(
        cooperative=coop,
        product=rice,
        data=ProductInput(
            sku="SPHP5",
            name="Beras SPHP 5 kg (Bulog)",
            unit="karung",
            het_commodity="beras_sphp",
            het_quantity="5",
            barcode="8991234500015",
        ),
        actor=bendahara,
    )
    assert updated.name == "Beras SPHP 5 kg (Bulog)"
    with pytest.raises(ValidationError) as exc:
        services.product_update(
            cooperative=coop, product=oil, data=ProductInput(sku="SPHP5", name="Minyak"), actor=bendahara
        )
    assert exc.value.code == "sku_taken"


def test_commission_only_for_consignment(coop: Any, make_item: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_item(coop, sku="KRP", name="Keripik", price=10_000, commission_percent="10")
    assert list(exc.value.detail) == ["commission_percent"]
    assert counts() == before


def test_consignment_product_with_a_member_consignor(
    coop: Any, make_item: Any, active_member: Any, bendahara: Any
) -> None:
    umkm = services.supplier_create(
        cooperative=coop, name="Keripik Bu Sri", kind="umkm", member=active_member, actor=bendahara
    )
    chips = make_item(coop, sku="KRP", name="Keripik", price=10_000, consignor=umkm, commission_percent="12,5")
    assert (chips.is_consignment, chips.commission_percent) == (True, Decimal("12.50"))
    by_id = make_item(coop, sku="KRP2", name="Keripik pedas", price=12_000, consignor=umkm.pk, commission_percent=10)
    assert by_id.consignor_id == umkm.pk


def test_another_cooperatives_consignor_or_unit_refused(
    coop: Any, other_coop: Any, make_item: Any, admin_user: Any
) -> None:
    from koperasi.cooperatives.models import BusinessUnit

    theirs = services.supplier_create(cooperative=other_coop, name="UMKM Lamaru", kind="umkm", actor=admin_user)
    before = counts()
    for ref in (theirs, theirs.pk, 999_999):
        with pytest.raises(ValidationError) as exc:
            make_item(coop, sku="KRP", name="Keripik", price=10_000, consignor=ref, commission_percent="10")
        assert list(exc.value.detail) == ["consignor"]
    unit = BusinessUnit.objects.get(cooperative=other_coop, code="gerai_sembako")
    with pytest.raises(ValidationError) as bad_unit:
        make_item(coop, sku="KRP", name="Keripik", price=10_000, business_unit=unit)
    assert list(bad_unit.value.detail) == ["business_unit"]
    assert counts() == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"sku": ""}, "sku"),
        ({"sku": "A\x00B"}, "sku"),
        ({"sku": "S" * 41}, "sku"),
        ({"name": "  "}, "name"),
        ({"unit": ""}, "unit"),
        ({"het_commodity": "bensin"}, "het_commodity"),
        ({"het_commodity": "lpg_3kg", "het_quantity": "0"}, "het_quantity"),
        ({"het_commodity": "lpg_3kg", "het_quantity": "abc"}, "het_quantity"),
        ({"het_commodity": "lpg_3kg", "het_quantity": "NaN"}, "het_quantity"),
        ({"pack_size": 0}, "pack_size"),
        ({"pack_size": 2.5}, "pack_size"),
        ({"min_stock": -1}, "min_stock"),
        ({"business_unit": "toko_emas"}, "business_unit"),
        ({"commission_percent": "101"}, "commission_percent"),
    ],
)
def test_product_bad_fields_refused(coop: Any, make_item: Any, fields: dict[str, Any], field: str) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_item(coop, **{"sku": "OK1", "name": "Barang", "price": 10_000, **fields})
    assert field in exc.value.detail
    assert counts() == before


@pytest.mark.parametrize("price", [0, -5, 1.5, "1000", None, 10**13])
def test_product_bad_price_refused(coop: Any, make_item: Any, price: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_item(coop, sku="OK1", name="Barang", price=price)
    assert list(exc.value.detail) == ["price"]
    assert counts() == before


def test_another_cooperatives_product_cannot_be_changed(
    coop: Any, other_coop: Any, make_item: Any, bendahara: Any
) -> None:
    theirs = make_item(other_coop, sku="X1", name="Barang Lamaru", price=5_000)
    before = counts()
    with pytest.raises(NotFound):
        services.product_update(
            cooperative=coop, product=theirs, data=ProductInput(sku="X1", name="Y"), actor=bendahara
        )
    for ref in (theirs, theirs.pk):
        with pytest.raises(ValidationError) as exc:
            services.product_price_set(cooperative=coop, product=ref, price=4_000, effective_from=SOLD, actor=bendahara)
        assert exc.value.code == "product_unknown"
    with pytest.raises(NotFound):
        selectors.product_get(cooperative=coop, product_id=theirs.pk)
    assert selectors.product_find(cooperative=coop, code="X1") is None
    assert counts() == before


def test_product_find_by_barcode_or_sku(coop: Any, rice: Any, lpg: Any) -> None:
    assert selectors.product_find(cooperative=coop, code="8991234500015") == rice
    assert selectors.product_find(cooperative=coop, code=" lpg3 ") == lpg
    assert selectors.product_find(cooperative=coop, code="") is None
    assert selectors.product_find(cooperative=coop, code="000") is None


def test_consignor_cannot_change_while_stock_exists(
    coop: Any, make_item: Any, active_member: Any, bendahara: Any
) -> None:
    umkm = services.supplier_create(
        cooperative=coop, name="UMKM Sri", kind="umkm", member=active_member, actor=bendahara
    )
    chips = make_item(coop, sku="KRP", name="Keripik", price=10_000, consignor=umkm, commission_percent="10")
    services.consignment_receive(cooperative=coop, product=chips, qty=5, date=BOUGHT, actor=bendahara)
    with pytest.raises(Conflict) as exc:
        services.product_update(
            cooperative=coop, product=chips, data=ProductInput(sku="KRP", name="Keripik"), actor=bendahara
        )
    assert exc.value.code == "consignment_change_with_stock"
    assert Product.objects.get(pk=chips.pk).consignor_id == umkm.pk
