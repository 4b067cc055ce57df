"""Opening balances: the template, reading it, the import service and the upload → preview → import page."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger import selectors
from koperasi.ledger.models import Account, JournalEntry, JournalLine
from koperasi.ledger.opening import (
    OpeningRow,
    opening_balance_entry,
    opening_balance_import,
    opening_balance_parse,
    opening_balance_template,
)
from koperasi.ledger.services import period_close
from koperasi.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db

D = datetime.date
CUTOVER = D(2025, 12, 31)
PAGE = "/k/manggar/buku/saldo-awal/"
TEMPLATE = "/k/manggar/buku/saldo-awal/template.xlsx"

# A small cooperative's books at the cut-over: Rp 12.500.000 of assets = liabilities + equity.
BALANCES = {
    "1-1100": (2_500_000, 0),
    "1-1200": (7_000_000, 0),
    "1-1300": (3_500_000, 0),
    "1-1310": (0, 500_000),
    "2-1100": (0, 1_500_000),
    "3-1100": (0, 4_000_000),
    "3-1200": (0, 6_000_000),
    "3-1500": (0, 1_000_000),
}


def fill(
    cooperative: Any, day: Any, amounts: dict[str, tuple[Any, Any]], extra: list[list[Any]] | None = None
) -> bytes:
    """The downloaded template with the date cell and some Debit/Kredit cells filled in."""
    book = load_workbook(BytesIO(opening_balance_template(cooperative)))
    sheet = book["Saldo awal"]
    sheet["B3"] = day
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Kode akun")
    for row in sheet.iter_rows(min_row=header + 1):
        code = row[0].value
        if code in amounts:
            row[3].value, row[4].value = amounts[code]
    for values in extra or []:
        sheet.insert_rows(header + 1)
        for column, value in enumerate(values, start=1):
            sheet.cell(row=header + 1, column=column, value=value)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rows_of(amounts: dict[str, tuple[int, int]]) -> list[OpeningRow]:
    return [OpeningRow(row_no=i, code=code, debit=d, credit=c) for i, (code, (d, c)) in enumerate(amounts.items(), 12)]


def counts() -> tuple[int, int, int]:
    return JournalEntry.objects.count(), JournalLine.objects.count(), AuditEvent.objects.count()


# --- template -----------------------------------------------------------------------------
def test_template_lists_every_active_leaf_account_with_empty_amounts(coop: Any, bendahara: Any) -> None:
    Account.objects.filter(cooperative=coop, code="1-1600").update(is_active=False)
    sheet = load_workbook(BytesIO(opening_balance_template(coop)))["Saldo awal"]
    assert sheet["A3"].value == "Tanggal saldo awal"
    assert sheet["B3"].value is None
    texts = [row[0] for row in sheet.iter_rows(values_only=True) if row and row[0]]
    assert any(str(t).startswith("Petunjuk pengisian") for t in texts)
    header = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Kode akun")
    assert [c.value for c in sheet[header]] == ["Kode akun", "Nama akun", "Saldo normal", "Debit", "Kredit"]
    listed = [
        (row[0], row[1], row[2], row[3], row[4])
        for row in sheet.iter_rows(min_row=header + 1, values_only=True)
        if row[0] and row[0] != "Jumlah"
    ]
    expected = list(
        Account.objects.filter(cooperative=coop, is_group=False, is_active=True)
        .order_by("code")
        .values_list("code", "name")
    )
    assert [(code, name) for code, name, *_ in listed] == expected
    assert all(debit is None and credit is None for *_, debit, credit in listed)
    assert ("1-1310", "Cadangan kerugian piutang (PPAP)", "Kredit", None, None) in listed
    assert "1-1000" not in [r[0] for r in listed] and "1-1600" not in [r[0] for r in listed]


# --- parsing ------------------------------------------------------------------------------
def test_parse_reads_the_date_and_filled_rows_only(coop: Any) -> None:
    data = fill(coop, datetime.datetime(2025, 12, 31), {"1-1100": (2_500_000, None), "3-1100": (None, "2.500.000")})
    parsed = opening_balance_parse(data)
    assert parsed.date == CUTOVER
    assert [(r.code, r.debit, r.credit, r.problems) for r in parsed.rows] == [
        ("1-1100", 2_500_000, 0, []),
        ("3-1100", 0, 2_500_000, []),
    ]
    assert parsed.problems == []
    assert (parsed.total_debit, parsed.total_credit) == (2_500_000, 2_500_000)
    assert parsed.rows[0].name == "Kas"


def test_parse_reports_each_bad_row_and_a_missing_date(coop: Any) -> None:
    data = fill(
        coop,
        None,
        {"1-1100": (-5, None), "1-1200": (1000.5, None), "1-1300": (1000, 1000), "1-1400": ("seribu", None)},
        extra=[[None, "tanpa kode", None, 5000, None]],
    )
    parsed = opening_balance_parse(data)
    assert parsed.date is None
    assert parsed.problems == ["Tanggal saldo awal belum diisi (sel B3)."]
    problems = {r.code: r.problems for r in parsed.rows}
    header = 12  # title, blank, date, blank, six lines of instructions, blank, then the header row
    assert problems[""] == [f"Baris {header + 1}: kode akun kosong."]
    assert problems["1-1100"][0].endswith("Debit '-5' bukan jumlah rupiah bulat yang tidak negatif.")
    assert "Debit '1000.5' bukan jumlah rupiah bulat" in problems["1-1200"][0]
    assert problems["1-1300"][0].endswith("isi Debit atau Kredit, tidak keduanya.")
    assert "Debit 'seribu'" in problems["1-1400"][0]
    assert not parsed.ok


def test_parse_accepts_a_text_date(coop: Any) -> None:
    assert opening_balance_parse(fill(coop, "31/12/2025", {"1-1100": (1, None)})).date == CUTOVER
    parsed = opening_balance_parse(fill(coop, "akhir tahun", {"1-1100": (1, None)}))
    assert parsed.date is None
    assert parsed.problems == ["Tanggal saldo awal 'akhir tahun' tidak dikenali; tulis DD/MM/YYYY."]


@pytest.mark.parametrize("data", [b"", b"bukan excel", b"PK\x03\x04rusak" * 10])
def test_parse_refuses_an_unreadable_file(data: bytes) -> None:
    with pytest.raises(ValidationError) as caught:
        opening_balance_parse(data)
    assert caught.value.message.startswith("Berkas tidak dapat dibaca. Unggah berkas Excel (.xlsx)")
    assert caught.value.code == "opening_file_unreadable"


def test_parse_refuses_a_workbook_that_is_not_the_template() -> None:
    book = Workbook()
    book.active.append(["Nama", "Jumlah"])
    buffer = BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as caught:
        opening_balance_parse(buffer.getvalue())
    assert caught.value.message == "Baris judul 'Kode akun' tidak ditemukan. Gunakan templat saldo awal."


# --- the service --------------------------------------------------------------------------
def test_balanced_import_posts_exact_balances_as_one_entry(coop: Any, bendahara: Any) -> None:
    entry = opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows_of(BALANCES), actor=bendahara)
    assert (entry.date, entry.source_type, entry.idempotency_key, entry.amount) == (
        CUTOVER,
        "opening_balance",
        "saldo-awal",
        13_000_000,
    )
    assert entry.memo == "Saldo awal per 31/12/2025"
    assert JournalEntry.objects.filter(cooperative=coop).count() == 1
    tb = selectors.trial_balance(cooperative=coop, as_of=CUTOVER)
    assert [(r.account.code, r.debit, r.credit) for r in tb.rows] == [
        ("1-1100", 2_500_000, 0),
        ("1-1200", 7_000_000, 0),
        ("1-1300", 3_500_000, 0),
        ("1-1310", 0, 500_000),
        ("2-1100", 0, 1_500_000),
        ("3-1100", 0, 4_000_000),
        ("3-1200", 0, 6_000_000),
        ("3-1500", 0, 1_000_000),
    ]
    assert (tb.total_debit, tb.total_credit) == (13_000_000, 13_000_000)
    sheet = selectors.balance_sheet(cooperative=coop, as_of=CUTOVER)
    assert sheet.totals["total_assets"][0] == 12_500_000
    assert AuditEvent.objects.filter(action="ledger.opening_balance_import").count() == 1
    assert opening_balance_entry(cooperative=coop) == entry
    assert ledger_verify(cooperative=coop).ok


def test_unbalanced_import_is_refused_with_the_difference_and_nothing_posted(coop: Any, bendahara: Any) -> None:
    before = counts()
    rows = rows_of({"1-1100": (1_000_000, 0), "3-1100": (0, 900_000)})
    with pytest.raises(ValidationError) as caught:
        opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows, actor=bendahara)
    assert caught.value.code == "opening_balance_unbalanced"
    assert caught.value.message == (
        "Saldo awal tidak seimbang: debit Rp 1.000.000, kredit Rp 900.000, selisih Rp 100.000."
    )
    assert caught.value.detail["difference"] == ["100000"]
    assert counts() == before


def test_unknown_group_inactive_and_duplicate_accounts_are_refused_naming_the_row(coop: Any, bendahara: Any) -> None:
    Account.objects.filter(cooperative=coop, code="1-1600").update(is_active=False)
    before = counts()
    rows = [
        OpeningRow(row_no=12, code="1-1100", debit=1_000),
        OpeningRow(row_no=13, code="9-9999", credit=1_000),
    ]
    with pytest.raises(ValidationError) as caught:
        opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows, actor=bendahara)
    assert caught.value.code == "opening_balance_invalid"
    assert "Baris 13: akun '9-9999' tidak ada di bagan akun koperasi ini." in caught.value.message
    assert caught.value.detail["rows"] == ["Baris 13: akun '9-9999' tidak ada di bagan akun koperasi ini."]
    rows = [
        OpeningRow(row_no=12, code="1-1000", debit=1_000),
        OpeningRow(row_no=13, code="1-1600", debit=1_000),
        OpeningRow(row_no=14, code="3-1100", credit=1_000),
        OpeningRow(row_no=15, code="3-1100", credit=1_000),
        OpeningRow(row_no=16, code="3-1200", debit=5, credit=5),
        OpeningRow(row_no=17, code="3-1300", debit=-5),
    ]
    with pytest.raises(ValidationError) as caught:
        opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows, actor=bendahara)
    assert caught.value.detail["rows"] == [
        "Baris 12: akun 1-1000 adalah akun kelompok; isi saldo pada akun rinciannya.",
        "Baris 13: akun 1-1600 tidak aktif.",
        "Baris 15: akun 3-1100 sudah diisi di baris 14.",
        "Baris 16: isi Debit atau Kredit, tidak keduanya.",
        "Baris 17: jumlah harus rupiah bulat yang tidak negatif.",
    ]
    assert "(dan 2 masalah lain)" in caught.value.message
    assert counts() == before


def test_rows_without_an_amount_are_skipped(coop: Any, bendahara: Any) -> None:
    rows = rows_of({"1-1100": (1_000, 0), "1-1200": (0, 0), "3-1100": (0, 1_000)})
    entry = opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows, actor=bendahara)
    assert sorted(entry.lines.values_list("account__code", flat=True)) == ["1-1100", "3-1100"]


def test_second_import_is_refused(coop: Any, bendahara: Any) -> None:
    opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows_of(BALANCES), actor=bendahara)
    before = counts()
    with pytest.raises(Conflict) as caught:
        opening_balance_import(cooperative=coop, date=D(2026, 1, 31), rows=rows_of(BALANCES), actor=bendahara)
    assert caught.value.code == "opening_balance_exists"
    assert caught.value.message.startswith("Saldo awal sudah diimpor (JU-000001, 31/12/2025)")
    assert counts() == before


def test_import_refuses_no_rows_no_date_and_a_closed_period(coop: Any, bendahara: Any) -> None:
    period_close(cooperative=coop, month=D(2025, 12, 1), reason="Tutup", actor=bendahara)
    before = counts()
    with pytest.raises(ValidationError) as caught:
        opening_balance_import(cooperative=coop, date=CUTOVER, rows=[], actor=bendahara)
    assert caught.value.message == "Belum ada saldo yang diisi."
    with pytest.raises(ValidationError) as caught:
        opening_balance_import(cooperative=coop, date=None, rows=rows_of(BALANCES), actor=bendahara)  # type: ignore[arg-type]
    assert caught.value.message == "Tanggal saldo awal wajib diisi."
    with pytest.raises(Conflict) as caught:
        opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows_of(BALANCES), actor=bendahara)
    assert caught.value.code == "period_closed"
    assert counts() == before


def test_import_reads_accounts_of_its_own_cooperative_only(
    coop: Any, other_coop: Any, bendahara: Any, grant: Any
) -> None:
    Account.objects.filter(cooperative=other_coop, code="1-1100").update(code="1-1190")
    rows = rows_of({"1-1190": (1_000, 0), "3-1100": (0, 1_000)})
    with pytest.raises(ValidationError) as caught:
        opening_balance_import(cooperative=coop, date=CUTOVER, rows=rows, actor=bendahara)
    assert "akun '1-1190' tidak ada di bagan akun koperasi ini" in caught.value.message
    assert JournalEntry.objects.count() == 0


# --- the page -----------------------------------------------------------------------------
def upload(client: Client, data: bytes, name: str = "saldo-awal.xlsx") -> Any:
    return client.post(PAGE, {"file": SimpleUploadedFile(name, data)})


def test_template_download(client: Client, coop: Any, bendahara: Any) -> None:
    client.force_login(bendahara)
    response = client.get(TEMPLATE)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="templat-saldo-awal-manggar.xlsx"' in response["Content-Disposition"]
    assert load_workbook(BytesIO(response.content))["Saldo awal"]["A3"].value == "Tanggal saldo awal"


def test_upload_preview_then_import(client: Client, coop: Any, bendahara: Any) -> None:
    client.force_login(bendahara)
    page = client.get(PAGE).content.decode()
    assert TEMPLATE in page and 'enctype="multipart/form-data"' in page
    before = counts()
    response = upload(client, fill(coop, datetime.datetime(2025, 12, 31), BALANCES))
    assert response.status_code == 200
    html = response.content.decode()
    assert "31/12/2025" in html
    assert html.count("Rp 13.000.000") == 2  # the totals
    assert "Cadangan kerugian piutang (PPAP)" in html
    assert 'name="payload"' in html and ">Impor</button>" in html
    assert counts() == before  # a preview posts nothing

    payload = response.context["confirm_form"].initial["payload"]
    response = client.post(PAGE, {"payload": payload})
    assert response.status_code == 302
    entry = JournalEntry.objects.get(cooperative=coop)
    assert response["Location"] == f"/k/manggar/buku/jurnal/{entry.pk}/"
    assert (entry.amount, entry.source_type, entry.date) == (13_000_000, "opening_balance", CUTOVER)
    tb = selectors.trial_balance(cooperative=coop, as_of=CUTOVER)
    assert {r.account.code: (r.debit, r.credit) for r in tb.rows} == BALANCES

    # The page now says it is done; the same preview posted again is refused.
    assert "Saldo awal sudah diimpor" in client.get(PAGE).content.decode()
    before = counts()
    response = client.post(PAGE, {"payload": payload})
    assert response.status_code == 409
    assert "Saldo awal sudah diimpor (JU-000001, 31/12/2025)" in response.content.decode()
    assert counts() == before


def test_unbalanced_upload_shows_the_difference_and_no_import_button(client: Client, coop: Any, bendahara: Any) -> None:
    client.force_login(bendahara)
    before = counts()
    response = upload(client, fill(coop, CUTOVER, {"1-1100": (1_000_000, None), "3-1100": (None, 900_000)}))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Saldo awal tidak seimbang: debit Rp 1.000.000, kredit Rp 900.000, selisih Rp 100.000." in html
    assert 'name="payload"' not in html
    assert counts() == before


def test_upload_with_an_unknown_account_names_the_row(client: Client, coop: Any, bendahara: Any) -> None:
    client.force_login(bendahara)
    data = fill(coop, CUTOVER, {"1-1100": (1_000, None)}, extra=[["9-9999", "Akun karangan", None, None, 1_000]])
    response = upload(client, data)
    assert response.status_code == 422
    assert "Baris 13: akun &#x27;9-9999&#x27; tidak ada di bagan akun koperasi ini." in response.content.decode()
    assert 'name="payload"' not in response.content.decode()
    assert JournalEntry.objects.count() == 0


def test_unreadable_upload_is_a_clear_error(client: Client, coop: Any, bendahara: Any) -> None:
    client.force_login(bendahara)
    response = upload(client, b"ini bukan excel", name="saldo.xlsx")
    assert response.status_code == 422
    assert "Berkas tidak dapat dibaca" in response.content.decode()
    response = client.post(PAGE, {})
    assert response.status_code == 422
    assert JournalEntry.objects.count() == 0


def test_tampered_or_foreign_payload_is_refused(client: Client, coop: Any, bendahara: Any, grant: Any) -> None:
    client.force_login(bendahara)
    response = upload(client, fill(coop, CUTOVER, {"1-1100": (1_000, None), "3-1100": (None, 1_000)}))
    payload = response.context["confirm_form"].initial["payload"]
    before = counts()
    response = client.post(PAGE, {"payload": payload[:-2] + "xx"})
    assert response.status_code == 422
    assert "Pratinjau sudah kedaluwarsa atau tidak sah" in response.content.decode()
    # Another bendahara of the same cooperative cannot replay this user's preview.
    client.force_login(grant(coop, Role.BENDAHARA, "bendahara-dua"))
    assert client.post(PAGE, {"payload": payload}).status_code == 422
    assert counts() == before


def test_page_refuses_other_cooperative_and_other_roles(
    client: Client, coop: Any, other_coop: Any, grant: Any, bendahara: Any
) -> None:
    data = fill(coop, CUTOVER, BALANCES)
    client.force_login(grant(other_coop, Role.BENDAHARA, "bendahara-lamaru"))
    assert client.get(PAGE).status_code == 404
    assert client.get(TEMPLATE).status_code == 404
    assert upload(client, data).status_code == 404
    for role in (Role.KASIR, Role.KETUA, Role.PENGAWAS, Role.MANAJER):
        client.force_login(grant(coop, role, f"{role}-uji"))
        assert client.get(PAGE).status_code == 403
        assert client.get(TEMPLATE).status_code == 403
        assert upload(client, data).status_code == 403
    assert JournalEntry.objects.count() == 0
