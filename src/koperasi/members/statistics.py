"""Member statistics of one cooperative: counts only, no personal data (the Dinas sees this page).

- by status: every membership ever registered, by its status now;
- by gender and by age group: *current* members only (calon and aktif), age in whole
  years on ``today``, groups from ``choices.age_group`` (youth 16–30, UU 40/2009);
- joins per month: registrations by ``joined_on`` in the twelve months up to and
  including ``today``'s month, empty months shown as zero (a member who left since still
  counts in the month they joined).

Three queries whatever the number of members; the counting is done by the database.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Value, When
from django.db.models.functions import TruncMonth
from django.utils.functional import Promise

from koperasi.cooperatives.models import Cooperative
from koperasi.members.choices import CURRENT_STATUSES, AgeGroup, Gender, MemberStatus
from koperasi.members.models import Member

MONTHS = 12


@dataclass(frozen=True)
class StatRow:
    """One line of a table: a category, its count, its share of the table, and a bar width."""

    key: str
    label: str | Promise
    count: int
    percent: float  # of the table's total, one decimal
    width: int  # bar length, percent of the table's largest count
    month: datetime.date | None = None  # the first day, for the joins per month


@dataclass(frozen=True)
class AgeRow:
    """One age group split by gender (current members), with its line of ``by_age_group``."""

    group: AgeGroup
    men: int
    women: int
    stat: StatRow


@dataclass(frozen=True)
class MemberStatistics:
    today: datetime.date
    total: int  # every membership ever registered
    current: int  # calon + aktif
    by_status: list[StatRow]
    by_gender: list[StatRow]
    by_age_group: list[StatRow]
    age_gender: list[AgeRow]
    joins_by_month: list[StatRow]  # oldest month first; key is YYYY-MM

    @property
    def joins_total(self) -> int:
        return sum(row.count for row in self.joins_by_month)


def _rows(
    items: Sequence[tuple[str, str | Promise, int]], months: Sequence[datetime.date] | None = None
) -> list[StatRow]:
    total = sum(count for _, _, count in items)
    largest = max((count for _, _, count in items), default=0)
    return [
        StatRow(
            key=key,
            label=label,
            count=count,
            percent=round(100 * count / total, 1) if total else 0.0,
            width=round(100 * count / largest) if largest else 0,
            month=months[i] if months else None,
        )
        for i, (key, label, count) in enumerate(items)
    ]


def years_before(day: datetime.date, years: int) -> datetime.date:
    """Return the same day ``years`` earlier (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def _month_add(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def member_statistics(*, cooperative: Cooperative, today: datetime.date) -> MemberStatistics:
    """Return the member counts of the cooperative as of ``today`` (three queries)."""
    members = Member.objects.filter(cooperative=cooperative).order_by()

    status_counts = dict(members.values("status").annotate(n=Count("id")).values_list("status", "n"))
    by_status = _rows([(s.value, s.label, status_counts.get(s.value, 0)) for s in MemberStatus])

    # Born after the day someone turned N -> younger than N; the same groups as choices.age_group.
    group = Case(
        When(birth_date__gt=years_before(today, 16), then=Value(AgeGroup.UNDER_16.value)),
        When(birth_date__gt=years_before(today, 31), then=Value(AgeGroup.YOUTH.value)),
        When(birth_date__gt=years_before(today, 60), then=Value(AgeGroup.ADULT.value)),
        default=Value(AgeGroup.SENIOR.value),
        output_field=CharField(),
    )
    cells: dict[tuple[str, str], int] = {}
    for age, gender, n in (
        members.filter(status__in=CURRENT_STATUSES)
        .annotate(age_group=group)
        .values("age_group", "gender")
        .annotate(n=Count("id"))
        .values_list("age_group", "gender", "n")
    ):
        cells[(age, gender)] = n
    split = {g: (cells.get((g.value, Gender.L.value), 0), cells.get((g.value, Gender.P.value), 0)) for g in AgeGroup}
    by_age_group = _rows([(g.value, g.label, sum(split[g])) for g in AgeGroup])
    age_gender = [
        AgeRow(group=g, men=split[g][0], women=split[g][1], stat=stat)
        for g, stat in zip(AgeGroup, by_age_group, strict=True)
    ]
    by_gender = _rows(
        [(g.value, g.label, sum(n for (_, gender), n in cells.items() if gender == g.value)) for g in Gender]
    )

    first = _month_add(today.replace(day=1), -(MONTHS - 1))
    joins: dict[datetime.date, int] = {}
    for month, n in (
        members.filter(joined_on__gte=first, joined_on__lte=today)
        .annotate(month=TruncMonth("joined_on"))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    ):
        joins[month.date() if isinstance(month, datetime.datetime) else month] = n
    months = [_month_add(first, i) for i in range(MONTHS)]
    joins_by_month = _rows([(f"{m:%Y-%m}", "", joins.get(m, 0)) for m in months], months=months)
    return MemberStatistics(
        today=today,
        total=sum(status_counts.values()),
        current=sum(status_counts.get(s.value, 0) for s in CURRENT_STATUSES),
        by_status=by_status,
        by_gender=by_gender,
        by_age_group=by_age_group,
        age_gender=age_gender,
        joins_by_month=joins_by_month,
    )
