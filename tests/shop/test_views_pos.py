"""The cashier's pages (POS): the till (session, scan, search, cart, buyer, payment), closing a session,
sales and their receipts (page and PDF), returns requested and decided, permissions and odd input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.shop import services
from koperasi.shop.models import (
    CashierSession,
    Product,
    Sale,
    SaleLine,
    SaleReturn,
    StockLevel,
    StockMove,
)
from koperasi.shop.views_pos import CART_KEY
from tests.conftest import NIK_MAN, NIK_WOMAN

pytestmark = pytest.mark.django_db

BASE = "/k/manggar/gerai/"
POS = BASE + "kasir/"
OPEN = POS + "buka/"
ADD = POS + "tambah/"
CART = POS + "keranjang/"
BUYER = POS + "pembeli/"
PAY = POS + "bayar/"
SEARCH = POS + "cari/"
SESSIONS = POS + "sesi/"
SALES = BASE + "penjualan/"
RETURNS = BASE + "retur/"
HX = {"HX-Request": "true"}


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def key_of(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, "the payment form carries an idempotency key"
    return match.group(1)


def cart_of(client: Client, coop: Any) -> dict[str, Any]:
    return client.session.get(CART_KEY.format(coop.pk)) or {}


def set_cart(client: Client, coop: Any, lines: list[tuple[int, int]], **extra: Any) -> None:
    session = client.session
    session[CART_KEY.format(coop.pk)] = {"lines": [list(x) for x in lines], **extra}
    session.save()


def snapshot() -> dict[str, Any]:
    """Everything the till can write."""
    return {
        "sales": Sale.objects.count(),
        "lines": SaleLine.objects.count(),
        "levels": sorted(StockLevel.objects.values_list("pk", "qty")),
        "products": sorted(Product.objects.values_list("pk", "stock_qty", "stock_value")),
        "moves": StockMove.objects.count(),
        "entries": JournalEntry.objects.count(),
        "sessions": sorted(CashierSession.objects.values_list("pk", "status", "counted_cash")),
        "returns": sorted(SaleReturn.objects.values_list("pk", "status")),
    }


@pytest.fixture
def till(coop: Any, kasir: Any, stocked: Any) -> Client:
    """The kasir logged in with an open session (float Rp100.000) at the gerai, stock bought in."""
    client = login(kasir)
    response = client.post(OPEN, {"opening_float": "100.000"})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def sold(coop: Any, kasir: Any, stocked: Any, active_member: Any, rice: Any, oil: Any) -> Sale:
    """Budi bought 2 rice and 1 oil in cash (Rp146.700, paid Rp150.000) in the kasir's session."""
    from django.utils import timezone

    session = services.cashier_session_open(cooperative=coop, opening_float=50_000, actor=kasir)
    return services.sale_create(
        cooperative=coop,
        date=timezone.localdate(),
        lines=[services.SaleLineInput(rice, 2), services.SaleLineInput(oil, 1)],
        cash_received=150_000,
        member=active_member,
        session=session,
        actor=kasir,
    )


