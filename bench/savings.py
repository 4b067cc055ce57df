"""Savings benchmark (not a test): deposits per second through the service, beside the ledger posting.

``make bench`` runs it after the ledger benchmark; alone: ``.venv/bin/python bench/savings.py``.
Like ``bench/ledger.py`` each database gets its own process and its own throw-away database
(SQLite in a temporary directory; PostgreSQL ``koperasi_bench`` dropped afterwards).

savings_deposit: ``savings.services.savings_deposit`` of simpanan sukarela for 200 active
members in turn (member lock, account lock, idempotency check, settings, balance update,
transaction row, journal entry with the member on the savings line, audit row), against the
baseline of the same run: ``ledger.services.journal_post`` of the same two lines (Dr Kas /
Cr Simpanan sukarela) in a cooperative of its own, which is all the ledger work a deposit
needs. The two sides alternate in chunks so drift hits both. Every deposit carries an
idempotency key, as the teller form and the API send one.

Environment: ``BENCH_DEPOSITS`` (2000).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ledger import run_per_database  # noqa: E402  (bench/ledger.py)

DEPOSITS = int(os.environ.get("BENCH_DEPOSITS", "2000"))
MEMBERS = 200
CHUNK = 250
WARMUP = 20
DAY = datetime.date(2026, 2, 2)


def main() -> None:
    run_per_database(Path(__file__).resolve(), "koperasi-bench-savings-")


def _nik(i: int) -> str:
    """A valid NIK: Balikpapan Tengah, born 1 January 1960 + i days, serial i."""
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=i)
    return f"647104{born:%d%m%y}{i + 1:04d}"


def child(vendor: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koperasi.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from koperasi.cooperatives.services import cooperative_register
    from koperasi.ledger.services import ByRole, LineInput, journal_post
    from koperasi.ledger.verify import ledger_verify
    from koperasi.members.services import member_register
    from koperasi.savings.selectors import savings_reconcile
    from koperasi.savings.services import savings_deposit

    if connection.vendor != vendor:
        raise SystemExit(f"expected a {vendor} database, settings give {connection.vendor}")
    call_command("migrate", verbosity=0)
    actor = get_user_model().objects.create_user("bench-kasir", password="bench-rahasia-123")
    service_coop = cooperative_register(
        code="bench-simpanan", name="KKMP Bench Simpanan", kelurahan_code="64.71.04.1001", actor=actor
    )
    baseline_coop = cooperative_register(
        code="bench-jurnal", name="KKMP Bench Jurnal", kelurahan_code="64.71.04.1002", actor=actor
    )
    members = []
    for i in range(MEMBERS):
        data = {
            "nik": _nik(i),
            "kk": "6471040101100003",
            "name": f"Anggota {i}",
            "address": "Jl. Uji",
            "joined_on": "2026-01-02",
        }
        member = member_register(cooperative=service_coop, data=data, actor=actor)
        savings_deposit(cooperative=service_coop, member=member, kind="pokok", amount=50_000, date=DAY, actor=actor)
        members.append(member.pk)
    count = {"service": 0, "baseline": 0}

    def service() -> None:
        i = count["service"]
        savings_deposit(
            cooperative=service_coop,
            member=members[i % MEMBERS],
            kind="sukarela",
            amount=10_000 + i,
            date=DAY,
            actor=actor,
            idempotency_key=f"bench-{i}",
        )
        count["service"] += 1

    def baseline() -> None:
        i = count["baseline"]
        journal_post(
            cooperative=baseline_coop,
            date=DAY,
            lines=[
                LineInput(account=ByRole("cash"), debit=10_000 + i),
                LineInput(account=ByRole("savings_sukarela"), credit=10_000 + i),
            ],
            memo=f"Setoran sukarela {i}",
            idempotency_key=f"bench-{i}",
            actor=actor,
        )
        count["baseline"] += 1

    for _ in range(WARMUP):
        baseline()
        service()
    with CaptureQueriesContext(connection) as ctx:
        service()
    with CaptureQueriesContext(connection) as base_ctx:
        baseline()

    def statements(captured: list[dict[str, Any]]) -> int:
        return sum(not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")) for q in captured)

    elapsed = {"service": 0.0, "baseline": 0.0}
    done = 0
    while done < DEPOSITS:
        n = min(CHUNK, DEPOSITS - done)
        for side, fn in (("baseline", baseline), ("service", service)):
            start = time.perf_counter()
            for _ in range(n):
                fn()
            elapsed[side] += time.perf_counter() - start
        done += n
    base_rate = DEPOSITS / elapsed["baseline"]
    svc_rate = DEPOSITS / elapsed["service"]
    print(
        f"savings_deposit  vendor={vendor}  {DEPOSITS:,} deposits per side over {MEMBERS} members, one transaction each"
    )
    print(
        f"  baseline journal_post (same 2 lines)  {base_rate:6.0f} /s  {1000 / base_rate:5.2f} ms"
        f"  {statements(base_ctx.captured_queries)} statements"
    )
    print(
        f"  savings_deposit                       {svc_rate:6.0f} /s  {1000 / svc_rate:5.2f} ms"
        f"  {statements(ctx.captured_queries)} statements  ratio {100 * svc_rate / base_rate:.0f} %"
    )
    checks = [ledger_verify(cooperative=c) for c in (service_coop, baseline_coop)]
    reconciled = all(row.difference == 0 for row in savings_reconcile(cooperative=service_coop))
    verdict = "ok" if all(c.ok for c in checks) and reconciled else "PROBLEM"
    print(f"  ledger_verify and savings_reconcile after the run: {verdict}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
