"""Member import benchmark (not a test): rows per second from Excel, validation and writing apart.

``make bench`` runs it after the ledger benchmark; alone: ``.venv/bin/python bench/members_import.py``.
Like ``bench/ledger.py`` each database gets its own process and its own throw-away database
(SQLite in a temporary directory; PostgreSQL ``koperasi_bench`` dropped afterwards).

members_import: an .xlsx of 10,000 valid, distinct members (NIKs with real birth dates, men
and women, Balikpapan kelurahan codes; built in memory, not timed) goes through the three
phases of an import into a fresh cooperative, each timed on its own:
``importing.import_parse`` (reading the workbook), ``importing.import_check`` (validation:
every row through ``member_data_check``, kelurahan codes and existing NIKs looked up once)
and ``importing.members_import`` (writing: one transaction, cooperative lock, NIK re-check,
bulk insert of the members and their status rows, one audit row). The baseline, in the same
run, is the database's own write speed for the same rows: a plain ``bulk_create`` of the
10,000 ``Member`` rows with precomputed values in one transaction (and, like for like with
the service, plus their ``MemberStatusChange`` rows). Each round uses fresh cooperatives and
alternates which side goes first; the figures are medians over the rounds. Last, the same
file checked again reports every row "already registered" (an import re-run creates nothing).
openpyxl writes text cells inline where Excel writes a shared-strings table; reading the two
forms differs by under 20 % (measured while writing this benchmark).

Environment: ``BENCH_IMPORT_ROWS`` (10000), ``BENCH_IMPORT_ROUNDS`` (3).
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from ledger import run_per_database  # noqa: E402  (bench/ledger.py)

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))
ROUNDS = int(os.environ.get("BENCH_IMPORT_ROUNDS", "3"))
TODAY = datetime.date(2026, 6, 30)
T = TypeVar("T")


# --- Parent: one child process per database ---------------------------------------------------
def main() -> None:
    run_per_database(Path(__file__).resolve(), "koperasi-bench-import-")


# --- The workbook -------------------------------------------------------------------------------
def _nik(i: int) -> str:
    """A valid, distinct NIK: Balikpapan Tengah, born 1 January 1960 + i days, women on odd i."""
    born = datetime.date(1960, 1, 1) + datetime.timedelta(days=i)
    day = born.day + (40 if i % 2 else 0)
    return f"647104{day:02d}{born:%m%y}{i % 9999 + 1:04d}"


def build_xlsx(n: int, kelurahan: list[str]) -> bytes:
    """Return an .xlsx like a filled template: the header and ``n`` members, NIK/KK as text."""
    from openpyxl import Workbook

    from koperasi.members.importing import SHEET_TITLE, TEMPLATE_COLUMNS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append(list(TEMPLATE_COLUMNS))
    for i in range(n):
        sheet.append(
            [
                _nik(i),
                f"647104{i % 28 + 1:02d}0120{i % 9999 + 1:04d}",
                f"Anggota Uji {i + 1}",
                "Balikpapan",
                f"Jl. Jenderal Sudirman No. {i % 300 + 1} RT {i % 40 + 1:02d}",
                kelurahan[i % len(kelurahan)],
                f"0812{i:08d}",
                "Wiraswasta",
                datetime.datetime(2025, 1, 1) + datetime.timedelta(days=i % 365),
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Child: Django configured for one database ------------------------------------------------
def timed(fn: Callable[[], T]) -> tuple[T, float, int]:
    """Run ``fn``; return its result, seconds and queries (BEGIN/COMMIT/SAVEPOINT not counted)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        start = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - start
    queries = sum(
        not q["sql"].upper().startswith(("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE")) for q in ctx.captured_queries
    )
    return result, seconds, queries


