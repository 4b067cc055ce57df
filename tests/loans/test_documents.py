"""Loan documents: the receipt (page and A6 PDF), the schedule and the statement (A4 PDFs), and who sees whose.

Budi's loan (``disbursed_loan``): Rp9.000.000 flat 12 % over 12 months from 10/2/2026,
Rp840.000 a month (Rp750.000 principal + Rp90.000 interest), admin fee Rp90.000 taken from
the cash paid out, penalty 2 % a month after 3 days' grace. He pays Rp900.000 on 20/3: the
penalty of instalment 1 for 7 days (840.000 × 2 % × 7/30 = Rp3.920), its interest and
principal, and Rp56.080 of instalment 2's interest. "Today" is fixed per test.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from koperasi.ledger.models import JournalEntry
from koperasi.loans import documents, selectors, services
from koperasi.loans.documents import InstallmentStatus, schedule_get, statement_get
from koperasi.loans.models import Loan, LoanTransaction
from koperasi.members.services import member_portal_account_create
from koperasi.savings.services import savings_deposit
from tests.conftest import NIK_WOMAN

D = datetime.date
TODAY = D(2026, 4, 12)
PASSWORD = "Rahasia-Uji-2026!"


# --- Fixtures -----------------------------------------------------------------------------------
@pytest.fixture
def today(monkeypatch: Any) -> Any:
    """Fix "today" (``timezone.localdate``) for the views and selectors; default 12 April 2026."""

    def set_today(day: datetime.date = TODAY) -> datetime.date:
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)
        return day

    set_today()
    return set_today


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
def repaid(coop: Any, disbursed_loan: Loan, kasir: Any) -> LoanTransaction:
    """Budi pays Rp900.000 in cash on 20 March 2026 to Kasih Kasir."""
    kasir.first_name, kasir.last_name = "Kasih", "Kasir"
    kasir.save()
    return services.loan_repay(cooperative=coop, loan=disbursed_loan, amount=900_000, date=D(2026, 3, 20), actor=kasir)


@pytest.fixture
def portal_user(coop: Any, active_member: Any, ketua: Any) -> Any:
    return member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password=PASSWORD, actor=ketua
    )


@pytest.fixture
def siti_loan(coop: Any, register_member: Any, product: Any, kasir: Any, bendahara: Any, disbursed_loan: Loan) -> Loan:
    """Siti (member no. 2) borrows Rp2.000.000 over 4 months, disbursed 15 February 2026."""
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", kk="6471040101100004")
    savings_deposit(cooperative=coop, member=siti, kind="pokok", amount=50_000, date=D(2026, 1, 6), actor=kasir)
    loan = services.loan_apply(
        cooperative=coop,
        member=siti,
        product=product,
        principal=2_000_000,
        term_months=4,
        applied_on=D(2026, 2, 12),
        actor=kasir,
    )
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=D(2026, 2, 13))
    return services.loan_disburse(cooperative=coop, loan=loan, date=D(2026, 2, 15), actor=kasir)


@pytest.fixture
def lamaru_loan(
    other_coop: Any, register_member: Any, make_product: Any, fund_cash: Any, grant: Any, admin_user: Any
) -> Loan:
    """A disbursed loan of Lamaru (another cooperative)."""
    member = register_member(other_coop, name="Andi Lamaru")
    savings_deposit(
        cooperative=other_coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 7), actor=admin_user
    )
    fund_cash(other_coop)
    officer = grant(other_coop, "bendahara")
    loan = services.loan_apply(
        cooperative=other_coop,
        member=member,
        product=make_product(other_coop),
        principal=1_000_000,
        term_months=2,
        applied_on=D(2026, 2, 1),
        actor=officer,
    )
    services.loan_approve(cooperative=other_coop, loan=loan, actor=officer, date=D(2026, 2, 2))
    return services.loan_disburse(cooperative=other_coop, loan=loan, date=D(2026, 2, 3), actor=officer)


def text(fragment: str) -> str:
    return re.sub(r"<[^>]+>|\s+", " ", fragment).strip()


def field(html: str, name: str) -> str:
    match = re.search(rf'data-field="{name}"[^>]*>(.*?)</(td|th|span|strong|p|h1)>', html, re.S)
    assert match is not None, name
    return " ".join(text(match.group(1)).split())


def table_rows(html: str, table_id: str | None = None) -> list[list[str]]:
    """The cells of every body row (of the table with ``table_id``, or of the first table with a tbody)."""
    scope = html
    if table_id is not None:
        found = re.search(rf'id="{table_id}".*?</table>', html, re.S)
        assert found is not None, table_id
        scope = found.group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", scope, re.S)
    assert body is not None
    return [
        [" ".join(text(c).split()) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    ]


def receipt_url(txn: LoanTransaction, code: str = "manggar") -> str:
    return f"/k/{code}/pinjaman/transaksi/{txn.pk}/bukti/"


def receipt_pdf_url(txn: LoanTransaction, code: str = "manggar") -> str:
    return f"/k/{code}/pinjaman/transaksi/{txn.pk}/bukti.pdf"


def schedule_url(loan: Loan, code: str = "manggar") -> str:
    return f"/k/{code}/pinjaman/{loan.pk}/jadwal.pdf"


def statement_url(loan: Loan, code: str = "manggar") -> str:
    return f"/k/{code}/pinjaman/{loan.pk}/rekening.pdf"


def counts() -> tuple[int, int, int]:
    return Loan.objects.count(), LoanTransaction.objects.count(), JournalEntry.objects.count()


# --- Receipt ------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_receipt_page_of_a_repayment(
    repaid: LoanTransaction, kasir: Any, client_as: Any, today: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_as(kasir)
    with django_assert_max_num_queries(11):
        response = client.get(receipt_url(repaid))

    assert response.status_code == 200
    html = response.content.decode()
    assert '<p class="coop">KKMP Manggar</p>' in html
    assert "Kel. Manggar, Kec. Balikpapan Timur" in html
    assert field(html, "title") == "BUKTI PEMBAYARAN ANGSURAN"
    assert field(html, "number") == repaid.journal_entry.number
    assert field(html, "date") == "20/03/2026"
    assert field(html, "loan-no") == "PJ-00001"
    assert field(html, "member-no") == "00001"
    assert field(html, "member-name") == "Budi Santoso"
    assert field(html, "type") == "Angsuran"
    assert field(html, "channel") == "Tunai"
    assert field(html, "amount") == "Rp 900.000"
    assert field(html, "words") == "Sembilan ratus ribu rupiah"
    assert field(html, "penalty") == "Rp 3.920"
    assert field(html, "interest") == "Rp 146.080"  # 90.000 of no. 1 + 56.080 of no. 2
    assert field(html, "principal") == "Rp 750.000"
    assert field(html, "split-total") == "Rp 900.000"
    assert field(html, "installments") == "Untuk angsuran ke: 1, 2"
    assert field(html, "outstanding") == "Rp 8.250.000"
    assert field(html, "teller") == "Kasih Kasir"
    assert 'data-field="closed"' not in html
    assert "Penyetor" in html and "Penerima" in html
    assert 'data-sign="member">( Budi Santoso )' in html
    assert 'data-sign="teller">( Kasih Kasir )' in html
    # Prints on a 58 mm roll; links to the A6 PDF and the loan's schedule and statement.
    assert "@media print" in html and "width: 48mm" in html
    loan_id = repaid.loan_id
    assert f'href="/k/manggar/pinjaman/transaksi/{repaid.pk}/bukti.pdf"' in html
    assert f'href="/k/manggar/pinjaman/{loan_id}/jadwal.pdf"' in html
    assert f'href="/k/manggar/pinjaman/{loan_id}/rekening.pdf"' in html
    assert f'href="/k/manggar/pinjaman/{loan_id}/"' in html  # the loan's page, for the officer
    assert 'aria-label="Menu pinjaman"' in html


@pytest.mark.django_db
def test_receipt_of_the_disbursement(disbursed_loan: Loan, kasir: Any, client_as: Any, today: Any) -> None:
    txn = LoanTransaction.objects.get(loan=disbursed_loan, type="pencairan")
    html = client_as(kasir).get(receipt_url(txn)).content.decode()

    assert field(html, "title") == "BUKTI PENCAIRAN PINJAMAN"
    assert field(html, "date") == "10/02/2026"
    assert field(html, "type") == "Pencairan"
    assert field(html, "channel") == "Tunai"
    assert field(html, "amount") == "Rp 8.910.000"
    assert field(html, "words") == "Delapan juta sembilan ratus sepuluh ribu rupiah"
    assert field(html, "loan-principal") == "Rp 9.000.000"
    assert field(html, "admin-fee") == "Rp 90.000"
    assert 'data-field="provision-fee"' not in html
    assert field(html, "fees-note") == "Biaya Rp 90.000 dipotong dari pencairan."
    assert field(html, "term") == "12 bulan, 12% per tahun"
    assert field(html, "outstanding") == "Rp 9.000.000"
    assert 'data-field="penalty"' not in html
    # The member receives the money: they sign as the receiver.
    assert "Yang menyerahkan" in html


@pytest.mark.django_db
def test_receipt_of_a_payoff(
    coop: Any, repaid: LoanTransaction, kasir: Any, client_as: Any, today: Any, pdf_html: dict[str, str]
) -> None:
    """Paid off on 20/4: principal 8.250.000, interest of no. 2 (33.920) and no. 3 (90.000), penalty of no. 2."""
    day = today(D(2026, 4, 20))
    loan = repaid.loan
    quote = selectors.loan_position(loan=loan, day=day).payoff
    assert quote is not None
    # No. 2 (due 10/4, grace to 13/4) is 7 days late on 783.920: 783.920 × 2 % × 7/30 = 3.658 (rounded down).
    assert (quote.principal, quote.interest, quote.penalty, quote.total) == (8_250_000, 123_920, 3_658, 8_377_578)
    txn = services.loan_payoff(cooperative=coop, loan=loan, date=day, expected_total=quote.total, actor=kasir)

    html = client_as(kasir).get(receipt_url(txn)).content.decode()

    assert field(html, "title") == "BUKTI PELUNASAN PINJAMAN"
    assert field(html, "type") == "Pelunasan"
    assert field(html, "amount") == "Rp 8.377.578"
    assert (
        field(html, "words") == "Delapan juta tiga ratus tujuh puluh tujuh ribu lima ratus tujuh puluh delapan rupiah"
    )
    assert (field(html, "penalty"), field(html, "interest"), field(html, "principal")) == (
        "Rp 3.658",
        "Rp 123.920",
        "Rp 8.250.000",
    )
    assert field(html, "installments") == "Untuk angsuran ke: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12"
    assert field(html, "outstanding") == "Rp 0"
    assert field(html, "closed") == "PINJAMAN LUNAS"


@pytest.mark.django_db
def test_receipts_of_a_write_off_and_a_recovery(
    coop: Any, disbursed_loan: Loan, ketua: Any, pengawas: Any, kasir: Any, client_as: Any, today: Any
) -> None:
    services.loan_write_off_propose(cooperative=coop, loan=disbursed_loan, reason="Anggota pindah", actor=ketua)
    services.loan_write_off_approve(cooperative=coop, loan=disbursed_loan, date=D(2026, 4, 1), actor=pengawas)
    recovery = services.loan_recover(
        cooperative=coop, loan=disbursed_loan, amount=250_000, date=D(2026, 4, 10), actor=kasir
    )
    write_off = LoanTransaction.objects.get(loan=disbursed_loan, type="hapus_buku")
    client = client_as(kasir)

    html = client.get(receipt_url(write_off)).content.decode()
    assert field(html, "title") == "BUKTI HAPUS BUKU PINJAMAN"
    assert field(html, "amount") == "Rp 9.000.000"  # the principal written off
    assert field(html, "words") == "Sembilan juta rupiah"
    assert field(html, "outstanding") == "Rp 0"
    assert 'data-field="channel"' not in html
    assert 'data-sign="member"' not in html  # nobody hands money over

    html = client.get(receipt_url(recovery)).content.decode()
    assert field(html, "title") == "BUKTI PENERIMAAN PINJAMAN HAPUS BUKU"
    assert field(html, "amount") == "Rp 250.000"
    assert field(html, "words") == "Dua ratus lima puluh ribu rupiah"
    assert 'data-field="outstanding"' not in html
    assert 'data-field="closed"' not in html
    assert "Penyetor" in html

    st = statement_get(loan=Loan.objects.get(pk=disbursed_loan.pk), today=D(2026, 4, 12))
    assert [(r.type, r.written_off, r.paid, r.outstanding) for r in st.rows] == [
        ("pencairan", 0, 0, 9_000_000),
        ("hapus_buku", 9_000_000, 0, 0),
        ("pemulihan", 0, 250_000, 0),
    ]
    assert (st.total_written_off, st.total_paid, st.position, st.penalty_charged) == (9_000_000, 250_000, None, 0)
    assert {line.status for line in st.lines} == {InstallmentStatus.WRITTEN_OFF}
    assert st.total_left == 0


@pytest.mark.django_db
def test_receipt_pdf(repaid: LoanTransaction, kasir: Any, client_as: Any, today: Any) -> None:
    response = client_as(kasir).get(receipt_pdf_url(repaid))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="bukti-manggar-{repaid.journal_entry.number}.pdf"'
    assert response.content.startswith(b"%PDF")


@pytest.mark.django_db
def test_receipt_pdf_is_a6_with_the_same_body(
    repaid: LoanTransaction, kasir: Any, client_as: Any, pdf_html: dict[str, str], today: Any
) -> None:
    client_as(kasir).get(receipt_pdf_url(repaid))
    html = pdf_html["html"]

    assert "size: A6 portrait" in html
    assert field(html, "amount") == "Rp 900.000"
    assert field(html, "words") == "Sembilan ratus ribu rupiah"
    assert field(html, "outstanding") == "Rp 8.250.000"
    assert "<header" not in html and "<nav" not in html  # the document alone
    assert not re.search(r'(src|href)="(?!data:)', html)


# --- Schedule -----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_schedule_pdf_of_a_disbursed_loan(
    repaid: LoanTransaction, kasir: Any, client_as: Any, pdf_html: dict[str, str], today: Any
) -> None:
    loan = repaid.loan
    response = client_as(kasir).get(schedule_url(loan))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="jadwal-angsuran-manggar-PJ-00001.pdf"'
    html = pdf_html["html"]
    assert "size: A4 portrait" in html
    assert "simulasi" not in html.lower()
    assert field(html, "loan-no") == "PJ-00001"
    assert field(html, "name") == "Budi Santoso"
    assert field(html, "status") == "Berjalan"
    assert field(html, "method") == "Flat (bunga dari pokok awal)"
    assert field(html, "principal") == "Rp 9.000.000"
    assert field(html, "rate") == "12% per tahun"
    assert field(html, "term") == "12 bulan"
    assert field(html, "start") == "10/02/2026"
    assert field(html, "due-range") == "10/03/2026 – 10/02/2027"
    assert field(html, "admin-fee") == "Rp 90.000"
    assert field(html, "provision-fee") == "Rp 0"
    assert field(html, "fees") == "dipotong dari pencairan"
    assert field(html, "received") == "Rp 8.910.000"
    assert field(html, "penalty-rule").startswith("2% per bulan dari angsuran yang terlambat")
    assert "masa tenggang 3 hari" in field(html, "penalty-rule")
    rows = table_rows(html)
    assert len(rows) == 12
    assert rows[0] == ["1", "10/03/2026", "Rp 750.000", "Rp 90.000", "Rp 840.000", "Rp 8.250.000", "Lunas"]
    assert rows[1] == [
        "2",
        "10/04/2026",
        "Rp 750.000",
        "Rp 90.000",
        "Rp 840.000",
        "Rp 7.500.000",
        "Terlambat · dibayar sebagian",
    ]
    assert rows[2][-1] == "Belum jatuh tempo"
    assert rows[11] == ["12", "10/02/2027", "Rp 750.000", "Rp 90.000", "Rp 840.000", "Rp 0", "Belum jatuh tempo"]
    assert field(html, "total-principal") == "Rp 9.000.000"
    assert field(html, "total-interest") == "Rp 1.080.000"
    assert field(html, "total-installment") == "Rp 10.080.000"


@pytest.mark.django_db
def test_schedule_pdf_of_an_application_is_a_simulation(
    coop: Any,
    active_member: Any,
    make_product: Any,
    kasir: Any,
    client_as: Any,
    pdf_html: dict[str, str],
    today: Any,
) -> None:
    """domain.md §4.3: Rp6.000.000 declining 12 % over 6 months: 1.000.000 a month, interest 60.000 … 10.000."""
    product = make_product(coop, name="Menurun", method="declining", admin_fee_percent=Decimal("0"))
    loan = services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=6_000_000,
        term_months=6,
        applied_on=D(2026, 4, 1),
        actor=kasir,
    )
    before = counts()

    response = client_as(kasir).get(schedule_url(loan))

    assert response.status_code == 200
    html = pdf_html["html"]
    assert "Jadwal angsuran pinjaman · simulasi" in html
    assert field(html, "simulation").startswith("SIMULASI — pinjaman belum dicairkan.")
    assert "dicairkan pada 12/04/2026" in field(html, "simulation")  # today, after the application date
    assert field(html, "status") == "Diajukan"
    assert field(html, "start") == "12/04/2026"
    assert field(html, "received") == "Rp 6.000.000"
    assert table_rows(html) == [
        ["1", "12/05/2026", "Rp 1.000.000", "Rp 60.000", "Rp 1.060.000", "Rp 5.000.000"],
        ["2", "12/06/2026", "Rp 1.000.000", "Rp 50.000", "Rp 1.050.000", "Rp 4.000.000"],
        ["3", "12/07/2026", "Rp 1.000.000", "Rp 40.000", "Rp 1.040.000", "Rp 3.000.000"],
        ["4", "12/08/2026", "Rp 1.000.000", "Rp 30.000", "Rp 1.030.000", "Rp 2.000.000"],
        ["5", "12/09/2026", "Rp 1.000.000", "Rp 20.000", "Rp 1.020.000", "Rp 1.000.000"],
        ["6", "12/10/2026", "Rp 1.000.000", "Rp 10.000", "Rp 1.010.000", "Rp 0"],
    ]
    assert field(html, "total-interest") == "Rp 210.000"
    assert field(html, "total-installment") == "Rp 6.210.000"
    assert counts() == before  # a simulation writes nothing


@pytest.mark.django_db
def test_simulation_starts_on_the_application_date_when_that_is_later(
    coop: Any, active_member: Any, product: Any, kasir: Any, today: Any
) -> None:
    loan = services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=1_200_000,
        term_months=3,
        applied_on=D(2026, 4, 1),
        actor=kasir,
    )
    schedule = schedule_get(loan=loan, today=D(2026, 3, 31))

    assert schedule.simulated and schedule.start == D(2026, 4, 1)
    assert [(line.due_date, line.installment) for line in schedule.lines] == [
        (D(2026, 5, 1), 412_000),
        (D(2026, 6, 1), 412_000),
        (D(2026, 7, 1), 412_000),
    ]
    assert schedule.received == 1_200_000 - 12_000  # 1 % admin fee taken from it


# --- Statement ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_statement_rows_and_instalments(
    repaid: LoanTransaction, kasir: Any, django_assert_max_num_queries: Any, today: Any
) -> None:
    loan = Loan.objects.get(pk=repaid.loan_id)
    with django_assert_max_num_queries(4):
        st = statement_get(loan=loan, today=D(2026, 4, 20))

    assert [(r.type, r.disbursed, r.paid, r.penalty, r.interest, r.principal, r.outstanding) for r in st.rows] == [
        ("pencairan", 9_000_000, 0, 0, 0, 0, 9_000_000),
        ("angsuran", 0, 900_000, 3_920, 146_080, 750_000, 8_250_000),
    ]
    assert [r.outstanding for r in st.rows] == [
        t.outstanding_after for t in LoanTransaction.objects.filter(loan=loan).order_by("date", "pk")
    ]
    assert st.outstanding == loan.outstanding_principal == 8_250_000
    assert (st.total_paid, st.total_penalty_paid, st.total_interest_paid, st.total_principal_paid) == (
        900_000,
        3_920,
        146_080,
        750_000,
    )
    first, second, third = st.lines[:3]
    assert (first.status, first.paid, first.penalty, first.penalty_paid, first.left) == (
        InstallmentStatus.PAID,
        840_000,
        3_920,
        3_920,
        0,
    )
    # No. 2: 56.080 paid, 783.920 unpaid for 7 days past its grace: penalty 3.658 not yet charged.
    assert (second.status, second.paid, second.penalty, second.left, second.days_late) == (
        InstallmentStatus.OVERDUE,
        56_080,
        3_658,
        783_920 + 3_658,
        10,
    )
    assert second.status_label == "Terlambat · dibayar sebagian"
    assert (third.status, third.left) == (InstallmentStatus.UPCOMING, 840_000)
    assert st.penalty_charged == 3_920 + 3_658
    assert st.position is not None and st.position.payoff is not None
    assert (st.position.days_past_due, st.position.overdue, st.position.payoff.total) == (10, 787_578, 8_377_578)


@pytest.mark.django_db
def test_statement_pdf(
    repaid: LoanTransaction, kasir: Any, client_as: Any, pdf_html: dict[str, str], today: Any
) -> None:
    today(D(2026, 4, 20))
    loan = repaid.loan
    response = client_as(kasir).get(statement_url(loan))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'inline; filename="rekening-pinjaman-manggar-PJ-00001.pdf"'
    html = pdf_html["html"]
    assert "size: A4 portrait" in html
    assert field(html, "asof") == "Per 20/04/2026"
    assert field(html, "status") == "Berjalan"
    assert field(html, "outstanding") == "Rp 8.250.000"
    assert field(html, "dpd") == "10"
    assert field(html, "overdue") == "Rp 787.578"
    assert field(html, "due-now") == "Rp 787.578"
    assert field(html, "next") == "Rp 840.000 · 10/05/2026"
    numbers = [t.journal_entry.number for t in LoanTransaction.objects.filter(loan=loan).order_by("pk")]
    assert table_rows(html, "transactions") == [
        ["10/02/2026", numbers[0], "Pencairan · Tunai biaya Rp 90.000", "Rp 9.000.000", "", "", "", "", "Rp 9.000.000"],
        [
            "20/03/2026",
            numbers[1],
            "Angsuran · Tunai",
            "",
            "Rp 900.000",
            "Rp 3.920",
            "Rp 146.080",
            "Rp 750.000",
            "Rp 8.250.000",
        ],
    ]
    assert (field(html, "total-disbursed"), field(html, "total-paid"), field(html, "closing")) == (
        "Rp 9.000.000",
        "Rp 900.000",
        "Rp 8.250.000",
    )
    lines = table_rows(html, "installments")
    assert len(lines) == 12
    assert lines[0] == ["1", "10/03/2026", "Rp 840.000", "Rp 840.000", "Rp 3.920", "Rp 3.920", "Rp 0", "Lunas"]
    assert lines[1] == [
        "2",
        "10/04/2026",
        "Rp 840.000",
        "Rp 56.080",
        "Rp 3.658",
        "",
        "Rp 787.578",
        "Terlambat · dibayar sebagian 10 hari",
    ]
    assert lines[2] == ["3", "10/05/2026", "Rp 840.000", "Rp 0", "", "", "Rp 840.000", "Belum jatuh tempo"]
    assert field(html, "lines-installment") == "Rp 10.080.000"
    assert field(html, "lines-paid") == "Rp 896.080"
    assert field(html, "lines-penalty") == "Rp 7.578"
    assert field(html, "lines-left") == "Rp 9.187.578"  # 783.920 + 3.658 + 10 × 840.000
    assert field(html, "payoff-principal") == "Rp 8.250.000"
    assert field(html, "payoff-interest") == "Rp 123.920"
    assert field(html, "payoff-penalty") == "Rp 3.658"
    assert field(html, "payoff-total") == "Rp 8.377.578"
    assert "(Rp 810.000) tidak ditagih" in field(html, "payoff-note")


@pytest.mark.django_db
def test_statement_quote_is_what_the_payoff_takes(coop: Any, repaid: LoanTransaction, kasir: Any, today: Any) -> None:
    """The quote counts the penalty run up since the last charge, as the payoff service does."""
    day = today(D(2026, 4, 20))
    loan = Loan.objects.get(pk=repaid.loan_id)
    quote = statement_get(loan=loan, today=day).position.payoff  # type: ignore[union-attr]

    txn = services.loan_payoff(cooperative=coop, loan=loan, date=day, expected_total=quote.total, actor=kasir)

    assert txn.amount == quote.total == 8_377_578
    loan.refresh_from_db()
    assert loan.status == "closed" and loan.outstanding_principal == 0


@pytest.mark.django_db
def test_statement_of_a_closed_loan(
    coop: Any, repaid: LoanTransaction, kasir: Any, client_as: Any, pdf_html: dict[str, str], today: Any
) -> None:
    day = today(D(2026, 4, 20))
    loan = repaid.loan
    services.loan_payoff(cooperative=coop, loan=loan, date=day, expected_total=8_377_578, actor=kasir)
    today(D(2026, 6, 1))

    client_as(kasir).get(statement_url(loan))
    html = pdf_html["html"]

    assert field(html, "status") == "Lunas"
    assert field(html, "state") == "Pinjaman lunas pada 20/04/2026."
    assert 'data-field="payoff-total"' not in html and 'data-field="dpd"' not in html
    rows = table_rows(html, "transactions")
    assert [r[2] for r in rows] == ["Pencairan · Tunai biaya Rp 90.000", "Angsuran · Tunai", "Pelunasan · Tunai"]
    assert rows[-1][4:] == ["Rp 8.377.578", "Rp 3.658", "Rp 123.920", "Rp 8.250.000", "Rp 0"]
    lines = table_rows(html, "installments")
    assert {line[-1].split(" · ")[0] for line in lines} == {"Lunas"}
    assert lines[3][-1] == "Lunas · bunga Rp 90.000 tidak ditagih"
    assert field(html, "lines-left") == "Rp 0"
    assert field(html, "total-paid") == "Rp 9.277.578"


@pytest.mark.django_db
def test_statement_of_an_application(
    coop: Any, active_member: Any, product: Any, kasir: Any, client_as: Any, pdf_html: dict[str, str], today: Any
) -> None:
    loan = services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=1_000_000,
        term_months=2,
        applied_on=D(2026, 4, 1),
        actor=kasir,
    )
    response = client_as(kasir).get(statement_url(loan))

    assert response.status_code == 200
    html = pdf_html["html"]
    assert field(html, "state") == "Pinjaman belum dicairkan."
    assert table_rows(html, "transactions") == [["Belum ada transaksi."]]
    assert 'id="installments"' not in html


@pytest.mark.django_db
def test_statement_keeps_the_latest_rows(repaid: LoanTransaction, kasir: Any, monkeypatch: Any, today: Any) -> None:
    monkeypatch.setattr(documents, "STATEMENT_MAX_ROWS", 1)
    st = statement_get(loan=repaid.loan, today=D(2026, 4, 20))

    assert st.rows_omitted == 1 and st.opening == 9_000_000
    assert [r.type for r in st.rows] == ["angsuran"]
    assert st.total_disbursed == 9_000_000  # totals count every transaction


@pytest.mark.django_db
def test_statement_queries_do_not_grow_per_transaction(
    coop: Any,
    disbursed_loan: Loan,
    kasir: Any,
    client_as: Any,
    pdf_html: dict[str, str],
    today: Any,
    django_assert_max_num_queries: Any,
) -> None:
    today(D(2026, 9, 30))
    for month in range(3, 10):
        services.loan_repay(cooperative=coop, loan=disbursed_loan, amount=840_000, date=D(2026, month, 9), actor=kasir)
    client = client_as(kasir)
    with django_assert_max_num_queries(10):
        response = client.get(statement_url(disbursed_loan))

    assert response.status_code == 200
    rows = table_rows(pdf_html["html"], "transactions")
    assert len(rows) == 8
    assert rows[-1][-1] == "Rp 3.750.000"  # 9.000.000 − 7 × 750.000
    assert field(pdf_html["html"], "dpd") == "0"


# --- Who sees whose -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_member_gets_their_own_documents_only(
    repaid: LoanTransaction,
    siti_loan: Loan,
    portal_user: Any,
    client_as: Any,
    pdf_html: dict[str, str],
    today: Any,
) -> None:
    client = client_as(portal_user)
    own = repaid.loan
    assert client.get(schedule_url(own)).status_code == 200
    assert client.get(statement_url(own)).status_code == 200
    page = client.get(receipt_url(repaid))
    assert page.status_code == 200 and field(page.content.decode(), "amount") == "Rp 900.000"
    assert f'href="/k/manggar/saya/pinjaman/{own.pk}/"' in page.content.decode()  # back to the portal
    assert f'href="/k/manggar/pinjaman/{own.pk}/"' not in page.content.decode()  # not the officers' page
    assert client.get(receipt_pdf_url(repaid)).status_code == 200

    pdf_html.clear()
    before = counts()
    siti_txn = LoanTransaction.objects.get(loan=siti_loan)
    for url in (schedule_url(siti_loan), statement_url(siti_loan), receipt_url(siti_txn), receipt_pdf_url(siti_txn)):
        assert client.get(url).status_code == 404, url
    assert pdf_html == {}
    assert counts() == before


@pytest.mark.django_db
def test_documents_of_another_cooperative(
    repaid: LoanTransaction,
    lamaru_loan: Loan,
    kasir: Any,
    other_ketua: Any,
    client_as: Any,
    pdf_html: dict[str, str],
    today: Any,
) -> None:
    before = counts()
    lamaru_txn = LoanTransaction.objects.get(loan=lamaru_loan)
    # Lamaru's loan through Manggar's URL, by Manggar's kasir.
    for url in (
        schedule_url(lamaru_loan),
        statement_url(lamaru_loan),
        receipt_url(lamaru_txn),
        receipt_pdf_url(lamaru_txn),
    ):
        assert client_as(kasir).get(url).status_code == 404, url
    # Manggar's loan by Lamaru's ketua, under either code.
    for code in ("manggar", "lamaru"):
        for url in (schedule_url(repaid.loan, code), statement_url(repaid.loan, code), receipt_url(repaid, code)):
            assert client_as(other_ketua).get(url).status_code == 404, url
    assert pdf_html == {}
    assert counts() == before


@pytest.mark.django_db
def test_documents_refused_to_dinas(
    repaid: LoanTransaction, dinas_user: Any, client_as: Any, pdf_html: dict[str, str], today: Any
) -> None:
    client = client_as(dinas_user)
    for url in (schedule_url(repaid.loan), statement_url(repaid.loan), receipt_url(repaid), receipt_pdf_url(repaid)):
        assert client.get(url).status_code == 403, url
    assert pdf_html == {}


@pytest.mark.django_db
def test_officer_without_a_role_in_loans_is_refused(
    coop: Any, repaid: LoanTransaction, grant: Any, client_as: Any, pdf_html: dict[str, str], today: Any
) -> None:
    """An anggota login not linked to a member sees no loan documents."""
    unlinked = grant(coop, "anggota", "anggota-tanpa-data")
    client = client_as(unlinked)
    assert client.get(schedule_url(repaid.loan)).status_code == 403
    assert client.get(receipt_url(repaid)).status_code == 403
    assert pdf_html == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "transaksi/999999/bukti/",
        "transaksi/999999/bukti.pdf",
        "999999/jadwal.pdf",
        "999999/rekening.pdf",
        "99999999999999999999999/jadwal.pdf",
        "transaksi/99999999999999999999999/bukti/",
    ],
)
def test_missing_ids_are_not_found(kasir: Any, client_as: Any, path: str, pdf_html: dict[str, str]) -> None:
    assert client_as(kasir).get(f"/k/manggar/pinjaman/{path}").status_code == 404
    assert pdf_html == {}


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_and_only_get(
    repaid: LoanTransaction, kasir: Any, client_as: Any, today: Any
) -> None:
    response = Client().get(schedule_url(repaid.loan))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client_as(kasir).post(receipt_url(repaid)).status_code == 405
