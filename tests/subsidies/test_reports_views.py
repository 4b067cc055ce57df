"""The subsidy reports page (``/k/<coop>/subsidi/laporan/``) with its Excel and CSV downloads.

The figures come from the month of ``test_reports`` (its docstring lists the sales).
"""

from __future__ import annotations

import csv
import datetime
from io import BytesIO, StringIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from koperasi.core.models import AuditEvent
from koperasi.subsidies import reports
from tests.subsidies import test_reports as case
from tests.subsidies.conftest import KK_A, NIK_A1, NIK_A2, NIK_B1

pytestmark = pytest.mark.django_db

month = case.month
oil_program = case.oil_program

BASE = "/k/manggar/subsidi/laporan/"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}
LOGBOOK_HEADER = (
    "Tanggal",
    "Jam",
    "No. nota",
    "Program",
    "NIK",
    "Nama",
    "No. KK",
    "Kategori",
    "Jumlah",
    "Diretur",
    "Jumlah neto",
    "Harga satuan",
    "Total",
    "Total neto",
    "Referensi mitra",
    "Kasir",
)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def unmasked_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="subsidies.nik.unmasked").order_by("id"))


def sheet_rows(content: bytes, sheet: str) -> list[tuple[Any, ...]]:
    book = load_workbook(BytesIO(content))
    return [tuple(c.value for c in row) for row in book[sheet].iter_rows()]


# --- The page -----------------------------------------------------------------------------------------------
def test_page_defaults_to_this_months_logbook_of_all_programmes(coop: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE)
    assert response.status_code == 200
    assert response.context["name"] == "logbook"
    today = datetime.date.today()
    assert response.context["params"] == {
        "program": "",
        "from": today.replace(day=1).isoformat(),
        "to": today.isoformat(),
    }
    page = response.content.decode()
    assert 'class="subsidy-nav no-print"' in page  # the subsidy menu
    assert 'aria-current="page">Laporan</a>' in page
    assert f'href="/k/manggar/subsidi/laporan/logbook.xlsx?from={today.replace(day=1).isoformat()}' in page
    assert 'id="unduh-csv"' in page
    assert "Semua program barang bersubsidi" in page
    for spec in reports.REPORTS.values():
        assert f'<option value="{spec.slug}"' in page


def test_logbook_page_masks_nik_and_kk(month: Any, ketua: Any, lpg_program: Any) -> None:
    response = login(ketua).get(BASE, {"laporan": "logbook", "program": lpg_program.pk, **MARCH})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="periode">Periode 1 Maret 2026 s.d. 31 Maret 2026</strong>' in page
    assert "Program LPG 3 kg bersubsidi · PT Pertamina Patra Niaga · LPG 3 kg (LPG3)" in page
    (section,) = response.context["sections"]
    first = [c.text for c in section.rows[0][1]]
    assert first == [
        "03/03/2026",
        "10:00:00",
        month["nt1"].sale_no,
        "LPG 3 kg bersubsidi",
        "6471••••••••0001",
        "Budi Santoso",
        "6471••••••••0001",
        "Rumah tangga",
        "2",
        "0",
        "2",
        "Rp 19.000",
        "Rp 38.000",
        "Rp 38.000",
        "MAP-001",
        "kasir-manggar",
    ]
    assert [c.text for c in section.totals] == [
        "Total", "—", "6 transaksi", "", "", "", "", "", "10", "1", "9", "—", "Rp 190.000", "Rp 171.000", "", "",
    ]  # fmt: skip
    for number in (NIK_A1, NIK_A2, NIK_B1, KK_A):
        assert number not in page
    assert 'id="tampilkan-nik"' in page and "Tampilkan NIK lengkap" in page
    assert f"program={lpg_program.pk}" in page and "unmask=1" in page
    assert unmasked_events() == []


def test_unmasked_page_is_audited_once_per_view(month: Any, coop: Any, ketua: Any, lpg_program: Any) -> None:
    client = login(ketua)
    query = {"laporan": "logbook", "program": lpg_program.pk, "unmask": "1", **MARCH}
    response = client.get(BASE, query)
    assert response.status_code == 200
    page = response.content.decode()
    assert NIK_A1 in page and KK_A in page
    assert 'id="samarkan-nik"' in page and 'id="tampilkan-nik"' not in page
    assert response["Cache-Control"] == "no-store"
    (event,) = unmasked_events()
    assert (event.actor_id, event.cooperative_id, event.object_type, event.object_id) == (
        ketua.pk,
        coop.pk,
        "subsidies.subsidyprogram",
        str(lpg_program.pk),
    )
    assert event.data == {"what": "logbook", "from": "2026-03-01", "to": "2026-03-31", "rows": 6, "format": "html"}
    # The downloads offered on an unmasked page stay unmasked (and are audited when fetched).
    assert 'href="/k/manggar/subsidi/laporan/logbook.xlsx?program=' in page
    client.get(BASE, query)
    assert len(unmasked_events()) == 2


