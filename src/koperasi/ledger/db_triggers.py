"""Database triggers that make the ledger's invariants hold whoever writes (DESIGN.md rule 4).

Installed by migration 0002 on SQLite and PostgreSQL; the invariants are listed in
``models.py``. Each trigger's message starts with ``ledger:`` so a test (and a person
reading a log) can tell which rule refused a write.
"""

from __future__ import annotations

from typing import Any

E = "ledger_journalentry"
L = "ledger_journalline"
A = "ledger_account"
H = "ledger_ledgerhead"
P = "ledger_period"
U = "cooperatives_businessunit"
M = "members_member"
DT = "ledger_accountdaytotal"
MT = "ledger_accountmonthtotal"

# --- PostgreSQL -----------------------------------------------------------------------------
_PG = [
    f"""
CREATE OR REPLACE FUNCTION ledger_refuse(msg text) RETURNS void AS $$
BEGIN
    RAISE EXCEPTION '%', msg USING ERRCODE = 'integrity_constraint_violation';
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_period_closed(coop bigint, d date) RETURNS boolean AS $$
    SELECT EXISTS (SELECT 1 FROM {P} WHERE cooperative_id = coop
                   AND month = date_trunc('month', d)::date AND is_closed);
$$ LANGUAGE sql STABLE;

CREATE OR REPLACE FUNCTION ledger_line_before_insert() RETURNS trigger AS $$
DECLARE e record; a record;
BEGIN
    SELECT cooperative_id, is_posted, date INTO e FROM {E} WHERE id = NEW.entry_id;
    IF e.is_posted THEN PERFORM ledger_refuse('ledger: lines cannot be added to a posted entry'); END IF;
    IF e.cooperative_id <> NEW.cooperative_id THEN
        PERFORM ledger_refuse('ledger: line and entry belong to different cooperatives'); END IF;
    IF e.date <> NEW.date THEN PERFORM ledger_refuse('ledger: line date differs from entry date'); END IF;
    SELECT cooperative_id, is_group INTO a FROM {A} WHERE id = NEW.account_id;
    IF a.cooperative_id <> NEW.cooperative_id THEN
        PERFORM ledger_refuse('ledger: account belongs to another cooperative'); END IF;
    IF a.is_group THEN PERFORM ledger_refuse('ledger: a group account cannot be posted to'); END IF;
    IF NEW.business_unit_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM {U} WHERE id = NEW.business_unit_id AND cooperative_id = NEW.cooperative_id) THEN
        PERFORM ledger_refuse('ledger: business unit belongs to another cooperative'); END IF;
    IF NEW.member_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM {M} WHERE id = NEW.member_id AND cooperative_id = NEW.cooperative_id) THEN
        PERFORM ledger_refuse('ledger: member belongs to another cooperative'); END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_line_before_update() RETURNS trigger AS $$
BEGIN
    PERFORM ledger_refuse('ledger: journal lines cannot be changed');
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_line_before_delete() RETURNS trigger AS $$
BEGIN
    IF (SELECT is_posted FROM {E} WHERE id = OLD.entry_id) THEN
        PERFORM ledger_refuse('ledger: lines of a posted entry cannot be deleted'); END IF;
    RETURN OLD;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_entry_before_insert() RETURNS trigger AS $$
BEGIN
    IF NEW.is_posted THEN PERFORM ledger_refuse('ledger: an entry is inserted as a draft, then posted'); END IF;
    IF ledger_period_closed(NEW.cooperative_id, NEW.date) THEN
        PERFORM ledger_refuse('ledger: the period is closed'); END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_entry_before_update() RETURNS trigger AS $$
DECLARE n bigint; d bigint; c bigint; h record;
BEGIN
    IF OLD.is_posted THEN PERFORM ledger_refuse('ledger: a posted entry cannot be changed'); END IF;
    IF NEW.is_posted THEN
        IF ledger_period_closed(NEW.cooperative_id, NEW.date) THEN
            PERFORM ledger_refuse('ledger: the period is closed'); END IF;
        SELECT count(*), coalesce(sum(debit), 0), coalesce(sum(credit), 0) INTO n, d, c
            FROM {L} WHERE entry_id = NEW.id;
        IF n < 2 THEN PERFORM ledger_refuse('ledger: an entry needs at least two lines'); END IF;
        IF d <> c OR d <> NEW.amount THEN
            PERFORM ledger_refuse('ledger: debits and credits of the entry differ'); END IF;
        SELECT last_seq, last_hash INTO h FROM {H} WHERE cooperative_id = NEW.cooperative_id FOR UPDATE;
        IF h.last_seq IS NULL OR NEW.seq <> h.last_seq + 1 OR NEW.prev_hash <> h.last_hash THEN
            PERFORM ledger_refuse('ledger: the entry does not continue the hash chain'); END IF;
        IF length(NEW.hash) <> 64 THEN PERFORM ledger_refuse('ledger: the entry has no hash'); END IF;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_entry_after_post() RETURNS trigger AS $$
BEGIN
    UPDATE {H} SET last_seq = NEW.seq, last_hash = NEW.hash WHERE cooperative_id = NEW.cooperative_id;
    INSERT INTO {DT} AS t (cooperative_id, account_id, unit_id, date, debit, credit)
        SELECT NEW.cooperative_id, account_id, coalesce(business_unit_id, 0), NEW.date, sum(debit), sum(credit)
        FROM {L} WHERE entry_id = NEW.id GROUP BY account_id, coalesce(business_unit_id, 0)
        ON CONFLICT (cooperative_id, account_id, unit_id, date)
        DO UPDATE SET debit = t.debit + EXCLUDED.debit, credit = t.credit + EXCLUDED.credit;
    INSERT INTO {MT} AS t (cooperative_id, account_id, unit_id, month, debit, credit)
        SELECT NEW.cooperative_id, account_id, coalesce(business_unit_id, 0), date_trunc('month', NEW.date)::date,
               sum(debit), sum(credit)
        FROM {L} WHERE entry_id = NEW.id GROUP BY account_id, coalesce(business_unit_id, 0)
        ON CONFLICT (cooperative_id, account_id, unit_id, month)
        DO UPDATE SET debit = t.debit + EXCLUDED.debit, credit = t.credit + EXCLUDED.credit;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_entry_before_delete() RETURNS trigger AS $$
BEGIN
    IF OLD.is_posted THEN PERFORM ledger_refuse('ledger: a posted entry cannot be deleted'); END IF;
    RETURN OLD;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_account_before_delete() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM {L} WHERE account_id = OLD.id) THEN
        PERFORM ledger_refuse('ledger: an account with postings cannot be deleted'); END IF;
    RETURN OLD;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION ledger_account_before_update() RETURNS trigger AS $$
BEGIN
    IF NEW.cooperative_id <> OLD.cooperative_id THEN
        PERFORM ledger_refuse('ledger: an account cannot move to another cooperative'); END IF;
    IF (NEW.type <> OLD.type OR NEW.normal_side <> OLD.normal_side OR (NEW.is_group AND NOT OLD.is_group))
       AND EXISTS (SELECT 1 FROM {L} WHERE account_id = OLD.id) THEN
        PERFORM ledger_refuse('ledger: an account with postings cannot change type, side or become a group');
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
""",
    f"CREATE TRIGGER ledger_line_bi BEFORE INSERT ON {L} FOR EACH ROW EXECUTE FUNCTION ledger_line_before_insert();",
    f"CREATE TRIGGER ledger_line_bu BEFORE UPDATE ON {L} FOR EACH ROW EXECUTE FUNCTION ledger_line_before_update();",
    f"CREATE TRIGGER ledger_line_bd BEFORE DELETE ON {L} FOR EACH ROW EXECUTE FUNCTION ledger_line_before_delete();",
    f"CREATE TRIGGER ledger_entry_bi BEFORE INSERT ON {E} FOR EACH ROW EXECUTE FUNCTION ledger_entry_before_insert();",
    f"CREATE TRIGGER ledger_entry_bu BEFORE UPDATE ON {E} FOR EACH ROW EXECUTE FUNCTION ledger_entry_before_update();",
    f"CREATE TRIGGER ledger_entry_ap AFTER UPDATE ON {E} FOR EACH ROW "
    f"WHEN (NEW.is_posted AND NOT OLD.is_posted) EXECUTE FUNCTION ledger_entry_after_post();",
    f"CREATE TRIGGER ledger_entry_bd BEFORE DELETE ON {E} FOR EACH ROW EXECUTE FUNCTION ledger_entry_before_delete();",
    f"CREATE TRIGGER ledger_account_bu BEFORE UPDATE ON {A} FOR EACH ROW "
    f"EXECUTE FUNCTION ledger_account_before_update();",
    f"CREATE TRIGGER ledger_account_bd BEFORE DELETE ON {A} FOR EACH ROW "
    f"EXECUTE FUNCTION ledger_account_before_delete();",
]

