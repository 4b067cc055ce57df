"""HTML pages of loans for officers: list, application with simulation, loan detail and its
actions (approve, reject, disburse, repay, pay off, write off, recover), products, settings,
reports and the month-end run.

Each view: fetch the cooperative with the user's roles and check the action
(``cooperative_get_for_user``), parse a form, call one loans service or selector, render.
``NotFound`` and ``PermissionDenied`` raised before a form is read propagate to
``DomainErrorMiddleware`` (404 / 403); a service's ``ValidationError`` (422), ``Conflict``
(409) or ``PermissionDenied`` (403: the approver's role is not the one still needed) is
shown on the form with the entered values kept, and nothing is written.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.access import require
from koperasi.core.errors import Conflict, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.ledger import exports
from koperasi.ledger.periods import month_start
from koperasi.loans import calculations, reports, selectors, services
from koperasi.loans.calculations import ScheduleRow
from koperasi.loans.choices import (
    ApprovalDecision,
    ApprovalPurpose,
    Collectibility,
    DisbursementChannel,
    LoanStatus,
    RepaymentChannel,
)
from koperasi.loans.forms import (
    ApplicationForm,
    ApproveForm,
    DisburseForm,
    LoanFilterForm,
    LoanSettingForm,
    MonthEndForm,
    PayoffForm,
    PayoffQuoteForm,
    ProductForm,
    RecoveryForm,
    RejectForm,
    RepaymentForm,
    ReportDateForm,
    SimulationForm,
    WriteOffApproveForm,
    WriteOffProposeForm,
    new_key,
)
from koperasi.loans.models import Loan, LoanApproval, LoanInstallment, LoanProduct, LoanTransaction
from koperasi.loans.month_end import loans_month_end
from koperasi.loans.navigation import loan_nav_perms
from koperasi.members import selectors as member_selectors
from koperasi.members.models import Member
from koperasi.savings import selectors as savings_selectors
from koperasi.savings.forms import MemberSearchForm

GET_POST = require_http_methods(["GET", "POST"])
SEARCH_LIMIT = 20  # matches shown by the member search of the application page
PAGE_SIZE = 50  # loans per page of the list
REFUSED = (ValidationError, Conflict)
REFUSED_OR_FORBIDDEN = (ValidationError, Conflict, PermissionDenied)


# --- helpers ------------------------------------------------------------------------------
def _coop(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=action)


def _page(
    request: HttpRequest,
    template: str,
    cooperative: Cooperative,
    roles: frozenset[Role],
    active: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context = {"coop": cooperative, "loan_perms": loan_nav_perms(roles), "active": active, **context}
    return render(request, f"loans/{template}", context, status=status)


def _loan(coop: Cooperative, loan_id: int) -> Loan:
    loan = selectors.loan_get(cooperative=coop, loan_id=loan_id)
    loan.cooperative = coop  # already fetched: loan_position reads its settings without another query
    return loan


def _detail_url(coop: Cooperative, loan: Loan) -> str:
    return reverse("loans:detail", args=[coop.code, loan.pk])


def _receipt_url(coop: Cooperative, txn: LoanTransaction) -> str | None:
    """The receipt page of a transaction (``loans:receipt``), if that page exists."""
    try:
        return reverse("loans:receipt", args=[coop.code, txn.pk])
    except NoReverseMatch:
        return None


def _after_payment(request: HttpRequest, coop: Cooperative, loan: Loan, txn: LoanTransaction) -> HttpResponse:
    return redirect(_receipt_url(coop, txn) or _detail_url(coop, loan))


def _is_repeat(created_at: datetime.datetime, started: datetime.datetime) -> bool:
    """A write returned by its idempotency key was made before this request began."""
    return created_at < started


# --- list ---------------------------------------------------------------------------------
@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    """All loans, newest first, by status (tiles with counts) and a search by number or member name."""
    coop, roles = _coop(request, code, Action.LOANS_VIEW)
    form = LoanFilterForm(request.GET)
    form.is_valid()  # a filter that cannot be read is ignored; the others still apply
    status, query = form.cleaned_data.get("status", ""), form.cleaned_data.get("q", "")
    by_status: dict[str, tuple[int, int]] = {
        row["status"]: (row["count"], row["outstanding"] or 0)
        for row in selectors.loan_list(cooperative=coop)
        .order_by()
        .values("status")
        .annotate(count=Count("id"), outstanding=Sum("outstanding_principal"))
    }
    tiles = [
        {
            "value": value,
            "label": label,
            "count": by_status.get(value, (0, 0))[0],
            "active": status == value,
            "url": "?" + urlencode({"status": value, **({"q": query} if query else {})}),
        }
        for value, label in LoanStatus.choices
    ]
    page = Paginator(selectors.loan_list(cooperative=coop, status=status, query=query), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    base_query = urlencode({k: v for k, v in (("status", status), ("q", query)) if v})
    context: dict[str, Any] = {
        "form": form,
        "tiles": tiles,
        "total": sum(count for count, _ in by_status.values()),
        "active_outstanding": by_status.get(LoanStatus.ACTIVE, (0, 0))[1],
        "page": page,
        "base_query": base_query,
        "filtered": bool(status or query),
        "current_status": status,
    }
    template = "list.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template += "#results"
    response = _page(request, template, coop, roles, "list", **context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- application and simulation -----------------------------------------------------------
@dataclass(frozen=True)
class Simulation:
    """A schedule computed before the application is sent (nothing is written)."""

    product: LoanProduct | None
    principal: int
    term_months: int
    start: datetime.date | None
    rows: list[ScheduleRow]
    admin_fee: int = 0
    provision_fee: int = 0
    warnings: tuple[str, ...] = ()
    error: str = ""

    @property
    def total_principal(self) -> int:
        return sum(r.principal for r in self.rows)

    @property
    def total_interest(self) -> int:
        return sum(r.interest for r in self.rows)

    @property
    def total_installments(self) -> int:
        return sum(r.installment for r in self.rows)

    @property
    def fees(self) -> int:
        return self.admin_fee + self.provision_fee

    @property
    def paid_out(self) -> int:
        """What the member receives at disbursement (fees taken off, or paid in cash beside)."""
        if self.product is not None and self.product.fees_deducted:
            return self.principal - self.fees
        return self.principal

    @property
    def first_installment(self) -> int:
        return self.rows[0].installment if self.rows else 0


def _simulate(form: SimulationForm, products: dict[int, LoanProduct]) -> Simulation:
    """Compute the schedule of a valid simulation form with its product's method and rate."""
    data = form.cleaned_data
    product = products[data["product"]]
    principal, term = data["principal"], data["term_months"]
    empty = Simulation(product=product, principal=0, term_months=term or 0, start=data["applied_on"], rows=[])
    if not isinstance(principal, int) or principal <= 0:
        return _replace_error(empty, _("Jumlah pinjaman harus rupiah bulat lebih dari nol."))
    if not 1 <= term <= calculations.MAX_TERM_MONTHS:
        return _replace_error(empty, _("Jangka waktu harus 1–360 bulan."))
    warnings = []
    if not product.min_principal <= principal <= product.max_principal:
        warnings.append(
            _("Plafon produk %(low)s sampai %(high)s; pengajuan ini akan ditolak.")
            % {"low": format_rupiah(product.min_principal), "high": format_rupiah(product.max_principal)}
        )
    if not product.min_term_months <= term <= product.max_term_months:
        warnings.append(
            _("Jangka waktu produk %(low)s–%(high)s bulan; pengajuan ini akan ditolak.")
            % {"low": product.min_term_months, "high": product.max_term_months}
        )
    try:
        rows = calculations.loan_schedule(
            principal=principal,
            rate_pa=product.rate_pa,
            term_months=term,
            method=product.method,
            disbursed_on=data["applied_on"],
        )
    except (ValueError, OverflowError):  # a due date past the calendar's end (year 9999)
        return _replace_error(empty, _("Tanggal tidak dapat dipakai untuk jadwal; periksa tanggal pengajuan."))
    return Simulation(
        product=product,
        principal=principal,
        term_months=term,
        start=data["applied_on"],
        rows=rows,
        admin_fee=calculations.fee_amount(principal, product.admin_fee_percent, product.admin_fee_amount),
        provision_fee=calculations.fee_amount(principal, product.provision_percent, product.provision_amount),
        warnings=tuple(warnings),
    )


