"""The gerai's reports page (``laporan/``) and each report as Excel (``laporan/<name>.xlsx``) and PDF.

Each view: fetch the cooperative with the user's roles and check ``SHOP_REPORTS``
(``NotFound`` / ``PermissionDenied`` propagate to the middleware: 404 / 403), read the query
(``laporan``, ``from``, ``to``, ``days``), call ``shop.reports.build`` once and render the
page, or the same figures as a file. A date, period or number of days that cannot be read
re-renders the page with the message and 422; an unknown report is 422 on the page and
404 as a file name. Every figure comes from ``shop.reports``; ``shop.exports`` lays it out.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound, ValidationError
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.core.tables import display
from koperasi.shop import exports, report_pdf, reports
from koperasi.shop.navigation import shop_nav_perms

DEFAULT_REPORT = "daily-sales"


def _coop(request: HttpRequest, code: str) -> tuple[Cooperative, frozenset[Role]]:
    return cooperative_get_for_user(user=request.user, code=code, action=Action.SHOP_REPORTS)


def _long(day: datetime.date) -> str:
    return date_format(day, "j F Y")


def period_label(spec: reports.ReportSpec, result: Any) -> str:
    """``Periode 1 Maret 2026 s.d. 31 Maret 2026``, or ``Per 24 November 2026`` for a report of today."""
    if spec.ranged:
        return _("Periode %(start)s s.d. %(end)s") % {"start": _long(result.start), "end": _long(result.end)}
    label = _("Per %(date)s") % {"date": _long(result.as_of)}
    if spec.uses_days:
        label += " · " + _("tidak terjual lebih dari %(days)s hari") % {"days": result.days}
    return label


def _read(request: HttpRequest, coop: Cooperative, name: str) -> tuple[reports.ReportSpec, Any]:
    """Read the query and run the report. Raises ValidationError."""
    spec = reports.report_spec(name)
    start = reports.date_from_text(request.GET.get("from"), "from")
    end = reports.date_from_text(request.GET.get("to"), "to")
    days = reports.days_from_text(request.GET.get("days"))
    result = reports.build(cooperative=coop, name=spec.slug, start=start, end=end, days=days)
    return spec, result


def _params(request: HttpRequest, spec: reports.ReportSpec | None, result: Any) -> dict[str, str]:
    """The filter form's values: what the report used, or on an error what the user typed."""
    if result is None or spec is None:
        return {key: request.GET.get(key, "").strip()[:20].replace("\x00", "") for key in ("from", "to", "days")}
    start, end = getattr(result, "start", None), getattr(result, "end", None)
    typed = {key: request.GET.get(key, "").strip()[:20] for key in ("from", "to")}
    return {
        "from": start.isoformat() if start else typed["from"],
        "to": end.isoformat() if end else typed["to"],
        "days": str(result.days) if spec.uses_days else request.GET.get("days", "").strip()[:5].replace("\x00", ""),
    }


def _query(params: dict[str, str], spec: reports.ReportSpec) -> str:
    keep = {k: v for k, v in params.items() if v and (spec.ranged or k == "days") and (spec.uses_days or k != "days")}
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
    params = _params(request, spec, result)
    context: dict[str, Any] = {
        "coop": coop,
        "shop_perms": shop_nav_perms(roles),
        "active": "reports",
        "report_list": list(reports.REPORTS.values()),
        "name": name,
        "spec": spec,
        "params": params,
        "error": error,
        "default_days": reports.SLOW_DEFAULT_DAYS,
        # The links to the other reports keep the period read (not what failed to read).
        "keep_query": urlencode({k: params[k] for k in ("from", "to") if params[k]}) if result is not None else "",
    }
    if spec is not None and result is not None:
        query = _query(params, spec)
        context.update(
            period_label=period_label(spec, result),
            sections=[display(s) for s in exports.report_sections(spec.slug, result)],
            xlsx_url=reverse("shop:report_xlsx", args=[coop.code, spec.slug]) + query,
            pdf_url=reverse("shop:report_pdf", args=[coop.code, spec.slug]) + query,
        )
    return render(request, "shop/reports.html", context, status=status)


@login_required
@require_GET
def reports_page(request: HttpRequest, code: str) -> HttpResponse:
    """One report chosen with ``?laporan=`` (default: daily sales of this month), with its Excel and PDF links."""
    coop, roles = _coop(request, code)
    name = request.GET.get("laporan", "").strip()[:40] or DEFAULT_REPORT
    spec = reports.REPORTS.get(name)
    try:
        spec, result = _read(request, coop, name)
    except ValidationError as exc:
        return _page(request, coop, roles, name, spec, None, exc.message, exc.status)
    return _page(request, coop, roles, name, spec, result)


def _file(request: HttpRequest, code: str, name: str, extension: str) -> HttpResponse:
    coop, roles = _coop(request, code)
    spec = reports.REPORTS.get(name)
    if spec is None:
        raise NotFound(_("Laporan tidak ditemukan."), code="report_not_found")
    try:
        spec, result = _read(request, coop, name)
    except ValidationError as exc:
        return _page(request, coop, roles, name, spec, None, exc.message, exc.status)
    label = period_label(spec, result)
    stamp = f"{result.start:%Y%m%d}-{result.end:%Y%m%d}" if spec.ranged else f"{result.as_of:%Y%m%d}"
    filename = f"{spec.file_stem}-{coop.code}-{stamp}.{extension}"
    if extension == "pdf":
        content = report_pdf.report_pdf(cooperative=coop, name=spec.slug, result=result, period_label=label)
        response = HttpResponse(content, content_type=report_pdf.PDF_CONTENT_TYPE)
    else:
        content = exports.report_xlsx(cooperative=coop, name=spec.slug, result=result, period_label=label)
        response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def report_xlsx(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """The report as an Excel workbook: one sheet per table, amounts as numbers in rupiah format."""
    return _file(request, code, name, "xlsx")


@login_required
@require_GET
def report_pdf_view(request: HttpRequest, code: str, name: str) -> HttpResponse:
    """The report as an A4 PDF."""
    return _file(request, code, name, "pdf")
