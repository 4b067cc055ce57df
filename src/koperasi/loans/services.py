"""Writes of loans. Each public function is one transaction: business rows, ledger entry, audit row.

Lock order, the same everywhere so two writes never deadlock: the cooperative row (only to
number a new loan), the loan row, then what the savings service locks (member, account),
then the ledger head (inside ``journal_post``). Callers (views, API, commands) have checked
the actor's permission for the action; the approval services also check the actor's role,
because who may approve depends on the amount.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.access import roles_for
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.roles import Role
from koperasi.ledger import selectors as ledger_selectors
from koperasi.ledger.services import journal_post
from koperasi.loans import calculations, postings, selectors
from koperasi.loans.choices import (
    CHANNEL_ROLE,
    ApprovalDecision,
    ApprovalPurpose,
    DisbursementChannel,
    LoanMethod,
    LoanStatus,
    LoanTxnType,
    RepaymentChannel,
)
from koperasi.loans.models import Loan, LoanApproval, LoanInstallment, LoanProduct, LoanSetting, LoanTransaction
from koperasi.members.choices import MemberStatus
from koperasi.members.models import Member
from koperasi.savings import selectors as savings_selectors
from koperasi.savings import services as savings_services

KEY_PREFIX = "loans:"  # ledger idempotency keys share one namespace per cooperative
MAX_AMOUNT = 10**12  # Rp1 triliun: far above any loan, far below the database's 2**63
SMALL_LOAN_APPROVERS = (Role.BENDAHARA, Role.KETUA)
BOARD_APPROVERS = (Role.KETUA, Role.PENGAWAS)
WRITE_OFF_APPROVERS = (Role.KETUA, Role.PENGAWAS)


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _key(idempotency_key: str | None) -> str | None:
    return (idempotency_key or "").strip()[:90] or None


# --- Checks -----------------------------------------------------------------------------------


def _amount(value: Any, field: str, label: str, *, allow_zero: bool = False) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.for_field(field, f"{label} harus rupiah bulat tanpa desimal.", code="amount_invalid")
    if value < 0 or (value == 0 and not allow_zero):
        raise ValidationError.for_field(field, f"{label} harus lebih dari nol.", code="amount_not_positive")
    if value > MAX_AMOUNT:
        raise ValidationError.for_field(field, f"{label} terlalu besar; periksa kembali.", code="amount_too_large")
    return value


def _rate(value: Any, field: str, label: str) -> Decimal:
    try:
        rate = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError.for_field(field, f"{label} harus angka persen, mis. 12 atau 1,5.") from None
    if not rate.is_finite() or rate < 0 or rate > 100:
        raise ValidationError.for_field(field, f"{label} harus antara 0 dan 100 %.")
    if rate != rate.quantize(Decimal("0.01")):
        raise ValidationError.for_field(field, f"{label} paling banyak dua angka di belakang koma.")
    return rate


def _date(value: Any, field: str, label: str, *, not_before: datetime.date | None = None) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError.for_field(field, f"{label} wajib diisi.")
    if value > timezone.localdate():
        raise ValidationError.for_field(field, f"{label} tidak boleh di masa depan.")
    if not_before is not None and value < not_before:
        raise ValidationError.for_field(field, f"{label} tidak boleh sebelum {not_before:%d/%m/%Y}.")
    return value


def _term(value: Any, product: LoanProduct) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError.for_field("term_months", "Jangka waktu harus bilangan bulat (bulan).")
    if not product.min_term_months <= value <= product.max_term_months:
        raise ValidationError.for_field(
            "term_months",
            f"Jangka waktu produk {product.name} {product.min_term_months}–{product.max_term_months} bulan.",
            code="term_out_of_range",
        )
    return value


# --- Settings and products ----------------------------------------------------------------------

_PRODUCT_RATES = {
    "rate_pa": "Bunga per tahun",
    "admin_fee_percent": "Biaya administrasi",
    "provision_percent": "Provisi",
    "penalty_rate_pm": "Denda per bulan",
}
_PRODUCT_AMOUNTS = {"min_principal": "Plafon terendah", "max_principal": "Plafon tertinggi"}
_PRODUCT_FEES = {"admin_fee_amount": "Biaya administrasi tetap", "provision_amount": "Provisi tetap"}


def _product_values(data: Mapping[str, Any], current: LoanProduct | None) -> dict[str, Any]:
    """Check a product's fields (missing ones keep ``current``'s) and return them clean."""

    def pick(name: str, default: Any = None) -> Any:
        if name in data and data[name] is not None and data[name] != "":
            return data[name]
        return getattr(current, name) if current is not None else default

    problems: dict[str, list[str]] = {}
    values: dict[str, Any] = {}

    def check(name: str, func: Any, *args: Any, **kwargs: Any) -> None:
        try:
            values[name] = func(*args, **kwargs)
        except ValidationError as error:
            for field, messages in error.detail.items():
                problems.setdefault(field, []).extend(messages)

    name = str(pick("name", "")).strip()
    if not name:
        problems["name"] = ["Nama produk wajib diisi."]
    values["name"] = name[:100]
    method = pick("method", "")
    if method not in LoanMethod.values:
        problems["method"] = ["Metode harus flat, declining (menurun) atau annuity (anuitas)."]
    values["method"] = method
    for field, label in _PRODUCT_RATES.items():
        default = None if field == "rate_pa" else Decimal("0")
        raw = pick(field, default)
        if raw is None:
            problems[field] = [f"{label} wajib diisi."]
        else:
            check(field, _rate, raw, field, label)
    for field, label in _PRODUCT_AMOUNTS.items():
        raw = pick(field, 100_000 if field == "min_principal" else None)
        if raw is None:
            problems[field] = [f"{label} wajib diisi."]
        else:
            check(field, _amount, raw, field, label)
    for field, label in _PRODUCT_FEES.items():
        check(field, _amount, pick(field, 0), field, label, allow_zero=True)
    bounds: tuple[tuple[str, int, int, Any], ...] = (
        ("min_term_months", 1, 360, 1),
        ("max_term_months", 1, 360, None),
        ("grace_days", 0, 90, 0),
    )
    for field, low, high, default in bounds:
        raw = pick(field, default)
        if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
            problems[field] = [f"Harus bilangan bulat {low}–{high}."]
        values[field] = raw
    multiple = pick("savings_multiple", None)
    if "savings_multiple" in data and data["savings_multiple"] in (None, ""):
        multiple = None
    if multiple is not None:
        check("savings_multiple", _rate, multiple, "savings_multiple", "Kelipatan simpanan")
        if values.get("savings_multiple") == 0:
            problems["savings_multiple"] = ["Kelipatan simpanan harus lebih dari nol (kosongkan jika tidak dipakai)."]
    else:
        values["savings_multiple"] = None
    for flag in ("fees_deducted", "members_only", "is_active"):
        values[flag] = bool(pick(flag, True))
    if not problems:
        if values["max_term_months"] < values["min_term_months"]:
            problems["max_term_months"] = ["Jangka terpanjang tidak boleh kurang dari jangka terpendek."]
        if values["max_principal"] < values["min_principal"]:
            problems["max_principal"] = ["Plafon tertinggi tidak boleh kurang dari plafon terendah."]
    if problems:
        raise ValidationError("Data produk pinjaman tidak valid.", code="loan_product_invalid", detail=problems)
    return values


def loan_product_create(*, cooperative: Cooperative, data: Mapping[str, Any], actor: Any) -> LoanProduct:
    """Create a loan product. Raises ValidationError (each field) and Conflict (``loan_product_name_taken``)."""
    values = _product_values(data, None)
    try:
        with transaction.atomic():
            product = LoanProduct.objects.create(cooperative=cooperative, **values)
            audit_record(
                actor=actor, action="loans.product_create", cooperative=cooperative, target=product, data=_audit(values)
            )
    except IntegrityError:
        raise Conflict(f"Produk bernama {values['name']} sudah ada.", code="loan_product_name_taken") from None
    return product


def loan_product_update(
    *, cooperative: Cooperative, product: LoanProduct, data: Mapping[str, Any], actor: Any
) -> LoanProduct:
    """Change a product; loans already applied for keep the terms they were given.

    Raises NotFound, ValidationError, Conflict (``loan_product_name_taken``).
    """
    if product.cooperative_id != cooperative.pk:
        raise NotFound("Produk pinjaman tidak ditemukan.")
    values = _product_values(data, product)
    try:
        with transaction.atomic():
            LoanProduct.objects.filter(pk=product.pk).update(**values)
            audit_record(
                actor=actor, action="loans.product_update", cooperative=cooperative, target=product, data=_audit(values)
            )
    except IntegrityError:
        raise Conflict(f"Produk bernama {values['name']} sudah ada.", code="loan_product_name_taken") from None
    product.refresh_from_db()
    return product


def _audit(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def loan_setting_create(*, cooperative: Cooperative, data: Mapping[str, Any], actor: Any) -> LoanSetting:
    """Record the approval limit, collectibility thresholds and allowance rates from a date.

    Raises ValidationError (each field) and Conflict (``loan_setting_exists`` for that date).
    """
    problems: dict[str, list[str]] = {}
    effective_from = data.get("effective_from")
    if not isinstance(effective_from, datetime.date):
        problems["effective_from"] = ["Tanggal berlaku wajib diisi."]
        effective_from = datetime.date.min
    values: dict[str, Any] = {}
    defaults = calculations.DEFAULT_RULES
    limit = data.get("approval_limit", selectors.DEFAULT_APPROVAL_LIMIT)
    try:
        values["approval_limit"] = _amount(limit, "approval_limit", "Batas persetujuan bendahara")
    except ValidationError as error:
        problems.update(error.detail)
    for field in ("kurang_lancar_after", "diragukan_after", "macet_after"):
        raw = data.get(field, getattr(defaults, field))
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= 3650:
            problems[field] = ["Harus jumlah hari 1–3650."]
        values[field] = raw
    for field in ("rate_lancar", "rate_kurang_lancar", "rate_diragukan", "rate_macet"):
        try:
            values[field] = _rate(data.get(field, getattr(defaults, field)), field, "Tarif PPAP")
        except ValidationError as error:
            problems.update(error.detail)
    if not problems and not values["kurang_lancar_after"] < values["diragukan_after"] < values["macet_after"]:
        problems["diragukan_after"] = ["Batas hari harus naik: kurang lancar < diragukan < macet."]
    if problems:
        raise ValidationError("Pengaturan pinjaman tidak valid.", code="loan_setting_invalid", detail=problems)
    try:
        with transaction.atomic():
            row = LoanSetting.objects.create(
                cooperative=cooperative, effective_from=effective_from, created_by=_actor_or_none(actor), **values
            )
            audit_record(
                actor=actor,
                action="loans.setting_create",
                cooperative=cooperative,
                target=row,
                data={"effective_from": str(effective_from), **_audit(values)},
            )
    except IntegrityError:
        raise Conflict(
            f"Pengaturan yang berlaku {effective_from:%d/%m/%Y} sudah ada.", code="loan_setting_exists"
        ) from None
    return row


# --- Application and approval -------------------------------------------------------------------


def _member_of(cooperative: Cooperative, member: Member | int) -> Member:
    member_id = member.pk if isinstance(member, Member) else member
    found = selectors._by_id(Member.objects.filter(cooperative=cooperative), member_id)
    if found is None:
        raise NotFound("Anggota tidak ditemukan.")
    return found


def _check_borrower(member: Member, product: LoanProduct) -> None:
    allowed = (MemberStatus.AKTIF,) if product.members_only else (MemberStatus.AKTIF, MemberStatus.CALON)
    if member.status not in allowed:
        who = "anggota aktif" if product.members_only else "anggota atau calon anggota"
        raise Conflict(
            f"Produk {product.name} hanya untuk {who}; status no. {member.number}: {member.get_status_display()}.",
            code="member_not_eligible",
        )


def _check_limits(cooperative: Cooperative, member: Member, product: LoanProduct, principal: int) -> None:
    if not product.min_principal <= principal <= product.max_principal:
        raise Conflict(
            f"Plafon produk {product.name} {format_rupiah(product.min_principal)} sampai "
            f"{format_rupiah(product.max_principal)}; diajukan {format_rupiah(principal)}.",
            code="principal_out_of_range",
            detail={"principal": [f"Paling banyak {format_rupiah(product.max_principal)}."]},
        )
    savings_total = savings_selectors.savings_balances(cooperative=cooperative, member=member)["total"]
    limit = calculations.savings_limit(savings_total, product.savings_multiple)
    if limit is not None and principal > limit:
        raise Conflict(
            f"Plafon paling banyak {product.savings_multiple}× simpanan anggota "
            f"({format_rupiah(savings_total)}) = {format_rupiah(limit)}; diajukan {format_rupiah(principal)}.",
            code="principal_over_savings_limit",
            detail={"principal": [f"Paling banyak {format_rupiah(limit)}."]},
        )


def loan_apply(
    *,
    cooperative: Cooperative,
    member: Member | int,
    product: LoanProduct | int,
    principal: int,
    term_months: int,
    applied_on: datetime.date,
    actor: Any,
    purpose: str = "",
    idempotency_key: str | None = None,
) -> Loan:
    """Record a member's loan application with the product's terms and the next loan number.

    Raises NotFound (another cooperative's member or product), ValidationError (principal,
    term, date) and Conflict (``product_inactive``, ``member_not_eligible``,
    ``principal_out_of_range``, ``principal_over_savings_limit``). A repeated
    ``idempotency_key`` returns the first application.
    """
    key = _key(idempotency_key)
    if key and (first := Loan.objects.filter(cooperative=cooperative, application_key=key).first()):
        return first
    member = _member_of(cooperative, member)
    product_id = product.pk if isinstance(product, LoanProduct) else product
    product = selectors.loan_product_get(cooperative=cooperative, product_id=product_id)
    principal = _amount(principal, "principal", "Jumlah pinjaman")
    term_months = _term(term_months, product)
    applied_on = _date(applied_on, "applied_on", "Tanggal pengajuan", not_before=member.joined_on)
    if not product.is_active:
        raise Conflict(f"Produk {product.name} tidak aktif.", code="product_inactive")
    _check_borrower(member, product)
    _check_limits(cooperative, member, product, principal)
    approval_limit = selectors.loan_setting_in_force(cooperative=cooperative, day=applied_on).approval_limit
    with transaction.atomic():
        Cooperative.objects.select_for_update().filter(pk=cooperative.pk).values_list("pk", flat=True).get()
        if key and (first := Loan.objects.filter(cooperative=cooperative, application_key=key).first()):
            return first
        last = Loan.objects.filter(cooperative=cooperative).aggregate(m=Max("loan_no"))["m"] or 0
        loan = Loan.objects.create(
            cooperative=cooperative,
            loan_no=last + 1,
            member=member,
            product=product,
            method=product.method,
            rate_pa=product.rate_pa,
            term_months=term_months,
            principal=principal,
            purpose=(purpose or "").strip()[:250],
            applied_on=applied_on,
            applied_by=_actor_or_none(actor),
            application_key=key,
            needs_board=principal > approval_limit,
            admin_fee=calculations.fee_amount(principal, product.admin_fee_percent, product.admin_fee_amount),
            provision_fee=calculations.fee_amount(principal, product.provision_percent, product.provision_amount),
            fees_deducted=product.fees_deducted,
            penalty_rate_pm=product.penalty_rate_pm,
            grace_days=product.grace_days,
        )
        audit_record(
            actor=actor,
            action="loans.apply",
            cooperative=cooperative,
            target=loan,
            data={"loan": loan.number, "member_no": member.member_no, "principal": principal, "term": term_months},
        )
    return loan


def _loan_locked(cooperative: Cooperative, loan: Loan | int) -> Loan:
    loan_id = loan.pk if isinstance(loan, Loan) else loan
    found = selectors._by_id(Loan.objects.select_for_update().filter(cooperative=cooperative), loan_id)
    if found is None:
        raise NotFound("Pinjaman tidak ditemukan.")
    return found


def _approver_roles(loan: Loan) -> tuple[Role, ...]:
    return BOARD_APPROVERS if loan.needs_board else SMALL_LOAN_APPROVERS


def _acting_role(actor: Any, cooperative: Cooperative, allowed: tuple[Role, ...], taken: set[str]) -> Role:
    held = roles_for(actor, cooperative)
    for role in allowed:
        if role in held and role not in taken:
            return role
    names = " dan ".join(r.label.lower() for r in allowed)
    raise PermissionDenied(f"Keputusan ini hanya oleh {names} (masing-masing orang yang berbeda).")


def loan_approve(
    *, cooperative: Cooperative, loan: Loan | int, actor: Any, note: str = "", date: datetime.date | None = None
) -> Loan:
    """Approve an application in the actor's role; it is approved once every role needed has agreed.

    Up to the approval limit (a setting) the bendahara (or the ketua) approves alone; above
    it both the ketua and the pengawas, two different people. Raises NotFound,
    PermissionDenied (the actor holds no role still needed, or approved already) and
    Conflict (``loan_not_applied``).
    """
    with transaction.atomic():
        loan = _loan_locked(cooperative, loan)
        if loan.status != LoanStatus.APPLIED:
            raise Conflict(
                f"Pinjaman {loan.number} berstatus {loan.get_status_display()}; tidak menunggu persetujuan.",
                code="loan_not_applied",
            )
        date = _date(date or timezone.localdate(), "date", "Tanggal persetujuan", not_before=loan.applied_on)
        approvals = list(
            LoanApproval.objects.filter(loan=loan, purpose=ApprovalPurpose.PINJAMAN, decision=ApprovalDecision.SETUJU)
        )
        if any(a.decided_by_id == getattr(actor, "pk", None) for a in approvals):
            raise PermissionDenied("Anda sudah menyetujui; persetujuan berikutnya harus dari orang lain.")
        needed = _approver_roles(loan)
        role = _acting_role(actor, cooperative, needed, {a.role for a in approvals})
        LoanApproval.objects.create(
            cooperative=cooperative,
            loan=loan,
            purpose=ApprovalPurpose.PINJAMAN,
            role=role,
            decision=ApprovalDecision.SETUJU,
            note=(note or "").strip()[:250],
            decided_by=actor,
            decided_on=date,
        )
        complete = not loan.needs_board or {a.role for a in approvals} | {role} >= set(BOARD_APPROVERS)
        if complete:
            loan.status, loan.decided_on = LoanStatus.APPROVED, date
            loan.save(update_fields=["status", "decided_on"])
        audit_record(
            actor=actor,
            action="loans.approve",
            cooperative=cooperative,
            target=loan,
            data={"loan": loan.number, "role": role, "complete": complete},
        )
    return loan


def loan_reject(*, cooperative: Cooperative, loan: Loan | int, reason: str, actor: Any) -> Loan:
    """Reject an application (or cancel an approved loan not yet disbursed), with the reason.

    Anyone who may approve the loan may reject it. Raises NotFound, PermissionDenied,
    ValidationError (no reason), Conflict (``loan_not_open``).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Alasan penolakan wajib diisi.")
    with transaction.atomic():
        loan = _loan_locked(cooperative, loan)
        if loan.status not in (LoanStatus.APPLIED, LoanStatus.APPROVED):
            raise Conflict(
                f"Pinjaman {loan.number} berstatus {loan.get_status_display()}; tidak dapat ditolak.",
                code="loan_not_open",
            )
        role = _acting_role(actor, cooperative, _approver_roles(loan), set())
        today = timezone.localdate()
        LoanApproval.objects.create(
            cooperative=cooperative,
            loan=loan,
            purpose=ApprovalPurpose.PINJAMAN,
            role=role,
            decision=ApprovalDecision.TOLAK,
            note=reason[:250],
            decided_by=actor,
            decided_on=today,
        )
        loan.status, loan.decided_on, loan.rejection_reason = LoanStatus.REJECTED, today, reason[:250]
        loan.save(update_fields=["status", "decided_on", "rejection_reason"])
        audit_record(
            actor=actor,
            action="loans.reject",
            cooperative=cooperative,
            target=loan,
            data={"loan": loan.number, "role": role, "reason": reason},
        )
    return loan


