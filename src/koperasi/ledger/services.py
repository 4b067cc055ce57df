"""Writes to the books. ``journal_post`` is the only door through which money moves.

Every function is one transaction. Callers (views, API, other apps' services) have
checked the actor's permission with ``core.access``; functions that need a second
person (reopening a period) check the roles themselves because the rule is the point.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone

from koperasi.cooperatives.models import BusinessUnit, Cooperative
from koperasi.core.access import board_pair_role
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger import journal_sql
from koperasi.ledger.chart import chart_create
from koperasi.ledger.choices import (
    NORMAL_SIDE,
    TYPE_BY_DIGIT,
    YEAR_CLOSE_SOURCE,
    AccountType,
    CashFlowGroup,
    ReopenStatus,
    RevenueParty,
    Side,
)
from koperasi.ledger.hashing import entry_hash
from koperasi.ledger.models import (
    Account,
    JournalEntry,
    JournalLine,
    LedgerHead,
    Period,
    PeriodReopenRequest,
    YearLock,
)
from koperasi.ledger.periods import month_start

MAX_LINES = 500
# Sources whose entries the journal page may reverse: nothing outside the books depends on them.
JOURNAL_SOURCES = frozenset({"manual", "opening_balance", "demo"})
MAX_AMOUNT = 10**15  # Rp1.000 triliun: far above any cooperative, far below 2**63


@dataclass(frozen=True)
class ByRole:
    """An account named by its system role ("cash", "savings_sukarela"), not by its code."""

    role: str


@dataclass(frozen=True)
class LineInput:
    """One line to post: an account (object, code or role), a debit or a credit, optional unit and member.

    ``member_id`` names the member a line belongs to (the savings sub-ledger, loans, SHU);
    the caller has checked the member is of this cooperative, and a trigger checks again.
    """

    account: Account | str | ByRole
    debit: int = 0
    credit: int = 0
    business_unit: BusinessUnit | str | None = None
    memo: str = ""
    member_id: int | None = None


def chart_seed(*, cooperative: Cooperative) -> int:
    """Give a cooperative the template chart of accounts and an empty journal; return accounts made."""
    return chart_create(
        account_model=Account, head_model=LedgerHead, unit_model=BusinessUnit, cooperative_id=cooperative.pk
    )


# --- Posting --------------------------------------------------------------------------------
def _is_amount(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


ResolvedLine = tuple[int, int, int, int | None, str, int | None]  # account, debit, credit, unit, memo, member


def _check_lines(cooperative: Cooperative, lines: Sequence[LineInput]) -> list[ResolvedLine]:
    """Resolve accounts and units of ``lines``; raise ValidationError naming each bad line.

    Returns ``(account_id, debit, credit, unit_id, memo, member_id)`` per line. One query for the
    accounts (plus one for units named by code, which posting services rarely do).
    """
    problems: dict[str, list[str]] = {}
    if len(lines) < 2:
        raise ValidationError(
            "Jurnal harus memiliki paling sedikit dua baris.",
            code="journal_too_few_lines",
            detail={"lines": ["Jurnal harus memiliki paling sedikit dua baris."]},
        )
    if len(lines) > MAX_LINES:
        raise ValidationError.for_field("lines", f"Jurnal paling banyak {MAX_LINES} baris.")
    found = journal_sql.accounts_fetch(
        cooperative_id=cooperative.pk,
        codes={ln.account for ln in lines if isinstance(ln.account, str)},
        ids={ln.account.pk for ln in lines if isinstance(ln.account, Account)},
        roles={ln.account.role for ln in lines if isinstance(ln.account, ByRole)},
    )
    by_code = {a.code: a for a in found}
    by_id = {a.id: a for a in found}
    by_role = {a.role: a for a in found if a.role}
    unit_codes = {ln.business_unit for ln in lines if isinstance(ln.business_unit, str) and ln.business_unit}
    units = (
        dict(BusinessUnit.objects.filter(cooperative=cooperative, code__in=unit_codes).values_list("code", "id"))
        if unit_codes
        else {}
    )
    resolved = []
    for i, ln in enumerate(lines, start=1):
        key = f"lines.{i}"
        if isinstance(ln.account, ByRole):
            account = by_role.get(ln.account.role)
        else:
            account = by_code.get(ln.account) if isinstance(ln.account, str) else by_id.get(ln.account.pk)
        if account is None and isinstance(ln.account, ByRole):
            problems.setdefault(key, []).append(
                f"Baris {i}: bagan akun belum memiliki akun untuk peran '{ln.account.role}'."
            )
        elif account is None:
            problems.setdefault(key, []).append(f"Baris {i}: akun '{ln.account}' tidak ada di koperasi ini.")
        elif account.is_group:
            problems.setdefault(key, []).append(
                f"Baris {i}: akun {account.code} adalah akun kelompok; pilih akun rinciannya."
            )
        elif not account.is_active:
            problems.setdefault(key, []).append(f"Baris {i}: akun {account.code} tidak aktif.")
        if not _is_amount(ln.debit) or not _is_amount(ln.credit):
            problems.setdefault(key, []).append(f"Baris {i}: jumlah harus rupiah bulat.")
        elif ln.debit < 0 or ln.credit < 0:
            problems.setdefault(key, []).append(f"Baris {i}: jumlah tidak boleh negatif.")
        elif (ln.debit > 0) == (ln.credit > 0):
            problems.setdefault(key, []).append(f"Baris {i}: isi debit atau kredit (salah satu, lebih dari nol).")
        elif max(ln.debit, ln.credit) > MAX_AMOUNT:
            problems.setdefault(key, []).append(f"Baris {i}: jumlah terlalu besar.")
        unit_id: int | None = None
        if isinstance(ln.business_unit, BusinessUnit):
            if ln.business_unit.cooperative_id != cooperative.pk:
                problems.setdefault(key, []).append(f"Baris {i}: unit usaha tidak ada di koperasi ini.")
            unit_id = ln.business_unit.pk
        elif ln.business_unit:
            unit_id = units.get(ln.business_unit)
            if unit_id is None:
                problems.setdefault(key, []).append(f"Baris {i}: unit usaha '{ln.business_unit}' tidak ada.")
        elif account is not None:
            unit_id = account.business_unit_id  # the account's own unit is the default dimension
        if account is not None:
            memo = (ln.memo or "").strip()[:250]
            resolved.append((account.id, ln.debit, ln.credit, unit_id, memo, ln.member_id or None))
    if problems:
        raise ValidationError("Baris jurnal tidak valid.", code="journal_invalid_lines", detail=problems)
    debit = sum(r[1] for r in resolved)
    credit = sum(r[2] for r in resolved)
    if debit != credit:
        message = (
            f"Jurnal tidak seimbang: debit {format_rupiah(debit)}, kredit {format_rupiah(credit)}, "
            f"selisih {format_rupiah(abs(debit - credit))}."
        )
        raise ValidationError(
            message, code="journal_unbalanced", detail={"lines": [message], "difference": [str(debit - credit)]}
        )
    return resolved


def _source(source: str | models.Model) -> tuple[str, str]:
    if isinstance(source, models.Model):
        return source._meta.label_lower, str(source.pk)
    kind, _, ident = (source or "manual").partition(":")
    return kind[:60], ident[:60]


def _period_closed(date: datetime.date) -> Conflict:
    return Conflict(
        f"Periode {date:%m/%Y} sudah ditutup; jurnal tidak dapat dicatat pada tanggal itu.",
        code="period_closed",
        detail={"date": [f"Periode {date:%m/%Y} sudah ditutup."]},
    )


def journal_post(
    *,
    cooperative: Cooperative,
    date: datetime.date,
    lines: Sequence[LineInput],
    memo: str,
    source: str | models.Model = "manual",
    idempotency_key: str | None = None,
    actor: Any,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post a balanced journal entry and return it; a repeated ``idempotency_key`` returns the first.

    Raises ValidationError (fewer than two lines, a bad or foreign account, a line not
    exactly one positive debit or credit, unbalanced, no memo) and Conflict
    (``period_closed``).
    """
    memo = (memo or "").strip()
    if not memo:
        raise ValidationError.for_field("memo", "Keterangan jurnal wajib diisi.")
    if not isinstance(date, datetime.date):
        raise ValidationError.for_field("date", "Tanggal jurnal wajib diisi.")
    key = (idempotency_key or "").strip()[:100] or None
    source_type, source_id = _source(source)
    with transaction.atomic():
        # The head row lock serialises postings of one cooperative (the chain needs an order).
        head = journal_sql.head_lock(cooperative_id=cooperative.pk, month=month_start(date), key=key)
        if head is None:
            raise Conflict("Buku besar koperasi ini belum disiapkan.", code="ledger_missing")
        if head.existing_entry_id is not None:
            return JournalEntry.objects.get(pk=head.existing_entry_id)
        resolved = _check_lines(cooperative, lines)
        if head.period_closed:
            raise _period_closed(date)
        entry = JournalEntry(
            cooperative=cooperative,
            seq=head.last_seq + 1,
            date=date,
            memo=memo[:250],
            source_type=source_type,
            source_id=source_id,
            idempotency_key=key,
            reverses=reverses,
            amount=sum(r[1] for r in resolved),
            is_posted=True,
            prev_hash=head.last_hash,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=timezone.now(),
        )
        entry.hash = entry_hash(
            cooperative_id=cooperative.pk,
            seq=entry.seq,
            date=date,
            memo=entry.memo,
            source_type=source_type,
            source_id=source_id,
            reverses_id=reverses.pk if reverses else None,
            lines=[
                (account_id, d, c, unit_id or 0, member_id or 0) for account_id, d, c, unit_id, _, member_id in resolved
            ],
            prev_hash=head.last_hash,
        )
        try:
            entry.pk = journal_sql.entry_insert_and_post(entry, resolved)
        except IntegrityError as exc:
            # A month closed between our read and our write (PostgreSQL reads the period with the
            # snapshot taken before the head lock); the trigger refused it. Say so, not 500.
            if "ledger: the period is closed" in str(exc):
                raise _period_closed(date) from exc
            raise
        entry._state.adding = False  # it is a saved row now, as if loaded
    return entry


