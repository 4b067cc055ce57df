"""Demo books for an operating KKMP: a Himbara loan, equipment, Bulog stock, gerai sales, expenses.

Amounts differ per cooperative (``serial``) so the Dinas sees different figures. Member
savings are not here: ``demo.members`` books them through the savings services, before
``demo_periods_close`` closes the demo cooperative's months.
Every entry carries an idempotency key, so loading twice posts once.
"""

from __future__ import annotations

import datetime
from typing import Any

from koperasi.cooperatives.models import Cooperative
from koperasi.ledger.services import LineInput, journal_post, period_close

MONTHS = (7, 8, 9, 10)  # July–October 2026
CLOSED_MONTHS = (7, 8, 9)  # closed by the bendahara of the demo cooperative
MONTH_NAMES = {7: "Juli", 8: "Agustus", 9: "September", 10: "Oktober"}


def demo_books_post(cooperative: Cooperative, serial: int, actor: Any, *, close_months: bool = False) -> int:
    """Post the demo entries for one cooperative; return how many were posted or found."""
    scale = 10 + serial % 7  # tenths: 1.0× to 1.6×

    def rp(amount: int) -> int:
        return amount * scale // 10

    posted = 0

    def post(key: str, day: datetime.date, memo: str, *rows: tuple[str, int, int]) -> None:
        nonlocal posted
        journal_post(
            cooperative=cooperative,
            date=day,
            lines=[LineInput(account=code, debit=d, credit=c) for code, d, c in rows],
            memo=memo,
            source="demo",
            idempotency_key=f"demo-{key}",
            actor=actor,
        )
        posted += 1

    loan = rp(150_000_000)
    post(
        "hibah",
        datetime.date(2026, 7, 1),
        "Hibah peralatan gerai dari Pemerintah Kota Balikpapan",
        ("1-2400", 25_000_000, 0),
        ("3-1400", 0, 25_000_000),
    )
    post(
        "himbara",
        datetime.date(2026, 7, 2),
        "Pencairan pinjaman Himbara (PMK 49/2025)",
        ("1-1200", loan, 0),
        ("2-2100", 0, loan),
    )
    post(
        "peralatan",
        datetime.date(2026, 7, 3),
        "Pembelian rak, freezer dan timbangan",
        ("1-2400", rp(35_000_000), 0),
        ("1-1200", 0, rp(35_000_000)),
    )
    for month in MONTHS:
        name = MONTH_NAMES[month]
        stock = rp(40_000_000) + month * 1_000_000
        sales_members = stock * 62 * 112 // 10_000
        sales_others = stock * 33 * 112 // 10_000
        cost = stock * 95 // 100
        post(
            f"beli-{month}",
            datetime.date(2026, month, 2),
            f"Pembelian sembako dari Perum Bulog {name}",
            ("1-1500", stock, 0),
            ("2-1300", 0, stock),
        )
        post(
            f"bayar-{month}",
            datetime.date(2026, month, 20),
            f"Pembayaran ke Perum Bulog {name}",
            ("2-1300", stock, 0),
            ("1-1200", 0, stock),
        )
        last = datetime.date(2026, month, 28)
        post(
            f"jual-{month}",
            last,
            f"Rekap penjualan gerai {name}",
            ("1-1100", sales_members + sales_others, 0),
            ("4-1100", 0, sales_members),
            ("4-2100", 0, sales_others),
            ("5-1100", cost, 0),
            ("1-1500", 0, cost),
        )
        deposit = (sales_members + sales_others) * 9 // 10
        post(f"setor-{month}", last, f"Setor kas gerai ke bank {name}", ("1-1200", deposit, 0), ("1-1100", 0, deposit))
        post(f"listrik-{month}", last, f"Listrik dan air gerai {name}", ("5-2200", 850_000, 0), ("1-1100", 0, 850_000))
        post(
            f"honor-{month}", last, f"Honor pengelola gerai {name}", ("5-2100", 3_500_000, 0), ("1-1200", 0, 3_500_000)
        )
        interest = loan * 6 // 100 // 12  # 6 % a year (domain.md §6.3)
        post(f"bunga-{month}", last, f"Bunga pinjaman Himbara {name}", ("5-2700", interest, 0), ("1-1200", 0, interest))
    if close_months:
        demo_periods_close(cooperative, actor)
    return posted


def demo_periods_close(cooperative: Cooperative, actor: Any) -> None:
    """Close July–September 2026, as the demo cooperative's bendahara did (after every posting in them)."""
    for month in CLOSED_MONTHS:
        period_close(
            cooperative=cooperative,
            month=datetime.date(2026, month, 1),
            reason=f"Laporan bulan {MONTH_NAMES[month]} 2026 selesai diperiksa",
            actor=actor,
        )
