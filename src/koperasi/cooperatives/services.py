"""Writes of the cooperative registry. Each function is one transaction with an audit row.

Callers (views, API) have already checked the actor's permission with ``core.access``.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.utils import timezone

from koperasi.cooperatives.choices import (
    PRESCRIBED_UNITS,
    FacilityKind,
    LegalStatus,
    PartnerKind,
    Route,
    Stage,
    UnitStatus,
)
from koperasi.cooperatives.legal import LegalInput, legal_record_clean
from koperasi.cooperatives.models import (
    BusinessUnit,
    Cooperative,
    Facility,
    LegalRecord,
    Partner,
    StageChange,
)
from koperasi.cooperatives.stages import stage_move_refusal
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.ledger.services import chart_seed
from koperasi.regions.models import VILLAGE_LEVELS, Region

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$")
RESERVED_CODES = frozenset({"baru"})  # /k/baru/ is the registration page


def _locked(cooperative: Cooperative) -> Cooperative:
    """Re-read the cooperative row under a lock so concurrent profile writes serialise."""
    return Cooperative.objects.select_for_update().get(pk=cooperative.pk)


def cooperative_register(
    *,
    code: str,
    name: str,
    kelurahan_code: str,
    stage: str = Stage.USULAN,
    route: str = Route.BARU,
    address: str = "",
    actor: Any,
) -> Cooperative:
    """Register a cooperative with the seven prescribed business units and its chart of accounts.

    Any stage may be given here: an existing cooperative joining the programme ("develop an
    existing cooperative") starts where it is. Raises ValidationError (bad code, name,
    stage or kelurahan) and Conflict (code taken, kelurahan already has a cooperative).
    """
    code = (code or "").strip().lower()
    name = (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not _CODE_RE.match(code):
        problems["code"] = ["Kode 3–40 karakter: huruf kecil, angka dan tanda hubung."]
    elif code in RESERVED_CODES:
        problems["code"] = [f"Kode '{code}' dipakai oleh sistem."]
    if not name:
        problems["name"] = ["Nama koperasi wajib diisi."]
    if stage not in Stage.values:
        problems["stage"] = [f"Tahap '{stage}' tidak dikenal."]
    if route not in Route.values:
        problems["route"] = [f"Jalur '{route}' tidak dikenal."]
    kelurahan = Region.objects.filter(code=kelurahan_code, level__in=VILLAGE_LEVELS).first()
    if kelurahan is None:
        problems["kelurahan_code"] = [f"Kelurahan/desa dengan kode '{kelurahan_code}' tidak ditemukan."]
    if problems or kelurahan is None:
        raise ValidationError("Data koperasi tidak valid.", detail=problems)
    with transaction.atomic():
        if Cooperative.objects.filter(code=code).exists():
            raise Conflict(f"Kode koperasi '{code}' sudah dipakai.", code="coop_code_taken", detail={"code": [code]})
        if (
            stage != Stage.NONAKTIF
            and Cooperative.objects.filter(kelurahan=kelurahan).exclude(stage=Stage.NONAKTIF).exists()
        ):
            raise Conflict(
                f"Kelurahan {kelurahan.name} sudah memiliki koperasi aktif.",
                code="coop_kelurahan_taken",
                detail={"kelurahan_code": [kelurahan_code]},
            )
        cooperative = Cooperative.objects.create(
            code=code, name=name, kelurahan=kelurahan, stage=stage, route=route, address=address.strip()
        )
        StageChange.objects.create(
            cooperative=cooperative, from_stage="", to_stage=stage, changed_by=actor, note="Registrasi"
        )
        BusinessUnit.objects.bulk_create(
            BusinessUnit(cooperative=cooperative, code=unit_code, name=unit_name, is_prescribed=True)
            for unit_code, unit_name in PRESCRIBED_UNITS
        )
        chart_seed(cooperative=cooperative)
        audit_record(
            actor=actor,
            action="cooperative.register",
            cooperative=cooperative,
            target=cooperative,
            data={"code": code, "kelurahan": kelurahan_code, "stage": stage, "route": route},
        )
    return cooperative


def cooperative_profile_update(
    *, cooperative: Cooperative, actor: Any, name: str, address: str = "", phone: str = "", email: str = ""
) -> Cooperative:
    """Change the cooperative's name and contact details. Raises ValidationError."""
    name = (name or "").strip()
    if not name:
        raise ValidationError.for_field("name", "Nama koperasi wajib diisi.")
    phone = (phone or "").strip()
    if phone and not re.fullmatch(r"\+?[0-9 ()-]{6,20}", phone):
        raise ValidationError.for_field("phone", "Nomor telepon tidak valid.")
    with transaction.atomic():
        coop = _locked(cooperative)
        before = {"name": coop.name, "address": coop.address, "phone": coop.phone, "email": coop.email}
        coop.name, coop.address, coop.phone, coop.email = name, (address or "").strip(), phone, (email or "").strip()
        coop.save(update_fields=["name", "address", "phone", "email"])
        audit_record(
            actor=actor, action="cooperative.profile_update", cooperative=coop, target=coop, data={"before": before}
        )
    return coop


