"""Pure date arithmetic for reading the balance tables: months and the parts of months."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    next_month = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return next_month - datetime.timedelta(days=1)


def next_month_start(day: datetime.date) -> datetime.date:
    return month_end(day) + datetime.timedelta(days=1)


@dataclass(frozen=True)
class RangeParts:
    """A date range cut into whole months (read from month totals) and loose days (day totals).

    ``months_before`` (if set) means "every month starting before this date", for ranges
    that are open at the start (balances as of a date).
    """

    months_before: datetime.date | None
    months: tuple[datetime.date, datetime.date] | None  # first and last month start, inclusive
    day_ranges: tuple[tuple[datetime.date, datetime.date], ...]


def range_parts(start: datetime.date | None, end: datetime.date) -> RangeParts:
    """Split ``[start, end]`` (``start`` None = from the beginning) so few total rows are read.

    >>> range_parts(datetime.date(2026, 1, 15), datetime.date(2026, 3, 31)).months
    (datetime.date(2026, 2, 1), datetime.date(2026, 3, 1))
    """
    day_ranges: list[tuple[datetime.date, datetime.date]] = []
    if end == month_end(end):
        full_until = month_start(end)  # last whole month (inclusive)
        tail = None
    else:
        full_until = month_start(end) - datetime.timedelta(days=1)  # end of the previous month
        full_until = month_start(full_until)
        tail = (month_start(end), end)
    if start is None:
        months_before = next_month_start(full_until)
        if tail:
            day_ranges.append(tail)
        return RangeParts(months_before=months_before, months=None, day_ranges=tuple(day_ranges))
    if start > end:
        return RangeParts(months_before=None, months=None, day_ranges=())
    if start.day == 1:
        first_full = start
    else:
        first_full = next_month_start(start)
        head_end = min(end, month_end(start))
        day_ranges.append((start, head_end))
        if head_end == end:
            return RangeParts(months_before=None, months=None, day_ranges=tuple(day_ranges))
    months = (first_full, full_until) if first_full <= full_until else None
    if tail and tail[0] >= first_full:
        day_ranges.append(tail)
    return RangeParts(months_before=None, months=months, day_ranges=tuple(day_ranges))
