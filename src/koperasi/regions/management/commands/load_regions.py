"""``manage.py load_regions FILE.csv``: add or rename regions from a Kemendagri CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from koperasi.core.errors import DomainError
from koperasi.regions.loading import regions_load_csv


class Command(BaseCommand):
    help = "Muat wilayah (kode Kemendagri) dari berkas CSV dengan kolom code,name."

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)

    def handle(self, *args, csv_path: Path, **options):
        if not csv_path.exists():
            raise CommandError(f"Berkas tidak ditemukan: {csv_path}")
        try:
            result = regions_load_csv(csv_path)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Wilayah: {result.created} baru, {result.updated} diubah, {result.unchanged} tetap.")
