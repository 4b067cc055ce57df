"""The statement pages (laporan keuangan): figures on the page, in Excel and PDF, access, bad dates."""

from __future__ import annotations

import datetime
import re
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from koperasi.core.roles import Role
from koperasi.ledger import views_reports
from koperasi.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db

D = datetime.date
BASE = "/k/manggar/buku/laporan/"
PAGES = {
    "trial_balance": (BASE + "neraca-saldo/", {"as_of": "2026-01-31"}),
    "balance_sheet": (BASE + "neraca/", {"as_of": "2026-01-31"}),
    "income_statement": (BASE + "hasil-usaha/", {"from": "2026-01-01", "to": "2026-01-31"}),
    "cash_flow": (BASE + "arus-kas/", {"from": "2026-01-01", "to": "2026-01-31"}),
    "equity_changes": (BASE + "perubahan-ekuitas/", {"from": "2026-01-01", "to": "2026-01-31"}),
    "general_ledger": (BASE + "buku-besar/", {"account": "1-1100", "from": "2026-01-01", "to": "2026-01-31"}),
}


@pytest.fixture
def books(coop: Any, post: Any) -> Any:
    """A year-old capital, then January 2026: capital, stock bought, sales to members and others, power bill."""
    post(coop, D(2025, 6, 1), [("1-1100", 5_000_000, 0), ("3-1100", 0, 5_000_000)], "Simpanan pokok pendiri")
    post(coop, D(2026, 1, 5), [("1-1100", 1_000_000, 0), ("3-1100", 0, 1_000_000)], "Simpanan pokok anggota baru")
    post(coop, D(2026, 1, 10), [("1-1500", 2_000_000, 0), ("1-1100", 0, 2_000_000)], "Beli sembako")
    post(coop, D(2026, 1, 15), [("1-1100", 1_500_000, 0), ("4-1100", 0, 1_500_000)], "Penjualan anggota")
    post(coop, D(2026, 1, 15), [("5-1100", 1_000_000, 0), ("1-1500", 0, 1_000_000)], "HPP anggota")
    post(coop, D(2026, 1, 20), [("1-1100", 600_000, 0), ("4-2100", 0, 600_000)], "Penjualan bukan anggota")
    post(coop, D(2026, 1, 20), [("5-1100", 400_000, 0), ("1-1500", 0, 400_000)], "HPP bukan anggota")
    post(coop, D(2026, 1, 25), [("5-2200", 150_000, 0), ("1-1100", 0, 150_000)], "Listrik Januari")
    return coop


@pytest.fixture
def client_as() -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def ketua_client(books: Any, ketua: Any, client_as: Any) -> Client:
    return client_as(ketua)


def cells(html: str, selector: str) -> list[str]:
    """The texts of the cells of the first ``<tr>`` whose attributes contain ``selector``."""
    match = re.search(rf"<tr[^>]*{re.escape(selector)}[^>]*>(.*?)</tr>", html, re.S)
    assert match is not None, selector
    found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", match.group(1), re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in found]


