"""Loans month-end benchmark (not a test): 100,000 active loans across 34 cooperatives, PostgreSQL only.

``make bench`` runs it after the savings benchmark; alone: ``.venv/bin/python bench/loans_month_end.py``.
It makes its own database, ``koperasi_bench_loans`` on the server of ``BENCH_POSTGRES_URL`` (else of
``DATABASE_URL`` when that is PostgreSQL, else ``postgres://postgres@127.0.0.1:5432``), dropped and
re-created at the start and dropped at the end (``BENCH_KEEP_DB=1`` keeps it). Without a reachable
PostgreSQL server it prints "skipped": the figures are for the production database only (SQLite runs
a cooperative or two on a laptop, never 100,000 loans).

Data, bulk loaded by SQL (``INSERT ... SELECT generate_series``, not through the services, which
would take an hour): 34 cooperatives of Balikpapan registered by the service (chart of accounts,
ledger head), two products each (flat 12 %, penalty 2 %/month after 3 days; flat 15 %, 1,5 % after
5 days), one active member per loan, ``BENCH_LOANS`` (100,000) active flat loans of Rp1–20 juta:
two in three over 12 months disbursed 35–364 days before the run date, one in three over 24 months
disbursed 35–694 days before. Every loan has paid its instalments due more than ``lag`` days before
the run date, where ``lag`` is 0 for 80 % of the loans (up to date) and 20, 60, 120, 200 or 400 days
for the rest, so the four classes and every aging bucket are present. Paid instalments are settled
with their principal and interest; the loan's paid and outstanding principal agree with them.
(The ledger holds no disbursement entries: the batch only reads and posts the allowance accounts.)
The plain indexes of the instalments are built after the load, then VACUUM ANALYZE and CHECKPOINT.

Measured in the same run:
- baseline: ONE SQL query computing days past due for every loan of every cooperative,
  ``SELECT loan_id, date − MIN(due_date) FROM instalments WHERE NOT settled AND due_date < date
  GROUP BY loan_id`` (median of 5 after a warm-up run);
- batch: ``manage.py loans_month_end --date <date> --workers 2`` (the command's code path):
  penalty accrual, days past due and class stored on every active loan, the allowance posted,
  per cooperative in one transaction, two cooperatives at a time;
- reference: the rows the batch must write (every active loan, every overdue unpaid instalment)
  rewritten by two bare UPDATEs without any computation, rolled back. The batch cannot be
  faster than writing its rows; on this schema (fill factor 100 %, 7 indexes on loans and 5
  on instalments, so no HOT update after a bulk load) that alone is ~19× the baseline.
Targets (issue 5): the batch in under 60 s on this 2-core machine, and within 10× the baseline.
After the run the stored days past due are checked against the baseline query's, and the
allowance booked in the ledger against the runs' required allowance.

Environment: ``BENCH_LOANS`` (100000), ``BENCH_COOPS`` (34), ``BENCH_WORKERS`` (2),
``BENCH_FILLFACTOR`` (unset: the schema's 100 %; e.g. 80 sets the fill factor of loans and
instalments before the load, to see what free space in the pages — HOT updates — would give).
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ledger import run_child_on_database  # noqa: E402  (bench/ledger.py)

BENCH_DB = "koperasi_bench_loans"
LOANS = int(os.environ.get("BENCH_LOANS", "100000"))
COOPS = int(os.environ.get("BENCH_COOPS", "34"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
FILLFACTOR = int(os.environ.get("BENCH_FILLFACTOR", "0"))  # 0: the schema's (100 %)
TARGET_SECONDS = 60
TARGET_RATIO = 10


def main() -> None:
    run_child_on_database(
        Path(__file__).resolve(),
        BENCH_DB,
        "loans_month_end",
        "this benchmark measures PostgreSQL only (SQLite is not a 100,000-loan database).",
    )


# --- Child: Django on the bench database ------------------------------------------------------------


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
    from koperasi.ledger.periods import month_start
    from koperasi.regions.models import VILLAGE_LEVELS, Region

    if connection.vendor != "postgresql":
        print("loans_month_end: skipped — PostgreSQL only (settings give SQLite).")
        return
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    run_date = month_start(timezone.localdate()) - datetime.timedelta(days=1)  # last month's end
    actor = get_user_model().objects.create_user("bench-bendahara", password="bench-rahasia-123")
    villages = list(
        Region.objects.filter(code__startswith="64.71.", level__in=VILLAGE_LEVELS)
        .order_by("code")
        .values_list("code", flat=True)[:COOPS]
    )
    if len(villages) < COOPS:
        raise SystemExit(f"need {COOPS} kelurahan of Balikpapan in the regions table, found {len(villages)}")
    for i, code in enumerate(villages):
        cooperative_register(code=f"bench-{i:02d}", name=f"KKMP Bench {i:02d}", kelurahan_code=code, actor=actor)
    load(run_date)
    loaded = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT cooperative_id) FROM loans_loan WHERE status = 'active'")
        n_loans, n_coops = cursor.fetchone()
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT settled AND due_date < %s) FROM loans_loaninstallment",
            [run_date],
        )
        n_rows, n_overdue = cursor.fetchone()
    print(
        f"loans_month_end  vendor=postgresql  {n_loans:,} active loans in {n_coops} cooperatives, "
        f"{n_rows:,} instalments ({n_overdue:,} overdue and unpaid), run date {run_date:%Y-%m-%d}"
    )
    print(f"  setup: migrate {migrated - started:.0f} s, bulk load {loaded - migrated:.0f} s")

    baseline_sql = (
        "SELECT loan_id, %s::date - MIN(due_date) FROM loans_loaninstallment "
        "WHERE NOT settled AND due_date < %s GROUP BY loan_id"
    )

    def baseline() -> dict[int, int]:
        with connection.cursor() as cursor:
            cursor.execute(baseline_sql, [run_date, run_date])
            return dict(cursor.fetchall())

    baseline()  # warm-up: the same cache state the batch will find
    samples = []
    for _ in range(5):
        start = time.perf_counter()
        late = baseline()
        samples.append(time.perf_counter() - start)
    base_s = statistics.median(samples)

    out = io.StringIO()
    start = time.perf_counter()
    call_command("loans_month_end", "--date", run_date.isoformat(), "--workers", str(WORKERS), stdout=out)
    batch_s = time.perf_counter() - start
    lines = out.getvalue().splitlines()

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, days_past_due FROM loans_loan WHERE status = 'active' AND classified_on = %s", [run_date]
        )
        stored = dict(cursor.fetchall())
        cursor.execute("SELECT collectibility, count(*) FROM loans_loan GROUP BY 1 ORDER BY 1")
        classes = ", ".join(f"{c} {n:,}" for c, n in cursor.fetchall())
        cursor.execute(
            "SELECT coalesce(sum(l.credit - l.debit), 0) FROM ledger_journalline l "
            "JOIN ledger_account a ON a.id = l.account_id WHERE a.role = 'loan_allowance'"
        )
        booked = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(sum(allowance_required), 0), count(*) FROM loans_loanmonthend")
        required, runs = cursor.fetchone()
    wrong = sum(1 for loan_id, dpd in stored.items() if dpd != late.get(loan_id, 0))
    floor_s = write_floor(run_date)
    ratio = batch_s / base_s
    print(
        f"  baseline (one SQL pass: days past due of every loan)  {base_s:7.2f} s  "
        f"{n_loans / base_s:10,.0f} loans/s  ({len(late):,} loans late)"
    )
    print(
        f"  loans_month_end --workers {WORKERS} (penalties, classes, PPAP posted) "
        f"{batch_s:7.2f} s  {n_loans / batch_s:10,.0f} loans/s  ratio {ratio:.1f}x"
    )
    print(
        f"  reference: the same rows rewritten by two bare UPDATEs (no computation, one connection, "
        f"rolled back, after the batch) {floor_s:.2f} s = {floor_s / base_s:.1f}x baseline"
    )
    print(f"  {lines[0] if lines else ''}")
    print(f"  {lines[-1] if lines else ''}")
    print(f"  classes: {classes}")
    verdict = "ok" if len(stored) == n_loans and wrong == 0 else f"PROBLEM ({len(stored):,} classified, {wrong} differ)"
    print(f"  stored days past due = baseline's for every loan: {verdict}")
    posted = "ok" if booked == required and runs == n_coops else f"PROBLEM (booked {booked}, required {required})"
    print(f"  allowance booked in the ledger = required, {runs} month-end runs: {posted}")
    met = batch_s < TARGET_SECONDS and ratio <= TARGET_RATIO
    print(
        f"  target: batch < {TARGET_SECONDS} s and ≤ {TARGET_RATIO}× baseline — "
        f"{'met' if met else 'MISSED'} ({batch_s:.1f} s, {ratio:.1f}×)"
    )


def write_floor(run_date: datetime.date) -> float:
    """Seconds to rewrite the rows the batch writes (active loans, overdue unpaid instalments), rolled back."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        start = time.perf_counter()
        cursor.execute("UPDATE loans_loan SET classified_on = classified_on WHERE status = 'active'")
        cursor.execute(
            "UPDATE loans_loaninstallment SET penalty_from = penalty_from WHERE NOT settled AND due_date < %s",
            [run_date],
        )
        elapsed = time.perf_counter() - start
        transaction.set_rollback(True)
    return elapsed


