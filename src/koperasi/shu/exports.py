"""The approved SHU of all members as an Excel workbook (``core.tables``, as the gerai's reports).

Two sheets under the title block (cooperative, kelurahan, report; the year, the RAT's
decision, the amounts shared, who made the file and when):

- ``Anggota``: one row per member share, in member-number order: number, name, status,
  the jasa-modal base and part, each jasa-usaha unit's base and part, jasa usaha, total,
  paid on, how; the totals row's total equals the distribution's ``members_total``.
- ``Pembagian``: every pool with its percentage, amount, members' base, what was shared
  and the rounding remainder that went to cadangan.

No database access here: the caller passes the distribution and its shares (fetched with
their members in one query) and the unit names.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import format_rupiah
from koperasi.core.tables import AMOUNT, DATE, PERCENT, TEXT, XLSX_CONTENT_TYPE, Column, Row, Section
from koperasi.core.tables import workbook_bytes as _workbook_bytes
from koperasi.ledger.exports import kelurahan_line
from koperasi.shu.choices import Basis, PaymentMethod, Pool
from koperasi.shu.documents import pool_label, pool_rows, unit_label
from koperasi.shu.models import ShuDistribution, ShuMemberShare

__all__ = ["XLSX_CONTENT_TYPE", "distribution_sections", "distribution_xlsx", "xlsx_filename"]

TITLE = "SHU anggota"
_WIDTHS = {TEXT: 26, AMOUNT: 16}


def _usage_lines(distribution: ShuDistribution) -> list[dict[str, Any]]:
    return [p for p in distribution.pools if p.get("pool") == Pool.JASA_USAHA]


def _basis_label(value: Any) -> str:
    return str(Basis(value).label) if value in Basis.values else str(value or "")


def member_section(
    distribution: ShuDistribution, shares: Iterable[ShuMemberShare], unit_names: Mapping[str, str]
) -> Section:
    """The members' sheet: one row per share, a totals row (its total = ``members_total``)."""
    units = [str(p.get("unit", "")) for p in _usage_lines(distribution)]
    columns = [
        Column("No. anggota", TEXT, 11),
        Column("Nama", TEXT, 28),
        Column("Status", TEXT, 16),
        Column("Simpanan dasar jasa modal", AMOUNT, 18),
        Column("Jasa modal", AMOUNT),
    ]
    for pool in _usage_lines(distribution):
        name = unit_label(str(pool.get("unit", "")), unit_names)
        columns += [
            Column(f"Dasar {name} ({_basis_label(pool.get('basis')).lower()})", AMOUNT, 20),
            Column(pool_label(pool, unit_names), AMOUNT, 18),
        ]
    columns += [
        Column("Jasa usaha", AMOUNT),
        Column("Total SHU", AMOUNT),
        Column("Dibayar pada", DATE),
        Column("Cara bayar", TEXT, 20),
    ]
    methods = dict(PaymentMethod.choices)
    rows: list[Row] = []
    sums = [0] * (2 + 2 * len(units) + 2)
    for share in shares:
        usage = {str(u.get("unit")): u for u in share.usage}
        figures = [share.capital_base, share.jasa_modal]
        for unit in units:
            row = usage.get(unit) or {}
            figures += [int(row.get("base", 0)), int(row.get("amount", 0))]
        figures += [share.jasa_usaha, share.total]
        sums = [a + b for a, b in zip(sums, figures, strict=True)]
        member = share.member
        rows.append(
            Row(
                [
                    member.number,
                    member.name,
                    member.get_status_display(),
                    *figures,
                    share.paid_on,
                    str(methods.get(share.payment_method, "")) if share.payment_method else "",
                ],
                "muted" if share.total <= 0 else "",
            )
        )
    return Section(
        key="anggota",
        title="Anggota",
        columns=columns,
        rows=rows,
        totals=Row(["Total", f"{len(rows)} anggota", None, *sums, None, None], "total"),
        empty="Tidak ada anggota yang mendapat SHU.",
    )


def pools_section(distribution: ShuDistribution, unit_names: Mapping[str, str]) -> Section:
    """The allocation: every pool, its base and the rounding remainder (to cadangan)."""
    rows = [
        Row(
            [
                p.name,
                p.basis,
                p.percent_value,
                p.amount,
                p.base_total if p.is_member_pool else None,
                p.distributed if p.is_member_pool else None,
                p.remainder if p.is_member_pool else None,
            ]
        )
        for p in pool_rows(distribution, unit_names)
    ]
    return Section(
        key="pembagian",
        title="Pembagian",
        columns=[
            Column("Pos", TEXT, 30),
            Column("Dasar jasa usaha", TEXT, 26),
            Column("Persen", PERCENT),
            Column("Jumlah", AMOUNT),
            Column("Dasar semua anggota", AMOUNT, 18),
            Column("Dibagikan ke anggota", AMOUNT, 18),
            Column("Sisa pembulatan", AMOUNT),
        ],
        rows=rows,
        totals=Row(
            [
                "Total",
                None,
                Decimal(100),
                distribution.shu_total,
                None,
                distribution.members_total,
                distribution.remainder,
            ],
            "total",
        ),
        note="Sisa pembulatan bagian anggota masuk ke cadangan.",
    )


def distribution_sections(
    distribution: ShuDistribution, shares: Iterable[ShuMemberShare], unit_names: Mapping[str, str]
) -> list[Section]:
    return [member_section(distribution, shares, unit_names), pools_section(distribution, unit_names)]


def _generated_line(actor: Any, now: datetime.datetime | None = None) -> str:
    moment = timezone.localtime(now or timezone.now())
    who = getattr(actor, "username", "") or "—"
    return f"Dibuat oleh {who} pada {moment:%d/%m/%Y %H:%M} {moment.tzname() or ''}".rstrip()


def distribution_xlsx(
    *,
    cooperative: Cooperative,
    distribution: ShuDistribution,
    shares: Iterable[ShuMemberShare],
    unit_names: Mapping[str, str],
    actor: Any,
) -> bytes:
    """The .xlsx file of an approved SHU: every member's share, then the allocation."""
    d = distribution
    return _workbook_bytes(
        cooperative_name=cooperative.name,
        place=kelurahan_line(cooperative),
        title=TITLE,
        lines=[
            f"Tahun buku {d.year}",
            f"Disahkan RAT {d.rat_date:%d/%m/%Y}, keputusan no. {d.decision_number}",
            f"SHU dari anggota yang dibagi {format_rupiah(d.shu_total)}; bagian anggota "
            f"{format_rupiah(d.members_total)} untuk {d.members_count} anggota; sisa pembulatan ke cadangan "
            f"{format_rupiah(d.remainder)}",
            _generated_line(actor),
        ],
        sections=distribution_sections(d, shares, unit_names),
        widths=_WIDTHS,
        notes=True,
    )


def xlsx_filename(cooperative: Cooperative, distribution: ShuDistribution) -> str:
    return f"shu-{distribution.year}-{cooperative.code}.xlsx"
