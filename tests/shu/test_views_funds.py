"""The Dana SHU page: each fund's balance by SHU year, the spend form (bendahara) and the spends.

Figures are those of ``tests/shu/conftest.py``: the RAT of 20/01/2026 put Rp56.000 into each of
dana pengurus, karyawan, pendidikan and sosial (Rp224.000 on 2-1400).
"""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.shu import views_funds
from koperasi.shu.models import ShuDistribution, ShuFundSpend
from koperasi.shu.services import shu_fund_spend
from tests.shu.conftest import YearBooks

pytestmark = pytest.mark.django_db

URL = "/k/manggar/shu/dana/"
SPENT_ON = "2026-02-10"
FUNDS = ["dana_pengurus", "dana_karyawan", "dana_pendidikan", "dana_sosial"]
NAMES = ["Dana pengurus", "Dana karyawan", "Dana pendidikan", "Dana sosial"]
EMPTY = "Belum ada dana dari SHU: dana terisi setelah RAT mengesahkan pembagian SHU."


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def strip(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def text(html: str, element_id: str) -> str:
    """The text of the element with ``element_id`` up to its closing tag (tags removed)."""
    match = re.search(rf'<(\w+)[^>]* id="{element_id}"[^>]*>(.*?)</\1>', html, re.S)
    assert match, f"#{element_id} not on the page"
    return strip(match.group(2))


def fund_row(html: str, key: str) -> str:
    match = re.search(rf'<tr data-fund="{key}">(.*?)</tr>', html, re.S)
    assert match, f"no row of {key}"
    return strip(match.group(1))


def key_of(html: str) -> str:
    match = re.search(r'name="idempotency_key" value="([^"]+)"', html)
    assert match, "no idempotency key on the form"
    return match.group(1)


def spend_data(**changes: str) -> dict[str, str]:
    data = {
        "fund": "dana_pendidikan",
        "amount": "50.000",
        "date": SPENT_ON,
        "channel": "tunai",
        "purpose": "Pelatihan perkoperasian",
        "recipient": "LPK Mitra Koperasi",
        "idempotency_key": "",
    }
    data.update(changes)
    return data


def account_balance(coop: Any, code: str) -> int:
    """Debit minus credit of account ``code`` (from the lines)."""
    sums = JournalLine.objects.filter(cooperative=coop, account__code=code).aggregate(d=Sum("debit"), c=Sum("credit"))
    return (sums["d"] or 0) - (sums["c"] or 0)


def writes(coop: Any) -> tuple[int, int, int, int, int]:
    """Everything a spend writes: spends, entries, audit records, cash, the funds account."""
    return (
        ShuFundSpend.objects.count(),
        JournalEntry.objects.count(),
        AuditEvent.objects.count(),
        account_balance(coop, "1-1100"),
        account_balance(coop, "2-1400"),
    )


def spend(year_books: YearBooks, amount: int, fund: str = "dana_pendidikan", purpose: str = "Bakti sosial") -> Any:
    return shu_fund_spend(
        cooperative=year_books.coop,
        fund=fund,
        amount=amount,
        date=datetime.date(2026, 2, 10),
        channel="tunai",
        purpose=purpose,
        actor=year_books.bendahara,
    )


# --- reading -------------------------------------------------------------------------------------
def test_bendahara_sees_the_four_funds_and_the_form(year_books: YearBooks, distributed: ShuDistribution) -> None:
    response = client_for(year_books.bendahara).get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert re.findall(r'<tr data-fund="([^"]+)">', html) == FUNDS
    for key, name in zip(FUNDS, NAMES, strict=True):
        assert fund_row(html, key) == f"{name} SHU 2025: Rp 56.000 Rp 56.000 Rp 0 Rp 56.000"
    assert text(html, "dana-total") == "Total Rp 224.000 Rp 0 Rp 224.000"
    assert 'id="pakai-dana"' in html
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', text_of_select(html))
    assert options == [("", "— pilih dana —")] + [
        (k, f"{n} (sisa Rp 56.000)") for k, n in zip(FUNDS, NAMES, strict=True)
    ]
    assert f'name="date" value="{timezone.localdate():%Y-%m-%d}"' in html
    assert re.search(r'value="tunai"[^>]*checked', html)
    assert len(key_of(html)) >= 32
    assert text(html, "penggunaan-kosong") == "Belum ada dana yang digunakan."
    assert EMPTY not in html
    # Each rendering of the form has its own key.
    assert key_of(client_for(year_books.bendahara).get(URL).content.decode()) != key_of(html)


def text_of_select(html: str) -> str:
    match = re.search(r'<select name="fund".*?</select>', html, re.S)
    assert match, "no fund select"
    return match.group(0)


@pytest.mark.parametrize("role", ["pengawas", "ketua"])
def test_pengawas_and_ketua_read_without_the_form_and_may_not_spend(
    year_books: YearBooks, distributed: ShuDistribution, role: str
) -> None:
    client = client_for(getattr(year_books, role))
    before = writes(year_books.coop)

    html = client.get(URL).content.decode()
    refused = client.post(URL, spend_data(idempotency_key="k1"))

    assert fund_row(html, "dana_pendidikan") == "Dana pendidikan SHU 2025: Rp 56.000 Rp 56.000 Rp 0 Rp 56.000"
    assert 'id="pakai-dana"' not in html and 'name="idempotency_key"' not in html
    assert refused.status_code == 403
    assert writes(year_books.coop) == before


def test_kasir_anggota_and_dinas_are_refused(
    year_books: YearBooks, distributed: ShuDistribution, grant: Any, dinas_user: Any
) -> None:
    anggota = grant(year_books.coop, Role.ANGGOTA, "anggota-manggar")
    before = writes(year_books.coop)
    for user in (year_books.kasir, anggota, dinas_user):
        client = client_for(user)
        assert client.get(URL).status_code == 403, user.username
        assert client.post(URL, spend_data(idempotency_key="k1")).status_code == 403, user.username
    assert writes(year_books.coop) == before


def test_another_cooperatives_officer_finds_nothing(
    year_books: YearBooks, distributed: ShuDistribution, other_coop: Any, grant: Any
) -> None:
    outsider = client_for(grant(other_coop, Role.BENDAHARA, "bendahara-lamaru"))
    before = writes(year_books.coop)

    assert outsider.get(URL).status_code == 404
    assert outsider.post(URL, spend_data(idempotency_key="k1")).status_code == 404
    # Through Lamaru's own page: Lamaru has no SHU, and Manggar's funds are not Lamaru's to spend.
    own = outsider.get("/k/lamaru/shu/dana/")
    assert own.status_code == 200 and EMPTY in strip(own.content.decode())
    refused = outsider.post("/k/lamaru/shu/dana/", spend_data(idempotency_key="k1"))
    assert refused.status_code == 422
    assert "Belum ada dana dari SHU." in strip(refused.content.decode())
    assert writes(year_books.coop) == before


def test_anonymous_is_sent_to_login(year_books: YearBooks, distributed: ShuDistribution) -> None:
    before = writes(year_books.coop)
    for response in (Client().get(URL), Client().post(URL, spend_data(idempotency_key="k1"))):
        assert response.status_code == 302 and response["Location"].startswith("/masuk/")
    assert writes(year_books.coop) == before


def test_only_get_and_post(year_books: YearBooks, distributed: ShuDistribution) -> None:
    assert client_for(year_books.bendahara).put(URL).status_code == 405


def test_before_any_distribution_the_page_says_so(year_books: YearBooks, closed_year: Any) -> None:
    client = client_for(year_books.bendahara)

    html = client.get(URL).content.decode()

    assert text(html, "dana-kosong") == EMPTY + " Ke Tahun buku"
    assert '<a href="/k/manggar/shu/">Ke Tahun buku</a>' in html
    assert 'id="dana"' not in html and 'id="pakai-dana"' not in html
    assert text(html, "penggunaan-kosong") == "Belum ada dana yang digunakan."
    before = writes(year_books.coop)
    refused = client.post(URL, spend_data(idempotency_key="k1"))
    assert refused.status_code == 422
    assert "Belum ada dana dari SHU." in strip(refused.content.decode())
    assert writes(year_books.coop) == before


# --- spending ------------------------------------------------------------------------------------
def test_a_spend_is_posted_and_shown(year_books: YearBooks, distributed: ShuDistribution) -> None:
    coop = year_books.coop
    client = client_for(year_books.bendahara)
    key = key_of(client.get(URL).content.decode())
    spends, entries, audits, cash, funds = writes(coop)

    response = client.post(URL, spend_data(idempotency_key=key))

    assert response.status_code == 302 and response["Location"] == URL
    made = ShuFundSpend.objects.get()
    entry = made.journal_entry
    assert (made.cooperative, made.fund, made.amount, made.date, made.channel) == (
        coop,
        "dana_pendidikan",
        50_000,
        datetime.date(2026, 2, 10),
        "tunai",
    )
    assert (made.purpose, made.recipient, made.idempotency_key, made.created_by) == (
        "Pelatihan perkoperasian",
        "LPK Mitra Koperasi",
        key,
        year_books.bendahara,
    )
    lines = sorted(entry.lines.values_list("account__code", "debit", "credit"))
    assert lines == [("1-1100", 0, 50_000), ("2-1400", 50_000, 0)]
    assert entry.date == datetime.date(2026, 2, 10)
    assert writes(coop) == (spends + 1, entries + 1, audits + 1, cash - 50_000, funds + 50_000)

    html = client.get(URL).content.decode()
    assert (
        f"Penggunaan Dana pendidikan Rp 50.000 untuk Pelatihan perkoperasian dicatat dengan jurnal {entry.number}."
        in (strip(html))
    )
    assert fund_row(html, "dana_pendidikan") == "Dana pendidikan SHU 2025: Rp 56.000 Rp 56.000 Rp 50.000 Rp 6.000"
    assert fund_row(html, "dana_sosial") == "Dana sosial SHU 2025: Rp 56.000 Rp 56.000 Rp 0 Rp 56.000"
    assert text(html, "dana-total") == "Total Rp 224.000 Rp 50.000 Rp 174.000"
    assert "Dana pendidikan (sisa Rp 6.000)" in text_of_select(html)
    assert text(html, f"penggunaan-{made.pk}") == (
        f"10/02/2026 Dana pendidikan Pelatihan perkoperasian LPK Mitra Koperasi Tunai (kas) Rp 50.000 {entry.number} "
        f"{year_books.bendahara.username}"
    )
    assert f'href="{reverse("ledger:journal_detail", args=["manggar", entry.pk])}"' in html


def test_a_bank_transfer_credits_the_bank(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = client_for(year_books.bendahara)

    response = client.post(URL, spend_data(fund="dana_sosial", amount="56.000", channel="bank", recipient=""))

    assert response.status_code == 302
    made = ShuFundSpend.objects.get()
    assert (made.fund, made.amount, made.channel, made.recipient) == ("dana_sosial", 56_000, "bank", "")
    assert sorted(made.journal_entry.lines.values_list("account__code", "debit", "credit")) == [
        ("1-1200", 0, 56_000),
        ("2-1400", 56_000, 0),
    ]
    html = client.get(URL).content.decode()
    assert fund_row(html, "dana_sosial") == "Dana sosial SHU 2025: Rp 56.000 Rp 56.000 Rp 56.000 Rp 0"
    # A fund with nothing left is no longer offered.
    assert 'value="dana_sosial"' not in text_of_select(html)
    assert text(html, f"penggunaan-{made.pk}").startswith(
        "10/02/2026 Dana sosial Pelatihan perkoperasian — Transfer bank"
    )


def test_overspending_is_refused_with_the_values_kept(year_books: YearBooks, distributed: ShuDistribution) -> None:
    coop = year_books.coop
    client = client_for(year_books.bendahara)
    spend(year_books, 50_000)
    before = writes(coop)

    response = client.post(URL, spend_data(amount="6.001", idempotency_key="kunci-1"))

    assert response.status_code == 409
    html = response.content.decode()
    assert text(html, "id_amount_error") == "Sisa Dana pendidikan Rp 6.000; tidak cukup untuk Rp 6.001."
    assert 'name="amount" value="6.001"' in html
    assert '<option value="dana_pendidikan" selected>' in html
    assert 'name="purpose" value="Pelatihan perkoperasian"' in html
    assert 'name="idempotency_key" value="kunci-1"' in html
    assert writes(coop) == before
    # The whole balance is fine.
    assert client.post(URL, spend_data(amount="6.000", idempotency_key="kunci-1")).status_code == 302
    assert writes(coop)[0] == before[0] + 1


@pytest.mark.parametrize(
    ("changes", "field", "message", "status"),
    [
        ({"amount": "abc"}, "amount", "Tulis jumlah dalam rupiah, mis. 1.250.000.", 422),
        ({"amount": ""}, "amount", "Isi jumlah.", 422),
        ({"amount": "0"}, "amount", "Jumlah harus rupiah bulat lebih dari 0.", 422),
        ({"amount": "-5.000"}, "amount", "Jumlah harus rupiah bulat lebih dari 0.", 422),
        ({"amount": "12,5"}, "amount", "Jumlah harus rupiah bulat lebih dari 0.", 422),
        ({"amount": "1.000.000.000.000.001"}, "amount", "Jumlah terlalu besar.", 422),
        ({"date": "2099-01-01"}, "date", "Tanggal tidak boleh di masa depan.", 422),
        ({"date": "kemarin"}, "date", "Tanggal tidak valid; gunakan TTTT-BB-HH.", 422),
        ({"date": ""}, "date", "Isi tanggal.", 422),
        ({"channel": "emas"}, "channel", "Cara bayar harus tunai atau transfer bank.", 422),
        ({"purpose": "  "}, "purpose", "Isi keperluan.", 422),
        ({"fund": ""}, "fund", "Pilih dana.", 422),
        ({"fund": "dana_cadangan"}, "fund", "Dana tidak dikenal.", 422),
        ({"recipient": "x" * 121}, "recipient", "paling banyak 120 karakter", 422),
        ({"purpose": "Pelatihan\x00"}, "purpose", "Karakter null tidak diizinkan.", 422),
        (
            {"date": "2026-01-19"},
            "date",
            "Dana pendidikan terisi dari SHU yang disahkan RAT 20/01/2026; penggunaannya paling awal pada tanggal itu.",
            422,
        ),
    ],
)
def test_bad_input_changes_nothing(
    year_books: YearBooks,
    distributed: ShuDistribution,
    changes: dict[str, str],
    field: str,
    message: str,
    status: int,
) -> None:
    coop = year_books.coop
    before = writes(coop)

    response = client_for(year_books.bendahara).post(URL, spend_data(idempotency_key="kunci-1", **changes))

    assert response.status_code == status
    assert message in text(response.content.decode(), f"id_{field}_error")
    assert writes(coop) == before


def test_a_double_submit_spends_once(year_books: YearBooks, distributed: ShuDistribution) -> None:
    coop = year_books.coop
    client = client_for(year_books.bendahara)
    key = key_of(client.get(URL).content.decode())
    before = writes(coop)

    first = client.post(URL, spend_data(idempotency_key=key))
    again = client.post(URL, spend_data(idempotency_key=key), follow=True)

    assert first.status_code == 302 and again.status_code == 200
    made = ShuFundSpend.objects.get()
    assert writes(coop) == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] - 50_000, before[4] + 50_000)
    html = strip(again.content.decode())
    assert f"Penggunaan dana ini sudah tercatat (jurnal {made.journal_entry.number}); kiriman ganda diabaikan." in html
    assert "Dana pendidikan SHU 2025: Rp 56.000 Rp 56.000 Rp 50.000 Rp 6.000" in html
    # A new rendering of the form is a new spend.
    assert client.post(URL, spend_data(amount="6.000", idempotency_key="lain")).status_code == 302
    assert ShuFundSpend.objects.count() == 2


