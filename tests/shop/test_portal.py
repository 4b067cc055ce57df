"""The member's gerai purchases in the portal (/k/<code>/saya/belanja/): their own only; anyone else 404."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.test import Client

from koperasi.members.services import member_portal_account_create
from koperasi.shop import services
from koperasi.shop.services import SaleLineInput
from tests.shop.conftest import SOLD

pytestmark = pytest.mark.django_db

PASSWORD = "Budi-Manggar-2026"


@pytest.fixture
def budi(coop: Any, active_member: Any, admin_user: Any) -> Any:
    member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password=PASSWORD, actor=admin_user
    )
    return active_member


@pytest.fixture
def purchases(coop: Any, stocked: Any, rice: Any, oil: Any, budi: Any, kasir: Any, bendahara: Any) -> Any:
    """Budi buys 2 rice (131.000) and 1 oil (15.700), returns 1 rice; a passer-by buys 1 oil."""
    first = services.sale_create(
        cooperative=coop, date=SOLD, lines=[SaleLineInput(rice, 2), SaleLineInput(oil, 1)], member=budi, actor=kasir
    )
    line = first.lines.get(product=rice)
    request = services.sale_return_request(
        cooperative=coop,
        sale=first,
        kind="return",
        reason="Karung sobek",
        date=SOLD,
        quantities={line.pk: 1},
        actor=kasir,
    )
    services.sale_return_decide(cooperative=coop, sale_return=request, approve=True, actor=bendahara)
    services.sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(oil, 1)], actor=kasir)
    return first


def test_member_sees_his_purchases_net_of_returns(coop: Any, purchases: Any, budi: Any, client: Client) -> None:
    budi.refresh_from_db()
    client.force_login(budi.user)
    response = client.get(f"/k/{coop.code}/saya/belanja/?tahun=2026")
    assert response.status_code == 200
    page = response.content.decode()
    # 131.000 + 15.700 − 65.500 returned = 81.200; one receipt; the passer-by's is not his.
    assert "Rp 81.200" in page
    assert response.context["receipts"] == 1
    assert [s.sale_no for s in response.context["sales"]] == [purchases.sale_no]
    assert "2 × Beras SPHP 5 kg" in page


def test_only_members_open_it(coop: Any, other_coop: Any, purchases: Any, kasir: Any, other_ketua: Any) -> None:
    for user in (kasir, other_ketua):
        client = Client()
        client.force_login(user)
        assert client.get(f"/k/{coop.code}/saya/belanja/").status_code == 404


def test_a_year_without_purchases(coop: Any, budi: Any, client: Client) -> None:
    budi.refresh_from_db()
    client.force_login(budi.user)
    response = client.get(f"/k/{coop.code}/saya/belanja/?tahun=abc")
    assert response.status_code == 200
    assert response.context["year"] == datetime.date.today().year
    assert response.context["net_total"] == 0
