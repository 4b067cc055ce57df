"""HTML pages of the member registry: list, export, register, detail, edit, exit, portal login.

Permissions (403 for a role without the action, 404 for another cooperative), refusals that
change nothing, the two-step exit that pays out exactly, export cells and query counts.
"""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry
from koperasi.members.models import Member, MemberStatusChange
from koperasi.savings import obligations
from koperasi.savings.calculations import Obligation
from koperasi.savings.models import SavingsAccount, SavingsTransaction
from koperasi.savings.services import savings_deposit
from tests.conftest import KK, NIK_MAN, NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = timezone.localdate()
BASE = "/k/manggar/anggota/"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(**overrides: Any) -> dict[str, str]:
    """What the registration form posts for Budi."""
    data = {
        "nik": NIK_MAN,
        "kk": KK,
        "name": "Budi Santoso",
        "birth_place": "Balikpapan",
        "address": "Jl. Jenderal Sudirman No. 12 RT 05",
        "kelurahan_code": "64.71.01.1001",
        "phone": "0812-3456-7890",
        "occupation": "Nelayan",
        "joined_on": "2026-01-05",
    }
    data.update(overrides)
    return data


def snapshot() -> dict[str, Any]:
    """Everything the registry pages can write."""
    return {
        "members": list(Member.objects.order_by("pk").values_list("pk", "status", "name", "nik", "phone", "user_id")),
        "changes": MemberStatusChange.objects.count(),
        "accounts": list(SavingsAccount.objects.order_by("pk").values_list("pk", "balance")),
        "txns": SavingsTransaction.objects.count(),
        "entries": JournalEntry.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


@pytest.fixture
def pengawas(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.PENGAWAS)


@pytest.fixture
def bendahara(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.BENDAHARA)


@pytest.fixture
def saver(coop: Any, active_member: Any, kasir: Any) -> Any:
    """Budi with pokok Rp50.000, one wajib Rp20.000 and sukarela Rp100.000: Rp170.000 in all."""
    for kind, amount in (("wajib", 20_000), ("sukarela", 100_000)):
        savings_deposit(
            cooperative=coop, member=active_member, kind=kind, amount=amount, date=D(2026, 2, 2), actor=kasir
        )
    return active_member


# --- permissions and tenancy -------------------------------------------------------------------
def page_urls(member_id: int) -> list[str]:
    return [
        BASE,
        BASE + "ekspor.xlsx",
        BASE + "baru/",
        f"{BASE}{member_id}/",
        f"{BASE}{member_id}/ubah/",
        f"{BASE}{member_id}/keluar/",
        f"{BASE}{member_id}/akun-portal/",
    ]


def test_every_page_opens_for_the_ketua(active_member: Any, ketua: Any) -> None:
    client = login(ketua)
    for url in page_urls(active_member.pk):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        # pengawas reads the registry but does not register, edit, end memberships or give logins.
        (Role.PENGAWAS, {"", "ekspor.xlsx", "{id}/"}),
        # kasir registers and edits but does not end memberships (savings are paid out).
        (Role.KASIR, {"", "ekspor.xlsx", "baru/", "{id}/", "{id}/ubah/", "{id}/akun-portal/"}),
        (Role.BENDAHARA, {"", "ekspor.xlsx", "baru/", "{id}/", "{id}/ubah/", "{id}/keluar/", "{id}/akun-portal/"}),
    ],
)
def test_roles_without_the_action_get_403(
    coop: Any, active_member: Any, grant: Any, role: str, allowed: set[str]
) -> None:
    client = login(grant(coop, role, username=f"uji-{role}"))
    for suffix in ("", "ekspor.xlsx", "baru/", "{id}/", "{id}/ubah/", "{id}/keluar/", "{id}/akun-portal/"):
        url = BASE + suffix.format(id=active_member.pk)
        assert client.get(url).status_code == (200 if suffix in allowed else 403), url


def test_anggota_and_dinas_do_not_see_the_registry(coop: Any, active_member: Any, grant: Any, dinas_user: Any) -> None:
    # Personal data stays inside the cooperative: the Dinas gets statistics only.
    for user in (grant(coop, Role.ANGGOTA, username="anggota-uji"), dinas_user):
        client = login(user)
        assert client.get(BASE).status_code == 403
        assert client.get(f"{BASE}{active_member.pk}/").status_code == 403


