"""The SHU funds (dana SHU): balances from the approved distributions, spends posted from 2-1400.

Figures come from ``tests/shu/conftest.py``: after ``distributed`` (the default policy on
Rp1.120.000) the four funds dana pengurus, karyawan, pendidikan and sosial each hold Rp56.000,
credited to 2-1400 by the allocation entry of 20/01/2026; the non-member surplus Rp280.000
went to cadangan. Spends are dated 28/01/2026 with ``today`` = ``CLOSE_TODAY`` (01/02/2026).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.core.roles import Role
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.shu.calculations import AllocationLine
from koperasi.shu.models import ShuFundSpend
from koperasi.shu.selectors import DEFAULT_ALLOCATION, FundBalance, fund_balances, fund_spends
from koperasi.shu.services import shu_approve, shu_fund_spend, shu_policy_save
from tests.shu.conftest import CLOSE_TODAY, DECISION, RAT_DATE, YEAR, close_months, post_books_2025, register_three

pytestmark = pytest.mark.django_db

SPENT_ON = datetime.date(2026, 1, 28)
FOUR_FUNDS = [
    ("dana_pengurus", "Dana pengurus"),
    ("dana_karyawan", "Dana karyawan"),
    ("dana_pendidikan", "Dana pendidikan"),
    ("dana_sosial", "Dana sosial"),
]


def _spend(books: Any, **kw: Any) -> ShuFundSpend:
    kw.setdefault("fund", "dana_pendidikan")
    kw.setdefault("amount", 50_000)
    kw.setdefault("date", SPENT_ON)
    kw.setdefault("channel", "tunai")
    kw.setdefault("purpose", "Pelatihan perkoperasian pengurus")
    kw.setdefault("actor", books.bendahara)
    kw.setdefault("today", CLOSE_TODAY)
    return shu_fund_spend(cooperative=books.coop, **kw)


def _balances(coop: Any) -> list[tuple[str, str, int, int, int, tuple[tuple[int, int], ...]]]:
    return [(f.key, f.name, f.credited, f.spent, f.balance, f.by_year) for f in fund_balances(cooperative=coop)]


def _fund(coop: Any, key: str) -> FundBalance:
    return next(f for f in fund_balances(cooperative=coop) if f.key == key)


def _state(coop: Any) -> tuple[Any, ...]:
    """What a refused spend must leave unchanged: the spends, the books, the audit trail, the balances."""
    return (
        ShuFundSpend.objects.count(),
        JournalEntry.objects.count(),
        JournalLine.objects.count(),
        AuditEvent.objects.count(),
        _balances(coop),
    )


def _lines(entry: JournalEntry) -> list[tuple[str, int, int]]:
    return list(JournalLine.objects.filter(entry=entry).order_by("pk").values_list("account__code", "debit", "credit"))


def _ledger_funds(coop: Any) -> int:
    """The credit balance of 2-1400 Dana-dana SHU belum dibayar, from the ledger's trial balance."""
    from koperasi.ledger.selectors import trial_balance

    rows = trial_balance(cooperative=coop, as_of=datetime.date(2026, 12, 31)).rows
    return sum(row.credit - row.debit for row in rows if row.account.code == "2-1400")


def _refused(books: Any, error: type[Exception], **kw: Any) -> Any:
    """Spend with ``kw``; assert it raises ``error`` and writes nothing; return the error."""
    before = _state(books.coop)
    with pytest.raises(error) as caught:
        _spend(books, **kw)
    assert _state(books.coop) == before
    return caught.value


# --- Balances ---------------------------------------------------------------------------------------
def test_no_distribution_means_no_funds(year_books: Any, closed_year: Any) -> None:
    assert fund_balances(cooperative=year_books.coop) == []
    assert list(fund_spends(cooperative=year_books.coop)) == []


def test_the_distribution_credits_the_four_default_funds_56_000_each(year_books: Any, distributed: Any) -> None:
    assert _balances(year_books.coop) == [(key, name, 56_000, 0, 56_000, ((2025, 56_000),)) for key, name in FOUR_FUNDS]
    assert _ledger_funds(year_books.coop) == 224_000


