"""Importing members from Excel/CSV: the template, reading a file, checking rows, writing them once.

A cooperative that already keeps its members in a spreadsheet downloads the template
(:func:`import_template_xlsx` or :func:`import_template_csv`), fills it and uploads it.
:func:`import_parse` reads the file without touching the database; :func:`import_check`
judges every row (the same checks as a registration, ``validation.member_data_check``)
in a constant number of queries and says, per row, "valid", "already registered" or
"refused" with every reason; :func:`members_import` writes the valid rows in ONE
transaction when the user confirms.

Re-running an import never duplicates: a row whose NIK is already a current member (calon
or aktif) of the cooperative is skipped with its member number, in the check and again
inside the writing transaction (a registration may have happened in between).

Between the preview and the confirmation the uploaded bytes wait in a file named by their
SHA-256 under ``VAR_DIR/imports`` (:func:`upload_store`), shared by every web worker: the
confirmation reads them back and checks everything again rather than trusting the browser.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, ValidationError
from koperasi.members.choices import CURRENT_STATUSES, Gender, MemberStatus
from koperasi.members.identity import nik_mask
from koperasi.members.models import Member, MemberStatusChange
from koperasi.members.services import member_number_next
from koperasi.members.validation import MemberData, member_data_check
from koperasi.regions.models import VILLAGE_LEVELS, Region

# Columns of the template, in order, and the MemberData field each one fills.
TEMPLATE_COLUMNS = (
    "nik",
    "kk",
    "nama",
    "tempat_lahir",
    "alamat",
    "kode_kelurahan",
    "no_hp",
    "pekerjaan",
    "tanggal_masuk",
)
FIELD_OF_COLUMN = {
    "nik": "nik",
    "kk": "kk",
    "nama": "name",
    "tempat_lahir": "birth_place",
    "alamat": "address",
    "kode_kelurahan": "kelurahan_code",
    "no_hp": "phone",
    "pekerjaan": "occupation",
    "tanggal_masuk": "joined_on",
}
REQUIRED_COLUMNS = ("nik", "kk", "nama", "alamat")
TEXT_COLUMNS = ("nik", "kk", "kode_kelurahan", "no_hp")  # formatted as Text in the template
# Other spellings people give the same columns (compared without case, spaces, _ . - /).
COLUMN_ALIASES = {
    "nik": ("nik", "noktp", "nomornik"),
    "kk": ("kk", "nokk", "nomorkk", "nomorkartukeluarga"),
    "nama": ("nama", "namalengkap", "name"),
    "tempat_lahir": ("tempatlahir", "birthplace"),
    "alamat": ("alamat", "address"),
    "kode_kelurahan": ("kodekelurahan", "kodekelurahandesa", "kodedesa", "kelurahancode"),
    "no_hp": ("nohp", "hp", "nomorhp", "notelp", "telepon", "phone"),
    "pekerjaan": ("pekerjaan", "occupation"),
    "tanggal_masuk": ("tanggalmasuk", "tglmasuk", "joinedon"),
}
SHEET_TITLE = "Anggota"
INSTRUCTIONS_TITLE = "Petunjuk"
EXAMPLE_NIK = "6471045708900001"
EXAMPLE_NAME = "Siti Aminah (contoh)"
MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000  # filled data rows
MAX_COLUMNS = 40  # columns read per row
HEADER_SEARCH_ROWS = 10  # the header may sit below a title row or two
MAX_SHEET_ROWS = 200_000  # rows read at all (blank ones included)
CHUNK = 900  # values per ``__in`` query (SQLite allows 999 parameters)
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
UPLOAD_MAX_AGE = 60 * 60  # seconds a stored upload waits for its confirmation
EXTENSIONS = (".xlsx", ".csv")


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", ".")


INSTRUCTIONS = (
    ("nik", "wajib", "NIK 16 angka sesuai KTP. Format kolom sebagai Teks agar Excel tidak mengubah angkanya."),
    ("kk", "wajib", "Nomor Kartu Keluarga 16 angka. Format kolom sebagai Teks."),
    ("nama", "wajib", "Nama lengkap sesuai KTP."),
    ("tempat_lahir", "boleh kosong", "Kota/kabupaten tempat lahir."),
    ("alamat", "wajib", "Jalan, nomor rumah, RT/RW."),
    (
        "kode_kelurahan",
        "boleh kosong",
        "Kode Kemendagri kelurahan/desa tempat tinggal, mis. 64.71.01.1001. Kosong = kelurahan koperasi.",
    ),
    ("no_hp", "boleh kosong", "Nomor HP, mis. 0812-3456-7890 (disimpan sebagai +62…). Format kolom sebagai Teks."),
    ("pekerjaan", "boleh kosong", "Pekerjaan anggota."),
    (
        "tanggal_masuk",
        "boleh kosong",
        "Tanggal mendaftar, DD/MM/YYYY (mis. 05/01/2026). Kosong = tanggal impor. Tidak boleh di masa depan.",
    ),
)
NOTES = (
    "Petunjuk pengisian templat impor anggota",
    "",
    "1. Isi satu anggota per baris pada lembar 'Anggota', mulai baris 2. Jangan mengubah judul kolom di baris 1.",
    f"2. Baris contoh ({EXAMPLE_NAME}) boleh ditimpa atau dihapus; bila dibiarkan, baris itu dilewati.",
    "3. Kolom NIK, KK, kode kelurahan dan nomor HP harus berformat Teks. Bila NIK terlanjur menjadi angka "
    "(mis. 6,47104E+15), digit terakhirnya hilang: format kolom sebagai Teks lalu ketik ulang NIK-nya.",
    "4. Jenis kelamin dan tanggal lahir tidak perlu diisi: keduanya dibaca dari NIK.",
    "5. Setiap baris diperiksa. Baris yang ditolak ditampilkan beserta alasannya; baris yang benar baru "
    "disimpan setelah Anda menekan tombol Simpan.",
    "6. NIK yang sudah terdaftar sebagai anggota koperasi ini dilewati, jadi berkas yang sama boleh diimpor "
    "ulang tanpa membuat anggota ganda. Anggota baru berstatus calon anggota sampai simpanan pokok dibayar.",
    f"7. Paling banyak {_thousands(MAX_ROWS)} baris per berkas (.xlsx atau .csv).",
    "",
)


# --- template -----------------------------------------------------------------------------
def _example_row(kelurahan_code: str) -> list[Any]:
    return [
        EXAMPLE_NIK,
        "6471041201150002",
        EXAMPLE_NAME,
        "Balikpapan",
        "Jl. Mulawarman No. 5 RT 03",
        kelurahan_code,
        "0812-3456-7890",
        "Pedagang",
        "05/01/2026",
    ]


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
    sheet.append(_example_row(kelurahan_code))
    widths = {"nik": 20, "kk": 20, "nama": 30, "tempat_lahir": 16, "alamat": 40, "kode_kelurahan": 16}
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        dimension = sheet.column_dimensions[letter]
        dimension.width = widths.get(column, 16)
        if column in TEXT_COLUMNS:
            dimension.number_format = "@"  # new cells typed in the column stay text
            sheet.cell(row=2, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(INSTRUCTIONS_TITLE)
    for line in NOTES:
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append(["Kolom", "Isian", "Keterangan"])
    for cell in notes[notes.max_row]:
        cell.font = Font(bold=True)
    for row in INSTRUCTIONS:
        notes.append(list(row))
        notes.cell(row=notes.max_row, column=3).alignment = Alignment(wrap_text=True)
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 14
    notes.column_dimensions["C"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_template_csv(*, kelurahan_code: str = "") -> bytes:
    """Return the .csv template (UTF-8 with BOM, semicolons as Indonesian Excel expects): header + example."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(TEMPLATE_COLUMNS)
    writer.writerow(_example_row(kelurahan_code))
    return buffer.getvalue().encode("utf-8-sig")


