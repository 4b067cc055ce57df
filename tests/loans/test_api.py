"""Loans over the API (DESIGN.md §9): products, apply, approve, disburse, repay, pay off, write off, reports."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import Sum
from django.utils import timezone

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.loans import services
from koperasi.loans.models import Loan, LoanApproval, LoanInstallment, LoanMonthEnd, LoanProduct, LoanTransaction
from koperasi.savings.models import SavingsAccount
from koperasi.savings.services import savings_deposit
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
PRODUCTS = "/coops/manggar/loan-products"
LOANS = "/coops/manggar/loans"


def counts() -> tuple[int, ...]:
    """What a refused write must leave unchanged."""
    return (
        Loan.objects.count(),
        LoanTransaction.objects.count(),
        LoanInstallment.objects.count(),
        LoanApproval.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="loans.").count(),
    )


def balance(code: str) -> int:
    """Debit − credit of an account of Manggar's books."""
    totals = JournalLine.objects.filter(account__code=code, entry__cooperative__code="manggar").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (totals["d"] or 0) - (totals["c"] or 0)


PRODUCT_BODY = {
    "name": "Pinjaman umum",
    "method": "flat",
    "rate_pa": "12",
    "max_term_months": 24,
    "max_principal": 50_000_000,
    "admin_fee_percent": "1",
    "penalty_rate_pm": "2",
    "grace_days": 3,
}


def apply_body(member: Any, product: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "member_id": member.pk,
        "product_id": product.pk,
        "principal": 9_000_000,
        "term_months": 12,
        "applied_on": "2026-02-02",
        "purpose": "Modal warung",
    }
    data.update(overrides)
    return data


@pytest.fixture
def lamaru_member(other_coop: Any, register_member: Any, other_ketua: Any) -> Any:
    """A member of the other cooperative (Lamaru) with pokok paid."""
    member = register_member(other_coop, name="Andi Lamaru")
    savings_deposit(
        cooperative=other_coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 7), actor=other_ketua
    )
    member.refresh_from_db()
    return member


@pytest.fixture
def applied(coop: Any, active_member: Any, product: Any, kasir: Any) -> Any:
    """Budi's Rp9.000.000 application of 2 February 2026 (12 months, flat 12 %)."""
    return services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=9_000_000,
        term_months=12,
        applied_on=D(2026, 2, 2),
        actor=kasir,
    )


@pytest.fixture
def approved(coop: Any, applied: Any, bendahara: Any, fund_cash: Any) -> Any:
    fund_cash(coop)
    return services.loan_approve(cooperative=coop, loan=applied, actor=bendahara)


def schedule_row(no: int, due: str, principal: int, interest: int, balance: int, **paid: Any) -> dict[str, Any]:
    row = {
        "no": no,
        "due_date": due,
        "principal": principal,
        "interest": interest,
        "installment": principal + interest,
        "balance": balance,
        "principal_paid": 0,
        "interest_paid": 0,
        "interest_waived": 0,
        "penalty": 0,
        "penalty_paid": 0,
        "paid": 0,
        "settled": False,
        "settled_on": None,
    }
    row.update(paid)
    return row


