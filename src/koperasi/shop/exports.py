"""The gerai's reports as tables: one layout for the page, the PDF and the Excel workbook.

``report_sections(name, result)`` turns what a ``shop.reports`` builder returned into
``Section``s (a title, typed columns, rows, a totals row); ``workbook_bytes`` writes them to
an .xlsx file, one sheet per section, each under a title block (cooperative, report,
period); ``display_rows`` formats them for HTML and PDF (``Rp 1.234.567``, ``23/11/2026``).
No database access here: every figure comes from the report.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import format_rupiah
from koperasi.ledger.exports import kelurahan_line
from koperasi.shop import reports
from koperasi.shop.choices import PaymentMethod, SupplierKind

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUPIAH_FORMAT = '"Rp" #,##0;-"Rp" #,##0;"Rp" 0'
NUMBER_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
DATE_FORMAT = "DD/MM/YYYY"
DATETIME_FORMAT = "DD/MM/YYYY HH:MM"
HEADER_ROW = 6  # rows 1-4: cooperative, kelurahan, report and section, period; row 5 blank

_BOLD = Font(bold=True)
_TOP_LINE = Border(top=Side(style="thin"))

# Column kinds.
TEXT, AMOUNT, NUMBER, PERCENT, DATE, DATETIME = "text", "amount", "number", "percent", "date", "datetime"
_WIDTH = {TEXT: 28, AMOUNT: 16, NUMBER: 10, PERCENT: 10, DATE: 12, DATETIME: 17}


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = TEXT
    width: int = 0  # 0: by kind

    @property
    def is_num(self) -> bool:
        return self.kind in (AMOUNT, NUMBER, PERCENT)


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
    extra: dict[str, Any] = field(default_factory=dict)


# --- Formatting ---------------------------------------------------------------------------------------------


def format_cell(value: Any, kind: str) -> str:
    """A value as Indonesians read it: ``Rp 1.234.567``, ``1.234``, ``12,50 %``, ``23/11/2026``; None is a dash."""
    if value is None or value == "":
        return "—" if kind != TEXT else ""
    if kind == AMOUNT:
        return format_rupiah(int(value))
    if kind == NUMBER:
        return f"{int(value):,}".replace(",", ".")
    if kind == PERCENT:
        return f"{Decimal(value):.2f}".replace(".", ",") + " %"
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
        return [Cell(format_cell(v, k), k in (AMOUNT, NUMBER, PERCENT)) for v, k in zip(row.cells, kinds, strict=False)]

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
    if kind == DATETIME and isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.replace(tzinfo=None)
    if isinstance(value, Decimal):
        return float(value)
    return value


_FORMATS = {AMOUNT: RUPIAH_FORMAT, NUMBER: NUMBER_FORMAT, PERCENT: PERCENT_FORMAT, DATE: DATE_FORMAT}


def _sheet_title(text: str, used: set[str]) -> str:
    title = "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Laporan"
    base, n = title, 2
    while title in used:
        suffix = f" {n}"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    used.add(title)
    return title


def workbook_bytes(*, cooperative: Cooperative, title: str, period_label: str, sections: list[Section]) -> bytes:
    """Write each section on its own sheet under the title block and return the .xlsx file."""
    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    used: set[str] = set()
    for section in sections:
        sheet = workbook.create_sheet(_sheet_title(section.title, used))
        sheet["A1"] = cooperative.name
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A2"] = kelurahan_line(cooperative)
        sheet["A3"] = title if section.title == title else f"{title}: {section.title}"
        sheet["A3"].font = Font(bold=True, size=12)
        sheet["A4"] = period_label
        for column, col in enumerate(section.columns, start=1):
            cell = sheet.cell(row=HEADER_ROW, column=column, value=col.label)
            cell.font = _BOLD
            if col.is_num:
                cell.alignment = Alignment(horizontal="right")
            sheet.column_dimensions[get_column_letter(column)].width = col.width or _WIDTH[col.kind]
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        rows = list(section.rows) + ([section.totals] if section.totals else [])
        if not section.rows and section.empty:
            rows.insert(0, Row([section.empty], "message"))
        for offset, row in enumerate(rows, start=1):
            for column, (value, col) in enumerate(zip(row.cells, section.columns, strict=False), start=1):
                kind = col.kind if row.kind != "message" and not isinstance(value, str) else TEXT
                cell = sheet.cell(row=HEADER_ROW + offset, column=column, value=_excel_value(value, kind))
                if cell.value is not None:
                    if kind == DATETIME:
                        cell.number_format = DATETIME_FORMAT
                    elif kind in _FORMATS:
                        cell.number_format = _FORMATS[kind]
                if row.kind == "total":
                    cell.font = _BOLD
                    cell.border = _TOP_LINE
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape" if len(section.columns) > 7 else "portrait"
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- One set of sections per report -------------------------------------------------------------------------


def _figures_cells(f: reports.SalesFigures) -> list[Any]:
    return [f.sales_count, f.gross, f.returns_count, f.returns, f.net]


def _figure_columns() -> list[Column]:
    return [
        Column(_("Nota"), NUMBER),
        Column(_("Penjualan bruto"), AMOUNT),
        Column(_("Retur"), NUMBER),
        Column(_("Nilai retur"), AMOUNT),
        Column(_("Penjualan neto"), AMOUNT),
    ]


def _check_section(key: str, rows: list[tuple[str, int, int]]) -> Section:
    """Figures of the report beside the ledger's, with the difference (flagged when not 0)."""
    return Section(
        key=key,
        title=_("Cocok dengan buku besar"),
        columns=[
            Column(_("Uraian"), TEXT, 40),
            Column(_("Laporan"), AMOUNT),
            Column(_("Buku besar"), AMOUNT),
            Column(_("Selisih"), AMOUNT),
        ],
        rows=[Row([label, mine, books, mine - books], "flag" if mine != books else "") for label, mine, books in rows],
    )


