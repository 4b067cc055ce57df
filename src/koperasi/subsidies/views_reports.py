"""The subsidy reports page (``subsidi/laporan/``) and each report as Excel (``<name>.xlsx``) or CSV (``<name>.csv``).

Each view: fetch the cooperative with the user's roles and check ``SUBSIDY_REPORTS``
(``NotFound`` / ``PermissionDenied`` propagate to the middleware: 404 / 403; a kasir may
not); hand ``unmask``, the report, programme and period (``laporan``, ``program``, ``from``,
``to``) to ``subsidies.reports.report_run`` (as the API does), which refuses ``unmask`` (403) to
a role without ``SUBSIDY_NIK_VIEW`` and runs the report once; render the page, or the same
figures as a file (``exports.report_file``). A
value that cannot be read re-renders the page with the message and 422; another
cooperative's programme is 404; an unknown report is 422 on the page and 404 as a file
name. Every page view or file with full NIKs of a report that carries them writes one
audit row (``services.nik_view_record``).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound, ValidationError
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.core.tables import display
from koperasi.subsidies import exports, reports, services
from koperasi.subsidies.models import SubsidyProgram
from koperasi.subsidies.navigation import subsidy_nav_perms

DEFAULT_REPORT = "logbook"


def _coop(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=Action.SUBSIDY_REPORTS)


def _read(
    request: HttpRequest, coop: Cooperative, roles: frozenset[Role], name: str
) -> tuple[reports.ReportSpec, SubsidyProgram | None, Any]:
    """Read the query and run the report. Raises ValidationError, PermissionDenied (unmask), NotFound (programme)."""
    get = request.GET.get
    return reports.report_run(
        cooperative=coop,
        roles=roles,
        name=name,
        program=get("program"),
        date_from=get("from"),
        date_to=get("to"),
        unmask=get("unmask"),
    )


def _clean(value: str, limit: int = 20) -> str:
    return value.strip()[:limit].replace("\x00", "")


def _params(request: HttpRequest, result: Any) -> dict[str, str]:
    """The filter form's values: what the report used, or on an error what the user typed."""
    typed = {key: _clean(request.GET.get(key, "")) for key in ("program", "from", "to")}
    if result is None:
        return typed
    return {
        "program": str(result.program.id) if result.program else "",
        "from": result.start.isoformat(),
        "to": result.end.isoformat(),
    }


def _query(params: dict[str, str], **extra: str) -> str:
    keep = {k: v for k, v in {**params, **extra}.items() if v}
    return f"?{urlencode(keep)}" if keep else ""


def _page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    name: str,
    spec: reports.ReportSpec | None,
    result: Any,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    params = _params(request, result)
    perms = subsidy_nav_perms(roles)
    context: dict[str, Any] = {
        "coop": coop,
        "subsidy_perms": perms,
        "active": "reports",
        "report_list": list(reports.REPORTS.values()),
        "programs": reports.program_choices(cooperative=coop),
        "name": name,
        "spec": spec,
        "params": params,
        "error": error,
        "keep_query": urlencode({k: v for k, v in params.items() if v}) if result is not None else "",
    }
    if spec is not None and result is not None:
        unmasked = bool(getattr(result, "unmasked", False))
        base = reverse("subsidies:reports", args=[coop.code])
        plain = {"laporan": spec.slug, **params}
        files = {**params, "unmask": "1" if unmasked else ""}
        context.update(
            result=result,
            unmasked=unmasked,
            program_label=reports.program_label(result.program),
            period_label=reports.period_label(result),
            masking_line=exports.masking_line(spec, unmasked),
            sections=[display(s) for s in exports.report_sections(spec.slug, result)],
            xlsx_url=reverse("subsidies:report_xlsx", args=[coop.code, spec.slug]) + _query(files),
            csv_url=reverse("subsidies:report_csv", args=[coop.code, spec.slug]) + _query(files) if spec.csv else "",
            unmask_url=base + _query(plain, unmask="1") if spec.personal and perms["nik_view"] and not unmasked else "",
            mask_url=base + _query(plain) if unmasked else "",
        )
    response = render(request, "subsidies/reports.html", context, status=status)
    if context.get("unmasked"):
        response["Cache-Control"] = "no-store"  # full NIKs: not kept by the browser
    return response


@login_required
@require_GET
def reports_page(request: HttpRequest, code: str) -> HttpResponse:
    """One report chosen with ``?laporan=`` (default: this month's logbook of all programmes), with its downloads."""
    coop, roles = _coop(request, code)
    name = _clean(request.GET.get("laporan", ""), 40) or DEFAULT_REPORT
    spec = reports.REPORTS.get(name)
    try:
        spec, program, result = _read(request, coop, roles, name)
    except ValidationError as exc:
        return _page(request, coop, roles, name, spec, None, exc.message, exc.status)
    services.report_nik_view_record(
        cooperative=coop, actor=request.user, spec=spec, program=program, result=result, file_format="html"
    )
    return _page(request, coop, roles, name, spec, result)


def _file(request: HttpRequest, code: str, name: str, extension: str) -> HttpResponse:
    coop, roles = _coop(request, code)
    spec = reports.REPORTS.get(name)
    if spec is None or (extension == "csv" and not spec.csv):
        raise NotFound(_("Laporan tidak ditemukan."), code="report_not_found")
    try:
        spec, program, result = _read(request, coop, roles, name)
    except ValidationError as exc:
        return _page(request, coop, roles, name, spec, None, exc.message, exc.status)
    stamp = f"{result.start:%Y%m%d}-{result.end:%Y%m%d}"
    which = f"-program{result.program.id}" if result.program else ""
    filename = f"{spec.file_stem}-{coop.code}{which}-{stamp}.{extension}"
    content, content_type = exports.report_file(
        cooperative=coop, name=spec.slug, result=result, extension=extension, actor=request.user
    )
    response = HttpResponse(content, content_type=content_type)
    services.report_nik_view_record(
        cooperative=coop, actor=request.user, spec=spec, program=program, result=result, file_format=extension
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # may hold personal data
    return response


@login_required
@require_GET
def report_xlsx(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """The report as an Excel workbook: one sheet per table under the title block."""
    return _file(request, code, name, "xlsx")


@login_required
@require_GET
def report_csv(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """A one-table report as CSV (UTF-8 with BOM, comma-separated) for the partner's own tools."""
    return _file(request, code, name, "csv")
