"""The till (``shop.services.sale_create``) enforces programmes: price, NIK, registration, category, dates, quotas.

Every refusal writes nothing; every accepted subsidised line writes one logbook row; returns
and voids give the quota back; other lines and other cooperatives are not affected.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Sum

from koperasi.core.errors import Conflict, ValidationError
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.shop import selectors as shop_selectors
from koperasi.shop import services as shop
from koperasi.shop.models import Product, Sale, SaleLine, StockLevel, StockMove
from koperasi.subsidies import selectors
from koperasi.subsidies.models import Distribution
from tests.conftest import KK, NIK_MAN
from tests.shop.conftest import BOUGHT, SOLD
from tests.subsidies.conftest import KK_A, KK_B, NIK_A1, NIK_A2, NIK_B1, NIK_UNREGISTERED

pytestmark = pytest.mark.django_db
D = datetime.date
NIB = "1234567890123"


def sell(coop: Any, actor: Any, *lines: tuple[Any, int], day: D = SOLD, **extra: Any) -> Sale:
    return shop.sale_create(
        cooperative=coop, date=day, lines=[shop.SaleLineInput(p, q) for p, q in lines], actor=actor, **extra
    )


def snapshot() -> dict[str, Any]:
    return {
        "sales": Sale.objects.count(),
        "lines": SaleLine.objects.count(),
        "distributions": Distribution.objects.count(),
        "entries": JournalEntry.objects.count(),
        "moves": StockMove.objects.count(),
        "stock": list(Product.objects.order_by("pk").values_list("pk", "stock_qty", "stock_value")),
        "levels": list(StockLevel.objects.order_by("pk").values_list("pk", "qty")),
    }


def refused(coop: Any, actor: Any, *lines: tuple[Any, int], **extra: Any) -> Conflict:
    """Sell, expect a Conflict, and check that nothing was written."""
    before = snapshot()
    with pytest.raises(Conflict) as exc:
        sell(coop, actor, *lines, **extra)
    assert snapshot() == before
    return exc.value


def revenue(sale: Sale) -> int:
    lines = JournalLine.objects.filter(entry=sale.journal_entry_id, account__code__startswith="4")
    return int(lines.aggregate(s=Sum("credit"))["s"] or 0)


def net_qty(kk: str, first: D, last: D) -> int:
    rows = Distribution.objects.filter(kk=kk, date__range=(first, last)).values_list(
        "sale_line__qty", "sale_line__qty_returned"
    )
    return sum(q - r for q, r in rows)


# --- Price ----------------------------------------------------------------------------------------------


def test_the_programme_price_replaces_a_lower_shelf_price(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, bendahara: Any
) -> None:
    shop.product_price_set(cooperative=coop, product=lpg, price=17_500, effective_from=D(2026, 3, 5), actor=bendahara)
    assert shop_selectors.prices_on(cooperative=coop, product_ids=[lpg.pk], date=SOLD) == {lpg.pk: 17_500}
    sale = sell(coop, kasir, (lpg, 2), buyer_nik=NIK_A1)
    (line,) = sale.lines.all()
    assert (line.unit_price, line.line_total, sale.total) == (19_000, 38_000, 38_000)
    assert revenue(sale) == 38_000
    assert Distribution.objects.get().unit_price == 19_000


def test_the_programme_price_replaces_a_higher_shelf_price(
    coop: Any, stocked: Any, lpg: Any, make_program: Any, households: Any, kasir: Any
) -> None:
    make_program(lpg, price=18_000, rules=[("kk", "month", 10)])
    sale = sell(coop, kasir, (lpg, 3), buyer_nik=NIK_A1, cash_received=60_000)
    (line,) = sale.lines.all()
    assert (line.unit_price, sale.total, sale.change) == (18_000, 54_000, 6_000)
    assert revenue(sale) == 54_000


def test_a_het_lowered_after_the_programme_refuses_the_sale(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, admin_user: Any
) -> None:
    shop.het_create(
        commodity="lpg_3kg", region_code="64.71", price=18_500, effective_from=D(2026, 3, 8), actor=admin_user
    )
    sell(coop, kasir, (lpg, 1), day=D(2026, 3, 7), buyer_nik=NIK_A1)  # the old HET still held
    error = refused(coop, kasir, (lpg, 1), buyer_nik=NIK_A2)
    assert error.code == "price_above_het"
    assert error.message == "Harga LPG 3 kg Rp 19.000 melebihi HET Rp 18.500 yang berlaku pada 10/03/2026."


# --- Who may buy -------------------------------------------------------------------------------------


def test_a_programme_product_needs_the_buyers_nik(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, kasir: Any
) -> None:
    error = refused(coop, kasir, (lpg, 1), buyer_name="Pak Ahmad")
    assert error.code == "nik_required"
    assert error.message == (
        "LPG 3 kg barang bersubsidi: hanya dijual dengan NIK pembeli; ketik NIK atau pindai kartu anggota."
    )
    assert error.detail == {"buyer_nik": ["NIK pembeli wajib untuk barang bersubsidi."]}


def test_an_invalid_nik_or_reference_is_a_validation_error(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any
) -> None:
    before = snapshot()
    for extra, field in [
        ({"buyer_nik": "6471041203"}, "buyer_nik"),
        ({"buyer_nik": "64710412038\x0000001"}, "buyer_nik"),
        ({"buyer_nik": NIK_A1, "partner_reference": "MAP\x00"}, "partner_reference"),
        ({"buyer_nik": NIK_A1, "partner_reference": "M" * 101}, "partner_reference"),
    ]:
        with pytest.raises(ValidationError) as exc:
            sell(coop, kasir, (lpg, 1), **extra)
        assert field in exc.value.detail, extra
    assert snapshot() == before


def test_an_unregistered_nik_is_refused(coop: Any, stocked: Any, lpg: Any, lpg_program: Any, kasir: Any) -> None:
    error = refused(coop, kasir, (lpg, 1), buyer_nik=NIK_UNREGISTERED)
    assert error.code == "recipient_not_registered"
    assert error.message == (
        "NIK 6471••••••••0003 belum terdaftar sebagai penerima LPG 3 kg bersubsidi; daftarkan dahulu dengan KTP dan KK."
    )


def test_an_open_programme_sells_to_unregistered_niks_within_the_nik_rules(
    coop: Any, stocked: Any, oil: Any, make_program: Any, kasir: Any
) -> None:
    make_program(oil, name="MinyaKita", price=15_700, registration_required=False, rules=[("nik", "day", 4)])
    sale = sell(coop, kasir, (oil, 3), buyer_nik=NIK_UNREGISTERED, buyer_name="Pak Ahmad", partner_reference="DMO-1")
    row = Distribution.objects.get()
    assert (row.sale_id, row.recipient_id, row.nik, row.kk, row.name, row.category) == (
        sale.pk,
        None,
        NIK_UNREGISTERED,
        "",
        "Pak Ahmad",
        "",
    )
    assert (row.qty, row.unit_price, row.partner_reference, row.reached_limit) == (3, 15_700, "DMO-1", False)
    error = refused(coop, kasir, (oil, 2), buyer_nik=NIK_UNREGISTERED)
    assert error.code == "quota_exceeded"
    assert error.message == (
        "MinyaKita 1 L untuk NIK 6471••••••••0003: Kuota NIK hari ini tersisa 1 botol "
        "(batas 4 botol per NIK per hari); diminta 2 botol."
    )
    sell(coop, kasir, (oil, 1), buyer_nik=NIK_UNREGISTERED)
    assert list(Distribution.objects.order_by("pk").values_list("qty", "reached_limit", "name")) == [
        (3, False, "Pak Ahmad"),
        (1, True, ""),
    ]


def test_an_inactive_recipient_is_refused(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any
) -> None:
    from koperasi.subsidies.services import recipient_deactivate

    recipient_deactivate(
        cooperative=coop, recipient=households["a2"], reason="Meninggal dunia", date=D(2026, 3, 8), actor=kasir
    )
    error = refused(coop, kasir, (lpg, 1), buyer_nik=NIK_A2)
    assert error.code == "recipient_inactive"
    assert error.message == "Penerima Siti Aminah (6471••••••••0002) dinonaktifkan sejak 08/03/2026: Meninggal dunia"
    assert error.detail["remaining"] == ["0"]


def test_a_category_outside_the_programme_is_refused(
    coop: Any, stocked: Any, rice: Any, sphp_program: Any, register: Any, kasir: Any
) -> None:
    register(category="usaha_mikro", nib=NIB, business_name="Warung Budi")
    error = refused(coop, kasir, (rice, 1), buyer_nik=NIK_A1)
    assert error.code == "category_not_eligible"
    assert error.message == "Kategori usaha mikro tidak termasuk penerima Beras SPHP (yang boleh: rumah tangga)."


def test_a_member_card_gives_the_buyers_nik(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, active_member: Any, register: Any, kasir: Any
) -> None:
    error = refused(coop, kasir, (lpg, 1), member=active_member)
    assert error.code == "recipient_not_registered"  # the card's NIK was checked
    recipient = register(nik=NIK_MAN, kk=KK)
    sale = sell(coop, kasir, (lpg, 1), member=active_member.pk)
    row = Distribution.objects.get()
    assert (sale.member_id, sale.buyer_nik, row.nik, row.kk, row.recipient_id, row.name) == (
        active_member.pk,
        NIK_MAN,
        NIK_MAN,
        KK,
        recipient.pk,
        "Budi Santoso",
    )


# --- Programme dates ---------------------------------------------------------------------------------


def test_outside_the_programme_dates_the_product_is_not_sold(
    coop: Any, stocked: Any, lpg: Any, make_program: Any, households: Any, kasir: Any
) -> None:
    make_program(lpg, name="LPG Maret", valid_from=D(2026, 3, 5), valid_to=D(2026, 3, 20), rules=[("kk", "month", 10)])
    early = refused(coop, kasir, (lpg, 1), day=D(2026, 3, 4), buyer_nik=NIK_A1)
    assert early.code == "program_not_started"
    assert early.message == "LPG 3 kg: Program LPG Maret baru berlaku mulai 05/03/2026."
    late = refused(coop, kasir, (lpg, 1), day=D(2026, 3, 21), buyer_nik=NIK_A1)
    assert late.code == "program_expired"
    assert late.message == (
        "LPG 3 kg: Program LPG Maret berakhir pada 20/03/2026; barang bersubsidi tidak boleh dijual di luar program."
    )
    # Not even without a NIK: the programme's product is not resold at will.
    assert refused(coop, kasir, (lpg, 1), day=D(2026, 3, 21)).code == "program_expired"
    sell(coop, kasir, (lpg, 1), day=D(2026, 3, 5), buyer_nik=NIK_A1)
    sell(coop, kasir, (lpg, 1), day=D(2026, 3, 20), buyer_nik=NIK_A1)
    assert Distribution.objects.count() == 2


def test_between_two_programmes_the_ended_one_is_named(
    coop: Any, stocked: Any, lpg: Any, make_program: Any, households: Any, kasir: Any
) -> None:
    make_program(lpg, name="LPG lama", valid_to=D(2026, 3, 8), rules=[("kk", "month", 10)])
    make_program(lpg, name="LPG baru", valid_from=D(2026, 3, 12), rules=[("kk", "month", 10)])
    error = refused(coop, kasir, (lpg, 1), day=D(2026, 3, 10), buyer_nik=NIK_A1)
    assert (error.code, error.message.split(";")[0]) == (
        "program_expired",
        "LPG 3 kg: Program LPG lama berakhir pada 08/03/2026",
    )
    sell(coop, kasir, (lpg, 1), day=D(2026, 3, 12), buyer_nik=NIK_A1)
    assert Distribution.objects.get().program.name == "LPG baru"


# --- Quotas --------------------------------------------------------------------------------------------


def test_sphp_two_packs_per_nik_per_day(
    coop: Any, stocked: Any, rice: Any, sphp_program: Any, households: Any, kasir: Any
) -> None:
    error = refused(coop, kasir, (rice, 3), buyer_nik=NIK_A1)
    assert error.code == "quota_exceeded"
    assert error.message == (
        "Beras SPHP 5 kg untuk NIK 6471••••••••0001: Kuota NIK hari ini tersisa 2 karung "
        "(batas 2 karung per NIK per hari); diminta 3 karung."
    )
    assert error.detail == {
        "remaining": ["2"],
        "rule": ["2 karung per NIK per hari"],
        "lines": ["Kuota NIK hari ini tersisa 2 karung (batas 2 karung per NIK per hari); diminta 3 karung."],
    }
    # Two lines of the same product count together.
    assert refused(coop, kasir, (rice, 1), (rice, 2), buyer_nik=NIK_A1).code == "quota_exceeded"
    sale = sell(coop, kasir, (rice, 1), (rice, 1), buyer_nik=NIK_A1)
    assert sale.total == 131_000
    rows = list(Distribution.objects.order_by("pk").values_list("sale_line_id", "qty", "reached_limit"))
    assert rows == [(ln.pk, 1, True) for ln in sale.lines.order_by("pk")]
    again = refused(coop, kasir, (rice, 1), buyer_nik=NIK_A1)
    assert "Kuota NIK hari ini tersisa 0 karung" in again.message
    sell(coop, kasir, (rice, 2), buyer_nik=NIK_A2)  # another NIK of the same KK: a NIK rule
    sell(coop, kasir, (rice, 2), day=D(2026, 3, 11), buyer_nik=NIK_A1)  # the next day
    assert Distribution.objects.aggregate(s=Sum("qty"))["s"] == 6


def test_a_per_purchase_limit(
    coop: Any, stocked: Any, rice: Any, make_program: Any, households: Any, kasir: Any
) -> None:
    make_program(rice, name="SPHP per beli", price=65_500, rules=[("nik", "purchase", 2)])
    error = refused(coop, kasir, (rice, 3), buyer_nik=NIK_A1)
    assert error.message == (
        "Beras SPHP 5 kg untuk NIK 6471••••••••0001: Paling banyak 2 karung sekali beli "
        "(2 karung per NIK per pembelian); diminta 3 karung."
    )
    for _ in range(3):  # the limit is per purchase only
        sell(coop, kasir, (rice, 2), buyer_nik=NIK_A1)
    assert Distribution.objects.filter(nik=NIK_A1).count() == 3


def test_the_kk_month_limit_spans_the_households_niks_and_resets_next_month(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any
) -> None:
    for i, nik in enumerate([NIK_A1, NIK_A2, NIK_A1, NIK_A2], start=1):
        sell(coop, kasir, (lpg, 2), day=D(2026, 3, 1 + i), buyer_nik=nik)
    error = refused(coop, kasir, (lpg, 3), day=D(2026, 3, 9), buyer_nik=NIK_A1)
    assert error.message == (
        "LPG 3 kg untuk NIK 6471••••••••0001: Kuota KK bulan ini tersisa 2 tabung "
        "(batas 10 tabung per KK per bulan); diminta 3 tabung."
    )
    assert error.detail["remaining"] == ["2"] and error.detail["rule"] == ["10 tabung per KK per bulan"]
    sell(coop, kasir, (lpg, 2), day=D(2026, 3, 9), buyer_nik=NIK_A1)
    full = refused(coop, kasir, (lpg, 1), day=D(2026, 3, 31), buyer_nik=NIK_A2)
    assert "Kuota KK bulan ini tersisa 0 tabung" in full.message
    sell(coop, kasir, (lpg, 1), day=D(2026, 3, 31), buyer_nik=NIK_B1)  # household B is not household A
    sell(coop, kasir, (lpg, 3), day=D(2026, 4, 1), buyer_nik=NIK_A2)  # a new month
    assert net_qty(KK_A, D(2026, 3, 1), D(2026, 3, 31)) == 10
    assert net_qty(KK_A, D(2026, 4, 1), D(2026, 4, 30)) == 3
    assert net_qty(KK_B, D(2026, 3, 1), D(2026, 3, 31)) == 1


def test_one_purchase_per_nik_per_day(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any
) -> None:
    sell(coop, kasir, (lpg, 1), buyer_nik=NIK_A1)
    error = refused(coop, kasir, (lpg, 1), buyer_nik=NIK_A1)
    assert error.message == (
        "LPG 3 kg untuk NIK 6471••••••••0001: NIK ini sudah membeli 1 kali hari ini; batas 1 kali pembelian "
        "per NIK per hari. Bisa membeli lagi besok."
    )
    assert error.detail["remaining"] == ["0"]
    sell(coop, kasir, (lpg, 1), buyer_nik=NIK_A2)
    sell(coop, kasir, (lpg, 1), day=D(2026, 3, 11), buyer_nik=NIK_A1)


def test_a_week_rule_runs_monday_to_sunday(
    coop: Any, stocked: Any, oil: Any, make_program: Any, households: Any, kasir: Any
) -> None:
    make_program(oil, name="MinyaKita mingguan", rules=[("nik", "week", 3)])
    sell(coop, kasir, (oil, 2), day=D(2026, 3, 9), buyer_nik=NIK_A1)  # Monday
    sell(coop, kasir, (oil, 1), day=D(2026, 3, 15), buyer_nik=NIK_A1)  # Sunday
    error = refused(coop, kasir, (oil, 1), day=D(2026, 3, 12), buyer_nik=NIK_A1)
    assert "Kuota NIK minggu ini tersisa 0 botol (batas 3 botol per NIK per minggu); diminta 1 botol." in error.message
    sell(coop, kasir, (oil, 3), day=D(2026, 3, 8), buyer_nik=NIK_A1)  # the Sunday before: another week
    sell(coop, kasir, (oil, 3), day=D(2026, 3, 16), buyer_nik=NIK_A1)  # the Monday after
    assert Distribution.objects.count() == 4


def test_returns_and_voids_give_the_quota_back(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, bendahara: Any
) -> None:
    first = sell(coop, kasir, (lpg, 5), day=D(2026, 3, 10), buyer_nik=NIK_A1)
    second = sell(coop, kasir, (lpg, 5), day=D(2026, 3, 11), buyer_nik=NIK_A2)
    assert refused(coop, kasir, (lpg, 1), day=D(2026, 3, 12), buyer_nik=NIK_A1).code == "quota_exceeded"

    (line,) = first.lines.all()
    request = shop.sale_return_request(
        cooperative=coop,
        sale=first,
        kind="return",
        reason="Tabung bocor",
        date=D(2026, 3, 12),
        quantities={line.pk: 2},
        actor=kasir,
    )
    # Pending: nothing comes back yet.
    assert refused(coop, kasir, (lpg, 1), day=D(2026, 3, 12), buyer_nik=NIK_A1).code == "quota_exceeded"
    shop.sale_return_decide(cooperative=coop, sale_return=request, approve=True, actor=bendahara)
    error = refused(coop, kasir, (lpg, 3), day=D(2026, 3, 12), buyer_nik=NIK_A1)
    assert "Kuota KK bulan ini tersisa 2 tabung" in error.message
    third = sell(coop, kasir, (lpg, 2), day=D(2026, 3, 12), buyer_nik=NIK_A1)

    # A void of a same-day purchase gives back the units and the day's purchase.
    void = shop.sale_return_request(
        cooperative=coop, sale=third, kind="void", reason="Salah input", date=D(2026, 3, 12), actor=kasir
    )
    shop.sale_return_decide(cooperative=coop, sale_return=void, approve=True, actor=bendahara)
    sell(coop, kasir, (lpg, 1), day=D(2026, 3, 12), buyer_nik=NIK_A1)
    void_second = shop.sale_return_request(
        cooperative=coop, sale=second, kind="void", reason="Batal", date=D(2026, 3, 12), actor=kasir
    )
    shop.sale_return_decide(cooperative=coop, sale_return=void_second, approve=True, actor=bendahara)
    sell(coop, kasir, (lpg, 5), day=D(2026, 3, 12), buyer_nik=NIK_A2)
    # The logbook keeps what was handed over; the net is what counts.
    assert list(Distribution.objects.order_by("pk").values_list("nik", "qty")) == [
        (NIK_A1, 5),
        (NIK_A2, 5),
        (NIK_A1, 2),
        (NIK_A1, 1),
        (NIK_A2, 5),
    ]
    assert net_qty(KK_A, D(2026, 3, 1), D(2026, 3, 31)) == 3 + 0 + 0 + 1 + 5
    usage = selectors.program_usage(cooperative=coop, program=lpg_program, nik=NIK_B1, day=D(2026, 3, 12))
    assert usage.remaining == 10


# --- The logbook --------------------------------------------------------------------------------------


def test_the_logbook_row_and_reached_limit(
    coop: Any, stocked: Any, lpg: Any, lpg_kk_program: Any, households: Any, kasir: Any
) -> None:
    first = sell(coop, kasir, (lpg, 4), buyer_nik=NIK_A1, partner_reference="MAP-0001")
    second = sell(coop, kasir, (lpg, 6), buyer_nik=NIK_A2, partner_reference=" MAP-0002 ")
    third = sell(coop, kasir, (lpg, 9), buyer_nik=NIK_B1)
    rows = list(
        Distribution.objects.order_by("pk").values_list(
            "program_id",
            "product_id",
            "sale_id",
            "date",
            "nik",
            "kk",
            "name",
            "category",
            "qty",
            "unit_price",
            "partner_reference",
            "reached_limit",
        )
    )
    p, g = lpg_kk_program.pk, lpg.pk
    assert rows == [
        (p, g, first.pk, SOLD, NIK_A1, KK_A, "Budi Santoso", "rumah_tangga", 4, 19_000, "MAP-0001", False),
        (p, g, second.pk, SOLD, NIK_A2, KK_A, "Siti Aminah", "rumah_tangga", 6, 19_000, "MAP-0002", True),
        (p, g, third.pk, SOLD, NIK_B1, KK_B, "Joko Widodo", "rumah_tangga", 9, 19_000, "", False),
    ]
    assert [d.recipient for d in Distribution.objects.order_by("pk")] == [
        households["a1"],
        households["a2"],
        households["b1"],
    ]
    row = Distribution.objects.get(sale=first)
    assert (row.sale_line_id, row.nik_masked, row.kk_masked) == (
        first.lines.get().pk,
        "6471••••••••0001",
        "6471••••••••0001",
    )
    assert list(selectors.distribution_list(cooperative=coop, nik=NIK_A2)) == [Distribution.objects.get(sale=second)]


def test_other_lines_of_the_sale_are_not_affected(
    coop: Any, stocked: Any, lpg: Any, oil: Any, rice: Any, lpg_program: Any, households: Any, kasir: Any
) -> None:
    sale = sell(coop, kasir, (oil, 2), (lpg, 1), (rice, 1), buyer_nik=NIK_A1)
    prices = dict(sale.lines.values_list("product__sku", "unit_price"))
    assert prices == {"MK1": 15_700, "LPG3": 19_000, "SPHP5": 65_500}
    assert sale.total == 2 * 15_700 + 19_000 + 65_500
    assert list(Distribution.objects.values_list("product__sku", "qty")) == [("LPG3", 1)]
    # Goods outside any programme need no NIK at all.
    plain = sell(coop, kasir, (oil, 1), (rice, 2))
    assert plain.total == 15_700 + 131_000 and Distribution.objects.count() == 1
    # A refused programme line refuses the whole sale.
    assert refused(coop, kasir, (oil, 1), (lpg, 1), buyer_nik=NIK_A1).code == "quota_exceeded"


def test_a_sale_mixing_two_programmes(
    coop: Any, stocked: Any, lpg: Any, oil: Any, lpg_program: Any, make_program: Any, households: Any, kasir: Any
) -> None:
    make_program(oil, name="MinyaKita", price=15_500, categories=["rumah_tangga"], rules=[("kk", "week", 2)])
    sale = sell(coop, kasir, (lpg, 2), (oil, 2), buyer_nik=NIK_A1, partner_reference="MAP-9")
    assert sale.total == 2 * 19_000 + 2 * 15_500
    assert list(Distribution.objects.order_by("product_id").values_list("product__sku", "qty", "unit_price")) == [
        ("LPG3", 2, 19_000),
        ("MK1", 2, 15_500),
    ]
    assert set(Distribution.objects.values_list("partner_reference", flat=True)) == {"MAP-9"}
    # The second NIK of the household: LPG still allowed, oil's weekly KK quota is used up.
    error = refused(coop, kasir, (lpg, 1), (oil, 1), buyer_nik=NIK_A2)
    assert error.message.startswith("MinyaKita 1 L untuk NIK 6471••••••••0002: Kuota KK minggu ini tersisa 0 botol")
    sell(coop, kasir, (lpg, 1), buyer_nik=NIK_A2)
    assert Distribution.objects.count() == 3


def test_the_idempotency_key_replay_records_one_distribution(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any
) -> None:
    first = sell(coop, kasir, (lpg, 2), buyer_nik=NIK_A1, idempotency_key="till-1:7")
    before = snapshot()
    again = sell(coop, kasir, (lpg, 2), buyer_nik=NIK_A1, idempotency_key="till-1:7")
    assert again.pk == first.pk
    assert snapshot() == before
    assert Distribution.objects.count() == 1


# --- Query counts ------------------------------------------------------------------------------------


def test_a_quota_checked_sale_costs_a_fixed_number_of_queries(
    coop: Any,
    stocked: Any,
    lpg: Any,
    oil: Any,
    lpg_program: Any,
    households: Any,
    kasir: Any,
    django_assert_max_num_queries: Any,
) -> None:
    sell(coop, kasir, (lpg, 1), (oil, 1), day=D(2026, 3, 9), buyer_nik=NIK_B1)  # the counter and stock rows exist
    # Measured: 31 on SQLite and PostgreSQL (savepoints included) for a 1-line sale to a typed NIK:
    # a plain 1-line sale's 26 (which already asks "is any line a programme product?"), plus the
    # member by NIK, the programme's rules, the recipient, one usage aggregate and the logbook row.
    with django_assert_max_num_queries(31):
        sell(coop, kasir, (lpg, 1), buyer_nik=NIK_A1)
    # More lines and rules do not add queries: no query per line or per rule.
    with django_assert_max_num_queries(31):
        sell(coop, kasir, (lpg, 1), (oil, 2), (lpg, 1), buyer_nik=NIK_A2)
    assert Distribution.objects.count() == 4


def test_program_usage_costs_two_queries_and_reads_rule_by_rule(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, django_assert_num_queries: Any
) -> None:
    sell(coop, kasir, (lpg, 3), day=D(2026, 3, 9), buyer_nik=NIK_A2)
    sell(coop, kasir, (lpg, 2), buyer_nik=NIK_A1)
    program = selectors.program_get(cooperative=coop, program_id=lpg_program.pk)  # rules prefetched
    # The recipient, then one aggregate over the distributions.
    with django_assert_num_queries(2):
        usage = selectors.program_usage(cooperative=coop, program=program, nik=NIK_A1, day=SOLD)
    assert (usage.remaining, usage.refusal, usage.recipient) == (0, "", households["a1"])
    kk, nik = usage.rules
    assert (kk.used_qty, kk.used_purchases, kk.remaining) == (5, 2, 5)
    assert (kk.window_start, kk.window_end) == (D(2026, 3, 1), D(2026, 3, 31))
    assert (nik.used_qty, nik.used_purchases, nik.remaining) == (2, 1, 0)
    tomorrow = selectors.program_usage(cooperative=coop, program=program, nik=NIK_A1, day=D(2026, 3, 11))
    assert tomorrow.remaining == 5
    stranger = selectors.program_usage(cooperative=coop, program=program, nik=NIK_UNREGISTERED, day=SOLD)
    assert (stranger.remaining, stranger.refusal_code) == (0, "recipient_not_registered")
    early = selectors.program_usage(cooperative=coop, program=program, nik=NIK_A1, day=D(2026, 2, 28))
    assert (early.remaining, early.refusal_code) == (0, "program_not_started")


# --- Tenancy -------------------------------------------------------------------------------------------


def test_a_programme_does_not_reach_another_cooperative(
    coop: Any, other_coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, grant: Any
) -> None:
    from koperasi.subsidies.services import recipient_register

    other_kasir = grant(other_coop, "kasir")
    other_bendahara = grant(other_coop, "bendahara")
    theirs = shop.product_create(
        cooperative=other_coop,
        data=shop.ProductInput(sku="LPG3", name="LPG 3 kg", unit="tabung", het_commodity="lpg_3kg"),
        price=18_000,
        effective_from=BOUGHT,
        actor=other_bendahara,
    )
    supplier = shop.supplier_create(cooperative=other_coop, name="Agen LPG", kind="lainnya", actor=other_bendahara)
    shop.purchase_direct(
        cooperative=other_coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[shop.PurchaseLineInput(theirs, 15, 16_000)],
        actor=other_bendahara,
    )
    # No programme there: the same SKU sells at its shelf price without a NIK.
    sale = sell(other_coop, other_kasir, (theirs, 12))
    assert (sale.total, Distribution.objects.count()) == (12 * 18_000, 0)
    # Household A's purchases there do not count here, and a registration there is not one here.
    sell(other_coop, other_kasir, (theirs, 1), buyer_nik=NIK_A1)
    sell(coop, kasir, (lpg, 10), buyer_nik=NIK_A1)
    recipient_register(
        cooperative=other_coop,
        data={"nik": NIK_UNREGISTERED, "kk": KK_B, "name": "Dewi", "category": "rumah_tangga"},
        actor=other_kasir,
    )
    assert refused(coop, kasir, (lpg, 1), buyer_nik=NIK_UNREGISTERED).code == "recipient_not_registered"
    assert Distribution.objects.filter(cooperative=other_coop).count() == 0
    assert Distribution.objects.filter(cooperative=coop).count() == 1
    assert list(selectors.distribution_list(cooperative=other_coop)) == []
