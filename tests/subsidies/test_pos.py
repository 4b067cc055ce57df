"""Subsidised goods at the till (POS page) and in the member portal.

The till shows a "Barang bersubsidi" panel for programme products in the cart: the
programme, its price (which replaces the shelf price in the cart and its total), its rules,
and, once the buyer's NIK is known, what the buyer may still take. The payment form takes
the partner's (MAP) reference, which goes into the logbook; the receipt prints the
programme, the masked NIK and the reference. The member portal lists the member's
subsidised purchases and the quota left today.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from koperasi.core.roles import Role
from koperasi.members.services import member_portal_account_create
from koperasi.shop import services as shop
from koperasi.shop.models import Sale, SaleLine, StockMove
from koperasi.shop.views_pos import CART_KEY
from koperasi.subsidies.models import Distribution
from tests.conftest import KK, NIK_MAN
from tests.subsidies.conftest import NIK_A1, NIK_A2, NIK_UNREGISTERED, PROGRAM_FROM

pytestmark = pytest.mark.django_db

POS = "/k/manggar/gerai/kasir/"
BUYER = POS + "pembeli/"
PAY = POS + "bayar/"
SALES = "/k/manggar/gerai/penjualan/"
PORTAL = "/k/manggar/saya/belanja/"
HX = {"HX-Request": "true"}
MASKED_A1 = "6471••••••••0001"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_cart(client: Client, coop: Any, lines: list[tuple[int, int]], **extra: Any) -> None:
    session = client.session
    session[CART_KEY.format(coop.pk)] = {"lines": [list(x) for x in lines], **extra}
    session.save()


def key_of(html: str) -> str:
    marker = 'name="idempotency_key" value="'
    assert marker in html, "the payment form carries an idempotency key"
    return html.split(marker, 1)[1].split('"', 1)[0]


def written() -> dict[str, Any]:
    """What a sale writes."""
    return {
        "sales": Sale.objects.count(),
        "lines": SaleLine.objects.count(),
        "moves": StockMove.objects.count(),
        "distributions": Distribution.objects.count(),
    }


def sell(coop: Any, actor: Any, product: Any, qty: int, **extra: Any) -> Sale:
    """A sale today through the service (usage the till must count)."""
    return shop.sale_create(
        cooperative=coop, date=timezone.localdate(), lines=[shop.SaleLineInput(product, qty)], actor=actor, **extra
    )


@pytest.fixture
def till(coop: Any, kasir: Any, stocked: Any) -> Client:
    """The kasir logged in with an open session at the gerai, stock bought in (20 LPG, 10 rice, 24 oil)."""
    client = login(kasir)
    assert client.post(POS + "buka/", {"opening_float": "100.000"}).status_code == 302
    return client


@pytest.fixture
def cheap_oil(coop: Any, oil: Any, manajer: Any) -> Any:
    """MinyaKita at Rp15.000 a bottle (shelf Rp15.700), open to unregistered NIKs, no quota."""
    from koperasi.subsidies.services import ProgramInput, program_create

    return program_create(
        cooperative=coop,
        data=ProgramInput(
            name="MinyaKita DMO",
            product=oil,
            partner="Perum Bulog",
            price=15_000,
            valid_from=PROGRAM_FROM,
            registration_required=False,
        ),
        actor=manajer,
    )


# --- the panel ---------------------------------------------------------------------------------------------
def test_panel_shows_programme_rules_and_remaining_quota_for_a_registered_nik(
    coop: Any, kasir: Any, till: Client, lpg: Any, lpg_program: Any, households: Any
) -> None:
    sell(coop, kasir, lpg, 8, buyer_nik=NIK_A2)  # household A has 2 of its 10 left this month
    set_cart(till, coop, [(lpg.pk, 2)])
    page = till.get(POS).content.decode()
    assert 'id="subsidi"' in page and "Barang bersubsidi" in page
    assert 'data-field="program">LPG 3 kg bersubsidi<' in page
    assert 'data-field="rules">10 tabung per KK per bulan; 1 kali pembelian per NIK per hari<' in page
    assert 'id="subsidi-tanpa-nik"' in page  # no buyer yet: the NIK is asked for
    assert "Sisa kuota" not in page
    assert 'name="partner_reference"' in page  # the MAP reference is asked for subsidised goods

    # The NIK typed in the buyer field (not a member): the quota before the sale.
    assert till.post(BUYER, {"action": "find", "buyer": NIK_A1}).status_code == 302
    page = till.get(POS).content.decode()
    assert 'id="subsidi-tanpa-nik"' not in page
    assert f'<strong>Budi Santoso</strong> · Rumah tangga · NIK <span data-field="nik">{MASKED_A1}</span>' in page
    assert NIK_A1 not in page.split('id="subsidi"', 1)[1]  # the panel shows the NIK masked only
    assert 'data-field="quota">Sisa kuota: 2 tabung (KK bulan ini 8 dari 10; NIK hari ini 0 dari 1 kali)<' in page
    assert 'data-field="over"' not in page

    # Three tabung are one too many: the kasir is warned before paying.
    set_cart(till, coop, [(lpg.pk, 3)], guest_nik=NIK_A1)
    page = till.get(POS).content.decode()
    assert "Jumlah di keranjang 3 tabung melebihi sisa kuota 2 tabung; kurangi sebelum bayar." in page

    # The HTMX partial carries the panel too.
    partial = till.get(POS, headers=HX).content.decode()
    assert partial.lstrip().startswith('<div id="till">') and "Sisa kuota: 2 tabung" in partial


def test_member_card_gives_the_nik(
    coop: Any, till: Client, lpg: Any, lpg_program: Any, active_member: Any, register: Any
) -> None:
    register(nik=NIK_MAN, kk=KK, name="Budi Santoso")
    set_cart(till, coop, [(lpg.pk, 1)])
    assert till.post(BUYER, {"action": "find", "buyer": "KOPERASI:manggar:00001"}).status_code == 302
    page = till.get(POS).content.decode()
    assert 'id="pembeli-anggota">00001 · Budi Santoso<' in page
    assert 'data-field="nik">6471••••••••0001<' in page
    assert "Sisa kuota: 10 tabung (KK bulan ini 0 dari 10; NIK hari ini 0 dari 1 kali)" in page


def test_unregistered_nik_is_refused_with_a_link_to_register(
    coop: Any, till: Client, lpg: Any, lpg_program: Any, households: Any
) -> None:
    set_cart(till, coop, [(lpg.pk, 1)], guest_nik=NIK_UNREGISTERED)
    page = till.get(POS).content.decode()
    assert "NIK 6471••••••••0003 belum terdaftar sebagai penerima LPG 3 kg bersubsidi" in page
    assert 'id="subsidi-belum-terdaftar"' in page
    assert "Sisa kuota" not in page
    try:
        register_url = reverse("subsidies:recipient_new", kwargs={"code": coop.code})
    except NoReverseMatch:  # the registration page is not mounted: no link, and no error
        assert 'id="daftar-penerima"' not in page
    else:
        assert f'href="{register_url}?nik={NIK_UNREGISTERED}"' in page


def test_programme_price_replaces_the_shelf_price_in_the_cart_and_the_sale(
    coop: Any, till: Client, oil: Any, rice: Any, cheap_oil: Any
) -> None:
    set_cart(till, coop, [(oil.pk, 2), (rice.pk, 1)], guest_nik=NIK_UNREGISTERED)
    page = till.get(POS).content.decode()
    assert 'data-field="price">Rp 15.000<' in page and "(harga program)" in page
    assert "harga rak Rp 15.700" in page
    assert 'id="cart-total">Rp 95.500<' in page  # 2 × 15.000 + 65.500 (rice has no programme)
    assert 'id="total-bayar">Rp 95.500<' in page
    assert "Sisa kuota: tidak dibatasi" in page  # open to any NIK, no quota
    response = till.post(PAY, {"payment_method": "tunai", "cash_received": "100.000", "idempotency_key": key_of(page)})
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert (sale.total, sale.change) == (95_500, 4_500)
    row = Distribution.objects.get()
    assert (row.program, row.qty, row.unit_price, row.nik, row.partner_reference) == (
        cheap_oil,
        2,
        15_000,
        NIK_UNREGISTERED,
        "",
    )


def test_ended_programme_and_ineligible_category_are_shown_before_paying(
    coop: Any, till: Client, lpg: Any, rice: Any, lpg_program: Any, sphp_program: Any, register: Any, manajer: Any
) -> None:
    from koperasi.subsidies.services import program_end

    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    program_end(cooperative=coop, program=lpg_program, valid_to=yesterday, reason="Diganti program baru", actor=manajer)
    register(category="usaha_mikro", nib="1234567890123", business_name="Warung Budi")
    set_cart(till, coop, [(lpg.pk, 1), (rice.pk, 1)], guest_nik=NIK_A1)
    page = till.get(POS).content.decode()
    ended = page.split(f'id="subsidi-{lpg.pk}"', 1)[1].split("</div>", 1)[0]
    assert f"Program LPG 3 kg bersubsidi berakhir pada {yesterday:%d/%m/%Y}" in ended
    assert "Sisa kuota" not in ended
    assert "(harga program)" in page.split(f'id="baris-{rice.pk}"', 1)[1].split("</tr>", 1)[0]
    assert "(harga program)" not in page.split(f'id="baris-{lpg.pk}"', 1)[1].split("</tr>", 1)[0]
    sphp = page.split(f'id="subsidi-{rice.pk}"', 1)[1].split("</div>", 1)[0]
    assert "Kategori usaha mikro tidak termasuk penerima Beras SPHP (yang boleh: rumah tangga)." in sphp


def test_plain_cart_has_no_panel_nor_reference_field(coop: Any, till: Client, rice: Any, lpg_program: Any) -> None:
    set_cart(till, coop, [(rice.pk, 1)])
    page = till.get(POS).content.decode()
    assert 'id="subsidi"' not in page and 'name="partner_reference"' not in page


# --- paying -------------------------------------------------------------------------------------------------
def test_paying_records_the_partner_reference_in_the_logbook(
    coop: Any, kasir: Any, till: Client, lpg: Any, rice: Any, lpg_program: Any, households: Any
) -> None:
    set_cart(till, coop, [(lpg.pk, 2), (rice.pk, 1)], guest_nik=NIK_A1)
    page = till.get(POS).content.decode()
    response = till.post(
        PAY,
        {
            "payment_method": "tunai",
            "cash_received": "",
            "partner_reference": " MAP-2026-0001 ",
            "idempotency_key": key_of(page),
        },
    )
    assert response.status_code == 302
    sale = Sale.objects.get()
    assert sale.total == 2 * 19_000 + 65_500
    row = Distribution.objects.get()
    assert (row.sale, row.nik, row.kk, row.name, row.qty, row.unit_price, row.partner_reference) == (
        sale,
        NIK_A1,
        households["a1"].kk,
        "Budi Santoso",
        2,
        19_000,
        "MAP-2026-0001",
    )

    # The receipt (page and PDF) prints the programme, the masked NIK and the reference.
    html = till.get(f"{SALES}{sale.pk}/struk/").content.decode()
    assert 'data-field="program">LPG 3 kg bersubsidi<' in html
    assert f'data-field="nik">{MASKED_A1}<' in html and NIK_A1 not in html
    assert 'data-field="partner-reference">MAP-2026-0001<' in html
    assert html.count('data-field="program"') == 1  # the rice line is not subsidised
    pdf = till.get(f"{SALES}{sale.pk}/struk.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # Paid: today's purchase is used up for this NIK.
    set_cart(till, coop, [(lpg.pk, 1)], guest_nik=NIK_A1)
    page = till.get(POS).content.decode()
    assert "Sisa kuota: 0 tabung (KK bulan ini 2 dari 10; NIK hari ini 1 dari 1 kali)" in page


def test_receipt_queries_do_not_grow_with_subsidised_lines(
    coop: Any,
    kasir: Any,
    lpg: Any,
    rice: Any,
    stocked: Any,
    lpg_program: Any,
    sphp_program: Any,
    households: Any,
    django_assert_max_num_queries: Any,
) -> None:
    sale = shop.sale_create(
        cooperative=coop,
        date=timezone.localdate(),
        lines=[shop.SaleLineInput(lpg, 1), shop.SaleLineInput(rice, 2)],
        buyer_nik=NIK_A1,
        partner_reference="MAP-7",
        actor=kasir,
    )
    client = login(kasir)
    with django_assert_max_num_queries(10):
        html = client.get(f"{SALES}{sale.pk}/struk/").content.decode()
    assert html.count('data-field="partner-reference">MAP-7<') == 2
    assert 'data-field="program">Beras SPHP<' in html


def test_sale_over_the_quota_is_refused_and_writes_nothing(
    coop: Any, kasir: Any, till: Client, lpg: Any, lpg_program: Any, households: Any
) -> None:
    sell(coop, kasir, lpg, 8, buyer_nik=NIK_A2)
    set_cart(till, coop, [(lpg.pk, 3)], guest_nik=NIK_A1)
    page = till.get(POS).content.decode()
    before = written()
    response = till.post(
        PAY, {"payment_method": "tunai", "partner_reference": "MAP-9", "idempotency_key": key_of(page)}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "LPG 3 kg untuk NIK 6471••••••••0001: Kuota KK bulan ini tersisa 2 tabung" in html
    assert 'id="bayar-galat"' in html
    assert 'value="MAP-9"' in html  # what was typed is kept
    assert written() == before
    assert till.session[CART_KEY.format(coop.pk)]["lines"] == [[lpg.pk, 3]]  # the cart is kept to fix


def test_sale_without_nik_or_unregistered_is_refused(
    coop: Any, till: Client, lpg: Any, lpg_program: Any, households: Any
) -> None:
    set_cart(till, coop, [(lpg.pk, 1)])
    page = till.get(POS).content.decode()
    before = written()
    response = till.post(PAY, {"payment_method": "tunai", "idempotency_key": key_of(page)})
    assert response.status_code == 409
    assert "hanya dijual dengan NIK pembeli" in response.content.decode()
    set_cart(till, coop, [(lpg.pk, 1)], guest_nik=NIK_UNREGISTERED)
    response = till.post(PAY, {"payment_method": "tunai", "idempotency_key": key_of(page)})
    assert response.status_code == 409
    assert "belum terdaftar sebagai penerima" in response.content.decode()
    assert written() == before


@pytest.mark.parametrize("reference", ["M" * 101, "MAP\x00"])
def test_odd_partner_reference_is_refused(
    coop: Any, till: Client, lpg: Any, lpg_program: Any, households: Any, reference: str
) -> None:
    set_cart(till, coop, [(lpg.pk, 1)], guest_nik=NIK_A1)
    page = till.get(POS).content.decode()
    before = written()
    response = till.post(
        PAY, {"payment_method": "tunai", "partner_reference": reference, "idempotency_key": key_of(page)}
    )
    assert response.status_code == 422
    assert written() == before


# --- queries --------------------------------------------------------------------------------------------------
def test_till_page_queries_stay_few_with_subsidised_goods(
    coop: Any,
    till: Client,
    lpg: Any,
    rice: Any,
    oil: Any,
    lpg_program: Any,
    sphp_program: Any,
    households: Any,
    django_assert_max_num_queries: Any,
) -> None:
    set_cart(till, coop, [(lpg.pk, 1), (rice.pk, 1), (oil.pk, 1)])
    # A plain cart takes 11 queries; programme products add their programmes' rules (one
    # query), and with the buyer's NIK each subsidised product its recipient and usage (two).
    with django_assert_max_num_queries(12):
        assert till.get(POS).status_code == 200
    set_cart(till, coop, [(lpg.pk, 1), (rice.pk, 1), (oil.pk, 1)], guest_nik=NIK_A1)
    with django_assert_max_num_queries(16):
        page = till.get(POS).content.decode()
    assert page.count('data-field="quota">Sisa kuota') == 2
    assert "Sisa kuota: 2 karung (NIK hari ini 0 dari 2)" in page


# --- the member portal ------------------------------------------------------------------------------------------
@pytest.fixture
def budi(coop: Any, active_member: Any, admin_user: Any, register: Any) -> Any:
    """Budi (member 00001, NIK_MAN) with a portal account, registered for subsidised goods."""
    member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password="Budi-Manggar-2026", actor=admin_user
    )
    register(nik=NIK_MAN, kk=KK, name="Budi Santoso")
    active_member.refresh_from_db()
    return active_member


def test_portal_lists_the_members_subsidised_purchases_and_quota(
    coop: Any,
    kasir: Any,
    stocked: Any,
    lpg: Any,
    rice: Any,
    lpg_program: Any,
    sphp_program: Any,
    households: Any,
    budi: Any,
    django_assert_max_num_queries: Any,
) -> None:
    sale = sell(coop, kasir, lpg, 2, member=budi, partner_reference="MAP-55")
    sell(coop, kasir, lpg, 1, buyer_nik=NIK_A1)  # someone else's: not on Budi's page
    client = login(budi.user)
    with django_assert_max_num_queries(17):
        response = client.get(PORTAL)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="bersubsidi"' in page and "Barang bersubsidi" in page
    rows = response.context["distributions"]
    assert [(d.sale_id, d.qty, d.unit_price) for d in rows] == [(sale.pk, 2, 19_000)]
    assert "Ref. mitra MAP-55" in page and "Rp 38.000" in page
    assert "Sisa kuota hari ini: 0 tabung (KK bulan ini 2 dari 10; NIK hari ini 1 dari 1 kali)" in page
    assert "Sisa kuota hari ini: 2 karung (NIK hari ini 0 dari 2)" in page

    # More purchases do not add queries: the distributions are one query.
    sell(coop, kasir, rice, 2, member=budi)
    with django_assert_max_num_queries(17):
        response = client.get(PORTAL)
    assert len(response.context["distributions"]) == 2


def test_portal_without_programmes_has_no_section(coop: Any, budi: Any) -> None:
    page = login(budi.user).get(PORTAL).content.decode()
    assert 'id="bersubsidi"' not in page


# --- tenancy ------------------------------------------------------------------------------------------------------
def test_another_cooperatives_users_see_nothing(
    coop: Any, other_coop: Any, grant: Any, kasir: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any
) -> None:
    sale = sell(coop, kasir, lpg, 1, buyer_nik=NIK_A1, partner_reference="MAP-1")
    stranger = login(grant(other_coop, Role.KASIR, "kasir-lamaru"))
    assert stranger.get(POS).status_code == 404
    assert stranger.get(f"{SALES}{sale.pk}/struk/").status_code == 404
    assert stranger.get(f"{SALES}{sale.pk}/struk.pdf").status_code == 404
    assert stranger.get(PORTAL).status_code == 404
    # Their own till does not see Manggar's programme or quota.
    assert stranger.post("/k/lamaru/gerai/kasir/buka/", {"opening_float": "0"}).status_code == 302
    set_cart(stranger, other_coop, [(lpg.pk, 1)], guest_nik=NIK_A1)  # Manggar's product id in Lamaru's till
    page = stranger.get("/k/lamaru/gerai/kasir/").content.decode()
    assert 'id="keranjang-kosong"' in page
    assert "Sisa kuota" not in page and "LPG 3 kg bersubsidi" not in page
