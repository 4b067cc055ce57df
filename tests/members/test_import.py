"""Importing members from Excel/CSV: every row checked, refusals listed, confirm to write, re-run safe."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.members import importing
from koperasi.members.models import Member, MemberStatusChange
from tests.conftest import KK, NIK_MAN, NIK_WOMAN

pytestmark = pytest.mark.django_db

PAGE = "/k/manggar/anggota/impor/"
TEMPLATE_XLSX = "/k/manggar/anggota/impor/template.xlsx"
TEMPLATE_CSV = "/k/manggar/anggota/impor/template.csv"
TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def nik(serial: int) -> str:
    """A valid NIK of a man born 15/05/1985 in Balikpapan Tengah with the given serial."""
    return f"6471041505850{serial:03d}"


def person(serial: int, **overrides: Any) -> list[Any]:
    """A template row (in TEMPLATE_COLUMNS order) of a valid member."""
    values = {
        "nik": nik(serial),
        "kk": KK,
        "nama": f"Anggota {serial}",
        "tempat_lahir": "Balikpapan",
        "alamat": f"Jl. Sudirman No. {serial} RT 05",
        "kode_kelurahan": "64.71.01.1001",
        "no_hp": "0812-3456-7890",
        "pekerjaan": "Nelayan",
        "tanggal_masuk": "05/01/2026",
    }
    values.update(overrides)
    return [values[c] for c in importing.TEMPLATE_COLUMNS]


def xlsx(rows: list[list[Any]], header: list[str] | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(header or list(importing.TEMPLATE_COLUMNS))
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[Any]], delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    lines = [delimiter.join(importing.TEMPLATE_COLUMNS)] + [delimiter.join(str(v) for v in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def upload(client: Client, data: bytes, name: str = "anggota.xlsx") -> Any:
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data)})


def confirm(client: Client, response: Any) -> Any:
    return client.post(PAGE, {"token": response.context["confirm_form"].initial["token"]})


def check(coop: Any, data: bytes, name: str = "anggota.xlsx") -> importing.ImportCheck:
    return importing.import_check(cooperative=coop, rows=importing.import_parse(name, data), today=TODAY)


# --- template and the full round trip -----------------------------------------------------
def test_template_round_trip_imports_three_members_numbered_1_to_3(client: Client, coop: Any, kasir: Any) -> None:
    client.force_login(kasir)
    page = client.get(PAGE)
    assert page.status_code == 200
    assert TEMPLATE_XLSX in page.content.decode() and TEMPLATE_CSV in page.content.decode()
    response = client.get(TEMPLATE_XLSX)
    assert response.status_code == 200
    assert response["Content-Type"] == importing.XLSX_CONTENT_TYPE
    assert 'filename="templat-impor-anggota-manggar.xlsx"' in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Anggota", "Petunjuk"]
    sheet = workbook["Anggota"]
    assert [c.value for c in sheet[1]] == list(importing.TEMPLATE_COLUMNS)
    assert sheet["C2"].value == importing.EXAMPLE_NAME and sheet["F2"].value == "64.71.01.1001"
    assert sheet["A2"].number_format == "@"  # NIK as text
    assert "Format kolom sebagai Teks" in " ".join(str(c.value) for row in workbook["Petunjuk"] for c in row)
    # The clerk leaves the example row and fills three members below it.
    sheet.append([NIK_MAN, KK, "Budi Santoso", "Samarinda", "Jl. Sudirman 1", None, "0812-1111-2222", None, None])
    sheet.append([NIK_WOMAN, KK, "Siti Aminah", None, "Jl. Sudirman 1", "64.71.04.1002", None, "Guru", "05/01/2026"])
    sheet.append([nik(3), KK, "Joko", None, "Jl. Minyak 3", None, None, None, datetime.datetime(2026, 2, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    data = buffer.getvalue()

    response = upload(client, data, "templat-impor-anggota-manggar.xlsx")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["valid_count"] == 3
    assert "Simpan 3 anggota" in html
    assert [r.row_no for r in response.context["preview"]] == [3, 4, 5]
    assert "6471••••••••0001" in html and "15/05/1985" in html
    assert Member.objects.count() == 0  # nothing before the confirmation

    response = confirm(client, response)
    assert response.status_code == 200
    assert (response.context["result"].created, response.context["skipped"]) == (3, 0)
    assert "Nomor anggota 00001 sampai 00003" in response.content.decode()
    members = list(Member.objects.filter(cooperative=coop).order_by("member_no"))
    assert [(m.member_no, m.name, m.status, m.gender) for m in members] == [
        (1, "Budi Santoso", "calon", "L"),
        (2, "Siti Aminah", "calon", "P"),
        (3, "Joko", "calon", "L"),
    ]
    budi, siti, joko = members
    assert (budi.kelurahan_id, budi.phone, budi.birth_place, budi.joined_on) == (
        "64.71.01.1001",
        "+6281211112222",
        "Samarinda",
        timezone.localdate(),
    )
    assert (siti.kelurahan_id, siti.occupation, siti.joined_on) == ("64.71.04.1002", "Guru", datetime.date(2026, 1, 5))
    assert joko.joined_on == datetime.date(2026, 2, 1)
    assert {m.import_batch for m in members} == {hashlib.sha256(data).hexdigest()}
    assert {m.created_by_id for m in members} == {kasir.pk}
    changes = MemberStatusChange.objects.filter(cooperative=coop).order_by("member__member_no")
    assert [(c.from_status, c.to_status, c.date) for c in changes] == [("", "calon", m.joined_on) for m in members]
    audit = AuditEvent.objects.get(action="member.import")
    assert (audit.cooperative_id, audit.actor_id) == (coop.pk, kasir.pk)
    assert audit.data["created"] == 3 and audit.data["batch_id"] == hashlib.sha256(data).hexdigest()
    assert audit.data["file_name"] == "templat-impor-anggota-manggar.xlsx"
    assert not list(importing._upload_dir().iterdir())  # the stored upload is gone


def test_csv_template_downloads_with_semicolons_and_imports(client: Client, coop: Any, kasir: Any) -> None:
    client.force_login(kasir)
    response = client.get(TEMPLATE_CSV)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbfnik;kk;nama;")
    data = response.content + ";".join(str(v) for v in person(1)).encode() + b"\r\n"
    response = upload(client, data, "anggota.csv")
    assert response.context["valid_count"] == 1  # the example row is skipped
    confirm(client, response)
    assert list(Member.objects.values_list("member_no", "nik")) == [(1, nik(1))]


# --- checking -----------------------------------------------------------------------------
def test_bad_rows_are_listed_with_every_reason_and_only_valid_rows_go_in_on_confirm(
    client: Client, coop: Any, kasir: Any
) -> None:
    client.force_login(kasir)
    rows = [
        person(1),  # row 2
        person(2, nik="6471043102850002"),  # row 3: 31 February
        person(3, kk="123", nama="", no_hp="+1 555"),  # row 4: three reasons
        person(4, kode_kelurahan="99.99.99.9999"),  # row 5
        person(5, tanggal_masuk="01/01/2027"),  # row 6: in the future
        person(6, alamat=""),  # row 7
        person(7),  # row 8
    ]
    response = upload(client, xlsx(rows))
    assert response.status_code == 200
    result: importing.ImportCheck = response.context["check"]
    assert (len(result.valid), len(result.registered), len(result.refused)) == (2, 0, 5)
    refused = {r.row_no: r.reasons for r in result.refused}
    assert refused == {
        3: ["NIK tidak valid: tanggal lahir 31-02-85 bukan tanggal yang ada (untuk perempuan tanggal ditambah 40)."],
        4: [
            "No. KK harus 16 angka (tertulis 3 karakter).",
            "Nama wajib diisi.",
            "Nomor HP harus nomor Indonesia (+62).",
        ],
        5: ["Kelurahan/desa dengan kode '99.99.99.9999' tidak ditemukan."],
        6: ["Tanggal masuk tidak boleh di masa depan."],
        7: ["Alamat wajib diisi (jalan, RT/RW)."],
    }
    html = response.content.decode()
    for reasons in refused.values():
        for reason in reasons:
            assert reason.replace("'", "&#x27;") in html
    assert "5 baris ditolak" in html and "Simpan 2 anggota" in html
    assert Member.objects.count() == 0 and AuditEvent.objects.filter(action="member.import").count() == 0

    response = confirm(client, response)
    assert response.status_code == 200
    assert (response.context["result"].created, response.context["refused"]) == (2, 5)
    assert list(Member.objects.order_by("member_no").values_list("member_no", "nik")) == [(1, nik(1)), (2, nik(7))]


def test_file_with_only_refused_rows_has_no_save_button(client: Client, coop: Any, kasir: Any) -> None:
    client.force_login(kasir)
    response = upload(client, xlsx([person(1, nik="123")]))
    assert response.status_code == 422
    html = response.content.decode()
    assert "NIK harus 16 angka (tertulis 3 karakter)." in html
    assert 'name="token"' not in html
    assert not importing._upload_dir().exists() or not list(importing._upload_dir().iterdir())


def test_rerunning_the_same_file_creates_nothing_and_reports_them_registered(
    client: Client, coop: Any, kasir: Any
) -> None:
    client.force_login(kasir)
    data = xlsx([person(1), person(2), person(3, nik="1")])
    stale = check(coop, xlsx([person(1), person(4)])).valid_data  # checked before the import below
    confirm(client, upload(client, data))
    assert Member.objects.count() == 2

    response = upload(client, data)
    assert response.status_code == 422  # nothing new, one refused row
    result = response.context["check"]
    assert (len(result.valid), len(result.registered), len(result.refused)) == (0, 2, 1)
    assert [r.note for r in result.registered] == ["sudah terdaftar (no. 00001)", "sudah terdaftar (no. 00002)"]
    html = response.content.decode()
    assert "sudah terdaftar (no. 00002)" in html and 'name="token"' not in html

    # The service checks again inside its transaction: a stale row and a repeat are skipped.
    outcome = importing.members_import(cooperative=coop, rows=[*stale, stale[1]], actor=kasir, batch_id="x")
    assert (outcome.created, outcome.skipped, outcome.first_no, outcome.last_no) == (1, 2, 3, 3)
    assert Member.objects.count() == 3


def test_a_registration_between_preview_and_confirm_is_skipped(
    client: Client, coop: Any, kasir: Any, register_member: Any
) -> None:
    client.force_login(kasir)
    response = upload(client, xlsx([person(1), person(2)]))
    assert response.context["valid_count"] == 2
    register_member(coop, nik=nik(2))  # someone registers row 3's person at the counter
    response = confirm(client, response)
    assert (response.context["result"].created, response.context["skipped"]) == (1, 1)
    assert list(Member.objects.order_by("member_no").values_list("member_no", "nik")) == [(1, nik(2)), (2, nik(1))]


def test_nik_repeated_in_the_file_refuses_the_later_rows(coop: Any) -> None:
    result = check(coop, xlsx([person(1), person(2), person(1, nama="Budi Lagi"), person(1, kk="1")]))
    assert [r.row_no for r in result.valid] == [2, 3]
    assert {r.row_no: r.reasons for r in result.refused} == {
        4: ["NIK sama dengan baris 2."],
        5: ["NIK sama dengan baris 2.", "No. KK harus 16 angka (tertulis 1 karakter)."],
    }


def test_a_nik_registered_elsewhere_or_by_a_former_member_is_not_a_duplicate(
    coop: Any, other_coop: Any, register_member: Any
) -> None:
    register_member(other_coop, nik=nik(1))
    result = check(coop, xlsx([person(1)]))
    assert [r.row_no for r in result.valid] == [2]


def test_numeric_nik_cells_exact_integers_accepted_lost_digits_refused(coop: Any) -> None:
    data = xlsx(
        [
            person(1, nik=int(nik(1)), kk=int(KK), no_hp=81234567890),  # row 2: exact integers
            person(2, nik=6471041505850010),  # row 3: ends in 0, as Excel saves any 16-digit number
            person(3, nik="6.47104E+15"),  # row 4: scientific text from a CSV Excel wrote
            person(4, nik=6471041505850999, kk=6471040101100999),  # row 5: becomes a decimal below
        ]
    )
    # openpyxl writes whole floats as integers; write row 5 as Excel does a decimal cell.
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b"<v>6471041505850999</v>", b"<v>6.47104150585E+15</v>")
                content = content.replace(b"<v>6471040101100999</v>", b"<v>6.4710401011E+15</v>")
            target.writestr(item, content)
    rows = importing.import_parse("a.xlsx", buffer.getvalue())
    assert (rows[0]["nik"], rows[0]["kk"], rows[0]["phone"]) == (nik(1), KK, "81234567890")
    result = importing.import_check(cooperative=coop, rows=rows, today=TODAY)
    assert [r.row_no for r in result.valid] == [2]
    assert result.valid[0].data is not None and result.valid[0].data.phone == "+6281234567890"
    refused = {r.row_no: r.reasons for r in result.refused}
    assert refused[3] == [
        "NIK tersimpan sebagai angka (6471041505850010) sehingga digit terakhirnya hilang (Excel hanya menyimpan "
        "15 digit). Format kolom NIK sebagai Teks, lalu ketik ulang NIK-nya."
    ]
    assert refused[4][0].startswith("NIK tersimpan sebagai angka (6.47104E+15)")
    assert refused[5][0].startswith("NIK tersimpan sebagai angka (6.47104e+15)")
    assert "Format kolom No. KK sebagai Teks" in refused[5][1]


def test_csv_with_semicolons_commas_tabs_and_windows_encoding(coop: Any) -> None:
    for delimiter in (";", ",", "\t"):
        rows = importing.import_parse("a.csv", csv_bytes([person(1), person(2)], delimiter=delimiter))
        assert [(r["row_no"], r["nik"], r["name"]) for r in rows] == [
            (2, nik(1), "Anggota 1"),
            (3, nik(2), "Anggota 2"),
        ]
    rows = importing.import_parse("a.CSV", csv_bytes([person(1, nama="Bambang Sétiawan")], encoding="cp1252"))
    assert rows[0]["name"] == "Bambang Sétiawan"
    result = importing.import_check(cooperative=coop, rows=rows, today=TODAY)
    assert len(result.valid) == 1


def test_headers_are_matched_without_case_spaces_or_underscores_and_blank_rows_skipped(coop: Any) -> None:
    header = ["NIK", "No. KK", "Nama Lengkap", "Alamat", "Kode Kelurahan", "No HP", "Tanggal Masuk", "Catatan"]
    data = xlsx(
        [
            [nik(1), KK, "Budi", "Jl. A", None, "0812 3456 7890", "2026-01-05", "bebas"],
            [None, None, None, None, None, None, None, None],
            [nik(2), KK, "Bambang", "Jl. B", "64.71.04.1001", None, None, None],
        ],
        header=header,
    )
    result = check(coop, data)
    assert [(r.row_no, r.data.name if r.data else None) for r in result.valid] == [(2, "Budi"), (4, "Bambang")]
    assert result.valid[0].data is not None and result.valid[0].data.kelurahan_code == coop.kelurahan_id


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("anggota.pdf", b"%PDF", "Jenis berkas tidak dikenali: unggah berkas .xlsx atau .csv."),
        ("anggota.xlsx", b"ini bukan excel", "Berkas tidak dapat dibaca."),
        ("anggota.csv", b"\x00\x01\x02", "Berkas tidak dapat dibaca."),
        ("anggota.csv", b"nik;nama\r\n1;Budi\r\n", "Kolom wajib tidak ditemukan: kk, alamat."),
        ("anggota.csv", b"nomor;nama\r\n", "Kolom wajib tidak ditemukan: nik, kk, nama, alamat."),
        ("anggota.csv", b"nik;kk;nama;alamat\r\n;;;\r\n", "Berkas tidak berisi baris anggota"),
    ],
)
def test_parse_refuses_bad_files_with_a_clear_reason(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as exc:
        importing.import_parse(name, data)
    assert exc.value.message.startswith(message)
    assert list(exc.value.detail) == ["file"]


def test_parse_refuses_more_than_20000_rows() -> None:
    data = csv_bytes([person(1)] * 20_001, delimiter=",")
    with pytest.raises(ValidationError) as exc:
        importing.import_parse("a.csv", data)
    assert exc.value.code == "import_too_many_rows"
    assert "lebih dari 20.000 baris" in exc.value.message
    assert len(importing.import_parse("a.csv", csv_bytes([person(1)] * 20_000, delimiter=","))) == 20_000


def test_missing_column_upload_shows_the_error_and_keeps_the_form(client: Client, coop: Any, kasir: Any) -> None:
    client.force_login(kasir)
    response = upload(client, b"nik,nama\r\n6471041505850001,Budi\r\n", "anggota.csv")
    assert response.status_code == 422
    assert "Kolom wajib tidak ditemukan: kk, alamat." in response.content.decode()
    assert response.context["upload_form"].errors["file"]
    assert client.post(PAGE, {}).status_code == 422  # no file at all
    assert Member.objects.count() == 0


def test_members_import_refuses_nothing_to_write(coop: Any, kasir: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        importing.members_import(cooperative=coop, rows=[], actor=kasir, batch_id="x")
    assert exc.value.code == "import_empty"
    assert AuditEvent.objects.filter(action="member.import").count() == 0


# --- the confirmation token ---------------------------------------------------------------
def test_tampered_foreign_or_used_token_is_refused(client: Client, coop: Any, kasir: Any, grant: Any) -> None:
    client.force_login(kasir)
    response = upload(client, xlsx([person(1)]))
    token = response.context["confirm_form"].initial["token"]
    expired = "Pratinjau sudah kedaluwarsa atau tidak sah"
    response = client.post(PAGE, {"token": token[:-2] + "xx"})
    assert response.status_code == 422 and expired in response.content.decode()
    # Another clerk of the same cooperative cannot replay this user's preview.
    client.force_login(grant(coop, Role.SEKRETARIS, "sekretaris-dua"))
    assert client.post(PAGE, {"token": token}).status_code == 422
    assert Member.objects.count() == 0
    client.force_login(kasir)
    assert client.post(PAGE, {"token": token}).status_code == 200
    response = client.post(PAGE, {"token": token})  # the stored file was used up
    assert response.status_code == 422 and expired in response.content.decode()
    assert Member.objects.count() == 1


def test_a_stored_file_that_changed_is_not_imported(client: Client, coop: Any, kasir: Any) -> None:
    client.force_login(kasir)
    response = upload(client, xlsx([person(1)]))
    (stored,) = list(importing._upload_dir().iterdir())
    stored.write_bytes(xlsx([person(1), person(2)]))
    assert confirm(client, response).status_code == 422
    assert Member.objects.count() == 0


# --- permissions and tenancy --------------------------------------------------------------
def test_other_cooperative_is_404_and_roles_without_manage_403(
    client: Client, coop: Any, other_coop: Any, grant: Any, kasir: Any
) -> None:
    data = xlsx([person(1)])
    client.force_login(grant(other_coop, Role.KETUA, "ketua-lamaru"))
    assert client.get(PAGE).status_code == 404
    assert client.get(TEMPLATE_XLSX).status_code == 404
    assert upload(client, data).status_code == 404
    # A preview token taken in Lamaru does not work in Manggar (nor the other way round).
    lamaru = upload_to(client, "/k/lamaru/anggota/impor/", data)
    assert client.post(PAGE, {"token": lamaru}).status_code == 404
    for role in (Role.PENGAWAS, Role.ANGGOTA):
        client.force_login(grant(coop, role, f"{role}-uji"))
        assert client.get(PAGE).status_code == 403
        assert client.get(TEMPLATE_CSV).status_code == 403
        assert upload(client, data).status_code == 403
    client.force_login(kasir)
    assert client.get(PAGE).status_code == 200
    assert client.post(PAGE, {"token": lamaru}).status_code == 422
    assert Member.objects.count() == 0


def upload_to(client: Client, path: str, data: bytes) -> str:
    response = client.post(path, {"file": SimpleUploadedFile("a.xlsx", data)})
    assert response.status_code == 200
    return str(response.context["confirm_form"].initial["token"])


def test_template_format_other_than_xlsx_or_csv_is_404(client: Client, coop: Any, kasir: Any) -> None:
    client.force_login(kasir)
    assert client.get("/k/manggar/anggota/impor/template.pdf").status_code == 404


# --- queries ------------------------------------------------------------------------------
def test_check_and_write_of_200_rows_run_a_bounded_number_of_queries(
    coop: Any, kasir: Any, django_assert_max_num_queries: Any, register_member: Any
) -> None:
    register_member(coop, nik=nik(7))
    codes = ["64.71.01.1001", "64.71.04.1002", "64.71.02.1003", ""]
    rows = importing.import_parse("a.xlsx", xlsx([person(i, kode_kelurahan=codes[i % 4]) for i in range(1, 201)]))
    with django_assert_max_num_queries(30):
        result = importing.import_check(cooperative=coop, rows=rows, today=TODAY)
        outcome = importing.members_import(cooperative=coop, rows=result.valid_data, actor=kasir, batch_id="b" * 64)
    assert (len(result.valid), len(result.registered), outcome.created) == (199, 1, 199)
    assert list(
        Member.objects.filter(import_batch="b" * 64).order_by("member_no").values_list("member_no", flat=True)
    ) == list(range(2, 201))
    assert MemberStatusChange.objects.filter(cooperative=coop).count() == 200
    assert re.fullmatch(r"\d{16}", Member.objects.last().nik)  # type: ignore[union-attr]


# --- concurrency (PostgreSQL, real connections) -------------------------------------------
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_parallel_confirmations_and_a_registration_write_each_person_once(
    coop: Any, kasir: Any, member_data: Any
) -> None:
    import threading

    from django.db import connection

    from koperasi.members.services import member_register

    valid = check(coop, xlsx([person(i) for i in range(1, 31)])).valid_data
    outcomes: list[Any] = []
    barrier = threading.Barrier(4)

    def run(job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(job())
        except Exception as exc:  # the test reports whatever went wrong
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    def confirm_job() -> Any:
        result = importing.members_import(cooperative=coop, rows=valid, actor=kasir, batch_id="p" * 64)
        return ("import", result.created)

    def register_job() -> Any:
        try:
            return ("register", member_register(cooperative=coop, data=member_data(nik=nik(17)), actor=kasir).member_no)
        except Conflict as exc:
            return ("register", exc.code)

    threads = [threading.Thread(target=run, args=(job,)) for job in [confirm_job] * 3 + [register_job]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    imports = sorted(n for kind, n in outcomes if kind == "import")
    (registered,) = [n for kind, n in outcomes if kind == "register"]
    # One confirmation writes everyone the counter did not register first; the others find them all.
    if registered == "member_nik_taken":
        assert imports == [0, 0, 30]
    else:
        assert (imports, registered) == ([0, 0, 29], 1)
    members = Member.objects.filter(cooperative=coop)
    assert sorted(members.values_list("member_no", flat=True)) == list(range(1, 31))
    assert sorted(members.values_list("nik", flat=True)) == sorted(nik(i) for i in range(1, 31))
    assert MemberStatusChange.objects.filter(cooperative=coop).count() == 30
