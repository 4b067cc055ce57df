"""Benchmarks (not tests): each prints its figure beside a baseline measured in the same run.

``make bench`` runs this file: the oversight benchmark here, on a throw-away SQLite database
(or ``DATABASE_URL``), then the ledger benchmarks of ``bench/ledger.py``, which make their own
databases (a temporary SQLite file and PostgreSQL ``koperasi_bench``), one process each.

oversight_list: the Dinas list (one row of figures per cooperative, from correlated
subqueries, and the subsidy totals of all of them in one more query) for N cooperatives,
against the baseline of reading the same N cooperatives with their kelurahan and kecamatan
and nothing else. The ratio says what the figures cost.

ledger_post and ledger_trial_balance: see ``bench/ledger.py``.

members_import (10,000 members from Excel, validation and writing apart): see ``bench/members_import.py``.

savings_deposit (deposits per second through the service beside journal_post of the same lines):
see ``bench/savings.py``.

loans_month_end (the month-end batch over 100,000 loans in 34 cooperatives beside one SQL pass of
days past due; PostgreSQL only): see ``bench/loans_month_end.py``.

pos_latency (POS sales through the HTTP API, gunicorn on PostgreSQL, at 1, 8 and 32 concurrent
clients, beside a cheap authenticated GET of the same app; PostgreSQL only): see ``bench/pos_latency.py``.

subsidy_quota (sales of LPG 3 kg checked against the buyer's quota beside plain sales with a buyer NIK,
through the same service in the same run, over 20,000 earlier distributions; PostgreSQL only): see
``bench/subsidy_quota.py``.

shu_compute (the SHU simulation with the domain.md §11 defaults for one cooperative with 10,000
members and 1,000,000 sale lines, beside one SQL query summing each member's purchases; PostgreSQL
only): see ``bench/shu_compute.py``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koperasi.config.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["KOPERASI_VAR_DIR"] = tempfile.mkdtemp(prefix="koperasi-bench-")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

N_KECAMATAN = int(os.environ.get("BENCH_KECAMATAN", "40"))
N_PER_KECAMATAN = int(os.environ.get("BENCH_PER_KECAMATAN", "50"))
REPEAT = 5


def setup_data() -> None:
    from koperasi.cooperatives.choices import PRESCRIBED_UNITS
    from koperasi.cooperatives.models import BusinessUnit, Cooperative, LegalRecord, Partner
    from koperasi.regions.loading import regions_load

    rows = [{"code": "99", "name": "Provinsi Uji"}, {"code": "99.71", "name": "Kota Uji"}]
    for k in range(1, N_KECAMATAN + 1):
        rows.append({"code": f"99.71.{k:02d}", "name": f"Kecamatan {k}"})
        for v in range(1, N_PER_KECAMATAN + 1):
            rows.append({"code": f"99.71.{k:02d}.{1000 + v}", "name": f"Kelurahan {k}-{v}"})
    regions_load(rows)
    villages = [r["code"] for r in rows if r["code"].count(".") == 3]
    stages = ["usulan", "musyawarah", "berbadan_hukum", "perizinan", "pembangunan", "beroperasi"]
    coops = Cooperative.objects.bulk_create(
        Cooperative(code=f"uji-{i}", name=f"KKMP Uji {i}", kelurahan_id=code, stage=stages[i % len(stages)])
        for i, code in enumerate(villages)
    )
    BusinessUnit.objects.bulk_create(
        BusinessUnit(cooperative=c, code=code, name=name, is_prescribed=True, status="aktif" if j < 2 else "belum")
        for c in coops
        for j, (code, name) in enumerate(PRESCRIBED_UNITS)
    )
    LegalRecord.objects.bulk_create(
        LegalRecord(cooperative=c, kind=kind, status="terbit", number="1")
        for c in coops
        for kind in ("musyawarah", "akta_pendirian", "sk_ahu")
    )
    Partner.objects.bulk_create(Partner(cooperative=c, name="Perum Bulog") for c in coops[::3])


def timed(fn) -> tuple[float, int]:
    samples = []
    queries = 0
    for _ in range(REPEAT):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            fn()
            samples.append(time.perf_counter() - start)
        queries = len(ctx.captured_queries)
    return statistics.median(samples) * 1000, queries


def main() -> None:
    call_command("migrate", verbosity=0)
    setup_data()
    from django.contrib.auth import get_user_model

    from koperasi.cooperatives.models import Cooperative
    from koperasi.core.models import RegionalRole
    from koperasi.oversight.selectors import oversight_items, oversight_queryset

    user = get_user_model().objects.create_user("dinas-bench", password="x")
    RegionalRole.objects.create(user=user, role="dinas", region_id="99.71")
    n = Cooperative.objects.filter(kelurahan__code__startswith="99.71.").count()

    def baseline() -> None:
        rows = Cooperative.objects.select_related("kelurahan__parent").filter(kelurahan__code__startswith="99.71.")
        [(c.code, c.name, c.kelurahan.name, c.kelurahan.parent.name, c.stage) for c in rows]

    def oversight() -> None:
        oversight_items(oversight_queryset(user=user, region_code="99.71"))

    base_ms, base_q = timed(baseline)
    over_ms, over_q = timed(oversight)
    print(f"oversight_list  n={n} cooperatives  vendor={connection.vendor}")
    print(f"  baseline (plain list)     {base_ms:8.1f} ms  {base_q} queries")
    print(f"  oversight (with figures)  {over_ms:8.1f} ms  {over_q} queries  ratio {over_ms / base_ms:.1f}x")
    print(flush=True)
    # Ledger benchmarks: their own databases, one process per database (settings are per process).
    subprocess.run([sys.executable, "-u", str(ROOT / "bench" / "ledger.py")], check=True)
    print(flush=True)
    # Member import from Excel: its own databases too (see bench/members_import.py).
    subprocess.run([sys.executable, "-u", str(ROOT / "bench" / "members_import.py")], check=True)
    print(flush=True)
    # Savings deposits: their own databases too (see bench/savings.py).
    subprocess.run([sys.executable, "-u", str(ROOT / "bench" / "savings.py")], check=True)
    print(flush=True)
    # Loans month-end: its own PostgreSQL database (see bench/loans_month_end.py).
    subprocess.run([sys.executable, "-u", str(ROOT / "bench" / "loans_month_end.py")], check=True)
    print(flush=True)
    # POS latency through the API under gunicorn: its own PostgreSQL database (see bench/pos_latency.py).
    subprocess.run([sys.executable, "-u", str(ROOT / "bench" / "pos_latency.py")], check=True)
    print(flush=True)
    # The subsidy quota check at the till: its own PostgreSQL database (see bench/subsidy_quota.py).
    subprocess.run([sys.executable, "-u", str(ROOT / "bench" / "subsidy_quota.py")], check=True)
    print(flush=True)
    # The SHU computation over a year of 1,000,000 sale lines: its own PostgreSQL database (see bench/shu_compute.py).
    subprocess.run([sys.executable, "-u", str(ROOT / "bench" / "shu_compute.py")], check=True)


if __name__ == "__main__":
    main()
