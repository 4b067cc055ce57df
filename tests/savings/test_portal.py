"""The member portal (/k/<code>/saya/): a member sees their own data only; anyone else gets 404."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from koperasi.core.models import CooperativeRole
from koperasi.core.roles import Role
from koperasi.members.services import member_portal_account_create
from koperasi.savings.models import SavingsTransaction
from koperasi.savings.services import member_exit, savings_deposit, savings_withdraw, wajib_bills_issue
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
PASSWORD = "Budi-Manggar-2026"


def portal_url(coop: Any, name: str = "portal:home") -> str:
    return reverse(name, args=[coop.code])


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def section(html: str, element_id: str) -> str:
    """Return the text of the element with ``element_id`` up to its closing tag (tags removed)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(article|tr|p|span|section)>', html, re.S)
    assert match, f"#{element_id} not on the page"
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


@pytest.fixture
def budi(coop: Any, active_member: Any, kasir: Any, admin_user: Any) -> Any:
    """Budi (no. 1, pokok Rp50.000 on 5/1/2026) with wajib, sukarela, a withdrawal, two bills and a login."""
    savings_deposit(
        cooperative=coop, member=active_member, kind="wajib", amount=20_000, date=D(2026, 2, 9), actor=kasir
    )
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=150_000, date=D(2026, 2, 11), actor=kasir
    )
    savings_withdraw(
        cooperative=coop,
        member=active_member,
        kind="sukarela",
        amount=40_000,
        date=D(2026, 3, 2),
        actor=kasir,
        memo="Biaya sekolah anak",
    )
    for month in (D(2026, 2, 1), D(2026, 3, 1)):
        wajib_bills_issue(cooperative=coop, month=month, actor=admin_user)
    member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password=PASSWORD, actor=admin_user
    )
    active_member.refresh_from_db()
    return active_member


@pytest.fixture
def siti(coop: Any, register_member: Any, kasir: Any) -> Any:
    """A second member of Manggar with a sukarela deposit Budi must never see."""
    member = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", kk="6471040101100004")
    savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 6), actor=kasir)
    savings_deposit(
        cooperative=coop,
        member=member,
        kind="sukarela",
        amount=777_000,
        date=D(2026, 2, 12),
        actor=kasir,
        memo="Tabungan pribadi Siti",
    )
    return member


def test_member_sees_own_balances_bills_and_transactions(coop: Any, budi: Any, siti: Any) -> None:
    response = logged_in(budi.user).get(portal_url(coop))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Budi Santoso" in html
    assert "No. anggota 00001" in html
    assert section(html, "status") == "Anggota aktif"
    assert "05/01/2026" in html  # joined and activated
    assert section(html, "saldo-pokok").startswith("Simpanan pokok Rp 50.000")
    assert section(html, "saldo-wajib").startswith("Simpanan wajib Rp 20.000")
    assert section(html, "saldo-sukarela").startswith("Simpanan sukarela Rp 110.000")
    assert section(html, "saldo-total") == "Jumlah simpanan Rp 180.000"
    # Two bills of Rp20.000: February paid by the deposit, March unpaid and past its due date (10/3).
    assert section(html, "tagihan-belum-dibayar") == (
        "1 tagihan belum dibayar: Rp 20.000 1 bulan lewat jatuh tempo (Rp 20.000)."
    )
    assert section(html, "tagihan-2026-02").endswith("Rp 20.000 Rp 20.000 Lunas")
    assert section(html, "tagihan-2026-03") == "Maret 2026 10/03/2026 Rp 20.000 Rp 0 Terlambat, kurang Rp 20.000"
    # Transactions newest first, each with its receipt; the withdrawal shows its memo.
    txns = list(SavingsTransaction.objects.filter(member=budi).order_by("-date", "-id"))
    assert len(txns) == 4
    rows = re.findall(r'<tr id="txn-(\d+)"', html)
    assert rows == [str(t.pk) for t in txns]
    assert section(html, f"txn-{txns[0].pk}") == (
        "02/03/2026 Penarikan simpanan sukarela Biaya sekolah anak −Rp 40.000 Rp 110.000 Bukti"
    )
    for txn in txns:
        assert reverse("savings:receipt", args=[coop.code, txn.pk]) in html
    # Documents: the card and a passbook per kind.
    assert reverse("members:card", args=[coop.code, budi.pk]) in html
    for kind in ("pokok", "wajib", "sukarela"):
        assert reverse("savings:passbook", args=[coop.code, budi.pk, kind]) in html


