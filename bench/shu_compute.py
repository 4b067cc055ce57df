"""SHU computation benchmark (not a test): one cooperative, 10,000 members, 1,000,000 sale lines, PostgreSQL only.

``make bench`` runs it after the subsidy quota benchmark; alone: ``.venv/bin/python bench/shu_compute.py``.
It makes its own database, ``koperasi_bench_shu`` on the server of ``BENCH_POSTGRES_URL`` (else of
``DATABASE_URL`` when that is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432``), dropped and
re-created at the start and dropped at the end (``BENCH_KEEP_DB=1`` keeps it). Without a reachable
PostgreSQL server it prints "skipped": the figure is for the production database.

Data, bulk loaded by SQL (``INSERT ... SELECT`` over ``generate_series``, not through the services,
which would take hours): one Balikpapan cooperative registered by the service (chart of accounts,
the seven prescribed units, ledger head); 50 products by ``shop.services.product_create`` (42 of
gerai sembako, 8 of apotek); 10,000 active members (valid, distinct NIKs; joined 2024–2025);
their savings: simpanan pokok Rp50.000 on joining, simpanan wajib Rp20.000 on the 10th of every
month after joining up to November 2026 with about one month in eleven skipped, and a sukarela
deposit and withdrawal in 2025 for half of them — about 225,000 ``SavingsTransaction`` rows with
their running ``balance_after`` and the ``SavingsAccount`` rows whose balance they sum to;
200,000 sales in 2025 with exactly 1,000,000 sale lines (1–9 per sale, about 84 % at gerai
sembako products, the rest at apotek products), 80 % of them member sales (``is_member_sale``
with the member, buyers skewed so some members buy much and some little) and about 0.4 % of the
lines partly returned (``qty_returned`` = 1, the sale's ``total_returned`` to match) and one sale
in 1,000 voided (every line returned, status ``voided``, as ``sale_return_decide`` leaves it); and 600
active member loans of the simpan pinjam unit disbursed January–June 2025 with their monthly
instalment transactions (principal and interest) up to October 2026 (instalment schedules are
not loaded: the SHU does not read them).

The ledger is not posted for these rows: the SHU computation reads the sales, savings and loan
tables, not the journal. The members' monthly purchase totals (``shop.MemberPurchaseMonth``, kept
by every sale and return in production) are filled from the loaded lines by one statement, as the
migration that created them does. Every bulk row whose ``journal_entry`` is NOT NULL (sales, savings and
loan transactions) points at one real entry posted by ``ledger.services.journal_post``. The plain
indexes of the sales and sale lines are built after the load, then VACUUM ANALYZE and CHECKPOINT.

Measured in the same run (each once as a warm-up, then 3 times alternately; median):
- baseline: ONE SQL query summing each member's purchases of 2025 (at every unit: it reads the
  sales, not their lines), ``SELECT member_id, SUM(total - total_returned) FROM shop_sale WHERE
  cooperative_id = %s AND is_member_sale AND date BETWEEN '2025-01-01' AND '2025-12-31' GROUP BY
  member_id``, fetched;
- SHU: what the simulate API does with the domain.md §11 defaults: ``shu.services.allocation_check``,
  ``shu.selectors.shu_simulate(year=2025, capital_kinds=[pokok, wajib],
  lines=selectors.DEFAULT_ALLOCATION)`` (jasa modal on pokok + wajib at 31/12/2025, jasa usaha
  of gerai sembako on purchases and of simpan pinjam on loan interest paid), then
  ``selectors.member_infos`` for every member in the result. Its queries are counted
  (``CaptureQueriesContext`` on the warm-up run) and each is timed.
Target (issue 8): the SHU computation under 5 s and within 5× the baseline.
After the timing the run checks the result: pools sum to the SHU total; every member pool's
parts plus its remainder equal the pool; no part is negative; and each member's gerai + apotek
purchase bases equal the baseline's figure for the member (the returns agree line by line).
A failed check exits with status 1. ``BENCH_EXPLAIN=1`` (or a missed target) prints the plan of
the purchases base query (``shu.selectors.usage_bases``, EXPLAIN ANALYZE).
"""

from __future__ import annotations

import datetime
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ledger import run_child_on_database  # noqa: E402  (bench/ledger.py)

