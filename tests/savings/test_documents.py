"""Savings documents: terbilang, the receipt (page and A6 PDF), the passbook (A4 PDF), and who sees whose."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client

from koperasi.members.services import member_portal_account_create
from koperasi.savings import documents
from koperasi.savings.documents import passbook_get, terbilang, terbilang_words
from koperasi.savings.models import SavingsAccount, SavingsTransaction
from koperasi.savings.services import member_exit, savings_deposit, savings_withdraw
from tests.conftest import NIK_WOMAN

D = datetime.date
PASSWORD = "Rahasia-Uji-2026!"


# --- Terbilang (pure) ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "nol rupiah"),
        (1, "satu rupiah"),
        (10, "sepuluh rupiah"),
        (11, "sebelas rupiah"),
        (12, "dua belas rupiah"),
        (19, "sembilan belas rupiah"),
        (20, "dua puluh rupiah"),
        (21, "dua puluh satu rupiah"),
        (100, "seratus rupiah"),
        (101, "seratus satu rupiah"),
        (111, "seratus sebelas rupiah"),
        (999, "sembilan ratus sembilan puluh sembilan rupiah"),
        (1000, "seribu rupiah"),
        (1001, "seribu satu rupiah"),
        (1100, "seribu seratus rupiah"),
        (2000, "dua ribu rupiah"),
        (11_000, "sebelas ribu rupiah"),
        (101_000, "seratus satu ribu rupiah"),
        (170_000, "seratus tujuh puluh ribu rupiah"),
        (200_001, "dua ratus ribu satu rupiah"),
        (1_000_000, "satu juta rupiah"),
        (1_001_000, "satu juta seribu rupiah"),
        (1_250_500, "satu juta dua ratus lima puluh ribu lima ratus rupiah"),
        (12_345_678, "dua belas juta tiga ratus empat puluh lima ribu enam ratus tujuh puluh delapan rupiah"),
        (100_000_000, "seratus juta rupiah"),
        (1_000_000_000, "satu miliar rupiah"),
        (2_000_000_000_000, "dua triliun rupiah"),
        (1_000_000_000_000_000, "satu kuadriliun rupiah"),
    ],
)
def test_terbilang(amount: int, words: str) -> None:
    assert terbilang(amount) == words


def test_terbilang_refuses_what_is_not_whole_rupiah() -> None:
    assert terbilang_words(-5) == "minus lima"
    with pytest.raises(TypeError):
        terbilang(1.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        terbilang(True)
    with pytest.raises(ValueError):
        terbilang(10**21)
    assert terbilang(10**21 - 1).startswith("sembilan ratus sembilan puluh sembilan kuintiliun")


# --- Fixtures -----------------------------------------------------------------------------------
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


@pytest.fixture
def sukarela(coop: Any, active_member: Any, kasir: Any) -> list[SavingsTransaction]:
    """Budi's sukarela: +170.000 by transfer, −20.000 cash, +5.000 cash, −100.000 cash (balance 55.000)."""
    kasir.first_name, kasir.last_name = "Kasih", "Kasir"
    kasir.save()
    kwargs = {"cooperative": coop, "member": active_member, "kind": "sukarela", "actor": kasir}
    return [
        savings_deposit(amount=170_000, date=D(2026, 2, 1), channel="transfer", reference="TRX123", **kwargs),
        savings_withdraw(amount=20_000, date=D(2026, 2, 10), **kwargs),
        savings_deposit(amount=5_000, date=D(2026, 3, 1), **kwargs),
        savings_withdraw(amount=100_000, date=D(2026, 4, 2), **kwargs),
    ]


@pytest.fixture
def portal_user(coop: Any, active_member: Any, ketua: Any) -> Any:
    return member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password=PASSWORD, actor=ketua
    )


@pytest.fixture
def siti(coop: Any, register_member: Any, kasir: Any) -> Any:
    """Member no. 2, pokok paid: her pokok deposit is another member's transaction."""
    member = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 6), actor=kasir)
    member.refresh_from_db()
    return member