def test_receipt_links_open_for_the_member_only(coop: Any, budi: Any, siti: Any) -> None:
    client = logged_in(budi.user)
    own = SavingsTransaction.objects.filter(member=budi).first()
    other = SavingsTransaction.objects.filter(member=siti).first()
    assert own is not None and other is not None

    assert client.get(reverse("savings:receipt", args=[coop.code, own.pk])).status_code == 200
    assert client.get(reverse("savings:receipt", args=[coop.code, other.pk])).status_code == 404


def test_member_never_sees_another_members_data(coop: Any, budi: Any, siti: Any) -> None:
    client = logged_in(budi.user)
    siti_txn = SavingsTransaction.objects.get(member=siti, kind="sukarela")

    for url in (portal_url(coop), portal_url(coop, "portal:bills"), portal_url(coop) + "?kind=sukarela"):
        html = client.get(url).content.decode()
        assert "Siti" not in html
        assert "Tabungan pribadi Siti" not in html
        assert "777.000" not in html
        assert f'id="txn-{siti_txn.pk}"' not in html
        assert reverse("savings:receipt", args=[coop.code, siti_txn.pk]) not in html


def test_transactions_are_paginated_by_20_and_filtered_by_kind(coop: Any, budi: Any, kasir: Any) -> None:
    for n in range(1, 21):
        savings_deposit(
            cooperative=coop, member=budi, kind="sukarela", amount=1_000 * n, date=D(2026, 4, n), actor=kasir
        )
    client = logged_in(budi.user)

    first = client.get(portal_url(coop)).content.decode()
    second = client.get(portal_url(coop) + "?page=2").content.decode()

    first_rows, second_rows = re.findall(r'<tr id="txn-', first), re.findall(r'<tr id="txn-', second)
    assert (len(first_rows), len(second_rows)) == (20, 4)
    assert "24 transaksi, terbaru di atas." in first
    assert "Halaman 1 dari 2" in first
    assert "20/04/2026" in first and "05/01/2026" not in first.split('id="transaksi"')[1]  # oldest on page 2
    assert "Setoran simpanan pokok" in second

    sukarela = client.get(portal_url(coop) + "?kind=sukarela").content.decode()
    assert len(re.findall(r'<tr id="txn-', sukarela)) == 20
    assert "22 transaksi, terbaru di atas." in sukarela
    assert 'href="?kind=sukarela&amp;page=2#transaksi"' in sukarela
    pokok = client.get(portal_url(coop) + "?kind=pokok").content.decode()
    assert len(re.findall(r'<tr id="txn-', pokok)) == 1


def test_unknown_kind_or_page_is_answered_without_error(coop: Any, budi: Any) -> None:
    client = logged_in(budi.user)

    response = client.get(portal_url(coop) + "?kind=emas&page=xyz")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Pilih pokok, wajib atau sukarela." in html
    assert len(re.findall(r'<tr id="txn-', html)) == 4  # every kind, first page
    assert client.get(portal_url(coop) + "?page=999").status_code == 200


def test_bills_page_lists_every_bill(coop: Any, budi: Any, admin_user: Any) -> None:
    for month in range(4, 11):
        wajib_bills_issue(cooperative=coop, month=D(2026, month, 1), actor=admin_user)
    client = logged_in(budi.user)

    home = client.get(portal_url(coop)).content.decode()
    page = client.get(portal_url(coop, "portal:bills"))

    assert page.status_code == 200
    html = page.content.decode()
    assert len(re.findall(r'<tr id="tagihan-', html)) == 9  # February–October
    assert len(re.findall(r'<tr id="tagihan-', home)) == 6  # the newest six, and a link to all
    assert portal_url(coop, "portal:bills") in home
    assert section(html, "tagihan-belum-dibayar").startswith("Belum dibayar: Rp 160.000")


def test_anggota_of_another_cooperative_gets_404(
    coop: Any, other_coop: Any, budi: Any, register_member: Any, kasir: Any, admin_user: Any
) -> None:
    # A member of Lamaru with a portal login of their own there.
    lamaru = register_member(other_coop, nik="6471015505900003", name="Rina Lamaru")
    lamaru_user = member_portal_account_create(
        cooperative=other_coop, member=lamaru, username="rina", password=PASSWORD, actor=admin_user
    )
    client = logged_in(lamaru_user)

    assert client.get(portal_url(coop)).status_code == 404
    assert client.get(portal_url(coop, "portal:bills")).status_code == 404
    assert client.get(portal_url(other_coop)).status_code == 200  # their own portal works
    assert "Budi" not in client.get(portal_url(other_coop)).content.decode()