# --- The whole lifecycle ------------------------------------------------------------------------
def test_lifecycle_apply_approve_disburse_repay_payoff(
    coop: Any, active_member: Any, kasir: Any, bendahara: Any, fund_cash: Any, api_as: Any
) -> None:
    fund_cash(coop)  # JU-000002 (Budi's pokok is JU-000001)
    teller, treasurer = api_as(kasir), api_as(bendahara)

    # The bendahara sets up the product.
    r = treasurer.post(PRODUCTS, PRODUCT_BODY)
    assert r.status_code == 201, r.content
    product = LoanProduct.objects.get(cooperative=coop)
    assert r.json() == {
        "id": product.pk,
        "name": "Pinjaman umum",
        "method": "flat",
        "method_label": "Flat (bunga dari pokok awal)",
        "rate_pa": "12",
        "min_term_months": 1,
        "max_term_months": 24,
        "min_principal": 100_000,
        "max_principal": 50_000_000,
        "admin_fee_percent": "1",
        "admin_fee_amount": 0,
        "provision_percent": "0",
        "provision_amount": 0,
        "fees_deducted": True,
        "penalty_rate_pm": "2",
        "grace_days": 3,
        "savings_multiple": None,
        "members_only": True,
        "is_active": True,
    }

    # The teller simulates, then applies (domain.md §4.3: Rp9.000.000 at 1 % a month → Rp840.000).
    r = teller.post(
        f"{LOANS}/simulate", {"product_id": product.pk, "principal": 9_000_000, "term_months": 12, "date": "2026-02-10"}
    )
    assert r.status_code == 200, r.content
    sim = r.json()
    assert {k: v for k, v in sim.items() if k != "schedule"} == {
        "product_id": product.pk,
        "method": "flat",
        "rate_pa": "12",
        "principal": 9_000_000,
        "term_months": 12,
        "date": "2026-02-10",
        "fees": {"admin_fee": 90_000, "provision_fee": 0, "total": 90_000, "deducted": True, "paid_out": 8_910_000},
        "total_principal": 9_000_000,
        "total_interest": 1_080_000,
        "total_installments": 10_080_000,
        "first_installment": 840_000,
        "last_due_date": "2027-02-10",
    }
    assert [row["installment"] for row in sim["schedule"]] == [840_000] * 12
    assert sim["schedule"][0] == schedule_row(1, "2026-03-10", 750_000, 90_000, 8_250_000)
    assert counts()[0] == 0

    key = {"Idempotency-Key": "ajukan-budi-0202"}
    r = teller.post(LOANS, apply_body(active_member, product), headers=key)
    assert r.status_code == 201, r.content
    loan = Loan.objects.get(cooperative=coop)
    applied = r.json()
    assert (applied["id"], applied["number"], applied["loan_no"], applied["status"]) == (
        loan.pk,
        "PJ-00001",
        1,
        "applied",
    )
    assert (applied["member_id"], applied["member_no"], applied["member_name"]) == (active_member.pk, 1, "Budi Santoso")
    assert (applied["principal"], applied["outstanding_principal"], applied["term_months"], applied["rate_pa"]) == (
        9_000_000,
        0,
        12,
        "12",
    )
    assert (applied["purpose"], applied["needs_board"], applied["payoff"], applied["approvals"]) == (
        "Modal warung",
        False,
        None,
        [],
    )
    # Not yet disbursed: the schedule is the simulation from the application date.
    assert applied["schedule_simulated"] is True
    assert applied["schedule"][0] == schedule_row(1, "2026-03-02", 750_000, 90_000, 8_250_000)
    assert applied["schedule"][-1] == schedule_row(12, "2027-02-02", 750_000, 90_000, 0)
    # The same key again: the same application, nothing new.
    before = counts()
    again = teller.post(LOANS, apply_body(active_member, product, principal=1_000_000), headers=key)
    assert (again.status_code, again.json()["id"], again.json()["principal"]) == (201, loan.pk, 9_000_000)
    assert counts() == before

    # The kasir may not approve; the bendahara approves (up to the approval limit).
    r = teller.post(f"{LOANS}/{loan.pk}/approve", {"note": "Lengkap"})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert counts() == before
    r = treasurer.post(f"{LOANS}/{loan.pk}/approve", {"note": "Lengkap"})
    assert r.status_code == 200, r.content
    today = timezone.localdate().isoformat()
    assert (r.json()["status"], r.json()["decided_on"]) == ("approved", today)
    assert r.json()["approvals"] == [
        {
            "purpose": "pinjaman",
            "role": "bendahara",
            "decision": "setuju",
            "note": "Lengkap",
            "decided_by": "bendahara-manggar",
            "decided_on": today,
        }
    ]

    # Disbursed in cash on 10 February: the fee is kept, Rp8.910.000 paid out.
    r = teller.post(f"{LOANS}/{loan.pk}/disburse", {"date": "2026-02-10"})
    assert r.status_code == 200, r.content
    detail = r.json()
    assert (detail["status"], detail["disbursed_on"], detail["disbursement_channel"]) == (
        "active",
        "2026-02-10",
        "tunai",
    )
    assert (detail["outstanding_principal"], detail["schedule_simulated"]) == (9_000_000, False)
    assert detail["fees"] == {
        "admin_fee": 90_000,
        "provision_fee": 0,
        "total": 90_000,
        "deducted": True,
        "paid_out": 8_910_000,
    }
    # The response is as of today (penalties may have run up since); as of the disbursement day:
    detail = teller.get(f"{LOANS}/{loan.pk}", as_of="2026-02-10").json()
    assert (detail["days_past_due"], detail["overdue"], detail["remaining"]) == (0, 0, 10_080_000)
    assert detail["payoff"] == {
        "date": "2026-02-10",
        "total": 9_090_000,
        "principal": 9_000_000,
        "interest": 90_000,
        "penalty": 0,
        "interest_waived": 11 * 90_000,
    }
    assert detail["schedule"][0] == schedule_row(1, "2026-03-10", 750_000, 90_000, 8_250_000)
    assert [(row["due_date"], row["balance"]) for row in detail["schedule"][-2:]] == [
        ("2027-01-10", 750_000),
        ("2027-02-10", 0),
    ]
    assert sum(row["principal"] for row in detail["schedule"]) == 9_000_000

    # First instalment on its due date.
    r = teller.post(f"{LOANS}/{loan.pk}/repayments", {"amount": 840_000, "date": "2026-03-10"})
    assert r.status_code == 201, r.content
    first = LoanTransaction.objects.get(loan=loan, type="angsuran")
    assert r.json() == {
        "id": first.pk,
        "loan_id": loan.pk,
        "loan_number": "PJ-00001",
        "type": "angsuran",
        "date": "2026-03-10",
        "amount": 840_000,
        "principal": 750_000,
        "interest": 90_000,
        "penalty": 0,
        "fees": 0,
        "channel": "tunai",
        "reference": "",
        "allocation": [{"no": 1, "penalty": 0, "interest": 90_000, "principal": 750_000}],
        "outstanding_principal": 8_250_000,
        "loan_status": "active",
        "entry_number": "JU-000004",
        "memo": "Angsuran PJ-00001 00001 Budi Santoso",
    }

    # On 20 April the second instalment is 7 days past its grace (due 10 April + 3 days):
    # penalty Rp840.000 × 2 % / 30 × 7 = Rp3.920 — shown live before it is paid.
    live = teller.get(f"{LOANS}/{loan.pk}", as_of="2026-04-20").json()
    assert (live["as_of"], live["days_past_due"], live["collectibility"]) == ("2026-04-20", 10, "lancar")
    assert (live["overdue"], live["due_now"], live["next_due_date"], live["next_installment"]) == (
        843_920,
        843_920,
        "2026-05-10",
        840_000,
    )
    assert live["schedule"][1]["penalty"] == 3_920
    assert live["payoff"] == {
        "date": "2026-04-20",
        "total": 8_433_920,
        "principal": 8_250_000,
        "interest": 2 * 90_000,  # no. 2 (late) and no. 3 (the period running)
        "penalty": 3_920,
        "interest_waived": 9 * 90_000,
    }
    assert live["month_end"] is None
    r = teller.post(
        f"{LOANS}/{loan.pk}/repayments",
        {"amount": 843_920, "date": "2026-04-20", "channel": "transfer", "reference": "TRX-0420"},
        headers={"Idempotency-Key": "angsuran-2"},
    )
    assert r.status_code == 201, r.content
    second = r.json()
    assert (second["principal"], second["interest"], second["penalty"], second["outstanding_principal"]) == (
        750_000,
        90_000,
        3_920,
        7_500_000,
    )
    assert second["allocation"] == [{"no": 2, "penalty": 3_920, "interest": 90_000, "principal": 750_000}]
    assert (second["channel"], second["reference"], second["entry_number"]) == ("transfer", "TRX-0420", "JU-000005")
    # The same key again returns the first result and posts nothing, whatever the body says.
    before = counts()
    again = teller.post(
        f"{LOANS}/{loan.pk}/repayments",
        {"amount": 100_000, "date": "2026-04-21"},
        headers={"Idempotency-Key": "angsuran-2"},
    )
    assert (again.status_code, again.json()) == (201, second)
    assert counts() == before

    # Early payoff on 5 May: all principal, the running period's interest; 9 later periods waived.
    r = teller.get(f"{LOANS}/{loan.pk}/payoff-quote", date="2026-05-05")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "loan_id": loan.pk,
        "loan_number": "PJ-00001",
        "date": "2026-05-05",
        "total": 7_590_000,
        "principal": 7_500_000,
        "interest": 90_000,
        "penalty": 0,
        "interest_waived": 810_000,
    }
    r = teller.post(f"{LOANS}/{loan.pk}/payoff", {"date": "2026-05-05", "amount": 7_590_000})
    assert r.status_code == 201, r.content
    payoff = r.json()
    assert (payoff["type"], payoff["amount"], payoff["principal"], payoff["interest"], payoff["penalty"]) == (
        "pelunasan",
        7_590_000,
        7_500_000,
        90_000,
        0,
    )
    assert (payoff["outstanding_principal"], payoff["loan_status"], payoff["entry_number"]) == (
        0,
        "closed",
        "JU-000006",
    )
    assert payoff["allocation"][0] == {"no": 3, "penalty": 0, "interest": 90_000, "principal": 750_000}
    assert payoff["allocation"][1:] == [
        {"no": no, "penalty": 0, "interest": 0, "principal": 750_000} for no in range(4, 13)
    ]

    closed = teller.get(f"{LOANS}/{loan.pk}").json()
    assert (closed["status"], closed["closed_on"], closed["outstanding_principal"]) == ("closed", "2026-05-05", 0)
    assert (closed["principal_paid"], closed["interest_paid"], closed["penalty_paid"]) == (9_000_000, 270_000, 3_920)
    assert (closed["days_past_due"], closed["payoff"], closed["remaining"]) == (0, None, 0)
    assert closed["schedule"][3] == schedule_row(
        4,
        "2026-06-10",
        750_000,
        90_000,
        6_000_000,
        principal_paid=750_000,
        interest_waived=90_000,
        paid=750_000,
        settled=True,
        settled_on="2026-05-05",
    )
    history = teller.get(f"{LOANS}/{loan.pk}/transactions").json()
    assert history["count"] == 4
    assert [(t["type"], t["amount"], t["outstanding_principal"]) for t in history["items"]] == [
        ("pencairan", 8_910_000, 9_000_000),
        ("angsuran", 840_000, 8_250_000),
        ("angsuran", 843_920, 7_500_000),
        ("pelunasan", 7_590_000, 0),
    ]

    # The books: receivable back to zero, cash basis income split by kind (member accounts).
    assert balance("1-1300") == 0
    assert balance("1-1100") == 50_000 + 500_000_000 - 8_910_000 + 840_000 + 7_590_000
    assert balance("1-1200") == 843_920
    assert (balance("4-1200"), balance("4-1300"), balance("4-1400")) == (-270_000, -90_000, -3_920)

    # A closed loan takes no more money.
    before = counts()
    r = teller.post(f"{LOANS}/{loan.pk}/repayments", {"amount": 10_000, "date": "2026-05-06"})
    assert r.status_code == 409
    assert r.json() == {
        "code": "loan_not_active",
        "message": "Pinjaman PJ-00001 berstatus Lunas; tidak menerima pembayaran.",
        "detail": {},
    }
    r = teller.post(f"{LOANS}/{loan.pk}/payoff", {"date": "2026-05-06", "amount": 10_000})
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_active")
    r = teller.get(f"{LOANS}/{loan.pk}/payoff-quote", date="2026-05-06")
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_active")
    assert counts() == before