# --- parsing ------------------------------------------------------------------------------
_UNREADABLE = "Berkas tidak dapat dibaca. Unggah berkas Excel (.xlsx) atau CSV yang dibuat dari templat impor anggota."


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError.for_field("file", message, code=code)


def _header_key(value: Any) -> str:
    return re.sub(r"[\s_.\-/]", "", str(value or "")).lower()


_ALIAS_TO_COLUMN = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
RowReader = Callable[[Callable[[str], Any]], dict[str, Any]]  # a row's cell by column -> its fields
TableReader = Callable[[Iterable[Sequence[Any]]], list[dict[str, Any]]]  # a sheet's rows -> parsed rows


def _columns(header: Sequence[Any], aliases: Mapping[str, str]) -> dict[str, int]:
    """Map template column -> index for the header cells it recognises (``aliases``: alias -> column; first wins)."""
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        column = aliases.get(_header_key(value))
        if column and column not in found:
            found[column] = index
    return found


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return str(value).strip()


_SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE]\+?\d+$")


def _lost_digits(label: str, shown: str) -> str:
    return (
        f"{label} tersimpan sebagai angka ({shown}) sehingga digit terakhirnya hilang (Excel hanya menyimpan "
        f"15 digit). Format kolom {label} sebagai Teks, lalu ketik ulang {label}-nya."
    )


