"""A member's SHU explained, and the slip (slip SHU) that prints it.

- ``pool_rows``: every pool of an approved SHU as the distribution page shows it (pure).
- ``share_explain``: how one member's share was computed from their own bases, one line per
  part: "Jasa modal = simpanan (pokok + wajib) Anda Rp 300.000 / simpanan (pokok + wajib)
  semua anggota Rp 600.000 × dana jasa modal Rp 224.000 = Rp 112.000 (dibulatkan ke
  bawah)" and the same for each business unit's jasa usaha (pure; domain.md §2.3, §2.5).
- ``slip_pdf``: the slip as a PDF (``shu/slip_pdf.html`` laid out by WeasyPrint): the
  cooperative, the year, the member, the lines above, the total, whether it is paid, and the
  RAT's decision.

Everything comes from the stored distribution (its pools snapshot) and the member's share,
so a slip printed years later shows what the RAT approved, whatever the policy is now.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.money import format_rupiah
from koperasi.ledger.exports import kelurahan_line
from koperasi.ledger.pdf import place_name, render_pdf
from koperasi.shu.calculations import format_percent
from koperasi.shu.choices import MEMBER_POOLS, Basis, NonMemberDestination, PaymentMethod, Pool
from koperasi.shu.models import ShuDistribution, ShuMemberShare

SLIP_TEMPLATE = "shu/slip_pdf.html"

# What each jasa-usaha basis measures: the member's own, everyone's, and the noun alone.
_BASIS_WORDS: dict[str, tuple[str, str, str]] = {
    Basis.PURCHASES: ("belanja Anda", "belanja semua anggota", "belanja"),
    Basis.LOAN_INTEREST: ("jasa pinjaman yang Anda bayar", "jasa pinjaman yang dibayar semua anggota", "jasa pinjaman"),
    Basis.LOAN_PRINCIPAL: (
        "pinjaman yang dicairkan kepada Anda",
        "pinjaman yang dicairkan kepada semua anggota",
        "pinjaman yang dicairkan",
    ),
}
ROUNDED_DOWN = "(dibulatkan ke bawah)"


def _rp(amount: int) -> str:
    """``Rp 1.234.567`` with a no-break space, so a printed line never parts "Rp" from its number."""
    return format_rupiah(amount).replace(" ", "\u00a0")


def capital_kinds_label(kinds: Sequence[str]) -> str:
    """``["pokok", "wajib"]`` → ``pokok + wajib`` (the savings counted for jasa modal)."""
    return " + ".join(str(k) for k in kinds) or "—"


def unit_label(code: str, unit_names: Mapping[str, str]) -> str:
    return unit_names.get(code) or code


def pool_label(pool: Mapping[str, Any], unit_names: Mapping[str, str]) -> str:
    """The pool's name as people read it: ``Cadangan``, ``Jasa usaha Gerai Sembako``, a ``lainnya`` line's label."""
    kind = str(pool.get("pool", ""))
    if kind == Pool.JASA_USAHA:
        return f"Jasa usaha {unit_label(str(pool.get('unit', '')), unit_names)}"
    if kind == Pool.JASA_MODAL:
        return "Jasa modal"
    if kind == Pool.LAINNYA:
        return str(pool.get("label") or pool.get("name") or "Lainnya")
    return str(Pool(kind).label) if kind in Pool.values else str(pool.get("name") or kind)


# --- The distribution's pools ------------------------------------------------------------------
@dataclass(frozen=True)
class PoolRow:
    key: str  # jasa_modal, jasa_usaha:gerai_sembako, cadangan, ...
    name: str
    percent: str  # "12,5"
    percent_value: Decimal
    amount: int
    is_member_pool: bool
    basis: str  # the jasa-usaha basis label, else ""
    base_total: int  # all members' base (member pools)
    distributed: int  # Σ members' parts (member pools)
    remainder: int  # rounded away, to cadangan (member pools)


def pool_rows(distribution: ShuDistribution, unit_names: Mapping[str, str]) -> list[PoolRow]:
    """Return the pools of an approved SHU in the RAT's order, with their bases and remainders."""
    rows = []
    for pool in distribution.pools:
        kind = str(pool.get("pool", ""))
        key = f"{kind}:{pool.get('unit')}" if kind == Pool.JASA_USAHA else kind
        basis = str(pool.get("basis") or "")
        percent = Decimal(str(pool.get("percent", "0")))
        rows.append(
            PoolRow(
                key=key,
                name=pool_label(pool, unit_names),
                percent=format_percent(percent),
                percent_value=percent,
                amount=int(pool.get("amount", 0)),
                is_member_pool=kind in MEMBER_POOLS,
                basis=str(Basis(basis).label) if basis in Basis.values else "",
                base_total=int(pool.get("base_total", 0)),
                distributed=int(pool.get("distributed", 0)),
                remainder=int(pool.get("remainder", 0)),
            )
        )
    return rows


def non_member_destination_label(distribution: ShuDistribution) -> str:
    value = distribution.non_member_destination
    return str(NonMemberDestination(value).label) if value in NonMemberDestination.values else value


