"""The reads-under-lock of every deposit and withdrawal, as two raw queries.

Why raw: a deposit is the teller's most frequent write, and building the same reads with
the ORM (member lock, idempotency lookup, setting in force, account lock) cost more than
the database's own work (``bench/savings.py`` measured it). ``Model.objects.raw`` still
returns model instances, so the service code stays ordinary Django.

Lock order (see ``services``): the member row, then the account row, then the ledger head.
"""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

from django.db import connection

from koperasi.members.models import Member
from koperasi.savings.models import SavingsAccount, SavingsTransaction


def _for_update(alias: str = "") -> str:
    # SQLite has no row locks: its transactions are IMMEDIATE, so one writer at a time.
    if connection.vendor != "postgresql":
        return ""
    return f" FOR UPDATE OF {alias}" if alias else " FOR UPDATE"


class LockedMember(NamedTuple):
    member: Member
    existing_txn_id: int | None  # a transaction already recorded with the idempotency key
    setting_pokok: int | None  # the setting in force (None: the cooperative has none yet)
    setting_limit: int | None
    interest_month: datetime.date | None  # the latest month whose sukarela interest was paid


def member_lock(*, cooperative_id: int, member_id: int, key: str | None, day: datetime.date) -> LockedMember | None:
    """Lock the member row; return it with the transaction already recorded with ``key`` and the setting."""
    day_param = connection.ops.adapt_datefield_value(day)
    setting = (
        "(SELECT {col} FROM savings_savingssetting s WHERE s.cooperative_id = m.cooperative_id"
        " AND s.effective_from <= %s ORDER BY s.effective_from DESC LIMIT 1)"
    )
    rows = list(
        Member.objects.raw(
            "SELECT m.*,"
            " (SELECT t.id FROM savings_savingstransaction t WHERE t.cooperative_id = m.cooperative_id"
            "  AND t.idempotency_key = %s) AS existing_txn_id,"
            f" {setting.format(col='pokok_amount')} AS setting_pokok,"
            f" {setting.format(col='transaction_limit')} AS setting_limit,"
            " (SELECT max(r.month) FROM savings_interestrun r WHERE r.cooperative_id = m.cooperative_id)"
            " AS interest_month"
            " FROM members_member m WHERE m.id = %s AND m.cooperative_id = %s" + _for_update("m"),
            [key, day_param, day_param, member_id, cooperative_id],
        )
    )
    if not rows:
        return None
    member = rows[0]
    existing = getattr(member, "existing_txn_id", None)
    if key is not None and existing is None and connection.vendor == "postgresql":
        # PostgreSQL evaluated the subquery with the snapshot taken before waiting for the
        # lock; a concurrent submit with the same key may have committed meanwhile. Look again.
        existing = (
            SavingsTransaction.objects.filter(cooperative_id=cooperative_id, idempotency_key=key)
            .values_list("pk", flat=True)
            .first()
        )
    interest_month = getattr(member, "interest_month", None)
    if isinstance(interest_month, str):  # SQLite returns max() of a date column as text
        interest_month = datetime.date.fromisoformat(interest_month)
    return LockedMember(
        member,
        existing,
        getattr(member, "setting_pokok", None),
        getattr(member, "setting_limit", None),
        interest_month,
    )


def account_lock(*, cooperative_id: int, member_id: int, kind: str) -> SavingsAccount | None:
    """Lock and return the member's account of ``kind``, or None if it was never opened."""
    rows = list(
        SavingsAccount.objects.raw(
            "SELECT * FROM savings_savingsaccount WHERE cooperative_id = %s AND member_id = %s AND kind = %s"
            + _for_update(),
            [cooperative_id, member_id, kind],
        )
    )
    return rows[0] if rows else None


def existing_transaction(txn_id: Any) -> SavingsTransaction:
    return SavingsTransaction.objects.select_related("journal_entry").get(pk=txn_id)
