"""Savings pages: teller, wajib arrears and bills, settings, interest, reconciliation, summary."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.savings import reminders
from koperasi.savings.models import InterestRun, SavingsAccount, SavingsSetting, SavingsTransaction, WajibBill
from koperasi.savings.services import (
    savings_deposit,
    savings_setting_create,
    savings_withdraw,
    wajib_bills_issue,
)
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
BASE = "/k/manggar/simpanan/"
TELLER = BASE + "transaksi/baru/"
ARREARS = BASE + "tunggakan/"
SETTINGS = BASE + "pengaturan/"
INTEREST = BASE + "bunga/"
RECONCILE = BASE + "rekonsiliasi/"
PAGES = ["", "transaksi/baru/", "tunggakan/", "tunggakan/?format=xlsx", "pengaturan/", "bunga/", "rekonsiliasi/"]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot() -> dict[str, Any]:
    """Everything these pages can write."""
    return {
        "txns": SavingsTransaction.objects.count(),
        "entries": JournalEntry.objects.count(),
        "lines": JournalLine.objects.count(),
        "balances": SavingsAccount.objects.aggregate(s=Sum("balance"))["s"],
        "bills": WajibBill.objects.count(),
        "settings": SavingsSetting.objects.count(),
        "runs": InterestRun.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def teller_data(member: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "member": member.pk,
        "kind": "sukarela",
        "direction": "setor",
        "amount": "150.000",
        "date": "2026-03-02",
        "channel": "tunai",
        "reference": "",
        "memo": "",
        "idempotency_key": "kunci-uji-1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def bendahara(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.BENDAHARA)


@pytest.fixture
def pengawas(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.PENGAWAS)


# --- permissions and tenancy ------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_another_cooperatives_officer_gets_404(page: str, other_ketua: Any) -> None:
    assert login(other_ketua).get(BASE + page).status_code == 404


@pytest.mark.parametrize(
    ("page", "role", "status"),
    [
        ("", Role.PENGAWAS, 200),
        ("", Role.ANGGOTA, 403),
        ("transaksi/baru/", Role.KASIR, 200),
        ("transaksi/baru/", Role.BENDAHARA, 200),
        ("transaksi/baru/", Role.PENGAWAS, 403),
        ("transaksi/baru/", Role.KETUA, 403),
        ("tunggakan/", Role.KASIR, 200),
        ("tunggakan/", Role.ANGGOTA, 403),
        ("pengaturan/", Role.PENGAWAS, 200),
        ("pengaturan/", Role.ANGGOTA, 403),
        ("bunga/", Role.BENDAHARA, 200),
        ("bunga/", Role.KETUA, 403),
        ("rekonsiliasi/", Role.PENGAWAS, 200),
        ("rekonsiliasi/", Role.ANGGOTA, 403),
    ],
)
def test_pages_by_role(page: str, role: str, status: int, coop: Any, grant: Any) -> None:
    assert login(grant(coop, role)).get(BASE + page).status_code == status


def test_dinas_does_not_see_members_savings(coop: Any, dinas_user: Any) -> None:
    assert login(dinas_user).get(BASE).status_code == 403
    assert login(dinas_user).get(ARREARS).status_code == 403


def test_anonymous_is_sent_to_login(coop: Any) -> None:
    response = Client().get(TELLER)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


# --- teller ------------------------------------------------------------------------------------
def test_teller_search_finds_by_name_number_and_nik(kasir: Any, active_member: Any) -> None:
    client = login(kasir)
    for term in ("budi", "1", "00001", active_member.nik[:10]):
        response = client.get(TELLER, {"q": term})
        assert response.status_code == 200
        assert f'href="?member={active_member.pk}"' in response.content.decode(), term
    response = client.get(TELLER, {"q": "Tidak Ada"})
    assert "Tidak ada anggota yang cocok." in response.content.decode()


def test_teller_shows_member_balances_and_a_fresh_key(kasir: Any, active_member: Any) -> None:
    client = login(kasir)
    response = client.get(TELLER, {"member": active_member.pk, "kind": "sukarela", "direction": "setor"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Budi Santoso" in page and "00001" in page and "Anggota aktif" in page
    assert "Rp 50.000" in page  # pokok balance
    form = response.context["form"]
    assert form.initial["kind"] == "sukarela" and form.initial["direction"] == "setor"
    assert form.initial["date"] == timezone.localdate()
    key = form.initial["idempotency_key"]
    assert len(key) >= 20 and f'value="{key}"' in page
    second = client.get(TELLER, {"member": active_member.pk})
    assert second.context["form"].initial["idempotency_key"] != key


def test_teller_prefills_pokok_in_force_for_a_calon(
    kasir: Any, coop: Any, register_member: Any, bendahara: Any
) -> None:
    savings_setting_create(
        cooperative=coop, actor=bendahara, effective_from=D(2026, 1, 1), pokok_amount=100_000, wajib_amount=25_000
    )
    calon = register_member(coop)
    response = login(kasir).get(TELLER, {"member": calon.pk})
    assert response.status_code == 200
    assert response.context["form"].initial["kind"] == "pokok"
    assert response.context["form"].initial["amount"] == 100_000
    page = response.content.decode()
    assert 'value="100000"' in page
    assert "Simpanan pokok yang berlaku Rp 100.000" in page


def test_teller_deposit_records_one_transaction_and_entry_and_a_resubmit_nothing_more(
    kasir: Any, active_member: Any
) -> None:
    client = login(kasir)
    before = snapshot()
    response = client.post(TELLER, teller_data(active_member))
    txn = SavingsTransaction.objects.get(idempotency_key="kunci-uji-1")
    assert response.status_code == 302
    assert response["Location"] == reverse("savings:receipt", args=["manggar", txn.pk])
    assert (txn.member_id, txn.kind, txn.type, txn.amount, txn.balance_after, txn.date) == (
        active_member.pk,
        "sukarela",
        "setor",
        150_000,
        150_000,
        D(2026, 3, 2),
    )
    assert txn.created_by == kasir
    lines = list(
        JournalLine.objects.filter(entry=txn.journal_entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "member_id")
    )
    assert lines == [("1-1100", 150_000, 0, None), ("2-1100", 0, 150_000, active_member.pk)]
    after = snapshot()
    assert after["txns"] == before["txns"] + 1
    assert after["entries"] == before["entries"] + 1
    assert after["balances"] == before["balances"] + 150_000
    assert flashes(response) == [
        "Setoran simpanan sukarela Rp 150.000 untuk 00001 Budi Santoso dicatat; saldo Rp 150.000."
    ]

    again = client.post(TELLER, teller_data(active_member))  # double click / browser re-submit
    assert again.status_code == 302
    assert again["Location"] == response["Location"]
    assert snapshot() == after
    assert flashes(again)[-1] == "Transaksi ini sudah tercatat; kiriman ganda diabaikan."


def test_teller_withdrawal_by_transfer(bendahara: Any, active_member: Any, kasir: Any, coop: Any) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=200_000, date=D(2026, 3, 1), actor=kasir
    )
    response = login(bendahara).post(
        TELLER,
        teller_data(
            active_member, direction="tarik", amount="Rp 75.000", channel="transfer", reference="TRF-001", memo="Biaya"
        ),
    )
    assert response.status_code == 302
    txn = SavingsTransaction.objects.get(idempotency_key="kunci-uji-1")
    assert (txn.type, txn.amount, txn.balance_after, txn.channel, txn.reference, txn.memo) == (
        "tarik",
        75_000,
        125_000,
        "transfer",
        "TRF-001",
        "Biaya",
    )
    lines = list(
        JournalLine.objects.filter(entry=txn.journal_entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "member_id")
    )
    assert lines == [("2-1100", 75_000, 0, active_member.pk), ("1-1200", 0, 75_000, None)]


def test_teller_overdraw_is_409_and_writes_nothing(kasir: Any, active_member: Any, coop: Any) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=40_000, date=D(2026, 3, 1), actor=kasir
    )
    before = snapshot()
    response = login(kasir).post(TELLER, teller_data(active_member, direction="tarik", amount="50.000"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Saldo simpanan sukarela tidak cukup: saldo Rp 40.000, diminta Rp 50.000." in page
    assert 'value="50.000"' in page  # what was typed is kept
    assert 'value="kunci-uji-1"' in page  # the same key: the corrected form still records once
    assert snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "status", "field", "message"),
    [
        ({"amount": "12,5"}, 422, "amount", "Jumlah harus rupiah bulat tanpa desimal."),
        ({"amount": "-5.000"}, 422, "amount", "Jumlah harus lebih dari nol."),
        ({"amount": "0"}, 422, "amount", "Jumlah harus lebih dari nol."),
        ({"amount": "seribu"}, 422, "amount", "Tulis jumlah dalam rupiah, mis. 1.250.000."),
        ({"amount": ""}, 422, "amount", ""),
        ({"amount": "500.000.000"}, 422, "amount", "melebihi batas satu transaksi Rp 100.000.000"),
        ({"channel": "transfer"}, 422, "reference", "Nomor referensi transfer wajib diisi."),
        ({"date": "2099-01-01"}, 422, "date", "Tanggal transaksi tidak boleh di masa depan."),
        ({"date": "2025-12-31"}, 422, "date", "Tanggal transaksi sebelum anggota mendaftar (05/01/2026)."),
        ({"kind": "pokok", "direction": "tarik", "amount": "50.000"}, 409, "kind", "tidak dapat ditarik selama"),
        ({"kind": "pokok", "amount": "50.000"}, 409, "__all__", "Simpanan pokok sudah lunas"),
        ({"kind": "emas"}, 422, "kind", ""),
        ({"direction": "pinjam"}, 422, "direction", ""),
    ],
)
def test_teller_refusals_show_on_the_form_and_write_nothing(
    overrides: dict[str, str], status: int, field: str, message: str, kasir: Any, active_member: Any
) -> None:
    before = snapshot()
    response = login(kasir).post(TELLER, teller_data(active_member, **overrides))
    assert response.status_code == status
    errors = response.context["form"].errors
    assert list(errors) == [field]
    assert message in " ".join(errors[field])
    assert message in response.content.decode()
    assert snapshot() == before


def test_teller_refuses_a_closed_period(bendahara: Any, kasir: Any, active_member: Any, coop: Any) -> None:
    from koperasi.ledger.services import period_close

    period_close(cooperative=coop, month=D(2026, 2, 1), reason="Laporan Februari selesai", actor=bendahara)
    before = snapshot()
    response = login(kasir).post(TELLER, teller_data(active_member, date="2026-02-20"))
    assert response.status_code == 409
    assert "Periode 02/2026 sudah ditutup" in response.content.decode()
    assert snapshot() == before


def test_teller_another_cooperatives_member_is_404(
    kasir: Any, active_member: Any, other_coop: Any, register_member: Any
) -> None:
    stranger = register_member(other_coop, nik=NIK_WOMAN, name="Siti Aminah")
    client = login(kasir)
    assert client.get(TELLER, {"member": stranger.pk}).status_code == 404
    assert client.get(TELLER, {"member": "x"}).status_code == 404
    before = snapshot()
    response = client.post(TELLER, teller_data(stranger, kind="pokok", amount="50.000"))
    assert response.status_code == 404
    assert snapshot() == before


def test_teller_post_by_pengawas_is_403(pengawas: Any, active_member: Any) -> None:
    before = snapshot()
    assert login(pengawas).post(TELLER, teller_data(active_member)).status_code == 403
    assert snapshot() == before


# --- wajib arrears ----------------------------------------------------------------------------
@pytest.fixture
def arrears_case(coop: Any, kasir: Any, active_member: Any, register_member: Any) -> dict[str, Any]:
    """Budi: bills Feb–Apr 2026 (Rp20.000 each), Feb paid. Siti (no phone): Mar–Apr bills, none paid."""
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", phone="", joined_on="2026-02-01")
    savings_deposit(cooperative=coop, member=siti, kind="pokok", amount=50_000, date=D(2026, 3, 1), actor=kasir)
    for month in (D(2026, 2, 1), D(2026, 3, 1), D(2026, 4, 1)):
        wajib_bills_issue(cooperative=coop, month=month, actor=kasir)
    savings_deposit(
        cooperative=coop, member=active_member, kind="wajib", amount=20_000, date=D(2026, 2, 8), actor=kasir
    )
    return {"budi": active_member, "siti": siti}


def test_arrears_lists_members_totals_and_whatsapp_reminders(
    kasir: Any, arrears_case: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = login(kasir)
    with django_assert_max_num_queries(9):
        response = client.get(ARREARS)
    assert response.status_code == 200
    assert response.context["total_members"] == 2
    assert response.context["total_amount"] == 80_000
    arrears = [r["arrears"] for r in response.context["rows"]]
    rows = [(a.member.name, a.months, a.amount, a.oldest) for a in arrears]
    assert rows == [("Budi Santoso", 2, 40_000, D(2026, 3, 1)), ("Siti Aminah", 2, 40_000, D(2026, 3, 1))]
    page = response.content.decode()
    assert '<strong id="total-tunggakan">Rp 80.000</strong>' in page
    text = reminders.wajib_reminder_text("KKMP Manggar", "Budi Santoso", 2, 40_000, D(2026, 3, 1))
    assert text == (
        "Assalamualaikum/Salam sejahtera Bapak/Ibu Budi Santoso, simpanan wajib Anda di KKMP Manggar belum "
        "dibayar 2 bulan (sejak Maret 2026), total Rp 40.000. Mohon dibayarkan ke kasir koperasi. Terima kasih."
    )
    link = "https://wa.me/6281234567890?text=" + quote(text, safe="")
    assert response.context["rows"][0]["whatsapp"] == link
    assert f'href="{link}"' in page
    assert response.context["rows"][1]["whatsapp"] == ""  # Siti has no phone
    siti_row = page.split(f'id="anggota-{arrears_case["siti"].pk}"')[1].split("</tr>")[0]
    assert siti_row.count("—") == 2  # no phone, no WhatsApp link


def test_arrears_query_count_does_not_grow_with_members(
    kasir: Any, coop: Any, arrears_case: dict[str, Any], register_member: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(5):
        nik = f"64710415058{i + 1:05d}"
        member = register_member(coop, nik=nik, name=f"Anggota {i}", joined_on="2026-02-01")
        savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 2, 2), actor=kasir)
    wajib_bills_issue(cooperative=coop, month=D(2026, 5, 1), actor=kasir)
    client = login(kasir)
    with django_assert_max_num_queries(9):
        response = client.get(ARREARS)
    assert response.context["total_members"] == 7


def test_arrears_excel(kasir: Any, arrears_case: dict[str, Any]) -> None:
    response = login(kasir).get(ARREARS, {"format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = [tuple(c.value for c in row) for row in sheet.iter_rows(min_row=6)]
    assert rows[0] == ("No. anggota", "Nama", "Telepon", "Bulan tertunggak", "Jumlah", "Sejak bulan")
    assert rows[1] == ("00001", "Budi Santoso", "+6281234567890", 2, 40_000, "Maret 2026")
    assert rows[2] == ("00002", "Siti Aminah", None, 2, 40_000, "Maret 2026")
    assert rows[3] == (None, "Jumlah: 2 anggota", None, None, 80_000, None)


def test_bills_issue_form_is_idempotent(bendahara: Any, active_member: Any) -> None:
    client = login(bendahara)
    assert client.get(ARREARS).context["form"] is not None
    response = client.post(ARREARS, {"month": "2026-03"})
    assert response.status_code == 302
    assert flashes(response) == ["Tagihan wajib Maret 2026: 1 tagihan baru diterbitkan."]
    bill = WajibBill.objects.get()
    assert (bill.member_id, bill.month, bill.amount, bill.due_on) == (
        active_member.pk,
        D(2026, 3, 1),
        20_000,
        D(2026, 3, 10),
    )
    before = snapshot()
    again = client.post(ARREARS, {"month": "03/2026"})
    assert flashes(again)[-1:] == ["Tagihan wajib Maret 2026 sudah diterbitkan sebelumnya; tidak ada tagihan baru."]
    assert snapshot() == before


def test_bills_issue_form_refusals(bendahara: Any, kasir: Any, active_member: Any) -> None:
    before = snapshot()
    response = login(bendahara).post(ARREARS, {"month": "2026-13"})
    assert response.status_code == 422
    assert "Tulis bulan sebagai TTTT-BB" in response.content.decode()
    assert login(kasir).get(ARREARS).context["form"] is None  # the kasir sees the list, not the batch
    assert login(kasir).post(ARREARS, {"month": "2026-03"}).status_code == 403
    assert snapshot() == before


# --- settings ---------------------------------------------------------------------------------
SETTING_POST = {
    "effective_from": "2026-04-01",
    "pokok_amount": "100.000",
    "wajib_amount": "25.000",
    "wajib_due_day": "15",
    "sukarela_rate_pa": "4,5",
    "sukarela_min_balance": "500.000",
    "transaction_limit": "50.000.000",
}


def test_settings_create_and_duplicate_date_refused(ketua: Any) -> None:
    client = login(ketua)
    page = client.get(SETTINGS)
    assert page.status_code == 200
    assert "Belum ada pengaturan koperasi" in page.content.decode()
    response = client.post(SETTINGS, SETTING_POST)
    assert response.status_code == 302
    assert flashes(response) == ["Pengaturan simpanan yang berlaku mulai 01/04/2026 disimpan."]
    row = SavingsSetting.objects.get()
    assert (
        row.effective_from,
        row.pokok_amount,
        row.wajib_amount,
        row.wajib_due_day,
        str(row.sukarela_rate_pa),
        row.sukarela_min_balance,
        row.transaction_limit,
        row.created_by,
    ) == (D(2026, 4, 1), 100_000, 25_000, 15, "4.50", 500_000, 50_000_000, ketua)
    shown = client.get(SETTINGS)
    assert shown.context["in_force"].pokok_amount == 100_000
    assert "Rp 100.000" in shown.content.decode()

    before = snapshot()
    duplicate = client.post(SETTINGS, {**SETTING_POST, "pokok_amount": "150.000"})
    assert duplicate.status_code == 409
    assert "Sudah ada pengaturan yang berlaku mulai 01/04/2026." in duplicate.content.decode()
    assert 'value="150.000"' in duplicate.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sukarela_rate_pa", "abc", "Bunga sukarela 0–100 % per tahun"),
        ("sukarela_rate_pa", "150", "Bunga sukarela 0–100 % per tahun"),
        ("wajib_due_day", "31", "Tanggal jatuh tempo 1–28."),
        ("wajib_amount", "0", "Simpanan wajib harus rupiah bulat lebih dari nol."),
        ("pokok_amount", "10,5", "Simpanan pokok harus rupiah bulat lebih dari nol."),
    ],
)
def test_settings_invalid_values_422(field: str, value: str, message: str, ketua: Any) -> None:
    before = snapshot()
    response = login(ketua).post(SETTINGS, {**SETTING_POST, field: value})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert snapshot() == before


def test_settings_pengawas_reads_but_cannot_write(pengawas: Any) -> None:
    client = login(pengawas)
    response = client.get(SETTINGS)
    assert response.status_code == 200 and response.context["form"] is None
    before = snapshot()
    assert client.post(SETTINGS, SETTING_POST).status_code == 403
    assert snapshot() == before


# --- interest ---------------------------------------------------------------------------------
@pytest.fixture
def rate_six(coop: Any, bendahara: Any) -> Any:
    return savings_setting_create(
        cooperative=coop,
        actor=bendahara,
        effective_from=D(2026, 1, 1),
        pokok_amount=50_000,
        wajib_amount=20_000,
        sukarela_rate_pa="6",
        sukarela_min_balance=100_000,
    )


def test_interest_page_runs_a_month_and_shows_the_total(
    bendahara: Any, kasir: Any, coop: Any, active_member: Any, rate_six: Any
) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=1_200_000, date=D(2026, 2, 10), actor=kasir
    )
    savings_withdraw(
        cooperative=coop, member=active_member, kind="sukarela", amount=200_000, date=D(2026, 3, 20), actor=kasir
    )
    client = login(bendahara)
    response = client.post(INTEREST, {"month": "2026-03"})
    assert response.status_code == 302
    assert flashes(response) == ["Bunga Maret 2026 dibukukan: 1 rekening, total Rp 5.000."]
    run = InterestRun.objects.get()
    assert (run.month, run.accounts_paid, run.total_interest, run.created_by) == (D(2026, 3, 1), 1, 5_000, bendahara)
    page = client.get(INTEREST)
    html = page.content.decode()
    row = html.split('id="bunga-2026-03"')[1].split("</tr>")[0]
    assert "Rp 5.000" in row and run.journal_entry.number in row
    assert f"/k/manggar/buku/jurnal/{run.journal_entry_id}/" in row

    before = snapshot()
    again = client.post(INTEREST, {"month": "2026-03"})
    assert flashes(again)[-1:] == ["Bunga Maret 2026 sudah dibukukan sebelumnya (1 rekening, Rp 5.000)."]
    assert snapshot() == before


def test_interest_page_refuses_a_month_not_over(bendahara: Any, active_member: Any) -> None:
    before = snapshot()
    this_month = timezone.localdate().strftime("%Y-%m")
    response = login(bendahara).post(INTEREST, {"month": this_month})
    assert response.status_code == 409
    assert "belum berakhir" in response.content.decode()
    assert f'value="{this_month}"' in response.content.decode()
    assert snapshot() == before


def test_interest_page_refuses_a_closed_period(bendahara: Any, active_member: Any, coop: Any, rate_six: Any) -> None:
    from koperasi.ledger.services import period_close

    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=1_000_000, date=D(2026, 1, 20), actor=bendahara
    )
    period_close(cooperative=coop, month=D(2026, 2, 1), reason="Laporan Februari selesai", actor=bendahara)
    before = snapshot()
    response = login(bendahara).post(INTEREST, {"month": "2026-02"})
    assert response.status_code == 409
    assert "Periode 02/2026 sudah ditutup" in response.content.decode()
    assert snapshot() == before


# --- reconciliation and summary ---------------------------------------------------------------
def test_reconcile_shows_each_control_account(pengawas: Any, active_member: Any) -> None:
    response = login(pengawas).get(RECONCILE)
    assert response.status_code == 200
    rows = [
        (r.kind, r.account_code, r.ledger_balance, r.members_balance, r.difference) for r in response.context["rows"]
    ]
    assert rows == [
        ("pokok", "3-1100", 50_000, 50_000, 0),
        ("wajib", "3-1200", 0, 0, 0),
        ("sukarela", "2-1100", 0, 0, 0),
    ]
    assert response.context["all_agree"] is True
    assert "Arti selisih" in response.content.decode()


@pytest.mark.ledger_tampered  # a manual journal straight to savings leaves the sub-ledger short on purpose
def test_reconcile_highlights_a_difference(bendahara: Any, active_member: Any, coop: Any) -> None:
    from koperasi.ledger.services import LineInput, journal_post

    journal_post(
        cooperative=coop,
        date=D(2026, 3, 1),
        lines=[LineInput(account="1-1100", debit=30_000), LineInput(account="2-1100", credit=30_000)],
        memo="Sukarela tanpa anggota",
        actor=bendahara,
    )
    response = login(bendahara).get(RECONCILE)
    assert response.context["all_agree"] is False
    page = response.content.decode()
    assert '<mark class="error"><strong>Rp 30.000</strong></mark>' in page
    assert "Ada selisih" in page


def test_home_totals_per_kind_and_today(kasir: Any, coop: Any, active_member: Any) -> None:
    today = timezone.localdate()
    savings_deposit(cooperative=coop, member=active_member, kind="sukarela", amount=300_000, date=today, actor=kasir)
    savings_withdraw(cooperative=coop, member=active_member, kind="sukarela", amount=100_000, date=today, actor=kasir)
    response = login(kasir).get(BASE)
    assert response.status_code == 200
    totals = [(t.kind, t.accounts, t.balance) for t in response.context["totals"]]
    assert totals == [("pokok", 1, 50_000), ("wajib", 0, 0), ("sukarela", 1, 200_000)]
    assert response.context["grand_total"] == 250_000
    day = response.context["day"]
    assert (day.count, day.deposits, day.withdrawals) == (2, 300_000, 100_000)
    page = response.content.decode()
    assert '<th class="num" id="jumlah-simpanan">Rp 250.000</th>' in page
    assert TELLER in page and ARREARS in page


def test_month_field_and_amount_parsing() -> None:
    from decimal import Decimal

    from koperasi.savings.forms import parse_amount

    assert parse_amount("1.250.000") == 1_250_000
    assert parse_amount("Rp 1.250.000") == 1_250_000
    assert parse_amount("1250000") == 1_250_000
    assert parse_amount("50.000,00") == 50_000
    assert parse_amount("12,5") == Decimal("12.5")
    assert parse_amount("12.5") == Decimal("12.5")
    assert parse_amount("-5.000") == -5_000
    assert parse_amount("") is None
    for bad in ("seribu", "1.2.3", "-", "1,2,3", "1e5"):
        with pytest.raises(ValueError):
            parse_amount(bad)


def test_list_pages_query_counts_do_not_grow(
    kasir: Any, bendahara: Any, coop: Any, register_member: Any, django_assert_max_num_queries: Any
) -> None:
    """The teller's search results, the settings history and the interest runs: a fixed number of queries."""
    for i in range(6):
        register_member(coop, nik=f"64710415058{i + 1:05d}", name=f"Anggota Uji {i}")
    for month in range(1, 5):
        savings_setting_create(
            cooperative=coop,
            actor=bendahara,
            effective_from=D(2026, month, 1),
            pokok_amount=50_000,
            wajib_amount=20_000,
        )
    for month in range(1, 5):
        login(bendahara).post(INTEREST, {"month": f"2026-0{month}"})
    assert InterestRun.objects.count() == 4
    teller, officer = login(kasir), login(bendahara)
    with django_assert_max_num_queries(8):
        response = teller.get(TELLER, {"q": "anggota uji"})
    assert len(response.context["matches"]) == 6
    with django_assert_max_num_queries(8):
        assert len(officer.get(SETTINGS).context["history"]) == 4
    with django_assert_max_num_queries(8):
        assert len(officer.get(INTEREST).context["runs"]) == 4