# --- the whole flow ---------------------------------------------------------------------------------------
def test_kasir_sells_from_open_to_close(
    coop: Any, kasir: Any, stocked: Any, active_member: Any, rice: Any, lpg: Any, oil: Any
) -> None:
    client = login(kasir)
    page = client.get(POS)
    assert page.status_code == 200
    assert 'id="buka-sesi"' in page.content.decode()

    # Open the till with a float typed the Indonesian way.
    response = client.post(OPEN, {"opening_float": "100.000"})
    assert response.status_code == 302 and response["Location"] == POS
    session = CashierSession.objects.get()
    assert (session.cashier, session.opening_float, session.status) == (kasir, 100_000, "open")
    assert session.location.code == "gerai"

    # A barcode scan, then a name typed (one match), then a search with several matches to pick from.
    assert client.post(ADD, {"q": "8991234500015"}).status_code == 302
    assert client.post(ADD, {"q": "minyakita"}).status_code == 302
    assert cart_of(client, coop)["lines"] == [[rice.pk, 1], [oil.pk, 1]]
    page = client.get(POS).content.decode()
    assert "Beras SPHP 5 kg" in page and "MinyaKita 1 L" in page
    assert "Rp 65.500" in page and "Rp 15.700" in page
    assert 'id="cart-total">Rp 81.200<' in page
    assert "sisa stok 9" in page and "sisa stok 23" in page  # stock at the gerai after this cart

    # The buyer: the QR text of Budi's member card, as a USB scanner types it.
    response = client.post(BUYER, {"action": "find", "buyer": "KOPERASI:manggar:00001"})
    assert response.status_code == 302
    page = client.get(POS).content.decode()
    assert 'id="pembeli-anggota">00001 · Budi Santoso<' in page

    # Cash Rp100.000 for Rp81.200: change Rp18.800, computed again by the server.
    key = key_of(page)
    response = client.post(PAY, {"payment_method": "tunai", "cash_received": "100.000", "idempotency_key": key})
    assert response.status_code == 302 and response["Location"] == POS
    sale = Sale.objects.get()
    assert (sale.total, sale.cash_received, sale.change) == (81_200, 100_000, 18_800)
    assert (sale.member, sale.is_member_sale, sale.session, sale.created_by) == (active_member, True, session, kasir)
    assert sale.idempotency_key == key
    assert sorted(sale.lines.values_list("product__sku", "qty", "unit_price", "line_total")) == [
        ("MK1", 1, 15_700, 15_700),
        ("SPHP5", 1, 65_500, 65_500),
    ]
    assert flashes(response) == [f"Penjualan {sale.sale_no} dicatat: total Rp 81.200, kembalian Rp 18.800."]
    assert cart_of(client, coop)["lines"] == [] and cart_of(client, coop)["member_id"] is None
    page = client.get(POS).content.decode()
    assert 'data-field="change">Rp 18.800<' in page
    assert f'href="/k/manggar/gerai/penjualan/{sale.pk}/struk/"' in page
    assert 'id="keranjang-kosong"' in page

    # The receipt shows the exact figures.
    receipt = client.get(f"{SALES}{sale.pk}/struk/")
    assert receipt.status_code == 200
    html = receipt.content.decode()
    for field, value in [
        ("number", sale.sale_no),
        ("cashier", kasir.username),
        ("buyer", "00001 Budi Santoso"),
        ("total", "Rp 81.200"),
        ("paid", "Rp 100.000"),
        ("change", "Rp 18.800"),
        ("thanks", "Terima kasih"),
    ]:
        assert f'data-field="{field}">{value}<' in html, field
    assert 'data-field="calc">1 x 65.500<' in html and 'data-field="line-total">65.500<' in html
    assert "Bayar (Tunai)" in html and coop.name in html
    assert "size: 58mm auto" in html

    # Close with Rp1.200 missing: expected 100.000 + 81.200.
    close_url = f"{POS}{session.pk}/tutup/"
    page = client.get(close_url).content.decode()
    assert 'id="seharusnya">Rp 181.200<' in page
    preview = client.post(close_url, {"counted_cash": "180.000", "preview": "1"})
    assert preview.status_code == 200
    assert "kurang Rp 1.200" in preview.content.decode()
    assert CashierSession.objects.get().status == "open"  # a preview writes nothing
    response = client.post(close_url, {"counted_cash": "180.000", "note": "uang receh kurang"})
    assert response.status_code == 302 and response["Location"] == close_url
    session.refresh_from_db()
    assert (session.status, session.expected_cash, session.counted_cash, session.variance) == (
        "closed",
        181_200,
        180_000,
        -1_200,
    )
    lines = JournalLine.objects.filter(entry=session.journal_entry).select_related("account")
    assert sorted((ln.account.role, ln.debit, ln.credit) for ln in lines) == [
        ("cash", 0, 1_200),
        ("cash_inventory_variance", 1_200, 0),
    ]
    assert flashes(response) == [
        f"Sesi {session.session_no} ditutup. Seharusnya Rp 181.200, dihitung Rp 180.000: kurang Rp 1.200 (dibukukan)."
    ]
    page = client.get(close_url).content.decode()
    assert 'id="selisih" class="variance-neg">kurang Rp 1.200<' in page
    # The till offers a new session again.
    assert 'id="buka-sesi"' in client.get(POS).content.decode()


def test_search_lists_several_matches_to_pick_from(coop: Any, till: Client, make_item: Any, stocked: Any) -> None:
    make_item(coop, sku="BM5", name="Beras Medium 5 kg", unit="karung", price=60_000)
    response = till.post(ADD, {"q": "beras"})
    assert response.status_code == 200  # nothing added: two products match
    page = response.content.decode()
    assert "Beras SPHP 5 kg" in page and "Beras Medium 5 kg" in page
    assert cart_of(till, coop).get("lines", []) == []
    live = till.get(SEARCH, {"q": "beras"}, headers=HX)
    assert live.status_code == 200
    assert live.content.decode().count('name="product"') == 2
    medium = Product.objects.get(sku="BM5")
    assert till.post(ADD, {"product": medium.pk, "qty": "3"}).status_code == 302
    assert cart_of(till, coop)["lines"] == [[medium.pk, 3]]


def test_quantities_plus_minus_remove_and_star_syntax(coop: Any, till: Client, rice: Any, lpg: Any) -> None:
    till.post(ADD, {"q": "3*LPG3"})
    till.post(ADD, {"q": "8991234500015"})
    till.post(ADD, {"q": "8991234500015"})
    assert cart_of(till, coop)["lines"] == [[lpg.pk, 3], [rice.pk, 2]]
    till.post(CART, {f"qty_{lpg.pk}": "5", f"qty_{rice.pk}": "2", "inc": str(rice.pk)})
    assert cart_of(till, coop)["lines"] == [[lpg.pk, 5], [rice.pk, 3]]
    till.post(CART, {f"qty_{lpg.pk}": "5", f"qty_{rice.pk}": "3", "dec": str(lpg.pk)})
    assert cart_of(till, coop)["lines"] == [[lpg.pk, 4], [rice.pk, 3]]
    till.post(CART, {f"qty_{lpg.pk}": "0", f"qty_{rice.pk}": "3"})
    assert cart_of(till, coop)["lines"] == [[rice.pk, 3]]
    till.post(CART, {f"qty_{rice.pk}": "3", "remove": str(rice.pk)})
    assert cart_of(till, coop)["lines"] == []


