"""Subsidy quota benchmark (not a test): what the quota check at the till costs a sale, PostgreSQL only.

``make bench`` runs it after the POS benchmark; alone: ``.venv/bin/python bench/subsidy_quota.py``.
It makes its own database, ``koperasi_bench_subsidy`` on the server of ``BENCH_POSTGRES_URL`` (else of
``DATABASE_URL`` when that is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432``), dropped and
re-created at the start and dropped at the end (``BENCH_KEEP_DB=1`` keeps it). Without a reachable
PostgreSQL server it prints "skipped": the figure is for the production database.

Set-up: one Balikpapan cooperative registered by the service; two products by
``shop.services.product_create`` — LPG 3 kg (HET commodity ``lpg_3kg``, Rp19.000) and MinyaKita
1 L (HET commodity ``minyakita``, Rp15.700, no programme: its sale checks a HET as LPG's does, so
the difference between the two is the quota check) — with 1,000,000 units of each bought by
``purchase_direct``; an LPG programme by ``subsidies.services.program_create`` with the shape of
the domain.md §11 rules but limits that never refuse (1,000,000 units per KK per month and per NIK
per day), so every measured sale goes through; ``BENCH_RECIPIENTS`` (2,000) recipients, two
adults per KK, and ``BENCH_HISTORY`` (20,000) earlier LPG distributions of this month to random
recipients, spread over the 1st to the 20th, each with its sale and sale line (1–3 tabung), bulk inserted
(``bulk_create``, not the services: a sale through the service is what is measured), then
VACUUM ANALYZE. The sales are dated the 20th of last month (the history is then all in the past
of the sale or on its day), by a cashier with an open session.

Measured in the same run, through the same service (``shop.services.sale_create``), in one process,
one sale after another, ``BENCH_SALES`` (500) of each, in alternating blocks of 50 (ABBA order, so
drift hits both):
- plain: one bottle of MinyaKita, cash, with the ``buyer_nik`` of a random recipient (the NIK is
  checked as for any sale); the till's only work is one query (is any line a programme product?);
- quota-checked: one tabung of LPG, cash, with the ``buyer_nik`` of a random recipient and a MAP
  reference: the programme and its rules, the recipient, the usage query over the distributions
  (``subsidies.selectors.used_by``: one aggregate per rule window over the NIK's and the KK's rows
  of the product this month), the programme price, and the logbook row.
For each: sales per second, ms per sale p50 and p99 (nearest rank), queries per sale
(``CaptureQueriesContext``, BEGIN/COMMIT/SAVEPOINT left out), then the overhead
(plain rate − quota rate) / plain rate and the plan of the usage query (EXPLAIN ANALYZE).

Target (issue 7): the quota check costs under 30 %.

Environment: ``BENCH_SALES`` (500), ``BENCH_RECIPIENTS`` (2000), ``BENCH_HISTORY`` (20000).
"""

from __future__ import annotations

import datetime
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ledger import run_child_on_database  # noqa: E402  (bench/ledger.py)

BENCH_DB = "koperasi_bench_subsidy"
SALES = int(os.environ.get("BENCH_SALES", "500"))
RECIPIENTS = int(os.environ.get("BENCH_RECIPIENTS", "2000"))
HISTORY = int(os.environ.get("BENCH_HISTORY", "20000"))
BLOCK = 50
WARMUP = 20
QUOTA = 1_000_000  # units per KK a month and per NIK a day: the check runs in full and never refuses
STOCK = 1_000_000
TARGET_OVERHEAD_PCT = 30


def main() -> None:
    run_child_on_database(
        Path(__file__).resolve(),
        BENCH_DB,
        "subsidy_quota",
        "this benchmark measures the production database only.",
    )


# --- Child: Django on the bench database ------------------------------------------------------------