def child(vendor: str) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "koperasi.config.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction

    from koperasi.cooperatives.services import cooperative_register
    from koperasi.members import importing
    from koperasi.members.models import Member, MemberStatusChange
    from koperasi.regions.models import VILLAGE_LEVELS, Region

    if connection.vendor != vendor:
        raise SystemExit(f"expected a {vendor} database, settings give {connection.vendor}")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    actor = get_user_model().objects.create_user("bench-sekretaris", password="bench-rahasia-123")
    villages = list(
        Region.objects.filter(code__startswith="64.71.", level__in=VILLAGE_LEVELS).values_list("code", flat=True)
    )
    if len(villages) < 2 * ROUNDS:
        raise SystemExit(f"need {2 * ROUNDS} kelurahan for the cooperatives, found {len(villages)}")
    start = time.perf_counter()
    content = build_xlsx(ROWS, villages)
    build_s = time.perf_counter() - start
    batch_id = importing.upload_key(content)

    def baseline(cooperative: Any, data: list[Any]) -> tuple[float, float]:
        """Plain bulk_create of the same members (values precomputed), then of their status rows."""
        members = [
            Member(
                cooperative=cooperative,
                member_no=i + 1,
                status="calon",
                import_batch=batch_id,
                created_by=actor,
                nik=d.nik,
                kk=d.kk,
                name=d.name,
                gender=d.gender,
                birth_date=d.birth_date,
                birth_place=d.birth_place,
                address=d.address,
                kelurahan_id=d.kelurahan_code,
                phone=d.phone,
                occupation=d.occupation,
                joined_on=d.joined_on,
            )
            for i, d in enumerate(data)
        ]
        start = time.perf_counter()
        with transaction.atomic():
            Member.objects.bulk_create(members)
        members_s = time.perf_counter() - start
        changes = [
            MemberStatusChange(
                cooperative=cooperative,
                member_id=m.pk,
                from_status="",
                to_status="calon",
                date=m.joined_on,
                changed_by=actor,
            )
            for m in members
        ]
        start = time.perf_counter()
        with transaction.atomic():
            MemberStatusChange.objects.bulk_create(changes)
        return members_s, members_s + time.perf_counter() - start

    samples: dict[str, list[float]] = {k: [] for k in ("parse", "check", "write", "base", "base_all")}
    queries: dict[str, int] = {}
    for r in range(ROUNDS):
        service_coop = cooperative_register(
            code=f"bench-impor-{r}", name=f"KKMP Bench Impor {r}", kelurahan_code=villages[2 * r], actor=actor
        )
        baseline_coop = cooperative_register(
            code=f"bench-dasar-{r}", name=f"KKMP Bench Dasar {r}", kelurahan_code=villages[2 * r + 1], actor=actor
        )

        def service(coop: Any = service_coop) -> list[Any]:
            rows, parse_s, _ = timed(lambda: importing.import_parse("anggota.xlsx", content))
            checked, check_s, check_q = timed(lambda: importing.import_check(cooperative=coop, rows=rows, today=TODAY))
            if len(checked.valid) != ROWS:
                problems = [f"{c.row_no}: {c.reasons or c.note}" for c in checked.rows if c.status != "valid"][:5]
                raise SystemExit(f"expected {ROWS} valid rows, got {len(checked.valid)}: {problems}")
            result, write_s, write_q = timed(
                lambda: importing.members_import(
                    cooperative=coop, rows=checked.valid_data, actor=actor, batch_id=batch_id, file_name="anggota.xlsx"
                )
            )
            if (result.created, result.first_no, result.last_no) != (ROWS, 1, ROWS):
                raise SystemExit(f"import wrote {result}")
            samples["parse"].append(parse_s)
            samples["check"].append(check_s)
            samples["write"].append(write_s)
            queries.update(check=check_q, write=write_q)
            return checked.valid_data

        if r % 2 == 0:
            data = service()
            base_s, base_all_s = baseline(baseline_coop, data)
        else:
            # The baseline needs checked data; take it from a check of an untouched cooperative.
            rows = importing.import_parse("anggota.xlsx", content)
            data = importing.import_check(cooperative=baseline_coop, rows=rows, today=TODAY).valid_data
            base_s, base_all_s = baseline(baseline_coop, data)
            service()
        samples["base"].append(base_s)
        samples["base_all"].append(base_all_s)
        last_coop = service_coop
    rows = importing.import_parse("anggota.xlsx", content)
    recheck = timed(lambda: importing.import_check(cooperative=last_coop, rows=rows, today=TODAY))
    counted = Member.objects.filter(import_batch=batch_id).count()
    expected = 2 * ROUNDS * ROWS
    if counted != expected:
        raise SystemExit(f"expected {expected:,} members with the batch id, found {counted:,}")

    med = {k: statistics.median(v) for k, v in samples.items()}
    total = med["parse"] + med["check"] + med["write"]

    def rate(seconds: float) -> str:
        return f"{ROWS / seconds:9,.0f} rows/s"

    print(
        f"members_import  vendor={vendor}  {ROWS:,} members from one .xlsx ({len(content) / 1024:,.0f} KB, "
        f"built in {build_s:.1f} s), median of {ROUNDS} rounds, fresh cooperatives each round"
    )
    print(f"  {'phase':<38} {'seconds':>8}  {'speed':>14}  share  queries")
    lines = [
        ("import_parse   (reading the .xlsx)", med["parse"], ""),
        ("import_check   (validation)", med["check"], f"{queries['check']}"),
        ("members_import (writing)", med["write"], f"{queries['write']}"),
    ]
    for label, seconds, q in lines:
        print(f"  {label:<38} {seconds:8.3f}  {rate(seconds)}  {100 * seconds / total:4.0f} %  {q}")
    print(f"  {'total (upload to members)':<38} {total:8.3f}  {rate(total)}")
    print(
        f"  {'baseline: bulk_create Member':<38} {med['base']:8.3f}  {rate(med['base'])}"
        f"  writing runs at {100 * med['base'] / med['write']:.0f} % of it"
    )
    print(
        f"  {'baseline: + MemberStatusChange':<38} {med['base_all']:8.3f}  {rate(med['base_all'])}"
        f"  writing runs at {100 * med['base_all'] / med['write']:.0f} % of it (same rows as the service)"
    )
    (checked, recheck_s, recheck_q) = recheck
    print(
        f"  re-run check of the same file: {len(checked.registered):,} already registered, {len(checked.valid)} new,"
        f" {len(checked.refused)} refused  ({recheck_s:.3f} s, {recheck_q} queries)"
    )
    print(f"  ({vendor} total {time.perf_counter() - started:.0f} s including migrate and building the file)")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--child":
        child(sys.argv[2])
    else:
        main()
