"""The RAT approves the SHU (the allocation posted, every member's share) and members are paid in cash or sukarela."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from koperasi.core.errors import Conflict, NotFound, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.savings.models import SavingsAccount, SavingsTransaction
from koperasi.shu import selectors
from koperasi.shu.calculations import AllocationLine
from koperasi.shu.models import ShuDistribution, ShuMemberShare
from koperasi.shu.services import shu_approve, shu_pay, shu_pay_all, shu_policy_save
from tests.shu.conftest import CLOSE_TODAY, DECISION, EXPECTED, RAT_DATE, YEAR, close_months

pytestmark = pytest.mark.django_db
D = datetime.date
L = AllocationLine
P = Decimal
PAID_ON = D(2026, 1, 25)

QUIPPER = [  # domain.md §2.5 Test A, the gerai as the jasa usaha unit
    L("cadangan", P(10)),
    L("jasa_modal", P(25)),
    L("jasa_usaha", P(30), unit="gerai_sembako", basis="purchases"),
    L("dana_pengurus", P(10)),
    L("dana_sosial", P(10)),
    L("dana_pendidikan", P(15)),
]


def _lines(entry: JournalEntry) -> list[tuple[str, int, int, str]]:
    return list(
        JournalLine.objects.filter(entry=entry).order_by("pk").values_list("account__code", "debit", "credit", "memo")
    )


def _state(coop: Any) -> tuple[int, ...]:
    return (
        ShuDistribution.objects.filter(cooperative=coop).count(),
        ShuMemberShare.objects.filter(cooperative=coop).count(),
        ShuMemberShare.objects.filter(cooperative=coop, paid_on__isnull=False).count(),
        JournalEntry.objects.filter(cooperative=coop).count(),
        AuditEvent.objects.filter(cooperative=coop).count(),
        SavingsTransaction.objects.filter(cooperative=coop).count(),
    )


def _approve(books: Any, **kw: Any) -> ShuDistribution:
    kw.setdefault("rat_date", RAT_DATE)
    kw.setdefault("decision_number", DECISION)
    kw.setdefault("today", CLOSE_TODAY)
    return shu_approve(cooperative=books.coop, year=YEAR, actor=books.ketua, **kw)


def _share(books: Any, member: Any) -> ShuMemberShare:
    return ShuMemberShare.objects.get(cooperative=books.coop, member=member)


def _sukarela(member: Any) -> int:
    account = SavingsAccount.objects.filter(member=member, kind="sukarela").first()
    return account.balance if account else 0


# --- Approval ----------------------------------------------------------------------------------------


def test_the_rat_approval_posts_the_allocation(year_books: Any, closed_year: Any) -> None:
    coop = year_books.coop
    distribution = _approve(year_books)
    entry = distribution.allocation_entry
    assert (entry.date, entry.source_type, entry.source_id, entry.amount) == (RAT_DATE, "shu", "2025", 1_400_000)
    assert entry.memo == f"Pembagian SHU 2025 menurut keputusan RAT no. {DECISION}"
    assert _lines(entry) == [
        ("3-1610", 1_120_000, 0, "SHU 2025 dari anggota"),
        ("3-1620", 280_000, 0, "SHU 2025 dari bukan anggota"),
        ("3-1500", 0, 840_001, "Cadangan dari SHU 2025"),
        ("2-1400", 0, 56_000, "Dana pengurus dari SHU 2025"),
        ("2-1400", 0, 56_000, "Dana karyawan dari SHU 2025"),
        ("2-1400", 0, 56_000, "Dana pendidikan dari SHU 2025"),
        ("2-1400", 0, 56_000, "Dana sosial dari SHU 2025"),
        ("2-1500", 0, 335_999, "SHU 2025 bagian anggota"),
    ]
    assert (
        distribution.fiscal_year,
        distribution.shu_total,
        distribution.non_member_amount,
        distribution.non_member_destination,
        distribution.capital_kinds,
        distribution.members_total,
        distribution.members_count,
        distribution.remainder,
        distribution.rat_date,
        distribution.decision_number,
        distribution.approved_by,
    ) == (
        closed_year,
        1_120_000,
        280_000,
        "cadangan",
        ["pokok", "wajib"],
        EXPECTED.members_total,
        3,
        EXPECTED.remainder,
        RAT_DATE,
        DECISION,
        year_books.ketua,
    )
    assert tuple(p["amount"] for p in distribution.pools) == EXPECTED.pools
    assert [(p["name"], p["remainder"]) for p in distribution.pools if p["remainder"]] == [
        ("Jasa modal anggota", 1),
        ("Jasa usaha anggota — Unit simpan pinjam", 112_000),
    ]
    shares = ShuMemberShare.objects.filter(distribution=distribution).order_by("member__member_no")
    assert (
        tuple((s.member.member_no, s.capital_base, s.jasa_modal, s.jasa_usaha, s.total) for s in shares)
        == EXPECTED.shares
    )
    assert shares[0].usage == [{"unit": "gerai_sembako", "basis": "purchases", "base": 300_000, "amount": 70_000}]
    assert not any(s.is_paid for s in shares)
    event = AuditEvent.objects.get(cooperative=coop, action="shu.approve")
    assert event.data == {
        "year": 2025,
        "rat_date": "2026-01-20",
        "decision_number": DECISION,
        "shu_total": 1_120_000,
        "members_total": 335_999,
        "remainder": 112_001,
        "entry": entry.number,
    }
    summary = selectors.payment_summary(cooperative=coop, distribution=distribution)
    assert (summary.members, summary.total, summary.paid_members, summary.unpaid_total) == (3, 335_999, 0, 335_999)


def test_the_rats_own_allocation_gives_what_the_simulation_showed(year_books: Any, closed_year: Any) -> None:
    coop = year_books.coop
    simulated = selectors.shu_simulate(
        cooperative=coop, year=YEAR, shu_total=1_120_000, capital_kinds=["pokok"], lines=QUIPPER
    )
    distribution = _approve(year_books, lines=QUIPPER, capital_kinds=["pokok"])
    shares = {s.member_id: s for s in ShuMemberShare.objects.filter(distribution=distribution)}
    assert {m: (r.jasa_modal, r.jasa_usaha, r.total) for m, r in simulated.members.items()} == {
        m: (s.jasa_modal, s.jasa_usaha, s.total) for m, s in shares.items()
    }
    # Jasa modal on pokok only: 280.000 / 3 each → 93.333 (remainder 1); jasa usaha 336.000 by 300 : 180.
    budi, siti, agus = year_books.members
    assert {m: (s.capital_base, s.jasa_modal, s.jasa_usaha) for m, s in shares.items()} == {
        budi.pk: (50_000, 93_333, 210_000),
        siti.pk: (50_000, 93_333, 126_000),
        agus.pk: (50_000, 93_333, 0),
    }
    assert (distribution.members_total, distribution.remainder) == (615_999, 1)
    assert distribution.allocation[0] == {"pool": "cadangan", "percent": "10", "unit": "", "basis": "", "label": ""}
    assert _lines(distribution.allocation_entry)[2:] == [
        ("3-1500", 0, 112_000 + 1 + 280_000, "Cadangan dari SHU 2025"),
        ("2-1400", 0, 112_000, "Dana pengurus dari SHU 2025"),
        ("2-1400", 0, 112_000, "Dana sosial dari SHU 2025"),
        ("2-1400", 0, 168_000, "Dana pendidikan dari SHU 2025"),
        ("2-1500", 0, 615_999, "SHU 2025 bagian anggota"),
    ]


def test_the_non_member_surplus_goes_where_the_policy_says(year_books: Any, closed_year: Any) -> None:
    from koperasi.shu.selectors import DEFAULT_ALLOCATION

    shu_policy_save(
        cooperative=year_books.coop,
        effective_year=2025,
        lines=DEFAULT_ALLOCATION,
        capital_kinds=["pokok", "wajib"],
        non_member_destination="dana_pendidikan",
        actor=year_books.ketua,
    )
    distribution = _approve(year_books)
    assert distribution.non_member_destination == "dana_pendidikan"
    assert _lines(distribution.allocation_entry)[2:] == [
        ("3-1500", 0, 448_000 + 112_001, "Cadangan dari SHU 2025"),
        ("2-1400", 0, 56_000, "Dana pengurus dari SHU 2025"),
        ("2-1400", 0, 56_000, "Dana karyawan dari SHU 2025"),
        ("2-1400", 0, 56_000 + 280_000, "Dana pendidikan dari SHU 2025"),
        ("2-1400", 0, 56_000, "Dana sosial dari SHU 2025"),
        ("2-1500", 0, 335_999, "SHU 2025 bagian anggota"),
    ]


def test_a_year_not_closed_is_not_distributed(year_books: Any) -> None:
    before = _state(year_books.coop)
    with pytest.raises(Conflict) as caught:
        _approve(year_books)
    assert (caught.value.code, caught.value.message) == (
        "year_not_closed",
        "Tahun buku 2025 belum ditutup; tutup buku dulu sebelum SHU dibagikan.",
    )
    assert _state(year_books.coop) == before


def test_a_year_is_distributed_once(year_books: Any, distributed: Any) -> None:
    before = _state(year_books.coop)
    with pytest.raises(Conflict) as caught:
        _approve(year_books, decision_number="04/RAT/2026", rat_date=D(2026, 1, 30))
    assert (caught.value.code, caught.value.message) == (
        "shu_already_distributed",
        "SHU tahun 2025 sudah dibagikan; pembagian tidak dapat diulang.",
    )
    assert _state(year_books.coop) == before


@pytest.mark.parametrize(("sosial", "shown"), [(9, "99"), (15, "105")])
def test_an_allocation_not_summing_to_100_is_refused(
    year_books: Any, closed_year: Any, sosial: int, shown: str
) -> None:
    before = _state(year_books.coop)
    lines = [*QUIPPER[:4], L("dana_sosial", P(sosial)), QUIPPER[5]]
    with pytest.raises(ValidationError) as caught:
        _approve(year_books, lines=lines)
    assert caught.value.code == "shu_allocation_invalid"
    assert caught.value.detail["allocation"] == [
        f"Jumlah persentase pembagian SHU harus tepat 100%, sekarang {shown}%."
    ]
    assert _state(year_books.coop) == before


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("rat_date", D(2025, 12, 31), "RAT yang mengesahkan SHU 2025 diadakan setelah tahun buku itu."),
        ("rat_date", D(2025, 3, 1), "RAT yang mengesahkan SHU 2025 diadakan setelah tahun buku itu."),
        ("rat_date", D(2026, 2, 2), "Tanggal RAT tidak boleh di masa depan."),
        ("rat_date", None, "Tanggal RAT wajib diisi."),
        ("rat_date", "2026-01-20", "Tanggal RAT wajib diisi."),
        ("decision_number", "  ", "Nomor keputusan RAT wajib diisi."),
        ("decision_number", "", "Nomor keputusan RAT wajib diisi."),
        ("decision_number", "01\x00", "Nomor keputusan RAT memuat karakter yang tidak diizinkan."),
        ("decision_number", "x" * 101, "Nomor keputusan RAT paling panjang 100 karakter."),
    ],
)
def test_a_bad_rat_date_or_decision_number_is_refused(
    year_books: Any, closed_year: Any, field: str, value: Any, message: str
) -> None:
    before = _state(year_books.coop)
    with pytest.raises(ValidationError) as caught:
        _approve(year_books, **{field: value})
    assert caught.value.detail == {field: [message]}
    assert _state(year_books.coop) == before


def test_a_loss_year_has_nothing_to_distribute(coop: Any, bendahara: Any, ketua: Any, fund_cash: Any) -> None:
    from koperasi.ledger.services import ByRole, LineInput, journal_post
    from koperasi.shu.services import fiscal_year_close

    fund_cash(coop, 10_000_000, date=D(2025, 1, 2))
    journal_post(
        cooperative=coop,
        date=D(2025, 5, 2),
        lines=[LineInput(account=ByRole("rent"), debit=3_000_000), LineInput(account=ByRole("cash"), credit=3_000_000)],
        memo="Sewa kios",
        actor=bendahara,
    )
    close_months(coop, YEAR, bendahara)
    fiscal_year = fiscal_year_close(cooperative=coop, year=YEAR, actor=bendahara, today=CLOSE_TODAY)
    assert (fiscal_year.surplus, fiscal_year.surplus_members, fiscal_year.surplus_non_members) == (
        -3_000_000,
        -3_000_000,
        0,
    )
    before = _state(coop)
    with pytest.raises(Conflict) as caught:
        shu_approve(
            cooperative=coop, year=YEAR, rat_date=RAT_DATE, decision_number=DECISION, actor=ketua, today=CLOSE_TODAY
        )
    assert (caught.value.code, caught.value.message) == (
        "shu_no_surplus",
        "SHU dari anggota tahun 2025 -Rp 3.000.000: tidak ada SHU untuk dibagi.",
    )
    assert _state(coop) == before


# --- Paying members --------------------------------------------------------------------------------------


def test_paying_in_cash(year_books: Any, distributed: Any) -> None:
    coop, budi = year_books.coop, year_books.budi
    share = _share(year_books, budi)
    paid = shu_pay(
        cooperative=coop, share=share, method="tunai", date=PAID_ON, actor=year_books.bendahara, today=CLOSE_TODAY
    )
    assert (paid.paid_on, paid.payment_method, paid.paid_by) == (PAID_ON, "tunai", year_books.bendahara)
    entry = paid.payment_entry
    assert (entry.date, entry.source_type, entry.amount, entry.memo) == (
        PAID_ON,
        "shu",
        182_000,
        "Pembayaran SHU 2025 anggota no. 00001",
    )
    assert list(
        JournalLine.objects.filter(entry=entry)
        .order_by("pk")
        .values_list("account__code", "debit", "credit", "member_id")
    ) == [("2-1500", 182_000, 0, budi.pk), ("1-1100", 0, 182_000, None)]
    assert _sukarela(budi) == 0
    event = AuditEvent.objects.get(cooperative=coop, action="shu.pay")
    assert event.data == {"year": 2025, "member_no": 1, "amount": 182_000, "method": "tunai", "entry": entry.number}
    summary = selectors.payment_summary(cooperative=coop, distribution=distributed)
    assert (summary.paid_members, summary.paid_total, summary.unpaid_members, summary.unpaid_total) == (
        1,
        182_000,
        2,
        153_999,
    )


def test_paying_into_sukarela(year_books: Any, distributed: Any) -> None:
    coop, siti = year_books.coop, year_books.siti
    assert _sukarela(siti) == 0
    paid = shu_pay(
        cooperative=coop,
        share=_share(year_books, siti),
        method="sukarela",
        date=PAID_ON,
        actor=year_books.bendahara,
        today=CLOSE_TODAY,
    )
    assert _sukarela(siti) == 116_666
    txn = SavingsTransaction.objects.get(member=siti, kind="sukarela")
    assert (txn.type, txn.amount, txn.balance_after, txn.date, txn.journal_entry) == (
        "setor",
        116_666,
        116_666,
        PAID_ON,
        paid.payment_entry,
    )
    assert sorted(
        JournalLine.objects.filter(entry=paid.payment_entry).values_list(
            "account__code", "debit", "credit", "member_id"
        )
    ) == [("2-1100", 0, 116_666, siti.pk), ("2-1500", 116_666, 0, siti.pk)]
    assert paid.payment_method == "sukarela"


def test_a_share_is_paid_once(year_books: Any, distributed: Any) -> None:
    coop = year_books.coop
    share = _share(year_books, year_books.budi)
    shu_pay(cooperative=coop, share=share, method="tunai", date=PAID_ON, actor=year_books.bendahara, today=CLOSE_TODAY)
    before = _state(coop)
    for method in ("tunai", "sukarela"):
        with pytest.raises(Conflict) as caught:
            shu_pay(
                cooperative=coop,
                share=share,
                method=method,
                date=PAID_ON,
                actor=year_books.bendahara,
                today=CLOSE_TODAY,
            )
        assert (caught.value.code, caught.value.message) == (
            "shu_already_paid",
            "SHU 2025 anggota no. 00001 sudah dibayar pada 25/01/2026.",
        )
    assert _state(coop) == before
    assert _sukarela(year_books.budi) == 0


def test_a_member_no_longer_active_is_paid_in_cash_not_into_sukarela(year_books: Any, distributed: Any) -> None:
    from koperasi.members.services import member_end

    coop, agus = year_books.coop, year_books.agus
    member_end(member=agus, status="keluar", date=D(2026, 1, 22), reason="Pindah domisili", actor=year_books.ketua)
    share = _share(year_books, agus)
    before = _state(coop)
    with pytest.raises(Conflict) as caught:
        shu_pay(
            cooperative=coop,
            share=share,
            method="sukarela",
            date=PAID_ON,
            actor=year_books.bendahara,
            today=CLOSE_TODAY,
        )
    assert caught.value.code == "member_not_active"
    assert _state(coop) == before
    paid = shu_pay(
        cooperative=coop, share=share, method="tunai", date=PAID_ON, actor=year_books.bendahara, today=CLOSE_TODAY
    )
    assert (paid.payment_method, paid.payment_entry.amount) == ("tunai", 37_333)


@pytest.mark.parametrize(
    ("method", "day", "field", "message"),
    [
        ("tunai", D(2026, 1, 19), "date", "SHU dibayar paling awal pada tanggal RAT (20/01/2026)."),
        ("tunai", D(2026, 2, 2), "date", "Tanggal bayar tidak boleh di masa depan."),
        ("tunai", None, "date", "Tanggal bayar wajib diisi."),
        ("transfer", PAID_ON, "method", "Cara bayar harus 'tunai' atau 'sukarela'."),
    ],
)
def test_a_bad_payment_is_refused(
    year_books: Any, distributed: Any, method: str, day: Any, field: str, message: str
) -> None:
    before = _state(year_books.coop)
    with pytest.raises(ValidationError) as caught:
        shu_pay(
            cooperative=year_books.coop,
            share=_share(year_books, year_books.budi),
            method=method,
            date=day,
            actor=year_books.bendahara,
            today=CLOSE_TODAY,
        )
    assert caught.value.detail == {field: [message]}
    assert _state(year_books.coop) == before


def test_paying_everyone_pays_the_unpaid_and_lists_who_was_skipped(year_books: Any, distributed: Any) -> None:
    from koperasi.members.services import member_end

    coop = year_books.coop
    shu_pay(
        cooperative=coop,
        share=_share(year_books, year_books.budi),
        method="tunai",
        date=PAID_ON,
        actor=year_books.bendahara,
        today=CLOSE_TODAY,
    )
    member_end(member=year_books.agus, status="keluar", date=D(2026, 1, 22), reason="Pindah", actor=year_books.ketua)
    result = shu_pay_all(
        cooperative=coop,
        distribution=distributed,
        method="sukarela",
        date=PAID_ON,
        actor=year_books.bendahara,
        today=CLOSE_TODAY,
    )
    assert (result.paid, result.amount) == (1, 116_666)
    assert result.skipped == [
        ("00003", "Anggota no. 00003 tidak aktif; dana tidak dapat dimasukkan ke simpanan sukarela.")
    ]
    assert _sukarela(year_books.siti) == 116_666
    assert not _share(year_books, year_books.agus).is_paid
    # Then the rest in cash.
    rest = shu_pay_all(
        cooperative=coop,
        distribution=distributed,
        method="tunai",
        date=PAID_ON,
        actor=year_books.bendahara,
        today=CLOSE_TODAY,
    )
    assert (rest.paid, rest.amount, rest.skipped) == (1, 37_333, [])
    summary = selectors.payment_summary(cooperative=coop, distribution=distributed)
    assert (summary.paid_members, summary.paid_total, summary.unpaid_total) == (3, 335_999, 0)
    nothing = shu_pay_all(
        cooperative=coop,
        distribution=distributed,
        method="tunai",
        date=PAID_ON,
        actor=year_books.bendahara,
        today=CLOSE_TODAY,
    )
    assert (nothing.paid, nothing.amount, nothing.skipped) == (0, 0, [])
    # The members' SHU payable is fully paid out.
    payable = JournalLine.objects.filter(cooperative=coop, account__code="2-1500").values_list("debit", "credit")
    assert sum(c - d for d, c in payable) == 0


def test_paying_everyone_with_a_bad_date_pays_no_one(year_books: Any, distributed: Any) -> None:
    before = _state(year_books.coop)
    with pytest.raises(ValidationError):
        shu_pay_all(
            cooperative=year_books.coop,
            distribution=distributed,
            method="tunai",
            date=D(2026, 1, 10),
            actor=year_books.bendahara,
            today=CLOSE_TODAY,
        )
    assert _state(year_books.coop) == before


# --- Tenancy: another cooperative's objects ----------------------------------------------------------------


def test_another_cooperatives_share_and_distribution_are_not_found(
    year_books: Any, distributed: Any, other_coop: Any, grant: Any
) -> None:
    outsider = grant(other_coop, "bendahara", username="bendahara-lamaru")
    share = _share(year_books, year_books.budi)
    before = (_state(year_books.coop), _state(other_coop))
    with pytest.raises(NotFound):
        shu_pay(cooperative=other_coop, share=share, method="tunai", date=PAID_ON, actor=outsider, today=CLOSE_TODAY)
    with pytest.raises(NotFound):
        shu_pay_all(
            cooperative=other_coop,
            distribution=distributed,
            method="tunai",
            date=PAID_ON,
            actor=outsider,
            today=CLOSE_TODAY,
        )
    with pytest.raises(NotFound):
        selectors.member_share_get(cooperative=other_coop, share_id=share.pk)
    assert selectors.distribution_get(cooperative=other_coop, year=YEAR) is None
    assert not selectors.distribution_shares(cooperative=other_coop, distribution=distributed).exists()
    assert not selectors.member_shares(cooperative=other_coop, member=year_books.budi).exists()
    # The other cooperative's own 2025 is not closed: its approval is refused, whatever this one holds.
    with pytest.raises(Conflict) as caught:
        shu_approve(
            cooperative=other_coop,
            year=YEAR,
            rat_date=RAT_DATE,
            decision_number=DECISION,
            actor=outsider,
            today=CLOSE_TODAY,
        )
    assert caught.value.code == "year_not_closed"
    assert (_state(year_books.coop), _state(other_coop)) == before
    assert not _share(year_books, year_books.budi).is_paid


def test_the_member_portal_reads_the_members_own_shares(year_books: Any, distributed: Any) -> None:
    shares = list(selectors.member_shares(cooperative=year_books.coop, member=year_books.siti))
    assert [(s.distribution.year, s.total) for s in shares] == [(2025, 116_666)]
    listed = selectors.distribution_shares(cooperative=year_books.coop, distribution=distributed)
    assert [s.member.member_no for s in listed] == [1, 2, 3]
