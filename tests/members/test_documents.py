"""The member card: its QR payload, the PDF, what it shows, and who may print whose."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import segno
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.members.card import (
    card_payload,
    card_payload_parse,
    card_qr_svg,
    member_documents_allowed,
    member_documents_get,
)
from koperasi.members.services import member_portal_account_create
from tests.conftest import NIK_WOMAN

PASSWORD = "Rahasia-Uji-2026!"


# --- QR payload (pure) --------------------------------------------------------------------------
def test_payload_of_manggar_member_one() -> None:
    assert card_payload("manggar", 1) == "KOPERASI:manggar:00001"
    assert card_payload("sepinggan-baru", 12345) == "KOPERASI:sepinggan-baru:12345"
    assert card_payload("manggar", 123456) == "KOPERASI:manggar:123456"


def test_payload_parse_reads_a_scan() -> None:
    assert card_payload_parse("KOPERASI:manggar:00001") == ("manggar", 1)
    assert card_payload_parse("  KOPERASI:manggar:00042\r\n") == ("manggar", 42)
    assert card_payload_parse("KOPERASI:sepinggan_raya:123456") == ("sepinggan_raya", 123456)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "KOPERASI:manggar:1",  # fewer than five digits
        "KOPERASI:manggar:00000",  # no member 0
        "KOPERASI:manggar:0001a",
        "KOPERASI::00001",
        "KOPERASI:man ggar:00001",
        "KOPERASI:manggar:00001:x",
        "koperasi:manggar:00001",
        "ANGGOTA:manggar:00001",
        "https://example.org/?KOPERASI:manggar:00001",
        "6471041505850001",  # a NIK is not a card
    ],
)
def test_payload_parse_refuses_anything_else(text: str) -> None:
    with pytest.raises(ValueError):
        card_payload_parse(text)


@pytest.mark.parametrize(("code", "number"), [("", 1), ("man ggar", 1), ("manggar", 0), ("manggar", -3), ("x", 10**9)])
def test_payload_refuses_bad_parts(code: str, number: int) -> None:
    with pytest.raises(ValueError):
        card_payload(code, number)


@given(code=st.from_regex(r"[A-Za-z0-9_-]{1,40}", fullmatch=True), number=st.integers(1, 10**9 - 1))
def test_payload_round_trips(code: str, number: int) -> None:
    payload = card_payload(code, number)
    assert card_payload_parse(payload) == (code, number)
    assert len(payload.rsplit(":", 1)[1]) == max(5, len(str(number)))


def test_qr_svg_is_segno_drawing_of_the_payload() -> None:
    svg = card_qr_svg("KOPERASI:manggar:00001")
    expected = segno.make("KOPERASI:manggar:00001", error="m", micro=False)
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert f'viewBox="0 0 {expected.symbol_size(border=2)[0]} {expected.symbol_size(border=2)[1]}"' in svg
    assert svg == expected.svg_inline(
        border=2, omitsize=True, svgclass="qr-code", lineclass=None, dark="#000", light="#fff"
    )
    assert svg != card_qr_svg("KOPERASI:manggar:00002")


# --- The PDF ------------------------------------------------------------------------------------
@pytest.fixture
def client_as() -> Any:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


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


def card_url(member: Any, code: str = "manggar") -> str:
    return f"/k/{code}/anggota/{member.pk}/kartu.pdf"


@pytest.mark.django_db
def test_card_is_a_pdf(active_member: Any, ketua: Any, client_as: Any) -> None:
    response = client_as(ketua).get(card_url(active_member))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="kartu-anggota-manggar-00001.pdf"'
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_card_shows_member_and_qr(active_member: Any, kasir: Any, client_as: Any, pdf_html: dict[str, str]) -> None:
    response = client_as(kasir).get(card_url(active_member))

    assert response.status_code == 200
    html = pdf_html["html"]
    assert "size: 85.6mm 54mm" in html
    assert '<p class="coop">KKMP Manggar</p>' in html
    assert "KARTU ANGGOTA" in html
    assert '<td class="name">Budi Santoso</td>' in html
    assert '<td class="number">00001</td>' in html
    assert "6471••••••••0001" in html and "6471041505850001" not in html
    assert "05/01/2026" in html  # joined and activated (pokok paid) the same day
    assert "Aktif sejak" in html
    assert 'data-status="aktif"' in html and "ANGGOTA AKTIF" in html and "CALON ANGGOTA" not in html
    assert card_qr_svg("KOPERASI:manggar:00001") in html
    assert '<p class="payload">KOPERASI:manggar:00001</p>' in html
    # Nothing for WeasyPrint to fetch: no external links or images.
    assert not re.search(r'(src|href)="(?!data:)', html)


@pytest.mark.django_db
def test_calon_card_says_calon(
    coop: Any, register_member: Any, ketua: Any, client_as: Any, pdf_html: dict[str, str]
) -> None:
    register_member(coop)
    calon = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")

    response = client_as(ketua).get(card_url(calon))

    assert response.status_code == 200
    html = pdf_html["html"]
    assert 'data-status="calon"' in html and "CALON ANGGOTA" in html
    assert '<td class="number">00002</td>' in html
    assert "Aktif sejak" not in html
    assert card_qr_svg("KOPERASI:manggar:00002") in html


# --- Who may print whose ------------------------------------------------------------------------
@pytest.fixture
def portal_user(coop: Any, active_member: Any, ketua: Any) -> Any:
    """Budi's own portal login (role anggota)."""
    return member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password=PASSWORD, actor=ketua
    )


