"""Dinas pages over the Balikpapan demo: list, filters, permissions, Excel export."""

from __future__ import annotations

import datetime
import re
from io import BytesIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell

from koperasi.core.models import RegionalRole
from koperasi.core.roles import Role
from koperasi.oversight.exports import COOPERATIVE_HEADERS
from koperasi.regions.models import Region

pytestmark = pytest.mark.django_db

LIST_URL = "/pembinaan/"
EXPORT_URL = "/pembinaan/koperasi.xlsx"
UNDER_CONSTRUCTION = {"graha-indah", "sepinggan-baru", "manggar"}
BALIKPAPAN_SELATAN = {
    "sepinggan",
    "gunung-bahagia",
    "sepinggan-baru",
    "sepinggan-raya",
    "sungainangka",
    "damai-baru",
    "damai-bahagia",
}


@pytest.fixture
def demo(demo_loaded: None) -> None:
    """The demo, loaded once for this module (tests/conftest.py)."""


@pytest.fixture
def dinas(demo: None) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username="dinas"))
    return client


def coop_codes(response: Any) -> list[str]:
    return re.findall(r'data-coop="([^"]+)"', response.content.decode())


def tile_counts(response: Any) -> dict[str, int]:
    html = response.content.decode()
    return {
        stage: int(count) for stage, count in re.findall(r'data-stage="([a-z_]+)"[^>]*>\s*<strong>(\d+)</strong>', html)
    }


def sheet_rows(response: Any, sheet: str = "Koperasi") -> list[tuple[Any, ...]]:
    workbook = load_workbook(BytesIO(response.content))
    return list(workbook[sheet].iter_rows(values_only=True))


def test_dinas_sees_all_34_with_stage_tiles(dinas: Client) -> None:
    response = dinas.get(LIST_URL)

    assert response.status_code == 200
    assert len(coop_codes(response)) == 34
    assert response.content.decode().count("data-coop=") == 34
    assert tile_counts(response) == {"usulan": 24, "pembangunan": 3, "beroperasi": 7}
    assert response.context["scope_total"] == 34
    # One table per kecamatan, in code order, with its count.
    groups = response.context["groups"]
    assert [(g["name"], len(g["rows"])) for g in groups] == [
        ("Balikpapan Timur", 4),
        ("Balikpapan Barat", 6),
        ("Balikpapan Utara", 6),
        ("Balikpapan Tengah", 6),
        ("Balikpapan Selatan", 7),
        ("Balikpapan Kota", 5),
    ]
    html = response.content.decode()
    assert '<a href="/k/gunung-sari-ulu/">Koperasi Kelurahan Merah Putih Gunung Sari Ulu</a>' in html
    assert '<span class="badge badge-beroperasi">Beroperasi</span>' in html
    assert 'href="/pembinaan/koperasi.xlsx"' in html


