"""Dinas pages: the cooperatives of the kota, with filters, and their Excel export.

Views only parse the query string, check the permission, call the oversight selectors and
render (DESIGN.md §7). Every figure comes from ``oversight.selectors``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from koperasi.cooperatives.choices import Stage
from koperasi.core.access import global_roles, require
from koperasi.core.permissions import Action
from koperasi.oversight.exports import XLSX_CONTENT_TYPE, cooperatives_workbook, local_date
from koperasi.oversight.selectors import oversight_items, oversight_queryset, oversight_summary

SEARCH_MAX_LENGTH = 100


def _filters(request: HttpRequest) -> dict[str, str]:
    """Read the filters from the query string; an unknown stage is ignored, not an error."""
    stage = request.GET.get("stage", "").strip()
    return {
        "kecamatan": request.GET.get("kecamatan", "").strip()[:20],
        "stage": stage if stage in Stage.values else "",
        "q": request.GET.get("q", "").strip()[:SEARCH_MAX_LENGTH],
    }


def _url(name: str, filters: dict[str, str], **changes: str) -> str:
    """The URL of ``name`` with the non-empty filters (and ``changes``) as its query string."""
    params = {key: value for key, value in {**filters, **changes}.items() if value}
    return reverse(name) + (f"?{urlencode(params)}" if params else "")


def _rows(request: HttpRequest, filters: dict[str, str]) -> list[dict[str, Any]]:
    queryset = oversight_queryset(
        user=request.user,
        kecamatan_code=filters["kecamatan"] or None,
        stage=filters["stage"] or None,
        search=filters["q"] or None,
    )
    return oversight_items(queryset)


def _group_by_kecamatan(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Group rows (already ordered by kelurahan code) under their kecamatan."""
    groups: dict[str, dict[str, Any]] = {}
    for row in rows:
        group = groups.setdefault(
            row["kecamatan_code"], {"code": row["kecamatan_code"], "name": row["kecamatan_name"], "rows": []}
        )
        group["rows"].append(row)
    return [groups[code] for code in sorted(groups)]


def _stage_tiles(summary: dict[str, Any], filters: dict[str, str]) -> tuple[int, list[dict[str, Any]]]:
    """Counts per stage for the tiles: over the chosen kecamatan, or over the whole kota."""
    if filters["kecamatan"]:
        entry = next((k for k in summary["by_kecamatan"] if k["code"] == filters["kecamatan"]), None)
        stages: dict[str, int] = entry["stages"] if entry else {}
        counts = [(stage, stages.get(stage.value, 0)) for stage in Stage]
    else:
        counts = summary["by_stage"]
    tiles = [
        {
            "value": stage.value,
            "label": stage.label,
            "count": count,
            "active": filters["stage"] == stage.value,
            "url": _url("oversight:cooperative_list", filters, stage=stage.value),
        }
        for stage, count in counts
        if count or filters["stage"] == stage.value
    ]
    return sum(count for _, count in counts), tiles


@login_required
@require_GET
def cooperative_list(request: HttpRequest) -> HttpResponse:
    require(global_roles(request.user), Action.OVERSIGHT_VIEW)
    filters = _filters(request)
    summary = oversight_summary(user=request.user)
    rows = [{**row, "stage_since_date": local_date(row["stage_since"])} for row in _rows(request, filters)]
    scope_total, tiles = _stage_tiles(summary, filters)
    context = {
        "filters": filters,
        "summary": summary,
        "scope_total": scope_total,
        "tiles": tiles,
        "stages": Stage.choices,
        "rows_count": len(rows),
        "groups": _group_by_kecamatan(rows),
        "filtered": any(filters.values()),
        "all_stages_url": _url("oversight:cooperative_list", filters, stage=""),
        "export_url": _url("oversight:cooperative_export", filters),
    }
    template = "oversight/cooperative_list.html"
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        template += "#results"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_GET
def cooperative_export(request: HttpRequest) -> HttpResponse:
    require(global_roles(request.user), Action.OVERSIGHT_VIEW)
    filters = _filters(request)
    content = cooperatives_workbook(_rows(request, filters), oversight_summary(user=request.user))
    filename = f"koperasi-{timezone.localdate().isoformat()}.xlsx"
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
