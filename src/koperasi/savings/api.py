"""API: members' savings — balances, statements, teller transactions, wajib arrears, settings.

Mounted at ``/coops`` beside the cooperatives, ledger and members routers
(``koperasi.api.api``); every path starts with ``/{coop}``. Handlers parse, check the
permission with ``cooperative_get_for_user``, call one service or selector and shape the
answer. A member's own savings are also open to that member's portal login (role
anggota); any other member is "not found" to them.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status

from koperasi.cooperatives import selectors as coop_selectors
from koperasi.cooperatives.models import Cooperative
from koperasi.core.api_types import Day, Text, WholeRupiah
from koperasi.core.errors import NotFound, PermissionDenied, ValidationError
from koperasi.core.pagination import MAX_LIMIT, paginate
from koperasi.core.permissions import Action, can
from koperasi.members import selectors as member_selectors
from koperasi.members.models import Member
from koperasi.savings import calculations, selectors, services
from koperasi.savings.calculations import SettingValues
from koperasi.savings.choices import Channel, SavingsKind, TxnType
from koperasi.savings.models import SavingsSetting, SavingsTransaction

router = Router(tags=["savings"])

ID_MAX = 2**63 - 1  # a larger member_id cannot exist (and would overflow the database driver)
IDEMPOTENCY_KEY_MAX = 80  # the service keeps 90 characters; "api:" goes in front
DIRECTION = {TxnType.SETOR: "deposit", TxnType.TARIK: "withdrawal"}


def _coop(request: HttpRequest, code: str, action: Action) -> Cooperative:
    cooperative, _ = coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=action)
    return cooperative


def _member_for_savings(request: HttpRequest, code: str, member_id: int) -> tuple[Cooperative, Member]:
    """Return the cooperative and the member whose savings the user may read.

    Officers with SAVINGS_VIEW read any member; a portal user (anggota) only their own
    membership, every other member is NotFound. Other roles get PermissionDenied.
    """
    cooperative, roles = coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_VIEW)
    if can(roles, Action.SAVINGS_VIEW):
        return cooperative, member_selectors.member_get(cooperative=cooperative, member_id=member_id)
    if can(roles, Action.PORTAL_VIEW):
        own = member_selectors.member_for_user(cooperative=cooperative, user=request.user)
        if own is None or own.pk != member_id:
            raise NotFound("Anggota tidak ditemukan.")
        return cooperative, own
    raise PermissionDenied()


def _rate(value: Decimal) -> str:
    """Write a rate without trailing zeros: ``Decimal("3.50")`` → ``"3.5"``, ``10.00`` → ``"10"``."""
    text = format(value.normalize(), "f")
    return text if text != "-0" else "0"


# --- Schemas ----------------------------------------------------------------------------------
class BalancesOut(Schema):
    pokok: int
    wajib: int
    sukarela: int
    total: int


class TransactionOut(Schema):
    id: int
    date: datetime.date
    kind: str
    type: str
    direction: str | None
    channel: str
    amount: int
    balance_after: int
    entry_number: str
    reference: str
    memo: str


class TransactionListOut(Schema):
    items: list[TransactionOut]
    count: int


class TransactionFilter(Schema):
    kind: str = ""
    limit: int = 100
    offset: int = 0


class TransactionIn(Schema):
    member_id: int
    kind: Text
    direction: Text
    amount: WholeRupiah
    date: Day
    channel: Text = Channel.TUNAI.value
    reference: Text = ""
    memo: Text = ""


class TransactionCreatedOut(TransactionOut):
    member_id: int


class ArrearsFilter(Schema):
    as_of: datetime.date | None = None
    limit: int = 100
    offset: int = 0


class ArrearsOut(Schema):
    member_id: int
    member_no: int
    number: str
    name: str
    phone: str
    months: int
    amount: int
    oldest_month: str


class ArrearsListOut(Schema):
    as_of: datetime.date
    items: list[ArrearsOut]
    count: int
    total: int


class SettingOut(Schema):
    effective_from: datetime.date
    pokok_amount: int
    wajib_amount: int
    wajib_due_day: int
    sukarela_rate_pa: str
    sukarela_min_balance: int
    transaction_limit: int


class SettingInForceOut(SettingOut):
    is_default: bool


class SettingRowOut(SettingOut):
    id: int
    created_by: str | None
    created_at: datetime.datetime


class SettingsOut(Schema):
    as_of: datetime.date
    in_force: SettingInForceOut
    history: list[SettingRowOut]


class SettingIn(Schema):
    effective_from: datetime.date
    pokok_amount: WholeRupiah
    wajib_amount: WholeRupiah
    wajib_due_day: int = calculations.DEFAULT_SETTING.wajib_due_day
    sukarela_rate_pa: str = "0"
    sukarela_min_balance: WholeRupiah = 0
    transaction_limit: WholeRupiah = calculations.DEFAULT_SETTING.transaction_limit


def _txn_out(txn: SavingsTransaction) -> dict[str, Any]:
    """Shape a transaction whose ``journal_entry`` is loaded."""
    return {
        "id": txn.pk,
        "member_id": txn.member_id,
        "date": txn.date,
        "kind": txn.kind,
        "type": txn.type,
        "direction": DIRECTION.get(TxnType(txn.type)),
        "channel": txn.channel,
        "amount": txn.amount,
        "balance_after": txn.balance_after,
        "entry_number": txn.journal_entry.number,
        "reference": txn.reference,
        "memo": txn.memo,
    }


def _setting_values_out(values: SettingValues) -> dict[str, Any]:
    return {
        "effective_from": values.effective_from,
        "pokok_amount": values.pokok_amount,
        "wajib_amount": values.wajib_amount,
        "wajib_due_day": values.wajib_due_day,
        "sukarela_rate_pa": _rate(values.sukarela_rate_pa),
        "sukarela_min_balance": values.sukarela_min_balance,
        "transaction_limit": values.transaction_limit,
    }


def _setting_row_out(row: SavingsSetting) -> dict[str, Any]:
    return {
        "id": row.pk,
        "effective_from": row.effective_from,
        "pokok_amount": row.pokok_amount,
        "wajib_amount": row.wajib_amount,
        "wajib_due_day": row.wajib_due_day,
        "sukarela_rate_pa": _rate(row.sukarela_rate_pa),
        "sukarela_min_balance": row.sukarela_min_balance,
        "transaction_limit": row.transaction_limit,
        "created_by": row.created_by.username if row.created_by else None,
        "created_at": row.created_at,
    }


# --- Endpoints: one member's savings ------------------------------------------------------------
@router.get("/{coop}/members/{member_id}/savings", response=BalancesOut, summary="Saldo simpanan anggota per jenis")
def member_savings(request: HttpRequest, coop: str, member_id: int) -> dict[str, int]:
    cooperative, member = _member_for_savings(request, coop, member_id)
    return selectors.savings_balances(cooperative=cooperative, member=member)


@router.get(
    "/{coop}/members/{member_id}/savings/transactions",
    response=TransactionListOut,
    summary="Mutasi simpanan anggota (terlama dahulu, seperti buku simpanan)",
)
def member_savings_transactions(
    request: HttpRequest, coop: str, member_id: int, filters: Query[TransactionFilter]
) -> dict[str, Any]:
    cooperative, member = _member_for_savings(request, coop, member_id)
    if filters.kind and filters.kind not in SavingsKind.values:
        raise ValidationError.for_field("kind", "Jenis simpanan harus pokok, wajib atau sukarela.")
    qs = selectors.savings_transactions(cooperative=cooperative, member=member, kind=filters.kind)
    return paginate(qs, limit=filters.limit, offset=filters.offset, to_item=_txn_out)


# --- Endpoints: the teller --------------------------------------------------------------------
@router.post(
    "/{coop}/savings/transactions",
    response={201: TransactionCreatedOut},
    summary="Setor atau tarik simpanan (kasir, bendahara)",
)
def savings_transaction_create(
    request: HttpRequest,
    coop: str,
    payload: TransactionIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SAVINGS_TRANSACT)
    if not 1 <= payload.member_id <= ID_MAX:
        raise NotFound("Anggota tidak ditemukan.")
    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError.for_field(
            "Idempotency-Key", f"Idempotency-Key paling banyak {IDEMPOTENCY_KEY_MAX} karakter."
        )
    txn = services.savings_transact(
        direction=payload.direction,
        cooperative=cooperative,
        member=payload.member_id,
        kind=payload.kind,
        amount=payload.amount,
        date=payload.date,
        channel=payload.channel,
        reference=payload.reference,
        memo=payload.memo,
        # The teller's HTML form keeps its own keys; ours never meet them.
        idempotency_key=f"api:{key}" if key else None,
        actor=request.user,
    )
    return Status(201, _txn_out(txn))


class ReverseIn(Schema):
    reason: str
    date: datetime.date | None = None


@router.post(
    "/{coop}/savings/transactions/{txn_id}/reverse",
    response={201: TransactionCreatedOut},
    summary="Koreksi setoran/penarikan yang salah dengan transaksi kebalikannya (bendahara)",
)
def savings_transaction_reverse(
    request: HttpRequest, coop: str, txn_id: int, payload: ReverseIn
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SAVINGS_CORRECT)
    txn = selectors.savings_transaction_get(cooperative=cooperative, txn_id=txn_id) if 1 <= txn_id <= ID_MAX else None
    if txn is None:
        raise NotFound("Transaksi tidak ditemukan.")
    correction = services.savings_transaction_reverse(
        cooperative=cooperative, txn=txn, reason=payload.reason, date=payload.date, actor=request.user
    )
    return Status(201, _txn_out(correction))


# --- Endpoints: wajib arrears -------------------------------------------------------------------
@router.get("/{coop}/savings/arrears", response=ArrearsListOut, summary="Tunggakan simpanan wajib (terbesar dahulu)")
def savings_arrears(request: HttpRequest, coop: str, filters: Query[ArrearsFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SAVINGS_VIEW)
    if not 1 <= filters.limit <= MAX_LIMIT:
        raise ValidationError.for_field("limit", f"limit harus 1–{MAX_LIMIT}.")
    if filters.offset < 0:
        raise ValidationError.for_field("offset", "offset tidak boleh negatif.")
    as_of = filters.as_of or timezone.localdate()
    rows = selectors.wajib_arrears(cooperative=cooperative, today=as_of)
    return {
        "as_of": as_of,
        "items": [
            {
                "member_id": r.member.pk,
                "member_no": r.member.member_no,
                "number": r.member.number,
                "name": r.member.name,
                "phone": r.member.phone,
                "months": r.months,
                "amount": r.amount,
                "oldest_month": f"{r.oldest:%Y-%m}",
            }
            for r in rows[filters.offset : filters.offset + filters.limit]
        ],
        "count": len(rows),
        "total": sum(r.amount for r in rows),
    }


# --- Endpoints: settings ------------------------------------------------------------------------
def _settings_out(cooperative: Cooperative) -> dict[str, Any]:
    today = timezone.localdate()
    in_force = selectors.savings_setting_in_force(cooperative=cooperative, day=today)
    return {
        "as_of": today,
        "in_force": {
            **_setting_values_out(in_force),
            "is_default": in_force is calculations.DEFAULT_SETTING,
        },
        "history": [_setting_row_out(row) for row in selectors.savings_setting_list(cooperative=cooperative)],
    }


@router.get("/{coop}/savings/settings", response=SettingsOut, summary="Pengaturan simpanan: yang berlaku dan riwayat")
def savings_settings(request: HttpRequest, coop: str) -> dict[str, Any]:
    return _settings_out(_coop(request, coop, Action.SAVINGS_VIEW))


@router.post(
    "/{coop}/savings/settings",
    response={201: SettingRowOut},
    summary="Catat pengaturan simpanan baru yang berlaku mulai tanggal tertentu (ketua, bendahara)",
)
def savings_setting_create(request: HttpRequest, coop: str, payload: SettingIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SAVINGS_SETTINGS)
    row = services.savings_setting_create(
        cooperative=cooperative,
        actor=request.user,
        effective_from=payload.effective_from,
        pokok_amount=payload.pokok_amount,
        wajib_amount=payload.wajib_amount,
        wajib_due_day=payload.wajib_due_day,
        sukarela_rate_pa=payload.sukarela_rate_pa.strip(),
        sukarela_min_balance=payload.sukarela_min_balance,
        transaction_limit=payload.transaction_limit,
    )
    return Status(201, _setting_row_out(row))
