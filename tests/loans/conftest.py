"""Loan fixtures: officers, a funded cash box, products, and a disbursed loan."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

DISBURSED = datetime.date(2026, 2, 10)


@pytest.fixture
def make_product(admin_user: Any) -> Any:
    """Create a loan product; keyword arguments override the defaults (flat 12 %, 1–24 months)."""
    from koperasi.loans.services import loan_product_create

    def make(cooperative: Any, **overrides: Any) -> Any:
        data = {
            "name": "Pinjaman umum",
            "method": "flat",
            "rate_pa": Decimal("12"),
            "min_term_months": 1,
            "max_term_months": 24,
            "min_principal": 100_000,
            "max_principal": 50_000_000,
            "admin_fee_percent": Decimal("1"),
            "penalty_rate_pm": Decimal("2"),
            "grace_days": 3,
        }
        data.update(overrides)
        return loan_product_create(cooperative=cooperative, data=data, actor=admin_user)

    return make


@pytest.fixture
def product(coop: Any, make_product: Any) -> Any:
    return make_product(coop)


@pytest.fixture
def disbursed_loan(coop: Any, active_member: Any, product: Any, kasir: Any, bendahara: Any, fund_cash: Any) -> Any:
    """Budi's Rp9.000.000 flat 12 % loan over 12 months, disbursed in cash on 10 February 2026.

    Rp840.000 a month (domain.md §4.3); admin fee 1 % = Rp90.000 taken from the cash paid out.
    """
    from koperasi.loans import services

    fund_cash(coop)
    loan = services.loan_apply(
        cooperative=coop,
        member=active_member,
        product=product,
        principal=9_000_000,
        term_months=12,
        applied_on=datetime.date(2026, 2, 2),
        actor=kasir,
    )
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=datetime.date(2026, 2, 3))
    return services.loan_disburse(cooperative=coop, loan=loan, date=DISBURSED, actor=kasir)
