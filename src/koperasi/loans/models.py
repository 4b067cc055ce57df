"""Loans of the savings-and-loan unit (USP): products, loans, schedules, transactions, month-end runs.

Invariants (database constraints unless noted):
- ``Loan.loan_no`` is unique per cooperative and never reused (the cooperative row is
  locked while the next number is taken).
- ``0 ≤ outstanding_principal ≤ principal``; ``outstanding_principal`` = principal − the
  principal parts of its repayments − the principal written off (kept by ``services``,
  which lock the loan row first; checked by ``selectors.loans_reconcile`` and the tests).
- The ledger's loan receivable (role ``loan_receivable``) = Σ ``outstanding_principal``
  of active loans; every line on it carries the member.
- An instalment never has more paid (or waived) than it asks: ``principal_paid ≤
  principal_due``, ``interest_paid + interest_waived ≤ interest_due``, ``penalty_paid ≤
  penalty_accrued``. ``settled`` is true exactly when principal and interest are paid.
- Every ``LoanTransaction`` with money has its journal entry, posted in the same
  transaction; ``idempotency_key`` is unique per cooperative, so a repeated repayment
  returns the first one.
- Interest, fees and penalties are income when they are paid (cash basis, ADR 0004): the
  schedule's future interest is never in the books.
- ``LoanApproval``: one approving row per (loan, purpose, role); the roles an approval
  needs depend on the amount (``LoanSetting.approval_limit``) and are checked by services.
- ``LoanMonthEnd``: one per (cooperative, date); a month-end date is processed once.
- ``LoanSetting`` / ``LoanProduct``: rates 0–100 %, limits positive, thresholds increasing.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from koperasi.core.tenancy import TenantModel
from koperasi.loans.choices import (
    ApprovalDecision,
    ApprovalPurpose,
    Collectibility,
    DisbursementChannel,
    LoanMethod,
    LoanStatus,
    LoanTxnType,
)

_USER = settings.AUTH_USER_MODEL


class LoanSetting(TenantModel):
    """Approval limit, collectibility thresholds and allowance rates in force from a date (domain.md §11)."""

    effective_from = models.DateField()
    approval_limit = models.BigIntegerField(
        default=10_000_000, help_text="Sampai jumlah ini bendahara menyetujui sendiri; di atasnya ketua dan pengawas."
    )
    kurang_lancar_after = models.PositiveIntegerField(default=90, help_text="Lancar sampai hari tunggakan ini.")
    diragukan_after = models.PositiveIntegerField(default=180)
    macet_after = models.PositiveIntegerField(default=360)
    rate_lancar = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0.5"))
    rate_kurang_lancar = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("10"))
    rate_diragukan = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("50"))
    rate_macet = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("100"))
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "effective_from"], name="loan_setting_unique"),
            models.CheckConstraint(condition=Q(approval_limit__gt=0), name="loan_setting_limit_positive"),
            models.CheckConstraint(
                condition=Q(kurang_lancar_after__lt=F("diragukan_after"), diragukan_after__lt=F("macet_after")),
                name="loan_setting_thresholds_increase",
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 0, f"{name}__lte": 100}), name=f"loan_setting_{name}"
                )
                for name in ("rate_lancar", "rate_kurang_lancar", "rate_diragukan", "rate_macet")
            ],
        ]


class LoanProduct(TenantModel):
    """A kind of loan the cooperative offers: method, rate, limits, fees and penalty."""

    name = models.CharField(max_length=100)
    method = models.CharField(max_length=10, choices=LoanMethod.choices)
    rate_pa = models.DecimalField(max_digits=5, decimal_places=2, help_text="Bunga % per tahun.")
    min_term_months = models.PositiveSmallIntegerField(default=1)
    max_term_months = models.PositiveSmallIntegerField()
    min_principal = models.BigIntegerField(default=100_000)
    max_principal = models.BigIntegerField()
    admin_fee_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    admin_fee_amount = models.BigIntegerField(default=0)
    provision_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    provision_amount = models.BigIntegerField(default=0)
    fees_deducted = models.BooleanField(
        default=True, help_text="Biaya dipotong dari pencairan; jika tidak, dibayar tunai saat pencairan."
    )
    penalty_rate_pm = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), help_text="Denda % per bulan dari angsuran tertunggak."
    )
    grace_days = models.PositiveSmallIntegerField(default=0, help_text="Hari setelah jatuh tempo tanpa denda.")
    savings_multiple = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Plafon paling banyak kelipatan ini dari total simpanan anggota (kosong: tanpa batas ini).",
    )
    members_only = models.BooleanField(default=True, help_text="Hanya anggota aktif; jika tidak, calon anggota juga.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "name"], name="loan_product_name_unique"),
            models.CheckConstraint(condition=Q(method__in=LoanMethod.values), name="loan_product_method"),
            models.CheckConstraint(condition=Q(rate_pa__gte=0, rate_pa__lte=100), name="loan_product_rate"),
            models.CheckConstraint(
                condition=Q(
                    min_term_months__gte=1, max_term_months__gte=F("min_term_months"), max_term_months__lte=360
                ),
                name="loan_product_terms",
            ),
            models.CheckConstraint(
                condition=Q(min_principal__gt=0, max_principal__gte=F("min_principal")), name="loan_product_limits"
            ),
            models.CheckConstraint(
                condition=Q(
                    admin_fee_percent__gte=0,
                    admin_fee_percent__lte=100,
                    provision_percent__gte=0,
                    provision_percent__lte=100,
                    admin_fee_amount__gte=0,
                    provision_amount__gte=0,
                ),
                name="loan_product_fees",
            ),
            models.CheckConstraint(
                condition=Q(penalty_rate_pm__gte=0, penalty_rate_pm__lte=100), name="loan_product_penalty"
            ),
            models.CheckConstraint(
                condition=Q(savings_multiple__isnull=True) | Q(savings_multiple__gt=0), name="loan_product_multiple"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Loan(TenantModel):
    """One loan to one member, from application to closing; terms are copied from the product."""

    loan_no = models.PositiveIntegerField()
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="loans")
    product = models.ForeignKey(LoanProduct, on_delete=models.PROTECT, related_name="loans")
    status = models.CharField(max_length=12, choices=LoanStatus.choices, default=LoanStatus.APPLIED)
    method = models.CharField(max_length=10, choices=LoanMethod.choices)
    rate_pa = models.DecimalField(max_digits=5, decimal_places=2)
    term_months = models.PositiveSmallIntegerField()
    principal = models.BigIntegerField()
    purpose = models.CharField(max_length=250, blank=True)
    applied_on = models.DateField()
    applied_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    application_key = models.CharField(max_length=100, null=True, blank=True)
    needs_board = models.BooleanField(default=False, help_text="Di atas batas bendahara: perlu ketua dan pengawas.")
    decided_on = models.DateField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=250, blank=True)
    disbursed_on = models.DateField(null=True, blank=True)
    disbursement_channel = models.CharField(max_length=10, choices=DisbursementChannel.choices, blank=True)
    admin_fee = models.BigIntegerField(default=0)
    provision_fee = models.BigIntegerField(default=0)
    fees_deducted = models.BooleanField(default=True)
    penalty_rate_pm = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("0"))
    grace_days = models.PositiveSmallIntegerField(default=0)
    borrower_is_member = models.BooleanField(
        default=True, help_text="Anggota aktif saat pencairan: pendapatannya masuk akun anggota (SHU)."
    )
    outstanding_principal = models.BigIntegerField(default=0)
    principal_paid = models.BigIntegerField(default=0)
    interest_paid = models.BigIntegerField(default=0)
    penalty_paid = models.BigIntegerField(default=0)
    closed_on = models.DateField(null=True, blank=True)
    written_off_on = models.DateField(null=True, blank=True)
    written_off_amount = models.BigIntegerField(default=0)
    recovered_amount = models.BigIntegerField(default=0)
    # The last month-end classification (services.month_end); the live figures come from the schedule.
    classified_on = models.DateField(null=True, blank=True)
    days_past_due = models.PositiveIntegerField(default=0)
    collectibility = models.CharField(max_length=14, choices=Collectibility.choices, default=Collectibility.LANCAR)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-loan_no"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "loan_no"], name="loan_no_unique"),
            models.UniqueConstraint(
                fields=["cooperative", "application_key"],
                condition=Q(application_key__isnull=False),
                name="loan_application_key_unique",
            ),
            models.CheckConstraint(condition=Q(status__in=LoanStatus.values), name="loan_status_valid"),
            models.CheckConstraint(condition=Q(principal__gt=0), name="loan_principal_positive"),
            models.CheckConstraint(condition=Q(term_months__gte=1, term_months__lte=360), name="loan_term_valid"),
            models.CheckConstraint(
                condition=Q(outstanding_principal__gte=0, outstanding_principal__lte=F("principal")),
                name="loan_outstanding_within_principal",
            ),
            models.CheckConstraint(
                condition=Q(principal_paid__gte=0, interest_paid__gte=0, penalty_paid__gte=0, admin_fee__gte=0)
                & Q(provision_fee__gte=0, written_off_amount__gte=0, recovered_amount__gte=0),
                name="loan_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(recovered_amount__lte=F("written_off_amount")), name="loan_recovery_within_write_off"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[LoanStatus.ACTIVE]) | Q(outstanding_principal=0),
                name="loan_outstanding_only_when_active",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "status"], name="loan_coop_status")]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"PJ-{self.loan_no:05d}"


class LoanInstallment(TenantModel):
    """One row of a loan's schedule and what has been paid of it."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="installments")
    no = models.PositiveSmallIntegerField()
    due_date = models.DateField()
    principal_due = models.BigIntegerField()
    interest_due = models.BigIntegerField()
    principal_paid = models.BigIntegerField(default=0)
    interest_paid = models.BigIntegerField(default=0)
    interest_waived = models.BigIntegerField(default=0)
    penalty_accrued = models.BigIntegerField(default=0)
    penalty_paid = models.BigIntegerField(default=0)
    penalty_from = models.DateField(help_text="Denda dihitung dari tanggal ini (jatuh tempo + masa tenggang).")
    settled = models.BooleanField(default=False)
    settled_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["loan_id", "no"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "loan", "no"], name="loan_installment_unique"),
            models.CheckConstraint(
                condition=Q(principal_due__gte=0, interest_due__gte=0, principal_paid__gte=0, interest_paid__gte=0)
                & Q(interest_waived__gte=0, penalty_accrued__gte=0, penalty_paid__gte=0),
                name="loan_installment_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(principal_paid__lte=F("principal_due")), name="loan_installment_principal_within_due"
            ),
            models.CheckConstraint(
                condition=Q(interest_due__gte=F("interest_paid") + F("interest_waived")),
                name="loan_installment_interest_within_due",
            ),
            models.CheckConstraint(
                condition=Q(penalty_paid__lte=F("penalty_accrued")), name="loan_installment_penalty_within_accrued"
            ),
        ]
        indexes = [
            # The month-end batch and the arrears reports read only unpaid instalments.
            models.Index(
                fields=["cooperative", "due_date"], condition=Q(settled=False), name="loan_installment_unsettled"
            ),
        ]


