"""Pure arithmetic of the gerai: HET in force, ceilings per selling unit, moving-average cost, commission, shares."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koperasi.shop.calculations import (
    HetRow,
    change_for,
    commission_for,
    cost_of_units,
    het_limit,
    het_pick,
    part_of,
    region_matches,
    value_of_found_units,
)

D = datetime.date
MANGGAR = "64.71.01.1001"


def row(region: str, price: int, start: D, end: D | None = None, commodity: str = "lpg_3kg") -> HetRow:
    return HetRow(commodity=commodity, region_code=region, price=price, effective_from=start, effective_to=end)


# --- HET in force ------------------------------------------------------------------------------


def test_region_matches_whole_code_parts_only() -> None:
    assert region_matches("", MANGGAR)
    assert region_matches("64", MANGGAR)
    assert region_matches("64.71", MANGGAR)
    assert region_matches(MANGGAR, MANGGAR)
    assert not region_matches("64.7", MANGGAR)  # a prefix of characters is not a region
    assert not region_matches("64.72", MANGGAR)
    assert not region_matches("6", MANGGAR)


def test_het_pick_longest_region_prefix_wins_over_a_later_start() -> None:
    national = row("", 20_000, D(2025, 1, 1))
    province = row("64", 21_000, D(2024, 1, 1))
    kota = row("64.71", 19_000, D(2022, 1, 1))
    other_kota = row("64.72", 18_000, D(2023, 1, 1))
    rows = [national, province, kota, other_kota]
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 3, 10)) == kota
    # Samarinda's kelurahan get their own kota row; a kelurahan elsewhere in the province gets the province's.
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code="64.72.01.1001", date=D(2026, 3, 10)) == other_kota
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code="64.03.01.2001", date=D(2026, 3, 10)) == province
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code="31.71.01.1001", date=D(2026, 3, 10)) == national


def test_het_pick_latest_start_on_or_before_the_date() -> None:
    old = row("64.71", 18_000, D(2022, 1, 1))
    new = row("64.71", 19_000, D(2026, 3, 10))
    future = row("64.71", 21_000, D(2026, 6, 1))
    rows = [new, future, old]
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 3, 9)) == old
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 3, 10)) == new  # from that day
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 5, 31)) == new
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 6, 1)) == future
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2021, 12, 31)) is None


def test_het_pick_effective_to_ends_a_row_and_the_wider_region_applies_again() -> None:
    kota = row("64.71", 17_000, D(2026, 1, 1), D(2026, 3, 31))
    national = row("", 19_000, D(2025, 1, 1))
    rows = [kota, national]
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 3, 31)) == kota  # last day in
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 4, 1)) == national
    assert het_pick(rows, commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2025, 12, 31)) == national


def test_het_pick_national_row_and_other_commodities_ignored() -> None:
    oil = row("", 15_700, D(2024, 8, 14), commodity="minyakita")
    lpg = row("64.71", 19_000, D(2022, 1, 1))
    assert het_pick([lpg, oil], commodity="minyakita", kelurahan_code=MANGGAR, date=D(2026, 3, 10)) == oil
    assert het_pick([lpg], commodity="minyakita", kelurahan_code=MANGGAR, date=D(2026, 3, 10)) is None
    assert het_pick([], commodity="lpg_3kg", kelurahan_code=MANGGAR, date=D(2026, 3, 10)) is None


# --- Ceiling per selling unit ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("price", "quantity", "limit"),
    [
        (13_100, Decimal("5"), 65_500),  # SPHP 5 kg zone 2
        (15_700, Decimal("0.5"), 7_850),  # MinyaKita 500 ml
        (15_700, Decimal("1"), 15_700),
        (19_000, Decimal("1"), 19_000),
        (15_700, Decimal("0.333"), 5_228),  # 5.228,1 rounded down: a ceiling is never exceeded by rounding
        (13_100, Decimal("2.5"), 32_750),
        (14_000, Decimal("0.999"), 13_986),
        (1, Decimal("0.5"), 0),
    ],
)
def test_het_limit_rounds_down(price: int, quantity: Decimal, limit: int) -> None:
    assert het_limit(price, quantity) == limit


# --- Moving-average cost -----------------------------------------------------------------------


def test_cost_of_units_average_and_the_last_units_take_the_whole_value() -> None:
    assert cost_of_units(10, 570_000, 3) == 171_000
    assert cost_of_units(3, 100, 1) == 33  # 33,33 rounded
    assert cost_of_units(3, 100, 2) == 67  # 66,67 rounded up
    assert cost_of_units(2, 101, 1) == 51  # 50,5 rounded half up
    assert cost_of_units(3, 100, 3) == 100
    assert cost_of_units(3, 100, 5) == 100  # never more than there is
    assert cost_of_units(0, 0, 1) == 0
    assert cost_of_units(5, 100, 0) == 0


def test_cost_of_units_in_steps_gives_up_exactly_the_value() -> None:
    qty, value, taken = 3, 100, []
    for _ in range(3):
        cost = cost_of_units(qty, value, 1)
        taken.append(cost)
        qty, value = qty - 1, value - cost
    assert taken == [33, 34, 33] and value == 0


def test_value_of_found_units_average_or_last_purchase_cost() -> None:
    assert value_of_found_units(10, 570_000, 2, 60_000) == 114_000  # at the average
    assert value_of_found_units(3, 100, 1, 999) == 33
    assert value_of_found_units(0, 0, 4, 16_000) == 64_000  # none left: the last purchase cost


@given(
    unit_cost=st.integers(min_value=0, max_value=2_000_000),
    extra=st.integers(min_value=0, max_value=10_000),
    splits=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=25),
)
@settings(max_examples=300, deadline=None)
def test_selling_the_stock_in_any_split_takes_exactly_its_value(unit_cost: int, extra: int, splits: list[int]) -> None:
    """However the stock goes out, the costs add up to its value and none is negative or above what is left."""
    qty = sum(splits)
    value = qty * unit_cost + (extra if qty else 0)
    left_qty, left_value, total = qty, value, 0
    for part in splits:
        cost = cost_of_units(left_qty, left_value, part)
        assert 0 <= cost <= left_value
        total += cost
        left_qty, left_value = left_qty - part, left_value - cost
    assert (left_qty, left_value) == (0, 0)
    assert total == value


# --- Commission, shares, change ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line_total", "percent", "commission"),
    [
        (50_000, Decimal("10"), 5_000),
        (25_000, Decimal("7.5"), 1_875),
        (12_345, Decimal("10"), 1_235),  # 1.234,5 rounded half up
        (12_344, Decimal("10"), 1_234),
        (9_999, Decimal("0"), 0),
        (9_999, Decimal("100"), 9_999),
        (3, Decimal("12.5"), 0),  # 0,375
    ],
)
def test_commission_for(line_total: int, percent: Decimal, commission: int) -> None:
    assert commission_for(line_total, percent) == commission


def test_part_of_last_units_carry_what_is_left() -> None:
    # A line of 3 units costing 100 returned one by one: 33, 34 (67 for two), then the 33 left.
    assert part_of(100, 1, 3, 0, 0) == 33
    assert part_of(100, 1, 3, 33, 1) == 34
    assert part_of(100, 1, 3, 67, 2) == 33
    assert part_of(100, 3, 3, 0, 0) == 100
    assert part_of(100, 2, 3, 33, 1) == 67  # the rest
    assert part_of(0, 1, 3, 0, 0) == 0


def test_part_of_never_gives_back_more_than_the_line_had() -> None:
    # 5 rupiah of commission over 7 units, returned one at a time: never more than 5 in all, never negative.
    parts, already = [], 0
    for returned in range(7):
        part = part_of(5, 1, 7, already, returned)
        parts.append(part)
        already += part
    assert sum(parts) == 5 and min(parts) >= 0, parts


@given(
    amount=st.integers(min_value=0, max_value=10**9),
    pieces=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=20),
)
@settings(max_examples=300, deadline=None)
def test_a_line_returned_in_pieces_gives_back_exactly_its_amount(amount: int, pieces: list[int]) -> None:
    of_qty = sum(pieces)
    already = already_qty = 0
    for qty in pieces:
        part = part_of(amount, qty, of_qty, already, already_qty)
        assert 0 <= part <= amount - already
        already += part
        already_qty += qty
    assert already == amount


def test_change_for() -> None:
    assert change_for(84_700, 100_000) == 15_300
    assert change_for(84_700, 84_700) == 0
