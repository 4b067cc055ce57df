"""Enumerations of membership (kept apart so pure modules need no models)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MemberStatus(models.TextChoices):
    CALON = "calon", _("Calon anggota")
    AKTIF = "aktif", _("Anggota aktif")
    KELUAR = "keluar", pgettext_lazy("member status", "Keluar")  # not the "log out" button
    MENINGGAL = "meninggal", _("Meninggal")
    DIBERHENTIKAN = "diberhentikan", _("Diberhentikan")


# A person holds at most one membership in these states per cooperative.
CURRENT_STATUSES = (MemberStatus.CALON, MemberStatus.AKTIF)
# Ways a membership ends (UU 25/1992 Pasal 19: leaving, death, or dismissal).
ENDED_STATUSES = (MemberStatus.KELUAR, MemberStatus.MENINGGAL, MemberStatus.DIBERHENTIKAN)


class Gender(models.TextChoices):
    L = "L", _("Laki-laki")
    P = "P", _("Perempuan")


class AgeGroup(models.TextChoices):
    """Age groups of the statistics; youth is 16–30 (UU 40/2009 tentang Kepemudaan)."""

    UNDER_16 = "anak", _("Di bawah 16")
    YOUTH = "pemuda", _("Pemuda (16–30)")
    ADULT = "dewasa", _("Dewasa (31–59)")
    SENIOR = "lansia", _("Lansia (60+)")


def age_group(age: int) -> AgeGroup:
    """Return the statistics group of an age in whole years."""
    if age < 16:
        return AgeGroup.UNDER_16
    if age <= 30:
        return AgeGroup.YOUTH
    if age < 60:
        return AgeGroup.ADULT
    return AgeGroup.SENIOR
