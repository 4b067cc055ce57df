"""Pages of the recipients: the list, registration (from a member too), one recipient with its quota,
correction, deactivation, and the Excel/CSV import (upload → row-by-row report → confirm).

The import's preview never travels through the browser: the uploaded file waits on the server
(``members.importing.upload_store``, keyed by its SHA-256) and the confirmation carries only a
signed key, bound to the cooperative and the user; on confirmation every row is checked again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.members import importing as uploads
from koperasi.members import selectors as member_selectors
from koperasi.regions.selectors import village_list
from koperasi.subsidies import importing, selectors, services
from koperasi.subsidies.forms import (
    DeactivateForm,
    ImportConfirmForm,
    ImportUploadForm,
    ReactivateForm,
    RecipientEditForm,
    RecipientFilterForm,
    RecipientForm,
)
from koperasi.subsidies.models import Recipient
from koperasi.subsidies.views import (
    GET_POST,
    PAGE_SIZE,
    REFUSED,
    add_domain_error,
    object_id,
    subsidy_coop,
    subsidy_page,
    unmask_requested,
)

LATEST_DISTRIBUTIONS = 50
TOKEN_MAX_AGE = uploads.UPLOAD_MAX_AGE
FORM_FIELDS = ("nik", "kk", "name", "category", "nib", "business_name", "address", "phone", "kelurahan_code")


def _recipient(coop: Cooperative, recipient_id: int | str) -> Recipient:
    return selectors.recipient_get(cooperative=coop, recipient_id=object_id(recipient_id))


def _detail_url(coop: Cooperative, recipient: Recipient) -> str:
    return reverse("subsidies:recipient_detail", args=[coop.code, recipient.pk])


def _villages(coop: Cooperative) -> list[Any]:
    """The kelurahan/desa of the cooperative's kota (or kabupaten), kecamatan joined."""
    return list(village_list(within=coop.kelurahan_id[:5]).select_related("parent"))


def _extra_village(villages: list[Any], recipient: Recipient | None) -> tuple[str, str] | None:
    if recipient is None or recipient.kelurahan is None or recipient.kelurahan.code in {v.code for v in villages}:
        return None
    return recipient.kelurahan.code, recipient.kelurahan.name


