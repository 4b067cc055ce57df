"""Loans in the Dinas view: outstanding principal and the live NPL ratio per cooperative.

Hand-built loans in two cooperatives of the kota, one on the default thresholds (kurang
lancar after 90 days past due) and one with its own settings, so every figure is known.
"""

from __future__ import annotations

import datetime
import itertools
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from koperasi.core.roles import Role
from koperasi.ledger.services import ByRole, LineInput, journal_post
from koperasi.loans import services
from koperasi.loans.models import Loan
from koperasi.loans.selectors import loan_position
from koperasi.oversight.exports import COOPERATIVE_HEADERS
from koperasi.oversight.selectors import npl_ratio, oversight_items, oversight_queryset, oversight_summary
from koperasi.savings.services import savings_deposit

pytestmark = pytest.mark.django_db

D = datetime.date
JUNE_15 = D(2026, 6, 15)
JULY_15 = D(2026, 7, 15)


NIK_SERIALS = itertools.count(1)  # a NIK is one person: never the same in two cooperatives


class Books:
    """One cooperative's loan desk: funded cash, a flat 12 % product without penalty, its bendahara."""

    def __init__(self, cooperative: Any, admin: Any, grant: Any, register_member: Any) -> None:
        self.cooperative = cooperative
        self.bendahara = grant(cooperative, Role.BENDAHARA)
        self.register_member = register_member
        self.members = 0
        journal_post(
            cooperative=cooperative,
            date=D(2026, 1, 2),
            lines=[
                LineInput(account=ByRole("cash"), debit=100_000_000),
                LineInput(account=ByRole("capital_participation"), credit=100_000_000),
            ],
            memo="Modal penyertaan",
            actor=admin,
        )
        self.product = services.loan_product_create(
            cooperative=cooperative,
            data={
                "name": "Pinjaman umum",
                "method": "flat",
                "rate_pa": Decimal("12"),
                "max_term_months": 24,
                "max_principal": 50_000_000,
            },
            actor=admin,
        )

    def member(self) -> Any:
        self.members += 1
        day = 10 + self.members
        member = self.register_member(
            self.cooperative,
            nik=f"647104150585{next(NIK_SERIALS) % 10_000:04d}",
            name=f"Anggota {self.members}",
            joined_on=f"2026-01-{day:02d}",
        )
        savings_deposit(
            cooperative=self.cooperative,
            member=member,
            kind="pokok",
            amount=50_000,
            date=D(2026, 1, day),
            actor=self.bendahara,
        )
        return member

    def loan(self, principal: int, disbursed_on: datetime.date, *, paid: int = 0) -> Loan:
        """A 12-month loan disbursed in cash, with its first ``paid`` instalments paid on their due dates."""
        loan = services.loan_apply(
            cooperative=self.cooperative,
            member=self.member(),
            product=self.product,
            principal=principal,
            term_months=12,
            applied_on=disbursed_on - datetime.timedelta(days=3),
            actor=self.bendahara,
        )
        services.loan_approve(cooperative=self.cooperative, loan=loan, actor=self.bendahara, date=disbursed_on)
        services.loan_disburse(cooperative=self.cooperative, loan=loan, date=disbursed_on, actor=self.bendahara)
        installment = principal // 12 + principal // 100  # flat 12 %: a twelfth plus 1 % a month
        for month in range(1, paid + 1):
            due = disbursed_on.replace(month=disbursed_on.month + month)
            services.loan_repay(
                cooperative=self.cooperative, loan=loan, amount=installment, date=due, actor=self.bendahara
            )
        loan.refresh_from_db()
        return loan


@pytest.fixture
def portfolio(coop: Any, other_coop: Any, admin_user: Any, grant: Any, register_member: Any) -> dict[str, Any]:
    """Manggar (default thresholds) and Lamaru (kurang lancar after 30 days, 120 from July).

    Manggar: 9.000.000 never repaid (oldest due 10 March), 3.000.000 never repaid (oldest due
    10 May), 2.400.000 with three instalments paid (oldest due 10 June); an open application.
    Lamaru: 4.000.000 never repaid (oldest due 10 May), 6.000.000 not yet due (20 June).
    """
    manggar = Books(coop, admin_user, grant, register_member)
    lamaru = Books(other_coop, admin_user, grant, register_member)
    services.loan_setting_create(
        cooperative=other_coop,
        data={"effective_from": D(2026, 1, 1), "kurang_lancar_after": 30, "diragukan_after": 60, "macet_after": 90},
        actor=admin_user,
    )
    services.loan_setting_create(
        cooperative=other_coop,
        data={"effective_from": D(2026, 7, 1), "kurang_lancar_after": 120, "diragukan_after": 180, "macet_after": 360},
        actor=admin_user,
    )
    loans = {
        "manggar_old": manggar.loan(9_000_000, D(2026, 2, 10)),
        "manggar_new": manggar.loan(3_000_000, D(2026, 4, 10)),
        "manggar_paying": manggar.loan(2_400_000, D(2026, 2, 10), paid=3),
        "lamaru_late": lamaru.loan(4_000_000, D(2026, 4, 10)),
        "lamaru_new": lamaru.loan(6_000_000, D(2026, 5, 20)),
    }
    services.loan_apply(
        cooperative=coop,
        member=manggar.member(),
        product=manggar.product,
        principal=5_000_000,
        term_months=12,
        applied_on=D(2026, 6, 1),
        actor=manggar.bendahara,
    )
    return loans


