"""The double-entry books of each cooperative (DESIGN.md §6, domain.md §8).

Invariants. Each is enforced by the database (constraints and the triggers of migration
0002, on SQLite and PostgreSQL alike) and tried with raw SQL in ``tests/ledger/test_invariants.py``:

- A ``JournalLine`` has exactly one of ``debit`` / ``credit`` positive, the other zero (CHECK).
- A line's account, business unit, member and entry belong to the line's cooperative; a line never
  goes to a group (heading) account; a line's ``date`` equals its entry's.
- A ``JournalEntry`` is inserted as a draft (``is_posted`` false), its lines are added, and
  it is posted by one UPDATE. At that moment it must have at least two lines, and debits =
  credits = ``amount`` > 0. A posted entry and its lines can never be updated or deleted;
  corrections are reversal entries (``reverses``), and an entry is reversed at most once.
- No entry is inserted or posted into a month that ``Period`` marks closed. The one
  exception is the year-end close's own entry (``services.closing_entry_post``), which
  briefly lifts December's close inside its transaction: nobody else can see it open.
- A month of a year in ``YearLock`` (the year-end close holds it) cannot be reopened.
- ``idempotency_key`` is unique per cooperative; ``seq`` is unique per cooperative.
- Hash chain: posting requires ``seq = LedgerHead.last_seq + 1`` and
  ``prev_hash = LedgerHead.last_hash``; the trigger then advances the head. ``hash`` is the
  SHA-256 of the entry's content and ``prev_hash`` (``hashing.entry_hash``), checked by
  ``ledger_verify``.
- ``AccountDayTotal`` / ``AccountMonthTotal`` hold the posted debits and credits per
  (account, business unit, day / month). The posting trigger maintains them in the same
  transaction; ``ledger_verify`` checks them against the lines.
- An account with postings cannot change its type or normal side, or be deleted (FK PROTECT).

Warning for future migrations: on SQLite, Django rebuilds a table for most ``AlterField``
operations, which drops its triggers. A migration that alters a ledger table must re-run
``koperasi.ledger.db_triggers.install`` (the invariant tests fail if it does not).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from koperasi.core.tenancy import TenantModel
from koperasi.ledger.choices import AccountType, CashFlowGroup, ReopenStatus, RevenueParty, Side


class Account(TenantModel):
    """An account of one cooperative's chart (a heading when ``is_group``)."""

    code = models.CharField(max_length=20)
    name = models.CharField(max_length=150)
    type = models.CharField(max_length=10, choices=AccountType.choices)
    normal_side = models.CharField(max_length=6, choices=Side.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    is_group = models.BooleanField(default=False)
    role = models.CharField(max_length=50, blank=True, help_text="Peran sistem, mis. 'cash', 'savings_pokok'.")
    revenue_party = models.CharField(max_length=12, choices=RevenueParty.choices, blank=True, default="")
    business_unit = models.ForeignKey(
        "cooperatives.BusinessUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="accounts"
    )
    cash_flow = models.CharField(max_length=10, choices=CashFlowGroup.choices, default=CashFlowGroup.OPERATING)
    is_active = models.BooleanField(default=True)
    description = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "code"], name="account_code_unique"),
            models.UniqueConstraint(fields=["cooperative", "role"], condition=~Q(role=""), name="account_role_unique"),
            models.CheckConstraint(condition=Q(type__in=AccountType.values), name="account_type_valid"),
            models.CheckConstraint(condition=Q(normal_side__in=Side.values), name="account_side_valid"),
            models.CheckConstraint(
                condition=Q(revenue_party="") | Q(type=AccountType.INCOME), name="account_party_only_income"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_contra(self) -> bool:
        from koperasi.ledger.choices import NORMAL_SIDE

        return self.normal_side != NORMAL_SIDE[self.type]


class LedgerHead(TenantModel):
    """The end of a cooperative's hash chain: the last posted entry's number and hash."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cooperative"], name="ledger_head_one_per_coop")]


class JournalEntry(TenantModel):
    """A balanced set of lines posted on one date: the only way money moves in the books."""

    seq = models.BigIntegerField(help_text="Nomor urut jurnal dalam koperasi; dasar rantai hash.")
    date = models.DateField()
    memo = models.CharField(max_length=250)
    source_type = models.CharField(max_length=60, default="manual")
    source_id = models.CharField(max_length=60, blank=True)
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    reverses = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals")
    amount = models.BigIntegerField(help_text="Jumlah debit = jumlah kredit.")
    is_posted = models.BooleanField(default=False)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["seq"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "seq"], name="entry_seq_unique"),
            models.UniqueConstraint(fields=["cooperative", "idempotency_key"], name="entry_idempotency_unique"),
            models.UniqueConstraint(fields=["cooperative", "reverses"], name="entry_reversed_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="entry_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["cooperative", "date"], name="entry_coop_date"),
            models.Index(fields=["cooperative", "source_type", "source_id"], name="entry_coop_source"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.memo}"

    @property
    def number(self) -> str:
        return f"JU-{self.seq:06d}"


class JournalLine(TenantModel):
    """One debit or one credit of an entry, optionally for a business unit."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    date = models.DateField(help_text="Sama dengan tanggal jurnal; disalin agar buku besar cepat.")
    debit = models.BigIntegerField(default=0)
    credit = models.BigIntegerField(default=0)
    business_unit = models.ForeignKey(
        "cooperatives.BusinessUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(max_length=250, blank=True)
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text="Anggota pemilik baris ini (buku pembantu simpanan, pinjaman, SHU).",
    )  # fmt: skip

    class Meta:
        ordering = ["entry_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
                name="line_debit_xor_credit",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "account", "date"], name="line_coop_account_date")]