# --- A spend ----------------------------------------------------------------------------------------
def test_a_cash_spend_posts_dr_2_1400_cr_kas_and_leaves_6_000(year_books: Any, distributed: Any) -> None:
    spend = _spend(year_books, recipient="LPK Koperasi Kaltim", idempotency_key=None)

    spend.refresh_from_db()
    assert (spend.fund, spend.amount, spend.date, spend.channel, spend.purpose, spend.recipient) == (
        "dana_pendidikan",
        50_000,
        SPENT_ON,
        "tunai",
        "Pelatihan perkoperasian pengurus",
        "LPK Koperasi Kaltim",
    )
    assert spend.created_by == year_books.bendahara
    entry = spend.journal_entry
    assert (entry.date, entry.amount, entry.source_type, entry.source_id) == (
        SPENT_ON,
        50_000,
        "shu_fund",
        "dana_pendidikan",
    )
    assert entry.memo == "Penggunaan Dana pendidikan: Pelatihan perkoperasian pengurus (LPK Koperasi Kaltim)"
    assert _lines(entry) == [("2-1400", 50_000, 0), ("1-1100", 0, 50_000)]
    fund = _fund(year_books.coop, "dana_pendidikan")
    assert (fund.credited, fund.spent, fund.balance, fund.by_year) == (56_000, 50_000, 6_000, ((2025, 56_000),))
    # The other funds are untouched.
    assert [(f.key, f.balance) for f in fund_balances(cooperative=year_books.coop)] == [
        ("dana_pengurus", 56_000),
        ("dana_karyawan", 56_000),
        ("dana_pendidikan", 6_000),
        ("dana_sosial", 56_000),
    ]
    audit = AuditEvent.objects.get(action="shu.fund.spend")
    assert (audit.cooperative_id, audit.actor_id, audit.object_type, audit.object_id) == (
        year_books.coop.pk,
        year_books.bendahara.pk,
        "shu.shufundspend",
        str(spend.pk),
    )
    assert audit.data == {"fund": "dana_pendidikan", "amount": 50_000, "channel": "tunai", "entry": entry.number}
    assert _ledger_funds(year_books.coop) == 224_000 - 50_000


def test_a_bank_spend_credits_the_bank_account(year_books: Any, distributed: Any) -> None:
    spend = _spend(year_books, fund="dana_sosial", amount=56_000, channel="bank", purpose="Bantuan banjir RT 05")
    assert _lines(spend.journal_entry) == [("2-1400", 56_000, 0), ("1-1200", 0, 56_000)]
    assert spend.journal_entry.memo == "Penggunaan Dana sosial: Bantuan banjir RT 05"
    fund = _fund(year_books.coop, "dana_sosial")
    assert (fund.spent, fund.balance) == (56_000, 0)


def test_one_rupiah_over_the_balance_is_refused_with_the_balance_and_nothing_written(
    year_books: Any, distributed: Any
) -> None:
    _spend(year_books)
    error = _refused(year_books, Conflict, amount=6_001)
    assert (error.code, error.message, error.detail) == (
        "fund_insufficient",
        "Sisa Dana pendidikan Rp 6.000; tidak cukup untuk Rp 6.001.",
        {"amount": ["Paling banyak Rp 6.000."]},
    )
    # Exactly the balance is allowed, and then the fund is empty.
    _spend(year_books, amount=6_000)
    assert _fund(year_books.coop, "dana_pendidikan").balance == 0
    error = _refused(year_books, Conflict, amount=1)
    assert (error.code, error.message) == ("fund_insufficient", "Sisa Dana pendidikan Rp 0; tidak cukup untuk Rp 1.")


def test_spends_are_listed_newest_first_and_by_fund(year_books: Any, distributed: Any) -> None:
    first = _spend(year_books, amount=10_000, date=datetime.date(2026, 1, 21))
    second = _spend(year_books, fund="dana_sosial", amount=20_000, date=datetime.date(2026, 1, 30))
    third = _spend(year_books, amount=5_000, date=datetime.date(2026, 1, 30))
    assert list(fund_spends(cooperative=year_books.coop)) == [third, second, first]
    assert list(fund_spends(cooperative=year_books.coop, fund="dana_pendidikan")) == [third, first]
    assert list(fund_spends(cooperative=year_books.coop, fund="dana_karyawan")) == []


