"""Parallel tills and registrations on real PostgreSQL connections (issue 7: "16 parallel sales to the same KK").

Every sale of a programme product locks the product row before the till reads the quota,
so parallel sales to one household queue there and each reads the distributions committed
before it (ADR 0006): the accepted quantity never exceeds a quota. The ledger, stock and
sub-ledger checks of the autouse fixture run after each test.
"""

from __future__ import annotations

import datetime
import threading
import time
from collections import Counter
from typing import Any

import pytest
from django.db import connection, transaction

from koperasi.core.errors import DomainError
from tests.shop.test_concurrency import _ok, _run_parallel
from tests.subsidies.conftest import KK_A, NIK_A1, kk_a_nik

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
D = datetime.date
DAY = D(2026, 3, 10)


def _sell(coop: Any, product: Any, qty: int, actor: Any, day: D = DAY, **extra: Any) -> Any:
    from koperasi.shop.services import SaleLineInput, sale_create

    def job() -> str:
        sale = sale_create(cooperative=coop, date=day, lines=[SaleLineInput(product.pk, qty)], actor=actor, **extra)
        return str(sale.pk)

    return job


def _kk_net(kk: str) -> int:
    from koperasi.subsidies.models import Distribution

    rows = Distribution.objects.filter(kk=kk, date__range=(D(2026, 3, 1), D(2026, 3, 31)))
    return sum(q - r for q, r in rows.values_list("sale_line__qty", "sale_line__qty_returned"))


def test_sixteen_parallel_sales_to_one_household_at_the_quota_edge(
    coop: Any, stocked: Any, lpg: Any, lpg_kk_program: Any, register: Any, kasir: Any, grant: Any
) -> None:
    from koperasi.shop.models import Product, Sale
    from koperasi.subsidies.models import Distribution

    niks = [kk_a_nik(serial) for serial in range(1, 17)]
    for i, nik in enumerate(niks, start=1):
        register(nik=nik, name=f"Anggota keluarga {i}")
    # Household A has used 7 of its 10 this month.
    _sell(coop, lpg, 4, kasir, day=D(2026, 3, 3), buyer_nik=niks[0])()
    _sell(coop, lpg, 3, kasir, day=D(2026, 3, 8), buyer_nik=niks[1])()
    assert Product.objects.get(pk=lpg.pk).stock_qty == 13
    cashiers = [kasir] + [grant(coop, "kasir", username=f"kasir-{i}") for i in range(2, 17)]

    messages: list[str] = []
    outcomes = _run_parallel(
        [_sell(coop, lpg, 1, cashier, buyer_nik=nik) for cashier, nik in zip(cashiers, niks, strict=True)], messages
    )
    assert _ok(outcomes) == Counter({"ok": 3, "quota_exceeded": 13}), outcomes
    assert all("Kuota KK bulan ini tersisa 0 tabung (batas 10 tabung per KK per bulan)" in m for m in messages)
    assert _kk_net(KK_A) == 10
    assert Product.objects.get(pk=lpg.pk).stock_qty == 10  # exactly 3 more went out
    assert Sale.objects.count() == Distribution.objects.count() == 5
    assert list(Distribution.objects.filter(date=DAY).values_list("qty", flat=True)) == [1, 1, 1]
    # Only the sale that used the last unit reached the limit.
    assert list(Distribution.objects.order_by("pk").values_list("reached_limit", flat=True)) == [
        False,
        False,
        False,
        False,
        True,
    ]


def test_one_nik_from_eight_tills_buys_once_a_day(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, grant: Any
) -> None:
    from koperasi.shop.models import Product, Sale
    from koperasi.subsidies.models import Distribution

    cashiers = [kasir] + [grant(coop, "kasir", username=f"kasir-{i}") for i in range(2, 9)]
    outcomes = _run_parallel([_sell(coop, lpg, 1, cashier, buyer_nik=NIK_A1) for cashier in cashiers])
    assert _ok(outcomes) == Counter({"ok": 1, "quota_exceeded": 7}), outcomes
    assert Sale.objects.count() == Distribution.objects.count() == 1
    assert Product.objects.get(pk=lpg.pk).stock_qty == 19


def test_the_same_nik_registered_from_four_places_at_once(coop: Any, kasir: Any, grant: Any) -> None:
    from koperasi.core.models import AuditEvent
    from koperasi.subsidies.models import Recipient
    from koperasi.subsidies.services import recipient_register

    staff = [kasir] + [grant(coop, "kasir", username=f"kasir-{i}") for i in range(2, 5)]

    def register(actor: Any) -> Any:
        def job() -> str:
            data = {"nik": NIK_A1, "kk": KK_A, "name": "Budi Santoso", "category": "rumah_tangga"}
            return str(recipient_register(cooperative=coop, data=data, actor=actor).pk)

        return job

    messages: list[str] = []
    outcomes = _run_parallel([register(actor) for actor in staff], messages)
    assert _ok(outcomes) == Counter({"ok": 1, "recipient_exists": 3}), outcomes
    assert set(messages) == {"NIK 6471••••••••0001 sudah terdaftar atas nama Budi Santoso."}
    assert Recipient.objects.count() == 1
    assert AuditEvent.objects.filter(action="subsidies.recipient.register").count() == 1


def test_ending_a_programme_waits_for_a_sale_in_flight(
    coop: Any, stocked: Any, lpg: Any, lpg_program: Any, households: Any, kasir: Any, manajer: Any
) -> None:
    """A sale that read the programme as in force commits before ``program_end`` reads the last distribution."""
    from koperasi.shop.services import SaleLineInput, sale_create
    from koperasi.subsidies.models import Distribution, SubsidyProgram
    from koperasi.subsidies.services import program_end

    sold, release = threading.Event(), threading.Event()
    outcomes: dict[str, str] = {}

    def sale() -> None:
        try:
            with transaction.atomic():
                sale_create(
                    cooperative=coop,
                    date=D(2026, 3, 12),
                    lines=[SaleLineInput(lpg.pk, 1)],
                    buyer_nik=NIK_A1,
                    actor=kasir,
                )
                sold.set()
                release.wait(timeout=10)  # the till is slow to commit
            outcomes["sale"] = "ok"
        except Exception as exc:
            outcomes["sale"] = f"error: {exc!r}"
        finally:
            sold.set()
            connection.close()

    def end() -> None:
        try:
            sold.wait(timeout=10)
            program_end(
                cooperative=coop, program=lpg_program.pk, valid_to=D(2026, 3, 10), reason="Harga baru", actor=manajer
            )
            outcomes["end"] = "ok"
        except DomainError as exc:
            outcomes["end"] = exc.code
            outcomes["end_message"] = exc.message
        finally:
            connection.close()

    threads = [threading.Thread(target=sale), threading.Thread(target=end)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)  # program_end is now waiting on the product row (or, unfixed, already done)
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert outcomes["sale"] == "ok", outcomes
    assert (outcomes["end"], outcomes.get("end_message")) == (
        "invalid",
        "Sudah ada penyaluran pada 12/03/2026; tanggal berakhir paling awal hari itu.",
    ), outcomes
    assert SubsidyProgram.objects.get(pk=lpg_program.pk).valid_to is None
    assert list(Distribution.objects.values_list("date", flat=True)) == [D(2026, 3, 12)]
