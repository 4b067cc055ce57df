"""Returns and voids (approval by another officer, exact reversal) and cashier sessions (float, count, variance)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.models import AuditEvent
from koperasi.ledger.models import JournalEntry, JournalLine
from koperasi.ledger.selectors import income_statement
from koperasi.ledger.services import period_close
from koperasi.shop import selectors, services
from koperasi.shop.models import (
    CashierSession,
    Product,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
    StockLevel,
    StockMove,
)
from koperasi.shop.services import PurchaseLineInput, SaleLineInput
from tests.conftest import NIK_WOMAN
from tests.shop.conftest import BOUGHT, SOLD

pytestmark = pytest.mark.django_db

D = datetime.date
GU = "gerai_sembako"
LATER = D(2026, 3, 12)


def counts() -> dict[str, Any]:
    return {
        "returns": list(SaleReturn.objects.order_by("pk").values_list("pk", "status")),
        "return_lines": list(SaleReturnLine.objects.order_by("pk").values_list("pk", "cost", "commission")),
        "sales": list(Sale.objects.order_by("pk").values_list("pk", "status", "total_returned")),
        "sale_lines": list(SaleLine.objects.order_by("pk").values_list("pk", "qty_returned")),
        "sessions": list(CashierSession.objects.order_by("pk").values_list("pk", "status")),
        "moves": StockMove.objects.count(),
        "levels": list(StockLevel.objects.order_by("pk").values_list("pk", "qty")),
        "entries": JournalEntry.objects.count(),
        "audit": AuditEvent.objects.filter(action__startswith="shop.").count(),
        "stock": list(Product.objects.order_by("pk").values_list("pk", "stock_qty", "stock_value")),
    }


def lines_of(entry: Any) -> list[tuple[str, int, int, str | None, int | None]]:
    return list(
        JournalLine.objects.filter(entry=entry)
        .order_by("id")
        .values_list("account__code", "debit", "credit", "business_unit__code", "member_id")
    )


def stock_of(product: Any) -> tuple[int, int]:
    fresh = Product.objects.get(pk=product.pk)
    return fresh.stock_qty, fresh.stock_value


def sell(coop: Any, actor: Any, *lines: tuple[Any, int], date: D = SOLD, **extra: Any) -> Sale:
    return services.sale_create(
        cooperative=coop, date=date, lines=[SaleLineInput(p, q) for p, q in lines], actor=actor, **extra
    )


def request_return(coop: Any, sale: Sale, actor: Any, quantities: dict[int, int] | None = None, **extra: Any) -> Any:
    kind = "return" if quantities else "void"
    return services.sale_return_request(
        cooperative=coop,
        sale=sale,
        kind=extra.pop("kind", kind),
        reason=extra.pop("reason", "Barang rusak"),
        date=extra.pop("date", LATER),
        quantities=quantities,
        actor=actor,
        **extra,
    )


def decide(coop: Any, request: Any, actor: Any, approve: bool = True, note: str = "") -> Any:
    return services.sale_return_decide(cooperative=coop, sale_return=request, approve=approve, note=note, actor=actor)


@pytest.fixture
def umkm(coop: Any, active_member: Any, bendahara: Any) -> Any:
    return services.supplier_create(
        cooperative=coop, name="Kue Bu Sri", kind="umkm", member=active_member, actor=bendahara
    )


@pytest.fixture
def cake(coop: Any, umkm: Any, make_item: Any, kasir: Any) -> Any:
    """Kue at Rp3.333, consigned by Budi's UMKM for 10 %; 30 at the gerai."""
    product = make_item(coop, sku="KUE", name="Kue lapis", price=3_333, consignor=umkm, commission_percent="10")
    services.consignment_receive(cooperative=coop, product=product, qty=30, date=BOUGHT, actor=kasir)
    return product


@pytest.fixture
def more_rice(coop: Any, stocked: Any, supplier: Any, rice: Any, bendahara: Any) -> Any:
    """3 more rice at Rp59.000: 13 karung worth Rp747.000 (an average that does not divide evenly)."""
    return services.purchase_direct(
        cooperative=coop,
        supplier=supplier,
        date=D(2026, 3, 5),
        lines=[PurchaseLineInput(rice, 3, 59_000)],
        actor=bendahara,
    )


# --- Returns in pieces -----------------------------------------------------------------------------