BENCH_DB = "koperasi_bench_shu"
YEAR = 2025
MEMBERS = 10_000
SALES = 200_000
LINES = 1_000_000
LOANS = 600
GERAI_PRODUCTS = 42
APOTEK_PRODUCTS = 8
SHU_TOTAL = 400_000_000  # Rp400 juta of SHU from members to share
REPEAT = 3
TARGET_SECONDS = 5
TARGET_RATIO = 5

BASELINE_SQL = (
    "SELECT member_id, SUM(total - total_returned) FROM shop_sale "
    "WHERE cooperative_id = %s AND is_member_sale AND date BETWEEN %s AND %s GROUP BY member_id"
)


def main() -> None:
    returncode = run_child_on_database(
        Path(__file__).resolve(),
        BENCH_DB,
        "shu_compute",
        "this benchmark measures PostgreSQL only (SQLite is not a 1,000,000-line database).",
        check=False,
    )
    if returncode:
        raise SystemExit(returncode)


# --- Child: Django on the bench database ------------------------------------------------------------


def child() -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koperasi.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from koperasi.cooperatives.services import cooperative_register

    if connection.vendor != "postgresql":
        print("shu_compute: skipped — PostgreSQL only (settings give SQLite).")
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    actor = get_user_model().objects.create_user("bench-bendahara", password="bench-rahasia-123")
    coop = cooperative_register(code="bench-shu", name="KKMP Bench SHU", kelurahan_code="64.71.04.1001", actor=actor)
    load(coop, actor)
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE is_member_sale), "
            "count(DISTINCT member_id) FROM shop_sale WHERE cooperative_id = %s",
            [coop.pk],
        )
        n_sales, n_member_sales, n_buyers = cursor.fetchone()
        cursor.execute(
            "SELECT u.code, count(*), count(*) FILTER (WHERE l.qty_returned > 0) FROM shop_saleline l "
            "JOIN cooperatives_businessunit u ON u.id = l.business_unit_id WHERE l.cooperative_id = %s "
            "GROUP BY u.code ORDER BY u.code",
            [coop.pk],
        )
        by_unit = cursor.fetchall()
        cursor.execute("SELECT count(*) FROM savings_savingstransaction WHERE cooperative_id = %s", [coop.pk])
        n_savings = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM loans_loantransaction WHERE cooperative_id = %s AND interest > 0 "
            "AND date BETWEEN %s AND %s",
            [coop.pk, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)],
        )
        n_interest = cursor.fetchone()[0]
    n_lines = sum(n for _, n, _ in by_unit)
    units = ", ".join(f"{code} {n:,} ({r:,} with a return)" for code, n, r in by_unit)
    print(
        f"shu_compute  vendor=postgresql  one cooperative, {MEMBERS:,} active members, {n_sales:,} sales of {YEAR} "
        f"({n_member_sales:,} member sales by {n_buyers:,} members) with {n_lines:,} lines: {units}"
    )
    print(
        f"  {n_savings:,} savings transactions, {LOANS} loans with {n_interest:,} interest-paying "
        f"transactions in {YEAR}; SHU total (from members) {_rupiah(SHU_TOTAL)}"
    )
    print(
        f"  setup: migrate {migrated - started:.0f} s, bulk load {loaded - migrated:.0f} s; "
        f"load average before {os.getloadavg()[0]:.2f}"
    )
    measure(coop)


def _rupiah(amount: int) -> str:
    return f"Rp{amount:,}".replace(",", ".")