_PG_DROP = [
    f"DROP TRIGGER IF EXISTS ledger_line_bi ON {L};",
    f"DROP TRIGGER IF EXISTS ledger_line_bu ON {L};",
    f"DROP TRIGGER IF EXISTS ledger_line_bd ON {L};",
    f"DROP TRIGGER IF EXISTS ledger_entry_bi ON {E};",
    f"DROP TRIGGER IF EXISTS ledger_entry_bu ON {E};",
    f"DROP TRIGGER IF EXISTS ledger_entry_ap ON {E};",
    f"DROP TRIGGER IF EXISTS ledger_entry_bd ON {E};",
    f"DROP TRIGGER IF EXISTS ledger_account_bu ON {A};",
    f"DROP TRIGGER IF EXISTS ledger_account_bd ON {A};",
]


# --- SQLite ---------------------------------------------------------------------------------
def _sqlite_closed(coop: str, date: str) -> str:
    return (
        f"EXISTS (SELECT 1 FROM {P} WHERE cooperative_id = {coop} "
        f"AND month = date({date}, 'start of month') AND is_closed)"
    )


def _refuse(message: str, condition: str) -> str:
    return f"SELECT RAISE(ABORT, '{message}') WHERE {condition};"


_POSTED_OLD = f"(SELECT is_posted FROM {E} WHERE id = OLD.entry_id)"
_TYPE_CHANGED = (
    "(NEW.type IS NOT OLD.type OR NEW.normal_side IS NOT OLD.normal_side OR (NEW.is_group AND NOT OLD.is_group))"
)

