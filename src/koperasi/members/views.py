"""HTML pages of the member registry: list, Excel export, registration, detail, edit, exit, portal login.

Each view: fetch the cooperative with the user's roles and check the action
(``cooperative_get_for_user``), parse a form, call one service or selector, render.
``NotFound`` and ``PermissionDenied`` propagate to ``DomainErrorMiddleware`` (404 / 403);
``ValidationError`` (422) and ``Conflict`` (409) are shown on the form with the entered
values kept. Another cooperative's member id is "not found" (``member_get``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.loans import selectors as loan_selectors
from koperasi.members import exports, selectors, services
from koperasi.members.choices import Gender, MemberStatus
from koperasi.members.forms import ExitForm, MemberFilterForm, MemberForm, PortalAccountForm, PortalLinkForm
from koperasi.members.identity import IdentityError, nik_mask, nik_parse
from koperasi.members.models import Member
from koperasi.members.navigation import nav_perms
from koperasi.regions.selectors import village_list
from koperasi.savings import selectors as savings_selectors
from koperasi.savings import services as savings_services
from koperasi.savings.choices import Channel, SavingsKind

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 50
RECENT_TRANSACTIONS = 10
PREVIEW_PARAM = "pratinjau"  # ?pratinjau=nik&nik=…: the HTMX preview of what a NIK encodes


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
    return render(request, f"members/{template}", context, status=status)


def _detail_url(cooperative: Cooperative, member: Member) -> str:
    return reverse("members:detail", args=[cooperative.code, member.pk])


@dataclass(frozen=True)
class NikPreview:
    """What a typed NIK tells, or why it is not valid (shown beside the form)."""

    nik: str
    gender: str = ""
    birth_date: datetime.date | None = None
    age: int | None = None
    error: str = ""


def _nik_preview(value: str, today: datetime.date) -> NikPreview | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        info = nik_parse(value, today=today)
    except IdentityError as exc:
        return NikPreview(nik=value, error=str(exc))
    return NikPreview(
        nik=info.nik, gender=str(Gender(info.gender).label), birth_date=info.birth_date, age=info.age_on(today)
    )


def _villages(cooperative: Cooperative) -> Any:
    """The kelurahan/desa of the cooperative's kota (or kabupaten), kecamatan joined."""
    return village_list(within=cooperative.kelurahan_id[:5]).select_related("parent")


def _member_form(cooperative: Cooperative, data: Any = None, member: Member | None = None) -> MemberForm:
    today = timezone.localdate()
    if member is None:
        initial: dict[str, Any] = {"kelurahan_code": cooperative.kelurahan_id, "joined_on": today}
    else:
        initial = {
            "nik": member.nik,
            "kk": member.kk,
            "name": member.name,
            "birth_place": member.birth_place,
            "address": member.address,
            "kelurahan_code": member.kelurahan_id,
            "phone": member.phone,
            "occupation": member.occupation,
            "joined_on": member.joined_on,
        }
    villages = list(_villages(cooperative))
    extra = None
    if member is not None and member.kelurahan_id not in {v.code for v in villages}:
        extra = (member.kelurahan_id, member.kelurahan.name)
    preview_url = reverse("members:new", args=[cooperative.code])
    return MemberForm(data, initial=initial, villages=villages, extra_village=extra, preview_url=preview_url)


def _preview_for(form: MemberForm) -> NikPreview | None:
    value = form.data.get("nik") if form.is_bound else form.initial.get("nik")
    return _nik_preview(str(value or ""), timezone.localdate())


def _nik_preview_response(request: HttpRequest) -> HttpResponse:
    preview = _nik_preview(request.GET.get("nik", ""), timezone.localdate())
    return render(request, "members/_reg_nik_preview.html", {"preview": preview})


# --- list and export ------------------------------------------------------------------------
@dataclass(frozen=True)
class ListRow:
    member: Member
    age: int


def _filtered(cooperative: Cooperative, request: HttpRequest) -> tuple[MemberFilterForm, Any]:
    form = MemberFilterForm(request.GET)
    form.is_valid()  # an unknown status or an over-long search is shown and left out
    chosen = form.cleaned_data
    members = selectors.member_list(
        cooperative=cooperative, status=chosen.get("status") or "", search=chosen.get("q") or ""
    )
    return form, members


