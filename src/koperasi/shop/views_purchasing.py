"""Pages of purchasing: suppliers and their payables, orders and their receipts, direct purchases,
supplier invoices and payments."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from koperasi.cooperatives.models import Cooperative
from koperasi.core.errors import NotFound
from koperasi.core.money import format_rupiah
from koperasi.core.permissions import Action, can
from koperasi.core.roles import Role
from koperasi.members import selectors as member_selectors
from koperasi.shop import selectors, services
from koperasi.shop.choices import LocationKind, PurchaseOrderStatus, SupplierPaymentChannel
from koperasi.shop.forms import (
    CREDIT,
    InvoiceForm,
    OrderCancelForm,
    OrderForm,
    PaymentForm,
    PurchaseForm,
    ReceiveForm,
    SupplierForm,
    line_formset,
    new_key,
    with_extra_row,
)
from koperasi.shop.models import PurchaseOrder, Supplier
from koperasi.shop.views_back import (
    GET_POST,
    REFUSED,
    add_domain_error,
    first_of_kind,
    is_repeat,
    location_choices,
    locations,
    object_id,
    page_of,
    shop_coop,
    shop_page,
)

OPEN_ORDER = (PurchaseOrderStatus.ORDERED, PurchaseOrderStatus.PARTIAL)
RECENT = 50  # receipts and payments shown on a supplier's page


def _supplier(coop: Cooperative, supplier_id: int) -> Supplier:
    return selectors.supplier_get(cooperative=coop, supplier_id=object_id(supplier_id))


def _order(coop: Cooperative, order_id: int) -> PurchaseOrder:
    return selectors.order_get(cooperative=coop, order_id=object_id(order_id))


def _supplier_url(coop: Cooperative, supplier: Any) -> str:
    return reverse("shop:supplier_detail", args=[coop.code, supplier.pk])


def _order_url(coop: Cooperative, order: PurchaseOrder) -> str:
    return reverse("shop:order_detail", args=[coop.code, order.pk])


def _supplier_choices(coop: Cooperative) -> list[tuple[int, str]]:
    return [(s.pk, s.name) for s in selectors.supplier_list(cooperative=coop) if s.is_active]


def _purchasable(coop: Cooperative) -> list[tuple[int, str]]:
    """Own goods only: consignment goods come in through the consignment page."""
    return [
        (p.pk, f"{p.name} ({p.sku})")
        for p in selectors.product_list(cooperative=coop, active_only=True)
        if p.consignor_id is None
    ]


def _rows(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("baris", "5"))
    except ValueError:
        return 5


# --- suppliers ----------------------------------------------------------------------------
@login_required
@require_GET
def suppliers(request: HttpRequest, code: str) -> HttpResponse:
    """Suppliers with what the cooperative owes each."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    payables = selectors.supplier_payables(cooperative=coop)
    rows = [(s, payables.get(s.pk, 0)) for s in selectors.supplier_list(cooperative=coop).order_by("name")]
    return shop_page(
        request,
        "suppliers.html",
        coop,
        roles,
        "suppliers",
        rows=rows,
        payable_total=sum(payables.values()),
    )