def cooperative_stage_change(*, cooperative: Cooperative, to_stage: str, actor: Any, note: str = "") -> StageChange:
    """Move the cooperative to ``to_stage`` if the programme's rules allow it.

    Raises Conflict with codes ``stage_skip``, ``stage_backward``, ``stage_documents_missing``,
    ``stage_no_active_unit``, ``stage_reactivate``, ``stage_unchanged``; ValidationError for an
    unknown stage or a missing reason.
    """
    with transaction.atomic():
        coop = _locked(cooperative)
        issued = set(
            LegalRecord.objects.filter(cooperative=coop, status=LegalStatus.TERBIT).values_list("kind", flat=True)
        )
        active_units = BusinessUnit.objects.filter(cooperative=coop, status=UnitStatus.AKTIF).count()
        before_nonaktif = None
        if coop.stage == Stage.NONAKTIF:
            last = (
                StageChange.objects.filter(cooperative=coop, to_stage=Stage.NONAKTIF)
                .order_by("-changed_at", "-id")
                .first()
            )
            before_nonaktif = last.from_stage if last else None
        refusal = stage_move_refusal(
            current=coop.stage,
            target=to_stage,
            issued_documents=issued,
            active_units=active_units,
            stage_before_nonaktif=before_nonaktif,
            note=note,
        )
        if refusal is not None:
            error_class = ValidationError if refusal.code in {"stage_invalid", "stage_reason_required"} else Conflict
            raise error_class(refusal.message, code=refusal.code, detail=dict(refusal.detail))
        if (
            coop.stage == Stage.NONAKTIF
            and Cooperative.objects.filter(kelurahan_id=coop.kelurahan_id)
            .exclude(pk=coop.pk)
            .exclude(stage=Stage.NONAKTIF)
            .exists()
        ):
            raise Conflict("Kelurahan ini sudah memiliki koperasi aktif lain.", code="coop_kelurahan_taken")
        change = StageChange.objects.create(
            cooperative=coop,
            from_stage=coop.stage,
            to_stage=to_stage,
            changed_by=actor,
            note=(note or "").strip()[:250],
        )
        coop.stage = to_stage
        coop.save(update_fields=["stage"])
        audit_record(
            actor=actor,
            action="cooperative.stage_change",
            cooperative=coop,
            target=change,
            data={"from": change.from_stage, "to": to_stage},
        )
    cooperative.stage = to_stage
    return change


