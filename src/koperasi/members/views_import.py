"""HTML pages of the member import: download the template, upload → check → confirm → result.

The preview never travels through the browser: the uploaded file waits on the server
(``importing.upload_store``, keyed by its SHA-256) and the confirmation carries only a
signed key, bound to the cooperative and the user. On confirmation the file is read and
every row checked again, then ``importing.members_import`` writes the valid rows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.core.web import form_add_domain_error
from koperasi.members import importing
from koperasi.members.navigation import nav_perms

PREVIEW_ROWS = 20
TOKEN_MAX_AGE = importing.UPLOAD_MAX_AGE


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Berkas anggota (.xlsx atau .csv)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > importing.MAX_BYTES:
            raise forms.ValidationError(
                gettext("Berkas terlalu besar (paling besar %(mb)d MB).") % {"mb": importing.MAX_BYTES // 2**20}
            )
        return upload


class ImportConfirmForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput)


def _salt(coop: Cooperative, request: HttpRequest) -> str:
    return f"members.import:{coop.pk}:{request.user.pk}"


def _page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    template: str = "members/import.html",
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    context.setdefault("upload_form", ImportUploadForm())
    context = {
        "coop": coop,
        "nav_perms": nav_perms(roles),
        "active": "import",
        "max_rows": importing.MAX_ROWS,
        "columns": importing.TEMPLATE_COLUMNS,
        "required": importing.REQUIRED_COLUMNS,
        **context,
    }
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def member_import(request: HttpRequest, code: str) -> HttpResponse:
    """Upload a filled template → every row checked (refused rows with reasons) → "Simpan N anggota"."""
    coop, roles = cooperative_get_for_user(user=request.user, code=code, action=Action.MEMBERS_MANAGE)
    if request.method == "GET":
        return _page(request, coop, roles)
    if "token" in request.POST:
        return _confirm(request, coop, roles)
    upload_form = ImportUploadForm(request.POST, request.FILES)
    if not upload_form.is_valid():
        return _page(request, coop, roles, status=422, upload_form=upload_form)
    upload: UploadedFile = upload_form.cleaned_data["file"]
    name = Path(upload.name or "").name
    content = upload.read()
    try:
        rows = importing.import_parse(name, content)
    except ValidationError as exc:
        status = form_add_domain_error(upload_form, exc)
        return _page(request, coop, roles, status=status, upload_form=upload_form)
    check = importing.import_check(cooperative=coop, rows=rows, today=timezone.localdate())
    confirm_form = None
    if check.valid:
        extension = Path(name).suffix.lower()
        key = importing.upload_store(content, extension)
        token = signing.dumps({"key": key, "ext": extension, "name": name[:200]}, salt=_salt(coop, request))
        confirm_form = ImportConfirmForm(initial={"token": token})
    valid = check.valid
    return _page(
        request,
        coop,
        roles,
        status=422 if not valid and check.refused else 200,
        check=check,
        file_name=name,
        valid_count=len(valid),
        preview=valid[:PREVIEW_ROWS],
        confirm_form=confirm_form,
    )


def _confirm(request: HttpRequest, coop: Cooperative, roles: frozenset[Role]) -> HttpResponse:
    expired = _("Pratinjau sudah kedaluwarsa atau tidak sah; unggah ulang berkasnya.")
    form = ImportConfirmForm(request.POST)
    try:
        if not form.is_valid():
            raise signing.BadSignature
        data = signing.loads(form.cleaned_data["token"], salt=_salt(coop, request), max_age=TOKEN_MAX_AGE)
        key, extension, name = str(data["key"]), str(data["ext"]), str(data["name"])
    except (signing.BadSignature, KeyError, TypeError):
        return _page(request, coop, roles, status=422, error=expired)
    content = importing.upload_load(key, extension)
    if content is None:
        return _page(request, coop, roles, status=422, error=expired)
    try:
        rows = importing.import_parse(name, content)
        check = importing.import_check(cooperative=coop, rows=rows, today=timezone.localdate())
        result = importing.members_import(
            cooperative=coop, rows=check.valid_data, actor=request.user, batch_id=key, file_name=name
        )
    except (ValidationError, Conflict) as exc:
        return _page(request, coop, roles, status=exc.status, error=exc.message)
    importing.upload_discard(key, extension)
    return _page(
        request,
        coop,
        roles,
        "members/import_done.html",
        result=result,
        file_name=name,
        skipped=len(check.registered) + result.skipped,
        refused=len(check.refused),
    )


@login_required
@require_GET
def import_template(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    """Download the import template as .xlsx or .csv (the cooperative's kelurahan in the example row)."""
    coop = cooperative_get_for_user(user=request.user, code=code, action=Action.MEMBERS_MANAGE)[0]
    if fmt == "csv":
        content = importing.import_template_csv(kelurahan_code=coop.kelurahan_id)
        content_type = importing.CSV_CONTENT_TYPE
    else:
        content = importing.import_template_xlsx(kelurahan_code=coop.kelurahan_id)
        content_type = importing.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="templat-impor-anggota-{coop.code}.{fmt}"'
    return response