def _replace_error(simulation: Simulation, error: str) -> Simulation:
    return Simulation(
        product=simulation.product,
        principal=simulation.principal,
        term_months=simulation.term_months,
        start=simulation.start,
        rows=[],
        error=error,
    )


def _simulation_of(form: SimulationForm, products: dict[int, LoanProduct]) -> Simulation:
    if form.is_valid():
        return _simulate(form, products)
    problems = [
        f"{form.fields[name].label}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
    ]
    message = _("Lengkapi produk, jumlah, jangka waktu dan tanggal untuk melihat simulasi.")
    return Simulation(
        product=None, principal=0, term_months=0, start=None, rows=[], error=message, warnings=tuple(problems)
    )


def _apply_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    *,
    products: list[LoanProduct],
    member: Member | None,
    form: ApplicationForm | None,
    search_form: MemberSearchForm,
    matches: list[Member] | None = None,
    simulation: Simulation | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "products": products,
        "member": member,
        "form": form,
        "search_form": search_form,
        "matches": matches,
        "simulation": simulation,
        "search_limit": SEARCH_LIMIT,
    }
    if member is not None:
        context["savings"] = savings_selectors.savings_balances(cooperative=coop, member=member)
        context["member_loans"] = list(selectors.loan_list(cooperative=coop, member=member)[:10])
    return _page(request, "apply.html", coop, roles, "apply", status, **context)


@login_required
@GET_POST
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """The application: find a member (``?q=``), pick them (``?member=``), fill the terms, simulate, send."""
    coop, roles = _coop(request, code, Action.LOANS_APPLY)
    products = list(selectors.loan_product_list(cooperative=coop, active_only=True))
    if request.method == "POST":
        return _apply_post(request, coop, roles, products)
    search_form = MemberSearchForm(request.GET if "q" in request.GET else None)
    matches = None
    if search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"]:
        matches = list(
            member_selectors.member_list(cooperative=coop, search=search_form.cleaned_data["q"])[:SEARCH_LIMIT]
        )
    member = form = None
    if request.GET.get("member"):
        member = member_selectors.member_get(cooperative=coop, member_id=request.GET["member"])
        initial: dict[str, Any] = {
            "member": member.pk,
            "applied_on": timezone.localdate(),
            "idempotency_key": new_key(),
        }
        if len(products) == 1:
            initial["product"] = products[0].pk
        form = ApplicationForm(products=products, initial=initial)
    return _apply_page(
        request, coop, roles, products=products, member=member, form=form, search_form=search_form, matches=matches
    )