def legal_record_set(
    *,
    cooperative: Cooperative,
    kind: str,
    actor: Any,
    number: str = "",
    issued_on: datetime.date | None = None,
    status: str = LegalStatus.DIPROSES,
    issuer: str = "",
    holder_name: str = "",
    note: str = "",
) -> LegalRecord:
    """Create or replace the cooperative's record of one legal document kind.

    Raises ValidationError with per-field detail (NIB not 13 digits, NPWP not 16 digits,
    missing date, notary or bank, a date in the future).
    """
    cleaned = legal_record_clean(
        LegalInput(
            kind=kind, number=number, issued_on=issued_on, status=status, issuer=issuer, holder_name=holder_name
        ),
        today=timezone.localdate(),
    )
    if cleaned.problems:
        first = next(iter(cleaned.problems.values()))[0]
        raise ValidationError(first, code="legal_record_invalid", detail=cleaned.problems)
    with transaction.atomic():
        coop = _locked(cooperative)
        record = LegalRecord.objects.filter(cooperative=coop, kind=kind).first() or LegalRecord(
            cooperative=coop, kind=kind
        )
        before = (
            None
            if record.pk is None
            else {"number": record.number, "status": record.status, "issued_on": str(record.issued_on or "")}
        )
        record.number = cleaned.number
        record.issued_on = issued_on
        record.status = status
        record.issuer = cleaned.issuer
        record.holder_name = cleaned.holder_name
        record.note = (note or "").strip()[:250]
        record.updated_by = actor if getattr(actor, "pk", None) else None
        record.save()
        audit_record(
            actor=actor,
            action="legal_record.set",
            cooperative=coop,
            target=record,
            data={"kind": kind, "number": record.number, "status": status, "before": before},
        )
    return record