def daily_sales_sections(r: reports.DailySales) -> list[Section]:
    methods = dict(PaymentMethod.choices)
    days = Section(
        key="per-hari",
        title=_("Per hari"),
        columns=[
            Column(_("Tanggal"), DATE),
            *_figure_columns(),
            Column(str(methods[PaymentMethod.TUNAI]), AMOUNT),
            Column(str(methods[PaymentMethod.QRIS]), AMOUNT),
            Column(str(methods[PaymentMethod.TRANSFER]), AMOUNT),
            Column(_("Anggota"), AMOUNT),
            Column(_("Bukan anggota"), AMOUNT),
        ],
        rows=[
            Row(
                [
                    d.date,
                    *_figures_cells(d.figures),
                    d.net_tunai,
                    d.net_qris,
                    d.net_transfer,
                    d.net_member,
                    d.net_non_member,
                ],
                "" if d.figures.sales_count or d.figures.returns_count else "muted",
            )
            for d in r.days
        ],
        totals=Row(
            [
                _("Jumlah"),
                *_figures_cells(r.total),
                *[g.figures.net for g in r.by_method],
                *[g.figures.net for g in r.by_buyer],
            ],
            "total",
        ),
    )
    day_cashiers = Section(
        key="per-hari-kasir",
        title=_("Per hari dan kasir"),
        columns=[Column(_("Tanggal"), DATE), Column(_("Kasir")), *_figure_columns()],
        rows=[Row([d.date, d.cashier, *_figures_cells(d.figures)]) for d in r.day_cashiers],
        totals=Row([_("Jumlah"), "", *_figures_cells(r.total)], "total"),
        empty=_("Tidak ada penjualan dalam periode ini."),
    )

    def grouped(key: str, title: str, label: str, groups: list[reports.GroupRow]) -> Section:
        return Section(
            key=key,
            title=title,
            columns=[Column(label), *_figure_columns()],
            rows=[Row([g.label, *_figures_cells(g.figures)]) for g in groups],
            totals=Row([_("Jumlah"), *_figures_cells(r.total)], "total"),
            empty=_("Tidak ada penjualan dalam periode ini."),
        )

    checks = _check_section(
        "cocok",
        [
            (_("Penjualan barang sendiri (4-1100 + 4-2100)"), r.own_net, r.ledger_own),
            (_("Penjualan barang titipan (komisi + bagian UMKM)"), r.consignment_net, r.ledger_consignment),
            (_("Jumlah penjualan neto"), r.total.net, r.ledger_revenue),
        ],
    )
    return [
        days,
        day_cashiers,
        grouped("per-kasir", _("Per kasir"), _("Kasir"), r.by_cashier),
        grouped("per-cara-bayar", _("Per cara bayar"), _("Cara bayar"), r.by_method),
        grouped("per-pembeli", _("Anggota dan bukan anggota"), _("Pembeli"), r.by_buyer),
        checks,
    ]


