"""Cashier sessions, sales at the till, and returns and voids."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from koperasi.cooperatives.models import Cooperative
from koperasi.core.audit import audit_record
from koperasi.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from koperasi.core.money import format_rupiah
from koperasi.ledger.services import journal_post
from koperasi.members.choices import MemberStatus
from koperasi.members.identity import IdentityError, nik_parse
from koperasi.members.models import Member
from koperasi.shop import calculations, postings, selectors
from koperasi.shop.choices import (
    PAYMENT_ROLE,
    MoveKind,
    PaymentMethod,
    ReturnKind,
    ReturnStatus,
    SaleStatus,
    SessionStatus,
)
from koperasi.shop.models import (
    CashierSession,
    Location,
    Product,
    Sale,
    SaleLine,
    SaleReturn,
    SaleReturnLine,
    StockLevel,
    Supplier,
)
from koperasi.shop.purchase_totals import member_purchases_add, member_purchases_return
from koperasi.shop.services._common import (
    KEY_PREFIX,
    MAX_AMOUNT,
    MAX_LINES,
    _actor_or_none,
    _amount,
    _check_het,
    _event_date,
    _key,
    _levels_locked,
    _line_id,
    _location,
    _may_approve,
    _moves,
    _period_open,
    _products_locked,
    _qty,
    _refuse_short,
    _require_money,
    _text,
    first_on_key_race,
    next_number,
)
from koperasi.subsidies import till as subsidy_till

# --- Cashier sessions --------------------------------------------------------------------------


def cashier_session_open(
    *, cooperative: Cooperative, opening_float: int, location: Location | int | str | None = None, actor: Any
) -> CashierSession:
    """Open the actor's till with a counted float. Raises ValidationError, Conflict (``session_open``)."""
    opening_float = _amount(opening_float, "opening_float", "Modal awal kas", allow_zero=True)
    if not getattr(actor, "pk", None):
        raise PermissionDenied("Masuk sebagai kasir untuk membuka sesi.")
    with transaction.atomic():
        place = _location(cooperative, location)
        if selectors.open_session_for(cooperative=cooperative, user=actor) is not None:
            raise Conflict("Anda masih memiliki sesi kasir yang terbuka; tutup dahulu.", code="session_open")
        try:
            with transaction.atomic():
                session = CashierSession.objects.create(
                    cooperative=cooperative,
                    session_no=next_number(cooperative, "session"),
                    cashier=actor,
                    location=place,
                    opened_at=timezone.now(),
                    opening_float=opening_float,
                )
        except IntegrityError:
            raise Conflict("Anda masih memiliki sesi kasir yang terbuka; tutup dahulu.", code="session_open") from None
        audit_record(
            actor=actor,
            action="shop.session.open",
            cooperative=cooperative,
            target=session,
            data={"opening_float": opening_float},
        )
    return session


def session_expected_cash(session: CashierSession) -> int:
    """Return the cash a till should hold: float + cash sales − cash refunds paid from it."""
    sales = Sale.objects.filter(session=session, payment_method=PaymentMethod.TUNAI).aggregate(s=Sum("total"))["s"] or 0
    refunds = (
        SaleReturn.objects.filter(session=session, status=ReturnStatus.APPROVED).aggregate(s=Sum("amount"))["s"] or 0
    )
    return session.opening_float + sales - refunds


