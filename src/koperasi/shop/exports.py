"""The gerai's reports as tables: one layout for the page, the PDF and the Excel workbook.

``report_sections(name, result)`` turns what a ``shop.reports`` builder returned into
``Section``s (a title, typed columns, rows, a totals row); ``report_xlsx`` writes them to
an .xlsx file, one sheet per section, each under a title block (cooperative, kelurahan,
report, period); ``core.tables.display`` formats them for HTML and PDF (``Rp 1.234.567``,
``23/11/2026``). The table machinery is ``core.tables``, shared with the subsidy reports.
No database access here: every figure comes from the report.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from koperasi.cooperatives.models import Cooperative
from koperasi.core.tables import (
    AMOUNT,
    DATE,
    DATETIME,
    NUMBER,
    PERCENT,
    TEXT,
    XLSX_CONTENT_TYPE,
    Column,
    Row,
    Section,
    workbook_bytes,
)
from koperasi.ledger.exports import kelurahan_line
from koperasi.shop import reports
from koperasi.shop.choices import PaymentMethod, SupplierKind

__all__ = ["XLSX_CONTENT_TYPE", "report_sections", "report_xlsx"]


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
        cooperative_name=cooperative.name,
        place=kelurahan_line(cooperative),
        title=str(spec.title),
        lines=[period_label],
        sections=report_sections(name, result),
    )