def test_return_part_of_a_line_then_the_rest_gives_back_exactly_the_line(
    coop: Any, more_rice: Any, rice: Any, cake: Any, umkm: Any, active_member: Any, kasir: Any, bendahara: Any
) -> None:
    sale = sell(coop, kasir, (rice, 7), (cake, 7), member=active_member)
    rice_line, cake_line = sale.lines.order_by("pk")
    # Rice: 7 of 13 worth 747.000 cost 402.231 (402.230,77). Kue: 7 × 3.333 = 23.331, commission 2.333.
    assert (rice_line.cost, cake_line.line_total, cake_line.commission) == (402_231, 23_331, 2_333)
    assert stock_of(rice) == (6, 344_769)

    first = request_return(coop, sale, kasir, {rice_line.pk: 2, cake_line.pk: 3})
    assert (first.status, first.amount, first.kind) == ("pending", 2 * 65_500 + 3 * 3_333, "return")
    assert JournalEntry.objects.filter(pk=first.journal_entry_id).count() == 0  # nothing moves before approval
    decide(coop, first, bendahara)
    first.refresh_from_db()
    assert list(first.lines.order_by("pk").values_list("qty", "amount", "cost", "commission")) == [
        (2, 131_000, 114_923, 0),  # 402.231 × 2/7 = 114.923,14
        (3, 9_999, 0, 1_000),  # 2.333 × 3/7 = 999,86
    ]
    assert lines_of(first.journal_entry) == [
        ("1-1100", 0, 140_999, GU, None),
        ("4-1100", 131_000, 0, GU, active_member.pk),
        ("5-1100", 0, 114_923, GU, None),
        ("1-1500", 114_923, 0, GU, None),
        ("2-1310", 8_999, 0, GU, active_member.pk),
        ("4-1500", 1_000, 0, GU, None),
    ]
    assert first.journal_entry.date == LATER
    assert (stock_of(rice), stock_of(cake)) == ((8, 459_692), (26, 0))
    assert Sale.objects.get(pk=sale.pk).status == "completed"

    rest = request_return(coop, sale, kasir, {rice_line.pk: 5, cake_line.pk: 4}, date=D(2026, 3, 13))
    decide(coop, rest, bendahara)
    assert list(rest.lines.order_by("pk").values_list("qty", "cost", "commission")) == [(5, 287_308, 0), (4, 0, 1_333)]
    # The pieces add up exactly to each line, and the stock value is back where it was before the sale.
    assert SaleReturnLine.objects.filter(sale_line=rice_line).aggregate(s=Sum("cost"))["s"] == 402_231
    assert SaleReturnLine.objects.filter(sale_line=cake_line).aggregate(s=Sum("commission"))["s"] == 2_333
    assert (stock_of(rice), stock_of(cake)) == ((13, 747_000), (30, 0))
    sale.refresh_from_db()
    assert (sale.status, sale.total_returned, sale.total) == ("voided", 481_831, 481_831)
    assert list(SaleLine.objects.filter(sale=sale).values_list("qty_returned", flat=True)) == [7, 7]
    assert selectors.consignment_payable(cooperative=coop, consignor=umkm) == 0
    assert selectors.member_purchases(cooperative=coop, start=SOLD, end=SOLD) == {}
    assert list(StockMove.objects.filter(kind="return").order_by("id").values_list("qty", "value")) == [
        (2, 114_923),
        (3, 0),
        (5, 287_308),
        (4, 0),
    ]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bought=st.lists(st.tuples(st.integers(1, 7), st.integers(50_000, 65_000)), min_size=1, max_size=3),
    sold=st.lists(st.integers(1, 5), min_size=1, max_size=5),
    back=st.lists(st.integers(0, 5), min_size=5, max_size=5),
)
def test_any_sales_and_returns_keep_the_stock_value_exact(
    coop: Any,
    supplier: Any,
    rice: Any,
    kasir: Any,
    bendahara: Any,
    bought: list[tuple[int, int]],
    sold: list[int],
    back: list[int],
) -> None:
    """Buy at different costs, sell in pieces, return some, then the rest: the stock is worth what was paid."""
    with transaction.atomic():
        for qty, cost in bought:
            services.purchase_direct(
                cooperative=coop,
                supplier=supplier,
                date=BOUGHT,
                lines=[PurchaseLineInput(rice, qty, cost)],
                actor=bendahara,
            )
        have, value = sum(q for q, _ in bought), sum(q * c for q, c in bought)
        sales = []
        left = have
        for qty in sold:
            if qty <= left:
                sales.append(sell(coop, kasir, (rice, qty)))
                left -= qty
        for sale, units in zip(sales, back, strict=False):
            line = sale.lines.get()
            if 0 < units <= line.qty:
                decide(coop, request_return(coop, sale, kasir, {line.pk: units}), bendahara)
        sold_cost = SaleLine.objects.filter(sale__in=sales).aggregate(s=Sum("cost"))["s"] or 0
        returned_cost = SaleReturnLine.objects.filter(sale_line__sale__in=sales).aggregate(s=Sum("cost"))["s"] or 0
        qty_now, value_now = stock_of(rice)
        assert value_now == value - sold_cost + returned_cost
        assert (qty_now == 0) <= (value_now == 0)
        assert selectors.inventory_reconcile(cooperative=coop).difference == 0
        for sale in sales:  # the rest comes back too
            line = SaleLine.objects.get(sale=sale)
            if line.qty_returned < line.qty:
                decide(coop, request_return(coop, sale, kasir, {line.pk: line.qty - line.qty_returned}), bendahara)
        assert stock_of(rice) == (have, value)
        for sale in sales:
            line = SaleLine.objects.get(sale=sale)
            assert SaleReturnLine.objects.filter(sale_line=line).aggregate(s=Sum("cost"))["s"] == line.cost
        transaction.set_rollback(True)