def cashier_session_close(
    *, cooperative: Cooperative, session: CashierSession | int, counted_cash: int, note: str = "", actor: Any
) -> CashierSession:
    """Close a till with its cash count; post the variance (a shortage is an expense, a surplus income).

    Only the cashier or an approver of returns (bendahara, manajer, ketua) may close it.
    Raises NotFound, ValidationError, PermissionDenied and Conflict (``session_closed``).
    """
    counted_cash = _amount(counted_cash, "counted_cash", "Uang tunai dihitung", allow_zero=True)
    note = _text(note, "note", "Catatan", max_length=250)
    with transaction.atomic():
        session_id = session.pk if isinstance(session, CashierSession) else session
        found = CashierSession.objects.filter(cooperative=cooperative, pk=session_id).select_for_update().first()
        if found is None:
            raise NotFound("Sesi kasir tidak ditemukan.", code="session_not_found")
        if found.status != SessionStatus.OPEN:
            raise Conflict("Sesi kasir ini sudah ditutup.", code="session_closed")
        if found.cashier_id != getattr(actor, "pk", None) and not _may_approve(cooperative, actor):
            raise PermissionDenied("Hanya kasirnya sendiri atau bendahara yang dapat menutup sesi ini.")
        expected = session_expected_cash(found)
        found.expected_cash = expected
        found.counted_cash = counted_cash
        found.variance = counted_cash - expected
        found.closed_at = timezone.now()
        found.status = SessionStatus.CLOSED
        found.close_note = note
        if found.variance:
            found.journal_entry = journal_post(
                cooperative=cooperative,
                date=timezone.localdate(),
                lines=postings.variance_lines(amount=found.variance, against_role="cash"),
                memo=f"Selisih kas sesi kasir {found.session_no}",
                source=found,
                idempotency_key=f"{KEY_PREFIX}session:{found.pk}",
                actor=actor,
            )
        found.save()
        audit_record(
            actor=actor,
            action="shop.session.close",
            cooperative=cooperative,
            target=found,
            data={"expected": expected, "counted": counted_cash, "variance": found.variance},
        )
    return found


# --- Sales -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SaleLineInput:
    product: Product | int | str  # object, id or SKU
    qty: int


def buyer_member(*, cooperative: Cooperative, member: Member | int | None, buyer_nik: str) -> Member | None:
    """Return the member buying (named, or found by NIK), or None for a non-member. Raises NotFound, ValidationError."""
    if member is not None:
        member_id = member.pk if isinstance(member, Member) else member
        if isinstance(member_id, bool) or not isinstance(member_id, int):
            raise ValidationError.for_field("member_id", "Nomor anggota tidak valid.")
        found = Member.objects.filter(cooperative=cooperative, pk=member_id).first()
        if found is None:
            raise NotFound("Anggota tidak ditemukan di koperasi ini.", code="member_not_found")
        return found
    if buyer_nik:
        return Member.objects.filter(cooperative=cooperative, nik=buyer_nik).order_by("-pk").first()
    return None


def _check_nik(nik: str) -> None:
    try:
        nik_parse(nik, today=timezone.localdate())
    except IdentityError as exc:
        raise ValidationError.for_field("buyer_nik", f"NIK pembeli tidak valid: {exc}", code="nik_invalid") from None


def _existing_sale(cooperative: Cooperative, key: str | None) -> Sale | None:
    return Sale.objects.filter(cooperative=cooperative, idempotency_key=key).first() if key else None


