"""API of the subsidy reports: ``GET /api/v1/coops/{coop}/subsidies/reports/{name}?program=&from=&to=&unmask=``.

The figures come from the month of ``test_reports`` (its docstring lists the sales).
"""

from __future__ import annotations

import csv
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from koperasi.core.models import AuditEvent
from koperasi.subsidies import reports
from tests.subsidies import test_reports as case
from tests.subsidies.conftest import KK_A, NIK_A1

pytestmark = pytest.mark.django_db

month = case.month
oil_program = case.oil_program

PATH = "/coops/manggar/subsidies/reports/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


def unmasked_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="subsidies.nik.unmasked").order_by("id"))


def test_logbook(month: Any, ketua: Any, kasir: Any, lpg_program: Any, api_as: Any) -> None:
    response = api_as(ketua).get(PATH + "logbook", program=lpg_program.pk, **MARCH)
    assert response.status_code == 200
    body = response.json()
    assert (body["report"], body["title"], body["start"], body["end"], body["unmasked"], body["row_count"]) == (
        "logbook",
        "Buku catatan penyaluran",
        "2026-03-01",
        "2026-03-31",
        False,
        6,
    )
    assert body["program"] == {
        "id": lpg_program.pk,
        "name": "LPG 3 kg bersubsidi",
        "partner": "PT Pertamina Patra Niaga",
        "product": "LPG 3 kg",
        "sku": "LPG3",
        "unit": "tabung",
    }
    assert body["rows"][1] == {
        "date": "2026-03-04",
        "time": "10:00:00",
        "sale_no": month["nt2"].sale_no,
        "program": "LPG 3 kg bersubsidi",
        "nik": "6471••••••••0002",
        "name": "Siti Aminah",
        "kk": "6471••••••••0001",
        "category": "rumah_tangga",
        "category_label": "Rumah tangga",
        "qty": 3,
        "qty_returned": 1,
        "qty_net": 2,
        "unit_price": 19_000,
        "total": 57_000,
        "total_net": 38_000,
        "partner_reference": "MAP-002",
        "kasir": kasir.username,
    }
    assert body["totals"] == {
        "transactions": 6,
        "distributions": 6,
        "qty": 10,
        "qty_returned": 1,
        "qty_net": 9,
        "amount": 190_000,
        "amount_net": 171_000,
    }
    assert NIK_A1 not in response.content.decode()
    assert unmasked_events() == []


def test_unmasked_logbook_is_audited_once(month: Any, coop: Any, bendahara: Any, api_as: Any) -> None:
    response = api_as(bendahara).get(PATH + "logbook", unmask="1", **MARCH)
    assert response.status_code == 200
    body = response.json()
    assert body["unmasked"] is True and body["program"] is None
    assert (body["rows"][0]["nik"], body["rows"][0]["kk"]) == (NIK_A1, KK_A)
    (event,) = unmasked_events()
    assert (event.actor_id, event.cooperative_id, event.object_id) == (bendahara.pk, coop.pk, "")
    assert event.data == {"what": "logbook", "from": "2026-03-01", "to": "2026-03-31", "rows": 8, "format": "json"}


def test_allocation_kelurahan_anomalies(month: Any, manajer: Any, lpg_program: Any, api_as: Any) -> None:
    client = api_as(manajer)
    allocation = client.get(PATH + "allocation", program=lpg_program.pk, **MARCH).json()
    assert allocation["rows"] == [
        {
            "program_id": lpg_program.pk,
            "program": "LPG 3 kg bersubsidi",
            "unit": "tabung",
            "month": "2026-03-01",
            "start": "2026-03-01",
            "end": "2026-03-31",
            "allocation": 300,
            "source": "program",
            "source_label": "Bawaan program",
            "reference": "",
            "received": 20,
            "distributed": 9,
            "remaining": 291,
            "stock_end": 11,
        }
    ]
    assert allocation["totals"] == {"allocation": 300, "received": 20, "distributed": 9, "remaining": 291}
    kelurahan = client.get(PATH + "kelurahan", **MARCH).json()
    assert [(r["code"], r["name"], r["recipients"], r["qty_net"]) for r in kelurahan["rows"]] == [
        ("64.71.01.1002", "Lamaru", 1, 4),
        ("64.71.01.1001", "Manggar", 2, 7),
        ("", "Tidak tercatat", 1, 1),
    ]
    assert kelurahan["totals"] == {
        "recipients": 4,
        "households": 2,
        "transactions": 8,
        "qty_net": 12,
        "amount_net": 367_500,
    }
    anomalies = client.get(PATH + "anomalies", unmask="1", **MARCH).json()
    assert anomalies["thresholds"] == {
        "min_niks_per_kk": 3,
        "min_times_at_limit": 3,
        "opens": "07:00:00",
        "closes": "21:00:00",
    }
    assert anomalies["totals"] == {"many_niks": 1, "at_limit": 0, "odd_times": 3}  # at_limit: test_reports
    assert anomalies["many_niks"][0]["kk"] == KK_A
    assert anomalies["odd_times"][1]["recorded_at"] == "2026-03-06T22:30:00+08:00"
    assert [e.data["what"] for e in unmasked_events()] == ["anomalies"]  # kelurahan/allocation carry no NIK