# --- Products -------------------------------------------------------------------------------------
def test_product_with_every_field_listed_and_changed(coop: Any, ketua: Any, kasir: Any, api_as: Any) -> None:
    body = {
        **PRODUCT_BODY,
        "name": "Pinjaman produktif",
        "method": "annuity",
        "rate_pa": "18.5",
        "min_term_months": 3,
        "min_principal": 500_000,
        "admin_fee_percent": "0.5",
        "admin_fee_amount": 10_000,
        "provision_percent": "1.25",
        "provision_amount": 5_000,
        "fees_deducted": False,
        "penalty_rate_pm": "1.5",
        "grace_days": 7,
        "savings_multiple": "3",
        "members_only": False,
    }
    r = api_as(ketua).post(PRODUCTS, body)
    assert r.status_code == 201, r.content
    created = r.json()
    assert {k: created[k] for k in ("method", "rate_pa", "provision_percent", "savings_multiple", "fees_deducted")} == {
        "method": "annuity",
        "rate_pa": "18.5",
        "provision_percent": "1.25",
        "savings_multiple": "3",
        "fees_deducted": False,
    }
    api_as(ketua).post(PRODUCTS, {**PRODUCT_BODY, "name": "Darurat", "method": "declining"})
    listing = api_as(kasir).get(PRODUCTS).json()
    assert (listing["count"], [p["name"] for p in listing["items"]]) == (2, ["Darurat", "Pinjaman produktif"])
    assert api_as(kasir).get(f"{PRODUCTS}/{created['id']}").json() == created

    # A change: only the fields sent change; null clears the savings multiple.
    r = api_as(ketua).patch(f"{PRODUCTS}/{created['id']}", {"rate_pa": "15", "savings_multiple": None})
    assert r.status_code == 200, r.content
    assert (r.json()["rate_pa"], r.json()["savings_multiple"], r.json()["grace_days"]) == ("15", None, 7)
    r = api_as(ketua).patch(f"{PRODUCTS}/{created['id']}", {"is_active": False})
    assert r.json()["is_active"] is False
    active = api_as(kasir).get(PRODUCTS, active="true").json()
    assert [p["name"] for p in active["items"]] == ["Darurat"]


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"rate_pa": 12}, 422, "invalid", "rate_pa"),
        ({"rate_pa": "dua belas"}, 422, "loan_product_invalid", "rate_pa"),
        ({"rate_pa": "101"}, 422, "loan_product_invalid", "rate_pa"),
        ({"rate_pa": "12.345"}, 422, "loan_product_invalid", "rate_pa"),
        ({"method": "bunga"}, 422, "loan_product_invalid", "method"),
        ({"max_principal": 50_000}, 422, "loan_product_invalid", "max_principal"),
        ({"max_principal": -1}, 422, "loan_product_invalid", "max_principal"),
        ({"max_principal": 1.5e7}, 422, "invalid", "max_principal"),
        ({"max_term_months": 361}, 422, "loan_product_invalid", "max_term_months"),
        ({"max_term_months": 12.0}, 422, "invalid", "max_term_months"),
        ({"max_term_months": True}, 422, "invalid", "max_term_months"),
        ({"min_term_months": 30}, 422, "loan_product_invalid", "max_term_months"),
        ({"grace_days": 91}, 422, "loan_product_invalid", "grace_days"),
        ({"savings_multiple": "0"}, 422, "loan_product_invalid", "savings_multiple"),
        ({"name": "  "}, 422, "loan_product_invalid", "name"),
        ({"name": "Pinjaman umum"}, 409, "loan_product_name_taken", None),
    ],
)
def test_product_refusals_change_nothing(
    coop: Any, bendahara: Any, api_as: Any, overrides: dict[str, Any], status: int, code: str, field: str | None
) -> None:
    api = api_as(bendahara)
    assert api.post(PRODUCTS, PRODUCT_BODY).status_code == 201
    before = LoanProduct.objects.count(), AuditEvent.objects.filter(action__startswith="loans.").count()
    r = api.post(PRODUCTS, {**PRODUCT_BODY, "name": "Lain", **overrides})
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    if field:
        assert field in r.json()["detail"]
    assert (LoanProduct.objects.count(), AuditEvent.objects.filter(action__startswith="loans.").count()) == before


def test_product_missing_fields_are_422_per_field(coop: Any, bendahara: Any, api_as: Any) -> None:
    r = api_as(bendahara).post(PRODUCTS, {})
    assert r.status_code == 422
    assert set(r.json()["detail"]) == {"name", "method", "rate_pa", "max_term_months", "max_principal"}


def test_product_roles_and_tenants(
    coop: Any, product: Any, kasir: Any, pengawas: Any, other_ketua: Any, dinas_user: Any, grant: Any, api_as: Any
) -> None:
    for user in (kasir, pengawas):
        r = api_as(user).post(PRODUCTS, {**PRODUCT_BODY, "name": "Baru"})
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
        assert api_as(user).patch(f"{PRODUCTS}/{product.pk}", {"rate_pa": "1"}).status_code == 403
    assert api_as(grant(coop, Role.ANGGOTA)).get(PRODUCTS).status_code == 403
    assert api_as(dinas_user).get(PRODUCTS).status_code == 403
    assert api_as(other_ketua).get(PRODUCTS).status_code == 404
    assert api_as(other_ketua).post(PRODUCTS, {**PRODUCT_BODY, "name": "Baru"}).status_code == 404
    # Lamaru's ketua on Lamaru's URL with Manggar's product: not found, not changed.
    assert api_as(other_ketua).get(f"/coops/lamaru/loan-products/{product.pk}").status_code == 404
    r = api_as(other_ketua).patch(f"/coops/lamaru/loan-products/{product.pk}", {"rate_pa": "1"})
    assert r.status_code == 404
    product.refresh_from_db()
    assert str(product.rate_pa) == "12.00"
    assert LoanProduct.objects.count() == 1


def test_product_change_keeps_the_terms_of_loans_applied(
    coop: Any, applied: Any, product: Any, bendahara: Any, api_as: Any
) -> None:
    api_as(bendahara).patch(f"{PRODUCTS}/{product.pk}", {"rate_pa": "24", "method": "annuity"})
    detail = api_as(bendahara).get(f"{LOANS}/{applied.pk}").json()
    assert (detail["rate_pa"], detail["method"], detail["schedule"][0]["installment"]) == ("12", "flat", 840_000)


# --- Applications -------------------------------------------------------------------------------------
def test_apply_beyond_the_products_limits_is_409_and_nothing_written(
    coop: Any, active_member: Any, product: Any, kasir: Any, api_as: Any
) -> None:
    before = counts()
    r = api_as(kasir).post(LOANS, apply_body(active_member, product, principal=60_000_000))
    assert r.status_code == 409, r.content
    assert r.json() == {
        "code": "principal_out_of_range",
        "message": "Plafon produk Pinjaman umum Rp 100.000 sampai Rp 50.000.000; diajukan Rp 60.000.000.",
        "detail": {"principal": ["Paling banyak Rp 50.000.000."]},
    }
    r = api_as(kasir).post(LOANS, apply_body(active_member, product, term_months=36))
    assert (r.status_code, r.json()["code"], list(r.json()["detail"])) == (422, "term_out_of_range", ["term_months"])
    assert counts() == before


