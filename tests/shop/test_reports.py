"""Reports of the gerai (``shop.reports``): exact figures from a month of trade, tied to the ledger.

The month (``trade``), all in March 2026 and built through the services:

- 2 March: Bulog delivers on credit 10 rice at Rp57.000, 20 LPG at Rp16.000, 24 oil at Rp14.000
  (Rp1.226.000, the ``stocked`` fixture); the UMKM of Budi (a member) leaves 20 packs of
  keripik on consignment (Rp10.000, 10 % commission).
- 5 March: 10 sugar at Rp15.000 bought for cash from Toko Grosir, into the gudang (Rp150.000).
- 10 March, the kasir's session (float Rp100.000):
  NT-1 Budi (member), cash: 2 rice + 1 keripik = Rp141.000 (cost 114.000, commission 1.000);
  NT-2 a non-member, cash: 3 LPG = Rp57.000 (cost 48.000);
  NT-3 a non-member, QRIS: 4 oil = Rp62.800 (cost 56.000).
- 11 March, the bendahara: NT-4 Budi, transfer: 1 rice + 2 keripik = Rp85.500 (cost 57.000, commission 2.000).
- 12 March: 1 LPG of NT-2 returned (Rp19.000, cost 16.000), asked by the kasir, approved by the bendahara.
- 15 March: Rp500.000 paid to Bulog in cash. 16 March: 4 oil moved gerai → gudang.
- 20 March: Rp9.000 paid to Budi's UMKM.
- Today: the kasir closes the session counting Rp278.000 (expected 100.000 + 141.000 + 57.000 − 19.000
  = 279.000: Rp1.000 short).

Gross 346.300, returns 19.000, net 327.300 = own goods 297.300 (4-1100 196.500 + 4-2100 100.800) +
consignment 30.000 (commission 3.000 + the UMKM's 27.000).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from koperasi.core.errors import ValidationError
from koperasi.ledger import selectors as ledger_selectors
from koperasi.shop import reports, services
from koperasi.shop.models import Het
from koperasi.shop.services import PurchaseLineInput, SaleLineInput
from tests.shop.conftest import BOUGHT

pytestmark = pytest.mark.django_db

D = datetime.date
MARCH = (D(2026, 3, 1), D(2026, 3, 31))
NIK_BUYER = "6471045505850002"


def sell(coop: Any, actor: Any, day: datetime.date, lines: list[tuple[Any, int]], **kw: Any) -> Any:
    return services.sale_create(
        cooperative=coop, date=day, lines=[SaleLineInput(p, q) for p, q in lines], actor=actor, **kw
    )


@pytest.fixture
def umkm(coop: Any, active_member: Any, bendahara: Any) -> Any:
    return services.supplier_create(
        cooperative=coop, name="Keripik Bu Budi", kind="umkm", member=active_member, actor=bendahara
    )


@pytest.fixture
def keripik(coop: Any, make_item: Any, umkm: Any, bendahara: Any) -> Any:
    item = make_item(
        coop, sku="KRP", name="Keripik pisang", unit="bungkus", price=10_000, consignor=umkm, commission_percent="10"
    )
    services.consignment_receive(cooperative=coop, product=item, qty=20, date=BOUGHT, actor=bendahara)
    return item


@pytest.fixture
def sugar(coop: Any, make_item: Any, bendahara: Any, fund_cash: Any) -> Any:
    fund_cash(coop)
    item = make_item(coop, sku="GL1", name="Gula pasir 1 kg", unit="kg", price=18_000)
    grosir = services.supplier_create(cooperative=coop, name="Toko Grosir", actor=bendahara)
    services.purchase_direct(
        cooperative=coop,
        supplier=grosir,
        date=D(2026, 3, 5),
        lines=[PurchaseLineInput(item, 10, 15_000)],
        location="gudang",
        paid_channel="tunai",
        actor=bendahara,
    )
    return item


@pytest.fixture
def trade(
    coop: Any,
    stocked: Any,
    supplier: Any,
    rice: Any,
    lpg: Any,
    oil: Any,
    keripik: Any,
    sugar: Any,
    umkm: Any,
    active_member: Any,
    kasir: Any,
    bendahara: Any,
) -> dict[str, Any]:
    session = services.cashier_session_open(cooperative=coop, opening_float=100_000, actor=kasir)
    day = D(2026, 3, 10)
    nt1 = sell(coop, kasir, day, [(rice, 2), (keripik, 1)], member=active_member)
    nt2 = sell(coop, kasir, day, [(lpg, 3)], buyer_nik=NIK_BUYER)
    nt3 = sell(coop, kasir, day, [(oil, 4)], payment_method="qris", payment_reference="QR-1")
    nt4 = sell(
        coop,
        bendahara,
        D(2026, 3, 11),
        [(rice, 1), (keripik, 2)],
        member=active_member,
        payment_method="transfer",
        payment_reference="TRF-1",
    )
    line = nt2.lines.get()
    back = services.sale_return_request(
        cooperative=coop,
        sale=nt2,
        kind="return",
        reason="Tabung bocor",
        date=D(2026, 3, 12),
        quantities={line.pk: 1},
        actor=kasir,
    )
    services.sale_return_decide(cooperative=coop, sale_return=back, approve=True, actor=bendahara)
    services.supplier_pay(
        cooperative=coop,
        supplier=supplier,
        amount=500_000,
        date=D(2026, 3, 15),
        channel="tunai",
        reference="BYR-1",
        actor=bendahara,
    )
    services.stock_transfer(
        cooperative=coop, from_location="gerai", to_location="gudang", date=D(2026, 3, 16), lines=[(oil, 4)],
        actor=bendahara,
    )  # fmt: skip
    services.consignment_settle(
        cooperative=coop, consignor=umkm, amount=9_000, date=D(2026, 3, 20), channel="tunai", actor=bendahara
    )
    services.cashier_session_close(cooperative=coop, session=session, counted_cash=278_000, actor=kasir)
    return {"session": session, "sales": [nt1, nt2, nt3, nt4]}


def figures(f: reports.SalesFigures) -> tuple[int, int, int, int, int]:
    return (f.sales_count, f.gross, f.returns_count, f.returns, f.net)


# --- 1. Daily sales ---------------------------------------------------------------------------------------
def test_daily_sales_per_day_cashier_method_and_buyer(trade: Any, coop: Any, kasir: Any, bendahara: Any) -> None:
    result = reports.daily_sales(cooperative=coop, start=MARCH[0], end=MARCH[1])
    assert len(result.days) == 31 and result.days[0].date == MARCH[0] and result.days[-1].date == MARCH[1]
    busy = {d.date: d for d in result.days if d.figures != reports.SalesFigures()}
    assert sorted(busy) == [D(2026, 3, 10), D(2026, 3, 11), D(2026, 3, 12)]
    tenth, eleventh, twelfth = busy[D(2026, 3, 10)], busy[D(2026, 3, 11)], busy[D(2026, 3, 12)]
    assert figures(tenth.figures) == (3, 260_800, 0, 0, 260_800)
    assert (tenth.net_tunai, tenth.net_qris, tenth.net_transfer) == (198_000, 62_800, 0)
    assert (tenth.net_member, tenth.net_non_member) == (141_000, 119_800)
    assert figures(eleventh.figures) == (1, 85_500, 0, 0, 85_500)
    assert (eleventh.net_transfer, eleventh.net_member) == (85_500, 85_500)
    assert figures(twelfth.figures) == (0, 0, 1, 19_000, -19_000)
    assert (twelfth.net_tunai, twelfth.net_non_member) == (-19_000, -19_000)

    assert [(r.key, r.label, figures(r.figures)) for r in result.by_cashier] == [
        (str(bendahara.pk), "bendahara-manggar", (1, 85_500, 0, 0, 85_500)),
        (str(kasir.pk), "kasir-manggar", (3, 260_800, 1, 19_000, 241_800)),
    ]
    assert [(r.cashier, r.date, figures(r.figures)) for r in result.day_cashiers] == [
        ("kasir-manggar", D(2026, 3, 10), (3, 260_800, 0, 0, 260_800)),
        ("bendahara-manggar", D(2026, 3, 11), (1, 85_500, 0, 0, 85_500)),
        ("kasir-manggar", D(2026, 3, 12), (0, 0, 1, 19_000, -19_000)),
    ]
    assert [(r.key, r.label, figures(r.figures)) for r in result.by_method] == [
        ("tunai", "Tunai", (2, 198_000, 1, 19_000, 179_000)),
        ("qris", "QRIS", (1, 62_800, 0, 0, 62_800)),
        ("transfer", "Transfer bank", (1, 85_500, 0, 0, 85_500)),
    ]
    assert [(r.key, figures(r.figures)) for r in result.by_buyer] == [
        ("member", (2, 226_500, 0, 0, 226_500)),
        ("non_member", (2, 119_800, 1, 19_000, 100_800)),
    ]
    assert figures(result.total) == (4, 346_300, 1, 19_000, 327_300)
    assert (result.own_net, result.consignment_net, result.commission_net) == (297_300, 30_000, 3_000)


def test_daily_sales_ties_to_the_ledger_and_the_sales(trade: Any, coop: Any) -> None:
    result = reports.daily_sales(cooperative=coop, start=MARCH[0], end=MARCH[1])
    totals = ledger_selectors.totals_between(cooperative=coop, start=MARCH[0], end=MARCH[1])

    def credit_balance(code: str) -> int:
        account = ledger_selectors.account_get(cooperative=coop, code=code)
        debit, credit = totals.get(account.pk, (0, 0))
        return credit - debit

    assert (credit_balance("4-1100"), credit_balance("4-2100")) == (196_500, 100_800)
    assert credit_balance("4-1500") == 3_000  # commission from a member's UMKM
    assert result.ledger_own == credit_balance("4-1100") + credit_balance("4-2100") == result.own_net
    # The UMKM's part booked by the sales (27.000) is the payable before the 9.000 settlement.
    assert credit_balance("2-1310") == 27_000 - 9_000
    assert result.ledger_consignment == credit_balance("4-1500") + 27_000 == result.consignment_net
    assert result.ledger_revenue == result.total.net == 327_300 and result.difference == 0
    # And the report's gross and returns are the sales' own totals.
    sales = trade["sales"]
    for sale in sales:
        sale.refresh_from_db()
    assert result.total.gross == sum(s.total for s in sales)
    assert result.total.returns == sum(s.total_returned for s in sales)
    assert sum(d.figures.net for d in result.days) == result.total.net
    assert sum(r.figures.net for r in result.by_cashier) == result.total.net
    assert sum(d.net_tunai + d.net_qris + d.net_transfer for d in result.days) == result.total.net


def test_daily_sales_periods_split_the_return_from_its_sale(trade: Any, coop: Any) -> None:
    """The return counts on its own date (as the ledger books it), not the sale's."""
    before = reports.daily_sales(cooperative=coop, start=D(2026, 3, 1), end=D(2026, 3, 11))
    assert figures(before.total) == (4, 346_300, 0, 0, 346_300) and before.difference == 0
    after = reports.daily_sales(cooperative=coop, start=D(2026, 3, 12), end=D(2026, 3, 12))
    assert figures(after.total) == (0, 0, 1, 19_000, -19_000) and after.difference == 0
    assert [(r.key, figures(r.figures)) for r in after.by_buyer] == [
        ("member", (0, 0, 0, 0, 0)),
        ("non_member", (0, 0, 1, 19_000, -19_000)),
    ]
    empty = reports.daily_sales(cooperative=coop, start=D(2026, 4, 1), end=D(2026, 4, 30))
    assert figures(empty.total) == (0, 0, 0, 0, 0) and empty.by_cashier == [] and len(empty.days) == 30


