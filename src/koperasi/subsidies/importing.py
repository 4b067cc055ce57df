"""Importing recipients from Excel/CSV: the template, reading a file, checking rows, writing them once.

A pangkalan that already keeps its households in a spreadsheet downloads the template
(:func:`import_template_xlsx`), fills it and uploads it. :func:`import_parse` reads the file
without touching the database; :func:`import_check` judges every row with the same check as
the form and the API (``validation.recipient_data_check``), plus a NIK repeated in the file
or already registered here, in a constant number of queries; :func:`recipients_import`
writes the valid rows in ONE transaction when the user confirms, checking everything again.

The file reading (CSV dialects, the header among the first rows, NIKs Excel turned into
numbers, date cells, the example row) and the store that keeps the upload between the check
and the confirmation are the member import's (``members.importing.table_parse``,
``table_rows``); only the columns differ.
"""

from __future__ import annotations

import datetime
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, ValidationError
from koperasi.members.identity import nik_mask
from koperasi.members.importing import (
    EXAMPLE_NAME,
    EXAMPLE_NIK,
    EXTENSIONS,
    MAX_BYTES,
    XLSX_CONTENT_TYPE,
    _chunks,
    _joined_on,
    _text,
    _village_codes,
    table_parse,
    table_rows,
)
from koperasi.members.models import Member
from koperasi.subsidies.models import Recipient
from koperasi.subsidies.validation import RecipientData, recipient_data_check

__all__ = ["EXTENSIONS", "MAX_BYTES", "XLSX_CONTENT_TYPE"]

# Columns of the template, in order, and the recipient field each one fills.
TEMPLATE_COLUMNS = (
    "nik",
    "kk",
    "nama",
    "kategori",
    "nib",
    "nama_usaha",
    "alamat",
    "telepon",
    "kode_kelurahan",
    "tanggal_daftar",
)
FIELD_OF_COLUMN = {
    "nik": "nik",
    "kk": "kk",
    "nama": "name",
    "kategori": "category",
    "nib": "nib",
    "nama_usaha": "business_name",
    "alamat": "address",
    "telepon": "phone",
    "kode_kelurahan": "kelurahan_code",
    "tanggal_daftar": "registered_on",
}
REQUIRED_COLUMNS = ("nik", "kk", "nama", "kategori")
TEXT_COLUMNS = ("nik", "kk", "nib", "telepon", "kode_kelurahan")  # formatted as Text in the template
# Other spellings people give the same columns (compared without case, spaces, _ . - /).
COLUMN_ALIASES = {
    "nik": ("nik", "noktp", "nomornik"),
    "kk": ("kk", "nokk", "nomorkk", "nomorkartukeluarga"),
    "nama": ("nama", "namalengkap", "name"),
    "kategori": ("kategori", "kategoripenerima", "category"),
    "nib": ("nib", "nomorindukberusaha"),
    "nama_usaha": ("namausaha", "usaha", "businessname"),
    "alamat": ("alamat", "address"),
    "telepon": ("telepon", "notelp", "nohp", "hp", "nomorhp", "phone"),
    "kode_kelurahan": ("kodekelurahan", "kodekelurahandesa", "kodedesa", "kelurahancode"),
    "tanggal_daftar": ("tanggaldaftar", "tgldaftar", "registeredon"),
}
_ALIAS_TO_COLUMN = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
SHEET_TITLE = "Penerima"
MAX_ROWS = 10_000  # filled data rows per file
FIELD_ORDER = tuple(FIELD_OF_COLUMN.values())

NOTES = (
    "Petunjuk pengisian templat impor penerima barang bersubsidi",
    "",
    "1. Isi satu penerima per baris pada lembar 'Penerima', mulai baris 2. Jangan mengubah judul kolom di baris 1.",
    f"2. Baris contoh ({EXAMPLE_NAME}) boleh ditimpa atau dihapus; bila dibiarkan, baris itu dilewati.",
    "3. Wajib: nik dan kk (16 angka, format kolom sebagai Teks), nama, kategori (rumah_tangga, usaha_mikro, "
    "petani atau nelayan). Usaha mikro wajib mengisi nib (13 angka dari OSS).",
    "4. Boleh kosong: nama_usaha, alamat, telepon, kode_kelurahan (kode Kemendagri, mis. 64.71.01.1001) dan "
    "tanggal_daftar (DD/MM/YYYY; kosong = tanggal impor).",
    "5. Setiap baris diperiksa. NIK yang sama dua kali dalam berkas, atau yang sudah terdaftar sebagai penerima, "
    "ditolak. Baris yang benar baru disimpan setelah Anda menekan tombol Impor.",
    f"6. Paling banyak {MAX_ROWS:,} baris per berkas (.xlsx atau .csv).".replace(",", "."),
)

