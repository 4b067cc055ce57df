"""API: loans of the savings-and-loan unit — products, applications, approval, disbursement, repayments.

Mounted at ``/coops`` beside the cooperatives, ledger, members and savings routers
(``koperasi.api.api``); every path starts with ``/{coop}``. Handlers parse, check the
permission with ``cooperative_get_for_user``, call one service or selector and shape the
answer (DESIGN.md §9). Who approves a loan or a write-off depends on the amount and on
the other approvals, so ``loans.services`` checks the actor's role again.

Paths with a fixed word after ``/loans/`` (``simulate``, ``reports/...``, ``month-end``)
are declared before ``/loans/{loan_id}`` so the id never swallows them.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Query, Router, Schema, Status

from koperasi.cooperatives import selectors as coop_selectors
from koperasi.cooperatives.models import Cooperative
from koperasi.core.api_types import Text, WholeNumber, WholeRupiah, api_idempotency_key
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.pagination import MAX_LIMIT, paginate
from koperasi.core.permissions import Action
from koperasi.loans import calculations, month_end, reports, selectors, services
from koperasi.loans.choices import ApprovalPurpose, DisbursementChannel, LoanStatus, RepaymentChannel
from koperasi.loans.models import (
    Loan,
    LoanApproval,
    LoanInstallment,
    LoanMonthEnd,
    LoanProduct,
    LoanSetting,
    LoanTransaction,
)

router = Router(tags=["loans"])

ID_MAX = 2**63 - 1  # a larger id cannot exist (and would overflow the database driver)
SIMULATION_AHEAD_DAYS = 366  # a simulation may plan a disbursement up to a year ahead
DUE_DEFAULT_DAYS = 6  # the repayments-due report: today and the six days after
DATE_MIN, DATE_MAX = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)  # dates a query may ask about


def _coop(request: HttpRequest, code: str, action: Action) -> Cooperative:
    cooperative, _ = coop_selectors.cooperative_get_for_user(user=request.user, code=code, action=action)
    return cooperative


def _rate(value: Decimal) -> str:
    """Write a rate without trailing zeros: ``Decimal("12.50")`` → ``"12.5"``, ``12.00`` → ``"12"``."""
    text = format(Decimal(value).normalize(), "f")
    return text if text != "-0" else "0"


def _day(value: datetime.date | None, field: str) -> datetime.date:
    """Return a query's date (default today); refuse one no report could mean (and the ledger cannot add up)."""
    day = value or timezone.localdate()
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError.for_field(field, f"Tanggal harus antara {DATE_MIN:%d/%m/%Y} dan {DATE_MAX:%d/%m/%Y}.")
    return day


