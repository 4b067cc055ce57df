"""Writes of savings. Each public function is one transaction: business rows, ledger entry, audit row.

Lock order, the same in every function so two of them never deadlock: the member row,
then the member's savings account rows (by id), then the ledger head (inside
``journal_post``). Callers (views, API, commands) have checked the actor's permission.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger.services import journal_post, journal_reverse
from koperasi.members import services as member_services
from koperasi.members.choices import MemberStatus
from koperasi.members.models import Member
from koperasi.savings import calculations, postings, savings_sql, selectors
from koperasi.savings.choices import Channel, SavingsKind, TxnType
from koperasi.savings.models import InterestRun, SavingsAccount, SavingsSetting, SavingsTransaction, WajibBill

KEY_PREFIX = "savings:"  # ledger idempotency keys share one namespace per cooperative
MAX_SETTING_AMOUNT = 10**12  # Rp1 triliun: far above any simpanan, far below the database's 2**63


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _member_locked(cooperative: Cooperative, member: Member | int) -> Member:
    member_id = member.pk if isinstance(member, Member) else member
    found = Member.objects.select_for_update().filter(cooperative=cooperative, pk=member_id).first()
    if found is None:
        raise NotFound("Anggota tidak ditemukan.")
    return found


def _account_locked(cooperative: Cooperative, member: Member, kind: str, opened_on: datetime.date) -> SavingsAccount:
    """Return the member's account of ``kind`` locked for update, opening it on first use."""
    account = savings_sql.account_lock(cooperative_id=cooperative.pk, member_id=member.pk, kind=kind)
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return SavingsAccount.objects.create(cooperative=cooperative, member=member, kind=kind, opened_on=opened_on)
    except IntegrityError:  # opened by a concurrent transaction of this member (PostgreSQL)
        return SavingsAccount.objects.select_for_update().get(cooperative=cooperative, member=member, kind=kind)


@dataclass(frozen=True)
class _TellerContext:
    member: Member
    first: SavingsTransaction | None  # already recorded with this idempotency key
    pokok_amount: int
    transaction_limit: int
    interest_month: datetime.date | None


def _teller_lock(cooperative: Cooperative, member: Member | int, key: str | None, date: Any) -> _TellerContext:
    """Lock the member and read what a deposit or withdrawal checks, in one query."""
    member_id = member.pk if isinstance(member, Member) else member
    if isinstance(member_id, bool) or not isinstance(member_id, int) or not 0 < member_id < 2**63:
        raise NotFound("Anggota tidak ditemukan.")
    day = date if isinstance(date, datetime.date) else timezone.localdate()
    locked = savings_sql.member_lock(cooperative_id=cooperative.pk, member_id=member_id, key=key, day=day)
    if locked is None:
        raise NotFound("Anggota tidak ditemukan.")
    first = savings_sql.existing_transaction(locked.existing_txn_id) if locked.existing_txn_id else None
    defaults = calculations.DEFAULT_SETTING
    return _TellerContext(
        member=locked.member,
        first=first,
        pokok_amount=locked.setting_pokok or defaults.pokok_amount,
        transaction_limit=locked.setting_limit or defaults.transaction_limit,
        interest_month=locked.interest_month,
    )


def _check_amount(amount: Any, limit: int) -> int:
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationError.for_field("amount", "Jumlah harus rupiah bulat tanpa desimal.", code="amount_invalid")
    if amount <= 0:
        raise ValidationError.for_field("amount", "Jumlah harus lebih dari nol.", code="amount_not_positive")
    if amount > limit:
        raise ValidationError.for_field(
            "amount",
            f"Jumlah {format_rupiah(amount)} melebihi batas satu transaksi {format_rupiah(limit)}; periksa kembali.",
            code="amount_over_limit",
        )
    return amount


def _check_date(date: Any, member: Member, interest_month: datetime.date | None) -> datetime.date:
    if not isinstance(date, datetime.date):
        raise ValidationError.for_field("date", "Tanggal transaksi wajib diisi.")
    if date > timezone.localdate():
        raise ValidationError.for_field("date", "Tanggal transaksi tidak boleh di masa depan.")
    if date < member.joined_on:
        raise ValidationError.for_field(
            "date", f"Tanggal transaksi sebelum anggota mendaftar ({member.joined_on:%d/%m/%Y})."
        )
    if interest_month is not None and date <= calculations.month_end(interest_month):
        # Interest of that month was paid on the balances as they were; a back-dated entry would make it wrong.
        raise ValidationError.for_field(
            "date",
            f"Bunga simpanan bulan {interest_month:%m/%Y} sudah dibukukan; "
            f"transaksi harus bertanggal setelah {calculations.month_end(interest_month):%d/%m/%Y}.",
            code="savings_month_closed",
        )
    return date