# --- Disbursement -------------------------------------------------------------------------------


def _cash_available(cooperative: Cooperative, role: str, date: datetime.date) -> int:
    account = ledger_selectors.account_for_role(cooperative=cooperative, role=role)
    debit, credit = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=date).get(
        account.pk, (0, 0)
    )
    return debit - credit


def loan_disburse(
    *,
    cooperative: Cooperative,
    loan: Loan | int,
    date: datetime.date,
    actor: Any,
    channel: str = DisbursementChannel.TUNAI,
    reference: str = "",
) -> Loan:
    """Pay an approved loan out (cash, bank or the member's sukarela), create its schedule, post it.

    Fees are taken from the amount paid out, or paid in cash at the same time (the
    product's choice). Raises NotFound, ValidationError (date, channel) and Conflict
    (``loan_not_approved``, ``member_not_eligible``, ``principal_out_of_range``,
    ``principal_over_savings_limit``, ``cash_insufficient``, ``period_closed``).
    """
    if channel not in DisbursementChannel.values:
        raise ValidationError.for_field("channel", "Cara pencairan harus tunai, transfer atau sukarela.")
    if channel == DisbursementChannel.TRANSFER and not (reference or "").strip():
        raise ValidationError.for_field("reference", "Nomor referensi transfer wajib diisi.")
    with transaction.atomic():
        loan = _loan_locked(cooperative, loan)
        if loan.status != LoanStatus.APPROVED:
            raise Conflict(
                f"Pinjaman {loan.number} berstatus {loan.get_status_display()}; "
                "hanya pinjaman yang disetujui dapat dicairkan.",
                code="loan_not_approved",
            )
        date = _date(date, "date", "Tanggal pencairan", not_before=loan.applied_on)
        member = Member.objects.get(pk=loan.member_id)
        product = LoanProduct.objects.get(pk=loan.product_id)
        _check_borrower(member, product)
        _check_limits(cooperative, member, product, loan.principal)
        fees = loan.admin_fee + loan.provision_fee
        if loan.fees_deducted and fees >= loan.principal:
            raise Conflict("Biaya sama dengan atau melebihi pokok pinjaman.", code="fees_exceed_principal")
        if channel == DisbursementChannel.SUKARELA and not loan.fees_deducted:
            raise Conflict("Biaya produk ini dibayar tunai; cairkan tunai atau transfer.", code="fees_need_cash")
        is_member = member.status == MemberStatus.AKTIF
        paid_out = loan.principal - fees if loan.fees_deducted else loan.principal
        if channel in CHANNEL_ROLE:
            available = _cash_available(cooperative, CHANNEL_ROLE[channel], date)
            needed = paid_out - (0 if loan.fees_deducted else fees)
            if needed > available:
                raise Conflict(
                    f"Saldo {'kas' if channel == 'tunai' else 'bank'} {format_rupiah(available)} tidak cukup "
                    f"untuk pencairan {format_rupiah(needed)}.",
                    code="cash_insufficient",
                )
        lines = postings.disbursement_lines(
            principal=loan.principal,
            fees=fees,
            fees_deducted=loan.fees_deducted,
            channel=channel,
            is_member=is_member,
            member_id=member.pk,
        )
        memo = f"Pencairan {loan.number} {member.number} {member.name}"
        if channel == DisbursementChannel.SUKARELA:
            entry = savings_services.sukarela_credit(
                cooperative=cooperative,
                member=member,
                amount=paid_out,
                date=date,
                contra_lines=lines,
                memo=memo,
                actor=actor,
            ).journal_entry
        else:
            entry = journal_post(cooperative=cooperative, date=date, lines=lines, memo=memo, source=loan, actor=actor)
        schedule = calculations.loan_schedule(
            principal=loan.principal,
            rate_pa=loan.rate_pa,
            term_months=loan.term_months,
            method=loan.method,
            disbursed_on=date,
        )
        LoanInstallment.objects.bulk_create(
            LoanInstallment(
                cooperative=cooperative,
                loan=loan,
                no=row.no,
                due_date=row.due_date,
                principal_due=row.principal,
                interest_due=row.interest,
                penalty_from=row.due_date + datetime.timedelta(days=loan.grace_days),
                # Nothing due (principal and interest rounded to 0): settled from the start.
                settled=row.installment == 0,
                settled_on=date if row.installment == 0 else None,
            )
            for row in schedule
        )
        loan.status, loan.disbursed_on, loan.disbursement_channel = LoanStatus.ACTIVE, date, channel
        loan.outstanding_principal, loan.borrower_is_member = loan.principal, is_member
        loan.save(
            update_fields=[
                "status",
                "disbursed_on",
                "disbursement_channel",
                "outstanding_principal",
                "borrower_is_member",
            ]
        )
        txn = LoanTransaction.objects.create(
            cooperative=cooperative,
            loan=loan,
            type=LoanTxnType.PENCAIRAN,
            date=date,
            amount=paid_out,
            principal=loan.principal,
            fees=fees,
            channel=channel,
            reference=(reference or "").strip()[:60],
            outstanding_after=loan.principal,
            journal_entry=entry,
            memo=memo[:250],
            created_by=_actor_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="loans.disburse",
            cooperative=cooperative,
            target=loan,
            data={"loan": loan.number, "principal": loan.principal, "fees": fees, "channel": channel, "txn": txn.pk},
        )
    return loan


