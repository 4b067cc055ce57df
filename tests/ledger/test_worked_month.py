"""A worked month of a small cooperative, every statement checked against hand arithmetic.

January 2026 at KKMP Manggar (figures worked out by hand in the comments):

| date  | what                                                   | debit            | credit              |
| 02/01 | 20 members pay simpanan pokok Rp50.000                 | Kas 1.000.000    | Simpanan pokok      |
| 02/01 | 20 members pay the first simpanan wajib Rp20.000       | Kas 400.000      | Simpanan wajib      |
| 03/01 | sukarela deposits                                      | Kas 2.500.000    | Simpanan sukarela   |
| 05/01 | Himbara loan received (domain.md §6.3)                 | Bank 10.000.000  | Pinjaman Himbara    |
| 06/01 | rice and MinyaKita from Bulog on credit                | Persediaan 6.0jt | Utang usaha         |
| 10/01 | pay Bulog part of the invoice                          | Utang usaha 4jt  | Bank                |
| 08–31 | sales to members 3.000.000, cost 2.400.000             | Kas / HPP        | Penjualan / Persed. |
| 08–31 | sales to non-members 1.000.000, cost 800.000           | Kas / HPP        | Penjualan / Persed. |
| 15/01 | loan to a member                                       | Piutang 2.000.000| Kas                 |
| 31/01 | loan repayment 200.000 principal + 20.000 jasa         | Kas 220.000      | Piutang, Jasa       |
| 31/01 | electricity                                            | Listrik 150.000  | Kas                 |
| 31/01 | honorarium of the manager                              | Gaji 500.000     | Bank                |
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koperasi.ledger import selectors
from koperasi.ledger.services import LineInput, journal_post

D = datetime.date
JAN_31 = D(2026, 1, 31)


@pytest.fixture
def january(coop: Any, post: Any) -> Any:
    post(coop, D(2026, 1, 2), [("1-1100", 1_000_000, 0), ("3-1100", 0, 1_000_000)], "Simpanan pokok 20 anggota")
    post(coop, D(2026, 1, 2), [("1-1100", 400_000, 0), ("3-1200", 0, 400_000)], "Simpanan wajib Januari")
    post(coop, D(2026, 1, 3), [("1-1100", 2_500_000, 0), ("2-1100", 0, 2_500_000)], "Setoran sukarela")
    post(coop, D(2026, 1, 5), [("1-1200", 10_000_000, 0), ("2-2100", 0, 10_000_000)], "Pencairan pinjaman Himbara")
    post(coop, D(2026, 1, 6), [("1-1500", 6_000_000, 0), ("2-1300", 0, 6_000_000)], "Pembelian dari Bulog")
    post(coop, D(2026, 1, 10), [("2-1300", 4_000_000, 0), ("1-1200", 0, 4_000_000)], "Bayar Bulog")
    post(
        coop,
        D(2026, 1, 31),
        [("1-1100", 3_000_000, 0), ("4-1100", 0, 3_000_000), ("5-1100", 2_400_000, 0), ("1-1500", 0, 2_400_000)],
        "Penjualan gerai ke anggota Januari",
    )
    post(
        coop,
        D(2026, 1, 31),
        [("1-1100", 1_000_000, 0), ("4-2100", 0, 1_000_000), ("5-1100", 800_000, 0), ("1-1500", 0, 800_000)],
        "Penjualan gerai ke bukan anggota Januari",
    )
    post(coop, D(2026, 1, 15), [("1-1300", 2_000_000, 0), ("1-1100", 0, 2_000_000)], "Pinjaman anggota A-0007")
    post(
        coop,
        D(2026, 1, 31),
        [("1-1100", 220_000, 0), ("1-1300", 0, 200_000), ("4-1200", 0, 20_000)],
        "Angsuran ke-1 A-0007",
    )
    post(coop, D(2026, 1, 31), [("5-2200", 150_000, 0), ("1-1100", 0, 150_000)], "Listrik Januari")
    post(coop, D(2026, 1, 31), [("5-2100", 500_000, 0), ("1-1200", 0, 500_000)], "Honor manajer Januari")
    return coop


def test_trial_balance(january: Any) -> None:
    tb = selectors.trial_balance(cooperative=january, as_of=JAN_31)
    assert [(r.account.code, r.debit, r.credit) for r in tb.rows] == [
        ("1-1100", 5_970_000, 0),  # 1.000.000 + 400.000 + 2.500.000 + 4.000.000 − 2.000.000 + 220.000 − 150.000
        ("1-1200", 5_500_000, 0),  # 10.000.000 − 4.000.000 − 500.000
        ("1-1300", 1_800_000, 0),
        ("1-1500", 2_800_000, 0),  # 6.000.000 − 2.400.000 − 800.000
        ("2-1100", 0, 2_500_000),
        ("2-1300", 0, 2_000_000),
        ("2-2100", 0, 10_000_000),
        ("3-1100", 0, 1_000_000),
        ("3-1200", 0, 400_000),
        ("4-1100", 0, 3_000_000),
        ("4-1200", 0, 20_000),
        ("4-2100", 0, 1_000_000),
        ("5-1100", 3_200_000, 0),
        ("5-2100", 500_000, 0),
        ("5-2200", 150_000, 0),
    ]
    assert tb.total_debit == tb.total_credit == 19_920_000


def test_trial_balance_mid_month_reads_day_totals(january: Any) -> None:
    tb = selectors.trial_balance(cooperative=january, as_of=D(2026, 1, 9))
    assert {r.account.code: r.debit - r.credit for r in tb.rows} == {
        "1-1100": 3_900_000,
        "1-1200": 10_000_000,
        "1-1500": 6_000_000,
        "2-1100": -2_500_000,
        "2-1300": -6_000_000,
        "2-2100": -10_000_000,
        "3-1100": -1_000_000,
        "3-1200": -400_000,
    }


def test_balance_sheet(january: Any) -> None:
    sheet = selectors.balance_sheet(cooperative=january, as_of=JAN_31)
    assert sheet.compare_to == D(2025, 12, 31)
    assert sheet.totals["total_assets"] == [16_070_000, 0]
    assert sheet.totals["total_liabilities"] == [14_500_000, 0]
    assert sheet.totals["shu_current"] == [170_000, 0]  # 4.020.000 income − 3.850.000 expense
    assert sheet.totals["total_equity"] == [1_570_000, 0]  # pokok 1.000.000 + wajib 400.000 + SHU 170.000
    assert sheet.balanced
    assets = {row.code: row.amount for row in sheet.assets}
    assert assets["1"] == 16_070_000 and assets["1-1000"] == 16_070_000
    assert "1-2000" not in assets  # empty groups are left out


def test_income_statement_members_non_members_and_units(january: Any, coop: Any) -> None:
    statement = selectors.income_statement(cooperative=january, date_from=D(2026, 1, 1), date_to=JAN_31)
    assert statement.total_income == 4_020_000
    assert statement.total_expense == 3_850_000
    assert statement.surplus == 170_000
    assert statement.income_by_party == {"anggota": 3_020_000, "non_anggota": 1_000_000, "lainnya": 0}
    names = [name for _, name in statement.units]
    assert names == ["Tanpa unit", "Gerai sembako", "Unit simpan pinjam"]
    # gerai: 4.000.000 sales − 3.200.000 cost; USP: 20.000 jasa; no unit: −650.000 expenses
    assert statement.unit_surplus == [-650_000, 800_000, 20_000]
    income = {row.code: row.amounts for row in statement.income}
    assert income["4-1000"] == [3_020_000, 0, 3_000_000, 20_000]
    assert income["4-2000"] == [1_000_000, 0, 1_000_000, 0]


def test_cash_flow(january: Any) -> None:
    flow = selectors.cash_flow(cooperative=january, date_from=D(2026, 1, 1), date_to=JAN_31)
    assert flow.opening_cash == 0
    assert flow.closing_cash == 11_470_000  # kas 5.970.000 + bank 5.500.000
    nets = {group: net for group, _label, _rows, net in flow.sections}
    # operating: +3.000.000 +1.000.000 −4.000.000 −1.800.000 +20.000 −150.000 −500.000
    assert nets == {"operating": -2_430_000, "investing": 0, "financing": 13_900_000}
    assert flow.opening_cash + flow.net_change == flow.closing_cash
    financing = {account.code: amount for account, amount in flow.sections[2][2]}
    assert financing == {"2-1100": 2_500_000, "2-2100": 10_000_000, "3-1100": 1_000_000, "3-1200": 400_000}


def test_equity_changes(january: Any) -> None:
    changes = selectors.equity_changes(cooperative=january, date_from=D(2026, 1, 1), date_to=JAN_31)
    rows = {(r.code, r.name): (r.opening, r.increase, r.decrease, r.closing) for r in changes.rows}
    assert rows == {
        ("3-1100", "Simpanan pokok"): (0, 1_000_000, 0, 1_000_000),
        ("3-1200", "Simpanan wajib"): (0, 400_000, 0, 400_000),
        ("", "SHU belum ditutup"): (0, 170_000, 0, 170_000),
    }
    sheet = selectors.balance_sheet(cooperative=january, as_of=JAN_31)
    assert changes.total.closing == sheet.totals["total_equity"][0]


def test_general_ledger_running_balance(january: Any, coop: Any) -> None:
    cash = selectors.account_get(cooperative=coop, code="1-1100")
    ledger = selectors.general_ledger(cooperative=coop, account=cash, date_from=D(2026, 1, 3), date_to=JAN_31)
    assert ledger.opening == 1_400_000
    assert [(line.debit, line.credit, line.balance) for line in ledger.lines] == [
        (2_500_000, 0, 3_900_000),
        (0, 2_000_000, 1_900_000),
        (3_000_000, 0, 4_900_000),
        (1_000_000, 0, 5_900_000),
        (220_000, 0, 6_120_000),
        (0, 150_000, 5_970_000),
    ]
    assert ledger.closing == 5_970_000 and ledger.count == 6
    page_two = selectors.general_ledger(
        cooperative=coop, account=cash, date_from=D(2026, 1, 3), date_to=JAN_31, limit=2, offset=2
    )
    assert [line.balance for line in page_two.lines] == [4_900_000, 5_900_000]


def test_february_correction_by_reversal_keeps_january_intact(january: Any, coop: Any, bendahara: Any) -> None:
    """A wrong February entry is reversed; January's statements do not move."""
    from koperasi.ledger.services import journal_reverse

    wrong = journal_post(
        cooperative=coop,
        date=D(2026, 2, 3),
        lines=[LineInput("5-2200", debit=1_500_000), LineInput("1-1100", credit=1_500_000)],
        memo="Listrik (salah ketik, seharusnya 150.000)",
        actor=bendahara,
    )
    reversal = journal_reverse(cooperative=coop, entry=wrong, date=D(2026, 2, 4), actor=bendahara)
    assert reversal.reverses_id == wrong.pk and reversal.amount == 1_500_000
    feb = selectors.income_statement(cooperative=coop, date_from=D(2026, 2, 1), date_to=D(2026, 2, 28))
    assert feb.total_expense == 0
    tb = selectors.trial_balance(cooperative=coop, as_of=D(2026, 2, 28))
    assert tb.total_debit == tb.total_credit == 19_920_000
    jan = selectors.trial_balance(cooperative=coop, as_of=JAN_31)
    assert jan.total_debit == 19_920_000