def test_htmx_posts_answer_with_the_till_partial(coop: Any, till: Client, rice: Any) -> None:
    response = till.post(ADD, {"q": "8991234500015"}, headers=HX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="till">') and "<html" not in html
    assert "Beras SPHP 5 kg" in html and "Rp 65.500" in html
    # A refusal is swapped in too (htmx does not swap 4xx answers).
    refused = till.post(ADD, {"q": "tidak-ada-barang-ini"}, headers=HX)
    assert refused.status_code == 200
    assert "Barang “tidak-ada-barang-ini” tidak ditemukan di katalog." in refused.content.decode()
    key = key_of(html)
    paid = till.post(PAY, {"payment_method": "qris", "payment_reference": "QR-778", "idempotency_key": key}, headers=HX)
    assert paid.status_code == 200
    sale = Sale.objects.get()
    assert (sale.payment_method, sale.payment_reference, sale.total, sale.change) == ("qris", "QR-778", 65_500, 0)
    assert f"Penjualan {sale.sale_no} dicatat" in paid.content.decode()
    assert 'id="selesai"' in paid.content.decode()


# --- one sale for one key ---------------------------------------------------------------------------------
def test_double_submit_with_the_same_key_records_one_sale(coop: Any, till: Client, rice: Any) -> None:
    till.post(ADD, {"q": "8991234500015"})
    key = key_of(till.get(POS).content.decode())
    saved_cart = cart_of(till, coop)
    form = {"payment_method": "tunai", "cash_received": "70.000", "idempotency_key": key}
    assert till.post(PAY, form).status_code == 302
    # The second click arrives after the cart was emptied…
    second = till.post(PAY, form)
    assert second.status_code == 302
    assert flashes(second)[-1] == f"Penjualan {Sale.objects.get().sale_no} sudah tercatat; kiriman ganda diabaikan."
    # …or read the session before the first one emptied it.
    set_cart(till, coop, [tuple(x) for x in saved_cart["lines"]])
    third = till.post(PAY, form)
    assert third.status_code == 302
    assert "sudah tercatat" in flashes(third)[-1]
    assert Sale.objects.count() == 1
    assert StockLevel.objects.get(product=rice, location__code="gerai").qty == 9
    assert cart_of(till, coop)["lines"] == []


def test_stock_shortage_is_shown_and_nothing_is_written(coop: Any, till: Client, rice: Any) -> None:
    set_cart(till, coop, [(rice.pk, 11)])
    page = till.get(POS).content.decode()
    assert "Stok tinggal 10 karung!" in page
    before = snapshot()
    response = till.post(PAY, {"payment_method": "tunai", "cash_received": "", "idempotency_key": key_of(page)})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Stok tidak cukup di Gerai sembako: Beras SPHP 5 kg (tersedia 10 karung)." in html
    assert snapshot() == before
    assert cart_of(till, coop)["lines"] == [[rice.pk, 11]]  # the cart is kept


@pytest.mark.parametrize(
    ("form", "message"),
    [
        (
            {"payment_method": "tunai", "cash_received": "50.000"},
            "Uang diterima Rp 50.000 kurang dari total Rp 65.500.",
        ),
        ({"payment_method": "tunai", "cash_received": "-70.000"}, "Uang diterima tidak boleh negatif."),
        ({"payment_method": "tunai", "cash_received": "70.000,5"}, "Uang diterima harus rupiah bulat tanpa desimal."),
        ({"payment_method": "tunai", "cash_received": "abc"}, "Tulis jumlah dalam rupiah, mis. 1.250.000."),
        ({"payment_method": "tunai", "cash_received": "9" * 29}, "Uang diterima terlalu besar; periksa kembali."),
        ({"payment_method": "transfer", "payment_reference": ""}, "Nomor referensi transfer wajib diisi."),
        ({"payment_method": "kartu"}, "Masukkan pilihan yang valid."),
        ({"payment_method": "qris", "payment_reference": "a\x00b"}, "Karakter null tidak diizinkan."),
    ],
)
def test_bad_payment_is_refused_with_a_message(
    coop: Any, till: Client, rice: Any, form: dict[str, str], message: str
) -> None:
    till.post(ADD, {"q": "8991234500015"})
    before = snapshot()
    response = till.post(PAY, {**form, "idempotency_key": "k1"})
    assert response.status_code in (409, 422)
    assert message in response.content.decode()
    assert snapshot() == before
    assert cart_of(till, coop)["lines"] == [[rice.pk, 1]]


def test_empty_cart_cannot_be_paid(coop: Any, till: Client) -> None:
    response = till.post(PAY, {"payment_method": "tunai", "idempotency_key": "baru"})
    assert response.status_code == 422
    assert "Keranjang masih kosong; pindai barang dahulu." in response.content.decode()
    assert Sale.objects.count() == 0


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("tidak-ada", "Barang “tidak-ada” tidak ditemukan di katalog."),
        ("a\x00b", "Karakter null tidak diizinkan."),
        ("x" * 101, "Pastikan nilai ini mengandung paling banyak 100 karakter"),
        ("0*LPG3", "Jumlah sebelum tanda * harus lebih dari nol."),
        ("99999999999*LPG3", "Jumlah sebelum tanda * harus lebih dari nol."),
    ],
)
def test_odd_scans_are_refused(coop: Any, till: Client, lpg: Any, typed: str, message: str) -> None:
    response = till.post(ADD, {"q": typed})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert cart_of(till, coop).get("lines", []) == []


