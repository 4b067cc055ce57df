"""Odd input to the SHU API (text for numbers, floats, booleans, NUL, huge numbers, years out of range,
percentages that are not percentages, allocations that are not lists, too many lines): 4xx, never 500,
and nothing written.

Every call is made on Manggar's distributed 2025 (``tests/shu/conftest.py``) by one person who holds
both ketua and bendahara, so each call passes the permission check and reaches its handler.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from koperasi.core.models import AuditEvent, CooperativeRole
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry
from koperasi.savings.models import SavingsTransaction
from koperasi.shu.models import FiscalYear, FiscalYearReopenRequest, ShuDistribution, ShuMemberShare, ShuPolicy

pytestmark = pytest.mark.django_db

HUGE = 10**30
HUGE_TEXT = "99999999999999999999999"
C = "/coops/manggar"
RAT = "2026-01-20"
ALLOCATION = [{"pool": "cadangan", "percent": "60"}, {"pool": "jasa_modal", "percent": "40"}]
SIMULATE = {"shu_total": 1_000_000, "capital_kinds": ["pokok", "wajib"], "allocation": ALLOCATION}
POLICY = {"effective_year": 2026, "capital_kinds": ["pokok", "wajib"], "allocation": ALLOCATION}
APPROVE = {"rat_date": RAT, "decision_number": "03/RAT/2026"}
PAY = {"method": "tunai", "date": "2026-01-25"}
SIM = f"{C}/shu/2025/simulate"


def line(percent: Any) -> list[dict[str, Any]]:
    """An allocation whose cadangan line has ``percent`` (the rest is a valid jasa modal line)."""
    return [{"pool": "cadangan", "percent": percent}, {"pool": "jasa_modal", "percent": "40"}]


FIFTY_LINES = [{"pool": "lainnya", "label": f"Dana {i}", "percent": "2"} for i in range(49)] + [
    {"pool": "cadangan", "percent": "2"}
]

# Groups of calls: method, path, body, the status expected. One test per group (one set-up), each call checked.
API_CALLS: dict[str, list[tuple[str, str, Any, int]]] = {
    # Years in the path: not a number, out of 1900–2999, beyond any integer column.
    "years": [
        ("get", f"{C}/shu/abc", None, 422),
        ("get", f"{C}/shu/{HUGE_TEXT}", None, 422),
        ("get", f"{C}/shu/-1", None, 422),
        ("get", f"{C}/shu/0", None, 422),
        ("get", f"{C}/shu/1899", None, 422),
        ("get", f"{C}/shu/3000", None, 422),
        ("get", f"{C}/shu/{HUGE_TEXT}/close-check", None, 422),
        ("get", f"{C}/shu/1899/close-check", None, 422),
        ("get", f"{C}/shu/{HUGE_TEXT}/reopen-requests", None, 422),
        ("get", f"{C}/shu/{HUGE_TEXT}/members", None, 422),
        ("post", f"{C}/shu/{HUGE_TEXT}/close", None, 422),
        ("post", f"{C}/shu/abc/close", None, 422),
        ("post", f"{C}/shu/3000/close", None, 422),
        ("post", f"{C}/shu/{HUGE_TEXT}/simulate", SIMULATE, 422),
        ("post", f"{C}/shu/-5/simulate", SIMULATE, 422),
        ("post", f"{C}/shu/{HUGE_TEXT}/approve", APPROVE, 422),
        ("post", f"{C}/shu/{HUGE_TEXT}/reopen-requests", {"reason": "x"}, 422),
        ("post", f"{C}/shu/{HUGE_TEXT}/pay-all", PAY, 422),
        ("post", f"{C}/shu/{HUGE_TEXT}/members/1/pay", PAY, 422),
    ],
    # Ids that cannot exist are "not found"; ids that are not numbers are 422.
    "ids": [
        ("post", f"{C}/shu/reopen-requests/{HUGE_TEXT}/approve", None, 404),
        ("post", f"{C}/shu/reopen-requests/0/approve", None, 404),
        ("post", f"{C}/shu/reopen-requests/-1/approve", None, 404),
        ("post", f"{C}/shu/reopen-requests/abc/approve", None, 422),
        ("post", f"{C}/shu/2025/members/{HUGE_TEXT}/pay", PAY, 404),
        ("post", f"{C}/shu/2025/members/0/pay", PAY, 404),
        ("post", f"{C}/shu/2025/members/abc/pay", PAY, 422),
        ("get", "/coops/%00/shu", None, 404),
        ("get", f"/coops/{HUGE_TEXT}/shu/2025", None, 404),
    ],
    # Queries.
    "queries": [
        ("get", f"{C}/shu?limit=0", None, 422),
        ("get", f"{C}/shu?limit=501", None, 422),
        ("get", f"{C}/shu?offset=-1", None, 422),
        ("get", f"{C}/shu?limit={HUGE_TEXT}", None, 422),
        ("get", f"{C}/shu?offset={HUGE_TEXT}", None, 422),
        ("get", f"{C}/shu/policy?year=abc", None, 422),
        ("get", f"{C}/shu/policy?year={HUGE_TEXT}", None, 422),
        ("get", f"{C}/shu/policy?year=3000", None, 422),
        ("get", f"{C}/shu/policy?year=%00", None, 422),
        ("get", f"{C}/shu/2025/members?limit=abc", None, 422),
        ("get", f"{C}/shu/2025/members?offset={HUGE_TEXT}", None, 422),
        ("get", f"{C}/shu/2025/members?unpaid=barangkali", None, 422),
        ("get", f"{C}/shu/2025/members?unpaid=%00", None, 422),
        ("get", f"{C}/shu/2025/reopen-requests?limit=0", None, 422),
    ],
    # Simulation: the SHU total must be a whole, non-negative JSON integer of sane size.
    "shu_total": [
        ("post", SIM, {}, 422),
        ("post", SIM, [], 422),
        ("post", SIM, {**SIMULATE, "shu_total": "40000000"}, 422),
        ("post", SIM, {**SIMULATE, "shu_total": 40_000_000.0}, 422),
        ("post", SIM, {**SIMULATE, "shu_total": 40_000_000.5}, 422),
        ("post", SIM, {**SIMULATE, "shu_total": True}, 422),
        ("post", SIM, {**SIMULATE, "shu_total": None}, 422),
        ("post", SIM, {**SIMULATE, "shu_total": -1}, 422),
        ("post", SIM, {**SIMULATE, "shu_total": HUGE}, 422),
        ("post", SIM, {**SIMULATE, "shu_total": 10**15 + 1}, 422),
    ],
    # Capital kinds: a list of known kinds.
    "capital_kinds": [
        ("post", SIM, {**SIMULATE, "capital_kinds": "pokok"}, 422),
        ("post", SIM, {**SIMULATE, "capital_kinds": [1]}, 422),
        ("post", SIM, {**SIMULATE, "capital_kinds": ["pokok\x00"]}, 422),
        ("post", SIM, {**SIMULATE, "capital_kinds": ["x" * 5000]}, 422),
        ("post", SIM, {**SIMULATE, "capital_kinds": {"pokok": True}}, 422),
    ],
    # Allocation: a list of lines.
    "allocation": [
        ("post", SIM, {**SIMULATE, "allocation": "abc"}, 422),
        ("post", SIM, {**SIMULATE, "allocation": {"pool": "cadangan", "percent": "100"}}, 422),
        ("post", SIM, {**SIMULATE, "allocation": 5}, 422),
        ("post", SIM, {**SIMULATE, "allocation": [1, 2]}, 422),
        ("post", SIM, {**SIMULATE, "allocation": [[]]}, 422),
        ("post", SIM, {**SIMULATE, "allocation": []}, 422),
        ("post", SIM, {**SIMULATE, "allocation": [{"pool": "cadangan"}]}, 422),
        ("post", SIM, {**SIMULATE, "allocation": FIFTY_LINES}, 422),
        ("post", SIM, {**SIMULATE, "allocation": [{"pool": "cadangan", "percent": "100"}] * 31}, 422),
    ],
    # Percentages: digits with at most two decimals, as a string.
    "percent": [
        ("post", SIM, {**SIMULATE, "allocation": line("abc")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("1e2")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("10.001")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("59.999")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("12,5")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("-60")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("0")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("Infinity")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("NaN")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("\u0666\u0660")}, 422),  # Arabic-Indic "60"
        ("post", SIM, {**SIMULATE, "allocation": line("6" * 400)}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("60." + "0" * 400)}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line("60\x00")}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line(60)}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line(60.0)}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line(True)}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line(None)}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line(["60"])}, 422),
        ("post", SIM, {**SIMULATE, "allocation": line(HUGE)}, 422),
    ],
    # Pools, units, bases, labels.
    "pools": [
        ("post", SIM, {**SIMULATE, "allocation": [{"pool": "cadangan\x00", "percent": "100"}]}, 422),
        ("post", SIM, {**SIMULATE, "allocation": [{"pool": "x" * 5000, "percent": "100"}]}, 422),
        ("post", SIM, {**SIMULATE, "allocation": [{"pool": 5, "percent": "100"}]}, 422),
        ("post", SIM, {**SIMULATE, "allocation": [{"pool": None, "percent": "100"}]}, 422),
        (
            "post",
            SIM,
            {**SIMULATE, "allocation": [*line("60")[:1], {"pool": "jasa_usaha", "unit": "gerai\x00", "percent": "40"}]},
            422,
        ),
        (
            "post",
            SIM,
            {
                **SIMULATE,
                "allocation": [
                    *line("60")[:1],
                    {"pool": "jasa_usaha", "unit": "x" * 5000, "basis": "purchases", "percent": "40"},
                ],
            },
            422,
        ),
        (
            "post",
            SIM,
            {
                **SIMULATE,
                "allocation": [
                    *line("60")[:1],
                    {"pool": "jasa_usaha", "unit": "gerai_sembako", "basis": 1, "percent": "40"},
                ],
            },
            422,
        ),
        (
            "post",
            SIM,
            {**SIMULATE, "allocation": [*line("60")[:1], {"pool": "lainnya", "label": "BPK\x00", "percent": "40"}]},
            422,
        ),
        (
            "post",
            SIM,
            {
                **SIMULATE,
                "allocation": [*line("60")[:1], {"pool": "jasa_modal", "unit": "gerai_sembako", "percent": "40"}],
            },
            422,
        ),
    ],
    # Policy.
    "policy": [
        ("post", f"{C}/shu/policy", {**POLICY, "effective_year": "2026"}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "effective_year": 2026.0}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "effective_year": True}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "effective_year": HUGE}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "effective_year": 1899}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "effective_year": 3000}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "effective_year": -1}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "note": "AD/ART\x00"}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "non_member_destination": "anggota"}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "non_member_destination": "\x00"}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "non_member_destination": None}, 422),
        ("post", f"{C}/shu/policy", {"effective_year": 2026, "allocation": ALLOCATION}, 422),
        ("post", f"{C}/shu/policy", {"effective_year": 2026, "capital_kinds": ["pokok"]}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "allocation": line("1e2")}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "allocation": FIFTY_LINES}, 422),
        ("post", f"{C}/shu/policy", {**POLICY, "capital_kinds": []}, 422),
    ],
    # Approval (2025 is already distributed: odd input is refused before that is looked at).
    "approve": [
        ("post", f"{C}/shu/2025/approve", {}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "rat_date": "2026-13-01"}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "rat_date": "20/01/2026"}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "rat_date": 20260120}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "rat_date": True}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "rat_date": "9999-12-31"}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "rat_date": "2026-01-20T00:00:00"}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "decision_number": "03\x00"}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "decision_number": "x" * 5000}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "decision_number": 3}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "decision_number": ""}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "allocation": "abc"}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "allocation": line("abc")}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "allocation": line("10.001")}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "allocation": FIFTY_LINES}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "capital_kinds": ["\x00"]}, 422),
        ("post", f"{C}/shu/2025/approve", {**APPROVE, "capital_kinds": "pokok"}, 422),
    ],
    # Reopening.
    "reopen": [
        ("post", f"{C}/shu/2025/reopen-requests", {"reason": "Koreksi\x00"}, 422),
        ("post", f"{C}/shu/2025/reopen-requests", {"reason": 5}, 422),
        ("post", f"{C}/shu/2025/reopen-requests", {}, 422),
        ("post", f"{C}/shu/2025/reopen-requests", {"reason": ""}, 422),
    ],
    # Paying.
    "pay": [
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "method": "tunai\x00"}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "method": 1}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "method": True}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "method": "x" * 5000}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "date": "2026-02-30"}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "date": "kemarin"}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "date": 20260125}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "date": "9999-12-31"}, 422),
        ("post", f"{C}/shu/2025/members/{{budi}}/pay", {**PAY, "date": "2025-12-31"}, 422),
        ("post", f"{C}/shu/2025/pay-all", {}, 422),
        ("post", f"{C}/shu/2025/pay-all", {**PAY, "method": "\x00"}, 422),
        ("post", f"{C}/shu/2025/pay-all", {**PAY, "method": "bitcoin"}, 422),
        ("post", f"{C}/shu/2025/pay-all", {**PAY, "date": "2026-02-30"}, 422),
        ("post", f"{C}/shu/2025/pay-all", {**PAY, "date": "2027-01-01"}, 422),
    ],
}


def _counts() -> tuple[Any, ...]:
    return (
        list(FiscalYear.objects.order_by("pk").values_list("pk", "status", "times_reopened")),
        FiscalYearReopenRequest.objects.count(),
        ShuPolicy.objects.count(),
        ShuDistribution.objects.count(),
        list(ShuMemberShare.objects.order_by("pk").values_list("pk", "paid_on")),
        JournalEntry.objects.count(),
        SavingsTransaction.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def officer(coop: Any, make_user: Any) -> Any:
    """One person holding ketua and bendahara: every SHU action is allowed."""
    user = make_user("ketua-bendahara-shu")
    for role in (Role.KETUA, Role.BENDAHARA):
        CooperativeRole.objects.create(cooperative=coop, user=user, role=role)
    return user


def _fill(value: Any, world: dict[str, Any]) -> Any:
    if isinstance(value, str):
        for placeholder, replacement in world.items():
            value = value.replace(placeholder, str(replacement))
    return value


def _send(client: Any, method: str, path: str, body: Any) -> Any:
    if method == "get":
        return client.get(path)
    # ``ApiClient.post`` sends ``{}`` for a falsy body; a list or an empty object must go as it is.
    return client.client.post(
        "/api/v1" + path,
        json.dumps(body) if body is not None else "",
        content_type="application/json",
        headers=client.headers,
    )


@pytest.mark.parametrize("group", list(API_CALLS))
def test_odd_api_calls_are_client_errors_and_write_nothing(
    distributed: Any, year_books: Any, officer: Any, api_as: Any, group: str
) -> None:
    client = api_as(officer)
    wrong = []
    for method, path, body, status in API_CALLS[group]:
        path = _fill(path, {"{budi}": year_books.budi.pk})
        before = _counts()
        response = _send(client, method, path, body)
        shape = set(response.json()) if response.status_code < 500 else set()
        if response.status_code != status or shape != {"code", "message", "detail"} or _counts() != before:
            wrong.append((method, path, repr(body)[:120], response.status_code, response.content[:300]))
    assert wrong == []


@pytest.mark.parametrize(
    "raw",
    [
        '{"shu_total": 4e7}',
        '{"shu_total": 1e400}',
        '{"shu_total": 40000000, "allocation": [{"pool": "cadangan", "percent": 1e2}]}',
        '{"shu_total": ',
        "",
        "null",
        '"40000000"',
        '{"shu_total": NaN}',
        '{"shu_total": 40000000, "allocation": [{"pool": "cadangan", "percent": "' + "9" * 10_000 + '"}]}',
    ],
)
def test_malformed_simulation_bodies_are_client_errors(distributed: Any, officer: Any, api_as: Any, raw: str) -> None:
    client = api_as(officer)
    response = client.client.post("/api/v1" + SIM, raw, content_type="application/json", headers=client.headers)
    assert 400 <= response.status_code < 500, response.content
    assert set(response.json()) == {"code", "message", "detail"}


def test_percent_refusals_name_the_line_and_say_what_was_written(distributed: Any, officer: Any, api_as: Any) -> None:
    client = api_as(officer)
    number = client.post(SIM, {**SIMULATE, "allocation": line(60)})
    assert number.status_code == 422
    assert number.json()["detail"] == {
        "allocation.0.percent": ['Persentase ditulis sebagai teks, mis. "12.5" (bukan angka JSON atau boolean).']
    }
    exponent = client.post(SIM, {**SIMULATE, "allocation": line("1e2")})
    assert (exponent.json()["code"], exponent.json()["detail"]) == (
        "shu_allocation_invalid",
        {
            "allocation.1": [
                'Baris 1: persentase harus angka dengan paling banyak dua desimal, mis. "12.5" (tertulis "1e2").'
            ]
        },
    )
    three_decimals = client.post(SIM, {**SIMULATE, "allocation": line("10.001")})
    assert (three_decimals.json()["code"], three_decimals.json()["detail"]) == (
        "shu_allocation_invalid",
        {"allocation.1": ['Baris 1: persentase harus angka dengan paling banyak dua desimal, mis. "12.5".']},
    )
    fifty = client.post(SIM, {**SIMULATE, "allocation": FIFTY_LINES})
    assert (fifty.json()["code"], fifty.json()["message"]) == (
        "shu_allocation_invalid",
        "Pembagian SHU paling banyak 30 baris.",
    )
    negative = client.post(SIM, {**SIMULATE, "shu_total": -1})
    assert (negative.json()["code"], negative.json()["detail"]) == (
        "shu_total_negative",
        {"shu_total": ["Total SHU tidak boleh negatif."]},
    )
    year = client.get(f"{C}/shu/3000")
    assert (year.json()["code"], year.json()["detail"]) == (
        "invalid",
        {"year": ["Tahun buku harus antara 1900 dan 2999."]},
    )