def test_apply_over_the_savings_multiple_is_409(
    coop: Any, active_member: Any, make_product: Any, kasir: Any, api_as: Any
) -> None:
    product = make_product(coop, name="Kelipatan", savings_multiple="3")
    before = counts()
    r = api_as(kasir).post(LOANS, apply_body(active_member, product, principal=150_001))
    assert (r.status_code, r.json()["code"]) == (409, "principal_over_savings_limit")
    assert r.json()["detail"] == {"principal": ["Paling banyak Rp 150.000."]}
    assert counts() == before
    assert api_as(kasir).post(LOANS, apply_body(active_member, product, principal=150_000)).status_code == 201


def test_apply_for_a_calon_is_409(coop: Any, register_member: Any, product: Any, kasir: Any, api_as: Any) -> None:
    calon = register_member(coop)
    before = counts()
    r = api_as(kasir).post(LOANS, apply_body(calon, product))
    assert (r.status_code, r.json()["code"]) == (409, "member_not_eligible")
    assert counts() == before


def test_loan_for_another_cooperatives_member_is_404_and_nothing_written(
    coop: Any,
    active_member: Any,
    product: Any,
    kasir: Any,
    lamaru_member: Any,
    other_coop: Any,
    make_product: Any,
    grant: Any,
    api_as: Any,
) -> None:
    lamaru_product = make_product(other_coop)
    before = counts()
    r = api_as(kasir).post(LOANS, apply_body(lamaru_member, product))
    assert r.json() == {"code": "not_found", "message": "Anggota tidak ditemukan.", "detail": {}}
    assert r.status_code == 404
    r = api_as(kasir).post(LOANS, apply_body(active_member, lamaru_product))
    assert (r.status_code, r.json()["message"]) == (404, "Produk pinjaman tidak ditemukan.")
    for missing in (999_999, 0, -1, 2**63, 10**30):
        r = api_as(kasir).post(LOANS, apply_body(active_member, product, member_id=missing))
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), missing
        r = api_as(kasir).post(LOANS, apply_body(active_member, product, product_id=missing))
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), missing
    # Lamaru's kasir, on Lamaru's URL, for Manggar's member: not found there either.
    lamaru_kasir = api_as(grant(other_coop, Role.KASIR))
    assert lamaru_kasir.post("/coops/lamaru/loans", apply_body(active_member, lamaru_product)).status_code == 404
    assert lamaru_kasir.post(LOANS, apply_body(active_member, product)).status_code == 404
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"principal": -9_000_000}, 422, "amount_not_positive", "principal"),
        ({"principal": 0}, 422, "amount_not_positive", "principal"),
        ({"principal": 9_000_000.5}, 422, "invalid", "principal"),
        ({"principal": "9000000"}, 422, "invalid", "principal"),
        ({"principal": 10**13}, 422, "amount_too_large", "principal"),
        ({"term_months": 0}, 422, "term_out_of_range", "term_months"),
        ({"term_months": "12"}, 422, "invalid", "term_months"),
        ({"applied_on": "2099-01-01"}, 422, "invalid", "applied_on"),
        ({"applied_on": "2025-12-31"}, 422, "invalid", "applied_on"),
        ({"applied_on": "02/02/2026"}, 422, "invalid", "applied_on"),
    ],
)
def test_apply_refusals_change_nothing(
    coop: Any,
    active_member: Any,
    product: Any,
    kasir: Any,
    api_as: Any,
    overrides: dict[str, Any],
    status: int,
    code: str,
    field: str,
) -> None:
    before = counts()
    r = api_as(kasir).post(LOANS, apply_body(active_member, product, **overrides))
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    assert field in r.json()["detail"]
    assert counts() == before


def test_apply_missing_fields_and_overlong_key(
    coop: Any, active_member: Any, product: Any, kasir: Any, api_as: Any
) -> None:
    r = api_as(kasir).post(LOANS, {})
    assert r.status_code == 422
    assert set(r.json()["detail"]) == {"member_id", "product_id", "principal", "term_months", "applied_on"}
    r = api_as(kasir).post(LOANS, apply_body(active_member, product), headers={"Idempotency-Key": "k" * 81})
    assert (r.status_code, list(r.json()["detail"])) == (422, ["Idempotency-Key"])
    assert counts()[0] == 0


@pytest.mark.parametrize("role", [Role.KETUA, Role.PENGAWAS, Role.SEKRETARIS, Role.ANGGOTA])
def test_roles_that_may_not_apply_get_403(
    coop: Any, active_member: Any, product: Any, grant: Any, api_as: Any, role: str
) -> None:
    before = counts()
    r = api_as(grant(coop, role)).post(LOANS, apply_body(active_member, product))
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert counts() == before


def test_idempotency_keys_are_per_cooperative(
    coop: Any,
    active_member: Any,
    product: Any,
    kasir: Any,
    lamaru_member: Any,
    other_coop: Any,
    make_product: Any,
    grant: Any,
    api_as: Any,
) -> None:
    key = {"Idempotency-Key": "sama"}
    a = api_as(kasir).post(LOANS, apply_body(active_member, product), headers=key)
    b = api_as(grant(other_coop, Role.KASIR)).post(
        "/coops/lamaru/loans", apply_body(lamaru_member, make_product(other_coop)), headers=key
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]
    assert (b.json()["member_id"], b.json()["number"]) == (lamaru_member.pk, "PJ-00001")


# --- Listing and reading ----------------------------------------------------------------------------
def test_list_filters_and_pages(
    coop: Any, disbursed_loan: Any, active_member: Any, product: Any, kasir: Any, bendahara: Any, api_as: Any
) -> None:
    second = services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=1_000_000,
        term_months=6,
        applied_on=D(2026, 3, 1),
        actor=kasir,
    )
    api = api_as(kasir)
    listing = api.get(LOANS).json()
    assert listing["count"] == 2
    assert listing["items"][0] == {
        "id": second.pk,
        "loan_no": 2,
        "number": "PJ-00002",
        "status": "applied",
        "status_label": "Diajukan",
        "member_id": active_member.pk,
        "member_no": 1,
        "member_name": "Budi Santoso",
        "product_id": product.pk,
        "product_name": "Pinjaman umum",
        "method": "flat",
        "rate_pa": "12",
        "term_months": 6,
        "principal": 1_000_000,
        "outstanding_principal": 0,
        "applied_on": "2026-03-01",
        "disbursed_on": None,
        "closed_on": None,
        "written_off_on": None,
        "month_end": None,
    }
    assert [i["number"] for i in api.get(LOANS, status="active").json()["items"]] == ["PJ-00001"]
    assert api.get(LOANS, member_id=active_member.pk).json()["count"] == 2
    assert api.get(LOANS, member_id=999_999).json()["count"] == 0
    assert api.get(LOANS, q="PJ-00002").json()["items"][0]["id"] == second.pk
    page = api.get(LOANS, limit=1, offset=1).json()
    assert ([i["number"] for i in page["items"]], page["count"]) == (["PJ-00001"], 2)
    for bad in ({"status": "lunas"}, {"member_id": 2**63}, {"member_id": "abc"}, {"limit": 0}, {"offset": -1}):
        r = api.get(LOANS, **bad)
        assert (r.status_code, r.json()["code"]) == (422, "invalid"), bad


def test_list_costs_a_fixed_number_of_queries(
    coop: Any, active_member: Any, product: Any, kasir: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 16):
        services.loan_apply(
            cooperative=coop,
            member=active_member,
            product=product,
            principal=1_000_000,
            term_months=6,
            applied_on=D(2026, 3, day),
            actor=kasir,
        )
    api = api_as(kasir)
    with django_assert_max_num_queries(8):
        assert api.get(LOANS).json()["count"] == 15