def _apply_post(
    request: HttpRequest, coop: Cooperative, roles: frozenset[Role], products: list[LoanProduct]
) -> HttpResponse:
    member = member_selectors.member_get(cooperative=coop, member_id=request.POST.get("member", ""))
    form = ApplicationForm(request.POST, products=products)
    by_id = {p.pk: p for p in products}
    if "simulate" in request.POST:  # the simulation without JavaScript: the same page, nothing written
        simulation = _simulation_of(form, by_id)
        return _apply_page(
            request,
            coop,
            roles,
            products=products,
            member=member,
            form=form,
            search_form=MemberSearchForm(),
            simulation=simulation,
        )
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        started = timezone.now()
        try:
            loan = services.loan_apply(
                cooperative=coop,
                member=member,
                product=data["product"],
                principal=data["principal"],
                term_months=data["term_months"],
                applied_on=data["applied_on"],
                purpose=data["purpose"],
                idempotency_key=data["idempotency_key"] or None,
                actor=request.user,
            )
        except REFUSED as exc:
            status = form_add_domain_error(form, exc)
        else:
            if _is_repeat(loan.created_at, started):
                messages.info(request, _("Pengajuan ini sudah tercatat; kiriman ganda diabaikan."))
            else:
                messages.success(
                    request,
                    _("Pengajuan %(loan)s untuk %(member)s dicatat: %(amount)s, %(term)s bulan.")
                    % {
                        "loan": loan.number,
                        "member": member,
                        "amount": format_rupiah(loan.principal),
                        "term": loan.term_months,
                    },
                )
            return redirect(_detail_url(coop, loan))
    return _apply_page(
        request,
        coop,
        roles,
        products=products,
        member=member,
        form=form,
        search_form=MemberSearchForm(),
        simulation=_simulation_of(form, by_id) if form.is_valid() else None,
        status=status,
    )


@login_required
@require_GET
def simulate(request: HttpRequest, code: str) -> HttpResponse:
    """The schedule of the terms typed so far (HTMX partial ``loans/_simulation.html``); nothing is written."""
    coop, _roles = _coop(request, code, Action.LOANS_APPLY)
    products = {p.pk: p for p in selectors.loan_product_list(cooperative=coop, active_only=True)}
    form = SimulationForm(request.GET, products=products.values())
    simulation = _simulation_of(form, products)
    return render(request, "loans/_simulation.html", {"coop": coop, "simulation": simulation})


# --- detail and actions -------------------------------------------------------------------
@dataclass(frozen=True)
class ScheduleLine:
    """One schedule row as the detail page shows it."""

    no: int
    due_date: datetime.date
    principal: int
    interest: int
    paid: int  # principal + interest paid
    penalty: int  # penalty charged so far
    penalty_paid: int
    waived: int
    status: str  # lunas | terlambat | jatuh_tempo | belum
    settled_on: datetime.date | None = None

    @property
    def installment(self) -> int:
        return self.principal + self.interest

    @property
    def left(self) -> int:
        return self.installment - self.waived - self.paid + self.penalty - self.penalty_paid

    @property
    def status_label(self) -> str:
        return str(SCHEDULE_STATUS[self.status])


SCHEDULE_STATUS = {
    "lunas": _("Lunas"),
    "terlambat": _("Terlambat"),
    "jatuh_tempo": _("Jatuh tempo hari ini"),
    "belum": _("Belum jatuh tempo"),
}


def _schedule_lines(loan: Loan, rows: list[LoanInstallment], today: datetime.date) -> list[ScheduleLine]:
    """The schedule rows with their status today; a penalty includes what a payment today would charge."""
    pending = selectors.penalties_pending(loan=loan, rows=rows, day=today) if loan.status == LoanStatus.ACTIVE else {}
    lines = []
    for row in rows:
        if row.settled:
            status = "lunas"
        elif row.due_date < today:
            status = "terlambat"
        elif row.due_date == today:
            status = "jatuh_tempo"
        else:
            status = "belum"
        lines.append(
            ScheduleLine(
                no=row.no,
                due_date=row.due_date,
                principal=row.principal_due,
                interest=row.interest_due,
                paid=row.principal_paid + row.interest_paid,
                penalty=row.penalty_accrued + pending.get(row.no, 0),
                penalty_paid=row.penalty_paid,
                waived=row.interest_waived,
                status=status,
                settled_on=row.settled_on,
            )
        )
    return lines


def _role_names(roles: Any, joiner: str) -> str:
    return joiner.join(Role(r).label.lower() for r in roles)


@dataclass(frozen=True)
class ApprovalState:
    history: list[LoanApproval]
    agreed: tuple[str, ...]
    needed_text: str  # "" when no further approval is needed
    can_approve: bool
    can_reject: bool