def _interest_month(cooperative: Cooperative) -> datetime.date | None:
    return (
        InterestRun.objects.filter(cooperative=cooperative).order_by("-month").values_list("month", flat=True).first()
    )


def _check_kind(kind: Any) -> SavingsKind:
    if kind not in SavingsKind.values:
        raise ValidationError.for_field("kind", "Jenis simpanan harus pokok, wajib atau sukarela.")
    return SavingsKind(kind)


def _check_channel(channel: Any, reference: str) -> Channel:
    if channel not in (Channel.TUNAI, Channel.TRANSFER):
        raise ValidationError.for_field("channel", "Cara bayar harus tunai atau transfer.")
    if channel == Channel.TRANSFER and not reference.strip():
        raise ValidationError.for_field("reference", "Nomor referensi transfer wajib diisi.")
    return Channel(channel)


def _record(
    *,
    cooperative: Cooperative,
    account: SavingsAccount,
    member: Member,
    txn_type: str,
    amount: int,
    date: datetime.date,
    channel: str,
    reference: str,
    memo: str,
    lines: list[Any],
    key: str | None,
    actor: Any,
) -> SavingsTransaction:
    """Move the locked account's balance, post the entry and store the transaction (one place)."""
    delta = amount if txn_type in (TxnType.SETOR, TxnType.BUNGA) else -amount
    entry = journal_post(
        cooperative=cooperative,
        date=date,
        lines=lines,
        memo=memo,
        source=f"savings:{member.member_no}",
        idempotency_key=KEY_PREFIX + key if key else None,
        actor=actor,
    )
    SavingsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + delta)
    account.balance += delta
    txn = SavingsTransaction.objects.create(
        cooperative=cooperative,
        account=account,
        member=member,
        kind=account.kind,
        type=txn_type,
        channel=channel,
        amount=amount,
        balance_after=account.balance,
        date=date,
        reference=reference.strip()[:60],
        memo=memo[:250],
        journal_entry=entry,
        idempotency_key=key,
        created_by=_actor_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=f"savings.{txn_type}",
        cooperative=cooperative,
        target=txn,
        data={"member_no": member.member_no, "kind": account.kind, "amount": amount, "entry": entry.number},
    )
    return txn


def savings_deposit(
    *,
    cooperative: Cooperative,
    member: Member | int,
    kind: str,
    amount: int,
    date: datetime.date,
    actor: Any,
    channel: str = Channel.TUNAI,
    reference: str = "",
    memo: str = "",
    idempotency_key: str | None = None,
) -> SavingsTransaction:
    """Take a deposit into a member's savings, post it, and return the transaction.

    Pokok is paid once, in full, at the amount in force; paying it makes a calon anggota
    aktif. Wajib and sukarela need an active member. A repeated ``idempotency_key``
    returns the first transaction. Raises NotFound (another cooperative's member),
    ValidationError (kind, amount, date, channel) and Conflict (``member_not_active``,
    ``member_ended``, ``pokok_already_paid``, ``pokok_amount``, ``period_closed``).
    """
    kind = _check_kind(kind)
    channel = _check_channel(channel, reference)
    key = (idempotency_key or "").strip()[:90] or None
    with transaction.atomic():
        context = _teller_lock(cooperative, member, key, date)
        if context.first is not None:
            return context.first
        member = context.member
        amount = _check_amount(amount, context.transaction_limit)
        date = _check_date(date, member, context.interest_month)
        if not member.is_current:
            raise Conflict(
                f"Keanggotaan no. {member.number} sudah berakhir; setoran tidak dapat diterima.", code="member_ended"
            )
        if kind == SavingsKind.POKOK:
            if member.status != MemberStatus.CALON:
                raise Conflict("Simpanan pokok sudah lunas; pokok dibayar sekali saja.", code="pokok_already_paid")
            if amount != context.pokok_amount:
                raise Conflict(
                    f"Simpanan pokok dibayar sekali sebesar {format_rupiah(context.pokok_amount)} "
                    f"(tertulis {format_rupiah(amount)}).",
                    code="pokok_amount",
                    detail={"amount": [f"Harus {format_rupiah(context.pokok_amount)}."]},
                )
        elif member.status != MemberStatus.AKTIF:
            raise Conflict(
                f"Anggota no. {member.number} belum aktif; bayar simpanan pokok lebih dulu.", code="member_not_active"
            )
        account = _account_locked(cooperative, member, kind, date)
        txn = _record(
            cooperative=cooperative,
            account=account,
            member=member,
            txn_type=TxnType.SETOR,
            amount=amount,
            date=date,
            channel=channel,
            reference=reference,
            memo=(memo or "").strip() or f"Setoran {kind.label.lower()} {member.number} {member.name}",
            lines=postings.deposit_lines(kind=kind, channel=channel, amount=amount, member_id=member.pk),
            key=key,
            actor=actor,
        )
        if kind == SavingsKind.POKOK:
            member_services.member_activate(member=member, date=date, actor=actor)
    return txn