@pytest.mark.parametrize("value", ["-1", "1.5", "abc", "100000001"])
def test_odd_quantities_are_refused(coop: Any, till: Client, lpg: Any, value: str) -> None:
    till.post(ADD, {"q": "LPG3"})
    response = till.post(CART, {f"qty_{lpg.pk}": value})
    assert response.status_code == 422
    assert cart_of(till, coop)["lines"] == [[lpg.pk, 1]]


def test_another_cooperatives_product_cannot_be_added(
    coop: Any, other_coop: Any, till: Client, make_item: Any, rice: Any
) -> None:
    theirs = make_item(other_coop, sku="LAIN", name="Barang Lamaru", price=10_000, barcode="123456")
    assert till.post(ADD, {"product": theirs.pk}).status_code == 404
    assert till.post(ADD, {"q": "123456"}).status_code == 422  # their barcode is unknown here
    # A product id smuggled into the session cart is ignored on the page and refused by the sale.
    set_cart(till, coop, [(theirs.pk, 1), (rice.pk, 1)])
    page = till.get(POS).content.decode()
    assert "Barang Lamaru" not in page and 'id="cart-total">Rp 65.500<' in page
    response = till.post(PAY, {"payment_method": "tunai", "idempotency_key": "x1"})
    assert response.status_code == 422
    assert Sale.objects.count() == 0


def test_inactive_product_is_not_sold(coop: Any, till: Client, lpg: Any, bendahara: Any) -> None:
    Product.objects.filter(pk=lpg.pk).update(is_active=False)
    response = till.post(ADD, {"product": lpg.pk})
    assert response.status_code == 409
    assert "LPG 3 kg tidak dijual lagi." in response.content.decode()


# --- the buyer ---------------------------------------------------------------------------------------------
def test_buyer_by_member_number_and_by_nik(coop: Any, till: Client, active_member: Any) -> None:
    till.post(BUYER, {"action": "find", "buyer": "1"})
    assert cart_of(till, coop)["member_id"] == active_member.pk
    till.post(BUYER, {"action": "reset"})
    assert cart_of(till, coop)["member_id"] is None
    till.post(BUYER, {"action": "find", "buyer": NIK_MAN})
    assert cart_of(till, coop)["member_id"] == active_member.pk
    # A NIK that is no member's: a non-member buyer with that NIK.
    response = till.post(BUYER, {"action": "find", "buyer": NIK_WOMAN})
    assert cart_of(till, coop)["member_id"] is None and cart_of(till, coop)["guest_nik"] == NIK_WOMAN
    assert flashes(response)[-1] == "NIK ini bukan anggota; dicatat sebagai pembeli umum."


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("KOPERASI:lamaru:00001", "Kartu ini milik anggota koperasi lain (lamaru)."),
        ("KOPERASI:manggar:00099", "Anggota no. 00099 tidak ditemukan."),
        ("KOPERASI:manggar:", "Bukan kode QR kartu anggota koperasi."),
        ("12", "Anggota no. 00012 tidak ditemukan."),
        ("Budi", "Tulis nomor anggota (mis. 00012), NIK 16 angka, atau pindai kartu anggota."),
        ("0", "Tulis nomor anggota (mis. 00012), NIK 16 angka, atau pindai kartu anggota."),
        ("6471049999999999", "NIK tidak valid: tanggal lahir 99-99-99 bukan tanggal yang ada"),
        ("00\x0012", "Karakter null tidak diizinkan."),
    ],
)
def test_unknown_buyer_is_refused(coop: Any, till: Client, active_member: Any, typed: str, message: str) -> None:
    response = till.post(BUYER, {"action": "find", "buyer": typed})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert cart_of(till, coop).get("member_id") is None