# --- Repayment ------------------------------------------------------------------------------------


def _accrue_penalties(loan: Loan, rows: list[LoanInstallment], date: datetime.date) -> list[LoanInstallment]:
    """Charge each overdue instalment's penalty up to ``date`` (the month-end batch does the same)."""
    basis_points = calculations.penalty_basis_points(loan.penalty_rate_pm)
    changed = []
    for row in rows:
        if row.settled or row.penalty_from >= date:
            continue
        unpaid = row.principal_due - row.principal_paid + row.interest_due - row.interest_paid - row.interest_waived
        row.penalty_accrued += calculations.penalty_for(unpaid, basis_points, (date - row.penalty_from).days)
        row.penalty_from = date
        changed.append(row)
    if changed:
        LoanInstallment.objects.bulk_update(changed, ["penalty_accrued", "penalty_from"])
    return rows


def _check_repayment_date(cooperative: Cooperative, loan: Loan, date: Any) -> datetime.date:
    date = _date(date, "date", "Tanggal pembayaran", not_before=loan.disbursed_on)
    last_run = selectors.month_end_list(cooperative=cooperative).values_list("date", flat=True).first()
    if last_run is not None and date < last_run:
        raise ValidationError.for_field(
            "date",
            f"Tutup bulan pinjaman {last_run:%d/%m/%Y} sudah dijalankan; pembayaran tidak boleh bertanggal sebelumnya.",
            code="loans_month_closed",
        )
    return date


