"""API: the members (anggota) of a cooperative — register, list and search, detail, correct, exit.

Mounted at ``/coops`` beside the cooperatives router (``koperasi.api.api``); every path
starts with ``/{coop}``. Handlers parse, check the permission with
``cooperative_get_for_user``, call one service or selector and shape the answer.

Members are never deleted (their numbers are never reused and the books point at them):
there is no DELETE; a membership ends through ``/exit``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from koperasi.cooperatives import selectors as coop_selectors
from koperasi.cooperatives.models import Cooperative
from koperasi.core.api_types import Text, WholeRupiah
from koperasi.core.errors import ValidationError
from koperasi.core.pagination import paginate
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.members import selectors, services
from koperasi.members.choices import MemberStatus
from koperasi.members.identity import nik_mask
from koperasi.members.models import Member
from koperasi.savings import selectors as savings_selectors
from koperasi.savings import services as savings_services
from koperasi.savings.api import BalancesOut
from koperasi.savings.calculations import ExitQuote
from koperasi.savings.choices import Channel

router = Router(tags=["members"])


def _coop(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=action)


# --- Schemas ----------------------------------------------------------------------------------
class MemberFilter(Schema):
    status: Text = ""
    q: Text = ""
    limit: int = 100
    offset: int = 0


class MemberOut(Schema):
    id: int
    member_no: int
    number: str
    nik: str
    name: str
    gender: str
    birth_date: datetime.date
    status: str
    joined_on: datetime.date
    activated_on: datetime.date | None
    left_on: datetime.date | None
    phone: str
    kelurahan_code: str


class MemberListOut(Schema):
    items: list[MemberOut]
    count: int


class StatusChangeOut(Schema):
    from_status: str
    to_status: str
    date: datetime.date
    reason: str
    changed_by: str | None


class MemberDetailOut(MemberOut):
    status_label: str
    kk: str
    address: str
    kelurahan_name: str
    birth_place: str
    occupation: str
    age: int
    leave_reason: str
    has_portal_account: bool
    savings: BalancesOut | None
    history: list[StatusChangeOut]


class MemberIn(Schema):
    """Registration; every field is checked by the service, which names each refusal."""

    nik: str | None = None
    kk: str | None = None
    name: str | None = None
    address: str | None = None
    phone: str | None = None
    joined_on: str | None = None
    kelurahan_code: str | None = None
    birth_place: str | None = None
    occupation: str | None = None


class MemberUpdateIn(MemberIn):
    """A correction: only the fields sent change."""


class ObligationOut(Schema):
    label: str
    amount: int
    blocks_exit: bool
    reason: str


class ExitQuoteOut(Schema):
    member_id: int
    status: str
    balances: dict[str, int]
    obligations: list[ObligationOut]
    savings_total: int
    offset_total: int
    net_payout: int
    blockers: list[str]


class ExitIn(Schema):
    status: str
    date: datetime.date
    reason: str = ""
    channel: str = Channel.TUNAI.value
    reference: str = ""
    expected_payout: WholeRupiah | None = None


class ExitOut(ExitQuoteOut):
    left_on: datetime.date
    leave_reason: str
    entry_number: str | None


def _member_out(member: Member, *, full_nik: bool) -> dict[str, Any]:
    return {
        "id": member.pk,
        "member_no": member.member_no,
        "number": member.number,
        "nik": member.nik if full_nik else member.nik_masked,
        "name": member.name,
        "gender": member.gender,
        "birth_date": member.birth_date,
        "status": member.status,
        "joined_on": member.joined_on,
        "activated_on": member.activated_on,
        "left_on": member.left_on,
        "phone": member.phone,
        "kelurahan_code": member.kelurahan_id,
    }


def _member_detail_out(cooperative: Cooperative, member: Member, roles: frozenset[Role]) -> dict[str, Any]:
    full = can(roles, Action.MEMBERS_MANAGE)
    savings = (
        savings_selectors.savings_balances(cooperative=cooperative, member=member)
        if can(roles, Action.SAVINGS_VIEW)
        else None
    )
    return {
        **_member_out(member, full_nik=full),
        "status_label": str(member.get_status_display()),
        "kk": member.kk if full else nik_mask(member.kk),
        "address": member.address,
        "kelurahan_name": member.kelurahan.name,
        "birth_place": member.birth_place,
        "occupation": member.occupation,
        "age": member.age_on(timezone.localdate()),
        "leave_reason": member.leave_reason,
        "has_portal_account": member.user_id is not None,
        "savings": savings,
        "history": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "date": change.date,
                "reason": change.reason,
                "changed_by": change.changed_by.username if change.changed_by else None,
            }
            for change in selectors.member_history(member=member)
        ],
    }


def _quote_out(member: Member, quote: ExitQuote) -> dict[str, Any]:
    return {
        "member_id": member.pk,
        "status": member.status,
        "balances": dict(quote.balances),
        "obligations": [
            {"label": o.label, "amount": o.amount, "blocks_exit": o.blocks_exit, "reason": o.reason}
            for o in quote.obligations
        ],
        "savings_total": quote.savings_total,
        "offset_total": quote.offset_total,
        "net_payout": quote.net_payout,
        "blockers": quote.blockers,
    }


# --- Endpoints --------------------------------------------------------------------------------
@router.get("/{coop}/members", response=MemberListOut, summary="Daftar dan cari anggota (menurut nomor)")
def member_list(request: HttpRequest, coop: str, filters: Query[MemberFilter]) -> dict[str, Any]:
    cooperative, roles = _coop(request, coop, Action.MEMBERS_VIEW)
    if filters.status and filters.status not in MemberStatus.values:
        raise ValidationError.for_field(
            "status", "Status harus salah satu dari: " + ", ".join(MemberStatus.values) + "."
        )
    full = can(roles, Action.MEMBERS_MANAGE)
    qs = selectors.member_list(cooperative=cooperative, status=filters.status, search=filters.q)
    return paginate(qs, limit=filters.limit, offset=filters.offset, to_item=lambda m: _member_out(m, full_nik=full))


@router.post("/{coop}/members", response={201: MemberDetailOut}, summary="Daftarkan calon anggota")
def member_create(request: HttpRequest, coop: str, payload: MemberIn) -> Status[dict[str, Any]]:
    cooperative, roles = _coop(request, coop, Action.MEMBERS_MANAGE)
    data = {name: value for name, value in payload.model_dump().items() if value is not None}
    member = services.member_register(cooperative=cooperative, data=data, actor=request.user)
    member = selectors.member_get(cooperative=cooperative, member_id=member.pk)
    return Status(201, _member_detail_out(cooperative, member, roles))


@router.get("/{coop}/members/{member_id}", response=MemberDetailOut, summary="Data lengkap satu anggota")
def member_detail(request: HttpRequest, coop: str, member_id: int) -> dict[str, Any]:
    cooperative, roles = _coop(request, coop, Action.MEMBERS_VIEW)
    member = selectors.member_get(cooperative=cooperative, member_id=member_id)
    return _member_detail_out(cooperative, member, roles)


@router.api_operation(
    ["PUT", "PATCH"],
    "/{coop}/members/{member_id}",
    response=MemberDetailOut,
    summary="Perbaiki data anggota (hanya kolom yang dikirim yang berubah)",
)
def member_update(request: HttpRequest, coop: str, member_id: int, payload: MemberUpdateIn) -> dict[str, Any]:
    cooperative, roles = _coop(request, coop, Action.MEMBERS_MANAGE)
    member = selectors.member_get(cooperative=cooperative, member_id=member_id)
    services.member_update(
        cooperative=cooperative, member=member, data=payload.model_dump(exclude_unset=True), actor=request.user
    )
    member = selectors.member_get(cooperative=cooperative, member_id=member_id)
    return _member_detail_out(cooperative, member, roles)


@router.get(
    "/{coop}/members/{member_id}/exit-quote",
    response=ExitQuoteOut,
    summary="Perhitungan pengembalian simpanan bila anggota keluar (sebelum dikonfirmasi)",
)
def member_exit_quote(request: HttpRequest, coop: str, member_id: int) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.MEMBER_EXIT)
    member = selectors.member_get(cooperative=cooperative, member_id=member_id)
    return _quote_out(member, savings_selectors.member_exit_quote(cooperative=cooperative, member=member))


@router.post(
    "/{coop}/members/{member_id}/exit",
    response=ExitOut,
    summary="Akhiri keanggotaan dan kembalikan simpanan (ketua, bendahara)",
)
def member_exit(request: HttpRequest, coop: str, member_id: int, payload: ExitIn) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.MEMBER_EXIT)
    member = selectors.member_get(cooperative=cooperative, member_id=member_id)
    # The answer shows the calculation that was paid: without an expected payout from the
    # caller, the one read here is required, so a change in between is refused (409).
    quote = savings_selectors.member_exit_quote(cooperative=cooperative, member=member)
    expected = payload.expected_payout if payload.expected_payout is not None else quote.net_payout
    ended, refund = savings_services.member_exit(
        cooperative=cooperative,
        member=member,
        status=payload.status,
        date=payload.date,
        reason=payload.reason,
        channel=payload.channel,
        reference=payload.reference,
        expected_payout=expected,
        actor=request.user,
    )
    return {
        **_quote_out(ended, quote),
        "left_on": ended.left_on,
        "leave_reason": ended.leave_reason,
        "entry_number": refund.journal_entry.number if refund is not None else None,
    }
