"""Pure rules on Kemendagri region codes (domain.md §9, §9.1)."""

from __future__ import annotations

import re

from koperasi.regions.models import Level

_CODE_RE = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


def level_of(code: str) -> Level:
    """Return the level a well-formed code denotes; raise ValueError for a malformed one.

    Kota codes run 71–99 in the second part, kabupaten 01–69; a village part starting with
    1 is a kelurahan, with 2 a desa.
    """
    if not _CODE_RE.match(code):
        raise ValueError(f"kode wilayah tidak valid: {code!r}")
    parts = code.split(".")
    if len(parts) == 1:
        return Level.PROVINSI
    if len(parts) == 2:
        return Level.KOTA if int(parts[1]) >= 71 else Level.KABUPATEN
    if len(parts) == 3:
        return Level.KECAMATAN
    return Level.KELURAHAN if parts[3].startswith("1") else Level.DESA


def parent_of(code: str) -> str | None:
    """Return the code of the enclosing region, or None for a province."""
    return code.rsplit(".", 1)[0] if "." in code else None