def _existing(cooperative: Cooperative, key: str | None) -> LoanTransaction | None:
    if key is None:
        return None
    return LoanTransaction.objects.filter(cooperative=cooperative, idempotency_key=key).first()


def _apply_split(
    loan: Loan, rows: list[LoanInstallment], split: calculations.RepaymentSplit, date: datetime.date
) -> None:
    by_no = {a.no: a for a in split.allocations}
    changed = []
    for row in rows:
        allocation = by_no.get(row.no)
        if allocation is not None:
            row.penalty_paid += allocation.penalty
            row.interest_paid += allocation.interest
            row.principal_paid += allocation.principal
        now_settled = row.principal_paid == row.principal_due and (
            row.interest_paid + row.interest_waived == row.interest_due
        )
        # A row can settle with nothing allocated to it: its interest waived by a payoff, or
        # nothing due at all (an instalment whose rounded principal and interest are 0).
        newly_settled = now_settled and not row.settled
        if newly_settled:
            row.settled, row.settled_on = True, date
        if allocation is not None or newly_settled:
            changed.append(row)
    LoanInstallment.objects.bulk_update(
        changed, ["penalty_paid", "interest_paid", "principal_paid", "interest_waived", "settled", "settled_on"]
    )
    loan.outstanding_principal -= split.principal
    loan.principal_paid += split.principal
    loan.interest_paid += split.interest
    loan.penalty_paid += split.penalty
    fields = ["outstanding_principal", "principal_paid", "interest_paid", "penalty_paid"]
    if all(r.settled and r.penalty_paid == r.penalty_accrued for r in rows):
        loan.status, loan.closed_on = LoanStatus.CLOSED, date
        fields += ["status", "closed_on"]
    loan.save(update_fields=fields)


