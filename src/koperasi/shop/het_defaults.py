"""The HET rows every deployment starts with (domain.md §7, §11); loaded by migration 0002.

Rice prices are set per zone; a zone is a list of provinces (Kemendagri codes). Each row
is ``(commodity, region_code, zone, price, effective_from, legal_basis)``.
"""

from __future__ import annotations

import datetime

RICE_ZONES = {
    # Z1: Jawa, Lampung, Sumsel, Bali, NTB, Sulawesi.
    "Zona 1": ("31", "32", "33", "34", "35", "36", "16", "18", "51", "52", "71", "72", "73", "74", "75", "76"),
    # Z2: the rest of Sumatra, NTT, Kalimantan (Balikpapan is here).
    "Zona 2": ("11", "12", "13", "14", "15", "17", "19", "21", "53", "61", "62", "63", "64", "65"),
    # Z3: Maluku and Papua.
    "Zona 3": ("81", "82", "91", "92", "93", "94", "95", "96"),
}
_RICE = {
    # commodity: (price per zone 1/2/3, from, legal basis)
    "beras_medium": ((13_500, 14_000, 15_500), datetime.date(2025, 8, 22), "Kepbadan Pangan 299/2025"),
    "beras_premium": ((14_900, 15_400, 15_800), datetime.date(2025, 8, 22), "Kepbadan Pangan 299/2025"),
    "beras_sphp": ((12_500, 13_100, 13_500), datetime.date(2025, 7, 1), "Kepbadan Pangan 215/2025 (harga SPHP)"),
}
_LPG_KALTIM = datetime.date(2022, 1, 1), "SK Gubernur Kaltim 500/K.572/2022"
_LPG_PRICES = {
    "64.71": 19_000,  # Balikpapan
    "64.72": 18_000,  # Samarinda
    "64.02": 19_000,  # Kutai Kartanegara
    "64.74": 22_000,  # Bontang
    "64.08": 22_000,  # Kutai Timur
    "64.09": 22_000,  # Penajam Paser Utara
    "64.01": 22_000,  # Paser
    "64.03": 25_000,  # Berau
    "64.07": 28_000,  # Kutai Barat
    "64.11": 48_000,  # Mahakam Ulu
}


def het_default_rows() -> list[tuple[str, str, str, int, datetime.date, str]]:
    """Return the default HET rows."""
    rows = [("lpg_3kg", code, "", price, *_LPG_KALTIM) for code, price in _LPG_PRICES.items()]
    rows.append(("minyakita", "", "", 15_700, datetime.date(2024, 8, 14), "Permendag 18/2024; Kepmendag 1028/2024"))
    for commodity, (prices, start, basis) in _RICE.items():
        for (zone, provinces), price in zip(RICE_ZONES.items(), prices, strict=True):
            rows.extend((commodity, province, zone, price, start, basis) for province in provinces)
    return rows