@first_on_key_race(_existing_sale)
def sale_create(
    *,
    cooperative: Cooperative,
    date: datetime.date,
    lines: Sequence[SaleLineInput],
    payment_method: str = PaymentMethod.TUNAI,
    payment_reference: str = "",
    cash_received: int | None = None,
    member: Member | int | None = None,
    buyer_nik: str = "",
    buyer_name: str = "",
    partner_reference: str = "",
    session: CashierSession | int | None = None,
    location: Location | int | str | None = None,
    actor: Any,
    idempotency_key: str | None = None,
) -> Sale:
    """Sell goods: stock out, revenue by buyer and unit, cost of goods, consignment payable; one journal entry.

    The price is the one in force on ``date``; a price above the HET then is refused. The
    sale goes into the actor's open cashier session (or ``session``) and its location.
    A repeated ``idempotency_key`` returns the first sale. A product of a subsidy programme
    sells at the programme's price to a registered buyer within its quotas, checked under
    the product row lock (``subsidies.till``); ``partner_reference`` (e.g. the Pertamina MAP
    transaction) goes into the programme's logbook. Raises NotFound, ValidationError (lines,
    quantities, unknown product, payment, NIK) and Conflict (``insufficient_stock``,
    ``price_above_het``, ``cash_short``, ``product_inactive``, ``session_closed``,
    ``period_closed``, and the till's refusals: ``nik_required``, ``recipient_not_registered``,
    ``recipient_inactive``, ``category_not_eligible``, ``program_expired``, ``quota_exceeded``).
    """
    date = _event_date(date)
    if not lines:
        raise ValidationError.for_field("lines", "Isi paling sedikit satu barang.")
    if len(lines) > MAX_LINES:
        raise ValidationError.for_field("lines", f"Paling banyak {MAX_LINES} baris.")
    for i, line in enumerate(lines, start=1):
        _qty(line.qty, f"lines.{i}.qty")
    if payment_method not in PaymentMethod.values:
        raise ValidationError.for_field("payment", "Cara bayar harus tunai, qris atau transfer.")
    payment_reference = _text(payment_reference, "payment_reference", "Referensi pembayaran", max_length=100)
    if payment_method == PaymentMethod.TRANSFER and not payment_reference:
        raise ValidationError.for_field("payment_reference", "Nomor referensi transfer wajib diisi.")
    if cash_received is not None:
        cash_received = _amount(cash_received, "cash_received", "Uang diterima", allow_zero=True)
    buyer_nik = _text(buyer_nik, "buyer_nik", "NIK pembeli", max_length=16)
    if buyer_nik:
        _check_nik(buyer_nik)
    buyer_name = _text(buyer_name, "buyer_name", "Nama pembeli", max_length=150)
    partner_reference = _text(partner_reference, "partner_reference", "Referensi transaksi mitra", max_length=100)
    key = _key(idempotency_key)
    if (first := _existing_sale(cooperative, key)) is not None:
        return first
    _period_open(cooperative, date)
    buyer = buyer_member(cooperative=cooperative, member=member, buyer_nik=buyer_nik)
    is_member = buyer is not None and buyer.status == MemberStatus.AKTIF
    till = _sale_session(cooperative, session, actor)
    place = till.location if till is not None and location in (None, "") else _location(cooperative, location)
    with transaction.atomic():
        products = _products_locked(cooperative, [ln.product for ln in lines])
        if (first := _existing_sale(cooperative, key)) is not None:
            return first  # a retry that waited for the first attempt's locks
        # The session row lock orders this sale against the session's close: a sale either counts in
        # the close's expected cash or finds the session closed.
        if till is not None and not list(
            CashierSession.objects.select_for_update().filter(pk=till.pk, status=SessionStatus.OPEN).values_list("pk")
        ):
            raise Conflict("Sesi kasir sudah ditutup; buka sesi baru.", code="session_closed")
        items = [(products[ln.product.pk if isinstance(ln.product, Product) else ln.product], ln.qty) for ln in lines]
        inactive = [p.name for p, _ in items if not p.is_active]
        if inactive:
            raise Conflict(f"Barang tidak dijual lagi: {', '.join(inactive)}.", code="product_inactive")
        ids = [p.pk for p, _ in items]
        subsidised = subsidy_till.quota_check(
            cooperative=cooperative, date=date, items=items, nik=buyer_nik or (buyer.nik if buyer else "")
        )
        prices = selectors.prices_on(cooperative=cooperative, product_ids=ids, date=date)
        if subsidised is not None:
            prices.update(subsidised.prices)
        het_rows = (
            selectors.het_rows(
                cooperative=cooperative, commodities={p.het_commodity for p, _ in items if p.het_commodity}
            )
            if any(p.het_commodity for p, _ in items)
            else []
        )
        for product, _ in items:
            _check_het(cooperative, product, prices.get(product.pk, product.price), date, het_rows)
        levels = _levels_locked(cooperative, place, ids)
        need: dict[int, int] = {}
        for product, qty in items:
            need[product.pk] = need.get(product.pk, 0) + qty
        _refuse_short(products={p.pk: p for p, _ in items}, levels=levels, need=need, where=place)
        total = sum(prices.get(p.pk, p.price) * qty for p, qty in items)
        if total > MAX_AMOUNT:
            raise ValidationError.for_field(
                "lines", "Jumlah penjualan terlalu besar; periksa kembali.", code="amount_too_large"
            )
        if payment_method == PaymentMethod.TUNAI:
            received = total if cash_received is None else cash_received
            if received < total:
                raise Conflict(
                    f"Uang diterima {format_rupiah(received)} kurang dari total {format_rupiah(total)}.",
                    code="cash_short",
                    detail={"cash_received": [f"Paling sedikit {format_rupiah(total)}."]},
                )
        else:
            received = None
        sale_lines: list[SaleLine] = []
        sold: list[postings.SoldLine] = []
        for product, qty in items:
            price = prices.get(product.pk, product.price)
            line_total = price * qty
            consignment = product.consignor_id is not None
            cost = 0 if consignment else calculations.cost_of_units(product.stock_qty, product.stock_value, qty)
            commission = calculations.commission_for(line_total, product.commission_percent) if consignment else 0
            product.stock_qty -= qty
            product.stock_value -= cost
            levels[product.pk].qty -= qty
            sale_lines.append(
                SaleLine(
                    cooperative=cooperative,
                    product=product,
                    business_unit=product.business_unit,
                    qty=qty,
                    unit_price=price,
                    line_total=line_total,
                    cost=cost,
                    consignor_id=product.consignor_id,
                    commission=commission,
                )
            )
            sold.append(
                postings.SoldLine(
                    unit=product.business_unit,
                    amount=line_total,
                    cost=cost,
                    is_consignment=consignment,
                    consignor_member_id=product.consignor.member_id if product.consignor else None,
                    commission=commission,
                )
            )
        Product.objects.bulk_update(list({p.pk: p for p, _ in items}.values()), ["stock_qty", "stock_value"])
        StockLevel.objects.bulk_update(list(levels.values()), ["qty"])
        sale_no = next_number(cooperative, "sale")
        entry = journal_post(
            cooperative=cooperative,
            date=date,
            lines=postings.sale_lines(
                lines=sold,
                money_role=PAYMENT_ROLE[PaymentMethod(payment_method)],
                member_id=buyer.pk if buyer else None,
                is_member=is_member,
            ),
            memo=f"Penjualan {sale_no}" + (f" kepada {buyer.name}" if buyer else ""),
            source=f"shop.sale:{sale_no}",
            actor=actor,
        )
        sale = Sale.objects.create(
            cooperative=cooperative,
            sale_no=sale_no,
            date=date,
            session=till,
            location=place,
            member=buyer,
            is_member_sale=is_member,
            buyer_nik=buyer_nik or (buyer.nik if buyer else ""),
            buyer_name=buyer_name or (buyer.name if buyer else ""),
            payment_method=payment_method,
            payment_reference=payment_reference,
            total=total,
            cost_total=sum(ln.cost for ln in sale_lines),
            commission_total=sum(ln.commission for ln in sale_lines),
            cash_received=received,
            change=calculations.change_for(total, received) if received is not None else 0,
            journal_entry=entry,
            idempotency_key=key,
            created_by=_actor_or_none(actor),
        )
        for sale_line in sale_lines:
            sale_line.sale = sale
        SaleLine.objects.bulk_create(sale_lines)
        if is_member and buyer is not None:
            member_purchases_add(
                cooperative_id=cooperative.pk,
                member_id=buyer.pk,
                sale_date=date,
                by_unit=_amount_by_unit((ln.business_unit_id, ln.line_total) for ln in sale_lines),
            )
        if subsidised is not None:
            subsidy_till.distributions_record(
                cooperative=cooperative,
                plan=subsidised,
                sale=sale,
                sale_lines=sale_lines,
                partner_reference=partner_reference,
            )
        _moves(
            cooperative,
            [(p, place, -q, -ln.cost) for (p, q), ln in zip(items, sale_lines, strict=True)],
            date=date,
            kind=MoveKind.SALE,
            source=sale,
        )
        audit_record(
            actor=actor,
            action="shop.sale.create",
            cooperative=cooperative,
            target=sale,
            data={"total": total, "lines": len(items)},
        )
    return sale