def test_reminder_text_and_link_are_pure() -> None:
    text = reminders.wajib_reminder_text("KKMP Manggar", "Budi Santoso", 3, 60_000, D(2026, 1, 1))
    assert text == (
        "Assalamualaikum/Salam sejahtera Bapak/Ibu Budi Santoso, simpanan wajib Anda di KKMP Manggar belum "
        "dibayar 3 bulan (sejak Januari 2026), total Rp 60.000. Mohon dibayarkan ke kasir koperasi. Terima kasih."
    )
    assert reminders.month_name(D(2025, 12, 1)) == "Desember 2025"
    assert reminders.whatsapp_link("", text) == ""
    assert reminders.whatsapp_link("+62 812-1", "a b&c") == "https://wa.me/628121?text=a%20b%26c"


# --- a member's own wajib ----------------------------------------------------------------------
def test_member_wajib_amount_set_and_cleared(coop: Any, active_member: Any, grant: Any) -> None:
    client = login(grant(coop, "bendahara"))
    url = f"{BASE}anggota/{active_member.pk}/wajib/"
    assert "Rp 20.000" in client.get(url).content.decode()
    response = client.post(url, {"wajib_amount": "35.000"})
    assert response.status_code == 302
    assert SavingsAccount.objects.get(member=active_member, kind="wajib").wajib_amount == 35_000
    assert client.post(url, {"wajib_amount": ""}).status_code == 302  # back to the settings
    assert SavingsAccount.objects.get(member=active_member, kind="wajib").wajib_amount is None


