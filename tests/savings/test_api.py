"""Savings over the API (DESIGN.md §9): balances, statements, teller transactions, arrears, settings."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.members.services import member_portal_account_create
from koperasi.savings.models import SavingsAccount, SavingsSetting, SavingsTransaction
from koperasi.savings.services import savings_deposit, savings_withdraw, wajib_bills_issue
from tests.conftest import NIK_WOMAN

pytestmark = pytest.mark.django_db

D = datetime.date
TXNS = "/coops/manggar/savings/transactions"


def counts() -> tuple[int, int, int]:
    """What a refused write must leave unchanged: transactions, journal entries, audit rows."""
    return (
        SavingsTransaction.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.filter(action__startswith="savings.").count(),
    )


def body(member: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "member_id": member.pk,
        "kind": "sukarela",
        "direction": "deposit",
        "amount": 100_000,
        "date": "2026-02-02",
    }
    data.update(overrides)
    return data


@pytest.fixture
def bendahara(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.BENDAHARA)


@pytest.fixture
def pengawas(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.PENGAWAS)


@pytest.fixture
def saver(coop: Any, active_member: Any, kasir: Any) -> Any:
    """Budi (no. 1): pokok Rp50.000, wajib Rp20.000 on 10/02/2026, sukarela Rp150.000 then Rp30.000 out."""
    for kind, amount, day in (("wajib", 20_000, D(2026, 2, 10)), ("sukarela", 150_000, D(2026, 2, 12))):
        savings_deposit(cooperative=coop, member=active_member, kind=kind, amount=amount, date=day, actor=kasir)
    savings_withdraw(
        cooperative=coop, member=active_member, kind="sukarela", amount=30_000, date=D(2026, 3, 1), actor=kasir
    )
    return active_member


@pytest.fixture
def siti(coop: Any, register_member: Any, kasir: Any) -> Any:
    """Siti (no. 2), active from 6 January 2026 with pokok Rp50.000 and nothing else."""
    member = register_member(coop, nik=NIK_WOMAN, name="Siti Aminah", phone="081299998888", joined_on="2026-01-06")
    savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 6), actor=kasir)
    member.refresh_from_db()
    return member


@pytest.fixture
def portal_user(coop: Any, saver: Any, ketua: Any) -> Any:
    """Budi's own portal login (role anggota)."""
    return member_portal_account_create(
        cooperative=coop, member=saver, username="budi", password="Rahasia-Budi-2026", actor=ketua
    )


@pytest.fixture
def lamaru_member(other_coop: Any, register_member: Any, other_ketua: Any) -> Any:
    """A member of the other cooperative (Lamaru) with pokok paid."""
    member = register_member(other_coop, name="Andi Lamaru")
    savings_deposit(
        cooperative=other_coop, member=member, kind="pokok", amount=50_000, date=D(2026, 1, 7), actor=other_ketua
    )
    member.refresh_from_db()
    return member


# --- GET /members/{id}/savings ------------------------------------------------------------------
def test_balances_per_kind(coop: Any, saver: Any, kasir: Any, api_as: Any) -> None:
    r = api_as(kasir).get(f"/coops/manggar/members/{saver.pk}/savings")
    assert r.status_code == 200, r.content
    assert r.json() == {"pokok": 50_000, "wajib": 20_000, "sukarela": 120_000, "total": 190_000}


def test_balances_of_a_calon_are_zero(coop: Any, register_member: Any, pengawas: Any, api_as: Any) -> None:
    calon = register_member(coop)
    r = api_as(pengawas).get(f"/coops/manggar/members/{calon.pk}/savings")
    assert r.json() == {"pokok": 0, "wajib": 0, "sukarela": 0, "total": 0}


def test_balances_tenant_isolation(
    coop: Any, saver: Any, kasir: Any, other_ketua: Any, lamaru_member: Any, api_as: Any
) -> None:
    # Lamaru's ketua asks for Manggar's member (through either cooperative's URL): not found.
    outsider = api_as(other_ketua)
    r = outsider.get(f"/coops/manggar/members/{saver.pk}/savings")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert outsider.get(f"/coops/lamaru/members/{saver.pk}/savings").status_code == 404
    # Manggar's kasir asks for Lamaru's member through Manggar's URL: not found.
    r = api_as(kasir).get(f"/coops/manggar/members/{lamaru_member.pk}/savings")
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    assert api_as(kasir).get("/coops/manggar/members/999999/savings").status_code == 404


