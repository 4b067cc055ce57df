"""Roles a user can hold: per cooperative, or per region (DESIGN.md §5)."""

from django.db import models


class Role(models.TextChoices):
    KETUA = "ketua", "Ketua"
    SEKRETARIS = "sekretaris", "Sekretaris"
    BENDAHARA = "bendahara", "Bendahara"
    PENGAWAS = "pengawas", "Pengawas"
    MANAJER = "manajer", "Manajer"
    KASIR = "kasir", "Kasir"
    ANGGOTA = "anggota", "Anggota"
    DINAS = "dinas", "Dinas Koperasi"
    ADMIN = "admin", "Admin"


COOPERATIVE_ROLES = frozenset(
    {Role.KETUA, Role.SEKRETARIS, Role.BENDAHARA, Role.PENGAWAS, Role.MANAJER, Role.KASIR, Role.ANGGOTA}
)
REGIONAL_ROLES = frozenset({Role.DINAS, Role.ADMIN})