def table(html: str, table_id: str) -> list[list[str]]:
    """Every row of a table as its cell texts."""
    match = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert match is not None, table_id
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(1), re.S)
    return [
        [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]


def sheet_rows(response: Any) -> list[tuple[Any, ...]]:
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.active is not None
    return list(workbook.active.iter_rows(values_only=True))


def sheet_row(rows: list[tuple[Any, ...]], label: str, column: int = 1) -> tuple[Any, ...]:
    found = [row for row in rows if len(row) > column and row[column] == label]
    assert len(found) == 1, (label, found)
    return found[0]


# --- figures --------------------------------------------------------------------------------
def test_trial_balance_page(ketua_client: Client) -> None:
    response = ketua_client.get(*PAGES["trial_balance"])

    assert response.status_code == 200
    html = response.content.decode()
    assert table(html, "neraca-saldo")[1:-1] == [
        ["1-1100", "Kas", "Rp 5.950.000", ""],
        ["1-1500", "Persediaan barang dagangan", "Rp 600.000", ""],
        ["3-1100", "Simpanan pokok", "", "Rp 6.000.000"],
        ["4-1100", "Penjualan gerai — anggota", "", "Rp 1.500.000"],
        ["4-2100", "Penjualan gerai — bukan anggota", "", "Rp 600.000"],
        ["5-1100", "Harga pokok penjualan gerai", "Rp 1.400.000", ""],
        ["5-2200", "Beban listrik, air dan telepon", "Rp 150.000", ""],
    ]
    assert cells(html, 'class="grand"') == ["Jumlah", "Rp 8.100.000", "Rp 8.100.000"]
    assert 'data-balanced="1"' in html
    assert "Per 31 Januari 2026" in html


def test_balance_sheet_page_two_columns_and_check(ketua_client: Client) -> None:
    response = ketua_client.get(*PAGES["balance_sheet"])

    assert response.status_code == 200
    html = response.content.decode()
    rows = table(html, "neraca")
    assert rows[0] == ["Kode", "Akun", "31/01/2026", "31/12/2025"]
    assert ["1-1100", "Kas", "Rp 5.950.000", "Rp 5.000.000"] in rows
    assert ["1-1500", "Persediaan barang dagangan", "Rp 600.000", "Rp 0"] in rows
    assert ["1-1000", "Aset lancar", "Rp 6.550.000", "Rp 5.000.000"] in rows
    assert ["", "SHU tahun berjalan (belum ditutup)", "Rp 550.000", "Rp 0"] in rows
    assert cells(html, 'data-total="assets"') == ["Jumlah aset", "Rp 6.550.000", "Rp 5.000.000"]
    assert cells(html, 'data-total="liabilities"') == ["Jumlah kewajiban", "Rp 0", "Rp 0"]
    assert cells(html, 'data-total="equity"') == ["Jumlah ekuitas", "Rp 6.550.000", "Rp 5.000.000"]
    assert cells(html, 'data-total="liabilities_equity"') == [
        "Jumlah kewajiban dan ekuitas",
        "Rp 6.550.000",
        "Rp 5.000.000",
    ]
    assert 'data-balanced="1"' in html
    assert "Seimbang" in html
    # Group rows are indented by depth: Aset (0) > Aset lancar (1) > Kas (2).
    assert '<td class="d2">Kas</td>' in html
    assert '<td class="d1">Aset lancar</td>' in html


def test_income_statement_page_units_and_parties(ketua_client: Client, books: Any) -> None:
    response = ketua_client.get(*PAGES["income_statement"])

    assert response.status_code == 200
    html = response.content.decode()
    rows = table(html, "hasil-usaha")
    assert rows[0] == ["Kode", "Akun", "Tanpa unit", "Gerai sembako", "Jumlah"]
    assert ["4-1100", "Penjualan gerai — anggota", "Rp 0", "Rp 1.500.000", "Rp 1.500.000"] in rows
    assert ["4-2100", "Penjualan gerai — bukan anggota", "Rp 0", "Rp 600.000", "Rp 600.000"] in rows
    assert ["5-2200", "Beban listrik, air dan telepon", "Rp 150.000", "Rp 0", "Rp 150.000"] in rows
    assert cells(html, 'data-total="income"') == ["Jumlah pendapatan", "Rp 0", "Rp 2.100.000", "Rp 2.100.000"]
    assert cells(html, 'data-total="expense"') == ["Jumlah beban", "Rp 150.000", "Rp 1.400.000", "Rp 1.550.000"]
    assert cells(html, 'data-total="surplus"') == ["Sisa hasil usaha (SHU)", "-Rp 150.000", "Rp 700.000", "Rp 550.000"]
    assert cells(html, 'data-party="anggota"') == ["Dari anggota", "Rp 1.500.000"]
    assert cells(html, 'data-party="non_anggota"') == ["Dari bukan anggota", "Rp 600.000"]
    assert cells(html, 'data-party="lainnya"')[1] == "Rp 0"
    assert "Periode 1 Januari 2026 s.d. 31 Januari 2026" in html


def test_cash_flow_page(ketua_client: Client) -> None:
    response = ketua_client.get(*PAGES["cash_flow"])

    assert response.status_code == 200
    html = response.content.decode()
    assert cells(html, 'data-total="opening"') == ["Saldo kas awal (01/01/2026)", "Rp 5.000.000"]
    rows = table(html, "arus-kas")
    assert ["1-1500", "Persediaan barang dagangan", "-Rp 2.000.000"] in rows
    assert ["4-1100", "Penjualan gerai — anggota", "Rp 1.500.000"] in rows
    assert ["3-1100", "Simpanan pokok", "Rp 1.000.000"] in rows
    assert cells(html, 'data-total="operating"') == ["Arus kas bersih dari aktivitas operasi", "-Rp 50.000"]
    assert cells(html, 'data-total="investing"') == ["Arus kas bersih dari aktivitas investasi", "Rp 0"]
    assert cells(html, 'data-total="financing"') == ["Arus kas bersih dari aktivitas pendanaan", "Rp 1.000.000"]
    assert cells(html, 'data-total="net_change"') == ["Kenaikan (penurunan) bersih kas", "Rp 950.000"]
    assert cells(html, 'data-total="closing"') == ["Saldo kas akhir (31/01/2026)", "Rp 5.950.000"]


def test_equity_changes_page(ketua_client: Client) -> None:
    response = ketua_client.get(*PAGES["equity_changes"])

    assert response.status_code == 200
    rows = table(response.content.decode(), "perubahan-ekuitas")
    assert rows[1:] == [
        ["3-1100", "Simpanan pokok", "Rp 5.000.000", "Rp 1.000.000", "Rp 0", "Rp 6.000.000"],
        ["", "SHU belum ditutup", "Rp 0", "Rp 550.000", "Rp 0", "Rp 550.000"],
        ["Jumlah ekuitas", "Rp 5.000.000", "Rp 1.550.000", "Rp 0", "Rp 6.550.000"],
    ]


def test_general_ledger_page(ketua_client: Client) -> None:
    response = ketua_client.get(*PAGES["general_ledger"])

    assert response.status_code == 200
    html = response.content.decode()
    rows = table(html, "buku-besar")
    assert rows[1] == ["01/01/2026", "", "Saldo awal", "", "", "Rp 5.000.000"]
    assert [r[2:] for r in rows[2:-1]] == [
        ["Simpanan pokok anggota baru", "Rp 1.000.000", "", "Rp 6.000.000"],
        ["Beli sembako", "", "Rp 2.000.000", "Rp 4.000.000"],
        ["Penjualan anggota", "Rp 1.500.000", "", "Rp 5.500.000"],
        ["Penjualan bukan anggota", "Rp 600.000", "", "Rp 6.100.000"],
        ["Listrik Januari", "", "Rp 150.000", "Rp 5.950.000"],
    ]
    assert rows[2][:2] == ["05/01/2026", "JU-000002"]
    assert rows[-1] == ["Saldo akhir (31/01/2026)", "Rp 5.950.000"]
    # The chooser lists posting accounts only, with the chosen one selected.
    assert '<option value="1-1100" selected>1-1100 Kas</option>' in html
    assert 'value="1-1000"' not in html
    assert "Buku besar 1-1100 Kas" in html


def test_general_ledger_without_account_shows_the_chooser(ketua_client: Client) -> None:
    response = ketua_client.get(BASE + "buku-besar/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Pilih akun untuk melihat buku besarnya." in html
    assert 'id="buku-besar"' not in html


def test_general_ledger_pages_of_lines(ketua_client: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(views_reports, "LEDGER_PAGE_SIZE", 2)
    url, params = PAGES["general_ledger"]

    second = ketua_client.get(url, {**params, "page": "2"}).content.decode()
    rows = table(second, "buku-besar")
    # No opening row past page 1; the running balance carries over from page 1.
    assert [r[2:] for r in rows[1:]] == [
        ["Penjualan anggota", "Rp 1.500.000", "", "Rp 5.500.000"],
        ["Penjualan bukan anggota", "Rp 600.000", "", "Rp 6.100.000"],
    ]
    assert '<strong aria-current="page">2</strong>' in second
    assert "page=1" in second and "page=3" in second
    # Past the end: the last page, with the closing balance.
    last = ketua_client.get(url, {**params, "page": "99"})
    assert last.status_code == 200
    rows = table(last.content.decode(), "buku-besar")
    assert [r[2:] for r in rows[1:-1]] == [["Listrik Januari", "", "Rp 150.000", "Rp 5.950.000"]]
    assert rows[-1] == ["Saldo akhir (31/01/2026)", "Rp 5.950.000"]
    # A page that is not a number is page 1.
    first = table(ketua_client.get(url, {**params, "page": "x"}).content.decode(), "buku-besar")
    assert first[1][2] == "Saldo awal"


def test_general_ledger_unknown_or_group_account(ketua_client: Client) -> None:
    missing = ketua_client.get(BASE + "buku-besar/", {"account": "9-9999"})
    assert missing.status_code == 404
    assert "Akun 9-9999 tidak ditemukan." in missing.content.decode()

    group = ketua_client.get(BASE + "buku-besar/", {"account": "1-1000"})
    assert group.status_code == 422
    assert "Akun 1-1000 adalah akun kelompok; pilih akun rinciannya." in group.content.decode()


@pytest.mark.parametrize("name", list(PAGES))
def test_empty_books_render(name: str, coop: Any, ketua: Any, client_as: Any) -> None:
    url, params = PAGES[name]
    client = client_as(ketua)
    assert client.get(url, params).status_code == 200
    assert client.get(url, {**params, "format": "xlsx"}).status_code == 200


def test_index_links_every_statement(ketua_client: Client) -> None:
    response = ketua_client.get(BASE)

    assert response.status_code == 200
    html = response.content.decode()
    for url, _params in PAGES.values():
        assert f'href="{url}"' in html


def test_defaults_are_today_and_first_of_year(ketua_client: Client) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    response = ketua_client.get(BASE + "hasil-usaha/")
    assert response.status_code == 200
    assert response.context["params"] == {"from": f"{today.year}-01-01", "to": today.isoformat()}
    response = ketua_client.get(BASE + "neraca/")
    assert response.status_code == 200
    assert response.context["params"] == {"as_of": today.isoformat()}


# --- Excel ----------------------------------------------------------------------------------
def test_balance_sheet_excel(ketua_client: Client) -> None:
    url, params = PAGES["balance_sheet"]
    response = ketua_client.get(url, {**params, "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="neraca-manggar-2026-01-31.xlsx"'
    workbook = load_workbook(BytesIO(response.content))
    sheet = workbook.active
    assert sheet is not None
    assert sheet["A1"].value == "KKMP Manggar"
    assert sheet["A2"].value == "Kel. Manggar, Kec. Balikpapan Timur"
    assert sheet["A3"].value == "Neraca"
    assert sheet["A4"].value == "Per 31 Januari 2026"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[5] == ("Kode", "Akun", "31/01/2026", "31/12/2025")
    assert sheet_row(rows, "Kas") == ("1-1100", "Kas", 5_950_000, 5_000_000)
    assert sheet_row(rows, "Jumlah aset")[2:] == (6_550_000, 5_000_000)
    assert sheet_row(rows, "Jumlah kewajiban dan ekuitas")[2:] == (6_550_000, 5_000_000)
    kas = next(r for r in sheet.iter_rows() if r[1].value == "Kas")
    assert kas[2].number_format == "#,##0"
    assert isinstance(kas[2].value, int)


def test_trial_balance_and_income_statement_excel(ketua_client: Client) -> None:
    url, params = PAGES["trial_balance"]
    rows = sheet_rows(ketua_client.get(url, {**params, "format": "xlsx"}))
    assert sheet_row(rows, "Jumlah") == (None, "Jumlah", 8_100_000, 8_100_000)
    assert sheet_row(rows, "Simpanan pokok") == ("3-1100", "Simpanan pokok", None, 6_000_000)

    url, params = PAGES["income_statement"]
    response = ketua_client.get(url, {**params, "format": "xlsx"})
    assert response["Content-Disposition"] == ('attachment; filename="hasil-usaha-manggar-2026-01-01_2026-01-31.xlsx"')
    rows = sheet_rows(response)
    assert rows[3][0] == "Periode 1 Januari 2026 s.d. 31 Januari 2026"
    assert rows[5] == ("Kode", "Akun", "Tanpa unit", "Gerai sembako", "Jumlah")
    assert sheet_row(rows, "SISA HASIL USAHA (SHU)")[2:] == (-150_000, 700_000, 550_000)
    assert sheet_row(rows, "Dari anggota")[4] == 1_500_000
    assert sheet_row(rows, "Dari bukan anggota")[4] == 600_000


def test_cash_flow_equity_and_ledger_excel(ketua_client: Client) -> None:
    url, params = PAGES["cash_flow"]
    rows = sheet_rows(ketua_client.get(url, {**params, "format": "xlsx"}))
    assert sheet_row(rows, "Saldo kas awal")[2] == 5_000_000
    assert sheet_row(rows, "Saldo kas akhir")[2] == 5_950_000
    assert sheet_row(rows, "Kenaikan (penurunan) bersih kas")[2] == 950_000

    url, params = PAGES["equity_changes"]
    rows = sheet_rows(ketua_client.get(url, {**params, "format": "xlsx"}))
    assert sheet_row(rows, "Jumlah ekuitas")[2:] == (5_000_000, 1_550_000, 0, 6_550_000)

    url, params = PAGES["general_ledger"]
    response = ketua_client.get(url, {**params, "format": "xlsx"})
    assert response["Content-Disposition"] == (
        'attachment; filename="buku-besar-1-1100-manggar-2026-01-01_2026-01-31.xlsx"'
    )
    rows = sheet_rows(response)
    assert rows[2][0] == "Buku besar 1-1100 Kas"
    assert sheet_row(rows, "Saldo awal", 2)[5] == 5_000_000
    assert sheet_row(rows, "Listrik Januari", 2) == (
        datetime.datetime(2026, 1, 25),
        "JU-000008",
        "Listrik Januari",
        None,
        150_000,
        5_950_000,
    )
    assert sheet_row(rows, "Saldo akhir", 2)[5] == 5_950_000


def test_general_ledger_excel_reads_every_batch_up_to_the_cap(ketua_client: Client, monkeypatch: Any) -> None:
    monkeypatch.setattr(views_reports, "EXPORT_BATCH", 2)
    url, params = PAGES["general_ledger"]
    rows = sheet_rows(ketua_client.get(url, {**params, "format": "xlsx"}))
    assert [r[5] for r in rows[7:-1]] == [6_000_000, 4_000_000, 5_500_000, 6_100_000, 5_950_000]
    assert sheet_row(rows, "Saldo akhir", 2)[5] == 5_950_000

    monkeypatch.setattr(views_reports, "XLSX_MAX_LINES", 3)
    rows = sheet_rows(ketua_client.get(url, {**params, "format": "xlsx"}))
    assert [r[2] for r in rows[7:]] == [
        "Simpanan pokok anggota baru",
        "Beli sembako",
        "Penjualan anggota",
        "Saldo akhir",
        "Hanya 3 baris pertama; persempit rentang tanggal.",
    ]


# --- PDF (few: WeasyPrint takes a moment) -----------------------------------------------------
def test_balance_sheet_pdf(ketua_client: Client) -> None:
    url, params = PAGES["balance_sheet"]
    response = ketua_client.get(url, {**params, "format": "pdf"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="neraca-manggar-2026-01-31.pdf"'
    assert response.content.startswith(b"%PDF")


def test_pdf_html_has_letterhead_table_and_signatures(ketua_client: Client, monkeypatch: Any) -> None:
    """The HTML WeasyPrint lays out: letterhead, title, period, the page's table, signatures."""
    from koperasi.ledger import pdf

    captured: dict[str, Any] = {}

    class FakeHTML:
        def __init__(self, *, string: str, url_fetcher: Any) -> None:
            captured["html"] = string

        def write_pdf(self) -> bytes:
            return b"%PDF-fake"

    monkeypatch.setattr(pdf, "HTML", FakeHTML)
    url, params = PAGES["income_statement"]
    response = ketua_client.get(url, {**params, "format": "pdf"})

    assert response.status_code == 200
    assert response.content == b"%PDF-fake"
    html = captured["html"]
    assert '<p class="coop">KKMP Manggar</p>' in html
    assert "Kel. Manggar, Kec. Balikpapan Timur, Balikpapan" in html
    assert '<h2 class="title">Perhitungan hasil usaha</h2>' in html
    assert "Periode 1 Januari 2026 s.d. 31 Januari 2026" in html
    assert cells(html, 'data-total="surplus"') == ["Sisa hasil usaha (SHU)", "-Rp 150.000", "Rp 700.000", "Rp 550.000"]
    assert cells(html, 'data-party="non_anggota"') == ["Dari bukan anggota", "Rp 600.000"]
    assert "Ketua" in html and "Bendahara" in html
    assert "size: A4;" in html
    assert "Dicetak " in html


def test_general_ledger_pdf(ketua_client: Client) -> None:
    url, params = PAGES["general_ledger"]
    response = ketua_client.get(url, {**params, "format": "pdf"})

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Disposition"].endswith('filename="buku-besar-1-1100-manggar-2026-01-01_2026-01-31.pdf"')


# --- bad input ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("balance_sheet", {"as_of": "abc"}, "Tanggal tidak valid: &#x27;abc&#x27;. Gunakan format TTTT-BB-HH."),
        ("trial_balance", {"as_of": "2026-02-30"}, "Tanggal tidak valid"),
        ("balance_sheet", {"as_of": "0001-01-01"}, "Tanggal harus antara tahun 1900 dan 2999."),
        ("income_statement", {"from": "2026-02-01", "to": "2026-01-01"}, "Tanggal awal tidak boleh setelah"),
        ("cash_flow", {"from": "0001-01-01", "to": "2026-01-01"}, "Tanggal harus antara tahun 1900 dan 2999."),
        ("cash_flow", {"from": "1990-01-01", "to": "2026-01-01"}, "Rentang tanggal paling lama 10 tahun."),
        ("equity_changes", {"to": "31/01/2026"}, "Tanggal tidak valid"),
        ("general_ledger", {"account": "1-1100", "from": "2026-03-01", "to": "2026-01-01"}, "tanggal akhir"),
        ("general_ledger", {"account": "1-1100", "from": "2000-01-01", "to": "2026-01-01"}, "paling lama 10 tahun"),
        ("general_ledger", {"account": "1-1100", "from": "2000-01-01", "format": "xlsx"}, "paling lama 10 tahun"),
        ("balance_sheet", {"as_of": "abc", "format": "pdf"}, "Tanggal tidak valid"),
        ("income_statement", {"from": "x", "format": "xlsx"}, "Tanggal tidak valid"),
    ],
)
def test_bad_dates_rerender_with_422(ketua_client: Client, name: str, params: dict[str, str], message: str) -> None:
    url, _params = PAGES[name]
    response = ketua_client.get(url, params)

    assert response.status_code == 422
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert 'id="report-error"' in html
    assert message in html
    assert 'aria-invalid="true"' in html


# --- access ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [*PAGES, "index"])
def test_access(name: str, books: Any, other_coop: Any, grant: Any, dinas_user: Any, client_as: Any) -> None:
    url, params = PAGES[name] if name != "index" else (BASE, {})
    assert client_as(grant(other_coop, Role.KETUA)).get(url, params).status_code == 404
    assert client_as(grant(books, Role.KASIR)).get(url, params).status_code == 403
    assert client_as(grant(books, Role.ANGGOTA)).get(url, params).status_code == 403
    assert client_as(dinas_user).get(url, params).status_code == 200
    assert client_as(grant(books, Role.PENGAWAS)).get(url, params).status_code == 200
    anonymous = Client().get(url, params)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/masuk/")


def test_other_coop_user_gets_no_file(books: Any, other_coop: Any, grant: Any, client_as: Any) -> None:
    url, params = PAGES["balance_sheet"]
    response = client_as(grant(other_coop, Role.BENDAHARA)).get(url, {**params, "format": "xlsx"})
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/vnd")


def test_post_is_refused(ketua_client: Client) -> None:
    url, params = PAGES["balance_sheet"]
    assert ketua_client.post(url, params).status_code == 405


# --- query counts ---------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PAGES))
def test_query_count_is_bounded(name: str, ketua_client: Client, django_assert_max_num_queries: Any) -> None:
    """Statements read month and day totals, not lines: the count does not grow with the books.

    Measured: 8 (neraca saldo) to 11 (neraca, arus kas, buku besar) for a page, one fewer for Excel.
    """
    url, params = PAGES[name]
    # Also a range cut mid-month at both ends: month totals and day totals both read.
    ragged = {
        key: {"as_of": "2026-01-20", "from": "2025-06-15", "to": "2026-01-20"}[key]
        for key in params
        if key != "account"
    }
    for query in (params, {**params, **ragged}):
        with django_assert_max_num_queries(13):
            assert ketua_client.get(url, query).status_code == 200
        with django_assert_max_num_queries(13):
            assert ketua_client.get(url, {**query, "format": "xlsx"}).status_code == 200


def test_books_stay_verified(books: Any) -> None:
    result = ledger_verify(cooperative=books)
    assert result.ok, result.problems
    assert result.entries_checked == 8