def test_void_reverses_every_posting(
    coop: Any, stocked: Any, rice: Any, lpg: Any, cake: Any, active_member: Any, kasir: Any, bendahara: Any
) -> None:
    before_stock = [stock_of(p) for p in (rice, lpg, cake)]
    sale = sell(
        coop,
        kasir,
        (rice, 3),
        (lpg, 2),
        (cake, 5),
        member=active_member,
        payment_method="qris",
        payment_reference="QR1",
    )
    void = request_return(coop, sale, kasir, reason="Salah input kasir", date=SOLD)
    assert (void.kind, void.amount) == ("void", sale.total)
    void = decide(coop, void, bendahara, note="Disetujui")
    sale.refresh_from_db()
    assert (sale.status, sale.total_returned) == ("voided", sale.total)
    # Each account the sale touched is back to zero over the day; the income statement shows nothing.
    touched = JournalLine.objects.filter(entry__in=[sale.journal_entry_id, void.journal_entry_id])
    per_account = touched.values("account__code").annotate(d=Sum("debit"), c=Sum("credit"))
    assert {row["account__code"]: row["d"] - row["c"] for row in per_account} == {
        "1-1200": 0,
        "4-1100": 0,
        "5-1100": 0,
        "1-1500": 0,
        "2-1310": 0,
        "4-1500": 0,
    }
    statement = income_statement(cooperative=coop, date_from=SOLD, date_to=SOLD)
    assert (statement.total_income, statement.total_expense, statement.surplus) == (0, 0, 0)
    assert [stock_of(p) for p in (rice, lpg, cake)] == before_stock
    assert lines_of(void.journal_entry)[0] == ("1-1200", 0, 251_165, GU, None)  # 196.500 + 38.000 + 16.665
    before = counts()
    with pytest.raises(Conflict) as again:
        request_return(coop, sale, kasir)
    assert again.value.code == "sale_voided"
    assert counts() == before


def test_qris_refund_needs_money_in_the_bank(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any, admin_user: Any
) -> None:
    from koperasi.ledger.services import ByRole, LineInput, journal_post

    sale = sell(coop, kasir, (lpg, 2), payment_method="qris", payment_reference="QR-7")
    journal_post(  # the bank balance is drawn into the cash box
        cooperative=coop,
        date=SOLD,
        lines=[LineInput(account=ByRole("cash"), debit=38_000), LineInput(account=ByRole("bank"), credit=38_000)],
        memo="Tarik tunai",
        actor=admin_user,
    )
    void = request_return(coop, sale, kasir)
    before = counts()
    with pytest.raises(Conflict) as exc:
        decide(coop, void, bendahara)
    assert (exc.value.code, exc.value.message) == (
        "insufficient_funds",
        "Saldo bank Rp 0 tidak cukup untuk membayar Rp 38.000.",
    )
    assert counts() == before


