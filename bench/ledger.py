"""Ledger benchmarks (not tests): each figure is printed beside a baseline measured in the same run.

``make bench`` runs this file after the oversight benchmark (``bench/run.py``); it can also be
run alone: ``.venv/bin/python bench/ledger.py``. It never touches ``var/`` or the ``koperasi``
PostgreSQL database: each database gets its own process (Django settings are per process),
selected by ``KOPERASI_VAR_DIR`` / ``DATABASE_URL``:

- SQLite: a fresh file in a temporary directory, deleted afterwards.
- PostgreSQL: the database ``koperasi_bench`` on the server of ``BENCH_POSTGRES_URL`` (else of
  ``DATABASE_URL`` when it is a PostgreSQL URL, else ``postgres://postgres@127.0.0.1:5432``),
  dropped and re-created at the start and dropped at the end (``BENCH_KEEP_DB=1`` keeps it).
  An unreachable server prints "PostgreSQL skipped" and the SQLite figures still come.

ledger_post: ``journal_post`` for 3-line entries (Dr Kas 100.000 / Cr Penjualan anggota 80.000
/ Cr Penjualan bukan anggota 20.000), one entry per transaction, against the floor: the same
rows written by plain SQL (psycopg / sqlite3) in the same transaction shape, BEGIN; INSERT the
entry as a draft; INSERT its 3 lines; UPDATE it to posted; COMMIT. The ledger triggers run for
both; the baseline computes the same hash chain (``hashing.entry_hash``) for a cooperative of
its own. The two sides run alternately in chunks so drift (checkpoints, autovacuum) hits both.
Target: service >= 50 % of the baseline's entries/s.

ledger_trial_balance: ``selectors.trial_balance`` (reads the month and day totals) for a
cooperative with a small and a large number of lines, against the naive trial balance summed
straight from the lines. Target: under 50 ms at both sizes, not growing with the lines. The
lines are bulk loaded (not through ``journal_post``): 3-line entries spread over the 12 months
of 2025 and the 52 leaf accounts of the template chart, with a valid hash chain; the ledger
triggers are switched off for the load and the totals tables and the head are then filled by
one INSERT ... SELECT each (the output says how), then the selector's figures are checked
against the naive ones.

Environment: ``BENCH_POST_ENTRIES`` (2000), ``BENCH_TB_RUNS`` (20), ``BENCH_TB_SMALL`` (10000),
``BENCH_TB_LARGE_PG`` (1000000), ``BENCH_TB_LARGE_SQLITE`` (200000).
"""

from __future__ import annotations

import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
BENCH_DB = "koperasi_bench"
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"

POST_ENTRIES = int(os.environ.get("BENCH_POST_ENTRIES", "2000"))
POST_CHUNK = 250  # entries per alternating round
POST_WARMUP = 20
TB_RUNS = int(os.environ.get("BENCH_TB_RUNS", "20"))
TB_SIZES = {
    "postgresql": (int(os.environ.get("BENCH_TB_SMALL", "10000")), int(os.environ.get("BENCH_TB_LARGE_PG", "1000000"))),
    "sqlite": (int(os.environ.get("BENCH_TB_SMALL", "10000")), int(os.environ.get("BENCH_TB_LARGE_SQLITE", "200000"))),
}
YEAR_START = datetime.date(2025, 1, 1)
AS_OF = datetime.date(2025, 12, 15)  # mid-month: Jan-Nov from month totals, 1-15 Dec from day totals
KELURAHAN = {
    "service": "64.71.01.1001",
    "baseline": "64.71.01.1002",
    "small": "64.71.01.1003",
    "large": "64.71.01.1004",
}
POST_LINES = (("1-1100", 100_000, 0), ("4-1100", 0, 80_000), ("4-2100", 0, 20_000))

E_COLUMNS = (
    "cooperative_id, seq, date, memo, source_type, source_id, idempotency_key, reverses_id, amount, "
    "is_posted, prev_hash, hash, created_by_id, created_at"
)
L_COLUMNS = "cooperative_id, entry_id, account_id, date, debit, credit, business_unit_id, memo"