def _identity_number(value: Any, label: str) -> tuple[str, str]:
    """A NIK/KK cell -> (text, problem).

    A number cell is read back as its digits only when it is exact: an integer not ending
    in 0. Excel keeps 15 significant digits, so a 16-digit number it saved always ends in
    0 and may not be the number typed; a decimal or exponent form has lost digits for sure.
    """
    if isinstance(value, bool):
        return "", f"{label} harus 16 angka."
    if isinstance(value, int):
        digits = str(value)
        if len(digits) == 16 and digits.endswith("0"):
            return "", _lost_digits(label, digits)
        return digits, ""
    if isinstance(value, float):
        return "", _lost_digits(label, f"{value:.6g}")
    text = _text(value)
    if _SCIENTIFIC.match(text):
        return "", _lost_digits(label, text)
    return text, ""


def _joined_on(value: Any) -> Any:
    """A date cell, text, or an Excel day number (a date cell without its date format)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        try:
            return from_excel(value).date()
        except (ValueError, OverflowError):
            return _text(value)
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    return _text(value)


def _row(row_no: int, values: Sequence[Any], columns: dict[str, int], read_row: RowReader) -> dict[str, Any]:
    def cell(column: str) -> Any:
        index = columns.get(column)
        return values[index] if index is not None and index < len(values) else None

    problems: dict[str, list[str]] = {}
    nik, problem = _identity_number(cell("nik"), "NIK")
    if problem:
        problems["nik"] = [problem]
    kk, problem = _identity_number(cell("kk"), "No. KK")
    if problem:
        problems["kk"] = [problem]
    return {"row_no": row_no, "nik": nik, "kk": kk, **read_row(cell), "problems": problems}


def _member_fields(cell: Callable[[str], Any]) -> dict[str, Any]:
    return {
        "name": _text(cell("nama")),
        "birth_place": _text(cell("tempat_lahir")),
        "address": _text(cell("alamat")),
        "kelurahan_code": _text(cell("kode_kelurahan")),
        "phone": _text(cell("no_hp")),
        "occupation": _text(cell("pekerjaan")),
        "joined_on": _joined_on(cell("tanggal_masuk")),
    }


def _too_many() -> ValidationError:
    return _file_error(
        f"Berkas berisi lebih dari {_thousands(MAX_ROWS)} baris anggota; bagi menjadi beberapa berkas.",
        "import_too_many_rows",
    )


def _is_example(row: dict[str, Any]) -> bool:
    return re.sub(r"\D", "", row["nik"]) == EXAMPLE_NIK and row["name"] == EXAMPLE_NAME


def table_rows(
    table: Iterable[Sequence[Any]],
    *,
    aliases: Mapping[str, str],
    required: Sequence[str],
    read_row: RowReader,
    max_rows: int,
    too_many: Callable[[], ValidationError],
) -> tuple[list[dict[str, Any]] | None, list[str]]:
    """Find the header, then read every non-blank row after it (row numbers as in the sheet).

    The header is the first of the first ``HEADER_SEARCH_ROWS`` rows naming every ``required``
    column (``aliases``: a spelling, as ``_header_key`` makes it, -> column). Each row is
    ``row_no``, ``nik``, ``kk`` (a number Excel rounded is a reason in ``problems``), the
    fields ``read_row`` reads from the row's cells by column, and ``problems``; the
    template's example row is skipped. Used by the member and the recipient import.

    Returns ``(rows, [])``, or ``(None, missing)`` when no header was found: the required
    columns absent from the row with a nik column that named the most. Raises ``too_many()``
    past ``max_rows`` rows or ``MAX_SHEET_ROWS`` rows read.
    """
    columns: dict[str, int] | None = None
    best: dict[str, int] = {}
    rows: list[dict[str, Any]] = []
    for row_no, values in enumerate(table, start=1):
        if columns is None:
            found = _columns(values, aliases)
            if "nik" in found and len(found) > len(best):
                best = found
            if all(c in found for c in required):
                columns = found
            elif row_no >= HEADER_SEARCH_ROWS:
                break
            continue
        if row_no > MAX_SHEET_ROWS:
            raise too_many()
        if all(_blank(v) for v in values):
            continue
        row = _row(row_no, values, columns, read_row)
        if _is_example(row):
            continue
        rows.append(row)
        if len(rows) > max_rows:
            raise too_many()
    if columns is None:
        return None, [c for c in required if c not in best]
    return rows, []


def _rows_from(table: Iterable[Sequence[Any]]) -> list[dict[str, Any]]:
    rows, missing = table_rows(
        table,
        aliases=_ALIAS_TO_COLUMN,
        required=REQUIRED_COLUMNS,
        read_row=_member_fields,
        max_rows=MAX_ROWS,
        too_many=_too_many,
    )
    if rows is None:
        raise _file_error(
            f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Baris judul harus berisi kolom "
            f"{', '.join(TEMPLATE_COLUMNS)} seperti pada templat.",
            "import_columns_missing",
        )
    if not rows:
        raise _file_error("Berkas tidak berisi baris anggota (hanya judul kolom).", "import_empty")
    return rows


def _xlsx_table(content: bytes, sheet_title: str, read: TableReader, unreadable: str) -> list[dict[str, Any]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # not a zip, not a workbook, damaged: all the same to the user
        raise _file_error(unreadable, "import_file_unreadable") from None
    try:
        sheet = workbook[sheet_title] if sheet_title in workbook.sheetnames else workbook.worksheets[0]
        return read(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
    except ValidationError:
        raise
    except Exception:  # a damaged workbook can fail anywhere while reading cells
        raise _file_error(unreadable, "import_file_unreadable") from None
    finally:
        workbook.close()


def _csv_table(content: bytes, unreadable: str) -> list[list[str]]:
    if b"\x00" in content:
        raise _file_error(unreadable, "import_file_unreadable")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")  # Excel on Windows saves CSV in the ANSI code page
        except UnicodeDecodeError:
            raise _file_error(unreadable, "import_file_unreadable") from None
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    try:
        return [row[:MAX_COLUMNS] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error:  # e.g. a field longer than the csv module allows
        raise _file_error(unreadable, "import_file_unreadable") from None


def table_parse(
    filename: str, content: bytes, *, read: TableReader, sheet_title: str, unreadable: str
) -> list[dict[str, Any]]:
    """Read an uploaded .xlsx (the sheet ``sheet_title``, else the first) or .csv (``,`` ``;`` or tab) with ``read``.

    No database access. Raises ValidationError (field ``file``): an unknown extension, a file
    larger than ``MAX_BYTES``, an unreadable one (``unreadable`` says what to upload), and
    whatever ``read`` raises.
    """
    extension = Path(filename or "").suffix.lower()
    if extension not in EXTENSIONS:
        raise _file_error("Jenis berkas tidak dikenali: unggah berkas .xlsx atau .csv.", "import_file_type")
    if len(content) > MAX_BYTES:
        raise _file_error(f"Berkas terlalu besar (paling besar {MAX_BYTES // (1024 * 1024)} MB).", "import_file_large")
    if extension == ".csv":
        return read(_csv_table(content, unreadable))
    return _xlsx_table(content, sheet_title, read, unreadable)


def import_parse(filename: str, content: bytes) -> list[dict[str, Any]]:
    """Read an uploaded .xlsx or .csv into rows (dicts of MemberData fields + ``row_no`` + ``problems``).

    No database access. The header row (in the first rows) is matched by name without case,
    spaces or underscores; blank rows and the template's example row are skipped. A NIK/KK
    that Excel stored as a decimal number is refused on its row (``problems``). Raises
    ValidationError (field ``file``) for an unknown extension, an unreadable or too large
    file, missing required columns (named), no rows, or more than ``MAX_ROWS`` rows.
    """
    return table_parse(filename, content, read=_rows_from, sheet_title=SHEET_TITLE, unreadable=_UNREADABLE)


# --- checking -----------------------------------------------------------------------------
VALID, REGISTERED, REFUSED = "valid", "registered", "refused"
_FIELD_ORDER = ("nik", "kk", "name", "birth_place", "address", "kelurahan_code", "phone", "occupation", "joined_on")


@dataclass
class RowCheck:
    """One row's verdict: ``data`` when valid; ``problems`` per field when refused."""

    row_no: int
    name: str
    nik: str  # the 16 digits when the cell held a NIK-shaped number, else ""
    data: MemberData | None = None
    problems: dict[str, list[str]] = field(default_factory=dict)
    member_no: int | None = None  # the existing member with this NIK

    @property
    def status(self) -> str:
        if self.member_no is not None:
            return REGISTERED
        return VALID if self.data is not None and not self.problems else REFUSED

    @property
    def reasons(self) -> list[str]:
        """Every reason, in column order."""
        order = {name: i for i, name in enumerate(_FIELD_ORDER)}
        return [r for f in sorted(self.problems, key=lambda f: order.get(f, 99)) for r in self.problems[f]]

    @property
    def note(self) -> str:
        return f"sudah terdaftar (no. {self.member_no:05d})" if self.member_no is not None else ""

    @property
    def nik_masked(self) -> str:
        return nik_mask(self.nik)

    @property
    def gender_label(self) -> str:
        return str(Gender(self.data.gender).label) if self.data is not None else ""


