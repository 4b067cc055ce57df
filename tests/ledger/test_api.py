"""The books over the API (DESIGN.md §9): chart, journal, statements, verify, periods."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koperasi.cooperatives.models import BusinessUnit
from koperasi.core.roles import Role
from koperasi.ledger.models import Account, JournalEntry, Period, PeriodReopenRequest

pytestmark = pytest.mark.django_db

# The worked month of January 2026: a member's simpanan pokok, gerai sales to members and to
# non-members, the electricity bill and bank interest.
WORKED = [
    ("2026-01-05", "Simpanan pokok Siti", [("1-1100", 5_000_000, 0), ("3-1100", 0, 5_000_000)]),
    ("2026-01-10", "Penjualan gerai ke anggota", [("1-1100", 1_200_000, 0), ("4-1100", 0, 1_200_000)]),
    ("2026-01-12", "Penjualan gerai ke bukan anggota", [("1-1100", 300_000, 0), ("4-2100", 0, 300_000)]),
    ("2026-01-20", "Listrik Januari", [("5-2200", 250_000, 0), ("1-1100", 0, 250_000)]),
    ("2026-01-31", "Bunga bank Januari", [("1-1200", 10_000, 0), ("4-3100", 0, 10_000)]),
]


def body(date: str, memo: str, rows: list[tuple[str, Any, Any]]) -> dict[str, Any]:
    return {
        "date": date,
        "memo": memo,
        "lines": [{"account_code": code, "debit": d, "credit": c} for code, d, c in rows],
    }


def post_with_key(api: Any, path: str, data: dict[str, Any], key: str) -> Any:
    return api.client.post(
        "/api/v1" + path, data, content_type="application/json", headers={**api.headers, "Idempotency-Key": key}
    )


@pytest.fixture
def as_bendahara(api_as: Any, bendahara: Any) -> Any:
    return api_as(bendahara)


@pytest.fixture
def worked(as_bendahara: Any) -> list[dict[str, Any]]:
    entries = []
    for date, memo, rows in WORKED:
        r = as_bendahara.post("/coops/manggar/journal", body(date, memo, rows))
        assert r.status_code == 201, r.content
        entries.append(r.json())
    return entries


def entry_count(cooperative: Any) -> int:
    return JournalEntry.objects.filter(cooperative=cooperative).count()


# --- Mounting -------------------------------------------------------------------------------
def test_ledger_router_shares_the_coops_prefix(coop, bendahara, api_as) -> None:
    api = api_as(bendahara)
    assert api.get("/coops/manggar").json()["code"] == "manggar"
    assert api.get("/coops/manggar/business-units").json()["count"] == 7
    assert api.get("/coops/manggar/accounts").status_code == 200


# --- Chart of accounts ----------------------------------------------------------------------
def test_account_list_has_the_template_chart(coop, as_bendahara) -> None:
    r = as_bendahara.get("/coops/manggar/accounts")
    assert r.status_code == 200
    data = r.json()
    assert data["count"] == Account.objects.filter(cooperative=coop).count()
    by_code = {a["code"]: a for a in data["items"]}
    assert by_code["1-1100"] == {
        "code": "1-1100",
        "name": "Kas",
        "type": "asset",
        "normal_side": "debit",
        "parent_code": "1-1000",
        "depth": 2,
        "is_group": False,
        "role": "cash",
        "revenue_party": "",
        "business_unit": None,
        "cash_flow": "cash",
        "is_active": True,
    }
    assert by_code["1-1310"]["normal_side"] == "credit"  # the contra allowance
    assert by_code["4-1100"]["revenue_party"] == "anggota"
    assert by_code["4-1100"]["business_unit"] == "gerai_sembako"
    assert by_code["1"]["parent_code"] is None and by_code["1"]["is_group"] is True
    page = as_bendahara.get("/coops/manggar/accounts", limit=5, offset=1).json()
    assert [a["code"] for a in page["items"]] == [a["code"] for a in data["items"][1:6]]
    assert page["count"] == data["count"]
    assert as_bendahara.get("/coops/manggar/accounts", limit=0).status_code == 422


def test_account_create(coop, as_bendahara, api_as, ketua, kasir) -> None:
    payload = {
        "code": "1-1150",
        "name": "Kas kecil gerai",
        "parent_code": "1-1000",
        "business_unit_code": "gerai_sembako",
        "cash_flow": "cash",
    }
    r = as_bendahara.post("/coops/manggar/accounts", payload)
    assert r.status_code == 201, r.content
    assert r.json() == {
        "code": "1-1150",
        "name": "Kas kecil gerai",
        "type": "asset",
        "normal_side": "debit",
        "parent_code": "1-1000",
        "depth": 2,
        "is_group": False,
        "role": "",
        "revenue_party": "",
        "business_unit": "gerai_sembako",
        "cash_flow": "cash",
        "is_active": True,
    }
    before = Account.objects.filter(cooperative=coop).count()
    again = as_bendahara.post("/coops/manggar/accounts", payload)
    assert (again.status_code, again.json()["code"]) == (409, "account_code_taken")
    bad = as_bendahara.post("/coops/manggar/accounts", {"code": "1-1160", "name": "X", "parent_code": "4-1000"})
    assert bad.status_code == 422
    assert "parent_code" in bad.json()["detail"]
    assert api_as(ketua).post("/coops/manggar/accounts", {"code": "1-1170", "name": "Y"}).status_code == 403
    assert api_as(kasir).post("/coops/manggar/accounts", {"code": "1-1170", "name": "Y"}).status_code == 403
    assert Account.objects.filter(cooperative=coop).count() == before


# --- The worked flow ------------------------------------------------------------------------
def test_worked_flow_post_and_statements(coop, bendahara, as_bendahara, worked) -> None:
    first = worked[0]
    assert first["number"] == "JU-000001"
    assert (first["date"], first["memo"], first["amount"], first["source_type"]) == (
        "2026-01-05",
        "Simpanan pokok Siti",
        5_000_000,
        "manual",
    )
    assert first["created_by"] == bendahara.username
    assert first["reverses_id"] is None and first["reversed_by_id"] is None
    assert first["lines"] == [
        {
            "account_code": "1-1100",
            "account_name": "Kas",
            "debit": 5_000_000,
            "credit": 0,
            "business_unit": None,
            "memo": "",
        },
        {
            "account_code": "3-1100",
            "account_name": "Simpanan pokok",
            "debit": 0,
            "credit": 5_000_000,
            "business_unit": None,
            "memo": "",
        },
    ]
    # A sale line takes the account's own business unit.
    assert worked[1]["lines"][1]["business_unit"] == "gerai_sembako"
    assert entry_count(coop) == 5

    tb = as_bendahara.get("/coops/manggar/reports/trial-balance", as_of="2026-01-31").json()
    assert tb == {
        "as_of": "2026-01-31",
        "rows": [
            {"account_code": "1-1100", "name": "Kas", "debit": 6_250_000, "credit": 0},
            {"account_code": "1-1200", "name": "Bank", "debit": 10_000, "credit": 0},
            {"account_code": "3-1100", "name": "Simpanan pokok", "debit": 0, "credit": 5_000_000},
            {"account_code": "4-1100", "name": "Penjualan gerai — anggota", "debit": 0, "credit": 1_200_000},
            {"account_code": "4-2100", "name": "Penjualan gerai — bukan anggota", "debit": 0, "credit": 300_000},
            {"account_code": "4-3100", "name": "Pendapatan bunga bank", "debit": 0, "credit": 10_000},
            {"account_code": "5-2200", "name": "Beban listrik, air dan telepon", "debit": 250_000, "credit": 0},
        ],
        "total_debit": 6_510_000,
        "total_credit": 6_510_000,
    }
    mid = as_bendahara.get("/coops/manggar/reports/trial-balance", as_of="2026-01-10").json()
    assert (mid["total_debit"], mid["total_credit"]) == (6_200_000, 6_200_000)

    bs = as_bendahara.get("/coops/manggar/reports/balance-sheet", as_of="2026-01-31").json()
    assert (bs["as_of"], bs["compare_to"]) == ("2026-01-31", "2025-12-31")
    assert (bs["total_assets"], bs["total_liabilities"], bs["total_equity"]) == (6_260_000, 0, 6_260_000)
    assert (bs["balanced"], bs["shu_current"], bs["shu_prior"]) == (True, 1_260_000, 0)
    assert bs["previous"] == {
        "total_assets": 0,
        "total_liabilities": 0,
        "total_equity": 0,
        "shu_current": 0,
        "balanced": True,
    }
    assert bs["assets"] == [
        {"account_code": "1", "name": "Aset", "depth": 0, "is_group": True, "amount": 6_260_000, "previous": 0},
        {
            "account_code": "1-1000",
            "name": "Aset lancar",
            "depth": 1,
            "is_group": True,
            "amount": 6_260_000,
            "previous": 0,
        },
        {"account_code": "1-1100", "name": "Kas", "depth": 2, "is_group": False, "amount": 6_250_000, "previous": 0},
        {"account_code": "1-1200", "name": "Bank", "depth": 2, "is_group": False, "amount": 10_000, "previous": 0},
    ]
    assert bs["liabilities"] == []
    assert [(r["account_code"], r["amount"]) for r in bs["equity"]] == [
        ("3", 5_000_000),
        ("3-1100", 5_000_000),
        (None, 1_260_000),
    ]
    assert bs["equity"][-1]["name"] == "SHU tahun berjalan (belum ditutup)"

    inc = as_bendahara.get("/coops/manggar/reports/income-statement", **{"from": "2026-01-01", "to": "2026-01-31"})
    assert inc.status_code == 200, inc.content
    inc_data = inc.json()
    assert (inc_data["from"], inc_data["to"]) == ("2026-01-01", "2026-01-31")
    assert (inc_data["total_income"], inc_data["total_expense"], inc_data["surplus"]) == (1_510_000, 250_000, 1_260_000)
    assert (inc_data["income_members"], inc_data["income_non_members"], inc_data["income_other"]) == (
        1_200_000,
        300_000,
        10_000,
    )
    gerai = BusinessUnit.objects.get(cooperative=coop, code="gerai_sembako")
    assert inc_data["units"] == [{"id": 0, "name": "Tanpa unit"}, {"id": gerai.pk, "name": gerai.name}]
    assert inc_data["surplus_by_unit"] == [-240_000, 1_500_000]
    income = {r["account_code"]: r for r in inc_data["income"]}
    assert income["4-1100"] == {
        "account_code": "4-1100",
        "name": "Penjualan gerai — anggota",
        "depth": 2,
        "is_group": False,
        "amount": 1_200_000,
        "by_unit": [0, 1_200_000],
    }
    assert income["4-1000"]["amount"] == 1_200_000 and income["4-1000"]["is_group"] is True
    assert income["4-3100"]["by_unit"] == [10_000, 0]
    assert [(r["account_code"], r["amount"]) for r in inc_data["expense"]] == [
        ("5", 250_000),
        ("5-2000", 250_000),
        ("5-2200", 250_000),
    ]


def test_other_statements(coop, as_bendahara, worked) -> None:
    jan = {"from": "2026-01-01", "to": "2026-01-31"}
    cf = as_bendahara.get("/coops/manggar/reports/cash-flow", **jan).json()
    assert (cf["from"], cf["to"], cf["opening_cash"], cf["closing_cash"], cf["net_change"]) == (
        "2026-01-01",
        "2026-01-31",
        0,
        6_260_000,
        6_260_000,
    )
    sections = {s["group"]: s for s in cf["sections"]}
    assert list(sections) == ["operating", "investing", "financing"]
    assert sections["operating"]["net"] == 1_260_000
    assert sections["operating"]["rows"] == [
        {"account_code": "4-1100", "name": "Penjualan gerai — anggota", "amount": 1_200_000},
        {"account_code": "4-2100", "name": "Penjualan gerai — bukan anggota", "amount": 300_000},
        {"account_code": "4-3100", "name": "Pendapatan bunga bank", "amount": 10_000},
        {"account_code": "5-2200", "name": "Beban listrik, air dan telepon", "amount": -250_000},
    ]
    assert (sections["investing"]["net"], sections["investing"]["rows"]) == (0, [])
    assert sections["financing"]["rows"] == [{"account_code": "3-1100", "name": "Simpanan pokok", "amount": 5_000_000}]

    ec = as_bendahara.get("/coops/manggar/reports/equity-changes", **jan).json()
    assert ec["rows"] == [
        {
            "account_code": "3-1100",
            "name": "Simpanan pokok",
            "opening": 0,
            "increase": 5_000_000,
            "decrease": 0,
            "closing": 5_000_000,
        },
        {
            "account_code": None,
            "name": "SHU belum ditutup",
            "opening": 0,
            "increase": 1_260_000,
            "decrease": 0,
            "closing": 1_260_000,
        },
    ]
    assert ec["total"]["closing"] == 6_260_000

    gl = as_bendahara.get("/coops/manggar/reports/general-ledger", account="1-1100", **jan).json()
    assert gl["account"] == {"code": "1-1100", "name": "Kas", "type": "asset", "normal_side": "debit"}
    assert (gl["opening"], gl["closing"], gl["count"]) == (0, 6_250_000, 4)
    assert [(i["number"], i["debit"], i["credit"], i["balance"]) for i in gl["items"]] == [
        ("JU-000001", 5_000_000, 0, 5_000_000),
        ("JU-000002", 1_200_000, 0, 6_200_000),
        ("JU-000003", 300_000, 0, 6_500_000),
        ("JU-000004", 0, 250_000, 6_250_000),
    ]
    page = as_bendahara.get("/coops/manggar/reports/general-ledger", account="1-1100", limit=2, offset=2, **jan).json()
    assert [i["balance"] for i in page["items"]] == [6_500_000, 6_250_000]
    assert page["count"] == 4
    feb = as_bendahara.get(
        "/coops/manggar/reports/general-ledger", account="1-1100", **{"from": "2026-02-01", "to": "2026-02-28"}
    ).json()
    assert (feb["opening"], feb["closing"], feb["items"]) == (6_250_000, 6_250_000, [])
    missing = as_bendahara.get("/coops/manggar/reports/general-ledger", account="9-9999", **jan)
    assert missing.status_code == 404
    assert as_bendahara.get("/coops/manggar/reports/general-ledger", **jan).status_code == 422


def test_bad_query_dates_are_422(coop, as_bendahara) -> None:
    r = as_bendahara.get("/coops/manggar/reports/trial-balance", as_of="2026-13-01")
    assert r.status_code == 422
    assert r.json()["code"] == "invalid" and "as_of" in r.json()["detail"]
    r = as_bendahara.get("/coops/manggar/reports/income-statement", **{"from": "31/01/2026"})
    assert (r.status_code, list(r.json()["detail"])) == (422, ["from"])
    r = as_bendahara.get("/coops/manggar/reports/income-statement", **{"from": "2026-02-01", "to": "2026-01-01"})
    assert r.status_code == 422
    assert r.json()["message"] == "Tanggal awal tidak boleh setelah tanggal akhir."
    assert as_bendahara.get("/coops/manggar/journal", **{"to": "kemarin"}).status_code == 422
    assert as_bendahara.get("/coops/manggar/reports/cash-flow", **{"from": "2026-02-30"}).status_code == 422


# --- Journal: refusals ----------------------------------------------------------------------
def test_unbalanced_entry_is_422_and_posts_nothing(coop, as_bendahara) -> None:
    r = as_bendahara.post(
        "/coops/manggar/journal", body("2026-01-05", "Salah ketik", [("1-1100", 100_000, 0), ("3-1100", 0, 90_000)])
    )
    assert r.status_code == 422
    data = r.json()
    assert data["code"] == "journal_unbalanced"
    assert data["message"] == "Jurnal tidak seimbang: debit Rp 100.000, kredit Rp 90.000, selisih Rp 10.000."
    assert data["detail"]["difference"] == ["10000"]
    assert entry_count(coop) == 0


@pytest.mark.parametrize("amount", [100_000.0, 100_000.5, "100000", True, None])
def test_non_integer_amount_is_refused_never_rounded(coop, as_bendahara, amount) -> None:
    r = as_bendahara.post(
        "/coops/manggar/journal", body("2026-01-05", "Pecahan", [("1-1100", amount, 0), ("3-1100", 0, 100_000)])
    )
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid"
    assert "lines.0.debit" in r.json()["detail"]
    assert entry_count(coop) == 0


def test_bad_lines_are_422_naming_each_line(coop, as_bendahara) -> None:
    r = as_bendahara.post(
        "/coops/manggar/journal",
        body("2026-01-05", "Akun salah", [("1-1000", 100, 0), ("9-9999", 0, 100)]),
    )
    assert r.status_code == 422
    assert r.json()["detail"] == {
        "lines.1": ["Baris 1: akun 1-1000 adalah akun kelompok; pilih akun rinciannya."],
        "lines.2": ["Baris 2: akun '9-9999' tidak ada di koperasi ini."],
    }
    one = as_bendahara.post("/coops/manggar/journal", body("2026-01-05", "Satu baris", [("1-1100", 100, 0)]))
    assert (one.status_code, one.json()["code"]) == (422, "journal_too_few_lines")
    no_memo = as_bendahara.post(
        "/coops/manggar/journal", body("2026-01-05", "  ", [("1-1100", 100, 0), ("3-1100", 0, 100)])
    )
    assert (no_memo.status_code, list(no_memo.json()["detail"])) == (422, ["memo"])
    unit = as_bendahara.post(
        "/coops/manggar/journal",
        {
            "date": "2026-01-05",
            "memo": "Unit",
            "lines": [
                {"account_code": "1-1100", "debit": 100, "business_unit": "tidak_ada"},
                {"account_code": "3-1100", "credit": 100},
            ],
        },
    )
    assert unit.status_code == 422
    assert unit.json()["detail"] == {"lines.1": ["Baris 1: unit usaha 'tidak_ada' tidak ada."]}
    assert entry_count(coop) == 0


def test_line_business_unit_and_memo_are_kept(coop, as_bendahara) -> None:
    r = as_bendahara.post(
        "/coops/manggar/journal",
        {
            "date": "2026-01-05",
            "memo": "Listrik apotek",
            "lines": [
                {"account_code": "5-2200", "debit": 75_000, "business_unit": "apotek", "memo": "token PLN"},
                {"account_code": "1-1100", "credit": 75_000},
            ],
        },
    )
    assert r.status_code == 201, r.content
    lines = r.json()["lines"]
    assert (lines[0]["business_unit"], lines[0]["memo"], lines[1]["business_unit"]) == ("apotek", "token PLN", None)


def test_idempotency_key_returns_the_first_entry(coop, as_bendahara) -> None:
    data = body("2026-01-05", "Setoran", [("1-1100", 50_000, 0), ("3-1100", 0, 50_000)])
    first = post_with_key(as_bendahara, "/coops/manggar/journal", data, "setoran-001")
    assert first.status_code == 201, first.content
    repeat = post_with_key(as_bendahara, "/coops/manggar/journal", data, "setoran-001")
    assert repeat.status_code == 201
    assert repeat.json() == first.json()
    assert entry_count(coop) == 1
    other = post_with_key(as_bendahara, "/coops/manggar/journal", data, "setoran-002")
    assert other.json()["id"] != first.json()["id"]
    assert entry_count(coop) == 2
    tb = as_bendahara.get("/coops/manggar/reports/trial-balance", as_of="2026-01-31").json()
    assert tb["total_debit"] == 100_000


# --- Tenancy and roles ----------------------------------------------------------------------
def test_other_cooperatives_bendahara_gets_404(coop, other_coop, grant, api_as, worked) -> None:
    other = api_as(grant(other_coop, Role.BENDAHARA))
    data = body("2026-01-06", "Menyusup", [("1-1100", 1_000, 0), ("3-1100", 0, 1_000)])
    r = other.post("/coops/manggar/journal", data)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    entry_id = worked[0]["id"]
    assert other.get("/coops/manggar/journal").status_code == 404
    assert other.get(f"/coops/manggar/journal/{entry_id}").status_code == 404
    assert other.post(f"/coops/manggar/journal/{entry_id}/reverse", {"date": "2026-01-31"}).status_code == 404
    assert other.get("/coops/manggar/reports/trial-balance").status_code == 404
    assert other.get("/coops/manggar/ledger/verify").status_code == 404
    assert other.post("/coops/manggar/periods/2026-01/close", {"reason": "x"}).status_code == 404
    # An entry of Manggar looked up under Lamaru's own path is "not found" too.
    assert other.get(f"/coops/lamaru/journal/{entry_id}").status_code == 404
    assert other.post(f"/coops/lamaru/journal/{entry_id}/reverse", {"date": "2026-01-31"}).status_code == 404
    assert entry_count(coop) == 5
    assert entry_count(other_coop) == 0
    assert not Period.objects.exists()


def test_account_code_of_another_cooperative_is_422(coop, other_coop, grant, api_as, as_bendahara) -> None:
    made = as_bendahara.post(
        "/coops/manggar/accounts", {"code": "1-1150", "name": "Kas kecil", "parent_code": "1-1000"}
    )
    assert made.status_code == 201
    other = api_as(grant(other_coop, Role.BENDAHARA))
    r = other.post(
        "/coops/lamaru/journal", body("2026-01-06", "Akun asing", [("1-1150", 1_000, 0), ("3-1100", 0, 1_000)])
    )
    assert r.status_code == 422
    assert r.json()["detail"] == {"lines.1": ["Baris 1: akun '1-1150' tidak ada di koperasi ini."]}
    assert entry_count(other_coop) == 0


def test_kasir_gets_403(coop, kasir, api_as) -> None:
    api = api_as(kasir)
    assert api.get("/coops/manggar").status_code == 200  # a role in the coop, but not for the books
    for path in ("/accounts", "/journal", "/reports/trial-balance", "/ledger/verify", "/periods"):
        r = api.get("/coops/manggar" + path)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), path
    r = api.post("/coops/manggar/journal", body("2026-01-05", "Kasir", [("1-1100", 100, 0), ("3-1100", 0, 100)]))
    assert r.status_code == 403
    assert entry_count(coop) == 0


def test_dinas_reads_but_cannot_write(coop, dinas_user, api_as, worked) -> None:
    api = api_as(dinas_user)
    for path in (
        "/accounts",
        "/journal",
        f"/journal/{worked[0]['id']}",
        "/reports/trial-balance",
        "/reports/balance-sheet",
        "/reports/income-statement",
        "/reports/cash-flow",
        "/reports/equity-changes",
        "/ledger/verify",
        "/periods",
        "/period-reopen-requests",
    ):
        assert api.get("/coops/manggar" + path).status_code == 200, path
    assert api.get("/coops/manggar/reports/general-ledger", account="1-1100").status_code == 200
    data = body("2026-01-06", "Dinas", [("1-1100", 100, 0), ("3-1100", 0, 100)])
    assert api.post("/coops/manggar/journal", data).status_code == 403
    assert api.post(f"/coops/manggar/journal/{worked[0]['id']}/reverse", {"date": "2026-01-31"}).status_code == 403
    assert api.post("/coops/manggar/accounts", {"code": "1-1150", "name": "X"}).status_code == 403
    assert api.post("/coops/manggar/periods/2026-01/close", {"reason": "x"}).status_code == 403
    assert api.post("/coops/manggar/periods/2026-01/reopen-requests", {"reason": "x"}).status_code == 403
    assert entry_count(coop) == 5
    assert not Period.objects.exists()


def test_unauthenticated_is_401(coop, api_as) -> None:
    assert api_as(None).get("/coops/manggar/journal").status_code == 401


# --- Journal reading ------------------------------------------------------------------------
def test_journal_list_filters_and_pages(coop, as_bendahara, worked) -> None:
    all_ = as_bendahara.get("/coops/manggar/journal").json()
    assert all_["count"] == 5
    assert [e["number"] for e in all_["items"]] == ["JU-000005", "JU-000004", "JU-000003", "JU-000002", "JU-000001"]
    assert all_["items"][-1] == {k: v for k, v in worked[0].items() if k != "reversed_by_id"}
    ranged = as_bendahara.get("/coops/manggar/journal", **{"from": "2026-01-10", "to": "2026-01-20"}).json()
    assert [e["number"] for e in ranged["items"]] == ["JU-000004", "JU-000003", "JU-000002"]
    assert ranged["count"] == 3
    page = as_bendahara.get("/coops/manggar/journal", limit=2, offset=1).json()
    assert ([e["number"] for e in page["items"]], page["count"]) == (["JU-000004", "JU-000003"], 5)
    assert as_bendahara.get("/coops/manggar/journal", source="manual").json()["count"] == 5
    assert as_bendahara.get("/coops/manggar/journal", source="savings.transaction").json()["count"] == 0
    assert as_bendahara.get("/coops/manggar/journal", limit=501).status_code == 422
    detail = as_bendahara.get(f"/coops/manggar/journal/{worked[2]['id']}").json()
    assert detail == worked[2]
    assert as_bendahara.get("/coops/manggar/journal/999999").status_code == 404


def test_journal_list_query_count_is_bounded(coop, as_bendahara, post, django_assert_max_num_queries) -> None:
    """Token, coop, roles (2), entries, lines, accounts, units, count: the same for 1 or 57 entries."""

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            r = as_bendahara.get("/coops/manggar/journal", limit=100)
        assert r.status_code == 200
        return len(ctx)

    post(coop, datetime.date(2026, 1, 5), [("1-1100", 1_000, 0), ("4-1100", 0, 1_000)])
    count_queries()  # the first call also stamps the token's last use
    few = count_queries()
    for day in range(1, 29):
        post(coop, datetime.date(2026, 2, day), [("1-1100", day, 0), ("4-2100", 0, day)])
        post(coop, datetime.date(2026, 2, day), [("5-2200", day, 0), ("1-1200", 0, day)])
    many = count_queries()
    assert many == few == 9
    with django_assert_max_num_queries(10):
        r = as_bendahara.get("/coops/manggar/journal", limit=100)
    assert r.json()["count"] == 57
    assert len(r.json()["items"]) == 57


# --- Reversal -------------------------------------------------------------------------------
def test_reversal(coop, as_bendahara, worked) -> None:
    target = worked[3]  # the electricity bill
    r = as_bendahara.post(
        f"/coops/manggar/journal/{target['id']}/reverse", {"date": "2026-01-31", "memo": "Salah catat"}
    )
    assert r.status_code == 201, r.content
    rev = r.json()
    assert (rev["number"], rev["date"], rev["memo"], rev["reverses_id"], rev["amount"]) == (
        "JU-000006",
        "2026-01-31",
        "Salah catat",
        target["id"],
        250_000,
    )
    assert [(ln["account_code"], ln["debit"], ln["credit"]) for ln in rev["lines"]] == [
        ("5-2200", 0, 250_000),
        ("1-1100", 250_000, 0),
    ]
    assert as_bendahara.get(f"/coops/manggar/journal/{target['id']}").json()["reversed_by_id"] == rev["id"]
    again = as_bendahara.post(f"/coops/manggar/journal/{target['id']}/reverse", {"date": "2026-01-31"})
    assert (again.status_code, again.json()["code"]) == (409, "entry_already_reversed")
    of_reversal = as_bendahara.post(f"/coops/manggar/journal/{rev['id']}/reverse", {"date": "2026-01-31"})
    assert (of_reversal.status_code, of_reversal.json()["code"]) == (409, "entry_is_reversal")
    assert entry_count(coop) == 6
    tb = as_bendahara.get("/coops/manggar/reports/trial-balance", as_of="2026-01-31").json()
    assert "5-2200" not in [row["account_code"] for row in tb["rows"]]
    assert tb["total_debit"] == tb["total_credit"] == 6_510_000
    default_memo = as_bendahara.post(f"/coops/manggar/journal/{worked[4]['id']}/reverse", {"date": "2026-02-01"})
    assert default_memo.json()["memo"] == "Pembalikan JU-000005: Bunga bank Januari"


# --- Verify ---------------------------------------------------------------------------------
def test_verify_endpoint(coop, as_bendahara, worked) -> None:
    r = as_bendahara.get("/coops/manggar/ledger/verify")
    assert r.status_code == 200
    assert r.json() == {"ok": True, "entries_checked": 5, "lines_checked": 10, "first_broken": None, "problems": []}


class _Editor:
    """Just enough of a schema editor for ``db_triggers.install`` / ``uninstall`` inside a test."""

    connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@pytest.mark.ledger_tampered
def test_verify_endpoint_names_the_first_broken_entry(coop, as_bendahara, worked) -> None:
    from koperasi.ledger import db_triggers

    # Someone with database access drops the guards and edits a posted entry's memo.
    db_triggers.uninstall(None, _Editor())
    try:
        JournalEntry.objects.filter(pk=worked[2]["id"]).update(memo="Penjualan gerai (diubah)")
    finally:
        db_triggers.install(None, _Editor())
    data = as_bendahara.get("/coops/manggar/ledger/verify").json()
    assert data == {
        "ok": False,
        "entries_checked": 5,
        "lines_checked": 10,
        "first_broken": "JU-000003",
        "problems": ["JU-000003: isi jurnal tidak cocok dengan hash-nya (data diubah)."],
    }


# --- Periods --------------------------------------------------------------------------------
def test_period_close_refuses_posting_until_ketua_and_pengawas_reopen(coop, grant, api_as, as_bendahara, ketua) -> None:
    pengawas = api_as(grant(coop, Role.PENGAWAS))
    as_ketua = api_as(ketua)
    data = body("2026-01-15", "Setoran", [("1-1100", 10_000, 0), ("3-1100", 0, 10_000)])

    closed = as_bendahara.post("/coops/manggar/periods/2026-01/close", {"reason": "Tutup buku Januari"})
    assert closed.status_code == 200, closed.content
    assert closed.json() | {"closed_at": None} == {
        "month": "2026-01",
        "is_closed": True,
        "closed_at": None,
        "closed_by": "bendahara-manggar",
        "reason": "Tutup buku Januari",
        "pending_request": None,
    }
    again = as_bendahara.post("/coops/manggar/periods/2026-01/close", {"reason": "lagi"})
    assert (again.status_code, again.json()["code"]) == (409, "period_already_closed")

    refused = as_bendahara.post("/coops/manggar/journal", data)
    assert (refused.status_code, refused.json()["code"]) == (409, "period_closed")
    assert refused.json()["message"] == "Periode 01/2026 sudah ditutup; jurnal tidak dapat dicatat pada tanggal itu."
    assert entry_count(coop) == 0
    # February is still open.
    assert as_bendahara.post("/coops/manggar/journal", {**data, "date": "2026-02-01"}).status_code == 201

    # The bendahara can close but not reopen.
    no = as_bendahara.post("/coops/manggar/periods/2026-01/reopen-requests", {"reason": "Koreksi"})
    assert no.status_code == 403
    asked = as_ketua.post("/coops/manggar/periods/2026-01/reopen-requests", {"reason": "Koreksi kas"})
    assert asked.status_code == 201, asked.content
    req = asked.json()
    assert (req["month"], req["status"], req["requested_by"], req["requested_role"], req["approved_by"]) == (
        "2026-01",
        "menunggu",
        ketua.username,
        "ketua",
        None,
    )
    dup = as_ketua.post("/coops/manggar/periods/2026-01/reopen-requests", {"reason": "Koreksi kas"})
    assert (dup.status_code, dup.json()["code"]) == (409, "reopen_pending")
    periods = as_bendahara.get("/coops/manggar/periods").json()
    assert periods["count"] == 1
    assert periods["items"][0]["pending_request"]["id"] == req["id"]
    pending = as_bendahara.get("/coops/manggar/period-reopen-requests", status="menunggu").json()
    assert [p["id"] for p in pending["items"]] == [req["id"]]

    # The requester cannot approve their own request; the bendahara cannot approve at all.
    assert as_ketua.post(f"/coops/manggar/period-reopen-requests/{req['id']}/approve").status_code == 403
    assert as_bendahara.post(f"/coops/manggar/period-reopen-requests/{req['id']}/approve").status_code == 403
    assert as_bendahara.post("/coops/manggar/journal", data).status_code == 409

    approved = pengawas.post(f"/coops/manggar/period-reopen-requests/{req['id']}/approve")
    assert approved.status_code == 200, approved.content
    assert (approved.json()["status"], approved.json()["approved_role"]) == ("disetujui", "pengawas")
    twice = pengawas.post(f"/coops/manggar/period-reopen-requests/{req['id']}/approve")
    assert (twice.status_code, twice.json()["code"]) == (409, "reopen_not_pending")
    assert as_bendahara.get("/coops/manggar/periods").json()["items"][0]["is_closed"] is False

    posted = as_bendahara.post("/coops/manggar/journal", data)
    assert posted.status_code == 201, posted.content
    assert entry_count(coop) == 2
    assert as_bendahara.get("/coops/manggar/ledger/verify").json()["ok"] is True


def test_period_path_and_reason_are_validated(coop, as_bendahara, ketua, api_as) -> None:
    for month in ("2026-13", "2026-1", "januari", "2026-01-01"):
        r = as_bendahara.post(f"/coops/manggar/periods/{month}/close", {"reason": "x"})
        assert (r.status_code, list(r.json()["detail"])) == (422, ["month"]), month
    blank = as_bendahara.post("/coops/manggar/periods/2026-01/close", {"reason": " "})
    assert (blank.status_code, list(blank.json()["detail"])) == (422, ["reason"])
    future = as_bendahara.post("/coops/manggar/periods/2999-01/close", {"reason": "x"})
    assert future.status_code == 422
    not_closed = api_as(ketua).post("/coops/manggar/periods/2026-03/reopen-requests", {"reason": "x"})
    assert (not_closed.status_code, not_closed.json()["code"]) == (409, "period_not_closed")
    assert not Period.objects.filter(is_closed=True).exists()
    assert not PeriodReopenRequest.objects.exists()
    assert api_as(ketua).post("/coops/manggar/period-reopen-requests/999999/approve").status_code == 404


def test_reopen_request_of_another_cooperative_is_404(coop, other_coop, grant, api_as) -> None:
    from koperasi.ledger import services

    theirs = grant(other_coop, Role.BENDAHARA)
    their_ketua = grant(other_coop, Role.KETUA)

    services.period_close(cooperative=other_coop, month=datetime.date(2026, 1, 1), reason="Tutup", actor=theirs)
    req = services.period_reopen_request(
        cooperative=other_coop, month=datetime.date(2026, 1, 1), reason="Koreksi", actor=their_ketua
    )
    our_pengawas = api_as(grant(coop, Role.PENGAWAS))
    r = our_pengawas.post(f"/coops/manggar/period-reopen-requests/{req.pk}/approve")
    assert r.status_code == 404
    assert our_pengawas.post(f"/coops/lamaru/period-reopen-requests/{req.pk}/approve").status_code == 404
    req.refresh_from_db()
    assert req.status == "menunggu"


def test_dates_at_the_calendar_s_end_are_422_not_500(coop, as_bendahara) -> None:
    # 9999-12-31 once overflowed the month arithmetic of the statements (OverflowError).
    for path, params, field in [
        ("reports/trial-balance", {"as_of": "9999-12-31"}, "as_of"),
        ("reports/balance-sheet", {"as_of": "9999-12-31"}, "as_of"),
        ("reports/income-statement", {"from": "2026-01-01", "to": "9999-12-31"}, "to"),
        ("reports/trial-balance", {"as_of": "0001-01-01"}, "as_of"),
    ]:
        r = as_bendahara.get(f"/coops/manggar/{path}", **params)
        assert (r.status_code, r.json()["detail"].get(field)) == (422, ["Tanggal harus antara 1900 dan 2999."]), path
    assert as_bendahara.get("/coops/manggar/reports/trial-balance", as_of="2999-12-31").status_code == 200