def _amount_by_unit(amounts: Iterable[tuple[int, int]]) -> dict[int, int]:
    totals: dict[int, int] = {}
    for unit_id, amount in amounts:
        totals[unit_id] = totals.get(unit_id, 0) + amount
    return totals


def _sale_session(cooperative: Cooperative, session: CashierSession | int | None, actor: Any) -> CashierSession | None:
    if session is None:
        return selectors.open_session_for(cooperative=cooperative, user=actor)
    session_id = session.pk if isinstance(session, CashierSession) else session
    found = CashierSession.objects.filter(cooperative=cooperative, pk=session_id).select_related("location").first()
    if found is None:
        raise NotFound("Sesi kasir tidak ditemukan.", code="session_not_found")
    if found.status != SessionStatus.OPEN:
        raise Conflict("Sesi kasir sudah ditutup; buka sesi baru.", code="session_closed")
    if found.cashier_id != getattr(actor, "pk", None):
        raise PermissionDenied("Sesi kasir ini milik kasir lain.")
    return found


# --- Returns and voids -------------------------------------------------------------------------


def sale_return_request(
    *,
    cooperative: Cooperative,
    sale: Sale | int,
    kind: str,
    reason: str,
    date: datetime.date,
    quantities: dict[int, int] | None = None,
    actor: Any,
) -> SaleReturn:
    """Ask to void a sale (all of it) or return some units (``quantities``: sale line id → units).

    Nothing moves until an approver decides (``sale_return_decide``). Raises NotFound,
    ValidationError (reason, quantities) and Conflict (``sale_voided``, ``return_pending``).
    """
    if kind not in ReturnKind.values:
        raise ValidationError.for_field("kind", "Jenis harus pembatalan atau retur.")
    reason = _text(reason, "reason", "Alasan", max_length=250, required=True)
    date = _event_date(date)
    with transaction.atomic():
        found = (
            Sale.objects.filter(cooperative=cooperative, pk=sale.pk if isinstance(sale, Sale) else sale)
            .select_for_update()
            .first()
        )
        if found is None:
            raise NotFound("Nota penjualan tidak ditemukan.", code="sale_not_found")
        if found.status == SaleStatus.VOIDED:
            raise Conflict("Nota ini sudah dibatalkan.", code="sale_voided")
        if date < found.date:
            raise ValidationError.for_field("date", "Tanggal retur tidak boleh sebelum tanggal penjualan.")
        if SaleReturn.objects.filter(sale=found, status=ReturnStatus.PENDING).exists():
            raise Conflict("Nota ini masih punya permintaan retur yang menunggu persetujuan.", code="return_pending")
        lines = {ln.pk: ln for ln in SaleLine.objects.filter(sale=found)}
        if kind == ReturnKind.VOID:
            if any(ln.qty_returned for ln in lines.values()):
                raise Conflict("Sebagian barang sudah diretur; gunakan retur untuk sisanya.", code="partly_returned")
            wanted = {pk: ln.qty for pk, ln in lines.items()}
        else:
            wanted = {_line_id(k): v for k, v in (quantities or {}).items() if v}
            if not wanted:
                raise ValidationError.for_field("lines", "Isi jumlah barang yang diretur.")
            for pk, qty in wanted.items():
                _qty(qty, f"lines.{pk}.qty")
                line = lines.get(pk)
                if line is None:
                    raise ValidationError.for_field(f"lines.{pk}", "Baris nota tidak ditemukan.")
                if qty > line.qty - line.qty_returned:
                    raise ValidationError.for_field(
                        f"lines.{pk}", f"Paling banyak {line.qty - line.qty_returned} yang belum diretur."
                    )
        till = selectors.open_session_for(cooperative=cooperative, user=actor)
        request = SaleReturn.objects.create(
            cooperative=cooperative,
            sale=found,
            session=till if found.payment_method == PaymentMethod.TUNAI else None,
            kind=kind,
            date=date,
            reason=reason,
            amount=sum(lines[pk].unit_price * qty for pk, qty in wanted.items()),
            requested_by=_actor_or_none(actor),
        )
        SaleReturnLine.objects.bulk_create(
            [
                SaleReturnLine(
                    cooperative=cooperative,
                    sale_return=request,
                    sale_line=lines[pk],
                    qty=qty,
                    amount=lines[pk].unit_price * qty,
                )
                for pk, qty in sorted(wanted.items())
            ]
        )
        audit_record(
            actor=actor,
            action="shop.return.request",
            cooperative=cooperative,
            target=request,
            data={"kind": kind, "amount": request.amount, "reason": reason},
        )
    return request


