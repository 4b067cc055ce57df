"""Pure: the WhatsApp reminder of unpaid simpanan wajib (text and ``wa.me`` link; no API call).

The text goes to the member, so it is always Indonesian, whatever language the officer's
page is shown in: it is deliberately not passed through gettext.
"""

from __future__ import annotations

import datetime
from urllib.parse import quote

from koperasi.core.money import Rupiah, format_rupiah

MONTH_NAMES = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def month_name(month: datetime.date) -> str:
    """``date(2026, 1, 1)`` -> ``"Januari 2026"`` (Indonesian, independent of the active language)."""
    return f"{MONTH_NAMES[month.month - 1]} {month.year}"


def wajib_reminder_text(
    coop_name: str, member_name: str, months: int, amount: Rupiah, oldest_month: datetime.date
) -> str:
    """Return the polite Indonesian reminder of ``months`` unpaid wajib bills since ``oldest_month``."""
    return (
        f"Assalamualaikum/Salam sejahtera Bapak/Ibu {member_name}, simpanan wajib Anda di {coop_name} "
        f"belum dibayar {months} bulan (sejak {month_name(oldest_month)}), total {format_rupiah(amount)}. "
        "Mohon dibayarkan ke kasir koperasi. Terima kasih."
    )


def whatsapp_link(phone: str, text: str) -> str:
    """Return ``https://wa.me/<digits>?text=<text>`` for a phone like ``+6281234567890``; "" without a phone."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if not digits:
        return ""
    return f"https://wa.me/{digits}?text={quote(text, safe='')}"
