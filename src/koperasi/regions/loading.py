"""Load regions from a CSV of ``code,name`` rows (Kemendagri codes)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from koperasi.core.errors import ValidationError
from koperasi.regions.codes import level_of, parent_of
from koperasi.regions.models import Region

BALIKPAPAN_CSV = Path(__file__).with_name("data") / "balikpapan.csv"


@dataclass(frozen=True)
class LoadResult:
    created: int
    updated: int
    unchanged: int


def regions_load(rows: Iterable[dict[str, str]], *, region_model: type[Region] = Region) -> LoadResult:
    """Create or rename regions from ``code``/``name`` rows, parents before children.

    Raises ValidationError for a malformed code, an empty name, or a parent missing from
    both the rows and the database; nothing is written then.
    """
    wanted: dict[str, str] = {}
    for line_no, row in enumerate(rows, start=2):
        code = (row.get("code") or "").strip()
        name = (row.get("name") or "").strip()
        try:
            level_of(code)
        except ValueError:
            raise ValidationError(
                f"Baris {line_no}: kode wilayah '{code}' tidak valid.", code="region_code_invalid"
            ) from None
        if not name:
            raise ValidationError(f"Baris {line_no}: nama wilayah kosong.", code="region_name_missing")
        wanted[code] = name
    existing = {r.code: r for r in region_model.objects.filter(code__in=wanted)}
    known_parents = set(wanted) | set(
        region_model.objects.filter(code__in={p for c in wanted if (p := parent_of(c))}).values_list("code", flat=True)
    )
    for code in wanted:
        parent = parent_of(code)
        if parent is not None and parent not in known_parents:
            raise ValidationError(f"Wilayah induk '{parent}' untuk '{code}' tidak ada.", code="region_parent_missing")
    created = updated = unchanged = 0
    with transaction.atomic():
        # Sorting by the number of parts puts every parent before its children.
        for code in sorted(wanted, key=lambda c: (c.count("."), c)):
            name = wanted[code]
            current = existing.get(code)
            if current is None:
                region_model.objects.create(code=code, name=name, level=level_of(code).value, parent_id=parent_of(code))
                created += 1
            elif current.name != name:
                current.name = name
                current.save(update_fields=["name"])
                updated += 1
            else:
                unchanged += 1
    return LoadResult(created=created, updated=updated, unchanged=unchanged)


def regions_load_csv(path: Path, *, region_model: type[Region] = Region) -> LoadResult:
    """Load regions from a UTF-8 CSV file with a ``code,name`` header."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        if not reader.fieldnames or not {"code", "name"} <= set(reader.fieldnames):
            raise ValidationError("Berkas CSV harus punya kolom 'code' dan 'name'.", code="region_csv_header")
        return regions_load(list(reader), region_model=region_model)