def test_non_member_with_name_and_nik(coop: Any, till: Client, rice: Any) -> None:
    till.post(BUYER, {"action": "guest", "name": "Siti", "nik": NIK_WOMAN})
    till.post(ADD, {"q": "8991234500015"})
    page = till.get(POS).content.decode()
    assert f"Bukan anggota · Siti · NIK {NIK_WOMAN}" in page
    till.post(PAY, {"payment_method": "transfer", "payment_reference": "TRF-1", "idempotency_key": key_of(page)})
    sale = Sale.objects.get()
    assert (sale.member, sale.is_member_sale, sale.buyer_name, sale.buyer_nik) == (None, False, "Siti", NIK_WOMAN)
    html = till.get(f"{SALES}{sale.pk}/struk/").content.decode()
    assert 'data-field="buyer">Umum · Siti<' in html and 'data-field="reference">TRF-1<' in html
    assert 'data-field="change"' not in html
    bad = till.post(BUYER, {"action": "guest", "name": "X", "nik": "123"})
    assert bad.status_code == 422 and "NIK harus 16 angka" in bad.content.decode()


# --- sessions ------------------------------------------------------------------------------------------------
def test_open_session_twice_and_odd_floats(coop: Any, kasir: Any, stocked: Any) -> None:
    client = login(kasir)
    for typed, message in [
        ("-5.000", "Modal awal kas tidak boleh negatif."),
        ("1,5", "Modal awal kas harus rupiah bulat tanpa desimal."),
        ("", "Bidang ini tidak boleh kosong."),
    ]:
        response = client.post(OPEN, {"opening_float": typed})
        assert response.status_code == 422
        assert message in response.content.decode()
    assert CashierSession.objects.count() == 0
    assert client.post(OPEN, {"opening_float": "0"}).status_code == 302
    again = client.post(OPEN, {"opening_float": "0"})
    assert again.status_code == 302  # a second click: back to the till that is already open
    assert flashes(again)[-1] == "Anda masih memiliki sesi kasir yang terbuka; tutup dahulu."
    assert CashierSession.objects.count() == 1


def test_bendahara_closes_a_kasirs_session_another_kasir_may_not(
    coop: Any, kasir: Any, bendahara: Any, grant: Any, stocked: Any
) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=20_000, actor=kasir)
    url = f"{POS}{session.pk}/tutup/"
    other = grant(coop, Role.KASIR, "kasir-dua")
    assert login(other).get(url).status_code == 403
    assert login(other).post(url, {"counted_cash": "20.000"}).status_code == 403
    response = login(bendahara).post(url, {"counted_cash": "20.000"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.variance, session.journal_entry) == ("closed", 0, None)
    entries = JournalEntry.objects.count()
    again = login(bendahara).post(url, {"counted_cash": "10.000"})
    assert again.status_code == 200  # a closed session shows its result; nothing is posted again
    assert 'id="selisih" class="">cocok<' in again.content.decode()
    assert JournalEntry.objects.count() == entries
    session.refresh_from_db()
    assert session.counted_cash == 20_000


def test_pengawas_reads_a_closed_sessions_result_but_cannot_close_one(
    coop: Any, kasir: Any, bendahara: Any, pengawas: Any, grant: Any
) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=10_000, actor=kasir)
    url = f"{POS}{session.pk}/tutup/"
    assert login(pengawas).get(url).status_code == 403
    assert login(pengawas).post(url, {"counted_cash": "10.000"}).status_code == 403
    services.cashier_session_close(cooperative=coop, session=session, counted_cash=12_000, actor=kasir)
    page = login(pengawas).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="dihitung">Rp 12.000<' in html and 'id="selisih" class="variance-pos">lebih Rp 2.000<' in html
    assert f'href="/k/manggar/buku/jurnal/{CashierSession.objects.get().journal_entry_id}/"' in html
    assert login(grant(coop, Role.KASIR, "kasir-dua")).get(url).status_code == 403  # another kasir's session


def test_sessions_list_all_for_officers_own_for_kasir(coop: Any, kasir: Any, bendahara: Any, grant: Any) -> None:
    mine = services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    other = grant(coop, Role.KASIR, "kasir-dua")
    theirs = services.cashier_session_open(cooperative=coop, opening_float=0, actor=other)
    page = login(kasir).get(SESSIONS).content.decode()
    assert f'id="sesi-{mine.pk}"' in page and f'id="sesi-{theirs.pk}"' not in page
    page = login(bendahara).get(SESSIONS).content.decode()
    assert f'id="sesi-{mine.pk}"' in page and f'id="sesi-{theirs.pk}"' in page


def test_sale_after_the_session_was_closed_elsewhere(coop: Any, till: Client, rice: Any, bendahara: Any) -> None:
    till.post(ADD, {"q": "8991234500015"})
    key = key_of(till.get(POS).content.decode())
    session = CashierSession.objects.get()
    services.cashier_session_close(cooperative=coop, session=session, counted_cash=100_000, actor=bendahara)
    response = till.post(PAY, {"payment_method": "tunai", "idempotency_key": key})
    assert response.status_code == 302 and response["Location"] == POS
    assert flashes(response) == ["Sesi kasir Anda sudah ditutup; buka sesi baru."]
    htmx = till.post(PAY, {"payment_method": "tunai", "idempotency_key": key}, headers=HX)
    assert htmx.status_code == 200 and htmx["HX-Redirect"] == POS
    assert Sale.objects.count() == 0
    assert 'id="buka-sesi"' in till.get(POS).content.decode()


