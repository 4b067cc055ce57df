"""API: the Dinas view over the cooperatives of a kota."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from koperasi.core.access import global_roles, require
from koperasi.core.pagination import paginate
from koperasi.core.permissions import Action
from koperasi.oversight.selectors import oversight_items, oversight_queryset

router = Router(tags=["oversight"])


class OversightFilter(Schema):
    kota: str | None = None
    kecamatan: str | None = None
    stage: str | None = None
    q: str | None = None
    limit: int = 100
    offset: int = 0


@router.get("/coops", summary="Ringkasan per koperasi untuk Dinas")
def oversight_coops(request: HttpRequest, filters: Query[OversightFilter]) -> dict[str, Any]:
    require(global_roles(request.user), Action.OVERSIGHT_VIEW)
    qs = oversight_queryset(
        user=request.user,
        region_code=filters.kota,
        kecamatan_code=filters.kecamatan,
        stage=filters.stage,
        search=filters.q,
    )
    page = paginate(qs, limit=filters.limit, offset=filters.offset)
    page["items"] = oversight_items(page["items"])  # the page's subsidy figures in one query
    return page
