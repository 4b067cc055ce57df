"""HTML pages of the books: chart, journal, periods, verification. Permissions, refusals, query counts."""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger import selectors
from koperasi.ledger.models import Account, JournalEntry, JournalLine, Period, PeriodReopenRequest
from koperasi.ledger.periods import month_start
from koperasi.ledger.services import period_close
from koperasi.ledger.verify import VerifyResult, ledger_verify

pytestmark = pytest.mark.django_db

D = datetime.date
BOOKS = "/k/manggar/buku/"
TODAY = timezone.localdate()
THIS_MONTH = month_start(TODAY)
LAST_MONTH = month_start(THIS_MONTH - datetime.timedelta(days=1))


def login(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def flashes(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def snapshot() -> dict[str, int]:
    """Row counts of everything these pages can write."""
    return {
        "accounts": Account.objects.count(),
        "entries": JournalEntry.objects.count(),
        "lines": JournalLine.objects.count(),
        "periods_closed": Period.objects.filter(is_closed=True).count(),
        "requests": PeriodReopenRequest.objects.count(),
        "audit": AuditEvent.objects.count(),
    }


def journal_data(
    key: str, rows: list[tuple[str, str, str]], *, day: str = "", memo: str = "Beli ATK"
) -> dict[str, str]:
    """POST data for jurnal/baru/: rows of (account, debit, credit); 4 rows at least."""
    data = {
        "date": day or TODAY.isoformat(),
        "memo": memo,
        "idempotency_key": key,
        "lines-TOTAL_FORMS": str(max(4, len(rows))),
        "lines-INITIAL_FORMS": "4",  # as the page renders it
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for i, (account, debit, credit) in enumerate(rows):
        data[f"lines-{i}-account"] = account
        data[f"lines-{i}-debit"] = debit
        data[f"lines-{i}-credit"] = credit
        data[f"lines-{i}-business_unit"] = ""
    return data


@pytest.fixture
def capital(coop: Any, post: Any) -> Any:
    """Rp1.000.000 simpanan pokok in cash, then Rp150.000 electricity paid."""
    first = post(coop, TODAY, [("1-1100", 1_000_000, 0), ("3-1100", 0, 1_000_000)], memo="Setoran simpanan pokok")
    post(coop, TODAY, [("5-2200", 150_000, 0), ("1-1100", 0, 150_000)], memo="Bayar listrik")
    return first


# --- permissions: every page and write -----------------------------------------------------
GET_PAGES = [
    ("", "ledger"),
    ("akun/", "ledger"),
    ("akun/?format=xlsx", "ledger"),
    ("akun/1-1100/", "accounts"),
    ("jurnal/", "ledger"),
    ("jurnal/?format=xlsx", "ledger"),
    ("jurnal/baru/", "post"),
    ("jurnal/{entry}/", "ledger"),
    ("periode/", "ledger"),
    ("verifikasi/", "ledger"),
    ("saldo-awal/", "opening"),
    ("saldo-awal/template.xlsx", "opening"),
]
POSTS = [
    ("akun/", {"code": "1-1150", "name": "Kas kecil", "parent_code": "1-1000"}, "accounts"),
    ("akun/1-1100/", {"name": "Kas besar", "is_active": "on", "normal_side": "debit", "cash_flow": "cash"}, "accounts"),
    ("akun/1-1600/hapus/", {}, "accounts"),
    ("jurnal/baru/", "journal", "post"),
    ("jurnal/{entry}/balik/", {"date": "{today}", "memo": "Salah catat"}, "post"),
    ("periode/{last_year}/{last_month}/tutup/", {"reason": "Laporan selesai"}, "close"),
    ("periode/{last_year}/{last_month}/buka/", {"reason": "Koreksi"}, "reopen"),
    ("periode/permintaan/{request}/setujui/", {}, "reopen"),
    ("saldo-awal/", {"payload": "x"}, "opening"),
]
# A role of the cooperative that lacks the action (the kasir lacks them all).
LACKS = {
    "ledger": Role.ANGGOTA,
    "accounts": Role.KETUA,
    "post": Role.PENGAWAS,
    "close": Role.KETUA,
    "reopen": Role.BENDAHARA,
    "opening": Role.MANAJER,
}


def _fill(path: str, ids: dict[str, Any]) -> str:
    return BOOKS + path.format(**ids)


@pytest.fixture
def ids(coop: Any, capital: Any, ketua: Any) -> dict[str, Any]:
    period_close(cooperative=coop, month=D(2020, 1, 1), reason="Uji", actor=ketua)
    from koperasi.ledger.services import period_reopen_request

    request = period_reopen_request(cooperative=coop, month=D(2020, 1, 1), reason="Uji", actor=ketua)
    return {
        "entry": capital.pk,
        "request": request.pk,
        "today": TODAY.isoformat(),
        "last_year": LAST_MONTH.year,
        "last_month": LAST_MONTH.month,
    }


@pytest.mark.parametrize(("path", "action"), GET_PAGES)
def test_pages_refuse_other_cooperative_and_roles_without_the_action(
    client: Client, coop: Any, other_coop: Any, grant: Any, ids: dict[str, Any], path: str, action: str
) -> None:
    url = _fill(path, ids)
    assert login(client, grant(other_coop, Role.BENDAHARA, "bendahara-lain")).get(url).status_code == 404
    assert login(client, grant(coop, Role.KASIR, "kasir-uji")).get(url).status_code == 403
    assert login(client, grant(coop, LACKS[action], "tanpa-hak")).get(url).status_code == 403


@pytest.mark.parametrize(("path", "data", "action"), POSTS)
def test_writes_refuse_other_cooperative_and_roles_without_the_action_and_change_nothing(
    client: Client,
    coop: Any,
    other_coop: Any,
    grant: Any,
    ids: dict[str, Any],
    path: str,
    data: Any,
    action: str,
) -> None:
    url = _fill(path, ids)
    if data == "journal":
        data = journal_data("k1", [("1-1100", "1000", ""), ("3-1100", "", "1000")])
    else:
        data = {k: v.format(**ids) for k, v in data.items()}
    before = snapshot()
    assert login(client, grant(other_coop, Role.BENDAHARA, "bendahara-lain")).post(url, data).status_code == 404
    assert login(client, grant(coop, Role.KASIR, "kasir-uji")).post(url, data).status_code == 403
    assert login(client, grant(coop, LACKS[action], "tanpa-hak")).post(url, data).status_code == 403
    assert snapshot() == before


def test_anonymous_user_is_sent_to_login(client: Client, coop: Any) -> None:
    response = client.get(BOOKS + "jurnal/")
    assert response.status_code == 302
    assert "/login" in response["Location"] or "masuk" in response["Location"]


def test_dinas_reads_the_books_but_sees_no_write_links(
    client: Client, coop: Any, capital: Any, dinas_user: Any
) -> None:
    login(client, dinas_user)
    response = client.get(BOOKS + "jurnal/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Setoran simpanan pokok" in html
    assert "/buku/jurnal/baru/" not in html
    assert "/buku/saldo-awal/" not in html
    assert client.get(BOOKS + "jurnal/baru/").status_code == 403


def test_home_redirects_to_the_journal(client: Client, coop: Any, ketua: Any) -> None:
    response = login(client, ketua).get(BOOKS)
    assert response.status_code == 302
    assert response["Location"] == BOOKS + "jurnal/"


def test_cooperative_profile_links_to_the_books(client: Client, coop: Any, ketua: Any) -> None:
    html = login(client, ketua).get("/k/manggar/").content.decode()
    assert 'id="buku"' in html
    assert 'href="/k/manggar/buku/jurnal/"' in html
    assert 'href="/k/manggar/buku/akun/"' in html
    assert 'href="/k/manggar/buku/laporan/"' in html


def test_dinas_sees_the_books_section_on_the_profile(client: Client, coop: Any, dinas_user: Any) -> None:
    html = login(client, dinas_user).get("/k/manggar/").content.decode()
    assert 'id="buku"' in html and 'href="/k/manggar/buku/laporan/"' in html


def test_kasir_does_not_see_the_books_section(client: Client, coop: Any, kasir: Any) -> None:
    assert 'id="buku"' not in login(client, kasir).get("/k/manggar/").content.decode()


# --- chart of accounts ---------------------------------------------------------------------
def test_chart_shows_tree_types_roles_and_balances_in_bounded_queries(
    client: Client, coop: Any, capital: Any, ketua: Any, django_assert_max_num_queries: Any
) -> None:
    login(client, ketua)
    with django_assert_max_num_queries(12):
        response = client.get(BOOKS + "akun/")
    assert response.status_code == 200
    chart = {a.code: a for a in response.context["accounts"]}
    assert chart["1-1100"].balance == 850_000
    assert chart["1-1000"].balance == 850_000
    assert chart["1"].balance == 850_000
    assert chart["3-1100"].balance == 1_000_000
    assert chart["5-2200"].balance == 150_000
    assert chart["5"].balance == 150_000
    assert chart["1-1100"].depth == 2
    html = response.content.decode()
    assert "Rp 850.000" in html
    assert "Rp 1.000.000" in html
    assert "Penjualan gerai — anggota" in html and "Anggota" in html and "Bukan anggota" in html
    assert "Gerai sembako" in html
    assert ">sistem<" in html
    assert 'action="/k/manggar/buku/akun/"' not in html  # the ketua cannot add accounts
    for link in ("jurnal/", "akun/", "laporan/", "periode/", "verifikasi/"):  # the books' sub-navigation
        assert f'href="{BOOKS}{link}"' in html
    assert f'href="{BOOKS}saldo-awal/"' not in html  # only the bendahara imports opening balances


def test_chart_query_count_does_not_grow_with_postings(
    client: Client, coop: Any, post: Any, ketua: Any, django_assert_max_num_queries: Any
) -> None:
    for day in range(1, 29):
        post(coop, D(2026, 1, day), [("1-1100", 1_000, 0), ("4-1100", 0, 1_000)])
    login(client, ketua)
    with django_assert_max_num_queries(12):
        response = client.get(BOOKS + "akun/")
    chart = {a.code: a for a in response.context["accounts"]}
    assert chart["1-1100"].balance == 28_000
    assert chart["4"].balance == 28_000


def test_chart_excel_has_every_account_and_its_balance(client: Client, coop: Any, capital: Any, ketua: Any) -> None:
    response = login(client, ketua).get(BOOKS + "akun/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "bagan-akun-manggar" in response["Content-Disposition"]
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Kode" and rows[0][-1] == "Saldo"
    by_code = {r[0]: r for r in rows[1:]}
    assert len(by_code) == Account.objects.filter(cooperative=coop).count()
    assert by_code["1-1100"][-1] == 850_000
    assert by_code["1-1100"][6] == "cash"
    assert by_code["1"][3] == "ya"


def test_bendahara_adds_an_account(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    assert 'action="/k/manggar/buku/akun/"' in client.get(BOOKS + "akun/").content.decode()
    response = client.post(
        BOOKS + "akun/",
        {
            "code": "4-1600",
            "name": "Penjualan LPG — anggota",
            "parent_code": "4-1000",
            "revenue_party": "anggota",
            "business_unit_code": "gerai_sembako",
            "cash_flow": "",
        },
    )
    assert response.status_code == 302
    account = Account.objects.get(cooperative=coop, code="4-1600")
    assert (account.type, account.normal_side, account.parent.code) == ("income", "credit", "4-1000")
    assert account.revenue_party == "anggota"
    assert account.business_unit.code == "gerai_sembako"
    assert "Akun 4-1600 Penjualan LPG — anggota ditambahkan." in flashes(response)


def test_add_account_refusals_are_shown_and_change_nothing(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    before = snapshot()
    response = client.post(BOOKS + "akun/", {"code": "9-100", "name": "Aneh"})
    assert response.status_code == 422
    assert "Kode akun diawali 1–5" in response.content.decode()
    response = client.post(BOOKS + "akun/", {"code": "1-1100", "name": "Kas lagi", "parent_code": "1-1000"})
    assert response.status_code == 409
    assert "Kode akun 1-1100 sudah dipakai." in response.content.decode()
    response = client.post(BOOKS + "akun/", {"code": "5-9000", "name": "Beban", "parent_code": "4-1000"})
    assert response.status_code == 422
    assert "berjenis Pendapatan, bukan Beban" in response.content.decode()
    assert snapshot() == before


def test_edit_account_renames_and_deactivates(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    page = client.get(BOOKS + "akun/1-1600/")
    assert page.status_code == 200
    assert 'value="Biaya dibayar di muka"' in page.content.decode()
    Account.objects.filter(cooperative=coop, code="1-1600").update(role="")
    response = client.post(
        BOOKS + "akun/1-1600/", {"name": "Uang muka", "normal_side": "debit", "cash_flow": "operating"}
    )
    assert response.status_code == 302
    account = Account.objects.get(cooperative=coop, code="1-1600")
    assert (account.name, account.is_active) == ("Uang muka", False)


def test_edit_account_refusals_are_shown_and_change_nothing(
    client: Client, coop: Any, capital: Any, bendahara: Any
) -> None:
    login(client, bendahara)
    before = snapshot()
    response = client.post(BOOKS + "akun/1-1100/", {"name": "Kas", "normal_side": "debit", "cash_flow": "cash"})
    assert response.status_code == 409  # a system account stays active
    assert "dipakai sistem (cash) dan tidak dapat dinonaktifkan" in response.content.decode()
    response = client.post(
        BOOKS + "akun/5-2200/",
        {"name": "Listrik", "is_active": "on", "normal_side": "credit", "cash_flow": "operating"},
    )
    assert response.status_code == 409
    assert "sudah memiliki transaksi; saldo normalnya tidak dapat diubah" in response.content.decode()
    response = client.post(BOOKS + "akun/1-1100/", {"name": "", "normal_side": "debit", "cash_flow": "cash"})
    assert response.status_code == 422
    assert Account.objects.get(cooperative=coop, code="5-2200").normal_side == "debit"
    assert snapshot() == before
    assert client.get(BOOKS + "akun/9-9999/").status_code == 404


def test_delete_unused_account_and_refusals(client: Client, coop: Any, capital: Any, bendahara: Any) -> None:
    login(client, bendahara)
    client.post(BOOKS + "akun/", {"code": "5-2950", "name": "Beban lain", "parent_code": "5-2000"})
    client.post(BOOKS + "akun/", {"code": "5-2960", "name": "Beban dipakai", "parent_code": "5-2000"})
    from koperasi.ledger.services import LineInput, journal_post

    journal_post(
        cooperative=coop,
        date=TODAY,
        lines=[LineInput("5-2960", debit=5_000), LineInput("1-1100", credit=5_000)],
        memo="Pakai",
        actor=bendahara,
    )
    response = client.post(BOOKS + "akun/5-2950/hapus/")
    assert response.status_code == 302
    assert not Account.objects.filter(cooperative=coop, code="5-2950").exists()
    assert "Akun 5-2950 Beban lain dihapus." in flashes(response)

    before = snapshot()
    response = client.post(BOOKS + "akun/5-2960/hapus/")
    assert response.status_code == 409
    assert "sudah memiliki transaksi dan tidak dapat dihapus; nonaktifkan saja" in response.content.decode()
    response = client.post(BOOKS + "akun/1-1200/hapus/")
    assert response.status_code == 409
    assert "dipakai sistem dan tidak dapat dihapus" in response.content.decode()
    response = client.post(BOOKS + "akun/1-1000/hapus/")
    assert response.status_code == 409
    assert snapshot() == before
    assert client.get(BOOKS + "akun/5-2950/hapus/").status_code == 405


# --- journal list --------------------------------------------------------------------------
def test_journal_lists_newest_first_paginated_with_bounded_queries(
    client: Client, coop: Any, post: Any, ketua: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(1, 61):
        post(coop, D(2026, 1, 1) + datetime.timedelta(days=i), [("1-1100", i * 1_000, 0), ("4-1100", 0, i * 1_000)],
             memo=f"Penjualan {i}")  # fmt: skip
    login(client, ketua)
    with django_assert_max_num_queries(14):
        response = client.get(BOOKS + "jurnal/")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.count == 60
    assert [e.memo for e in page.object_list][:2] == ["Penjualan 60", "Penjualan 59"]
    assert len(page.object_list) == 50
    html = response.content.decode()
    assert "Rp 60.000" in html and "JU-000060" in html
    assert "Halaman 1 dari 2" in html
    with django_assert_max_num_queries(14):
        response = client.get(BOOKS + "jurnal/?page=2")
    assert [e.memo for e in response.context["page"].object_list][-1] == "Penjualan 1"
    assert len(response.context["page"].object_list) == 10


def test_journal_query_count_does_not_depend_on_entries(
    client: Client, coop: Any, post: Any, ketua: Any, django_assert_num_queries: Any
) -> None:
    post(coop, D(2026, 1, 2), [("1-1100", 1_000, 0), ("4-1100", 0, 1_000)])
    login(client, ketua)
    client.get(BOOKS + "jurnal/")  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(BOOKS + "jurnal/")
    for day in range(3, 28):
        post(coop, D(2026, 1, day), [("1-1100", 1_000, 0), ("4-1100", 0, 500), ("4-2100", 0, 500)])
    with CaptureQueriesContext(connection) as many:
        client.get(BOOKS + "jurnal/")
    assert len(many) == len(few)


def test_journal_filters_by_dates_and_source(client: Client, coop: Any, post: Any, ketua: Any) -> None:
    post(coop, D(2026, 1, 5), [("1-1100", 1_000, 0), ("3-1100", 0, 1_000)], memo="Januari")
    post(coop, D(2026, 2, 5), [("1-1100", 2_000, 0), ("3-1100", 0, 2_000)], memo="Februari")
    post(coop, D(2026, 3, 5), [("1-1100", 3_000, 0), ("3-1100", 0, 3_000)], memo="Maret", source="opening_balance")
    login(client, ketua)
    response = client.get(BOOKS + "jurnal/?date_from=2026-02-01&date_to=2026-03-31")
    assert [e.memo for e in response.context["page"].object_list] == ["Maret", "Februari"]
    response = client.get(BOOKS + "jurnal/?source=manual")
    assert [e.memo for e in response.context["page"].object_list] == ["Februari", "Januari"]
    html = response.content.decode()
    assert '<option value="opening_balance">Saldo awal</option>' in html
    response = client.get(BOOKS + "jurnal/?date_from=2026-04-01&date_to=2026-03-01")
    assert response.status_code == 422
    assert "Tanggal awal tidak boleh setelah tanggal akhir." in response.content.decode()
    response = client.get(BOOKS + "jurnal/?date_from=kemarin")
    assert response.status_code == 422
    assert response.context["page"].paginator.count == 3


def test_journal_excel_has_one_row_per_line_with_the_filter(client: Client, coop: Any, post: Any, ketua: Any) -> None:
    post(coop, D(2026, 1, 5), [("1-1100", 1_000, 0), ("3-1100", 0, 1_000)], memo="Januari")
    post(coop, D(2026, 2, 5), [("5-2200", 2_000, 0), ("1-1100", 0, 1_500), ("1-1200", 0, 500)], memo="Februari")
    response = login(client, ketua).get(BOOKS + "jurnal/?date_from=2026-02-01&format=xlsx")
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "Nomor",
        "Tanggal",
        "Keterangan",
        "Sumber",
        "Kode akun",
        "Nama akun",
        "Unit usaha",
        "Debit",
        "Kredit",
    )
    assert [(r[0], r[4], r[7], r[8]) for r in rows[1:]] == [
        ("JU-000002", "5-2200", 2_000, 0),
        ("JU-000002", "1-1100", 0, 1_500),
        ("JU-000002", "1-1200", 0, 500),
    ]
    assert rows[1][1].date() == D(2026, 2, 5)
    assert rows[1][3] == "Jurnal manual"


# --- manual journal entry ------------------------------------------------------------------
def test_new_journal_form_has_four_rows_an_idempotency_key_and_the_script(
    client: Client, coop: Any, bendahara: Any
) -> None:
    response = login(client, bendahara).get(BOOKS + "jurnal/baru/")
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["lines"].total_form_count() == 4
    assert len(response.context["form"].initial["idempotency_key"]) == 32
    assert 'name="idempotency_key"' in html
    assert "js/journal-form.js" in html
    assert 'name="tambah_baris"' in html
    assert "data-journal-summary" in html and "data-journal-submit" in html
    accounts = [value for value, _ in response.context["lines"].forms[0].fields["account"].choices[1][1]]
    assert "1-1100" in accounts and "1-1000" not in accounts and "1" not in accounts


def test_tambah_baris_without_javascript_keeps_what_was_typed(client: Client, coop: Any, bendahara: Any) -> None:
    data = journal_data("k-1", [("1-1100", "1.000", ""), ("3-1100", "", "1.000")], memo="Belum selesai")
    data["tambah_baris"] = "1"
    before = snapshot()
    response = login(client, bendahara).post(BOOKS + "jurnal/baru/", data)
    assert response.status_code == 200
    lines = response.context["lines"]
    assert lines.total_form_count() == 5
    html = response.content.decode()
    assert 'value="Belum selesai"' in html
    assert 'value="1.000"' in html
    assert '<option value="3-1100" selected>' in html
    assert 'value="k-1"' in html
    assert snapshot() == before


def test_posting_a_manual_entry_redirects_to_it(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    data = journal_data(
        "kunci-1",
        [("5-2900", "250.000", ""), ("1-1100", "", "200000"), ("1-1200", "", "Rp 50.000")],
        day="2026-01-15",
        memo="Beli ATK dan materai",
    )
    data["lines-0-business_unit"] = "kantor"
    response = client.post(BOOKS + "jurnal/baru/", data)
    assert response.status_code == 302
    entry = JournalEntry.objects.get(cooperative=coop)
    assert response["Location"] == f"{BOOKS}jurnal/{entry.pk}/"
    assert (entry.date, entry.memo, entry.source_type, entry.amount) == (
        D(2026, 1, 15),
        "Beli ATK dan materai",
        "manual",
        250_000,
    )
    assert entry.idempotency_key == "kunci-1"
    assert entry.created_by == bendahara
    lines = [(ln.account.code, ln.debit, ln.credit, ln.business_unit.code if ln.business_unit else "") for ln in
             entry.lines.select_related("account", "business_unit")]  # fmt: skip
    assert lines == [("5-2900", 250_000, 0, "kantor"), ("1-1100", 0, 200_000, ""), ("1-1200", 0, 50_000, "")]
    assert f"Jurnal {entry.number} dicatat." in flashes(response)
    assert ledger_verify(cooperative=coop).ok


def test_double_submit_posts_once(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    data = journal_data("sama", [("1-1100", "10000", ""), ("3-1100", "", "10000")])
    first = client.post(BOOKS + "jurnal/baru/", data)
    second = client.post(BOOKS + "jurnal/baru/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert JournalEntry.objects.filter(cooperative=coop).count() == 1
    assert "sudah tercatat; kiriman ganda diabaikan" in " ".join(flashes(second))
    tb = selectors.trial_balance(cooperative=coop, as_of=TODAY)
    assert tb.total_debit == 10_000


def test_unbalanced_entry_is_refused_with_the_difference_and_values_kept(
    client: Client, coop: Any, bendahara: Any
) -> None:
    login(client, bendahara)
    before = snapshot()
    data = journal_data("k-2", [("5-2900", "100.000", ""), ("1-1100", "", "90.000")], memo="Tidak seimbang")
    response = client.post(BOOKS + "jurnal/baru/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert "Jurnal tidak seimbang: debit Rp 100.000, kredit Rp 90.000, selisih Rp 10.000." in html
    assert 'value="Tidak seimbang"' in html
    assert 'value="100.000"' in html and 'value="90.000"' in html
    assert 'value="k-2"' in html  # the same key, so fixing and resubmitting still posts once
    assert snapshot() == before


def test_line_problems_are_shown_at_their_row(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    before = snapshot()
    # Row 3 (the second filled line) has both a debit and a credit; an empty row 2 is skipped.
    data = journal_data("k-3", [("5-2900", "1000", ""), ("", "", ""), ("1-1100", "500", "1000")])
    response = client.post(BOOKS + "jurnal/baru/", data)
    assert response.status_code == 422
    rows = response.context["lines"].forms
    assert rows[2].non_field_errors() == ["Baris 2: isi debit atau kredit (salah satu, lebih dari nol)."]
    assert not rows[0].errors
    # Typing an amount without an account, or a fraction, is refused by the form itself.
    data = journal_data("k-4", [("", "1000", ""), ("1-1100", "12,5", "")])
    response = client.post(BOOKS + "jurnal/baru/", data)
    assert response.status_code == 422
    rows = response.context["lines"].forms
    assert rows[0].errors["account"] == ["Pilih akun untuk baris ini."]
    assert rows[1].errors["debit"] == ["Tulis jumlah dalam rupiah bulat, mis. 1.250.000."]
    # One line only; a group account posted by hand; no memo.
    response = client.post(BOOKS + "jurnal/baru/", journal_data("k-5", [("1-1100", "1000", "")]))
    assert response.status_code == 422
    assert "Jurnal harus memiliki paling sedikit dua baris." in response.content.decode()
    response = client.post(BOOKS + "jurnal/baru/", journal_data("k-6", [("1-1000", "1", ""), ("3-1100", "", "1")]))
    assert response.status_code == 422
    assert response.context["lines"].forms[0].errors["account"] == [
        "Masukkan pilihan yang valid. 1-1000 bukan salah satu dari pilihan yang tersedia."
    ]
    response = client.post(
        BOOKS + "jurnal/baru/", journal_data("k-7", [("1-1100", "1", ""), ("3-1100", "", "1")], memo="")
    )
    assert response.status_code == 422
    assert snapshot() == before


def test_posting_into_a_closed_period_is_refused(client: Client, coop: Any, bendahara: Any) -> None:
    period_close(cooperative=coop, month=D(2026, 1, 1), reason="Tutup buku Januari", actor=bendahara)
    login(client, bendahara)
    before = snapshot()
    data = journal_data("k-8", [("1-1100", "1000", ""), ("3-1100", "", "1000")], day="2026-01-20")
    response = client.post(BOOKS + "jurnal/baru/", data)
    assert response.status_code == 409
    assert "Periode 01/2026 sudah ditutup" in response.content.decode()
    assert response.context["form"].errors["date"]
    assert snapshot() == before


def test_malformed_formset_is_a_clear_error_not_a_500(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    response = client.post(BOOKS + "jurnal/baru/", {"date": "2026-01-01", "memo": "x", "idempotency_key": "z"})
    assert response.status_code == 422
    data = journal_data("k-9", [("1-1100", "1000", ""), ("3-1100", "", "1000")])
    data["lines-TOTAL_FORMS"] = "100000"
    response = client.post(BOOKS + "jurnal/baru/", data)
    assert response.status_code == 422
    assert "paling banyak 200" in response.content.decode()
    data["tambah_baris"] = "1"
    data["lines-TOTAL_FORMS"] = "banyak"
    assert client.post(BOOKS + "jurnal/baru/", data).status_code == 200


# --- entry detail and reversal -------------------------------------------------------------
def test_entry_detail_shows_lines_totals_and_hashes(
    client: Client, coop: Any, capital: Any, ketua: Any, django_assert_max_num_queries: Any
) -> None:
    login(client, ketua)
    with django_assert_max_num_queries(12):
        response = client.get(f"{BOOKS}jurnal/{capital.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "JU-000001" in html and "Setoran simpanan pokok" in html
    assert capital.hash[:16] in html
    assert "(jurnal pertama)" in html
    assert html.count("Rp 1.000.000") >= 4  # two lines and two totals
    assert "bendahara-manggar" in html
    assert "Balik jurnal" not in html  # the ketua cannot post
    assert client.get(f"{BOOKS}jurnal/999999/").status_code == 404


def test_entry_of_another_cooperative_is_not_found(
    client: Client, coop: Any, other_coop: Any, post: Any, ketua: Any
) -> None:
    theirs = post(other_coop, TODAY, [("1-1100", 1_000, 0), ("3-1100", 0, 1_000)])
    assert login(client, ketua).get(f"{BOOKS}jurnal/{theirs.pk}/").status_code == 404


def test_reverse_an_entry_and_refuse_twice(client: Client, coop: Any, capital: Any, bendahara: Any) -> None:
    login(client, bendahara)
    page = client.get(f"{BOOKS}jurnal/{capital.pk}/").content.decode()
    assert "Balik jurnal" in page
    response = client.post(f"{BOOKS}jurnal/{capital.pk}/balik/", {"date": TODAY.isoformat(), "memo": ""})
    assert response.status_code == 302
    reversal = JournalEntry.objects.get(cooperative=coop, reverses=capital)
    assert response["Location"] == f"{BOOKS}jurnal/{reversal.pk}/"
    assert reversal.memo == "Pembalikan JU-000001: Setoran simpanan pokok"
    assert f"Jurnal JU-000001 dibalik dengan {reversal.number}." in flashes(response)
    tb = selectors.trial_balance(cooperative=coop, as_of=TODAY)
    assert [(r.account.code, r.debit, r.credit) for r in tb.rows] == [("1-1100", 0, 150_000), ("5-2200", 150_000, 0)]

    original = client.get(f"{BOOKS}jurnal/{capital.pk}/").content.decode()
    assert f'href="{BOOKS}jurnal/{reversal.pk}/"' in original and "sudah dibalik" in original
    assert 'action="/k/manggar/buku/jurnal/' not in original
    mirror = client.get(f"{BOOKS}jurnal/{reversal.pk}/").content.decode()
    assert f'href="{BOOKS}jurnal/{capital.pk}/"' in mirror and "Jurnal ini membalik" in mirror

    before = snapshot()
    response = client.post(f"{BOOKS}jurnal/{capital.pk}/balik/", {"date": TODAY.isoformat()})
    assert response.status_code == 409
    assert "Jurnal JU-000001 sudah pernah dibalik." in response.content.decode()
    response = client.post(f"{BOOKS}jurnal/{reversal.pk}/balik/", {"date": TODAY.isoformat()})
    assert response.status_code == 409
    assert "tidak dapat dibalik lagi" in response.content.decode()
    response = client.post(f"{BOOKS}jurnal/{capital.pk}/balik/", {"date": ""})
    assert response.status_code == 422
    assert snapshot() == before
    assert ledger_verify(cooperative=coop).ok


# --- periods -------------------------------------------------------------------------------
def test_periods_list_months_from_the_first_posting(client: Client, coop: Any, post: Any, ketua: Any) -> None:
    two_back = month_start(LAST_MONTH - datetime.timedelta(days=1))
    post(coop, two_back + datetime.timedelta(days=3), [("1-1100", 1_000, 0), ("3-1100", 0, 1_000)])
    response = login(client, ketua).get(BOOKS + "periode/")
    assert response.status_code == 200
    assert [row.month for row in response.context["rows"]] == [THIS_MONTH, LAST_MONTH, two_back]
    assert all(row.period is None for row in response.context["rows"])


def test_close_a_period_then_posting_into_it_is_refused(client: Client, coop: Any, bendahara: Any) -> None:
    login(client, bendahara)
    url = f"{BOOKS}periode/{LAST_MONTH.year}/{LAST_MONTH.month}/tutup/"
    response = client.post(url, {"reason": "Laporan bulanan selesai"})
    assert response.status_code == 302
    period = Period.objects.get(cooperative=coop, month=LAST_MONTH)
    assert (period.is_closed, period.closed_by, period.reason) == (True, bendahara, "Laporan bulanan selesai")
    html = client.get(BOOKS + "periode/").content.decode()
    assert "Ditutup" in html and "Laporan bulanan selesai" in html

    before = snapshot()
    response = client.post(url, {"reason": "Lagi"})
    assert response.status_code == 409
    assert "sudah ditutup" in response.content.decode()
    response = client.post(f"{BOOKS}periode/{THIS_MONTH.year}/{THIS_MONTH.month}/tutup/", {"reason": ""})
    assert response.status_code == 422
    next_month = month_start(THIS_MONTH + datetime.timedelta(days=32))
    response = client.post(f"{BOOKS}periode/{next_month.year}/{next_month.month}/tutup/", {"reason": "Terlalu awal"})
    assert response.status_code == 422
    assert "belum dimulai" in response.content.decode()
    assert client.post(f"{BOOKS}periode/2026/13/tutup/", {"reason": "x"}).status_code == 404
    day = (LAST_MONTH + datetime.timedelta(days=9)).isoformat()
    data = journal_data("k-10", [("1-1100", "1000", ""), ("3-1100", "", "1000")], day=day)
    assert client.post(BOOKS + "jurnal/baru/", data).status_code == 409
    assert snapshot() == before


def test_reopen_needs_ketua_and_pengawas_two_people(client: Client, coop: Any, grant: Any, bendahara: Any) -> None:
    ketua = grant(coop, Role.KETUA, "ketua-uji")
    ketua_two = grant(coop, Role.KETUA, "ketua-dua")
    pengawas = grant(coop, Role.PENGAWAS, "pengawas-uji")
    period_close(cooperative=coop, month=LAST_MONTH, reason="Selesai", actor=bendahara)
    request_url = f"{BOOKS}periode/{LAST_MONTH.year}/{LAST_MONTH.month}/buka/"

    # The ketua asks.
    response = login(client, ketua).post(request_url, {"reason": "Ada setoran yang terlewat"})
    assert response.status_code == 302
    request = PeriodReopenRequest.objects.get(cooperative=coop)
    assert (request.requested_by, request.requested_role, request.status) == (ketua, "ketua", "menunggu")
    html = client.get(BOOKS + "periode/").content.decode()
    assert "Menunggu persetujuan" in html and "Ada setoran yang terlewat" in html
    assert f'action="{BOOKS}periode/permintaan/{request.pk}/setujui/"' in html

    approve_url = f"{BOOKS}periode/permintaan/{request.pk}/setujui/"
    before = snapshot()
    # A second request while one is pending is refused.
    response = client.post(request_url, {"reason": "Lagi"})
    assert response.status_code == 409
    # The same person cannot approve...
    response = client.post(approve_url)
    assert response.status_code == 403
    assert "Persetujuan harus dari orang lain" in response.content.decode()
    # ...nor another ketua (same role).
    response = login(client, ketua_two).post(approve_url)
    assert response.status_code == 403
    assert "ketua dan pengawas" in response.content.decode()
    assert snapshot() == before
    assert Period.objects.get(cooperative=coop, month=LAST_MONTH).is_closed

    # The pengawas approves: the month is open again.
    response = login(client, pengawas).post(approve_url)
    assert response.status_code == 302
    period = Period.objects.get(cooperative=coop, month=LAST_MONTH)
    assert not period.is_closed
    request.refresh_from_db()
    assert (request.status, request.approved_by, request.approved_role) == ("disetujui", pengawas, "pengawas")
    # Approving again is refused; posting into the month works again.
    assert client.post(approve_url).status_code == 409
    day = (LAST_MONTH + datetime.timedelta(days=9)).isoformat()
    data = journal_data("k-11", [("1-1100", "1000", ""), ("3-1100", "", "1000")], day=day)
    assert login(client, bendahara).post(BOOKS + "jurnal/baru/", data).status_code == 302


def test_reopen_request_refusals(client: Client, coop: Any, other_coop: Any, ketua: Any, grant: Any) -> None:
    login(client, ketua)
    before = snapshot()
    response = client.post(f"{BOOKS}periode/{LAST_MONTH.year}/{LAST_MONTH.month}/buka/", {"reason": "Koreksi"})
    assert response.status_code == 409
    assert "tidak sedang ditutup" in response.content.decode()
    response = client.post(f"{BOOKS}periode/{LAST_MONTH.year}/{LAST_MONTH.month}/buka/", {"reason": ""})
    assert response.status_code == 422
    assert client.post(f"{BOOKS}periode/permintaan/999999/setujui/").status_code == 404
    other_ketua = grant(other_coop, Role.KETUA, "ketua-lamaru")
    period_close(cooperative=other_coop, month=LAST_MONTH, reason="Tutup", actor=other_ketua)
    from koperasi.ledger.services import period_reopen_request

    theirs = period_reopen_request(cooperative=other_coop, month=LAST_MONTH, reason="x", actor=other_ketua)
    assert client.post(f"{BOOKS}periode/permintaan/{theirs.pk}/setujui/").status_code == 404
    assert snapshot() == {**before, "periods_closed": before["periods_closed"] + 1, "requests": 1,
                          "audit": before["audit"] + 2}  # fmt: skip


# --- verification --------------------------------------------------------------------------
def test_verify_page_shows_the_result(client: Client, coop: Any, capital: Any, ketua: Any) -> None:
    response = login(client, ketua).get(BOOKS + "verifikasi/")
    assert response.status_code == 200
    result = response.context["result"]
    assert (result.ok, result.entries_checked, result.lines_checked) == (True, 2, 4)
    html = response.content.decode()
    assert "Buku utuh" in html


def test_verify_page_shows_problems_and_the_first_broken_entry(
    client: Client, coop: Any, capital: Any, ketua: Any, monkeypatch: Any
) -> None:
    def broken(*, cooperative: Any) -> VerifyResult:
        result = VerifyResult(cooperative=cooperative.code, entries_checked=2, lines_checked=4)
        result.add("JU-000001: isi jurnal tidak cocok dengan hash-nya (data diubah).", 1)
        return result

    monkeypatch.setattr("koperasi.ledger.views.ledger_verify", broken)
    html = login(client, ketua).get(BOOKS + "verifikasi/").content.decode()
    assert "Ditemukan masalah" in html
    assert "isi jurnal tidak cocok dengan hash-nya" in html
    assert f'href="{BOOKS}jurnal/{capital.pk}/">JU-000001</a>' in html


# --- the live balance check (journal-form.js) in headless Chromium --------------------------
@pytest.mark.browser
def test_journal_form_script_shows_totals_and_enables_submit_only_when_balanced(
    client: Client, coop: Any, bendahara: Any
) -> None:
    """The rendered form with its script inlined (no server needed), driven in Debian's Chromium."""
    import os
    import re
    from pathlib import Path

    chromium = Path("/usr/bin/chromium")
    if not chromium.exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but chromium is not installed", pytrace=False)
        pytest.skip("chromium not installed; on Debian: apt-get install chromium")
    from django.contrib.staticfiles import finders
    from playwright.sync_api import sync_playwright

    html = login(client, bendahara).get(BOOKS + "jurnal/baru/").content.decode()
    script = Path(str(finders.find("js/journal-form.js"))).read_text()
    html = html.replace('<script src="/static/js/journal-form.js" defer></script>', f"<script>{script}</script>")
    html = re.sub(r"<(link|script) [^>]*(href|src)=\"/static/[^>]*>(</script>)?", "", html)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.set_content(html)
            summary = page.locator("[data-journal-summary]")
            submit = page.locator("[data-journal-submit]")
            assert submit.is_disabled()
            page.select_option("#id_lines-0-account", "5-2900")
            page.fill("#id_lines-0-debit", "250.000")
            assert summary.inner_text().startswith("Total debit Rp 250.000, total kredit Rp 0, selisih Rp 250.000")
            assert submit.is_disabled()
            page.select_option("#id_lines-1-account", "1-1100")
            page.fill("#id_lines-1-credit", "200000")
            assert summary.inner_text() == "Total debit Rp 250.000, total kredit Rp 200.000, selisih Rp 50.000"
            assert submit.is_disabled()
            page.click("[data-journal-add]")  # a fifth row, without a round trip
            assert page.locator("[data-journal-row]").count() == 5
            assert page.input_value("input[name=lines-TOTAL_FORMS]") == "5"
            page.select_option("#id_lines-4-account", "1-1200")
            page.fill("#id_lines-4-credit", "Rp 50.000")
            assert summary.inner_text() == "Total debit Rp 250.000, total kredit Rp 250.000, selisih Rp 0"
            assert submit.is_enabled()
            page.fill("#id_lines-4-credit", "50,5")  # not whole rupiah
            assert submit.is_disabled()
            assert page.get_attribute("#id_lines-4-credit", "aria-invalid") == "true"
            assert errors == []
        finally:
            browser.close()