# --- Parent: one child process per database ---------------------------------------------------
def postgres_url(database: str = BENCH_DB) -> str:
    """Return the URL of a bench database: the configured server, database ``database`` (``koperasi_bench``)."""
    server = os.environ.get("BENCH_POSTGRES_URL") or ""
    if not server and os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        server = os.environ["DATABASE_URL"]
    parts = urlsplit(server or DEFAULT_SERVER)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


def password_free(url: str) -> str:
    """Return ``url`` with only the host and port in its network location, to print."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(netloc=f"{parts.hostname or ''}:{parts.port or 5432}"))


def postgres_admin(url: str, statements: list[str]) -> str | None:
    """Run ``statements`` on the server's ``postgres`` database; return an error message or None."""
    try:
        import psycopg
    except ImportError as exc:
        return f"psycopg not installed ({exc})"
    parts = urlsplit(url)
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
            for sql in statements:
                conn.execute(sql)
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0]
    return None


def run_per_database(script: Path, prefix: str) -> None:
    """Run ``script --child <vendor>`` once on a throw-away SQLite file, once on PostgreSQL ``koperasi_bench``.

    Shared by every benchmark that measures both databases (settings are per process).
    """
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    var_dir = tempfile.mkdtemp(prefix=prefix)

    def run_child(vendor: str, env: dict[str, str]) -> None:
        subprocess.run([sys.executable, "-u", str(script), "--child", vendor], env=env, check=True)

    try:
        run_child("sqlite", {**base_env, "KOPERASI_VAR_DIR": var_dir})
        url = postgres_url()
        safe_url = password_free(url)
        drop = f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)"
        error = postgres_admin(url, [drop, f"CREATE DATABASE {BENCH_DB}"])
        print()
        if error:
            print(f"PostgreSQL skipped: {safe_url} unreachable or refused ({error})")
            return
        try:
            run_child("postgresql", {**base_env, "KOPERASI_VAR_DIR": var_dir, "DATABASE_URL": url})
        finally:
            if os.environ.get("BENCH_KEEP_DB") != "1":
                postgres_admin(url, [drop])
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)


def run_child_on_database(
    script: Path,
    database: str,
    label: str,
    skip_note: str,
    *,
    check: bool = True,
    env: dict[str, str] | None = None,
) -> int:
    """Run ``script --child`` on the PostgreSQL database ``database``, made for it; return its exit status.

    Shared by the PostgreSQL-only benchmarks: the database is on the server of ``postgres_url``,
    dropped and re-created first and dropped afterwards (``BENCH_KEEP_DB=1`` keeps it); the child
    gets this process's environment with ``DATABASE_URL`` set to it, plus ``env``. An unreachable
    server prints "<label>: PostgreSQL skipped — ..." and ``skip_note`` and returns 0 without
    running the child. ``check``: a failed child raises ``CalledProcessError`` (after the drop);
    else its status is returned.
    """
    url = postgres_url(database)
    drop = f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"
    error = postgres_admin(url, [drop, f"CREATE DATABASE {database}"])
    if error:
        print(f"{label}: PostgreSQL skipped — {password_free(url)} unreachable or refused ({error});")
        print(f"  {skip_note}")
        return 0
    child_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    child_env.update(env or {})
    child_env["DATABASE_URL"] = url
    try:
        result = subprocess.run([sys.executable, "-u", str(script), "--child"], env=child_env, check=check)
    finally:
        if os.environ.get("BENCH_KEEP_DB") != "1":
            postgres_admin(url, [drop])
    return result.returncode


def main() -> None:
    run_per_database(Path(__file__).resolve(), "koperasi-bench-ledger-")


