"""Parallel tellers on one member's simpanan sukarela (PostgreSQL, real connections).

The member row lock orders the withdrawals: each sees the balance the previous one left,
so the account never goes below zero and every accepted withdrawal is booked exactly once.
"""

from __future__ import annotations

import datetime
import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from koperasi.core.errors import Conflict

D = datetime.date(2026, 2, 2)


def _run_parallel(jobs: list[Any]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(job())
        except Conflict as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # the test reports whatever went wrong
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_withdrawals_never_overdraw(coop: Any, active_member: Any, kasir: Any) -> None:
    from koperasi.ledger.models import JournalLine
    from koperasi.savings.models import SavingsAccount, SavingsTransaction
    from koperasi.savings.services import savings_deposit, savings_withdraw

    savings_deposit(cooperative=coop, member=active_member, kind="sukarela", amount=100_000, date=D, actor=kasir)

    def withdraw() -> str:
        savings_withdraw(cooperative=coop, member=active_member, kind="sukarela", amount=30_000, date=D, actor=kasir)
        return "ok"

    outcomes = Counter(_run_parallel([withdraw for _ in range(8)]))
    assert outcomes == Counter({"ok": 3, "insufficient_balance": 5})  # 3 × 30.000 ≤ 100.000 < 4 × 30.000
    account = SavingsAccount.objects.get(member=active_member, kind="sukarela")
    assert account.balance == 10_000
    withdrawals = SavingsTransaction.objects.filter(member=active_member, type="tarik")
    assert sorted(withdrawals.values_list("balance_after", flat=True)) == [10_000, 40_000, 70_000]
    # Each accepted withdrawal is in the ledger exactly once, with the member on the line.
    entries = list(withdrawals.values_list("journal_entry_id", flat=True))
    assert len(set(entries)) == 3
    lines = JournalLine.objects.filter(entry_id__in=entries, account__code="2-1100", member=active_member)
    assert lines.count() == 3
    assert lines.aggregate(s=Sum("debit"))["s"] == 90_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_double_submit_of_one_deposit_records_it_once(coop: Any, active_member: Any, kasir: Any) -> None:
    from koperasi.ledger.models import JournalEntry
    from koperasi.savings.models import SavingsTransaction
    from koperasi.savings.services import savings_deposit

    def submit() -> str:
        txn = savings_deposit(
            cooperative=coop,
            member=active_member,
            kind="wajib",
            amount=20_000,
            date=D,
            actor=kasir,
            idempotency_key="teller-form-1",
        )
        return str(txn.pk)

    outcomes = _run_parallel([submit for _ in range(4)])
    assert len(set(outcomes)) == 1 and outcomes[0].isdigit(), outcomes
    assert SavingsTransaction.objects.filter(kind="wajib").count() == 1
    assert JournalEntry.objects.filter(idempotency_key="savings:teller-form-1").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_registrations_get_distinct_numbers(coop: Any, member_data: Any, admin_user: Any) -> None:
    from koperasi.members.models import Member
    from koperasi.members.services import member_register

    def register(n: int) -> Any:
        def job() -> str:
            nik = f"64710415058{n:01d}000{n + 1}"[:16]
            member_register(cooperative=coop, data=member_data(nik=nik, name=f"Anggota {n}"), actor=admin_user)
            return "ok"

        return job

    same_nik = [register(0), register(0)]
    others = [register(n) for n in range(1, 5)]
    outcomes = Counter(_run_parallel(same_nik + others))
    assert outcomes == Counter({"ok": 5, "member_nik_taken": 1})
    numbers = sorted(Member.objects.filter(cooperative=coop).values_list("member_no", flat=True))
    assert numbers == [1, 2, 3, 4, 5]
