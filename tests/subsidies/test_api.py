"""Subsidised goods over the API: programmes, allocations, recipients, the quota a NIK has left, and the till.

Figures come from ``tests/shop/conftest.py`` (``stocked``: 10 rice SPHP 5 kg, 20 LPG 3 kg, 24
MinyaKita bought on 2 March 2026) and ``tests/subsidies/conftest.py`` (``lpg_program``: LPG at
Rp19.000 from 1 March 2026, 10 tabung per KK per month and one purchase per NIK per day, 300
a month; ``sphp_program``: 2 packs per NIK per day, rumah tangga only; ``households``: a1 and a2
share KK A, b1 is KK B).
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.shop import services as shop
from koperasi.shop.models import Product, Sale, SaleLine, StockMove
from koperasi.subsidies.models import Distribution, ProgramAllocation, ProgramRule, Recipient, SubsidyProgram
from tests.subsidies.conftest import KK_A, KK_B, NIK_A1, NIK_A2, NIK_B1, NIK_UNREGISTERED

pytestmark = pytest.mark.django_db

D = datetime.date
C = "/coops/manggar"
P = f"{C}/subsidies/programs"
R = f"{C}/subsidies/recipients"
ALL_CATEGORIES = ["rumah_tangga", "usaha_mikro", "petani", "nelayan"]
NIB = "9120001234567"
NIK_C1 = "6471046003900004"  # a woman born 20 March 1990, registered in the tests below


def masked(number: str) -> str:
    return number[:4] + "•" * 8 + number[-4:]


def error(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    return response.status_code, body["code"]


def state() -> tuple[Any, ...]:
    """What a refused call must leave unchanged: every subsidy row, the sales, stock and the audit trail."""
    return (
        list(SubsidyProgram.objects.order_by("pk").values_list("pk", "valid_to", "monthly_allocation")),
        ProgramRule.objects.count(),
        list(ProgramAllocation.objects.order_by("pk").values_list("pk", "qty", "reference")),
        list(
            Recipient.objects.order_by("pk").values_list(
                "pk", "kk", "name", "category", "nib", "is_active", "deactivation_reason"
            )
        ),
        Distribution.objects.count(),
        Sale.objects.count(),
        SaleLine.objects.count(),
        StockMove.objects.count(),
        list(Product.objects.order_by("pk").values_list("pk", "stock_qty")),
        AuditEvent.objects.count(),
    )


def unmask_audits() -> list[dict[str, Any]]:
    return list(
        AuditEvent.objects.filter(action="subsidies.nik.unmasked").order_by("pk").values_list("data", flat=True)
    )


def sell(coop: Any, actor: Any, product: Any, qty: int, day: D, **extra: Any) -> Any:
    return shop.sale_create(cooperative=coop, date=day, lines=[shop.SaleLineInput(product, qty)], actor=actor, **extra)


def issue_body(**overrides: Any) -> dict[str, Any]:
    """The issue's programme body: LPG 3 kg, 10 tabung per KK per month."""
    body: dict[str, Any] = {
        "name": "LPG 3 kg bersubsidi",
        "sku": "LPG3",
        "price": 19_000,
        "valid_from": "2026-03-01",
        "valid_to": "2030-12-31",
        "rules": [{"per": "kk", "period": "month", "max_qty": 10}],
    }
    body.update(overrides)
    return body


def recipient_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "nik": NIK_C1,
        "kk": KK_B,
        "name": "Ani Lestari",
        "category": "rumah_tangga",
        "address": "Jl. Mulawarman RT 12",
        "phone": "0812-5555-0101",
        "kelurahan_code": "64.71.01.1001",
        "registered_on": "2026-03-01",
    }
    body.update(overrides)
    return body


@pytest.fixture
def manajer_api(manajer: Any, api_as: Any) -> Any:
    return api_as(manajer)


@pytest.fixture
def kasir_api(kasir: Any, api_as: Any) -> Any:
    return api_as(kasir)


@pytest.fixture
def lamaru_ketua(other_coop: Any, grant: Any) -> Any:
    return grant(other_coop, Role.KETUA, "ketua-lamaru-subsidi")


# --- Programmes ----------------------------------------------------------------------------------------


def test_create_programme_with_the_issues_body(coop: Any, stocked: Any, lpg: Any, manajer_api: Any) -> None:
    r = manajer_api.post(P, issue_body())
    assert r.status_code == 201, r.json()
    program = SubsidyProgram.objects.get()
    # What the body omits comes from the LPG defaults (domain.md §11): partner, categories, allocation.
    assert r.json() == {
        "id": program.pk,
        "name": "LPG 3 kg bersubsidi",
        "sku": "LPG3",
        "product_id": lpg.pk,
        "product_name": "LPG 3 kg",
        "unit": "tabung",
        "partner": "PT Pertamina Patra Niaga",
        "price": 19_000,
        "valid_from": "2026-03-01",
        "valid_to": "2030-12-31",
        "monthly_allocation": 300,
        "categories": ALL_CATEGORIES,
        "registration_required": True,
        "note": "",
        "in_force": True,
        "rules": [
            {
                "per": "kk",
                "period": "month",
                "max_qty": 10,
                "max_purchases": None,
                "description": "10 tabung per KK per bulan",
            },
        ],
    }
    assert list(program.rules.values_list("per", "period", "max_qty", "max_purchases")) == [("kk", "month", 10, None)]
    assert AuditEvent.objects.filter(action="subsidies.program.create", object_id=str(program.pk)).count() == 1


