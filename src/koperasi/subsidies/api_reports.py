"""API of the subsidy reports: ``GET /coops/{coop}/subsidies/reports/{name}?program=&from=&to=&unmask=``.

Mounted at ``/coops`` (``koperasi.api.api``). One path serves every report of
``subsidies.reports.REPORTS`` (``logbook``, ``allocation``, ``kelurahan``, ``anomalies``)
with the figures the page and the files show: amounts are integers (rupiah), dates ISO,
times ``HH:MM:SS`` (WITA). ``…/{name}.xlsx`` and ``…/{name}.csv`` return the same files as
the pages' downloads.

The handler checks the permission (``SUBSIDY_REPORTS``: officers, not the kasir) before it
reads the query, so another cooperative's user gets 404 and a kasir 403 whatever they send;
``unmask=1`` from a role without ``SUBSIDY_NIK_VIEW`` is 403. Then an unreadable programme
id (not digits, too long, NUL), date, a reversed period or one longer than 366 days, or an
unknown report is 422 with the field in ``detail``; another cooperative's programme is 404.
Each answer with full NIKs writes one audit row.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from koperasi.cooperatives.models import Cooperative
from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.errors import NotFound
from koperasi.core.permissions import Action
from koperasi.core.roles import Role
from koperasi.subsidies import exports, reports, services
from koperasi.subsidies.models import SubsidyProgram

router = Router(tags=["subsidies-reports"])


class ReportQuery(Schema):
    # Read as text and checked after the permission.
    program: str | None = Field(None, description="Nomor program; kosong: semua program")
    date_from: str | None = Field(None, alias="from", description="Awal periode, TTTT-BB-HH (bawaan: awal bulan ini)")
    date_to: str | None = Field(None, alias="to", description="Akhir periode, TTTT-BB-HH (bawaan: hari ini)")
    unmask: str | None = Field(None, description="1: NIK dan KK lengkap (ketua, bendahara, manajer; tercatat)")


def jsonable(value: Any) -> Any:
    """Turn a report's dataclasses into JSON: dates ISO, times ``HH:MM:SS``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M:%S")
    if isinstance(value, datetime.date):  # datetimes too (local time, with offset)
        return value.isoformat()
    return value


def _run(
    request: HttpRequest, coop: str, name: str, query: ReportQuery
) -> tuple[Cooperative, frozenset[Role], reports.ReportSpec, SubsidyProgram | None, Any]:
    cooperative, roles = cooperative_get_for_user(user=request.user, code=coop, action=Action.SUBSIDY_REPORTS)
    spec, program, result = reports.report_run(
        cooperative=cooperative,
        roles=roles,
        name=name,
        program=query.program,
        date_from=query.date_from,
        date_to=query.date_to,
        unmask=query.unmask,
    )
    return cooperative, roles, spec, program, result


def _file(request: HttpRequest, coop: str, name: str, query: ReportQuery, extension: str) -> HttpResponse:
    cooperative, _roles, spec, program, result = _run(request, coop, name, query)
    if extension == "csv" and not spec.csv:
        raise NotFound("Laporan ini hanya tersedia sebagai Excel.", code="report_not_found")
    content, content_type = exports.report_file(
        cooperative=cooperative, name=spec.slug, result=result, extension=extension, actor=request.user
    )
    response = HttpResponse(content, content_type=content_type)
    services.report_nik_view_record(
        cooperative=cooperative, actor=request.user, spec=spec, program=program, result=result, file_format=extension
    )
    stamp = f"{result.start:%Y%m%d}-{result.end:%Y%m%d}"
    response["Content-Disposition"] = f'attachment; filename="{spec.file_stem}-{cooperative.code}-{stamp}.{extension}"'
    response["Cache-Control"] = "no-store"
    return response


# The file paths come first: ``{name}`` alone would also match ``logbook.xlsx``.
@router.get(
    "/{coop}/subsidies/reports/{name}.xlsx",
    response={200: None},
    summary="Laporan barang bersubsidi sebagai Excel",
)
def subsidy_report_xlsx(request: HttpRequest, coop: str, name: str, query: Query[ReportQuery]) -> HttpResponse:
    return _file(request, coop, name, query, "xlsx")


@router.get(
    "/{coop}/subsidies/reports/{name}.csv",
    response={200: None},
    summary="Laporan barang bersubsidi sebagai CSV (UTF-8 dengan BOM, dipisah koma)",
)
def subsidy_report_csv(request: HttpRequest, coop: str, name: str, query: Query[ReportQuery]) -> HttpResponse:
    return _file(request, coop, name, query, "csv")


@router.get(
    "/{coop}/subsidies/reports/{name}",
    response=dict[str, Any],
    summary="Laporan barang bersubsidi: buku penyaluran, alokasi, per kelurahan, kejanggalan",
)
def subsidy_report(request: HttpRequest, coop: str, name: str, query: Query[ReportQuery]) -> dict[str, Any]:
    cooperative, _roles, spec, program, result = _run(request, coop, name, query)
    services.report_nik_view_record(
        cooperative=cooperative, actor=request.user, spec=spec, program=program, result=result, file_format="json"
    )
    return {"report": spec.slug, "title": str(spec.title), "row_count": result.row_count, **jsonable(result)}