def _post_payment(
    *,
    cooperative: Cooperative,
    loan: Loan,
    txn_type: str,
    amount: int,
    split: calculations.RepaymentSplit,
    date: datetime.date,
    channel: str,
    reference: str,
    key: str | None,
    actor: Any,
) -> LoanTransaction:
    member = Member.objects.only("member_no", "name").get(pk=loan.member_id)
    label = "Pelunasan" if txn_type == LoanTxnType.PELUNASAN else "Angsuran"
    memo = f"{label} {loan.number} {member.number} {member.name}"
    entry = journal_post(
        cooperative=cooperative,
        date=date,
        lines=postings.repayment_lines(
            channel=channel,
            principal=split.principal,
            interest=split.interest,
            penalty=split.penalty,
            is_member=loan.borrower_is_member,
            member_id=loan.member_id,
        ),
        memo=memo,
        source=loan,
        idempotency_key=KEY_PREFIX + key if key else None,
        actor=actor,
    )
    txn = LoanTransaction.objects.create(
        cooperative=cooperative,
        loan=loan,
        type=txn_type,
        date=date,
        amount=amount,
        principal=split.principal,
        interest=split.interest,
        penalty=split.penalty,
        channel=channel,
        reference=(reference or "").strip()[:60],
        allocation=[
            {"no": a.no, "penalty": a.penalty, "interest": a.interest, "principal": a.principal}
            for a in split.allocations
        ],
        outstanding_after=loan.outstanding_principal,
        journal_entry=entry,
        idempotency_key=key,
        memo=memo[:250],
        created_by=_actor_or_none(actor),
    )
    audit_record(
        actor=actor,
        action=f"loans.{txn_type}",
        cooperative=cooperative,
        target=txn,
        data={"loan": loan.number, "amount": amount, "entry": entry.number, "closed": loan.status == LoanStatus.CLOSED},
    )
    return txn


