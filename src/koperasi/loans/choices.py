"""Enumerations of loans (kept apart so pure modules need no models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LoanMethod(models.TextChoices):
    """domain.md §4.3 and §11."""

    FLAT = "flat", _("Flat (bunga dari pokok awal)")
    DECLINING = "declining", _("Menurun (pokok tetap, bunga dari sisa)")
    ANNUITY = "annuity", _("Anuitas (angsuran tetap)")


class LoanStatus(models.TextChoices):
    APPLIED = "applied", _("Diajukan")
    APPROVED = "approved", _("Disetujui")
    REJECTED = "rejected", _("Ditolak")
    ACTIVE = "active", _("Berjalan")
    CLOSED = "closed", _("Lunas")
    WRITTEN_OFF = "written_off", _("Dihapusbukukan")


class Collectibility(models.TextChoices):
    """domain.md §4.1: the four classes of Permenkop 14/2009 (no 'dalam perhatian khusus')."""

    LANCAR = "lancar", _("Lancar")
    KURANG_LANCAR = "kurang_lancar", _("Kurang lancar")
    DIRAGUKAN = "diragukan", _("Diragukan")
    MACET = "macet", _("Macet")


class DisbursementChannel(models.TextChoices):
    TUNAI = "tunai", _("Tunai")
    TRANSFER = "transfer", _("Transfer bank")
    SUKARELA = "sukarela", _("Ke simpanan sukarela")


class RepaymentChannel(models.TextChoices):
    TUNAI = "tunai", _("Tunai")
    TRANSFER = "transfer", _("Transfer bank")


class LoanTxnType(models.TextChoices):
    PENCAIRAN = "pencairan", _("Pencairan")
    ANGSURAN = "angsuran", _("Angsuran")
    PELUNASAN = "pelunasan", _("Pelunasan")
    HAPUS_BUKU = "hapus_buku", _("Hapus buku")
    PEMULIHAN = "pemulihan", _("Penerimaan pinjaman hapus buku")


class ApprovalPurpose(models.TextChoices):
    PINJAMAN = "pinjaman", _("Persetujuan pinjaman")
    HAPUS_BUKU = "hapus_buku", _("Hapus buku")


class ApprovalDecision(models.TextChoices):
    SETUJU = "setuju", _("Setuju")
    TOLAK = "tolak", _("Tolak")


# The chart-of-accounts role (ledger.chart) each kind of loan income posts to. Income from a
# borrower who is not (yet) an active member goes to the non-member accounts, so the SHU can
# tell the two apart (domain.md §2.4).
INCOME_ROLE = {
    ("interest", True): "loan_interest_members",
    ("interest", False): "loan_interest_non_members",
    ("fee", True): "loan_fees_members",
    ("fee", False): "loan_fees_non_members",
    ("penalty", True): "loan_penalty_members",
    ("penalty", False): "loan_penalty_non_members",
}
CHANNEL_ROLE = {"tunai": "cash", "transfer": "bank"}
