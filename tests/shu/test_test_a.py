"""domain.md §2.5 Test A end to end through the API: cooperative, members, savings, goods, sales, simulation.

Test A (Quipper, Soal 1): SHU Rp40.000.000 shared jasa modal 25 %, jasa anggota 30 %, pengurus
10 %, sosial 10 %, pendidikan 15 %, cadangan 10 %; all members' savings Rp60.000.000, sales
Rp100.000.000; Grace has pokok Rp1.000.000 + wajib Rp2.000.000 and bought Rp1.000.000 →
jasa modal Rp500.000, jasa usaha Rp120.000, total Rp620.000.

Every step is an API call made by the person who would make it (admin, ketua, bendahara,
kasir), logged in with ``POST /auth/token``: the cooperative's savings setting makes pokok
Rp1.000.000, three members pay pokok (which makes them aktif) and wajib so that pokok + wajib
= Rp60.000.000, the gerai buys 1.010 sacks at Rp80.000 and sells 1.000 of them at Rp100.000 to
the members (Rp100.000.000) and 10 to a passer-by, whose purchase is no member's jasa usaha.
All dated in 2026 before today; the simulation needs no close.
"""

from __future__ import annotations

from typing import Any

import pytest

from koperasi.shu.models import ShuDistribution
from tests.conftest import ApiClient

pytestmark = pytest.mark.django_db

C = "/coops/sepinggan"
PASSWORD = "rahasia-uji-123"
# The issue's body: simulate 2026 over the members' real purchases at the gerai sembako.
ISSUE_BODY = {
    "shu_total": 40_000_000,
    "capital_kinds": ["pokok", "wajib"],
    "allocation": [
        {"pool": "cadangan", "percent": "10"},
        {"pool": "jasa_modal", "percent": "25"},
        {"pool": "jasa_usaha", "unit": "gerai_sembako", "basis": "purchases", "percent": "30"},
        {"pool": "dana_pengurus", "percent": "10"},
        {"pool": "dana_sosial", "percent": "10"},
        {"pool": "dana_pendidikan", "percent": "15"},
    ],
}
# name, NIK, wajib, sacks bought at Rp100.000 — pokok Rp1.000.000 each.
MEMBERS = [
    ("Grace Natalia", "6471045505850002", 2_000_000, 10),
    ("Budi Santoso", "6471041505850001", 26_000_000, 500),
    ("Siti Aminah", "6471046003900004", 29_000_000, 490),
]


