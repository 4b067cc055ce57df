"""HTML pages of savings for officers: teller, wajib arrears, settings, interest, reconciliation, summary.

Each view: fetch the cooperative with the user's roles and check the action
(``cooperative_get_for_user``), parse a form, call one savings service or selector,
render. ``NotFound`` and ``PermissionDenied`` propagate to ``DomainErrorMiddleware``
(404 / 403); ``ValidationError`` (422) and ``Conflict`` (409) are shown on the form with
the entered values kept.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.access import require
from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.ledger import exports
from koperasi.members import selectors as member_selectors
from koperasi.members.choices import MemberStatus
from koperasi.members.models import Member
from koperasi.members.navigation import nav_perms
from koperasi.savings import reminders, selectors, services
from koperasi.savings.calculations import month_start
from koperasi.savings.choices import SavingsKind, TxnType
from koperasi.savings.forms import (
    InterestRunForm,
    MemberSearchForm,
    ReverseForm,
    SettingForm,
    TellerForm,
    WajibAmountForm,
    WajibBillsForm,
    month_value,
)
from koperasi.savings.selectors import Arrears

GET_POST = require_http_methods(["GET", "POST"])
SEARCH_LIMIT = 20  # matches shown by the teller's member search
RECENT_TRANSACTIONS = 5  # the selected member's latest transactions shown beside the form


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
    context = {"coop": cooperative, "nav_perms": nav_perms(roles), "active": active, **context}
    return render(request, f"savings/{template}", context, status=status)


def _month_label(month: Any) -> str:
    return date_format(month, "F Y")


# --- summary ------------------------------------------------------------------------------
@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    """Savings at a glance: balances per kind, today's counter, links to the savings pages."""
    coop, roles = _coop(request, code, Action.SAVINGS_VIEW)
    today = timezone.localdate()
    totals = selectors.savings_kind_totals(cooperative=coop)
    return _page(
        request,
        "home.html",
        coop,
        roles,
        "savings",
        totals=totals,
        grand_total=sum(t.balance for t in totals),
        day=selectors.savings_day_summary(cooperative=coop, day=today),
        today=today,
    )


# --- teller -------------------------------------------------------------------------------
def _teller_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    *,
    member: Member | None,
    form: TellerForm | None,
    search_form: MemberSearchForm,
    matches: list[Member] | None = None,
    status: int = 200,
) -> HttpResponse:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "member": member,
        "form": form,
        "search_form": search_form,
        "matches": matches,
        "setting": selectors.savings_setting_in_force(cooperative=coop, day=today),
        "kinds": SavingsKind,
        "directions": TxnType,
    }
    if member is not None:
        context["balances"] = selectors.savings_balances(cooperative=coop, member=member)
        context["recent"] = list(
            selectors.savings_transactions(cooperative=coop, member=member).reverse()[:RECENT_TRANSACTIONS]
        )
    return _page(request, "teller.html", coop, roles, "teller", status, **context)


def _teller_initial(request: HttpRequest, coop: Cooperative, member: Member) -> dict[str, Any]:
    """The form's first values: from ``?kind=&direction=``, pokok for a calon anggota, a fresh key."""
    today = timezone.localdate()
    kind = request.GET.get("kind", "")
    if kind not in SavingsKind.values:
        kind = SavingsKind.POKOK if member.status == MemberStatus.CALON else SavingsKind.WAJIB
    direction = request.GET.get("direction", "")
    if direction not in (TxnType.SETOR, TxnType.TARIK):
        direction = TxnType.SETOR
    initial: dict[str, Any] = {
        "member": member.pk,
        "kind": kind,
        "direction": direction,
        "date": today,
        "channel": "tunai",
        "idempotency_key": TellerForm.new_key(),
    }
    if kind == SavingsKind.POKOK and direction == TxnType.SETOR:
        initial["amount"] = selectors.savings_setting_in_force(cooperative=coop, day=today).pokok_amount
    return initial