def test_cash_refund_needs_cash_in_the_box(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any, admin_user: Any
) -> None:
    from koperasi.ledger.services import ByRole, LineInput, journal_post

    sale = sell(coop, kasir, (lpg, 2))
    journal_post(  # the day's cash goes to the bank
        cooperative=coop,
        date=SOLD,
        lines=[LineInput(account=ByRole("bank"), debit=38_000), LineInput(account=ByRole("cash"), credit=38_000)],
        memo="Setor ke bank",
        actor=admin_user,
    )
    void = request_return(coop, sale, kasir)
    before = counts()
    with pytest.raises(Conflict) as exc:
        decide(coop, void, bendahara)
    assert exc.value.code == "insufficient_funds"
    assert counts() == before


# --- Who decides -----------------------------------------------------------------------------------


def test_the_requester_cannot_approve_and_a_kasir_cannot_decide(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any, ketua: Any, manajer: Any, pengawas: Any
) -> None:
    sale = sell(coop, kasir, (lpg, 2))
    own = request_return(coop, sale, bendahara, {sale.lines.get().pk: 1})
    before = counts()
    with pytest.raises(PermissionDenied) as self_approval:
        decide(coop, own, bendahara)
    assert self_approval.value.message == "Retur harus disetujui orang lain, bukan yang memintanya."
    for outsider in (kasir, pengawas):
        for approve in (True, False):
            with pytest.raises(PermissionDenied):
                decide(coop, own, outsider, approve=approve, note="Tidak")
    assert counts() == before
    decide(coop, own, manajer)
    assert SaleReturn.objects.get(pk=own.pk).decided_by_id == manajer.pk
    second = request_return(coop, sale, kasir, {sale.lines.get().pk: 1})
    decide(coop, second, ketua)
    assert Sale.objects.get(pk=sale.pk).status == "voided"


def test_rejection_needs_a_note_and_moves_nothing(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any
) -> None:
    sale = sell(coop, kasir, (lpg, 2))
    request = request_return(coop, sale, kasir)
    before = counts()
    with pytest.raises(ValidationError) as exc:
        decide(coop, request, bendahara, approve=False, note="  ")
    assert list(exc.value.detail) == ["note"]
    assert counts() == before
    rejected = decide(coop, request, bendahara, approve=False, note="Barang tidak rusak")
    assert (rejected.status, rejected.decision_note, rejected.journal_entry_id) == (
        "rejected",
        "Barang tidak rusak",
        None,
    )
    after = counts()
    assert (after["entries"], after["stock"], after["moves"]) == (before["entries"], before["stock"], before["moves"])
    with pytest.raises(Conflict) as decided:
        decide(coop, request, bendahara)
    assert decided.value.code == "return_decided"
    # Once rejected, a new request is possible.
    assert request_return(coop, sale, kasir).status == "pending"


def test_return_request_refusals(coop: Any, stocked: Any, lpg: Any, oil: Any, kasir: Any, bendahara: Any) -> None:
    sale = sell(coop, kasir, (lpg, 2), (oil, 1))
    lpg_line, oil_line = sale.lines.order_by("pk")
    before = counts()
    bad: list[tuple[dict[str, Any], type[Exception]]] = [
        ({"quantities": {lpg_line.pk: 3}}, ValidationError),
        ({"quantities": {lpg_line.pk: -1}}, ValidationError),
        ({"quantities": {lpg_line.pk: 1.5}}, ValidationError),
        ({"quantities": {999_999: 1}}, ValidationError),
        ({"quantities": {"satu": 1}}, ValidationError),
        ({"quantities": {str(lpg_line.pk): "1"}}, ValidationError),
        ({"quantities": {}, "kind": "return"}, ValidationError),
        ({"quantities": {lpg_line.pk: 1}, "kind": "tukar"}, ValidationError),
        ({"quantities": {lpg_line.pk: 1}, "reason": " "}, ValidationError),
        ({"quantities": {lpg_line.pk: 1}, "reason": "x\x00"}, ValidationError),
        ({"quantities": {lpg_line.pk: 1}, "date": D(2026, 3, 9)}, ValidationError),
    ]
    for kwargs, error in bad:
        with pytest.raises(error):
            request_return(coop, sale, kasir, **kwargs)
    assert counts() == before
    first = request_return(coop, sale, kasir, {lpg_line.pk: 1})
    with pytest.raises(Conflict) as pending:
        request_return(coop, sale, kasir, {oil_line.pk: 1})
    assert pending.value.code == "return_pending"
    decide(coop, first, bendahara)
    with pytest.raises(Conflict) as partly:
        request_return(coop, sale, kasir)
    assert partly.value.code == "partly_returned"
    with pytest.raises(ValidationError) as too_many:
        request_return(coop, sale, kasir, {lpg_line.pk: 2})
    assert too_many.value.detail == {f"lines.{lpg_line.pk}": ["Paling banyak 1 yang belum diretur."]}