def logged_in(username: str) -> ApiClient:
    """A client holding the token ``POST /auth/token`` gives ``username``."""
    client = ApiClient(None)
    response = client.post("/auth/token", {"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.content
    client.headers["Authorization"] = f"Bearer {response.json()['token']}"
    return client


def created(response: Any) -> dict[str, Any]:
    assert response.status_code == 201, response.content
    body: dict[str, Any] = response.json()
    return body


def test_test_a_through_the_api_gives_the_published_figures(admin_user: Any) -> None:
    admin = ApiClient(admin_user)
    created(
        admin.post(
            "/coops",
            {
                "code": "sepinggan",
                "name": "KKMP Sepinggan",
                "kelurahan_code": "64.71.05.1002",
                "stage": "beroperasi",
            },
        )
    )
    for role in ("ketua", "bendahara", "kasir"):
        created(admin.post(f"{C}/users", {"username": f"{role}-spg", "password": PASSWORD, "role": role}))
    ketua, bendahara, kasir = logged_in("ketua-spg"), logged_in("bendahara-spg"), logged_in("kasir-spg")

    # The RAT set simpanan pokok at Rp1.000.000 from 1 January 2026.
    created(
        ketua.post(
            f"{C}/savings/settings",
            {"effective_from": "2026-01-01", "pokok_amount": 1_000_000, "wajib_amount": 100_000},
        )
    )

    ids: dict[str, int] = {}
    for name, nik, wajib, _ in MEMBERS:
        member = created(
            kasir.post(
                f"{C}/members",
                {
                    "nik": nik,
                    "kk": "6471050101100003",
                    "name": name,
                    "address": "Jl. Soekarno-Hatta Km 10",
                    "joined_on": "2026-01-05",
                },
            )
        )
        assert member["status"] == "calon"
        ids[name] = member["id"]
        for kind, amount, day in (("pokok", 1_000_000, "2026-01-05"), ("wajib", wajib, "2026-01-12")):
            created(
                kasir.post(
                    f"{C}/savings/transactions",
                    {"member_id": member["id"], "kind": kind, "direction": "deposit", "amount": amount, "date": day},
                )
            )
        assert kasir.get(f"{C}/members/{member['id']}").json()["status"] == "aktif"  # pokok paid
    grace = ids["Grace Natalia"]
    assert kasir.get(f"{C}/members/{grace}/savings").json() == {
        "pokok": 1_000_000,
        "wajib": 2_000_000,
        "sukarela": 0,
        "total": 3_000_000,
    }

    created(
        bendahara.post(
            f"{C}/products",
            {
                "sku": "BRS10",
                "name": "Beras medium 10 kg",
                "unit": "karung",
                "price": 100_000,
                "effective_from": "2026-01-02",
            },
        )
    )
    purchase = created(
        bendahara.post(
            f"{C}/purchases",
            {
                "supplier": "Perum Bulog",
                "date": "2026-01-10",
                "lines": [{"sku": "BRS10", "qty": 1_010, "unit_cost": 80_000}],
            },
        )
    )
    assert purchase["total"] == 80_800_000

    member_sales = 0
    for name, _, _, sacks in MEMBERS:
        sale = created(
            kasir.post(
                f"{C}/sales",
                {
                    "date": "2026-02-10",
                    "member_id": ids[name],
                    "lines": [{"sku": "BRS10", "qty": sacks}],
                    "payment": "tunai",
                },
            )
        )
        assert sale["is_member_sale"] is True
        member_sales += sale["total"]
    assert member_sales == 100_000_000
    walk_in = created(
        kasir.post(f"{C}/sales", {"date": "2026-02-10", "lines": [{"sku": "BRS10", "qty": 10}], "payment": "tunai"})
    )
    assert (walk_in["is_member_sale"], walk_in["total"]) == (False, 1_000_000)

    response = ketua.post(f"{C}/shu/2026/simulate", ISSUE_BODY)
    assert response.status_code == 200, response.content
    body = response.json()

    # The six pools (domain.md §2.5, derived): they sum to the SHU.
    assert [(p["pool"], p["unit"], p["percent"], p["amount"]) for p in body["pools"]] == [
        ("cadangan", None, "10", 4_000_000),
        ("jasa_modal", None, "25", 10_000_000),
        ("jasa_usaha", "gerai_sembako", "30", 12_000_000),
        ("dana_pengurus", None, "10", 4_000_000),
        ("dana_sosial", None, "10", 4_000_000),
        ("dana_pendidikan", None, "15", 6_000_000),
    ]
    assert sum(p["amount"] for p in body["pools"]) == body["shu_total"] == 40_000_000
    # The bases are the books': all members' pokok + wajib Rp60.000.000, member sales Rp100.000.000.
    assert [p["base_total"] for p in body["pools"][1:3]] == [60_000_000, 100_000_000]

    by_name = {m["name"]: m for m in body["members"]}
    assert by_name["Grace Natalia"] == {
        "member_id": grace,
        "member_no": 1,
        "number": "00001",
        "name": "Grace Natalia",
        "capital_base": 3_000_000,
        "jasa_modal": 500_000,
        "jasa_usaha": 120_000,
        "total": 620_000,
        "usage": [{"unit": "gerai_sembako", "basis": "purchases", "base": 1_000_000, "amount": 120_000}],
    }
    assert [(m["number"], m["jasa_modal"], m["jasa_usaha"], m["total"]) for m in body["members"]] == [
        ("00001", 500_000, 120_000, 620_000),
        ("00002", 4_500_000, 6_000_000, 10_500_000),
        ("00003", 5_000_000, 5_880_000, 10_880_000),
    ]
    assert (body["members_total"], body["remainder"]) == (22_000_000, 0)
    assert ShuDistribution.objects.count() == 0  # a simulation records nothing
