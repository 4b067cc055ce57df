"""Figures of the oversight selectors over the Balikpapan demo (src/koperasi/demo/balikpapan.py)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from koperasi.cooperatives.choices import Stage
from koperasi.loans.models import Loan
from koperasi.loans.selectors import loan_position
from koperasi.oversight.selectors import oversight_items, oversight_queryset, oversight_summary

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
TODAY = datetime.date(2026, 11, 24)
# Gunung Sari Ulu's books of 2026 (demo/books.py, demo/members.py, demo/shop.py, demo/loans.py): the
# gerai's sales to members 51.754.800 and to others 44.417.500 and its consignment commission 43.500,
# less the cost of the goods sold 83.187.500, the stock-count shortage 36.250, the honorarium
# (4 × 600.000), electricity (4 × 250.000) and the interest on the Himbara loan (4 × 390.000),
# less Rp36.673 sukarela interest = 7.995.377; then the savings-and-loan unit: loan income
# (interest 1.646.098, fees 1.450.000, penalties 50.479) − interest on its Himbara tranche
# (5 × 550.000) − the allowance posted on 31 October (3.855.111).
SHOP_SALES_2026 = 51_754_800 + 44_417_500
GERAI_SURPLUS_2026 = SHOP_SALES_2026 + 43_500 - 83_187_500 - 36_250 - 2_400_000 - 1_000_000 - 1_560_000 - 36_673
# The Himbara loan (78.000.000), the grant (25.000.000), members' savings (19.431.673), what is owed
# to Bulog (19.591.000), and the gerai's surplus.
GERAI_ASSETS = 78_000_000 + 25_000_000 + 19_431_673 + 19_591_000 + GERAI_SURPLUS_2026
LOAN_INCOME = 1_646_098 + 1_450_000 + 50_479
DEMO_SURPLUS_2026 = GERAI_SURPLUS_2026 + LOAN_INCOME - 2_750_000 - 3_855_111


@pytest.fixture
def dinas(demo_loaded: None) -> Any:
    return get_user_model().objects.get(username="dinas")


def items(user: Any, **filters: Any) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in oversight_items(oversight_queryset(user=user, **filters))}


def test_operating_cooperative_figures(dinas: Any) -> None:
    # Serial 17 in Balikpapan (odd): kantor, gerai sembako and the LPG base are active, and the
    # savings-and-loan unit opened with the demo loans; partners Perum Bulog and PT Pertamina
    # Patra Niaga; one gerai, built.
    assert items(dinas)["gunung-sari-ulu"] == {
        "code": "gunung-sari-ulu",
        "name": "Koperasi Kelurahan Merah Putih Gunung Sari Ulu",
        "kelurahan_code": "64.71.04.1001",
        "kelurahan_name": "Gunung Sari Ulu",
        "kecamatan_code": "64.71.04",
        "kecamatan_name": "Balikpapan Tengah",
        "stage": "beroperasi",
        "stage_label": "Beroperasi",
        "stage_since": datetime.datetime(2026, 1, 15, 10, 0, tzinfo=WITA),
        "legal_documents_issued": 7,
        "legal_documents_total": 7,
        "business_units_active": 4,
        "partners": 2,
        "facilities": 1,
        "facilities_progress_pct": 100,
        # From the demo books (demo/books.py, serial 17: scale 1.3): the same figures as
        # ledger.selectors.balance_sheet gives for 31/10/2026, read here from month totals.
        # demo/members.py: 52 aktif; savings = 19.395.000 paid in cash + 36.673 interest credited.
        "members_active": 52,
        "savings_total": 19_431_673,
        # What financed the books' and the gerai's assets (GERAI_ASSETS), plus the unit's Himbara
        # tranche (110.000.000) less its interest, plus loan income, less the allowance (a contra asset).
        "total_assets": GERAI_ASSETS + 110_000_000 - 2_750_000 + LOAN_INCOME - 3_855_111,
        "surplus_ytd": DEMO_SURPLUS_2026 if timezone.localdate().year == 2026 else 0,
        # demo/loans.py: 13 active loans; on 24 November (thresholds 30/60/90 days) two are
        # kurang lancar (10.000.000 + 2.512.355), one diragukan (3.000.000), two macet
        # (2.700.000 + 961.166).
        "loans_outstanding": 61_454_964,
        "loans_npl_outstanding": 19_173_521,
        "npl_ratio": Decimal("31.20"),
        # demo/shop.py: the gerai sold from July to October (nothing this month); 53,8 % to members;
        # the stock left at moving-average cost.
        "shop_sales_month": 0,
        "shop_sales_ytd": SHOP_SALES_2026 if timezone.localdate().year == 2026 else 0,
        "shop_member_share_pct": Decimal("53.8") if timezone.localdate().year == 2026 else None,
        "inventory_value": 27_831_850,
        # demo/subsidies.py: LPG and SPHP went out from July to October (nothing this month); 57
        # recipients registered, one deactivated (moved to Samarinda).
        "subsidy_lpg_3kg_month": 0,
        "subsidy_sphp_month": 0,
        "subsidy_recipients_active": 56,
        # demo/shu.py: Gunung Sari Ulu's books start in July 2026: no year closed, no RAT due yet.
        "fiscal_year_last_closed": None,
        "shu_rat_date": None,
        "rat_year": None,
        "rat_deadline": None,
        "rat_status": None,
        "rat_status_label": "",
    }


def test_year_end_close_and_rat_of_the_cooperatives_with_a_2025(dinas: Any) -> None:
    # demo/shu.py: Batu Ampar and Damai closed 2025 and their RAT approved the SHU in March 2026;
    # Karang Rejo closed 2025 but has held no RAT, past the deadline of 30 June 2026. The others'
    # books start in 2026: nothing is due for 2025.
    rows = items(dinas)
    figures = {
        row["code"]: (
            row["fiscal_year_last_closed"],
            row["shu_rat_date"],
            row["rat_year"],
            row["rat_deadline"],
            row["rat_status"],
        )
        for row in oversight_items(oversight_queryset(user=dinas), day=TODAY)
        if row["fiscal_year_last_closed"] is not None or row["rat_status"] is not None
    }
    deadline = datetime.date(2026, 6, 30)
    assert figures == {
        "batu-ampar": (2025, datetime.date(2026, 3, 14), 2025, deadline, "disahkan"),
        "damai": (2025, datetime.date(2026, 3, 28), 2025, deadline, "disahkan"),
        "karang-rejo": (2025, None, 2025, deadline, "terlambat"),
    }
    # Before the deadline Karang Rejo was only waiting for its RAT.
    may = {row["code"]: row for row in oversight_items(oversight_queryset(user=dinas), day=datetime.date(2026, 5, 4))}
    assert may["karang-rejo"]["rat_status"] == "menunggu"
    assert rows["teritip"]["rat_status"] is None


def test_every_operating_cooperative_runs_savings_and_loans(dinas: Any) -> None:
    rows = items(dinas)
    # Lamaru (serial 2) and Damai (serial 34) opened simpan pinjam with the gerai; the others
    # on 1 June 2026, with their members' loans (demo/loans.py).
    for code in ("lamaru", "damai", "gunung-sari-ulu", "karang-rejo", "baru-ilir", "batu-ampar", "sepinggan"):
        assert rows[code]["business_units_active"] == 4
        assert rows[code]["partners"] == 2


def test_loans_outstanding_and_npl_of_every_operating_cooperative(dinas: Any) -> None:
    rows = items(dinas, loans_day=TODAY)

    figures = {
        code: (row["loans_outstanding"], row["loans_npl_outstanding"], row["npl_ratio"])
        for code, row in rows.items()
        if row["loans_outstanding"]
    }
    # The other six keep the default thresholds: only arrears of more than 90 days count.
    assert figures == {
        "gunung-sari-ulu": (61_454_964, 19_173_521, Decimal("31.20")),
        "lamaru": (55_639_800, 14_562_106, Decimal("26.17")),
        "baru-ilir": (41_187_075, 6_922_334, Decimal("16.81")),
        "batu-ampar": (45_699_373, 14_121_290, Decimal("30.90")),
        "karang-rejo": (57_209_377, 3_750_000, Decimal("6.55")),
        "sepinggan": (46_156_270, 4_972_794, Decimal("10.77")),
        "damai": (57_837_231, 5_922_277, Decimal("10.24")),
    }
    # The same as each loan's live class (loans.selectors.loan_position) summed per cooperative.
    for code, (outstanding, non_performing, _) in figures.items():
        active = Loan.objects.filter(cooperative__code=code, status="active").select_related("cooperative")
        positions = [(loan, loan_position(loan=loan, day=TODAY)) for loan in active]
        assert sum(loan.outstanding_principal for loan, _ in positions) == outstanding
        assert sum(loan.outstanding_principal for loan, p in positions if p.collectibility != "lancar") == (
            non_performing
        )
    assert rows["teritip"]["loans_outstanding"] == 0
    assert rows["teritip"]["npl_ratio"] is None


def test_cooperatives_under_construction(dinas: Any) -> None:
    rows = items(dinas, stage=Stage.PEMBANGUNAN)

    assert sorted(rows) == ["graha-indah", "manggar", "sepinggan-baru"]
    # Gerai progress p and gudang p - 15; the figure is their average, rounded half to even.
    expected_progress = {"graha-indah": 78, "sepinggan-baru": 62, "manggar": 52}
    for code, row in rows.items():
        assert row["stage_since"] == datetime.datetime(2025, 10, 21, 10, 0, tzinfo=WITA)
        assert row["legal_documents_issued"] == 7
        assert row["business_units_active"] == 0
        assert row["partners"] == 0
        assert row["facilities"] == 2
        assert row["facilities_progress_pct"] == expected_progress[code]


def test_proposal_cooperative_has_only_the_musyawarah(dinas: Any) -> None:
    row = items(dinas)["teritip"]

    assert row["stage"] == "usulan"
    assert row["stage_since"] == datetime.datetime(2025, 5, 10, 10, 0, tzinfo=WITA)
    assert row["legal_documents_issued"] == 1
    assert (row["business_units_active"], row["partners"], row["facilities"]) == (0, 0, 0)
    assert row["facilities_progress_pct"] is None


def test_summary(dinas: Any) -> None:
    summary = oversight_summary(user=dinas)

    assert summary["total"] == 34
    assert {stage.value: n for stage, n in summary["by_stage"] if n} == {
        "usulan": 24,
        "pembangunan": 3,
        "beroperasi": 7,
    }
    assert [(k["code"], k["total"]) for k in summary["by_kecamatan"]] == [
        ("64.71.01", 4),
        ("64.71.02", 6),
        ("64.71.03", 6),
        ("64.71.04", 6),
        ("64.71.05", 7),
        ("64.71.06", 5),
    ]
    timur = summary["by_kecamatan"][0]
    assert timur["stages"] == {"pembangunan": 1, "beroperasi": 1, "usulan": 2}


def test_a_cooperative_officer_sees_only_their_cooperative(dinas: Any) -> None:
    ketua = get_user_model().objects.get(username="ketua")

    assert list(items(ketua)) == ["gunung-sari-ulu"]


def test_figures_cost_two_queries_whatever_the_number_of_rows(dinas: Any, django_assert_num_queries: Any) -> None:
    dinas = get_user_model().objects.get(pk=dinas.pk)
    oversight_summary(user=dinas)  # caches the user's regional roles
    with django_assert_num_queries(2):  # the cooperatives with their figures; the subsidy totals
        rows = oversight_items(oversight_queryset(user=dinas))
    assert len(rows) == 34
