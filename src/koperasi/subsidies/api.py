"""API: subsidised goods — programmes, monthly allocations, registered recipients and the quota a NIK has left.

Mounted at ``/coops`` beside the other apps' routers (``koperasi.api.api``); every path
starts with ``/{coop}/subsidies``. Handlers parse, check the permission with
``cooperative_get_for_user``, call one service or selector and shape the answer
(DESIGN.md §9). The rules (HET, overlapping programmes, quotas, registration) live in
``subsidies.services``, ``subsidies.selectors`` and ``subsidies.till``; selling is
``POST /coops/{coop}/sales`` with ``buyer_nik`` (``shop.api``), which enforces them.

Personal data (ADR 0006): NIK and No. KK are answered masked (``6471••••••••0001``).
Full numbers are given only to ketua, bendahara and manajer (``SUBSIDY_NIK_VIEW``) who ask
with ``?unmask=1``; every such answer writes one audit row (``subsidies.nik.unmasked``). Anyone
else asking ``unmask=1`` is refused (403 ``nik_view_forbidden``) rather than silently masked,
so a client never mistakes masked numbers for full ones. The one exception is the answer to a
registration, which shows the numbers the caller has just typed to those who may see them.

Input is strict as in ``shop.api``: quantities and ids are JSON integers (``true``, ``1.0``,
``"1"`` are 422), dates are ``YYYY-MM-DD``, no text may hold a NUL character, and an id that
cannot exist (zero, negative, beyond 2**63) or belongs to another cooperative is 404.
"""

from __future__ import annotations

import datetime
import re
from typing import Annotated, Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import BeforeValidator, StrictBool

from koperasi.cooperatives import selectors as coop_selectors
from koperasi.cooperatives.models import Cooperative
from koperasi.core.api_types import Day, Text, WholeNumber, WholeRupiah, iso_day
from koperasi.core.errors import NotFound, PermissionDenied, ValidationError
from koperasi.core.pagination import MAX_LIMIT, paginate
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.members.identity import IdentityError, nik_mask, nik_parse
from koperasi.shop import selectors as shop_selectors
from koperasi.subsidies import calculations, defaults, selectors, services
from koperasi.subsidies.choices import RecipientCategory
from koperasi.subsidies.models import Distribution, ProgramAllocation, Recipient, SubsidyProgram

router = Router(tags=["subsidies"])

ID_MAX = 2**63 - 1  # a larger id cannot exist (and would overflow the database driver)
OFFSET_MAX = 10**12
RECENT_DISTRIBUTIONS = 20  # a recipient's detail shows this many of the latest purchases
_DIGITS16 = re.compile(r"^\d{16}$")


# --- Helpers ----------------------------------------------------------------------------------------


def iso_month(value: Any) -> Any:
    """Accept ``YYYY-MM`` or a ``YYYY-MM-DD`` day (its month is meant); return the first of the month."""
    if isinstance(value, str) and len(value) == 7:
        value = f"{value}-01"
    return iso_day(value).replace(day=1)


Month = Annotated[datetime.date, BeforeValidator(iso_month)]


def _coop(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=action)


def _id(value: int, message: str, code: str) -> int:
    """Return an id that can exist; refuse one that cannot as "not found" (it would overflow the driver)."""
    if not 1 <= value <= ID_MAX:
        raise NotFound(message, code=code)
    return value


def _program_id(value: int) -> int:
    return _id(value, "Program subsidi tidak ditemukan.", "program_not_found")


def _recipient_id(value: int) -> int:
    return _id(value, "Penerima tidak ditemukan.", "recipient_not_found")


def _paginate(queryset: QuerySet[Any], limit: int, offset: int, to_item: Any) -> dict[str, Any]:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError.for_field("limit", f"limit harus 1–{MAX_LIMIT}.")
    if not 0 <= offset <= OFFSET_MAX:
        raise ValidationError.for_field("offset", "offset tidak boleh negatif atau sebesar itu.")
    return paginate(queryset, limit=limit, offset=offset, to_item=to_item)


def _full_numbers(roles: frozenset[Role], unmask: bool) -> bool:
    """Whether to answer full NIK/KK numbers; ``unmask`` from a role that may not see them is 403."""
    if not unmask:
        return False
    if not can(roles, Action.SUBSIDY_NIK_VIEW):
        raise PermissionDenied(
            "NIK dan No. KK lengkap hanya untuk ketua, bendahara dan manajer; minta tanpa unmask=1.",
            code="nik_view_forbidden",
        )
    return True


