"""The SHU over the API: years, the close and its checks, reopening, policy, simulation, RAT approval, payment.

Figures come from ``tests/shu/conftest.py`` (``year_books``: Manggar's 2025 books, every month
closed; surplus Rp1.400.000 = members Rp1.120.000 + non-members Rp280.000; Budi, Siti and
Agus with jasa-modal bases Rp300.000 / Rp200.000 / Rp100.000 and gerai purchases Rp300.000 /
Rp180.000 / 0). The API cannot pass ``today``: it is the sandbox's (24/11/2026), after 2025
ended, and the RAT date used is 20/01/2026 (``RAT_DATE``).
"""

from __future__ import annotations

from typing import Any

import pytest

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine, YearLock
from koperasi.savings.models import SavingsTransaction
from koperasi.shu.models import (
    FiscalYear,
    FiscalYearReopenRequest,
    ShuDistribution,
    ShuMemberShare,
    ShuPolicy,
    ShuPolicyLine,
)
from tests.shu.conftest import DECISION, EXPECTED, RAT_DATE, YEAR, post_books_2025, register_three

pytestmark = pytest.mark.django_db

C = "/coops/manggar"
RAT = "2026-01-20"
DEFAULT_POOLS = [
    # pool, unit, basis, percent, amount, base_total, distributed, remainder
    ("cadangan", None, None, "40", 448_000, 0, 0, 0),
    ("jasa_modal", None, None, "20", 224_000, 600_000, 223_999, 1),
    ("jasa_usaha", "gerai_sembako", "purchases", "10", 112_000, 480_000, 112_000, 0),
    ("jasa_usaha", "simpan_pinjam", "loan_interest", "10", 112_000, 0, 0, 112_000),
    ("dana_pengurus", None, None, "5", 56_000, 0, 0, 0),
    ("dana_karyawan", None, None, "5", 56_000, 0, 0, 0),
    ("dana_pendidikan", None, None, "5", 56_000, 0, 0, 0),
    ("dana_sosial", None, None, "5", 56_000, 0, 0, 0),
]
# The issue's allocation (domain.md §2.5 Test A) on the jasa usaha of the gerai.
ISSUE_ALLOCATION = [
    {"pool": "jasa_modal", "percent": "25"},
    {"pool": "jasa_usaha", "unit": "gerai_sembako", "basis": "purchases", "percent": "30"},
    {"pool": "dana_pengurus", "percent": "10"},
    {"pool": "dana_sosial", "percent": "10"},
    {"pool": "dana_pendidikan", "percent": "15"},
    {"pool": "cadangan", "percent": "10"},
]


