"""The SHU arithmetic, pure: allocation checks, pool amounts, member parts, the member/non-member split.

Amounts are whole rupiah (``int``); percentages are ``Decimal`` with at most two places.
Everything is integer arithmetic after the percentages are read as hundredths of a percent,
so no rounding mode hides anywhere but where this module names it:

- a pool (other than cadangan) is ``floor(total × percent / 100)``; cadangan takes what is
  left, so the pools sum exactly to the total;
- a member's part of a member pool is ``floor(pool × member's base / all members' base)``
  (domain.md §2.5 rounding policy); what the floors leave is the pool's remainder, which
  goes to cadangan when the SHU is posted;
- the surplus from non-members (domain.md §2.4) is each unit's surplus in proportion to
  the unit's non-member revenue (ADR 0007), rounded half up; the member part is the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from koperasi.core.money import Rounding, Rupiah, to_rupiah
from koperasi.shu.choices import FUND_POOLS, LOAN_BASES, LOANS_UNIT, MEMBER_POOLS, Basis, NonMemberDestination, Pool

HUNDRED = Decimal(100)
MAX_LINES = 30


@dataclass(frozen=True)
class AllocationLine:
    """One line of an SHU allocation: a pool and its percentage (a unit and basis for jasa usaha)."""

    pool: str
    percent: Decimal
    unit: str = ""  # business unit code, jasa usaha only
    basis: str = ""  # Basis, jasa usaha only
    label: str = ""  # the name of a "lainnya" line

    @property
    def key(self) -> str:
        """A name unique within an allocation (``jasa_usaha:gerai_sembako``, ``lainnya:BPK``)."""
        if self.pool == Pool.JASA_USAHA:
            return f"{self.pool}:{self.unit}"
        if self.pool == Pool.LAINNYA:
            return f"{self.pool}:{self.label.strip().lower()}"
        return str(self.pool)


# Up to three digits, then a decimal point or comma (as Indonesians write it) and up to two digits.
# ASCII digits only: no exponent ("1e2"), no thousands separator ("1,000" is not 1 %), no sign.
_PERCENT = re.compile(r"^[0-9]{1,3}(?:[.,][0-9]{1,2})?$")


def percent_parse(value: object) -> Decimal | None:
    """Return ``value`` as a percentage (``"12.5"``, ``"12,5"``, ``10``), or None if it is not one."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    if not _PERCENT.match(text):
        return None
    return Decimal(text.replace(",", "."))


def pool_name(pool: str, *, unit: str = "", label: str = "", unit_names: Mapping[str, str] | None = None) -> str:
    """The pool's name as people read it: ``Cadangan``, ``Jasa usaha anggota — Gerai sembako``, a lainnya's label."""
    if pool == Pool.LAINNYA:
        return label or str(Pool.LAINNYA.label)
    name = str(Pool(pool).label) if pool in Pool.values else pool
    if pool == Pool.JASA_USAHA:
        return f"{name} — {(unit_names or {}).get(unit) or unit}"
    return name


def fund_key(pool: str, label: str = "") -> str:
    """Name a fund for its sub-ledger: the pool code, or ``lainnya:<label>`` for a named other line."""
    return f"{Pool.LAINNYA}:{label}" if pool == Pool.LAINNYA else pool


def fund_name(key: str) -> str:
    """The fund's name as people read it (``Dana pendidikan``, a lainnya line's label)."""
    pool, _, label = key.partition(":")
    return pool_name(pool, label=label)


def fund_credits(
    pools: Iterable[tuple[str, str, Rupiah]], *, non_member_amount: Rupiah, non_member_destination: str
) -> dict[str, Rupiah]:
    """Return what one SHU distribution puts into each fund, by fund key, in allocation order.

    ``pools`` are (pool, label, amount) of the allocation; only fund pools count (domain.md
    §2.2). The surplus from non-members adds to its destination when that is a fund
    (domain.md §2.4); it is negative when non-members brought a loss.
    """
    credits: dict[str, Rupiah] = {}
    for pool, label, amount in pools:
        if pool in FUND_POOLS:
            key = fund_key(pool, label)
            credits[key] = credits.get(key, 0) + amount
    if non_member_destination != NonMemberDestination.CADANGAN and non_member_amount:
        credits[non_member_destination] = credits.get(non_member_destination, 0) + non_member_amount
    return credits


def format_percent(value: Decimal) -> str:
    """``Decimal("12.50")`` → ``"12,5"`` (as Indonesians write it)."""
    text = f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}".rstrip("0")
    return text.replace(".", ",")


def allocation_sum(lines: Sequence[AllocationLine]) -> Decimal:
    return sum((line.percent for line in lines), Decimal(0))