def journal_reverse(
    *,
    cooperative: Cooperative,
    entry: JournalEntry,
    date: datetime.date,
    actor: Any,
    memo: str = "",
    idempotency_key: str | None = None,
    by_source_app: bool = False,
) -> JournalEntry:
    """Post the mirror image of a posted entry (debits become credits) to correct it.

    An entry a business record posted (a deposit, later a sale) is corrected by its own
    app, which passes ``by_source_app=True`` and fixes the record too; from the journal
    page only manual entries, opening balances and demo entries are reversed. Raises
    NotFound (another cooperative's entry), Conflict (``entry_already_reversed``,
    ``entry_is_reversal``, ``entry_from_business_record``, ``period_closed``).
    """
    if entry.cooperative_id != cooperative.pk:
        raise NotFound()
    if entry.reverses_id is not None:
        raise Conflict("Jurnal pembalik tidak dapat dibalik lagi; catat jurnal baru.", code="entry_is_reversal")
    if JournalEntry.objects.filter(cooperative=cooperative, reverses=entry).exists():
        raise Conflict(f"Jurnal {entry.number} sudah pernah dibalik.", code="entry_already_reversed")
    if not by_source_app and entry.source_type not in JOURNAL_SOURCES:
        raise Conflict(
            f"Jurnal {entry.number} dibuat oleh transaksi '{entry.source_type}'; "
            "koreksi lewat transaksi itu agar catatannya ikut benar.",
            code="entry_from_business_record",
        )
    original = list(JournalLine.objects.filter(entry=entry).select_related("account", "business_unit"))
    mirror = [
        LineInput(
            account=ln.account,
            debit=ln.credit,
            credit=ln.debit,
            business_unit=ln.business_unit,
            memo=ln.memo,
            member_id=ln.member_id,
        )
        for ln in original
    ]
    try:
        with transaction.atomic():
            reversal = journal_post(
                cooperative=cooperative,
                date=date,
                lines=mirror,
                memo=(memo or "").strip() or f"Pembalikan {entry.number}: {entry.memo}"[:250],
                source=entry,
                idempotency_key=idempotency_key,
                actor=actor,
                reverses=entry,
            )
            audit_record(
                actor=actor,
                action="ledger.entry_reverse",
                cooperative=cooperative,
                target=reversal,
                data={"reverses": entry.number, "date": date.isoformat()},
            )
    except IntegrityError as exc:  # a concurrent reversal won the race for entry_reversed_once
        raise Conflict(f"Jurnal {entry.number} sudah pernah dibalik.", code="entry_already_reversed") from exc
    return reversal


