"""Field types shared by every app's API schemas (DESIGN.md §9: amounts are JSON integers)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError


def whole_rupiah(value: Any) -> Any:
    """Accept a JSON integer; refuse 1000.0, 1000.5, 1e3, "1000" and true, never round or coerce (DESIGN.md §6)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError(
            "whole_rupiah", "Jumlah harus rupiah bulat (bilangan bulat JSON), bukan pecahan atau teks."
        )
    return value


WholeRupiah = Annotated[int, BeforeValidator(whole_rupiah)]
