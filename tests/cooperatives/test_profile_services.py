import datetime

import pytest

from koperasi.cooperatives.legal import LegalInput, legal_record_clean
from koperasi.cooperatives.models import BusinessUnit, Facility, LegalRecord, Partner
from koperasi.cooperatives.services import (
    business_unit_save,
    cooperative_profile_update,
    facility_save,
    legal_record_set,
    partner_save,
)
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent

TODAY = datetime.date(2026, 11, 24)
pytestmark = pytest.mark.django_db


def clean(**kw):
    return legal_record_clean(LegalInput(**kw), today=TODAY)


# --- pure number checks (domain.md §9) ------------------------------------------------------
def test_nib_must_be_13_digits() -> None:
    assert clean(kind="nib", number="1234 5678 9012 3").number == "1234567890123"
    assert clean(kind="nib", number="123456789012").problems == {"number": ["NIB harus 13 digit angka."]}
    assert clean(kind="nib", number="12345678901ab").problems == {"number": ["NIB harus 13 digit angka."]}


def test_npwp_must_be_16_digits_and_old_15_digit_form_is_explained() -> None:
    assert clean(kind="npwp", number="0012 3456 7890 1200").number == "0012345678901200"
    assert "16 digit" in clean(kind="npwp", number="01.234.567.8-901.000").problems["number"][0]
    assert "tidak berlaku lagi" in clean(kind="npwp", number="01.234.567.8-901.000").problems["number"][0]
    assert clean(kind="npwp", number="123").problems == {"number": ["NPWP koperasi harus 16 digit angka."]}


def test_issued_documents_need_number_date_notary_and_bank() -> None:
    problems = clean(kind="akta_pendirian", status="terbit").problems
    assert set(problems) == {"issued_on", "number", "issuer"}
    assert clean(kind="rekening_bank", status="terbit", number="1234567", issued_on=TODAY).problems == {
        "issuer": ["Nama bank wajib diisi untuk rekening."]
    }
    assert clean(kind="musyawarah", status="terbit", issued_on=TODAY).problems == {}
    assert clean(kind="nib", status="diproses").problems == {}
    future = clean(kind="sk_ahu", status="terbit", number="AHU-1", issued_on=TODAY + datetime.timedelta(days=1))
    assert future.problems == {"issued_on": ["Tanggal tidak boleh di masa depan."]}


# --- services -------------------------------------------------------------------------------
def test_legal_record_set_creates_then_replaces(coop, ketua) -> None:
    legal_record_set(cooperative=coop, kind="nib", actor=ketua, status="diproses")
    record = legal_record_set(
        cooperative=coop, kind="nib", actor=ketua, status="terbit", number="9120001234567", issued_on=TODAY
    )
    assert LegalRecord.objects.filter(cooperative=coop).count() == 1
    assert (record.number, record.status, record.updated_by) == ("9120001234567", "terbit", ketua)
    assert AuditEvent.objects.filter(cooperative=coop, action="legal_record.set").count() == 2


def test_invalid_npwp_changes_nothing(coop, ketua) -> None:
    audits = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        legal_record_set(cooperative=coop, kind="npwp", actor=ketua, status="terbit", number="12", issued_on=TODAY)
    assert exc.value.detail == {"number": ["NPWP koperasi harus 16 digit angka."]}
    assert LegalRecord.objects.count() == 0
    assert AuditEvent.objects.count() == audits


def test_unknown_legal_kind_is_refused(coop, ketua) -> None:
    with pytest.raises(ValidationError):
        legal_record_set(cooperative=coop, kind="sim", actor=ketua)
    assert LegalRecord.objects.count() == 0