# --- Chart of accounts ------------------------------------------------------------------------
def account_create(
    *,
    cooperative: Cooperative,
    actor: Any,
    code: str,
    name: str,
    parent_code: str = "",
    is_group: bool = False,
    revenue_party: str = "",
    business_unit_code: str = "",
    cash_flow: str = "",
    description: str = "",
) -> Account:
    """Add an account to the cooperative's chart under a parent of the same type.

    The type comes from the code's first digit (1 aset … 5 beban, domain.md §8.2).
    Raises ValidationError (bad code, name, parent, party, unit) and Conflict (code taken).
    """
    code = (code or "").strip()
    name = (name or "").strip()
    problems: dict[str, list[str]] = {}
    if not code or len(code) > 20 or code[0] not in TYPE_BY_DIGIT or not all(ch.isdigit() or ch in "-." for ch in code):
        problems["code"] = [
            "Kode akun diawali 1–5 (1 aset, 2 kewajiban, 3 ekuitas, 4 pendapatan, 5 beban), "
            "berisi angka, titik atau tanda hubung."
        ]
    if not name:
        problems["name"] = ["Nama akun wajib diisi."]
    account_type = TYPE_BY_DIGIT.get(code[:1], "")
    parent = None
    if parent_code:
        parent = Account.objects.filter(cooperative=cooperative, code=parent_code).first()
        if parent is None:
            problems["parent_code"] = [f"Akun induk '{parent_code}' tidak ada."]
        elif not parent.is_group:
            problems["parent_code"] = [f"Akun induk {parent.code} bukan akun kelompok."]
        elif account_type and parent.type != account_type:
            problems["parent_code"] = [
                f"Akun induk {parent.code} berjenis {parent.get_type_display()}, "
                f"bukan {AccountType(account_type).label}."
            ]
    if revenue_party not in RevenueParty.values:
        problems["revenue_party"] = ["Pihak pendapatan tidak dikenal."]
    elif revenue_party and account_type != "income":
        problems["revenue_party"] = ["Pihak anggota/bukan anggota hanya untuk akun pendapatan."]
    if cash_flow and cash_flow not in CashFlowGroup.values:
        problems["cash_flow"] = ["Kelompok arus kas tidak dikenal."]
    unit = None
    if business_unit_code:
        unit = BusinessUnit.objects.filter(cooperative=cooperative, code=business_unit_code).first()
        if unit is None:
            problems["business_unit_code"] = [f"Unit usaha '{business_unit_code}' tidak ada."]
    if problems:
        raise ValidationError("Data akun tidak valid.", detail=problems)
    with transaction.atomic():
        if Account.objects.filter(cooperative=cooperative, code=code).exists():
            raise Conflict(f"Kode akun {code} sudah dipakai.", code="account_code_taken", detail={"code": [code]})
        account = Account.objects.create(
            cooperative=cooperative,
            code=code,
            name=name[:150],
            type=account_type,
            normal_side=NORMAL_SIDE[account_type],
            parent=parent,
            is_group=is_group,
            revenue_party=revenue_party or (parent.revenue_party if parent else ""),
            business_unit=unit,
            cash_flow=cash_flow or CashFlowGroup.OPERATING,
            description=(description or "").strip()[:250],
        )
        audit_record(
            actor=actor,
            action="ledger.account_create",
            cooperative=cooperative,
            target=account,
            data={"code": code, "name": name, "type": account_type},
        )
    return account


