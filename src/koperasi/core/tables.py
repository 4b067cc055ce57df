"""A report as typed tables: the page cells, the Excel workbook.

A report module (``shop.exports``, ``subsidies.exports``) turns what its builder returned
into ``Section``s: a title, typed columns, rows, a totals row. ``display`` formats a section
for HTML and PDF (``Rp 1.234.567``, ``23/11/2026``), rendered by ``core/report_table.html``;
``workbook_bytes`` writes the sections to an .xlsx file, one sheet per section under a title
block (cooperative, place, report and section, then the caller's lines), amounts as numbers
in rupiah format, dates as real dates. No database access here: every figure comes from the report.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from koperasi.core.money import format_rupiah

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUPIAH_FORMAT = '"Rp" #,##0;-"Rp" #,##0;"Rp" 0'
NUMBER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
TIME_FORMAT = "HH:MM:SS"
TITLE_ROWS = 3  # cooperative, place, report and section; the caller's lines follow, then a blank row

# Column kinds.
TEXT, AMOUNT, NUMBER, PERCENT, DATE, DATETIME = "text", "amount", "number", "percent", "date", "datetime"
TIME, MONTH = "time", "month"  # a time of day (08:15:00); a month (a date, shown "Maret 2026")
NUMERIC = (AMOUNT, NUMBER, PERCENT)
WIDTHS = {TEXT: 28, AMOUNT: 16, NUMBER: 10, PERCENT: 10, DATE: 12, DATETIME: 17, TIME: 10, MONTH: 15}

_BOLD = Font(bold=True)
_TOP_LINE = Border(top=Side(style="thin"))
_FORMATS = {
    AMOUNT: RUPIAH_FORMAT,
    NUMBER: NUMBER_FORMAT,
    PERCENT: PERCENT_FORMAT,
    DATE: DATE_FORMAT,
    DATETIME: DATETIME_FORMAT,
    TIME: TIME_FORMAT,
}


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT
    width: int = 0  # 0: by kind

    @property
    def is_num(self) -> bool:
        return self.kind in NUMERIC


@dataclass(frozen=True)
class Row:
    cells: Sequence[Any]
    kind: str = ""  # "" | "total" | "flag" (needs attention) | "muted" | "message" (one text cell)


@dataclass(frozen=True)
class Section:
    key: str  # html id / sheet name stem
    title: str
    columns: Sequence[Column]
    rows: list[Row]
    totals: Row | None = None
    empty: str = ""  # shown when there are no rows
    note: str = ""


@dataclass(frozen=True)
class Cell:
    text: str
    is_num: bool = False


@dataclass(frozen=True)
class DisplaySection:
    key: str
    title: str
    headers: list[Cell]
    rows: list[tuple[str, list[Cell]]]  # (kind, cells)
    totals: list[Cell] | None
    empty: str
    note: str = ""


# --- Formatting ---------------------------------------------------------------------------------------------


def month_label(value: datetime.date) -> str:
    """``Maret 2026``."""
    return date_format(value, "F Y")


def format_cell(value: Any, kind: str) -> str:
    """A value as Indonesians read it: ``Rp 1.234.567``, ``1.234``, ``12,50 %``, ``23/11/2026``, ``08:15:00``,
    ``Maret 2026``; None is a dash."""
    if value is None or value == "":
        return "—" if kind != TEXT else ""
    if kind == AMOUNT:
        return format_rupiah(int(value))
    if kind == NUMBER:
        return f"{int(value):,}".replace(",", ".")
    if kind == PERCENT:
        return f"{Decimal(value):.2f}".replace(".", ",") + " %"
    if kind == TIME and isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if kind == MONTH and isinstance(value, datetime.date):
        return month_label(value)
    if kind == DATETIME and isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%d/%m/%Y %H:%M")
    if kind in (DATE, DATETIME) and isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def display(section: Section) -> DisplaySection:
    """Format a section for the page and the PDF."""
    kinds = [c.kind for c in section.columns]

    def cells(row: Row) -> list[Cell]:
        return [Cell(format_cell(v, k), k in NUMERIC) for v, k in zip(row.cells, kinds, strict=False)]

    return DisplaySection(
        key=section.key,
        title=section.title,
        headers=[Cell(c.label, c.is_num) for c in section.columns],
        rows=[(row.kind, cells(row)) for row in section.rows],
        totals=cells(section.totals) if section.totals else None,
        empty=section.empty,
        note=section.note,
    )


# --- Excel --------------------------------------------------------------------------------------------------


def _excel_value(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if kind == PERCENT:
        return float(Decimal(value) / 100)
    if isinstance(value, datetime.datetime):  # Excel has no time zones: local time
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None)
    if kind == MONTH and isinstance(value, datetime.date):
        return month_label(value)
    if isinstance(value, Decimal):
        return float(value)
    return value


def _sheet_title(text: str, used: set[str]) -> str:
    title = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Laporan"
    base, n = title, 2
    while title in used:
        suffix = f" {n}"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def workbook_bytes(
    *,
    cooperative_name: str,
    place: str,
    title: str,
    lines: Sequence[str],
    sections: Sequence[Section],
    widths: Mapping[str, int] | None = None,
    notes: bool = False,
) -> bytes:
    """Write each section on its own sheet under the title block and return the .xlsx file.

    The title block: the cooperative's name, ``place`` (its kelurahan), the report's title and
    the section's, then ``lines`` (period, …), a blank row, the header. ``widths`` overrides
    the column width of some kinds; ``notes`` writes each section's note under its table.
    """
    width_of = {**WIDTHS, **(widths or {})}
    header_row = TITLE_ROWS + len(lines) + 2
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    used: set[str] = set()
    for section in sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        sheet["A1"] = cooperative_name
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A2"] = place
        sheet["A3"] = title if section.title == title else f"{title}: {section.title}"
        sheet["A3"].font = Font(bold=True, size=12)
        for number, line in enumerate(lines, start=TITLE_ROWS + 1):
            sheet.cell(row=number, column=1, value=line)
        for column, col in enumerate(section.columns, start=1):
            cell = sheet.cell(row=header_row, column=column, value=col.label)
            cell.font = _BOLD
            if col.is_num:
                cell.alignment = Alignment(horizontal="right")
            sheet.column_dimensions[get_column_letter(column)].width = col.width or width_of[col.kind]
        sheet.freeze_panes = f"A{header_row + 1}"
        rows = list(section.rows) + ([section.totals] if section.totals else [])
        if not section.rows and section.empty:
            rows.insert(0, Row([section.empty], "message"))
        for offset, row in enumerate(rows, start=1):
            for column, (value, col) in enumerate(zip(row.cells, section.columns, strict=False), start=1):
                kind = col.kind if row.kind != "message" and not isinstance(value, str) else TEXT
                cell = sheet.cell(row=header_row + offset, column=column, value=_excel_value(value, kind))
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # typed text (a name, a reference) is never a formula
                if cell.value is not None and kind in _FORMATS:
                    cell.number_format = _FORMATS[kind]
                if row.kind == "total":
                    cell.font = _BOLD
                    cell.border = _TOP_LINE
        if notes and section.note:
            sheet.cell(row=header_row + len(rows) + 2, column=1, value=section.note)
        sheet.print_title_rows = f"{header_row}:{header_row}"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if len(section.columns) > 7 else "portrait"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
