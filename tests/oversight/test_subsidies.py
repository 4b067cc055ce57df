"""Subsidised goods in the Dinas view: units of LPG 3 kg and SPHP distributed this month, active recipients.

Totals per cooperative from the programmes' logbook (net of returns) and the register, in
one more query for all the cooperatives shown; never a NIK.
"""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from koperasi.oversight.exports import COOPERATIVE_HEADERS
from koperasi.oversight.selectors import SubsidyFigures, oversight_items, oversight_queryset, subsidy_figures
from koperasi.shop import services as shop
from koperasi.subsidies.services import recipient_deactivate
from tests.subsidies.conftest import KK_B, NIK_A1, NIK_A2, NIK_B1

pytestmark = pytest.mark.django_db

FIGURES = ("subsidy_lpg_3kg_month", "subsidy_sphp_month", "subsidy_recipients_active")
NIKS = (NIK_A1, NIK_A2, NIK_B1, KK_B)


def sell(coop: Any, kasir: Any, lines: list[tuple[Any, int]], day: datetime.date, nik: str) -> Any:
    return shop.sale_create(
        cooperative=coop,
        date=day,
        lines=[shop.SaleLineInput(product, qty) for product, qty in lines],
        buyer_nik=nik,
        partner_reference="MAP-2611-000123",
        actor=kasir,
    )


@pytest.fixture
def distributed(
    coop: Any,
    other_coop: Any,
    kasir: Any,
    bendahara: Any,
    lpg: Any,
    rice: Any,
    stocked: Any,
    lpg_program: Any,
    sphp_program: Any,
    households: dict[str, Any],
    register: Any,
) -> None:
    """This month: LPG 3 + 2 + 1 tabung (one of the 3 returned) and 2 packs of SPHP; last month 2 tabung.

    Household A's second adult is then deactivated; Lamaru registers one recipient and sells nothing.
    """
    today = timezone.localdate()
    last_month = today.replace(day=1) - datetime.timedelta(days=1)
    first = sell(coop, kasir, [(lpg, 3)], today, NIK_A1)
    sell(coop, kasir, [(lpg, 2)], today, NIK_A2)
    sell(coop, kasir, [(rice, 2), (lpg, 1)], today, NIK_B1)
    sell(coop, kasir, [(lpg, 2)], last_month, NIK_B1)
    line = first.lines.get()
    request = shop.sale_return_request(
        cooperative=coop,
        sale=first,
        kind="return",
        reason="Tabung bocor, dikembalikan",
        date=today,
        quantities={line.pk: 1},
        actor=kasir,
    )
    shop.sale_return_decide(cooperative=coop, sale_return=request, approve=True, note="Diperiksa", actor=bendahara)
    recipient_deactivate(
        cooperative=coop, recipient=households["a2"], reason="Pindah ke luar kota", date=today, actor=kasir
    )
    register(cooperative=other_coop)


def test_units_this_month_net_of_returns_and_active_recipients(
    distributed: None, dinas_user: Any, django_assert_num_queries: Any
) -> None:
    oversight_queryset(user=dinas_user).count()  # caches the user's regional roles
    with django_assert_num_queries(2):  # the cooperatives with their figures; the subsidy totals
        rows = {row["code"]: row for row in oversight_items(oversight_queryset(user=dinas_user))}

    # LPG: (3 − 1 returned) + 2 + 1 this month; last month's 2 tabung are not counted. SPHP: 2 packs.
    # Recipients: a1 and b1 (a2 deactivated). Lamaru: one recipient, nothing sold.
    assert {code: tuple(row[k] for k in FIGURES) for code, row in rows.items()} == {
        "manggar": (5, 2, 2),
        "lamaru": (0, 0, 1),
    }
    assert not any(nik in str(value) for row in rows.values() for value in row.values() for nik in NIKS)


def test_figures_of_another_month_and_of_no_cooperative(distributed: None, coop: Any, other_coop: Any) -> None:
    last_month = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)

    assert subsidy_figures(cooperative_ids=[coop.pk, other_coop.pk], day=last_month) == {
        coop.pk: SubsidyFigures(lpg_3kg_month=2, sphp_month=0, recipients_active=2),
        other_coop.pk: SubsidyFigures(lpg_3kg_month=0, sphp_month=0, recipients_active=1),
    }
    assert subsidy_figures(cooperative_ids=[]) == {}


def test_api_excel_and_page_show_the_totals_without_niks(distributed: None, dinas_user: Any, api_as: Any) -> None:
    body = api_as(dinas_user).get("/oversight/coops", kota="64.71")
    assert body.status_code == 200
    items = {item["code"]: item for item in body.json()["items"]}
    assert tuple(items["manggar"][k] for k in FIGURES) == (5, 2, 2)
    assert tuple(items["lamaru"][k] for k in FIGURES) == (0, 0, 1)
    assert not any(nik in body.content.decode() for nik in NIKS)

    client = Client()
    client.force_login(dinas_user)
    workbook = load_workbook(BytesIO(client.get("/pembinaan/koperasi.xlsx").content))
    rows = list(workbook["Koperasi"].iter_rows(values_only=True))
    lpg_column = COOPERATIVE_HEADERS.index("LPG 3 kg bersubsidi bulan ini (tabung)")
    subsidy_columns = slice(lpg_column, lpg_column + 3)
    assert (
        rows[0][subsidy_columns]
        == (
            "LPG 3 kg bersubsidi bulan ini (tabung)",
            "Beras SPHP bulan ini (kemasan)",
            "Penerima subsidi aktif",
        )
        == COOPERATIVE_HEADERS[subsidy_columns]
    )
    assert {row[0]: row[subsidy_columns] for row in rows[1:]} == {"manggar": (5, 2, 2), "lamaru": (0, 0, 1)}

    page = client.get("/pembinaan/").content.decode()
    manggar = page[page.index('data-coop="manggar"') :]
    manggar = manggar[: manggar.index("</tr>")]
    assert "5 tabung LPG<br>2 kemasan SPHP" in manggar
    assert '<td class="num" data-field="penerima">2</td>' in manggar
    assert not any(nik in page for nik in NIKS)


def test_a_cooperative_officer_sees_only_their_own_totals(distributed: None, other_coop: Any, grant: Any) -> None:
    lamaru_ketua = grant(other_coop, "ketua", "ketua-lamaru-uji")

    rows = oversight_items(oversight_queryset(user=lamaru_ketua))

    assert [(row["code"], *(row[k] for k in FIGURES)) for row in rows] == [("lamaru", 0, 0, 1)]
