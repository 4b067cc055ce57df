"""Parallel cashiers on one stock (PostgreSQL, real connections).

The product row locks (taken in primary-key order before the stock levels) order the
writes: each sale or transfer sees the quantity the previous one left, so stock never goes
negative, the last unit is sold once, a double-submitted sale is recorded once; the
supplier row lock keeps parallel payments within the payable, and the cashier session row
lock makes a till's close count exactly the sales it holds.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.db.models import Sum

from koperasi.core.errors import Conflict
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _run_parallel(jobs: list[Any], messages: list[str] | None = None) -> list[str]:
    """Run the jobs at once on their own connections; return each outcome (a result or a Conflict's code)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    messages = [] if messages is None else messages

    def run(job: Any) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(job())
        except Conflict as exc:
            outcomes.append(exc.code)
            messages.append(exc.message)
        except Exception as exc:  # the test reports whatever went wrong
            outcomes.append(f"error: {exc!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _sell(coop: Any, product: Any, qty: int, actor: Any, **extra: Any) -> Any:
    from koperasi.shop.services import SaleLineInput, sale_create

    def job() -> str:
        sale = sale_create(cooperative=coop, date=SOLD, lines=[SaleLineInput(product.pk, qty)], actor=actor, **extra)
        return str(sale.pk)

    return job


def _ok(outcomes: list[str]) -> Counter[str]:
    return Counter("ok" if o.isdigit() else o for o in outcomes)


@pytest.fixture
def last_unit(coop: Any, supplier: Any, lpg: Any, bendahara: Any) -> Any:
    """One LPG tabung left at the gerai, bought at Rp16.000."""
    from koperasi.shop.services import PurchaseLineInput, purchase_direct

    purchase_direct(
        cooperative=coop, supplier=supplier, date=BOUGHT, lines=[PurchaseLineInput(lpg, 1, 16_000)], actor=bendahara
    )
    return lpg


def test_two_cashiers_selling_the_last_unit_one_succeeds(coop: Any, last_unit: Any, kasir: Any, grant: Any) -> None:
    from koperasi.ledger.models import JournalLine
    from koperasi.shop.models import Product, Sale, StockLevel

    second = grant(coop, "kasir", username="kasir-dua")
    messages: list[str] = []
    outcomes = _run_parallel([_sell(coop, last_unit, 1, kasir), _sell(coop, last_unit, 1, second)], messages)
    assert _ok(outcomes) == Counter({"ok": 1, "insufficient_stock": 1}), outcomes
    (message,) = messages
    assert message == "Stok tidak cukup di Gerai sembako: LPG 3 kg (tersedia 0 tabung)."
    product = Product.objects.get(pk=last_unit.pk)
    assert (product.stock_qty, product.stock_value) == (0, 0)
    assert list(StockLevel.objects.filter(product=product).values_list("qty", flat=True)) == [0]
    assert Sale.objects.count() == 1
    sold = JournalLine.objects.filter(account__code="4-2100").aggregate(s=Sum("credit"))["s"]
    assert sold == 19_000


def test_six_parallel_sales_of_two_when_seven_remain(
    coop: Any, supplier: Any, lpg: Any, kasir: Any, bendahara: Any, grant: Any
) -> None:
    from koperasi.shop.models import Product, Sale
    from koperasi.shop.services import PurchaseLineInput, purchase_direct

    purchase_direct(
        cooperative=coop, supplier=supplier, date=BOUGHT, lines=[PurchaseLineInput(lpg, 7, 16_000)], actor=bendahara
    )
    cashiers = [kasir] + [grant(coop, "kasir", username=f"kasir-{i}") for i in range(2, 7)]
    outcomes = _run_parallel([_sell(coop, lpg, 2, cashier) for cashier in cashiers])
    assert _ok(outcomes) == Counter({"ok": 3, "insufficient_stock": 3}), outcomes
    product = Product.objects.get(pk=lpg.pk)
    assert (product.stock_qty, product.stock_value) == (1, 16_000)
    assert Sale.objects.count() == 3
    assert sorted(Sale.objects.values_list("sale_no", flat=True)) == ["NT-000001", "NT-000002", "NT-000003"]
    assert Sale.objects.aggregate(s=Sum("cost_total"))["s"] == 96_000


def test_the_same_idempotency_key_four_times_in_parallel_records_one_sale(
    coop: Any, stocked: Any, lpg: Any, kasir: Any
) -> None:
    from koperasi.ledger.models import JournalEntry
    from koperasi.shop.models import Product, Sale

    entries = JournalEntry.objects.count()
    outcomes = _run_parallel([_sell(coop, lpg, 3, kasir, idempotency_key="till-1:42")] * 4)
    assert len(set(outcomes)) == 1 and outcomes[0].isdigit(), outcomes
    assert Sale.objects.filter(idempotency_key="till-1:42").count() == Sale.objects.count() == 1
    assert JournalEntry.objects.count() == entries + 1
    assert Product.objects.get(pk=lpg.pk).stock_qty == 17


def test_parallel_sales_and_transfers_never_make_stock_negative(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, grant: Any
) -> None:
    from koperasi.shop.models import Product, Sale, StockLevel, StockTransfer
    from koperasi.shop.services import locations_ensure, stock_transfer

    locations_ensure(coop)

    def transfer(actor: Any) -> Any:
        def job() -> str:
            moved = stock_transfer(
                cooperative=coop,
                from_location="gerai",
                to_location="gudang",
                date=SOLD,
                lines=[(lpg.pk, 6)],
                actor=actor,
            )
            return str(moved.pk)

        return job

    staff = [kasir] + [grant(coop, "kasir", username=f"kasir-{i}") for i in range(2, 6)]
    # 20 tabung at the gerai; five writers each want 6: three fit, the fourth would go below zero.
    jobs = [_sell(coop, lpg, 6, staff[0]), transfer(staff[1]), _sell(coop, lpg, 6, staff[2]), transfer(staff[3])]
    jobs.append(_sell(coop, lpg, 6, staff[4]))
    outcomes = _run_parallel(jobs)
    assert _ok(outcomes) == Counter({"ok": 3, "insufficient_stock": 2}), outcomes
    sales, transfers = Sale.objects.count(), StockTransfer.objects.count()
    assert sales + transfers == 3
    levels = dict(StockLevel.objects.filter(product=lpg).values_list("location__code", "qty"))
    # The gudang has a stock row only once a transfer reached it; when the three sales won, it has none.
    assert (levels["gerai"], levels.get("gudang", 0)) == (2, 6 * transfers)
    product = Product.objects.get(pk=lpg.pk)
    assert (product.stock_qty, product.stock_value) == (20 - 6 * sales, 16_000 * (20 - 6 * sales))


def test_parallel_supplier_payments_cannot_exceed_the_payable(
    coop: Any, stocked: Any, supplier: Any, bendahara: Any, fund_cash: Any, grant: Any
) -> None:
    from koperasi.shop.models import SupplierPayment
    from koperasi.shop.selectors import supplier_payable
    from koperasi.shop.services import supplier_pay

    fund_cash(coop, 5_000_000)
    second = grant(coop, "bendahara", username="bendahara-dua")

    def pay(actor: Any) -> Any:
        def job() -> str:
            payment = supplier_pay(
                cooperative=coop, supplier=supplier.pk, amount=300_000, date=SOLD, channel="tunai", actor=actor
            )
            return str(payment.pk)

        return job

    # 1.226.000 owed: four payments of 300.000 fit, the fifth would exceed it.
    outcomes = _run_parallel([pay(bendahara), pay(second)] * 2 + [pay(bendahara)])
    assert _ok(outcomes) == Counter({"ok": 4, "amount_over_payable": 1}), outcomes
    assert SupplierPayment.objects.aggregate(s=Sum("amount"))["s"] == 1_200_000
    assert supplier_payable(cooperative=coop, supplier=supplier) == 26_000


def test_a_till_closed_while_sales_run_counts_exactly_the_sales_it_holds(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any
) -> None:
    from koperasi.shop.models import CashierSession, Sale
    from koperasi.shop.services import cashier_session_close, cashier_session_open

    session = cashier_session_open(cooperative=coop, opening_float=50_000, actor=kasir)

    def close() -> str:
        cashier_session_close(cooperative=coop, session=session.pk, counted_cash=50_000, actor=bendahara)
        return "closed"

    # The till names its session (as the POS does); without it, a sale after the close would go
    # through as a back-office sale with no session, which is allowed and not what this tests.
    outcomes = _run_parallel([_sell(coop, lpg, 1, kasir, session=session.pk)] * 4 + [close])
    counted = Counter("ok" if o.isdigit() else o for o in outcomes)
    assert counted["closed"] == 1 and counted["ok"] + counted["session_closed"] == 4, outcomes
    closed = CashierSession.objects.get(pk=session.pk)
    in_till = Sale.objects.filter(session=session).count()
    # Every sale in the session was counted by the close, and none came in after it.
    assert in_till == counted["ok"]
    assert (closed.status, closed.expected_cash) == ("closed", 50_000 + 19_000 * in_till)
    assert closed.variance == -19_000 * in_till