def _number(value: str, full: bool) -> str:
    return value if full else nik_mask(value)


def _nik(value: str, field: str = "nik") -> str:
    """A NIK as typed (spaces and dots allowed), checked as in the member module. Raises ValidationError."""
    try:
        return nik_parse(value, today=timezone.localdate()).nik
    except IdentityError as exc:
        raise ValidationError.for_field(field, str(exc), code="nik_invalid") from None


class PageQuery(Schema):
    limit: int = 100
    offset: int = 0


# --- Programmes ------------------------------------------------------------------------------------
class RuleIn(Schema):
    per: Text  # "nik" or "kk"
    period: Text  # "purchase", "day", "week" or "month"
    max_qty: WholeNumber | None = None
    max_purchases: WholeNumber | None = None


class ProgramIn(Schema):
    name: Text
    sku: Text
    price: WholeRupiah
    valid_from: Day
    valid_to: Day | None = None
    # Omitted: the defaults of the product's HET commodity (domain.md §11, ``subsidies.defaults``).
    rules: list[RuleIn] | None = None
    partner: Text | None = None
    monthly_allocation: WholeNumber | None = None
    categories: list[Text] | None = None
    registration_required: StrictBool = True
    note: Text = ""


class RuleOut(Schema):
    per: str
    period: str
    max_qty: int | None
    max_purchases: int | None
    description: str


class ProgramOut(Schema):
    id: int
    name: str
    sku: str
    product_id: int
    product_name: str
    unit: str
    partner: str
    price: int
    valid_from: datetime.date
    valid_to: datetime.date | None
    monthly_allocation: int
    categories: list[str]
    registration_required: bool
    note: str
    in_force: bool  # today
    rules: list[RuleOut]


class ProgramListOut(Schema):
    items: list[ProgramOut]
    count: int


class ProgramFilter(PageQuery):
    in_force: bool | None = None


class ProgramEndIn(Schema):
    valid_to: Day
    reason: Text


class AllocationIn(Schema):
    month: Month
    qty: WholeNumber
    reference: Text = ""


class AllocationOut(Schema):
    id: int
    program_id: int
    month: datetime.date
    qty: int
    reference: str
    recorded_by: str | None
    recorded_at: datetime.datetime


class AllocationListOut(Schema):
    items: list[AllocationOut]
    count: int
    monthly_allocation: int  # the programme's figure for a month without its own row


def _rule_out(rule: calculations.Rule, unit: str) -> dict[str, Any]:
    return {
        "per": rule.per,
        "period": rule.period,
        "max_qty": rule.max_qty,
        "max_purchases": rule.max_purchases,
        "description": rule.describe(unit),
    }


def _program_out(program: SubsidyProgram, today: datetime.date) -> dict[str, Any]:
    product = program.product
    return {
        "id": program.pk,
        "name": program.name,
        "sku": product.sku,
        "product_id": product.pk,
        "product_name": product.name,
        "unit": product.unit,
        "partner": program.partner,
        "price": program.price,
        "valid_from": program.valid_from,
        "valid_to": program.valid_to,
        "monthly_allocation": program.monthly_allocation,
        "categories": program.categories,
        "registration_required": program.registration_required,
        "note": program.note,
        "in_force": selectors.in_force(program, today),
        "rules": [_rule_out(rule, product.unit) for rule in selectors.program_rules(program)],
    }