def test_omitted_rules_take_the_commodity_defaults_and_empty_rules_mean_none(
    coop: Any, stocked: Any, make_item: Any, manajer_api: Any
) -> None:
    body = issue_body(valid_to=None, partner="Agen LPG Manggar", monthly_allocation=250, categories=["rumah_tangga"])
    del body["rules"]
    r = manajer_api.post(P, body)
    assert r.status_code == 201, r.json()
    got = r.json()
    assert (got["partner"], got["monthly_allocation"], got["categories"], got["valid_to"]) == (
        "Agen LPG Manggar",
        250,
        ["rumah_tangga"],
        None,
    )
    assert got["rules"] == [
        {
            "per": "kk",
            "period": "month",
            "max_qty": 10,
            "max_purchases": None,
            "description": "10 tabung per KK per bulan",
        },
        {
            "per": "nik",
            "period": "day",
            "max_qty": None,
            "max_purchases": 1,
            "description": "1 kali pembelian per NIK per hari",
        },
    ]
    # MinyaKita: no consumer limit (§7.3); "rules": [] says so explicitly.
    r = manajer_api.post(
        P, {"name": "MinyaKita", "sku": "mk1", "price": 15_700, "valid_from": "2026-03-01", "rules": []}
    )
    assert r.status_code == 201, r.json()
    got = r.json()
    assert (got["sku"], got["partner"], got["categories"], got["monthly_allocation"], got["rules"]) == (
        "MK1",
        "Distributor DMO",
        ["rumah_tangga", "usaha_mikro"],
        0,
        [],
    )
    # A product without a commodity: the partner must be named; categories default to rumah tangga.
    make_item(coop, sku="GULA1", name="Gula 1 kg", price=18_000)
    before = state()
    body = {"name": "Gula murah", "sku": "GULA1", "price": 15_000, "valid_from": "2026-03-01"}
    r = manajer_api.post(P, body)
    assert error(r) == (422, "invalid")
    assert r.json()["message"] == (
        "Mitra wajib diisi (mis. PT Pertamina Patra Niaga, Perum Bulog): Gula 1 kg tidak punya mitra bawaan."
    )
    assert list(r.json()["detail"]) == ["partner"]
    assert state() == before
    r = manajer_api.post(
        P, {**body, "partner": "Dinas Perdagangan", "rules": [{"per": "nik", "period": "week", "max_qty": 2}]}
    )
    assert r.status_code == 201, r.json()
    got = r.json()
    assert (got["categories"], got["monthly_allocation"], got["rules"][0]["description"]) == (
        ["rumah_tangga"],
        0,
        "2 pcs per NIK per minggu",
    )


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"price": 20_000}, 409, "price_above_het", "price"),
        ({"sku": "GAIB-01"}, 422, "product_unknown", "sku"),
        ({"sku": ""}, 422, "product_unknown", "sku"),
        ({"price": True}, 422, "invalid", "price"),
        ({"price": 19_000.0}, 422, "invalid", "price"),
        ({"price": "19000"}, 422, "invalid", "price"),
        ({"price": 0}, 422, "amount_invalid", "price"),
        ({"name": "LPG\x00"}, 422, "invalid", "name"),
        ({"name": "  "}, 422, "invalid", "name"),
        ({"valid_from": "01/03/2026"}, 422, "invalid", "valid_from"),
        ({"valid_from": "2026-02-30"}, 422, "invalid", "valid_from"),
        ({"valid_to": "2026-02-01"}, 422, "invalid", "valid_to"),
        ({"rules": [{"per": "kk", "period": "month", "max_qty": True}]}, 422, "invalid", "rules.0.max_qty"),
        ({"rules": [{"per": "kk", "period": "month", "max_qty": 2.5}]}, 422, "invalid", "rules.0.max_qty"),
        ({"rules": [{"per": "rt", "period": "month", "max_qty": 10}]}, 422, "invalid", "rules.1.per"),
        ({"rules": [{"per": "kk", "period": "year", "max_qty": 10}]}, 422, "invalid", "rules.1.period"),
        ({"rules": [{"per": "kk", "period": "month"}]}, 422, "invalid", "rules.1.max_qty"),
        ({"rules": [{"per": "kk", "period": "month", "max_qty": 0}]}, 422, "invalid", "rules.1.max_qty"),
        (
            {"rules": [{"per": "nik", "period": "purchase", "max_purchases": 1}]},
            422,
            "invalid",
            "rules.1.max_purchases",
        ),
        ({"rules": [{"per": "kk", "period": "month", "max_qty": 10}] * 2}, 422, "invalid", "rules.2"),
        ({"registration_required": False}, 422, "invalid", "rules.1.per"),  # a KK rule needs registration
        ({"registration_required": "ya"}, 422, "invalid", "registration_required"),
        ({"registration_required": 1}, 422, "invalid", "registration_required"),
        ({"categories": []}, 422, "invalid", "categories"),
        ({"categories": ["pejabat"]}, 422, "invalid", "categories"),
        ({"monthly_allocation": -1}, 422, "invalid", "monthly_allocation"),
        ({"partner": ""}, 422, "invalid", "partner"),
    ],
)
def test_create_programme_refusals_write_nothing(
    coop: Any, stocked: Any, manajer_api: Any, change: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = state()
    r = manajer_api.post(P, issue_body(**change))
    assert error(r) == (status, code)
    assert field in r.json()["detail"], r.json()
    assert state() == before


def test_a_second_programme_for_the_same_product_overlaps(
    coop: Any, stocked: Any, lpg_program: Any, manajer_api: Any
) -> None:
    before = state()
    r = manajer_api.post(P, issue_body(valid_from="2026-06-01"))
    assert error(r) == (409, "program_overlap")
    assert r.json()["message"] == (
        "LPG 3 kg sudah punya program LPG 3 kg bersubsidi (mulai 01/03/2026 tanpa batas akhir); "
        "akhiri dahulu program itu."
    )
    assert state() == before


def test_programme_list_detail_and_filter(
    coop: Any,
    stocked: Any,
    lpg_program: Any,
    sphp_program: Any,
    oil: Any,
    manajer: Any,
    kasir_api: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from koperasi.subsidies.services import ProgramInput, program_create

    today = timezone.localdate()
    later = program_create(
        cooperative=coop,
        data=ProgramInput(
            name="MinyaKita",
            product=oil,
            partner="Distributor DMO",
            price=15_700,
            valid_from=today + datetime.timedelta(days=30),
        ),
        actor=manajer,
    )
    # Token and roles, the page, its rules, the count: a fixed number whatever the number of programmes.
    with django_assert_max_num_queries(8):
        r = kasir_api.get(P)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 3
    assert [(p["id"], p["in_force"]) for p in body["items"]] == [
        (later.pk, False),
        (sphp_program.pk, True),
        (lpg_program.pk, True),
    ]
    assert body["items"][1]["rules"] == [
        {
            "per": "nik",
            "period": "day",
            "max_qty": 2,
            "max_purchases": None,
            "description": "2 karung per NIK per hari",
        },
    ]
    assert [p["id"] for p in kasir_api.get(P, in_force="true").json()["items"]] == [sphp_program.pk, lpg_program.pk]
    assert [p["id"] for p in kasir_api.get(P, in_force="false").json()["items"]] == [later.pk]
    page = kasir_api.get(P, limit=1, offset=1).json()
    assert (page["count"], [p["id"] for p in page["items"]]) == (3, [sphp_program.pk])
    assert error(kasir_api.get(P, limit=0)) == (422, "invalid")
    assert error(kasir_api.get(P, offset=-1)) == (422, "invalid")
    assert error(kasir_api.get(P, in_force="kadang")) == (422, "invalid")
    detail = kasir_api.get(f"{P}/{lpg_program.pk}").json()
    assert detail == body["items"][2]
    assert [rule["description"] for rule in detail["rules"]] == [
        "10 tabung per KK per bulan",
        "1 kali pembelian per NIK per hari",
    ]
    for bad in (0, -1, 2**63, 2**64, 10**30):
        assert error(kasir_api.get(f"{P}/{bad}")) == (404, "program_not_found"), bad
    assert error(kasir_api.get(f"{P}/abc")) == (422, "invalid")


def test_end_a_programme(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, manajer_api: Any, kasir_api: Any
) -> None:
    sell(coop, kasir, lpg, 1, D(2026, 3, 10), buyer_nik=NIK_A1)
    before = state()
    r = manajer_api.post(f"{P}/{lpg_program.pk}/end", {"valid_to": "2026-03-09", "reason": "Harga baru"})
    assert error(r) == (422, "invalid")
    assert r.json()["message"] == "Sudah ada penyaluran pada 10/03/2026; tanggal berakhir paling awal hari itu."
    assert error(manajer_api.post(f"{P}/{lpg_program.pk}/end", {"valid_to": "2026-03-31", "reason": ""})) == (
        422,
        "invalid",
    )
    assert error(manajer_api.post(f"{P}/{lpg_program.pk}/end", {"valid_to": "2026-03-31"})) == (422, "invalid")
    assert error(kasir_api.post(f"{P}/{lpg_program.pk}/end", {"valid_to": "2026-03-31", "reason": "x"})) == (
        403,
        "forbidden",
    )
    assert state() == before
    r = manajer_api.post(f"{P}/{lpg_program.pk}/end", {"valid_to": "2026-03-31", "reason": "Harga baru dari Pemda"})
    assert r.status_code == 200, r.json()
    assert (r.json()["valid_to"], r.json()["in_force"]) == ("2026-03-31", False)
    assert AuditEvent.objects.filter(action="subsidies.program.end").count() == 1
    r = manajer_api.post(f"{P}/{lpg_program.pk}/end", {"valid_to": "2026-04-30", "reason": "lagi"})
    assert error(r) == (409, "program_ended")
    assert r.json()["message"] == "Program ini sudah berakhir pada 31/03/2026."
    # The product may now have a new programme from 1 April.
    r = manajer_api.post(P, issue_body(valid_from="2026-04-01", price=18_500))
    assert r.status_code == 201, r.json()


def test_monthly_allocations(coop: Any, stocked: Any, lpg_program: Any, manajer_api: Any, kasir_api: Any) -> None:
    url = f"{P}/{lpg_program.pk}/allocations"
    r = manajer_api.post(url, {"month": "2026-04", "qty": 280, "reference": "DO-2026-04"})
    assert r.status_code == 201, r.json()
    first = ProgramAllocation.objects.get()
    got = r.json()
    assert got.pop("recorded_at")
    assert got == {
        "id": first.pk,
        "program_id": lpg_program.pk,
        "month": "2026-04-01",
        "qty": 280,
        "reference": "DO-2026-04",
        "recorded_by": "manajer-manggar",
    }
    # A day of the month names the month; a second figure replaces the first.
    r = manajer_api.post(url, {"month": "2026-04-15", "qty": 250, "reference": "DO-2026-04b"})
    assert (r.status_code, r.json()["id"], r.json()["qty"]) == (201, first.pk, 250)
    manajer_api.post(url, {"month": "2026-03-01", "qty": 300})
    listed = kasir_api.get(url).json()
    assert (listed["count"], listed["monthly_allocation"]) == (2, 300)
    assert [(a["month"], a["qty"], a["reference"]) for a in listed["items"]] == [
        ("2026-03-01", 300, ""),
        ("2026-04-01", 250, "DO-2026-04b"),
    ]
    before = state()
    for bad in (
        {"month": "2026-02", "qty": 10},  # before the programme
        {"month": "2026-13", "qty": 10},
        {"month": "04/2026", "qty": 10},
        {"month": "2026-05", "qty": 0},
        {"month": "2026-05", "qty": True},
        {"month": "2026-05", "qty": 10.0},
        {"month": "2026-05", "qty": 10, "reference": "DO\x00"},
        {"qty": 10},
    ):
        assert error(manajer_api.post(url, bad)) == (422, "invalid"), bad
    assert error(kasir_api.post(url, {"month": "2026-05", "qty": 10})) == (403, "forbidden")
    assert error(manajer_api.post(f"{P}/{2**63}/allocations", {"month": "2026-05", "qty": 10})) == (
        404,
        "program_not_found",
    )
    assert state() == before


# --- Usage ------------------------------------------------------------------------------------------------


def test_usage_rule_by_rule(
    coop: Any,
    stocked: Any,
    lpg: Any,
    lpg_program: Any,
    households: Any,
    kasir: Any,
    kasir_api: Any,
    django_assert_max_num_queries: Any,
) -> None:
    sell(coop, kasir, lpg, 3, D(2026, 3, 9), buyer_nik=NIK_A2)
    sell(coop, kasir, lpg, 2, D(2026, 3, 10), buyer_nik=NIK_A1)
    url = f"{P}/{lpg_program.pk}/usage"
    with django_assert_max_num_queries(9):
        r = kasir_api.get(url, nik=NIK_A1, date="2026-03-10")
    assert r.status_code == 200, r.json()
    a1 = households["a1"]
    assert r.json() == {
        "program_id": lpg_program.pk,
        "nik": masked(NIK_A1),
        "date": "2026-03-10",
        "registered": True,
        "recipient": {
            "id": a1.pk,
            "name": "Budi Santoso",
            "category": "rumah_tangga",
            "kk": masked(KK_A),
            "is_active": True,
        },
        "eligible": True,
        "refusal": None,
        "remaining": 0,  # one purchase a day, made
        "rules": [
            {
                "per": "kk",
                "period": "month",
                "max_qty": 10,
                "max_purchases": None,
                "window_start": "2026-03-01",
                "window_end": "2026-03-31",
                "used_qty": 5,
                "used_purchases": 2,
                "remaining_qty": 5,
                "remaining_purchases": None,
                "remaining": 5,
                "description": "10 tabung per KK per bulan",
            },
            {
                "per": "nik",
                "period": "day",
                "max_qty": None,
                "max_purchases": 1,
                "window_start": "2026-03-10",
                "window_end": "2026-03-10",
                "used_qty": 2,
                "used_purchases": 1,
                "remaining_qty": None,
                "remaining_purchases": 0,
                "remaining": 0,
                "description": "1 kali pembelian per NIK per hari",
            },
        ],
    }
    # The other adult of the household may still buy today: what the KK has left.
    a2 = kasir_api.get(url, nik=NIK_A2, date="2026-03-10").json()
    assert (a2["remaining"], [x["remaining"] for x in a2["rules"]]) == (5, [5, None])
    # Written with spaces and dots, as on a KTP.
    spaced = kasir_api.get(url, nik="6471.0412.0380.0001", date="2026-03-10").json()
    assert spaced["recipient"]["id"] == a1.pk
    # Household B has its whole month.
    b1 = kasir_api.get(url, nik=NIK_B1, date="2026-03-10").json()
    assert (b1["remaining"], b1["rules"][0]["used_qty"]) == (10, 0)


def test_usage_refusals_and_inputs(
    coop: Any,
    stocked: Any,
    lpg_program: Any,
    sphp_program: Any,
    oil: Any,
    households: Any,
    register: Any,
    manajer: Any,
    kasir_api: Any,
    manajer_api: Any,
) -> None:
    from koperasi.subsidies.services import ProgramInput, program_create, recipient_deactivate

    url = f"{P}/{lpg_program.pk}/usage"
    r = kasir_api.get(url, nik=NIK_UNREGISTERED, date="2026-03-10").json()
    assert (r["registered"], r["recipient"], r["eligible"], r["remaining"]) == (False, None, False, 0)
    assert r["refusal"] == {
        "code": "recipient_not_registered",
        "message": f"NIK {masked(NIK_UNREGISTERED)} belum terdaftar sebagai penerima LPG 3 kg bersubsidi; "
        "daftarkan dahulu dengan KTP dan KK.",
    }
    # Before the programme started.
    early = kasir_api.get(url, nik=NIK_A1, date="2026-02-28").json()
    assert (early["eligible"], early["refusal"]["code"], early["remaining"]) == (False, "program_not_started", 0)
    # SPHP is for rumah tangga only.
    register(nik=NIK_C1, kk=KK_B, name="Warung Ani", category="usaha_mikro", nib=NIB)
    um = kasir_api.get(f"{P}/{sphp_program.pk}/usage", nik=NIK_C1, date="2026-03-10").json()
    assert um["refusal"] == {
        "code": "category_not_eligible",
        "message": "Kategori usaha mikro tidak termasuk penerima Beras SPHP (yang boleh: rumah tangga).",
    }
    # Deactivated.
    recipient_deactivate(
        cooperative=coop, recipient=households["b1"], reason="Pindah ke Samarinda", date=D(2026, 3, 5), actor=manajer
    )
    gone = kasir_api.get(url, nik=NIK_B1, date="2026-03-10").json()
    assert (gone["registered"], gone["recipient"]["is_active"], gone["refusal"]["code"], gone["remaining"]) == (
        True,
        False,
        "recipient_inactive",
        0,
    )
    assert gone["refusal"]["message"] == (
        f"Penerima Joko Widodo ({masked(NIK_B1)}) dinonaktifkan sejak 05/03/2026: Pindah ke Samarinda"
    )
    # No rule limits units: remaining is null (MinyaKita, open to unregistered buyers).
    mk = program_create(
        cooperative=coop,
        data=ProgramInput(
            name="MinyaKita",
            product=oil,
            partner="Distributor DMO",
            price=15_700,
            valid_from=D(2026, 3, 1),
            registration_required=False,
        ),
        actor=manajer,
    )
    open_to_all = kasir_api.get(f"{P}/{mk.pk}/usage", nik=NIK_UNREGISTERED, date="2026-03-10").json()
    assert (open_to_all["eligible"], open_to_all["refusal"], open_to_all["remaining"], open_to_all["rules"]) == (
        True,
        None,
        None,
        [],
    )
    # Without a date: today.
    assert kasir_api.get(url, nik=NIK_A1).json()["date"] == timezone.localdate().isoformat()
    before = state()
    for bad in ("", "123", "6471041203800001x", "0071041203800001", "6471\x00041203800001"):
        r = kasir_api.get(url, nik=bad)
        assert r.status_code == 422, (bad, r.json())
    assert kasir_api.get(url, nik="123").json()["detail"] == {"nik": ["NIK harus 16 angka (tertulis 3 karakter)."]}
    assert error(kasir_api.get(url)) == (422, "invalid")
    assert error(kasir_api.get(url, nik="123")) == (422, "nik_invalid")
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert error(kasir_api.get(url, nik=NIK_A1, date=tomorrow)) == (422, "date_future")
    assert error(kasir_api.get(url, nik=NIK_A1, date="10/03/2026")) == (422, "invalid")
    assert error(kasir_api.get(url, nik=NIK_A1, unmask="barangkali")) == (422, "invalid")
    assert error(kasir_api.get(f"{P}/{2**63}/usage", nik=NIK_A1)) == (404, "program_not_found")
    assert state() == before


def test_usage_unmasked_only_on_request_by_the_roles_that_may_and_audited(
    coop: Any,
    stocked: Any,
    lpg_program: Any,
    households: Any,
    api_as: Any,
    kasir_api: Any,
    manajer_api: Any,
    ketua: Any,
    bendahara: Any,
    grant: Any,
) -> None:
    url = f"{P}/{lpg_program.pk}/usage"
    plain = manajer_api.get(url, nik=NIK_A1, date="2026-03-10").json()
    assert (plain["nik"], plain["recipient"]["kk"]) == (masked(NIK_A1), masked(KK_A))
    assert unmask_audits() == []
    before = state()
    for user in (
        api_as(grant(coop, Role.KASIR, "kasir-2")),
        api_as(grant(coop, Role.SEKRETARIS)),
        api_as(grant(coop, Role.PENGAWAS)),
    ):
        r = user.get(url, nik=NIK_A1, date="2026-03-10", unmask="1")
        assert error(r) == (403, "nik_view_forbidden")
        assert r.json()["message"] == (
            "NIK dan No. KK lengkap hanya untuk ketua, bendahara dan manajer; minta tanpa unmask=1."
        )
    assert state() == before
    for user in (manajer_api, api_as(ketua), api_as(bendahara)):
        full = user.get(url, nik=NIK_A1, date="2026-03-10", unmask="1").json()
        assert (full["nik"], full["recipient"]["kk"]) == (NIK_A1, KK_A)
    rows = AuditEvent.objects.filter(action="subsidies.nik.unmasked").order_by("pk")
    assert [(e.actor.username, e.object_id) for e in rows] == [
        ("manajer-manggar", str(households["a1"].pk)),
        ("ketua-manggar", str(households["a1"].pk)),
        ("bendahara-manggar", str(households["a1"].pk)),
    ]
    assert rows[0].data == {"what": "usage", "program": lpg_program.pk, "nik": masked(NIK_A1), "count": 1}
    assert manajer_api.get(url, nik=NIK_A1, unmask="0").json()["nik"] == masked(NIK_A1)
    assert len(unmask_audits()) == 3


# --- Recipients -------------------------------------------------------------------------------------------


def test_register_a_recipient(coop: Any, kasir_api: Any, manajer_api: Any, active_member: Any) -> None:
    r = kasir_api.post(R, recipient_body())
    assert r.status_code == 201, r.json()
    ani = Recipient.objects.get(nik=NIK_C1)
    assert r.json() == {
        "id": ani.pk,
        "nik": masked(NIK_C1),
        "kk": masked(KK_B),
        "name": "Ani Lestari",
        "category": "rumah_tangga",
        "nib": "",
        "business_name": "",
        "address": "Jl. Mulawarman RT 12",
        "phone": "+6281255550101",
        "kelurahan_code": "64.71.01.1001",
        "member_id": None,
        "is_active": True,
        "registered_on": "2026-03-01",
        "deactivated_on": None,
        "deactivation_reason": "",
    }
    assert (ani.nik, ani.kk, ani.created_by.username) == (NIK_C1, KK_B, "kasir-manggar")
    event = AuditEvent.objects.get(action="subsidies.recipient.register")
    assert event.data == {"nik": masked(NIK_C1), "category": "rumah_tangga"}
    # A manajer may see full numbers: the ones just typed come back whole (no unmask audit: nothing new shown).
    # Budi is a member: his registration is linked to the member; usaha mikro with its NIB.
    r = manajer_api.post(
        R,
        recipient_body(
            nik=active_member.nik,
            kk=active_member.kk,
            name="Budi Santoso",
            category="usaha_mikro",
            nib="9120 0012 34567",
            business_name="Warung Budi",
            registered_on=None,
            phone="",
        ),
    )
    assert r.status_code == 201, r.json()
    got = r.json()
    assert (got["nik"], got["kk"], got["member_id"], got["category"], got["nib"], got["business_name"]) == (
        active_member.nik,
        active_member.kk,
        active_member.pk,
        "usaha_mikro",
        NIB,
        "Warung Budi",
    )
    assert got["registered_on"] == timezone.localdate().isoformat()
    assert unmask_audits() == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"nik": "123"}, "nik"),
        ({"nik": "0071046003900004"}, "nik"),
        ({"nik": 6471046003900004}, "nik"),
        ({"kk": "6471"}, "kk"),
        ({"name": ""}, "name"),
        ({"name": "12345"}, "name"),
        ({"name": "Ani\x00"}, "name"),
        ({"category": "pejabat"}, "category"),
        ({"category": "usaha_mikro"}, "nib"),
        ({"nib": "123"}, "nib"),
        ({"phone": "12"}, "phone"),
        ({"kelurahan_code": "99.99.99.9999"}, "kelurahan_code"),
        ({"registered_on": "2999-01-01"}, "registered_on"),
        ({"registered_on": "01/03/2026"}, "registered_on"),
        ({"registered_on": 20260301}, "registered_on"),
    ],
)
def test_register_refusals_name_the_field_and_write_nothing(
    coop: Any, kasir_api: Any, change: dict[str, Any], field: str
) -> None:
    before = state()
    r = kasir_api.post(R, recipient_body(**change))
    assert error(r) == (422, "invalid")
    assert field in r.json()["detail"], r.json()
    assert state() == before


