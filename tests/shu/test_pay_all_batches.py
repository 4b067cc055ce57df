"""Paying every member's SHU in batches: one entry and transaction per batch, queries per batch, not per member.

Also the savings side it uses, ``savings.services.sukarela_credit_batch``: many members'
sukarela credited in one entry, with the refusals of ``sukarela_credit``.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.savings import services as savings_services
from koperasi.savings.models import SavingsAccount, SavingsTransaction
from koperasi.shu.models import ShuMemberShare
from koperasi.shu.services import shu_pay, shu_pay_all
from tests.shu.conftest import CLOSE_TODAY

PAID_ON = datetime.date(2026, 1, 25)


def _sukarela(member: Any) -> int:
    account = SavingsAccount.objects.filter(member=member, kind="sukarela").first()
    return account.balance if account else 0


def _written(coop: Any) -> tuple[int, ...]:
    return (
        JournalEntry.objects.filter(cooperative=coop).count(),
        SavingsTransaction.objects.filter(cooperative=coop).count(),
        SavingsAccount.objects.filter(cooperative=coop).count(),
        AuditEvent.objects.filter(cooperative=coop).count(),
        ShuMemberShare.objects.filter(cooperative=coop, paid_on__isnull=False).count(),
    )


def _pay_all(books: Any, distribution: Any, method: str) -> Any:
    return shu_pay_all(
        cooperative=books.coop,
        distribution=distribution,
        method=method,
        date=PAID_ON,
        actor=books.bendahara,
        today=CLOSE_TODAY,
    )


# --- shu_pay_all ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pay_all_into_sukarela_is_one_entry_for_the_batch(year_books: Any, distributed: Any) -> None:
    coop = year_books.coop
    entries = JournalEntry.objects.filter(cooperative=coop).count()
    with CaptureQueriesContext(connection) as queries:
        result = _pay_all(year_books, distributed, "sukarela")
    assert (result.paid, result.amount, result.skipped) == (3, 335_999, [])
    # Constant per batch (it was 22 per member before batches: 67 for these three).
    assert len(queries.captured_queries) == 22
    assert JournalEntry.objects.filter(cooperative=coop).count() == entries + 1
    entry = ShuMemberShare.objects.get(member=year_books.budi).payment_entry
    assert entry.memo == "Pembayaran SHU 2025 (ke simpanan sukarela)"
    lines = Counter(
        JournalLine.objects.filter(entry=entry).values_list("account__code", "member_id", "debit", "credit")
    )
    assert lines == Counter(
        {
            ("2-1500", year_books.budi.pk, 182_000, 0): 1,
            ("2-1500", year_books.siti.pk, 116_666, 0): 1,
            ("2-1500", year_books.agus.pk, 37_333, 0): 1,
            ("2-1100", year_books.budi.pk, 0, 182_000): 1,
            ("2-1100", year_books.siti.pk, 0, 116_666): 1,
            ("2-1100", year_books.agus.pk, 0, 37_333): 1,
        }
    )
    assert (_sukarela(year_books.budi), _sukarela(year_books.siti), _sukarela(year_books.agus)) == (
        182_000,
        116_666,
        37_333,
    )
    # Each member's passbook has the credit, dated the payment day.
    passbook = SavingsTransaction.objects.get(member=year_books.siti, kind="sukarela")
    assert (passbook.amount, passbook.balance_after, passbook.date, passbook.journal_entry) == (
        116_666,
        116_666,
        PAID_ON,
        entry,
    )
    assert set(ShuMemberShare.objects.values_list("payment_method", "paid_on", "payment_entry")) == {
        ("sukarela", PAID_ON, entry.pk)
    }
    audit = AuditEvent.objects.get(cooperative=coop, action="shu.pay_all")
    assert audit.data == {"year": 2025, "members": 3, "amount": 335_999, "method": "sukarela"}


@pytest.mark.django_db
def test_pay_all_in_cash_is_one_entry_with_one_cash_line(year_books: Any, distributed: Any) -> None:
    with CaptureQueriesContext(connection) as queries:
        result = _pay_all(year_books, distributed, "tunai")
    assert (result.paid, result.amount) == (3, 335_999)
    assert len(queries.captured_queries) == 13
    entry = ShuMemberShare.objects.get(member=year_books.agus).payment_entry
    cash = JournalLine.objects.filter(entry=entry, account__code="1-1100").values_list("debit", "credit")
    assert list(cash) == [(0, 335_999)]
    assert JournalLine.objects.filter(entry=entry, account__code="2-1500").count() == 3


@pytest.mark.django_db
def test_more_shares_than_a_batch_are_paid_in_several_entries(
    year_books: Any, distributed: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(savings_services, "BATCH_MAX", 2)
    entries = JournalEntry.objects.filter(cooperative=year_books.coop).count()
    result = _pay_all(year_books, distributed, "sukarela")
    assert (result.paid, result.amount) == (3, 335_999)
    assert JournalEntry.objects.filter(cooperative=year_books.coop).count() == entries + 2
    assert ShuMemberShare.objects.values("payment_entry").distinct().count() == 2
    assert AuditEvent.objects.filter(action="shu.pay_all").count() == 2


@pytest.mark.django_db
def test_a_member_who_left_is_skipped_and_the_others_are_paid(year_books: Any, distributed: Any) -> None:
    from koperasi.members.services import member_end

    member_end(
        member=year_books.budi,
        status="keluar",
        date=datetime.date(2026, 1, 22),
        reason="Pindah",
        actor=year_books.ketua,
    )
    result = _pay_all(year_books, distributed, "sukarela")
    assert (result.paid, result.amount) == (2, 116_666 + 37_333)
    assert result.skipped == [
        ("00001", "Anggota no. 00001 tidak aktif; dana tidak dapat dimasukkan ke simpanan sukarela.")
    ]
    assert not ShuMemberShare.objects.get(member=year_books.budi).is_paid


@pytest.mark.django_db
def test_a_share_paid_already_is_left_alone(year_books: Any, distributed: Any) -> None:
    budi = ShuMemberShare.objects.get(member=year_books.budi)
    shu_pay(
        cooperative=year_books.coop,
        share=budi,
        method="tunai",
        date=PAID_ON,
        actor=year_books.bendahara,
        today=CLOSE_TODAY,
    )
    first_entry = ShuMemberShare.objects.get(pk=budi.pk).payment_entry_id
    result = _pay_all(year_books, distributed, "sukarela")
    assert (result.paid, result.amount) == (2, 116_666 + 37_333)
    assert ShuMemberShare.objects.get(pk=budi.pk).payment_entry_id == first_entry
    assert _sukarela(year_books.budi) == 0


@pytest.mark.django_db
def test_pay_all_before_the_rat_date_pays_no_one(year_books: Any, distributed: Any) -> None:
    before = _written(year_books.coop)
    with pytest.raises(ValidationError) as caught:
        shu_pay_all(
            cooperative=year_books.coop,
            distribution=distributed,
            method="sukarela",
            date=datetime.date(2026, 1, 19),
            actor=year_books.bendahara,
            today=CLOSE_TODAY,
        )
    assert caught.value.detail == {"date": ["SHU dibayar paling awal pada tanggal RAT (20/01/2026)."]}
    assert _written(year_books.coop) == before


# --- savings.sukarela_credit_batch ----------------------------------------------------------------------------


def _credit(books: Any, credits: list[tuple[int, int]], date: datetime.date = PAID_ON, **extra: Any) -> Any:
    from koperasi.ledger.services import ByRole, LineInput

    total = sum(amount for _, amount in credits)
    return savings_services.sukarela_credit_batch(
        cooperative=extra.pop("cooperative", books.coop),
        credits=credits,
        date=date,
        contra_lines=[LineInput(account=ByRole("cash"), debit=total, memo="uji")],
        memo="Kredit massal uji",
        source="test:batch",
        actor=books.bendahara,
    )


@pytest.mark.django_db
def test_credit_batch_opens_missing_accounts_and_credits_each_member(year_books: Any) -> None:
    txns = _credit(year_books, [(year_books.budi.pk, 1_000), (year_books.siti.pk, 2_500)])
    assert [(t.member_id, t.amount, t.balance_after) for t in txns] == [
        (year_books.budi.pk, 1_000, 1_000),
        (year_books.siti.pk, 2_500, 2_500),
    ]
    again = _credit(year_books, [(year_books.siti.pk, 500)])
    assert again[0].balance_after == 3_000
    assert (_sukarela(year_books.budi), _sukarela(year_books.siti), _sukarela(year_books.agus)) == (1_000, 3_000, 0)
    assert len({t.journal_entry_id for t in txns}) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("credits", "error"),
    [
        ([], ValidationError),
        ([(1, 0)], ValidationError),
        ([(1, -5)], ValidationError),
        ([(1, True)], ValidationError),
        ([(1, 100), (1, 200)], ValidationError),  # the same member twice
    ],
)
def test_credit_batch_refuses_bad_input_and_writes_nothing(
    year_books: Any, credits: list[tuple[int, Any]], error: type[Exception]
) -> None:
    ids = {1: year_books.budi.pk}
    before = _written(year_books.coop)
    with pytest.raises(error):
        savings_services.sukarela_credit_batch(
            cooperative=year_books.coop,
            credits=[(ids[m], a) for m, a in credits],
            date=PAID_ON,
            contra_lines=[],
            memo="x",
            source="test:batch",
            actor=year_books.bendahara,
        )
    assert _written(year_books.coop) == before


@pytest.mark.django_db
def test_credit_batch_refuses_more_than_a_batch(year_books: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(savings_services, "BATCH_MAX", 1)
    before = _written(year_books.coop)
    with pytest.raises(ValidationError):
        _credit(year_books, [(year_books.budi.pk, 1_000), (year_books.siti.pk, 1_000)])
    assert _written(year_books.coop) == before


@pytest.mark.django_db
def test_credit_batch_refuses_a_member_not_active_naming_them(year_books: Any) -> None:
    from koperasi.members.services import member_end

    member_end(
        member=year_books.agus,
        status="keluar",
        date=datetime.date(2026, 1, 22),
        reason="Pindah",
        actor=year_books.ketua,
    )
    before = _written(year_books.coop)
    with pytest.raises(Conflict) as caught:
        _credit(year_books, [(year_books.budi.pk, 1_000), (year_books.agus.pk, 1_000)])
    assert caught.value.code == "member_not_active"
    assert caught.value.detail == {"members": [str(year_books.agus.pk)]}
    assert _written(year_books.coop) == before
    assert _sukarela(year_books.budi) == 0


@pytest.mark.django_db
def test_credit_batch_never_reaches_another_cooperatives_member(year_books: Any, other_coop: Any) -> None:
    before = _written(year_books.coop)
    with pytest.raises(NotFound):
        _credit(year_books, [(year_books.budi.pk, 1_000)], cooperative=other_coop)
    assert _written(year_books.coop) == before
    assert not SavingsTransaction.objects.filter(cooperative=other_coop).exists()


@pytest.mark.django_db
def test_credit_batch_refuses_a_date_before_the_member_joined(year_books: Any) -> None:
    before = _written(year_books.coop)
    with pytest.raises(ValidationError) as caught:
        _credit(year_books, [(year_books.budi.pk, 1_000)], date=datetime.date(2025, 1, 5))
    assert "sebelum anggota mendaftar" in caught.value.message
    assert _written(year_books.coop) == before


# --- A batch racing a single payment (PostgreSQL) -------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pay_all_racing_single_payments_pays_each_share_once(year_books: Any, distributed: Any, grant: Any) -> None:
    from tests.shop.test_concurrency import _run_parallel

    second = grant(year_books.coop, "bendahara", username="bendahara-dua")

    def pay_all(method: str) -> Any:
        def job() -> str:
            return str(_pay_all(year_books, distributed, method).paid)

        return job

    def pay_one(member: Any, actor: Any) -> Any:
        def job() -> str:
            share = ShuMemberShare.objects.get(member=member)
            shu_pay(
                cooperative=year_books.coop, share=share, method="tunai", date=PAID_ON, actor=actor, today=CLOSE_TODAY
            )
            return "1"

        return job

    outcomes = _run_parallel(
        [pay_all("sukarela"), pay_one(year_books.budi, second), pay_all("tunai"), pay_one(year_books.siti, second)]
    )
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    paid = ShuMemberShare.objects.filter(paid_on__isnull=False)
    assert paid.count() == 3
    # Every share paid exactly once, whoever won: the members' SHU payable is zero, the outcomes add up to three
    # payments (a single payment that lost is refused as already paid).
    assert sum(int(o) for o in outcomes if o.isdigit()) == 3
    payable = JournalLine.objects.filter(cooperative=year_books.coop, account__code="2-1500")
    assert sum(c - d for d, c in payable.values_list("debit", "credit")) == 0
    credited = sum(_sukarela(m) for m in (year_books.budi, year_books.siti, year_books.agus))
    assert credited == sum(ShuMemberShare.objects.filter(payment_method="sukarela").values_list("total", flat=True))