# --- Refusals ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fund", "message"),
    [
        (
            "dana_lain",
            "Dana tidak dikenal. Dana yang ada: Dana pengurus, Dana karyawan, Dana pendidikan, Dana sosial.",
        ),
        # A pool the default policy never credited.
        ("dana_pembangunan_daerah_kerja", None),
        ("cadangan", None),
        ("jasa_modal", None),
        ("lainnya:Dana kesehatan", None),
        ("", None),
        ("DANA_PENDIDIKAN", None),
        (None, None),
        (7, None),
    ],
)
def test_an_unknown_fund_is_refused_on_the_fund_field(
    year_books: Any, distributed: Any, fund: Any, message: str | None
) -> None:
    error = _refused(year_books, ValidationError, fund=fund)
    assert list(error.detail) == ["fund"]
    assert error.message.startswith("Dana tidak dikenal. Dana yang ada: Dana pengurus")
    if message is not None:
        assert error.message == message


@pytest.mark.parametrize("day", [datetime.date(2026, 1, 19), datetime.date(2025, 12, 31)])
def test_a_spend_dated_before_the_rat_that_filled_the_fund_is_refused(
    year_books: Any, distributed: Any, day: datetime.date
) -> None:
    error = _refused(year_books, ValidationError, date=day)
    assert error.detail == {
        "date": [
            "Dana pendidikan terisi dari SHU yang disahkan RAT 20/01/2026; penggunaannya paling awal pada tanggal itu."
        ]
    }
    assert _fund(year_books.coop, "dana_pendidikan").since == datetime.date(2026, 1, 20)


def test_a_fund_is_refused_before_any_distribution(year_books: Any, closed_year: Any) -> None:
    error = _refused(year_books, ValidationError, fund="dana_pendidikan")
    assert (error.detail, error.message) == ({"fund": ["Belum ada dana dari SHU."]}, "Belum ada dana dari SHU.")


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (0, "Jumlah harus rupiah bulat lebih dari 0."),
        (-1, "Jumlah harus rupiah bulat lebih dari 0."),
        (True, "Jumlah harus rupiah bulat lebih dari 0."),
        ("100", "Jumlah harus rupiah bulat lebih dari 0."),
        (100.0, "Jumlah harus rupiah bulat lebih dari 0."),
        (Decimal(100), "Jumlah harus rupiah bulat lebih dari 0."),
        (None, "Jumlah harus rupiah bulat lebih dari 0."),
        (10**16, "Jumlah terlalu besar."),
        (10**30, "Jumlah terlalu besar."),
    ],
)
def test_a_bad_amount_is_refused(year_books: Any, distributed: Any, amount: Any, message: str) -> None:
    error = _refused(year_books, ValidationError, amount=amount)
    assert error.detail == {"amount": [message]}


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"date": datetime.date(2026, 2, 2)}, "date", "Tanggal tidak boleh di masa depan."),
        ({"date": None}, "date", "Tanggal wajib diisi."),
        ({"date": "2026-01-28"}, "date", "Tanggal wajib diisi."),
        ({"channel": "cek"}, "channel", "Cara bayar harus 'tunai' atau 'bank'."),
        ({"channel": "sukarela"}, "channel", "Cara bayar harus 'tunai' atau 'bank'."),
        ({"channel": ""}, "channel", "Cara bayar harus 'tunai' atau 'bank'."),
        ({"purpose": ""}, "purpose", "Keperluan wajib diisi."),
        ({"purpose": "   "}, "purpose", "Keperluan wajib diisi."),
        ({"purpose": "\x00"}, "purpose", "Keperluan memuat karakter yang tidak diizinkan."),
        ({"purpose": "Buku\x00"}, "purpose", "Keperluan memuat karakter yang tidak diizinkan."),
        ({"purpose": "x" * 201}, "purpose", "Keperluan paling panjang 200 karakter."),
        ({"recipient": "x" * 121}, "recipient", "Penerima paling panjang 120 karakter."),
        ({"recipient": "LPK\x00"}, "recipient", "Penerima memuat karakter yang tidak diizinkan."),
    ],
)
def test_bad_input_is_refused_on_its_field(
    year_books: Any, distributed: Any, kw: dict[str, Any], field: str, message: str
) -> None:
    error = _refused(year_books, ValidationError, **kw)
    assert error.detail == {field: [message]}


def test_the_longest_texts_are_kept_whole(year_books: Any, distributed: Any) -> None:
    spend = _spend(year_books, purpose="p" * 200, recipient="r" * 120)
    spend.refresh_from_db()
    assert (len(spend.purpose), len(spend.recipient)) == (200, 120)