def test_register_twice_is_a_conflict_per_cooperative(
    coop: Any, other_coop: Any, households: Any, kasir_api: Any, lamaru_ketua: Any, api_as: Any, manajer: Any
) -> None:
    from koperasi.subsidies.services import recipient_deactivate

    before = state()
    r = kasir_api.post(R, recipient_body(nik=NIK_A1))
    assert error(r) == (409, "recipient_exists")
    assert r.json()["message"] == f"NIK {masked(NIK_A1)} sudah terdaftar atas nama Budi Santoso."
    assert r.json()["detail"] == {"nik": ["NIK ini sudah terdaftar."], "recipient_id": [str(households["a1"].pk)]}
    recipient_deactivate(cooperative=coop, recipient=households["b1"], reason="Pindah", actor=manajer)
    r = kasir_api.post(R, recipient_body(nik=NIK_B1))
    assert r.json()["message"] == (
        f"NIK {masked(NIK_B1)} sudah terdaftar atas nama Joko Widodo tetapi nonaktif; aktifkan kembali bila berhak."
    )
    assert len(state()[3]) == len(before[3])
    # Lamaru keeps its own register.
    r = api_as(lamaru_ketua).post("/coops/lamaru/subsidies/recipients", recipient_body(nik=NIK_A1))
    assert r.status_code == 201
    assert Recipient.objects.filter(nik=NIK_A1).count() == 2