# --- sales, receipts -----------------------------------------------------------------------------------------
def test_sales_list_and_detail(coop: Any, kasir: Any, pengawas: Any, sold: Sale) -> None:
    page = login(pengawas).get(SALES)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="nota-{sold.pk}"' in html
    assert 'id="jumlah-penjualan">Rp 146.700<' in html and 'id="cara-tunai">Rp 146.700<' in html
    assert 'id="cara-qris">Rp 0<' in html
    empty = login(pengawas).get(SALES, {"start": "2020-01-01", "end": "2020-01-31"}).content.decode()
    assert f'id="nota-{sold.pk}"' not in empty and 'id="jumlah-nota">0<' in empty
    odd = login(pengawas).get(SALES, {"start": "kemarin", "q": "a\x00"})
    assert odd.status_code == 200
    partial = login(pengawas).get(SALES, headers=HX).content.decode()
    assert partial.lstrip().startswith('<section id="results">')
    detail = login(pengawas).get(f"{SALES}{sold.pk}/")
    assert detail.status_code == 200
    html = detail.content.decode()
    assert 'id="total">Rp 146.700<' in html and "00001 Budi Santoso" in html
    assert f'href="/k/manggar/buku/jurnal/{sold.journal_entry_id}/"' in html  # pengawas may read the ledger
    assert f'href="/k/manggar/gerai/penjualan/{sold.pk}/retur/"' not in html  # pengawas cannot ask a return
    kasir_html = login(kasir).get(f"{SALES}{sold.pk}/").content.decode()
    assert f'href="/k/manggar/gerai/penjualan/{sold.pk}/retur/"' in kasir_html
    assert "/buku/jurnal/" not in kasir_html  # a kasir does not read the ledger