def test_balances_refused_to_the_dinas(coop: Any, saver: Any, dinas_user: Any, api_as: Any) -> None:
    r = api_as(dinas_user).get(f"/coops/manggar/members/{saver.pk}/savings")
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")


def test_portal_member_reads_own_savings_only(coop: Any, saver: Any, siti: Any, portal_user: Any, api_as: Any) -> None:
    api = api_as(portal_user)
    r = api.get(f"/coops/manggar/members/{saver.pk}/savings")
    assert r.status_code == 200, r.content
    assert r.json() == {"pokok": 50_000, "wajib": 20_000, "sukarela": 120_000, "total": 190_000}
    assert api.get(f"/coops/manggar/members/{saver.pk}/savings/transactions").json()["count"] == 4
    # Another member of the same cooperative does not exist for the portal user.
    r = api.get(f"/coops/manggar/members/{siti.pk}/savings")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "Anggota tidak ditemukan.", "detail": {}}
    assert api.get(f"/coops/manggar/members/{siti.pk}/savings/transactions").status_code == 404
    # The portal does not open the member registry or the teller.
    assert api.get("/coops/manggar/members").status_code == 403
    assert api.post(TXNS, body(saver)).status_code == 403


def test_portal_user_without_a_membership_sees_nothing(coop: Any, saver: Any, grant: Any, api_as: Any) -> None:
    stranger = grant(coop, Role.ANGGOTA, "anggota-tanpa-data")
    assert api_as(stranger).get(f"/coops/manggar/members/{saver.pk}/savings").status_code == 404


# --- GET /members/{id}/savings/transactions -----------------------------------------------------
def test_transactions_oldest_first_with_entry_numbers(coop: Any, saver: Any, pengawas: Any, api_as: Any) -> None:
    r = api_as(pengawas).get(f"/coops/manggar/members/{saver.pk}/savings/transactions")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["count"] == 4
    txns = list(SavingsTransaction.objects.filter(member=saver).select_related("journal_entry").order_by("id"))
    assert data["items"] == [
        {
            "id": txns[0].pk,
            "date": "2026-01-05",
            "kind": "pokok",
            "type": "setor",
            "direction": "deposit",
            "channel": "tunai",
            "amount": 50_000,
            "balance_after": 50_000,
            "entry_number": txns[0].journal_entry.number,
            "reference": "",
            "memo": "Setoran simpanan pokok 00001 Budi Santoso",
        },
        {
            "id": txns[1].pk,
            "date": "2026-02-10",
            "kind": "wajib",
            "type": "setor",
            "direction": "deposit",
            "channel": "tunai",
            "amount": 20_000,
            "balance_after": 20_000,
            "entry_number": txns[1].journal_entry.number,
            "reference": "",
            "memo": "Setoran simpanan wajib 00001 Budi Santoso",
        },
        {
            "id": txns[2].pk,
            "date": "2026-02-12",
            "kind": "sukarela",
            "type": "setor",
            "direction": "deposit",
            "channel": "tunai",
            "amount": 150_000,
            "balance_after": 150_000,
            "entry_number": txns[2].journal_entry.number,
            "reference": "",
            "memo": "Setoran simpanan sukarela 00001 Budi Santoso",
        },
        {
            "id": txns[3].pk,
            "date": "2026-03-01",
            "kind": "sukarela",
            "type": "tarik",
            "direction": "withdrawal",
            "channel": "tunai",
            "amount": 30_000,
            "balance_after": 120_000,
            "entry_number": txns[3].journal_entry.number,
            "reference": "",
            "memo": "Penarikan simpanan sukarela 00001 Budi Santoso",
        },
    ]
    assert [t["entry_number"] for t in data["items"]] == ["JU-000001", "JU-000002", "JU-000003", "JU-000004"]


def test_transactions_filter_page_and_bad_input(coop: Any, saver: Any, kasir: Any, api_as: Any) -> None:
    api = api_as(kasir)
    path = f"/coops/manggar/members/{saver.pk}/savings/transactions"
    sukarela = api.get(path, kind="sukarela").json()
    assert sukarela["count"] == 2
    assert [(t["type"], t["amount"], t["balance_after"]) for t in sukarela["items"]] == [
        ("setor", 150_000, 150_000),
        ("tarik", 30_000, 120_000),
    ]
    page = api.get(path, limit=2, offset=1).json()
    assert page["count"] == 4
    assert [t["kind"] for t in page["items"]] == ["wajib", "sukarela"]
    r = api.get(path, kind="berjangka")
    assert (r.status_code, r.json()["code"], list(r.json()["detail"])) == (422, "invalid", ["kind"])
    assert api.get(path, limit=0).status_code == 422
    assert api.get(path, offset=-1).status_code == 422


