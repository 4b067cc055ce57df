"""HTML pages of a cooperative's profile (DESIGN.md §7).

Each view: fetch the cooperative with the user's roles and check the action
(``selectors.cooperative_get_for_user``), parse a form, call one service or selector,
render. ``NotFound`` and ``PermissionDenied`` propagate to ``DomainErrorMiddleware``
(404 / 403); ``ValidationError`` (422) and ``Conflict`` (409) are shown on the form.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from koperasi.cooperatives import selectors, services
from koperasi.cooperatives.choices import LegalKind
from koperasi.cooperatives.forms import (
    ROLE_CHOICES,
    CooperativeRegisterForm,
    FacilityForm,
    LegalRecordForm,
    PartnerForm,
    ProfileForm,
    StageChangeForm,
    UnitAddForm,
    UnitStatusForm,
    UserAddForm,
)
from koperasi.cooperatives.models import Cooperative
from koperasi.core.access import global_roles, require
from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.core.services import cooperative_user_add
from koperasi.core.web import form_add_domain_error
from koperasi.loans.navigation import loan_nav_perms
from koperasi.members.navigation import nav_perms
from koperasi.shu.navigation import shu_nav_perms
from koperasi.subsidies.navigation import subsidy_nav_perms

GET_POST = require_http_methods(["GET", "POST"])


# --- helpers ------------------------------------------------------------------------------
def _page(
    request: HttpRequest, template: str, cooperative: Cooperative, status: int = 200, **context: Any
) -> HttpResponse:
    return render(request, f"cooperatives/{template}", {"coop": cooperative, **context}, status=status)


def _detail_url(cooperative: Cooperative, anchor: str = "") -> str:
    url = reverse("cooperatives:detail", args=[cooperative.code])
    return f"{url}#{anchor}" if anchor else url


def _unit_choices(profile: dict[str, Any]) -> list[tuple[str, str]]:
    return [(unit.code, unit.name) for unit in profile["units"]]


# --- registry -----------------------------------------------------------------------------
@login_required
@GET_POST
def cooperative_register_view(request: HttpRequest) -> HttpResponse:
    require(global_roles(request.user), Action.COOP_CREATE)
    form = CooperativeRegisterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                coop = services.cooperative_register(actor=request.user, **form.cleaned_data)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Koperasi %(name)s berhasil didaftarkan.") % {"name": coop.name})
                return redirect("cooperatives:detail", coop.code)
    return render(request, "cooperatives/register.html", {"form": form}, status=status)


# --- profile ------------------------------------------------------------------------------
@login_required
def cooperative_detail(request: HttpRequest, code: str) -> HttpResponse:
    coop, roles = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_VIEW)
    profile = selectors.cooperative_profile(cooperative=coop)
    can_edit = can(roles, Action.COOP_PROFILE_EDIT)
    return _page(
        request,
        "detail.html",
        coop,
        profile=profile,
        can_edit=can_edit,
        can_change_stage=can(roles, Action.COOP_STAGE_CHANGE),
        can_view_users=can(roles, Action.COOP_USERS_VIEW),
        can_view_ledger=can(roles, Action.LEDGER_VIEW),
        nav_perms=nav_perms(roles),
        loan_perms=loan_nav_perms(roles),
        subsidy_perms=subsidy_nav_perms(roles),
        shu_perms=shu_nav_perms(roles),
        can_portal=can(roles, Action.PORTAL_VIEW),
        unit_status_form=UnitStatusForm() if can_edit else None,
        stage_form=StageChangeForm(initial={"stage": profile["next_stage"]}),
    )


@login_required
@GET_POST
def profile_edit(request: HttpRequest, code: str) -> HttpResponse:
    coop = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_PROFILE_EDIT)[0]
    initial = {"name": coop.name, "address": coop.address, "phone": coop.phone, "email": coop.email}
    form = ProfileForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.cooperative_profile_update(cooperative=coop, actor=request.user, **form.cleaned_data)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Profil koperasi disimpan."))
                return redirect(_detail_url(coop))
    return _page(request, "profile_form.html", coop, status, form=form)


@login_required
@GET_POST
def legal_edit(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    coop = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_PROFILE_EDIT)[0]
    if kind not in LegalKind.values:
        raise NotFound(_("Jenis dokumen tidak dikenal."))
    legal_kind = LegalKind(kind)
    profile = selectors.cooperative_profile(cooperative=coop)
    record = dict(profile["legal"]).get(legal_kind)
    initial = {}
    if record is not None:
        initial = {
            "number": record.number,
            "issued_on": record.issued_on,
            "status": record.status,
            "issuer": record.issuer,
            "holder_name": record.holder_name,
            "note": record.note,
        }
    form = LegalRecordForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                services.legal_record_set(cooperative=coop, kind=kind, actor=request.user, **form.cleaned_data)
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("%(document)s disimpan.") % {"document": legal_kind.label})
                return redirect(_detail_url(coop, "legal"))
    return _page(request, "legal_form.html", coop, status, form=form, kind=legal_kind, record=record)


@login_required
@GET_POST
def stage_change(request: HttpRequest, code: str) -> HttpResponse:
    coop = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_STAGE_CHANGE)[0]
    profile = selectors.cooperative_profile(cooperative=coop)
    form = StageChangeForm(request.POST or None, initial={"stage": profile["next_stage"]})
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                change = services.cooperative_stage_change(
                    cooperative=coop,
                    to_stage=form.cleaned_data["stage"],
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(
                    request, _("Tahap koperasi sekarang: %(stage)s.") % {"stage": change.get_to_stage_display()}
                )
                return redirect(_detail_url(coop, "tahap"))
    return _page(request, "stage_form.html", coop, status, form=form, profile=profile)


# --- facilities ---------------------------------------------------------------------------
@login_required
@GET_POST
def facility_edit(request: HttpRequest, code: str, facility_id: int | None = None) -> HttpResponse:
    coop = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_PROFILE_EDIT)[0]
    initial: dict[str, Any] = {}
    facility = None
    if facility_id is not None:
        profile = selectors.cooperative_profile(cooperative=coop)
        facility = next((f for f in profile["facilities"] if f.pk == facility_id), None)
        if facility is None:
            raise NotFound(_("Fasilitas tidak ditemukan."))
        initial = {name: getattr(facility, name) for name in FacilityForm.base_fields}
    form = FacilityForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                saved = services.facility_save(
                    cooperative=coop, actor=request.user, facility_id=facility_id, **form.cleaned_data
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Fasilitas %(name)s disimpan.") % {"name": saved.name})
                return redirect(_detail_url(coop, "fasilitas"))
    return _page(request, "facility_form.html", coop, status, form=form, facility=facility)


# --- business units -----------------------------------------------------------------------
def _units_page(
    request: HttpRequest,
    coop: Cooperative,
    *,
    add_form: UnitAddForm | None = None,
    row_error: tuple[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    profile = selectors.cooperative_profile(cooperative=coop)
    return _page(
        request,
        "units.html",
        coop,
        status,
        units=profile["units"],
        add_form=add_form or UnitAddForm(),
        status_form=UnitStatusForm(),
        row_error=row_error,
    )


@login_required
@GET_POST
def units(request: HttpRequest, code: str) -> HttpResponse:
    """List the units with a status form per row (GET) and add a unit of the cooperative's own (POST)."""
    coop = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_PROFILE_EDIT)[0]
    if request.method == "GET":
        return _units_page(request, coop)
    form = UnitAddForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            unit = services.business_unit_save(cooperative=coop, actor=request.user, create=True, **form.cleaned_data)
        except (ValidationError, Conflict) as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Unit usaha %(name)s ditambahkan.") % {"name": unit.name})
            return redirect("cooperatives:units", coop.code)
    return _units_page(request, coop, add_form=form, status=status)


