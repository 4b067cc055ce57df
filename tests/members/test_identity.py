"""NIK, No. KK and phone rules (domain.md §9)."""

from __future__ import annotations

import datetime

import pytest

from koperasi.members.identity import IdentityError, kk_clean, nik_mask, nik_parse, phone_normalise

TODAY = datetime.date(2026, 11, 24)


def test_man_nik_gives_birth_date_and_gender() -> None:
    info = nik_parse("6471041505850001", today=TODAY)
    assert (info.gender, info.birth_date, info.region_code) == ("L", datetime.date(1985, 5, 15), "64.71.04")
    assert info.age_on(TODAY) == 41


def test_woman_nik_day_plus_forty() -> None:
    info = nik_parse("6471045505850002", today=TODAY)
    assert (info.gender, info.birth_date) == ("P", datetime.date(1985, 5, 15))


def test_two_digit_year_pivots_on_today() -> None:
    assert nik_parse("6471040101100001", today=TODAY).birth_date == datetime.date(2010, 1, 1)
    assert nik_parse("6471040101300001", today=TODAY).birth_date == datetime.date(1930, 1, 1)


def test_spaces_and_dots_typed_inside_are_ignored() -> None:
    assert nik_parse("6471 0415 0585 0001", today=TODAY).nik == "6471041505850001"


@pytest.mark.parametrize(
    ("nik", "reason"),
    [
        ("", "wajib diisi"),
        ("647104150585001", r"16 angka \(tertulis 15"),
        ("64710415058500AB", "16 angka"),
        ("0071041505850001", "kode provinsi 00"),
        ("6400041505850001", "kabupaten/kota 00"),
        ("6471001505850001", "kecamatan 00"),
        ("6471043102850001", "bukan tanggal yang ada"),  # 31 February
        ("6471047202850001", "bukan tanggal yang ada"),  # day 72 − 40 = 32
        ("6471041513850001", "bukan tanggal yang ada"),  # month 13
        ("6471041505850000", "nomor urut 0000"),
    ],
)
def test_bad_nik_refused_with_reason(nik: str, reason: str) -> None:
    with pytest.raises(IdentityError, match=reason):
        nik_parse(nik, today=TODAY)


def test_nik_born_in_the_future_refused() -> None:
    with pytest.raises(IdentityError, match="masa depan"):
        nik_parse("6471041512260001", today=TODAY)  # 15 December 2026


def test_kk_sixteen_digits_with_plausible_region() -> None:
    assert kk_clean("6471-0401-0110-0003") == "6471040101100003"
    with pytest.raises(IdentityError, match="16 angka"):
        kk_clean("12345")
    with pytest.raises(IdentityError, match="kode provinsi 99"):
        kk_clean("9971040101100003")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0812-3456-7890", "+6281234567890"),
        ("+62 812 3456 7890", "+6281234567890"),
        ("6281234567890", "+6281234567890"),
        ("81234567890", "+6281234567890"),
        ("(0542) 123456", "+62542123456"),
        ("", ""),
    ],
)
def test_phone_normalised_to_plus_62(typed: str, stored: str) -> None:
    assert phone_normalise(typed) == stored


@pytest.mark.parametrize("typed", ["+1 555 123 4567", "0812-ABC", "0812", "0081234567890"])
def test_bad_phone_refused(typed: str) -> None:
    with pytest.raises(IdentityError):
        phone_normalise(typed)


def test_nik_masked_keeps_first_and_last_four() -> None:
    assert nik_mask("6471041505850001") == "6471••••••••0001"