def sale_return_decide(
    *,
    cooperative: Cooperative,
    sale_return: SaleReturn | int,
    approve: bool,
    note: str = "",
    actor: Any,
) -> SaleReturn:
    """Approve (stock back, refund posted as the sale's lines reversed) or reject a return; not by its requester.

    Raises NotFound, ValidationError (a rejection needs a note), PermissionDenied (the
    requester, or a role that may not approve) and Conflict (``return_decided``,
    ``consignment_settled``, ``period_closed``).
    """
    note = _text(note, "note", "Catatan", max_length=250, required=not approve)
    with transaction.atomic():
        request_id = sale_return.pk if isinstance(sale_return, SaleReturn) else sale_return
        request = SaleReturn.objects.filter(cooperative=cooperative, pk=request_id).first()
        if request is None:
            raise NotFound("Permintaan retur tidak ditemukan.", code="return_not_found")
        if not _may_approve(cooperative, actor):
            raise PermissionDenied("Retur disetujui oleh bendahara, manajer atau ketua.")
        if request.requested_by_id == getattr(actor, "pk", None):
            raise PermissionDenied("Retur harus disetujui orang lain, bukan yang memintanya.")
        return_lines = list(SaleReturnLine.objects.filter(sale_return=request).order_by("sale_line_id"))
        sale_lines = {
            ln.pk: ln
            for ln in SaleLine.objects.filter(pk__in=[r.sale_line_id for r in return_lines])
            .select_related("product", "business_unit", "consignor")
            .order_by("product_id")
        }
        products = (
            _products_locked(cooperative, sorted({ln.product_id for ln in sale_lines.values()})) if approve else {}
        )
        sale = Sale.objects.select_for_update().get(pk=request.sale_id)
        request = SaleReturn.objects.select_for_update().get(pk=request.pk)
        if request.status != ReturnStatus.PENDING:
            raise Conflict("Permintaan retur ini sudah diputuskan.", code="return_decided")
        request.decided_by = _actor_or_none(actor)
        request.decided_at = timezone.now()
        request.decision_note = note
        if not approve:
            request.status = ReturnStatus.REJECTED
            request.save()
            audit_record(
                actor=actor, action="shop.return.reject", cooperative=cooperative, target=request, data={"note": note}
            )
            return request
        _period_open(cooperative, request.date)
        _approve_return(cooperative, request, sale, return_lines, sale_lines, products, actor)
    return request