def test_files(month: Any, ketua: Any, lpg_program: Any, api_as: Any) -> None:
    client = api_as(ketua)
    xlsx = client.get(PATH + "logbook.xlsx", program=lpg_program.pk, **MARCH)
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(BytesIO(xlsx.content))["Buku catatan penyaluran"]
    assert [c.value for c in sheet[9]][:5] == ["Tanggal", "Jam", "No. nota", "Program", "NIK"]
    assert sheet.cell(row=10, column=5).value == "6471••••••••0001"
    response = client.get(PATH + "logbook.csv", unmask="1", **MARCH)
    assert response.status_code == 200 and response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 9 and rows[1][4] == NIK_A1
    (event,) = unmasked_events()
    assert event.data["format"] == "csv"
    assert client.get(PATH + "anomalies.csv", **MARCH).status_code == 404
    assert client.get(PATH + "anomalies.xlsx", **MARCH).status_code == 200


# --- Who may ask --------------------------------------------------------------------------------------------
def test_kasir_is_refused(month: Any, kasir: Any, api_as: Any) -> None:
    client = api_as(kasir)
    for name in ("logbook", "logbook.xlsx", "logbook.csv", "anomalies"):
        response = client.get(PATH + name, unmask="1", **MARCH)
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"
    assert unmasked_events() == []


def test_unmask_needs_nik_view(month: Any, pengawas: Any, api_as: Any) -> None:
    client = api_as(pengawas)
    assert client.get(PATH + "logbook", **MARCH).status_code == 200
    refused = client.get(PATH + "logbook", unmask="1", **MARCH)
    assert refused.status_code == 403
    assert refused.json()["code"] == "nik_view_forbidden"
    assert "tidak diizinkan melihat NIK dan KK lengkap" in refused.json()["message"]
    assert client.get(PATH + "logbook.xlsx", unmask="true", **MARCH).status_code == 403
    assert unmasked_events() == []


def test_other_cooperative(month: Any, other_ketua: Any, lpg_program: Any, api_as: Any) -> None:
    client = api_as(other_ketua)
    assert client.get(PATH + "logbook", **MARCH).status_code == 404
    assert client.get(PATH + "logbook", program="x\x00", **MARCH).status_code == 404  # before reading the query
    response = client.get("/coops/lamaru/subsidies/reports/logbook", program=lpg_program.pk, **MARCH)
    assert response.status_code == 404
    assert response.json()["code"] == "program_not_found"
    own = client.get("/coops/lamaru/subsidies/reports/logbook", **MARCH).json()
    assert own["rows"] == [] and own["totals"]["transactions"] == 0


def test_anonymous(coop: Any, api_as: Any) -> None:
    assert api_as(None).get(PATH + "logbook").status_code == 401


@pytest.mark.parametrize(
    ("name", "query", "field", "code"),
    [
        ("logbook", {"from": "2026-02-30"}, "from", "date_invalid"),
        ("logbook", {"to": "kemarin"}, "to", "date_invalid"),
        ("logbook", {"from": "2026-03-31", "to": "2026-03-01"}, "from", "range_invalid"),
        ("logbook", {"from": "2025-01-01", "to": "2026-01-02"}, "to", "range_too_long"),
        ("logbook", {"from": "2026-03-01\x00"}, "from", "date_invalid"),
        ("logbook", {"program": "1" * 40}, "program", "program_invalid"),
        ("logbook", {"program": "-3"}, "program", "program_invalid"),
        ("logbook", {"program": "\x00"}, "program", "program_invalid"),
        ("logbook", {"unmask": "barangkali"}, "unmask", "flag_invalid"),
        ("rahasia", {}, "name", "report_unknown"),
        ("rahasia.xlsx", {}, "name", "report_unknown"),
    ],
)
def test_bad_query_is_422(
    month: Any, ketua: Any, api_as: Any, name: str, query: dict[str, str], field: str, code: str
) -> None:
    response = api_as(ketua).get(PATH + name, **query)
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == code and field in body["detail"]
    assert "\x00" not in body["message"]
    if code == "range_too_long":
        assert body["message"] == "Periode paling lama 366 hari; yang diminta 367 hari. Persempit tanggalnya."
    assert unmasked_events() == []


def test_unknown_programme_is_404(month: Any, ketua: Any, api_as: Any) -> None:
    response = api_as(ketua).get(PATH + "logbook", program=str(10**17))
    assert response.status_code == 404 and response.json()["code"] == "program_not_found"


def test_fixed_number_of_queries(
    coop: Any, stocked: Any, supplier: Any, oil: Any, oil_program: Any, households: Any, register: Any,
    kasir: Any, bendahara: Any, ketua: Any, api_as: Any,
) -> None:  # fmt: skip
    register(nik=case.NIK_A3, name="Rina Santoso", kelurahan_code=case.MANGGAR)
    client = api_as(ketua)
    client.get(PATH + "kelurahan")  # the token's first use writes once

    def counts() -> dict[str, int]:
        out = {}
        for name in reports.REPORTS:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(PATH + name, program=oil_program.pk, unmask="1", **MARCH).status_code == 200
            out[name] = len(ctx.captured_queries)
        return out

    case._oil_sales(coop, kasir, bendahara, supplier, oil, 3)
    with_3 = counts()
    case._oil_sales(coop, kasir, bendahara, supplier, oil, 27)
    assert counts() == with_3


def test_dinas_sees_no_logbook(month: Any, dinas_user: Any, api_as: Any) -> None:
    # Oversight gets totals elsewhere, never NIKs: the reports are the cooperative's officers'.
    response = api_as(dinas_user).get(PATH + "logbook", **MARCH)
    assert response.status_code == 403
