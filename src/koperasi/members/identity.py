"""Pure checks of a person's identity numbers: NIK, No. KK, phone (domain.md §9).

No database: the member service, the import and (later) the subsidy recipients call these
and turn each :class:`IdentityError` into a refusal that names the field.

NIK layout ``PP KK CC DDMMYY SSSS``: province, kab/kota and kecamatan of *first
registration*, birth date (women: day + 40), serial from 0001. The region digits say
where the number was issued, not where the person lives, so they are checked only for
plausibility, never against the member's address (domain.md §9.1 note).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

# Kemendagri province codes (Kepmendagri 300.2.2-2138/2025): 38 provinces. 93–96 are the
# Papua provinces formed in 2022; people registered before keep NIKs starting 91/92.
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "16", "17", "18", "19", "21",
        "31", "32", "33", "34", "35", "36",
        "51", "52", "53",
        "61", "62", "63", "64", "65",
        "71", "72", "73", "74", "75", "76",
        "81", "82",
        "91", "92", "93", "94", "95", "96",
    }
)  # fmt: skip
MAX_AGE = 120

_DIGITS16 = re.compile(r"^\d{16}$")


class IdentityError(ValueError):
    """A number is not valid; ``str(error)`` is the Indonesian reason."""


@dataclass(frozen=True)
class NikInfo:
    """What a NIK tells: sex, birth date and the region where it was first issued."""

    nik: str
    gender: str  # "L" or "P"
    birth_date: datetime.date
    region_code: str  # "64.71.04": kecamatan of first registration

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    """Return the completed years between ``birth_date`` and ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _digits(value: str) -> str:
    """Drop the spaces, dots and dashes people type inside long numbers."""
    return re.sub(r"[\s.\-]", "", value or "")


def _plausible_region(code6: str) -> str | None:
    """Return why a 6-digit region prefix cannot be a Kemendagri kecamatan, or None."""
    province, regency, district = code6[:2], code6[2:4], code6[4:6]
    if province not in PROVINCE_CODES:
        return f"kode provinsi {province} tidak dikenal"
    # Kabupaten are numbered 01–69 and kota 71–99; 00 and 70 are never used.
    if regency in ("00", "70"):
        return f"kode kabupaten/kota {regency} tidak dikenal"
    if district == "00":
        return "kode kecamatan 00 tidak dikenal"
    return None


def nik_parse(value: str, *, today: datetime.date) -> NikInfo:
    """Check a NIK and return what it encodes; raise IdentityError with the reason.

    The two-digit year is read as the most recent year not after ``today``
    (``YY`` ≤ this year's two digits → 20YY, otherwise 19YY).
    """
    nik = _digits(value)
    if not nik:
        raise IdentityError("NIK wajib diisi.")
    if not _DIGITS16.match(nik):
        raise IdentityError(f"NIK harus 16 angka (tertulis {len(nik)} karakter).")
    problem = _plausible_region(nik[:6])
    if problem:
        raise IdentityError(f"NIK tidak valid: {problem}.")
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    gender = "L"
    if day > 40:
        day -= 40
        gender = "P"
    year = 2000 + year2 if 2000 + year2 <= today.year else 1900 + year2
    try:
        birth_date = datetime.date(year, month, day)
    except ValueError:
        raise IdentityError(
            f"NIK tidak valid: tanggal lahir {nik[6:8]}-{nik[8:10]}-{nik[10:12]} bukan tanggal yang ada "
            "(untuk perempuan tanggal ditambah 40)."
        ) from None
    if birth_date > today:
        raise IdentityError("NIK tidak valid: tanggal lahir di masa depan.")
    if age_on(birth_date, today) > MAX_AGE:
        raise IdentityError(f"NIK tidak valid: usia lebih dari {MAX_AGE} tahun.")
    if nik[12:] == "0000":
        raise IdentityError("NIK tidak valid: nomor urut 0000 tidak dipakai (dimulai dari 0001).")
    return NikInfo(nik=nik, gender=gender, birth_date=birth_date, region_code=f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}")


def kk_clean(value: str) -> str:
    """Check a No. KK (16 digits, plausible region of issue); return the digits or raise IdentityError."""
    kk = _digits(value)
    if not kk:
        raise IdentityError("No. KK wajib diisi.")
    if not _DIGITS16.match(kk):
        raise IdentityError(f"No. KK harus 16 angka (tertulis {len(kk)} karakter).")
    problem = _plausible_region(kk[:6])
    if problem:
        raise IdentityError(f"No. KK tidak valid: {problem}.")
    return kk


def phone_normalise(value: str) -> str:
    """Return the number as ``+62…`` (from ``0812…``, ``62812…``, ``+62 812-…``); "" stays ""; else raise.

    After +62 come 8–13 digits, the first not 0 (a mobile 8…, or a landline area code).
    """
    raw = (value or "").strip()
    if not raw:
        return ""
    digits = re.sub(r"[\s.\-()]", "", raw)
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("62"):
            raise IdentityError("Nomor HP harus nomor Indonesia (+62).")
    if not digits.isdigit():
        raise IdentityError("Nomor HP hanya boleh berisi angka (boleh diawali +).")
    if digits.startswith("62"):
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if national.startswith("0") or not 8 <= len(national) <= 13:
        raise IdentityError("Nomor HP tidak valid: tulis seperti 0812-3456-7890 atau +62 812 3456 7890.")
    return "+62" + national


def nik_mask(nik: str) -> str:
    """Show the first 4 and last 4 digits only: ``6471••••••••0001``."""
    if len(nik) != 16:
        return "•" * len(nik)
    return nik[:4] + "•" * 8 + nik[-4:]