def _page_bounds(limit: int, offset: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationError.for_field("limit", f"limit harus 1–{MAX_LIMIT}.")
    if offset < 0:
        raise ValidationError.for_field("offset", "offset tidak boleh negatif.")


# --- Schemas: products ------------------------------------------------------------------------
class ProductOut(Schema):
    id: int
    name: str
    method: str
    method_label: str
    rate_pa: str
    min_term_months: int
    max_term_months: int
    min_principal: int
    max_principal: int
    admin_fee_percent: str
    admin_fee_amount: int
    provision_percent: str
    provision_amount: int
    fees_deducted: bool
    penalty_rate_pm: str
    grace_days: int
    savings_multiple: str | None
    members_only: bool
    is_active: bool


class ProductListOut(Schema):
    items: list[ProductOut]
    count: int


class ProductFilter(Schema):
    active: bool | None = None
    limit: int = 100
    offset: int = 0


class ProductUpdateIn(Schema):
    """A change: only the fields sent change (rates are strings: ``"12.5"`` = 12.5 %)."""

    name: Text | None = None
    method: Text | None = None
    rate_pa: Text | None = None
    min_term_months: WholeNumber | None = None
    max_term_months: WholeNumber | None = None
    min_principal: WholeRupiah | None = None
    max_principal: WholeRupiah | None = None
    admin_fee_percent: Text | None = None
    admin_fee_amount: WholeRupiah | None = None
    provision_percent: Text | None = None
    provision_amount: WholeRupiah | None = None
    fees_deducted: bool | None = None
    penalty_rate_pm: Text | None = None
    grace_days: WholeNumber | None = None
    savings_multiple: Text | None = None
    members_only: bool | None = None
    is_active: bool | None = None


class ProductIn(Schema):
    name: Text
    method: Text
    rate_pa: Text
    max_term_months: WholeNumber
    max_principal: WholeRupiah
    min_term_months: WholeNumber = 1
    min_principal: WholeRupiah = 100_000
    admin_fee_percent: Text = "0"
    admin_fee_amount: WholeRupiah = 0
    provision_percent: Text = "0"
    provision_amount: WholeRupiah = 0
    fees_deducted: bool = True
    penalty_rate_pm: Text = "0"
    grace_days: WholeNumber = 0
    savings_multiple: Text | None = None
    members_only: bool = True
    is_active: bool = True


def _product_out(product: LoanProduct) -> dict[str, Any]:
    return {
        "id": product.pk,
        "name": product.name,
        "method": product.method,
        "method_label": str(product.get_method_display()),
        "rate_pa": _rate(product.rate_pa),
        "min_term_months": product.min_term_months,
        "max_term_months": product.max_term_months,
        "min_principal": product.min_principal,
        "max_principal": product.max_principal,
        "admin_fee_percent": _rate(product.admin_fee_percent),
        "admin_fee_amount": product.admin_fee_amount,
        "provision_percent": _rate(product.provision_percent),
        "provision_amount": product.provision_amount,
        "fees_deducted": product.fees_deducted,
        "penalty_rate_pm": _rate(product.penalty_rate_pm),
        "grace_days": product.grace_days,
        "savings_multiple": _rate(product.savings_multiple) if product.savings_multiple is not None else None,
        "members_only": product.members_only,
        "is_active": product.is_active,
    }


# --- Schemas: loans ---------------------------------------------------------------------------
class FeesOut(Schema):
    admin_fee: int
    provision_fee: int
    total: int
    deducted: bool
    paid_out: int  # what the member receives at disbursement


class ScheduleRowOut(Schema):
    no: int
    due_date: datetime.date
    principal: int
    interest: int
    installment: int
    balance: int  # principal still owed after this instalment, by the schedule
    principal_paid: int
    interest_paid: int
    interest_waived: int
    penalty: int  # charged so far, plus what has run up to ``as_of`` on an active loan
    penalty_paid: int
    paid: int
    settled: bool
    settled_on: datetime.date | None


class PayoffOut(Schema):
    date: datetime.date
    total: int
    principal: int
    interest: int
    penalty: int
    interest_waived: int


class MonthEndOut(Schema):
    date: datetime.date
    days_past_due: int
    collectibility: str


class ApprovalOut(Schema):
    purpose: str
    role: str
    decision: str
    note: str
    decided_by: str
    decided_on: datetime.date


class LoanOut(Schema):
    id: int
    loan_no: int
    number: str
    status: str
    status_label: str
    member_id: int
    member_no: int
    member_name: str
    product_id: int
    product_name: str
    method: str
    rate_pa: str
    term_months: int
    principal: int
    outstanding_principal: int
    applied_on: datetime.date
    disbursed_on: datetime.date | None
    closed_on: datetime.date | None
    written_off_on: datetime.date | None
    month_end: MonthEndOut | None


class LoanListOut(Schema):
    items: list[LoanOut]
    count: int


class LoanFilter(Schema):
    status: Text = ""
    member_id: int | None = None
    q: Text = ""
    limit: int = 100
    offset: int = 0


class LoanDetailOut(LoanOut):
    purpose: str
    needs_board: bool
    decided_on: datetime.date | None
    rejection_reason: str
    disbursement_channel: str
    borrower_is_member: bool
    fees: FeesOut
    penalty_rate_pm: str
    grace_days: int
    principal_paid: int
    interest_paid: int
    penalty_paid: int
    written_off_amount: int
    recovered_amount: int
    as_of: datetime.date
    days_past_due: int
    collectibility: str
    overdue: int
    due_now: int
    next_due_date: datetime.date | None
    next_installment: int
    remaining: int
    schedule_simulated: bool
    schedule: list[ScheduleRowOut]
    payoff: PayoffOut | None
    write_off_pending: bool
    approvals: list[ApprovalOut]


class DetailQuery(Schema):
    as_of: datetime.date | None = None


class ApplyIn(Schema):
    member_id: int
    product_id: int
    principal: WholeRupiah
    term_months: WholeNumber
    applied_on: datetime.date
    purpose: Text = ""


class ApproveIn(Schema):
    note: Text = ""


class RejectIn(Schema):
    reason: Text


class DisburseIn(Schema):
    date: datetime.date
    channel: Text = DisbursementChannel.TUNAI.value
    reference: Text = ""


class PaymentIn(Schema):
    amount: WholeRupiah
    date: datetime.date
    channel: Text = RepaymentChannel.TUNAI.value
    reference: Text = ""


class WriteOffIn(Schema):
    reason: Text = ""
    date: datetime.date | None = None


class TransactionOut(Schema):
    id: int
    loan_id: int
    loan_number: str
    type: str
    date: datetime.date
    amount: int
    principal: int
    interest: int
    penalty: int
    fees: int
    channel: str
    reference: str
    allocation: list[dict[str, int]]
    outstanding_principal: int
    loan_status: str
    entry_number: str
    memo: str


class TransactionListOut(Schema):
    items: list[TransactionOut]
    count: int


class PageQuery(Schema):
    limit: int = 100
    offset: int = 0


class SimulateIn(Schema):
    product_id: int
    principal: WholeRupiah
    term_months: WholeNumber
    date: datetime.date | None = None


class SimulationOut(Schema):
    product_id: int
    method: str
    rate_pa: str
    principal: int
    term_months: int
    date: datetime.date
    fees: FeesOut
    schedule: list[ScheduleRowOut]
    total_principal: int
    total_interest: int
    total_installments: int
    first_installment: int
    last_due_date: datetime.date


class PayoffQuoteQuery(Schema):
    date: datetime.date | None = None


class PayoffQuoteOut(PayoffOut):
    loan_id: int
    loan_number: str


# --- Shaping ----------------------------------------------------------------------------------
def _fees(principal: int, admin_fee: int, provision_fee: int, deducted: bool) -> dict[str, Any]:
    total = admin_fee + provision_fee
    return {
        "admin_fee": admin_fee,
        "provision_fee": provision_fee,
        "total": total,
        "deducted": deducted,
        "paid_out": principal - total if deducted else principal,
    }


def _planned_rows(schedule: list[calculations.ScheduleRow]) -> list[dict[str, Any]]:
    """A schedule not yet on the books: nothing paid."""
    return [
        {
            "no": row.no,
            "due_date": row.due_date,
            "principal": row.principal,
            "interest": row.interest,
            "installment": row.installment,
            "balance": row.balance,
            "principal_paid": 0,
            "interest_paid": 0,
            "interest_waived": 0,
            "penalty": 0,
            "penalty_paid": 0,
            "paid": 0,
            "settled": False,
            "settled_on": None,
        }
        for row in schedule
    ]


def _installment_rows(principal: int, rows: list[LoanInstallment], pending: dict[int, int]) -> list[dict[str, Any]]:
    """The schedule on the books; ``pending``: penalty run up since last charged, per instalment no."""
    balance = principal
    shaped = []
    for row in rows:
        balance -= row.principal_due
        shaped.append(
            {
                "no": row.no,
                "due_date": row.due_date,
                "principal": row.principal_due,
                "interest": row.interest_due,
                "installment": row.principal_due + row.interest_due,
                "balance": balance,
                "principal_paid": row.principal_paid,
                "interest_paid": row.interest_paid,
                "interest_waived": row.interest_waived,
                "penalty": row.penalty_accrued + pending.get(row.no, 0),
                "penalty_paid": row.penalty_paid,
                "paid": row.principal_paid + row.interest_paid + row.penalty_paid,
                "settled": row.settled,
                "settled_on": row.settled_on,
            }
        )
    return shaped


def _payoff_out(quote: calculations.PayoffQuote) -> dict[str, Any]:
    return {
        "date": quote.date,
        "total": quote.total,
        "principal": quote.principal,
        "interest": quote.interest,
        "penalty": quote.penalty,
        "interest_waived": quote.interest_waived,
    }


def _loan_out(loan: Loan) -> dict[str, Any]:
    """The list fields of a loan whose ``member`` and ``product`` are loaded."""
    return {
        "id": loan.pk,
        "loan_no": loan.loan_no,
        "number": loan.number,
        "status": loan.status,
        "status_label": str(loan.get_status_display()),
        "member_id": loan.member_id,
        "member_no": loan.member.member_no,
        "member_name": loan.member.name,
        "product_id": loan.product_id,
        "product_name": loan.product.name,
        "method": loan.method,
        "rate_pa": _rate(loan.rate_pa),
        "term_months": loan.term_months,
        "principal": loan.principal,
        "outstanding_principal": loan.outstanding_principal,
        "applied_on": loan.applied_on,
        "disbursed_on": loan.disbursed_on,
        "closed_on": loan.closed_on,
        "written_off_on": loan.written_off_on,
        # The last month-end classification, the one the allowance was posted from.
        "month_end": (
            {
                "date": loan.classified_on,
                "days_past_due": loan.days_past_due,
                "collectibility": loan.collectibility,
            }
            if loan.classified_on
            else None
        ),
    }


def _approvals(loan: Loan) -> list[LoanApproval]:
    return list(
        LoanApproval.objects.filter(cooperative_id=loan.cooperative_id, loan=loan)
        .select_related("decided_by")
        .order_by("created_at", "id")
    )


def _loan_detail(loan: Loan, day: datetime.date | None = None) -> dict[str, Any]:
    """Everything about one loan: terms, fees, live position on ``day`` (default today), schedule, approvals."""
    day = day or timezone.localdate()
    rows = selectors.loan_installments(loan=loan)
    position = selectors.loan_position(loan=loan, day=day, rows=rows)
    if rows:
        pending = selectors.penalties_pending(loan=loan, rows=rows, day=day) if loan.status == LoanStatus.ACTIVE else {}
        schedule, simulated = _installment_rows(loan.principal, rows, pending), False
    else:
        # Not disbursed: the schedule it would have if paid out on the application date.
        schedule, simulated = (
            _planned_rows(
                calculations.loan_schedule(
                    principal=loan.principal,
                    rate_pa=loan.rate_pa,
                    term_months=loan.term_months,
                    method=loan.method,
                    disbursed_on=loan.applied_on,
                )
            ),
            True,
        )
    approvals = _approvals(loan)
    return {
        **_loan_out(loan),
        "purpose": loan.purpose,
        "needs_board": loan.needs_board,
        "decided_on": loan.decided_on,
        "rejection_reason": loan.rejection_reason,
        "disbursement_channel": loan.disbursement_channel,
        "borrower_is_member": loan.borrower_is_member,
        "fees": _fees(loan.principal, loan.admin_fee, loan.provision_fee, loan.fees_deducted),
        "penalty_rate_pm": _rate(loan.penalty_rate_pm),
        "grace_days": loan.grace_days,
        "principal_paid": loan.principal_paid,
        "interest_paid": loan.interest_paid,
        "penalty_paid": loan.penalty_paid,
        "written_off_amount": loan.written_off_amount,
        "recovered_amount": loan.recovered_amount,
        "as_of": day,
        "days_past_due": position.days_past_due,
        "collectibility": position.collectibility,
        "overdue": position.overdue,
        "due_now": position.due_now,
        "next_due_date": position.next_due_date,
        "next_installment": position.next_installment,
        "remaining": position.remaining,
        "schedule_simulated": simulated,
        "schedule": schedule,
        "payoff": _payoff_out(position.payoff) if position.payoff else None,
        "write_off_pending": loan.status == LoanStatus.ACTIVE
        and any(a.purpose == ApprovalPurpose.HAPUS_BUKU for a in approvals),
        "approvals": [
            {
                "purpose": a.purpose,
                "role": a.role,
                "decision": a.decision,
                "note": a.note,
                "decided_by": a.decided_by.username,
                "decided_on": a.decided_on,
            }
            for a in approvals
        ],
    }


def _detail_of(cooperative: Cooperative, loan_id: int) -> dict[str, Any]:
    return _loan_detail(selectors.loan_get(cooperative=cooperative, loan_id=loan_id))


def _txn_out(txn: LoanTransaction) -> dict[str, Any]:
    loan = txn.loan
    return {
        "id": txn.pk,
        "loan_id": txn.loan_id,
        "loan_number": loan.number,
        "type": txn.type,
        "date": txn.date,
        "amount": txn.amount,
        "principal": txn.principal,
        "interest": txn.interest,
        "penalty": txn.penalty,
        "fees": txn.fees,
        "channel": txn.channel,
        "reference": txn.reference,
        "allocation": txn.allocation,
        "outstanding_principal": txn.outstanding_after,
        "loan_status": loan.status,
        "entry_number": txn.journal_entry.number,
        "memo": txn.memo,
    }


# --- Endpoints: products ----------------------------------------------------------------------
@router.get("/{coop}/loan-products", response=ProductListOut, summary="Produk pinjaman (menurut nama)")
def loan_product_list(request: HttpRequest, coop: str, filters: Query[ProductFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    qs = selectors.loan_product_list(cooperative=cooperative)
    if filters.active is not None:
        qs = qs.filter(is_active=filters.active)
    return paginate(qs, limit=filters.limit, offset=filters.offset, to_item=_product_out)


@router.post("/{coop}/loan-products", response={201: ProductOut}, summary="Buat produk pinjaman (ketua, bendahara)")
def loan_product_create(request: HttpRequest, coop: str, payload: ProductIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.LOANS_SETTINGS)
    product = services.loan_product_create(cooperative=cooperative, data=payload.model_dump(), actor=request.user)
    return Status(201, _product_out(product))


@router.get("/{coop}/loan-products/{product_id}", response=ProductOut, summary="Satu produk pinjaman")
def loan_product_detail(request: HttpRequest, coop: str, product_id: int) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    return _product_out(selectors.loan_product_get(cooperative=cooperative, product_id=product_id))


@router.patch(
    "/{coop}/loan-products/{product_id}",
    response=ProductOut,
    summary="Ubah produk pinjaman; pinjaman yang sudah diajukan tetap dengan syaratnya (ketua, bendahara)",
)
def loan_product_update(request: HttpRequest, coop: str, product_id: int, payload: ProductUpdateIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_SETTINGS)
    product = selectors.loan_product_get(cooperative=cooperative, product_id=product_id)
    product = services.loan_product_update(
        cooperative=cooperative, product=product, data=payload.model_dump(exclude_unset=True), actor=request.user
    )
    return _product_out(product)


# --- Endpoints: settings ----------------------------------------------------------------------
class SettingOut(Schema):
    effective_from: datetime.date | None
    approval_limit: int
    kurang_lancar_after: int
    diragukan_after: int
    macet_after: int
    rate_lancar: str
    rate_kurang_lancar: str
    rate_diragukan: str
    rate_macet: str


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
    approval_limit: WholeRupiah = selectors.DEFAULT_APPROVAL_LIMIT
    kurang_lancar_after: WholeNumber = calculations.DEFAULT_RULES.kurang_lancar_after
    diragukan_after: WholeNumber = calculations.DEFAULT_RULES.diragukan_after
    macet_after: WholeNumber = calculations.DEFAULT_RULES.macet_after
    rate_lancar: Text = _rate(calculations.DEFAULT_RULES.rate_lancar)
    rate_kurang_lancar: Text = _rate(calculations.DEFAULT_RULES.rate_kurang_lancar)
    rate_diragukan: Text = _rate(calculations.DEFAULT_RULES.rate_diragukan)
    rate_macet: Text = _rate(calculations.DEFAULT_RULES.rate_macet)


def _setting_values(
    approval_limit: int, rules: calculations.ClassRules, effective_from: datetime.date | None
) -> dict[str, Any]:
    return {
        "effective_from": effective_from,
        "approval_limit": approval_limit,
        "kurang_lancar_after": rules.kurang_lancar_after,
        "diragukan_after": rules.diragukan_after,
        "macet_after": rules.macet_after,
        "rate_lancar": _rate(rules.rate_lancar),
        "rate_kurang_lancar": _rate(rules.rate_kurang_lancar),
        "rate_diragukan": _rate(rules.rate_diragukan),
        "rate_macet": _rate(rules.rate_macet),
    }


def _setting_row_out(row: LoanSetting) -> dict[str, Any]:
    return {
        "id": row.pk,
        "effective_from": row.effective_from,
        "approval_limit": row.approval_limit,
        "kurang_lancar_after": row.kurang_lancar_after,
        "diragukan_after": row.diragukan_after,
        "macet_after": row.macet_after,
        "rate_lancar": _rate(row.rate_lancar),
        "rate_kurang_lancar": _rate(row.rate_kurang_lancar),
        "rate_diragukan": _rate(row.rate_diragukan),
        "rate_macet": _rate(row.rate_macet),
        "created_by": row.created_by.username if row.created_by else None,
        "created_at": row.created_at,
    }


@router.get("/{coop}/loan-settings", response=SettingsOut, summary="Pengaturan pinjaman: yang berlaku dan riwayat")
def loan_settings(request: HttpRequest, coop: str) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    today = timezone.localdate()
    in_force = selectors.loan_setting_in_force(cooperative=cooperative, day=today)
    history = selectors.loan_setting_list(cooperative=cooperative).select_related("created_by")
    return {
        "as_of": today,
        "in_force": {
            **_setting_values(in_force.approval_limit, in_force.rules, in_force.effective_from),
            "is_default": in_force.effective_from is None,
        },
        "history": [_setting_row_out(row) for row in history],
    }


@router.post(
    "/{coop}/loan-settings",
    response={201: SettingRowOut},
    summary="Catat batas persetujuan, batas kolektibilitas dan tarif PPAP yang berlaku mulai tanggal tertentu",
)
def loan_setting_create(request: HttpRequest, coop: str, payload: SettingIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.LOANS_SETTINGS)
    row = services.loan_setting_create(cooperative=cooperative, data=payload.model_dump(), actor=request.user)
    return Status(201, _setting_row_out(row))


# --- Endpoints: loans (fixed paths first) -------------------------------------------------------
@router.get("/{coop}/loans", response=LoanListOut, summary="Daftar pinjaman (terbaru dahulu)")
def loan_list(request: HttpRequest, coop: str, filters: Query[LoanFilter]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    if filters.status and filters.status not in LoanStatus.values:
        raise ValidationError.for_field(
            "status", "Status harus applied, approved, rejected, active, closed atau written_off."
        )
    if filters.member_id is not None and not 1 <= filters.member_id <= ID_MAX:
        raise ValidationError.for_field("member_id", "member_id tidak valid.")
    qs = selectors.loan_list(cooperative=cooperative, status=filters.status, member=filters.member_id, query=filters.q)
    return paginate(qs, limit=filters.limit, offset=filters.offset, to_item=_loan_out)


@router.post(
    "/{coop}/loans",
    response={201: LoanDetailOut},
    summary="Ajukan pinjaman untuk anggota (kasir, bendahara, manajer)",
)
def loan_apply(
    request: HttpRequest,
    coop: str,
    payload: ApplyIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.LOANS_APPLY)
    loan = services.loan_apply(
        cooperative=cooperative,
        member=payload.member_id,
        product=payload.product_id,
        principal=payload.principal,
        term_months=payload.term_months,
        applied_on=payload.applied_on,
        purpose=payload.purpose,
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    return Status(201, _detail_of(cooperative, loan.pk))


def _simulate(cooperative: Cooperative, payload: SimulateIn) -> dict[str, Any]:
    """The schedule and fees a loan of the product would have if paid out on ``payload.date``."""
    product = selectors.loan_product_get(cooperative=cooperative, product_id=payload.product_id)
    principal, term = payload.principal, payload.term_months
    if principal <= 0:
        raise ValidationError.for_field(
            "principal", "Jumlah pinjaman harus lebih dari nol.", code="amount_not_positive"
        )
    if not product.min_term_months <= term <= product.max_term_months:
        raise ValidationError.for_field(
            "term_months",
            f"Jangka waktu produk {product.name} {product.min_term_months}–{product.max_term_months} bulan.",
            code="term_out_of_range",
        )
    if not product.min_principal <= principal <= product.max_principal:
        raise Conflict(
            f"Plafon produk {product.name} {format_rupiah(product.min_principal)} sampai "
            f"{format_rupiah(product.max_principal)}; diajukan {format_rupiah(principal)}.",
            code="principal_out_of_range",
            detail={"principal": [f"Paling banyak {format_rupiah(product.max_principal)}."]},
        )
    today = timezone.localdate()
    day = _day(payload.date, "date")
    if day > today + datetime.timedelta(days=SIMULATION_AHEAD_DAYS):
        raise ValidationError.for_field("date", "Tanggal pencairan simulasi paling lambat setahun dari hari ini.")
    schedule = calculations.loan_schedule(
        principal=principal, rate_pa=product.rate_pa, term_months=term, method=product.method, disbursed_on=day
    )
    admin_fee = calculations.fee_amount(principal, product.admin_fee_percent, product.admin_fee_amount)
    provision_fee = calculations.fee_amount(principal, product.provision_percent, product.provision_amount)
    return {
        "product_id": product.pk,
        "method": product.method,
        "rate_pa": _rate(product.rate_pa),
        "principal": principal,
        "term_months": term,
        "date": day,
        "fees": _fees(principal, admin_fee, provision_fee, product.fees_deducted),
        "schedule": _planned_rows(schedule),
        "total_principal": sum(r.principal for r in schedule),
        "total_interest": sum(r.interest for r in schedule),
        "total_installments": sum(r.installment for r in schedule),
        "first_installment": schedule[0].installment,
        "last_due_date": schedule[-1].due_date,
    }


@router.post(
    "/{coop}/loans/simulate",
    response=SimulationOut,
    summary="Simulasi jadwal angsuran dan biaya sebelum mengajukan (tidak menyimpan apa pun)",
)
def loan_simulate(request: HttpRequest, coop: str, payload: SimulateIn) -> dict[str, Any]:
    return _simulate(_coop(request, coop, Action.LOANS_VIEW), payload)


class MonthEndIn(Schema):
    date: datetime.date


class MonthEndRunOut(Schema):
    id: int
    date: datetime.date
    loans_classified: int
    penalty_accrued: int
    allowance_before: int
    allowance_required: int
    summary: dict[str, dict[str, int]]
    entry_number: str | None
    created_by: str | None
    created_at: datetime.datetime


class MonthEndListOut(Schema):
    items: list[MonthEndRunOut]
    count: int


def _month_end_out(run: LoanMonthEnd) -> dict[str, Any]:
    return {
        "id": run.pk,
        "date": run.date,
        "loans_classified": run.loans_classified,
        "penalty_accrued": run.penalty_accrued,
        "allowance_before": run.allowance_before,
        "allowance_required": run.allowance_required,
        "summary": run.summary,
        "entry_number": run.journal_entry.number if run.journal_entry else None,
        "created_by": run.created_by.username if run.created_by else None,
        "created_at": run.created_at,
    }


@router.get("/{coop}/loans/month-end", response=MonthEndListOut, summary="Tutup bulan pinjaman (terbaru dahulu)")
def loans_month_end_list(request: HttpRequest, coop: str, page: Query[PageQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    qs = selectors.month_end_list(cooperative=cooperative).select_related("journal_entry", "created_by")
    return paginate(qs, limit=page.limit, offset=page.offset, to_item=_month_end_out)


@router.post(
    "/{coop}/loans/month-end",
    response={201: MonthEndRunOut},
    summary="Tutup bulan pinjaman: denda, kolektibilitas, penyesuaian PPAP (bendahara; sekali per tanggal)",
)
def loans_month_end_run(request: HttpRequest, coop: str, payload: MonthEndIn) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.LOANS_BATCH)
    run = month_end.loans_month_end(cooperative=cooperative, date=payload.date, actor=request.user)
    run = selectors.month_end_list(cooperative=cooperative).select_related("journal_entry", "created_by").get(pk=run.pk)
    return Status(201, _month_end_out(run))


# --- Endpoints: portfolio reports -----------------------------------------------------------------
class ReportQuery(Schema):
    date: datetime.date | None = None


class ClassRowOut(Schema):
    collectibility: str
    label: str
    count: int
    outstanding: int
    rate: str
    allowance: int


class PortfolioOut(Schema):
    date: datetime.date
    rows: list[ClassRowOut]
    total_count: int
    total_outstanding: int
    npl_outstanding: int
    npl_ratio: str
    allowance_required: int
    allowance_booked: int
    allowance_shortfall: int


class AgingRowOut(Schema):
    bucket: str
    count: int
    outstanding: int
    overdue: int


class AgingOut(Schema):
    date: datetime.date
    items: list[AgingRowOut]
    count: int
    total_outstanding: int
    total_overdue: int


class ArrearsQuery(ReportQuery):
    limit: int = 100
    offset: int = 0


class ArrearsRowOut(Schema):
    loan_id: int
    loan_number: str
    member_id: int
    member_no: str
    member_name: str
    phone: str
    days_past_due: int
    collectibility: str
    overdue_amount: int
    wa_link: str


class ArrearsOut(Schema):
    date: datetime.date
    items: list[ArrearsRowOut]
    count: int
    total_overdue: int


class DueQuery(Schema):
    start: datetime.date | None = None
    end: datetime.date | None = None


class DueRowOut(Schema):
    loan_id: int
    loan_number: str
    member_id: int
    member_name: str
    phone: str
    due_date: datetime.date
    installment_no: int
    amount_left: int


class DueOut(Schema):
    start: datetime.date
    end: datetime.date
    items: list[DueRowOut]
    count: int
    total: int


@router.get(
    "/{coop}/loans/reports/portfolio",
    response=PortfolioOut,
    summary="Portofolio per kolektibilitas, rasio NPL, PPAP wajib dan yang sudah dibukukan",
)
def loans_portfolio(request: HttpRequest, coop: str, query: Query[ReportQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    result = reports.portfolio(cooperative=cooperative, day=_day(query.date, "date"))
    return {
        "date": result.day,
        "rows": [
            {
                "collectibility": row.collectibility,
                "label": row.label,
                "count": row.count,
                "outstanding": row.outstanding,
                "rate": _rate(row.rate),
                "allowance": row.allowance,
            }
            for row in result.rows
        ],
        "total_count": result.total_count,
        "total_outstanding": result.total_outstanding,
        "npl_outstanding": result.npl_outstanding,
        "npl_ratio": _rate(result.npl_ratio),
        "allowance_required": result.allowance_required,
        "allowance_booked": result.allowance_booked,
        "allowance_shortfall": result.allowance_shortfall,
    }


@router.get("/{coop}/loans/reports/aging", response=AgingOut, summary="Umur tunggakan per kelompok hari")
def loans_aging(request: HttpRequest, coop: str, query: Query[ReportQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    day = _day(query.date, "date")
    rows = reports.aging(cooperative=cooperative, day=day)
    return {
        "date": day,
        "items": [
            {"bucket": r.bucket, "count": r.count, "outstanding": r.outstanding, "overdue": r.overdue} for r in rows
        ],
        "count": sum(r.count for r in rows),
        "total_outstanding": sum(r.outstanding for r in rows),
        "total_overdue": sum(r.overdue for r in rows),
    }


@router.get(
    "/{coop}/loans/reports/arrears",
    response=ArrearsOut,
    summary="Pinjaman menunggak (terlama dahulu) dengan jumlah tertunggak dan tautan pengingat WhatsApp",
)
def loans_arrears(request: HttpRequest, coop: str, query: Query[ArrearsQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    _page_bounds(query.limit, query.offset)
    day = _day(query.date, "date")
    rows = reports.arrears(cooperative=cooperative, day=day)
    return {
        "date": day,
        "items": [asdict(r) for r in rows[query.offset : query.offset + query.limit]],
        "count": len(rows),
        "total_overdue": sum(r.overdue_amount for r in rows),
    }


@router.get(
    "/{coop}/loans/reports/due",
    response=DueOut,
    summary="Angsuran jatuh tempo dalam rentang tanggal (bawaan: hari ini dan 6 hari berikutnya)",
)
def loans_due(request: HttpRequest, coop: str, query: Query[DueQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    start = _day(query.start, "start")
    end = _day(query.end or start + datetime.timedelta(days=DUE_DEFAULT_DAYS), "end")
    rows = reports.due_between(cooperative=cooperative, start=start, end=end)
    return {
        "start": start,
        "end": end,
        "items": [asdict(r) for r in rows],
        "count": len(rows),
        "total": sum(r.amount_left for r in rows),
    }


# --- Endpoints: one loan ----------------------------------------------------------------------
@router.get("/{coop}/loans/{loan_id}", response=LoanDetailOut, summary="Rincian pinjaman dengan jadwal angsuran")
def loan_detail(request: HttpRequest, coop: str, loan_id: int, query: Query[DetailQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    return _loan_detail(selectors.loan_get(cooperative=cooperative, loan_id=loan_id), _day(query.as_of, "as_of"))


@router.post(
    "/{coop}/loans/{loan_id}/approve",
    response=LoanDetailOut,
    summary="Setujui pengajuan (bendahara sampai batas; di atasnya ketua dan pengawas)",
)
def loan_approve(request: HttpRequest, coop: str, loan_id: int, payload: ApproveIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_APPROVE)
    services.loan_approve(cooperative=cooperative, loan=loan_id, note=payload.note, actor=request.user)
    return _detail_of(cooperative, loan_id)


@router.post("/{coop}/loans/{loan_id}/reject", response=LoanDetailOut, summary="Tolak pengajuan dengan alasan")
def loan_reject(request: HttpRequest, coop: str, loan_id: int, payload: RejectIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_APPROVE)
    services.loan_reject(cooperative=cooperative, loan=loan_id, reason=payload.reason, actor=request.user)
    return _detail_of(cooperative, loan_id)


@router.post(
    "/{coop}/loans/{loan_id}/disburse",
    response=LoanDetailOut,
    summary="Cairkan pinjaman yang disetujui (tunai, transfer atau ke simpanan sukarela)",
)
def loan_disburse(request: HttpRequest, coop: str, loan_id: int, payload: DisburseIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_DISBURSE)
    services.loan_disburse(
        cooperative=cooperative,
        loan=loan_id,
        date=payload.date,
        channel=payload.channel,
        reference=payload.reference,
        actor=request.user,
    )
    return _detail_of(cooperative, loan_id)


@router.get(
    "/{coop}/loans/{loan_id}/transactions",
    response=TransactionListOut,
    summary="Pencairan, angsuran, pelunasan, hapus buku dan penerimaannya (terlama dahulu)",
)
def loan_transactions(request: HttpRequest, coop: str, loan_id: int, page: Query[PageQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    loan = selectors.loan_get(cooperative=cooperative, loan_id=loan_id)
    qs = selectors.loan_transactions(loan=loan).order_by("date", "id")

    def item(txn: LoanTransaction) -> dict[str, Any]:
        txn.loan = loan
        return _txn_out(txn)

    return paginate(qs, limit=page.limit, offset=page.offset, to_item=item)


def _txn_answer(txn: LoanTransaction) -> Status[dict[str, Any]]:
    # Load the loan afresh: a repeated key returns the first transaction, the loan may have moved on.
    txn = LoanTransaction.objects.select_related("loan", "journal_entry").get(pk=txn.pk)
    return Status(201, _txn_out(txn))


@router.post(
    "/{coop}/loans/{loan_id}/repayments",
    response={201: TransactionOut},
    summary="Terima angsuran: denda, bunga, lalu pokok, angsuran terlama dahulu (kasir, bendahara)",
)
def loan_repay(
    request: HttpRequest,
    coop: str,
    loan_id: int,
    payload: PaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.LOANS_REPAY)
    txn = services.loan_repay(
        cooperative=cooperative,
        loan=loan_id,
        amount=payload.amount,
        date=payload.date,
        channel=payload.channel,
        reference=payload.reference,
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    return _txn_answer(txn)


@router.get(
    "/{coop}/loans/{loan_id}/payoff-quote",
    response=PayoffQuoteOut,
    summary="Jumlah pelunasan dipercepat pada suatu tanggal (bunga periode berjalan, bunga sesudahnya tidak)",
)
def loan_payoff_quote(request: HttpRequest, coop: str, loan_id: int, query: Query[PayoffQuoteQuery]) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_VIEW)
    loan = selectors.loan_get(cooperative=cooperative, loan_id=loan_id)
    position = selectors.loan_position(loan=loan, day=_day(query.date, "date"))
    if position.payoff is None:
        raise Conflict(
            f"Pinjaman {loan.number} berstatus {loan.get_status_display()}; tidak ada yang dilunasi.",
            code="loan_not_active",
        )
    return {"loan_id": loan.pk, "loan_number": loan.number, **_payoff_out(position.payoff)}


@router.post(
    "/{coop}/loans/{loan_id}/payoff",
    response={201: TransactionOut},
    summary="Lunasi dipercepat sebesar jumlah kutipan (kasir, bendahara)",
)
def loan_payoff(
    request: HttpRequest,
    coop: str,
    loan_id: int,
    payload: PaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.LOANS_REPAY)
    txn = services.loan_payoff(
        cooperative=cooperative,
        loan=loan_id,
        date=payload.date,
        expected_total=payload.amount,
        channel=payload.channel,
        reference=payload.reference,
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    return _txn_answer(txn)


@router.post(
    "/{coop}/loans/{loan_id}/write-off",
    response=LoanDetailOut,
    summary="Hapus buku: panggilan pertama mengusulkan, panggilan kedua oleh peran lain menyetujui (ketua, pengawas)",
)
def loan_write_off(request: HttpRequest, coop: str, loan_id: int, payload: WriteOffIn) -> dict[str, Any]:
    cooperative = _coop(request, coop, Action.LOANS_WRITE_OFF)
    loan = selectors.loan_get(cooperative=cooperative, loan_id=loan_id)
    proposed = loan.status == LoanStatus.ACTIVE and (
        LoanApproval.objects.filter(cooperative=cooperative, loan=loan, purpose=ApprovalPurpose.HAPUS_BUKU).exists()
    )
    if proposed:
        services.loan_write_off_approve(
            cooperative=cooperative, loan=loan.pk, date=payload.date or timezone.localdate(), actor=request.user
        )
    else:
        services.loan_write_off_propose(
            cooperative=cooperative, loan=loan.pk, reason=payload.reason, actor=request.user
        )
    return _detail_of(cooperative, loan_id)


@router.post(
    "/{coop}/loans/{loan_id}/recoveries",
    response={201: TransactionOut},
    summary="Terima pembayaran atas pinjaman yang dihapus buku (kasir, bendahara)",
)
def loan_recover(
    request: HttpRequest,
    coop: str,
    loan_id: int,
    payload: PaymentIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
) -> Status[dict[str, Any]]:
    cooperative = _coop(request, coop, Action.LOANS_REPAY)
    txn = services.loan_recover(
        cooperative=cooperative,
        loan=loan_id,
        amount=payload.amount,
        date=payload.date,
        channel=payload.channel,
        reference=payload.reference,
        idempotency_key=api_idempotency_key(idempotency_key),
        actor=request.user,
    )
    return _txn_answer(txn)