def savings_withdraw(
    *,
    cooperative: Cooperative,
    member: Member | int,
    kind: str,
    amount: int,
    date: datetime.date,
    actor: Any,
    channel: str = Channel.TUNAI,
    reference: str = "",
    memo: str = "",
    idempotency_key: str | None = None,
) -> SavingsTransaction:
    """Pay out of a member's simpanan sukarela, post it, and return the transaction.

    Pokok and wajib cannot be withdrawn while a member (domain.md §1.1); they are refunded
    by ``member_exit``. Raises NotFound, ValidationError, and Conflict
    (``savings_not_withdrawable``, ``insufficient_balance``, ``period_closed``).
    """
    kind = _check_kind(kind)
    channel = _check_channel(channel, reference)
    key = (idempotency_key or "").strip()[:90] or None
    with transaction.atomic():
        context = _teller_lock(cooperative, member, key, date)
        if context.first is not None:
            return context.first
        member = context.member
        amount = _check_amount(amount, context.transaction_limit)
        date = _check_date(date, member, context.interest_month)
        if kind != SavingsKind.SUKARELA:
            raise Conflict(
                f"{kind.label} tidak dapat ditarik selama masih menjadi anggota; "
                "dikembalikan saat keanggotaan berakhir.",
                code="savings_not_withdrawable",
                detail={"kind": [f"{kind.label} tidak dapat ditarik."]},
            )
        account = _account_locked(cooperative, member, kind, date)
        if amount > account.balance:
            raise Conflict(
                f"Saldo {kind.label.lower()} tidak cukup: saldo {format_rupiah(account.balance)}, "
                f"diminta {format_rupiah(amount)}.",
                code="insufficient_balance",
                detail={"amount": [f"Paling banyak {format_rupiah(account.balance)}."], "balance": account.balance},
            )
        return _record(
            cooperative=cooperative,
            account=account,
            member=member,
            txn_type=TxnType.TARIK,
            amount=amount,
            date=date,
            channel=channel,
            reference=reference,
            memo=(memo or "").strip() or f"Penarikan {kind.label.lower()} {member.number} {member.name}",
            lines=postings.withdrawal_lines(kind=kind, channel=channel, amount=amount, member_id=member.pk),
            key=key,
            actor=actor,
        )


def sukarela_refused_message(numbers: str) -> str:
    """Say why members (``numbers``, comma-separated) cannot be credited into sukarela: not active."""
    return f"Anggota no. {numbers} tidak aktif; dana tidak dapat dimasukkan ke simpanan sukarela."


def sukarela_credit(
    *,
    cooperative: Cooperative,
    member: Member | int,
    amount: int,
    date: datetime.date,
    contra_lines: list[Any],
    memo: str,
    actor: Any,
) -> SavingsTransaction:
    """Credit an active member's sukarela in one journal entry whose other lines the caller gives.

    For money the cooperative owes a member that is not cash over the counter: a loan
    disbursed into savings (loans), SHU credited to savings (shu). ``contra_lines`` must
    balance ``amount``; the caller holds the transaction and its own locks. Raises NotFound,
    ValidationError (amount, date) and Conflict (``member_not_active``).
    """
    with transaction.atomic():
        context = _teller_lock(cooperative, member, None, date)
        member = context.member
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValidationError.for_field("amount", "Jumlah harus lebih dari nol.", code="amount_not_positive")
        date = _check_date(date, member, context.interest_month)
        if member.status != MemberStatus.AKTIF:
            raise Conflict(
                sukarela_refused_message(member.number),
                code="member_not_active",
            )
        account = _account_locked(cooperative, member, SavingsKind.SUKARELA, date)
        return _record(
            cooperative=cooperative,
            account=account,
            member=member,
            txn_type=TxnType.SETOR,
            amount=amount,
            date=date,
            channel=Channel.SISTEM,
            reference="",
            memo=memo,
            lines=[
                *contra_lines,
                *postings.credit_lines(kind=SavingsKind.SUKARELA, amount=amount, member_id=member.pk),
            ],
            key=None,
            actor=actor,
        )