def _approve_return(
    cooperative: Cooperative,
    request: SaleReturn,
    sale: Sale,
    return_lines: list[SaleReturnLine],
    sale_lines: dict[int, SaleLine],
    products: dict[Any, Product],
    actor: Any,
) -> None:
    levels = _levels_locked(cooperative, sale.location, [ln.product_id for ln in sale_lines.values()])
    already = {
        row["sale_line_id"]: row
        for row in SaleReturnLine.objects.filter(
            sale_line_id__in=list(sale_lines), sale_return__status=ReturnStatus.APPROVED
        )
        .values("sale_line_id")
        .annotate(cost=Sum("cost"), commission=Sum("commission"))
    }
    sold: list[postings.SoldLine] = []
    refund_to_consignor: dict[int, int] = {}
    moves = []
    for row in return_lines:
        line = sale_lines[row.sale_line_id]
        if row.qty > line.qty - line.qty_returned:
            raise Conflict("Barang nota ini sudah diretur sebelumnya.", code="return_decided")
        done: Any = already.get(line.pk, {})
        row.cost = calculations.part_of(line.cost, row.qty, line.qty, done.get("cost") or 0, line.qty_returned)
        row.commission = calculations.part_of(
            line.commission, row.qty, line.qty, done.get("commission") or 0, line.qty_returned
        )
        line.qty_returned += row.qty
        product = products[line.product_id]
        product.stock_qty += row.qty
        product.stock_value += row.cost
        levels[product.pk].qty += row.qty
        moves.append((product, sale.location, row.qty, row.cost))
        if line.consignor_id is not None:
            refund_to_consignor[line.consignor_id] = refund_to_consignor.get(line.consignor_id, 0) + (
                row.amount - row.commission
            )
        sold.append(
            postings.SoldLine(
                unit=line.business_unit,
                amount=row.amount,
                cost=row.cost,
                is_consignment=line.consignor_id is not None,
                consignor_member_id=line.consignor.member_id if line.consignor else None,
                commission=row.commission,
            )
        )
    for consignor_id, amount in refund_to_consignor.items():
        owed = selectors.consignment_payable(cooperative=cooperative, consignor=Supplier(pk=consignor_id))
        if owed < amount:
            raise Conflict(
                "Hasil barang titipan ini sudah dibayarkan kepada UMKM; retur akan membuat utang titipan minus.",
                code="consignment_settled",
            )
    SaleReturnLine.objects.bulk_update(return_lines, ["cost", "commission"])
    SaleLine.objects.bulk_update(list(sale_lines.values()), ["qty_returned"])
    Product.objects.bulk_update(list(products.values()), ["stock_qty", "stock_value"])
    StockLevel.objects.bulk_update(list(levels.values()), ["qty"])
    _moves(cooperative, moves, date=request.date, kind=MoveKind.RETURN, source=request)
    money_role = PAYMENT_ROLE[PaymentMethod(sale.payment_method)]
    _require_money(cooperative, money_role, request.amount, request.date)
    if request.session_id is not None and not list(
        CashierSession.objects.select_for_update()
        .filter(pk=request.session_id, status=SessionStatus.OPEN)
        .values_list("pk")
    ):
        request.session = None  # the till was counted and closed meanwhile: the refund is paid from the cash box
    request.journal_entry = journal_post(
        cooperative=cooperative,
        date=request.date,
        lines=postings.sale_lines(
            lines=sold, money_role=money_role, member_id=sale.member_id, is_member=sale.is_member_sale, refund=True
        ),
        memo=f"{request.get_kind_display()} {sale.sale_no}: {request.reason}"[:250],
        source=request,
        idempotency_key=f"{KEY_PREFIX}return:{request.pk}",
        actor=actor,
    )
    request.status = ReturnStatus.APPROVED
    request.save()
    if sale.is_member_sale and sale.member_id is not None:
        member_purchases_return(
            cooperative_id=cooperative.pk,
            member_id=sale.member_id,
            sale_date=sale.date,
            by_unit=_amount_by_unit(
                (sale_lines[row.sale_line_id].business_unit_id, row.amount) for row in return_lines
            ),
        )
    sale.total_returned += request.amount
    if all(ln.qty_returned == ln.qty for ln in SaleLine.objects.filter(sale=sale)):
        sale.status = SaleStatus.VOIDED
    sale.save(update_fields=["total_returned", "status"])
    audit_record(
        actor=actor,
        action="shop.return.approve",
        cooperative=cooperative,
        target=request,
        data={"amount": request.amount, "sale": sale.sale_no},
    )
