"""The SHU arithmetic, pure (no database): allocation checks, pools, member parts, the member/non-member split."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from koperasi.shu.calculations import (
    MAX_LINES,
    AllocationLine,
    UnitFigures,
    allocation_problems,
    format_percent,
    fund_credits,
    fund_key,
    fund_name,
    member_parts,
    percent_parse,
    pool_amounts,
    shu_compute,
    surplus_split,
)

L = AllocationLine
P = Decimal
UNITS = frozenset({"gerai_sembako", "simpan_pinjam", "kantor"})

# domain.md §2.5 Test A: jasa modal 25, jasa anggota 30, pengurus 10, sosial 10, pendidikan 15, cadangan 10.
TEST_A = [
    L("jasa_modal", P(25)),
    L("jasa_usaha", P(30), unit="gerai_sembako", basis="purchases"),
    L("dana_pengurus", P(10)),
    L("dana_sosial", P(10)),
    L("dana_pendidikan", P(15)),
    L("cadangan", P(10)),
]
GRACE, OTHERS = 1, 2


def _valid(*extra: AllocationLine, cadangan: str = "40") -> list[AllocationLine]:
    return [L("cadangan", P(cadangan)), L("jasa_modal", P(20)), L("dana_pengurus", P(10)), *extra]


# --- domain.md §2.5 Test A -------------------------------------------------------------------------


def test_a_grace_gets_jasa_modal_500_000_and_jasa_usaha_120_000() -> None:
    assert allocation_problems(TEST_A, unit_codes=UNITS) == {}
    result = shu_compute(
        40_000_000,
        TEST_A,
        # Total simpanan Rp60.000.000, Grace Rp3.000.000; penjualan Rp100.000.000, Grace Rp1.000.000.
        capital_bases={GRACE: 3_000_000, OTHERS: 57_000_000},
        usage_bases={"gerai_sembako": {GRACE: 1_000_000, OTHERS: 99_000_000}},
    )
    grace = result.members[GRACE]
    assert (grace.jasa_modal, grace.jasa_usaha, grace.total) == (500_000, 120_000, 620_000)
    assert grace.capital_base == 3_000_000
    assert grace.usage == [("gerai_sembako", "purchases", 1_000_000, 120_000)]
    assert [p.amount for p in result.pools] == [10_000_000, 12_000_000, 4_000_000, 4_000_000, 6_000_000, 4_000_000]
    assert result.pool_total("cadangan") == 4_000_000
    assert [(p.base_total, p.distributed) for p in result.pools[:2]] == [
        (60_000_000, 10_000_000),
        (100_000_000, 12_000_000),
    ]
    assert result.remainder == 0
    assert result.members_total == 22_000_000
    assert result.members[OTHERS].total == 9_500_000 + 11_880_000


# --- allocation_problems -----------------------------------------------------------------------------


def test_a_valid_allocation_has_no_problems() -> None:
    lines = _valid(L("jasa_usaha", P(30), unit="simpan_pinjam", basis="loan_principal"))
    assert allocation_problems(lines, unit_codes=UNITS) == {}
    assert allocation_problems(_valid(L("lainnya", P("30"), label="Dana BPK"))) == {}


@pytest.mark.parametrize(("last", "shown"), [("29", "99"), ("35", "105"), ("29.5", "99,5"), ("30.01", "100,01")])
def test_an_allocation_not_summing_to_100_is_refused_with_the_sum_shown(last: str, shown: str) -> None:
    problems = allocation_problems(_valid(L("dana_sosial", P(last))))
    assert problems == {"allocation": [f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {shown}%."]}


def test_the_105_percent_textbook_list_is_refused() -> None:
    # Sitio & Tamba via domain.md §2.2: 40 + 40 + 5 × 5 = 105.
    lines = [
        L("cadangan", P(40)),
        L("jasa_modal", P(20)),
        L("jasa_usaha", P(20), unit="gerai_sembako", basis="purchases"),
        L("dana_pengurus", P(5)),
        L("dana_karyawan", P(5)),
        L("dana_pendidikan", P(5)),
        L("dana_sosial", P(5)),
        L("dana_pembangunan_daerah_kerja", P(5)),
    ]
    assert allocation_problems(lines, unit_codes=UNITS) == {
        "allocation": ["Jumlah persentase pembagian SHU harus tepat 100%, sekarang 105%."]
    }


def test_zero_and_over_100_percent_lines_are_refused() -> None:
    problems = allocation_problems(_valid(L("dana_sosial", P(0)), L("dana_karyawan", P(30))))
    assert problems == {"allocation.4": ["Baris 4: persentase harus lebih dari 0 dan paling besar 100."]}
    problems = allocation_problems([L("cadangan", P(101)), L("dana_sosial", P(-1))])
    assert problems == {
        "allocation.1": ["Baris 1: persentase harus lebih dari 0 dan paling besar 100."],
        "allocation.2": ["Baris 2: persentase harus lebih dari 0 dan paling besar 100."],
    }


def test_percentages_with_three_decimals_are_not_read() -> None:
    assert percent_parse("12.125") is None
    assert percent_parse("12,5") == P("12.5")
    assert percent_parse(" 7.25 ") == P("7.25")
    assert percent_parse(10) == P(10)
    for bad in ("abc", "", None, True, "NaN", "Infinity", "-Infinity", [10]):
        assert percent_parse(bad) is None, bad


def test_a_line_with_three_decimals_is_refused() -> None:
    # 33,335 + 33,335 + 33,33 = 100, but stored with two places it would be 100,01.
    lines = [L("cadangan", P("33.335")), L("jasa_modal", P("33.335")), L("dana_sosial", P("33.33"))]
    problems = allocation_problems(lines)
    assert set(problems) == {"allocation.1", "allocation.2"}
    assert all("desimal" in problems[key][0] for key in problems)


@pytest.mark.parametrize("huge", ["1e400", "1e30", "123456789012345678901234567"])
def test_a_huge_percentage_is_not_read(huge: str) -> None:
    assert percent_parse(huge) is None


def test_format_percent_writes_the_indonesian_way() -> None:
    assert [format_percent(P(x)) for x in ("100", "99.50", "12.5", "0.25", "105.00")] == [
        "100",
        "99,5",
        "12,5",
        "0,25",
        "105",
    ]


def test_a_pool_twice_is_refused_but_jasa_usaha_per_unit_and_named_others_are_not() -> None:
    lines = [
        L("cadangan", P(40)),
        L("dana_sosial", P(20)),
        L("dana_sosial", P(10)),
        L("jasa_usaha", P(10), unit="gerai_sembako", basis="purchases"),
        L("jasa_usaha", P(5), unit="gerai_sembako", basis="purchases"),
        L("lainnya", P(5), label="BPK"),
        L("lainnya", P(5), label=" bpk "),
        L("lainnya", P(5), label="Dana kesehatan"),
    ]
    assert allocation_problems(lines, unit_codes=UNITS) == {
        "allocation.3": ["Baris 3: pos ini sudah ada di baris lain."],
        "allocation.5": ["Baris 5: pos ini sudah ada di baris lain."],
        "allocation.7": ["Baris 7: pos ini sudah ada di baris lain."],
    }
    ok = [
        L("cadangan", P(40)),
        L("jasa_usaha", P(30), unit="gerai_sembako", basis="purchases"),
        L("jasa_usaha", P(20), unit="simpan_pinjam", basis="loan_interest"),
        L("lainnya", P(5), label="BPK"),
        L("lainnya", P(5), label="Dana kesehatan"),
    ]
    assert allocation_problems(ok, unit_codes=UNITS) == {}


def test_an_allocation_without_cadangan_is_refused() -> None:
    problems = allocation_problems([L("jasa_modal", P(60)), L("dana_sosial", P(40))])
    assert problems == {
        "allocation": ["Pembagian SHU harus memuat cadangan (UU 25/1992 Pasal 45: SHU dibagi setelah dana cadangan)."]
    }


def test_jasa_usaha_needs_a_known_unit_and_a_basis() -> None:
    lines = _valid(
        L("jasa_usaha", P(10), basis="purchases"),
        L("jasa_usaha", P(10), unit="simpan_pinjam"),
        L("jasa_usaha", P(10), unit="bengkel", basis="purchases"),
    )
    assert allocation_problems(lines, unit_codes=UNITS) == {
        "allocation.4": ["Baris 4: jasa usaha harus menyebut unit usaha."],
        "allocation.5": ["Baris 5: dasar jasa usaha harus salah satu: purchases, loan_interest, loan_principal."],
        "allocation.6": ["Baris 6: unit usaha 'bengkel' tidak ada di koperasi ini."],
    }
    # Without the cooperative's units (a pure check), any named unit is accepted.
    assert "allocation.6" not in allocation_problems(lines)


@pytest.mark.parametrize("basis", ["loan_interest", "loan_principal"])
def test_a_loan_basis_only_for_the_savings_and_loan_unit(basis: str) -> None:
    lines = _valid(L("jasa_usaha", P(30), unit="gerai_sembako", basis=basis))
    assert allocation_problems(lines, unit_codes=UNITS) == {
        "allocation.4": [f"Baris 4: dasar '{basis}' hanya untuk unit simpan pinjam (simpan_pinjam)."]
    }


def test_unit_or_basis_on_another_pool_and_an_unnamed_other_are_refused() -> None:
    lines = _valid(L("dana_sosial", P(10), unit="gerai_sembako"), L("lainnya", P(20), label="  "))
    assert allocation_problems(lines, unit_codes=UNITS) == {
        "allocation.4": ["Baris 4: unit dan dasar hanya untuk pos jasa usaha."],
        "allocation.5": ["Baris 5: beri nama untuk pos lainnya."],
    }


def test_an_unknown_pool_is_refused_with_the_choices() -> None:
    problems = allocation_problems(_valid(L("bonus_ketua", P(30))))
    assert problems == {
        "allocation.4": [
            "Baris 4: pos 'bonus_ketua' tidak dikenal; pilih salah satu: cadangan, jasa_modal, jasa_usaha, "
            "dana_pengurus, dana_karyawan, dana_pendidikan, dana_sosial, dana_pembangunan_daerah_kerja, lainnya."
        ]
    }


def test_no_lines_or_too_many_lines_are_refused() -> None:
    assert allocation_problems([]) == {"allocation": ["Isi paling sedikit satu baris pembagian SHU."]}
    many = [L("cadangan", P(1))] + [L("lainnya", P(1), label=f"L{i}") for i in range(MAX_LINES)]
    assert allocation_problems(many) == {"allocation": [f"Pembagian SHU paling banyak {MAX_LINES} baris."]}


# --- pool_amounts ------------------------------------------------------------------------------------


def test_pools_are_floored_and_cadangan_takes_the_rest() -> None:
    lines = [L("jasa_modal", P("33.33")), L("cadangan", P("33.34")), L("dana_sosial", P("33.33"))]
    # 1.000.001 × 33,33 % = 333.300,33 → 333.300 twice; cadangan 1.000.001 − 666.600.
    assert pool_amounts(1_000_001, lines) == [333_300, 333_401, 333_300]
    assert pool_amounts(99, [L("cadangan", P(50)), L("dana_sosial", P("49.99")), L("jasa_modal", P("0.01"))]) == [
        50,
        49,
        0,
    ]
    assert pool_amounts(0, lines) == [0, 0, 0]
    assert pool_amounts(7, [L("cadangan", P(100))]) == [7]


def test_a_negative_total_is_not_split() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        pool_amounts(-1, [L("cadangan", P(100))])


# --- Funds: fund_key, fund_name, fund_credits --------------------------------------------------------


def test_a_fund_is_named_by_its_pool_or_by_its_other_line_s_label() -> None:
    assert fund_key("dana_pendidikan") == "dana_pendidikan"
    assert fund_key("dana_sosial", "ignored: not a lainnya line") == "dana_sosial"
    assert fund_key("lainnya", "Dana kesehatan") == "lainnya:Dana kesehatan"
    assert fund_key("lainnya", "Dana: a:b") == "lainnya:Dana: a:b"
    assert fund_key("lainnya") == "lainnya:"


def test_a_fund_s_name_is_its_pool_s_label_or_the_other_line_s_label() -> None:
    assert [fund_name(key) for key in ("dana_pengurus", "dana_karyawan", "dana_pendidikan", "dana_sosial")] == [
        "Dana pengurus",
        "Dana karyawan",
        "Dana pendidikan",
        "Dana sosial",
    ]
    assert fund_name("dana_pembangunan_daerah_kerja") == "Dana pembangunan daerah kerja"
    assert fund_name("lainnya:Dana kesehatan") == "Dana kesehatan"
    # Only the first colon separates: a label may hold colons.
    assert fund_name("lainnya:Dana: a:b") == "Dana: a:b"
    assert fund_name(fund_key("lainnya", "Dana: a:b")) == "Dana: a:b"
    assert fund_name("lainnya:") == "Lainnya"
    assert fund_name("tak_dikenal") == "tak_dikenal"


_DEFAULT_POOLS = [  # the default policy on Rp1.120.000 (tests/shu/conftest.py), as (pool, label, amount)
    ("cadangan", "", 448_000),
    ("jasa_modal", "", 224_000),
    ("jasa_usaha", "", 112_000),
    ("jasa_usaha", "", 112_000),
    ("dana_pengurus", "", 56_000),
    ("dana_karyawan", "", 56_000),
    ("dana_pendidikan", "", 56_000),
    ("dana_sosial", "", 56_000),
]


def test_only_fund_pools_are_credited_in_allocation_order() -> None:
    assert list(fund_credits(_DEFAULT_POOLS, non_member_amount=280_000, non_member_destination="cadangan").items()) == [
        ("dana_pengurus", 56_000),
        ("dana_karyawan", 56_000),
        ("dana_pendidikan", 56_000),
        ("dana_sosial", 56_000),
    ]
    assert (
        fund_credits(
            [("cadangan", "", 100), ("jasa_modal", "", 50)], non_member_amount=0, non_member_destination="cadangan"
        )
        == {}
    )
    assert fund_credits([], non_member_amount=0, non_member_destination="dana_sosial") == {}


def test_the_non_member_surplus_adds_to_its_fund_destination() -> None:
    credits = fund_credits(_DEFAULT_POOLS, non_member_amount=280_000, non_member_destination="dana_sosial")
    assert credits == {
        "dana_pengurus": 56_000,
        "dana_karyawan": 56_000,
        "dana_pendidikan": 56_000,
        "dana_sosial": 336_000,
    }
    # A destination no allocation line names becomes a fund of its own, after the others.
    credits = fund_credits(
        _DEFAULT_POOLS, non_member_amount=280_000, non_member_destination="dana_pembangunan_daerah_kerja"
    )
    assert list(credits.items())[-1] == ("dana_pembangunan_daerah_kerja", 280_000)
    assert sum(credits.values()) == 4 * 56_000 + 280_000
    # Nothing from non-members: no empty fund appears.
    assert "dana_pembangunan_daerah_kerja" not in fund_credits(
        _DEFAULT_POOLS, non_member_amount=0, non_member_destination="dana_pembangunan_daerah_kerja"
    )


def test_a_non_member_loss_reduces_its_fund() -> None:
    credits = fund_credits(_DEFAULT_POOLS, non_member_amount=-6_000, non_member_destination="dana_pendidikan")
    assert credits["dana_pendidikan"] == 50_000
    credits = fund_credits([], non_member_amount=-6_000, non_member_destination="dana_sosial")
    assert credits == {"dana_sosial": -6_000}


def test_named_other_lines_are_funds_each_and_the_same_key_adds_up() -> None:
    pools = [
        ("cadangan", "", 100),
        ("lainnya", "Dana kesehatan", 30),
        ("lainnya", "Dana pemakaman", 20),
        ("dana_sosial", "", 10),
        ("lainnya", "Dana kesehatan", 5),
    ]
    assert list(fund_credits(pools, non_member_amount=7, non_member_destination="cadangan").items()) == [
        ("lainnya:Dana kesehatan", 35),
        ("lainnya:Dana pemakaman", 20),
        ("dana_sosial", 10),
    ]


@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(min_value=0, max_value=10**15),
    non_member=st.integers(min_value=-(10**12), max_value=10**12),
    destination=st.sampled_from(["cadangan", "dana_pendidikan", "dana_sosial", "dana_pembangunan_daerah_kerja"]),
)
def test_the_funds_hold_what_the_pools_do_not_give_to_members_or_cadangan(
    total: int, non_member: int, destination: str
) -> None:
    lines = [
        L("cadangan", P(30)),
        L("jasa_modal", P("20.5")),
        L("dana_pendidikan", P("12.25")),
        L("dana_sosial", P("7.25")),
        L("lainnya", P(30), label="Dana kesehatan"),
    ]
    amounts = pool_amounts(total, lines)
    credits = fund_credits(
        [(line.pool, line.label, amount) for line, amount in zip(lines, amounts, strict=True)],
        non_member_amount=non_member,
        non_member_destination=destination,
    )
    to_funds = non_member if destination != "cadangan" else 0
    assert sum(credits.values()) == total - amounts[0] - amounts[1] + to_funds
    assert credits["lainnya:Dana kesehatan"] == amounts[4]


# --- member_parts ------------------------------------------------------------------------------------


def test_member_parts_are_floored_and_the_remainder_returned() -> None:
    assert member_parts(100, {1: 1, 2: 1, 3: 1}) == ({1: 33, 2: 33, 3: 33}, 1)
    assert member_parts(224_000, {1: 300_000, 2: 200_000, 3: 100_000}) == ({1: 112_000, 2: 74_666, 3: 37_333}, 1)
    assert member_parts(10, {1: 3, 2: 7}) == ({1: 3, 2: 7}, 0)


def test_zero_and_negative_bases_take_no_part() -> None:
    assert member_parts(100, {1: 0, 2: -5, 3: 10}) == ({3: 100}, 0)
    assert member_parts(100, {1: 0}) == ({}, 100)
    assert member_parts(100, {}) == ({}, 100)
    assert member_parts(0, {1: 5, 2: 5}) == ({1: 0, 2: 0}, 0)


def test_a_pool_with_no_base_is_all_remainder_in_the_result() -> None:
    lines = [L("cadangan", P(50)), L("jasa_modal", P(25)), L("jasa_usaha", P(25), unit="usp", basis="loan_interest")]
    result = shu_compute(1_000, lines, capital_bases={7: 3, 8: 0}, usage_bases={})
    assert [p.amount for p in result.pools] == [500, 250, 250]
    assert [p.remainder for p in result.pools] == [0, 0, 250]
    assert result.remainder == 250
    assert result.members_total == 250
    assert list(result.members) == [7]
    assert (result.members[7].jasa_modal, result.members[7].usage) == (250, [])


# --- surplus_split -------------------------------------------------------------------------------------


def test_each_unit_splits_its_own_surplus_by_its_non_member_revenue_share() -> None:
    split = surplus_split(
        [
            UnitFigures(1, member_revenue=480_000, non_member_revenue=120_000, surplus=100_000),
            UnitFigures(2, member_revenue=2_000_000, non_member_revenue=500_000, surplus=2_500_000),
        ]
    )
    assert split.by_unit == ((1, 80_000, 20_000), (2, 2_000_000, 500_000))
    assert (split.members, split.non_members, split.total) == (2_080_000, 520_000, 2_600_000)


def test_overhead_is_split_by_the_overall_non_member_share() -> None:
    split = surplus_split(
        [
            UnitFigures(0, 0, 0, surplus=-1_200_000),  # lines without a unit: salaries
            UnitFigures(1, 480_000, 120_000, surplus=100_000),
            UnitFigures(2, 2_000_000, 500_000, surplus=2_500_000),
            UnitFigures(3, 0, 0, surplus=0),
        ]
    )
    # 620.000 / 3.100.000 = 20 % of the overhead is the non-members'.
    assert split.by_unit == ((0, -960_000, -240_000), (1, 80_000, 20_000), (2, 2_000_000, 500_000), (3, 0, 0))
    assert (split.members, split.non_members) == (1_120_000, 280_000)


def test_shares_round_half_up_and_the_two_parts_sum_exactly() -> None:
    split = surplus_split([UnitFigures(1, 2, 1, surplus=100), UnitFigures(2, 1, 1, surplus=101)])
    assert split.by_unit == ((1, 67, 33), (2, 50, 51))
    assert split.total == 201
    loss = surplus_split([UnitFigures(1, 1, 1, surplus=-101), UnitFigures(0, 0, 0, surplus=-7)])
    # −50,5 rounds half away from zero to −51; the overhead −7 × ½ = −3,5 → −4.
    assert loss.by_unit == ((1, -50, -51), (0, -3, -4))
    assert (loss.members, loss.non_members, loss.total) == (-53, -55, -108)


def test_without_party_revenue_everything_is_the_members() -> None:
    split = surplus_split([UnitFigures(0, 0, 0, surplus=-500_000), UnitFigures(4, 0, 0, surplus=1_500_000)])
    assert split.by_unit == ((0, -500_000, 0), (4, 1_500_000, 0))
    assert (split.members, split.non_members) == (1_000_000, 0)
    assert surplus_split([]).total == 0


def test_a_unit_selling_only_to_non_members_gives_them_all_its_surplus() -> None:
    split = surplus_split([UnitFigures(1, 0, 300, surplus=250), UnitFigures(2, 700, 0, surplus=-50)])
    assert split.by_unit == ((1, 0, 250), (2, -50, 0))


# --- The property: for any allocation summing to 100 and any bases, every rupiah is accounted for ------

_OTHER_POOLS = ["dana_pengurus", "dana_karyawan", "dana_pendidikan", "dana_sosial", "dana_pembangunan_daerah_kerja"]
_bases = st.dictionaries(st.integers(1, 40), st.integers(0, 10**10), max_size=25)


@st.composite
def allocations(draw: st.DrawFn) -> list[AllocationLine]:
    """1–12 lines with percentages of two decimals summing to 100, one cadangan somewhere."""
    count = draw(st.integers(1, 12))
    cuts = sorted(draw(st.sets(st.integers(1, 9_999), min_size=count - 1, max_size=count - 1)))
    hundredths = [b - a for a, b in zip([0, *cuts], [*cuts, 10_000], strict=True)]
    kinds = draw(st.lists(st.sampled_from(["jasa_modal", "jasa_usaha", "fund", "lainnya"]), min_size=count - 1))
    lines = []
    for i, (share, kind) in enumerate(zip(hundredths[1:], kinds, strict=False), start=1):
        percent = Decimal(share) / 100
        if kind == "jasa_modal" and not any(line.pool == "jasa_modal" for line in lines):
            lines.append(L("jasa_modal", percent))
        elif kind == "jasa_usaha":
            lines.append(L("jasa_usaha", percent, unit=f"u{i % 4}-{i}", basis="purchases"))
        elif kind == "fund" and i <= len(_OTHER_POOLS):
            lines.append(L(_OTHER_POOLS[i - 1], percent))
        else:
            lines.append(L("lainnya", percent, label=f"Dana {i}"))
    position = draw(st.integers(0, len(lines)))
    lines.insert(position, L("cadangan", Decimal(hundredths[0]) / 100))
    return lines


@settings(max_examples=300, deadline=None)
@given(
    total=st.one_of(st.integers(0, 10**15), st.sampled_from([0, 1, 99, 100, 10_001])),
    lines=allocations(),
    capital=_bases,
    usage=st.lists(_bases, min_size=12, max_size=12),
)
def test_every_rupiah_is_accounted_for(
    total: int, lines: list[AllocationLine], capital: dict[int, int], usage: list[dict[int, int]]
) -> None:
    assert allocation_problems(lines) == {}
    usage_bases = {
        line.unit: usage[i]
        for i, line in enumerate(lines)
        if line.pool == "jasa_usaha" and i % 3  # some units: none
    }
    result = shu_compute(total, lines, capital_bases=capital, usage_bases=usage_bases)
    assert sum(p.amount for p in result.pools) == total
    assert all(p.amount >= 0 for p in result.pools)
    for pool in result.pools:
        if pool.line.pool != "cadangan":
            assert pool.amount == total * int(pool.line.percent * 100) // 10_000
        if pool.line.pool == "jasa_modal":
            bases, parts = capital, {m: r.jasa_modal for m, r in result.members.items() if capital.get(m, 0) > 0}
        elif pool.line.pool == "jasa_usaha":
            bases = usage_bases.get(pool.line.unit, {})
            parts = {m: a for m, r in result.members.items() for unit, _, _, a in r.usage if unit == pool.line.unit}
        else:
            continue
        positive = {m: b for m, b in bases.items() if b > 0}
        assert set(parts) == set(positive)
        assert sum(parts.values()) + pool.remainder == pool.amount
        assert pool.remainder >= 0
        base_total = sum(positive.values())
        for member_id, part in parts.items():
            exact = Fraction(pool.amount * positive[member_id], base_total)
            assert 0 <= part <= exact
            assert part > exact - 1
    assert result.members_total + result.remainder == sum(
        p.amount for p in result.pools if p.line.pool in ("jasa_modal", "jasa_usaha")
    )
    assert sum(m.total for m in result.members.values()) == result.members_total
    assert all(m.total >= 0 for m in result.members.values())
