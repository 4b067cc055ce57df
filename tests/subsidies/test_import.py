"""Importing recipients from Excel/CSV: a row-by-row report, confirm to write the valid rows in one go."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from koperasi.core.errors import ValidationError
from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.subsidies import importing
from koperasi.subsidies.models import Recipient
from tests.conftest import KK

pytestmark = pytest.mark.django_db

PAGE = "/k/manggar/subsidi/penerima/impor/"
TEMPLATE = "/k/manggar/subsidi/penerima/impor/template.xlsx"
TODAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _uploads_in_tmp_and_today(settings: Any, tmp_path: Any, monkeypatch: Any) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)


def nik(serial: int) -> str:
    """A valid NIK of a man born 15/05/1985 in Balikpapan Tengah with the given serial (1..999)."""
    return f"6471041505850{serial:03d}"


def person(serial: int, **overrides: Any) -> list[Any]:
    """A template row (in TEMPLATE_COLUMNS order) of a valid rumah tangga recipient."""
    values = {
        "nik": nik(serial),
        "kk": KK,
        "nama": f"Penerima {serial}",
        "kategori": "rumah_tangga",
        "nib": "",
        "nama_usaha": "",
        "alamat": f"Jl. Mulawarman No. {serial} RT 03",
        "telepon": "0812-3456-7890",
        "kode_kelurahan": "64.71.01.1001",
        "tanggal_daftar": "05/01/2026",
    }
    values.update(overrides)
    return [values[c] for c in importing.TEMPLATE_COLUMNS]


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(importing.TEMPLATE_COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], delimiter: str = ";") -> bytes:
    lines = [delimiter.join(importing.TEMPLATE_COLUMNS)] + [delimiter.join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, data: bytes, name: str = "penerima.xlsx") -> Any:
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data)})


def confirm(client: Client, response: Any) -> Any:
    return client.post(PAGE, {"token": response.context["confirm_form"].initial["token"]})


def mixed_file() -> bytes:
    """Rows 2-4 good, row 5 a bad NIK, row 6 repeats row 2's NIK, row 7 is already registered."""
    return xlsx(
        [
            person(1),
            person(2, kategori="Usaha mikro", nib="9120001234567", nama_usaha="Warung Sari"),
            person(3, kode_kelurahan="", tanggal_daftar=""),
            person(9, nik="6471043102850002"),  # 31 February
            person(5, nik=nik(1)),
            person(4),
        ]
    )


# --- the report and the confirmation ------------------------------------------------------
def test_report_lists_exactly_the_problems_and_import_creates_the_three_good_rows(
    coop: Any, kasir: Any, register: Any, register_member: Any
) -> None:
    register(nik=nik(4), kk=KK, name="Sudah Terdaftar")
    member = register_member(coop, nik=nik(1), name="Penerima 1")
    client = login(kasir)
    response = upload(client, mixed_file())
    assert response.status_code == 200
    check: importing.ImportCheck = response.context["check"]
    assert [(r.row_no, r.ok) for r in check.rows] == [
        (2, True),
        (3, True),
        (4, True),
        (5, False),
        (6, False),
        (7, False),
    ]
    assert {r.row_no: r.reasons for r in check.refused} == {
        5: ["NIK tidak valid: tanggal lahir 31-02-85 bukan tanggal yang ada (untuk perempuan tanggal ditambah 40)."],
        6: ["NIK sama dengan baris 2."],
        7: ["NIK sudah terdaftar sebagai penerima atas nama Sudah Terdaftar."],
    }
    assert [r.nik_masked for r in check.rows] == [
        "6471••••••••0001",
        "6471••••••••0002",
        "6471••••••••0003",
        "6471••••••••0002",
        "6471••••••••0001",
        "6471••••••••0004",
    ]
    html = response.content.decode()
    assert "Impor 3 baris yang valid" in html
    assert "NIK sama dengan baris 2." in html and "atas nama Sudah Terdaftar" in html
    assert nik(1) not in html  # only masked NIKs on the report
    assert Recipient.objects.count() == 1  # nothing before the confirmation

    response = confirm(client, response)
    assert response.status_code == 302
    assert response["Location"] == "/k/manggar/subsidi/penerima/"
    created = Recipient.objects.filter(cooperative=coop).exclude(nik=nik(4)).order_by("nik")
    assert [(r.nik, r.name, r.category, r.nib, r.kelurahan_id, r.registered_on) for r in created] == [
        (nik(1), "Penerima 1", "rumah_tangga", "", "64.71.01.1001", datetime.date(2026, 1, 5)),
        (nik(2), "Penerima 2", "usaha_mikro", "9120001234567", "64.71.01.1001", datetime.date(2026, 1, 5)),
        (nik(3), "Penerima 3", "rumah_tangga", "", None, TODAY),
    ]
    assert [r.member_id for r in created] == [member.pk, None, None]
    assert {r.created_by_id for r in created} == {kasir.pk}
    audit = AuditEvent.objects.get(action="subsidies.recipient.import")
    assert (audit.cooperative_id, audit.actor_id) == (coop.pk, kasir.pk)
    assert (audit.data["created"], audit.data["skipped"], audit.data["members_linked"]) == (3, 3, 1)
    assert not list((importing_dir := _upload_dir()).iterdir()), importing_dir  # the stored upload is gone