_UNREADABLE = "Berkas tidak dapat dibaca. Unggah berkas Excel (.xlsx) atau CSV yang dibuat dari templat impor penerima."


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError.for_field("file", message, code=code)


# --- template -----------------------------------------------------------------------------
def import_template_xlsx(*, kelurahan_code: str = "") -> bytes:
    """Return the .xlsx template: the header row, one example row and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    sheet.append(list(TEMPLATE_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
    sheet.append(
        [
            EXAMPLE_NIK,
            "6471041201150002",
            EXAMPLE_NAME,
            "rumah_tangga",
            "",
            "",
            "Jl. Mulawarman No. 5 RT 03",
            "0812-3456-7890",
            kelurahan_code,
            "05/01/2026",
        ]
    )
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        dimension = sheet.column_dimensions[get_column_letter(index)]
        dimension.width = {"nama": 30, "alamat": 40, "nik": 20, "kk": 20}.get(column, 16)
        if column in TEXT_COLUMNS:
            dimension.number_format = "@"  # new cells typed in the column stay text
            sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("Petunjuk")
    for line in NOTES:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)
    notes.column_dimensions["A"].width = 120
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- parsing ------------------------------------------------------------------------------
def _recipient_fields(cell: Callable[[str], Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {
        FIELD_OF_COLUMN[column]: _text(cell(column))
        for column in ("nama", "kategori", "nib", "nama_usaha", "alamat", "telepon", "kode_kelurahan")
    }
    fields["registered_on"] = _joined_on(cell("tanggal_daftar"))
    return fields


def _too_many() -> ValidationError:
    return _file_error(
        f"Berkas berisi lebih dari {MAX_ROWS:,} baris penerima; bagi menjadi beberapa berkas.".replace(",", "."),
        "import_too_many_rows",
    )


def _rows_from(table: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    rows, _missing = table_rows(
        table,
        aliases=_ALIAS_TO_COLUMN,
        required=REQUIRED_COLUMNS,
        read_row=_recipient_fields,
        max_rows=MAX_ROWS,
        too_many=_too_many,
    )
    if rows is None:
        raise _file_error(
            f"Kolom wajib tidak ditemukan. Baris judul harus berisi kolom {', '.join(REQUIRED_COLUMNS)} "
            f"(lengkapnya: {', '.join(TEMPLATE_COLUMNS)}) seperti pada templat.",
            "import_columns_missing",
        )
    if not rows:
        raise _file_error("Berkas tidak berisi baris penerima (hanya judul kolom).", "import_empty")
    return rows


def import_parse(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Read an uploaded .xlsx or .csv (``,`` ``;`` or tab separated) into rows of recipient fields.

    Each row is a dict of the fields ``recipient_data_check`` reads plus ``row_no`` (as in the
    sheet) and ``problems`` (a NIK/KK Excel turned into a number). No database access. Raises
    ValidationError (field ``file``): unknown extension, unreadable or too large file, missing
    required columns, no rows, more than ``MAX_ROWS`` rows.
    """
    return table_parse(filename, content, read=_rows_from, sheet_title=SHEET_TITLE, unreadable=_UNREADABLE)


# --- checking -----------------------------------------------------------------------------
@dataclass
class RowCheck:
    """One row's verdict: ``data`` when it may be imported, else ``problems`` per field."""

    row_no: int
    data: RecipientData | None
    problems: dict[str, list[str]] = field(default_factory=dict)
    nik_masked: str = ""
    name: str = ""

    @property
    def ok(self) -> bool:
        return self.data is not None and not self.problems

    @property
    def reasons(self) -> list[str]:
        """Every problem, in column order."""
        order = {name: i for i, name in enumerate(FIELD_ORDER)}
        return [r for f in sorted(self.problems, key=lambda f: order.get(f, 99)) for r in self.problems[f]]


@dataclass
class ImportCheck:
    """Every row's verdict, in file order."""

    rows: list[RowCheck]

    @property
    def valid(self) -> list[RowCheck]:
        return [r for r in self.rows if r.ok]

    @property
    def refused(self) -> list[RowCheck]:
        return [r for r in self.rows if not r.ok]


def _nik_key(row: dict[str, Any], data: RecipientData | None) -> str:
    if data is not None:
        return data.nik
    digits = re.sub(r"[\s.\-]", "", str(row.get("nik") or ""))
    return digits if len(digits) == 16 and digits.isdigit() else ""


def registered_names(*, cooperative: Cooperative, niks: Iterable[str]) -> dict[str, str]:
    """Return NIK -> name of those ``niks`` already registered as recipients here (one query per chunk)."""
    found: dict[str, str] = {}
    for chunk in _chunks(sorted(set(niks))):
        found.update(
            Recipient.objects.filter(cooperative=cooperative, nik__in=chunk).order_by().values_list("nik", "name")
        )
    return found


