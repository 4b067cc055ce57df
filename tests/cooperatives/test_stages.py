import datetime

import pytest

from koperasi.cooperatives.models import Cooperative, StageChange
from koperasi.cooperatives.services import business_unit_save, cooperative_stage_change, legal_record_set
from koperasi.cooperatives.stages import stage_move_refusal
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import AuditEvent

DAY = datetime.date(2025, 7, 28)


def issue(coop, actor, *kinds):
    numbers = {
        "musyawarah": "BA/01",
        "akta_pendirian": "12",
        "sk_ahu": "AHU-0001234.AH.01.29.TAHUN 2025",
        "nib": "1234567890123",
        "npwp": "0123456789012345",
        "rekening_bank": "1234567890",
        "nomor_induk_koperasi": "6471000001",
    }
    for kind in kinds:
        legal_record_set(
            cooperative=coop,
            kind=kind,
            actor=actor,
            status="terbit",
            number=numbers[kind],
            issued_on=DAY,
            issuer="Bank / Notaris",
        )


# --- pure rules --------------------------------------------------------------------------
def test_pure_rules() -> None:
    ok = {"issued_documents": {"musyawarah"}, "active_units": 0}
    assert stage_move_refusal(current="usulan", target="musyawarah", **ok) is None
    assert stage_move_refusal(current="usulan", target="berbadan_hukum", **ok).code == "stage_skip"
    assert stage_move_refusal(current="perizinan", target="musyawarah", **ok).code == "stage_backward"
    assert stage_move_refusal(current="usulan", target="usulan", **ok).code == "stage_unchanged"
    assert stage_move_refusal(current="usulan", target="nonaktif", **ok).code == "stage_reason_required"
    assert stage_move_refusal(current="usulan", target="nonaktif", note="Bubar", **ok) is None
    refusal = stage_move_refusal(current="usulan", target="musyawarah", issued_documents=set(), active_units=0)
    assert refusal.code == "stage_documents_missing"
    assert refusal.detail == {"missing": ["musyawarah"]}
    licensed = {"musyawarah", "akta_pendirian", "sk_ahu", "nib", "npwp", "rekening_bank"}
    assert (
        stage_move_refusal(current="pembangunan", target="beroperasi", issued_documents=licensed, active_units=0).code
        == "stage_no_active_unit"
    )
    assert (
        stage_move_refusal(current="pembangunan", target="beroperasi", issued_documents=licensed, active_units=1)
        is None
    )
    assert (
        stage_move_refusal(
            current="nonaktif",
            target="beroperasi",
            issued_documents=licensed,
            active_units=1,
            stage_before_nonaktif="perizinan",
        ).code
        == "stage_reactivate"
    )


# --- service -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_walk_the_whole_programme(coop, ketua) -> None:
    issue(coop, ketua, "musyawarah")
    cooperative_stage_change(cooperative=coop, to_stage="musyawarah", actor=ketua)
    issue(coop, ketua, "akta_pendirian", "sk_ahu")
    cooperative_stage_change(cooperative=coop, to_stage="berbadan_hukum", actor=ketua)
    cooperative_stage_change(cooperative=coop, to_stage="perizinan", actor=ketua)
    issue(coop, ketua, "nib", "npwp", "rekening_bank")
    cooperative_stage_change(cooperative=coop, to_stage="pembangunan", actor=ketua)
    business_unit_save(cooperative=coop, actor=ketua, code="gerai_sembako", status="aktif")
    cooperative_stage_change(cooperative=coop, to_stage="beroperasi", actor=ketua, note="Gerai dibuka")
    coop.refresh_from_db()
    assert coop.stage == "beroperasi"
    history = list(StageChange.objects.filter(cooperative=coop).values_list("from_stage", "to_stage", "changed_by"))
    assert history == [
        ("", "usulan", history[0][2]),
        ("usulan", "musyawarah", ketua.pk),
        ("musyawarah", "berbadan_hukum", ketua.pk),
        ("berbadan_hukum", "perizinan", ketua.pk),
        ("perizinan", "pembangunan", ketua.pk),
        ("pembangunan", "beroperasi", ketua.pk),
    ]
    assert AuditEvent.objects.filter(cooperative=coop, action="cooperative.stage_change").count() == 5


@pytest.mark.django_db
def test_a_skip_is_refused_and_nothing_changes(coop, ketua) -> None:
    issue(coop, ketua, "musyawarah", "akta_pendirian", "sk_ahu")
    changes, audits = StageChange.objects.count(), AuditEvent.objects.count()
    with pytest.raises(Conflict) as exc:
        cooperative_stage_change(cooperative=coop, to_stage="berbadan_hukum", actor=ketua)
    assert exc.value.code == "stage_skip"
    assert exc.value.message == "Tahap tidak boleh dilompati: dari Usulan harus ke Musyawarah terlebih dahulu."
    assert Cooperative.objects.get(pk=coop.pk).stage == "usulan"
    assert (StageChange.objects.count(), AuditEvent.objects.count()) == (changes, audits)


@pytest.mark.django_db
def test_missing_documents_are_named(coop, ketua) -> None:
    issue(coop, ketua, "musyawarah")
    cooperative_stage_change(cooperative=coop, to_stage="musyawarah", actor=ketua)
    legal_record_set(cooperative=coop, kind="akta_pendirian", actor=ketua, status="diproses")
    with pytest.raises(Conflict) as exc:
        cooperative_stage_change(cooperative=coop, to_stage="berbadan_hukum", actor=ketua)
    assert exc.value.code == "stage_documents_missing"
    assert exc.value.detail == {"missing": ["akta_pendirian", "sk_ahu"]}
    assert "Akta pendirian" in exc.value.message
    assert Cooperative.objects.get(pk=coop.pk).stage == "musyawarah"


@pytest.mark.django_db
def test_deactivate_needs_a_reason_and_reactivates_only_to_where_it_was(coop, ketua) -> None:
    with pytest.raises(ValidationError):
        cooperative_stage_change(cooperative=coop, to_stage="nonaktif", actor=ketua)
    cooperative_stage_change(cooperative=coop, to_stage="nonaktif", actor=ketua, note="Pengurus mundur")
    issue(coop, ketua, "musyawarah")
    with pytest.raises(Conflict) as exc:
        cooperative_stage_change(cooperative=coop, to_stage="musyawarah", actor=ketua)
    assert exc.value.code == "stage_reactivate"
    cooperative_stage_change(cooperative=coop, to_stage="usulan", actor=ketua, note="Revitalisasi")
    assert Cooperative.objects.get(pk=coop.pk).stage == "usulan"


@pytest.mark.django_db
def test_reactivation_is_refused_when_the_kelurahan_has_another_active_cooperative(coop, ketua, register_coop) -> None:
    cooperative_stage_change(cooperative=coop, to_stage="nonaktif", actor=ketua, note="Tidak aktif")
    register_coop("manggar-baru-koperasi", "64.71.01.1001")
    with pytest.raises(Conflict) as exc:
        cooperative_stage_change(cooperative=coop, to_stage="usulan", actor=ketua)
    assert exc.value.code == "coop_kelurahan_taken"
    assert Cooperative.objects.get(pk=coop.pk).stage == "nonaktif"
