"""Member statistics: exact counts by status, gender, age group and join month; who may see them."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from koperasi.core.models import RegionalRole
from koperasi.core.roles import Role
from koperasi.members.choices import age_group
from koperasi.members.identity import age_on
from koperasi.members.models import Member
from koperasi.members.statistics import member_statistics, years_before
from koperasi.regions.models import Region

D = datetime.date
TODAY = D(2026, 10, 15)

# NIK: 647104 DDMMYY SSSS (women: day + 40). Ages are on TODAY.
PEOPLE = [
    # name, NIK, joined, what happens
    ("Arif", "6471040103900001", D(2026, 1, 5), "aktif"),  # man, 1990-03-01: 36 -> dewasa
    ("Bunga", "6471045510000002", D(2026, 3, 10), "calon"),  # woman, 2000-10-15: 26 -> pemuda
    ("Candra", "6471041510960003", D(2026, 3, 20), "calon"),  # man, 30 today -> pemuda
    ("Dodi", "6471041510950004", D(2025, 11, 1), "aktif"),  # man, 31 today -> dewasa
    ("Erna", "6471045510660005", D(2025, 10, 31), "aktif"),  # woman, 60 today -> lansia
    ("Fitri", "6471045610660006", D(2026, 10, 15), "calon"),  # woman, 60 tomorrow -> dewasa
    ("Gilang", "6471041610100007", D(2026, 6, 1), "calon"),  # man, 16 tomorrow -> under 16
    ("Hadi", "6471041510100008", D(2026, 6, 20), "calon"),  # man, 16 today -> pemuda
    ("Irwan", "6471040101800009", D(2026, 1, 10), "keluar"),  # man, ended: not in gender/age
    ("Juwita", "6471044101700010", D(2026, 2, 2), "meninggal"),  # woman, ended
]


@pytest.fixture
def members(coop: Any, register_member: Any, kasir: Any) -> dict[str, Member]:
    from koperasi.savings.services import member_exit, savings_deposit

    made = {}
    for name, nik, joined, fate in PEOPLE:
        member = register_member(coop, nik=nik, name=name, joined_on=joined.isoformat())
        if fate == "aktif":
            savings_deposit(cooperative=coop, member=member, kind="pokok", amount=50_000, date=joined, actor=kasir)
        elif fate in ("keluar", "meninggal"):
            member_exit(cooperative=coop, member=member, status=fate, date=joined, reason="uji", actor=kasir)
        member.refresh_from_db()
        made[name] = member
    return made


def counts(rows: list[Any]) -> dict[str, int]:
    return {row.key: row.count for row in rows}


@pytest.mark.django_db
def test_exact_counts(coop: Any, members: dict[str, Member], django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(3):
        stats = member_statistics(cooperative=coop, today=TODAY)

    assert stats.total == 10 and stats.current == 8
    assert counts(stats.by_status) == {"calon": 5, "aktif": 3, "keluar": 1, "meninggal": 1, "diberhentikan": 0}
    assert counts(stats.by_gender) == {"L": 5, "P": 3}
    assert counts(stats.by_age_group) == {"anak": 1, "pemuda": 3, "dewasa": 3, "lansia": 1}
    assert [(row.group.value, row.men, row.women) for row in stats.age_gender] == [
        ("anak", 1, 0),
        ("pemuda", 2, 1),
        ("dewasa", 2, 1),
        ("lansia", 0, 1),
    ]
    assert [(row.key, row.count) for row in stats.joins_by_month] == [
        ("2025-11", 1),  # Dodi; Erna joined 31 October 2025, before the twelve months
        ("2025-12", 0),
        ("2026-01", 2),  # Arif, Irwan (left since: still joined then)
        ("2026-02", 1),
        ("2026-03", 2),
        ("2026-04", 0),
        ("2026-05", 0),
        ("2026-06", 2),
        ("2026-07", 0),
        ("2026-08", 0),
        ("2026-09", 0),
        ("2026-10", 1),  # Fitri, joined today
    ]
    assert stats.joins_total == 9
    assert stats.joins_by_month[0].month == D(2025, 11, 1)


@pytest.mark.django_db
def test_shares_and_bar_widths(coop: Any, members: dict[str, Member]) -> None:
    stats = member_statistics(cooperative=coop, today=TODAY)

    gender = {row.key: (row.percent, row.width) for row in stats.by_gender}
    assert gender == {"L": (62.5, 100), "P": (37.5, 60)}
    status = {row.key: (row.percent, row.width) for row in stats.by_status}
    assert status["calon"] == (50.0, 100) and status["aktif"] == (30.0, 60) and status["diberhentikan"] == (0.0, 0)


@pytest.mark.django_db
def test_sql_age_groups_agree_with_python(coop: Any, members: dict[str, Member]) -> None:
    """The database grouping gives each member the group choices.age_group gives."""
    stats = member_statistics(cooperative=coop, today=TODAY)
    expected: dict[str, int] = {}
    for member in members.values():
        if member.is_current:
            key = age_group(age_on(member.birth_date, TODAY)).value
            expected[key] = expected.get(key, 0) + 1
    assert {k: v for k, v in counts(stats.by_age_group).items() if v} == expected


@pytest.mark.django_db
def test_empty_cooperative(coop: Any) -> None:
    stats = member_statistics(cooperative=coop, today=TODAY)
    assert stats.total == 0 and stats.joins_total == 0
    assert all(row.count == 0 and row.width == 0 and row.percent == 0 for row in stats.by_status)
    assert len(stats.joins_by_month) == 12


@pytest.mark.django_db
def test_other_cooperative_not_counted(coop: Any, other_coop: Any, register_member: Any) -> None:
    register_member(other_coop)
    assert member_statistics(cooperative=coop, today=TODAY).total == 0
    assert member_statistics(cooperative=other_coop, today=TODAY).total == 1


@given(
    birth=st.dates(D(1900, 1, 1), D(2030, 12, 31)),
    day=st.dates(D(1990, 1, 1), D(2040, 12, 31)),
    years=st.sampled_from([16, 31, 60]),
)
def test_years_before_matches_age(birth: datetime.date, day: datetime.date, years: int) -> None:
    """``birth <= years_before(day, n)`` exactly when the age on ``day`` is at least n (29 Feb too)."""
    assert (birth <= years_before(day, years)) == (age_on(birth, day) >= years)


def test_years_before_leap_day() -> None:
    assert years_before(D(2028, 2, 29), 31) == D(1997, 2, 28)
    assert years_before(D(2028, 2, 29), 16) == D(2012, 2, 29)


# --- The page -----------------------------------------------------------------------------------
URL = "/k/manggar/anggota/statistik/"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def row_cells(html: str, table_id: str, key: str) -> list[str]:
    table = re.search(rf'<table[^>]*id="{table_id}"[^>]*>(.*?)</table>', html, re.S)
    assert table is not None, table_id
    row = re.search(rf'<tr data-key="{key}">(.*?)</tr>', table.group(1), re.S)
    assert row is not None, key
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in cells]


@pytest.mark.django_db
def test_page_for_dinas(members: dict[str, Member], dinas_user: Any, django_assert_max_num_queries: Any) -> None:
    client = client_for(dinas_user)
    with django_assert_max_num_queries(10):
        response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert row_cells(html, "by-status", "calon")[:3] == ["Calon anggota", "5", "50,0"]
    assert row_cells(html, "by-status", "keluar")[:2] == ["Keluar", "1"]
    assert row_cells(html, "by-gender", "P")[:2] == ["Perempuan", "3"]
    assert 'data-stat="current">8<' in html and 'data-stat="total">10<' in html
    assert 'style="width: 100%"' in html
    # No personal data: no names, no NIK.
    for name, nik, *_ in PEOPLE:
        assert name not in html and nik not in html and nik[:4] + "••" not in html


@pytest.mark.django_db
def test_page_for_ketua_has_age_table(members: dict[str, Member], ketua: Any) -> None:
    response = client_for(ketua).get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    # The page uses the real date: the ages of the people above shift, the total of current members does not.
    rows = [row_cells(html, "by-age", key) for key in ("anak", "pemuda", "dewasa", "lansia")]
    assert sum(int(row[3]) for row in rows) == 8  # the total column
    assert sum(int(row[1]) for row in rows) == 5 and sum(int(row[2]) for row in rows) == 3  # men, women


@pytest.mark.django_db
def test_outsiders_are_refused(
    coop: Any, other_coop: Any, grant: Any, make_user: Any, active_member: Any, ketua: Any
) -> None:
    from koperasi.members.services import member_portal_account_create

    # The Dinas of another kota: the cooperative is not theirs to see.
    Region.objects.create(code="64.72", name="Kota Samarinda", level="kota", parent_id="64")
    samarinda = make_user("dinas-samarinda")
    RegionalRole.objects.create(user=samarinda, role=Role.DINAS, region_id="64.72")
    assert client_for(samarinda).get(URL).status_code == 404
    # Another cooperative's officer.
    assert client_for(grant(other_coop, Role.KETUA)).get(URL).status_code == 404
    # A member on the portal: a role here, but not this page.
    budi = member_portal_account_create(
        cooperative=coop, member=active_member, username="budi", password="Rahasia-Uji-2026!", actor=ketua
    )
    assert client_for(budi).get(URL).status_code == 403