def _approval_state(loan: Loan, approvals: list[LoanApproval], roles: frozenset[Role], user: Any) -> ApprovalState:
    """Who approved the application, who still must, and whether this user may decide now."""
    history = [a for a in approvals if a.purpose == ApprovalPurpose.PINJAMAN]
    agreed = tuple(a.role for a in history if a.decision == ApprovalDecision.SETUJU)
    deciders = services.BOARD_APPROVERS if loan.needs_board else services.SMALL_LOAN_APPROVERS
    if loan.status != LoanStatus.APPLIED:
        needed: tuple[Role, ...] = ()
        needed_text = ""
    elif loan.needs_board:
        needed = tuple(r for r in services.BOARD_APPROVERS if r not in agreed)
        needed_text = _role_names(needed, _(" dan "))
    else:
        needed = deciders
        needed_text = _role_names(needed, _(" atau "))
    mine = any(a.decided_by_id == user.pk for a in history if a.decision == ApprovalDecision.SETUJU)
    may_decide = can(roles, Action.LOANS_APPROVE)
    return ApprovalState(
        history=history,
        agreed=agreed,
        needed_text=needed_text,
        can_approve=may_decide and not mine and any(r in roles for r in needed),
        can_reject=may_decide
        and loan.status in (LoanStatus.APPLIED, LoanStatus.APPROVED)
        and any(r in roles for r in deciders),
    )


def _disbursement(loan: Loan) -> dict[str, int]:
    fees = loan.admin_fee + loan.provision_fee
    return {
        "fees": fees,
        "paid_out": loan.principal - fees if loan.fees_deducted else loan.principal,
        "fees_in_cash": 0 if loan.fees_deducted else fees,
    }


def _detail_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    loan: Loan,
    *,
    bound: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    """The loan with its schedule, position, history and the forms the user may send in its status."""
    today = timezone.localdate()
    rows = selectors.loan_installments(loan=loan)
    position = selectors.loan_position(loan=loan, day=today, rows=rows)
    approvals = list(
        LoanApproval.objects.filter(cooperative=coop, loan=loan).select_related("decided_by").order_by("created_at")
    )
    approval = _approval_state(loan, approvals, roles, request.user)
    write_off = next((a for a in approvals if a.purpose == ApprovalPurpose.HAPUS_BUKU), None)
    may_write_off = can(roles, Action.LOANS_WRITE_OFF) and loan.status == LoanStatus.ACTIVE
    forms: dict[str, Any] = {}
    if approval.can_approve:
        forms["approve"] = ApproveForm()
    if approval.can_reject:
        forms["reject"] = RejectForm()
    if loan.status == LoanStatus.APPROVED and can(roles, Action.LOANS_DISBURSE):
        forms["disburse"] = DisburseForm(initial={"date": today, "channel": DisbursementChannel.TUNAI})
    if loan.status == LoanStatus.ACTIVE and can(roles, Action.LOANS_REPAY):
        prefill = position.due_now or position.next_installment
        forms["repay"] = RepaymentForm(
            initial={"amount": prefill, "date": today, "channel": RepaymentChannel.TUNAI, "idempotency_key": new_key()}
        )
    if may_write_off and write_off is None:
        forms["write_off_propose"] = WriteOffProposeForm()
    if may_write_off and write_off is not None and write_off.decided_by_id != request.user.pk:
        forms["write_off_approve"] = WriteOffApproveForm(initial={"date": today})
    recoverable = loan.written_off_amount - loan.recovered_amount
    if loan.status == LoanStatus.WRITTEN_OFF and can(roles, Action.LOANS_REPAY) and recoverable > 0:
        forms["recover"] = RecoveryForm(
            initial={
                "amount": recoverable,
                "date": today,
                "channel": RepaymentChannel.TUNAI,
                "idempotency_key": new_key(),
            }
        )
    forms.update(bound or {})
    projected: list[ScheduleRow] = []
    if loan.status in (LoanStatus.APPLIED, LoanStatus.APPROVED):
        projected = calculations.loan_schedule(
            principal=loan.principal,
            rate_pa=loan.rate_pa,
            term_months=loan.term_months,
            method=loan.method,
            disbursed_on=today,
        )
    lines = _schedule_lines(loan, rows, today)
    context: dict[str, Any] = {
        "loan": loan,
        "member": loan.member,
        "today": today,
        "schedule": lines,
        "schedule_totals": {
            "principal": sum(x.principal for x in lines),
            "interest": sum(x.interest for x in lines),
            "installment": sum(x.installment for x in lines),
            "paid": sum(x.paid for x in lines),
            "penalty": sum(x.penalty for x in lines),
            "waived": sum(x.waived for x in lines),
        },
        "projected": projected,
        "projected_interest": sum(r.interest for r in projected),
        "projected_total": sum(r.installment for r in projected),
        "position": position,
        "position_class": Collectibility(position.collectibility).label,
        "approval": approval,
        "write_off": write_off,
        "transactions": list(selectors.loan_transactions(loan=loan)),
        "disbursement": _disbursement(loan),
        "forms": forms,
        "can_payoff": loan.status == LoanStatus.ACTIVE and can(roles, Action.LOANS_REPAY),
        "can_view_ledger": can(roles, Action.LEDGER_VIEW),
        "can_view_member": can(roles, Action.MEMBERS_VIEW),
    }
    return _page(request, "detail.html", coop, roles, "list", status, **context)


