"""Excel (.xlsx) of the member registry: members and their balances in, bytes out.

No database access here: the view passes the members (a queryset iterated in chunks, its
kelurahan joined) and the balances from ``selectors.member_savings_balances``. The workbook
is write-only so 10,000 members keep memory flat. NIK and No. KK are text cells (as
numbers Excel would round them to 15 digits); amounts are whole rupiah shown ``#,##0``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from koperasi.members.models import Member

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"
TEXT_FORMAT = "@"
KINDS = ("pokok", "wajib", "sukarela")


def headers() -> list[tuple[str, int]]:
    """The column titles and widths, in the order of :func:`member_row`."""
    return [
        (_("No. anggota"), 12),
        (_("NIK"), 19),
        (_("No. KK"), 19),
        (_("Nama"), 30),
        (_("Jenis kelamin"), 14),
        (_("Tempat lahir"), 16),
        (_("Tanggal lahir"), 13),
        (_("Usia"), 7),
        (_("Alamat"), 40),
        (_("Kode kelurahan"), 15),
        (_("Kelurahan/desa"), 20),
        (_("No. HP"), 16),
        (_("Pekerjaan"), 18),
        (_("Status"), 16),
        (_("Tanggal masuk"), 13),
        (_("Tanggal aktif"), 13),
        (_("Tanggal keluar"), 13),
        (_("Simpanan pokok"), 15),
        (_("Simpanan wajib"), 15),
        (_("Simpanan sukarela"), 17),
        (_("Jumlah simpanan"), 16),
    ]


TEXT_COLUMNS = frozenset({1, 2, 9, 11})  # 0-based: NIK, No. KK, kelurahan code, phone stay text


def member_row(member: Member, balances: Mapping[str, int] | None, today: datetime.date) -> list[Any]:
    """One member's cells, in the order of :func:`headers`."""
    amounts = [(balances or {}).get(kind, 0) for kind in KINDS]
    return [
        member.number,
        member.nik,
        member.kk,
        member.name,
        member.get_gender_display(),
        member.birth_place,
        member.birth_date,
        member.age_on(today),
        member.address,
        member.kelurahan_id,
        member.kelurahan.name,
        member.phone,
        member.occupation,
        member.get_status_display(),
        member.joined_on,
        member.activated_on,
        member.left_on,
        *amounts,
        sum(amounts),
    ]


def members_workbook(
    *, members: Iterable[Member], balances: Mapping[int, Mapping[str, int]], today: datetime.date, title: str
) -> bytes:
    """Write one sheet: a bold header row that stays in view, then one row per member."""
    workbook = Workbook(write_only=True)
    sheet: WriteOnlyWorksheet = workbook.create_sheet(title[:31])
    sheet.freeze_panes = "A2"
    columns = headers()
    for index, (_title, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width  # type: ignore[attr-defined]
    header_cells = []
    for column_title, _width in columns:
        cell = WriteOnlyCell(sheet, value=column_title)
        cell.font = Font(bold=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    for member in members:
        out = []
        for index, value in enumerate(member_row(member, balances.get(member.pk), today)):
            cell = WriteOnlyCell(sheet, value=None if value == "" else value)
            if index in TEXT_COLUMNS:
                cell.number_format = TEXT_FORMAT
            elif isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = AMOUNT_FORMAT if index >= len(columns) - 4 else "0"
            out.append(cell)
        sheet.append(out)
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
