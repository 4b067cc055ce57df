"""The approved SHU's pages: the distribution, a member's share, paying, the Excel and the slip.

Figures are those of ``tests/shu/conftest.py`` (the 2025 books, default policy): SHU shared
Rp1.120.000; Budi Rp112.000 + Rp70.000 = Rp182.000, Siti Rp74.666 + Rp42.000 = Rp116.666,
Agus Rp37.333; members' total Rp335.999, remainder Rp112.001.
"""

from __future__ import annotations

import datetime
import re
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.ledger.selectors import account_for_role
from koperasi.savings.selectors import savings_balances
from koperasi.savings.services import member_exit
from koperasi.shu import views_distribution
from koperasi.shu.models import ShuDistribution, ShuMemberShare
from tests.shu.conftest import DECISION, EXPECTED, YEAR, YearBooks

pytestmark = pytest.mark.django_db

D = datetime.date
PAID_ON = "2026-03-02"
BUDI_JM = (
    "Jasa modal = simpanan (pokok + wajib) Anda Rp 300.000 / simpanan (pokok + wajib) semua anggota "
    "Rp 600.000 × dana jasa modal Rp 224.000 = Rp 112.000 (dibulatkan ke bawah)"
)
BUDI_JU = (
    "Jasa usaha Gerai sembako = belanja Anda Rp 300.000 / belanja semua anggota Rp 480.000 × "
    "dana jasa usaha Gerai sembako Rp 112.000 = Rp 70.000 (dibulatkan ke bawah)"
)
BUDI_USP = (
    "Jasa usaha Unit simpan pinjam = Rp 0: tidak ada jasa pinjaman yang Anda bayar di Unit simpan pinjam pada 2025"
)
SITI_JM = (
    "Jasa modal = simpanan (pokok + wajib) Anda Rp 200.000 / simpanan (pokok + wajib) semua anggota "
    "Rp 600.000 × dana jasa modal Rp 224.000 = Rp 74.666 (dibulatkan ke bawah)"
)


