"""Enumerations of savings (kept apart so pure modules need no models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SavingsKind(models.TextChoices):
    """domain.md §1.1: pokok once, wajib periodic, sukarela free."""

    POKOK = "pokok", _("Simpanan pokok")
    WAJIB = "wajib", _("Simpanan wajib")
    SUKARELA = "sukarela", _("Simpanan sukarela")


class TxnType(models.TextChoices):
    SETOR = "setor", _("Setoran")
    TARIK = "tarik", _("Penarikan")
    BUNGA = "bunga", _("Bunga")
    PENGEMBALIAN = "pengembalian", _("Pengembalian (keluar)")


# Which transaction types add to the balance; the rest take from it.
CREDIT_TYPES = frozenset({TxnType.SETOR, TxnType.BUNGA})


class Channel(models.TextChoices):
    """How the money came or went: cash at the counter, a bank transfer, or the system (interest)."""

    TUNAI = "tunai", _("Tunai")
    TRANSFER = "transfer", _("Transfer bank")
    SISTEM = "sistem", _("Sistem")


# The chart-of-accounts role (ledger.chart) each kind posts to: pokok and wajib are equity,
# sukarela a liability by default (domain.md §1.2, §11); the account's type is a chart setting.
LEDGER_ROLE = {
    SavingsKind.POKOK: "savings_pokok",
    SavingsKind.WAJIB: "savings_wajib",
    SavingsKind.SUKARELA: "savings_sukarela",
}
CHANNEL_ROLE = {Channel.TUNAI: "cash", Channel.TRANSFER: "bank"}
