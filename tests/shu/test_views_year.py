"""The SHU pages of the bendahara and pengurus: the years, the close wizard, reopening, the
policy, simulations and the RAT's approval.

Figures are those of ``tests/shu/conftest.py`` (the 2025 books): income Rp3.100.000, expense
Rp1.700.000, surplus Rp1.400.000 = members Rp1.120.000 + non-members Rp280.000; with the
default policy Budi Rp182.000, Siti Rp116.666, Agus Rp37.333, members' total Rp335.999. The
simulation uses 2026 books scaled from domain.md §2.5 Test A (Grace holds 1/20 of the
savings and made 1/100 of the purchases), so it gives Grace's published Rp500.000 + Rp120.000.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry
from koperasi.ledger.services import ByRole, LineInput, journal_post
from koperasi.shu import views_year
from koperasi.shu.choices import ReopenStatus, YearStatus
from koperasi.shu.models import FiscalYear, FiscalYearReopenRequest, ShuDistribution, ShuMemberShare, ShuPolicy
from tests.conftest import NIK_MAN, NIK_WOMAN
from tests.shu.conftest import EXPECTED, JOINED, SOLD, YEAR, YearBooks, close_months, post_books_2025, register_three

pytestmark = pytest.mark.django_db

D = datetime.date
BASE = "/k/manggar/shu/"
KINDS = ["pokok", "wajib"]
DEFAULT_LINES = [
    ("cadangan", "40"),
    ("jasa_modal", "20"),
    ("jasa_usaha", "10", "gerai_sembako", "purchases"),
    ("jasa_usaha", "10", "simpan_pinjam", "loan_interest"),
    ("dana_pengurus", "5"),
    ("dana_karyawan", "5"),
    ("dana_pendidikan", "5"),
    ("dana_sosial", "5"),
]
# domain.md §2.5 Test A: jasa modal 25, jasa anggota 30, pengurus 10, sosial 10, pendidikan 15, cadangan 10.
TEST_A_LINES = [
    ("cadangan", "10"),
    ("jasa_modal", "25"),
    ("jasa_usaha", "30", "gerai_sembako", "purchases"),
    ("dana_pengurus", "10"),
    ("dana_sosial", "10"),
    ("dana_pendidikan", "15"),
]
# The textbook list of domain.md §2.2 that adds up to 105 %.
LINES_105 = [
    ("cadangan", "40"),
    ("jasa_modal", "20"),
    ("jasa_usaha", "20", "gerai_sembako", "purchases"),
    ("dana_pengurus", "5"),
    ("dana_karyawan", "5"),
    ("dana_pendidikan", "5"),
    ("dana_sosial", "5"),
    ("dana_pembangunan_daerah_kerja", "5"),
]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_text(response: Any) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def text(response: Any, element_id: str) -> str:
    """The text of the element with ``element_id`` (up to the closing tag of its kind; tags removed)."""
    html = response.content.decode()
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"#{element_id} not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def allocation(lines: list[tuple[str, ...]], rows: int = 10) -> dict[str, Any]:
    """The allocation rows of a form as a browser posts them (blank rows included)."""
    data: dict[str, Any] = {"rows": str(rows)}
    for row in range(1, rows + 1):
        pool, percent, unit, basis = (*lines[row - 1], "", "")[:4] if row <= len(lines) else ("", "", "", "")
        data.update(
            {
                f"line{row}_pool": pool,
                f"line{row}_percent": percent,
                f"line{row}_unit": unit,
                f"line{row}_basis": basis,
                f"line{row}_label": "",
            }
        )
    return data


def writes() -> dict[str, Any]:
    """Everything the year pages can write."""
    return {
        "years": list(FiscalYear.objects.order_by("pk").values_list("year", "status", "times_reopened")),
        "requests": list(FiscalYearReopenRequest.objects.order_by("pk").values_list("pk", "status")),
        "policies": ShuPolicy.objects.count(),
        "distributions": ShuDistribution.objects.count(),
        "shares": ShuMemberShare.objects.count(),
        "entries": JournalEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def anggota(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.ANGGOTA)


@pytest.fixture
def open_books(coop: Any, register_member: Any, admin_user: Any, bendahara: Any, kasir: Any) -> list[Any]:
    """The 2025 business of ``year_books`` with every month still open; returns the three members."""
    members = register_three(coop, register_member)
    post_books_2025(coop, members=members, bendahara=bendahara, kasir=kasir, admin=admin_user, close=False)
    return members


VIEW_PAGES = ["", "aturan/", f"{YEAR}/", f"{YEAR}/pengesahan/"]
OFFICERS = [Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA, Role.PENGAWAS, Role.MANAJER]


# --- who may open which page ------------------------------------------------------------------
@pytest.mark.parametrize("role", OFFICERS)
def test_every_page_renders_for_the_officers(role: Role, closed_year: Any, coop: Any, grant: Any) -> None:
    client = login(grant(coop, role, f"{role}-uji"))
    for page in [*VIEW_PAGES, "simulasi/", f"simulasi/?year={YEAR}"]:
        response = client.get(BASE + page)
        assert response.status_code == 200, page
        assert response.context["coop"].code == "manggar"
        assert response.context["shu_perms"]["view"] is True


def test_an_open_year_and_the_approval_of_an_unclosed_year_render(year_books: YearBooks) -> None:
    client = login(year_books.ketua)
    assert client.get(BASE + f"{YEAR}/").status_code == 200
    response = client.get(BASE + f"{YEAR}/pengesahan/")
    assert response.status_code == 200
    assert "Tahun buku 2025 belum ditutup" in page_text(response)
    assert client.get(BASE + "2026/").status_code == 200


def test_the_administrator_reads_but_does_not_simulate(closed_year: Any, admin_user: Any) -> None:
    client = login(admin_user)
    for page in VIEW_PAGES:
        assert client.get(BASE + page).status_code == 200, page
    assert client.get(BASE + "simulasi/").status_code == 403


def test_kasir_anggota_and_dinas_are_refused(closed_year: Any, kasir: Any, anggota: Any, dinas_user: Any) -> None:
    for user in (kasir, anggota, dinas_user):
        client = login(user)
        for page in [*VIEW_PAGES, "simulasi/"]:
            assert client.get(BASE + page).status_code == 403, (user.username, page)


def test_another_cooperatives_user_finds_nothing(
    closed_year: Any, year_books: YearBooks, other_ketua: Any, other_coop: Any, grant: Any
) -> None:
    pending = FiscalYearReopenRequest.objects.create(
        cooperative=year_books.coop,
        fiscal_year=closed_year,
        reason="Koreksi",
        requested_by=year_books.ketua,
        requested_role=Role.KETUA,
    )
    before = writes()
    other_pengawas = grant(other_coop, Role.PENGAWAS, "pengawas-lamaru")
    for user in (other_ketua, other_pengawas):
        client = login(user)
        for page in [*VIEW_PAGES, "simulasi/"]:
            assert client.get(BASE + page).status_code == 404, page
        assert client.post(BASE + f"{YEAR}/tutup/", {"confirm": "on"}).status_code == 404
        assert client.post(BASE + f"{YEAR}/buka-kembali/", {"reason": "x"}).status_code == 404
        assert client.post(BASE + f"buka-kembali/{pending.pk}/setujui/").status_code == 404
        # Their own cooperative's URL with this cooperative's request id: not found either.
        assert client.post(f"/k/lamaru/shu/buka-kembali/{pending.pk}/setujui/").status_code == 404
    assert writes() == before


def test_a_year_outside_the_books_range_is_not_found(year_books: YearBooks) -> None:
    client = login(year_books.bendahara)
    assert client.get(BASE + "1899/").status_code == 404
    assert client.get(BASE + "3000/pengesahan/").status_code == 404
    assert client.post(BASE + "1899/tutup/", {"confirm": "on"}).status_code == 404


def test_writes_need_their_own_role_and_change_nothing(closed_year: Any, year_books: YearBooks, coop: Any) -> None:
    before = writes()
    ketua, bendahara, pengawas = year_books.ketua, year_books.bendahara, year_books.pengawas
    assert login(ketua).post(BASE + "2026/tutup/", {"confirm": "on"}).status_code == 403  # SHU_CLOSE: bendahara
    assert login(bendahara).post(BASE + f"{YEAR}/buka-kembali/", {"reason": "x"}).status_code == 403
    body = {"rat_date": "2026-01-20", "decision_number": "1/RAT", "capital_kinds": KINDS, **allocation(DEFAULT_LINES)}
    assert login(pengawas).post(BASE + f"{YEAR}/pengesahan/", body).status_code == 403  # SHU_APPROVE
    policy = {"effective_year": "2025", "non_member_destination": "cadangan", "capital_kinds": KINDS}
    assert login(pengawas).post(BASE + "aturan/", {**policy, **allocation(DEFAULT_LINES)}).status_code == 403
    assert login(year_books.kasir).post(BASE + "simulasi/", {"year": "2025"}).status_code == 403
    assert writes() == before


def test_get_only_and_post_only_pages(year_books: YearBooks) -> None:
    client = login(year_books.bendahara)
    assert client.post(BASE).status_code == 405
    assert client.post(BASE + f"{YEAR}/").status_code == 405
    assert client.get(BASE + f"{YEAR}/tutup/").status_code == 405
    assert client.get(BASE + f"{YEAR}/buka-kembali/").status_code == 405


def test_the_cooperative_page_links_the_shu_pages_for_officers_only(coop: Any, bendahara: Any, kasir: Any) -> None:
    response = login(bendahara).get("/k/manggar/")
    assert 'href="/k/manggar/shu/"' in response.content.decode()
    response = login(kasir).get("/k/manggar/")
    assert 'href="/k/manggar/shu/"' not in response.content.decode()


# --- the years ------------------------------------------------------------------------------
def test_home_lists_the_years_with_status_surplus_and_distribution(distributed: Any, year_books: YearBooks) -> None:
    response = login(year_books.pengawas).get(BASE)
    assert response.status_code == 200
    assert [row.year for row in response.context["rows"]] == [2026, 2025]
    row_2025 = text(response, "tahun-2025")
    assert "ditutup" in row_2025
    assert "Rp 1.400.000 Rp 1.120.000 Rp 280.000" in row_2025
    assert "dibagikan" in row_2025 and "RAT 20/01/2026" in row_2025
    assert f'href="/k/manggar/shu/{YEAR}/pembagian/"' in response.content.decode()
    row_2026 = text(response, "tahun-2026")
    assert "terbuka" in row_2026 and "Rp" not in row_2026


def test_home_offers_the_approval_of_a_closed_undistributed_year(closed_year: Any, year_books: YearBooks) -> None:
    response = login(year_books.ketua).get(BASE)
    row = text(response, "tahun-2025")
    assert "belum dibagikan" in row and "Catat pengesahan RAT" in row


# --- the close wizard ---------------------------------------------------------------------------
def test_the_close_button_closes_the_year_with_exact_figures(year_books: YearBooks) -> None:
    client = login(year_books.bendahara)
    response = client.get(BASE + f"{YEAR}/")
    assert response.status_code == 200
    assert response.context["blockers"] == []
    assert "Semua pemeriksaan lulus" in page_text(response)
    assert text(response, "pendapatan") == "Rp 3.100.000"
    assert text(response, "beban") == "Rp 1.700.000"
    assert text(response, "shu") == "Rp 1.400.000"
    assert text(response, "total-anggota") == "Rp 1.120.000"
    assert text(response, "total-bukan-anggota") == "Rp 280.000"
    assert 'action="/k/manggar/shu/2025/tutup/"' in response.content.decode()
    # Without the confirmation nothing is closed.
    before = writes()
    response = client.post(BASE + f"{YEAR}/tutup/", {})
    assert response.status_code == 422
    assert "Centang konfirmasi" in page_text(response)
    assert writes() == before

    response = client.post(BASE + f"{YEAR}/tutup/", {"confirm": "on"})
    assert response.status_code == 302
    assert response["Location"] == BASE + f"{YEAR}/"
    year = FiscalYear.objects.get(cooperative=year_books.coop, year=YEAR)
    assert (year.status, year.surplus, year.surplus_members, year.surplus_non_members) == (
        YearStatus.CLOSED,
        EXPECTED.surplus,
        EXPECTED.surplus_members,
        EXPECTED.surplus_non_members,
    )
    assert year.closed_by == year_books.bendahara
    response = client.get(response["Location"])
    assert "Buku tahun 2025 ditutup. SHU Rp 1.400.000: dari anggota Rp 1.120.000, dari bukan anggota Rp 280.000." in (
        page_text(response)
    )
    assert text(response, "status") == "ditutup"
    assert text(response, "pendapatan") == "Rp 3.100.000"
    assert text(response, "beban") == "Rp 1.700.000"
    assert text(response, "shu") == "Rp 1.400.000"
    assert text(response, "shu-anggota") == "Rp 1.120.000"
    assert text(response, "shu-bukan-anggota") == "Rp 280.000"
    assert year.closing_entry is not None
    assert text(response, "jurnal-penutup") == year.closing_entry.number
    assert f'href="/k/manggar/buku/jurnal/{year.closing_entry.pk}/"' in response.content.decode()
    split = text(response, "pemisahan")
    assert "Gerai sembako Rp 480.000 Rp 120.000 Rp 100.000 Rp 80.000 Rp 20.000" in split
    assert "Unit simpan pinjam Rp 2.000.000 Rp 500.000 Rp 2.500.000 Rp 2.000.000 Rp 500.000" in split
    assert "Tanpa unit Rp 0 Rp 0 -Rp 1.200.000 -Rp 960.000 -Rp 240.000" in split
    assert "Jumlah Rp 2.480.000 Rp 620.000 Rp 1.400.000 Rp 1.120.000 Rp 280.000" in split
    assert "porsi pendapatan bukan anggota seluruh koperasi" in page_text(response)
    assert f'href="/k/manggar/shu/{YEAR}/pengesahan/"' in response.content.decode()  # SHU_APPROVE
    assert (
        f'href="/k/manggar/shu/{YEAR}/pengesahan/"'
        not in login(year_books.pengawas).get(BASE + f"{YEAR}/").content.decode()
    )


def test_closing_twice_is_refused_on_the_page(closed_year: Any, year_books: YearBooks) -> None:
    before = writes()
    response = login(year_books.bendahara).post(BASE + f"{YEAR}/tutup/", {"confirm": "on"})
    assert response.status_code == 409
    assert text(response, "galat") == "Tahun buku 2025 sudah ditutup."
    assert writes() == before


def test_blockers_are_listed_with_what_to_do_while_months_are_open(
    open_books: list[Any], coop: Any, bendahara: Any
) -> None:
    close_months(coop, YEAR, bendahara, months=range(1, 11))
    client = login(bendahara)
    response = client.get(BASE + f"{YEAR}/")
    assert response.status_code == 200
    assert [b["code"] for b in response.context["blockers"]] == ["periods_open"]
    blockers = text(response, "penghalang")
    assert "Bulan yang belum ditutup: 11/2025, 12/2025." in blockers
    assert "Ke Periode pembukuan" in blockers
    assert 'href="/k/manggar/buku/periode/"' in response.content.decode()
    assert 'action="/k/manggar/shu/2025/tutup/"' not in response.content.decode()
    # The figures are shown already, as they stand.
    assert text(response, "shu") == "Rp 1.400.000"
    assert text(response, "total-anggota") == "Rp 1.120.000"
    before = writes()
    response = client.post(BASE + f"{YEAR}/tutup/", {"confirm": "on"})
    assert response.status_code == 409
    assert "Bulan yang belum ditutup: 11/2025, 12/2025." in text(response, "galat")
    assert writes() == before


def test_an_open_cashier_session_and_an_unfinished_year_block_with_links(coop: Any, bendahara: Any, kasir: Any) -> None:
    from koperasi.shop.services import cashier_session_open

    cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    response = login(bendahara).get(BASE + "2026/")
    codes = [b["code"] for b in response.context["blockers"]]
    assert codes == ["year_not_over", "periods_open", "cashier_sessions_open"]
    blockers = text(response, "penghalang")
    assert "Tahun buku 2026 belum berakhir (berakhir 31/12/2026)." in blockers
    assert "Ke Sesi kasir" in blockers
    assert 'href="/k/manggar/gerai/kasir/sesi/"' in response.content.decode()


# --- reopening ------------------------------------------------------------------------------------
def test_reopen_is_asked_by_one_and_approved_by_the_other(closed_year: Any, year_books: YearBooks) -> None:
    ketua, pengawas = login(year_books.ketua), login(year_books.pengawas)
    response = ketua.post(BASE + f"{YEAR}/buka-kembali/", {"reason": "   "})
    assert response.status_code == 422
    assert text(response, "galat") == "Alasan membuka kembali tahun buku wajib diisi."
    assert not FiscalYearReopenRequest.objects.exists()

    response = ketua.post(BASE + f"{YEAR}/buka-kembali/", {"reason": "Koreksi persediaan Desember"})
    assert response.status_code == 302 and response["Location"] == BASE + f"{YEAR}/"
    request = FiscalYearReopenRequest.objects.get()
    assert (request.status, request.requested_role) == (ReopenStatus.PENDING, Role.KETUA)
    response = pengawas.get(BASE + f"{YEAR}/")
    assert "Koreksi persediaan Desember" in text(response, "permintaan-menunggu")
    assert f'action="/k/manggar/shu/buka-kembali/{request.pk}/setujui/"' in response.content.decode()

    # The one who asked cannot approve: four eyes. The refusal is shown, nothing changes.
    before = writes()
    response = ketua.post(BASE + f"buka-kembali/{request.pk}/setujui/")
    assert response.status_code == 403
    assert text(response, "galat") == "Persetujuan harus dari orang lain (ketua dan pengawas)."
    assert writes() == before

    response = pengawas.post(BASE + f"buka-kembali/{request.pk}/setujui/")
    assert response.status_code == 302 and response["Location"] == BASE + f"{YEAR}/"
    closed_year.refresh_from_db()
    assert (closed_year.status, closed_year.times_reopened, closed_year.closing_entry) == (YearStatus.OPEN, 1, None)
    response = pengawas.get(response["Location"])
    assert "Tahun buku 2025 dibuka kembali" in page_text(response)
    assert text(response, "status") == "dibuka kembali"
    assert "Pernah dibuka kembali 1 kali." in page_text(response)
    assert "Disetujui" in text(response, "riwayat")
    # Reopened, its figures are the close's preview again (nothing else was posted).
    assert text(response, "shu") == "Rp 1.400.000"


def test_a_distributed_year_cannot_be_reopened(distributed: Any, year_books: YearBooks) -> None:
    client = login(year_books.ketua)
    response = client.get(BASE + f"{YEAR}/")
    assert "tahun buku tidak dapat dibuka kembali" in text(response, "buka-kembali")
    assert f'action="/k/manggar/shu/{YEAR}/buka-kembali/"' not in response.content.decode()
    assert "Lihat pembagian SHU" in text(response, "pembagian")
    before = writes()
    response = client.post(BASE + f"{YEAR}/buka-kembali/", {"reason": "Koreksi"})
    assert response.status_code == 409
    assert text(response, "galat") == "SHU tahun 2025 sudah dibagikan; tahun buku itu tidak dapat dibuka kembali."
    assert writes() == before


# --- the policy ---------------------------------------------------------------------------------
def test_the_policy_page_shows_the_defaults_labelled_and_prefills_them(year_books: YearBooks) -> None:
    response = login(year_books.bendahara).get(BASE + "aturan/")
    assert response.status_code == 200
    body = text(response, "berlaku")
    assert "bawaan" in body and "domain.md §11" in body
    assert "Jasa usaha anggota — Gerai sembako (belanja di gerai) 10%" in body
    form = response.context["form"]
    assert form.initial["effective_year"] == 2025  # the first year with books, nothing distributed
    assert form.initial["line1_pool"] == "cadangan" and form.initial["line1_percent"] == "40"
    assert text(response, "jumlah-persen") == "100"
    # The pengawas reads the rules but gets no form.
    response = login(year_books.pengawas).get(BASE + "aturan/")
    assert response.status_code == 200 and response.context["form"] is None


def test_the_policy_form_refuses_105_percent_with_the_sum_and_saves_100(year_books: YearBooks) -> None:
    client = login(year_books.bendahara)
    fields = {"effective_year": "2025", "non_member_destination": "cadangan", "note": "AD/ART pasal 40"}
    before = writes()
    response = client.post(BASE + "aturan/", {**fields, "capital_kinds": KINDS, **allocation(LINES_105)})
    assert response.status_code == 422
    assert "Jumlah persentase pembagian SHU harus tepat 100%, sekarang 105%." in text(response, "galat")
    assert text(response, "jumlah-persen") == "105"
    assert 'value="AD/ART pasal 40"' in response.content.decode()  # what was typed stays
    assert writes() == before

    lines = [*TEST_A_LINES[:5], ("dana_pendidikan", "12,5"), ("lainnya", "2,5")]
    data = {**fields, "capital_kinds": KINDS, **allocation(lines), "line7_label": "Dana BPK"}
    response = client.post(BASE + "aturan/", data)
    assert response.status_code == 302 and response["Location"] == BASE + "aturan/"
    policy = ShuPolicy.objects.get(cooperative=year_books.coop)
    assert (policy.effective_year, policy.capital_kinds, policy.note) == (2025, KINDS, "AD/ART pasal 40")
    saved = list(policy.lines.values_list("pool", "percent", "basis", "label"))
    assert [(pool, str(percent), basis, label) for pool, percent, basis, label in saved] == [
        ("cadangan", "10.00", "", ""),
        ("jasa_modal", "25.00", "", ""),
        ("jasa_usaha", "30.00", "purchases", ""),
        ("dana_pengurus", "10.00", "", ""),
        ("dana_sosial", "10.00", "", ""),
        ("dana_pendidikan", "12.50", "", ""),
        ("lainnya", "2.50", "", "Dana BPK"),
    ]
    response = client.get(BASE + "aturan/")
    assert "Aturan pembagian SHU yang berlaku mulai tahun buku 2025 disimpan." in page_text(response)
    body = text(response, "berlaku")
    assert "Berlaku mulai tahun buku 2025. AD/ART pasal 40" in body
    assert "Dana pendidikan 12,5%" in body and "Dana BPK 2,5%" in body
    assert response.context["form"].initial["line6_percent"] == "12,5"


def test_the_policy_form_shows_each_problem_at_its_row(year_books: YearBooks) -> None:
    lines = [("cadangan", "40"), ("jasa_usaha", "60", "", "purchases"), ("dana_sosial", "abc")]
    data = {"effective_year": "", "non_member_destination": "cadangan", "capital_kinds": [], **allocation(lines)}
    before = writes()
    response = login(year_books.bendahara).post(BASE + "aturan/", data)
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["line3_pool"] == [
        'Baris 3: persentase harus angka dengan paling banyak dua desimal, mis. "12.5".'
    ]
    assert writes() == before
    # With the percentage readable the service names the missing unit at row 2.
    lines[2] = ("dana_sosial", "0")
    response = login(year_books.bendahara).post(
        BASE + "aturan/", {**data, **allocation(lines), "effective_year": "2025"}
    )
    form = response.context["form"]
    assert form.errors["line2_pool"] == ["Baris 2: jasa usaha harus menyebut unit usaha."]
    assert form.errors["line3_pool"] == ["Baris 3: persentase harus lebih dari 0 dan paling besar 100."]
    # A good allocation without a year: the service's message on the year field.
    response = login(year_books.bendahara).post(BASE + "aturan/", {**data, **allocation(DEFAULT_LINES)})
    assert response.status_code == 422
    assert response.context["form"].errors["effective_year"] == ["Tahun buku harus antara 1900 dan 2999."]
    assert writes() == before


def test_a_policy_for_a_distributed_year_is_refused(distributed: Any, year_books: YearBooks) -> None:
    data = {"effective_year": "2025", "non_member_destination": "cadangan", "capital_kinds": KINDS}
    before = writes()
    response = login(year_books.ketua).post(BASE + "aturan/", {**data, **allocation(DEFAULT_LINES)})
    assert response.status_code == 409
    assert "SHU tahun 2025 sudah dibagikan; aturan baru berlaku paling awal tahun 2026." in text(response, "galat")
    assert writes() == before
    # Its default effective year is the one after the last distribution.
    assert login(year_books.ketua).get(BASE + "aturan/").context["form"].initial["effective_year"] == 2026


# --- simulation ---------------------------------------------------------------------------------
@pytest.fixture
def grace_books(coop: Any, register_member: Any, bendahara: Any, kasir: Any) -> dict[str, Any]:
    """2026 books scaled from Test A: Grace holds Rp150.000 of Rp3.000.000 savings (1/20) and bought
    Rp60.000 of Rp6.000.000 at the gerai (1/100); Budi holds and bought the rest."""
    from koperasi.savings.services import savings_deposit
    from koperasi.shop.services import (
        ProductInput,
        PurchaseLineInput,
        SaleLineInput,
        product_create,
        purchase_direct,
        sale_create,
        supplier_create,
    )

    grace = register_member(coop, nik=NIK_WOMAN, name="Grace Natalia")
    budi = register_member(coop, nik=NIK_MAN, name="Budi Santoso")
    joined = D(2026, 1, 5)
    for member, wajib in ((grace, 100_000), (budi, 2_800_000)):
        savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=joined, actor=kasir)
        savings_deposit(cooperative=coop, member=member, kind="wajib", amount=wajib, date=joined, actor=kasir)
    supplier = supplier_create(cooperative=coop, name="Perum Bulog", kind="bulog", actor=bendahara)
    rice = product_create(
        cooperative=coop,
        data=ProductInput(sku="BRS5", name="Beras medium 5 kg", unit="karung"),
        price=60_000,
        effective_from=D(2026, 1, 1),
        actor=bendahara,
    )
    purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=D(2026, 2, 2),
        lines=[PurchaseLineInput(rice, 100, 50_000)],
        actor=bendahara,
    )
    for member, qty in ((grace, 1), (budi, 99)):
        sale_create(
            cooperative=coop, date=D(2026, 2, 10), lines=[SaleLineInput(rice.pk, qty)], member=member, actor=kasir
        )
    return {"grace": grace, "budi": budi}


def simulate_body(total: str, lines: list[tuple[str, ...]], year: int = 2026) -> dict[str, Any]:
    return {"year": str(year), "shu_total": total, "capital_kinds": KINDS, **allocation(lines)}


def test_the_simulation_gives_grace_her_published_shu(grace_books: dict[str, Any], coop: Any, ketua: Any) -> None:
    before = writes()
    response = login(ketua).post(BASE + "simulasi/", simulate_body("40.000.000", TEST_A_LINES))
    assert response.status_code == 200
    result = response.context["result"]
    assert [(m.number, m.capital_base, m.jasa_modal, m.jasa_usaha, m.total) for m in result.members] == [
        ("00002", 2_850_000, 9_500_000, 11_880_000, 21_380_000),
        ("00001", 150_000, 500_000, 120_000, 620_000),
    ]
    assert "00001 Grace Natalia Rp 150.000 Rp 500.000 Rp 120.000 Rp 620.000" in text(response, "anggota")
    pools = text(response, "pos")
    assert "Cadangan 10% Rp 4.000.000" in pools
    assert "Jasa modal anggota 25% Rp 10.000.000 3.000.000 Rp 10.000.000 Rp 0" in pools
    assert "Jasa usaha anggota — Gerai sembako (belanja di gerai) 30% Rp 12.000.000 6.000.000 Rp 12.000.000 Rp 0" in (
        pools
    )
    assert "Dana pendidikan 15% Rp 6.000.000" in pools
    assert "Jumlah 100% Rp 40.000.000 Rp 22.000.000 Rp 0" in pools
    assert "Sisa pembulatan Rp 0 masuk cadangan; cadangan seluruhnya Rp 4.000.000." in page_text(response)
    assert writes() == before


def test_the_simulation_of_the_2025_books_keeps_the_rounding_in_cadangan(
    closed_year: Any, year_books: YearBooks, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views_year, "TOP_MEMBERS", 2)
    response = login(year_books.pengawas).post(BASE + "simulasi/", simulate_body("1120000", DEFAULT_LINES, YEAR))
    assert response.status_code == 200
    result = response.context["result"]
    assert [(m.number, m.jasa_modal, m.jasa_usaha, m.total) for m in result.members] == [
        ("00001", 112_000, 70_000, 182_000),
        ("00002", 74_666, 42_000, 116_666),
    ]
    assert result.members_count == 3
    assert text(response, "catatan-anggota") == "Ditampilkan 2 anggota dengan SHU terbesar dari 3 anggota."
    assert "Jumlah 100% Rp 1.120.000 Rp 335.999 Rp 112.001" in text(response, "pos")
    assert "Sisa pembulatan Rp 112.001 masuk cadangan; cadangan seluruhnya Rp 560.001." in page_text(response)


def test_the_simulation_is_prefilled_from_the_closed_year_and_the_policy(closed_year: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE + "simulasi/")  # the closed year waiting for its RAT
    form = response.context["form"]
    assert (form.initial["year"], form.initial["shu_total"]) == (YEAR, EXPECTED.surplus_members)
    assert form.initial["capital_kinds"] == KINDS
    assert form.initial["line3_unit"] == "gerai_sembako" and form.initial["line3_basis"] == "purchases"
    assert "tahun buku yang sudah ditutup" in page_text(response)


def test_the_simulation_of_an_open_year_is_prefilled_with_the_books_so_far(open_books: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE + f"simulasi/?year={YEAR}")
    assert response.context["form"].initial["shu_total"] == EXPECTED.surplus_members
    assert "perkiraan SHU dari anggota" in page_text(response)
    # An unreadable year is ignored: this year, nothing posted yet.
    response = login(ketua).get(BASE + "simulasi/?year=abc")
    assert response.context["form"].initial["year"] == datetime.date.today().year


def test_the_simulation_refuses_bad_input_with_the_services_words(grace_books: Any, ketua: Any) -> None:
    before = writes()
    response = login(ketua).post(
        BASE + "simulasi/", simulate_body("-5", [*TEST_A_LINES[:-1], ("dana_pendidikan", "14")])
    )
    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors["shu_total"] == ["Total SHU tidak boleh negatif."]
    assert "Jumlah persentase pembagian SHU harus tepat 100%, sekarang 99%." in text(response, "galat")
    assert text(response, "jumlah-persen") == "99"
    assert response.context["result"] is None
    response = login(ketua).post(BASE + "simulasi/", simulate_body("1.000,5", TEST_A_LINES))
    assert response.status_code == 422
    assert response.context["form"].errors["shu_total"] == ["Total SHU harus rupiah bulat."]
    assert writes() == before


# --- the RAT's approval -------------------------------------------------------------------------
def approve_body(**overrides: Any) -> dict[str, Any]:
    return {
        "rat_date": "2026-01-20",
        "decision_number": "03/RAT/KKMP-MGR/I/2026",
        "capital_kinds": KINDS,
        **allocation(DEFAULT_LINES),
        **overrides,
    }


def test_the_approval_page_previews_the_pools_of_the_policy(closed_year: Any, sekretaris: Any) -> None:
    response = login(sekretaris).get(BASE + f"{YEAR}/pengesahan/")
    assert response.status_code == 200
    assert text(response, "shu-anggota") == "Rp 1.120.000"
    preview = response.context["preview"]
    assert [p["amount"] for p in preview.pools] == list(EXPECTED.pools)
    assert "Jumlah 100% Rp 1.120.000 Rp 335.999 Rp 112.001" in text(response, "pos")
    assert response.context["form"].initial["line1_percent"] == "40"


def test_the_approval_creates_the_distribution_and_redirects(closed_year: Any, year_books: YearBooks) -> None:
    client = login(year_books.ketua)
    before = writes()
    response = client.post(BASE + f"{YEAR}/pengesahan/", approve_body(preview="1"))
    assert response.status_code == 200  # a preview writes nothing
    assert writes() == before
    response = client.post(BASE + f"{YEAR}/pengesahan/", approve_body())
    assert response.status_code == 302
    assert response["Location"] == BASE + f"{YEAR}/pembagian/"
    distribution = ShuDistribution.objects.get(cooperative=year_books.coop, year=YEAR)
    assert (distribution.shu_total, distribution.members_total, distribution.remainder) == (
        EXPECTED.surplus_members,
        EXPECTED.members_total,
        EXPECTED.remainder,
    )
    assert (distribution.rat_date, distribution.decision_number) == (D(2026, 1, 20), "03/RAT/KKMP-MGR/I/2026")
    assert distribution.approved_by == year_books.ketua
    shares = ShuMemberShare.objects.filter(distribution=distribution).order_by("member__member_no")
    assert [(s.member.member_no, s.jasa_modal, s.jasa_usaha, s.total) for s in shares] == [
        (no, jm, ju, total) for no, _, jm, ju, total in EXPECTED.shares
    ]
    # Once approved: the page says so, and a second approval is refused with nothing written.
    response = client.get(BASE + f"{YEAR}/pengesahan/")
    assert "sudah disahkan RAT 20/01/2026" in text(response, "sudah-disahkan")
    before = writes()
    response = client.post(BASE + f"{YEAR}/pengesahan/", approve_body())
    assert response.status_code == 409
    assert text(response, "galat") == "SHU tahun 2025 sudah dibagikan; pembagian tidak dapat diulang."
    assert writes() == before


def test_the_approval_refuses_bad_input_and_writes_nothing(closed_year: Any, year_books: YearBooks) -> None:
    client = login(year_books.bendahara)
    before = writes()
    response = client.post(BASE + f"{YEAR}/pengesahan/", approve_body(decision_number=""))
    assert response.status_code == 422
    assert response.context["form"].errors["decision_number"] == ["Nomor keputusan RAT wajib diisi."]
    response = client.post(BASE + f"{YEAR}/pengesahan/", approve_body(rat_date="2025-12-31"))
    assert response.status_code == 422
    assert response.context["form"].errors["rat_date"] == [
        "RAT yang mengesahkan SHU 2025 diadakan setelah tahun buku itu."
    ]
    response = client.post(BASE + f"{YEAR}/pengesahan/", approve_body(**allocation(LINES_105)))
    assert response.status_code == 422
    assert "sekarang 105%" in text(response, "galat")
    assert writes() == before


def test_the_approval_of_an_open_year_is_refused(year_books: YearBooks) -> None:
    before = writes()
    response = login(year_books.ketua).post(BASE + f"{YEAR}/pengesahan/", approve_body())
    assert response.status_code == 409
    assert text(response, "galat") == "Tahun buku 2025 belum ditutup; tutup buku dulu sebelum SHU dibagikan."
    assert writes() == before


# --- queries do not grow with years or members ----------------------------------------------------
def _count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_members_and_years(coop: Any, register_member: Any, kasir: Any, admin: Any) -> None:
    """Five more members with savings and gerai purchases in 2025, and postings back to 2019."""
    from koperasi.savings.services import savings_deposit
    from koperasi.shop.models import Product
    from koperasi.shop.services import SaleLineInput, sale_create

    rice = Product.objects.get(cooperative=coop, sku="BRS5")
    for i in range(5):
        member = register_member(coop, nik=f"64710415058500{i + 10}", name=f"Anggota {i}", joined_on=JOINED.isoformat())
        savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=JOINED, actor=kasir)
        sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(rice.pk, 1)], member=member, actor=kasir)
    journal_post(
        cooperative=coop,
        date=D(2019, 1, 2),
        lines=[LineInput(account=ByRole("cash"), debit=1_000), LineInput(account=ByRole("grants"), credit=1_000)],
        memo="Hibah",
        actor=admin,
    )


def test_home_and_year_pages_do_not_grow_with_years_or_members(
    open_books: Any,
    coop: Any,
    register_member: Any,
    kasir: Any,
    admin_user: Any,
    bendahara: Any,
    django_assert_max_num_queries: Any,
) -> None:
    journal_post(
        cooperative=coop,
        date=D(2024, 6, 3),
        lines=[LineInput(account=ByRole("cash"), debit=1_000), LineInput(account=ByRole("grants"), credit=1_000)],
        memo="Hibah",
        actor=admin_user,
    )
    client = login(bendahara)
    home, year = _count(client, BASE), _count(client, BASE + f"{YEAR}/")
    _more_members_and_years(coop, register_member, kasir, admin_user)
    assert len(client.get(BASE).context["rows"]) == 8  # 2026 back to 2019
    assert _count(client, BASE) == home
    assert _count(client, BASE + f"{YEAR}/") == year
    with django_assert_max_num_queries(10):
        client.get(BASE)
    with django_assert_max_num_queries(24):
        client.get(BASE + f"{YEAR}/")


def test_a_distributed_years_pages_take_few_queries(
    distributed: Any, year_books: YearBooks, django_assert_max_num_queries: Any
) -> None:
    client = login(year_books.ketua)
    with django_assert_max_num_queries(10):
        assert client.get(BASE).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(BASE + f"{YEAR}/").status_code == 200