_SQLITE = [
    f"""CREATE TRIGGER ledger_line_bi BEFORE INSERT ON {L} BEGIN
    {_refuse("ledger: lines cannot be added to a posted entry", f"(SELECT is_posted FROM {E} WHERE id = NEW.entry_id)")}
    {
        _refuse(
            "ledger: line and entry belong to different cooperatives",
            f"(SELECT cooperative_id FROM {E} WHERE id = NEW.entry_id) IS NOT NEW.cooperative_id",
        )
    }
    {
        _refuse(
            "ledger: line date differs from entry date",
            f"(SELECT date FROM {E} WHERE id = NEW.entry_id) IS NOT NEW.date",
        )
    }
    {
        _refuse(
            "ledger: account belongs to another cooperative",
            f"(SELECT cooperative_id FROM {A} WHERE id = NEW.account_id) IS NOT NEW.cooperative_id",
        )
    }
    {_refuse("ledger: a group account cannot be posted to", f"(SELECT is_group FROM {A} WHERE id = NEW.account_id)")}
    {
        _refuse(
            "ledger: business unit belongs to another cooperative",
            f"NEW.business_unit_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {U} "
            f"WHERE id = NEW.business_unit_id AND cooperative_id = NEW.cooperative_id)",
        )
    }
    {
        _refuse(
            "ledger: member belongs to another cooperative",
            f"NEW.member_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {M} "
            f"WHERE id = NEW.member_id AND cooperative_id = NEW.cooperative_id)",
        )
    }
    END;""",
    f"""CREATE TRIGGER ledger_line_bu BEFORE UPDATE ON {L} BEGIN
    SELECT RAISE(ABORT, 'ledger: journal lines cannot be changed');
    END;""",
    f"""CREATE TRIGGER ledger_line_bd BEFORE DELETE ON {L} BEGIN
    {_refuse("ledger: lines of a posted entry cannot be deleted", _POSTED_OLD)}
    END;""",
    f"""CREATE TRIGGER ledger_entry_bi BEFORE INSERT ON {E} BEGIN
    {_refuse("ledger: an entry is inserted as a draft, then posted", "NEW.is_posted")}
    {_refuse("ledger: the period is closed", _sqlite_closed("NEW.cooperative_id", "NEW.date"))}
    END;""",
    f"""CREATE TRIGGER ledger_entry_bu_posted BEFORE UPDATE ON {E} WHEN OLD.is_posted BEGIN
    SELECT RAISE(ABORT, 'ledger: a posted entry cannot be changed');
    END;""",
    f"""CREATE TRIGGER ledger_entry_bu_post BEFORE UPDATE ON {E} WHEN NEW.is_posted AND NOT OLD.is_posted BEGIN
    {_refuse("ledger: the period is closed", _sqlite_closed("NEW.cooperative_id", "NEW.date"))}
    {_refuse("ledger: an entry needs at least two lines", f"(SELECT count(*) FROM {L} WHERE entry_id = NEW.id) < 2")}
    {
        _refuse(
            "ledger: debits and credits of the entry differ",
            f"(SELECT coalesce(sum(debit), 0) FROM {L} WHERE entry_id = NEW.id) "
            f"IS NOT (SELECT coalesce(sum(credit), 0) FROM {L} WHERE entry_id = NEW.id) "
            f"OR (SELECT coalesce(sum(debit), 0) FROM {L} WHERE entry_id = NEW.id) IS NOT NEW.amount",
        )
    }
    {
        _refuse(
            "ledger: the entry does not continue the hash chain",
            f"NOT EXISTS (SELECT 1 FROM {H} WHERE cooperative_id = NEW.cooperative_id "
            f"AND last_seq + 1 = NEW.seq AND last_hash = NEW.prev_hash)",
        )
    }
    {_refuse("ledger: the entry has no hash", "length(NEW.hash) <> 64")}
    END;""",
    f"""CREATE TRIGGER ledger_entry_ap AFTER UPDATE ON {E} WHEN NEW.is_posted AND NOT OLD.is_posted BEGIN
    UPDATE {H} SET last_seq = NEW.seq, last_hash = NEW.hash WHERE cooperative_id = NEW.cooperative_id;
    INSERT INTO {DT} (cooperative_id, account_id, unit_id, date, debit, credit)
        SELECT NEW.cooperative_id, account_id, coalesce(business_unit_id, 0), NEW.date, sum(debit), sum(credit)
        FROM {L} WHERE entry_id = NEW.id GROUP BY account_id, coalesce(business_unit_id, 0)
        ON CONFLICT (cooperative_id, account_id, unit_id, date)
        DO UPDATE SET debit = {DT}.debit + excluded.debit, credit = {DT}.credit + excluded.credit;
    INSERT INTO {MT} (cooperative_id, account_id, unit_id, month, debit, credit)
        SELECT NEW.cooperative_id, account_id, coalesce(business_unit_id, 0), date(NEW.date, 'start of month'),
               sum(debit), sum(credit)
        FROM {L} WHERE entry_id = NEW.id GROUP BY account_id, coalesce(business_unit_id, 0)
        ON CONFLICT (cooperative_id, account_id, unit_id, month)
        DO UPDATE SET debit = {MT}.debit + excluded.debit, credit = {MT}.credit + excluded.credit;
    END;""",
    f"""CREATE TRIGGER ledger_entry_bd BEFORE DELETE ON {E} BEGIN
    {_refuse("ledger: a posted entry cannot be deleted", "OLD.is_posted")}
    END;""",
    f"""CREATE TRIGGER ledger_account_bu BEFORE UPDATE ON {A} BEGIN
    {_refuse("ledger: an account cannot move to another cooperative", "NEW.cooperative_id IS NOT OLD.cooperative_id")}
    {
        _refuse(
            "ledger: an account with postings cannot change type, side or become a group",
            f"{_TYPE_CHANGED} AND EXISTS (SELECT 1 FROM {L} WHERE account_id = OLD.id)",
        )
    }
    END;""",
]