@login_required
@require_GET
def member_list_view(request: HttpRequest, code: str) -> HttpResponse:
    """The registry by member number, filtered by status and a search, 50 a page."""
    coop, roles = _coop(request, code, Action.MEMBERS_VIEW)
    filter_form, members = _filtered(coop, request)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    rows = [ListRow(member=m, age=m.age_on(today)) for m in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return _page(
        request,
        "list.html",
        coop,
        roles,
        "members",
        422 if filter_form.errors else 200,
        page=page,
        rows=rows,
        filter_form=filter_form,
        query=query.urlencode(),
        can_manage=can(roles, Action.MEMBERS_MANAGE),
    )


@login_required
@require_GET
def member_export(request: HttpRequest, code: str) -> HttpResponse:
    """The filtered registry as .xlsx, full NIK and KK, with each member's savings balances."""
    coop, _roles = _coop(request, code, Action.MEMBERS_VIEW)
    _form, members = _filtered(coop, request)
    balances = selectors.member_savings_balances(cooperative=coop, members=members)
    today = timezone.localdate()
    content = exports.members_workbook(
        members=members.iterator(chunk_size=2000), balances=balances, today=today, title=_("Anggota")
    )
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="anggota-{coop.code}-{today:%Y%m%d}.xlsx"'
    return response


# --- register and edit ----------------------------------------------------------------------
@login_required
@GET_POST
def member_new(request: HttpRequest, code: str) -> HttpResponse:
    """Register a calon anggota; ``?pratinjau=nik`` returns what a NIK encodes (HTMX)."""
    coop, roles = _coop(request, code, Action.MEMBERS_MANAGE)
    if request.method == "GET" and request.GET.get(PREVIEW_PARAM) == "nik":
        return _nik_preview_response(request)
    form = _member_form(coop, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                member = services.member_register(cooperative=coop, data=form.cleaned_data, actor=request.user)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                pokok = savings_selectors.savings_setting_in_force(cooperative=coop, day=timezone.localdate())
                messages.success(
                    request,
                    _(
                        "%(name)s terdaftar sebagai calon anggota no. %(number)s. Keanggotaan aktif setelah "
                        "simpanan pokok %(amount)s dibayar."
                    )
                    % {"name": member.name, "number": member.number, "amount": format_rupiah(pokok.pokok_amount)},
                )
                return redirect(_detail_url(coop, member))
    return _page(request, "form.html", coop, roles, "new", status, form=form, member=None, preview=_preview_for(form))


@login_required
@GET_POST
def member_edit(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """Correct a member's details; the number and status stay."""
    coop, roles = _coop(request, code, Action.MEMBERS_MANAGE)
    member = selectors.member_get(cooperative=coop, member_id=member_id)
    form = _member_form(coop, request.POST or None, member=member)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            if not data.get("joined_on"):
                data.pop("joined_on")  # an emptied date keeps the recorded one (the service reads "" as today)
            try:
                saved = services.member_update(cooperative=coop, member=member, data=data, actor=request.user)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Data anggota no. %(number)s disimpan.") % {"number": saved.number})
                return redirect(_detail_url(coop, saved))
    return _page(
        request, "form.html", coop, roles, "members", status, form=form, member=member, preview=_preview_for(form)
    )


# --- detail ---------------------------------------------------------------------------------
@login_required
@require_GET
def member_detail(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """A member's identity, status history, savings, recent transactions and wajib bills."""
    coop, roles = _coop(request, code, Action.MEMBERS_VIEW)
    member = selectors.member_get(cooperative=coop, member_id=member_id)
    today = timezone.localdate()
    balances = savings_selectors.savings_balances(cooperative=coop, member=member)
    recent = list(
        savings_selectors.savings_transactions(cooperative=coop, member=member).reverse()[:RECENT_TRANSACTIONS]
    )
    refund = None
    refund_id = request.GET.get("pengembalian", "")
    if refund_id.isdigit():
        found = savings_selectors.savings_transaction_get(cooperative=coop, txn_id=int(refund_id))
        refund = found if found is not None and found.member_id == member.pk else None
    can_manage = can(roles, Action.MEMBERS_MANAGE)
    can_view_loans = can(roles, Action.LOANS_VIEW)
    pokok_amount = 0
    if member.status == MemberStatus.CALON:
        pokok_amount = savings_selectors.savings_setting_in_force(cooperative=coop, day=today).pokok_amount
    return _page(
        request,
        "detail.html",
        coop,
        roles,
        "members",
        member=member,
        age=member.age_on(today),
        nik_shown=member.nik if can_manage else member.nik_masked,
        kk_shown=member.kk if can_manage else nik_mask(member.kk),
        history=list(selectors.member_history(member=member)),
        balances=[(SavingsKind(kind), balances[kind]) for kind in SavingsKind.values],
        balance_total=balances["total"],
        recent=recent,
        wajib=savings_selectors.wajib_summary(cooperative=coop, member=member, today=today),
        refund=refund,
        pokok_amount=pokok_amount,
        can_manage=can_manage,
        can_exit=can(roles, Action.MEMBER_EXIT) and member.is_current,
        can_portal_account=can_manage and member.user_id is None and member.is_current,
        can_transact=can(roles, Action.SAVINGS_TRANSACT) and member.is_current,
        can_view_savings=can(roles, Action.SAVINGS_VIEW),
        can_set_wajib=can(roles, Action.SAVINGS_SETTINGS) and member.is_current,
        wajib_amount=savings_selectors.wajib_amount_for(cooperative=coop, member=member, day=today),
        loans=list(loan_selectors.loan_list(cooperative=coop, member=member)) if can_view_loans else None,
        can_apply_loan=can(roles, Action.LOANS_APPLY) and member.is_current,
    )


# --- exit -----------------------------------------------------------------------------------
@login_required
@GET_POST
def member_exit_view(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """End a membership: form and calculation, then a confirmation with the same figures, then settle.

    The confirmation carries the net payout it showed; if the calculation changed in
    between, the service refuses (409) and the page shows the new figures.
    """
    coop, roles = _coop(request, code, Action.MEMBER_EXIT)
    member = selectors.member_get(cooperative=coop, member_id=member_id)
    form = ExitForm(request.POST or None, initial={"date": timezone.localdate()})
    status = 200
    confirming = False
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            if request.POST.get("confirm") == "1" and data["expected_payout"] is not None:
                try:
                    _ended, refund = savings_services.member_exit(
                        cooperative=coop,
                        member=member,
                        status=data["status"],
                        date=data["date"],
                        reason=data["reason"],
                        channel=data["channel"],
                        reference=data["reference"],
                        expected_payout=data["expected_payout"],
                        actor=request.user,
                    )
                except (ValidationError, Conflict) as exc:
                    status = form_add_domain_error(form, exc)
                else:
                    messages.success(
                        request,
                        _("Keanggotaan no. %(number)s berakhir (%(status)s).")
                        % {"number": member.number, "status": MemberStatus(data["status"]).label.lower()},
                    )
                    url = _detail_url(coop, member)
                    return redirect(f"{url}?pengembalian={refund.pk}" if refund is not None else url)
            else:
                confirming = True
                status = 200
    quote = savings_selectors.member_exit_quote(cooperative=coop, member=member)
    chosen = {}
    if confirming:
        # The figures the officer confirms; a changed calculation is refused by the service.
        form = ExitForm({**request.POST.dict(), "expected_payout": quote.net_payout})
        form.is_valid()
        chosen = {
            "status": MemberStatus(form.cleaned_data["status"]).label,
            "channel": Channel(form.cleaned_data["channel"]).label,
        }
    return _page(
        request,
        "exit.html",
        coop,
        roles,
        "members",
        status,
        member=member,
        form=form,
        quote=quote,
        balances=[(SavingsKind(kind), quote.balances.get(kind, 0)) for kind in SavingsKind.values],
        confirming=confirming,
        chosen=chosen,
    )


# --- portal login ---------------------------------------------------------------------------
@login_required
@GET_POST
def member_portal_account(request: HttpRequest, code: str, member_id: int) -> HttpResponse:
    """Give a member a login to the member portal: a new one, or one of this cooperative's users."""
    coop, roles = _coop(request, code, Action.MEMBERS_MANAGE)
    member = selectors.member_get(cooperative=coop, member_id=member_id)
    linking = request.method == "POST" and "link_username" in request.POST
    form = PortalAccountForm(request.POST if request.method == "POST" and not linking else None)
    link_form = PortalLinkForm(request.POST if linking else None)
    status = 200
    if linking:
        status = 422
        if link_form.is_valid():
            username = link_form.cleaned_data["link_username"]
            user = selectors.cooperative_user_by_username(cooperative=coop, username=username)
            try:
                services.member_user_link(cooperative=coop, member=member, user=user, actor=request.user)
            except (ValidationError, Conflict) as exc:
                status = exc.status
                link_form.add_error("link_username", exc.message)
            else:
                messages.success(
                    request,
                    _("Pengguna '%(username)s' dihubungkan dengan anggota no. %(number)s.")
                    % {"username": username, "number": member.number},
                )
                return redirect(_detail_url(coop, member))
    elif request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                user = services.member_portal_account_create(
                    cooperative=coop,
                    member=member,
                    username=form.cleaned_data["username"],
                    password=form.cleaned_data["password"],
                    actor=request.user,
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Akun portal '%(username)s' dibuat untuk anggota no. %(number)s.")
                    % {"username": user.username, "number": member.number},
                )
                return redirect(_detail_url(coop, member))
    return _page(
        request, "portal_account.html", coop, roles, "members", status, member=member, form=form, link_form=link_form
    )