def test_when_every_fund_is_used_up_there_is_no_form(year_books: YearBooks, distributed: ShuDistribution) -> None:
    for fund in FUNDS:
        spend(year_books, 56_000, fund=fund)

    html = client_for(year_books.bendahara).get(URL).content.decode()

    assert text(html, "dana-total") == "Total Rp 224.000 Rp 224.000 Rp 0"
    assert text(html, "dana-habis") == "Semua dana sudah habis terpakai; tidak ada yang dapat digunakan."
    assert 'id="pakai-dana"' not in html
    assert len(re.findall(r'<tr id="penggunaan-\d+"', html)) == 4


def test_spends_newest_first_and_only_the_newest_shown(
    year_books: YearBooks, distributed: ShuDistribution, monkeypatch: Any
) -> None:
    monkeypatch.setattr(views_funds, "SPENDS_SHOWN", 2)
    made = [spend(year_books, 1_000, purpose=f"Keperluan {n}") for n in range(3)]

    html = client_for(year_books.pengawas).get(URL).content.decode()

    assert re.findall(r'<tr id="penggunaan-(\d+)"', html) == [str(made[2].pk), str(made[1].pk)]
    assert "2 penggunaan terbaru." in strip(html)


def test_queries_do_not_grow_with_spends(year_books: YearBooks, distributed: ShuDistribution) -> None:
    client = client_for(year_books.bendahara)
    spend(year_books, 1_000)
    client.get(URL)  # warm the session

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(URL).status_code == 200
        return len(ctx.captured_queries)

    first = queries()
    for n in range(5):
        spend(year_books, 1_000, fund=FUNDS[n % 4], purpose=f"Keperluan {n}")

    # Session, user, cooperative, roles (2), funds credited and spent (2), the spends, the menu's roles.
    assert queries() == first == 9
    assert len(re.findall(r'<tr id="penggunaan-\d+"', client.get(URL).content.decode())) == 6
