"""Reads of regions."""

from __future__ import annotations

from django.db.models import QuerySet

from koperasi.regions.models import VILLAGE_LEVELS, Region


def village_list(*, within: str) -> QuerySet[Region]:
    """Return the kelurahan and desa inside the region ``within`` (e.g. a kota code)."""
    return Region.objects.filter(code__startswith=within + ".", level__in=VILLAGE_LEVELS).order_by("code")


def region_get(*, code: str) -> Region | None:
    return Region.objects.filter(code=code).first()
