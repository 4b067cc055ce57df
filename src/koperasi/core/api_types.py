"""Field types shared by every app's API schemas (DESIGN.md §9: amounts are JSON integers)."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from pydantic_core import PydanticCustomError


def whole_rupiah(value: Any) -> Any:
    """Accept a JSON integer; refuse 1000.0, 1000.5, 1e3, "1000" and true, never round or coerce (DESIGN.md §6)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError(
            "whole_rupiah", "Jumlah harus rupiah bulat (bilangan bulat JSON), bukan pecahan atau teks."
        )
    return value


WholeRupiah = Annotated[int, BeforeValidator(whole_rupiah)]


def whole_number(value: Any) -> Any:
    """Accept a JSON integer only: ``12.0``, ``"12"`` and ``true`` are refused, never coerced."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("whole_number", "Harus bilangan bulat JSON, bukan pecahan, teks atau boolean.")
    return value


WholeNumber = Annotated[int, BeforeValidator(whole_number)]

DATE_MIN, DATE_MAX = datetime.date(1900, 1, 1), datetime.date(2999, 12, 31)  # far from the calendar's end


def iso_day(value: Any) -> Any:
    """Accept ``YYYY-MM-DD`` between 1900 and 2999 only (not a timestamp number, not ``31/02/2026``).

    The bound keeps month arithmetic (the next month of 9999-12-31) from overflowing.
    """
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        day = value
    else:
        if not isinstance(value, str) or len(value) != 10:
            raise PydanticCustomError("date_format", "Tanggal harus berformat YYYY-MM-DD.")
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise PydanticCustomError("date_invalid", "Tanggal tidak ada di kalender (YYYY-MM-DD).") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise PydanticCustomError("date_range", "Tanggal harus antara 1900 dan 2999.")
    return day


Day = Annotated[datetime.date, BeforeValidator(iso_day)]


def no_nul(value: str) -> str:
    """Refuse the NUL character: PostgreSQL cannot store it, and no form or person types it."""
    if "\x00" in value:
        raise PydanticCustomError("nul_character", "Teks tidak boleh berisi karakter NUL.")
    return value


Text = Annotated[str, AfterValidator(no_nul)]

IDEMPOTENCY_KEY_MAX = 80  # the services keep 90 characters; "api:" goes in front


def api_idempotency_key(idempotency_key: str | None) -> str | None:
    """Return the service's key for an ``Idempotency-Key`` header (``api:`` in front), or None.

    Raises ValidationError (too long, a NUL character).
    """
    from koperasi.core.errors import ValidationError

    key = (idempotency_key or "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationError.for_field(
            "Idempotency-Key", f"Idempotency-Key paling banyak {IDEMPOTENCY_KEY_MAX} karakter."
        )
    if "\x00" in key:
        raise ValidationError.for_field("Idempotency-Key", "Idempotency-Key tidak boleh berisi karakter NUL.")
    # The HTML forms keep their own keys; the API's never meet them.
    return f"api:{key}" if key else None
