"""Shop fixtures: a supplier, catalogue items (rice with a HET, LPG, cooking oil), stock bought in, a consignment."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koperasi.core.roles import Role

BOUGHT = datetime.date(2026, 3, 2)
SOLD = datetime.date(2026, 3, 10)


@pytest.fixture
def manajer(coop: Any, grant: Any) -> Any:
    return grant(coop, Role.MANAJER)


@pytest.fixture
def supplier(coop: Any, bendahara: Any) -> Any:
    """Perum Bulog as the cooperative's supplier."""
    from koperasi.shop.services import supplier_create

    return supplier_create(cooperative=coop, name="Perum Bulog", kind="bulog", actor=bendahara)


@pytest.fixture
def make_item(bendahara: Any) -> Any:
    """Add a product; keyword arguments override ``ProductInput`` fields (price separately)."""
    from koperasi.shop.services import ProductInput, product_create

    def make(cooperative: Any, *, price: int, effective_from: datetime.date = BOUGHT, **fields: Any) -> Any:
        data = ProductInput(**{"sku": "X", "name": "Barang", "unit": "pcs", **fields})
        return product_create(
            cooperative=cooperative, data=data, price=price, effective_from=effective_from, actor=bendahara
        )

    return make


@pytest.fixture
def rice(coop: Any, make_item: Any) -> Any:
    """Beras SPHP 5 kg at Rp65.500 (the zone 2 ceiling: 5 × Rp13.100)."""
    return make_item(
        coop,
        sku="SPHP5",
        name="Beras SPHP 5 kg",
        unit="karung",
        price=65_500,
        het_commodity="beras_sphp",
        het_quantity="5",
        barcode="8991234500015",
    )


@pytest.fixture
def lpg(coop: Any, make_item: Any) -> Any:
    """LPG 3 kg at Rp19.000 (Balikpapan's HET)."""
    return make_item(coop, sku="LPG3", name="LPG 3 kg", unit="tabung", price=19_000, het_commodity="lpg_3kg")


@pytest.fixture
def oil(coop: Any, make_item: Any) -> Any:
    """MinyaKita 1 liter at Rp15.700."""
    return make_item(coop, sku="MK1", name="MinyaKita 1 L", unit="botol", price=15_700, het_commodity="minyakita")


@pytest.fixture
def stocked(coop: Any, supplier: Any, rice: Any, lpg: Any, oil: Any, bendahara: Any) -> Any:
    """Bought on credit from Bulog on 2 March: 10 rice at Rp57.000, 20 LPG at Rp16.000, 24 oil at Rp14.000.

    Inventory Rp570.000 + Rp320.000 + Rp336.000 = Rp1.226.000, owed to Bulog; all at the gerai.
    """
    from koperasi.shop.services import PurchaseLineInput, purchase_direct

    return purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=BOUGHT,
        lines=[
            PurchaseLineInput(rice, 10, 57_000),
            PurchaseLineInput(lpg, 20, 16_000),
            PurchaseLineInput(oil, 24, 14_000),
        ],
        actor=bendahara,
    )
