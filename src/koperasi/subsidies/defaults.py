"""The rules a new programme starts with, by the HET commodity of its product (domain.md §11).

These are defaults a form or the API offers; the cooperative saves its own programme
(a setting with validity dates, DESIGN.md rule 10) and may change every value.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from koperasi.subsidies import calculations
from koperasi.subsidies.choices import RecipientCategory, RulePer, RulePeriod


@dataclass(frozen=True)
class ProgramDefaults:
    name: str
    partner: str
    categories: list[str]
    rules: list[calculations.Rule] = field(default_factory=list)
    monthly_allocation: int = 0


_ALL = [c.value for c in RecipientCategory]

# §7.1 / §11: 10 tabung per KK per month and one purchase per NIK per day (the 2026
# proposal); rumah tangga, usaha mikro with NIB, petani and nelayan sasaran; a pangkalan
# gets about 200–300 tabung a month.
LPG_3KG = ProgramDefaults(
    name="LPG 3 kg bersubsidi",
    partner="PT Pertamina Patra Niaga",
    categories=_ALL,
    rules=[
        calculations.Rule(per=RulePer.KK, period=RulePeriod.MONTH, max_qty=10),
        calculations.Rule(per=RulePer.NIK, period=RulePeriod.DAY, max_purchases=1),
    ],
    monthly_allocation=300,
)
# §7.2 / §11: at most 2 packs (10 kg) per buyer NIK per purchase day; no resale.
SPHP = ProgramDefaults(
    name="Beras SPHP",
    partner="Perum Bulog",
    categories=[RecipientCategory.RUMAH_TANGGA.value],
    rules=[calculations.Rule(per=RulePer.NIK, period=RulePeriod.DAY, max_qty=2)],
)
# §7.3: no consumer limit found; the HET applies.
MINYAKITA = ProgramDefaults(
    name="MinyaKita",
    partner="Distributor DMO",
    categories=[RecipientCategory.RUMAH_TANGGA.value, RecipientCategory.USAHA_MIKRO.value],
)

BY_COMMODITY = {"lpg_3kg": LPG_3KG, "beras_sphp": SPHP, "minyakita": MINYAKITA}


def program_defaults(commodity: str) -> ProgramDefaults | None:
    """Return the defaults for a product's HET commodity code, or None."""
    return BY_COMMODITY.get(commodity)