def test_transactions_cost_a_fixed_number_of_queries(
    coop: Any, saver: Any, kasir: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 21):
        savings_deposit(
            cooperative=coop, member=saver, kind="sukarela", amount=1_000, date=D(2026, 4, day), actor=kasir
        )
    api = api_as(kasir)
    with django_assert_max_num_queries(8):
        data = api.get(f"/coops/manggar/members/{saver.pk}/savings/transactions").json()
    assert data["count"] == 24
    assert data["items"][-1]["balance_after"] == 140_000


def test_transactions_tenant_isolation_and_roles(
    coop: Any, saver: Any, kasir: Any, other_ketua: Any, lamaru_member: Any, dinas_user: Any, api_as: Any
) -> None:
    assert api_as(other_ketua).get(f"/coops/manggar/members/{saver.pk}/savings/transactions").status_code == 404
    r = api_as(kasir).get(f"/coops/manggar/members/{lamaru_member.pk}/savings/transactions")
    assert r.status_code == 404
    assert api_as(dinas_user).get(f"/coops/manggar/members/{saver.pk}/savings/transactions").status_code == 403


# --- POST /savings/transactions ------------------------------------------------------------------
def test_deposit_created_and_posted(coop: Any, active_member: Any, kasir: Any, api_as: Any) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(active_member, memo="Setoran lewat aplikasi"))
    assert r.status_code == 201, r.content
    txn = SavingsTransaction.objects.select_related("journal_entry").get(member=active_member, kind="sukarela")
    assert r.json() == {
        "id": txn.pk,
        "member_id": active_member.pk,
        "date": "2026-02-02",
        "kind": "sukarela",
        "type": "setor",
        "direction": "deposit",
        "channel": "tunai",
        "amount": 100_000,
        "balance_after": 100_000,
        "entry_number": "JU-000002",
        "reference": "",
        "memo": "Setoran lewat aplikasi",
    }
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert txn.created_by == kasir
    lines = JournalLine.objects.filter(entry=txn.journal_entry).order_by("id")
    assert list(lines.values_list("account__code", "debit", "credit", "member_id")) == [
        ("1-1100", 100_000, 0, None),
        ("2-1100", 0, 100_000, active_member.pk),
    ]


def test_deposit_by_transfer_and_withdrawal(coop: Any, active_member: Any, bendahara: Any, api_as: Any) -> None:
    api = api_as(bendahara)
    r = api.post(TXNS, body(active_member, kind="wajib", amount=20_000, channel="transfer", reference="TRX-881"))
    assert r.status_code == 201, r.content
    assert (r.json()["channel"], r.json()["reference"], r.json()["balance_after"]) == ("transfer", "TRX-881", 20_000)
    wajib = SavingsTransaction.objects.get(pk=r.json()["id"])
    assert list(
        JournalLine.objects.filter(entry=wajib.journal_entry).order_by("id").values_list("account__code", "debit")
    ) == [("1-1200", 20_000), ("3-1200", 0)]
    api.post(TXNS, body(active_member, amount=250_000))
    r = api.post(TXNS, body(active_member, direction="withdrawal", amount=75_500, date="2026-02-03"))
    assert r.status_code == 201, r.content
    assert (r.json()["type"], r.json()["direction"], r.json()["amount"], r.json()["balance_after"]) == (
        "tarik",
        "withdrawal",
        75_500,
        174_500,
    )
    assert SavingsAccount.objects.get(member=active_member, kind="sukarela").balance == 174_500
    assert api.get(f"/coops/manggar/members/{active_member.pk}/savings").json() == {
        "pokok": 50_000,
        "wajib": 20_000,
        "sukarela": 174_500,
        "total": 244_500,
    }


def test_paying_pokok_over_the_api_activates_the_calon(
    coop: Any, register_member: Any, kasir: Any, api_as: Any
) -> None:
    calon = register_member(coop)
    r = api_as(kasir).post(TXNS, body(calon, kind="pokok", amount=50_000, date="2026-01-05"))
    assert r.status_code == 201, r.content
    calon.refresh_from_db()
    assert (calon.status, calon.activated_on) == ("aktif", D(2026, 1, 5))