def test_pending_and_rejected_returns_change_nothing(trade: Any, coop: Any, kasir: Any, bendahara: Any) -> None:
    nt3 = trade["sales"][2]
    pending = services.sale_return_request(
        cooperative=coop, sale=nt3, kind="void", reason="Salah input", date=D(2026, 3, 13), actor=kasir
    )
    result = reports.daily_sales(cooperative=coop, start=MARCH[0], end=MARCH[1])
    assert figures(result.total) == (4, 346_300, 1, 19_000, 327_300)
    services.sale_return_decide(cooperative=coop, sale_return=pending, approve=False, note="Tidak", actor=bendahara)
    assert reports.daily_sales(cooperative=coop, start=MARCH[0], end=MARCH[1]).total == result.total


def test_a_void_counts_as_a_return_of_the_whole_sale(trade: Any, coop: Any, kasir: Any, bendahara: Any) -> None:
    nt3 = trade["sales"][2]
    void = services.sale_return_request(
        cooperative=coop, sale=nt3, kind="void", reason="Salah input", date=D(2026, 3, 13), actor=kasir
    )
    services.sale_return_decide(cooperative=coop, sale_return=void, approve=True, actor=bendahara)
    result = reports.daily_sales(cooperative=coop, start=MARCH[0], end=MARCH[1])
    assert figures(result.total) == (4, 346_300, 2, 81_800, 264_500)
    assert [(r.key, r.figures.net) for r in result.by_method] == [("tunai", 179_000), ("qris", 0), ("transfer", 85_500)]
    assert result.difference == 0