def test_unmasked_anomalies_of_all_programmes(month: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE, {"laporan": "anomalies", "unmask": "1", **MARCH})
    assert response.status_code == 200
    assert [s.key for s in response.context["sections"]] == [
        "satu-kk-banyak-nik",
        "berulang-sampai-batas",
        "di-luar-jam",
    ]
    assert NIK_B1 in response.content.decode()
    (event,) = unmasked_events()
    assert (event.object_type, event.object_id) == ("", "")
    assert event.data == {"what": "anomalies", "from": "2026-03-01", "to": "2026-03-31", "rows": 4, "format": "html"}


def test_unmask_on_a_report_without_nik_is_not_audited(month: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE, {"laporan": "kelurahan", "unmask": "1", **MARCH})
    assert response.status_code == 200
    assert "Laporan ini tidak memuat NIK atau KK." in response.content.decode()
    assert unmasked_events() == []


def test_masked_anomalies_page(month: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE, {"laporan": "anomalies", **MARCH})
    page = response.content.decode()
    assert "Dicatat pukul 22:30, setelah jam tutup 21:00." in page
    assert "Satu KK membeli LPG 3 kg melalui 3 NIK berbeda" in page
    assert NIK_B1 not in page and 'id="unduh-csv"' not in page  # three tables: Excel only


def test_allocation_and_kelurahan_pages(month: Any, ketua: Any, lpg_program: Any) -> None:
    client = login(ketua)
    response = client.get(BASE, {"laporan": "allocation", "program": lpg_program.pk, **MARCH})
    (section,) = response.context["sections"]
    assert [c.text for c in section.rows[0][1]] == [
        "LPG 3 kg bersubsidi", "Maret 2026", "01/03/2026", "31/03/2026", "300", "Bawaan program", "", "20", "9",
        "291", "11",
    ]  # fmt: skip
    response = client.get(BASE, {"laporan": "kelurahan", "program": lpg_program.pk, **MARCH})
    (section,) = response.context["sections"]
    assert [[c.text for c in cells][:3] for _kind, cells in section.rows] == [
        ["64.71.01.1002", "Lamaru", "1"],
        ["64.71.01.1001", "Manggar", "2"],
        ["", "Tidak tercatat", "1"],
    ]
    assert [c.text for c in section.totals] == ["", "Total", "4", "2", "6", "9", "Rp 171.000"]


# --- Who may see what ---------------------------------------------------------------------------------------
def test_officer_without_nik_view_sees_masked_only(month: Any, pengawas: Any) -> None:
    client = login(pengawas)
    response = client.get(BASE, {"laporan": "logbook", **MARCH})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="tampilkan-nik"' not in page and 'name="unmask"' not in page
    refused = client.get(BASE, {"laporan": "logbook", "unmask": "1", **MARCH})
    assert refused.status_code == 403
    assert "tidak diizinkan melihat NIK dan KK lengkap" in refused.content.decode()
    assert client.get(BASE + "logbook.xlsx", {"unmask": "1", **MARCH}).status_code == 403
    assert client.get(BASE + "logbook.csv", {"unmask": "1", **MARCH}).status_code == 403
    assert unmasked_events() == []


def test_kasir_may_not_open_reports(month: Any, kasir: Any) -> None:
    client = login(kasir)
    for path in (BASE, BASE + "logbook.xlsx", BASE + "logbook.csv"):
        assert client.get(path, MARCH).status_code == 403
        assert client.get(path, {"unmask": "1", **MARCH}).status_code == 403
    assert unmasked_events() == []


def test_other_cooperative(month: Any, other_ketua: Any, ketua: Any, other_coop: Any, lpg_program: Any) -> None:
    client = login(other_ketua)
    for path in (BASE, BASE + "logbook.xlsx", BASE + "logbook.csv"):
        assert client.get(path, MARCH).status_code == 404
    # Their own page cannot name our programme.
    own = "/k/lamaru/subsidi/laporan/"
    assert client.get(own, {"program": lpg_program.pk, **MARCH}).status_code == 404
    assert client.get(own + "logbook.xlsx", {"program": lpg_program.pk}).status_code == 404
    assert client.get(own, MARCH).context["result"].row_count == 0


