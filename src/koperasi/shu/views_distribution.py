"""The approved SHU: members' shares, payments, the Excel of all members, slips, the member portal.

Officers' pages under ``/k/<coop-code>/shu/<year>/``:

- ``distribution``: the RAT's decision, the SHU shared and the non-member part, every pool
  with its base and rounding remainder, the payment summary, the members (paginated, search
  by number or name, ``?unpaid=1``) and "Bayar semua".
- ``distribution_excel``: every member's share as .xlsx (``shu.exports``).
- ``pay_all`` (POST): ``services.shu_pay_all``; the message says how many were paid, how
  much, and who was skipped and why.
- ``share_detail``: one member's share explained (``shu.documents.share_explain``), with
  the pay form; ``share_pay`` (POST): ``services.shu_pay``; ``share_slip_pdf``: the slip.

Reading needs ``SHU_VIEW``; paying needs ``SHU_PAY``. Whoever may pay may also open the
pages that pay (the kasir pays SHU at the counter but has no ``SHU_VIEW``); the Excel of all
members stays with ``SHU_VIEW``. Another cooperative's share, a share of another year in
the URL and a year without an approved SHU are "not found".

The member portal under ``/k/<coop-code>/saya/shu/``: ``portal_shu`` lists the member's own
SHU of every distributed year with the explanation and the slip (``portal_slip_pdf``); a
member sees only their own, anyone else gets 404 (as in ``savings.views_portal``).

``NotFound`` and ``PermissionDenied`` propagate to the middleware (404 / 403); a refused
payment (already paid, member not active, a date before the RAT) is shown on the form with
its status and nothing is written.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.ledger.pdf import PDF_CONTENT_TYPE
from koperasi.members.models import Member
from koperasi.members.navigation import nav_perms
from koperasi.members.selectors import member_for_user
from koperasi.shu import documents, exports, selectors, services
from koperasi.shu.choices import PaymentMethod
from koperasi.shu.forms import PaymentForm
from koperasi.shu.models import ShuDistribution, ShuMemberShare
from koperasi.shu.navigation import shu_nav_perms

PAGE_SIZE = 50
MAX_ID = 2**63 - 1
SEARCH_MAX = 60
SKIPPED_SHOWN = 20  # skipped members named in the "Bayar semua" message; the rest are counted


def _payment_form(data: Any = None) -> PaymentForm:
    return PaymentForm(data, initial={"date": timezone.localdate(), "method": PaymentMethod.CASH})


# --- Access --------------------------------------------------------------------------------------
def _shu_coop(request: HttpRequest, code: str, *actions: Action) -> tuple[Cooperative, frozenset[Role]]:
    """Return the cooperative and the user's roles if one of ``actions`` is allowed.

    Raises NotFound (no such cooperative, or none of the user's) and PermissionDenied.
    """
    coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_VIEW)
    if not any(can(roles, action) for action in actions):
        raise PermissionDenied()
    return coop, roles


def _year(year: int) -> int:
    if not services.YEAR_MIN <= year <= services.YEAR_MAX:
        raise NotFound("Tahun buku tidak ditemukan.")
    return year


def _distribution(coop: Cooperative, year: int) -> ShuDistribution:
    distribution = selectors.distribution_get(cooperative=coop, year=_year(year))
    if distribution is None:
        raise NotFound(f"SHU tahun {year} belum disahkan RAT.", code="shu_not_distributed")
    return distribution


def _share(coop: Cooperative, year: int, share_id: int) -> ShuMemberShare:
    """Return the share ``share_id`` of ``year``. Raises NotFound (another year, cooperative or no such share)."""
    if not 0 < share_id <= MAX_ID:
        raise NotFound("Bagian SHU anggota tidak ditemukan.")
    share = selectors.member_share_get(cooperative=coop, share_id=share_id)
    if share.distribution.year != _year(year):
        raise NotFound("Bagian SHU anggota tidak ditemukan.")
    return share


# --- The distribution page -----------------------------------------------------------------------
def _search(request: HttpRequest) -> str:
    return request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX]


def _filtered(shares: QuerySet[ShuMemberShare], search: str, unpaid: bool) -> QuerySet[ShuMemberShare]:
    if unpaid:
        shares = shares.filter(paid_on__isnull=True, total__gt=0)
    if search:
        match = Q(member__name__icontains=search)
        if search.isdigit() and len(search) <= 9:
            match |= Q(member__member_no=int(search))
        shares = shares.filter(match)
    return shares


def _distribution_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    distribution: ShuDistribution,
    pay_form: PaymentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    search = _search(request)
    unpaid = request.GET.get("unpaid") == "1"
    shares = _filtered(selectors.distribution_shares(cooperative=coop, distribution=distribution), search, unpaid)
    page = Paginator(shares, PAGE_SIZE).get_page(request.GET.get("page"))
    unit_names = selectors.unit_codes(cooperative=coop)
    perms = shu_nav_perms(roles)
    summary = selectors.payment_summary(cooperative=coop, distribution=distribution)
    context = {
        "coop": coop,
        "shu_perms": perms,
        "active": "distribution",
        "year": distribution.year,
        "d": distribution,
        "pools": documents.pool_rows(distribution, unit_names),
        "non_member_destination": documents.non_member_destination_label(distribution),
        "summary": summary,
        "page": page,
        "search": search,
        "unpaid": unpaid,
        "filtered": bool(search or unpaid),
        "base_query": urlencode({k: v for k, v in {"q": search, "unpaid": "1" if unpaid else ""}.items() if v}),
        "can_pay": can(roles, Action.SHU_PAY),
        "can_view_ledger": can(roles, Action.LEDGER_VIEW),
        "pay_form": pay_form or _payment_form(),
        "entry": distribution.allocation_entry,
    }
    return render(request, "shu/distribution.html", context, status=status)


@login_required
@require_GET
def distribution(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The approved SHU of ``year``: decision, pools, payments, the members' shares and "Bayar semua"."""
    coop, roles = _shu_coop(request, code, Action.SHU_VIEW, Action.SHU_PAY)
    return _distribution_page(request, coop, roles, _distribution(coop, year))


@login_required
@require_GET
def distribution_excel(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Every member's SHU of ``year`` as an Excel workbook (one query for the shares, whatever their number)."""
    coop, _roles = _shu_coop(request, code, Action.SHU_VIEW)
    distribution = _distribution(coop, year)
    shares = selectors.distribution_shares(cooperative=coop, distribution=distribution)
    content = exports.distribution_xlsx(
        cooperative=coop,
        distribution=distribution,
        shares=shares.iterator(chunk_size=2000),
        unit_names=selectors.unit_codes(cooperative=coop),
        actor=request.user,
    )
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.xlsx_filename(coop, distribution)}"'
    response["Cache-Control"] = "no-store"  # members' names and amounts
    return response


def _pay_all_message(request: HttpRequest, result: services.PayAllResult) -> None:
    if result.paid:
        messages.success(request, f"SHU {result.paid} anggota dibayar, seluruhnya {format_rupiah(result.amount)}.")
    elif not result.skipped:
        messages.info(request, "Tidak ada SHU anggota yang belum dibayar.")
    if result.skipped:
        named = "; ".join(f"{number}: {reason}" for number, reason in result.skipped[:SKIPPED_SHOWN])
        more = len(result.skipped) - SKIPPED_SHOWN
        tail = f"; dan {more} anggota lainnya" if more > 0 else ""
        messages.warning(request, f"{len(result.skipped)} anggota dilewati dan belum dibayar — {named}{tail}.")


@login_required
@require_POST
def pay_all(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Pay every unpaid member share of ``year`` in cash or into sukarela; skipped members are listed."""
    coop, roles = _shu_coop(request, code, Action.SHU_PAY)
    distribution = _distribution(coop, year)
    form = _payment_form(request.POST)
    if not form.is_valid():
        return _distribution_page(request, coop, roles, distribution, form, status=422)
    try:
        result = services.shu_pay_all(
            cooperative=coop,
            distribution=distribution,
            method=form.cleaned_data["method"],
            date=form.cleaned_data["date"],
            actor=request.user,
        )
    except (ValidationError, Conflict) as exc:
        status = form_add_domain_error(form, exc)
        return _distribution_page(request, coop, roles, distribution, form, status=status)
    _pay_all_message(request, result)
    return redirect("shu:distribution", coop.code, distribution.year)


# --- One member's share --------------------------------------------------------------------------
def _share_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    share: ShuMemberShare,
    pay_form: PaymentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    unit_names = selectors.unit_codes(cooperative=coop)
    context = {
        "coop": coop,
        "shu_perms": shu_nav_perms(roles),
        "active": "distribution",
        "year": share.distribution.year,
        "share": share,
        "member": share.member,
        "d": share.distribution,
        "x": documents.share_explain(share.distribution, share, unit_names),
        "can_pay": can(roles, Action.SHU_PAY) and not share.is_paid and share.total > 0,
        "can_view_ledger": can(roles, Action.LEDGER_VIEW),
        "pay_form": pay_form or _payment_form(),
    }
    return render(request, "shu/share.html", context, status=status)


@login_required
@require_GET
def share_detail(request: HttpRequest, code: str, year: int, share_id: int) -> HttpResponse:
    """One member's SHU of ``year`` explained part by part, its payment, and the pay form."""
    coop, roles = _shu_coop(request, code, Action.SHU_VIEW, Action.SHU_PAY)
    return _share_page(request, coop, roles, _share(coop, year, share_id))


@login_required
@require_POST
def share_pay(request: HttpRequest, code: str, year: int, share_id: int) -> HttpResponse:
    """Pay one member's SHU (cash or into sukarela); a refusal is shown on the form."""
    coop, roles = _shu_coop(request, code, Action.SHU_PAY)
    share = _share(coop, year, share_id)
    form = _payment_form(request.POST)
    if not form.is_valid():
        return _share_page(request, coop, roles, share, form, status=422)
    try:
        paid = services.shu_pay(
            cooperative=coop,
            share=share,
            method=form.cleaned_data["method"],
            date=form.cleaned_data["date"],
            actor=request.user,
        )
    except (ValidationError, Conflict) as exc:
        status = form_add_domain_error(form, exc)
        return _share_page(request, coop, roles, share, form, status=status)
    how = "ke simpanan sukarela" if paid.payment_method == PaymentMethod.SUKARELA else "tunai"
    messages.success(
        request,
        f"SHU {paid.distribution.year} anggota no. {paid.member.number} ({paid.member.name}) "
        f"{format_rupiah(paid.total)} dibayar {how} pada {paid.paid_on:%d/%m/%Y}.",
    )
    return redirect("shu:share", coop.code, paid.distribution.year, paid.pk)


def _slip_response(coop: Cooperative, share: ShuMemberShare) -> HttpResponse:
    content = documents.slip_pdf(cooperative=coop, share=share, unit_names=selectors.unit_codes(cooperative=coop))
    response = HttpResponse(content, content_type=PDF_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{documents.slip_filename(coop, share)}"'
    return response


@login_required
@require_GET
def share_slip_pdf(request: HttpRequest, code: str, year: int, share_id: int) -> HttpResponse:
    """The member's SHU slip as a PDF."""
    coop, _roles = _shu_coop(request, code, Action.SHU_VIEW, Action.SHU_PAY)
    return _slip_response(coop, _share(coop, year, share_id))


# --- The member portal ---------------------------------------------------------------------------
def _portal_member(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role], Member]:
    """Return the cooperative, the user's roles and their membership. Raises NotFound."""
    try:
        coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.PORTAL_VIEW)
    except PermissionDenied:
        raise NotFound("Halaman ini hanya untuk anggota koperasi.") from None
    member = member_for_user(cooperative=coop, user=request.user)
    if member is None:
        raise NotFound("Akun Anda belum terhubung dengan data anggota koperasi ini.")
    return coop, roles, member


@login_required
@require_GET
def portal_shu(request: HttpRequest, code: str) -> HttpResponse:
    """The member's own SHU of every distributed year, explained, with the slips; what is still awaited."""
    coop, roles, member = _portal_member(request, code)
    shares = list(selectors.member_shares(cooperative=coop, member=member))
    unit_names = selectors.unit_codes(cooperative=coop) if shares else {}
    got = {share.distribution.year for share in shares}
    years = selectors.year_list(cooperative=coop)
    context = {
        "coop": coop,
        "member": member,
        "nav_perms": nav_perms(roles),
        "active": "portal_shu",
        "items": [(share, documents.share_explain(share.distribution, share, unit_names)) for share in shares],
        "awaiting_rat": [row.year for row in years if row.is_closed and row.distribution is None],
        "without_share": [
            row.year
            for row in years
            if row.distribution is not None and row.year not in got and row.year >= member.joined_on.year
        ],
    }
    return render(request, "shu/portal.html", context)


@login_required
@require_GET
def portal_slip_pdf(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The member's own SHU slip of ``year``; 404 when the member has none that year."""
    coop, _roles, member = _portal_member(request, code)
    share = selectors.member_shares(cooperative=coop, member=member).filter(distribution__year=_year(year)).first()
    if share is None:
        raise NotFound("Slip SHU tidak ditemukan.")
    share.member = member
    return _slip_response(coop, share)