def _program_input(cooperative: Cooperative, payload: ProgramIn) -> services.ProgramInput:
    """The service's input, with what the body omits taken from the product commodity's defaults."""
    sku = payload.sku.strip()
    product = shop_selectors.product_find(cooperative=cooperative, code=sku) if sku else None
    if product is None:
        message = f"Barang tidak dikenal: {sku}." if sku else "SKU barang wajib diisi."
        raise ValidationError(message, code="product_unknown", detail={"sku": [message]})
    preset = defaults.program_defaults(product.het_commodity)
    partner = payload.partner if payload.partner is not None else (preset.partner if preset else "")
    if not partner.strip():
        raise ValidationError.for_field(
            "partner",
            f"Mitra wajib diisi (mis. PT Pertamina Patra Niaga, Perum Bulog): {product.name} tidak punya mitra bawaan.",
        )
    if payload.rules is not None:
        rules = [
            services.RuleInput(per=r.per, period=r.period, max_qty=r.max_qty, max_purchases=r.max_purchases)
            for r in payload.rules
        ]
    else:
        rules = [
            services.RuleInput(per=r.per, period=r.period, max_qty=r.max_qty, max_purchases=r.max_purchases)
            for r in (preset.rules if preset else [])
        ]
    if payload.categories is not None:
        categories = list(payload.categories)
    else:
        categories = list(preset.categories) if preset else [RecipientCategory.RUMAH_TANGGA.value]
    if payload.monthly_allocation is not None:
        allocation = payload.monthly_allocation
    else:
        allocation = preset.monthly_allocation if preset else 0
    return services.ProgramInput(
        name=payload.name,
        product=product.pk,
        partner=partner,
        price=payload.price,
        valid_from=payload.valid_from,
        valid_to=payload.valid_to,
        monthly_allocation=allocation,
        categories=categories,
        registration_required=payload.registration_required,
        rules=rules,
        note=payload.note,
    )


@router.get(
    "/{coop}/subsidies/programs",
    response=ProgramListOut,
    summary="Program barang bersubsidi, terbaru dahulu; ?in_force=true hanya yang berlaku hari ini",
)
def program_list(request: HttpRequest, coop: str, filters: Query[ProgramFilter]) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_VIEW)
    today = timezone.localdate()
    qs = selectors.program_list(cooperative=cooperative)
    if filters.in_force is not None:
        current = Q(valid_from__lte=today) & (Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        qs = qs.filter(current) if filters.in_force else qs.exclude(current)
    return _paginate(qs, filters.limit, filters.offset, lambda p: _program_out(p, today))


@router.post(
    "/{coop}/subsidies/programs",
    response={201: ProgramOut},
    summary="Mulai program bersubsidi: barang, mitra, harga (≤ HET), masa berlaku, kuota (ketua, bendahara, manajer)",
)
def program_create(request: HttpRequest, coop: str, payload: ProgramIn) -> Status[dict[str, Any]]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_PROGRAMS)
    program = services.program_create(
        cooperative=cooperative, data=_program_input(cooperative, payload), actor=request.user
    )
    return Status(201, _program_out(program, timezone.localdate()))


@router.get("/{coop}/subsidies/programs/{program_id}", response=ProgramOut, summary="Satu program dengan kuotanya")
def program_detail(request: HttpRequest, coop: str, program_id: int) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_VIEW)
    program = selectors.program_get(cooperative=cooperative, program_id=_program_id(program_id))
    return _program_out(program, timezone.localdate())


@router.post(
    "/{coop}/subsidies/programs/{program_id}/end",
    response=ProgramOut,
    summary="Akhiri program pada tanggal terakhirnya, dengan alasan (ketua, bendahara, manajer)",
)
def program_end(request: HttpRequest, coop: str, program_id: int, payload: ProgramEndIn) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_PROGRAMS)
    program = services.program_end(
        cooperative=cooperative,
        program=_program_id(program_id),
        valid_to=payload.valid_to,
        reason=payload.reason,
        actor=request.user,
    )
    return _program_out(program, timezone.localdate())


def _allocation_out(allocation: ProgramAllocation) -> dict[str, Any]:
    return {
        "id": allocation.pk,
        "program_id": allocation.program_id,
        "month": allocation.month,
        "qty": allocation.qty,
        "reference": allocation.reference,
        "recorded_by": allocation.recorded_by.username if allocation.recorded_by else None,
        "recorded_at": allocation.recorded_at,
    }


@router.get(
    "/{coop}/subsidies/programs/{program_id}/allocations",
    response=AllocationListOut,
    summary="Alokasi bulanan dari mitra yang dicatat untuk program, menurut bulan",
)
def allocation_list(request: HttpRequest, coop: str, program_id: int, filters: Query[PageQuery]) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_VIEW)
    program = selectors.program_get(cooperative=cooperative, program_id=_program_id(program_id))
    qs = (
        ProgramAllocation.objects.filter(cooperative=cooperative, program=program)
        .select_related("recorded_by")
        .order_by("month", "id")
    )
    page = _paginate(qs, filters.limit, filters.offset, _allocation_out)
    return {**page, "monthly_allocation": program.monthly_allocation}


