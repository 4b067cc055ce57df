"""Kinds used by the ledger: account types, normal sides, revenue parties, cash-flow groups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountType(models.TextChoices):
    ASSET = "asset", _("Aset")
    LIABILITY = "liability", _("Kewajiban")
    EQUITY = "equity", _("Ekuitas")
    INCOME = "income", _("Pendapatan")
    EXPENSE = "expense", _("Beban")


class Side(models.TextChoices):
    DEBIT = "debit", "Debit"
    CREDIT = "credit", "Kredit"


NORMAL_SIDE: dict[str, str] = {
    AccountType.ASSET: Side.DEBIT,
    AccountType.EXPENSE: Side.DEBIT,
    AccountType.LIABILITY: Side.CREDIT,
    AccountType.EQUITY: Side.CREDIT,
    AccountType.INCOME: Side.CREDIT,
}

# The first digit of an account code names its type (domain.md §8.2: 1 aset ... 5 beban).
TYPE_BY_DIGIT: dict[str, str] = {
    "1": AccountType.ASSET,
    "2": AccountType.LIABILITY,
    "3": AccountType.EQUITY,
    "4": AccountType.INCOME,
    "5": AccountType.EXPENSE,
}


class RevenueParty(models.TextChoices):
    """Whose business an income account records: the SHU split needs it (domain.md §2.4)."""

    NONE = "", "—"
    MEMBER = "anggota", _("Anggota")
    NON_MEMBER = "non_anggota", _("Bukan anggota")


class CashFlowGroup(models.TextChoices):
    """Where an account's cash movements appear in the laporan arus kas (direct method)."""

    CASH = "cash", _("Kas dan setara kas")
    OPERATING = "operating", _("Aktivitas operasi")
    INVESTING = "investing", _("Aktivitas investasi")
    FINANCING = "financing", _("Aktivitas pendanaan")


class ReopenStatus(models.TextChoices):
    PENDING = "menunggu", "Menunggu persetujuan"
    APPROVED = "disetujui", "Disetujui"


# The source of the year-end close's entries (and of their reversal when a year is reopened).
# The income statement leaves them out: they move a year's income and expense into equity,
# they are not income or expense themselves.
YEAR_CLOSE_SOURCE = "year_close"