def allocation_problems(
    lines: Sequence[AllocationLine], *, unit_codes: frozenset[str] | None = None
) -> dict[str, list[str]]:
    """Return what is wrong with an allocation, by field (``allocation`` or ``allocation.N``); empty if none.

    The rules: at least one line and at most ``MAX_LINES``; each percentage above 0 and at
    most 100 with at most two decimals; one cadangan line (UU 25/1992 Pasal 45: SHU is
    shared after the reserve); each pool once, except jasa usaha (once per unit) and lainnya
    (once per name); a jasa usaha line names a known unit and a basis, the loan bases only
    for the savings-and-loan unit; and the percentages sum to exactly 100 (domain.md §2.2:
    the 105 % lists found in the wild are refused).
    """
    problems: dict[str, list[str]] = {}
    if not lines:
        return {"allocation": ["Isi paling sedikit satu baris pembagian SHU."]}
    if len(lines) > MAX_LINES:
        return {"allocation": [f"Pembagian SHU paling banyak {MAX_LINES} baris."]}
    seen: set[str] = set()
    for i, line in enumerate(lines, start=1):
        key = f"allocation.{i}"
        if line.pool not in Pool.values:
            problems.setdefault(key, []).append(
                f"Baris {i}: pos '{line.pool}' tidak dikenal; pilih salah satu: {', '.join(Pool.values)}."
            )
            continue
        if not (Decimal(0) < line.percent <= HUNDRED):
            problems.setdefault(key, []).append(f"Baris {i}: persentase harus lebih dari 0 dan paling besar 100.")
        elif line.percent != line.percent.quantize(Decimal("0.01")):
            problems.setdefault(key, []).append(f"Baris {i}: persentase paling banyak dua desimal.")
        if line.pool == Pool.JASA_USAHA:
            if not line.unit:
                problems.setdefault(key, []).append(f"Baris {i}: jasa usaha harus menyebut unit usaha.")
            elif unit_codes is not None and line.unit not in unit_codes:
                problems.setdefault(key, []).append(f"Baris {i}: unit usaha '{line.unit}' tidak ada di koperasi ini.")
            if line.basis not in Basis.values:
                problems.setdefault(key, []).append(
                    f"Baris {i}: dasar jasa usaha harus salah satu: {', '.join(Basis.values)}."
                )
            elif line.basis in LOAN_BASES and line.unit and line.unit != LOANS_UNIT:
                problems.setdefault(key, []).append(
                    f"Baris {i}: dasar '{line.basis}' hanya untuk unit simpan pinjam ({LOANS_UNIT})."
                )
        elif line.unit or line.basis:
            problems.setdefault(key, []).append(f"Baris {i}: unit dan dasar hanya untuk pos jasa usaha.")
        if line.pool == Pool.LAINNYA and not line.label.strip():
            problems.setdefault(key, []).append(f"Baris {i}: beri nama untuk pos lainnya.")
        if line.key in seen:
            problems.setdefault(key, []).append(f"Baris {i}: pos ini sudah ada di baris lain.")
        seen.add(line.key)
    if not any(line.pool == Pool.CADANGAN for line in lines):
        problems.setdefault("allocation", []).append(
            "Pembagian SHU harus memuat cadangan (UU 25/1992 Pasal 45: SHU dibagi setelah dana cadangan)."
        )
    total = allocation_sum(lines)
    if total != HUNDRED:
        problems.setdefault("allocation", []).append(
            f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {format_percent(total)}%."
        )
    return problems