def _nik(i: int) -> str:
    """A valid NIK of Balikpapan Tengah: born 1 January 1960 + i days (a woman when i is odd), serial i + 1."""
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=i)
    return f"647104{born.day + (40 if i % 2 else 0):02d}{born:%m%y}{i % 9_999 + 1:04d}"


def _kk(household: int) -> str:
    return f"6471040101{10 + household // 10_000:02d}{household % 10_000:04d}"


def child() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koperasi.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from koperasi.cooperatives.services import cooperative_register
    from koperasi.shop import services as shop

    if connection.vendor != "postgresql":
        print("subsidy_quota: skipped — PostgreSQL only (settings give SQLite).")
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    day = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=20)
    actor = get_user_model().objects.create_user("bench-kasir", password="bench-rahasia-123")
    coop = cooperative_register(
        code="bench-subsidi", name="KKMP Bench Subsidi", kelurahan_code="64.71.04.1001", actor=actor
    )
    lpg, oil, niks = seed(coop, actor, day)
    shop.cashier_session_open(cooperative=coop, opening_float=500_000, actor=actor)
    seeded = time.perf_counter()
    print(
        f"subsidy_quota  vendor=postgresql  one cooperative, {RECIPIENTS:,} recipients ({RECIPIENTS // 2:,} KK), "
        f"{HISTORY:,} LPG distributions this month before the run; sales dated {day:%Y-%m-%d}"
    )
    print(
        f"  setup: migrate {migrated - started:.0f} s, seed {seeded - migrated:.0f} s; "
        f"load average before {os.getloadavg()[0]:.2f}"
    )
    measure(coop, actor, day, lpg, oil, niks)
    print(f"  load average after the run {os.getloadavg()[0]:.2f}")