def _upload_dir() -> Any:
    from koperasi.members.importing import _upload_dir as members_upload_dir

    return members_upload_dir()


def test_csv_with_semicolons_and_commas(coop: Any, kasir: Any) -> None:
    client = login(kasir)
    for delimiter, serial in ((";", 1), (",", 2)):
        response = upload(client, csv_bytes([person(serial, alamat="Jl. Minyak")], delimiter), "penerima.csv")
        assert response.status_code == 200, response.content.decode()
        assert [r.ok for r in response.context["check"].rows] == [True]
        assert confirm(client, response).status_code == 302
    assert sorted(Recipient.objects.values_list("nik", flat=True)) == [nik(1), nik(2)]


def test_a_nik_registered_between_report_and_confirmation_is_not_imported(coop: Any, kasir: Any, register: Any) -> None:
    client = login(kasir)
    response = upload(client, xlsx([person(1), person(2)]))
    assert response.context["valid_count"] == 2
    register(nik=nik(2), kk=KK, name="Didaftar di loket")
    assert confirm(client, response).status_code == 302
    assert sorted(Recipient.objects.values_list("nik", "name")) == [
        (nik(1), "Penerima 1"),
        (nik(2), "Didaftar di loket"),
    ]
    assert AuditEvent.objects.get(action="subsidies.recipient.import").data["created"] == 1


def test_confirmation_with_a_bad_or_foreign_token_writes_nothing(coop: Any, kasir: Any, ketua: Any) -> None:
    response = upload(login(kasir), xlsx([person(1)]))
    token = response.context["confirm_form"].initial["token"]
    other = login(ketua)  # the token is bound to the user who uploaded
    refused = other.post(PAGE, {"token": token})
    assert refused.status_code == 422
    assert "kedaluwarsa atau tidak sah" in refused.content.decode()
    assert login(kasir).post(PAGE, {"token": "x" + token}).status_code == 422
    assert Recipient.objects.count() == 0


# --- the template ---------------------------------------------------------------------------
def test_template_download_has_the_columns_and_an_example_row_that_is_skipped(coop: Any, kasir: Any) -> None:
    client = login(kasir)
    page = client.get(PAGE)
    assert page.status_code == 200 and TEMPLATE in page.content.decode()
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"] == importing.XLSX_CONTENT_TYPE
    assert 'filename="templat-impor-penerima-manggar.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook["Penerima"]
    assert [c.value for c in sheet[1]] == [
        "nik",
        "kk",
        "nama",
        "kategori",
        "nib",
        "nama_usaha",
        "alamat",
        "telepon",
        "kode_kelurahan",
        "tanggal_daftar",
    ]
    assert (sheet["C2"].value, sheet["D2"].value, sheet["I2"].value) == (
        importing.EXAMPLE_NAME,
        "rumah_tangga",
        "64.71.01.1001",
    )
    assert sheet["A2"].number_format == "@"
    # Sent back untouched: only the example row, which is skipped.
    refused = upload(client, response.content, "templat.xlsx")
    assert refused.status_code == 422
    assert "Berkas tidak berisi baris penerima (hanya judul kolom)." in refused.content.decode()
    # The example row kept, one recipient added below it.
    sheet.append(person(1))
    buffer = io.BytesIO()
    workbook.save(buffer)
    checked = upload(client, buffer.getvalue(), "templat.xlsx")
    assert [(r.row_no, r.ok) for r in checked.context["check"].rows] == [(3, True)]