def test_detail_of_an_overdue_loan_is_live(coop: Any, disbursed_loan: Any, pengawas: Any, api_as: Any) -> None:
    # Nothing paid: on 30 June the instalments of March–June are late, the oldest by 112 days.
    detail = api_as(pengawas).get(f"{LOANS}/{disbursed_loan.pk}", as_of="2026-06-30").json()
    assert (detail["days_past_due"], detail["collectibility"]) == (112, "kurang_lancar")
    # Penalty: Rp840.000 × 2 %/30 = Rp560 a day from each due date + 3 days.
    assert [row["penalty"] for row in detail["schedule"][:5]] == [109 * 560, 78 * 560, 48 * 560, 17 * 560, 0]
    assert detail["overdue"] == 4 * 840_000 + (109 + 78 + 48 + 17) * 560
    assert detail["payoff"]["total"] == 9_000_000 + 5 * 90_000 + (109 + 78 + 48 + 17) * 560
    # Reading writes nothing.
    assert LoanInstallment.objects.filter(loan=disbursed_loan, penalty_accrued__gt=0).count() == 0


def test_detail_roles_and_tenants(
    coop: Any,
    disbursed_loan: Any,
    grant: Any,
    other_ketua: Any,
    other_coop: Any,
    dinas_user: Any,
    api_as: Any,
) -> None:
    path = f"{LOANS}/{disbursed_loan.pk}"
    for role in (Role.KETUA, Role.SEKRETARIS, Role.MANAJER, Role.PENGAWAS):
        assert api_as(grant(coop, role)).get(path).status_code == 200
    # A member's portal login does not open the loan register (the portal shows their own loans).
    anggota = api_as(grant(coop, Role.ANGGOTA))
    for url in (LOANS, path, f"{path}/transactions", f"{path}/payoff-quote", PRODUCTS):
        r = anggota.get(url)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), url
    assert api_as(dinas_user).get(path).status_code == 403
    assert api_as(None).get(path).status_code == 401
    # Another cooperative's officer: not found, on either cooperative's URL.
    assert api_as(other_ketua).get(path).status_code == 404
    assert api_as(other_ketua).get(LOANS).status_code == 404
    r = api_as(other_ketua).get(f"/coops/lamaru/loans/{disbursed_loan.pk}")
    assert r.json() == {"code": "not_found", "message": "Pinjaman tidak ditemukan.", "detail": {}}
    assert api_as(other_ketua).get("/coops/lamaru/loans").json()["count"] == 0
    assert api_as(other_ketua).get(f"/coops/lamaru/loans/{disbursed_loan.pk}/transactions").status_code == 404
    assert api_as(grant(coop, Role.KASIR, "kasir-2")).get(f"{LOANS}/999999").status_code == 404


# --- Approval, rejection ----------------------------------------------------------------------------
def test_above_the_limit_needs_ketua_and_pengawas(
    coop: Any, active_member: Any, product: Any, kasir: Any, bendahara: Any, ketua: Any, pengawas: Any, api_as: Any
) -> None:
    r = api_as(kasir).post(LOANS, apply_body(active_member, product, principal=20_000_000))
    loan_id = r.json()["id"]
    assert r.json()["needs_board"] is True
    path = f"{LOANS}/{loan_id}/approve"
    before = counts()
    r = api_as(bendahara).post(path, {})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert counts() == before
    r = api_as(ketua).post(path, {"note": "Setuju"})
    assert (r.status_code, r.json()["status"], len(r.json()["approvals"])) == (200, "applied", 1)
    again = api_as(ketua).post(path, {})
    assert (again.status_code, again.json()["code"]) == (403, "forbidden")
    r = api_as(pengawas).post(path, {})
    assert (r.status_code, r.json()["status"]) == (200, "approved")
    assert [(a["role"], a["decision"]) for a in r.json()["approvals"]] == [("ketua", "setuju"), ("pengawas", "setuju")]
    r = api_as(pengawas).post(path, {})
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_applied")


def test_small_loan_is_not_the_pengawas_to_approve(
    coop: Any, applied: Any, pengawas: Any, kasir: Any, api_as: Any
) -> None:
    before = counts()
    for user in (pengawas, kasir):
        r = api_as(user).post(f"{LOANS}/{applied.pk}/approve", {})
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert counts() == before


def test_reject_with_a_reason(coop: Any, applied: Any, bendahara: Any, kasir: Any, api_as: Any) -> None:
    path = f"{LOANS}/{applied.pk}/reject"
    before = counts()
    assert api_as(kasir).post(path, {"reason": "Tidak layak"}).status_code == 403
    r = api_as(bendahara).post(path, {"reason": "  "})
    assert (r.status_code, list(r.json()["detail"])) == (422, ["reason"])
    assert api_as(bendahara).post(path, {}).status_code == 422
    assert counts() == before
    r = api_as(bendahara).post(path, {"reason": "Penghasilan tidak mencukupi"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["rejection_reason"]) == ("rejected", "Penghasilan tidak mencukupi")
    assert r.json()["approvals"][0]["decision"] == "tolak"
    assert r.json()["schedule_simulated"] is True
    r = api_as(bendahara).post(f"{LOANS}/{applied.pk}/approve", {})
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_applied")
    r = api_as(kasir).post(f"{LOANS}/{applied.pk}/disburse", {"date": "2026-02-10"})
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_approved")


# --- Disbursement -----------------------------------------------------------------------------------
def test_disbursement_beyond_the_products_limits_is_409_and_nothing_written(
    coop: Any, approved: Any, product: Any, bendahara: Any, kasir: Any, api_as: Any
) -> None:
    # The product's ceiling was lowered after the approval.
    api_as(bendahara).patch(f"{PRODUCTS}/{product.pk}", {"max_principal": 5_000_000})
    before = counts()
    r = api_as(kasir).post(f"{LOANS}/{approved.pk}/disburse", {"date": "2026-02-10"})
    assert r.status_code == 409, r.content
    assert r.json()["code"] == "principal_out_of_range"
    assert counts() == before
    approved.refresh_from_db()
    assert (approved.status, approved.outstanding_principal) == ("approved", 0)


def test_disbursement_without_cash_is_409_and_nothing_written(
    coop: Any, applied: Any, bendahara: Any, kasir: Any, api_as: Any
) -> None:
    services.loan_approve(cooperative=coop, loan=applied, actor=bendahara)
    before = counts()
    r = api_as(kasir).post(f"{LOANS}/{applied.pk}/disburse", {"date": "2026-02-10"})
    assert r.json() == {
        "code": "cash_insufficient",
        "message": "Saldo kas Rp 50.000 tidak cukup untuk pencairan Rp 8.910.000.",
        "detail": {},
    }
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"date": "2026-02-01"}, 422, "invalid", "date"),
        ({"date": "2099-02-10"}, 422, "invalid", "date"),
        ({"date": "2026-02-10", "channel": "cek"}, 422, "invalid", "channel"),
        ({"date": "2026-02-10", "channel": "transfer"}, 422, "invalid", "reference"),
        ({}, 422, "invalid", "date"),
    ],
)
def test_disbursement_refusals_change_nothing(
    coop: Any, approved: Any, kasir: Any, api_as: Any, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = counts()
    r = api_as(kasir).post(f"{LOANS}/{approved.pk}/disburse", body)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert field in r.json()["detail"]
    assert counts() == before


def test_disbursement_into_sukarela_savings(coop: Any, approved: Any, bendahara: Any, api_as: Any) -> None:
    r = api_as(bendahara).post(f"{LOANS}/{approved.pk}/disburse", {"date": "2026-02-10", "channel": "sukarela"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["disbursement_channel"]) == ("active", "sukarela")
    assert SavingsAccount.objects.get(member_id=approved.member_id, kind="sukarela").balance == 8_910_000
    again = api_as(bendahara).post(f"{LOANS}/{approved.pk}/disburse", {"date": "2026-02-10"})
    assert (again.status_code, again.json()["code"]) == (409, "loan_not_approved")


def test_disbursement_roles_and_tenants(
    coop: Any, approved: Any, grant: Any, other_ketua: Any, other_coop: Any, api_as: Any
) -> None:
    before = counts()
    for role in (Role.KETUA, Role.PENGAWAS, Role.MANAJER):
        r = api_as(grant(coop, role)).post(f"{LOANS}/{approved.pk}/disburse", {"date": "2026-02-10"})
        assert r.status_code == 403, role
    assert api_as(other_ketua).post(f"{LOANS}/{approved.pk}/disburse", {"date": "2026-02-10"}).status_code == 404
    lamaru_bendahara = api_as(grant(other_coop, Role.BENDAHARA))
    r = lamaru_bendahara.post(f"/coops/lamaru/loans/{approved.pk}/disburse", {"date": "2026-02-10"})
    assert r.status_code == 404
    assert counts() == before


# --- Repayments ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"amount": -840_000, "date": "2026-03-10"}, 422, "amount_not_positive", "amount"),
        ({"amount": 0, "date": "2026-03-10"}, 422, "amount_not_positive", "amount"),
        ({"amount": 840_000.5, "date": "2026-03-10"}, 422, "invalid", "amount"),
        ({"amount": "840000", "date": "2026-03-10"}, 422, "invalid", "amount"),
        ({"amount": True, "date": "2026-03-10"}, 422, "invalid", "amount"),
        ({"amount": 10**13, "date": "2026-03-10"}, 422, "amount_too_large", "amount"),
        ({"amount": 840_000, "date": "2026-02-09"}, 422, "invalid", "date"),
        ({"amount": 840_000, "date": "2099-03-10"}, 422, "invalid", "date"),
        ({"amount": 840_000, "date": "2026-03-10", "channel": "giro"}, 422, "invalid", "channel"),
        ({"amount": 840_000, "date": "2026-03-10", "channel": "transfer"}, 422, "invalid", "reference"),
        ({"amount": 10_080_001, "date": "2026-03-10"}, 409, "amount_over_remaining", "amount"),
        ({"date": "2026-03-10"}, 422, "invalid", "amount"),
    ],
)
def test_repayment_refusals_change_nothing(
    coop: Any, disbursed_loan: Any, kasir: Any, api_as: Any, body: dict[str, Any], status: int, code: str, field: str
) -> None:
    before = counts()
    r = api_as(kasir).post(f"{LOANS}/{disbursed_loan.pk}/repayments", body)
    assert (r.status_code, r.json()["code"]) == (status, code), r.content
    assert field in r.json()["detail"]
    assert counts() == before
    disbursed_loan.refresh_from_db()
    assert disbursed_loan.outstanding_principal == 9_000_000