def sales_by_product_sections(r: reports.SalesByProduct) -> list[Section]:
    main = Section(
        key="per-barang",
        title=_("Per barang"),
        columns=[
            Column(_("SKU"), TEXT, 12),
            Column(_("Barang"), TEXT, 32),
            Column(_("Satuan"), TEXT, 10),
            Column(_("Terjual"), NUMBER),
            Column(_("Retur"), NUMBER),
            Column(_("Neto"), NUMBER),
            Column(_("Pendapatan"), AMOUNT),
            Column(_("HPP / bagian UMKM"), AMOUNT),
            Column(_("Margin"), AMOUNT),
            Column(_("Margin %"), PERCENT),
        ],
        rows=[
            Row(
                [
                    p.sku,
                    f"{p.name} ({_('titipan')})" if p.is_consignment else p.name,
                    p.unit,
                    p.qty_sold,
                    p.qty_returned,
                    p.qty,
                    p.revenue,
                    p.cost,
                    p.margin,
                    p.margin_percent,
                ]
            )
            for p in r.rows
        ],
        totals=Row([_("Jumlah"), "", "", "", "", "", r.revenue, r.cost, r.margin, r.margin_percent], "total"),
        empty=_("Tidak ada penjualan dalam periode ini."),
        note=_("Barang titipan: kolom HPP berisi bagian UMKM, marginnya komisi koperasi."),
    )
    summary = Section(
        key="ringkasan",
        title=_("Ringkasan"),
        columns=[Column(_("Uraian"), TEXT, 40), Column(_("Jumlah"), AMOUNT)],
        rows=[
            Row([_("Pendapatan barang sendiri"), r.own_revenue]),
            Row([_("Harga pokok penjualan"), r.own_cost]),
            Row([_("Margin barang sendiri"), r.own_revenue - r.own_cost]),
            Row([_("Penjualan barang titipan"), r.consignment_revenue]),
            Row([_("Komisi titipan"), r.commission]),
        ],
        totals=Row([_("Margin seluruhnya"), r.margin], "total"),
    )
    checks = _check_section("cocok", [(_("Harga pokok penjualan (5-1100)"), r.own_cost, r.ledger_cogs)])
    return [main, summary, checks]


def stock_valuation_sections(r: reports.StockValuation) -> list[Section]:
    main = Section(
        key="per-barang",
        title=_("Per barang"),
        columns=[
            Column(_("SKU"), TEXT, 12),
            Column(_("Barang"), TEXT, 32),
            Column(_("Satuan"), TEXT, 10),
            Column(_("Jumlah"), NUMBER),
            Column(_("Harga pokok rata-rata"), AMOUNT),
            Column(_("Nilai"), AMOUNT),
        ],
        rows=[
            Row(
                [
                    p.sku,
                    f"{p.name} ({_('titipan')})" if p.is_consignment else p.name,
                    p.unit,
                    p.qty,
                    None if p.is_consignment else p.average_cost,
                    p.value,
                ],
                "muted" if p.is_consignment else "",
            )
            for p in r.rows
        ],
        totals=Row([_("Jumlah"), "", "", "", "", r.total_value], "total"),
        empty=_("Tidak ada stok."),
        note=_("Barang titipan milik UMKM dihitung jumlahnya tetapi tidak bernilai di buku koperasi."),
    )
    per_location = Section(
        key="per-lokasi",
        title=_("Per lokasi"),
        columns=[
            Column(_("Lokasi"), TEXT, 18),
            Column(_("SKU"), TEXT, 12),
            Column(_("Barang"), TEXT, 32),
            Column(_("Jumlah"), NUMBER),
            Column(_("Nilai"), AMOUNT),
        ],
        rows=[
            Row([loc.location, p.sku, p.name, loc.qty, loc.value], "muted" if p.is_consignment else "")
            for p in r.rows
            for loc in p.locations
        ]
        + [Row([loc.location, "", _("Jumlah lokasi"), loc.qty, loc.value], "total") for loc in r.by_location],
        totals=Row([_("Jumlah"), "", "", sum(loc.qty for loc in r.by_location), r.total_value], "total"),
        empty=_("Tidak ada stok."),
    )
    checks = _check_section("cocok", [(_("Persediaan (1-1500)"), r.total_value, r.ledger_value)])
    return [main, per_location, checks]


