"""Pure quota arithmetic: windows, usage, what remains, which rule refuses and what it says (no database)."""

from __future__ import annotations

import datetime
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koperasi.subsidies.calculations import (
    Rule,
    RuleUsage,
    Used,
    reaches_limit,
    refusal_message,
    refusing_rule,
    remaining,
    span,
    usage,
    window,
)

D = datetime.date
KK_MONTH = Rule(per="kk", period="month", max_qty=10)
NIK_DAY_ONCE = Rule(per="nik", period="day", max_purchases=1)
NIK_DAY_TWO = Rule(per="nik", period="day", max_qty=2)
PER_PURCHASE = Rule(per="nik", period="purchase", max_qty=2)


# --- Windows ---------------------------------------------------------------------------------------


def test_a_day_window_is_the_day() -> None:
    assert window("day", D(2026, 3, 10)) == (D(2026, 3, 10), D(2026, 3, 10))


def test_a_purchase_has_no_window() -> None:
    assert window("purchase", D(2026, 3, 10)) is None


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2026, 3, 9), (D(2026, 3, 9), D(2026, 3, 15))),  # a Monday starts its own week
        (D(2026, 3, 15), (D(2026, 3, 9), D(2026, 3, 15))),  # a Sunday ends it
        (D(2026, 4, 2), (D(2026, 3, 30), D(2026, 4, 5))),  # across a month end
        (D(2026, 12, 31), (D(2026, 12, 28), D(2027, 1, 3))),  # across a year end (Thursday)
        (D(2027, 1, 1), (D(2026, 12, 28), D(2027, 1, 3))),  # the same ISO week from the other side
    ],
)
def test_a_week_runs_monday_to_sunday(day: D, expected: tuple[D, D]) -> None:
    assert window("week", day) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (D(2028, 2, 29), (D(2028, 2, 1), D(2028, 2, 29))),  # leap year
        (D(2028, 2, 1), (D(2028, 2, 1), D(2028, 2, 29))),
        (D(2026, 2, 14), (D(2026, 2, 1), D(2026, 2, 28))),
        (D(2026, 12, 31), (D(2026, 12, 1), D(2026, 12, 31))),  # December does not spill into January
        (D(2026, 12, 1), (D(2026, 12, 1), D(2026, 12, 31))),
        (D(2026, 1, 31), (D(2026, 1, 1), D(2026, 1, 31))),
    ],
)
def test_a_month_is_the_calendar_month(day: D, expected: tuple[D, D]) -> None:
    assert window("month", day) == expected


def test_an_unknown_period_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        window("year", D(2026, 3, 10))


def test_span_covers_every_rule_window() -> None:
    rules = [KK_MONTH, NIK_DAY_ONCE, Rule(per="nik", period="week", max_qty=4)]
    # 1 April 2026 is a Wednesday: its week starts in March, its month ends 30 April.
    assert span(rules, D(2026, 4, 1)) == (D(2026, 3, 30), D(2026, 4, 30))
    assert span([NIK_DAY_ONCE], D(2026, 4, 1)) == (D(2026, 4, 1), D(2026, 4, 1))
    assert span([PER_PURCHASE], D(2026, 4, 1)) is None
    assert span([], D(2026, 4, 1)) is None


# --- Usage, remaining, refusals -----------------------------------------------------------------------


def test_usage_reads_what_each_rule_used_and_ignores_it_for_a_single_purchase() -> None:
    used = {KK_MONTH: Used(qty=8, purchases=4), PER_PURCHASE: Used(qty=99, purchases=99)}
    kk, nik, purchase = usage([KK_MONTH, NIK_DAY_ONCE, PER_PURCHASE], D(2026, 3, 10), used)
    assert (kk.window_start, kk.window_end, kk.used_qty, kk.used_purchases) == (D(2026, 3, 1), D(2026, 3, 31), 8, 4)
    assert (kk.remaining_qty, kk.remaining_purchases, kk.remaining) == (2, None, 2)
    assert (nik.window_start, nik.used_qty, nik.used_purchases) == (D(2026, 3, 10), 0, 0)
    assert (nik.remaining_qty, nik.remaining_purchases, nik.remaining) == (None, 1, None)
    assert (purchase.window_start, purchase.window_end, purchase.used_qty) == (None, None, 0)
    assert purchase.remaining == 2


