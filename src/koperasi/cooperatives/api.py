"""API: the cooperative registry and profile (``/coops``)."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from koperasi.cooperatives import selectors, services
from koperasi.cooperatives.choices import LegalStatus, PartnerKind, Route, Stage
from koperasi.cooperatives.models import BusinessUnit, Cooperative, Facility, LegalRecord, Partner, StageChange
from koperasi.core.access import global_roles, require
from koperasi.core.errors import PermissionDenied
from koperasi.core.pagination import paginate
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.core.services import cooperative_user_add

router = Router(tags=["coops"])


# --- Schemas ------------------------------------------------------------------------------
class CoopIn(Schema):
    code: str
    name: str
    kelurahan_code: str
    stage: str = Stage.USULAN.value
    route: str = Route.BARU.value
    address: str = ""


class CoopOut(Schema):
    code: str
    name: str
    kelurahan_code: str
    kelurahan_name: str
    kecamatan_code: str
    kecamatan_name: str
    stage: str
    stage_label: str
    route: str
    address: str


class LegalOut(Schema):
    kind: str
    label: str
    number: str
    issued_on: datetime.date | None
    status: str
    issuer: str
    holder_name: str
    note: str


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    changed_at: datetime.datetime
    changed_by: str | None
    note: str


class FacilityOut(Schema):
    id: int
    kind: str
    name: str
    address: str
    progress_pct: int
    started_on: datetime.date | None
    target_on: datetime.date | None
    completed_on: datetime.date | None
    note: str


class UnitOut(Schema):
    code: str
    name: str
    status: str
    is_prescribed: bool
    started_on: datetime.date | None
    note: str


class PartnerOut(Schema):
    id: int
    name: str
    kind: str
    agreement_no: str
    start_on: datetime.date | None
    end_on: datetime.date | None
    scope: str
    business_unit: str | None


class CoopDetailOut(CoopOut):
    phone: str
    email: str
    legal: list[LegalOut]
    stage_history: list[StageChangeOut]
    facilities: list[FacilityOut]
    business_units: list[UnitOut]
    partners: list[PartnerOut]


class StageIn(Schema):
    stage: str
    note: str = ""


class UserIn(Schema):
    username: str
    password: str | None = None
    role: str
    full_name: str = ""


class UserOut(Schema):
    username: str
    full_name: str
    role: str


class LegalIn(Schema):
    number: str = ""
    issued_on: datetime.date | None = None
    status: str = LegalStatus.DIPROSES.value
    issuer: str = ""
    holder_name: str = ""
    note: str = ""


class FacilityIn(Schema):
    kind: str
    name: str
    address: str = ""
    progress_pct: int = 0
    started_on: datetime.date | None = None
    target_on: datetime.date | None = None
    completed_on: datetime.date | None = None
    note: str = ""


class UnitIn(Schema):
    code: str
    name: str
    status: str = "belum"
    note: str = ""


class UnitPatch(Schema):
    name: str | None = None
    status: str | None = None
    started_on: datetime.date | None = None
    note: str | None = None


class PartnerIn(Schema):
    name: str
    kind: str = PartnerKind.BUMN.value
    agreement_no: str = ""
    start_on: datetime.date | None = None
    end_on: datetime.date | None = None
    scope: str = ""
    business_unit: str | None = None


class CoopFilter(Schema):
    kota: str | None = None
    kecamatan: str | None = None
    stage: str | None = None
    q: str | None = None
    limit: int = 100
    offset: int = 0


# --- Shapes -------------------------------------------------------------------------------
def coop_out(coop: Cooperative) -> dict[str, Any]:
    kelurahan: Any = coop.kelurahan
    return {
        "code": coop.code,
        "name": coop.name,
        "kelurahan_code": coop.kelurahan_id,
        "kelurahan_name": kelurahan.name,
        "kecamatan_code": kelurahan.parent_id,
        "kecamatan_name": kelurahan.parent.name,
        "stage": coop.stage,
        "stage_label": coop.get_stage_display(),
        "route": coop.route,
        "address": coop.address,
    }


def _legal_out(kind: Any, record: LegalRecord | None) -> dict[str, Any]:
    return {
        "kind": kind.value,
        "label": kind.label,
        "number": record.number if record else "",
        "issued_on": record.issued_on if record else None,
        "status": record.status if record else "belum",
        "issuer": record.issuer if record else "",
        "holder_name": record.holder_name if record else "",
        "note": record.note if record else "",
    }


def _stage_change_out(change: StageChange) -> dict[str, Any]:
    return {
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "changed_at": change.changed_at,
        "changed_by": change.changed_by.username if change.changed_by else None,
        "note": change.note,
    }


def _unit_out(unit: BusinessUnit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "status": unit.status,
        "is_prescribed": unit.is_prescribed,
        "started_on": unit.started_on,
        "note": unit.note,
    }


def _partner_out(partner: Partner) -> dict[str, Any]:
    return {
        "id": partner.pk,
        "name": partner.name,
        "kind": partner.kind,
        "agreement_no": partner.agreement_no,
        "start_on": partner.start_on,
        "end_on": partner.end_on,
        "scope": partner.scope,
        "business_unit": partner.business_unit.code if partner.business_unit else None,
    }


def coop_detail_out(coop: Cooperative) -> dict[str, Any]:
    profile = selectors.cooperative_profile(cooperative=coop)
    return {
        **coop_out(coop),
        "phone": coop.phone,
        "email": coop.email,
        "legal": [_legal_out(kind, record) for kind, record in profile["legal"]],
        "stage_history": [_stage_change_out(c) for c in profile["history"]],
        "facilities": profile["facilities"],
        "business_units": [_unit_out(u) for u in profile["units"]],
        "partners": [_partner_out(p) for p in profile["partners"]],
    }


# --- Endpoints ----------------------------------------------------------------------------
@router.get("", summary="Daftar koperasi yang boleh dilihat pengguna")
def coop_list(request: HttpRequest, filters: Query[CoopFilter]) -> dict[str, Any]:
    qs = selectors.cooperative_list_for_user(
        user=request.user,
        region_code=filters.kota,
        kecamatan_code=filters.kecamatan,
        stage=filters.stage,
        search=filters.q,
    )
    return paginate(qs, limit=filters.limit, offset=filters.offset, to_item=coop_out)


@router.post("", response={201: CoopDetailOut}, summary="Daftarkan koperasi (admin)")
def coop_create(request: HttpRequest, payload: CoopIn) -> Status[dict[str, Any]]:
    require(global_roles(request.user), Action.COOP_CREATE)
    coop = services.cooperative_register(actor=request.user, **payload.dict())
    coop = Cooperative.objects.select_related("kelurahan__parent").get(pk=coop.pk)
    return Status(201, coop_detail_out(coop))


@router.get("/{coop}", response=CoopDetailOut, summary="Profil koperasi")
def coop_detail(request: HttpRequest, coop: str) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_VIEW)
    return coop_detail_out(cooperative)


@router.post("/{coop}/stage", response=CoopDetailOut, summary="Pindahkan tahap koperasi")
def coop_stage_change(request: HttpRequest, coop: str, payload: StageIn) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_STAGE_CHANGE)
    services.cooperative_stage_change(
        cooperative=cooperative, to_stage=payload.stage, note=payload.note, actor=request.user
    )
    return coop_detail_out(cooperative)


@router.get("/{coop}/stage-history", response=list[StageChangeOut], summary="Riwayat tahap")
def coop_stage_history(request: HttpRequest, coop: str) -> list[dict[str, Any]]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_VIEW)
    return [_stage_change_out(c) for c in selectors.cooperative_profile(cooperative=cooperative)["history"]]


@router.put("/{coop}/legal/{kind}", response=LegalOut, summary="Catat dokumen legal (akta, SK AHU, NIB, NPWP, ...)")
def legal_record_put(request: HttpRequest, coop: str, kind: str, payload: LegalIn) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_PROFILE_EDIT)
    record = services.legal_record_set(cooperative=cooperative, kind=kind, actor=request.user, **payload.dict())
    from koperasi.cooperatives.choices import LegalKind

    return _legal_out(LegalKind(kind), record)


@router.get("/{coop}/users", summary="Pengguna dan peran di koperasi")
def coop_users(request: HttpRequest, coop: str, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_USERS_VIEW)
    return paginate(
        selectors.cooperative_users(cooperative=cooperative),
        limit=limit,
        offset=offset,
        to_item=lambda g: {"username": g.user.username, "full_name": g.user.get_full_name(), "role": g.role},
    )


@router.post("/{coop}/users", response={201: UserOut}, summary="Buat akun pengguna dengan peran (admin, ketua)")
def coop_user_create(request: HttpRequest, coop: str, payload: UserIn) -> Status[dict[str, Any]]:
    cooperative, roles = selectors.cooperative_get_for_user(
        user=request.user, code=coop, action=Action.COOP_USERS_MANAGE
    )
    if payload.role == Role.KETUA and Role.ADMIN not in roles:
        raise PermissionDenied("Hanya admin yang dapat menetapkan ketua.")
    grant = cooperative_user_add(
        cooperative=cooperative,
        username=payload.username,
        password=payload.password,
        role=payload.role,
        full_name=payload.full_name,
        actor=request.user,
        allow_existing_user=Role.ADMIN in roles,
    )
    return Status(201, {"username": grant.user.username, "full_name": grant.user.get_full_name(), "role": grant.role})


@router.get("/{coop}/facilities", summary="Fasilitas (gerai, gudang, ...)")
def facility_list(request: HttpRequest, coop: str, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_VIEW)
    return paginate(
        Facility.objects.filter(cooperative=cooperative),
        limit=limit,
        offset=offset,
        to_item=lambda f: FacilityOut.from_orm(f).dict(),
    )


@router.post("/{coop}/facilities", response={201: FacilityOut}, summary="Tambah fasilitas")
def facility_create(request: HttpRequest, coop: str, payload: FacilityIn) -> Status[Facility]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_PROFILE_EDIT)
    return Status(201, services.facility_save(cooperative=cooperative, actor=request.user, **payload.dict()))


@router.put("/{coop}/facilities/{facility_id}", response=FacilityOut, summary="Ubah fasilitas (progres pembangunan)")
def facility_update(request: HttpRequest, coop: str, facility_id: int, payload: FacilityIn) -> Facility:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_PROFILE_EDIT)
    return services.facility_save(
        cooperative=cooperative, actor=request.user, facility_id=facility_id, **payload.dict()
    )


@router.get("/{coop}/business-units", summary="Unit usaha")
def unit_list(request: HttpRequest, coop: str, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_VIEW)
    return paginate(BusinessUnit.objects.filter(cooperative=cooperative), limit=limit, offset=offset, to_item=_unit_out)


@router.post("/{coop}/business-units", response={201: UnitOut}, summary="Tambah unit usaha lain")
def unit_create(request: HttpRequest, coop: str, payload: UnitIn) -> Status[dict[str, Any]]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_PROFILE_EDIT)
    unit = services.business_unit_save(cooperative=cooperative, actor=request.user, create=True, **payload.dict())
    return Status(201, _unit_out(unit))


@router.patch("/{coop}/business-units/{code}", response=UnitOut, summary="Ubah status unit usaha")
def unit_update(request: HttpRequest, coop: str, code: str, payload: UnitPatch) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_PROFILE_EDIT)
    unit = services.business_unit_save(cooperative=cooperative, actor=request.user, code=code, **payload.dict())
    return _unit_out(unit)


@router.get("/{coop}/partners", summary="Mitra dan perjanjian kerja sama")
def partner_list(request: HttpRequest, coop: str, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_VIEW)
    qs = Partner.objects.filter(cooperative=cooperative).select_related("business_unit")
    return paginate(qs, limit=limit, offset=offset, to_item=_partner_out)


@router.post("/{coop}/partners", response={201: PartnerOut}, summary="Tambah mitra")
def partner_create(request: HttpRequest, coop: str, payload: PartnerIn) -> Status[dict[str, Any]]:
    cooperative, _ = selectors.cooperative_get_for_user(user=request.user, code=coop, action=Action.COOP_PROFILE_EDIT)
    data = payload.dict()
    partner = services.partner_save(
        cooperative=cooperative, actor=request.user, business_unit_code=data.pop("business_unit"), **data
    )
    return Status(201, _partner_out(partner))
