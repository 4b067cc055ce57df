"""The tenant (``Cooperative``) and its profile: legal record, stages, facilities, units, partners.

Invariants (each a database constraint unless noted):
- ``Cooperative.code`` is unique; ``stage`` is one of ``Stage``.
- At most one cooperative that is not ``nonaktif`` per kelurahan/desa (domain.md §6.2:
  "one coop per kelurahan"); an inactive one does not block a revitalised successor.
- ``LegalRecord``: one row per (cooperative, kind); kinds and statuses from their choices.
  Number formats (NIB 13 digits, NPWP 16 digits) are checked in ``legal.py``.
- ``StageChange`` rows are the stage history; the newest row's ``to_stage`` equals the
  cooperative's ``stage`` (kept by ``services.cooperative_stage_change``).
- ``Facility.progress_pct`` is 0–100 and ``target_on`` is not before ``started_on``.
- ``BusinessUnit.code`` is unique within a cooperative; the seven prescribed units exist
  from creation.
- ``Partner.end_on`` is not before ``start_on``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from koperasi.cooperatives.choices import (
    FacilityKind,
    LegalKind,
    LegalStatus,
    PartnerKind,
    Route,
    Stage,
    UnitStatus,
)
from koperasi.core.tenancy import TenantModel


class Cooperative(models.Model):
    """A Koperasi Kelurahan/Desa Merah Putih: the tenant."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=150)
    kelurahan = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="cooperatives")
    stage = models.CharField(max_length=20, choices=Stage.choices, default=Stage.USULAN)
    route = models.CharField(max_length=20, choices=Route.choices, default=Route.BARU)
    address = models.CharField(max_length=250, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    email = models.EmailField(blank=True)
    registered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kelurahan_id"]
        constraints = [
            models.CheckConstraint(condition=Q(stage__in=Stage.values), name="coop_stage_valid"),
            models.CheckConstraint(condition=Q(route__in=Route.values), name="coop_route_valid"),
            models.UniqueConstraint(
                fields=["kelurahan"], condition=~Q(stage="nonaktif"), name="coop_one_active_per_kelurahan"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def kecamatan_code(self) -> str:
        return self.kelurahan_id.rsplit(".", 1)[0]


class LegalRecord(TenantModel):
    """One item of the founding and legal record (akta, SK AHU, NIB, NPWP, ...)."""

    kind = models.CharField(max_length=30, choices=LegalKind.choices)
    number = models.CharField(max_length=100, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=LegalStatus.choices, default=LegalStatus.DIPROSES)
    issuer = models.CharField(max_length=150, blank=True, help_text="Notaris (akta) atau nama bank (rekening).")
    holder_name = models.CharField(max_length=150, blank=True, help_text="Nama pemilik rekening.")
    note = models.CharField(max_length=250, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "kind"], name="legal_one_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=LegalKind.values), name="legal_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=LegalStatus.values), name="legal_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()


class StageChange(TenantModel):
    """One move of a cooperative's stage; ``from_stage`` is empty at registration."""

    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(to_stage__in=Stage.values), name="stagechange_to_valid"),
            models.CheckConstraint(condition=~Q(from_stage=models.F("to_stage")), name="stagechange_moves"),
        ]


class Facility(TenantModel):
    """A building the cooperative runs or is building (gerai, gudang, ...)."""

    kind = models.CharField(max_length=20, choices=FacilityKind.choices)
    name = models.CharField(max_length=150)
    address = models.CharField(max_length=250, blank=True)
    progress_pct = models.PositiveSmallIntegerField(default=0)
    started_on = models.DateField(null=True, blank=True)
    target_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=FacilityKind.values), name="facility_kind_valid"),
            models.CheckConstraint(
                condition=Q(progress_pct__gte=0, progress_pct__lte=100), name="facility_progress_pct"
            ),
            models.CheckConstraint(
                condition=Q(started_on__isnull=True)
                | Q(target_on__isnull=True)
                | Q(target_on__gte=models.F("started_on")),
                name="facility_target_after_start",
            ),
            models.UniqueConstraint(fields=["cooperative", "name"], name="facility_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def status_label(self) -> str:
        if self.progress_pct >= 100:
            return "Selesai"
        if self.progress_pct > 0 or self.started_on:
            return "Dalam pembangunan"
        return "Rencana"


class BusinessUnit(TenantModel):
    """A business unit (gerai sembako, simpan pinjam, ... or one the cooperative adds)."""

    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=UnitStatus.choices, default=UnitStatus.BELUM)
    is_prescribed = models.BooleanField(default=False)
    started_on = models.DateField(null=True, blank=True)
    note = models.CharField(max_length=250, blank=True)

    class Meta:
        ordering = ["-is_prescribed", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "code"], name="unit_code_unique"),
            models.CheckConstraint(condition=Q(status__in=UnitStatus.values), name="unit_status_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Partner(TenantModel):
    """A partner with an agreement (Perum Bulog, PT Pertamina Patra Niaga, ...)."""

    name = models.CharField(max_length=150)
    kind = models.CharField(max_length=20, choices=PartnerKind.choices, default=PartnerKind.BUMN)
    agreement_no = models.CharField(max_length=100, blank=True)
    start_on = models.DateField(null=True, blank=True)
    end_on = models.DateField(null=True, blank=True)
    scope = models.CharField(max_length=250, blank=True)
    business_unit = models.ForeignKey(BusinessUnit, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"),
            models.CheckConstraint(
                condition=Q(start_on__isnull=True) | Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="partner_end_after_start",
            ),
            models.UniqueConstraint(fields=["cooperative", "name", "agreement_no"], name="partner_agreement_unique"),
        ]

    def __str__(self) -> str:
        return self.name
