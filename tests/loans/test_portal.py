"""The member's loans in the portal (/k/<code>/saya/pinjaman/): their own loans only; anyone else gets 404.

Budi's loan (``disbursed_loan``): Rp9.000.000 flat 12 % over 12 months from 10/2/2026,
Rp840.000 a month; he paid Rp900.000 on 20/3 (instalment 1 with a Rp3.920 penalty, and
Rp56.080 of instalment 2). "Today" is 12 April 2026 unless a test says otherwise.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from koperasi.core.models import CooperativeRole
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry
from koperasi.loans import services
from koperasi.loans.models import Loan, LoanTransaction
from koperasi.members.services import member_portal_account_create
from koperasi.savings.services import savings_deposit
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 4, 12)
PASSWORD = "Budi-Manggar-2026"


@pytest.fixture
def today(monkeypatch: Any) -> Any:
    """Fix "today" (``timezone.localdate``); default 12 April 2026."""

    def set_today(day: datetime.date = TODAY) -> datetime.date:
        monkeypatch.setattr(timezone, "localdate", lambda *args: day)
        return day

    set_today()
    return set_today


@pytest.fixture
def budi(coop: Any, active_member: Any, disbursed_loan: Loan, kasir: Any, admin_user: Any, today: Any) -> Any:
    """Budi with his loan, a repayment of Rp900.000 on 20/3/2026 and a portal login."""
    services.loan_repay(cooperative=coop, loan=disbursed_loan, amount=900_000, date=D(2026, 3, 20), actor=kasir)
    member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password=PASSWORD, actor=admin_user
    )
    active_member.refresh_from_db()
    return active_member


@pytest.fixture
def siti_loan(coop: Any, register_member: Any, product: Any, kasir: Any, bendahara: Any, budi: Any) -> Loan:
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
        purpose="Modal warung Siti",
    )
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=D(2026, 2, 13))
    return services.loan_disburse(cooperative=coop, loan=loan, date=D(2026, 2, 15), actor=kasir)


def apply(coop: Any, member: Any, product: Any, actor: Any, principal: int, term: int, day: datetime.date) -> Loan:
    return services.loan_apply(
        cooperative=coop,
        member=member,
        product=product,
        principal=principal,
        term_months=term,
        applied_on=day,
        actor=actor,
    )


def url(coop: Any, name: str = "loans_portal:list", *args: Any) -> str:
    return reverse(name, args=[coop.code, *args])


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(html: str, element_id: str) -> str:
    """Return the text of the element with ``element_id`` up to its closing tag (tags removed)."""
    match = re.search(rf'<(\w+)[^>]*\bid="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"#{element_id} not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())


def card_field(html: str, loan: Loan, name: str) -> str:
    card = re.search(rf'id="pinjaman-{loan.pk}"(.*?)</article>', html, re.S)
    assert card, f"no card for {loan.number}"
    match = re.search(rf'data-field="{name}"[^>]*>(.*?)</', card.group(1), re.S)
    assert match, name
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def counts() -> tuple[int, int, int]:
    return Loan.objects.count(), LoanTransaction.objects.count(), JournalEntry.objects.count()


# --- The list -----------------------------------------------------------------------------------
def test_list_shows_the_members_loans(
    coop: Any, budi: Any, disbursed_loan: Loan, product: Any, kasir: Any, django_assert_max_num_queries: Any
) -> None:
    applied = apply(coop, budi, product, kasir, 1_000_000, 2, D(2026, 4, 10))
    client = logged_in(budi.user)
    with django_assert_max_num_queries(10):
        response = client.get(url(coop))

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'id="pinjaman-(\d+)"', html) == [str(applied.pk), str(disbursed_loan.pk)]  # newest first
    assert section(html, "sisa-pokok") == "Sisa pokok semua pinjaman Rp 8.250.000"
    assert section(html, "harus-dibayar") == "Harus dibayar hari ini Rp 783.920"
    assert card_field(html, disbursed_loan, "status") == "Berjalan"
    assert card_field(html, disbursed_loan, "principal") == "Rp 9.000.000"
    assert card_field(html, disbursed_loan, "outstanding") == "Rp 8.250.000"
    assert card_field(html, disbursed_loan, "due-now") == "Rp 783.920"  # the rest of instalment 2, due 10/4
    assert card_field(html, disbursed_loan, "next") == "Rp 840.000 · 10/05/2026"
    assert card_field(html, disbursed_loan, "dpd") == "Terlambat 2 hari"
    assert card_field(html, applied, "status") == "Diajukan"
    assert card_field(html, applied, "applied-on") == "10/04/2026"
    assert url(coop, "loans_portal:detail", disbursed_loan.pk) in html
    assert url(coop, "loans_portal:detail", applied.pk) in html


def test_list_counts_the_penalty_run_up_since_the_last_charge(
    coop: Any, budi: Any, disbursed_loan: Loan, today: Any
) -> None:
    today(D(2026, 4, 20))  # instalment 2 is 7 days past its grace: 783.920 × 2 % × 7/30 = 3.658
    html = logged_in(budi.user).get(url(coop)).content.decode()

    assert card_field(html, disbursed_loan, "due-now") == "Rp 787.578"
    assert card_field(html, disbursed_loan, "dpd") == "Terlambat 10 hari"


def test_list_of_a_loan_without_arrears(coop: Any, budi: Any, disbursed_loan: Loan, kasir: Any, today: Any) -> None:
    services.loan_repay(cooperative=coop, loan=disbursed_loan, amount=783_920, date=D(2026, 4, 12), actor=kasir)
    html = logged_in(budi.user).get(url(coop)).content.decode()

    assert card_field(html, disbursed_loan, "outstanding") == "Rp 7.500.000"
    assert card_field(html, disbursed_loan, "dpd") == "Tidak ada tunggakan"
    assert 'data-field="due-now"' not in html
    assert section(html, "harus-dibayar") == "Harus dibayar hari ini Rp 0"


def test_list_queries_do_not_grow_per_loan(
    coop: Any, budi: Any, product: Any, kasir: Any, bendahara: Any, django_assert_max_num_queries: Any
) -> None:
    for n in range(3):
        loan = apply(coop, budi, product, kasir, 1_000_000 + n, 3, D(2026, 3, 1))
        services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=D(2026, 3, 1))
        services.loan_disburse(cooperative=coop, loan=loan, date=D(2026, 3, 2), actor=kasir)
    client = logged_in(budi.user)
    with django_assert_max_num_queries(10):
        response = client.get(url(coop))

    assert len(re.findall(r'id="pinjaman-', response.content.decode())) == 4


def test_member_without_loans(coop: Any, active_member: Any, admin_user: Any, today: Any) -> None:
    user = member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password=PASSWORD, actor=admin_user
    )
    html = logged_in(user).get(url(coop)).content.decode()

    assert "Anda belum punya pinjaman." in section(html, "tanpa-pinjaman")
    assert 'id="sisa-pokok"' not in html


def test_portal_menu_links_to_the_loans(coop: Any, budi: Any) -> None:
    client = logged_in(budi.user)
    for page in (reverse("portal:home", args=[coop.code]), reverse("portal:bills", args=[coop.code]), url(coop)):
        html = client.get(page).content.decode()
        assert f'href="{url(coop)}" id="nav-pinjaman"' in html, page
    assert 'id="nav-pinjaman" aria-current="page"' in client.get(url(coop)).content.decode()


# --- The detail ---------------------------------------------------------------------------------
def test_detail_of_an_active_loan(
    coop: Any, budi: Any, disbursed_loan: Loan, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(budi.user)
    with django_assert_max_num_queries(12):
        response = client.get(url(coop, "loans_portal:detail", disbursed_loan.pk))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Pinjaman PJ-00001" in html
    assert section(html, "status") == "Berjalan"
    assert section(html, "pokok") == "Rp 9.000.000"
    assert section(html, "dicairkan") == "10/02/2026"
    assert section(html, "biaya") == "Rp 90.000 (dipotong dari pencairan)"
    assert section(html, "diterima") == "Rp 8.910.000"
    # Where it stands on 12/4 and the payoff quote: principal, interest of no. 2 (rest) and no. 3.
    assert section(html, "sisa-pokok") == "Sisa pokok Rp 8.250.000"
    assert section(html, "harus-dibayar") == "Harus dibayar hari ini Rp 783.920 Terlambat 2 hari"
    assert section(html, "angsuran-berikutnya") == "Angsuran berikutnya Rp 840.000 jatuh tempo 10/05/2026"
    assert section(html, "pelunasan") == (
        "Sisa pokok Rp 8.250.000 Bunga sampai periode berjalan Rp 123.920 Denda Rp 0 Jumlah pelunasan Rp 8.373.920"
    )
    assert "(Rp 810.000) tidak ditagih" in html
    # The schedule with what is paid.
    assert len(re.findall(r'<tr id="angsuran-', html)) == 12
    assert section(html, "angsuran-1") == (
        "1 10/03/2026 Rp 750.000 Rp 90.000 Rp 840.000 Rp 840.000 Rp 3.920 Rp 0 Lunas"
    )
    assert section(html, "angsuran-2") == (
        "2 10/04/2026 Rp 750.000 Rp 90.000 Rp 840.000 Rp 56.080 – Rp 783.920 Terlambat · dibayar sebagian 2 hari"
    )
    assert section(html, "angsuran-3") == (
        "3 10/05/2026 Rp 750.000 Rp 90.000 Rp 840.000 Rp 0 – Rp 840.000 Belum jatuh tempo"
    )
    assert section(html, "jadwal-jumlah") == "Jumlah Rp 9.000.000 Rp 1.080.000 Rp 10.080.000"
    # The transactions with their receipts, and the PDFs.
    txns = list(LoanTransaction.objects.filter(loan=disbursed_loan).order_by("date", "pk"))
    assert re.findall(r'<tr id="txn-(\d+)"', html) == [str(t.pk) for t in txns]
    assert section(html, f"txn-{txns[0].pk}") == "10/02/2026 Pencairan Rp 8.910.000 Rp 9.000.000 Bukti"
    assert section(html, f"txn-{txns[1].pk}") == (
        "20/03/2026 Angsuran denda Rp 3.920, bunga Rp 146.080, pokok Rp 750.000 Rp 900.000 Rp 8.250.000 Bukti"
    )
    for txn in txns:
        assert reverse("loans:receipt", args=[coop.code, txn.pk]) in html
    assert reverse("loans:schedule_pdf", args=[coop.code, disbursed_loan.pk]) in html
    assert reverse("loans:statement_pdf", args=[coop.code, disbursed_loan.pk]) in html


def test_detail_of_an_application_shows_a_simulation(coop: Any, budi: Any, product: Any, kasir: Any) -> None:
    loan = apply(coop, budi, product, kasir, 1_200_000, 3, D(2026, 4, 10))
    html = logged_in(budi.user).get(url(coop, "loans_portal:detail", loan.pk)).content.decode()

    assert section(html, "status") == "Diajukan"
    assert section(html, "simulasi").startswith("Simulasi: pinjaman belum dicairkan.")
    assert "dicairkan pada 12/04/2026" in section(html, "simulasi")
    assert section(html, "angsuran-1") == "1 12/05/2026 Rp 400.000 Rp 12.000 Rp 412.000 Rp 800.000"
    assert section(html, "angsuran-3") == "3 12/07/2026 Rp 400.000 Rp 12.000 Rp 412.000 Rp 0"
    assert section(html, "diterima") == "Rp 1.188.000"  # 1 % admin fee taken from the amount paid out
    assert 'id="pelunasan"' not in html and 'id="transaksi"' not in html
    assert section(html, "jadwal-pdf") == "Simulasi jadwal (PDF)"
    assert 'id="rekening-pdf"' not in html


def test_detail_of_a_rejected_application(coop: Any, budi: Any, product: Any, kasir: Any, bendahara: Any) -> None:
    loan = apply(coop, budi, product, kasir, 1_200_000, 3, D(2026, 4, 10))
    services.loan_reject(cooperative=coop, loan=loan, reason="Tunggakan pinjaman lain", actor=bendahara)
    client = logged_in(budi.user)

    html = client.get(url(coop, "loans_portal:detail", loan.pk)).content.decode()
    assert section(html, "status") == "Ditolak"
    assert section(html, "alasan") == "Tunggakan pinjaman lain"
    listing = client.get(url(coop)).content.decode()
    assert card_field(listing, loan, "reason") == "Tunggakan pinjaman lain"


def test_detail_of_a_closed_loan(coop: Any, budi: Any, disbursed_loan: Loan, kasir: Any, today: Any) -> None:
    services.loan_payoff(
        cooperative=coop, loan=disbursed_loan, date=D(2026, 4, 12), expected_total=8_373_920, actor=kasir
    )
    today(D(2026, 5, 1))
    client = logged_in(budi.user)

    html = client.get(url(coop, "loans_portal:detail", disbursed_loan.pk)).content.decode()
    assert section(html, "status") == "Lunas"
    assert section(html, "lunas") == "12/04/2026"
    assert 'id="posisi"' not in html
    assert {section(html, f"angsuran-{n}").split()[-1] for n in range(1, 13)} == {"Lunas"}
    listing = client.get(url(coop)).content.decode()
    assert card_field(listing, disbursed_loan, "closed-on") == "12/04/2026"
    assert 'id="sisa-pokok"' not in listing  # no active loan left


# --- Who sees what ------------------------------------------------------------------------------
def test_member_never_sees_another_members_loan(coop: Any, budi: Any, siti_loan: Loan) -> None:
    client = logged_in(budi.user)
    before = counts()

    html = client.get(url(coop)).content.decode()
    assert f'id="pinjaman-{siti_loan.pk}"' not in html
    assert "Siti" not in html and "2.000.000" not in html
    assert client.get(url(coop, "loans_portal:detail", siti_loan.pk)).status_code == 404
    assert client.get(url(coop, "loans_portal:detail", 999_999)).status_code == 404
    assert counts() == before


def test_anggota_of_another_cooperative_gets_404(
    coop: Any, other_coop: Any, budi: Any, disbursed_loan: Loan, register_member: Any, admin_user: Any
) -> None:
    lamaru = register_member(other_coop, nik="6471015505900003", name="Rina Lamaru")
    lamaru_user = member_portal_account_create(
        cooperative=other_coop, member=lamaru, username="rina", password=PASSWORD, actor=admin_user
    )
    client = logged_in(lamaru_user)
    before = counts()

    assert client.get(url(coop)).status_code == 404
    assert client.get(url(coop, "loans_portal:detail", disbursed_loan.pk)).status_code == 404
    # Budi's loan id under Rina's own cooperative is not hers either.
    assert client.get(url(other_coop, "loans_portal:detail", disbursed_loan.pk)).status_code == 404
    own = client.get(url(other_coop))
    assert own.status_code == 200 and "Budi" not in own.content.decode() and "PJ-00001" not in own.content.decode()
    assert counts() == before


def test_officers_without_membership_get_404(
    coop: Any, budi: Any, disbursed_loan: Loan, ketua: Any, kasir: Any, other_ketua: Any, dinas_user: Any, grant: Any
) -> None:
    unlinked = grant(coop, Role.ANGGOTA, "anggota-tanpa-data")
    for user in (ketua, kasir, other_ketua, dinas_user, unlinked):
        client = logged_in(user)
        assert client.get(url(coop)).status_code == 404, user
        assert client.get(url(coop, "loans_portal:detail", disbursed_loan.pk)).status_code == 404, user


def test_a_ketua_who_is_also_a_member_sees_their_loans(coop: Any, budi: Any, disbursed_loan: Loan) -> None:
    CooperativeRole.objects.create(cooperative=coop, user=budi.user, role=Role.KETUA)

    assert logged_in(budi.user).get(url(coop, "loans_portal:detail", disbursed_loan.pk)).status_code == 200


def test_anonymous_is_sent_to_login_and_only_get(coop: Any, budi: Any, disbursed_loan: Loan) -> None:
    response = Client().get(url(coop))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert logged_in(budi.user).post(url(coop)).status_code == 405
    assert logged_in(budi.user).post(url(coop, "loans_portal:detail", disbursed_loan.pk)).status_code == 405