class AccountDayTotal(TenantModel):
    """Posted debits and credits of an account (and business unit; 0 = none) on one day."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    unit_id = models.BigIntegerField(default=0)
    date = models.DateField()
    debit = models.BigIntegerField(default=0)
    credit = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "account", "unit_id", "date"], name="day_total_unique"),
        ]
        indexes = [models.Index(fields=["cooperative", "date"], name="day_total_coop_date")]


class AccountMonthTotal(TenantModel):
    """Posted debits and credits of an account (and business unit; 0 = none) in one month."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    unit_id = models.BigIntegerField(default=0)
    month = models.DateField(help_text="Tanggal 1 bulan itu.")
    debit = models.BigIntegerField(default=0)
    credit = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "account", "unit_id", "month"], name="month_total_unique"),
        ]
        indexes = [models.Index(fields=["cooperative", "month"], name="month_total_coop_month")]


class Period(TenantModel):
    """A month of the books; once closed, nothing can be posted dated in it."""

    month = models.DateField(help_text="Tanggal 1 bulan itu.")
    is_closed = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "month"], name="period_month_unique"),
            models.CheckConstraint(condition=Q(month__day=1), name="period_first_of_month"),
        ]


class PeriodReopenRequest(TenantModel):
    """A request to reopen a closed month: one of ketua/pengawas asks, the other approves."""

    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reopen_requests")
    reason = models.CharField(max_length=250)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_role = models.CharField(max_length=20)
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ReopenStatus.choices, default=ReopenStatus.PENDING)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_role = models.CharField(max_length=20, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "period"], condition=Q(status="menunggu"), name="reopen_one_pending"
            ),
        ]


class YearLock(TenantModel):
    """A closed fiscal year: none of its months may be reopened while this row exists.

    Created and removed by the year-end close (``shu.services``) through
    ``ledger.services.year_lock`` / ``year_unlock``; the ledger only enforces it.
    """

    year = models.PositiveSmallIntegerField()
    locked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cooperative", "year"], name="year_lock_unique")]