@pytest.mark.parametrize(
    "amount",
    [1000.5, 1000.0, 1e5, "1000", "100000", True, None, [1000]],
    ids=["fraction", "float-whole", "exponent", "text", "text-big", "bool", "null", "list"],
)
def test_non_integer_amount_is_422_and_nothing_written(
    coop: Any, active_member: Any, kasir: Any, api_as: Any, amount: Any
) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(active_member, amount=amount))
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "invalid"
    assert list(r.json()["detail"]) == ["amount"]
    assert counts() == before


@pytest.mark.parametrize(
    ("amount", "code"),
    [(0, "amount_not_positive"), (-50_000, "amount_not_positive"), (100_000_001, "amount_over_limit")],
)
def test_zero_negative_or_absurd_amount_is_422_and_nothing_written(
    coop: Any, active_member: Any, kasir: Any, api_as: Any, amount: int, code: str
) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(active_member, amount=amount))
    assert r.status_code == 422, r.content
    assert r.json()["code"] == code
    assert list(r.json()["detail"]) == ["amount"]
    assert counts() == before


def test_over_limit_message_names_both_amounts(coop: Any, active_member: Any, kasir: Any, api_as: Any) -> None:
    r = api_as(kasir).post(TXNS, body(active_member, amount=1_000_000_000))
    assert r.json()["message"] == (
        "Jumlah Rp 1.000.000.000 melebihi batas satu transaksi Rp 100.000.000; periksa kembali."
    )


def test_pokok_withdrawal_is_409_and_nothing_written(coop: Any, saver: Any, kasir: Any, api_as: Any) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(saver, kind="pokok", direction="withdrawal", amount=50_000))
    assert (r.status_code, r.json()["code"]) == (409, "savings_not_withdrawable")
    r = api_as(kasir).post(TXNS, body(saver, kind="wajib", direction="withdrawal", amount=10_000))
    assert (r.status_code, r.json()["code"]) == (409, "savings_not_withdrawable")
    assert counts() == before
    assert SavingsAccount.objects.get(member=saver, kind="pokok").balance == 50_000


def test_overdraw_is_409_and_nothing_written(coop: Any, saver: Any, kasir: Any, api_as: Any) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(saver, direction="withdrawal", amount=120_001, date="2026-03-02"))
    assert r.status_code == 409, r.content
    assert r.json() == {
        "code": "insufficient_balance",
        "message": "Saldo simpanan sukarela tidak cukup: saldo Rp 120.000, diminta Rp 120.001.",
        "detail": {"amount": ["Paling banyak Rp 120.000."], "balance": 120_000},
    }
    assert counts() == before
    assert SavingsAccount.objects.get(member=saver, kind="sukarela").balance == 120_000


def test_other_cooperatives_member_is_404_and_nothing_written(
    coop: Any, active_member: Any, kasir: Any, lamaru_member: Any, api_as: Any
) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(lamaru_member))
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    for missing in (999_999, 0, -1, 2**63, 10**30):
        r = api_as(kasir).post(TXNS, body(active_member, member_id=missing))
        assert (r.status_code, r.json()["code"]) == (404, "not_found"), missing
    assert counts() == before


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"kind": "berjangka"}, 422, "invalid", "kind"),
        ({"direction": "transfer"}, 422, "invalid", "direction"),
        ({"channel": "cek"}, 422, "invalid", "channel"),
        ({"channel": "transfer"}, 422, "invalid", "reference"),
        ({"date": "2099-01-01"}, 422, "invalid", "date"),
        ({"date": "2025-12-31"}, 422, "invalid", "date"),
        ({"date": "02/02/2026"}, 422, "invalid", "date"),
        ({"kind": "pokok", "amount": 50_000}, 409, "pokok_already_paid", None),
        ({"memo": "setoran\x00"}, 422, "invalid", "memo"),  # was a 500 on PostgreSQL
        ({"reference": "\x00"}, 422, "invalid", "reference"),
        ({"date": "9999-12-31"}, 422, "invalid", "date"),
    ],
    ids=[
        "kind",
        "direction",
        "channel",
        "no-reference",
        "future",
        "before-joining",
        "not-iso",
        "pokok-twice",
        "nul-memo",
        "nul-reference",
        "calendar-end",
    ],
)
def test_other_refusals_change_nothing(
    coop: Any,
    active_member: Any,
    kasir: Any,
    api_as: Any,
    overrides: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(active_member, **overrides))
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    if field:
        assert field in r.json()["detail"]
    assert counts() == before