BATCH_MAX = 200  # members per sukarela_credit_batch: their lines and the caller's fit one entry (≤ 500 lines)


def sukarela_credit_batch(
    *,
    cooperative: Cooperative,
    credits: Sequence[tuple[int, int]],
    date: datetime.date,
    contra_lines: list[Any],
    memo: str,
    source: str,
    actor: Any,
) -> list[SavingsTransaction]:
    """Credit many active members' sukarela in one journal entry whose other lines the caller gives.

    ``credits`` are (member id, amount), at most ``BATCH_MAX``, one per member: what
    ``sukarela_credit`` does for one member, in a constant number of queries (SHU paid to
    every member). Members, then their accounts, are locked in id order (the module's lock
    order). Raises NotFound, ValidationError (amount, date, too many) and Conflict
    (``member_not_active``, with ``detail["members"]`` the member ids refused).
    """
    amounts = dict(credits)
    if not amounts or len(amounts) != len(credits) or len(amounts) > BATCH_MAX:
        raise ValidationError(
            f"Satu kali kredit massal untuk 1 sampai {BATCH_MAX} anggota, masing-masing sekali.", code="batch_invalid"
        )
    for amount in amounts.values():
        if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            raise ValidationError.for_field("amount", "Jumlah harus lebih dari nol.", code="amount_not_positive")
    with transaction.atomic():
        members = list(
            Member.objects.select_for_update().filter(cooperative=cooperative, pk__in=amounts).order_by("pk")
        )
        if len(members) != len(amounts):
            raise NotFound("Anggota tidak ditemukan.")
        inactive = [m for m in members if m.status != MemberStatus.AKTIF]
        if inactive:
            numbers = ", ".join(m.number for m in inactive)
            raise Conflict(
                sukarela_refused_message(numbers),
                code="member_not_active",
                detail={"members": [str(m.pk) for m in inactive]},
            )
        interest_month = _interest_month(cooperative)
        for member in members:
            _check_date(date, member, interest_month)
        accounts = {
            a.member_id: a
            for a in SavingsAccount.objects.select_for_update()
            .filter(cooperative=cooperative, kind=SavingsKind.SUKARELA, member_id__in=amounts)
            .order_by("pk")
        }
        # Opening a missing account cannot race: a deposit opens one only under its member's lock, held here.
        opened = SavingsAccount.objects.bulk_create(
            [
                SavingsAccount(cooperative=cooperative, member=m, kind=SavingsKind.SUKARELA, opened_on=date)
                for m in members
                if m.pk not in accounts
            ]
        )
        accounts.update({a.member_id: a for a in opened})
        entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=[
                *contra_lines,
                *[
                    line
                    for m in members
                    for line in postings.credit_lines(kind=SavingsKind.SUKARELA, amount=amounts[m.pk], member_id=m.pk)
                ],
            ],
            memo=memo,
            source=source,
            actor=actor,
        )
        txns = []
        for member in members:
            account = accounts[member.pk]
            account.balance += amounts[member.pk]
            txns.append(
                SavingsTransaction(
                    cooperative=cooperative,
                    account=account,
                    member=member,
                    kind=SavingsKind.SUKARELA,
                    type=TxnType.SETOR,
                    channel=Channel.SISTEM,
                    amount=amounts[member.pk],
                    balance_after=account.balance,
                    date=date,
                    memo=memo[:250],
                    journal_entry=entry,
                    created_by=_actor_or_none(actor),
                )
            )
        SavingsAccount.objects.bulk_update(list(accounts.values()), ["balance"])
        created = SavingsTransaction.objects.bulk_create(txns)
        audit_record(
            actor=actor,
            action="savings.setor_batch",
            cooperative=cooperative,
            target=entry,
            data={"members": len(txns), "amount": sum(amounts.values()), "entry": entry.number},
        )
    return created