def figures(user: Any, day: datetime.date) -> dict[str, tuple[int, int, Decimal | None]]:
    rows = oversight_items(oversight_queryset(user=user, loans_day=day))
    return {r["code"]: (r["loans_outstanding"], r["loans_npl_outstanding"], r["npl_ratio"]) for r in rows}


def test_outstanding_and_npl_per_cooperative(portfolio: dict[str, Any], dinas_user: Any) -> None:
    assert portfolio["manggar_paying"].outstanding_principal == 1_800_000

    # 15 June. Manggar (90 days): 97 days past due is kurang lancar, 36 and 5 are lancar.
    # Lamaru (30 days in force since January): 36 days past due is kurang lancar.
    assert figures(dinas_user, JUNE_15) == {
        "manggar": (13_800_000, 9_000_000, Decimal("65.22")),
        "lamaru": (10_000_000, 4_000_000, Decimal("40.00")),
    }
    # 15 July. Lamaru's setting of 1 July (120 days) is in force: 66 days past due is lancar.
    assert figures(dinas_user, JULY_15) == {
        "manggar": (13_800_000, 9_000_000, Decimal("65.22")),
        "lamaru": (10_000_000, 0, Decimal("0.00")),
    }


def test_npl_agrees_with_each_loans_live_class(portfolio: dict[str, Any], dinas_user: Any) -> None:
    for day in (JUNE_15, JULY_15, D(2026, 11, 24)):
        expected: dict[str, int] = {"manggar": 0, "lamaru": 0}
        for loan in Loan.objects.filter(status="active").select_related("cooperative"):
            if loan_position(loan=loan, day=day).collectibility != "lancar":
                expected[loan.cooperative.code] += loan.outstanding_principal
        assert {code: npl for code, (_, npl, _) in figures(dinas_user, day).items()} == expected, day


def test_a_cooperative_without_loans_has_no_ratio(coop: Any, dinas_user: Any) -> None:
    assert figures(dinas_user, JUNE_15) == {"manggar": (0, 0, None)}
    assert npl_ratio(0, 0) is None
    assert npl_ratio(1, 3) == Decimal("33.33")
    assert npl_ratio(2, 3) == Decimal("66.67")


def test_one_query_whatever_the_number_of_loans(
    portfolio: dict[str, Any], dinas_user: Any, django_assert_num_queries: Any
) -> None:
    oversight_summary(user=dinas_user)  # caches the user's regional roles
    with django_assert_num_queries(2):  # the cooperatives with their figures; the subsidy totals
        rows = oversight_items(oversight_queryset(user=dinas_user, loans_day=JUNE_15))
    assert len(rows) == 2


def test_api_gives_the_loan_figures(portfolio: dict[str, Any], dinas_user: Any, api_as: Any) -> None:
    api = api_as(dinas_user)

    items = {i["code"]: i for i in api.get("/oversight/coops", kota="64.71").json()["items"]}

    # Live: on the day the test runs (from late November 2026 every loan above is far past due).
    manggar, lamaru = items["manggar"], items["lamaru"]
    assert (manggar["loans_outstanding"], manggar["loans_npl_outstanding"], manggar["npl_ratio"]) == (
        13_800_000,
        13_800_000,
        "100.00",
    )
    assert (lamaru["loans_outstanding"], lamaru["loans_npl_outstanding"], lamaru["npl_ratio"]) == (
        10_000_000,
        10_000_000,
        "100.00",
    )


def test_api_query_count_does_not_grow_with_the_cooperatives(
    portfolio: dict[str, Any], dinas_user: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    api = api_as(dinas_user)
    with django_assert_max_num_queries(6):
        one = api.get("/oversight/coops", kota="64.71", limit=1)
    with django_assert_max_num_queries(6):
        both = api.get("/oversight/coops", kota="64.71", limit=2)
    assert (one.json()["count"], len(one.json()["items"]), len(both.json()["items"])) == (2, 1, 2)


def test_excel_has_the_loan_columns(portfolio: dict[str, Any], dinas_user: Any) -> None:
    client = Client()
    client.force_login(dinas_user)

    workbook = load_workbook(BytesIO(client.get("/pembinaan/koperasi.xlsx").content))
    rows = list(workbook["Koperasi"].iter_rows(values_only=True))

    loans = slice(COOPERATIVE_HEADERS.index("Pinjaman beredar (Rp)"), COOPERATIVE_HEADERS.index("NPL %") + 1)
    assert (
        rows[0][loans] == ("Pinjaman beredar (Rp)", "Pinjaman bermasalah (Rp)", "NPL %") == COOPERATIVE_HEADERS[loans]
    )
    assert {row[0]: row[loans] for row in rows[1:]} == {
        "manggar": (13_800_000, 13_800_000, 100),
        "lamaru": (10_000_000, 10_000_000, 100),
    }


def test_cooperative_officer_sees_only_their_own_loans(portfolio: dict[str, Any], other_ketua: Any) -> None:
    assert figures(other_ketua, JUNE_15) == {"lamaru": (10_000_000, 4_000_000, Decimal("40.00"))}
