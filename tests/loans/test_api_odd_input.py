"""Odd input to the loans API (huge numbers, text, floats, booleans, missing fields): 4xx, never a 500."""

from __future__ import annotations

from typing import Any

import pytest

from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry
from koperasi.loans.models import Loan, LoanApproval, LoanInstallment, LoanProduct, LoanTransaction

pytestmark = pytest.mark.django_db

HUGE = 10**30
HUGE_TEXT = "99999999999999999999999"
C = "/coops/manggar"
L = "/coops/manggar/loans/{loan}"
P = "/coops/manggar/loan-products/{product}"

PRODUCT = {"method": "flat", "rate_pa": "12", "max_term_months": 12, "max_principal": 1_000_000}

API_CALLS: list[tuple[str, str, Any]] = [
    # Paths and queries.
    ("get", f"{C}/loans/{HUGE_TEXT}", None),
    ("get", f"{C}/loans/abc", None),
    ("get", f"{C}/loans/-1", None),
    ("get", f"{C}/loans/{HUGE_TEXT}/transactions", None),
    ("get", f"{C}/loans/{HUGE_TEXT}/payoff-quote", None),
    ("get", L + "/payoff-quote?date=kemarin", None),
    ("get", L + "/payoff-quote?date=9999-99-99", None),
    ("get", L + "?as_of=2026-02-30", None),
    ("get", f"{C}/loan-products/{HUGE_TEXT}", None),
    ("get", f"{C}/loan-products?active=barangkali", None),
    ("get", f"{C}/loan-products?limit=abc&offset=-1", None),
    ("get", f"{C}/loans?limit=abc&offset=-1", None),
    ("get", f"{C}/loans?limit={HUGE_TEXT}", None),
    ("get", f"{C}/loans?member_id={HUGE_TEXT}", None),
    ("get", f"{C}/loans?status=%00", None),
    ("get", f"{C}/loans/reports/portfolio?date=abc", None),
    ("get", f"{C}/loans/reports/aging?date={HUGE_TEXT}", None),
    ("get", f"{C}/loans/reports/arrears?limit={HUGE_TEXT}", None),
    ("get", f"{C}/loans/reports/arrears?offset=-5", None),
    ("get", f"{C}/loans/reports/due?start=2026-01-01&end=2099-01-01", None),
    ("get", f"{C}/loans/reports/due?start=9999-12-31&end=0001-01-01", None),
    ("get", f"{C}/loans/month-end?limit=0", None),
    # Products.
    ("post", f"{C}/loan-products", {}),
    ("post", f"{C}/loan-products", {"name": ["x"], "method": 1, "rate_pa": None, "max_term_months": "12"}),
    (
        "post",
        f"{C}/loan-products",
        {"name": "Besar", "method": "flat", "rate_pa": "12", "max_term_months": HUGE, "max_principal": HUGE},
    ),
    (
        "post",
        f"{C}/loan-products",
        {"name": "x" * 500, "method": "flat", "rate_pa": "NaN", "max_term_months": 12, "max_principal": 1_000_000},
    ),
    (
        "post",
        f"{C}/loan-products",
        {"name": "Inf", "method": "flat", "rate_pa": "Infinity", "max_term_months": 12, "max_principal": 1_000_000},
    ),
    (
        "post",
        f"{C}/loan-products",
        {"name": "Exp", "method": "flat", "rate_pa": "1e400", "max_term_months": 12, "max_principal": 1_000_000},
    ),
    (
        "post",
        f"{C}/loan-products",
        {
            "name": "Aneh",
            "method": "flat",
            "rate_pa": "12",
            "max_term_months": 12,
            "max_principal": 1_000_000,
            "grace_days": HUGE,
            "min_principal": HUGE,
            "savings_multiple": "-1",
            "admin_fee_amount": -5,
            "fees_deducted": "mungkin",
        },
    ),
    ("patch", P, {"rate_pa": 12.5}),
    ("patch", P, {"max_term_months": HUGE, "min_term_months": -1}),
    ("patch", P, {"method": "bunga-berbunga", "savings_multiple": "abc"}),
    ("patch", f"{C}/loan-products/{HUGE_TEXT}", {"rate_pa": "1"}),
    # Applications and simulation.
    ("post", f"{C}/loans", {}),
    ("post", f"{C}/loans", {"member_id": HUGE, "product_id": "{product}", "principal": 1, "term_months": 1}),
    (
        "post",
        f"{C}/loans",
        {
            "member_id": "{member}",
            "product_id": HUGE,
            "principal": 1_000_000,
            "term_months": 12,
            "applied_on": "2026-02-02",
        },
    ),
    (
        "post",
        f"{C}/loans",
        {
            "member_id": "{member}",
            "product_id": "{product}",
            "principal": HUGE,
            "term_months": HUGE,
            "applied_on": "2026-02-02",
        },
    ),
    (
        "post",
        f"{C}/loans",
        {
            "member_id": "{member}",
            "product_id": "{product}",
            "principal": "1000000",
            "term_months": 12.0,
            "applied_on": 0,
        },
    ),
    (
        "post",
        f"{C}/loans",
        {
            "member_id": True,
            "product_id": False,
            "principal": 1e6,
            "term_months": True,
            "applied_on": "31/02/2026",
            "purpose": ["x"],
        },
    ),
    (
        "post",
        f"{C}/loans",
        {
            "member_id": "{member}",
            "product_id": "{product}",
            "principal": 1_000_000,
            "term_months": 12,
            "applied_on": "0001-01-01",
            "purpose": "x" * 5000,
        },
    ),
    ("post", f"{C}/loans/simulate", {}),
    ("post", f"{C}/loans/simulate", {"product_id": HUGE, "principal": 1, "term_months": 1}),
    ("post", f"{C}/loans/simulate", {"product_id": "{product}", "principal": HUGE, "term_months": 12}),
    ("post", f"{C}/loans/simulate", {"product_id": "{product}", "principal": -1, "term_months": 12}),
    ("post", f"{C}/loans/simulate", {"product_id": "{product}", "principal": 1_000_000, "term_months": HUGE}),
    ("post", f"{C}/loans/simulate", {"product_id": "{product}", "principal": 1.5, "term_months": "12"}),
    (
        "post",
        f"{C}/loans/simulate",
        {"product_id": "{product}", "principal": 1_000_000, "term_months": 12, "date": "9999-12-31"},
    ),
    # Decisions and disbursement.
    ("post", L + "/approve", {"note": HUGE}),
    ("post", L + "/approve", {"note": "x" * 5000}),
    ("post", f"{C}/loans/{HUGE_TEXT}/approve", {}),
    ("post", L + "/reject", {"reason": None}),
    ("post", L + "/reject", {"reason": ["x"]}),
    ("post", L + "/disburse", {"date": HUGE, "channel": None}),
    ("post", L + "/disburse", {"date": "2026-02-10", "channel": "sukarela", "reference": "x" * 5000}),
    ("post", f"{C}/loans/{HUGE_TEXT}/disburse", {"date": "2026-02-10"}),
    # Money.
    ("post", L + "/repayments", {}),
    ("post", L + "/repayments", {"amount": HUGE, "date": "2026-03-10"}),
    ("post", L + "/repayments", {"amount": -HUGE, "date": "2026-03-10"}),
    ("post", L + "/repayments", {"amount": "840000", "date": "2026-03-10"}),
    ("post", L + "/repayments", {"amount": 840_000.0, "date": "2026-03-10"}),
    ("post", L + "/repayments", {"amount": False, "date": "2026-03-10"}),
    ("post", L + "/repayments", {"amount": None, "date": None}),
    ("post", L + "/repayments", {"amount": 840_000, "date": "2026-13-01"}),
    ("post", L + "/repayments", {"amount": 840_000, "date": "1900-01-01", "channel": ["tunai"]}),
    ("post", L + "/repayments", {"amount": 840_000, "date": "2026-03-10", "channel": "transfer", "reference": "  "}),
    ("post", f"{C}/loans/{HUGE_TEXT}/repayments", {"amount": 1, "date": "2026-03-10"}),
    ("post", L + "/payoff", {"amount": HUGE, "date": "2026-03-10"}),
    ("post", L + "/payoff", {"amount": 9_090_000, "date": "kemarin"}),
    ("post", L + "/payoff", {"amount": 1, "date": "2026-03-10"}),
    ("post", L + "/write-off", {"reason": HUGE, "date": "2026-03-10"}),
    ("post", L + "/write-off", {"reason": "", "date": "x"}),
    ("post", L + "/recoveries", {"amount": HUGE, "date": "2026-03-10"}),
    ("post", L + "/recoveries", {"amount": 1, "date": "2026-03-10"}),
    # Batch and settings.
    ("post", f"{C}/loans/month-end", {}),
    ("post", f"{C}/loans/month-end", {"date": HUGE}),
    ("post", f"{C}/loans/month-end", {"date": "2099-12-31"}),
    ("post", f"{C}/loan-settings", {"effective_from": "x", "approval_limit": HUGE}),
    ("post", f"{C}/loan-settings", {"effective_from": "2026-01-01", "macet_after": HUGE, "rate_macet": "abc"}),
    ("post", f"{C}/loan-settings", {"effective_from": "2026-01-01", "approval_limit": -1, "rate_lancar": "NaN"}),
    # NUL characters (PostgreSQL cannot store them).
    ("get", f"{C}/loans?q=%00%27%22", None),
    ("get", "/coops/%00/loans", None),
    ("post", "/coops/man%00ggar/loans/month-end", {"date": "2026-05-31"}),
    ("post", f"{C}/loan-products", {**PRODUCT, "name": "Nul\u0000"}),
    ("patch", P, {"name": "Nul\u0000"}),
    (
        "post",
        f"{C}/loans",
        {
            "member_id": "{member}",
            "product_id": "{product}",
            "principal": 1_000_000,
            "term_months": 12,
            "applied_on": "2026-02-02",
            "purpose": "a\u0000b",
        },
    ),
    ("post", L + "/approve", {"note": "\u0000"}),
    ("post", L + "/repayments", {"amount": 840_000, "date": "2026-03-10", "reference": "\u0000"}),
    ("post", L + "/write-off", {"reason": "\u0000"}),
    # The wrong method on a path that exists.
    ("put", L, {"status": "closed"}),
    ("patch", L, {"outstanding_principal": 0}),
]