def test_officer_without_membership_gets_404(coop: Any, budi: Any, ketua: Any, kasir: Any, grant: Any) -> None:
    assert logged_in(ketua).get(portal_url(coop)).status_code == 404
    assert logged_in(kasir).get(portal_url(coop, "portal:bills")).status_code == 404
    # An anggota login that no member record points to.
    unlinked = grant(coop, Role.ANGGOTA, "anggota-tanpa-data")
    assert logged_in(unlinked).get(portal_url(coop)).status_code == 404


def test_a_ketua_who_is_also_a_member_sees_the_portal(coop: Any, budi: Any) -> None:
    CooperativeRole.objects.create(cooperative=coop, user=budi.user, role=Role.KETUA)

    assert logged_in(budi.user).get(portal_url(coop)).status_code == 200


def test_anonymous_is_sent_to_login(coop: Any, budi: Any) -> None:
    response = Client().get(portal_url(coop))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_only_get(coop: Any, budi: Any) -> None:
    assert logged_in(budi.user).post(portal_url(coop)).status_code == 405


def test_a_former_member_still_sees_the_history(coop: Any, budi: Any, admin_user: Any) -> None:
    member_exit(
        cooperative=coop, member=budi, status="keluar", date=D(2026, 3, 20), reason="Pindah kota", actor=admin_user
    )

    html = logged_in(budi.user).get(portal_url(coop)).content.decode()

    assert section(html, "status") == "Keluar"
    assert "Keanggotaan berakhir" in html and "20/03/2026" in html
    assert section(html, "saldo-total") == "Jumlah simpanan Rp 0"
    assert html.count("Pengembalian (keluar)") == 3  # pokok, wajib and sukarela refunded


def test_calon_member_sees_their_status(coop: Any, register_member: Any, admin_user: Any) -> None:
    calon = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", kk="6471040101100004")
    user = member_portal_account_create(
        cooperative=coop, member=calon, username="siti", password=PASSWORD, actor=admin_user
    )

    html = logged_in(user).get(portal_url(coop)).content.decode()

    assert section(html, "status") == "Calon anggota"
    assert "Bayar simpanan pokok" in html
    assert section(html, "saldo-total") == "Jumlah simpanan Rp 0"
    assert "Belum ada tagihan simpanan wajib." in html
    assert "Belum ada transaksi." in html


def test_query_count_does_not_grow_with_transactions(
    coop: Any, budi: Any, kasir: Any, admin_user: Any, django_assert_max_num_queries: Any
) -> None:
    client = logged_in(budi.user)
    client.get(portal_url(coop))  # warm the session
    with django_assert_max_num_queries(14):
        client.get(portal_url(coop))
    for n in range(1, 31):
        savings_deposit(cooperative=coop, member=budi, kind="sukarela", amount=5_000, date=D(2026, 5, n), actor=kasir)
    for month in range(4, 11):
        wajib_bills_issue(cooperative=coop, month=D(2026, month, 1), actor=admin_user)
    with django_assert_max_num_queries(14):
        assert client.get(portal_url(coop)).status_code == 200
    with django_assert_max_num_queries(11):
        assert client.get(portal_url(coop, "portal:bills")).status_code == 200


# --- Where home sends a user ---------------------------------------------------------------------
def test_home_sends_a_member_with_only_the_anggota_role_to_the_portal(coop: Any, budi: Any) -> None:
    response = logged_in(budi.user).get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == portal_url(coop)


def test_home_sends_others_to_the_cooperative(coop: Any, budi: Any, ketua: Any, grant: Any) -> None:
    detail = reverse("cooperatives:detail", args=[coop.code])
    unlinked = grant(coop, Role.ANGGOTA, "anggota-tanpa-data")
    assert logged_in(ketua).get(reverse("home"))["Location"] == detail
    assert logged_in(unlinked).get(reverse("home"))["Location"] == detail
    # A member who is also the bendahara lands on the cooperative, where both are linked.
    CooperativeRole.objects.create(cooperative=coop, user=budi.user, role=Role.BENDAHARA)
    assert logged_in(budi.user).get(reverse("home"))["Location"] == detail