def _check_channel(channel: Any, reference: str) -> str:
    if channel not in RepaymentChannel.values:
        raise ValidationError.for_field("channel", "Cara bayar harus tunai atau transfer.")
    if channel == RepaymentChannel.TRANSFER and not (reference or "").strip():
        raise ValidationError.for_field("reference", "Nomor referensi transfer wajib diisi.")
    return str(channel)


def _active_loan(cooperative: Cooperative, loan: Loan | int) -> Loan:
    return _require_active(_loan_locked(cooperative, loan))


def _require_active(loan: Loan) -> Loan:
    if loan.status != LoanStatus.ACTIVE:
        raise Conflict(
            f"Pinjaman {loan.number} berstatus {loan.get_status_display()}; tidak menerima pembayaran.",
            code="loan_not_active",
        )
    return loan


def loan_repay(
    *,
    cooperative: Cooperative,
    loan: Loan | int,
    amount: int,
    date: datetime.date,
    actor: Any,
    channel: str = RepaymentChannel.TUNAI,
    reference: str = "",
    idempotency_key: str | None = None,
) -> LoanTransaction:
    """Take a repayment: penalty, interest, then principal, oldest instalment first; post it.

    Penalties are charged up to ``date`` first. More than is due now pays the next
    instalments ahead; more than the whole loan still asks is refused (use the payoff,
    which waives later interest). A repeated ``idempotency_key`` returns the first
    repayment. Raises NotFound, ValidationError (amount, date, channel) and Conflict
    (``loan_not_active``, ``amount_over_remaining``, ``period_closed``).
    """
    channel = _check_channel(channel, reference)
    key = _key(idempotency_key)
    amount = _amount(amount, "amount", "Jumlah pembayaran")
    with transaction.atomic():
        loan = _loan_locked(cooperative, loan)
        if (first := _existing(cooperative, key)) is not None:
            return first
        loan = _require_active(loan)
        date = _check_repayment_date(cooperative, loan, date)
        rows = _accrue_penalties(loan, selectors.loan_installments(loan=loan), date)
        split = calculations.repayment_allocate(selectors.installment_states(rows), amount)
        if split.unapplied:
            remaining = amount - split.unapplied
            payoff = calculations.payoff_quote(selectors.installment_states(rows), date).total
            raise Conflict(
                f"Jumlah {format_rupiah(amount)} melebihi sisa kewajiban {format_rupiah(remaining)}. "
                f"Untuk melunasi hari ini cukup {format_rupiah(payoff)} (menu pelunasan).",
                code="amount_over_remaining",
                detail={"amount": [f"Paling banyak {format_rupiah(remaining)}."], "payoff": [str(payoff)]},
            )
        _apply_split(loan, rows, split, date)
        return _post_payment(
            cooperative=cooperative,
            loan=loan,
            txn_type=LoanTxnType.ANGSURAN,
            amount=amount,
            split=split,
            date=date,
            channel=channel,
            reference=reference,
            key=key,
            actor=actor,
        )


