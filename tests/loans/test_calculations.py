"""Pure loan arithmetic: domain.md §4.3 worked examples, due dates, rounding, annuity vs numpy-financial,
properties of every schedule, repayment allocation, payoff, arrears, collectibility, allowance, penalty.
"""

from __future__ import annotations

import datetime
import itertools
import math
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koperasi.loans.calculations import (
    ClassRules,
    InstallmentState,
    add_months,
    allowance_required,
    apply_allocation,
    collectibility_for,
    days_past_due,
    due_dates,
    fee_amount,
    loan_schedule,
    payoff_quote,
    penalty_basis_points,
    penalty_for,
    repayment_allocate,
    savings_limit,
)

D = datetime.date
START = D(2026, 1, 15)


def schedule(principal: int, rate: str, term: int, method: str, start: datetime.date = START) -> list:
    return loan_schedule(
        principal=principal, rate_pa=Decimal(rate), term_months=term, method=method, disbursed_on=start
    )


def half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


# --- domain.md §4.3 worked examples ---------------------------------------------------------------
def test_flat_12_million_at_5_percent_over_24_months() -> None:
    rows = schedule(12_000_000, "5", 24, "flat")
    assert len(rows) == 24
    assert {(r.principal, r.interest, r.installment) for r in rows} == {(500_000, 50_000, 550_000)}
    assert [r.balance for r in rows[:3]] == [11_500_000, 11_000_000, 10_500_000]
    assert rows[-1].balance == 0


def test_flat_9_million_at_1_percent_a_month_over_12_months() -> None:
    rows = schedule(9_000_000, "12", 12, "flat")
    assert {(r.principal, r.interest, r.installment) for r in rows} == {(750_000, 90_000, 840_000)}
    assert sum(r.installment for r in rows) == 10_080_000


def test_declining_6_million_at_12_percent_over_6_months() -> None:
    rows = schedule(6_000_000, "12", 6, "declining")
    assert [r.principal for r in rows] == [1_000_000] * 6
    assert [r.interest for r in rows] == [60_000, 50_000, 40_000, 30_000, 20_000, 10_000]
    assert [r.installment for r in rows] == [1_060_000, 1_050_000, 1_040_000, 1_030_000, 1_020_000, 1_010_000]
    assert [r.balance for r in rows] == [5_000_000, 4_000_000, 3_000_000, 2_000_000, 1_000_000, 0]


# --- due dates ----------------------------------------------------------------------------------------
def test_due_dates_keep_the_day_of_month_clamped_to_the_months_end() -> None:
    assert due_dates(D(2026, 1, 31), 6) == [
        D(2026, 2, 28),
        D(2026, 3, 31),
        D(2026, 4, 30),
        D(2026, 5, 31),
        D(2026, 6, 30),
        D(2026, 7, 31),
    ]
    rows = schedule(1_200_000, "12", 3, "flat", start=D(2026, 1, 31))
    assert [r.due_date for r in rows] == [D(2026, 2, 28), D(2026, 3, 31), D(2026, 4, 30)]


def test_due_dates_in_a_leap_year() -> None:
    assert due_dates(D(2028, 1, 31), 2) == [D(2028, 2, 29), D(2028, 3, 31)]
    # Disbursed on 29 February: the 29th every month, 28 February the next (common) year.
    dates = due_dates(D(2028, 2, 29), 12)
    assert dates[:2] == [D(2028, 3, 29), D(2028, 4, 29)]
    assert dates[-1] == D(2029, 2, 28)
    assert due_dates(D(2027, 12, 30), 2) == [D(2028, 1, 30), D(2028, 2, 29)]


def test_due_dates_cross_the_year_and_run_the_whole_term() -> None:
    dates = due_dates(D(2026, 11, 10), 360)
    assert dates[:3] == [D(2026, 12, 10), D(2027, 1, 10), D(2027, 2, 10)]
    assert dates[-1] == D(2056, 11, 10)
    assert add_months(D(2026, 3, 31), -1) == D(2026, 2, 28)