def test_a_spend_in_a_closed_month_is_refused_and_writes_nothing(year_books: Any, distributed: Any) -> None:
    close_months(year_books.coop, 2026, year_books.bendahara, months=range(1, 2))
    error = _refused(year_books, Conflict)
    assert (error.code, error.message) == (
        "period_closed",
        "Periode 01/2026 sudah ditutup; jurnal tidak dapat dicatat pada tanggal itu.",
    )
    assert _fund(year_books.coop, "dana_pendidikan").balance == 56_000
    # February is open: the same spend dated 1 February goes through.
    spend = _spend(year_books, date=CLOSE_TODAY)
    assert spend.journal_entry.date == CLOSE_TODAY


def test_the_same_idempotency_key_twice_records_one_spend(year_books: Any, distributed: Any) -> None:
    first = _spend(year_books, idempotency_key="dana-pendidikan-0128")
    entries = JournalEntry.objects.count()
    audits = AuditEvent.objects.count()
    # The repeat returns the first spend even with other figures (a double submit never spends twice).
    again = _spend(year_books, idempotency_key="dana-pendidikan-0128", amount=6_000, channel="bank")
    assert again.pk == first.pk
    assert (again.amount, again.channel) == (50_000, "tunai")
    assert ShuFundSpend.objects.count() == 1
    assert (JournalEntry.objects.count(), AuditEvent.objects.count()) == (entries, audits)
    assert _fund(year_books.coop, "dana_pendidikan").balance == 6_000
    # Another key is another spend.
    _spend(year_books, idempotency_key="dana-pendidikan-0129", amount=6_000)
    assert ShuFundSpend.objects.count() == 2
    assert _fund(year_books.coop, "dana_pendidikan").balance == 0


# --- Tenancy ----------------------------------------------------------------------------------------
def test_another_cooperative_sees_no_funds_and_cannot_spend_the_first_s(
    year_books: Any, distributed: Any, other_coop: Any, grant: Any
) -> None:
    _spend(year_books)
    lamaru_bendahara = grant(other_coop, Role.BENDAHARA, "bendahara-lamaru-dana")
    assert fund_balances(cooperative=other_coop) == []
    assert list(fund_spends(cooperative=other_coop)) == []
    before = _state(year_books.coop)
    with pytest.raises(ValidationError) as caught:
        shu_fund_spend(
            cooperative=other_coop,
            fund="dana_pendidikan",
            amount=1_000,
            date=SPENT_ON,
            channel="tunai",
            purpose="Pelatihan",
            actor=lamaru_bendahara,
            today=CLOSE_TODAY,
        )
    assert caught.value.detail == {"fund": ["Belum ada dana dari SHU."]}
    assert _state(year_books.coop) == before


def test_each_cooperative_s_funds_and_spends_are_its_own(
    year_books: Any, distributed: Any, other_coop: Any, grant: Any, register_member: Any, admin_user: Any
) -> None:
    lamaru_bendahara = grant(other_coop, Role.BENDAHARA, "bendahara-lamaru-dana")
    lamaru_ketua = grant(other_coop, Role.KETUA, "ketua-lamaru-dana")
    post_books_2025(
        other_coop,
        members=register_three(other_coop, register_member),
        bendahara=lamaru_bendahara,
        kasir=grant(other_coop, Role.KASIR, "kasir-lamaru-dana"),
        admin=admin_user,
    )
    from koperasi.shu.services import fiscal_year_close

    fiscal_year_close(cooperative=other_coop, year=YEAR, actor=lamaru_bendahara, today=CLOSE_TODAY)
    shu_approve(
        cooperative=other_coop,
        year=YEAR,
        rat_date=RAT_DATE,
        decision_number="01/RAT/LMR",
        actor=lamaru_ketua,
        today=CLOSE_TODAY,
    )
    manggar = _spend(year_books, amount=50_000)
    lamaru = shu_fund_spend(
        cooperative=other_coop,
        fund="dana_pendidikan",
        amount=10_000,
        date=SPENT_ON,
        channel="bank",
        purpose="Sosialisasi koperasi",
        actor=lamaru_bendahara,
        idempotency_key="sama",
        today=CLOSE_TODAY,
    )
    # The same idempotency key in Manggar is Manggar's own first spend, not Lamaru's.
    manggar_keyed = _spend(year_books, amount=1_000, idempotency_key="sama")
    assert manggar_keyed.pk != lamaru.pk
    assert list(fund_spends(cooperative=year_books.coop)) == [manggar_keyed, manggar]
    assert list(fund_spends(cooperative=other_coop)) == [lamaru]
    assert list(fund_spends(cooperative=other_coop, fund="dana_pendidikan")) == [lamaru]
    assert _fund(year_books.coop, "dana_pendidikan").balance == 5_000
    assert _fund(other_coop, "dana_pendidikan").balance == 46_000
    assert lamaru.journal_entry.cooperative_id == other_coop.pk
    assert _ledger_funds(year_books.coop) == 224_000 - 51_000
    assert _ledger_funds(other_coop) == 224_000 - 10_000