def loan_payoff(
    *,
    cooperative: Cooperative,
    loan: Loan | int,
    date: datetime.date,
    expected_total: int,
    actor: Any,
    channel: str = RepaymentChannel.TUNAI,
    reference: str = "",
    idempotency_key: str | None = None,
) -> LoanTransaction:
    """Pay a loan off early at the quoted amount: later periods' interest is waived; the loan closes.

    ``expected_total`` is the quote the member was shown (``selectors.loan_position``); it is
    refused if the quote has changed since. Raises NotFound, ValidationError and Conflict
    (``loan_not_active``, ``payoff_changed``, ``period_closed``).
    """
    channel = _check_channel(channel, reference)
    key = _key(idempotency_key)
    expected_total = _amount(expected_total, "amount", "Jumlah pelunasan")
    with transaction.atomic():
        loan = _loan_locked(cooperative, loan)
        if (first := _existing(cooperative, key)) is not None:
            return first
        loan = _require_active(loan)
        date = _check_repayment_date(cooperative, loan, date)
        rows = _accrue_penalties(loan, selectors.loan_installments(loan=loan), date)
        quote = calculations.payoff_quote(selectors.installment_states(rows), date)
        if quote.total != expected_total:
            raise Conflict(
                f"Jumlah pelunasan sekarang {format_rupiah(quote.total)}, bukan {format_rupiah(expected_total)}; "
                "hitung ulang dan konfirmasi lagi.",
                code="payoff_changed",
                detail={"amount": [str(quote.total)]},
            )
        for row in rows:
            row.interest_waived += quote.waived_by_no.get(row.no, 0)
        states = selectors.installment_states(rows)
        split = calculations.repayment_allocate(states, quote.total)
        _apply_split(loan, rows, split, date)
        return _post_payment(
            cooperative=cooperative,
            loan=loan,
            txn_type=LoanTxnType.PELUNASAN,
            amount=quote.total,
            split=split,
            date=date,
            channel=channel,
            reference=reference,
            key=key,
            actor=actor,
        )


# --- Write-off and recovery -----------------------------------------------------------------------


