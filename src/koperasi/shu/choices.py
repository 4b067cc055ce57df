"""Kinds used by the year-end close and the SHU: allocation pools, jasa-usaha bases, payments."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Pool(models.TextChoices):
    """Where a share of the SHU goes (domain.md §2.2). ``lainnya`` lines carry their own name."""

    CADANGAN = "cadangan", _("Cadangan")
    JASA_MODAL = "jasa_modal", _("Jasa modal anggota")
    JASA_USAHA = "jasa_usaha", _("Jasa usaha anggota")
    DANA_PENGURUS = "dana_pengurus", _("Dana pengurus")
    DANA_KARYAWAN = "dana_karyawan", _("Dana karyawan")
    DANA_PENDIDIKAN = "dana_pendidikan", _("Dana pendidikan")
    DANA_SOSIAL = "dana_sosial", _("Dana sosial")
    DANA_PEMBANGUNAN = "dana_pembangunan_daerah_kerja", _("Dana pembangunan daerah kerja")
    LAINNYA = "lainnya", _("Lainnya")


# The pools paid to members one by one; every other pool is the cooperative's (reserve or a fund).
MEMBER_POOLS = frozenset({Pool.JASA_MODAL, Pool.JASA_USAHA})
# Funds: owed by the cooperative until spent (liability 2-1400, domain.md §8.2).
FUND_POOLS = frozenset(
    {
        Pool.DANA_PENGURUS,
        Pool.DANA_KARYAWAN,
        Pool.DANA_PENDIDIKAN,
        Pool.DANA_SOSIAL,
        Pool.DANA_PEMBANGUNAN,
        Pool.LAINNYA,
    }
)


class Basis(models.TextChoices):
    """What measures a member's use of a business unit (domain.md §2.3c)."""

    PURCHASES = "purchases", _("Belanja di gerai")
    LOAN_INTEREST = "loan_interest", _("Jasa pinjaman yang dibayar")
    LOAN_PRINCIPAL = "loan_principal", _("Pokok pinjaman yang dicairkan")


LOAN_BASES = frozenset({Basis.LOAN_INTEREST, Basis.LOAN_PRINCIPAL})
# Loans are the savings-and-loan unit's business (the loan accounts of the chart carry this unit).
LOANS_UNIT = "simpan_pinjam"


class NonMemberDestination(models.TextChoices):
    """Where the surplus earned from non-members goes: never to members (domain.md §2.4)."""

    CADANGAN = "cadangan", _("Cadangan")
    DANA_PENDIDIKAN = "dana_pendidikan", _("Dana pendidikan")
    DANA_SOSIAL = "dana_sosial", _("Dana sosial")
    DANA_PEMBANGUNAN = "dana_pembangunan_daerah_kerja", _("Dana pembangunan daerah kerja")


class YearStatus(models.TextChoices):
    CLOSED = "ditutup", _("Ditutup")
    OPEN = "dibuka", _("Dibuka kembali")


class ReopenStatus(models.TextChoices):
    PENDING = "menunggu", _("Menunggu persetujuan")
    APPROVED = "disetujui", _("Disetujui")


class PaymentMethod(models.TextChoices):
    CASH = "tunai", _("Tunai")
    SUKARELA = "sukarela", _("Ke simpanan sukarela")


class SpendChannel(models.TextChoices):
    """How money leaves a fund."""

    CASH = "tunai", _("Tunai (kas)")
    BANK = "bank", _("Transfer bank")