def test_repayment_of_a_loan_not_disbursed_is_409(coop: Any, approved: Any, kasir: Any, api_as: Any) -> None:
    before = counts()
    r = api_as(kasir).post(f"{LOANS}/{approved.pk}/repayments", {"amount": 840_000, "date": "2026-03-10"})
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_active")
    assert counts() == before


def test_partial_and_ahead_repayments(coop: Any, disbursed_loan: Any, kasir: Any, api_as: Any) -> None:
    path = f"{LOANS}/{disbursed_loan.pk}/repayments"
    part = api_as(kasir).post(path, {"amount": 100_000, "date": "2026-03-10"}).json()
    assert (part["interest"], part["principal"], part["outstanding_principal"]) == (90_000, 10_000, 8_990_000)
    # Paying ahead: the rest of no. 1 then no. 2.
    ahead = api_as(kasir).post(path, {"amount": 1_580_000, "date": "2026-03-10"}).json()
    assert ahead["allocation"] == [
        {"no": 1, "penalty": 0, "interest": 0, "principal": 740_000},
        {"no": 2, "penalty": 0, "interest": 90_000, "principal": 750_000},
    ]
    assert ahead["outstanding_principal"] == 7_500_000


def test_repayment_roles_and_tenants(
    coop: Any, disbursed_loan: Any, grant: Any, other_ketua: Any, other_coop: Any, dinas_user: Any, api_as: Any
) -> None:
    body = {"amount": 840_000, "date": "2026-03-10"}
    path = f"{LOANS}/{disbursed_loan.pk}/repayments"
    before = counts()
    for role in (Role.KETUA, Role.PENGAWAS, Role.SEKRETARIS, Role.MANAJER, Role.ANGGOTA):
        r = api_as(grant(coop, role)).post(path, body)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), role
    assert api_as(dinas_user).post(path, body).status_code == 403
    assert api_as(None).post(path, body).status_code == 401
    assert api_as(other_ketua).post(path, body).status_code == 404
    lamaru_kasir = api_as(grant(other_coop, Role.KASIR))
    r = lamaru_kasir.post(f"/coops/lamaru/loans/{disbursed_loan.pk}/repayments", body)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert counts() == before


def test_payoff_with_a_stale_quote_is_409(coop: Any, disbursed_loan: Any, kasir: Any, api_as: Any) -> None:
    quote = api_as(kasir).get(f"{LOANS}/{disbursed_loan.pk}/payoff-quote", date="2026-03-05").json()
    assert (quote["total"], quote["interest"], quote["interest_waived"]) == (9_090_000, 90_000, 990_000)
    before = counts()
    # A day later is still the same period, but the figure sent is not the quote.
    r = api_as(kasir).post(f"{LOANS}/{disbursed_loan.pk}/payoff", {"date": "2026-03-06", "amount": 9_000_000})
    assert r.status_code == 409
    assert r.json() == {
        "code": "payoff_changed",
        "message": "Jumlah pelunasan sekarang Rp 9.090.000, bukan Rp 9.000.000; hitung ulang dan konfirmasi lagi.",
        "detail": {"amount": ["9090000"]},
    }
    assert counts() == before
    key = {"Idempotency-Key": "lunas"}
    r = api_as(kasir).post(f"{LOANS}/{disbursed_loan.pk}/payoff", {"date": "2026-03-05", "amount": 9_090_000}, key)
    assert (r.status_code, r.json()["loan_status"]) == (201, "closed")
    again = api_as(kasir).post(f"{LOANS}/{disbursed_loan.pk}/payoff", {"date": "2026-03-05", "amount": 1}, key)
    assert (again.status_code, again.json()) == (201, r.json())


