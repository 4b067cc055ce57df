"""Enumerations of the cooperative registry (kept apart so pure modules need no models)."""

from django.db import models


class Stage(models.TextChoices):
    USULAN = "usulan", "Usulan"
    MUSYAWARAH = "musyawarah", "Musyawarah"
    BERBADAN_HUKUM = "berbadan_hukum", "Berbadan hukum"
    PERIZINAN = "perizinan", "Perizinan"
    PEMBANGUNAN = "pembangunan", "Pembangunan"
    BEROPERASI = "beroperasi", "Beroperasi"
    NONAKTIF = "nonaktif", "Nonaktif"


class Route(models.TextChoices):
    """The three routes of the programme portal (domain.md §6.4 item 7)."""

    BARU = "baru", "Pembentukan baru"
    PENGEMBANGAN = "pengembangan", "Pengembangan koperasi yang ada"
    REVITALISASI = "revitalisasi", "Revitalisasi koperasi tidak aktif"


class LegalKind(models.TextChoices):
    MUSYAWARAH = "musyawarah", "Musyawarah kelurahan/desa khusus"
    AKTA_PENDIRIAN = "akta_pendirian", "Akta pendirian"
    SK_AHU = "sk_ahu", "SK pengesahan badan hukum (AHU)"
    NIB = "nib", "NIB (Nomor Induk Berusaha)"
    NPWP = "npwp", "NPWP koperasi"
    NOMOR_INDUK_KOPERASI = "nomor_induk_koperasi", "Nomor Induk Koperasi"
    REKENING_BANK = "rekening_bank", "Rekening bank koperasi"


class LegalStatus(models.TextChoices):
    DIPROSES = "diproses", "Dalam proses"
    TERBIT = "terbit", "Terbit / berlaku"
    DICABUT = "dicabut", "Dicabut / tidak berlaku"


class FacilityKind(models.TextChoices):
    GERAI = "gerai", "Gerai"
    GUDANG = "gudang", "Gudang"
    KANTOR = "kantor", "Kantor"
    COLD_STORAGE = "cold_storage", "Cold storage"
    KLINIK = "klinik", "Klinik"
    APOTEK = "apotek", "Apotek"
    LAINNYA = "lainnya", "Lainnya"


class UnitStatus(models.TextChoices):
    BELUM = "belum", "Belum berjalan"
    PERSIAPAN = "persiapan", "Persiapan"
    AKTIF = "aktif", "Aktif"
    NONAKTIF = "nonaktif", "Nonaktif"


class PartnerKind(models.TextChoices):
    BUMN = "bumn", "BUMN"
    PEMERINTAH = "pemerintah", "Pemerintah"
    SWASTA = "swasta", "Swasta"
    KOPERASI = "koperasi", "Koperasi lain"
    UMKM = "umkm", "UMKM"
    LAINNYA = "lainnya", "Lainnya"


# The seven business units every cooperative has from creation (domain.md §6.2; DESIGN.md §9).
PRESCRIBED_UNITS: tuple[tuple[str, str], ...] = (
    ("kantor", "Kantor koperasi"),
    ("gerai_sembako", "Gerai sembako"),
    ("simpan_pinjam", "Unit simpan pinjam"),
    ("klinik", "Klinik kelurahan/desa"),
    ("apotek", "Apotek kelurahan/desa"),
    ("gudang", "Pergudangan / cold storage"),
    ("logistik", "Logistik / transportasi"),
)
