"""Stock between locations, stock counts (opname) and consignment goods in and out."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger.services import journal_post
from koperasi.shop import calculations, postings, selectors
from koperasi.shop.choices import (
    SUPPLIER_PAYMENT_ROLE,
    MoveKind,
    SupplierPaymentChannel,
)
from koperasi.shop.models import (
    ConsignmentSettlement,
    GoodsReceiptLine,
    Location,
    Product,
    StockCount,
    StockCountLine,
    StockLevel,
    StockMove,
    StockTransfer,
    StockTransferLine,
    Supplier,
)
from koperasi.shop.services._common import (
    KEY_PREFIX,
    MAX_QTY,
    _actor_or_none,
    _amount,
    _event_date,
    _levels_locked,
    _location,
    _moves,
    _period_open,
    _products_locked,
    _qty,
    _refuse_short,
    _require_money,
    _supplier_locked,
    _text,
    next_number,
)

# --- Stock: transfers, counts, consignment goods -------------------------------------------------


def stock_transfer(
    *,
    cooperative: Cooperative,
    from_location: Location | int | str,
    to_location: Location | int | str,
    date: datetime.date,
    lines: Sequence[tuple[Product | int | str, int]],
    note: str = "",
    actor: Any,
) -> StockTransfer:
    """Move goods between locations (gudang → gerai); no journal entry (the value stays in inventory).

    Raises NotFound, ValidationError and Conflict (``insufficient_stock``).
    """
    date = _event_date(date)
    source = _location(cooperative, from_location)
    target = _location(cooperative, to_location)
    if source.pk == target.pk:
        raise ValidationError.for_field("to_location", "Lokasi asal dan tujuan harus berbeda.")
    if not lines:
        raise ValidationError.for_field("lines", "Isi paling sedikit satu barang.")
    for i, (_, qty) in enumerate(lines, start=1):
        _qty(qty, f"lines.{i}.qty")
    note = _text(note, "note", "Catatan", max_length=250)
    with transaction.atomic():
        products = _products_locked(cooperative, [ref for ref, _ in lines])
        items = [(products[ref.pk if isinstance(ref, Product) else ref], qty) for ref, qty in lines]
        ids = [p.pk for p, _ in items]
        # Levels in (location, product) order: the lower location id first.
        first, second = sorted([source, target], key=lambda loc: loc.pk)
        levels = {
            first.pk: _levels_locked(cooperative, first, ids),
            second.pk: _levels_locked(cooperative, second, ids),
        }
        need: dict[int, int] = {}
        for product, qty in items:
            need[product.pk] = need.get(product.pk, 0) + qty
        _refuse_short(products={p.pk: p for p, _ in items}, levels=levels[source.pk], need=need, where=source)
        for product_id, qty in need.items():
            levels[source.pk][product_id].qty -= qty
            levels[target.pk][product_id].qty += qty
        StockLevel.objects.bulk_update([*levels[source.pk].values(), *levels[target.pk].values()], ["qty"])
        transfer = StockTransfer.objects.create(
            cooperative=cooperative,
            transfer_no=next_number(cooperative, "transfer"),
            date=date,
            from_location=source,
            to_location=target,
            note=note,
            created_by=_actor_or_none(actor),
        )
        StockTransferLine.objects.bulk_create(
            [StockTransferLine(cooperative=cooperative, transfer=transfer, product=p, qty=q) for p, q in items]
        )
        moves = []
        for product, qty in items:
            value = calculations.cost_of_units(product.stock_qty, product.stock_value, qty)
            moves += [(product, source, -qty, -value), (product, target, qty, value)]
        _moves(cooperative, moves, date=date, kind=MoveKind.TRANSFER_OUT, source=transfer)
        StockMove.objects.filter(source_type="shop.stocktransfer", source_id=transfer.pk, qty__gt=0).update(
            kind=MoveKind.TRANSFER_IN
        )
        audit_record(actor=actor, action="shop.stock.transfer", cooperative=cooperative, target=transfer)
    return transfer


def stock_count_post(
    *,
    cooperative: Cooperative,
    location: Location | int | str,
    date: datetime.date,
    counts: dict[int, int],
    note: str = "",
    actor: Any,
) -> StockCount:
    """Post a stock count (opname): set each counted product's quantity; post the difference in value.

    ``counts``: product id → units counted. A shortage is Dr selisih persediaan, Cr inventory at
    moving-average cost; a surplus the other way (at the last purchase cost when none is left).
    Consignment goods change quantity only (the UMKM owns their value).
    Raises NotFound, ValidationError and Conflict (``period_closed``).
    """
    date = _event_date(date)
    note = _text(note, "note", "Catatan", max_length=250)
    if not counts:
        raise ValidationError.for_field("counts", "Isi hasil hitung paling sedikit satu barang.")
    for product_id, qty in counts.items():
        if isinstance(qty, bool) or not isinstance(qty, int) or qty < 0 or qty > MAX_QTY:
            raise ValidationError.for_field(f"counts.{product_id}", "Jumlah hitung harus bilangan bulat ≥ 0.")
    _period_open(cooperative, date)
    with transaction.atomic():
        place = _location(cooperative, location)
        products = _products_locked(cooperative, sorted(counts))
        levels = _levels_locked(cooperative, place, counts)
        last_costs = _last_unit_costs(cooperative, list(counts))
        count = StockCount.objects.create(
            cooperative=cooperative,
            count_no=next_number(cooperative, "count"),
            date=date,
            location=place,
            note=note,
            created_by=_actor_or_none(actor),
        )
        rows, moves, total = [], [], 0
        by_unit: dict[int, list[Any]] = {}  # business unit id → [unit, value]: each unit's inventory moves
        for product_id in sorted(counts):
            product, level, counted = products[product_id], levels[product_id], counts[product_id]
            diff = counted - level.qty
            value = 0
            if diff and product.consignor_id is None:
                if diff < 0:
                    value = -calculations.cost_of_units(product.stock_qty, product.stock_value, -diff)
                else:
                    value = calculations.value_of_found_units(
                        product.stock_qty, product.stock_value, diff, last_costs.get(product_id, 0)
                    )
            rows.append(
                StockCountLine(
                    cooperative=cooperative,
                    count=count,
                    product=product,
                    system_qty=level.qty,
                    counted_qty=counted,
                    variance_value=value,
                )
            )
            if diff:
                product.stock_qty += diff
                product.stock_value += value
                level.qty = counted
                moves.append((product, place, diff, value))
            total += value
            by_unit.setdefault(product.business_unit_id, [product.business_unit, 0])[1] += value
        StockCountLine.objects.bulk_create(rows)
        Product.objects.bulk_update(list(products.values()), ["stock_qty", "stock_value"])
        StockLevel.objects.bulk_update(list(levels.values()), ["qty"])
        if moves:
            _moves(cooperative, moves, date=date, kind=MoveKind.COUNT, source=count)
        count.variance_value = total
        variance = [
            line
            for _, (unit, value) in sorted(by_unit.items())
            if value
            for line in postings.variance_lines(amount=value, against_role="inventory", unit=unit)
        ]
        if variance:
            count.journal_entry = journal_post(
                cooperative=cooperative,
                date=date,
                lines=variance,
                memo=f"Selisih stok opname {count.count_no} di {place.name}",
                source=count,
                idempotency_key=f"{KEY_PREFIX}count:{count.pk}",
                actor=actor,
            )
        count.save(update_fields=["variance_value", "journal_entry"])
        audit_record(
            actor=actor,
            action="shop.stock.count",
            cooperative=cooperative,
            target=count,
            data={"variance_value": total, "lines": len(rows)},
        )
    return count


def _last_unit_costs(cooperative: Cooperative, product_ids: list[int]) -> dict[int, int]:
    rows = (
        GoodsReceiptLine.objects.filter(cooperative=cooperative, product_id__in=product_ids)
        .order_by("product_id", "-id")
        .values_list("product_id", "unit_cost")
    )
    out: dict[int, int] = {}
    for product_id, cost in rows:
        out.setdefault(product_id, cost)
    return out


def consignment_receive(
    *,
    cooperative: Cooperative,
    product: Product | int,
    qty: int,
    date: datetime.date,
    location: Location | int | str | None = None,
    withdraw: bool = False,
    actor: Any,
) -> StockMove:
    """Take a UMKM's goods in on consignment (or, with ``withdraw``, hand unsold ones back); no journal entry.

    Raises NotFound, ValidationError (not a consignment product) and Conflict (``insufficient_stock``).
    """
    qty = _qty(qty, "qty")
    date = _event_date(date)
    with transaction.atomic():
        found = _products_locked(cooperative, [product.pk if isinstance(product, Product) else product])
        item = next(iter(found.values()))
        if item.consignor_id is None:
            raise ValidationError.for_field("product", f"{item.name} bukan barang titipan.")
        place = _location(cooperative, location)
        level = _levels_locked(cooperative, place, [item.pk])[item.pk]
        delta = -qty if withdraw else qty
        if level.qty + delta < 0:
            _refuse_short(products={item.pk: item}, levels={item.pk: level}, need={item.pk: qty}, where=place)
        level.qty += delta
        level.save(update_fields=["qty"])
        item.stock_qty += delta
        item.save(update_fields=["stock_qty"])
        move = StockMove.objects.create(
            cooperative=cooperative,
            product=item,
            location=place,
            date=date,
            kind=MoveKind.CONSIGNMENT_OUT if withdraw else MoveKind.CONSIGNMENT_IN,
            qty=delta,
            value=0,
            source_type="shop.supplier",
            source_id=item.consignor_id,
        )
        audit_record(
            actor=actor, action="shop.consignment.move", cooperative=cooperative, target=item, data={"qty": delta}
        )
    return move


def consignment_settle(
    *,
    cooperative: Cooperative,
    consignor: Supplier | int,
    amount: int,
    date: datetime.date,
    channel: str,
    reference: str = "",
    actor: Any,
) -> ConsignmentSettlement:
    """Pay a UMKM what its sold goods earned (less commission): Dr consignment payable, Cr cash/bank.

    Raises NotFound, ValidationError and Conflict (``amount_over_payable``, ``insufficient_funds``).
    """
    amount = _amount(amount, "amount", "Jumlah pembayaran")
    date = _event_date(date)
    if channel not in SupplierPaymentChannel.values:
        raise ValidationError.for_field("channel", "Cara bayar harus tunai atau transfer.")
    reference = _text(reference, "reference", "Referensi", max_length=100)
    with transaction.atomic():
        supplier = _supplier_locked(cooperative, consignor)
        owed = selectors.consignment_payable(cooperative=cooperative, consignor=supplier)
        if amount > owed:
            raise Conflict(
                f"Jumlah {format_rupiah(amount)} melebihi hak {supplier.name} ({format_rupiah(owed)}).",
                code="amount_over_payable",
                detail={"amount": [f"Paling banyak {format_rupiah(owed)}."]},
            )
        money_role = SUPPLIER_PAYMENT_ROLE[SupplierPaymentChannel(channel)]
        _require_money(cooperative, money_role, amount, date)
        entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=postings.payment_lines(
                amount=amount, payable_role="consignment_payable", money_role=money_role, member_id=supplier.member_id
            ),
            memo=f"Pembayaran hasil titipan kepada {supplier.name}",
            source=f"shop.supplier:{supplier.pk}",
            actor=actor,
        )
        settlement = ConsignmentSettlement.objects.create(
            cooperative=cooperative,
            consignor=supplier,
            date=date,
            amount=amount,
            channel=channel,
            reference=reference,
            journal_entry=entry,
            created_by=_actor_or_none(actor),
        )
        audit_record(
            actor=actor,
            action="shop.consignment.settle",
            cooperative=cooperative,
            target=settlement,
            data={"amount": amount},
        )
    return settlement