def savings_transact(*, direction: str, **kwargs: Any) -> SavingsTransaction:
    """Deposit or withdraw (``direction`` "deposit" / "withdrawal"), for the API's one endpoint."""
    if direction == "deposit":
        return savings_deposit(**kwargs)
    if direction == "withdrawal":
        return savings_withdraw(**kwargs)
    raise ValidationError.for_field("direction", "Arah transaksi harus deposit atau withdrawal.")


# --- Corrections -------------------------------------------------------------------------------
CORRECTABLE = {TxnType.SETOR: TxnType.TARIK, TxnType.TARIK: TxnType.SETOR}


def savings_transaction_reverse(
    *,
    cooperative: Cooperative,
    txn: SavingsTransaction,
    reason: str,
    actor: Any,
    date: datetime.date | None = None,
) -> SavingsTransaction:
    """Cancel a wrong deposit or withdrawal: the opposite transaction and the reversed journal entry.

    Dated ``date`` (default today), which must be a day the books and savings are open.
    Raises NotFound (another cooperative's transaction), ValidationError (no reason, date)
    and Conflict (``not_correctable``: interest, refunds, pokok or a correction itself;
    ``already_reversed``; ``insufficient_balance``: the deposit was already spent;
    ``member_ended``; ``period_closed``).
    """
    if txn.cooperative_id != cooperative.pk:
        raise NotFound("Transaksi tidak ditemukan.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Alasan koreksi wajib diisi.")
    date = date or timezone.localdate()
    with transaction.atomic():
        context = _teller_lock(cooperative, txn.member_id, None, date)
        member = context.member
        original = SavingsTransaction.objects.select_related("journal_entry").get(pk=txn.pk)
        opposite = CORRECTABLE.get(TxnType(original.type))
        if opposite is None or original.reverses_id is not None or original.kind == SavingsKind.POKOK:
            raise Conflict(
                "Hanya setoran atau penarikan wajib/sukarela yang dapat dikoreksi; "
                "bunga, pengembalian, simpanan pokok dan koreksi tidak.",
                code="not_correctable",
            )
        if SavingsTransaction.objects.filter(reverses=original).exists():
            raise Conflict(f"Transaksi {original.journal_entry.number} sudah dikoreksi.", code="already_reversed")
        if not member.is_current:
            raise Conflict("Keanggotaan sudah berakhir; transaksinya tidak dapat dikoreksi.", code="member_ended")
        date = _check_date(date, member, context.interest_month)
        if date < original.date:
            raise ValidationError.for_field("date", "Tanggal koreksi tidak boleh sebelum tanggal transaksinya.")
        account = _account_locked(cooperative, member, original.kind, date)
        if opposite == TxnType.TARIK and original.amount > account.balance:
            raise Conflict(
                f"Saldo {format_rupiah(account.balance)} kurang dari setoran yang dikoreksi "
                f"{format_rupiah(original.amount)}: sebagian sudah ditarik.",
                code="insufficient_balance",
            )
        label = f"Koreksi {original.journal_entry.number}: {reason}"[:250]
        entry = journal_reverse(
            cooperative=cooperative,
            entry=original.journal_entry,
            date=date,
            actor=actor,
            memo=label,
            by_source_app=True,
        )
        delta = original.amount if opposite == TxnType.SETOR else -original.amount
        SavingsAccount.objects.filter(pk=account.pk).update(balance=F("balance") + delta)
        correction = SavingsTransaction.objects.create(
            cooperative=cooperative,
            account=account,
            member=member,
            kind=original.kind,
            type=opposite,
            channel=original.channel,
            amount=original.amount,
            balance_after=account.balance + delta,
            date=date,
            reference=original.reference,
            memo=label,
            journal_entry=entry,
            reverses=original,
            created_by=_actor_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="savings.reverse",
            cooperative=cooperative,
            target=correction,
            data={"reverses": original.pk, "entry": entry.number, "amount": original.amount, "reason": reason},
        )
    return correction


