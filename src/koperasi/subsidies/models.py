"""Subsidised-goods programmes, their registered recipients and the logbook of what each received.

Invariants (database-enforced where a constraint can say it):
- A programme sells one gerai product at one price (> 0, never above the HET in force:
  checked when the programme is saved and again at every sale), between ``valid_from``
  and ``valid_to`` (open-ended when null); a product has at most one programme in force on
  any day (checked by ``program_create`` under the product's row lock).
- A programme admits at least one recipient category; a rule counts per NIK or per KK over
  one purchase, a calendar day, an ISO week or a calendar month, and limits the quantity
  (``max_qty``) or the number of purchases (``max_purchases``), at least one of them.
  One rule per (programme, per, period). A KK rule needs registered recipients (the KK is
  known only from the registration).
- A recipient is registered once per cooperative by NIK (unique) with a valid NIK and KK;
  an usaha mikro has a 13-digit NIB. A deactivated recipient keeps the reason and date.
- A distribution is one sale line of a programme product; its quantity is the line's. The
  quantity a household has used is Σ (line qty − qty returned) of the distributions of the
  product, so a return or void gives the quota back without touching this table.
- Quota checks and the sale run in one transaction after the sale has locked the product's
  row, so two tills selling the same programme product queue on that row and the second
  sees the first's distribution (ADR 0006).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from koperasi.core.tenancy import TenantModel
from koperasi.members.identity import nik_mask
from koperasi.subsidies.choices import RecipientCategory, RulePer, RulePeriod

CATEGORY_FIELDS = {
    RecipientCategory.RUMAH_TANGGA: "for_rumah_tangga",
    RecipientCategory.USAHA_MIKRO: "for_usaha_mikro",
    RecipientCategory.PETANI: "for_petani",
    RecipientCategory.NELAYAN: "for_nelayan",
}


class SubsidyProgram(TenantModel):
    """A partner's subsidised-goods programme run by the cooperative (LPG 3 kg, SPHP, MinyaKita)."""

    name = models.CharField(max_length=150)
    product = models.ForeignKey("shop.Product", on_delete=models.PROTECT, related_name="subsidy_programs")
    partner = models.CharField(max_length=150, help_text="Mitra BUMN, mis. PT Pertamina Patra Niaga, Perum Bulog.")
    price = models.BigIntegerField(help_text="Harga jual kepada penerima per satuan; tidak boleh di atas HET.")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    monthly_allocation = models.PositiveIntegerField(
        default=0, help_text="Alokasi bulanan dari mitra (satuan jual); 0 bila tidak ditetapkan."
    )
    for_rumah_tangga = models.BooleanField(default=True)
    for_usaha_mikro = models.BooleanField(default=False)
    for_petani = models.BooleanField(default=False)
    for_nelayan = models.BooleanField(default=False)
    registration_required = models.BooleanField(
        default=True, help_text="Hanya NIK yang terdaftar sebagai penerima yang boleh membeli."
    )
    note = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "name"]
        indexes = [models.Index(fields=["cooperative", "product", "valid_from"], name="subsidy_program_product")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="subsidy_program_price_positive"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="subsidy_program_dates",
            ),
            models.CheckConstraint(
                condition=Q(for_rumah_tangga=True) | Q(for_usaha_mikro=True) | Q(for_petani=True) | Q(for_nelayan=True),
                name="subsidy_program_has_category",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def categories(self) -> list[str]:
        return [str(code) for code, field in CATEGORY_FIELDS.items() if getattr(self, field)]

    def admits(self, category: str) -> bool:
        field = CATEGORY_FIELDS.get(RecipientCategory(category)) if category in RecipientCategory.values else None
        return bool(field and getattr(self, field))


class ProgramRule(TenantModel):
    """One quota of a programme, e.g. 10 tabung per KK per month, or one purchase per NIK per day."""

    program = models.ForeignKey(SubsidyProgram, on_delete=models.CASCADE, related_name="rules")
    per = models.CharField(max_length=5, choices=RulePer.choices)
    period = models.CharField(max_length=10, choices=RulePeriod.choices)
    max_qty = models.PositiveIntegerField(null=True, blank=True)
    max_purchases = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "program", "per", "period"], name="subsidy_rule_unique"),
            models.CheckConstraint(condition=Q(per__in=RulePer.values), name="subsidy_rule_per_valid"),
            models.CheckConstraint(condition=Q(period__in=RulePeriod.values), name="subsidy_rule_period_valid"),
            models.CheckConstraint(
                condition=Q(max_qty__isnull=True) | Q(max_qty__gt=0), name="subsidy_rule_max_qty_positive"
            ),
            models.CheckConstraint(
                condition=Q(max_purchases__isnull=True) | Q(max_purchases__gt=0),
                name="subsidy_rule_max_purchases_positive",
            ),
            models.CheckConstraint(
                condition=Q(max_qty__isnull=False) | Q(max_purchases__isnull=False), name="subsidy_rule_has_limit"
            ),
            models.CheckConstraint(
                condition=~Q(period=RulePeriod.PURCHASE) | Q(max_purchases__isnull=True),
                name="subsidy_rule_purchase_counts_qty",
            ),
        ]