def pool_amounts(total: Rupiah, lines: Sequence[AllocationLine]) -> list[Rupiah]:
    """Return each line's amount: floor(total × percent / 100), cadangan taking the rest (sums to ``total``)."""
    if total < 0:
        raise ValueError("the SHU total must not be negative")
    amounts = [0 if line.pool == Pool.CADANGAN else total * int(line.percent * 100) // 10_000 for line in lines]
    reserve = next(i for i, line in enumerate(lines) if line.pool == Pool.CADANGAN)
    amounts[reserve] = total - sum(amounts)
    return amounts


def member_parts(pool: Rupiah, bases: Mapping[int, int]) -> tuple[dict[int, Rupiah], Rupiah]:
    """Split ``pool`` over members in proportion to their positive bases, each part rounded down.

    Returns (part per member, remainder). With no positive base the whole pool is remainder.
    """
    positive = {member_id: base for member_id, base in bases.items() if base > 0}
    base_total = sum(positive.values())
    if not base_total or pool <= 0:
        return dict.fromkeys(positive, 0), pool
    parts = {member_id: pool * base // base_total for member_id, base in positive.items()}
    return parts, pool - sum(parts.values())


@dataclass(frozen=True)
class PoolResult:
    line: AllocationLine
    amount: Rupiah
    base_total: int = 0  # all members' base (member pools only)
    distributed: Rupiah = 0  # Σ members' parts (member pools only)

    @property
    def remainder(self) -> Rupiah:
        return self.amount - self.distributed if self.line.pool in MEMBER_POOLS else 0


@dataclass
class MemberResult:
    """One member's SHU: jasa modal from the capital base, jasa usaha per unit from its base."""

    capital_base: int = 0
    jasa_modal: Rupiah = 0
    usage: list[tuple[str, str, int, Rupiah]] = field(default_factory=list)  # unit, basis, base, amount

    @property
    def jasa_usaha(self) -> Rupiah:
        return sum(amount for _, _, _, amount in self.usage)

    @property
    def total(self) -> Rupiah:
        return self.jasa_modal + self.jasa_usaha


@dataclass
class ShuResult:
    shu_total: Rupiah
    pools: list[PoolResult]
    members: dict[int, MemberResult]

    @property
    def remainder(self) -> Rupiah:
        """What rounding members' parts down left over: it goes to cadangan."""
        return sum(p.remainder for p in self.pools)

    @property
    def members_total(self) -> Rupiah:
        return sum(p.distributed for p in self.pools)

    def pool_total(self, pool: str) -> Rupiah:
        return sum(p.amount for p in self.pools if p.line.pool == pool)


def shu_compute(
    total: Rupiah,
    lines: Sequence[AllocationLine],
    *,
    capital_bases: Mapping[int, int],
    usage_bases: Mapping[str, Mapping[int, int]],
) -> ShuResult:
    """Allocate ``total`` by ``lines`` and share the member pools over the members' bases.

    ``capital_bases``: member id → savings counted for jasa modal; ``usage_bases``: unit code
    → member id → that unit's measure. The caller has checked ``allocation_problems``.
    Every member with a positive base in any member pool appears in ``members`` (a part may
    round to 0). Sums are exact: pools sum to ``total``; each member pool's parts plus its
    remainder equal the pool.
    """
    members: dict[int, MemberResult] = {}
    pools = []
    for line, amount in zip(lines, pool_amounts(total, lines), strict=True):
        if line.pool == Pool.JASA_MODAL:
            bases: Mapping[int, int] = capital_bases
        elif line.pool == Pool.JASA_USAHA:
            bases = usage_bases.get(line.unit, {})
        else:
            pools.append(PoolResult(line, amount))
            continue
        parts, remainder = member_parts(amount, bases)
        for member_id, part in parts.items():
            result = members.setdefault(member_id, MemberResult())
            if line.pool == Pool.JASA_MODAL:
                result.capital_base, result.jasa_modal = bases[member_id], part
            else:
                result.usage.append((line.unit, line.basis, bases[member_id], part))
        base_total = sum(b for b in bases.values() if b > 0)
        pools.append(PoolResult(line, amount, base_total=base_total, distributed=amount - remainder))
    return ShuResult(shu_total=total, pools=pools, members=members)


# --- The year-end split: surplus from members and from non-members ---------------------------
@dataclass(frozen=True)
class UnitFigures:
    """One business unit's year (0 = lines without a unit): revenue by party, and its surplus."""

    unit_id: int
    member_revenue: Rupiah
    non_member_revenue: Rupiah
    surplus: Rupiah  # all its income − all its expense


@dataclass(frozen=True)
class SurplusSplit:
    members: Rupiah
    non_members: Rupiah
    by_unit: tuple[tuple[int, Rupiah, Rupiah], ...]  # unit id, members' part, non-members' part

    @property
    def total(self) -> Rupiah:
        return self.members + self.non_members


def _share(amount: Rupiah, part: Rupiah, whole: Rupiah) -> Rupiah:
    return to_rupiah(Decimal(amount) * Decimal(part) / Decimal(whole), Rounding.HALF_UP) if whole else 0


def surplus_split(units: Sequence[UnitFigures]) -> SurplusSplit:
    """Split the year's surplus into the part earned from members and from non-members (ADR 0007).

    A unit that sold to members or non-members splits its own surplus (its costs with it) by
    its non-member share of that revenue. A unit without such revenue (the office, bank
    interest, lines without a unit) is overhead of the whole business: its surplus (usually a
    loss) is split by the cooperative's overall non-member share of member + non-member revenue.
    With no party revenue at all, everything is the members'. The two parts sum exactly.
    """
    all_member = sum(u.member_revenue for u in units)
    all_non_member = sum(u.non_member_revenue for u in units)
    by_unit = []
    for u in units:
        party = u.member_revenue + u.non_member_revenue
        if party > 0:
            non = _share(u.surplus, u.non_member_revenue, party)
        else:
            non = _share(u.surplus, all_non_member, all_member + all_non_member)
        by_unit.append((u.unit_id, u.surplus - non, non))
    return SurplusSplit(
        members=sum(m for _, m, _ in by_unit), non_members=sum(n for _, _, n in by_unit), by_unit=tuple(by_unit)
    )