def test_consignment_already_settled_return_refused(
    coop: Any, cake: Any, umkm: Any, kasir: Any, bendahara: Any, fund_cash: Any
) -> None:
    fund_cash(coop, 100_000)
    sale = sell(coop, kasir, (cake, 3))  # 9.999, commission 1.000, owed 8.999
    services.consignment_settle(
        cooperative=coop, consignor=umkm, amount=8_999, date=SOLD, channel="tunai", actor=bendahara
    )
    request = request_return(coop, sale, kasir, {sale.lines.get().pk: 1})
    before = counts()
    with pytest.raises(Conflict) as exc:
        decide(coop, request, bendahara)
    assert exc.value.code == "consignment_settled"
    assert counts() == before


def test_return_into_a_closed_period_refused(coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any) -> None:
    sale = sell(coop, kasir, (lpg, 2))
    request = request_return(coop, sale, kasir, date=D(2026, 3, 20))
    period_close(cooperative=coop, month=D(2026, 3, 1), reason="Tutup buku", actor=bendahara)
    before = counts()
    with pytest.raises(Conflict) as exc:
        decide(coop, request, bendahara)
    assert exc.value.code == "period_closed"
    assert counts() == before


# --- Cashier sessions ------------------------------------------------------------------------------


def test_one_open_session_per_cashier(coop: Any, kasir: Any, grant: Any) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=150_000, actor=kasir)
    assert (session.session_no, session.status, session.location.code, session.opening_float) == (
        "SK-000001",
        "open",
        "gerai",
        150_000,
    )
    before = counts()
    with pytest.raises(Conflict) as exc:
        services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    assert exc.value.code == "session_open"
    for bad in (-1, 1.5, "100"):
        with pytest.raises(ValidationError):
            services.cashier_session_open(
                cooperative=coop, opening_float=bad, actor=grant(coop, "kasir", username=f"k{bad}")
            )
    assert counts() == before
    second = services.cashier_session_open(
        cooperative=coop, opening_float=0, actor=grant(coop, "kasir", username="kasir-dua")
    )
    assert second.session_no == "SK-000002"
    assert selectors.open_session_for(cooperative=coop, user=kasir) == session


def test_close_with_a_shortage_posts_it_against_cash(
    coop: Any, stocked: Any, lpg: Any, oil: Any, kasir: Any, bendahara: Any
) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=100_000, actor=kasir)
    first = sell(coop, kasir, (lpg, 2), cash_received=50_000)  # 38.000 cash
    sell(coop, kasir, (oil, 1))  # 15.700 cash
    sell(coop, kasir, (lpg, 1), payment_method="qris", payment_reference="QR-1")  # not in the drawer
    refund = request_return(coop, first, kasir, {first.lines.get().pk: 1})
    assert refund.session_id == session.pk
    decide(coop, refund, bendahara)  # 19.000 paid back from the drawer
    assert Sale.objects.filter(session=session).count() == 3
    expected = 100_000 + 38_000 + 15_700 - 19_000
    assert services.session_expected_cash(session) == expected == 134_700
    closed = services.cashier_session_close(
        cooperative=coop, session=session, counted_cash=134_000, note="Uang receh kurang", actor=kasir
    )
    assert (closed.status, closed.expected_cash, closed.counted_cash, closed.variance) == (
        "closed",
        134_700,
        134_000,
        -700,
    )
    assert lines_of(closed.journal_entry) == [("5-2800", 700, 0, None, None), ("1-1100", 0, 700, None, None)]
    assert closed.journal_entry.date == timezone.localdate()
    assert selectors.open_session_for(cooperative=coop, user=kasir) is None
    before = counts()
    with pytest.raises(Conflict) as again:
        services.cashier_session_close(cooperative=coop, session=session, counted_cash=134_700, actor=kasir)
    assert again.value.code == "session_closed"
    assert counts() == before