def load(coop: Any, actor: Any) -> None:
    """Bulk load products, members, savings, sales and loans with set-based SQL (see the module docstring)."""
    from django.db import connection, transaction

    from koperasi.ledger.services import LineInput, journal_post
    from koperasi.loans.models import LoanProduct
    from koperasi.shop import services as shop

    locations = shop.locations_ensure(coop)
    products = [
        shop.product_create(
            cooperative=coop,
            data=shop.ProductInput(
                sku=f"B{i:03d}",
                name=f"Barang {i}",
                business_unit="gerai_sembako" if i < GERAI_PRODUCTS else "apotek",
            ),
            price=2_500 + (i * 1_337) % 60_000 // 500 * 500,
            effective_from=datetime.date(YEAR, 1, 1),
            actor=actor,
        )
        for i in range(GERAI_PRODUCTS + APOTEK_PRODUCTS)
    ]
    product = LoanProduct.objects.create(
        cooperative=coop,
        name="Pinjaman umum",
        method="flat",
        rate_pa=12,
        max_term_months=24,
        max_principal=50_000_000,
        penalty_rate_pm="2.00",
        grace_days=3,
    )
    # The bulk rows below (sales, savings and loan transactions) must name a journal entry (NOT
    # NULL): they all point at this one, really posted. The SHU computation reads the business
    # tables, not the journal, so the ledger is not posted per row (that would take hours).
    entry = journal_post(
        cooperative=coop,
        date=datetime.date(YEAR, 1, 1),
        lines=[LineInput(account="1-1100", debit=1_000), LineInput(account="4-1100", credit=1_000)],
        memo="Bench SHU: entri bersama untuk baris yang dimuat massal",
        source="bench:shu",
        actor=actor,
    )
    args = {
        "coop": coop.pk,
        "kel": coop.kelurahan_id,
        "entry": entry.pk,
        "gerai": locations["gerai"].pk,
        "members": MEMBERS,
        "sales": SALES,
        "lines": LINES,
        "loans": LOANS,
        "product": product.pk,
    }
    product_rows = ", ".join(f"({i}, {p.pk}, {p.business_unit_id}, {p.price})" for i, p in enumerate(products))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_product (idx int, id bigint, unit_id bigint, price bigint) ON COMMIT DROP"
        )
        cursor.execute(f"INSERT INTO bench_product VALUES {product_rows}")
        # Members: NIK = Balikpapan Tengah (647104) + birth date (day + 40 for women) + a serial;
        # the birth dates are distinct, so the NIKs are. Joined between January 2024 and December 2025.
        cursor.execute(
            """
            INSERT INTO members_member (
                cooperative_id, member_no, nik, kk, name, gender, birth_date, birth_place, address, kelurahan_id,
                phone, occupation, status, joined_on, activated_on, leave_reason, import_batch, created_at
            )
            SELECT %(coop)s, g,
                   '647104' || lpad((extract(day FROM b)::int + CASE WHEN g %% 2 = 1 THEN 40 ELSE 0 END)::text, 2, '0')
                       || to_char(b, 'MMYY') || lpad((g %% 9999 + 1)::text, 4, '0'),
                   '6471040101' || lpad((g / 4 + 1)::text, 6, '0'),
                   'Anggota ' || g, CASE WHEN g %% 2 = 1 THEN 'P' ELSE 'L' END, b, 'Balikpapan',
                   'Jl. Bench ' || g, %(kel)s, '+62812' || lpad(g::text, 7, '0'), '', 'aktif', j, j, '', 'bench',
                   now()
            FROM generate_series(1, %(members)s) g
            CROSS JOIN LATERAL (SELECT DATE '1960-01-01' + g AS b, DATE '2024-01-02' + (g * 37) %% 720 AS j) d
            """,
            args,
        )
        # Savings: pokok on joining; wajib on the 10th of each month after joining up to November
        # 2026 (a month skipped when member_no + month number is a multiple of 11); sukarela in 2025
        # for even member numbers (a deposit in June, a smaller withdrawal in September).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_saving ON COMMIT DROP AS
            SELECT m.id AS member_id, 'pokok'::text AS kind, 'setor'::text AS type, 50000::bigint AS amount,
                   m.joined_on AS date
            FROM members_member m WHERE m.cooperative_id = %(coop)s
            UNION ALL
            SELECT m.id, 'wajib', 'setor', 20000, d::date
            FROM members_member m
            CROSS JOIN LATERAL generate_series(
                date_trunc('month', m.joined_on) + interval '1 month 9 days', DATE '2026-11-10', interval '1 month'
            ) d
            WHERE m.cooperative_id = %(coop)s
              AND (m.member_no + extract(year FROM d)::int * 12 + extract(month FROM d)::int) %% 11 <> 0
            UNION ALL
            SELECT m.id, 'sukarela', t.type, t.amount, t.date
            FROM members_member m
            CROSS JOIN LATERAL (VALUES
                ('setor', 100000 * (1 + m.member_no %% 5), DATE '2025-06-15'),
                ('tarik', 50000, DATE '2025-09-15')
            ) t(type, amount, date)
            WHERE m.cooperative_id = %(coop)s AND m.member_no %% 2 = 0
            """,
            args,
        )
        cursor.execute(
            """
            INSERT INTO savings_savingsaccount (cooperative_id, member_id, kind, balance, wajib_amount, opened_on)
            SELECT %(coop)s, member_id, kind, SUM(CASE WHEN type = 'setor' THEN amount ELSE -amount END), NULL,
                   MIN(date)
            FROM bench_saving GROUP BY member_id, kind
            """,
            args,
        )
        cursor.execute(
            """
            INSERT INTO savings_savingstransaction (
                cooperative_id, account_id, member_id, kind, type, channel, amount, balance_after, date, reference,
                memo, journal_entry_id, created_at
            )
            SELECT %(coop)s, a.id, s.member_id, s.kind, s.type, 'tunai', s.amount,
                   SUM(CASE WHEN s.type = 'setor' THEN s.amount ELSE -s.amount END)
                       OVER (PARTITION BY s.member_id, s.kind ORDER BY s.date ROWS UNBOUNDED PRECEDING),
                   s.date, '', '', %(entry)s, now()
            FROM bench_saving s
            JOIN savings_savingsaccount a
              ON a.cooperative_id = %(coop)s AND a.member_id = s.member_id AND a.kind = s.kind
            """,
            args,
        )
        # Sales: sale s has 1 + (4s mod 9) lines (the last one takes what makes exactly LINES),
        # a day of 2025, a buyer for four sales in five (member numbers skewed: the product of
        # two pseudo-random numbers, so low numbers buy often and high numbers rarely).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_sale ON COMMIT DROP AS
            SELECT s, 1 + (4 * s) %% 9 AS n,
                   DATE '2025-01-01' + abs(hashint4(3 * s)) %% 365 AS date,
                   CASE WHEN s %% 5 <> 0
                        THEN 1 + (abs(hashint4(s)) %% 10000)::bigint * (abs(hashint4(s + 7777777)) %% 10000) / 10000
                   END AS member_no
            FROM generate_series(0, %(sales)s - 1) s
            """,
            args,
        )
        cursor.execute(
            "UPDATE bench_sale SET n = %(lines)s - (SELECT SUM(n) FROM bench_sale WHERE s < %(sales)s - 1) "
            "WHERE s = %(sales)s - 1",
            args,
        )
        cursor.execute("SELECT min(n), SUM(n) FROM bench_sale")
        low, total = cursor.fetchone()
        if low < 1 or total != LINES:
            raise SystemExit(f"sales plan wrong: smallest sale {low} lines, {total} lines in all")
        # Lines: k-th line of sale s is product (h(s) + 7k) mod 50 (distinct within a sale),
        # 1–4 units at the product's price, cost 85 %; one line in 250 has one unit returned, and
        # one sale in 1,000 is voided (every line returned in full, status voided, as the till does).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_line ON COMMIT DROP AS
            SELECT b.s, p.id AS product_id, p.unit_id, q.qty, p.price AS unit_price, q.qty * p.price AS line_total,
                   q.qty * (p.price * 85 / 100) AS cost,
                   CASE WHEN b.s %% 1000 = 1 THEN q.qty
                        WHEN abs(hashint4(16 * b.s + k + 7)) %% 250 = 0 THEN 1 ELSE 0 END AS qty_returned
            FROM bench_sale b
            CROSS JOIN LATERAL generate_series(0, b.n - 1) k
            JOIN bench_product p ON p.idx = (abs(hashint4(b.s)) + 7 * k) %% 50
            CROSS JOIN LATERAL (SELECT 1 + abs(hashint4(16 * b.s + k)) %% 4 AS qty) q
            """,
            args,
        )
        indexes = _drop_plain_indexes(cursor, ["shop_sale", "shop_saleline"])
        cursor.execute(
            """
            INSERT INTO shop_sale (
                cooperative_id, sale_no, date, location_id, member_id, is_member_sale, buyer_nik, buyer_name, status,
                payment_method, payment_reference, total, cost_total, commission_total, total_returned, change,
                journal_entry_id, created_at
            )
            SELECT %(coop)s, 'BS-' || lpad(b.s::text, 7, '0'), b.date, %(gerai)s, m.id, m.id IS NOT NULL,
                   coalesce(m.nik, ''), coalesce(m.name, ''),
                   CASE WHEN b.s %% 1000 = 1 THEN 'voided' ELSE 'completed' END,
                   CASE WHEN b.s %% 3 = 0 THEN 'qris' ELSE 'tunai' END, '', t.total, t.cost, 0, t.returned, 0,
                   %(entry)s, now()
            FROM bench_sale b
            JOIN (SELECT s, SUM(line_total) AS total, SUM(cost) AS cost, SUM(qty_returned * unit_price) AS returned
                  FROM bench_line GROUP BY s) t ON t.s = b.s
            LEFT JOIN members_member m ON m.cooperative_id = %(coop)s AND m.member_no = b.member_no
            ORDER BY b.date, b.s
            """,
            args,
        )
        cursor.execute(
            """
            INSERT INTO shop_saleline (
                cooperative_id, sale_id, product_id, business_unit_id, qty, unit_price, line_total, cost,
                commission, qty_returned
            )
            SELECT %(coop)s, sa.id, l.product_id, l.unit_id, l.qty, l.unit_price, l.line_total, l.cost, 0,
                   l.qty_returned
            FROM bench_line l
            JOIN shop_sale sa ON sa.cooperative_id = %(coop)s AND sa.sale_no = 'BS-' || lpad(l.s::text, 7, '0')
            ORDER BY sa.id
            """,
            args,
        )
        # Loans: member numbers 3, 13, 23, ... get one loan each, disbursed on the 15th of January–June
        # 2025, 24 months flat 12 % a year; instalments paid monthly on the 15th up to October 2026.
        cursor.execute(
            """
            CREATE TEMP TABLE bench_loan ON COMMIT DROP AS
            SELECT g AS loan_no, m.id AS member_id, 1000000 * (1 + g %% 10) AS principal,
                   DATE '2025-01-15' + make_interval(months => g %% 6) AS disbursed_on
            FROM generate_series(1, %(loans)s) g
            JOIN members_member m ON m.cooperative_id = %(coop)s AND m.member_no = 10 * (g - 1) + 3
            """,
            args,
        )
        cursor.execute(
            """
            CREATE TEMP TABLE bench_instalment ON COMMIT DROP AS
            SELECT b.loan_no, k, (b.disbursed_on + make_interval(months => k))::date AS date,
                   b.principal / 24 AS principal, b.principal / 100 AS interest
            FROM bench_loan b CROSS JOIN LATERAL generate_series(1, 24) k
            WHERE (b.disbursed_on + make_interval(months => k))::date <= DATE '2026-10-31'
            """,
            args,
        )
        cursor.execute(
            """
            INSERT INTO loans_loan (
                cooperative_id, loan_no, member_id, product_id, status, method, rate_pa, term_months, principal,
                purpose, applied_on, needs_board, decided_on, rejection_reason, disbursed_on, disbursement_channel,
                admin_fee, provision_fee, fees_deducted, penalty_rate_pm, grace_days, borrower_is_member,
                outstanding_principal, principal_paid, interest_paid, penalty_paid, written_off_amount,
                recovered_amount, days_past_due, collectibility, created_at
            )
            SELECT %(coop)s, b.loan_no, b.member_id, %(product)s, 'active', 'flat', 12, 24, b.principal,
                   '', b.disbursed_on::date - 3, false, b.disbursed_on::date - 2, '', b.disbursed_on::date, 'tunai',
                   0, 0, true, 2, 3, true,
                   b.principal - p.principal, p.principal, p.interest, 0, 0, 0, 0, 'lancar', now()
            FROM bench_loan b
            JOIN (SELECT loan_no, SUM(principal) AS principal, SUM(interest) AS interest
                  FROM bench_instalment GROUP BY loan_no) p ON p.loan_no = b.loan_no
            """,
            args,
        )
        cursor.execute(
            """
            INSERT INTO loans_loantransaction (
                cooperative_id, loan_id, type, date, amount, principal, interest, penalty, fees, channel, reference,
                allocation, outstanding_after, journal_entry_id, memo, created_at
            )
            SELECT %(coop)s, l.id, 'pencairan', l.disbursed_on, l.principal, l.principal, 0, 0, 0, 'tunai', '',
                   '[]'::jsonb, l.principal, %(entry)s, '', now()
            FROM loans_loan l WHERE l.cooperative_id = %(coop)s
            UNION ALL
            SELECT %(coop)s, l.id, 'angsuran', i.date, i.principal + i.interest, i.principal, i.interest, 0, 0,
                   'tunai', '', '[]'::jsonb, l.principal - i.k * i.principal, %(entry)s, '', now()
            FROM bench_instalment i
            JOIN loans_loan l ON l.cooperative_id = %(coop)s AND l.loan_no = i.loan_no
            """,
            args,
        )
    with connection.cursor() as cursor:
        # What sale_create and the return approvals keep as they go (shop.purchase_totals): each member's
        # purchases per unit and month, net of returns; the same statement as migration shop 0003's backfill.
        cursor.execute(
            """
            INSERT INTO shop_memberpurchasemonth (cooperative_id, member_id, business_unit_id, month, amount)
            SELECT s.cooperative_id, s.member_id, l.business_unit_id, date_trunc('month', s.date)::date,
                   SUM((l.qty - l.qty_returned) * l.unit_price)
            FROM shop_saleline l JOIN shop_sale s ON s.id = l.sale_id
            WHERE s.cooperative_id = %s AND s.is_member_sale
            GROUP BY s.cooperative_id, s.member_id, l.business_unit_id, date_trunc('month', s.date)
            """,
            [coop.pk],
        )
        for definition in indexes:  # after the commit: the deferred foreign-key checks have run
            cursor.execute(definition)
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")  # the load's writes are not the measurement's to flush


def _drop_plain_indexes(cursor: Any, tables: list[str]) -> list[str]:
    """Drop the indexes of ``tables`` that back no constraint; return their definitions to rebuild them."""
    definitions = []
    for table in tables:
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename = %s
              AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)
            """,
            [table, table],
        )
        for name, definition in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')
            definitions.append(definition)
    return definitions


