"""Parallel closes, approvals and payments on real PostgreSQL connections.

Every write on a cooperative's year takes the cooperative's row lock first (a close, a
reopen, an approval), so two of them run one after the other and the second sees what the
first committed; a payment locks its member share. The ledger and sub-ledger checks of the
autouse fixture run after each test.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

import pytest

from koperasi.ledger.models import JournalEntry
from koperasi.shu.models import FiscalYear, ShuDistribution, ShuMemberShare
from tests.shop.test_concurrency import _ok, _run_parallel
from tests.shu.conftest import CLOSE_TODAY, DECISION, RAT_DATE, YEAR

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _approve(books: Any, actor: Any) -> Any:
    from koperasi.shu.services import shu_approve

    def job() -> str:
        distribution = shu_approve(
            cooperative=books.coop,
            year=YEAR,
            rat_date=RAT_DATE,
            decision_number=DECISION,
            actor=actor,
            today=CLOSE_TODAY,
        )
        return str(distribution.pk)

    return job


def _close(books: Any, actor: Any) -> Any:
    from koperasi.shu.services import fiscal_year_close

    def job() -> str:
        return str(fiscal_year_close(cooperative=books.coop, year=YEAR, actor=actor, today=CLOSE_TODAY).pk)

    return job


def test_two_parallel_approvals_of_one_year_distribute_it_once(year_books: Any, closed_year: Any, grant: Any) -> None:
    second = grant(year_books.coop, "sekretaris", username="sekretaris-manggar")
    outcomes = _run_parallel([_approve(year_books, year_books.ketua), _approve(year_books, second)])
    assert _ok(outcomes) == Counter({"ok": 1, "shu_already_distributed": 1}), outcomes
    assert ShuDistribution.objects.count() == 1
    assert ShuMemberShare.objects.count() == 3
    assert JournalEntry.objects.filter(cooperative=year_books.coop, source_type="shu").count() == 1


def test_six_parallel_payments_of_one_share_pay_it_once(year_books: Any, distributed: Any, grant: Any) -> None:
    from koperasi.shu.services import shu_pay

    share = ShuMemberShare.objects.get(member=year_books.budi)
    cashiers = [year_books.bendahara] + [
        grant(year_books.coop, "bendahara", username=f"bendahara-{i}") for i in range(2, 7)
    ]

    def pay(actor: Any, method: str) -> Any:
        def job() -> str:
            paid = shu_pay(
                cooperative=year_books.coop,
                share=share,
                method=method,
                date=datetime.date(2026, 1, 25),
                actor=actor,
                today=CLOSE_TODAY,
            )
            return str(paid.pk)

        return job

    methods = ["tunai", "sukarela"] * 3
    outcomes = _run_parallel([pay(actor, method) for actor, method in zip(cashiers, methods, strict=True)])
    assert _ok(outcomes) == Counter({"ok": 1, "shu_already_paid": 5}), outcomes
    share.refresh_from_db()
    assert share.is_paid
    payments = JournalEntry.objects.filter(cooperative=year_books.coop, date=datetime.date(2026, 1, 25))
    assert payments.count() == 1
    assert payments.get() == share.payment_entry
    assert payments.get().amount == 182_000


def test_two_parallel_closes_of_one_year_close_it_once(year_books: Any) -> None:
    outcomes = _run_parallel([_close(year_books, year_books.bendahara), _close(year_books, year_books.ketua)])
    assert _ok(outcomes) == Counter({"ok": 1, "year_already_closed": 1}), outcomes
    assert FiscalYear.objects.count() == 1
    assert JournalEntry.objects.filter(cooperative=year_books.coop, source_type="year_close").count() == 1
    assert FiscalYear.objects.get().surplus == 1_400_000


def test_a_reopen_racing_an_approval_leaves_one_consistent_outcome(year_books: Any, closed_year: Any) -> None:
    from koperasi.shu.services import fiscal_year_reopen_approve, fiscal_year_reopen_request

    request = fiscal_year_reopen_request(
        cooperative=year_books.coop, year=YEAR, reason="Koreksi beban", actor=year_books.ketua
    )

    def reopen() -> str:
        return str(
            fiscal_year_reopen_approve(cooperative=year_books.coop, request=request, actor=year_books.pengawas).pk
        )

    outcomes = _run_parallel([reopen, _approve(year_books, year_books.ketua)])
    fiscal_year = FiscalYear.objects.get()
    if fiscal_year.is_closed:  # the approval went first: the reopen is refused
        assert sorted(_ok(outcomes).elements()) == ["ok", "shu_already_distributed"], outcomes
        assert ShuDistribution.objects.count() == 1
    else:  # the reopen went first: the year is not closed for the approval
        assert sorted(_ok(outcomes).elements()) == ["ok", "year_not_closed"], outcomes
        assert not ShuDistribution.objects.exists()
        assert JournalEntry.objects.filter(cooperative=year_books.coop, source_type="year_close").count() == 2


def test_five_parallel_spends_of_20_000_from_56_000_two_succeed(year_books: Any, distributed: Any, grant: Any) -> None:
    from koperasi.shu.models import ShuFundSpend
    from koperasi.shu.selectors import fund_balances
    from koperasi.shu.services import shu_fund_spend

    treasurers = [year_books.bendahara] + [
        grant(year_books.coop, "bendahara", username=f"bendahara-dana-{i}") for i in range(2, 6)
    ]

    def spend(actor: Any) -> Any:
        def job() -> str:
            spent = shu_fund_spend(
                cooperative=year_books.coop,
                fund="dana_pendidikan",
                amount=20_000,
                date=datetime.date(2026, 1, 28),
                channel="tunai",
                purpose=f"Pelatihan ({actor.username})",
                actor=actor,
                today=CLOSE_TODAY,
            )
            return str(spent.pk)

        return job

    messages: list[str] = []
    outcomes = _run_parallel([spend(actor) for actor in treasurers], messages)
    assert _ok(outcomes) == Counter({"ok": 2, "fund_insufficient": 3}), outcomes
    assert messages == ["Sisa Dana pendidikan Rp 16.000; tidak cukup untuk Rp 20.000."] * 3
    assert ShuFundSpend.objects.count() == 2
    assert sorted(ShuFundSpend.objects.values_list("amount", flat=True)) == [20_000, 20_000]
    assert set(ShuFundSpend.objects.values_list("created_by_id", flat=True)) <= {t.pk for t in treasurers}
    spends = JournalEntry.objects.filter(cooperative=year_books.coop, source_type="shu_fund")
    assert spends.count() == 2
    assert {e.pk for e in spends} == set(ShuFundSpend.objects.values_list("journal_entry_id", flat=True))
    fund = next(f for f in fund_balances(cooperative=year_books.coop) if f.key == "dana_pendidikan")
    assert (fund.spent, fund.balance) == (40_000, 16_000)