# --- refusals of the file -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("penerima.pdf", b"%PDF", "Jenis berkas tidak dikenali"),
        ("penerima.xlsx", b"not a zip", "Berkas tidak dapat dibaca"),
        ("penerima.csv", b"nik;nama\r\n1;2\r\n", "Kolom wajib tidak ditemukan"),
        ("penerima.csv", b"a\x00b", "Berkas tidak dapat dibaca"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(coop: Any, kasir: Any, name: str, data: bytes, message: str) -> None:
    response = upload(login(kasir), data, name)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert Recipient.objects.count() == 0


def test_more_than_ten_thousand_rows_is_a_clear_error(coop: Any) -> None:
    row = ";".join(str(v) for v in person(1)).encode()
    data = ";".join(importing.TEMPLATE_COLUMNS).encode() + b"\r\n" + (row + b"\r\n") * 10_001
    with pytest.raises(ValidationError) as refused:
        importing.import_parse("penerima.csv", data)
    assert refused.value.message == "Berkas berisi lebih dari 10.000 baris penerima; bagi menjadi beberapa berkas."
    with pytest.raises(ValidationError) as too_many:
        importing.recipients_import(cooperative=coop, rows=[{}] * 10_001, actor=None)
    assert too_many.value.code == "import_too_many_rows"
    assert Recipient.objects.count() == 0


def test_every_field_problem_is_reported_in_indonesian(coop: Any) -> None:
    rows = importing.import_parse(
        "penerima.xlsx",
        xlsx(
            [
                person(1, kategori="pedagang"),
                person(2, kategori="usaha_mikro"),
                person(3, kk="123", nama="", telepon="+1 555"),
                person(4, kode_kelurahan="99.99.99.9999", tanggal_daftar="01/01/2027"),
                person(5, nik=6471041505850000),  # Excel kept it as a number ending in 0
            ]
        ),
    )
    check = importing.import_check(cooperative=coop, rows=rows, today=TODAY)
    reasons = {r.row_no: r.reasons for r in check.rows}
    assert reasons[2] == ["Kategori harus rumah_tangga, usaha_mikro, petani atau nelayan."]
    assert reasons[3] == ["Usaha mikro wajib mempunyai NIB (13 angka dari OSS)."]
    assert reasons[4] == [
        "No. KK harus 16 angka (tertulis 3 karakter).",
        "Nama wajib diisi.",
        "Nomor HP harus nomor Indonesia (+62).",
    ]
    assert reasons[5] == [
        "Kelurahan/desa dengan kode '99.99.99.9999' tidak ditemukan.",
        "Tanggal daftar tidak boleh di masa depan.",
    ]
    assert reasons[6][0].startswith("NIK tersimpan sebagai angka")
    with pytest.raises(ValidationError) as empty:
        importing.recipients_import(cooperative=coop, rows=rows, actor=None)
    assert empty.value.code == "import_empty"
    assert Recipient.objects.count() == 0


# --- queries --------------------------------------------------------------------------------
def test_import_queries_do_not_grow_with_the_number_of_rows(coop: Any, kasir: Any, register_member: Any) -> None:
    register_member(coop, nik=nik(1))
    counts = []
    for first, size in ((1, 3), (100, 30)):
        rows = importing.import_parse(
            "penerima.xlsx", xlsx([person(first + i, kode_kelurahan="64.71.01.1002") for i in range(size)])
        )
        with CaptureQueriesContext(connection) as check_queries:
            check = importing.import_check(cooperative=coop, rows=rows, today=TODAY)
        assert len(check.valid) == size
        with CaptureQueriesContext(connection) as write_queries:
            result = importing.recipients_import(cooperative=coop, rows=rows, actor=kasir)
        assert result.created == size
        counts.append((len(check_queries), len(write_queries)))
    assert counts[0] == counts[1]
    assert counts[0] == (2, 7), counts  # check: kelurahan, registered NIKs; write: + members, insert, audit, savepoint
    assert Recipient.objects.filter(member__isnull=False).count() == 1


# --- who may import -------------------------------------------------------------------------
def test_import_needs_the_register_permission(coop: Any, grant: Any, pengawas: Any, other_ketua: Any) -> None:
    for user in (pengawas, grant(coop, Role.ANGGOTA)):
        client = login(user)
        assert client.get(PAGE).status_code == 403
        assert client.get(TEMPLATE).status_code == 403
        assert upload(client, xlsx([person(1)])).status_code == 403
    client = login(other_ketua)
    assert client.get(PAGE).status_code == 404
    assert upload(client, xlsx([person(1)])).status_code == 404
    assert Recipient.objects.count() == 0