@dataclass
class ImportCheck:
    """Every row's verdict, in file order."""

    rows: list[RowCheck]

    def _with(self, status: str) -> list[RowCheck]:
        return [r for r in self.rows if r.status == status]

    @property
    def valid(self) -> list[RowCheck]:
        return self._with(VALID)

    @property
    def registered(self) -> list[RowCheck]:
        return self._with(REGISTERED)

    @property
    def refused(self) -> list[RowCheck]:
        return self._with(REFUSED)

    @property
    def valid_data(self) -> list[MemberData]:
        return [r.data for r in self.rows if r.status == VALID and r.data is not None]


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _village_codes(codes: Iterable[str]) -> set[str]:
    """Which of ``codes`` are kelurahan/desa (one query per CHUNK codes)."""
    wanted = sorted({c for c in codes if c})
    found: set[str] = set()
    for chunk in _chunks(wanted):
        found.update(Region.objects.filter(code__in=chunk, level__in=VILLAGE_LEVELS).values_list("code", flat=True))
    return found


def member_numbers_current(*, cooperative: Cooperative, niks: Iterable[str]) -> dict[str, int]:
    """Return NIK -> member number of those ``niks`` that are current members (one query per CHUNK)."""
    wanted = sorted(set(niks))
    found: dict[str, int] = {}
    for chunk in _chunks(wanted):
        found.update(
            Member.objects.filter(cooperative=cooperative, status__in=CURRENT_STATUSES, nik__in=chunk)
            .order_by()
            .values_list("nik", "member_no")
        )
    return found


