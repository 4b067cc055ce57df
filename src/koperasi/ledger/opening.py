"""Opening balances (saldo awal): the Excel template, reading it, and posting it once.

A cooperative that starts using the system mid-life brings its balances as of a cut-over
date. The bendahara downloads :func:`opening_balance_template` (every active leaf
account, empty Debit / Kredit columns), fills it, uploads it; :func:`opening_balance_parse`
reads the file without touching the database; :func:`opening_balance_check` judges the rows
against the chart (for the preview); :func:`opening_balance_import` judges them again and
posts them as ONE balanced journal entry (source ``opening_balance``, idempotency key
``saldo-awal``), so a file is imported entirely or not at all, and only once.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.db import transaction
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger import selectors
from koperasi.ledger.models import Account, JournalEntry, LedgerHead
from koperasi.ledger.services import MAX_AMOUNT, LineInput, journal_post

OPENING_KEY = "saldo-awal"
OPENING_SOURCE = "opening_balance"
SHEET_TITLE = "Saldo awal"
DATE_LABEL = "Tanggal saldo awal"
HEADER_CODE = "Kode akun"
HEADER_NAME = "Nama akun"
HEADER_SIDE = "Saldo normal"
HEADER_DEBIT = "Debit"
HEADER_CREDIT = "Kredit"
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000  # filled rows
MAX_SHEET_ROWS = 20000  # rows read at all (blank ones included)
HEADER_SEARCH_ROWS = 30
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

INSTRUCTIONS = (
    "Petunjuk pengisian:",
    "1. Isi tanggal saldo awal (tanggal mulai memakai sistem, mis. 31/12/2025) di sel B3.",
    "2. Isi saldo setiap akun per tanggal itu pada kolom Debit ATAU Kredit (tidak keduanya), "
    "dalam rupiah bulat tanpa desimal.",
    "3. Akun bersaldo normal debit (aset, beban) biasanya diisi di kolom Debit; akun bersaldo normal "
    "kredit (kewajiban, ekuitas, pendapatan) di kolom Kredit.",
    "4. Biarkan kosong akun yang tidak bersaldo. Jangan mengubah kolom Kode akun.",
    "5. Jumlah Debit harus sama dengan jumlah Kredit. Saldo awal hanya dapat diimpor satu kali.",
)


@dataclass
class OpeningRow:
    """One row of the file: the Excel row number, the account code and its balance."""

    row_no: int
    code: str
    name: str = ""
    debit: int = 0
    credit: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class ParsedOpening:
    """What the file says, before the chart has judged it."""

    date: datetime.date | None
    rows: list[OpeningRow]
    problems: list[str] = field(default_factory=list)  # about the file as a whole (e.g. no date)

    @property
    def total_debit(self) -> int:
        return sum(r.debit for r in self.rows)

    @property
    def total_credit(self) -> int:
        return sum(r.credit for r in self.rows)

    @property
    def ok(self) -> bool:
        return not self.problems and not any(r.problems for r in self.rows)


# --- template -----------------------------------------------------------------------------
def opening_balance_template(cooperative: Cooperative) -> bytes:
    """Return the .xlsx template: a date cell and every active leaf account with empty amounts."""
    accounts = [a for a in selectors.account_list(cooperative=cooperative) if not a.is_group and a.is_active]
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = SHEET_TITLE
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="FFF2CC")
    sheet.append([f"Saldo awal — {cooperative.name} ({cooperative.code})"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    sheet.append([DATE_LABEL, None, "format: DD/MM/YYYY"])
    sheet["A3"].font = bold
    sheet["B3"].number_format = "DD/MM/YYYY"
    sheet["B3"].fill = fill
    sheet.append([])
    for line in INSTRUCTIONS:
        sheet.append([line])
    sheet.append([])
    sheet.append([HEADER_CODE, HEADER_NAME, HEADER_SIDE, HEADER_DEBIT, HEADER_CREDIT])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = bold
    for account in accounts:
        sheet.append([account.code, account.name, account.get_normal_side_display(), None, None])
        for column in ("D", "E"):
            cell = sheet[f"{column}{sheet.max_row}"]
            cell.number_format = "#,##0"
            cell.fill = fill
    last = sheet.max_row
    sheet.append([])
    sheet.append(["Jumlah", None, None, f"=SUM(D{header_row + 1}:D{last})", f"=SUM(E{header_row + 1}:E{last})"])
    for cell in sheet[sheet.max_row]:
        cell.font = bold
        cell.number_format = "#,##0"
    sheet.freeze_panes = f"A{header_row + 1}"
    for column, width in (("A", 18), ("B", 45), ("C", 14), ("D", 18), ("E", 18)):
        sheet.column_dimensions[column].width = width
    for row in range(5, 5 + len(INSTRUCTIONS)):
        sheet[f"A{row}"].alignment = Alignment(wrap_text=False)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- parsing ------------------------------------------------------------------------------
_THOUSANDS = re.compile(r"^\d{1,3}(\.\d{3})+$")
_UNREADABLE = "Berkas tidak dapat dibaca. Unggah berkas Excel (.xlsx) yang dibuat dari templat saldo awal."


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(value: Any) -> int:
    """A cell -> whole rupiah; raise ValueError for text, fractions and negatives."""
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        amount = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError
        amount = int(value)
    else:
        text = str(value).strip()
        if text[:2].lower() == "rp":
            text = text[2:]
        text = text.replace(" ", "").replace("\u00a0", "")
        if not text:
            return 0
        if text.isdigit():
            amount = int(text)
        elif _THOUSANDS.match(text):
            amount = int(text.replace(".", ""))
        else:
            raise ValueError
    if amount < 0 or amount > MAX_AMOUNT:
        raise ValueError
    return amount


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def opening_balance_parse(data: bytes) -> ParsedOpening:
    """Read an uploaded template: the cut-over date and the filled rows, each with its problems.

    No database access. Rows with a code and no amount are skipped (accounts without a
    balance). Raises ValidationError when the file is not a readable .xlsx or has no
    "Kode akun" header.
    """
    if len(data) > MAX_BYTES:
        raise ValidationError.for_field("file", "Berkas terlalu besar (paling besar 2 MB).", code="opening_file_large")
    try:
        workbook = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception:  # not a zip, not a workbook, damaged: all the same to the user
        raise ValidationError.for_field("file", _UNREADABLE, code="opening_file_unreadable")
    try:
        sheet = workbook[SHEET_TITLE] if SHEET_TITLE in workbook.sheetnames else workbook.worksheets[0]
        return _parse_sheet(sheet.iter_rows(values_only=True))
    except ValidationError:
        raise
    except Exception:  # a damaged workbook can fail anywhere while reading cells
        raise ValidationError.for_field("file", _UNREADABLE, code="opening_file_unreadable")
    finally:
        workbook.close()


def _cell(values: Sequence[Any], columns: dict[str, int], name: str) -> Any:
    index = columns.get(name)
    return values[index] if index is not None and index < len(values) else None


def _parse_sheet(rows: Any) -> ParsedOpening:
    date_value: Any = None
    date_seen = False
    columns: dict[str, int] | None = None
    parsed: list[OpeningRow] = []
    problems: list[str] = []
    for row_no, values in enumerate(rows, start=1):
        cells = [_text(v) for v in values]
        if columns is None:
            if row_no > HEADER_SEARCH_ROWS:
                break
            lowered = [c.lower() for c in cells]
            if lowered and lowered[0] == DATE_LABEL.lower() and not date_seen:
                date_seen = True
                date_value = values[1] if len(values) > 1 else None
            if HEADER_CODE.lower() in lowered:
                columns = {}
                for name in (HEADER_CODE, HEADER_NAME, HEADER_DEBIT, HEADER_CREDIT):
                    if name.lower() in lowered:
                        columns[name] = lowered.index(name.lower())
                if HEADER_DEBIT not in columns or HEADER_CREDIT not in columns:
                    raise ValidationError.for_field(
                        "file", "Kolom Debit dan Kredit tidak ditemukan di berkas.", code="opening_file_columns"
                    )
            continue
        if len(parsed) >= MAX_ROWS or row_no > MAX_SHEET_ROWS:
            problems.append(f"Berkas terlalu panjang; baris {row_no} dan seterusnya tidak dibaca.")
            break
        code = _text(_cell(values, columns, HEADER_CODE))
        if code.lower() == "jumlah":
            continue  # the template's total row
        raw_debit, raw_credit = _cell(values, columns, HEADER_DEBIT), _cell(values, columns, HEADER_CREDIT)
        row = OpeningRow(row_no=row_no, code=code, name=_text(_cell(values, columns, HEADER_NAME)))
        for side, raw in (("debit", raw_debit), ("credit", raw_credit)):
            try:
                setattr(row, side, _amount(raw))
            except ValueError:
                label = "Debit" if side == "debit" else "Kredit"
                row.problems.append(
                    f"Baris {row_no}: {label} '{_text(raw)}' bukan jumlah rupiah bulat yang tidak negatif."
                )
        if not code and not row.debit and not row.credit and not row.problems:
            continue  # an empty row
        if code and not row.debit and not row.credit and not row.problems:
            continue  # an account without a balance
        if not code:
            row.problems.append(_no_code(row_no))
        if row.debit and row.credit:
            row.problems.append(_both(row_no))
        parsed.append(row)
    if columns is None:
        raise ValidationError.for_field(
            "file",
            f"Baris judul '{HEADER_CODE}' tidak ditemukan. Gunakan templat saldo awal.",
            code="opening_file_columns",
        )
    date = _date(date_value)
    if date_value in (None, ""):
        problems.insert(0, "Tanggal saldo awal belum diisi (sel B3).")
    elif date is None:
        problems.insert(0, f"Tanggal saldo awal '{_text(date_value)}' tidak dikenali; tulis DD/MM/YYYY.")
    return ParsedOpening(date=date, rows=parsed, problems=problems)


# --- checking and posting -----------------------------------------------------------------
def opening_balance_entry(*, cooperative: Cooperative) -> JournalEntry | None:
    """Return the posted opening-balance entry, if the cooperative has one."""
    return JournalEntry.objects.filter(cooperative=cooperative, idempotency_key=OPENING_KEY, is_posted=True).first()


def opening_balance_check(
    *, cooperative: Cooperative, date: datetime.date | None, rows: Sequence[OpeningRow]
) -> ParsedOpening:
    """Judge rows against the chart (one query) and return them with every problem found.

    Each row must name a known, active, non-group account once, with a whole
    non-negative debit or credit (not both); the whole must balance. ``date`` is carried
    through, not judged (the parser and :func:`opening_balance_import` check it).
    """
    checked: list[OpeningRow] = []
    problems: list[str] = []
    codes = {r.code for r in rows if r.code}
    accounts = {a.code: a for a in Account.objects.filter(cooperative=cooperative, code__in=codes)}
    first_row: dict[str, int] = {}
    for original in rows:
        row = OpeningRow(original.row_no, original.code, original.name, 0, 0, list(original.problems))

        def flag(message: str, row: OpeningRow = row) -> None:
            if message not in row.problems:
                row.problems.append(message)

        for side in ("debit", "credit"):
            value = getattr(original, side)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0 or value > MAX_AMOUNT:
                flag(f"Baris {row.row_no}: jumlah harus rupiah bulat yang tidak negatif.")
            else:
                setattr(row, side, value)
        if row.debit and row.credit:
            flag(_both(row.row_no))
        if not row.debit and not row.credit and not row.problems:
            continue  # an account without a balance
        checked.append(row)
        if not row.code:
            flag(_no_code(row.row_no))
            continue
        where = f"Baris {row.row_no}"
        account = accounts.get(row.code)
        if account is None:
            flag(f"{where}: akun '{row.code}' tidak ada di bagan akun koperasi ini.")
        elif account.is_group:
            flag(f"{where}: akun {row.code} adalah akun kelompok; isi saldo pada akun rinciannya.")
        elif not account.is_active:
            flag(f"{where}: akun {row.code} tidak aktif.")
        else:
            row.name = account.name
        if row.code in first_row:
            flag(f"{where}: akun {row.code} sudah diisi di baris {first_row[row.code]}.")
        else:
            first_row[row.code] = row.row_no
    result = ParsedOpening(date=date, rows=checked, problems=problems)
    if not checked:
        problems.append("Belum ada saldo yang diisi.")
    elif result.total_debit != result.total_credit:
        problems.append(_unbalanced(result.total_debit, result.total_credit))
    return result


def _both(row_no: int) -> str:
    return f"Baris {row_no}: isi Debit atau Kredit, tidak keduanya."


def _no_code(row_no: int) -> str:
    return f"Baris {row_no}: kode akun kosong."


def _unbalanced(debit: int, credit: int) -> str:
    return (
        f"Saldo awal tidak seimbang: debit {format_rupiah(debit)}, kredit {format_rupiah(credit)}, "
        f"selisih {format_rupiah(abs(debit - credit))}."
    )


def opening_balance_import(
    *, cooperative: Cooperative, date: datetime.date, rows: Sequence[OpeningRow], actor: Any
) -> JournalEntry:
    """Post the opening balances as one journal entry and return it.

    Raises ValidationError (a bad row, naming its row number; unbalanced, naming the
    difference; no date) and Conflict (``opening_balance_exists``, ``period_closed``).
    Nothing is posted unless everything is right.
    """
    if not isinstance(date, datetime.date):
        raise ValidationError.for_field("date", "Tanggal saldo awal wajib diisi.", code="opening_balance_invalid")
    checked = opening_balance_check(cooperative=cooperative, date=date, rows=rows)
    row_problems = [p for r in checked.rows for p in r.problems]
    if row_problems:
        shown = "; ".join(row_problems[:3]) + (
            f" (dan {len(row_problems) - 3} masalah lain)" if len(row_problems) > 3 else ""
        )
        raise ValidationError(
            f"Saldo awal tidak valid: {shown}",
            code="opening_balance_invalid",
            detail={"rows": row_problems},
        )
    if not checked.rows:
        raise ValidationError.for_field("rows", "Belum ada saldo yang diisi.", code="opening_balance_empty")
    if checked.total_debit != checked.total_credit:
        message = _unbalanced(checked.total_debit, checked.total_credit)
        raise ValidationError(
            message,
            code="opening_balance_unbalanced",
            detail={
                "rows": [message],
                "total_debit": [str(checked.total_debit)],
                "total_credit": [str(checked.total_credit)],
                "difference": [str(checked.total_debit - checked.total_credit)],
            },
        )
    lines = [LineInput(account=r.code, debit=r.debit, credit=r.credit) for r in checked.rows]
    with transaction.atomic():
        # Lock the ledger head first so two imports at once cannot both pass the check below.
        LedgerHead.objects.select_for_update().filter(cooperative=cooperative).first()
        existing = opening_balance_entry(cooperative=cooperative)
        if existing is not None:
            raise Conflict(
                f"Saldo awal sudah diimpor ({existing.number}, {existing.date:%d/%m/%Y}); "
                "koreksi dengan jurnal pembalik atau jurnal manual.",
                code="opening_balance_exists",
                detail={"entry": [existing.number]},
            )
        entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=lines,
            memo=f"Saldo awal per {date:%d/%m/%Y}",
            source=OPENING_SOURCE,
            idempotency_key=OPENING_KEY,
            actor=actor,
        )
        audit_record(
            actor=actor,
            action="ledger.opening_balance_import",
            cooperative=cooperative,
            target=entry,
            data={"date": date.isoformat(), "rows": len(lines), "amount": entry.amount},
        )
    return entry