def test_a_refund_approved_after_the_till_closed_is_not_the_tills(
    coop: Any, stocked: Any, lpg: Any, kasir: Any, bendahara: Any
) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=10_000, actor=kasir)
    sale = sell(coop, kasir, (lpg, 2))
    request = request_return(coop, sale, kasir, {sale.lines.get().pk: 1})
    assert request.session_id == session.pk
    closed = services.cashier_session_close(cooperative=coop, session=session, counted_cash=48_000, actor=kasir)
    assert (closed.expected_cash, closed.variance) == (48_000, 0)  # nothing was refunded while it was open
    approved = decide(coop, request, bendahara)
    assert (approved.status, approved.session_id) == ("approved", None)
    assert services.session_expected_cash(CashierSession.objects.get(pk=session.pk)) == 48_000


def test_close_with_a_surplus_and_exactly(coop: Any, stocked: Any, lpg: Any, kasir: Any, grant: Any) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=50_000, actor=kasir)
    sell(coop, kasir, (lpg, 1))
    closed = services.cashier_session_close(cooperative=coop, session=session, counted_cash=69_500, actor=kasir)
    assert (closed.expected_cash, closed.variance) == (69_000, 500)
    assert lines_of(closed.journal_entry) == [("1-1100", 500, 0, None, None), ("5-2800", 0, 500, None, None)]
    other = grant(coop, "kasir", username="kasir-dua")
    exact_session = services.cashier_session_open(cooperative=coop, opening_float=10_000, actor=other)
    exact = services.cashier_session_close(cooperative=coop, session=exact_session, counted_cash=10_000, actor=other)
    assert (exact.variance, exact.journal_entry_id) == (0, None)


def test_closing_another_cashiers_session(coop: Any, kasir: Any, bendahara: Any, grant: Any) -> None:
    session = services.cashier_session_open(cooperative=coop, opening_float=20_000, actor=kasir)
    colleague = grant(coop, "kasir", username="kasir-dua")
    before = counts()
    with pytest.raises(PermissionDenied):
        services.cashier_session_close(cooperative=coop, session=session, counted_cash=20_000, actor=colleague)
    for bad in (-1, 1.5, None):
        with pytest.raises(ValidationError):
            services.cashier_session_close(cooperative=coop, session=session, counted_cash=bad, actor=kasir)
    assert counts() == before
    closed = services.cashier_session_close(cooperative=coop, session=session.pk, counted_cash=19_000, actor=bendahara)
    assert (closed.status, closed.variance) == ("closed", -1_000)


# --- Another cooperative ---------------------------------------------------------------------------


def test_another_cooperatives_sales_returns_and_sessions_are_not_found(
    coop: Any,
    other_coop: Any,
    stocked: Any,
    lpg: Any,
    kasir: Any,
    bendahara: Any,
    other_ketua: Any,
    grant: Any,
    register_member: Any,
) -> None:
    from koperasi.shop.models import Location

    sale = sell(coop, kasir, (lpg, 2))
    request = request_return(coop, sale, kasir)
    session = services.cashier_session_open(cooperative=coop, opening_float=0, actor=kasir)
    other_bendahara = grant(other_coop, "bendahara", username="bendahara-lamaru")
    register_member(other_coop, nik=NIK_WOMAN, name="Siti")
    gerai = Location.objects.get(cooperative=coop, code="gerai")
    before = counts()
    for ref in (sale, sale.pk):
        with pytest.raises(NotFound):
            request_return(other_coop, ref, other_ketua)
        with pytest.raises(NotFound):
            selectors.sale_get(cooperative=other_coop, sale_id=ref if isinstance(ref, int) else ref.pk)
    for ref in (request, request.pk):
        with pytest.raises(NotFound):
            decide(other_coop, ref, other_bendahara)
    for ref in (session, session.pk):
        with pytest.raises(NotFound):
            services.cashier_session_close(cooperative=other_coop, session=ref, counted_cash=0, actor=other_bendahara)
    for place in (gerai, gerai.pk):
        with pytest.raises(NotFound):
            services.cashier_session_open(
                cooperative=other_coop, opening_float=0, location=place, actor=other_bendahara
            )
    # Manggar's bendahara is no approver at Lamaru, and Lamaru's at Manggar.
    with pytest.raises(PermissionDenied):
        decide(coop, request, other_bendahara)
    assert counts() == before
    decide(coop, request, bendahara)
