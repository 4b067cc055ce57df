"""The gerai's reports page (``/k/<coop>/gerai/laporan/``) with its Excel and PDF downloads.

The figures come from the month of trade of ``test_reports`` (its docstring works them out).
"""

from __future__ import annotations

import datetime
from html import escape
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from koperasi.shop import reports, services
from tests.shop import test_reports as case

pytestmark = pytest.mark.django_db

# The month of trade and its fixtures.
trade = case.trade
umkm = case.umkm
keripik = case.keripik
sugar = case.sugar

BASE = "/k/manggar/gerai/laporan/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
NAMES = list(reports.REPORTS)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def sheet_rows(content: bytes, sheet: str) -> list[tuple[Any, ...]]:
    book = load_workbook(BytesIO(content))
    return [tuple(c.value for c in row) for row in book[sheet].iter_rows()]


# --- The page -----------------------------------------------------------------------------------------------
def test_page_defaults_to_this_months_daily_sales(coop: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE)
    assert response.status_code == 200
    assert response.context["name"] == "daily-sales"
    today = datetime.date.today()
    assert response.context["params"]["from"] == today.replace(day=1).isoformat()
    assert response.context["params"]["to"] == today.isoformat()
    page = response.content.decode()
    assert 'class="shop-nav no-print"' in page  # the gerai's menu
    assert 'aria-current="page">Laporan</a>' in page
    assert f'href="/k/manggar/gerai/laporan/daily-sales.xlsx?from={today.replace(day=1).isoformat()}' in page
    assert 'id="unduh-pdf"' in page
    for spec in reports.REPORTS.values():
        assert f'<option value="{spec.slug}"' in page


def test_daily_sales_page_shows_the_figures_and_the_ledger_check(trade: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE, {"laporan": "daily-sales", **MARCH})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="periode">Periode 1 Maret 2026 s.d. 31 Maret 2026</strong>' in page
    assert [s.key for s in response.context["sections"]] == [
        "per-hari",
        "per-hari-kasir",
        "per-kasir",
        "per-cara-bayar",
        "per-pembeli",
        "cocok",
    ]
    by_method = response.context["sections"][3]
    assert [[c.text for c in cells] for _kind, cells in by_method.rows] == [
        ["Tunai", "2", "Rp 198.000", "1", "Rp 19.000", "Rp 179.000"],
        ["QRIS", "1", "Rp 62.800", "0", "Rp 0", "Rp 62.800"],
        ["Transfer bank", "1", "Rp 85.500", "0", "Rp 0", "Rp 85.500"],
    ]
    assert [c.text for c in by_method.totals] == ["Jumlah", "4", "Rp 346.300", "1", "Rp 19.000", "Rp 327.300"]
    check = response.context["sections"][-1]
    assert [[c.text for c in cells] for _kind, cells in check.rows][-1] == [
        "Jumlah penjualan neto",
        "Rp 327.300",
        "Rp 327.300",
        "Rp 0",
    ]
    assert '<td class="num">Rp 327.300</td>' in page
    assert 'href="/k/manggar/gerai/laporan/?laporan=consignment&amp;from=2026-03-01&amp;to=2026-03-31"' in page
    assert 'href="/k/manggar/gerai/laporan/daily-sales.pdf?from=2026-03-01&amp;to=2026-03-31"' in page


@pytest.mark.parametrize("name", NAMES)
def test_every_report_renders(trade: Any, ketua: Any, name: str) -> None:
    response = login(ketua).get(BASE, {"laporan": name, **MARCH, "days": "20"})
    assert response.status_code == 200, name
    assert response.context["spec"].slug == name
    assert response.context["sections"]
    page = response.content.decode()
    assert str(reports.REPORTS[name].title) in page
    assert response.context["params"]["days"] == "20"
    assert 'inputmode="numeric" value="20">' in page
    # Reports of today ignore the period; the days reach only the slow-moving report.
    link = response.context["xlsx_url"]
    if reports.REPORTS[name].ranged:
        assert link == f"/k/manggar/gerai/laporan/{name}.xlsx?from=2026-03-01&to=2026-03-31"
    elif name == "slow-moving":
        assert link == f"/k/manggar/gerai/laporan/{name}.xlsx?days=20"
    else:
        assert link == f"/k/manggar/gerai/laporan/{name}.xlsx"


