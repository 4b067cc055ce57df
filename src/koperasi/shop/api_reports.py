"""API of the gerai's reports: ``GET /coops/{coop}/shop/reports/{name}?from=&to=&days=``.

Mounted at ``/coops`` beside the gerai's router (``koperasi.api.api``). One path serves
every report of ``shop.reports.REPORTS`` (``daily-sales``, ``sales-by-product``,
``stock-valuation``, ``slow-moving``, ``purchases-by-supplier``, ``price-vs-het``,
``consignment``, ``sessions``) with the figures the page, the PDF and the Excel file show:
amounts are integers (rupiah), percentages strings (``"12.98"``, ``"10"``), dates ISO.

The handler checks the permission (``SHOP_REPORTS``: officers) before it reads the query,
so another cooperative's user gets 404 and a kasir 403 whatever they send; then a date
that cannot be read, a reversed or too long period, a bad ``days`` or an unknown report
is 422 with the field in ``detail``.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from koperasi.cooperatives.selectors import cooperative_get_for_user
from koperasi.core.permissions import Action
from koperasi.shop import reports

router = Router(tags=["shop-reports"])


class ReportQuery(Schema):
    # Read as text and checked after the permission (``reports.date_from_text``).
    date_from: str | None = Field(None, alias="from", description="Awal periode, TTTT-BB-HH (bawaan: awal bulan ini)")
    date_to: str | None = Field(None, alias="to", description="Akhir periode, TTTT-BB-HH (bawaan: hari ini)")
    days: str | None = Field(None, description="Stok lambat laku: tidak terjual lebih dari sekian hari (bawaan 30)")


def jsonable(value: Any) -> Any:
    """Turn a report's dataclasses into JSON: Decimal → string without trailing zeros, dates → ISO."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return "0" if text == "-0" else text
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return value


@router.get(
    "/{coop}/shop/reports/{name}",
    response=dict[str, Any],
    summary="Laporan gerai: penjualan harian, per barang, persediaan, lambat laku, pembelian, HET, titipan, sesi",
)
def shop_report(request: HttpRequest, coop: str, name: str, query: Query[ReportQuery]) -> dict[str, Any]:
    cooperative, _roles = cooperative_get_for_user(user=request.user, code=coop, action=Action.SHOP_REPORTS)
    spec = reports.report_spec(name)
    start = reports.date_from_text(query.date_from, "from")
    end = reports.date_from_text(query.date_to, "to")
    days = reports.days_from_text(query.days)
    result = reports.build(cooperative=cooperative, name=spec.slug, start=start, end=end, days=days)
    return {"report": spec.slug, "title": str(spec.title), **jsonable(result)}