# Odd but possible: an answer (or a refusal), never a 500.
API_EDGES: list[str] = [
    L + "?as_of=9999-12-31",
    L + "?as_of=0001-01-01",
    L + "/payoff-quote?date=9999-12-31",
    L + "/payoff-quote?date=0001-01-01",
    f"{C}/loans/reports/portfolio?date=9999-12-31",
    f"{C}/loans/reports/portfolio?date=0001-01-01",
    f"{C}/loans/reports/portfolio?date=2999-12-31",
    f"{C}/loans/reports/portfolio?date=1900-01-01",
    f"{C}/loans/reports/aging?date=2999-12-31",
    f"{C}/loans/reports/arrears?date=2999-12-31",
    f"{C}/loans/reports/due?start=2999-12-25",
    L + "?as_of=2999-12-31",
    L + "/payoff-quote?date=2999-12-31",
    f"{C}/loans/reports/aging?date=9999-12-31",
    f"{C}/loans/reports/arrears?date=9999-12-31",
    f"{C}/loans/reports/arrears?date=0001-01-01",
    f"{C}/loans/reports/due?start=9999-12-30",
    f"{C}/loans/reports/due?start=0001-01-01",
    f"{C}/loans?q={HUGE_TEXT}",
    f"{C}/loans?q=PJ-{HUGE_TEXT}",
    f"{C}/loans?q=%27%22%25",
    f"{C}/loans?member_id=-1",
]