class LoanApproval(TenantModel):
    """One officer's decision on a loan application or a write-off, in their role."""

    loan = models.ForeignKey(Loan, on_delete=models.CASCADE, related_name="approvals")
    purpose = models.CharField(max_length=12, choices=ApprovalPurpose.choices)
    role = models.CharField(max_length=12)
    decision = models.CharField(max_length=6, choices=ApprovalDecision.choices)
    note = models.CharField(max_length=250, blank=True)
    decided_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "loan", "purpose", "role"],
                condition=Q(decision=ApprovalDecision.SETUJU),
                name="loan_approval_once_per_role",
            ),
        ]


class LoanTransaction(TenantModel):
    """A movement of a loan's money: disbursement, repayment, payoff, write-off, recovery."""

    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, related_name="transactions")
    type = models.CharField(max_length=12, choices=LoanTxnType.choices)
    date = models.DateField()
    amount = models.BigIntegerField(help_text="Uang yang berpindah (pencairan: diterima anggota).")
    principal = models.BigIntegerField(default=0)
    interest = models.BigIntegerField(default=0)
    penalty = models.BigIntegerField(default=0)
    fees = models.BigIntegerField(default=0)
    channel = models.CharField(max_length=10, blank=True)
    reference = models.CharField(max_length=60, blank=True)
    allocation = models.JSONField(default=list, blank=True, help_text="Per angsuran: no, denda, bunga, pokok.")
    outstanding_after = models.BigIntegerField()
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    memo = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="loan_txn_key_unique",
            ),
            models.CheckConstraint(condition=Q(type__in=LoanTxnType.values), name="loan_txn_type_valid"),
            models.CheckConstraint(
                condition=Q(amount__gte=0, principal__gte=0, interest__gte=0, penalty__gte=0, fees__gte=0)
                & Q(outstanding_after__gte=0),
                name="loan_txn_not_negative",
            ),
        ]


class LoanMonthEnd(TenantModel):
    """A month-end run: classification, penalties and the allowance posted, once per date."""

    date = models.DateField()
    loans_classified = models.PositiveIntegerField(default=0)
    penalty_accrued = models.BigIntegerField(default=0)
    allowance_before = models.BigIntegerField(default=0)
    allowance_required = models.BigIntegerField(default=0)
    summary = models.JSONField(default=dict, help_text="Per kolektibilitas: jumlah, outstanding, PPAP.")
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["cooperative", "date"], name="loan_month_end_unique")]
