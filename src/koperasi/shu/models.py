"""The year-end close, the SHU rules per cooperative, and each year's SHU with every member's share.

Invariants (database-enforced where a constraint can say it):
- ``ShuPolicy``: one per (cooperative, effective year); it applies to its year and later
  years until the next policy. Its lines' percentages sum to exactly 100 and contain one
  cadangan line (checked by ``shu.calculations.allocation_problems`` when saved).
- ``FiscalYear``: one per (cooperative, year), created by the first close. While
  ``status`` is closed, its closing entry (``closing_entry``, source ``year_close``) has
  moved every income and expense balance of the year to SHU tahun berjalan (3-1610 from
  members, 3-1620 from non-members), and its twelve months are closed and locked
  (``ledger.Period.year_locked``): no month can be reopened until the year is. The
  figures stored here are those of the last close; ``surplus_members + surplus_non_members
  = surplus``.
- A closed year is reopened only by ketua and pengawas together (one asks, the other
  approves; ``FiscalYearReopenRequest``), and never after its SHU was distributed.
- ``ShuDistribution``: at most one per (cooperative, year), only for a closed year with a
  surplus from members; its allocation is a snapshot (later policy changes do not touch
  it) and its allocation entry was posted in the same transaction. ``shu_total`` =
  Σ pool amounts; ``members_total`` + ``remainder`` = Σ member pools; members' shares sum
  to ``members_total``.
- ``ShuFundSpend``: a payment out of one fund, posted (Dr 2-1400, Cr kas/bank) in the same
  transaction; a fund's spends never exceed what the distributions credited to it.
- ``ShuMemberShare``: one per (distribution, member); ``total = jasa_modal + jasa_usaha``
  ≥ 0; once paid (cash or into sukarela, each posted) it is never paid again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from koperasi.core.tenancy import TenantModel
from koperasi.shu.choices import (
    Basis,
    NonMemberDestination,
    PaymentMethod,
    Pool,
    ReopenStatus,
    SpendChannel,
    YearStatus,
)

_USER = settings.AUTH_USER_MODEL


class ShuPolicy(TenantModel):
    """How a cooperative shares its SHU from ``effective_year`` on (AD/ART; domain.md §2.2, §2.3, §11)."""

    effective_year = models.PositiveSmallIntegerField()
    capital_kinds = models.JSONField(default=list, help_text="Jenis simpanan dasar jasa modal, mis. pokok, wajib.")
    non_member_destination = models.CharField(
        max_length=40, choices=NonMemberDestination.choices, default=NonMemberDestination.CADANGAN
    )
    note = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-effective_year"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "effective_year"], name="shu_policy_year_unique"),
            models.CheckConstraint(
                condition=Q(non_member_destination__in=NonMemberDestination.values), name="shu_policy_non_member_valid"
            ),
        ]


class ShuPolicyLine(TenantModel):
    policy = models.ForeignKey(ShuPolicy, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    pool = models.CharField(max_length=40, choices=Pool.choices)
    percent = models.DecimalField(max_digits=5, decimal_places=2)
    unit = models.ForeignKey("cooperatives.BusinessUnit", on_delete=models.PROTECT, null=True, blank=True)
    basis = models.CharField(max_length=20, choices=Basis.choices, blank=True)
    label = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(percent__gt=0, percent__lte=100), name="shu_policy_line_percent"),
            models.CheckConstraint(condition=Q(pool__in=Pool.values), name="shu_policy_line_pool"),
            models.CheckConstraint(
                condition=(Q(pool=Pool.JASA_USAHA) & Q(unit__isnull=False) & ~Q(basis=""))
                | (~Q(pool=Pool.JASA_USAHA) & Q(unit__isnull=True) & Q(basis="")),
                name="shu_policy_line_usage_has_unit",
            ),
        ]


class FiscalYear(TenantModel):
    """A closed (or reopened) tahun buku and the figures of its last close."""

    year = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=YearStatus.choices, default=YearStatus.CLOSED)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    closing_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    total_income = models.BigIntegerField(default=0)
    total_expense = models.BigIntegerField(default=0)
    revenue_members = models.BigIntegerField(default=0)
    revenue_non_members = models.BigIntegerField(default=0)
    surplus = models.BigIntegerField(default=0)
    surplus_members = models.BigIntegerField(default=0)
    surplus_non_members = models.BigIntegerField(default=0)
    split = models.JSONField(default=list, help_text="Per unit: unit, pendapatan anggota/non, SHU anggota/non.")
    times_reopened = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "year"], name="fiscal_year_unique"),
            models.CheckConstraint(condition=Q(status__in=YearStatus.values), name="fiscal_year_status_valid"),
            models.CheckConstraint(
                condition=Q(surplus=F("surplus_members") + F("surplus_non_members")), name="fiscal_year_split_sums"
            ),
        ]

    def __str__(self) -> str:
        return f"Tahun buku {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.status == YearStatus.CLOSED


class FiscalYearReopenRequest(TenantModel):
    """A request to reopen a closed year: one of ketua/pengawas asks, the other approves."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="reopen_requests")
    reason = models.CharField(max_length=250)
    requested_by = models.ForeignKey(_USER, on_delete=models.PROTECT, related_name="+")
    requested_role = models.CharField(max_length=20)
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ReopenStatus.choices, default=ReopenStatus.PENDING)
    approved_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_role = models.CharField(max_length=20, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "fiscal_year"], condition=Q(status="menunggu"), name="year_reopen_one_pending"
            ),
        ]


