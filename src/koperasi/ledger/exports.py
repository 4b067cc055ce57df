"""Excel (.xlsx) of the financial statements: a statement from ``ledger.selectors`` in, bytes out.

No database access here: the view passes the cooperative (its kelurahan and kecamatan
already joined) and what the selector returned. Every sheet starts with the same title
block (cooperative, kelurahan, statement, period), then a bold header row that stays in
view; amounts are whole-rupiah integers shown with ``#,##0``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from koperasi.cooperatives.models import Cooperative
from koperasi.ledger.selectors import (
    BalanceSheet,
    CashFlowStatement,
    EquityChanges,
    GeneralLedger,
    IncomeStatement,
    StatementRow,
    TrialBalance,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
AMOUNT_FORMAT = "#,##0"
DATE_FORMAT = "DD/MM/YYYY"
HEADER_ROW = 6  # rows 1-4: cooperative, kelurahan, statement, period; row 5 blank

_BOLD = Font(bold=True)
_TOP_LINE = Border(top=Side(style="thin"))


@dataclass(frozen=True)
class Row:
    """One row of a sheet: its cells, how it looks, and the indent of its name cell."""

    cells: Sequence[Any]
    kind: str = ""  # "" | "group" | "section" | "total"
    indent: int = 0


@dataclass(frozen=True)
class Table:
    sheet_title: str  # at most 31 characters (Excel's limit)
    headers: Sequence[str]
    rows: list[Row]
    widths: Sequence[int]
    name_column: int = 2  # 1-based column holding the account name (indented by depth)


def root_totals(rows: Iterable[StatementRow], width: int) -> list[int]:
    """Sum the top-level rows of a statement tree per column (each root already holds its subtree)."""
    sums = [0] * width
    for row in rows:
        if row.depth == 0:
            sums = [s + a for s, a in zip(sums, row.amounts, strict=True)]
    return sums


def kelurahan_line(cooperative: Cooperative) -> str:
    kelurahan = cooperative.kelurahan
    kecamatan = kelurahan.parent
    if kecamatan is None:
        return _("Kel. %(kelurahan)s") % {"kelurahan": kelurahan.name}
    return _("Kel. %(kelurahan)s, Kec. %(kecamatan)s") % {"kelurahan": kelurahan.name, "kecamatan": kecamatan.name}


def workbook_bytes(*, cooperative: Cooperative, title: str, period_label: str, table: Table) -> bytes:
    """Write ``table`` under the title block and return the .xlsx file."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = table.sheet_title[:31]
    sheet["A1"] = cooperative.name
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = kelurahan_line(cooperative)
    sheet["A3"] = title
    sheet["A3"].font = Font(bold=True, size=12)
    sheet["A4"] = period_label
    for column, header in enumerate(table.headers, start=1):
        header_cell = sheet.cell(row=HEADER_ROW, column=column, value=header)
        header_cell.font = _BOLD
        if column > table.name_column:
            header_cell.alignment = Alignment(horizontal="right")
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    for offset, row in enumerate(table.rows, start=1):
        row_number = HEADER_ROW + offset
        for column, value in enumerate(row.cells, start=1):
            cell = sheet.cell(row=row_number, column=column, value=None if value == "" else value)
            if isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = AMOUNT_FORMAT
            elif isinstance(value, datetime.date):
                cell.number_format = DATE_FORMAT
            if row.kind in ("group", "section", "total"):
                cell.font = _BOLD
            if row.kind == "total":
                cell.border = _TOP_LINE
            if column == table.name_column and row.indent:
                cell.alignment = Alignment(indent=min(row.indent, 15))
    for column, width in enumerate(table.widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _or_none(amount: int) -> int | None:
    return amount or None


def _tree_rows(rows: Iterable[StatementRow], order: Sequence[int] | None = None) -> list[Row]:
    out = []
    for row in rows:
        amounts = [row.amounts[i] for i in order] if order is not None else list(row.amounts)
        out.append(Row([row.code, row.name, *amounts], "group" if row.is_group else "", row.depth))
    return out


# --- One table per statement ----------------------------------------------------------------
def trial_balance_table(tb: TrialBalance) -> Table:
    rows = [Row([r.account.code, r.account.name, _or_none(r.debit), _or_none(r.credit)]) for r in tb.rows]
    rows.append(Row(["", _("Jumlah"), tb.total_debit, tb.total_credit], "total"))
    return Table(_("Neraca saldo"), [_("Kode"), _("Akun"), _("Debit"), _("Kredit")], rows, [12, 45, 18, 18])


def balance_sheet_table(sheet: BalanceSheet) -> Table:
    t = sheet.totals
    liabilities_and_equity = [li + e for li, e in zip(t["total_liabilities"], t["total_equity"], strict=True)]
    rows: list[Row] = [Row(["", _("ASET")], "section")]
    rows += _tree_rows(sheet.assets)
    rows.append(Row(["", _("Jumlah aset"), *t["total_assets"]], "total"))
    rows.append(Row(["", _("KEWAJIBAN")], "section"))
    rows += _tree_rows(sheet.liabilities)
    rows.append(Row(["", _("Jumlah kewajiban"), *t["total_liabilities"]], "total"))
    rows.append(Row(["", _("EKUITAS")], "section"))
    rows += _tree_rows(sheet.equity)
    rows.append(Row(["", _("Jumlah ekuitas"), *t["total_equity"]], "total"))
    rows.append(Row(["", _("Jumlah kewajiban dan ekuitas"), *liabilities_and_equity], "total"))
    rows.append(
        Row(["", _("Seimbang (aset = kewajiban + ekuitas)") if sheet.balanced else _("TIDAK SEIMBANG")], "section")
    )
    headers = [_("Kode"), _("Akun"), sheet.as_of.strftime("%d/%m/%Y"), sheet.compare_to.strftime("%d/%m/%Y")]
    return Table(_("Neraca"), headers, rows, [12, 45, 18, 18])


def income_statement_table(pl: IncomeStatement) -> Table:
    width = 1 + len(pl.units)
    order = [*range(1, width), 0]  # units first, the total last
    income = root_totals(pl.income, width)
    expense = root_totals(pl.expense, width)
    rows: list[Row] = [Row(["", _("PENDAPATAN")], "section")]
    rows += _tree_rows(pl.income, order)
    rows.append(Row(["", _("Jumlah pendapatan"), *(income[i] for i in order)], "total"))
    rows.append(Row(["", _("BEBAN")], "section"))
    rows += _tree_rows(pl.expense, order)
    rows.append(Row(["", _("Jumlah beban"), *(expense[i] for i in order)], "total"))
    rows.append(Row(["", _("SISA HASIL USAHA (SHU)"), *pl.unit_surplus, pl.surplus], "total"))
    rows.append(Row([]))
    rows.append(Row(["", _("Pendapatan menurut pihak")], "section"))
    party = pl.income_by_party
    rows.append(Row(["", _("Dari anggota"), *[None] * len(pl.units), party["anggota"]], indent=1))
    rows.append(Row(["", _("Dari bukan anggota"), *[None] * len(pl.units), party["non_anggota"]], indent=1))
    rows.append(Row(["", _("Lainnya"), *[None] * len(pl.units), party["lainnya"]], indent=1))
    rows.append(Row(["", _("Jumlah pendapatan"), *[None] * len(pl.units), pl.total_income], "total"))
    headers = [_("Kode"), _("Akun"), *(name for _id, name in pl.units), _("Jumlah")]
    return Table(_("Hasil usaha"), headers, rows, [12, 45, *[18] * width])


def cash_flow_table(cf: CashFlowStatement) -> Table:
    rows: list[Row] = [Row(["", _("Saldo kas awal"), cf.opening_cash], "total")]
    for _group, label, section_rows, net in cf.sections:
        rows.append(Row(["", str(label)], "section"))
        rows += [Row([account.code, account.name, amount], indent=1) for account, amount in section_rows]
        rows.append(Row(["", _("Arus kas bersih dari %(section)s") % {"section": str(label).lower()}, net], "total"))
    rows.append(Row(["", _("Kenaikan (penurunan) bersih kas"), cf.net_change], "total"))
    rows.append(Row(["", _("Saldo kas akhir"), cf.closing_cash], "total"))
    return Table(_("Arus kas"), [_("Kode"), _("Uraian"), _("Jumlah")], rows, [12, 50, 18])


def equity_changes_table(eq: EquityChanges) -> Table:
    rows = [Row([r.code, r.name, r.opening, r.increase, r.decrease, r.closing]) for r in eq.rows]
    total = eq.total
    rows.append(Row(["", _("Jumlah ekuitas"), total.opening, total.increase, total.decrease, total.closing], "total"))
    headers = [_("Kode"), _("Uraian"), _("Saldo awal"), _("Penambahan"), _("Pengurangan"), _("Saldo akhir")]
    return Table(_("Perubahan ekuitas"), headers, rows, [12, 40, 18, 18, 18, 18])


def general_ledger_table(gl: GeneralLedger, *, truncated: bool = False) -> Table:
    rows: list[Row] = [Row([gl.date_from, "", _("Saldo awal"), None, None, gl.opening], "total")]
    rows += [Row([ln.date, ln.number, ln.memo, _or_none(ln.debit), _or_none(ln.credit), ln.balance]) for ln in gl.lines]
    rows.append(Row([gl.date_to, "", _("Saldo akhir"), None, None, gl.closing], "total"))
    if truncated:
        rows.append(
            Row(["", "", _("Hanya %(n)s baris pertama; persempit rentang tanggal.") % {"n": len(gl.lines)}], "section")
        )
    headers = [_("Tanggal"), _("No. jurnal"), _("Keterangan"), _("Debit"), _("Kredit"), _("Saldo")]
    return Table(_("Buku besar"), headers, rows, [12, 12, 45, 18, 18, 18], name_column=3)