def account_update(
    *,
    cooperative: Cooperative,
    account: Account,
    actor: Any,
    name: str,
    is_active: bool = True,
    normal_side: str | None = None,
    cash_flow: str | None = None,
    description: str = "",
) -> Account:
    """Rename, (de)activate or reclassify an account.

    Changing the normal side (e.g. simpanan pokok from equity-like credit to a contra
    account) is refused once the account has postings, by the database as well.
    Raises NotFound, ValidationError, Conflict (``account_has_postings``).
    """
    if account.cooperative_id != cooperative.pk:
        raise NotFound()
    name = (name or "").strip()
    if not name:
        raise ValidationError.for_field("name", "Nama akun wajib diisi.")
    if normal_side is not None and normal_side not in Side.values:
        raise ValidationError.for_field("normal_side", "Saldo normal harus debit atau kredit.")
    if cash_flow is not None and cash_flow not in CashFlowGroup.values:
        raise ValidationError.for_field("cash_flow", "Kelompok arus kas tidak dikenal.")
    if not is_active and account.role:
        raise Conflict(
            f"Akun {account.code} dipakai sistem ({account.role}) dan tidak dapat dinonaktifkan.",
            code="account_system_role",
        )
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if normal_side and normal_side != locked.normal_side and JournalLine.objects.filter(account=locked).exists():
            raise Conflict(
                f"Akun {locked.code} sudah memiliki transaksi; saldo normalnya tidak dapat diubah.",
                code="account_has_postings",
            )
        before = {"name": locked.name, "is_active": locked.is_active, "normal_side": locked.normal_side}
        locked.name = name[:150]
        locked.is_active = is_active
        locked.normal_side = normal_side or locked.normal_side
        locked.cash_flow = cash_flow or locked.cash_flow
        locked.description = (description or "").strip()[:250]
        locked.save(update_fields=["name", "is_active", "normal_side", "cash_flow", "description"])
        audit_record(
            actor=actor, action="ledger.account_update", cooperative=cooperative, target=locked, data={"before": before}
        )
    return locked