def _nik_key(row: dict[str, Any], data: MemberData | None) -> str:
    if data is not None:
        return data.nik
    digits = re.sub(r"[\s.\-]", "", str(row.get("nik") or ""))
    return digits if len(digits) == 16 and digits.isdigit() else ""


def import_check(*, cooperative: Cooperative, rows: Sequence[dict[str, Any]], today: datetime.date) -> ImportCheck:
    """Judge every parsed row; return each one's verdict (valid, already registered, refused with reasons).

    A row gets every reason ``member_data_check`` gives (kelurahan defaults to the
    cooperative's), plus "NIK sama dengan baris N" when an earlier row has its NIK. A NIK
    that is already a current member of the cooperative is not an error: the row is
    skipped with the member's number. Queries: one per ``CHUNK`` distinct kelurahan codes and
    NIKs, whatever the number of rows.
    """
    default_kelurahan = cooperative.kelurahan_id
    villages = _village_codes([default_kelurahan, *(str(r.get("kelurahan_code") or "") for r in rows)])
    checked: list[tuple[dict[str, Any], MemberData | None, dict[str, list[str]], str]] = []
    for row in rows:
        data, problems = member_data_check(
            row, today=today, kelurahan_codes=villages, default_kelurahan=default_kelurahan
        )
        parse_problems = row.get("problems") or {}
        if parse_problems:  # the reader's reason replaces "NIK wajib diisi" for a lost number
            problems = {**problems, **parse_problems}
            data = None
        checked.append((row, data, problems, _nik_key(row, data)))
    existing = member_numbers_current(cooperative=cooperative, niks=[key for *_, key in checked if key])
    first_row: dict[str, int] = {}
    results: list[RowCheck] = []
    for row, data, problems, key in checked:
        row_no = int(row.get("row_no") or 0)
        result = RowCheck(row_no=row_no, name=str(row.get("name") or ""), nik=key, data=data, problems=problems)
        if key and key in first_row:
            result.data = None
            result.problems = {
                **problems,
                "nik": [*problems.get("nik", []), f"NIK sama dengan baris {first_row[key]}."],
            }
        elif key:
            first_row[key] = row_no
            if key in existing:
                result.member_no = existing[key]
        results.append(result)
    return ImportCheck(rows=results)


