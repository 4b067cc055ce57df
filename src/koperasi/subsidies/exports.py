"""The subsidy reports as tables: one layout for the page, the Excel workbook and the CSV file.

``report_sections(name, result)`` turns what a ``subsidies.reports`` builder returned into
``Section``s of ``core.tables`` (a title, typed columns, rows, a totals row), as the gerai's
reports do; ``core.tables.display`` formats them for the page.

- Excel (``report_xlsx``): one sheet per section under a title block: cooperative,
  kelurahan, report, programme, period, who generated it and when, whether NIK/KK are
  masked; then the header on row 9, the rows and the totals. Amounts are numbers in rupiah
  format, dates real dates.
- CSV (``report_csv``), for the partner's own tools: UTF-8 with a byte-order mark (so Excel
  reads the accents), **comma**-separated, CRLF line ends, fields quoted only when needed;
  the first line is the header, then one line per row, no title block and no totals.
  Dates ``YYYY-MM-DD``, times ``HH:MM:SS`` (WITA), amounts whole rupiah without separators;
  a text starting with ``= + - @`` gets a leading ``'`` so no spreadsheet runs it as a formula.
  Excel set to Indonesian expects ``;``: open it with Data → From Text/CSV, or use the
  .xlsx. Only one-table reports have a CSV (``ReportSpec.csv``).

No database access here: every figure comes from the report.
"""

from __future__ import annotations

import csv
import datetime
from collections.abc import Callable
from io import StringIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from koperasi.cooperatives.models import Cooperative
from koperasi.core.tables import (
    AMOUNT,
    DATE,
    DATETIME,
    MONTH,
    NUMBER,
    TEXT,
    TIME,
    XLSX_CONTENT_TYPE,
    Column,
    Row,
    Section,
    workbook_bytes,
)
from koperasi.ledger.exports import kelurahan_line
from koperasi.subsidies import reports

__all__ = ["CSV_CONTENT_TYPE", "XLSX_CONTENT_TYPE", "report_csv", "report_file", "report_sections", "report_xlsx"]

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_WIDTHS = {TEXT: 24, AMOUNT: 15}  # narrower than the gerai's: the logbook has 16 columns


# --- One set of sections per report -------------------------------------------------------------------------


def _logbook_columns() -> list[Column]:
    return [
        Column(_("Tanggal"), DATE),
        Column(_("Jam"), TIME),
        Column(_("No. nota"), TEXT, 14),
        Column(_("Program"), TEXT),
        Column(_("NIK"), TEXT, 19),
        Column(_("Nama"), TEXT),
        Column(_("No. KK"), TEXT, 19),
        Column(_("Kategori"), TEXT, 16),
        Column(_("Jumlah"), NUMBER),
        Column(_("Diretur"), NUMBER),
        Column(_("Jumlah neto"), NUMBER),
        Column(_("Harga satuan"), AMOUNT),
        Column(_("Total"), AMOUNT),
        Column(_("Total neto"), AMOUNT),
        Column(_("Referensi mitra"), TEXT, 20),
        Column(_("Kasir"), TEXT, 16),
    ]


def logbook_sections(r: reports.Logbook) -> list[Section]:
    t = r.totals
    return [
        Section(
            key="buku-penyaluran",
            title=_("Buku catatan penyaluran"),
            columns=_logbook_columns(),
            rows=[
                Row(
                    [
                        x.date,
                        x.time,
                        x.sale_no,
                        x.program,
                        x.nik,
                        x.name,
                        x.kk,
                        x.category_label,
                        x.qty,
                        x.qty_returned,
                        x.qty_net,
                        x.unit_price,
                        x.total,
                        x.total_net,
                        x.partner_reference,
                        x.kasir,
                    ],
                    "muted" if x.qty_net == 0 else "",
                )
                for x in r.rows
            ],
            totals=Row(
                [
                    _("Total"),
                    None,
                    ngettext("%(n)s transaksi", "%(n)s transaksi", t.transactions) % {"n": t.transactions},
                    None,
                    None,
                    None,
                    None,
                    None,
                    t.qty,
                    t.qty_returned,
                    t.qty_net,
                    None,
                    t.amount,
                    t.amount_net,
                    None,
                    None,
                ],
                "total",
            ),
            empty=_("Tidak ada penyaluran dalam periode ini."),
            note=_(
                "Jam = saat dicatat di kasir (WITA). Diretur = unit yang dikembalikan sesudahnya (retur atau "
                "pembatalan yang disetujui); neto = jumlah − diretur. Satu transaksi = satu nota."
            ),
        )
    ]


def _allocation_columns() -> list[Column]:
    return [
        Column(_("Program"), TEXT),
        Column(_("Bulan"), MONTH),
        Column(_("Dari"), DATE),
        Column(_("Sampai"), DATE),
        Column(_("Alokasi"), NUMBER),
        Column(_("Sumber alokasi"), TEXT, 20),
        Column(_("No. alokasi"), TEXT, 16),
        Column(_("Diterima"), NUMBER),
        Column(_("Disalurkan"), NUMBER),
        Column(_("Sisa alokasi"), NUMBER),
        Column(_("Stok akhir"), NUMBER),
    ]