def test_deposit_for_a_calon_other_than_pokok_is_409(coop: Any, register_member: Any, kasir: Any, api_as: Any) -> None:
    calon = register_member(coop)
    before = counts()
    r = api_as(kasir).post(TXNS, body(calon))
    assert (r.status_code, r.json()["code"]) == (409, "member_not_active")
    assert counts() == before


def test_missing_fields_are_422_per_field(coop: Any, kasir: Any, api_as: Any) -> None:
    r = api_as(kasir).post(TXNS, {})
    assert r.status_code == 422
    assert set(r.json()["detail"]) == {"member_id", "kind", "direction", "amount", "date"}


@pytest.mark.parametrize("role", [Role.PENGAWAS, Role.KETUA, Role.SEKRETARIS, Role.MANAJER, Role.ANGGOTA])
def test_roles_without_the_teller_permission_get_403(
    coop: Any, active_member: Any, grant: Any, api_as: Any, role: str
) -> None:
    before = counts()
    r = api_as(grant(coop, role)).post(TXNS, body(active_member))
    assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert counts() == before


def test_teller_of_another_cooperative_and_dinas_refused(
    coop: Any, active_member: Any, other_coop: Any, grant: Any, dinas_user: Any, api_as: Any
) -> None:
    before = counts()
    lamaru_kasir = grant(other_coop, Role.KASIR)
    assert api_as(lamaru_kasir).post(TXNS, body(active_member)).status_code == 404
    # Lamaru's kasir on Lamaru's URL with Manggar's member: not found there either.
    assert api_as(lamaru_kasir).post("/coops/lamaru/savings/transactions", body(active_member)).status_code == 404
    assert api_as(dinas_user).post(TXNS, body(active_member)).status_code == 403
    assert api_as(None).post(TXNS, body(active_member)).status_code == 401
    assert counts() == before


# --- Idempotency ----------------------------------------------------------------------------------
def test_repeated_idempotency_key_returns_the_first_transaction(
    coop: Any, active_member: Any, kasir: Any, api_as: Any
) -> None:
    api = api_as(kasir)
    before = counts()
    first = api.post(TXNS, body(active_member), headers={"Idempotency-Key": "setor-budi-0202"})
    assert first.status_code == 201, first.content
    again = api.post(TXNS, body(active_member), headers={"Idempotency-Key": "setor-budi-0202"})
    assert again.status_code == 201
    assert again.json() == first.json()
    # Whatever the repeat's body says, the first result comes back and nothing is written.
    other = api.post(TXNS, body(active_member, amount=999), headers={"Idempotency-Key": "setor-budi-0202"})
    assert other.json() == first.json()
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)
    assert SavingsTransaction.objects.filter(member=active_member, kind="sukarela").count() == 1
    assert SavingsAccount.objects.get(member=active_member, kind="sukarela").balance == 100_000
    # A new key is a new deposit.
    third = api.post(TXNS, body(active_member), headers={"Idempotency-Key": "setor-budi-0202-b"})
    assert (third.status_code, third.json()["balance_after"]) == (201, 200_000)
    assert third.json()["id"] != first.json()["id"]


def test_idempotency_keys_are_per_cooperative(
    coop: Any, active_member: Any, kasir: Any, lamaru_member: Any, other_coop: Any, grant: Any, api_as: Any
) -> None:
    key = {"Idempotency-Key": "sama"}
    a = api_as(kasir).post(TXNS, body(active_member), headers=key)
    b = api_as(grant(other_coop, Role.KASIR)).post(
        "/coops/lamaru/savings/transactions", body(lamaru_member), headers=key
    )
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.json()["id"] != b.json()["id"]
    assert b.json()["member_id"] == lamaru_member.pk


def test_overlong_idempotency_key_is_422(coop: Any, active_member: Any, kasir: Any, api_as: Any) -> None:
    before = counts()
    r = api_as(kasir).post(TXNS, body(active_member), headers={"Idempotency-Key": "k" * 81})
    assert (r.status_code, list(r.json()["detail"])) == (422, ["Idempotency-Key"])
    assert counts() == before