def test_receipt_pdf(coop: Any, kasir: Any, sold: Sale) -> None:
    response = login(kasir).get(f"{SALES}{sold.pk}/struk.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="struk-manggar-{sold.sale_no}.pdf"'
    assert response.content.startswith(b"%PDF")


def test_receipt_pdf_is_one_strip_58mm_wide_however_long(coop: Any, kasir: Any, stocked: Any, make_item: Any) -> None:
    from django.utils import timezone
    from weasyprint import HTML

    from koperasi.ledger.exports import kelurahan_line
    from koperasi.shop import selectors
    from koperasi.shop.receipts import receipt_build, receipt_height_mm

    items = [
        make_item(coop, sku=f"P{i}", name=f"Barang nomor {i} dengan nama yang agak panjang sekali", price=1_000)
        for i in range(25)
    ]
    supplier = services.supplier_create(cooperative=coop, name="Toko", actor=kasir)
    services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=timezone.localdate(),
        lines=[services.PurchaseLineInput(p, 5, 500) for p in items],
        actor=kasir,
    )
    services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    sale = services.sale_create(
        cooperative=coop,
        date=timezone.localdate(),
        lines=[services.SaleLineInput(p, 1) for p in items],
        actor=kasir,
    )
    sale = selectors.sale_get(cooperative=coop, sale_id=sale.pk)
    from django.template.loader import render_to_string

    receipt = receipt_build(sale)
    context = {"coop": coop, "kelurahan_line": kelurahan_line(coop), "printed_at": timezone.localtime()}
    context.update(sale=sale, receipt=receipt, page_width_mm=58, page_height_mm=receipt_height_mm(receipt))
    document = HTML(string=render_to_string("shop/receipt_pdf.html", context)).render()
    assert len(document.pages) == 1
    width_mm = document.pages[0].width / 96 * 25.4
    assert round(width_mm) == 58
    response = login(kasir).get(f"{SALES}{sale.pk}/struk.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


# --- returns --------------------------------------------------------------------------------------------------
def test_return_requested_by_kasir_and_approved_by_bendahara(
    coop: Any, kasir: Any, bendahara: Any, sold: Sale, rice: Any
) -> None:
    rice_line = sold.lines.get(product=rice)
    url = f"{SALES}{sold.pk}/retur/"
    assert login(kasir).get(url).status_code == 200
    response = login(kasir).post(url, {"kind": "return", f"qty_{rice_line.pk}": "1", "reason": "karung sobek"})
    assert response.status_code == 302 and response["Location"] == f"{SALES}{sold.pk}/"
    request = SaleReturn.objects.get()
    assert (request.status, request.amount, request.requested_by) == ("pending", 65_500, kasir)
    assert flashes(response) == [
        f"Permintaan retur barang Rp 65.500 untuk nota {sold.sale_no} dicatat; menunggu persetujuan."
    ]

    # The kasir sees it waiting but may not decide.
    page = login(kasir).get(RETURNS).content.decode()
    assert f'id="retur-{request.pk}"' in page and "/putuskan/" not in page
    decide = f"{RETURNS}{request.pk}/putuskan/"
    assert login(kasir).post(decide, {"decision": "approve"}).status_code == 403

    # A rejection needs a note.
    refused = login(bendahara).post(decide, {"decision": "reject", "note": ""})
    assert refused.status_code == 422
    assert "Catatan wajib diisi." in refused.content.decode()
    assert SaleReturn.objects.get().status == "pending"

    stock_before = StockLevel.objects.get(product=rice, location__code="gerai").qty
    response = login(bendahara).post(decide, {"decision": "approve", "note": ""})
    assert response.status_code == 302 and response["Location"] == RETURNS
    request.refresh_from_db()
    sold.refresh_from_db()
    assert request.status == "approved" and request.decided_by == bendahara and request.journal_entry_id
    assert sold.total_returned == 65_500 and sold.status == "completed"
    assert StockLevel.objects.get(product=rice, location__code="gerai").qty == stock_before + 1
    page = login(bendahara).get(RETURNS).content.decode()
    assert f'id="keputusan-{request.pk}"' in page and 'id="tidak-ada-retur"' in page
    receipt = login(kasir).get(f"{SALES}{sold.pk}/struk/").content.decode()
    assert 'data-field="returned">-Rp 65.500<' in receipt


def test_requester_cannot_approve_own_void(coop: Any, bendahara: Any, ketua: Any, sold: Sale) -> None:
    url = f"{SALES}{sold.pk}/retur/"
    assert login(bendahara).post(url, {"kind": "void", "reason": "salah input"}).status_code == 302
    request = SaleReturn.objects.get()
    assert request.amount == 146_700
    before = snapshot()
    response = login(bendahara).post(f"{RETURNS}{request.pk}/putuskan/", {"decision": "approve"})
    assert response.status_code == 403
    assert "Retur harus disetujui orang lain, bukan yang memintanya." in response.content.decode()
    assert snapshot() == before
    # The ketua approves: the whole sale is voided.
    assert login(ketua).post(f"{RETURNS}{request.pk}/putuskan/", {"decision": "approve"}).status_code == 302
    sold.refresh_from_db()
    assert (sold.status, sold.total_returned) == ("voided", 146_700)
    html = login(ketua).get(f"{SALES}{sold.pk}/struk/").content.decode()
    assert 'data-field="voided"' in html


def test_return_request_odd_input(coop: Any, kasir: Any, sold: Sale, rice: Any) -> None:
    rice_line = sold.lines.get(product=rice)
    url = f"{SALES}{sold.pk}/retur/"
    before = snapshot()
    for form, message in [
        ({"kind": "return", f"qty_{rice_line.pk}": "3", "reason": "x"}, "Paling banyak 2 yang belum diretur."),
        ({"kind": "return", "reason": "x"}, "Isi jumlah barang yang diretur."),
        ({"kind": "return", f"qty_{rice_line.pk}": "-1", "reason": "x"}, "Jumlah tidak boleh negatif."),
        ({"kind": "return", f"qty_{rice_line.pk}": "1", "reason": ""}, "Bidang ini tidak boleh kosong."),
        ({"kind": "hapus", "reason": "x"}, "Masukkan pilihan yang valid."),
    ]:
        response = login(kasir).post(url, form)
        assert response.status_code == 422, form
        assert message in response.content.decode(), form
    assert snapshot() == before
    login(kasir).post(url, {"kind": "void", "reason": "salah"})
    second = login(kasir).post(url, {"kind": "void", "reason": "lagi"})
    assert second.status_code == 409
    assert "masih punya permintaan retur yang menunggu persetujuan" in second.content.decode()


# --- permissions ----------------------------------------------------------------------------------------------
def _pages(sale: Sale, session: CashierSession, ret: SaleReturn | None = None) -> dict[str, str]:
    pages = {
        "pos": POS,
        "search": SEARCH + "?q=beras",
        "sessions": SESSIONS,
        "close": f"{POS}{session.pk}/tutup/",
        "sales": SALES,
        "detail": f"{SALES}{sale.pk}/",
        "receipt": f"{SALES}{sale.pk}/struk/",
        "pdf": f"{SALES}{sale.pk}/struk.pdf",
        "return": f"{SALES}{sale.pk}/retur/",
        "returns": RETURNS,
    }
    return pages


def test_anggota_and_dinas_are_refused(coop: Any, grant: Any, dinas_user: Any, sold: Sale) -> None:
    anggota = grant(coop, Role.ANGGOTA)
    for user in (anggota, dinas_user):
        client = login(user)
        for name, url in _pages(sold, sold.session).items():
            assert client.get(url).status_code == 403, (user.username, name)
        for url in (OPEN, ADD, CART, BUYER, PAY, f"{SALES}{sold.pk}/retur/"):
            assert client.post(url, {"q": "LPG3", "opening_float": "0"}).status_code == 403, url
    assert CashierSession.objects.count() == 1 and Sale.objects.count() == 1


def test_another_cooperatives_user_gets_404(coop: Any, other_coop: Any, grant: Any, sold: Sale) -> None:
    outsider = grant(other_coop, Role.KASIR, "kasir-lamaru")
    client = login(outsider)
    for name, url in _pages(sold, sold.session).items():
        assert client.get(url).status_code == 404, name
    for url in (OPEN, ADD, PAY, f"{RETURNS}1/putuskan/"):
        assert client.post(url, {"opening_float": "0"}).status_code == 404, url
    # Their own cooperative's pages with our ids: not found either.
    other_ketua = grant(other_coop, Role.BENDAHARA, "bendahara-lamaru")
    theirs = login(other_ketua)
    assert theirs.get(f"/k/lamaru/gerai/penjualan/{sold.pk}/").status_code == 404
    assert theirs.get(f"/k/lamaru/gerai/penjualan/{sold.pk}/struk.pdf").status_code == 404
    assert theirs.get(f"/k/lamaru/gerai/kasir/{sold.session_id}/tutup/").status_code == 404
    assert CashierSession.objects.count() == 1


def test_pengawas_reads_but_cannot_sell_or_decide(coop: Any, pengawas: Any, kasir: Any, sold: Sale) -> None:
    ret = services.sale_return_request(
        cooperative=coop, sale=sold, kind="void", reason="salah", date=sold.date, actor=kasir
    )
    client = login(pengawas)
    for url in (SALES, f"{SALES}{sold.pk}/", f"{SALES}{sold.pk}/struk/", RETURNS, SESSIONS):
        assert client.get(url).status_code == 200, url
    for url in (POS, f"{SALES}{sold.pk}/retur/"):
        assert client.get(url).status_code == 403, url
    before = snapshot()
    for url in (OPEN, ADD, CART, BUYER, PAY, f"{RETURNS}{ret.pk}/putuskan/"):
        assert client.post(url, {"opening_float": "0", "decision": "approve"}).status_code == 403, url
    assert snapshot() == before
    assert "/putuskan/" not in client.get(RETURNS).content.decode()


def test_anonymous_is_sent_to_login(sold: Sale) -> None:
    response = Client().get(POS)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


def test_url_names_the_back_office_links_to(coop: Any) -> None:
    assert reverse("shop:pos", args=["manggar"]) == POS
    assert reverse("shop:session_open", args=["manggar"]) == OPEN
    assert reverse("shop:session_close", args=["manggar", 7]) == POS + "7/tutup/"
    assert reverse("shop:sessions", args=["manggar"]) == SESSIONS
    assert reverse("shop:sales", args=["manggar"]) == SALES
    assert reverse("shop:sale_detail", args=["manggar", 3]) == SALES + "3/"
    assert reverse("shop:receipt", args=["manggar", 3]) == SALES + "3/struk/"
    assert reverse("shop:receipt_pdf", args=["manggar", 3]) == SALES + "3/struk.pdf"
    assert reverse("shop:returns", args=["manggar"]) == RETURNS
    assert reverse("shop:return_request", args=["manggar", 3]) == SALES + "3/retur/"
    assert reverse("shop:return_decide", args=["manggar", 4]) == RETURNS + "4/putuskan/"


# --- queries -----------------------------------------------------------------------------------------------------
def test_till_page_queries_do_not_grow_with_the_cart(
    coop: Any, till: Client, rice: Any, lpg: Any, oil: Any, active_member: Any, django_assert_max_num_queries: Any
) -> None:
    set_cart(till, coop, [(rice.pk, 1)], member_id=active_member.pk)
    with django_assert_max_num_queries(14):
        assert till.get(POS).status_code == 200
    set_cart(till, coop, [(rice.pk, 2), (lpg.pk, 3), (oil.pk, 4)], member_id=active_member.pk)
    with django_assert_max_num_queries(14):
        page = till.get(POS)
    assert 'id="cart-total">Rp 250.800<' in page.content.decode()  # 131.000 + 57.000 + 62.800
    with django_assert_max_num_queries(12):
        assert till.get(SEARCH, {"q": "a"}).status_code == 200


def test_sales_list_queries_do_not_grow_with_sales(
    coop: Any, kasir: Any, sold: Sale, rice: Any, django_assert_max_num_queries: Any
) -> None:
    from django.utils import timezone

    for _ in range(5):
        services.sale_create(
            cooperative=coop, date=timezone.localdate(), lines=[services.SaleLineInput(rice, 1)], actor=kasir
        )
    services.sale_return_request(cooperative=coop, sale=sold, kind="void", reason="salah", date=sold.date, actor=kasir)
    client = login(kasir)
    with django_assert_max_num_queries(10):
        assert client.get(SALES).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(SESSIONS).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(RETURNS).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(f"{SALES}{sold.pk}/").status_code == 200


def test_huge_ids_in_urls_are_not_found(coop: Any, kasir: Any, bendahara: Any, sold: Sale) -> None:
    huge = "9" * 25
    for url in (f"{SALES}{huge}/", f"{SALES}{huge}/struk/", f"{SALES}{huge}/struk.pdf", f"{POS}{huge}/tutup/"):
        assert login(kasir).get(url).status_code == 404, url
    assert login(bendahara).post(f"{RETURNS}{huge}/putuskan/", {"decision": "approve"}).status_code == 404
    assert login(kasir).post(ADD, {"product": huge}).status_code == 422