def test_remaining_is_the_smallest_over_the_rules() -> None:
    rules = [KK_MONTH, NIK_DAY_ONCE, PER_PURCHASE]
    assert remaining(usage(rules, D(2026, 3, 10), {KK_MONTH: Used(qty=9, purchases=5)})) == 1
    assert remaining(usage(rules, D(2026, 3, 10), {})) == 2
    # A purchase count used up leaves nothing, whatever the quantities say.
    assert remaining(usage(rules, D(2026, 3, 10), {NIK_DAY_ONCE: Used(qty=1, purchases=1)})) == 0
    # Over the limit (a return undone elsewhere, a rule changed): never negative.
    assert remaining(usage([KK_MONTH], D(2026, 3, 10), {KK_MONTH: Used(qty=12, purchases=6)})) == 0
    # Only a purchase count: no unit limit.
    assert remaining(usage([NIK_DAY_ONCE], D(2026, 3, 10), {})) is None
    assert remaining([]) is None


def test_refusing_rule_checks_purchase_counts_before_quantities() -> None:
    rules = [KK_MONTH, NIK_DAY_ONCE]
    usages = usage(rules, D(2026, 3, 10), {KK_MONTH: Used(qty=10, purchases=5), NIK_DAY_ONCE: Used(1, 1)})
    refused = refusing_rule(usages, 1)
    assert refused is not None and refused.rule == NIK_DAY_ONCE
    usages = usage(rules, D(2026, 3, 10), {KK_MONTH: Used(qty=8, purchases=4)})
    assert refusing_rule(usages, 2) is None
    refused = refusing_rule(usages, 3)
    assert refused is not None and refused.rule == KK_MONTH


def test_refusal_messages_name_the_rule_and_what_remains() -> None:
    day = D(2026, 3, 10)
    kk = usage([KK_MONTH], day, {KK_MONTH: Used(qty=8, purchases=4)})[0]
    assert refusal_message(kk, 3, "tabung") == (
        "Kuota KK bulan ini tersisa 2 tabung (batas 10 tabung per KK per bulan); diminta 3 tabung."
    )
    once = usage([NIK_DAY_ONCE], day, {NIK_DAY_ONCE: Used(qty=1, purchases=1)})[0]
    assert refusal_message(once, 1, "tabung") == (
        "NIK ini sudah membeli 1 kali hari ini; batas 1 kali pembelian per NIK per hari. Bisa membeli lagi besok."
    )
    per_purchase = usage([PER_PURCHASE], day, {})[0]
    assert refusal_message(per_purchase, 3, "karung") == (
        "Paling banyak 2 karung sekali beli (2 karung per NIK per pembelian); diminta 3 karung."
    )
    week = Rule(per="nik", period="week", max_qty=4, max_purchases=3)
    used_week = usage([week], day, {week: Used(qty=4, purchases=2)})[0]
    assert refusal_message(used_week, 1, "botol") == (
        "Kuota NIK minggu ini tersisa 0 botol (batas 4 botol dan 3 kali pembelian per NIK per minggu); diminta 1 botol."
    )
    day_two = usage([NIK_DAY_TWO], day, {NIK_DAY_TWO: Used(qty=1, purchases=1)})[0]
    assert refusal_message(day_two, 2, "karung") == (
        "Kuota NIK hari ini tersisa 1 karung (batas 2 karung per NIK per hari); diminta 2 karung."
    )


def test_rule_descriptions() -> None:
    assert KK_MONTH.describe("tabung") == "10 tabung per KK per bulan"
    assert NIK_DAY_ONCE.describe("tabung") == "1 kali pembelian per NIK per hari"
    assert Rule(per="kk", period="week", max_qty=3, max_purchases=2).describe("botol") == (
        "3 botol dan 2 kali pembelian per KK per minggu"
    )