def test_facility_progress_and_dates_are_checked(coop, ketua) -> None:
    facility = facility_save(
        cooperative=coop,
        actor=ketua,
        kind="gerai",
        name="Gerai KKMP",
        progress_pct=40,
        started_on=datetime.date(2025, 10, 21),
        target_on=datetime.date(2026, 12, 31),
    )
    assert facility.status_label == "Dalam pembangunan"
    for bad in (
        {"progress_pct": 101},
        {"progress_pct": -1},
        {"started_on": datetime.date(2026, 1, 2), "target_on": datetime.date(2026, 1, 1)},
        {"kind": "istana"},
        {"name": ""},
    ):
        data = {"kind": "gudang", "name": "Gudang", "progress_pct": 0, **bad}
        with pytest.raises(ValidationError):
            facility_save(cooperative=coop, actor=ketua, **data)
    assert Facility.objects.count() == 1
    with pytest.raises(Conflict):
        facility_save(cooperative=coop, actor=ketua, kind="gudang", name="Gerai KKMP")
    updated = facility_save(
        cooperative=coop, actor=ketua, facility_id=facility.pk, kind="gerai", name="Gerai KKMP", progress_pct=100
    )
    assert updated.status_label == "Selesai"
    assert Facility.objects.get(pk=facility.pk).progress_pct == 100


def test_another_cooperatives_facility_is_not_found(coop, other_coop, ketua, other_ketua) -> None:
    theirs = facility_save(cooperative=other_coop, actor=other_ketua, kind="gerai", name="Gerai Lamaru")
    with pytest.raises(NotFound):
        facility_save(
            cooperative=coop, actor=ketua, facility_id=theirs.pk, kind="gerai", name="Dibajak", progress_pct=1
        )
    theirs.refresh_from_db()
    assert (theirs.name, theirs.progress_pct) == ("Gerai Lamaru", 0)


def test_business_units(coop, ketua) -> None:
    unit = business_unit_save(cooperative=coop, actor=ketua, code="gerai_sembako", status="aktif")
    assert unit.status == "aktif"
    assert unit.started_on is not None
    business_unit_save(cooperative=coop, actor=ketua, code="pangkalan_lpg", name="Pangkalan LPG", create=True)
    assert BusinessUnit.objects.filter(cooperative=coop).count() == 8
    with pytest.raises(Conflict):
        business_unit_save(cooperative=coop, actor=ketua, code="pangkalan_lpg", name="Lagi", create=True)
    with pytest.raises(NotFound):
        business_unit_save(cooperative=coop, actor=ketua, code="tidak_ada", status="aktif")
    with pytest.raises(ValidationError):
        business_unit_save(cooperative=coop, actor=ketua, code="kantor", status="hidup")
    assert BusinessUnit.objects.filter(cooperative=coop).count() == 8


def test_partners(coop, other_coop, ketua) -> None:
    partner = partner_save(
        cooperative=coop,
        actor=ketua,
        name="Perum Bulog",
        agreement_no="PKS-001",
        start_on=datetime.date(2025, 12, 1),
        end_on=datetime.date(2026, 12, 31),
        scope="SPHP",
        business_unit_code="gerai_sembako",
    )
    assert partner.business_unit.code == "gerai_sembako"
    assert partner.business_unit.cooperative_id == coop.pk
    with pytest.raises(ValidationError):
        partner_save(
            cooperative=coop,
            actor=ketua,
            name="X",
            start_on=datetime.date(2026, 1, 2),
            end_on=datetime.date(2026, 1, 1),
        )
    with pytest.raises(ValidationError):
        partner_save(cooperative=coop, actor=ketua, name="X", business_unit_code="tidak_ada")
    with pytest.raises(Conflict):
        partner_save(cooperative=coop, actor=ketua, name="Perum Bulog", agreement_no="PKS-001")
    assert Partner.objects.count() == 1


def test_profile_update(coop, ketua) -> None:
    cooperative_profile_update(cooperative=coop, actor=ketua, name="KKMP Manggar Sejahtera", phone="0542-123456")
    coop.refresh_from_db()
    assert (coop.name, coop.phone) == ("KKMP Manggar Sejahtera", "0542-123456")
    with pytest.raises(ValidationError):
        cooperative_profile_update(cooperative=coop, actor=ketua, name="")
    with pytest.raises(ValidationError):
        cooperative_profile_update(cooperative=coop, actor=ketua, name="X", phone="telepon saya")
    coop.refresh_from_db()
    assert coop.name == "KKMP Manggar Sejahtera"
