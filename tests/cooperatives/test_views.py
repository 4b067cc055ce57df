"""HTML pages of the cooperative profile: rendering, permissions, refusals that change nothing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from koperasi.cooperatives.models import (
    BusinessUnit,
    Cooperative,
    Facility,
    LegalRecord,
    Partner,
    StageChange,
)
from koperasi.cooperatives.services import facility_save, legal_record_set, partner_save
from koperasi.core.models import AuditEvent, CooperativeRole
from koperasi.core.roles import Role

pytestmark = pytest.mark.django_db

DETAIL = "/k/manggar/"
STAGE = "/k/manggar/tahap/"
USERS = "/k/manggar/pengguna/"


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def snapshot() -> dict[str, int]:
    """Row counts of everything the profile pages can write."""
    return {
        "coops": Cooperative.objects.count(),
        "legal": LegalRecord.objects.count(),
        "stages": StageChange.objects.count(),
        "facilities": Facility.objects.count(),
        "units": BusinessUnit.objects.count(),
        "partners": Partner.objects.count(),
        "grants": CooperativeRole.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- profile page -------------------------------------------------------------------------
def test_profile_page_for_ketua_shows_everything_and_edit_links(
    client: Client, coop: Any, ketua: Any, admin_user: Any, django_assert_max_num_queries: Any
) -> None:
    facility_save(cooperative=coop, actor=admin_user, kind="gerai", name="Gerai Manggar", progress_pct=40)
    partner_save(
        cooperative=coop,
        actor=admin_user,
        name="Perum Bulog",
        agreement_no="PKS-01/2025",
        scope="Beras SPHP",
        business_unit_code="gerai_sembako",
    )
    legal_record_set(
        cooperative=coop,
        kind="musyawarah",
        actor=admin_user,
        status="terbit",
        issued_on=datetime.date(2025, 5, 2),
    )
    login(client, ketua)
    with django_assert_max_num_queries(12):
        response = client.get(DETAIL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "KKMP Manggar" in html
    assert '<span class="badge badge-usulan">Usulan</span>' in html
    assert "Kel. Manggar" in html
    assert "02/05/2025" in html  # the musyawarah date through |tanggal
    assert '<progress value="40" max="100"' in html
    assert "Gerai Manggar" in html and "Perum Bulog" in html and "PKS-01/2025" in html
    assert "Gerai sembako" in html
    assert "Tahap berikutnya" in html and "Musyawarah" in html
    # the ketua may edit: links and forms are there
    for url in (
        "/k/manggar/ubah/",
        STAGE,
        "/k/manggar/legal/nib/",
        "/k/manggar/fasilitas/baru/",
        "/k/manggar/mitra/baru/",
        "/k/manggar/unit/gerai_sembako/status/",
        USERS,
    ):
        assert url in html, url


def test_profile_page_is_read_only_for_dinas(client: Client, coop: Any, dinas_user: Any) -> None:
    response = login(client, dinas_user).get(DETAIL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "KKMP Manggar" in html
    for fragment in ("/ubah/", "/tahap/", "/legal/", "/fasilitas/", "/mitra/", "/unit/", "/pengguna/", 'name="status"'):
        assert fragment not in html, fragment


def test_kasir_sees_the_profile_without_edit_links(client: Client, kasir: Any) -> None:
    response = login(client, kasir).get(DETAIL)
    assert response.status_code == 200
    assert "/k/manggar/ubah/" not in response.content.decode()
    assert login(client, kasir).get("/k/manggar/ubah/").status_code == 403


def test_anonymous_user_is_sent_to_login(client: Client, coop: Any) -> None:
    response = client.get(DETAIL)
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_unknown_cooperative_is_404(client: Client, ketua: Any) -> None:
    assert login(client, ketua).get("/k/tidak-ada/").status_code == 404


# --- tenant isolation ---------------------------------------------------------------------
EDIT_POSTS: list[tuple[str, dict[str, Any]]] = [
    (DETAIL, {}),
    ("/k/manggar/ubah/", {"name": "Diambil alih"}),
    ("/k/manggar/legal/nib/", {"number": "1234567890123", "status": "diproses"}),
    (STAGE, {"stage": "musyawarah", "note": ""}),
    ("/k/manggar/fasilitas/baru/", {"kind": "gerai", "name": "Gerai X", "progress_pct": 10}),
    ("/k/manggar/unit/", {"code": "laundry", "name": "Laundry", "status": "belum"}),
    ("/k/manggar/unit/gerai_sembako/status/", {"status": "aktif"}),
    ("/k/manggar/mitra/baru/", {"name": "Mitra X", "kind": "bumn"}),
    (USERS, {"username": "penyusup", "password": "rahasia-uji-123", "role": "kasir"}),
]


@pytest.mark.parametrize(("url", "data"), EDIT_POSTS)
def test_another_cooperatives_ketua_gets_404_and_nothing_changes(
    client: Client, coop: Any, other_ketua: Any, url: str, data: dict[str, Any]
) -> None:
    login(client, other_ketua)
    before = snapshot()
    if url != "/k/manggar/unit/gerai_sembako/status/":
        assert client.get(url).status_code == 404
    assert client.post(url, data).status_code == 404
    assert snapshot() == before
    coop.refresh_from_db()
    assert coop.name == "KKMP Manggar"
    assert BusinessUnit.objects.get(cooperative=coop, code="gerai_sembako").status == "belum"


def test_another_cooperatives_facility_and_partner_are_404(
    client: Client, coop: Any, other_coop: Any, ketua: Any, admin_user: Any
) -> None:
    theirs = facility_save(cooperative=other_coop, actor=admin_user, kind="gerai", name="Gerai Lamaru")
    partner = partner_save(cooperative=other_coop, actor=admin_user, name="Perum Bulog")
    login(client, ketua)
    before = snapshot()
    assert client.get(f"/k/manggar/fasilitas/{theirs.pk}/").status_code == 404
    assert client.post(f"/k/manggar/fasilitas/{theirs.pk}/", {"kind": "gerai", "name": "X"}).status_code == 404
    assert client.post(f"/k/manggar/mitra/{partner.pk}/", {"name": "X", "kind": "bumn"}).status_code == 404
    assert snapshot() == before
    theirs.refresh_from_db()
    assert theirs.name == "Gerai Lamaru"


def test_unknown_legal_kind_is_404(client: Client, ketua: Any) -> None:
    login(client, ketua)
    assert client.get("/k/manggar/legal/paspor/").status_code == 404
    assert client.post("/k/manggar/legal/paspor/", {"number": "1", "status": "diproses"}).status_code == 404
    assert LegalRecord.objects.count() == 0


# --- profile ------------------------------------------------------------------------------
def test_ketua_updates_the_profile(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    assert client.get("/k/manggar/ubah/").status_code == 200
    response = client.post(
        "/k/manggar/ubah/",
        {"name": "KKMP Manggar Sejahtera", "address": "Jl. Mulawarman 1", "phone": "0542 123456", "email": ""},
    )
    assert response.status_code == 302
    assert response["Location"] == DETAIL
    coop.refresh_from_db()
    assert (coop.name, coop.address, coop.phone) == ("KKMP Manggar Sejahtera", "Jl. Mulawarman 1", "0542 123456")
    assert flashes(response) == ["Profil koperasi disimpan."]


def test_bad_phone_is_shown_on_the_form_and_nothing_changes(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    before = snapshot()
    response = client.post("/k/manggar/ubah/", {"name": "Baru", "phone": "telepon saya"})
    assert response.status_code == 422
    assert "Nomor telepon tidak valid." in response.content.decode()
    assert snapshot() == before
    coop.refresh_from_db()
    assert coop.name == "KKMP Manggar"


# --- stage --------------------------------------------------------------------------------
def test_kasir_cannot_change_the_stage(client: Client, coop: Any, kasir: Any) -> None:
    before = snapshot()
    response = login(client, kasir).post(STAGE, {"stage": "musyawarah", "note": ""})
    assert response.status_code == 403
    coop.refresh_from_db()
    assert coop.stage == "usulan"
    assert snapshot() == before


def test_stage_skip_is_shown_on_the_form_and_nothing_changes(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    before = snapshot()
    response = client.post(STAGE, {"stage": "berbadan_hukum", "note": "langsung saja"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Tahap tidak boleh dilompati: dari Usulan harus ke Musyawarah terlebih dahulu." in html
    coop.refresh_from_db()
    assert coop.stage == "usulan"
    assert StageChange.objects.filter(cooperative=coop).count() == 1
    assert snapshot() == before


def test_stage_moves_when_the_documents_are_issued(client: Client, coop: Any, ketua: Any, admin_user: Any) -> None:
    legal_record_set(
        cooperative=coop, kind="musyawarah", actor=admin_user, status="terbit", issued_on=datetime.date(2025, 5, 2)
    )
    login(client, ketua)
    assert client.get(STAGE).status_code == 200
    response = client.post(STAGE, {"stage": "musyawarah", "note": "Musdeskel 2 Mei"})
    assert response.status_code == 302
    assert response["Location"] == DETAIL + "#tahap"
    coop.refresh_from_db()
    assert coop.stage == "musyawarah"
    assert list(StageChange.objects.filter(cooperative=coop).values_list("from_stage", "to_stage", "note")) == [
        ("", "usulan", "Registrasi"),
        ("usulan", "musyawarah", "Musdeskel 2 Mei"),
    ]
    assert flashes(response) == ["Tahap koperasi sekarang: Musyawarah."]


def test_deactivating_without_a_reason_is_422(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    response = client.post(STAGE, {"stage": "nonaktif", "note": ""})
    assert response.status_code == 422
    assert "Alasan wajib diisi untuk menonaktifkan koperasi." in response.content.decode()
    coop.refresh_from_db()
    assert coop.stage == "usulan"


# --- legal record -------------------------------------------------------------------------
def test_invalid_nib_is_shown_and_nothing_is_created(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    before = snapshot()
    response = client.post(
        "/k/manggar/legal/nib/", {"number": "123456789012", "status": "terbit", "issued_on": "2025-06-01"}
    )
    assert response.status_code == 422
    assert "NIB harus 13 digit angka." in response.content.decode()
    assert LegalRecord.objects.count() == 0
    assert snapshot() == before


def test_valid_legal_record_is_created_and_redirects(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    assert client.get("/k/manggar/legal/nib/").status_code == 200
    response = client.post(
        "/k/manggar/legal/nib/",
        {"number": "9120-0012-3456-7", "status": "terbit", "issued_on": "2025-06-01", "note": "OSS"},
    )
    assert response.status_code == 302
    assert response["Location"] == DETAIL + "#legal"
    record = LegalRecord.objects.get()
    assert (record.cooperative_id, record.kind, record.number, record.status) == (
        coop.pk,
        "nib",
        "9120001234567",
        "terbit",
    )
    assert record.issued_on == datetime.date(2025, 6, 1)
    assert record.updated_by == ketua
    # the edit form shows what is stored, with the date in ISO for <input type=date>
    html = client.get("/k/manggar/legal/nib/").content.decode()
    assert 'value="9120001234567"' in html and 'value="2025-06-01"' in html


# --- facilities ---------------------------------------------------------------------------
def test_facility_progress_over_100_is_refused(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    before = snapshot()
    response = client.post(
        "/k/manggar/fasilitas/baru/", {"kind": "gerai", "name": "Gerai Manggar", "progress_pct": 150}
    )
    assert response.status_code == 422
    assert "Progres pembangunan harus 0–100%." in response.content.decode()
    assert Facility.objects.count() == 0
    assert snapshot() == before


def test_facility_add_then_edit(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    assert client.get("/k/manggar/fasilitas/baru/").status_code == 200
    response = client.post(
        "/k/manggar/fasilitas/baru/",
        {"kind": "gudang", "name": "Gudang Manggar", "progress_pct": 20, "started_on": "2025-07-01"},
    )
    assert response.status_code == 302
    facility = Facility.objects.get()
    assert (facility.cooperative_id, facility.name, facility.progress_pct) == (coop.pk, "Gudang Manggar", 20)
    url = f"/k/manggar/fasilitas/{facility.pk}/"
    assert 'value="2025-07-01"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "kind": "gudang",
            "name": "Gudang Manggar",
            "progress_pct": 100,
            "started_on": "2025-07-01",
            "target_on": "2025-12-01",
            "completed_on": "2025-11-20",
        },
    )
    assert response.status_code == 302
    facility.refresh_from_db()
    assert (facility.progress_pct, facility.completed_on) == (100, datetime.date(2025, 11, 20))
    assert Facility.objects.count() == 1


def test_duplicate_facility_name_is_409(client: Client, coop: Any, ketua: Any, admin_user: Any) -> None:
    facility_save(cooperative=coop, actor=admin_user, kind="gerai", name="Gerai Manggar")
    login(client, ketua)
    response = client.post("/k/manggar/fasilitas/baru/", {"kind": "gudang", "name": "Gerai Manggar", "progress_pct": 0})
    assert response.status_code == 409
    assert "Fasilitas bernama &#x27;Gerai Manggar&#x27; sudah ada." in response.content.decode()
    assert Facility.objects.count() == 1


# --- business units -----------------------------------------------------------------------
def test_unit_status_change_from_the_profile_page(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    response = client.post("/k/manggar/unit/gerai_sembako/status/", {"status": "aktif"})
    assert response.status_code == 302
    assert response["Location"] == DETAIL + "#unit"
    unit = BusinessUnit.objects.get(cooperative=coop, code="gerai_sembako")
    assert unit.status == "aktif"
    assert unit.started_on is not None


def test_unit_status_unknown_value_is_refused(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    before = snapshot()
    response = client.post("/k/manggar/unit/gerai_sembako/status/", {"status": "meledak"})
    assert response.status_code == 422
    assert snapshot() == before
    assert client.post("/k/manggar/unit/tidak-ada/status/", {"status": "aktif"}).status_code == 404
    assert client.get("/k/manggar/unit/gerai_sembako/status/").status_code == 405


def test_add_a_unit_of_the_cooperatives_own(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    assert client.get("/k/manggar/unit/").status_code == 200
    response = client.post("/k/manggar/unit/", {"code": "laundry", "name": "Laundry", "status": "persiapan"})
    assert response.status_code == 302
    assert BusinessUnit.objects.filter(cooperative=coop).count() == 8
    unit = BusinessUnit.objects.get(cooperative=coop, code="laundry")
    assert (unit.name, unit.status, unit.is_prescribed) == ("Laundry", "persiapan", False)
    # the same code again is a conflict
    response = client.post("/k/manggar/unit/", {"code": "laundry", "name": "Laundry 2", "status": "belum"})
    assert response.status_code == 409
    assert "Unit usaha dengan kode &#x27;laundry&#x27; sudah ada." in response.content.decode()
    assert BusinessUnit.objects.filter(cooperative=coop).count() == 8


# --- partners -----------------------------------------------------------------------------
def test_partner_add_and_edit(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    assert "gerai_sembako" in client.get("/k/manggar/mitra/baru/").content.decode()
    response = client.post(
        "/k/manggar/mitra/baru/",
        {
            "name": "PT Pertamina Patra Niaga",
            "kind": "bumn",
            "agreement_no": "PKS-LPG-7",
            "start_on": "2025-08-01",
            "end_on": "2026-07-31",
            "scope": "Pangkalan LPG 3 kg",
            "business_unit": "logistik",
        },
    )
    assert response.status_code == 302
    partner = Partner.objects.get()
    assert (partner.cooperative_id, partner.business_unit.code, partner.end_on) == (
        coop.pk,
        "logistik",
        datetime.date(2026, 7, 31),
    )
    response = client.post(
        f"/k/manggar/mitra/{partner.pk}/",
        {"name": "PT Pertamina Patra Niaga", "kind": "bumn", "agreement_no": "PKS-LPG-7", "business_unit": ""},
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.business_unit is None
    assert Partner.objects.count() == 1


def test_partner_end_before_start_is_refused(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    response = client.post(
        "/k/manggar/mitra/baru/",
        {"name": "Perum Bulog", "kind": "bumn", "start_on": "2025-08-01", "end_on": "2025-01-01"},
    )
    assert response.status_code == 422
    assert "Tanggal berakhir tidak boleh sebelum tanggal mulai." in response.content.decode()
    assert Partner.objects.count() == 0


# --- users --------------------------------------------------------------------------------
def test_ketua_adds_a_kasir(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    page = client.get(USERS).content.decode()
    assert 'value="kasir"' in page and 'value="ketua"' not in page
    before = CooperativeRole.objects.count()
    response = client.post(
        USERS, {"username": "siti.kasir", "full_name": "Siti", "password": "Kasir-Manggar-2025", "role": "kasir"}
    )
    assert response.status_code == 302
    assert response["Location"] == USERS
    assert CooperativeRole.objects.count() == before + 1
    grant = CooperativeRole.objects.get(user__username="siti.kasir")
    assert (grant.cooperative_id, grant.role, grant.user.first_name) == (coop.pk, "kasir", "Siti")
    assert "siti.kasir" in client.get(USERS).content.decode()


def test_ketua_cannot_grant_ketua(client: Client, coop: Any, ketua: Any, django_user_model: Any) -> None:
    login(client, ketua)
    before = snapshot()
    users_before = django_user_model.objects.count()
    response = client.post(USERS, {"username": "ketua.baru", "password": "Ketua-Manggar-2025", "role": "ketua"})
    assert response.status_code == 403
    assert "Hanya admin yang dapat menetapkan ketua." in response.content.decode()
    assert snapshot() == before
    assert django_user_model.objects.count() == users_before


def test_weak_password_and_taken_username_are_shown(client: Client, coop: Any, ketua: Any) -> None:
    login(client, ketua)
    before = snapshot()
    response = client.post(USERS, {"username": "budi", "password": "123", "role": "kasir"})
    assert response.status_code == 422
    assert 'id="id_password_error"' in response.content.decode()
    response = client.post(USERS, {"username": ketua.username, "password": "Kasir-Manggar-2025", "role": "kasir"})
    assert response.status_code == 409
    assert "Nama pengguna sudah dipakai." in response.content.decode()
    assert snapshot() == before


def test_admin_grants_ketua_to_an_existing_user(client: Client, coop: Any, admin_user: Any, make_user: Any) -> None:
    make_user("andi")
    login(client, admin_user)
    assert 'value="ketua"' in client.get(USERS).content.decode()
    response = client.post(USERS, {"username": "andi", "role": "ketua"})
    assert response.status_code == 302
    assert CooperativeRole.objects.filter(cooperative=coop, user__username="andi", role=Role.KETUA).count() == 1


def test_users_page_permissions(client: Client, coop: Any, kasir: Any, grant: Any) -> None:
    assert login(client, kasir).get(USERS).status_code == 403
    bendahara = grant(coop, Role.BENDAHARA)
    login(client, bendahara)
    response = client.get(USERS)
    assert response.status_code == 200
    assert "Tambah pengguna" not in response.content.decode()
    before = snapshot()
    assert (
        client.post(USERS, {"username": "x-user", "password": "Kasir-Manggar-2025", "role": "kasir"}).status_code == 403
    )
    assert snapshot() == before


# --- register -----------------------------------------------------------------------------
def test_admin_registers_a_cooperative_and_a_second_one_for_the_kelurahan_is_refused(
    client: Client, admin_user: Any
) -> None:
    login(client, admin_user)
    page = client.get("/k/baru/")
    assert page.status_code == 200
    assert 'value="64.71.03.1006"' in page.content.decode()
    response = client.post(
        "/k/baru/",
        {
            "code": "graha-indah",
            "name": "KKMP Graha Indah",
            "kelurahan_code": "64.71.03.1006",
            "stage": "usulan",
            "route": "baru",
            "address": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/k/graha-indah/"
    assert Cooperative.objects.count() == 1
    assert BusinessUnit.objects.count() == 7
    before = snapshot()
    response = client.post(
        "/k/baru/",
        {
            "code": "graha-indah-2",
            "name": "KKMP Graha Indah Dua",
            "kelurahan_code": "64.71.03.1006",
            "stage": "usulan",
            "route": "baru",
        },
    )
    assert response.status_code == 409
    assert "sudah memiliki koperasi aktif" in response.content.decode()
    assert Cooperative.objects.count() == 1
    assert snapshot() == before


def test_register_with_a_taken_code_is_409(client: Client, coop: Any, admin_user: Any) -> None:
    login(client, admin_user)
    response = client.post(
        "/k/baru/",
        {"code": "manggar", "name": "KKMP Lain", "kelurahan_code": "64.71.03.1006", "stage": "usulan", "route": "baru"},
    )
    assert response.status_code == 409
    assert "Kode koperasi &#x27;manggar&#x27; sudah dipakai." in response.content.decode()
    assert Cooperative.objects.count() == 1


@pytest.mark.parametrize("who", ["ketua", "dinas_user"])
def test_only_admin_may_register(client: Client, request: Any, who: str) -> None:
    login(client, request.getfixturevalue(who))
    before = Cooperative.objects.count()
    assert client.get("/k/baru/").status_code == 403
    response = client.post(
        "/k/baru/",
        {"code": "baru-x", "name": "X", "kelurahan_code": "64.71.03.1006", "stage": "usulan", "route": "baru"},
    )
    assert response.status_code == 403
    assert Cooperative.objects.count() == before
