"""Tamper evidence: someone with database access switches the triggers off and edits the books.

``ledger_verify`` (and ``manage.py ledger_verify``) must name the first broken entry.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from koperasi.ledger import db_triggers
from koperasi.ledger.models import JournalEntry
from koperasi.ledger.verify import ledger_verify

D = datetime.date(2026, 6, 1)


class _Editor:
    """Just enough of a schema editor for ``db_triggers.install/uninstall`` inside a test transaction."""

    connection = connection

    def execute(self, sql: str, params: Any = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql)


@contextmanager
def triggers_off() -> Any:
    db_triggers.uninstall(None, _Editor())
    try:
        yield
    finally:
        db_triggers.install(None, _Editor())


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.fixture
def three(coop: Any, post: Any) -> list[JournalEntry]:
    return [
        post(coop, D, [("1-1100", 100_000, 0), ("3-1100", 0, 100_000)], memo="Pokok"),
        post(coop, D, [("5-2200", 40_000, 0), ("1-1100", 0, 40_000)], memo="Listrik"),
        post(coop, D, [("1-1100", 25_000, 0), ("4-1100", 0, 25_000)], memo="Penjualan"),
    ]


def test_intact_books_verify(coop: Any, three: Any) -> None:
    result = ledger_verify(cooperative=coop)
    assert (result.ok, result.entries_checked, result.lines_checked, result.first_broken_seq) == (True, 3, 6, None)


@pytest.mark.ledger_tampered
def test_changed_amount_is_caught(coop: Any, three: list[JournalEntry]) -> None:
    with triggers_off():
        sql("UPDATE ledger_journalline SET debit = 4000 WHERE entry_id = %s AND debit > 0", [three[1].pk])
        sql("UPDATE ledger_journalline SET credit = 4000 WHERE entry_id = %s AND credit > 0", [three[1].pk])
    result = ledger_verify(cooperative=coop)
    assert not result.ok and result.first_broken_seq == 2
    assert "JU-000002: tidak seimbang (debit 4000, kredit 4000, jumlah 40000)." in result.problems
    assert "JU-000002: isi jurnal tidak cocok dengan hash-nya (data diubah)." in result.problems
    assert any("Saldo harian" in p for p in result.problems)  # the totals no longer match the lines


@pytest.mark.ledger_tampered
def test_changed_memo_is_caught(coop: Any, three: list[JournalEntry]) -> None:
    with triggers_off():
        sql("UPDATE ledger_journalentry SET memo = 'Listrik (diubah)' WHERE id = %s", [three[1].pk])
    result = ledger_verify(cooperative=coop)
    assert result.problems == ["JU-000002: isi jurnal tidak cocok dengan hash-nya (data diubah)."]


@pytest.mark.ledger_tampered
def test_deleted_entry_breaks_the_chain(coop: Any, three: list[JournalEntry]) -> None:
    with triggers_off():
        sql("DELETE FROM ledger_journalline WHERE entry_id = %s", [three[1].pk])
        sql("DELETE FROM ledger_journalentry WHERE id = %s", [three[1].pk])
    result = ledger_verify(cooperative=coop)
    assert result.first_broken_seq == 3
    assert "JU-000003: nomor urut melompat (seharusnya JU-000002)." in result.problems
    assert "JU-000003: rantai hash terputus (hash sebelumnya tidak cocok)." in result.problems


@pytest.mark.ledger_tampered
def test_edited_balance_table_is_caught(coop: Any, three: list[JournalEntry]) -> None:
    sql("UPDATE ledger_accountdaytotal SET debit = debit + 1 WHERE cooperative_id = %s", [coop.pk])
    result = ledger_verify(cooperative=coop)
    assert result.first_broken_seq is None  # the entries are fine; the totals are not
    assert len([p for p in result.problems if p.startswith("Saldo harian")]) == 4  # kas, beban, ... per day row


@pytest.mark.ledger_tampered
def test_command_reports_the_first_broken_entry(coop: Any, other_coop: Any, three: list[JournalEntry]) -> None:
    with triggers_off():
        sql("UPDATE ledger_journalentry SET date = %s WHERE id = %s", [D + datetime.timedelta(days=1), three[0].pk])
    out = StringIO()
    with pytest.raises(CommandError, match="1 dari 2 koperasi"):
        call_command("ledger_verify", stdout=out)
    text = out.getvalue()
    assert "manggar: RUSAK" in text and "jurnal rusak pertama: JU-000001" in text
    assert "lamaru: OK" in text


def test_command_for_one_cooperative(coop: Any, three: Any) -> None:
    out = StringIO()
    call_command("ledger_verify", "--coop", "manggar", stdout=out)
    assert "[1/1] manggar: OK — 3 jurnal, 6 baris" in out.getvalue()
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("ledger_verify", "--coop", "tidak-ada", stdout=StringIO())
