"""The gerai in the Dinas view: sales this month and this year, the members' share, the inventory.

Figures come from the month totals of the books, so they follow every sale and return.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from koperasi.core.roles import Role
from koperasi.oversight.selectors import oversight_items, oversight_queryset, percent_of
from koperasi.shop import services
from koperasi.shop.services import PurchaseLineInput, SaleLineInput

pytestmark = pytest.mark.django_db


def rows(user: Any) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in oversight_items(oversight_queryset(user=user))}


def test_sales_share_and_inventory_per_cooperative(
    coop: Any, other_coop: Any, grant: Any, active_member: Any, dinas_user: Any, django_assert_max_num_queries: Any
) -> None:
    today = timezone.localdate()
    bendahara, kasir = grant(coop, Role.BENDAHARA), grant(coop, Role.KASIR, "kasir2")
    supplier = services.supplier_create(cooperative=coop, name="Perum Bulog", kind="bulog", actor=bendahara)
    sugar = services.product_create(
        cooperative=coop, data=services.ProductInput(sku="GULA1", name="Gula 1 kg"), price=18_000, actor=bendahara
    )
    services.purchase_direct(
        cooperative=coop, supplier=supplier, date=today, lines=[PurchaseLineInput(sugar, 10, 15_000)], actor=bendahara
    )
    services.sale_create(
        cooperative=coop, date=today, lines=[SaleLineInput(sugar, 3)], member=active_member, actor=kasir
    )
    services.sale_create(cooperative=coop, date=today, lines=[SaleLineInput(sugar, 1)], actor=kasir)

    with django_assert_max_num_queries(4):
        figures = rows(dinas_user)

    manggar, lamaru = figures["manggar"], figures["lamaru"]
    # 3 × 18.000 to Budi, a member; 1 × 18.000 to a passer-by: 54.000 of 72.000 = 75 %.
    assert (manggar["shop_sales_month"], manggar["shop_sales_ytd"]) == (72_000, 72_000)
    assert manggar["shop_member_share_pct"] == Decimal("75.0")
    # 10 bought at 15.000, 4 sold at the average cost: 6 × 15.000 left.
    assert manggar["inventory_value"] == 90_000
    assert (lamaru["shop_sales_month"], lamaru["shop_member_share_pct"], lamaru["inventory_value"]) == (0, None, 0)


def test_percent_of_rounds_half_up_to_one_decimal() -> None:
    assert percent_of(1, 3) == Decimal("33.3")
    assert percent_of(2, 3) == Decimal("66.7")
    assert percent_of(0, 0) is None