# --- rounding -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["flat", "declining"])
def test_principal_not_divisible_by_the_term_last_instalment_absorbs(method: str) -> None:
    rows = schedule(1_000_000, "12", 3, method)
    assert [r.principal for r in rows] == [333_333, 333_333, 333_334]
    assert sum(r.principal for r in rows) == 1_000_000
    assert [r.balance for r in rows] == [666_667, 333_334, 0]
    if method == "flat":
        assert [r.interest for r in rows] == [10_000] * 3
    else:
        # 1.000.000 × 1 %; 666.667 × 1 % = 6.666,67; 333.334 × 1 % = 3.333,34
        assert [r.interest for r in rows] == [10_000, 6_667, 3_333]


def test_flat_interest_rounded_half_up() -> None:
    # 150 × 12 % / 12 = 1,5 → 2; 149 × 1 % = 1,49 → 1
    assert {r.interest for r in schedule(150, "12", 2, "flat")} == {2}
    assert {r.interest for r in schedule(149, "12", 2, "flat")} == {1}


def test_interest_exactly_half_a_rupiah_rounds_up_for_large_principals() -> None:
    # 30.419.028.000 × 26,65 % / 12 = 675.555.913,5 exactly: half up is 675.555.914. Computing the
    # monthly rate first (26,65/100/12 = 0,0222083…) loses the exact half at 28 digits.
    for method in ("flat", "declining"):
        assert schedule(30_419_028_000, "26.65", 4, method)[0].interest == 675_555_914


# --- annuity against numpy-financial --------------------------------------------------------------------
ANNUITY_GRID = [
    (principal, rate, term)
    for principal in (1_000_000, 5_000_000, 9_000_000, 12_345_678, 25_000_000, 100_000_000, 777_777)
    for rate in ("6", "9.5", "12", "18", "24", "36")
    for term in (3, 6, 12, 18, 24, 36, 60)
]


def _numpy(rate: str, term: int, principal: int) -> tuple[float, list[float], list[float]]:
    r = float(Decimal(rate) / 1200)
    pmt = -float(npf.pmt(r, term, principal))
    ppmt = [-float(npf.ppmt(r, k, term, principal)) for k in range(1, term + 1)]
    ipmt = [-float(npf.ipmt(r, k, term, principal)) for k in range(1, term + 1)]
    return pmt, ppmt, ipmt


def test_annuity_parts_within_one_rupiah_of_numpy_financial() -> None:
    instalments = within_one = 0
    for principal, rate, term in ANNUITY_GRID:
        rows = schedule(principal, rate, term, "annuity")
        pmt, ppmt, ipmt = _numpy(rate, term, principal)
        assert sum(r.principal for r in rows) == principal
        assert rows[-1].balance == 0
        for row, p, i in zip(rows, ppmt, ipmt, strict=True):
            case = (principal, rate, term, row.no)
            assert abs(row.principal - p) <= 1, case
            assert abs(row.interest - i) <= 1, case
            assert abs(row.installment - pmt) <= 2, case
            instalments += 1
            within_one += abs(row.installment - pmt) <= 1
    assert instalments == 6_678
    # Most instalments are within 1 rupiah of pmt; the rest within 2 (module docstring).
    assert within_one / instalments >= 0.90


def _exact_annuity(principal: int, rate: str, term: int) -> tuple[Decimal, list[Decimal]]:
    """pmt and ppmt (numpy-financial's formulas) at 60 digits; ipmt = pmt − ppmt."""
    with localcontext() as context:
        context.prec = 60
        r = Decimal(rate) / 1200
        pmt = principal * r / (1 - (1 + r) ** -term)
        return pmt, [pmt * (1 + r) ** -(term - k + 1) for k in range(1, term + 1)]


