"""Demo books for an operating KKMP: a grant, a Himbara loan and its interest, equipment.

Amounts differ per cooperative (``serial``) so the Dinas sees different figures. Member
savings are not here: ``demo.members`` books them through the savings services; the gerai
(stock bought, sales, its electricity, honorarium and cash deposits) is ``demo.shop``,
through the shop services; both before ``demo_periods_close`` closes the demo
cooperative's months. Every entry carries an idempotency key, so loading twice posts once.
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

    loan = rp(60_000_000)  # working capital for the gerai
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
        ("1-2400", rp(25_000_000), 0),
        ("1-1200", 0, rp(25_000_000)),
    )
    for month in MONTHS:
        last = datetime.date(2026, month, 28)
        interest = loan * 6 // 100 // 12  # 6 % a year (domain.md §6.3)
        post(
            f"bunga-{month}",
            last,
            f"Bunga pinjaman Himbara {MONTH_NAMES[month]}",
            ("5-2700", interest, 0),
            ("1-1200", 0, interest),
        )
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