def _facility_clean(
    *, kind: str, name: str, progress_pct: int, started_on: datetime.date | None, target_on: datetime.date | None
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    if kind not in FacilityKind.values:
        problems["kind"] = [f"Jenis fasilitas '{kind}' tidak dikenal."]
    if not (name or "").strip():
        problems["name"] = ["Nama fasilitas wajib diisi."]
    if not isinstance(progress_pct, int) or not 0 <= progress_pct <= 100:
        problems["progress_pct"] = ["Progres pembangunan harus 0–100%."]
    if started_on and target_on and target_on < started_on:
        problems["target_on"] = ["Target selesai tidak boleh sebelum tanggal mulai."]
    return problems


def facility_save(
    *,
    cooperative: Cooperative,
    actor: Any,
    kind: str,
    name: str,
    facility_id: int | None = None,
    address: str = "",
    progress_pct: int = 0,
    started_on: datetime.date | None = None,
    target_on: datetime.date | None = None,
    completed_on: datetime.date | None = None,
    note: str = "",
) -> Facility:
    """Create a facility, or update ``facility_id`` of this cooperative.

    Raises ValidationError (kind, name, progress outside 0–100, target before start),
    NotFound (another cooperative's facility), Conflict (name already used).
    """
    problems = _facility_clean(
        kind=kind, name=name, progress_pct=progress_pct, started_on=started_on, target_on=target_on
    )
    if problems:
        raise ValidationError(next(iter(problems.values()))[0], detail=problems)
    name = name.strip()
    with transaction.atomic():
        coop = _locked(cooperative)
        found = Facility(cooperative=coop) if facility_id is None else None
        if facility_id is not None:
            found = Facility.objects.filter(cooperative=coop, pk=facility_id).first()
        if found is None:
            raise NotFound("Fasilitas tidak ditemukan.")
        facility = found
        if Facility.objects.filter(cooperative=coop, name=name).exclude(pk=facility.pk).exists():
            raise Conflict(
                f"Fasilitas bernama '{name}' sudah ada.", code="facility_name_taken", detail={"name": [name]}
            )
        facility.kind, facility.name, facility.address = kind, name, (address or "").strip()
        facility.progress_pct, facility.started_on, facility.target_on = progress_pct, started_on, target_on
        facility.completed_on = completed_on if progress_pct == 100 else None
        facility.note = (note or "").strip()[:250]
        facility.save()
        audit_record(
            actor=actor,
            action="facility.create" if facility_id is None else "facility.update",
            cooperative=coop,
            target=facility,
            data={"name": name, "progress_pct": progress_pct},
        )
    return facility


def business_unit_save(
    *,
    cooperative: Cooperative,
    actor: Any,
    code: str,
    name: str | None = None,
    status: str | None = None,
    started_on: datetime.date | None = None,
    note: str | None = None,
    create: bool = False,
) -> BusinessUnit:
    """Create a business unit of the cooperative's own (``create=True``) or update one.

    Raises ValidationError (bad code, name, status), NotFound (no such unit here), Conflict
    (code taken).
    """
    code = (code or "").strip().lower()
    if status is not None and status not in UnitStatus.values:
        raise ValidationError.for_field("status", f"Status '{status}' tidak dikenal.")
    with transaction.atomic():
        coop = _locked(cooperative)
        unit = BusinessUnit.objects.filter(cooperative=coop, code=code).first()
        if create:
            if not re.fullmatch(r"[a-z0-9][a-z0-9_-]{1,39}", code):
                raise ValidationError.for_field("code", "Kode unit 2–40 karakter: huruf kecil, angka, _ atau -.")
            if not (name or "").strip():
                raise ValidationError.for_field("name", "Nama unit usaha wajib diisi.")
            if unit is not None:
                raise Conflict(f"Unit usaha dengan kode '{code}' sudah ada.", code="unit_code_taken")
            unit = BusinessUnit(cooperative=coop, code=code, is_prescribed=False)
        elif unit is None:
            raise NotFound("Unit usaha tidak ditemukan.")
        if name is not None:
            if not name.strip():
                raise ValidationError.for_field("name", "Nama unit usaha wajib diisi.")
            unit.name = name.strip()
        if status is not None:
            unit.status = status
            if status == UnitStatus.AKTIF and unit.started_on is None:
                unit.started_on = started_on or timezone.localdate()
        if started_on is not None:
            unit.started_on = started_on
        if note is not None:
            unit.note = note.strip()[:250]
        unit.save()
        audit_record(
            actor=actor,
            action="business_unit.create" if create else "business_unit.update",
            cooperative=coop,
            target=unit,
            data={"code": code, "status": unit.status},
        )
    return unit


def partner_save(
    *,
    cooperative: Cooperative,
    actor: Any,
    name: str,
    partner_id: int | None = None,
    kind: str = PartnerKind.BUMN,
    agreement_no: str = "",
    start_on: datetime.date | None = None,
    end_on: datetime.date | None = None,
    scope: str = "",
    business_unit_code: str | None = None,
) -> Partner:
    """Create a partner agreement, or update ``partner_id`` of this cooperative.

    Raises ValidationError (name, kind, end before start, unknown unit), NotFound, Conflict.
    """
    name = (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not name:
        problems["name"] = ["Nama mitra wajib diisi."]
    if kind not in PartnerKind.values:
        problems["kind"] = [f"Jenis mitra '{kind}' tidak dikenal."]
    if start_on and end_on and end_on < start_on:
        problems["end_on"] = ["Tanggal berakhir tidak boleh sebelum tanggal mulai."]
    if problems:
        raise ValidationError(next(iter(problems.values()))[0], detail=problems)
    agreement_no = (agreement_no or "").strip()
    with transaction.atomic():
        coop = _locked(cooperative)
        unit = None
        if business_unit_code:
            unit = BusinessUnit.objects.filter(cooperative=coop, code=business_unit_code).first()
            if unit is None:
                raise ValidationError.for_field("business_unit", f"Unit usaha '{business_unit_code}' tidak ditemukan.")
        found = Partner(cooperative=coop) if partner_id is None else None
        if partner_id is not None:
            found = Partner.objects.filter(cooperative=coop, pk=partner_id).first()
        if found is None:
            raise NotFound("Mitra tidak ditemukan.")
        partner = found
        if (
            Partner.objects.filter(cooperative=coop, name=name, agreement_no=agreement_no)
            .exclude(pk=partner.pk)
            .exists()
        ):
            raise Conflict("Perjanjian dengan mitra ini sudah tercatat.", code="partner_exists")
        partner.name, partner.kind, partner.agreement_no = name, kind, agreement_no
        partner.start_on, partner.end_on, partner.scope = start_on, end_on, (scope or "").strip()[:250]
        partner.business_unit = unit
        partner.save()
        audit_record(
            actor=actor,
            action="partner.create" if partner_id is None else "partner.update",
            cooperative=coop,
            target=partner,
            data={"name": name, "agreement_no": agreement_no},
        )
    return partner
