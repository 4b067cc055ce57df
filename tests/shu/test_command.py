"""``manage.py fiscal_year_close``: blockers and exit status, the figures, idempotent reruns, the actor.

The books are ``tests/shu/conftest.py``'s Manggar 2025: income Rp3.100.000, expense
Rp1.700.000, surplus Rp1.400.000 = from members Rp1.120.000 + from non-members Rp280.000.
The year 2025 is over whatever today is, so the command runs with the real date. Several
cooperatives run with ``--workers 1``: a worker thread's own connection would not see the
test's uncommitted rows on PostgreSQL.
"""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, YearLock
from koperasi.ledger.services import ByRole, LineInput, journal_post
from koperasi.shu.models import FiscalYear
from tests.shu.conftest import EXPECTED, YEAR, YearBooks, close_months, post_books_2025, register_three

pytestmark = pytest.mark.django_db

FIGURES = [
    "    Pendapatan            Rp 3.100.000",
    "    Beban                 Rp 1.700.000",
    "    SHU                   Rp 1.400.000",
    "      dari anggota        Rp 1.120.000",
    "      dari bukan anggota  Rp 280.000",
]


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("fiscal_year_close", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(*args: str) -> tuple[str, str, str]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("fiscal_year_close", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), str(failed.value)


def written() -> tuple[int, int, int, int]:
    return (
        FiscalYear.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.count(),
        YearLock.objects.count(),
    )


@pytest.fixture
def december_open(
    coop: Any, register_member: Any, admin_user: Any, bendahara: Any, kasir: Any, ketua: Any, pengawas: Any
) -> YearBooks:
    """Manggar's 2025 books with January–November closed and December still open."""
    members = register_three(coop, register_member)
    post_books_2025(coop, members=members, bendahara=bendahara, kasir=kasir, admin=admin_user, close=False)
    close_months(coop, YEAR, bendahara, months=range(1, 12))
    budi, siti, agus = members
    return YearBooks(coop, budi, siti, agus, bendahara, ketua, pengawas, kasir)


def test_blocked_close_lists_every_blocker_exits_1_and_writes_nothing(december_open: YearBooks) -> None:
    # Something posted in 2024 too, and 2024 never closed: years close in order.
    journal_post(
        cooperative=december_open.coop,
        date=datetime.date(2024, 12, 20),
        lines=[LineInput(account=ByRole("cash"), debit=10_000), LineInput(account=ByRole("grants"), credit=10_000)],
        memo="Sumbangan pendiri",
        actor=december_open.bendahara,
    )
    before = written()

    out, err, message = run_failing("--coop", "manggar", "--year", "2025", "--user", "bendahara-manggar")

    assert message == "1 dari 1 koperasi gagal ditutup: manggar."
    assert err.splitlines() == [
        "[1/1] manggar: tutup buku 2025 belum dapat dilakukan:",
        "    - Tahun buku 2024 belum ditutup; tutup buku tahun itu lebih dulu.",
        "    - Bulan yang belum ditutup: 12/2025.",
    ]
    assert out == ""
    assert written() == before
    assert not FiscalYear.objects.exists()


def test_close_prints_the_figures_and_records_the_bendahara(year_books: YearBooks) -> None:
    entries = JournalEntry.objects.count()
    last_audit = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    out, err = run("--coop", "manggar", "--year", "2025", "--user", "bendahara-manggar")

    fiscal_year = FiscalYear.objects.select_related("closing_entry").get(cooperative=year_books.coop, year=YEAR)
    assert fiscal_year.closing_entry is not None
    lines = out.splitlines()
    assert lines[:7] == [
        "[1/1] manggar: tahun buku 2025 ditutup.",
        *FIGURES,
        f"    Jurnal penutup        {fiscal_year.closing_entry.number}",
    ]
    assert lines[7].startswith("Selesai: 1 koperasi, 1 ditutup, 0 sudah ditutup sebelumnya, ")
    assert err == ""
    assert (fiscal_year.is_closed, fiscal_year.closed_by, fiscal_year.surplus_members) == (
        True,
        year_books.bendahara,
        EXPECTED.surplus_members,
    )
    assert fiscal_year.closing_entry.date == datetime.date(2025, 12, 31)
    assert YearLock.objects.filter(cooperative=year_books.coop, year=YEAR).count() == 1
    assert JournalEntry.objects.count() == entries + 1
    audit = AuditEvent.objects.get(pk__gt=last_audit)
    assert (audit.action, audit.actor) == ("shu.year_close", year_books.bendahara)


def test_second_run_reports_the_year_as_already_closed(year_books: YearBooks) -> None:
    run("--coop", "manggar", "--year", "2025")
    before = written()

    out, err = run("--coop", "manggar", "--year", "2025")

    lines = out.splitlines()
    assert lines[0] == "[1/1] manggar: tahun buku 2025 sudah ditutup sebelumnya; dilewati."
    assert lines[1:6] == FIGURES
    assert lines[7].startswith("Selesai: 1 koperasi, 0 ditutup, 1 sudah ditutup sebelumnya, ")
    assert err == ""
    assert written() == before


def test_without_user_the_system_closes(year_books: YearBooks) -> None:
    run("--coop", "manggar", "--year", "2025")

    fiscal_year = FiscalYear.objects.get(cooperative=year_books.coop, year=YEAR)
    assert fiscal_year.is_closed and fiscal_year.closed_by is None
    assert AuditEvent.objects.get(action="shu.year_close").actor is None


def test_check_lists_blockers_and_writes_nothing(december_open: YearBooks) -> None:
    before = written()

    _, err, message = run_failing("--coop", "manggar", "--year", "2025", "--check")

    assert message == "1 dari 1 koperasi belum dapat ditutup: manggar."
    assert err.splitlines() == [
        "[1/1] manggar: tutup buku 2025 belum dapat dilakukan:",
        "    - Bulan yang belum ditutup: 12/2025.",
    ]
    assert written() == before


def test_check_of_a_ready_year_closes_nothing(year_books: YearBooks) -> None:
    before = written()

    out, _ = run("--coop", "manggar", "--year", "2025", "--check")

    assert out.splitlines()[0] == "[1/1] manggar: tahun buku 2025 siap ditutup; tidak ada yang menghalangi."
    assert out.splitlines()[1].startswith("Selesai: 1 koperasi, 1 siap ditutup, 0 sudah ditutup sebelumnya, ")
    assert written() == before


@pytest.mark.parametrize("who", ["kasir", "ketua", "other_bendahara"])
def test_a_user_who_may_not_close_is_refused(year_books: YearBooks, grant: Any, other_coop: Any, who: str) -> None:
    username = {
        "kasir": year_books.kasir.username,
        "ketua": year_books.ketua.username,
        "other_bendahara": grant(other_coop, Role.BENDAHARA).username,  # Lamaru's bendahara
    }[who]
    before = written()

    _, err, message = run_failing("--coop", "manggar", "--year", "2025", "--user", username)

    assert err.splitlines() == [
        f"[1/1] manggar: GAGAL — pengguna {username} tidak berwenang menutup buku koperasi ini (hanya bendahara)."
    ]
    assert message == "1 dari 1 koperasi gagal ditutup: manggar."
    assert written() == before


def test_all_closes_each_cooperative_with_books_and_reports_each(
    year_books: YearBooks, other_coop: Any, register_coop: Any, grant: Any
) -> None:
    # Lamaru posted in 2025 but closed no month; Teritip has no books and is not listed.
    register_coop("teritip", "64.71.01.1003")
    journal_post(
        cooperative=other_coop,
        date=datetime.date(2025, 11, 3),
        lines=[LineInput(account=ByRole("cash"), debit=500_000), LineInput(account=ByRole("grants"), credit=500_000)],
        memo="Hibah",
        actor=grant(other_coop, Role.BENDAHARA),
    )

    out, err, message = run_failing("--coop", "all", "--year", "2025", "--workers", "1")

    assert message == "1 dari 2 koperasi gagal ditutup: lamaru."
    assert err.splitlines()[0] == "[1/2] lamaru: tutup buku 2025 belum dapat dilakukan:"
    # Its books start in November: the months before have nothing to close.
    assert err.splitlines()[1] == "    - Bulan yang belum ditutup: 11/2025, 12/2025."
    assert out.splitlines()[0] == "[2/2] manggar: tahun buku 2025 ditutup."
    assert list(FiscalYear.objects.values_list("cooperative__code", "year")) == [("manggar", 2025)]

    # Again: Manggar is reported, not closed twice; Lamaru still blocked.
    out, err, _ = run_failing("--coop", "all", "--year", "2025", "--workers", "1")
    assert out.splitlines()[0] == "[2/2] manggar: tahun buku 2025 sudah ditutup sebelumnya; dilewati."
    assert JournalEntry.objects.filter(source_type="year_close").count() == 1


def test_bad_arguments_are_refused(year_books: YearBooks) -> None:
    before = written()
    with pytest.raises(CommandError, match=r"^Koperasi tidak ditemukan: tidak-ada\.$"):
        run("--coop", "manggar", "tidak-ada", "--year", "2025")
    with pytest.raises(CommandError, match=r"^Pengguna 'siapa' tidak ditemukan atau tidak aktif\.$"):
        run("--coop", "manggar", "--year", "2025", "--user", "siapa")
    with pytest.raises(CommandError, match=r"^Tahun buku harus antara 1900 dan 2999\.$"):
        run("--coop", "manggar", "--year", "20251")
    assert written() == before