def loan_write_off_propose(*, cooperative: Cooperative, loan: Loan | int, reason: str, actor: Any) -> LoanApproval:
    """Propose writing a loan off (hapus buku), as ketua or pengawas; the other must approve.

    Raises NotFound, PermissionDenied, ValidationError (no reason), Conflict
    (``loan_not_active``, ``write_off_pending``).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError.for_field("reason", "Alasan hapus buku wajib diisi.")
    with transaction.atomic():
        loan = _active_loan(cooperative, loan)
        if LoanApproval.objects.filter(loan=loan, purpose=ApprovalPurpose.HAPUS_BUKU).exists():
            raise Conflict("Usulan hapus buku pinjaman ini sudah menunggu persetujuan.", code="write_off_pending")
        role = _acting_role(actor, cooperative, WRITE_OFF_APPROVERS, set())
        approval = LoanApproval.objects.create(
            cooperative=cooperative,
            loan=loan,
            purpose=ApprovalPurpose.HAPUS_BUKU,
            role=role,
            decision=ApprovalDecision.SETUJU,
            note=reason[:250],
            decided_by=actor,
            decided_on=timezone.localdate(),
        )
        audit_record(
            actor=actor,
            action="loans.write_off_propose",
            cooperative=cooperative,
            target=loan,
            data={"loan": loan.number, "role": role, "reason": reason},
        )
    return approval


def loan_write_off_approve(*, cooperative: Cooperative, loan: Loan | int, date: datetime.date, actor: Any) -> Loan:
    """Approve a proposed write-off as the other of ketua/pengawas; remove the receivable and post it.

    The allowance absorbs the outstanding principal as far as it holds; the rest is an
    expense. Raises NotFound, PermissionDenied (same person or role as the proposer),
    ValidationError (date), Conflict (``loan_not_active``, ``write_off_not_proposed``).
    """
    with transaction.atomic():
        loan = _active_loan(cooperative, loan)
        proposal = LoanApproval.objects.filter(loan=loan, purpose=ApprovalPurpose.HAPUS_BUKU).first()
        if proposal is None:
            raise Conflict("Belum ada usulan hapus buku untuk pinjaman ini.", code="write_off_not_proposed")
        if proposal.decided_by_id == getattr(actor, "pk", None):
            raise PermissionDenied("Persetujuan hapus buku harus dari orang lain (ketua dan pengawas).")
        role = _acting_role(actor, cooperative, WRITE_OFF_APPROVERS, {proposal.role})
        date = _date(date, "date", "Tanggal hapus buku", not_before=loan.disbursed_on)
        LoanApproval.objects.create(
            cooperative=cooperative,
            loan=loan,
            purpose=ApprovalPurpose.HAPUS_BUKU,
            role=role,
            decision=ApprovalDecision.SETUJU,
            note=proposal.note,
            decided_by=actor,
            decided_on=date,
        )
        outstanding = loan.outstanding_principal
        allowance = ledger_selectors.account_for_role(cooperative=cooperative, role="loan_allowance")
        debit, credit = ledger_selectors.totals_between(cooperative=cooperative, start=None, end=date).get(
            allowance.pk, (0, 0)
        )
        member = Member.objects.only("member_no", "name").get(pk=loan.member_id)
        memo = f"Hapus buku {loan.number} {member.number} {member.name}"
        entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=postings.write_off_lines(
                outstanding=outstanding, allowance_available=credit - debit, member_id=loan.member_id
            ),
            memo=memo,
            source=loan,
            actor=actor,
        )
        loan.status, loan.written_off_on, loan.written_off_amount = LoanStatus.WRITTEN_OFF, date, outstanding
        loan.outstanding_principal = 0
        loan.save(update_fields=["status", "written_off_on", "written_off_amount", "outstanding_principal"])
        LoanTransaction.objects.create(
            cooperative=cooperative,
            loan=loan,
            type=LoanTxnType.HAPUS_BUKU,
            date=date,
            amount=0,
            principal=outstanding,
            outstanding_after=0,
            journal_entry=entry,
            memo=memo[:250],
            created_by=_actor_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="loans.write_off",
            cooperative=cooperative,
            target=loan,
            data={"loan": loan.number, "amount": outstanding, "proposed_by": proposal.decided_by_id, "role": role},
        )
    return loan


def loan_recover(
    *,
    cooperative: Cooperative,
    loan: Loan | int,
    amount: int,
    date: datetime.date,
    actor: Any,
    channel: str = RepaymentChannel.TUNAI,
    reference: str = "",
    idempotency_key: str | None = None,
) -> LoanTransaction:
    """Receive money on a written-off loan (other income), up to what was written off.

    Raises NotFound, ValidationError and Conflict (``loan_not_written_off``, ``amount_over_written_off``).
    """
    channel = _check_channel(channel, reference)
    key = _key(idempotency_key)
    amount = _amount(amount, "amount", "Jumlah penerimaan")
    with transaction.atomic():
        loan = _loan_locked(cooperative, loan)
        if (first := _existing(cooperative, key)) is not None:
            return first
        if loan.status != LoanStatus.WRITTEN_OFF:
            raise Conflict(f"Pinjaman {loan.number} tidak dihapusbukukan.", code="loan_not_written_off")
        date = _date(date, "date", "Tanggal penerimaan", not_before=loan.written_off_on)
        left = loan.written_off_amount - loan.recovered_amount
        if amount > left:
            raise Conflict(
                f"Sisa pinjaman yang dihapus buku {format_rupiah(left)}; diterima {format_rupiah(amount)}.",
                code="amount_over_written_off",
            )
        member = Member.objects.only("member_no", "name").get(pk=loan.member_id)
        memo = f"Penerimaan hapus buku {loan.number} {member.number} {member.name}"
        entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=postings.recovery_lines(channel=channel, amount=amount, member_id=loan.member_id),
            memo=memo,
            source=loan,
            idempotency_key=KEY_PREFIX + key if key else None,
            actor=actor,
        )
        loan.recovered_amount += amount
        loan.save(update_fields=["recovered_amount"])
        txn = LoanTransaction.objects.create(
            cooperative=cooperative,
            loan=loan,
            type=LoanTxnType.PEMULIHAN,
            date=date,
            amount=amount,
            channel=channel,
            reference=(reference or "").strip()[:60],
            outstanding_after=0,
            journal_entry=entry,
            idempotency_key=key,
            memo=memo[:250],
            created_by=_actor_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="loans.recover",
            cooperative=cooperative,
            target=txn,
            data={"loan": loan.number, "amount": amount},
        )
    return txn