def test_recipient_list_filters_and_masks(
    coop: Any, households: Any, register: Any, kasir_api: Any, manajer: Any, django_assert_max_num_queries: Any
) -> None:
    from koperasi.subsidies.services import recipient_deactivate

    register(nik=NIK_C1, kk=KK_B, name="Ani Lestari", category="usaha_mikro", nib=NIB)
    recipient_deactivate(cooperative=coop, recipient=households["a2"], reason="Meninggal dunia", actor=manajer)
    # Token 2, cooperative and roles 3, the page 1, the count 1: none per row.
    with django_assert_max_num_queries(7):
        r = kasir_api.get(R)
    body = r.json()
    assert body["count"] == 4
    assert [x["name"] for x in body["items"]] == ["Ani Lestari", "Budi Santoso", "Joko Widodo", "Siti Aminah"]
    assert {x["nik"] for x in body["items"]} == {masked(n) for n in (NIK_C1, NIK_A1, NIK_B1, NIK_A2)}
    assert {x["kk"] for x in body["items"]} == {masked(KK_A), masked(KK_B)}

    def names(**query: Any) -> list[str]:
        r = kasir_api.get(R, **query)
        assert r.status_code == 200, r.json()
        return [x["name"] for x in r.json()["items"]]

    assert names(q="AN") == ["Ani Lestari", "Budi Santoso"]
    assert names(q=NIK_B1) == ["Joko Widodo"]
    assert names(q=NIK_UNREGISTERED) == []
    assert names(kk=KK_A) == ["Budi Santoso", "Siti Aminah"]
    assert names(category="usaha_mikro") == ["Ani Lestari"]
    assert names(active="false") == ["Siti Aminah"]
    assert names(active="true", kk=KK_A) == ["Budi Santoso"]
    assert names(limit=2, offset=1) == ["Budi Santoso", "Joko Widodo"]
    assert error(kasir_api.get(R, kk="6471")) == (422, "invalid")
    assert error(kasir_api.get(R, category="pejabat")) == (422, "invalid")
    assert error(kasir_api.get(R, q="Budi\x00")) == (422, "invalid")
    assert error(kasir_api.get(R, limit=501)) == (422, "invalid")
    assert error(kasir_api.get(R, offset=10**13)) == (422, "invalid")
    # Many more rows cost no more queries.
    for i in range(6):
        register(nik=f"647104120380{i + 10:04d}", name=f"Warga {i}")
    with django_assert_max_num_queries(7):
        assert kasir_api.get(R).json()["count"] == 10


