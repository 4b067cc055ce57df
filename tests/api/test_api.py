"""The API contract of DESIGN.md §9 for the foundation: auth, errors, regions, coops, users."""

import pytest

from koperasi.cooperatives.models import Cooperative, LegalRecord, StageChange
from koperasi.core.models import CooperativeRole

pytestmark = pytest.mark.django_db


def test_token_for_valid_credentials_and_401_otherwise(client, make_user, api_as) -> None:
    make_user("bendahara-a", password="rahasia-uji-123")
    ok = client.post(
        "/api/v1/auth/token",
        {"username": "bendahara-a", "password": "rahasia-uji-123"},
        content_type="application/json",
    )
    assert ok.status_code == 200
    token = ok.json()["token"]
    assert len(token) > 30
    bad = client.post(
        "/api/v1/auth/token", {"username": "bendahara-a", "password": "salah"}, content_type="application/json"
    )
    assert bad.status_code == 401
    assert bad.json() == {
        "code": "invalid_credentials",
        "message": "Nama pengguna atau kata sandi salah.",
        "detail": {},
    }
    anon = api_as(None).get("/coops")
    assert anon.status_code == 401
    assert anon.json()["code"] == "unauthenticated"
    wrong = client.get("/api/v1/coops", headers={"Authorization": "Bearer bukan-token"})
    assert wrong.status_code == 401


def test_login_is_throttled_after_repeated_failures(client, make_user) -> None:
    make_user("kasir-b", password="rahasia-uji-123")
    for _ in range(5):
        r = client.post("/api/v1/auth/token", {"username": "kasir-b", "password": "x"}, content_type="application/json")
    assert r.status_code in (401, 429)
    locked = client.post(
        "/api/v1/auth/token", {"username": "kasir-b", "password": "rahasia-uji-123"}, content_type="application/json"
    )
    assert locked.status_code == 429
    assert locked.json()["code"] == "too_many_attempts"


def test_regions_kelurahan_of_balikpapan(make_user, api_as) -> None:
    api = api_as(make_user("siapa"))
    r = api.get("/regions/kelurahan", kota="64.71", limit=500)
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 34
    assert body["items"][0] == {
        "code": "64.71.01.1001",
        "name": "Manggar",
        "level": "kelurahan",
        "kecamatan_code": "64.71.01",
    }
    assert api.get("/regions/kelurahan", kota="64.71", limit=10, offset=30).json()["items"][-1]["name"] == "Damai"
    assert api.get("/regions/kelurahan").status_code == 422


def test_admin_creates_a_cooperative(admin_user, api_as) -> None:
    api = api_as(admin_user)
    r = api.post(
        "/coops", {"code": "teritip", "name": "KKMP Teritip", "kelurahan_code": "64.71.01.1003", "stage": "usulan"}
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (body["code"], body["kecamatan_code"], body["stage"]) == ("teritip", "64.71.01", "usulan")
    assert len(body["business_units"]) == 7
    listing = api.get("/coops").json()
    assert listing["count"] == 1
    assert listing["items"][0]["kelurahan_code"] == "64.71.01.1003"


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [
        ({"code": "x1", "name": "A", "kelurahan_code": "64.71.99.1000"}, 422, "invalid"),
        ({"code": "lamaru", "name": "A", "kelurahan_code": "64.71.01.1001"}, 409, "coop_kelurahan_taken"),
        ({"code": "manggar", "name": "A", "kelurahan_code": "64.71.01.1002"}, 409, "coop_code_taken"),
        ({"name": "no code"}, 422, "invalid"),
    ],
)
def test_bad_cooperative_is_refused(coop, admin_user, api_as, payload, status, code) -> None:
    r = api_as(admin_user).post("/coops", payload)
    assert r.status_code == status
    assert r.json()["code"] == code
    assert r.json()["message"]
    assert Cooperative.objects.count() == 1


def test_only_admin_creates_cooperatives(ketua, dinas_user, api_as) -> None:
    for user in (ketua, dinas_user):
        r = api_as(user).post("/coops", {"code": "lamaru", "name": "A", "kelurahan_code": "64.71.01.1002"})
        assert r.status_code == 403
        assert r.json()["code"] == "forbidden"
    assert Cooperative.objects.count() == 1