# --- Settings ----------------------------------------------------------------------------------
def savings_setting_create(
    *,
    cooperative: Cooperative,
    actor: Any,
    effective_from: datetime.date,
    pokok_amount: int,
    wajib_amount: int,
    wajib_due_day: int = 10,
    sukarela_rate_pa: Decimal | str = "0",
    sukarela_min_balance: int = 0,
    transaction_limit: int = calculations.DEFAULT_SETTING.transaction_limit,
) -> SavingsSetting:
    """Record the savings rules in force from ``effective_from`` (RAT decision).

    Raises ValidationError (each bad field) and Conflict (``setting_exists``: a row for
    that date already exists; settings are history, not edited).
    """
    problems: dict[str, list[str]] = {}
    if not isinstance(effective_from, datetime.date):
        problems["effective_from"] = ["Tanggal berlaku wajib diisi."]
    for name, value, label in (
        ("pokok_amount", pokok_amount, "Simpanan pokok"),
        ("wajib_amount", wajib_amount, "Simpanan wajib"),
        ("transaction_limit", transaction_limit, "Batas transaksi"),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            problems[name] = [f"{label} harus rupiah bulat lebih dari nol."]
        elif value > MAX_SETTING_AMOUNT:
            problems[name] = [f"{label} terlalu besar (paling banyak {format_rupiah(MAX_SETTING_AMOUNT)})."]
    if (
        isinstance(sukarela_min_balance, bool)
        or not isinstance(sukarela_min_balance, int)
        or not 0 <= sukarela_min_balance <= MAX_SETTING_AMOUNT
    ):
        problems["sukarela_min_balance"] = ["Saldo minimum bunga harus rupiah bulat, tidak negatif."]
    if isinstance(wajib_due_day, bool) or not isinstance(wajib_due_day, int) or not 1 <= wajib_due_day <= 28:
        problems["wajib_due_day"] = ["Tanggal jatuh tempo 1–28."]
    try:
        rate = Decimal(str(sukarela_rate_pa))
        if not rate.is_finite() or rate < 0 or rate > 100 or rate != rate.quantize(Decimal("0.01")):
            raise InvalidOperation
    except InvalidOperation:
        problems["sukarela_rate_pa"] = ["Bunga sukarela 0–100 % per tahun, paling banyak dua desimal."]
        rate = Decimal(0)
    if problems:
        raise ValidationError("Pengaturan simpanan tidak valid.", code="setting_invalid", detail=problems)
    with transaction.atomic():
        if SavingsSetting.objects.filter(cooperative=cooperative, effective_from=effective_from).exists():
            message = f"Sudah ada pengaturan yang berlaku mulai {effective_from:%d/%m/%Y}."
            raise Conflict(message, code="setting_exists", detail={"effective_from": [message]})
        setting = SavingsSetting.objects.create(
            cooperative=cooperative,
            effective_from=effective_from,
            pokok_amount=pokok_amount,
            wajib_amount=wajib_amount,
            wajib_due_day=wajib_due_day,
            sukarela_rate_pa=rate,
            sukarela_min_balance=sukarela_min_balance,
            transaction_limit=transaction_limit,
            created_by=_actor_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="savings.setting_create",
            cooperative=cooperative,
            target=setting,
            data={
                "effective_from": effective_from.isoformat(),
                "pokok": pokok_amount,
                "wajib": wajib_amount,
                "rate_pa": str(rate),
            },
        )
    return setting


def wajib_amount_set(*, cooperative: Cooperative, member: Member, amount: int | None, actor: Any) -> SavingsAccount:
    """Set a member's own monthly wajib (None: back to the setting); bills issued later use it.

    Wajib "need not be equal for all members" (domain.md §1.1). Raises NotFound,
    ValidationError.
    """
    if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0):
        raise ValidationError.for_field("wajib_amount", "Simpanan wajib harus rupiah bulat lebih dari nol.")
    if amount is not None and amount > MAX_SETTING_AMOUNT:
        raise ValidationError.for_field(
            "wajib_amount", f"Simpanan wajib terlalu besar (paling banyak {format_rupiah(MAX_SETTING_AMOUNT)})."
        )
    with transaction.atomic():
        member = _member_locked(cooperative, member)
        account = _account_locked(cooperative, member, SavingsKind.WAJIB, member.activated_on or member.joined_on)
        account.wajib_amount = amount
        account.save(update_fields=["wajib_amount"])
        audit_record(
            actor=actor,
            action="savings.wajib_amount_set",
            cooperative=cooperative,
            target=account,
            data={"member_no": member.member_no, "amount": amount},
        )
    return account