# --- GET /savings/arrears -------------------------------------------------------------------------
@pytest.fixture
def billed(coop: Any, saver: Any, siti: Any, admin_user: Any) -> None:
    """Wajib bills of Rp20.000 for January–March 2026 (due on the 10th) to Budi and Siti.

    Budi's one wajib deposit pays January; Siti has paid nothing.
    """
    for month in (D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)):
        wajib_bills_issue(cooperative=coop, month=month, actor=admin_user)


def test_arrears_most_owed_first_with_total(
    coop: Any, billed: None, saver: Any, siti: Any, pengawas: Any, api_as: Any
) -> None:
    r = api_as(pengawas).get("/coops/manggar/savings/arrears", as_of="2026-04-01")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "as_of": "2026-04-01",
        "items": [
            {
                "member_id": siti.pk,
                "member_no": 2,
                "number": "00002",
                "name": "Siti Aminah",
                "phone": "+6281299998888",
                "months": 3,
                "amount": 60_000,
                "oldest_month": "2026-01",
            },
            {
                "member_id": saver.pk,
                "member_no": 1,
                "number": "00001",
                "name": "Budi Santoso",
                "phone": "+6281234567890",
                "months": 2,
                "amount": 40_000,
                "oldest_month": "2026-02",
            },
        ],
        "count": 2,
        "total": 100_000,
    }
    # On 10 March the March bill is not yet late.
    early = api_as(pengawas).get("/coops/manggar/savings/arrears", as_of="2026-03-10").json()
    assert [(i["number"], i["months"], i["amount"]) for i in early["items"]] == [
        ("00002", 2, 40_000),
        ("00001", 1, 20_000),
    ]
    page = api_as(pengawas).get("/coops/manggar/savings/arrears", as_of="2026-04-01", limit=1, offset=1).json()
    assert ([i["number"] for i in page["items"]], page["count"], page["total"]) == (["00001"], 2, 100_000)
    assert api_as(pengawas).get("/coops/manggar/savings/arrears", limit=501).status_code == 422


def test_arrears_cost_a_fixed_number_of_queries(
    coop: Any, billed: None, kasir: Any, api_as: Any, django_assert_max_num_queries: Any
) -> None:
    api = api_as(kasir)
    with django_assert_max_num_queries(8):
        assert api.get("/coops/manggar/savings/arrears", as_of="2026-04-01").json()["count"] == 2


def test_arrears_tenant_isolation_and_roles(
    coop: Any, billed: None, other_ketua: Any, dinas_user: Any, portal_user: Any, api_as: Any
) -> None:
    assert api_as(other_ketua).get("/coops/manggar/savings/arrears").status_code == 404
    lamaru = api_as(other_ketua).get("/coops/lamaru/savings/arrears", as_of="2026-04-01").json()
    assert (lamaru["count"], lamaru["total"]) == (0, 0)
    assert api_as(dinas_user).get("/coops/manggar/savings/arrears").status_code == 403
    assert api_as(portal_user).get("/coops/manggar/savings/arrears").status_code == 403


# --- GET/POST /savings/settings -------------------------------------------------------------------
SETTINGS = "/coops/manggar/savings/settings"


def test_settings_default_when_none_recorded(coop: Any, kasir: Any, api_as: Any) -> None:
    r = api_as(kasir).get(SETTINGS)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["history"] == []
    assert data["in_force"] == {
        "effective_from": "1900-01-01",
        "pokok_amount": 50_000,
        "wajib_amount": 20_000,
        "wajib_due_day": 10,
        "sukarela_rate_pa": "0",
        "sukarela_min_balance": 0,
        "transaction_limit": 100_000_000,
        "is_default": True,
    }