def test_writes_refused_with_403_change_nothing(coop: Any, active_member: Any, pengawas: Any, kasir: Any) -> None:
    before = snapshot()
    assert login(pengawas).post(BASE + "baru/", form_data(nik=NIK_WOMAN)).status_code == 403
    assert login(pengawas).post(f"{BASE}{active_member.pk}/ubah/", form_data(name="Lain")).status_code == 403
    exit_post = {
        "status": "keluar",
        "date": TODAY.isoformat(),
        "channel": "tunai",
        "confirm": "1",
        "expected_payout": "50000",
    }
    assert login(kasir).post(f"{BASE}{active_member.pk}/keluar/", exit_post).status_code == 403
    account = {"username": "budi", "password": "Kuat-sekali-77", "password_again": "Kuat-sekali-77"}
    assert login(pengawas).post(f"{BASE}{active_member.pk}/akun-portal/", account).status_code == 403
    assert snapshot() == before


def test_another_cooperatives_user_gets_404(active_member: Any, other_ketua: Any) -> None:
    client = login(other_ketua)
    for url in page_urls(active_member.pk):
        assert client.get(url).status_code == 404, url
    before = snapshot()
    assert client.post(BASE + "baru/", form_data(nik=NIK_WOMAN)).status_code == 404
    assert snapshot() == before


def test_another_cooperatives_member_is_404(other_coop: Any, register_member: Any, ketua: Any, bendahara: Any) -> None:
    theirs = register_member(other_coop)
    client = login(ketua)
    for url in page_urls(theirs.pk)[3:]:
        assert client.get(url).status_code == 404, url
    before = snapshot()
    assert client.post(f"{BASE}{theirs.pk}/ubah/", form_data(name="Diubah")).status_code == 404
    exit_post = {
        "status": "keluar",
        "date": TODAY.isoformat(),
        "channel": "tunai",
        "confirm": "1",
        "expected_payout": "0",
    }
    assert login(bendahara).post(f"{BASE}{theirs.pk}/keluar/", exit_post).status_code == 404
    assert snapshot() == before


def test_anonymous_is_sent_to_login(coop: Any) -> None:
    response = Client().get(BASE)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


# --- list ----------------------------------------------------------------------------------------
def test_list_shows_members_with_masked_nik(coop: Any, register_member: Any, ketua: Any) -> None:
    register_member(coop)
    register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", phone="")
    body = login(ketua).get(BASE).content.decode()
    assert "Budi Santoso" in body and "Siti Aminah" in body
    assert "6471••••••••0001" in body
    assert NIK_MAN not in body
    assert "00001" in body and "00002" in body
    assert "+6281234567890" in body
    assert "05/01/2026" in body
    assert "Calon anggota" in body
    assert "2 anggota" in body


def test_list_filters_by_status_and_search(coop: Any, active_member: Any, register_member: Any, ketua: Any) -> None:
    register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    client = login(ketua)
    body = client.get(BASE, {"status": "aktif"}).content.decode()
    assert "Budi Santoso" in body and "Siti Aminah" not in body
    body = client.get(BASE, {"q": "siti"}).content.decode()
    assert "Siti Aminah" in body and "Budi Santoso" not in body
    body = client.get(BASE, {"q": "647104550585"}).content.decode()  # the start of Siti's NIK
    assert "Siti Aminah" in body and "Budi Santoso" not in body
    body = client.get(BASE, {"q": "1"}).content.decode()  # member number 1
    assert "Budi Santoso" in body and "Siti Aminah" not in body
    response = client.get(BASE, {"status": "bukan-status"})
    assert response.status_code == 422  # the filter says why; the list shows everyone
    assert "Budi Santoso" in response.content.decode()


def _register_many(coop: Any, register_member: Any, count: int) -> None:
    for serial in range(1, count + 1):
        register_member(coop, nik=f"647104150585{serial:04d}", name=f"Anggota {serial}")


def test_list_query_count_does_not_grow_with_rows(
    coop: Any, register_member: Any, ketua: Any, django_assert_max_num_queries: Any
) -> None:
    _register_many(coop, register_member, 30)
    client = login(ketua)
    client.get(BASE)  # warm the session
    with django_assert_max_num_queries(8):  # session, user, cooperative, roles (2), page, count, menu
        response = client.get(BASE)
    assert response.content.decode().count("Anggota 1") == 11  # 1, 10–19
    assert "30 anggota" in response.content.decode()