def test_member_wajib_amount_refusals(coop: Any, other_coop: Any, active_member: Any, kasir: Any, grant: Any) -> None:
    url = f"{BASE}anggota/{active_member.pk}/wajib/"
    before = snapshot()
    bendahara = login(grant(coop, "bendahara"))
    bad = bendahara.post(url, {"wajib_amount": "-5.000"})
    assert bad.status_code == 422
    assert "lebih dari nol" in bad.content.decode()
    assert login(kasir).post(url, {"wajib_amount": "30.000"}).status_code == 403
    assert login(grant(other_coop, "bendahara")).post(url, {"wajib_amount": "30.000"}).status_code == 404
    assert snapshot() == before


# --- corrections ---------------------------------------------------------------------------------
def test_bendahara_corrects_a_wrong_deposit_from_its_receipt(
    coop: Any, active_member: Any, kasir: Any, grant: Any
) -> None:
    from koperasi.savings.services import savings_deposit

    wrong = savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=500_000, date=D(2026, 2, 3), actor=kasir
    )
    bendahara = login(grant(coop, "bendahara"))
    receipt = bendahara.get(f"{BASE}transaksi/{wrong.pk}/").content.decode()
    assert f"/transaksi/{wrong.pk}/koreksi/" in receipt
    assert f"/transaksi/{wrong.pk}/koreksi/" not in login(kasir).get(f"{BASE}transaksi/{wrong.pk}/").content.decode()
    assert login(kasir).post(f"{BASE}transaksi/{wrong.pk}/koreksi/", {"reason": "x"}).status_code == 403
    refused = bendahara.post(f"{BASE}transaksi/{wrong.pk}/koreksi/", {"reason": "", "date": "2026-02-04"})
    assert refused.status_code == 422
    response = bendahara.post(f"{BASE}transaksi/{wrong.pk}/koreksi/", {"reason": "Salah ketik", "date": "2026-02-04"})
    assert response.status_code == 302
    fix = SavingsTransaction.objects.get(reverses=wrong)
    assert response["Location"] == f"{BASE}transaksi/{fix.pk}/"
    assert (fix.type, fix.amount, fix.balance_after) == ("tarik", 500_000, 0)
    assert "sudah dikoreksi" in bendahara.get(f"{BASE}transaksi/{wrong.pk}/").content.decode()
    again = bendahara.post(f"{BASE}transaksi/{wrong.pk}/koreksi/", {"reason": "lagi", "date": "2026-02-04"})
    assert again.status_code == 409


def test_correction_page_of_another_cooperative_is_not_found(
    coop: Any, other_coop: Any, active_member: Any, grant: Any
) -> None:
    txn = SavingsTransaction.objects.get(member=active_member)
    client = login(grant(other_coop, "bendahara"))
    assert client.get(f"/k/lamaru/simpanan/transaksi/{txn.pk}/koreksi/").status_code == 404
    assert client.get(f"{BASE}transaksi/{txn.pk}/koreksi/").status_code == 404