def error(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    return response.status_code, body["code"]


def state() -> tuple[Any, ...]:
    """What a refused call must leave unchanged: every SHU row, the books, the savings and the audit trail."""
    return (
        list(FiscalYear.objects.order_by("pk").values_list("pk", "status", "closing_entry_id", "times_reopened")),
        list(FiscalYearReopenRequest.objects.order_by("pk").values_list("pk", "status")),
        list(ShuPolicy.objects.order_by("pk").values_list("pk", "effective_year")),
        ShuPolicyLine.objects.count(),
        ShuDistribution.objects.count(),
        list(ShuMemberShare.objects.order_by("pk").values_list("pk", "total", "paid_on", "payment_method")),
        JournalEntry.objects.count(),
        YearLock.objects.count(),
        SavingsTransaction.objects.count(),
        AuditEvent.objects.count(),
    )


def pools(body: dict[str, Any]) -> list[tuple[Any, ...]]:
    return [
        (p["pool"], p["unit"], p["basis"], p["percent"], p["amount"], p["base_total"], p["distributed"], p["remainder"])
        for p in body["pools"]
    ]


def shares(body: dict[str, Any]) -> list[tuple[int, int, int, int, int]]:
    """(member number, capital base, jasa modal, jasa usaha, total) of each member, in the answer's order."""
    return [(m["member_no"], m["capital_base"], m["jasa_modal"], m["jasa_usaha"], m["total"]) for m in body["members"]]


def allocation(*percents: tuple[str, str]) -> list[dict[str, str]]:
    return [{"pool": pool, "percent": percent} for pool, percent in percents]


@pytest.fixture
def lamaru_ketua(other_coop: Any, grant: Any) -> Any:
    return grant(other_coop, Role.KETUA, "ketua-lamaru-shu")


# --- Years and the close ----------------------------------------------------------------------------
def test_years_list_shows_each_year_status_and_after_the_close_its_figures(
    year_books: Any, ketua: Any, bendahara: Any, api_as: Any
) -> None:
    client = api_as(ketua)
    before = client.get(f"{C}/shu")
    assert before.status_code == 200
    assert [(y["year"], y["status"], y["surplus"], y["distributed"]) for y in before.json()["items"]] == [
        (2026, "belum_ditutup", None, False),
        (2025, "belum_ditutup", None, False),
    ]
    assert before.json()["count"] == 2

    assert api_as(bendahara).post(f"{C}/shu/2025/close").status_code == 201
    assert client.post(f"{C}/shu/2025/approve", {"rat_date": RAT, "decision_number": DECISION}).status_code == 201
    body = client.get(f"{C}/shu").json()
    row = body["items"][1]
    assert row == {
        "year": 2025,
        "status": "ditutup",
        "closed_at": row["closed_at"],
        "total_income": 3_100_000,
        "total_expense": 1_700_000,
        "surplus": 1_400_000,
        "surplus_members": 1_120_000,
        "surplus_non_members": 280_000,
        "times_reopened": 0,
        "distributed": True,
        "distribution": {
            "shu_total": 1_120_000,
            "members_total": 335_999,
            "remainder": 112_001,
            "members_count": 3,
            "rat_date": RAT,
            "decision_number": DECISION,
        },
    }
    assert row["closed_at"] is not None
    assert client.get(f"{C}/shu", limit=1, offset=1).json()["items"][0]["year"] == 2025


def test_close_check_lists_every_blocker_and_is_empty_when_the_year_can_close(
    year_books: Any, bendahara: Any, api_as: Any
) -> None:
    client = api_as(bendahara)
    body = client.get(f"{C}/shu/2026/close-check").json()
    assert body["year"] == 2026
    assert body["status"] == "belum_ditutup"
    assert body["can_close"] is False
    assert [b["code"] for b in body["blockers"]] == ["year_not_over", "previous_year_open", "periods_open"]
    assert body["blockers"][0]["message"] == "Tahun buku 2026 belum berakhir (berakhir 31/12/2026)."
    assert body["blockers"][1]["message"] == "Tahun buku 2025 belum ditutup; tutup buku tahun itu lebih dulu."
    assert body["blockers"][2]["message"].startswith("Bulan yang belum ditutup: 01/2026, 02/2026,")

    assert client.get(f"{C}/shu/2025/close-check").json() == {
        "year": 2025,
        "status": "belum_ditutup",
        "can_close": True,
        "blockers": [],
    }


def test_close_moves_the_year_into_shu_and_answers_the_figures(year_books: Any, bendahara: Any, api_as: Any) -> None:
    client = api_as(bendahara)
    entries = JournalEntry.objects.count()
    response = client.post(f"{C}/shu/2025/close")
    assert response.status_code == 201, response.content
    body = response.json()
    entry = JournalEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert JournalEntry.objects.count() == entries + 1
    assert {k: v for k, v in body.items() if k not in ("closed_at", "split")} == {
        "year": 2025,
        "status": "ditutup",
        "closed_by": "bendahara-manggar",
        "closing_entry": entry.number,
        "total_income": EXPECTED.total_income,
        "total_expense": EXPECTED.total_expense,
        "revenue_members": EXPECTED.revenue_members,
        "revenue_non_members": EXPECTED.revenue_non_members,
        "surplus": EXPECTED.surplus,
        "surplus_members": EXPECTED.surplus_members,
        "surplus_non_members": EXPECTED.surplus_non_members,
        "times_reopened": 0,
    }
    by_unit = {row["unit"]: row for row in body["split"]}
    assert (by_unit["Gerai sembako"]["surplus_members"], by_unit["Gerai sembako"]["surplus_non_members"]) == (
        80_000,
        20_000,
    )
    assert sum(row["surplus_members"] for row in body["split"]) == 1_120_000
    assert sum(row["surplus_non_members"] for row in body["split"]) == 280_000
    credits = dict(
        JournalLine.objects.filter(entry=entry, account__code__in=["3-1610", "3-1620"]).values_list(
            "account__code", "credit"
        )
    )
    assert credits == {"3-1610": 1_120_000, "3-1620": 280_000}

    check = client.get(f"{C}/shu/2025/close-check").json()
    assert (check["status"], check["can_close"], [b["code"] for b in check["blockers"]]) == (
        "ditutup",
        False,
        ["year_already_closed"],
    )
    before = state()
    again = client.post(f"{C}/shu/2025/close")
    assert error(again) == (409, "year_already_closed")
    assert state() == before


def test_a_year_with_blockers_is_refused_with_them_and_nothing_changes(
    year_books: Any, bendahara: Any, api_as: Any
) -> None:
    before = state()
    response = api_as(bendahara).post(f"{C}/shu/2026/close")
    assert error(response) == (409, "year_close_blocked")
    blockers = response.json()["detail"]["blockers"]
    assert [b["code"] for b in blockers] == ["year_not_over", "previous_year_open", "periods_open"]
    assert response.json()["message"].startswith(
        "Tutup buku 2026 belum dapat dilakukan: Tahun buku 2026 belum berakhir"
    )
    assert state() == before


# --- Reopening --------------------------------------------------------------------------------------
def test_ketua_asks_pengawas_approves_and_the_year_is_open_then_closes_again(
    closed_year: Any, ketua: Any, pengawas: Any, bendahara: Any, api_as: Any
) -> None:
    entries = JournalEntry.objects.count()
    asked = api_as(ketua).post(f"{C}/shu/2025/reopen-requests", {"reason": "Koreksi beban gaji Desember"})
    assert asked.status_code == 201, asked.content
    request = asked.json()
    assert {k: request[k] for k in ("year", "reason", "status", "requested_by", "requested_role", "approved_by")} == {
        "year": 2025,
        "reason": "Koreksi beban gaji Desember",
        "status": "menunggu",
        "requested_by": "ketua-manggar",
        "requested_role": "ketua",
        "approved_by": None,
    }
    listed = api_as(pengawas).get(f"{C}/shu/2025/reopen-requests").json()
    assert (listed["count"], listed["items"][0]["id"]) == (1, request["id"])

    # The asker cannot approve their own request.
    before = state()
    assert error(api_as(ketua).post(f"{C}/shu/reopen-requests/{request['id']}/approve")) == (403, "forbidden")
    assert state() == before

    approved = api_as(pengawas).post(f"{C}/shu/reopen-requests/{request['id']}/approve")
    assert approved.status_code == 200, approved.content
    body = approved.json()
    assert (body["year"], body["status"], body["closing_entry"], body["times_reopened"]) == (2025, "dibuka", None, 1)
    assert JournalEntry.objects.count() == entries + 1  # the mirror of the closing entry
    assert not YearLock.objects.filter(cooperative=closed_year.cooperative, year=2025).exists()
    assert api_as(pengawas).get(f"{C}/shu/2025/reopen-requests").json()["items"][0]["status"] == "disetujui"
    missing = api_as(ketua).get(f"{C}/shu/2025")
    assert error(missing) == (404, "shu_not_distributed")
    assert missing.json()["message"] == (
        "SHU tahun 2025 belum dibagikan: tahun buku 2025 dibuka kembali; tutup buku lagi sebelum SHU dibagikan."
    )

    closed = api_as(bendahara).post(f"{C}/shu/2025/close")
    assert closed.status_code == 201, closed.content
    assert (closed.json()["status"], closed.json()["surplus_members"], closed.json()["times_reopened"]) == (
        "ditutup",
        1_120_000,
        1,
    )


def test_reopen_refusals_change_nothing(
    distributed: Any, year_books: Any, ketua: Any, pengawas: Any, bendahara: Any, api_as: Any
) -> None:
    before = state()
    # The bendahara closes the books but may not reopen them.
    assert error(api_as(bendahara).post(f"{C}/shu/2025/reopen-requests", {"reason": "x"})) == (403, "forbidden")
    # A distributed year stays closed.
    refused = api_as(ketua).post(f"{C}/shu/2025/reopen-requests", {"reason": "Koreksi"})
    assert error(refused) == (409, "shu_already_distributed")
    # A year never closed cannot be reopened; an empty reason is refused.
    assert error(api_as(ketua).post(f"{C}/shu/2024/reopen-requests", {"reason": "Koreksi"})) == (409, "year_not_closed")
    assert error(api_as(pengawas).post(f"{C}/shu/2025/reopen-requests", {"reason": "   "})) == (422, "invalid")
    assert error(api_as(pengawas).post(f"{C}/shu/reopen-requests/999999/approve")) == (404, "not_found")
    assert state() == before


# --- Policy -----------------------------------------------------------------------------------------
def test_policy_defaults_then_a_saved_policy_in_force_from_its_year(
    year_books: Any, ketua: Any, bendahara: Any, api_as: Any
) -> None:
    client = api_as(ketua)
    body = client.get(f"{C}/shu/policy", year=2025).json()
    assert (body["year"], body["count"], body["items"]) == (2025, 0, [])
    assert body["in_force"]["is_default"] is True
    assert body["in_force"]["effective_year"] is None
    assert body["in_force"]["capital_kinds"] == ["pokok", "wajib"]
    assert [(a["pool"], a["percent"], a["unit"]) for a in body["in_force"]["allocation"]] == [
        (p[0], p[3], p[1]) for p in DEFAULT_POOLS
    ]

    saved = api_as(bendahara).post(
        f"{C}/shu/policy",
        {
            "effective_year": 2025,
            "capital_kinds": ["pokok", "wajib", "sukarela"],
            "allocation": [
                *ISSUE_ALLOCATION[:5],
                {"pool": "cadangan", "percent": "7.5"},
                {"pool": "lainnya", "percent": "2.5", "label": "Dana BPK"},
            ],
            "non_member_destination": "dana_pendidikan",
            "note": "AD/ART perubahan RAT 2025",
        },
    )
    assert saved.status_code == 201, saved.content
    assert saved.json() == {
        "effective_year": 2025,
        "is_default": False,
        "capital_kinds": ["pokok", "wajib", "sukarela"],
        "allocation": [
            {
                "pool": "jasa_modal",
                "percent": "25",
                "unit": None,
                "basis": None,
                "label": "",
                "name": "Jasa modal anggota",
            },
            {
                "pool": "jasa_usaha",
                "percent": "30",
                "unit": "gerai_sembako",
                "basis": "purchases",
                "label": "",
                "name": "Jasa usaha anggota — Gerai sembako",
            },
            {
                "pool": "dana_pengurus",
                "percent": "10",
                "unit": None,
                "basis": None,
                "label": "",
                "name": "Dana pengurus",
            },
            {"pool": "dana_sosial", "percent": "10", "unit": None, "basis": None, "label": "", "name": "Dana sosial"},
            {
                "pool": "dana_pendidikan",
                "percent": "15",
                "unit": None,
                "basis": None,
                "label": "",
                "name": "Dana pendidikan",
            },
            {"pool": "cadangan", "percent": "7.5", "unit": None, "basis": None, "label": "", "name": "Cadangan"},
            {"pool": "lainnya", "percent": "2.5", "unit": None, "basis": None, "label": "Dana BPK", "name": "Dana BPK"},
        ],
        "non_member_destination": "dana_pendidikan",
        "note": "AD/ART perubahan RAT 2025",
    }
    assert AuditEvent.objects.filter(action="shu.policy_save").count() == 1
    in_2026 = client.get(f"{C}/shu/policy", year=2026).json()
    assert (in_2026["in_force"]["effective_year"], in_2026["count"]) == (2025, 1)
    assert client.get(f"{C}/shu/policy", year=2024).json()["in_force"]["is_default"] is True
    assert client.get(f"{C}/shu/policy").json()["year"] == 2026  # this year by default


@pytest.mark.parametrize(("percent", "shown"), [("39", "99"), ("45", "105"), ("40.5", "100,5")])
def test_a_policy_not_summing_to_100_is_refused_with_the_sum(
    year_books: Any, bendahara: Any, api_as: Any, percent: str, shown: str
) -> None:
    body = {
        "effective_year": 2025,
        "capital_kinds": ["pokok", "wajib"],
        "allocation": allocation(("cadangan", percent), ("jasa_modal", "60")),
    }
    before = state()
    response = api_as(bendahara).post(f"{C}/shu/policy", body)
    assert error(response) == (422, "shu_allocation_invalid")
    assert f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {shown}%." in response.json()["message"]
    assert response.json()["detail"]["percent_sum"] == [shown]
    assert state() == before


def test_a_policy_for_a_distributed_year_is_refused(distributed: Any, ketua: Any, api_as: Any) -> None:
    before = state()
    response = api_as(ketua).post(
        f"{C}/shu/policy",
        {"effective_year": 2025, "capital_kinds": ["pokok"], "allocation": allocation(("cadangan", "100"))},
    )
    assert error(response) == (409, "shu_policy_year_distributed")
    assert response.json()["message"] == "SHU tahun 2025 sudah dibagikan; aturan baru berlaku paling awal tahun 2026."
    assert state() == before


# --- Simulation -------------------------------------------------------------------------------------
def test_simulate_the_issue_body_over_the_members_real_bases(year_books: Any, ketua: Any, api_as: Any) -> None:
    response = api_as(ketua).post(
        f"{C}/shu/2025/simulate",
        {"shu_total": 40_000_000, "capital_kinds": ["pokok", "wajib"], "allocation": ISSUE_ALLOCATION},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["year"], body["shu_total"], body["capital_kinds"]) == (2025, 40_000_000, ["pokok", "wajib"])
    assert pools(body) == [
        ("jasa_modal", None, None, "25", 10_000_000, 600_000, 9_999_999, 1),
        ("jasa_usaha", "gerai_sembako", "purchases", "30", 12_000_000, 480_000, 12_000_000, 0),
        ("dana_pengurus", None, None, "10", 4_000_000, 0, 0, 0),
        ("dana_sosial", None, None, "10", 4_000_000, 0, 0, 0),
        ("dana_pendidikan", None, None, "15", 6_000_000, 0, 0, 0),
        ("cadangan", None, None, "10", 4_000_000, 0, 0, 0),
    ]
    assert sum(p["amount"] for p in body["pools"]) == 40_000_000
    # Budi 300/600 of jasa modal and 300/480 of jasa usaha; Siti 200/600 and 180/480; Agus 100/600.
    assert shares(body) == [
        (1, 300_000, 5_000_000, 7_500_000, 12_500_000),
        (2, 200_000, 3_333_333, 4_500_000, 7_833_333),
        (3, 100_000, 1_666_666, 0, 1_666_666),
    ]
    assert body["members"][0] == {
        "member_id": year_books.budi.pk,
        "member_no": 1,
        "number": "00001",
        "name": "Budi Santoso",
        "capital_base": 300_000,
        "jasa_modal": 5_000_000,
        "jasa_usaha": 7_500_000,
        "total": 12_500_000,
        "usage": [{"unit": "gerai_sembako", "basis": "purchases", "base": 300_000, "amount": 7_500_000}],
    }
    assert (body["members_total"], body["remainder"]) == (21_999_999, 1)


def test_simulate_without_allocation_uses_the_policy_in_force(
    year_books: Any, ketua: Any, bendahara: Any, api_as: Any
) -> None:
    client = api_as(ketua)
    # Nothing saved: the domain.md §11 defaults, on the year's SHU from members.
    body = client.post(f"{C}/shu/2025/simulate", {"shu_total": EXPECTED.surplus_members}).json()
    assert pools(body) == DEFAULT_POOLS
    assert shares(body) == [(n, base, jm, ju, total) for n, base, jm, ju, total in EXPECTED.shares]
    assert (body["members_total"], body["remainder"]) == (EXPECTED.members_total, EXPECTED.remainder)

    saved = api_as(bendahara).post(
        f"{C}/shu/policy",
        {
            "effective_year": 2025,
            "capital_kinds": ["pokok"],
            "allocation": allocation(("cadangan", "50"), ("jasa_modal", "50")),
        },
    )
    assert saved.status_code == 201
    body = client.post(f"{C}/shu/2025/simulate", {"shu_total": 1_000_000}).json()
    # Jasa modal Rp500.000 over three equal pokok of Rp50.000: Rp166.666 each, Rp2 left to cadangan.
    assert body["capital_kinds"] == ["pokok"]
    assert shares(body) == [
        (1, 50_000, 166_666, 0, 166_666),
        (2, 50_000, 166_666, 0, 166_666),
        (3, 50_000, 166_666, 0, 166_666),
    ]
    assert (body["members_total"], body["remainder"]) == (499_998, 2)
    # The body's capital kinds replace the policy's, its allocation is still the policy's.
    body = client.post(f"{C}/shu/2025/simulate", {"shu_total": 1_000_000, "capital_kinds": ["wajib"]}).json()
    assert shares(body) == [
        (1, 250_000, 277_777, 0, 277_777),
        (2, 150_000, 166_666, 0, 166_666),
        (3, 50_000, 55_555, 0, 55_555),
    ]


def test_simulate_writes_nothing_and_needs_no_close(year_books: Any, ketua: Any, api_as: Any) -> None:
    before = state()
    response = api_as(ketua).post(f"{C}/shu/2026/simulate", {"shu_total": 0})
    assert response.status_code == 200
    # Savings carry into 2026 (a zero SHU shares nothing); nobody bought anything in 2026.
    assert shares(response.json()) == [(1, 300_000, 0, 0, 0), (2, 200_000, 0, 0, 0), (3, 100_000, 0, 0, 0)]
    assert [p["amount"] for p in response.json()["pools"]] == [0] * 8
    assert state() == before


@pytest.mark.parametrize(("cadangan", "shown"), [("9", "99"), ("15", "105")])
def test_simulate_refuses_an_allocation_not_summing_to_100(
    year_books: Any, ketua: Any, api_as: Any, cadangan: str, shown: str
) -> None:
    body = {"shu_total": 40_000_000, "allocation": [*ISSUE_ALLOCATION[:5], {"pool": "cadangan", "percent": cadangan}]}
    before = state()
    response = api_as(ketua).post(f"{C}/shu/2025/simulate", body)
    assert error(response) == (422, "shu_allocation_invalid")
    assert response.json()["message"] == f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {shown}%."
    assert response.json()["detail"] == {
        "allocation": [f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {shown}%."],
        "percent_sum": [shown],
    }
    assert state() == before


def test_simulate_refuses_a_negative_total_and_bad_allocations(year_books: Any, ketua: Any, api_as: Any) -> None:
    client = api_as(ketua)
    before = state()
    negative = client.post(f"{C}/shu/2025/simulate", {"shu_total": -1})
    assert error(negative) == (422, "shu_total_negative")
    assert negative.json()["message"] == "Total SHU tidak boleh negatif."
    no_reserve = client.post(
        f"{C}/shu/2025/simulate", {"shu_total": 1_000, "allocation": allocation(("jasa_modal", "100"))}
    )
    assert error(no_reserve) == (422, "shu_allocation_invalid")
    assert "harus memuat cadangan" in no_reserve.json()["message"]
    unknown_unit = client.post(
        f"{C}/shu/2025/simulate",
        {
            "shu_total": 1_000,
            "allocation": [
                {"pool": "cadangan", "percent": "50"},
                {"pool": "jasa_usaha", "unit": "warung", "basis": "purchases", "percent": "50"},
            ],
        },
    )
    assert error(unknown_unit) == (422, "shu_allocation_invalid")
    assert unknown_unit.json()["detail"]["allocation.2"] == ["Baris 2: unit usaha 'warung' tidak ada di koperasi ini."]
    bad_kind = client.post(f"{C}/shu/2025/simulate", {"shu_total": 1_000, "capital_kinds": ["berjangka"]})
    assert error(bad_kind) == (422, "shu_allocation_invalid")
    assert bad_kind.json()["detail"]["capital_kinds"] == [
        "Jenis simpanan tidak dikenal: berjangka; pilih dari pokok, wajib, sukarela."
    ]
    bad_percent = client.post(
        f"{C}/shu/2025/simulate",
        {"shu_total": 1_000, "allocation": allocation(("cadangan", "1e2"))},
    )
    assert error(bad_percent) == (422, "shu_allocation_invalid")
    assert bad_percent.json()["detail"] == {
        "allocation.1": [
            'Baris 1: persentase harus angka dengan paling banyak dua desimal, mis. "12.5" (tertulis "1e2").'
        ]
    }
    assert state() == before


# --- Approval ---------------------------------------------------------------------------------------
def test_approve_posts_the_allocation_and_answers_the_distribution(closed_year: Any, ketua: Any, api_as: Any) -> None:
    entries = JournalEntry.objects.count()
    response = api_as(ketua).post(f"{C}/shu/2025/approve", {"rat_date": RAT, "decision_number": DECISION})
    assert response.status_code == 201, response.content
    body = response.json()
    entry = JournalEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert JournalEntry.objects.count() == entries + 1
    assert pools(body) == DEFAULT_POOLS
    assert shares(body) == list(EXPECTED.shares)
    assert {k: v for k, v in body.items() if k not in ("pools", "members", "approved_at")} == {
        "year": 2025,
        "status": "disahkan",
        "year_status": "ditutup",
        "rat_date": RAT,
        "decision_number": DECISION,
        "approved_by": "ketua-manggar",
        "shu_total": 1_120_000,
        "non_member_amount": 280_000,
        "non_member_destination": "cadangan",
        "capital_kinds": ["pokok", "wajib"],
        "allocation_entry": entry.number,
        "members_count": 3,
        "members_total": 335_999,
        "remainder": 112_001,
        "paid_members": 0,
        "paid_total": 0,
        "unpaid_members": 3,
        "unpaid_total": 335_999,
    }
    assert [(m["paid_on"], m["payment_method"], m["payment_entry"]) for m in body["members"]] == [
        (None, None, None)
    ] * 3
    assert body["members"][1]["usage"] == [
        {"unit": "gerai_sembako", "basis": "purchases", "base": 180_000, "amount": 42_000}
    ]
    credits = dict(
        JournalLine.objects.filter(entry=entry, account__code__in=["3-1500", "2-1500"]).values_list(
            "account__code", "credit"
        )
    )
    assert credits == {"3-1500": EXPECTED.reserve, "2-1500": EXPECTED.members_total}
    assert str(entry.date) == RAT
    # GET answers the same body.
    assert api_as(ketua).get(f"{C}/shu/2025").json() == body


def test_approve_with_the_rat_s_own_allocation_and_capital_kinds(closed_year: Any, bendahara: Any, api_as: Any) -> None:
    response = api_as(bendahara).post(
        f"{C}/shu/2025/approve",
        {
            "rat_date": RAT,
            "decision_number": DECISION,
            "allocation": allocation(("cadangan", "50"), ("jasa_modal", "50")),
            "capital_kinds": ["pokok"],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert pools(body) == [
        ("cadangan", None, None, "50", 560_000, 0, 0, 0),
        ("jasa_modal", None, None, "50", 560_000, 150_000, 559_998, 2),
    ]
    assert shares(body) == [
        (1, 50_000, 186_666, 0, 186_666),
        (2, 50_000, 186_666, 0, 186_666),
        (3, 50_000, 186_666, 0, 186_666),
    ]
    assert (body["capital_kinds"], body["members_total"], body["remainder"]) == (["pokok"], 559_998, 2)


def test_approve_refusals_write_nothing(year_books: Any, ketua: Any, bendahara: Any, api_as: Any) -> None:
    client = api_as(ketua)
    approve = {"rat_date": RAT, "decision_number": DECISION}
    before = state()
    not_closed = client.post(f"{C}/shu/2025/approve", approve)
    assert error(not_closed) == (409, "year_not_closed")
    assert not_closed.json()["message"] == "Tahun buku 2025 belum ditutup; tutup buku dulu sebelum SHU dibagikan."
    assert error(client.post(f"{C}/shu/2026/approve", {**approve, "rat_date": "2027-01-20"})) == (422, "invalid")
    assert state() == before

    assert api_as(bendahara).post(f"{C}/shu/2025/close").status_code == 201
    before = state()
    for cadangan, shown in (("39", "99"), ("45", "105")):
        response = client.post(
            f"{C}/shu/2025/approve", {**approve, "allocation": allocation(("cadangan", cadangan), ("jasa_modal", "60"))}
        )
        assert error(response) == (422, "shu_allocation_invalid")
        assert f"sekarang {shown}%" in response.json()["message"]
    rat_in_year = client.post(f"{C}/shu/2025/approve", {**approve, "rat_date": "2025-12-31"})
    assert error(rat_in_year) == (422, "invalid")
    assert rat_in_year.json()["detail"] == {
        "rat_date": ["RAT yang mengesahkan SHU 2025 diadakan setelah tahun buku itu."]
    }
    assert error(client.post(f"{C}/shu/2025/approve", {**approve, "rat_date": "2026-12-01"})) == (422, "invalid")
    assert error(client.post(f"{C}/shu/2025/approve", {**approve, "decision_number": "  "})) == (422, "invalid")
    assert state() == before

    assert client.post(f"{C}/shu/2025/approve", approve).status_code == 201
    before = state()
    second = client.post(f"{C}/shu/2025/approve", approve)
    assert error(second) == (409, "shu_already_distributed")
    assert second.json()["message"] == "SHU tahun 2025 sudah dibagikan; pembagian tidak dapat diulang."
    assert state() == before


def test_get_a_year_without_distribution_is_404_with_the_year_status(
    year_books: Any, ketua: Any, bendahara: Any, api_as: Any
) -> None:
    client = api_as(ketua)
    response = client.get(f"{C}/shu/2025")
    assert error(response) == (404, "shu_not_distributed")
    assert response.json()["message"] == "SHU tahun 2025 belum dibagikan: tahun buku 2025 belum ditutup."
    assert response.json()["detail"] == {"year_status": ["belum_ditutup"]}
    assert api_as(bendahara).post(f"{C}/shu/2025/close").status_code == 201
    response = client.get(f"{C}/shu/2025")
    assert error(response) == (404, "shu_not_distributed")
    assert response.json()["message"] == (
        "SHU tahun 2025 belum dibagikan: tahun buku 2025 sudah ditutup dan SHU-nya menunggu pengesahan RAT."
    )
    for path in ("/members", "/pay-all"):
        call = client.get if path == "/members" else api_as(bendahara).post
        args = () if path == "/members" else ({"method": "tunai"},)
        assert error(call(f"{C}/shu/2025{path}", *args)) == (404, "shu_not_distributed")


# --- Members' shares and payment --------------------------------------------------------------------
def test_members_are_listed_by_number_a_page_at_a_time(
    distributed: Any, year_books: Any, pengawas: Any, api_as: Any
) -> None:
    client = api_as(pengawas)
    page = client.get(f"{C}/shu/2025/members", limit=2).json()
    assert page["count"] == 3
    assert [(m["number"], m["name"], m["total"]) for m in page["items"]] == [
        ("00001", "Budi Santoso", 182_000),
        ("00002", "Siti Aminah", 116_666),
    ]
    rest = client.get(f"{C}/shu/2025/members", limit=2, offset=2).json()
    assert [(m["member_id"], m["total"], m["share_id"]) for m in rest["items"]] == [
        (year_books.agus.pk, 37_333, ShuMemberShare.objects.get(member=year_books.agus).pk)
    ]
    assert error(client.get(f"{C}/shu/2025/members", limit=0)) == (422, "invalid")


def test_pay_one_member_in_cash_then_into_sukarela(
    distributed: Any, year_books: Any, kasir: Any, bendahara: Any, api_as: Any
) -> None:
    budi, siti = year_books.budi, year_books.siti
    entries = JournalEntry.objects.count()
    paid = api_as(kasir).post(f"{C}/shu/2025/members/{budi.pk}/pay", {"method": "tunai", "date": "2026-01-25"})
    assert paid.status_code == 200, paid.content
    body = paid.json()
    entry = JournalEntry.objects.order_by("-pk").first()
    assert entry is not None
    assert (body["member_no"], body["total"], body["paid_on"], body["payment_method"], body["payment_entry"]) == (
        1,
        182_000,
        "2026-01-25",
        "tunai",
        entry.number,
    )
    assert JournalEntry.objects.count() == entries + 1
    assert dict(JournalLine.objects.filter(entry=entry).values_list("account__code", "debit")) == {
        "2-1500": 182_000,
        "1-1100": 0,
    }

    sukarela = api_as(bendahara).post(
        f"{C}/shu/2025/members/{siti.pk}/pay", {"method": "sukarela", "date": "2026-01-25"}
    )
    assert sukarela.status_code == 200, sukarela.content
    assert api_as(bendahara).get(f"/coops/manggar/members/{siti.pk}/savings").json()["sukarela"] == 116_666

    unpaid = api_as(bendahara).get(f"{C}/shu/2025/members", unpaid=1).json()
    assert [(m["number"], m["total"]) for m in unpaid["items"]] == [("00003", 37_333)]
    assert unpaid["count"] == 1
    summary = api_as(bendahara).get(f"{C}/shu/2025").json()
    assert {k: summary[k] for k in ("status", "paid_members", "paid_total", "unpaid_members", "unpaid_total")} == {
        "status": "sebagian_dibayar",
        "paid_members": 2,
        "paid_total": 298_666,
        "unpaid_members": 1,
        "unpaid_total": 37_333,
    }

    before = state()
    again = api_as(kasir).post(f"{C}/shu/2025/members/{budi.pk}/pay", {"method": "tunai", "date": "2026-01-26"})
    assert error(again) == (409, "shu_already_paid")
    assert again.json()["message"] == "SHU 2025 anggota no. 00001 sudah dibayar pada 25/01/2026."
    assert state() == before


def test_pay_refusals_write_nothing(
    distributed: Any, year_books: Any, register_member: Any, coop: Any, kasir: Any, api_as: Any
) -> None:
    client = api_as(kasir)
    agus = year_books.agus
    newcomer = register_member(coop, nik="6471041203800001", name="Dewi Sartika", joined_on="2026-02-01")
    before = state()
    early = client.post(f"{C}/shu/2025/members/{agus.pk}/pay", {"method": "tunai", "date": "2026-01-19"})
    assert error(early) == (422, "invalid")
    assert early.json()["detail"] == {"date": ["SHU dibayar paling awal pada tanggal RAT (20/01/2026)."]}
    future = client.post(f"{C}/shu/2025/members/{agus.pk}/pay", {"method": "tunai", "date": "2027-01-01"})
    assert error(future) == (422, "invalid")
    method = client.post(f"{C}/shu/2025/members/{agus.pk}/pay", {"method": "transfer", "date": "2026-01-25"})
    assert error(method) == (422, "invalid")
    assert method.json()["detail"] == {"method": ["Cara bayar harus 'tunai' atau 'sukarela'."]}
    no_share = client.post(f"{C}/shu/2025/members/{newcomer.pk}/pay", {"method": "tunai", "date": "2026-01-25"})
    assert error(no_share) == (404, "shu_share_not_found")
    assert error(client.post(f"{C}/shu/2025/members/0/pay", {"method": "tunai"})) == (404, "shu_share_not_found")
    assert state() == before


def test_pay_all_skips_who_cannot_be_paid_into_sukarela_then_cash_pays_the_rest(
    distributed: Any, year_books: Any, ketua: Any, bendahara: Any, api_as: Any
) -> None:
    agus = year_books.agus
    exit_ = api_as(ketua).post(
        f"/coops/manggar/members/{agus.pk}/exit", {"status": "keluar", "date": "2026-01-22", "reason": "Pindah"}
    )
    assert exit_.status_code == 200, exit_.content
    client = api_as(bendahara)
    response = client.post(f"{C}/shu/2025/pay-all", {"method": "sukarela", "date": "2026-01-25"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "paid": 2,
        "amount": 298_666,
        "skipped": [
            {
                "member_no": 3,
                "number": "00003",
                "reason": "Anggota no. 00003 tidak aktif; dana tidak dapat dimasukkan ke simpanan sukarela.",
            }
        ],
    }
    assert client.post(f"{C}/shu/2025/pay-all", {"method": "tunai", "date": "2026-01-25"}).json() == {
        "paid": 1,
        "amount": 37_333,
        "skipped": [],
    }
    body = client.get(f"{C}/shu/2025").json()
    assert (body["status"], body["paid_total"], body["unpaid_total"]) == ("lunas", 335_999, 0)
    assert [m["payment_method"] for m in body["members"]] == ["sukarela", "sukarela", "tunai"]
    assert client.post(f"{C}/shu/2025/pay-all", {"method": "tunai"}).json() == {"paid": 0, "amount": 0, "skipped": []}


# --- Who may do what --------------------------------------------------------------------------------
def _calls(year_books: Any) -> list[tuple[str, str, Any]]:
    """Every SHU endpoint with a valid body."""
    budi = year_books.budi.pk
    return [
        ("get", f"{C}/shu", None),
        ("get", f"{C}/shu/policy", None),
        (
            "post",
            f"{C}/shu/policy",
            {"effective_year": 2027, "capital_kinds": ["pokok"], "allocation": allocation(("cadangan", "100"))},
        ),
        ("get", f"{C}/shu/2025/close-check", None),
        ("post", f"{C}/shu/2025/close", None),
        ("get", f"{C}/shu/2025/reopen-requests", None),
        ("post", f"{C}/shu/2025/reopen-requests", {"reason": "Koreksi"}),
        ("post", f"{C}/shu/reopen-requests/{{request}}/approve", None),
        ("post", f"{C}/shu/2025/simulate", {"shu_total": 1_000_000}),
        ("post", f"{C}/shu/2025/approve", {"rat_date": RAT, "decision_number": DECISION}),
        ("get", f"{C}/shu/2025", None),
        ("get", f"{C}/shu/2025/members", None),
        ("post", f"{C}/shu/2025/members/{budi}/pay", {"method": "tunai", "date": "2026-01-25"}),
        ("post", f"{C}/shu/2025/pay-all", {"method": "tunai", "date": "2026-01-25"}),
    ]


def _call(client: Any, method: str, path: str, body: Any) -> Any:
    return client.get(path) if method == "get" else client.post(path, body)


def test_kasir_may_pay_but_not_read_simulate_close_or_approve(
    closed_year: Any, year_books: Any, kasir: Any, api_as: Any
) -> None:
    client = api_as(kasir)
    before = state()
    for method, path, body in _calls(year_books):
        if path.endswith("/pay") or path.endswith("/pay-all"):
            continue
        response = _call(client, method, path.replace("{request}", "1"), body)
        assert error(response) == (403, "forbidden"), path
    assert state() == before


@pytest.mark.parametrize("role", [Role.ANGGOTA, Role.DINAS])
def test_anggota_and_dinas_are_refused_everywhere(
    closed_year: Any, year_books: Any, grant: Any, make_user: Any, coop: Any, api_as: Any, role: str
) -> None:
    if role == Role.DINAS:
        from koperasi.core.models import RegionalRole

        user = make_user("dinas-shu")
        RegionalRole.objects.create(user=user, role=Role.DINAS, region_id="64.71")
    else:
        user = grant(coop, role, "anggota-shu")
    client = api_as(user)
    before = state()
    for method, path, body in _calls(year_books):
        response = _call(client, method, path.replace("{request}", "1"), body)
        assert error(response) == (403, "forbidden"), path
    assert state() == before


def test_pengawas_reads_and_simulates_but_does_not_close_approve_or_pay(
    year_books: Any, pengawas: Any, api_as: Any
) -> None:
    client = api_as(pengawas)
    assert client.get(f"{C}/shu/2025/close-check").status_code == 200
    assert client.post(f"{C}/shu/2025/simulate", {"shu_total": 1_000}).status_code == 200
    before = state()
    assert error(client.post(f"{C}/shu/2025/close")) == (403, "forbidden")
    assert error(client.post(f"{C}/shu/2025/pay-all", {"method": "tunai"})) == (403, "forbidden")
    assert error(client.post(f"{C}/shu/2025/approve", {"rat_date": RAT, "decision_number": DECISION})) == (
        403,
        "forbidden",
    )
    assert error(client.post(f"{C}/shu/policy", {"effective_year": 2027, "capital_kinds": [], "allocation": []})) == (
        403,
        "forbidden",
    )
    assert state() == before


def test_another_cooperative_s_ketua_gets_404_for_every_endpoint_and_every_id(
    closed_year: Any,
    year_books: Any,
    other_coop: Any,
    lamaru_ketua: Any,
    register_member: Any,
    admin_user: Any,
    grant: Any,
    api_as: Any,
) -> None:
    from koperasi.shu.services import fiscal_year_close, fiscal_year_reopen_request, shu_approve

    # Manggar: 2025 closed, a reopen request waiting. Lamaru: the same books, closed and distributed.
    manggar_request = fiscal_year_reopen_request(
        cooperative=year_books.coop, year=YEAR, reason="Koreksi", actor=year_books.ketua
    )
    lamaru_members = register_three(other_coop, register_member)
    lamaru_bendahara = grant(other_coop, Role.BENDAHARA, "bendahara-lamaru-shu")
    lamaru_kasir = grant(other_coop, Role.KASIR, "kasir-lamaru-shu")
    post_books_2025(
        other_coop, members=lamaru_members, bendahara=lamaru_bendahara, kasir=lamaru_kasir, admin=admin_user
    )
    fiscal_year_close(cooperative=other_coop, year=YEAR, actor=lamaru_bendahara)
    shu_approve(cooperative=other_coop, year=YEAR, rat_date=RAT_DATE, decision_number="01/RAT/LMR", actor=lamaru_ketua)

    client = api_as(lamaru_ketua)
    before = state()
    for method, path, body in _calls(year_books):
        response = _call(client, method, path.replace("{request}", str(manggar_request.pk)), body)
        assert error(response) == (404, "not_found"), path
    # Manggar's ids on Lamaru's own URLs: a reopen request, a member's share (paid by Lamaru's bendahara).
    approve = client.post(f"/coops/lamaru/shu/reopen-requests/{manggar_request.pk}/approve")
    assert error(approve) == (404, "not_found")
    pay = api_as(lamaru_bendahara).post(f"/coops/lamaru/shu/2025/members/{year_books.budi.pk}/pay", {"method": "tunai"})
    assert error(pay) == (404, "shu_share_not_found")
    assert state() == before
    # Lamaru's own share of the same member number is there.
    own = client.get("/coops/lamaru/shu/2025/members").json()
    assert [m["member_id"] for m in own["items"]] == [m.pk for m in lamaru_members]


def test_every_shu_path_is_in_the_openapi_schema_with_its_own_schemas(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert sorted(p for p in schema["paths"] if "/shu" in p) == sorted(
        "/api/v1/coops/{coop}/shu" + tail
        for tail in (
            "",
            "/policy",
            "/funds",
            "/funds/spend",
            "/reopen-requests/{request_id}/approve",
            "/{year}",
            "/{year}/close-check",
            "/{year}/close",
            "/{year}/reopen-requests",
            "/{year}/simulate",
            "/{year}/approve",
            "/{year}/members",
            "/{year}/members/{member_id}/pay",
            "/{year}/pay-all",
        )
    )
    # Names shared with other apps' schemas would replace one another in the components.
    components = schema["components"]["schemas"]
    assert {"members_total", "remainder", "capital_kinds"} <= set(components["ShuSimulationOut"]["properties"])
    assert "year" in components["YearReopenRequestOut"]["properties"]
    assert "name" in components["ShuAllocationOut"]["properties"]
    assert "unpaid_total" in components["ShuDistributionOut"]["properties"]
