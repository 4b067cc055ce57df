"""Writes of the year-end close and the SHU: policy, close, reopen, RAT approval, payment.

Every function is one transaction and leaves an audit row. Callers (views, API, the
``fiscal_year_close`` command) have checked the actor's permission with ``core.access``;
reopening a year checks the two roles itself because needing both is the point.
Operations on a cooperative's year take the cooperative's row lock first, so a close,
a reopen and an approval of the same cooperative run one after another.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.core.access import board_pair_role
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger import services as ledger_services
from koperasi.ledger.models import Account
from koperasi.ledger.services import ByRole, LineInput
from koperasi.members.choices import MemberStatus
from koperasi.savings import services as savings_services
from koperasi.savings.choices import SavingsKind
from koperasi.shu import calculations, selectors
from koperasi.shu.calculations import AllocationLine, ShuResult
from koperasi.shu.choices import NonMemberDestination, PaymentMethod, Pool, ReopenStatus, SpendChannel, YearStatus
from koperasi.shu.models import (
    FiscalYear,
    FiscalYearReopenRequest,
    ShuDistribution,
    ShuFundSpend,
    ShuMemberShare,
    ShuPolicy,
    ShuPolicyLine,
)

YEAR_MIN, YEAR_MAX = 1900, 2999
MAX_SHU_TOTAL = 10**15  # Rp1.000 triliun, as the ledger's own limit


# --- Input checks ----------------------------------------------------------------------------
def year_check(year: Any) -> int:
    """Return ``year`` as an int in range. Raises ValidationError."""
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_MIN <= year <= YEAR_MAX:
        raise ValidationError.for_field("year", f"Tahun buku harus antara {YEAR_MIN} dan {YEAR_MAX}.")
    return year


def allocation_parse(rows: Iterable[Mapping[str, Any]]) -> list[AllocationLine]:
    """Turn raw allocation rows (``pool``, ``percent``, ``unit``, ``basis``, ``label``) into lines.

    Raises ValidationError naming each row whose percentage is not a number with at most two decimals.
    """
    lines, problems = [], {}
    for i, row in enumerate(rows, start=1):
        percent = calculations.percent_parse(row.get("percent"))
        if percent is None:
            problems[f"allocation.{i}"] = [
                f'Baris {i}: persentase harus angka dengan paling banyak dua desimal, mis. "12.5".'
            ]
            continue
        lines.append(
            AllocationLine(
                pool=str(row.get("pool") or "").strip(),
                percent=percent,
                unit=str(row.get("unit") or "").strip(),
                basis=str(row.get("basis") or "").strip(),
                label=str(row.get("label") or "").strip()[:60],
            )
        )
    if problems:
        raise ValidationError("Pembagian SHU tidak valid.", code="shu_allocation_invalid", detail=problems)
    return lines


def allocation_check(
    *, cooperative: Cooperative, lines: Sequence[AllocationLine], capital_kinds: Sequence[str]
) -> tuple[str, ...]:
    """Check an allocation and its capital kinds against the cooperative; return the kinds, cleaned.

    Raises ValidationError ``shu_allocation_invalid`` with every problem, e.g. the sum when
    it is not exactly 100 % (domain.md §2.2).
    """
    problems = calculations.allocation_problems(
        lines, unit_codes=frozenset(selectors.unit_codes(cooperative=cooperative))
    )
    kinds = tuple(dict.fromkeys(str(k).strip() for k in capital_kinds))
    unknown = [k for k in kinds if k not in SavingsKind.values]
    if unknown:
        problems["capital_kinds"] = [
            f"Jenis simpanan tidak dikenal: {', '.join(unknown)}; pilih dari {', '.join(SavingsKind.values)}."
        ]
    elif not kinds and any(line.pool == Pool.JASA_MODAL for line in lines):
        problems["capital_kinds"] = ["Pilih paling sedikit satu jenis simpanan sebagai dasar jasa modal."]
    if problems:
        messages = [message for field_messages in problems.values() for message in field_messages]
        total = calculations.allocation_sum(lines)
        raise ValidationError(
            " ".join(messages),
            code="shu_allocation_invalid",
            detail={**problems, "percent_sum": [calculations.format_percent(total)]},
        )
    return kinds


def shu_total_check(value: Any) -> int:
    """Return a proposed SHU total. Raises ValidationError (not whole rupiah, negative, too large)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.for_field("shu_total", "Total SHU harus rupiah bulat.")
    if value < 0:
        raise ValidationError.for_field("shu_total", "Total SHU tidak boleh negatif.", code="shu_total_negative")
    if value > MAX_SHU_TOTAL:
        raise ValidationError.for_field("shu_total", "Total SHU terlalu besar.")
    return value


