"""Figures of the oversight selectors over the Balikpapan demo (src/koperasi/demo/balikpapan.py)."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from koperasi.cooperatives.choices import Stage
from koperasi.oversight.selectors import oversight_item, oversight_queryset, oversight_summary

pytestmark = pytest.mark.django_db

WITA = ZoneInfo("Asia/Makassar")
DEMO_SURPLUS_2026 = 6_251_327  # income 257.488.000 − expense 251.236.673 (incl. Rp36.673 sukarela interest), 2026


@pytest.fixture
def dinas(demo_loaded: None) -> Any:
    return get_user_model().objects.get(username="dinas")


def items(user: Any, **filters: Any) -> dict[str, dict[str, Any]]:
    return {coop.code: oversight_item(coop) for coop in oversight_queryset(user=user, **filters)}


def test_operating_cooperative_figures(dinas: Any) -> None:
    # Serial 17 in Balikpapan (odd): kantor, gerai sembako and the LPG base are active, no
    # savings-and-loan unit; partners Perum Bulog and PT Pertamina Patra Niaga; one gerai, built.
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
        "business_units_active": 3,
        "partners": 2,
        "facilities": 1,
        "facilities_progress_pct": 100,
        # From the demo books (demo/books.py, serial 17: scale 1.3): the same figures as
        # ledger.selectors.balance_sheet gives for 31/10/2026, read here from month totals.
        # demo/members.py: 52 aktif; savings = 19.395.000 paid in cash + 36.673 interest credited.
        "members_active": 52,
        "savings_total": 19_431_673,
        "total_assets": 245_683_000,  # the books of issue 3 plus members' savings in cash
        "surplus_ytd": DEMO_SURPLUS_2026 if timezone.localdate().year == 2026 else 0,
    }


def test_operating_cooperative_with_even_serial_also_runs_savings_and_loans(dinas: Any) -> None:
    rows = items(dinas)
    # Lamaru (serial 2) and Damai (serial 34) open simpan pinjam as well.
    for code in ("lamaru", "damai"):
        assert rows[code]["business_units_active"] == 4
        assert rows[code]["partners"] == 2
    for code in ("gunung-sari-ulu", "karang-rejo", "baru-ilir", "batu-ampar", "sepinggan"):
        assert rows[code]["business_units_active"] == 3


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


def test_figures_cost_one_query_whatever_the_number_of_rows(dinas: Any, django_assert_num_queries: Any) -> None:
    dinas = get_user_model().objects.get(pk=dinas.pk)
    oversight_summary(user=dinas)  # caches the user's regional roles
    with django_assert_num_queries(1):
        rows = [oversight_item(coop) for coop in oversight_queryset(user=dinas)]
    assert len(rows) == 34
