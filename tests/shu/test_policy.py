"""SHU rules per cooperative with effective years (AD/ART): saving, refusing, which rules apply to a year."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.shu.calculations import AllocationLine
from koperasi.shu.models import ShuPolicy, ShuPolicyLine
from koperasi.shu.selectors import DEFAULT_ALLOCATION, DEFAULT_CAPITAL_KINDS, policy_in_force, policy_list
from koperasi.shu.services import allocation_parse, shu_policy_save

pytestmark = pytest.mark.django_db
L = AllocationLine
P = Decimal

QUIPPER = [  # domain.md §2.5 Test A
    L("cadangan", P(10)),
    L("jasa_modal", P(25)),
    L("jasa_usaha", P(30), unit="gerai_sembako", basis="purchases"),
    L("dana_pengurus", P(10)),
    L("dana_sosial", P(10)),
    L("dana_pendidikan", P(15)),
]


def _save(coop: Any, actor: Any, year: int = 2026, lines: list[AllocationLine] = QUIPPER, **kw: Any) -> Any:
    kw.setdefault("capital_kinds", ["pokok", "wajib"])
    return shu_policy_save(cooperative=coop, effective_year=year, lines=lines, actor=actor, **kw)


def _counts() -> tuple[int, int, int]:
    return ShuPolicy.objects.count(), ShuPolicyLine.objects.count(), AuditEvent.objects.count()


def test_a_valid_policy_is_saved_with_its_lines_and_audited(coop: Any, ketua: Any) -> None:
    policy = _save(
        coop,
        ketua,
        lines=[*QUIPPER[:5], L("dana_pendidikan", P(10)), L("lainnya", P(5), label="Dana BPK")],
        capital_kinds=["pokok", "wajib", "sukarela", "wajib"],
        non_member_destination="dana_pendidikan",
        note="  AD/ART pasal 40\x00 ",
    )
    assert (policy.effective_year, policy.capital_kinds, policy.non_member_destination, policy.note) == (
        2026,
        ["pokok", "wajib", "sukarela"],
        "dana_pendidikan",
        "AD/ART pasal 40",
    )
    assert policy.created_by == ketua
    rows = list(policy.lines.values_list("position", "pool", "percent", "unit__code", "basis", "label"))
    assert rows == [
        (1, "cadangan", P(10), None, "", ""),
        (2, "jasa_modal", P(25), None, "", ""),
        (3, "jasa_usaha", P(30), "gerai_sembako", "purchases", ""),
        (4, "dana_pengurus", P(10), None, "", ""),
        (5, "dana_sosial", P(10), None, "", ""),
        (6, "dana_pendidikan", P(10), None, "", ""),
        (7, "lainnya", P(5), None, "", "Dana BPK"),
    ]
    event = AuditEvent.objects.get(action="shu.policy_save")
    assert (event.cooperative, event.actor, event.object_id) == (coop, ketua, str(policy.pk))
    assert event.data["effective_year"] == 2026
    assert event.data["allocation"][2] == {
        "pool": "jasa_usaha",
        "percent": "30",
        "unit": "gerai_sembako",
        "basis": "purchases",
        "label": "",
    }


@pytest.mark.parametrize(("sosial", "shown"), [(9, "99"), (15, "105")])
def test_a_policy_not_summing_to_100_is_refused_with_the_sum_and_nothing_written(
    coop: Any, ketua: Any, sosial: int, shown: str
) -> None:
    before = _counts()
    lines = [*QUIPPER[:4], L("dana_sosial", P(sosial)), QUIPPER[5]]
    with pytest.raises(ValidationError) as caught:
        _save(coop, ketua, lines=lines)
    assert caught.value.code == "shu_allocation_invalid"
    assert caught.value.detail == {
        "allocation": [f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {shown}%."],
        "percent_sum": [shown],
    }
    assert caught.value.message == f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {shown}%."
    assert _counts() == before


def test_an_unknown_unit_or_capital_kind_is_refused(coop: Any, ketua: Any) -> None:
    before = _counts()
    lines = [*QUIPPER[:2], L("jasa_usaha", P(30), unit="bengkel", basis="purchases"), *QUIPPER[3:]]
    with pytest.raises(ValidationError) as caught:
        _save(coop, ketua, lines=lines, capital_kinds=["pokok", "deposito"])
    assert caught.value.detail == {
        "allocation.3": ["Baris 3: unit usaha 'bengkel' tidak ada di koperasi ini."],
        "capital_kinds": ["Jenis simpanan tidak dikenal: deposito; pilih dari pokok, wajib, sukarela."],
        "percent_sum": ["100"],
    }
    assert _counts() == before


def test_jasa_modal_needs_a_capital_kind_and_the_destination_must_be_known(coop: Any, ketua: Any) -> None:
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        _save(coop, ketua, capital_kinds=[])
    assert caught.value.detail["capital_kinds"] == [
        "Pilih paling sedikit satu jenis simpanan sebagai dasar jasa modal."
    ]
    with pytest.raises(ValidationError) as caught:
        _save(coop, ketua, non_member_destination="anggota")
    assert caught.value.detail == {"non_member_destination": ["Tujuan SHU dari bukan anggota tidak dikenal."]}
    for year in (1899, 3000, "2026", True):
        with pytest.raises(ValidationError) as caught:
            _save(coop, ketua, year=year)
        assert caught.value.detail == {"year": ["Tahun buku harus antara 1900 dan 2999."]}
    assert _counts() == before
    # Without jasa modal the kinds may be empty.
    lines = [L("cadangan", P(50)), L("jasa_usaha", P(50), unit="gerai_sembako", basis="purchases")]
    assert _save(coop, ketua, lines=lines, capital_kinds=[]).capital_kinds == []


def test_allocation_parse_reads_strings_and_refuses_three_decimals(coop: Any) -> None:
    rows = [
        {"pool": " cadangan ", "percent": "12,5"},
        {"pool": "jasa_usaha", "percent": 30, "unit": "gerai_sembako ", "basis": "purchases"},
        {"pool": "lainnya", "percent": "57.5", "label": "x" * 80},
    ]
    lines = allocation_parse(rows)
    assert lines == [
        L("cadangan", P("12.5")),
        L("jasa_usaha", P(30), unit="gerai_sembako", basis="purchases"),
        L("lainnya", P("57.5"), label="x" * 60),
    ]
    with pytest.raises(ValidationError) as caught:
        allocation_parse([{"pool": "cadangan", "percent": "33.333"}, {"pool": "jasa_modal", "percent": "abc"}])
    assert caught.value.code == "shu_allocation_invalid"
    assert caught.value.detail == {
        "allocation.1": ['Baris 1: persentase harus angka dengan paling banyak dua desimal, mis. "12.5".'],
        "allocation.2": ['Baris 2: persentase harus angka dengan paling banyak dua desimal, mis. "12.5".'],
    }


def test_saving_the_same_year_again_replaces_it(coop: Any, ketua: Any, bendahara: Any) -> None:
    first = _save(coop, ketua)
    second = _save(coop, bendahara, lines=[L("cadangan", P(60)), L("jasa_modal", P(40))], capital_kinds=["wajib"])
    assert not ShuPolicy.objects.filter(pk=first.pk).exists()
    assert list(ShuPolicy.objects.values_list("pk", "effective_year")) == [(second.pk, 2026)]
    assert list(ShuPolicyLine.objects.values_list("pool", "percent")) == [("cadangan", P(60)), ("jasa_modal", P(40))]
    assert AuditEvent.objects.filter(action="shu.policy_save").count() == 2
    values = policy_in_force(cooperative=coop, year=2026)
    assert (values.effective_year, values.capital_kinds) == (2026, ("wajib",))


def test_the_policy_in_force_is_the_latest_effective_by_the_year(coop: Any, ketua: Any) -> None:
    defaults = policy_in_force(cooperative=coop, year=2025)
    assert defaults.is_default
    assert (defaults.lines, defaults.capital_kinds, defaults.non_member_destination) == (
        DEFAULT_ALLOCATION,
        DEFAULT_CAPITAL_KINDS,
        "cadangan",
    )
    # domain.md §11: cadangan 40, jasa modal 20, jasa usaha 20 by unit, pengurus, karyawan, pendidikan, sosial 5.
    assert [(line.pool, line.percent, line.unit, line.basis) for line in defaults.lines] == [
        ("cadangan", 40, "", ""),
        ("jasa_modal", 20, "", ""),
        ("jasa_usaha", 10, "gerai_sembako", "purchases"),
        ("jasa_usaha", 10, "simpan_pinjam", "loan_interest"),
        ("dana_pengurus", 5, "", ""),
        ("dana_karyawan", 5, "", ""),
        ("dana_pendidikan", 5, "", ""),
        ("dana_sosial", 5, "", ""),
    ]
    _save(coop, ketua, year=2024)
    _save(coop, ketua, year=2027, lines=[L("cadangan", P(100))], capital_kinds=[])
    assert policy_in_force(cooperative=coop, year=2023).is_default
    for year in (2024, 2025, 2026):
        in_force = policy_in_force(cooperative=coop, year=year)
        assert in_force.effective_year == 2024
        assert in_force.lines == tuple(QUIPPER)
    assert policy_in_force(cooperative=coop, year=2030).lines == (L("cadangan", P(100)),)
    assert [p.effective_year for p in policy_list(cooperative=coop)] == [2027, 2024]


def test_a_policy_is_another_cooperatives_business(coop: Any, other_coop: Any, ketua: Any, admin_user: Any) -> None:
    from koperasi.cooperatives.services import business_unit_save

    business_unit_save(cooperative=other_coop, actor=admin_user, code="bengkel", name="Bengkel", create=True)
    _save(other_coop, admin_user, year=2020)
    assert policy_in_force(cooperative=coop, year=2026).is_default
    assert policy_list(cooperative=coop) == []
    lines = [*QUIPPER[:2], L("jasa_usaha", P(30), unit="bengkel", basis="purchases"), *QUIPPER[3:]]
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        _save(coop, ketua, lines=lines)
    assert caught.value.detail["allocation.3"] == ["Baris 3: unit usaha 'bengkel' tidak ada di koperasi ini."]
    assert _counts() == before
    # The other cooperative's own unit works there, and its unit row is its own.
    policy = _save(other_coop, admin_user, lines=lines)
    assert policy.lines.get(position=3).unit.cooperative == other_coop


def test_a_policy_cannot_reach_back_into_a_distributed_year(year_books: Any, distributed: Any) -> None:
    coop, ketua = year_books.coop, year_books.ketua
    before = _counts()
    for year in (2024, 2025):
        with pytest.raises(Conflict) as caught:
            _save(coop, ketua, year=year)
        assert caught.value.code == "shu_policy_year_distributed"
        assert caught.value.message == "SHU tahun 2025 sudah dibagikan; aturan baru berlaku paling awal tahun 2026."
    assert _counts() == before
    assert _save(coop, ketua, year=2026).effective_year == 2026
    # The distribution keeps its own snapshot of the allocation.
    distributed.refresh_from_db()
    assert [row["percent"] for row in distributed.allocation] == ["40", "20", "10", "10", "5", "5", "5", "5"]