def measure(coop: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from koperasi.savings.choices import SavingsKind
    from koperasi.shu import selectors, services
    from koperasi.shu.calculations import ShuResult

    start, end = datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)
    kinds = [SavingsKind.POKOK, SavingsKind.WAJIB]
    lines = list(selectors.DEFAULT_ALLOCATION)

    def baseline() -> dict[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(BASELINE_SQL, [coop.pk, start, end])
            return dict(cursor.fetchall())

    def shu() -> tuple[ShuResult, dict[int, Any]]:
        checked = services.allocation_check(cooperative=coop, lines=lines, capital_kinds=kinds)
        result = selectors.shu_simulate(
            cooperative=coop, year=YEAR, shu_total=SHU_TOTAL, capital_kinds=checked, lines=lines
        )
        infos = selectors.member_infos(cooperative=coop, member_ids=list(result.members))
        return result, infos

    # Warm-up (the same cache state for both sides), counting and timing the queries.
    with CaptureQueriesContext(connection) as base_ctx:
        purchases = baseline()
    with CaptureQueriesContext(connection) as shu_ctx:
        result, infos = shu()
    samples: dict[str, list[float]] = {"baseline": [], "shu": []}
    for _ in range(REPEAT):
        for side, fn in (("baseline", baseline), ("shu", shu)):
            began = time.perf_counter()
            fn()
            samples[side].append(time.perf_counter() - began)
    base_s = statistics.median(samples["baseline"])
    shu_s = statistics.median(samples["shu"])
    ratio = shu_s / base_s

    def runs(side: str) -> str:
        return ", ".join(f"{s:.3f}" for s in samples[side])

    print(
        f"  baseline (ONE query: each member's Σ(total − total_returned) of member sales in {YEAR}) "
        f"{base_s:7.3f} s  ({runs('baseline')}) {len(base_ctx.captured_queries)} query, {len(purchases):,} members"
    )
    print(
        f"  SHU (allocation_check + shu_simulate §11 defaults + member_infos) {shu_s:7.3f} s  ({runs('shu')})  "
        f"{len(shu_ctx.captured_queries)} queries, {len(result.members):,} members in the result  "
        f"ratio {ratio:.1f}x"
    )
    print("  the SHU's queries on the warm-up run (seconds, as Django timed them):")
    for q in shu_ctx.captured_queries:
        print(f"    {float(q['time']):7.3f}  {_gist(q['sql'])}")
    met = shu_s < TARGET_SECONDS and ratio <= TARGET_RATIO
    print(
        f"  target: SHU < {TARGET_SECONDS} s and ≤ {TARGET_RATIO}× baseline — "
        f"{'PASS' if met else 'MISS'} ({shu_s:.2f} s, {ratio:.1f}×)"
    )
    print(f"  load average after the run {os.getloadavg()[0]:.2f}")
    if not met or os.environ.get("BENCH_EXPLAIN") == "1":
        explain(shu_ctx.captured_queries)
    problems = check(coop, result, infos, purchases)
    if problems:
        print("  checks: PROBLEM")
        for problem in problems:
            print(f"    {problem}")
        raise SystemExit(1)


def _gist(sql: str) -> str:
    """``SELECT … FROM "app_table" … (GROUP BY)``: enough to tell the queries apart."""
    table = sql.split('FROM "', 1)[-1].split('"', 1)[0] if 'FROM "' in sql else sql[:40]
    joins = [part.split('"', 1)[0] for part in sql.split('JOIN "')[1:]]
    shown = table + (f" ⋈ {', '.join(joins)}" if joins else "")
    return shown + (" GROUP BY" if "GROUP BY" in sql else "")


def explain(captured: list[dict[str, Any]]) -> None:
    """Print the plan of the purchases base query (``usage_bases``, basis purchases), EXPLAIN ANALYZE."""
    from django.db import connection

    found = [q["sql"] for q in captured if 'FROM "shop_memberpurchasemonth"' in q["sql"]]
    if len(found) != 1:
        print(f"  purchases base query: expected one, found {len(found)}")
        return
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + found[0])
        plan = [row[0] for row in cursor.fetchall()]
    print("  the purchases base query (shu.selectors.usage_bases, basis purchases):")
    print(f"    {found[0]}")
    for line in plan:
        print(f"    {line}")