def test_recipient_list_unmasked_for_ketua_with_one_audit_row(
    coop: Any, households: Any, ketua: Any, api_as: Any, kasir_api: Any, django_assert_max_num_queries: Any
) -> None:
    before = state()
    r = kasir_api.get(R, unmask="1")
    assert error(r) == (403, "nik_view_forbidden")
    assert state() == before
    client = api_as(ketua)
    assert {x["nik"] for x in client.get(R).json()["items"]} == {masked(n) for n in (NIK_A1, NIK_A2, NIK_B1)}
    assert unmask_audits() == []
    with django_assert_max_num_queries(9):
        r = client.get(R, unmask="1", kk=KK_A)
    assert [(x["nik"], x["kk"]) for x in r.json()["items"]] == [(NIK_A1, KK_A), (NIK_A2, KK_A)]
    event = AuditEvent.objects.get(action="subsidies.nik.unmasked")
    assert (event.actor, event.cooperative_id, event.data) == (
        ketua,
        coop.pk,
        {"what": "recipients", "count": 2, "offset": 0},
    )


def test_recipient_detail_update_deactivate_reactivate(
    coop: Any,
    stocked: Any,
    lpg: Any,
    lpg_program: Any,
    households: Any,
    kasir: Any,
    kasir_api: Any,
    manajer_api: Any,
) -> None:
    a1 = households["a1"]
    first = sell(coop, kasir, lpg, 2, D(2026, 3, 9), buyer_nik=NIK_A1, partner_reference="MAP-0309-01")
    sale = sell(coop, kasir, lpg, 1, D(2026, 3, 10), buyer_nik=NIK_A1)
    url = f"{R}/{a1.pk}"
    r = kasir_api.get(url)
    assert r.status_code == 200, r.json()
    got = r.json()
    rows = got.pop("distributions")
    assert got["nik"] == masked(NIK_A1)
    assert rows == [
        {
            "id": Distribution.objects.get(sale=sale).pk,
            "date": "2026-03-10",
            "program_id": lpg_program.pk,
            "program_name": "LPG 3 kg bersubsidi",
            "sku": "LPG3",
            "qty": 1,
            "qty_returned": 0,
            "unit_price": 19_000,
            "total": 19_000,
            "partner_reference": "",
            "sale_id": sale.pk,
            "sale_no": sale.sale_no,
        },
        {
            "id": Distribution.objects.get(sale=first).pk,
            "date": "2026-03-09",
            "program_id": lpg_program.pk,
            "program_name": "LPG 3 kg bersubsidi",
            "sku": "LPG3",
            "qty": 2,
            "qty_returned": 0,
            "unit_price": 19_000,
            "total": 38_000,
            "partner_reference": "MAP-0309-01",
            "sale_id": first.pk,
            "sale_no": first.sale_no,
        },
    ]
    full = manajer_api.get(url, unmask="1").json()
    assert (full["nik"], full["kk"]) == (NIK_A1, KK_A)
    assert unmask_audits() == [{"what": "recipient", "count": 1}]
    assert error(kasir_api.get(url, unmask="1")) == (403, "nik_view_forbidden")

    # PATCH: only what is sent changes; the NIK never does.
    r = kasir_api.patch(url, {"name": "Budi Santoso Putra", "category": "usaha_mikro", "nib": NIB, "phone": None})
    assert r.status_code == 200, r.json()
    assert (r.json()["name"], r.json()["category"], r.json()["nib"], r.json()["kk"], r.json()["nik"]) == (
        "Budi Santoso Putra",
        "usaha_mikro",
        NIB,
        masked(KK_A),
        masked(NIK_A1),
    )
    r = kasir_api.patch(url, {"kk": KK_B})
    assert r.json()["kk"] == masked(KK_B)
    a1.refresh_from_db()
    assert (a1.kk, a1.name, a1.category) == (KK_B, "Budi Santoso Putra", "usaha_mikro")
    assert AuditEvent.objects.filter(action="subsidies.recipient.update").count() == 2
    before = state()
    for bad, field in (
        ({"nik": NIK_A2}, "nik"),
        ({"kk": "123"}, "kk"),
        ({"category": "rumah_tangga", "nib": "12"}, "nib"),
        ({"name": "X\x00"}, "name"),
        ({"category": 1}, "category"),
    ):
        r = kasir_api.patch(url, bad)
        assert error(r) == (422, "invalid"), bad
        assert field in r.json()["detail"], r.json()
    assert state() == before

    # Deactivate, then the till and the usage refuse; reactivate.
    for bad in ({"reason": ""}, {"reason": "x", "date": "2999-01-01"}, {"reason": "x", "date": "kemarin"}, {}):
        assert kasir_api.post(f"{url}/deactivate", bad).status_code == 422, bad
    assert state() == before
    r = kasir_api.post(f"{url}/deactivate", {"reason": "Pindah ke Samarinda", "date": "2026-03-20"})
    assert r.status_code == 200, r.json()
    assert (r.json()["is_active"], r.json()["deactivated_on"], r.json()["deactivation_reason"]) == (
        False,
        "2026-03-20",
        "Pindah ke Samarinda",
    )
    assert error(kasir_api.post(f"{url}/deactivate", {"reason": "lagi"})) == (409, "recipient_inactive")
    assert error(kasir_api.post(f"{url}/reactivate", {"note": ""})) == (422, "invalid")
    r = kasir_api.post(f"{url}/reactivate", {"note": "Kembali tinggal di Manggar"})
    assert (r.status_code, r.json()["is_active"], r.json()["deactivated_on"], r.json()["deactivation_reason"]) == (
        200,
        True,
        None,
        "",
    )
    assert error(kasir_api.post(f"{url}/reactivate", {"note": "lagi"})) == (409, "recipient_active")
    for bad in (0, 2**63, 10**20):
        assert error(kasir_api.get(f"{R}/{bad}")) == (404, "recipient_not_found")
        assert error(kasir_api.patch(f"{R}/{bad}", {"name": "X"})) == (404, "recipient_not_found")
        assert error(kasir_api.post(f"{R}/{bad}/deactivate", {"reason": "x"})) == (404, "recipient_not_found")
        assert error(kasir_api.post(f"{R}/{bad}/reactivate", {"note": "x"})) == (404, "recipient_not_found")


