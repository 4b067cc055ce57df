"""SHU fixtures: a cooperative's 2025 books ready to close, the closed year, the distributed SHU.

The figures (every test of the SHU can assert them; the split follows ADR 0007):

- Three members joined 6 January 2025, each with simpanan pokok Rp50.000 and wajib:
  Budi (no. 1) Rp250.000, Siti (no. 2) Rp150.000, Agus (no. 3) Rp50.000, so the jasa modal
  bases (pokok + wajib at 31/12/2025) are Rp300.000, Rp200.000, Rp100.000 (total Rp600.000).
- Gerai sembako (real shop services): 20 sacks of rice bought on credit on 3 February 2025
  at Rp50.000; sold on 10 March 2025 at Rp60.000: Budi 5 (Rp300.000), Siti 3 (Rp180.000),
  a non-member 2 (Rp120.000). Gerai: member revenue Rp480.000, non-member Rp120.000,
  cost of goods Rp500.000, surplus Rp100.000 → members Rp80.000, non-members Rp20.000.
- Simpan pinjam (journal on 30 June 2025, 4-1200 / 4-2200): jasa pinjaman from members
  Rp2.000.000, from non-members Rp500.000 → members Rp2.000.000, non-members Rp500.000.
  No loan exists, so the loan-interest jasa usaha base is empty.
- Overhead (journal on 15 December 2025): salaries Rp1.200.000 (5-2100, no unit), split by
  the overall non-member revenue share 620.000 / 3.100.000 = 20 %: members −Rp960.000,
  non-members −Rp240.000.
- Year 2025: income Rp3.100.000, expense Rp1.700.000, surplus Rp1.400.000 = from members
  Rp1.120.000 (3-1610) + from non-members Rp280.000 (3-1620). Capital participation
  Rp100.000.000 in cash on 2 January 2025. Nothing is posted in 2026 before the RAT.

With the domain.md §11 default policy (``DEFAULT_ALLOCATION``) on Rp1.120.000 (``EXPECTED``):
cadangan 40 % Rp448.000, jasa modal 20 % Rp224.000, jasa usaha gerai 10 % Rp112.000, jasa
usaha simpan pinjam 10 % Rp112.000, pengurus / karyawan / pendidikan / sosial 5 % Rp56.000 each.
Members: Budi jasa modal Rp112.000 + jasa usaha Rp70.000 = Rp182.000; Siti Rp74.666 +
Rp42.000 = Rp116.666; Agus Rp37.333 + 0 = Rp37.333; members' total Rp335.999. Remainder
Rp112.001 (jasa modal Rp1, the whole simpan-pinjam pool Rp112.000: no base). Allocation entry
on 20/01/2026: Dr 3-1610 Rp1.120.000, Dr 3-1620 Rp280.000; Cr 3-1500 cadangan Rp840.001
(448.000 + 112.001 + 280.000), Cr 2-1400 four funds of Rp56.000, Cr 2-1500 Rp335.999.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest

from koperasi.core.roles import Role

YEAR = 2025
JOINED = datetime.date(2025, 1, 6)
FUNDED = datetime.date(2025, 1, 2)
BOUGHT = datetime.date(2025, 2, 3)
SOLD = datetime.date(2025, 3, 10)
INTEREST_ON = datetime.date(2025, 6, 30)
SALARIES_ON = datetime.date(2025, 12, 15)
CLOSE_TODAY = datetime.date(2026, 2, 1)  # ``today`` for fiscal_year_close, shu_approve and shu_pay
RAT_DATE = datetime.date(2026, 1, 20)
DECISION = "03/RAT/KKMP-MGR/I/2026"
NIK_THIRD = "6471042001900003"  # a man born 20 January 1990

CAPITAL = 100_000_000
WAJIB = {1: 250_000, 2: 150_000, 3: 50_000}  # by member number
PURCHASES = {1: 5, 2: 3}  # sacks of rice by member number; 2 more to a non-member


@dataclass(frozen=True)
class Expected:
    """The 2025 figures of ``year_books`` (see the module docstring)."""

    total_income: int = 3_100_000
    total_expense: int = 1_700_000
    revenue_members: int = 2_480_000
    revenue_non_members: int = 620_000
    surplus: int = 1_400_000
    surplus_members: int = 1_120_000
    surplus_non_members: int = 280_000
    # The default policy on Rp1.120.000:
    pools: tuple[int, ...] = (448_000, 224_000, 112_000, 112_000, 56_000, 56_000, 56_000, 56_000)
    remainder: int = 112_001
    members_total: int = 335_999
    reserve: int = 840_001  # cadangan pool + remainder + non-member surplus
    funds: int = 224_000
    # member number → (capital base, jasa modal, jasa usaha, total)
    shares: tuple[tuple[int, int, int, int, int], ...] = (
        (1, 300_000, 112_000, 70_000, 182_000),
        (2, 200_000, 74_666, 42_000, 116_666),
        (3, 100_000, 37_333, 0, 37_333),
    )


EXPECTED = Expected()


@dataclass(frozen=True)
class YearBooks:
    """The cooperative with its 2025 books (all months closed) and the people who kept them."""

    coop: Any
    budi: Any
    siti: Any
    agus: Any
    bendahara: Any
    ketua: Any
    pengawas: Any
    kasir: Any

    @property
    def members(self) -> list[Any]:
        return [self.budi, self.siti, self.agus]


def close_months(cooperative: Any, year: int, actor: Any, months: range = range(1, 13)) -> None:
    """Close the given months of ``year`` through the ledger service."""
    from koperasi.ledger.services import period_close

    for month in months:
        period_close(cooperative=cooperative, month=datetime.date(year, month, 1), reason="Tutup bulan", actor=actor)


def post_books_2025(
    cooperative: Any, *, members: list[Any], bendahara: Any, kasir: Any, admin: Any, close: bool = True
) -> None:
    """Post the 2025 business of the module docstring into ``cooperative`` (its three members given)."""
    from koperasi.ledger.services import ByRole, LineInput, journal_post
    from koperasi.savings.services import savings_deposit
    from koperasi.shop.services import (
        ProductInput,
        PurchaseLineInput,
        SaleLineInput,
        product_create,
        purchase_direct,
        sale_create,
        supplier_create,
    )

    journal_post(
        cooperative=cooperative,
        date=FUNDED,
        lines=[
            LineInput(account=ByRole("cash"), debit=CAPITAL),
            LineInput(account=ByRole("capital_participation"), credit=CAPITAL),
        ],
        memo="Modal penyertaan",
        actor=admin,
    )
    for member in members:
        savings_deposit(cooperative=cooperative, member=member, kind="pokok", amount=50_000, date=JOINED, actor=kasir)
        savings_deposit(
            cooperative=cooperative,
            member=member,
            kind="wajib",
            amount=WAJIB[member.member_no],
            date=JOINED,
            actor=kasir,
        )
    supplier = supplier_create(cooperative=cooperative, name="Perum Bulog", kind="bulog", actor=bendahara)
    rice = product_create(
        cooperative=cooperative,
        data=ProductInput(sku="BRS5", name="Beras medium 5 kg", unit="karung"),
        price=60_000,
        effective_from=datetime.date(2025, 1, 1),
        actor=bendahara,
    )
    purchase_direct(
        cooperative=cooperative,
        supplier=supplier,
        date=BOUGHT,
        lines=[PurchaseLineInput(rice, 20, 50_000)],
        actor=bendahara,
    )
    for member in members:
        if member.member_no in PURCHASES:
            sale_create(
                cooperative=cooperative,
                date=SOLD,
                lines=[SaleLineInput(rice.pk, PURCHASES[member.member_no])],
                member=member,
                actor=kasir,
            )
    sale_create(cooperative=cooperative, date=SOLD, lines=[SaleLineInput(rice.pk, 2)], actor=kasir)
    journal_post(
        cooperative=cooperative,
        date=INTEREST_ON,
        lines=[
            LineInput(account=ByRole("cash"), debit=2_500_000),
            LineInput(account=ByRole("loan_interest_members"), credit=2_000_000),
            LineInput(account=ByRole("loan_interest_non_members"), credit=500_000),
        ],
        memo="Jasa pinjaman semester I",
        actor=bendahara,
    )
    journal_post(
        cooperative=cooperative,
        date=SALARIES_ON,
        lines=[
            LineInput(account=ByRole("salaries"), debit=1_200_000),
            LineInput(account=ByRole("cash"), credit=1_200_000),
        ],
        memo="Honor pengelola 2025",
        actor=bendahara,
    )
    if close:
        close_months(cooperative, YEAR, bendahara)


def register_three(cooperative: Any, register_member: Any) -> list[Any]:
    """Register Budi, Siti and Agus (calon anggota, joined 6 January 2025) in ``cooperative``."""
    from tests.conftest import NIK_MAN, NIK_WOMAN

    joined = JOINED.isoformat()
    return [
        register_member(cooperative, nik=NIK_MAN, name="Budi Santoso", joined_on=joined),
        register_member(cooperative, nik=NIK_WOMAN, name="Siti Aminah", joined_on=joined),
        register_member(cooperative, nik=NIK_THIRD, name="Agus Salim", joined_on=joined),
    ]


@pytest.fixture
def year_books(
    coop: Any,
    register_member: Any,
    admin_user: Any,
    bendahara: Any,
    ketua: Any,
    pengawas: Any,
    kasir: Any,
) -> YearBooks:
    """Manggar's 2025 books (module docstring), every month of 2025 closed; ready for
    ``fiscal_year_close(cooperative=coop, year=2025, actor=bendahara, today=CLOSE_TODAY)``.

    Year 2025: income Rp3.100.000, expense Rp1.700.000, surplus Rp1.400.000 = members
    Rp1.120.000 + non-members Rp280.000 (``EXPECTED``).
    """
    members = register_three(coop, register_member)
    post_books_2025(coop, members=members, bendahara=bendahara, kasir=kasir, admin=admin_user)
    for member in members:
        member.refresh_from_db()
    budi, siti, agus = members
    return YearBooks(coop, budi, siti, agus, bendahara, ketua, pengawas, kasir)


@pytest.fixture
def closed_year(year_books: YearBooks) -> Any:
    """The FiscalYear 2025 of ``year_books``, closed by the bendahara on ``CLOSE_TODAY``.

    Surplus Rp1.400.000: members Rp1.120.000 (3-1610), non-members Rp280.000 (3-1620).
    """
    from koperasi.shu.services import fiscal_year_close

    return fiscal_year_close(cooperative=year_books.coop, year=YEAR, actor=year_books.bendahara, today=CLOSE_TODAY)


@pytest.fixture
def distributed(year_books: YearBooks, closed_year: Any) -> Any:
    """The ShuDistribution 2025 approved by the RAT of 20/01/2026 (``DECISION``) with the default policy.

    SHU shared Rp1.120.000; members' total Rp335.999 (Budi Rp182.000, Siti Rp116.666, Agus
    Rp37.333), remainder Rp112.001, reserve credited Rp840.001, funds Rp224.000 (``EXPECTED``).
    """
    from koperasi.shu.services import shu_approve

    return shu_approve(
        cooperative=year_books.coop,
        year=YEAR,
        rat_date=RAT_DATE,
        decision_number=DECISION,
        actor=year_books.ketua,
        today=CLOSE_TODAY,
    )


@pytest.fixture
def sekretaris(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.SEKRETARIS)
