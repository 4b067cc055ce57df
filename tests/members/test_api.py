"""Members over the API (DESIGN.md §9): list and search, register, detail, correct, exit; never delete."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.members.identity import age_on
from koperasi.members.models import Member, MemberStatusChange
from koperasi.members.services import member_portal_account_create
from koperasi.savings import obligations
from koperasi.savings.calculations import Obligation
from koperasi.savings.models import SavingsAccount, SavingsTransaction
from koperasi.savings.services import savings_deposit
from tests.conftest import KK, NIK_MAN, NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
MEMBERS = "/coops/manggar/members"
# A third person: a man born 1 February 2001 (a youth), first registered in Balikpapan Utara.
NIK_YOUNG = "6471050102010003"


def member_counts() -> tuple[int, int, int]:
    """What a refused member write must leave unchanged: members, status changes, audit rows."""
    return (
        Member.objects.count(),
        MemberStatusChange.objects.count(),
        AuditEvent.objects.filter(action__startswith="member.").count(),
    )


def money_counts() -> tuple[int, int]:
    return SavingsTransaction.objects.count(), JournalEntry.objects.count()


def age_today(birth: datetime.date) -> int:
    return age_on(birth, timezone.localdate())


@pytest.fixture
def bendahara(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.BENDAHARA)


@pytest.fixture
def pengawas(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.PENGAWAS)


@pytest.fixture
def three(coop: Any, active_member: Any, register_member: Any) -> list[Any]:
    """Budi (no. 1, aktif), Siti (no. 2, calon), Rudi (no. 3, calon, kelurahan Lamaru)."""
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", phone="", joined_on="2026-02-01")
    rudi = register_member(
        coop,
        nik=NIK_YOUNG,
        name="Rudi Hartono",
        phone="+62 811 5400 123",
        joined_on="2026-03-01",
        kelurahan_code="64.71.01.1002",
    )
    return [active_member, siti, rudi]


@pytest.fixture
def lamaru_member(other_coop: Any, register_member: Any) -> Any:
    return register_member(other_coop, name="Andi Lamaru")


# --- GET /members ---------------------------------------------------------------------------------
def test_list_by_number_with_nik_for_managers(coop: Any, three: list[Any], kasir: Any, api_as: Any) -> None:
    r = api_as(kasir).get(MEMBERS)
    assert r.status_code == 200, r.content
    budi, siti, rudi = three
    assert r.json() == {
        "items": [
            {
                "id": budi.pk,
                "member_no": 1,
                "number": "00001",
                "nik": NIK_MAN,
                "name": "Budi Santoso",
                "gender": "L",
                "birth_date": "1985-05-15",
                "status": "aktif",
                "joined_on": "2026-01-05",
                "activated_on": "2026-01-05",
                "left_on": None,
                "phone": "+6281234567890",
                "kelurahan_code": "64.71.01.1001",
            },
            {
                "id": siti.pk,
                "member_no": 2,
                "number": "00002",
                "nik": NIK_WOMAN,
                "name": "Siti Aminah",
                "gender": "P",
                "birth_date": "1985-05-15",
                "status": "calon",
                "joined_on": "2026-02-01",
                "activated_on": None,
                "left_on": None,
                "phone": "",
                "kelurahan_code": "64.71.01.1001",
            },
            {
                "id": rudi.pk,
                "member_no": 3,
                "number": "00003",
                "nik": NIK_YOUNG,
                "name": "Rudi Hartono",
                "gender": "L",
                "birth_date": "2001-02-01",
                "status": "calon",
                "joined_on": "2026-03-01",
                "activated_on": None,
                "left_on": None,
                "phone": "+628115400123",
                "kelurahan_code": "64.71.01.1002",
            },
        ],
        "count": 3,
    }


def test_list_masks_the_nik_for_roles_that_only_view(
    coop: Any, three: list[Any], pengawas: Any, admin_user: Any, api_as: Any
) -> None:
    for user in (pengawas, admin_user):
        items = api_as(user).get(MEMBERS).json()["items"]
        assert [m["nik"] for m in items] == ["6471••••••••0001", "6471••••••••0002", "6471••••••••0003"]


def test_list_filters_and_search(coop: Any, three: list[Any], ketua: Any, api_as: Any) -> None:
    api = api_as(ketua)

    def numbers(**params: Any) -> list[str]:
        r = api.get(MEMBERS, **params)
        assert r.status_code == 200, r.content
        return [m["number"] for m in r.json()["items"]]

    assert numbers(status="calon") == ["00002", "00003"]
    assert numbers(status="aktif") == ["00001"]
    assert numbers(status="keluar") == []
    assert numbers(q="siti") == ["00002"]
    assert numbers(q="  HARTONO ") == ["00003"]
    assert numbers(q="3") == ["00003"]  # a member number
    assert numbers(q="00002") == ["00002"]
    assert numbers(q="647104") == ["00001", "00002"]  # the start of a NIK
    assert numbers(q=NIK_YOUNG) == ["00003"]
    assert numbers(q=KK) == ["00001", "00002", "00003"]  # one family card
    assert numbers(q="a", status="calon") == ["00002", "00003"]
    page = api.get(MEMBERS, limit=1, offset=1).json()
    assert ([m["number"] for m in page["items"]], page["count"]) == (["00002"], 3)


@pytest.mark.parametrize(
    ("params", "field"),
    [({"status": "pensiun"}, "status"), ({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"offset": -1}, "offset")],
)
def test_list_bad_query_is_422(coop: Any, ketua: Any, api_as: Any, params: dict[str, Any], field: str) -> None:
    r = api_as(ketua).get(MEMBERS, **params)
    assert (r.status_code, r.json()["code"], list(r.json()["detail"])) == (422, "invalid", [field])


def test_list_costs_a_fixed_number_of_queries(
    coop: Any, register_member: Any, kasir: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    for serial in range(1, 31):
        register_member(coop, nik=f"647104150585{serial:04d}", name=f"Anggota {serial}")
    api = api_as(kasir)
    with django_assert_max_num_queries(7):
        data = api.get(MEMBERS).json()
    assert data["count"] == 30
    assert data["items"][-1]["number"] == "00030"


def test_list_tenant_isolation_and_roles(
    coop: Any, three: list[Any], other_ketua: Any, lamaru_member: Any, dinas_user: Any, grant: Any, api_as: Any
) -> None:
    r = api_as(other_ketua).get(MEMBERS)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    lamaru = api_as(other_ketua).get("/coops/lamaru/members").json()
    assert [(m["id"], m["name"]) for m in lamaru["items"]] == [(lamaru_member.pk, "Andi Lamaru")]
    # The Dinas oversees the cooperative (COOP_VIEW) but does not read members' personal data.
    r = api_as(dinas_user).get(MEMBERS)
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert api_as(grant(coop, Role.ANGGOTA)).get(MEMBERS).status_code == 403
    assert api_as(None).get(MEMBERS).status_code == 401


# --- POST /members --------------------------------------------------------------------------------
def test_register_derives_gender_and_birth_date(coop: Any, kasir: Any, api_as: Any) -> None:
    before = member_counts()
    r = api_as(kasir).post(
        MEMBERS,
        {
            "nik": "6471 0455 0585 0002",
            "kk": KK,
            "name": "  Siti   Aminah ",
            "address": "Jl. Mulawarman No. 3 RT 07",
            "phone": "0812 9999 8888",
            "joined_on": "2026-02-01",
            "birth_place": "Balikpapan",
            "occupation": "Pedagang",
        },
    )
    assert r.status_code == 201, r.content
    member = Member.objects.get(cooperative=coop)
    assert r.json() == {
        "id": member.pk,
        "member_no": 1,
        "number": "00001",
        "nik": NIK_WOMAN,
        "name": "Siti Aminah",
        "gender": "P",
        "birth_date": "1985-05-15",
        "status": "calon",
        "status_label": "Calon anggota",
        "joined_on": "2026-02-01",
        "activated_on": None,
        "left_on": None,
        "phone": "+6281299998888",
        "kelurahan_code": "64.71.01.1001",
        "kelurahan_name": "Manggar",
        "kk": KK,
        "address": "Jl. Mulawarman No. 3 RT 07",
        "birth_place": "Balikpapan",
        "occupation": "Pedagang",
        "age": age_today(D(1985, 5, 15)),
        "leave_reason": "",
        "has_portal_account": False,
        "savings": {"pokok": 0, "wajib": 0, "sukarela": 0, "total": 0},
        "history": [
            {"from_status": "", "to_status": "calon", "date": "2026-02-01", "reason": "", "changed_by": "kasir-manggar"}
        ],
    }
    assert member_counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert member.created_by == kasir


def test_register_defaults_joined_on_to_today_and_takes_a_kelurahan(
    coop: Any, ketua: Any, member_data: Any, api_as: Any
) -> None:
    data = member_data(kelurahan_code="64.71.01.1002")
    del data["joined_on"]
    r = api_as(ketua).post(MEMBERS, data)
    assert r.status_code == 201, r.content
    assert r.json()["joined_on"] == timezone.localdate().isoformat()
    assert (r.json()["kelurahan_code"], r.json()["kelurahan_name"]) == ("64.71.01.1002", "Lamaru")


def test_register_refusals_name_every_field(coop: Any, kasir: Any, api_as: Any) -> None:
    before = member_counts()
    r = api_as(kasir).post(MEMBERS, {})
    assert r.status_code == 422
    assert r.json() == {
        "code": "member_invalid",
        "message": "Data anggota tidak valid.",
        "detail": {
            "nik": ["NIK wajib diisi."],
            "kk": ["No. KK wajib diisi."],
            "name": ["Nama wajib diisi."],
            "address": ["Alamat wajib diisi (jalan, RT/RW)."],
        },
    }
    r = api_as(kasir).post(
        MEMBERS,
        {
            "nik": "6471043105850001",  # 31 May is fine, but ...
            "kk": "123",
            "name": "Budi",
            "address": "Jl. A",
            "phone": "12345",
            "joined_on": "2099-01-01",
            "kelurahan_code": "64.71.99.9999",
        },
    )
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert set(detail) == {"kk", "phone", "joined_on", "kelurahan_code"}
    assert detail["kk"] == ["No. KK harus 16 angka (tertulis 3 karakter)."]
    assert detail["joined_on"] == ["Tanggal masuk tidak boleh di masa depan."]
    r = api_as(kasir).post(MEMBERS, {"nik": "6471043002850001", "kk": KK, "name": "Budi", "address": "Jl. A"})
    assert r.json()["detail"]["nik"] == [
        "NIK tidak valid: tanggal lahir 30-02-85 bukan tanggal yang ada (untuk perempuan tanggal ditambah 40)."
    ]
    r = api_as(kasir).post(MEMBERS, {"nik": 6471041505850001, "kk": KK, "name": "Budi", "address": "Jl. A"})
    assert (r.status_code, list(r.json()["detail"])) == (422, ["nik"])  # a JSON number is not a NIK
    assert member_counts() == before


def test_register_same_nik_twice_is_409(
    coop: Any, active_member: Any, kasir: Any, member_data: Any, api_as: Any
) -> None:
    before = member_counts()
    r = api_as(kasir).post(MEMBERS, member_data(name="Budi Lain"))
    assert r.status_code == 409
    message = f"NIK {NIK_MAN} sudah terdaftar sebagai anggota aktif no. 00001."
    assert r.json() == {
        "code": "member_nik_taken",
        "message": message,
        "detail": {"nik": [message], "member_id": active_member.pk},
    }
    assert member_counts() == before


def test_register_tenant_isolation_and_roles(
    coop: Any, other_ketua: Any, pengawas: Any, dinas_user: Any, admin_user: Any, member_data: Any, api_as: Any
) -> None:
    before = member_counts()
    assert api_as(other_ketua).post(MEMBERS, member_data()).status_code == 404
    for user in (pengawas, dinas_user, admin_user):
        r = api_as(user).post(MEMBERS, member_data())
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert member_counts() == before
    # The same person may join the other cooperative, through its own URL.
    r = api_as(other_ketua).post("/coops/lamaru/members", member_data())
    assert (r.status_code, r.json()["member_no"]) == (201, 1)


# --- GET /members/{id} ------------------------------------------------------------------------------
def test_detail_with_savings_and_history(coop: Any, active_member: Any, kasir: Any, pengawas: Any, api_as: Any) -> None:
    savings_deposit(
        cooperative=coop, member=active_member, kind="sukarela", amount=75_000, date=D(2026, 2, 1), actor=kasir
    )
    r = api_as(pengawas).get(f"{MEMBERS}/{active_member.pk}")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "id": active_member.pk,
        "member_no": 1,
        "number": "00001",
        "nik": "6471••••••••0001",
        "name": "Budi Santoso",
        "gender": "L",
        "birth_date": "1985-05-15",
        "status": "aktif",
        "status_label": "Anggota aktif",
        "joined_on": "2026-01-05",
        "activated_on": "2026-01-05",
        "left_on": None,
        "phone": "+6281234567890",
        "kelurahan_code": "64.71.01.1001",
        "kelurahan_name": "Manggar",
        "kk": "6471••••••••0003",
        "address": "Jl. Jenderal Sudirman No. 12 RT 05",
        "birth_place": "",
        "occupation": "",
        "age": age_today(D(1985, 5, 15)),
        "leave_reason": "",
        "has_portal_account": False,
        "savings": {"pokok": 50_000, "wajib": 0, "sukarela": 75_000, "total": 125_000},
        "history": [
            {"from_status": "", "to_status": "calon", "date": "2026-01-05", "reason": "", "changed_by": "admin-uji"},
            {
                "from_status": "calon",
                "to_status": "aktif",
                "date": "2026-01-05",
                "reason": "Simpanan pokok lunas",
                "changed_by": "kasir-manggar",
            },
        ],
    }
    full = api_as(kasir).get(f"{MEMBERS}/{active_member.pk}").json()
    assert (full["nik"], full["kk"]) == (NIK_MAN, KK)


def test_detail_tenant_isolation_and_roles(
    coop: Any, active_member: Any, kasir: Any, other_ketua: Any, lamaru_member: Any, dinas_user: Any, api_as: Any
) -> None:
    r = api_as(kasir).get(f"{MEMBERS}/{lamaru_member.pk}")
    assert r.json() == {"code": "not_found", "message": "Anggota tidak ditemukan.", "detail": {}}
    assert r.status_code == 404
    assert api_as(other_ketua).get(f"{MEMBERS}/{active_member.pk}").status_code == 404
    assert api_as(other_ketua).get(f"/coops/lamaru/members/{active_member.pk}").status_code == 404
    assert api_as(kasir).get(f"{MEMBERS}/999999").status_code == 404
    assert api_as(kasir).get(f"{MEMBERS}/{10**30}").status_code == 404
    assert api_as(dinas_user).get(f"{MEMBERS}/{active_member.pk}").status_code == 403


def test_portal_member_does_not_read_the_registry(coop: Any, active_member: Any, ketua: Any, api_as: Any) -> None:
    user = member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password="Rahasia-Budi-2026", actor=ketua
    )
    assert api_as(ketua).get(f"{MEMBERS}/{active_member.pk}").json()["has_portal_account"] is True
    assert api_as(user).get(f"{MEMBERS}/{active_member.pk}").status_code == 403


# --- PUT / PATCH /members/{id} --------------------------------------------------------------------
def test_patch_changes_only_what_is_sent(coop: Any, active_member: Any, kasir: Any, api_as: Any) -> None:
    r = api_as(kasir).patch(f"{MEMBERS}/{active_member.pk}", {"phone": "0813-1111-2222", "occupation": "Nelayan"})
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["phone"], data["occupation"], data["name"], data["address"]) == (
        "+6281311112222",
        "Nelayan",
        "Budi Santoso",
        "Jl. Jenderal Sudirman No. 12 RT 05",
    )
    assert (data["member_no"], data["status"]) == (1, "aktif")
    active_member.refresh_from_db()
    assert (active_member.phone, active_member.occupation) == ("+6281311112222", "Nelayan")
    event = AuditEvent.objects.get(action="member.update")
    assert event.data == {"fields": ["occupation", "phone"]}


def test_put_corrects_a_nik_typo_and_rederives(coop: Any, register_member: Any, ketua: Any, api_as: Any) -> None:
    member = register_member(coop)
    r = api_as(ketua).put(f"{MEMBERS}/{member.pk}", {"nik": NIK_WOMAN, "name": "Budiarti"})
    assert r.status_code == 200, r.content
    assert (r.json()["nik"], r.json()["gender"], r.json()["name"], r.json()["number"]) == (
        NIK_WOMAN,
        "P",
        "Budiarti",
        "00001",
    )


def test_update_refusals_change_nothing(
    coop: Any, active_member: Any, register_member: Any, kasir: Any, api_as: Any
) -> None:
    siti = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah")
    before = list(Member.objects.order_by("pk").values())
    r = api_as(kasir).patch(f"{MEMBERS}/{siti.pk}", {"nik": NIK_MAN})
    assert (r.status_code, r.json()["code"]) == (409, "member_nik_taken")
    r = api_as(kasir).patch(f"{MEMBERS}/{siti.pk}", {"phone": "abc", "name": "12345"})
    assert (r.status_code, r.json()["code"]) == (422, "member_invalid")
    assert set(r.json()["detail"]) == {"phone", "name"}
    r = api_as(kasir).put(f"{MEMBERS}/{siti.pk}", {"nik": "647104550585"})
    assert r.json()["detail"] == {"nik": ["NIK harus 16 angka (tertulis 12 karakter)."]}
    assert list(Member.objects.order_by("pk").values()) == before
    assert not AuditEvent.objects.filter(action="member.update").exists()


def test_update_tenant_isolation_and_roles(
    coop: Any, active_member: Any, kasir: Any, pengawas: Any, other_ketua: Any, lamaru_member: Any, api_as: Any
) -> None:
    before = list(Member.objects.order_by("pk").values())
    assert api_as(kasir).patch(f"{MEMBERS}/{lamaru_member.pk}", {"name": "Diganti"}).status_code == 404
    assert api_as(kasir).put(f"{MEMBERS}/{lamaru_member.pk}", {"name": "Diganti"}).status_code == 404
    assert api_as(other_ketua).patch(f"{MEMBERS}/{active_member.pk}", {"name": "Diganti"}).status_code == 404
    r = api_as(pengawas).patch(f"{MEMBERS}/{active_member.pk}", {"name": "Diganti"})
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert list(Member.objects.order_by("pk").values()) == before


def test_members_are_never_deleted(coop: Any, active_member: Any, ketua: Any, api_as: Any) -> None:
    api = api_as(ketua)
    r = api.client.delete(f"/api/v1{MEMBERS}/{active_member.pk}", headers=api.headers)
    assert r.status_code == 405
    assert "DELETE" not in r["Allow"]
    assert Member.objects.filter(pk=active_member.pk).exists()


# --- Exit -----------------------------------------------------------------------------------------
@pytest.fixture
def saver(coop: Any, active_member: Any, kasir: Any) -> Any:
    """Budi: pokok Rp50.000, wajib Rp20.000, sukarela Rp30.000."""
    for kind, amount in (("wajib", 20_000), ("sukarela", 30_000)):
        savings_deposit(
            cooperative=coop, member=active_member, kind=kind, amount=amount, date=D(2026, 2, 10), actor=kasir
        )
    return active_member


def test_exit_quote(coop: Any, saver: Any, bendahara: Any, api_as: Any) -> None:
    r = api_as(bendahara).get(f"{MEMBERS}/{saver.pk}/exit-quote")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "member_id": saver.pk,
        "status": "aktif",
        "balances": {"pokok": 50_000, "wajib": 20_000, "sukarela": 30_000},
        "obligations": [],
        "savings_total": 100_000,
        "offset_total": 0,
        "net_payout": 100_000,
        "blockers": [],
    }


def test_exit_quote_shows_offsets_and_blockers(coop: Any, saver: Any, ketua: Any, api_as: Any) -> None:
    owes = [
        Obligation(label="Sisa pinjaman", amount=30_000, ledger_role="loan_receivable"),
        Obligation(
            label="Pinjaman macet",
            amount=5_000,
            ledger_role="loan_receivable",
            blocks_exit=True,
            reason="Pinjaman macet harus dilunasi.",
        ),
    ]

    def provider(member: Any) -> list[Obligation]:
        return owes if member.pk == saver.pk else []

    obligations.register(provider)
    try:
        data = api_as(ketua).get(f"{MEMBERS}/{saver.pk}/exit-quote").json()
        before = money_counts()
        r = api_as(ketua).post(f"{MEMBERS}/{saver.pk}/exit", {"status": "keluar", "date": "2026-03-01"})
    finally:
        obligations.unregister(provider)
    assert data["obligations"] == [
        {"label": "Sisa pinjaman", "amount": 30_000, "blocks_exit": False, "reason": ""},
        {"label": "Pinjaman macet", "amount": 5_000, "blocks_exit": True, "reason": "Pinjaman macet harus dilunasi."},
    ]
    assert (data["savings_total"], data["offset_total"], data["net_payout"]) == (100_000, 30_000, 70_000)
    assert data["blockers"] == ["Pinjaman macet harus dilunasi."]
    assert (r.status_code, r.json()["code"]) == (409, "exit_blocked")
    assert r.json()["detail"] == {"blockers": ["Pinjaman macet harus dilunasi."]}
    assert money_counts() == before
    saver.refresh_from_db()
    assert saver.status == "aktif"


def test_exit_refunds_every_savings_in_one_entry(coop: Any, saver: Any, bendahara: Any, api_as: Any) -> None:
    before = money_counts()
    r = api_as(bendahara).post(
        f"{MEMBERS}/{saver.pk}/exit",
        {"status": "keluar", "date": "2026-03-01", "reason": "Pindah ke Samarinda", "expected_payout": 100_000},
    )
    assert r.status_code == 200, r.content
    entry = JournalEntry.objects.order_by("-id").first()
    assert entry is not None
    assert r.json() == {
        "member_id": saver.pk,
        "status": "keluar",
        "left_on": "2026-03-01",
        "leave_reason": "Pindah ke Samarinda",
        "balances": {"pokok": 50_000, "wajib": 20_000, "sukarela": 30_000},
        "obligations": [],
        "savings_total": 100_000,
        "offset_total": 0,
        "net_payout": 100_000,
        "blockers": [],
        "entry_number": entry.number,
    }
    assert money_counts() == (before[0] + 3, before[1] + 1)
    assert list(
        JournalLine.objects.filter(entry=entry).order_by("id").values_list("account__code", "debit", "credit")
    ) == [("3-1100", 50_000, 0), ("3-1200", 20_000, 0), ("2-1100", 30_000, 0), ("1-1100", 0, 100_000)]
    assert list(SavingsAccount.objects.filter(member=saver).values_list("balance", flat=True)) == [0, 0, 0]
    saver.refresh_from_db()
    assert (saver.status, saver.left_on) == ("keluar", D(2026, 3, 1))
    detail = api_as(bendahara).get(f"{MEMBERS}/{saver.pk}").json()
    assert detail["savings"] == {"pokok": 0, "wajib": 0, "sukarela": 0, "total": 0}
    assert detail["history"][-1]["to_status"] == "keluar"
    # A second exit is refused.
    again = api_as(bendahara).post(f"{MEMBERS}/{saver.pk}/exit", {"status": "keluar", "date": "2026-03-01"})
    assert (again.status_code, again.json()["code"]) == (409, "member_already_ended")
    assert money_counts() == (before[0] + 3, before[1] + 1)


def test_exit_of_a_calon_without_savings_posts_nothing(
    coop: Any, register_member: Any, ketua: Any, api_as: Any
) -> None:
    calon = register_member(coop)
    before = money_counts()
    r = api_as(ketua).post(f"{MEMBERS}/{calon.pk}/exit", {"status": "meninggal", "date": "2026-02-01"})
    assert r.status_code == 200, r.content
    assert (r.json()["status"], r.json()["net_payout"], r.json()["entry_number"]) == ("meninggal", 0, None)
    assert money_counts() == before


@pytest.mark.parametrize(
    ("payload", "status", "code", "field"),
    [
        ({"status": "aktif", "date": "2026-03-01"}, 422, "invalid", "status"),
        ({"status": "diberhentikan", "date": "2026-03-01"}, 422, "invalid", "reason"),
        ({"status": "keluar", "date": "2099-03-01"}, 422, "invalid", "date"),
        ({"status": "keluar", "date": "2026-03-01", "channel": "transfer"}, 422, "invalid", "reference"),
        ({"status": "keluar", "date": "2026-03-01", "expected_payout": 100_000.0}, 422, "invalid", "expected_payout"),
        ({"status": "keluar"}, 422, "invalid", "date"),
        ({"status": "keluar", "date": "2026-03-01", "expected_payout": 90_000}, 409, "exit_quote_changed", None),
    ],
)
def test_exit_refusals_change_nothing(
    coop: Any,
    saver: Any,
    ketua: Any,
    api_as: Any,
    payload: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    before = (money_counts(), member_counts())
    r = api_as(ketua).post(f"{MEMBERS}/{saver.pk}/exit", payload)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    if field:
        assert field in r.json()["detail"]
    assert (money_counts(), member_counts()) == before
    saver.refresh_from_db()
    assert saver.status == "aktif"


def test_exit_tenant_isolation_and_roles(
    coop: Any,
    saver: Any,
    kasir: Any,
    pengawas: Any,
    ketua: Any,
    other_ketua: Any,
    lamaru_member: Any,
    dinas_user: Any,
    api_as: Any,
) -> None:
    payload = {"status": "keluar", "date": "2026-03-01"}
    before = (money_counts(), member_counts())
    for user in (kasir, pengawas, dinas_user):
        r = api_as(user).post(f"{MEMBERS}/{saver.pk}/exit", payload)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
        assert api_as(user).get(f"{MEMBERS}/{saver.pk}/exit-quote").status_code == 403
    assert api_as(other_ketua).post(f"{MEMBERS}/{saver.pk}/exit", payload).status_code == 404
    assert api_as(other_ketua).get(f"{MEMBERS}/{saver.pk}/exit-quote").status_code == 404
    assert api_as(ketua).post(f"{MEMBERS}/{lamaru_member.pk}/exit", payload).status_code == 404
    assert api_as(ketua).get(f"{MEMBERS}/{lamaru_member.pk}/exit-quote").status_code == 404
    assert (money_counts(), member_counts()) == before
    lamaru_member.refresh_from_db()
    assert lamaru_member.status == "calon"


def test_a_nul_character_in_the_search_is_422_not_500(coop: Any, ketua: Any, api_as: Any) -> None:
    # PostgreSQL cannot compare text holding NUL; the query is refused before it reaches the database.
    r = api_as(ketua).get(MEMBERS, q="Budi\x00")
    assert (r.status_code, list(r.json()["detail"])) == (422, ["q"])
    assert r.json()["detail"]["q"] == ["Teks tidak boleh berisi karakter NUL."]
