"""``manage.py loans_month_end --date YYYY-MM-DD [--coop CODE ...] [--workers N]``: the loans month-end.

For every cooperative that has disbursed loans (or the ones named): penalties up to the
date, days past due and collectibility, and the allowance (PPAP) posted to the required
amount (``loans.month_end``). Cooperatives run in parallel threads, each with its own
database connection, closed when its work is done; SQLite runs one at a time (one writer).
Idempotent: a cooperative already run for the date is reported and left alone. A
cooperative that fails is reported and the others go on; the exit status is 1 if any failed.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import DomainError
from koperasi.core.money import format_rupiah
from koperasi.loans.models import Loan, LoanMonthEnd
from koperasi.loans.month_end import loans_month_end

DEFAULT_WORKERS = 2


def parse_date(value: str) -> datetime.date:
    """``"2026-10-31"`` -> ``date(2026, 10, 31)``. Raises CommandError."""
    try:
        return datetime.date.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"Tanggal '{value}' tidak valid; tulis sebagai TTTT-BB-HH, mis. 2026-10-31.") from None


def cooperatives_for(codes: list[str] | None) -> list[Cooperative]:
    """The cooperatives named by code, or every cooperative with disbursed loans. Raises CommandError."""
    if codes:
        found = {c.code: c for c in Cooperative.objects.filter(code__in=codes)}
        missing = [code for code in dict.fromkeys(codes) if code not in found]
        if missing:
            raise CommandError(f"Koperasi tidak ditemukan: {', '.join(missing)}.")
        return [found[code] for code in dict.fromkeys(codes)]
    with_loans = Loan.objects.exclude(disbursed_on=None).values("cooperative_id")
    return list(Cooperative.objects.filter(pk__in=with_loans).order_by("code"))


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _seconds(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + " s"


@dataclass
class Outcome:
    cooperative: Cooperative
    run: LoanMonthEnd | None = None
    skipped: bool = False
    error: str = ""
    seconds: float = 0.0


def run_one(cooperative: Cooperative, date: datetime.date, *, close_connection: bool) -> Outcome:
    """Run one cooperative's month-end; never raises (the error is in the outcome)."""
    started = time.perf_counter()
    outcome = Outcome(cooperative)
    try:
        outcome.run = LoanMonthEnd.objects.filter(cooperative=cooperative, date=date).first()
        if outcome.run is not None:
            outcome.skipped = True
        else:
            outcome.run = loans_month_end(cooperative=cooperative, date=date, actor=None)
    except DomainError as exc:
        outcome.error = exc.message
    except Exception as exc:  # a batch reports every cooperative's failure and goes on
        outcome.error = f"kesalahan tak terduga: {type(exc).__name__}: {exc}"
    finally:
        if close_connection:
            connection.close()  # this thread's own connection
    outcome.seconds = time.perf_counter() - started
    return outcome


def run_all(
    cooperatives: list[Cooperative],
    date: datetime.date,
    workers: int,
    report: Callable[[int, Outcome], None],
) -> list[Outcome]:
    """Run every cooperative, ``workers`` at a time (1 on SQLite); call ``report`` as each finishes."""
    if connection.vendor == "sqlite":
        workers = 1
    outcomes = []
    if workers <= 1:
        for index, cooperative in enumerate(cooperatives, start=1):
            outcome = run_one(cooperative, date, close_connection=False)
            outcomes.append(outcome)
            report(index, outcome)
        return outcomes
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="loans-month-end") as pool:
        futures = [pool.submit(run_one, c, date, close_connection=True) for c in cooperatives]
        for index, future in enumerate(as_completed(futures), start=1):
            outcome = future.result()
            outcomes.append(outcome)
            report(index, outcome)
    return outcomes


class Command(BaseCommand):
    help = (
        "Tutup bulan pinjaman: denda, hari tunggakan, kolektibilitas dan PPAP tiap koperasi "
        "(sekali per tanggal; koperasi diproses paralel)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", required=True, help="Tanggal tutup bulan, TTTT-BB-HH (mis. 2026-10-31).")
        parser.add_argument(
            "--coop", action="extend", nargs="+", metavar="KODE", help="Kode koperasi; tanpa ini semua koperasi."
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=DEFAULT_WORKERS,
            help=f"Koperasi yang diproses bersamaan (bawaan {DEFAULT_WORKERS}; SQLite selalu 1).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        date = parse_date(options["date"])
        workers = options["workers"]
        if workers < 1:
            raise CommandError("--workers paling sedikit 1.")
        cooperatives = cooperatives_for(options["coop"])
        total = len(cooperatives)
        started = time.perf_counter()

        def report(index: int, outcome: Outcome) -> None:
            code, run = outcome.cooperative.code, outcome.run
            prefix = f"[{index}/{total}] {code}:"
            if outcome.error:
                self.stderr.write(f"{prefix} GAGAL — {outcome.error}")
            elif outcome.skipped and run is not None:
                self.stdout.write(
                    f"{prefix} tutup bulan {date:%d/%m/%Y} sudah dijalankan sebelumnya "
                    f"({_number(run.loans_classified)} pinjaman, PPAP {format_rupiah(run.allowance_required)}); "
                    "dilewati."
                )
            elif run is not None:
                self.stdout.write(
                    f"{prefix} {_number(run.loans_classified)} pinjaman, "
                    f"PPAP {format_rupiah(run.allowance_required)} "
                    f"(sebelumnya {format_rupiah(run.allowance_before)}), "
                    f"denda {format_rupiah(run.penalty_accrued)}, {_seconds(outcome.seconds)}"
                )

        outcomes = run_all(cooperatives, date, workers, report)
        failed = sorted(o.cooperative.code for o in outcomes if o.error)
        if failed:
            raise CommandError(f"{len(failed)} dari {total} koperasi gagal: {', '.join(failed)}.")
        runs = [o.run for o in outcomes if o.run is not None]
        self.stdout.write(
            self.style.SUCCESS(
                f"Selesai: {total} koperasi, {_number(sum(r.loans_classified for r in runs))} pinjaman, "
                f"PPAP {format_rupiah(sum(r.allowance_required for r in runs))}, "
                f"{_seconds(time.perf_counter() - started)}."
            )
        )
