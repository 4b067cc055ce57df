"""Posting, reversal, chart of accounts and periods: what is accepted, what is refused, what did not change."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger import selectors, services
from koperasi.ledger.chart import CHART_TEMPLATE
from koperasi.ledger.models import Account, AccountDayTotal, JournalEntry, JournalLine, Period
from koperasi.ledger.services import LineInput, journal_post

D = datetime.date(2026, 4, 14)


def lines(*rows: tuple[str, int, int]) -> list[LineInput]:
    return [LineInput(account=code, debit=d, credit=c) for code, d, c in rows]


# --- chart ------------------------------------------------------------------------------------
def test_registration_seeds_the_template_chart(coop: Any) -> None:
    accounts = Account.objects.filter(cooperative=coop)
    assert accounts.count() == len(CHART_TEMPLATE) == 70
    cash = selectors.account_for_role(cooperative=coop, role="cash")
    assert (cash.code, cash.type, cash.normal_side, cash.cash_flow) == ("1-1100", "asset", "debit", "cash")
    pokok = selectors.account_for_role(cooperative=coop, role="savings_pokok")
    assert (pokok.type, pokok.normal_side) == ("equity", "credit")  # domain.md §1.2 default
    assert selectors.account_for_role(cooperative=coop, role="savings_sukarela").type == "liability"
    allowance = selectors.account_for_role(cooperative=coop, role="loan_allowance")
    assert allowance.type == "asset" and allowance.normal_side == "credit" and allowance.is_contra
    sales = selectors.account_for_role(cooperative=coop, role="sales_non_members")
    assert sales.revenue_party == "non_anggota" and sales.business_unit.code == "gerai_sembako"


def test_account_for_role_missing_is_a_conflict(coop: Any) -> None:
    with pytest.raises(Conflict) as caught:
        selectors.account_for_role(cooperative=coop, role="tidak_ada")
    assert caught.value.code == "account_role_missing"


def test_bendahara_adds_an_account_under_a_group(coop: Any, bendahara: Any) -> None:
    account = services.account_create(
        cooperative=coop, actor=bendahara, code="4-1600", name="Sewa tenda — anggota", parent_code="4-1000"
    )
    assert (account.type, account.normal_side, account.revenue_party) == ("income", "credit", "anggota")
    assert AuditEvent.objects.filter(action="ledger.account_create", cooperative=coop).count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"code": "9-100", "name": "X"}, "code"),
        ({"code": "4-1700", "name": ""}, "name"),
        ({"code": "4-1700", "name": "X", "parent_code": "1-1000"}, "parent_code"),  # an asset group
        ({"code": "4-1700", "name": "X", "parent_code": "1-1100"}, "parent_code"),  # not a group
        ({"code": "5-9000", "name": "X", "revenue_party": "anggota"}, "revenue_party"),
        ({"code": "4-1700", "name": "X", "business_unit_code": "tidak-ada"}, "business_unit_code"),
    ],
)
def test_account_create_refusals_name_the_field(coop: Any, bendahara: Any, kwargs: Any, field: str) -> None:
    before = Account.objects.filter(cooperative=coop).count()
    with pytest.raises(ValidationError) as caught:
        services.account_create(cooperative=coop, actor=bendahara, **kwargs)
    assert field in caught.value.detail
    assert Account.objects.filter(cooperative=coop).count() == before


def test_account_code_taken(coop: Any, bendahara: Any) -> None:
    with pytest.raises(Conflict):
        services.account_create(cooperative=coop, actor=bendahara, code="1-1100", name="Kas kedua")


def test_account_with_postings_cannot_be_deleted_or_resided(coop: Any, bendahara: Any, post: Any) -> None:
    extra = services.account_create(
        cooperative=coop, actor=bendahara, code="5-2950", name="Beban rapat", parent_code="5-2000"
    )
    post(coop, D, [("5-2950", 75_000, 0), ("1-1100", 0, 75_000)])
    with pytest.raises(Conflict) as caught:
        services.account_delete(cooperative=coop, account=extra, actor=bendahara)
    assert caught.value.code == "account_has_postings"
    with pytest.raises(Conflict):
        services.account_update(
            cooperative=coop, account=extra, actor=bendahara, name="Beban rapat", normal_side="credit"
        )
    assert Account.objects.get(pk=extra.pk).normal_side == "debit"
    services.account_update(
        cooperative=coop, account=extra, actor=bendahara, name="Beban rapat pengurus", is_active=False
    )
    with pytest.raises(ValidationError):  # inactive accounts take no new postings
        post(coop, D, [("5-2950", 1, 0), ("1-1100", 0, 1)])


def test_unused_account_can_be_deleted_but_not_a_system_one(coop: Any, bendahara: Any) -> None:
    extra = services.account_create(
        cooperative=coop, actor=bendahara, code="5-2960", name="Beban lain", parent_code="5-2000"
    )
    services.account_delete(cooperative=coop, account=extra, actor=bendahara)
    assert not Account.objects.filter(pk=extra.pk).exists()
    with pytest.raises(Conflict):
        services.account_delete(
            cooperative=coop, account=selectors.account_get(cooperative=coop, code="1-1100"), actor=bendahara
        )


def test_account_services_refuse_another_cooperatives_account(coop: Any, other_coop: Any, bendahara: Any) -> None:
    foreign = selectors.account_get(cooperative=other_coop, code="5-4100")
    with pytest.raises(NotFound):
        services.account_update(cooperative=coop, account=foreign, actor=bendahara, name="Dibajak")
    with pytest.raises(NotFound):
        services.account_delete(cooperative=coop, account=foreign, actor=bendahara)
    assert Account.objects.get(pk=foreign.pk).name == "Beban pajak"


# --- posting ----------------------------------------------------------------------------------
def test_post_moves_the_totals_and_chains(coop: Any, post: Any) -> None:
    first = post(coop, D, [("1-1100", 100_000, 0), ("3-1100", 0, 100_000)])
    second = post(coop, D, [("1-1100", 20_000, 0), ("3-1200", 0, 20_000)])
    assert (first.seq, second.seq, second.prev_hash) == (1, 2, first.hash)
    assert first.prev_hash == "" and len(first.hash) == 64
    total = AccountDayTotal.objects.get(cooperative=coop, account__code="1-1100", date=D)
    assert (total.debit, total.credit) == (120_000, 0)


def test_post_uses_the_accounts_unit_unless_a_line_names_one(coop: Any, bendahara: Any) -> None:
    entry = journal_post(
        cooperative=coop,
        date=D,
        lines=[
            LineInput("1-1100", debit=30_000),
            LineInput("4-1100", credit=20_000),  # the account's own unit: gerai_sembako
            LineInput("4-3200", credit=10_000, business_unit="klinik"),
        ],
        memo="Penjualan",
        actor=bendahara,
    )
    units = {line.account.code: line.business_unit.code if line.business_unit else None for line in entry.lines.all()}
    assert units == {"1-1100": None, "4-1100": "gerai_sembako", "4-3200": "klinik"}


@pytest.mark.parametrize(
    ("rows", "code", "message"),
    [
        ([("1-1100", 100, 0)], "journal_too_few_lines", "paling sedikit dua baris"),
        ([("1-1100", 100, 0), ("3-1100", 0, 90)], "journal_unbalanced", "selisih Rp 10"),
        ([("1-1100", 100, 100), ("3-1100", 0, 0)], "journal_invalid_lines", "salah satu"),
        ([("1-1100", -100, 0), ("3-1100", 0, -100)], "journal_invalid_lines", "negatif"),
        ([("1-1000", 100, 0), ("3-1100", 0, 100)], "journal_invalid_lines", "akun kelompok"),
        ([("9-9999", 100, 0), ("3-1100", 0, 100)], "journal_invalid_lines", "tidak ada di koperasi ini"),
    ],
)
def test_post_refusals(coop: Any, post: Any, rows: Any, code: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        post(coop, D, rows)
    assert caught.value.code == code
    assert message in caught.value.message or message in str(caught.value.detail)
    assert not JournalEntry.objects.filter(cooperative=coop).exists()
    assert not JournalLine.objects.filter(cooperative=coop).exists()


def test_post_refuses_non_integer_amounts(coop: Any, bendahara: Any) -> None:
    with pytest.raises(ValidationError):
        journal_post(
            cooperative=coop,
            date=D,
            lines=[LineInput("1-1100", debit=100.5), LineInput("3-1100", credit=100.5)],  # type: ignore[arg-type]
            memo="Pecahan",
            actor=bendahara,
        )
    assert not JournalEntry.objects.filter(cooperative=coop).exists()


def test_post_refuses_an_empty_memo(coop: Any, post: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        post(coop, D, [("1-1100", 1, 0), ("3-1100", 0, 1)], memo="  ")
    assert "memo" in caught.value.detail


def test_cross_tenant_posting_to_another_cooperatives_account_is_refused(
    coop: Any, other_coop: Any, bendahara: Any
) -> None:
    foreign_cash = selectors.account_get(cooperative=other_coop, code="1-1100")
    with pytest.raises(ValidationError) as caught:
        journal_post(
            cooperative=coop,
            date=D,
            lines=[LineInput(foreign_cash, debit=5_000), LineInput("3-1100", credit=5_000)],
            memo="Ke kas koperasi lain",
            actor=bendahara,
        )
    assert "tidak ada di koperasi ini" in str(caught.value.detail)
    assert not JournalEntry.objects.exists()


def test_idempotency_key_returns_the_first_entry(coop: Any, post: Any) -> None:
    first = post(coop, D, [("1-1100", 50_000, 0), ("3-1100", 0, 50_000)], idempotency_key="setor-001")
    again = post(coop, D, [("1-1100", 50_000, 0), ("3-1100", 0, 50_000)], idempotency_key="setor-001")
    assert again.pk == first.pk
    assert JournalEntry.objects.filter(cooperative=coop).count() == 1


def test_journal_post_query_count(coop: Any, post: Any, django_assert_max_num_queries: Any) -> None:
    post(coop, D, [("1-1100", 1, 0), ("3-1100", 0, 1)])
    with django_assert_max_num_queries(8):
        post(coop, D, [("1-1100", 100, 0), ("4-1100", 0, 60), ("4-2100", 0, 40)])


# --- reversal ---------------------------------------------------------------------------------
def test_reversal_mirrors_and_only_once(coop: Any, post: Any, bendahara: Any) -> None:
    entry = post(coop, D, [("5-2200", 150_000, 0), ("1-1100", 0, 150_000)], memo="Listrik")
    reversal = services.journal_reverse(cooperative=coop, entry=entry, date=D, actor=bendahara)
    mirrored = sorted((ln.account.code, ln.debit, ln.credit) for ln in reversal.lines.all())
    assert mirrored == [("1-1100", 150_000, 0), ("5-2200", 0, 150_000)]
    assert reversal.memo == f"Pembalikan {entry.number}: Listrik"
    with pytest.raises(Conflict) as caught:
        services.journal_reverse(cooperative=coop, entry=entry, date=D, actor=bendahara)
    assert caught.value.code == "entry_already_reversed"
    with pytest.raises(Conflict):
        services.journal_reverse(cooperative=coop, entry=reversal, date=D, actor=bendahara)
    assert JournalEntry.objects.filter(cooperative=coop).count() == 2
    assert selectors.trial_balance(cooperative=coop, as_of=D).rows == []


def test_reversal_of_another_cooperatives_entry_is_not_found(
    coop: Any, other_coop: Any, post: Any, bendahara: Any
) -> None:
    foreign = post(other_coop, D, [("1-1100", 10, 0), ("3-1100", 0, 10)])
    with pytest.raises(NotFound):
        services.journal_reverse(cooperative=coop, entry=foreign, date=D, actor=bendahara)
    assert JournalEntry.objects.count() == 1


# --- periods ----------------------------------------------------------------------------------
@pytest.fixture
def pengawas(coop: Any, grant: Any) -> Any:
    return grant(coop, "pengawas")


def test_closed_period_refuses_posting_and_reversal(coop: Any, post: Any, bendahara: Any) -> None:
    entry = post(coop, D, [("1-1100", 10_000, 0), ("3-1100", 0, 10_000)])
    services.period_close(cooperative=coop, month=D, reason="Laporan April selesai", actor=bendahara)
    with pytest.raises(Conflict) as caught:
        post(coop, D.replace(day=30), [("1-1100", 1, 0), ("3-1100", 0, 1)])
    assert caught.value.code == "period_closed"
    with pytest.raises(Conflict):
        services.journal_reverse(cooperative=coop, entry=entry, date=D, actor=bendahara)
    # A correction goes into the open month instead.
    services.journal_reverse(cooperative=coop, entry=entry, date=datetime.date(2026, 5, 2), actor=bendahara)
    assert JournalEntry.objects.filter(cooperative=coop).count() == 2


def test_close_needs_a_reason_and_not_twice(coop: Any, bendahara: Any) -> None:
    with pytest.raises(ValidationError):
        services.period_close(cooperative=coop, month=D, reason="", actor=bendahara)
    services.period_close(cooperative=coop, month=D, reason="Selesai", actor=bendahara)
    with pytest.raises(Conflict):
        services.period_close(cooperative=coop, month=D, reason="Lagi", actor=bendahara)


def test_reopen_needs_ketua_and_pengawas(coop: Any, post: Any, bendahara: Any, ketua: Any, pengawas: Any) -> None:
    services.period_close(cooperative=coop, month=D, reason="Selesai", actor=bendahara)
    with pytest.raises(PermissionDenied):
        services.period_reopen_request(cooperative=coop, month=D, reason="Koreksi", actor=bendahara)
    request = services.period_reopen_request(cooperative=coop, month=D, reason="Salah catat listrik", actor=ketua)
    with pytest.raises(PermissionDenied):  # the same person cannot approve their own request
        services.period_reopen_approve(cooperative=coop, request=request, actor=ketua)
    assert Period.objects.get(cooperative=coop, month=D.replace(day=1)).is_closed
    services.period_reopen_approve(cooperative=coop, request=request, actor=pengawas)
    assert not Period.objects.get(cooperative=coop, month=D.replace(day=1)).is_closed
    post(coop, D, [("1-1100", 1, 0), ("3-1100", 0, 1)])
    actions = list(
        AuditEvent.objects.filter(cooperative=coop, action__startswith="ledger.period").values_list("action", flat=True)
    )
    assert sorted(actions) == ["ledger.period_close", "ledger.period_reopen", "ledger.period_reopen_request"]


def test_reopen_approval_needs_the_other_role(coop: Any, bendahara: Any, ketua: Any, grant: Any) -> None:
    second_ketua = grant(coop, "ketua", "ketua-kedua")
    services.period_close(cooperative=coop, month=D, reason="Selesai", actor=bendahara)
    request = services.period_reopen_request(cooperative=coop, month=D, reason="Koreksi", actor=ketua)
    with pytest.raises(PermissionDenied):
        services.period_reopen_approve(cooperative=coop, request=request, actor=second_ketua)
    assert Period.objects.get(cooperative=coop, month=D.replace(day=1)).is_closed


def test_reopen_request_from_another_cooperative_is_not_found(
    coop: Any, other_coop: Any, bendahara: Any, ketua: Any, grant: Any
) -> None:
    services.period_close(cooperative=coop, month=D, reason="Selesai", actor=bendahara)
    request = services.period_reopen_request(cooperative=coop, month=D, reason="Koreksi", actor=ketua)
    foreign_pengawas = grant(other_coop, "pengawas")
    with pytest.raises(NotFound):
        services.period_reopen_approve(cooperative=other_coop, request=request, actor=foreign_pengawas)
    with pytest.raises(PermissionDenied):  # holds no role in this cooperative
        services.period_reopen_approve(cooperative=coop, request=request, actor=foreign_pengawas)