# --- 2. Sales by product -----------------------------------------------------------------------------------
def test_sales_by_product_with_margin(trade: Any, coop: Any) -> None:
    result = reports.sales_by_product(cooperative=coop, start=MARCH[0], end=MARCH[1])
    assert [
        (r.name, r.is_consignment, r.qty_sold, r.qty_returned, r.qty, r.revenue, r.cost, r.margin, r.margin_percent)
        for r in result.rows
    ] == [
        ("Beras SPHP 5 kg", False, 3, 0, 3, 196_500, 171_000, 25_500, Decimal("12.98")),
        ("Keripik pisang", True, 3, 0, 3, 30_000, 27_000, 3_000, Decimal("10.00")),  # margin = commission
        ("LPG 3 kg", False, 3, 1, 2, 38_000, 32_000, 6_000, Decimal("15.79")),
        ("MinyaKita 1 L", False, 4, 0, 4, 62_800, 56_000, 6_800, Decimal("10.83")),
    ]
    assert (result.revenue, result.cost, result.margin, result.margin_percent) == (
        327_300,
        286_000,
        41_300,
        Decimal("12.62"),
    )
    assert (result.own_revenue, result.own_cost, result.consignment_revenue, result.commission) == (
        297_300,
        259_000,
        30_000,
        3_000,
    )
    cogs = ledger_selectors.account_get(cooperative=coop, code="5-1100")
    debit, credit = ledger_selectors.totals_between(cooperative=coop, start=MARCH[0], end=MARCH[1])[cogs.pk]
    assert result.ledger_cogs == debit - credit == result.own_cost and result.cogs_difference == 0
    # The revenue is the daily report's net: the two reports agree.
    assert result.revenue == reports.daily_sales(cooperative=coop, start=MARCH[0], end=MARCH[1]).total.net