def slow_moving_sections(r: reports.SlowMoving) -> list[Section]:
    return [
        Section(
            key="lambat-laku",
            title=_("Stok lambat laku"),
            columns=[
                Column(_("SKU"), TEXT, 12),
                Column(_("Barang"), TEXT, 32),
                Column(_("Satuan"), TEXT, 10),
                Column(_("Jumlah"), NUMBER),
                Column(_("Nilai"), AMOUNT),
                Column(_("Terakhir terjual"), DATE),
                Column(_("Hari sejak terjual"), NUMBER),
            ],
            rows=[
                Row(
                    [
                        p.sku,
                        f"{p.name} ({_('titipan')})" if p.is_consignment else p.name,
                        p.unit,
                        p.qty,
                        p.value,
                        p.last_sale if p.last_sale else _("belum pernah"),
                        p.days_since,
                    ],
                    "flag" if p.last_sale is None else "",
                )
                for p in r.rows
            ],
            totals=Row([_("Jumlah"), "", "", r.total_qty, r.total_value, "", ""], "total"),
            empty=_("Semua barang terjual dalam %(days)s hari terakhir.") % {"days": r.days},
        )
    ]


def purchases_sections(r: reports.PurchasesBySupplier) -> list[Section]:
    kinds = dict(SupplierKind.choices)
    main = Section(
        key="per-pemasok",
        title=_("Per pemasok"),
        columns=[
            Column(_("Pemasok"), TEXT, 30),
            Column(_("Jenis"), TEXT, 16),
            Column(_("Penerimaan"), NUMBER),
            Column(_("Barang diterima"), AMOUNT),
            Column(_("Dibayar saat terima"), AMOUNT),
            Column(_("Utang baru"), AMOUNT),
            Column(_("Pembayaran"), NUMBER),
            Column(_("Dibayar"), AMOUNT),
            Column(_("Utang saat ini"), AMOUNT),
        ],
        rows=[
            Row(
                [
                    s.name,
                    str(kinds.get(s.kind, s.kind)),
                    s.receipts_count,
                    s.received,
                    s.received_paid,
                    s.received_on_credit,
                    s.payments_count,
                    s.paid,
                    s.outstanding,
                ]
            )
            for s in r.rows
        ],
        totals=Row(
            [
                _("Jumlah"),
                "",
                sum(s.receipts_count for s in r.rows),
                r.received,
                r.received_paid,
                r.received_on_credit,
                sum(s.payments_count for s in r.rows),
                r.paid,
                r.outstanding,
            ],
            "total",
        ),
        empty=_("Tidak ada pembelian, pembayaran atau utang pemasok."),
    )
    checks = _check_section("cocok", [(_("Utang usaha (2-1300)"), r.outstanding, r.ledger_payable)])
    return [main, checks]


def price_vs_het_sections(r: reports.PriceVsHet) -> list[Section]:
    labels = reports.HET_STATUS_LABELS
    return [
        Section(
            key="harga-het",
            title=_("Harga jual dan HET"),
            columns=[
                Column(_("SKU"), TEXT, 12),
                Column(_("Barang"), TEXT, 30),
                Column(_("Komoditas HET"), TEXT, 22),
                Column(_("Isi"), TEXT, 8),
                Column(_("Harga jual"), AMOUNT),
                Column(_("HET per satuan"), AMOUNT),
                Column(_("Batas harga"), AMOUNT),
                Column(_("Ruang"), AMOUNT),
                Column(_("Status"), TEXT, 20),
            ],
            rows=[
                Row(
                    [
                        p.sku,
                        p.name,
                        p.commodity_label,
                        f"{p.het_quantity}".replace(".", ","),
                        p.price,
                        p.het_price,
                        p.limit,
                        p.headroom,
                        str(labels[p.status]),
                    ],
                    {"above": "flag", "no_het": "muted"}.get(p.status, ""),
                )
                for p in r.rows
            ],
            empty=_("Tidak ada barang dengan komoditas HET."),
            note=_("Ruang = batas harga − harga jual; negatif berarti harga di atas HET dan harus diturunkan."),
        )
    ]