def load(run_date: datetime.date) -> None:
    """Bulk load products, members, loans and instalments with set-based SQL (see the module docstring)."""
    from django.db import connection, transaction

    from koperasi.cooperatives.models import Cooperative
    from koperasi.loans.models import LoanProduct

    coops = list(Cooperative.objects.filter(code__startswith="bench-").order_by("code"))
    products = []
    for c in coops:
        products.append(
            LoanProduct(
                cooperative=c,
                name="Pinjaman umum",
                method="flat",
                rate_pa=12,
                max_term_months=24,
                max_principal=50_000_000,
                penalty_rate_pm="2.00",
                grace_days=3,
            )
        )
        products.append(
            LoanProduct(
                cooperative=c,
                name="Pinjaman usaha",
                method="flat",
                rate_pa=15,
                max_term_months=24,
                max_principal=50_000_000,
                penalty_rate_pm="1.50",
                grace_days=5,
            )
        )
    LoanProduct.objects.bulk_create(products)
    per_coop, extra = divmod(LOANS, len(coops))
    # (cooperative id, its kelurahan, loans it gets): the first ``extra`` get one more.
    plan = [(c.pk, c.kelurahan_id, per_coop + (1 if i < extra else 0)) for i, c in enumerate(coops)]
    values = ", ".join(f"({pk}, '{kel}', {n})" for pk, kel, n in plan)
    with transaction.atomic(), connection.cursor() as cursor:
        if FILLFACTOR:  # what a table with free space in its pages (HOT updates) would give; see the docstring
            for table in ("loans_loan", "loans_loaninstallment"):
                cursor.execute(f"ALTER TABLE {table} SET (fillfactor = {FILLFACTOR})")
        cursor.execute("CREATE TEMP TABLE bench_plan (coop_id bigint, kelurahan_id text, n int) ON COMMIT DROP")
        cursor.execute(f"INSERT INTO bench_plan VALUES {values}")
        cursor.execute(
            """
            INSERT INTO members_member (
                cooperative_id, member_no, nik, kk, name, gender, birth_date, birth_place, address, kelurahan_id,
                phone, occupation, status, joined_on, activated_on, leave_reason, import_batch, created_at
            )
            SELECT p.coop_id, g,
                   '647104' || to_char(DATE '1960-01-01' + (g %% 9000), 'DDMMYY') || lpad(g::text, 4, '0'),
                   '6471040101' || lpad(g::text, 6, '0'),
                   'Anggota ' || g, 'L', DATE '1960-01-01' + (g %% 9000), '', 'Jl. Bench ' || g, p.kelurahan_id,
                   '+62812' || lpad(g::text, 7, '0'), '', 'aktif', DATE '2024-01-02', DATE '2024-01-02', '',
                   'bench', now()
            FROM bench_plan p CROSS JOIN LATERAL generate_series(1, p.n) g
            """,
            [],
        )
        # Loan g of a cooperative: member g, product by parity, disbursed 35-364 days before the
        # run date; ``lag`` (days) says how far behind it is (0: up to date).
        cursor.execute(
            """
            CREATE TEMP TABLE bench_loan ON COMMIT DROP AS
            SELECT p.coop_id, g AS loan_no, m.id AS member_id, pr.id AS product_id, pr.rate_pa,
                   pr.penalty_rate_pm, pr.grace_days,
                   1000000 * (1 + g %% 20) AS principal,
                   CASE WHEN g %% 3 = 0 THEN 24 ELSE 12 END AS term,
                   %(run)s::date - CASE WHEN g %% 3 = 0 THEN 35 + (g * 7) %% 660 ELSE 35 + (g * 7) %% 330 END
                       AS disbursed_on,
                   CASE WHEN g %% 10 < 8 THEN 0 ELSE (ARRAY[20, 60, 120, 200, 400])[1 + g %% 5] END AS lag
            FROM bench_plan p
            CROSS JOIN LATERAL generate_series(1, p.n) g
            JOIN members_member m ON m.cooperative_id = p.coop_id AND m.member_no = g
            JOIN loans_loanproduct pr ON pr.cooperative_id = p.coop_id
                 AND pr.name = CASE WHEN g %% 2 = 0 THEN 'Pinjaman umum' ELSE 'Pinjaman usaha' END
            """,
            {"run": run_date},
        )
        # What each loan has paid: its instalments due before ``run − lag`` (never the last one).
        cursor.execute(
            """
            ALTER TABLE bench_loan ADD COLUMN paid int, ADD COLUMN interest bigint;
            UPDATE bench_loan SET interest = round(principal * rate_pa / 1200)::bigint,
                paid = (SELECT count(*) FROM generate_series(1, term) k
                        WHERE (disbursed_on + make_interval(months => k))::date < %(run)s::date - lag)
            """,
            {"run": run_date},
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
            SELECT coop_id, loan_no, member_id, product_id, 'active', 'flat', rate_pa, term, principal,
                   '', disbursed_on - 3, false, disbursed_on - 2, '', disbursed_on, 'tunai',
                   0, 0, true, penalty_rate_pm, grace_days, true,
                   principal - paid * (principal / term), paid * (principal / term), paid * interest, 0, 0,
                   0, 0, 'lancar', now()
            FROM bench_loan
            """,
            [],
        )
        # Plain indexes are built after the rows, not kept up row by row (constraints stay).
        cursor.execute(
            """
            SELECT indexname, indexdef FROM pg_indexes
            WHERE tablename = 'loans_loaninstallment'
              AND indexname NOT IN (
                  SELECT conname FROM pg_constraint WHERE conrelid = 'loans_loaninstallment'::regclass
              )
            """
        )
        indexes = cursor.fetchall()
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            """
            INSERT INTO loans_loaninstallment (
                cooperative_id, loan_id, no, due_date, principal_due, interest_due, principal_paid, interest_paid,
                interest_waived, penalty_accrued, penalty_paid, penalty_from, settled, settled_on
            )
            SELECT b.coop_id, l.id, k, s.due_date,
                   CASE WHEN k = b.term THEN b.principal - (b.term - 1) * (b.principal / b.term)
                        ELSE b.principal / b.term END,
                   b.interest,
                   CASE WHEN k <= b.paid THEN b.principal / b.term ELSE 0 END,
                   CASE WHEN k <= b.paid THEN b.interest ELSE 0 END,
                   0, 0, 0, s.due_date + b.grace_days, k <= b.paid, CASE WHEN k <= b.paid THEN s.due_date END
            FROM bench_loan b
            JOIN loans_loan l ON l.cooperative_id = b.coop_id AND l.loan_no = b.loan_no
            CROSS JOIN LATERAL generate_series(1, b.term) k
            CROSS JOIN LATERAL (SELECT (b.disbursed_on + make_interval(months => k))::date AS due_date) s
            """,
            [],
        )
    with connection.cursor() as cursor:
        for _, definition in indexes:  # after the commit: the deferred foreign-key checks have run
            cursor.execute(definition)
        for table in ("members_member", "loans_loan", "loans_loaninstallment"):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("CHECKPOINT")  # the load's writes are not the batch's to flush


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--child":
        child()
    else:
        main()