@pytest.mark.django_db
def test_member_prints_own_card_only(
    coop: Any, register_member: Any, active_member: Any, portal_user: Any, client_as: Any, pdf_html: dict[str, str]
) -> None:
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    client = client_as(portal_user)

    own = client.get(card_url(active_member))
    assert own.status_code == 200 and "Budi Santoso" in pdf_html["html"]
    pdf_html.clear()

    assert client.get(card_url(siti)).status_code == 404
    assert client.get("/k/manggar/anggota/999999/kartu.pdf").status_code == 404
    assert pdf_html == {}  # nothing rendered for the refused ones


@pytest.mark.django_db
def test_card_of_another_cooperative_is_not_found(
    coop: Any,
    other_coop: Any,
    register_member: Any,
    active_member: Any,
    ketua: Any,
    other_ketua: Any,
    client_as: Any,
    pdf_html: dict[str, str],
) -> None:
    lamaru_member = register_member(other_coop, name="Andi Lamaru")

    # Manggar's member through Lamaru's officer: no role in Manggar.
    assert client_as(other_ketua).get(card_url(active_member)).status_code == 404
    # Lamaru's member through Manggar's URL, by Manggar's ketua.
    assert client_as(ketua).get(card_url(lamaru_member)).status_code == 404
    # ... and through Lamaru's URL, by Manggar's ketua.
    assert client_as(ketua).get(card_url(lamaru_member, "lamaru")).status_code == 404
    assert pdf_html == {}


@pytest.mark.django_db
def test_roles_without_member_view_are_refused(
    coop: Any, active_member: Any, dinas_user: Any, grant: Any, client_as: Any, pdf_html: dict[str, str]
) -> None:
    # The Dinas sees statistics, never a member's personal data.
    assert client_as(dinas_user).get(card_url(active_member)).status_code == 403
    # An anggota login not linked to any member.
    stray = grant(coop, Role.ANGGOTA, "anggota-tanpa-data")
    assert client_as(stray).get(card_url(active_member)).status_code == 403
    assert pdf_html == {}


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(active_member: Any) -> None:
    response = Client().get(card_url(active_member))
    assert response.status_code == 302 and "/masuk/" in response["Location"]


@pytest.mark.django_db
def test_documents_rule(
    coop: Any, other_coop: Any, register_member: Any, active_member: Any, portal_user: Any, ketua: Any
) -> None:
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    lamaru_member = register_member(other_coop)
    officer, member = frozenset({Role.KETUA}), frozenset({Role.ANGGOTA})

    def allowed(user: Any, roles: frozenset[Role], target: Any) -> bool:
        return member_documents_allowed(
            cooperative=coop, user=user, roles=roles, member=target, action=Action.MEMBERS_VIEW
        )

    assert allowed(ketua, officer, active_member) and allowed(ketua, officer, siti)
    assert not allowed(ketua, officer, lamaru_member)
    assert allowed(portal_user, member, active_member)
    assert not allowed(portal_user, member, siti)
    assert not allowed(portal_user, frozenset({Role.DINAS}), active_member)
    assert (
        member_documents_get(
            cooperative=coop,
            user=portal_user,
            roles=member,
            member_id=str(active_member.pk),
            action=Action.SAVINGS_VIEW,
        ).pk
        == active_member.pk
    )


@pytest.mark.django_db
def test_ended_member_card_is_marked_not_valid(
    coop: Any, active_member: Any, ketua: Any, client_as: Any, pdf_html: dict[str, str]
) -> None:
    from koperasi.savings.services import member_exit

    member_exit(
        cooperative=coop,
        member=active_member,
        status="keluar",
        date=datetime.date(2026, 3, 1),
        reason="Pindah domisili",
        actor=ketua,
    )

    response = client_as(ketua).get(card_url(active_member))

    assert response.status_code == 200
    html = pdf_html["html"]
    assert 'data-status="keluar"' in html and "TIDAK BERLAKU" in html
    assert "Keluar (01/03/2026)" in html
