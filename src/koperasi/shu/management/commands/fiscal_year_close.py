"""``manage.py fiscal_year_close --coop CODE [CODE ...] | all --year YYYY [--user USERNAME] [--check] [--workers N]``.

The year-end close (tutup buku) of one or more cooperatives, the same as the bendahara's
wizard: ``shu.services.fiscal_year_close``, which runs ``shu.selectors.year_close_blockers``
inside its transaction and refuses while any of them holds.

- Closed: the figures are printed (income, expense, surplus, from members, from
  non-members, the closing entry's number).
- Blocked: every blocker on its own line; nothing is written; the exit status is 1.
- Already closed: reported with its figures and left alone, not an error (DESIGN.md §4
  rule 9: a batch is idempotent, so running it again for every cooperative is safe).
- ``--check``: only lists each cooperative's blockers (or that it can be closed); writes
  nothing; the exit status is 1 if any is blocked.
- ``--coop all``: every cooperative with something posted on or before 31 December of the
  year (one without books has nothing to close). Each cooperative is its own transaction;
  ``--workers`` run that many in parallel threads, each with its own database connection
  (SQLite: one at a time, one writer). A failure is reported and the others go on.

The actor: ``--user`` names the bendahara who asked for the close; the user must hold the
close permission (``Action.SHU_CLOSE``) in each cooperative, is recorded as the year's
``closed_by`` and in the audit log. Without ``--user`` the close is the system's (no user:
``closed_by`` empty, the audit row without an actor), for the operator who runs the batch
at the year's end for every cooperative; the command line is the operator's, and the
checks that matter (every month closed by its bendahara, the ledger verifying) are the
same either way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.models import QuerySet

from koperasi.cooperatives.models import Cooperative
from koperasi.core.access import roles_for
from koperasi.core.errors import Conflict, DomainError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.ledger.models import JournalEntry
from koperasi.shu import selectors, services
from koperasi.shu.models import FiscalYear

ALL = "all"
DEFAULT_WORKERS = 2


@dataclass
class Outcome:
    """What happened to one cooperative."""

    cooperative: Cooperative
    fiscal_year: FiscalYear | None = None
    already_closed: bool = False
    blockers: list[str] = field(default_factory=list)
    error: str = ""

    @property
    def failed(self) -> bool:
        return bool(self.blockers or self.error)


def cooperatives_for(codes: list[str], year: int) -> list[Cooperative]:
    """The cooperatives named by code, or with ``all`` every one with postings up to the year's end.

    Raises CommandError (an unknown code).
    """
    if ALL in codes:
        with_books = JournalEntry.objects.filter(is_posted=True, date__lte=selectors.year_bounds(year)[1]).values(
            "cooperative_id"
        )
        found: QuerySet[Cooperative] = Cooperative.objects.filter(pk__in=with_books).order_by("code")
        return list(found)
    wanted = list(dict.fromkeys(codes))
    by_code = {c.code: c for c in Cooperative.objects.filter(code__in=wanted)}
    missing = [code for code in wanted if code not in by_code]
    if missing:
        raise CommandError(f"Koperasi tidak ditemukan: {', '.join(missing)}.")
    return [by_code[code] for code in wanted]


def user_for(username: str | None) -> Any:
    """The active user named ``username`` (None: the system). Raises CommandError."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"Pengguna '{username}' tidak ditemukan atau tidak aktif.")
    return user


def _closed_fiscal_year(cooperative: Cooperative, year: int) -> FiscalYear | None:
    found = selectors.fiscal_year_get(cooperative=cooperative, year=year)
    return found if found is not None and found.is_closed else None


def run_one(cooperative: Cooperative, year: int, actor: Any, *, check: bool, close_connection: bool) -> Outcome:
    """Check or close one cooperative's year; never raises (the error is in the outcome)."""
    outcome = Outcome(cooperative)
    try:
        if actor is not None and not can(roles_for(actor, cooperative), Action.SHU_CLOSE):
            outcome.error = (
                f"pengguna {actor.get_username()} tidak berwenang menutup buku koperasi ini (hanya bendahara)."
            )
            return outcome
        outcome.fiscal_year = _closed_fiscal_year(cooperative, year)
        if outcome.fiscal_year is not None:
            outcome.already_closed = True
        elif check:
            outcome.blockers = [b.message for b in selectors.year_close_blockers(cooperative=cooperative, year=year)]
        else:
            outcome.fiscal_year = services.fiscal_year_close(cooperative=cooperative, year=year, actor=actor)
    except Conflict as exc:
        if exc.code == "year_close_blocked":
            outcome.blockers = [b["message"] for b in (exc.detail or {}).get("blockers", [])] or [exc.message]
        elif exc.code == "year_already_closed":  # closed by someone else meanwhile
            outcome.fiscal_year, outcome.already_closed = _closed_fiscal_year(cooperative, year), True
        else:
            outcome.error = exc.message
    except DomainError as exc:
        outcome.error = exc.message
    except Exception as exc:  # a batch reports every cooperative's failure and goes on
        outcome.error = f"kesalahan tak terduga: {type(exc).__name__}: {exc}"
    finally:
        if close_connection:
            connection.close()  # this thread's own connection
    return outcome