def _counts() -> tuple[int, ...]:
    return (
        Loan.objects.count(),
        LoanTransaction.objects.count(),
        LoanInstallment.objects.count(),
        LoanApproval.objects.count(),
        LoanProduct.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="loans.").count(),
    )


@pytest.mark.parametrize(("method", "path", "body"), API_CALLS)
def test_odd_api_call_is_a_client_error_and_writes_nothing(
    coop: Any, disbursed_loan: Any, bendahara: Any, api_as: Any, method: str, path: str, body: Any
) -> None:
    from koperasi.core.models import CooperativeRole

    # One user holding every officer role that acts on loans, so each call is reached, not refused.
    for role in ("ketua", "kasir"):
        CooperativeRole.objects.create(cooperative=coop, user=bendahara, role=role)
    client = api_as(bendahara)
    values = {"{loan}": disbursed_loan.pk, "{member}": disbursed_loan.member_id, "{product}": disbursed_loan.product_id}
    if isinstance(body, dict):
        body = {k: values.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    for placeholder, value in values.items():
        path = path.replace(placeholder, str(value))
    before = _counts()
    response = client.get(path) if method == "get" else getattr(client, method)(path, body)
    assert 400 <= response.status_code < 500, response.content
    if response.status_code != 405:
        assert set(response.json()) == {"code", "message", "detail"}
    assert _counts() == before


@pytest.mark.parametrize("path", API_EDGES)
def test_edge_api_read_is_never_a_server_error(
    coop: Any, disbursed_loan: Any, bendahara: Any, api_as: Any, path: str
) -> None:
    response = api_as(bendahara).get(path.replace("{loan}", str(disbursed_loan.pk)))
    assert response.status_code < 500, response.content
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message", "detail"}


def test_simulation_far_ahead_is_422(coop: Any, disbursed_loan: Any, bendahara: Any, api_as: Any) -> None:
    body = {"product_id": disbursed_loan.product_id, "principal": 1_000_000, "term_months": 12, "date": "9999-12-31"}
    r = api_as(bendahara).post(f"{C}/loans/simulate", body)
    assert (r.status_code, list(r.json()["detail"])) == (422, ["date"])
