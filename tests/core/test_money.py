from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from koperasi.core.money import Rounding, allocate, format_rupiah, to_rupiah


def test_to_rupiah_half_up_and_down() -> None:
    assert to_rupiah(Decimal("1234.5")) == 1235
    assert to_rupiah(Decimal("1234.49")) == 1234
    assert to_rupiah(Decimal("-1234.5")) == -1235
    assert to_rupiah(Decimal("499999.99"), Rounding.DOWN) == 499999
    assert to_rupiah(7) == 7


def test_to_rupiah_refuses_float() -> None:
    with pytest.raises(TypeError):
        to_rupiah(0.1)  # type: ignore[arg-type]


def test_allocate_splits_exactly_with_largest_remainder() -> None:
    assert allocate(100, [1, 1, 1]) == [34, 33, 33]
    assert allocate(10_000_000, [25, 30, 45]) == [2_500_000, 3_000_000, 4_500_000]
    assert allocate(5, [0, 1]) == [0, 5]
    assert allocate(-100, [1, 1, 1]) == [-34, -33, -33]


def test_allocate_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        allocate(100, [])
    with pytest.raises(ValueError):
        allocate(100, [0, 0])
    with pytest.raises(ValueError):
        allocate(100, [1, -1])
    with pytest.raises(TypeError):
        allocate(100.0, [1])  # type: ignore[arg-type]


@given(
    total=st.integers(min_value=-(10**15), max_value=10**15),
    weights=st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=40).filter(any),
)
def test_allocate_parts_always_sum_to_total(total: int, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert sum(parts) == total
    assert len(parts) == len(weights)
    weight_sum = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Decimal(total) * weight / weight_sum
        assert abs(Decimal(part) - exact) < 1
        if weight == 0:
            assert part == 0


def test_format_rupiah() -> None:
    assert format_rupiah(1234567) == "Rp 1.234.567"
    assert format_rupiah(0) == "Rp 0"
    assert format_rupiah(-5000) == "-Rp 5.000"
    assert format_rupiah(None) == ""
