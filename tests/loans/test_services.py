"""Loan services: products, application, approval, disbursement, repayment, payoff, write-off, recovery.

Exact rupiah and ledger lines; every refusal asserts that nothing was written; every service is
tried with another cooperative (not found, nothing changed).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.ledger.services import ByRole, LineInput, journal_post, period_close
from koperasi.loans import selectors, services
from koperasi.loans.models import Loan, LoanApproval, LoanInstallment, LoanProduct, LoanSetting, LoanTransaction
from koperasi.savings.models import SavingsTransaction
from koperasi.savings.selectors import member_exit_quote, savings_balances
from koperasi.savings.services import member_exit, savings_deposit
from tests.conftest import NIK_WOMAN
from tests.loans.conftest import DISBURSED

pytestmark = pytest.mark.django_db

D = datetime.date


def counts() -> dict[str, int]:
    return {
        "products": LoanProduct.objects.count(),
        "settings": LoanSetting.objects.count(),
        "loans": Loan.objects.count(),
        "installments": LoanInstallment.objects.count(),
        "approvals": LoanApproval.objects.count(),
        "txns": LoanTransaction.objects.count(),
        "entries": JournalEntry.objects.count(),
        "savings_txns": SavingsTransaction.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="loans.").count(),
    }


def entry_lines(entry: Any) -> list[tuple[str, int, int, int | None]]:
    return list(
        JournalLine.objects.filter(entry=entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "member_id")
    )


def balance(coop: Any, code: str) -> int:
    lines = JournalLine.objects.filter(entry__cooperative=coop, account__code=code)
    return sum(lines.values_list("debit", flat=True)) - sum(lines.values_list("credit", flat=True))


def installments(loan: Any) -> list[LoanInstallment]:
    return list(LoanInstallment.objects.filter(loan=loan).order_by("no"))


def fresh(loan: Any) -> Loan:
    return Loan.objects.get(pk=loan.pk)


def audited(action: str, **filters: Any) -> int:
    return AuditEvent.objects.filter(action=action, **filters).count()


@pytest.fixture
def apply_loan(coop: Any, active_member: Any, product: Any, kasir: Any) -> Any:
    """Apply for a loan (default: Budi, the default product, Rp9.000.000 over 12 months on 2 Feb 2026)."""

    def apply(**overrides: Any) -> Loan:
        kwargs: dict[str, Any] = {
            "cooperative": coop,
            "member": active_member,
            "product": product,
            "principal": 9_000_000,
            "term_months": 12,
            "applied_on": D(2026, 2, 2),
            "actor": kasir,
        }
        kwargs.update(overrides)
        return services.loan_apply(**kwargs)

    return apply


@pytest.fixture
def approved_loan(coop: Any, apply_loan: Any, bendahara: Any, fund_cash: Any) -> Loan:
    fund_cash(coop)
    loan = apply_loan()
    return services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=D(2026, 2, 3))


def repay(coop: Any, loan: Any, amount: Any, date: Any, actor: Any, **extra: Any) -> LoanTransaction:
    return services.loan_repay(cooperative=coop, loan=loan, amount=amount, date=date, actor=actor, **extra)


# --- products --------------------------------------------------------------------------------------------------------
PRODUCT = {
    "name": "Pinjaman usaha",
    "method": "annuity",
    "rate_pa": "18",
    "max_term_months": 36,
    "max_principal": 25_000_000,
}


def test_product_create_with_defaults_and_audit(coop: Any, admin_user: Any) -> None:
    product = services.loan_product_create(cooperative=coop, data=PRODUCT, actor=admin_user)
    product.refresh_from_db()
    assert (product.name, product.method, product.rate_pa) == ("Pinjaman usaha", "annuity", Decimal("18"))
    assert (product.min_term_months, product.max_term_months, product.min_principal, product.max_principal) == (
        1,
        36,
        100_000,
        25_000_000,
    )
    assert (product.admin_fee_percent, product.admin_fee_amount, product.penalty_rate_pm, product.grace_days) == (
        0,
        0,
        0,
        0,
    )
    assert (product.savings_multiple, product.fees_deducted, product.members_only, product.is_active) == (
        None,
        True,
        True,
        True,
    )
    event = AuditEvent.objects.get(action="loans.product_create")
    assert (event.cooperative_id, event.actor_id, event.object_id) == (coop.pk, admin_user.pk, str(product.pk))
    assert event.data["rate_pa"] == "18"


def test_product_every_bad_field_named_in_indonesian(coop: Any, admin_user: Any) -> None:
    before = counts()
    bad = {
        "name": "  ",
        "method": "balon",
        "rate_pa": "dua belas",
        "admin_fee_percent": "101",
        "provision_percent": "1.234",
        "penalty_rate_pm": "-1",
        "min_principal": 0,
        "max_principal": 1.5,
        "admin_fee_amount": -1,
        "provision_amount": True,
        "min_term_months": 0,
        "max_term_months": 361,
        "grace_days": 91,
        "savings_multiple": "0",
    }
    with pytest.raises(ValidationError) as exc:
        services.loan_product_create(cooperative=coop, data=bad, actor=admin_user)
    assert exc.value.code == "loan_product_invalid"
    detail = exc.value.detail
    assert set(detail) == set(bad)
    assert detail["name"] == ["Nama produk wajib diisi."]
    assert detail["method"] == ["Metode harus flat, declining (menurun) atau annuity (anuitas)."]
    assert detail["rate_pa"] == ["Bunga per tahun harus angka persen, mis. 12 atau 1,5."]
    assert detail["admin_fee_percent"] == ["Biaya administrasi harus antara 0 dan 100 %."]
    assert detail["provision_percent"] == ["Provisi paling banyak dua angka di belakang koma."]
    assert detail["penalty_rate_pm"] == ["Denda per bulan harus antara 0 dan 100 %."]
    assert detail["min_principal"] == ["Plafon terendah harus lebih dari nol."]
    assert detail["max_principal"] == ["Plafon tertinggi harus rupiah bulat tanpa desimal."]
    assert detail["admin_fee_amount"] == ["Biaya administrasi tetap harus lebih dari nol."]
    assert detail["provision_amount"] == ["Provisi tetap harus rupiah bulat tanpa desimal."]
    assert detail["min_term_months"] == ["Harus bilangan bulat 1–360."]
    assert detail["max_term_months"] == ["Harus bilangan bulat 1–360."]
    assert detail["grace_days"] == ["Harus bilangan bulat 0–90."]
    assert detail["savings_multiple"] == ["Kelipatan simpanan harus lebih dari nol (kosongkan jika tidak dipakai)."]
    assert counts() == before


def test_product_required_fields_and_crossed_limits(coop: Any, admin_user: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.loan_product_create(cooperative=coop, data={}, actor=admin_user)
    assert exc.value.detail == {
        "name": ["Nama produk wajib diisi."],
        "method": ["Metode harus flat, declining (menurun) atau annuity (anuitas)."],
        "rate_pa": ["Bunga per tahun wajib diisi."],
        "max_principal": ["Plafon tertinggi wajib diisi."],
        "max_term_months": ["Harus bilangan bulat 1–360."],
    }
    crossed = {**PRODUCT, "min_term_months": 12, "max_term_months": 6, "min_principal": 5_000_000}
    crossed["max_principal"] = 1_000_000
    with pytest.raises(ValidationError) as exc:
        services.loan_product_create(cooperative=coop, data=crossed, actor=admin_user)
    assert exc.value.detail == {
        "max_term_months": ["Jangka terpanjang tidak boleh kurang dari jangka terpendek."],
        "max_principal": ["Plafon tertinggi tidak boleh kurang dari plafon terendah."],
    }
    assert LoanProduct.objects.count() == 0


def test_product_duplicate_name_conflict(coop: Any, other_coop: Any, admin_user: Any) -> None:
    services.loan_product_create(cooperative=coop, data=PRODUCT, actor=admin_user)
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_product_create(cooperative=coop, data={**PRODUCT, "name": " Pinjaman usaha "}, actor=admin_user)
    assert exc.value.code == "loan_product_name_taken"
    assert exc.value.message == "Produk bernama Pinjaman usaha sudah ada."
    assert counts() == before
    # Another cooperative may use the same name.
    services.loan_product_create(cooperative=other_coop, data=PRODUCT, actor=admin_user)


def test_product_update_keeps_missing_fields_and_refuses_bad_ones(coop: Any, admin_user: Any) -> None:
    product = services.loan_product_create(cooperative=coop, data=PRODUCT, actor=admin_user)
    other = services.loan_product_create(
        cooperative=coop, data={**PRODUCT, "name": "Pinjaman darurat"}, actor=admin_user
    )
    updated = services.loan_product_update(
        cooperative=coop,
        product=product,
        data={"rate_pa": "15.5", "members_only": False, "savings_multiple": "3"},
        actor=admin_user,
    )
    assert (updated.name, updated.method, updated.rate_pa, updated.max_principal) == (
        "Pinjaman usaha",
        "annuity",
        Decimal("15.5"),
        25_000_000,
    )
    assert (updated.members_only, updated.savings_multiple) == (False, Decimal("3"))
    assert audited("loans.product_update", object_id=str(product.pk)) == 1
    # Clearing the multiple.
    updated = services.loan_product_update(
        cooperative=coop, product=product, data={"savings_multiple": ""}, actor=admin_user
    )
    assert updated.savings_multiple is None
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.loan_product_update(cooperative=coop, product=product, data={"max_term_months": 0}, actor=admin_user)
    assert exc.value.detail == {"max_term_months": ["Harus bilangan bulat 1–360."]}
    with pytest.raises(Conflict) as conflict:
        services.loan_product_update(
            cooperative=coop, product=product, data={"name": "Pinjaman darurat"}, actor=admin_user
        )
    assert conflict.value.code == "loan_product_name_taken"
    assert counts() == before
    assert LoanProduct.objects.get(pk=product.pk).name == "Pinjaman usaha"
    assert LoanProduct.objects.get(pk=other.pk).name == "Pinjaman darurat"


def test_product_update_of_another_cooperative_not_found(
    coop: Any, other_coop: Any, other_ketua: Any, admin_user: Any
) -> None:
    product = services.loan_product_create(cooperative=coop, data=PRODUCT, actor=admin_user)
    before = counts()
    with pytest.raises(NotFound):
        services.loan_product_update(cooperative=other_coop, product=product, data={"rate_pa": "1"}, actor=other_ketua)
    assert counts() == before
    assert LoanProduct.objects.get(pk=product.pk).rate_pa == Decimal("18")


# --- settings --------------------------------------------------------------------------------------------------------
def test_setting_create_and_in_force(coop: Any, admin_user: Any) -> None:
    assert selectors.loan_setting_in_force(cooperative=coop, day=D(2026, 1, 1)).approval_limit == 10_000_000
    row = services.loan_setting_create(
        cooperative=coop,
        data={"effective_from": D(2026, 3, 1), "approval_limit": 5_000_000, "macet_after": 270, "rate_lancar": "1"},
        actor=admin_user,
    )
    assert (row.approval_limit, row.kurang_lancar_after, row.diragukan_after, row.macet_after) == (
        5_000_000,
        90,
        180,
        270,
    )
    assert selectors.loan_setting_in_force(cooperative=coop, day=D(2026, 2, 28)).approval_limit == 10_000_000
    in_force = selectors.loan_setting_in_force(cooperative=coop, day=D(2026, 3, 1))
    assert (in_force.approval_limit, in_force.rules.macet_after, in_force.rules.rate_lancar) == (
        5_000_000,
        270,
        Decimal("1"),
    )
    assert audited("loans.setting_create") == 1
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_setting_create(cooperative=coop, data={"effective_from": D(2026, 3, 1)}, actor=admin_user)
    assert exc.value.code == "loan_setting_exists"
    with pytest.raises(ValidationError) as bad:
        services.loan_setting_create(
            cooperative=coop,
            data={"effective_from": D(2026, 4, 1), "diragukan_after": 60, "approval_limit": 0, "rate_macet": "120"},
            actor=admin_user,
        )
    assert set(bad.value.detail) == {"approval_limit", "rate_macet"}
    with pytest.raises(ValidationError) as order:
        services.loan_setting_create(
            cooperative=coop, data={"effective_from": D(2026, 4, 1), "diragukan_after": 60}, actor=admin_user
        )
    assert order.value.detail == {"diragukan_after": ["Batas hari harus naik: kurang lancar < diragukan < macet."]}
    assert counts() == before


# --- application -----------------------------------------------------------------------------------------------------
def test_apply_copies_the_products_terms_and_numbers_the_loan(
    coop: Any, apply_loan: Any, active_member: Any, product: Any, kasir: Any
) -> None:
    loan = apply_loan(purpose="Modal warung")
    assert (loan.loan_no, loan.number, loan.status, loan.needs_board) == (1, "PJ-00001", "applied", False)
    assert (loan.method, loan.rate_pa, loan.term_months, loan.principal) == ("flat", Decimal("12"), 12, 9_000_000)
    assert (loan.admin_fee, loan.provision_fee, loan.fees_deducted) == (90_000, 0, True)
    assert (loan.penalty_rate_pm, loan.grace_days, loan.outstanding_principal) == (Decimal("2"), 3, 0)
    assert (loan.member_id, loan.applied_by_id, loan.purpose) == (active_member.pk, kasir.pk, "Modal warung")
    assert audited("loans.apply", object_id=str(loan.pk)) == 1
    assert LoanInstallment.objects.count() == 0  # the schedule is made at disbursement
    second = apply_loan(principal=11_000_000)
    assert (second.number, second.needs_board) == ("PJ-00002", True)
    assert JournalEntry.objects.filter(cooperative=coop).count() == 1  # only the pokok deposit


def test_apply_principal_out_of_range(apply_loan: Any) -> None:
    before = counts()
    for principal in (99_999, 50_000_001):
        with pytest.raises(Conflict) as exc:
            apply_loan(principal=principal)
        assert exc.value.code == "principal_out_of_range"
    assert exc.value.message == ("Plafon produk Pinjaman umum Rp 100.000 sampai Rp 50.000.000; diajukan Rp 50.000.001.")
    for principal in (0, -1, 1.5, "9000000", True):
        with pytest.raises(ValidationError) as bad:
            apply_loan(principal=principal)
        assert "principal" in bad.value.detail
    assert counts() == before


def test_apply_term_out_of_range(apply_loan: Any) -> None:
    before = counts()
    for term in (0, 25):
        with pytest.raises(ValidationError) as exc:
            apply_loan(term_months=term)
        assert exc.value.code == "term_out_of_range"
        assert exc.value.detail == {"term_months": ["Jangka waktu produk Pinjaman umum 1–24 bulan."]}
    with pytest.raises(ValidationError):
        apply_loan(term_months=12.0)
    assert counts() == before


def test_apply_limited_to_a_multiple_of_savings(coop: Any, apply_loan: Any, make_product: Any) -> None:
    multiple = make_product(coop, name="Pinjaman 3x simpanan", savings_multiple=Decimal("3"))
    before = counts()
    with pytest.raises(Conflict) as exc:
        apply_loan(product=multiple, principal=150_001)  # Budi has Rp50.000 of pokok: at most Rp150.000
    assert exc.value.code == "principal_over_savings_limit"
    assert exc.value.detail == {"principal": ["Paling banyak Rp 150.000."]}
    assert counts() == before
    assert apply_loan(product=multiple, principal=150_000).principal == 150_000


def test_apply_calon_refused_for_members_only_product(coop: Any, apply_loan: Any, register_member: Any) -> None:
    calon = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    before = counts()
    with pytest.raises(Conflict) as exc:
        apply_loan(member=calon)
    assert exc.value.code == "member_not_eligible"
    assert "hanya untuk anggota aktif" in exc.value.message
    assert counts() == before


def test_calon_borrows_from_an_open_product_and_its_income_is_non_member(
    coop: Any, register_member: Any, make_product: Any, kasir: Any, bendahara: Any, fund_cash: Any
) -> None:
    fund_cash(coop)
    open_product = make_product(coop, name="Pinjaman terbuka", members_only=False)
    calon = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    loan = services.loan_apply(
        cooperative=coop,
        member=calon,
        product=open_product,
        principal=9_000_000,
        term_months=12,
        applied_on=D(2026, 2, 2),
        actor=kasir,
    )
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=D(2026, 2, 3))
    loan = services.loan_disburse(cooperative=coop, loan=loan, date=DISBURSED, actor=kasir)
    assert loan.borrower_is_member is False
    disbursement = LoanTransaction.objects.get(loan=loan, type="pencairan")
    assert entry_lines(disbursement.journal_entry) == [
        ("1-1300", 9_000_000, 0, calon.pk),
        ("1-1100", 0, 8_910_000, None),
        ("4-2300", 0, 90_000, None),
    ]
    # Paid 7 days after the grace: penalty 3.920 and interest to the non-member accounts.
    txn = repay(coop, loan, 840_000, D(2026, 3, 20), kasir)
    assert entry_lines(txn.journal_entry) == [
        ("1-1100", 840_000, 0, None),
        ("1-1300", 0, 746_080, calon.pk),
        ("4-2200", 0, 90_000, None),
        ("4-2400", 0, 3_920, None),
    ]
    assert balance(coop, "4-1200") == balance(coop, "4-1300") == balance(coop, "4-1400") == 0


def test_apply_for_another_cooperatives_member_or_product_not_found(
    coop: Any,
    other_coop: Any,
    apply_loan: Any,
    active_member: Any,
    product: Any,
    make_product: Any,
    register_member: Any,
    other_ketua: Any,
) -> None:
    foreign_product = make_product(other_coop)
    foreign_member = register_member(other_coop, nik=NIK_WOMAN, name="Siti Aminah")
    before = counts()
    with pytest.raises(NotFound):
        apply_loan(member=foreign_member)
    with pytest.raises(NotFound):
        apply_loan(product=foreign_product)
    with pytest.raises(NotFound):
        apply_loan(product=foreign_product.pk)
    # Another cooperative's officer applying in their cooperative for our member and product.
    with pytest.raises(NotFound):
        apply_loan(cooperative=other_coop, actor=other_ketua)
    with pytest.raises(NotFound):
        apply_loan(member=10**30)
    assert counts() == before


def test_apply_idempotency_key_returns_the_same_loan(apply_loan: Any) -> None:
    first = apply_loan(idempotency_key="form-1")
    before = counts()
    again = apply_loan(idempotency_key="form-1", principal=1_000_000)
    assert again.pk == first.pk and again.principal == 9_000_000
    assert counts() == before
    assert apply_loan(idempotency_key="form-2").loan_no == 2


def test_apply_dates_refused(apply_loan: Any) -> None:
    before = counts()
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as exc:
        apply_loan(applied_on=tomorrow)
    assert exc.value.detail == {"applied_on": ["Tanggal pengajuan tidak boleh di masa depan."]}
    with pytest.raises(ValidationError) as before_joining:
        apply_loan(applied_on=D(2026, 1, 4))  # Budi joined on 5 January
    assert before_joining.value.detail == {"applied_on": ["Tanggal pengajuan tidak boleh sebelum 05/01/2026."]}
    with pytest.raises(ValidationError):
        apply_loan(applied_on="2026-02-02")
    assert counts() == before


def test_apply_inactive_product_refused(coop: Any, apply_loan: Any, product: Any, admin_user: Any) -> None:
    services.loan_product_update(cooperative=coop, product=product, data={"is_active": False}, actor=admin_user)
    before = counts()
    with pytest.raises(Conflict) as exc:
        apply_loan()
    assert exc.value.code == "product_inactive"
    assert counts() == before


# --- approval --------------------------------------------------------------------------------------------------------
def test_bendahara_alone_approves_up_to_the_limit(coop: Any, apply_loan: Any, bendahara: Any) -> None:
    loan = apply_loan(principal=10_000_000)
    assert loan.needs_board is False
    loan = services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, note="Lengkap", date=D(2026, 2, 3))
    assert (loan.status, loan.decided_on) == ("approved", D(2026, 2, 3))
    approval = LoanApproval.objects.get(loan=loan)
    assert (approval.role, approval.decision, approval.note, approval.decided_by_id) == (
        "bendahara",
        "setuju",
        "Lengkap",
        bendahara.pk,
    )
    assert audited("loans.approve", object_id=str(loan.pk)) == 1
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    assert exc.value.code == "loan_not_applied"
    assert counts() == before


def test_above_the_limit_ketua_and_pengawas_two_people(
    coop: Any, apply_loan: Any, bendahara: Any, ketua: Any, pengawas: Any, grant: Any
) -> None:
    loan = apply_loan(principal=10_000_001)
    assert loan.needs_board is True
    before = counts()
    with pytest.raises(PermissionDenied):
        services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    assert counts() == before
    loan = services.loan_approve(cooperative=coop, loan=loan, actor=ketua, date=D(2026, 2, 3))
    assert loan.status == "applied"
    # The same person again is refused, even if they also hold the pengawas role.
    from koperasi.core.models import CooperativeRole

    CooperativeRole.objects.create(cooperative=coop, user=ketua, role="pengawas")
    before = counts()
    with pytest.raises(PermissionDenied) as exc:
        services.loan_approve(cooperative=coop, loan=loan, actor=ketua)
    assert exc.value.message == "Anda sudah menyetujui; persetujuan berikutnya harus dari orang lain."
    # A second ketua cannot stand in for the pengawas.
    ketua2 = grant(coop, "ketua", username="ketua-kedua")
    with pytest.raises(PermissionDenied):
        services.loan_approve(cooperative=coop, loan=loan, actor=ketua2)
    assert counts() == before
    loan = services.loan_approve(cooperative=coop, loan=loan, actor=pengawas, date=D(2026, 2, 4))
    assert (loan.status, loan.decided_on) == ("approved", D(2026, 2, 4))
    assert sorted(LoanApproval.objects.filter(loan=loan).values_list("role", flat=True)) == ["ketua", "pengawas"]


def test_the_limit_is_a_setting(coop: Any, apply_loan: Any, bendahara: Any, pengawas: Any, admin_user: Any) -> None:
    services.loan_setting_create(
        cooperative=coop, data={"effective_from": D(2026, 1, 1), "approval_limit": 5_000_000}, actor=admin_user
    )
    loan = apply_loan(principal=9_000_000)
    assert loan.needs_board is True
    with pytest.raises(PermissionDenied):
        services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    # The pengawas first, then the ketua: order does not matter.
    services.loan_approve(cooperative=coop, loan=loan, actor=pengawas)
    assert fresh(loan).status == "applied"


def test_approval_dates_refused(coop: Any, apply_loan: Any, bendahara: Any) -> None:
    loan = apply_loan()
    before = counts()
    with pytest.raises(ValidationError) as early:
        services.loan_approve(cooperative=coop, loan=loan, actor=bendahara, date=D(2026, 2, 1))
    assert early.value.detail == {"date": ["Tanggal persetujuan tidak boleh sebelum 02/02/2026."]}
    with pytest.raises(ValidationError) as future:
        services.loan_approve(
            cooperative=coop, loan=loan, actor=bendahara, date=datetime.date.today() + datetime.timedelta(days=1)
        )
    assert future.value.detail == {"date": ["Tanggal persetujuan tidak boleh di masa depan."]}
    assert counts() == before
    assert services.loan_approve(cooperative=coop, loan=loan, actor=bendahara).decided_on == datetime.date.today()


def test_kasir_cannot_approve_or_reject(coop: Any, apply_loan: Any, kasir: Any) -> None:
    loan = apply_loan()
    before = counts()
    with pytest.raises(PermissionDenied):
        services.loan_approve(cooperative=coop, loan=loan, actor=kasir)
    with pytest.raises(PermissionDenied):
        services.loan_reject(cooperative=coop, loan=loan, reason="Tidak layak", actor=kasir)
    assert counts() == before
    assert fresh(loan).status == "applied"


def test_reject_needs_a_reason(coop: Any, apply_loan: Any, bendahara: Any) -> None:
    loan = apply_loan()
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.loan_reject(cooperative=coop, loan=loan, reason="  ", actor=bendahara)
    assert exc.value.detail == {"reason": ["Alasan penolakan wajib diisi."]}
    assert counts() == before
    loan = services.loan_reject(cooperative=coop, loan=loan, reason="Penghasilan tidak cukup", actor=bendahara)
    assert (loan.status, loan.rejection_reason) == ("rejected", "Penghasilan tidak cukup")
    approval = LoanApproval.objects.get(loan=loan)
    assert (approval.decision, approval.note) == ("tolak", "Penghasilan tidak cukup")
    assert audited("loans.reject", object_id=str(loan.pk)) == 1
    before = counts()
    with pytest.raises(Conflict) as exc2:
        services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    assert exc2.value.code == "loan_not_applied"
    with pytest.raises(Conflict) as exc3:
        services.loan_reject(cooperative=coop, loan=loan, reason="lagi", actor=bendahara)
    assert exc3.value.code == "loan_not_open"
    assert counts() == before


def test_approval_of_another_cooperatives_loan_not_found(
    coop: Any, other_coop: Any, apply_loan: Any, other_ketua: Any
) -> None:
    loan = apply_loan()
    before = counts()
    with pytest.raises(NotFound):
        services.loan_approve(cooperative=other_coop, loan=loan, actor=other_ketua)
    with pytest.raises(NotFound):
        services.loan_reject(cooperative=other_coop, loan=loan.pk, reason="x", actor=other_ketua)
    assert counts() == before
    assert fresh(loan).status == "applied"


# --- disbursement ----------------------------------------------------------------------------------------------------
def test_disburse_in_cash_fees_deducted(coop: Any, approved_loan: Any, active_member: Any, kasir: Any) -> None:
    cash_before = balance(coop, "1-1100")
    loan = services.loan_disburse(cooperative=coop, loan=approved_loan, date=DISBURSED, actor=kasir)
    assert (loan.status, loan.disbursed_on, loan.disbursement_channel) == ("active", DISBURSED, "tunai")
    assert (loan.outstanding_principal, loan.borrower_is_member) == (9_000_000, True)
    txn = LoanTransaction.objects.get(loan=loan)
    assert (txn.type, txn.amount, txn.principal, txn.fees, txn.outstanding_after) == (
        "pencairan",
        8_910_000,
        9_000_000,
        90_000,
        9_000_000,
    )
    assert entry_lines(txn.journal_entry) == [
        ("1-1300", 9_000_000, 0, active_member.pk),
        ("1-1100", 0, 8_910_000, None),
        ("4-1300", 0, 90_000, None),
    ]
    assert txn.journal_entry.date == DISBURSED
    assert balance(coop, "1-1100") == cash_before - 8_910_000
    rows = installments(loan)
    assert len(rows) == 12
    assert [(r.no, r.due_date, r.principal_due, r.interest_due, r.penalty_from) for r in rows[:2]] == [
        (1, D(2026, 3, 10), 750_000, 90_000, D(2026, 3, 13)),
        (2, D(2026, 4, 10), 750_000, 90_000, D(2026, 4, 13)),
    ]
    assert rows[-1].due_date == D(2027, 2, 10)
    assert not any(r.settled for r in rows)
    assert audited("loans.disburse", object_id=str(loan.pk)) == 1


def test_disburse_with_fees_paid_in_cash(
    coop: Any, apply_loan: Any, make_product: Any, bendahara: Any, kasir: Any, active_member: Any, fund_cash: Any
) -> None:
    fund_cash(coop)
    cash_product = make_product(
        coop, name="Biaya tunai", fees_deducted=False, provision_percent=Decimal("0.5"), admin_fee_amount=10_000
    )
    loan = apply_loan(product=cash_product)
    assert (loan.admin_fee, loan.provision_fee) == (100_000, 45_000)  # 1 % + Rp10.000; 0,5 %
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    loan = services.loan_disburse(cooperative=coop, loan=loan, date=DISBURSED, actor=kasir)
    txn = LoanTransaction.objects.get(loan=loan)
    assert (txn.amount, txn.fees) == (9_000_000, 145_000)
    assert entry_lines(txn.journal_entry) == [
        ("1-1300", 9_000_000, 0, active_member.pk),
        ("1-1100", 0, 9_000_000, None),
        ("1-1100", 145_000, 0, None),
        ("4-1300", 0, 145_000, None),
    ]


def test_disburse_into_sukarela_in_one_entry(coop: Any, approved_loan: Any, active_member: Any, kasir: Any) -> None:
    entries_before = JournalEntry.objects.count()
    cash_before = balance(coop, "1-1100")
    loan = services.loan_disburse(cooperative=coop, loan=approved_loan, date=DISBURSED, actor=kasir, channel="sukarela")
    assert JournalEntry.objects.count() == entries_before + 1
    assert savings_balances(cooperative=coop, member=active_member)["sukarela"] == 8_910_000
    txn = LoanTransaction.objects.get(loan=loan)
    savings_txn = SavingsTransaction.objects.get(member=active_member, kind="sukarela")
    assert (savings_txn.amount, savings_txn.journal_entry_id) == (8_910_000, txn.journal_entry_id)
    assert sorted(entry_lines(txn.journal_entry)) == sorted(
        [
            ("1-1300", 9_000_000, 0, active_member.pk),
            ("4-1300", 0, 90_000, None),
            ("2-1100", 0, 8_910_000, active_member.pk),
        ]
    )
    assert balance(coop, "1-1100") == cash_before
    assert (loan.status, loan.disbursement_channel) == ("active", "sukarela")


def test_disburse_by_transfer_needs_a_reference_and_bank_money(coop: Any, approved_loan: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.loan_disburse(cooperative=coop, loan=approved_loan, date=DISBURSED, actor=kasir, channel="transfer")
    assert exc.value.detail == {"reference": ["Nomor referensi transfer wajib diisi."]}
    with pytest.raises(Conflict) as no_bank:
        services.loan_disburse(
            cooperative=coop, loan=approved_loan, date=DISBURSED, actor=kasir, channel="transfer", reference="TRF-1"
        )
    assert no_bank.value.code == "cash_insufficient"
    assert no_bank.value.message == "Saldo bank Rp 0 tidak cukup untuk pencairan Rp 8.910.000."
    with pytest.raises(ValidationError):
        services.loan_disburse(cooperative=coop, loan=approved_loan, date=DISBURSED, actor=kasir, channel="cek")
    assert counts() == before


def test_disburse_without_cash_refused(coop: Any, apply_loan: Any, bendahara: Any, kasir: Any) -> None:
    loan = apply_loan()  # no fund_cash: the cash box holds only Budi's Rp50.000 pokok
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_disburse(cooperative=coop, loan=loan, date=DISBURSED, actor=kasir)
    assert exc.value.code == "cash_insufficient"
    assert exc.value.message == "Saldo kas Rp 50.000 tidak cukup untuk pencairan Rp 8.910.000."
    assert counts() == before
    assert fresh(loan).status == "approved"


def test_disburse_only_an_approved_loan(coop: Any, apply_loan: Any, kasir: Any, fund_cash: Any) -> None:
    fund_cash(coop)
    loan = apply_loan()
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_disburse(cooperative=coop, loan=loan, date=DISBURSED, actor=kasir)
    assert exc.value.code == "loan_not_approved"
    assert counts() == before


def test_disburse_twice_refused(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_disburse(cooperative=coop, loan=disbursed_loan, date=DISBURSED, actor=kasir)
    assert exc.value.code == "loan_not_approved"
    assert counts() == before


def test_disburse_dates_refused(coop: Any, approved_loan: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        services.loan_disburse(cooperative=coop, loan=approved_loan, date=D(2026, 2, 1), actor=kasir)
    assert exc.value.detail == {"date": ["Tanggal pencairan tidak boleh sebelum 02/02/2026."]}
    with pytest.raises(ValidationError):
        services.loan_disburse(
            cooperative=coop, loan=approved_loan, date=datetime.date.today() + datetime.timedelta(1), actor=kasir
        )
    assert counts() == before


def test_disburse_rechecks_the_savings_limit(
    coop: Any, apply_loan: Any, make_product: Any, active_member: Any, bendahara: Any, kasir: Any, fund_cash: Any
) -> None:
    from koperasi.savings.services import savings_withdraw

    fund_cash(coop)
    multiple = make_product(coop, name="Pinjaman 3x simpanan", savings_multiple=Decimal("3"))
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=3_000_000, date=D(2026, 2, 1), actor=kasir
    )
    loan = apply_loan(product=multiple)  # 3 × 3.050.000 = 9.150.000 ≥ 9.000.000
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    savings_withdraw(
        cooperative=coop, member=active_member, kind="sukarela", amount=1_000_000, date=D(2026, 2, 5), actor=kasir
    )
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_disburse(cooperative=coop, loan=loan, date=DISBURSED, actor=kasir)
    assert exc.value.code == "principal_over_savings_limit"
    assert counts() == before
    assert fresh(loan).status == "approved"


def test_disburse_another_cooperatives_loan_not_found(
    coop: Any, other_coop: Any, approved_loan: Any, other_ketua: Any, fund_cash: Any
) -> None:
    fund_cash(other_coop)
    before = counts()
    with pytest.raises(NotFound):
        services.loan_disburse(cooperative=other_coop, loan=approved_loan, date=DISBURSED, actor=other_ketua)
    assert counts() == before
    assert fresh(approved_loan).status == "approved"


# --- repayment -------------------------------------------------------------------------------------------------------
def test_repay_on_time_pays_interest_then_principal(
    coop: Any, disbursed_loan: Any, active_member: Any, kasir: Any
) -> None:
    txn = repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir, reference="kuitansi 7")
    assert (txn.type, txn.amount, txn.penalty, txn.interest, txn.principal, txn.outstanding_after) == (
        "angsuran",
        840_000,
        0,
        90_000,
        750_000,
        8_250_000,
    )
    assert txn.allocation == [{"no": 1, "penalty": 0, "interest": 90_000, "principal": 750_000}]
    assert entry_lines(txn.journal_entry) == [
        ("1-1100", 840_000, 0, None),
        ("1-1300", 0, 750_000, active_member.pk),
        ("4-1200", 0, 90_000, None),
    ]
    loan = fresh(disbursed_loan)
    assert (loan.outstanding_principal, loan.principal_paid, loan.interest_paid, loan.penalty_paid) == (
        8_250_000,
        750_000,
        90_000,
        0,
    )
    first = installments(loan)[0]
    assert (first.settled, first.settled_on) == (True, D(2026, 3, 10))
    assert audited("loans.angsuran", object_id=str(txn.pk)) == 1
    assert balance(coop, "1-1300") == 8_250_000


def test_repay_within_grace_has_no_penalty_after_it_a_penalty(
    coop: Any, disbursed_loan: Any, active_member: Any, kasir: Any
) -> None:
    # Due 10 March, grace 3 days: on the 13th no penalty.
    txn = repay(coop, disbursed_loan, 100_000, D(2026, 3, 13), kasir)
    assert (txn.penalty, txn.interest, txn.principal) == (0, 90_000, 10_000)
    # On the 20th: 7 days on the 740.000 still unpaid × 2 % / 30 = 3.453 (rounded down).
    txn = repay(coop, disbursed_loan, 740_000, D(2026, 3, 20), kasir)
    assert (txn.penalty, txn.interest, txn.principal) == (3_453, 0, 736_547)
    assert entry_lines(txn.journal_entry) == [
        ("1-1100", 740_000, 0, None),
        ("1-1300", 0, 736_547, active_member.pk),
        ("4-1400", 0, 3_453, None),
    ]
    first = installments(disbursed_loan)[0]
    assert (first.penalty_accrued, first.penalty_paid, first.principal_paid, first.penalty_from) == (
        3_453,
        3_453,
        746_547,
        D(2026, 3, 20),
    )
    assert first.settled is False
    assert selectors.loan_position(loan=fresh(disbursed_loan), day=D(2026, 3, 20)).days_past_due == 10


def test_repay_late_whole_instalment_with_its_penalty(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    # 840.000 × 2 % × 7/30 = 3.920: the payment covers penalty and interest; 3.920 of principal stays owed.
    txn = repay(coop, disbursed_loan, 840_000, D(2026, 3, 20), kasir)
    assert (txn.penalty, txn.interest, txn.principal) == (3_920, 90_000, 746_080)
    txn = repay(coop, disbursed_loan, 3_920, D(2026, 3, 20), kasir)
    assert (txn.penalty, txn.interest, txn.principal) == (0, 0, 3_920)
    first = installments(disbursed_loan)[0]
    assert (first.settled, first.settled_on) == (True, D(2026, 3, 20))


def test_repay_partial_then_overpayment_pays_the_next_instalments(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    repay(coop, disbursed_loan, 500_000, D(2026, 3, 1), kasir)
    txn = repay(coop, disbursed_loan, 2_000_000, D(2026, 3, 5), kasir)
    assert txn.allocation == [
        {"no": 1, "penalty": 0, "interest": 0, "principal": 340_000},
        {"no": 2, "penalty": 0, "interest": 90_000, "principal": 750_000},
        {"no": 3, "penalty": 0, "interest": 90_000, "principal": 730_000},
    ]
    assert (txn.interest, txn.principal, txn.outstanding_after) == (180_000, 1_820_000, 6_770_000)
    rows = installments(disbursed_loan)
    assert [r.settled for r in rows[:4]] == [True, True, False, False]
    assert (rows[2].principal_paid, rows[2].interest_paid) == (730_000, 90_000)
    position = selectors.loan_position(loan=fresh(disbursed_loan), day=D(2026, 5, 11))
    assert (position.days_past_due, position.overdue, position.next_due_date) == (1, 20_000, D(2026, 6, 10))


def test_repay_more_than_remaining_refused(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(Conflict) as exc:
        repay(coop, disbursed_loan, 10_080_001, D(2026, 2, 10), kasir)
    assert exc.value.code == "amount_over_remaining"
    assert exc.value.message == (
        "Jumlah Rp 10.080.001 melebihi sisa kewajiban Rp 10.080.000. "
        "Untuk melunasi hari ini cukup Rp 9.090.000 (menu pelunasan)."
    )
    assert exc.value.detail == {"amount": ["Paling banyak Rp 10.080.000."], "payoff": ["9090000"]}
    assert counts() == before
    # A late refusal leaves the penalty it computed unwritten too.
    with pytest.raises(Conflict):
        repay(coop, disbursed_loan, 11_000_000, D(2026, 4, 1), kasir)
    assert {r.penalty_accrued for r in installments(disbursed_loan)} == {0}
    assert counts() == before


def test_repay_everything_closes_the_loan_then_refused(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    txn = repay(coop, disbursed_loan, 10_080_000, D(2026, 2, 10), kasir)
    assert (txn.principal, txn.interest, txn.outstanding_after) == (9_000_000, 1_080_000, 0)
    loan = fresh(disbursed_loan)
    assert (loan.status, loan.closed_on, loan.outstanding_principal) == ("closed", D(2026, 2, 10), 0)
    assert all(r.settled for r in installments(loan))
    assert balance(coop, "1-1300") == 0
    before = counts()
    with pytest.raises(Conflict) as exc:
        repay(coop, loan, 1_000, D(2026, 3, 1), kasir)
    assert exc.value.code == "loan_not_active"
    assert exc.value.message == "Pinjaman PJ-00001 berstatus Lunas; tidak menerima pembayaran."
    assert counts() == before


@pytest.mark.parametrize("amount", [0, -840_000, 840_000.0, True, "840000", None, 10**13])
def test_repay_bad_amount_refused(coop: Any, disbursed_loan: Any, kasir: Any, amount: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        repay(coop, disbursed_loan, amount, D(2026, 3, 10), kasir)
    assert "amount" in exc.value.detail
    assert counts() == before


def test_repay_idempotency_key_returns_the_first(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    first = repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir, idempotency_key="teller-1")
    before = counts()
    again = repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir, idempotency_key="teller-1")
    assert again.pk == first.pk
    assert counts() == before
    assert first.journal_entry.idempotency_key == "loans:teller-1"
    assert fresh(disbursed_loan).outstanding_principal == 8_250_000


def test_repay_dates_refused(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        repay(coop, disbursed_loan, 840_000, D(2026, 2, 9), kasir)
    assert exc.value.detail == {"date": ["Tanggal pembayaran tidak boleh sebelum 10/02/2026."]}
    with pytest.raises(ValidationError) as future:
        repay(coop, disbursed_loan, 840_000, datetime.date.today() + datetime.timedelta(days=1), kasir)
    assert future.value.detail == {"date": ["Tanggal pembayaran tidak boleh di masa depan."]}
    assert counts() == before


def test_repay_into_a_closed_period_refused(coop: Any, disbursed_loan: Any, kasir: Any, bendahara: Any) -> None:
    period_close(cooperative=coop, month=D(2026, 3, 1), reason="Tutup buku Maret", actor=bendahara)
    before = counts()
    with pytest.raises(Conflict) as exc:
        repay(coop, disbursed_loan, 840_000, D(2026, 3, 20), kasir)
    assert exc.value.code == "period_closed"
    assert counts() == before
    assert {(r.penalty_accrued, r.penalty_from) for r in installments(disbursed_loan)[:1]} == {(0, D(2026, 3, 13))}
    assert fresh(disbursed_loan).outstanding_principal == 9_000_000


def test_repay_before_the_last_month_end_refused(coop: Any, disbursed_loan: Any, kasir: Any, admin_user: Any) -> None:
    from koperasi.loans.models import LoanMonthEnd

    LoanMonthEnd.objects.create(cooperative=coop, date=D(2026, 3, 31), created_by=admin_user)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        repay(coop, disbursed_loan, 840_000, D(2026, 3, 20), kasir)
    assert exc.value.code == "loans_month_closed"
    assert exc.value.detail == {
        "date": ["Tutup bulan pinjaman 31/03/2026 sudah dijalankan; pembayaran tidak boleh bertanggal sebelumnya."]
    }
    with pytest.raises(ValidationError):
        services.loan_payoff(
            cooperative=coop, loan=disbursed_loan, date=D(2026, 3, 20), expected_total=9_183_920, actor=kasir
        )
    assert counts() == before
    assert repay(coop, disbursed_loan, 840_000, D(2026, 3, 31), kasir).amount == 840_000


def test_repay_by_transfer_posts_to_bank(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    with pytest.raises(ValidationError):
        repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir, channel="transfer")
    with pytest.raises(ValidationError):
        repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir, channel="cek")
    txn = repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir, channel="transfer", reference="TRF-99")
    assert (txn.channel, txn.reference) == ("transfer", "TRF-99")
    assert entry_lines(txn.journal_entry)[0] == ("1-1200", 840_000, 0, None)


def test_repay_another_cooperatives_loan_not_found(
    coop: Any, other_coop: Any, disbursed_loan: Any, other_ketua: Any
) -> None:
    before = counts()
    with pytest.raises(NotFound):
        repay(other_coop, disbursed_loan, 840_000, D(2026, 3, 10), other_ketua)
    with pytest.raises(NotFound):
        repay(other_coop, disbursed_loan.pk, 840_000, D(2026, 3, 10), other_ketua, idempotency_key="x")
    assert counts() == before


def test_repay_query_count_does_not_grow_with_the_term(
    coop: Any,
    disbursed_loan: Any,
    apply_loan: Any,
    make_product: Any,
    bendahara: Any,
    kasir: Any,
    django_assert_max_num_queries: Any,
) -> None:
    long_product = make_product(coop, name="Pinjaman 3 tahun", max_term_months=36)
    long_loan = apply_loan(product=long_product, principal=3_600_000, term_months=36)
    services.loan_approve(cooperative=coop, loan=long_loan, actor=bendahara)
    services.loan_disburse(cooperative=coop, loan=long_loan, date=DISBURSED, actor=kasir)
    measured = []
    for loan, amount in ((disbursed_loan, 2_000_000), (long_loan, 300_000)):
        # Late (penalties on two instalments) and paying ahead: the heaviest ordinary repayment.
        with CaptureQueriesContext(connection) as queries:
            repay(coop, loan, amount, D(2026, 4, 20), kasir)
        measured.append(len(queries))
    # Lock, month-end check, instalments, two bulk updates, loan, member, ledger post (7), txn, audit.
    assert measured[0] == measured[1] <= 18, measured
    with django_assert_max_num_queries(18):
        repay(coop, disbursed_loan, 840_000, D(2026, 5, 20), kasir)


# --- payoff ----------------------------------------------------------------------------------------------------------
def test_payoff_waives_later_interest_and_closes_the_loan(
    coop: Any, disbursed_loan: Any, active_member: Any, kasir: Any
) -> None:
    repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir)
    day = D(2026, 3, 25)
    quote = selectors.loan_position(loan=fresh(disbursed_loan), day=day).payoff
    assert quote is not None
    # Principal 8.250.000 + April's interest 90.000; May–February (10 × 90.000) waived.
    assert (quote.principal, quote.interest, quote.penalty, quote.interest_waived) == (8_250_000, 90_000, 0, 900_000)
    assert quote.total == 8_340_000
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_payoff(cooperative=coop, loan=disbursed_loan, date=day, expected_total=8_339_999, actor=kasir)
    assert exc.value.code == "payoff_changed"
    assert exc.value.detail == {"amount": ["8340000"]}
    assert counts() == before
    txn = services.loan_payoff(cooperative=coop, loan=disbursed_loan, date=day, expected_total=8_340_000, actor=kasir)
    assert (txn.type, txn.amount, txn.principal, txn.interest, txn.penalty, txn.outstanding_after) == (
        "pelunasan",
        8_340_000,
        8_250_000,
        90_000,
        0,
        0,
    )
    assert entry_lines(txn.journal_entry) == [
        ("1-1100", 8_340_000, 0, None),
        ("1-1300", 0, 8_250_000, active_member.pk),
        ("4-1200", 0, 90_000, None),
    ]
    loan = fresh(disbursed_loan)
    assert (loan.status, loan.closed_on, loan.outstanding_principal, loan.interest_paid) == (
        "closed",
        day,
        0,
        180_000,
    )
    rows = installments(loan)
    assert all(r.settled and r.settled_on for r in rows)
    assert [r.interest_waived for r in rows] == [0, 0] + [90_000] * 10
    assert sum(r.interest_paid for r in rows) == 180_000
    assert balance(coop, "1-1300") == 0
    assert audited("loans.pelunasan", object_id=str(txn.pk)) == 1
    with pytest.raises(Conflict) as closed:
        services.loan_payoff(cooperative=coop, loan=loan, date=day, expected_total=0 + 1, actor=kasir)
    assert closed.value.code == "loan_not_active"


def test_payoff_after_paying_ahead_charges_no_later_period(
    coop: Any, disbursed_loan: Any, active_member: Any, kasir: Any
) -> None:
    repay(coop, disbursed_loan, 2 * 840_000, D(2026, 3, 10), kasir)  # March and April
    day = D(2026, 3, 20)
    quote = selectors.loan_position(loan=fresh(disbursed_loan), day=day).payoff
    assert quote is not None
    # April's period runs and is paid; May–February interest (10 × 90.000) is waived.
    assert (quote.principal, quote.interest, quote.interest_waived, quote.total) == (7_500_000, 0, 900_000, 7_500_000)
    txn = services.loan_payoff(cooperative=coop, loan=disbursed_loan, date=day, expected_total=7_500_000, actor=kasir)
    assert entry_lines(txn.journal_entry) == [
        ("1-1100", 7_500_000, 0, None),
        ("1-1300", 0, 7_500_000, active_member.pk),
    ]
    loan = fresh(disbursed_loan)
    assert (loan.status, loan.interest_paid) == ("closed", 180_000)


def test_payoff_of_an_overdue_loan_at_the_quoted_amount(
    coop: Any, disbursed_loan: Any, active_member: Any, kasir: Any
) -> None:
    """The quote shown (selectors.loan_position) includes the penalty up to the day, as the payoff charges it."""
    day = D(2026, 3, 20)
    position = selectors.loan_position(loan=fresh(disbursed_loan), day=day)
    assert position.payoff is not None
    # March overdue with 7 days of penalty (3.920), April's interest charged, May on waived.
    assert (position.payoff.principal, position.payoff.interest, position.payoff.penalty) == (9_000_000, 180_000, 3_920)
    assert position.overdue == 843_920
    txn = services.loan_payoff(
        cooperative=coop, loan=disbursed_loan, date=day, expected_total=position.payoff.total, actor=kasir
    )
    assert txn.amount == 9_183_920
    assert entry_lines(txn.journal_entry) == [
        ("1-1100", 9_183_920, 0, None),
        ("1-1300", 0, 9_000_000, active_member.pk),
        ("4-1200", 0, 180_000, None),
        ("4-1400", 0, 3_920, None),
    ]
    assert fresh(disbursed_loan).status == "closed"


def test_payoff_closes_a_loan_whose_later_instalments_are_interest_only(
    coop: Any, make_product: Any, apply_loan: Any, bendahara: Any, kasir: Any, fund_cash: Any
) -> None:
    """An annuity at a high rate over a long term has early instalments with no principal (rounded to 0)."""
    fund_cash(coop)
    steep = make_product(coop, name="Anuitas curam", method="annuity", rate_pa=Decimal("100"), max_term_months=360)
    loan = apply_loan(product=steep, principal=100_000, term_months=360)
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    loan = services.loan_disburse(cooperative=coop, loan=loan, date=D(2026, 3, 1), actor=kasir)
    rows = installments(loan)
    assert rows[1].principal_due == 0 and rows[1].interest_due > 0
    day = D(2026, 3, 5)
    quote = selectors.loan_position(loan=fresh(loan), day=day).payoff
    assert quote is not None and quote.principal == 100_000
    services.loan_payoff(cooperative=coop, loan=loan, date=day, expected_total=quote.total, actor=kasir)
    loan = fresh(loan)
    assert (loan.status, loan.outstanding_principal) == ("closed", 0)
    rows = installments(loan)
    assert all(r.settled for r in rows)
    assert sum(r.interest_waived for r in rows) == quote.interest_waived


def test_payoff_refusals_change_nothing(
    coop: Any, other_coop: Any, disbursed_loan: Any, kasir: Any, other_ketua: Any
) -> None:
    before = counts()
    with pytest.raises(NotFound):
        services.loan_payoff(
            cooperative=other_coop, loan=disbursed_loan, date=D(2026, 3, 1), expected_total=9_090_000, actor=other_ketua
        )
    with pytest.raises(ValidationError):
        services.loan_payoff(cooperative=coop, loan=disbursed_loan, date=D(2026, 3, 1), expected_total=-1, actor=kasir)
    with pytest.raises(ValidationError):
        services.loan_payoff(
            cooperative=coop, loan=disbursed_loan, date=D(2026, 2, 1), expected_total=9_090_000, actor=kasir
        )
    assert counts() == before


def test_payoff_idempotency_key(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    kwargs = {
        "cooperative": coop,
        "loan": disbursed_loan,
        "date": D(2026, 3, 1),
        "expected_total": 9_090_000,
        "actor": kasir,
        "idempotency_key": "lunas-1",
    }
    first = services.loan_payoff(**kwargs)
    before = counts()
    assert services.loan_payoff(**kwargs).pk == first.pk
    assert counts() == before


# --- write-off and recovery ------------------------------------------------------------------------------------------
def post_allowance(coop: Any, amount: int, actor: Any) -> None:
    journal_post(
        cooperative=coop,
        date=D(2026, 2, 28),
        lines=[
            LineInput(account=ByRole("loan_allowance_expense"), debit=amount),
            LineInput(account=ByRole("loan_allowance"), credit=amount),
        ],
        memo="Penyisihan PPAP",
        actor=actor,
    )


WRITE_OFF_DAY = D(2026, 6, 30)


def write_off(coop: Any, loan: Any, proposer: Any, approver: Any, date: datetime.date = WRITE_OFF_DAY) -> Loan:
    services.loan_write_off_propose(cooperative=coop, loan=loan, reason="Anggota tidak dapat ditemukan", actor=proposer)
    return services.loan_write_off_approve(cooperative=coop, loan=loan, date=date, actor=approver)


def test_write_off_partly_from_the_allowance(
    coop: Any, disbursed_loan: Any, active_member: Any, ketua: Any, pengawas: Any, bendahara: Any, kasir: Any
) -> None:
    repay(coop, disbursed_loan, 840_000, D(2026, 3, 10), kasir)
    post_allowance(coop, 2_000_000, bendahara)
    approval = services.loan_write_off_propose(
        cooperative=coop, loan=disbursed_loan, reason="Anggota tidak dapat ditemukan", actor=ketua
    )
    assert (approval.role, approval.purpose, approval.note) == ("ketua", "hapus_buku", "Anggota tidak dapat ditemukan")
    assert fresh(disbursed_loan).status == "active"
    loan = services.loan_write_off_approve(cooperative=coop, loan=disbursed_loan, date=D(2026, 6, 30), actor=pengawas)
    loan = fresh(loan)
    assert (loan.status, loan.written_off_on, loan.written_off_amount, loan.outstanding_principal) == (
        "written_off",
        D(2026, 6, 30),
        8_250_000,
        0,
    )
    txn = LoanTransaction.objects.get(loan=loan, type="hapus_buku")
    assert (txn.amount, txn.principal, txn.outstanding_after) == (0, 8_250_000, 0)
    assert entry_lines(txn.journal_entry) == [
        ("1-1310", 2_000_000, 0, None),
        ("5-2500", 6_250_000, 0, None),
        ("1-1300", 0, 8_250_000, active_member.pk),
    ]
    assert balance(coop, "1-1300") == 0 and balance(coop, "1-1310") == 0
    assert audited("loans.write_off_propose") == 1 and audited("loans.write_off") == 1
    before = counts()
    with pytest.raises(Conflict) as exc:
        repay(coop, loan, 1_000, D(2026, 7, 1), kasir)
    assert exc.value.code == "loan_not_active"
    assert counts() == before


def test_write_off_wholly_from_the_allowance(
    coop: Any, disbursed_loan: Any, active_member: Any, ketua: Any, pengawas: Any, bendahara: Any
) -> None:
    post_allowance(coop, 10_000_000, bendahara)
    # The pengawas may propose and the ketua approve.
    loan = write_off(coop, disbursed_loan, pengawas, ketua)
    txn = LoanTransaction.objects.get(loan=loan, type="hapus_buku")
    assert entry_lines(txn.journal_entry) == [
        ("1-1310", 9_000_000, 0, None),
        ("1-1300", 0, 9_000_000, active_member.pk),
    ]
    assert balance(coop, "1-1310") == -1_000_000  # 1.000.000 of the allowance (a credit balance) is left


def test_write_off_without_allowance_is_all_expense(
    coop: Any, disbursed_loan: Any, active_member: Any, ketua: Any, pengawas: Any
) -> None:
    loan = write_off(coop, disbursed_loan, ketua, pengawas)
    txn = LoanTransaction.objects.get(loan=loan, type="hapus_buku")
    assert entry_lines(txn.journal_entry) == [
        ("5-2500", 9_000_000, 0, None),
        ("1-1300", 0, 9_000_000, active_member.pk),
    ]


def test_write_off_needs_two_people_of_the_board(
    coop: Any, disbursed_loan: Any, ketua: Any, pengawas: Any, kasir: Any, bendahara: Any, grant: Any
) -> None:
    before = counts()
    for who in (kasir, bendahara):
        with pytest.raises(PermissionDenied):
            services.loan_write_off_propose(cooperative=coop, loan=disbursed_loan, reason="Macet", actor=who)
    with pytest.raises(ValidationError) as no_reason:
        services.loan_write_off_propose(cooperative=coop, loan=disbursed_loan, reason=" ", actor=ketua)
    assert no_reason.value.detail == {"reason": ["Alasan hapus buku wajib diisi."]}
    with pytest.raises(Conflict) as not_proposed:
        services.loan_write_off_approve(cooperative=coop, loan=disbursed_loan, date=D(2026, 6, 30), actor=pengawas)
    assert not_proposed.value.code == "write_off_not_proposed"
    assert counts() == before
    services.loan_write_off_propose(cooperative=coop, loan=disbursed_loan, reason="Macet", actor=ketua)
    before = counts()
    with pytest.raises(Conflict) as pending:
        services.loan_write_off_propose(cooperative=coop, loan=disbursed_loan, reason="Macet", actor=pengawas)
    assert pending.value.code == "write_off_pending"
    # The proposer cannot approve, another ketua cannot, nor kasir or bendahara.
    with pytest.raises(PermissionDenied) as same:
        services.loan_write_off_approve(cooperative=coop, loan=disbursed_loan, date=D(2026, 6, 30), actor=ketua)
    assert same.value.message == "Persetujuan hapus buku harus dari orang lain (ketua dan pengawas)."
    for who in (grant(coop, "ketua", username="ketua-dua"), kasir, bendahara):
        with pytest.raises(PermissionDenied):
            services.loan_write_off_approve(cooperative=coop, loan=disbursed_loan, date=D(2026, 6, 30), actor=who)
    with pytest.raises(ValidationError):
        services.loan_write_off_approve(cooperative=coop, loan=disbursed_loan, date=D(2026, 2, 1), actor=pengawas)
    assert counts() == before
    assert fresh(disbursed_loan).status == "active"


def test_write_off_of_another_cooperatives_loan_not_found(
    coop: Any, other_coop: Any, disbursed_loan: Any, other_ketua: Any, grant: Any
) -> None:
    other_pengawas = grant(other_coop, "pengawas")
    before = counts()
    with pytest.raises(NotFound):
        services.loan_write_off_propose(cooperative=other_coop, loan=disbursed_loan, reason="x", actor=other_ketua)
    with pytest.raises(NotFound):
        services.loan_write_off_approve(
            cooperative=other_coop, loan=disbursed_loan, date=D(2026, 6, 30), actor=other_pengawas
        )
    with pytest.raises(NotFound):
        services.loan_recover(
            cooperative=other_coop, loan=disbursed_loan, amount=1_000, date=D(2026, 7, 1), actor=other_ketua
        )
    assert counts() == before


def test_recovery_up_to_the_written_off_amount(
    coop: Any, disbursed_loan: Any, active_member: Any, ketua: Any, pengawas: Any, kasir: Any
) -> None:
    before = counts()
    with pytest.raises(Conflict) as active:
        services.loan_recover(cooperative=coop, loan=disbursed_loan, amount=1_000, date=D(2026, 7, 1), actor=kasir)
    assert active.value.code == "loan_not_written_off"
    assert counts() == before
    loan = write_off(coop, disbursed_loan, ketua, pengawas)
    txn = services.loan_recover(cooperative=coop, loan=loan, amount=5_000_000, date=D(2026, 7, 1), actor=kasir)
    assert (txn.type, txn.amount, txn.outstanding_after) == ("pemulihan", 5_000_000, 0)
    assert entry_lines(txn.journal_entry) == [
        ("1-1100", 5_000_000, 0, None),
        ("4-3200", 0, 5_000_000, active_member.pk),
    ]
    assert audited("loans.recover", object_id=str(txn.pk)) == 1
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.loan_recover(cooperative=coop, loan=loan, amount=4_000_001, date=D(2026, 7, 2), actor=kasir)
    assert exc.value.code == "amount_over_written_off"
    assert exc.value.message == "Sisa pinjaman yang dihapus buku Rp 4.000.000; diterima Rp 4.000.001."
    with pytest.raises(ValidationError):
        services.loan_recover(cooperative=coop, loan=loan, amount=1_000, date=D(2026, 6, 29), actor=kasir)
    with pytest.raises(ValidationError):
        services.loan_recover(cooperative=coop, loan=loan, amount=0, date=D(2026, 7, 2), actor=kasir)
    assert counts() == before
    last = services.loan_recover(
        cooperative=coop, loan=loan, amount=4_000_000, date=D(2026, 7, 2), actor=kasir, idempotency_key="pulih-2"
    )
    assert (
        services.loan_recover(
            cooperative=coop, loan=loan, amount=4_000_000, date=D(2026, 7, 2), actor=kasir, idempotency_key="pulih-2"
        ).pk
        == last.pk
    )
    assert fresh(loan).recovered_amount == 9_000_000


# --- member exit -----------------------------------------------------------------------------------------------------
def test_an_active_loan_blocks_the_members_exit(
    coop: Any, disbursed_loan: Any, active_member: Any, kasir: Any, admin_user: Any
) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=100_000, date=D(2026, 2, 11), actor=kasir
    )
    quote = member_exit_quote(cooperative=coop, member=active_member)
    assert len(quote.blockers) == 1
    assert quote.blockers[0].startswith("Pinjaman PJ-00001 masih berjalan (pelunasan hari ini Rp ")
    assert quote.blockers[0].endswith("lunasi dulu sebelum keluar.")
    before = counts()
    with pytest.raises(Conflict) as exc:
        member_exit(
            cooperative=coop, member=active_member, status="keluar", date=D(2026, 3, 1), reason="", actor=admin_user
        )
    assert exc.value.code == "exit_blocked"
    assert counts() == before
    # Paid off, the member may leave.
    position = selectors.loan_position(loan=fresh(disbursed_loan), day=D(2026, 3, 1))
    assert position.payoff is not None
    services.loan_payoff(
        cooperative=coop, loan=disbursed_loan, date=D(2026, 3, 1), expected_total=position.payoff.total, actor=kasir
    )
    assert member_exit_quote(cooperative=coop, member=active_member).blockers == []
    member, _ = member_exit(
        cooperative=coop, member=active_member, status="keluar", date=D(2026, 3, 2), reason="", actor=admin_user
    )
    assert member.status == "keluar"


def test_an_open_application_blocks_the_exit(coop: Any, apply_loan: Any, active_member: Any, bendahara: Any) -> None:
    loan = apply_loan()
    quote = member_exit_quote(cooperative=coop, member=active_member)
    assert quote.blockers == ["Pengajuan pinjaman PJ-00001 masih terbuka; tolak atau batalkan dulu."]
    services.loan_reject(cooperative=coop, loan=loan, reason="Mau keluar", actor=bendahara)
    assert member_exit_quote(cooperative=coop, member=active_member).blockers == []


# --- the books after a whole life ------------------------------------------------------------------------------------
def test_a_loan_repaid_on_schedule_books_exactly_its_interest(coop: Any, disbursed_loan: Any, kasir: Any) -> None:
    for row in installments(disbursed_loan)[:9]:  # March–November 2026, each on its due date
        repay(coop, disbursed_loan, 840_000, row.due_date, kasir)
    loan = fresh(disbursed_loan)
    assert (loan.outstanding_principal, loan.principal_paid, loan.interest_paid) == (2_250_000, 6_750_000, 810_000)
    assert balance(coop, "1-1300") == 2_250_000
    assert balance(coop, "4-1200") == -810_000
    assert balance(coop, "4-1300") == -90_000
    reconcile = selectors.loans_reconcile(cooperative=coop)
    assert (reconcile.ledger_balance, reconcile.outstanding, reconcile.difference) == (2_250_000, 2_250_000, 0)
    assert LoanTransaction.objects.filter(loan=loan, type="angsuran").count() == 9
    assert audited("loans.angsuran") == 9


def test_instalments_with_nothing_due_are_settled_and_the_loan_closes(
    coop: Any, make_product: Any, apply_loan: Any, bendahara: Any, kasir: Any, fund_cash: Any
) -> None:
    """Rp200 at 0 % over 360 months: 359 instalments ask nothing (200 // 360 = 0), the last asks 200."""
    fund_cash(coop)
    tiny = make_product(
        coop, name="Tanpa bunga", rate_pa=Decimal("0"), min_principal=100, max_term_months=360, admin_fee_percent=0
    )
    loan = apply_loan(product=tiny, principal=200, term_months=360)
    services.loan_approve(cooperative=coop, loan=loan, actor=bendahara)
    loan = services.loan_disburse(cooperative=coop, loan=loan, date=D(2026, 3, 1), actor=kasir)
    rows = installments(loan)
    assert [r.principal_due for r in rows[-2:]] == [0, 200]
    assert sum(r.settled for r in rows) == 359
    assert selectors.loan_position(loan=fresh(loan), day=D(2026, 11, 1)).days_past_due == 0
    txn = repay(coop, loan, 200, D(2026, 3, 2), kasir)
    assert txn.allocation == [{"no": 360, "penalty": 0, "interest": 0, "principal": 200}]
    assert fresh(loan).status == "closed"