@settings(max_examples=150, deadline=None)
@given(
    principal=st.integers(min_value=100_000, max_value=10**10),
    rate_hundredths=st.integers(min_value=1, max_value=10_000),
    term=st.integers(min_value=1, max_value=360),
)
def test_annuity_any_terms_within_bounds_of_the_exact_schedule(principal: int, rate_hundredths: int, term: int) -> None:
    # numpy-financial works in floats: at 90 % a year over 280 months its ppmt is 0,1 rupiah off,
    # so over the whole range the reference is its formula evaluated at 60 digits.
    rate = str(Decimal(rate_hundredths) / 100)
    rows = schedule(principal, rate, term, "annuity")
    pmt, ppmt = _exact_annuity(principal, rate, term)
    for row, p in zip(rows, ppmt, strict=True):
        assert abs(row.principal - p) <= 1
        assert abs(row.interest - (pmt - p)) <= 1
        assert abs(row.installment - pmt) <= 2


def test_annuity_instalment_can_be_more_than_one_rupiah_from_pmt() -> None:
    """Documents why the instalment bound is 2, not 1: Rp1.000.000 at 6 % over 24 months, instalment 7.

    Exact: principal 40.515,07, interest 3.805,54, pmt 44.320,61. Rounding the cumulative
    sums gives principal 40.516 and interest 3.806 (each within 1 of exact) and so an
    instalment of 44.322, 1,39 from pmt.
    """
    rows = schedule(1_000_000, "6", 24, "annuity")
    pmt, ppmt, ipmt = _numpy("6", 24, 1_000_000)
    row = rows[6]
    assert (row.no, row.principal, row.interest, row.installment) == (7, 40_516, 3_806, 44_322)
    assert round(pmt, 2) == 44_320.61
    assert abs(row.principal - ppmt[6]) < 1 and abs(row.interest - ipmt[6]) < 1
    assert 1 < abs(row.installment - pmt) < 2


def test_annuity_at_zero_rate_is_equal_principal() -> None:
    rows = schedule(1_000_000, "0", 3, "annuity")
    assert [(r.principal, r.interest) for r in rows] == [(333_333, 0), (333_333, 0), (333_334, 0)]


def test_annuity_small_known_case() -> None:
    # Rp12.000.000 at 12 % over 12 months: pmt = 1.066.185,46
    rows = schedule(12_000_000, "12", 12, "annuity")
    assert [(r.principal, r.interest) for r in rows[:2]] == [(946_185, 120_000), (955_648, 110_538)]
    assert [r.installment for r in rows] == [
        1_066_185, 1_066_186, 1_066_186, 1_066_184, 1_066_187, 1_066_185,
        1_066_185, 1_066_186, 1_066_185, 1_066_185, 1_066_186, 1_066_186,
    ]  # fmt: skip
    # Total interest = round(12 × pmt − principal) = round(794.225,57): the cumulative rounding keeps it.
    assert sum(r.interest for r in rows) == 794_226