@router.post(
    "/{coop}/subsidies/programs/{program_id}/allocations",
    response={201: AllocationOut},
    summary="Catat alokasi mitra untuk satu bulan (mengganti angka sebelumnya bulan itu) (ketua, bendahara, manajer)",
)
def allocation_set(request: HttpRequest, coop: str, program_id: int, payload: AllocationIn) -> Status[dict[str, Any]]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_PROGRAMS)
    allocation = services.allocation_set(
        cooperative=cooperative,
        program=_program_id(program_id),
        month=payload.month,
        qty=payload.qty,
        reference=payload.reference,
        actor=request.user,
    )
    return Status(201, _allocation_out(allocation))


# --- Usage (the till asks before a sale) -------------------------------------------------------------
class UsageQuery(Schema):
    nik: Text
    date: Day | None = None  # default today; not in the future
    unmask: bool = False


class RuleUsageOut(Schema):
    per: str
    period: str
    max_qty: int | None
    max_purchases: int | None
    window_start: datetime.date | None  # null: the rule counts this purchase only
    window_end: datetime.date | None
    used_qty: int
    used_purchases: int
    remaining_qty: int | None  # null: the rule does not limit units
    remaining_purchases: int | None  # null: the rule does not count purchases
    remaining: int | None  # units this rule still allows in one purchase (0 once purchases are used up)
    description: str


class UsageRecipientOut(Schema):
    id: int
    name: str
    category: str
    kk: str
    is_active: bool


class RefusalOut(Schema):
    code: str
    message: str


class UsageOut(Schema):
    program_id: int
    nik: str
    date: datetime.date
    registered: bool
    recipient: UsageRecipientOut | None
    eligible: bool
    refusal: RefusalOut | None
    remaining: int | None  # the smallest over all rules; 0 when refused; null when no rule limits units
    rules: list[RuleUsageOut]


def _rule_usage_out(usage: calculations.RuleUsage, unit: str) -> dict[str, Any]:
    return {
        **{k: v for k, v in _rule_out(usage.rule, unit).items() if k != "description"},
        "window_start": usage.window_start,
        "window_end": usage.window_end,
        "used_qty": usage.used_qty,
        "used_purchases": usage.used_purchases,
        "remaining_qty": usage.remaining_qty,
        "remaining_purchases": usage.remaining_purchases,
        "remaining": usage.remaining,
        "description": usage.rule.describe(unit),
    }


@router.get(
    "/{coop}/subsidies/programs/{program_id}/usage",
    response=UsageOut,
    summary="Sisa kuota satu NIK pada program, per aturan dan terkecil (kasir sebelum menjual)",
)
def program_usage(request: HttpRequest, coop: str, program_id: int, filters: Query[UsageQuery]) -> dict[str, Any]:
    cooperative, roles = _coop(request, coop, Action.SUBSIDY_VIEW)
    full = _full_numbers(roles, filters.unmask)
    nik = _nik(filters.nik)
    today = timezone.localdate()
    day = filters.date or today
    if day > today:
        raise ValidationError.for_field("date", "Tanggal tidak boleh setelah hari ini.", code="date_future")
    program = selectors.program_get(cooperative=cooperative, program_id=_program_id(program_id))
    usage = selectors.program_usage(cooperative=cooperative, program=program, nik=nik, day=day)
    recipient = usage.recipient
    if full:
        services.nik_view_record(
            cooperative=cooperative,
            actor=request.user,
            what="usage",
            target=recipient,
            data={"program": program.pk, "nik": nik_mask(nik), "count": 1},
        )
    unit = program.product.unit
    return {
        "program_id": program.pk,
        "nik": _number(nik, full),
        "date": day,
        "registered": recipient is not None,
        "recipient": (
            {
                "id": recipient.pk,
                "name": recipient.name,
                "category": recipient.category,
                "kk": _number(recipient.kk, full),
                "is_active": recipient.is_active,
            }
            if recipient is not None
            else None
        ),
        "eligible": not usage.refusal_code,
        "refusal": {"code": usage.refusal_code, "message": usage.refusal} if usage.refusal_code else None,
        "remaining": usage.remaining,
        "rules": [_rule_usage_out(u, unit) for u in usage.rules],
    }