class ProgramAllocation(TenantModel):
    """The quantity the partner allocated to the cooperative for one month (overrides the programme's default)."""

    program = models.ForeignKey(SubsidyProgram, on_delete=models.CASCADE, related_name="allocations")
    month = models.DateField(help_text="Hari pertama bulan alokasi.")
    qty = models.PositiveIntegerField()
    reference = models.CharField(max_length=100, blank=True, help_text="Nomor surat/DO alokasi dari mitra.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["month"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "program", "month"], name="subsidy_allocation_month_unique"),
        ]


class Recipient(TenantModel):
    """A person registered to buy subsidised goods at this cooperative (need not be a member)."""

    nik = models.CharField(max_length=16)
    kk = models.CharField(max_length=16)
    name = models.CharField(max_length=150)
    category = models.CharField(max_length=15, choices=RecipientCategory.choices)
    nib = models.CharField(max_length=13, blank=True, help_text="NIB usaha mikro (13 angka).")
    business_name = models.CharField(max_length=150, blank=True)
    address = models.CharField(max_length=250, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    kelurahan = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    member = models.ForeignKey("members.Member", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    registered_on = models.DateField()
    is_active = models.BooleanField(default=True)
    deactivated_on = models.DateField(null=True, blank=True)
    deactivation_reason = models.CharField(max_length=250, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["cooperative", "kk"], name="subsidy_recipient_kk")]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "nik"], name="subsidy_recipient_nik_unique"),
            models.CheckConstraint(
                condition=Q(category__in=RecipientCategory.values), name="subsidy_recipient_category_valid"
            ),
            models.CheckConstraint(
                condition=~Q(category=RecipientCategory.USAHA_MIKRO) | ~Q(nib=""), name="subsidy_recipient_nib_needed"
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | (Q(deactivated_on__isnull=False) & ~Q(deactivation_reason="")),
                name="subsidy_recipient_deactivation_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.nik_masked})"

    @property
    def nik_masked(self) -> str:
        return nik_mask(self.nik)

    @property
    def kk_masked(self) -> str:
        return nik_mask(self.kk)


class Distribution(TenantModel):
    """One subsidised sale line: who received how much of which programme, at what price, when (the logbook)."""

    program = models.ForeignKey(SubsidyProgram, on_delete=models.PROTECT, related_name="distributions")
    product = models.ForeignKey("shop.Product", on_delete=models.PROTECT, related_name="+")
    sale = models.ForeignKey("shop.Sale", on_delete=models.PROTECT, related_name="distributions")
    sale_line = models.ForeignKey("shop.SaleLine", on_delete=models.PROTECT, related_name="distributions")
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    date = models.DateField()
    recorded_at = models.DateTimeField()
    nik = models.CharField(max_length=16)
    kk = models.CharField(max_length=16, blank=True)
    name = models.CharField(max_length=150, blank=True)
    category = models.CharField(max_length=15, blank=True)
    qty = models.BigIntegerField()
    unit_price = models.BigIntegerField()
    partner_reference = models.CharField(
        max_length=100, blank=True, help_text="Nomor transaksi di aplikasi mitra (mis. MAP Pertamina)."
    )
    reached_limit = models.BooleanField(
        default=False, help_text="Sesudah pembelian ini sisa kuota salah satu aturan 0."
    )

    class Meta:
        ordering = ["date", "id"]
        indexes = [
            models.Index(fields=["cooperative", "product", "nik", "date"], name="subsidy_dist_nik"),
            models.Index(fields=["cooperative", "product", "kk", "date"], name="subsidy_dist_kk"),
            models.Index(fields=["cooperative", "program", "date"], name="subsidy_dist_program"),
        ]
        constraints = [
            # One logbook row per sale line (scoped by cooperative, as every unique key here).
            models.UniqueConstraint(fields=["cooperative", "sale_line"], name="subsidy_distribution_line_unique"),
            models.CheckConstraint(condition=Q(qty__gt=0), name="subsidy_distribution_qty_positive"),
            models.CheckConstraint(condition=Q(unit_price__gt=0), name="subsidy_distribution_price_positive"),
        ]

    @property
    def nik_masked(self) -> str:
        return nik_mask(self.nik)

    @property
    def kk_masked(self) -> str:
        return nik_mask(self.kk) if self.kk else ""