# --- The till: POST /sales with buyer_nik --------------------------------------------------------------------


def sale(nik: str | None, qty: int = 1, sku: str = "LPG3", day: str = "2026-03-10", **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"date": day, "lines": [{"sku": sku, "qty": qty}], "payment": "tunai", **extra}
    if nik is not None:
        body["buyer_nik"] = nik
    return body


def test_sales_refused_by_the_rules_answer_409_and_write_nothing(
    coop: Any,
    stocked: Any,
    lpg: Any,
    lpg_program: Any,
    sphp_program: Any,
    households: Any,
    register: Any,
    kasir: Any,
    manajer: Any,
    kasir_api: Any,
) -> None:
    from koperasi.subsidies.services import program_end, recipient_deactivate

    sell(coop, kasir, lpg, 1, D(2026, 3, 10), buyer_nik=NIK_A1)
    register(nik=NIK_C1, kk=KK_B, name="Warung Ani", category="usaha_mikro", nib=NIB)
    recipient_deactivate(cooperative=coop, recipient=households["b1"], reason="Pindah", actor=manajer)
    before = state()
    cases = [
        (
            sale(None),
            "nik_required",
            "LPG 3 kg barang bersubsidi: hanya dijual dengan NIK pembeli; ketik NIK atau pindai kartu anggota.",
        ),
        (
            sale(NIK_UNREGISTERED),
            "recipient_not_registered",
            f"NIK {masked(NIK_UNREGISTERED)} belum terdaftar sebagai penerima LPG 3 kg bersubsidi; "
            "daftarkan dahulu dengan KTP dan KK.",
        ),
        (
            sale(NIK_A1),
            "quota_exceeded",
            f"LPG 3 kg untuk NIK {masked(NIK_A1)}: NIK ini sudah membeli 1 kali hari ini; "
            "batas 1 kali pembelian per NIK per hari. Bisa membeli lagi besok.",
        ),
        (
            sale(NIK_A2, 10),
            "quota_exceeded",
            f"LPG 3 kg untuk NIK {masked(NIK_A2)}: Kuota KK bulan ini tersisa 9 tabung "
            "(batas 10 tabung per KK per bulan); diminta 10 tabung.",
        ),
        (sale(NIK_B1), "recipient_inactive", None),
        (
            sale(NIK_C1, sku="SPHP5"),
            "category_not_eligible",
            "Kategori usaha mikro tidak termasuk penerima Beras SPHP (yang boleh: rumah tangga).",
        ),
        (
            sale(NIK_A1, 3, sku="SPHP5"),
            "quota_exceeded",
            f"Beras SPHP 5 kg untuk NIK {masked(NIK_A1)}: Kuota NIK hari ini tersisa 2 karung "
            "(batas 2 karung per NIK per hari); diminta 3 karung.",
        ),
        (
            sale(NIK_A1, day="2026-02-27"),
            "program_not_started",
            "LPG 3 kg: Program LPG 3 kg bersubsidi baru berlaku mulai 01/03/2026.",
        ),
    ]
    for body, code, message in cases:
        r = kasir_api.post(f"{C}/sales", body)
        assert error(r) == (409, code), (body, r.json())
        if message is not None:
            assert r.json()["message"] == message
    refused = kasir_api.post(f"{C}/sales", sale(NIK_A2, 10)).json()
    assert refused["detail"] == {
        "remaining": ["9"],
        "rule": ["10 tabung per KK per bulan"],
        "lines": ["Kuota KK bulan ini tersisa 9 tabung (batas 10 tabung per KK per bulan); diminta 10 tabung."],
    }
    assert error(kasir_api.post(f"{C}/sales", sale("6471"))) == (422, "nik_invalid")
    assert error(kasir_api.post(f"{C}/sales", sale(NIK_A2, partner_reference="MAP\x00"))) == (422, "invalid")
    assert error(kasir_api.post(f"{C}/sales", sale(NIK_A2, partner_reference="M" * 101))) == (422, "invalid")
    assert error(kasir_api.post(f"{C}/sales", sale(NIK_A2, partner_reference=123))) == (422, "invalid")
    assert state() == before
    # After the programme ends the product is not sold at all.
    program_end(cooperative=coop, program=lpg_program, valid_to=D(2026, 3, 15), reason="Selesai", actor=manajer)
    r = kasir_api.post(f"{C}/sales", sale(NIK_A2, day="2026-03-16"))
    assert error(r) == (409, "program_expired")
    assert r.json()["message"] == (
        "LPG 3 kg: Program LPG 3 kg bersubsidi berakhir pada 15/03/2026; "
        "barang bersubsidi tidak boleh dijual di luar program."
    )