class ShuDistribution(TenantModel):
    """A year's SHU as the RAT approved it: the allocation, its posting, the members' shares."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    shu_total = models.BigIntegerField(help_text="SHU dari anggota yang dibagi menurut persentase.")
    non_member_amount = models.BigIntegerField(default=0, help_text="SHU dari bukan anggota; tidak dibagi.")
    non_member_destination = models.CharField(max_length=40, choices=NonMemberDestination.choices)
    capital_kinds = models.JSONField(default=list)
    allocation = models.JSONField(help_text="Salinan baris pembagian: pool, percent, unit, basis, label.")
    pools = models.JSONField(help_text="Per baris: amount, base_total, distributed, remainder.")
    members_total = models.BigIntegerField(default=0)
    members_count = models.PositiveIntegerField(default=0)
    remainder = models.BigIntegerField(default=0, help_text="Sisa pembulatan bagian anggota; masuk cadangan.")
    rat_date = models.DateField()
    decision_number = models.CharField(max_length=100)
    allocation_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "year"], name="shu_distribution_once_per_year"),
            models.CheckConstraint(condition=Q(shu_total__gt=0), name="shu_distribution_total_positive"),
            models.CheckConstraint(
                condition=Q(members_total__gte=0, remainder__gte=0), name="shu_distribution_parts_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"SHU {self.year}"


class ShuMemberShare(TenantModel):
    """One member's SHU of one year: jasa modal, jasa usaha per unit, and how it was paid."""

    distribution = models.ForeignKey(ShuDistribution, on_delete=models.PROTECT, related_name="shares")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    capital_base = models.BigIntegerField(default=0)
    jasa_modal = models.BigIntegerField(default=0)
    usage = models.JSONField(default=list, help_text="Per unit: unit, basis, base, amount.")
    jasa_usaha = models.BigIntegerField(default=0)
    total = models.BigIntegerField(default=0)
    paid_on = models.DateField(null=True, blank=True)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True)
    payment_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["member_id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "distribution", "member"], name="shu_share_once"),
            models.CheckConstraint(
                condition=Q(jasa_modal__gte=0, jasa_usaha__gte=0, total=F("jasa_modal") + F("jasa_usaha")),
                name="shu_share_total",
            ),
            models.CheckConstraint(
                condition=Q(paid_on__isnull=True, payment_method="", payment_entry__isnull=True)
                | Q(paid_on__isnull=False, payment_method__in=PaymentMethod.values, payment_entry__isnull=False),
                name="shu_share_paid_consistent",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "member"], name="shu_share_coop_member")]

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None


class ShuFundSpend(TenantModel):
    """Money taken out of one SHU fund (dana pendidikan, sosial, pengurus…) for its purpose, posted.

    A fund's balance is what the approved distributions put into it (``shu.calculations.
    fund_credits``) less its spends; a spend never takes a fund below zero (checked under
    the cooperative's row lock).
    """

    fund = models.CharField(max_length=120, help_text="Kunci dana: kode pool, atau lainnya:<nama>.")
    amount = models.BigIntegerField()
    date = models.DateField()
    channel = models.CharField(max_length=10, choices=SpendChannel.choices)
    purpose = models.CharField(max_length=200)
    recipient = models.CharField(max_length=120, blank=True)
    journal_entry = models.ForeignKey("ledger.JournalEntry", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)
    created_by = models.ForeignKey(_USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="shu_fund_spend_amount_positive"),
            models.CheckConstraint(condition=Q(channel__in=SpendChannel.values), name="shu_fund_spend_channel_valid"),
            models.UniqueConstraint(
                fields=["cooperative", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="shu_fund_spend_key_once",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "fund"], name="shu_fund_spend_coop_fund")]