def test_sales_by_product_counts_returns_on_their_date(trade: Any, coop: Any) -> None:
    result = reports.sales_by_product(cooperative=coop, start=D(2026, 3, 12), end=D(2026, 3, 31))
    [lpg] = result.rows
    assert (lpg.name, lpg.qty_sold, lpg.qty_returned, lpg.qty, lpg.revenue, lpg.cost, lpg.margin) == (
        "LPG 3 kg",
        0,
        1,
        -1,
        -19_000,
        -16_000,
        -3_000,
    )
    assert result.cogs_difference == 0


# --- 3. Stock valuation -------------------------------------------------------------------------------------
def test_stock_valuation_per_product_and_location_ties_to_inventory(trade: Any, coop: Any) -> None:
    result = reports.stock_valuation(cooperative=coop, today=D(2026, 3, 31))
    assert [(r.name, r.qty, r.average_cost, r.value, r.is_consignment) for r in result.rows] == [
        ("Beras SPHP 5 kg", 7, 57_000, 399_000, False),
        ("Gula pasir 1 kg", 10, 15_000, 150_000, False),
        ("Keripik pisang", 17, 0, 0, True),
        ("LPG 3 kg", 18, 16_000, 288_000, False),
        ("MinyaKita 1 L", 20, 14_000, 280_000, False),
    ]
    oil = result.rows[-1]
    assert [(loc.location_code, loc.qty, loc.value) for loc in oil.locations] == [
        ("gerai", 16, 224_000),
        ("gudang", 4, 56_000),
    ]
    assert [(loc.location_code, loc.qty, loc.value) for loc in result.by_location] == [
        ("gerai", 7 + 17 + 18 + 16, 399_000 + 288_000 + 224_000),
        ("gudang", 14, 206_000),
    ]
    assert (result.total_value, result.consignment_qty) == (1_117_000, 17)
    # 1.226.000 + 150.000 bought − 259.000 sold at cost
    assert result.ledger_value == 1_117_000 and result.difference == 0


