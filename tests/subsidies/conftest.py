"""Subsidy fixtures: an LPG 3 kg programme (10 tabung per KK per month, 1 purchase per NIK per day),
an SPHP programme (2 packs per NIK per day) and registered households, on top of the shop's stock."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from tests.shop.conftest import BOUGHT, SOLD, lpg, make_item, manajer, oil, rice, stocked, supplier  # noqa: F401

PROGRAM_FROM = datetime.date(2026, 3, 1)
KK_A = "6471041203150001"  # household A (two adults registered)
KK_B = "6471041203150002"
NIK_A1 = "6471041203800001"  # a man born 12 March 1980
NIK_A2 = "6471045505820002"  # a woman born 15 May 1982, same KK
NIK_B1 = "6471040101750003"  # a man born 1 January 1975, another KK
NIK_UNREGISTERED = "6471044101900003"


@pytest.fixture
def lpg_program(coop: Any, lpg: Any, manajer: Any) -> Any:  # noqa: F811 (shop's fixtures, imported above)
    """LPG 3 kg bersubsidi at Rp19.000 from 1 March 2026 (domain.md §11 defaults), 300 tabung a month."""
    from koperasi.subsidies.services import ProgramInput, RuleInput, program_create

    return program_create(
        cooperative=coop,
        data=ProgramInput(
            name="LPG 3 kg bersubsidi",
            product=lpg,
            partner="PT Pertamina Patra Niaga",
            price=19_000,
            valid_from=PROGRAM_FROM,
            monthly_allocation=300,
            categories=["rumah_tangga", "usaha_mikro", "petani", "nelayan"],
            rules=[
                RuleInput(per="kk", period="month", max_qty=10),
                RuleInput(per="nik", period="day", max_purchases=1),
            ],
        ),
        actor=manajer,
    )


@pytest.fixture
def sphp_program(coop: Any, rice: Any, manajer: Any) -> Any:  # noqa: F811 (shop's fixtures, imported above)
    """Beras SPHP at Rp65.500 a 5 kg pack, at most 2 packs per NIK per day, rumah tangga only."""
    from koperasi.subsidies.services import ProgramInput, RuleInput, program_create

    return program_create(
        cooperative=coop,
        data=ProgramInput(
            name="Beras SPHP",
            product=rice,
            partner="Perum Bulog",
            price=65_500,
            valid_from=PROGRAM_FROM,
            categories=["rumah_tangga"],
            rules=[RuleInput(per="nik", period="day", max_qty=2)],
        ),
        actor=manajer,
    )


@pytest.fixture
def register(coop: Any, kasir: Any) -> Any:
    """Register a recipient; keyword arguments override the defaults (household A's first adult)."""
    from koperasi.subsidies.services import recipient_register

    def make(cooperative: Any = None, **data: Any) -> Any:
        fields = {"nik": NIK_A1, "kk": KK_A, "name": "Budi Santoso", "category": "rumah_tangga", **data}
        return recipient_register(cooperative=cooperative or coop, data=fields, actor=kasir)

    return make


@pytest.fixture
def households(register: Any) -> dict[str, Any]:
    """Two adults of household A and one of household B, all rumah tangga."""
    return {
        "a1": register(),
        "a2": register(nik=NIK_A2, name="Siti Aminah"),
        "b1": register(nik=NIK_B1, kk=KK_B, name="Joko Widodo"),
    }


def kk_a_nik(serial: int) -> str:
    """A valid NIK of another adult of household A: a man born 12 March 1980, serial ``serial`` (1–9999)."""
    return f"647104120380{serial:04d}"


@pytest.fixture
def make_program(coop: Any, manajer: Any) -> Any:  # noqa: F811 (shop's fixture, imported above)
    """Create a programme; keyword arguments override ``ProgramInput`` fields.

    ``rules`` are tuples ``(per, period, max_qty, max_purchases)`` (the last ones optional).
    """
    from koperasi.subsidies.services import ProgramInput, RuleInput, program_create

    def make(product: Any, *, rules: Any = (), cooperative: Any = None, actor: Any = None, **fields: Any) -> Any:
        data = ProgramInput(
            **{
                "name": f"Program {product.name}",
                "product": product,
                "partner": "Mitra BUMN",
                "price": product.price,
                "valid_from": PROGRAM_FROM,
                "categories": ["rumah_tangga", "usaha_mikro", "petani", "nelayan"],
                "rules": [RuleInput(*rule) for rule in rules],
                **fields,
            }
        )
        return program_create(cooperative=cooperative or coop, data=data, actor=actor or manajer)

    return make


@pytest.fixture
def lpg_kk_program(make_program: Any, lpg: Any) -> Any:  # noqa: F811 (shop's fixture, imported above)
    """LPG 3 kg at Rp19.000 from 1 March 2026 with one rule only: 10 tabung per KK per month."""
    return make_program(lpg, name="LPG 3 kg (kuota KK)", price=19_000, rules=[("kk", "month", 10)])
