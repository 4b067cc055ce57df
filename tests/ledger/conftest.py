"""Ledger fixtures: a bendahara and a helper that posts simple entries."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from koperasi.ledger.services import LineInput, journal_post


@pytest.fixture
def bendahara(coop: Any, grant: Any) -> Any:
    return grant(coop, "bendahara")


@pytest.fixture
def post(bendahara: Any) -> Any:
    """Post ``[(account_code, debit, credit), ...]`` on a date for a cooperative."""

    def post(
        cooperative: Any, day: datetime.date, rows: list[tuple[str, int, int]], memo: str = "Uji", **kw: Any
    ) -> Any:
        lines = [LineInput(account=code, debit=d, credit=c) for code, d, c in rows]
        return journal_post(cooperative=cooperative, date=day, lines=lines, memo=memo, actor=bendahara, **kw)

    return post