def test_split_value_sums_exactly() -> None:
    assert reports.split_value(3, 100, [1, 1, 1]) == [33, 34, 33]
    assert sum(reports.split_value(7, 1_000, [2, 2, 3])) == 1_000
    assert reports.split_value(5, 0, [5]) == [0]


# --- 4. Slow-moving stock -----------------------------------------------------------------------------------
def test_slow_moving_never_sold_first_then_oldest(trade: Any, coop: Any) -> None:
    result = reports.slow_moving(cooperative=coop, days=20, today=D(2026, 3, 31))
    # Rice and keripik sold on the 11th (20 days ago) are not slow; LPG and oil (the 10th, 21 days) are.
    assert [(r.name, r.qty, r.value, r.last_sale, r.days_since) for r in result.rows] == [
        ("Gula pasir 1 kg", 10, 150_000, None, None),
        ("LPG 3 kg", 18, 288_000, D(2026, 3, 10), 21),
        ("MinyaKita 1 L", 20, 280_000, D(2026, 3, 10), 21),
    ]
    assert (result.days, result.total_qty, result.total_value) == (20, 48, 718_000)
    assert [r.name for r in reports.slow_moving(cooperative=coop, today=D(2026, 3, 31)).rows] == ["Gula pasir 1 kg"]
    # On the day of the sales, a later sale is not yet known: everything is "never sold".
    early = reports.slow_moving(cooperative=coop, days=1, today=D(2026, 3, 9))
    assert {r.last_sale for r in early.rows} == {None} and len(early.rows) == 5