def test_price_vs_het_page_flags_a_price_above_the_ceiling(trade: Any, ketua: Any, admin_user: Any) -> None:
    services.het_create(
        commodity="minyakita",
        region_code="64.71",
        price=15_000,
        effective_from=datetime.date.today() - datetime.timedelta(days=1),
        actor=admin_user,
    )
    response = login(ketua).get(BASE, {"laporan": "price-vs-het"})
    [section] = response.context["sections"]
    kind, cells = section.rows[0]
    assert kind == "flag"
    assert [c.text for c in cells][1:] == [
        "MinyaKita 1 L",
        "MinyaKita (per liter)",
        "1",
        "Rp 15.700",
        "Rp 15.000",
        "Rp 15.000",
        "-Rp 700",
        "Di atas HET",
    ]
    assert '<tr class="flag">' in response.content.decode()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01"}, "Tanggal tidak valid: '2026-13-01'"),
        ({"to": "kemarin"}, "Tanggal tidak valid: 'kemarin'"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "Tanggal awal tidak boleh setelah tanggal akhir."),
        ({"from": "2024-01-01", "to": "2026-03-01"}, "Rentang tanggal paling lama satu tahun."),
        ({"from": "0001-01-01"}, "Tanggal harus antara 01/01/1900 dan 31/12/2999."),
        ({"to": "2026-03-01\x00"}, "Tanggal tidak valid"),
        ({"laporan": "slow-moving", "days": "0"}, "Jumlah hari harus 1–3650."),
        ({"laporan": "slow-moving", "days": "1.5"}, "Jumlah hari harus bilangan bulat 1–3650."),
        ({"laporan": "slow-moving", "days": "99999999999999999999"}, "Jumlah hari harus bilangan bulat 1–3650."),
        ({"laporan": "laba-rugi"}, "Laporan 'laba-rugi' tidak dikenal."),
        ({"laporan": "x\x00y"}, "Laporan 'xy' tidak dikenal."),
    ],
)
def test_bad_query_is_422_with_a_message(coop: Any, ketua: Any, params: dict[str, str], message: str) -> None:
    response = login(ketua).get(BASE, params)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="report-error"' in page and escape(message) in page
    assert "unduh-excel" not in page


