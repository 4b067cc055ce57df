"""The Dinas view of the year-end close and the RAT: last closed year, SHU decision, RAT deadline.

Four cooperatives of Balikpapan Timur:

- Manggar: ``tests/shu/conftest.py``'s 2025 books, closed, SHU approved by the RAT of
  20/01/2026 (``distributed``);
- Lamaru: a grant posted in March 2025, every month of 2025 closed and the year closed, no
  RAT recorded;
- Teritip: a proposal, no books;
- Manggar Baru: books from January 2026 (no RAT was due for 2025).
"""

from __future__ import annotations

import datetime
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from koperasi.ledger.services import ByRole, LineInput, journal_post
from koperasi.oversight.exports import COOPERATIVE_HEADERS
from koperasi.oversight.selectors import RatDeadline, RatStatus, oversight_items, oversight_queryset, rat_deadline
from koperasi.shu.services import fiscal_year_close
from tests.shu.conftest import CLOSE_TODAY, RAT_DATE, YEAR, close_months

pytestmark = pytest.mark.django_db

D = datetime.date
TODAY = D(2026, 11, 24)
DEADLINE_2025 = D(2026, 6, 30)


@pytest.mark.parametrize(
    ("books_from", "last_year", "day", "expected"),
    [
        (None, None, TODAY, RatDeadline()),  # no books: no RAT owed
        (D(2026, 1, 10), None, TODAY, RatDeadline()),  # books start this year: nothing ended yet
        (D(2025, 3, 1), 2025, TODAY, RatDeadline(2025, DEADLINE_2025, RatStatus.APPROVED)),
        (D(2025, 3, 1), None, TODAY, RatDeadline(2025, DEADLINE_2025, RatStatus.LATE)),
        (D(2025, 3, 1), None, DEADLINE_2025, RatDeadline(2025, DEADLINE_2025, RatStatus.WAITING)),  # last day
        (D(2025, 3, 1), None, D(2026, 7, 1), RatDeadline(2025, DEADLINE_2025, RatStatus.LATE)),
        (D(2024, 3, 1), 2024, TODAY, RatDeadline(2025, DEADLINE_2025, RatStatus.LATE)),  # 2024's RAT is not 2025's
        (D(2024, 3, 1), 2025, D(2027, 2, 1), RatDeadline(2026, D(2027, 6, 30), RatStatus.WAITING)),
    ],
)
def test_rat_deadline(
    books_from: datetime.date | None, last_year: int | None, day: datetime.date, expected: RatDeadline
) -> None:
    assert rat_deadline(books_from=books_from, last_distributed_year=last_year, day=day) == expected


@pytest.fixture
def four(distributed: Any, other_coop: Any, register_coop: Any, grant: Any, admin_user: Any) -> dict[str, Any]:
    lamaru_bendahara = grant(other_coop, "bendahara")
    journal_post(
        cooperative=other_coop,
        date=D(2025, 3, 1),
        lines=[
            LineInput(account=ByRole("cash"), debit=1_000_000),
            LineInput(account=ByRole("grants"), credit=1_000_000),
        ],
        memo="Hibah pendirian",
        actor=lamaru_bendahara,
    )
    close_months(other_coop, YEAR, lamaru_bendahara)
    fiscal_year_close(cooperative=other_coop, year=YEAR, actor=lamaru_bendahara, today=CLOSE_TODAY)
    register_coop("teritip", "64.71.01.1003")
    manggar_baru = register_coop("manggar-baru", "64.71.01.1004")
    journal_post(
        cooperative=manggar_baru,
        date=D(2026, 1, 10),
        lines=[LineInput(account=ByRole("cash"), debit=500_000), LineInput(account=ByRole("grants"), credit=500_000)],
        memo="Hibah",
        actor=admin_user,
    )
    return {"manggar": distributed.cooperative, "lamaru": other_coop}


