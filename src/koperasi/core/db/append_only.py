"""Database triggers that make a table append-only on SQLite and PostgreSQL.

Used from migrations: ``migrations.RunPython(append_only("core_auditevent"), drop(...))``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION koperasi_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def _statements(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            _PG_FUNCTION,
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION koperasi_refuse_change();",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END;",
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
            f"BEGIN SELECT RAISE(ABORT, 'table {table} is append-only'); END;",
        ]
    raise NotImplementedError(f"append-only triggers not written for {vendor}")


def _drop_statements(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};"]
    return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]


def append_only(table: str) -> Callable[[Any, Any], None]:
    def forward(apps: Any, schema_editor: Any) -> None:
        for sql in _statements(table, schema_editor.connection.vendor):
            schema_editor.execute(sql, None)

    return forward


def drop_append_only(table: str) -> Callable[[Any, Any], None]:
    def backward(apps: Any, schema_editor: Any) -> None:
        for sql in _drop_statements(table, schema_editor.connection.vendor):
            schema_editor.execute(sql, None)

    return backward
