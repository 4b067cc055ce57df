"""The hot path of ``services.journal_post`` in plain SQL (five statements per entry).

Why not the ORM: posting is the busiest write of every cooperative (each sale, deposit and
repayment), and building ORM queries cost three times the database's own work
(``bench/ledger.py`` measured it). The statements here carry no rule of their own: the
service validates the input first for good messages, and the triggers in ``db_triggers``
are the guard either way.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from django.db import connection

from koperasi.ledger.models import JournalEntry


class HeadState(NamedTuple):
    last_seq: int
    last_hash: str
    period_closed: bool
    existing_entry_id: int | None  # an entry already posted with this idempotency key


class AccountRow(NamedTuple):
    id: int
    code: str
    is_group: bool
    is_active: bool
    business_unit_id: int | None
    role: str


def head_lock(*, cooperative_id: int, month: datetime.date, key: str | None) -> HeadState | None:
    """Lock the cooperative's ledger head (the chain's order) and read what posting needs, in one query."""
    lock = " FOR UPDATE OF h" if connection.vendor == "postgresql" else ""  # SQLite: IMMEDIATE transaction
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT h.last_seq, h.last_hash,"
            " EXISTS (SELECT 1 FROM ledger_period p WHERE p.cooperative_id = h.cooperative_id"
            "         AND p.month = %s AND p.is_closed),"
            " (SELECT e.id FROM ledger_journalentry e WHERE e.cooperative_id = h.cooperative_id"
            "         AND e.idempotency_key = %s)"
            " FROM ledger_ledgerhead h WHERE h.cooperative_id = %s" + lock,
            [connection.ops.adapt_datefield_value(month), key, cooperative_id],
        )
        row = cursor.fetchone()
        if row is None:
            return None
        existing = row[3]
        if lock and key is not None and existing is None:
            # PostgreSQL computed the subqueries with the snapshot taken before waiting for the
            # lock; a concurrent post with the same key may have committed meanwhile. Look again.
            cursor.execute(
                "SELECT id FROM ledger_journalentry WHERE cooperative_id = %s AND idempotency_key = %s",
                [cooperative_id, key],
            )
            found = cursor.fetchone()
            existing = found[0] if found else None
    return HeadState(int(row[0]), row[1], bool(row[2]), existing)


def accounts_fetch(
    *, cooperative_id: int, codes: Iterable[str], ids: Iterable[int], roles: Iterable[str] = ()
) -> list[AccountRow]:
    """Return the cooperative's accounts with any of ``codes``, ``ids`` or system ``roles``."""
    codes, ids, roles = list(codes), list(ids), list(roles)
    conditions: list[str] = []
    params: list[Any] = [cooperative_id]
    if codes:
        conditions.append(f"code IN ({', '.join(['%s'] * len(codes))})")
        params.extend(codes)
    if ids:
        conditions.append(f"id IN ({', '.join(['%s'] * len(ids))})")
        params.extend(ids)
    if roles:
        conditions.append(f"role IN ({', '.join(['%s'] * len(roles))})")
        params.extend(roles)
    if not conditions:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, code, is_group, is_active, business_unit_id, role FROM ledger_account"
            f" WHERE cooperative_id = %s AND ({' OR '.join(conditions)})",
            params,
        )
        return [AccountRow(r[0], r[1], bool(r[2]), bool(r[3]), r[4], r[5]) for r in cursor.fetchall()]


def entry_insert_and_post(
    entry: JournalEntry,
    lines: Sequence[tuple[int, int, int, int | None, str, int | None]],  # account, debit, credit, unit, memo, member
) -> int:
    """Insert the unsaved ``entry`` as a draft and its lines, then post it; return the entry id.

    The posting UPDATE fires the trigger that checks the whole entry and moves the totals.
    """
    cooperative_id = entry.cooperative_id
    day = connection.ops.adapt_datefield_value(entry.date)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_journalentry (cooperative_id, seq, date, memo, source_type, source_id,"
            " idempotency_key, reverses_id, amount, is_posted, prev_hash, hash, created_by_id, created_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [
                cooperative_id, entry.seq, day, entry.memo, entry.source_type, entry.source_id,
                entry.idempotency_key, entry.reverses_id, entry.amount, False, entry.prev_hash, entry.hash,
                entry.created_by_id, connection.ops.adapt_datetimefield_value(entry.created_at),
            ],
        )  # fmt: skip
        entry_id = int(cursor.fetchone()[0])
        params: list[Any] = []
        for account_id, debit, credit, unit_id, line_memo, member_id in lines:
            params.extend([cooperative_id, entry_id, account_id, day, debit, credit, unit_id, line_memo, member_id])
        cursor.execute(
            "INSERT INTO ledger_journalline (cooperative_id, entry_id, account_id, date, debit, credit,"
            " business_unit_id, memo, member_id) VALUES "
            + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(lines)),
            params,
        )
        cursor.execute("UPDATE ledger_journalentry SET is_posted = %s WHERE id = %s", [True, entry_id])
    return entry_id