_HAS_LINES_OLD = f"EXISTS (SELECT 1 FROM {L} WHERE account_id = OLD.id)"
_SQLITE.append(
    f"""CREATE TRIGGER ledger_account_bd BEFORE DELETE ON {A} BEGIN
    {_refuse("ledger: an account with postings cannot be deleted", _HAS_LINES_OLD)}
    END;"""
)

_SQLITE_TRIGGERS = [
    "ledger_line_bi",
    "ledger_line_bu",
    "ledger_line_bd",
    "ledger_entry_bi",
    "ledger_entry_bu_posted",
    "ledger_entry_bu_post",
    "ledger_entry_ap",
    "ledger_entry_bd",
    "ledger_account_bu",
    "ledger_account_bd",
]


def install(apps: Any, schema_editor: Any) -> None:
    """Create (or re-create) the ledger triggers for the connection's database."""
    uninstall(apps, schema_editor)
    vendor = schema_editor.connection.vendor
    statements = _PG if vendor == "postgresql" else _SQLITE if vendor == "sqlite" else None
    if statements is None:
        raise NotImplementedError(f"ledger triggers not written for {vendor}")
    for sql in statements:
        schema_editor.execute(sql, None)


def uninstall(apps: Any, schema_editor: Any) -> None:
    """Drop the ledger triggers."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _PG_DROP
    else:
        statements = [f"DROP TRIGGER IF EXISTS {name};" for name in _SQLITE_TRIGGERS]
    for sql in statements:
        schema_editor.execute(sql, None)