# --- the list -----------------------------------------------------------------------------
@login_required
@require_GET
def recipients(request: HttpRequest, code: str) -> HttpResponse:
    """The recipients: search by name, NIK or KK; filter by category and status; NIK/KK masked unless unmasked."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_VIEW)
    unmask = unmask_requested(request, roles)
    form = RecipientFilterForm(request.GET)
    form.is_valid()  # a filter that cannot be read is ignored; the others still apply
    search = form.cleaned_data.get("q", "")
    category = form.cleaned_data.get("category", "")
    active = form.cleaned_data.get("active", "")
    found = selectors.recipient_search(
        selectors.recipient_list(cooperative=coop), search=search, category=category, active=active
    )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    if unmask:
        services.nik_view_record(
            cooperative=coop,
            actor=request.user,
            what="recipients",
            data={"rows": len(page.object_list), "page": page.number},
        )
    query = {k: v for k, v in (("q", search), ("category", category), ("active", active)) if v}
    return subsidy_page(
        request,
        "recipients.html",
        coop,
        roles,
        "recipients",
        form=form,
        page=page,
        unmask=unmask,
        filtered=bool(query),
        base_query=urlencode({**query, **({"unmask": "1"} if unmask else {})}),
        unmask_query=urlencode({**query, "unmask": "1", "page": page.number}),
        masked_query=urlencode({**query, "page": page.number}),
    )


# --- registration -------------------------------------------------------------------------
def _member_initial(coop: Cooperative, member_id: str) -> dict[str, Any]:
    """The registration prefilled from a member of this cooperative (``?member=<id>``; another's is 404)."""
    member = member_selectors.member_get(cooperative=coop, member_id=object_id(member_id))
    return {
        "nik": member.nik,
        "kk": member.kk,
        "name": member.name,
        "address": member.address,
        "phone": member.phone,
        "kelurahan_code": member.kelurahan_id,
    }


@login_required
@GET_POST
def recipient_new(request: HttpRequest, code: str) -> HttpResponse:
    """Register a recipient (NIK, KK, category; NIB for usaha mikro); an existing NIK links to its recipient."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_REGISTER)
    villages = _villages(coop)
    status = 200
    existing_id = None
    if request.method == "POST":
        form = RecipientForm(request.POST, villages=villages)
        status = 422
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in (*FORM_FIELDS, "registered_on")}
            try:
                recipient = services.recipient_register(cooperative=coop, data=data, actor=request.user)
            except REFUSED as exc:
                status = add_domain_error(form, exc)
                if isinstance(exc, Conflict) and exc.code == "recipient_exists":
                    existing_id = (exc.detail.get("recipient_id") or [None])[0]
            else:
                messages.success(
                    request,
                    _("%(name)s (%(nik)s) terdaftar sebagai penerima.")
                    % {"name": recipient.name, "nik": recipient.nik_masked},
                )
                return redirect(_detail_url(coop, recipient))
    else:
        initial: dict[str, Any] = {
            "category": "rumah_tangga",
            "kelurahan_code": coop.kelurahan_id,
            "registered_on": f"{timezone.localdate():%Y-%m-%d}",
        }
        if "member" in request.GET:
            initial.update(_member_initial(coop, request.GET["member"]))
        form = RecipientForm(initial=initial, villages=villages)
    return subsidy_page(
        request,
        "recipient_form.html",
        coop,
        roles,
        "recipient_new",
        status,
        form=form,
        recipient=None,
        existing_id=existing_id,
    )


# --- one recipient ------------------------------------------------------------------------
def _detail(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    recipient: Recipient,
    status: int = 200,
    **forms: Any,
) -> HttpResponse:
    today = timezone.localdate()
    unmask = unmask_requested(request, roles) if request.method == "GET" else False
    if unmask:
        services.nik_view_record(cooperative=coop, actor=request.user, what="recipient", target=recipient)
    usages = []
    for program in selectors.program_list(cooperative=coop):
        if not selectors.in_force(program, today):
            continue
        usage = selectors.program_usage(cooperative=coop, program=program, nik=recipient.nik, day=today)
        unit = program.product.unit
        usages.append((usage, [(u, u.rule.describe(unit)) for u in usage.rules]))
    register = can(roles, Action.SUBSIDY_REGISTER)
    latest = selectors.distribution_list(cooperative=coop, nik=recipient.nik).order_by("-date", "-recorded_at", "-id")
    return subsidy_page(
        request,
        "recipient_detail.html",
        coop,
        roles,
        "recipients",
        status,
        recipient=recipient,
        unmask=unmask,
        today=today,
        usages=usages,
        distributions=list(latest[:LATEST_DISTRIBUTIONS]),
        deactivate_form=forms.get("deactivate_form")
        or (DeactivateForm() if register and recipient.is_active else None),
        reactivate_form=forms.get("reactivate_form")
        or (ReactivateForm() if register and not recipient.is_active else None),
        can_members=can(roles, Action.MEMBERS_VIEW),
    )


@login_required
@require_GET
def recipient_detail(request: HttpRequest, code: str, recipient_id: int) -> HttpResponse:
    """A recipient: data (masked unless unmasked), what remains under each programme in force, last purchases."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_VIEW)
    return _detail(request, coop, roles, _recipient(coop, recipient_id))


@login_required
@GET_POST
def recipient_edit(request: HttpRequest, code: str, recipient_id: int) -> HttpResponse:
    """Correct a recipient's KK, name, category, NIB, address (the NIK never changes; a blank KK keeps it)."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_REGISTER)
    recipient = _recipient(coop, recipient_id)
    villages = _villages(coop)
    extra = _extra_village(villages, recipient)
    status = 200
    if request.method == "POST":
        form = RecipientEditForm(request.POST, villages=villages, extra_village=extra)
        status = 422
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in FORM_FIELDS if k in form.fields}
            if not data["kk"]:
                del data["kk"]  # the full KK is not shown on the form: blank keeps it
            try:
                recipient = services.recipient_update(
                    cooperative=coop, recipient=recipient, data=data, actor=request.user
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(request, _("Data %(name)s disimpan.") % {"name": recipient.name})
                return redirect(_detail_url(coop, recipient))
    else:
        form = RecipientEditForm(
            initial={
                "name": recipient.name,
                "category": recipient.category,
                "nib": recipient.nib,
                "business_name": recipient.business_name,
                "address": recipient.address,
                "phone": recipient.phone,
                "kelurahan_code": recipient.kelurahan_id or "",
            },
            villages=villages,
            extra_village=extra,
        )
    form.fields["kk"].help_text = _("Tersimpan %(kk)s; kosongkan bila tidak berubah.") % {"kk": recipient.kk_masked}
    return subsidy_page(
        request, "recipient_form.html", coop, roles, "recipients", status, form=form, recipient=recipient
    )


@login_required
@require_POST
def recipient_deactivate(request: HttpRequest, code: str, recipient_id: int) -> HttpResponse:
    """Stop a recipient from buying, with the reason and date."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_REGISTER)
    recipient = _recipient(coop, recipient_id)
    form = DeactivateForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            recipient = services.recipient_deactivate(
                cooperative=coop,
                recipient=recipient,
                reason=form.cleaned_data["reason"],
                date=form.cleaned_data["date"],
                actor=request.user,
            )
        except REFUSED as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s dinonaktifkan.") % {"name": recipient.name})
            return redirect(_detail_url(coop, recipient))
    return _detail(request, coop, roles, recipient, status, deactivate_form=form)


@login_required
@require_POST
def recipient_reactivate(request: HttpRequest, code: str, recipient_id: int) -> HttpResponse:
    """Let a deactivated recipient buy again, with a note."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_REGISTER)
    recipient = _recipient(coop, recipient_id)
    form = ReactivateForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            recipient = services.recipient_reactivate(
                cooperative=coop, recipient=recipient, note=form.cleaned_data["note"], actor=request.user
            )
        except REFUSED as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("%(name)s aktif kembali.") % {"name": recipient.name})
            return redirect(_detail_url(coop, recipient))
    return _detail(request, coop, roles, recipient, status, reactivate_form=form)


# --- import -------------------------------------------------------------------------------
def _salt(coop: Cooperative, request: HttpRequest) -> str:
    return f"subsidies.recipient_import:{coop.pk}:{request.user.pk}"


def _import_page(
    request: HttpRequest, coop: Cooperative, roles: frozenset[Role], status: int = 200, **context: Any
) -> HttpResponse:
    context.setdefault("upload_form", ImportUploadForm())
    return subsidy_page(
        request,
        "import.html",
        coop,
        roles,
        "import",
        status,
        columns=importing.TEMPLATE_COLUMNS,
        required=importing.REQUIRED_COLUMNS,
        max_rows=importing.MAX_ROWS,
        **context,
    )


@login_required
@GET_POST
def recipient_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a filled template → every row with its problems → "Impor N baris yang valid"."""
    coop, roles = subsidy_coop(request, code, Action.SUBSIDY_REGISTER)
    if request.method == "GET":
        return _import_page(request, coop, roles)
    if "token" in request.POST:
        return _import_confirm(request, coop, roles)
    upload_form = ImportUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _import_page(request, coop, roles, 422, upload_form=upload_form)
    upload: UploadedFile = upload_form.cleaned_data["file"]
    name = Path(upload.name or "").name
    content = upload.read()
    try:
        rows = importing.import_parse(name, content)
    except ValidationError as exc:
        return _import_page(request, coop, roles, add_domain_error(upload_form, exc), upload_form=upload_form)
    check = importing.import_check(cooperative=coop, rows=rows, today=timezone.localdate())
    confirm_form = None
    if check.valid:
        extension = Path(name).suffix.lower()
        key = uploads.upload_store(content, extension)
        token = signing.dumps({"key": key, "ext": extension, "name": name[:200]}, salt=_salt(coop, request))
        confirm_form = ImportConfirmForm(initial={"token": token})
    return _import_page(
        request,
        coop,
        roles,
        200 if check.valid else 422,
        check=check,
        file_name=name,
        valid_count=len(check.valid),
        confirm_form=confirm_form,
    )


def _import_confirm(request: HttpRequest, coop: Cooperative, roles: frozenset[Role]) -> HttpResponse:
    expired = _("Hasil pemeriksaan sudah kedaluwarsa atau tidak sah; unggah ulang berkasnya.")
    form = ImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["token"], salt=_salt(coop, request), max_age=TOKEN_MAX_AGE)
        key, extension, name = str(data["key"]), str(data["ext"]), str(data["name"])
    except (signing.BadSignature, KeyError, TypeError):
        return _import_page(request, coop, roles, 422, error=expired)
    content = uploads.upload_load(key, extension)
    if content is None:
        return _import_page(request, coop, roles, 422, error=expired)
    try:
        rows = importing.import_parse(name, content)
        result = importing.recipients_import(cooperative=coop, rows=rows, actor=request.user, file_name=name)
    except (ValidationError, Conflict) as exc:
        return _import_page(request, coop, roles, exc.status, error=exc.message)
    uploads.upload_discard(key, extension)
    messages.success(
        request,
        _("%(created)s penerima diimpor dari %(file)s; %(skipped)s baris tidak diimpor.")
        % {"created": result.created, "file": name, "skipped": result.skipped},
    )
    return redirect(reverse("subsidies:recipients", args=[coop.code]))


@login_required
@require_GET
def recipient_import_template(request: HttpRequest, code: str) -> HttpResponse:
    """Download the import template (.xlsx; the cooperative's kelurahan in the example row)."""
    coop = subsidy_coop(request, code, Action.SUBSIDY_REGISTER)[0]
    content = importing.import_template_xlsx(kelurahan_code=coop.kelurahan_id)
    response = HttpResponse(content, content_type=importing.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="templat-impor-penerima-{coop.code}.xlsx"'
    return response