def test_list_paginates_fifty_a_page(coop: Any, register_member: Any, ketua: Any, monkeypatch: Any) -> None:
    from koperasi.members import views

    assert views.PAGE_SIZE == 50
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    _register_many(coop, register_member, 5)
    client = login(ketua)
    body = client.get(BASE, {"page": "2"}).content.decode()
    assert "Anggota 3" in body and "Anggota 4" in body and "Anggota 2<" not in body
    assert "Halaman 2 dari 3" in body


# --- export --------------------------------------------------------------------------------------
def test_export_cells_of_one_member(coop: Any, saver: Any, register_member: Any, ketua: Any) -> None:
    register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", phone="")
    response = login(ketua).get(BASE + "ekspor.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f'filename="anggota-manggar-{TODAY:%Y%m%d}.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 3  # header + two members
    assert rows[0][:4] == ("No. anggota", "NIK", "No. KK", "Nama")
    age = TODAY.year - 1985 - ((TODAY.month, TODAY.day) < (5, 15))
    assert rows[1] == (
        "00001",
        NIK_MAN,
        KK,
        "Budi Santoso",
        "Laki-laki",
        None,
        datetime.datetime(1985, 5, 15),
        age,
        "Jl. Jenderal Sudirman No. 12 RT 05",
        "64.71.01.1001",
        "Manggar",
        "+6281234567890",
        None,
        "Anggota aktif",
        datetime.datetime(2026, 1, 5),
        datetime.datetime(2026, 1, 5),
        None,
        50_000,
        20_000,
        100_000,
        170_000,
    )
    assert rows[2][1] == NIK_WOMAN and rows[2][4] == "Perempuan" and rows[2][11] is None
    assert rows[2][-4:] == (0, 0, 0, 0)
    assert sheet["B2"].number_format == "@"  # the NIK stays text, all 16 digits


def test_export_follows_the_filter(coop: Any, saver: Any, register_member: Any, ketua: Any) -> None:
    register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    response = login(ketua).get(BASE + "ekspor.xlsx", {"status": "calon"})
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [row[3] for row in rows[1:]] == ["Siti Aminah"]


def test_export_queries_do_not_grow_with_members(
    coop: Any, register_member: Any, ketua: Any, django_assert_max_num_queries: Any
) -> None:
    _register_many(coop, register_member, 30)
    client = login(ketua)
    client.get(BASE)
    with django_assert_max_num_queries(7):  # session, user, cooperative, roles (2), balances, members
        response = client.get(BASE + "ekspor.xlsx")
    assert len(list(load_workbook(BytesIO(response.content)).active.iter_rows())) == 31


# --- register ------------------------------------------------------------------------------------
def test_register_creates_member_one_and_asks_for_pokok(coop: Any, kasir: Any) -> None:
    client = login(kasir)
    page = client.get(BASE + "baru/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="64.71.01.1001" selected' in body  # the cooperative's kelurahan by default
    assert f'value="{TODAY.isoformat()}"' in body  # joined today by default
    response = client.post(BASE + "baru/", form_data())
    member = Member.objects.get()
    assert (member.member_no, member.status, member.cooperative_id) == (1, "calon", coop.pk)
    assert (member.gender, member.birth_date, member.phone) == ("L", D(1985, 5, 15), "+6281234567890")
    assert (member.birth_place, member.occupation, member.created_by_id) == ("Balikpapan", "Nelayan", kasir.pk)
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}{member.pk}/"
    [message] = flashes(response)
    assert "calon anggota no. 00001" in message
    assert "simpanan pokok Rp 50.000" in message
    detail = client.get(response["Location"]).content.decode()
    assert "simpanan pokok Rp 50.000 dibayar" in detail
    assert f"?member={member.pk}&amp;kind=pokok&amp;direction=deposit" in detail  # the teller's button


def test_register_bad_nik_shows_reasons_and_creates_nothing(coop: Any, kasir: Any) -> None:
    before = snapshot()
    response = login(kasir).post(BASE + "baru/", form_data(nik="6471041513850001", phone="12345", name=""))
    assert response.status_code == 422
    body = response.content.decode()
    assert "NIK tidak valid: tanggal lahir 15-13-85" in body
    assert "Nomor HP tidak valid" in body
    assert "Nama wajib diisi." in body
    assert 'value="Jl. Jenderal Sudirman No. 12 RT 05"' in body  # what was typed stays
    assert snapshot() == before


def test_register_duplicate_nik_is_409_with_the_member_named(coop: Any, active_member: Any, kasir: Any) -> None:
    before = snapshot()
    response = login(kasir).post(BASE + "baru/", form_data(name="Budi Kembar"))
    assert response.status_code == 409
    assert f"NIK {NIK_MAN} sudah terdaftar sebagai anggota aktif no. 00001." in response.content.decode()
    assert snapshot() == before


def test_register_unknown_kelurahan_is_refused(coop: Any, kasir: Any) -> None:
    before = snapshot()
    response = login(kasir).post(BASE + "baru/", form_data(kelurahan_code="11.01.01.2001"))
    assert response.status_code == 422
    assert snapshot() == before


def test_nik_preview_for_htmx(coop: Any, kasir: Any) -> None:
    client = login(kasir)
    body = client.get(BASE + "baru/", {"pratinjau": "nik", "nik": NIK_WOMAN}, headers={"HX-Request": "true"})
    text = body.content.decode()
    assert "Perempuan" in text and "15/05/1985" in text
    assert "<html" not in text
    bad = client.get(BASE + "baru/", {"pratinjau": "nik", "nik": "123"}).content.decode()
    assert "NIK harus 16 angka" in bad
    form = client.get(BASE + "baru/").content.decode()
    assert 'hx-get="/k/manggar/anggota/baru/"' in form


# --- detail --------------------------------------------------------------------------------------
def test_detail_shows_identity_savings_and_history(coop: Any, saver: Any, ketua: Any) -> None:
    body = login(ketua).get(f"{BASE}{saver.pk}/").content.decode()
    assert NIK_MAN in body and KK in body  # the ketua manages members: full numbers
    assert "Laki-laki" in body and "15/05/1985" in body
    age = TODAY.year - 1985 - ((TODAY.month, TODAY.day) < (5, 15))
    assert f"{age} tahun" in body
    for amount in ("Rp 50.000", "Rp 20.000", "Rp 100.000", "Rp 170.000"):
        assert amount in body
    assert "Simpanan pokok lunas" in body  # the status history
    assert "Calon anggota" in body and "Anggota aktif" in body
    assert f"/k/manggar/anggota/{saver.pk}/ubah/" in body
    assert f"/k/manggar/anggota/{saver.pk}/keluar/" in body
    assert f"/k/manggar/anggota/{saver.pk}/akun-portal/" in body
    assert "masih calon anggota" not in body.lower()


def test_detail_masks_nik_for_a_role_that_does_not_manage(coop: Any, saver: Any, pengawas: Any) -> None:
    body = login(pengawas).get(f"{BASE}{saver.pk}/").content.decode()
    assert NIK_MAN not in body and KK not in body
    assert "6471••••••••0001" in body
    member_url = f"{BASE}{saver.pk}/"
    for page in ("ubah/", "keluar/", "akun-portal/"):
        assert member_url + page not in body


def test_detail_wajib_bills_summary(coop: Any, saver: Any, ketua: Any, admin_user: Any) -> None:
    from koperasi.savings.services import wajib_bills_issue

    for month in (D(2026, 2, 1), D(2026, 3, 1)):
        wajib_bills_issue(cooperative=coop, month=month, actor=admin_user)
    body = login(ketua).get(f"{BASE}{saver.pk}/").content.decode()
    # Two bills of Rp20.000; one wajib deposit pays February; March is overdue.
    assert "Rp 40.000" in body
    assert "1 bulan lewat jatuh tempo" in body


# --- edit ----------------------------------------------------------------------------------------
def test_edit_corrects_details_and_keeps_number_and_status(coop: Any, active_member: Any, kasir: Any) -> None:
    client = login(kasir)
    page = client.get(f"{BASE}{active_member.pk}/ubah/").content.decode()
    assert 'value="Budi Santoso"' in page and f'value="{NIK_MAN}"' in page
    response = client.post(
        f"{BASE}{active_member.pk}/ubah/", form_data(name="Budi Santoso Putra", phone="+62 811 222 3333")
    )
    assert response.status_code == 302
    member = Member.objects.get(pk=active_member.pk)
    assert (member.name, member.phone, member.member_no, member.status) == (
        "Budi Santoso Putra",
        "+628112223333",
        1,
        "aktif",
    )
    assert flashes(response) == ["Data anggota no. 00001 disimpan."]


def test_edit_with_an_emptied_join_date_keeps_it(coop: Any, active_member: Any, kasir: Any) -> None:
    response = login(kasir).post(f"{BASE}{active_member.pk}/ubah/", form_data(joined_on=""))
    assert response.status_code == 302
    assert Member.objects.get(pk=active_member.pk).joined_on == D(2026, 1, 5)


def test_edit_refusal_changes_nothing(coop: Any, active_member: Any, register_member: Any, kasir: Any) -> None:
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    before = snapshot()
    client = login(kasir)
    response = client.post(f"{BASE}{active_member.pk}/ubah/", form_data(kk="123"))
    assert response.status_code == 422
    assert "No. KK harus 16 angka" in response.content.decode()
    response = client.post(f"{BASE}{siti.pk}/ubah/", form_data(name="Siti Aminah"))  # Budi's NIK
    assert response.status_code == 409
    assert "sudah terdaftar" in response.content.decode()
    assert snapshot() == before


# --- exit ----------------------------------------------------------------------------------------
def exit_post(**overrides: str) -> dict[str, str]:
    data = {"status": "keluar", "date": TODAY.isoformat(), "reason": "Pindah ke Samarinda", "channel": "tunai"}
    data.update(overrides)
    return data


def test_exit_shows_the_calculation(coop: Any, saver: Any, bendahara: Any) -> None:
    body = login(bendahara).get(f"{BASE}{saver.pk}/keluar/").content.decode()
    for amount in ("Rp 50.000", "Rp 20.000", "Rp 100.000"):
        assert amount in body
    assert '<th class="num" id="net-payout">Rp 170.000</th>' in body
    assert 'name="confirm"' not in body  # the first step only previews


def test_exit_two_steps_pay_out_exactly(coop: Any, saver: Any, bendahara: Any) -> None:
    client = login(bendahara)
    url = f"{BASE}{saver.pk}/keluar/"
    before = snapshot()
    step1 = client.post(url, exit_post())
    assert step1.status_code == 200
    body = step1.content.decode()
    assert 'name="expected_payout" value="170000"' in body
    assert 'name="confirm" value="1"' in body
    assert "Bayarkan Rp 170.000 dan akhiri keanggotaan?" in body
    assert snapshot() == before  # the confirmation step writes nothing

    response = client.post(url, exit_post(expected_payout="170000", confirm="1"))
    assert response.status_code == 302
    member = Member.objects.get(pk=saver.pk)
    assert (member.status, member.left_on, member.leave_reason) == ("keluar", TODAY, "Pindah ke Samarinda")
    assert set(SavingsAccount.objects.filter(member=member).values_list("balance", flat=True)) == {0}
    assert JournalEntry.objects.count() == before["entries"] + 1
    refunds = SavingsTransaction.objects.filter(member=member, type="pengembalian")
    assert sorted(refunds.values_list("kind", "amount")) == [
        ("pokok", 50_000),
        ("sukarela", 100_000),
        ("wajib", 20_000),
    ]
    assert len({t.journal_entry_id for t in refunds}) == 1
    first_refund = refunds.order_by("pk").first()
    assert response["Location"] == f"{BASE}{member.pk}/?pengembalian={first_refund.pk}"
    assert flashes(response) == ["Keanggotaan no. 00001 berakhir (keluar)."]
    detail = client.get(response["Location"]).content.decode()
    assert "Simpanan dikembalikan pada" in detail
    assert "/akhiri" not in detail and f"{BASE}{member.pk}/keluar/" not in detail


def test_exit_with_a_stale_expected_payout_refuses_and_changes_nothing(coop: Any, saver: Any, bendahara: Any) -> None:
    before = snapshot()
    response = login(bendahara).post(f"{BASE}{saver.pk}/keluar/", exit_post(expected_payout="150000", confirm="1"))
    assert response.status_code == 409
    body = response.content.decode()
    assert "Perhitungan berubah: pengembalian sekarang Rp 170.000." in body
    assert snapshot() == before
    assert Member.objects.get(pk=saver.pk).status == "aktif"


def test_exit_form_errors_are_shown(coop: Any, saver: Any, bendahara: Any) -> None:
    client = login(bendahara)
    url = f"{BASE}{saver.pk}/keluar/"
    before = snapshot()
    response = client.post(url, exit_post(status="diberhentikan", reason="", expected_payout="170000", confirm="1"))
    assert response.status_code == 422
    assert "Alasan pemberhentian wajib diisi." in response.content.decode()
    response = client.post(url, exit_post(channel="transfer", expected_payout="170000", confirm="1"))
    assert response.status_code == 422
    assert "Nomor referensi transfer wajib diisi." in response.content.decode()
    response = client.post(url, exit_post(date="kemarin"))
    assert response.status_code == 422
    assert snapshot() == before


def test_exit_blocked_by_an_obligation(coop: Any, saver: Any, bendahara: Any) -> None:
    def open_loan(member: Any) -> list[Obligation]:
        return [
            Obligation("Pinjaman no. 7", 300_000, "loans_receivable", blocks_exit=True, reason="Pinjaman belum lunas.")
        ]

    obligations.register(open_loan)
    try:
        client = login(bendahara)
        url = f"{BASE}{saver.pk}/keluar/"
        body = client.get(url).content.decode()
        assert "Pinjaman no. 7" in body and "Pinjaman belum lunas." in body
        step1 = client.post(url, exit_post())
        assert 'name="confirm"' not in step1.content.decode()  # nothing to confirm
        before = snapshot()
        response = client.post(url, exit_post(expected_payout="170000", confirm="1"))
        assert response.status_code == 409
        assert "Keanggotaan belum dapat diakhiri" in response.content.decode()
        assert snapshot() == before
    finally:
        obligations.unregister(open_loan)


def test_exit_of_an_ended_member_is_refused(coop: Any, saver: Any, bendahara: Any) -> None:
    client = login(bendahara)
    url = f"{BASE}{saver.pk}/keluar/"
    client.post(url, exit_post(expected_payout="170000", confirm="1"))
    before = snapshot()
    page = client.get(url)
    assert page.status_code == 200
    assert "Keanggotaan sudah berakhir" in page.content.decode()
    response = client.post(url, exit_post(expected_payout="0", confirm="1"))
    assert response.status_code == 409
    assert snapshot() == before


# --- portal login --------------------------------------------------------------------------------
def test_portal_account_created(coop: Any, active_member: Any, kasir: Any, django_user_model: Any) -> None:
    client = login(kasir)
    url = f"{BASE}{active_member.pk}/akun-portal/"
    response = client.post(url, {"username": "budi", "password": "Kuat-sekali-77", "password_again": "Kuat-sekali-77"})
    assert response.status_code == 302
    user = django_user_model.objects.get(username="budi")
    assert Member.objects.get(pk=active_member.pk).user_id == user.pk
    assert user.check_password("Kuat-sekali-77")
    detail = client.get(response["Location"]).content.decode()
    assert "/akun-portal/" not in detail
    # A second login for the same member is refused.
    before = snapshot()
    again = client.post(url, {"username": "budi2", "password": "Kuat-sekali-77", "password_again": "Kuat-sekali-77"})
    assert again.status_code == 409
    assert "sudah punya akun portal" in again.content.decode()
    assert snapshot() == before


def test_portal_account_refusals(coop: Any, active_member: Any, kasir: Any, django_user_model: Any) -> None:
    client = login(kasir)
    url = f"{BASE}{active_member.pk}/akun-portal/"
    users = django_user_model.objects.count()
    before = snapshot()
    response = client.post(url, {"username": "budi", "password": "Kuat-sekali-77", "password_again": "lain"})
    assert response.status_code == 422
    assert "Kedua kata sandi tidak sama." in response.content.decode()
    response = client.post(url, {"username": "kasir-manggar", "password": "123", "password_again": "123"})
    assert response.status_code == 422
    body = response.content.decode()
    assert "sudah dipakai" in body
    assert django_user_model.objects.count() == users
    assert snapshot() == before


def test_portal_link_of_an_existing_officer(
    coop: Any, active_member: Any, kasir: Any, ketua: Any, other_ketua: Any
) -> None:
    client = login(kasir)
    url = f"{BASE}{active_member.pk}/akun-portal/"
    before = snapshot()
    refused = client.post(url, {"link_username": other_ketua.username})
    assert refused.status_code == 409
    assert "tidak terdaftar di koperasi ini" in refused.content.decode()
    assert snapshot() == before
    linked = client.post(url, {"link_username": ketua.username.upper()})
    assert linked.status_code == 302
    assert Member.objects.get(pk=active_member.pk).user_id == ketua.pk
