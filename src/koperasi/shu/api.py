"""API: the year-end close and the SHU — years, close checks, reopening, policy, simulation, approval, payment, funds.

Mounted at ``/coops`` beside the other apps' routers (``koperasi.api.api``); every path
starts with ``/{coop}/shu``. Handlers parse, check the permission with
``cooperative_get_for_user``, call one service or selector of ``koperasi.shu`` and shape
the answer (DESIGN.md §9). The arithmetic lives in ``shu.calculations``, the bases and
checks in ``shu.selectors``, the writes in ``shu.services``.

Input is strict as in ``shop.api``: amounts and ids are JSON integers (``1.0``, ``"1"`` and
``true`` are 422), dates are ``YYYY-MM-DD``, no text may hold a NUL character, and an id that
cannot exist (zero, negative, beyond 2**63) or belongs to another cooperative is 404.
Percentages are **strings** of digits with at most two decimals (``"10"``, ``"12.5"``); a
JSON number, ``"1e2"``, ``"12,5"`` or ``"10.001"`` is 422 ``shu_allocation_invalid`` or
``invalid``: a float cannot say 12.5 exactly, and ``"1,000"`` could mean 1 or 1000.

Paths with a fixed word after ``/shu`` (``/shu/policy``, ``/shu/funds``, ``/shu/reopen-requests``) are
declared before ``/shu/{year}``. Schema names are unique across the API (OpenAPI keeps one
schema per name), hence ``Shu…`` and ``YearReopen…``.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from koperasi.cooperatives import selectors as coop_selectors
from koperasi.cooperatives.models import Cooperative
from koperasi.core.api_types import Day, Text, WholeNumber, WholeRupiah, api_idempotency_key
from koperasi.core.errors import NotFound, ValidationError
from koperasi.core.pagination import MAX_LIMIT, paginate
from koperasi.core.permissions import Action
from koperasi.shu import calculations, selectors, services
from koperasi.shu.calculations import AllocationLine, ShuResult
from koperasi.shu.choices import Pool, YearStatus
from koperasi.shu.models import FiscalYear, FiscalYearReopenRequest, ShuDistribution, ShuFundSpend, ShuMemberShare

router = Router(tags=["shu"])

ID_MAX = 2**63 - 1  # a larger id cannot exist (and would overflow the database driver)
OFFSET_MAX = 10**12
FUND_SPENDS_SHOWN = 100  # the newest spends in GET /shu/funds
NOT_CLOSED = "belum_ditutup"  # a year with no close yet (no FiscalYear row)
# ASCII digits, optionally a point and decimals; at most three integer digits and twenty decimals, so the
# decimal context (28 digits) never overflows. Not "1e2", "12,5", "-5", "Infinity" or other scripts' digits.
_PERCENT = re.compile(r"[0-9]{1,3}(\.[0-9]{1,20})?")


# --- Helpers ----------------------------------------------------------------------------------------
def _coop(request: HttpRequest, code: str, action: Action) -> Cooperative:
    cooperative, _ = coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=action)
    return cooperative


def _id(value: int, message: str, code: str) -> int:
    """Return an id that can exist; refuse one that cannot as "not found" (it would overflow the driver)."""
    if not 1 <= value <= ID_MAX:
        raise NotFound(message, code=code)
    return value


def _page_bounds(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError.for_field("limit", f"limit harus 1–{MAX_LIMIT}.")
    if not 0 <= offset <= OFFSET_MAX:
        raise ValidationError.for_field("offset", "offset tidak boleh negatif atau sebesar itu.")


def _percent_out(value: Any) -> str:
    """``Decimal("12.50")`` → ``"12.5"``, ``"10.00"`` → ``"10"`` (the contract's form)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text if text != "-0" else "0"


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _entry_number(entry: Any) -> str | None:
    return entry.number if entry is not None else None


def _year_status(fiscal_year: FiscalYear | None) -> str:
    return fiscal_year.status if fiscal_year is not None else NOT_CLOSED


def _not_distributed(cooperative: Cooperative, year: int) -> NotFound:
    """The 404 of a year without an approved SHU, saying where the year stands."""
    fiscal_year = selectors.fiscal_year_get(cooperative=cooperative, year=year)
    status = _year_status(fiscal_year)
    if status == YearStatus.CLOSED:
        where = f"tahun buku {year} sudah ditutup dan SHU-nya menunggu pengesahan RAT."
    elif status == YearStatus.OPEN:
        where = f"tahun buku {year} dibuka kembali; tutup buku lagi sebelum SHU dibagikan."
    else:
        where = f"tahun buku {year} belum ditutup."
    return NotFound(
        f"SHU tahun {year} belum dibagikan: {where}", code="shu_not_distributed", detail={"year_status": [status]}
    )


def _distribution(cooperative: Cooperative, year: int) -> ShuDistribution:
    """The approved SHU of ``year``. Raises ValidationError (year), NotFound ``shu_not_distributed``."""
    year = services.year_check(year)
    distribution = selectors.distribution_get(cooperative=cooperative, year=year)
    if distribution is None:
        raise _not_distributed(cooperative, year)
    return distribution


# --- Input ------------------------------------------------------------------------------------------
def percent_text(value: Any) -> Any:
    """Accept a percentage as a JSON string only (``"12.5"``); a number is refused, never converted."""
    if not isinstance(value, str):
        raise PydanticCustomError(
            "percent_text", 'Persentase ditulis sebagai teks, mis. "12.5" (bukan angka JSON atau boolean).'
        )
    return value


PercentText = Annotated[Text, BeforeValidator(percent_text)]


class AllocationLineIn(Schema):
    pool: Text
    percent: PercentText
    unit: Text | None = None  # business unit code, jasa_usaha only
    basis: Text | None = None  # purchases, loan_interest, loan_principal; jasa_usaha only
    label: Text | None = None  # the name of a "lainnya" line


def _allocation(rows: list[AllocationLineIn]) -> list[AllocationLine]:
    """Parse allocation rows into lines. Raises ValidationError ``shu_allocation_invalid`` per bad percentage."""
    problems = {
        f"allocation.{i}": [
            f'Baris {i}: persentase harus angka dengan paling banyak dua desimal, mis. "12.5" '
            f'(tertulis "{row.percent[:20]}").'
        ]
        for i, row in enumerate(rows, start=1)
        if not _PERCENT.fullmatch(row.percent.strip())
    }
    if problems:
        message = " ".join(m for messages in problems.values() for m in messages)
        raise ValidationError(message, code="shu_allocation_invalid", detail=problems)
    return services.allocation_parse([row.model_dump() for row in rows])


class ShuSimulateIn(Schema):
    shu_total: WholeRupiah
    capital_kinds: list[Text] | None = None  # omitted: the policy in force for the year
    allocation: list[AllocationLineIn] | None = None  # omitted: the policy in force for the year


class PolicyIn(Schema):
    effective_year: WholeNumber
    capital_kinds: list[Text]
    allocation: list[AllocationLineIn]
    non_member_destination: Text = "cadangan"
    note: Text = ""


class ShuApproveIn(Schema):
    rat_date: Day
    decision_number: Text
    allocation: list[AllocationLineIn] | None = None  # omitted: the policy in force for the year
    capital_kinds: list[Text] | None = None


class YearReopenIn(Schema):
    reason: Text


class PayIn(Schema):
    method: Text  # tunai, sukarela
    date: Day | None = None  # default today


class ShuFundSpendIn(Schema):
    fund: Text  # a key of GET /shu/funds: dana_pendidikan, lainnya:<label>, ...
    amount: WholeRupiah
    date: Day
    channel: Text  # tunai, bank
    purpose: Text
    recipient: Text | None = None


class ShuFundsQuery(Schema):
    fund: Text | None = None  # only this fund's spends


class ShuPageQuery(Schema):
    limit: int = 100
    offset: int = 0


class SharesQuery(ShuPageQuery):
    unpaid: bool = False  # only shares above Rp0 not yet paid


class PolicyQuery(Schema):
    year: int | None = None  # default this year


# --- Output -----------------------------------------------------------------------------------------
class PoolOut(Schema):
    pool: str
    unit: str | None  # jasa_usaha only
    basis: str | None  # jasa_usaha only
    label: str  # a "lainnya" line's name, else ""
    name: str
    percent: str
    amount: int
    base_total: int  # all members' base (member pools)
    distributed: int  # Σ members' parts (member pools)
    remainder: int  # what rounding down left (member pools); goes to cadangan


class ShuUsageOut(Schema):
    unit: str
    basis: str
    base: int
    amount: int


class ShuMemberOut(Schema):
    member_id: int
    member_no: int
    number: str
    name: str
    capital_base: int
    jasa_modal: int
    jasa_usaha: int
    total: int
    usage: list[ShuUsageOut]


class ShuSimulationOut(Schema):
    year: int
    shu_total: int
    capital_kinds: list[str]
    pools: list[PoolOut]
    members: list[ShuMemberOut]
    members_total: int
    remainder: int


class ShareOut(ShuMemberOut):
    share_id: int
    year: int
    paid_on: datetime.date | None
    payment_method: str | None
    payment_entry: str | None


class ShareListOut(Schema):
    items: list[ShareOut]
    count: int


class ShuDistributionOut(Schema):
    year: int
    status: str  # disahkan, sebagian_dibayar, lunas
    year_status: str
    rat_date: datetime.date
    decision_number: str
    approved_by: str | None
    approved_at: datetime.datetime
    shu_total: int
    non_member_amount: int
    non_member_destination: str
    capital_kinds: list[str]
    allocation_entry: str
    pools: list[PoolOut]
    members: list[ShareOut]
    members_count: int
    members_total: int
    remainder: int
    paid_members: int
    paid_total: int
    unpaid_members: int
    unpaid_total: int


class SplitOut(Schema):
    unit_id: int  # 0: lines without a business unit
    unit: str
    revenue_members: int
    revenue_non_members: int
    surplus: int
    surplus_members: int
    surplus_non_members: int


class FiscalYearOut(Schema):
    year: int
    status: str  # ditutup, dibuka
    closed_at: datetime.datetime | None
    closed_by: str | None
    closing_entry: str | None
    total_income: int
    total_expense: int
    revenue_members: int
    revenue_non_members: int
    surplus: int
    surplus_members: int
    surplus_non_members: int
    split: list[SplitOut]
    times_reopened: int


class DistributionSummaryOut(Schema):
    shu_total: int
    members_total: int
    remainder: int
    members_count: int
    rat_date: datetime.date
    decision_number: str


class YearOut(Schema):
    year: int
    status: str  # belum_ditutup, ditutup, dibuka
    closed_at: datetime.datetime | None
    total_income: int | None  # the figures of the last close; null before any
    total_expense: int | None
    surplus: int | None
    surplus_members: int | None
    surplus_non_members: int | None
    times_reopened: int
    distributed: bool
    distribution: DistributionSummaryOut | None


class YearListOut(Schema):
    items: list[YearOut]
    count: int


class BlockerOut(Schema):
    code: str
    message: str


class CloseCheckOut(Schema):
    year: int
    status: str
    can_close: bool
    blockers: list[BlockerOut]


class YearReopenRequestOut(Schema):
    id: int
    year: int
    reason: str
    status: str
    requested_by: str
    requested_role: str
    requested_at: datetime.datetime
    approved_by: str | None
    approved_role: str
    approved_at: datetime.datetime | None


class YearReopenRequestListOut(Schema):
    items: list[YearReopenRequestOut]
    count: int


class ShuAllocationOut(Schema):
    pool: str
    percent: str
    unit: str | None
    basis: str | None
    label: str
    name: str


class PolicyOut(Schema):
    effective_year: int | None  # null: the defaults of domain.md §11 (nothing saved yet)
    is_default: bool
    capital_kinds: list[str]
    allocation: list[ShuAllocationOut]
    non_member_destination: str
    note: str


class PolicyListOut(Schema):
    year: int
    in_force: PolicyOut
    items: list[PolicyOut]
    count: int


class SkippedOut(Schema):
    member_no: int
    number: str
    reason: str


class PayAllOut(Schema):
    paid: int
    amount: int
    skipped: list[SkippedOut]


class ShuFundYearOut(Schema):
    year: int
    amount: int


class ShuFundOut(Schema):
    fund: str
    name: str
    credited: int
    spent: int
    balance: int
    by_year: list[ShuFundYearOut]  # what each year's SHU put in, newest first


class ShuFundSpendOut(Schema):
    id: int
    fund: str
    name: str
    amount: int
    date: datetime.date
    channel: str
    purpose: str
    recipient: str
    entry_number: str
    created_by: str | None


class ShuFundsOut(Schema):
    funds: list[ShuFundOut]
    spends: list[ShuFundSpendOut]  # the newest 100, newest first


def _allocation_out(line: AllocationLine, unit_names: Mapping[str, str]) -> dict[str, Any]:
    usage = line.pool == Pool.JASA_USAHA
    return {
        "pool": str(line.pool),
        "percent": _percent_out(line.percent),
        "unit": line.unit if usage else None,
        "basis": str(line.basis) if usage else None,
        "label": line.label,
        "name": calculations.pool_name(line.pool, unit=line.unit, label=line.label, unit_names=unit_names),
    }


def _result_pools(result: ShuResult, unit_names: Mapping[str, str]) -> list[dict[str, Any]]:
    return [
        {
            **_allocation_out(p.line, unit_names),
            "amount": p.amount,
            "base_total": p.base_total,
            "distributed": p.distributed,
            "remainder": p.remainder,
        }
        for p in result.pools
    ]


def _stored_pools(distribution: ShuDistribution) -> list[dict[str, Any]]:
    """The pools as the approval stored them (``services._pools_data``)."""
    out = []
    for p in distribution.pools:
        usage = p["pool"] == Pool.JASA_USAHA
        out.append(
            {
                "pool": p["pool"],
                "unit": (p.get("unit") or None) if usage else None,
                "basis": (p.get("basis") or None) if usage else None,
                "label": p.get("label", ""),
                "name": p.get("name")
                or calculations.pool_name(p["pool"], unit=p.get("unit", ""), label=p.get("label", "")),
                "percent": _percent_out(p["percent"]),
                "amount": p["amount"],
                "base_total": p.get("base_total", 0),
                "distributed": p.get("distributed", 0),
                "remainder": p.get("remainder", 0),
            }
        )
    return out


def _simulation_out(cooperative: Cooperative, year: int, kinds: tuple[str, ...], result: ShuResult) -> dict[str, Any]:
    infos = selectors.member_infos(cooperative=cooperative, member_ids=list(result.members))
    members = []
    for member_id, part in result.members.items():
        info = infos.get(member_id)
        members.append(
            {
                "member_id": member_id,
                "member_no": info.member_no if info else 0,
                "number": info.number if info else "",
                "name": info.name if info else "",
                "capital_base": part.capital_base,
                "jasa_modal": part.jasa_modal,
                "jasa_usaha": part.jasa_usaha,
                "total": part.total,
                "usage": [
                    {"unit": unit, "basis": str(basis), "base": base, "amount": amount}
                    for unit, basis, base, amount in part.usage
                ],
            }
        )
    members.sort(key=lambda m: (m["member_no"], m["member_id"]))
    return {
        "year": year,
        "shu_total": result.shu_total,
        "capital_kinds": list(kinds),
        "pools": _result_pools(result, selectors.unit_codes(cooperative=cooperative)),
        "members": members,
        "members_total": result.members_total,
        "remainder": result.remainder,
    }


def _share_out(share: ShuMemberShare, year: int) -> dict[str, Any]:
    member = share.member
    return {
        "share_id": share.pk,
        "year": year,
        "member_id": share.member_id,
        "member_no": member.member_no,
        "number": member.number,
        "name": member.name,
        "capital_base": share.capital_base,
        "jasa_modal": share.jasa_modal,
        "jasa_usaha": share.jasa_usaha,
        "total": share.total,
        "usage": share.usage,
        "paid_on": share.paid_on,
        "payment_method": share.payment_method or None,
        "payment_entry": _entry_number(share.payment_entry),
    }


def _shares(cooperative: Cooperative, distribution: ShuDistribution) -> QuerySet[ShuMemberShare]:
    return selectors.distribution_shares(cooperative=cooperative, distribution=distribution).select_related(
        "payment_entry"
    )


def _distribution_out(cooperative: Cooperative, distribution: ShuDistribution) -> dict[str, Any]:
    summary = selectors.payment_summary(cooperative=cooperative, distribution=distribution)
    if summary.unpaid_members == 0:
        status = "lunas"
    elif summary.paid_members == 0:
        status = "disahkan"
    else:
        status = "sebagian_dibayar"
    year = distribution.year
    return {
        "year": year,
        "status": status,
        "year_status": distribution.fiscal_year.status,
        "rat_date": distribution.rat_date,
        "decision_number": distribution.decision_number,
        "approved_by": _username(distribution.approved_by),
        "approved_at": distribution.approved_at,
        "shu_total": distribution.shu_total,
        "non_member_amount": distribution.non_member_amount,
        "non_member_destination": distribution.non_member_destination,
        "capital_kinds": distribution.capital_kinds,
        "allocation_entry": distribution.allocation_entry.number,
        "pools": _stored_pools(distribution),
        "members": [_share_out(share, year) for share in _shares(cooperative, distribution)],
        "members_count": distribution.members_count,
        "members_total": distribution.members_total,
        "remainder": distribution.remainder,
        "paid_members": summary.paid_members,
        "paid_total": summary.paid_total,
        "unpaid_members": summary.unpaid_members,
        "unpaid_total": summary.unpaid_total,
    }


def _fiscal_year_out(fiscal_year: FiscalYear) -> dict[str, Any]:
    return {
        "year": fiscal_year.year,
        "status": fiscal_year.status,
        "closed_at": fiscal_year.closed_at,
        "closed_by": _username(fiscal_year.closed_by),
        "closing_entry": _entry_number(fiscal_year.closing_entry),
        "total_income": fiscal_year.total_income,
        "total_expense": fiscal_year.total_expense,
        "revenue_members": fiscal_year.revenue_members,
        "revenue_non_members": fiscal_year.revenue_non_members,
        "surplus": fiscal_year.surplus,
        "surplus_members": fiscal_year.surplus_members,
        "surplus_non_members": fiscal_year.surplus_non_members,
        "split": fiscal_year.split,
        "times_reopened": fiscal_year.times_reopened,
    }


def _year_out(row: selectors.YearRow) -> dict[str, Any]:
    fy, distribution = row.fiscal_year, row.distribution
    return {
        "year": row.year,
        "status": _year_status(fy),
        "closed_at": fy.closed_at if fy else None,
        "total_income": fy.total_income if fy else None,
        "total_expense": fy.total_expense if fy else None,
        "surplus": fy.surplus if fy else None,
        "surplus_members": fy.surplus_members if fy else None,
        "surplus_non_members": fy.surplus_non_members if fy else None,
        "times_reopened": fy.times_reopened if fy else 0,
        "distributed": distribution is not None,
        "distribution": (
            {
                "shu_total": distribution.shu_total,
                "members_total": distribution.members_total,
                "remainder": distribution.remainder,
                "members_count": distribution.members_count,
                "rat_date": distribution.rat_date,
                "decision_number": distribution.decision_number,
            }
            if distribution is not None
            else None
        ),
    }


def _request_out(req: FiscalYearReopenRequest) -> dict[str, Any]:
    return {
        "id": req.pk,
        "year": req.fiscal_year.year,
        "reason": req.reason,
        "status": req.status,
        "requested_by": req.requested_by.get_username(),
        "requested_role": req.requested_role,
        "requested_at": req.requested_at,
        "approved_by": _username(req.approved_by),
        "approved_role": req.approved_role,
        "approved_at": req.approved_at,
    }


def _policy_out(policy: selectors.PolicyValues, unit_names: Mapping[str, str]) -> dict[str, Any]:
    return {
        "effective_year": policy.effective_year,
        "is_default": policy.is_default,
        "capital_kinds": [str(kind) for kind in policy.capital_kinds],
        "allocation": [_allocation_out(line, unit_names) for line in policy.lines],
        "non_member_destination": str(policy.non_member_destination),
        "note": policy.note,
    }


def _fund_out(fund: selectors.FundBalance) -> dict[str, Any]:
    return {
        "fund": fund.key,
        "name": fund.name,
        "credited": fund.credited,
        "spent": fund.spent,
        "balance": fund.balance,
        "by_year": [{"year": year, "amount": amount} for year, amount in fund.by_year],
    }


def _spend_out(spend: ShuFundSpend) -> dict[str, Any]:
    return {
        "id": spend.pk,
        "fund": spend.fund,
        "name": calculations.fund_name(spend.fund),
        "amount": spend.amount,
        "date": spend.date,
        "channel": spend.channel,
        "purpose": spend.purpose,
        "recipient": spend.recipient,
        "entry_number": spend.journal_entry.number,
        "created_by": _username(spend.created_by),
    }


# --- Years and the close ----------------------------------------------------------------------------
@router.get(
    "/{coop}/shu",
    response=YearListOut,
    summary="Tahun buku terbaru dahulu: status tutup buku, angka penutupan, ringkasan pembagian SHU",
)
def year_list(request: HttpRequest, coop: str, page: Query[ShuPageQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_VIEW)
    _page_bounds(page.limit, page.offset)
    rows = selectors.year_list(cooperative=cooperative)
    return {"items": [_year_out(row) for row in rows[page.offset : page.offset + page.limit]], "count": len(rows)}


@router.get(
    "/{coop}/shu/policy",
    response=PolicyListOut,
    summary="Aturan pembagian SHU yang tersimpan (terbaru dahulu) dan yang berlaku untuk ?year= (default tahun ini)",
)
def policy_list(request: HttpRequest, coop: str, filters: Query[PolicyQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_VIEW)
    year = services.year_check(filters.year if filters.year is not None else timezone.localdate().year)
    policies = selectors.policy_list(cooperative=cooperative)
    unit_names = selectors.unit_codes(cooperative=cooperative)
    return {
        "year": year,
        "in_force": _policy_out(selectors.policy_in_force(cooperative=cooperative, year=year), unit_names),
        "items": [_policy_out(policy, unit_names) for policy in policies],
        "count": len(policies),
    }


@router.post(
    "/{coop}/shu/policy",
    response={201: PolicyOut},
    summary="Simpan aturan pembagian SHU (AD/ART) yang berlaku mulai satu tahun buku (ketua, bendahara)",
)
def policy_save(request: HttpRequest, coop: str, payload: PolicyIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHU_SETTINGS)
    policy = services.shu_policy_save(
        cooperative=cooperative,
        effective_year=payload.effective_year,
        lines=_allocation(payload.allocation),
        capital_kinds=payload.capital_kinds,
        non_member_destination=payload.non_member_destination.strip(),
        note=payload.note,
        actor=request.user,
    )
    in_force = selectors.policy_in_force(cooperative=cooperative, year=policy.effective_year)
    return Status(201, _policy_out(in_force, selectors.unit_codes(cooperative=cooperative)))


@router.get(
    "/{coop}/shu/funds",
    response=ShuFundsOut,
    summary="Dana SHU (pengurus, karyawan, pendidikan, sosial…): masuk, terpakai, sisa; 100 penggunaan terbaru",
)
def fund_list(request: HttpRequest, coop: str, filters: Query[ShuFundsQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_VIEW)
    spends = selectors.fund_spends(cooperative=cooperative, fund=filters.fund)
    return {
        "funds": [_fund_out(fund) for fund in selectors.fund_balances(cooperative=cooperative)],
        "spends": [_spend_out(spend) for spend in spends[:FUND_SPENDS_SHOWN]],
    }


@router.post(
    "/{coop}/shu/funds/spend",
    response={201: ShuFundSpendOut},
    summary="Pakai dana SHU untuk keperluannya: Dr dana SHU 2-1400, Cr kas atau bank; Idempotency-Key (bendahara)",
)
def fund_spend(
    request: HttpRequest,
    coop: str,
    payload: ShuFundSpendIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHU_FUND_SPEND)
    spend = services.shu_fund_spend(
        cooperative=cooperative,
        fund=payload.fund.strip(),
        amount=payload.amount,
        date=payload.date,
        channel=payload.channel.strip(),
        purpose=payload.purpose,
        recipient=payload.recipient or "",
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    # A repeated key returns the first spend: answer with it (201, the same body).
    return Status(201, _spend_out(spend))


@router.post(
    "/{coop}/shu/reopen-requests/{request_id}/approve",
    response=FiscalYearOut,
    summary="Setujui pembukaan kembali tahun buku (pihak lain dari ketua/pengawas): jurnal penutup dibalik",
)
def reopen_approve(request: HttpRequest, coop: str, request_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_REOPEN)
    found = selectors.reopen_request_get(
        cooperative=cooperative,
        request_id=_id(request_id, "Permintaan tidak ditemukan.", "reopen_request_not_found"),
    )
    fiscal_year = services.fiscal_year_reopen_approve(cooperative=cooperative, request=found, actor=request.user)
    return _fiscal_year_out(fiscal_year)


@router.get(
    "/{coop}/shu/{year}/close-check",
    response=CloseCheckOut,
    summary="Apa yang masih menghalangi tutup buku tahun itu (kosong: siap ditutup)",
)
def close_check(request: HttpRequest, coop: str, year: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_VIEW)
    year = services.year_check(year)
    fiscal_year = selectors.fiscal_year_get(cooperative=cooperative, year=year)
    blockers = selectors.year_close_blockers(cooperative=cooperative, year=year)
    return {
        "year": year,
        "status": _year_status(fiscal_year),
        "can_close": not blockers,
        "blockers": [{"code": b.code, "message": b.message} for b in blockers],
    }


@router.post(
    "/{coop}/shu/{year}/close",
    response={201: FiscalYearOut},
    summary="Tutup buku: pendapatan dan beban ke SHU tahun berjalan (anggota/bukan anggota), tahun dikunci (bendahara)",
)
def year_close(request: HttpRequest, coop: str, year: int) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHU_CLOSE)
    fiscal_year = services.fiscal_year_close(cooperative=cooperative, year=year, actor=request.user)
    return Status(201, _fiscal_year_out(fiscal_year))


@router.get(
    "/{coop}/shu/{year}/reopen-requests",
    response=YearReopenRequestListOut,
    summary="Permintaan membuka kembali tahun buku itu, terbaru dahulu",
)
def reopen_request_list(request: HttpRequest, coop: str, year: int, page: Query[ShuPageQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_VIEW)
    year = services.year_check(year)
    _page_bounds(page.limit, page.offset)
    fiscal_year = selectors.fiscal_year_get(cooperative=cooperative, year=year)
    if fiscal_year is None:
        return {"items": [], "count": 0}
    qs = selectors.reopen_requests(cooperative=cooperative, fiscal_year=fiscal_year).select_related("fiscal_year")
    return paginate(qs.order_by("-requested_at", "-id"), limit=page.limit, offset=page.offset, to_item=_request_out)


@router.post(
    "/{coop}/shu/{year}/reopen-requests",
    response={201: YearReopenRequestOut},
    summary="Minta tahun buku yang ditutup dibuka kembali, dengan alasan (ketua atau pengawas)",
)
def reopen_request(request: HttpRequest, coop: str, year: int, payload: YearReopenIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHU_REOPEN)
    created = services.fiscal_year_reopen_request(
        cooperative=cooperative, year=year, reason=payload.reason, actor=request.user
    )
    return Status(201, _request_out(created))


# --- Simulation, approval, the distributed SHU -------------------------------------------------------
@router.post(
    "/{coop}/shu/{year}/simulate",
    response=ShuSimulationOut,
    summary="Hitung SHU dengan total dan pembagian usulan atas dasar anggota tahun itu (tidak disimpan)",
)
def simulate(request: HttpRequest, coop: str, year: int, payload: ShuSimulateIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_SIMULATE)
    year = services.year_check(year)
    shu_total = services.shu_total_check(payload.shu_total)
    policy = selectors.policy_in_force(cooperative=cooperative, year=year)
    lines = _allocation(payload.allocation) if payload.allocation is not None else list(policy.lines)
    kinds = services.allocation_check(
        cooperative=cooperative,
        lines=lines,
        capital_kinds=payload.capital_kinds if payload.capital_kinds is not None else policy.capital_kinds,
    )
    result = selectors.shu_simulate(
        cooperative=cooperative, year=year, shu_total=shu_total, capital_kinds=kinds, lines=lines
    )
    return _simulation_out(cooperative, year, kinds, result)


@router.post(
    "/{coop}/shu/{year}/approve",
    response={201: ShuDistributionOut},
    summary="Catat pengesahan SHU oleh RAT dan bukukan pembagiannya (ketua, sekretaris, bendahara)",
)
def approve(request: HttpRequest, coop: str, year: int, payload: ShuApproveIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.SHU_APPROVE)
    year = services.year_check(year)
    distribution = services.shu_approve(
        cooperative=cooperative,
        year=year,
        rat_date=payload.rat_date,
        decision_number=payload.decision_number,
        lines=_allocation(payload.allocation) if payload.allocation is not None else None,
        capital_kinds=payload.capital_kinds,
        actor=request.user,
    )
    return Status(201, _distribution_out(cooperative, distribution))


@router.get(
    "/{coop}/shu/{year}",
    response=ShuDistributionOut,
    summary="SHU tahun itu yang disahkan RAT: pos, bagian setiap anggota, pembayaran",
)
def distribution_detail(request: HttpRequest, coop: str, year: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_VIEW)
    return _distribution_out(cooperative, _distribution(cooperative, year))


@router.get(
    "/{coop}/shu/{year}/members",
    response=ShareListOut,
    summary="Bagian SHU anggota menurut nomor anggota; ?unpaid=1 hanya yang belum dibayar",
)
def share_list(request: HttpRequest, coop: str, year: int, filters: Query[SharesQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_VIEW)
    _page_bounds(filters.limit, filters.offset)
    distribution = _distribution(cooperative, year)
    qs = _shares(cooperative, distribution)
    if filters.unpaid:
        qs = qs.filter(paid_on__isnull=True, total__gt=0)
    return paginate(
        qs, limit=filters.limit, offset=filters.offset, to_item=lambda share: _share_out(share, distribution.year)
    )


@router.post(
    "/{coop}/shu/{year}/members/{member_id}/pay",
    response=ShareOut,
    summary="Bayar SHU satu anggota tunai atau ke simpanan sukarela (bendahara, kasir)",
)
def share_pay(request: HttpRequest, coop: str, year: int, member_id: int, payload: PayIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_PAY)
    distribution = _distribution(cooperative, year)
    share = (
        ShuMemberShare.objects.filter(
            cooperative=cooperative,
            distribution=distribution,
            member_id=_id(member_id, "Anggota tidak ditemukan.", "shu_share_not_found"),
        )
        .select_related("member")
        .first()
    )
    if share is None:
        raise NotFound(f"Anggota ini tidak mendapat bagian SHU tahun {distribution.year}.", code="shu_share_not_found")
    paid = services.shu_pay(
        cooperative=cooperative,
        share=share,
        method=payload.method.strip(),
        date=payload.date or timezone.localdate(),
        actor=request.user,
    )
    return _share_out(paid, distribution.year)


@router.post(
    "/{coop}/shu/{year}/pay-all",
    response=PayAllOut,
    summary="Bayar semua bagian SHU yang belum dibayar; yang tidak dapat dibayar dilewati (bendahara, kasir)",
)
def pay_all(request: HttpRequest, coop: str, year: int, payload: PayIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.SHU_PAY)
    distribution = _distribution(cooperative, year)
    result = services.shu_pay_all(
        cooperative=cooperative,
        distribution=distribution,
        method=payload.method.strip(),
        date=payload.date or timezone.localdate(),
        actor=request.user,
    )
    return {
        "paid": result.paid,
        "amount": result.amount,
        "skipped": [
            {"member_no": int(number), "number": number, "reason": reason} for number, reason in result.skipped
        ],
    }
