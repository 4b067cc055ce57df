"""``manage.py wajib_bills_issue --month YYYY-MM [--coop CODE]``: the month's simpanan wajib bills.

Per cooperative, one after the other (run several processes with ``--coop`` to go in
parallel). Idempotent: a member already billed for the month is skipped, so a second run
issues nothing. A cooperative that fails is reported and the others go on; the exit
status is 1 if any failed.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from koperasi.core.errors import DomainError
from koperasi.savings import services
from koperasi.savings.management.commands.savings_interest import cooperatives_for, parse_month


class Command(BaseCommand):
    help = "Terbitkan tagihan simpanan wajib satu bulan untuk setiap anggota aktif tiap koperasi."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="Bulan tagihan, TTTT-BB (mis. 2026-03).")
        parser.add_argument("--coop", help="Kode koperasi; tanpa ini semua koperasi.")

    def handle(self, *args: Any, **options: Any) -> None:
        month = parse_month(options["month"])
        cooperatives = cooperatives_for(options["coop"])
        failed = []
        issued_total = 0
        for index, cooperative in enumerate(cooperatives, start=1):
            code = cooperative.code
            try:
                issued = services.wajib_bills_issue(cooperative=cooperative, month=month, actor=None)
            except DomainError as exc:
                failed.append(code)
                self.stderr.write(f"[{index}/{len(cooperatives)}] {code}: GAGAL — {exc.message}")
                continue
            issued_total += issued
            note = "" if issued else " (semua anggota aktif sudah ditagih)"
            self.stdout.write(f"[{index}/{len(cooperatives)}] {code}: {issued} tagihan baru {month:%Y-%m}{note}")
        if failed:
            raise CommandError(f"{len(failed)} dari {len(cooperatives)} koperasi gagal: {', '.join(failed)}.")
        self.stdout.write(self.style.SUCCESS(f"Selesai: {issued_total} tagihan baru di {len(cooperatives)} koperasi."))