def test_tenant_isolation_over_the_api(coop, other_coop, other_ketua, api_as) -> None:
    api = api_as(other_ketua)
    assert [c["code"] for c in api.get("/coops").json()["items"]] == ["lamaru"]
    for path in ("/coops/manggar", "/coops/manggar/facilities", "/coops/manggar/users", "/coops/manggar/partners"):
        r = api.get(path)
        assert r.status_code == 404, path
        assert r.json()["code"] == "not_found"
    writes = [
        api.post("/coops/manggar/stage", {"stage": "musyawarah"}),
        api.put("/coops/manggar/legal/nib", {"number": "1234567890123"}),
        api.post("/coops/manggar/users", {"username": "penyusup", "password": "rahasia-uji-123", "role": "kasir"}),
        api.post("/coops/manggar/facilities", {"kind": "gerai", "name": "Gerai"}),
        api.post("/coops/manggar/partners", {"name": "Mitra"}),
        api.patch("/coops/manggar/business-units/kantor", {"status": "aktif"}),
    ]
    assert [w.status_code for w in writes] == [404] * len(writes)
    assert LegalRecord.objects.filter(cooperative=coop).count() == 0
    assert StageChange.objects.filter(cooperative=coop).count() == 1
    assert not CooperativeRole.objects.filter(user__username="penyusup").exists()
    assert api.get("/coops/tidak-ada").status_code == 404


def test_kasir_cannot_change_the_stage(coop, kasir, api_as) -> None:
    r = api_as(kasir).post("/coops/manggar/stage", {"stage": "musyawarah"})
    assert r.status_code == 403
    assert Cooperative.objects.get(pk=coop.pk).stage == "usulan"
    assert api_as(kasir).get("/coops/manggar").status_code == 200


def test_stage_rules_over_the_api(coop, ketua, api_as) -> None:
    api = api_as(ketua)
    skip = api.post("/coops/manggar/stage", {"stage": "perizinan"})
    assert skip.status_code == 409
    assert skip.json()["code"] == "stage_skip"
    missing = api.post("/coops/manggar/stage", {"stage": "musyawarah"})
    assert missing.status_code == 409
    assert missing.json()["detail"] == {"missing": ["musyawarah"]}
    put = api.put("/coops/manggar/legal/musyawarah", {"status": "terbit", "issued_on": "2025-05-24", "number": "BA/1"})
    assert put.status_code == 200, put.content
    moved = api.post("/coops/manggar/stage", {"stage": "musyawarah", "note": "Musyawarah kelurahan 24/5"})
    assert moved.status_code == 200
    assert moved.json()["stage"] == "musyawarah"
    history = api.get("/coops/manggar/stage-history").json()
    assert [(h["from_stage"], h["to_stage"]) for h in history] == [("", "usulan"), ("usulan", "musyawarah")]
    assert history[1]["changed_by"] == ketua.username


def test_legal_record_validation_over_the_api(coop, ketua, api_as) -> None:
    api = api_as(ketua)
    r = api.put("/coops/manggar/legal/nib", {"number": "123", "status": "terbit", "issued_on": "2025-08-11"})
    assert r.status_code == 422
    assert r.json()["detail"] == {"number": ["NIB harus 13 digit angka."]}
    bad_date = api.put("/coops/manggar/legal/nib", {"issued_on": "kemarin"})
    assert bad_date.status_code == 422
    assert LegalRecord.objects.count() == 0