# --- Write-off and recovery ------------------------------------------------------------------------
def test_write_off_proposed_then_approved_then_recovered(
    coop: Any, disbursed_loan: Any, ketua: Any, pengawas: Any, bendahara: Any, kasir: Any, api_as: Any
) -> None:
    path = f"{LOANS}/{disbursed_loan.pk}/write-off"
    before = counts()
    assert api_as(bendahara).post(path, {"reason": "Macet"}).status_code == 403
    r = api_as(ketua).post(path, {"date": "2026-06-30"})
    assert (r.status_code, list(r.json()["detail"])) == (422, ["reason"])
    assert counts() == before

    r = api_as(ketua).post(path, {"reason": "Anggota pindah, tidak dapat ditagih"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["write_off_pending"]) == ("active", True)
    assert r.json()["approvals"][-1]["purpose"] == "hapus_buku"
    # The proposer cannot also approve.
    r = api_as(ketua).post(path, {"date": "2026-06-30"})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    r = api_as(pengawas).post(path, {"date": "2026-06-30"})
    assert r.status_code == 200, r.content
    done = r.json()
    assert (done["status"], done["written_off_on"], done["written_off_amount"]) == (
        "written_off",
        "2026-06-30",
        9_000_000,
    )
    assert (done["outstanding_principal"], done["write_off_pending"]) == (0, False)
    assert balance("1-1300") == 0
    assert balance("5-2500") == 9_000_000  # no allowance booked: all of it is an expense

    # Money still comes in: a recovery, other income, up to what was written off.
    rec = f"{LOANS}/{disbursed_loan.pk}/recoveries"
    key = {"Idempotency-Key": "pulih-1"}
    r = api_as(kasir).post(rec, {"amount": 1_000_000, "date": "2026-07-15"}, key)
    assert r.status_code == 201, r.content
    assert (r.json()["type"], r.json()["amount"], r.json()["loan_status"]) == ("pemulihan", 1_000_000, "written_off")
    assert api_as(kasir).post(rec, {"amount": 1_000_000, "date": "2026-07-15"}, key).json() == r.json()
    before = counts()
    r = api_as(kasir).post(rec, {"amount": 8_000_001, "date": "2026-07-16"})
    assert (r.status_code, r.json()["code"]) == (409, "amount_over_written_off")
    r = api_as(kasir).post(f"{LOANS}/{disbursed_loan.pk}/repayments", {"amount": 10_000, "date": "2026-07-16"})
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_active")
    assert counts() == before
    assert api_as(kasir).get(f"{LOANS}/{disbursed_loan.pk}").json()["recovered_amount"] == 1_000_000


def test_recovery_of_an_active_loan_is_409(coop: Any, disbursed_loan: Any, kasir: Any, api_as: Any) -> None:
    before = counts()
    r = api_as(kasir).post(f"{LOANS}/{disbursed_loan.pk}/recoveries", {"amount": 1_000, "date": "2026-03-01"})
    assert (r.status_code, r.json()["code"]) == (409, "loan_not_written_off")
    assert counts() == before


def test_write_off_tenants(coop: Any, disbursed_loan: Any, other_coop: Any, grant: Any, api_as: Any) -> None:
    before = counts()
    lamaru_ketua = api_as(grant(other_coop, Role.KETUA))
    assert lamaru_ketua.post(f"{LOANS}/{disbursed_loan.pk}/write-off", {"reason": "x"}).status_code == 404
    r = lamaru_ketua.post(f"/coops/lamaru/loans/{disbursed_loan.pk}/write-off", {"reason": "x"})
    assert r.status_code == 404
    assert counts() == before


# --- Month-end ----------------------------------------------------------------------------------------
def test_month_end_over_the_api(coop: Any, disbursed_loan: Any, bendahara: Any, kasir: Any, api_as: Any) -> None:
    path = f"{LOANS}/month-end"
    before = counts()
    r = api_as(kasir).post(path, {"date": "2026-05-31"})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert counts() == before
    r = api_as(bendahara).post(path, {"date": "2026-05-31"})
    assert r.status_code == 201, r.content
    run = r.json()
    assert run.pop("created_at")
    entry = LoanMonthEnd.objects.get(cooperative=coop).journal_entry
    # Penalties: Rp560 a day from 13 March, 13 April and 13 May to 31 May; allowance 0.5 % of Rp9.000.000.
    assert run == {
        "id": LoanMonthEnd.objects.get(cooperative=coop).pk,
        "date": "2026-05-31",
        "loans_classified": 1,
        "penalty_accrued": (79 + 48 + 18) * 560,
        "allowance_before": 0,
        "allowance_required": 45_000,
        "summary": {
            "lancar": {"count": 1, "outstanding": 9_000_000, "allowance": 45_000},
            "kurang_lancar": {"count": 0, "outstanding": 0, "allowance": 0},
            "diragukan": {"count": 0, "outstanding": 0, "allowance": 0},
            "macet": {"count": 0, "outstanding": 0, "allowance": 0},
        },
        "entry_number": entry.number,
        "created_by": "bendahara-manggar",
    }
    # Once per date: the same run again.
    before = counts()
    again = api_as(bendahara).post(path, {"date": "2026-05-31"})
    assert (again.status_code, again.json()["id"]) == (201, run["id"])
    assert counts() == before
    detail = api_as(kasir).get(f"{LOANS}/{disbursed_loan.pk}").json()
    assert detail["month_end"] == {"date": "2026-05-31", "days_past_due": 82, "collectibility": "lancar"}
    assert api_as(kasir).get(LOANS).json()["items"][0]["month_end"]["days_past_due"] == 82
    listing = api_as(kasir).get(path).json()
    assert (listing["count"], listing["items"][0]["date"]) == (1, "2026-05-31")
    # A repayment dated before the month-end is refused.
    r = api_as(kasir).post(f"{LOANS}/{disbursed_loan.pk}/repayments", {"amount": 840_000, "date": "2026-05-30"})
    assert (r.status_code, r.json()["code"]) == (422, "loans_month_closed")
    for bad in ({"date": "2099-01-31"}, {"date": "31/05/2026"}, {}):
        assert api_as(bendahara).post(path, bad).status_code == 422
    r = api_as(bendahara).post(path, {"date": "2026-04-30"})
    assert (r.status_code, r.json()["code"]) == (409, "month_end_out_of_order")


def test_month_end_tenants(coop: Any, disbursed_loan: Any, other_coop: Any, grant: Any, api_as: Any) -> None:
    lamaru = api_as(grant(other_coop, Role.BENDAHARA))
    assert lamaru.post(f"{LOANS}/month-end", {"date": "2026-05-31"}).status_code == 404
    assert lamaru.post("/coops/lamaru/loans/month-end", {"date": "2026-05-31"}).status_code == 201
    disbursed_loan.refresh_from_db()
    assert disbursed_loan.classified_on is None
    assert LoanMonthEnd.objects.filter(cooperative=coop).count() == 0


# --- Settings -----------------------------------------------------------------------------------------
SETTINGS = "/coops/manggar/loan-settings"


def test_settings_default_then_recorded(coop: Any, bendahara: Any, kasir: Any, api_as: Any) -> None:
    data = api_as(kasir).get(SETTINGS).json()
    assert data["history"] == []
    assert data["in_force"] == {
        "effective_from": None,
        "approval_limit": 10_000_000,
        "kurang_lancar_after": 90,
        "diragukan_after": 180,
        "macet_after": 360,
        "rate_lancar": "0.5",
        "rate_kurang_lancar": "10",
        "rate_diragukan": "50",
        "rate_macet": "100",
        "is_default": True,
    }
    r = api_as(bendahara).post(SETTINGS, {"effective_from": "2026-01-01", "approval_limit": 5_000_000})
    assert r.status_code == 201, r.content
    assert (r.json()["approval_limit"], r.json()["rate_lancar"], r.json()["created_by"]) == (
        5_000_000,
        "0.5",
        "bendahara-manggar",
    )
    data = api_as(kasir).get(SETTINGS).json()
    assert (data["in_force"]["approval_limit"], data["in_force"]["is_default"], len(data["history"])) == (
        5_000_000,
        False,
        1,
    )
    for bad, code in (
        ({"effective_from": "2026-01-01"}, "loan_setting_exists"),
        ({"effective_from": "2026-02-01", "diragukan_after": 60}, "loan_setting_invalid"),
        ({"effective_from": "2026-02-01", "rate_macet": 100}, "invalid"),
        ({"effective_from": "2026-02-01", "approval_limit": 0}, "loan_setting_invalid"),
    ):
        r = api_as(bendahara).post(SETTINGS, bad)
        assert r.json()["code"] == code, bad
    assert api_as(kasir).post(SETTINGS, {"effective_from": "2026-02-01"}).status_code == 403
    assert len(api_as(kasir).get(SETTINGS).json()["history"]) == 1


# --- OpenAPI ------------------------------------------------------------------------------------------
def test_openapi_schema_lists_the_loan_paths(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in (
        "/api/v1/coops/{coop}/loan-products",
        "/api/v1/coops/{coop}/loans",
        "/api/v1/coops/{coop}/loans/{loan_id}",
        "/api/v1/coops/{coop}/loans/{loan_id}/approve",
        "/api/v1/coops/{coop}/loans/{loan_id}/disburse",
        "/api/v1/coops/{coop}/loans/{loan_id}/repayments",
        "/api/v1/coops/{coop}/loans/simulate",
    ):
        assert path in paths, path


# --- Reports ------------------------------------------------------------------------------------------
@pytest.fixture
def two_loans(coop: Any, disbursed_loan: Any, register_member: Any, product: Any, kasir: Any, bendahara: Any) -> Any:
    """Budi's PJ-00001 (nothing paid) and Siti's PJ-00002: Rp1.000.000 over 10 months paid out on 1 June 2026."""
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", phone="081299998888", joined_on="2026-01-06")
    savings_deposit(cooperative=coop, member=siti, kind="pokok", amount=50_000, date=D(2026, 1, 6), actor=kasir)
    loan = services.loan_apply(
        cooperative=coop,
        member=siti,
        product=product,
        principal=1_000_000,
        term_months=10,
        applied_on=D(2026, 5, 28),
        actor=kasir,
    )
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    services.loan_disburse(cooperative=coop, loan=loan, date=D(2026, 6, 1), actor=kasir)
    return disbursed_loan, loan


# On 30 June Budi's loan is 112 days past due (kurang lancar); owed: four instalments and their
# penalties, Rp560 a day from 13 March, 13 April, 13 May and 13 June.
BUDI_OVERDUE = 4 * 840_000 + (109 + 78 + 48 + 17) * 560


def test_portfolio_by_collectibility(coop: Any, two_loans: Any, pengawas: Any, api_as: Any) -> None:
    r = api_as(pengawas).get(f"{LOANS}/reports/portfolio", date="2026-06-30")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "date": "2026-06-30",
        "rows": [
            {
                "collectibility": "lancar",
                "label": "Lancar",
                "count": 1,
                "outstanding": 1_000_000,
                "rate": "0.5",
                "allowance": 5_000,
            },
            {
                "collectibility": "kurang_lancar",
                "label": "Kurang lancar",
                "count": 1,
                "outstanding": 9_000_000,
                "rate": "10",
                "allowance": 900_000,
            },
            {
                "collectibility": "diragukan",
                "label": "Diragukan",
                "count": 0,
                "outstanding": 0,
                "rate": "50",
                "allowance": 0,
            },
            {"collectibility": "macet", "label": "Macet", "count": 0, "outstanding": 0, "rate": "100", "allowance": 0},
        ],
        "total_count": 2,
        "total_outstanding": 10_000_000,
        "npl_outstanding": 9_000_000,
        "npl_ratio": "90",
        "allowance_required": 905_000,
        "allowance_booked": 0,
        "allowance_shortfall": 905_000,
    }


def test_aging_buckets(coop: Any, two_loans: Any, kasir: Any, api_as: Any) -> None:
    r = api_as(kasir).get(f"{LOANS}/reports/aging", date="2026-06-30")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "date": "2026-06-30",
        "items": [
            {"bucket": "0", "count": 1, "outstanding": 1_000_000, "overdue": 0},
            {"bucket": "1–30", "count": 0, "outstanding": 0, "overdue": 0},
            {"bucket": "31–90", "count": 0, "outstanding": 0, "overdue": 0},
            {"bucket": "91–180", "count": 1, "outstanding": 9_000_000, "overdue": BUDI_OVERDUE},
            {"bucket": "181–360", "count": 0, "outstanding": 0, "overdue": 0},
            {"bucket": "> 360", "count": 0, "outstanding": 0, "overdue": 0},
        ],
        "count": 2,
        "total_outstanding": 10_000_000,
        "total_overdue": BUDI_OVERDUE,
    }


