"""The list shape of every API list endpoint: ``{"items": [...], "count": N}`` (DESIGN.md §9)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import QuerySet

from koperasi.core.errors import ValidationError

MAX_LIMIT = 500


def paginate(
    queryset: QuerySet[Any], *, limit: int = 100, offset: int = 0, to_item: Callable[[Any], Any] | None = None
) -> dict[str, Any]:
    """Return one page of ``queryset`` and the total count. Raises ValidationError on bad bounds."""
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationError.for_field("limit", f"limit harus 1–{MAX_LIMIT}.")
    if offset < 0:
        raise ValidationError.for_field("offset", "offset tidak boleh negatif.")
    rows: Iterable[Any] = queryset[offset : offset + limit]
    items = [to_item(r) for r in rows] if to_item else list(rows)
    return {"items": items, "count": queryset.count()}
