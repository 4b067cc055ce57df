"""``manage.py ledger_verify [--coop CODE]``: check the books of one or every cooperative."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from koperasi.cooperatives.models import Cooperative
from koperasi.ledger.verify import ledger_verify


class Command(BaseCommand):
    help = "Periksa buku besar: keseimbangan tiap jurnal, rantai hash, dan saldo akun = jumlah baris."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--coop", help="Kode koperasi; tanpa ini semua koperasi diperiksa.")

    def handle(self, *args: Any, **options: Any) -> None:
        cooperatives = Cooperative.objects.order_by("code")
        if options["coop"]:
            cooperatives = cooperatives.filter(code=options["coop"])
            if not cooperatives.exists():
                raise CommandError(f"Koperasi '{options['coop']}' tidak ditemukan.")
        broken = 0
        total = cooperatives.count()
        for index, cooperative in enumerate(cooperatives, start=1):
            result = ledger_verify(cooperative=cooperative)
            status = "OK" if result.ok else "RUSAK"
            self.stdout.write(
                f"[{index}/{total}] {cooperative.code}: {status} — {result.entries_checked} jurnal, "
                f"{result.lines_checked} baris"
            )
            if not result.ok:
                broken += 1
                if result.first_broken_seq is not None:
                    self.stdout.write(f"  jurnal rusak pertama: JU-{result.first_broken_seq:06d}")
                for problem in result.problems:
                    self.stdout.write(f"  - {problem}")
        if broken:
            raise CommandError(f"{broken} dari {total} koperasi memiliki buku yang rusak.")
        self.stdout.write(self.style.SUCCESS(f"Semua {total} buku koperasi utuh."))