# --- Recipients ---------------------------------------------------------------------------------------
class RecipientIn(Schema):
    nik: Text
    kk: Text
    name: Text
    category: Text
    nib: Text = ""
    business_name: Text = ""
    address: Text = ""
    phone: Text = ""
    kelurahan_code: Text = ""
    registered_on: Day | None = None  # default today


class RecipientUpdateIn(Schema):
    """A change: only the fields sent change (``null`` keeps the value). The NIK never changes."""

    kk: Text | None = None
    name: Text | None = None
    category: Text | None = None
    nib: Text | None = None
    business_name: Text | None = None
    address: Text | None = None
    phone: Text | None = None
    kelurahan_code: Text | None = None
    nik: Any = None  # refused: a different NIK is a different person


class DeactivateIn(Schema):
    reason: Text
    date: Day | None = None  # default today; not in the future


class ReactivateIn(Schema):
    note: Text


class RecipientOut(Schema):
    id: int
    nik: str
    kk: str
    name: str
    category: str
    nib: str
    business_name: str
    address: str
    phone: str
    kelurahan_code: str | None
    member_id: int | None
    is_active: bool
    registered_on: datetime.date
    deactivated_on: datetime.date | None
    deactivation_reason: str


class RecipientListOut(Schema):
    items: list[RecipientOut]
    count: int


class DistributionOut(Schema):
    id: int
    date: datetime.date
    program_id: int
    program_name: str
    sku: str
    qty: int
    qty_returned: int
    unit_price: int
    total: int
    partner_reference: str
    sale_id: int
    sale_no: str


class RecipientDetailOut(RecipientOut):
    distributions: list[DistributionOut]  # the latest first, at most 20


class RecipientFilter(PageQuery):
    q: Text = ""  # part of the name, or a whole 16-digit NIK
    kk: Text = ""  # a whole 16-digit No. KK
    category: Text = ""
    active: bool | None = None
    unmask: bool = False


class UnmaskQuery(Schema):
    unmask: bool = False


def _recipient_out(recipient: Recipient, full: bool) -> dict[str, Any]:
    return {
        "id": recipient.pk,
        "nik": _number(recipient.nik, full),
        "kk": _number(recipient.kk, full),
        "name": recipient.name,
        "category": recipient.category,
        "nib": recipient.nib,
        "business_name": recipient.business_name,
        "address": recipient.address,
        "phone": recipient.phone,
        "kelurahan_code": recipient.kelurahan_id,
        "member_id": recipient.member_id,
        "is_active": recipient.is_active,
        "registered_on": recipient.registered_on,
        "deactivated_on": recipient.deactivated_on,
        "deactivation_reason": recipient.deactivation_reason,
    }


def _distribution_out(row: Distribution) -> dict[str, Any]:
    return {
        "id": row.pk,
        "date": row.date,
        "program_id": row.program_id,
        "program_name": row.program.name,
        "sku": row.product.sku,
        "qty": row.qty,
        "qty_returned": row.sale_line.qty_returned,
        "unit_price": row.unit_price,
        "total": row.qty * row.unit_price,
        "partner_reference": row.partner_reference,
        "sale_id": row.sale_id,
        "sale_no": row.sale.sale_no,
    }


def _recipient_detail(cooperative: Cooperative, recipient: Recipient, full: bool) -> dict[str, Any]:
    recent = selectors.distribution_list(cooperative=cooperative, nik=recipient.nik).order_by("-date", "-id")
    return {
        **_recipient_out(recipient, full),
        "distributions": [_distribution_out(row) for row in recent[:RECENT_DISTRIBUTIONS]],
    }


@router.get(
    "/{coop}/subsidies/recipients",
    response=RecipientListOut,
    summary="Penerima terdaftar menurut nama; NIK/KK disamarkan (unmask=1: ketua, bendahara, manajer, tercatat)",
)
def recipient_list(request: HttpRequest, coop: str, filters: Query[RecipientFilter]) -> dict[str, Any]:
    cooperative, roles = _coop(request, coop, Action.SUBSIDY_VIEW)
    full = _full_numbers(roles, filters.unmask)
    qs = selectors.recipient_list(cooperative=cooperative)
    q = filters.q.strip()
    if _DIGITS16.match(q):
        qs = qs.filter(nik=q)
    elif q:
        qs = qs.filter(name__icontains=q)
    kk = filters.kk.strip()
    if kk:
        if not _DIGITS16.match(kk):
            raise ValidationError.for_field("kk", "No. KK harus 16 angka.")
        qs = qs.filter(kk=kk)
    if filters.category:
        if filters.category not in RecipientCategory.values:
            message = "Kategori harus rumah_tangga, usaha_mikro, petani atau nelayan."
            raise ValidationError.for_field("category", message)
        qs = qs.filter(category=filters.category)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    page = _paginate(qs, filters.limit, filters.offset, lambda r: _recipient_out(r, full))
    if full:
        services.nik_view_record(
            cooperative=cooperative,
            actor=request.user,
            what="recipients",
            data={"count": len(page["items"]), "offset": filters.offset},
        )
    return page