def consignment_sections(r: reports.ConsignmentReport) -> list[Section]:
    main = Section(
        key="per-umkm",
        title=_("Per UMKM penitip"),
        columns=[
            Column(_("UMKM"), TEXT, 28),
            Column(_("Anggota"), TEXT, 24),
            Column(_("Terjual"), NUMBER),
            Column(_("Penjualan"), AMOUNT),
            Column(_("Komisi koperasi"), AMOUNT),
            Column(_("Hak UMKM"), AMOUNT),
            Column(_("Dibayar"), AMOUNT),
            Column(_("Sisa utang"), AMOUNT),
            Column(_("Stok titipan"), NUMBER),
        ],
        rows=[
            Row(
                [c.name, c.member_name, c.units_sold, c.gross, c.commission, c.owed, c.paid, c.outstanding, c.stock_qty]
            )
            for c in r.rows
        ],
        totals=Row(
            [
                _("Jumlah"),
                "",
                r.units_sold,
                r.gross,
                r.commission,
                r.owed,
                r.paid,
                r.outstanding,
                sum(c.stock_qty for c in r.rows),
            ],
            "total",
        ),
        empty=_("Belum ada UMKM penitip."),
        note=_("Terjual, penjualan, komisi, hak dan dibayar: dalam periode. Sisa utang dan stok: saat ini."),
    )
    checks = _check_section("cocok", [(_("Utang konsinyasi UMKM (2-1310)"), r.outstanding, r.ledger_payable)])
    return [main, checks]


def sessions_sections(r: reports.SessionsReport) -> list[Section]:
    return [
        Section(
            key="sesi",
            title=_("Sesi kasir"),
            columns=[
                Column(_("No. sesi"), TEXT, 12),
                Column(_("Kasir"), TEXT, 22),
                Column(_("Lokasi"), TEXT, 16),
                Column(_("Dibuka"), DATETIME),
                Column(_("Ditutup"), DATETIME),
                Column(_("Nota"), NUMBER),
                Column(_("Penjualan"), AMOUNT),
                Column(_("Modal awal"), AMOUNT),
                Column(_("Penjualan tunai"), AMOUNT),
                Column(_("Kas seharusnya"), AMOUNT),
                Column(_("Kas dihitung"), AMOUNT),
                Column(_("Selisih"), AMOUNT),
            ],
            rows=[
                Row(
                    [
                        s.session_no,
                        s.cashier,
                        s.location,
                        s.opened_at,
                        s.closed_at,
                        s.sales_count,
                        s.sales_total,
                        s.opening_float,
                        s.cash_sales,
                        s.expected,
                        s.counted,
                        s.variance,
                    ],
                    "flag" if s.variance else "",
                )
                for s in r.rows
            ],
            totals=Row(
                [
                    _("Jumlah"),
                    "",
                    "",
                    "",
                    "",
                    sum(s.sales_count for s in r.rows),
                    r.sales_total,
                    r.opening_float,
                    sum(s.cash_sales for s in r.rows),
                    r.expected,
                    r.counted,
                    r.variance,
                ],
                "total",
            ),
            empty=_("Tidak ada sesi kasir yang ditutup dalam periode ini."),
            note=_("Selisih negatif: kas kurang (dibebankan); positif: kas lebih."),
        )
    ]


SECTIONS: dict[str, Callable[[Any], list[Section]]] = {
    "daily-sales": daily_sales_sections,
    "sales-by-product": sales_by_product_sections,
    "stock-valuation": stock_valuation_sections,
    "slow-moving": slow_moving_sections,
    "purchases-by-supplier": purchases_sections,
    "price-vs-het": price_vs_het_sections,
    "consignment": consignment_sections,
    "sessions": sessions_sections,
}


def report_sections(name: str, result: Any) -> list[Section]:
    """The sections of report ``name`` (a slug of ``reports.REPORTS``) for its result."""
    return SECTIONS[name](result)


def report_xlsx(*, cooperative: Cooperative, name: str, result: Any, period_label: str) -> bytes:
    """The .xlsx file of a report."""
    spec = reports.REPORTS[name]
    return workbook_bytes(
        cooperative=cooperative,
        title=str(spec.title),
        period_label=period_label,
        sections=report_sections(name, result),
    )
