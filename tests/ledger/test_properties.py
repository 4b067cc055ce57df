"""Property tests: random balanced postings and reversals never break the books."""

from __future__ import annotations

import datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koperasi.ledger import selectors
from koperasi.ledger.models import Account, JournalEntry
from koperasi.ledger.periods import month_end, range_parts
from koperasi.ledger.services import LineInput, journal_post, journal_reverse
from koperasi.ledger.verify import ledger_verify

START = datetime.date(2025, 11, 1)
days = st.integers(min_value=0, max_value=150).map(lambda n: START + datetime.timedelta(days=n))


@given(start=st.one_of(st.none(), days), end=days)
def test_range_parts_cover_exactly_the_range(start: datetime.date | None, end: datetime.date) -> None:
    parts = range_parts(start, end)
    covered: list[datetime.date] = []
    first_day = datetime.date(2025, 1, 1)
    if parts.months_before is not None:
        day = first_day
        while day < parts.months_before:
            covered.append(day)
            day += datetime.timedelta(days=1)
    if parts.months is not None:
        day = parts.months[0]
        while day <= month_end(parts.months[1]):
            covered.append(day)
            day += datetime.timedelta(days=1)
    for first, last in parts.day_ranges:
        day = first
        while day <= last:
            covered.append(day)
            day += datetime.timedelta(days=1)
    lower = start or first_day
    expected = [lower + datetime.timedelta(days=n) for n in range((end - lower).days + 1)] if lower <= end else []
    assert sorted(covered) == expected  # every day once, nothing outside


# An entry: 2–5 (account index, amount, side) parts; the last line balances the rest.
entry_strategy = st.tuples(
    days,
    st.lists(st.tuples(st.integers(0, 1000), st.integers(1, 5_000_000), st.booleans()), min_size=1, max_size=4),
    st.integers(0, 1000),
    st.booleans(),  # reverse it afterwards?
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(entry_strategy, min_size=1, max_size=8))
def test_random_postings_and_reversals_keep_the_books_whole(coop: Any, bendahara: Any, entries: Any) -> None:
    leaves = list(Account.objects.filter(cooperative=coop, is_group=False).order_by("code"))
    for day, parts, balancing, reverse in entries:
        lines = [
            LineInput(leaves[i % len(leaves)], debit=amount if is_debit else 0, credit=0 if is_debit else amount)
            for i, amount, is_debit in parts
        ]
        net = sum(line.debit - line.credit for line in lines)
        if net == 0:
            lines.append(LineInput(leaves[balancing % len(leaves)], debit=1))
            lines.append(LineInput(leaves[(balancing + 1) % len(leaves)], credit=1))
        else:
            side = {"credit": net} if net > 0 else {"debit": -net}
            lines.append(LineInput(leaves[balancing % len(leaves)], **side))
        entry = journal_post(cooperative=coop, date=day, lines=lines, memo="Acak", actor=bendahara)
        if reverse:
            journal_reverse(cooperative=coop, entry=entry, date=day + datetime.timedelta(days=3), actor=bendahara)

    result = ledger_verify(cooperative=coop)
    assert result.ok, result.problems
    assert result.entries_checked == JournalEntry.objects.filter(cooperative=coop).count()
    for as_of in (START + datetime.timedelta(days=45), START + datetime.timedelta(days=200)):
        tb = selectors.trial_balance(cooperative=coop, as_of=as_of)
        assert tb.total_debit == tb.total_credit
        sheet = selectors.balance_sheet(cooperative=coop, as_of=as_of)
        assert sheet.balanced, sheet.totals
        flow = selectors.cash_flow(cooperative=coop, date_from=START, date_to=as_of)
        assert flow.opening_cash + flow.net_change == flow.closing_cash