# --- writing ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: members created (numbers first..last) and rows skipped."""

    created: int
    skipped: int
    first_no: int | None
    last_no: int | None
    batch_id: str


def members_import(
    *, cooperative: Cooperative, rows: Sequence[MemberData], actor: Any, batch_id: str, file_name: str = ""
) -> ImportResult:
    """Register checked rows (``import_check(...).valid_data``) as calon anggota with consecutive numbers.

    One transaction: the cooperative row is locked, NIKs that became current members since
    the check (or repeat within ``rows``) are skipped, the rest are written with their
    registration in the status history and ``import_batch=batch_id``, and ONE audit row
    records the import. Raises ValidationError (``import_empty``: no rows, or too many) and
    Conflict (``member_import_conflict``: the members changed while writing; run it again).
    """
    if not rows:
        raise ValidationError("Tidak ada baris valid untuk disimpan.", code="import_empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(f"Paling banyak {_thousands(MAX_ROWS)} baris per impor.", code="import_too_many_rows")
    created_by_id = getattr(actor, "pk", None)
    try:
        with transaction.atomic():
            next_no = member_number_next(cooperative)  # locks the cooperative row
            taken = member_numbers_current(cooperative=cooperative, niks=[r.nik for r in rows])
            fresh: list[MemberData] = []
            for data in rows:
                if data.nik not in taken:
                    taken[data.nik] = 0
                    fresh.append(data)
            members = [
                Member(  # ids, not objects: the related-field descriptors cost more than the rest
                    cooperative_id=cooperative.pk,
                    member_no=next_no + i,
                    status=MemberStatus.CALON,
                    import_batch=batch_id[:64],
                    created_by_id=created_by_id,
                    nik=d.nik,
                    kk=d.kk,
                    name=d.name,
                    gender=d.gender,
                    birth_date=d.birth_date,
                    birth_place=d.birth_place,
                    address=d.address,
                    kelurahan_id=d.kelurahan_code,
                    phone=d.phone,
                    occupation=d.occupation,
                    joined_on=d.joined_on,
                )
                for i, d in enumerate(fresh)
            ]
            Member.objects.bulk_create(members)
            if members and any(m.pk is None for m in members):  # a backend without RETURNING
                ids = dict(
                    Member.objects.filter(cooperative=cooperative, member_no__gte=next_no).values_list(
                        "member_no", "pk"
                    )
                )
                for member in members:
                    member.pk = ids[member.member_no]
            MemberStatusChange.objects.bulk_create(
                MemberStatusChange(
                    cooperative_id=cooperative.pk,
                    member_id=member.pk,
                    from_status="",
                    to_status=MemberStatus.CALON,
                    date=member.joined_on,
                    reason="Impor anggota",
                    changed_by_id=created_by_id,
                )
                for member in members
            )
            result = ImportResult(
                created=len(members),
                skipped=len(rows) - len(members),
                first_no=next_no if members else None,
                last_no=next_no + len(members) - 1 if members else None,
                batch_id=batch_id,
            )
            audit_record(
                actor=actor,
                action="member.import",
                cooperative=cooperative,
                data={
                    "created": result.created,
                    "skipped": result.skipped,
                    "first_no": result.first_no,
                    "last_no": result.last_no,
                    "batch_id": batch_id,
                    "file_name": file_name[:200],
                },
            )
    except IntegrityError:  # a NIK or number taken by a write that did not wait for our lock
        raise Conflict(
            "Data anggota berubah selama impor; tidak ada yang disimpan. Ulangi impor.",
            code="member_import_conflict",
        ) from None
    return result


# --- the upload between preview and confirmation ------------------------------------------
_KEY = re.compile(r"^[0-9a-f]{64}$")


def _upload_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


def _upload_path(key: str, extension: str) -> Path | None:
    if not _KEY.match(key or "") or extension not in EXTENSIONS:
        return None
    return _upload_dir() / f"{key}{extension}"


def upload_key(content: bytes) -> str:
    """Return the file's SHA-256 (hex): its key in the store and the import's batch id."""
    return hashlib.sha256(content).hexdigest()


def upload_store(content: bytes, extension: str) -> str:
    """Keep an uploaded file until its confirmation; return its key. Older leftovers are removed."""
    directory = _upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - UPLOAD_MAX_AGE
    for old in directory.iterdir():
        try:
            if old.stat().st_mtime < cutoff:
                old.unlink()
        except OSError:
            continue
    key = upload_key(content)
    path = _upload_path(key, extension)
    if path is None:
        raise _file_error("Jenis berkas tidak dikenali: unggah berkas .xlsx atau .csv.", "import_file_type")
    temporary = path.with_suffix(path.suffix + ".part")
    temporary.write_bytes(content)
    temporary.replace(path)  # atomic: a reader never sees half a file
    return key


def upload_load(key: str, extension: str) -> bytes | None:
    """Return the stored file, or None when it is gone, expired or not the file the key names."""
    path = _upload_path(key, extension)
    if path is None:
        return None
    try:
        if path.stat().st_mtime < time.time() - UPLOAD_MAX_AGE:
            return None
        content = path.read_bytes()
    except OSError:
        return None
    return content if upload_key(content) == key else None


def upload_discard(key: str, extension: str) -> None:
    """Remove a stored file (after its import)."""
    path = _upload_path(key, extension)
    if path is not None:
        path.unlink(missing_ok=True)