@pytest.fixture
def lamaru_txn(other_coop: Any, register_member: Any, admin_user: Any) -> SavingsTransaction:
    member = register_member(other_coop, name="Andi Lamaru")
    return savings_deposit(
        cooperative=other_coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 7), actor=admin_user
    )


def text(fragment: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", fragment).strip()


def field(html: str, name: str) -> str:
    match = re.search(rf'data-field="{name}"[^>]*>(.*?)</', html, re.S)
    assert match is not None, name
    return text(match.group(1))


def receipt_url(txn: SavingsTransaction, code: str = "manggar") -> str:
    return f"/k/{code}/simpanan/transaksi/{txn.pk}/"


# --- Receipt ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_receipt_page_of_a_transfer_deposit(
    sukarela: list[SavingsTransaction], kasir: Any, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    txn = sukarela[0]
    client = client_as(kasir)
    with django_assert_max_num_queries(10):
        response = client.get(receipt_url(txn))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="coop">KKMP Manggar</p>' in html
    assert "Kel. Manggar, Kec. Balikpapan Timur" in html
    assert "BUKTI SETORAN SIMPANAN" in html
    assert field(html, "number") == txn.journal_entry.number
    assert field(html, "date") == "01/02/2026"
    assert field(html, "member-no") == "00001"
    assert field(html, "member-name") == "Budi Santoso"
    assert field(html, "kind") == "Simpanan sukarela"
    assert field(html, "type") == "Setoran"
    assert field(html, "channel") == "Transfer bank (ref. TRX123)"
    assert field(html, "amount") == "Rp 170.000"
    assert field(html, "words") == "Seratus tujuh puluh ribu rupiah"
    assert field(html, "balance") == "Rp 170.000"
    assert field(html, "teller") == "Kasih Kasir"
    assert "Penyetor" in html and "Penerima" in html
    assert 'data-sign="member">( Budi Santoso )' in html
    assert 'data-sign="teller">( Kasih Kasir )' in html
    # Prints on a 58 mm roll; links to the A6 PDF and the passbook.
    assert "@media print" in html and "width: 48mm" in html
    assert f'href="/k/manggar/simpanan/transaksi/{txn.pk}/bukti.pdf"' in html
    assert f'href="/k/manggar/simpanan/anggota/{txn.member_id}/buku/sukarela.pdf"' in html


@pytest.mark.django_db
def test_receipt_of_a_withdrawal(sukarela: list[SavingsTransaction], kasir: Any, client_as: Any) -> None:
    txn = sukarela[1]
    html = client_as(kasir).get(receipt_url(txn)).content.decode()

    assert "BUKTI PENARIKAN SIMPANAN" in html
    assert field(html, "type") == "Penarikan"
    assert field(html, "channel") == "Tunai"
    assert field(html, "amount") == "Rp 20.000"
    assert field(html, "words") == "Dua puluh ribu rupiah"
    assert field(html, "balance") == "Rp 150.000"
    assert "Yang menyerahkan" in html


@pytest.mark.django_db
def test_receipt_of_an_exit_refund(coop: Any, active_member: Any, ketua: Any, client_as: Any) -> None:
    _, refund = member_exit(
        cooperative=coop, member=active_member, status="keluar", date=D(2026, 5, 1), reason="Pindah", actor=ketua
    )
    assert refund is not None
    html = client_as(ketua).get(receipt_url(refund)).content.decode()

    assert "BUKTI PENGEMBALIAN SIMPANAN" in html
    assert field(html, "type") == "Pengembalian (keluar)"
    assert field(html, "amount") == "Rp 50.000"
    assert field(html, "words") == "Lima puluh ribu rupiah"
    assert field(html, "balance") == "Rp 0"


@pytest.mark.django_db
def test_receipt_pdf(sukarela: list[SavingsTransaction], kasir: Any, client_as: Any) -> None:
    txn = sukarela[0]
    response = client_as(kasir).get(receipt_url(txn) + "bukti.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="bukti-manggar-{txn.journal_entry.number}.pdf"'
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_receipt_pdf_is_a6_with_the_same_body(
    sukarela: list[SavingsTransaction], kasir: Any, client_as: Any, pdf_html: dict[str, str]
) -> None:
    client_as(kasir).get(receipt_url(sukarela[0]) + "bukti.pdf")
    html = pdf_html["html"]

    assert "size: A6 portrait" in html
    assert field(html, "amount") == "Rp 170.000"
    assert field(html, "words") == "Seratus tujuh puluh ribu rupiah"
    assert "<header" not in html and "<nav" not in html  # the document alone
    assert not re.search(r'(src|href)="(?!data:)', html)


@pytest.mark.django_db
def test_receipt_for_the_member_and_nobody_else(
    sukarela: list[SavingsTransaction],
    siti: Any,
    portal_user: Any,
    client_as: Any,
    pdf_html: dict[str, str],
) -> None:
    client = client_as(portal_user)
    own = client.get(receipt_url(sukarela[0]))
    assert own.status_code == 200 and field(own.content.decode(), "amount") == "Rp 170.000"
    assert client.get(receipt_url(sukarela[0]) + "bukti.pdf").status_code == 200

    siti_pokok = SavingsTransaction.objects.get(member=siti)
    assert client.get(receipt_url(siti_pokok)).status_code == 404
    assert client.get(receipt_url(siti_pokok) + "bukti.pdf").status_code == 404
    assert client.get("/k/manggar/simpanan/transaksi/999999/").status_code == 404


@pytest.mark.django_db
def test_receipt_of_another_cooperative(
    sukarela: list[SavingsTransaction],
    lamaru_txn: SavingsTransaction,
    kasir: Any,
    other_ketua: Any,
    client_as: Any,
    pdf_html: dict[str, str],
) -> None:
    # Lamaru's transaction through Manggar's URL.
    assert client_as(kasir).get(receipt_url(lamaru_txn)).status_code == 404
    assert client_as(kasir).get(receipt_url(lamaru_txn) + "bukti.pdf").status_code == 404
    # Manggar's transaction by Lamaru's ketua (no role in Manggar), under either code.
    assert client_as(other_ketua).get(receipt_url(sukarela[0])).status_code == 404
    assert client_as(other_ketua).get(receipt_url(sukarela[0], "lamaru")).status_code == 404
    assert pdf_html == {}


@pytest.mark.django_db
def test_receipt_refused_to_dinas(sukarela: list[SavingsTransaction], dinas_user: Any, client_as: Any) -> None:
    assert client_as(dinas_user).get(receipt_url(sukarela[0])).status_code == 403
    assert client_as(dinas_user).get(receipt_url(sukarela[0]) + "bukti.pdf").status_code == 403


# --- Passbook -----------------------------------------------------------------------------------
def rows(book: Any) -> list[tuple[Any, ...]]:
    return [(r.date, r.debit, r.credit, r.balance) for r in book.rows]


@pytest.mark.django_db
def test_passbook_rows_and_final_balance(
    coop: Any, active_member: Any, sukarela: list[SavingsTransaction], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(1):
        book = passbook_get(cooperative=coop, member=active_member, kind="sukarela")

    assert book.opening_balance is None
    assert rows(book) == [
        (D(2026, 2, 1), 0, 170_000, 170_000),
        (D(2026, 2, 10), 20_000, 0, 150_000),
        (D(2026, 3, 1), 0, 5_000, 155_000),
        (D(2026, 4, 2), 100_000, 0, 55_000),
    ]
    assert [r.number for r in book.rows] == [t.journal_entry.number for t in sukarela]
    assert [r.balance for r in book.rows] == [r.balance_after for r in book.rows]
    assert [r.description for r in book.rows] == [
        "Setoran · Transfer bank (ref. TRX123)",
        "Penarikan · Tunai",
        "Setoran · Tunai",
        "Penarikan · Tunai",
    ]
    assert (book.total_debit, book.total_credit, book.closing_balance) == (120_000, 175_000, 55_000)
    assert book.closing_balance == SavingsAccount.objects.get(member=active_member, kind="sukarela").balance


@pytest.mark.django_db
def test_passbook_period_has_an_opening_balance(
    coop: Any, active_member: Any, sukarela: list[SavingsTransaction], django_assert_num_queries: Any
) -> None:
    with django_assert_num_queries(2):
        book = passbook_get(
            cooperative=coop, member=active_member, kind="sukarela", date_from=D(2026, 2, 5), date_to=D(2026, 3, 31)
        )

    assert book.opening_balance == 170_000
    assert rows(book) == [(D(2026, 2, 10), 20_000, 0, 150_000), (D(2026, 3, 1), 0, 5_000, 155_000)]
    assert (book.total_debit, book.total_credit, book.closing_balance) == (20_000, 5_000, 155_000)

    empty = passbook_get(cooperative=coop, member=active_member, kind="sukarela", date_from=D(2026, 5, 1))
    assert (empty.opening_balance, empty.rows, empty.closing_balance) == (55_000, [], 55_000)
    before = passbook_get(cooperative=coop, member=active_member, kind="sukarela", date_from=D(2025, 1, 1))
    assert before.opening_balance == 0 and len(before.rows) == 4


@pytest.mark.django_db
def test_passbook_backdated_entry_sits_on_its_date(
    coop: Any, active_member: Any, sukarela: list[SavingsTransaction], kasir: Any
) -> None:
    """A deposit recorded last but dated 15 Feb: the running balance follows the dates."""
    late = savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=1_000, date=D(2026, 2, 15), actor=kasir
    )
    assert late.balance_after == 56_000  # the balance when it was recorded, as on its receipt

    book = passbook_get(cooperative=coop, member=active_member, kind="sukarela")
    assert rows(book) == [
        (D(2026, 2, 1), 0, 170_000, 170_000),
        (D(2026, 2, 10), 20_000, 0, 150_000),
        (D(2026, 2, 15), 0, 1_000, 151_000),
        (D(2026, 3, 1), 0, 5_000, 156_000),
        (D(2026, 4, 2), 100_000, 0, 56_000),
    ]
    assert book.closing_balance == 56_000


@pytest.mark.django_db
def test_passbook_keeps_the_latest_rows(
    coop: Any, active_member: Any, sukarela: list[SavingsTransaction], monkeypatch: Any
) -> None:
    monkeypatch.setattr(documents, "PASSBOOK_MAX_ROWS", 2)
    book = passbook_get(cooperative=coop, member=active_member, kind="sukarela")

    assert book.rows_omitted == 2
    assert book.opening_balance == 150_000
    assert rows(book) == [(D(2026, 3, 1), 0, 5_000, 155_000), (D(2026, 4, 2), 100_000, 0, 55_000)]
    assert book.closing_balance == 55_000


def passbook_url(member: Any, kind: str, code: str = "manggar") -> str:
    return f"/k/{code}/simpanan/anggota/{member.pk}/buku/{kind}.pdf"


def body_rows(html: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    assert body is not None
    return [
        [text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


@pytest.mark.django_db
def test_passbook_pdf(active_member: Any, sukarela: list[SavingsTransaction], kasir: Any, client_as: Any) -> None:
    response = client_as(kasir).get(passbook_url(active_member, "sukarela"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="buku-simpanan-sukarela-manggar-00001.pdf"'
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_passbook_html_rows(
    active_member: Any,
    sukarela: list[SavingsTransaction],
    kasir: Any,
    client_as: Any,
    pdf_html: dict[str, str],
) -> None:
    response = client_as(kasir).get(passbook_url(active_member, "sukarela"), {"from": "2026-02-05", "to": "2026-03-31"})

    assert response.status_code == 200
    html = pdf_html["html"]
    assert "size: A4 portrait" in html
    assert "Buku simpanan · Simpanan sukarela" in html
    assert field(html, "name") == "Budi Santoso"
    assert field(html, "period") == "05/02/2026 – 31/03/2026"
    numbers = [t.journal_entry.number for t in sukarela]
    assert body_rows(html) == [
        ["05/02/2026", "", "Saldo awal", "", "", "Rp 170.000"],
        ["10/02/2026", numbers[1], "Penarikan · Tunai", "Rp 20.000", "", "Rp 150.000"],
        ["01/03/2026", numbers[2], "Setoran · Tunai", "", "Rp 5.000", "Rp 155.000"],
    ]
    assert field(html, "closing") == "Rp 155.000"
    assert field(html, "closing-text") == "Rp 155.000"


@pytest.mark.django_db
def test_passbook_of_pokok(active_member: Any, kasir: Any, client_as: Any, pdf_html: dict[str, str]) -> None:
    response = client_as(kasir).get(passbook_url(active_member, "pokok"))

    assert response.status_code == 200
    assert body_rows(pdf_html["html"])[0][2:] == ["Setoran · Tunai", "", "Rp 50.000", "Rp 50.000"]
    assert field(pdf_html["html"], "closing") == "Rp 50.000"
    pdf_html.clear()
    client_as(kasir).get(passbook_url(active_member, "wajib"))
    assert body_rows(pdf_html["html"]) == [["Tidak ada transaksi pada periode ini."]]
    assert field(pdf_html["html"], "closing") == "Rp 0"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["bunga", "POKOK", "semua", "pokok-x"])
def test_passbook_unknown_kind_is_not_found(
    active_member: Any, kasir: Any, client_as: Any, kind: str, pdf_html: dict[str, str]
) -> None:
    assert client_as(kasir).get(passbook_url(active_member, kind)).status_code == 404
    assert pdf_html == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2026-13-01"}, "Tanggal tidak valid: '2026-13-01'"),
        ({"to": "kemarin"}, "Tanggal tidak valid: 'kemarin'"),
        ({"from": "2026-03-01", "to": "2026-02-01"}, "Tanggal awal tidak boleh setelah tanggal akhir."),
        ({"from": "0001-01-01"}, "Tanggal harus antara tahun 1900 dan 2999."),
    ],
)
def test_passbook_bad_dates(
    active_member: Any, kasir: Any, client_as: Any, params: dict[str, str], message: str, pdf_html: dict[str, str]
) -> None:
    response = client_as(kasir).get(passbook_url(active_member, "sukarela"), params)

    assert response.status_code == 422
    assert message in response.content.decode()
    assert pdf_html == {}


@pytest.mark.django_db
def test_passbook_for_the_member_and_nobody_else(
    active_member: Any,
    siti: Any,
    portal_user: Any,
    dinas_user: Any,
    other_ketua: Any,
    other_coop: Any,
    register_member: Any,
    kasir: Any,
    client_as: Any,
    pdf_html: dict[str, str],
) -> None:
    client = client_as(portal_user)
    assert client.get(passbook_url(active_member, "pokok")).status_code == 200
    pdf_html.clear()
    assert client.get(passbook_url(siti, "pokok")).status_code == 404
    assert client_as(dinas_user).get(passbook_url(active_member, "pokok")).status_code == 403
    assert client_as(other_ketua).get(passbook_url(active_member, "pokok")).status_code == 404
    lamaru_member = register_member(other_coop, name="Andi Lamaru")
    assert client_as(kasir).get(passbook_url(lamaru_member, "pokok")).status_code == 404
    assert pdf_html == {}


@pytest.mark.django_db
def test_passbook_queries_do_not_grow_per_row(
    coop: Any,
    active_member: Any,
    kasir: Any,
    client_as: Any,
    pdf_html: dict[str, str],
    django_assert_max_num_queries: Any,
) -> None:
    for day in range(1, 29):
        savings_deposit(
            cooperative=coop,
            member=active_member,
            kind="sukarela",
            amount=1_000 * day,
            date=D(2026, 2, day),
            actor=kasir,
        )
    client = client_as(kasir)
    with django_assert_max_num_queries(9):
        response = client.get(passbook_url(active_member, "sukarela"), {"from": "2026-02-10"})

    assert response.status_code == 200
    assert len(body_rows(pdf_html["html"])) == 1 + 19  # opening + 10..28 February
    assert field(pdf_html["html"], "closing") == "Rp 406.000"  # 1.000 × (1 + … + 28)