def test_settings_recorded_and_in_force(coop: Any, bendahara: Any, ketua: Any, api_as: Any) -> None:
    r = api_as(bendahara).post(
        SETTINGS,
        {
            "effective_from": "2026-07-01",
            "pokok_amount": 100_000,
            "wajib_amount": 25_000,
            "wajib_due_day": 15,
            "sukarela_rate_pa": "3.5",
            "sukarela_min_balance": 50_000,
            "transaction_limit": 20_000_000,
        },
    )
    assert r.status_code == 201, r.content
    row = SavingsSetting.objects.get(cooperative=coop)
    created = r.json()
    assert created.pop("created_at")
    assert created == {
        "id": row.pk,
        "effective_from": "2026-07-01",
        "pokok_amount": 100_000,
        "wajib_amount": 25_000,
        "wajib_due_day": 15,
        "sukarela_rate_pa": "3.5",
        "sukarela_min_balance": 50_000,
        "transaction_limit": 20_000_000,
        "created_by": "bendahara-manggar",
    }
    later = api_as(ketua).post(
        SETTINGS, {"effective_from": "2026-11-01", "pokok_amount": 100_000, "wajib_amount": 30_000}
    )
    assert later.status_code == 201, later.content
    assert (later.json()["sukarela_rate_pa"], later.json()["wajib_due_day"]) == ("0", 10)
    data = api_as(ketua).get(SETTINGS).json()
    assert (data["in_force"]["effective_from"], data["in_force"]["wajib_amount"]) == ("2026-11-01", 30_000)
    assert data["in_force"]["is_default"] is False
    assert [h["effective_from"] for h in data["history"]] == ["2026-11-01", "2026-07-01"]
    assert [h["sukarela_rate_pa"] for h in data["history"]] == ["0", "3.5"]


@pytest.mark.parametrize(
    ("overrides", "status", "code", "field"),
    [
        ({"sukarela_rate_pa": 3.5}, 422, "invalid", "sukarela_rate_pa"),
        ({"sukarela_rate_pa": "tiga"}, 422, "setting_invalid", "sukarela_rate_pa"),
        ({"sukarela_rate_pa": "101"}, 422, "setting_invalid", "sukarela_rate_pa"),
        ({"pokok_amount": 100_000.5}, 422, "invalid", "pokok_amount"),
        ({"wajib_amount": 0}, 422, "setting_invalid", "wajib_amount"),
        ({"wajib_due_day": 31}, 422, "setting_invalid", "wajib_due_day"),
        ({"effective_from": "2026-01-01"}, 409, "setting_exists", "effective_from"),
    ],
)
def test_setting_refusals_change_nothing(
    coop: Any, bendahara: Any, api_as: Any, overrides: dict[str, Any], status: int, code: str, field: str
) -> None:
    api = api_as(bendahara)
    assert (
        api.post(SETTINGS, {"effective_from": "2026-01-01", "pokok_amount": 50_000, "wajib_amount": 20_000}).status_code
        == 201
    )
    before = SavingsSetting.objects.count()
    payload = {"effective_from": "2026-08-01", "pokok_amount": 100_000, "wajib_amount": 25_000, **overrides}
    r = api.post(SETTINGS, payload)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code
    assert field in r.json()["detail"]
    assert SavingsSetting.objects.count() == before


def test_settings_roles_and_tenants(
    coop: Any, kasir: Any, pengawas: Any, other_ketua: Any, dinas_user: Any, api_as: Any
) -> None:
    payload = {"effective_from": "2026-08-01", "pokok_amount": 100_000, "wajib_amount": 25_000}
    assert api_as(pengawas).get(SETTINGS).status_code == 200
    for user in (kasir, pengawas):
        r = api_as(user).post(SETTINGS, payload)
        assert (r.status_code, r.json()["code"]) == (403, "forbidden")
    assert api_as(dinas_user).get(SETTINGS).status_code == 403
    assert api_as(other_ketua).get(SETTINGS).status_code == 404
    assert api_as(other_ketua).post(SETTINGS, payload).status_code == 404
    assert SavingsSetting.objects.count() == 0


def test_reverse_a_wrong_deposit_by_api(coop: Any, active_member: Any, kasir: Any, grant: Any, api_as: Any) -> None:
    from koperasi.savings.services import savings_deposit

    wrong = savings_deposit(
        cooperative=coop,
        member=active_member,
        kind="sukarela",
        amount=75_000,
        date=datetime.date(2026, 2, 3),
        actor=kasir,
    )
    path = f"/coops/manggar/savings/transactions/{wrong.pk}/reverse"
    assert api_as(kasir).post(path, {"reason": "Salah"}).status_code == 403
    bendahara = api_as(grant(coop, "bendahara"))
    response = bendahara.post(path, {"reason": "Salah anggota", "date": "2026-02-04"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["type"], body["direction"], body["amount"], body["balance_after"]) == (
        "tarik",
        "withdrawal",
        75_000,
        0,
    )
    again = bendahara.post(path, {"reason": "Lagi", "date": "2026-02-04"})
    assert (again.status_code, again.json()["code"]) == (409, "already_reversed")
    missing = bendahara.post("/coops/manggar/savings/transactions/999999999/reverse", {"reason": "x"})
    assert missing.status_code == 404