def test_partner_reference_is_stored_on_the_distribution(
    coop: Any, stocked: Any, lpg_program: Any, households: Any, kasir_api: Any
) -> None:
    r = kasir_api.post(
        f"{C}/sales", sale(NIK_A2, 2, partner_reference=" MAP-20260310-0042 "), headers={"Idempotency-Key": "lpg-1"}
    )
    assert r.status_code == 201, r.json()
    assert (r.json()["total"], r.json()["lines"][0]["unit_price"]) == (38_000, 19_000)
    row = Distribution.objects.get()
    assert (row.sale_id, row.program_id, row.nik, row.kk, row.name, row.qty, row.unit_price, row.partner_reference) == (
        r.json()["id"],
        lpg_program.pk,
        NIK_A2,
        KK_A,
        "Siti Aminah",
        2,
        19_000,
        "MAP-20260310-0042",
    )
    # A retry with the same key records nothing twice.
    again = kasir_api.post(
        f"{C}/sales", sale(NIK_A2, 2, partner_reference="MAP-lain"), headers={"Idempotency-Key": "lpg-1"}
    )
    assert (again.status_code, again.json()["id"]) == (201, r.json()["id"])
    assert Distribution.objects.count() == 1
    usage = kasir_api.get(f"{P}/{lpg_program.pk}/usage", nik=NIK_A1, date="2026-03-10").json()
    assert (usage["remaining"], usage["rules"][0]["used_qty"]) == (8, 2)
    detail = kasir_api.get(f"{R}/{households['a2'].pk}").json()
    assert [(d["qty"], d["partner_reference"]) for d in detail["distributions"]] == [(2, "MAP-20260310-0042")]