@login_required
@require_GET
def detail(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    coop, roles = _coop(request, code, Action.LOANS_VIEW)
    return _detail_page(request, coop, roles, _loan(coop, loan_id))


@login_required
@require_POST
def approve(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Approve an application in the user's role (bendahara/ketua alone, or ketua and pengawas)."""
    coop, roles = _coop(request, code, Action.LOANS_APPROVE)
    loan = _loan(coop, loan_id)
    form = ApproveForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            loan = services.loan_approve(
                cooperative=coop, loan=loan, note=form.cleaned_data["note"], actor=request.user
            )
        except REFUSED_OR_FORBIDDEN as exc:
            status = form_add_domain_error(form, exc)
        else:
            if loan.status == LoanStatus.APPROVED:
                messages.success(request, _("Pinjaman %(loan)s disetujui; siap dicairkan.") % {"loan": loan.number})
            else:
                messages.success(
                    request,
                    _("Persetujuan Anda untuk %(loan)s dicatat; masih menunggu persetujuan berikutnya.")
                    % {"loan": loan.number},
                )
            return redirect(_detail_url(coop, loan))
    return _detail_page(request, coop, roles, _loan(coop, loan_id), bound={"approve": form}, status=status)


@login_required
@require_POST
def reject(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Reject an application (or cancel an approved loan not yet paid out), with the reason."""
    coop, roles = _coop(request, code, Action.LOANS_APPROVE)
    loan = _loan(coop, loan_id)
    form = RejectForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            loan = services.loan_reject(
                cooperative=coop, loan=loan, reason=form.cleaned_data["reason"], actor=request.user
            )
        except REFUSED_OR_FORBIDDEN as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Pinjaman %(loan)s ditolak.") % {"loan": loan.number})
            return redirect(_detail_url(coop, loan))
    return _detail_page(request, coop, roles, _loan(coop, loan_id), bound={"reject": form}, status=status)


@login_required
@require_POST
def disburse(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Pay an approved loan out in cash, by bank transfer or into the member's sukarela savings."""
    coop, roles = _coop(request, code, Action.LOANS_DISBURSE)
    loan = _loan(coop, loan_id)
    form = DisburseForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            loan = services.loan_disburse(
                cooperative=coop,
                loan=loan,
                date=data["date"],
                channel=data["channel"],
                reference=data["reference"],
                actor=request.user,
            )
        except REFUSED as exc:
            status = form_add_domain_error(form, exc)
        else:
            paid_out = _disbursement(loan)["paid_out"]
            messages.success(
                request,
                _("Pinjaman %(loan)s dicairkan %(amount)s (%(channel)s); jadwal angsuran dibuat.")
                % {
                    "loan": loan.number,
                    "amount": format_rupiah(paid_out),
                    "channel": loan.get_disbursement_channel_display().lower(),
                },
            )
            return redirect(_detail_url(coop, loan))
    return _detail_page(request, coop, roles, _loan(coop, loan_id), bound={"disburse": form}, status=status)


def _payment_message(request: HttpRequest, txn: LoanTransaction, started: datetime.datetime) -> None:
    if _is_repeat(txn.created_at, started):
        messages.info(request, _("Pembayaran ini sudah tercatat; kiriman ganda diabaikan."))
        return
    parts = _("pokok %(principal)s, bunga %(interest)s, denda %(penalty)s") % {
        "principal": format_rupiah(txn.principal),
        "interest": format_rupiah(txn.interest),
        "penalty": format_rupiah(txn.penalty),
    }
    messages.success(
        request,
        _("%(type)s %(amount)s dicatat (%(parts)s); sisa pokok %(left)s.")
        % {
            "type": txn.get_type_display(),
            "amount": format_rupiah(txn.amount),
            "parts": parts,
            "left": format_rupiah(txn.outstanding_after),
        },
    )


def _take_payment(
    request: HttpRequest, code: str, loan_id: int, form_class: Any, service: Any, bound_key: str
) -> HttpResponse:
    """Parse a payment form, call ``service`` (repayment or recovery), then show its receipt."""
    coop, roles = _coop(request, code, Action.LOANS_REPAY)
    loan = _loan(coop, loan_id)
    form = form_class(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        started = timezone.now()
        try:
            txn = service(
                cooperative=coop,
                loan=loan,
                amount=data["amount"],
                date=data["date"],
                channel=data["channel"],
                reference=data["reference"],
                idempotency_key=data["idempotency_key"] or None,
                actor=request.user,
            )
        except REFUSED as exc:
            status = form_add_domain_error(form, exc)
        else:
            _payment_message(request, txn, started)
            return _after_payment(request, coop, loan, txn)
    return _detail_page(request, coop, roles, _loan(coop, loan_id), bound={bound_key: form}, status=status)


@login_required
@require_POST
def repay(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Take a repayment: penalty, interest, principal, oldest instalment first; then its receipt."""
    return _take_payment(request, code, loan_id, RepaymentForm, services.loan_repay, "repay")


def _payoff_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    loan: Loan,
    *,
    day: datetime.date,
    quote_form: PayoffQuoteForm,
    form: PayoffForm | None = None,
    status: int = 200,
) -> HttpResponse:
    position = selectors.loan_position(loan=loan, day=day) if loan.status == LoanStatus.ACTIVE else None
    quote = position.payoff if position is not None else None
    today = timezone.localdate()
    if form is None and quote is not None and day <= today:
        form = PayoffForm(
            initial={
                "date": day,
                "expected_total": quote.total,
                "channel": RepaymentChannel.TUNAI,
                "idempotency_key": new_key(),
            }
        )
    return _page(
        request,
        "payoff.html",
        coop,
        roles,
        "list",
        status,
        loan=loan,
        day=day,
        today=today,
        quote=quote,
        position=position,
        quote_form=quote_form,
        form=form,
    )


@login_required
@GET_POST
def payoff(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Quote an early payoff for a date (GET ``?date=``) and take it at the quoted total (POST)."""
    coop, roles = _coop(request, code, Action.LOANS_REPAY)
    loan = _loan(coop, loan_id)
    today = timezone.localdate()
    if request.method == "GET":
        quote_form = PayoffQuoteForm(request.GET if "date" in request.GET else None, initial={"date": today})
        day = quote_form.cleaned_data["date"] if quote_form.is_bound and quote_form.is_valid() else today
        status = 422 if quote_form.is_bound and not quote_form.is_valid() else 200
        return _payoff_page(request, coop, roles, loan, day=day, quote_form=quote_form, status=status)
    form = PayoffForm(request.POST)
    status = 422
    day = today
    if form.is_valid():
        data = form.cleaned_data
        day = data["date"]
        started = timezone.now()
        try:
            txn = services.loan_payoff(
                cooperative=coop,
                loan=loan,
                date=data["date"],
                expected_total=data["expected_total"],
                channel=data["channel"],
                reference=data["reference"],
                idempotency_key=data["idempotency_key"] or None,
                actor=request.user,
            )
        except REFUSED as exc:
            if isinstance(exc, Conflict) and exc.code == "payoff_changed":
                # A fresh quote: the same form with the new total, so a second confirmation goes through.
                form = PayoffForm({**request.POST.dict(), "expected_total": exc.detail["amount"][0]})
                form.is_valid()
            status = form_add_domain_error(form, exc)
        else:
            _payment_message(request, txn, started)
            return _after_payment(request, coop, loan, txn)
    loan = _loan(coop, loan_id)
    if day > today:
        day = today
    quote_form = PayoffQuoteForm(initial={"date": day})
    return _payoff_page(request, coop, roles, loan, day=day, quote_form=quote_form, form=form, status=status)


@login_required
@require_POST
def write_off_propose(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Propose writing the loan off (ketua or pengawas); the other must approve."""
    coop, roles = _coop(request, code, Action.LOANS_WRITE_OFF)
    loan = _loan(coop, loan_id)
    form = WriteOffProposeForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.loan_write_off_propose(
                cooperative=coop, loan=loan, reason=form.cleaned_data["reason"], actor=request.user
            )
        except REFUSED_OR_FORBIDDEN as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Usulan hapus buku %(loan)s dicatat; menunggu persetujuan ketua atau pengawas yang lain.")
                % {"loan": loan.number},
            )
            return redirect(_detail_url(coop, loan))
    return _detail_page(request, coop, roles, _loan(coop, loan_id), bound={"write_off_propose": form}, status=status)


@login_required
@require_POST
def write_off_approve(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Approve a proposed write-off as the other of ketua and pengawas; the receivable is removed."""
    coop, roles = _coop(request, code, Action.LOANS_WRITE_OFF)
    loan = _loan(coop, loan_id)
    form = WriteOffApproveForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            loan = services.loan_write_off_approve(
                cooperative=coop, loan=loan, date=form.cleaned_data["date"], actor=request.user
            )
        except REFUSED_OR_FORBIDDEN as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Pinjaman %(loan)s dihapusbukukan: %(amount)s.")
                % {"loan": loan.number, "amount": format_rupiah(loan.written_off_amount)},
            )
            return redirect(_detail_url(coop, loan))
    return _detail_page(request, coop, roles, _loan(coop, loan_id), bound={"write_off_approve": form}, status=status)


@login_required
@require_POST
def recover(request: HttpRequest, code: str, loan_id: int) -> HttpResponse:
    """Money received on a written-off loan (other income), up to what was written off."""
    return _take_payment(request, code, loan_id, RecoveryForm, services.loan_recover, "recover")


# --- products -----------------------------------------------------------------------------
@login_required
@require_GET
def products(request: HttpRequest, code: str) -> HttpResponse:
    """The loan products with their terms (every loan officer reads them; the board changes them)."""
    coop, roles = _coop(request, code, Action.LOANS_VIEW)
    return _page(
        request,
        "products.html",
        coop,
        roles,
        "products",
        products=list(selectors.loan_product_list(cooperative=coop)),
    )


def _product_form_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    form: ProductForm,
    product: LoanProduct | None,
    status: int = 200,
) -> HttpResponse:
    return _page(request, "product_form.html", coop, roles, "products", status, form=form, product=product)


@login_required
@GET_POST
def product_new(request: HttpRequest, code: str) -> HttpResponse:
    coop, roles = _coop(request, code, Action.LOANS_SETTINGS)
    if request.method == "GET":
        form = ProductForm(
            initial={
                "method": "flat",
                "min_term_months": 1,
                "min_principal": 100_000,
                "fees_deducted": True,
                "members_only": True,
                "is_active": True,
                "grace_days": 0,
            }
        )
        return _product_form_page(request, coop, roles, form, None)
    form = ProductForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            product = services.loan_product_create(cooperative=coop, data=form.cleaned_data, actor=request.user)
        except REFUSED as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Produk %(name)s disimpan.") % {"name": product.name})
            return redirect("loans:products", coop.code)
    return _product_form_page(request, coop, roles, form, None, status)


@login_required
@GET_POST
def product_edit(request: HttpRequest, code: str, product_id: int) -> HttpResponse:
    coop, roles = _coop(request, code, Action.LOANS_SETTINGS)
    product = selectors.loan_product_get(cooperative=coop, product_id=product_id)
    if request.method == "GET":
        return _product_form_page(request, coop, roles, ProductForm(initial=ProductForm.initial_from(product)), product)
    form = ProductForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            product = services.loan_product_update(
                cooperative=coop, product=product, data=form.cleaned_data, actor=request.user
            )
        except REFUSED as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Produk %(name)s diubah; pinjaman yang sudah diajukan tetap memakai syarat lamanya.")
                % {"name": product.name},
            )
            return redirect("loans:products", coop.code)
    return _product_form_page(request, coop, roles, form, product, status)


# --- settings -----------------------------------------------------------------------------
@login_required
@GET_POST
def settings_page(request: HttpRequest, code: str) -> HttpResponse:
    """The loan rules in force and their history (GET); a new row from a date (POST, the board)."""
    coop, roles = _coop(request, code, Action.LOANS_VIEW)
    today = timezone.localdate()
    in_force = selectors.loan_setting_in_force(cooperative=coop, day=today)
    form = None
    status = 200
    if request.method == "POST":
        require(roles, Action.LOANS_SETTINGS)
        form = LoanSettingForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                setting = services.loan_setting_create(cooperative=coop, data=form.cleaned_data, actor=request.user)
            except REFUSED as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Pengaturan pinjaman yang berlaku mulai %(date)s disimpan.")
                    % {"date": f"{setting.effective_from:%d/%m/%Y}"},
                )
                return redirect("loans:settings", coop.code)
    elif can(roles, Action.LOANS_SETTINGS):
        rules = in_force.rules
        form = LoanSettingForm(
            initial={
                "effective_from": today,
                "approval_limit": in_force.approval_limit,
                "kurang_lancar_after": rules.kurang_lancar_after,
                "diragukan_after": rules.diragukan_after,
                "macet_after": rules.macet_after,
                "rate_lancar": rules.rate_lancar,
                "rate_kurang_lancar": rules.rate_kurang_lancar,
                "rate_diragukan": rules.rate_diragukan,
                "rate_macet": rules.rate_macet,
            }
        )
    return _page(
        request,
        "settings.html",
        coop,
        roles,
        "settings",
        status,
        in_force=in_force,
        history=list(selectors.loan_setting_list(cooperative=coop).select_related("created_by")),
        form=form,
        today=today,
    )


# --- month-end ----------------------------------------------------------------------------
@login_required
@GET_POST
def month_end(request: HttpRequest, code: str) -> HttpResponse:
    """The month-end runs (GET) and running one date (POST): penalties, classes, the allowance."""
    coop, roles = _coop(request, code, Action.LOANS_BATCH)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = MonthEndForm(request.POST)
        status = 422
        if form.is_valid():
            started = timezone.now()
            try:
                run = loans_month_end(cooperative=coop, date=form.cleaned_data["date"], actor=request.user)
            except REFUSED as exc:
                status = form_add_domain_error(form, exc)
            else:
                values = {
                    "date": f"{run.date:%d/%m/%Y}",
                    "count": run.loans_classified,
                    "penalty": format_rupiah(run.penalty_accrued),
                    "allowance": format_rupiah(run.allowance_required),
                }
                if _is_repeat(run.created_at, started):
                    messages.info(request, _("Tutup bulan %(date)s sudah dijalankan sebelumnya.") % values)
                else:
                    messages.success(
                        request,
                        _(
                            "Tutup bulan %(date)s selesai: %(count)s pinjaman diklasifikasi, denda %(penalty)s, "
                            "PPAP wajib %(allowance)s."
                        )
                        % values,
                    )
                return redirect(reverse("loans:month_end", args=[coop.code]) + f"#run-{run.date:%Y-%m-%d}")
    else:
        form = MonthEndForm(initial={"date": month_start(today) - datetime.timedelta(days=1)})
    runs = list(selectors.month_end_list(cooperative=coop).select_related("journal_entry", "created_by"))
    return _page(
        request,
        "month_end.html",
        coop,
        roles,
        "month_end",
        status,
        runs=[(run, _run_classes(run)) for run in runs],
        form=form,
        can_view_ledger=can(roles, Action.LEDGER_VIEW),
    )


def _run_classes(run: Any) -> list[dict[str, Any]]:
    """The per-class figures stored with a run, in class order, with their labels."""
    summary = run.summary or {}
    return [
        {"label": label, **{"count": 0, "outstanding": 0, "allowance": 0, **summary.get(value, {})}}
        for value, label in Collectibility.choices
    ]


# --- reports ------------------------------------------------------------------------------
WEEK_DAYS = 7
REPORT_FIRST_DAY = datetime.date(1900, 1, 1)
REPORT_LAST_DAY = datetime.date(2999, 12, 31)


def _number(rate: Decimal) -> int | float:
    """A percentage as an Excel number: whole when it is whole (10), else a float (0.5)."""
    return int(rate) if rate == rate.to_integral_value() else float(rate)


def _portfolio_xlsx(coop: Cooperative, result: reports.Portfolio, day: datetime.date) -> HttpResponse:
    rows = [
        exports.Row([row.label, row.count, row.outstanding, _number(row.rate), row.allowance]) for row in result.rows
    ]
    rows += [
        exports.Row(
            [_("Jumlah"), result.total_count, result.total_outstanding, "", result.allowance_required], "total"
        ),
        exports.Row([_("Pinjaman bermasalah (NPL)"), "", result.npl_outstanding, _number(result.npl_ratio), ""]),
        exports.Row([_("PPAP tercatat di buku"), "", "", "", result.allowance_booked]),
        exports.Row([_("Kekurangan (kelebihan) PPAP"), "", "", "", result.allowance_shortfall]),
    ]
    table = exports.Table(
        sheet_title=_("Portofolio"),
        headers=[_("Kolektibilitas"), _("Pinjaman"), _("Sisa pokok"), _("Tarif PPAP (%)"), _("PPAP wajib")],
        rows=rows,
        widths=[30, 12, 18, 12, 18],
        name_column=1,
    )
    return _xlsx(coop, _("Portofolio pinjaman menurut kolektibilitas"), table, day, "portofolio-pinjaman")


def _arrears_xlsx(coop: Cooperative, rows: list[reports.ArrearsRow], day: datetime.date) -> HttpResponse:
    labels = dict(Collectibility.choices)
    table = exports.Table(
        sheet_title=_("Tunggakan pinjaman"),
        headers=[
            _("No. pinjaman"),
            _("No. anggota"),
            _("Nama"),
            _("Telepon"),
            _("Hari tunggakan"),
            _("Kolektibilitas"),
            _("Jumlah tertunggak"),
        ],
        rows=[
            exports.Row(
                [
                    r.loan_number,
                    r.member_no,
                    r.member_name,
                    r.phone,
                    r.days_past_due,
                    str(labels.get(r.collectibility, r.collectibility)),
                    r.overdue_amount,
                ]
            )
            for r in rows
        ]
        + [
            exports.Row(
                [
                    "",
                    "",
                    _("Jumlah: %(count)s pinjaman") % {"count": len(rows)},
                    "",
                    "",
                    "",
                    sum(r.overdue_amount for r in rows),
                ],
                "total",
            )
        ],
        widths=[14, 12, 32, 18, 14, 16, 18],
        name_column=3,
    )
    return _xlsx(coop, _("Tunggakan pinjaman"), table, day, "tunggakan-pinjaman")


def _xlsx(coop: Cooperative, title: str, table: exports.Table, day: datetime.date, slug: str) -> HttpResponse:
    content = exports.workbook_bytes(
        cooperative=coop, title=title, period_label=_("Per %(date)s") % {"date": f"{day:%d/%m/%Y}"}, table=table
    )
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{slug}-{coop.code}-{day:%Y%m%d}.xlsx"'
    return response


@login_required
@require_GET
def reports_page(request: HttpRequest, code: str) -> HttpResponse:
    """Portfolio by collectibility with the NPL ratio, aging, arrears with reminders, repayments due this week.

    ``?day=`` shows another day; ``?format=xlsx&tabel=tunggakan`` or ``tabel=portofolio`` downloads Excel.
    """
    coop, roles = _coop(request, code, Action.LOANS_VIEW)
    today = timezone.localdate()
    form = ReportDateForm(request.GET if "day" in request.GET else None)
    day = today
    status = 200
    if form.is_bound:
        chosen = (form.cleaned_data["day"] or today) if form.is_valid() else None
        if chosen is not None and not REPORT_FIRST_DAY <= chosen <= REPORT_LAST_DAY:
            form.add_error("day", _("Tanggal laporan harus antara 01/01/1900 dan 31/12/2999."))
            chosen = None
        if chosen is None:
            status = 422
        else:
            day = chosen
    if request.GET.get("format") == "xlsx" and status == 200:
        if request.GET.get("tabel") == "portofolio":
            return _portfolio_xlsx(coop, reports.portfolio(cooperative=coop, day=day), day)
        return _arrears_xlsx(coop, reports.arrears(cooperative=coop, day=day), day)
    week_end = day + datetime.timedelta(days=WEEK_DAYS - 1)
    arrears_rows = reports.arrears(cooperative=coop, day=day)
    due_rows = reports.due_between(cooperative=coop, start=day, end=week_end)
    labels = dict(Collectibility.choices)
    day_query = f"day={day:%Y-%m-%d}&" if day != today else ""
    return _page(
        request,
        "reports.html",
        coop,
        roles,
        "reports",
        status,
        form=form if form.is_bound else ReportDateForm(initial={"day": today}),
        day=day,
        today=today,
        week_end=week_end,
        portfolio=reports.portfolio(cooperative=coop, day=day),
        aging=reports.aging(cooperative=coop, day=day),
        arrears=[(row, labels.get(row.collectibility, row.collectibility)) for row in arrears_rows],
        arrears_total=sum(r.overdue_amount for r in arrears_rows),
        due=due_rows,
        due_total=sum(r.amount_left for r in due_rows),
        day_query=day_query,
        can_repay=can(roles, Action.LOANS_REPAY),
    )