@login_required
@GET_POST
def transaction_new(request: HttpRequest, code: str) -> HttpResponse:
    """The teller: find a member (``?q=``), pick them (``?member=``), record a deposit or withdrawal."""
    coop, roles = _coop(request, code, Action.SAVINGS_TRANSACT)
    if request.method == "POST":
        return _teller_post(request, coop, roles)
    search_form = MemberSearchForm(request.GET if "q" in request.GET else None)
    matches = None
    if search_form.is_bound and search_form.is_valid() and search_form.cleaned_data["q"]:
        matches = list(
            member_selectors.member_list(cooperative=coop, search=search_form.cleaned_data["q"])[:SEARCH_LIMIT]
        )
    member = None
    form = None
    if request.GET.get("member"):
        member = member_selectors.member_get(cooperative=coop, member_id=request.GET["member"])
        form = TellerForm(initial=_teller_initial(request, coop, member))
    return _teller_page(request, coop, roles, member=member, form=form, search_form=search_form, matches=matches)


def _teller_post(request: HttpRequest, coop: Cooperative, roles: frozenset[Role]) -> HttpResponse:
    member = member_selectors.member_get(cooperative=coop, member_id=request.POST.get("member", ""))
    form = TellerForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        record = services.savings_deposit if data["direction"] == TxnType.SETOR else services.savings_withdraw
        started = timezone.now()
        try:
            txn = record(
                cooperative=coop,
                member=member,
                kind=data["kind"],
                amount=data["amount"],
                date=data["date"],
                channel=data["channel"],
                reference=data["reference"],
                memo=data["memo"],
                idempotency_key=data["idempotency_key"] or None,
                actor=request.user,
            )
        except (ValidationError, Conflict) as exc:
            status = form_add_domain_error(form, exc)
        else:
            if txn.created_at < started:
                messages.info(request, _("Transaksi ini sudah tercatat; kiriman ganda diabaikan."))
            else:
                messages.success(
                    request,
                    _("%(type)s %(kind)s %(amount)s untuk %(member)s dicatat; saldo %(balance)s.")
                    % {
                        "type": txn.get_type_display(),
                        "kind": txn.get_kind_display().lower(),
                        "amount": format_rupiah(txn.amount),
                        "member": member,
                        "balance": format_rupiah(txn.balance_after),
                    },
                )
            return redirect(reverse("savings:receipt", args=[coop.code, txn.pk]))
    return _teller_page(request, coop, roles, member=member, form=form, search_form=MemberSearchForm(), status=status)


# --- wajib arrears and bills --------------------------------------------------------------
def _arrears_rows(coop: Cooperative, rows: list[Arrears]) -> list[dict[str, Any]]:
    """Each arrears row with its WhatsApp reminder link ("" without a phone)."""
    return [
        {
            "arrears": row,
            "whatsapp": reminders.whatsapp_link(
                row.member.phone,
                reminders.wajib_reminder_text(coop.name, row.member.name, row.months, row.amount, row.oldest),
            ),
        }
        for row in rows
    ]


def _arrears_xlsx(coop: Cooperative, rows: list[Arrears], today: datetime.date) -> HttpResponse:
    table = exports.Table(
        sheet_title=_("Tunggakan wajib"),
        headers=[_("No. anggota"), _("Nama"), _("Telepon"), _("Bulan tertunggak"), _("Jumlah"), _("Sejak bulan")],
        rows=[
            exports.Row([r.member.number, r.member.name, r.member.phone, r.months, r.amount, _month_label(r.oldest)])
            for r in rows
        ]
        + [
            exports.Row(
                ["", _("Jumlah: %(count)s anggota") % {"count": len(rows)}, "", "", sum(r.amount for r in rows), ""],
                "total",
            )
        ],
        widths=[12, 36, 18, 16, 16, 18],
    )
    content = exports.workbook_bytes(
        cooperative=coop,
        title=_("Tunggakan simpanan wajib"),
        period_label=_("Per %(date)s") % {"date": f"{today:%d/%m/%Y}"},
        table=table,
    )
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="tunggakan-wajib-{coop.code}-{today:%Y%m%d}.xlsx"'
    return response