# --- Batch: wajib bills and sukarela interest --------------------------------------------------
def wajib_bills_issue(*, cooperative: Cooperative, month: datetime.date, actor: Any) -> int:
    """Issue the month's wajib bill to every member active during it; return how many are new.

    Idempotent: a member already billed for the month is skipped. The amount is the
    member's own wajib or the setting in force on the month's first day. A member who
    becomes active after the due day owes the month's wajib from the day of joining, so
    that bill falls due then, not before. Raises ValidationError (a month not yet begun).
    """
    month = calculations.month_start(month)
    if month > timezone.localdate():
        raise ValidationError.for_field("month", f"Bulan {month:%m/%Y} belum dimulai; tagihan belum dapat diterbitkan.")
    setting = selectors.savings_setting_in_force(cooperative=cooperative, day=month)
    due_on = calculations.due_date(month, setting.wajib_due_day)
    with transaction.atomic():
        billed = set(WajibBill.objects.filter(cooperative=cooperative, month=month).values_list("member_id", flat=True))
        own_amounts = dict(
            SavingsAccount.objects.filter(
                cooperative=cooperative, kind=SavingsKind.WAJIB, wajib_amount__isnull=False
            ).values_list("member_id", "wajib_amount")
        )
        # Active during the month: activated before it ends and not gone before it starts.
        members = (
            Member.objects.filter(cooperative=cooperative, activated_on__lte=calculations.month_end(month))
            .exclude(left_on__lt=month)
            .values_list("pk", "activated_on")
        )
        new = [
            WajibBill(
                cooperative=cooperative,
                member_id=member_id,
                month=month,
                amount=own_amounts.get(member_id) or setting.wajib_amount,
                due_on=max(due_on, activated_on or due_on),
            )
            for member_id, activated_on in members
            if member_id not in billed
        ]
        WajibBill.objects.bulk_create(new, batch_size=1000)
        if new:
            audit_record(
                actor=actor,
                action="savings.wajib_bills_issue",
                cooperative=cooperative,
                data={"month": month.isoformat(), "bills": len(new)},
            )
    return len(new)


CHUNK = 400  # sukarela lines per interest entry (the ledger takes at most 500 lines an entry)


def interest_month_post(
    *,
    cooperative: Cooperative,
    month: datetime.date,
    actor: Any,
    progress: Callable[[int, int], None] | None = None,
) -> InterestRun:
    """Credit a month's interest to every simpanan sukarela account and post it; once per month.

    Interest = the month's lowest balance × rate / 12, rounded down (ADR 0003). A second
    run for the month returns the first run. Raises Conflict (``month_not_over``,
    ``interest_month_passed``, ``period_closed``).
    """
    month = calculations.month_start(month)
    last_day = calculations.month_end(month)
    if last_day >= timezone.localdate():
        raise Conflict(
            f"Bulan {month:%m/%Y} belum berakhir; bunga dihitung setelah akhir bulan.", code="month_not_over"
        )
    setting = selectors.savings_setting_in_force(cooperative=cooperative, day=last_day)
    with transaction.atomic():
        done = InterestRun.objects.select_for_update().filter(cooperative=cooperative, month=month).first()
        if done is not None:
            return done
        latest = _interest_month(cooperative)
        if latest is not None and latest > month:
            raise Conflict(
                f"Bunga bulan {latest:%m/%Y} sudah dibukukan; bulan sebelumnya tidak dapat dibukukan lagi.",
                code="interest_month_passed",
            )
        accounts = list(
            SavingsAccount.objects.select_for_update()
            .filter(cooperative=cooperative, kind=SavingsKind.SUKARELA, opened_on__lte=last_day)
            .order_by("pk")
        )
        minimums = selectors.month_minimum_balances(cooperative=cooperative, month=month, accounts=accounts)
        credits = []
        for account in accounts:
            interest = calculations.monthly_interest(
                minimums[account.pk], setting.sukarela_rate_pa, min_balance=setting.sukarela_min_balance
            )
            if interest > 0:
                credits.append((account, interest))
        run = InterestRun(
            cooperative=cooperative,
            month=month,
            rate_pa=setting.sukarela_rate_pa,
            accounts_paid=len(credits),
            total_interest=sum(i for _, i in credits),
            created_by=_actor_or_none(actor),
        )
        members = {m.pk: m for m in Member.objects.filter(pk__in=[a.member_id for a, _ in credits])}
        for start in range(0, len(credits), CHUNK):
            chunk = credits[start : start + CHUNK]
            entry = journal_post(
                cooperative=cooperative,
                date=last_day,
                lines=postings.interest_lines([(a.member_id, i) for a, i in chunk]),
                memo=f"Bunga simpanan sukarela {month:%m/%Y} ({setting.sukarela_rate_pa} % p.a.)",
                source=f"savings-interest:{month:%Y-%m}",
                idempotency_key=f"{KEY_PREFIX}bunga:{month:%Y-%m}:{start // CHUNK}",
                actor=actor,
            )
            run.journal_entry = run.journal_entry or entry  # the first; each transaction names its own
            txns = []
            for account, interest in chunk:
                account.balance += interest
                txns.append(
                    SavingsTransaction(
                        cooperative=cooperative,
                        account=account,
                        member=members[account.member_id],
                        kind=SavingsKind.SUKARELA,
                        type=TxnType.BUNGA,
                        channel=Channel.SISTEM,
                        amount=interest,
                        balance_after=account.balance,
                        date=last_day,
                        memo=f"Bunga {month:%m/%Y}",
                        journal_entry=entry,
                        created_by=_actor_or_none(actor),
                    )
                )
            SavingsAccount.objects.bulk_update([a for a, _ in chunk], ["balance"], batch_size=CHUNK)
            SavingsTransaction.objects.bulk_create(txns, batch_size=CHUNK)
            if progress is not None:
                progress(min(start + CHUNK, len(credits)), len(credits))
        run.save()
        audit_record(
            actor=actor,
            action="savings.interest_post",
            cooperative=cooperative,
            target=run,
            data={"month": month.isoformat(), "accounts": run.accounts_paid, "total": run.total_interest},
        )
    return run


