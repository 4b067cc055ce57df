"""Pages of the years, the close wizard, reopening, the policy, simulations and the RAT approval.

Each view: fetch the cooperative with the user's roles and check the action
(``cooperative_get_for_user``: SHU_VIEW to read; SHU_CLOSE, SHU_REOPEN, SHU_SETTINGS,
SHU_SIMULATE, SHU_APPROVE to act), parse a form, call one ``shu`` service or selector,
render. ``NotFound`` and ``PermissionDenied`` raised before a form is read propagate to
``DomainErrorMiddleware`` (404 / 403); a service's ``ValidationError`` (422), ``Conflict``
(409) or, when reopening, ``PermissionDenied`` (403: the same person or role on both sides)
is shown on the page with the entered values kept, and nothing is written. A write that
succeeds redirects (POST-redirect-GET) with a message. A simulation writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.access import require
from koperasi.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.savings.choices import SavingsKind
from koperasi.shu import calculations, selectors, services
from koperasi.shu.calculations import AllocationLine, ShuResult
from koperasi.shu.choices import MEMBER_POOLS, Basis, NonMemberDestination, Pool, ReopenStatus, YearStatus
from koperasi.shu.forms import (
    AllocationForm,
    ApproveForm,
    PolicyForm,
    ReasonForm,
    SimulateForm,
    YearCloseForm,
    allocation_initial,
    row_count,
)
from koperasi.shu.models import FiscalYear
from koperasi.shu.navigation import shu_nav_perms

GET_POST = require_http_methods(["GET", "POST"])
REFUSED = (ValidationError, Conflict)
TOP_MEMBERS = 100  # members listed in a simulation's result, biggest SHU first

# What to do about each reason a year cannot be closed, and where (blockers' codes: shu.selectors).
BLOCKER_HELP: dict[str, tuple[str, str]] = {
    "year_not_over": (gettext_noop("Tutup buku dilakukan setelah 31 Desember."), ""),
    "previous_year_open": (gettext_noop("Tutup buku tahun sebelumnya lebih dulu."), "previous_year"),
    "periods_open": (
        gettext_noop("Tutup setiap bulan di halaman Periode pembukuan setelah laporan bulanannya selesai."),
        "ledger:periods",
    ),
    "cashier_sessions_open": (
        gettext_noop("Tutup dan rekonsiliasi sesi kasir itu: hitung uang laci dan catat selisihnya."),
        "shop:sessions",
    ),
    "ledger_verify_failed": (
        gettext_noop("Periksa buku besar; hubungi pengelola sistem bila pemeriksaan tetap gagal."),
        "ledger:verify",
    ),
}
LINK_TEXT = {
    "previous_year": gettext_noop("Buka tahun buku sebelumnya"),
    "ledger:periods": gettext_noop("Ke Periode pembukuan"),
    "shop:sessions": gettext_noop("Ke Sesi kasir"),
    "ledger:verify": gettext_noop("Ke Verifikasi buku"),
}


# --- helpers ------------------------------------------------------------------------------
def _shu(request: HttpRequest, code: str, action: Action) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=action)


def _page(
    request: HttpRequest,
    template: str,
    coop: Cooperative,
    roles: frozenset[Role],
    active: str,
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context = {"coop": coop, "shu_perms": shu_nav_perms(roles), "active": active, **context}
    return render(request, f"shu/{template}", context, status=status)


def _year(year: int) -> int:
    """A year from the URL; one outside the books' range is simply not found."""
    try:
        return services.year_check(year)
    except ValidationError:
        raise NotFound(_("Tahun buku tidak dikenal.")) from None


def _put_error(form: forms.Form, error: DomainError) -> int:
    """Show a service's refusal on the form: per row or field where its key names one, else on top."""
    if not isinstance(error, ValidationError) or not isinstance(error.detail, dict) or not error.detail:
        return form_add_domain_error(form, error)
    resolve = getattr(form, "field_for", None)
    for key, problems in error.detail.items():
        if key == "percent_sum":  # the sum is in the message of the "allocation" key too
            continue
        name = resolve(str(key)) if resolve else (str(key) if str(key) in form.fields else None)
        for message in problems if isinstance(problems, list) else [problems]:
            form.add_error(name, str(message))
    return error.status


def _unit_choices(coop: Cooperative) -> list[tuple[str, str]]:
    return list(selectors.unit_codes(cooperative=coop).items())