@login_required
@require_POST
def unit_status(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    coop = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_PROFILE_EDIT)[0]
    form = UnitStatusForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            unit = services.business_unit_save(
                cooperative=coop, actor=request.user, code=unit_code, status=form.cleaned_data["status"]
            )
        except (ValidationError, Conflict) as exc:
            status = form_add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Status %(unit)s: %(status)s.") % {"unit": unit.name, "status": unit.get_status_display()}
            )
            if request.POST.get("next") == "units":
                return redirect("cooperatives:units", coop.code)
            return redirect(_detail_url(coop, "unit"))
    message = "; ".join(str(e) for errors in form.errors.values() for e in errors)
    return _units_page(request, coop, row_error=(unit_code, message), status=status)


# --- partners -----------------------------------------------------------------------------
@login_required
@GET_POST
def partner_edit(request: HttpRequest, code: str, partner_id: int | None = None) -> HttpResponse:
    coop = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_PROFILE_EDIT)[0]
    profile = selectors.cooperative_profile(cooperative=coop)
    initial: dict[str, Any] = {}
    partner = None
    if partner_id is not None:
        partner = next((p for p in profile["partners"] if p.pk == partner_id), None)
        if partner is None:
            raise NotFound(_("Mitra tidak ditemukan."))
        initial = {name: getattr(partner, name) for name in PartnerForm.base_fields if name != "business_unit"}
        initial["business_unit"] = partner.business_unit.code if partner.business_unit else ""
    form = PartnerForm(request.POST or None, initial=initial, unit_choices=_unit_choices(profile))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = dict(form.cleaned_data)
            unit_code = data.pop("business_unit") or None
            try:
                saved = services.partner_save(
                    cooperative=coop, actor=request.user, partner_id=partner_id, business_unit_code=unit_code, **data
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(request, _("Mitra %(name)s disimpan.") % {"name": saved.name})
                return redirect(_detail_url(coop, "mitra"))
    return _page(request, "partner_form.html", coop, status, form=form, partner=partner)


# --- users --------------------------------------------------------------------------------
@login_required
@GET_POST
def users(request: HttpRequest, code: str) -> HttpResponse:
    coop, roles = selectors.cooperative_get_for_user(user=request.user, code=code, action=Action.COOP_USERS_VIEW)
    can_manage = can(roles, Action.COOP_USERS_MANAGE)
    form = UserAddForm(request.POST or None) if can_manage else None
    status = 200
    if request.method == "POST":
        require(roles, Action.COOP_USERS_MANAGE)
        assert form is not None
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            if data["role"] == Role.KETUA and not can(roles, Action.COOP_GRANT_KETUA):
                raise PermissionDenied(_("Hanya admin yang dapat menetapkan ketua."))
            try:
                grant = cooperative_user_add(
                    cooperative=coop,
                    username=data["username"],
                    password=data["password"] or None,
                    role=data["role"],
                    full_name=data["full_name"],
                    actor=request.user,
                    allow_existing_user=Role.ADMIN in roles,
                )
            except (ValidationError, Conflict) as exc:
                status = form_add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Pengguna %(username)s ditambahkan sebagai %(role)s.")
                    % {"username": grant.user.username, "role": grant.get_role_display()},
                )
                return redirect("cooperatives:users", coop.code)
    if form is not None:
        offered = [value for value, _ in ROLE_CHOICES]
        if not can(roles, Action.COOP_GRANT_KETUA):
            offered.remove(Role.KETUA.value)
        form.offer_roles(offered)
    grants = selectors.cooperative_users(cooperative=coop)
    return _page(
        request,
        "users.html",
        coop,
        status,
        grants=grants,
        form=form,
        can_manage=can_manage,
        existing_allowed=Role.ADMIN in roles,
    )