@login_required
@GET_POST
def arrears(request: HttpRequest, code: str) -> HttpResponse:
    """Members behind on simpanan wajib with WhatsApp reminders (GET, ``?format=xlsx``); issue bills (POST)."""
    coop, roles = _coop(request, code, Action.SAVINGS_VIEW)
    today = timezone.localdate()
    form = None
    status = 200
    if request.method == "POST":
        require(roles, Action.SAVINGS_BATCH)
        form = WajibBillsForm(request.POST)
        status = 422
        if form.is_valid():
            month = form.cleaned_data["month"]
            try:
                issued = services.wajib_bills_issue(cooperative=coop, month=month, actor=request.user)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                if issued:
                    messages.success(
                        request,
                        _("Tagihan wajib %(month)s: %(count)s tagihan baru diterbitkan.")
                        % {"month": _month_label(month), "count": issued},
                    )
                else:
                    messages.info(
                        request,
                        _("Tagihan wajib %(month)s sudah diterbitkan sebelumnya; tidak ada tagihan baru.")
                        % {"month": _month_label(month)},
                    )
                return redirect("savings:arrears", coop.code)
    elif can(roles, Action.SAVINGS_BATCH):
        form = WajibBillsForm(initial={"month": month_value(month_start(today))})
    rows = selectors.wajib_arrears(cooperative=coop, today=today)
    if request.method == "GET" and request.GET.get("format") == "xlsx":
        return _arrears_xlsx(coop, rows, today)
    return _page(
        request,
        "arrears.html",
        coop,
        roles,
        "arrears",
        status,
        rows=_arrears_rows(coop, rows),
        total_members=len(rows),
        total_amount=sum(r.amount for r in rows),
        form=form,
        today=today,
    )