def account_delete(*, cooperative: Cooperative, account: Account, actor: Any) -> None:
    """Delete an unused account. Raises NotFound, Conflict (postings, children, system role)."""
    if account.cooperative_id != cooperative.pk:
        raise NotFound()
    if account.role:
        raise Conflict(f"Akun {account.code} dipakai sistem dan tidak dapat dihapus.", code="account_system_role")
    with transaction.atomic():
        if JournalLine.objects.filter(account=account).exists():
            raise Conflict(
                f"Akun {account.code} sudah memiliki transaksi dan tidak dapat dihapus; nonaktifkan saja.",
                code="account_has_postings",
            )
        if Account.objects.filter(parent=account).exists():
            raise Conflict(f"Akun {account.code} masih memiliki sub-akun.", code="account_has_children")
        audit_record(
            actor=actor,
            action="ledger.account_delete",
            cooperative=cooperative,
            data={"code": account.code, "name": account.name},
        )
        account.delete()


# --- Periods --------------------------------------------------------------------------------
def _period_locked(cooperative: Cooperative, month: datetime.date) -> Period:
    period, _ = Period.objects.get_or_create(cooperative=cooperative, month=month_start(month))
    return Period.objects.select_for_update().get(pk=period.pk)


def period_close(*, cooperative: Cooperative, month: datetime.date, reason: str, actor: Any) -> Period:
    """Close a month so nothing more is posted in it. Raises ValidationError, Conflict."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Alasan penutupan periode wajib diisi.")
    if month_start(month) > month_start(timezone.localdate()):
        raise ValidationError.for_field("month", "Periode yang belum dimulai tidak dapat ditutup.")
    with transaction.atomic():
        period = _period_locked(cooperative, month)
        if period.is_closed:
            raise Conflict(f"Periode {period.month:%m/%Y} sudah ditutup.", code="period_already_closed")
        period.is_closed, period.closed_at, period.closed_by, period.reason = True, timezone.now(), actor, reason[:250]
        period.save(update_fields=["is_closed", "closed_at", "closed_by", "reason"])
        audit_record(
            actor=actor,
            action="ledger.period_close",
            cooperative=cooperative,
            target=period,
            data={"month": period.month.isoformat(), "reason": reason},
        )
    return period


_REOPEN_REFUSAL = "Membuka kembali periode memerlukan ketua dan pengawas."


def period_reopen_request(
    *, cooperative: Cooperative, month: datetime.date, reason: str, actor: Any
) -> PeriodReopenRequest:
    """Ask to reopen a closed month; the other of ketua/pengawas must approve.

    Raises PermissionDenied (neither ketua nor pengawas), ValidationError (no reason),
    Conflict (``period_not_closed``, ``reopen_pending``).
    """
    role = board_pair_role(actor, cooperative, refusal=_REOPEN_REFUSAL)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Alasan membuka kembali periode wajib diisi.")
    with transaction.atomic():
        period = Period.objects.select_for_update().filter(cooperative=cooperative, month=month_start(month)).first()
        if period is None or not period.is_closed:
            raise Conflict(f"Periode {month:%m/%Y} tidak sedang ditutup.", code="period_not_closed")
        if YearLock.objects.filter(cooperative=cooperative, year=period.month.year).exists():
            raise Conflict(
                f"Tahun buku {period.month.year} sudah ditutup; bulannya tidak dapat dibuka kembali "
                "sebelum tahun buku dibuka kembali oleh ketua dan pengawas.",
                code="year_closed",
            )
        if PeriodReopenRequest.objects.filter(
            cooperative=cooperative, period=period, status=ReopenStatus.PENDING
        ).exists():
            raise Conflict("Permintaan membuka periode ini sudah menunggu persetujuan.", code="reopen_pending")
        request = PeriodReopenRequest.objects.create(
            cooperative=cooperative, period=period, reason=reason[:250], requested_by=actor, requested_role=role
        )
        audit_record(
            actor=actor,
            action="ledger.period_reopen_request",
            cooperative=cooperative,
            target=request,
            data={"month": period.month.isoformat(), "role": role, "reason": reason},
        )
    return request


def period_reopen_approve(*, cooperative: Cooperative, request: PeriodReopenRequest, actor: Any) -> Period:
    """Approve a reopen request as the other of ketua/pengawas, and reopen the month.

    Raises NotFound, PermissionDenied (same person or same role as the requester),
    Conflict (``reopen_not_pending``).
    """
    if request.cooperative_id != cooperative.pk:
        raise NotFound()
    if getattr(actor, "pk", None) == request.requested_by_id:
        raise PermissionDenied("Persetujuan harus dari orang lain (ketua dan pengawas).")
    role = board_pair_role(actor, cooperative, refusal=_REOPEN_REFUSAL, exclude=request.requested_role)
    with transaction.atomic():
        locked = PeriodReopenRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != ReopenStatus.PENDING:
            raise Conflict("Permintaan ini sudah diproses.", code="reopen_not_pending")
        period = Period.objects.select_for_update().get(pk=locked.period_id)
        locked.status, locked.approved_by, locked.approved_role = ReopenStatus.APPROVED, actor, role
        locked.approved_at = timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_role", "approved_at"])
        period.is_closed, period.closed_at, period.closed_by = False, None, None
        period.reason = f"Dibuka kembali: {locked.reason}"[:250]
        period.save(update_fields=["is_closed", "closed_at", "closed_by", "reason"])
        audit_record(
            actor=actor,
            action="ledger.period_reopen",
            cooperative=cooperative,
            target=period,
            data={
                "month": period.month.isoformat(),
                "requested_by": locked.requested_by_id,
                "requested_role": locked.requested_role,
                "approved_role": role,
            },
        )
    return period


# --- The year-end close ----------------------------------------------------------------------
def year_lock(*, cooperative: Cooperative, year: int) -> None:
    """Lock a closed year's months against reopening (called by the year-end close, in its transaction)."""
    YearLock.objects.get_or_create(cooperative=cooperative, year=year)


