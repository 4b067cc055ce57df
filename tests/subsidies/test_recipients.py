"""Recipients: registration checked field by field, member link, duplicates, updates, deactivation, tenancy."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.shop import services as shop
from koperasi.subsidies import selectors
from koperasi.subsidies.models import Distribution, Recipient
from koperasi.subsidies.services import (
    recipient_deactivate,
    recipient_reactivate,
    recipient_register,
    recipient_update,
)
from tests.conftest import KK, NIK_MAN
from tests.subsidies.conftest import KK_A, KK_B, NIK_A1, NIK_A2

pytestmark = pytest.mark.django_db
D = datetime.date
NIB = "1234567890123"


def counts() -> tuple[list[Any], int]:
    rows = list(Recipient.objects.order_by("pk").values_list("pk", "kk", "name", "category", "nib", "is_active"))
    return rows, AuditEvent.objects.filter(action__startswith="subsidies.").count()


def test_register_a_household_adult(coop: Any, kasir: Any, register: Any) -> None:
    recipient = register(
        name="  Budi   Santoso ",
        kk="6471 0412 0315 0001",
        address="Jl. Mulawarman RT 05",
        phone="0812-3456-7890",
        kelurahan_code="64.71.01.1001",
        registered_on="2026-03-01",
    )
    assert (recipient.nik, recipient.kk, recipient.name, recipient.category) == (
        NIK_A1,
        KK_A,
        "Budi Santoso",
        "rumah_tangga",
    )
    assert (recipient.phone, recipient.kelurahan_id, recipient.registered_on) == (
        "+6281234567890",
        "64.71.01.1001",
        D(2026, 3, 1),
    )
    assert (recipient.is_active, recipient.member_id, recipient.created_by) == (True, None, kasir)
    assert (recipient.nik_masked, recipient.kk_masked) == ("6471••••••••0001", "6471••••••••0001")
    event = AuditEvent.objects.get(action="subsidies.recipient.register")
    assert (event.object_id, event.actor_id) == (str(recipient.pk), kasir.pk)
    assert event.data == {"nik": "6471••••••••0001", "category": "rumah_tangga"}  # never the full NIK


def test_defaults_and_category_by_label(register: Any) -> None:
    recipient = register(category="Rumah tangga")
    assert recipient.category == "rumah_tangga"
    assert recipient.registered_on == timezone.localdate()
    assert register(nik=NIK_A2, category="USAHA_MIKRO", nib="1234.5678.90123").nib == NIB
    petani = register(nik="6471040101750003", kk=KK_B, category="Petani sasaran")
    assert petani.category == "petani"


def test_an_usaha_mikro_with_its_nib(register: Any) -> None:
    recipient = register(category="usaha_mikro", nib=NIB, business_name="Warung Bu Siti")
    assert (recipient.category, recipient.nib, recipient.business_name) == ("usaha_mikro", NIB, "Warung Bu Siti")


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"nik": "123"}, "nik", "NIK harus 16 angka (tertulis 3 karakter)."),
        ({"nik": ""}, "nik", "NIK wajib diisi."),
        ({"nik": "6471043202800001"}, "nik", None),  # 32 February
        ({"nik": "6471041203800000"}, "nik", "NIK tidak valid: nomor urut 0000 tidak dipakai (dimulai dari 0001)."),
        ({"kk": "647104120315"}, "kk", "No. KK harus 16 angka (tertulis 12 karakter)."),
        ({"kk": "0071041203150001"}, "kk", "No. KK tidak valid: kode provinsi 00 tidak dikenal."),
        ({"kk": None}, "kk", "No. KK wajib diisi."),
        ({"name": ""}, "name", "Nama wajib diisi."),
        ({"name": "12345"}, "name", "Nama harus berisi huruf."),
        ({"name": "B" * 151}, "name", "Nama paling banyak 150 karakter."),
        ({"category": "usaha_mikro"}, "nib", "Usaha mikro wajib mempunyai NIB (13 angka dari OSS)."),
        ({"category": "usaha_mikro", "nib": "123456789012"}, "nib", "NIB harus 13 angka (tertulis 12 karakter)."),
        ({"nib": "12345678901AB"}, "nib", "NIB harus 13 angka (tertulis 13 karakter)."),
        ({"category": "pelajar"}, "category", "Kategori harus rumah_tangga, usaha_mikro, petani atau nelayan."),
        ({"category": ""}, "category", None),
        (
            {"kelurahan_code": "64.71.01.9999"},
            "kelurahan_code",
            "Kelurahan/desa dengan kode '64.71.01.9999' tidak ditemukan.",
        ),
        ({"kelurahan_code": "64.71"}, "kelurahan_code", None),  # a kota, not a kelurahan
        ({"registered_on": "2099-01-01"}, "registered_on", "Tanggal daftar tidak boleh di masa depan."),
        ({"registered_on": "31/02/2026"}, "registered_on", None),
        ({"registered_on": 20260301}, "registered_on", None),
        ({"phone": "12"}, "phone", None),
        ({"address": "A" * 251}, "address", "Alamat paling banyak 250 karakter."),
    ],
)
def test_register_refusals_name_the_field_and_write_nothing(
    register: Any, overrides: dict[str, Any], field: str, message: str | None
) -> None:
    before = counts()
    with pytest.raises(ValidationError) as refused:
        register(**overrides)
    assert field in refused.value.detail
    if message is not None:
        assert refused.value.detail[field] == [message]
        assert refused.value.message == message
    assert counts() == before


def test_every_bad_field_is_reported_at_once(register: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        register(nik="1", kk="2", name="", category="x")
    assert set(refused.value.detail) == {"nik", "kk", "name", "category"}


def test_nul_characters_and_spaces_are_cleaned_not_a_crash(register: Any) -> None:
    recipient = register(name="Budi\x00Santoso", address="Jl. A\x00", kelurahan_code=" 64.71.01.1001 ")
    assert (recipient.name, recipient.address, recipient.kelurahan_id) == ("Budi Santoso", "Jl. A", "64.71.01.1001")
    with pytest.raises(ValidationError) as refused:
        register(nik=NIK_A2, kelurahan_code="64.71\x00")
    assert "kelurahan_code" in refused.value.detail


def test_a_member_with_the_same_nik_is_linked(coop: Any, active_member: Any, register: Any) -> None:
    recipient = register(nik=NIK_MAN, kk=KK, name="Budi Santoso")
    assert recipient.member_id == active_member.pk
    assert register(nik=NIK_A2).member_id is None


def test_a_nik_registers_once(coop: Any, kasir: Any, register: Any) -> None:
    first = register()
    before = counts()
    with pytest.raises(Conflict) as again:
        register(kk=KK_B, name="Orang Lain")
    assert again.value.code == "recipient_exists"
    assert again.value.message == "NIK 6471••••••••0001 sudah terdaftar atas nama Budi Santoso."
    assert again.value.detail["recipient_id"] == [str(first.pk)]
    recipient_deactivate(cooperative=coop, recipient=first, reason="Pindah domisili", actor=kasir)
    before = counts()
    with pytest.raises(Conflict) as inactive:
        register(nik=" 6471-0412-0380-0001 ")
    assert inactive.value.code == "recipient_exists"
    assert inactive.value.message == (
        "NIK 6471••••••••0001 sudah terdaftar atas nama Budi Santoso tetapi nonaktif; aktifkan kembali bila berhak."
    )
    assert counts() == before


def test_recipient_update_keeps_the_nik_and_masks_the_kk_in_the_audit(coop: Any, kasir: Any, register: Any) -> None:
    recipient = register(kelurahan_code="64.71.01.1001")
    updated = recipient_update(
        cooperative=coop,
        recipient=recipient.pk,
        data={"nik": NIK_A2, "kk": KK_B, "name": "Budi S.", "registered_on": "2020-01-01", "is_active": False},
        actor=kasir,
    )
    updated.refresh_from_db()
    assert (updated.nik, updated.kk, updated.name, updated.registered_on, updated.is_active) == (
        NIK_A1,
        KK_B,
        "Budi S.",
        recipient.registered_on,
        True,
    )
    assert updated.kelurahan_id == "64.71.01.1001"  # not given: kept
    event = AuditEvent.objects.get(action="subsidies.recipient.update")
    assert event.data == {
        "kk": {"from": "6471••••••••0001", "to": "6471••••••••0002"},
        "name": {"from": "Budi Santoso", "to": "Budi S."},
    }
    assert KK_A not in str(event.data) and KK_B not in str(event.data)


def test_recipient_update_to_usaha_mikro_needs_a_nib(coop: Any, kasir: Any, register: Any) -> None:
    recipient = register()
    before = counts()
    with pytest.raises(ValidationError) as refused:
        recipient_update(cooperative=coop, recipient=recipient, data={"category": "usaha_mikro"}, actor=kasir)
    assert "nib" in refused.value.detail
    assert counts() == before
    changed = recipient_update(
        cooperative=coop, recipient=recipient, data={"category": "Usaha mikro", "nib": NIB}, actor=kasir
    )
    assert (changed.category, changed.nib) == ("usaha_mikro", NIB)


def test_deactivate_then_the_till_refuses_then_reactivate(
    coop: Any, kasir: Any, stocked: Any, lpg: Any, lpg_program: Any, register: Any
) -> None:
    recipient = register()
    before = counts()
    for reason, date, field in [
        ("", None, "reason"),
        ("  ", None, "reason"),
        ("x\x00", None, "reason"),
        ("Pindah", timezone.localdate() + datetime.timedelta(days=1), "date"),
        ("Pindah", "2026-03-01", "date"),
    ]:
        with pytest.raises(ValidationError) as refused:
            recipient_deactivate(cooperative=coop, recipient=recipient, reason=reason, date=date, actor=kasir)
        assert field in refused.value.detail
    assert counts() == before

    recipient_deactivate(
        cooperative=coop, recipient=recipient, reason="Pindah ke Samarinda", date=D(2026, 3, 5), actor=kasir
    )
    recipient.refresh_from_db()
    assert (recipient.is_active, recipient.deactivated_on, recipient.deactivation_reason) == (
        False,
        D(2026, 3, 5),
        "Pindah ke Samarinda",
    )
    with pytest.raises(Conflict) as twice:
        recipient_deactivate(cooperative=coop, recipient=recipient, reason="Lagi", actor=kasir)
    assert twice.value.code == "recipient_inactive"

    with pytest.raises(Conflict) as till:
        shop.sale_create(
            cooperative=coop, date=D(2026, 3, 10), lines=[shop.SaleLineInput(lpg, 1)], buyer_nik=NIK_A1, actor=kasir
        )
    assert till.value.code == "recipient_inactive"
    assert till.value.message == (
        "Penerima Budi Santoso (6471••••••••0001) dinonaktifkan sejak 05/03/2026: Pindah ke Samarinda"
    )
    usage = selectors.program_usage(cooperative=coop, program=lpg_program, nik=NIK_A1, day=D(2026, 3, 10))
    assert (usage.remaining, usage.refusal_code) == (0, "recipient_inactive")

    with pytest.raises(ValidationError):
        recipient_reactivate(cooperative=coop, recipient=recipient, note="", actor=kasir)
    back = recipient_reactivate(cooperative=coop, recipient=recipient.pk, note="Kembali ke Manggar", actor=kasir)
    assert (back.is_active, back.deactivated_on, back.deactivation_reason) == (True, None, "")
    event = AuditEvent.objects.get(action="subsidies.recipient.reactivate")
    assert event.data == {
        "note": "Kembali ke Manggar",
        "was_deactivated": {"date": "2026-03-05", "reason": "Pindah ke Samarinda"},
    }
    with pytest.raises(Conflict) as active:
        recipient_reactivate(cooperative=coop, recipient=recipient, note="Lagi", actor=kasir)
    assert active.value.code == "recipient_active"
    shop.sale_create(
        cooperative=coop, date=D(2026, 3, 10), lines=[shop.SaleLineInput(lpg, 1)], buyer_nik=NIK_A1, actor=kasir
    )
    assert Distribution.objects.count() == 1


def test_recipients_belong_to_their_cooperative(
    coop: Any, other_coop: Any, kasir: Any, grant: Any, register: Any
) -> None:
    ours = register()
    other_kasir = grant(other_coop, "kasir")
    # The same person may register at a second cooperative.
    theirs = recipient_register(
        cooperative=other_coop,
        data={"nik": NIK_A1, "kk": KK_A, "name": "Budi Santoso", "category": "rumah_tangga"},
        actor=other_kasir,
    )
    assert theirs.pk != ours.pk
    assert list(selectors.recipient_list(cooperative=coop)) == [ours]
    assert selectors.recipient_by_nik(cooperative=other_coop, nik=NIK_A1) == theirs
    before = counts()
    with pytest.raises(NotFound):
        selectors.recipient_get(cooperative=other_coop, recipient_id=ours.pk)
    with pytest.raises(NotFound):
        recipient_update(cooperative=other_coop, recipient=ours.pk, data={"name": "X"}, actor=other_kasir)
    with pytest.raises(NotFound):
        recipient_deactivate(cooperative=other_coop, recipient=ours, reason="x", actor=other_kasir)
    with pytest.raises(NotFound):
        recipient_reactivate(cooperative=other_coop, recipient=ours, note="x", actor=other_kasir)
    with pytest.raises(NotFound):
        selectors.recipient_get(cooperative=coop, recipient_id=2**62)
    assert counts() == before