def nb(line: str) -> str:
    """An explanation line as printed: a no-break space between "Rp" and the number."""
    return line.replace("Rp ", "Rp\u00a0")


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` up to its closing tag (tags removed)."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"#{element_id} not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def page_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def url(name: str, code: str = "manggar", year: int = YEAR, share: Any = None) -> str:
    base = f"/k/{code}/shu/{year}/"
    return {
        "distribution": base + "pembagian/",
        "excel": base + "pembagian/excel/",
        "pay_all": base + "bayar-semua/",
        "share": f"{base}anggota/{getattr(share, 'pk', share)}/",
        "share_pay": f"{base}anggota/{getattr(share, 'pk', share)}/bayar/",
        "slip": f"{base}anggota/{getattr(share, 'pk', share)}/slip.pdf",
    }[name]


def share_of(member: Any) -> ShuMemberShare:
    return ShuMemberShare.objects.select_related("member", "distribution").get(member=member)


def balance(coop: Any, role: str) -> int:
    """Debit minus credit of the account with ``role`` (from the lines)."""
    account = account_for_role(cooperative=coop, role=role)
    sums = JournalLine.objects.filter(account=account).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or 0) - (sums["c"] or 0)


def payable(coop: Any) -> int:
    return -balance(coop, "shu_members_payable")


def cash(coop: Any) -> int:
    return balance(coop, "cash")


def counts() -> tuple[int, int, int]:
    return (
        JournalEntry.objects.count(),
        AuditEvent.objects.count(),
        ShuMemberShare.objects.filter(paid_on__isnull=False).count(),
    )


@pytest.fixture
def pdf_html(monkeypatch: Any) -> dict[str, str]:
    """Capture the HTML WeasyPrint would lay out (and skip the layout)."""
    from koperasi.ledger import pdf

    captured: dict[str, str] = {}

    class FakeHTML:
        def __init__(self, *, string: str, url_fetcher: Any) -> None:
            captured["html"] = string

        def write_pdf(self) -> bytes:
            return b"%PDF-fake"

    monkeypatch.setattr(pdf, "HTML", FakeHTML)
    return captured


# --- The distribution page -----------------------------------------------------------------------
@pytest.mark.parametrize("role", ["ketua", "bendahara", "pengawas"])
def test_distribution_page_shows_the_decision_pools_payments_and_members(
    year_books: YearBooks, distributed: ShuDistribution, role: str
) -> None:
    response = client_for(getattr(year_books, role)).get(url("distribution"))

    assert response.status_code == 200
    html = response.content.decode()
    assert text(html, "keputusan") == f"Disahkan RAT 20/01/2026, keputusan no. {DECISION}"
    assert text(html, "shu-dibagi") == "SHU dari anggota yang dibagi Rp 1.120.000"
    assert text(html, "shu-bukan-anggota") == "SHU dari bukan anggota (tidak dibagi; ke Cadangan) Rp 280.000"
    assert text(html, "bagian-anggota") == "Bagian anggota (3 anggota) Rp 335.999"
    assert text(html, "sisa-pembulatan") == "Sisa pembulatan ke cadangan Rp 112.001"
    assert text(html, "sudah-dibayar") == "Sudah dibayar (0 anggota) Rp 0"
    assert text(html, "belum-dibayar") == "Belum dibayar (3 anggota) Rp 335.999"
    pools = re.findall(r'<tr data-pool="([^"]+)">(.*?)</tr>', html, re.S)
    assert [(key, page_text(row)) for key, row in pools] == [
        ("cadangan", "Cadangan 40% Rp 448.000 — — —"),
        ("jasa_modal", "Jasa modal 20% Rp 224.000 Rp 600.000 Rp 223.999 Rp 1"),
        (
            "jasa_usaha:gerai_sembako",
            "Jasa usaha Gerai sembako Belanja di gerai 10% Rp 112.000 Rp 480.000 Rp 112.000 Rp 0",
        ),
        (
            "jasa_usaha:simpan_pinjam",
            "Jasa usaha Unit simpan pinjam Jasa pinjaman yang dibayar 10% Rp 112.000 Rp 0 Rp 0 Rp 112.000",
        ),
        ("dana_pengurus", "Dana pengurus 5% Rp 56.000 — — —"),
        ("dana_karyawan", "Dana karyawan 5% Rp 56.000 — — —"),
        ("dana_pendidikan", "Dana pendidikan 5% Rp 56.000 — — —"),
        ("dana_sosial", "Dana sosial 5% Rp 56.000 — — —"),
    ]
    rows = re.findall(r'<tr id="bagian-\d+" data-member="(\d+)">(.*?)</tr>', html, re.S)
    assert [(no, page_text(row)) for no, row in rows] == [
        ("00001", "00001 Budi Santoso Rp 300.000 Rp 112.000 Rp 70.000 Rp 182.000 Belum dibayar"),
        ("00002", "00002 Siti Aminah Rp 200.000 Rp 74.666 Rp 42.000 Rp 116.666 Belum dibayar"),
        ("00003", "00003 Agus Salim Rp 100.000 Rp 37.333 Rp 0 Rp 37.333 Belum dibayar"),
    ]
    budi = share_of(year_books.budi)
    assert f'href="/k/manggar/shu/{YEAR}/anggota/{budi.pk}/"' in html
    assert f'href="/k/manggar/buku/jurnal/{distributed.allocation_entry_id}/"' in html
    assert 'href="/k/manggar/shu/2025/pembagian/excel/"' in html
    assert ('id="bayar-semua"' in html) is (role == "bendahara")


def test_kasir_may_open_the_pages_that_pay_but_not_the_excel(
    year_books: YearBooks, distributed: ShuDistribution
) -> None:
    client = client_for(year_books.kasir)
    budi = share_of(year_books.budi)

    html = client.get(url("distribution")).content.decode()
    assert 'id="bayar-semua"' in html
    assert 'id="unduh-excel"' not in html
    assert client.get(url("share", share=budi)).status_code == 200
    assert client.get(url("excel")).status_code == 403


def test_others_are_refused(
    year_books: YearBooks, distributed: ShuDistribution, grant: Any, other_coop: Any, dinas_user: Any
) -> None:
    budi = share_of(year_books.budi)
    anggota = grant(year_books.coop, Role.ANGGOTA, "anggota-manggar")
    outsider = grant(other_coop, Role.BENDAHARA, "bendahara-lamaru")
    for user in (anggota, dinas_user):
        client = client_for(user)
        for name in ("distribution", "excel", "share", "slip"):
            assert client.get(url(name, share=budi)).status_code == 403, (user, name)
        assert client.post(url("share_pay", share=budi), {"method": "tunai", "date": PAID_ON}).status_code == 403
        assert client.post(url("pay_all"), {"method": "tunai", "date": PAID_ON}).status_code == 403
    client = client_for(outsider)
    for name in ("distribution", "excel", "share", "slip"):
        assert client.get(url(name, share=budi)).status_code == 404
    assert client.post(url("share_pay", share=budi), {"method": "tunai", "date": PAID_ON}).status_code == 404
    # Lamaru's bendahara addressing the share through Lamaru's own pages: not found either.
    for name in ("share", "slip"):
        assert client.get(url(name, code="lamaru", share=budi)).status_code == 404
    assert (
        client.post(url("share_pay", code="lamaru", share=budi), {"method": "tunai", "date": PAID_ON}).status_code
        == 404
    )
    assert ShuMemberShare.objects.filter(paid_on__isnull=False).count() == 0
    anonymous = Client().get(url("distribution"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/masuk/")


def test_pengawas_may_read_but_not_pay(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = client_for(year_books.pengawas)
    budi = share_of(year_books.budi)
    before = counts()

    assert client.post(url("share_pay", share=budi), {"method": "tunai", "date": PAID_ON}).status_code == 403
    assert client.post(url("pay_all"), {"method": "tunai", "date": PAID_ON}).status_code == 403
    assert 'id="bayar"' not in client.get(url("share", share=budi)).content.decode()
    assert counts() == before


def test_a_year_without_an_approved_shu_is_not_found(year_books: YearBooks, closed_year: Any) -> None:
    client = client_for(year_books.bendahara)

    assert client.get(url("distribution")).status_code == 404
    assert client.get(url("excel")).status_code == 404
    assert client.get(url("distribution", year=2024)).status_code == 404
    assert client.get(url("distribution", year=99_999)).status_code == 404
    assert client.get(url("share", share=99_999_999_999_999_999_999)).status_code == 404


def test_a_share_under_another_year_is_not_found(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = client_for(year_books.bendahara)
    budi = share_of(year_books.budi)

    assert client.get(url("share", year=2024, share=budi)).status_code == 404
    assert client.get(url("slip", year=2026, share=budi)).status_code == 404


def test_members_search_unpaid_filter_and_pages(
    year_books: YearBooks, distributed: ShuDistribution, monkeypatch: Any
) -> None:
    client = client_for(year_books.bendahara)
    client.post(url("share_pay", share=share_of(year_books.budi)), {"method": "tunai", "date": PAID_ON})

    def members(query: str) -> list[str]:
        html = client.get(url("distribution") + query).content.decode()
        return re.findall(r'<tr id="bagian-\d+" data-member="(\d+)">', html)

    assert members("") == ["00001", "00002", "00003"]
    assert members("?unpaid=1") == ["00002", "00003"]
    assert members("?q=siti") == ["00002"]
    assert members("?q=3") == ["00003"]
    assert members("?q=00001") == ["00001"]
    assert members("?q=budi&unpaid=1") == []
    assert "Tidak ada anggota yang cocok." in client.get(url("distribution") + "?q=zzz").content.decode()
    monkeypatch.setattr(views_distribution, "PAGE_SIZE", 2)
    assert members("") == ["00001", "00002"]
    assert members("?page=2") == ["00003"]
    assert members("?page=abc") == ["00001", "00002"]
    html = client.get(url("distribution") + "?unpaid=1&q=a").content.decode()
    assert "Halaman 1 dari 1" not in html  # one page: no pager


def test_paid_row_shows_the_date_and_method(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = client_for(year_books.bendahara)
    client.post(url("share_pay", share=share_of(year_books.siti)), {"method": "sukarela", "date": PAID_ON})

    html = client.get(url("distribution")).content.decode()
    row = re.search(r'data-member="00002">(.*?)</tr>', html, re.S)
    assert row and page_text(row.group(1)).endswith("Rp 116.666 Dibayar 02/03/2026 · Ke simpanan sukarela")
    assert text(html, "sudah-dibayar") == "Sudah dibayar (1 anggota) Rp 116.666"
    assert text(html, "belum-dibayar") == "Belum dibayar (2 anggota) Rp 219.333"


# --- One member's share --------------------------------------------------------------------------
def test_share_page_explains_each_part(year_books: YearBooks, distributed: ShuDistribution) -> None:
    budi = share_of(year_books.budi)
    html = client_for(year_books.ketua).get(url("share", share=budi)).content.decode()

    parts = dict(re.findall(r'<li data-part="([^"]+)">(.*?)</li>', html, re.S))
    assert parts == {
        "jasa_modal": nb(BUDI_JM),
        "jasa_usaha:gerai_sembako": nb(BUDI_JU),
        "jasa_usaha:simpan_pinjam": nb(BUDI_USP),
    }
    assert text(html, "total") == "Total SHU = Rp 112.000 + Rp 70.000 = Rp 182.000"
    assert text(html, "status") == "Belum dibayar"
    assert f'href="/k/manggar/shu/{YEAR}/anggota/{budi.pk}/slip.pdf"' in html
    assert 'id="bayar"' not in html  # the ketua does not pay


def test_share_page_of_siti_rounds_down(year_books: YearBooks, distributed: ShuDistribution) -> None:
    html = client_for(year_books.bendahara).get(url("share", share=share_of(year_books.siti))).content.decode()

    assert nb(SITI_JM) in html
    assert "Total SHU = Rp 74.666 + Rp 42.000 = Rp 116.666" in text(html, "total")
    assert 'id="bayar"' in html


# --- Paying --------------------------------------------------------------------------------------
def test_pay_one_in_cash_then_again_is_refused(year_books: YearBooks, distributed: ShuDistribution) -> None:
    coop = year_books.coop
    client = client_for(year_books.bendahara)
    budi = share_of(year_books.budi)
    cash_before, payable_before = cash(coop), payable(coop)
    assert payable_before == EXPECTED.members_total
    entries, audits, paid = counts()

    response = client.post(url("share_pay", share=budi), {"method": "tunai", "date": PAID_ON})

    assert response.status_code == 302 and response["Location"] == url("share", share=budi)
    budi.refresh_from_db()
    assert (budi.paid_on, budi.payment_method, budi.paid_by) == (D(2026, 3, 2), "tunai", year_books.bendahara)
    assert cash(coop) == cash_before - 182_000
    assert payable(coop) == EXPECTED.members_total - 182_000 == 153_999
    assert counts() == (entries + 1, audits + 1, paid + 1)
    page = client.get(response["Location"]).content.decode()
    assert "SHU 2025 anggota no. 00001 (Budi Santoso) Rp 182.000 dibayar tunai pada 02/03/2026." in page
    assert text(page, "status").startswith("Sudah dibayar 02/03/2026 · Tunai")
    assert 'id="bayar"' not in page

    again = client.post(url("share_pay", share=budi), {"method": "tunai", "date": "2026-03-03"})

    assert again.status_code == 409
    assert "SHU 2025 anggota no. 00001 sudah dibayar pada 02/03/2026." in again.content.decode()
    assert counts() == (entries + 1, audits + 1, paid + 1)
    assert cash(coop) == cash_before - 182_000


def test_pay_one_into_sukarela(year_books: YearBooks, distributed: ShuDistribution) -> None:
    coop = year_books.coop
    client = client_for(year_books.kasir)
    siti = share_of(year_books.siti)
    cash_before = cash(coop)
    assert savings_balances(cooperative=coop, member=year_books.siti)["sukarela"] == 0

    response = client.post(url("share_pay", share=siti), {"method": "sukarela", "date": PAID_ON})

    assert response.status_code == 302
    assert savings_balances(cooperative=coop, member=year_books.siti)["sukarela"] == 116_666
    assert cash(coop) == cash_before
    assert payable(coop) == EXPECTED.members_total - 116_666
    siti.refresh_from_db()
    assert (siti.paid_on, siti.payment_method) == (D(2026, 3, 2), "sukarela")
    page = client.get(response["Location"]).content.decode()
    assert "Rp 116.666 dibayar ke simpanan sukarela pada 02/03/2026." in page


def test_sukarela_for_a_member_who_left_is_refused_and_pay_all_skips_him(
    year_books: YearBooks, distributed: ShuDistribution
) -> None:
    coop = year_books.coop
    member_exit(
        cooperative=coop,
        member=year_books.agus,
        status="keluar",
        date=D(2026, 2, 16),
        reason="Pindah domisili",
        actor=year_books.bendahara,
    )
    client = client_for(year_books.bendahara)
    agus = share_of(year_books.agus)
    before, payable_before = counts(), payable(coop)

    refused = client.post(url("share_pay", share=agus), {"method": "sukarela", "date": PAID_ON})

    assert refused.status_code == 409
    assert "Anggota no. 00003 tidak aktif" in refused.content.decode()
    assert counts() == before and payable(coop) == payable_before

    response = client.post(url("pay_all"), {"method": "sukarela", "date": PAID_ON}, follow=True)

    html = response.content.decode()
    assert "SHU 2 anggota dibayar, seluruhnya Rp 298.666." in html
    assert "1 anggota dilewati dan belum dibayar — 00003: Anggota no. 00003 tidak aktif" in html
    assert payable(coop) == 37_333
    assert savings_balances(cooperative=coop, member=year_books.budi)["sukarela"] == 182_000
    assert savings_balances(cooperative=coop, member=year_books.siti)["sukarela"] == 116_666
    assert text(html, "belum-dibayar") == "Belum dibayar (1 anggota) Rp 37.333"

    cash_before = cash(coop)
    paid = client.post(url("share_pay", share=agus), {"method": "tunai", "date": PAID_ON})
    assert paid.status_code == 302
    assert payable(coop) == 0
    assert cash(coop) == cash_before - 37_333


def test_pay_all_in_cash(year_books: YearBooks, distributed: ShuDistribution) -> None:
    coop = year_books.coop
    client = client_for(year_books.kasir)
    cash_before = cash(coop)
    entries, audits, _paid = counts()

    response = client.post(url("pay_all"), {"method": "tunai", "date": PAID_ON})

    assert response.status_code == 302 and response["Location"] == url("distribution")
    html = client.get(response["Location"]).content.decode()
    assert "SHU 3 anggota dibayar, seluruhnya Rp 335.999." in html
    assert cash(coop) == cash_before - 335_999
    assert payable(coop) == 0
    # One batch: one entry (Dr 2-1500 per member, Cr kas) and one audit row for the three members.
    assert counts() == (entries + 1, audits + 1, 3)
    assert text(html, "sudah-dibayar") == "Sudah dibayar (3 anggota) Rp 335.999"
    assert 'id="bayar-semua"' not in html

    again = client.post(url("pay_all"), {"method": "tunai", "date": PAID_ON}, follow=True)
    assert "Tidak ada SHU anggota yang belum dibayar." in again.content.decode()
    assert counts() == (entries + 1, audits + 1, 3)


@pytest.mark.parametrize(
    ("data", "message", "status"),
    [
        ({"method": "tunai", "date": "2026-01-19"}, "SHU dibayar paling awal pada tanggal RAT (20/01/2026).", 422),
        ({"method": "tunai", "date": "2099-01-01"}, "Tanggal bayar tidak boleh di masa depan.", 422),
        ({"method": "emas", "date": PAID_ON}, "Cara bayar harus tunai atau sukarela.", 422),
        ({"method": "tunai", "date": "kemarin"}, "Tanggal tidak valid; gunakan TTTT-BB-HH.", 422),
        ({"method": "tunai"}, "Isi tanggal bayar.", 422),
    ],
)
def test_bad_payment_input_changes_nothing(
    year_books: YearBooks, distributed: ShuDistribution, data: dict[str, str], message: str, status: int
) -> None:
    coop = year_books.coop
    client = client_for(year_books.bendahara)
    budi = share_of(year_books.budi)
    before, cash_before = counts(), cash(coop)

    one = client.post(url("share_pay", share=budi), data)
    every = client.post(url("pay_all"), data)

    assert (one.status_code, every.status_code) == (status, status)
    assert message in one.content.decode()
    assert message in every.content.decode()
    assert counts() == before and cash(coop) == cash_before


def test_pay_pages_take_only_post(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = client_for(year_books.bendahara)
    budi = share_of(year_books.budi)

    assert client.get(url("share_pay", share=budi)).status_code == 405
    assert client.get(url("pay_all")).status_code == 405
    assert client.post(url("distribution")).status_code == 405


# --- Excel ---------------------------------------------------------------------------------------
def test_excel_of_all_members(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = client_for(year_books.bendahara)
    client.post(url("share_pay", share=share_of(year_books.siti)), {"method": "sukarela", "date": PAID_ON})

    response = client.get(url("excel"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == 'attachment; filename="shu-2025-manggar.xlsx"'
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Anggota", "Pembagian"]
    sheet = workbook["Anggota"]
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][0] == "KKMP Manggar"
    assert values[2][0] == "SHU anggota: Anggota"
    assert values[3][0] == "Tahun buku 2025"
    assert values[4][0] == f"Disahkan RAT 20/01/2026, keputusan no. {DECISION}"
    assert values[5][0] == (
        "SHU dari anggota yang dibagi Rp 1.120.000; bagian anggota Rp 335.999 untuk 3 anggota; "
        "sisa pembulatan ke cadangan Rp 112.001"
    )
    assert values[6][0].startswith("Dibuat oleh bendahara-manggar pada ")
    header = values[8]
    assert header == [
        "No. anggota",
        "Nama",
        "Status",
        "Simpanan dasar jasa modal",
        "Jasa modal",
        "Dasar Gerai sembako (belanja di gerai)",
        "Jasa usaha Gerai sembako",
        "Dasar Unit simpan pinjam (jasa pinjaman yang dibayar)",
        "Jasa usaha Unit simpan pinjam",
        "Jasa usaha",
        "Total SHU",
        "Dibayar pada",
        "Cara bayar",
    ]
    rows = values[9:]
    assert len(rows) - 1 == ShuMemberShare.objects.filter(distribution=distributed).count() == 3
    budi_row = ["00001", "Budi Santoso", "Anggota aktif", 300_000, 112_000, 300_000, 70_000, 0, 0, 70_000, 182_000]
    siti_row = ["00002", "Siti Aminah", "Anggota aktif", 200_000, 74_666, 180_000, 42_000, 0, 0, 42_000, 116_666]
    agus_row = ["00003", "Agus Salim", "Anggota aktif", 100_000, 37_333, 0, 0, 0, 0, 0, 37_333]
    assert rows[0] == [*budi_row, None, None]
    assert rows[1] == [*siti_row, datetime.datetime(2026, 3, 2), "Ke simpanan sukarela"]
    assert rows[2] == [*agus_row, None, None]
    totals = rows[3]
    sums = [600_000, 223_999, 480_000, 112_000, 0, 0, 112_000, 335_999]
    assert totals == ["Total", "3 anggota", None, *sums, None, None]
    assert totals[10] == distributed.members_total
    pools = [list(r) for r in workbook["Pembagian"].iter_rows(values_only=True)][9:]
    assert pools[1] == ["Jasa modal", None, 0.2, 224_000, 600_000, 223_999, 1]
    assert pools[-3] == ["Total", None, 1.0, 1_120_000, None, 335_999, 112_001]
    assert pools[-1][0] == "Sisa pembulatan bagian anggota masuk ke cadangan."


# --- Slip ----------------------------------------------------------------------------------------
def test_slip_pdf_is_a_pdf(year_books: YearBooks, distributed: ShuDistribution) -> None:
    budi = share_of(year_books.budi)

    response = client_for(year_books.pengawas).get(url("slip", share=budi))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="slip-shu-2025-manggar-00001.pdf"'
    assert response.content.startswith(b"%PDF")


def test_slip_shows_the_members_figures_and_payment(
    year_books: YearBooks, distributed: ShuDistribution, pdf_html: dict[str, str]
) -> None:
    client = client_for(year_books.bendahara)
    budi = share_of(year_books.budi)

    client.get(url("slip", share=budi))

    html = pdf_html["html"]
    assert "@page" in html and "A5 portrait" in html
    assert 'data-field="member-no">00001<' in html
    assert 'data-field="member-name">Budi Santoso<' in html
    assert f"No. {DECISION}, tanggal 20/01/2026" in html
    assert "KKMP Manggar" in html
    parts = dict(re.findall(r'<li data-part="([^"]+)">(.*?)</li>', html, re.S))
    assert parts == {
        "jasa_modal": nb(BUDI_JM),
        "jasa_usaha:gerai_sembako": nb(BUDI_JU),
        "jasa_usaha:simpan_pinjam": nb(BUDI_USP),
    }
    assert 'data-field="total">Rp 182.000<' in html
    assert "Status pembayaran: <strong>Belum dibayar</strong>" in html
    assert "Siti" not in html

    client.post(url("share_pay", share=budi), {"method": "tunai", "date": PAID_ON})
    client.get(url("slip", share=budi))
    assert "Status pembayaran: <strong>Sudah dibayar 02/03/2026 (tunai)</strong>" in pdf_html["html"]


# --- Query counts --------------------------------------------------------------------------------
def _more_members(year_books: YearBooks, distribution: ShuDistribution, register_member: Any, n: int) -> None:
    """Add ``n`` members with a share each (straight rows: the count of queries is what is measured)."""
    for i in range(n):
        member = register_member(year_books.coop, nik=f"647104200190{i + 10:04d}", name=f"Anggota {i}")
        ShuMemberShare.objects.create(
            cooperative=year_books.coop,
            distribution=distribution,
            member=member,
            capital_base=1_000,
            jasa_modal=1,
            usage=[{"unit": "gerai_sembako", "basis": "purchases", "base": 10, "amount": 2}],
            jasa_usaha=2,
            total=3,
        )


def test_queries_do_not_grow_with_members(
    year_books: YearBooks, distributed: ShuDistribution, register_member: Any
) -> None:
    client = client_for(year_books.bendahara)
    client.get(url("distribution"))  # warm the session

    def queries(path: str) -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    page, excel = queries(url("distribution")), queries(url("excel"))
    _more_members(year_books, distributed, register_member, 25)

    assert queries(url("distribution")) == page <= 12
    assert queries(url("excel")) == excel <= 8
    assert len(list(load_workbook(BytesIO(client.get(url("excel")).content))["Anggota"].iter_rows())) == 9 + 28 + 1