def _pool_name(line: AllocationLine, unit_names: dict[str, str]) -> str:
    """``Jasa usaha anggota — Gerai sembako (belanja di gerai)``, ``Dana pengurus``, a lainnya's own name."""
    name = calculations.pool_name(line.pool, unit=line.unit, label=line.label, unit_names=unit_names)
    if line.pool == Pool.JASA_USAHA:
        basis = str(Basis(line.basis).label).lower() if line.basis in Basis.values else line.basis
        return f"{name} ({basis})"
    return name


def _policy_rows(lines: tuple[AllocationLine, ...], unit_names: dict[str, str]) -> list[dict[str, Any]]:
    return [
        {"name": _pool_name(line, unit_names), "percent": calculations.format_percent(line.percent)} for line in lines
    ]


def _kind_labels(kinds: Any) -> list[str]:
    return [str(SavingsKind(k).label) if k in SavingsKind.values else str(k) for k in kinds]


# --- the years ----------------------------------------------------------------------------
@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    """The years with their status, surplus (members / non-members once closed) and SHU."""
    coop, roles = _shu(request, code, Action.SHU_VIEW)
    rows = selectors.year_list(cooperative=coop)
    return _page(request, "home.html", coop, roles, "years", rows=rows, today=timezone.localdate())


def _blockers(coop: Cooperative, year: int) -> list[dict[str, str]]:
    rows = []
    for blocker in selectors.year_close_blockers(cooperative=coop, year=year):
        help_text, target = BLOCKER_HELP.get(blocker.code, ("", ""))
        if target == "previous_year":
            url = reverse("shu:year", args=[coop.code, year - 1])
        elif target:
            url = reverse(target, args=[coop.code])
        else:
            url = ""
        rows.append(
            {
                "code": blocker.code,
                "message": blocker.message,
                "help": _(help_text) if help_text else "",
                "url": url,
                "link_text": _(LINK_TEXT[target]) if target else "",
            }
        )
    return rows


def _year_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    year: int,
    status: int = 200,
    error: str = "",
    close_form: YearCloseForm | None = None,
    reason_form: ReasonForm | None = None,
) -> HttpResponse:
    fiscal_year = selectors.fiscal_year_get(cooperative=coop, year=year)
    closed = fiscal_year is not None and fiscal_year.is_closed
    requests = list(selectors.reopen_requests(cooperative=coop, fiscal_year=fiscal_year)) if fiscal_year else []
    context: dict[str, Any] = {
        "year": year,
        "fiscal_year": fiscal_year,
        "closed": closed,
        "reopened": fiscal_year is not None and fiscal_year.status == YearStatus.OPEN,
        "error": error,
        "pending": next((r for r in requests if r.status == ReopenStatus.PENDING), None),
        "requests": requests,
        "can_ledger": can(roles, Action.LEDGER_VIEW),
    }
    if closed:
        assert fiscal_year is not None
        context.update(
            distribution=selectors.distribution_get(cooperative=coop, year=year),
            figures=fiscal_year,
            split=fiscal_year.split,
            reason_form=reason_form or ReasonForm(),
        )
    else:
        preview = selectors.year_close_preview(cooperative=coop, year=year)
        context.update(
            blockers=_blockers(coop, year),
            preview=preview,
            figures=preview,
            split=preview.split,
            close_form=close_form or YearCloseForm(),
        )
    return _page(request, "year.html", coop, roles, "year", status, **context)