# --- settings -----------------------------------------------------------------------------
@login_required
@GET_POST
def settings_page(request: HttpRequest, code: str) -> HttpResponse:
    """The savings rules in force and their history (GET); a new row from a date (POST)."""
    coop, roles = _coop(request, code, Action.SAVINGS_VIEW)
    today = timezone.localdate()
    in_force = selectors.savings_setting_in_force(cooperative=coop, day=today)
    form = None
    status = 200
    if request.method == "POST":
        require(roles, Action.SAVINGS_SETTINGS)
        form = SettingForm(request.POST)
        status = 422
        if form.is_valid():
            try:
                setting = services.savings_setting_create(cooperative=coop, actor=request.user, **form.cleaned_data)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Pengaturan simpanan yang berlaku mulai %(date)s disimpan.")
                    % {"date": f"{setting.effective_from:%d/%m/%Y}"},
                )
                return redirect("savings:settings", coop.code)
    elif can(roles, Action.SAVINGS_SETTINGS):
        form = SettingForm(
            initial={
                "effective_from": today,
                "pokok_amount": in_force.pokok_amount,
                "wajib_amount": in_force.wajib_amount,
                "wajib_due_day": in_force.wajib_due_day,
                "sukarela_rate_pa": in_force.sukarela_rate_pa,
                "sukarela_min_balance": in_force.sukarela_min_balance,
                "transaction_limit": in_force.transaction_limit,
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
        history=list(selectors.savings_setting_list(cooperative=coop)),
        form=form,
        today=today,
    )


# --- sukarela interest --------------------------------------------------------------------
@login_required
@GET_POST
def interest(request: HttpRequest, code: str) -> HttpResponse:
    """The month-end interest runs (GET) and running one month (POST)."""
    coop, roles = _coop(request, code, Action.SAVINGS_BATCH)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = InterestRunForm(request.POST)
        status = 422
        if form.is_valid():
            month = form.cleaned_data["month"]
            started = timezone.now()
            try:
                run = services.interest_month_post(cooperative=coop, month=month, actor=request.user)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                values = {
                    "month": _month_label(run.month),
                    "count": run.accounts_paid,
                    "total": format_rupiah(run.total_interest),
                }
                if run.created_at < started:
                    messages.info(
                        request,
                        _("Bunga %(month)s sudah dibukukan sebelumnya (%(count)s rekening, %(total)s).") % values,
                    )
                else:
                    messages.success(
                        request, _("Bunga %(month)s dibukukan: %(count)s rekening, total %(total)s.") % values
                    )
                return redirect("savings:interest", coop.code)
    else:
        last_month = month_start(month_start(today) - datetime.timedelta(days=1))
        form = InterestRunForm(initial={"month": month_value(last_month)})
    return _page(
        request,
        "interest.html",
        coop,
        roles,
        "interest",
        status,
        runs=list(selectors.interest_run_list(cooperative=coop)),
        setting=selectors.savings_setting_in_force(cooperative=coop, day=today),
        form=form,
        can_view_ledger=can(roles, Action.LEDGER_VIEW),
    )


# --- control accounts ---------------------------------------------------------------------
@login_required
@require_GET
def reconcile(request: HttpRequest, code: str) -> HttpResponse:
    """Each savings control account in the books beside the sum of the members' balances."""
    coop, roles = _coop(request, code, Action.SAVINGS_VIEW)
    rows = selectors.savings_reconcile(cooperative=coop)
    return _page(
        request,
        "reconcile.html",
        coop,
        roles,
        "reconcile",
        rows=rows,
        all_agree=all(r.difference == 0 for r in rows),
        today=timezone.localdate(),
    )


# --- a member's own wajib -----------------------------------------------------------------
@login_required
@GET_POST
def wajib_amount(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """Set one member's monthly wajib ("need not be equal for all members", domain.md §1.1)."""
    coop, roles = _coop(request, code, Action.SAVINGS_SETTINGS)
    member = member_selectors.member_get(cooperative=coop, member_id=member_id)
    today = timezone.localdate()
    own, billed = selectors.wajib_amount_for(cooperative=coop, member=member, day=today)
    form = WajibAmountForm(request.POST or None, initial={"wajib_amount": own or ""})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.wajib_amount_set(
                    cooperative=coop, member=member, amount=form.cleaned_data["wajib_amount"], actor=request.user
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                saved = _("Simpanan wajib anggota no. %(number)s disimpan.") % {"number": member.number}
                messages.success(request, saved)
                return redirect(reverse("members:detail", args=[coop.code, member.pk]))
    setting = selectors.savings_setting_in_force(cooperative=coop, day=today)
    return _page(
        request,
        "wajib_amount.html",
        coop,
        roles,
        "members",
        status,
        member=member,
        form=form,
        own=own,
        billed=billed,
        setting_amount=setting.wajib_amount,
    )


# --- corrections --------------------------------------------------------------------------
@login_required
@GET_POST
def transaction_reverse(request: HttpRequest, code: str, txn_id: int) -> HttpResponse:
    """Cancel a wrong deposit or withdrawal with the opposite transaction (bendahara)."""
    coop, roles = _coop(request, code, Action.SAVINGS_CORRECT)
    txn = selectors.savings_transaction_get(cooperative=coop, txn_id=txn_id) if txn_id < 2**63 else None
    if txn is None:
        raise NotFound("Transaksi tidak ditemukan.")
    form = ReverseForm(request.POST or None, initial={"date": timezone.localdate()})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                correction = services.savings_transaction_reverse(
                    cooperative=coop,
                    txn=txn,
                    reason=form.cleaned_data["reason"],
                    date=form.cleaned_data["date"],
                    actor=request.user,
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Koreksi dicatat; saldo sudah disesuaikan."))
                return redirect(reverse("savings:receipt", args=[coop.code, correction.pk]))
    return _page(request, "reverse.html", coop, roles, "teller", status, txn=txn, form=form)
