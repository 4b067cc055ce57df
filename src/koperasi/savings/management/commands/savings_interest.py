"""``manage.py savings_interest --month YYYY-MM [--coop CODE]``: month-end interest on simpanan sukarela.

Per cooperative, one after the other (run several processes with ``--coop`` to go in
parallel). Idempotent: a month already paid is reported and left alone. A cooperative
that fails is reported and the others go on; the exit status is 1 if any failed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import DomainError
from koperasi.core.money import format_rupiah
from koperasi.savings import selectors, services


def parse_month(value: str) -> datetime.date:
    """``"2026-03"`` -> ``date(2026, 3, 1)``. Raises CommandError."""
    try:
        year, month = value.strip().split("-")
        return datetime.date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"Bulan '{value}' tidak valid; tulis sebagai TTTT-BB, mis. 2026-03.")


def cooperatives_for(code: str | None) -> list[Cooperative]:
    """Every cooperative by code, or the one named. Raises CommandError."""
    cooperatives = Cooperative.objects.order_by("code")
    if code:
        cooperatives = cooperatives.filter(code=code)
        if not cooperatives.exists():
            raise CommandError(f"Koperasi '{code}' tidak ditemukan.")
    return list(cooperatives)


class Command(BaseCommand):
    help = "Hitung dan bukukan bunga simpanan sukarela satu bulan untuk tiap koperasi (sekali per bulan)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="Bulan bunga, TTTT-BB (mis. 2026-03).")
        parser.add_argument("--coop", help="Kode koperasi; tanpa ini semua koperasi.")

    def handle(self, *args: Any, **options: Any) -> None:
        month = parse_month(options["month"])
        cooperatives = cooperatives_for(options["coop"])
        failed = []
        for cooperative in cooperatives:
            code = cooperative.code
            done = selectors.interest_run_get(cooperative=cooperative, month=month)
            if done is not None:
                self.stdout.write(
                    f"{code}: bunga {month:%Y-%m} sudah dibukukan sebelumnya "
                    f"({done.accounts_paid} rekening, {format_rupiah(done.total_interest)}); dilewati."
                )
                continue

            def progress(processed: int, total: int, code: str = code) -> None:
                self.stdout.write(f"{code}: {processed}/{total} rekening")

            try:
                run = services.interest_month_post(cooperative=cooperative, month=month, actor=None, progress=progress)
            except DomainError as exc:
                failed.append(code)
                self.stderr.write(f"{code}: GAGAL — {exc.message}")
                continue
            self.stdout.write(
                f"{code}: bunga {month:%Y-%m} dibukukan — {run.accounts_paid} rekening, "
                f"total {format_rupiah(run.total_interest)}"
            )
        if failed:
            raise CommandError(f"{len(failed)} dari {len(cooperatives)} koperasi gagal: {', '.join(failed)}.")
        self.stdout.write(self.style.SUCCESS(f"Selesai: {len(cooperatives)} koperasi."))