def import_check(*, cooperative: Cooperative, rows: Sequence[dict[str, Any]], today: datetime.date) -> ImportCheck:
    """Judge every parsed row: ``recipient_data_check``, a NIK repeated in the file, a NIK already registered.

    Queries: one per ``CHUNK`` distinct kelurahan codes and NIKs, whatever the number of rows.
    """
    villages = _village_codes(str(r.get("kelurahan_code") or "") for r in rows)
    checked: list[tuple[dict[str, Any], RecipientData | None, dict[str, list[str]], str]] = []
    for row in rows:
        data, problems = recipient_data_check(row, today=today, kelurahan_codes=villages)
        if row.get("problems"):  # the reader's reason replaces "NIK wajib diisi" for a lost number
            problems = {**problems, **row["problems"]}
            data = None
        checked.append((row, data, problems, _nik_key(row, data)))
    registered = registered_names(cooperative=cooperative, niks=[key for *_, key in checked if key])
    first_row: dict[str, int] = {}
    results: list[RowCheck] = []
    for row, data, problems, key in checked:
        row_no = int(row.get("row_no") or 0)
        extra: list[str] = []
        if key in first_row:
            extra.append(f"NIK sama dengan baris {first_row[key]}.")
        elif key:
            first_row[key] = row_no
            if key in registered:
                extra.append(f"NIK sudah terdaftar sebagai penerima atas nama {registered[key]}.")
        if extra:
            problems = {**problems, "nik": [*problems.get("nik", []), *extra]}
            data = None
        results.append(
            RowCheck(
                row_no=row_no,
                data=data,
                problems=problems,
                nik_masked=nik_mask(key or str(row.get("nik") or "")),
                name=str(row.get("name") or ""),
            )
        )
    return ImportCheck(rows=results)


# --- writing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: recipients created, rows not imported, and every row's verdict."""

    created: int
    skipped: int
    rows: list[RowCheck]


def _member_ids(cooperative: Cooperative, niks: Sequence[str]) -> dict[str, int]:
    """NIK -> the newest member of this cooperative with that NIK (one query per chunk)."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(niks))):
        rows = Member.objects.filter(cooperative=cooperative, nik__in=chunk).order_by("pk").values_list("nik", "pk")
        found.update(rows)  # ascending pk: the newest member of a NIK wins
    return found


def recipients_import(
    *,
    cooperative: Cooperative,
    rows: Sequence[dict[str, Any]],
    actor: Any,
    today: datetime.date | None = None,
    file_name: str = "",
) -> ImportResult:
    """Register the valid rows of a parsed file (``import_parse``) in ONE transaction, with one audit row.

    Every row is checked again (a NIK may have been registered since the preview); members
    with the same NIK are linked. A constant number of queries whatever the number of rows.
    Raises ValidationError (``import_empty``: no valid row; ``import_too_many_rows``) and
    Conflict (``recipient_import_conflict``: a NIK was registered while writing; run it again).
    """
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            f"Paling banyak {MAX_ROWS:,} baris per impor.".replace(",", "."), code="import_too_many_rows"
        )
    created_by_id = getattr(actor, "pk", None)
    try:
        with transaction.atomic():
            check = import_check(cooperative=cooperative, rows=rows, today=today or timezone.localdate())
            valid = [r.data for r in check.valid if r.data is not None]
            if not valid:
                raise ValidationError("Tidak ada baris valid untuk disimpan.", code="import_empty")
            members = _member_ids(cooperative, [d.nik for d in valid])
            Recipient.objects.bulk_create(
                [
                    Recipient(  # ids, not objects: no query and no descriptor work per row
                        cooperative_id=cooperative.pk,
                        nik=d.nik,
                        kk=d.kk,
                        name=d.name,
                        category=d.category,
                        nib=d.nib,
                        business_name=d.business_name,
                        address=d.address,
                        phone=d.phone,
                        kelurahan_id=d.kelurahan_code or None,
                        member_id=members.get(d.nik),
                        registered_on=d.registered_on,
                        created_by_id=created_by_id,
                    )
                    for d in valid
                ]
            )
            result = ImportResult(created=len(valid), skipped=len(rows) - len(valid), rows=check.rows)
            audit_record(
                actor=actor,
                action="subsidies.recipient.import",
                cooperative=cooperative,
                data={
                    "created": result.created,
                    "skipped": result.skipped,
                    "members_linked": sum(1 for d in valid if d.nik in members),
                    "file_name": file_name[:200],
                },
            )
    except IntegrityError:  # a NIK registered by a write that committed after our check
        raise Conflict(
            "Data penerima berubah selama impor; tidak ada yang disimpan. Ulangi impor.",
            code="recipient_import_conflict",
        ) from None
    return result