def test_anonymous_is_sent_to_login(coop: Any) -> None:
    response = Client().get(BASE)
    assert response.status_code == 302 and response["Location"].startswith("/masuk/")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"from": "2026-13-01"}, "Tanggal tidak valid: '2026-13-01'"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "Tanggal awal tidak boleh setelah tanggal akhir."),
        ({"from": "2025-01-01", "to": "2026-03-31"}, "Periode paling lama 366 hari; yang diminta 455 hari."),
        ({"from": "2026-03-01\x00"}, "Tanggal tidak valid"),
        ({"program": "9" * 30}, "Program harus nomor program"),
        ({"program": "1\x00"}, "Program harus nomor program"),
        ({"unmask": "mungkin"}, "Isi 1 (ya) atau 0 (tidak)."),
        ({"laporan": "rahasia"}, "Laporan 'rahasia' tidak dikenal"),
    ],
)
def test_bad_query_is_422_with_the_message(month: Any, ketua: Any, query: dict[str, str], message: str) -> None:
    response = login(ketua).get(BASE, query)
    assert response.status_code == 422
    page = response.content.decode()
    assert 'id="report-error"' in page and message.replace("'", "&#x27;") in page
    assert "\x00" not in page


def test_bad_query_on_a_file_is_422(month: Any, ketua: Any) -> None:
    assert login(ketua).get(BASE + "logbook.xlsx", {"from": "2026-03-31", "to": "2026-03-01"}).status_code == 422
    assert login(ketua).get(BASE + "logbook.csv", {"program": "x"}).status_code == 422


def test_unknown_file_names(ketua: Any, coop: Any) -> None:
    client = login(ketua)
    assert client.get(BASE + "rahasia.xlsx").status_code == 404
    assert client.get(BASE + "anomalies.csv").status_code == 404  # three tables: no CSV
    assert client.get(BASE + "anomalies.xlsx").status_code == 200


# --- Files --------------------------------------------------------------------------------------------------
def test_logbook_xlsx(month: Any, ketua: Any, lpg_program: Any, kasir: Any) -> None:
    response = login(ketua).get(BASE + "logbook.xlsx", {"program": lpg_program.pk, **MARCH})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Content-Disposition"] == (
        f'attachment; filename="buku-penyaluran-manggar-program{lpg_program.pk}-20260301-20260331.xlsx"'
    )
    rows = sheet_rows(response.content, "Buku catatan penyaluran")
    assert rows[0][0] == "KKMP Manggar"
    assert rows[2][0] == "Buku catatan penyaluran"
    assert rows[3][0] == "Program LPG 3 kg bersubsidi · PT Pertamina Patra Niaga · LPG 3 kg (LPG3)"
    assert rows[4][0] == "Periode 1 Maret 2026 s.d. 31 Maret 2026"
    assert rows[5][0].startswith("Dibuat oleh ketua-manggar pada ") and rows[5][0].endswith(" WITA")
    assert rows[6][0] == "NIK dan KK disamarkan (4 angka awal dan 4 angka akhir)."
    assert rows[8] == LOGBOOK_HEADER
    assert rows[9] == (
        datetime.datetime(2026, 3, 3),
        datetime.time(10, 0),
        month["nt1"].sale_no,
        "LPG 3 kg bersubsidi",
        "6471••••••••0001",
        "Budi Santoso",
        "6471••••••••0001",
        "Rumah tangga",
        2,
        0,
        2,
        19_000,
        38_000,
        38_000,
        "MAP-001",
        kasir.username,
    )
    assert rows[10][8:14] == (3, 1, 2, 19_000, 57_000, 38_000)
    assert [r[2] for r in rows[9:15]] == [month[k].sale_no for k in ("nt1", "nt2", "nt3", "nt4", "nt5", "nt6")]
    assert rows[15] == (
        "Total", None, "6 transaksi", None, None, None, None, None, 10, 1, 9, None, 190_000, 171_000, None, None,
    )  # fmt: skip
    assert unmasked_events() == []


def test_unmasked_xlsx_is_audited_once(month: Any, ketua: Any, lpg_program: Any) -> None:
    response = login(ketua).get(BASE + "logbook.xlsx", {"program": lpg_program.pk, "unmask": "1", **MARCH})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    rows = sheet_rows(response.content, "Buku catatan penyaluran")
    assert rows[6][0].startswith("NIK dan KK ditampilkan lengkap")
    assert (rows[9][4], rows[9][6]) == (NIK_A1, KK_A)
    (event,) = unmasked_events()
    assert event.data == {"what": "logbook", "from": "2026-03-01", "to": "2026-03-31", "rows": 6, "format": "xlsx"}


