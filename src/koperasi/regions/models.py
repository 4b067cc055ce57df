"""Indonesian administrative regions with Kemendagri codes (reference data, no tenant).

Invariants:
- ``code`` is the Kemendagri code (``64``, ``64.71``, ``64.71.01``, ``64.71.01.1001``) and
  the primary key; codes are never renumbered (domain.md §9.1).
- ``level`` follows from the code's shape and ``parent`` is the code minus its last part;
  CHECK constraints hold both.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Level(models.TextChoices):
    PROVINSI = "provinsi", "Provinsi"
    KABUPATEN = "kabupaten", "Kabupaten"
    KOTA = "kota", "Kota"
    KECAMATAN = "kecamatan", "Kecamatan"
    KELURAHAN = "kelurahan", "Kelurahan"
    DESA = "desa", "Desa"


VILLAGE_LEVELS = (Level.KELURAHAN, Level.DESA)


class Region(models.Model):
    code = models.CharField(max_length=13, primary_key=True)
    name = models.CharField(max_length=100)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(level__in=Level.values), name="region_level_valid"),
            models.CheckConstraint(
                condition=Q(level="provinsi", parent__isnull=True) | Q(~Q(level="provinsi"), parent__isnull=False),
                name="region_parent_unless_province",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
