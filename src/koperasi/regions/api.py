"""API: regions (reference data)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema

from koperasi.core.errors import ValidationError
from koperasi.core.pagination import paginate
from koperasi.regions.models import Region
from koperasi.regions.selectors import village_list

router = Router(tags=["regions"])


class VillageOut(Schema):
    code: str
    name: str
    level: str
    kecamatan_code: str


class VillageFilter(Schema):
    kota: str
    limit: int = 100
    offset: int = 0


def _village(region: Region) -> dict[str, Any]:
    return {"code": region.code, "name": region.name, "level": region.level, "kecamatan_code": region.parent_id}


@router.get("/kelurahan", summary="Kelurahan dan desa dalam satu kota/kabupaten")
def kelurahan_list(request: HttpRequest, filters: Query[VillageFilter]) -> dict[str, Any]:
    if not filters.kota.strip():
        raise ValidationError.for_field("kota", "Parameter kota wajib diisi, mis. 64.71.")
    return paginate(
        village_list(within=filters.kota.strip()), limit=filters.limit, offset=filters.offset, to_item=_village
    )
