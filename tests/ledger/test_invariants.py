"""Each ledger invariant, attacked with raw SQL that bypasses the services: the database refuses.

The triggers and constraints live in ``koperasi.ledger.db_triggers`` and the models'
``Meta.constraints``; this file runs on SQLite (``make test``) and PostgreSQL
(``make test-postgres``), so both dialects are proven.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from koperasi.ledger.models import Account, AccountDayTotal, JournalEntry, JournalLine, LedgerHead, Period

D = datetime.date(2026, 3, 10)
DUPLICATE_KEY = (
    "entry_idempotency_unique"  # PostgreSQL names the constraint
    "|UNIQUE constraint failed: ledger_journalentry.cooperative_id, ledger_journalentry.idempotency_key"
)


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@contextmanager
def refused(message: str) -> Any:
    """Expect the database to refuse the statement; roll back only the attempt."""
    with pytest.raises(IntegrityError, match=message), transaction.atomic():
        yield


def account(coop: Any, code: str) -> Account:
    return Account.objects.get(cooperative=coop, code=code)


def draft(
    coop: Any, *, day: datetime.date = D, amount: int = 1000, key: str | None = None, seq: int | None = None
) -> int:
    """Insert a draft entry that continues the chain (or has number ``seq``); return its id."""
    head = LedgerHead.objects.get(cooperative=coop)
    seq = seq or head.last_seq + 1
    sql(
        "INSERT INTO ledger_journalentry (cooperative_id, seq, date, memo, source_type, source_id, idempotency_key,"
        " amount, is_posted, prev_hash, hash, created_at) VALUES (%s, %s, %s, 'raw', 'manual', '', %s, %s, %s, %s,"
        " %s, %s)",
        [coop.pk, seq, day, key, amount, False, head.last_hash, "f" * 64, timezone.now()],
    )
    return JournalEntry.objects.get(cooperative=coop, seq=seq).pk


def line(coop: Any, entry_id: int, account_id: int, debit: int, credit: int, *, day: datetime.date = D) -> None:
    sql(
        "INSERT INTO ledger_journalline (cooperative_id, entry_id, account_id, date, debit, credit, memo)"
        " VALUES (%s, %s, %s, %s, %s, %s, '')",
        [coop.pk, entry_id, account_id, day, debit, credit],
    )


def post_raw(entry_id: int) -> None:
    sql("UPDATE ledger_journalentry SET is_posted = %s WHERE id = %s", [True, entry_id])


@pytest.fixture
def cash(coop: Any) -> Account:
    return account(coop, "1-1100")


@pytest.fixture
def pokok(coop: Any) -> Account:
    return account(coop, "3-1100")


@pytest.fixture
def posted(coop: Any, cash: Account, pokok: Account) -> JournalEntry:
    """A properly posted entry (through the service) to attack."""
    from koperasi.ledger.services import LineInput, journal_post

    return journal_post(
        cooperative=coop,
        date=D,
        lines=[LineInput(cash, debit=50_000), LineInput(pokok, credit=50_000)],
        memo="Simpanan pokok",
        actor=None,
    )


@pytest.mark.ledger_tampered
def test_raw_balanced_entry_is_accepted_but_its_made_up_hash_is_caught(
    coop: Any, cash: Account, pokok: Account
) -> None:
    """The control case: the raw SQL path works for a balanced entry (and moves the totals).

    The triggers cannot recompute SHA-256 on SQLite, so a writer that skips the service
    can store a made-up hash; ``ledger_verify`` is what catches it.
    """
    from koperasi.ledger.verify import ledger_verify

    entry_id = draft(coop, amount=1000)
    line(coop, entry_id, cash.pk, 1000, 0)
    line(coop, entry_id, pokok.pk, 0, 1000)
    post_raw(entry_id)
    assert AccountDayTotal.objects.get(cooperative=coop, account=cash, date=D).debit == 1000
    assert LedgerHead.objects.get(cooperative=coop).last_seq == 1
    result = ledger_verify(cooperative=coop)
    assert result.first_broken_seq == 1
    assert result.problems == ["JU-000001: isi jurnal tidak cocok dengan hash-nya (data diubah)."]


@pytest.mark.ledger_tampered  # the raw entry's hash is not the real content hash
def test_unbalanced_entry_cannot_be_posted(coop: Any, cash: Account, pokok: Account) -> None:
    entry_id = draft(coop, amount=1000)
    line(coop, entry_id, cash.pk, 1000, 0)
    line(coop, entry_id, pokok.pk, 0, 999)
    with refused("ledger: debits and credits of the entry differ"):
        post_raw(entry_id)
    assert not JournalEntry.objects.get(pk=entry_id).is_posted
    assert not AccountDayTotal.objects.filter(cooperative=coop).exists()


@pytest.mark.ledger_tampered
def test_amount_must_equal_the_lines(coop: Any, cash: Account, pokok: Account) -> None:
    entry_id = draft(coop, amount=5000)
    line(coop, entry_id, cash.pk, 1000, 0)
    line(coop, entry_id, pokok.pk, 0, 1000)
    with refused("ledger: debits and credits of the entry differ"):
        post_raw(entry_id)


@pytest.mark.ledger_tampered
def test_entry_needs_two_lines(coop: Any, cash: Account) -> None:
    entry_id = draft(coop, amount=1000)
    line(coop, entry_id, cash.pk, 1000, 0)
    with refused("ledger: an entry needs at least two lines"):
        post_raw(entry_id)


@pytest.mark.ledger_tampered
@pytest.mark.parametrize(("debit", "credit"), [(100, 100), (0, 0), (-100, 0), (0, -5)])
def test_line_is_debit_xor_credit_positive(coop: Any, cash: Account, debit: int, credit: int) -> None:
    entry_id = draft(coop)
    with refused("line_debit_xor_credit|CHECK constraint failed"):
        line(coop, entry_id, cash.pk, debit, credit)


def test_entry_cannot_be_inserted_already_posted(coop: Any) -> None:
    head = LedgerHead.objects.get(cooperative=coop)
    with refused("ledger: an entry is inserted as a draft, then posted"):
        sql(
            "INSERT INTO ledger_journalentry (cooperative_id, seq, date, memo, source_type, source_id, amount,"
            " is_posted, prev_hash, hash, created_at) VALUES (%s, 1, %s, 'x', 'manual', '', 10, %s, '', %s, %s)",
            [coop.pk, D, True, "f" * 64, timezone.now()],
        )
    assert head.last_seq == 0


def test_posted_line_cannot_be_updated_or_deleted(posted: JournalEntry) -> None:
    first = JournalLine.objects.filter(entry=posted).first()
    assert first is not None
    with refused("ledger: journal lines cannot be changed"):
        sql("UPDATE ledger_journalline SET debit = 1 WHERE id = %s", [first.pk])
    with refused("ledger: lines of a posted entry cannot be deleted"):
        sql("DELETE FROM ledger_journalline WHERE id = %s", [first.pk])
    assert JournalLine.objects.get(pk=first.pk).debit == 50_000


def test_posted_entry_cannot_be_updated_or_deleted(posted: JournalEntry) -> None:
    with refused("ledger: a posted entry cannot be changed"):
        sql("UPDATE ledger_journalentry SET memo = 'diubah' WHERE id = %s", [posted.pk])
    with refused("ledger: a posted entry cannot be changed"):
        sql("UPDATE ledger_journalentry SET is_posted = %s WHERE id = %s", [False, posted.pk])
    with refused("ledger: a posted entry cannot be deleted|FOREIGN KEY|foreign key"):
        sql("DELETE FROM ledger_journalentry WHERE id = %s", [posted.pk])
    assert JournalEntry.objects.get(pk=posted.pk).memo == "Simpanan pokok"


def test_lines_cannot_be_added_to_a_posted_entry(posted: JournalEntry, cash: Account, coop: Any) -> None:
    with refused("ledger: lines cannot be added to a posted entry"):
        line(coop, posted.pk, cash.pk, 10, 0)
    assert JournalLine.objects.filter(entry=posted).count() == 2


def test_no_entry_in_a_closed_period(coop: Any, cash: Account, pokok: Account) -> None:
    Period.objects.create(cooperative=coop, month=D.replace(day=1), is_closed=True, reason="tutup buku Maret")
    with refused("ledger: the period is closed"):
        draft(coop)
    assert not JournalEntry.objects.filter(cooperative=coop).exists()


@pytest.mark.ledger_tampered
def test_no_posting_of_a_draft_after_its_period_closed(coop: Any, cash: Account, pokok: Account) -> None:
    entry_id = draft(coop)
    line(coop, entry_id, cash.pk, 1000, 0)
    line(coop, entry_id, pokok.pk, 0, 1000)
    Period.objects.create(cooperative=coop, month=D.replace(day=1), is_closed=True, reason="tutup")
    with refused("ledger: the period is closed"):
        post_raw(entry_id)


@pytest.mark.ledger_tampered
def test_line_account_must_belong_to_the_entry_cooperative(coop: Any, other_coop: Any) -> None:
    entry_id = draft(coop)
    foreign_cash = account(other_coop, "1-1100")
    with refused("ledger: account belongs to another cooperative"):
        line(coop, entry_id, foreign_cash.pk, 1000, 0)
    with refused("ledger: line and entry belong to different cooperatives"):
        line(other_coop, entry_id, foreign_cash.pk, 1000, 0)
    assert not JournalLine.objects.filter(entry_id=entry_id).exists()


@pytest.mark.ledger_tampered
def test_line_unit_must_belong_to_the_cooperative(coop: Any, other_coop: Any, cash: Account) -> None:
    from koperasi.cooperatives.models import BusinessUnit

    entry_id = draft(coop)
    foreign_unit = BusinessUnit.objects.get(cooperative=other_coop, code="gerai_sembako")
    with refused("ledger: business unit belongs to another cooperative"):
        sql(
            "INSERT INTO ledger_journalline (cooperative_id, entry_id, account_id, date, debit, credit, memo,"
            " business_unit_id) VALUES (%s, %s, %s, %s, 10, 0, '', %s)",
            [coop.pk, entry_id, cash.pk, D, foreign_unit.pk],
        )


@pytest.mark.ledger_tampered
def test_no_line_on_a_group_account(coop: Any) -> None:
    entry_id = draft(coop)
    with refused("ledger: a group account cannot be posted to"):
        line(coop, entry_id, account(coop, "1-1000").pk, 1000, 0)


@pytest.mark.ledger_tampered
def test_line_date_must_be_the_entry_date(coop: Any, cash: Account) -> None:
    entry_id = draft(coop)
    with refused("ledger: line date differs from entry date"):
        line(coop, entry_id, cash.pk, 1000, 0, day=D + datetime.timedelta(days=1))


@pytest.mark.ledger_tampered  # leaves drafts behind
def test_idempotency_key_unique_per_cooperative(coop: Any, other_coop: Any) -> None:
    draft(coop, key="kunci-1")
    with refused(DUPLICATE_KEY):
        draft(coop, key="kunci-1", seq=2)
    draft(other_coop, key="kunci-1")  # another cooperative may use the same key
    assert JournalEntry.objects.filter(idempotency_key="kunci-1").count() == 2


@pytest.mark.ledger_tampered
def test_chain_must_continue_from_the_head(coop: Any, cash: Account, pokok: Account, posted: JournalEntry) -> None:
    head = LedgerHead.objects.get(cooperative=coop)
    entry_id = draft(coop)
    line(coop, entry_id, cash.pk, 1000, 0)
    line(coop, entry_id, pokok.pk, 0, 1000)
    sql("UPDATE ledger_journalentry SET prev_hash = %s WHERE id = %s", ["0" * 64, entry_id])
    with refused("ledger: the entry does not continue the hash chain"):
        post_raw(entry_id)
    sql("UPDATE ledger_journalentry SET prev_hash = %s, seq = %s WHERE id = %s", [head.last_hash, 7, entry_id])
    with refused("ledger: the entry does not continue the hash chain"):
        post_raw(entry_id)
    assert LedgerHead.objects.get(cooperative=coop).last_seq == 1


def test_account_with_postings_cannot_change_type_or_be_deleted(posted: JournalEntry, cash: Account) -> None:
    with refused("ledger: an account with postings cannot change type"):
        sql("UPDATE ledger_account SET type = 'expense' WHERE id = %s", [cash.pk])
    with refused("ledger: an account with postings cannot change type"):
        sql("UPDATE ledger_account SET normal_side = 'credit' WHERE id = %s", [cash.pk])
    with refused("ledger: an account with postings cannot be deleted"):
        sql("DELETE FROM ledger_account WHERE id = %s", [cash.pk])
    assert Account.objects.get(pk=cash.pk).type == "asset"


def test_account_without_postings_may_be_renamed_and_retyped(coop: Any) -> None:
    unused = account(coop, "5-4100")
    sql("UPDATE ledger_account SET name = 'Pajak penghasilan', normal_side = 'credit' WHERE id = %s", [unused.pk])
    assert Account.objects.get(pk=unused.pk).name == "Pajak penghasilan"


def test_account_cannot_move_to_another_cooperative(coop: Any, other_coop: Any) -> None:
    unused = account(coop, "5-4100")
    with refused("ledger: an account cannot move to another cooperative"):
        sql("UPDATE ledger_account SET cooperative_id = %s WHERE id = %s", [other_coop.pk, unused.pk])