def shu_fields(row: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(
        row[k]
        for k in (
            "fiscal_year_last_closed",
            "shu_rat_date",
            "rat_year",
            "rat_deadline",
            "rat_status",
            "rat_status_label",
        )
    )


def test_each_cooperatives_close_and_rat(four: dict[str, Any], dinas_user: Any) -> None:
    rows = {row["code"]: row for row in oversight_items(oversight_queryset(user=dinas_user), day=TODAY)}

    assert {code: shu_fields(row) for code, row in rows.items()} == {
        "manggar": (2025, RAT_DATE, 2025, DEADLINE_2025, "disahkan", "Disahkan RAT"),
        "lamaru": (2025, None, 2025, DEADLINE_2025, "terlambat", "Terlambat"),
        "teritip": (None, None, None, None, None, ""),
        "manggar-baru": (None, None, None, None, None, ""),
    }
    # Before the six months were over, Lamaru was only waiting for its RAT.
    may = {row["code"]: row for row in oversight_items(oversight_queryset(user=dinas_user), day=D(2026, 5, 2))}
    assert shu_fields(may["lamaru"])[2:5] == (2025, DEADLINE_2025, "menunggu")


def test_the_figures_add_no_query(four: dict[str, Any], dinas_user: Any, django_assert_num_queries: Any) -> None:
    oversight_queryset(user=dinas_user).count()  # caches the user's regional roles
    with django_assert_num_queries(2):  # the cooperatives with their figures; the subsidy totals
        rows = oversight_items(oversight_queryset(user=dinas_user), day=TODAY)
    assert len(rows) == 4


def test_a_reopened_year_is_not_the_last_closed(
    four: dict[str, Any], dinas_user: Any, make_user: Any, grant: Any
) -> None:
    from koperasi.shu.services import fiscal_year_reopen_approve, fiscal_year_reopen_request

    lamaru = four["lamaru"]
    ketua, pengawas = grant(lamaru, "ketua"), grant(lamaru, "pengawas")
    request = fiscal_year_reopen_request(cooperative=lamaru, year=YEAR, reason="Koreksi hibah", actor=ketua)
    fiscal_year_reopen_approve(cooperative=lamaru, request=request, actor=pengawas)

    row = next(r for r in oversight_items(oversight_queryset(user=dinas_user), day=TODAY) if r["code"] == "lamaru")
    assert shu_fields(row) == (None, None, 2025, DEADLINE_2025, "terlambat", "Terlambat")


def sandbox_year() -> bool:
    """The pages judge the deadline on today: the statuses below hold in 2026 after 30 June."""
    return timezone.localdate() > DEADLINE_2025 and timezone.localdate().year == 2026


def test_list_page_shows_the_close_and_the_rat(four: dict[str, Any], dinas_user: Any) -> None:
    client = Client()
    client.force_login(dinas_user)
    html = client.get("/pembinaan/").content.decode()

    def cell(code: str, field: str) -> str:
        import re

        row = re.search(rf'<tr data-coop="{code}">(.*?)</tr>', html, re.S)
        assert row is not None
        found = re.search(rf'<td data-field="{field}">(.*?)</td>', row.group(1), re.S)
        assert found is not None
        return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())

    assert cell("manggar", "tutup-buku") == "2025 SHU dibagi, RAT 20/01/2026"
    assert cell("lamaru", "tutup-buku") == "2025 SHU belum disahkan"
    assert cell("teritip", "tutup-buku") == "—"
    assert cell("manggar", "rat") == "2025: Disahkan RAT batas 30/06/2026"
    assert cell("teritip", "rat") == cell("manggar-baru", "rat") == "—"
    if sandbox_year():
        assert cell("lamaru", "rat") == "2025: Terlambat batas 30/06/2026"
        assert 'data-rat="terlambat"' in html


def test_api_gives_the_close_and_the_rat(four: dict[str, Any], dinas_user: Any, api_as: Any) -> None:
    items = {i["code"]: i for i in api_as(dinas_user).get("/oversight/coops", kota="64.71").json()["items"]}

    manggar = items["manggar"]
    assert (manggar["fiscal_year_last_closed"], manggar["shu_rat_date"], manggar["rat_status"]) == (
        2025,
        "2026-01-20",
        "disahkan",
    )
    assert (items["lamaru"]["fiscal_year_last_closed"], items["lamaru"]["shu_rat_date"]) == (2025, None)
    assert (items["teritip"]["fiscal_year_last_closed"], items["teritip"]["rat_status"]) == (None, None)
    if sandbox_year():
        assert (items["lamaru"]["rat_year"], items["lamaru"]["rat_deadline"], items["lamaru"]["rat_status"]) == (
            2025,
            "2026-06-30",
            "terlambat",
        )


def test_excel_has_the_close_and_the_rat(four: dict[str, Any], dinas_user: Any) -> None:
    client = Client()
    client.force_login(dinas_user)
    workbook = load_workbook(BytesIO(client.get("/pembinaan/koperasi.xlsx").content))
    rows = list(workbook["Koperasi"].iter_rows(values_only=True))

    assert rows[0][-5:] == (
        "Tahun buku terakhir ditutup",
        "RAT pengesahan SHU tahun itu",
        "Tahun buku wajib RAT",
        "Batas RAT",
        "Status RAT",
    )
    assert rows[0] == COOPERATIVE_HEADERS
    by_code = {row[0]: row for row in rows[1:]}
    assert by_code["manggar"][-5:] == (
        2025,
        datetime.datetime(2026, 1, 20),
        2025,
        datetime.datetime(2026, 6, 30),
        "Disahkan RAT",
    )
    assert by_code["teritip"][-5:] == (None, None, None, None, None)
    if sandbox_year():
        assert by_code["lamaru"][-5:] == (2025, None, 2025, datetime.datetime(2026, 6, 30), "Terlambat")