def test_logbook_csv(month: Any, ketua: Any, lpg_program: Any, kasir: Any) -> None:
    response = login(ketua).get(BASE + "logbook.csv", {"program": lpg_program.pk, **MARCH})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('-20260301-20260331.csv"')
    assert response.content.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads the "•"
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert tuple(rows[0]) == LOGBOOK_HEADER
    assert rows[1] == [
        "2026-03-03",
        "10:00:00",
        month["nt1"].sale_no,
        "LPG 3 kg bersubsidi",
        "6471••••••••0001",
        "Budi Santoso",
        "6471••••••••0001",
        "Rumah tangga",
        "2",
        "0",
        "2",
        "19000",
        "38000",
        "38000",
        "MAP-001",
        kasir.username,
    ]
    assert len(rows) == 7  # header + 6 distributions, no totals
    assert [r[1] for r in rows[1:]] == ["10:00:00", "10:00:00", "06:15:00", "10:00:00", "22:30:00", "09:00:00"]
    assert unmasked_events() == []


def test_unmasked_csv_is_audited_once(month: Any, ketua: Any) -> None:
    response = login(ketua).get(BASE + "logbook.csv", {"unmask": "1", **MARCH})
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][4] == NIK_A1
    (event,) = unmasked_events()
    assert event.data == {"what": "logbook", "from": "2026-03-01", "to": "2026-03-31", "rows": 8, "format": "csv"}


def test_csv_never_starts_a_formula(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, ketua: Any, kasir: Any
) -> None:
    case.sell(
        coop,
        kasir,
        lpg,
        1,
        datetime.date(2026, 3, 3),
        NIK_A1,
        case.at(datetime.date(2026, 3, 3), 10),
        partner_reference="=HYPERLINK(1)",
    )
    response = login(ketua).get(BASE + "logbook.csv", MARCH)
    rows = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][14] == "'=HYPERLINK(1)"
    book = login(ketua).get(BASE + "logbook.xlsx", MARCH)
    cell = load_workbook(BytesIO(book.content))["Buku catatan penyaluran"].cell(row=10, column=15)
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")


def test_anomalies_and_allocation_xlsx(month: Any, ketua: Any) -> None:
    client = login(ketua)
    book = load_workbook(BytesIO(client.get(BASE + "anomalies.xlsx", MARCH).content))
    assert book.sheetnames == [
        "Satu KK, banyak NIK",
        "Berulang sampai batas kuota",
        "Di luar jam atau tanggal mundur",
    ]
    late = [tuple(c.value for c in row) for row in book["Di luar jam atau tanggal mundur"].iter_rows(min_row=9)]
    assert late[0][:3] == ("Tanggal nota", "Dicatat", "No. nota")
    assert late[2][1] == datetime.datetime(2026, 3, 6, 22, 30)
    assert late[2][-1] == "Dicatat pukul 22:30, setelah jam tutup 21:00."
    rows = sheet_rows(client.get(BASE + "allocation.xlsx", MARCH).content, "Alokasi dan penyaluran")
    assert rows[6][0] == "Laporan ini tidak memuat NIK atau KK."
    assert rows[8][:5] == ("Program", "Bulan", "Dari", "Sampai", "Alokasi")
    assert rows[9][0:2] == ("Beras SPHP", "Maret 2026")
    assert rows[9][4:] == (0, "Belum ditetapkan", None, 10, 3, -3, 7)
    assert unmasked_events() == []


# --- Fixed query counts -------------------------------------------------------------------------------------
def _counts(client: Client, program_id: int) -> dict[tuple[str, str], int]:
    counts = {}
    for name in reports.REPORTS:
        for path, query in (
            (BASE, {"laporan": name, "unmask": "1"}),
            (BASE + f"{name}.xlsx", {"program": str(program_id)}),
            (BASE + f"{name}.csv", {"program": str(program_id), "unmask": "1"}),
        ):
            if path.endswith(".csv") and not reports.REPORTS[name].csv:
                continue
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(path, {**query, **MARCH})
            assert response.status_code == 200
            counts[(name, path)] = len(ctx.captured_queries)
    return counts


def test_page_and_files_run_a_fixed_number_of_queries(
    coop: Any, stocked: Any, supplier: Any, oil: Any, oil_program: Any, households: Any, register: Any,
    kasir: Any, bendahara: Any, ketua: Any,
) -> None:  # fmt: skip
    register(nik=case.NIK_A3, name="Rina Santoso", kelurahan_code=case.MANGGAR)
    client = login(ketua)
    client.get(BASE)  # the session is warm
    case._oil_sales(coop, kasir, bendahara, supplier, oil, 3)
    with_3 = _counts(client, oil_program.pk)
    case._oil_sales(coop, kasir, bendahara, supplier, oil, 27)
    assert reports.build(cooperative=coop, name="logbook", start=MARCH_START, end=MARCH_END).row_count == 30
    assert _counts(client, oil_program.pk) == with_3
    assert with_3[("logbook", BASE + "logbook.xlsx")] <= 8


MARCH_START, MARCH_END = datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)