@login_required
@GET_POST
def supplier_new(request: HttpRequest, code: str) -> HttpResponse:
    """Register a supplier: Bulog, the Pertamina agent, a distributor, or a member's UMKM (by member number)."""
    coop, roles = shop_coop(request, code, Action.SHOP_PURCHASE)
    status = 200
    if request.method == "POST":
        form = SupplierForm(request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            member = None
            if data["member_no"] is not None:
                try:
                    member = member_selectors.member_by_number(cooperative=coop, member_no=data["member_no"])
                except NotFound as exc:
                    form.add_error("member_no", exc.message)
            if not form.errors:
                try:
                    supplier = services.supplier_create(
                        cooperative=coop,
                        name=data["name"],
                        kind=data["kind"],
                        member=member,
                        phone=data["phone"],
                        address=data["address"],
                        actor=request.user,
                    )
                except REFUSED as exc:
                    status = add_domain_error(form, exc)
                else:
                    messages.success(request, _("Pemasok %(name)s didaftarkan.") % {"name": supplier.name})
                    return redirect(_supplier_url(coop, supplier))
    else:
        form = SupplierForm()
    return shop_page(request, "supplier_form.html", coop, roles, "suppliers", status, form=form)


@login_required
@require_GET
def supplier_detail(request: HttpRequest, code: str, supplier_id: int) -> HttpResponse:
    """A supplier: goods received, invoices, payments, orders and what is still owed."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    supplier = _supplier(coop, supplier_id)
    receipts = list(selectors.receipt_list(cooperative=coop, supplier=supplier)[:RECENT])
    return shop_page(
        request,
        "supplier_detail.html",
        coop,
        roles,
        "suppliers",
        supplier=supplier,
        payable=selectors.supplier_payable(cooperative=coop, supplier=supplier),
        receipts=receipts,
        uninvoiced=any(r.invoice_id is None and not r.paid_on_receipt and r.total > 0 for r in receipts),
        invoices=list(selectors.invoice_list(cooperative=coop, supplier=supplier)),
        payments=list(selectors.supplier_payment_list(cooperative=coop, supplier=supplier)[:RECENT]),
        orders=list(selectors.order_list(cooperative=coop, supplier=supplier)[:10]),
        consignment_owed=(
            selectors.consignment_payable(cooperative=coop, consignor=supplier) if supplier.kind == "umkm" else None
        ),
        today=timezone.localdate(),
    )


def _invoice_choices(coop: Cooperative, supplier: Supplier) -> list[tuple[int, str]]:
    return [
        (
            inv.pk,
            _("%(invoice)s · sisa %(amount)s")
            % {"invoice": inv.invoice_no, "amount": format_rupiah(inv.amount - inv.paid)},
        )
        for inv in selectors.invoice_list(cooperative=coop, supplier=supplier, open_only=True)
    ]


@login_required
@GET_POST
def supplier_pay(request: HttpRequest, code: str, supplier_id: int) -> HttpResponse:
    """Pay a supplier in cash or by transfer, against the payable (optionally one invoice)."""
    coop, roles = shop_coop(request, code, Action.SHOP_PAY)
    supplier = _supplier(coop, supplier_id)
    invoices = _invoice_choices(coop, supplier)
    status = 200
    if request.method == "POST":
        form = PaymentForm(request.POST, invoices=invoices)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            started = timezone.now()
            try:
                payment = services.supplier_pay(
                    cooperative=coop,
                    supplier=supplier,
                    amount=data["amount"],
                    date=data["date"],
                    channel=data["channel"],
                    reference=data["reference"],
                    invoice=data["invoice"],
                    actor=request.user,
                    idempotency_key=data["idempotency_key"] or None,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                if is_repeat(payment.created_at, started):
                    messages.info(request, _("Pembayaran ini sudah tercatat; kiriman ganda diabaikan."))
                else:
                    messages.success(
                        request,
                        _("Pembayaran %(amount)s kepada %(name)s dicatat.")
                        % {"amount": format_rupiah(payment.amount), "name": supplier.name},
                    )
                return redirect(_supplier_url(coop, supplier))
    else:
        form = PaymentForm(
            invoices=invoices,
            initial={
                "amount": selectors.supplier_payable(cooperative=coop, supplier=supplier),
                "date": timezone.localdate(),
                "channel": SupplierPaymentChannel.TUNAI,
                "idempotency_key": new_key(),
            },
        )
    return shop_page(
        request,
        "payment_form.html",
        coop,
        roles,
        "suppliers",
        status,
        form=form,
        supplier=supplier,
        owed=selectors.supplier_payable(cooperative=coop, supplier=supplier),
        action=reverse("shop:supplier_pay", args=[coop.code, supplier.pk]),
        consignment=False,
    )


@login_required
@GET_POST
def invoice_new(request: HttpRequest, code: str, supplier_id: int) -> HttpResponse:
    """Record a supplier's invoice for goods received on credit and not yet invoiced."""
    coop, roles = shop_coop(request, code, Action.SHOP_PURCHASE)
    supplier = _supplier(coop, supplier_id)
    receipts = [
        (r.pk, f"{r.receipt_no} · {r.date:%d/%m/%Y} · {format_rupiah(r.total)}")
        for r in selectors.receipt_list(cooperative=coop, supplier=supplier, uninvoiced=True)
    ]
    status = 200
    if request.method == "POST":
        form = InvoiceForm(request.POST, receipts=receipts)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                invoice = services.supplier_invoice_record(
                    cooperative=coop,
                    supplier=supplier,
                    invoice_no=data["invoice_no"],
                    date=data["date"],
                    receipts=data["receipts"],
                    due_on=data["due_on"],
                    actor=request.user,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Faktur %(no)s sebesar %(amount)s dicatat.")
                    % {"no": invoice.invoice_no, "amount": format_rupiah(invoice.amount)},
                )
                return redirect(_supplier_url(coop, supplier))
    else:
        form = InvoiceForm(receipts=receipts, initial={"date": timezone.localdate()})
    return shop_page(
        request, "invoice_form.html", coop, roles, "suppliers", status, form=form, supplier=supplier, receipts=receipts
    )


# --- orders and receipts ------------------------------------------------------------------
@login_required
@require_GET
def orders(request: HttpRequest, code: str) -> HttpResponse:
    """Purchase orders, newest first, by status."""
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    status = request.GET.get("status", "")
    if status not in PurchaseOrderStatus.values:
        status = ""
    page = page_of(request, selectors.order_list(cooperative=coop, status=status))
    return shop_page(
        request,
        "orders.html",
        coop,
        roles,
        "orders",
        page=page,
        statuses=PurchaseOrderStatus.choices,
        current_status=status,
        base_query=urlencode({"status": status}) if status else "",
    )


@login_required
@GET_POST
def order_new(request: HttpRequest, code: str) -> HttpResponse:
    """Order goods from a supplier: a few lines of product, quantity and unit cost (nothing is booked yet)."""
    coop, roles = shop_coop(request, code, Action.SHOP_PURCHASE)
    places = locations(coop)
    choices = {"suppliers": _supplier_choices(coop), "locations": location_choices(places)}
    products = _purchasable(coop)
    status = 200
    if request.method == "POST":
        adding = "tambah_baris" in request.POST  # one more line row; nothing is checked or written yet
        data = with_extra_row(request.POST) if adding else request.POST
        form = OrderForm(None if adding else data, initial=request.POST.dict() if adding else None, **choices)
        lines = line_formset(data, products=products)
        if not adding:
            status = 422
            if form.is_valid() and lines.is_valid():
                cleaned = form.cleaned_data
                try:
                    order = services.purchase_order_create(
                        cooperative=coop,
                        supplier=cleaned["supplier"],
                        date=cleaned["date"],
                        lines=lines.purchase_lines(),
                        location=cleaned["location"],
                        expected_on=cleaned["expected_on"],
                        note=cleaned["note"],
                        actor=request.user,
                    )
                except REFUSED as exc:
                    status = add_domain_error(form, exc, lines=lines)
                else:
                    messages.success(
                        request,
                        _("Pesanan %(no)s kepada %(name)s dicatat: %(total)s.")
                        % {"no": order.order_no, "name": order.supplier.name, "total": format_rupiah(order.total)},
                    )
                    return redirect(_order_url(coop, order))
    else:
        form = OrderForm(
            initial={"date": timezone.localdate(), "location": first_of_kind(places, LocationKind.GUDANG)}, **choices
        )
        lines = line_formset(products=products, rows=_rows(request))
    return shop_page(request, "order_form.html", coop, roles, "orders", status, form=form, lines=lines)


def _order_page(
    request: HttpRequest,
    coop: Cooperative,
    roles: frozenset[Role],
    order: PurchaseOrder,
    *,
    cancel_form: OrderCancelForm | None = None,
    status: int = 200,
) -> HttpResponse:
    is_open = order.status in OPEN_ORDER
    if cancel_form is None and is_open and can(roles, Action.SHOP_PURCHASE):
        cancel_form = OrderCancelForm()
    lines = list(order.lines.all())
    return shop_page(
        request,
        "order_detail.html",
        coop,
        roles,
        "orders",
        status,
        order=order,
        lines=[(line, line.qty_ordered * line.unit_cost) for line in lines],
        receipts=list(order.receipts.all()),
        can_receive=is_open and can(roles, Action.SHOP_RECEIVE),
        cancel_form=cancel_form,
        received_total=sum(line.qty_received * line.unit_cost for line in lines),
    )


@login_required
@require_GET
def order_detail(request: HttpRequest, code: str, order_id: int) -> HttpResponse:
    coop, roles = shop_coop(request, code, Action.SHOP_VIEW)
    return _order_page(request, coop, roles, _order(coop, order_id))


@login_required
@require_POST
def order_cancel(request: HttpRequest, code: str, order_id: int) -> HttpResponse:
    """Cancel what is still to come of an order, with the reason."""
    coop, roles = shop_coop(request, code, Action.SHOP_PURCHASE)
    order = _order(coop, order_id)
    form = OrderCancelForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.purchase_order_cancel(
                cooperative=coop, order=order, reason=form.cleaned_data["reason"], actor=request.user
            )
        except REFUSED as exc:
            status = add_domain_error(form, exc)
        else:
            messages.success(request, _("Pesanan %(no)s dibatalkan.") % {"no": order.order_no})
            return redirect(_order_url(coop, order))
    return _order_page(request, coop, roles, _order(coop, order_id), cancel_form=form, status=status)


@login_required
@GET_POST
def order_receive(request: HttpRequest, code: str, order_id: int) -> HttpResponse:
    """Goods arriving against an order: per line the units arriving now (default: all that is still due)."""
    coop, roles = shop_coop(request, code, Action.SHOP_RECEIVE)
    order = _order(coop, order_id)
    lines = list(order.lines.all())
    status = 200
    if order.status not in OPEN_ORDER:
        messages.info(request, _("Pesanan %(no)s sudah selesai atau dibatalkan.") % {"no": order.order_no})
        return redirect(_order_url(coop, order))
    if request.method == "POST":
        form = ReceiveForm(request.POST, lines=lines)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            started = timezone.now()
            try:
                receipt = services.goods_receive(
                    cooperative=coop,
                    order=order,
                    date=data["date"],
                    quantities=form.quantities(),
                    note=data["note"],
                    actor=request.user,
                    idempotency_key=data["idempotency_key"] or None,
                )
            except REFUSED as exc:
                status = add_domain_error(form, exc)
            else:
                if is_repeat(receipt.created_at, started):
                    messages.info(request, _("Penerimaan ini sudah tercatat; kiriman ganda diabaikan."))
                else:
                    messages.success(
                        request,
                        _("Penerimaan %(no)s dicatat: %(total)s, utang kepada %(name)s bertambah.")
                        % {
                            "no": receipt.receipt_no,
                            "total": format_rupiah(receipt.total),
                            "name": order.supplier.name,
                        },
                    )
                return redirect(_order_url(coop, order))
    else:
        form = ReceiveForm(lines=lines, initial={"date": timezone.localdate(), "idempotency_key": new_key()})
    return shop_page(request, "order_receive.html", coop, roles, "orders", status, form=form, order=order)


@login_required
@GET_POST
def purchase_new(request: HttpRequest, code: str) -> HttpResponse:
    """A direct purchase received now: on credit (the payable arises), or paid in cash or by transfer."""
    coop, roles = shop_coop(request, code, Action.SHOP_PURCHASE)
    places = locations(coop)
    choices = {"suppliers": _supplier_choices(coop), "locations": location_choices(places)}
    products = _purchasable(coop)
    status = 200
    if request.method == "POST":
        adding = "tambah_baris" in request.POST  # one more line row; nothing is checked or written yet
        data = with_extra_row(request.POST) if adding else request.POST
        form = PurchaseForm(None if adding else data, initial=request.POST.dict() if adding else None, **choices)
        lines = line_formset(data, products=products)
        if not adding:
            status = 422
            if form.is_valid() and lines.is_valid():
                cleaned = form.cleaned_data
                started = timezone.now()
                try:
                    receipt = services.purchase_direct(
                        cooperative=coop,
                        supplier=cleaned["supplier"],
                        date=cleaned["date"],
                        lines=lines.purchase_lines(),
                        location=cleaned["location"],
                        paid_channel=form.paid_channel,
                        reference=cleaned["reference"],
                        note=cleaned["note"],
                        actor=request.user,
                        idempotency_key=cleaned["idempotency_key"] or None,
                    )
                except REFUSED as exc:
                    status = add_domain_error(form, exc, lines=lines)
                else:
                    if is_repeat(receipt.created_at, started):
                        messages.info(request, _("Pembelian ini sudah tercatat; kiriman ganda diabaikan."))
                    else:
                        how = (
                            _("dibayar %(channel)s") % {"channel": receipt.get_paid_channel_display().lower()}
                            if receipt.paid_on_receipt
                            else _("dicatat sebagai utang")
                        )
                        messages.success(
                            request,
                            _("Pembelian %(no)s %(total)s %(how)s.")
                            % {"no": receipt.receipt_no, "total": format_rupiah(receipt.total), "how": how},
                        )
                    return redirect(_supplier_url(coop, receipt.supplier))
    else:
        form = PurchaseForm(
            initial={
                "date": timezone.localdate(),
                "location": first_of_kind(places, LocationKind.GERAI),
                "paid": CREDIT,
                "idempotency_key": new_key(),
            },
            **choices,
        )
        lines = line_formset(products=products, rows=_rows(request))
    return shop_page(request, "purchase_form.html", coop, roles, "purchase", status, form=form, lines=lines)
