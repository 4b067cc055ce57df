"""API of the gerai's reports: ``GET /api/v1/coops/{coop}/shop/reports/{name}?from=&to=&days=``.

The figures come from the month of trade of ``test_reports`` (its docstring works them out).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koperasi.shop import reports, services
from tests.shop import test_reports as case

pytestmark = pytest.mark.django_db

trade = case.trade
umkm = case.umkm
keripik = case.keripik
sugar = case.sugar

PATH = "/coops/manggar/shop/reports/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def test_daily_sales(trade: Any, ketua: Any, kasir: Any, bendahara: Any, api_as: Any) -> None:
    response = api_as(ketua).get(PATH + "daily-sales", **MARCH)
    assert response.status_code == 200
    body = response.json()
    assert (body["report"], body["title"], body["start"], body["end"]) == (
        "daily-sales",
        "Penjualan harian",
        "2026-03-01",
        "2026-03-31",
    )
    assert body["total"] == {"sales_count": 4, "gross": 346_300, "returns_count": 1, "returns": 19_000, "net": 327_300}
    assert [(g["key"], g["figures"]["net"]) for g in body["by_method"]] == [
        ("tunai", 179_000),
        ("qris", 62_800),
        ("transfer", 85_500),
    ]
    assert [(g["key"], g["figures"]["net"]) for g in body["by_buyer"]] == [("member", 226_500), ("non_member", 100_800)]
    assert [(g["key"], g["label"], g["figures"]["sales_count"]) for g in body["by_cashier"]] == [
        (str(bendahara.pk), "bendahara-manggar", 1),
        (str(kasir.pk), "kasir-manggar", 3),
    ]
    tenth = body["days"][9]
    assert tenth == {
        "date": "2026-03-10",
        "figures": {"sales_count": 3, "gross": 260_800, "returns_count": 0, "returns": 0, "net": 260_800},
        "net_tunai": 198_000,
        "net_qris": 62_800,
        "net_transfer": 0,
        "net_member": 141_000,
        "net_non_member": 119_800,
    }
    assert len(body["days"]) == 31
    assert (body["own_net"], body["consignment_net"], body["commission_net"]) == (297_300, 30_000, 3_000)
    assert (body["ledger_revenue"], body["difference"]) == (327_300, 0)
    assert all(isinstance(body[k], int) for k in ("own_net", "ledger_own", "ledger_consignment"))


def test_sales_by_product_percentages_are_strings(trade: Any, ketua: Any, api_as: Any) -> None:
    body = api_as(ketua).get(PATH + "sales-by-product", **MARCH).json()
    assert [(r["sku"], r["qty"], r["revenue"], r["cost"], r["margin"], r["margin_percent"]) for r in body["rows"]] == [
        ("SPHP5", 3, 196_500, 171_000, 25_500, "12.98"),
        ("KRP", 3, 30_000, 27_000, 3_000, "10"),
        ("LPG3", 2, 38_000, 32_000, 6_000, "15.79"),
        ("MK1", 4, 62_800, 56_000, 6_800, "10.83"),
    ]
    assert (body["revenue"], body["margin"], body["margin_percent"], body["cogs_difference"]) == (
        327_300,
        41_300,
        "12.62",
        0,
    )


def test_stock_valuation_and_slow_moving(trade: Any, ketua: Any, api_as: Any) -> None:
    stock = api_as(ketua).get(PATH + "stock-valuation").json()
    assert stock["as_of"] == datetime.date.today().isoformat()
    assert (stock["total_value"], stock["ledger_value"], stock["difference"], stock["consignment_qty"]) == (
        1_117_000,
        1_117_000,
        0,
        17,
    )
    oil = next(r for r in stock["rows"] if r["sku"] == "MK1")
    assert [(loc["location_code"], loc["qty"], loc["value"]) for loc in oil["locations"]] == [
        ("gerai", 16, 224_000),
        ("gudang", 4, 56_000),
    ]
    slow = api_as(ketua).get(PATH + "slow-moving", days="30").json()
    # Everything was last sold in March (or never): slow by now.
    assert [(r["sku"], r["last_sale"]) for r in slow["rows"]] == [
        ("GL1", None),
        ("LPG3", "2026-03-10"),
        ("MK1", "2026-03-10"),
        ("SPHP5", "2026-03-11"),
        ("KRP", "2026-03-11"),
    ]
    assert slow["days"] == 30 and slow["total_value"] == 1_117_000
    assert slow["rows"][0]["days_since"] is None
    lpg = next(r for r in slow["rows"] if r["sku"] == "LPG3")
    assert lpg["days_since"] == (datetime.date.today() - datetime.date(2026, 3, 10)).days


def test_purchases_consignment_het_and_sessions(trade: Any, ketua: Any, api_as: Any, admin_user: Any) -> None:
    client = api_as(ketua)
    purchases = client.get(PATH + "purchases-by-supplier", **MARCH).json()
    assert [(r["name"], r["received"], r["paid"], r["outstanding"]) for r in purchases["rows"]] == [
        ("Perum Bulog", 1_226_000, 500_000, 726_000),
        ("Toko Grosir", 150_000, 0, 0),
    ]
    assert (purchases["ledger_payable"], purchases["difference"]) == (726_000, 0)
    consignment = client.get(PATH + "consignment", **MARCH).json()
    assert [(r["name"], r["units_sold"], r["gross"], r["commission"], r["paid"], r["outstanding"]) for r in
            consignment["rows"]] == [("Keripik Bu Budi", 3, 30_000, 3_000, 9_000, 18_000)]  # fmt: skip
    assert consignment["difference"] == 0
    services.het_create(
        commodity="minyakita",
        region_code="64.71",
        price=15_000,
        effective_from=datetime.date.today() - datetime.timedelta(days=1),
        actor=admin_user,
    )
    het = client.get(PATH + "price-vs-het").json()
    assert het["rows"][0] == {
        "product_id": het["rows"][0]["product_id"],
        "sku": "MK1",
        "name": "MinyaKita 1 L",
        "unit": "botol",
        "commodity": "minyakita",
        "commodity_label": "MinyaKita (per liter)",
        "het_quantity": "1",
        "price": 15_700,
        "het_price": 15_000,
        "limit": 15_000,
        "headroom": -700,
        "status": "above",
    }
    assert (het["above_count"], het["no_het_count"]) == (1, 0)
    today = datetime.date.today().isoformat()
    sessions = client.get(PATH + "sessions", **{"from": today, "to": today}).json()
    [row] = sessions["rows"]
    assert (row["opening_float"], row["expected"], row["counted"], row["variance"], row["cashier"]) == (
        100_000,
        279_000,
        278_000,
        -1_000,
        "kasir-manggar",
    )
    assert row["closed_at"].startswith(today[:4])


def test_default_period_is_this_month(coop: Any, ketua: Any, api_as: Any) -> None:
    body = api_as(ketua).get(PATH + "daily-sales").json()
    today = datetime.date.today()
    assert (body["start"], body["end"]) == (today.replace(day=1).isoformat(), today.isoformat())
    only_to = api_as(ketua).get(PATH + "consignment", to="2026-03-20").json()
    assert (only_to["start"], only_to["end"]) == ("2026-03-01", "2026-03-20")


@pytest.mark.parametrize(
    ("name", "params", "field", "code"),
    [
        ("daily-sales", {"from": "2026-02-30"}, "from", "date_invalid"),
        ("daily-sales", {"to": "20260301"}, "to", "date_invalid"),
        ("daily-sales", {"from": "2026-03-01\x00"}, "from", "date_invalid"),
        ("daily-sales", {"from": "0999-01-01"}, "from", "date_out_of_range"),
        ("daily-sales", {"from": "2026-03-31", "to": "2026-03-01"}, "from", "range_invalid"),
        ("sessions", {"from": "2020-01-01", "to": "2026-03-01"}, "from", "range_too_long"),
        ("slow-moving", {"days": "-1"}, "days", "days_invalid"),
        ("slow-moving", {"days": "0"}, "days", "days_invalid"),
        ("slow-moving", {"days": "2.5"}, "days", "days_invalid"),
        ("slow-moving", {"days": "9" * 30}, "days", "days_invalid"),
        ("slow-moving", {"days": "tiga puluh"}, "days", "days_invalid"),
        ("laba-rugi", {}, "name", "report_unknown"),
        ("DAILY-SALES", {}, "name", "report_unknown"),
    ],
)
def test_bad_input_is_422(
    coop: Any, ketua: Any, api_as: Any, name: str, params: dict[str, str], field: str, code: str
) -> None:
    response = api_as(ketua).get(PATH + name, **params)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == code and field in body["detail"]
    assert body["message"]


def test_kasir_is_refused(coop: Any, kasir: Any, api_as: Any) -> None:
    response = api_as(kasir).get(PATH + "daily-sales")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert api_as(kasir).get(PATH + "laba-rugi", **{"from": "x"}).status_code == 403  # permission first


def test_another_cooperatives_officer_gets_404(trade: Any, other_ketua: Any, api_as: Any) -> None:
    for name in reports.REPORTS:
        assert api_as(other_ketua).get(PATH + name).status_code == 404
    assert api_as(other_ketua).get(PATH + "daily-sales", **{"from": "bukan"}).status_code == 404
    assert api_as(other_ketua).get("/coops/tidak-ada/shop/reports/daily-sales").status_code == 404


def test_without_a_token_is_401(coop: Any, api_as: Any) -> None:
    assert api_as(None).get(PATH + "daily-sales").status_code == 401


def test_officers_and_admin_may_read(coop: Any, pengawas: Any, manajer: Any, admin_user: Any, api_as: Any) -> None:
    for user in (pengawas, manajer, admin_user):
        assert api_as(user).get(PATH + "stock-valuation").status_code == 200


@pytest.mark.parametrize("name", list(reports.REPORTS))
def test_every_report_answers(trade: Any, ketua: Any, api_as: Any, name: str) -> None:
    response = api_as(ketua).get(PATH + name, **MARCH)
    assert response.status_code == 200
    body = response.json()
    assert body["report"] == name
    assert "rows" in body or "days" in body


def test_queries_do_not_grow_with_the_sales(
    trade: Any, coop: Any, ketua: Any, kasir: Any, lpg: Any, oil: Any, api_as: Any
) -> None:
    client = api_as(ketua)

    def counts() -> list[int]:
        out = []
        for name in reports.REPORTS:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(PATH + name, **MARCH).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    client.get(PATH + "daily-sales")  # the token's first use is recorded once
    before = counts()
    session = services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    for i in range(9):
        case.sell(coop, kasir, datetime.date(2026, 3, 20 + i % 5), [(lpg if i % 2 else oil, 1)], payment_method="qris")
    services.cashier_session_close(cooperative=coop, session=session, counted_cash=0, actor=kasir)
    assert counts() == before
