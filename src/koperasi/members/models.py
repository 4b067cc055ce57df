"""Members (anggota): the owners of a cooperative, and the history of their status.

Invariants (database constraints unless noted):
- ``member_no`` is unique per cooperative and never reused: members are never deleted
  (every reference is PROTECT), and ``services.member_register`` hands out max + 1 under
  the cooperative's row lock. A former member who rejoins gets a new row and number; the
  old row keeps the history.
- A NIK has at most one *current* membership (calon or aktif) per cooperative (partial
  UNIQUE). ``nik`` and ``kk`` are 16 digits (CHECK); ``gender`` and ``birth_date`` are
  derived from the NIK by ``identity.nik_parse`` and never typed.
- ``status`` is one of ``MemberStatus``; an ended membership (keluar, meninggal,
  diberhentikan) has ``left_on``; an active one has ``activated_on`` (CHECKs).
- ``user`` (the member's portal login) belongs to at most one member of a cooperative.
- ``MemberStatusChange`` rows are the status history, written by the service that changes
  the status, in the same transaction.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q

from koperasi.core.tenancy import TenantModel
from koperasi.members.choices import CURRENT_STATUSES, ENDED_STATUSES, Gender, MemberStatus
from koperasi.members.identity import age_on, nik_mask

NIK_RE = r"^[0-9]{16}$"


class Member(TenantModel):
    """One membership of one person (by NIK) in one cooperative."""

    member_no = models.PositiveIntegerField()
    nik = models.CharField("NIK", max_length=16)
    kk = models.CharField("No. KK", max_length=16)
    name = models.CharField(max_length=150)
    gender = models.CharField(max_length=1, choices=Gender.choices)
    birth_date = models.DateField()
    birth_place = models.CharField(max_length=100, blank=True)
    address = models.CharField(max_length=250)
    kelurahan = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    phone = models.CharField(max_length=16, blank=True, help_text="Dinormalkan ke +62….")
    occupation = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=15, choices=MemberStatus.choices, default=MemberStatus.CALON)
    joined_on = models.DateField(help_text="Tanggal mendaftar (menjadi calon anggota).")
    activated_on = models.DateField(null=True, blank=True, help_text="Tanggal simpanan pokok lunas.")
    left_on = models.DateField(null=True, blank=True)
    leave_reason = models.CharField(max_length=250, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="memberships"
    )
    import_batch = models.CharField(max_length=64, blank=True, help_text="Sidik berkas impor asal baris ini.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["member_no"]
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "member_no"], name="member_no_unique"),
            models.UniqueConstraint(
                fields=["cooperative", "nik"],
                condition=Q(status__in=[s.value for s in CURRENT_STATUSES]),
                name="member_nik_current_unique",
            ),
            models.UniqueConstraint(
                fields=["cooperative", "user"], condition=Q(user__isnull=False), name="member_user_unique"
            ),
            models.CheckConstraint(condition=Q(status__in=MemberStatus.values), name="member_status_valid"),
            models.CheckConstraint(condition=Q(gender__in=Gender.values), name="member_gender_valid"),
            models.CheckConstraint(condition=Q(nik__regex=NIK_RE), name="member_nik_16_digits"),
            models.CheckConstraint(condition=Q(kk__regex=NIK_RE), name="member_kk_16_digits"),
            models.CheckConstraint(condition=Q(member_no__gt=0), name="member_no_positive"),
            models.CheckConstraint(
                condition=~Q(status__in=[s.value for s in ENDED_STATUSES]) | Q(left_on__isnull=False),
                name="member_left_on_when_ended",
            ),
            models.CheckConstraint(
                condition=~Q(status=MemberStatus.AKTIF) | Q(activated_on__isnull=False),
                name="member_activated_on_when_active",
            ),
        ]
        indexes = [
            models.Index(fields=["cooperative", "nik"], name="member_coop_nik"),
            models.Index(fields=["cooperative", "status"], name="member_coop_status"),
            models.Index(fields=["cooperative", "name"], name="member_coop_name"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def number(self) -> str:
        """The member number as printed on the card: five digits, e.g. ``00012``."""
        return f"{self.member_no:05d}"

    @property
    def nik_masked(self) -> str:
        return nik_mask(self.nik)

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)


class MemberStatusChange(TenantModel):
    """One change of a member's status (registration has ``from_status`` empty)."""

    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="status_changes")
    from_status = models.CharField(max_length=15, choices=MemberStatus.choices, blank=True)
    to_status = models.CharField(max_length=15, choices=MemberStatus.choices)
    date = models.DateField()
    reason = models.CharField(max_length=250, blank=True)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(to_status__in=MemberStatus.values), name="member_change_to_valid"),
            models.CheckConstraint(condition=~Q(from_status=models.F("to_status")), name="member_change_moves"),
        ]
