"""Check a member's data as a clerk typed it (form, API or an import row); pure, no database.

``member_data_check`` returns the cleaned values or, per field, every reason it refused,
in Indonesian. The caller supplies the valid kelurahan codes so a 10,000-row import
looks them up once.
"""

from __future__ import annotations

import datetime
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from koperasi.members.identity import IdentityError, kk_clean, nik_parse, phone_normalise

NAME_MAX = 150
ADDRESS_MAX = 250


@dataclass(frozen=True)
class MemberData:
    """A member's details after checking; gender and birth date come from the NIK."""

    nik: str
    kk: str
    name: str
    gender: str
    birth_date: datetime.date
    address: str
    kelurahan_code: str
    phone: str
    joined_on: datetime.date
    birth_place: str = ""
    occupation: str = ""


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else " ".join(str(value).split())


def person_name_problem(name: str) -> str | None:
    """Why ``name`` (spaces already collapsed) cannot be a person's name, or None: empty, too long, no letter."""
    if not name:
        return "Nama wajib diisi."
    if len(name) > NAME_MAX:
        return f"Nama paling banyak {NAME_MAX} karakter."
    if not any(ch.isalpha() for ch in name):
        return "Nama harus berisi huruf."
    return None


def date_parse(value: Any) -> datetime.date | None:
    """Read a date given as a date, ``YYYY-MM-DD`` or ``DD/MM/YYYY``; None if it is neither."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def member_data_check(
    data: Mapping[str, Any], *, today: datetime.date, kelurahan_codes: Container[str], default_kelurahan: str = ""
) -> tuple[MemberData | None, dict[str, list[str]]]:
    """Return ``(MemberData, {})`` or ``(None, {field: [reasons]})`` for ``data``.

    Fields: nik, kk, name, address, kelurahan_code (default ``default_kelurahan``), phone,
    joined_on (default ``today``; not in the future), birth_place, occupation.
    """
    problems: dict[str, list[str]] = {}
    nik_info = None
    try:
        nik_info = nik_parse(_text(data, "nik"), today=today)
    except IdentityError as exc:
        problems["nik"] = [str(exc)]
    kk = ""
    try:
        kk = kk_clean(_text(data, "kk"))
    except IdentityError as exc:
        problems["kk"] = [str(exc)]
    name = _text(data, "name")
    if problem := person_name_problem(name):
        problems["name"] = [problem]
    address = _text(data, "address")
    if not address:
        problems["address"] = ["Alamat wajib diisi (jalan, RT/RW)."]
    elif len(address) > ADDRESS_MAX:
        problems["address"] = [f"Alamat paling banyak {ADDRESS_MAX} karakter."]
    kelurahan_code = _text(data, "kelurahan_code") or default_kelurahan
    if not kelurahan_code:
        problems["kelurahan_code"] = ["Kelurahan/desa wajib dipilih."]
    elif kelurahan_code not in kelurahan_codes:
        problems["kelurahan_code"] = [f"Kelurahan/desa dengan kode '{kelurahan_code}' tidak ditemukan."]
    phone = ""
    try:
        phone = phone_normalise(_text(data, "phone"))
    except IdentityError as exc:
        problems["phone"] = [str(exc)]
    raw_joined = data.get("joined_on")
    joined_on = today if raw_joined in (None, "") else date_parse(raw_joined)
    if joined_on is None:
        problems["joined_on"] = ["Tanggal masuk tidak valid; tulis YYYY-MM-DD atau DD/MM/YYYY."]
    elif joined_on > today:
        problems["joined_on"] = ["Tanggal masuk tidak boleh di masa depan."]
    elif nik_info is not None and joined_on < nik_info.birth_date:
        problems["joined_on"] = ["Tanggal masuk sebelum tanggal lahir (periksa NIK atau tanggal)."]
    birth_place = _text(data, "birth_place")[:100]
    occupation = _text(data, "occupation")[:100]
    if problems or nik_info is None or joined_on is None:
        return None, problems
    return (
        MemberData(
            nik=nik_info.nik,
            kk=kk,
            name=name,
            gender=nik_info.gender,
            birth_date=nik_info.birth_date,
            address=address,
            kelurahan_code=kelurahan_code,
            phone=phone,
            joined_on=joined_on,
            birth_place=birth_place,
            occupation=occupation,
        ),
        {},
    )