@router.post(
    "/{coop}/subsidies/recipients",
    response={201: RecipientOut},
    summary="Daftarkan penerima: NIK, KK, kategori, NIB usaha mikro (kasir, ketua, sekretaris, bendahara, manajer)",
)
def recipient_register(request: HttpRequest, coop: str, payload: RecipientIn) -> Status[dict[str, Any]]:
    cooperative, roles = _coop(request, coop, Action.SUBSIDY_REGISTER)
    recipient = services.recipient_register(cooperative=cooperative, data=payload.model_dump(), actor=request.user)
    # The caller has just typed these numbers: those who may see full numbers get them back unaudited.
    return Status(201, _recipient_out(recipient, can(roles, Action.SUBSIDY_NIK_VIEW)))


@router.get(
    "/{coop}/subsidies/recipients/{recipient_id}",
    response=RecipientDetailOut,
    summary="Satu penerima dengan pembelian barang bersubsidi terakhirnya",
)
def recipient_detail(request: HttpRequest, coop: str, recipient_id: int, filters: Query[UnmaskQuery]) -> dict[str, Any]:
    cooperative, roles = _coop(request, coop, Action.SUBSIDY_VIEW)
    full = _full_numbers(roles, filters.unmask)
    recipient = selectors.recipient_get(cooperative=cooperative, recipient_id=_recipient_id(recipient_id))
    if full:
        services.nik_view_record(
            cooperative=cooperative, actor=request.user, what="recipient", target=recipient, data={"count": 1}
        )
    return _recipient_detail(cooperative, recipient, full)


@router.patch(
    "/{coop}/subsidies/recipients/{recipient_id}",
    response=RecipientOut,
    summary="Ubah KK, nama, kategori, NIB atau alamat penerima; NIK tidak bisa diubah",
)
def recipient_update(request: HttpRequest, coop: str, recipient_id: int, payload: RecipientUpdateIn) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_REGISTER)
    sent = payload.model_dump(exclude_unset=True)
    if "nik" in sent:
        raise ValidationError.for_field(
            "nik", "NIK penerima tidak bisa diubah; nonaktifkan penerima ini dan daftarkan NIK yang benar."
        )
    recipient = services.recipient_update(
        cooperative=cooperative,
        recipient=_recipient_id(recipient_id),
        data={name: value for name, value in sent.items() if value is not None},
        actor=request.user,
    )
    return _recipient_out(selectors.recipient_get(cooperative=cooperative, recipient_id=recipient.pk), False)


@router.post(
    "/{coop}/subsidies/recipients/{recipient_id}/deactivate",
    response=RecipientOut,
    summary="Nonaktifkan penerima dengan alasan (pindah, tidak berhak, meninggal)",
)
def recipient_deactivate(request: HttpRequest, coop: str, recipient_id: int, payload: DeactivateIn) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_REGISTER)
    recipient = services.recipient_deactivate(
        cooperative=cooperative,
        recipient=_recipient_id(recipient_id),
        reason=payload.reason,
        date=payload.date,
        actor=request.user,
    )
    return _recipient_out(recipient, False)


@router.post(
    "/{coop}/subsidies/recipients/{recipient_id}/reactivate",
    response=RecipientOut,
    summary="Aktifkan kembali penerima yang nonaktif, dengan catatan",
)
def recipient_reactivate(request: HttpRequest, coop: str, recipient_id: int, payload: ReactivateIn) -> dict[str, Any]:
    cooperative, _ = _coop(request, coop, Action.SUBSIDY_REGISTER)
    recipient = services.recipient_reactivate(
        cooperative=cooperative, recipient=_recipient_id(recipient_id), note=payload.note, actor=request.user
    )
    return _recipient_out(recipient, False)
