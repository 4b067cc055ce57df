"""Check a recipient's registration data as typed (form, API or an import row); pure, no database.

The NIK, No. KK and phone follow the member module's checks (``members.identity``); a
recipient need not be a member. An usaha mikro needs its 13-digit NIB (domain.md §7.1, §9).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Any

from koperasi.members.identity import IdentityError, kk_clean, nik_parse, phone_normalise
from koperasi.members.validation import date_parse, person_name_problem
from koperasi.subsidies.choices import RecipientCategory

ADDRESS_MAX = 250
_NIB = re.compile(r"^\d{13}$")
CATEGORY_ALIASES = {
    "rumah tangga": RecipientCategory.RUMAH_TANGGA,
    "rt": RecipientCategory.RUMAH_TANGGA,
    "usaha mikro": RecipientCategory.USAHA_MIKRO,
    "um": RecipientCategory.USAHA_MIKRO,
    "petani sasaran": RecipientCategory.PETANI,
    "nelayan sasaran": RecipientCategory.NELAYAN,
}


@dataclass(frozen=True)
class RecipientData:
    """A recipient's details after checking."""

    nik: str
    kk: str
    name: str
    category: str
    nib: str
    business_name: str
    address: str
    phone: str
    kelurahan_code: str
    registered_on: datetime.date


def _text(data: Mapping[str, Any], field: str) -> str:
    value = data.get(field)
    return "" if value is None else " ".join(str(value).replace("\x00", " ").split())


def category_parse(value: str) -> str | None:
    """Return the category code for a code or its label (``Rumah tangga``, ``usaha_mikro``), or None."""
    text = " ".join(value.replace("_", " ").lower().split())
    if text.replace(" ", "_") in RecipientCategory.values:
        return text.replace(" ", "_")
    alias = CATEGORY_ALIASES.get(text)
    return alias.value if alias else None


def recipient_data_check(
    data: Mapping[str, Any], *, today: datetime.date, kelurahan_codes: Container[str]
) -> tuple[RecipientData | None, dict[str, list[str]]]:
    """Return ``(RecipientData, {})`` or ``(None, {field: [reasons]})``.

    Fields: nik, kk, name, category, nib (needed for usaha mikro), business_name, address,
    phone, kelurahan_code (optional; must exist when given), registered_on (default
    ``today``; not in the future).
    """
    problems: dict[str, list[str]] = {}
    nik = ""
    try:
        nik = nik_parse(_text(data, "nik"), today=today).nik
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
    category = category_parse(_text(data, "category")) if _text(data, "category") else None
    if category is None:
        problems["category"] = ["Kategori harus rumah_tangga, usaha_mikro, petani atau nelayan."]
    nib = re.sub(r"[\s.\-]", "", _text(data, "nib"))
    if nib and not _NIB.match(nib):
        problems["nib"] = [f"NIB harus 13 angka (tertulis {len(nib)} karakter)."]
    elif category == RecipientCategory.USAHA_MIKRO and not nib:
        problems["nib"] = ["Usaha mikro wajib mempunyai NIB (13 angka dari OSS)."]
    business_name = _text(data, "business_name")[:150]
    address = _text(data, "address")
    if len(address) > ADDRESS_MAX:
        problems["address"] = [f"Alamat paling banyak {ADDRESS_MAX} karakter."]
    phone = ""
    try:
        phone = phone_normalise(_text(data, "phone"))
    except IdentityError as exc:
        problems["phone"] = [str(exc)]
    kelurahan_code = _text(data, "kelurahan_code")
    if kelurahan_code and kelurahan_code not in kelurahan_codes:
        problems["kelurahan_code"] = [f"Kelurahan/desa dengan kode '{kelurahan_code}' tidak ditemukan."]
    raw_registered = data.get("registered_on")
    registered_on = today if raw_registered in (None, "") else date_parse(raw_registered)
    if registered_on is None:
        problems["registered_on"] = ["Tanggal daftar tidak valid; tulis YYYY-MM-DD atau DD/MM/YYYY."]
    elif registered_on > today:
        problems["registered_on"] = ["Tanggal daftar tidak boleh di masa depan."]
    if problems or category is None or registered_on is None:
        return None, problems
    return (
        RecipientData(
            nik=nik,
            kk=kk,
            name=name,
            category=category,
            nib=nib,
            business_name=business_name,
            address=address,
            phone=phone,
            kelurahan_code=kelurahan_code,
            registered_on=registered_on,
        ),
        {},
    )