# --- One member's share ------------------------------------------------------------------------
@dataclass(frozen=True)
class PartLine:
    """One part of a member's SHU and how it was computed."""

    key: str  # jasa_modal or jasa_usaha:<unit code>
    label: str  # Jasa modal, Jasa usaha Gerai Sembako
    percent: str  # the pool's percentage of the SHU, "20"
    basis: str  # what measured the member's part: "simpanan pokok + wajib", "belanja"
    base: int
    base_total: int
    pool: int
    amount: int
    text: str  # the sentence


@dataclass(frozen=True)
class ShareExplanation:
    year: int
    capital_kinds: str  # "pokok + wajib"
    parts: list[PartLine]
    jasa_modal: int
    jasa_usaha: int
    total: int
    paid_on: datetime.date | None
    payment_method: str  # label, or ""
    rat_date: datetime.date
    decision_number: str

    @property
    def is_paid(self) -> bool:
        return self.paid_on is not None

    @property
    def status_text(self) -> str:
        if self.paid_on is not None:
            return f"Sudah dibayar {self.paid_on:%d/%m/%Y} ({self.payment_method.lower()})"
        if self.total <= 0:
            return "Tidak ada yang dibayar (Rp 0)"
        return "Belum dibayar"


def _part_text(
    label: str, mine: str, everyone: str, base: int, base_total: int, pool_name: str, pool: int, amount: int
) -> str:
    return (
        f"{label} = {mine} {_rp(base)} / {everyone} {_rp(base_total)} × {pool_name} {_rp(pool)} "
        f"= {_rp(amount)} {ROUNDED_DOWN}"
    )


def share_explain(
    distribution: ShuDistribution, share: ShuMemberShare, unit_names: Mapping[str, str]
) -> ShareExplanation:
    """Return how ``share`` was computed: one line for jasa modal and one per jasa-usaha unit of the allocation."""
    year = distribution.year
    kinds = capital_kinds_label(distribution.capital_kinds)
    usage = {str(u.get("unit")): u for u in share.usage}
    parts: list[PartLine] = []
    for pool in distribution.pools:
        kind = str(pool.get("pool", ""))
        if kind not in MEMBER_POOLS:
            continue
        amount_pool, base_total = int(pool.get("amount", 0)), int(pool.get("base_total", 0))
        percent = format_percent(Decimal(str(pool.get("percent", "0"))))
        if kind == Pool.JASA_MODAL:
            label, base, amount = "Jasa modal", share.capital_base, share.jasa_modal
            mine, everyone = f"simpanan ({kinds}) Anda", f"simpanan ({kinds}) semua anggota"
            pool_name, basis = "dana jasa modal", f"simpanan {kinds}"
            missing = f"tidak ada simpanan ({kinds}) Anda pada 31/12/{year}"
            key = Pool.JASA_MODAL.value
        else:
            unit = str(pool.get("unit", ""))
            name = unit_label(unit, unit_names)
            mine, everyone, basis = _BASIS_WORDS.get(
                str(pool.get("basis")), ("transaksi Anda", "transaksi semua anggota", "transaksi")
            )
            label, pool_name = f"Jasa usaha {name}", f"dana jasa usaha {name}"
            row = usage.get(unit) or {}
            base, amount = int(row.get("base", 0)), int(row.get("amount", 0))
            missing = f"tidak ada {mine} di {name} pada {year}"
            key = f"{Pool.JASA_USAHA.value}:{unit}"
        if base > 0 and base_total > 0:
            text = _part_text(label, mine, everyone, base, base_total, pool_name, amount_pool, amount)
        else:
            text = f"{label} = {_rp(amount)}: {missing}"
        parts.append(PartLine(key, label, percent, basis, base, base_total, amount_pool, amount, text))
    method = share.payment_method
    return ShareExplanation(
        year=year,
        capital_kinds=kinds,
        parts=parts,
        jasa_modal=share.jasa_modal,
        jasa_usaha=share.jasa_usaha,
        total=share.total,
        paid_on=share.paid_on,
        payment_method=str(PaymentMethod(method).label) if method in PaymentMethod.values else "",
        rat_date=distribution.rat_date,
        decision_number=distribution.decision_number,
    )


# --- The slip ----------------------------------------------------------------------------------
def slip_filename(cooperative: Cooperative, share: ShuMemberShare) -> str:
    return f"slip-shu-{share.distribution.year}-{cooperative.code}-{share.member.number}.pdf"


def slip_pdf(*, cooperative: Cooperative, share: ShuMemberShare, unit_names: Mapping[str, str]) -> bytes:
    """Render a member's SHU slip (``share`` fetched with its member and distribution) as an A5 PDF."""
    now = timezone.localtime()
    context = {
        "coop": cooperative,
        "kelurahan_line": kelurahan_line(cooperative),
        "place": place_name(cooperative),
        "printed_at": now,
        "share": share,
        "member": share.member,
        "distribution": share.distribution,
        "x": share_explain(share.distribution, share, unit_names),
    }
    return render_pdf(context, SLIP_TEMPLATE)
