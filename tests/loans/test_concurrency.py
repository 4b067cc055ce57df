"""Parallel tellers on one loan (PostgreSQL, real connections).

The loan row lock orders the writes: each repayment sees the instalments the previous one
left, so a loan cannot be paid twice or beyond what it asks, a double-submitted repayment
is booked once, and an approved loan is disbursed once.
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

D = datetime.date(2026, 3, 10)


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


def _repay(coop: Any, loan: Any, amount: int, actor: Any, **extra: Any) -> Any:
    from koperasi.loans.services import loan_repay

    def job() -> str:
        txn = loan_repay(cooperative=coop, loan=loan.pk, amount=amount, date=D, actor=actor, **extra)
        return str(txn.pk)

    return job


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tellers_paying_the_whole_loan_at_once_collect_it_once(
    coop: Any, disbursed_loan: Any, kasir: Any, grant: Any
) -> None:
    from koperasi.ledger.models import JournalLine
    from koperasi.loans.models import Loan, LoanInstallment, LoanTransaction

    second_teller = grant(coop, "kasir", username="kasir-dua")
    remaining = 12 * 840_000  # on the first due date: no penalty, the whole schedule is 10.080.000
    outcomes = _run_parallel(
        [_repay(coop, disbursed_loan, remaining, kasir), _repay(coop, disbursed_loan, remaining, second_teller)]
    )
    successes = [o for o in outcomes if o.isdigit()]
    refusals = sorted(o for o in outcomes if not o.isdigit())
    assert len(successes) == 1, outcomes
    assert refusals in (["amount_over_remaining"], ["loan_not_active"]), outcomes
    loan = Loan.objects.get(pk=disbursed_loan.pk)
    assert (loan.status, loan.outstanding_principal, loan.principal_paid, loan.interest_paid) == (
        "closed",
        0,
        9_000_000,
        1_080_000,
    )
    repayments = LoanTransaction.objects.filter(loan=loan, type="angsuran")
    assert repayments.count() == 1
    assert LoanInstallment.objects.filter(loan=loan).aggregate(p=Sum("principal_paid"), i=Sum("interest_paid")) == {
        "p": 9_000_000,
        "i": 1_080_000,
    }
    cash_in = JournalLine.objects.filter(entry_id__in=repayments.values("journal_entry_id"), account__code="1-1100")
    assert cash_in.aggregate(s=Sum("debit"))["s"] == remaining


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_many_tellers_never_over_collect(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    from koperasi.loans.models import Loan, LoanTransaction

    # Six payments of 3.000.000 against 10.080.000 still asked: three fit, the fourth would exceed it.
    outcomes = Counter(
        "ok" if o.isdigit() else o for o in _run_parallel([_repay(coop, disbursed_loan, 3_000_000, kasir)] * 6)
    )
    assert outcomes == Counter({"ok": 3, "amount_over_remaining": 3}), outcomes
    loan = Loan.objects.get(pk=disbursed_loan.pk)
    txns = LoanTransaction.objects.filter(loan=loan, type="angsuran")
    assert txns.aggregate(s=Sum("amount"))["s"] == 9_000_000
    # Each payment saw what the previous one left: 3.000.000 pays 3 instalments and 480.000 of the fourth
    # (principal 2.640.000), then 6.000.000 in all pays 7 and 120.000, then 9.000.000 pays 10 and 600.000.
    assert sorted(txns.values_list("outstanding_after", flat=True), reverse=True) == [6_360_000, 3_720_000, 990_000]
    assert (loan.status, loan.outstanding_principal) == ("active", 990_000)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_double_submit_of_one_repayment_records_it_once(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    from koperasi.ledger.models import JournalEntry
    from koperasi.loans.models import Loan, LoanTransaction

    outcomes = _run_parallel([_repay(coop, disbursed_loan, 840_000, kasir, idempotency_key="teller-form-7")] * 4)
    assert len(set(outcomes)) == 1 and outcomes[0].isdigit(), outcomes
    assert LoanTransaction.objects.filter(type="angsuran").count() == 1
    assert JournalEntry.objects.filter(idempotency_key="loans:teller-form-7").count() == 1
    assert Loan.objects.get(pk=disbursed_loan.pk).outstanding_principal == 8_250_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_disbursements_of_one_loan_pay_it_out_once(
    coop: Any, active_member: Any, product: Any, kasir: Any, bendahara: Any, fund_cash: Any, grant: Any
) -> None:
    from koperasi.ledger.models import JournalLine
    from koperasi.loans import services
    from koperasi.loans.models import Loan, LoanInstallment, LoanTransaction

    fund_cash(coop)
    loan = services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=9_000_000,
        term_months=12,
        applied_on=datetime.date(2026, 2, 2),
        actor=kasir,
    )
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=datetime.date(2026, 2, 3))
    second_teller = grant(coop, "kasir", username="kasir-dua")

    def disburse(actor: Any, channel: str) -> Any:
        def job() -> str:
            services.loan_disburse(
                cooperative=coop, loan=loan.pk, date=datetime.date(2026, 2, 10), actor=actor, channel=channel
            )
            return "ok"

        return job

    outcomes = Counter(_run_parallel([disburse(kasir, "tunai"), disburse(second_teller, "sukarela")] * 2))
    assert outcomes == Counter({"ok": 1, "loan_not_approved": 3}), outcomes
    assert Loan.objects.get(pk=loan.pk).status == "active"
    assert LoanTransaction.objects.filter(loan=loan, type="pencairan").count() == 1
    assert LoanInstallment.objects.filter(loan=loan).count() == 12
    receivable = JournalLine.objects.filter(account__code="1-1300", entry__cooperative=coop)
    assert receivable.aggregate(s=Sum("debit"))["s"] == 9_000_000


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_payoff_and_repayment_at_once_one_wins(coop: Any, disbursed_loan: Any, kasir: Any, grant: Any) -> None:
    from koperasi.loans import selectors, services
    from koperasi.loans.models import Loan, LoanTransaction

    second_teller = grant(coop, "kasir", username="kasir-dua")
    quote = selectors.loan_position(loan=disbursed_loan, day=D).payoff
    assert quote is not None and quote.total == 9_180_000  # 9.000.000 + March (due) and April (running) interest

    def payoff() -> str:
        txn = services.loan_payoff(
            cooperative=coop, loan=disbursed_loan.pk, date=D, expected_total=quote.total, actor=second_teller
        )
        return str(txn.pk)

    outcomes = _run_parallel([payoff, _repay(coop, disbursed_loan, 840_000, kasir)])
    successes = [o for o in outcomes if o.isdigit()]
    assert len(successes) == 1 and sorted(o for o in outcomes if not o.isdigit()) in (
        ["payoff_changed"],
        ["loan_not_active"],
    ), outcomes
    loan = Loan.objects.get(pk=disbursed_loan.pk)
    txn = LoanTransaction.objects.get(pk=int(successes[0]))
    if txn.type == "pelunasan":
        assert (loan.status, loan.outstanding_principal, txn.amount) == ("closed", 0, 9_180_000)
    else:
        assert (loan.status, loan.outstanding_principal, txn.amount) == ("active", 8_250_000, 840_000)