def allocation_sections(r: reports.AllocationReport) -> list[Section]:
    t = r.totals
    return [
        Section(
            key="alokasi",
            title=_("Alokasi dan penyaluran"),
            columns=_allocation_columns(),
            rows=[
                Row(
                    [
                        x.program,
                        x.month,
                        x.start,
                        x.end,
                        x.allocation,
                        x.source_label,
                        x.reference,
                        x.received,
                        x.distributed,
                        x.remaining,
                        x.stock_end,
                    ],
                    "flag" if x.remaining < 0 else "",
                )
                for x in r.rows
            ],
            totals=Row(
                [_("Total"), None, None, None, t.allocation, None, None, t.received, t.distributed, t.remaining, None],
                "total",
            ),
            empty=_("Tidak ada program yang berlaku dalam periode ini."),
            note=_(
                "Alokasi: yang dicatat untuk bulan itu, atau alokasi bulanan bawaan program. Diterima: penerimaan "
                "barang ke gerai/gudang. Disalurkan: setelah retur. Hari dihitung: bulan itu di dalam periode dan "
                "masa berlaku program. Stok akhir: semua lokasi pada tanggal 'Sampai'. Sisa negatif ditandai."
            ),
        )
    ]


def _kelurahan_columns() -> list[Column]:
    return [
        Column(_("Kode wilayah"), TEXT, 15),
        Column(_("Kelurahan"), TEXT),
        Column(_("Penerima (NIK)"), NUMBER, 14),
        Column(_("Rumah tangga (KK)"), NUMBER, 16),
        Column(_("Transaksi"), NUMBER),
        Column(_("Jumlah neto"), NUMBER),
        Column(_("Nilai neto"), AMOUNT),
    ]


def kelurahan_sections(r: reports.KelurahanReport) -> list[Section]:
    t = r.totals
    return [
        Section(
            key="per-kelurahan",
            title=_("Penyaluran per kelurahan"),
            columns=_kelurahan_columns(),
            rows=[
                Row([x.code, x.name, x.recipients, x.households, x.transactions, x.qty_net, x.amount_net])
                for x in r.rows
            ],
            totals=Row(
                [None, _("Total"), t.recipients, t.households, t.transactions, t.qty_net, t.amount_net], "total"
            ),
            empty=_("Tidak ada penyaluran dalam periode ini."),
            note=_(
                "Kelurahan dari data pendaftaran penerima; 'Tidak tercatat' bila kelurahannya kosong atau pembeli "
                "tidak terdaftar. Total penerima dan KK dihitung tanpa ganda."
            ),
        )
    ]


def anomalies_sections(r: reports.Anomalies) -> list[Section]:
    th = r.thresholds
    return [
        Section(
            key="satu-kk-banyak-nik",
            title=_("Satu KK, banyak NIK"),
            columns=[
                Column(_("Barang"), TEXT, 18),
                Column(_("No. KK"), TEXT, 19),
                Column(_("Jumlah NIK"), NUMBER),
                Column(_("NIK"), TEXT, 40),
                Column(_("Nama"), TEXT, 36),
                Column(_("Transaksi"), NUMBER),
                Column(_("Jumlah neto"), NUMBER),
                Column(_("Alasan"), TEXT, 60),
            ],
            rows=[
                Row(
                    [
                        x.product,
                        x.kk,
                        x.nik_count,
                        ", ".join(x.niks),
                        ", ".join(x.names),
                        x.transactions,
                        x.qty_net,
                        x.reason,
                    ],
                    "flag",
                )
                for x in r.many_niks
            ],
            empty=_("Tidak ada KK yang membeli melalui %(n)s NIK atau lebih.") % {"n": th.min_niks_per_kk},
        ),
        Section(
            key="berulang-sampai-batas",
            title=_("Berulang sampai batas kuota"),
            columns=[
                Column(_("Barang"), TEXT, 18),
                Column(_("NIK"), TEXT, 19),
                Column(_("Nama"), TEXT),
                Column(_("No. KK"), TEXT, 19),
                Column(_("Kali sampai batas"), NUMBER, 12),
                Column(_("Transaksi"), NUMBER),
                Column(_("Jumlah neto"), NUMBER),
                Column(_("Pertama"), DATE),
                Column(_("Terakhir"), DATE),
                Column(_("Alasan"), TEXT, 60),
            ],
            rows=[
                Row(
                    [
                        x.product,
                        x.nik,
                        x.name,
                        x.kk,
                        x.times_at_limit,
                        x.transactions,
                        x.qty_net,
                        x.first_date,
                        x.last_date,
                        x.reason,
                    ],
                    "flag",
                )
                for x in r.at_limit
            ],
            empty=_("Tidak ada NIK yang sampai batas kuota %(n)s kali atau lebih.") % {"n": th.min_times_at_limit},
        ),
        Section(
            key="di-luar-jam",
            title=_("Di luar jam atau tanggal mundur"),
            columns=[
                Column(_("Tanggal nota"), DATE),
                Column(_("Dicatat"), DATETIME),
                Column(_("No. nota"), TEXT, 14),
                Column(_("Barang"), TEXT, 18),
                Column(_("NIK"), TEXT, 19),
                Column(_("Nama"), TEXT),
                Column(_("Jumlah"), NUMBER),
                Column(_("Kasir"), TEXT, 16),
                Column(_("Alasan"), TEXT, 60),
            ],
            rows=[
                Row([x.date, x.recorded_at, x.sale_no, x.product, x.nik, x.name, x.qty, x.kasir, x.reason], "flag")
                for x in r.odd_times
            ],
            empty=_("Tidak ada penjualan di luar jam %(opens)s–%(closes)s atau dengan tanggal mundur.")
            % {"opens": f"{th.opens:%H:%M}", "closes": f"{th.closes:%H:%M}"},
            note=_("Jam buka %(opens)s–%(closes)s WITA.")
            % {"opens": f"{th.opens:%H:%M}", "closes": f"{th.closes:%H:%M}"},
        ),
    ]


