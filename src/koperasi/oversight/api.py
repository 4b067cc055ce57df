"""API: the Dinas view over the cooperatives of a kota."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from koperasi.core.access import global_roles, require
from koperasi.core.pagination import paginate
from koperasi.core.permissions import Action
from koperasi.oversight.selectors import oversight_rows

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
    qs, to_item = oversight_rows(
        user=request.user,
        region_code=filters.kota,
        kecamatan_code=filters.kecamatan,
        stage=filters.stage,
        search=filters.q,
    )
    return paginate(qs, limit=filters.limit, offset=filters.offset, to_item=to_item)