def test_ketua_creates_officer_accounts_but_not_another_ketua(coop, ketua, api_as, client) -> None:
    api = api_as(ketua)
    r = api.post("/coops/manggar/users", {"username": "kasir.manggar", "password": "Gerai-Sembako-77", "role": "kasir"})
    assert r.status_code == 201, r.content
    assert r.json() == {"username": "kasir.manggar", "full_name": "", "role": "kasir"}
    assert CooperativeRole.objects.filter(cooperative=coop, user__username="kasir.manggar", role="kasir").exists()
    login = client.post(
        "/api/v1/auth/token",
        {"username": "kasir.manggar", "password": "Gerai-Sembako-77"},
        content_type="application/json",
    )
    assert login.status_code == 200
    grants = CooperativeRole.objects.count()
    refused = [
        api.post("/coops/manggar/users", {"username": "ketua2", "password": "ketua-dua-2026", "role": "ketua"}),
        api.post("/coops/manggar/users", {"username": "dinas2", "password": "dinas-dua-2026", "role": "dinas"}),
        api.post("/coops/manggar/users", {"username": "kasir.manggar", "password": "x-2026-abcdef", "role": "kasir"}),
        api.post("/coops/manggar/users", {"username": "lemah", "password": "123", "role": "kasir"}),
    ]
    assert [x.status_code for x in refused] == [403, 422, 409, 422]
    assert CooperativeRole.objects.count() == grants


def test_admin_grants_ketua_to_an_existing_user(coop, admin_user, make_user, api_as) -> None:
    make_user("pak.rt")
    r = api_as(admin_user).post("/coops/manggar/users", {"username": "pak.rt", "role": "ketua"})
    assert r.status_code == 201
    assert CooperativeRole.objects.filter(cooperative=coop, user__username="pak.rt", role="ketua").count() == 1


def test_facilities_units_partners(coop, ketua, api_as) -> None:
    api = api_as(ketua)
    created = api.post(
        "/coops/manggar/facilities",
        {
            "kind": "gerai",
            "name": "Gerai KKMP",
            "progress_pct": 45,
            "started_on": "2025-10-21",
            "target_on": "2026-12-31",
        },
    )
    assert created.status_code == 201
    fid = created.json()["id"]
    assert (
        api.post("/coops/manggar/facilities", {"kind": "gerai", "name": "G2", "progress_pct": 150}).status_code == 422
    )
    updated = api.put(f"/coops/manggar/facilities/{fid}", {"kind": "gerai", "name": "Gerai KKMP", "progress_pct": 80})
    assert updated.json()["progress_pct"] == 80
    assert api.get("/coops/manggar/facilities").json()["count"] == 1
    unit = api.patch("/coops/manggar/business-units/gerai_sembako", {"status": "aktif"})
    assert unit.status_code == 200
    assert unit.json()["status"] == "aktif"
    assert api.post("/coops/manggar/business-units", {"code": "pangkalan_lpg", "name": "LPG"}).status_code == 201
    assert api.get("/coops/manggar/business-units").json()["count"] == 8
    partner = api.post(
        "/coops/manggar/partners",
        {"name": "PT Pertamina Patra Niaga", "agreement_no": "01/PPN", "business_unit": "pangkalan_lpg"},
    )
    assert partner.status_code == 201
    assert partner.json()["business_unit"] == "pangkalan_lpg"


def test_dinas_reads_cooperatives_of_its_kota_only(coop, dinas_user, api_as) -> None:
    api = api_as(dinas_user)
    assert api.get("/coops").json()["count"] == 1
    assert api.get("/coops/manggar").status_code == 200
    assert api.post("/coops/manggar/stage", {"stage": "musyawarah"}).status_code == 403
    overview = api.get("/oversight/coops", kota="64.71").json()
    assert overview["count"] == 1
    assert overview["items"][0]["code"] == "manggar"
    assert overview["items"][0]["legal_documents_total"] == 7


def test_oversight_is_refused_to_cooperative_roles(coop, ketua, api_as) -> None:
    assert api_as(ketua).get("/oversight/coops").status_code == 403


def test_openapi_docs_are_served(client) -> None:
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/v1/coops" in paths
    assert "/api/v1/regions/kelurahan" in paths
    assert client.get("/api/v1/docs").status_code == 200


def test_list_bounds_are_validated(coop, ketua, api_as) -> None:
    r = api_as(ketua).get("/coops", limit=0)
    assert r.status_code == 422
    assert r.json()["detail"] == {"limit": ["limit harus 1–500."]}
