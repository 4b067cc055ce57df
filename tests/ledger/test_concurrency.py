"""Parallel tellers posting to one cooperative (PostgreSQL, real connections).

The head-row lock orders the postings: every entry gets its own number, the chain has no
fork, and a double submit with one idempotency key posts once.
"""

from __future__ import annotations

import datetime
import threading
from typing import Any

import pytest
from django.db import connection

from koperasi.ledger.services import LineInput, journal_post

D = datetime.date(2026, 8, 3)


def _run_parallel(jobs: list[Any]) -> list[str]:
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []

    def run(job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(job())
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
def test_parallel_postings_chain_without_forks(coop: Any, bendahara: Any) -> None:
    from koperasi.ledger.models import JournalEntry, LedgerHead
    from koperasi.ledger.verify import ledger_verify

    def teller(n: int) -> Any:
        def job() -> str:
            for i in range(5):
                journal_post(
                    cooperative=coop,
                    date=D,
                    lines=[LineInput("1-1100", debit=1_000 * (n + 1)), LineInput("4-1100", credit=1_000 * (n + 1))],
                    memo=f"Penjualan kasir {n} #{i}",
                    actor=bendahara,
                )
            return "ok"

        return job

    assert _run_parallel([teller(n) for n in range(4)]) == ["ok"] * 4
    seqs = sorted(JournalEntry.objects.filter(cooperative=coop).values_list("seq", flat=True))
    assert seqs == list(range(1, 21))
    assert LedgerHead.objects.get(cooperative=coop).last_seq == 20
    result = ledger_verify(cooperative=coop)
    assert result.ok, result.problems


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_double_submit_with_one_key_posts_once(coop: Any, bendahara: Any) -> None:
    from koperasi.ledger.models import JournalEntry

    def submit() -> str:
        entry = journal_post(
            cooperative=coop,
            date=D,
            lines=[LineInput("1-1100", debit=75_000), LineInput("3-1100", credit=75_000)],
            memo="Setoran pokok",
            idempotency_key="form-7f3a",
            actor=bendahara,
        )
        return str(entry.pk)

    outcomes = _run_parallel([submit, submit, submit])
    assert len(set(outcomes)) == 1 and not outcomes[0].startswith("error")
    assert JournalEntry.objects.filter(cooperative=coop).count() == 1
