"""Excel export of the Dinas list: rows from ``oversight_item`` and the summary in, bytes out.

No database access here: the view passes what the selectors returned.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from koperasi.cooperatives.choices import Stage

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "DD/MM/YYYY"
DECIMAL_FORMAT = "0.00"  # rates in percent (NPL %): Decimal with two places

COOPERATIVE_HEADERS = (
    "Kode",
    "Nama",
    "Kelurahan",
    "Kode kelurahan",
    "Kecamatan",
    "Tahap",
    "Sejak",
    "Dokumen legal terbit",
    "Unit usaha aktif",
    "Mitra",
    "Fasilitas",
    "Progres fasilitas %",
    "Anggota aktif",
    "Simpanan anggota (Rp)",
    "Total aset (Rp)",
    "SHU tahun berjalan (Rp)",
    "Pinjaman beredar (Rp)",
    "Pinjaman bermasalah (Rp)",
    "NPL %",
    "Penjualan gerai bulan ini (Rp)",
    "Penjualan gerai tahun ini (Rp)",
    "Porsi anggota %",
    "Persediaan (Rp)",
    "LPG 3 kg bersubsidi bulan ini (tabung)",
    "Beras SPHP bulan ini (kemasan)",
    "Penerima subsidi aktif",
    "Tahun buku terakhir ditutup",
    "RAT pengesahan SHU tahun itu",
    "Tahun buku wajib RAT",
    "Batas RAT",
    "Status RAT",
)
MAX_COLUMN_WIDTH = 50


def local_date(value: Any) -> datetime.date | None:
    """A stage date as the local calendar date (an aware datetime is shown in local time)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    if isinstance(value, datetime.date):
        return value
    raise TypeError(f"not a date: {value!r}")


def _cooperative_cells(row: Mapping[str, Any]) -> list[Any]:
    return [
        row["code"],
        row["name"],
        row["kelurahan_name"],
        row["kelurahan_code"],
        row["kecamatan_name"],
        row["stage_label"],
        local_date(row["stage_since"]),
        row["legal_documents_issued"],
        row["business_units_active"],
        row["partners"],
        row["facilities"],
        row["facilities_progress_pct"],
        row["members_active"],
        row["savings_total"],
        row["total_assets"],
        row["surplus_ytd"],
        row["loans_outstanding"],
        row["loans_npl_outstanding"],
        row["npl_ratio"],
        row["shop_sales_month"],
        row["shop_sales_ytd"],
        row["shop_member_share_pct"],
        row["inventory_value"],
        row["subsidy_lpg_3kg_month"],
        row["subsidy_sphp_month"],
        row["subsidy_recipients_active"],
        row["fiscal_year_last_closed"],
        row["shu_rat_date"],
        row["rat_year"],
        row["rat_deadline"],
        row["rat_status_label"] or None,
    ]


def _write_table(sheet: Worksheet, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Write a bold, frozen header and the rows; dates get DD/MM/YYYY; widths fit the text."""
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = [len(h) for h in headers]
    for values in rows:
        sheet.append(list(values))
        for index, value in enumerate(values):
            shown = value.strftime("%d/%m/%Y") if isinstance(value, datetime.date) else value
            widths[index] = max(widths[index], len(str(shown)) if shown is not None else 0)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(cell.value, Decimal):
                cell.number_format = DECIMAL_FORMAT
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, MAX_COLUMN_WIDTH)
    if sheet.max_row > 1:
        sheet.auto_filter.ref = sheet.dimensions


def _summary_cells(summary: Mapping[str, Any]) -> tuple[list[str], list[list[Any]]]:
    stages = list(Stage)
    headers = ["Kode kecamatan", "Kecamatan", *(stage.label for stage in stages), "Jumlah"]
    rows: list[list[Any]] = []
    for kecamatan in summary["by_kecamatan"]:
        counts = [kecamatan["stages"].get(stage.value, 0) for stage in stages]
        rows.append([kecamatan["code"], kecamatan["name"], *counts, kecamatan["total"]])
    by_stage = dict(summary["by_stage"])
    rows.append(["", "Jumlah", *(by_stage.get(stage, 0) for stage in stages), summary["total"]])
    return headers, rows


def cooperatives_workbook(rows: Iterable[Mapping[str, Any]], summary: Mapping[str, Any]) -> bytes:
    """Return the .xlsx: sheet "Koperasi" (one row per cooperative) and "Ringkasan".

    ``rows`` are dicts shaped by ``oversight_item``; ``summary`` is ``oversight_summary``.
    """
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "Koperasi"
    _write_table(sheet, COOPERATIVE_HEADERS, (_cooperative_cells(row) for row in rows))

    summary_sheet = workbook.create_sheet("Ringkasan")
    headers, summary_rows = _summary_cells(summary)
    _write_table(summary_sheet, headers, summary_rows)
    for cell in summary_sheet[summary_sheet.max_row]:
        cell.font = Font(bold=True)
    summary_sheet.auto_filter.ref = None

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
