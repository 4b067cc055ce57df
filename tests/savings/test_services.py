"""Savings services: deposits, withdrawals, pokok once, refusals that change nothing, exit, interest, bills."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.ledger.services import period_close
from koperasi.members.models import Member
from koperasi.savings import obligations
from koperasi.savings.calculations import Obligation
from koperasi.savings.models import InterestRun, SavingsAccount, SavingsTransaction, WajibBill
from koperasi.savings.selectors import (
    member_exit_quote,
    savings_balances,
    savings_reconcile,
    wajib_arrears,
    wajib_bills,
)
from koperasi.savings.services import (
    interest_month_post,
    member_exit,
    savings_deposit,
    savings_setting_create,
    savings_withdraw,
    wajib_amount_set,
    wajib_bills_issue,
)
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date


def counts() -> tuple[int, int, int, int]:
    return (
        SavingsTransaction.objects.count(),
        JournalEntry.objects.count(),
        SavingsAccount.objects.filter(balance__gt=0).count(),
        AuditEvent.objects.filter(action__startswith="savings.").count(),
    )


def entry_lines(txn: SavingsTransaction) -> list[tuple[str, int, int, int | None]]:
    return list(
        JournalLine.objects.filter(entry=txn.journal_entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "member_id")
    )


# --- pokok ------------------------------------------------------------------------------------
def test_pokok_paid_once_activates_the_member_and_posts_cash_to_equity(
    coop: Any, register_member: Any, kasir: Any
) -> None:
    member = register_member(coop)
    txn = savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 5), actor=kasir)
    member.refresh_from_db()
    assert (member.status, member.activated_on) == ("aktif", D(2026, 1, 5))
    assert (txn.type, txn.amount, txn.balance_after, txn.kind) == ("setor", 50_000, 50_000, "pokok")
    assert entry_lines(txn) == [("1-1100", 50_000, 0, None), ("3-1100", 0, 50_000, member.pk)]
    assert txn.journal_entry.source_type == "savings"


def test_pokok_must_be_the_amount_in_force(coop: Any, register_member: Any, kasir: Any, admin_user: Any) -> None:
    savings_setting_create(
        cooperative=coop, actor=admin_user, effective_from=D(2026, 1, 1), pokok_amount=100_000, wajib_amount=25_000
    )
    member = register_member(coop)
    before = counts()
    with pytest.raises(Conflict) as exc:
        savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 5), actor=kasir)
    assert exc.value.code == "pokok_amount"
    assert "Rp 100.000" in exc.value.message
    assert counts() == before
    assert Member.objects.get(pk=member.pk).status == "calon"
    savings_deposit(cooperative=coop, member=member, kind="pokok", amount=100_000, date=D(2026, 1, 5), actor=kasir)


def test_setting_effective_dates_pick_the_row_in_force(
    coop: Any, register_member: Any, kasir: Any, admin_user: Any
) -> None:
    savings_setting_create(
        cooperative=coop, actor=admin_user, effective_from=D(2026, 3, 1), pokok_amount=75_000, wajib_amount=25_000
    )
    member = register_member(coop)
    # Paid in January: the default Rp50.000 (domain.md §11) is in force, not March's Rp75.000.
    txn = savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 5), actor=kasir)
    assert txn.amount == 50_000


def test_pokok_twice_refused(coop: Any, active_member: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        savings_deposit(
            cooperative=coop, member=active_member, kind="pokok", amount=50_000, date=D(2026, 2, 1), actor=kasir
        )
    assert exc.value.code == "pokok_already_paid"
    assert counts() == before


def test_wajib_and_sukarela_need_an_active_member(coop: Any, register_member: Any, kasir: Any) -> None:
    member = register_member(coop)
    for kind in ("wajib", "sukarela"):
        with pytest.raises(Conflict) as exc:
            savings_deposit(cooperative=coop, member=member, kind=kind, amount=20_000, date=D(2026, 1, 6), actor=kasir)
        assert exc.value.code == "member_not_active"
    assert SavingsTransaction.objects.count() == 0


# --- sukarela -----------------------------------------------------------------------------------
def test_sukarela_deposit_and_withdrawal_keep_running_balance(coop: Any, active_member: Any, kasir: Any) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=300_000, date=D(2026, 2, 1), actor=kasir
    )
    out = savings_withdraw(
        cooperative=coop, member=active_member, kind="sukarela", amount=120_000, date=D(2026, 2, 10), actor=kasir
    )
    assert out.balance_after == 180_000
    assert entry_lines(out) == [("2-1100", 120_000, 0, active_member.pk), ("1-1100", 0, 120_000, None)]
    assert savings_balances(cooperative=coop, member=active_member) == {
        "pokok": 50_000,
        "wajib": 0,
        "sukarela": 180_000,
        "total": 230_000,
    }


def test_transfer_posts_to_bank_and_needs_a_reference(coop: Any, active_member: Any, kasir: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        savings_deposit(
            cooperative=coop,
            member=active_member,
            kind="sukarela",
            amount=10_000,
            date=D(2026, 2, 1),
            actor=kasir,
            channel="transfer",
        )
    assert "reference" in exc.value.detail
    txn = savings_deposit(
        cooperative=coop,
        member=active_member,
        kind="sukarela",
        amount=10_000,
        date=D(2026, 2, 1),
        actor=kasir,
        channel="transfer",
        reference="BRI 123",
    )
    assert entry_lines(txn)[0] == ("1-1200", 10_000, 0, None)


def test_overdraw_refused_and_nothing_written(coop: Any, active_member: Any, kasir: Any) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=100_000, date=D(2026, 2, 1), actor=kasir
    )
    before = counts()
    with pytest.raises(Conflict) as exc:
        savings_withdraw(
            cooperative=coop, member=active_member, kind="sukarela", amount=100_001, date=D(2026, 2, 2), actor=kasir
        )
    assert exc.value.code == "insufficient_balance"
    assert "saldo Rp 100.000, diminta Rp 100.001" in exc.value.message
    assert counts() == before


@pytest.mark.parametrize("kind", ["pokok", "wajib"])
def test_pokok_and_wajib_cannot_be_withdrawn(coop: Any, active_member: Any, kasir: Any, kind: str) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        savings_withdraw(
            cooperative=coop, member=active_member, kind=kind, amount=10_000, date=D(2026, 2, 1), actor=kasir
        )
    assert exc.value.code == "savings_not_withdrawable"
    assert counts() == before


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (0, "amount_not_positive"),
        (-5_000, "amount_not_positive"),
        (1000.5, "amount_invalid"),
        (Decimal("1000"), "amount_invalid"),
        ("1000", "amount_invalid"),
        (True, "amount_invalid"),
        (100_000_001, "amount_over_limit"),
        (10**30, "amount_over_limit"),
    ],
)
def test_bad_amounts_refused_and_nothing_written(
    coop: Any, active_member: Any, kasir: Any, amount: Any, code: str
) -> None:
    before = counts()
    for call in (savings_deposit, savings_withdraw):
        with pytest.raises(ValidationError) as exc:
            call(
                cooperative=coop, member=active_member, kind="sukarela", amount=amount, date=D(2026, 2, 1), actor=kasir
            )
        assert exc.value.code == code
        assert "amount" in exc.value.detail
    assert counts() == before


def test_unknown_kind_and_future_date_refused(coop: Any, active_member: Any, kasir: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        savings_deposit(
            cooperative=coop, member=active_member, kind="berjangka", amount=1, date=D(2026, 2, 1), actor=kasir
        )
    assert "kind" in exc.value.detail
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        savings_deposit(cooperative=coop, member=active_member, kind="sukarela", amount=1, date=tomorrow, actor=kasir)
    assert "masa depan" in exc.value.detail["date"][0]


def test_another_cooperatives_member_is_not_found(coop: Any, other_coop: Any, active_member: Any, grant: Any) -> None:
    other_kasir = grant(other_coop, "kasir")
    before = counts()
    for member in (active_member, active_member.pk):
        with pytest.raises(NotFound):
            savings_deposit(
                cooperative=other_coop,
                member=member,
                kind="sukarela",
                amount=10_000,
                date=D(2026, 2, 1),
                actor=other_kasir,
            )
    assert counts() == before


def test_repeated_idempotency_key_returns_the_first_transaction(coop: Any, active_member: Any, kasir: Any) -> None:
    kwargs = {
        "cooperative": coop,
        "member": active_member,
        "kind": "sukarela",
        "amount": 25_000,
        "date": D(2026, 2, 1),
        "actor": kasir,
        "idempotency_key": "form-abc",
    }
    first = savings_deposit(**kwargs)
    before = counts()
    again = savings_deposit(**kwargs)
    assert again.pk == first.pk
    assert counts() == before
    assert first.journal_entry.idempotency_key == "savings:form-abc"


def test_deposit_into_a_closed_month_refused(coop: Any, active_member: Any, kasir: Any, grant: Any) -> None:
    bendahara = grant(coop, "bendahara")
    period_close(cooperative=coop, month=D(2026, 2, 1), reason="Tutup buku Februari", actor=bendahara)
    before = counts()
    with pytest.raises(Conflict) as exc:
        savings_deposit(
            cooperative=coop, member=active_member, kind="sukarela", amount=10_000, date=D(2026, 2, 3), actor=kasir
        )
    assert exc.value.code == "period_closed"
    assert counts() == before


def test_reconcile_control_accounts_with_members(coop: Any, active_member: Any, kasir: Any) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="wajib", amount=20_000, date=D(2026, 2, 1), actor=kasir
    )
    rows = {r.kind: (r.account_code, r.ledger_balance, r.members_balance) for r in savings_reconcile(cooperative=coop)}
    assert rows == {
        "pokok": ("3-1100", 50_000, 50_000),
        "wajib": ("3-1200", 20_000, 20_000),
        "sukarela": ("2-1100", 0, 0),
    }


# --- wajib bills ----------------------------------------------------------------------------------
def test_wajib_bills_paid_oldest_first_and_arrears(coop: Any, active_member: Any, kasir: Any, admin_user: Any) -> None:
    for month in (1, 2, 3):
        wajib_bills_issue(cooperative=coop, month=D(2026, month, 1), actor=admin_user)
    assert wajib_bills_issue(cooperative=coop, month=D(2026, 3, 1), actor=admin_user) == 0  # idempotent
    savings_deposit(
        cooperative=coop, member=active_member, kind="wajib", amount=30_000, date=D(2026, 2, 1), actor=kasir
    )
    status = [(b.month.month, b.amount, b.paid) for b in wajib_bills(cooperative=coop, member=active_member)]
    assert status == [(1, 20_000, 20_000), (2, 20_000, 10_000), (3, 20_000, 0)]
    arrears = wajib_arrears(cooperative=coop, today=D(2026, 3, 11))
    assert [(a.member.pk, a.months, a.amount, a.oldest) for a in arrears] == [
        (active_member.pk, 2, 30_000, D(2026, 2, 1))
    ]
    # Before March's due date (the 10th) only February is late.
    assert [(a.months, a.amount) for a in wajib_arrears(cooperative=coop, today=D(2026, 3, 10))] == [(1, 10_000)]


def test_own_wajib_amount_used_by_later_bills(coop: Any, active_member: Any, admin_user: Any) -> None:
    wajib_amount_set(cooperative=coop, member=active_member, amount=35_000, actor=admin_user)
    wajib_bills_issue(cooperative=coop, month=D(2026, 2, 1), actor=admin_user)
    assert WajibBill.objects.get(member=active_member).amount == 35_000


def test_calon_and_former_members_are_not_billed(
    coop: Any, active_member: Any, register_member: Any, admin_user: Any
) -> None:
    register_member(coop, nik=NIK_WOMAN, name="Siti")  # calon: not billed
    assert wajib_bills_issue(cooperative=coop, month=D(2026, 2, 1), actor=admin_user) == 1
    member_exit(
        cooperative=coop, member=active_member, status="keluar", date=D(2026, 2, 20), reason="", actor=admin_user
    )
    assert wajib_bills_issue(cooperative=coop, month=D(2026, 3, 1), actor=admin_user) == 0


# --- interest ------------------------------------------------------------------------------------
def test_interest_on_the_months_minimum_balance_once(
    coop: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    savings_setting_create(
        cooperative=coop,
        actor=admin_user,
        effective_from=D(2026, 1, 1),
        pokok_amount=50_000,
        wajib_amount=20_000,
        sukarela_rate_pa=Decimal("6"),
    )
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=1_500_000, date=D(2026, 2, 20), actor=kasir
    )
    # March: opens at 1.500.000, drops to 1.000.000 on the 10th, back up to 2.000.000 on the 20th.
    savings_withdraw(
        cooperative=coop, member=active_member, kind="sukarela", amount=500_000, date=D(2026, 3, 10), actor=kasir
    )
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=1_000_000, date=D(2026, 3, 20), actor=kasir
    )
    february = interest_month_post(cooperative=coop, month=D(2026, 2, 1), actor=admin_user)
    assert (february.accounts_paid, february.total_interest) == (0, 0)  # opened in February: minimum 0
    march = interest_month_post(cooperative=coop, month=D(2026, 3, 1), actor=admin_user)
    assert (march.accounts_paid, march.total_interest) == (1, 5_000)  # 1.000.000 × 6 % / 12
    txn = SavingsTransaction.objects.get(type="bunga")
    assert (txn.date, txn.amount, txn.balance_after) == (D(2026, 3, 31), 5_000, 2_005_000)
    assert entry_lines(txn) == [("5-2600", 5_000, 0, None), ("2-1100", 0, 5_000, active_member.pk)]
    before = counts()
    assert interest_month_post(cooperative=coop, month=D(2026, 3, 1), actor=admin_user).pk == march.pk
    assert counts() == before
    assert InterestRun.objects.filter(cooperative=coop).count() == 2


def test_interest_rounds_down_to_whole_rupiah(coop: Any, active_member: Any, kasir: Any, admin_user: Any) -> None:
    savings_setting_create(
        cooperative=coop,
        actor=admin_user,
        effective_from=D(2026, 1, 1),
        pokok_amount=50_000,
        wajib_amount=20_000,
        sukarela_rate_pa=Decimal("3.5"),
    )
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=123_457, date=D(2026, 1, 20), actor=kasir
    )
    run = interest_month_post(cooperative=coop, month=D(2026, 2, 1), actor=admin_user)
    assert run.total_interest == 360  # 123.457 × 3,5 % / 12 = 360,08…


def test_interest_for_a_month_not_over_refused(coop: Any, admin_user: Any) -> None:
    with pytest.raises(Conflict) as exc:
        interest_month_post(cooperative=coop, month=datetime.date.today(), actor=admin_user)
    assert exc.value.code == "month_not_over"
    assert InterestRun.objects.count() == 0


# --- leaving ----------------------------------------------------------------------------------------
def test_exit_refunds_every_balance_in_one_entry(coop: Any, active_member: Any, kasir: Any, admin_user: Any) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="wajib", amount=20_000, date=D(2026, 2, 1), actor=kasir
    )
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=100_000, date=D(2026, 2, 1), actor=kasir
    )
    quote = member_exit_quote(cooperative=coop, member=active_member)
    assert (quote.savings_total, quote.offset_total, quote.net_payout, quote.blockers) == (170_000, 0, 170_000, [])
    member, refund = member_exit(
        cooperative=coop,
        member=active_member,
        status="keluar",
        date=D(2026, 3, 1),
        reason="Pindah domisili",
        actor=admin_user,
        expected_payout=170_000,
    )
    assert (member.status, member.left_on) == ("keluar", D(2026, 3, 1))
    assert refund is not None
    assert entry_lines(refund) == [
        ("3-1100", 50_000, 0, member.pk),
        ("3-1200", 20_000, 0, member.pk),
        ("2-1100", 100_000, 0, member.pk),
        ("1-1100", 0, 170_000, None),
    ]
    assert savings_balances(cooperative=coop, member=member)["total"] == 0
    assert SavingsTransaction.objects.filter(type="pengembalian").count() == 3
    with pytest.raises(Conflict) as exc:
        member_exit(cooperative=coop, member=member, status="keluar", date=D(2026, 3, 2), reason="", actor=admin_user)
    assert exc.value.code == "member_already_ended"


def test_exit_with_a_changed_quote_refused(coop: Any, active_member: Any, admin_user: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        member_exit(
            cooperative=coop,
            member=active_member,
            status="keluar",
            date=D(2026, 3, 1),
            reason="",
            actor=admin_user,
            expected_payout=49_000,
        )
    assert exc.value.code == "exit_quote_changed"
    assert counts() == before
    assert Member.objects.get(pk=active_member.pk).status == "aktif"


def test_exit_offsets_what_the_member_owes_or_is_blocked(
    coop: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=100_000, date=D(2026, 2, 1), actor=kasir
    )
    owes = [Obligation(label="Sisa pinjaman", amount=30_000, ledger_role="loan_receivable")]

    def provider(member: Any) -> list[Obligation]:
        return owes if member.pk == active_member.pk else []

    obligations.register(provider)
    try:
        owes[:] = [
            Obligation(label="Pinjaman berjalan", amount=80_000, ledger_role="loan_receivable", blocks_exit=True)
        ]
        before = counts()
        with pytest.raises(Conflict) as exc:
            member_exit(
                cooperative=coop, member=active_member, status="keluar", date=D(2026, 3, 1), reason="", actor=admin_user
            )
        assert exc.value.code == "exit_blocked"
        assert counts() == before
        owes[:] = [Obligation(label="Sisa pinjaman", amount=30_000, ledger_role="loan_receivable")]
        member, refund = member_exit(
            cooperative=coop, member=active_member, status="meninggal", date=D(2026, 3, 1), reason="", actor=admin_user
        )
    finally:
        obligations.unregister(provider)
    assert refund is not None
    assert entry_lines(refund) == [
        ("3-1100", 50_000, 0, member.pk),
        ("2-1100", 100_000, 0, member.pk),
        ("1-1300", 0, 30_000, member.pk),
        ("1-1100", 0, 120_000, None),
    ]


def test_dismissal_needs_a_reason(coop: Any, active_member: Any, admin_user: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        member_exit(
            cooperative=coop,
            member=active_member,
            status="diberhentikan",
            date=D(2026, 3, 1),
            reason=" ",
            actor=admin_user,
        )
    assert "reason" in exc.value.detail
    assert Member.objects.get(pk=active_member.pk).status == "aktif"


def test_member_joining_after_the_due_day_owes_from_joining(
    coop: Any, register_member: Any, kasir: Any, admin_user: Any
) -> None:
    member = register_member(coop, joined_on="2026-03-20")
    savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 3, 25), actor=kasir)
    assert wajib_bills_issue(cooperative=coop, month=D(2026, 3, 1), actor=admin_user) == 1
    assert WajibBill.objects.get(member=member).due_on == D(2026, 3, 25)  # not the 10th, before joining
    assert wajib_arrears(cooperative=coop, today=D(2026, 3, 25)) == []
    assert [a.amount for a in wajib_arrears(cooperative=coop, today=D(2026, 3, 26))] == [20_000]


def test_bills_for_a_month_not_begun_refused(coop: Any, active_member: Any, admin_user: Any) -> None:
    next_month = (datetime.date.today().replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    with pytest.raises(ValidationError):
        wajib_bills_issue(cooperative=coop, month=next_month, actor=admin_user)
    assert WajibBill.objects.count() == 0


def test_back_dated_deposit_counts_on_its_date_for_interest(
    coop: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    savings_setting_create(
        cooperative=coop,
        actor=admin_user,
        effective_from=D(2026, 1, 1),
        pokok_amount=50_000,
        wajib_amount=20_000,
        sukarela_rate_pa=Decimal("12"),
    )
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=200_000, date=D(2026, 3, 20), actor=kasir
    )
    # Recorded later, dated earlier: the balance was 1.000.000 from 5 March until the withdrawal on 25 March.
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=1_000_000, date=D(2026, 2, 5), actor=kasir
    )
    savings_withdraw(
        cooperative=coop, member=active_member, kind="sukarela", amount=900_000, date=D(2026, 3, 25), actor=kasir
    )
    run = interest_month_post(cooperative=coop, month=D(2026, 3, 1), actor=admin_user)
    assert run.total_interest == 3_000  # lowest 300.000 (after the 25th) × 12 % / 12


def test_nothing_dated_in_a_month_whose_interest_was_paid(
    coop: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    interest_month_post(cooperative=coop, month=D(2026, 3, 1), actor=admin_user)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        savings_deposit(
            cooperative=coop, member=active_member, kind="sukarela", amount=10_000, date=D(2026, 3, 31), actor=kasir
        )
    assert exc.value.code == "savings_month_closed"
    assert counts() == before
    with pytest.raises(Conflict) as conflict:
        interest_month_post(cooperative=coop, month=D(2026, 2, 1), actor=admin_user)
    assert conflict.value.code == "interest_month_passed"
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=10_000, date=D(2026, 4, 1), actor=kasir
    )


def test_absurd_setting_amounts_refused(coop: Any, active_member: Any, admin_user: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        savings_setting_create(
            cooperative=coop, actor=admin_user, effective_from=D(2026, 5, 1), pokok_amount=10**30, wajib_amount=1
        )
    assert "terlalu besar" in exc.value.detail["pokok_amount"][0]
    with pytest.raises(ValidationError):
        wajib_amount_set(cooperative=coop, member=active_member, amount=10**13, actor=admin_user)
    assert not SavingsAccount.objects.filter(wajib_amount__isnull=False).exists()


# --- corrections -------------------------------------------------------------------------------
def test_wrong_deposit_is_corrected_by_the_opposite_transaction(
    coop: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    from koperasi.savings.services import savings_transaction_reverse

    wrong = savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=500_000, date=D(2026, 2, 3), actor=kasir
    )
    fix = savings_transaction_reverse(
        cooperative=coop, txn=wrong, reason="Salah ketik, seharusnya Rp50.000", date=D(2026, 2, 4), actor=admin_user
    )
    assert (fix.type, fix.amount, fix.balance_after, fix.reverses_id) == ("tarik", 500_000, 0, wrong.pk)
    assert entry_lines(fix) == [("1-1100", 0, 500_000, None), ("2-1100", 500_000, 0, active_member.pk)]
    assert fix.journal_entry.reverses_id == wrong.journal_entry_id
    assert savings_balances(cooperative=coop, member=active_member)["sukarela"] == 0
    before = counts()
    with pytest.raises(Conflict) as exc:
        savings_transaction_reverse(cooperative=coop, txn=wrong, reason="lagi", date=D(2026, 2, 4), actor=admin_user)
    assert exc.value.code == "already_reversed"
    with pytest.raises(Conflict) as exc:
        savings_transaction_reverse(cooperative=coop, txn=fix, reason="balik", date=D(2026, 2, 4), actor=admin_user)
    assert exc.value.code == "not_correctable"
    assert counts() == before


def test_corrected_wajib_deposit_no_longer_pays_bills(
    coop: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    from koperasi.savings.services import savings_transaction_reverse

    wajib_bills_issue(cooperative=coop, month=D(2026, 2, 1), actor=admin_user)
    wrong = savings_deposit(
        cooperative=coop, member=active_member, kind="wajib", amount=20_000, date=D(2026, 2, 3), actor=kasir
    )
    assert [b.paid for b in wajib_bills(cooperative=coop, member=active_member)] == [20_000]
    savings_transaction_reverse(
        cooperative=coop, txn=wrong, reason="Anggota lain", date=D(2026, 2, 3), actor=admin_user
    )
    assert [b.paid for b in wajib_bills(cooperative=coop, member=active_member)] == [0]
    assert [a.amount for a in wajib_arrears(cooperative=coop, today=D(2026, 2, 11))] == [20_000]


def test_corrections_that_cannot_be_made(
    coop: Any, other_coop: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    from koperasi.savings.services import savings_transaction_reverse

    pokok = SavingsTransaction.objects.get(member=active_member, kind="pokok")
    deposit = savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=100_000, date=D(2026, 2, 3), actor=kasir
    )
    savings_withdraw(
        cooperative=coop, member=active_member, kind="sukarela", amount=60_000, date=D(2026, 2, 4), actor=kasir
    )
    before = counts()
    cases = [
        (pokok, "not_correctable"),  # pokok: end the membership instead
        (deposit, "insufficient_balance"),  # Rp60.000 of it was already withdrawn
    ]
    for txn, code in cases:
        with pytest.raises(Conflict) as exc:
            savings_transaction_reverse(cooperative=coop, txn=txn, reason="Salah", date=D(2026, 2, 5), actor=admin_user)
        assert exc.value.code == code
    with pytest.raises(ValidationError):
        savings_transaction_reverse(cooperative=coop, txn=deposit, reason=" ", actor=admin_user)
    with pytest.raises(NotFound):
        savings_transaction_reverse(cooperative=other_coop, txn=deposit, reason="Salah", actor=admin_user)
    assert counts() == before


def test_savings_entries_are_not_reversed_from_the_journal_page(coop: Any, active_member: Any, admin_user: Any) -> None:
    from koperasi.ledger.services import journal_reverse

    pokok = SavingsTransaction.objects.get(member=active_member, kind="pokok")
    with pytest.raises(Conflict) as exc:
        journal_reverse(cooperative=coop, entry=pokok.journal_entry, date=D(2026, 2, 1), actor=admin_user)
    assert exc.value.code == "entry_from_business_record"
    assert JournalEntry.objects.filter(reverses=pokok.journal_entry).count() == 0
