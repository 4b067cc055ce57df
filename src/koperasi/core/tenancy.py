"""The tenant base model: every tenant-owned row carries its cooperative (DESIGN.md §5, §8)."""

from __future__ import annotations

from typing import Any

from django.db import models


class TenantQuerySet(models.QuerySet):
    def for_cooperative(self, cooperative: Any) -> TenantQuerySet:
        return self.filter(cooperative=cooperative)


class TenantModel(models.Model):
    """Abstract base for rows owned by one cooperative.

    Invariants: ``cooperative`` is never null and never changes; every unique constraint
    on a subclass starts with ``cooperative`` so the table can be sharded by it (Citus).
    ``tests/core/test_tenancy_schema.py`` checks both for every model.
    """

    cooperative = models.ForeignKey("cooperatives.Cooperative", on_delete=models.PROTECT, db_index=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        abstract = True