@login_required
@require_GET
def year_detail(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """An open year: the checks, the figures the close would book, the close button. A closed one: its result."""
    coop, roles = _shu(request, code, Action.SHU_VIEW)
    return _year_page(request, coop, roles, _year(year))


def _form_message(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def year_close(request: HttpRequest, code: str, year: int) -> HttpResponse:
    coop, roles = _shu(request, code, Action.SHU_CLOSE)
    year = _year(year)
    form = YearCloseForm(request.POST)
    if not form.is_valid():
        return _year_page(request, coop, roles, year, 422, _form_message(form), close_form=form)
    try:
        fiscal_year = services.fiscal_year_close(cooperative=coop, year=year, actor=request.user)
    except REFUSED as exc:
        return _year_page(request, coop, roles, year, exc.status, exc.message, close_form=form)
    messages.success(
        request,
        _("Buku tahun %(year)s ditutup. SHU %(surplus)s: dari anggota %(members)s, dari bukan anggota %(non)s.")
        % {
            "year": year,
            "surplus": format_rupiah(fiscal_year.surplus),
            "members": format_rupiah(fiscal_year.surplus_members),
            "non": format_rupiah(fiscal_year.surplus_non_members),
        },
    )
    return redirect("shu:year", coop.code, year)


@login_required
@require_POST
def reopen_request(request: HttpRequest, code: str, year: int) -> HttpResponse:
    coop, roles = _shu(request, code, Action.SHU_REOPEN)
    year = _year(year)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _year_page(request, coop, roles, year, 422, _form_message(form), reason_form=form)
    try:
        services.fiscal_year_reopen_request(
            cooperative=coop, year=year, reason=form.cleaned_data["reason"], actor=request.user
        )
    except (*REFUSED, PermissionDenied) as exc:
        return _year_page(request, coop, roles, year, exc.status, exc.message, reason_form=form)
    messages.success(
        request,
        _("Permintaan membuka kembali tahun buku %(year)s dicatat; menunggu persetujuan ketua/pengawas lainnya.")
        % {"year": year},
    )
    return redirect("shu:year", coop.code, year)


@login_required
@require_POST
def reopen_approve(request: HttpRequest, code: str, request_id: int) -> HttpResponse:
    coop, roles = _shu(request, code, Action.SHU_REOPEN)
    reopen = selectors.reopen_request_get(cooperative=coop, request_id=request_id)
    year = reopen.fiscal_year.year
    try:
        services.fiscal_year_reopen_approve(cooperative=coop, request=reopen, actor=request.user)
    except (*REFUSED, PermissionDenied) as exc:
        # The four-eyes refusal (same person / same role) is the point of the rule: show it.
        return _year_page(request, coop, roles, year, exc.status, exc.message)
    messages.success(
        request,
        _(
            "Tahun buku %(year)s dibuka kembali; jurnal penutupnya dibalik. Buka bulan yang perlu "
            "dikoreksi di halaman Periode pembukuan."
        )
        % {"year": year},
    )
    return redirect("shu:year", coop.code, year)


# --- the policy ---------------------------------------------------------------------------
def _policy_default_year(coop: Cooperative) -> int:
    """The first year after the last distributed one that has books (the next SHU the rules decide)."""
    rows = selectors.year_list(cooperative=coop)
    distributed = [r.year for r in rows if r.distribution is not None]
    candidates = [r.year for r in rows if not distributed or r.year > max(distributed)]
    return min(candidates) if candidates else timezone.localdate().year


def _policy_page(
    request: HttpRequest, coop: Cooperative, roles: frozenset[Role], form: PolicyForm | None, status: int = 200
) -> HttpResponse:
    today = timezone.localdate()
    unit_names = selectors.unit_codes(cooperative=coop)
    in_force = selectors.policy_in_force(cooperative=coop, year=today.year)
    others = [p for p in selectors.policy_list(cooperative=coop) if p.effective_year != in_force.effective_year]
    return _page(
        request,
        "policy.html",
        coop,
        roles,
        "policy",
        status,
        form=form,
        today=today,
        in_force=in_force,
        in_force_rows=_policy_rows(in_force.lines, unit_names),
        in_force_kinds=_kind_labels(in_force.capital_kinds),
        in_force_destination=NonMemberDestination(in_force.non_member_destination).label,
        others=[
            {
                "policy": p,
                "rows": _policy_rows(p.lines, unit_names),
                "kinds": _kind_labels(p.capital_kinds),
                "destination": NonMemberDestination(p.non_member_destination).label,
            }
            for p in others
        ],
    )


def _policy_save(
    request: HttpRequest, coop: Cooperative, roles: frozenset[Role], units: list[tuple[str, str]]
) -> HttpResponse:
    form = PolicyForm(request.POST, rows=row_count(request.POST), units=units)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            lines = services.allocation_parse(form.allocation_rows())
            saved = services.shu_policy_save(
                cooperative=coop,
                effective_year=data["effective_year"],
                lines=lines,
                capital_kinds=data["capital_kinds"],
                non_member_destination=data["non_member_destination"],
                note=data["note"],
                actor=request.user,
            )
        except REFUSED as exc:
            status = _put_error(form, exc)
        else:
            messages.success(
                request,
                _("Aturan pembagian SHU yang berlaku mulai tahun buku %(year)s disimpan.")
                % {"year": saved.effective_year},
            )
            return redirect("shu:policy", coop.code)
    return _policy_page(request, coop, roles, form, status)


@login_required
@GET_POST
def policy(request: HttpRequest, code: str) -> HttpResponse:
    """The SHU rules in force (or the domain.md §11 defaults) and earlier ones; the form to save new ones."""
    coop, roles = _shu(request, code, Action.SHU_VIEW)
    units = _unit_choices(coop)
    if request.method == "POST":
        require(roles, Action.SHU_SETTINGS)
        return _policy_save(request, coop, roles, units)
    form = None
    if can(roles, Action.SHU_SETTINGS):
        year = _policy_default_year(coop)
        current = selectors.policy_in_force(cooperative=coop, year=year)
        initial = {
            "effective_year": year,
            "capital_kinds": list(current.capital_kinds),
            "non_member_destination": current.non_member_destination,
            "note": current.note,
            **allocation_initial(current.lines),
        }
        form = PolicyForm(initial=initial, rows=row_count(None, current.lines), units=units)
    return _policy_page(request, coop, roles, form)


# --- simulation and the RAT approval --------------------------------------------------------
@dataclass(frozen=True)
class MemberRow:
    number: str
    name: str
    capital_base: int
    jasa_modal: int
    jasa_usaha: int
    total: int


@dataclass(frozen=True)
class ResultView:
    """An SHU result as the pages show it: the pools, the totals, the biggest members' shares."""

    result: ShuResult
    pools: list[dict[str, Any]]
    members: list[MemberRow]
    members_count: int
    reserve_total: int  # cadangan pool + the rounding remainder


def _result_view(coop: Cooperative, result: ShuResult, unit_names: dict[str, str], top: int) -> ResultView:
    pools = [
        {
            "name": _pool_name(p.line, unit_names),
            "percent": calculations.format_percent(p.line.percent),
            "amount": p.amount,
            "is_member_pool": p.line.pool in MEMBER_POOLS,
            "base_total": p.base_total,
            "distributed": p.distributed,
            "remainder": p.remainder,
        }
        for p in result.pools
    ]
    ranked = sorted(result.members.items(), key=lambda item: (-item[1].total, item[0]))[:top]
    infos = selectors.member_infos(cooperative=coop, member_ids=[member_id for member_id, _ in ranked])
    members = []
    for member_id, share in ranked:
        info = infos.get(member_id)
        members.append(
            MemberRow(
                number=info.number if info else str(member_id),
                name=info.name if info else "",
                capital_base=share.capital_base,
                jasa_modal=share.jasa_modal,
                jasa_usaha=share.jasa_usaha,
                total=share.total,
            )
        )
    return ResultView(
        result=result,
        pools=pools,
        members=members,
        members_count=len(result.members),
        reserve_total=result.pool_total(Pool.CADANGAN) + result.remainder,
    )


def _proposed_total(coop: Cooperative, year: int, fiscal_year: FiscalYear | None) -> tuple[int, bool]:
    """The SHU from members of ``year``: the close's figure, else an estimate from the books so far."""
    if fiscal_year is not None and fiscal_year.is_closed:
        return fiscal_year.surplus_members, True
    return max(selectors.year_close_preview(cooperative=coop, year=year).surplus_members, 0), False


def _simulate_default_year(coop: Cooperative, asked: str | None) -> int:
    text = (asked or "").strip()
    if text.isdigit() and len(text) == 4 and services.YEAR_MIN <= int(text) <= services.YEAR_MAX:
        return int(text)
    rows = selectors.year_list(cooperative=coop)
    undistributed = [r.year for r in rows if r.is_closed and r.distribution is None]
    return undistributed[0] if undistributed else timezone.localdate().year


def _checked_input(coop: Cooperative, form: AllocationForm) -> tuple[list[AllocationLine], tuple[str, ...]] | None:
    """The form's allocation and capital kinds as the services accept them; None after showing why not."""
    try:
        lines = services.allocation_parse(form.allocation_rows())
        kinds = services.allocation_check(
            cooperative=coop, lines=lines, capital_kinds=form.cleaned_data["capital_kinds"]
        )
    except ValidationError as exc:
        _put_error(form, exc)
        return None
    return lines, kinds


@login_required
@GET_POST
def simulate(request: HttpRequest, code: str) -> HttpResponse:
    """Compute the SHU a proposed total and allocation would give over a year's real bases (no writes)."""
    coop, roles = _shu(request, code, Action.SHU_SIMULATE)
    units = _unit_choices(coop)
    unit_names = dict(units)
    result = None
    status = 200
    total_from_close: bool | None = None
    if request.method == "POST":
        form = SimulateForm(request.POST, rows=row_count(request.POST), units=units)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            ok = True
            for check, field in ((services.year_check, "year"), (services.shu_total_check, "shu_total")):
                try:
                    check(data[field])
                except ValidationError as exc:
                    _put_error(form, exc)
                    ok = False
            checked = _checked_input(coop, form)
            if ok and checked is not None:
                lines, kinds = checked
                computed = selectors.shu_simulate(
                    cooperative=coop, year=data["year"], shu_total=data["shu_total"], capital_kinds=kinds, lines=lines
                )
                result = _result_view(coop, computed, unit_names, TOP_MEMBERS)
                status = 200
    else:
        year = _simulate_default_year(coop, request.GET.get("year"))
        current = selectors.policy_in_force(cooperative=coop, year=year)
        total, total_from_close = _proposed_total(coop, year, selectors.fiscal_year_get(cooperative=coop, year=year))
        initial = {
            "year": year,
            "shu_total": total,
            "capital_kinds": list(current.capital_kinds),
            **allocation_initial(current.lines),
        }
        form = SimulateForm(initial=initial, rows=row_count(None, current.lines), units=units)
    return _page(
        request,
        "simulate.html",
        coop,
        roles,
        "simulate",
        status,
        form=form,
        result=result,
        total_from_close=total_from_close,
        top=TOP_MEMBERS,
    )


@login_required
@GET_POST
def approve(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """Record the RAT's decision on a closed year's SHU (POST ``preview`` computes without saving)."""
    coop, roles = _shu(request, code, Action.SHU_VIEW)
    if request.method == "POST":
        require(roles, Action.SHU_APPROVE)
    year = _year(year)
    fiscal_year = selectors.fiscal_year_get(cooperative=coop, year=year)
    distribution = selectors.distribution_get(cooperative=coop, year=year)
    units = _unit_choices(coop)
    unit_names = dict(units)
    closed = fiscal_year is not None and fiscal_year.is_closed
    preview = None
    status = 200
    if request.method == "POST":
        form = ApproveForm(request.POST, rows=row_count(request.POST), units=units)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            checked = _checked_input(coop, form)
            if checked is not None and "preview" in request.POST:
                status = 200
            elif checked is not None:
                try:
                    saved = services.shu_approve(
                        cooperative=coop,
                        year=year,
                        rat_date=data["rat_date"],
                        decision_number=data["decision_number"],
                        lines=checked[0],
                        capital_kinds=checked[1],
                        actor=request.user,
                    )
                except REFUSED as exc:
                    status = _put_error(form, exc)
                else:
                    messages.success(
                        request,
                        _(
                            "SHU %(year)s disahkan (RAT %(date)s, keputusan no. %(number)s): %(total)s dibagi, "
                            "%(members)s untuk %(count)s anggota."
                        )
                        % {
                            "year": year,
                            "date": saved.rat_date.strftime("%d/%m/%Y"),
                            "number": saved.decision_number,
                            "total": format_rupiah(saved.shu_total),
                            "members": format_rupiah(saved.members_total),
                            "count": saved.members_count,
                        },
                    )
                    return redirect("shu:distribution", coop.code, year)
            if checked is not None and closed and fiscal_year is not None and fiscal_year.surplus_members > 0:
                preview = _result_view(
                    coop,
                    selectors.shu_simulate(
                        cooperative=coop,
                        year=year,
                        shu_total=fiscal_year.surplus_members,
                        capital_kinds=checked[1],
                        lines=checked[0],
                    ),
                    unit_names,
                    0,
                )
    else:
        current = selectors.policy_in_force(cooperative=coop, year=year)
        initial = {"capital_kinds": list(current.capital_kinds), **allocation_initial(current.lines)}
        form = ApproveForm(initial=initial, rows=row_count(None, current.lines), units=units)
        if closed and distribution is None and fiscal_year is not None and fiscal_year.surplus_members > 0:
            try:
                kinds = services.allocation_check(
                    cooperative=coop, lines=current.lines, capital_kinds=current.capital_kinds
                )
            except ValidationError:
                pass  # e.g. a unit the rules name was removed: the form shows why when submitted
            else:
                computed = selectors.shu_simulate(
                    cooperative=coop,
                    year=year,
                    shu_total=fiscal_year.surplus_members,
                    capital_kinds=kinds,
                    lines=current.lines,
                )
                preview = _result_view(coop, computed, unit_names, 0)
    return _page(
        request,
        "approve.html",
        coop,
        roles,
        "approve",
        status,
        year=year,
        fiscal_year=fiscal_year,
        closed=closed,
        distribution=distribution,
        form=form,
        preview=preview,
        today=timezone.localdate(),
    )