SECTIONS: dict[str, Callable[[Any], list[Section]]] = {
    "logbook": logbook_sections,
    "allocation": allocation_sections,
    "kelurahan": kelurahan_sections,
    "anomalies": anomalies_sections,
}


def report_sections(name: str, result: Any) -> list[Section]:
    """The sections of report ``name`` (a slug of ``reports.REPORTS``) for its result."""
    return SECTIONS[name](result)


# --- Excel --------------------------------------------------------------------------------------------------


def generated_line(actor: Any, now: datetime.datetime | None = None) -> str:
    """``Dibuat oleh ketua-manggar pada 24/11/2026 19:48 WITA``."""
    moment = timezone.localtime(now or timezone.now())
    who = getattr(actor, "username", "") or "—"
    return _("Dibuat oleh %(who)s pada %(when)s %(zone)s") % {
        "who": who,
        "when": moment.strftime("%d/%m/%Y %H:%M"),
        "zone": moment.tzname() or "",
    }


def masking_line(spec: reports.ReportSpec, unmasked: bool) -> str:
    if not spec.personal:
        return _("Laporan ini tidak memuat NIK atau KK.")
    if unmasked:
        return _(
            "NIK dan KK ditampilkan lengkap: data pribadi, jangan disebarkan. Pembukaan ini tercatat di log audit."
        )
    return _("NIK dan KK disamarkan (4 angka awal dan 4 angka akhir).")


def report_xlsx(
    *, cooperative: Cooperative, name: str, result: Any, period_label: str, actor: Any, unmasked: bool = False
) -> bytes:
    """The .xlsx file of a report, with who generated it and whether NIKs are masked."""
    spec = reports.REPORTS[name]
    return workbook_bytes(
        cooperative_name=cooperative.name,
        place=kelurahan_line(cooperative),
        title=str(spec.title),
        lines=[
            reports.program_label(result.program),
            period_label,
            generated_line(actor),
            masking_line(spec, unmasked),
        ],
        sections=report_sections(name, result),
        widths=_WIDTHS,
        notes=True,
    )


def report_file(*, cooperative: Cooperative, name: str, result: Any, extension: str, actor: Any) -> tuple[bytes, str]:
    """The report as a file, ``extension`` ``csv`` or ``xlsx``: its bytes and content type."""
    if extension == "csv":
        return report_csv(name=name, result=result), CSV_CONTENT_TYPE
    content = report_xlsx(
        cooperative=cooperative,
        name=name,
        result=result,
        period_label=reports.period_label(result),
        actor=actor,
        unmasked=bool(getattr(result, "unmasked", False)),
    )
    return content, XLSX_CONTENT_TYPE


# --- CSV ----------------------------------------------------------------------------------------------------


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_value(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        # Text typed at the till must not run as a spreadsheet formula when the file is opened.
        return "'" + value if value.startswith(_FORMULA_START) else value
    if isinstance(value, datetime.datetime):
        local = timezone.localtime(value) if timezone.is_aware(value) else value
        return local.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if kind == MONTH and isinstance(value, datetime.date):
        return value.strftime("%Y-%m")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def report_csv(*, name: str, result: Any) -> bytes:
    """The CSV file of a one-table report: UTF-8 with BOM, comma, header then rows (no title, no totals)."""
    (section,) = report_sections(name, result)
    buffer = StringIO()
    writer = csv.writer(buffer)  # excel dialect: comma, CRLF, minimal quoting
    writer.writerow([c.label for c in section.columns])
    for row in section.rows:
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row.cells, section.columns, strict=False)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