def test_reaches_limit_when_this_purchase_takes_a_quantity_rule_s_last_units() -> None:
    day = D(2026, 3, 10)
    kk = usage([KK_MONTH], day, {KK_MONTH: Used(qty=7, purchases=3)})
    assert not reaches_limit(kk, 2)
    assert reaches_limit(kk, 3)
    # Purchase counts do not mark a buyer "at the limit": every LPG buyer would be.
    assert not reaches_limit(usage([NIK_DAY_ONCE], day, {}), 1)
    two = Rule(per="nik", period="week", max_purchases=2)
    assert not reaches_limit(usage([two], day, {two: Used(qty=5, purchases=1)}), 1)
    both = Rule(per="nik", period="week", max_qty=6, max_purchases=2)
    assert reaches_limit(usage([both], day, {both: Used(qty=5, purchases=1)}), 1)
    assert reaches_limit(usage([PER_PURCHASE], day, {}), 2)  # the most one purchase may take
    assert not reaches_limit(usage([PER_PURCHASE], day, {}), 1)
    assert not reaches_limit([], 100)


# --- Property: accepted purchases never exceed a rule -----------------------------------------------

NIKS = ["n1", "n2", "n3", "n4"]
KK_OF = {"n1": "k1", "n2": "k1", "n3": "k1", "n4": "k2"}
START = D(2026, 2, 20)


@st.composite
def rule_sets(draw: st.DrawFn) -> list[Rule]:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(["nik", "kk"]), st.sampled_from(["purchase", "day", "week", "month"])),
            min_size=1,
            max_size=5,
            unique=True,
        )
    )
    rules = []
    for per, period in keys:
        max_qty = draw(st.none() | st.integers(1, 12))
        max_purchases = None if period == "purchase" else draw(st.none() | st.integers(1, 4))
        if max_qty is None and max_purchases is None:
            max_qty = draw(st.integers(1, 12))
        rules.append(Rule(per=per, period=period, max_qty=max_qty, max_purchases=max_purchases))
    return rules


attempts = st.lists(
    st.tuples(st.sampled_from(NIKS), st.integers(1, 6), st.integers(0, 45)),  # (nik, qty, day offset)
    min_size=1,
    max_size=40,
)


def _used(rule: Rule, nik: str, day: D, accepted: list[tuple[str, int, D]]) -> Used:
    bounds = window(rule.period, day)
    if bounds is None:
        return Used()
    mine = [
        (q, d)
        for n, q, d in accepted
        if bounds[0] <= d <= bounds[1] and (n == nik if rule.per == "nik" else KK_OF[n] == KK_OF[nik])
    ]
    return Used(qty=sum(q for q, _ in mine), purchases=len(mine))


@settings(max_examples=60, deadline=None)
@given(rules=rule_sets(), tries=attempts)
def test_accepted_purchases_never_exceed_any_rule(rules: list[Rule], tries: list[tuple[str, int, int]]) -> None:
    accepted: list[tuple[str, int, D]] = []
    for nik, qty, offset in tries:  # in any order: backdated purchases count in their own windows
        day = START + datetime.timedelta(days=offset)
        usages = usage(rules, day, {r: _used(r, nik, day, accepted) for r in rules})
        refused = refusing_rule(usages, qty)
        left = remaining(usages)
        # ``remaining`` is what the POS shows: exactly the quantities the till accepts.
        assert (refused is None) == (left is None or qty <= left)
        if refused is None:
            accepted.append((nik, qty, day))
            after = usage(rules, day, {r: _used(r, nik, day, accepted) for r in rules})
            used_up = any(u.remaining_qty == 0 for u in after if u.window_start is not None) or any(
                u.rule.max_qty == qty for u in after if u.window_start is None
            )
            assert reaches_limit(usages, qty) == used_up
        else:
            assert isinstance(refused, RuleUsage) and refused.rule in rules
    # Every window of every rule, for every NIK and KK: within the limits.
    for rule in rules:
        totals: dict[tuple[str, D | None], list[int]] = defaultdict(list)
        for nik, qty, day in accepted:
            who = nik if rule.per == "nik" else KK_OF[nik]
            bounds = window(rule.period, day)
            totals[(who, bounds[0] if bounds else None)].append(qty)
            if bounds is None and rule.max_qty is not None:
                assert qty <= rule.max_qty
        if rule.period == "purchase":
            continue
        for quantities in totals.values():
            if rule.max_qty is not None:
                assert sum(quantities) <= rule.max_qty
            if rule.max_purchases is not None:
                assert len(quantities) <= rule.max_purchases