@pytest.mark.parametrize("days", [0, -1, 3651, True])
def test_slow_moving_refuses_a_bad_threshold(coop: Any, days: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        reports.slow_moving(cooperative=coop, days=days)
    assert caught.value.code == "days_invalid"


# --- 5. Purchases by supplier -------------------------------------------------------------------------------
def test_purchases_by_supplier(trade: Any, coop: Any, supplier: Any) -> None:
    result = reports.purchases_by_supplier(cooperative=coop, start=MARCH[0], end=MARCH[1])
    assert [
        (
            r.name,
            r.receipts_count,
            r.received,
            r.received_paid,
            r.received_on_credit,
            r.payments_count,
            r.paid,
            r.outstanding,
        )
        for r in result.rows
    ] == [
        ("Perum Bulog", 1, 1_226_000, 0, 1_226_000, 1, 500_000, 726_000),
        ("Toko Grosir", 1, 150_000, 150_000, 0, 0, 0, 0),
    ]
    assert (result.received, result.received_paid, result.received_on_credit, result.paid, result.outstanding) == (
        1_376_000,
        150_000,
        1_226_000,
        500_000,
        726_000,
    )
    assert result.ledger_payable == 726_000 and result.difference == 0
    # April: nothing received or paid, Bulog still owed.
    april = reports.purchases_by_supplier(cooperative=coop, start=D(2026, 4, 1), end=D(2026, 4, 30))
    assert [(r.name, r.received, r.paid, r.outstanding) for r in april.rows] == [("Perum Bulog", 0, 0, 726_000)]


# --- 6. Price vs HET ----------------------------------------------------------------------------------------
def test_price_vs_het(trade: Any, coop: Any, make_item: Any, admin_user: Any) -> None:
    # No premium-rice ceiling for this region (the default rows removed), and a new lower MinyaKita HET in Balikpapan.
    Het.objects.filter(commodity="beras_premium").delete()
    make_item(coop, sku="BP5", name="Beras premium 5 kg", unit="karung", price=80_000, het_commodity="beras_premium",
              het_quantity="5")  # fmt: skip
    services.het_create(
        commodity="minyakita", region_code="64.71", price=15_000, effective_from=D(2026, 11, 1), actor=admin_user
    )
    result = reports.price_vs_het(cooperative=coop, today=D(2026, 11, 24))
    assert [(r.name, r.price, r.het_price, r.limit, r.headroom, r.status) for r in result.rows] == [
        ("MinyaKita 1 L", 15_700, 15_000, 15_000, -700, "above"),
        ("Beras premium 5 kg", 80_000, None, None, None, "no_het"),
        ("Beras SPHP 5 kg", 65_500, 13_100, 65_500, 0, "ok"),
        ("LPG 3 kg", 19_000, 19_000, 19_000, 0, "ok"),
    ]
    assert result.rows[2].het_quantity == Decimal("5") and result.rows[2].commodity_label == "Beras SPHP (per kg)"
    assert (result.above_count, result.no_het_count) == (1, 1)
    before = reports.price_vs_het(cooperative=coop, today=D(2026, 10, 31))
    assert [(r.name, r.headroom, r.status) for r in before.rows][-1] == ("MinyaKita 1 L", 0, "ok")


# --- 7. Consignment -----------------------------------------------------------------------------------------
def test_consignment_settlement(trade: Any, coop: Any, active_member: Any) -> None:
    result = reports.consignment(cooperative=coop, start=MARCH[0], end=MARCH[1])
    assert [
        (r.name, r.member_name, r.units_sold, r.gross, r.commission, r.owed, r.paid, r.outstanding, r.stock_qty)
        for r in result.rows
    ] == [("Keripik Bu Budi", active_member.name, 3, 30_000, 3_000, 27_000, 9_000, 18_000, 17)]
    assert (result.gross, result.commission, result.owed, result.paid, result.outstanding) == (
        30_000,
        3_000,
        27_000,
        9_000,
        18_000,
    )
    assert result.ledger_payable == 18_000 and result.difference == 0
    april = reports.consignment(cooperative=coop, start=D(2026, 4, 1), end=D(2026, 4, 30))
    assert [(r.units_sold, r.gross, r.paid, r.outstanding) for r in april.rows] == [(0, 0, 0, 18_000)]


# --- 8. Cashier sessions ------------------------------------------------------------------------------------
def test_sessions_closed_in_the_period(trade: Any, coop: Any) -> None:
    today = timezone.localdate()
    result = reports.sessions(cooperative=coop, start=today, end=today)
    [row] = result.rows
    assert (row.session_no, row.cashier, row.location) == (
        trade["session"].session_no,
        "kasir-manggar",
        "Gerai sembako",
    )
    assert (row.opening_float, row.sales_count, row.sales_total, row.cash_sales) == (100_000, 3, 260_800, 198_000)
    assert (row.expected, row.counted, row.variance) == (279_000, 278_000, -1_000)
    assert (result.expected, result.counted, result.variance, result.shortage, result.surplus) == (
        279_000,
        278_000,
        -1_000,
        -1_000,
        0,
    )
    assert reports.sessions(cooperative=coop, start=MARCH[0], end=MARCH[1]).rows == []  # closed today, not in March


# --- Periods, the dispatcher, tenancy -----------------------------------------------------------------------
def test_period_checks() -> None:
    with pytest.raises(ValidationError) as reversed_range:
        reports.period_check(D(2026, 3, 31), D(2026, 3, 1))
    assert reversed_range.value.code == "range_invalid"
    with pytest.raises(ValidationError) as too_long:
        reports.period_check(D(2025, 1, 1), D(2026, 3, 1))
    assert too_long.value.code == "range_too_long"
    with pytest.raises(ValidationError):
        reports.period_check(D(1800, 1, 1), D(1800, 1, 2))
    assert reports.period_check(D(2024, 1, 1), D(2024, 12, 31)) == reports.Period(D(2024, 1, 1), D(2024, 12, 31))
    assert reports.period_default(D(2026, 3, 17)) == reports.Period(D(2026, 3, 1), D(2026, 3, 17))


def test_build_dispatches_and_refuses_an_unknown_report(trade: Any, coop: Any) -> None:
    result = reports.build(cooperative=coop, name="daily-sales", start=MARCH[0], end=MARCH[1])
    assert isinstance(result, reports.DailySales) and result.total.net == 327_300
    only_end = reports.build(cooperative=coop, name="daily-sales", end=D(2026, 3, 20))
    assert (only_end.start, only_end.end) == (MARCH[0], D(2026, 3, 20))
    assert isinstance(reports.build(cooperative=coop, name="stock-valuation"), reports.StockValuation)
    assert reports.build(cooperative=coop, name="slow-moving", days=7).days == 7
    assert set(reports.REPORTS) == {
        "daily-sales",
        "sales-by-product",
        "stock-valuation",
        "slow-moving",
        "purchases-by-supplier",
        "price-vs-het",
        "consignment",
        "sessions",
    }
    with pytest.raises(ValidationError) as caught:
        reports.build(cooperative=coop, name="laba-rugi")
    assert caught.value.code == "report_unknown"


def test_another_cooperatives_trade_is_not_in_the_reports(trade: Any, other_coop: Any) -> None:
    for name in reports.REPORTS:
        result = reports.build(cooperative=other_coop, name=name, start=MARCH[0], end=MARCH[1], today=MARCH[1])
        rows = getattr(result, "rows", None)
        if rows is not None:
            assert rows == [], name
    daily = reports.daily_sales(cooperative=other_coop, start=MARCH[0], end=MARCH[1])
    assert figures(daily.total) == (0, 0, 0, 0, 0) and daily.ledger_revenue == 0


# --- Query counts do not grow with the rows -----------------------------------------------------------------
EXPECTED_QUERIES = {
    "daily-sales": 3,
    "sales-by-product": 3,
    "stock-valuation": 5,
    "slow-moving": 1,
    "purchases-by-supplier": 8,
    "price-vs-het": 3,
    "consignment": 7,
    "sessions": 1,
}


def _many_sales(coop: Any, kasir: Any, lpg: Any, oil: Any, n: int) -> None:
    for i in range(n):
        sell(
            coop,
            kasir,
            D(2026, 3, 20 + i % 5),
            [(lpg if i % 2 else oil, 1)],
            payment_method="qris" if i % 3 else "tunai",
        )


@pytest.mark.parametrize("count", [3, 12])
def test_query_count_is_fixed(
    trade: Any, coop: Any, kasir: Any, lpg: Any, oil: Any, count: int, django_assert_num_queries: Any
) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    _many_sales(coop, kasir, lpg, oil, count)
    services.cashier_session_close(cooperative=coop, session=session, counted_cash=0, actor=kasir)
    today = timezone.localdate()
    for name, expected in EXPECTED_QUERIES.items():
        ranged = reports.REPORTS[name].ranged and name != "sessions"
        start, end = MARCH if ranged else (today, today)
        with django_assert_num_queries(expected):
            reports.build(cooperative=coop, name=name, start=start, end=end, today=today)