# --- properties -------------------------------------------------------------------------------------------
@settings(max_examples=300, deadline=None)
@given(
    principal=st.integers(min_value=1, max_value=10**11),
    rate_hundredths=st.integers(min_value=0, max_value=10_000),
    term=st.integers(min_value=1, max_value=360),
    method=st.sampled_from(["flat", "declining", "annuity"]),
)
def test_every_schedule_repays_the_principal_exactly(
    principal: int, rate_hundredths: int, term: int, method: str
) -> None:
    rate = Decimal(rate_hundredths) / 100
    rows = loan_schedule(principal=principal, rate_pa=rate, term_months=term, method=method, disbursed_on=START)
    assert len(rows) == term
    assert [r.no for r in rows] == list(range(1, term + 1))
    assert sum(r.principal for r in rows) == principal
    assert all(r.principal >= 0 and r.interest >= 0 for r in rows)
    assert rows[-1].balance == 0
    balances = [principal] + [r.balance for r in rows]
    assert all(a >= b for a, b in itertools.pairwise(balances))
    assert all(a < b for a, b in itertools.pairwise([START, *(r.due_date for r in rows)]))
    if method in ("flat", "declining"):
        assert [r.principal for r in rows[:-1]] == [principal // term] * (term - 1)
        balance = principal
        for row in rows:
            base = principal if method == "flat" else balance
            assert row.interest == half_up(Fraction(base) * Fraction(rate) / 1200)
            balance -= row.principal
    if rate == 0:
        assert all(r.interest == 0 for r in rows)


@pytest.mark.parametrize(
    ("principal", "rate", "term", "method"),
    [
        (0, "12", 12, "flat"),
        (-5, "12", 12, "flat"),
        (True, "12", 12, "flat"),
        (1_000, "12", 0, "flat"),
        (1_000, "12", 361, "annuity"),
        (1_000, "-1", 12, "declining"),
        (1_000, "100.01", 12, "flat"),
        (1_000, "12", 12, "balloon"),
    ],
)
def test_impossible_terms_raise(principal: int, rate: str, term: int, method: str) -> None:
    with pytest.raises(ValueError):
        loan_schedule(principal=principal, rate_pa=Decimal(rate), term_months=term, method=method, disbursed_on=START)


def test_float_principal_refused() -> None:
    with pytest.raises(ValueError):
        loan_schedule(principal=1000.0, rate_pa=Decimal("12"), term_months=2, method="flat", disbursed_on=START)  # type: ignore[arg-type]


# --- fees, savings limit, penalty ---------------------------------------------------------------------------
def test_fee_amount_percent_plus_fixed_rounded_half_up() -> None:
    assert fee_amount(9_000_000, Decimal("1"), 0) == 90_000
    assert fee_amount(1_234_567, Decimal("1.5"), 10_000) == 28_519  # 18.518,505 → 18.519
    assert fee_amount(1_000_000, Decimal("0"), 25_000) == 25_000


def test_savings_limit_rounds_down() -> None:
    assert savings_limit(150_001, Decimal("3")) == 450_003
    assert savings_limit(100_001, Decimal("1.5")) == 150_001  # 150.001,5 → 150.001
    assert savings_limit(100_000, None) is None


def test_penalty_per_day_as_a_thirtieth_of_the_monthly_rate_rounded_down() -> None:
    assert penalty_basis_points(Decimal("2")) == 200
    assert penalty_basis_points(Decimal("0.75")) == 75
    # Rp840.000 at 2 % a month for 30 days = 16.800; for 1 day = 560; for 7 days = 3.920.
    assert penalty_for(840_000, 200, 30) == 16_800
    assert penalty_for(840_000, 200, 1) == 560
    assert penalty_for(840_000, 200, 7) == 3_920
    assert penalty_for(1_000, 75, 1) == 0  # 0,25 → 0
    assert penalty_for(100_000, 75, 7) == 175
    assert penalty_for(0, 200, 10) == 0
    assert penalty_for(840_000, 0, 10) == 0
    assert penalty_for(840_000, 200, 0) == 0
    assert penalty_for(840_000, 200, -3) == 0


# --- repayment allocation ------------------------------------------------------------------------------------
def _states() -> list[InstallmentState]:
    """Three instalments of Rp840.000 (750.000 principal + 90.000 interest) due 10 Mar, Apr, May 2026."""
    rows = [
        InstallmentState(no=n, due_date=D(2026, 2 + n, 10), principal_due=750_000, interest_due=90_000)
        for n in (1, 2, 3)
    ]
    return rows


def test_allocation_penalty_then_interest_then_principal_oldest_first() -> None:
    rows = _states()
    rows[0] = InstallmentState(
        no=1, due_date=D(2026, 3, 10), principal_due=750_000, interest_due=90_000, penalty_accrued=5_000
    )
    rows[1] = InstallmentState(
        no=2, due_date=D(2026, 4, 10), principal_due=750_000, interest_due=90_000, penalty_accrued=2_000
    )
    split = repayment_allocate(rows, 100_000)
    assert [(a.no, a.penalty, a.interest, a.principal) for a in split.allocations] == [(1, 5_000, 90_000, 5_000)]
    assert (split.penalty, split.interest, split.principal, split.unapplied) == (5_000, 90_000, 5_000, 0)
    # The next payment finishes the first instalment, then the second's penalty and interest.
    after = apply_allocation(rows, split)
    split = repayment_allocate(after, 900_000)
    assert [(a.no, a.penalty, a.interest, a.principal) for a in split.allocations] == [
        (1, 0, 0, 745_000),
        (2, 2_000, 90_000, 63_000),
    ]
    after = apply_allocation(after, split)
    assert after[0].settled and after[0].left == 0
    assert (after[1].principal_left, after[1].interest_left, after[1].penalty_left) == (687_000, 0, 0)


def test_allocation_in_order_of_number_whatever_the_input_order() -> None:
    rows = list(reversed(_states()))
    split = repayment_allocate(rows, 840_000 + 10)
    assert [(a.no, a.interest, a.principal) for a in split.allocations] == [(1, 90_000, 750_000), (2, 10, 0)]


def test_overpayment_pays_the_next_instalments_and_the_rest_is_unapplied() -> None:
    rows = _states()
    split = repayment_allocate(rows, 1_700_000)
    assert [(a.no, a.interest, a.principal) for a in split.allocations] == [
        (1, 90_000, 750_000),
        (2, 90_000, 750_000),
        (3, 20_000, 0),
    ]
    assert split.unapplied == 0
    too_much = repayment_allocate(rows, 3 * 840_000 + 1)
    assert too_much.unapplied == 1
    assert too_much.principal == 2_250_000 and too_much.interest == 270_000


def test_allocation_skips_paid_and_waived_parts() -> None:
    rows = [
        InstallmentState(
            no=1,
            due_date=D(2026, 3, 10),
            principal_due=750_000,
            interest_due=90_000,
            principal_paid=750_000,
            interest_paid=90_000,
        ),
        InstallmentState(
            no=2, due_date=D(2026, 4, 10), principal_due=750_000, interest_due=90_000, interest_waived=90_000
        ),
    ]
    split = repayment_allocate(rows, 750_000)
    assert [(a.no, a.interest, a.principal) for a in split.allocations] == [(2, 0, 750_000)]
    assert repayment_allocate(rows, 0).allocations == []


# --- payoff ------------------------------------------------------------------------------------------------------
def test_payoff_charges_the_running_period_and_waives_later_interest() -> None:
    rows = _states()
    paid = apply_allocation(rows, repayment_allocate(rows, 840_000))  # the March instalment is paid
    quote = payoff_quote(paid, D(2026, 3, 20))
    # April's period runs on 20 March: its interest is charged; May's is waived.
    assert (quote.principal, quote.interest, quote.penalty) == (1_500_000, 90_000, 0)
    assert (quote.interest_waived, quote.waived_by_no, quote.total) == (90_000, {3: 90_000}, 1_590_000)


def test_payoff_after_paying_the_running_period_ahead_waives_the_next() -> None:
    rows = _states()
    paid = apply_allocation(rows, repayment_allocate(rows, 2 * 840_000))  # March and April paid by 20 March
    quote = payoff_quote(paid, D(2026, 3, 20))
    # April's period (10 March – 10 April) runs and is paid; May's has not begun: waived (ADR 0004).
    assert (quote.principal, quote.interest, quote.interest_waived, quote.waived_by_no) == (
        750_000,
        0,
        90_000,
        {3: 90_000},
    )
    assert quote.total == 750_000


def test_payoff_includes_overdue_instalments_and_their_penalty() -> None:
    rows = _states()
    rows[0] = InstallmentState(
        no=1, due_date=D(2026, 3, 10), principal_due=750_000, interest_due=90_000, penalty_accrued=4_480
    )
    quote = payoff_quote(rows, D(2026, 3, 20))  # March overdue, April running, May waived
    assert (quote.principal, quote.interest, quote.penalty, quote.interest_waived) == (
        2_250_000,
        180_000,
        4_480,
        90_000,
    )
    assert quote.total == 2_434_480
    # After the waiver the payoff allocates with nothing left over.
    waived = [InstallmentState(**{**r.__dict__, "interest_waived": quote.waived_by_no.get(r.no, 0)}) for r in rows]
    split = repayment_allocate(waived, quote.total)
    assert split.unapplied == 0
    assert all(r.left == 0 for r in apply_allocation(waived, split))


def test_payoff_on_a_due_date_and_after_the_last() -> None:
    rows = _states()
    # On 10 March the March instalment is due (charged) and April's period has begun (charged).
    on_due = payoff_quote(rows, D(2026, 3, 10))
    assert (on_due.interest, on_due.waived_by_no) == (180_000, {3: 90_000})
    # Before the first due date: only the first period's interest.
    early = payoff_quote(rows, D(2026, 2, 11))
    assert (early.interest, early.interest_waived) == (90_000, 180_000)
    # After the last due date nothing is waived.
    late = payoff_quote(rows, D(2026, 6, 1))
    assert (late.interest, late.interest_waived, late.total) == (270_000, 0, 2_520_000)


# --- arrears, collectibility, allowance -----------------------------------------------------------------------
def test_days_past_due_from_the_oldest_unsettled_instalment() -> None:
    rows = _states()
    assert days_past_due(rows, D(2026, 3, 10)) == 0  # due today is not yet late
    assert days_past_due(rows, D(2026, 3, 11)) == 1
    assert days_past_due(rows, D(2026, 5, 1)) == 52  # 10 March → 1 May
    # A partly paid instalment still counts; an instalment with only a penalty left does not.
    partly = apply_allocation(rows, repayment_allocate(rows, 839_999))
    assert days_past_due(partly, D(2026, 3, 20)) == 10
    with_penalty = [
        InstallmentState(
            no=1,
            due_date=D(2026, 3, 10),
            principal_due=750_000,
            interest_due=90_000,
            principal_paid=750_000,
            interest_paid=90_000,
            penalty_accrued=1_000,
        ),
        *rows[1:],
    ]
    assert days_past_due(with_penalty, D(2026, 4, 15)) == 5
    assert days_past_due([], D(2026, 4, 15)) == 0


@pytest.mark.parametrize(
    ("dpd", "expected"),
    [
        (0, "lancar"),
        (90, "lancar"),
        (91, "kurang_lancar"),
        (180, "kurang_lancar"),
        (181, "diragukan"),
        (360, "diragukan"),
        (361, "macet"),
        (5_000, "macet"),
    ],
)
def test_collectibility_thresholds(dpd: int, expected: str) -> None:
    assert collectibility_for(dpd) == expected


def test_collectibility_with_the_cooperatives_own_thresholds() -> None:
    rules = ClassRules(kurang_lancar_after=30, diragukan_after=60, macet_after=120)
    assert [collectibility_for(d, rules) for d in (30, 31, 60, 61, 120, 121)] == [
        "lancar",
        "kurang_lancar",
        "kurang_lancar",
        "diragukan",
        "diragukan",
        "macet",
    ]


def test_allowance_required_with_the_default_rates() -> None:
    outstanding = {"lancar": 100_000_000, "kurang_lancar": 20_000_000, "diragukan": 4_000_001, "macet": 3_000_000}
    assert allowance_required(outstanding) == {
        "lancar": 500_000,
        "kurang_lancar": 2_000_000,
        "diragukan": 2_000_001,  # 2.000.000,5 rounded half up
        "macet": 3_000_000,
    }
    assert allowance_required({}) == {"lancar": 0, "kurang_lancar": 0, "diragukan": 0, "macet": 0}
    assert allowance_required({"lancar": 999}) == {"lancar": 5, "kurang_lancar": 0, "diragukan": 0, "macet": 0}
    own = ClassRules(rate_lancar=Decimal("1"), rate_macet=Decimal("75"))
    assert allowance_required({"lancar": 1_000_000, "macet": 1_000_000}, own)["lancar"] == 10_000
    assert allowance_required({"lancar": 1_000_000, "macet": 1_000_000}, own)["macet"] == 750_000