# --- Excel --------------------------------------------------------------------------------------------------
def test_daily_sales_excel_has_title_period_and_totals(trade: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE + "daily-sales.xlsx", MARCH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="penjualan-harian-manggar-20260301-20260331.xlsx"'
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == [
        "Per hari",
        "Per hari dan kasir",
        "Per kasir",
        "Per cara bayar",
        "Anggota dan bukan anggota",
        "Cocok dengan buku besar",
    ]
    days = book["Per hari"]
    assert days["A1"].value == "KKMP Manggar"
    assert days["A3"].value == "Penjualan harian: Per hari"
    assert days["A4"].value == "Periode 1 Maret 2026 s.d. 31 Maret 2026"
    rows = [tuple(c.value for c in row) for row in days.iter_rows(min_row=6)]
    assert rows[0][:6] == ("Tanggal", "Nota", "Penjualan bruto", "Retur", "Nilai retur", "Penjualan neto")
    assert rows[10] == (datetime.datetime(2026, 3, 10), 3, 260_800, 0, 0, 260_800, 198_000, 62_800, 0, 141_000, 119_800)
    assert rows[-1] == ("Jumlah", 4, 346_300, 1, 19_000, 327_300, 179_000, 62_800, 85_500, 226_500, 100_800)
    assert len(rows) == 1 + 31 + 1
    assert days.cell(row=7 + 31, column=3).number_format == '"Rp" #,##0;-"Rp" #,##0;"Rp" 0'
    check = sheet_rows(response.content, "Cocok dengan buku besar")[6:]
    assert check[-1] == ("Jumlah penjualan neto", 327_300, 327_300, 0)


def test_sales_by_product_excel_margin_is_a_percentage(trade: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE + "sales-by-product.xlsx", MARCH)
    rows = sheet_rows(response.content, "Per barang")[6:]
    assert rows[0] == ("SPHP5", "Beras SPHP 5 kg", "karung", 3, 0, 3, 196_500, 171_000, 25_500, 0.1298)
    assert rows[1] == ("KRP", "Keripik pisang (titipan)", "bungkus", 3, 0, 3, 30_000, 27_000, 3_000, 0.1)
    assert rows[-1] == ("Jumlah", None, None, None, None, None, 327_300, 286_000, 41_300, 0.1262)
    book = load_workbook(BytesIO(response.content))
    assert book["Per barang"].cell(row=7, column=10).number_format == "0.00%"


@pytest.mark.parametrize("name", NAMES)
def test_every_report_downloads_as_excel(trade: Any, ketua: Any, name: str) -> None:
    response = login(ketua).get(BASE + f"{name}.xlsx", MARCH)
    assert response.status_code == 200
    book = load_workbook(BytesIO(response.content))
    first = book.worksheets[0]
    assert first["A1"].value == "KKMP Manggar"
    assert str(reports.REPORTS[name].title) in first["A3"].value
    stem = reports.REPORTS[name].file_stem
    assert response["Content-Disposition"].startswith(f'attachment; filename="{stem}-manggar-')


def test_stock_valuation_excel_ties_to_the_inventory_account(trade: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE + "stock-valuation.xlsx")
    rows = sheet_rows(response.content, "Per barang")[6:]
    assert rows[-1] == ("Jumlah", None, None, None, None, 1_117_000)
    check = sheet_rows(response.content, "Cocok dengan buku besar")[6:]
    assert check == [("Persediaan (1-1500)", 1_117_000, 1_117_000, 0)]


# --- PDF ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", NAMES)
def test_every_report_downloads_as_pdf(trade: Any, ketua: Any, name: str) -> None:
    response = login(ketua).get(BASE + f"{name}.pdf", MARCH)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('.pdf"')


def test_a_file_with_a_bad_period_is_the_page_with_422(trade: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE + "daily-sales.pdf", {"from": "2026-04-01", "to": "2026-03-01"})
    assert response.status_code == 422
    assert "Tanggal awal tidak boleh setelah tanggal akhir." in response.content.decode()


def test_an_unknown_report_file_is_404(coop: Any, ketua: Any) -> None:
    assert login(ketua).get(BASE + "laba-rugi.xlsx").status_code == 404
    assert login(ketua).get(BASE + "laba-rugi.pdf").status_code == 404


# --- Permissions and tenancy --------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["", "daily-sales.xlsx", "daily-sales.pdf"])
def test_kasir_is_refused(coop: Any, kasir: Any, path: str) -> None:
    assert login(kasir).get(BASE + path).status_code == 403


@pytest.mark.parametrize("path", ["", "daily-sales.xlsx", "daily-sales.pdf"])
def test_another_cooperatives_officer_gets_404(trade: Any, other_ketua: Any, path: str) -> None:
    response = login(other_ketua).get(BASE + path, {"from": "bukan tanggal"})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["", "daily-sales.xlsx"])
def test_anonymous_goes_to_login(coop: Any, path: str) -> None:
    response = Client().get(BASE + path)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/?next=")


def test_officers_and_admin_may_read(
    coop: Any, pengawas: Any, bendahara: Any, manajer: Any, admin_user: Any, dinas_user: Any
) -> None:
    for user in (pengawas, bendahara, manajer, admin_user):
        assert login(user).get(BASE).status_code == 200
    assert login(dinas_user).get(BASE).status_code == 403  # the Dinas reads the books, not the gerai's reports


def test_post_is_not_allowed(coop: Any, ketua: Any) -> None:
    assert login(ketua).post(BASE).status_code == 405


# --- Queries do not grow with the sales ---------------------------------------------------------------------
def _queries(client: Client, path: str, params: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path, params).status_code == 200
    return len(ctx.captured_queries)


def test_page_and_files_queries_do_not_grow_with_the_sales(
    trade: Any, coop: Any, ketua: Any, kasir: Any, lpg: Any, oil: Any
) -> None:
    client = login(ketua)
    paths = [(BASE, {"laporan": n, **MARCH}) for n in NAMES] + [(BASE + "daily-sales.xlsx", MARCH)]
    client.get(BASE)  # session and caches warm
    before = [_queries(client, path, params) for path, params in paths]
    session = services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    for i in range(9):
        case.sell(coop, kasir, datetime.date(2026, 3, 20 + i % 5), [(lpg if i % 2 else oil, 1)])
    services.cashier_session_close(cooperative=coop, session=session, counted_cash=0, actor=kasir)
    after = [_queries(client, path, params) for path, params in paths]
    assert after == before
