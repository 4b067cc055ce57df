"""Template filters that format money and dates the Indonesian way."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone

from koperasi.core.money import format_rupiah

register = template.Library()


@register.filter
def rupiah(value: Any) -> str:
    """``1234567`` -> ``Rp 1.234.567``."""
    if value is None or value == "":
        return ""
    return format_rupiah(int(value))


@register.filter
def tanggal(value: Any) -> str:
    """A date or datetime -> ``23/11/2026`` (local time for datetimes)."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


@register.filter
def angka(value: Any) -> str:
    """``1234567`` -> ``1.234.567``."""
    if value is None or value == "":
        return ""
    return f"{int(value):,}".replace(",", ".")