def seed(coop: Any, actor: Any, day: datetime.date) -> tuple[Any, Any, list[str]]:
    """Products, stock, the programme, the recipients and this month's distributions before the run."""
    from django.db import connection
    from django.utils import timezone

    from koperasi.ledger.models import JournalEntry
    from koperasi.shop import services as shop
    from koperasi.shop.models import Location, Sale, SaleLine
    from koperasi.subsidies.models import Distribution, Recipient
    from koperasi.subsidies.services import ProgramInput, RuleInput, program_create

    month = day.replace(day=1)
    supplier = shop.supplier_create(cooperative=coop, name="Agen LPG Bench", kind="pertamina", actor=actor)
    lpg = shop.product_create(
        cooperative=coop,
        data=shop.ProductInput(sku="LPG3", name="LPG 3 kg", unit="tabung", het_commodity="lpg_3kg"),
        price=19_000,
        effective_from=month,
        actor=actor,
    )
    oil = shop.product_create(
        cooperative=coop,
        data=shop.ProductInput(sku="MK1", name="MinyaKita 1 L", unit="botol", het_commodity="minyakita"),
        price=15_700,
        effective_from=month,
        actor=actor,
    )
    shop.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=month,
        lines=[shop.PurchaseLineInput(lpg, STOCK, 16_000), shop.PurchaseLineInput(oil, STOCK, 13_700)],
        actor=actor,
    )
    program = program_create(
        cooperative=coop,
        data=ProgramInput(
            name="LPG 3 kg bersubsidi",
            product=lpg,
            partner="PT Pertamina Patra Niaga",
            price=19_000,
            valid_from=month,
            monthly_allocation=300,
            categories=["rumah_tangga", "usaha_mikro", "petani", "nelayan"],
            rules=[
                RuleInput(per="kk", period="month", max_qty=QUOTA),
                RuleInput(per="nik", period="day", max_qty=QUOTA),
            ],
        ),
        actor=actor,
    )
    recipients = Recipient.objects.bulk_create(
        Recipient(
            cooperative=coop,
            nik=_nik(i),
            kk=_kk(i // 2),
            name=f"Penerima {i}",
            category="rumah_tangga",
            kelurahan_id="64.71.04.1001",
            registered_on=month,
        )
        for i in range(RECIPIENTS)
    )
    # The history: sales with one LPG line and its logbook row, as the till writes them, bulk inserted.
    # They share one journal entry (the ledger is not what is measured); the stock is not moved.
    gerai = Location.objects.get(cooperative=coop, code="gerai")
    entry = JournalEntry.objects.filter(cooperative=coop).order_by("-pk").first()
    assert entry is not None
    rng = random.Random(2026)
    plan = [
        (rng.choice(recipients), rng.randint(1, 3), month + datetime.timedelta(days=rng.randint(0, 19)))
        for _ in range(HISTORY)
    ]
    sales = Sale.objects.bulk_create(
        (
            Sale(
                cooperative=coop,
                sale_no=f"RW-{n:06d}",
                date=date,
                location=gerai,
                buyer_nik=who.nik,
                payment_method="tunai",
                total=qty * 19_000,
                cost_total=qty * 16_000,
                journal_entry=entry,
                created_by=actor,
            )
            for n, (who, qty, date) in enumerate(plan, start=1)
        ),
        batch_size=2_000,
    )
    lines = SaleLine.objects.bulk_create(
        (
            SaleLine(
                cooperative=coop,
                sale=sale,
                product=lpg,
                business_unit_id=lpg.business_unit_id,
                qty=qty,
                unit_price=19_000,
                line_total=qty * 19_000,
                cost=qty * 16_000,
            )
            for sale, (_, qty, _) in zip(sales, plan, strict=True)
        ),
        batch_size=2_000,
    )
    now = timezone.now()
    Distribution.objects.bulk_create(
        (
            Distribution(
                cooperative=coop,
                program=program,
                product=lpg,
                sale=sale,
                sale_line=line,
                recipient=who,
                date=date,
                recorded_at=now,
                nik=who.nik,
                kk=who.kk,
                name=who.name,
                category=who.category,
                qty=qty,
                unit_price=19_000,
                partner_reference=f"MAP-{date:%y%m}-{n:06d}",
            )
            for n, (sale, line, (who, qty, date)) in enumerate(zip(sales, lines, plan, strict=True), start=1)
        ),
        batch_size=2_000,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return lpg, oil, [r.nik for r in recipients]


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile of ``values`` (seconds) in milliseconds."""
    ordered = sorted(values)
    rank = max(int(-(-pct * len(ordered) // 100)), 1)
    return ordered[rank - 1] * 1000


def measure(coop: Any, actor: Any, day: datetime.date, lpg: Any, oil: Any, niks: list[str]) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from koperasi.ledger.verify import ledger_verify
    from koperasi.shop import services as shop
    from koperasi.shop.models import Sale
    from koperasi.subsidies.models import Distribution

    rng = random.Random(7)
    count = {"plain": 0, "quota": 0}

    def plain() -> None:
        n = count["plain"] = count["plain"] + 1
        shop.sale_create(
            cooperative=coop,
            date=day,
            lines=[shop.SaleLineInput(oil, 1)],
            payment_method="tunai",
            cash_received=20_000,
            buyer_nik=rng.choice(niks),
            actor=actor,
            idempotency_key=f"plain-{n}",
        )

    def quota() -> None:
        n = count["quota"] = count["quota"] + 1
        shop.sale_create(
            cooperative=coop,
            date=day,
            lines=[shop.SaleLineInput(lpg, 1)],
            payment_method="tunai",
            cash_received=20_000,
            buyer_nik=rng.choice(niks),
            partner_reference=f"MAP-{day:%y%m}-{900_000 + n:06d}",
            actor=actor,
            idempotency_key=f"quota-{n}",
        )

    for _ in range(WARMUP):
        plain()
        quota()
    with CaptureQueriesContext(connection) as plain_ctx:
        plain()
    with CaptureQueriesContext(connection) as quota_ctx:
        quota()

    def statements(captured: list[dict[str, Any]]) -> int:
        return sum(not q["sql"].startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")) for q in captured)

    latencies: dict[str, list[float]] = {"plain": [], "quota": []}
    elapsed = {"plain": 0.0, "quota": 0.0}
    sides = {"plain": plain, "quota": quota}
    done = 0
    block = 0
    while done < SALES:
        n = min(BLOCK, SALES - done)
        order = ("plain", "quota") if block % 2 == 0 else ("quota", "plain")
        for side in order:
            fn = sides[side]
            for _ in range(n):
                start = time.perf_counter()
                fn()
                took = time.perf_counter() - start
                latencies[side].append(took)
                elapsed[side] += took
        done += n
        block += 1

    rates = {side: SALES / elapsed[side] for side in sides}
    queries = {"plain": statements(plain_ctx.captured_queries), "quota": statements(quota_ctx.captured_queries)}
    labels = {"plain": "plain sale (MinyaKita, buyer NIK)", "quota": "quota-checked sale (LPG, buyer NIK)"}
    print(f"  {SALES} sales per side, blocks of {BLOCK} alternating, one process, one sale after another")
    for side in ("plain", "quota"):
        print(
            f"  {labels[side]:<37} {rates[side]:6.1f} sales/s  p50 {percentile(latencies[side], 50):6.2f} ms  "
            f"p99 {percentile(latencies[side], 99):6.2f} ms  {queries[side]} queries"
        )
    overhead = 100 * (rates["plain"] - rates["quota"]) / rates["plain"]
    verdict = "met" if overhead < TARGET_OVERHEAD_PCT else "MISSED"
    print(
        f"  overhead of the quota check: {overhead:.1f} % of the plain sale's rate "
        f"(target < {TARGET_OVERHEAD_PCT} %: {verdict}); {queries['quota'] - queries['plain']} more queries"
    )
    till = [q["sql"] for q in quota_ctx.captured_queries if '"subsidies_' in q["sql"]]
    print(f"  the quota-checked sale's queries on the subsidy tables ({len(till)}; the plain sale's: 1):")
    for sql in till:
        print(f"    {_gist(sql)}")
    explain(quota_ctx.captured_queries)
    measured = count["quota"]
    logged = Distribution.objects.filter(cooperative=coop, partner_reference__startswith=f"MAP-{day:%y%m}-9").count()
    sold = Sale.objects.filter(cooperative=coop, idempotency_key__startswith="quota-").count()
    ok = logged == sold == measured and ledger_verify(cooperative=coop).ok
    print(
        f"  check: {measured} quota-checked sales, {sold} in the database, {logged} logbook rows; "
        f"ledger verifies: {'ok' if ok else 'PROBLEM'}"
    )


def _gist(sql: str) -> str:
    """``SELECT … FROM "subsidies_x"``: the statement's verb and its first table."""
    verb = sql.split()[0]
    table = sql.split('FROM "', 1)[-1] if verb == "SELECT" else sql.split('INTO "', 1)[-1]
    name = table.split('"', 1)[0]
    return f"{verb} {name}"


def explain(captured: list[dict[str, Any]]) -> None:
    """Print the plan of the usage query the quota-checked sale ran (EXPLAIN ANALYZE, run again here)."""
    from django.db import connection

    usage = [q["sql"] for q in captured if 'FROM "subsidies_distribution"' in q["sql"] and "SUM(" in q["sql"]]
    if len(usage) != 1:
        print(f"  usage query: expected one in the sale's queries, found {len(usage)}")
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) " + usage[0])
        plan = [row[0] for row in cursor.fetchall()]
    indexes = sorted(
        {
            name
            for name in ("subsidy_dist_nik", "subsidy_dist_kk", "subsidy_dist_program")
            if any(name in line for line in plan)
        }
    )
    print(f"  the usage query (one per quota-checked sale) uses {', '.join(indexes) or 'NO INDEX'}:")
    for line in plan:
        print(f"    {line}")


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--child":
        child()
    else:
        main()