# --- Where the funds come from ----------------------------------------------------------------------
def test_the_non_member_surplus_into_dana_sosial_is_in_that_fund(year_books: Any, closed_year: Any) -> None:
    shu_policy_save(
        cooperative=year_books.coop,
        effective_year=YEAR,
        lines=DEFAULT_ALLOCATION,
        capital_kinds=["pokok", "wajib"],
        non_member_destination="dana_sosial",
        actor=year_books.ketua,
    )
    distribution = shu_approve(
        cooperative=year_books.coop,
        year=YEAR,
        rat_date=RAT_DATE,
        decision_number=DECISION,
        actor=year_books.ketua,
        today=CLOSE_TODAY,
    )
    assert _balances(year_books.coop) == [
        ("dana_pengurus", "Dana pengurus", 56_000, 0, 56_000, ((2025, 56_000),)),
        ("dana_karyawan", "Dana karyawan", 56_000, 0, 56_000, ((2025, 56_000),)),
        ("dana_pendidikan", "Dana pendidikan", 56_000, 0, 56_000, ((2025, 56_000),)),
        ("dana_sosial", "Dana sosial", 336_000, 0, 336_000, ((2025, 336_000),)),
    ]
    sosial = JournalLine.objects.get(entry=distribution.allocation_entry, memo="Dana sosial dari SHU 2025")
    assert (sosial.account.code, sosial.debit, sosial.credit) == ("2-1400", 0, 336_000)
    assert _ledger_funds(year_books.coop) == 56_000 * 3 + 336_000
    # All of it may be spent, not a rupiah more.
    _spend(year_books, fund="dana_sosial", amount=336_000)
    assert _refused(year_books, Conflict, fund="dana_sosial", amount=1).code == "fund_insufficient"


def test_a_named_other_line_is_a_fund_of_its_own(year_books: Any, closed_year: Any) -> None:
    lines = [
        AllocationLine("cadangan", Decimal(35)),
        *DEFAULT_ALLOCATION[1:],
        AllocationLine("lainnya", Decimal(5), label="Dana kesehatan"),
    ]
    shu_approve(
        cooperative=year_books.coop,
        year=YEAR,
        rat_date=RAT_DATE,
        decision_number=DECISION,
        lines=lines,
        actor=year_books.ketua,
        today=CLOSE_TODAY,
    )
    funds = _balances(year_books.coop)
    assert funds[-1] == ("lainnya:Dana kesehatan", "Dana kesehatan", 56_000, 0, 56_000, ((2025, 56_000),))
    assert [key for key, *_ in funds] == [
        "dana_pengurus",
        "dana_karyawan",
        "dana_pendidikan",
        "dana_sosial",
        "lainnya:Dana kesehatan",
    ]
    spend = _spend(year_books, fund="lainnya:Dana kesehatan", amount=40_000, purpose="Cek kesehatan anggota")
    assert spend.fund == "lainnya:Dana kesehatan"
    assert spend.journal_entry.memo == "Penggunaan Dana kesehatan: Cek kesehatan anggota"
    assert _fund(year_books.coop, "lainnya:Dana kesehatan").balance == 16_000
    assert _ledger_funds(year_books.coop) == 5 * 56_000 - 40_000


def test_the_sum_of_the_funds_is_the_2_1400_balance_after_spends(year_books: Any, distributed: Any) -> None:
    assert sum(f.balance for f in fund_balances(cooperative=year_books.coop)) == _ledger_funds(year_books.coop)
    _spend(year_books, amount=50_000)
    _spend(year_books, fund="dana_pengurus", amount=12_345, channel="bank")
    _spend(year_books, fund="dana_sosial", amount=56_000)
    balances = fund_balances(cooperative=year_books.coop)
    assert [f.balance for f in balances] == [56_000 - 12_345, 56_000, 6_000, 0]
    assert sum(f.balance for f in balances) == _ledger_funds(year_books.coop) == 224_000 - 118_345