def test_arrears_with_whatsapp_reminders(coop: Any, two_loans: Any, kasir: Any, api_as: Any) -> None:
    budi, _ = two_loans
    r = api_as(kasir).get(f"{LOANS}/reports/arrears", date="2026-06-30")
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["date"], data["count"], data["total_overdue"]) == ("2026-06-30", 1, BUDI_OVERDUE)
    row = data["items"][0]
    assert row.pop("wa_link").startswith("https://wa.me/6281234567890?text=")
    assert row == {
        "loan_id": budi.pk,
        "loan_number": "PJ-00001",
        "member_id": budi.member_id,
        "member_no": "00001",
        "member_name": "Budi Santoso",
        "phone": "+6281234567890",
        "days_past_due": 112,
        "collectibility": "kurang_lancar",
        "overdue_amount": BUDI_OVERDUE,
    }
    # By 15 July Siti's first instalment (1 July) is late too; Budi stays first (most days).
    later = api_as(kasir).get(f"{LOANS}/reports/arrears", date="2026-07-15").json()
    assert [(i["loan_number"], i["days_past_due"]) for i in later["items"]] == [("PJ-00001", 127), ("PJ-00002", 14)]
    page = api_as(kasir).get(f"{LOANS}/reports/arrears", date="2026-07-15", limit=1, offset=1).json()
    assert ([i["loan_number"] for i in page["items"]], page["count"]) == (["PJ-00002"], 2)
    assert api_as(kasir).get(f"{LOANS}/reports/arrears", limit=0).status_code == 422
    assert api_as(kasir).get(f"{LOANS}/reports/arrears", limit=501).status_code == 422


def test_repayments_due_in_a_week(coop: Any, two_loans: Any, kasir: Any, api_as: Any) -> None:
    _, siti_loan = two_loans
    r = api_as(kasir).get(f"{LOANS}/reports/due", start="2026-07-01", end="2026-07-07")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "start": "2026-07-01",
        "end": "2026-07-07",
        "items": [
            {
                "loan_id": siti_loan.pk,
                "loan_number": "PJ-00002",
                "member_id": siti_loan.member_id,
                "member_name": "Siti Aminah",
                "phone": "+6281299998888",
                "due_date": "2026-07-01",
                "installment_no": 1,
                "amount_left": 110_000,
            }
        ],
        "count": 1,
        "total": 110_000,
    }
    assert api_as(kasir).get(f"{LOANS}/reports/due", start="2026-07-01").json()["end"] == "2026-07-07"
    r = api_as(kasir).get(f"{LOANS}/reports/due", start="2026-07-08", end="2026-07-01")
    assert (r.status_code, list(r.json()["detail"])) == (422, ["start"])


@pytest.mark.parametrize("report", ["portfolio", "aging", "arrears", "due"])
def test_reports_roles_and_tenants(
    coop: Any, two_loans: Any, grant: Any, other_ketua: Any, dinas_user: Any, api_as: Any, report: str
) -> None:
    path = f"{LOANS}/reports/{report}"
    assert api_as(grant(coop, Role.ANGGOTA)).get(path).status_code == 403
    assert api_as(dinas_user).get(path).status_code == 403
    assert api_as(other_ketua).get(path).status_code == 404
    # Lamaru's own report does not include Manggar's loans.
    lamaru = api_as(other_ketua).get(f"/coops/lamaru/loans/reports/{report}", date="2026-06-30", start="2026-07-01")
    assert lamaru.status_code == 200, lamaru.content
    assert lamaru.json()["count" if report != "portfolio" else "total_count"] == 0
    bad = {"start": "30/06/2026"} if report == "due" else {"date": "30/06/2026"}
    assert api_as(grant(coop, Role.KASIR, "kasir-2")).get(path, **bad).status_code == 422


def test_detail_costs_a_fixed_number_of_queries(
    coop: Any, disbursed_loan: Any, kasir: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    api = api_as(kasir)
    with django_assert_max_num_queries(10):
        detail = api.get(f"{LOANS}/{disbursed_loan.pk}").json()
    assert len(detail["schedule"]) == 12