# --- Child: Django configured for one database ------------------------------------------------
def child(vendor: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koperasi.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from koperasi.cooperatives.services import cooperative_register

    if connection.vendor != vendor:
        raise SystemExit(f"expected a {vendor} database, settings give {connection.vendor}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    actor = get_user_model().objects.create_user("bench-bendahara", password="bench-rahasia-123")
    coops = {
        key: cooperative_register(code=f"bench-{key}", name=f"KKMP Bench {key}", kelurahan_code=code, actor=actor)
        for key, code in KELURAHAN.items()
    }
    bench_posting(vendor, coops["service"], coops["baseline"], actor)
    bench_trial_balance(vendor, coops["small"], coops["large"])
    print(f"  ({vendor} total {time.perf_counter() - started:.0f} s including migrate and loading)")


def _now_param(vendor: str) -> Any:
    from django.utils import timezone

    now = timezone.now()
    # Django stores aware datetimes in SQLite as naive UTC text; PostgreSQL takes the object.
    return now.replace(tzinfo=None).isoformat(" ") if vendor == "sqlite" else now


# --- ledger_post --------------------------------------------------------------------------------
class Baseline:
    """Writes the service's rows with the plain driver, the database's floor for them."""

    def __init__(self, vendor: str, cooperative: Any, actor: Any) -> None:
        from django.conf import settings

        from koperasi.ledger.models import Account

        self.vendor = vendor
        self.coop_id = cooperative.pk
        self.actor_id = actor.pk
        accounts = {
            a.code: a
            for a in Account.objects.filter(
                cooperative=cooperative, code__in=dict.fromkeys(code for code, _, _ in POST_LINES)
            )
        }
        # The same lines journal_post writes: an account's own business unit is the line's unit.
        self.lines = [
            (accounts[code].pk, debit, credit, accounts[code].business_unit_id) for code, debit, credit in POST_LINES
        ]
        self.seq, self.prev_hash = 0, ""
        if vendor == "postgresql":
            import psycopg

            self.conn: Any = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
            p = "%s"
        else:
            import sqlite3

            self.conn = sqlite3.connect(settings.DATABASES["default"]["NAME"], isolation_level=None, timeout=20)
            # The same pragmas as settings.py gives Django's connection.
            self.conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
            p = "?"
        self.insert_entry = f"INSERT INTO ledger_journalentry ({E_COLUMNS}) VALUES ({', '.join([p] * 14)})"
        if vendor == "postgresql":
            self.insert_entry += " RETURNING id"
        row = "(" + ", ".join([p] * 8) + ")"
        self.insert_lines = f"INSERT INTO ledger_journalline ({L_COLUMNS}) VALUES {', '.join([row] * len(self.lines))}"
        self.post_entry = (
            f"UPDATE ledger_journalentry SET is_posted = {'true' if vendor == 'postgresql' else '1'} WHERE id = {p}"
        )

    def post(self, day: datetime.date, memo: str) -> None:
        from koperasi.ledger.hashing import entry_hash

        seq = self.seq + 1
        digest = entry_hash(
            cooperative_id=self.coop_id,
            seq=seq,
            date=day,
            memo=memo,
            source_type="manual",
            source_id="",
            reverses_id=None,
            lines=[(a, d, c, u or 0, 0) for a, d, c, u in self.lines],
            prev_hash=self.prev_hash,
        )
        amount = sum(d for _, d, _, _ in self.lines)
        date_param: Any = day.isoformat() if self.vendor == "sqlite" else day
        entry = (
            self.coop_id,
            seq,
            date_param,
            memo,
            "manual",
            "",
            None,
            None,
            amount,
            False,
            self.prev_hash,
            digest,
            self.actor_id,
            _now_param(self.vendor),
        )
        cur = self.conn.cursor()
        if self.vendor == "postgresql":
            cur.execute("BEGIN")
            cur.execute(self.insert_entry, entry)
            entry_id = cur.fetchone()[0]
        else:
            cur.execute("BEGIN IMMEDIATE")  # as Django's SQLite settings (transaction_mode IMMEDIATE)
            cur.execute(self.insert_entry, entry)
            entry_id = cur.lastrowid
        params: list[Any] = []
        for account_id, debit, credit, unit_id in self.lines:
            params += [self.coop_id, entry_id, account_id, date_param, debit, credit, unit_id, ""]
        cur.execute(self.insert_lines, params)
        cur.execute(self.post_entry, (entry_id,))
        cur.execute("COMMIT")
        cur.close()
        self.seq, self.prev_hash = seq, digest

    def close(self) -> None:
        self.conn.close()


def _post_day(i: int) -> datetime.date:
    return YEAR_START + datetime.timedelta(days=i % 365)


def bench_posting(vendor: str, service_coop: Any, baseline_coop: Any, actor: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from koperasi.ledger.services import LineInput, journal_post
    from koperasi.ledger.verify import ledger_verify

    lines = [LineInput(account=code, debit=debit, credit=credit) for code, debit, credit in POST_LINES]
    baseline = Baseline(vendor, baseline_coop, actor)
    count = {"service": 0, "baseline": 0}

    def service_post() -> None:
        i = count["service"]
        journal_post(cooperative=service_coop, date=_post_day(i), lines=lines, memo=f"Penjualan gerai {i}", actor=actor)
        count["service"] += 1

    def baseline_post() -> None:
        i = count["baseline"]
        baseline.post(_post_day(i), f"Penjualan gerai {i}")
        count["baseline"] += 1

    for _ in range(POST_WARMUP):
        baseline_post()
        service_post()
    with CaptureQueriesContext(connection) as ctx:
        service_post()
    baseline_post()
    queries = sum(q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT") for q in ctx.captured_queries)
    elapsed = {"service": 0.0, "baseline": 0.0}
    done = 0
    while done < POST_ENTRIES:
        n = min(POST_CHUNK, POST_ENTRIES - done)
        for side, fn in (("baseline", baseline_post), ("service", service_post)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            elapsed[side] += time.perf_counter() - start
        done += n
    baseline.close()
    checks = [ledger_verify(cooperative=c) for c in (service_coop, baseline_coop)]
    base_rate = POST_ENTRIES / elapsed["baseline"]
    svc_rate = POST_ENTRIES / elapsed["service"]
    driver = "psycopg" if vendor == "postgresql" else "sqlite3"
    print(
        f"ledger_post  vendor={vendor}  {POST_ENTRIES:,} entries of 3 lines per side, one transaction each, "
        f"sides alternating every {POST_CHUNK}"
    )
    base_label, svc_label = f"baseline (plain {driver} SQL)", "journal_post"
    print(
        f"  {base_label:<28}  {base_rate:6.0f} entries/s  {1000 / base_rate:5.2f} ms/entry  3 statements + BEGIN/COMMIT"
    )
    print(
        f"  {svc_label:<28}  {svc_rate:6.0f} entries/s  {1000 / svc_rate:5.2f} ms/entry"
        f"  {queries} queries + BEGIN/COMMIT  ratio {100 * svc_rate / base_rate:.0f} % (target >= 50 %)"
    )
    verdict = "ok" if all(c.ok for c in checks) else "; ".join(p for c in checks for p in c.problems[:3])
    print(f"  ledger_verify of both cooperatives ({checks[0].entries_checked:,} entries each): {verdict}")


# --- ledger_trial_balance ---------------------------------------------------------------------
def _entry_lines(g: int, leaves: list[tuple[int, int | None]]) -> list[tuple[int, int, int, int | None]]:
    """Entry ``g``'s lines: one debit, two credits, on three consecutive leaf accounts."""
    amount = 5000 * (1 + g % 97)
    n = len(leaves)
    (a, ua), (b, ub), (c, uc) = leaves[(3 * g) % n], leaves[(3 * g + 1) % n], leaves[(3 * g + 2) % n]
    return [(a, amount, 0, ua), (b, 0, amount * 4 // 5, ub), (c, 0, amount // 5, uc)]


def _entry_day(g: int, n_entries: int) -> datetime.date:
    return YEAR_START + datetime.timedelta(days=(g - 1) * 365 // n_entries)


def _entry_rows(vendor: str, coop_id: int, n_entries: int, leaves: list[tuple[int, int | None]], out: dict) -> Iterator:
    """Yield the posted entry rows 1..n with a valid hash chain; leave the head in ``out``."""
    from koperasi.ledger.hashing import GENESIS, entry_hash

    prev = GENESIS
    now = _now_param(vendor)
    for g in range(1, n_entries + 1):
        day = _entry_day(g, n_entries)
        lines = _entry_lines(g, leaves)
        memo = f"Bench {g}"
        digest = entry_hash(
            cooperative_id=coop_id,
            seq=g,
            date=day,
            memo=memo,
            source_type="bench",
            source_id="",
            reverses_id=None,
            lines=[(a, d, c, u or 0, 0) for a, d, c, u in lines],
            prev_hash=prev,
        )
        amount = lines[0][1]
        yield (
            coop_id,
            g,
            day if vendor == "postgresql" else day.isoformat(),
            memo,
            "bench",
            "",
            None,
            None,
            amount,
            True,
            prev,
            digest,
            None,
            now,
        )
        prev = digest
    out["last_seq"], out["last_hash"] = n_entries, prev


def _line_rows(vendor: str, coop_id: int, ids: dict[int, int], leaves: list[tuple[int, int | None]]) -> Iterator:
    n_entries = len(ids)
    for g in range(1, n_entries + 1):
        day = _entry_day(g, n_entries)
        day_param = day if vendor == "postgresql" else day.isoformat()
        for account_id, debit, credit, unit_id in _entry_lines(g, leaves):
            yield (coop_id, ids[g], account_id, day_param, debit, credit, unit_id, "")


TOTALS_SQL = {
    "ledger_accountdaytotal": ("date", {"postgresql": "date", "sqlite": "date"}),
    "ledger_accountmonthtotal": (
        "month",
        {"postgresql": "date_trunc('month', date)::date", "sqlite": "date(date, 'start of month')"},
    ),
}


def bulk_load(vendor: str, cooperative: Any, n_lines: int) -> int:
    """Load ~``n_lines`` posted lines for ``cooperative`` fast, keeping every invariant; return lines."""
    from django.db import connection, transaction

    from koperasi.ledger import db_triggers
    from koperasi.ledger.models import Account

    leaves = list(
        Account.objects.filter(cooperative=cooperative, is_group=False)
        .order_by("code")
        .values_list("pk", "business_unit_id")
    )
    n_entries = -(-n_lines // 3)
    head: dict[str, Any] = {}
    coop_id = cooperative.pk
    if vendor == "sqlite":
        with connection.schema_editor() as editor:
            db_triggers.uninstall(None, editor)
    with transaction.atomic(), connection.cursor() as cursor:
        if vendor == "postgresql":
            cursor.execute("ALTER TABLE ledger_journalentry DISABLE TRIGGER USER")
            cursor.execute("ALTER TABLE ledger_journalline DISABLE TRIGGER USER")
            raw = connection.connection.cursor()
            with raw.copy(f"COPY ledger_journalentry ({E_COLUMNS}) FROM STDIN") as copy:
                for row in _entry_rows(vendor, coop_id, n_entries, leaves, head):
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO ledger_journalentry ({E_COLUMNS}) VALUES ({', '.join(['%s'] * 14)})",
                _entry_rows(vendor, coop_id, n_entries, leaves, head),
            )
        cursor.execute("SELECT seq, id FROM ledger_journalentry WHERE cooperative_id = %s", [coop_id])
        ids = dict(cursor.fetchall())
        if vendor == "postgresql":
            with raw.copy(f"COPY ledger_journalline ({L_COLUMNS}) FROM STDIN") as copy:
                for row in _line_rows(vendor, coop_id, ids, leaves):
                    copy.write_row(row)
            raw.close()
        else:
            cursor.executemany(
                f"INSERT INTO ledger_journalline ({L_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})",
                _line_rows(vendor, coop_id, ids, leaves),
            )
        for table, (column, expr) in TOTALS_SQL.items():
            cursor.execute(
                f"INSERT INTO {table} (cooperative_id, account_id, unit_id, {column}, debit, credit) "
                f"SELECT cooperative_id, account_id, coalesce(business_unit_id, 0), {expr[vendor]}, "
                f"sum(debit), sum(credit) FROM ledger_journalline WHERE cooperative_id = %s "
                f"GROUP BY cooperative_id, account_id, coalesce(business_unit_id, 0), {expr[vendor]}",
                [coop_id],
            )
        cursor.execute(
            "UPDATE ledger_ledgerhead SET last_seq = %s, last_hash = %s WHERE cooperative_id = %s",
            [head["last_seq"], head["last_hash"], coop_id],
        )
        if vendor == "postgresql":
            # Django's foreign keys are deferred: check them now, or ALTER TABLE refuses.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE ledger_journalentry ENABLE TRIGGER USER")
            cursor.execute("ALTER TABLE ledger_journalline ENABLE TRIGGER USER")
    if vendor == "sqlite":
        with connection.schema_editor() as editor:
            db_triggers.install(None, editor)
    return n_entries * 3


def _naive(cooperative: Any) -> list[tuple[int, int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT account_id, sum(debit), sum(credit) FROM ledger_journalline "
            "WHERE cooperative_id = %s AND date <= %s GROUP BY account_id",
            [cooperative.pk, AS_OF],
        )
        return cursor.fetchall()


def _median_ms(fn: Callable[[], Any]) -> float:
    fn()
    samples = []
    for _ in range(TB_RUNS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def bench_trial_balance(vendor: str, small: Any, large: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from koperasi.ledger.selectors import trial_balance
    from koperasi.ledger.verify import ledger_verify

    if vendor == "postgresql":
        method = [
            "COPY in one transaction, with ALTER TABLE ledger_journalentry / ledger_journalline DISABLE TRIGGER USER",
            "(foreign keys still checked), then one INSERT ... SELECT each into ledger_accountdaytotal and",
            "ledger_accountmonthtotal, one UPDATE of ledger_ledgerhead, ENABLE TRIGGER USER; then VACUUM ANALYZE",
        ]
    else:
        method = [
            "executemany in one transaction, with the ledger triggers dropped before (db_triggers.uninstall) and",
            "re-created after (db_triggers.install); one INSERT ... SELECT each into ledger_accountdaytotal and",
            "ledger_accountmonthtotal and one UPDATE of ledger_ledgerhead inside the transaction; then ANALYZE",
        ]
    results = []
    for cooperative, n_lines in zip((small, large), TB_SIZES[vendor], strict=True):
        start = time.perf_counter()
        loaded = bulk_load(vendor, cooperative, n_lines)
        load_s = time.perf_counter() - start
        results.append((cooperative, loaded, load_s))
    with connection.cursor() as cursor:
        if vendor == "postgresql":
            for table in (
                "ledger_journalentry",
                "ledger_journalline",
                "ledger_accountdaytotal",
                "ledger_accountmonthtotal",
            ):
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    print(f"ledger_trial_balance  vendor={vendor}  one cooperative per size  as_of={AS_OF}  median of {TB_RUNS} runs")
    print("  lines: 3-line entries over the 12 months of 2025 and the 52 leaf accounts, valid hash chain, loaded by")
    for text in method:
        print(f"    {text}")
    print("        lines    load  trial_balance (totals)     baseline (sum of lines)   rows")
    medians = []
    for cooperative, loaded, load_s in results:

        def selector(coop: Any = cooperative) -> Any:
            return trial_balance(cooperative=coop, as_of=AS_OF)

        def naive(coop: Any = cooperative) -> Any:
            return _naive(coop)

        with CaptureQueriesContext(connection) as ctx:
            tb = selector()
        from_totals = {r.account.pk: r.debit - r.credit for r in tb.rows}
        from_lines = {a: d - c for a, d, c in naive() if d != c}
        if from_totals != from_lines:
            raise SystemExit(f"trial balance of {cooperative.code} differs from the sum of its lines")
        sel_ms, naive_ms = _median_ms(selector), _median_ms(naive)
        medians.append((sel_ms, naive_ms))
        print(
            f"  {loaded:>11,}  {load_s:4.1f} s  {sel_ms:7.2f} ms  {len(ctx.captured_queries)} queries"
            f"      {naive_ms:8.2f} ms  {naive_ms / sel_ms:5.1f}x   {len(tb.rows):4}"
        )
    (small_sel, small_naive), (large_sel, large_naive) = medians
    print(
        f"  large/small: trial_balance {large_sel / small_sel:.2f}x, baseline {large_naive / small_naive:.1f}x"
        f"  (target: trial_balance < 50 ms at both sizes, not growing with lines)"
    )
    check = ledger_verify(cooperative=small)
    print(
        f"  checks: trial_balance = sums of the lines at both sizes; ledger_verify of the {results[0][1]:,}-line "
        f"cooperative: {'ok' if check.ok else '; '.join(check.problems[:3])}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
