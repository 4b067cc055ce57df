"""The ledger's part of the year-end close: the closing entry into a closed December, the year lock, the reports."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koperasi.core.errors import Conflict, NotFound
from koperasi.ledger.models import Account, JournalEntry, Period, YearLock
from koperasi.ledger.selectors import income_statement, operating_unit_totals_between, unit_totals_between
from koperasi.ledger.services import (
    LineInput,
    closing_entry_post,
    closing_entry_reverse,
    journal_post,
    period_reopen_request,
    year_lock,
    year_unlock,
)
from tests.shu.conftest import close_months

pytestmark = pytest.mark.django_db
D = datetime.date
DEC_31 = D(2025, 12, 31)
YEAR_START = D(2025, 1, 1)


@pytest.fixture
def closed_2025(coop: Any, post: Any, bendahara: Any) -> Any:
    """2025: capital Rp1.000.000, member sales Rp300.000 (gerai), electricity Rp40.000; every month closed."""
    post(coop, D(2025, 1, 2), [("1-1100", 1_000_000, 0), ("3-1300", 0, 1_000_000)], memo="Modal")
    post(coop, D(2025, 4, 10), [("1-1100", 300_000, 0), ("4-1100", 0, 300_000)], memo="Penjualan")
    post(coop, D(2025, 12, 20), [("5-2200", 40_000, 0), ("1-1100", 0, 40_000)], memo="Listrik")
    close_months(coop, 2025, bendahara)
    return coop


def _closing_lines() -> list[LineInput]:
    return [
        LineInput(account="4-1100", debit=300_000, business_unit="gerai_sembako"),
        LineInput(account="5-2200", credit=40_000),
        LineInput(account="3-1610", credit=260_000),
    ]


def _december(coop: Any) -> Period:
    return Period.objects.get(cooperative=coop, month=D(2025, 12, 1))


def test_the_closing_entry_goes_into_a_closed_december_and_leaves_it_closed(closed_2025: Any, bendahara: Any) -> None:
    coop = closed_2025
    entry = closing_entry_post(
        cooperative=coop, year=2025, lines=_closing_lines(), memo="Tutup buku 2025", actor=bendahara
    )
    assert (entry.date, entry.source_type, entry.source_id, entry.amount, entry.is_posted) == (
        DEC_31,
        "year_close",
        "2025",
        300_000,
        True,
    )
    assert _december(coop).is_closed
    assert Period.objects.filter(cooperative=coop, month__year=2025, is_closed=True).count() == 12
    # Anything else dated in December is still refused.
    with pytest.raises(Conflict) as caught:
        journal_post(
            cooperative=coop,
            date=DEC_31,
            lines=[LineInput(account="1-1100", debit=1_000), LineInput(account="4-3200", credit=1_000)],
            memo="Terlambat",
            actor=bendahara,
        )
    assert caught.value.code == "period_closed"
    assert JournalEntry.objects.filter(cooperative=coop).count() == 4


def test_a_closing_entry_into_an_open_december_leaves_it_open(coop: Any, post: Any, bendahara: Any) -> None:
    post(coop, D(2025, 4, 10), [("1-1100", 300_000, 0), ("4-1100", 0, 300_000)])
    closing_entry_post(
        cooperative=coop,
        year=2025,
        lines=[LineInput(account="4-1100", debit=300_000), LineInput(account="3-1610", credit=300_000)],
        memo="Tutup buku 2025",
        actor=bendahara,
    )
    assert not Period.objects.filter(cooperative=coop, month=D(2025, 12, 1), is_closed=True).exists()


def test_reports_leave_the_closing_entry_and_its_reversal_out(closed_2025: Any, bendahara: Any) -> None:
    coop = closed_2025
    before = income_statement(cooperative=coop, date_from=YEAR_START, date_to=DEC_31)
    assert (before.total_income, before.total_expense, before.surplus) == (300_000, 40_000, 260_000)
    operating_before = operating_unit_totals_between(cooperative=coop, start=YEAR_START, end=DEC_31)
    entry = closing_entry_post(cooperative=coop, year=2025, lines=_closing_lines(), memo="Tutup buku", actor=bendahara)
    for start, end in [(YEAR_START, DEC_31), (D(2025, 12, 1), DEC_31), (D(2025, 4, 1), D(2026, 3, 31))]:
        statement = income_statement(cooperative=coop, date_from=start, date_to=end)
        assert statement.total_income == (300_000 if start <= D(2025, 4, 10) else 0)
        assert statement.total_expense == 40_000
    december = income_statement(cooperative=coop, date_from=DEC_31, date_to=DEC_31)
    assert (december.total_income, december.total_expense) == (0, 0)
    assert operating_unit_totals_between(cooperative=coop, start=YEAR_START, end=DEC_31) == operating_before
    # The raw totals do see the closing entry: income and expense are zero for the year, 3-1610 holds the surplus.
    raw = unit_totals_between(cooperative=coop, start=YEAR_START, end=DEC_31)
    accounts = dict(Account.objects.filter(cooperative=coop).values_list("pk", "code"))
    by_code = {(accounts[a], u): v for (a, u), v in raw.items()}
    assert [v for (code, _), v in by_code.items() if code == "4-1100"] == [(300_000, 300_000)]
    assert [v for (code, _), v in by_code.items() if code == "3-1610"] == [(0, 260_000)]
    # The reversal (a reopened year) is left out as well.
    reversal = closing_entry_reverse(cooperative=coop, entry=entry, year=2025, actor=bendahara)
    assert (reversal.reverses, reversal.source_type, reversal.date) == (entry, "year_close", DEC_31)
    assert _december(coop).is_closed
    assert operating_unit_totals_between(cooperative=coop, start=YEAR_START, end=DEC_31) == operating_before
    after = income_statement(cooperative=coop, date_from=YEAR_START, date_to=DEC_31)
    assert (after.total_income, after.total_expense) == (300_000, 40_000)


def test_a_closing_entry_is_reversed_once_and_only_by_its_cooperative(
    closed_2025: Any, other_coop: Any, bendahara: Any
) -> None:
    coop = closed_2025
    entry = closing_entry_post(cooperative=coop, year=2025, lines=_closing_lines(), memo="Tutup buku", actor=bendahara)
    with pytest.raises(NotFound):
        closing_entry_reverse(cooperative=other_coop, entry=entry, year=2025, actor=bendahara)
    closing_entry_reverse(cooperative=coop, entry=entry, year=2025, actor=bendahara)
    count = JournalEntry.objects.filter(cooperative=coop).count()
    with pytest.raises(Conflict) as caught:
        closing_entry_reverse(cooperative=coop, entry=entry, year=2025, actor=bendahara)
    assert caught.value.code == "entry_already_reversed"
    assert JournalEntry.objects.filter(cooperative=coop).count() == count
    assert _december(coop).is_closed


def test_a_locked_year_keeps_its_months_closed(closed_2025: Any, ketua: Any, other_coop: Any) -> None:
    coop = closed_2025
    year_lock(cooperative=coop, year=2025)
    year_lock(cooperative=coop, year=2025)  # idempotent
    assert YearLock.objects.filter(cooperative=coop, year=2025).count() == 1
    with pytest.raises(Conflict) as caught:
        period_reopen_request(cooperative=coop, month=D(2025, 3, 1), reason="Koreksi", actor=ketua)
    assert caught.value.code == "year_closed"
    assert caught.value.message == (
        "Tahun buku 2025 sudah ditutup; bulannya tidak dapat dibuka kembali sebelum tahun buku dibuka kembali "
        "oleh ketua dan pengawas."
    )
    year_unlock(cooperative=other_coop, year=2025)  # another cooperative's unlock touches nothing here
    assert YearLock.objects.filter(cooperative=coop).exists()
    year_unlock(cooperative=coop, year=2025)
    request = period_reopen_request(cooperative=coop, month=D(2025, 3, 1), reason="Koreksi", actor=ketua)
    assert request.status == "menunggu"