def test_operating_row_shows_its_figures(dinas: Client) -> None:
    html = dinas.get(LIST_URL, {"q": "Gunung Sari Ulu"}).content.decode()

    row = re.search(r'<tr data-coop="gunung-sari-ulu">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r"<td>(.*?)</td>", row.group(1), re.S)]
    assert cells == [
        "Gunung Sari Ulu",
        "Koperasi Kelurahan Merah Putih Gunung Sari Ulu",
        "Beroperasi",
        "15/01/2026",
        "7/7",
        "4",
        "2",
        "100% · 1 fasilitas",
    ]
    numbers = [
        re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in re.findall(r'<td class="num">(.*?)</td>', row.group(1), re.S)
    ]
    # Members, savings, assets and the running surplus from the books; the loans and their NPL today;
    # the gerai's sales this month (none in the demo's November) and the members' share this year.
    assert numbers[-4:] == [
        "Rp 61.454.964",
        "31,20 %",
        "—",
        "53,8 %" if timezone.localdate().year == 2026 else "—",
    ]


def test_cooperative_without_loans_shows_dashes(dinas: Client) -> None:
    html = dinas.get(LIST_URL, {"q": "Teritip"}).content.decode()

    row = re.search(r'<tr data-coop="teritip">(.*?)</tr>', html, re.S)
    assert row is not None
    numbers = re.findall(r'<td class="num">(.*?)</td>', row.group(1), re.S)
    assert numbers[-2:] == ['<span class="muted">—</span>', '<span class="muted">—</span>']


def test_filter_by_stage(dinas: Client) -> None:
    response = dinas.get(LIST_URL, {"stage": "pembangunan"})

    assert set(coop_codes(response)) == UNDER_CONSTRUCTION
    assert len(coop_codes(response)) == 3
    html = response.content.decode()
    for name in ("Graha Indah", "Sepinggan Baru", "Manggar"):
        assert f"Koperasi Kelurahan Merah Putih {name}</a>" in html
    # The export link and the tiles keep the filter.
    assert 'href="/pembinaan/koperasi.xlsx?stage=pembangunan"' in html
    assert '<option value="pembangunan" selected>' in html
    assert '<a href="/pembinaan/" >' not in html
    assert re.search(r'<a href="/pembinaan/">\s*<strong>34</strong> Semua', html)


def test_filter_by_kecamatan(dinas: Client) -> None:
    response = dinas.get(LIST_URL, {"kecamatan": "64.71.05"})

    assert set(coop_codes(response)) == BALIKPAPAN_SELATAN
    assert len(coop_codes(response)) == 7
    # Tiles count within the kecamatan: Sepinggan operates, Sepinggan Baru is being built.
    assert tile_counts(response) == {"usulan": 5, "pembangunan": 1, "beroperasi": 1}
    html = response.content.decode()
    assert 'href="/pembinaan/?kecamatan=64.71.05&amp;stage=beroperasi"' in html
    assert '<a href="/pembinaan/" class="active" aria-current="true">' not in html


def test_filters_combine_and_search(dinas: Client) -> None:
    assert coop_codes(dinas.get(LIST_URL, {"kecamatan": "64.71.05", "stage": "beroperasi"})) == ["sepinggan"]
    assert set(coop_codes(dinas.get(LIST_URL, {"q": "sepinggan"}))) == {"sepinggan", "sepinggan-baru", "sepinggan-raya"}
    empty = dinas.get(LIST_URL, {"q": "tidak-ada-koperasi-ini"})
    assert coop_codes(empty) == []
    assert "Tidak ada koperasi yang cocok dengan filter." in empty.content.decode()


def test_unknown_stage_is_ignored(dinas: Client) -> None:
    response = dinas.get(LIST_URL, {"stage": "bogus"})

    assert response.status_code == 200
    assert len(coop_codes(response)) == 34


def test_htmx_request_gets_only_the_results(dinas: Client) -> None:
    response = dinas.get(LIST_URL, {"stage": "beroperasi"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results">')
    assert "<html" not in html
    assert len(coop_codes(response)) == 7


def test_list_queries_do_not_grow_per_row(dinas: Client, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(12):
        response = dinas.get(LIST_URL)
    assert len(coop_codes(response)) == 34


def test_cooperative_user_is_refused(demo: None) -> None:
    client = Client()
    client.force_login(get_user_model().objects.get(username="ketua"))

    for url in (LIST_URL, EXPORT_URL):
        response = client.get(url)
        assert response.status_code == 403
        assert b"data-coop=" not in response.content


def test_anonymous_is_sent_to_login() -> None:
    for url in (LIST_URL, EXPORT_URL):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


def test_dinas_of_another_kota_sees_no_balikpapan_cooperative(demo: None, make_user: Any) -> None:
    Region.objects.create(code="63", name="Kalimantan Selatan", level="provinsi")
    Region.objects.create(code="63.71", name="Kota Banjarmasin", level="kota", parent_id="63")
    Region.objects.create(code="63.71.01", name="Banjarmasin Selatan", level="kecamatan", parent_id="63.71")
    Region.objects.create(code="63.71.01.1001", name="Kelayan Luar", level="kelurahan", parent_id="63.71.01")
    user = make_user("dinas-banjarmasin")
    RegionalRole.objects.create(user=user, role=Role.DINAS, region_id="63.71")
    client = Client()
    client.force_login(user)

    response = client.get(LIST_URL)
    assert response.status_code == 200
    assert coop_codes(response) == []
    assert response.context["scope_total"] == 0
    assert sheet_rows(client.get(EXPORT_URL)) == [COOPERATIVE_HEADERS]


def test_excel_export_has_every_cooperative(dinas: Client) -> None:
    response = dinas.get(EXPORT_URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="koperasi-{today}.xlsx"'

    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Koperasi", "Ringkasan"]
    sheet = workbook["Koperasi"]
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 35
    assert rows[0] == COOPERATIVE_HEADERS
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["gunung-sari-ulu"] == (
        "gunung-sari-ulu",
        "Koperasi Kelurahan Merah Putih Gunung Sari Ulu",
        "Gunung Sari Ulu",
        "64.71.04.1001",
        "Balikpapan Tengah",
        "Beroperasi",
        datetime.datetime(2026, 1, 15),
        7,
        4,
        2,
        1,
        100,
        52,
        19_431_673,
        256_559_516,  # tests/oversight/test_selectors.py explains these two from the demo books
        4_536_843 if timezone.localdate().year == 2026 else 0,  # demo books are dated 2026
        61_454_964,
        19_173_521,
        31.2,
        0,  # the gerai sold from July to October 2026 (demo/shop.py)
        96_172_300 if timezone.localdate().year == 2026 else 0,
        53.8 if timezone.localdate().year == 2026 else None,
        27_831_850,
        0,  # LPG and SPHP went out from July to October 2026 (demo/subsidies.py)
        0,
        56,
        *(None, None, None, None, None),  # books from July 2026: no year closed, no RAT due (demo/shu.py)
    )
    assert by_code["graha-indah"][5:] == (
        "Pembangunan",
        datetime.datetime(2025, 10, 21),
        *(7, 0, 0, 2, 78, 0, 0, 0, 0),
        *(0, 0, None),
        *(0, 0, None, 0),
        *(0, 0, 0),
        *(None, None, None, None, None),
    )
    assert by_code["teritip"][5:] == (
        "Usulan",
        datetime.datetime(2025, 5, 10),
        *(1, 0, 0, 0, None, 0, 0, 0, 0),
        0,
        0,
        None,
        *(0, 0, None, 0),
        *(0, 0, 0),
        *(None, None, None, None, None),
    )
    npl = sheet.cell(
        row=1 + 1 + [r[0] for r in rows[1:]].index("gunung-sari-ulu"), column=COOPERATIVE_HEADERS.index("NPL %") + 1
    )
    assert isinstance(npl, Cell)
    assert npl.number_format == "0.00"
    since = sheet.cell(row=2, column=7)
    assert isinstance(since, Cell)
    assert since.is_date and since.number_format == "DD/MM/YYYY"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width


def test_excel_summary_counts_kecamatan_by_stage(dinas: Client) -> None:
    rows = sheet_rows(dinas.get(EXPORT_URL), "Ringkasan")

    header = rows[0]
    assert header[:3] == ("Kode kecamatan", "Kecamatan", "Usulan")
    assert header[-1] == "Jumlah"
    col = {name: i for i, name in enumerate(header)}
    selatan = next(r for r in rows if r[0] == "64.71.05")
    assert (selatan[col["Usulan"]], selatan[col["Pembangunan"]], selatan[col["Beroperasi"]]) == (5, 1, 1)
    assert selatan[col["Jumlah"]] == 7
    total = rows[-1]
    assert total[1] == "Jumlah"
    assert (total[col["Usulan"]], total[col["Pembangunan"]], total[col["Beroperasi"]], total[-1]) == (24, 3, 7, 34)
    assert len(rows) == 1 + 6 + 1


def test_filtered_export_has_exactly_the_filtered_rows(dinas: Client) -> None:
    rows = sheet_rows(dinas.get(EXPORT_URL, {"stage": "pembangunan"}))
    assert len(rows) == 4
    assert {row[0] for row in rows[1:]} == UNDER_CONSTRUCTION

    rows = sheet_rows(dinas.get(EXPORT_URL, {"kecamatan": "64.71.05"}))
    assert {row[0] for row in rows[1:]} == BALIKPAPAN_SELATAN

    rows = sheet_rows(dinas.get(EXPORT_URL, {"kecamatan": "64.71.05", "stage": "beroperasi", "q": "sepinggan"}))
    assert [row[0] for row in rows[1:]] == ["sepinggan"]


def test_api_gives_each_cooperatives_loans_and_npl(demo: None, api_as: Any) -> None:
    api = api_as(get_user_model().objects.get(username="dinas"))

    body = api.get("/oversight/coops", kota="64.71", stage="beroperasi").json()

    assert body["count"] == 7
    gsu = next(item for item in body["items"] if item["code"] == "gunung-sari-ulu")
    assert (gsu["loans_outstanding"], gsu["loans_npl_outstanding"], gsu["npl_ratio"]) == (
        61_454_964,
        19_173_521,
        "31.20",
    )
    assert all(item["loans_outstanding"] > 0 for item in body["items"])
    teritip = api.get("/oversight/coops", q="teritip").json()["items"][0]
    assert (teritip["loans_outstanding"], teritip["loans_npl_outstanding"], teritip["npl_ratio"]) == (0, 0, None)


def test_rows_show_the_year_end_close_and_the_rat(dinas: Client) -> None:
    # demo/shu.py: Batu Ampar's RAT approved the SHU 2025 on 14 March 2026; Karang Rejo closed 2025
    # but held no RAT by 30 June 2026; Gunung Sari Ulu's books start in 2026.
    html = dinas.get(LIST_URL, {"stage": "beroperasi"}).content.decode()

    def cell(code: str, field: str) -> str:
        row = re.search(rf'<tr data-coop="{code}">(.*?)</tr>', html, re.S)
        assert row is not None
        found = re.search(rf'<td data-field="{field}">(.*?)</td>', row.group(1), re.S)
        assert found is not None
        return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())

    assert cell("batu-ampar", "tutup-buku") == "2025 SHU dibagi, RAT 14/03/2026"
    assert cell("karang-rejo", "tutup-buku") == "2025 SHU belum disahkan"
    assert cell("gunung-sari-ulu", "tutup-buku") == cell("gunung-sari-ulu", "rat") == "—"
    today = timezone.localdate()
    if today.year == 2026 and today > datetime.date(2026, 6, 30):  # the deadline is judged on today
        assert cell("batu-ampar", "rat") == "2025: Disahkan RAT batas 30/06/2026"
        assert cell("karang-rejo", "rat") == "2025: Terlambat batas 30/06/2026"