# --- Policy ----------------------------------------------------------------------------------
def shu_policy_save(
    *,
    cooperative: Cooperative,
    effective_year: int,
    lines: Sequence[AllocationLine],
    capital_kinds: Sequence[str],
    non_member_destination: str = NonMemberDestination.CADANGAN,
    note: str = "",
    actor: Any,
) -> ShuPolicy:
    """Save the SHU rules (AD/ART) in force from ``effective_year``, replacing that year's rules if any.

    Raises ValidationError (year, allocation not summing to 100 %, unknown unit, kind or
    destination) and Conflict (``shu_policy_year_distributed``: a year from ``effective_year``
    on already has its SHU distributed).
    """
    effective_year = year_check(effective_year)
    kinds = allocation_check(cooperative=cooperative, lines=lines, capital_kinds=capital_kinds)
    if non_member_destination not in NonMemberDestination.values:
        raise ValidationError.for_field("non_member_destination", "Tujuan SHU dari bukan anggota tidak dikenal.")
    units = dict(BusinessUnit.objects.filter(cooperative=cooperative).values_list("code", "id"))
    with transaction.atomic():
        _cooperative_locked(cooperative)
        distributed = (
            ShuDistribution.objects.filter(cooperative=cooperative, year__gte=effective_year)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        if distributed is not None:
            raise Conflict(
                f"SHU tahun {distributed} sudah dibagikan; aturan baru berlaku paling awal tahun {distributed + 1}.",
                code="shu_policy_year_distributed",
            )
        ShuPolicy.objects.filter(cooperative=cooperative, effective_year=effective_year).delete()
        policy = ShuPolicy.objects.create(
            cooperative=cooperative,
            effective_year=effective_year,
            capital_kinds=list(kinds),
            non_member_destination=non_member_destination,
            note=(note or "").replace("\x00", "").strip()[:250],
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        ShuPolicyLine.objects.bulk_create(
            ShuPolicyLine(
                cooperative=cooperative,
                policy=policy,
                position=i,
                pool=line.pool,
                percent=line.percent,
                unit_id=units.get(line.unit) if line.pool == Pool.JASA_USAHA else None,
                basis=line.basis if line.pool == Pool.JASA_USAHA else "",
                label=line.label if line.pool == Pool.LAINNYA else "",
            )
            for i, line in enumerate(lines, start=1)
        )
        audit_record(
            actor=actor,
            action="shu.policy_save",
            cooperative=cooperative,
            target=policy,
            data={
                "effective_year": effective_year,
                "capital_kinds": list(kinds),
                "allocation": [_line_data(line) for line in lines],
                "non_member_destination": non_member_destination,
            },
        )
    return policy


def _line_data(line: AllocationLine) -> dict[str, str]:
    return {
        "pool": str(line.pool),
        "percent": str(line.percent),
        "unit": line.unit,
        "basis": str(line.basis),
        "label": line.label,
    }


def _cooperative_locked(cooperative: Cooperative) -> Cooperative:
    return Cooperative.objects.select_for_update().get(pk=cooperative.pk)


# --- Year-end close --------------------------------------------------------------------------
def _signed_line(account: ByRole | Account, amount: int, memo: str, **extra: Any) -> list[LineInput]:
    """A credit of ``amount`` (a debit when negative); nothing when zero."""
    if amount == 0:
        return []
    return [LineInput(account=account, credit=max(amount, 0), debit=max(-amount, 0), memo=memo, **extra)]


def fiscal_year_close(
    *, cooperative: Cooperative, year: int, actor: Any, today: datetime.date | None = None
) -> FiscalYear:
    """Close the books of ``year``: move its income and expense to SHU tahun berjalan and lock it.

    The surplus is split into the part earned from members (3-1610) and from non-members
    (3-1620) by ``calculations.surplus_split`` (ADR 0007). Raises ValidationError (year),
    Conflict ``year_already_closed`` and ``year_close_blocked`` (``detail.blockers`` lists
    every reason: year not over, previous year open, months open, cashier sessions open,
    ledger verify failing).
    """
    year = year_check(year)
    with transaction.atomic():
        _cooperative_locked(cooperative)
        fiscal_year = FiscalYear.objects.select_for_update().filter(cooperative=cooperative, year=year).first()
        if fiscal_year is not None and fiscal_year.is_closed:
            raise Conflict(f"Tahun buku {year} sudah ditutup.", code="year_already_closed")
        blockers = selectors.year_close_blockers(cooperative=cooperative, year=year, today=today)
        if blockers:
            raise Conflict(
                f"Tutup buku {year} belum dapat dilakukan: " + " ".join(b.message for b in blockers),
                code="year_close_blocked",
                detail={"blockers": [{"code": b.code, "message": b.message} for b in blockers]},
            )
        preview = selectors.year_close_preview(cooperative=cooperative, year=year)
        entry = None
        if preview.lines:
            entry = ledger_services.closing_entry_post(
                cooperative=cooperative,
                year=year,
                lines=[
                    *preview.lines,
                    *_signed_line(ByRole("shu_current_members"), preview.surplus_members, f"SHU {year} dari anggota"),
                    *_signed_line(
                        ByRole("shu_current_non_members"), preview.surplus_non_members, f"SHU {year} dari bukan anggota"
                    ),
                ],
                memo=f"Tutup buku tahun {year}: pendapatan dan beban ke SHU tahun berjalan",
                actor=actor,
            )
        ledger_services.year_lock(cooperative=cooperative, year=year)
        figures = {
            "status": YearStatus.CLOSED,
            "closed_at": timezone.now(),
            "closed_by": actor if getattr(actor, "pk", None) else None,
            "closing_entry": entry,
            "total_income": preview.total_income,
            "total_expense": preview.total_expense,
            "revenue_members": preview.revenue_members,
            "revenue_non_members": preview.revenue_non_members,
            "surplus": preview.surplus,
            "surplus_members": preview.surplus_members,
            "surplus_non_members": preview.surplus_non_members,
            "split": preview.split,
        }
        if fiscal_year is None:
            fiscal_year = FiscalYear.objects.create(cooperative=cooperative, year=year, **figures)
        else:
            for name, value in figures.items():
                setattr(fiscal_year, name, value)
            fiscal_year.save()
        audit_record(
            actor=actor,
            action="shu.year_close",
            cooperative=cooperative,
            target=fiscal_year,
            data={
                "year": year,
                "entry": entry.number if entry else None,
                "surplus": preview.surplus,
                "surplus_members": preview.surplus_members,
                "surplus_non_members": preview.surplus_non_members,
            },
        )
    return fiscal_year


_REOPEN_REFUSAL = "Membuka kembali tahun buku memerlukan ketua dan pengawas."


def fiscal_year_reopen_request(
    *, cooperative: Cooperative, year: int, reason: str, actor: Any
) -> FiscalYearReopenRequest:
    """Ask to reopen a closed year; the other of ketua/pengawas must approve.

    Raises PermissionDenied (neither ketua nor pengawas), ValidationError (year, no reason),
    Conflict (``year_not_closed``, ``shu_already_distributed``, ``reopen_pending``).
    """
    role = board_pair_role(actor, cooperative, refusal=_REOPEN_REFUSAL)
    year = year_check(year)
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Alasan membuka kembali tahun buku wajib diisi.")
    with transaction.atomic():
        _cooperative_locked(cooperative)
        fiscal_year = FiscalYear.objects.filter(cooperative=cooperative, year=year).first()
        if fiscal_year is None or not fiscal_year.is_closed:
            raise Conflict(f"Tahun buku {year} tidak sedang ditutup.", code="year_not_closed")
        _refuse_if_distributed(cooperative, year, _NO_REOPEN)
        if FiscalYearReopenRequest.objects.filter(
            cooperative=cooperative, fiscal_year=fiscal_year, status=ReopenStatus.PENDING
        ).exists():
            raise Conflict("Permintaan membuka tahun buku ini sudah menunggu persetujuan.", code="reopen_pending")
        request = FiscalYearReopenRequest.objects.create(
            cooperative=cooperative,
            fiscal_year=fiscal_year,
            reason=reason[:250],
            requested_by=actor,
            requested_role=role,
        )
        audit_record(
            actor=actor,
            action="shu.year_reopen_request",
            cooperative=cooperative,
            target=request,
            data={"year": year, "role": role, "reason": reason},
        )
    return request


def _refuse_if_distributed(cooperative: Cooperative, year: int, consequence: str) -> None:
    """Raise Conflict ``shu_already_distributed`` (with what it prevents) when ``year``'s SHU was shared."""
    if ShuDistribution.objects.filter(cooperative=cooperative, year=year).exists():
        raise _already_distributed(year, consequence)


def _already_distributed(year: int, consequence: str) -> Conflict:
    return Conflict(f"SHU tahun {year} sudah dibagikan; {consequence}.", code="shu_already_distributed")


_NO_REOPEN = "tahun buku itu tidak dapat dibuka kembali"
_NO_REPEAT = "pembagian tidak dapat diulang"


def fiscal_year_reopen_approve(*, cooperative: Cooperative, request: FiscalYearReopenRequest, actor: Any) -> FiscalYear:
    """Approve a reopen request as the other of ketua/pengawas: reverse the closing entry and unlock the year.

    The months stay closed; each is reopened through the ledger's own request when needed.
    Raises NotFound, PermissionDenied (same person or same role as the requester), Conflict
    (``reopen_not_pending``, ``shu_already_distributed``).
    """
    if request.cooperative_id != cooperative.pk:
        raise NotFound()
    if getattr(actor, "pk", None) == request.requested_by_id:
        raise PermissionDenied("Persetujuan harus dari orang lain (ketua dan pengawas).")
    role = board_pair_role(actor, cooperative, refusal=_REOPEN_REFUSAL, exclude=request.requested_role)
    with transaction.atomic():
        _cooperative_locked(cooperative)
        locked = FiscalYearReopenRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ReopenStatus.PENDING:
            raise Conflict("Permintaan ini sudah diproses.", code="reopen_not_pending")
        fiscal_year = (
            FiscalYear.objects.select_for_update(of=("self",))
            .select_related("closing_entry")
            .get(pk=locked.fiscal_year_id)
        )
        _refuse_if_distributed(cooperative, fiscal_year.year, _NO_REOPEN)
        reversal = None
        if fiscal_year.closing_entry is not None:
            reversal = ledger_services.closing_entry_reverse(
                cooperative=cooperative, entry=fiscal_year.closing_entry, year=fiscal_year.year, actor=actor
            )
        ledger_services.year_unlock(cooperative=cooperative, year=fiscal_year.year)
        locked.status, locked.approved_by, locked.approved_role = ReopenStatus.APPROVED, actor, role
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_role", "approved_at"])
        fiscal_year.status = YearStatus.OPEN
        fiscal_year.closing_entry = None
        fiscal_year.times_reopened += 1
        fiscal_year.save(update_fields=["status", "closing_entry", "times_reopened"])
        audit_record(
            actor=actor,
            action="shu.year_reopen",
            cooperative=cooperative,
            target=fiscal_year,
            data={
                "year": fiscal_year.year,
                "reason": locked.reason,
                "requested_by": locked.requested_by_id,
                "requested_role": locked.requested_role,
                "approved_role": role,
                "reversal": reversal.number if reversal else None,
            },
        )
    return fiscal_year


# --- RAT approval and the allocation posting ------------------------------------------------
def _text(value: Any, field_name: str, label: str, max_length: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ValidationError.for_field(field_name, f"{label} memuat karakter yang tidak diizinkan.")
    if required and not text:
        raise ValidationError.for_field(field_name, f"{label} wajib diisi.")
    if len(text) > max_length:
        raise ValidationError.for_field(field_name, f"{label} paling panjang {max_length} karakter.")
    return text


_FUND_ROLE = "shu_funds_payable"


def _allocation_lines(
    result: ShuResult, *, year: int, non_member_amount: int, non_member_destination: str
) -> list[LineInput]:
    """Build the allocation entry: SHU tahun berjalan out; cadangan, funds and members' SHU in."""
    reserve = result.pool_total(Pool.CADANGAN) + result.remainder
    if non_member_destination == NonMemberDestination.CADANGAN:
        reserve += non_member_amount
    funds = calculations.fund_credits(
        ((p.line.pool, p.line.label, p.amount) for p in result.pools),
        non_member_amount=non_member_amount,
        non_member_destination=non_member_destination,
    )
    lines = [
        LineInput(account=ByRole("shu_current_members"), debit=result.shu_total, memo=f"SHU {year} dari anggota"),
        *[
            LineInput(account=line.account, debit=line.credit, credit=line.debit, memo=line.memo)
            for line in _signed_line(
                ByRole("shu_current_non_members"), non_member_amount, f"SHU {year} dari bukan anggota"
            )
        ],
        *_signed_line(ByRole("reserve"), reserve, f"Cadangan dari SHU {year}"),
        *[
            line
            for key, amount in funds.items()
            for line in _signed_line(ByRole(_FUND_ROLE), amount, f"{calculations.fund_name(key)} dari SHU {year}")
        ],
        *_signed_line(ByRole("shu_members_payable"), result.members_total, f"SHU {year} bagian anggota"),
    ]
    return [line for line in lines if line.debit or line.credit]


def _pools_data(result: ShuResult, unit_names: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            **_line_data(p.line),
            "name": calculations.pool_name(p.line.pool, unit=p.line.unit, label=p.line.label, unit_names=unit_names),
            "amount": p.amount,
            "base_total": p.base_total,
            "distributed": p.distributed,
            "remainder": p.remainder,
        }
        for p in result.pools
    ]


def shu_approve(
    *,
    cooperative: Cooperative,
    year: int,
    rat_date: datetime.date,
    decision_number: str,
    actor: Any,
    lines: Sequence[AllocationLine] | None = None,
    capital_kinds: Sequence[str] | None = None,
    today: datetime.date | None = None,
) -> ShuDistribution:
    """Record the RAT's approval of ``year``'s SHU and post its allocation, with every member's share.

    The SHU shared is the surplus from members of the closed year; the surplus from
    non-members goes to the policy's destination (cadangan by default, domain.md §2.4).
    ``lines`` / ``capital_kinds`` are what the RAT decided; omitted, the policy in force
    for the year. The entry is dated the RAT's date. Raises ValidationError (year, date,
    decision number, allocation), Conflict (``year_not_closed``, ``shu_already_distributed``,
    ``shu_no_surplus``, ``period_closed``).
    """
    year = year_check(year)
    today = today or timezone.localdate()
    if not isinstance(rat_date, datetime.date):
        raise ValidationError.for_field("rat_date", "Tanggal RAT wajib diisi.")
    if rat_date.year <= year:
        raise ValidationError.for_field("rat_date", f"RAT yang mengesahkan SHU {year} diadakan setelah tahun buku itu.")
    if rat_date > today:
        raise ValidationError.for_field("rat_date", "Tanggal RAT tidak boleh di masa depan.")
    decision_number = _text(decision_number, "decision_number", "Nomor keputusan RAT", 100)
    policy = selectors.policy_in_force(cooperative=cooperative, year=year)
    lines = list(lines) if lines is not None else list(policy.lines)
    kinds = allocation_check(
        cooperative=cooperative,
        lines=lines,
        capital_kinds=capital_kinds if capital_kinds is not None else policy.capital_kinds,
    )
    with transaction.atomic():
        _cooperative_locked(cooperative)
        fiscal_year = FiscalYear.objects.filter(cooperative=cooperative, year=year).first()
        if fiscal_year is None or not fiscal_year.is_closed:
            raise Conflict(
                f"Tahun buku {year} belum ditutup; tutup buku dulu sebelum SHU dibagikan.", code="year_not_closed"
            )
        _refuse_if_distributed(cooperative, year, _NO_REPEAT)
        if fiscal_year.surplus_members <= 0:
            raise Conflict(
                f"SHU dari anggota tahun {year} {format_rupiah(fiscal_year.surplus_members)}: "
                "tidak ada SHU untuk dibagi.",
                code="shu_no_surplus",
            )
        result = selectors.shu_simulate(
            cooperative=cooperative, year=year, shu_total=fiscal_year.surplus_members, capital_kinds=kinds, lines=lines
        )
        entry = ledger_services.journal_post(
            cooperative=cooperative,
            date=rat_date,
            lines=_allocation_lines(
                result,
                year=year,
                non_member_amount=fiscal_year.surplus_non_members,
                non_member_destination=policy.non_member_destination,
            ),
            memo=f"Pembagian SHU {year} menurut keputusan RAT no. {decision_number}"[:250],
            source=f"shu:{year}",
            actor=actor,
        )
        try:
            with transaction.atomic():
                distribution = ShuDistribution.objects.create(
                    cooperative=cooperative,
                    fiscal_year=fiscal_year,
                    year=year,
                    shu_total=result.shu_total,
                    non_member_amount=fiscal_year.surplus_non_members,
                    non_member_destination=policy.non_member_destination,
                    capital_kinds=list(kinds),
                    allocation=[_line_data(line) for line in lines],
                    pools=_pools_data(result, selectors.unit_codes(cooperative=cooperative)),
                    members_total=result.members_total,
                    members_count=len(result.members),
                    remainder=result.remainder,
                    rat_date=rat_date,
                    decision_number=decision_number,
                    allocation_entry=entry,
                    approved_by=actor if getattr(actor, "pk", None) else None,
                )
        except IntegrityError as exc:  # another approval of the same year won the race
            raise _already_distributed(year, _NO_REPEAT) from exc
        ShuMemberShare.objects.bulk_create(
            (
                ShuMemberShare(
                    cooperative=cooperative,
                    distribution=distribution,
                    member_id=member_id,
                    capital_base=member.capital_base,
                    jasa_modal=member.jasa_modal,
                    usage=[
                        {"unit": unit, "basis": basis, "base": base, "amount": amount}
                        for unit, basis, base, amount in member.usage
                    ],
                    jasa_usaha=member.jasa_usaha,
                    total=member.total,
                )
                for member_id, member in sorted(result.members.items())
            ),
            batch_size=1000,
        )
        audit_record(
            actor=actor,
            action="shu.approve",
            cooperative=cooperative,
            target=distribution,
            data={
                "year": year,
                "rat_date": rat_date.isoformat(),
                "decision_number": decision_number,
                "shu_total": result.shu_total,
                "members_total": result.members_total,
                "remainder": result.remainder,
                "entry": entry.number,
            },
        )
    return distribution


# --- Paying members --------------------------------------------------------------------------
def _payment_check(method: Any, date: Any, today: datetime.date) -> None:
    if method not in PaymentMethod.values:
        raise ValidationError.for_field("method", "Cara bayar harus 'tunai' atau 'sukarela'.")
    if not isinstance(date, datetime.date):
        raise ValidationError.for_field("date", "Tanggal bayar wajib diisi.")
    if date > today:
        raise ValidationError.for_field("date", "Tanggal bayar tidak boleh di masa depan.")


def shu_pay(
    *,
    cooperative: Cooperative,
    share: ShuMemberShare,
    method: str,
    date: datetime.date,
    actor: Any,
    today: datetime.date | None = None,
) -> ShuMemberShare:
    """Pay one member's SHU in cash or into their simpanan sukarela, posted.

    Raises NotFound (another cooperative's share), ValidationError (method, date),
    Conflict (``shu_already_paid``, ``shu_nothing_to_pay``, ``member_not_active`` for
    sukarela, ``period_closed``).
    """
    if share.cooperative_id != cooperative.pk:
        raise NotFound("Bagian SHU anggota tidak ditemukan.", code="shu_share_not_found")
    _payment_check(method, date, today or timezone.localdate())
    with transaction.atomic():
        locked = ShuMemberShare.objects.select_for_update().select_related("member", "distribution").get(pk=share.pk)
        distribution = locked.distribution
        if locked.is_paid:
            raise Conflict(
                f"SHU {distribution.year} anggota no. {locked.member.number} sudah dibayar "
                f"pada {locked.paid_on:%d/%m/%Y}.",
                code="shu_already_paid",
            )
        if locked.total <= 0:
            raise Conflict("Bagian SHU anggota ini Rp 0; tidak ada yang dibayar.", code="shu_nothing_to_pay")
        if date < distribution.rat_date:
            raise ValidationError.for_field(
                "date", f"SHU dibayar paling awal pada tanggal RAT ({distribution.rat_date:%d/%m/%Y})."
            )
        memo = f"Pembayaran SHU {distribution.year} anggota no. {locked.member.number}"
        payable = LineInput(
            account=ByRole("shu_members_payable"), debit=locked.total, member_id=locked.member_id, memo=memo
        )
        if method == PaymentMethod.SUKARELA:
            txn = savings_services.sukarela_credit(
                cooperative=cooperative,
                member=locked.member,
                amount=locked.total,
                date=date,
                contra_lines=[payable],
                memo=memo,
                actor=actor,
            )
            entry = txn.journal_entry
        else:
            entry = ledger_services.journal_post(
                cooperative=cooperative,
                date=date,
                lines=[payable, LineInput(account=ByRole("cash"), credit=locked.total, memo=memo)],
                memo=memo,
                source=f"shu:{distribution.year}",
                actor=actor,
            )
        locked.paid_on, locked.payment_method, locked.payment_entry = date, method, entry
        locked.paid_by = actor if getattr(actor, "pk", None) else None
        locked.save(update_fields=["paid_on", "payment_method", "payment_entry", "paid_by"])
        audit_record(
            actor=actor,
            action="shu.pay",
            cooperative=cooperative,
            target=locked,
            data={
                "year": distribution.year,
                "member_no": locked.member.member_no,
                "amount": locked.total,
                "method": method,
                "entry": entry.number,
            },
        )
    return locked


@dataclass
class PayAllResult:
    paid: int = 0
    amount: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # member number, reason


def shu_pay_all(
    *,
    cooperative: Cooperative,
    distribution: ShuDistribution,
    method: str,
    date: datetime.date,
    actor: Any,
    today: datetime.date | None = None,
) -> PayAllResult:
    """Pay every unpaid member share of a distribution, in batches of one entry and transaction each.

    A batch posts Dr SHU bagian anggota per member and Cr kas (cash) or each member's
    sukarela (``savings.sukarela_credit_batch``), so the queries grow with batches, not
    members. A member that cannot be paid this way (not active, for sukarela) is listed in
    ``skipped`` with the reason and stays unpaid; a share paid meanwhile by someone else is
    left alone. Raises NotFound and ValidationError (method, date before the RAT).
    """
    if distribution.cooperative_id != cooperative.pk:
        raise NotFound()
    _payment_check(method, date, today or timezone.localdate())
    if date < distribution.rat_date:
        raise ValidationError.for_field(
            "date", f"SHU dibayar paling awal pada tanggal RAT ({distribution.rat_date:%d/%m/%Y})."
        )
    result = PayAllResult()
    unpaid = list(
        ShuMemberShare.objects.filter(
            cooperative=cooperative, distribution=distribution, paid_on__isnull=True, total__gt=0
        ).values_list("pk", flat=True)
    )
    for start in range(0, len(unpaid), savings_services.BATCH_MAX):
        _pay_batch(
            cooperative, distribution, unpaid[start : start + savings_services.BATCH_MAX], method, date, actor, result
        )
    return result


def _pay_batch(
    cooperative: Cooperative,
    distribution: ShuDistribution,
    share_ids: list[int],
    method: str,
    date: datetime.date,
    actor: Any,
    result: PayAllResult,
) -> None:
    """Pay one batch of shares in one transaction and entry; members not active are skipped for sukarela."""
    memo = f"Pembayaran SHU {distribution.year} ({str(PaymentMethod(method).label).lower()})"
    with transaction.atomic():
        shares = list(
            ShuMemberShare.objects.select_for_update()
            .filter(pk__in=share_ids, paid_on__isnull=True)
            .select_related("member")
            .order_by("pk")
        )
        if method == PaymentMethod.SUKARELA:
            # The savings batch checks again under the members' locks; a member leaving in between
            # refuses this batch (Conflict) and nothing of it is written.
            for share in (s for s in shares if s.member.status != MemberStatus.AKTIF):
                number = share.member.number
                result.skipped.append((number, savings_services.sukarela_refused_message(number)))
            shares = [s for s in shares if s.member.status == MemberStatus.AKTIF]
        if not shares:
            return
        payable = [
            LineInput(
                account=ByRole("shu_members_payable"),
                debit=s.total,
                member_id=s.member_id,
                memo=f"SHU {distribution.year} anggota no. {s.member.number}",
            )
            for s in shares
        ]
        total = sum(s.total for s in shares)
        if method == PaymentMethod.SUKARELA:
            txns = savings_services.sukarela_credit_batch(
                cooperative=cooperative,
                credits=[(s.member_id, s.total) for s in shares],
                date=date,
                contra_lines=payable,
                memo=memo,
                source=f"shu:{distribution.year}",
                actor=actor,
            )
            entry = txns[0].journal_entry
        else:
            entry = ledger_services.journal_post(
                cooperative=cooperative,
                date=date,
                lines=[*payable, LineInput(account=ByRole("cash"), credit=total, memo=memo)],
                memo=memo,
                source=f"shu:{distribution.year}",
                actor=actor,
            )
        paid_by = actor if getattr(actor, "pk", None) else None
        for share in shares:
            share.paid_on, share.payment_method, share.payment_entry, share.paid_by = date, method, entry, paid_by
        ShuMemberShare.objects.bulk_update(shares, ["paid_on", "payment_method", "payment_entry", "paid_by"])
        audit_record(
            actor=actor,
            action="shu.pay_all",
            cooperative=cooperative,
            target=distribution,
            data={"year": distribution.year, "members": len(shares), "amount": total, "method": method},
        )
    result.paid += len(shares)
    result.amount += total


# --- Funds (dana SHU) ----------------------------------------------------------------------------
_SPEND_ROLE = {SpendChannel.CASH: "cash", SpendChannel.BANK: "bank"}


def shu_fund_spend(
    *,
    cooperative: Cooperative,
    fund: str,
    amount: int,
    date: datetime.date,
    channel: str,
    purpose: str,
    recipient: str = "",
    actor: Any,
    idempotency_key: str | None = None,
    today: datetime.date | None = None,
) -> ShuFundSpend:
    """Pay out of one SHU fund for its purpose (Dr dana SHU 2-1400, Cr kas or bank), posted.

    A repeated ``idempotency_key`` returns the first spend. Raises ValidationError (fund,
    amount, date in the future or before the RAT that first filled the fund, channel,
    purpose, recipient) and Conflict (``fund_insufficient``, ``period_closed``).
    """
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationError.for_field("amount", "Jumlah harus rupiah bulat lebih dari 0.")
    if amount > MAX_SHU_TOTAL:
        raise ValidationError.for_field("amount", "Jumlah terlalu besar.")
    if not isinstance(date, datetime.date):
        raise ValidationError.for_field("date", "Tanggal wajib diisi.")
    if date > (today or timezone.localdate()):
        raise ValidationError.for_field("date", "Tanggal tidak boleh di masa depan.")
    if channel not in SpendChannel.values:
        raise ValidationError.for_field("channel", "Cara bayar harus 'tunai' atau 'bank'.")
    purpose = _text(purpose, "purpose", "Keperluan", 200)
    recipient = _text(recipient, "recipient", "Penerima", 120, required=False)
    key = (idempotency_key or "").strip()[:100] or None
    with transaction.atomic():
        _cooperative_locked(cooperative)
        if key and (first := ShuFundSpend.objects.filter(cooperative=cooperative, idempotency_key=key).first()):
            return first
        funds = {f.key: f for f in selectors.fund_balances(cooperative=cooperative)}
        found = funds.get(fund) if isinstance(fund, str) else None
        if found is None or found.credited <= 0:
            names = ", ".join(f.name for f in funds.values() if f.credited > 0)
            raise ValidationError.for_field(
                "fund", f"Dana tidak dikenal. Dana yang ada: {names}." if names else "Belum ada dana dari SHU."
            )
        if found.since is not None and date < found.since:
            raise ValidationError.for_field(
                "date",
                f"{found.name} terisi dari SHU yang disahkan RAT {found.since:%d/%m/%Y}; "
                "penggunaannya paling awal pada tanggal itu.",
            )
        if amount > found.balance:
            raise Conflict(
                f"Sisa {found.name} {format_rupiah(found.balance)}; tidak cukup untuk {format_rupiah(amount)}.",
                code="fund_insufficient",
                detail={"amount": [f"Paling banyak {format_rupiah(max(found.balance, 0))}."]},
            )
        memo = f"Penggunaan {found.name}: {purpose}" + (f" ({recipient})" if recipient else "")
        entry = ledger_services.journal_post(
            cooperative=cooperative,
            date=date,
            lines=[
                LineInput(account=ByRole(_FUND_ROLE), debit=amount, memo=f"{found.name}: {purpose}"[:250]),
                LineInput(account=ByRole(_SPEND_ROLE[SpendChannel(channel)]), credit=amount, memo=purpose),
            ],
            memo=memo[:250],
            source=f"shu_fund:{found.key}",
            actor=actor,
        )
        spend = ShuFundSpend.objects.create(
            cooperative=cooperative,
            fund=found.key,
            amount=amount,
            date=date,
            channel=channel,
            purpose=purpose,
            recipient=recipient,
            journal_entry=entry,
            idempotency_key=key,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor,
            action="shu.fund.spend",
            cooperative=cooperative,
            target=spend,
            data={"fund": found.key, "amount": amount, "channel": channel, "entry": entry.number},
        )
    return spend
