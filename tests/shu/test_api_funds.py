"""The SHU funds over the API: GET /shu/funds (balances and spends), POST /shu/funds/spend.

Figures come from ``tests/shu/conftest.py``: after ``distributed`` the four funds dana pengurus,
karyawan, pendidikan and sosial each hold Rp56.000 (2-1400 credited Rp224.000 on 20/01/2026).
The API cannot pass ``today``: it is the machine's date, after 2026-01-28 (the spend date used).
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.shu.models import ShuFundSpend
from koperasi.shu.selectors import fund_balances
from tests.shu.conftest import CLOSE_TODAY, close_months

pytestmark = pytest.mark.django_db

C = "/coops/manggar"
FUNDS = f"{C}/shu/funds"
SPEND = f"{C}/shu/funds/spend"
BODY = {
    "fund": "dana_pendidikan",
    "amount": 50_000,
    "date": "2026-01-28",
    "channel": "tunai",
    "purpose": "Pelatihan perkoperasian pengurus",
    "recipient": "LPK Koperasi Kaltim",
}
FOUR = [
    ("dana_pengurus", "Dana pengurus"),
    ("dana_karyawan", "Dana karyawan"),
    ("dana_pendidikan", "Dana pendidikan"),
    ("dana_sosial", "Dana sosial"),
]
# Pinned query counts (the token's first use also stamps it, so each count is taken after a warm-up call):
# auth 4 (token, cooperative, roles, regional roles); the cooperative lock, the distributions and the spends
# per fund 3; the journal 5 (chain head, accounts, entry, lines, posted); the spend and its audit row 2;
# savepoints 4.
SPEND_QUERIES = 18  # a spend, whatever the number of funds and spends before it
LIST_QUERIES = 7  # GET /shu/funds, whatever the number of spends


def error(response: Any) -> tuple[int, str]:
    body = response.json()
    assert set(body) == {"code", "message", "detail"}, body
    return response.status_code, body["code"]


def state() -> tuple[Any, ...]:
    """What a refused call must leave unchanged: the spends, the books, the audit trail, every balance."""
    from koperasi.cooperatives.models import Cooperative

    return (
        list(ShuFundSpend.objects.order_by("pk").values_list("pk", "fund", "amount")),
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        AuditEvent.objects.count(),
        [(c.code, fund_balances(cooperative=c)) for c in Cooperative.objects.order_by("pk")],
    )


def fund_row(key: str, name: str, credited: int = 56_000, spent: int = 0) -> dict[str, Any]:
    return {
        "fund": key,
        "name": name,
        "credited": credited,
        "spent": spent,
        "balance": credited - spent,
        "by_year": [{"year": 2025, "amount": credited}],
    }


@pytest.fixture
def books(year_books: Any, distributed: Any) -> Any:
    return year_books


@pytest.fixture
def treasurer(books: Any, api_as: Any) -> Any:
    return api_as(books.bendahara)


# --- Reading and spending ---------------------------------------------------------------------------
def test_the_four_funds_then_a_cash_spend_leaving_6_000(books: Any, treasurer: Any) -> None:
    before = treasurer.get(FUNDS)
    assert before.status_code == 200
    assert before.json() == {"funds": [fund_row(key, name) for key, name in FOUR], "spends": []}

    response = treasurer.post(SPEND, BODY)
    assert response.status_code == 201, response.json()
    spend = ShuFundSpend.objects.get()
    entry = JournalEntry.objects.get(source_type="shu_fund")
    assert response.json() == {
        "id": spend.pk,
        "fund": "dana_pendidikan",
        "name": "Dana pendidikan",
        "amount": 50_000,
        "date": "2026-01-28",
        "channel": "tunai",
        "purpose": "Pelatihan perkoperasian pengurus",
        "recipient": "LPK Koperasi Kaltim",
        "entry_number": entry.number,
        "created_by": "bendahara-manggar",
    }
    assert entry.number.startswith("JU-")
    lines = JournalLine.objects.filter(entry=entry).order_by("pk").values_list("account__code", "debit", "credit")
    assert list(lines) == [("2-1400", 50_000, 0), ("1-1100", 0, 50_000)]
    assert AuditEvent.objects.filter(action="shu.fund.spend", object_id=str(spend.pk)).count() == 1

    after = treasurer.get(FUNDS).json()
    assert after["funds"] == [
        fund_row("dana_pengurus", "Dana pengurus"),
        fund_row("dana_karyawan", "Dana karyawan"),
        fund_row("dana_pendidikan", "Dana pendidikan", spent=50_000),
        fund_row("dana_sosial", "Dana sosial"),
    ]
    assert after["spends"] == [response.json()]


def test_a_bank_spend_without_recipient_and_the_fund_filter(books: Any, treasurer: Any) -> None:
    first = treasurer.post(SPEND, BODY).json()
    body = {"fund": "dana_sosial", "amount": 56_000, "date": "2026-01-30", "channel": "bank", "purpose": "Bantuan"}
    response = treasurer.post(SPEND, body)
    assert response.status_code == 201
    second = response.json()
    assert (second["name"], second["channel"], second["recipient"], second["amount"]) == (
        "Dana sosial",
        "bank",
        "",
        56_000,
    )
    entry = JournalEntry.objects.get(source_type="shu_fund", date="2026-01-30")
    assert second["entry_number"] == entry.number
    lines = JournalLine.objects.filter(entry=entry).order_by("pk").values_list("account__code", "debit", "credit")
    assert list(lines) == [("2-1400", 56_000, 0), ("1-1200", 0, 56_000)]
    # A null recipient is no recipient.
    third = treasurer.post(SPEND, {**BODY, "amount": 1_000, "recipient": None}).json()
    assert third["recipient"] == ""

    assert [s["id"] for s in treasurer.get(FUNDS).json()["spends"]] == [second["id"], third["id"], first["id"]]
    assert [s["id"] for s in treasurer.get(FUNDS, fund="dana_pendidikan").json()["spends"]] == [
        third["id"],
        first["id"],
    ]
    assert treasurer.get(FUNDS, fund="dana_sosial").json()["spends"] == [second]
    # An unknown fund has no spends; the balances are all there whatever the filter.
    filtered = treasurer.get(FUNDS, fund="dana_lain").json()
    assert filtered["spends"] == []
    assert [(f["fund"], f["balance"]) for f in filtered["funds"]] == [
        ("dana_pengurus", 56_000),
        ("dana_karyawan", 56_000),
        ("dana_pendidikan", 5_000),
        ("dana_sosial", 0),
    ]


def test_only_the_newest_100_spends_are_listed(books: Any, treasurer: Any) -> None:
    from koperasi.shu.services import shu_fund_spend

    for i in range(101):
        shu_fund_spend(
            cooperative=books.coop,
            fund="dana_pengurus",
            amount=100 + i,
            date=datetime.date(2026, 1, 21),
            channel="tunai",
            purpose=f"Rapat {i}",
            actor=books.bendahara,
            today=CLOSE_TODAY,
        )
    assert treasurer.get(FUNDS, fund="dana_sosial").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        body = treasurer.get(FUNDS).json()
    assert len(queries) == LIST_QUERIES, [q["sql"] for q in queries]
    assert len(body["spends"]) == 100
    assert [s["amount"] for s in body["spends"][:2]] == [200, 199]
    assert body["spends"][-1]["amount"] == 101
    assert body["funds"][0] == fund_row("dana_pengurus", "Dana pengurus", spent=sum(range(100, 201)))


def test_the_same_idempotency_key_returns_the_first_spend(books: Any, treasurer: Any) -> None:
    key = {"Idempotency-Key": "dana-pendidikan-0128"}
    first = treasurer.post(SPEND, BODY, headers=key)
    assert first.status_code == 201
    counts = (ShuFundSpend.objects.count(), JournalEntry.objects.count(), AuditEvent.objects.count())
    again = treasurer.post(SPEND, {**BODY, "amount": 6_000, "channel": "bank"}, headers=key)
    assert again.status_code == 201
    assert again.json() == first.json()
    assert (ShuFundSpend.objects.count(), JournalEntry.objects.count(), AuditEvent.objects.count()) == counts
    other = treasurer.post(SPEND, {**BODY, "amount": 6_000}, headers={"Idempotency-Key": "dana-pendidikan-0129"})
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"]
    assert fund_balances(cooperative=books.coop)[2].balance == 0
    before = state()
    assert error(treasurer.post(SPEND, {**BODY, "amount": 1}, headers={"Idempotency-Key": "k" * 81})) == (
        422,
        "invalid",
    )
    assert state() == before


# --- Refusals ---------------------------------------------------------------------------------------
def test_one_rupiah_over_the_balance_is_409_fund_insufficient(books: Any, treasurer: Any) -> None:
    assert treasurer.post(SPEND, BODY).status_code == 201
    before = state()
    response = treasurer.post(SPEND, {**BODY, "amount": 6_001})
    assert response.status_code == 409
    assert response.json() == {
        "code": "fund_insufficient",
        "message": "Sisa Dana pendidikan Rp 6.000; tidak cukup untuk Rp 6.001.",
        "detail": {"amount": ["Paling banyak Rp 6.000."]},
    }
    assert state() == before
    assert treasurer.post(SPEND, {**BODY, "amount": 6_000}).status_code == 201


def test_a_spend_in_a_closed_month_is_409_period_closed(books: Any, treasurer: Any) -> None:
    close_months(books.coop, 2026, books.bendahara, months=range(1, 2))
    before = state()
    response = treasurer.post(SPEND, BODY)
    assert response.status_code == 409
    assert response.json() == {
        "code": "period_closed",
        "message": "Periode 01/2026 sudah ditutup; jurnal tidak dapat dicatat pada tanggal itu.",
        "detail": {"date": ["Periode 01/2026 sudah ditutup."]},
    }
    assert state() == before


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"fund": "dana_pembangunan_daerah_kerja"}, "fund", None),
        ({"fund": "cadangan"}, "fund", None),
        ({"fund": ""}, "fund", None),
        ({"amount": 0}, "amount", "Jumlah harus rupiah bulat lebih dari 0."),
        ({"amount": -1}, "amount", "Jumlah harus rupiah bulat lebih dari 0."),
        ({"amount": 10**16}, "amount", "Jumlah terlalu besar."),
        ({"date": "2999-12-31"}, "date", "Tanggal tidak boleh di masa depan."),
        ({"channel": "cek"}, "channel", "Cara bayar harus 'tunai' atau 'bank'."),
        ({"channel": "sukarela"}, "channel", "Cara bayar harus 'tunai' atau 'bank'."),
        ({"purpose": ""}, "purpose", "Keperluan wajib diisi."),
        ({"purpose": "   "}, "purpose", "Keperluan wajib diisi."),
        ({"purpose": "x" * 201}, "purpose", "Keperluan paling panjang 200 karakter."),
        ({"recipient": "x" * 121}, "recipient", "Penerima paling panjang 120 karakter."),
    ],
)
def test_bad_input_is_422_on_its_field_and_writes_nothing(
    books: Any, treasurer: Any, change: dict[str, Any], field: str, message: str | None
) -> None:
    before = state()
    response = treasurer.post(SPEND, {**BODY, **change})
    assert error(response) == (422, "invalid")
    detail = response.json()["detail"]
    assert list(detail) == [field]
    if message is None:  # an unknown fund names the funds there are
        assert detail[field] == [
            "Dana tidak dikenal. Dana yang ada: Dana pengurus, Dana karyawan, Dana pendidikan, Dana sosial."
        ]
    else:
        assert detail[field] == [message]
    assert state() == before


# Odd bodies: each 422 (a schema or service refusal), never 500, nothing written.
ODD_BODIES: list[Any] = [
    {**BODY, "amount": "50000"},
    {**BODY, "amount": 50_000.0},
    {**BODY, "amount": 50_000.5},
    {**BODY, "amount": True},
    {**BODY, "amount": None},
    {**BODY, "amount": 10**30},
    {**BODY, "amount": [50_000]},
    {**BODY, "amount": {"value": 50_000}},
    {**BODY, "fund": None},
    {**BODY, "fund": 7},
    {**BODY, "fund": ["dana_pendidikan"]},
    {**BODY, "fund": "dana_pendidikan\x00"},
    {**BODY, "purpose": "\x00"},
    {**BODY, "purpose": None},
    {**BODY, "recipient": "LPK\x00"},
    {**BODY, "recipient": 12},
    {**BODY, "channel": None},
    {**BODY, "channel": "tunai\x00"},
    {**BODY, "date": "9999-12-31"},
    {**BODY, "date": "2026-02-30"},
    {**BODY, "date": "28/01/2026"},
    {**BODY, "date": "2026-01-28T10:00:00"},
    {**BODY, "date": 20260128},
    {**BODY, "date": None},
    {**BODY, "date": ""},
    {k: v for k, v in BODY.items() if k != "purpose"},
    {k: v for k, v in BODY.items() if k != "amount"},
    {},
    [BODY],
    [],
    "dana_pendidikan",
    50_000,
]


def test_odd_bodies_are_422_never_500_and_write_nothing(books: Any, treasurer: Any) -> None:
    before = state()
    for body in ODD_BODIES:
        response = treasurer.client.post(
            "/api/v1" + SPEND, json.dumps(body), content_type="application/json", headers=treasurer.headers
        )
        assert response.status_code == 422, (body, response.status_code, response.content[:300])
        assert set(response.json()) == {"code", "message", "detail"}, body
    for raw in (b"{", b"not json", b'{"amount": 1e999}', b"\x00", b'{"amount": NaN}'):
        response = treasurer.client.post(
            "/api/v1" + SPEND, raw, content_type="application/json", headers=treasurer.headers
        )
        assert response.status_code in (400, 422), (raw, response.status_code, response.content[:300])
        assert set(response.json()) == {"code", "message", "detail"}, raw
    assert state() == before


@pytest.mark.parametrize("fund", ["a\x00b", "x" * 10_000])
def test_odd_fund_filters_never_500(books: Any, treasurer: Any, fund: str) -> None:
    response = treasurer.get(FUNDS, fund=fund)
    if "\x00" in fund:
        assert error(response) == (422, "invalid")
    else:
        assert response.status_code == 200
        assert response.json()["spends"] == []


# --- Who may do what --------------------------------------------------------------------------------
def test_ketua_and_pengawas_read_the_funds_but_do_not_spend(books: Any, api_as: Any) -> None:
    for user in (books.ketua, books.pengawas):
        client = api_as(user)
        assert client.get(FUNDS).status_code == 200
        before = state()
        assert error(client.post(SPEND, BODY)) == (403, "forbidden")
        assert state() == before


def test_the_kasir_who_pays_shares_neither_reads_nor_spends_the_funds(books: Any, api_as: Any) -> None:
    # SHU_PAY is not SHU_VIEW: the kasir pays members' shares but does not read the SHU pages (test_api.py).
    client = api_as(books.kasir)
    before = state()
    assert error(client.get(FUNDS)) == (403, "forbidden")
    assert error(client.post(SPEND, BODY)) == (403, "forbidden")
    assert state() == before


@pytest.mark.parametrize("role", [Role.ANGGOTA, Role.DINAS, Role.SEKRETARIS, Role.MANAJER])
def test_other_roles_do_not_spend(books: Any, grant: Any, make_user: Any, api_as: Any, role: str) -> None:
    if role == Role.DINAS:
        from koperasi.core.models import RegionalRole

        user = make_user("dinas-dana")
        RegionalRole.objects.create(user=user, role=Role.DINAS, region_id="64.71")
    else:
        user = grant(books.coop, role, f"{role}-dana")
    client = api_as(user)
    before = state()
    assert error(client.post(SPEND, BODY)) == (403, "forbidden")
    expected_get = 200 if role in (Role.SEKRETARIS, Role.MANAJER) else 403
    assert client.get(FUNDS).status_code == expected_get
    assert state() == before


def test_another_cooperative_s_officers_get_404_and_see_only_their_own(
    books: Any, other_coop: Any, grant: Any, api_as: Any, treasurer: Any
) -> None:
    assert treasurer.post(SPEND, BODY).status_code == 201
    before = state()
    for role in (Role.BENDAHARA, Role.KETUA):
        client = api_as(grant(other_coop, role, f"{role}-lamaru-dana"))
        assert error(client.get(FUNDS)) == (404, "not_found")
        assert error(client.post(SPEND, BODY)) == (404, "not_found")
        # On its own cooperative: no funds, and Manggar's fund key is not one of them.
        assert client.get("/coops/lamaru/shu/funds").json() == {"funds": [], "spends": []}
        if role == Role.BENDAHARA:
            refused = client.post("/coops/lamaru/shu/funds/spend", {**BODY, "amount": 1_000})
            assert error(refused) == (422, "invalid")
            assert refused.json()["detail"] == {"fund": ["Belum ada dana dari SHU."]}
    assert state() == before


def test_anonymous_gets_401(books: Any, api_as: Any) -> None:
    client = api_as(None)
    before = state()
    assert error(client.get(FUNDS)) == (401, "unauthenticated")
    assert error(client.post(SPEND, BODY)) == (401, "unauthenticated")
    assert state() == before


# --- Cost -------------------------------------------------------------------------------------------
def test_a_spend_costs_the_same_queries_however_many_spends_came_before(books: Any, treasurer: Any) -> None:
    assert treasurer.get(FUNDS).status_code == 200
    for n in range(3):
        with CaptureQueriesContext(connection) as queries:
            response = treasurer.post(SPEND, {**BODY, "amount": 1_000, "purpose": f"Pelatihan {n}"})
        assert response.status_code == 201
        assert len(queries) == SPEND_QUERIES, [q["sql"] for q in queries]
    with CaptureQueriesContext(connection) as queries:
        assert treasurer.get(FUNDS).status_code == 200
    assert len(queries) == LIST_QUERIES, [q["sql"] for q in queries]


def test_both_paths_are_in_the_openapi_schema(client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths["/api/v1/coops/{coop}/shu/funds"]) == {"get"}
    assert set(paths["/api/v1/coops/{coop}/shu/funds/spend"]) == {"post"}
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(components["ShuFundsOut"]["properties"]) == {"funds", "spends"}
    assert set(components["ShuFundSpendOut"]["properties"]) == {
        "id",
        "fund",
        "name",
        "amount",
        "date",
        "channel",
        "purpose",
        "recipient",
        "entry_number",
        "created_by",
    }
    assert set(components["ShuFundOut"]["properties"]) == {"fund", "name", "credited", "spent", "balance", "by_year"}