def run_all(
    cooperatives: list[Cooperative],
    year: int,
    actor: Any,
    *,
    check: bool,
    workers: int,
    report: Callable[[int, Outcome], None],
) -> list[Outcome]:
    """Run every cooperative, ``workers`` at a time (1 on SQLite); call ``report`` as each finishes."""
    if connection.vendor == "sqlite" or len(cooperatives) <= 1:
        workers = 1  # one writer on SQLite; one cooperative needs no thread of its own
    outcomes = []
    if workers <= 1:
        for index, cooperative in enumerate(cooperatives, start=1):
            outcome = run_one(cooperative, year, actor, check=check, close_connection=False)
            outcomes.append(outcome)
            report(index, outcome)
        return outcomes
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="fiscal-year-close") as pool:
        futures = [pool.submit(run_one, c, year, actor, check=check, close_connection=True) for c in cooperatives]
        for index, future in enumerate(as_completed(futures), start=1):
            outcome = future.result()
            outcomes.append(outcome)
            report(index, outcome)
    return outcomes


def figure_lines(fiscal_year: FiscalYear) -> list[str]:
    """The close's figures, one per line, amounts aligned."""
    entry = fiscal_year.closing_entry
    rows = [
        ("Pendapatan", format_rupiah(fiscal_year.total_income)),
        ("Beban", format_rupiah(fiscal_year.total_expense)),
        ("SHU", format_rupiah(fiscal_year.surplus)),
        ("  dari anggota", format_rupiah(fiscal_year.surplus_members)),
        ("  dari bukan anggota", format_rupiah(fiscal_year.surplus_non_members)),
        ("Jurnal penutup", entry.number if entry is not None else "tidak ada (tanpa pendapatan dan beban)"),
    ]
    width = max(len(label) for label, _ in rows)
    return [f"    {label:<{width}}  {value}" for label, value in rows]


class Command(BaseCommand):
    help = (
        "Tutup buku tahunan: pendapatan dan beban ke SHU tahun berjalan (anggota / bukan anggota), "
        "tahun dikunci. Tahun yang sudah ditutup dilaporkan dan dilewati."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--coop",
            action="extend",
            nargs="+",
            required=True,
            metavar="KODE",
            help="Kode koperasi (boleh beberapa), atau 'all': semua koperasi yang punya jurnal sampai akhir tahun itu.",
        )
        parser.add_argument("--year", type=int, required=True, help="Tahun buku, mis. 2025.")
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="Bendahara yang meminta tutup buku (dicatat); tanpa ini tutup buku oleh sistem.",
        )
        parser.add_argument(
            "--check", action="store_true", help="Hanya periksa apa yang menghalangi; tidak menulis apa pun."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=f"Koperasi yang diproses bersamaan (bawaan {DEFAULT_WORKERS}; SQLite selalu 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"]
        try:
            year = services.year_check(year)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        check = options["check"]
        if options["workers"] < 1:
            raise CommandError("--workers paling sedikit 1.")
        actor = user_for(options["user"])
        cooperatives = cooperatives_for(options["coop"], year)
        total = len(cooperatives)
        started = time.perf_counter()

        def report(index: int, outcome: Outcome) -> None:
            self._report(f"[{index}/{total}] {outcome.cooperative.code}:", year, outcome, check=check)

        outcomes = run_all(cooperatives, year, actor, check=check, workers=options["workers"], report=report)
        failed = [o.cooperative.code for o in outcomes if o.failed]
        seconds = f"{time.perf_counter() - started:.2f}".replace(".", ",")
        if failed:
            verb = "belum dapat ditutup" if check else "gagal ditutup"
            raise CommandError(f"{len(failed)} dari {total} koperasi {verb}: {', '.join(failed)}.")
        closed = sum(1 for o in outcomes if not o.already_closed)
        already = total - closed
        done = "siap ditutup" if check else "ditutup"
        self.stdout.write(
            self.style.SUCCESS(
                f"Selesai: {total} koperasi, {closed} {done}, {already} sudah ditutup sebelumnya, {seconds} s."
            )
        )

    def _report(self, prefix: str, year: int, outcome: Outcome, *, check: bool) -> None:
        if outcome.error:
            self.stderr.write(f"{prefix} GAGAL — {outcome.error}")
        elif outcome.blockers:
            self.stderr.write(f"{prefix} tutup buku {year} belum dapat dilakukan:")
            for message in outcome.blockers:
                self.stderr.write(f"    - {message}")
        elif outcome.already_closed and outcome.fiscal_year is not None:
            self.stdout.write(f"{prefix} tahun buku {year} sudah ditutup sebelumnya; dilewati.")
            for line in figure_lines(outcome.fiscal_year):
                self.stdout.write(line)
        elif check:
            self.stdout.write(f"{prefix} tahun buku {year} siap ditutup; tidak ada yang menghalangi.")
        elif outcome.fiscal_year is not None:
            self.stdout.write(f"{prefix} tahun buku {year} ditutup.")
            for line in figure_lines(outcome.fiscal_year):
                self.stdout.write(line)