# --- Leaving -----------------------------------------------------------------------------------
def member_exit(
    *,
    cooperative: Cooperative,
    member: Member | int,
    status: str,
    date: datetime.date,
    reason: str,
    actor: Any,
    channel: str = Channel.TUNAI,
    reference: str = "",
    expected_payout: int | None = None,
) -> tuple[Member, SavingsTransaction | None]:
    """End a membership and refund all its savings minus what the member owes, in one entry.

    The quote (``selectors.member_exit_quote``) is what the officer confirmed; if it
    changed since (``expected_payout`` differs) nothing is done. Raises NotFound,
    ValidationError, and Conflict (``member_already_ended``, ``exit_blocked``,
    ``exit_quote_changed``, ``period_closed``).
    """
    channel = _check_channel(channel, reference)
    with transaction.atomic():
        member = _member_locked(cooperative, member)
        date = _check_date(date, member, _interest_month(cooperative))
        accounts = list(
            SavingsAccount.objects.select_for_update().filter(cooperative=cooperative, member=member).order_by("pk")
        )
        quote = selectors.member_exit_quote(cooperative=cooperative, member=member, accounts=accounts)
        if quote.blockers:
            raise Conflict(
                "Keanggotaan belum dapat diakhiri: " + " ".join(quote.blockers),
                code="exit_blocked",
                detail={"blockers": quote.blockers},
            )
        if expected_payout is not None and expected_payout != quote.net_payout:
            raise Conflict(
                f"Perhitungan berubah: pengembalian sekarang {format_rupiah(quote.net_payout)}. Periksa lagi.",
                code="exit_quote_changed",
            )
        member_services.member_end(member=member, status=status, date=date, reason=reason, actor=actor)
        refund = None
        if quote.savings_total > 0:
            label = MemberStatus(status).label.lower()
            entry = journal_post(
                cooperative=cooperative,
                date=date,
                lines=postings.exit_lines(quote=quote, channel=channel, member_id=member.pk),
                memo=f"Pengembalian simpanan {member.number} {member.name} ({label})",
                source=f"savings:{member.member_no}",
                actor=actor,
            )
            for account in accounts:
                if account.balance <= 0:
                    continue
                amount = account.balance
                account.balance = 0
                txn = SavingsTransaction.objects.create(
                    cooperative=cooperative,
                    account=account,
                    member=member,
                    kind=account.kind,
                    type=TxnType.PENGEMBALIAN,
                    channel=channel,
                    amount=amount,
                    balance_after=0,
                    date=date,
                    reference=reference.strip()[:60],
                    memo=f"Pengembalian {account.get_kind_display().lower()} ({label})",
                    journal_entry=entry,
                    created_by=_actor_or_none(actor),
                )
                refund = refund or txn
            SavingsAccount.objects.filter(pk__in=[a.pk for a in accounts]).update(balance=0)
        audit_record(
            actor=actor,
            action="member.exit",
            cooperative=cooperative,
            target=member,
            data={
                "status": status,
                "date": date.isoformat(),
                "savings": quote.savings_total,
                "offset": quote.offset_total,
                "payout": quote.net_payout,
            },
        )
    return member, refund
