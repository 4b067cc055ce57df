"""Savings (simpanan): settings with effective dates, accounts per member and kind, transactions, wajib bills.

Invariants (database constraints unless noted):
- One ``SavingsAccount`` per (cooperative, member, kind); ``balance`` ≥ 0 (CHECK), so no
  race can overdraw it even if a service check were skipped.
- ``balance`` = Σ credit transactions − Σ debit transactions of the account (kept by
  ``services``, which lock the account row before they read it; checked by
  ``selectors.savings_reconcile`` and the test suite).
- ``balance_after`` is the balance when the transaction was recorded (the receipt). A teller
  may back-date within open months, so statements and interest recompute running balances
  in date order from the amounts. Nothing is dated in or before a month whose sukarela
  interest was paid (``InterestRun``), so paid interest never goes stale (``services``).
- Every ``SavingsTransaction`` has ``amount`` > 0, ``balance_after`` ≥ 0 and its journal
  entry, posted in the same transaction; its ledger lines carry the member, so the
  ledger's savings accounts equal the sum of the members' accounts.
- ``idempotency_key`` is unique per cooperative: a repeated submit returns the first
  transaction.
- A correction is a transaction of the opposite direction that ``reverses`` the wrong one
  (setor ↔ tarik, its journal entry reversed); a transaction is corrected at most once
  (UNIQUE), so sums over types stay right without special cases.
- ``SavingsSetting``: one row per (cooperative, effective_from); amounts > 0; rate 0–100 %.
  The row in force on a date is the latest ``effective_from`` on or before it; a
  cooperative without rows uses ``calculations.DEFAULT_SETTING`` (domain.md §11).
- ``WajibBill``: one per (cooperative, member, month); ``month`` is a first day.
- ``InterestRun``: one per (cooperative, month): month-end interest is paid at most once.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from koperasi.core.tenancy import TenantModel
from koperasi.savings.choices import Channel, SavingsKind, TxnType


class SavingsSetting(TenantModel):
    """Amounts and rates the cooperative decided (AD/ART, RAT), in force from a date."""

    effective_from = models.DateField()
    pokok_amount = models.BigIntegerField(help_text="Simpanan pokok, dibayar sekali.")
    wajib_amount = models.BigIntegerField(help_text="Simpanan wajib per bulan.")
    wajib_due_day = models.PositiveSmallIntegerField(default=10, help_text="Tanggal jatuh tempo wajib tiap bulan.")
    sukarela_rate_pa = models.DecimalField(
        max_digits=5, decimal_places=2, default=Decimal("0"), help_text="Bunga sukarela % per tahun."
    )
    sukarela_min_balance = models.BigIntegerField(
        default=0, help_text="Saldo terendah sebulan di bawah ini tidak mendapat bunga."
    )
    transaction_limit = models.BigIntegerField(help_text="Batas satu transaksi; di atasnya dianggap salah ketik.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "effective_from"], name="savings_setting_unique"),
            models.CheckConstraint(condition=Q(pokok_amount__gt=0), name="savings_setting_pokok_positive"),
            models.CheckConstraint(condition=Q(wajib_amount__gt=0), name="savings_setting_wajib_positive"),
            models.CheckConstraint(
                condition=Q(wajib_due_day__gte=1, wajib_due_day__lte=28), name="savings_setting_due_day"
            ),
            models.CheckConstraint(
                condition=Q(sukarela_rate_pa__gte=0, sukarela_rate_pa__lte=100), name="savings_setting_rate"
            ),
            models.CheckConstraint(condition=Q(sukarela_min_balance__gte=0), name="savings_setting_min_balance"),
            models.CheckConstraint(condition=Q(transaction_limit__gt=0), name="savings_setting_limit_positive"),
        ]


class SavingsAccount(TenantModel):
    """A member's balance of one kind of savings (the per-member sub-ledger, domain.md §1.2)."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="savings_accounts")
    kind = models.CharField(max_length=10, choices=SavingsKind.choices)
    balance = models.BigIntegerField(default=0)
    wajib_amount = models.BigIntegerField(
        null=True, blank=True, help_text="Wajib per bulan khusus anggota ini (kosong: sesuai pengaturan)."
    )
    opened_on = models.DateField()

    class Meta:
        ordering = ["member_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "member", "kind"], name="savings_account_unique"),
            models.CheckConstraint(condition=Q(kind__in=SavingsKind.values), name="savings_account_kind_valid"),
            models.CheckConstraint(condition=Q(balance__gte=0), name="savings_account_not_negative"),
            models.CheckConstraint(
                condition=Q(wajib_amount__isnull=True) | Q(wajib_amount__gt=0, kind=SavingsKind.WAJIB),
                name="savings_account_wajib_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.member_id}"


class SavingsTransaction(TenantModel):
    """One deposit, withdrawal, interest credit or exit refund, with its journal entry."""

    account = models.ForeignKey(SavingsAccount, on_delete=models.PROTECT, related_name="transactions")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=10, choices=SavingsKind.choices)
    type = models.CharField(max_length=15, choices=TxnType.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.TUNAI)
    amount = models.BigIntegerField()
    balance_after = models.BigIntegerField()
    date = models.DateField()
    reference = models.CharField(max_length=60, blank=True, help_text="Nomor referensi transfer.")
    memo = models.CharField(max_length=250, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    reverses = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        help_text="Transaksi salah yang dibatalkan oleh koreksi ini (arah kebalikannya).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="savings_txn_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["cooperative", "reverses"],
                condition=Q(reverses__isnull=False),
                name="savings_txn_corrected_once",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="savings_txn_amount_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="savings_txn_balance_not_negative"),
            models.CheckConstraint(condition=Q(kind__in=SavingsKind.values), name="savings_txn_kind_valid"),
            models.CheckConstraint(condition=Q(type__in=TxnType.values), name="savings_txn_type_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="savings_txn_channel_valid"),
        ]
        indexes = [
            models.Index(fields=["cooperative", "account", "date"], name="savings_txn_account_date"),
            models.Index(fields=["cooperative", "member", "kind"], name="savings_txn_member_kind"),
            models.Index(fields=["cooperative", "date"], name="savings_txn_coop_date"),
        ]

    @property
    def is_credit(self) -> bool:
        return self.type in (TxnType.SETOR, TxnType.BUNGA)


class WajibBill(TenantModel):
    """A member's simpanan wajib obligation for one month (tagihan simpanan wajib).

    Whether it is paid is not stored: the member's wajib deposits pay the bills oldest
    first (``calculations.wajib_bill_status``), so an early or a lump payment needs no
    allocation table and cannot disagree with the deposits.
    """

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="wajib_bills")
    month = models.DateField(help_text="Hari pertama bulan tagihan.")
    amount = models.BigIntegerField()
    due_on = models.DateField()
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member_id", "month"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "member", "month"], name="wajib_bill_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="wajib_bill_amount_positive"),
        ]
        indexes = [models.Index(fields=["cooperative", "month"], name="wajib_bill_coop_month")]


class InterestRun(TenantModel):
    """Month-end interest on simpanan sukarela, paid once per month."""

    month = models.DateField(help_text="Hari pertama bulan bunga.")
    rate_pa = models.DecimalField(max_digits=5, decimal_places=2)
    accounts_paid = models.PositiveIntegerField(default=0)
    total_interest = models.BigIntegerField(default=0)
    journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "month"], name="interest_run_unique"),
            models.CheckConstraint(condition=Q(total_interest__gte=0), name="interest_run_total_not_negative"),
        ]
