"""Pure checks of legal-record numbers (domain.md §9) — no database.

:func:`legal_record_clean` returns the normalised number or a dict of field problems.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from koperasi.cooperatives.choices import LegalKind, LegalStatus

_SEPARATORS = re.compile(r"[\s.\-/]")


@dataclass
class LegalInput:
    kind: str
    number: str = ""
    issued_on: datetime.date | None = None
    status: str = LegalStatus.DIPROSES
    issuer: str = ""
    holder_name: str = ""
    problems: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, field_name: str, message: str) -> None:
        self.problems.setdefault(field_name, []).append(message)


def _digits(number: str) -> str:
    return _SEPARATORS.sub("", number)


def legal_record_clean(data: LegalInput, *, today: datetime.date) -> LegalInput:
    """Normalise ``data.number`` and fill ``data.problems``; return ``data``."""
    if data.kind not in LegalKind.values:
        data.refuse("kind", f"Jenis dokumen '{data.kind}' tidak dikenal.")
        return data
    if data.status not in LegalStatus.values:
        data.refuse("status", f"Status '{data.status}' tidak dikenal.")
    data.number = (data.number or "").strip()
    data.issuer = (data.issuer or "").strip()
    data.holder_name = (data.holder_name or "").strip()
    issued = data.status == LegalStatus.TERBIT

    if issued and data.issued_on is None:
        data.refuse("issued_on", "Tanggal wajib diisi untuk dokumen yang sudah terbit.")
    if data.issued_on and data.issued_on > today:
        data.refuse("issued_on", "Tanggal tidak boleh di masa depan.")
    number_required = issued and data.kind != LegalKind.MUSYAWARAH
    if number_required and not data.number:
        data.refuse("number", "Nomor wajib diisi untuk dokumen yang sudah terbit.")

    if data.number:
        if data.kind == LegalKind.NIB:
            digits = _digits(data.number)
            if not re.fullmatch(r"\d{13}", digits):
                data.refuse("number", "NIB harus 13 digit angka.")
            else:
                data.number = digits
        elif data.kind == LegalKind.NPWP:
            digits = _digits(data.number)
            if re.fullmatch(r"\d{15}", digits):
                data.refuse(
                    "number",
                    "NPWP 15 digit tidak berlaku lagi sejak 1 Januari 2024; tulis 16 digit (tambahkan 0 di depan).",
                )
            elif not re.fullmatch(r"\d{16}", digits):
                data.refuse("number", "NPWP koperasi harus 16 digit angka.")
            else:
                data.number = digits
        elif data.kind == LegalKind.REKENING_BANK:
            digits = _digits(data.number)
            if not re.fullmatch(r"\d{6,20}", digits):
                data.refuse("number", "Nomor rekening harus 6–20 digit angka.")
            else:
                data.number = digits
        elif len(data.number) > 100:
            data.refuse("number", "Nomor terlalu panjang (maksimal 100 karakter).")

    if data.kind == LegalKind.AKTA_PENDIRIAN and issued and not data.issuer:
        data.refuse("issuer", "Nama notaris wajib diisi untuk akta pendirian.")
    if data.kind == LegalKind.REKENING_BANK and issued and not data.issuer:
        data.refuse("issuer", "Nama bank wajib diisi untuk rekening.")
    return data
