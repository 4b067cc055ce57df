"""The year-end close: what blocks it, the closing entry, the statements after it, reopening by ketua + pengawas."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.models import AuditEvent, CooperativeRole
from koperasi.core.roles import Role
from koperasi.ledger.models import AccountDayTotal, JournalEntry, JournalLine, Period, YearLock
from koperasi.ledger.selectors import balance_sheet, income_statement, trial_balance
from koperasi.ledger.services import period_reopen_request
from koperasi.shu.models import FiscalYear, FiscalYearReopenRequest
from koperasi.shu.selectors import year_close_blockers, year_list
from koperasi.shu.services import (
    fiscal_year_close,
    fiscal_year_reopen_approve,
    fiscal_year_reopen_request,
    shu_approve,
)
from tests.shu.conftest import (
    CLOSE_TODAY,
    DECISION,
    EXPECTED,
    RAT_DATE,
    YEAR,
    YearBooks,
    close_months,
    post_books_2025,
    register_three,
)

pytestmark = pytest.mark.django_db
D = datetime.date
DEC_31 = D(2025, 12, 31)

# The closing entry of ``year_books``: (account, unit, debit, credit).
CLOSING_LINES = [
    ("3-1610", None, 0, 1_120_000),
    ("3-1620", None, 0, 280_000),
    ("4-1100", "gerai_sembako", 480_000, 0),
    ("4-1200", "simpan_pinjam", 2_000_000, 0),
    ("4-2100", "gerai_sembako", 120_000, 0),
    ("4-2200", "simpan_pinjam", 500_000, 0),
    ("5-1100", "gerai_sembako", 0, 500_000),
    ("5-2100", None, 0, 1_200_000),
]


def _lines(entry: JournalEntry) -> list[tuple[str, str | None, int, int]]:
    rows = JournalLine.objects.filter(entry=entry).values_list(
        "account__code", "business_unit__code", "debit", "credit"
    )
    return sorted(rows)


def _state(coop: Any) -> tuple[int, int, int, int, int]:
    return (
        JournalEntry.objects.filter(cooperative=coop).count(),
        FiscalYear.objects.filter(cooperative=coop).count(),
        YearLock.objects.filter(cooperative=coop).count(),
        AuditEvent.objects.filter(cooperative=coop).count(),
        Period.objects.filter(cooperative=coop, is_closed=True).count(),
    )


def _close(books: Any, today: D = CLOSE_TODAY) -> FiscalYear:
    return fiscal_year_close(cooperative=books.coop, year=YEAR, actor=books.bendahara, today=today)


def _refused(books: Any, today: D = CLOSE_TODAY) -> list[dict[str, str]]:
    before = _state(books.coop)
    with pytest.raises(Conflict) as caught:
        _close(books, today)
    assert caught.value.code == "year_close_blocked"
    assert _state(books.coop) == before
    assert not FiscalYear.objects.filter(cooperative=books.coop).exists()
    blockers: list[dict[str, str]] = caught.value.detail["blockers"]
    assert caught.value.message == "Tutup buku 2025 belum dapat dilakukan: " + " ".join(b["message"] for b in blockers)
    return blockers


@pytest.fixture
def open_books(
    coop: Any, register_member: Any, admin_user: Any, bendahara: Any, ketua: Any, pengawas: Any, kasir: Any
) -> Any:
    """``year_books`` with every month of 2025 still open."""
    members = register_three(coop, register_member)
    post_books_2025(coop, members=members, bendahara=bendahara, kasir=kasir, admin=admin_user, close=False)
    return YearBooks(coop, *members, bendahara, ketua, pengawas, kasir)


# --- What blocks the close -----------------------------------------------------------------------------------


def test_a_year_not_over_cannot_be_closed(year_books: Any) -> None:
    assert _refused(year_books, today=DEC_31) == [
        {"code": "year_not_over", "message": "Tahun buku 2025 belum berakhir (berakhir 31/12/2025)."}
    ]


def test_open_months_are_listed(open_books: Any) -> None:
    close_months(open_books.coop, YEAR, open_books.bendahara, range(1, 11))
    assert _refused(open_books) == [{"code": "periods_open", "message": "Bulan yang belum ditutup: 11/2025, 12/2025."}]


def test_every_blocker_is_listed_at_once(open_books: Any) -> None:
    close_months(open_books.coop, YEAR, open_books.bendahara, range(2, 13, 2))
    blockers = _refused(open_books, today=D(2025, 12, 31))
    assert [b["code"] for b in blockers] == ["year_not_over", "periods_open"]
    assert blockers[1]["message"] == "Bulan yang belum ditutup: 01/2025, 03/2025, 05/2025, 07/2025, 09/2025, 11/2025."


def test_an_open_cashier_session_of_the_year_blocks_it(year_books: Any) -> None:
    from koperasi.shop.models import CashierSession
    from koperasi.shop.services import cashier_session_open

    session = cashier_session_open(cooperative=year_books.coop, opening_float=200_000, actor=year_books.kasir)
    # A session opened now (2026) is not the year's business.
    assert year_close_blockers(cooperative=year_books.coop, year=YEAR, today=CLOSE_TODAY) == []
    opened = timezone.make_aware(datetime.datetime(2025, 12, 30, 8, 0))
    CashierSession.objects.filter(pk=session.pk).update(opened_at=opened)
    assert _refused(year_books) == [
        {
            "code": "cashier_sessions_open",
            "message": f"Sesi kasir belum ditutup dan direkonsiliasi: {session.session_no} "
            f"(kasir-manggar, dibuka 30/12/2025).",
        }
    ]


@pytest.mark.ledger_tampered
def test_books_that_do_not_verify_block_it(year_books: Any) -> None:
    row = AccountDayTotal.objects.filter(cooperative=year_books.coop, date=D(2025, 12, 15)).order_by("pk").first()
    assert row is not None
    AccountDayTotal.objects.filter(pk=row.pk).update(debit=F("debit") + 1)
    (blocker,) = _refused(year_books)
    assert blocker["code"] == "ledger_verify_failed"
    assert blocker["message"].startswith("Pemeriksaan buku besar gagal: ")


def test_the_previous_year_must_be_closed_first(year_books: Any) -> None:
    from koperasi.ledger.services import ByRole, LineInput, journal_post

    journal_post(
        cooperative=year_books.coop,
        date=D(2024, 12, 20),
        lines=[LineInput(account=ByRole("cash"), debit=1_000), LineInput(account=ByRole("grants"), credit=1_000)],
        memo="Hibah 2024",
        actor=year_books.bendahara,
    )
    assert _refused(year_books) == [
        {"code": "previous_year_open", "message": "Tahun buku 2024 belum ditutup; tutup buku tahun itu lebih dulu."}
    ]
    # Closing 2024 (its months first) lifts it.
    close_months(year_books.coop, 2024, year_books.bendahara)
    previous = fiscal_year_close(cooperative=year_books.coop, year=2024, actor=year_books.bendahara, today=CLOSE_TODAY)
    assert (previous.closing_entry, previous.surplus) == (None, 0)  # no income or expense that year
    assert _close(year_books).surplus == EXPECTED.surplus


def test_a_bad_year_is_refused(year_books: Any) -> None:
    for year in (1899, 3000, "2025", None):
        with pytest.raises(ValidationError):
            fiscal_year_close(cooperative=year_books.coop, year=year, actor=year_books.bendahara, today=CLOSE_TODAY)


# --- A good close --------------------------------------------------------------------------------------------


def test_the_close_moves_income_and_expense_to_shu_tahun_berjalan(year_books: Any) -> None:
    coop = year_books.coop
    entries = JournalEntry.objects.filter(cooperative=coop).count()
    fy = _close(year_books)
    assert JournalEntry.objects.filter(cooperative=coop).count() == entries + 1
    entry = fy.closing_entry
    assert (entry.date, entry.source_type, entry.source_id, entry.amount) == (DEC_31, "year_close", "2025", 3_100_000)
    assert entry.memo == "Tutup buku tahun 2025: pendapatan dan beban ke SHU tahun berjalan"
    assert _lines(entry) == CLOSING_LINES
    assert (
        fy.status,
        fy.closed_by,
        fy.total_income,
        fy.total_expense,
        fy.revenue_members,
        fy.revenue_non_members,
        fy.surplus,
        fy.surplus_members,
        fy.surplus_non_members,
        fy.times_reopened,
    ) == ("ditutup", year_books.bendahara, 3_100_000, 1_700_000, 2_480_000, 620_000, 1_400_000, 1_120_000, 280_000, 0)
    assert sorted(
        (row["unit"], row["surplus"], row["surplus_members"], row["surplus_non_members"]) for row in fy.split
    ) == [
        ("Gerai sembako", 100_000, 80_000, 20_000),
        ("Tanpa unit", -1_200_000, -960_000, -240_000),
        ("Unit simpan pinjam", 2_500_000, 2_000_000, 500_000),
    ]
    assert YearLock.objects.filter(cooperative=coop, year=YEAR).count() == 1
    # December is closed again; nothing else can be posted into it.
    assert Period.objects.filter(cooperative=coop, month__year=YEAR, is_closed=True).count() == 12
    event = AuditEvent.objects.get(cooperative=coop, action="shu.year_close")
    assert (event.actor, event.object_id) == (year_books.bendahara, str(fy.pk))
    assert event.data == {
        "year": 2025,
        "entry": entry.number,
        "surplus": 1_400_000,
        "surplus_members": 1_120_000,
        "surplus_non_members": 280_000,
    }
    assert [(row.year, row.is_closed) for row in year_list(cooperative=coop, today=CLOSE_TODAY)] == [
        (2026, False),
        (2025, True),
    ]


def test_after_the_close_the_statements_still_tell_the_year(year_books: Any) -> None:
    coop = year_books.coop
    _close(year_books)
    tb = trial_balance(cooperative=coop, as_of=DEC_31)
    assert not [r for r in tb.rows if r.account.type in ("income", "expense")]
    balances = {r.account.code: (r.debit, r.credit) for r in tb.rows}
    assert balances["3-1610"] == (0, 1_120_000)
    assert balances["3-1620"] == (0, 280_000)
    assert tb.total_debit == tb.total_credit
    statement = income_statement(cooperative=coop, date_from=D(2025, 1, 1), date_to=DEC_31)
    assert (statement.total_income, statement.total_expense, statement.surplus) == (3_100_000, 1_700_000, 1_400_000)
    assert statement.income_by_party == {"anggota": 2_480_000, "non_anggota": 620_000, "lainnya": 0}
    december = income_statement(cooperative=coop, date_from=D(2025, 12, 1), date_to=DEC_31)
    assert (december.total_income, december.total_expense) == (0, 1_200_000)
    sheet = balance_sheet(cooperative=coop, as_of=DEC_31)
    assert sheet.balanced
    assert sheet.totals["shu_current"] == [0, 0]
    later = balance_sheet(cooperative=coop, as_of=D(2026, 1, 31))
    assert later.balanced
    assert later.totals["shu_prior"] == [0, 0]
    assert later.totals["total_equity"][0] == later.totals["total_equity"][1]


def test_a_year_is_closed_once(year_books: Any, closed_year: Any) -> None:
    before = _state(year_books.coop)
    with pytest.raises(Conflict) as caught:
        _close(year_books)
    assert (caught.value.code, caught.value.message) == ("year_already_closed", "Tahun buku 2025 sudah ditutup.")
    assert _state(year_books.coop) == before


def test_a_month_of_a_closed_year_cannot_be_reopened(year_books: Any, closed_year: Any) -> None:
    before = _state(year_books.coop)
    for month in (D(2025, 6, 1), D(2025, 12, 1)):
        with pytest.raises(Conflict) as caught:
            period_reopen_request(cooperative=year_books.coop, month=month, reason="Koreksi", actor=year_books.ketua)
        assert caught.value.code == "year_closed"
    assert _state(year_books.coop) == before


def test_a_year_without_postings_closes_without_an_entry(coop: Any, bendahara: Any) -> None:
    close_months(coop, YEAR, bendahara)
    fy = fiscal_year_close(cooperative=coop, year=YEAR, actor=bendahara, today=CLOSE_TODAY)
    assert (fy.closing_entry, fy.surplus, fy.split) == (None, 0, [])
    assert not JournalEntry.objects.filter(cooperative=coop).exists()
    assert YearLock.objects.filter(cooperative=coop, year=YEAR).exists()


# --- Reopening: ketua and pengawas together ------------------------------------------------------------------


@pytest.mark.parametrize("asker", ["ketua", "pengawas"])
def test_ketua_and_pengawas_reopen_a_year_and_it_closes_again_the_same(
    year_books: Any, closed_year: Any, asker: str
) -> None:
    coop = year_books.coop
    approver = "pengawas" if asker == "ketua" else "ketua"
    request = fiscal_year_reopen_request(
        cooperative=coop, year=YEAR, reason="Salah catat beban listrik", actor=getattr(year_books, asker)
    )
    assert (request.status, request.requested_role) == ("menunggu", asker)
    fy = fiscal_year_reopen_approve(cooperative=coop, request=request, actor=getattr(year_books, approver))
    assert (fy.status, fy.closing_entry, fy.times_reopened) == ("dibuka", None, 1)
    request.refresh_from_db()
    assert (request.status, request.approved_role, request.approved_by) == (
        "disetujui",
        approver,
        getattr(year_books, approver),
    )
    reversal = JournalEntry.objects.get(cooperative=coop, reverses=closed_year.closing_entry)
    assert (reversal.date, reversal.source_type, reversal.amount) == (DEC_31, "year_close", 3_100_000)
    assert _lines(reversal) == sorted((a, u, c, d) for a, u, d, c in CLOSING_LINES)
    assert not YearLock.objects.filter(cooperative=coop).exists()
    assert Period.objects.filter(cooperative=coop, month__year=YEAR, is_closed=True).count() == 12
    tb = {r.account.code: (r.debit, r.credit) for r in trial_balance(cooperative=coop, as_of=DEC_31).rows}
    assert "3-1610" not in tb
    assert tb["4-1200"] == (0, 2_000_000)
    events = AuditEvent.objects.filter(cooperative=coop, action__startswith="shu.year_reopen").order_by("pk")
    assert [(e.action, e.actor) for e in events] == [
        ("shu.year_reopen_request", getattr(year_books, asker)),
        ("shu.year_reopen", getattr(year_books, approver)),
    ]
    assert events[1].data["reversal"] == reversal.number
    assert events[1].data["requested_role"] == asker
    # A month can now be asked for again through the ledger; and the year closes again the same.
    again = _close(year_books)
    assert again.pk == closed_year.pk
    assert (again.status, again.surplus, again.surplus_members, again.surplus_non_members, again.times_reopened) == (
        "ditutup",
        1_400_000,
        1_120_000,
        280_000,
        1,
    )
    assert again.closing_entry.pk not in (closed_year.closing_entry.pk, reversal.pk)
    assert _lines(again.closing_entry) == CLOSING_LINES
    assert income_statement(cooperative=coop, date_from=D(2025, 1, 1), date_to=DEC_31).surplus == 1_400_000


def test_reopening_needs_two_different_people_in_the_two_roles(year_books: Any, closed_year: Any, grant: Any) -> None:
    coop = year_books.coop
    # One person holding both roles cannot ask and approve.
    both = year_books.ketua
    CooperativeRole.objects.create(cooperative=coop, user=both, role=Role.PENGAWAS)
    request = fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Koreksi", actor=both)
    before = _state(coop)
    with pytest.raises(PermissionDenied) as caught:
        fiscal_year_reopen_approve(cooperative=coop, request=request, actor=both)
    assert caught.value.message == "Persetujuan harus dari orang lain (ketua dan pengawas)."
    # A second ketua asked (role ketua): another ketua cannot approve, a pengawas can.
    second_ketua = grant(coop, Role.KETUA, username="ketua-dua")
    with pytest.raises(PermissionDenied):
        fiscal_year_reopen_approve(cooperative=coop, request=request, actor=second_ketua)
    for user in (year_books.bendahara, year_books.kasir):
        with pytest.raises(PermissionDenied):
            fiscal_year_reopen_approve(cooperative=coop, request=request, actor=user)
    assert _state(coop) == before
    fiscal_year_reopen_approve(cooperative=coop, request=request, actor=year_books.pengawas)
    second_pengawas = grant(coop, Role.PENGAWAS, username="pengawas-dua")
    with pytest.raises(Conflict) as caught_again:
        fiscal_year_reopen_approve(cooperative=coop, request=request, actor=second_pengawas)
    assert caught_again.value.code == "reopen_not_pending"


def test_kasir_and_bendahara_cannot_ask_and_a_reason_is_needed(year_books: Any, closed_year: Any) -> None:
    coop = year_books.coop
    before = _state(coop)
    for user in (year_books.kasir, year_books.bendahara):
        with pytest.raises(PermissionDenied) as caught:
            fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Koreksi", actor=user)
        assert caught.value.message == "Membuka kembali tahun buku memerlukan ketua dan pengawas."
    with pytest.raises(ValidationError):
        fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason=" \x00 ", actor=year_books.ketua)
    with pytest.raises(Conflict) as not_closed:
        fiscal_year_reopen_request(cooperative=coop, year=2024, reason="Koreksi", actor=year_books.ketua)
    assert not_closed.value.code == "year_not_closed"
    assert _state(coop) == before
    fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Koreksi", actor=year_books.ketua)
    with pytest.raises(Conflict) as pending:
        fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Lagi", actor=year_books.pengawas)
    assert pending.value.code == "reopen_pending"
    assert FiscalYearReopenRequest.objects.count() == 1


def test_a_distributed_year_cannot_be_reopened(year_books: Any, closed_year: Any) -> None:
    coop = year_books.coop
    pending = fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Koreksi", actor=year_books.ketua)
    shu_approve(
        cooperative=coop,
        year=YEAR,
        rat_date=RAT_DATE,
        decision_number=DECISION,
        actor=year_books.ketua,
        today=CLOSE_TODAY,
    )
    before = _state(coop)
    with pytest.raises(Conflict) as caught:
        fiscal_year_reopen_approve(cooperative=coop, request=pending, actor=year_books.pengawas)
    assert (caught.value.code, caught.value.message) == (
        "shu_already_distributed",
        "SHU tahun 2025 sudah dibagikan; tahun buku itu tidak dapat dibuka kembali.",
    )
    FiscalYearReopenRequest.objects.filter(pk=pending.pk).delete()
    with pytest.raises(Conflict) as asked:
        fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Koreksi", actor=year_books.pengawas)
    assert asked.value.code == "shu_already_distributed"
    assert _state(coop) == before
    assert FiscalYear.objects.get(cooperative=coop).is_closed


def test_another_cooperatives_people_and_requests_are_refused(
    year_books: Any, closed_year: Any, other_coop: Any, grant: Any
) -> None:
    coop = year_books.coop
    outsider_ketua = grant(other_coop, Role.KETUA, username="ketua-lamaru")
    outsider_pengawas = grant(other_coop, Role.PENGAWAS, username="pengawas-lamaru")
    before = _state(coop)
    with pytest.raises(PermissionDenied):
        fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Koreksi", actor=outsider_ketua)
    request = fiscal_year_reopen_request(cooperative=coop, year=YEAR, reason="Koreksi", actor=year_books.ketua)
    with pytest.raises(PermissionDenied):
        fiscal_year_reopen_approve(cooperative=coop, request=request, actor=outsider_pengawas)
    # Approving this cooperative's request "in" the other cooperative: not found there.
    with pytest.raises(NotFound):
        fiscal_year_reopen_approve(cooperative=other_coop, request=request, actor=outsider_pengawas)
    # The other cooperative's year 2025 is not closed (its own, empty).
    with pytest.raises(Conflict) as caught:
        fiscal_year_reopen_request(cooperative=other_coop, year=YEAR, reason="Koreksi", actor=outsider_ketua)
    assert caught.value.code == "year_not_closed"
    assert _state(coop)[:3] == before[:3]
    assert FiscalYear.objects.get(cooperative=coop).is_closed
    assert not FiscalYear.objects.filter(cooperative=other_coop).exists()
