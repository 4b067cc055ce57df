"""Batch commands: month-end sukarela interest and monthly wajib bills, per cooperative and idempotent."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.savings.models import InterestRun, SavingsAccount, SavingsTransaction, WajibBill
from koperasi.savings.services import savings_deposit, savings_setting_create, savings_withdraw
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int, int, int]:
    return (
        SavingsTransaction.objects.count(),
        JournalEntry.objects.count(),
        InterestRun.objects.count(),
        WajibBill.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def sukarela_case(coop: Any, other_coop: Any, kasir: Any, active_member: Any, register_member: Any) -> dict[str, Any]:
    """Manggar at 6 % a year, interest from a monthly minimum of Rp500.000.

    Budi: Rp1.200.000 on 10 Feb, Rp200.000 out on 20 Mar -> March minimum Rp1.000.000 -> Rp5.000.
    Siti: Rp300.000 on 1 Feb -> under the minimum, no interest.
    """
    savings_setting_create(
        cooperative=coop,
        actor=kasir,
        effective_from=D(2026, 1, 1),
        pokok_amount=50_000,
        wajib_amount=20_000,
        sukarela_rate_pa="6",
        sukarela_min_balance=500_000,
    )
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    savings_deposit(cooperative=coop, member=siti, kind="pokok", amount=50_000, date=D(2026, 1, 6), actor=kasir)
    savings_deposit(cooperative=coop, member=siti, kind="sukarela", amount=300_000, date=D(2026, 2, 1), actor=kasir)
    budi = active_member
    savings_deposit(cooperative=coop, member=budi, kind="sukarela", amount=1_200_000, date=D(2026, 2, 10), actor=kasir)
    savings_withdraw(cooperative=coop, member=budi, kind="sukarela", amount=200_000, date=D(2026, 3, 20), actor=kasir)
    return {"budi": budi, "siti": siti}


def test_interest_command_posts_exact_interest_once(sukarela_case: dict[str, Any], coop: Any) -> None:
    budi = sukarela_case["budi"]
    out, err = run("savings_interest", "--month", "2026-03")
    assert err == ""
    lines = out.splitlines()
    assert "manggar: 1/1 rekening" in lines
    assert "manggar: bunga 2026-03 dibukukan — 1 rekening, total Rp 5.000" in lines
    assert "lamaru: bunga 2026-03 dibukukan — 0 rekening, total Rp 0" in lines
    assert lines[-1] == "Selesai: 2 koperasi."
    interest = InterestRun.objects.get(cooperative=coop)
    assert (interest.month, interest.accounts_paid, interest.total_interest, interest.created_by) == (
        D(2026, 3, 1),
        1,
        5_000,
        None,
    )
    txn = SavingsTransaction.objects.get(type="bunga")
    assert (txn.member_id, txn.amount, txn.balance_after, txn.date, txn.channel) == (
        budi.pk,
        5_000,
        1_005_000,
        D(2026, 3, 31),
        "sistem",
    )
    assert list(
        JournalLine.objects.filter(entry=interest.journal_entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "member_id")
    ) == [("5-2600", 5_000, 0, None), ("2-1100", 0, 5_000, budi.pk)]
    assert SavingsAccount.objects.get(member=budi, kind="sukarela").balance == 1_005_000
    assert SavingsAccount.objects.get(member=sukarela_case["siti"], kind="sukarela").balance == 300_000

    before = counts()
    again, err = run("savings_interest", "--month", "2026-03")
    assert err == ""
    assert "manggar: bunga 2026-03 sudah dibukukan sebelumnya (1 rekening, Rp 5.000); dilewati." in again
    assert "rekening\n" not in again.replace("dilewati.", "")  # no progress lines: nothing computed
    assert counts() == before


def test_interest_command_for_one_cooperative(sukarela_case: dict[str, Any], coop: Any, other_coop: Any) -> None:
    out, _ = run("savings_interest", "--month", "2026-03", "--coop", "manggar")
    assert "lamaru" not in out
    assert InterestRun.objects.filter(cooperative=other_coop).count() == 0
    assert InterestRun.objects.get(cooperative=coop).total_interest == 5_000


def test_interest_command_reports_each_failure_and_exits_1(sukarela_case: dict[str, Any], coop: Any) -> None:
    from koperasi.ledger.services import period_close

    period_close(cooperative=coop, month=D(2026, 3, 1), reason="Laporan Maret selesai", actor=None)
    before = counts()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 dari 2 koperasi gagal: manggar"):
        call_command("savings_interest", "--month", "2026-03", stdout=out, stderr=err)
    assert "manggar: GAGAL — Periode 03/2026 sudah ditutup" in err.getvalue()
    assert "lamaru: bunga 2026-03 dibukukan — 0 rekening" in out.getvalue()  # the next one still ran
    assert counts()[:3] == (before[0], before[1], before[2] + 1)  # only lamaru's (empty) run


def test_interest_command_refuses_a_month_not_over(sukarela_case: dict[str, Any]) -> None:
    this_month = timezone.localdate().strftime("%Y-%m")
    before = counts()
    err = StringIO()
    with pytest.raises(CommandError, match="2 dari 2 koperasi gagal"):
        call_command("savings_interest", "--month", this_month, stdout=StringIO(), stderr=err)
    assert "belum berakhir" in err.getvalue()
    assert counts() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "Bulan '2026-13' tidak valid"),
        (["--month", "Maret"], "Bulan 'Maret' tidak valid"),
        (["--month", "2026-03", "--coop", "tidak-ada"], "Koperasi 'tidak-ada' tidak ditemukan."),
    ],
)
@pytest.mark.parametrize("command", ["savings_interest", "wajib_bills_issue"])
def test_commands_refuse_bad_arguments(command: str, args: list[str], message: str, coop: Any) -> None:
    before = counts()
    with pytest.raises(CommandError, match=message):
        call_command(command, *args, stdout=StringIO(), stderr=StringIO())
    assert counts() == before


def test_bills_command_issues_once_per_member_and_month(
    coop: Any, other_coop: Any, kasir: Any, active_member: Any, register_member: Any
) -> None:
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    savings_deposit(cooperative=coop, member=siti, kind="pokok", amount=50_000, date=D(2026, 2, 15), actor=kasir)
    register_member(coop, nik="6471041505800001", name="Calon Saja")  # not active: no bill
    out, err = run("wajib_bills_issue", "--month", "2026-03")
    assert err == ""
    assert "[2/2] manggar: 2 tagihan baru 2026-03" in out
    assert "[1/2] lamaru: 0 tagihan baru 2026-03 (semua anggota aktif sudah ditagih)" in out
    assert out.splitlines()[-1] == "Selesai: 2 tagihan baru di 2 koperasi."
    bills = list(WajibBill.objects.order_by("member__member_no").values_list("member_id", "month", "amount", "due_on"))
    assert bills == [
        (active_member.pk, D(2026, 3, 1), 20_000, D(2026, 3, 10)),
        (siti.pk, D(2026, 3, 1), 20_000, D(2026, 3, 10)),
    ]
    before = counts()
    again, _ = run("wajib_bills_issue", "--month", "2026-03", "--coop", "manggar")
    assert "[1/1] manggar: 0 tagihan baru 2026-03 (semua anggota aktif sudah ditagih)" in again
    assert counts() == before
