"""Choices of the subsidised-goods programmes (domain.md §7)."""

from django.db import models


class RecipientCategory(models.TextChoices):
    """Who may buy subsidised LPG 3 kg (domain.md §7.1); other programmes pick from the same list."""

    RUMAH_TANGGA = "rumah_tangga", "Rumah tangga"
    USAHA_MIKRO = "usaha_mikro", "Usaha mikro"
    PETANI = "petani", "Petani sasaran"
    NELAYAN = "nelayan", "Nelayan sasaran"


class RulePer(models.TextChoices):
    NIK = "nik", "NIK"
    KK = "kk", "KK"


class RulePeriod(models.TextChoices):
    """The window a quota counts over: this purchase, or the calendar day, ISO week or month of the sale's date."""

    PURCHASE = "purchase", "per pembelian"
    DAY = "day", "per hari"
    WEEK = "week", "per minggu"
    MONTH = "month", "per bulan"
