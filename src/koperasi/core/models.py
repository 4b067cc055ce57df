"""Who may act where, what they did, and their API tokens.

Invariants:
- ``CooperativeRole``: a user holds a given role in a cooperative at most once; the role is
  one of the cooperative roles (CHECK).
- ``RegionalRole``: ``dinas`` always names a kota/kabupaten region; ``admin`` may name none
  (nationwide). CHECKs enforce both.
- ``AuditEvent`` is append-only: database triggers refuse UPDATE and DELETE (migration 0002).
- ``ApiToken`` stores only the SHA-256 of the token; the token itself is shown once.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from koperasi.core.roles import COOPERATIVE_ROLES, Role
from koperasi.core.tenancy import TenantModel


class CooperativeRole(TenantModel):
    """A user's role in one cooperative (ketua, bendahara, kasir, anggota, ...)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cooperative_roles")
    role = models.CharField(max_length=20, choices=[(r.value, r.label) for r in Role if r in COOPERATIVE_ROLES])
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cooperative", "user", "role"], name="coop_role_unique"),
            models.CheckConstraint(
                condition=Q(role__in=sorted(r.value for r in COOPERATIVE_ROLES)), name="coop_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}"


class RegionalRole(models.Model):
    """A user's role over a region (the Dinas of a kota) or the whole deployment (admin)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regional_roles")
    role = models.CharField(
        max_length=20, choices=[(Role.DINAS.value, Role.DINAS.label), (Role.ADMIN.value, Role.ADMIN.label)]
    )
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["dinas", "admin"]), name="regional_role_valid"),
            models.CheckConstraint(condition=~Q(role="dinas") | Q(region__isnull=False), name="dinas_needs_region"),
            models.UniqueConstraint(fields=["user", "role", "region"], name="regional_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} {self.region_id or ''}".strip()


class AuditEvent(models.Model):
    """One write: who, what, when, which cooperative, which object. Never changed."""

    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True)
    cooperative = models.ForeignKey("cooperatives.Cooperative", on_delete=models.PROTECT, null=True, blank=True)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["cooperative", "occurred_at"], name="audit_coop_time")]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.user} ({self.created_at:%Y-%m-%d})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def new_key(cls) -> str:
        return secrets.token_urlsafe(32)