def year_unlock(*, cooperative: Cooperative, year: int) -> None:
    """Lift the lock again (called when ketua and pengawas reopen the year)."""
    YearLock.objects.filter(cooperative=cooperative, year=year).delete()


def closing_entry_post(
    *,
    cooperative: Cooperative,
    year: int,
    lines: Sequence[LineInput],
    memo: str,
    actor: Any,
    reverses: JournalEntry | None = None,
) -> JournalEntry:
    """Post the year-end close's entry (or its reversal) on 31 December of ``year``.

    December is closed by then (the close requires every month closed), so the close is
    lifted for this one entry and restored before the transaction ends: no other posting
    can see the month open (they read it under the ledger head lock this entry holds, or
    after the commit). Only the year-end close calls this. Raises what ``journal_post`` raises.
    """
    day = datetime.date(year, 12, 31)
    with transaction.atomic():
        december = Period.objects.select_for_update().filter(cooperative=cooperative, month=month_start(day)).first()
        if december is not None and december.is_closed:
            Period.objects.filter(pk=december.pk).update(is_closed=False)
        else:
            december = None
        entry = journal_post(
            cooperative=cooperative,
            date=day,
            lines=lines,
            memo=memo,
            source=f"{YEAR_CLOSE_SOURCE}:{year}",
            actor=actor,
            reverses=reverses,
        )
        if december is not None:
            Period.objects.filter(pk=december.pk).update(is_closed=True)
    return entry


def closing_entry_reverse(*, cooperative: Cooperative, entry: JournalEntry, year: int, actor: Any) -> JournalEntry:
    """Post the mirror of a year-end closing entry on the same 31 December (the year is reopened).

    Raises NotFound (another cooperative's entry) and Conflict (``entry_already_reversed``).
    """
    if entry.cooperative_id != cooperative.pk:
        raise NotFound()
    mirror = [
        LineInput(
            account=ln.account,
            debit=ln.credit,
            credit=ln.debit,
            business_unit=ln.business_unit,
            memo=ln.memo,
            member_id=ln.member_id,
        )
        for ln in JournalLine.objects.filter(entry=entry).select_related("account", "business_unit")
    ]
    try:
        with transaction.atomic():
            return closing_entry_post(
                cooperative=cooperative,
                year=year,
                lines=mirror,
                memo=f"Pembalikan tutup buku {year} ({entry.number}): tahun buku dibuka kembali",
                actor=actor,
                reverses=entry,
            )
    except IntegrityError as exc:
        raise Conflict(f"Jurnal {entry.number} sudah pernah dibalik.", code="entry_already_reversed") from exc