def test_the_issues_flow_end_to_end(coop: Any, stocked: Any, manajer_api: Any, kasir_api: Any) -> None:
    """The issue: a programme with its body, one registration, three sales, what remains, a refusal naming the rule."""
    program = manajer_api.post(P, issue_body()).json()
    usage_url = f"{P}/{program['id']}/usage"
    recipient = kasir_api.post(R, recipient_body(nik=NIK_A1, kk=KK_A, name="Budi Santoso")).json()
    assert recipient["nik"] == masked(NIK_A1)
    first = kasir_api.get(usage_url, nik=NIK_A1, date="2026-03-05").json()
    assert (first["registered"], first["eligible"], first["remaining"]) == (True, True, 10)
    for day, ref in (("2026-03-05", "MAP-1"), ("2026-03-06", "MAP-2"), ("2026-03-07", "MAP-3")):
        r = kasir_api.post(f"{C}/sales", sale(NIK_A1, 3, day=day, partner_reference=ref))
        assert (r.status_code, r.json()["total"]) == (201, 57_000), r.json()
    now = kasir_api.get(usage_url, nik=NIK_A1, date="2026-03-08").json()
    assert now["remaining"] == 1
    assert now["rules"] == [
        {
            "per": "kk",
            "period": "month",
            "max_qty": 10,
            "max_purchases": None,
            "window_start": "2026-03-01",
            "window_end": "2026-03-31",
            "used_qty": 9,
            "used_purchases": 3,
            "remaining_qty": 1,
            "remaining_purchases": None,
            "remaining": 1,
            "description": "10 tabung per KK per bulan",
        },
    ]
    before = state()
    r = kasir_api.post(f"{C}/sales", sale(NIK_A1, 2, day="2026-03-08"))
    assert error(r) == (409, "quota_exceeded")
    assert r.json()["message"] == (
        f"LPG 3 kg untuk NIK {masked(NIK_A1)}: Kuota KK bulan ini tersisa 1 tabung "
        "(batas 10 tabung per KK per bulan); diminta 2 tabung."
    )
    assert state() == before
    assert kasir_api.post(f"{C}/sales", sale(NIK_A1, 1, day="2026-03-08")).status_code == 201
    assert kasir_api.get(usage_url, nik=NIK_A1, date="2026-03-08").json()["remaining"] == 0
    # A new month, a new quota.
    assert kasir_api.get(usage_url, nik=NIK_A1, date="2026-04-01").json()["remaining"] == 10
    assert list(Distribution.objects.order_by("pk").values_list("partner_reference", flat=True)) == [
        "MAP-1",
        "MAP-2",
        "MAP-3",
        "",
    ]


# --- Who may do what ----------------------------------------------------------------------------------------


def test_roles_and_tenancy(
    coop: Any,
    other_coop: Any,
    stocked: Any,
    lpg_program: Any,
    households: Any,
    api_as: Any,
    grant: Any,
    dinas_user: Any,
    admin_user: Any,
    other_ketua: Any,
    lamaru_ketua: Any,
    kasir_api: Any,
) -> None:
    pid, rid = lpg_program.pk, households["a1"].pk
    reads = [
        f"{P}",
        f"{P}/{pid}",
        f"{P}/{pid}/allocations",
        f"{P}/{pid}/usage?nik={NIK_A1}&date=2026-03-10",
        f"{R}",
        f"{R}/{rid}",
    ]
    writes = [
        ("post", P, issue_body(valid_from="2027-01-01")),
        ("post", f"{P}/{pid}/end", {"valid_to": "2026-03-31", "reason": "x"}),
        ("post", f"{P}/{pid}/allocations", {"month": "2026-04", "qty": 1}),
        ("post", R, recipient_body()),
        ("patch", f"{R}/{rid}", {"name": "X"}),
        ("post", f"{R}/{rid}/deactivate", {"reason": "x"}),
        ("post", f"{R}/{rid}/reactivate", {"note": "x"}),
    ]
    before = state()
    anggota = api_as(grant(coop, Role.ANGGOTA))
    for client in (anggota, api_as(dinas_user)):
        for path in reads:
            assert error(client.get(path)) == (403, "forbidden"), path
        for method, path, body in writes:
            assert error(getattr(client, method)(path, body)) == (403, "forbidden"), path
    for path in reads:
        assert error(api_as(None).get(path)) == (401, "unauthenticated")
        assert error(api_as(other_ketua).get(path)) == (404, "not_found"), path
    for method, path, body in writes:
        assert error(getattr(api_as(other_ketua), method)(path, body)) == (404, "not_found"), path
    # The kasir registers and sells but does not set programmes.
    for method, path, body in writes[:3]:
        assert error(getattr(kasir_api, method)(path, body)) == (403, "forbidden"), path
    # Lamaru's ketua on Lamaru's URL with Manggar's ids: not found.
    lamaru = api_as(lamaru_ketua)
    L = "/coops/lamaru/subsidies"
    for path in (f"{L}/programs/{pid}", f"{L}/programs/{pid}/allocations", f"{L}/programs/{pid}/usage?nik={NIK_A1}"):
        assert error(lamaru.get(path)) == (404, "program_not_found"), path
    assert error(lamaru.post(f"{L}/programs/{pid}/end", {"valid_to": "2026-03-31", "reason": "x"})) == (
        404,
        "program_not_found",
    )
    assert error(lamaru.post(f"{L}/programs/{pid}/allocations", {"month": "2026-04", "qty": 1})) == (
        404,
        "program_not_found",
    )
    assert error(lamaru.get(f"{L}/recipients/{rid}")) == (404, "recipient_not_found")
    assert error(lamaru.patch(f"{L}/recipients/{rid}", {"name": "X"})) == (404, "recipient_not_found")
    assert error(lamaru.post(f"{L}/recipients/{rid}/deactivate", {"reason": "x"})) == (404, "recipient_not_found")
    assert error(lamaru.post(f"{L}/recipients/{rid}/reactivate", {"note": "x"})) == (404, "recipient_not_found")
    assert lamaru.get(f"{L}/programs").json() == {"items": [], "count": 0}
    assert lamaru.get(f"{L}/recipients").json() == {"items": [], "count": 0}
    # Lamaru's programme cannot name Manggar's product.
    r = lamaru.post(f"{L}/programs", issue_body())
    assert error(r) == (422, "product_unknown")
    assert state() == before
    # The administrator reads; the pengawas reads but cannot register.
    assert api_as(admin_user).get(P).status_code == 200
    pengawas = api_as(grant(coop, Role.PENGAWAS))
    assert pengawas.get(R).status_code == 200
    assert error(pengawas.post(R, recipient_body())) == (403, "forbidden")
    assert api_as(grant(coop, Role.SEKRETARIS)).post(R, recipient_body()).status_code == 201
