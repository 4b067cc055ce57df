"""The member's SHU in the portal (/k/<code>/saya/shu/): their own shares, explained, and their slips only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from koperasi.core.roles import Role
from koperasi.members.services import member_portal_account_create
from koperasi.savings.services import savings_deposit
from koperasi.shu.models import ShuDistribution
from koperasi.shu.services import shu_pay
from tests.shu.conftest import CLOSE_TODAY, DECISION, JOINED, YEAR, YearBooks

pytestmark = pytest.mark.django_db

PORTAL = "/k/manggar/saya/shu/"
BUDI_JM = (
    "Jasa modal = simpanan (pokok + wajib) Anda Rp 300.000 / simpanan (pokok + wajib) semua anggota "
    "Rp 600.000 × dana jasa modal Rp 224.000 = Rp 112.000 (dibulatkan ke bawah)"
)
BUDI_JU = (
    "Jasa usaha Gerai sembako = belanja Anda Rp 300.000 / belanja semua anggota Rp 480.000 × "
    "dana jasa usaha Gerai sembako Rp 112.000 = Rp 70.000 (dibulatkan ke bawah)"
)


def slip_url(year: int = YEAR, code: str = "manggar") -> str:
    return f"/k/{code}/saya/shu/{year}/slip.pdf"


def login(year_books: YearBooks, member: Any, username: str) -> Client:
    user = member_portal_account_create(
        cooperative=year_books.coop,
        member=member,
        username=username,
        password="Rahasia-Uji-2026!",
        actor=year_books.ketua,
    )
    client = Client()
    client.force_login(user)
    return client


def text(html: str, element_id: str, tag: str = "p") -> str:
    """The text of the ``tag`` element with ``element_id`` (tags inside removed)."""
    match = re.search(rf'<{tag}[^>]* id="{element_id}"[^>]*>(.*?)</{tag}>', html, re.S)
    assert match, f"#{element_id} not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


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


def test_member_sees_only_their_own_shu_explained(year_books: YearBooks, distributed: ShuDistribution) -> None:
    response = login(year_books, year_books.budi, "budi").get(PORTAL)

    assert response.status_code == 200
    html = response.content.decode()
    article = text(html, "shu-2025", "article")
    assert article.startswith(
        f"SHU tahun buku 2025: Rp 182.000 Disahkan RAT 20/01/2026, keputusan no. {DECISION} {BUDI_JM} {BUDI_JU}"
    )
    assert "Total = Rp 112.000 + Rp 70.000 = Rp 182.000" in article
    assert "Belum dibayar — hubungi bendahara atau kasir koperasi." in article
    assert f'href="{slip_url()}"' in html
    assert "Rp 116.666" not in html and "Siti" not in html and "Rp 37.333" not in html
    assert "Rp 200.000" not in html  # Siti's base
    assert 'id="nav-shu" aria-current="page"' in html


def test_paid_share_says_when_and_how(year_books: YearBooks, distributed: ShuDistribution) -> None:
    share = distributed.shares.get(member=year_books.siti)
    shu_pay(
        cooperative=year_books.coop,
        share=share,
        method="sukarela",
        date=CLOSE_TODAY,
        actor=year_books.kasir,
        today=CLOSE_TODAY,
    )

    html = login(year_books, year_books.siti, "siti").get(PORTAL).content.decode()

    assert "SHU tahun buku 2025: Rp 116.666" in text(html, "shu-2025", "article")
    assert "Sudah dibayar 01/02/2026 (ke simpanan sukarela)" in text(html, "shu-2025", "article")
    assert "hubungi bendahara" not in html


def test_before_the_rat_decides(year_books: YearBooks, closed_year: Any) -> None:
    client = login(year_books, year_books.budi, "budi")
    html = client.get(PORTAL).content.decode()

    assert text(html, "menunggu-rat-2025") == ("Buku tahun 2025 sudah ditutup; pembagian SHU-nya belum diputuskan RAT.")
    assert 'id="shu-2025"' not in html and 'id="belum-ada"' not in html
    assert client.get(slip_url()).status_code == 404


def test_nothing_closed_yet(year_books: YearBooks) -> None:
    html = login(year_books, year_books.budi, "budi").get(PORTAL).content.decode()

    assert text(html, "belum-ada") == "Belum ada SHU yang dibagikan. SHU dibagikan setelah tutup buku dan disahkan RAT."


def test_member_without_a_share_is_told_why_and_has_no_slip(
    year_books: YearBooks, register_member: Any, distributed: ShuDistribution
) -> None:
    dewi = register_member(year_books.coop, nik="6471044101900005", name="Dewi Lestari", joined_on=JOINED.isoformat())
    savings_deposit(
        cooperative=year_books.coop, member=dewi, kind="pokok", amount=50_000, date=CLOSE_TODAY, actor=year_books.kasir
    )
    client = login(year_books, dewi, "dewi")

    html = client.get(PORTAL).content.decode()

    assert text(html, "tanpa-bagian-2025").startswith("SHU tahun buku 2025 sudah dibagikan, tetapi Anda tidak mendapat")
    assert 'id="shu-2025"' not in html
    assert client.get(slip_url()).status_code == 404


def test_own_slip_pdf(year_books: YearBooks, distributed: ShuDistribution, pdf_html: dict[str, str]) -> None:
    response = login(year_books, year_books.budi, "budi").get(slip_url())

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="slip-shu-2025-manggar-00001.pdf"'
    html = pdf_html["html"]
    assert 'data-field="member-name">Budi Santoso<' in html
    assert BUDI_JM.replace("Rp ", "Rp\u00a0") in html and BUDI_JU.replace("Rp ", "Rp\u00a0") in html
    assert 'data-field="total">Rp 182.000<' in html
    assert "Siti" not in html


def test_slip_of_another_year_or_for_others_is_not_found(
    year_books: YearBooks, distributed: ShuDistribution, grant: Any, other_coop: Any, register_member: Any
) -> None:
    client = login(year_books, year_books.budi, "budi")
    assert client.get(slip_url(2024)).status_code == 404
    assert client.get(slip_url(99_999)).status_code == 404
    # Officers without a membership, an anggota of another cooperative, Budi in another cooperative: 404.
    outsider_member = register_member(other_coop, name="Rina", nik="6471045001900006")
    outsider = member_portal_account_create(
        cooperative=other_coop,
        member=outsider_member,
        username="rina",
        password="Rahasia-Uji-2026!",
        actor=year_books.ketua,
    )
    for user in (year_books.ketua, year_books.bendahara, outsider):
        other = Client()
        other.force_login(user)
        assert other.get(PORTAL).status_code == 404, user
        assert other.get(slip_url()).status_code == 404, user
    assert client.get(slip_url(code="lamaru")).status_code == 404
    assert client.get("/k/lamaru/saya/shu/").status_code == 404
    anggota_only = grant(year_books.coop, Role.ANGGOTA, "anggota-tanpa-data")
    stranger = Client()
    stranger.force_login(anggota_only)
    assert stranger.get(PORTAL).status_code == 404
    assert stranger.get(slip_url()).status_code == 404


def test_portal_navigation_links_to_shu(year_books: YearBooks) -> None:
    client = login(year_books, year_books.budi, "budi")

    html = client.get("/k/manggar/saya/").content.decode()

    assert f'<a href="{PORTAL}" id="nav-shu">SHU</a>' in html


def test_portal_queries_do_not_grow_with_years(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = login(year_books, year_books.budi, "budi")
    client.get(PORTAL)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(PORTAL).status_code == 200
    assert len(ctx.captured_queries) <= 14