def check(coop: Any, result: Any, infos: dict[int, Any], purchases: dict[int, int]) -> list[str]:
    """Return what is wrong with the result (empty: the sums are exact and the bases agree)."""
    from koperasi.shu import selectors
    from koperasi.shu.choices import MEMBER_POOLS, Pool

    problems = []
    if sum(p.amount for p in result.pools) != result.shu_total:
        problems.append(f"pools sum to {sum(p.amount for p in result.pools)}, not {result.shu_total}")
    for pool in result.pools:
        if pool.line.pool not in MEMBER_POOLS:
            continue
        if pool.line.pool == Pool.JASA_MODAL:
            parts = [m.jasa_modal for m in result.members.values()]
        else:
            parts = [a for m in result.members.values() for unit, _, _, a in m.usage if unit == pool.line.unit]
        if any(part < 0 for part in parts):
            problems.append(f"{pool.line.key}: a negative part")
        if sum(parts) + pool.remainder != pool.amount:
            problems.append(f"{pool.line.key}: parts {sum(parts)} + remainder {pool.remainder} ≠ pool {pool.amount}")
        print(
            f"  check {pool.line.key:<26} pool {pool.amount:>12,}  Σ {len(parts):>6,} parts {sum(parts):>12,}  "
            f"remainder {pool.remainder:>6,}  {'ok' if sum(parts) + pool.remainder == pool.amount else 'WRONG'}"
        )
    if set(infos) != set(result.members):
        problems.append(f"member_infos gave {len(infos)} members for {len(result.members)} in the result")
    gerai = selectors.usage_bases(cooperative=coop, year=YEAR, unit_code="gerai_sembako", basis="purchases")
    apotek = selectors.usage_bases(cooperative=coop, year=YEAR, unit_code="apotek", basis="purchases")
    combined = {m: gerai.get(m, 0) + apotek.get(m, 0) for m in set(gerai) | set(apotek)}
    expected = {m: v for m, v in purchases.items() if v > 0}
    differ = sum(1 for m in set(combined) | set(expected) if combined.get(m, 0) != expected.get(m, 0))
    if differ:
        problems.append(f"{differ} members' gerai + apotek purchase bases differ from the baseline's sums")
    print(
        f"  check: gerai + apotek purchase bases = the baseline's per-member sums for {len(expected):,} members: "
        f"{'ok' if not differ else 'WRONG'}; pools sum to the SHU total: "
        f"{'ok' if sum(p.amount for p in result.pools) == result.shu_total else 'WRONG'}"
    )
    return problems


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--child":
        child()
    else:
        main()
